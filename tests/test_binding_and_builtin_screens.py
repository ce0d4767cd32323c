"""The identifier screen's two narrower checks (issue 14): a binding's own name makes no name the
engine builds, and the last part of a catalog name must be spelled where a name can end: a `Name`
for `builtins.X`, an attribute, import or `getattr` string otherwise (`aisec.tail_gates`).

Each case that keeps a rule also has its finding checked with the screen on (a screen too strong
would lose it); the mutation test compares findings with the screen on and off on rule examples
whose identifiers are renamed to catalog tokens, in binding and in read positions.
"""

from __future__ import annotations

import ast
import random
import textwrap
from typing import Any

from aisec.hooks import (
    INSTRUCTION,
    REMOTE,
    TAINT_SINKS,
    TAINT_SOURCES,
    ParameterSource,
    Sink,
    SinkArgument,
    Source,
    TaintCatalog,
    sinks_marker,
)
from aisec.identifiers import (
    PARAMETERS,
    TAILS,
    IdentifierScreen,
    adopt_catalog_facts,
    catalog_facts,
    identifier_kinds,
    module_identifiers,
)
from aisec.tail_gates import NAME_ONLY, NAME_OR_SPELLED, SPELLED, SYNTHESISED
from aisec.testing import check_source
from hypothesis import given, settings
from hypothesis import strategies as st
from test_identifiers import CATALOG, EVERY_KIND, EXPANSIONS, REGISTRY

FAMILY = [
    REGISTRY.rules[code]
    for code in ("AIS201", "AIS202", "AIS203", "AIS204", "AIS301", "AIS302", "AIS303", "AIS304")
]
AIS301, AIS302, AIS304 = (REGISTRY.rules[code] for code in ("AIS301", "AIS302", "AIS304"))

LLM = """\
from openai import OpenAI

client = OpenAI()


def ask(q):
    return client.responses.create(model="m", input=q).output_text
"""


def select(source: str, rules: list[Any]) -> list[Any]:
    return IdentifierScreen(rules, EXPANSIONS, CATALOG).select(ast.parse(source), source, rules)


def codes(rule: Any, source: str, prefilter: bool = True) -> list[str]:
    return [finding.code for finding in check_source(rule, source, prefilter=prefilter)]


def dropped(rule: Any, source: str, word: str) -> None:
    """`word` is an identifier of `source` (what made `rule` hold before), the screen drops `rule`,
    and with the screen off `rule` finds nothing there either."""
    assert word in module_identifiers(ast.parse(source))[0]
    assert select(source, [rule]) == []
    assert codes(rule, source, prefilter=False) == []


def kept_with_finding(rule: Any, body: str) -> None:
    """The screen keeps `rule` on LLM + `body`, and the finding is there with the screen on."""
    source = LLM + textwrap.dedent(body)
    assert select(source, [rule]) == [rule]
    assert codes(rule, source) == [rule.code] == codes(rule, source, prefilter=False)


# ------------------------------------------------------------------ bindings are no name parts


def test_identifier_kinds_split_bindings_from_reads() -> None:
    tree = ast.parse(EVERY_KIND)
    kinds = identifier_kinds(tree)
    names, attributes, bindings, imports = kinds.by_kind
    assert names == {"Base", "x", "obj", "inner", "E", "P"}
    assert attributes == {"attr", "value", "kwd_attr"}
    assert bindings == {"K", "m", "self", "param", "kw", "rest", "glob", "err", "cap", "rest_map"}
    assert imports == {"a.b", "c", "d.e", "f", "g"}
    assert kinds.read() == names | attributes | imports
    assert module_identifiers(tree) == (kinds.every(), {"keyword"})
    assert identifier_kinds(ast.parse("getattr(y, 'spelled')")).by_kind[3] == {"spelled"}


def test_a_method_named_like_a_sink_is_no_sink() -> None:
    dropped(AIS302, LLM + "\n\nclass Store:\n    def execute(self, sql):\n        return sql\n", "execute")


def test_a_parameter_named_like_a_source_is_no_source() -> None:
    dropped(AIS301, "def handler(input, exec_):\n    return exec(input)\n", "input")  # a parameter only


