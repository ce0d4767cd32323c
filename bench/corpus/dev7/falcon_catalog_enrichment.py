"""Product-catalog enrichment API on Falcon: instructor for structured output, Bedrock for copy, vLLM offline."""
from __future__ import annotations

import sqlite3

import boto3
import falcon
import instructor
from openai import OpenAI
from pydantic import BaseModel
from vllm import LLM, SamplingParams

client = instructor.from_openai(OpenAI())
bedrock = boto3.client("bedrock-runtime", region_name="us-east-1")
COPYWRITER = "You write product copy for an outdoor-gear shop. No superlatives, no medical claims."
CATEGORIES = {"tents", "packs", "footwear", "apparel"}
db = sqlite3.connect("catalog.db", check_same_thread=False)


class Attributes(BaseModel):
    category: str
    color: str
    weight_grams: int
    sql_filter: str


class EnrichResource:
    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = req.get_media()
        # ok: AIS202
        attrs = client.chat.completions.create(
            model="gpt-4o-mini",
            response_model=Attributes,
            messages=[
                {"role": "system", "content": "Extract product attributes from the description."},
                {"role": "user", "content": body["description"]},
            ],
        )
        # ruleid: AIS302
        rows = db.execute(f"SELECT sku FROM products WHERE {attrs.sql_filter}").fetchall()
        if attrs.category in CATEGORIES:
            # ok: AIS302
            db.execute("UPDATE products SET category = ? WHERE sku = ?", (attrs.category, body["sku"]))
        resp.media = {"similar": [r[0] for r in rows], "weight": attrs.weight_grams}


class ExtractWithHintsResource:
    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = req.get_media()
        # ruleid: AIS201
        attrs = client.chat.completions.create(
            model="gpt-4o-mini",
            response_model=Attributes,
            messages=[
                {"role": "system", "content": "Extract product attributes. Merchant hints: " + body["hints"]},
                {"role": "user", "content": body["description"]},
            ],
        )
        resp.media = attrs.model_dump()


class CopyResource:
    def on_post(self, req: falcon.Request, resp: falcon.Response, sku: str) -> None:
        body = req.get_media()
        # ruleid: AIS201
        out = bedrock.converse(
            modelId="anthropic.claude-3-5-haiku-20241022-v1:0",
            system=[{"text": COPYWRITER}, {"text": f"Brand guidelines from the merchant: {body['guidelines']}"}],
            messages=[{"role": "user", "content": [{"text": body["notes"]}]}],
        )
        copy = out["output"]["message"]["content"][0]["text"]
        resp.content_type = falcon.MEDIA_HTML
        # ruleid: AIS303
        resp.text = f"<div class='copy'>{copy}</div>"

    def on_get(self, req: falcon.Request, resp: falcon.Response, sku: str) -> None:
        row = db.execute("SELECT name, notes FROM products WHERE sku = ?", (sku,)).fetchone()
        # ok: AIS204
        out = bedrock.converse(
            modelId="anthropic.claude-3-5-haiku-20241022-v1:0",
            system=[{"text": COPYWRITER}],
            messages=[{"role": "user", "content": [{"text": f"Product: {row[0]}\nNotes: {row[1]}"}]}],
        )
        resp.media = {"copy": out["output"]["message"]["content"][0]["text"]}


def offline_backfill(limit: int = 1000) -> None:
    """Cron job: write short taglines for products that have none, with a local vLLM model."""
    llm = LLM(model="/models/llama-3.1-8b-instruct")
    params = SamplingParams(max_tokens=40)
    rows = db.execute("SELECT sku, name, notes FROM products WHERE tagline IS NULL LIMIT ?", (limit,)).fetchall()
    conversations = []
    for sku, name, notes in rows:
        conversations.append(
            [{"role": "system", "content": COPYWRITER + f" Product notes: {notes}"}, {"role": "user", "content": f"Tagline for {name}"}]
        )
    # ruleid: AIS204
    outputs = llm.chat(conversations, params)
    for (sku, _name, _notes), out in zip(rows, outputs):
        tagline = out.outputs[0].text
        # ok: AIS302
        db.execute("UPDATE products SET tagline = ? WHERE sku = ?", (tagline, sku))
        # ruleid: AIS302
        db.execute("UPDATE products SET tagline_html = '<b>" + tagline + "</b>' WHERE sku = '" + sku + "'")
    db.commit()


app = falcon.App()
app.add_route("/enrich", EnrichResource())
app.add_route("/extract", ExtractWithHintsResource())
app.add_route("/products/{sku}/copy", CopyResource())
