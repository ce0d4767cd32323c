"""Knowledge-base answers for the partner portal: FastAPI + LlamaIndex over Qdrant."""
from __future__ import annotations

import os

import qdrant_client
from fastapi import FastAPI, Header
from llama_index.core import PromptTemplate, VectorStoreIndex
from llama_index.core.llms import ChatMessage, MessageRole
from llama_index.llms.openai import OpenAI
from llama_index.vector_stores.qdrant import QdrantVectorStore
from pydantic import BaseModel

app = FastAPI(title="kb-rag")
llm = OpenAI(model="gpt-4o-mini", temperature=0)
store = QdrantVectorStore(client=qdrant_client.QdrantClient(url=os.environ["QDRANT_URL"]), collection_name="partner_kb")
index = VectorStoreIndex.from_vector_store(store)

KB_SYSTEM = "You answer partner questions using only the knowledge base. Cite article titles."
# ok: AIS203
DEFAULT_QA = PromptTemplate(
    "Context:\n{context_str}\n---\nAnswer the question using only the context.\nQuestion: {query_str}\nAnswer: "
)


class Question(BaseModel):
    question: str
    partner_name: str = ""
    qa_template: str | None = None
    follow_up_template: str | None = None


@app.post("/kb/chat")
def kb_chat(q: Question):
    # ruleid: AIS201
    engine = index.as_chat_engine(
        chat_mode="context",
        llm=llm,
        system_prompt=f"{KB_SYSTEM} You are talking to {q.partner_name}, a certified partner.",
    )
    return {"answer": str(engine.chat(q.question))}


@app.post("/kb/chat/plain")
def kb_chat_plain(q: Question):
    # ok: AIS201
    engine = index.as_chat_engine(chat_mode="context", llm=llm, system_prompt=KB_SYSTEM)
    return {"answer": str(engine.chat(q.question))}


@app.post("/kb/grounded")
def kb_grounded(q: Question):
    nodes = index.as_retriever(similarity_top_k=4).retrieve(q.question)
    context = "\n\n".join(n.node.get_content() for n in nodes)
    # ruleid: AIS204
    reply = llm.chat(
        [
            ChatMessage(role=MessageRole.SYSTEM, content=f"{KB_SYSTEM}\nKnowledge base excerpts:\n{context}"),
            ChatMessage(role=MessageRole.USER, content=q.question),
        ]
    )
    return {"answer": reply.message.content}


@app.post("/kb/grounded-v2")
def kb_grounded_v2(q: Question):
    nodes = index.as_retriever(similarity_top_k=4).retrieve(q.question)
    context = "\n\n".join(n.node.get_content() for n in nodes)
    # ok: AIS204
    reply = llm.chat(
        [
            ChatMessage(role=MessageRole.SYSTEM, content=KB_SYSTEM),
            ChatMessage(role=MessageRole.USER, content=context),
            ChatMessage(role=MessageRole.USER, content=q.question),
        ]
    )
    return {"answer": reply.message.content}


@app.post("/kb/agent-brief")
def kb_agent_brief(q: Question):
    top = index.as_retriever(similarity_top_k=1).retrieve(q.question)
    playbook = top[0].node.get_content() if top else ""
    # ruleid: AIS204
    engine = index.as_chat_engine(chat_mode="condense_plus_context", llm=llm, system_prompt=KB_SYSTEM + "\nFollow this playbook:\n" + playbook)
    return {"answer": str(engine.chat(q.question))}


@app.post("/kb/query")
def kb_query(q: Question, x_tenant: str = Header(default="default")):
    if q.qa_template:
        # ruleid: AIS203
        qa_template = PromptTemplate(q.qa_template)
    else:
        qa_template = DEFAULT_QA
    engine = index.as_query_engine(llm=llm, text_qa_template=qa_template, similarity_top_k=4)
    return {"tenant": x_tenant, "answer": str(engine.query(q.question))}


@app.post("/kb/follow-ups")
def kb_follow_ups(q: Question):
    if not q.follow_up_template:
        return {"follow_ups": []}
    # ruleid: AIS203
    follow_template = PromptTemplate(template=q.follow_up_template)
    engine = index.as_query_engine(llm=llm, text_qa_template=follow_template, similarity_top_k=2)
    return {"follow_ups": str(engine.query(q.question)).splitlines()}


@app.post("/kb/summary")
def kb_summary(q: Question):
    # ok: AIS203
    summary_template = PromptTemplate("Summarise the answer below for a busy partner in two sentences:\n{answer}")
    answer = str(index.as_query_engine(llm=llm).query(q.question))
    return {"summary": llm.complete(summary_template.format(answer=answer)).text}
