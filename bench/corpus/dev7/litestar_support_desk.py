"""Support desk API on Litestar: Groq-hosted Llama answers tickets, drafts macros and looks up links."""
from __future__ import annotations

import os
import textwrap
from dataclasses import dataclass

import requests
from jinja2 import Template
from litestar import Litestar, get, post
from litestar.response import Response
from markupsafe import Markup
from openai import OpenAI

groq = OpenAI(base_url="https://api.groq.com/openai/v1", api_key=os.environ["GROQ_API_KEY"])
MODEL = "llama-3.3-70b-versatile"
BRAND_VOICE = "You are Helply, the support assistant of Acme Cloud. Be brief and polite."
TONES = {"formal", "friendly", "terse"}
DOC_LINKS = {
    "billing": "https://docs.acme.example/billing",
    "sso": "https://docs.acme.example/sso",
    "api": "https://docs.acme.example/api",
}


@dataclass
class TicketIn:
    subject: str
    body: str
    tone: str = "friendly"
    signature: str = ""


def complete(messages: list[dict]) -> str:
    # ok: AIS201, AIS202
    resp = groq.chat.completions.create(model=MODEL, messages=messages, temperature=0.2)
    return resp.choices[0].message.content or ""


@post("/tickets/answer")
async def answer_ticket(data: TicketIn) -> dict:
    if data.tone not in TONES:
        data.tone = "friendly"
    messages = [dict(role="system", content=f"{BRAND_VOICE} Use a {data.tone} tone.")]
    messages.append(dict(role="user", content=data.body))
    answer = complete(messages)
    # ok: AIS303
    return {"answer": answer}


@post("/tickets/answer-signed")
async def answer_signed(data: TicketIn) -> dict:
    system = textwrap.dedent(
        f"""\
        {BRAND_VOICE}
        Always end with this signature: {data.signature}
        """
    )
    # ruleid: AIS201
    resp = groq.chat.completions.create(
        model=MODEL,
        messages=[dict(role="system", content=system), dict(role="user", content=data.body)],
    )
    return {"answer": resp.choices[0].message.content}


@post("/tickets/summary")
async def summarise(data: TicketIn) -> dict:
    prompt = "Summarise this ticket in two sentences. Subject: %s. Body: %s" % (data.subject, data.body)
    # ruleid: AIS202
    resp = groq.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": prompt}])
    return {"summary": resp.choices[0].message.content}


@post("/macros/preview", media_type="text/html")
async def preview_macro(data: TicketIn) -> Response:
    resp = groq.chat.completions.create(
        model=MODEL,
        messages=[
            {"role": "system", "content": BRAND_VOICE + " Write a Jinja2 reply macro using {{ customer }}."},
            {"role": "user", "content": data.body},
        ],
    )
    macro = resp.choices[0].message.content or ""
    # ruleid: AIS301
    rendered = Template(macro).render(customer="Sam")
    # ok: AIS303
    return Response(content=Markup.escape(rendered), media_type="text/html")


@post("/macros/card", media_type="text/html")
async def macro_card(data: TicketIn) -> str:
    resp = groq.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": data.body}])
    reply = resp.choices[0].message.content or ""
    # ruleid: AIS303
    return Markup(f"<div class='macro'>{reply}</div>")


@get("/links/suggest")
async def suggest_link(question: str) -> dict:
    resp = groq.chat.completions.create(
        model=MODEL,
        messages=[
            {"role": "system", "content": "Answer with the single best documentation URL and nothing else."},
            {"role": "user", "content": question},
        ],
    )
    url = (resp.choices[0].message.content or "").strip()
    # ruleid: AIS304
    page = requests.get(url, timeout=5)
    return {"url": url, "status": page.status_code}


@get("/links/topic")
async def topic_link(question: str) -> dict:
    resp = groq.chat.completions.create(
        model=MODEL,
        messages=[
            {"role": "system", "content": "Classify the question as billing, sso or api. One word."},
            {"role": "user", "content": question},
        ],
    )
    topic = (resp.choices[0].message.content or "").strip().lower()
    if topic not in DOC_LINKS:
        return {"url": None}
    # ok: AIS304
    page = requests.get(DOC_LINKS[topic], timeout=5)
    return {"url": DOC_LINKS[topic], "status": page.status_code}


app = Litestar(route_handlers=[answer_ticket, answer_signed, summarise, preview_macro, macro_card, suggest_link, topic_link])
