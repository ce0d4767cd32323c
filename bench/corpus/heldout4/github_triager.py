"""GitHub webhook receiver (Falcon) that triages new issues with Claude and the REST API."""

import hashlib
import hmac
import os
import subprocess

import anthropic
import falcon
import requests

GITHUB_API = "https://api.github.com"
TOKEN = os.environ["GITHUB_TOKEN"]
SECRET = os.environ["WEBHOOK_SECRET"].encode()
ALLOWED_LABELS = {"bug", "enhancement", "question", "docs", "security"}
TRIAGE_RULES = "You label GitHub issues. Reply with exactly one label from: bug, enhancement, question, docs, security."
MODEL = "claude-3-5-haiku-latest"


class Triager:
    def __init__(self, repo: str):
        self.repo = repo
        self.llm = anthropic.Anthropic()
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {TOKEN}"

    def _ask(self, system: str, user: str) -> str:
        # ok: AIS201
        # ok: AIS202
        msg = self.llm.messages.create(
            model=MODEL, max_tokens=300, system=system, messages=[{"role": "user", "content": user}]
        )
        return msg.content[0].text

    def label_for(self, issue: dict) -> str | None:
        answer = self._ask(TRIAGE_RULES, issue["title"] + "\n\n" + issue["body"]).strip().lower()
        if answer not in ALLOWED_LABELS:
            return None
        # ok: AIS304
        self.session.post(f"{GITHUB_API}/repos/{self.repo}/issues/{issue['number']}/labels", json={"labels": [answer]})
        return answer

    def summary_for(self, issue: dict) -> str:
        # ruleid: AIS202
        msg = self.llm.messages.create(
            model=MODEL,
            max_tokens=400,
            messages=[{"role": "user", "content": "Summarise this issue for the weekly digest in two lines:\n" + issue["body"]}],
        )
        return msg.content[0].text

    def reply_in_author_style(self, issue: dict) -> str:
        title = issue["title"]
        # ruleid: AIS201
        msg = self.llm.messages.create(
            model=MODEL,
            max_tokens=400,
            system=f"{TRIAGE_RULES} Mention the issue title: {title}",
            messages=[{"role": "user", "content": issue["body"]}],
        )
        return msg.content[0].text

    def linked_context(self, issue: dict) -> str:
        related = self.session.get(f"{GITHUB_API}/repos/{self.repo}/issues", params={"labels": "pinned"}).json()
        pinned = "\n".join(item["title"] + ": " + (item.get("body") or "") for item in related)
        # ruleid: AIS204
        msg = self.llm.messages.create(
            model=MODEL,
            max_tokens=400,
            system="Known pinned issues follow. Say which one this duplicates, or 'none'.\n" + pinned,
            messages=[{"role": "user", "content": issue["title"]}],
        )
        return msg.content[0].text

    def reproduce(self, issue: dict) -> str:
        script = self._ask("Write one shell command that reproduces the bug. Output only the command.", issue["body"])
        # ruleid: AIS301
        done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60)
        # ok: AIS301
        subprocess.run(["git", "fetch", "--depth", "1", "origin", "main"], check=False)
        return done.stdout

    def fetch_suggested_doc(self, issue: dict) -> str:
        url = self._ask("Reply with the single most relevant docs URL for this issue.", issue["body"]).strip()
        # ruleid: AIS304
        return self.session.get(url, timeout=10).text[:2000]


def verify(req: falcon.Request, raw: bytes) -> bool:
    signature = req.get_header("X-Hub-Signature-256") or ""
    expected = "sha256=" + hmac.new(SECRET, raw, hashlib.sha256).hexdigest()
    return hmac.compare_digest(signature, expected)


class IssueHook:
    def __init__(self):
        self.triager = Triager(os.environ.get("GITHUB_REPO", "acme/widgets"))

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        raw = req.bounded_stream.read()
        if not verify(req, raw):
            raise falcon.HTTPUnauthorized()
        event = req.get_media()
        if event.get("action") != "opened":
            resp.media = {"skipped": True}
            return
        issue = event["issue"]
        label = self.triager.label_for(issue)
        resp.media = {
            "label": label,
            "summary": self.triager.summary_for(issue),
            "reply": self.triager.reply_in_author_style(issue),
            "duplicate": self.triager.linked_context(issue),
            "repro": self.triager.reproduce(issue) if label == "bug" else None,
            "doc": self.triager.fetch_suggested_doc(issue)[:200],
        }


app = falcon.App()
app.add_route("/hooks/github", IssueHook())
