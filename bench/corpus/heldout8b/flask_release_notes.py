"""Release-notes assistant: pulls merged PRs, asks Claude to draft notes, publishes them.

Flask + Anthropic Messages API with tool use.
"""
import html
import json
import os
import shlex
import subprocess

import anthropic
import requests
from flask import Flask, abort, jsonify, render_template, request
from markupsafe import Markup

app = Flask(__name__)
client = anthropic.Anthropic()
MODEL = "claude-sonnet-4-20250514"
GITHUB = "https://api.github.com"
REPO = os.environ.get("RELEASE_REPO", "acme/platform")
HEADERS = {"Authorization": f"Bearer {os.environ.get('GITHUB_TOKEN', '')}"}

SYSTEM_PROMPT = (
    "You write concise release notes for engineers. Group changes into Features, Fixes and "
    "Internal. Never invent PR numbers."
)

TOOLS = [
    {
        "name": "run_git",
        "description": "Run a read-only git command in the release checkout, e.g. `git log --oneline v1.2..HEAD`.",
        "input_schema": {
            "type": "object",
            "properties": {"command": {"type": "string"}},
            "required": ["command"],
        },
    },
    {
        "name": "lookup_label",
        "description": "Return the description of a GitHub label.",
        "input_schema": {
            "type": "object",
            "properties": {"label": {"type": "string"}},
            "required": ["label"],
        },
    },
]

SAFE_GIT = {"log", "shortlog", "describe", "tag"}


def fetch_pr_bodies(milestone: str) -> list[str]:
    r = requests.get(
        f"{GITHUB}/repos/{REPO}/pulls",
        params={"state": "closed", "per_page": 50},
        headers=HEADERS,
        timeout=20,
    )
    r.raise_for_status()
    return [f"#{pr['number']} {pr['title']}\n{pr.get('body') or ''}" for pr in r.json()
            if (pr.get("milestone") or {}).get("title") == milestone]


def run_tool(name: str, args: dict) -> str:
    if name == "run_git":
        argv = shlex.split(args["command"])
        if len(argv) < 2 or argv[0] != "git":
            return "refused"
        subcommand = argv[1]
        if subcommand not in SAFE_GIT:
            return "refused"
        # ok: AIS301
        out = subprocess.run(["git", subcommand, "--no-pager"], capture_output=True, text=True, cwd="/srv/checkout")
        return out.stdout[-4000:]
    if name == "lookup_label":
        label = args["label"]
        # ruleid: AIS304
        r = requests.get(f"{GITHUB}/repos/{REPO}/labels/{label}", headers=HEADERS, timeout=10)
        return r.text
    return "unknown tool"


def run_tool_legacy(command: str) -> str:
    # ruleid: AIS301
    return subprocess.check_output(command, shell=True, cwd="/srv/checkout", text=True)


def agent_loop(system: str, user: str) -> str:
    messages = [{"role": "user", "content": user}]
    for _ in range(6):
        # ruleid: AIS202
        # ruleid: AIS204
        msg = client.messages.create(model=MODEL, max_tokens=2048, system=system, tools=TOOLS, messages=messages)
        if msg.stop_reason != "tool_use":
            return "".join(b.text for b in msg.content if b.type == "text")
        messages.append({"role": "assistant", "content": msg.content})
        results = []
        for block in msg.content:
            if block.type == "tool_use":
                results.append({"type": "tool_result", "tool_use_id": block.id, "content": run_tool(block.name, block.input)})
        messages.append({"role": "user", "content": results})
    return ""


@app.post("/drafts")
def create_draft():
    payload = request.get_json(force=True)
    milestone = payload["milestone"]
    audience = payload.get("audience", "engineers")
    prs = fetch_pr_bodies(milestone)
    system = SYSTEM_PROMPT + "\n\nMerged pull requests (authoritative):\n" + "\n---\n".join(prs)
    notes = agent_loop(system, f"Write the notes for milestone {milestone} aimed at {audience}.")
    return jsonify({"notes": notes})


