"""The taint engine (`aisec.taint`): propagation, summaries, `self` attributes, sanitizers and guards,
catalog extension through config and plugins, the prefilter markers, laziness and source lines.

Most tests use a small catalog of names that resolve to nothing, so they match as written:
`src()` is a remote source, `cli_src()` a command-line one, `doc_src()` indirect content,
`sink(x)` takes instruction text, `ask(x)` a user prompt, `chat(messages=...)` chat messages,
`tpl(x)` a prompt template, `enc(x)` an encoder, `clean(x)` a cast, `ok(x)` a guard.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
from aisec.config import ConfigError
from aisec.hooks import (
    CAST,
    CLI,
    ENCODER,
    GUARD,
    INDIRECT,
    INSTRUCTION,
    LLM_OUTPUT,
    MESSAGES,
    REMOTE,
    TAINT_SINKS,
    TAINT_SOURCES,
    TEMPLATE,
    USER,
    ParameterSource,
    Rule,
    Sanitizer,
    Sink,
    SinkArgument,
    Source,
    TaintCatalog,
)
from aisec.prefilter import rules_for_text
from aisec.taintconfig import build_catalog, catalog_from_config
from aisec.testing import check_source

CATALOG = build_catalog(
    [
        TaintCatalog(
            sources=(
                Source("src", REMOTE, "call", "test source"),
                Source("cli_src", CLI, "call", "cli"),
                Source("doc_src", INDIRECT, "call", "document"),
                Source("payload", REMOTE, "attribute", "payload"),
                Source("read_file", INDIRECT, "call", "file", static_argument=0),
            ),
            parameter_sources=(
                ParameterSource(
                    decorators=("route",), exclude=("Depends", "Session"), label="route parameter"
                ),
                ParameterSource(registrars=("register",), params=("text",), label="callback"),
                ParameterSource(decorators=("view",), params=("req",), type="web.Request", label="request"),
            ),
            sinks=(
                Sink("sink", (SinkArgument(INSTRUCTION),)),
                Sink("ask", (SinkArgument(USER, position=0),)),
                Sink("chat", (SinkArgument(MESSAGES, keyword="messages"),)),
                Sink("tpl", (SinkArgument(TEMPLATE, position=0),)),
                Sink("chat_template", (SinkArgument(MESSAGES, position=0, template=True),)),
                Sink("body_sink", (SinkArgument(INSTRUCTION, keyword="body", path=("system",)),)),
            ),
            sanitizers=(
                Sanitizer("enc", ENCODER),
                Sanitizer("clean", CAST),
                Sanitizer("ok", GUARD, 0),
            ),
        ),
        TaintCatalog(sources=(Source("web.Request.data", REMOTE, "attribute", "request body"),)),
    ],
    {},
)


class Dump(Rule):
    """Reports every sink flow: `role|description|tier|spliced` at the flow's node."""

    code = "TST901"
    name = "dump-flows"
    summary = description = rationale = remediation = "test"
    triggers = (TAINT_SINKS,)
    trigger_groups = ((TAINT_SOURCES,),)

    def visit_Call(self, node: Any) -> None:
        for flow in self.taint.sink_flows(node):
            fact = flow.fact
            encoded = "+".join(fact.encoded)
            self.report(
                flow.node,
                f"{flow.role}|{fact.description}|{fact.tier}|{'spliced' if fact.spliced else 'raw'}|{encoded}|{fact.line}",
            )


def flows(source: str, catalog: TaintCatalog = CATALOG) -> list[tuple[int, str, str, str, str]]:
    """(line, role, source description, tier, spliced/raw) of every flow into a sink."""
    found = check_source(Dump, textwrap.dedent(source), catalog=catalog)
    result = []
    for finding in found:
        role, description, tier, spliced, _, _ = finding.message.split("|")
        result.append((finding.location.line, role, description, tier, spliced))
    return sorted(result)


def details(source: str, catalog: TaintCatalog = CATALOG) -> list[dict[str, Any]]:
    found = check_source(Dump, textwrap.dedent(source), catalog=catalog)
    keys = ("role", "description", "tier", "spliced", "encoded", "source_line")
    return [
        {"line": f.location.line, **dict(zip(keys, f.message.split("|"), strict=True))}
        for f in sorted(found, key=lambda f: f.location.line)
    ]


def tainted(source: str) -> bool:
    return bool(flows(source))


# ----- propagation -----


