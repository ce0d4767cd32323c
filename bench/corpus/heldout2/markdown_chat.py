"""Sanic chat UI that renders model answers as Markdown (Azure OpenAI + LangChain prompts)."""

from __future__ import annotations

import html
import os

import jinja2
import markdown
from langchain_core.prompts import ChatPromptTemplate
from langchain_openai import AzureChatOpenAI
from openai import AzureOpenAI
from sanic import Sanic, response
from sanic.exceptions import BadRequest

app = Sanic("markdown_chat")
azure = AzureOpenAI(api_version="2025-01-01-preview", azure_endpoint=os.environ["AZURE_OPENAI_ENDPOINT"])
DEPLOYMENT = os.environ.get("AZURE_DEPLOYMENT", "gpt-4o")
chat_model = AzureChatOpenAI(azure_deployment=DEPLOYMENT, api_version="2025-01-01-preview")
SYSTEM = "You answer questions about our product in GitHub-flavoured Markdown."
STYLE_TEMPLATES = {
    "bullets": "Answer as a short bulleted list: {question}",
    "eli5": "Explain it like I am five: {question}",
    "formal": "Answer formally, in full sentences: {question}",
}
PERSONAS = {"pirate": "a cheerful pirate", "teacher": "a patient teacher", "terse": "a terse engineer"}

PAGE = """<!doctype html><html><body><main class="answer">{{ answer }}</main></body></html>"""
raw_env = jinja2.Environment(autoescape=False)
safe_env = jinja2.Environment(autoescape=True)

PERSONA_PROMPT = ChatPromptTemplate.from_messages(
    [("system", "You are {persona}. " + SYSTEM), ("human", "{question}")]
)


def ask(question: str) -> str:
    completion = azure.chat.completions.create(
        model=DEPLOYMENT,
        messages=[{"role": "system", "content": SYSTEM}, {"role": "user", "content": question}],
    )
    return completion.choices[0].message.content or ""


@app.post("/chat")
async def chat(request):
    body = request.json or {}
    question = body.get("question")
    if not isinstance(question, str) or not question.strip():
        raise BadRequest("question is required")
    # ok: AIS201, AIS202
    answer = ask(question)
    # ruleid: AIS303
    return response.html(markdown.markdown(answer, extensions=["fenced_code", "tables"]))


@app.post("/chat/escaped")
async def chat_escaped(request):
    answer = ask(request.json["question"])
    # ok: AIS303
    return response.html(markdown.markdown(html.escape(answer)))


@app.post("/chat/plain")
async def chat_plain(request):
    # ok: AIS303
    return response.text(ask(request.json["question"]))


@app.post("/chat/signed")
async def chat_signed(request):
    body = request.json
    # ruleid: AIS202
    answer = ask(f"Answer in Markdown and address the customer by name. Customer: {body['name']}. Question: {body['question']}")
    page = raw_env.from_string(PAGE).render(answer=markdown.markdown(answer))
    # ruleid: AIS303
    return response.html(page)


@app.post("/chat/page")
async def chat_page(request):
    answer = ask(request.json["question"])
    page = safe_env.from_string(PAGE).render(answer=answer)
    # ok: AIS303
    return response.html(page)


@app.post("/chat/persona")
async def chat_persona(request):
    body = request.json
    # ruleid: AIS201
    message = PERSONA_PROMPT.invoke({"persona": body.get("persona", "a helpful assistant"), "question": body["question"]})
    reply = chat_model.invoke(message)
    return response.json({"answer": reply.content})


@app.post("/chat/persona/safe")
async def chat_persona_safe(request):
    body = request.json
    persona = PERSONAS.get(body.get("persona"), PERSONAS["teacher"])
    # ok: AIS201
    message = PERSONA_PROMPT.invoke({"persona": persona, "question": body["question"]})
    reply = chat_model.invoke(message)
    return response.json({"answer": reply.content})


@app.post("/chat/styled")
async def chat_styled(request):
    body = request.json
    # ruleid: AIS203
    style = ChatPromptTemplate.from_template(body.get("style_template", "Answer briefly: {question}"))
    reply = (style | chat_model).invoke({"question": body["question"]})
    # ruleid: AIS303
    return response.html("<section>" + reply.content + "</section>")


@app.post("/chat/styled/<name>")
async def chat_styled_named(request, name: str):
    if name not in STYLE_TEMPLATES:
        raise BadRequest("unknown style")
    # ok: AIS203
    style = ChatPromptTemplate.from_template(STYLE_TEMPLATES[name])
    # ruleid: AIS202
    reply = (style | chat_model).invoke({"question": request.json["question"]})
    return response.json({"answer": reply.content})


@app.post("/chat/summary")
async def chat_summary(request):
    transcript = request.json.get("transcript", [])
    lines = "\n".join(f"{turn.get('who')}: {turn.get('text')}" for turn in transcript[-30:])
    # ruleid: AIS202
    summary = chat_model.invoke("Summarise the support conversation below in three bullets.\n\n" + lines)
    return response.json({"summary": summary.content})
