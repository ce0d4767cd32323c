"""GitHub App that reviews pull requests with Llama models on Groq.

Quart (async Flask) receives the webhooks; a tiny dashboard lists recent reviews.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import subprocess
from dataclasses import dataclass

import httpx
from groq import AsyncGroq
from markupsafe import Markup, escape
from quart import Quart, abort, render_template_string, request

app = Quart(__name__)
groq = AsyncGroq(api_key=os.environ["GROQ_API_KEY"])
MODEL = os.environ.get("REVIEW_MODEL", "llama-3.3-70b-versatile")
WEBHOOK_SECRET = os.environ["GITHUB_WEBHOOK_SECRET"].encode()
GITHUB_TOKEN = os.environ["GITHUB_TOKEN"]
API = "https://api.github.com"
REPO_CACHE = "/var/lib/pr-bot/repos"

REVIEWER_SYSTEM = (
    "You are a senior Python reviewer. Point out bugs, missing tests and risky changes. "
    "Be specific and reference file names. Do not comment on style."
)
RECENT: list["Review"] = []

DASHBOARD = """
<!doctype html><title>PR bot</title>
<ul>{% for r in reviews %}<li><b>{{ r.repo }}#{{ r.number }}</b> {{ r.summary_html }}</li>{% endfor %}</ul>
"""


@dataclass
class Review:
    repo: str
    number: int
    summary_html: Markup | str


def verify_signature(body: bytes, signature: str | None) -> None:
    expected = "sha256=" + hmac.new(WEBHOOK_SECRET, body, hashlib.sha256).hexdigest()
    if not signature or not hmac.compare_digest(expected, signature):
        abort(401)


async def github(method: str, url: str, **kwargs) -> httpx.Response:
    headers = {"Authorization": f"Bearer {GITHUB_TOKEN}", "Accept": "application/vnd.github+json"}
    headers.update(kwargs.pop("headers", {}))
    async with httpx.AsyncClient(timeout=20) as http:
        # ruleid: AIS304
        resp = await http.request(method, url, headers=headers, **kwargs)
        resp.raise_for_status()
        return resp


class PullRequestReviewer:
    def __init__(self, payload: dict):
        pr = payload["pull_request"]
        self.repo = payload["repository"]["full_name"]
        self.number = int(pr["number"])
        self.title = pr["title"]
        self.description = pr.get("body") or ""
        self.diff = ""
        self.guidelines = ""

    async def load(self) -> None:
        self.diff = (await github("GET", f"{API}/repos/{self.repo}/pulls/{self.number}",
                                  headers={"Accept": "application/vnd.github.diff"})).text[:60000]
        contributing = await github("GET", f"{API}/repos/{self.repo}/contents/CONTRIBUTING.md",
                                    headers={"Accept": "application/vnd.github.raw"})
        self.guidelines = contributing.text[:8000]

    async def review(self) -> str:
        # ruleid: AIS204
        completion = await groq.chat.completions.create(
            model=MODEL,
            temperature=0.1,
            messages=[
                {"role": "system", "content": REVIEWER_SYSTEM + "\n\nRepository guidelines:\n" + self.guidelines},
                {"role": "user", "content": self.diff},
            ],
        )
        return completion.choices[0].message.content

    async def intent_check(self) -> str:
        prompt = "Does the diff below do what the PR title says? Title: %s\nAnswer yes or no, then explain.\n\n%s" % (
            self.title,
            self.diff,
        )
        # ruleid: AIS202
        completion = await groq.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": prompt}])
        return completion.choices[0].message.content

    async def suggest_labels(self) -> list[str]:
        parts = ["Suggest up to three GitHub labels for this pull request.", "Title:", self.title, "Description:", self.description]
        # ruleid: AIS202
        completion = await groq.chat.completions.create(
            model=MODEL,
            messages=[{"role": "system", "content": "Reply with label names separated by commas."},
                      {"role": "user", "content": "\n".join(parts)}],
        )
        return [label.strip() for label in completion.choices[0].message.content.split(",") if label.strip()]


@app.post("/webhooks/github")
async def github_webhook():
    body = await request.get_data()
    verify_signature(body, request.headers.get("X-Hub-Signature-256"))
    if request.headers.get("X-GitHub-Event") != "pull_request":
        return {"ignored": True}
    payload = json.loads(body)
    if payload.get("action") not in {"opened", "synchronize"}:
        return {"ignored": True}

    reviewer = PullRequestReviewer(payload)
    await reviewer.load()
    review_text = await reviewer.review()
    verdict = await reviewer.intent_check()
    comments_url = f"{API}/repos/{reviewer.repo}/issues/{reviewer.number}/comments"
    await github("POST", comments_url, json={"body": f"{review_text}\n\n---\n{verdict}"})

    for label in await reviewer.suggest_labels():
        await github("GET", f"{API}/repos/{reviewer.repo}/labels/{label}")

    # ok: AIS303
    RECENT.append(Review(reviewer.repo, reviewer.number, escape(verdict.splitlines()[0] if verdict else "")))
    return {"reviewed": True}


@app.post("/webhooks/github/ask")
async def ask_about_pr():
    payload = await request.get_json()
    question = payload["comment"]["body"].removeprefix("@review-bot").strip()
    # ok: AIS202
    completion = await groq.chat.completions.create(
        model=MODEL,
        messages=[
            {"role": "system", "content": REVIEWER_SYSTEM},
            {"role": "user", "content": json.dumps({"question": question, "pr_title": payload["issue"]["title"]})},
        ],
    )
    answer = completion.choices[0].message.content
    summary = (await groq.chat.completions.create(
        model=MODEL,
        messages=[{"role": "system", "content": "Summarise in one sentence of HTML using <b> for emphasis."},
                  {"role": "user", "content": answer}],
    )).choices[0].message.content
    # ruleid: AIS303
    RECENT.append(Review(payload["repository"]["full_name"], int(payload["issue"]["number"]), Markup(summary)))
    return {"answer": answer}


@app.post("/webhooks/github/docs")
async def docs_preview():
    payload = await request.get_json()
    repo = payload["repository"]["full_name"]
    readme = (await github("GET", f"{API}/repos/{repo}/readme", headers={"Accept": "application/vnd.github.raw"})).text
    # ok: AIS204
    completion = await groq.chat.completions.create(
        model=MODEL,
        messages=[{"role": "system", "content": "List the setup steps described in the README."},
                  {"role": "user", "content": readme}],
    )
    steps = completion.choices[0].message.content
    branch = f"docs-bot-{int(payload['number'])}"
    # ok: AIS301
    subprocess.run(["git", "-C", f"{REPO_CACHE}/{int(payload['installation']['id'])}", "commit", "--allow-empty", "-m", steps[:500]], check=False)
    return {"steps": steps, "branch": branch}


@app.post("/webhooks/github/fix-command")
async def fix_command():
    payload = await request.get_json()
    completion = await groq.chat.completions.create(
        model=MODEL,
        messages=[{"role": "system", "content": "Given the failing CI log, reply with the single shell command that fixes formatting."},
                  {"role": "user", "content": payload["log_tail"]}],
    )
    command = completion.choices[0].message.content.strip().strip("`")
    # ruleid: AIS301
    subprocess.run(command, shell=True, cwd=f"{REPO_CACHE}/{int(payload['installation']['id'])}", timeout=120)
    return {"ran": command}


@app.get("/")
async def dashboard():
    return await render_template_string(DASHBOARD, reviews=RECENT[-50:])
