"""Litestar service: transcribe uploaded meeting audio with Whisper, summarise with GPT, file actions."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import requests
import whisper
import yaml
from litestar import Litestar, MediaType, Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body
from openai import OpenAI

client = OpenAI()
asr = whisper.load_model(os.environ.get("WHISPER_MODEL", "base"))
TRACKER_URL = os.environ.get("TRACKER_URL", "https://tracker.internal.example/api/tasks")
NOTES_DIR = Path(os.environ.get("NOTES_DIR", "/var/lib/meeting-notes"))
SUMMARY_SYSTEM = "You summarise meetings as YAML with keys: summary, decisions, actions (list of {owner, task})."


@dataclass
class MeetingForm:
    audio: UploadFile
    title: str
    glossary: str = ""


class Summariser:
    def __init__(self, model: str = "gpt-4o"):
        self.model = model
        self.last_transcript = ""

    def transcribe(self, upload: UploadFile) -> str:
        if (upload.filename or "").endswith((".txt", ".vtt")):
            self.last_transcript = upload.file.read().decode("utf-8", errors="replace")
            return self.last_transcript
        with tempfile.NamedTemporaryFile(suffix=".m4a") as tmp:
            tmp.write(upload.file.read())
            tmp.flush()
            self.last_transcript = asr.transcribe(tmp.name)["text"]
        return self.last_transcript

    def summarise(self, title: str) -> str:
        # ok: AIS204
        resp = client.chat.completions.create(
            model=self.model,
            messages=[
                {"role": "system", "content": SUMMARY_SYSTEM},
                {"role": "user", "content": self.last_transcript},
            ],
        )
        return resp.choices[0].message.content or ""

    def summarise_with_context(self) -> str:
        # ruleid: AIS204
        resp = client.chat.completions.create(
            model=self.model,
            messages=[
                {"role": "system", "content": SUMMARY_SYSTEM + "\nPrevious meeting transcript:\n" + self.last_transcript},
                {"role": "user", "content": "Summarise what changed since the previous meeting."},
            ],
        )
        return resp.choices[0].message.content or ""

    def summarise_with_glossary(self, glossary: str) -> str:
        # ruleid: AIS201
        resp = client.chat.completions.create(
            model=self.model,
            messages=[
                {"role": "system", "content": f"{SUMMARY_SYSTEM}\nTeam glossary: {glossary}"},
                {"role": "user", "content": self.last_transcript},
            ],
        )
        return resp.choices[0].message.content or ""


def file_actions(summary_yaml: str) -> list[dict]:
    # ruleid: AIS304
    doc = yaml.load(summary_yaml, Loader=yaml.Loader)
    created = []
    for action in doc.get("actions", []):
        # ok: AIS304
        created.append(requests.post(TRACKER_URL, json=action, timeout=10).json())
    return created


def save_notes(title: str, summary_yaml: str) -> Path:
    # ok: AIS304
    doc = yaml.safe_load(summary_yaml) or {}
    owner = str(doc.get("actions", [{}])[0].get("owner", "unassigned"))
    # ruleid: AIS304
    target = open(NOTES_DIR / owner / "notes.json", "w", encoding="utf-8")
    with target:
        json.dump(doc, target)
    return NOTES_DIR / owner / "notes.json"


def webhook_for(summary_yaml: str) -> None:
    doc = yaml.safe_load(summary_yaml) or {}
    callback = doc.get("callback_url", "")
    # ruleid: AIS304
    requests.post(callback, json={"summary": doc.get("summary", "")}, timeout=10)


@post("/meetings")
async def upload_meeting(data: Annotated[MeetingForm, Body(media_type=RequestEncodingType.MULTI_PART)]) -> dict:
    summariser = Summariser()
    summariser.transcribe(data.audio)
    summary = summariser.summarise_with_glossary(data.glossary) if data.glossary else summariser.summarise(data.title)
    file_actions(summary)
    save_notes(data.title, summary)
    webhook_for(summary)
    return {"title": data.title, "summary": summary, "follow_up": summariser.summarise_with_context()}


@get("/meetings/prompt-preview", media_type=MediaType.TEXT)
async def prompt_preview(title: str) -> Response:
    # ruleid: AIS202
    resp = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": "Propose an agenda with five items for a meeting titled " + title}],
    )
    # ok: AIS303
    return Response(resp.choices[0].message.content or "", media_type=MediaType.TEXT)


@get("/meetings/agenda-card")
async def agenda_card(title: str) -> Response:
    # ok: AIS202
    resp = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[
            {"role": "system", "content": "Propose a five-item agenda for the meeting title the user sends."},
            {"role": "user", "content": title},
        ],
    )
    # ruleid: AIS303
    return Response(f"<ul class='agenda'>{resp.choices[0].message.content}</ul>", media_type=MediaType.HTML)


app = Litestar(route_handlers=[upload_meeting, prompt_preview, agenda_card])
