"""Prefilter gates that keep big rule families from parsing every module of a code base."""

from __future__ import annotations

import ast

from aisec import prefilter
from aisec.identifiers import IdentifierScreen, WordScreen, _whole_components
from aisec.pluginmanager import load_plugins
from aisec.prefilter import MARKER_PREFIX, TextLookup, rules_for_text, searchable
from aisec.testing import check_source, default_catalog
from aisec.tokenindex import TokenIndex
from hypothesis import given, settings
from hypothesis import strategies as st

AIS110 = load_plugins(entry_points=False).rules["AIS110"]


def test_ais110_skips_langchain_modules_without_the_flag_or_a_reviver() -> None:
    plain = "from langchain_core.runnables import Runnable\n\nclass Echo(Runnable):\n    pass\n"
    assert rules_for_text(plain, [AIS110]) == []


def test_ais110_still_sees_aliased_revivers_and_the_flag() -> None:
    aliased = "from langchain_core import load as revive\nobj = revive.loads(payload)\n"
    flagged = "from langchain_community.vectorstores import FAISS as F\nF.load_local(p, e, allow_dangerous_deserialization=True)\n"
    for source in (aliased, flagged):
        assert rules_for_text(source, [AIS110]) == [AIS110]
        assert [f.code for f in check_source(AIS110, source, prefilter=True)] == ["AIS110"]


# `identifier_groups`: the flag or `load` as identifiers, checked on the `ast` tree (aisec.identifiers).

LANGCHAIN_LOOKALIKES = (
    # `load` inside longer names, in a docstring, a comment and a string; the flag in a string
    '"""Use load() to revive; see allow_dangerous_deserialization."""\n'
    "from langchain_community.document_loaders import TextLoader\n"
    "from dotenv import load_dotenv\n"
    "load_dotenv()  # then load the documents\n"
    "docs = TextLoader('a.txt').lazy_load()\n"
    "NOTE = 'FAISS.load_local(p, e, allow_dangerous_deserialization=True)'\n",
    # the flag as a dictionary key, which no keyword argument reads
    "from langchain_community.vectorstores import FAISS\n"
    "options = {'allow_dangerous_deserialization': True}\n"
    "FAISS.from_texts(texts, emb)\n",
)

LANGCHAIN_REAL = (
    # `load` as an attribute, not an import
    "import langchain_core\nobj = langchain_core.load.loads(payload)\n",
    # `load` as an import path component only
    "import langchain_core.load.load as reviver\nobj = reviver.loads(payload)\n",
    "from langchain_core.load import loads as revive\nobj = revive(payload)\n",
    # the flag as a keyword, through an alias of the store
    "from langchain_community import vectorstores\nstore = vectorstores.FAISS\n"
    "db = store.load_local(p, e, allow_dangerous_deserialization=True)\n",
)


def _screened(source: str) -> list[type]:
    screen = IdentifierScreen([AIS110], {}, None)
    return screen.select(ast.parse(source), source, [AIS110])


def test_ais110_identifier_groups_skip_modules_that_only_mention_the_words() -> None:
    for source in LANGCHAIN_LOOKALIKES:
        assert rules_for_text(source, [AIS110]) == [AIS110]  # the token gate lets it through
        assert _screened(source) == []
        assert check_source(AIS110, source, prefilter=True) == []


def test_ais110_identifier_groups_keep_every_spelling_the_rule_reports() -> None:
    for source in LANGCHAIN_REAL:
        assert _screened(source) == [AIS110]
        screened, unscreened = (check_source(AIS110, source, prefilter=on) for on in (True, False))
        assert [f.code for f in screened] == ["AIS110"], source
        assert [(f.location.line, f.message) for f in screened] == [
            (f.location.line, f.message) for f in unscreened
        ]


def test_identifier_groups_must_be_identifiers() -> None:
    broken = type("Broken", (AIS110,), {"identifier_groups": (("not a word",),)})
    assert (
        "identifier_groups must be a tuple of non-empty tuples of identifiers" in broken.metadata_problems()
    )
    empty = type("Empty", (AIS110,), {"identifier_groups": ((),)})
    assert empty.metadata_problems()
    assert AIS110.metadata_problems() == []


