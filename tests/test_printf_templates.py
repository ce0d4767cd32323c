"""printf-style formatting is a plain string template too (issue 12, heldout8b
flask_prompt_lab.py:116): `pattern % {"text": ...}` or `pattern % (a, b)` with request data
as `pattern` lets the data write the template (AIS203, reported at each operation that fills
it, as `pattern.format(...)`); a constant format string filled with data is not a template
problem, and arithmetic `%` on data is not formatting."""

from __future__ import annotations

from test_taint_app_shapes import check


def test_request_data_as_a_printf_format_string_is_a_template() -> None:
    check(
        """
        from flask import Flask, request
        from openai import OpenAI

        app = Flask(__name__)
        client = OpenAI()

        def ask(text):
            return client.responses.create(model="gpt-4.1", input=text).output_text

        def fill(pattern, text):
            return pattern % (text, "English")

        @app.post("/dict")
        def with_dict():
            pattern = request.form["pattern"]
            filled = pattern % {"text": request.form["text"]}  # <- AIS203
            return {"out": ask(filled)}

        @app.post("/tuple")
        def with_tuple():
            return {"out": ask(request.json["pattern"] % ("a", "b"))}  # <- AIS203

        @app.post("/single")
        def with_single():
            return {"out": ask(request.args["pattern"] % request.args["text"])}  # <- AIS203

        @app.post("/helper")
        def through_helper():
            return {"out": ask(fill(request.form["pattern"], "x"))}  # <- AIS203 (in `fill()`)
        """
    )


def test_constant_format_strings_and_arithmetic_are_not_templates() -> None:
    check(
        """
        from flask import Flask, request
        from openai import OpenAI

        app = Flask(__name__)
        client = OpenAI()
        PATTERN = "Translate into %s: %s"

        def ask(text):
            return client.responses.create(model="gpt-4.1", input=text).output_text

        @app.post("/constant")
        def constant():
            return {"out": ask(PATTERN % ("French", request.form["text"]))}  # <- AIS202 (not a template)

        @app.post("/bare")
        def bare():
            return {"out": ask("%s" % request.form["text"])}

        @app.post("/arithmetic")
        def arithmetic():
            n = request.json["n"]
            page = n % 10
            return {"out": ask(request.form["text"])[: page + 1]}
        """
    )


LAB = """
import re
from flask import Flask, abort, request
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import PromptTemplate
from langchain_openai import ChatOpenAI

app = Flask(__name__)
llm = ChatOpenAI(model="gpt-4o-mini")
NAME_RE = re.compile(r"[a-z_]{1,32}")
"""


def test_a_template_around_a_checked_variable_name_is_filled_by_a_computed_key() -> None:
    """heldout8b flask_prompt_lab.py:118: the template's text is constant instruction words
    around a `{name}` whose name passed `re.fullmatch`; `.invoke({name: text})` fills it."""
    check(
        LAB
        + """
@app.post("/fill")
def fill():
    name = request.form.get("variable", "text")
    if not NAME_RE.fullmatch(name):
        abort(400)
    text = request.form["text"]
    prompt = PromptTemplate(template="Rewrite in plain English:\\n{" + name + "}", input_variables=[name])
    bare = PromptTemplate(template="{" + name + "}", input_variables=[name])
    out = (prompt | llm | StrOutputParser()).invoke({name: text})  # <- AIS202
    echo = (bare | llm | StrOutputParser()).invoke({name: text})
    return {"out": out, "echo": echo}

@app.post("/unchecked")
def unchecked():
    name = request.form.get("variable", "text")
    prompt = PromptTemplate(template="Rewrite in plain English:\\n{" + name + "}")  # <- AIS203
    return {"out": (prompt | llm | StrOutputParser()).invoke({name: request.form["text"]})}
"""
    )
