"""Ticket summariser behind the support console (FastAPI + AsyncOpenAI).

POST /tickets/{ticket_id}/summary   -> JSON summary shown in the agent sidebar
POST /tickets/{ticket_id}/card      -> HTML card embedded in the CRM
POST /tickets/digest                -> weekly root-cause digest for team leads
"""

from __future__ import annotations

import html
import json
import os
import sqlite3
from dataclasses import dataclass

from fastapi import FastAPI, Header, HTTPException
from fastapi.responses import HTMLResponse
from langchain_core.prompts import PromptTemplate
from openai import AsyncOpenAI
from pydantic import BaseModel

ALLOWED_TONES = {"neutral", "friendly", "formal"}
CATEGORIES = ("billing", "bug", "account", "feature", "other")
SYSTEM_PROMPT = (
    "You are a support analyst. Summarise customer tickets for a human agent. "
    "Never promise refunds. Answer in English."
)
SUMMARY_TEMPLATES = {
    "short": "Summarise this ticket in one sentence and name the product area:\n{body}",
    "detailed": "Summarise this ticket in five bullets, then list open questions:\n{body}",
}


@dataclass(frozen=True)
class Settings:
    model: str = os.environ.get("SUMMARY_MODEL", "gpt-4o-mini")
    db_path: str = os.environ.get("SUPPORT_DB", "support.db")
    company: str = os.environ.get("COMPANY_NAME", "Acme")
    max_tokens: int = 400


settings = Settings()
client = AsyncOpenAI()
app = FastAPI(title="ticket-summariser")


class TicketIn(BaseModel):
    subject: str
    body: str
    product: str
    customer_note: str = ""
    tone: str = "neutral"


class TemplateIn(BaseModel):
    name: str
    template: str


def db() -> sqlite3.Connection:
    return sqlite3.connect(settings.db_path)


def _system_for(tone: str) -> str:
    return f"{SYSTEM_PROMPT} Write for {settings.company} agents in a {tone} tone."


async def _summarise_plain(body: str) -> str:
    resp = await client.chat.completions.create(
        model=settings.model,
        messages=[
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": body},
        ],
        max_tokens=settings.max_tokens,
    )
    return resp.choices[0].message.content or ""


@app.post("/tickets/{ticket_id}/summary")
async def summarise(ticket_id: int, ticket: TicketIn):
    if ticket.tone not in ALLOWED_TONES:
        raise HTTPException(status_code=422, detail="unknown tone")
    # ok: AIS201
    # ok: AIS202
    resp = await client.chat.completions.create(
        model=settings.model,
        messages=[
            {"role": "system", "content": _system_for(ticket.tone)},
            {"role": "user", "content": ticket.body},
        ],
    )
    summary = resp.choices[0].message.content or ""
    with db() as conn:
        # ok: AIS302
        conn.execute("UPDATE tickets SET summary = ? WHERE id = ?", (summary, ticket_id))
    return {"ticket_id": ticket_id, "summary": summary}


@app.post("/tickets/{ticket_id}/triage")
async def triage(ticket_id: int, ticket: TicketIn):
    # ruleid: AIS201
    resp = await client.chat.completions.create(
        model=settings.model,
        messages=[
            {"role": "system", "content": f"{SYSTEM_PROMPT} Product: {ticket.product}. Note: {ticket.customer_note}"},
            {"role": "user", "content": ticket.body},
        ],
    )
    answer = json.loads(resp.choices[0].message.content or "{}")
    priority = str(answer.get("priority", "p3"))
    category = str(answer.get("category", "other")).lower()
    with db() as conn:
        # ruleid: AIS302
        conn.execute(f"UPDATE tickets SET priority = '{priority}' WHERE id = {ticket_id}")
        if category not in CATEGORIES:
            category = "other"
        # ok: AIS302
        conn.execute(f"UPDATE tickets SET category = '{category}' WHERE id = {int(ticket_id)}")
    return {"priority": priority, "category": category}


@app.post("/tickets/{ticket_id}/reply-draft")
async def reply_draft(ticket_id: int, ticket: TicketIn, x_brand_voice: str = Header(default="")):
    # ruleid: AIS201
    resp = await client.chat.completions.create(
        model=settings.model,
        messages=[
            {"role": "developer", "content": "Follow this brand voice guide: " + x_brand_voice},
            {"role": "user", "content": ticket.body},
        ],
    )
    return {"ticket_id": ticket_id, "draft": resp.choices[0].message.content}


@app.post("/tickets/{ticket_id}/summary/{style}")
async def styled_summary(ticket_id: int, style: str, ticket: TicketIn):
    if style not in SUMMARY_TEMPLATES:
        raise HTTPException(status_code=404, detail="unknown style")
    # ok: AIS203
    prompt = PromptTemplate.from_template(SUMMARY_TEMPLATES[style])
    text = prompt.format(body=ticket.body)
    # ruleid: AIS202
    resp = await client.chat.completions.create(
        model=settings.model,
        messages=[{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": text}],
    )
    return {"ticket_id": ticket_id, "summary": resp.choices[0].message.content}


@app.post("/tickets/digest")
async def digest(tickets: list[TicketIn]):
    if not tickets:
        return {"digest": ""}
    bullets = "\n".join(f"- {t.subject}: {t.body}" for t in tickets)
    prompt = "Group these tickets by root cause and list the three most common issues.\n" + bullets
    # ruleid: AIS202
    resp = await client.chat.completions.create(
        model=settings.model,
        messages=[{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": prompt}],
    )
    return {"digest": resp.choices[0].message.content}


@app.post("/tickets/classify")
async def classify(tickets: list[TicketIn]):
    payload = json.dumps([t.body for t in tickets])
    # ok: AIS202
    resp = await client.chat.completions.create(
        model=settings.model,
        messages=[
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": f"Classify each ticket in this JSON array as one of {CATEGORIES}: {payload}"},
        ],
    )
    return {"labels": resp.choices[0].message.content}


@app.post("/tickets/{ticket_id}/card", response_class=HTMLResponse)
async def card(ticket_id: int, ticket: TicketIn, legacy_rich_text: bool = False):
    summary = await _summarise_plain(ticket.body)
    if legacy_rich_text:
        # ruleid: AIS303
        return HTMLResponse(f"<section class='card'><h3>Ticket {ticket_id}</h3><p>{summary}</p></section>")
    # ok: AIS303
    return HTMLResponse(f"<section class='card'><h3>Ticket {ticket_id}</h3><p>{html.escape(summary)}</p></section>")


@app.post("/templates")
async def register_template(req: TemplateIn):
    # ruleid: AIS203
    prompt = PromptTemplate.from_template(req.template)
    if "body" not in prompt.input_variables:
        raise HTTPException(status_code=422, detail="template must use {body}")
    return {"name": req.name, "variables": prompt.input_variables}
