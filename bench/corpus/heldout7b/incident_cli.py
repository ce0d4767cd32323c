"""On-call helper CLI (Typer + OpenAI Responses API): triage a log file, draft a runbook,
propose remediation commands, and write the incident report."""
from __future__ import annotations

import os
import re
import subprocess
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

import typer
import yaml
from openai import OpenAI

app = typer.Typer(help="On-call assistant")
client = OpenAI()
MODEL = os.environ.get("ONCALL_MODEL", "gpt-4.1-mini")
REPORTS = Path(os.environ.get("ONCALL_REPORTS", "~/incidents")).expanduser()
DEPLOYMENT_RE = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")

DIAGNOSTICS = {
    "pods": ["kubectl", "get", "pods", "-o", "wide"],
    "events": ["kubectl", "get", "events", "--sort-by=.lastTimestamp"],
    "top": ["kubectl", "top", "pods"],
}
TRIAGE_INSTRUCTIONS = (
    "You are an SRE assistant. Identify the first failure, the probable root cause and the "
    "blast radius. Be concrete and cite log lines."
)


def tail(path: Path, max_lines: int = 400) -> str:
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return "\n".join(lines[-max_lines:])


def ask(instructions: str, user_input: str) -> str:
    resp = client.responses.create(model=MODEL, instructions=instructions, input=user_input)
    return resp.output_text


@app.command()
def triage(
    log_file: Path = typer.Argument(..., exists=True, readable=True),
    focus: Optional[str] = typer.Option(None, help="Extra focus for the analysis, e.g. 'payments'"),
):
    """Explain what went wrong in LOG_FILE."""
    log = tail(log_file)
    instructions = TRIAGE_INSTRUCTIONS
    if focus:
        instructions += f"\nPay special attention to: {focus}"
    # ruleid: AIS201
    resp = client.responses.create(model=MODEL, instructions=instructions, input=log)
    typer.echo(resp.output_text)


@app.command()
def triage_with_context(log_file: Path, service: str = typer.Option("api")):
    """Triage with the log embedded in the instructions (long-context mode)."""
    if service not in {"api", "worker", "billing", "search"}:
        raise typer.BadParameter("unknown service")
    log = tail(log_file, 2000)
    # ruleid: AIS204
    resp = client.responses.create(
        model=MODEL,
        instructions=f"{TRIAGE_INSTRUCTIONS}\nService: {service}\n\nLog:\n{log}",
        input="Summarise the incident for the on-call channel.",
    )
    typer.echo(resp.output_text)


@app.command()
def explain(log_file: Path, service: str = typer.Option("api")):
    """Short explanation, log passed as the user input."""
    if service not in {"api", "worker", "billing", "search"}:
        raise typer.BadParameter("unknown service")
    # ok: AIS204
    text = ask(f"{TRIAGE_INSTRUCTIONS}\nService: {service}", tail(log_file))
    typer.echo(text)


@app.command()
def runbook(log_file: Path):
    """Draft a runbook as YAML and print its steps."""
    raw = ask(
        "Write a runbook for this failure as YAML with keys title, steps (list of strings), rollback.",
        tail(log_file),
    )
    raw = raw.strip().removeprefix("```yaml").removesuffix("```")
    # ruleid: AIS304
    book = yaml.load(raw, Loader=yaml.FullLoader)
    for i, step in enumerate(book.get("steps", []), 1):
        typer.echo(f"{i}. {step}")


@app.command()
def runbook_safe(log_file: Path):
    """Same as runbook, parsed with the safe loader."""
    raw = ask(
        "Write a runbook for this failure as YAML with keys title, steps (list of strings), rollback.",
        tail(log_file),
    )
    # ok: AIS304
    book = yaml.safe_load(raw.strip().removeprefix("```yaml").removesuffix("```"))
    for i, step in enumerate(book.get("steps", []), 1):
        typer.echo(f"{i}. {step}")


@app.command()
def remediate(log_file: Path, dry_run: bool = typer.Option(True)):
    """Ask for remediation commands and optionally run them."""
    plan = ask(
        "Propose shell commands (one per line, no prose) that remediate the failure. Prefer kubectl.",
        tail(log_file),
    )
    for command in [c.strip() for c in plan.splitlines() if c.strip()]:
        typer.echo(f"$ {command}")
        if dry_run or not typer.confirm("Run it?"):
            continue
        # ruleid: AIS301
        subprocess.run(command, shell=True, check=False)


@app.command()
def restart(log_file: Path, namespace: str = typer.Option("prod")):
    """Restart the deployment the model blames."""
    deployment = ask("Reply with only the name of the Kubernetes deployment that is failing.", tail(log_file))
    if typer.confirm(f"Restart {deployment} in {namespace}?"):
        # ruleid: AIS301
        os.system(f"kubectl -n {namespace} rollout restart deployment/{deployment}")


@app.command()
def restart_checked(log_file: Path, namespace: str = typer.Option("prod")):
    """Restart the blamed deployment after validating the name."""
    deployment = ask("Reply with only the name of the Kubernetes deployment that is failing.", tail(log_file))
    if not DEPLOYMENT_RE.fullmatch(deployment):
        raise typer.Exit(f"refusing suspicious deployment name {deployment!r}")
    if typer.confirm(f"Restart {deployment} in {namespace}?"):
        # ok: AIS301
        subprocess.run(["kubectl", "-n", namespace, "rollout", "restart", f"deployment/{deployment}"], check=True)


@app.command()
def diagnose(log_file: Path, namespace: str = typer.Option("prod")):
    """Run the read-only diagnostic the model picks."""
    choice = ask("Reply with one of: " + ", ".join(DIAGNOSTICS) + ". Nothing else.", tail(log_file)).strip()
    if choice not in DIAGNOSTICS:
        raise typer.Exit(f"unknown diagnostic {choice!r}")
    # ok: AIS301
    subprocess.run(DIAGNOSTICS[choice] + ["-n", namespace], check=False)


@app.command()
def report(log_file: Path):
    """Write the incident report to the reports folder."""
    text = ask("Write a blameless incident report in Markdown with a first-line title.", tail(log_file))
    title = text.splitlines()[0].lstrip("# ").strip()
    REPORTS.mkdir(parents=True, exist_ok=True)
    # ruleid: AIS304
    (REPORTS / f"{title}.md").write_text(text, encoding="utf-8")
    typer.echo(f"wrote {title}.md")


@app.command()
def report_timestamped(log_file: Path):
    """Write the incident report under a timestamped name."""
    text = ask("Write a blameless incident report in Markdown with a first-line title.", tail(log_file))
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    REPORTS.mkdir(parents=True, exist_ok=True)
    target = REPORTS / f"incident-{stamp}.md"
    # ok: AIS304
    target.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {target}")


if __name__ == "__main__":
    app()
