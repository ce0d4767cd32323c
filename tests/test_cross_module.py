"""Flows across the project's modules, on six small applications (tests/data/apps): Flask, FastAPI,
Django, Streamlit, a command-line tool and an agent with tools. Each has flows that cross files
(absolute and relative imports, an `__init__` re-export, a prompt constant from another module)
and look-alikes that must stay quiet (the data as a user message, casts, allowlists, constants).
Findings are asserted exactly: (path, line, code), and the path across files for one of each.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any, Callable

import pytest

APPS = Path(__file__).resolve().parent / "data" / "apps"

EXPECTED = {
    "flask_shop": [
        ("shop/routes.py", 14, "AIS201"),  # ask(q): q goes into a system message in shop/llm.py
        ("shop/routes.py", 24, "AIS201"),  # the same helper through the package's re-export
        ("shop/routes.py", 24, "AIS303"),  # the helper's reply (model output) served as the page
        ("shop/routes.py", 40, "AIS201"),  # a source returned by a helper of shop/llm.py
        ("shop/routes.py", 47, "AIS202"),  # spliced into SYSTEM, a constant of shop/prompts.py
        ("shop/routes.py", 60, "AIS201"),  # routes -> service.answer -> llm.ask: three modules
        ("shop/routes.py", 70, "AIS201"),  # routes -> service -> llm.Assistant().ask
        ("shop/routes.py", 79, "AIS201"),  # a local instance of an imported class
        ("shop/routes.py", 84, "AIS201"),  # a module-level instance of shop/llm.py
        ("shop/routes.py", 89, "AIS201"),  # a staticmethod
        ("shop/routes.py", 90, "AIS201"),  # a classmethod, called through the class
        ("shop/routes.py", 100, "AIS201"),  # an instance kept in `self.assistant`
        # quiet: answer_safely (65), ask_safely / ask_number (int) / Echo.ask (75-77), self.echo (99)
        # shop/checks.py spells no source or sink: its sanitizer and guard helpers clear the data
        # (quiet: 20 int(), 31 uuid.UUID / an allowlist choice / a table lookup, 40 `if not
        # allowed(tone): abort()`, 50 a fullmatch and an `if ...: return True` guard, 61 a
        # staticmethod, a method and an `__init__` re-export, 105 `assert allowed(tone)`);
        # their look-alikes do not:
        ("shop/forms.py", 22, "AIS201"),  # tidy() returns the text stripped
        ("shop/forms.py", 70, "AIS201"),  # `tone in TONES or True`
        ("shop/forms.py", 74, "AIS201"),  # re.search, membership in the caller's list
        ("shop/forms.py", 78, "AIS201"),  # `a in TONES or b in TONES`: which one is not known
        ("shop/forms.py", 87, "AIS201"),  # the guard's result ignored
        ("shop/forms.py", 90, "AIS201"),  # `if allowed(tone): pass`, no exit
        ("shop/forms.py", 93, "AIS201"),  # another variable checked
        ("shop/forms.py", 97, "AIS201"),  # checked in one branch only
    ],
    "fastapi_docs": [
        ("docs_api/main.py", 13, "AIS201"),  # `style` reaches the system prompt
        # quiet: 28 a guard through a package's `__init__` re-export, 34 a table lookup, 42 a
        # method's `fullmatch(...) is not None`
        ("docs_api/main.py", 45, "AIS201"),  # a prefix match() and upper() are no checks
    ],
    "django_support": [("support/views.py", 9, "AIS201")],  # `tone` reaches `system=`
    "streamlit_chat": [("app.py", 8, "AIS201")],  # the persona reaches the system message
    "cli_tool": [("tool/__main__.py", 11, "AIS201")],  # a CLI argument (low severity)
    "agent_tools": [
        ("agent/loop.py", 13, "AIS301"),  # model output into a shell in agent/tools.py
        ("agent/loop.py", 20, "AIS301"),  # loop -> dispatch.dispatch -> tools.run_shell (not: preview)
    ],
}


def only(path: str, app: str = "flask_shop") -> list[tuple[str, int, str]]:
    return sorted(row for row in EXPECTED[app] if row[0] == path)


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
        assert rows(found) == only(path, app)


def test_the_path_crosses_into_the_helper_module(run_cli: Callable[..., Any], tmp_path: Path) -> None:
    root = copy_app("flask_shop", tmp_path)
    first = next(f for f in scan(run_cli, root, "--no-cache", ".") if f["line"] == 14)
    assert [(r["path"], r["line"], r["message"].split(":")[0]) for r in first["related"]] == [
        ("shop/routes.py", 14, "source"),
        ("shop/routes.py", 14, "passes to another module of the project"),
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
    assert (routes, 14, "AIS201") in rows(scan(run_cli, root, routes))
    helper = root / "shop" / "llm.py"
    helper.write_text(
        helper.read_text().replace(
            '[{"role": "system", "content": build(question)}]',
            '[{"role": "system", "content": SYSTEM}, {"role": "user", "content": question}]',
        )
    )
    after = rows(scan(run_cli, root, routes))  # the cache entry of routes.py must not be reused
    assert (routes, 14, "AIS201") not in after and (routes, 40, "AIS201") in after


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


def test_a_flow_through_a_helper_into_a_third_module_is_followed(
    run_cli: Callable[..., Any], tree: Callable[..., Path]
) -> None:
    """Summaries are made bottom-up over the import graph: `app -> a.go -> b.ask` (a sink in a
    third module, inside an import cycle) is one flow, reported once at the caller with the
    path across the three files."""
    app = "from flask import request\nfrom pkg.a import go\n\ndef view():\n    return go(request.args['q'])\n"
    root = tree({**CYCLE, "pkg/app.py": app})
    (root / ".git").mkdir()
    found = scan(run_cli, root, "--no-cache", ".")
    assert rows(found) == [("pkg/app.py", 5, "AIS201")]
    assert [(r["path"], r["line"]) for r in found[0]["related"]] == [
        ("pkg/app.py", 5),
        ("pkg/app.py", 5),
        ("pkg/a.py", 5),
        ("pkg/b.py", 5),
    ]


def test_summaries_are_cached_and_a_changed_helper_is_summarised_again(
    run_cli: Callable[..., Any], tmp_path: Path, analysed_modules: list[str]
) -> None:
    """Pre-commit on one changed route reads the other modules' summaries from the cache; a
    changed helper is analysed again (its key covers its bytes and those of what it imports)."""
    analysed = analysed_modules
    root = copy_app("flask_shop", tmp_path)
    routes = root / "shop" / "routes.py"
    scan(run_cli, root, ".")
    assert "shop.llm" in analysed
    analysed.clear()
    routes.write_text(routes.read_text() + "# changed\n")
    assert rows(scan(run_cli, root, "shop/routes.py")) == only("shop/routes.py")
    assert analysed == []
    prompts = root / "shop" / "prompts.py"
    prompts.write_text(prompts.read_text().replace("Answer questions about orders only.", "Be brief."))
    routes.write_text(routes.read_text() + "# changed again\n")
    assert rows(scan(run_cli, root, "shop/routes.py")) == only("shop/routes.py")
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


CHAIN = {
    ".git/HEAD": "",
    "app/__init__.py": "",
    "app/llm.py": "import openai\n\ndef ask(q):\n"
    "    return openai.chat.completions.create(model='m', messages=[{'role': 'system', 'content': q}])\n",
    "app/service.py": "from app.llm import ask\n\ndef answer(q):\n    return ask(q)\n",
    "app/routes.py": "from flask import request\nfrom app.service import answer\n\n"
    "def view():\n    return answer(request.args['q'])\n",
}


def test_a_change_two_imports_down_rechecks_the_top_caller(
    run_cli: Callable[..., Any], tree: Callable[..., Path]
) -> None:
    """routes.py imports only service.py; the sink is in llm.py. With the cache on, a change in
    llm.py must re-check routes.py (and a change back must find the flow again)."""
    root = tree(CHAIN)
    assert rows(scan(run_cli, root, "app/routes.py")) == [("app/routes.py", 5, "AIS201")]
    helper = root / "app" / "llm.py"
    original = helper.read_text()
    helper.write_text(original.replace("'role': 'system'", "'role': 'user'"))
    assert rows(scan(run_cli, root, "app/routes.py")) == []
    helper.write_text(original)
    assert rows(scan(run_cli, root, "app/routes.py")) == [("app/routes.py", 5, "AIS201")]


def test_a_module_importing_itself_and_a_cycle_of_three(
    run_cli: Callable[..., Any], tree: Callable[..., Path]
) -> None:
    files = {
        ".git/HEAD": "",
        "pkg/__init__.py": "",
        "pkg/a.py": "import pkg.a\nfrom pkg.b import two\n\ndef one(q):\n    return two(q)\n",
        "pkg/b.py": "from pkg.c import three\nfrom pkg.a import one\n\ndef two(q):\n    return three(q)\n",
        "pkg/c.py": "import openai\nfrom pkg.a import one\n\ndef three(q):\n"
        "    return openai.chat.completions.create(model='m', messages=[{'role': 'system', 'content': q}])\n",
        "pkg/app.py": "from flask import request\nfrom pkg.a import one\n\ndef view():\n"
        "    return one(request.args['q'])\n",
    }
    root = tree(files)
    assert rows(scan(run_cli, root, "--no-cache", ".")) == [("pkg/app.py", 5, "AIS201")]
    assert rows(scan(run_cli, root, "--no-cache", "pkg/app.py")) == [("pkg/app.py", 5, "AIS201")]


REACHING_TOO_FAR = {
    **CHAIN,
    "app/plain.py": "def tidy(text):\n    return text.strip()\n",  # no source, no sink
    # imports a module reaching a sink, and never calls it: still not followed, and says so
    "app/unused.py": "from flask import request\nfrom app import service\n\n"
    "def view():\n    return request.args['q']\n",
    # imports only a module that reaches no source or sink: nothing to miss
    "app/tidy.py": "from flask import request\nfrom app.plain import tidy\n\n"
    "def view():\n    return tidy(request.args['q'])\n",
    # spells no source (where a flow through the project would start), as the prefilter reads it
    "app/job.py": "from app.service import answer\n\ndef run(text):\n    return answer(text)\n",
}


@pytest.mark.parametrize("prefilter", [(), ("--no-prefilter",)], ids=["prefilter", "no-prefilter"])
@pytest.mark.parametrize("alone", [False, True], ids=["directory", "one-file-at-a-time"])
def test_imports_reaching_too_far_are_reported_not_silently_dropped(
    run_cli: Callable[..., Any],
    tree: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
    prefilter: tuple[str, ...],
    alone: bool,
) -> None:
    """Over `MAX_REACH`, a call into the project is a library call and the file says so (AIS005),
    naming the first import that reaches a source or sink. Decided from the texts (the file's
    imports, spelling a source), so the same with the prefilter on and off, for the directory
    and for each file checked alone; a file importing only modules that reach no source or sink,
    or spelling no source, stays quiet."""
    from aisec.taint import graph

    monkeypatch.setattr(graph, "MAX_REACH", 1)
    root = tree(REACHING_TOO_FAR)
    targets = ["app/routes.py", "app/unused.py", "app/tidy.py", "app/job.py"]
    runs = [[t] for t in targets] if alone else [targets]
    found = [f for paths in runs for f in scan(run_cli, root, "--no-cache", *prefilter, *paths)]
    assert rows(found) == [("app/routes.py", 1, "AIS005"), ("app/unused.py", 1, "AIS005")]
    assert all("(`app.service` first) are read as library calls" in f["message"] for f in found)


def test_a_file_whose_imports_are_not_followed_is_not_parsed_for_them(
    run_cli: Callable[..., Any], tree: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its own text fails the taint rules' gates and its imports are read as library calls, so
    the taint rules could find nothing there: the prefilter does not bring them back (on
    transformers from a checkout's root, 2,549 files were parsed and analysed for nothing),
    and the notice stays. Under the bound the same file is parsed for its imports."""
    from aisec.taint import graph

    root = tree(REACHING_TOO_FAR)
    under = run_cli(["check", "--no-cache", "--format", "json", "app/routes.py"], cwd=root).json()
    assert under["summary"]["parsed"] == 1 and rows(under["findings"]) == [("app/routes.py", 5, "AIS201")]
    monkeypatch.setattr(graph, "MAX_REACH", 1)
    over = run_cli(["check", "--no-cache", "--format", "json", "app/routes.py"], cwd=root).json()
    assert over["summary"]["parsed"] == 0 and rows(over["findings"]) == [("app/routes.py", 1, "AIS005")]


