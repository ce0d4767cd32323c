"""Celery worker that keeps knowledge-base articles fresh: re-reads each article's source page,
asks Claude (with tools) to update the article, lints and stores the result."""
import json
import os
import subprocess
from pathlib import Path

import anthropic
import httpx
import psycopg
from celery import Celery
from celery.utils.log import get_task_logger

celery_app = Celery("kb", broker=os.environ["CELERY_BROKER_URL"])
celery_app.conf.task_acks_late = True
logger = get_task_logger(__name__)

client = anthropic.Anthropic()
MODEL = "claude-sonnet-4-5"
DSN = os.environ["KB_DSN"]
DRAFTS = Path(os.environ.get("KB_DRAFTS", "/srv/kb/drafts"))
LINT_PROFILES = {"default", "strict", "api-reference"}

EDITOR_RULES = (
    "You maintain Acme's knowledge base. Keep the article's structure, update facts that changed "
    "in the source, and never invent product names. Use the tools to check your work."
)

TOOLS = [
    {
        "name": "run_check",
        "description": "Run a shell command in the article workspace (link checks, spell checks).",
        "input_schema": {
            "type": "object",
            "properties": {"command": {"type": "string"}},
            "required": ["command"],
        },
    },
    {
        "name": "save_asset",
        "description": "Save a text asset (snippet, table) next to the article.",
        "input_schema": {
            "type": "object",
            "properties": {"path": {"type": "string"}, "content": {"type": "string"}},
            "required": ["path", "content"],
        },
    },
    {
        "name": "lookup",
        "description": "Run a read-only SQL query against the KB database.",
        "input_schema": {
            "type": "object",
            "properties": {"sql": {"type": "string"}},
            "required": ["sql"],
        },
    },
]


def load_article(article_id: int) -> dict:
    with psycopg.connect(DSN) as conn, conn.cursor() as cur:
        cur.execute("SELECT id, title, body, source_url FROM articles WHERE id = %s", (article_id,))
        row = cur.fetchone()
    if row is None:
        raise LookupError(article_id)
    return {"id": row[0], "title": row[1], "body": row[2], "source_url": row[3]}


def fetch_source(url: str) -> str:
    resp = httpx.get(url, timeout=20, follow_redirects=True)
    resp.raise_for_status()
    return resp.text[:60_000]


def handle_tool(block, workdir: Path) -> str:
    if block.name == "run_check":
        # ruleid: AIS301
        proc = subprocess.run(block.input["command"], shell=True, cwd=workdir, capture_output=True, text=True, timeout=60)
        return proc.stdout[-4000:] + proc.stderr[-2000:]
    if block.name == "save_asset":
        target = workdir / block.input["path"]
        # ruleid: AIS304
        with open(target, "w", encoding="utf-8") as fh:
            fh.write(block.input["content"])
        return f"saved {target.name}"
    if block.name == "lookup":
        with psycopg.connect(DSN) as conn, conn.cursor() as cur:
            # ruleid: AIS302
            cur.execute(block.input["sql"])
            return json.dumps(cur.fetchmany(50), default=str)
    return f"unknown tool {block.name}"


@celery_app.task(bind=True, max_retries=3, default_retry_delay=120)
def refresh_article(self, article_id):
    article = load_article(int(article_id))
    try:
        page = fetch_source(article["source_url"])
    except httpx.HTTPError as exc:
        raise self.retry(exc=exc)

    workdir = DRAFTS / str(article["id"])
    workdir.mkdir(parents=True, exist_ok=True)
    messages = [{"role": "user", "content": "Current source page:\n\n" + page}]
    for _ in range(8):
        # ruleid: AIS204
        resp = client.messages.create(
            model=MODEL,
            max_tokens=4096,
            system=EDITOR_RULES + "\n\nArticle to update:\n" + article["body"],
            tools=TOOLS,
            messages=messages,
        )
        if resp.stop_reason != "tool_use":
            break
        messages.append({"role": "assistant", "content": resp.content})
        results = []
        for block in resp.content:
            if block.type == "tool_use":
                results.append({"type": "tool_result", "tool_use_id": block.id, "content": handle_tool(block, workdir)})
        messages.append({"role": "user", "content": results})

    new_body = "".join(b.text for b in resp.content if b.type == "text")
    store_draft.delay(article["id"], new_body)
    return article["id"]


@celery_app.task
def summarize_source(article_id):
    article = load_article(int(article_id))
    page = fetch_source(article["source_url"])
    # ruleid: AIS204
    resp = client.messages.create(
        model=MODEL,
        max_tokens=800,
        system=[
            {"type": "text", "text": "Summarise what changed on the vendor page for KB editors."},
            {"type": "text", "text": page, "cache_control": {"type": "ephemeral"}},
        ],
        messages=[{"role": "user", "content": "What changed since the article was written?"}],
    )
    return resp.content[0].text


@celery_app.task
def classify_source(article_id):
    article = load_article(int(article_id))
    page = fetch_source(article["source_url"])
    # ok: AIS204
    resp = client.messages.create(
        model=MODEL,
        max_tokens=50,
        system="Classify the vendor page as one of: release-notes, pricing, docs, marketing. Reply with the label.",
        messages=[{"role": "user", "content": page}],
    )
    return resp.content[0].text.strip()


@celery_app.task
def translate_article(article_id, language_code):
    article = load_article(int(article_id))
    if language_code not in {"de", "fr", "es", "ja"}:
        raise ValueError(language_code)
    # ok: AIS204
    resp = client.messages.create(
        model=MODEL,
        max_tokens=4096,
        system=f"Translate the KB article into language '{language_code}'. Keep Markdown intact.",
        messages=[{"role": "user", "content": article["body"]}],
    )
    return resp.content[0].text


@celery_app.task
def store_draft(article_id, new_body):
    article_id = int(article_id)
    draft_path = DRAFTS / f"{article_id}.md"
    # ok: AIS304
    draft_path.write_text(new_body, encoding="utf-8")
    with psycopg.connect(DSN) as conn, conn.cursor() as cur:
        # ok: AIS302
        cur.execute(
            "UPDATE articles SET draft = %s, draft_updated_at = now() WHERE id = %s",
            (new_body, article_id),
        )
    lint_draft.delay(article_id)


@celery_app.task
def lint_draft(article_id):
    article_id = int(article_id)
    draft = (DRAFTS / f"{article_id}.md").read_text(encoding="utf-8")
    resp = client.messages.create(
        model=MODEL,
        max_tokens=20,
        system="Pick the markdownlint profile for this article: default, strict or api-reference. Reply with the name only.",
        messages=[{"role": "user", "content": draft[:8000]}],
    )
    profile = resp.content[0].text.strip()
    if profile not in LINT_PROFILES:
        profile = "default"
    # ok: AIS301
    proc = subprocess.run(
        ["markdownlint", "--config", f"/etc/kb/lint/{profile}.json", str(DRAFTS / f"{article_id}.md")],
        capture_output=True,
        text=True,
    )
    logger.info("lint %s: rc=%s", article_id, proc.returncode)
    return proc.returncode
