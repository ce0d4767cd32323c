"""`aisec.cstinit`'s constructors against the ones `dataclasses` made for libcst's node classes:
the same signatures and default objects, the same nodes from the same arguments (every class met
in the repository's own sources, each built from all its fields and from its required ones
only), the same errors, validation still run, and the same trees from the parser."""

from __future__ import annotations

import dataclasses
import inspect
import subprocess
import sys
from typing import Any, Iterator

import libcst as cst
import pytest
from aisec import cstinit, parsing
from conftest import REPO

SOURCES = [
    path.read_text(encoding="utf-8")
    for folder in ("scanner", "plugins", "examples")
    for path in sorted((REPO / folder).rglob("*.py"))
]


@pytest.fixture(scope="module")
def originals() -> dict[type, Any]:
    cstinit.install()
    return cstinit.originals()


@pytest.fixture
def dataclass_made(originals: dict[type, Any], monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The body runs with `dataclasses`' constructors back in place."""
    for cls, original in originals.items():
        monkeypatch.setattr(cls, "__init__", original)
    yield


def one_node_per_class() -> dict[type, cst.CSTNode]:
    found: dict[type, cst.CSTNode] = {}

    class Collect(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            found.setdefault(type(node), node)
            return True

    for source in SOURCES[:60]:
        cst.parse_module(source).visit(Collect())
    return found


NODES = one_node_per_class()


def test_most_node_classes_are_replaced(originals: dict[type, Any]) -> None:
    assert len(originals) > 150
    assert {cst.Name, cst.Call, cst.Module, cst.SimpleWhitespace, cst.Attribute} <= set(originals)
    assert all(cls.__init__ is not original for cls, original in originals.items())


def test_signatures_and_default_objects_are_the_same(originals: dict[type, Any]) -> None:
    for cls, original in originals.items():
        fast = cls.__dict__["__init__"]
        assert inspect.signature(fast) == inspect.signature(original), cls
        assert fast.__defaults__ is original.__defaults__
        assert fast.__qualname__ == original.__qualname__
        assert fast.__annotations__ == original.__annotations__


def build_both_ways(cls: type, fields: dict[str, Any], originals: dict[type, Any]) -> tuple[Any, Any]:
    """The node from the replacing constructor (first: its errors propagate) and the original."""
    fast = cls(**fields)
    slow = cls.__new__(cls)
    originals[cls](slow, **fields)
    return fast, slow


@pytest.mark.parametrize("cls", sorted(NODES, key=lambda c: c.__name__), ids=lambda c: c.__name__)
def test_the_same_node_from_the_same_arguments(cls: type, originals: dict[type, Any]) -> None:
    if cls not in originals:
        pytest.skip("not replaced")
    node, parameters = NODES[cls], inspect.signature(cls).parameters
    every = {name: getattr(node, name) for name in parameters}
    fast, slow = build_both_ways(cls, every, originals)
    assert fast.deep_equals(slow) and fast.deep_equals(node)
    assert cls(*every.values()).deep_equals(node)
    required = {name: every[name] for name, p in parameters.items() if p.default is p.empty}
    try:
        fast, slow = build_both_ways(cls, required, originals)
    except cst.CSTValidationError as refused:  # the defaults do not fit (a `Try` needs a handler)
        with pytest.raises(cst.CSTValidationError) as also:
            originals[cls](cls.__new__(cls), **required)
        assert str(also.value) == str(refused)
        return
    assert fast.deep_equals(slow)
    for name, parameter in parameters.items():
        if name not in required and parameter.default is not dataclasses._HAS_DEFAULT_FACTORY:
            assert getattr(fast, name) is getattr(slow, name) is parameter.default


def test_the_same_errors(originals: dict[type, Any]) -> None:
    calls = [((), {}), (("x",), {"unknown": 1}), (("x",), {"value": "y"}), (("x", (), (), 4), {})]
    for args, kwargs in calls:
        messages = []
        for init in (cst.Name.__init__, originals[cst.Name]):
            with pytest.raises(TypeError) as refused:
                init(cst.Name.__new__(cst.Name), *args, **kwargs)
            messages.append(str(refused.value))
        assert messages[0] == messages[1]


def test_nodes_are_still_validated(originals: dict[type, Any]) -> None:
    with pytest.raises(cst.CSTValidationError):
        cst.Name("1x")
    with pytest.raises(cst.CSTValidationError):
        cst.Integer("1", lpar=[cst.LeftParen()])


@pytest.mark.usefixtures("originals")
def test_the_parser_builds_the_same_trees(request: pytest.FixtureRequest) -> None:
    sources = SOURCES[::4]
    fast = [cst.parse_module(source) for source in sources]
    request.getfixturevalue("dataclass_made")
    assert cst.Name.__init__ is cstinit.originals()[cst.Name]
    for source, tree in zip(sources, fast, strict=True):
        assert tree.deep_equals(cst.parse_module(source))
        assert tree.code == source


def test_installed_only_after_enough_source() -> None:
    """A process that parses one small file never compiles them; past the threshold it does."""
    program = (
        "from aisec import cstinit, parsing\n"
        "parsing.parse_module('x = 1\\n' * 100)\n"
        "print(len(cstinit.originals()))\n"
        f"parsing.parse_module('x = 1\\n' * {parsing.CONSTRUCTORS_AFTER // 6})\n"
        "print(len(cstinit.originals()) > 150)\n"
    )
    out = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["0", "True"]