def test_the_not_followed_notice_obeys_per_file_ignores_and_disabled_codes(
    run_cli: Callable[..., Any], tree: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Like every AIS005: gone where the project ignores AIS005 for the file, and where no
    taint rule is enabled (nothing could miss a flow)."""
    from aisec.taint import graph

    monkeypatch.setattr(graph, "MAX_REACH", 1)
    config = '[tool.aisec]\nper-file-ignores = { "app/routes.py" = ["AIS005"] }\n'
    root = tree({**REACHING_TOO_FAR, "pyproject.toml": config})
    assert scan(run_cli, root, "--no-cache", "app/routes.py") == []
    assert rows(scan(run_cli, root, "--no-cache", "app/unused.py")) == [("app/unused.py", 1, "AIS005")]
    assert scan(run_cli, root, "--no-cache", "--select", "AIS005,AIS101", "app/unused.py") == []


def generated_chain(depth: int) -> dict[str, str]:
    """`m0 -> m1 -> ... -> m<depth-1>` (each imports the next and the first: one big cycle), the
    last one with the sink, plus a route calling m0."""
    files = {".git/HEAD": "", "gen/__init__.py": ""}
    for n in range(depth):
        if n == depth - 1:
            body = "import openai\nfrom gen.m0 import f0\n\ndef f{n}(q):\n    return openai.chat.completions.create(model='m', messages=[{{'role': 'system', 'content': q}}])\n"
        else:
            body = "from gen.m{m} import f{m}\nfrom gen.m0 import f0\n\ndef f{n}(q):\n    return f{m}(q)\n"
        files[f"gen/m{n}.py"] = body.format(n=n, m=n + 1)
    files["gen/route.py"] = (
        "from flask import request\nfrom gen.m0 import f0\n\ndef view():\n    return f0(request.args['q'])\n"
    )
    return files


def test_two_hundred_modules_in_one_import_cycle_are_followed_to_the_end(tree: Callable[..., Path]) -> None:
    """An import cycle of 200 modules (a chain closed back to its start): after the first round
    only the module importing the one whose flows changed is analysed again, so the flow 200
    modules deep is found within the cycle's budget. Run in a subprocess with a timeout (the
    cost is measured in bench/, not here)."""
    import subprocess
    import sys

    root = tree(generated_chain(200))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "aisec",
            "check",
            "--no-cache",
            "--jobs",
            "1",
            "--format",
            "json",
            "gen/route.py",
        ],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert rows(json.loads(result.stdout)["findings"]) == [("gen/route.py", 5, "AIS201")]


def test_an_import_cycle_that_does_not_settle_is_reported(
    run_cli: Callable[..., Any], tree: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cycle whose walk order is the worst one for its flow (each module calls the previous
    one and imports the next, so callers come first) needs about two analyses per member; with
    one allowed, it stops, and the caller says its analysis is incomplete (AIS005) instead of
    going quiet. With the default budget the flow is found."""
    from aisec.taint import project

    depth = 30
    files = {".git/HEAD": "", "gen/__init__.py": ""}
    files["gen/m0.py"] = (
        "import openai\nimport gen.m1\n\ndef f0(q):\n"
        "    return openai.chat.completions.create(model='m', messages=[{'role': 'system', 'content': q}])\n"
    )
    for n in range(1, depth):
        after = f"import gen.m{n + 1}\n" if n + 1 < depth else "import gen.m0\n"
        files[f"gen/m{n}.py"] = (
            f"from gen.m{n - 1} import f{n - 1}\n{after}\ndef f{n}(q):\n    return f{n - 1}(q)\n"
        )
    files["gen/route.py"] = (
        f"from flask import request\nfrom gen.m{depth - 1} import f{depth - 1}\n\n"
        f"def view():\n    return f{depth - 1}(request.args['q'])\n"
    )
    root = tree(files)
    assert rows(scan(run_cli, root, "--no-cache", "gen/route.py")) == [("gen/route.py", 5, "AIS201")]
    monkeypatch.setattr(project, "CYCLE_COST", 1)
    found = scan(run_cli, root, "--no-cache", "gen/route.py")
    assert rows(found) == [("gen/route.py", 1, "AIS005")]
    assert "import cycle of 30 modules" in found[0]["message"]


