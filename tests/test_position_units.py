"""The smallest code `positions.Positions` reads a node off when it finds the node's statements
itself (`_holding`: a taint flow's step, a fact's line): the innermost statement, also inside the
body of a compound statement, and a compound statement's or definition's header alone when the
node is in it (a parameter, a decorator, a loop's iterable). Every range must still be libcst's
(`PositionProvider`, the oracle) and every line the whole module's (`SourceLines`); a node at two
places keeps the code it was read off before; a header that only starts like the statement `ast`
put at its line is not used.

`AISEC_FUZZ_EXAMPLES=N` runs N generated sources instead of the suite's few."""

from __future__ import annotations

import ast

import libcst as cst
import pytest
from aisec.positions import Positions, _statement_paths, statement_lines
from aisec.taint import facts
from hypothesis import given
from libcst.metadata import MetadataWrapper, PositionProvider
from test_position_state import FUZZ, as_libcst, sample_sources
from test_start_lines import LAYOUT, relaid


def assert_found_nodes_as_libcst(text: str) -> int:
    """Ask for every node with no statements (so `Positions` finds them): its range must be
    libcst's and its line, where one is told, the whole module's. The number of nodes asked."""
    try:
        module = cst.parse_module(text)
        lines = statement_lines(ast.parse(text).body)
    except (cst.ParserSyntaxError, SyntaxError, ValueError, RecursionError):
        return 0
    whole = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    expected_lines = facts.source_lines(module)
    positions = Positions(module, text, lines)
    for node, expected in whole.items():
        assert as_libcst(positions.get(node, ())) == expected, (type(node).__name__, expected)
        line = positions.start_line(node)
        assert line is None or line == expected_lines.line(node), (type(node).__name__, line)
    # the statements known, a node asked for with its own is read off their smallest code too
    paths, _ = _statement_paths(module)
    for node, expected in whole.items():
        if paths.get(id(node)):
            assert as_libcst(positions.get(node, paths[id(node)])) == expected, (
                type(node).__name__,
                expected,
            )
    return len(whole)


def test_every_node_of_own_sources_and_examples() -> None:
    asked = sum(assert_found_nodes_as_libcst(source) for source in sample_sources())
    assert asked > 50_000


@pytest.mark.parametrize("layout", LAYOUT)
def test_layout_in_headers_and_bodies(layout: str) -> None:
    """Blank and comment lines, decorators, continuations and `\\r\\n` before and inside the
    headers and bodies of definitions and compound statements."""
    blank_or_comments = all(not line.strip() or line.lstrip().startswith("#") for line in layout.splitlines())
    inside = layout if layout.endswith("\n") and blank_or_comments else "\n"
    text = (
        f"import os\n{layout}@dec(\n  1)\n{inside}def f(a, b: int = (1 +\n  2), *c) -> 'T':\n"
        f"{inside}    for x in os.environ.get(\n        a):  # c\n{inside}        if x:\n"
        f"            y = (x)[0]\n{inside}        else:\n            y = b\n"
        f"    try:\n        with open(a) as h:\n{inside}            return h.read() + y\n"
        f"    except (OSError, ValueError) as e:\n        raise\n    while a: a = a[1:]\n"
    )
    assert assert_found_nodes_as_libcst(text) > 80


@FUZZ
@given(source=relaid())
def test_mutated_sources(source: str) -> None:
    assert_found_nodes_as_libcst(source)


LOOP = (
    "def f(a, b=1):\n    total = 0\n    for x in a:\n        total += x\n        print(x)\n    return total\n"
)


def _view(text: str) -> tuple[cst.Module, Positions, dict[int, tuple]]:
    module = cst.parse_module(text)
    return module, Positions(module, text, statement_lines(ast.parse(text).body)), _statement_paths(module)[0]


def test_a_parameter_is_read_off_its_definitions_header() -> None:
    module, positions, _ = _view(LOOP)
    function = module.body[0]
    param = function.params.params[1]
    assert positions.start_line(param) == 1
    whole = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    assert as_libcst(positions.get(param, ())) == whole[param]
    header = positions._headers[id(function)]
    assert header is not None and header.code == "def f(a, b=1):"
    assert id(function) not in positions._units  # the body was not generated