@pytest.mark.parametrize(
    "code",
    [
        "x = src()\nsink(x)\n",
        "x = src()\ny = x\nz = y\nsink(z)\n",
        "x = 'a'\nx += src()\nsink(x)\n",
        "x = src()\nsink(f'{x}')\n",
        "x = src()\nsink('%s' % x)\n",
        "x = src()\nsink('{}'.format(x))\n",
        "x = src()\nsink('a' + x)\n",
        "x = src()\nsink(', '.join([x, 'b']))\n",
        "x = src()\nsink(x.strip().upper())\n",
        "x = src()\nsink(x.replace('a', 'b'))\n",
        "x = src()\nsink([x][0])\n",
        "x = src()\nsink({'k': x}['k'])\n",
        "x = src()\nsink((1, x)[1])\n",
        "x = src()\nd = {}\nd['k'] = x\nsink(d['k'])\n",
        # appending to an element writes back into its container (heldout7b standup_slack_bot.py:76)
        "d = {'k': []}\nd['k'].append(src())\nsink(d['k'])\n",
        "d = {}\nd[key()].append(src())\nsink(d[other()])\n",
        "d = {'a': {}}\nd['a'].update(x=src())\nsink(d['a']['x'])\n",
        "rows = [[]]\nrows[0].extend([src()])\nsink(rows)\n",
        "class Bot:\n    def __init__(self):\n        self.updates = {}\n"
        "    def record(self, channel):\n        self.updates[channel].append(src())\n"
        "    def digest(self, channel):\n        sink('\\n'.join(self.updates[channel]))\n",
        "x = src()\nitems = []\nitems.append(x)\nsink(items)\n",
        "obj = src()\nsink(obj.name)\n",
        "obj = src()\nsink(obj['a']['b'])\n",
        "for x in src():\n    sink(x)\n",
        "rows = [src()]\nfor row in rows:\n    sink(row)\n",
        "sink([x.strip() for x in src()])\n",
        "sink({k: v for k, v in src().items()})\n",
        "sink(list(x for x in src()))\n",
        "with src() as handle:\n    sink(handle.read())\n",
        "if (x := src()):\n    sink(x)\n",
        "x = src() if flag else 'a'\nsink(x)\n",
        "x = src() or 'default'\nsink(x)\n",
        "try:\n    x = src()\nexcept ValueError:\n    x = 'a'\nsink(x)\n",
        "x = 'a'\nwhile cond():\n    x = x + src()\nsink(x)\n",
        "a, b = src(), 'c'\nsink(a)\n",
        "a, b = src()\nsink(b)\n",
        "x = src()\nsink(str(x))\n",
        "x = src()\nsink(textwrap.dedent(x))\n",
        "x = src()\nparts = ['intro']\nparts.extend([x])\nsink('\\n'.join(parts))\n",
        "import json\nx = src()\nsink(json.loads(x)['k'])\n",
        "x = src()\nsink(payload_of(x))\n",
        "sink(payload)\n",
        "sink(payload['a'])\n",
    ],
)
def test_propagation_reaches_the_sink(code: str) -> None:
    assert tainted(code), code


@pytest.mark.parametrize(
    "code",
    [
        "x = src()\nx = 'constant'\nsink(x)\n",
        "x = src()\nsink('constant')\n",
        "x = src()\nsink(len(x))\n",
        "x = src()\nsink(x.count('a'))\n",
        "x = src()\nsink(x.startswith('a'))\n",
        "x = src()\nsink(x == 'a')\n",
        "x = src()\nsink(not x)\n",
        "d = {'k': src(), 'j': 'safe'}\nsink(d['j'])\n",
        "pair = ('safe', src())\nsink(pair[0])\n",
        "items = ['safe']\nitems.append(src())\nsink(items[0])\n",
        "d = {'a': [], 'b': []}\nd['a'].append(src())\nsink(d['b'])\n",
        "d = {'k': []}\nd['k'].append('constant')\nsink(d['k'])\n",
        "d = {'k': []}\nother = {'k': []}\nd['k'].append(src())\nsink(other['k'])\n",
        "x = src()\ndel x\nsink('a')\n",
        "def f():\n    x = src()\n    return 1\nsink(f())\n",
        "print(src())\nsink('constant')\n",
    ],
)
def test_no_flow_without_untrusted_data(code: str) -> None:
    assert not tainted(code), code


def test_branches_join_and_reassignment_clears() -> None:
    code = """
    x = 'safe'
    if cond():
        x = src()
    sink(x)
    x = 'safe again'
    sink(x)
    """
    assert [line for line, *_ in flows(code)] == [5]


def test_statements_after_return_and_raise_are_unreachable_paths() -> None:
    code = """
    def f(flag):
        x = src()
        if flag:
            x = 'a'
            return sink(x)
        raise ValueError(x)
    """
    assert flows(code) == []


def test_source_descriptions_name_the_expression_and_line() -> None:
    code = """
    # a comment line
    '''a docstring
    over lines'''
    body = payload['bio']
    sink(body)
    sink(payload.get('name', ''))
    """
    facts = details(code)
    assert [(f["line"], f["description"], f["source_line"]) for f in facts] == [
        (6, "payload['bio']", "5"),
        (7, "payload.get('name', '')", "7"),
    ]


# ----- function summaries -----


def test_helper_returning_a_prompt_is_followed() -> None:
    code = """
    def build(persona):
        return f"You are {persona}. Answer briefly and politely."

    sink(build(src()))
    sink(build("a pirate"))
    """
    assert flows(code) == [(5, INSTRUCTION, "src()", REMOTE, "spliced")]


def test_summaries_are_context_sensitive_and_chain() -> None:
    code = """
    def inner(x):
        return x.strip()

    def outer(y):
        return inner(y) + "!"

    safe = outer("constant")
    unsafe = outer(src())
    sink(safe)
    sink(unsafe)
    """
    assert [line for line, *_ in flows(code)] == [11]