def test_a_chain_of_helpers_across_modules_without_cycles_is_followed(
    tree: Callable[..., Path], run_cli: Callable[..., Any]
) -> None:
    files = generated_chain(12)
    for n in range(12):
        files[f"gen/m{n}.py"] = files[f"gen/m{n}.py"].replace("from gen.m0 import f0\n", "")
    root = tree(files)
    assert rows(scan(run_cli, root, "--no-cache", "gen/route.py")) == [("gen/route.py", 5, "AIS201")]


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


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_summarising_the_imported_modules_is_not_the_checked_files_time(
    run_cli: Callable[..., Any], tree: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, jobs: str
) -> None:
    """Each module below routes.py takes 1.6 s to summarise (a slowed-down analysis), against a
    file budget of 1 s and, with a pool (26 files), a worker deadline of 3 s: the route still
    gets its flow, no AIS001 and no killed worker. The summaries' own cost is bounded by their
    step budgets and `CYCLE_COST` (AIS005), not by the file that first needed them."""
    import time

    from aisec.taint import project

    analyse = project.ProjectModules._analyse

    def slowly(self: Any, module: str, path: Path, text: str) -> Any:
        time.sleep(1.6)
        return analyse(self, module, path, text)

    monkeypatch.setattr(project.ProjectModules, "_analyse", slowly)
    quiet = {f"app/quiet{n}.py": f"VALUE = {n}\n" for n in range(20)}
    files = {**CHAIN, **quiet, "pyproject.toml": "[tool.aisec]\nfile-timeout-seconds = 1\n"}
    root = tree(files)
    found = scan(run_cli, root, "--no-cache", "--jobs", jobs, *sorted(p for p in files if p.endswith(".py")))
    assert rows(found) == [("app/routes.py", 5, "AIS201")]


