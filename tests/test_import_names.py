"""The prefilter's reading of a file's project imports (`ProjectModules.import_tokens`): a file
that spells no sink itself is parsed for the taint rules only when it can reach, by a name it
spells, a function or method of the project whose summary has a flow (or a dunder of a class it
names, which runs unspelled). Every way the analysis reaches a summary entry must still admit
the file (the findings are those of `--no-prefilter`), and a file calling only flow-free
functions of the same modules is not parsed."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import pytest

SINK = "openai.chat.completions.create(model='m', messages=[{'role': 'system', 'content': q}])"
PROJECT = {
    ".git/HEAD": "",
    "pkg/__init__.py": "from .llm import ask as query\nfrom . import llm as models\n",
    "pkg/llm.py": f"import openai\n\n\ndef ask(q):\n    return {SINK}\n\n\ndef tidy(q):\n    return q.strip()\n\n\n"
    f"class Client:\n    def send(self, q):\n        return {SINK}\n\n    def tidy(self, q):\n        return q.strip()\n\n\n"
    f"class Assistant:\n    def __init__(self, q):\n        self.reply = {SINK}\n\n\nclient = Client()\n",
    "pkg/sub.py": "from .llm import Assistant, Client\n\n\nclass Sub(Client):\n    pass\n\n\nclass Helper(Assistant):\n    pass\n",
    "pkg/plain.py": "def tidy(q):\n    return q.strip()\n",
    # a module-level `__getattr__` the analysis never asks for a name the module lacks
    "lazy.py": f"import openai\n\n\ndef __getattr__(q):\n    return {SINK}\n",
}
ROUTE = "from flask import request\n{imports}\n\n\ndef view():\n    return {call}\n"
REACHED = {  # the call on line 6 reaches a system message in pkg/llm.py
    "by name": ("from pkg.llm import ask", "ask(request.args['q'])"),
    "by alias": ("from pkg.llm import ask as a", "a(request.args['q'])"),
    "module alias": ("import pkg.llm as L", "L.ask(request.args['q'])"),
    "star import": ("from pkg.llm import *", "ask(request.args['q'])"),
    "getattr": ("from pkg import llm", "getattr(llm, 'ask')(request.args['q'])"),
    "getattr escaped": ("from pkg import llm", "getattr(llm, '\\x61sk')(request.args['q'])"),
    "fullwidth": ("from pkg.llm import \uff41sk", "\uff41sk(request.args['q'])"),
    "method": ("from pkg.llm import Client", "Client().send(request.args['q'])"),
    "module-level instance": ("from pkg.llm import client", "client.send(request.args['q'])"),
    "inherited method": ("from pkg.sub import Sub", "Sub().send(request.args['q'])"),
    "dunder": ("from pkg.llm import Assistant", "Assistant(request.args['q'])"),
    "inherited dunder": ("from pkg.sub import Helper", "Helper(request.args['q'])"),
    "re-export": ("from pkg import query", "query(request.args['q'])"),
    "re-exported module": ("import pkg", "pkg.models.ask(request.args['q'])"),
    "submodule": ("import pkg", "pkg.llm.ask(request.args['q'])"),
    "package of a plain import": ("import pkg.plain", "pkg.llm.ask(request.args['q'])"),
}
FLOW_FREE = {  # the same modules imported, only functions without flows called
    "function": ("from pkg.llm import tidy", "tidy(request.args['q'])"),
    "through the module": ("from pkg import llm", "llm.tidy(request.args['q'])"),
    "method": ("from pkg.llm import Client", "Client.tidy(None, request.args['q'])"),
    "inherited method": ("from pkg.sub import Sub", "Sub().tidy(request.args['q'])"),
    "plain module": ("import pkg.plain", "pkg.plain.tidy(request.args['q'])"),
    "module __getattr__": ("import lazy", "lazy.anything(request.args['q'])"),
}


def check(run_cli: Callable[..., Any], root: Path, *extra: str) -> tuple[int, list[tuple[int, str]]]:
    """(files parsed, (line, code) of each finding) of checking route.py alone, no cache."""
    result = run_cli(["check", "--no-cache", "--format", "json", *extra, "route.py"], cwd=root)
    data = result.json()
    assert data["errors"] == [], result.err
    return data["summary"]["parsed"], sorted((f["line"], f["code"]) for f in data["findings"])


@pytest.mark.parametrize("way", sorted(REACHED))
def test_a_route_reaching_a_flow_by_a_name_it_spells_is_analysed(
    way: str, run_cli: Callable[..., Any], tree: Callable[..., Path]
) -> None:
    """Every way the analysis looks a summary entry up: a name, an alias (the import line spells
    the name), a string `getattr` (escapes decoded) and fullwidth letters (NFKC), a method, an
    inherited method and `__init__` of a class or of its base in another module, and what a
    package's re-exports and submodules lead to (the prefilter of 7982029 missed those four)."""
    imports, call = REACHED[way]
    root = tree({**PROJECT, "route.py": ROUTE.format(imports=imports, call=call)})
    assert check(run_cli, root) == (1, [(6, "AIS201")])
    assert check(run_cli, root, "--no-prefilter") == (1, [(6, "AIS201")])


