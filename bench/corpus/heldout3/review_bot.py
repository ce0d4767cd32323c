"""GitHub pull-request review bot (Flask webhook + Anthropic Messages API).

GitHub sends `pull_request` and `issue_comment` events here. The bot asks Claude for a review,
posts it back as a PR comment and keeps an HTML preview for the dashboard.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shlex
import subprocess
from pathlib import Path

import anthropic
import markdown
import requests
from flask import Flask, abort, jsonify, render_template, request
from markupsafe import Markup

app = Flask(__name__)
claude = anthropic.Anthropic()
MODEL = os.environ.get("REVIEW_MODEL", "claude-sonnet-4-5")
GITHUB_API = "https://api.github.com"
GUIDE_URL = "https://raw.githubusercontent.com/acme/.github/main/CONTRIBUTING.md"
TOKEN = os.environ["GITHUB_TOKEN"]
WEBHOOK_SECRET = os.environ["WEBHOOK_SECRET"].encode()
CHECKOUT_ROOT = Path(os.environ.get("CHECKOUT_ROOT", "/srv/checkouts"))
ALLOWED_TEST_COMMANDS = {"pytest -q", "ruff check .", "mypy src"}
REVIEW_SYSTEM = (
    "You are a senior reviewer. Point out bugs, security problems and missing tests. "
    'Reply as JSON: {"summary": str, "comments": [{"path": str, "line": int, "body": str}], '
    '"test_command": str, "setup": str}.'
)
_previews: dict[int, str] = {}


def _verify_signature() -> None:
    sent = request.headers.get("X-Hub-Signature-256", "")
    expected = "sha256=" + hmac.new(WEBHOOK_SECRET, request.get_data(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(sent, expected):
        abort(401)


def _diff(repo_slug: str, number: int) -> str:
    headers = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/vnd.github.diff"}
    return requests.get(f"{GITHUB_API}/repos/{repo_slug}/pulls/{number}", headers=headers, timeout=30).text


def _comment(repo_slug: str, number: int, body: str) -> None:
    # ok: AIS304
    requests.post(
        f"{GITHUB_API}/repos/{repo_slug}/issues/{number}/comments",
        headers={"Authorization": f"Bearer {TOKEN}"},
        json={"body": body},
        timeout=30,
    )


def _review(diff: str) -> str:
    guide = requests.get(GUIDE_URL, timeout=10).text
    # ruleid: AIS204
    message = claude.messages.create(
        model=MODEL,
        max_tokens=2000,
        system=REVIEW_SYSTEM + "\n\nOrganisation conventions:\n" + guide,
        messages=[{"role": "user", "content": diff}],
    )
    return "".join(block.text for block in message.content if block.type == "text")


def _context_lines(repo_dir: Path, review_json: str) -> list[str]:
    snippets = []
    for item in json.loads(review_json).get("comments", []):
        # ruleid: AIS304
        with open(repo_dir / item["path"], encoding="utf-8") as handle:
            lines = handle.read().splitlines()
        line = int(item.get("line", 1))
        snippets.append("\n".join(lines[max(line - 3, 0) : line + 2]))
    return snippets


def _run_checks(repo_dir: Path, review: dict) -> list[str]:
    results = []
    cmd = review.get("test_command", "")
    if cmd in ALLOWED_TEST_COMMANDS:
        # ok: AIS301
        done = subprocess.run(shlex.split(cmd), cwd=repo_dir, capture_output=True, text=True, timeout=600)
        results.append(done.stdout[-2000:])
    setup = review.get("setup")
    if setup:
        # ruleid: AIS301
        subprocess.run(setup, shell=True, cwd=repo_dir, timeout=600, check=False)
    # ok: AIS301
    status = subprocess.run(["git", "status", "--short"], cwd=repo_dir, capture_output=True, text=True)
    results.append(status.stdout)
    return results


@app.post("/webhook")
def webhook():
    _verify_signature()
    event = request.headers.get("X-GitHub-Event", "")
    payload = request.get_json(force=True)
    if event == "pull_request":
        return on_pull_request(payload)
    if event == "issue_comment":
        return on_comment(payload)
    return jsonify(ignored=event), 202


def on_pull_request(payload: dict):
    if payload.get("action") not in ("opened", "synchronize"):
        return jsonify(skipped=True)
    pr = payload["pull_request"]
    repo_slug = payload["repository"]["full_name"]
    number = int(pr["number"])
    text = _review(_diff(repo_slug, number))
    review = json.loads(text)
    repo_dir = CHECKOUT_ROOT / str(number)
    context = _context_lines(repo_dir, text)
    checks = _run_checks(repo_dir, review)
    _previews[number] = review["summary"]
    _comment(repo_slug, number, review["summary"] + "\n\n" + "\n".join(checks + context))
    return jsonify(ok=True)


def on_comment(payload: dict):
    body = payload["comment"]["body"].strip()
    repo_slug = payload["repository"]["full_name"]
    number = int(payload["issue"]["number"])
    if body.startswith("/review as "):
        persona = body.removeprefix("/review as ")
        # ruleid: AIS201
        message = claude.messages.create(
            model=MODEL,
            max_tokens=2000,
            system=f"{REVIEW_SYSTEM} Review from the point of view of a {persona}.",
            messages=[{"role": "user", "content": _diff(repo_slug, number)}],
        )
        _comment(repo_slug, number, message.content[0].text)
    elif body.startswith("/ask "):
        question = body.removeprefix("/ask ")
        # ruleid: AIS202
        message = claude.messages.create(
            model=MODEL,
            max_tokens=800,
            system=REVIEW_SYSTEM,
            messages=[{"role": "user", "content": f"Answer the maintainer's question about this PR briefly. Question: {question}"}],
        )
        _comment(repo_slug, number, message.content[0].text)
    return jsonify(ok=True)


@app.get("/preview/<int:number>")
def preview(number: int):
    text = _previews.get(number)
    if text is None:
        abort(404)
    # ok: AIS303
    return render_template("preview.html", summary=text)


@app.get("/preview/<int:number>/rendered")
def preview_rendered(number: int):
    diff = _diff("acme/platform", number)
    review = json.loads(_review(diff))
    # ruleid: AIS303
    return render_template("preview.html", summary=Markup(markdown.markdown(review["summary"])))
