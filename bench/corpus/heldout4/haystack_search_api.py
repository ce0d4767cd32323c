"""FastAPI endpoint in front of a Haystack 2 RAG pipeline over the product manuals."""

import json
import os
import re

from fastapi import FastAPI, HTTPException
from fastapi.responses import HTMLResponse, PlainTextResponse
from haystack import Pipeline
from haystack.components.builders import PromptBuilder
from haystack.components.generators import OpenAIGenerator
from haystack.components.generators.chat import OpenAIChatGenerator
from haystack.components.retrievers.in_memory import InMemoryBM25Retriever
from haystack.dataclasses import ChatMessage
from haystack.document_stores.in_memory import InMemoryDocumentStore
from pydantic import BaseModel

app = FastAPI()
store = InMemoryDocumentStore()
retriever = InMemoryBM25Retriever(document_store=store)
chat = OpenAIChatGenerator(model=os.environ.get("RAG_MODEL", "gpt-4o-mini"))

ANSWER_TEMPLATE = """Answer using only these manual excerpts.
{% for doc in documents %}- {{ doc.content }}
{% endfor %}
Question: {{ question }}"""
TEMPLATES = {
    "short": "Answer in one sentence: {{ question }}",
    "steps": "Answer as numbered steps: {{ question }}",
}
PRODUCT_CODE = re.compile(r"[A-Z]{2}-\d{4}")


class Ask(BaseModel):
    question: str
    style: str = "short"
    template: str | None = None
    brand_voice: str = ""


def build_pipeline(template: str) -> Pipeline:
    pipe = Pipeline()
    # ruleid: AIS203
    pipe.add_component("prompt", PromptBuilder(template=template))
    pipe.add_component("llm", OpenAIGenerator(model="gpt-4o-mini"))
    pipe.connect("prompt", "llm")
    return pipe


@app.post("/ask/custom")
def ask_custom(body: Ask):
    if not body.template:
        raise HTTPException(400, "template required")
    result = build_pipeline(body.template).run({"prompt": {"question": "What is the warranty?"}})
    return {"answer": result["llm"]["replies"][0]}


@app.post("/ask/styled")
def ask_styled(body: Ask):
    if body.style not in TEMPLATES:
        raise HTTPException(400, "unknown style")
    # ok: AIS203
    builder = PromptBuilder(template=TEMPLATES[body.style])
    prompt = builder.run(question="How do I reset the device?")["prompt"]
    return {"prompt": prompt}


@app.post("/ask")
def ask(body: Ask):
    docs = retriever.run(query=body.question, top_k=4)["documents"]
    excerpts = "\n".join(doc.content for doc in docs)
    # ruleid: AIS204
    # ok: AIS202
    messages = [
        ChatMessage.from_system("You answer from these manual excerpts only:\n" + excerpts),
        ChatMessage.from_user(body.question),
    ]
    reply = chat.run(messages=messages)["replies"][0]
    # ok: AIS303
    return PlainTextResponse(reply.text)


@app.post("/ask/voice")
def ask_voice(body: Ask):
    # ruleid: AIS201
    messages = [
        ChatMessage.from_system(f"You are the support assistant. Brand voice: {body.brand_voice}"),
        ChatMessage.from_user(body.question),
    ]
    reply = chat.run(messages=messages)["replies"][0]
    # ruleid: AIS303
    return HTMLResponse(f"<section class='answer'>{reply.text}</section>")


@app.get("/product/{code}")
def product_answer(code: str, question: str):
    if not PRODUCT_CODE.fullmatch(code):
        raise HTTPException(400, "bad product code")
    # ok: AIS201
    # ruleid: AIS202
    messages = [
        ChatMessage.from_system(f"Only discuss product {code}."),
        ChatMessage.from_user(f"Reply with a safety warning first, then answer: {question}"),
    ]
    reply = chat.run(messages=messages)["replies"][0]
    return {"answer": reply.text}


@app.get("/compare")
def compare(first: str, second: str):
    prompt = "Compare these two product names (JSON array): " + json.dumps([first, second])
    # ok: AIS202
    reply = chat.run(messages=[ChatMessage.from_user(prompt)])["replies"][0]
    # ok: AIS304
    parsed = json.loads(reply.text)
    return {"comparison": parsed}
