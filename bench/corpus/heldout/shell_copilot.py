# Held-out corpus. Semgrep-style annotations: `# ruleid: CODE` / `# ok: CODE` apply to the next code line.
"""CLI shell copilot: describe a task, get a command (Ollama)."""

import argparse
import ast
import json
import os
import shlex
import subprocess
import sys

import ollama

ALLOWED = {"ls", "df", "du", "uptime"}


def suggest(task: str) -> str:
    resp = ollama.chat(
        model="llama3.1",
        messages=[
            {"role": "system", "content": "Reply with a single POSIX shell command and nothing else."},
            {"role": "user", "content": task},
        ],
    )
    return resp["message"]["content"].strip()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("task")
    parser.add_argument("--style", default="terse")
    parser.add_argument("--yes", action="store_true")
    args = parser.parse_args()

    # ruleid: AIS201
    ollama.generate(model="llama3.1", prompt=args.task, system=f"Explain shell commands in a {args.style} style.")

    command = suggest(args.task)
    if args.yes:
        # ruleid: AIS301
        subprocess.run(command, shell=True, check=False)
    else:
        # ruleid: AIS301
        os.system(command)

    argv = shlex.split(command)
    if argv and argv[0] in ALLOWED:
        # ok: AIS301
        subprocess.run([argv[0]], check=False)
    # ok: AIS301
    subprocess.run(["echo", command], check=False)
    # ok: AIS301
    subprocess.run("echo " + shlex.quote(command), shell=True, check=False)


def calc() -> None:
    expr = input("expression> ")
    resp = ollama.chat(
        model="llama3.1",
        messages=[{"role": "system", "content": "Convert the text to a Python arithmetic expression."}, {"role": "user", "content": expr}],
    )
    code = resp["message"]["content"]
    # ruleid: AIS301
    print(eval(code))
    # ok: AIS301
    print(ast.literal_eval(code))
    # ok: AIS301
    print(json.loads(code))


def script() -> None:
    goal = " ".join(sys.argv[1:])
    # ruleid: AIS202
    resp = ollama.generate(model="codellama", prompt="Write a Python script that does the following. Output code only.\n" + goal)
    source = resp["response"]
    # ruleid: AIS301
    exec(compile(source, "<llm>", "exec"))
    with os.popen("wc -l", "w") as pipe:
        # ok: AIS301
        pipe.write(source)


def pipeline_step() -> None:
    resp = ollama.chat(model="llama3.1", messages=[{"role": "user", "content": "Give a git command to list branches."}])
    cmd = resp["message"]["content"]
    # ruleid: AIS301
    out = subprocess.check_output(["bash", "-c", cmd])
    print(out.decode())


if __name__ == "__main__":
    main()