def test_functions_defined_after_their_use_are_followed() -> None:
    code = """
    def handler():
        sink(later(src()))

    def later(x):
        return x
    """
    assert [line for line, *_ in flows(code)] == [3]


def test_recursion_terminates_and_is_followed() -> None:
    code = """
    def shout(text, n):
        if n == 0:
            return text
        return shout(text + "!", n - 1)

    def ping(x, n):
        return pong(x, n - 1) if n else x

    def pong(x, n):
        return ping(x, n)

    def nest(x, n):
        return nest({"inner": x}, n - 1) if n else x

    sink(shout(src(), 3))
    sink(ping(src(), 4))
    sink(nest(src(), 100))
    sink(shout("safe", 2))
    """
    assert [line for line, *_ in flows(code)] == [16, 17, 18]


def test_parameters_reaching_a_sink_inside_a_helper() -> None:
    code = """
    def respond(persona):
        sink(persona)

    def unused(text):
        sink(text)

    respond(src())
    respond("constant")
    """
    result = flows(code)
    # reported at the call that passes the data in (line 8), not at the helper's sink
    assert result == [(8, INSTRUCTION, "src()", REMOTE, "raw")]


def test_parameter_splicing_inside_a_helper_marks_the_callers_data() -> None:
    code = """
    def summarise(doc):
        return ask(f"Summarise the following document: {doc}")

    summarise(src())
    """
    assert flows(code) == [(5, USER, "src()", REMOTE, "spliced")]


def test_star_arguments_and_keywords_bind_parameters() -> None:
    code = """
    def first(a, b="x", *rest, **options):
        return b

    sink(first("a", b=src()))
    sink(first(*[src()]))
    sink(first("a", "b"))
    """
    assert [line for line, *_ in flows(code)] == [5, 6]


def test_nested_functions_see_their_closure() -> None:
    code = """
    def outer():
        secret = src()
        def inner():
            return secret
        sink(inner())
    """
    assert [line for line, *_ in flows(code)] == [6]


# ----- classes: self attributes and methods -----


def test_self_attributes_flow_between_methods() -> None:
    code = """
    class Bot:
        def __init__(self, persona, greeting):
            self.persona = persona
            self.greeting = greeting

        def system(self):
            return "You are " + self.persona

        def run(self):
            sink(self.system())
            sink(self.greeting)

    Bot(src(), "hello").run()
    """
    assert [(line, desc) for line, _, desc, _, _ in flows(code)] == [(11, "src()")]


def test_methods_of_instances_and_class_constants() -> None:
    code = """
    class Prompts:
        SYSTEM = "You are a helpful assistant."

        def wrap(self, text):
            return self.SYSTEM + " The user writes: " + text

    prompts = Prompts()
    sink(prompts.wrap(src()))
    sink(Prompts.SYSTEM)
    """
    assert flows(code) == [(9, INSTRUCTION, "src()", REMOTE, "spliced")]


def test_dataclass_like_instances_keep_their_fields() -> None:
    code = """
    class Settings:
        persona: str
        limit: int

    s = Settings(persona=src(), limit=3)
    sink(s.persona)
    sink(s.limit)
    """
    assert [line for line, *_ in flows(code)] == [7]


# ----- sanitizers and guards -----


@pytest.mark.parametrize(
    "code",
    [
        "sink(int(src()))",
        "sink(float(src()))",
        "sink(bool(src()))",
        "import uuid\nsink(uuid.UUID(src()))",
        "sink(clean(src()))",
        "x = src()\nif x not in ALLOWED:\n    raise ValueError(x)\nsink(x)",
        "from flask import abort\nx = src()\nif x not in ALLOWED:\n    abort(400)\nsink(x)",
        "def f():\n    x = src()\n    if x not in ALLOWED:\n        return None\n    sink(x)",
        "for x in src():\n    if x not in ALLOWED:\n        continue\n    sink(x)",
        "x = src()\nif x in ALLOWED:\n    sink(x)",
        "x = src()\nif x in ('a', 'b'):\n    sink(x)",
        "x = src()\nif x.lower() in ALLOWED:\n    sink(x)",
        "x = src()\nif x == 'summary' or x == 'detail':\n    sink(x)",
        "x = src()\nif x != 'summary':\n    raise ValueError()\nsink(x)",
        "import re\nx = src()\nif re.fullmatch(r'[a-z]{1,20}', x):\n    sink(x)",
        "import re\nx = src()\nif not re.fullmatch(r'[a-z]+', x):\n    raise ValueError()\nsink(x)",
        "import re\nSLUG = re.compile(r'[a-z]+')\nx = src()\nif SLUG.fullmatch(x) is None:\n    raise ValueError()\nsink(x)",
        "x = src()\nif not x.isdigit():\n    raise ValueError()\nsink(x)",
        "x = src()\nif not ok(x):\n    raise ValueError()\nsink(x)",
        "x = src()\nassert x in ALLOWED\nsink(x)",
        "x = src()\nx = x if x in ALLOWED else 'a'\nsink(x)",
        "sink(TONES[src()])",
        "sink(TONES.get(src(), 'neutral'))",
        "from enum import Enum\nclass Tone(Enum):\n    A = 'a'\nsink(Tone(src()))",
    ],
)
def test_sanitizers_and_guards_clear_taint(code: str) -> None:
    prelude = "ALLOWED = {'a', 'b'}\nTONES = {'a': 'formal', 'b': 'casual'}\n"
    assert not tainted(prelude + code + "\n"), code