def test_a_message_list_passed_whole_through_two_modules_keeps_its_roles(
    run_cli: Callable[..., Any], tree: Callable[..., Path]
) -> None:
    """app -> service.answer(messages) -> llm.ask(messages) -> the model: each call in app
    classifies its own list (the user message stays quiet, the system one is reported at app)."""
    helper = (
        "from openai import OpenAI\n\nclient = OpenAI()\n\n\ndef ask(messages):\n"
        "    return client.chat.completions.create(model='m', messages=messages)\n"
    )
    service = "from pkg.llm import ask\n\n\ndef answer(messages):\n    return ask(messages)\n"
    app = (
        "from flask import request\nfrom pkg.service import answer\n\n\ndef view():\n"
        "    text = request.form['t']\n"
        "    answer([{'role': 'user', 'content': text}])\n"
        "    answer([{'role': 'system', 'content': text}])\n"
    )
    files = {".git/HEAD": "", "pkg/__init__.py": "", "pkg/llm.py": helper, "pkg/service.py": service}
    root = tree({**files, "pkg/app.py": app})
    found = scan(run_cli, root, "--no-cache", ".")
    assert rows(found) == [("pkg/app.py", 8, "AIS201")]
    assert ("pkg/service.py", 5) in {(step["path"], step["line"]) for step in found[0]["related"]}


