"""Localization service on Starlette: Cohere, Ollama and LlamaIndex translate product strings."""
from __future__ import annotations

import urllib.request
from pathlib import Path

import cohere
import httpx
import ollama
import yaml
from llama_index.core.llms import ChatMessage, MessageRole
from llama_index.llms.openai import OpenAI as LlamaOpenAI
from pydantic import BaseModel
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route

co = cohere.ClientV2()
llm = LlamaOpenAI(model="gpt-4o-mini")
TRANSLATOR = "You translate UI strings. Keep placeholders like {name} unchanged. Output only the translation."
LOCALES = {"de-DE", "fr-FR", "ja-JP", "pt-BR"}
GLOSSARY_DIR = Path("/srv/l10n/glossaries")
EXPORT_DIR = Path("/srv/l10n/exports")


class TranslateRequest(BaseModel):
    text: str
    locale: str
    context_note: str = ""
    glossary: str = "default"


class Formatters:
    def upper(self, text: str) -> str:
        return text.upper()

    def title(self, text: str) -> str:
        return text.title()


async def translate(request: Request) -> JSONResponse:
    body = TranslateRequest(**(await request.json()))
    if body.locale not in LOCALES:
        return JSONResponse({"error": "locale"}, status_code=400)
    # ok: AIS201, AIS202
    resp = co.chat(
        model="command-r-plus",
        messages=[
            {"role": "system", "content": f"{TRANSLATOR} Target locale: {body.locale}."},
            {"role": "user", "content": body.text},
        ],
    )
    return JSONResponse({"translation": resp.message.content[0].text})


async def translate_with_note(request: Request) -> JSONResponse:
    body = TranslateRequest(**(await request.json()))
    # ruleid: AIS201
    resp = ollama.chat(
        model="llama3.1",
        messages=[
            {"role": "system", "content": TRANSLATOR + "\nTranslator note: " + body.context_note},
            {"role": "user", "content": body.text},
        ],
    )
    return JSONResponse({"translation": resp["message"]["content"]})


async def translate_with_glossary(request: Request) -> JSONResponse:
    body = TranslateRequest(**(await request.json()))
    remote = httpx.get(f"https://glossary.acme.example/{body.locale}.txt", timeout=5).text
    # ruleid: AIS204
    messages = [
        ChatMessage(role=MessageRole.SYSTEM, content=TRANSLATOR),
        ChatMessage(role=MessageRole.SYSTEM, content=f"Glossary:\n{remote}"),
        ChatMessage(role=MessageRole.USER, content=body.text),
    ]
    reply = await llm.achat(messages)
    return JSONResponse({"translation": reply.message.content})


async def locale_config(request: Request) -> JSONResponse:
    sample = (await request.json())["sample"]
    resp = ollama.generate(model="llama3.1", system="Describe the locale settings as YAML.", prompt=sample)
    # ruleid: AIS304
    settings = yaml.unsafe_load(resp["response"])
    # ok: AIS304
    safe_settings = yaml.safe_load(resp["response"])
    return JSONResponse({"settings": safe_settings, "keys": list(settings)})


async def fetch_reference(request: Request) -> JSONResponse:
    term = (await request.json())["term"]
    # ruleid: AIS202
    reply = await llm.acomplete(f"Give the Wikipedia URL that best defines: {term}. URL only.")
    # ruleid: AIS304
    with urllib.request.urlopen(str(reply).strip(), timeout=5) as page:
        html = page.read().decode()
    async with httpx.AsyncClient() as http:
        # ok: AIS304
        status = (await http.get("https://status.acme.example/l10n")).status_code
    return JSONResponse({"length": len(html), "status": status})


async def apply_format(request: Request) -> JSONResponse:
    data = await request.json()
    # ruleid: AIS202
    choice = co.chat(
        model="command-r",
        messages=[{"role": "user", "content": f"Pick upper or title for this UI label: {data['label']}"}],
    ).message.content[0].text.strip()
    # ruleid: AIS304
    formatted = getattr(Formatters(), choice)(data["label"])
    return JSONResponse({"label": formatted})


async def export_strings(request: Request) -> JSONResponse:
    data = await request.json()
    # ruleid: AIS202
    reply = await llm.acomplete(f"Suggest a file name for an export of the {data['locale']} strings.")
    # ruleid: AIS304
    (EXPORT_DIR / str(reply).strip()).write_text(data["strings"])
    # ok: AIS304
    (EXPORT_DIR / "latest.txt").write_text(str(reply))
    return JSONResponse({"ok": True})


async def preview(request: Request) -> HTMLResponse:
    data = await request.json()
    # ruleid: AIS202
    reply = await llm.acomplete(f"Render this UI string as an HTML button: {data['label']}")
    # ruleid: AIS303
    return HTMLResponse(f"<html><body>{reply}</body></html>")


app = Starlette(
    routes=[
        Route("/translate", translate, methods=["POST"]),
        Route("/translate/note", translate_with_note, methods=["POST"]),
        Route("/translate/glossary", translate_with_glossary, methods=["POST"]),
        Route("/locale/config", locale_config, methods=["POST"]),
        Route("/reference", fetch_reference, methods=["POST"]),
        Route("/format", apply_format, methods=["POST"]),
        Route("/export", export_strings, methods=["POST"]),
        Route("/preview", preview, methods=["POST"]),
    ]
)
