"""Listing enrichment: a Kafka consumer feeds Celery tasks that call Claude with tools, CrewAI and smolagents tool classes."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import anthropic
import dspy
import httpx
from celery import Celery
from confluent_kafka import Consumer
from crewai.tools import BaseTool
from smolagents import Tool
from sqlalchemy import create_engine, text

celery_app = Celery("listings", broker="redis://localhost:6379/1")
claude = anthropic.Anthropic()
engine = create_engine("postgresql://listings@db/market")
EXPORT_DIR = Path("/srv/exports")
IMAGE_HOSTS = ("https://img.market.example/", "https://cdn.market.example/")
TOOLS = [
    {"name": "lookup_seller", "description": "Find a seller by name", "input_schema": {"type": "object", "properties": {"name": {"type": "string"}}}},
    {"name": "export_listing", "description": "Write the listing to a file", "input_schema": {"type": "object", "properties": {"filename": {"type": "string"}, "body": {"type": "string"}}}},
]


class ListingTools:
    """The tools Claude may call while enriching one listing."""

    def __init__(self, listing_id: int) -> None:
        self.listing_id = listing_id

    def lookup_seller(self, name: str) -> str:
        with engine.connect() as conn:
            # ruleid: AIS302
            rows = conn.execute(text(f"SELECT id, rating FROM sellers WHERE name ILIKE '%{name}%'")).fetchall()
        return json.dumps([list(r) for r in rows])

    def export_listing(self, filename: str, body: str) -> str:
        # ruleid: AIS304
        (EXPORT_DIR / filename).write_text(body)
        return "exported"

    def dispatch(self, name: str, arguments: dict) -> str:
        handler = getattr(self, name, None)
        if handler is None or name not in {"lookup_seller", "export_listing"}:
            return "unknown tool"
        return handler(**arguments)


def retrying(times: int):
    def wrap(fn):
        def inner(*args, **kwargs):
            for attempt in range(times):
                try:
                    return fn(*args, **kwargs)
                except anthropic.APIError:
                    if attempt == times - 1:
                        raise
            return None

        return inner

    return wrap


@retrying(3)
def ask_claude(system: str, messages: list[dict]) -> anthropic.types.Message:
    return claude.messages.create(model="claude-sonnet-4-5", max_tokens=1024, system=system, tools=TOOLS, messages=messages)


@celery_app.task(bind=True, max_retries=2)
def enrich_listing(self, listing: dict) -> str:
    tools = ListingTools(listing["id"])
    messages = [{"role": "user", "content": json.dumps(listing)}]
    for _ in range(6):
        # ok: AIS201
        reply = ask_claude("You enrich marketplace listings. Use tools when needed.", messages)
        messages.append({"role": "assistant", "content": reply.content})
        uses = [block for block in reply.content if block.type == "tool_use"]
        if not uses:
            return "".join(block.text for block in reply.content if block.type == "text")
        results = []
        for use in uses:
            output = tools.dispatch(use.name, use.input)
            results.append({"type": "tool_result", "tool_use_id": use.id, "content": output})
        messages.append({"role": "user", "content": results})
    return ""


@celery_app.task
def seller_voice(listing: dict, seller_style: str) -> str:
    # ruleid: AIS201
    reply = ask_claude(f"Rewrite listings in the seller's own style: {seller_style}", [{"role": "user", "content": listing["title"]}])
    return reply.content[0].text


class FetchImageTool(BaseTool):
    name: str = "fetch_image"
    description: str = "Download a listing image by URL"

    def _run(self, url: str) -> str:
        # ruleid: AIS304
        return httpx.get(url, timeout=20).headers.get("content-type", "")


class SafeImageTool(BaseTool):
    name: str = "fetch_known_image"
    description: str = "Download a listing image from the marketplace CDN"

    def _run(self, url: str) -> str:
        if not url.startswith(IMAGE_HOSTS):
            return "refused"
        # ok: AIS304
        return httpx.get(url, timeout=20).headers.get("content-type", "")


class ResizeTool(Tool):
    name = "resize"
    description = "Resize an exported image with ImageMagick"
    inputs = {"spec": {"type": "string", "description": "geometry like 800x600"}}
    output_type = "string"

    def forward(self, spec: str) -> str:
        # ruleid: AIS301
        return subprocess.run(f"convert /tmp/in.png -resize {spec} /tmp/out.png", shell=True, capture_output=True, text=True).stdout


class TitleFix(dspy.Signature):
    """Fix the listing title's grammar; keep brand names."""

    title: str = dspy.InputField()
    fixed: str = dspy.OutputField()


@celery_app.task
def fix_title(listing_id: int, title: str) -> None:
    fixed = dspy.Predict(TitleFix)(title=title).fixed
    with engine.begin() as conn:
        # ok: AIS302
        conn.execute(text("UPDATE listings SET title = :title WHERE id = :id"), {"title": fixed, "id": listing_id})
        # ruleid: AIS302
        conn.execute(text(f"UPDATE listings SET title = '{fixed}' WHERE id = {int(listing_id)}"))


def consume() -> None:
    consumer = Consumer({"bootstrap.servers": "kafka:9092", "group.id": "enrichment"})
    consumer.subscribe(["listings.created"])
    while True:
        msg = consumer.poll(1.0)
        if msg is None or msg.error():
            continue
        event = json.loads(msg.value())
        enrich_listing.delay(event["listing"])
        if event.get("style"):
            seller_voice.delay(event["listing"], event["style"])
        fix_title.delay(event["listing"]["id"], event["listing"]["title"])


if __name__ == "__main__":
    consume()
