"""opsctl: a Typer CLI that asks the OpenAI Responses API for shell one-liners and runs them.

    opsctl suggest "free disk space on /var"       # prints, asks before running
    opsctl fix --log /var/log/app.log                # proposes a remediation script
    opsctl notes --out-dir ~/notes "postgres vacuum"
"""

from __future__ import annotations

import ast
import json
import os
import shlex
import subprocess
import uuid
from pathlib import Path

import typer
from openai import OpenAI

app = typer.Typer(help="LLM-assisted operations helper")
client = OpenAI()
MODEL = os.environ.get("OPSCTL_MODEL", "gpt-4.1")

BASE_INSTRUCTIONS = (
    "You are an SRE assistant on a Debian server. Reply with exactly one POSIX shell command, "
    "no prose, no code fences."
)
SAFE_COMMANDS = {
    "disk": ["df", "-h"],
    "memory": ["free", "-m"],
    "load": ["uptime"],
    "ports": ["ss", "-tlnp"],
}


def respond(instructions: str, prompt: str) -> str:
    response = client.responses.create(model=MODEL, instructions=instructions, input=prompt)
    return response.output_text.strip()


@app.command()
def suggest(task: str, yes: bool = typer.Option(False, "--yes", "-y")) -> None:
    # ok: AIS201, AIS202
    command = respond(BASE_INSTRUCTIONS, task)
    typer.echo(f"$ {command}")
    if yes or typer.confirm("Run it?"):
        # ruleid: AIS301
        completed = subprocess.run(command, shell=True, capture_output=True, text=True)
        typer.echo(completed.stdout or completed.stderr)


@app.command()
def check(topic: str) -> None:
    """Map a free-text question onto one of the canned, read-only checks."""
    reply = respond(
        "Classify the request as one of: disk, memory, load, ports. Reply with the word only.",
        topic,
    )
    key = reply.lower()
    if key not in SAFE_COMMANDS:
        typer.echo(f"no canned check for {key!r}")
        raise typer.Exit(1)
    # ok: AIS301
    output = subprocess.run(SAFE_COMMANDS[key], capture_output=True, text=True, check=False)
    typer.echo(output.stdout)


@app.command()
def fix(log: Path = typer.Option(..., exists=True, readable=True)) -> None:
    tail = log.read_text(errors="replace")[-6000:]
    # ok: AIS204
    response = client.responses.create(
        model=MODEL,
        instructions=BASE_INSTRUCTIONS + " The user pastes a log; propose a fix as a bash script.",
        input=[{"role": "user", "content": [{"type": "input_text", "text": tail}]}],
    )
    script = response.output_text
    script_path = Path("/tmp") / f"opsctl-fix-{uuid.uuid4().hex}.sh"
    # ok: AIS304
    script_path.write_text(script)
    typer.echo(f"wrote {script_path}")
    if typer.confirm("Execute the proposed script now?"):
        # ruleid: AIS301
        os.system("bash -c " + shlex.quote(script))


@app.command()
def grep_logs(pattern_description: str) -> None:
    """Turn a description into a grep pattern; the pattern is quoted before it reaches the shell."""
    pattern = respond("Reply with one extended regular expression only.", pattern_description)
    # ok: AIS301
    pipe = os.popen("grep -E -- " + shlex.quote(pattern) + " /var/log/syslog | tail -n 50")
    typer.echo(pipe.read())


@app.command()
def notes(topic: str, out_dir: Path = typer.Option(Path.home() / "notes")) -> None:
    response = client.responses.create(
        model=MODEL,
        instructions="Write a short runbook note in Markdown. First line: a file name ending in .md.",
        input=topic,
    )
    first_line, _, body = response.output_text.partition("\n")
    out_dir.mkdir(parents=True, exist_ok=True)
    # ruleid: AIS304
    (out_dir / first_line.strip()).write_text(body, encoding="utf-8")


@app.command()
def plan(goal: str, persona: str = typer.Option("cautious", help="tone of the assistant")) -> None:
    """Multi-step plan; the persona text is the operator's own CLI flag."""
    # ruleid: AIS201
    response = client.responses.create(
        model=MODEL,
        instructions=f"You are a {persona} SRE. Produce a numbered plan as a JSON list of strings.",
        input=goal,
    )
    raw = response.output_text
    try:
        steps = json.loads(raw)
    except json.JSONDecodeError:
        # ok: AIS301
        steps = ast.literal_eval(raw)
    for number, step in enumerate(steps, start=1):
        typer.echo(f"{number}. {step}")


@app.command()
def calc(expression: str) -> None:
    """Ask the model to turn 'half of 3 GiB in MiB' into a Python expression and evaluate it."""
    python_expr = respond("Reply with a single Python arithmetic expression.", expression)
    # ruleid: AIS301
    value = eval(python_expr, {"__builtins__": {}}, {})
    typer.echo(str(value))


@app.command()
def bench(service: str) -> None:
    """The model writes a benchmark snippet that is run in a child interpreter."""
    snippet = respond("Write a short Python timing snippet using only the stdlib.", service)
    # ruleid: AIS301
    result = subprocess.check_output(["python3", "-c", snippet], text=True, timeout=60)
    typer.echo(result)


if __name__ == "__main__":
    app()
