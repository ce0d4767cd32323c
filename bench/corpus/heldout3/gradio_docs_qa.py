"""Gradio Q&A over the product docs, built on LlamaIndex (persisted vector index, OpenAI LLM)."""

from __future__ import annotations

import os

import gradio as gr
from llama_index.core import PromptTemplate, Settings, StorageContext, load_index_from_storage
from llama_index.core.chat_engine import SimpleChatEngine
from llama_index.core.llms import ChatMessage, MessageRole
from llama_index.llms.openai import OpenAI

Settings.llm = OpenAI(model=os.environ.get("DOCS_MODEL", "gpt-4o-mini"), temperature=0.1)
index = load_index_from_storage(StorageContext.from_defaults(persist_dir=os.environ.get("DOCS_INDEX", "./storage")))
DOCS_SYSTEM = "You answer questions about Acme's product documentation. Cite the page title."
DEFAULT_QA = (
    "Context information is below.\n---------------------\n{context_str}\n---------------------\n"
    "Answer the question using only the context: {query_str}\n"
)
PERSONAS = {"engineer": "a senior engineer", "support": "a friendly support agent", "sales": "a solutions architect"}


def answer(message: str, history: list[dict], persona: str) -> str:
    # ruleid: AIS201
    engine = index.as_chat_engine(chat_mode="context", system_prompt=f"{DOCS_SYSTEM} Answer as {persona}.")
    return str(engine.chat(message))


def answer_with_role(message: str, history: list[dict], role: str) -> str:
    if role not in PERSONAS:
        role = "support"
    # ok: AIS201
    engine = index.as_chat_engine(chat_mode="context", system_prompt=f"{DOCS_SYSTEM} Answer as {PERSONAS[role]}.")
    return str(engine.chat(message))


def release_notes_chat(message: str, history: list[dict]) -> str:
    nodes = index.as_retriever(similarity_top_k=3).retrieve("release notes changelog")
    notes = "\n\n".join(n.node.get_content() for n in nodes)
    # ruleid: AIS204
    engine = SimpleChatEngine.from_defaults(system_prompt="Use these release notes when answering:\n" + notes)
    return engine.chat(message).response


def direct_chat(message: str, style: str) -> str:
    # ruleid: AIS201
    reply = Settings.llm.chat(
        [
            ChatMessage(role=MessageRole.SYSTEM, content=f"{DOCS_SYSTEM} Style: {style}"),
            ChatMessage(role=MessageRole.USER, content=message),
        ]
    )
    return reply.message.content


def rewrite_query(message: str) -> str:
    # ruleid: AIS202
    completion = Settings.llm.complete(f"Rewrite the question as a short keyword search query: {message}")
    return completion.text.strip()


def search_docs(message: str) -> str:
    # ok: AIS202
    completion = Settings.llm.complete(message)
    nodes = index.as_retriever(similarity_top_k=5).retrieve(completion.text)
    return "\n".join(n.node.metadata.get("title", "?") for n in nodes)


def custom_qa(question: str, template_text: str) -> str:
    # ruleid: AIS203
    qa_template = PromptTemplate(template_text)
    engine = index.as_query_engine(text_qa_template=qa_template)
    return str(engine.query(question))


def default_qa(question: str) -> str:
    # ok: AIS203
    qa_template = PromptTemplate(DEFAULT_QA)
    return str(index.as_query_engine(text_qa_template=qa_template).query(question))


with gr.Blocks(title="Docs Q&A") as demo:
    with gr.Tab("Chat"):
        gr.ChatInterface(answer, type="messages", additional_inputs=[gr.Textbox(label="Persona")])
        gr.ChatInterface(answer_with_role, type="messages", additional_inputs=[gr.Dropdown(sorted(PERSONAS))])
        gr.ChatInterface(release_notes_chat, type="messages")
    with gr.Tab("Tools"):
        q, s, out = gr.Textbox(label="Question"), gr.Textbox(label="Style or template"), gr.Textbox(label="Answer")
        gr.Button("Ask").click(direct_chat, inputs=[q, s], outputs=out)
        gr.Button("Rewrite").click(rewrite_query, inputs=q, outputs=out)
        gr.Button("Titles").click(search_docs, inputs=q, outputs=out)
        gr.Button("Custom template").click(custom_qa, inputs=[q, s], outputs=out)
        gr.Button("Default template").click(default_qa, inputs=q, outputs=out)

if __name__ == "__main__":
    demo.launch(server_name="0.0.0.0")
