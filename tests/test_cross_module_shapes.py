"""Shapes real applications split over modules use, on tests/data/apps/support_bot: `super().send(x)`
and `Base.send(self, x)` into a base class of another module, helpers that fill the list or object
they are given (`add_system(messages, q)`, `set_system(options, q)`, `context.update(system=q)`)
instead of returning, a decorator of another project module that forwards `*args, **kwargs`, and
`prompts.SYSTEM.format(...)` through `from . import prompts`, parameters and locals annotated with
a project class (also imported under `if TYPE_CHECKING:`, also as a string), and
`functools.partial` of a function of another module. Each has a look-alike that stays quiet
(the base sends a user message, the helper appends a user message or a constant or fills a copy,
the attribute set is a constant). Findings are exact (path, line, code).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from conftest import write_tree
from test_cross_module import copy_app, rows, scan
from test_prompt_injection import check

ROUTES = "bot/routes.py"
EXPECTED = [
    (ROUTES, 17, "AIS201"),  # Bot().send(q): super().send(text) of bot/base.py (not QuietBot, 18)
    (ROUTES, 24, "AIS201"),  # BaseBot.send(self, text), named through the class (not UserBot.send, 25)
    (ROUTES, 33, "AIS201"),  # add_system(messages, q) filled the list sent here
    # quiet, 37-44: add_user, add_fixed (a constant), with_system (fills a copy it returns)
    (ROUTES, 51, "AIS201"),  # the filled list sent by a helper of bot/llm.py
    (ROUTES, 59, "AIS201"),  # set_system(options, q): options.system (not `fixed`, 62)
    (ROUTES, 70, "AIS201"),  # set_context(context, q): context.update(system=text)
    (ROUTES, 76, "AIS201"),  # @traced from bot/helpers.py keeps ask's summary (not ask_as_user, 77)
    (ROUTES, 84, "AIS201"),  # prompts.SYSTEM.format(tone=...) after `from . import prompts`
]
HANDLERS = "bot/handlers.py"
HANDLER_ROWS = [
    (HANDLERS, 25, "AIS201"),  # `bot: Assistant`, imported under TYPE_CHECKING: its set_persona()
    # quiet, 26: `bot: "Assistant"` (a string annotation) asks with the text as the user message
    (HANDLERS, 28, "AIS201"),  # `bot: Assistant = make_bot()`: a factory's result, typed by the annotation
    (HANDLERS, 34, "AIS201"),  # functools.partial(ask) of bot/llm.py (not of ask_as_user, 36)
]


def test_application_findings_are_exact(run_cli: Callable[..., Any], tmp_path: Path) -> None:
    root = copy_app("support_bot", tmp_path)
    assert rows(scan(run_cli, root, "--no-cache", ".")) == sorted(EXPECTED + HANDLER_ROWS)
    assert rows(scan(run_cli, root, "--no-cache", ROUTES)) == EXPECTED  # pre-commit: the route alone
    assert rows(scan(run_cli, root, "--no-cache", HANDLERS)) == HANDLER_ROWS


def test_the_path_names_the_helper_that_filled_the_list(run_cli: Callable[..., Any], tmp_path: Path) -> None:
    root = copy_app("support_bot", tmp_path)
    found = next(f for f in scan(run_cli, root, "--no-cache", ROUTES) if f["line"] == 33)
    assert [(r["path"], r["line"], r["message"].split(":")[0]) for r in found["related"]] == [
        (ROUTES, 32, "source"),
        (ROUTES, 32, "passes through `add_system()`"),
        (ROUTES, 33, "sink"),
    ]
    inherited = next(f for f in scan(run_cli, root, "--no-cache", ROUTES) if f["line"] == 17)
    assert [(r["path"], r["line"]) for r in inherited["related"]][-2:] == [
        ("bot/llm.py", 9),
        ("bot/base.py", 6),
    ]


def test_what_a_helper_puts_into_its_argument_is_cached(run_cli: Callable[..., Any], tmp_path: Path) -> None:
    """The summaries read back from the cache carry the helpers' mutations; a helper changed to
    append a user message instead is summarised again and the caller goes quiet."""
    root = copy_app("support_bot", tmp_path)
    routes = root / ROUTES
    assert rows(scan(run_cli, root, ".")) == sorted(EXPECTED + HANDLER_ROWS)
    routes.write_text(routes.read_text() + "# changed\n")
    assert rows(scan(run_cli, root, ROUTES)) == EXPECTED
    helpers = root / "bot" / "helpers.py"
    helpers.write_text(
        helpers.read_text().replace(
            """{"role": "system", "content": text})\n\n\ndef add_user""",
            """{"role": "user", "content": text})\n\n\ndef add_user""",
        )
    )
    assert rows(scan(run_cli, root, ROUTES)) == [row for row in EXPECTED if row[1] not in (33, 51)]


def test_the_same_shapes_within_one_module() -> None:
    check(
        """
        import openai
        from flask import request

        class Base:
            def send(self, text):
                return openai.chat.completions.create(model="m", messages=[{"role": "system", "content": text}])

        class Bot(Base):
            def send(self, text):
                return super().send(text)

            def again(self, text):
                return Base.send(self, text)

        def add_system(messages, text):
            messages.append({"role": "system", "content": text})

        def put_key(context, text):
            context["system"] = text

        def add_to_copy(messages, text):
            messages = messages + []
            messages.append({"role": "system", "content": text})

        def route():
            Bot().send(request.args["q"])  # <- AIS201
            Bot().again(request.args["q"])  # <- AIS201
            messages = []
            add_system(messages, request.args["q"])
            openai.chat.completions.create(model="m", messages=messages)  # <- AIS201
            context = {}
            put_key(context, request.args["q"])
            openai.chat.completions.create(model="m", messages=[{"role": "system", "content": context["system"]}])  # <- AIS201
            kept = []
            add_to_copy(kept, request.args["q"])
            openai.chat.completions.create(model="m", messages=kept)
        """
    )


def test_a_long_chain_and_a_wide_fan_out_of_filling_helpers(
    run_cli: Callable[..., Any], tmp_path: Path
) -> None:
    """Forty helpers each handing the list to the next (one module), six modules doing the same,
    and a caller of thirty helpers (a list of more than 32 known items collapses) that each append: the analysis ends and keeps the flows."""
    chain = ["def fill_0(messages, text):\n    messages.append({'role': 'system', 'content': text})\n"]
    chain += [f"def fill_{n}(messages, text):\n    fill_{n - 1}(messages, text)\n" for n in range(1, 40)]
    wide = "".join(
        f"def add_{n}(messages, text):\n    messages.append({{'role': 'user', 'content': text + '{n}'}})\n"
        for n in range(30)
    )
    files = {
        "app/__init__.py": "",
        "app/chain.py": "\n\n".join(chain),
        "app/wide.py": wide,
        "app/m0.py": "def fill(messages, text):\n    messages.append({'role': 'system', 'content': text})\n",
    }
    for n in range(1, 6):
        files[f"app/m{n}.py"] = (
            f"from .m{n - 1} import fill as inner\n\n\ndef fill(messages, text):\n    inner(messages, text)\n"
        )
    calls = "".join(f"    add_{n}(messages, q)\n" for n in range(30))
    files["app/routes.py"] = (
        "import openai\nfrom flask import request\n\nfrom .chain import fill_39\nfrom .m5 import fill\n"
        f"from .wide import {', '.join(f'add_{n}' for n in range(30))}\n\n\n"
        "def route():\n    q = request.args['q']\n    messages = []\n    fill_39(messages, q)\n"
        "    openai.chat.completions.create(model='m', messages=messages)\n"
        "    other = []\n    fill(other, q)\n"
        "    openai.chat.completions.create(model='m', messages=other)\n"
        f"    users = []\n{calls.replace('messages', 'users')}"
        "    openai.chat.completions.create(model='m', messages=users)\n"
    )
    root = write_tree(tmp_path / "project", files)
    (root / ".git").mkdir()
    assert rows(scan(run_cli, root, "--no-cache", "app/routes.py")) == [
        ("app/routes.py", 13, "AIS201"),
        ("app/routes.py", 16, "AIS201"),
    ]


def test_a_cached_summary_with_a_bad_mutation_record_is_not_used() -> None:
    """What a helper puts into its argument reads back from the cache as it was written; a record
    whose shape does not read back (forged, or written by another version) is analysed again."""
    from types import SimpleNamespace

    from aisec.taint.mutations import shape_from_json, shape_to_json
    from aisec.taint.summary import FunctionSummary, ModuleSummary, summary_from_json, summary_to_json
    from aisec.taint.values import Param, Value, make_container, text_value

    catalog = SimpleNamespace(sinks=[])
    message = make_container(
        keys=(("role", text_value("system")), ("content", Value(frozenset({Param(3, 1)}))))
    )
    shape = shape_to_json(make_container(items=(message,)), 3)
    summary = ModuleSummary("app.helpers", Path("app/helpers.py"), "app/helpers.py")
    summary.functions["add_system"] = FunctionSummary(
        "add_system", [("messages", "pos"), ("text", "pos")], puts=[(0, shape)]
    )
    raw = summary_to_json(summary, catalog)
    back = summary_from_json(raw, catalog)
    assert back is not None and back.functions["add_system"].puts == [(0, shape)]
    read = shape_from_json(shape, -1)
    assert read.items[0].key("content").facts == frozenset({Param(-1, 1)})
    assert read.items[0].key("role").const == "system"
    for forged in ({"p": [], "i": [shape] * 40, "k": None, "c": None, "w": 0}, {"p": [["x", 0, []]]}, "text"):
        raw["functions"]["add_system"]["puts"] = [[0, forged]]
        assert summary_from_json(raw, catalog) is None
    deep: dict = {"p": [], "i": None, "k": None, "c": None, "w": 0}
    for _ in range(50):
        deep = {"p": [], "i": [deep], "k": None, "c": None, "w": 0}
    raw["functions"]["add_system"]["puts"] = [[0, deep]]
    assert summary_from_json(raw, catalog) is None
    del raw["functions"]["add_system"]["puts"]  # a record of the version before
    assert summary_from_json(raw, catalog) is None


def test_the_files_a_summary_applied_read_back_shared_and_a_forged_list_is_refused() -> None:
    """A summary's files (and its own path) read back equal to what was written, as one `Path`
    per distinct file however many summaries list it (a cycle's record repeats them); a record
    whose path or files are not strings (forged, or another version's) does not read back."""
    from types import SimpleNamespace

    from aisec.taint.summary import ModuleSummary, summary_from_json, summary_to_json

    catalog = SimpleNamespace(sinks=[])
    shared = (Path("/p/app/llm.py"), Path("/p/app/util.py"))
    records = [
        summary_to_json(
            ModuleSummary(f"app.m{n}", Path(f"/p/app/m{n}.py"), f"app/m{n}.py", files=shared), catalog
        )
        for n in range(3)
    ]
    back = [summary_from_json(raw, catalog) for raw in records]
    assert all(b is not None and b.files == shared for b in back)
    assert [b.path for b in back if b is not None] == [Path(f"/p/app/m{n}.py") for n in range(3)]
    assert back[0].files[0] is back[2].files[0]  # type: ignore[union-attr]  # one object
    for field, forged in (("files", [["/p/app/llm.py"]]), ("files", [7]), ("path", ["/p"]), ("files", "/p")):
        assert summary_from_json({**records[0], field: forged}, catalog) is None, (field, forged)
