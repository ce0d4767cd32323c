"""A `Name` `input` counts for `builtins.input` only where the engine's name table finds no binding
of it (`aisec.shadowing`): checked against the name table itself, on programs built from every
binding form and position (the oracle), and end to end, with the prefilter on and off."""

from __future__ import annotations

import ast
import textwrap

import libcst as cst
from aisec.identifiers import IdentifierScreen
from aisec.names import STATEMENT_TYPES, NameTable
from aisec.shadowing import binds, reads_unbound
from aisec.testing import check_source
from aisec.walk import trivia_types, walk
from hypothesis import given, settings
from hypothesis import strategies as st
from test_identifiers import CATALOG, EXPANSIONS, REGISTRY

AIS203 = REGISTRY.rules["AIS203"]

# Statements that bind `input` in their scope, as the name table's pre-pass records bindings.
BINDING = {
    "assign": "input = print",
    "tuple": "input, other = print, 1",
    "list": "[first, *input] = [print]",
    "starred": "*input, = [print]",
    "annotated": "input: object = print",
    "annotation only": "input: object",
    "augmented": "input += ''",
    "for": "for input in [print]:\n    pass",
    "for else": "for _ in []:\n    pass\nelse:\n    input = print",
    "while": "while False:\n    input = print",
    "if": "if False:\n    input = print",
    "elif": "if False:\n    pass\nelif True:\n    input = print",
    "with": "with open('f') as input:\n    pass",
    "with tuple": "with open('f') as (input, other):\n    pass",
    "except": "try:\n    pass\nexcept Exception as input:\n    pass",
    "try body": "try:\n    input = print\nfinally:\n    pass",
    "finally": "try:\n    pass\nfinally:\n    input = print",
    "match case": "match 1:\n    case 1:\n        input = print",
    "import": "import input",
    "import dotted": "import input.helpers",
    "import as": "import os as input",
    "from import": "from os import input",
    "from import as": "from os import getcwd as input",
    "relative import": "from . import input",
    "def": "def input(*args):\n    return 'x'",
    "async def": "async def input(*args):\n    return 'x'",
    "class": "class input:\n    pass",
    "one-line if": "if True: input = print",
}
# Statements that bind no `input` the name table records in their scope.
NOT_BINDING = {
    "nothing": "pass",
    "walrus": "(input := print)",
    "comprehension": "[input for input in [print]]",
    "generator": "list(input for input in [print])",
    "lambda": "(lambda input: input)(print)",
    "match capture": "match print:\n    case input:\n        pass",
    "class body": "class Holder:\n    input = print",
    "nested def": "def inner():\n    input = print",
    "nested def parameter": "def inner(input):\n    return input",
    "star import": "from os import *",
    "attribute": "other = print\nother.input = print",
    "keyword": "print(input='x')",
    "delete": "del input",
}
FORMS = {**BINDING, **NOT_BINDING}

# How `main` reads `input`: each makes a command-line source of `builtins.input` when unbound.
READS = {
    "call": "text = input('t')",
    "alias": "ask = input\ntext = ask('t')",
    "lambda": "text = (lambda: input('t'))()",
    "comprehension": "text = [input('t') for _ in [1]][0]",
}
# Where the statement goes: the module, `outer`'s body, `main`'s body (before or after the read),
# a class body around `main`, or a parameter of `outer` or `main`.
PLACES = ("module", "outer", "main", "main after", "class", "outer parameter", "main parameter")


def program(form: str, place: str, read: str) -> str:
    statement = FORMS[form] if not place.endswith("parameter") else ""
    block = lambda depth: textwrap.indent(statement, "    " * depth)  # noqa: E731
    outer_params = "input" if place == "outer parameter" else ""
    main_params = "input" if place == "main parameter" else ""
    lines = ["import string", block(0) if place == "module" else "", "", ""]
    lines.append(f"def outer({outer_params}):")
    lines.append(block(1) if place == "outer" else "    pass")
    indent = 1
    if place == "class":
        lines += ["    class Box:", block(2)]
        indent = 2
    pad = "    " * indent
    lines.append(f"{pad}def main({main_params}):")
    if place == "main":
        lines.append(block(indent + 1))
    lines.append(textwrap.indent(READS[read], pad + "    "))
    if place == "main after":
        lines.append(block(indent + 1))
    lines += [
        f"{pad}    return text.format(topic='cats')",
        f"{pad}return main" if indent == 1 else "    return Box",
    ]
    return "\n".join(lines) + "\n"


def engine_calls_builtin_input(source: str) -> bool:
    """The oracle: whether the name table resolves a call's callee to `builtins.input` anywhere,
    walking the module as the engine does (a statement's scope is entered before its parts)."""
    module = cst.parse_module(source)
    table = NameTable(module)
    found: list[bool] = []

    def on_visit(node: cst.CSTNode) -> None:
        if type(node) in STATEMENT_TYPES:
            table.enter_statement(node)
        if type(node) is cst.Call:
            found.append(table.qualified(node.func) == "builtins.input")

    def on_leave(node: cst.CSTNode) -> None:
        if type(node) in STATEMENT_TYPES:
            table.leave_statement(node)

    walk(module, on_visit, on_leave, trivia_types())
    return any(found)


