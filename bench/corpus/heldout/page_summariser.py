# Held-out corpus. Semgrep-style annotations: `# ruleid: CODE` / `# ok: CODE` apply to the next code line.
"""Starlette service that fetches a page, summarises it, and renders HTML."""

import html

import httpx
import markupsafe
import nh3
from bs4 import BeautifulSoup
from langchain_community.document_loaders import WebBaseLoader
from openai import AsyncOpenAI
from starlette.applications import Starlette
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route

client = AsyncOpenAI()


async def summarise(request):
    url = request.query_params["url"]
    async with httpx.AsyncClient() as http:
        page = await http.get(url)
    text = BeautifulSoup(page.text, "html.parser").get_text()
    # ruleid: AIS204
    resp = await client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[
            {"role": "system", "content": "Summarise the page below for a newsletter.\n---\n" + text},
            {"role": "user", "content": "Summary please."},
        ],
    )
    summary = resp.choices[0].message.content
    # ruleid: AIS303
    return HTMLResponse("<html><body><h1>Summary</h1>" + summary + "</body></html>")


async def summarise_safe(request):
    url = request.query_params["url"]
    async with httpx.AsyncClient() as http:
        page = await http.get(url)
    # ok: AIS201, AIS204
    resp = await client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[
            {"role": "system", "content": "Summarise the document the user provides for a newsletter."},
            {"role": "user", "content": page.text},
        ],
    )
    summary = resp.choices[0].message.content
    # ok: AIS303
    return HTMLResponse(f"<html><body><p>{html.escape(summary)}</p></body></html>")


async def summarise_loader(request):
    docs = WebBaseLoader(request.query_params["url"]).load()
    # ruleid: AIS204
    resp = await client.responses.create(
        model="gpt-4o-mini",
        instructions="Use these documents as ground truth:\n" + docs[0].page_content,
        input="Give me the key points.",
    )
    out = resp.output_text
    # ok: AIS303
    return HTMLResponse("<div>" + nh3.clean(out) + "</div>")


async def headline(request):
    form = await request.form()
    topic = form["topic"]
    # ruleid: AIS201
    resp = await client.responses.create(model="gpt-4o-mini", instructions=f"Write headlines about {topic}.", input="Three headlines.")
    # ruleid: AIS303
    return HTMLResponse("<ul>%s</ul>" % resp.output_text)


async def headline_escaped(request):
    form = await request.form()
    # ok: AIS201
    resp = await client.responses.create(model="gpt-4o-mini", instructions="Write three headlines.", input=form["topic"])
    # ok: AIS303
    return HTMLResponse("<ul>" + str(markupsafe.escape(resp.output_text)) + "</ul>")


async def headline_json(request):
    data = await request.json()
    # ruleid: AIS202
    resp = await client.responses.create(model="gpt-4o-mini", input="Write three headlines about " + data["topic"] + ". Use title case.")
    # ok: AIS303
    return JSONResponse({"headlines": resp.output_text})


app = Starlette(
    routes=[
        Route("/summarise", summarise),
        Route("/summarise/safe", summarise_safe),
        Route("/summarise/loader", summarise_loader),
        Route("/headline", headline, methods=["POST"]),
        Route("/headline/escaped", headline_escaped, methods=["POST"]),
        Route("/headline/json", headline_json, methods=["POST"]),
    ]
)