def test_the_sink_called_as_a_method_is_kept() -> None:
    kept_with_finding(AIS302, "\n\ndef save(cursor, q):\n    cursor.execute(ask(q))\n")


def test_a_sink_reached_through_self_is_kept() -> None:
    body = """

    class Store:
        def __init__(self, cursor):
            self.cursor = cursor

        def save(self, q):
            self.cursor.execute(ask(q))
    """
    kept_with_finding(AIS302, body)


def test_parameter_sources_still_see_function_and_parameter_names() -> None:
    # `forward` is only a method's name, `path` only a parameter's: a parameter source's
    # conditions name them so, and its alternative is checked against every identifier
    source = textwrap.dedent(
        """
        from smolagents import Tool


        class Reader(Tool):
            def forward(self, path: str):
                return open(path).read()
        """
    )
    assert select(source, [AIS304]) == [AIS304]
    assert codes(AIS304, source) == ["AIS304"] == codes(AIS304, source, prefilter=False)


# ------------------------------------------------------------------ builtin gates


def tails(catalog: TaintCatalog, marker: str, alternative: tuple[str, ...]) -> Any:
    return IdentifierScreen([], catalog.trigger_expansions(), catalog).tail_gates().tails(marker, alternative)


def test_tails_are_what_ends_the_names_of_an_alternative() -> None:
    assert tails(CATALOG, sinks_marker("exec"), ("exec",)) == (("exec", NAME_ONLY),)
    assert tails(CATALOG, sinks_marker("path"), ("open",)) == (("open", NAME_ONLY),)
    assert tails(CATALOG, sinks_marker("sql"), ("extra",)) == (("extra", SPELLED),)
    assert tails(CATALOG, "@taint:sources:cli", ("input",)) == (("input", NAME_ONLY),)
    assert tails(CATALOG, "plainword", ("exec",)) is None
    assert tails(CATALOG, sinks_marker("sql"), ("exec",)) is None  # no sql sink gives it


def test_what_is_not_gated() -> None:
    catalog = TaintCatalog(
        sources=(Source("builtins.input"), Source("*.input"), Source("a.exec*"), Source("p.q.__call__")),
        sinks=(
            Sink("builtins.dict", (SinkArgument("exec"),)),
            Sink("builtins.open", (SinkArgument("path"),)),
            Sink("*.open", (SinkArgument("path"),)),
        ),
        parameter_sources=(
            ParameterSource(REMOTE, functions=("eval",)),
            ParameterSource(REMOTE, params=("x",), type="flask.Request"),
        ),
    )
    # two entries give `input`; `*.input` also matches `builtins.input`, which a `Name` ends
    assert tails(catalog, TAINT_SOURCES, ("input",)) == (("input", NAME_ONLY), ("input", NAME_OR_SPELLED))
    assert tails(catalog, TAINT_SOURCES, ("a", "exec")) is None  # a wildcard ends it
    assert tails(catalog, TAINT_SOURCES, ("p", "q")) is None  # `__call__`
    assert tails(catalog, TAINT_SOURCES, ("eval",)) is None  # a parameter source gives it
    assert tails(catalog, TAINT_SINKS, ("dict",)) is None  # a type the engine gives itself
    assert tails(catalog, TAINT_SINKS, ("open",)) == (("open", NAME_ONLY), ("open", NAME_OR_SPELLED))
    typed = TaintCatalog(
        sinks=(Sink("x.Request", (SinkArgument("path"),)),), parameter_sources=catalog.parameter_sources
    )
    assert tails(typed, TAINT_SINKS, ("x", "Request")) is None  # a parameter-source type's part


def test_types_the_engine_gives_itself_end_no_gated_name() -> None:
    from aisec.taint.vocabulary import PATH_TYPES

    assert {path.rsplit(".", 1)[1] for path in PATH_TYPES} | {"dict"} <= SYNTHESISED