ROUTE = (
    "from flask import abort, request\nimport openai\n{imports}\n\n"
    "def view():\n    tone = request.args['tone']\n{check}"
    "    return openai.chat.completions.create(model='m', messages=[{{'role': 'system', 'content': tone}}])\n"
)


IN_TONES = "def allowed(v):\n    return v in TONES\n"
EXITS = "    if not allowed(tone):\n        abort(400)\n"


@pytest.mark.parametrize(
    ("helper", "check", "cleared"),
    [
        (IN_TONES, EXITS, True),
        ("def allowed(v):\n    return bool(re.fullmatch(P, v))\n", "    assert allowed(tone)\n", True),
        (
            "def allowed(v):\n    if v in TONES:\n        return True\n    return False\n",
            EXITS.replace("abort(400)", "raise ValueError"),
            True,
        ),
        (
            "def allowed(v):\n    return allowed_too(v)\n\ndef allowed_too(v):\n    return v in TONES\n",
            EXITS.replace("abort(400)", "return None"),
            True,
        ),
        # look-alike helpers
        (IN_TONES.replace("TONES", "TONES or True"), EXITS, False),
        ("def allowed(v):\n    return re.search(P, v) is not None\n", EXITS, False),
        ("def allowed(v):\n    v = 'formal'\n    return v in TONES\n", EXITS, False),
        ("def allowed(v):\n    if v in TONES:\n        return True\n    return True\n", EXITS, False),
        (
            "def allowed(v):\n    if v in TONES:\n        v = v + '!'\n        return True\n    return False\n",
            EXITS,
            False,
        ),
        (
            "def allowed(v, options):\n    return v in options\n",
            EXITS.replace("allowed(tone)", "allowed(tone, request.args.getlist('o'))"),
            False,
        ),
        # look-alike uses of a real guard
        (IN_TONES, "    if allowed(tone):\n        pass\n", False),
        (IN_TONES, "    allowed(tone)\n", False),
        (IN_TONES, EXITS.replace("allowed(tone)", "allowed(request.args['x'])"), False),
        (IN_TONES, "    if request.args.get('strict'):\n" + EXITS.replace("    ", "        "), False),
    ],
)
@pytest.mark.parametrize("where", ["same module", "another module"])
def test_guard_helpers_clear_what_they_check(
    helper: str, check: str, cleared: bool, where: str, run_cli: Callable[..., Any], tree: Callable[..., Path]
) -> None:
    """`if not allowed(tone): abort(400)` clears `tone` as the inline `tone not in TONES` does,
    when `allowed` returns (on every path that may be true) an allowlist or full-match check of
    its parameter, in the same module or in another (which spells no source or sink, so it is
    read only because the route passes data into it). Look-alikes keep the flow."""
    defs = f"import re\n\nTONES = ('formal', 'casual')\nP = r'[a-z]+'\n\n{helper}"
    if where == "same module":
        files = {"app/routes.py": ROUTE.format(imports=defs, check=check)}
    else:
        imports = "from app.checks import allowed" if "re.search" in helper else "from .checks import allowed"
        files = {"app/checks.py": defs, "app/routes.py": ROUTE.format(imports=imports, check=check)}
    root = tree({".git/HEAD": "", "app/__init__.py": "", **files})
    found = rows(scan(run_cli, root, "--no-cache", "app/routes.py"))
    assert (found == []) is cleared, found