# The token gate looks marker tokens up in the text's distinct words: the same answers as
# searching the text itself (a token inside a longer word, at the text's edges, next to
# punctuation or non-ASCII letters, and a non-word token a team's catalog might hold).

_GATE_WORDS = [
    "create",
    "chat",
    "completions",
    "request",
    "form",
    "openai",
    "x",
    "_",
    "é",
    "".join(chr(ord(c) + 0xFEE0) for c in "create"),
]  # fullwidth
_GATE_GLUE = ["", " ", ".", "\n", "(", "_", "1", "é", "'"]


def _substring_gate(text: str, rules: list[type], expansions: dict[str, list[tuple[str, ...]]]) -> list[type]:
    text = searchable(text)

    def any_in(needles: tuple[str, ...]) -> bool:
        return any(
            any(all(t in text for t in alt) for alt in expansions.get(n, ()))
            if n.startswith(MARKER_PREFIX)
            else n in text
            for n in needles
        )

    return [
        r
        for r in rules
        if (not r.triggers or any_in(r.triggers)) and all(any_in(g) for g in r.trigger_groups)
    ]


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.sampled_from(_GATE_WORDS), st.sampled_from(_GATE_GLUE)), max_size=12))
def test_the_gates_word_lookup_answers_as_a_text_search(parts: list[tuple[str, str]]) -> None:
    text = "".join(word + glue for word, glue in parts)
    sinks, sources = f"{MARKER_PREFIX}sinks", f"{MARKER_PREFIX}sources"
    expansions = {
        # alternatives sharing their longest token are looked up as one group (`_grouped`)
        sinks: [
            ("openai", "chat", "completions", "create"),
            ("completions", "form"),
            ("reate",),
            ("a.b",),
            ("x.c",),
        ],
        sources: [("request", "form"), ("request", "x"), ("x_",), ()],
    }
    rules = [
        type("Taint", (), {"triggers": (sinks,), "trigger_groups": ((sources,),)}),
        type("Sinks", (), {"triggers": (sinks,), "trigger_groups": ()}),
        type("Plain", (), {"triggers": ("chat.", "é"), "trigger_groups": ((sinks, "form"),)}),
    ]
    words_from, group_after = prefilter.WORDS_FROM, prefilter.GROUP_AFTER
    prefilter.WORDS_FROM = 0  # every text through the words (long files only, in a scan)
    try:
        # alternatives one by one (a run's first texts) and by key groups (`GROUP_AFTER` = 0)
        for prefilter.GROUP_AFTER in (group_after, 0):
            for narrowed in (
                [],
                [("chat",)],
                [("request", "x")],
                [("request", "form"), ("request", "openai")],
            ):
                table = {**expansions, sources: narrowed} if narrowed else expansions
                expected = _substring_gate(text, rules, table)
                assert rules_for_text(text, rules, table) == expected
                # a run's token index (`aisec.tokenindex`) of every token and plain trigger
                tokens = [t for alts in table.values() for alt in alts for t in alt] + ["chat.", "é", "form"]
                found = TextLookup(searchable(text), table, TokenIndex(tokens))
                assert rules_for_text(text, rules, table, found) == expected
    finally:
        prefilter.WORDS_FROM, prefilter.GROUP_AFTER = words_from, group_after


# The word screen: the ast screens' conditions on the text's words, before `ast.parse`.

AIS102 = load_plugins(entry_points=False).rules["AIS102"]
AIS201 = load_plugins(entry_points=False).rules["AIS201"]


def _word_screened(source: str, rules: list[type], *, code: bool = False) -> list[type]:
    """The word screen's verdict on all the text's words, or (`code`) on the words of its code."""
    catalog = default_catalog()
    expansions = catalog.trigger_expansions()
    screen = WordScreen(IdentifierScreen(rules, expansions, catalog), rules)
    return screen.select(TextLookup(searchable(source), expansions), rules, source if code else None)


