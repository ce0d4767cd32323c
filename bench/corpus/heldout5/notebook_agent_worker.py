"""Background "data notebook" agent: runs analysis jobs with Claude tool use (Celery + Anthropic)."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import anthropic
import psycopg
import requests
from celery import Celery

celery_app = Celery("notebook", broker=os.environ.get("CELERY_BROKER_URL", "redis://localhost:6379/0"))
client = anthropic.Anthropic()
MODEL = os.environ.get("NOTEBOOK_MODEL", "claude-sonnet-4-20250514")
WORKSPACE_ROOT = Path(os.environ.get("NOTEBOOK_WORKSPACES", "/var/lib/notebooks"))
AGENT_SYSTEM = (
    "You are a data analysis agent. Use the tools to inspect the dataset and compute answers. "
    "Prefer small, verifiable steps."
)


def _schema(**props: str) -> dict:
    return {"type": "object", "properties": {k: {"type": v} for k, v in props.items()}, "required": list(props)}


TOOLS = [
    {"name": "run_python", "description": "Run a Python snippet in the job workspace and return stdout.",
     "input_schema": _schema(code="string")},
    {"name": "save_artifact", "description": "Save text output to a file in the workspace.",
     "input_schema": _schema(filename="string", content="string")},
    {"name": "set_parameters", "description": "Record analysis parameters as a Python dict literal.",
     "input_schema": _schema(literal="string")},
]


@dataclass
class Job:
    job_id: int
    workspace: Path
    parameters: dict[str, Any] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)


ToolFn = Callable[[Job, dict], str]
REGISTRY: dict[str, ToolFn] = {}


def tool(name: str) -> Callable[[ToolFn], ToolFn]:
    def register(fn: ToolFn) -> ToolFn:
        REGISTRY[name] = fn
        return fn

    return register


@tool("run_python")
def run_python(job: Job, args: dict) -> str:
    script = job.workspace / "step.py"
    # ok: AIS304
    script.write_text(args["code"])
    # ruleid: AIS301
    proc = subprocess.run([sys.executable, "-c", args["code"]], cwd=job.workspace, capture_output=True,
                          text=True, timeout=300)
    return proc.stdout[-4000:] + proc.stderr[-2000:]


@tool("save_artifact")
def save_artifact(job: Job, args: dict) -> str:
    filename = args["filename"]
    if not re.fullmatch(r"[\w-]{1,64}\.(csv|md|json|txt)", filename):
        return "error: invalid filename"
    # ok: AIS304
    (job.workspace / filename).write_text(args["content"])
    return f"saved {filename}"


@tool("set_parameters")
def set_parameters(job: Job, args: dict) -> str:
    # ok: AIS301
    job.parameters.update(ast.literal_eval(args["literal"]))
    return "ok"


def load_job(job_id: int) -> tuple[str, str]:
    with psycopg.connect(os.environ["NOTEBOOK_DSN"]) as conn:
        row = conn.execute("SELECT question, dataset_notes FROM notebook_jobs WHERE id = %s", (job_id,)).fetchone()
    return row[0], row[1]


def run_agent(job: Job, question: str, system: str, max_turns: int = 12) -> str:
    messages: list[dict] = [{"role": "user", "content": question}]
    for _ in range(max_turns):
        # ruleid: AIS204
        response = client.messages.create(
            model=MODEL, max_tokens=4096, system=system, tools=TOOLS, messages=messages
        )
        messages.append({"role": "assistant", "content": response.content})
        if response.stop_reason != "tool_use":
            return "".join(b.text for b in response.content if b.type == "text")
        results = []
        for block in response.content:
            if block.type == "tool_use":
                fn = REGISTRY.get(block.name)
                output = fn(job, block.input) if fn else f"unknown tool {block.name}"
                job.log.append(f"{block.name}: {output[:200]}")
                results.append({"type": "tool_result", "tool_use_id": block.id, "content": output})
        messages.append({"role": "user", "content": results})
    return "turn limit reached"


@celery_app.task(bind=True, max_retries=2)
def analyse(self, job_id: int) -> dict:
    job_id = int(job_id)
    question, notes = load_job(job_id)
    workspace = WORKSPACE_ROOT / str(job_id)
    workspace.mkdir(parents=True, exist_ok=True)
    job = Job(job_id=job_id, workspace=workspace)
    system = f"{AGENT_SYSTEM}\n\nNotes the analyst attached to the dataset:\n{notes}"
    answer = run_agent(job, question, system)
    return {"job_id": job_id, "answer": answer, "log": job.log}


@celery_app.task
def quick_stat(expression_hint: str) -> str:
    # ok: AIS201
    response = client.messages.create(
        model=MODEL,
        max_tokens=200,
        system="Translate the request into a single Python arithmetic expression over numbers only.",
        messages=[{"role": "user", "content": expression_hint}],
    )
    expr = response.content[0].text.strip()
    # ruleid: AIS301
    return str(eval(expr, {"__builtins__": {}}, {}))


@celery_app.task
def enrich_from_docs(dataset_url: str) -> dict:
    readme = requests.get(dataset_url.rstrip("/") + "/README.md", timeout=15).text
    # ruleid: AIS204
    response = client.messages.create(
        model=MODEL,
        max_tokens=800,
        system=[{"type": "text", "text": AGENT_SYSTEM}, {"type": "text", "text": "Dataset README:\n" + readme}],
        messages=[{"role": "user", "content": "List each column with its unit as JSON."}],
    )
    # ok: AIS301
    columns = json.loads(response.content[0].text)
    return {"columns": columns}


@celery_app.task
def summarise_readme(dataset_url: str) -> str:
    readme = requests.get(dataset_url.rstrip("/") + "/README.md", timeout=15).text
    # ok: AIS204
    response = client.messages.create(
        model=MODEL,
        max_tokens=400,
        system="Summarise dataset documentation in five bullet points.",
        messages=[{"role": "user", "content": readme}],
    )
    summary = response.content[0].text
    out = Path(tempfile.gettempdir()) / f"readme-summary-{abs(hash(dataset_url))}.md"
    # ok: AIS304
    out.write_text(summary)
    return str(out)


@celery_app.task
def export_report(job_id: int) -> str:
    job_id = int(job_id)
    response = client.messages.create(
        model=MODEL,
        max_tokens=100,
        system="Propose a short file name for the job report, ending in .md.",
        messages=[{"role": "user", "content": f"Job {job_id}"}],
    )
    name = response.content[0].text.strip()
    # ruleid: AIS304
    with open(os.path.join(WORKSPACE_ROOT, str(job_id), name), "w") as fh:
        fh.write("# Report\n")
    return name
