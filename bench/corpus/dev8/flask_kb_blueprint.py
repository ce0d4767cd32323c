"""Knowledge-base assistant blueprint (registered by the app factory)."""

import html
import os
import re
import subprocess
from pathlib import Path

import anthropic
from flask import Blueprint, abort, g, jsonify, render_template_string, request, session
from flask.views import MethodView
from markupsafe import Markup, escape

bp = Blueprint("kb", __name__, url_prefix="/kb")
client = anthropic.Anthropic()
MODEL = "claude-sonnet-4-5"
ARTICLES = Path(os.environ.get("KB_ARTICLES", "/srv/kb/articles"))
PROMPTS = Path(__file__).parent / "prompts"
SLUG = re.compile(r"[a-z0-9-]{1,64}")
STYLE_GUIDE = (PROMPTS / "style.md").read_text()


def system_blocks(extra: str) -> list:
    return [
        {"type": "text", "text": STYLE_GUIDE, "cache_control": {"type": "ephemeral"}},
        {"type": "text", "text": extra},
    ]


@bp.before_request
def load_user():
    g.locale = request.headers.get("Accept-Language", "en")[:5]
    g.persona = session.get("persona", "a helpful support agent")


@bp.post("/ask")
def ask():
    data = request.get_json(silent=True) or {}
    question = data.get("question", "")
    # ruleid: AIS201
    msg = client.messages.create(
        model=MODEL,
        max_tokens=800,
        system=system_blocks(f"You are {g.persona}. Answer in the user's language."),
        messages=[{"role": "user", "content": question}],
    )
    return jsonify(answer=msg.content[0].text)


@bp.post("/ask-plain")
def ask_plain():
    data = request.get_json(silent=True) or {}
    # ok: AIS201
    msg = client.messages.create(
        model=MODEL,
        max_tokens=800,
        system=system_blocks("Answer briefly."),
        messages=[{"role": "user", "content": data.get("question", "")}],
    )
    return jsonify(answer=msg.content[0].text)


@bp.get("/article/<slug>/explain")
def explain_article(slug: str):
    if not SLUG.fullmatch(slug):
        abort(404)
    article = (ARTICLES / f"{slug}.md").read_text()
    # ruleid: AIS204
    msg = client.messages.create(
        model=MODEL,
        max_tokens=600,
        system=[{"type": "text", "text": "Explain this article simply. Article:\n" + article}],
        messages=[{"role": "user", "content": "Explain it."}],
    )
    # ok: AIS303
    return render_template_string("<article>{{ body }}</article>", body=msg.content[0].text)


class DraftView(MethodView):
    def post(self):
        payload = request.get_json(silent=True) or {}
        topic = payload.get("topic", "")
        # ruleid: AIS202
        msg = client.messages.create(
            model=MODEL,
            max_tokens=1200,
            messages=[{"role": "user", "content": f"Write a knowledge-base article with a title and three sections about: {topic}"}],
        )
        body = msg.content[0].text
        # ruleid: AIS301
        return render_template_string("<h1>Draft</h1>" + body)

    def put(self):
        payload = request.get_json(silent=True) or {}
        msg = client.messages.create(
            model=MODEL,
            max_tokens=400,
            system="Rewrite the user's text in plain English.",
            messages=[{"role": "user", "content": payload.get("text", "")}],
        )
        # ok: AIS303
        return Markup("<div class='draft'>{}</div>").format(msg.content[0].text)


bp.add_url_rule("/draft", view_func=DraftView.as_view("draft"))


@bp.get("/tag-cloud")
def tag_cloud():
    msg = client.messages.create(
        model=MODEL,
        max_tokens=300,
        system="List ten tags for a support knowledge base as HTML <span> elements.",
        messages=[{"role": "user", "content": "go"}],
    )
    # ruleid: AIS303
    cloud = Markup(msg.content[0].text)
    # ok: AIS303
    safe = Markup("<p>{}</p>").format(escape(msg.content[0].text))
    return render_template_string("<div>{{ cloud }}</div><div>{{ safe }}</div>", cloud=cloud, safe=safe)


@bp.post("/lint")
def lint_snippet():
    snippet = (request.get_json(silent=True) or {}).get("snippet", "")
    msg = client.messages.create(
        model=MODEL,
        max_tokens=200,
        system="Reply with one shell command that lints the snippet's language.",
        messages=[{"role": "user", "content": snippet}],
    )
    command = msg.content[0].text.strip()
    # ruleid: AIS301
    out = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=30)
    # ok: AIS301
    version = subprocess.run(["ruff", "--version"], capture_output=True, text=True)
    return jsonify(out=html.escape(out.stdout), ruff=version.stdout)


@bp.post("/persona")
def set_persona():
    session["persona"] = (request.get_json(silent=True) or {}).get("persona", "")[:80]
    return jsonify(ok=True)
