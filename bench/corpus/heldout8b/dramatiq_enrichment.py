"""Company-profile enrichment workers.

Dramatiq actors (Redis broker) that scrape a prospect's website, extract a structured profile
with instructor + OpenAI, and write it to Postgres via SQLAlchemy.
"""
from __future__ import annotations

import json
import os
import re
from typing import Literal, Optional

import dramatiq
import instructor
import requests
from bs4 import BeautifulSoup
from dramatiq.brokers.redis import RedisBroker
from openai import OpenAI
from pydantic import BaseModel, Field
from sqlalchemy import create_engine, text

dramatiq.set_broker(RedisBroker(url=os.environ.get("REDIS_URL", "redis://localhost:6379/2")))
engine = create_engine(os.environ["CRM_DATABASE_URL"])
client = instructor.from_openai(OpenAI())
raw_client = OpenAI()
MODEL = "gpt-4o-mini"
UA = {"User-Agent": "acme-enrichment/2.1 (+https://acme.example/bot)"}

EXTRACTOR = "Extract a company profile from the website text. Use null when unsure; do not guess."
INDUSTRIES = ("saas", "fintech", "retail", "health", "manufacturing", "other")


class Profile(BaseModel):
    name: str
    industry: Literal["saas", "fintech", "retail", "health", "manufacturing", "other"]
    employees: Optional[int] = None
    hq_city: Optional[str] = None
    careers_url: Optional[str] = None
    summary: str = Field(description="two sentences")


class Segment(BaseModel):
    where_clause: str
    rationale: str


def page_text(url: str) -> str:
    r = requests.get(url, headers=UA, timeout=15)
    r.raise_for_status()
    soup = BeautifulSoup(r.text, "html.parser")
    for tag in soup(["script", "style", "nav", "footer"]):
        tag.decompose()
    return " ".join(soup.get_text(" ").split())[:12000]


def crm_company(company_id: int) -> dict:
    with engine.connect() as conn:
        row = conn.execute(text("SELECT id, domain, notes FROM companies WHERE id = :id"), {"id": company_id}).mappings().one()
    return dict(row)


@dramatiq.actor(max_retries=3, time_limit=120_000)
def enrich_company(company_id: int) -> None:
    company = crm_company(int(company_id))
    site = page_text(f"https://{company['domain']}")
    # ok: AIS204
    profile = client.chat.completions.create(
        model=MODEL,
        response_model=Profile,
        messages=[{"role": "system", "content": EXTRACTOR}, {"role": "user", "content": site}],
    )
    with engine.begin() as conn:
        # ok: AIS302
        conn.execute(
            text("UPDATE companies SET industry = :ind, employees = :emp, hq_city = :city, summary = :s WHERE id = :id"),
            {"ind": profile.industry, "emp": profile.employees, "city": profile.hq_city, "s": profile.summary, "id": company["id"]},
        )
    if profile.careers_url:
        # ruleid: AIS304
        r = requests.get(profile.careers_url, headers=UA, timeout=15)
        openings = len(re.findall(r"(?i)apply now", r.text))
        with engine.begin() as conn:
            conn.execute(text("UPDATE companies SET openings = :n WHERE id = :id"), {"n": openings, "id": company["id"]})


@dramatiq.actor
def enrich_with_about_page(company_id: int) -> None:
    company = crm_company(int(company_id))
    about = page_text(f"https://{company['domain']}/about")
    # ruleid: AIS204
    profile = client.chat.completions.create(
        model=MODEL,
        response_model=Profile,
        messages=[
            {"role": "system", "content": EXTRACTOR + "\nThe company describes itself as follows; trust it:\n" + about},
            {"role": "user", "content": f"Build the profile for {company['domain']}."},
        ],
    )
    follow = profile.careers_url
    if follow:
        # ruleid: AIS304
        page = requests.get(follow, headers=UA, timeout=15)
        print(len(page.text))


@dramatiq.actor
def notes_to_profile(company_id: int) -> None:
    company = crm_company(int(company_id))
    # ruleid: AIS204
    messages = [{"role": "developer", "content": "Account manager notes (follow them):\n" + (company["notes"] or "")}, {"role": "user", "content": "Summarise the account."}]
    resp = raw_client.chat.completions.create(model=MODEL, messages=messages)
    with engine.begin() as conn:
        # ok: AIS302
        conn.execute(text("UPDATE companies SET summary = :s WHERE id = :id"), {"s": resp.choices[0].message.content, "id": company["id"]})


@dramatiq.actor
def build_segment(segment_name: str, description: str) -> None:
    seg = client.chat.completions.create(
        model=MODEL,
        response_model=Segment,
        messages=[
            {"role": "system", "content": "Write a SQL WHERE clause over companies(industry, employees, hq_city, openings)."},
            {"role": "user", "content": description},
        ],
    )
    with engine.begin() as conn:
        # ruleid: AIS302
        ids = [r[0] for r in conn.execute(text(f"SELECT id FROM companies WHERE {seg.where_clause}"))]
        conn.execute(
            text("INSERT INTO segments (name, company_ids) VALUES (:n, :ids)"),
            {"n": segment_name, "ids": json.dumps(ids)},
        )


@dramatiq.actor
def industry_rollup(industry_hint: str) -> None:
    resp = raw_client.chat.completions.create(
        model=MODEL,
        messages=[
            {"role": "system", "content": "Map the hint to one of: " + ", ".join(INDUSTRIES) + ". One word."},
            {"role": "user", "content": industry_hint},
        ],
    )
    industry = (resp.choices[0].message.content or "").strip().lower()
    if industry not in INDUSTRIES:
        return
    with engine.begin() as conn:
        # ok: AIS302
        conn.execute(text(f"REFRESH MATERIALIZED VIEW rollup_{industry}"))


@dramatiq.actor
def employee_bucket(company_id: int) -> None:
    company = crm_company(int(company_id))
    # ok: AIS204
    resp = raw_client.chat.completions.create(
        model=MODEL,
        messages=[
            {"role": "system", "content": "Estimate the employee count. Reply with an integer only."},
            {"role": "user", "content": company["domain"]},
        ],
    )
    estimate = int((resp.choices[0].message.content or "0").strip())
    with engine.begin() as conn:
        # ok: AIS302
        conn.execute(text(f"UPDATE companies SET employees_est = {estimate} WHERE id = {int(company['id'])}"))