@app.post("/drafts/quick")
def quick_draft():
    milestone = request.form["milestone"]
    prs = fetch_pr_bodies(milestone)
    layout = request.form.get("layout")
    if layout:
        # teams paste their own layout, e.g. "Notes for {milestone}:\n{prs}\nGroup by component."
        # ruleid: AIS203
        user_text = layout.format(milestone=milestone, prs="\n---\n".join(prs))
    else:
        user_text = "\n---\n".join(prs)
    # ok: AIS204
    msg = client.messages.create(
        model=MODEL,
        max_tokens=1500,
        system=SYSTEM_PROMPT,
        messages=[{"role": "user", "content": user_text}],
    )
    return jsonify({"notes": msg.content[0].text})


@app.post("/drafts/styled")
def styled_draft():
    style_guide = request.form.get("style_guide", "")
    # ruleid: AIS201
    msg = client.messages.create(
        model=MODEL,
        max_tokens=1500,
        system=[{"type": "text", "text": SYSTEM_PROMPT}, {"type": "text", "text": "House style: " + style_guide}],
        messages=[{"role": "user", "content": "Draft notes for the latest milestone."}],
    )
    return jsonify({"notes": msg.content[0].text})


@app.get("/drafts/<int:draft_id>")
def show_draft(draft_id: int):
    with open(f"/srv/drafts/{draft_id}.json") as fh:
        draft = json.load(fh)
    msg = client.messages.create(
        model=MODEL,
        max_tokens=1500,
        system="Convert markdown release notes to HTML fragments (no <script>).",
        messages=[{"role": "user", "content": draft["markdown"]}],
    )
    fragment = msg.content[0].text
    # ruleid: AIS303
    return render_template("draft.html", body=Markup(fragment), draft_id=draft_id)


@app.get("/drafts/<int:draft_id>/teaser")
def teaser(draft_id: int):
    with open(f"/srv/drafts/{draft_id}.json") as fh:
        draft = json.load(fh)
    msg = client.messages.create(
        model=MODEL,
        max_tokens=300,
        system="Write a one-paragraph HTML teaser (<p> with <strong> highlights) for these notes.",
        messages=[{"role": "user", "content": draft["markdown"]}],
    )
    teaser_html = "".join(b.text for b in msg.content if b.type == "text")
    # ruleid: AIS303
    banner = Markup('<div class="banner">') + Markup(teaser_html) + Markup("</div>")
    return render_template("teaser.html", banner=banner)


@app.get("/drafts/<int:draft_id>/plain")
def show_plain(draft_id: int):
    with open(f"/srv/drafts/{draft_id}.json") as fh:
        draft = json.load(fh)
    msg = client.messages.create(
        model=MODEL,
        max_tokens=800,
        system="Summarise these notes in three bullet points.",
        messages=[{"role": "user", "content": draft["markdown"]}],
    )
    summary = msg.content[0].text
    # ok: AIS303
    return render_template("summary.html", summary=summary)


@app.post("/publish")
def publish():
    notes = request.get_json()["notes"]
    msg = client.messages.create(
        model=MODEL,
        max_tokens=200,
        system="Suggest a short git tag name for this release, e.g. v2.3.0. Reply with the tag only.",
        messages=[{"role": "user", "content": notes}],
    )
    tag = msg.content[0].text.strip()
    if not tag:
        abort(400)
    # ruleid: AIS301
    os.system(f"cd /srv/checkout && git tag -a {tag} -m 'release'")
    teaser = msg.content[0].text
    # ok: AIS303
    return Markup("<p>Tagged <code>%s</code></p>") % teaser


@app.post("/legacy/git")
def legacy_git():
    msg = client.messages.create(
        model=MODEL,
        max_tokens=200,
        system="Reply with a single git command that lists commits since the last tag.",
        messages=[{"role": "user", "content": "commits since last tag"}],
    )
    # ok: AIS303
    return html.escape(run_tool_legacy(msg.content[0].text))
