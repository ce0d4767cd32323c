"""Internal knowledge-base portal: support agents draft and publish help-center articles.

Flask + Anthropic Messages API, SQLite storage, articles exported as Markdown for the static site.
"""
from __future__ import annotations

import os
import re
import sqlite3
from dataclasses import dataclass, field

import anthropic
from flask import Flask, abort, g, jsonify, render_template_string, request
from markupsafe import Markup

app = Flask(__name__)
app.config["DATABASE"] = os.environ.get("KB_DB", "/var/lib/kb/kb.sqlite3")
EXPORT_DIR = os.environ.get("KB_EXPORT_DIR", "/srv/helpcenter/content")

claude = anthropic.Anthropic()
MODEL = "claude-sonnet-4-20250514"

STYLE_GUIDE = (
    "You write help-center articles for Acme Cloud. Use second person, short paragraphs, "
    "numbered steps for procedures and never promise release dates."
)
AUDIENCES = {"admins": "workspace administrators", "developers": "API developers", "end-users": "end users"}
SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+){0,8}")

ARTICLE_PAGE = """
<!doctype html>
<title>{{ title }}</title>
<h1>{{ title }}</h1>
<div class="draft">{{ body }}</div>
"""


def get_db() -> sqlite3.Connection:
    if "db" not in g:
        g.db = sqlite3.connect(app.config["DATABASE"])
        g.db.row_factory = sqlite3.Row
    return g.db


@dataclass
class DraftSession:
    """Holds the drafting context for one article while an agent works on it."""

    topic: str
    audience: str = "end users"
    extra_rules: list[str] = field(default_factory=list)

    def system_prompt(self) -> str:
        rules = "\n".join(f"- {rule}" for rule in self.extra_rules)
        return f"{STYLE_GUIDE}\nAudience: {self.audience}.\nAdditional rules:\n{rules}"

    def draft(self, outline: str) -> str:
        # ruleid: AIS201
        message = claude.messages.create(
            model=MODEL,
            max_tokens=2048,
            system=self.system_prompt(),
            messages=[{"role": "user", "content": outline}],
        )
        return message.content[0].text


@app.post("/drafts")
def create_draft():
    data = request.get_json(force=True)
    session = DraftSession(topic=data["topic"], extra_rules=[r for r in data.get("rules", []) if r])
    body = session.draft(data.get("outline", data["topic"]))
    return jsonify({"topic": session.topic, "body": body})


@app.post("/drafts/for-audience")
def draft_for_audience():
    audience_key = request.form.get("audience", "end-users")
    if audience_key not in AUDIENCES:
        abort(400)
    system = f"{STYLE_GUIDE}\nAudience: {AUDIENCES[audience_key]}."
    # ok: AIS201
    message = claude.messages.create(
        model=MODEL,
        max_tokens=2048,
        system=system,
        messages=[{"role": "user", "content": request.form["outline"]}],
    )
    return jsonify({"body": message.content[0].text})


@app.post("/drafts/from-tickets/<int:product_id>")
def draft_from_tickets(product_id: int):
    rows = get_db().execute(
        "SELECT subject, body FROM tickets WHERE product_id = ? AND status = 'solved' ORDER BY updated_at DESC LIMIT 20",
        (product_id,),
    ).fetchall()
    examples = "\n\n".join(f"Subject: {r['subject']}\n{r['body']}" for r in rows)
    # ruleid: AIS204
    message = claude.messages.create(
        model=MODEL,
        max_tokens=2048,
        system=[{"type": "text", "text": STYLE_GUIDE}, {"type": "text", "text": "Recent solved tickets:\n" + examples}],
        messages=[{"role": "user", "content": "Write an FAQ article covering the common questions."}],
    )
    return jsonify({"body": message.content[0].text})


@app.post("/drafts/<int:article_id>/revise")
def revise(article_id: int):
    article = get_db().execute("SELECT title, body FROM articles WHERE id = ?", (article_id,)).fetchone()
    comments = get_db().execute("SELECT body FROM review_comments WHERE article_id = ?", (article_id,)).fetchall()
    feedback = "\n".join(c["body"] for c in comments)
    # ok: AIS204
    message = claude.messages.create(
        model=MODEL,
        max_tokens=2048,
        system=STYLE_GUIDE,
        messages=[
            {"role": "user", "content": article["body"]},
            {"role": "user", "content": feedback},
        ],
    )
    revised = message.content[0].text
    # ok: AIS302
    get_db().execute("UPDATE articles SET body = ? WHERE id = ?", (revised, article_id))
    get_db().commit()
    # ok: AIS303
    return render_template_string(ARTICLE_PAGE, title=article["title"], body=revised)


@app.post("/drafts/preview")
def preview():
    outline = request.form["outline"]
    message = claude.messages.create(
        model=MODEL,
        max_tokens=1500,
        system=STYLE_GUIDE + "\nReturn the article as HTML using only <p>, <ol>, <li> and <code>.",
        messages=[{"role": "user", "content": outline}],
    )
    body_html = message.content[0].text
    # ruleid: AIS303
    return render_template_string(ARTICLE_PAGE, title="Preview", body=Markup(body_html))


def suggest_slug(title: str) -> str:
    message = claude.messages.create(
        model=MODEL,
        max_tokens=30,
        system="Return a URL slug for the article title. Lowercase words separated by hyphens, nothing else.",
        messages=[{"role": "user", "content": title}],
    )
    return message.content[0].text.strip()


@app.post("/articles/<int:article_id>/export")
def export_article(article_id: int):
    article = get_db().execute("SELECT title, body FROM articles WHERE id = ?", (article_id,)).fetchone()
    slug = suggest_slug(article["title"])
    # ruleid: AIS304
    with open(os.path.join(EXPORT_DIR, f"{slug}.md"), "w", encoding="utf-8") as fh:
        fh.write(f"# {article['title']}\n\n{article['body']}\n")
    return jsonify({"slug": slug})


@app.post("/articles/<int:article_id>/export-checked")
def export_article_checked(article_id: int):
    article = get_db().execute("SELECT title, body FROM articles WHERE id = ?", (article_id,)).fetchone()
    slug = suggest_slug(article["title"])
    if not SLUG_RE.fullmatch(slug):
        abort(422, "model returned an invalid slug")
    # ok: AIS304
    with open(os.path.join(EXPORT_DIR, f"{slug}.md"), "w", encoding="utf-8") as fh:
        fh.write(f"# {article['title']}\n\n{article['body']}\n")
    return jsonify({"slug": slug})
