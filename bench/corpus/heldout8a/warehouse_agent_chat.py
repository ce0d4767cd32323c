"""Warehouse operations assistant: Claude with tools over the WMS replica (Chainlit)."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path

import chainlit as cl
import psycopg
from anthropic import AsyncAnthropic

client = AsyncAnthropic()
MODEL = os.environ.get("WMS_AGENT_MODEL", "claude-sonnet-4-5")
DSN = os.environ["WMS_REPLICA_DSN"]
EXPORT_ROOT = Path(os.environ.get("WMS_EXPORTS", "/srv/wms/exports"))

BASE_SYSTEM = (
    "You help warehouse shift leads. Use the tools to look up stock and shipments. "
    "Quote numbers exactly as the tools return them."
)
SHIFT_REPORTS = {
    "late_shipments": "SELECT order_id, carrier, promised_at FROM shipments WHERE shipped_at > promised_at",
    "low_stock": "SELECT sku, on_hand FROM stock WHERE on_hand < reorder_point",
}
SAFE_COMMANDS = {"label-printer-status": ["lpstat", "-p"], "scanner-sync": ["/opt/wms/bin/sync-scanners"]}
EXPORT_NAME = re.compile(r"[a-z0-9_]{1,40}\.csv")

TOOLS = [
    {
        "name": "run_query",
        "description": "Run a read-only SQL query on the WMS replica.",
        "input_schema": {"type": "object", "properties": {"sql": {"type": "string"}}, "required": ["sql"]},
    },
    {
        "name": "shift_report",
        "description": "Run a predefined shift report.",
        "input_schema": {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]},
    },
    {
        "name": "device_check",
        "description": "Check a warehouse device with a diagnostic command.",
        "input_schema": {"type": "object", "properties": {"command": {"type": "string"}}, "required": ["command"]},
    },
    {
        "name": "read_export",
        "description": "Read a CSV export produced by the nightly job.",
        "input_schema": {"type": "object", "properties": {"file": {"type": "string"}}, "required": ["file"]},
    },
]


def run_query(sql: str) -> str:
    with psycopg.connect(DSN) as conn, conn.cursor() as cur:
        # ruleid: AIS302
        cur.execute(sql)
        return "\n".join(str(r) for r in cur.fetchmany(50))


def shift_report(name: str) -> str:
    if name not in SHIFT_REPORTS:
        return f"unknown report {name!r}"
    with psycopg.connect(DSN) as conn, conn.cursor() as cur:
        # ok: AIS302
        cur.execute(SHIFT_REPORTS[name])
        return "\n".join(str(r) for r in cur.fetchall())


def device_check(command: str) -> str:
    # ruleid: AIS301
    out = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=20)
    return out.stdout[-2000:]


def device_check_safe(command: str) -> str:
    argv = SAFE_COMMANDS.get(command)
    if argv is None:
        return "command not allowed"
    # ok: AIS301
    out = subprocess.run(argv, capture_output=True, text=True, timeout=20)
    return out.stdout[-2000:]


def read_export(file: str) -> str:
    # ruleid: AIS304
    return (EXPORT_ROOT / file).read_text(encoding="utf-8")[:4000]


def read_export_checked(file: str) -> str:
    if not EXPORT_NAME.fullmatch(file):
        return "bad export name"
    # ok: AIS304
    return (EXPORT_ROOT / file).read_text(encoding="utf-8")[:4000]


def dispatch(name: str, args: dict, strict: bool) -> str:
    match name:
        case "run_query":
            return run_query(args["sql"])
        case "shift_report":
            return shift_report(args["name"])
        case "device_check":
            return device_check_safe(args["command"]) if strict else device_check(args["command"])
        case "read_export":
            return read_export_checked(args["file"]) if strict else read_export(args["file"])
    return f"unknown tool {name}"


@cl.on_chat_start
async def start():
    cl.user_session.set("history", [])
    cl.user_session.set("strict", os.environ.get("WMS_STRICT_TOOLS", "1") == "1")


@cl.on_message
async def on_message(message: cl.Message):
    system = BASE_SYSTEM
    question = message.content
    if question.startswith("/site "):
        # "/site Leeds DC2\nwhat is late today?" pins the shift's site for this question
        site_note, _, question = question.removeprefix("/site ").partition("\n")
        system = f"{BASE_SYSTEM}\nThis shift is at site: {site_note.strip()}"

    history: list[dict] = cl.user_session.get("history")
    history.append({"role": "user", "content": question})
    strict = cl.user_session.get("strict")

    while True:
        # ruleid: AIS201
        response = await client.messages.create(
            model=MODEL, max_tokens=1500, system=system, tools=TOOLS, messages=history
        )
        history.append({"role": "assistant", "content": response.content})
        if response.stop_reason != "tool_use":
            break
        results = []
        for block in response.content:
            if block.type == "tool_use":
                output = dispatch(block.name, block.input, strict)
                results.append({"type": "tool_result", "tool_use_id": block.id, "content": output})
        history.append({"role": "user", "content": results})

    text = "".join(b.text for b in response.content if b.type == "text")
    await cl.Message(content=text).send()


@cl.action_callback("sku_lookup")
async def sku_lookup(action: cl.Action):
    """Button under each answer: one-shot SKU description without tools."""
    sku = str(action.payload.get("sku", ""))
    # ok: AIS201, AIS202
    reply = await client.messages.create(
        model=MODEL,
        max_tokens=300,
        system=BASE_SYSTEM + " Answer without tools in two sentences.",
        messages=[{"role": "user", "content": sku}],
    )
    await cl.Message(content=reply.content[0].text).send()

    cmd = shlex.join(["/opt/wms/bin/sku-info", "--format", "short"])
    # ok: AIS301
    subprocess.run(cmd, shell=True, check=False)
