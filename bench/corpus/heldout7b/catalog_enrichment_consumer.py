"""Kafka consumer that enriches new catalogue products with structured LLM output (instructor on
a vLLM OpenAI-compatible endpoint) and writes the results to Postgres and DuckDB."""
from __future__ import annotations

import json
import logging
import os
import signal
from dataclasses import dataclass, field

import duckdb
import instructor
import psycopg
import requests
from confluent_kafka import Consumer, KafkaError
from openai import OpenAI
from pydantic import BaseModel, Field

log = logging.getLogger("enrichment")

KAFKA_CONF = {
    "bootstrap.servers": os.environ["KAFKA_BOOTSTRAP"],
    "group.id": "catalog-enrichment",
    "auto.offset.reset": "earliest",
    "enable.auto.commit": False,
}
TOPIC = "catalog.products.created"
DSN = os.environ["CATALOG_DSN"]
ANALYTICS_DB = os.environ.get("ANALYTICS_DUCKDB", "/data/analytics.duckdb")
EDITABLE_COLUMNS = {"material", "color", "size_label", "care_instructions"}
CATEGORIES = {"apparel", "footwear", "accessories", "home", "outdoor"}

llm = instructor.from_openai(OpenAI(base_url=os.environ.get("VLLM_URL", "http://vllm:8000/v1"), api_key="unused"))
MODEL = os.environ.get("ENRICH_MODEL", "Qwen/Qwen2.5-32B-Instruct")

SYSTEM = (
    "You enrich e-commerce product records. Use only facts present in the record. "
    "Categories: apparel, footwear, accessories, home, outdoor."
)


class AttributeFix(BaseModel):
    column: str
    value: str


class Enrichment(BaseModel):
    category: str
    tags: list[str] = Field(default_factory=list)
    fixes: list[AttributeFix] = Field(default_factory=list)
    image_url: str | None = None


class PriceBand(BaseModel):
    min_price: float
    max_price: float


class Segment(BaseModel):
    name: str
    where_clause: str = Field(description="DuckDB SQL boolean expression over the products table")


@dataclass
class EnrichmentWorker:
    conn: psycopg.Connection
    analytics: duckdb.DuckDBPyConnection
    processed: int = 0
    failures: list[str] = field(default_factory=list)

    def enrich(self, product: dict) -> Enrichment:
        return llm.chat.completions.create(
            model=MODEL,
            response_model=Enrichment,
            max_retries=2,
            messages=[
                {"role": "system", "content": SYSTEM},
                {"role": "user", "content": json.dumps(product)},
            ],
        )

    def save_category(self, sku: str, enr: Enrichment) -> None:
        with self.conn.cursor() as cur:
            # ruleid: AIS302
            cur.execute(
                f"UPDATE products SET category = '{enr.category}', enriched_at = now() WHERE sku = %s",
                (sku,),
            )

    def save_tags(self, sku: str, enr: Enrichment) -> None:
        with self.conn.cursor() as cur:
            # ok: AIS302
            cur.execute(
                "UPDATE products SET tags = %s, enriched_at = now() WHERE sku = %s",
                (enr.tags, sku),
            )

    def apply_fixes(self, sku: str, enr: Enrichment) -> None:
        with self.conn.cursor() as cur:
            for fix in enr.fixes:
                if fix.column not in EDITABLE_COLUMNS:
                    log.warning("model proposed non-editable column %s", fix.column)
                    continue
                # ok: AIS302
                cur.execute(f"UPDATE products SET {fix.column} = %s WHERE sku = %s", (fix.value, sku))

    def apply_fixes_legacy(self, sku: str, enr: Enrichment) -> None:
        with self.conn.cursor() as cur:
            for fix in enr.fixes:
                stmt = "UPDATE products SET %s = '%s' WHERE sku = '%s'" % (fix.column, fix.value, sku)
                # ruleid: AIS302
                cur.execute(stmt)

    def mirror_to_analytics(self, sku: str, enr: Enrichment) -> None:
        category = enr.category if enr.category in CATEGORIES else "uncategorised"
        # ok: AIS302
        self.analytics.execute(
            "INSERT INTO product_categories VALUES (?, ?)", [sku, category]
        )

    def fetch_image(self, sku: str, enr: Enrichment) -> bytes | None:
        if not enr.image_url:
            return None
        # ruleid: AIS304
        resp = requests.get(enr.image_url, timeout=10)
        resp.raise_for_status()
        return resp.content

    def handle(self, product: dict) -> None:
        sku = str(product["sku"])
        enr = self.enrich(product)
        self.save_category(sku, enr)
        self.save_tags(sku, enr)
        self.apply_fixes(sku, enr)
        self.apply_fixes_legacy(sku, enr)
        self.mirror_to_analytics(sku, enr)
        self.fetch_image(sku, enr)
        self.conn.commit()
        self.processed += 1


def build_segment(analytics: duckdb.DuckDBPyConnection, description: str) -> list[str]:
    segment = llm.chat.completions.create(
        model=MODEL,
        response_model=Segment,
        messages=[
            {"role": "system", "content": "Define a product segment as a DuckDB WHERE expression over products(sku, category, price, tags)."},
            {"role": "user", "content": description},
        ],
    )
    # ruleid: AIS302
    rows = analytics.sql(f"SELECT sku FROM products WHERE {segment.where_clause}").fetchall()
    return [r[0] for r in rows]


def price_band(analytics: duckdb.DuckDBPyConnection, description: str) -> list[str]:
    reply = llm.chat.completions.create(
        model=MODEL,
        response_model=PriceBand,
        messages=[
            {"role": "system", "content": "Reply with an object {min_price, max_price} for the described band."},
            {"role": "user", "content": description},
        ],
    )
    low, high = float(reply.min_price), float(reply.max_price)
    # ok: AIS302
    rows = analytics.execute(f"SELECT sku FROM products WHERE price BETWEEN {low} AND {high}").fetchall()
    return [r[0] for r in rows]


def run() -> None:
    consumer = Consumer(KAFKA_CONF)
    consumer.subscribe([TOPIC])
    worker = EnrichmentWorker(conn=psycopg.connect(DSN), analytics=duckdb.connect(ANALYTICS_DB))
    running = True

    def stop(*_):
        nonlocal running
        running = False

    signal.signal(signal.SIGTERM, stop)
    try:
        while running:
            msg = consumer.poll(1.0)
            if msg is None:
                continue
            if msg.error():
                if msg.error().code() != KafkaError._PARTITION_EOF:
                    log.error("kafka error: %s", msg.error())
                continue
            product = json.loads(msg.value())
            try:
                worker.handle(product)
            except Exception:
                log.exception("enrichment failed for %s", product.get("sku"))
                worker.failures.append(str(product.get("sku")))
                worker.conn.rollback()
            consumer.commit(message=msg, asynchronous=False)
    finally:
        consumer.close()
        worker.conn.close()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    run()
