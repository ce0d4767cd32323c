"""`howto`: ask a local model (Ollama) for shell commands, e.g. `howto "find files over 1GB" --run`."""

from __future__ import annotations

import argparse
import ast
import os
import re
import shlex
import subprocess
import sys
import urllib.request
from pathlib import Path

import ollama

MODEL = os.environ.get("HOWTO_MODEL", "qwen2.5-coder:7b")
SYSTEM = (
    "You are a Unix shell expert. Reply with exactly one command and no prose. "
    "Never use sudo. Prefer POSIX tools."
)
SCRIPTS_DIR = Path(os.environ.get("HOWTO_SCRIPTS", "~/.local/share/howto")).expanduser()
MAN_TOPIC = re.compile(r"[a-z0-9][a-z0-9_.-]{0,40}")
host = ollama.Client(host=os.environ.get("OLLAMA_HOST", "http://127.0.0.1:11434"))


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="howto")
    parser.add_argument("task", nargs="?", default="")
    parser.add_argument("--run", action="store_true", help="run the suggested command after confirmation")
    parser.add_argument("--explain", metavar="COMMAND")
    parser.add_argument("--script", action="store_true", help="write a script for the task")
    parser.add_argument("--disk", action="store_true", help="show a disk usage report")
    parser.add_argument("--calc", metavar="EXPRESSION")
    parser.add_argument("--persona", default="", help="extra style instructions for the model")
    parser.add_argument("--docs", action="store_true", help="open the man page the model suggests")
    return parser.parse_args(argv)


def suggest(task: str) -> str:
    # ruleid: AIS202
    reply = host.generate(model=MODEL, system=SYSTEM, prompt=f"Write one shell command that does the following: {task}")
    return reply["response"].strip().strip("`")


def run_suggestion(task: str) -> int:
    command = suggest(task)
    print(command)
    if input(f"Run `{command}`? [y/N] ").strip().lower() != "y":
        return 1
    # ruleid: AIS301
    completed = subprocess.run(command, shell=True)
    return completed.returncode


def explain(command: str, persona: str) -> None:
    # ruleid: AIS201
    reply = host.chat(
        model=MODEL,
        messages=[
            {"role": "system", "content": "Explain shell commands flag by flag. " + persona},
            {"role": "user", "content": command},
        ],
    )
    print(reply["message"]["content"])


def write_script(task: str) -> Path:
    reply = host.chat(
        model=MODEL,
        messages=[
            {"role": "system", "content": "Write a bash script. First line: a file name ending in .sh."},
            {"role": "user", "content": task},
        ],
    )
    text = reply["message"]["content"]
    filename, _, body = text.partition("\n")
    SCRIPTS_DIR.mkdir(parents=True, exist_ok=True)
    # ruleid: AIS304
    with open(SCRIPTS_DIR / filename.strip(), "w", encoding="utf-8") as handle:
        handle.write(body)
    # ok: AIS304
    (SCRIPTS_DIR / "last-task.txt").write_text(body, encoding="utf-8")
    return SCRIPTS_DIR / filename.strip()


def calc(expression: str) -> None:
    reply = host.generate(
        model=MODEL,
        system="Convert the question into a Python arithmetic expression. Reply with the expression only.",
        prompt=expression,
    )
    expr = reply["response"].strip()
    try:
        # ok: AIS301
        print(ast.literal_eval(expr))
    except (ValueError, SyntaxError):
        # ruleid: AIS301
        print(eval(expr, {"__builtins__": {}}))


def open_docs(task: str) -> None:
    reply = host.generate(model=MODEL, system="Name the one man page most relevant to the task. One word.", prompt=task)
    topic = reply["response"].strip().lower()
    if not MAN_TOPIC.fullmatch(topic):
        print("no suggestion")
        return
    # ok: AIS301
    subprocess.run(["man", topic], check=False)
    # ok: AIS304
    page = urllib.request.urlopen(f"https://man7.org/linux/man-pages/man1/{topic}.1.html", timeout=10)
    print(page.status)


def fetch_cheatsheet(task: str) -> str:
    reply = host.generate(model=MODEL, system="Reply with the URL of a cheat sheet for the task.", prompt=task)
    # ruleid: AIS304
    with urllib.request.urlopen(reply["response"].strip(), timeout=10) as resp:
        return resp.read().decode("utf-8", "replace")


def disk_report() -> None:
    reply = host.generate(model=MODEL, system=SYSTEM, prompt="Show disk usage of the home directory, human readable.")
    command = reply["response"].strip()
    # ruleid: AIS301
    print(os.popen(command).read())
    # ok: AIS301
    print(os.popen("df -h ~").read())
    # ok: AIS301
    subprocess.run("ls -la " + shlex.quote(command.split()[0]), shell=True, check=False)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.explain:
        explain(args.explain, args.persona)
    elif args.calc:
        calc(args.calc)
    elif args.script:
        print(write_script(args.task))
    elif args.disk:
        disk_report()
    elif args.docs:
        open_docs(args.task)
        print(fetch_cheatsheet(args.task)[:2000])
    elif args.task and args.run:
        return run_suggestion(args.task)
    elif args.task:
        print(suggest(args.task))
    else:
        print("nothing to do", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
