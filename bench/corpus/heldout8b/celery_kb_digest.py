"""Nightly knowledge-base digest worker.

Celery tasks that read recent KB articles and customer comments from Postgres (SQLAlchemy),
ask an LLM (LangChain ChatOpenAI) for a digest, tag articles and archive the result.
"""
from __future__ import annotations

import json
import os
import pickle
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml
from celery import Celery
from celery.schedules import crontab
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.prompts import ChatPromptTemplate
from langchain_openai import ChatOpenAI
import smtplib
import subprocess
from email.message import EmailMessage

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from sqlalchemy import create_engine, text

celery_app = Celery("kb_digest", broker=os.environ.get("BROKER_URL", "redis://localhost:6379/0"))
engine = create_engine(os.environ["KB_DATABASE_URL"], pool_pre_ping=True)
llm = ChatOpenAI(model="gpt-4o-mini", temperature=0)
ARCHIVE = Path(os.environ.get("DIGEST_ARCHIVE", "/var/lib/kb-digest"))
DIGEST_STYLE = os.environ.get("DIGEST_STYLE", "Keep it under 300 words.")

TAGS = {"how-to", "troubleshooting", "release", "policy", "faq"}
SLUG_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")


@dataclass
class DigestJob:
    team: str
    articles: list[dict] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    editor_notes: str = ""

    def load(self) -> "DigestJob":
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT id, title, body FROM kb_articles WHERE team = :team AND updated_at > now() - interval '1 day'"),
                {"team": self.team},
            ).mappings().all()
            self.articles = [dict(r) for r in rows]
            self.comments = [r[0] for r in conn.execute(text("SELECT body FROM kb_comments ORDER BY id DESC LIMIT 50"))]
            note = conn.execute(text("SELECT notes FROM digest_settings WHERE team = :team"), {"team": self.team}).scalar()
            self.editor_notes = note or ""
        return self

    def system_prompt(self) -> str:
        base = "You are the KB editor. Summarise what changed for support agents. " + DIGEST_STYLE
        if self.editor_notes:
            base += "\nEditor notes: " + self.editor_notes
        return base


def _article_block(articles: list[dict]) -> str:
    return "\n\n".join(f"## {a['title']}\n{a['body'][:2000]}" for a in articles)


@celery_app.task(bind=True, max_retries=3)
def build_digest(self, team: str) -> str:
    job = DigestJob(team).load()
    # ruleid: AIS204
    messages = [SystemMessage(content=job.system_prompt()), HumanMessage(content=_article_block(job.articles))]
    digest = llm.invoke(messages).content
    out = ARCHIVE / f"{team}.md"
    # ok: AIS304
    out.write_text(digest)
    return str(out)


@celery_app.task
def summarise_comments(team: str) -> str:
    job = DigestJob(team).load()
    # ok: AIS203
    prompt = ChatPromptTemplate.from_messages(
        [("system", "Group these customer comments by theme. " + DIGEST_STYLE), ("human", "{comments}")]
    )
    chain = prompt | llm
    # ok: AIS204
    result = chain.invoke({"comments": "\n".join(job.comments)})
    return result.content


@celery_app.task
def comment_driven_rules(team: str) -> str:
    job = DigestJob(team).load()
    top = job.comments[:5]
    # ruleid: AIS204
    messages = [SystemMessage("Follow the customers' top requests: " + "; ".join(top)), HumanMessage("Which articles need rewriting?")]
    return llm.invoke(messages).content


@celery_app.task
def tag_articles(team: str) -> int:
    job = DigestJob(team).load()
    updated = 0
    with engine.begin() as conn:
        for art in job.articles:
            reply = llm.invoke(
                [
                    SystemMessage(content="Pick one tag from: " + ", ".join(sorted(TAGS)) + ". Reply with the tag only."),
                    HumanMessage(content=art["body"][:4000]),
                ]
            )
            tag = reply.content.strip().lower()
            if tag not in TAGS:
                continue
            # ok: AIS302
            conn.execute(text(f"UPDATE kb_articles SET tag = '{tag}' WHERE id = :id"), {"id": art["id"]})
            updated += 1
    return updated