def test_word_screen_drops_a_rule_whose_callee_names_are_not_words() -> None:
    # `torch` everywhere, `load` only inside longer words: no call can resolve to torch.load
    lookalike = "import torch\nstate = torch.load_state_dict(x)\nLOADER = 'torch.loader'\n"
    assert rules_for_text(lookalike, [AIS102]) == [AIS102]
    assert _word_screened(lookalike, [AIS102]) == []
    assert check_source(AIS102, lookalike, prefilter=True) == []


def test_word_screen_keeps_every_spelling_the_call_screen_keeps() -> None:
    real = (
        "import torch\nm = torch.load(p)\n",
        "from torch import load as restore\nm = restore(p)\n",
        "import torch.serialization as s\nm = s.load(p)\n",
        "import torch\nloader = torch.load\nm = loader(p)\n",
        "from torch import *\nm = load(p)\n",
    )
    for source in real:
        assert _word_screened(source, [AIS102]) == [AIS102], source
        assert [f.code for f in check_source(AIS102, source, prefilter=True)] == [
            f.code for f in check_source(AIS102, source)
        ], source


def test_word_screen_checks_taint_markers_as_words() -> None:
    route = (
        "from flask import request\nfrom openai import OpenAI\n"
        "def ask():\n    return OpenAI().chat.completions.create(model='m', "
        "messages=[{'role': 'system', 'content': request.form['p']}])\n"
    )
    decoy = (
        "# from flask import request; OpenAI().chat.completions.create(messages=request.form)\ncreated = 1\n"
    )
    assert _word_screened(route, [AIS201]) == [AIS201]
    assert _word_screened(decoy.replace("# ", "'") + "'", [AIS201]) == [AIS201]  # words in a string count
    assert _word_screened("recreate = requested = informed = 1\n", [AIS201]) == []
    assert [f.code for f in check_source(AIS201, route, prefilter=True)] == ["AIS201"]


# A request type's attribute (`headers` of `flask.Request.headers`) stands for a source only where
# a handler could be typed with it: the word screen asks the words which parameter-source types
# they can attach, as the identifier screen asks the identifiers (transformers: 395 files reached
# `ast.parse` only on an attribute such as `.headers`, `.json` or `.text` of some other object).

ASK = "OpenAI().chat.completions.create(model='m', messages=[{{'role': 'system', 'content': {x}}}])"


def test_word_screen_drops_request_attributes_no_handler_can_type() -> None:
    decoys = (
        f"from openai import OpenAI\n\ndef ask(page):\n    return {ASK.format(x='page.headers[0]')}\n",
        # the framework spelled only where it is no code: a comment, a docstring, a message
        "from openai import OpenAI\n# import functions_framework; @functions_framework.http\n"
        'def ask(request):\n    """functions_framework.http"""\n'
        f"    print('functions_framework.http')\n    return {ASK.format(x='request.json')}\n",
        f"from openai import OpenAI\nimport aiohttp\n\nasync def ask(r):\n    return {ASK.format(x='await r.text()')}\n",
    )
    for source in decoys:
        assert rules_for_text(source, [AIS201], default_catalog().trigger_expansions()) == [AIS201], source
        assert _word_screened(source, [AIS201], code=True) == [], source
        assert check_source(AIS201, source, prefilter=True) == check_source(AIS201, source) == [], source


