"""Newsletter builder: marketing staff assemble the weekly issue from RSS feeds with GPT-4o.

Flask + LangChain (ChatOpenAI); feeds are parsed with feedparser.
"""
from __future__ import annotations

import os

import feedparser
from flask import Flask, abort, jsonify, render_template, render_template_string, request
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate, PromptTemplate
from langchain_openai import ChatOpenAI
from markupsafe import Markup

app = Flask(__name__)
llm = ChatOpenAI(model="gpt-4o", temperature=0.6, api_key=os.environ["OPENAI_API_KEY"])
parser = StrOutputParser()
EDITOR_SYSTEM = "You are the editor of the Northwind Logistics newsletter. Plain English, no hype."
AUDIENCES = {"customers", "partners", "employees"}
SECTION_TEMPLATES = {
    "news": "Write a news section of {n} short items from these headlines:\n{headlines}",
    "spotlight": "Write a customer spotlight paragraph based on:\n{headlines}",
}
ISSUE_PAGE = """<!doctype html><title>{{ title }}</title><main>{{ body }}</main>"""


def feed_headlines(url: str, limit: int = 8) -> str:
    feed = feedparser.parse(url)
    return "\n".join(f"- {e.title}: {e.get('summary', '')[:300]}" for e in feed.entries[:limit])


@app.post("/intro")
def intro():
    audience = request.form.get("audience", "customers")
    brand_voice = request.form.get("brand_voice", "")
    # ruleid: AIS201
    reply = llm.invoke([SystemMessage(content=f"{EDITOR_SYSTEM} Brand voice: {brand_voice}"), HumanMessage(content="Write this week's intro.")])
    return jsonify({"intro": reply.content, "audience": audience})


@app.post("/intro/audience")
def intro_for_audience():
    audience = request.form.get("audience", "customers")
    if audience not in AUDIENCES:
        abort(400)
    # ok: AIS202
    reply = llm.invoke([SystemMessage(content=EDITOR_SYSTEM), HumanMessage(content=f"Write this week's intro for our {audience}.")])
    return jsonify({"intro": reply.content})


@app.post("/teaser")
def teaser():
    topic = request.form["topic"]
    # ruleid: AIS202
    reply = llm.invoke(f"{EDITOR_SYSTEM}\nWrite a two-sentence teaser about {topic} for the email preheader.")
    return jsonify({"teaser": reply.content})


@app.post("/sections/<kind>")
def section(kind: str):
    if kind not in SECTION_TEMPLATES:
        abort(404)
    # ok: AIS203
    prompt = PromptTemplate.from_template(SECTION_TEMPLATES[kind])
    headlines = feed_headlines(os.environ["NEWS_FEED_URL"])
    # ok: AIS204
    text = (prompt | llm | parser).invoke({"n": 5, "headlines": headlines})
    return jsonify({"section": text})


@app.post("/sections/custom")
def custom_section():
    body = request.get_json(force=True)
    # ruleid: AIS203
    prompt = PromptTemplate.from_template(body["template"], template_format="jinja2")
    headlines = feed_headlines(body.get("feed_url", os.environ["NEWS_FEED_URL"]))
    text = (prompt | llm | parser).invoke({"headlines": headlines})
    return jsonify({"section": text})


@app.post("/sections/chat-template")
def chat_template_section():
    body = request.get_json(force=True)
    # ruleid: AIS203
    prompt = ChatPromptTemplate.from_template(body["section_template"])
    text = (prompt | llm | parser).invoke({"headlines": feed_headlines(os.environ["NEWS_FEED_URL"])})
    return jsonify({"section": text})


@app.post("/footer")
def footer():
    data = request.get_json(force=True)
    # ruleid: AIS203
    prompt = PromptTemplate(template=data["footer_template"], input_variables=["issue"])
    return jsonify({"footer": (prompt | llm | parser).invoke({"issue": "Week 42"})})


@app.post("/industry-brief")
def industry_brief():
    headlines = feed_headlines(os.environ["INDUSTRY_FEED_URL"])
    # ruleid: AIS204
    brief = llm.invoke([SystemMessage(content=f"{EDITOR_SYSTEM}\nToday's industry headlines:\n{headlines}"), HumanMessage(content="Write the industry brief.")])
    return jsonify({"brief": brief.content})


@app.get("/preview/<int:issue_id>")
def preview(issue_id: int):
    # ok: AIS203
    summary_prompt = ChatPromptTemplate.from_messages([("system", EDITOR_SYSTEM), ("human", "Draft the lead story for issue {issue_id}.")])
    draft = (summary_prompt | llm | parser).invoke({"issue_id": issue_id})
    # ruleid: AIS303
    return render_template_string(ISSUE_PAGE, title=f"Issue {issue_id}", body=Markup(draft))


@app.get("/preview-safe/<int:issue_id>")
def preview_safe(issue_id: int):
    draft = (ChatPromptTemplate.from_messages([("system", EDITOR_SYSTEM), ("human", "Draft the lead story for issue {issue_id}.")]) | llm | parser).invoke({"issue_id": issue_id})
    # ok: AIS303
    return render_template("issue.html", title=f"Issue {issue_id}", body=draft)