@pytest.mark.parametrize(
    "code",
    [
        "x = src()\nif x not in ALLOWED:\n    print('unexpected')\nsink(x)",
        "x = src()\nif x in TAINTED:\n    sink(x)",
        "x = src()\nif len(x) > 100:\n    raise ValueError()\nsink(x)",
        "import re\nx = src()\nif re.search(r'[a-z]', x):\n    sink(x)",
        "x = src()\nif x == other:\n    sink(x)",
        "x = src()\nif x in ALLOWED:\n    pass\nsink(x)",
    ],
)
def test_checks_that_do_not_guard(code: str) -> None:
    prelude = "ALLOWED = {'a', 'b'}\nTAINTED = [src()]\nother = src()\n"
    assert tainted(prelude + code + "\n"), code


def test_encoders_mark_data_so_splicing_after_them_is_not_a_splice() -> None:
    code = """
    import html, json
    doc = src()
    ask(f"Summarise the JSON below in one sentence: {json.dumps(doc)}")
    ask(f"Summarise the document in the tags: <doc>{html.escape(doc)}</doc>")
    ask(f"Summarise the document in the tags: <doc>{enc(doc)}</doc>")
    ask(f"Summarise the text in quotes: {doc!r}")
    """
    facts = details(code)
    assert [(f["line"], f["spliced"], f["encoded"]) for f in facts] == [
        (4, "raw", "json.dumps"),
        (5, "raw", "html.escape"),
        (6, "raw", "enc"),
        (7, "raw", "repr"),
    ]


@pytest.mark.parametrize(
    "template",
    [
        "'Summarise the text in quotes: \"' + doc + '\"'",
        "f'Summarise the document in the tags. <doc>{doc}</doc>'",
        "f'Summarise the text between backticks:\\n```\\n{doc}\\n```'",
        "f'Summarise the text below.\\n---\\n{doc}\\n---'",
    ],
)
def test_bare_delimiters_are_not_a_mitigation(template: str) -> None:
    assert flows(f"doc = src()\nask({template})\n") == [(2, USER, "src()", REMOTE, "spliced")]


def test_splicing_needs_instruction_words() -> None:
    code = """
    q = src()
    ask(f"Q: {q}")
    ask(q + "\\n")
    ask(f"Question: {q}\\nAnswer:")
    ask(f"Answer the question below politely: {q}")
    ask("\\n".join(["You answer support questions.", q]))
    """
    assert [(line, spliced) for line, _, _, _, spliced in flows(code)] == [
        (3, "raw"),
        (4, "raw"),
        (5, "raw"),
        (6, "spliced"),
        (7, "spliced"),
    ]


def test_encoded_data_is_still_instruction_context() -> None:
    code = "import json\nsink(f'Persona: {json.dumps(src())}')\n"
    assert flows(code) == [(2, INSTRUCTION, "src()", REMOTE, "raw")]


# ----- messages and templates -----


def test_messages_built_over_several_statements() -> None:
    code = """
    messages = [{"role": "system", "content": "You help with billing."}]
    messages.append({"role": "system", "content": "Customer notes: " + src()})
    messages += [{"role": "user", "content": src()}]
    history = list(messages)
    chat(messages=history)
    """
    assert [(line, role) for line, role, *_ in flows(code)] == [(6, INSTRUCTION), (6, USER)]


def test_message_roles_decide() -> None:
    code = """
    x = src()
    chat(messages=[{"role": "developer", "content": x}])
    chat(messages=[{"role": "assistant", "content": x}])
    chat(messages=[("system", x)])
    chat(messages=[{"role": "user", "content": [{"type": "text", "text": x}]}])
    chat(messages=[{"role": x, "content": "hi"}])
    chat(messages=src())
    chat(messages=[{"role": "user", "content": "hi"}, *src()])
    chat(messages=[{**src()}])
    """
    assert [(line, role) for line, role, *_ in flows(code)] == [
        (3, INSTRUCTION),
        (4, INSTRUCTION),
        (5, INSTRUCTION),
        (6, USER),
        (7, INSTRUCTION),
        (8, INSTRUCTION),
        (9, INSTRUCTION),
        (10, INSTRUCTION),
    ]


def test_flows_are_reported_inside_literal_arguments() -> None:
    code = """
    chat(
        messages=[
            {"role": "system", "content": "constant"},
            {"role": "system", "content": src()},
        ]
    )
    """
    assert [line for line, *_ in flows(code)] == [5]


