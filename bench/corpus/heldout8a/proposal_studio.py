"""Proposal studio: consultants draft proposal sections from reusable prompt templates (Starlette)."""

from __future__ import annotations

import html
import json
import os

from langchain.agents import create_agent
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_experimental.tools import PythonREPLTool
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate, PromptTemplate
from langchain_openai import ChatOpenAI, OpenAIEmbeddings
from langchain_postgres import PGVector
from llama_index.core import PromptTemplate as LlamaPromptTemplate
from llama_index.core import StorageContext, load_index_from_storage
from starlette.applications import Starlette
from starlette.endpoints import HTTPEndpoint
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route

llm = ChatOpenAI(model=os.environ.get("STUDIO_MODEL", "gpt-4o"), temperature=0.4)
store = PGVector(
    embeddings=OpenAIEmbeddings(model="text-embedding-3-small"),
    collection_name="past_proposals",
    connection=os.environ["PGVECTOR_URL"],
)
case_index = load_index_from_storage(StorageContext.from_defaults(persist_dir=os.environ["CASE_INDEX_DIR"]))

HOUSE_TEMPLATES = {
    "cover_letter": "Write a one-page cover letter for our proposal. The client's own scope statement, "
    "as JSON: {scope}",
}
SAMPLE_VALUES = {"client": "Contoso Retail", "scope": "ERP migration to the cloud"}
KNOWN_SCOPES = {"ERP migration", "data platform", "customer portal", "cost review"}
SECTION_TEMPLATES = {
    "executive_summary": "Write an executive summary for a proposal to {client} about {scope}.",
    "approach": "Describe a phased delivery approach for {scope} at {client}. Use numbered phases.",
    "risks": "List the five main delivery risks for {scope} and a mitigation for each.",
}
STUDIO_SYSTEM = "You are a senior consultant writing proposal sections. Be specific and avoid buzzwords."


def parser_chain(prompt):
    return prompt | llm | StrOutputParser()


class SectionDraft(HTTPEndpoint):
    async def post(self, request: Request) -> JSONResponse:
        body = await request.json()
        # ruleid: AIS203
        prompt = PromptTemplate.from_template(body["template"])
        # dry run of a consultant's new template with the studio's sample values
        text = parser_chain(prompt).invoke(SAMPLE_VALUES)
        return JSONResponse({"section": text})


class LibrarySection(HTTPEndpoint):
    async def post(self, request: Request) -> JSONResponse:
        body = await request.json()
        section = body.get("section", "")
        if section not in SECTION_TEMPLATES:
            return JSONResponse({"error": "unknown section"}, status_code=400)
        # ok: AIS203
        prompt = PromptTemplate.from_template(SECTION_TEMPLATES[section])
        # ruleid: AIS202
        text = parser_chain(prompt).invoke({"client": body.get("client", ""), "scope": body.get("scope", "")})
        return JSONResponse({"section": text})


def load_house_template(name: str) -> ChatPromptTemplate:
    raw = HOUSE_TEMPLATES[name]
    # ok: AIS203
    return ChatPromptTemplate.from_messages([("system", STUDIO_SYSTEM), ("human", raw)])


def chat_template_from(text: str) -> ChatPromptTemplate:
    # ruleid: AIS203
    return ChatPromptTemplate.from_template(text)


async def preview_template(request: Request) -> JSONResponse:
    tmpl = request.query_params.get("t", "")
    prompt = chat_template_from(tmpl)
    return JSONResponse({"variables": prompt.input_variables})


async def cover_letter(request: Request) -> JSONResponse:
    form = await request.form()
    prompt = load_house_template("cover_letter")
    # ok: AIS202
    text = parser_chain(prompt).invoke({"scope": json.dumps(form.get("scope", ""))})
    return JSONResponse({"letter": text})


async def mustache_section(request: Request) -> JSONResponse:
    body = await request.json()
    # ruleid: AIS203
    prompt = PromptTemplate(template=body["body"], input_variables=[], template_format="mustache")
    text = parser_chain(prompt).invoke(SAMPLE_VALUES)
    return JSONResponse({"section": text})


async def case_study_answer(request: Request) -> JSONResponse:
    """Answer a question from past case studies, with an optional custom QA template."""
    form = await request.form()
    qa_text = form.get("qa_template") or "Context:\n{context_str}\nAnswer the question: {query_str}\n"
    # ruleid: AIS203
    qa_template = LlamaPromptTemplate(qa_text)
    engine = case_index.as_query_engine(text_qa_template=qa_template, similarity_top_k=4)
    answer = engine.query(form.get("question", ""))
    return JSONResponse({"answer": str(answer)})


