"""Product Q&A widget backend embedded on the shop's product pages.

Starlette app, Llama models served by Together AI, product catalogue in Postgres (SQLAlchemy core).
"""
from __future__ import annotations

import html
import json
import os
import re
import subprocess

import httpx
from sqlalchemy import create_engine, text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from together import AsyncTogether

together = AsyncTogether(api_key=os.environ["TOGETHER_API_KEY"])
MODEL = "meta-llama/Llama-3.3-70B-Instruct-Turbo"
engine = create_engine(os.environ["CATALOGUE_DSN"], pool_pre_ping=True)
IMAGE_CACHE = "/var/cache/widget/images"

WIDGET_SYSTEM = "You answer shoppers' questions about one product. Be factual, friendly and brief."
REVIEW_PROMPT = "Rewrite this customer review so it is polite and keeps every factual claim:\n{review}"
LOCALE_RE = re.compile(r"[a-z]{2}(?:-[A-Z]{2})?")


def load_product(product_id: int) -> dict:
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT id, name, description, spec_url FROM products WHERE id = :id"), {"id": product_id}
        ).mappings().one()
    return dict(row)


async def chat(messages: list[dict], **kwargs) -> str:
    # ok: AIS201, AIS202
    resp = await together.chat.completions.create(model=MODEL, messages=messages, **kwargs)
    return resp.choices[0].message.content


async def ask(request: Request) -> Response:
    form = await request.form()
    product = load_product(int(form["product_id"]))
    question = form["question"]
    prompt = f"Product: {product['name']}\nAnswer the shopper's question in at most three sentences.\nQuestion: {question}"
    # ruleid: AIS202
    answer = await together.chat.completions.create(
        model=MODEL, messages=[{"role": "system", "content": WIDGET_SYSTEM}, {"role": "user", "content": prompt}]
    )
    return JSONResponse({"answer": answer.choices[0].message.content})


async def ask_localised(request: Request) -> Response:
    body = await request.json()
    locale = request.headers.get("x-shop-locale", "en")
    if not LOCALE_RE.fullmatch(locale):
        locale = "en"
    product = load_product(int(body["product_id"]))
    # ok: AIS201, AIS202
    answer = await together.chat.completions.create(
        model=MODEL,
        messages=[
            {"role": "system", "content": f"{WIDGET_SYSTEM} Reply in the language of locale {locale}. Product id {int(body['product_id'])}."},
            {"role": "user", "content": json.dumps({"product": product["name"], "question": body["question"]})},
        ],
    )
    return JSONResponse({"answer": answer.choices[0].message.content})


async def polish_review(request: Request) -> Response:
    body = await request.json()
    # ruleid: AIS202
    rewritten = await together.chat.completions.create(
        model=MODEL, temperature=0.3, messages=[{"role": "user", "content": REVIEW_PROMPT.format(review=body["review"])}]
    )
    return JSONResponse({"review": rewritten.choices[0].message.content})


async def answer_card(request: Request) -> Response:
    product = load_product(int(request.path_params["product_id"]))
    stream = await together.chat.completions.create(
        model=MODEL,
        stream=True,
        messages=[
            {"role": "system", "content": WIDGET_SYSTEM + " Format the answer as an HTML fragment with <p> and <ul>."},
            {"role": "user", "content": request.query_params.get("q", "")},
        ],
    )
    fragments = []
    async for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            fragments.append(chunk.choices[0].delta.content)
    body = "".join(fragments)
    # ruleid: AIS303
    return HTMLResponse(f"<section class='qa-card' data-product='{product['id']}'>{body}</section>")


async def answer_card_text(request: Request) -> Response:
    answer = await chat(
        [{"role": "system", "content": WIDGET_SYSTEM}, {"role": "user", "content": request.query_params.get("q", "")}]
    )
    # ok: AIS303
    return HTMLResponse("<section class='qa-card'><p>" + html.escape(answer) + "</p></section>")


async def compare_with_spec(request: Request) -> Response:
    product = load_product(int(request.path_params["product_id"]))
    async with httpx.AsyncClient(timeout=10) as http:
        spec = (await http.get(product["spec_url"])).text[:15000]
    # ruleid: AIS204
    answer = await together.chat.completions.create(
        model=MODEL,
        messages=[
            {"role": "system", "content": f"{WIDGET_SYSTEM}\nManufacturer spec sheet:\n{spec}"},
            {"role": "user", "content": request.query_params.get("q", "")},
        ],
    )
    return JSONResponse({"answer": answer.choices[0].message.content})


async def smart_search(request: Request) -> Response:
    where = await chat(
        [
            {"role": "system", "content": "Convert the shopper's search into a SQL boolean condition over products(name, "
                                          "description, price_eur, category). Output the condition only."},
            {"role": "user", "content": request.query_params.get("q", "")},
        ],
        temperature=0,
    )
    with engine.connect() as conn:
        # ruleid: AIS302
        rows = conn.execute(text("SELECT id, name, price_eur FROM products WHERE " + where + " LIMIT 24")).mappings().all()
    return JSONResponse({"results": [dict(r) for r in rows]})


async def hero_image(request: Request) -> Response:
    product = load_product(int(request.path_params["product_id"]))
    image_url = (
        await chat(
            [
                {"role": "system", "content": "Pick the best hero image URL from the product description. URL only."},
                {"role": "user", "content": product["description"]},
            ]
        )
    ).strip()
    async with httpx.AsyncClient(timeout=10) as http:
        # ruleid: AIS304
        image = await http.get(image_url)
    return Response(image.content, media_type=image.headers.get("content-type", "image/jpeg"))


async def maintenance(request: Request) -> Response:
    decision = await chat(
        [
            {"role": "system", "content": "Answer 'refresh' if the question suggests stale prices, otherwise 'none'."},
            {"role": "user", "content": request.query_params.get("q", "")},
        ]
    )
    if decision.strip().lower() == "refresh":
        # ok: AIS301
        subprocess.run(["systemctl", "reload", "widget-cache.service"], check=False)
    return JSONResponse({"decision": decision})


app = Starlette(
    routes=[
        Route("/widget/ask", ask, methods=["POST"]),
        Route("/widget/ask-localised", ask_localised, methods=["POST"]),
        Route("/widget/polish-review", polish_review, methods=["POST"]),
        Route("/widget/card/{product_id:int}", answer_card),
        Route("/widget/card-text", answer_card_text),
        Route("/widget/compare/{product_id:int}", compare_with_spec),
        Route("/widget/search", smart_search),
        Route("/widget/hero/{product_id:int}", hero_image),
        Route("/widget/maintenance", maintenance),
    ]
)
