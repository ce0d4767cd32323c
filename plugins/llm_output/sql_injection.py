"""AIS302: model output used as SQL text (text-to-SQL without a read-only connection or a parser)."""

from __future__ import annotations

from aisec.hooks import Example, Severity, SinkFlow

from .catalog import SQL, TOOL_ARGUMENTS_DOC
from .flows import OutputFlowRule, sink_triggers


class ModelOutputInSql(OutputFlowRule):
    code = "AIS302"
    name = "llm-output-in-sql"
    summary = "Model output used as SQL text"
    severity = Severity.HIGH
    cwe = "CWE-89"
    roles = (SQL,)
    triggers = sink_triggers((SQL,))
    description = (
        "Text an LLM returned reaches the SQL text of a query: DB-API `cursor.execute` / "
        "`executemany` / `executescript` (and `connection.execute`), SQLAlchemy `text()` and "
        "`exec_driver_sql`, pandas `read_sql`/`read_sql_query`, Django `raw()`, `extra()` and "
        "`RawSQL`, LangChain `SQLDatabase.run`, and engines that take query text the same way: "
        "duckdb `sql`/`query` (module or connection), Spark `SparkSession.sql`, polars `sql`/"
        "`read_database`, ClickHouse `query`/`command`, BigQuery `Client.query`, asyncpg "
        "`fetch*` (also on a connection from `pool.acquire()` whose pool aisec cannot type), "
        "peewee `execute_sql`, psycopg `sql.SQL`, SQLModel `text()`, Snowpark `Session.sql`, "
        "`databases` `fetch_all`/`fetch_one`/`fetch_val`/`iterate`, `sqlite_utils` `query`, and "
        "Tortoise ORM `execute_query*`, Neo4j Cypher (`session.run`, `driver.execute_query`). Typical of text-to-SQL features: the model writes "
        "a query from a user's question and the application runs it.\n\n"
        "Only the SQL text is a sink: a constant query with the model output as a bound parameter "
        '(`cursor.execute("SELECT ... WHERE name = ?", (answer,))`) is safe and not reported. '
        "Structured output does not help by itself: a pydantic model with a `sql: str` field is "
        "still model text. Casts and allowlist checks (`if table in TABLES:`, or against names the "
        "application computed from nothing untrusted: `if table not in tables: raise` with `tables` "
        "read from `sqlite_master`) clear it." + "\n\n" + TOOL_ARGUMENTS_DOC
    )
    rationale = (
        "A prompt-injected model writes whatever SQL the attacker asks for: `DROP TABLE`, reading "
        "other tenants' rows, `ATTACH DATABASE` or `COPY ... TO PROGRAM` on some engines. The "
        "database cannot tell the model's query from the application's."
    )
    remediation = (
        "Prefer having the model fill parameters of fixed, parameterised queries. If the product "
        "must run generated SQL, run it on a read-only connection with a role limited to the "
        "tables the feature needs (`sqlite3.connect('file:app.db?mode=ro', uri=True)`, a "
        "`SELECT`-only database user), with a statement timeout and row limit, and check the "
        "statement with a SQL parser (`sqlglot`) against an allowlist of statement types and tables."
    )
    references = (
        "https://genai.owasp.org/llmrisk/llm052025-improper-output-handling/",
        "https://cwe.mitre.org/data/definitions/89.html",
        "https://python.langchain.com/docs/tutorials/sql_qa/#security-note",
    )
    invalid = (
        # text-to-SQL with sqlite3
        'import sqlite3\n\nfrom openai import OpenAI\n\nclient = OpenAI()\nconn = sqlite3.connect("shop.db")\n\n\ndef answer(question):\n    resp = client.chat.completions.create(\n        model="gpt-4o",\n        messages=[\n            {"role": "system", "content": "Write one SQLite query for the question. Tables: orders(id, total)."},\n            {"role": "user", "content": question},\n        ],\n    )\n    sql = resp.choices[0].message.content\n    return conn.execute(sql).fetchall()\n',
        # SQLAlchemy text()
        Example(
            'from langchain_openai import ChatOpenAI\nfrom sqlalchemy import create_engine, text\n\nengine = create_engine("postgresql://app@db/app")\nllm = ChatOpenAI()\n\n\ndef run(question):\n    query = llm.invoke(f"Postgres query for: {question}").content\n    with engine.connect() as conn:\n        return conn.execute(text(query)).all()\n',
            expect=1,
        ),
        # pandas
        'import sqlite3\n\nimport ollama\nimport pandas as pd\n\n\ndef report(question):\n    reply = ollama.generate(model="sqlcoder", prompt=question)\n    return pd.read_sql(reply["response"], sqlite3.connect("sales.db"))\n',
        # second order: stored in one method, executed in another
        'import psycopg\nfrom anthropic import Anthropic\n\n\nclass TextToSql:\n    def __init__(self, dsn):\n        self.client = Anthropic()\n        self.conn = psycopg.connect(dsn)\n        self.last_sql = ""\n\n    def plan(self, question):\n        msg = self.client.messages.create(\n            model="claude-sonnet-4-5", max_tokens=500, messages=[{"role": "user", "content": question}]\n        )\n        self.last_sql = msg.content[0].text\n\n    def run(self):\n        with self.conn.cursor() as cur:\n            cur.execute(self.last_sql)\n            return cur.fetchall()\n',
        # Django raw
        'from django.http import JsonResponse\nfrom openai import OpenAI\n\nfrom .models import Order\n\nclient = OpenAI()\n\n\ndef search(request):\n    where = client.responses.create(model="gpt-4.1", input="WHERE clause for: " + request.GET["q"]).output_text\n    rows = Order.objects.raw(f"SELECT * FROM shop_order WHERE {where}")\n    return JsonResponse({"ids": [row.id for row in rows]})\n',
        # structured output: a str field is still model text
        'import sqlite3\n\nfrom openai import OpenAI\nfrom pydantic import BaseModel\n\nclient = OpenAI()\n\n\nclass Query(BaseModel):\n    sql: str\n    explanation: str\n\n\ndef run(question):\n    resp = client.chat.completions.parse(model="gpt-4o", messages=[{"role": "user", "content": question}], response_format=Query)\n    query = resp.choices[0].message.parsed\n    cur = sqlite3.connect("app.db").cursor()\n    cur.executescript(query.sql)\n',
        'import duckdb\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef query(question):\n    sql = client.responses.create(model="gpt-4.1", input=f"DuckDB SQL for: {question}").output_text\n    return duckdb.sql(sql).fetchall()\n',
        # an asyncpg connection from a pool kept in the session (its type is lost on the way)
        'import chainlit as cl\nfrom openai import AsyncOpenAI\n\nclient = AsyncOpenAI()\n\n\n@cl.on_message\nasync def on_message(message: cl.Message):\n    resp = await client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": message.content}])\n    sql = resp.choices[0].message.content\n    pool = cl.user_session.get("pool")\n    async with pool.acquire() as conn:\n        rows = await conn.fetch(sql)\n    await cl.Message(content=f"{len(rows)} rows").send()\n',
    )
    valid = (
        # parameterised query
        'import sqlite3\n\nfrom openai import OpenAI\n\nclient = OpenAI()\nconn = sqlite3.connect("shop.db")\n\n\ndef lookup(question):\n    name = client.responses.create(model="gpt-4.1", input=f"Product name in: {question}").output_text\n    return conn.execute("SELECT price FROM products WHERE name = ?", (name,)).fetchall()\n',
        # parameters to SQLAlchemy text()
        'from langchain_openai import ChatOpenAI\nfrom sqlalchemy import create_engine, text\n\nengine = create_engine("postgresql://app@db/app")\nllm = ChatOpenAI()\nQUERY = text("SELECT * FROM docs WHERE topic = :topic")\n\n\ndef docs(question):\n    topic = llm.invoke(f"One-word topic of: {question}").content\n    with engine.connect() as conn:\n        return conn.execute(QUERY, {"topic": topic}).all()\n',
        # allowlisted table
        'import sqlite3\n\nimport ollama\n\nTABLES = ("orders", "customers")\n\n\ndef count(question):\n    table = ollama.chat(model="llama3", messages=[{"role": "user", "content": question}])["message"]["content"]\n    if table not in TABLES:\n        raise ValueError(table)\n    return sqlite3.connect("app.db").execute(f"SELECT count(*) FROM {table}").fetchone()\n',
        # cast
        'import sqlite3\n\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef top(question):\n    limit = int(client.responses.create(model="gpt-4.1", input=question).output_text)\n    return sqlite3.connect("app.db").execute(f"SELECT * FROM scores LIMIT {limit}").fetchall()\n',
        # constant SQL; the answer is stored as a parameter
        'import sqlite3\n\nimport anthropic\n\nclient = anthropic.Anthropic()\nconn = sqlite3.connect("chat.db")\n\n\ndef reply(question):\n    msg = client.messages.create(model="claude-sonnet-4-5", max_tokens=300, messages=[{"role": "user", "content": question}])\n    conn.executemany("INSERT INTO log(q, a) VALUES (?, ?)", [(question, msg.content[0].text)])\n',
        # pandas with params
        'import sqlite3\n\nimport pandas as pd\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef region_sales(question):\n    region = client.responses.create(model="gpt-4.1", input=question).output_text\n    return pd.read_sql("SELECT * FROM sales WHERE region = ?", sqlite3.connect("s.db"), params=(region,))\n',
        'import duckdb\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef by_region(question):\n    region = client.responses.create(model="gpt-4.1", input=question).output_text\n    return duckdb.execute("SELECT SUM(total) FROM orders WHERE region = ?", [region]).fetchall()\n',
        'import chainlit as cl\nfrom openai import AsyncOpenAI\n\nclient = AsyncOpenAI()\n\n\n@cl.on_message\nasync def on_message(message: cl.Message):\n    resp = await client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": message.content}])\n    sql = resp.choices[0].message.content\n    pool = cl.user_session.get("pool")\n    async with pool.acquire() as conn:\n        total = await conn.fetchval("SELECT SUM(amount) FROM sales WHERE region = $1", sql.strip())\n    await cl.Message(content=f"{total}").send()\n',
    )

    def advice(self, flow: SinkFlow) -> str:
        return (
            "a prompt-injected model writes the attacker's SQL; use a parameterised query, or run "
            "generated SQL on a read-only connection after checking it with a SQL parser"
        )
