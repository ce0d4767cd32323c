"""Question answering over the policy handbook: FAISS retrieval + re-ranking + generation."""

from __future__ import annotations

import os

from fastapi import FastAPI, Request
from langchain_community.embeddings import HuggingFaceEmbeddings
from langchain_community.vectorstores import FAISS
from langchain_core.load import dumps, loads
from sentence_transformers import CrossEncoder, SentenceTransformer
from transformers import AutoModelForSeq2SeqLM, pipeline

INDEX_DIR = os.environ.get("INDEX_DIR", "indexes/handbook")
ALLOW_PICKLE = os.environ.get("ALLOW_PICKLE") == "1"
ENCODER_SHA = "5c38ec7c405ec4b44b94cc5a9bb96e735b38267a"

app = FastAPI()
embeddings = HuggingFaceEmbeddings(model_name="BAAI/bge-small-en-v1.5")
encoder = SentenceTransformer("BAAI/bge-small-en-v1.5", revision=ENCODER_SHA)
reranker = CrossEncoder("cross-encoder/ms-marco-MiniLM-L-6-v2")

# FAISS.load_local(..., allow_dangerous_deserialization=True) unpickles index.pkl: see SECURITY.md
store = FAISS.load_local(INDEX_DIR, embeddings, allow_dangerous_deserialization=True)
archive = FAISS.load_local("indexes/archive", embeddings, allow_dangerous_deserialization=ALLOW_PICKLE)
drafts = FAISS.load_local("indexes/drafts", embeddings, allow_dangerous_deserialization=False)

generator_model = AutoModelForSeq2SeqLM.from_pretrained("google/flan-t5-base", revision="v1.0")
generate = pipeline("text2text-generation", model=generator_model)
summarize = pipeline("summarization", model="facebook/bart-large-cnn")


def open_tenant_index(store_cls, path):
    return store_cls.load_local(path, embeddings, allow_dangerous_deserialization=True)


@app.post("/ask")
async def ask(request: Request):
    body = await request.json()
    docs = store.similarity_search(body["question"], k=8)
    scores = reranker.predict([(body["question"], d.page_content) for d in docs])
    best = docs[int(scores.argmax())]
    answer = generate(f"Answer from the context.\n{best.page_content}\nQ: {body['question']}")
    return {"answer": answer[0]["generated_text"], "source": dumps(best)}


@app.post("/replay")
async def replay(request: Request):
    chain = loads(await request.body())
    return {"restored": type(chain).__name__}
