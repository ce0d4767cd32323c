"""Chainlit chat app: a sales-data analyst that writes SQL for Postgres (asyncpg) and explains it."""

import os

import asyncpg
import chainlit as cl
from langchain_core.prompts import ChatPromptTemplate, PromptTemplate
from openai import AsyncOpenAI

client = AsyncOpenAI()
DSN = os.environ["ANALYST_DSN"]
SCHEMA = "sales(id int, region text, rep text, amount numeric, closed_on date)"
ANALYST_SYSTEM = f"You are a data analyst. Schema: {SCHEMA}. Answer with one PostgreSQL SELECT only."
CHART_KINDS = ("bar", "line", "pie")


async def complete(messages: list[dict]) -> str:
    # ok: AIS201
    # ok: AIS202
    resp = await client.chat.completions.create(model="gpt-4o", messages=messages)
    return resp.choices[0].message.content or ""


@cl.on_chat_start
async def start() -> None:
    cl.user_session.set("pool", await asyncpg.create_pool(DSN))
    await cl.Message(content="Ask me about sales. Prefix standing instructions with `notes ||`.").send()


@cl.on_message
async def on_message(message: cl.Message) -> None:
    text = message.content
    if text.startswith("/chart "):
        await chart(text.removeprefix("/chart ").strip())
        return
    if text.startswith("/template "):
        await custom_template(text.removeprefix("/template "))
        return
    notes, _, question = text.rpartition("||")
    await answer(question.strip(), notes.strip())


async def answer(question: str, notes: str) -> None:
    # ruleid: AIS201
    resp = await client.chat.completions.create(
        model="gpt-4o",
        messages=[
            {"role": "system", "content": ANALYST_SYSTEM + "\nStanding instructions from the user: " + notes},
            {"role": "user", "content": question},
        ],
    )
    query = (resp.choices[0].message.content or "").strip("`\n ")
    pool = cl.user_session.get("pool")
    async with pool.acquire() as conn:
        # ruleid: AIS302
        rows = await conn.fetch(query)
    # ok: AIS303
    await cl.Message(content=f"```sql\n{query}\n```\n{len(rows)} rows").send()


async def chart(kind: str) -> None:
    if kind not in CHART_KINDS:
        await cl.Message(content=f"Pick one of {CHART_KINDS}.").send()
        return
    # ok: AIS202
    sql = await complete([
        {"role": "system", "content": ANALYST_SYSTEM},
        {"role": "user", "content": f"Write a query whose result suits a {kind} chart of revenue by region."},
    ])
    pool = cl.user_session.get("pool")
    async with pool.acquire() as conn:
        # ruleid: AIS302
        rows = await conn.fetch(sql)
        region = await complete([{"role": "user", "content": "Name the region with the highest growth. One word."}])
        # ok: AIS302
        top = await conn.fetchval("SELECT SUM(amount) FROM sales WHERE region = $1", region.strip())
    await cl.Message(content=f"{kind} chart over {len(rows)} rows; top region total {top}").send()


async def custom_template(template_text: str) -> None:
    # ruleid: AIS203
    prompt = PromptTemplate(template=template_text, input_variables=["schema"], template_format="jinja2")
    await cl.Message(content="Preview:\n" + prompt.format(schema=SCHEMA)).send()


@cl.action_callback("explain")
async def explain(action: cl.Action) -> None:
    query = action.payload.get("query", "")
    # ruleid: AIS202
    resp = await client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": "Explain step by step what this SQL does:\n" + query}],
    )
    reply = resp.choices[0].message.content or ""
    # ok: AIS203
    followup = ChatPromptTemplate.from_messages([("system", ANALYST_SYSTEM), ("human", "{question}")])
    await cl.Message(content=reply + "\n\n" + followup.format(question=reply)).send()
