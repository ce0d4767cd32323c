"""Translation microservice (Starlette). Cohere for glossary-aware translation, Mistral for the rest."""

from __future__ import annotations

import html
import os

import cohere
from langchain_core.prompts import ChatPromptTemplate, PromptTemplate
from mistralai import Mistral
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse
from starlette.routing import Route

LANGUAGES = {"de": "German", "fr": "French", "es": "Spanish", "ja": "Japanese"}
MISTRAL_MODEL = os.environ.get("MISTRAL_MODEL", "mistral-large-latest")
GLOSSARY_TEMPLATE = "Translate to {language}. Use this approved glossary:\n{glossary}\n\nText:\n{text}"
co = cohere.Client(os.environ["COHERE_API_KEY"])
mistral = Mistral(api_key=os.environ["MISTRAL_API_KEY"])


def _language(code: str) -> str | None:
    if code not in LANGUAGES:
        return None
    return LANGUAGES[code]


async def glossary_translate(request: Request) -> JSONResponse:
    body = await request.json()
    language = _language(body.get("target", ""))
    if language is None:
        return JSONResponse({"error": "unsupported language"}, status_code=400)
    glossary = "\n".join(f"{k} -> {v}" for k, v in body.get("glossary", {}).items())
    # ruleid: AIS201
    reply = co.chat(
        model="command-r-plus",
        preamble=f"You are a professional translator into {language}. Always apply this glossary:\n{glossary}",
        message=body["text"],
    )
    return JSONResponse({"translation": reply.text})


async def plain_translate(request: Request) -> JSONResponse:
    body = await request.json()
    language = _language(body.get("target", ""))
    if language is None:
        return JSONResponse({"error": "unsupported language"}, status_code=400)
    # ok: AIS201
    # ok: AIS202
    reply = co.chat(model="command-r", preamble=f"Translate every message into {language}.", message=body["text"])
    return JSONResponse({"translation": reply.text})


async def styled_translate(request: Request) -> JSONResponse:
    body = await request.json()
    style = body.get("style", "")
    if len(style) > 200:
        return JSONResponse({"error": "style too long"}, status_code=400)
    # ruleid: AIS201
    reply = co.chat(model="command-r", preamble="Translate into English. Style rules: " + style, message=body["text"])
    return JSONResponse({"translation": reply.text})


async def quick_translate(request: Request) -> JSONResponse:
    params = request.query_params
    language = _language(params.get("to", "de"))
    if language is None:
        return JSONResponse({"error": "unsupported language"}, status_code=400)
    text = params.get("q", "")
    # ruleid: AIS202
    reply = mistral.chat.complete(
        model=MISTRAL_MODEL,
        messages=[{"role": "user", "content": f"Translate the following text to {language}. Keep the formatting.\n\n{text}"}],
    )
    return JSONResponse({"translation": reply.choices[0].message.content})


async def fenced_translate(request: Request) -> JSONResponse:
    text = (await request.form())["text"]
    # ruleid: AIS202
    reply = mistral.chat.complete(
        model=MISTRAL_MODEL,
        messages=[{"role": "user", "content": f'Translate to French. Only translate the text between the quotes.\n"""\n{text}\n"""'}],
    )
    return JSONResponse({"translation": reply.choices[0].message.content})


async def escaped_translate(request: Request) -> PlainTextResponse:
    text = (await request.form())["text"]
    # ok: AIS202
    reply = mistral.chat.complete(
        model=MISTRAL_MODEL,
        messages=[{"role": "user", "content": "Translate to French the text inside <text>:\n<text>" + html.escape(text) + "</text>"}],
    )
    # ok: AIS303
    return PlainTextResponse(reply.choices[0].message.content)


async def translate_page(request: Request) -> HTMLResponse:
    text = (await request.form())["html"]
    reply = mistral.chat.complete(
        model=MISTRAL_MODEL,
        messages=[
            {"role": "system", "content": "Translate HTML fragments to German, keeping every tag."},
            {"role": "user", "content": text},
        ],
    )
    translated = reply.choices[0].message.content
    # ruleid: AIS303
    return HTMLResponse(f"<article lang='de'>{translated}</article>")


async def custom_template(request: Request) -> JSONResponse:
    body = await request.json()
    # ruleid: AIS203
    prompt = PromptTemplate(template=body["template"], input_variables=["text"], template_format="jinja2")
    return JSONResponse({"preview": prompt.format(text="Hello world")})


async def custom_chat_template(request: Request) -> JSONResponse:
    body = await request.json()
    # ruleid: AIS203
    prompt = ChatPromptTemplate.from_messages([("human", body["template"])])
    return JSONResponse({"variables": prompt.input_variables})


async def glossary_preview(request: Request) -> JSONResponse:
    body = await request.json()
    # ok: AIS203
    prompt = PromptTemplate.from_template(GLOSSARY_TEMPLATE)
    return JSONResponse({"variables": prompt.input_variables, "language": _language(body.get("target", ""))})


app = Starlette(
    routes=[
        Route("/translate/glossary", glossary_translate, methods=["POST"]),
        Route("/translate", plain_translate, methods=["POST"]),
        Route("/translate/styled", styled_translate, methods=["POST"]),
        Route("/translate/quick", quick_translate),
        Route("/translate/fenced", fenced_translate, methods=["POST"]),
        Route("/translate/escaped", escaped_translate, methods=["POST"]),
        Route("/translate/page", translate_page, methods=["POST"]),
        Route("/templates/custom", custom_template, methods=["POST"]),
        Route("/templates/chat", custom_chat_template, methods=["POST"]),
        Route("/templates/glossary", glossary_preview, methods=["POST"]),
    ]
)
