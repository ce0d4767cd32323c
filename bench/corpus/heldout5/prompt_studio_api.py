"""Prompt studio backend: marketers try copy templates before publishing them (FastAPI + LangChain)."""

from __future__ import annotations

import html
import os
from typing import Literal

import markdown
from fastapi import APIRouter, Depends, FastAPI, HTTPException
from fastapi.responses import HTMLResponse
from haystack import Pipeline
from haystack.components.builders import PromptBuilder
from haystack.components.generators import OpenAIGenerator
from langchain_anthropic import ChatAnthropic
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate, HumanMessagePromptTemplate, PromptTemplate
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.orm import Session

from .db import get_session

router = APIRouter(prefix="/studio")
llm = ChatAnthropic(model=os.environ.get("STUDIO_MODEL", "claude-3-5-haiku-latest"), max_tokens=1024)
to_text = StrOutputParser()

COPY_SYSTEM = "You write marketing copy for Acme. Follow the brand book: no superlatives, no emojis."
PRODUCTS = {"acme-cloud": "Acme Cloud", "acme-edge": "Acme Edge", "acme-sdk": "Acme SDK"}
AUDIENCES = {"developers", "ctos", "small businesses"}
BUILTIN = {
    "tagline": "Write three taglines for {product} aimed at {audience}.",
    "email": "Write a launch e-mail for {product}. Audience: {audience}. Max 120 words.",
    "tweet": "Write a launch tweet for {product} for {audience}.",
}


class TemplateTrial(BaseModel):
    template: str
    product: str
    audience: str
    engine: Literal["f-string", "jinja2"] = "f-string"


class BuiltinRun(BaseModel):
    name: str
    product: str
    audience: str


@router.post("/try")
async def try_template(trial: TemplateTrial) -> dict:
    if trial.product not in PRODUCTS or trial.audience not in AUDIENCES:
        raise HTTPException(422, "unknown product or audience")
    # ruleid: AIS203
    prompt = PromptTemplate.from_template(trial.template, template_format=trial.engine)
    chain = prompt | llm | to_text
    return {"copy": await chain.ainvoke({"product": trial.product, "audience": trial.audience})}


@router.post("/try-chat")
async def try_chat_template(trial: TemplateTrial) -> dict:
    if trial.product not in PRODUCTS or trial.audience not in AUDIENCES:
        raise HTTPException(422, "unknown product or audience")
    # ruleid: AIS203
    human = HumanMessagePromptTemplate.from_template(trial.template)
    prompt = ChatPromptTemplate.from_messages([("system", COPY_SYSTEM), human])
    chain = prompt | llm | to_text
    return {"copy": await chain.ainvoke({"product": trial.product, "audience": trial.audience})}


@router.post("/try-jinja")
async def try_jinja(trial: TemplateTrial) -> dict:
    if trial.product not in PRODUCTS or trial.audience not in AUDIENCES:
        raise HTTPException(422, "unknown product or audience")
    # ruleid: AIS203
    prompt = PromptTemplate(
        template=trial.template, input_variables=["product", "audience"], template_format="jinja2"
    )
    chain = prompt | llm | to_text
    return {"copy": await chain.ainvoke({"product": trial.product, "audience": trial.audience})}


@router.post("/try-messages")
async def try_messages(trial: TemplateTrial) -> dict:
    if trial.product not in PRODUCTS or trial.audience not in AUDIENCES:
        raise HTTPException(422, "unknown product or audience")
    # ruleid: AIS203
    prompt = ChatPromptTemplate.from_messages([("system", COPY_SYSTEM), ("human", trial.template)])
    chain = prompt | llm | to_text
    return {"copy": await chain.ainvoke({"product": trial.product, "audience": trial.audience})}


@router.post("/run")
async def run_builtin(req: BuiltinRun) -> dict:
    if req.name not in BUILTIN:
        raise HTTPException(404, "unknown template")
    if req.product not in PRODUCTS or req.audience not in AUDIENCES:
        raise HTTPException(422, "unknown product or audience")
    # ok: AIS203
    prompt = ChatPromptTemplate.from_messages([("system", COPY_SYSTEM), ("human", BUILTIN[req.name])])
    chain = prompt | llm | to_text
    # ok: AIS202
    copy = await chain.ainvoke({"product": PRODUCTS[req.product], "audience": req.audience})
    return {"copy": copy}


@router.post("/run-single")
async def run_single(req: BuiltinRun) -> dict:
    # ok: AIS203
    prompt = PromptTemplate.from_template(BUILTIN["tagline"])
    return {"copy": (await llm.ainvoke(prompt.format(product="Acme Cloud", audience="CTOs"))).content}


@router.post("/haystack")
def try_haystack(trial: TemplateTrial) -> dict:
    if trial.product not in PRODUCTS or trial.audience not in AUDIENCES:
        raise HTTPException(422, "unknown product or audience")
    pipe = Pipeline()
    # ruleid: AIS203
    pipe.add_component("builder", PromptBuilder(template=trial.template))
    pipe.add_component("llm", OpenAIGenerator(model="gpt-4o-mini"))
    pipe.connect("builder.prompt", "llm.prompt")
    out = pipe.run({"builder": {"product": trial.product, "audience": trial.audience}})
    return {"copy": out["llm"]["replies"][0]}


@router.post("/haystack-builtin")
def haystack_builtin(req: BuiltinRun) -> dict:
    pipe = Pipeline()
    # ok: AIS203
    pipe.add_component("builder", PromptBuilder(template="Write a slogan for {{ product }}."))
    pipe.add_component("llm", OpenAIGenerator(model="gpt-4o-mini"))
    pipe.connect("builder.prompt", "llm.prompt")
    out = pipe.run({"builder": {"product": "Acme Edge"}})
    return {"copy": out["llm"]["replies"][0]}


@router.get("/preview/{product}", response_class=HTMLResponse)
async def preview(product: str) -> HTMLResponse:
    msg = await llm.ainvoke([("system", COPY_SYSTEM), ("human", product)])
    # ruleid: AIS303
    return HTMLResponse(markdown.markdown(msg.content))


@router.get("/preview-safe/{product}", response_class=HTMLResponse)
async def preview_safe(product: str) -> HTMLResponse:
    msg = await llm.ainvoke([("system", COPY_SYSTEM), ("human", product)])
    # ok: AIS303
    return HTMLResponse("<pre class='copy'>" + html.escape(msg.content) + "</pre>")


@router.post("/publish/{product}")
async def publish(product: str, session: Session = Depends(get_session)) -> dict:
    # ok: AIS202
    msg = await llm.ainvoke([("system", COPY_SYSTEM + " Reply with one final tagline."), ("human", product)])
    tagline = msg.content.strip()
    # ruleid: AIS302
    session.execute(text(f"UPDATE products SET tagline = '{tagline}' WHERE slug = :slug"), {"slug": product})
    session.commit()
    # ok: AIS302
    session.execute(text("INSERT INTO tagline_log (slug, tagline) VALUES (:slug, :tagline)"),
                    {"slug": product, "tagline": tagline})
    session.commit()
    return {"tagline": tagline}


app = FastAPI()
app.include_router(router)
