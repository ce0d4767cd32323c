"""Internal "ops copilot": a LangChain agent with file, HTTP and SQL tools behind FastAPI.

Two entry points: `/agent` runs the prebuilt agent; `/loop` runs a hand-written tool loop that
dispatches the model's tool calls itself (easier to audit and to log).
"""

from __future__ import annotations

import os
from pathlib import Path

import httpx
from fastapi import FastAPI, HTTPException
from langchain.agents import create_agent
from langchain_community.vectorstores import FAISS
from langchain_core.messages import HumanMessage, SystemMessage, ToolMessage
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.tools import tool
from langchain_experimental.tools import PythonREPLTool
from langchain_openai import ChatOpenAI, OpenAIEmbeddings
from pydantic import BaseModel
from sqlalchemy import create_engine, text

WORKSPACE = Path(os.environ.get("COPILOT_WORKSPACE", "/srv/copilot"))
engine = create_engine(os.environ["COPILOT_DB_URL"])
llm = ChatOpenAI(model=os.environ.get("COPILOT_MODEL", "gpt-4.1"), temperature=0)
store = FAISS.load_local(str(WORKSPACE / "index"), OpenAIEmbeddings())
BASE_PROMPT = "You are the ops copilot. Use tools to answer. Never modify production data."
NOTE_TABLES = {"runbooks", "postmortems"}
TOOL_SPECS = {"http_get": "url", "read_file": "path", "sql": "query", "note": "id"}

app = FastAPI()


class AgentRequest(BaseModel):
    question: str
    team_instructions: str = ""


class TemplateRequest(BaseModel):
    template: str
    question: str


@tool
def list_runbooks() -> list[str]:
    """List the runbook files in the workspace."""
    return sorted(p.name for p in (WORKSPACE / "runbooks").glob("*.md"))


# ruleid: AIS301
TOOLS = [list_runbooks, PythonREPLTool()]


@app.post("/agent")
def run_agent(req: AgentRequest) -> dict:
    # ruleid: AIS201
    agent = create_agent(llm, tools=TOOLS, system_prompt=BASE_PROMPT + "\nTeam rules:\n" + req.team_instructions)
    result = agent.invoke({"messages": [{"role": "user", "content": req.question}]})
    return {"answer": result["messages"][-1].content}


def _spec(name: str, arg: str) -> dict:
    return {"name": name, "parameters": {"type": "object", "properties": {arg: {"type": "string"}}}}


def _tool_result(name: str, args: dict) -> str:
    if name == "http_get":
        # ruleid: AIS304
        return httpx.get(args["url"], timeout=10).text[:5000]
    if name == "read_file":
        # ruleid: AIS304
        return Path(args["path"]).read_text(encoding="utf-8")[:5000]
    if name == "sql":
        with engine.connect() as conn:
            # ruleid: AIS302
            rows = conn.execute(text(args["query"])).fetchall()
        return "\n".join(map(str, rows[:50]))
    if name == "note":
        table = args.get("table", "")
        if table not in NOTE_TABLES:
            return f"unknown table {table!r}"
        note_id = int(args["id"])
        with engine.connect() as conn:
            # ok: AIS302
            row = conn.execute(text(f"SELECT body FROM {table} WHERE id = :id"), {"id": note_id}).first()
        return row[0] if row else "not found"
    if name == "status_page":
        # ok: AIS304
        return httpx.get("https://status.internal.acme.io/api/v2/summary.json", timeout=10).text
    return f"unknown tool {name}"


@app.post("/loop")
def tool_loop(req: AgentRequest) -> dict:
    docs = store.similarity_search(req.question, k=4)
    background = "\n---\n".join(d.page_content for d in docs)
    # ruleid: AIS204
    messages = [SystemMessage(content=f"{BASE_PROMPT}\nRelevant internal notes:\n{background}"), HumanMessage(req.question)]
    bound = llm.bind_tools([_spec(name, arg) for name, arg in TOOL_SPECS.items()])
    for _ in range(6):
        ai = bound.invoke(messages)
        messages.append(ai)
        if not ai.tool_calls:
            return {"answer": ai.content}
        for call in ai.tool_calls:
            messages.append(ToolMessage(content=_tool_result(call["name"], call["args"]), tool_call_id=call["id"]))
    raise HTTPException(status_code=504, detail="agent did not finish")


@app.post("/ask-with-docs")
def ask_with_docs(req: AgentRequest) -> dict:
    docs = store.similarity_search(req.question, k=4)
    # ok: AIS204
    # ok: AIS201
    messages = [
        SystemMessage(content=BASE_PROMPT),
        HumanMessage(content="Notes:\n" + "\n".join(d.page_content for d in docs)),
        HumanMessage(content=req.question),
    ]
    return {"answer": llm.invoke(messages).content}


@app.post("/prompt-lab")
def prompt_lab(req: TemplateRequest) -> dict:
    # ruleid: AIS203
    prompt = ChatPromptTemplate.from_template(req.template)
    return {"variables": prompt.input_variables, "messages": len(prompt.messages)}
