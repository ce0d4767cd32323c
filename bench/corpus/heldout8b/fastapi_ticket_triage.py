"""Ticket triage API: classifies inbound support tickets and drafts replies.

FastAPI + AsyncOpenAI (chat completions), dependency-injected client and DB.
"""
from __future__ import annotations

import json
import os
import re
import sqlite3
from functools import lru_cache
from typing import Literal

from fastapi import Depends, FastAPI, Header, HTTPException
from fastapi.responses import HTMLResponse, JSONResponse
from openai import AsyncOpenAI
from pydantic import BaseModel

app = FastAPI(title="triage")

MODEL = os.environ.get("TRIAGE_MODEL", "gpt-4o-mini")
BASE_SYSTEM = (
    "You are a support triage assistant. Classify the ticket into one of: billing, bug, "
    "account, other. Answer with JSON {\"queue\": ..., \"priority\": 1-4}."
)
TONES = {"formal": "Use a formal tone.", "friendly": "Use a warm, friendly tone."}
QUEUES = {"billing", "bug", "account", "other"}


class Ticket(BaseModel):
    subject: str
    body: str
    customer_name: str
    product: str = "core"


class DraftRequest(BaseModel):
    ticket_id: int
    tone: Literal["formal", "friendly"] = "friendly"
    signature: str = ""
    reply_template: str | None = None


@lru_cache
def get_client() -> AsyncOpenAI:
    return AsyncOpenAI(api_key=os.environ["OPENAI_API_KEY"])


def get_db():
    conn = sqlite3.connect(os.environ.get("TRIAGE_DB", "triage.db"))
    try:
        yield conn
    finally:
        conn.close()


class TriageService:
    def __init__(self, client: AsyncOpenAI, db: sqlite3.Connection):
        self.client = client
        self.db = db
        self.persona = BASE_SYSTEM

    def for_tenant(self, tenant_note: str) -> "TriageService":
        self.persona = BASE_SYSTEM + "\nTenant-specific guidance: " + tenant_note
        return self

    async def classify(self, ticket: Ticket) -> dict:
        # ruleid: AIS201
        resp = await self.client.chat.completions.create(
            model=MODEL,
            messages=[
                {"role": "system", "content": self.persona},
                {"role": "user", "content": ticket.body},
            ],
            response_format={"type": "json_object"},
        )
        return json.loads(resp.choices[0].message.content or "{}")

    async def summarize(self, ticket: Ticket) -> str:
        # ok: AIS202
        messages = [{"role": "system", "content": BASE_SYSTEM}, {"role": "user", "content": ticket.subject + "\n\n" + ticket.body}]
        resp = await self.client.chat.completions.create(model=MODEL, messages=messages)
        return resp.choices[0].message.content or ""

    def store(self, ticket: Ticket, result: dict) -> int:
        queue = result.get("queue", "other")
        if queue not in QUEUES:
            queue = "other"
        cur = self.db.cursor()
        # ok: AIS302
        cur.execute(
            "INSERT INTO tickets(subject, body, queue, priority) VALUES (?, ?, ?, ?)",
            (ticket.subject, ticket.body, queue, int(result.get("priority", 3))),
        )
        self.db.commit()
        return cur.lastrowid


def get_service(client: AsyncOpenAI = Depends(get_client), db=Depends(get_db)) -> TriageService:
    return TriageService(client, db)


@app.post("/tickets")
async def create_ticket(
    ticket: Ticket,
    x_tenant_note: str = Header(default=""),
    svc: TriageService = Depends(get_service),
):
    if x_tenant_note:
        svc.for_tenant(x_tenant_note)
    result = await svc.classify(ticket)
    ticket_id = svc.store(ticket, result)
    summary = await svc.summarize(ticket)
    return {"id": ticket_id, "summary": summary, **result}


@app.post("/tickets/{ticket_id}/draft")
async def draft_reply(ticket_id: int, req: DraftRequest, client: AsyncOpenAI = Depends(get_client), db=Depends(get_db)):
    row = db.execute("SELECT subject, body FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
    if row is None:
        raise HTTPException(404)
    subject, body = row
    tone_line = TONES[req.tone]
    # ok: AIS201
    system = f"{BASE_SYSTEM}\nYou now write replies instead of classifying. {tone_line}"
    if req.reply_template:
        # ruleid: AIS203
        user_prompt = req.reply_template.format(subject=subject, body=body)
    else:
        user_prompt = "Draft a reply to this ticket and sign it as %s.\n\n%s" % (req.signature, body)
    # ruleid: AIS202
    # ok: AIS204
    resp = await client.chat.completions.create(
        model=MODEL,
        messages=[{"role": "system", "content": system}, {"role": "user", "content": user_prompt}],
    )
    draft = resp.choices[0].message.content or ""
    # ok: AIS303
    return JSONResponse({"ticket_id": ticket_id, "draft": draft})


@app.get("/tickets/{ticket_id}/preview", response_class=HTMLResponse)
async def preview(ticket_id: int, client: AsyncOpenAI = Depends(get_client), db=Depends(get_db)):
    (body,) = db.execute("SELECT body FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
    resp = await client.chat.completions.create(
        model=MODEL,
        messages=[
            {"role": "system", "content": "Rewrite the ticket as a short HTML card."},
            {"role": "user", "content": body},
        ],
    )
    card = resp.choices[0].message.content or ""
    # ruleid: AIS303
    return HTMLResponse(content=f"<section class='card'>{card}</section>")


def render_digest_page(title: str, digest_html: str) -> HTMLResponse:
    page = f"<html><head><title>{title}</title></head><body><main>{digest_html}</main></body></html>"
    # ruleid: AIS303
    return HTMLResponse(page)


@app.get("/digest", response_class=HTMLResponse)
async def daily_digest(client: AsyncOpenAI = Depends(get_client), db=Depends(get_db)):
    rows = db.execute("SELECT subject, queue FROM tickets ORDER BY id DESC LIMIT 100").fetchall()
    listing = "\n".join(f"[{q}] {s}" for s, q in rows)
    stream = await client.chat.completions.create(
        model=MODEL,
        stream=True,
        messages=[
            {"role": "system", "content": "Write today's ticket digest as an HTML fragment with <h2> per queue."},
            {"role": "user", "content": listing},
        ],
    )
    parts = []
    async for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            parts.append(chunk.choices[0].delta.content)
    return render_digest_page("Daily digest", "".join(parts))


@app.get("/reports/queue")
async def queue_report(question: str, client: AsyncOpenAI = Depends(get_client), db=Depends(get_db)):
    resp = await client.chat.completions.create(
        model=MODEL,
        messages=[
            {"role": "system", "content": "Translate the question into one SQLite SELECT over tickets(id, subject, body, queue, priority)."},
            {"role": "user", "content": question},
        ],
    )
    sql = (resp.choices[0].message.content or "").strip().strip("`")
    if not re.match(r"(?is)^\s*select\b", sql):
        raise HTTPException(400, "only SELECT allowed")
    # ruleid: AIS302
    rows = db.execute(sql).fetchall()
    return {"rows": rows}


@app.get("/reports/by-queue/{queue}")
async def by_queue(queue: str, db=Depends(get_db)):
    if queue not in QUEUES:
        raise HTTPException(404)
    # ok: AIS302
    rows = db.execute(f"SELECT id, subject FROM tickets WHERE queue = '{queue}'").fetchall()
    return {"rows": rows}
