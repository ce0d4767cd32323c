"""MCP server exposing repository helpers to coding agents, backed by a local Ollama model:
page summaries, file explanations, suggested checks and small generated refactors."""
import json
import os
import shlex
import subprocess
from pathlib import Path

import httpx
import ollama
from mcp.server.fastmcp import FastMCP

REPO_ROOT = Path(os.environ.get("REPO_ROOT", ".")).resolve()
MODEL = os.environ.get("OLLAMA_MODEL", "qwen2.5-coder:14b")
MAKE_TARGETS = {"lint", "test", "typecheck", "docs"}
DOC_SITES = {
    "python": "https://docs.python.org/3/",
    "fastapi": "https://fastapi.tiangolo.com/",
    "pydantic": "https://docs.pydantic.dev/latest/",
}

mcp = FastMCP("repo-helper")
llm = ollama.Client(host=os.environ.get("OLLAMA_HOST", "http://127.0.0.1:11434"))


def ask(system: str, prompt: str) -> str:
    # ok: AIS204
    result = llm.generate(model=MODEL, system=system, prompt=prompt, options={"temperature": 0})
    return result["response"].strip()


def tracked_files() -> set[str]:
    out = subprocess.run(["git", "ls-files"], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    return set(out.stdout.splitlines())


@mcp.tool()
def summarize_page(url: str) -> str:
    """Summarise a web page (changelog, issue, docs) for the coding agent."""
    page = httpx.get(url, timeout=15, follow_redirects=True).text[:40_000]
    # ruleid: AIS204
    reply = llm.chat(
        model=MODEL,
        messages=[
            {"role": "system", "content": f"You summarise pages for developers. Page content:\n{page}"},
            {"role": "user", "content": "Summarise the page in five bullets."},
        ],
    )
    return reply["message"]["content"]


@mcp.tool()
def changelog_digest(package: str) -> str:
    """Summarise the latest release notes of a PyPI package."""
    info = httpx.get(f"https://pypi.org/pypi/{package}/json", timeout=15).json()
    notes = info["info"].get("description") or ""
    # ok: AIS204
    reply = llm.chat(
        model=MODEL,
        messages=[
            {"role": "system", "content": "You summarise release notes. Only report breaking changes."},
            {"role": "user", "content": notes[:20_000]},
        ],
    )
    return reply["message"]["content"]


@mcp.tool()
def explain_file(path: str) -> str:
    """Explain what a file in the repository does."""
    rel = Path(path).as_posix()
    if rel not in tracked_files():
        return "not a tracked file"
    source = (REPO_ROOT / rel).read_text(encoding="utf-8")
    # ok: AIS204
    return ask("You explain Python modules to new contributors in plain English.", source)


@mcp.tool()
def review_file(path: str) -> str:
    """Review a file for the coding agent before it edits it."""
    rel = Path(path).as_posix()
    if rel not in tracked_files():
        return "not a tracked file"
    source = (REPO_ROOT / rel).read_text(encoding="utf-8")
    # ruleid: AIS204
    result = llm.generate(
        model=MODEL,
        system="You are a strict reviewer. The file under review follows.\n\n" + source,
        prompt="List the problems you find, most severe first.",
    )
    return result["response"]


@mcp.tool()
def run_suggested_check(goal: str) -> str:
    """Ask the model for a shell command that checks the goal, run it and return the output."""
    command = ask(
        "Reply with exactly one shell command (no prose) that checks the developer's goal in a git repository.",
        goal,
    )
    # ruleid: AIS301
    proc = subprocess.run(shlex.split(command), cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    return proc.stdout[-8000:]


@mcp.tool()
def quick_stat(question: str) -> str:
    """Answer a question about the repo with a one-liner the model writes."""
    one_liner = ask("Reply with one POSIX shell pipeline, nothing else.", question)
    # ruleid: AIS301
    return os.popen(f"cd {shlex.quote(str(REPO_ROOT))} && {one_liner}").read()[-8000:]


@mcp.tool()
def run_make_target(goal: str) -> str:
    """Run the make target that best fits the goal (lint, test, typecheck or docs)."""
    target = ask("Reply with one word: lint, test, typecheck or docs.", goal).lower()
    if target not in MAKE_TARGETS:
        return f"no make target for {goal!r}"
    # ok: AIS301
    proc = subprocess.run(["make", target], cwd=REPO_ROOT, capture_output=True, text=True, timeout=600)
    return proc.stdout[-8000:]


@mcp.tool()
def transform_data(description: str, sample_json: str) -> str:
    """Generate a Python function body that transforms the sample and run it on the sample."""
    code = ask(
        "Write a Python function named transform(data) implementing the request. Output code only.",
        description,
    )
    namespace: dict = {}
    # ruleid: AIS301
    exec(compile(code, "<generated>", "exec"), namespace)
    return json.dumps(namespace["transform"](json.loads(sample_json)))


@mcp.tool()
def parse_config_suggestion(description: str) -> str:
    """Ask the model for a pyproject [tool.ruff] section as JSON and validate it."""
    raw = ask("Reply with a JSON object of ruff settings only.", description)
    # ok: AIS304
    settings = json.loads(raw)
    return json.dumps({k: v for k, v in settings.items() if k in {"line-length", "select", "ignore"}})


@mcp.tool()
def open_relevant_file(question: str) -> str:
    """Let the model pick the file that answers the question and return its contents."""
    rel = ask("Reply with only the repository-relative path of the most relevant file.", question)
    # ruleid: AIS304
    return (REPO_ROOT / rel).read_text(encoding="utf-8")[:20_000]


@mcp.tool()
def open_relevant_tracked_file(question: str) -> str:
    """Same as open_relevant_file, restricted to tracked files."""
    rel = ask("Reply with only the repository-relative path of the most relevant file.", question)
    if rel not in tracked_files():
        return f"model suggested an unknown file: {rel}"
    # ok: AIS304
    return (REPO_ROOT / rel).read_text(encoding="utf-8")[:20_000]


@mcp.tool()
def fetch_reference(topic: str) -> str:
    """Fetch the reference page the model thinks documents the topic."""
    url = ask("Reply with only the URL of the official documentation page for the topic.", topic)
    # ruleid: AIS304
    return httpx.get(url, timeout=15).text[:20_000]


@mcp.tool()
def fetch_reference_site(topic: str) -> str:
    """Fetch the landing page of the documentation site the model picks."""
    site = ask("Reply with one word: python, fastapi or pydantic.", topic).lower()
    if site not in DOC_SITES:
        return "unknown site"
    # ok: AIS304
    return httpx.get(DOC_SITES[site], timeout=15).text[:20_000]


if __name__ == "__main__":
    mcp.run()