def test_a_rendered_template_is_judged_where_its_text_goes() -> None:
    """`.format()` renders a string and sends nothing: shown, logged or returned it is no flow;
    sent, it carries its data (spliced when instruction words surround the slot)."""
    code = """
    prompt = chat_template([("system", "You are {persona}."), ("human", "Answer this question: {question}")])
    shown = prompt.format(persona=src(), question=src())
    print(shown)
    text = prompt.format(question=src())
    ask(text)
    ask(prompt.format(persona=src()))
    plain = chat_template([("human", "{question}")])
    ask(plain.format(question=src()))
    """
    assert [(line, role, spliced) for line, role, _, _, spliced in flows(code)] == [
        (6, USER, "spliced"),
        (7, USER, "spliced"),
        (9, USER, "raw"),
    ]


def test_dict_paths_through_json_dumps() -> None:
    code = """
    import json
    body = {"system": src(), "other": src()}
    body_sink(body=json.dumps(body))
    body_sink(body=json.dumps({"system": "constant", "prompt": src()}))
    """
    assert [(line, role) for line, role, *_ in flows(code)] == [(4, INSTRUCTION)]


def test_template_text_and_slots() -> None:
    code = """
    prompt = chat_template([("system", "You are {persona}."), ("human", "Answer this question: {question}")])
    chain = prompt | model
    chain.invoke({"persona": src(), "question": src()})
    ask(prompt.format(question=cli_src()))
    tpl(src())
    chat_template([("human", src())])
    """
    result = flows(code)
    assert [(line, role, tier, spliced) for line, role, _, tier, spliced in result] == [
        (4, INSTRUCTION, REMOTE, "raw"),
        (4, USER, REMOTE, "spliced"),
        (5, USER, CLI, "spliced"),
        (6, TEMPLATE, REMOTE, "raw"),
        (7, TEMPLATE, REMOTE, "raw"),
    ]


# ----- sources: files, parameters -----


def test_files_with_static_paths_are_trusted() -> None:
    code = """
    from pathlib import Path
    import os

    def load(name):
        return read_file(name)

    sink(read_file("prompts/system.txt"))
    sink(read_file(Path(__file__).parent / "system.txt"))
    sink(read_file(os.path.join(os.path.dirname(__file__), "system.txt")))
    sink(load("system.txt"))
    sink(read_file(cli_src()))
    sink(load(doc_src()))
    """
    assert [(line, tier) for line, _, _, tier, _ in flows(code)] == [(12, INDIRECT), (13, INDIRECT)]


def test_helpers_nobody_calls_here_trust_their_path_parameters() -> None:
    code = """
    def load_prompt(name):
        return read_file(name)

    def summarise(path):
        sink(read_file(path))

    sink(load_prompt)
    """
    assert flows(code) == []


def test_parameter_sources() -> None:
    code = """
    @route("/items/<int:item_id>")
    def handler(item_id, name: str, count: int, when: "datetime", tags: list[str], db=Depends(get_db), s: Session = None):
        sink(item_id)
        sink(name)
        sink(count)
        sink(tags)
        sink(db)
        sink(s)

    def callback(text, other):
        sink(text)
        sink(other)

    register(callback)

    @view("/x")
    def view_handler(req):
        sink(req.data)
        sink(req.method)

    def not_a_handler(name):
        sink(name)
    """
    assert [(line, desc) for line, _, desc, _, _ in flows(code)] == [
        (5, "parameter `name` of `handler()`"),
        (7, "parameter `tags` of `handler()`"),
        (12, "parameter `text` of `callback()`"),
        (19, "req.data"),
    ]


def test_typed_parameters_resolve_attribute_sources_and_non_text_types_are_clean() -> None:
    code = """
    from typing import Literal, Optional
    import web

    @route("/")
    def handler(mode: Literal["a", "b"], n: Optional[int], flag: bool, req: web.Request):
        sink(mode)
        sink(n)
        sink(flag)
        sink(req.data)
    """
    assert [line for line, *_ in flows(code)] == [10]


# ----- catalog extension: config and plugins -----


