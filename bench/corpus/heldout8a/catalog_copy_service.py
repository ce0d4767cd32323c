"""Marketplace catalog copywriter: product descriptions and Q&A with Cohere (Litestar)."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass

import cohere
import httpx
from langchain_cohere import ChatCohere
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import PromptTemplate
from litestar import Litestar, Request, get, post
from litestar.exceptions import ValidationException
from litestar.response import Template

co = cohere.ClientV2(api_key=os.environ["CO_API_KEY"])
co_v1 = cohere.Client(api_key=os.environ["CO_API_KEY"])
MODEL = os.environ.get("COPY_MODEL", "command-r-plus-08-2024")
CATALOG_DB = os.environ.get("CATALOG_DB", "catalog.sqlite3")

COPY_PREAMBLE = (
    "You write product descriptions for an online marketplace. Be factual, no superlatives, "
    "mention materials and care instructions when known."
)
TONES = {"neutral": "Use a neutral tone.", "playful": "Use a light, playful tone.", "premium": "Sound understated."}
SPEC_SHEET_HOSTS = {
    "acme": "https://docs.acme.example/spec-sheets/",
    "globex": "https://globex.example/support/pdf/",
}
DEFAULT_TEMPLATE = "Write a {length}-word description of {title}. Key facts: {facts}"


def db() -> sqlite3.Connection:
    conn = sqlite3.connect(CATALOG_DB)
    conn.row_factory = sqlite3.Row
    return conn


@dataclass
class CopyRequest:
    title: str
    facts: str
    tone: str = "neutral"
    brand_voice: str = ""
    length: int = 80


@dataclass
class TemplateRequest:
    template: str
    title: str
    facts: str


@post("/copy/describe")
async def describe(data: CopyRequest) -> dict:
    voice = TONES.get(data.tone, TONES["neutral"])
    preamble = f"{COPY_PREAMBLE}\n{voice}\nBrand voice guide from the seller: {data.brand_voice}"
    # ruleid: AIS201
    resp = co_v1.chat(model=MODEL, preamble=preamble, message=data.facts)
    return {"description": resp.text}


@post("/copy/describe-basic")
async def describe_basic(data: CopyRequest) -> dict:
    if data.tone not in TONES:
        raise ValidationException("unknown tone")
    # ok: AIS201
    resp = co_v1.chat(model=MODEL, preamble=COPY_PREAMBLE + "\n" + TONES[data.tone] + f" About {int(data.length)} words.", message=data.facts)
    return {"description": resp.text}


@post("/copy/from-template")
async def from_seller_template(data: TemplateRequest) -> dict:
    """Sellers on the Pro plan can supply their own Jinja prompt template."""
    # ruleid: AIS203
    prompt = PromptTemplate(template=data.template, input_variables=["title", "facts"], template_format="jinja2")
    chain = prompt | ChatCohere(model=MODEL) | StrOutputParser()
    return {"description": chain.invoke({"title": data.title, "facts": data.facts})}


@post("/copy/default-template")
async def from_default_template(data: TemplateRequest) -> dict:
    # ok: AIS203
    prompt = PromptTemplate.from_template(DEFAULT_TEMPLATE)
    text = prompt.format(length=80, title=data.title, facts=data.facts)
    # ruleid: AIS202
    resp = co.chat(model=MODEL, messages=[{"role": "user", "content": text}])
    return {"description": resp.message.content[0].text}


@get("/products/{product_id:int}/answer")
async def answer_question(product_id: int, q: str) -> dict:
    conn = db()
    reviews = conn.execute("SELECT body FROM reviews WHERE product_id = ? LIMIT 20", (product_id,)).fetchall()
    review_text = "\n---\n".join(r["body"] for r in reviews)
    # ruleid: AIS204
    resp = co.chat(
        model=MODEL,
        messages=[
            {"role": "system", "content": "Answer shopper questions using these customer reviews:\n" + review_text},
            {"role": "user", "content": q},
        ],
    )
    return {"answer": resp.message.content[0].text}


@get("/products/{product_id:int}/answer-grounded")
async def answer_grounded(product_id: int, q: str) -> dict:
    conn = db()
    reviews = conn.execute("SELECT id, body FROM reviews WHERE product_id = ? LIMIT 20", (product_id,)).fetchall()
    documents = [{"id": str(r["id"]), "data": {"text": r["body"]}} for r in reviews]
    # ok: AIS201, AIS204
    resp = co.chat(
        model=MODEL,
        messages=[
            {"role": "system", "content": "Answer shopper questions. Cite the reviews you use."},
            {"role": "user", "content": q},
        ],
        documents=documents,
    )
    return {"answer": resp.message.content[0].text, "citations": [c.text for c in resp.message.citations or []]}


@get("/products/{product_id:int}/spec-sheet")
async def spec_sheet(product_id: int) -> dict:
    row = db().execute("SELECT title, manufacturer FROM products WHERE id = ?", (product_id,)).fetchone()
    resp = co.chat(
        model=MODEL,
        messages=[
            {"role": "system", "content": "Reply with only the URL of the manufacturer's spec sheet PDF."},
            {"role": "user", "content": f"{row['manufacturer']} {row['title']}"},
        ],
    )
    url = resp.message.content[0].text.strip()
    async with httpx.AsyncClient(timeout=20, follow_redirects=True) as http:
        # ruleid: AIS304
        pdf = await http.get(url)
    return {"bytes": len(pdf.content)}


@get("/products/{product_id:int}/category")
async def suggest_category(product_id: int) -> dict:
    row = db().execute("SELECT title FROM products WHERE id = ?", (product_id,)).fetchone()
    resp = co.chat(
        model=MODEL,
        messages=[{"role": "user", "content": row["title"]}],
    )
    category = resp.message.content[0].text.strip()
    conn = db()
    # ok: AIS302
    conn.execute("UPDATE products SET category = ? WHERE id = ?", (category, product_id))
    conn.commit()
    return {"category": category}


@get("/products/{product_id:int}/page")
async def product_page(product_id: int, request: Request) -> Template:
    row = db().execute("SELECT title, facts FROM products WHERE id = ?", (product_id,)).fetchone()
    resp = co.chat(model=MODEL, messages=[{"role": "user", "content": row["facts"]}])
    # ok: AIS303
    return Template(template_name="product.html.j2", context={"title": row["title"], "blurb": resp.message.content[0].text})


@get("/products/{product_id:int}/spec-sheet-known")
async def spec_sheet_known(product_id: int) -> dict:
    row = db().execute("SELECT title, manufacturer FROM products WHERE id = ?", (product_id,)).fetchone()
    resp = co.chat(
        model=MODEL,
        messages=[
            {"role": "system", "content": "Reply with only the manufacturer's spec sheet base URL."},
            {"role": "user", "content": f"{row['manufacturer']} {row['title']}"},
        ],
    )
    base = resp.message.content[0].text.strip()
    if base not in SPEC_SHEET_HOSTS.values():
        return {"error": "unknown manufacturer site"}
    async with httpx.AsyncClient(timeout=20) as http:
        # ok: AIS304
        pdf = await http.get(base)
    return {"bytes": len(pdf.content)}


@post("/products/{product_id:int}/tags")
async def tag_product(product_id: int) -> dict:
    conn = db()
    row = conn.execute("SELECT title, facts FROM products WHERE id = ?", (product_id,)).fetchone()
    resp = co.chat(
        model=MODEL,
        messages=[
            {"role": "system", "content": "Reply with three comma-separated search tags for the product."},
            {"role": "user", "content": row["facts"]},
        ],
    )
    tags = ",".join(t.strip().lower() for t in resp.message.content[0].text.split(","))
    # ruleid: AIS302
    conn.execute(f"UPDATE products SET tags = '{tags}' WHERE id = {product_id}")
    conn.commit()
    return {"tags": tags}


app = Litestar(route_handlers=[describe, describe_basic, from_seller_template, from_default_template,
                               answer_question, answer_grounded, spec_sheet, suggest_category, product_page,
                               spec_sheet_known, tag_product])
