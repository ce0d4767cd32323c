"""Developer-docs assistant (Flask + LlamaIndex): Q&A over the product docs index, uploaded
spec review, custom answer templates for the docs team, and an HTML widget for the portal."""
import os
import re
from pathlib import Path

from flask import Flask, abort, jsonify, make_response, render_template, request
from llama_index.core import PromptTemplate, Settings, StorageContext, load_index_from_storage
from llama_index.core.chat_engine import SimpleChatEngine
from llama_index.core.llms import ChatMessage, MessageRole
from llama_index.llms.openai import OpenAI
from markupsafe import Markup, escape

DOCS_DIR = Path(os.environ.get("DOCS_DIR", "/srv/docs/content"))
INDEX_DIR = os.environ.get("DOCS_INDEX_DIR", "/srv/docs/index")
SLUG_RE = re.compile(r"[a-z0-9][a-z0-9\-]{0,80}")
SKU_RE = re.compile(r"[A-Z]{3}-\d{4}")

Settings.llm = OpenAI(model="gpt-4o-mini", temperature=0.1)
app = Flask(__name__)

DOCS_SYSTEM = (
    "You answer questions about the Acme developer platform using only the documentation "
    "excerpts provided. Say 'not documented' when the answer is missing."
)
SLUG_SYSTEM = "Reply with only the slug of the documentation page that best answers the question."
ANSWER_TEMPLATES = {
    "short": PromptTemplate(
        "Context:\n{context_str}\n\nAnswer the question in two sentences.\nQuestion: {query_str}\n"
    ),
    "steps": PromptTemplate(
        "Context:\n{context_str}\n\nAnswer with numbered steps.\nQuestion: {query_str}\n"
    ),
}


class DocsService:
    def __init__(self, index_dir: str):
        storage = StorageContext.from_defaults(persist_dir=index_dir)
        self.index = load_index_from_storage(storage)
        self.retriever = self.index.as_retriever(similarity_top_k=4)

    def context_for(self, question: str) -> str:
        nodes = self.retriever.retrieve(question)
        return "\n---\n".join(n.node.get_content() for n in nodes)

    def answer(self, question: str) -> str:
        return str(self.index.as_query_engine().query(question))

    def best_slug(self, question: str) -> str:
        reply = Settings.llm.chat(
            [
                ChatMessage(role=MessageRole.SYSTEM, content=SLUG_SYSTEM),
                ChatMessage(role=MessageRole.USER, content=question),
            ]
        )
        return (reply.message.content or "").strip().strip("/")


docs = DocsService(INDEX_DIR)


@app.post("/api/chat")
def chat():
    audience = request.args.get("audience", "developer")
    question = request.json["question"]
    system_prompt = DOCS_SYSTEM + f" Tailor the answer for a {audience}."
    # ruleid: AIS201
    engine = docs.index.as_chat_engine(chat_mode="context", system_prompt=system_prompt)
    return jsonify(answer=str(engine.chat(question)))


@app.post("/api/chat/grounded")
def grounded_chat():
    question = request.json["question"]
    context = docs.context_for(question)
    messages = [
        ChatMessage(role=MessageRole.SYSTEM, content=DOCS_SYSTEM + "\n\nExcerpts:\n" + context),
        ChatMessage(role=MessageRole.USER, content=question),
    ]
    # ruleid: AIS204
    reply = Settings.llm.chat(messages)
    return jsonify(answer=reply.message.content)


@app.post("/api/chat/plain")
def plain_chat():
    question = request.json["question"]
    messages = [
        ChatMessage(role=MessageRole.SYSTEM, content=DOCS_SYSTEM),
        ChatMessage(role=MessageRole.USER, content=question),
    ]
    # ok: AIS201
    reply = Settings.llm.chat(messages)
    return jsonify(answer=reply.message.content)


@app.post("/api/spec-review")
def spec_review():
    upload = request.files["spec"]
    spec_text = upload.read().decode("utf-8", errors="replace")
    # ruleid: AIS204
    engine = SimpleChatEngine.from_defaults(
        system_prompt="You review API specs against our style guide. The spec under review:\n" + spec_text,
    )
    return jsonify(review=str(engine.chat("List every deviation from the style guide.")))


