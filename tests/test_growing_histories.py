"""A chat history that keeps growing (issue 12, heldout8b fastapi_ws_copilot.py:81): a
dataclass's `history` list appended to on every turn, by the handler and by the helper that
sends it, is widened to one message per role when every element has a constant role, so the
roles stay constant (a spliced user message is AIS202, a plain one nothing) instead of
collapsing into "the data decides the messages and their roles" (AIS201). An element whose
role is data, or a raw request value appended, still lets the data decide the roles."""

from __future__ import annotations

import textwrap

from test_taint_app_shapes import check

APP = """
from dataclasses import dataclass, field
from anthropic import Anthropic
from fastapi import FastAPI, WebSocket

app = FastAPI()
claude = Anthropic()


@dataclass
class TabState:
    title: str = "Untitled"
    history: list[dict] = field(default_factory=list)


def send(state: TabState) -> str:
    resp = claude.messages.create(model="m", max_tokens=9, system="You are a copilot.", messages=state.history)  # MARK
    answer = resp.content[0].text
    state.history.append({"role": "assistant", "content": answer})
    return answer
"""


def _app(send_mark: str, turn: str) -> str:
    """The app with `send_mark` on the helper's send and a websocket handler whose every
    turn runs the `turn` statements (`msg` is the turn's request JSON), then the helper."""
    body = textwrap.indent(textwrap.dedent(turn).strip(), " " * 8)
    return APP.replace("# MARK", send_mark) + HANDLER.replace("        # TURN", body)


HANDLER = """
@app.websocket("/ws")
async def copilot(ws: WebSocket):
    state = TabState()
    while True:
        msg = await ws.receive_json()
        # TURN
        await ws.send_text(send(state))
"""
USER_TURN = 'state.history.append({"role": "user", "content": msg["text"]})'


def test_a_history_of_constant_roles_keeps_them_across_turns_and_helpers() -> None:
    # the splice is reported where the helper sends it (its path names the append)
    spliced = """
        if msg["type"] == "ask":
            state.history.append({"role": "user", "content": msg["text"]})
        elif msg["type"] == "explain":
            state.history.append({"role": "user", "content": f"Explain what this cell does, step by step:\\n{msg['text']}"})
    """
    check(_app("# <- AIS202", spliced))
    check(_app("", USER_TURN))


def test_a_role_the_data_chose_or_a_raw_message_still_decides_the_roles() -> None:
    chosen_role = """
        if msg["type"] == "ask":
            state.history.append({"role": "user", "content": msg["text"]})
        else:
            state.history.append({"role": msg["role"], "content": msg["text"]})
    """
    check(_app("# <- AIS201", chosen_role))
    check(_app("# <- AIS201", USER_TURN + '\nstate.history.append(msg["message"])'))