def test_the_programs_are_what_they_say() -> None:
    source = program("nothing", "module", "call")
    assert engine_calls_builtin_input(source)
    assert [f.code for f in check_source(AIS203, source, prefilter=False)] == ["AIS203"]
    for form in BINDING:
        assert not engine_calls_builtin_input(program(form, "main", "call")), form


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(FORMS)), st.sampled_from(PLACES), st.sampled_from(sorted(READS)))
def test_a_read_the_engine_resolves_to_the_builtin_counts(form: str, place: str, read: str) -> None:
    source = program(form, place, read)
    tree = ast.parse(source)
    if engine_calls_builtin_input(source):
        assert reads_unbound(tree, "input"), source
    if place in ("main", "main after", "outer", "main parameter", "outer parameter") and form in BINDING:
        # a binding of the read's own function or of one around it: never the builtin
        assert not reads_unbound(tree, "input"), source


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(sorted(FORMS)), st.sampled_from(PLACES), st.sampled_from(sorted(READS)))
def test_the_screen_keeps_every_finding(form: str, place: str, read: str) -> None:
    source = program(form, place, read)
    unscreened = [f.code for f in check_source(AIS203, source, prefilter=False)]
    assert [f.code for f in check_source(AIS203, source, prefilter=True)] == unscreened, source


def test_module_level_bindings_are_what_the_name_table_records() -> None:
    """`binds` against the name table's own pre-pass, for every form at module level, nested in
    each kind of block, and inside a function (where they are not the module's)."""
    wrappers = (
        "{}",
        "if x:\n    {}",
        "for y in z:\n    pass\nelse:\n    {}",
        "while x:\n    {}",
        "with x:\n    {}",
        "try:\n    {}\nexcept E:\n    pass",
        "try:\n    pass\nexcept E:\n    {}",
        "try:\n    pass\nexcept E:\n    pass\nelse:\n    {}\nfinally:\n    pass",
        "match x:\n    case 1:\n        {}",
        "def f():\n    {}",
        "class C:\n    {}",
    )
    for form, statement in FORMS.items():
        for wrapper in wrappers:
            lines = wrapper.split("\n")
            at = next(index for index, line in enumerate(lines) if line.endswith("{}"))
            pad = lines[at][: -len("{}")]
            lines[at] = textwrap.indent(statement, pad)
            source = "\n".join(lines) + "\n"
            table = NameTable(cst.parse_module(source))
            recorded = "input" in table.module_scope.bindings
            assert binds(ast.parse(source).body, "input") == recorded, (form, source)


def test_function_parameters_of_every_kind_bind() -> None:
    for params in ("input", "a, /, input", "*, input", "*input", "**input", "a=1, *args, input=2"):
        source = f"def main({params}):\n    return input('t')\n"
        assert not reads_unbound(ast.parse(source), "input"), source
        assert not engine_calls_builtin_input(source), source
    assert reads_unbound(ast.parse("def main(inputs):\n    return input('t')\n"), "input")


def test_the_scope_around_a_function_reads_its_decorators_and_defaults() -> None:
    # Python evaluates them outside the function: its parameter `input` does not bind them here
    for source in (
        "def main(input=input):\n    return input\n",
        "@input\ndef main(input):\n    return input\n",
        "def main(input: input) -> input:\n    return input\n",
    ):
        assert reads_unbound(ast.parse(source), "input"), source


def test_transformers_shapes_are_dropped() -> None:
    """What made 31 transformers modules pass: `input` as a parameter or a local of the function
    that reads it, next to arithmetic `%` (a possible format string) and no other source. The
    same function reading the builtin is kept."""
    shapes = (
        ("def forward(self, input):\n    return self.lin(input) % self.size\n", "input):", "x):"),
        ("def forward(self, x):\n    input = x\n    return (input + x) % self.size\n", "input = x", "y = x"),
        (
            "def forward(self, x):\n    input, gate = x.chunk(2)\n    return self.act(input) % gate\n",
            "input, gate",
            "y, gate",
        ),
    )
    for body, binding, renamed in shapes:
        source = "import torch\n\n\n" + body
        assert not reads_unbound(ast.parse(source), "input"), source
        assert select(source) == [], source
        unbound = source.replace(binding, renamed)
        assert reads_unbound(ast.parse(unbound), "input"), unbound
        assert select(unbound) == [AIS203], unbound


def select(source: str) -> list[type]:
    return IdentifierScreen([AIS203], EXPANSIONS, CATALOG).select(ast.parse(source), source, [AIS203])
