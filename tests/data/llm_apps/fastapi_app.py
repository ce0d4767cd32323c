"""A RAG service: FastAPI + Anthropic + a vector store, with typed parameters and dependencies."""

from typing import Literal

import anthropic
from fastapi import APIRouter, Depends, FastAPI, Request
from pydantic import BaseModel
from sqlalchemy.orm import Session

from .db import get_session, vector_store

app = FastAPI()
router = APIRouter()
claude = anthropic.Anthropic()

SYSTEM = "You answer questions about the ACME handbook. Cite the section you used."


class Question(BaseModel):
    text: str
    audience: str
    max_sentences: int
    tone: Literal["plain", "technical"]


def tone_line(tone):
    return f"Write in a {tone} register."


@router.post("/ask")
def ask(question: Question, db: Session = Depends(get_session)):
    docs = vector_store.similarity_search(question.text, k=4)
    context = "\n\n".join(doc.page_content for doc in docs)
    reply = claude.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=800,
        system=f"{SYSTEM} {tone_line(question.tone)} Use at most {question.max_sentences} sentences.",
        messages=[
            {"role": "user", "content": f"Answer using only these excerpts:\n{context}\n\nQuestion: {question.text}"},  # <- AIS202 (and AIS204 with report-spliced)
        ],
    )
    return {"answer": reply.content[0].text}


@router.post("/explain")
def explain(question: Question):
    reply = claude.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=400,
        system=SYSTEM + f" The reader is {question.audience}.",  # <- AIS201
        messages=[{"role": "user", "content": question.text}],
    )
    return {"answer": reply.content[0].text}


@app.post("/raw")
async def raw(request: Request):
    body = await request.json()
    reply = claude.messages.create(model="claude-haiku-4-5", max_tokens=200, messages=body["messages"])  # <- AIS201
    return {"answer": reply.content[0].text}


@app.get("/greet/{name}")
def greet(name: str, lang: str = "en", count: int = 1):
    reply = claude.messages.create(
        model="claude-haiku-4-5",
        max_tokens=100,
        system=f"Greet the user {count} times.",
        messages=[{"role": "user", "content": name}],
    )
    return {"greeting": reply.content[0].text}


app.include_router(router)
