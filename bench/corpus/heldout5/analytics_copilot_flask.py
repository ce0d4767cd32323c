"""Self-serve analytics: ask questions about the warehouse in English (Flask + Azure OpenAI + SQLAlchemy)."""

from __future__ import annotations

import os
import re
import sqlite3

import pandas as pd
from flask import Blueprint, Flask, abort, g, jsonify, render_template, request
from markupsafe import Markup, escape
from openai import AzureOpenAI
from sqlalchemy import create_engine, text

bp = Blueprint("copilot", __name__, url_prefix="/copilot")

engine = create_engine(os.environ["WAREHOUSE_URL"], pool_pre_ping=True)
client = AzureOpenAI(
    azure_endpoint=os.environ["AZURE_OPENAI_ENDPOINT"],
    api_key=os.environ["AZURE_OPENAI_API_KEY"],
    api_version="2024-10-21",
)
DEPLOYMENT = os.environ.get("AZURE_OPENAI_DEPLOYMENT", "gpt-4o")

SCHEMA_DOC = """
orders(id, customer_id, total_cents, status, created_at)
customers(id, name, country, segment, created_at)
refunds(id, order_id, amount_cents, reason, created_at)
"""
SQL_SYSTEM = (
    "You translate analytics questions into a single read-only PostgreSQL SELECT over this schema:\n"
    + SCHEMA_DOC
    + "\nReturn only SQL, no markdown fences."
)
ALLOWED_TABLES = {"orders", "customers", "refunds"}
IDENT = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def complete(system: str, user: str, temperature: float = 0.0) -> str:
    # ok: AIS201, AIS202
    resp = client.chat.completions.create(
        model=DEPLOYMENT,
        temperature=temperature,
        messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
    )
    return (resp.choices[0].message.content or "").strip()


def strip_fences(sql: str) -> str:
    return re.sub(r"^```(?:sql)?|```$", "", sql.strip(), flags=re.M).strip()


@bp.post("/ask")
def ask():
    question = request.get_json(force=True).get("question", "")
    sql = strip_fences(complete(SQL_SYSTEM, question))
    with engine.connect() as conn:
        # ruleid: AIS302
        rows = conn.execute(text(sql)).mappings().all()
    return jsonify({"sql": sql, "rows": [dict(r) for r in rows[:500]]})


@bp.post("/chart")
def chart():
    payload = request.get_json(force=True)
    glossary = payload.get("glossary", "")
    # ruleid: AIS201
    resp = client.chat.completions.create(
        model=DEPLOYMENT,
        messages=[
            {"role": "system", "content": f"{SQL_SYSTEM}\nTeam glossary:\n{glossary}"},
            {"role": "user", "content": payload.get("question", "")},
        ],
    )
    sql = strip_fences(resp.choices[0].message.content or "")
    # ruleid: AIS302
    frame = pd.read_sql(sql, engine)
    return jsonify({"columns": list(frame.columns), "data": frame.head(200).to_dict("records")})


@bp.post("/explain")
def explain():
    sql = request.form["sql"]
    # ruleid: AIS202
    resp = client.chat.completions.create(
        model=DEPLOYMENT,
        messages=[
            {"role": "system", "content": "You explain SQL to business users."},
            {"role": "user", "content": "Explain step by step, in plain English, what this query does:\n" + sql},
        ],
    )
    explanation = resp.choices[0].message.content or ""
    # ruleid: AIS303
    return render_template("copilot/explain.html", sql=sql, explanation=Markup(explanation))


@bp.post("/explain-safe")
def explain_safe():
    sql = request.form["sql"]
    explanation = complete("You explain SQL to business users.", sql)
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in explanation.split("\n\n"))
    # ok: AIS303
    return render_template("copilot/explain.html", sql=sql, explanation=Markup(paragraphs))


@bp.get("/top/<table>")
def top_column(table: str):
    if table not in ALLOWED_TABLES:
        abort(404)
    column = complete(SQL_SYSTEM, f"Name the most useful column of {table} to group by. Reply with the name only.")
    if not IDENT.fullmatch(column):
        abort(502)
    with engine.connect() as conn:
        # ok: AIS302
        rows = conn.execute(text(f"SELECT {column}, COUNT(*) AS n FROM {table} GROUP BY 1 ORDER BY n DESC LIMIT 20"))
        return jsonify([list(r) for r in rows])


@bp.get("/segments")
def segments():
    label = complete("Suggest a customer segment name likely to churn. Reply with the name only.", "go")
    with engine.connect() as conn:
        # ok: AIS302
        rows = conn.execute(
            text("SELECT id, name FROM customers WHERE segment = :segment LIMIT 100"), {"segment": label}
        )
        return jsonify({"segment": label, "customers": [dict(r._mapping) for r in rows]})


def local_db() -> sqlite3.Connection:
    if "local_db" not in g:
        g.local_db = sqlite3.connect(os.environ.get("SCRATCH_DB", "/tmp/scratch.db"))
    return g.local_db


@bp.post("/scratch/cleanup")
def scratch_cleanup():
    statement = complete(
        "Write one SQLite statement that deletes scratch tables older than 7 days. Tables are listed in "
        "sqlite_master with a created_ts column.",
        "cleanup",
    )
    cur = local_db().cursor()
    # ruleid: AIS302
    cur.executescript(statement)
    return jsonify({"ran": statement})


def create_app() -> Flask:
    app = Flask(__name__)
    app.register_blueprint(bp)
    return app