def test_catalog_from_config() -> None:
    catalog = catalog_from_config(
        {
            "sources": [
                "acme.web.param",
                {"pattern": "acme.queue.receive", "tier": "indirect", "kind": "call"},
            ],
            "sinks": [
                "acme.llm.set_system",
                {"pattern": "acme.llm.ask", "keyword": "system", "position": 1, "role": "instruction"},
                {"pattern": "acme.llm.chat", "arguments": [{"keyword": "messages", "role": "messages"}]},
            ],
            "sanitizers": [
                "acme.text.clean",
                {"pattern": "acme.text.is_slug", "kind": "guard", "argument": 0},
            ],
        }
    )
    assert catalog.sources[1] == Source("acme.queue.receive", INDIRECT, "call")
    assert catalog.sinks[0] == Sink("acme.llm.set_system", (SinkArgument(INSTRUCTION),))
    assert catalog.sinks[1].arguments == (SinkArgument(INSTRUCTION, "system", 1),)
    assert catalog.sinks[2].arguments == (SinkArgument(MESSAGES, "messages"),)
    assert catalog.sanitizers == (
        Sanitizer("acme.text.clean", CAST),
        Sanitizer("acme.text.is_slug", GUARD, 0),
    )
    parameter = catalog_from_config({"sources": [{"decorators": ["acme.api.route"], "params": ["payload"]}]})
    assert parameter.parameter_sources == (
        ParameterSource(decorators=("acme.api.route",), params=("payload",)),
    )
    handler = catalog_from_config({"sources": [{"signature": ["request", "env"], "params": ["request"]}]})
    assert handler.parameter_sources == (ParameterSource(signature=("request", "env"), params=("request",)),)
    message = catalog_from_config(
        {"sinks": [{"pattern": "acme.Reply", "keyword": "text", "message-role": "Assistant"}]}
    )
    assert message.sinks[0].arguments == (SinkArgument(INSTRUCTION, "text", message_role="assistant"),)


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ({"source": []}, "tool.aisec.taint.source"),
        ({"sources": "acme.x"}, "tool.aisec.taint.sources"),
        ({"sources": [3]}, "tool.aisec.taint.sources[0]"),
        ({"sources": ["has space"]}, "tool.aisec.taint.sources[0]"),
        ({"sources": [{"pattern": "a.b", "tier": "scary"}]}, "tool.aisec.taint.sources[0].tier"),
        ({"sources": [{"pattern": "a.b", "kind": "method"}]}, "tool.aisec.taint.sources[0].kind"),
        ({"sources": [{"pattern": "a.b", "colour": "red"}]}, "tool.aisec.taint.sources[0].colour"),
        ({"sources": [{"params": ["x"]}]}, "tool.aisec.taint.sources[0]"),
        ({"sources": [{"decorators": "a.route"}]}, "tool.aisec.taint.sources[0].decorators"),
        ({"sinks": [{"keyword": "system"}]}, "tool.aisec.taint.sinks[0]"),
        ({"sinks": [{"pattern": "a.b", "role": "system"}]}, "tool.aisec.taint.sinks[0].role"),
        ({"sinks": [{"pattern": "a.b", "position": -1}]}, "tool.aisec.taint.sinks[0].position"),
        ({"sinks": [{"pattern": "a.b", "keyword": "not a name"}]}, "tool.aisec.taint.sinks[0].keyword"),
        ({"sinks": [{"pattern": "a.b", "arguments": []}]}, "tool.aisec.taint.sinks[0].arguments"),
        (
            {"sinks": [{"pattern": "a.b", "arguments": [{"role": "user"}], "keyword": "x"}]},
            "tool.aisec.taint.sinks[0]",
        ),
        ({"sinks": [{"pattern": "a.b", "path": "system"}]}, "tool.aisec.taint.sinks[0].path"),
        ({"sinks": [{"pattern": "a.b", "unless": {"keyword": "k"}}]}, "tool.aisec.taint.sinks[0].unless"),
        (
            {"sinks": [{"pattern": "a.b", "unless": [{"keyword": "k", "values": []}]}]},
            "tool.aisec.taint.sinks[0].unless[0].values",
        ),
        (
            {"sinks": [{"pattern": "a.b", "unless": [{"values": ["x"]}]}]},
            "tool.aisec.taint.sinks[0].unless[0].keyword",
        ),
        (
            {"sinks": [{"pattern": "a.b", "unless": [{"keyword": "k", "values": ["x"], "position": -2}]}]},
            "tool.aisec.taint.sinks[0].unless[0].position",
        ),
        ({"sanitizers": [{"pattern": "a.b", "kind": "magic"}]}, "tool.aisec.taint.sanitizers[0].kind"),
        (
            {"sinks": [{"pattern": "a.b", "message-role": "the boss"}]},
            "tool.aisec.taint.sinks[0].message-role",
        ),
        (
            {"sanitizers": [{"pattern": "a.b", "argument": "other"}]},
            "tool.aisec.taint.sanitizers[0].argument",
        ),
    ],
)
def test_bad_config_names_the_key(table: dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigError, match="`" + re.escape(key)):
        catalog_from_config(table)


def config_findings(run_cli: Any, tree: Any, taint: str, app: str) -> Any:
    """The AIS2 findings (code, line) on `app.py` with `taint` as `[tool.aisec.taint]`, and the JSON."""
    config = '[tool.aisec]\nselect = ["AIS2"]\n\n[tool.aisec.taint]\n' + textwrap.dedent(taint)
    root = tree({"pyproject.toml": config, "app.py": app})
    result = run_cli(["check", "--format", "json", "--no-cache", "app.py"], cwd=root)
    findings = result.json()["findings"]
    return [(f["code"], f["line"]) for f in findings], findings, result.err


def test_config_extends_the_catalog_end_to_end(run_cli: Any, tree: Any) -> None:
    found, findings, err = config_findings(
        run_cli,
        tree,
        """
        sources = [{pattern = "acme.inbox.next_message", tier = "remote", kind = "call", label = "inbox"}]
        sinks = [{pattern = "acme.llm.Assistant", keyword = "persona", role = "instruction"}]
        sanitizers = ["acme.text.neutralise"]
        """,
        """
        from acme import inbox, llm, text

        message = inbox.next_message()
        llm.Assistant(persona=message)
        llm.Assistant(persona=text.neutralise(message))
        """,
    )
    assert found == [("AIS201", 4)], err
    assert "inbox" in findings[0]["message"]


