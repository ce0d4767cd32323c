"""Agent-assist API: drafts replies for support agents (FastAPI + AsyncOpenAI)."""

from __future__ import annotations

import html
import os
import uuid
from functools import lru_cache
from typing import AsyncIterator

import httpx
from fastapi import Depends, FastAPI, HTTPException
from fastapi.responses import HTMLResponse, StreamingResponse
from openai import AsyncOpenAI
from pydantic import BaseModel, Field

app = FastAPI(title="agent-assist")

BASE_SYSTEM = (
    "You are Acme's support copilot. Draft replies an agent can send with light edits. "
    "Never promise refunds; link to the help center when relevant."
)
TONES = {"friendly", "formal", "concise"}
HELP_CENTER = "https://help.acme.example"


class Settings(BaseModel):
    model: str = os.environ.get("ASSIST_MODEL", "gpt-4o-mini")
    brand_voice: str = os.environ.get("ASSIST_BRAND_VOICE", "warm, plain English")


@lru_cache
def get_settings() -> Settings:
    return Settings()


@lru_cache
def get_client() -> AsyncOpenAI:
    return AsyncOpenAI()


class DraftRequest(BaseModel):
    ticket_id: str
    customer_message: str
    agent_notes: str = ""
    tone: str = "friendly"
    max_words: int = Field(default=150, le=400)


class RewriteRequest(BaseModel):
    draft: str
    instructions: str


class DraftService:
    def __init__(self, client: AsyncOpenAI, settings: Settings) -> None:
        self.client = client
        self.settings = settings

    def system_prompt(self, tone: str, max_words: int) -> str:
        return (
            f"{BASE_SYSTEM}\nBrand voice: {self.settings.brand_voice}.\n"
            f"Tone: {tone}. Keep it under {max_words} words."
        )

    async def draft(self, req: DraftRequest) -> str:
        if req.tone not in TONES:
            raise HTTPException(422, "unknown tone")
        system = self.system_prompt(req.tone, int(req.max_words))
        # ok: AIS201
        resp = await self.client.chat.completions.create(
            model=self.settings.model,
            messages=[
                {"role": "system", "content": system},
                {"role": "user", "content": req.customer_message},
            ],
            temperature=0.3,
        )
        return resp.choices[0].message.content or ""

    async def draft_with_notes(self, req: DraftRequest) -> str:
        system = f"{BASE_SYSTEM}\nInternal notes from the assigned agent:\n{req.agent_notes}"
        # ruleid: AIS201
        resp = await self.client.chat.completions.create(
            model=self.settings.model,
            messages=[
                {"role": "system", "content": system},
                {"role": "user", "content": req.customer_message},
            ],
        )
        return resp.choices[0].message.content or ""

    async def rewrite_stream(self, req: RewriteRequest) -> AsyncIterator[str]:
        prompt = (
            "Rewrite the support reply below following the agent's instructions.\n"
            f"Instructions: {req.instructions}\n\nReply:\n{req.draft}"
        )
        # ruleid: AIS202
        stream = await self.client.chat.completions.create(
            model=self.settings.model,
            messages=[{"role": "system", "content": BASE_SYSTEM}, {"role": "user", "content": prompt}],
            stream=True,
        )
        async for chunk in stream:
            delta = chunk.choices[0].delta.content
            if delta:
                yield delta


def get_service(
    client: AsyncOpenAI = Depends(get_client), settings: Settings = Depends(get_settings)
) -> DraftService:
    return DraftService(client, settings)


@app.post("/drafts")
async def create_draft(req: DraftRequest, service: DraftService = Depends(get_service)) -> dict:
    text = await service.draft(req)
    return {"ticket_id": req.ticket_id, "draft": text}


@app.post("/drafts/with-notes")
async def create_draft_with_notes(req: DraftRequest, service: DraftService = Depends(get_service)) -> dict:
    return {"draft": await service.draft_with_notes(req)}


@app.post("/drafts/rewrite")
async def rewrite(req: RewriteRequest, service: DraftService = Depends(get_service)) -> StreamingResponse:
    return StreamingResponse(service.rewrite_stream(req), media_type="text/plain")


@app.get("/drafts/{ticket_id}/preview", response_class=HTMLResponse)
async def preview(ticket_id: str, message: str, service: DraftService = Depends(get_service)) -> HTMLResponse:
    req = DraftRequest(ticket_id=ticket_id, customer_message=message)
    text = await service.draft(req)
    # ruleid: AIS303
    return HTMLResponse(f"<article class='draft'>{text}</article>")


@app.get("/drafts/{ticket_id}/preview-safe", response_class=HTMLResponse)
async def preview_safe(ticket_id: str, message: str, service: DraftService = Depends(get_service)) -> HTMLResponse:
    text = await service.draft(DraftRequest(ticket_id=ticket_id, customer_message=message))
    body = html.escape(text).replace("\n", "<br>")
    # ok: AIS303
    return HTMLResponse(f"<article class='draft'>{body}</article>")


@app.post("/drafts/{ticket_id}/links")
async def suggest_link(ticket_id: uuid.UUID, message: str, client: AsyncOpenAI = Depends(get_client)) -> dict:
    resp = await client.chat.completions.create(
        model=get_settings().model,
        messages=[
            {"role": "system", "content": f"Reply with one URL from {HELP_CENTER} that answers the question."},
            {"role": "user", "content": message},
        ],
    )
    url = (resp.choices[0].message.content or "").strip()
    async with httpx.AsyncClient(timeout=5) as http:
        # ruleid: AIS304
        page = await http.get(url)
    return {"url": url, "status": page.status_code}
