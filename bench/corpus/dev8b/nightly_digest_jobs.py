"""Nightly jobs for the community forum: RQ and Dramatiq workers that digest new posts with local and hosted models."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import dramatiq
import dspy
import ollama
import pandas as pd
import psycopg
from huggingface_hub import InferenceClient
from jinja2 import Environment, FileSystemLoader
from redis import Redis
from rq import Queue
from sqlalchemy import create_engine

pg = psycopg.connect(os.environ["FORUM_DB"])
engine = create_engine(os.environ["ANALYTICS_DB"])
hf = InferenceClient(model="meta-llama/Llama-3.1-8B-Instruct")
jinja = Environment(loader=FileSystemLoader("templates"), autoescape=True)
queue = Queue(connection=Redis())
dspy.configure(lm=dspy.LM("openai/gpt-4o-mini"))
DIGEST_DIR = Path("/srv/forum/digests")


class WriteQuery(dspy.Signature):
    """Write one PostgreSQL query that answers the analyst's question over the posts table."""

    question: str = dspy.InputField()
    sql: str = dspy.OutputField()


@dataclass
class Digest:
    board: str
    moderator_notes: str
    posts: list[str] = field(default_factory=list)

    def system_prompt(self) -> str:
        return f"You write the nightly digest for the {self.board} board. Moderator notes: {self.moderator_notes}"


def _chat(system: str, user: str, **options) -> str:
    # ruleid: AIS204
    resp = ollama.chat(
        model="llama3.1",
        messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
        options=options,
    )
    return resp["message"]["content"]


def load_digest(board_id: int) -> Digest:
    with pg.cursor() as cur:
        cur.execute("SELECT name, moderator_notes FROM boards WHERE id = %s", (board_id,))
        name, notes = cur.fetchone()
        cur.execute("SELECT body FROM posts WHERE board_id = %s AND created_at > now() - interval '1 day'", (board_id,))
        posts = [r[0] for r in cur.fetchall()]
    return Digest(board=name, moderator_notes=notes, posts=posts)


@dramatiq.actor(max_retries=3)
def build_digest(board_id: int, **options) -> None:
    digest = load_digest(board_id)
    text = _chat(digest.system_prompt(), "\n\n".join(digest.posts), **options)
    (DIGEST_DIR / f"{int(board_id)}.md").write_text(text)


@dramatiq.actor
def tag_posts(board_id: int) -> None:
    digest = load_digest(board_id)
    for post in digest.posts:
        # ok: AIS204
        resp = hf.chat_completion(
            messages=[{"role": "system", "content": "Reply with up to three topic tags."}, {"role": "user", "content": post}],
            max_tokens=30,
        )
        tags = resp.choices[0].message.content
        with pg.cursor() as cur:
            # ok: AIS302
            cur.execute("INSERT INTO post_tags(board_id, tags) VALUES (%s, %s)", (board_id, tags))


def answer_analyst(question: str) -> pd.DataFrame:
    predict = dspy.Predict(WriteQuery)
    pred = predict(question=question)
    # ruleid: AIS302
    return pd.read_sql(pred.sql, engine)


def weekly_table(metric: str) -> pd.DataFrame:
    pred = dspy.ChainOfThought("question -> metric_column")(question=f"Which column measures {metric}?")
    column = pred.metric_column if pred.metric_column in {"views", "replies", "likes"} else "views"
    # ok: AIS302
    return pd.read_sql(f"SELECT board_id, sum({column}) FROM posts GROUP BY board_id", engine)


def render_report(board_id: int) -> str:
    with pg.cursor() as cur:
        cur.execute("SELECT report_template FROM boards WHERE id = %s", (board_id,))
        template_name = cur.fetchone()[0]
    template_text = Path("templates", template_name).read_text()
    intro = hf.text_generation("Write a two-line intro for tonight's forum report.", max_new_tokens=60)
    # ok: AIS301
    page = jinja.get_template("report.html").render(intro=intro)
    # ruleid: AIS301
    page += Environment().from_string(intro).render()
    # ruleid: AIS204
    resp = hf.chat_completion(
        messages=[{"role": "system", "content": template_text}, {"role": "user", "content": "Summarise tonight's activity."}],
        max_tokens=200,
    )
    return page + resp.choices[0].message.content


def schedule_all() -> None:
    with pg.cursor() as cur:
        cur.execute("SELECT id FROM boards WHERE active")
        for (board_id,) in cur.fetchall():
            queue.enqueue(render_report, board_id)
            build_digest.send(board_id, temperature=0.2)
