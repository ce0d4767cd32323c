"""Internal knowledge base: Tornado handlers over a LlamaIndex vector index of the wiki export."""

from __future__ import annotations

import json
import logging
import os
import re

import tornado.escape
import tornado.ioloop
import tornado.web
from llama_index.core import PromptTemplate, Settings, SimpleDirectoryReader, VectorStoreIndex
from llama_index.core.chat_engine import SimpleChatEngine
from llama_index.core.llms import ChatMessage, MessageRole
from llama_index.llms.openai import OpenAI as LlamaOpenAI

log = logging.getLogger("kb")

DOCS_DIR = os.environ.get("KB_DOCS", "/srv/wiki-export")
Settings.llm = LlamaOpenAI(model=os.environ.get("KB_MODEL", "gpt-4.1-mini"), temperature=0)
index = VectorStoreIndex.from_documents(SimpleDirectoryReader(DOCS_DIR).load_data())

DEFAULT_QA = PromptTemplate(
    "Context information is below.\n---------------------\n{context_str}\n---------------------\n"
    "Using only the context, answer the query.\nQuery: {query_str}\nAnswer: "
)
TEAM_TEMPLATES = {
    "brief": PromptTemplate("Context:\n{context_str}\nAnswer in one sentence: {query_str}"),
    "detailed": PromptTemplate("Context:\n{context_str}\nAnswer thoroughly, cite pages: {query_str}"),
}
TICKET_ID = re.compile(r"[A-Z]{2,6}-[0-9]{1,6}")


class AskHandler(tornado.web.RequestHandler):
    def get(self) -> None:
        question = self.get_argument("q")
        style = self.get_argument("style", "brief")
        template = TEAM_TEMPLATES.get(style, DEFAULT_QA)
        # ok: AIS202, AIS203
        engine = index.as_query_engine(text_qa_template=template)
        response = engine.query(question)
        # ok: AIS303
        self.write({"answer": str(response), "sources": [n.node.ref_doc_id for n in response.source_nodes]})


class CustomTemplateHandler(tornado.web.RequestHandler):
    def post(self) -> None:
        question = self.get_body_argument("q")
        raw_template = self.get_body_argument("qa_template")
        # ruleid: AIS203
        qa_template = PromptTemplate(raw_template)
        engine = index.as_query_engine(text_qa_template=qa_template)
        response = engine.query(question)
        # ruleid: AIS303
        self.write("<div class='answer'>" + str(response) + "</div>")


class PersonaChatHandler(tornado.web.RequestHandler):
    def post(self) -> None:
        body = json.loads(self.request.body)
        persona = body.get("persona", "a helpful colleague")
        # ruleid: AIS201
        chat_engine = index.as_chat_engine(
            chat_mode="context",
            system_prompt=f"You are {persona}. Answer from the wiki only.",
        )
        reply = chat_engine.chat(body["message"])
        # ok: AIS303
        self.write(tornado.escape.xhtml_escape(str(reply)))


class GroundedChatHandler(tornado.web.RequestHandler):
    """Stuffs retrieved pages into the system prompt of a plain chat engine."""

    def post(self) -> None:
        question = self.get_body_argument("q")
        nodes = index.as_retriever(similarity_top_k=4).retrieve(question)
        context = "\n\n".join(node.get_content() for node in nodes)
        # ruleid: AIS204
        engine = SimpleChatEngine.from_defaults(system_prompt="Answer strictly from these pages:\n" + context)
        reply = engine.chat(question)
        # ok: AIS303
        self.render("answer.html", answer=str(reply))


class RewriteHandler(tornado.web.RequestHandler):
    def get(self) -> None:
        question = self.get_argument("q")
        # ruleid: AIS202
        rewritten = Settings.llm.complete(f"Rewrite the question below so it is self-contained and formal. Keep names.\nQuestion: {question}")
        # ok: AIS202
        answer = Settings.llm.complete(f"Answer using the wiki conventions. Question (JSON): {json.dumps(question)}")
        self.set_header("Content-Type", "application/json")
        self.write(json.dumps({"rewritten": rewritten.text, "answer": answer.text}))


class AttachmentHandler(tornado.web.RequestHandler):
    def post(self) -> None:
        upload = self.request.files["document"][0]
        text = upload["body"].decode("utf-8", errors="replace")
        # ruleid: AIS204
        messages = [
            ChatMessage(role=MessageRole.SYSTEM, content="Use this attached document as policy:\n" + text[:12000]),
            ChatMessage(role=MessageRole.USER, content=self.get_body_argument("q")),
        ]
        reply = Settings.llm.chat(messages)
        # ok: AIS204
        summary = Settings.llm.chat(
            [
                ChatMessage(role=MessageRole.SYSTEM, content="Summarise the user's attachment in five bullets."),
                ChatMessage(role=MessageRole.USER, content=text[:12000]),
            ]
        )
        self.write({"answer": reply.message.content, "summary": summary.message.content})


class TicketHandler(tornado.web.RequestHandler):
    def get(self) -> None:
        ticket = self.get_argument("ticket")
        if not TICKET_ID.fullmatch(ticket):
            raise tornado.web.HTTPError(400, "bad ticket id")
        # ok: AIS201
        engine = SimpleChatEngine.from_defaults(system_prompt=f"You answer questions about ticket {ticket} only.")
        reply = engine.chat(self.get_argument("q"))
        self.write({"reply": str(reply)})


class SourceHandler(tornado.web.RequestHandler):
    """The model picks the most relevant wiki page; we stream the file back."""

    def get(self) -> None:
        # ok: AIS202
        response = index.as_query_engine().query(
            "Which file name in the wiki export best answers: " + json.dumps(self.get_argument("q"))
        )
        page_name = str(response).strip()
        # ruleid: AIS304
        with open(os.path.join(DOCS_DIR, page_name), encoding="utf-8") as handle:
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            self.write(handle.read())


def make_app() -> tornado.web.Application:
    return tornado.web.Application(
        [
            (r"/ask", AskHandler),
            (r"/ask/custom", CustomTemplateHandler),
            (r"/chat/persona", PersonaChatHandler),
            (r"/chat/grounded", GroundedChatHandler),
            (r"/rewrite", RewriteHandler),
            (r"/attach", AttachmentHandler),
            (r"/ticket", TicketHandler),
            (r"/source", SourceHandler),
        ],
        template_path=os.path.join(os.path.dirname(__file__), "templates"),
        autoescape="xhtml_escape",
    )


if __name__ == "__main__":
    make_app().listen(int(os.environ.get("PORT", "8888")))
    tornado.ioloop.IOLoop.current().start()
