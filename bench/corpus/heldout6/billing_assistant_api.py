"""Billing assistant API: answers invoice questions and drafts dispute replies.

FastAPI service used by the customer portal. Uses AsyncOpenAI for chat and
SQLAlchemy (async) for the invoices database.
"""
from __future__ import annotations

import html
import os
import uuid
from typing import AsyncIterator, Literal

from fastapi import Depends, FastAPI, HTTPException, Query
from fastapi.responses import HTMLResponse, StreamingResponse
from openai import AsyncOpenAI
from pydantic import BaseModel, Field
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

engine = create_async_engine(os.environ["BILLING_DB_URL"], pool_pre_ping=True)
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)

app = FastAPI(title="billing-assistant")

MODEL = os.getenv("BILLING_MODEL", "gpt-4o-mini")
BASE_POLICY = os.getenv(
    "BILLING_POLICY",
    "You are a billing assistant for Acme Cloud. Never promise refunds above 100 EUR.",
)
TONES = {"formal", "friendly", "apologetic"}
SORTABLE_COLUMNS = {"issued_at", "amount_cents", "status"}


class Settings(BaseModel):
    model: str = MODEL
    temperature: float = 0.2


def get_settings() -> Settings:
    return Settings()


def get_client() -> AsyncOpenAI:
    return AsyncOpenAI()


async def get_session() -> AsyncIterator[AsyncSession]:
    async with SessionLocal() as session:
        yield session


class AskRequest(BaseModel):
    question: str = Field(max_length=4000)
    customer_name: str
    company_note: str = ""
    language: str = "en"


class DisputeDraft(BaseModel):
    invoice_id: str
    tone: str = "formal"
    reason: str
    agent_signature: str


class BillingAssistant:
    def __init__(self, client: AsyncOpenAI, settings: Settings):
        self.client = client
        self.settings = settings

    async def answer(self, req: AskRequest) -> str:
        # ruleid: AIS201
        completion = await self.client.chat.completions.create(
            model=self.settings.model,
            temperature=self.settings.temperature,
            messages=[
                {"role": "system", "content": f"{BASE_POLICY}\nCustomer account note: {req.company_note}"},
                {"role": "user", "content": req.question},
            ],
        )
        return completion.choices[0].message.content or ""

    async def answer_plain(self, question: str) -> str:
        # ok: AIS201, AIS202
        completion = await self.client.chat.completions.create(
            model=self.settings.model,
            messages=[
                {"role": "system", "content": BASE_POLICY},
                {"role": "user", "content": question},
            ],
        )
        return completion.choices[0].message.content or ""

    async def stream_explanation(self, req: AskRequest) -> AsyncIterator[str]:
        prompt = (
            f"Explain the following billing question to {req.customer_name} in plain "
            f"language ({req.language}). Keep it under 120 words.\n\nQuestion: {req.question}"
        )
        # ruleid: AIS202
        stream = await self.client.chat.completions.create(
            model=self.settings.model,
            stream=True,
            messages=[{"role": "system", "content": BASE_POLICY}, {"role": "user", "content": prompt}],
        )
        async for chunk in stream:
            delta = chunk.choices[0].delta.content
            if delta:
                yield delta


def assistant(
    client: AsyncOpenAI = Depends(get_client), settings: Settings = Depends(get_settings)
) -> BillingAssistant:
    return BillingAssistant(client, settings)


@app.post("/ask")
async def ask(req: AskRequest, bot: BillingAssistant = Depends(assistant)) -> dict:
    return {"answer": await bot.answer(req)}


@app.post("/ask/simple")
async def ask_simple(req: AskRequest, bot: BillingAssistant = Depends(assistant)) -> dict:
    return {"answer": await bot.answer_plain(req.question)}


@app.post("/ask/stream")
async def ask_stream(req: AskRequest, bot: BillingAssistant = Depends(assistant)):
    return StreamingResponse(bot.stream_explanation(req), media_type="text/plain")


@app.post("/disputes/draft", response_class=HTMLResponse)
async def draft_dispute(
    draft: DisputeDraft,
    client: AsyncOpenAI = Depends(get_client),
    session: AsyncSession = Depends(get_session),
):
    if draft.tone not in TONES:
        raise HTTPException(status_code=422, detail="unknown tone")
    invoice_uuid = uuid.UUID(draft.invoice_id)
    row = (
        await session.execute(
            text("SELECT number, amount_cents FROM invoices WHERE id = :id"), {"id": str(invoice_uuid)}
        )
    ).one()
    # ok: AIS201
    completion = await client.chat.completions.create(
        model=MODEL,
        messages=[
            {"role": "system", "content": f"{BASE_POLICY} Write in a {draft.tone} tone about invoice {invoice_uuid}."},
            {"role": "user", "content": draft.reason},
        ],
    )
    letter = completion.choices[0].message.content or ""
    # ruleid: AIS303
    return HTMLResponse(
        content=f"<article class='draft'><h3>Invoice {row.number}</h3>{letter}<footer>{html.escape(draft.agent_signature)}</footer></article>"
    )


@app.get("/disputes/preview", response_class=HTMLResponse)
async def preview(invoice_id: str, client: AsyncOpenAI = Depends(get_client)):
    # ok: AIS202
    completion = await client.chat.completions.create(
        model=MODEL,
        messages=[
            {"role": "system", "content": BASE_POLICY},
            {"role": "user", "content": f"Summarise invoice {uuid.UUID(invoice_id)} status."},
        ],
    )
    summary = completion.choices[0].message.content or ""
    # ok: AIS303
    return HTMLResponse(f"<p class='summary'>{html.escape(summary)}</p>")


@app.get("/invoices/search")
async def search_invoices(
    q: str = Query(..., max_length=300),
    session: AsyncSession = Depends(get_session),
    client: AsyncOpenAI = Depends(get_client),
):
    completion = await client.chat.completions.create(
        model=MODEL,
        messages=[
            {"role": "system", "content": "Turn the request into a SQL WHERE clause over invoices(status, amount_cents, issued_at). Reply with SQL only."},
            {"role": "user", "content": q},
        ],
    )
    where = (completion.choices[0].message.content or "").strip().rstrip(";")
    # ruleid: AIS302
    rows = await session.execute(text(f"SELECT id, number, amount_cents FROM invoices WHERE {where} LIMIT 50"))
    return [dict(r._mapping) for r in rows]


@app.get("/invoices/sorted")
async def sorted_invoices(
    hint: str,
    session: AsyncSession = Depends(get_session),
    client: AsyncOpenAI = Depends(get_client),
):
    completion = await client.chat.completions.create(
        model=MODEL,
        messages=[
            {"role": "system", "content": "Pick the best column to sort invoices by. Answer with one word."},
            {"role": "user", "content": hint},
        ],
    )
    column = (completion.choices[0].message.content or "").strip()
    if column not in SORTABLE_COLUMNS:
        column = "issued_at"
    # ok: AIS302
    rows = await session.execute(text(f"SELECT id, number FROM invoices ORDER BY {column} DESC LIMIT :n"), {"n": 50})
    return [dict(r._mapping) for r in rows]
