"""Facilities work-order service: triage and reporting with LiteLLM (FastAPI, async SQLAlchemy)."""

from __future__ import annotations

import json
import os
import uuid
from datetime import date
from pathlib import Path
from typing import Annotated, AsyncIterator

import litellm
import yaml
from fastapi import Depends, FastAPI, Header, HTTPException
from fastapi.responses import HTMLResponse, StreamingResponse
from langchain_core.prompts import PromptTemplate
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

engine = create_async_engine(os.environ["WORKORDERS_DSN"])
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)
MODEL = os.environ.get("TRIAGE_MODEL", "azure/gpt-4o-mini")
REPORT_DIR = Path(os.environ.get("REPORT_DIR", "/var/lib/workorders/reports"))

app = FastAPI()

HANDOVER_TEMPLATE = os.environ.get(
    "HANDOVER_TEMPLATE", "Write a short shift handover note. There are {open_count} open orders today ({today})."
)
TRIAGE_SYSTEM = (
    "You triage facilities work orders. Assign a trade (electrical, plumbing, hvac, general), "
    "a priority P1-P4 and a one-sentence plan."
)


async def get_session() -> AsyncIterator[AsyncSession]:
    async with SessionLocal() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]


class WorkOrderIn(BaseModel):
    site: str
    description: str
    reporter_email: str
    floor: int = 0


class HandoverIn(BaseModel):
    template: str


class TriageResult(BaseModel):
    trade: str
    priority: str
    plan: str


async def ask(system: str, user: str) -> str:
    # ruleid: AIS201
    resp = await litellm.acompletion(
        model=MODEL,
        messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
    )
    return resp.choices[0].message.content


@app.post("/work-orders/triage", response_model=TriageResult)
async def triage(order: WorkOrderIn, session: SessionDep):
    history = await session.execute(
        text("SELECT body FROM work_order_comments WHERE site = :site ORDER BY created_at DESC LIMIT 5"),
        {"site": order.site},
    )
    site_notes = "\n".join(row.body for row in history)
    system = f"{TRIAGE_SYSTEM}\nRecent technician comments for this site:\n{site_notes}"
    # ruleid: AIS204
    resp = await litellm.acompletion(
        model=MODEL,
        messages=[{"role": "system", "content": system}, {"role": "user", "content": order.description}],
        response_format={"type": "json_object"},
    )
    return TriageResult.model_validate_json(resp.choices[0].message.content)


@app.post("/work-orders/triage-lite", response_model=TriageResult)
async def triage_lite(order: WorkOrderIn, session: SessionDep):
    count = (
        await session.execute(text("SELECT count(*) FROM work_orders WHERE site = :site"), {"site": order.site})
    ).scalar_one()
    system = f"{TRIAGE_SYSTEM}\nThe site has {int(count)} open orders; floor {order.floor}."
    # ok: AIS201, AIS204
    resp = await litellm.acompletion(
        model=MODEL,
        messages=[{"role": "system", "content": system}, {"role": "user", "content": order.description}],
        response_format={"type": "json_object"},
    )
    return TriageResult.model_validate_json(resp.choices[0].message.content)


@app.post("/work-orders/escalate")
async def escalate(order: WorkOrderIn, x_building_manager: Annotated[str, Header()]):
    system = TRIAGE_SYSTEM + f"\nEscalations are approved by {x_building_manager}; address the memo to them."
    memo = await ask(system, order.description)
    return {"memo": memo}


@app.get("/work-orders/{order_id}/similar")
async def similar_orders(order_id: uuid.UUID, session: SessionDep):
    row = (
        await session.execute(text("SELECT description FROM work_orders WHERE id = :id"), {"id": str(order_id)})
    ).one()
    where = await ask(
        "Write a PostgreSQL boolean expression over work_orders(site, trade, description) that finds "
        "orders similar to the one given. Expression only.",
        row.description,
    )
    # ruleid: AIS302
    similar = await session.execute(text(f"SELECT id, site FROM work_orders WHERE {where} LIMIT 20"))
    return [dict(r._mapping) for r in similar]


