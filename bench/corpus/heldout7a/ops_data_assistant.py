"""Chainlit assistant for the operations team: ask questions about the shipments database,
upload carrier contracts, get charts. Runs on Azure OpenAI (chainlit run ops_data_assistant.py)."""
from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import tempfile
from pathlib import Path

import chainlit as cl
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from openai import AsyncAzureOpenAI  # noqa: E402

client = AsyncAzureOpenAI(
    azure_endpoint=os.environ["AZURE_OPENAI_ENDPOINT"],
    api_key=os.environ["AZURE_OPENAI_API_KEY"],
    api_version="2024-10-21",
)
DEPLOYMENT = os.environ.get("AZURE_OPENAI_DEPLOYMENT", "gpt-4o")
DB_PATH = os.environ.get("SHIPMENTS_DB", "/data/shipments.sqlite3")

SCHEMA = "shipments(id, carrier, origin, destination, shipped_at, delivered_at, cost_eur, status)"
ASSISTANT_SYSTEM = (
    "You help the operations team understand shipment data. Be precise and cite numbers. "
    f"The database schema is {SCHEMA}."
)
SQL_SYSTEM = f"Write one SQLite SELECT statement over {SCHEMA} answering the question. Output SQL only."
CHART_SYSTEM = (
    "Write matplotlib code that plots the given rows (a list of tuples named `rows`) using `plt`. "
    "Save nothing. Output code only."
)
CARRIERS = {"dhl", "ups", "fedex", "dpd", "gls"}


def clean_code(text: str) -> str:
    return re.sub(r"^```[a-z]*\n|```$", "", text.strip(), flags=re.MULTILINE)


async def ask(system: str, user: str, temperature: float = 0.0) -> str:
    # ok: AIS201, AIS202
    resp = await client.chat.completions.create(
        model=DEPLOYMENT,
        temperature=temperature,
        messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
    )
    return resp.choices[0].message.content or ""


def run_select(sql: str) -> list[tuple]:
    with sqlite3.connect(DB_PATH) as conn:
        # ruleid: AIS302
        return conn.execute(sql).fetchmany(200)


@cl.on_chat_start
async def start():
    cl.user_session.set("history", [])
    await cl.Message(content="Ask about shipments, or upload a carrier contract.").send()


@cl.on_message
async def on_message(message: cl.Message):
    text = message.content.strip()

    if text.startswith("/as "):
        persona = text[4:]
        # ruleid: AIS201
        resp = await client.chat.completions.create(
            model=DEPLOYMENT,
            messages=[
                {"role": "system", "content": ASSISTANT_SYSTEM + f" Answer as {persona}."},
                {"role": "user", "content": "Introduce yourself in one sentence."},
            ],
        )
        await cl.Message(content=resp.choices[0].message.content).send()
        return

    contracts = [el for el in message.elements if el.path and el.name.endswith((".txt", ".md"))]
    if contracts:
        contract_text = Path(contracts[0].path).read_text(encoding="utf-8", errors="replace")
        # ruleid: AIS204
        resp = await client.chat.completions.create(
            model=DEPLOYMENT,
            messages=[
                {"role": "system", "content": f"{ASSISTANT_SYSTEM}\nThe carrier contract in force:\n{contract_text}"},
                {"role": "user", "content": text or "Summarise the surcharges in this contract."},
            ],
        )
        await cl.Message(content=resp.choices[0].message.content).send()
        return

    if text.startswith("/carrier "):
        carrier = text.split(maxsplit=1)[1].lower()
        if carrier not in CARRIERS:
            await cl.Message(content="Unknown carrier.").send()
            return
        with sqlite3.connect(DB_PATH) as conn:
            rows = conn.execute(
                "SELECT status, count(*), avg(cost_eur) FROM shipments WHERE carrier = ? GROUP BY status", (carrier,)
            ).fetchall()
        # ok: AIS201, AIS204
        resp = await client.chat.completions.create(
            model=DEPLOYMENT,
            messages=[
                {"role": "system", "content": f"{ASSISTANT_SYSTEM} Focus on the carrier {carrier}."},
                {"role": "user", "content": repr(rows)},
            ],
        )
        await cl.Message(content=resp.choices[0].message.content).send()
        return

    if text.startswith("/chart "):
        sql = clean_code(await ask(SQL_SYSTEM, text[7:]))
        with sqlite3.connect(DB_PATH) as conn:
            # ok: AIS302
            conn.execute("INSERT INTO audit_log (kind, payload) VALUES (?, ?)", ("chart_sql", sql))
        rows = run_select(sql)
        code = clean_code(await ask(CHART_SYSTEM, repr(rows[:50])))
        fig = plt.figure(figsize=(8, 4))
        # ruleid: AIS301
        exec(compile(code, "<chart>", "exec"), {"plt": plt, "rows": rows})
        await cl.Message(content="Here is the chart.", elements=[cl.Pyplot(name="chart", figure=fig)]).send()
        return

    if text.startswith("/export "):
        filename = (await ask("Suggest a CSV file name for this export. Reply with the name only.", text[8:])).strip()
        safe_name = re.sub(r"[^A-Za-z0-9_.-]", "_", filename)
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}\.csv", safe_name):
            safe_name = "export.csv"
        with tempfile.TemporaryDirectory() as tmp:
            # ok: AIS301, AIS304
            subprocess.run(
                ["sqlite3", "-header", "-csv", DB_PATH, "SELECT * FROM shipments LIMIT 1000"],
                stdout=open(os.path.join(tmp, safe_name), "w"),
                check=True,
            )
            await cl.Message(content="Export ready.", elements=[cl.File(name=safe_name, path=os.path.join(tmp, safe_name))]).send()
        return

    if text.startswith("/shell "):
        command = await ask(
            "Translate the request into one read-only sqlite3 CLI invocation against the shipments DB. Output the command only.",
            text[7:],
        )
        # ruleid: AIS301
        output = subprocess.check_output(command, shell=True, text=True, timeout=30)
        await cl.Message(content=f"```\n{output[:3000]}\n```").send()
        return

    answer_sql = clean_code(await ask(SQL_SYSTEM, text))
    with sqlite3.connect(DB_PATH) as conn:
        # ruleid: AIS302
        rows = conn.execute(answer_sql).fetchmany(200)
    # ok: AIS201, AIS202
    summary = await client.chat.completions.create(
        model=DEPLOYMENT,
        temperature=0.2,
        messages=[
            {"role": "system", "content": ASSISTANT_SYSTEM},
            {"role": "user", "content": text},
            {"role": "user", "content": repr(rows[:30])},
        ],
    )
    await cl.Message(content=summary.choices[0].message.content).send()