@app.post("/api/spec-review/v2")
def spec_review_user_turn():
    upload = request.files["spec"]
    spec_text = upload.read().decode("utf-8", errors="replace")
    # ok: AIS204
    engine = SimpleChatEngine.from_defaults(
        system_prompt="You review API specs against our style guide and list every deviation.",
    )
    return jsonify(review=str(engine.chat(spec_text)))


@app.post("/api/rewrite-question")
def rewrite_question():
    question = request.form["question"]
    product = request.form.get("product", "platform")
    # ruleid: AIS202
    rewritten = Settings.llm.complete(
        f"Rewrite this question about the Acme {product} as a precise search query. "
        f"Return only the query.\n\n{question}"
    )
    return jsonify(query=rewritten.text.strip())


@app.get("/api/sku-blurb")
def sku_blurb():
    sku = request.args.get("sku", "")
    if not SKU_RE.fullmatch(sku):
        abort(400)
    # ok: AIS202
    blurb = Settings.llm.complete(f"Write a one-line description for catalogue item {sku}.")
    return jsonify(sku=sku, blurb=blurb.text)


@app.post("/api/templates/preview")
def preview_template():
    # ruleid: AIS203
    qa_template = PromptTemplate(request.form["template"])
    question = request.form["question"]
    engine = docs.index.as_query_engine(text_qa_template=qa_template)
    return jsonify(answer=str(engine.query(question)))


@app.post("/api/templates/summary")
def summary_with_template():
    context = docs.context_for(request.json["topic"])
    # ruleid: AIS203
    summary_tmpl = PromptTemplate(request.json["summary_template"])
    return jsonify(summary=Settings.llm.predict(summary_tmpl, context_str=context).strip())


@app.post("/api/templates/answer")
def templated_answer():
    name = request.form.get("style", "short")
    if name not in ANSWER_TEMPLATES:
        abort(400)
    # ok: AIS203
    engine = docs.index.as_query_engine(text_qa_template=ANSWER_TEMPLATES[name])
    return jsonify(answer=str(engine.query(request.form["question"])))


@app.get("/widget/answer")
def widget_answer():
    answer = docs.answer(request.args["q"])
    # ruleid: AIS303
    return answer


@app.get("/widget/card")
def widget_card():
    answer = docs.answer(request.args["q"])
    # ruleid: AIS303
    card = Markup(f"<div class='docs-card'><p>{answer}</p></div>")
    return render_template("card.html", card=card)


@app.get("/widget/raw")
def widget_raw():
    answer = docs.answer(request.args["q"])
    # ruleid: AIS303
    resp = make_response("<section class='answer'>" + answer + "</section>")
    resp.headers["Cache-Control"] = "no-store"
    return resp


@app.get("/widget/escaped")
def widget_escaped():
    answer = docs.answer(request.args["q"])
    # ok: AIS303
    card = Markup(f"<div class='docs-card'><p>{escape(answer)}</p></div>")
    return render_template("card.html", card=card)


@app.get("/widget/page")
def widget_page():
    answer = docs.answer(request.args["q"])
    # ok: AIS303
    return render_template("answer.html", answer=answer, question=request.args["q"])


@app.get("/api/related-page")
def related_page():
    slug = docs.best_slug(request.args["q"])
    # ruleid: AIS304
    with open(DOCS_DIR / f"{slug}.md", encoding="utf-8") as fh:
        body = fh.read()
    return jsonify(slug=slug, markdown=body)


@app.get("/api/related-page/v2")
def related_page_checked():
    slug = docs.best_slug(request.args["q"])
    if not SLUG_RE.fullmatch(slug):
        return jsonify(error="no matching page"), 404
    # ok: AIS304
    with open(DOCS_DIR / f"{slug}.md", encoding="utf-8") as fh:
        body = fh.read()
    return jsonify(slug=slug, markdown=body)
