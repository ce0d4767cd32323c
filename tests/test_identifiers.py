"""The identifier screen: taint markers checked against a module's identifiers, not its text.

Same findings with the screen on and off: `test_screen.py` (every rule example, the fixture
suites) and `test_findings_identity.py`; real corpora: `bench/run.py --check-prefilter`.
"""

from __future__ import annotations

import ast
import re
import textwrap
from typing import Any

from aisec import identifiers as screen_module
from aisec.hooks import (
    INSTRUCTION,
    REMOTE,
    TAINT_SOURCES,
    ParameterSource,
    Sink,
    SinkArgument,
    Source,
    TaintCatalog,
)
from aisec.identifiers import (
    LOOSE,
    SPELLED,
    IdentifierScreen,
    adopt_catalog_facts,
    catalog_facts,
    module_identifiers,
)
from aisec.pluginmanager import load_plugins
from aisec.prefilter import GROUP_AFTER
from aisec.testing import check_source, default_catalog
from hypothesis import given, settings
from hypothesis import strategies as st

REGISTRY = load_plugins(entry_points=False)
CATALOG = default_catalog()
EXPANSIONS = CATALOG.trigger_expansions()
AIS201 = REGISTRY.rules["AIS201"]
AIS101 = REGISTRY.rules["AIS101"]

ROUTE = """\
from flask import Flask, request
from openai import OpenAI

app = Flask(__name__)
client = OpenAI()

@app.post("/ask")
def ask():
    persona = request.form["persona"]
    return client.chat.completions.create(
        model="m", messages=[{"role": "system", "content": persona}]
    )
"""


EVERY_KIND = """
import a.b as c
from d.e import f as g
'''docstring_word'''
class K(Base):
    def m(self, param, *, kw=1, **rest):
        global glob
        x = obj.attr(keyword=f"{inner.value} literal_word")  # comment_word
        try:
            pass
        except E as err:
            pass
        match x:
            case P(kwd_attr=1) as cap:
                pass
            case {**rest_map}:
                pass
"""  # every kind of identifier (`module_identifiers`, `identifier_kinds`)


def select(source: str, rules: list[Any]) -> list[Any]:
    source = textwrap.dedent(source)
    return IdentifierScreen(rules, EXPANSIONS, CATALOG).select(ast.parse(source), source, rules)


def test_identifiers_cover_every_kind_of_name_and_no_string() -> None:
    names, keywords = module_identifiers(ast.parse(EVERY_KIND))
    found = names | keywords
    expected = {"a.b", "c", "d.e", "f", "g", "K", "Base", "m", "self", "param", "kw", "rest", "glob"}
    expected.update(("x", "obj", "attr", "inner", "value", "E", "err", "P", "kwd_attr"))
    expected.update(("cap", "rest_map"))
    assert expected <= names
    assert keywords == {"keyword"}  # a keyword argument's name, spelled nowhere else
    assert not {"docstring_word", "literal_word", "comment_word"} & found


def test_a_taint_rule_passes_on_real_names() -> None:
    assert select(ROUTE, [AIS201]) == [AIS201]
    assert [f.code for f in check_source(AIS201, ROUTE, prefilter=True)] == ["AIS201"]


def test_words_in_strings_comments_and_docstrings_do_not_count() -> None:
    # The token gate passes (every source and sink token is in the text); no name is real.
    decoy = '''\
        """Send the request to the chat completions API: client.chat.completions.create(...)."""
        # from flask import request; from openai import OpenAI
        HELP = "call openai.OpenAI().chat.completions.create(messages=request.form)"
        def total(values):
            return sum(values)
        '''
    assert select(decoy, [AIS201]) == []
    assert check_source(AIS201, textwrap.dedent(decoy), prefilter=True) == []


def test_plain_triggers_and_unmarked_rules_are_left_to_the_other_gates() -> None:
    source = "x = 'pickle'\n"
    assert select(source, [AIS101]) == [AIS101]  # no marker: not this screen's business
    mixed = type(
        "Mixed",
        (AIS201,),
        {"code": "TST301", "triggers": ("plainword", *AIS201.triggers), "trigger_groups": ()},
    )
    assert select("s = 'plainword'\n", [mixed]) == [mixed]  # plain strings keep the text check
    assert select("s = 'other'\n", [mixed]) == []
    fullwidth = "".join(chr(ord(c) + 0xFEE0) for c in "plainword")
    assert select(f"s = '{fullwidth}'\n", [mixed]) == [mixed]  # NFKC, as the token gate reads it