SANITIZED = {
    ".git/HEAD": "",
    "app/__init__.py": "",
    "app/casts.py": "def to_int(v):\n    return int(v)\n",
    "app/checks.py": "from app.casts import to_int\n\n\ndef clean(v):\n    return to_int(v)\n",
    "app/routes.py": "from flask import request\nimport openai\nfrom app.checks import clean\n\n"
    "def view():\n    n = clean(request.args['n'])\n"
    "    return openai.chat.completions.create(model='m', messages=[{'role': 'system', 'content': f'{n} words'}])\n",
}


def test_a_changed_sanitizer_two_imports_down_rechecks_the_caller(
    run_cli: Callable[..., Any], tree: Callable[..., Path]
) -> None:
    """routes -> checks.clean -> casts.to_int (`int()`): no finding. With a warm cache, removing
    the `int()` two modules down re-checks routes.py (its result depends on both files), and
    putting it back clears the flow again."""
    root = tree(SANITIZED)
    assert rows(scan(run_cli, root, "app/routes.py")) == []
    casts = root / "app" / "casts.py"
    casts.write_text("def to_int(v):\n    return v\n")
    assert rows(scan(run_cli, root, "app/routes.py")) == [("app/routes.py", 7, "AIS201")]
    casts.write_text(SANITIZED["app/casts.py"])
    assert rows(scan(run_cli, root, "app/routes.py")) == []


def test_helper_modules_analysed_on_demand_are_bounded(
    run_cli: Callable[..., Any], tree: Callable[..., Path]
) -> None:
    """Helper modules without sources or sinks are analysed only when data is passed into them,
    nested at most `MAX_COMPLETING` deep: a sanitizer at the end of a longer chain of such
    modules is not seen (the flow stays: nothing is lost), one within it is, whichever file
    asked first; a cycle of two helper modules calling each other ends."""
    from aisec.taint.project import MAX_COMPLETING

    def chain(length: int) -> dict[str, str]:
        files = {
            f"app/h{i}.py": f"from app.h{i + 1} import f{i + 1}\n\ndef f{i}(v):\n    return f{i + 1}(v)\n"
            for i in range(length)
        }
        files[f"app/h{length}.py"] = f"def f{length}(v):\n    return int(v)\n"
        route = SANITIZED["app/routes.py"].replace("from app.checks import clean", "from app.h0 import f0")
        return {
            ".git/HEAD": "",
            "app/__init__.py": "",
            **files,
            "app/routes.py": route.replace("clean(", "f0("),
        }

    near = tree(chain(MAX_COMPLETING - 1))
    assert rows(scan(run_cli, near, "--no-cache", "app/routes.py")) == []
    far = tree(chain(MAX_COMPLETING + 2))
    assert rows(scan(run_cli, far, "--no-cache", "app/routes.py")) == [("app/routes.py", 7, "AIS201")]
    # checked first, a route entering the chain half-way sees its end; routes.py still does not
    mid = SANITIZED["app/routes.py"].replace("from app.checks import clean", "from app.h5 import f5")
    (far / "app" / "a_mid.py").write_text(mid.replace("clean(", "f5("))
    assert rows(scan(run_cli, far, "--no-cache", "--jobs", "1", "app")) == [("app/routes.py", 7, "AIS201")]
    cycle = {
        **SANITIZED,
        "app/casts.py": "from app import checks\n\ndef to_int(v):\n    return checks.clean(v)\n",
    }
    looped = tree(cycle)
    assert rows(scan(run_cli, looped, "--no-cache", "app/routes.py")) == [("app/routes.py", 7, "AIS201")]


