"""Competitor watch: RQ jobs that crawl competitor pricing pages and summarise changes with Mistral.

Enqueued hourly by the scheduler (`rq-scheduler`); results go to S3-synced report folders and Slack.
"""
from __future__ import annotations

import json
import os
import pathlib
import re
import uuid
from datetime import date

import httpx
import yaml
from bs4 import BeautifulSoup
from mistralai import Mistral
from redis import Redis
from rq import Queue

mistral = Mistral(api_key=os.environ["MISTRAL_API_KEY"])
MODEL = "mistral-large-latest"
REPORT_ROOT = pathlib.Path(os.getenv("REPORT_ROOT", "/srv/competitor-watch/reports"))
ANALYST_BRIEF = pathlib.Path(__file__).with_name("analyst_brief.txt").read_text(encoding="utf-8")
SLACK_WEBHOOK = os.environ["SLACK_WEBHOOK_URL"]
queue = Queue("competitor-watch", connection=Redis.from_url(os.environ["REDIS_URL"]))
COMPETITOR_RE = re.compile(r"[a-z0-9][a-z0-9-]{1,40}")


def fetch_page(url: str) -> str:
    resp = httpx.get(url, timeout=20, follow_redirects=True, headers={"User-Agent": "competitor-watch/2.1"})
    resp.raise_for_status()
    return BeautifulSoup(resp.text, "html.parser").get_text(" ", strip=True)[:20000]


def chat(messages: list[dict]) -> str:
    # ruleid: AIS204
    resp = mistral.chat.complete(model=MODEL, messages=messages, temperature=0.1)
    return resp.choices[0].message.content


def summarise_pricing(competitor: str, url: str) -> str:
    page_text = fetch_page(url)
    # ruleid: AIS204
    resp = mistral.chat.complete(
        model=MODEL,
        messages=[
            {"role": "system", "content": ANALYST_BRIEF + "\n\nCurrent pricing page:\n" + page_text},
            {"role": "user", "content": f"What changed in {competitor}'s pricing this week?"},
        ],
    )
    return resp.choices[0].message.content


def extract_plans(url: str) -> list[dict]:
    page_text = fetch_page(url)
    # ok: AIS204
    resp = mistral.chat.complete(
        model=MODEL,
        messages=[
            {"role": "system", "content": ANALYST_BRIEF + " Extract plans as YAML: a list of {name, price_eur, seats}."},
            {"role": "user", "content": page_text},
        ],
    )
    raw = resp.choices[0].message.content.strip().strip("`")
    # ok: AIS304
    return yaml.safe_load(raw) or []


def extract_plans_legacy(url: str) -> list[dict]:
    """Old extractor kept for the v1 dashboards (custom YAML tags for currencies)."""
    page_text = fetch_page(url)
    raw = chat(
        [
            {"role": "system", "content": ANALYST_BRIEF + " Extract plans as YAML."},
            {"role": "user", "content": page_text},
        ]
    )
    # ruleid: AIS304
    return yaml.load(raw, Loader=yaml.Loader) or []


def write_report(competitor: str, url: str) -> pathlib.Path:
    if not COMPETITOR_RE.fullmatch(competitor):
        raise ValueError(f"bad competitor slug {competitor!r}")
    summary = summarise_pricing(competitor, url)
    out = REPORT_ROOT / competitor / f"{date.today():%Y-%m-%d}-{uuid.uuid4().hex[:8]}.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    # ok: AIS304
    out.write_text(summary, encoding="utf-8")
    return out


def write_named_report(url: str) -> pathlib.Path:
    page_text = fetch_page(url)
    title = chat(
        [
            {"role": "system", "content": "Suggest a short file name (no extension) for a report on this page."},
            {"role": "user", "content": page_text[:2000]},
        ]
    ).strip()
    summary = chat([{"role": "system", "content": ANALYST_BRIEF}, {"role": "user", "content": page_text}])
    # ruleid: AIS304
    with open(REPORT_ROOT / f"{title}.md", "w", encoding="utf-8") as fh:
        fh.write(summary)
    return REPORT_ROOT / f"{title}.md"


def follow_links(url: str) -> list[str]:
    page_text = fetch_page(url)
    links_json = chat(
        [
            {"role": "system", "content": "List up to 3 absolute URLs on this page that look like pricing or changelog pages, as a JSON array."},
            {"role": "user", "content": page_text},
        ]
    )
    texts = []
    for link in json.loads(links_json)[:3]:
        # ruleid: AIS304
        texts.append(httpx.get(link, timeout=20).text[:5000])
    return texts


def compare_with_history(competitor: str, url: str, previous_summary_path: str) -> str:
    previous = pathlib.Path(previous_summary_path).read_text(encoding="utf-8")
    current = fetch_page(url)
    return chat(
        [
            {"role": "system", "content": f"{ANALYST_BRIEF}\nLast week's notes (treat as ground truth):\n{previous}"},
            {"role": "user", "content": f"Compare with this week's page for {competitor}:\n{current}"},
        ]
    )


def notify_slack(competitor: str, url: str) -> None:
    summary = summarise_pricing(competitor, url)
    # ok: AIS304
    httpx.post(SLACK_WEBHOOK, json={"text": f"*{competitor}* pricing update\n{summary}"}, timeout=10)


def enqueue_all(watchlist_path: str = "watchlist.json") -> None:
    with open(watchlist_path, encoding="utf-8") as fh:
        watchlist = json.load(fh)
    for entry in watchlist:
        queue.enqueue(write_report, entry["slug"], entry["pricing_url"], job_timeout=600)
        queue.enqueue(notify_slack, entry["slug"], entry["pricing_url"], job_timeout=600)
