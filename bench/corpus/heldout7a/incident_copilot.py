"""Incident copilot: FastAPI service the on-call engineers talk to from the incident channel.

Anthropic tool use drives a small set of diagnostics. PagerDuty posts webhooks to /webhooks/pagerduty.
"""
from __future__ import annotations

import json
import os
import shlex
import subprocess
from pathlib import Path
from typing import Any

import psycopg
import requests
from anthropic import AsyncAnthropic
from fastapi import Depends, FastAPI, Header, HTTPException, Request
from pydantic import BaseModel

app = FastAPI(title="incident-copilot")
claude = AsyncAnthropic()
MODEL = "claude-sonnet-4-20250514"
METRICS_DSN = os.environ["METRICS_DSN"]
RUNBOOK_DIR = Path("/opt/runbooks")
RUNBOOKS = {"db-failover": "db-failover.md", "disk-full": "disk-full.md", "cert-expiry": "cert-expiry.md"}
SAFE_CHECKS = {
    "disk": ["df", "-h"],
    "memory": ["free", "-m"],
    "uptime": ["uptime"],
}

COPILOT_SYSTEM = (
    "You are the on-call copilot for the payments platform. Use the tools to gather evidence, "
    "then propose the next diagnostic step. Never run destructive commands."
)

TOOLS = [
    {"name": "run_check", "description": "Run a named health check (disk, memory, uptime).",
     "input_schema": {"type": "object", "properties": {"check": {"type": "string"}}, "required": ["check"]}},
    {"name": "run_shell", "description": "Run a read-only shell command on the bastion host.",
     "input_schema": {"type": "object", "properties": {"command": {"type": "string"}}, "required": ["command"]}},
    {"name": "query_metrics", "description": "Run a SQL query against the metrics warehouse.",
     "input_schema": {"type": "object", "properties": {"sql": {"type": "string"}}, "required": ["sql"]}},
    {"name": "service_errors", "description": "Error counts for one service over the last N minutes.",
     "input_schema": {"type": "object", "properties": {"service": {"type": "string"}, "minutes": {"type": "integer"}}}},
    {"name": "fetch_status_page", "description": "Fetch a dependency's status page.",
     "input_schema": {"type": "object", "properties": {"url": {"type": "string"}}, "required": ["url"]}},
    {"name": "read_runbook", "description": "Read a runbook by name.",
     "input_schema": {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}},
]


class ChatTurn(BaseModel):
    incident_id: str
    message: str
    oncall_notes: str | None = None


def verify_token(x_copilot_token: str = Header(...)) -> None:
    if x_copilot_token != os.environ["COPILOT_TOKEN"]:
        raise HTTPException(status_code=401)


def run_check(check: str) -> str:
    if check not in SAFE_CHECKS:
        return f"unknown check {check!r}"
    # ok: AIS301
    proc = subprocess.run(SAFE_CHECKS[check], capture_output=True, text=True, timeout=20)
    return proc.stdout[-4000:]


def run_shell(command: str) -> str:
    # ruleid: AIS301
    proc = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=30)
    return (proc.stdout + proc.stderr)[-4000:]


def query_metrics(sql: str) -> str:
    with psycopg.connect(METRICS_DSN) as conn, conn.cursor() as cur:
        # ruleid: AIS302
        cur.execute(sql)
        return json.dumps(cur.fetchmany(50), default=str)


def service_errors(service: str, minutes: int) -> str:
    with psycopg.connect(METRICS_DSN) as conn, conn.cursor() as cur:
        # ok: AIS302
        cur.execute(
            "SELECT code, count(*) FROM http_errors WHERE service = %s AND ts > now() - make_interval(mins => %s) GROUP BY code",
            (service, minutes),
        )
        return json.dumps(cur.fetchall())


def fetch_status_page(url: str) -> str:
    # ruleid: AIS304
    resp = requests.get(url, timeout=10)
    return resp.text[:8000]


def read_runbook(name: str) -> str:
    if name not in RUNBOOKS:
        return "no such runbook"
    # ok: AIS304
    return (RUNBOOK_DIR / RUNBOOKS[name]).read_text(encoding="utf-8")


async def dispatch(block) -> str:
    args: dict[str, Any] = block.input
    if block.name == "run_check":
        return run_check(args["check"])
    if block.name == "run_shell":
        return run_shell(args["command"])
    if block.name == "query_metrics":
        return query_metrics(args["sql"])
    if block.name == "service_errors":
        return service_errors(args.get("service", ""), int(args.get("minutes", 15)))
    if block.name == "fetch_status_page":
        return fetch_status_page(args["url"])
    if block.name == "read_runbook":
        return read_runbook(args["name"])
    return f"unknown tool {block.name}"


async def run_agent(system: str, messages: list[dict], max_steps: int = 6) -> str:
    for _ in range(max_steps):
        # ruleid: AIS201
        reply = await claude.messages.create(model=MODEL, max_tokens=1500, system=system, tools=TOOLS, messages=messages)
        messages.append({"role": "assistant", "content": reply.content})
        if reply.stop_reason != "tool_use":
            return "".join(b.text for b in reply.content if b.type == "text")
        results = []
        for block in reply.content:
            if block.type == "tool_use":
                output = await dispatch(block)
                results.append({"type": "tool_result", "tool_use_id": block.id, "content": output})
        messages.append({"role": "user", "content": results})
    return "Stopped after too many steps."


@app.post("/chat", dependencies=[Depends(verify_token)])
async def chat(turn: ChatTurn):
    system = COPILOT_SYSTEM
    if turn.oncall_notes:
        system += f"\nNotes from the current on-call engineer:\n{turn.oncall_notes}"
    answer = await run_agent(system, [{"role": "user", "content": turn.message}])
    return {"incident_id": turn.incident_id, "answer": answer}


async def summarise_incident(payload: dict) -> None:
    incident = payload["event"]["data"]
    prompt = (
        "Summarise this PagerDuty incident for the status channel in two sentences and suggest a severity.\n"
        f"Title: {incident['title']}\nService: {incident['service']['summary']}"
    )
    # ruleid: AIS202
    reply = await claude.messages.create(
        model=MODEL,
        max_tokens=300,
        system="You write terse incident summaries.",
        messages=[{"role": "user", "content": prompt}],
    )
    summary = reply.content[0].text
    # ok: AIS304
    requests.post(os.environ["STATUS_CHANNEL_WEBHOOK"], json={"text": summary}, timeout=10)


@app.post("/webhooks/pagerduty")
async def pagerduty_webhook(request: Request):
    payload = await request.json()
    if payload.get("event", {}).get("event_type") == "incident.triggered":
        await summarise_incident(payload)
    return {"ok": True}


@app.post("/incidents/{incident_id}/next-step", dependencies=[Depends(verify_token)])
async def next_step(incident_id: str, request: Request):
    body = await request.json()
    # ok: AIS201, AIS202
    reply = await claude.messages.create(
        model=MODEL,
        max_tokens=400,
        system=COPILOT_SYSTEM,
        messages=[{"role": "user", "content": body["timeline"]}],
    )
    suggestion = reply.content[0].text
    if suggestion.startswith("$ "):
        # ruleid: AIS301
        subprocess.run(shlex.split(suggestion[2:]), capture_output=True, timeout=30)
    return {"incident_id": incident_id, "suggestion": suggestion}