def test_an_empty_catalog_screens_marker_rules_out_as_the_token_gate_does() -> None:
    screen = IdentifierScreen([AIS201], TaintCatalog().trigger_expansions())
    assert screen.select(ast.parse(ROUTE), ROUTE, [AIS201]) == []


def small_catalog(source: str, sink: str, **parameter: Any) -> TaintCatalog:
    sources = (Source(source),)
    sinks = (Sink(sink, (SinkArgument(INSTRUCTION, keyword="instructions"),)),)
    params = (ParameterSource(REMOTE, **parameter),) if parameter else ()
    return TaintCatalog(sources=sources, sinks=sinks, parameter_sources=params)


def screened(catalog: TaintCatalog | None, source: str, exact: bool = True) -> bool:
    expansions = (catalog or TaintCatalog()).trigger_expansions()
    screen = IdentifierScreen([AIS201], expansions, catalog if exact else None)
    return screen.select(ast.parse(source), source, [AIS201]) == [AIS201]


def test_a_literal_part_must_be_a_whole_identifier_component() -> None:
    catalog = small_catalog("flask.request.form", "openai.OpenAI.responses.create")
    real = "import flask\nimport openai\nopenai.OpenAI().responses.create(instructions=flask.request.form)\n"
    lookalike = (
        "import flasker\nimport openai\nopenai.OpenAI().responses.create(instructions=flasker.request.form)\n"
    )
    assert screened(catalog, real)
    assert not screened(catalog, lookalike)  # `flask` only inside `flasker`
    assert screened(catalog, lookalike, exact=False)  # without the catalog: substrings


def test_a_token_of_a_wildcard_part_may_be_inside_a_component() -> None:
    catalog = small_catalog("flask.req*.form", "openai.OpenAI.responses.create")
    source = (
        "import flask\nimport openai\nopenai.OpenAI().responses.create(instructions=flask.requested.form)\n"
    )
    assert screened(catalog, source)


def test_parameter_source_types_count_as_spelled() -> None:
    # a Django view's `request` is typed by the catalog: `HttpRequest` need not be in the module
    catalog = small_catalog(
        "django.http.HttpRequest.POST",
        "django.http.HttpRequest.answer",
        params=("request",),
        type="django.http.HttpRequest",
    )
    source = "def view(request):\n    return request.answer(instructions=request.POST)\n"
    assert screened(catalog, source)


def test_parts_of_two_parameter_source_types_do_not_make_one_name() -> None:
    """One name carries at most one type's components: `requests` (of `starlette.requests.Request`)
    and `request` (of `sanic.request.Request`) do not spell the source `requests.request`, which
    once made nearly every transformers module a candidate."""
    catalog = TaintCatalog(
        sources=(Source("requests.request"),),
        sinks=(Sink("openai.OpenAI.responses.create", (SinkArgument(INSTRUCTION, keyword="instructions"),)),),
        parameter_sources=(
            ParameterSource(REMOTE, params=("req",), type="starlette.requests.Request"),
            ParameterSource(REMOTE, params=("req",), type="sanic.request.Request"),
        ),
    )
    call = "import openai\nopenai.OpenAI().responses.create(instructions=x)\n"
    assert not screened(catalog, call)
    # `requests` may still come from one type, where a function has the parameter that gets it
    assert screened(catalog, call + "def view(req):\n    request = 1\n")
    assert not screened(catalog, call + "request = 1\n")  # no `req`: no parameter is typed
    assert screened(catalog, "import requests\n" + call + "requests.request('POST', u)\n")


GETATTR_SINK = """\
import os
from openai import OpenAI

client = OpenAI()
out = client.chat.completions.create(model="m", messages=[]).choices[0].message.content
getattr(os, "system")(out)
"""


def test_a_getattr_name_is_an_identifier() -> None:
    # `getattr(os, "system")` is `os.system` to the name table: the string names the sink.
    ais301 = REGISTRY.rules["AIS301"]
    assert "system" in module_identifiers(ast.parse(GETATTR_SINK))[0]
    assert select(GETATTR_SINK, [ais301]) == [ais301]
    found = [(f.code, f.location.line) for f in check_source(ais301, GETATTR_SINK, prefilter=True)]
    assert found == [(f.code, f.location.line) for f in check_source(ais301, GETATTR_SINK, prefilter=False)]
    assert found == [("AIS301", 6)]
    # any other string stays out, and so does a getattr whose name is not a constant string
    assert (
        select(GETATTR_SINK.replace('getattr(os, "system")', 'getattr(os, name, "system")'), [ais301]) == []
    )


