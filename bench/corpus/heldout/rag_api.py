# Held-out corpus. Semgrep-style annotations: `# ruleid: CODE` / `# ok: CODE` apply to the next code line.
"""FastAPI retrieval-augmented QA endpoint using Anthropic messages."""

import json

import anthropic
import httpx
import requests
from fastapi import FastAPI
from fastapi.responses import HTMLResponse, JSONResponse
from langchain_community.vectorstores import FAISS
from langchain_openai import OpenAIEmbeddings
from pydantic import BaseModel

app = FastAPI()
claude = anthropic.Anthropic()
store = FAISS.load_local("index", OpenAIEmbeddings())

SYSTEM = "You answer questions about the internal engineering handbook. Cite sources."


class Ask(BaseModel):
    question: str
    audience: str = "engineers"
    top_k: int = 4


@app.post("/ask")
def ask(req: Ask):
    docs = store.similarity_search(req.question, k=req.top_k)
    context = "\n\n".join(d.page_content for d in docs)
    # ruleid: AIS204
    msg = claude.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=1024,
        system=SYSTEM + "\n\nContext:\n" + context,
        messages=[{"role": "user", "content": req.question}],
    )
    return {"answer": msg.content[0].text}


@app.post("/ask/audience")
def ask_audience(req: Ask):
    # ruleid: AIS201
    msg = claude.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=1024,
        system=[{"type": "text", "text": f"{SYSTEM} Tailor the answer for {req.audience}."}],
        messages=[{"role": "user", "content": req.question}],
    )
    return {"answer": msg.content[0].text}


@app.post("/ask/plain")
def ask_plain(req: Ask):
    # ok: AIS201, AIS202, AIS204
    msg = claude.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=1024,
        system=SYSTEM,
        messages=[{"role": "user", "content": req.question}],
    )
    return JSONResponse({"answer": msg.content[0].text})


@app.get("/page-qa")
def page_qa(url: str, question: str):
    page = requests.get(url, timeout=10).text
    # ruleid: AIS204
    msg = claude.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=512,
        system=f"Answer using only this web page:\n{page}",
        messages=[{"role": "user", "content": question}],
    )
    answer = msg.content[0].text
    # ruleid: AIS303
    return HTMLResponse(f"<article>{answer}</article>")


@app.get("/changelog")
async def changelog(question: str):
    async with httpx.AsyncClient() as http:
        notes = (await http.get("https://example.com/CHANGELOG.md")).text
    # ruleid: AIS204
    msg = claude.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=512,
        system=[{"type": "text", "text": "Release notes follow.\n" + notes}],
        messages=[{"role": "user", "content": question}],
    )
    return {"answer": msg.content[0].text}


@app.get("/define")
def define(term: str):
    # ruleid: AIS202
    msg = claude.messages.create(
        model="claude-haiku-4-5",
        max_tokens=200,
        messages=[{"role": "user", "content": "Define the term '" + term + "' in one sentence for a glossary."}],
    )
    return {"definition": msg.content[0].text}


@app.get("/define/encoded")
def define_encoded(term: str):
    payload = json.dumps({"term": term})
    # ok: AIS202
    msg = claude.messages.create(
        model="claude-haiku-4-5",
        max_tokens=200,
        messages=[{"role": "user", "content": f"Define the term given in this JSON in one sentence: {payload}"}],
    )
    # ok: AIS303
    return JSONResponse({"definition": msg.content[0].text})


@app.get("/define/limit")
def define_limit(term: str, words: int):
    n = int(words)
    # ok: AIS201
    msg = claude.messages.create(
        model="claude-haiku-4-5",
        max_tokens=200,
        system=f"Answer in at most {n} words.",
        messages=[{"role": "user", "content": term}],
    )
    return {"definition": msg.content[0].text}
