"""A chat message built by one statement and sent by another has both statements on its path:
a message object (`SystemMessage(...)`, `ChatMessage(role=...)`) is reported where it is built
and the call that sends it is the path's sink; a `{"role": ...}` dict is reported where it is
sent and the statement that built it is a step. A message written inside the send call, or an
object never sent, has no extra step."""

from __future__ import annotations

import textwrap

from test_prompt_injection import scan

APP = """
import httpx
import openai
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_openai import ChatOpenAI
from llama_index.core.llms import ChatMessage
from llama_index.llms.openai import OpenAI
llm = ChatOpenAI()
li = OpenAI()
def obj(url: str):
    page = httpx.get(url).text
    notes = SystemMessage(content="Follow these notes: " + page)
    return llm.invoke([notes, HumanMessage(content="go")])
def dict_message(url: str):
    page = httpx.get(url).text
    msg = {"role": "system", "content": "Follow these notes: " + page}
    return openai.chat.completions.create(model="m", messages=[msg, {"role": "user", "content": "go"}])
def llama(url: str):
    page = httpx.get(url).text
    cm = ChatMessage(role="system", content="Follow these notes: " + page)
    return li.chat([cm, ChatMessage(role="user", content="go")])
def history(url: str):
    page = httpx.get(url).text
    turns = [SystemMessage(content="Follow these notes: " + page)]
    turns.append(HumanMessage(content="go"))
    return llm.invoke(turns)
def inline(url: str):
    page = httpx.get(url).text
    return openai.chat.completions.create(model="m", messages=[{"role": "system", "content": "Notes: " + page}])
def never_sent(url: str):
    page = httpx.get(url).text
    notes = SystemMessage(content="Follow these notes: " + page)
    print(notes)
def user_turn(url: str):
    page = httpx.get(url).text
    msg = {"role": "user", "content": "Summarise this page: " + page}
    return openai.chat.completions.create(model="m", messages=[{"role": "system", "content": "Be brief."}, msg])
"""


def _paths(source: str = APP) -> dict[int, list[tuple[int, str]]]:
    """Each finding's line -> its path: (line, what happens there up to the first colon)."""
    return {
        f.location.line: [(r.location.line, r.message.split(":")[0]) for r in f.related]
        for f in scan(textwrap.dedent(source))
    }


def test_a_message_object_is_reported_where_built_and_its_send_is_the_sink() -> None:
    paths = _paths()
    assert paths[12] == [(11, "source"), (12, "passes through `SystemMessage()`"), (13, "sink")]
    assert paths[20] == [(19, "source"), (20, "passes through `ChatMessage()`"), (21, "sink")]
    assert paths[24] == [(23, "source"), (24, "passes through `SystemMessage()`"), (26, "sink")]


def test_a_message_dict_is_reported_where_sent_and_its_construction_is_a_step() -> None:
    assert _paths()[17] == [(15, "source"), (16, "passes through the message built here"), (17, "sink")]


def test_look_alikes_inline_messages_unsent_objects_and_user_turns() -> None:
    paths = _paths()
    assert paths[29] == [(28, "source"), (29, "sink")]
    assert paths[32] == [(31, "source"), (32, "sink")]  # built, never sent: as before
    assert sorted(paths) == [12, 17, 20, 24, 29, 32]  # the user turn (line 37) is not reported


HELPER_APP = """
from flask import Flask, request
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_openai import ChatOpenAI
app = Flask(__name__)
llm = ChatOpenAI()
def review(note: str, diff: str):
    messages = [SystemMessage(content="Review the diff. Author's note: " + note), HumanMessage(content=diff)]
    return llm.invoke(messages)
def describe(note: str):
    notes = SystemMessage(content="Author's note: " + note)
    print(notes)
@app.post("/review")
def route():
    body = request.get_json()
    describe(body["note"])
    return review(body["note"], body["diff"]).content
"""