@pytest.mark.parametrize("way", sorted(FLOW_FREE))
def test_a_route_calling_only_flow_free_functions_is_not_parsed(
    way: str, run_cli: Callable[..., Any], tree: Callable[..., Path]
) -> None:
    """The modules imported have flows, in functions the route does not name: not parsed, and
    nothing lost (the analysis finds nothing there either)."""
    imports, call = FLOW_FREE[way]
    root = tree({**PROJECT, "route.py": ROUTE.format(imports=imports, call=call)})
    assert check(run_cli, root) == (0, [])
    assert check(run_cli, root, "--no-prefilter") == (1, [])


def test_a_summary_that_may_miss_flows_admits_every_importer(
    run_cli: Callable[..., Any], tree: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An import cycle that did not settle (30 modules, each calling the previous one and
    importing the next, at one analysis per member) makes its summaries incomplete: what they
    name is not to be trusted, so a file importing one is analysed whatever it spells, as before
    (settled, the same route calling only `tidy` is not parsed)."""
    from aisec.taint import project

    files = {".git/HEAD": "", "gen/__init__.py": ""}
    files["gen/m0.py"] = f"import openai\nimport gen.m1\n\ndef f0(q):\n    return {SINK}\n"
    for n in range(1, 30):
        after = f"import gen.m{n + 1}\n" if n + 1 < 30 else "import gen.m0\n"
        files[f"gen/m{n}.py"] = (
            f"from gen.m{n - 1} import f{n - 1}\n{after}\ndef f{n}(q):\n    return f{n - 1}(q)\n"
        )
    files["gen/m29.py"] += "\n\ndef tidy(q):\n    return q.strip()\n"
    root = tree(
        {
            **files,
            "route.py": ROUTE.format(imports="from gen.m29 import tidy", call="tidy(request.args['q'])"),
        }
    )
    assert check(run_cli, root) == (0, [])
    monkeypatch.setattr(project, "CYCLE_COST", 1)
    assert check(run_cli, root)[0] == 1


def test_a_skipped_route_is_checked_again_when_the_function_it_calls_gains_a_flow(
    run_cli: Callable[..., Any], tree: Callable[..., Path]
) -> None:
    """A route skipped for its imports depends on the modules it reached: `tidy` gaining a flow
    (or a re-export the route spells now leading to one) brings the cached result back."""
    root = tree(
        {**PROJECT, "route.py": ROUTE.format(imports="from pkg import tidy", call="tidy(request.args['q'])")}
    )
    route = ["check", "--format", "json", "route.py"]
    assert run_cli(route, cwd=root).json()["summary"]["parsed"] == 0
    init = root / "pkg" / "__init__.py"
    init.write_text(init.read_text() + "from .llm import ask as tidy\n")
    assert [(f["line"], f["code"]) for f in run_cli(route, cwd=root).json()["findings"]] == [(6, "AIS201")]
