"""A route returning what a same-module helper returned (issue 12, heldout8b
fastapi_ticket_triage.py:179): when every `return` of the helper hands back a response object
(`HTMLResponse(page)`, judged where it is built), the route serves no new text; a helper that
may return text is still the served body."""

from __future__ import annotations

from test_taint_app_shapes import check

APP = """
from fastapi import FastAPI
from fastapi.responses import HTMLResponse, JSONResponse
from openai import AsyncOpenAI

app = FastAPI()
client = AsyncOpenAI()

async def ask(q):
    return (await client.responses.create(model="gpt-4.1", input=q)).output_text
"""


def test_a_route_returning_a_helpers_response_object_is_judged_once() -> None:
    check(
        APP
        + """
def page(title, body):
    html = f"<html><title>{title}</title><main>{body}</main></html>"
    return HTMLResponse(html)

def framed(body):
    return page("Digest", body)

def json_or_page(body, wants_json):
    if wants_json:
        return JSONResponse({"body": body})
    response = HTMLResponse(content="<p>see below</p>")
    response.headers["X-Frame-Options"] = "DENY"
    return response

async def apage(body):
    return page("Async", body)

@app.get("/digest", response_class=HTMLResponse)
async def digest(q: str):
    return page("Digest", await ask(q))  # <- AIS303 (the helper's HTMLResponse, reported at this call)

@app.get("/framed", response_class=HTMLResponse)
async def framed_digest(q: str):
    return framed(await ask(q))

@app.get("/either", response_class=HTMLResponse)
async def either(q: str, j: bool):
    return json_or_page(await ask(q), j)

@app.get("/awaited", response_class=HTMLResponse)
async def awaited(q: str):
    return await apage(await ask(q))
"""
    )


def test_a_helper_that_may_return_text_is_still_the_served_body() -> None:
    check(
        APP
        + """
def card(body, raw):
    if raw:
        return f"<div>{body}</div>"
    return HTMLResponse("<p>hidden</p>")

def wrapped(body):
    def inner():
        return HTMLResponse("<p>x</p>")
    inner()
    return f"<section>{body}</section>"

def streamed(body):
    yield HTMLResponse("<p>x</p>")
    return body

def page(body):
    return HTMLResponse("<p>x</p>")

def page(body):
    return f"<main>{body}</main>"

@app.get("/card", response_class=HTMLResponse)
async def card_route(q: str):
    return card(await ask(q), True)  # <- AIS303

@app.get("/wrapped", response_class=HTMLResponse)
async def wrapped_route(q: str):
    return wrapped(await ask(q))  # <- AIS303

@app.get("/page", response_class=HTMLResponse)
async def page_route(q: str):
    return page(await ask(q))  # <- AIS303
"""
    )
