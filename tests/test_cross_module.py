"""Flows across the project's modules, on six small applications (tests/data/apps): Flask, FastAPI,
Django, Streamlit, a command-line tool and an agent with tools. Each has flows that cross files
(absolute and relative imports, an `__init__` re-export, a prompt constant from another module)
and look-alikes that must stay quiet (the data as a user message, casts, allowlists, constants).
Findings are asserted exactly: (path, line, code), and the path across files for one of each.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Callable

import pytest

APPS = Path(__file__).resolve().parent / "data" / "apps"

EXPECTED = {
    "flask_shop": [
        ("shop/routes.py", 13, "AIS201"),  # ask(q): q goes into a system message in shop/llm.py
        ("shop/routes.py", 23, "AIS201"),  # the same helper through the package's re-export
        ("shop/routes.py", 23, "AIS303"),  # the helper's reply (model output) served as the page
        ("shop/routes.py", 39, "AIS201"),  # a source returned by a helper of shop/llm.py
        ("shop/routes.py", 46, "AIS202"),  # spliced into SYSTEM, a constant of shop/prompts.py
    ],
    "fastapi_docs": [("docs_api/main.py", 10, "AIS201")],  # `style` reaches the system prompt
    "django_support": [("support/views.py", 9, "AIS201")],  # `tone` reaches `system=`
    "streamlit_chat": [("app.py", 8, "AIS201")],  # the persona reaches the system message
    "cli_tool": [("tool/__main__.py", 11, "AIS201")],  # a CLI argument (low severity)
    "agent_tools": [("agent/loop.py", 12, "AIS301")],  # model output into a shell in agent/tools.py
}


def copy_app(name: str, root: Path) -> Path:
    shutil.copytree(APPS / name, root, dirs_exist_ok=True)
    (root / ".git").mkdir()
    return root


def scan(run_cli: Callable[..., Any], root: Path, *args: str) -> list[dict[str, Any]]:
    result = run_cli(["check", "--format", "json", *args], cwd=root)
    data = result.json()
    assert data["errors"] == [] and result.code in (0, 1), result.err
    return data["findings"]


def rows(findings: list[dict[str, Any]]) -> list[tuple[str, int, str]]:
    return sorted((f["path"], f["line"], f["code"]) for f in findings)


@pytest.mark.parametrize("app", sorted(EXPECTED))
def test_application_findings_are_exact(app: str, run_cli: Callable[..., Any], tmp_path: Path) -> None:
    root = copy_app(app, tmp_path)
    assert rows(scan(run_cli, root, "--no-cache", ".")) == sorted(EXPECTED[app])


@pytest.mark.parametrize("app", sorted(EXPECTED))
def test_a_caller_checked_alone_finds_the_same_flows(
    app: str, run_cli: Callable[..., Any], tmp_path: Path
) -> None:
    """What pre-commit does: only the changed file is named; its imports are still followed."""
    root = copy_app(app, tmp_path)
    for path in sorted({path for path, _, _ in EXPECTED[app]}):
        found = scan(run_cli, root, "--no-cache", path)
        assert rows(found) == sorted(row for row in EXPECTED[app] if row[0] == path)


def test_the_path_crosses_into_the_helper_module(run_cli: Callable[..., Any], tmp_path: Path) -> None:
    root = copy_app("flask_shop", tmp_path)
    first = next(f for f in scan(run_cli, root, "--no-cache", ".") if f["line"] == 13)
    assert [(r["path"], r["line"], r["message"].split(":")[0]) for r in first["related"]] == [
        ("shop/routes.py", 13, "source"),
        ("shop/routes.py", 13, "passes to another module of the project"),
        ("shop/llm.py", 12, "passes through `build()`"),
        ("shop/llm.py", 12, "sink"),
    ]
    assert "in `shop.llm.ask()`" in first["message"]


def test_the_helper_module_alone_reports_nothing(run_cli: Callable[..., Any], tmp_path: Path) -> None:
    """A flow is reported once, at the caller: the helper has no caller of its own."""
    root = copy_app("flask_shop", tmp_path)
    assert scan(run_cli, root, "--no-cache", "shop/llm.py") == []


def test_a_changed_helper_rechecks_its_callers(run_cli: Callable[..., Any], tmp_path: Path) -> None:
    root = copy_app("flask_shop", tmp_path)
    routes = "shop/routes.py"
    assert (routes, 13, "AIS201") in rows(scan(run_cli, root, routes))
    helper = root / "shop" / "llm.py"
    helper.write_text(
        helper.read_text().replace(
            '[{"role": "system", "content": build(question)}]',
            '[{"role": "system", "content": SYSTEM}, {"role": "user", "content": question}]',
        )
    )
    after = rows(scan(run_cli, root, routes))  # the cache entry of routes.py must not be reused
    assert (routes, 13, "AIS201") not in after and (routes, 39, "AIS201") in after


def test_a_file_whose_only_sink_is_in_another_module_passes_the_prefilter(
    run_cli: Callable[..., Any], tmp_path: Path
) -> None:
    root = copy_app("fastapi_docs", tmp_path)
    (root / "docs_api" / "prompting.py").write_text(
        "def summarise(document, style='plain'):\n    return document\n"
    )
    assert scan(run_cli, root, "--no-cache", "docs_api/main.py") == []


CYCLE = {
    "pkg/__init__.py": "",
    "pkg/a.py": "from .b import ask\nfrom ... import nothing\n\ndef go(q):\n    return ask(q)\n",
    "pkg/b.py": "from .a import go\nimport openai\n\ndef ask(q):\n"
    "    return openai.chat.completions.create(model='m', messages=[{'role': 'system', 'content': q}])\n",
}


def test_import_cycles_and_relative_imports_above_the_root(
    run_cli: Callable[..., Any], tree: Callable[..., Path]
) -> None:
    app = (
        "from flask import request\nfrom pkg.b import ask\n\ndef view():\n    return ask(request.args['q'])\n"
    )
    root = tree({**CYCLE, "pkg/app.py": app})
    (root / ".git").mkdir()
    assert rows(scan(run_cli, root, "--no-cache", ".")) == [("pkg/app.py", 5, "AIS201")]


def test_the_summaries_a_file_sees_go_one_module_deep(
    run_cli: Callable[..., Any], tree: Callable[..., Path]
) -> None:
    """`project.HORIZON`: a file applies the summaries of the modules it imports; those were
    computed with their own imports' outlines (constants, re-exports), not their functions. A
    helper that hands the data on to a third module's sink is a library call here (documented)."""
    app = "from flask import request\nfrom pkg.a import go\n\ndef view():\n    return go(request.args['q'])\n"
    root = tree({**CYCLE, "pkg/app.py": app})
    (root / ".git").mkdir()
    assert rows(scan(run_cli, root, "--no-cache", ".")) == []


