"""Names a `from M import *` may supply (`NameTable._star_modules`): rules, the taint engine and
the screens in front of libcst must all see `loads` after `from pickle import *` as
`pickle.loads`, and nothing else as that."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from aisec.identifiers import IdentifierScreen, identifier_kinds
from test_identifiers import CATALOG, EXPANSIONS, REGISTRY
from test_names import candidates_of, resolved

AIS301 = REGISTRY.rules["AIS301"]


def findings(run_cli: Any, tmp_path: Path, source: str, *extra: str) -> list[tuple[str, int]]:
    """(code, line) of every finding of a default run on `source` (screens on unless `extra`)."""
    (tmp_path / "app.py").write_text(source)
    result = run_cli(["check", "--no-cache", "--format", "json", *extra, "app.py"], cwd=tmp_path)
    data = result.json()
    assert data["errors"] == []
    return sorted((f["code"], f["line"]) for f in data["findings"])


# ----------------------------------------------------------------- resolution (qualified)


@pytest.mark.parametrize(
    ("source", "callee", "expected"),
    [
        ("from pickle import *\nloads(b)\n", "loads", "pickle.loads"),
        ("from torch import *\nnn.Module()\n", "nn.Module", "torch.nn.Module"),
        # a star import after the use does not count
        ("loads(b)\nfrom pickle import *\n", "loads", None),
        # a relative star import resolves to nothing, like every relative import
        ("from .helpers import *\nloads(b)\n", "loads", None),
        ("from . import *\nloads(b)\n", "loads", None),
        # a module binding after the star import explains the name
        ("from pickle import *\nfrom json import loads\nloads(b)\n", "loads", "json.loads"),
        ("from pickle import *\ndef loads(b):\n    return b\nloads(b)\n", "loads", None),
        # a name bound only later in the same scope is still the star import's at the use
        ("from pickle import *\nloads(b)\ndef loads(b):\n    return b\n", "loads", "pickle.loads"),
        # a binding before the star import may be replaced by it
        ("def loads(b):\n    return b\nfrom pickle import *\nloads(b)\n", "loads", "pickle.loads"),
        # two star imports: no single reading (candidates gives both)
        ("from pickle import *\nfrom marshal import *\nloads(b)\n", "loads", None),
        ("from pickle import *\nfrom pickle import *\nloads(b)\n", "loads", "pickle.loads"),
        # a builtin keeps its reading (candidates adds the star import's)
        ("from os import *\nopen(p)\n", "open", "builtins.open"),
        # a well-known module name the file never binds stays that module
        ("from helpers import *\npickle.loads(b)\n", "pickle.loads", "pickle.loads"),
        # look-alike: a project module's `loads` is not pickle's
        ("from mymodule import *\nloads(b)\n", "loads", "mymodule.loads"),
        (
            "try:\n    from pickle import *\nexcept ImportError:\n    pass\nloads(b)\n",
            "loads",
            "pickle.loads",
        ),
    ],
)
def test_star_import_resolution(source: str, callee: str, expected: str | None) -> None:
    assert resolved(source, callee) == [expected]


def test_nested_scopes_see_a_module_star_import_but_not_through_locals() -> None:
    source = """
    def early(b):
        return loads(b)
    from pickle import *
    def late(b):
        return loads(b)
    def shadowed(loads, b):
        return loads(b)
    def local(b):
        loads = str
        return loads(b)
    class Holder:
        x = loads(b)
        def method(self, b):
            return loads(b)
    """
    # a function body runs after the module: a star import after its `def` counts too
    assert resolved(source, "loads") == [
        "pickle.loads",
        "pickle.loads",
        None,
        "builtins.str",
        "pickle.loads",
        "pickle.loads",
    ]


def test_class_body_before_the_star_import_does_not_see_it() -> None:
    assert resolved("class A:\n    x = loads(b)\nfrom pickle import *\n", "loads") == [None]


# ----------------------------------------------------------------- candidates


@pytest.mark.parametrize(
    ("source", "callee", "expected"),
    [
        ("from pickle import *\nloads(b)\n", "loads", ("pickle.loads",)),
        (
            "from pickle import *\nfrom marshal import *\nloads(b)\n",
            "loads",
            ("pickle.loads", "marshal.loads"),
        ),
        ("from os import *\nopen(p)\n", "open", ("builtins.open", "os.open")),
        ("from torch import *\nnn.load(p)\n", "nn.load", ("torch.nn.load",)),
        ("from pickle import *\nfrom json import loads\nloads(b)\n", "loads", ("json.loads",)),
        ("from json import loads\nfrom pickle import *\nloads(b)\n", "loads", ("json.loads", "pickle.loads")),
        ("loads(b)\nfrom pickle import *\n", "loads", ()),
        ("from .x import *\nloads(b)\n", "loads", ()),
        ("from pickle import *\ndef f(loads):\n    loads(b)\n", "loads", ()),
    ],
)
def test_star_import_candidates(source: str, callee: str, expected: tuple[str, ...]) -> None:
    assert candidates_of(source, callee) == [expected]


# ----------------------------------------------------------------- rules, with the screens on


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from pickle import *\ndata = loads(blob)\n", [("AIS101", 2)]),
        ("from torch import *\nm = load(path)\n", [("AIS102", 2)]),
        ("from numpy import *\nx = load(p, allow_pickle=True)\n", [("AIS103", 2)]),
        ("from yaml import *\nx = load(s)\n", [("AIS105", 2)]),
        ("from joblib import *\nx = load(p)\n", [("AIS104", 2)]),
        (
            "from transformers import *\nm = AutoModel.from_pretrained(n, trust_remote_code=True)\n",
            [("AIS106", 2)],
        ),
        # two star imports: each reading is judged
        ("from pickle import *\nfrom torch import *\nx = load(p)\n", [("AIS101", 3), ("AIS102", 3)]),
    ],
)
def test_call_rules_through_star_imports(run_cli: Any, tmp_path: Path, source: str, expected: list) -> None:
    assert findings(run_cli, tmp_path, source) == expected
    assert findings(run_cli, tmp_path, source, "--no-prefilter") == expected


@pytest.mark.parametrize(
    "source",
    [
        "from mymodule import *\ndata = loads(blob)\nm = load(path)\n",
        "data = loads(blob)\nfrom pickle import *\n",
        "from .compat import *\ndata = loads(blob)\n",
        "from pickle import *\n\ndef f(loads, blob):\n    return loads(blob)\n",
        "from pickle import *\nfrom json import loads\ndata = loads(blob)\n",
        "from yaml import *\nx = load(s, Loader=SafeLoader)\n",
        "from numpy import *\nx = load(p)\n",
    ],
)
def test_look_alikes_through_star_imports_do_not_fire(run_cli: Any, tmp_path: Path, source: str) -> None:
    assert findings(run_cli, tmp_path, source) == []
    assert findings(run_cli, tmp_path, source, "--no-prefilter") == []


LLM_TO_SHELL = """
{imports}
client = OpenAI()


