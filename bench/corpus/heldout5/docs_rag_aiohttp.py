"""Product-docs assistant over a LlamaIndex vector store (aiohttp + LlamaIndex + OpenAI)."""

from __future__ import annotations

import html
import json
import os
import re

from aiohttp import web
from llama_index.core import PromptTemplate, Settings, StorageContext, load_index_from_storage
from llama_index.core.chat_engine import SimpleChatEngine
from llama_index.core.llms import ChatMessage, MessageRole
from llama_index.llms.openai import OpenAI

Settings.llm = OpenAI(model=os.environ.get("DOCS_MODEL", "gpt-4o-mini"), temperature=0.1)
STORAGE = os.environ.get("DOCS_INDEX_DIR", "./storage")
DOCS_DIR = os.environ.get("DOCS_SOURCE_DIR", "./docs")
PRODUCTS = {"cloud", "edge", "sdk"}
LANG_RE = re.compile(r"[a-z]{2}(-[A-Z]{2})?")

QA_TEMPLATE = PromptTemplate(
    "Answer the question using only the documentation excerpts.\n"
    "---------------------\n{context_str}\n---------------------\n"
    "Question: {query_str}\nAnswer: "
)

routes = web.RouteTableDef()


class DocsAssistant:
    def __init__(self) -> None:
        storage = StorageContext.from_defaults(persist_dir=STORAGE)
        self.index = load_index_from_storage(storage)
        self.retriever = self.index.as_retriever(similarity_top_k=4)
        self.llm = Settings.llm

    def excerpts(self, question: str) -> str:
        nodes = self.retriever.retrieve(question)
        return "\n\n".join(n.node.get_content() for n in nodes)

    async def grounded_chat(self, question: str) -> str:
        context = self.excerpts(question)
        messages = [
            ChatMessage(role=MessageRole.SYSTEM, content="Answer from these docs only:\n" + context),
            ChatMessage(role=MessageRole.USER, content=question),
        ]
        # ruleid: AIS204
        resp = await self.llm.achat(messages)
        return resp.message.content or ""

    async def grounded_complete(self, question: str) -> str:
        context = self.excerpts(question)
        prompt = QA_TEMPLATE.format(context_str=context, query_str=question)
        # ruleid: AIS202
        # ok: AIS204
        resp = await self.llm.acomplete(prompt)
        return resp.text


assistant: DocsAssistant | None = None


def get_assistant() -> DocsAssistant:
    global assistant
    if assistant is None:
        assistant = DocsAssistant()
    return assistant


@routes.post("/ask")
async def ask(request: web.Request) -> web.Response:
    body = await request.json()
    answer = await get_assistant().grounded_chat(body["question"])
    return web.json_response({"answer": answer})


@routes.post("/ask/plain")
async def ask_plain(request: web.Request) -> web.Response:
    body = await request.json()
    answer = await get_assistant().grounded_complete(body["question"])
    return web.json_response({"answer": answer})


@routes.post("/chat/{product}")
async def product_chat(request: web.Request) -> web.Response:
    product = request.match_info["product"]
    audience = request.query.get("audience", "developers")
    body = await request.json()
    # ruleid: AIS201
    engine = get_assistant().index.as_chat_engine(
        chat_mode="context",
        system_prompt=f"You support the {product} product. Explain things for {audience}.",
    )
    resp = await engine.achat(body["message"])
    return web.json_response({"answer": str(resp)})


@routes.post("/chat-safe/{product}")
async def product_chat_safe(request: web.Request) -> web.Response:
    product = request.match_info["product"]
    if product not in PRODUCTS:
        raise web.HTTPNotFound()
    lang = request.query.get("lang", "en")
    if not LANG_RE.fullmatch(lang):
        raise web.HTTPBadRequest(text="bad lang")
    body = await request.json()
    # ok: AIS201
    engine = SimpleChatEngine.from_defaults(
        system_prompt=f"You support the {product} product. Reply in language '{lang}'.",
    )
    resp = await engine.achat(body["message"])
    return web.json_response({"answer": str(resp)})


@routes.post("/custom-qa")
async def custom_qa(request: web.Request) -> web.Response:
    body = await request.json()
    # ruleid: AIS203
    template = PromptTemplate(body["template"])
    engine = get_assistant().index.as_query_engine(text_qa_template=template)
    resp = await engine.aquery(body["question"])
    return web.json_response({"answer": str(resp)})


@routes.post("/qa")
async def qa(request: web.Request) -> web.Response:
    body = await request.json()
    # ok: AIS203
    engine = get_assistant().index.as_query_engine(text_qa_template=QA_TEMPLATE)
    resp = await engine.aquery(body["question"])
    return web.json_response({"answer": str(resp)})


@routes.get("/answer.html")
async def answer_html(request: web.Request) -> web.Response:
    question = request.query.get("q", "")
    resp = await get_assistant().llm.acomplete(question)
    # ruleid: AIS303
    return web.Response(text=f"<html><body><main>{resp.text}</main></body></html>", content_type="text/html")


@routes.get("/answer-safe.html")
async def answer_safe_html(request: web.Request) -> web.Response:
    resp = await get_assistant().llm.acomplete(request.query.get("q", ""))
    # ok: AIS303
    return web.Response(text=f"<main>{html.escape(resp.text)}</main>", content_type="text/html")


@routes.get("/related")
async def related(request: web.Request) -> web.Response:
    # ok: AIS202
    resp = await get_assistant().llm.acomplete(
        "List three documentation page slugs related to: " + json.dumps(request.query.get("q", ""))
    )
    slugs = [s.strip() for s in resp.text.splitlines() if s.strip()]
    previews = {}
    for slug in slugs[:3]:
        # ruleid: AIS304
        with open(os.path.join(DOCS_DIR, slug + ".md"), encoding="utf-8") as fh:
            previews[slug] = fh.read(400)
    return web.json_response({"slugs": slugs, "previews": previews})


def create_app() -> web.Application:
    app = web.Application()
    app.add_routes(routes)
    return app