def test_a_helper_that_builds_and_sends_a_message_object_has_both_on_the_callers_path() -> None:
    """Reported where the data enters the helper (the caller's argument), the construction and
    the send inside the helper are both steps; a helper that never sends it keeps its construction
    as the sink."""
    found = _paths(HELPER_APP)
    assert found[17] == [
        (15, "source"),
        (17, "passes through `review()`"),
        (8, "passes through `SystemMessage()`"),
        (9, "sink"),
    ]
    assert found[16] == [(15, "source"), (16, "passes through `describe()`"), (11, "sink")]


CALLER_BUILT_APP = """
import typer
from openai import OpenAI
client = OpenAI()
def loop(messages):
    return client.chat.completions.create(model="m", messages=messages)
def task(goal: str, style: str = ""):
    messages = [{"role": "system", "content": "Be careful. " + style}, {"role": "user", "content": goal}]
    return loop(messages)
def inline(goal: str, style: str = ""):
    return loop([{"role": "system", "content": "Be careful. " + style}])
def user_only(goal: str):
    messages = [{"role": "system", "content": "Be careful."}, {"role": "user", "content": goal}]
    return loop(messages)
typer.run(task)
typer.run(inline)
typer.run(user_only)
"""


def test_a_message_dict_the_caller_builds_for_a_helper_to_send_is_a_step() -> None:
    """A `{"role": ...}` list built by one statement and handed to a helper that sends it: the
    construction is on the path as well as the helper's send; written in the call, it is not."""
    found = _paths(CALLER_BUILT_APP)
    assert found[9] == [
        (7, "source"),
        (9, "passes through `loop()`"),
        (8, "passes through the message built here"),
        (6, "sink"),
    ]
    assert found[11] == [(10, "source"), (11, "passes through `loop()`"), (6, "sink")]
    assert sorted(found) == [9, 11]


CONFIG_APP = """
import httpx
from google import genai
from google.genai import types
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_openai import ChatOpenAI
client = genai.Client()
llm = ChatOpenAI()
class Writer:
    def __init__(self):
        self.context = ["Write in AP style."]
    def add(self, text: str):
        self.context.append(text)
    def config(self):
        return types.GenerateContentConfig(system_instruction="\\n".join(self.context))
    def write(self, story: str):
        return client.models.generate_content(model="m", contents=story, config=self.config())
def local(url: str):
    page = httpx.get(url).text
    config = types.GenerateContentConfig(system_instruction="Notes: " + page)
    return client.models.generate_content(model="m", contents="go", config=config)
def unsent(url: str):
    config = types.GenerateContentConfig(system_instruction="Notes: " + httpx.get(url).text)
    print(config)
def briefing(url: str):
    return SystemMessage(content="Background: " + httpx.get(url).text)
def ask():
    return llm.invoke([briefing("https://feeds.example/a"), HumanMessage(content="go")])
def run(url: str):
    writer = Writer()
    writer.add(httpx.get(url).text)
    return writer.write("story")
"""


def test_a_config_object_built_by_one_statement_and_sent_by_another_has_the_send_on_its_path() -> None:
    """`GenerateContentConfig(system_instruction=x)` built in a local, or returned by a method
    (`config=self.config()`) or helper, is reported where it is built with the call that sends it
    as the sink; one never sent keeps its construction as the sink."""
    found = {
        f.location.line: [(r.location.line, r.message.split(":")[0]) for r in f.related]
        for f in scan(textwrap.dedent(CONFIG_APP))
    }
    assert found[15] == [
        (31, "source"),
        (31, "passes through `writer.add()`"),
        (13, "passes through `self.context.append()`"),
        (15, "passes through `types.GenerateContentConfig()`"),
        (17, "sink"),
    ]
    assert found[20] == [(19, "source"), (20, "passes through `types.GenerateContentConfig()`"), (21, "sink")]
    assert found[23] == [(23, "source"), (23, "sink")]  # never sent: built is where it is reported
    assert found[26] == [(26, "source"), (26, "passes through `SystemMessage()`"), (28, "sink")]
    assert sorted(found) == [15, 20, 23, 26]
