"""`positions.Positions`' own position-recording codegen state against libcst's
`PositionProvider` (the oracle): the range of EVERY node of every statement (syntactic
positions hoisted from `start_node`/`end_node`, whitespace-owning nodes, decorators, comments,
`\\r\\n`, form feeds, multi-line strings, non-ASCII) must be libcst's, on aisec's own sources,
the rule examples and mutated sources; and a fix's text made from the statement's code must be
libcst's transform of the whole module.

`AISEC_FUZZ_EXAMPLES=N` runs N generated sources instead of the suite's few."""

from __future__ import annotations

import ast
import os
from typing import Any

import libcst as cst
import pytest
from aisec.fixes import FixHelper, apply_fixes
from aisec.positions import Positions, _statement_paths, statement_lines
from hypothesis import HealthCheck, given, settings
from libcst._position import CodeRange
from libcst.metadata import MetadataWrapper, PositionProvider
from test_parsing import EXAMPLE_SOURCES, OWN_SOURCES, mutated
from test_start_lines import LAYOUT


def sample_sources() -> list[str]:
    """The real texts the position oracles run on: 25 of aisec's own modules and the rule examples."""
    return [path.read_text(encoding="utf-8") for path in OWN_SOURCES[:25]] + list(EXAMPLE_SOURCES)


FUZZ = settings(
    max_examples=int(os.environ.get("AISEC_FUZZ_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def as_libcst(span: Any) -> CodeRange:
    """A range `Positions` gave, as libcst's type (the oracle's), to compare with `==`."""
    start, end = span.start, span.end
    return CodeRange((start.line, start.column), (end.line, end.column))


def assert_every_node_as_libcst(text: str, *, own_code: bool = True) -> int:
    """Compare every node the engine could ask about; the number of nodes compared. `own_code`:
    also require that no answer came from the whole module's positions."""
    try:
        module = cst.parse_module(text)
        lines = statement_lines(ast.parse(text).body)
    except (cst.ParserSyntaxError, SyntaxError, ValueError, RecursionError):
        return 0
    whole = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    positions = Positions(module, text, lines)
    paths, _ = _statement_paths(module)
    compared = 0
    for node, expected in whole.items():
        path = paths.get(id(node))
        if path:
            assert as_libcst(positions.get(node, path)) == expected, (type(node).__name__, expected)
            compared += 1
    if own_code and "\r" not in text.replace("\r\n", "") and "\f" not in text:
        # every answer came from a statement's own code (a form feed or a lone `\r` can put
        # a statement elsewhere than `ast` says: the whole module answers then)
        assert positions._whole is None
    return compared


def test_every_node_of_own_sources_and_examples() -> None:
    compared = sum(assert_every_node_as_libcst(source) for source in sample_sources())
    assert compared > 20_000


@pytest.mark.parametrize("layout", LAYOUT)
def test_layout_between_statements(layout: str) -> None:
    """Blank and comment lines, decorators, continuations and `\\r\\n` before, inside and after
    the statements that are generated on their own."""
    last = "" if layout.startswith("@") else layout  # a decorator needs a definition after it
    inside = layout if layout.strip() in ("", "#") or layout.lstrip().startswith("#") else "\n"
    text = (
        f"import os\n{layout}@dec(\n  1)\n{inside}class A(B):\n    pass  # c\n\n    @d\n"
        f"    def f(self, x: int = (1 +\n  2), *a, **k) -> 'T':\n        # c\n        return (x)[0:1:2]\n"
        f"{last}x = [a for a in b if a] ; y = {{1: 2}}  # c\nz = f'{{x!r:>{{w}}}}' 'u' \\\n  'v'\n"
    )
    assert assert_every_node_as_libcst(text) > 60


@FUZZ
@given(source=mutated())
def test_mutated_sources(source: str) -> None:
    assert_every_node_as_libcst(source, own_code=False)  # e.g. no line break at the end


def test_fix_text_from_the_statement_equals_libcst() -> None:
    helper = FixHelper()
    fixed = 0
    for path in OWN_SOURCES[:30]:
        text = path.read_text(encoding="utf-8")
        module = cst.parse_module(text)
        positions = Positions(module, text, statement_lines(ast.parse(text).body))
        paths, _ = _statement_paths(module)
        calls = [node for node in _nodes(module) if isinstance(node, cst.Call)][::9][:2]
        for call in calls:
            fix = helper.add_keyword(call, "weights_only", "True")
            after = positions.fixed_text(paths[id(call)], fix)
            if after is not None:
                assert after == apply_fixes(module, [fix])
                fixed += 1
    assert fixed > 15


def _nodes(module: cst.Module) -> list[cst.CSTNode]:
    found: list[cst.CSTNode] = []

    class Every(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            found.append(node)
            return True

    module.visit(Every())
    return found


@pytest.mark.parametrize(
    "text",
    [
        "x = '''a\rb'''\ny = f(1)\n\n\ndef g():\n    return f('''\r\r''', 2)\n",
        "import os\rx = f(1)\rdef g(a):\r    return os.path(a)\r",
        "x = 1\r\ndef g(a):\r\n    '''doc\r\n    '''\r\n    return f(a, b'\\r')\r\n",
    ],
)
def test_carriage_returns_count_as_line_breaks(text: str) -> None:
    """libcst counts `\\r`, `\\r\\n` and `\\n` as line breaks, in tokens too (a string)."""
    assert assert_every_node_as_libcst(text, own_code=False) > 10