KEYWORD_ONLY = """\
from openai import OpenAI
from pydantic import BaseModel, ConfigDict

client = OpenAI()


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")


def ask(question):
    return client.chat.completions.create(model="m", messages=[question]).choices[0].message.content
"""


def test_a_keyword_argument_name_is_not_a_name_part() -> None:
    # `extra=` is an argument name, not the `*.extra` SQL sink; the same word called is one.
    ais302 = REGISTRY.rules["AIS302"]
    names, keywords = module_identifiers(ast.parse(KEYWORD_ONLY))
    assert "extra" in keywords and "extra" not in names
    assert select(KEYWORD_ONLY, [ais302]) == []
    called = KEYWORD_ONLY + "\n\ndef rows(qs):\n    return qs.extra(where=[ask('q')])\n"
    assert select(called, [ais302]) == [ais302]
    assert [f.code for f in check_source(ais302, called, prefilter=True)] == ["AIS302"]
    # a keyword spelled elsewhere as a name still counts
    assert "messages" in module_identifiers(ast.parse(KEYWORD_ONLY + "messages = []\n"))[0]


def test_a_parameter_source_type_counts_only_where_one_of_its_sources_can_apply() -> None:
    # `request.text` of an aiohttp view is `aiohttp.web.Request.text`, a source: that type's
    # components count where a source typing a parameter `aiohttp.web.Request` can match (a
    # parameter named `request` of a route the module registers), not in every module
    catalog = small_catalog(
        "aiohttp.web.Request.text",
        "openai.OpenAI.responses.create",
        decorators=("aiohttp.web.RouteTableDef.*",),
        params=("request",),
        type="aiohttp.web.Request",
    )
    call = "import openai\nopenai.OpenAI().responses.create(instructions=page.text)\n"
    assert not screened(catalog, "import requests\npage = requests.get(u)\n" + call)
    view = "from aiohttp import web\nroutes = web.RouteTableDef()\n@routes.post('/')\nasync def ask(request):\n    page = request\n"
    assert screened(catalog, view + call)
    assert not screened(catalog, view.replace("request", "req") + call)  # no `request` parameter


def test_type_availability_is_kept_per_set_of_its_sources_tokens() -> None:
    # asked for every module the word screen reads: answered once per set of the typed sources'
    # tokens present, as the fixpoint answers, never with an answer made for another set
    view = set(
        re.findall(
            r"\w+",
            "from aiohttp import web\nroutes = web.RouteTableDef()\n@routes.post('/')\nasync def ask(request): pass\n",
        )
    )
    asked = (view, view - {"request"}, view | {"unrelated", "headers"}, {"request", "get"}, view)
    screen = IdentifierScreen([AIS201], EXPANSIONS, CATALOG)
    answers = [screen.available_types(words.__contains__) for words in asked]
    assert answers == [
        IdentifierScreen([AIS201], EXPANSIONS, CATALOG).available_types(w.__contains__) for w in asked
    ]
    aiohttp = ("aiohttp", "web", "Request")
    typed = [any(t[1].split("\n") == list(aiohttp) for t in answer) for answer in answers]
    assert typed == [True, False, True, False, True]
    assert len(screen._available) == 3  # the third and fifth sets hold the same typed tokens as the first


def spelled_catalog() -> TaintCatalog:
    """A catalog where a parameter source's condition on the code (`requires_import`) spells a
    component of another source's type (`flask` of `flask.Request`); a new object per call."""
    return TaintCatalog(
        sinks=(Sink("openai.OpenAI.responses.create", (SinkArgument(INSTRUCTION, keyword="instructions"),)),),
        parameter_sources=(
            ParameterSource(REMOTE, decorators=("*.route",), requires_import=("flask",)),
            ParameterSource(
                REMOTE, decorators=("functions_framework.http",), params=("request",), type="flask.Request"
            ),
        ),
    )


SPELLED_CALL = (
    "import openai\n@app.route('/')\ndef ask(q):\n    openai.OpenAI().responses.create(instructions=q)\n"
)


def test_a_parameter_source_condition_on_the_code_itself_is_never_a_type_part() -> None:
    # "the module imports flask" and "a parameter named request" are checked on the code: `flask`
    # of `flask.Request` (a type the catalog gives another source) does not satisfy them
    catalog = spelled_catalog()
    assert not screened(catalog, SPELLED_CALL)
    assert screened(catalog, "import flask\n" + SPELLED_CALL)