def answer(question):
    out = client.chat.completions.create(model="m", messages=[{{"role": "user", "content": question}}])
    command = out.choices[0].message.content
    run(command, shell=True)
"""


@pytest.mark.parametrize(
    "imports",
    [
        "from subprocess import *\nfrom openai import OpenAI",
        "from subprocess import run\nfrom openai import *",
    ],
)
def test_taint_sink_and_source_through_a_star_import(run_cli: Any, tmp_path: Path, imports: str) -> None:
    source = LLM_TO_SHELL.format(imports=imports)
    assert ("AIS301", 10) in findings(run_cli, tmp_path, source)
    assert ("AIS301", 10) in findings(run_cli, tmp_path, source, "--no-prefilter")


def test_taint_sink_from_a_look_alike_star_import_does_not_fire(run_cli: Any, tmp_path: Path) -> None:
    source = LLM_TO_SHELL.format(imports="from tasks import *\nfrom openai import OpenAI")
    assert findings(run_cli, tmp_path, source, "--no-prefilter") == []


# ----------------------------------------------------------------- the identifier screen's tail gate


@pytest.mark.parametrize(
    ("imports", "kept"),
    [
        ("from subprocess import *", True),  # `run` may be `subprocess.run`
        ("from .subprocess import *", False),  # a relative star import names nothing
        ("from . import *", False),
        ("import subprocess", False),  # `run` read as a `Name` only ends `builtins.run`
    ],
)
def test_tail_gate_takes_a_name_read_after_an_absolute_star_import(imports: str, kept: bool) -> None:
    source = LLM_TO_SHELL.format(imports=f"{imports}\nfrom openai import OpenAI")
    tree = ast.parse(source)
    assert identifier_kinds(tree).star_import is (imports == "from subprocess import *")
    selected = IdentifierScreen([AIS301], EXPANSIONS, CATALOG).select(tree, source, [AIS301])
    assert selected == ([AIS301] if kept else [])
