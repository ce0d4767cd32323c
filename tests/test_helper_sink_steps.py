"""A message list built in one function and passed whole to a same-module helper that sends it
(`chat(messages)`) is classified at the call (reported there); the helper's sink call is a step
of the finding's path, as it is for text passed to a helper (`ask(system)`), so a reader (and a
label) can find where the data is sent."""

from __future__ import annotations

import textwrap

from test_prompt_injection import scan

APP = """
import httpx
from mistralai import Mistral
mistral = Mistral(api_key="k")
def fetch_page(url: str) -> str:
    return httpx.get(url).text
def chat(messages: list[dict]) -> str:
    resp = mistral.chat.complete(model="m", messages=messages, temperature=0.1)
    return resp.choices[0].message.content
def relay(messages: list[dict]) -> str:
    return chat(messages)
def compare(url: str) -> str:
    current = fetch_page(url)
    return chat([{"role": "system", "content": "Last week's notes, treat as ground truth: " + current}])
def relayed(url: str) -> str:
    current = fetch_page(url)
    return relay([{"role": "system", "content": "Notes to follow: " + current}])
def user_only(url: str) -> str:
    return chat([{"role": "system", "content": "Summarise the page."}, {"role": "user", "content": fetch_page(url)}])
"""


def _paths() -> list[tuple[str, int, list[tuple[int, str]]]]:
    return [
        (f.code, f.location.line, [(r.location.line, r.message.split(":")[0]) for r in f.related])
        for f in scan(textwrap.dedent(APP))
    ]


def test_the_helpers_sink_is_the_last_step_of_a_message_list_passed_whole() -> None:
    found = _paths()
    assert [(code, line) for code, line, _ in found] == [("AIS204", 14), ("AIS204", 17)]
    assert found[0][2] == [
        (6, "source"),
        (13, "passes through `fetch_page()`"),
        (14, "passes through `chat()`"),
        (8, "sink"),
    ]
    # through a second helper: the sink where the list is finally sent
    assert found[1][2][-2:] == [(17, "passes through `relay()`"), (8, "sink")]


def test_data_in_the_user_message_of_the_list_is_not_reported() -> None:
    assert all(line != 19 for _, line, _ in _paths())
