"""Sales copilot API (FastAPI): chat sessions kept server-side, CRM lookups, generated reports."""

import os
import re
import uuid
from typing import Annotated

import httpx
import litellm
import requests
from fastapi import BackgroundTasks, Depends, FastAPI, Header, HTTPException, Request
from fastapi.responses import HTMLResponse, PlainTextResponse
from jinja2 import Environment, select_autoescape
from markupsafe import Markup
from pydantic import BaseModel, Field

app = FastAPI()
MODEL = os.environ.get("COPILOT_MODEL", "anthropic/claude-sonnet-4-5")
REPORTS = os.environ.get("REPORTS_DIR", "/srv/reports")
MODELS_DIR = os.environ.get("MODELS_DIR", "/srv/models")
CRM_URL = os.environ["CRM_URL"]
env = Environment(autoescape=select_autoescape())
REGIONS = ("emea", "amer", "apac")


class ChatSession:
    def __init__(self, rep_name: str):
        self.messages = [{"role": "system", "content": "You help sales reps prepare calls. Be factual."}]
        self.rep_name = rep_name

    def add_context(self, account_notes: str) -> None:
        self.messages.append({"role": "user", "content": f"Account notes:\n{account_notes}"})

    def set_style(self, style: str) -> None:
        self.messages[0] = {"role": "system", "content": f"You help sales reps prepare calls. Style: {style}"}

    async def ask(self, question: str) -> str:
        self.messages.append({"role": "user", "content": question})
        # ruleid: AIS201
        resp = await litellm.acompletion(model=MODEL, messages=self.messages)
        answer = resp.choices[0].message.content
        self.messages.append({"role": "assistant", "content": answer})
        return answer


SESSIONS: dict[str, ChatSession] = {}


class Question(BaseModel):
    text: str = Field(max_length=2000)
    account_id: int
    style: str | None = None


def rep_name(x_rep: Annotated[str, Header()]) -> str:
    if not re.fullmatch(r"[A-Za-z .'-]{1,60}", x_rep):
        raise HTTPException(400, "bad rep name")
    return x_rep


def region(x_region: Annotated[str, Header()] = "emea") -> str:
    return x_region if x_region in REGIONS else "emea"


async def crm_notes(account_id: int) -> str:
    async with httpx.AsyncClient() as http:
        r = await http.get(f"{CRM_URL}/accounts/{int(account_id)}/notes")
        return r.text


@app.post("/sessions/{session_id}/ask")
async def ask(session_id: str, q: Question, rep: Annotated[str, Depends(rep_name)]):
    session = SESSIONS.setdefault(session_id, ChatSession(rep))
    session.add_context(await crm_notes(q.account_id))
    if q.style:
        session.set_style(q.style)
    return {"answer": await session.ask(q.text)}


@app.post("/brief")
async def brief(q: Question, area: Annotated[str, Depends(region)]):
    # ok: AIS201
    resp = await litellm.acompletion(
        model=MODEL,
        messages=[
            {"role": "system", "content": f"Write a call brief for a rep in {area}."},
            {"role": "user", "content": q.text},
        ],
    )
    return {"brief": resp.choices[0].message.content}


def write_report(name: str, body: str) -> None:
    # ok: AIS304
    with open(os.path.join(REPORTS, f"{uuid.uuid4().hex}.md"), "w") as fh:
        fh.write(f"# {name}\n\n{body}")


@app.post("/report")
async def report(q: Question, background: BackgroundTasks):
    resp = await litellm.acompletion(
        model=MODEL,
        messages=[{"role": "system", "content": "Write a one-page account report."}, {"role": "user", "content": q.text}],
    )
    body = resp.choices[0].message.content
    background.add_task(write_report, name=f"account-{q.account_id}", body=body)
    return {"queued": True}


@app.get("/report/preview", response_class=HTMLResponse)
async def report_preview(q: str):
    resp = await litellm.acompletion(
        model=MODEL,
        messages=[{"role": "system", "content": "Write a short account report in Markdown."}, {"role": "user", "content": q}],
    )
    body = resp.choices[0].message.content
    # ok: AIS303
    page = env.from_string("<main>{{ body }}</main>").render(body=body)
    # ruleid: AIS303
    banner = Markup(f"<aside>{body[:200]}</aside>")
    return page + str(banner)


@app.get("/report/text")
async def report_text(q: str):
    resp = await litellm.acompletion(model=MODEL, messages=[{"role": "user", "content": q}])
    # ok: AIS303
    return PlainTextResponse(resp.choices[0].message.content)


@app.post("/models/fetch")
async def fetch_model(request: Request):
    need = (await request.json()).get("need", "")
    resp = await litellm.acompletion(
        model=MODEL,
        messages=[{"role": "system", "content": "Reply with the download URL of the best small model for the need."}, {"role": "user", "content": need}],
    )
    model_url = resp.choices[0].message.content.strip()
    # ruleid: AIS304
    blob = requests.get(model_url, timeout=60).content
    model_path = os.path.join(MODELS_DIR, os.path.basename(model_url))
    # ruleid: AIS304
    with open(model_path, "wb") as fh:
        fh.write(blob)
    # ok: AIS304
    with open(os.path.join(MODELS_DIR, "latest.txt"), "w") as fh:
        fh.write(model_url)
    return {"saved": True}


@app.post("/accounts/search")
async def search_accounts(request: Request):
    body = await request.json()
    # ruleid: AIS202
    resp = await litellm.acompletion(
        model=MODEL,
        messages=[{"role": "user", "content": "Turn this request into a CRM search query string and nothing else: " + body.get("q", "")}],
    )
    query = resp.choices[0].message.content
    async with httpx.AsyncClient() as http:
        # ok: AIS304
        r = await http.get(f"{CRM_URL}/search", params={"q": query})
    return r.json()
