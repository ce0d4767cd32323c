"""A taint finding's path in every format: JSON `related`, SARIF `relatedLocations` + `codeFlows`
(schema-validated), text "via" lines; every source named; the path survives the cache."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import pytest
from test_formatters import assert_github_rules, assert_valid_sarif

APP = """\
from flask import Flask, request
import openai

app = Flask(__name__)


def question():
    return request.args["q"]


def build(text):
    return f"You are a helpful assistant. Answer about {text} only."


def ask(prompt):
    return openai.chat.completions.create(model="m", messages=[{"role": "system", "content": prompt}])


@app.route("/")
def index():
    return ask(build(question()))


@app.route("/two")
def two():
    name, topic = request.form["name"], request.args["topic"]
    system = f"You are {name}, an expert on {topic}."
    return openai.chat.completions.create(model="m", messages=[{"role": "system", "content": system}])


@app.route("/safe")
def safe():
    return ask(build(str(int(request.args["n"]))))
"""

PATH = [
    (8, 12, 'source: `request.args["q"]` (line 8, Flask request data)'),
    (21, 22, "passes through `question()`"),
    (21, 16, "passes through `build()`"),
    (21, 12, "passes through `ask()`"),
    (16, 94, "sink: a system message of `openai.chat.completions.create`, in `ask()`"),
]


@pytest.fixture
def app(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    return tmp_path


def findings(run_cli: Callable[..., Any], root: Path, *extra: str) -> list[dict[str, Any]]:
    result = run_cli(["check", "--format", "json", "--select", "AIS2", *extra, "app.py"], cwd=root)
    assert result.code == 1, result.err
    return result.json()["findings"]


def test_json_related_is_the_path_from_the_source_through_each_helper_to_the_sink(
    run_cli: Callable[..., Any], app: Path
) -> None:
    found = findings(run_cli, app, "--no-cache")
    # reported where the data enters the helper (the argument of `ask(...)`), the sink on the path
    assert [(f["line"], f["column"], f["code"]) for f in found] == [(21, 16, "AIS201"), (28, 94, "AIS201")]
    related = found[0]["related"]
    assert [(r["line"], r["column"], r["message"]) for r in related] == PATH
    assert all(r["path"] == "app.py" for r in related)


def test_every_source_is_named_in_the_message_and_the_path(run_cli: Callable[..., Any], app: Path) -> None:
    two = findings(run_cli, app, "--no-cache")[1]
    assert "more source" not in two["message"]
    assert '`request.form["name"]` (line 26, Flask request data)' in two["message"]
    assert '`request.args["topic"]` (line 26, Flask request data)' in two["message"]
    sources = [r["message"] for r in two["related"] if r["message"].startswith("source: ")]
    assert len(sources) == 2 and two["related"][-1]["message"].startswith("sink: ")


def test_the_path_survives_the_cache(run_cli: Callable[..., Any], app: Path) -> None:
    cold = findings(run_cli, app)
    warm = findings(run_cli, app)
    assert warm == cold and warm[0]["related"] and (app / ".aisec_cache").is_dir()


def test_sarif_related_locations_and_code_flows(run_cli: Callable[..., Any], app: Path) -> None:
    result = run_cli(["check", "--no-cache", "--format", "sarif", "--select", "AIS2", "app.py"], cwd=app)
    log = json.loads(result.out)
    assert_valid_sarif(log)
    assert_github_rules(log)
    first = log["runs"][0]["results"][0]
    related = first["relatedLocations"]
    assert [r["id"] for r in related] == [1, 2, 3, 4, 5]
    assert [(r["physicalLocation"]["region"]["startLine"], r["message"]["text"]) for r in related] == [
        (line, message) for line, _, message in PATH
    ]
    (flow,) = first["codeFlows"]
    (thread,) = flow["threadFlows"]
    steps = [step["location"] for step in thread["locations"]]
    assert [s["physicalLocation"]["region"]["startColumn"] for s in steps] == [
        column for _, column, _ in PATH
    ]
    assert steps[0]["physicalLocation"]["artifactLocation"]["uri"].endswith("app.py")


def test_text_shows_via_lines_under_the_finding(run_cli: Callable[..., Any], app: Path) -> None:
    result = run_cli(["check", "--no-cache", "--select", "AIS2", "app.py"], cwd=app)
    lines = result.out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("app.py:21:16: AIS201"))
    assert lines[start + 1 : start + 5] == [  # every step but the finding's own place
        f"  via app.py:{line}:{column}: {message}"
        for line, column, message in PATH
        if (line, column) != (21, 16)
    ]
    concise = run_cli(["check", "--no-cache", "--format", "concise", "--select", "AIS2", "app.py"], cwd=app)
    assert "via" not in concise.out


def test_a_finding_without_helpers_has_source_and_sink_only(run_cli: Callable[..., Any], app: Path) -> None:
    (app / "app.py").write_text(
        "from flask import request\nimport openai\n"
        "openai.chat.completions.create(model='m', messages=[{'role': 'system', 'content': request.args['q']}])\n",
        encoding="utf-8",
    )
    (finding,) = findings(run_cli, app, "--no-cache")
    assert [r["message"].split(":")[0] for r in finding["related"]] == ["source", "sink"]
    assert finding["related"][0]["line"] == finding["related"][1]["line"] == 3


def test_a_path_into_a_helper_names_the_helpers_it_passes_inside(
    run_cli: Callable[..., Any], app: Path
) -> None:
    (app / "app.py").write_text(
        "from flask import request\nimport openai\n\n\n"
        "def wrap(text):\n    return f'<q>{text}</q>'\n\n\n"
        "def send(text):\n"
        "    return openai.chat.completions.create(model='m', messages=[{'role': 'system', 'content': wrap(text)}])\n\n\n"
        "def view():\n    return send(request.args['q'])\n",
        encoding="utf-8",
    )
    (finding,) = findings(run_cli, app, "--no-cache")
    assert (finding["line"], finding["column"]) == (14, 17)  # `request.args['q']` passed to `send`
    assert [(r["line"], r["message"].split(":")[0]) for r in finding["related"]] == [
        (14, "source"),
        (14, "passes through `send()`"),
        (10, "passes through `wrap()`"),
        (10, "sink"),
    ]


@pytest.mark.parametrize(
    "add",
    [
        "messages.insert(1, {'role': 'system', 'content': 'Briefing: ' + page})",
        "messages.append({'role': 'system', 'content': 'Briefing: ' + page})",
        "messages.extend([{'role': 'system', 'content': 'Briefing: ' + page}])",
    ],
)
def test_a_path_names_the_call_that_put_the_data_into_the_message_list(
    run_cli: Callable[..., Any], app: Path, add: str
) -> None:
    """The line to fix is where the page entered the system message, not only the send."""
    (app / "app.py").write_text(
        "import httpx\nimport openai\n\n\n"
        "def step(messages):\n    return openai.chat.completions.create(model='m', messages=messages)\n\n\n"
        "def brief(url):\n    page = httpx.get(url).text\n    messages = [{'role': 'user', 'content': 'go'}]\n"
        f"    {add}\n    return step(messages)\n",
        encoding="utf-8",
    )
    (finding,) = findings(run_cli, app, "--no-cache")
    method = add.split("(")[0]
    assert [(r["line"], r["message"].split(":")[0]) for r in finding["related"]] == [
        (10, "source"),
        (12, f"passes through `{method}()`"),
        (13, "passes through `step()`"),
        (6, "sink"),  # a message list passed whole: the send inside the helper
    ]


def test_a_message_list_written_in_one_piece_and_sent_later_names_where_the_message_was_built(
    run_cli: Callable[..., Any], app: Path
) -> None:
    """Reported at the send; the statement that built the system message is a step (a message
    written inside the send call has no such step: source and sink only, above)."""
    (app / "app.py").write_text(
        "import httpx\nimport openai\n\n\n"
        "def brief(url):\n    page = httpx.get(url).text\n"
        "    messages = [{'role': 'system', 'content': 'Briefing: ' + page}]\n"
        "    return openai.chat.completions.create(model='m', messages=messages)\n",
        encoding="utf-8",
    )
    (finding,) = findings(run_cli, app, "--no-cache")
    assert finding["line"] == 8
    assert [(r["line"], r["message"].split(":")[0]) for r in finding["related"]] == [
        (6, "source"),
        (7, "passes through the message built here"),
        (8, "sink"),
    ]
