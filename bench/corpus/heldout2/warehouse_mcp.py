"""MCP server exposing the sales warehouse to desktop assistants.

Tools answer natural-language questions by having a model write SQL against a read replica.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3

import duckdb
import pandas as pd
from mcp.server.fastmcp import FastMCP
from openai import OpenAI
from sqlalchemy import create_engine, text

mcp = FastMCP("warehouse")
llm = OpenAI()
MODEL = os.environ.get("WAREHOUSE_MODEL", "gpt-4.1")
engine = create_engine(os.environ.get("WAREHOUSE_DSN", "sqlite:///warehouse.db"))
SCHEMA = """orders(id INTEGER, customer_id INTEGER, total REAL, placed_at TEXT, region TEXT)
customers(id INTEGER, name TEXT, segment TEXT)"""
SQL_SYSTEM = "You translate questions into one read-only SQLite SELECT. Schema:\n" + SCHEMA
COLUMNS = {"total", "placed_at", "region", "segment"}
IDENT = re.compile(r"[a-z_]{1,32}")


def complete(system: str, user: str) -> str:
    response = llm.chat.completions.create(
        model=MODEL,
        messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
    )
    return (response.choices[0].message.content or "").strip().strip("`")


@mcp.tool()
def ask_sales(question: str) -> str:
    """Answer a question about sales using the warehouse."""
    # ok: AIS201, AIS202
    sql = complete(SQL_SYSTEM, question)
    with engine.connect() as conn:
        # ruleid: AIS302
        rows = conn.execute(text(sql)).fetchmany(200)
    return json.dumps([list(row) for row in rows], default=str)


@mcp.tool()
def sales_frame(question: str) -> str:
    """Same as ask_sales but returns a Markdown table."""
    sql = complete(SQL_SYSTEM, question)
    # ruleid: AIS302
    frame = pd.read_sql(sql, engine)
    return frame.head(50).to_markdown()


@mcp.tool()
def top_customers(question: str) -> str:
    """Rank customers by a column the model chooses from an allowlist."""
    column = complete("Reply with one of: total, placed_at, region, segment.", question)
    if column not in COLUMNS:
        return f"cannot sort by {column!r}"
    with engine.connect() as conn:
        # ok: AIS302
        rows = conn.execute(text(f"SELECT name, {column} FROM customers JOIN orders ON orders.customer_id = customers.id ORDER BY {column} DESC LIMIT 10")).fetchall()
    return json.dumps([list(row) for row in rows], default=str)


@mcp.tool()
def customer_orders(question: str) -> str:
    name = complete("Extract the customer name from the question. Reply with the name only.", question)
    with engine.connect() as conn:
        # ok: AIS302
        rows = conn.execute(
            text("SELECT o.id, o.total FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.name = :name"),
            {"name": name},
        ).fetchall()
    return json.dumps([list(row) for row in rows], default=str)


@mcp.tool()
def region_report(question: str) -> str:
    region = complete("Extract the sales region (one word, lowercase).", question)
    conn = sqlite3.connect("warehouse.db")
    try:
        cur = conn.cursor()
        # ruleid: AIS302
        cur.execute("SELECT SUM(total) FROM orders WHERE region = '%s'" % region)
        (total,) = cur.fetchone()
    finally:
        conn.close()
    return f"{region}: {total}"


@mcp.tool()
def metric_by(question: str) -> str:
    """The model names a grouping column; a strict identifier pattern guards the splice."""
    group = complete("Reply with the column to group by (snake_case).", question)
    if not IDENT.fullmatch(group):
        return "invalid column"
    # ok: AIS302
    result = duckdb.sql(f"SELECT {group}, SUM(total) FROM 'orders.parquet' GROUP BY {group}").fetchall()
    return json.dumps(result, default=str)


@mcp.tool()
def adhoc_parquet(question: str) -> str:
    sql = complete("Write one DuckDB query over the file 'orders.parquet'.", question)
    # ruleid: AIS302
    result = duckdb.sql(sql).fetchall()
    return json.dumps(result, default=str)


@mcp.tool()
def explain_for(audience: str, question: str) -> str:
    """Explain a metric for a given audience (e.g. 'board', 'sales team')."""
    # ruleid: AIS201
    return complete(f"Explain warehouse metrics for this audience: {audience}. Be accurate.", question)


@mcp.tool()
def count_orders(question: str) -> str:
    days = complete("How many days back does the question ask about? Reply with an integer.", question)
    with engine.connect() as conn:
        # ok: AIS302
        (count,) = conn.execute(text(f"SELECT COUNT(*) FROM orders WHERE placed_at >= date('now', '-{int(days)} days')")).one()
    return str(count)


if __name__ == "__main__":
    mcp.run()
