"""Writing-coach chat: FastAPI + websockets + the google-genai SDK (Gemini).

The browser opens /ws and sends JSON frames {"text": ..., "profile": {...}, "mode": ...};
conversations can be shared as HTML pages under /share/{conversation_id}.
"""

from __future__ import annotations

import logging
import os
import uuid
from typing import Literal

import bleach
import markdown
from fastapi import FastAPI, File, HTTPException, UploadFile, WebSocket, WebSocketDisconnect
from fastapi.responses import HTMLResponse, PlainTextResponse
from google import genai
from google.genai import types

log = logging.getLogger("coach")

app = FastAPI(title="writing coach")
client = genai.Client()
MODEL = os.environ.get("GEMINI_MODEL", "gemini-2.5-flash")
COACH = (
    "You are a writing coach. Suggest concrete edits, explain them briefly, "
    "and never rewrite the whole text unless asked."
)
LANGS = {"en", "fr", "de", "it", "pt"}
ALLOWED_TAGS = ["p", "em", "strong", "ul", "ol", "li", "code", "pre", "blockquote"]
SHARED: dict[str, str] = {}


def generate(system: str, contents: str) -> str:
    response = client.models.generate_content(
        model=MODEL,
        contents=contents,
        config=types.GenerateContentConfig(system_instruction=system, temperature=0.4),
    )
    return response.text or ""


@app.websocket("/ws")
async def coach_socket(websocket: WebSocket) -> None:
    await websocket.accept()
    try:
        while True:
            frame = await websocket.receive_json()
            text = frame.get("text", "")
            profile = frame.get("profile") or {}
            mode = frame.get("mode", "coach")
            if mode == "profiled":
                # ruleid: AIS201
                reply = generate(COACH + " About the writer: " + profile.get("bio", ""), text)
            elif mode == "grammar":
                # ruleid: AIS202
                reply = generate(COACH, f"Correct the grammar of the following text and explain each fix:\n{text}")
            elif mode == "persona":
                # ruleid: AIS201
                response = await client.aio.models.generate_content(
                    model=MODEL,
                    contents=text,
                    config={"system_instruction": frame.get("persona", COACH), "temperature": 0.7},
                )
                reply = response.text or ""
            elif mode == "translate":
                lang = frame.get("lang", "en")
                if lang not in LANGS:
                    await websocket.send_json({"error": "unsupported language"})
                    continue
                # ok: AIS201
                reply = generate(f"{COACH} Answer in the language with ISO code {lang}.", text)
            elif mode == "template":
                # ruleid: AIS203
                prompt = frame.get("template", "Improve this: {text}").format(text=text)
                reply = generate(COACH, prompt)
            else:
                # ok: AIS201, AIS202
                reply = generate(COACH, text)
            conversation_id = uuid.uuid4().hex
            SHARED[conversation_id] = reply
            # ok: AIS303
            await websocket.send_json({"reply": reply, "share": f"/share/{conversation_id}"})
    except WebSocketDisconnect:
        log.info("client left")


@app.get("/coach/quick")
def quick(text: str, tone: Literal["formal", "casual", "academic"] = "formal", max_words: int = 120) -> dict:
    # ok: AIS201
    reply = generate(f"{COACH} Use a {tone} tone and at most {max_words} words.", text)
    return {"reply": reply}


@app.post("/coach/style-guide")
async def with_style_guide(text: str, guide: UploadFile = File(...)) -> dict:
    guide_text = (await guide.read()).decode("utf-8", errors="replace")
    # ruleid: AIS204
    response = client.models.generate_content(
        model=MODEL,
        contents=text,
        config=types.GenerateContentConfig(system_instruction=COACH + "\nHouse style guide:\n" + guide_text),
    )
    # ok: AIS204
    checked = generate("List every rule of the style guide the user pastes, one per line.", guide_text)
    return {"reply": response.text, "rules": checked.splitlines()}


@app.get("/share/{conversation_id}", response_class=HTMLResponse)
def share(conversation_id: str) -> HTMLResponse:
    if conversation_id not in SHARED:
        raise HTTPException(status_code=404)
    rendered = markdown.markdown(generate(COACH, "Write a two-line teaser for a shared writing session."))
    # ruleid: AIS303
    return HTMLResponse(f"<article>{rendered}</article>")


@app.get("/share/{conversation_id}/clean", response_class=HTMLResponse)
def share_clean(conversation_id: str) -> HTMLResponse:
    reply = SHARED.get(conversation_id)
    if reply is None:
        raise HTTPException(status_code=404)
    cleaned = bleach.clean(markdown.markdown(reply), tags=ALLOWED_TAGS, strip=True)
    # ok: AIS303
    return HTMLResponse(f"<article>{cleaned}</article>")


@app.get("/share/{conversation_id}/text")
def share_text(conversation_id: str) -> PlainTextResponse:
    # ok: AIS303
    return PlainTextResponse(SHARED.get(conversation_id, ""))


@app.get("/tips", response_class=HTMLResponse)
def tips(topic: str) -> str:
    # ruleid: AIS202
    tip = generate(COACH, "One writing tip about: " + topic)
    # ruleid: AIS303
    return f"<html><body><h1>Tip</h1><p>{tip}</p></body></html>"