def test_a_bracketed_import_over_several_lines_is_in_the_import_graph(
    run_cli: Callable[..., Any], tree: Callable[..., Path]
) -> None:
    """`from app import (\\n    llm,\\n)`: the module named on the second line is imported too, so
    a route that spells no sink itself still gets the taint rules (the prefilter follows the
    graph) and the flow into app/llm.py is found."""
    llm = CHAIN["app/llm.py"]
    route = "from flask import request\nfrom app import (  # the helpers\n    service,\n    llm,\n)\n\ndef view():\n    return llm.ask(request.args['q'])\n"
    root = tree(
        {
            ".git/HEAD": "",
            "app/__init__.py": "",
            "app/llm.py": llm,
            "app/service.py": CHAIN["app/service.py"],
            "app/routes.py": route,
        }
    )
    assert rows(scan(run_cli, root, "--no-cache", "app/routes.py")) == [("app/routes.py", 8, "AIS201")]
    backslash = route.replace("(  # the helpers\n    service,\n    llm,\n)", "service, \\\n    llm")
    (root / "app" / "routes.py").write_text(backslash)
    assert rows(scan(run_cli, root, "--no-cache", "app/routes.py")) == [("app/routes.py", 6, "AIS201")]


def test_a_helper_returning_a_configured_guard_is_a_guard(
    run_cli: Callable[..., Any], tree: Callable[..., Path]
) -> None:
    """`return teamlib.is_safe(v)`, with `teamlib.is_safe` a team guard from the config, makes
    the helper a guard too; without the config entry it is not."""
    helper = "import teamlib\n\ndef allowed(v):\n    return teamlib.is_safe(v)\n"
    route = ROUTE.format(
        imports="from .checks import allowed", check="    if not allowed(tone):\n        abort(400)\n"
    )
    files = {".git/HEAD": "", "app/__init__.py": "", "app/checks.py": helper, "app/routes.py": route}
    root = tree(files)
    assert rows(scan(run_cli, root, "--no-cache", "app/routes.py")) == [("app/routes.py", 9, "AIS201")]
    (root / "pyproject.toml").write_text(
        '[tool.aisec.taint]\nsanitizers = [{pattern = "teamlib.is_safe", kind = "guard"}]\n'
    )
    assert rows(scan(run_cli, root, "--no-cache", "app/routes.py")) == []


INHERITED = {
    ".git/HEAD": "",
    "app/__init__.py": "",
    "app/base.py": "import openai\n\n\nclass Base:\n    def ask(self, q):\n"
    "        return openai.chat.completions.create(model='m', messages=[{'role': 'system', 'content': q}])\n",
    "app/sub.py": "from .base import Base\n\n\nclass Sub(Base):\n    pass\n\n\nclass Deeper(Sub):\n    pass\n\n\n"
    "class Safe(Base):\n    def ask(self, q):\n        return None\n",
    "app/routes.py": "from flask import request\n\nfrom app import sub\nfrom app.sub import Deeper, Safe, Sub\n\n\n"
    "class Mine(Sub):\n    pass\n\n\n"
    "def a():\n    return Sub().ask(request.args['q'])\n\n\n"
    "def b():\n    bot = sub.Deeper()\n    return bot.ask(request.args['q'])\n\n\n"
    "def c():\n    return Safe().ask(request.args['q'])\n\n\n"
    "def d():\n    return Mine().ask(request.args['q'])\n\n\n"
    "def e():\n    return Deeper().ask(int(request.args['q']))\n",
}


def test_methods_inherited_from_a_class_of_another_module_are_followed(
    run_cli: Callable[..., Any], tree: Callable[..., Path]
) -> None:
    """`Sub(Base)` with `Base` in another module (relatively imported), `Deeper(Sub)` in the
    same module as `Sub`, and a route module's own `Mine(Sub)`: their `ask` is `Base.ask`, whose
    parameter reaches a system message. `Safe` overrides it (quiet), and a cast stays quiet."""
    root = tree(INHERITED)
    expected = [("app/routes.py", line, "AIS201") for line in (12, 17, 25)]
    assert rows(scan(run_cli, root, "--no-cache", ".")) == expected
    assert rows(scan(run_cli, root, "app/routes.py")) == expected


def test_a_changed_base_class_rechecks_the_caller_of_an_inherited_method(
    run_cli: Callable[..., Any], tree: Callable[..., Path]
) -> None:
    root = tree(INHERITED)
    assert len(scan(run_cli, root, "app/routes.py")) == 3
    base = root / "app" / "base.py"
    base.write_text(base.read_text().replace("'role': 'system'", "'role': 'user'"))
    assert scan(run_cli, root, "app/routes.py") == []


