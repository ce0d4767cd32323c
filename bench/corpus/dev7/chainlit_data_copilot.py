"""Data copilot: a Chainlit chat over a pandas frame, powered by a pydantic-ai agent."""
from __future__ import annotations

from dataclasses import dataclass

import chainlit as cl
import pandas as pd
from pydantic_ai import Agent, RunContext

SALES = pd.read_parquet("data/sales.parquet")
COLUMNS = set(SALES.columns)


@dataclass
class Deps:
    analyst_name: str
    team_notes: str
    frame: pd.DataFrame


# ok: AIS201
agent = Agent(
    "openai:gpt-4o",
    deps_type=Deps,
    system_prompt="You are a careful data analyst. Use the tools to answer questions about the sales frame.",
)


@agent.system_prompt
def personalise(ctx: RunContext[Deps]) -> str:
    return f"The analyst's name is {ctx.deps.analyst_name}. Team notes: {ctx.deps.team_notes}"


@agent.tool
def filter_rows(ctx: RunContext[Deps], expression: str) -> str:
    """Filter the sales frame with a pandas query expression."""
    # ruleid: AIS301
    subset = ctx.deps.frame.query(expression)
    return subset.head(20).to_markdown()


@agent.tool
def column_total(ctx: RunContext[Deps], column: str) -> float:
    """Sum one column of the sales frame."""
    if column not in COLUMNS:
        return 0.0
    # ok: AIS301
    return float(ctx.deps.frame.eval(f"`{column}`.sum()"))


@agent.tool_plain
def save_chart(filename: str, csv: str) -> str:
    """Save chart data for download."""
    # ruleid: AIS304
    with open(f"exports/{filename}", "w") as fh:
        fh.write(csv)
    return "saved"


@cl.on_chat_start
async def start():
    cl.user_session.set("notes", "")


@cl.on_message
async def on_message(message: cl.Message):
    notes = cl.user_session.get("notes") or ""
    deps = Deps(analyst_name="analyst", team_notes=notes, frame=SALES)
    # ok: AIS201, AIS202
    result = await agent.run(message.content, deps=deps)
    # ok: AIS303
    await cl.Message(content=result.output).send()


@cl.on_settings_update
async def settings(settings: dict):
    cl.user_session.set("notes", settings.get("team_notes", ""))


@cl.action_callback("ask_as")
async def ask_as(action: cl.Action):
    persona = action.payload["persona"]
    # ruleid: AIS201
    persona_agent = Agent("openai:gpt-4o-mini", system_prompt=f"Answer as {persona} would.")
    result = await persona_agent.run(action.payload["question"])
    # ok: AIS303
    await cl.Message(content=result.output).send()
