"""Notebook copilot backend: a websocket per notebook tab, streaming Claude answers.

FastAPI websockets + AsyncAnthropic streaming; a small HTML share page for answers.
"""
from __future__ import annotations

import ast
import html
import io
import json
import os
import uuid
from contextlib import redirect_stdout
from dataclasses import dataclass, field

import bleach
from anthropic import AsyncAnthropic
from fastapi import FastAPI, HTTPException, WebSocket, WebSocketDisconnect
from fastapi.responses import HTMLResponse, PlainTextResponse

app = FastAPI()
claude = AsyncAnthropic()
MODEL = os.environ.get("COPILOT_MODEL", "claude-3-5-haiku-latest")
COPILOT = (
    "You are a data-science copilot inside a Jupyter-like notebook. Prefer pandas and matplotlib. "
    "When you write code, put it in one ```python block."
)
KERNELS = {"python3": "Python 3.12 with pandas 2.2", "pyspark": "PySpark 3.5"}
SHARED: dict[str, str] = {}


@dataclass
class TabState:
    kernel: str = "python3"
    notebook_title: str = "Untitled"
    history: list[dict] = field(default_factory=list)
    last_answer: str = ""

    def system(self) -> str:
        return f"{COPILOT}\nKernel: {KERNELS[self.kernel]}\nNotebook: {self.notebook_title}"


async def stream_answer(ws: WebSocket, state: TabState, system: str) -> str:
    chunks: list[str] = []
    # ruleid: AIS201
    async with claude.messages.stream(model=MODEL, max_tokens=2048, system=system, messages=state.history) as stream:
        async for delta in stream.text_stream:
            chunks.append(delta)
            await ws.send_json({"type": "delta", "text": delta})
    answer = "".join(chunks)
    state.history.append({"role": "assistant", "content": answer})
    state.last_answer = answer
    return answer


def extract_code(answer: str) -> str:
    if "```python" not in answer:
        return ""
    return answer.split("```python", 1)[1].split("```", 1)[0]


@app.websocket("/ws/copilot")
async def copilot(ws: WebSocket):
    await ws.accept()
    state = TabState()
    hello = await ws.receive_json()
    if hello.get("kernel") in KERNELS:
        state.kernel = hello["kernel"]
    state.notebook_title = hello.get("title", "Untitled")[:120]
    last_answer = ""
    try:
        while True:
            msg = await ws.receive_json()
            kind = msg.get("type")
            if kind == "ask":
                state.history.append({"role": "user", "content": msg["text"]})
                last_answer = await stream_answer(ws, state, state.system())
            elif kind == "explain_cell":
                cell = msg["source"]
                # ruleid: AIS202
                state.history.append({"role": "user", "content": f"Explain what this cell does, step by step, then suggest one improvement:\n{cell}"})
                last_answer = await stream_answer(ws, state, state.system())
            elif kind == "explain_safe":
                cell = msg["source"]
                # ok: AIS202
                state.history.append({"role": "user", "content": "Explain this notebook cell (JSON-encoded):\n" + json.dumps(cell)})
                await stream_answer(ws, state, state.system())
            elif kind == "run_suggestion":
                code = extract_code(last_answer)
                buf = io.StringIO()
                with redirect_stdout(buf):
                    # ruleid: AIS301
                    exec(compile(code, "<copilot>", "exec"), {"__name__": "__copilot__"})
                await ws.send_json({"type": "output", "text": buf.getvalue()})
            elif kind == "share":
                share_id = uuid.uuid4().hex
                SHARED[share_id] = state.last_answer
                await ws.send_json({"type": "shared", "url": f"/share/{share_id}"})
    except WebSocketDisconnect:
        return


@app.websocket("/ws/quick")
async def quick(ws: WebSocket):
    await ws.accept()
    question = await ws.receive_text()
    # ok: AIS201
    resp = await claude.messages.create(model=MODEL, max_tokens=1024, system=COPILOT, messages=[{"role": "user", "content": question}])
    await ws.send_text(resp.content[0].text)
    await ws.close()


@app.get("/share/{share_id}", response_class=HTMLResponse)
async def share(share_id: str):
    answer = SHARED.get(share_id)
    if answer is None:
        raise HTTPException(404)
    # ok: AIS303
    return HTMLResponse(f"<article><pre>{html.escape(answer)}</pre></article>")


@app.get("/share/{share_id}/rich", response_class=HTMLResponse)
async def share_rich(share_id: str):
    answer = SHARED.get(share_id)
    if answer is None:
        raise HTTPException(404)
    rendered = await claude.messages.create(
        model=MODEL,
        max_tokens=2048,
        system="Convert the markdown to an HTML fragment.",
        messages=[{"role": "user", "content": answer}],
    )
    fragment = rendered.content[0].text
    # ruleid: AIS303
    return HTMLResponse("<article class='rich'>" + fragment + "</article>")


@app.get("/share/{share_id}/clean", response_class=HTMLResponse)
async def share_clean(share_id: str):
    answer = SHARED.get(share_id)
    if answer is None:
        raise HTTPException(404)
    rendered = await claude.messages.create(
        model=MODEL,
        max_tokens=2048,
        system="Convert the markdown to an HTML fragment.",
        messages=[{"role": "user", "content": answer}],
    )
    safe = bleach.clean(rendered.content[0].text, tags={"p", "pre", "code", "ul", "li", "strong", "em"})
    # ok: AIS303
    return HTMLResponse("<article class='rich'>" + safe + "</article>")


@app.get("/explain", response_class=HTMLResponse)
async def explain_snippet(code: str):
    pieces = []
    async with claude.messages.stream(
        model=MODEL,
        max_tokens=1024,
        system="Explain the code as an HTML fragment using <p> and <code> only.",
        messages=[{"role": "user", "content": code}],
    ) as stream:
        async for text in stream.text_stream:
            pieces.append(text)
    explanation = "".join(pieces)
    # ruleid: AIS303
    return HTMLResponse(content="<div class='explain'>" + explanation + "</div>")


@app.post("/chart-config")
async def chart_config(body: dict):
    resp = await claude.messages.create(
        model=MODEL,
        max_tokens=300,
        system="Reply with a Python dict literal {'kind': ..., 'x': ..., 'y': ...} for a matplotlib chart.",
        messages=[{"role": "user", "content": str(body.get("description", ""))}],
    )
    # ok: AIS301
    config = ast.literal_eval(resp.content[0].text.strip())
    return {"config": config}


@app.post("/title")
async def suggest_title(body: dict):
    resp = await claude.messages.create(
        model=MODEL,
        max_tokens=30,
        system="Suggest a notebook title, five words max.",
        messages=[{"role": "user", "content": str(body.get("cells", ""))[:6000]}],
    )
    # ok: AIS303
    return PlainTextResponse(resp.content[0].text)