def test_a_sink_from_config_does_not_apply_when_an_argument_has_a_safe_value(run_cli: Any, tree: Any) -> None:
    found, _, err = config_findings(
        run_cli,
        tree,
        """
        sources = [{pattern = "acme.inbox.next_message", tier = "remote", kind = "call"}]
        [[tool.aisec.taint.sinks]]
        pattern = "acme.llm.Assistant"
        keyword = "persona"
        role = "instruction"
        unless = [{keyword = "mode", position = 1, values = ["quoted", "acme.llm.Mode.*"]}]
        """,
        """
        from acme import inbox, llm

        message = inbox.next_message()
        llm.Assistant(persona=message, mode="quoted")
        llm.Assistant(message, llm.Mode.QUOTED, persona=message)
        llm.Assistant(persona=message, mode="raw")
        llm.Assistant(persona=message, mode=message)
        llm.Assistant(persona=message)
        """,
    )
    assert found == [("AIS201", 6), ("AIS201", 7), ("AIS201", 8)], err


def test_bad_taint_config_is_a_usage_error(run_cli: Any, tree: Any) -> None:
    root = tree(
        {
            "pyproject.toml": '[tool.aisec.taint]\nsinks = [{pattern = "a.b", role = "sytem"}]\n',
            "app.py": "x = 1\n",
        }
    )
    result = run_cli(["check", "app.py"], cwd=root)
    assert result.code == 2
    assert "tool.aisec.taint.sinks[0].role" in result.err


def test_a_plugin_catalog_extends_the_run(run_cli: Any, tree: Any) -> None:
    root = tree(
        {
            "pyproject.toml": '[tool.aisec]\nplugins = ["acme_taint"]\nselect = ["AIS2"]\n',
            "acme_taint.py": """
                from aisec.hooks import INSTRUCTION, Sink, SinkArgument, Source, TaintCatalog, hookimpl

                @hookimpl
                def aisec_taint_catalog():
                    return TaintCatalog(
                        sources=(Source("acme.tickets.load", "indirect", "call", "support ticket"),),
                        sinks=(Sink("acme.bot.configure", (SinkArgument(INSTRUCTION, "rules"),)),),
                    )
                """,
            "app.py": """
                from acme import bot, tickets

                ticket = tickets.load(7)
                bot.configure(rules=f"Follow the ticket: {ticket}")
                """,
        }
    )
    result = run_cli(["check", "--format", "json", "--no-cache", "app.py"], cwd=root)
    assert [(f["code"], f["line"]) for f in result.json()["findings"]] == [("AIS204", 4)], result.err


def test_a_plugin_returning_something_else_is_a_plugin_error(run_cli: Any, tree: Any) -> None:
    root = tree(
        {
            "pyproject.toml": '[tool.aisec]\nplugins = ["bad_taint"]\n',
            "bad_taint.py": "from aisec.hooks import hookimpl\n\n@hookimpl\ndef aisec_taint_catalog():\n    return {'sources': []}\n",
            "app.py": "x = 1\n",
        }
    )
    result = run_cli(["check", "app.py"], cwd=root)
    assert result.code == 2
    assert "bad_taint" in result.err and "TaintCatalog" in result.err


# ----- prefilter markers, laziness -----


def test_trigger_markers_need_a_source_and_a_sink_token() -> None:
    expansions = CATALOG.trigger_expansions()
    assert rules_for_text("x = src()\nsink(x)\n", [Dump], expansions) == [Dump]
    assert rules_for_text("sink(x)\n", [Dump], expansions) == []
    assert rules_for_text("x = src()\n", [Dump], expansions) == []
    assert rules_for_text("x = src()\nsink(x)\n", [Dump]) == []  # no catalog: markers match nothing
    assert rules_for_text("@route('/')\ndef f(q):\n    sink(q)\n", [Dump], expansions) == [Dump]


def test_the_analysis_runs_only_when_a_rule_asks(monkeypatch: pytest.MonkeyPatch) -> None:
    from aisec import taint

    built: list[Any] = []
    original = taint.ModuleTaint._ensure

    def spy(self: Any) -> None:
        built.append(self)
        original(self)

    monkeypatch.setattr(taint.ModuleTaint, "_ensure", spy)

    class NoTaint(Rule):
        code = "TST902"
        name = "no-taint"
        summary = description = rationale = remediation = "test"
        triggers = ("sink",)

        def visit_Call(self, node: Any) -> None:
            pass

    check_source(NoTaint, "x = src()\nsink(x)\n", catalog=CATALOG)
    assert built == []
    check_source(Dump, "x = src()\nsink(x)\nsink(x)\n", catalog=CATALOG)
    assert len(built) >= 1 and all(b is built[0] for b in built)