async def similar_win_themes(request: Request) -> JSONResponse:
    scope = (await request.json())["scope"]
    docs = store.similarity_search(scope, k=4)
    context = "\n\n".join(d.page_content for d in docs)
    # ruleid: AIS204
    messages = [
        SystemMessage(content=f"{STUDIO_SYSTEM}\nReuse the win themes from these past proposals:\n{context}"),
        HumanMessage(content=scope),
    ]
    reply = llm.invoke(messages)
    return JSONResponse({"themes": reply.content})


async def similar_win_themes_quoted(request: Request) -> JSONResponse:
    scope = (await request.json())["scope"]
    docs = store.similarity_search(scope, k=4)
    # ok: AIS204
    messages = [SystemMessage(content=STUDIO_SYSTEM)] + [HumanMessage(content=d.page_content) for d in docs]
    messages.append(HumanMessage(content=scope))
    reply = llm.invoke(messages)
    return JSONResponse({"themes": reply.content})


async def pricing_model(request: Request) -> JSONResponse:
    """Let the model build and run a small pricing calculation for the proposal."""
    body = await request.json()
    # ruleid: AIS301
    agent = create_agent(llm, tools=[PythonREPLTool()], system_prompt=STUDIO_SYSTEM + " Compute prices with Python.")
    result = agent.invoke({"messages": [{"role": "user", "content": body.get("pricing_question", "")}]})
    return JSONResponse({"answer": result["messages"][-1].content})


class ProposalPreview(HTTPEndpoint):
    """Renders a drafted section as an HTML page for the partner review screen."""

    def __init__(self, scope, receive, send):
        super().__init__(scope, receive, send)
        self.rendered = ""

    async def draft(self, client_name: str, scope: str) -> None:
        prompt = PromptTemplate.from_template(SECTION_TEMPLATES["executive_summary"] + " Format as HTML.")
        # ruleid: AIS202
        self.rendered = await parser_chain(prompt).ainvoke({"client": client_name, "scope": scope})

    async def get(self, request: Request) -> HTMLResponse:
        await self.draft(request.query_params.get("client", ""), request.query_params.get("scope", ""))
        # ruleid: AIS303
        return HTMLResponse(f"<html><body><main>{self.rendered}</main></body></html>")


async def risk_table(request: Request) -> HTMLResponse:
    body = await request.json()
    scope = body.get("scope", "")
    if scope not in KNOWN_SCOPES:
        return HTMLResponse("<p>Pick a scope from the list.</p>", status_code=400)
    prompt = PromptTemplate.from_template(SECTION_TEMPLATES["risks"])
    chunks = []
    # ok: AIS202
    async for piece in parser_chain(prompt).astream({"scope": scope}):
        chunks.append(piece)
    escaped = html.escape("".join(chunks)).replace("\n", "<br>")
    # ok: AIS303
    return HTMLResponse("<div class='risks'>" + escaped + "</div>")


async def approach_page(request: Request) -> HTMLResponse:
    body = await request.json()
    # ruleid: AIS202
    text = parser_chain(PromptTemplate.from_template(SECTION_TEMPLATES["approach"])).invoke(
        {"client": body.get("client", ""), "scope": body.get("scope", "")}
    )
    page = "<article>" + text + "</article>"
    # ruleid: AIS303
    return HTMLResponse(page, status_code=200)


app = Starlette(
    routes=[
        Route("/sections/draft", SectionDraft),
        Route("/sections/library", LibrarySection),
        Route("/templates/preview", preview_template),
        Route("/cover-letter", cover_letter, methods=["POST"]),
        Route("/sections/mustache", mustache_section, methods=["POST"]),
        Route("/case-studies/ask", case_study_answer, methods=["POST"]),
        Route("/win-themes", similar_win_themes, methods=["POST"]),
        Route("/win-themes/quoted", similar_win_themes_quoted, methods=["POST"]),
        Route("/preview", ProposalPreview),
        Route("/risks", risk_table, methods=["POST"]),
        Route("/approach", approach_page, methods=["POST"]),
        Route("/pricing", pricing_model, methods=["POST"]),
    ]
)
