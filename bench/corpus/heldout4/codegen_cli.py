"""`scaffold` CLI (click): asks an LLM (via instructor) for a script, then writes, checks and runs it."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import click
import instructor
from openai import OpenAI
from pydantic import BaseModel, Field

llm = instructor.from_openai(OpenAI())
WORKDIR = Path(os.environ.get("SCAFFOLD_DIR", "scaffolds"))
SAFE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,40}\.py")
ALLOWED_PACKAGES = {"requests", "rich", "pydantic", "httpx"}
SYSTEM = "You write small, self-contained Python 3.11 scripts. Never use network access unless asked."


class Script(BaseModel):
    filename: str = Field(description="snake_case file name ending in .py")
    code: str
    dependencies: list[str] = []
    smoke_test: str = Field(description="one Python expression that should evaluate truthy")


def generate(task: str) -> Script:
    return llm.chat.completions.create(
        model="gpt-4o",
        response_model=Script,
        messages=[{"role": "system", "content": SYSTEM}, {"role": "user", "content": task}],
    )


def install(script: Script) -> None:
    for package in script.dependencies:
        if package in ALLOWED_PACKAGES:
            # ok: AIS301
            subprocess.run([sys.executable, "-m", "pip", "install", package], check=True)
    extra = [p for p in script.dependencies if p not in ALLOWED_PACKAGES]
    if extra and click.confirm(f"Also install {extra}?"):
        # ruleid: AIS301
        subprocess.run([sys.executable, "-m", "pip", "install", *extra], check=True)


def write(script: Script) -> Path:
    WORKDIR.mkdir(exist_ok=True)
    if SAFE_NAME.fullmatch(script.filename):
        target = WORKDIR / script.filename
    else:
        target = WORKDIR / "generated.py"
    # ok: AIS304
    target.write_text(script.code, encoding="utf-8")
    return target


def write_unchecked(script: Script) -> Path:
    # ruleid: AIS304
    with open(os.path.join(WORKDIR, script.filename), "w", encoding="utf-8") as handle:
        handle.write(script.code)
    return WORKDIR / script.filename


def lint(script: Script) -> list[str]:
    # ok: AIS301
    tree = ast.parse(script.code)
    return [node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)]


@click.group()
def cli() -> None:
    """Generate and run throwaway scripts."""


@cli.command()
@click.argument("task")
@click.option("--run/--no-run", default=False)
def new(task: str, run: bool) -> None:
    script = generate(task)
    install(script)
    path = write(script)
    click.echo(f"wrote {path} with functions {lint(script)}")
    if run:
        # ruleid: AIS301
        subprocess.run([sys.executable, "-c", script.code], check=False)


@cli.command()
@click.argument("task")
def check(task: str) -> None:
    script = generate(task)
    namespace: dict = {}
    # ruleid: AIS301
    exec(compile(script.code, script.filename, "exec"), namespace)
    # ruleid: AIS301
    ok = eval(script.smoke_test, namespace)
    click.echo("smoke test passed" if ok else "smoke test failed")


@cli.command()
@click.argument("task")
def draft(task: str) -> None:
    script = generate(task)
    path = write_unchecked(script)
    # ok: AIS301
    subprocess.run(["ruff", "format", str(WORKDIR)], check=False)
    click.echo(f"draft saved to {path}")
    click.echo(script.code)


if __name__ == "__main__":
    cli()