def test_word_screen_keeps_request_attributes_of_every_spelling_of_a_handler() -> None:
    body = f"def ask(request):\n    return {ASK.format(x='request.headers[0]')}\n"
    handlers = (
        f"import functions_framework\nfrom openai import OpenAI\n\n@functions_framework.http\n{body}",
        f"from functions_framework import http as h\nfrom openai import OpenAI\n\n@h\n{body}",
        f"from functions_framework import *\nfrom openai import OpenAI\n\n@http\n{body}",
        f"import functions_framework as ff\nfrom openai import OpenAI\n\n@getattr(ff, 'http')\n{body}",
        # the decorator split by a line continuation, in fullwidth letters (NFKC: `http`)
        f"import functions_framework\nfrom openai import OpenAI\n\n@functions_framework.\\\n\uff48ttp\n{body}",
        "from aiohttp import web\nfrom openai import OpenAI\n\nroutes = web.RouteTableDef()\n\n"
        f"@routes.post('/ask')\nasync def ask(request):\n    return {ASK.format(x='await request.text()')}\n",
        "from aiohttp import web\nfrom openai import OpenAI\n\n"
        f"async def ask(request):\n    return {ASK.format(x='await request.text()')}\n\n"
        "app = web.Application()\napp.router.add_post('/ask', ask)\n",
    )
    for source in handlers:
        ast.parse(source)
        assert _word_screened(source, [AIS201], code=True) == [AIS201], source
        on = [f.code for f in check_source(AIS201, source, prefilter=True)]
        assert on == [f.code for f in check_source(AIS201, source)], source
    assert [f.code for f in check_source(AIS201, handlers[0], prefilter=True)] == ["AIS201"]


def test_word_screen_components_of_patterns() -> None:
    assert _whole_components("torch.load") == {"torch", "load"}
    assert _whole_components("*.from_pretrained") == {"from_pretrained"}
    assert _whole_components("langchain*") == frozenset()  # `*` matches dots: not a component
    assert _whole_components("builtins.eval") == {"eval"}  # the name table adds `builtins`
    assert _whole_components("a.[bc].d") == {"a", "d"}


def test_every_builtin_source_needs_a_word_in_the_module() -> None:
    """A source whose prefilter tokens cannot tell (an empty alternative) would make every
    module a taint candidate and keep the pre-commit fast path from ever answering."""
    catalog = default_catalog()
    assert () not in catalog.source_tokens()
    assert () not in catalog.sink_tokens()


def test_a_module_of_plain_classes_spells_no_taint_source() -> None:
    """Every module that defines a class spells `__init__`: a source conditioned on it (Pyramid
    class views) must also need the words of its other conditions (`pyramid`, `request`), or
    every such module becomes a taint candidate and the pre-commit fast path never answers."""
    catalog = default_catalog()
    plain = "import math\n\nclass Stats:\n    def __init__(self, values):\n        self.mean = math.fsum(values)\n"
    pyramid = "from pyramid.view import view_defaults\n\nclass Views:\n    def __init__(self, request):\n        self.request = request\n"
    lookup = TextLookup(searchable(plain), catalog.trigger_expansions())
    assert not any(
        all(lookup.any_in((token,)) for token in alternative) for alternative in catalog.source_tokens()
    )
    lookup = TextLookup(searchable(pyramid), catalog.trigger_expansions())
    assert any(
        all(lookup.any_in((token,)) for token in alternative) for alternative in catalog.source_tokens()
    )


def test_marker_expansions_are_the_tokens_of_each_role_and_tier() -> None:
    # What each marker stands for, computed the long way: a catalog of just those entries.
    # The engine's own format-string sinks count as sinks with a TEMPLATE argument.
    from aisec.hooks import TAINT_SINKS, TAINT_SOURCES, TEMPLATE, TaintCatalog, sinks_marker, sources_marker
    from aisec.hooks.taint import INTRINSIC_TEMPLATE_TOKENS

    def with_format_strings(tokens: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], ...]:
        return tuple(dict.fromkeys([*tokens, *INTRINSIC_TEMPLATE_TOKENS]))

    catalog = default_catalog()
    expected = {
        TAINT_SOURCES: catalog.source_tokens(),
        TAINT_SINKS: with_format_strings(catalog.sink_tokens()),
    }
    for role in dict.fromkeys(arg.role for sink in catalog.sinks for arg in sink.arguments):
        sinks = tuple(s for s in catalog.sinks if any(a.role == role for a in s.arguments))
        tokens = TaintCatalog(sinks=sinks).sink_tokens()
        expected[sinks_marker(role)] = with_format_strings(tokens) if role == TEMPLATE else tokens
    for tier in dict.fromkeys(
        [*(s.tier for s in catalog.sources), *(p.tier for p in catalog.parameter_sources)]
    ):
        scoped = TaintCatalog(
            sources=tuple(s for s in catalog.sources if s.tier == tier),
            parameter_sources=tuple(p for p in catalog.parameter_sources if p.tier == tier),
        )
        expected[sources_marker(tier)] = scoped.source_tokens()
    assert catalog.trigger_expansions() == expected
    assert len(expected) > 10 and all(expected.values())


