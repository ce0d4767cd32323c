"""On-call assistant: a Celery worker running a hand-written tool loop over three SDKs' tool calls."""
from __future__ import annotations

import json
import subprocess

import anthropic
import psycopg
from celery import Celery
from openai import OpenAI
from pydantic import BaseModel

celery_app = Celery("oncall", broker="redis://localhost:6379/0")
oai = OpenAI()
claude = anthropic.Anthropic()
db = psycopg.connect("postgresql://oncall@db/incidents")
RUNBOOK = "You are the on-call assistant. Use tools to inspect the system; never guess."
SAFE_COMMANDS = {"uptime": ["uptime"], "disk": ["df", "-h"], "load": ["cat", "/proc/loadavg"]}
TOOLS = [
    {"type": "function", "function": {"name": "read_log", "parameters": {"type": "object", "properties": {"path": {"type": "string"}}}}},
    {"type": "function", "function": {"name": "run_check", "parameters": {"type": "object", "properties": {"name": {"type": "string"}}}}},
]


class IncidentQuery(BaseModel):
    sql: str
    reason: str


class ToolBox:
    def read_log(self, path: str) -> str:
        # ruleid: AIS304
        with open(path) as fh:
            return fh.read()[-4000:]

    def run_check(self, name: str) -> str:
        if name not in SAFE_COMMANDS:
            return "unknown check"
        # ok: AIS301
        return subprocess.run(SAFE_COMMANDS[name], capture_output=True, text=True).stdout


@celery_app.task
def investigate(alert: dict) -> str:
    box = ToolBox()
    messages = [{"role": "system", "content": RUNBOOK}, {"role": "user", "content": json.dumps(alert)}]
    for _ in range(5):
        # ok: AIS201, AIS202
        resp = oai.chat.completions.create(model="gpt-4o", messages=messages, tools=TOOLS)
        msg = resp.choices[0].message
        if not msg.tool_calls:
            return msg.content or ""
        messages.append(msg.model_dump())
        for call in msg.tool_calls:
            args = json.loads(call.function.arguments)
            # ruleid: AIS304
            result = getattr(box, call.function.name)(**args)
            messages.append({"role": "tool", "tool_call_id": call.id, "content": result})
    return "gave up"


@celery_app.task
def remediate(alert: dict) -> None:
    msg = claude.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=800,
        system=RUNBOOK,
        tools=[{"name": "shell", "description": "Run a shell command", "input_schema": {"type": "object", "properties": {"cmd": {"type": "string"}}}}],
        messages=[{"role": "user", "content": json.dumps(alert)}],
    )
    for block in msg.content:
        if block.type == "tool_use" and block.name == "shell":
            # ruleid: AIS301
            subprocess.run(block.input["cmd"], shell=True, check=False)


@celery_app.task
def similar_incidents(summary: str) -> list:
    parsed = oai.beta.chat.completions.parse(
        model="gpt-4o",
        response_format=IncidentQuery,
        messages=[
            {"role": "system", "content": "Write a SQL query over the incidents table that finds similar incidents."},
            {"role": "user", "content": summary},
        ],
    )
    query = parsed.choices[0].message.parsed
    with db.cursor() as cur:
        # ruleid: AIS302
        cur.execute(query.sql)
        rows = cur.fetchall()
        # ok: AIS302
        cur.execute("INSERT INTO audit(reason) VALUES (%s)", (query.reason,))
    return rows


@celery_app.task
def plan_from_json(alert: dict) -> None:
    resp = oai.responses.create(
        model="gpt-4.1",
        instructions='Answer with JSON: {"command": "...", "ticket": "..."}',
        input=json.dumps(alert),
    )
    plan = json.loads(resp.output_text)
    # ruleid: AIS301
    subprocess.run(["bash", "-c", plan["command"]], check=False)
    # ok: AIS301
    subprocess.run(["logger", "-t", "oncall", plan["ticket"]], check=False)


@celery_app.task
def responses_tools(alert: dict) -> None:
    resp = oai.responses.create(
        model="gpt-4.1",
        instructions=RUNBOOK,
        input=json.dumps(alert),
        tools=[{"type": "function", "name": "restart", "parameters": {"type": "object", "properties": {"unit": {"type": "string"}}}}],
    )
    for item in resp.output:
        if item.type == "function_call" and item.name == "restart":
            unit = json.loads(item.arguments)["unit"]
            # ruleid: AIS301
            subprocess.run(f"systemctl restart {unit}", shell=True, check=False)
