"""Lead enrichment: an agent researches a company's website and fills the CRM (Flask + OpenAI Responses
+ OpenAI Agents SDK + LangChain for the spreadsheet analyst)."""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
import subprocess

import pandas as pd
import requests
from agents import Agent, Runner, function_tool
from bs4 import BeautifulSoup
from flask import Flask, abort, jsonify, render_template, request
from langchain_experimental.agents import create_pandas_dataframe_agent
from langchain_experimental.tools import PythonREPLTool
from langchain_openai import ChatOpenAI
from markupsafe import Markup
from openai import OpenAI

app = Flask(__name__)
client = OpenAI()
MODEL = os.environ.get("ENRICH_MODEL", "gpt-4.1")
DB_PATH = os.environ.get("LEADS_DB", "leads.db")
SEARCH_API = "https://api.search.example/v1/search"
DOMAIN_RE = re.compile(r"[a-z0-9-]{1,63}(\.[a-z0-9-]{1,63})+")
ENRICH_INSTRUCTIONS = (
    "You enrich B2B leads. From the material provided, extract industry, employee range and HQ country. "
    "Answer as 'industry | employees | country'."
)


def db() -> sqlite3.Connection:
    return sqlite3.connect(DB_PATH)


def page_text(url: str) -> str:
    # ok: AIS304
    resp = requests.get(url, timeout=10)
    resp.raise_for_status()
    return BeautifulSoup(resp.text, "html.parser").get_text(" ", strip=True)[:12000]


@function_tool
def search_web(query: str) -> str:
    """Search the web and return the top result titles and URLs."""
    # ok: AIS304
    hits = requests.get(SEARCH_API, params={"q": query, "n": 5}, timeout=10).json()["results"]
    return "\n".join(f"{h['title']} - {h['url']}" for h in hits)


@function_tool
def read_page(url: str) -> str:
    """Fetch a web page and return its visible text."""
    # ruleid: AIS304
    resp = requests.get(url, timeout=10)
    return BeautifulSoup(resp.text, "html.parser").get_text(" ", strip=True)[:8000]


def enrich_from_site(domain: str) -> list[str]:
    homepage = page_text(f"https://{domain}")
    # ruleid: AIS204
    resp = client.responses.create(
        model=MODEL,
        instructions=ENRICH_INSTRUCTIONS + "\n\nCompany homepage:\n" + homepage,
        input="Extract the fields.",
    )
    return [part.strip() for part in resp.output_text.split("|")]


def enrich_from_site_safe(domain: str) -> list[str]:
    homepage = page_text(f"https://{domain}")
    # ok: AIS204
    resp = client.responses.create(model=MODEL, instructions=ENRICH_INSTRUCTIONS, input=homepage)
    return [part.strip() for part in resp.output_text.split("|")]


def save_lead(domain: str, fields: list[str]) -> None:
    industry, employees, country = (fields + ["", "", ""])[:3]
    with db() as conn:
        # ruleid: AIS302
        conn.execute(
            f"INSERT INTO leads (domain, industry, employees, country) "
            f"VALUES ('{domain}', '{industry}', '{employees}', '{country}')"
        )


def save_lead_safe(domain: str, fields: list[str]) -> None:
    industry, employees, country = (fields + ["", "", ""])[:3]
    with db() as conn:
        # ok: AIS302
        conn.execute(
            "INSERT INTO leads (domain, industry, employees, country) VALUES (?, ?, ?, ?)",
            (domain, industry, employees, country),
        )


async def deep_research(domain: str) -> str:
    competitors = requests.get(SEARCH_API, params={"q": f"{domain} competitors"}, timeout=10).text
    # ruleid: AIS204
    researcher = Agent(
        name="Lead researcher",
        instructions=f"{ENRICH_INSTRUCTIONS}\nKnown competitor listings:\n{competitors}",
        tools=[search_web, read_page],
        model=MODEL,
    )
    result = await Runner.run(researcher, f"https://{domain}")
    return result.final_output


@app.post("/leads")
def create_lead():
    domain = request.form["domain"].strip().lower()
    if not DOMAIN_RE.fullmatch(domain):
        abort(400)
    fields = enrich_from_site(domain)
    save_lead(domain, fields)
    safe_fields = enrich_from_site_safe(domain)
    save_lead_safe(domain, safe_fields)
    return jsonify({"domain": domain, "fields": fields})


@app.get("/leads/<domain>/report")
def lead_report(domain: str):
    if not DOMAIN_RE.fullmatch(domain):
        abort(400)
    report = asyncio.run(deep_research(domain))
    # ruleid: AIS303
    return render_template("leads/report.html", domain=domain, report=Markup(report))


@app.get("/leads/<domain>/report-text")
def lead_report_text(domain: str):
    if not DOMAIN_RE.fullmatch(domain):
        abort(400)
    report = asyncio.run(deep_research(domain))
    # ok: AIS303
    return render_template("leads/report.html", domain=domain, report=report)


@app.get("/leads/<domain>/card")
def lead_card(domain: str):
    resp = client.responses.create(
        model=MODEL, instructions="Write a two-line HTML card for the company.", input=domain
    )
    # ruleid: AIS303
    return resp.output_text


@app.get("/leads/<domain>/whois")
def whois(domain: str):
    resp = client.responses.create(
        model=MODEL, instructions="Return the registrable domain for this company, nothing else.", input=domain
    )
    registrable = resp.output_text.strip().lower()
    if DOMAIN_RE.fullmatch(registrable):
        # ok: AIS301
        out = subprocess.run(["whois", registrable], capture_output=True, text=True, timeout=20).stdout
    else:
        # ruleid: AIS301
        out = os.popen(f"whois {registrable}").read()
    return jsonify({"domain": registrable, "whois": out[:4000]})


@app.post("/leads/analyst")
def spreadsheet_analyst():
    frame = pd.read_csv(request.files["sheet"])
    llm = ChatOpenAI(model=MODEL, temperature=0)
    # ruleid: AIS301
    analyst = create_pandas_dataframe_agent(llm, frame, agent_type="tool-calling", allow_dangerous_code=True)
    answer = analyst.invoke({"input": request.form["question"]})
    return jsonify({"answer": answer["output"]})


@app.post("/leads/segments")
def segments():
    resp = client.responses.create(
        model=MODEL,
        instructions="Write one SQLite SELECT over leads(domain, industry, employees, country) for the request.",
        input=request.form["request"],
    )
    with db() as conn:
        # ruleid: AIS302
        frame = pd.read_sql_query(resp.output_text.strip(), conn)
    return jsonify(frame.to_dict("records"))


@app.post("/leads/pattern")
def domain_pattern():
    resp = client.responses.create(
        model=MODEL, instructions="Return a Python regex matching the company's e-mail domains.", input=request.form["company"]
    )
    # ok: AIS301
    pattern = re.compile(resp.output_text.strip())
    emails = [e for e in request.form.get("emails", "").split(",") if pattern.search(e)]
    return jsonify({"matches": emails})


def build_tools() -> list:
    # ruleid: AIS301
    return [PythonREPLTool()]
