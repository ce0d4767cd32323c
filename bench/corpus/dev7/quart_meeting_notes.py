"""Meeting-notes service on Quart: streams summaries from Fireworks and turns action items into jobs."""
from __future__ import annotations

import os
import shlex
import sqlite3
import subprocess
from contextlib import contextmanager
from functools import wraps

from openai import AsyncOpenAI
from quart import Quart, jsonify, render_template, request

app = Quart(__name__)
fireworks = AsyncOpenAI(base_url="https://api.fireworks.ai/inference/v1", api_key=os.environ["FIREWORKS_API_KEY"])
MODEL = "accounts/fireworks/models/llama-v3p1-70b-instruct"
SCRIBE = "You are a meeting scribe. Produce concise notes with decisions and action items."
ALLOWED_FORMATS = ("bullets", "table", "prose")


def require_team(handler):
    @wraps(handler)
    async def wrapper(*args, **kwargs):
        if not request.headers.get("X-Team"):
            return jsonify({"error": "missing team"}), 403
        return await handler(*args, **kwargs)

    return wrapper


@contextmanager
def notes_db():
    conn = sqlite3.connect("notes.db")
    try:
        yield conn.cursor()
        conn.commit()
    finally:
        conn.close()


async def ask(**kwargs) -> str:
    # ok: AIS201, AIS202
    resp = await fireworks.chat.completions.create(model=MODEL, **kwargs)
    return resp.choices[0].message.content or ""


async def stream_summary(transcript: str, fmt: str):
    # ok: AIS202
    stream = await fireworks.chat.completions.create(
        model=MODEL,
        stream=True,
        messages=[{"role": "system", "content": f"{SCRIBE} Output format: {fmt}."}, {"role": "user", "content": transcript}],
    )
    async for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            yield chunk.choices[0].delta.content


@app.post("/notes")
@require_team
async def make_notes():
    form = await request.form
    fmt = form.get("format", "bullets")
    if fmt not in ALLOWED_FORMATS:
        fmt = "bullets"
    parts = []
    async for piece in stream_summary(form["transcript"], fmt):
        parts.append(piece)
    notes = "".join(parts)
    with notes_db() as cur:
        # ok: AIS302
        cur.execute("INSERT INTO notes(team, body) VALUES (?, ?)", (request.headers["X-Team"], notes))
        # ruleid: AIS302
        cur.executescript(f"INSERT INTO notes(team, body) VALUES ('archive', '{notes}');")
    # ok: AIS303
    return await render_template("notes.html", notes=notes)


@app.post("/notes/custom")
@require_team
async def custom_notes():
    data = await request.get_json()
    # ruleid: AIS201
    notes = await ask(messages=[{"role": "system", "content": data["scribe_persona"]}, {"role": "user", "content": data["transcript"]}])
    return jsonify({"notes": notes})


@app.post("/notes/agenda")
@require_team
async def agenda():
    data = await request.get_json()
    prompt = " ".join(["Turn these topics into a 30-minute agenda:", *data["topics"]])
    # ruleid: AIS202
    agenda_text = await ask(messages=[{"role": "user", "content": prompt}])
    return jsonify({"agenda": agenda_text})


@app.post("/actions/schedule")
@require_team
async def schedule_actions():
    data = await request.get_json()
    command = await ask(
        messages=[
            {"role": "system", "content": "Turn the action item into one `at` scheduler command line. Command only."},
            {"role": "user", "content": data["action_item"]},
        ]
    )
    # ruleid: AIS301
    subprocess.run(shlex.split(command), check=True)
    return jsonify({"scheduled": command})


@app.post("/actions/remind")
@require_team
async def remind():
    data = await request.get_json()
    when = await ask(messages=[{"role": "user", "content": data["action_item"]}])
    # ok: AIS301
    subprocess.run(["notify-send", "Reminder", when], check=True)
    return jsonify({"when": when})
