"""repo-agent: a Typer CLI that lets an OpenAI model work on a checkout through a tool-calling loop."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import typer
from openai import OpenAI

app = typer.Typer()
client = OpenAI()
ROOT = Path.cwd()
SYSTEM = "You are a careful repository assistant. Use the tools; explain what you changed."
TOOLS = [
    {"type": "function", "function": {"name": name, "parameters": {"type": "object", "properties": props}}}
    for name, props in (
        ("run_shell", {"command": {"type": "string"}}),
        ("read_file", {"path": {"type": "string"}}),
        ("write_file", {"path": {"type": "string"}, "content": {"type": "string"}}),
        ("git_log", {"count": {"type": "integer"}}),
        ("run_target", {"target": {"type": "string"}}),
    )
]
MAKE_TARGETS = {"lint", "test", "typecheck"}


def run_shell(command: str) -> str:
    # ruleid: AIS301
    proc = subprocess.run(command, shell=True, capture_output=True, text=True, cwd=ROOT)
    return proc.stdout[-4000:]


def read_file(path: str) -> str:
    tracked = set(subprocess.run(["git", "ls-files"], capture_output=True, text=True, cwd=ROOT).stdout.split())
    if path not in tracked:
        return "not a tracked file"
    # ok: AIS304
    return (ROOT / path).read_text()


def write_file(path: str, content: str) -> str:
    # ruleid: AIS304
    (ROOT / path).write_text(content)
    return "written"


def git_log(count: int) -> str:
    # ok: AIS301
    return subprocess.run(["git", "log", f"-{int(count)}", "--oneline"], capture_output=True, text=True).stdout


def run_target(target: str) -> str:
    if target not in MAKE_TARGETS:
        return "unknown target"
    # ok: AIS301
    return subprocess.run(["make", target], capture_output=True, text=True).stdout


HANDLERS = {
    "run_shell": run_shell,
    "read_file": read_file,
    "write_file": write_file,
    "git_log": git_log,
    "run_target": run_target,
}


def agent_loop(messages: list[dict], max_turns: int = 8) -> str:
    for _ in range(max_turns):
        resp = client.chat.completions.create(model="gpt-4.1", messages=messages, tools=TOOLS)
        message = resp.choices[0].message
        messages.append(message.model_dump(exclude_none=True))
        if not message.tool_calls:
            return message.content or ""
        for call in message.tool_calls:
            arguments = json.loads(call.function.arguments)
            handler = HANDLERS[call.function.name]
            result = handler(**arguments)
            messages.append({"role": "tool", "tool_call_id": call.id, "content": result})
    return "stopped after too many turns"


@app.command()
def task(goal: str, style: str = typer.Option("", help="extra instructions for the agent")) -> None:
    # ruleid: AIS201
    messages = [{"role": "system", "content": f"{SYSTEM}\n{style}"}, {"role": "user", "content": goal}]
    typer.echo(agent_loop(messages))


@app.command()
def review(diff_file: Path = typer.Argument(None)) -> None:
    """Review a diff named on the command line, or piped on stdin."""
    diff = diff_file.read_text() if diff_file else sys.stdin.read()
    # ruleid: AIS202
    resp = client.responses.create(model="gpt-4.1", instructions=SYSTEM, input=f"Review this diff and list risky changes:\n{diff}")
    typer.echo(resp.output_text)


@app.command()
def explain(rules_file: Path) -> None:
    """Explain a lint config using the team's rules file as guidance."""
    guidance = rules_file.read_text()
    # ruleid: AIS204
    resp = client.responses.create(model="gpt-4.1", instructions=SYSTEM + "\n" + guidance, input="Explain these rules.")
    typer.echo(resp.output_text)


@app.command()
def commit() -> None:
    diff = subprocess.run(["git", "diff", "--cached"], capture_output=True, text=True).stdout
    resp = client.chat.completions.create(
        model="gpt-4.1-mini",
        messages=[{"role": "system", "content": "Write a one-line commit message."}, {"role": "user", "content": diff}],
    )
    message = resp.choices[0].message.content
    # ok: AIS301
    subprocess.run(["git", "commit", "-m", message], check=True)


@app.command()
def cleanup() -> None:
    listing = "\n".join(os.listdir(ROOT))
    resp = client.chat.completions.create(
        model="gpt-4.1-mini",
        messages=[{"role": "system", "content": "Name one build folder to delete, nothing else."}, {"role": "user", "content": listing}],
    )
    folder = resp.choices[0].message.content.strip()
    # ruleid: AIS301
    os.system(f"rm -rf {folder}")


if __name__ == "__main__":
    app()