def test_data_kept_in_an_object_of_a_helper_module_is_handed_back(
    run_cli: Callable[..., Any], tree: Callable[..., Path]
) -> None:
    """A helper module without sources or sinks is analysed when data is passed into it; an
    object it defines keeps what its constructor was given (`Box(q).get()` returns `q`, as a
    library call would), while a method returning a constant hands back nothing."""
    box = (
        "class Box:\n    def __init__(self, text):\n        self.text = text\n\n"
        "    def get(self):\n        return self.text\n\n    def kind(self):\n        return 'box'\n"
    )
    route = (
        "from flask import request\nimport openai\n\nfrom app.box import Box\n\n\ndef view():\n"
        "    box = Box(request.args['q'])\n"
        "    openai.chat.completions.create(model='m', messages=[{'role': 'system', 'content': box.get()}])\n"
        "    openai.chat.completions.create(model='m', messages=[{'role': 'system', 'content': box.kind()}])\n"
    )
    root = tree({".git/HEAD": "", "app/__init__.py": "", "app/box.py": box, "app/routes.py": route})
    assert rows(scan(run_cli, root, "--no-cache", "app/routes.py")) == [("app/routes.py", 9, "AIS201")]


PASSING = {
    ".git/HEAD": "",
    "app/__init__.py": "",
    "app/build.py": 'import functools\n\n\ndef lines(text):\n    for line in text.split("\\n"):\n        yield line.strip()\n\n\ndef join_all(*parts):\n    return " ".join(parts)\n\n\ndef kw(**opts):\n    return opts["text"]\n\n\n@functools.lru_cache(maxsize=None)\ndef cached(text):\n    return text.lower()\n\n\nasync def fetch(text):\n    return text\n\n\ndef via_callback(text, fn):\n    return fn(text)\n\n\ndef passthrough_default(text, default=None):\n    return text or default\n',
    "app/routes.py": 'from flask import request\nimport openai\n\nfrom app.build import cached, fetch, join_all, kw, lines, passthrough_default, via_callback\n\n\ndef send(text):\n    return openai.chat.completions.create(model="m", messages=[{"role": "system", "content": text}])\n\n\ndef a():\n    send(" ".join(lines(request.args["a"])))\n    send(join_all("x", request.args["b"]))\n    send(kw(text=request.args["c"]))\n    send(cached(request.args["d"]))\n    send(via_callback(request.args["e"], str))\n    send(passthrough_default(request.args["f"]))\n\n\nasync def b():\n    send(await fetch(request.args["g"]))\n',
}


def test_helpers_analysed_on_demand_that_pass_data_through_keep_the_flow(
    run_cli: Callable[..., Any], tree: Callable[..., Path]
) -> None:
    """Analysing a helper module on demand must not turn a helper that hands its data on into a
    sanitizer: a generator (what it yields), `*args` and
    `**kwargs`, a cached (decorated) function, a callback, `or` a default, an `async` helper."""
    root = tree(PASSING)
    expected = [("app/routes.py", line, "AIS201") for line in (12, 13, 14, 15, 16, 17, 21)]
    assert rows(scan(run_cli, root, "--no-cache", "app/routes.py")) == expected


def test_a_notice_of_imports_not_followed_does_not_depend_on_the_imported_files(
    run_cli: Callable[..., Any], tree: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The notice turns on the whole import graph, which no imported file's stamp stands for:
    touching a module the file imports keeps its cached result (importers of a package's
    `__init__.py` were all checked again when it was touched). Under the bound, the file used
    that module's summary: touching it makes the run summarise the module again, and the
    result holds because the summary reads the same (its dependency digest)."""
    from aisec.taint import graph

    root = tree(REACHING_TOO_FAR)

    def cached_after_touch(cache: str) -> tuple[int, list[tuple[str, int, str]]]:
        args = ["check", "--cache-dir", cache, "--format", "json", "app/routes.py"]
        first = run_cli(args, cwd=root).json()
        service = root / "app" / "service.py"
        stat = service.stat()
        service.write_bytes(service.read_bytes())
        os.utime(service, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
        again = run_cli(args, cwd=root).json()
        assert rows(again["findings"]) == rows(first["findings"])
        return again["summary"]["cached"], rows(again["findings"])

    assert cached_after_touch(str(root / "under")) == (1, [("app/routes.py", 5, "AIS201")])
    monkeypatch.setattr(graph, "MAX_REACH", 1)
    assert cached_after_touch(str(root / "over")) == (1, [("app/routes.py", 1, "AIS005")])