def test_the_screen_reads_tails_from_adopted_catalog_facts() -> None:
    # a run the fast path declines adopts the trigger table's facts (`run.adopt_known`)
    catalog = TaintCatalog(
        sources=CATALOG.sources, parameter_sources=CATALOG.parameter_sources, sinks=CATALOG.sinks
    )
    facts = catalog_facts(catalog)
    assert facts[TAILS] and facts[PARAMETERS]
    source = LLM + "\n\ndef tidy(model, q):\n    model.eval()\n    return ask(q)\n"

    def verdict() -> list[Any]:
        return IdentifierScreen([AIS301], EXPANSIONS, catalog).select(ast.parse(source), source, [AIS301])

    adopt_catalog_facts(catalog, facts)
    assert verdict() == []
    adopt_catalog_facts(catalog, {**facts, TAILS: {}})  # positive control: no tails, no gate
    assert verdict() == [AIS301]


def test_builtins_named_only_as_attributes_make_no_sink() -> None:
    source = (
        LLM + "\n\ndef tidy(model, pattern, q):\n    model.eval()\n    return re.compile(pattern), ask(q)\n"
    )
    dropped(AIS301, source, "eval")
    assert "compile" in module_identifiers(ast.parse(source))[0]


def test_a_builtin_sink_through_an_alias_is_kept() -> None:
    kept_with_finding(AIS301, "\n\nrun_code = exec\n\n\ndef go(q):\n    run_code(ask(q))\n")


def test_a_builtin_sink_imported_from_builtins_is_kept() -> None:
    kept_with_finding(AIS301, "\n\nfrom builtins import exec as run_it\n\n\ndef go(q):\n    run_it(ask(q))\n")


def test_a_builtin_sink_read_through_getattr_on_builtins_is_kept() -> None:
    kept_with_finding(AIS301, "\n\nimport builtins\n\n\ndef go(q):\n    getattr(builtins, 'exec')(ask(q))\n")


def test_a_builtin_call_with_constant_arguments_still_counts() -> None:
    # the call's value carries `builtins.X` on: calling it is a call of `X` to the engine, so a
    # screen that let `open("notes.txt")` or `exec("pass")` off for their constants would lose these
    kept_with_finding(AIS304, "\n\ndef go(q):\n    handle = open('notes.txt')\n    handle(ask(q))\n")
    kept_with_finding(AIS301, "\n\ndef go(q):\n    done = exec('pass')\n    done(ask(q))\n")


def test_a_builtin_source_needs_its_name_read() -> None:
    rules = [REGISTRY.rules["AIS201"]]
    route = "from openai import OpenAI\n\nclient = OpenAI()\n\n\ndef go(args):\n    return client.responses.create(model='m', instructions={})\n"
    dropped(rules[0], route.format("args.input"), "input")  # an attribute only: no `builtins.input`
    called = route.format("input()")
    assert select(called, rules) == rules
    assert codes(rules[0], called) == ["AIS201"] == codes(rules[0], called, prefilter=False)


def test_a_variable_named_like_a_method_sink_is_no_sink() -> None:
    # `*.extra` (Django's QuerySet.extra) ends in an attribute; a local `extra` ends no name
    source = LLM + "\n\ndef note(q, **kwargs):\n    extra = kwargs.get('extra')\n    return extra, ask(q)\n"
    dropped(AIS302, source, "extra")


def test_a_sink_in_another_module_is_kept() -> None:
    # the module spells no sink, the helper it imports does (`_through_imports` follows it)
    source = LLM + "\n\nfrom helpers import run_code\n\n\ndef go(q):\n    run_code(ask(q))\n"
    files = {"helpers.py": "def run_code(code):\n    exec(code)\n"}
    found = [f.code for f in check_source(AIS301, source, files=files, prefilter=True)]
    assert found == ["AIS301"] == [f.code for f in check_source(AIS301, source, files=files)]


def test_a_method_sink_bound_to_a_name_is_kept() -> None:
    body = "\n\nimport sqlite3\n\n\ndef save(q):\n    conn = sqlite3.connect('x')\n    run = conn.execute\n    run(ask(q))\n"
    kept_with_finding(AIS302, body)