@celery_app.task
def stale_report(team: str) -> list:
    ask = llm.invoke(
        [
            SystemMessage(content="Write a PostgreSQL WHERE clause over kb_articles(updated_at, tag, views) selecting stale articles."),
            HumanMessage(content=f"Team {team}: stale means not updated in a long time and rarely viewed."),
        ]
    )
    where = ask.content.strip().rstrip(";")
    with engine.connect() as conn:
        # ruleid: AIS302
        rows = conn.execute(text("SELECT id, title FROM kb_articles WHERE " + where)).fetchall()
    return [tuple(r) for r in rows]


@celery_app.task
def weekly_metrics(team: str) -> str:
    reply = llm.invoke(
        [
            SystemMessage(content="Write one PostgreSQL query over kb_views(article_id, viewed_at, helpful) giving weekly helpfulness."),
            HumanMessage(content=f"Team: {team}"),
        ]
    )
    query = reply.content.strip().removeprefix("```sql").removesuffix("```")
    # ruleid: AIS302
    df = pd.read_sql_query(query, engine)
    out = ARCHIVE / f"{team}-metrics.csv"
    df.to_csv(out, index=False)
    return str(out)


@celery_app.task
def archive_digest(team: str) -> str:
    reply = llm.invoke(
        [SystemMessage(content="Suggest a short kebab-case file name for today's digest."), HumanMessage(content=team)]
    )
    name = reply.content.strip()
    if SLUG_RE.fullmatch(name):
        # ok: AIS304
        target = ARCHIVE / f"{name}.md"
    else:
        target = ARCHIVE / "digest.md"
    target.write_text(f"# {team}\n")
    raw_name = reply.content.strip()
    # ruleid: AIS304
    with open(os.path.join(ARCHIVE, raw_name), "a") as fh:
        fh.write("\n")
    return str(target)


@celery_app.task
def restore_settings(team: str) -> dict:
    reply = llm.invoke(
        [
            SystemMessage(content="Return the digest settings for this team as YAML (keys: style, length, audience)."),
            HumanMessage(content=team),
        ]
    )
    # ok: AIS304
    settings = yaml.safe_load(reply.content)
    structured = llm.invoke([SystemMessage(content="Same settings, but as JSON."), HumanMessage(content=team)])
    # ok: AIS304
    as_json = json.loads(structured.content)
    return {**settings, **as_json}


@celery_app.task
def warm_cache(team: str) -> None:
    reply = llm.invoke([SystemMessage(content="Return the cached digest blob."), HumanMessage(content=team)])
    # ruleid: AIS304
    state = pickle.loads(bytes.fromhex(reply.content.strip()))
    (ARCHIVE / f"{team}.state").write_text(repr(state))


mail_env = Environment(loader=FileSystemLoader("templates"), autoescape=select_autoescape(["html"]))


@celery_app.task
def email_digest(team: str) -> None:
    job = DigestJob(team).load()
    reply = llm.invoke(
        [
            SystemMessage(content="Write the digest as an HTML fragment with <h3> per article."),
            HumanMessage(content=_article_block(job.articles)),
        ]
    )
    # ruleid: AIS303
    body = mail_env.get_template("digest_email.html").render(team=team, digest=Markup(reply.content))
    msg = EmailMessage()
    msg["Subject"] = f"KB digest: {team}"
    msg["From"] = "kb-bot@example.com"
    msg["To"] = f"{team}@example.com"
    msg.add_alternative(body, subtype="html")
    with smtplib.SMTP(os.environ.get("SMTP_HOST", "localhost")) as smtp:
        smtp.send_message(msg)


@celery_app.task
def publish_archive(team: str) -> None:
    reply = llm.invoke([SystemMessage(content="Write a one-line commit message for today's digest."), HumanMessage(content=team)])
    (ARCHIVE / "LAST_MESSAGE").write_text(reply.content)
    # ok: AIS301
    subprocess.run(["git", "-C", str(ARCHIVE), "commit", "-a", "-F", "LAST_MESSAGE"], check=True)


celery_app.conf.beat_schedule = {
    "nightly-digest": {"task": "celery_kb_digest.build_digest", "schedule": crontab(hour=2, minute=0), "args": ("support",)},
}
