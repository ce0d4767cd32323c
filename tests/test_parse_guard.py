"""The parse guard's budget walk (`engine.tree_problem`) against the plain `ast.iter_child_nodes`
walk it replaces: the same verdict, node count and depth at which a budget is crossed."""

from __future__ import annotations

import ast
import gc
from pathlib import Path

import aisec
import pytest
from aisec import engine


def _reference(tree: ast.AST, max_nodes: int, max_depth: int) -> str | None:
    nodes = 0
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        nodes += 1
        if nodes > max_nodes:
            return f"over {max_nodes:,} syntax nodes"
        if depth > max_depth:
            return f"nested over {max_depth:,} levels deep"
        step = len(node.values) if isinstance(node, ast.BoolOp) else 1
        stack.extend((child, depth + step) for child in ast.iter_child_nodes(node))
    return None


SOURCES = [
    "x = a or b or c or d\n" * 3,
    "def f(*, k: int = 1, **kw) -> None:\n    global g\n    return [y async for y in z if y]\n",
    "match p:\n    case {'k': [1, *rest]} if rest:\n        pass\n    case Point(x=0) | None:\n        pass\n",
    "import a.b as c\nfrom .m import (n as o, p)\ntry:\n    pass\nexcept E as e:\n    raise\n",
    "f'{a!r:>{w}} {b=}'\nlambda *a, **k: (yield)\nclass C(B, metaclass=M): x: 'T' = 1\n",
    "a = " + " and ".join(f"v{i}" for i in range(60)) + "\n",
]


@pytest.mark.parametrize("max_nodes, max_depth", [(10**6, 10**6), (40, 10**6), (10**6, 6), (25, 5)])
def test_the_budget_walk_answers_as_iter_child_nodes(monkeypatch, max_nodes: int, max_depth: int) -> None:
    own = sorted(Path(aisec.__file__).parent.glob("*.py"))[:6]
    sources = SOURCES + [path.read_text(encoding="utf-8") for path in own]
    monkeypatch.setattr(engine, "MAX_NODES", max_nodes)
    monkeypatch.setattr(engine, "MAX_DEPTH", max_depth)
    text = "x" * (max_nodes // 2 + 1)  # long enough to be walked (no small-file shortcut)
    for source in sources:
        tree = ast.parse(source)
        assert engine.tree_problem(tree, text) == _reference(tree, max_nodes, max_depth), source[:60]


def test_a_long_or_chain_is_still_refused_before_libcst() -> None:
    source = "x = " + " or ".join(["a"] * (engine.MAX_DEPTH + 5)) + "\n"
    assert "levels deep" in (engine.tree_problem(ast.parse(source), source) or "")


def test_the_collector_is_back_on_after_a_paused_parse_even_on_an_error() -> None:
    assert gc.isenabled()
    with pytest.raises(ZeroDivisionError), engine.collector_paused():
        assert not gc.isenabled()
        1 / 0  # noqa: B018
    assert gc.isenabled()
    gc.disable()
    try:
        with engine.collector_paused():
            pass
        assert not gc.isenabled()  # a caller's choice is kept
    finally:
        gc.enable()