def test_adopted_catalog_facts_are_the_computed_ones_and_the_screen_reads_them() -> None:
    """The facts the trigger table carries (`catalog_facts`) are those a screen computes; a
    catalog that adopted them screens as one that computed them, and what it adopted is what it
    reads: without the loose tokens (a positive control), `req` of `flask.req*.form` must be a
    whole component again."""
    facts = catalog_facts(spelled_catalog())
    assert facts == catalog_facts(spelled_catalog()) and facts[SPELLED] and LOOSE in facts
    assert catalog_facts(CATALOG) == catalog_facts(default_catalog())
    adopted = spelled_catalog()
    adopt_catalog_facts(adopted, facts)
    assert not screened(adopted, SPELLED_CALL)
    assert screened(adopted, "import flask\n" + SPELLED_CALL)
    screen = IdentifierScreen([AIS201], adopted.trigger_expansions(), adopted)
    screen.select(ast.parse(SPELLED_CALL), SPELLED_CALL, [AIS201])
    assert screen._loose is facts[LOOSE] and screen._spelled is facts[SPELLED]
    wildcard = small_catalog("flask.req*.form", "openai.OpenAI.responses.create")
    source = (
        "import flask\nimport openai\nopenai.OpenAI().responses.create(instructions=flask.requested.form)\n"
    )
    adopt_catalog_facts(
        wildcard, catalog_facts(small_catalog("flask.req*.form", "openai.OpenAI.responses.create"))
    )
    assert screened(wildcard, source)
    adopt_catalog_facts(wildcard, {**catalog_facts(wildcard), LOOSE: frozenset()})
    assert not screened(wildcard, source)


ROUTE_LIKE_SHAPES = """\
from aiohttp import web
from openai import OpenAI

client = OpenAI()
routes = web.RouteTableDef()


@routes.post("/ask")
async def ask(request):
    persona = await request.text()
    return client.responses.create(model="m", instructions=persona, input="hi")
"""


def test_type_availability_keeps_every_finding() -> None:
    # a typed request parameter's attribute source, found with the screens on as with them off
    found = [(f.code, f.location.line) for f in check_source(AIS201, ROUTE_LIKE_SHAPES, prefilter=True)]
    assert found == [
        (f.code, f.location.line) for f in check_source(AIS201, ROUTE_LIKE_SHAPES, prefilter=False)
    ]
    assert found == [("AIS201", 11)]
    # the same module reading a store's entry instead is not parsed for AIS201: `get` and `text`
    # are spelled, but no parameter can be typed `aiohttp.web.Request`
    stored = ROUTE_LIKE_SHAPES.replace("from aiohttp import web", "import json").replace(
        'routes = web.RouteTableDef()\n\n\n@routes.post("/ask")\nasync def ask(request):\n    persona = await request.text()',
        'def ask(store):\n    persona = store.get("persona").text',
    )
    assert "request" not in stored
    assert select(stored, [AIS201]) == []


def test_a_parameter_source_needs_one_alternative_of_every_condition() -> None:
    # "imports django or rest_framework" and "a parameter named request": `request` alone (a
    # parameter of any helper) is not enough, as the engine would not match the function
    catalog = small_catalog(
        "django.http.HttpRequest.POST",
        "openai.OpenAI.responses.create",
        requires_import=("django", "rest_framework"),
        params=("request",),
    )
    helper = "import openai\ndef ask(request):\n    openai.OpenAI().responses.create(instructions=request)\n"
    assert not screened(catalog, helper)
    assert screened(catalog, "import django\n" + helper)
    assert screened(catalog, "from rest_framework.decorators import api_view\n" + helper)
    found = [
        (f.code, f.location.line) for f in check_source(AIS201, "import django\n" + helper, prefilter=True)
    ]
    assert found == [
        (f.code, f.location.line) for f in check_source(AIS201, "import django\n" + helper, prefilter=False)
    ]


LAMBDA_HANDLER = """\
from openai import OpenAI

client = OpenAI()


def handle(event, context):
    return client.responses.create(model="m", instructions=event["body"], input="hi")
"""


def test_a_signature_source_needs_a_function_of_that_shape() -> None:
    # an AWS Lambda handler is any function whose parameters are (event, context): a module that
    # spells both words elsewhere, but has no such function, gets no fact from that source
    found = [(f.code, f.location.line) for f in check_source(AIS201, LAMBDA_HANDLER, prefilter=True)]
    assert found == [(f.code, f.location.line) for f in check_source(AIS201, LAMBDA_HANDLER, prefilter=False)]
    assert found == [("AIS201", 7)]
    assert select(LAMBDA_HANDLER, [AIS201]) == [AIS201]
    spelled = LAMBDA_HANDLER.replace(
        "def handle(event, context):", "def handle(event, *, context=None, extra=0):"
    )
    assert select(spelled, [AIS201]) == [AIS201]  # a superset: both names among the parameters
    elsewhere = LAMBDA_HANDLER.replace("def handle(event, context):", "def handle(event):\n    context = {}")
    assert "context" in module_identifiers(ast.parse(elsewhere))[0]
    assert select(elsewhere, [AIS201]) == []
    assert check_source(AIS201, elsewhere, prefilter=False) == []


