# Held-out corpus. Semgrep-style annotations: `# ruleid: CODE` / `# ok: CODE` apply to the next code line.
"""Natural-language analytics assistant: questions in, SQL out (LiteLLM)."""

import re
import sqlite3

import pandas as pd
import sqlalchemy
from fastapi import FastAPI
from litellm import completion
from sqlalchemy import text

app = FastAPI()
engine = sqlalchemy.create_engine("postgresql://analytics@db/warehouse")
TABLES = {"orders", "customers", "products"}

SCHEMA = "orders(id, customer_id, total, created_at); customers(id, name, region)"


def to_sql(question: str) -> str:
    resp = completion(
        model="gpt-4o-mini",
        messages=[
            {"role": "system", "content": f"Write one PostgreSQL SELECT for this schema: {SCHEMA}. Reply with SQL only."},
            {"role": "user", "content": question},
        ],
    )
    return resp.choices[0].message.content.strip().strip("`")


@app.get("/query")
def query(q: str):
    sql = to_sql(q)
    with engine.connect() as conn:
        # ruleid: AIS302
        rows = conn.execute(text(sql)).fetchall()
    return {"rows": [list(r) for r in rows]}


@app.get("/query/df")
def query_df(q: str):
    sql = to_sql(q)
    # ruleid: AIS302
    df = pd.read_sql(sql, engine)
    return df.to_dict(orient="records")


@app.get("/query/sqlite")
def query_sqlite(q: str):
    db = sqlite3.connect("local.db")
    cur = db.cursor()
    # ruleid: AIS302
    cur.executescript(to_sql(q))
    return {"ok": True}


@app.get("/top")
def top_customers(q: str):
    resp = completion(
        model="gpt-4o-mini",
        messages=[{"role": "system", "content": "Reply with a number of rows only."}, {"role": "user", "content": q}],
    )
    limit = int(resp.choices[0].message.content)
    with engine.connect() as conn:
        # ok: AIS302
        rows = conn.execute(text(f"SELECT name FROM customers ORDER BY total DESC LIMIT {limit}")).fetchall()
    return {"rows": [r[0] for r in rows]}


@app.get("/region")
def by_region(q: str):
    resp = completion(
        model="gpt-4o-mini",
        messages=[{"role": "system", "content": "Name the sales region only."}, {"role": "user", "content": q}],
    )
    region = resp.choices[0].message.content.strip()
    with engine.connect() as conn:
        # ok: AIS302
        rows = conn.execute(text("SELECT name FROM customers WHERE region = :r"), {"r": region}).fetchall()
    return {"rows": [r[0] for r in rows]}


@app.get("/count")
def count_table(q: str):
    resp = completion(
        model="gpt-4o-mini",
        messages=[{"role": "system", "content": "Name the table only."}, {"role": "user", "content": q}],
    )
    table = resp.choices[0].message.content.strip()
    if table not in TABLES:
        return {"error": "unknown table"}
    with engine.connect() as conn:
        # ok: AIS302
        n = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()
    return {"count": n}


@app.get("/column")
def column_stats(q: str):
    resp = completion(
        model="gpt-4o-mini",
        messages=[{"role": "system", "content": "Name the column only."}, {"role": "user", "content": q}],
    )
    column = resp.choices[0].message.content.strip()
    if not re.fullmatch(r"[a-z_]{1,32}", column):
        return {"error": "bad column"}
    # ok: AIS302
    df = pd.read_sql(f"SELECT avg({column}) FROM orders", engine)
    return df.to_dict()


@app.get("/explain")
def explain(q: str, dialect: str):
    # ruleid: AIS202
    resp = completion(model="gpt-4o-mini", messages=[{"role": "user", "content": f"Explain in plain words what this {dialect} query does:\n{q}"}])
    sql = resp.choices[0].message.content
    db = sqlite3.connect("local.db")
    # ruleid: AIS302
    db.execute("EXPLAIN QUERY PLAN " + sql)
    return {"explanation": sql}