def test_origin_and_is_untrusted() -> None:
    results: list[Any] = []

    class Origins(Rule):
        code = "TST903"
        name = "origins"
        summary = description = rationale = remediation = "test"
        triggers = ("probe",)

        def visit_Call(self, node: Any) -> None:
            if getattr(node.func, "value", None) == "probe":
                arg = node.args[0].value
                results.append(
                    (
                        self.taint.origin(arg),
                        self.taint.is_untrusted(arg),
                        self.taint.is_untrusted(arg, tiers=[CLI]),
                        [f.tier for f in self.taint.origins(arg)],
                    )
                )

    code = "a = cli_src()\nb = src()\nprobe(a + b)\nprobe('constant')\n"
    check_source(Origins, code, catalog=CATALOG)
    (first, remote, cli, tiers), (none, untrusted, _, empty) = results
    assert first.tier == REMOTE and first.description == "src()" and first.line == 2
    assert first.where() == "src() at line 2"
    assert remote and cli and tiers == [REMOTE, CLI]
    assert none is None and not untrusted and empty == []


def test_hostile_shapes_do_not_break_the_analysis() -> None:
    deep = "x = src()\n" + "y = " + "[" * 60 + "x" + "]" * 60 + "\nsink(y)\n"
    assert tainted(deep)
    many = "x = src()\nitems = []\n" + "items.append(x)\n" * 100 + "sink(items)\n"
    assert tainted(many)
    odd = "sink(*src())\nsink(**{})\nlambda: sink(src())\nasync def f():\n    async for a in src():\n        sink(a)\n"
    assert tainted(odd)


def test_rule_examples_see_the_engine_sanitizers(tmp_path: Path) -> None:
    assert build_catalog([], {}).sanitizers  # int, json.dumps, re.fullmatch, ...


# ----- sources scoped to a class (`Source.within`): a model integration's HTTP call is the model's reply

SCOPED = build_catalog(
    [
        TaintCatalog(
            sources=(
                Source("acme.fetch", INDIRECT, "call", "document"),
                Source("acme.fetch", LLM_OUTPUT, "call", "reply", within=("acme.Model*",)),
            ),
            sinks=(Sink("acme.sink", (SinkArgument(INSTRUCTION),)),),
        )
    ],
    {},
)


def test_a_scoped_source_wins_inside_its_classes_only() -> None:
    source = """
        from acme import Model, ModelBase, Other, fetch, sink

        def outside():
            sink(fetch())

        class Provider(Model):
            def go(self):
                sink(fetch())

            def nested(self):
                def inner():
                    return fetch()
                sink(inner())

        class Child(Provider):
            def go(self):
                sink(fetch())

        class Plain(Other):
            def go(self):
                sink(fetch())

        class LookAlike(Other):
            Model = Model
            def go(self):
                sink(fetch())
    """
    tiers = [(line, tier) for line, _, _, tier, _ in flows(source, SCOPED)]
    assert tiers == [
        (5, INDIRECT),
        (9, LLM_OUTPUT),
        (14, LLM_OUTPUT),
        (18, LLM_OUTPUT),
        (22, INDIRECT),
        (27, INDIRECT),
    ]


def test_a_scoped_source_needs_a_base_spelled_to_pass_the_prefilter() -> None:
    catalog = TaintCatalog(sources=(Source("acme.fetch", LLM_OUTPUT, "call", within=("lc*.LLM", "lc.Chat")),))
    assert catalog.source_tokens() == (("acme", "fetch", "lc", "LLM"), ("acme", "fetch", "lc", "Chat"))


# ----- where a flow through a helper is reported -----


def test_a_helper_called_from_two_places_is_reported_at_each_call() -> None:
    code = """
    def ask(system, user):
        return sink(system)

    def one():
        return ask(src(), "hi")

    def two():
        text = src()
        return ask(
            "You are terse. " + text,
            "hi",
        )
    """
    assert [line for line, *_ in flows(code)] == [6, 11]


def test_a_chain_of_helpers_is_reported_at_the_outermost_call() -> None:
    code = """
    def inner(text):
        sink(text)

    def middle(text):
        inner(text)

    def outer():
        middle(src())
    """
    assert [line for line, *_ in flows(code)] == [9]


def test_data_kept_in_an_object_is_reported_at_the_sink() -> None:
    code = """
    class Bot:
        def remember(self, note):
            self.note = note

        def run(self):
            sink(self.note)

    bot = Bot()
    bot.remember(src())
    bot.run()
    """
    assert [line for line, *_ in flows(code)] == [7]


def test_a_method_call_is_reported_at_the_argument_bound_to_the_parameter() -> None:
    code = """
    class Bot:
        def ask(self, system, user):
            sink(system)

    Bot().ask(
        "constant",
        user=src(),
    )
    Bot().ask(
        "constant",
        system=src(),
    )
    """
    assert [line for line, *_ in flows(code)] == [12]


def test_one_finding_per_flow_through_a_helper() -> None:
    code = """
    def run(program, flags, target):
        sink(program + flags + target)

    def tool():
        data = src()
        run(data, data, "x")
        run(data, "-v", "y")
    """
    # the arguments of one call share a finding; the same source through a second call to the
    # same sink is the same flow, reported at the first call
    assert flows(code) == [(7, INSTRUCTION, "src()", REMOTE, "raw")]