@app.get("/work-orders/{order_id}/trade")
async def order_trade(order_id: uuid.UUID, session: SessionDep):
    row = (
        await session.execute(text("SELECT description FROM work_orders WHERE id = :id"), {"id": str(order_id)})
    ).one()
    trade = (await ask("Answer with one word: the trade for this job.", row.description)).strip().lower()
    # ok: AIS302
    techs = await session.execute(text("SELECT name FROM technicians WHERE trade = :trade"), {"trade": trade})
    return {"trade": trade, "technicians": techs.scalars().all()}


@app.post("/reports/monthly")
async def monthly_report(session: SessionDep):
    totals = await session.execute(text("SELECT trade, count(*) FROM work_orders GROUP BY trade"))
    stats = json.dumps({t: n for t, n in totals})
    answer = await ask(
        "You write monthly facilities reports. First line: a short file name ending in .md. "
        "Then the report in Markdown.",
        stats,
    )
    filename, _, markdown = answer.partition("\n")
    # ruleid: AIS304
    with open(REPORT_DIR / filename.strip(), "w", encoding="utf-8") as fh:
        fh.write(markdown)
    target = REPORT_DIR / f"{uuid.uuid4()}.md"
    # ok: AIS304
    target.write_text(markdown, encoding="utf-8")
    return {"saved": str(target)}


@app.post("/work-orders/checklist")
async def checklist(order: WorkOrderIn):
    answer = await ask("Return a YAML list of safety checks for the job described.", order.description)
    # ruleid: AIS304
    steps = yaml.load(answer, Loader=yaml.Loader)
    return {"checks": steps}


@app.post("/work-orders/checklist-safe")
async def checklist_safe(order: WorkOrderIn):
    answer = await ask("Return a YAML list of safety checks for the job described.", order.description)
    # ok: AIS304
    steps = yaml.safe_load(answer)
    return {"checks": steps}


@app.post("/work-orders/stream-plan")
async def stream_plan(order: WorkOrderIn):
    async def gen():
        # ruleid: AIS202
        stream = await litellm.acompletion(
            model=MODEL,
            messages=[
                {"role": "system", "content": TRIAGE_SYSTEM},
                {"role": "user", "content": f"Site {order.site}: write a step-by-step repair plan for: {order.description}"},
            ],
            stream=True,
        )
        async for chunk in stream:
            yield chunk.choices[0].delta.content or ""

    return StreamingResponse(gen(), media_type="text/plain")


async def open_order_count(session: AsyncSession) -> int:
    result = await session.execute(text("SELECT count(*) FROM work_orders WHERE status = 'open'"))
    return int(result.scalar_one())


@app.post("/handover/custom")
async def custom_handover(body: HandoverIn, session: SessionDep):
    """Site managers may paste their own handover prompt with {open_count} and {today} slots."""
    # ruleid: AIS203
    template = PromptTemplate.from_template(body.template)
    prompt = template.format(open_count=await open_order_count(session), today=date.today().isoformat())
    resp = await litellm.acompletion(model=MODEL, messages=[{"role": "user", "content": prompt}])
    return {"note": resp.choices[0].message.content}


@app.post("/handover")
async def handover(session: SessionDep):
    # ok: AIS203
    template = PromptTemplate.from_template(HANDOVER_TEMPLATE)
    prompt = template.format(open_count=await open_order_count(session), today=date.today().isoformat())
    resp = await litellm.acompletion(model=MODEL, messages=[{"role": "user", "content": prompt}])
    return {"note": resp.choices[0].message.content}


@app.get("/work-orders/{order_id}/print")
async def printable_order(order_id: uuid.UUID, session: SessionDep):
    row = (
        await session.execute(text("SELECT description FROM work_orders WHERE id = :id"), {"id": str(order_id)})
    ).one()
    plan = await ask("Write the repair plan as an HTML ordered list (<ol>).", row.description)
    # ruleid: AIS303
    return HTMLResponse(content=f"<html><body><h1>Work order {order_id}</h1>{plan}</body></html>")
