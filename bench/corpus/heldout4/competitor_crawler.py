"""Crawls competitor pricing pages with requests + BeautifulSoup and summarises them with Claude."""

import argparse
import json
import os
import pickle
import re
from pathlib import Path
from urllib.parse import urljoin, urlparse

import anthropic
import requests
import yaml
from bs4 import BeautifulSoup
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

claude = anthropic.Anthropic(api_key=os.environ["ANTHROPIC_API_KEY"])
MODEL = "claude-3-5-sonnet-latest"
ALLOWED_HOSTS = {"www.rival-one.example", "shop.rival-two.example"}
SLUG = re.compile(r"[a-z0-9-]{1,40}")
CACHE = Path(".crawl-cache")
env = Environment(loader=FileSystemLoader("templates"), autoescape=select_autoescape())


def page_text(url: str) -> str:
    html_doc = requests.get(url, timeout=15).text
    soup = BeautifulSoup(html_doc, "html.parser")
    return soup.get_text(" ", strip=True)[:12000]


def summarise(url: str) -> str:
    text = page_text(url)
    # ok: AIS204
    msg = claude.messages.create(
        model=MODEL,
        max_tokens=800,
        system="Summarise competitor pricing pages as YAML with keys plan, price, currency.",
        messages=[{"role": "user", "content": text}],
    )
    return msg.content[0].text


def summarise_with_notes(url: str) -> str:
    text = page_text(url)
    # ruleid: AIS204
    msg = claude.messages.create(
        model=MODEL,
        max_tokens=800,
        system="You track competitor pricing. Background from their site:\n" + text,
        messages=[{"role": "user", "content": "List every plan and price."}],
    )
    return msg.content[0].text


def related_pages(url: str) -> list[str]:
    soup = BeautifulSoup(requests.get(url, timeout=15).text, "html.parser")
    footer = soup.find("footer")
    footer_text = footer.get_text(" ", strip=True) if footer else ""
    # ruleid: AIS204
    msg = claude.messages.create(
        model=MODEL,
        max_tokens=300,
        system=[{"type": "text", "text": "Pick pricing-related links. Site footer for context: " + footer_text}],
        messages=[{"role": "user", "content": "\n".join(a.get("href", "") for a in soup.find_all("a"))}],
    )
    return msg.content[0].text.split()


def follow(base: str, links: list[str]) -> list[str]:
    pages = []
    for link in links:
        target = urljoin(base, link)
        if urlparse(target).hostname not in ALLOWED_HOSTS:
            continue
        # ok: AIS304
        pages.append(requests.get(target, timeout=15).text)
    return pages


def next_page() -> str:
    msg = claude.messages.create(
        model=MODEL, max_tokens=100, messages=[{"role": "user", "content": "Which rival-one.example URL lists enterprise pricing?"}]
    )
    guess = msg.content[0].text.strip()
    # ruleid: AIS304
    return requests.get(guess, timeout=15).text


def store(url: str, summary: str) -> dict:
    # ok: AIS304
    data = yaml.safe_load(summary)
    slug = data.get("slug", "page") if isinstance(data, dict) else "page"
    if SLUG.fullmatch(slug):
        # ok: AIS304
        (CACHE / f"{slug}.json").write_text(json.dumps(data), encoding="utf-8")
    # ruleid: AIS304
    CACHE.joinpath(summary.splitlines()[0] + ".yaml").write_text(summary, encoding="utf-8")
    return data


def restore(url: str) -> object:
    msg = claude.messages.create(model=MODEL, max_tokens=2000, messages=[{"role": "user", "content": "Return the cached state blob."}])
    # ruleid: AIS304
    return pickle.loads(bytes.fromhex(msg.content[0].text.strip()))


def render(url: str, summary: str) -> str:
    # ok: AIS303
    page = env.get_template("summary.html").render(url=url, summary=summary)
    # ruleid: AIS303
    card = Markup("<pre class='summary'>%s</pre>" % summary)
    return page + str(card)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    args = parser.parse_args()
    summary = summarise(args.url)
    store(args.url, summary)
    follow(args.url, related_pages(args.url))
    print(render(args.url, summarise_with_notes(args.url)))
    print(next_page()[:200])


if __name__ == "__main__":
    main()
