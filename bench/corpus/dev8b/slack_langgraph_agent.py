"""Slack assistant for the data team: a LangGraph graph with LangChain tools, started from slack_bolt events."""
from __future__ import annotations

import subprocess
from typing import Literal, TypedDict

import requests
from langchain.agents import AgentExecutor, create_tool_calling_agent
from langchain_community.utilities import SQLDatabase
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.prompts import ChatPromptTemplate, PromptTemplate
from langchain_core.tools import StructuredTool, tool
from langchain_openai import ChatOpenAI
from langgraph.graph import END, StateGraph
from pydantic import BaseModel
from slack_bolt import App

app = App()
llm = ChatOpenAI(model="gpt-4o")
warehouse = SQLDatabase.from_uri("postgresql://analyst@warehouse/sales")
DASHBOARDS = {"revenue": "https://bi.example/d/rev", "churn": "https://bi.example/d/churn"}


class RouteChoice(BaseModel):
    route: Literal["sql", "chat"]


class AgentState(TypedDict):
    question: str
    tone: str
    route: str
    answer: str


@tool
def run_sql(query: str) -> str:
    """Run a read-only SQL query against the sales warehouse."""
    # ruleid: AIS302
    return warehouse.run(query)


@tool
def open_dashboard(name: str) -> str:
    """Fetch one of the known BI dashboards by name."""
    url = DASHBOARDS.get(name)
    if url is None:
        return "unknown dashboard"
    # ok: AIS304
    return requests.get(url, timeout=10).text[:2000]


def fetch_csv(link: str) -> str:
    # ruleid: AIS304
    return requests.get(link, timeout=10).text[:5000]


def export_chart(chart_id: int, fmt: str) -> str:
    # ok: AIS301
    subprocess.run(["chartctl", "export", str(int(chart_id)), "--format", "png"], check=True)
    return f"exported {chart_id}"


csv_tool = StructuredTool.from_function(func=fetch_csv, name="fetch_csv", description="Download a CSV by URL.")
chart_tool = StructuredTool.from_function(func=export_chart, name="export_chart", description="Export a chart.")
tools = [run_sql, open_dashboard, csv_tool, chart_tool]
agent_prompt = ChatPromptTemplate.from_messages(
    [("system", "You are the data team's assistant."), ("human", "{input}"), ("placeholder", "{agent_scratchpad}")]
)
executor = AgentExecutor(agent=create_tool_calling_agent(llm, tools, agent_prompt), tools=tools)


def classify(state: AgentState) -> dict:
    # ok: AIS201, AIS202
    choice = llm.with_structured_output(RouteChoice).invoke(
        [SystemMessage("Decide whether the question needs SQL."), HumanMessage(state["question"])]
    )
    return {"route": choice.route}


def answer_with_tools(state: AgentState) -> dict:
    # ok: AIS201, AIS202
    result = executor.invoke({"input": state["question"]})
    return {"answer": result["output"]}


def chat_reply(state: AgentState) -> dict:
    # ruleid: AIS201
    reply = llm.invoke([SystemMessage(f"Answer in a {state['tone']} tone."), HumanMessage(state["question"])])
    return {"answer": reply.content}


def pick_route(state: AgentState) -> str:
    return "tools" if state["route"] == "sql" else "chat"


graph = StateGraph(AgentState)
graph.add_node("classify", classify)
graph.add_node("tools", answer_with_tools)
graph.add_node("chat", chat_reply)
graph.set_entry_point("classify")
graph.add_conditional_edges("classify", pick_route, {"tools": "tools", "chat": "chat"})
graph.add_edge("tools", END)
graph.add_edge("chat", END)
assistant = graph.compile()


@app.event("app_mention")
def on_mention(event, say):
    text = event["text"]
    tone = event.get("tone", "friendly")
    result = assistant.invoke({"question": text, "tone": tone, "route": "", "answer": ""})
    say(result["answer"])


@app.command("/explain-metric")
def explain_metric(ack, command, respond):
    ack()
    template = PromptTemplate.from_template("Explain the metric {metric} to a new analyst in two sentences.")
    # ruleid: AIS202
    reply = (template | llm).invoke({"metric": command["text"]})
    respond(reply.content)


@app.command("/house-style")
def house_style(ack, command, respond):
    ack()
    # ruleid: AIS203
    template = PromptTemplate.from_template(command["text"])
    reply = (template | llm).invoke({"data": "weekly revenue up 4%"})
    respond(reply.content)


@app.view("sql_review")
def sql_review(ack, body, view):
    ack()
    query = view["state"]["values"]["sql"]["input"]["value"]
    reply = llm.invoke([SystemMessage("Rewrite the query to be faster; reply with SQL only."), HumanMessage(query)])
    # ruleid: AIS302
    warehouse.run(reply.content)