def test_a_node_in_a_loop_body_is_read_off_its_own_statement() -> None:
    module, positions, paths = _view(LOOP)
    loop = module.body[0].body.body[1]
    call = loop.body.body[1].body[0].value
    assert positions.start_line(call) == 5
    assert [type(s).__name__ for s in paths[id(call)]] == ["FunctionDef", "For", "SimpleStatementLine"]
    assert id(loop) not in positions._units and id(loop.body.body[1]) in positions._units


def test_what_a_header_does_not_hold_is_read_off_the_whole_statement() -> None:
    """The definition itself (its range ends with its body) and an `else` branch's keyword are
    in no header: the whole statement's code answers."""
    text = "if a:\n    b = 1\nelse:\n    b = 2\n\n\ndef f(x):\n    return x\n"
    module, positions, _ = _view(text)
    whole = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    branch, function = module.body[0].orelse, module.body[1]
    for node in (branch, function):
        assert as_libcst(positions.get(node, ())) == whole[node]
    assert id(module.body[0]) in positions._units and id(function) in positions._units


def test_a_node_at_two_places_keeps_the_code_it_was_read_off() -> None:
    """One object at two places: read off the unit of the statements its last place has, as the
    walk stacks them (the `if`), not off that place's own statement. There an `Index` (a node
    without a syntactic range) keeps its first place; its own statement would say its last."""
    subscript = cst.parse_expression("x[1]")
    first = cst.SimpleStatementLine([cst.Assign([cst.AssignTarget(cst.Name("a"))], subscript)])
    second = cst.SimpleStatementLine([cst.Assign([cst.AssignTarget(cst.Name("b"))], subscript)])
    block = cst.If(test=cst.Name("c"), body=cst.IndentedBlock([first, second]))
    module = cst.Module(body=[block])
    text = module.code
    positions = Positions(module, text, statement_lines(ast.parse(text).body))
    index = subscript.slice[0].slice
    assert isinstance(index, cst.Index)
    assert positions.get(index, ()).start.line == 2
    assert id(second) not in positions._units
    assert positions.start_line(index) is None  # left to the whole module, as before


def test_a_header_that_only_starts_alike_is_not_used() -> None:
    """Lines that put a definition at another one's line with the same header (`ast` and libcst
    disagreeing): the header's code is the text there, but the body's first statement is not on
    the line after it, so it is not used; the whole statement is not the text there either, so
    the whole module answers, right."""
    text = "def f(x):\n    return x\ndef f(x):\n\n    return 2\n"
    module = cst.parse_module(text)
    right = statement_lines(ast.parse(text).body)
    swapped = [right[1], right[0]]
    positions = Positions(module, text, swapped)
    param = module.body[0].params.params[0]
    assert positions.get(param, ()).start.line == 1
    assert positions._headers[id(module.body[0])] is None
    assert positions._whole is not None


def test_with_the_statements_known_a_reported_node_is_read_off_its_own_statement() -> None:
    """A node asked for with the statements that hold it: off the outermost compound statement's
    code while `Positions` knows no statements (a node at two places might be in there), off
    its own statement's once it does."""
    text = "if __name__ == '__main__':\n    if a:\n        run(a)\n    else:\n        stop()\n"
    module, positions, paths = _view(text)
    outer = module.body[0]
    call = outer.body.body[0].body.body[0].body[0].value
    assert positions.get(call, paths[id(call)]).start.line == 3
    assert list(positions._units) == [id(outer)]

    module, positions, paths = _view(text)
    call = module.body[0].body.body[0].body.body[0].body[0].value
    assert positions.start_line(call) == 3  # learns the statements
    positions._units.clear()
    assert positions.get(call, paths[id(call)]).start.line == 3
    assert list(positions._units) == [id(paths[id(call)][-1])]
