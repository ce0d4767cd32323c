"""Contract review service for the legal-ops dashboard.

FastAPI + OpenAI Responses API. Reviews are stored in Postgres through SQLAlchemy (async).
"""
from __future__ import annotations

import html
import json
import os
import uuid
from datetime import datetime, timezone

import httpx
import markdown
from fastapi import Depends, FastAPI, File, Form, HTTPException, UploadFile
from fastapi.responses import HTMLResponse
from openai import AsyncOpenAI
from pydantic import BaseModel, Field
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

engine = create_async_engine(os.environ["DATABASE_URL"], pool_pre_ping=True)
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)
client = AsyncOpenAI()
MODEL = os.environ.get("REVIEW_MODEL", "gpt-4.1-mini")

app = FastAPI(title="contract-review")

BASE_INSTRUCTIONS = (
    "You are a contracts paralegal. Review the contract clause by clause and flag "
    "indemnity, liability caps, auto-renewal and termination terms. Answer in Markdown."
)
JURISDICTIONS = {"us-ny", "us-de", "uk", "de", "fr"}
REVIEWS_SCHEMA = "reviews(id uuid, counterparty text, created_at timestamptz, risk_score int, body text)"


async def get_session():
    async with SessionLocal() as session:
        yield session


class ReviewRequest(BaseModel):
    contract_text: str
    counterparty: str
    reviewer_notes: str = ""
    jurisdiction: str = "us-ny"
    max_findings: int = Field(10, ge=1, le=50)


class ReportQuery(BaseModel):
    question: str


@app.post("/reviews")
async def create_review(body: ReviewRequest, session: AsyncSession = Depends(get_session)):
    if body.jurisdiction not in JURISDICTIONS:
        raise HTTPException(status_code=400, detail="unsupported jurisdiction")
    instructions = (
        f"{BASE_INSTRUCTIONS}\nApply {body.jurisdiction} law. "
        f"Report at most {int(body.max_findings)} findings."
    )
    # ok: AIS201
    response = await client.responses.create(
        model=MODEL,
        instructions=instructions,
        input=body.contract_text,
    )
    review_id = uuid.uuid4()
    # ok: AIS302
    await session.execute(
        text("INSERT INTO reviews (id, counterparty, created_at, body) VALUES (:id, :cp, :ts, :body)"),
        {"id": review_id, "cp": body.counterparty, "ts": datetime.now(timezone.utc), "body": response.output_text},
    )
    await session.commit()
    return {"id": str(review_id), "review": response.output_text}


@app.post("/reviews/custom")
async def custom_review(body: ReviewRequest):
    notes = body.reviewer_notes.strip()
    instructions = f"{BASE_INSTRUCTIONS}\nReviewer notes, follow them strictly: {notes}"
    # ruleid: AIS201
    response = await client.responses.create(model=MODEL, instructions=instructions, input=body.contract_text)
    return {"review": response.output_text}


@app.post("/reviews/obligations")
async def obligations(body: ReviewRequest):
    prompt = (
        f"List every obligation of {body.counterparty} in the contract below as five bullets, "
        f"most expensive first.\n\n{body.contract_text}"
    )
    # ruleid: AIS202
    response = await client.responses.create(model=MODEL, input=prompt)
    return {"obligations": response.output_text}


@app.post("/reviews/structured")
async def structured_review(body: ReviewRequest):
    payload = json.dumps({"counterparty": body.counterparty, "contract": body.contract_text})
    # ok: AIS202
    response = await client.responses.create(
        model=MODEL,
        instructions=BASE_INSTRUCTIONS,
        input=f"Review the contract contained in this JSON document:\n{payload}",
    )
    return {"review": response.output_text}


@app.post("/reviews/with-playbook")
async def review_with_playbook(contract: UploadFile = File(...), playbook: UploadFile = File(...)):
    contract_text = (await contract.read()).decode("utf-8", errors="replace")
    playbook_text = (await playbook.read()).decode("utf-8", errors="replace")
    # ruleid: AIS204
    response = await client.responses.create(
        model=MODEL,
        instructions=BASE_INSTRUCTIONS + "\n\nCompany negotiation playbook:\n" + playbook_text,
        input=contract_text,
    )
    return {"review": response.output_text}


@app.post("/reviews/counterparty-profile")
async def counterparty_profile(domain: str = Form(...)):
    async with httpx.AsyncClient(timeout=10) as http:
        page = await http.get(f"https://{domain}/about")
    # ok: AIS204
    response = await client.responses.create(
        model=MODEL,
        instructions="Summarise what this company does in three sentences.",
        input=page.text,
    )
    return {"profile": response.output_text}


@app.get("/reviews/{review_id}/preview", response_class=HTMLResponse)
async def preview(review_id: uuid.UUID, session: AsyncSession = Depends(get_session)):
    row = (await session.execute(text("SELECT body FROM reviews WHERE id = :id"), {"id": review_id})).one()
    response = await client.responses.create(
        model=MODEL,
        instructions="Rewrite this review as a short executive summary in Markdown.",
        input=row.body,
    )
    rendered = markdown.markdown(response.output_text)
    # ruleid: AIS303
    return HTMLResponse(content=f"<article class='summary'>{rendered}</article>")


@app.get("/reviews/{review_id}/headline", response_class=HTMLResponse)
async def headline(review_id: uuid.UUID, session: AsyncSession = Depends(get_session)):
    row = (await session.execute(text("SELECT body FROM reviews WHERE id = :id"), {"id": review_id})).one()
    response = await client.responses.create(
        model=MODEL,
        instructions="Give a one-line headline for this contract review.",
        input=row.body,
    )
    # ok: AIS303
    return HTMLResponse(f"<h1>{html.escape(response.output_text)}</h1>")


@app.post("/reports/ask")
async def ask_reports(query: ReportQuery, session: AsyncSession = Depends(get_session)):
    response = await client.responses.create(
        model=MODEL,
        instructions=f"Translate the question into one PostgreSQL SELECT over {REVIEWS_SCHEMA}. Output SQL only.",
        input=query.question,
    )
    sql = response.output_text.strip().removeprefix("```sql").removesuffix("```").strip()
    # ruleid: AIS302
    result = await session.execute(text(sql))
    return {"rows": [dict(r._mapping) for r in result]}