def test_function_shapes_fit_by_name_parameters_and_signature() -> None:
    from aisec.function_shapes import Shape, module_functions

    functions = module_functions(
        ast.parse("def lambda_handler(event, ctx): pass\nf = lambda event, context: 0\n")
    )
    assert ("<lambda>", frozenset({"event", "context"})) in functions
    assert Shape(("*_handler",), (), ("event",)).fits(*functions[0])
    assert not Shape(("handler",), (), ("event",)).fits(*functions[0])  # the whole name
    assert not Shape((), ("event", "context"), ()).fits(*functions[0])
    assert Shape((), ("event", "context"), ()).fits(*functions[1])


def test_markers_walked_by_key_token_hold_as_every_alternative_in_turn() -> None:
    """`marker_holds` skips a group whose key is missing: the same verdict as `holds` on each
    alternative, typed tokens (a parameter-source type's components, which may be missing) included."""
    import random

    expansions = CATALOG.trigger_expansions()
    screen = IdentifierScreen([], expansions, CATALOG)
    typed = {
        t for alts in expansions.values() for alt in alts for t in alt if screen.holds((t,), lambda _: False)
    }
    assert typed  # the catalog has parameter-source types: the case the skip must respect
    shuffled = random.Random(14)
    for marker, alternatives in sorted(expansions.items()):
        tokens = sorted({token for alternative in alternatives for token in alternative})
        for share in (0.05, 0.3, 0.7):
            for _ in range(8):
                present = {token for token in tokens if shuffled.random() < share} - (
                    typed if shuffled.random() < 0.5 else set()
                )
                expected = any(
                    screen.holds(alternative, present.__contains__) for alternative in alternatives
                )
                assert screen.marker_holds(marker, present.__contains__) == expected, (
                    marker,
                    sorted(present),
                )


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    st.text(st.sampled_from("aZ_09-.*?[]\u00e9\u0130\u212a \t"), max_size=6)
    | st.from_regex(r"[A-Za-z_]\w*", fullmatch=True)
)
def test_is_identifier_is_the_identifier_regex(part: str) -> None:
    from aisec.identifiers import is_identifier

    assert is_identifier(part) == bool(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", part))


_SOURCE_MARKERS = sorted(m for m in EXPANSIONS if m.startswith(TAINT_SOURCES))
_SOURCE_ALTERNATIVES = sorted({alt for m in _SOURCE_MARKERS for alt in EXPANSIONS[m] if alt})
_SCREEN = IdentifierScreen([], EXPANSIONS, CATALOG)
_HANDLERS = sorted({alt for _, alternatives in _SCREEN._typed_sources for alt in alternatives})
_TYPE_PARTS = sorted({part for given, _ in _SCREEN._given for part in given})


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    st.lists(st.sampled_from(_SOURCE_ALTERNATIVES), max_size=3),
    st.lists(st.sampled_from(_HANDLERS), max_size=2),
    st.sets(st.sampled_from(_TYPE_PARTS), max_size=4),
)
def test_marker_holds_answers_as_every_alternative_walked(
    alternatives: list[tuple[str, ...]], handlers: list[tuple[str, ...]], dropped: set[str]
) -> None:
    # the key groups skip a missing typed key no available type has: the verdict of walking
    # every alternative, one by one and grouped (`GROUP_AFTER` exceeded)
    words = set().union(*alternatives, *handlers) - dropped
    present = words.__contains__
    for group_after in (10**9, 0):
        screen = IdentifierScreen([AIS201], EXPANSIONS, CATALOG)
        screen_module.GROUP_AFTER = group_after
        try:
            for marker in _SOURCE_MARKERS:
                available = screen.available_types(present)
                expected = any(screen.holds(alt, present, available) for alt in EXPANSIONS[marker])
                assert screen.marker_holds(marker, present, types=available) == expected, marker
        finally:
            screen_module.GROUP_AFTER = GROUP_AFTER


def test_the_empty_alternative_holds_with_every_key_missing() -> None:
    expansions = {"@taint:sources": [(), ("request", "json")]}
    screen = IdentifierScreen([], expansions, CATALOG)
    for _ in range(GROUP_AFTER + 2):  # one by one, then grouped
        assert screen.marker_holds("@taint:sources", lambda token: False, types=())
