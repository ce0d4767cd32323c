"""Nightly competitor-news digest (cron): RSS + linked articles -> Gemini summaries -> HTML archive."""

from __future__ import annotations

import logging
import os
import re
import sqlite3
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import feedparser
import httpx
import markdown
from google import genai
from google.genai import types
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

log = logging.getLogger("digest")
FEEDS = ("https://blog.competitor-one.example/rss", "https://news.competitor-two.example/feed.xml")
EDITOR_NOTES_URL = "https://docs.internal.acme.io/digest/editor-notes.txt"
ARCHIVE = Path(os.environ.get("DIGEST_ARCHIVE", "/var/www/digest"))
SLUG = re.compile(r"[a-z0-9-]{1,60}")
SUMMARY_SYSTEM = "Summarise news articles for product managers in three sentences. No speculation."

env = Environment(loader=FileSystemLoader("templates"), autoescape=select_autoescape(["html"]))


@dataclass
class Article:
    title: str
    link: str
    text: str = ""
    summary: str = ""
    tags: list[str] = field(default_factory=list)


class DigestJob:
    def __init__(self, model: str = "gemini-2.5-flash") -> None:
        self.client = genai.Client()
        self.model = model
        self.http = httpx.Client(timeout=15, follow_redirects=True)
        self.db = sqlite3.connect(os.environ.get("DIGEST_DB", "digest.db"))

    def collect(self) -> list[Article]:
        articles = []
        for url in FEEDS:
            feed = feedparser.parse(self.http.get(url).text)
            articles.extend(Article(e.title, e.link) for e in feed.entries[:5])
        for article in articles:
            try:
                article.text = self.http.get(article.link).text[:30000]
            except httpx.HTTPError:
                log.warning("could not fetch %s", article.link)
        return [a for a in articles if a.text]

    def summarise(self, article: Article) -> str:
        # ok: AIS204
        # ok: AIS202
        response = self.client.models.generate_content(
            model=self.model,
            contents="Summarise the following article:\n\n" + article.text,
            config=types.GenerateContentConfig(system_instruction=SUMMARY_SYSTEM),
        )
        return response.text

    def summarise_with_context(self, article: Article) -> str:
        # ruleid: AIS204
        response = self.client.models.generate_content(
            model=self.model,
            contents="Summarise the article in the system instructions.",
            config=types.GenerateContentConfig(system_instruction=f"{SUMMARY_SYSTEM}\n\nARTICLE:\n{article.text}"),
        )
        return response.text

    def editorial_intro(self, summaries: list[str]) -> str:
        notes = self.http.get(EDITOR_NOTES_URL).text
        # ruleid: AIS204
        response = self.client.models.generate_content(
            model=self.model,
            contents="\n\n".join(summaries),
            config={"system_instruction": "Write a two-paragraph intro for the digest. Editor notes: " + notes},
        )
        return response.text

    def tag(self, article: Article) -> list[str]:
        response = self.client.models.generate_content(
            model=self.model,
            contents=article.summary,
            config=types.GenerateContentConfig(system_instruction="Return up to three lowercase topic tags, comma separated."),
        )
        tags = [t.strip() for t in response.text.split(",") if t.strip()]
        for tag in tags:
            # ruleid: AIS302
            self.db.execute(f"INSERT OR IGNORE INTO tags (article, tag) VALUES ('{article.link}', '{tag}')")
            # ok: AIS302
            self.db.execute("INSERT OR IGNORE INTO tag_log (tag) VALUES (?)", (tag,))
        self.db.commit()
        return tags

    def archive_page(self, article: Article) -> Path:
        response = self.client.models.generate_content(
            model=self.model,
            contents=article.title,
            config=types.GenerateContentConfig(system_instruction="Reply with a short URL slug for this title."),
        )
        slug = response.text.strip().lower()
        target = ARCHIVE / f"{slug}.html"
        page = env.get_template("article.html").render(article=article)
        # ruleid: AIS304
        target.write_text(page, encoding="utf-8")
        if SLUG.fullmatch(slug):
            # ok: AIS304
            (ARCHIVE / "by-slug" / f"{slug}.html").write_text(page, encoding="utf-8")
        return target

    def render_email(self, intro: str, articles: list[Article]) -> str:
        # ruleid: AIS303
        intro_html = Markup(markdown.markdown(intro))
        cards = []
        for article in articles:
            # ruleid: AIS303
            cards.append(Markup(f"<h2>{article.title}</h2><p>{article.summary}</p>"))
        # ok: AIS303
        footer = env.get_template("footer.html").render(intro=intro)
        return env.get_template("digest.html").render(intro=intro_html, cards=cards, footer=footer)

    def run(self) -> None:
        articles = self.collect()
        for article in articles:
            article.summary = self.summarise(article)
            article.tags = self.tag(article)
            self.archive_page(article)
        intro = self.editorial_intro([a.summary for a in articles])
        (ARCHIVE / f"{date.today():%Y-%m-%d}.html").write_text(self.render_email(intro, articles), encoding="utf-8")


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    DigestJob().run()