def test_summaries_are_cached_and_a_changed_helper_is_summarised_again(
    run_cli: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pre-commit on one changed route reads the other modules' summaries from the cache; a
    changed helper is analysed again (its key covers its bytes and those of what it imports)."""
    from aisec.taint.project import ProjectModules

    analysed: list[str] = []
    original = ProjectModules._analyse

    def spy(self: Any, module: str, *args: Any) -> Any:
        analysed.append(module)
        return original(self, module, *args)

    monkeypatch.setattr(ProjectModules, "_analyse", spy)
    root = copy_app("flask_shop", tmp_path)
    routes = root / "shop" / "routes.py"
    scan(run_cli, root, ".")
    assert "shop.llm" in analysed
    analysed.clear()
    routes.write_text(routes.read_text() + "# changed\n")
    assert rows(scan(run_cli, root, "shop/routes.py")) == sorted(EXPECTED["flask_shop"])
    assert analysed == []
    prompts = root / "shop" / "prompts.py"
    prompts.write_text(prompts.read_text().replace("Answer questions about orders only.", "Be brief."))
    routes.write_text(routes.read_text() + "# changed again\n")
    assert rows(scan(run_cli, root, "shop/routes.py")) == sorted(EXPECTED["flask_shop"])
    assert "shop.llm" in analysed  # llm imports prompts: its key changed too
    assert "shop.prompts" not in analysed  # no source or sink there: its outline (constants) is enough


def test_a_helper_spelling_its_sink_in_fullwidth_letters_is_still_followed(
    run_cli: Callable[..., Any], tree: Callable[..., Path]
) -> None:
    root = tree(
        {
            ".git/HEAD": "",
            "llm.py": "import \uff4fpenai\n\ndef ask(q):\n"
            "    return \uff4fpenai.chat.\uff43ompletions.create(model='m', messages=[{'role': 'system', 'content': q}])\n",
            "routes.py": 'from flask import request\n\nfrom llm import ask\n\n\ndef chat():\n    return ask(request.args["q"])\n',
        }
    )
    result = run_cli(["check", "--no-cache", "--format", "json", "routes.py"], cwd=root)
    assert [(f["path"], f["line"], f["code"]) for f in result.json()["findings"]] == [
        ("routes.py", 7, "AIS201")
    ]


def test_a_message_list_passed_whole_into_another_module_keeps_its_roles(
    run_cli: Callable[..., Any], tree: Callable[..., Path]
) -> None:
    helper = (
        "from openai import OpenAI\n\nclient = OpenAI()\n\n\ndef ask(messages):\n"
        "    return client.chat.completions.create(model='m', messages=messages).choices[0].message.content\n"
    )
    app = (
        "from flask import request\n\nfrom .llm import ask\n\n\ndef view():\n"
        "    text = request.form['text']\n"
        "    ask([{'role': 'user', 'content': text}])\n"
        "    ask([{'role': 'system', 'content': 'Be brief.'}, {'role': 'user', 'content': text}])\n"
        "    ask([{'role': 'system', 'content': text}])\n"
        "    ask(request.json['messages'])\n"
    )
    root = tree({"pkg/__init__.py": "", "pkg/llm.py": helper, "pkg/app.py": app})
    (root / ".git").mkdir()
    assert rows(scan(run_cli, root, "--no-cache", ".")) == [
        ("pkg/app.py", 10, "AIS201"),
        ("pkg/app.py", 11, "AIS201"),
    ]
