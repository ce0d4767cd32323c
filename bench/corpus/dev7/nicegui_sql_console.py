"""Analyst SQL console: a NiceGUI page where Semantic Kernel drafts and explains warehouse queries."""
from __future__ import annotations

import asyncio

import pandas as pd
import sqlalchemy as sa
from nicegui import ui
from semantic_kernel import Kernel
from semantic_kernel.connectors.ai.open_ai import OpenAIChatCompletion, OpenAIChatPromptExecutionSettings
from semantic_kernel.contents import ChatHistory

kernel = Kernel()
chat_service = OpenAIChatCompletion(ai_model_id="gpt-4o-mini")
kernel.add_service(chat_service)
warehouse = sa.create_engine("postgresql+psycopg://analyst@warehouse/sales")
SQL_RULES = "You write a single read-only PostgreSQL SELECT statement for the sales warehouse. SQL only."
EXPLAIN_PROMPT = "Explain what this SQL query does for a business user: {{$query}}"
SETTINGS = OpenAIChatPromptExecutionSettings(max_tokens=400)


async def draft_sql(question: str) -> str:
    history = ChatHistory(system_message=SQL_RULES)
    history.add_user_message(question)
    # ok: AIS201, AIS202
    reply = await chat_service.get_chat_message_content(history, settings=SETTINGS)
    return str(reply)


async def run_question(question: str, grid_area, html_area) -> None:
    sql = await draft_sql(question)
    # ruleid: AIS302
    frame = pd.read_sql(sql, warehouse)
    grid_area.clear()
    with grid_area:
        ui.table.from_pandas(frame.head(100))
    summary = await kernel.invoke_prompt(
        "Summarise these rows in one paragraph of HTML:\n{{$rows}}", rows=frame.head(20).to_csv()
    )
    # ruleid: AIS303
    html_area.set_content(str(summary))


async def explain(query_text: str, out) -> None:
    # ok: AIS203
    result = await kernel.invoke_prompt(EXPLAIN_PROMPT, query=query_text)
    # ok: AIS303
    out.set_text(str(result))


async def custom_prompt(template_text: str, question: str, out) -> None:
    # ruleid: AIS203
    result = await kernel.invoke_prompt(template_text, question=question)
    # ruleid: AIS303
    ui.html(f"<div class='answer'>{result}</div>")
    out.set_text(str(result))


async def persona_chat(persona: str, question: str, out) -> None:
    # ruleid: AIS201
    history = ChatHistory(system_message=f"You are {persona}. Answer questions about the sales data.")
    history.add_user_message(question)
    reply = await chat_service.get_chat_message_content(history, settings=SETTINGS)
    # ok: AIS303
    out.set_text(str(reply))


async def annotate_table(table: str, note: str) -> None:
    draft = await draft_sql(f"Write a COMMENT ON TABLE statement for {table}")
    with warehouse.begin() as conn:
        # ruleid: AIS302
        conn.execute(sa.text(draft))
        # ok: AIS302
        conn.execute(sa.text("INSERT INTO audit(note) VALUES (:n)"), {"n": draft})


@ui.page("/")
def console() -> None:
    question = ui.input("Ask the warehouse")
    template_box = ui.textarea("Custom prompt template")
    persona = ui.input("Persona")
    grid_area = ui.column()
    html_area = ui.html("")
    out = ui.label()
    ui.button("Run", on_click=lambda: run_question(question.value, grid_area, html_area))
    ui.button("Explain", on_click=lambda: explain(question.value, out))
    ui.button("Custom", on_click=lambda: custom_prompt(template_box.value, question.value, out))
    ui.button("Persona", on_click=lambda: persona_chat(persona.value, question.value, out))


if __name__ in {"__main__", "__mp_main__"}:
    ui.run()
