"""MCP server exposing log-analysis tools to the team's coding agents.

FastMCP (mcp Python SDK) + Mistral chat for summarisation and query drafting + sqlite
log index. Runs over stdio next to the developer's editor.
"""
from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
from pathlib import Path

import httpx
import yaml
from mcp.server.fastmcp import FastMCP
from llama_index.core import Settings, SimpleDirectoryReader, VectorStoreIndex
from llama_index.embeddings.huggingface import HuggingFaceEmbedding
from mistralai import Mistral

mcp = FastMCP("log-tools")
mistral = Mistral(api_key=os.environ["MISTRAL_API_KEY"])
MODEL = "mistral-large-latest"
LOG_ROOT = Path(os.environ.get("LOG_ROOT", "/var/log/app"))
INDEX = sqlite3.connect(os.environ.get("LOG_INDEX", "logs.sqlite"), check_same_thread=False)
RUNBOOK_DIR = os.environ.get("RUNBOOK_DIR", "./runbooks")  # synced nightly from the team wiki
STATUS_PAGE = "https://status.example.com/api/v2/incidents.json"

ANALYST = "You are a log analyst. Be factual; quote log lines verbatim when you cite them."
ALLOWED_UNITS = {"api", "worker", "scheduler", "nginx"}


def complete(system: str, user: str) -> str:
    resp = mistral.chat.complete(
        model=MODEL,
        messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
    )
    return resp.choices[0].message.content


def tail(unit: str, lines: int = 200) -> str:
    path = LOG_ROOT / f"{unit}.log"
    with path.open(errors="replace") as fh:
        return "".join(fh.readlines()[-lines:])


@mcp.tool()
def summarize_unit(unit: str, lines: int = 200) -> str:
    """Summarise the last N lines of a unit's log."""
    if unit not in ALLOWED_UNITS:
        return f"unknown unit; choose from {sorted(ALLOWED_UNITS)}"
    text = tail(unit, int(lines))
    # ok: AIS204
    return complete(ANALYST, "Summarise these log lines:\n" + text)


@mcp.tool()
def explain_with_status(unit: str) -> str:
    """Correlate a unit's log with the public status page."""
    if unit not in ALLOWED_UNITS:
        return "unknown unit"
    incidents = httpx.get(STATUS_PAGE, timeout=10).json().get("incidents", [])
    context = "\n".join(f"- {i['name']}: {i.get('status')}" for i in incidents[:10])
    # ruleid: AIS204
    resp = mistral.chat.complete(
        model=MODEL,
        messages=[
            {"role": "system", "content": f"{ANALYST}\nKnown incidents right now:\n{context}"},
            {"role": "user", "content": tail(unit)},
        ],
    )
    return resp.choices[0].message.content


_runbook_index: VectorStoreIndex | None = None


def runbook_index() -> VectorStoreIndex:
    global _runbook_index
    if _runbook_index is None:
        Settings.embed_model = HuggingFaceEmbedding(model_name="BAAI/bge-small-en-v1.5")
        _runbook_index = VectorStoreIndex.from_documents(SimpleDirectoryReader(RUNBOOK_DIR).load_data())
    return _runbook_index


@mcp.tool()
def ask_runbooks(question: str) -> str:
    """Answer an operational question from the runbooks."""
    nodes = runbook_index().as_retriever(similarity_top_k=4).retrieve(question)
    guidance = "\n\n".join(n.node.get_content() for n in nodes)
    system = ANALYST + "\nFollow these runbook excerpts exactly:\n" + guidance
    # ruleid: AIS204
    resp = mistral.chat.complete(model=MODEL, messages=[{"role": "system", "content": system}, {"role": "user", "content": question}])
    return resp.choices[0].message.content


@mcp.tool()
def search_index(description: str) -> list[dict]:
    """Turn a natural-language description into a query over the log index and run it."""
    sql = complete(
        "Write one SQLite SELECT over events(ts, unit, level, message). Output SQL only.", description
    ).strip().strip("`")
    cur = INDEX.cursor()
    # ruleid: AIS302
    cur.execute(sql)
    cols = [c[0] for c in cur.description]
    return [dict(zip(cols, row)) for row in cur.fetchmany(100)]


@mcp.tool()
def count_level(unit: str, level: str) -> int:
    """Count events of a level for a unit, level guessed by the model from free text."""
    guess = complete("Map the text to one of DEBUG, INFO, WARNING, ERROR. Reply with the word only.", level).strip().upper()
    # ok: AIS302
    row = INDEX.execute("SELECT count(*) FROM events WHERE unit = ? AND level = ?", (unit, guess)).fetchone()
    return int(row[0])


@mcp.tool()
def restart_hint(unit: str) -> str:
    """Ask the model which systemctl action fits the recent errors and run it."""
    if unit not in ALLOWED_UNITS:
        return "unknown unit"
    action = complete("Reply with exactly one of: status, restart, reload.", tail(unit, 50)).strip().lower()
    if action not in {"status", "restart", "reload"}:
        action = "status"
    # ok: AIS301
    out = subprocess.run(["systemctl", action, f"app-{unit}"], capture_output=True, text=True)
    return out.stdout


@mcp.tool()
def grep_suggested(unit: str, question: str) -> str:
    """Let the model write a grep pipeline for the question and run it over the unit's log."""
    if unit not in ALLOWED_UNITS:
        return "unknown unit"
    pipeline = complete("Write a single grep/awk pipeline reading from stdin. Output the command only.", question)
    # ruleid: AIS301
    proc = subprocess.Popen(pipeline, shell=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    out, _ = proc.communicate(tail(unit, 5000))
    return out[:8000]


@mcp.tool()
def load_alert_rules(description: str) -> dict:
    """Draft alert rules as YAML and parse them for preview."""
    draft = complete("Write Prometheus alerting rules as YAML for the description.", description)
    # ruleid: AIS304
    rules = yaml.load(draft, Loader=yaml.Loader)
    return rules


@mcp.tool()
def preview_alert_rules(description: str) -> dict:
    draft = complete("Write Prometheus alerting rules as YAML for the description.", description)
    # ok: AIS304
    return yaml.load(draft, Loader=yaml.SafeLoader)


@mcp.tool()
def fetch_runbook(question: str) -> str:
    """Ask the model which runbook URL applies and fetch it."""
    answer = complete('Reply as JSON {"url": "..."} with the runbook URL for the question.', question)
    url = json.loads(answer)["url"]
    # ruleid: AIS304
    return httpx.get(url, timeout=10).text[:6000]


@mcp.tool()
def open_archive(question: str) -> str:
    """Read an archived log the model picks from the archive listing."""
    listing = "\n".join(p.name for p in (LOG_ROOT / "archive").glob("*.log"))
    name = complete("Pick the one file name from the listing that answers the question.", f"{listing}\n\nQ: {question}").strip()
    if not re.fullmatch(r"[\w.-]+\.log", name):
        return "no match"
    # ok: AIS304
    return (LOG_ROOT / "archive" / name).read_text()[:6000]


if __name__ == "__main__":
    mcp.run()
