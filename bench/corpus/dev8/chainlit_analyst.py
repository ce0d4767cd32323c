"""Data-team analyst bot (Chainlit) built on LangChain."""

import os
import subprocess

import chainlit as cl
import requests
from langchain_core.messages import HumanMessage
from langchain_core.prompts import ChatPromptTemplate, MessagesPlaceholder, PromptTemplate
from langchain_core.runnables import RunnableLambda
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI
from pydantic import BaseModel
from sqlalchemy import create_engine, text

llm = ChatOpenAI(model="gpt-4o-mini", temperature=0)
MODELS_DIR = os.environ.get("MODELS_DIR", "/srv/models")
warehouse = create_engine(os.environ["WAREHOUSE_URL"])

prompt = ChatPromptTemplate.from_messages(
    [
        ("system", "You are the data team's analyst. Team: {team}. Be concise."),
        MessagesPlaceholder("history"),
        ("human", "{question}"),
    ]
)
chain = prompt.partial(team="data platform") | llm


class Plan(BaseModel):
    steps: list[str]
    sql: str


planner = llm.with_structured_output(Plan)


@tool
def run_report(name: str) -> str:
    """Run a named report script from the reports folder."""
    # ruleid: AIS301
    return subprocess.run(f"./reports/{name}.sh", shell=True, capture_output=True, text=True).stdout


@tool
def fetch_model_card(model_url: str) -> str:
    """Fetch a model card to answer questions about it."""
    # ruleid: AIS304
    return requests.get(model_url, timeout=10).text[:5000]


@tool
def save_notes(model_path: str, notes: str) -> str:
    """Save notes about a model."""
    # ruleid: AIS304
    with open(model_path, "w") as fh:
        fh.write(notes)
    return "saved"


@tool
def save_summary(notes: str) -> str:
    """Save the session summary."""
    # ok: AIS304
    with open(os.path.join(MODELS_DIR, "summary.md"), "w") as fh:
        fh.write(notes)
    return "saved"


agent_llm = llm.bind_tools([run_report, fetch_model_card, save_notes, save_summary])


def shout(text: str) -> str:
    return text.upper()


@cl.on_chat_start
async def start():
    cl.user_session.set("history", [])


@cl.on_message
async def on_message(message: cl.Message):
    history = cl.user_session.get("history")
    # ok: AIS201, AIS202
    reply = await chain.ainvoke({"history": history, "question": message.content})
    history += [HumanMessage(message.content), reply]
    await cl.Message(content=reply.content).send()

    if message.content.startswith("/persona "):
        persona = message.content.removeprefix("/persona ")
        # ruleid: AIS201
        custom = ChatPromptTemplate.from_messages([("system", "You are " + persona), ("human", "{q}")]) | llm
        await cl.Message(content=(await custom.ainvoke({"q": "Introduce yourself."})).content).send()

    if message.content.startswith("/template "):
        # ruleid: AIS203
        tmpl = PromptTemplate.from_template(message.content.removeprefix("/template "))
        out = await (tmpl | llm).ainvoke({"topic": "churn"})
        await cl.Message(content=out.content).send()

    if message.content.startswith("/plan "):
        plan = await planner.ainvoke(message.content)
        steps = RunnableLambda(lambda p: "\n".join(p.steps))
        await cl.Message(content=steps.invoke(plan)).send()
        with warehouse.connect() as conn:
            # ruleid: AIS302
            rows = conn.execute(text(plan.sql)).fetchall()
            # ok: AIS302
            conn.execute(text("INSERT INTO plans(steps) VALUES (:steps)"), {"steps": "\n".join(plan.steps)})
        await cl.Message(content=f"{len(rows)} rows").send()

    if message.content.startswith("/shout "):
        loud = RunnableLambda(shout) | llm
        # ruleid: AIS202
        out = await loud.ainvoke("Summarise the following request in one line, then answer it: " + message.content)
        await cl.Message(content=out.content).send()

    tools_reply = await agent_llm.ainvoke([HumanMessage(message.content)])
    for call in tools_reply.tool_calls:
        tool_fn = {"run_report": run_report, "fetch_model_card": fetch_model_card, "save_notes": save_notes}.get(call["name"])
        if tool_fn is not None:
            await cl.Message(content=str(tool_fn.invoke(call["args"]))).send()