# Format strings are TEMPLATE sinks of the engine itself, in no catalog: the prefilter and the
# screens must let AIS203/AIS204 through wherever one can be (found by a hypothesis-mutated rule
# example: `llm.invoke` renamed away, the route's `template.format(...)` went unreported).

FORMAT_STRING_SINKS = (
    "{x}.format(topic='cats')",
    "{x}.format_map({{'topic': 'cats'}})",
    "{x} % ('cats',)",
    "{x} % {{'topic': 'cats'}}",
    "string.Template({x}).substitute(topic='cats')",
    "string.Template({x}).safe_substitute(topic='cats')",
)
UNTRUSTED_TEMPLATES = (
    ("AIS203", "import string, sys\n\n\ndef main():\n    text = sys.argv[1]\n    return {sink}\n"),
    ("AIS203", "import string\n\n\ndef main():\n    text = input('template: ')\n    return {sink}\n"),
    (
        "AIS203",
        "import string\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.post('/run')\n"
        "def run(text: str):\n    return {sink}\n",
    ),
    (
        "AIS204",
        "import string\nimport requests\n\n\ndef main(url):\n    text = requests.get(url).text\n    return {sink}\n",
    ),
)


def test_untrusted_format_strings_pass_every_screen() -> None:
    rules = load_plugins(entry_points=False).rules
    for code, module in UNTRUSTED_TEMPLATES:
        for sink in FORMAT_STRING_SINKS:
            source = module.format(sink=sink.format(x="text"))
            screened = [f.code for f in check_source(rules[code], source, prefilter=True)]
            assert screened == [f.code for f in check_source(rules[code], source, prefilter=False)], source
            assert screened == [code], source


def test_constant_format_strings_filled_with_untrusted_data_stay_quiet() -> None:
    """The look-alikes: the data fills a constant template (AIS202's business when spliced into a
    prompt), never writes it."""
    ais203 = load_plugins(entry_points=False).rules["AIS203"]
    fills = (
        "'Write about {topic}.'.format(topic=text)",
        "'Write about {topic}.'.format_map({'topic': text})",
        "'Write about %s.' % (text,)",
        "string.Template('Write about $topic.').substitute(topic=text)",
    )
    for fill in fills:
        source = UNTRUSTED_TEMPLATES[0][1].format(sink=fill)
        assert check_source(ais203, source, prefilter=True) == [], source
        assert check_source(ais203, source, prefilter=False) == [], source


def test_a_format_method_read_or_called_with_nothing_is_no_format_string() -> None:
    """The engine judges a `format` call's receiver only when the call fills something in
    (`taint.library`): a method read without a call (`self.format`, an image processor's
    annotation format on transformers) or called empty keeps no rule; `*args` or `**kwargs`
    fill it."""
    ais203 = load_plugins(entry_points=False).rules["AIS203"]
    catalog = default_catalog()
    screen = IdentifierScreen([ais203], catalog.trigger_expansions(), catalog)
    for sink in (
        "text.format",
        "text.format()",
        "text.format_map",
        "string.Template(text).substitute()",
        "getattr(text, 'format')",
    ):
        source = UNTRUSTED_TEMPLATES[0][1].format(sink=sink)
        assert check_source(ais203, source, prefilter=False) == [], source
        assert screen.select(ast.parse(source), source, [ais203]) == [], source
    for sink in ("text.format(*sys.argv)", "text.format(**{'topic': 'cats'})"):
        source = UNTRUSTED_TEMPLATES[0][1].format(sink=sink)
        assert screen.select(ast.parse(source), source, [ais203]) == [ais203], source
        found = [f.code for f in check_source(ais203, source, prefilter=True)]
        assert found == ["AIS203"] == [f.code for f in check_source(ais203, source, prefilter=False)], source
