"""migrate-assist: a Typer CLI that drafts Alembic migrations from a natural-language change request."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import time
from pathlib import Path

import typer
import yaml
from openai import OpenAI
from rich.console import Console

app = typer.Typer(help="Draft and apply schema migrations with an LLM.")
console = Console()
client = OpenAI()
MODEL = os.getenv("MIGRATE_ASSIST_MODEL", "gpt-4.1")
VERSIONS_DIR = Path("migrations/versions")
SYSTEM = "You are a senior database engineer. You write safe, reversible Alembic migrations for SQLite and Postgres."


def ask(prompt: str, system: str = SYSTEM) -> str:
    # ok: AIS201
    # ruleid: AIS202
    resp = client.chat.completions.create(
        model=MODEL,
        messages=[{"role": "system", "content": system}, {"role": "user", "content": prompt}],
    )
    return (resp.choices[0].message.content or "").strip().removeprefix("```python").removesuffix("```")


def current_schema(db_path: str) -> str:
    with sqlite3.connect(db_path) as conn:
        return "\n".join(r[0] for r in conn.execute("SELECT sql FROM sqlite_master WHERE type='table'") if r[0])


@app.command()
def draft(change: str, db_path: str = "app.db", max_tables: str = typer.Option("20")):
    """Draft a migration for CHANGE and save it under migrations/versions."""
    schema = current_schema(db_path)
    limit = int(max_tables)
    code = ask(f"Current schema (at most {limit} tables):\n{schema}\n\nWrite an Alembic migration that does: {change}")
    filename = f"{int(time.time())}_draft.py"
    # ok: AIS304
    (VERSIONS_DIR / filename).write_text(code, encoding="utf-8")
    console.print(f"[green]wrote {filename}[/green]")


@app.command()
def draft_named(change: str):
    """Like draft, but lets the model choose the revision file name."""
    code = ask(change)
    name = ask(code[:1500], system="Suggest a snake_case file name for this migration, without extension.")
    # ruleid: AIS304
    Path(VERSIONS_DIR, name + ".py").write_text(code, encoding="utf-8")


@app.command()
def backfill(db_path: str, description: str):
    """Generate and run a Python data backfill against DB_PATH."""
    code = ask(description, system=SYSTEM + " Write a Python function backfill(conn) using sqlite3 for the request.")
    namespace: dict = {}
    # ruleid: AIS301
    exec(compile(code, "<backfill>", "exec"), namespace)
    with sqlite3.connect(db_path) as conn:
        namespace["backfill"](conn)


@app.command()
def quick_fix(db_path: str, problem: str):
    """Ask for a one-off SQL statement and run it (asks for confirmation)."""
    statement = ask(problem, system="Give one SQLite statement that fixes the problem described. SQL only.")
    console.print(statement)
    if typer.confirm("Run it?"):
        with sqlite3.connect(db_path) as conn:
            cur = conn.cursor()
            # ruleid: AIS302
            cur.execute(statement)


@app.command()
def count_rows(db_path: str, question: str):
    """Ask which table a question is about, then count its rows."""
    with sqlite3.connect(db_path) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        table = ask(question, system="Which table of the app database answers the question? Reply with the name only.")
        if table not in tables:
            raise typer.BadParameter(f"model picked unknown table {table!r}")
        # ok: AIS302
        total = conn.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
    console.print(f"{table}: {total}")


@app.command()
def apply(revision: str = "head"):
    """Apply migrations after the model reviews the pending ones."""
    pending = "\n\n".join(p.read_text() for p in sorted(VERSIONS_DIR.glob("*.py"))[-3:])
    verdict = ask(pending, system="Review these Alembic migrations. Reply SAFE or UNSAFE.")
    if verdict.upper().startswith("SAFE"):
        # ok: AIS301
        subprocess.run(["alembic", "upgrade", "head"], check=True)
    cmd = ask(revision, system="Give the alembic CLI command that moves the database to the given revision. Command only.")
    # ruleid: AIS301
    subprocess.run(cmd, shell=True, check=True)


@app.command()
def plan(change: str):
    """Print a YAML rollout plan for CHANGE."""
    raw = ask(change, system="Write a YAML rollout plan with keys steps, rollback, risk for the change.")
    # ruleid: AIS304
    plan_doc = yaml.unsafe_load(raw)
    # ok: AIS304
    checked = yaml.safe_load(raw)
    console.print(plan_doc == checked)


if __name__ == "__main__":
    app()
