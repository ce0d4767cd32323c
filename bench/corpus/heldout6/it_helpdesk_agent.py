"""IT helpdesk agent service (FastAPI + LangChain).

Employees describe a problem; an agent with a small tool registry runs diagnostics on the
support jump host and proposes a fix.
"""
from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass, field
from typing import Callable

from fastapi import Depends, FastAPI, HTTPException
from langchain.agents import create_agent
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.tools import tool
from langchain_experimental.tools import PythonREPLTool
from langchain_openai import ChatOpenAI
from pydantic import BaseModel

app = FastAPI(title="helpdesk-agent")
llm = ChatOpenAI(model=os.getenv("HELPDESK_MODEL", "gpt-4o"), temperature=0)

HELPDESK_SYSTEM = (
    "You are the internal IT helpdesk agent. Use tools for diagnostics. Never ask for passwords."
)
DIAGNOSTICS = {
    "disk": ["df", "-h"],
    "memory": ["free", "-m"],
    "uptime": ["uptime"],
    "dns": ["resolvectl", "status"],
}
TEAM_NAME = os.getenv("HELPDESK_TEAM", "IT Helpdesk")
SLA_HOURS = int(os.getenv("HELPDESK_SLA_HOURS", "4"))
REPLY_TEMPLATES = {
    "short": "Reply to {employee} in two sentences about: {summary}",
    "detailed": "Reply to {employee} with numbered steps about: {summary}",
}


@dataclass
class ToolRegistry:
    tools: dict[str, Callable] = field(default_factory=dict)

    def register(self, fn):
        self.tools[fn.name] = fn
        return fn


registry = ToolRegistry()


@registry.register
@tool
def lookup_asset(asset_tag: str) -> str:
    """Look up a laptop by asset tag in the inventory."""
    return json.dumps({"asset_tag": asset_tag, "model": "ThinkPad T14", "os": "Ubuntu 24.04"})


@registry.register
@tool
def run_diagnostic(name: str) -> str:
    """Run a named diagnostic (disk, memory, uptime, dns) on the jump host."""
    if name not in DIAGNOSTICS:
        return "unknown diagnostic"
    # ok: AIS301
    return subprocess.run(DIAGNOSTICS[name], capture_output=True, text=True, timeout=30).stdout


class Ticket(BaseModel):
    employee: str
    description: str
    team_runbook: str = ""
    reply_style: str = "short"
    custom_template: str | None = None


def get_llm() -> ChatOpenAI:
    return llm


@app.post("/agent/triage")
def triage(ticket: Ticket):
    # ruleid: AIS201
    agent = create_agent(
        llm,
        tools=list(registry.tools.values()),
        system_prompt=f"{HELPDESK_SYSTEM}\nTeam runbook:\n{ticket.team_runbook}",
    )
    result = agent.invoke({"messages": [{"role": "user", "content": ticket.description}]})
    return {"answer": result["messages"][-1].content}


@app.post("/agent/triage/default")
def triage_default(ticket: Ticket):
    # ok: AIS201
    agent = create_agent(llm, tools=list(registry.tools.values()), system_prompt=HELPDESK_SYSTEM)
    result = agent.invoke({"messages": [{"role": "user", "content": ticket.description}]})
    return {"answer": result["messages"][-1].content}


@app.post("/agent/data-fix")
def data_fix(ticket: Ticket):
    # ruleid: AIS301
    agent = create_agent(llm, tools=[PythonREPLTool(), lookup_asset], system_prompt=HELPDESK_SYSTEM)
    result = agent.invoke({"messages": [{"role": "user", "content": ticket.description}]})
    return {"answer": result["messages"][-1].content}


@app.post("/agent/shell")
def shell_fix(ticket: Ticket, model: ChatOpenAI = Depends(get_llm)):
    planner = model.bind_tools([run_diagnostic])
    ai_msg = planner.invoke(
        [
            SystemMessage(content=HELPDESK_SYSTEM + " Propose exactly one shell command to fix the issue."),
            HumanMessage(content=ticket.description),
        ]
    )
    outputs = []
    for call in ai_msg.tool_calls:
        args = call["args"]
        if call["name"] == "run_diagnostic":
            diag = args.get("name", "")
            if diag in DIAGNOSTICS:
                # ok: AIS301
                proc = subprocess.run(DIAGNOSTICS[diag], capture_output=True, text=True, timeout=30)
                outputs.append(proc.stdout)
        elif call["name"] == "shell":
            # ruleid: AIS301
            proc = subprocess.run(args["command"], shell=True, capture_output=True, text=True, timeout=60)
            outputs.append(proc.stdout)
    return {"outputs": outputs}


@app.post("/agent/ping")
def ping_host(ticket: Ticket, model: ChatOpenAI = Depends(get_llm)):
    host = model.invoke(
        [SystemMessage(content="Extract the hostname the employee cannot reach. Reply with the hostname only."), HumanMessage(content=ticket.description)]
    ).content.strip()
    # ruleid: AIS301
    output = os.popen("ping -c 3 " + host).read()
    return {"ping": output}


@app.post("/agent/reply")
def draft_reply(ticket: Ticket, model: ChatOpenAI = Depends(get_llm)):
    if ticket.reply_style not in REPLY_TEMPLATES:
        raise HTTPException(422, "unknown style")
    # ok: AIS203
    prompt = ChatPromptTemplate.from_messages(
        [("system", HELPDESK_SYSTEM), ("human", REPLY_TEMPLATES[ticket.reply_style])]
    )
    # ok: AIS201
    # ruleid: AIS202
    reply = (prompt | model).invoke({"employee": ticket.employee, "summary": ticket.description})
    return {"reply": reply.content}


@app.post("/agent/reply/custom")
def draft_custom_reply(ticket: Ticket, model: ChatOpenAI = Depends(get_llm)):
    """Team leads preview their own reply footer template ({{ team }}, {{ sla_hours }})."""
    if not ticket.custom_template:
        raise HTTPException(422, "custom_template required")
    # ruleid: AIS203
    prompt = ChatPromptTemplate.from_messages(
        [("system", HELPDESK_SYSTEM), ("human", ticket.custom_template)], template_format="jinja2"
    )
    reply = (prompt | model).invoke({"team": TEAM_NAME, "sla_hours": SLA_HOURS})
    return {"reply": reply.content}


@app.post("/agent/escalate")
def escalate(ticket: Ticket, model: ChatOpenAI = Depends(get_llm)):
    # ruleid: AIS202
    summary = model.invoke(
        f"Summarise this ticket for the on-call engineer in one line, flag anything urgent.\n"
        f"Employee: {ticket.employee}\nProblem: {ticket.description}"
    ).content
    queue = model.invoke([SystemMessage(content="Answer with one word: network, hardware or access."), HumanMessage(content=summary)]).content.strip()
    if queue not in {"network", "hardware", "access"}:
        queue = "general"
    # ok: AIS301
    subprocess.run(["/opt/helpdesk/bin/page-oncall", "--queue", queue], check=False)
    return {"summary": summary, "queue": queue}