def test_a_method_sink_read_through_getattr_is_kept() -> None:
    body = "\n\nimport sqlite3\n\nconn = sqlite3.connect('x')\n\n\ndef save(q):\n    getattr(conn, 'execute')(ask(q))\n"
    kept_with_finding(AIS302, body)


def test_a_method_sink_imported_by_name_is_kept() -> None:
    kept_with_finding(AIS302, "\n\nfrom db import execute\n\n\ndef save(q):\n    execute(ask(q))\n")


def test_a_wildcard_pattern_that_matches_a_builtin_is_ended_by_its_name() -> None:
    # `*.input` matches `builtins.input`, which a bare `input()` is
    catalog = TaintCatalog(
        sources=(Source("*.input", REMOTE),),
        sinks=(Sink("llm.ask", (SinkArgument(INSTRUCTION, keyword="instructions"),)),),
    )
    rule = REGISTRY.rules["AIS201"]
    source = "import llm\n\n\ndef go():\n    llm.ask(instructions=input())\n"
    screen = IdentifierScreen([rule], catalog.trigger_expansions(), catalog)
    assert screen.select(ast.parse(source), source, [rule]) == [rule]
    found = [f.code for f in check_source(rule, source, prefilter=True, catalog=catalog)]
    assert found == ["AIS201"] == [f.code for f in check_source(rule, source, catalog=catalog)]


# ------------------------------------------------------------------ mutated examples, on and off

POOL = (
    "exec", "eval", "compile", "open", "getattr", "input", "builtins", "execute", "run", "invoke",
    "forward", "tool", "model", "chain", "create", "messages", "query", "get", "post", "loads",
)  # fmt: skip
EXAMPLES = [
    (rule, example) for rule in FAMILY for kind in ("invalid", "valid") for example in rule.examples(kind)
]


class _Rename(ast.NodeTransformer):
    """Renames identifiers of `mapping`, in the positions `where` allows: "read" (names and
    attributes), "bound" (function, class and parameter names) or "both"."""

    def __init__(self, mapping: dict[str, str], where: str) -> None:
        self.mapping, self.where = mapping, where

    def _new(self, name: str, bound: bool) -> str:
        allowed = self.where == "both" or (self.where == "bound") == bound
        return self.mapping.get(name, name) if allowed else name

    def visit_Name(self, node: ast.Name) -> Any:
        node.id = self._new(node.id, False)
        return node

    def visit_Attribute(self, node: ast.Attribute) -> Any:
        self.generic_visit(node)
        node.attr = self._new(node.attr, False)
        return node

    def visit_FunctionDef(self, node: Any) -> Any:
        self.generic_visit(node)
        node.name = self._new(node.name, True)
        return node

    visit_AsyncFunctionDef = visit_FunctionDef
    visit_ClassDef = visit_FunctionDef

    def visit_arg(self, node: ast.arg) -> Any:
        self.generic_visit(node)
        node.arg = self._new(node.arg, True)
        return node


@settings(max_examples=60, deadline=None)
@given(
    st.integers(0, len(EXAMPLES) - 1),
    st.integers(0, 2**32 - 1),
    st.sampled_from(("read", "bound", "both")),
)
def test_mutated_examples_give_the_same_findings_with_the_screen(index: int, seed: int, where: str) -> None:
    rule, example = EXAMPLES[index]
    tree = ast.parse(example.code)
    rng = random.Random(seed)
    spelled = sorted(module_identifiers(tree)[0] - {"self"})
    chosen = rng.sample(spelled, min(len(spelled), rng.randint(1, 3)))
    mapping = {name: rng.choice(POOL) for name in chosen}
    source = ast.unparse(_Rename(mapping, where).visit(tree)) + "\n"

    def run(prefilter: bool) -> list[tuple[Any, ...]]:
        found = check_source(
            FAMILY,
            source,
            options=example.options,
            files=example.files,
            filename=example.filename,
            prefilter=prefilter,
        )
        return sorted((f.code, f.location.line, f.location.column, f.message) for f in found)

    assert run(True) == run(False), (rule.code, mapping, where, source)
