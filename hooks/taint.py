"""The taint contract: catalogs of sources, sinks and sanitizers (plain data), and the facts rules get.

Plugins return a `TaintCatalog` from `aisec_taint_catalog()`; projects add entries under
`[tool.aisec.taint]`. The engine merges every catalog, runs one dataflow analysis per module the
first time a rule asks, and answers through `TaintFacts` (`self.taint` on a rule):

    for flow in self.taint.sink_flows(call):        # untrusted data reaching an argument of a sink
        if flow.role == INSTRUCTION and flow.fact.tier == REMOTE: ...
    fact = self.taint.origin(expr)                  # where untrusted data in `expr` came from

Patterns are `fnmatch` patterns over qualified names as `aisec.hooks.NameResolver` spells them
(`openai.OpenAI.chat.completions.create`, `builtins.input`); `*` also matches dots. When the
receiver of a call cannot be resolved (a client passed in as a parameter), the name is matched as
written (`client.chat.completions.create`), so a pattern starting with `*.` catches both. Calling
an object that a call returned (`pipe = pipeline(...)`; `pipe(text)`) is spelled with a trailing
`.__call__` (`transformers.pipeline.__call__`).

Plain dataclasses only: this module never imports libcst or the engine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Protocol

# ----- trust tiers of sources (TaintFact.tier), most severe first -----

REMOTE = "remote"
"""Attacker-controlled request data: web frameworks, webhooks, chat/UI inputs (high severity)."""
INDIRECT = "indirect"
"""Content an attacker may have written: fetched pages, read files, DB rows, retrieved documents."""
CLI = "cli"
"""Local operator input: `input()`, `sys.argv`, argparse (low severity)."""
LLM_OUTPUT = "llm_output"
"""Model responses: the source of the LLM-output rules (a `Source` with `kind="call"` on an LLM
call; accessor chains such as `.choices[0].message.content` propagate from it)."""
TIERS = (REMOTE, INDIRECT, CLI, LLM_OUTPUT)

# ----- what a sink argument carries (SinkArgument.role, SinkFlow.role) -----

INSTRUCTION = "instruction"
"""Instruction context: system/developer prompts, `instructions=`, `system=`, agent prompts."""
USER = "user"
"""User content: a prompt string or a user message. Untrusted text alone here is the designed
channel; untrusted text spliced into constant instruction text is not (`TaintFact.spliced`)."""
TEMPLATE = "template"
"""The text of a prompt template: a template engine interprets it, later `.format`/`.invoke`
calls fill its `{slots}`."""
MESSAGES = "messages"
"""A list of chat messages (dicts with a `role` key, `(role, text)` tuples). Each message's role
decides what its content is: system/developer and assistant-like roles are instruction context.
A list (or message) whose structure came from untrusted data lets the data choose the roles,
which makes it instruction context too."""
INPUT = "input"
"""A prompt string (user content) or a list of chat messages (as `MESSAGES`)."""
MESSAGE = "message"
"""The call's own `role=` keyword decides what its other arguments are (one chat message:
`ChatMessage(role=..., content=...)`, `threads.messages.create(role=..., content=...)`)."""
ROLES = (INSTRUCTION, USER, TEMPLATE, MESSAGES, INPUT, MESSAGE)
"""Roles the engine interprets. Any other role string (another rule family's, e.g. "exec") is
passed through: every untrusted fact of the argument becomes a flow with that role."""

# ----- sanitizer kinds -----

CAST = "cast"
"""The result is trusted (`int(x)`, `uuid.UUID(x)`, a team's `clean_prompt(x)`)."""
ENCODER = "encoder"
"""The result is the data encoded or escaped (`json.dumps`, `html.escape`): still untrusted, but
it cannot break out of a fence; facts list the encoders in `TaintFact.encoded`."""
GUARD = "guard"
"""A check: where the call is truthy (`if re.fullmatch(p, x):`, or after
`if not check(x): return`), the checked argument is trusted."""
SANITIZER_KINDS = (CAST, ENCODER, GUARD)

SOURCE_KINDS = ("any", "call", "attribute")

# Prefilter markers, usable in `Rule.triggers` and `Rule.trigger_groups`: they stand for the
# tokens of every source (or sink) of the run's merged catalog, so a team's entries count too.
TAINT_SOURCES = "@taint:sources"
TAINT_SINKS = "@taint:sinks"


# The engine's own TEMPLATE sinks, which no catalog lists (`aisec.taint.templates`): untrusted text
# as the format string of `x.format(...)`/`x.format_map(...)`, of printf-style `x % (...)`, or of
# `string.Template(x).substitute(...)`/`.safe_substitute(...)`. The sink markers stand for them
# too: a module has one only where it spells one of these attributes or a `%` operation (the
# identifier screen counts a `%` operator as the identifier `%`: `aisec.identifiers`).
INTRINSIC_TEMPLATE_TOKENS = (("format",), ("format_map",), ("%",), ("substitute",), ("safe_substitute",))


def sinks_marker(role: str) -> str:
    """Prefilter marker for the sinks with an argument of `role` only (`"@taint:sinks:sql"`): a
    rule family that reads one role is not triggered by another family's sinks."""
    return f"{TAINT_SINKS}:{role}"


def sources_marker(tier: str) -> str:
    """Prefilter marker for the sources (and parameter sources) of one tier only."""
    return f"{TAINT_SOURCES}:{tier}"


@dataclass(frozen=True)
class Source:
    """Untrusted data produced by calling, or reading, a qualified name.

    `kind`: "call" (what a call returns: `builtins.input`, `requests.get`), "attribute" (the value
    of reading the name: `flask.request.form`, `sys.argv`) or "any". `label` names the kind of
    source in messages ("Flask request data"). With `static_argument` (a 0-based position, a
    keyword, or "self" for the receiver of a method call), the call is a source only when that
    argument is not static: `open("prompts/system.txt")` reads the project's own file,
    `open(path)` reads a document. With `within` (qualified-name patterns of base classes), the
    call is this source only in a method (or a function nested in one) of a class deriving from
    one of them, and there it wins over the catalog's other sources for the same call: inside a
    LangChain model integration, the HTTP call to the provider's API returns the model's reply
    (`LLM_OUTPUT`), not fetched content. With `matching` (regular expressions), the call is this
    source only when the constant text of one of `matching_arguments` (0-based positions or
    keywords; a constant, or the literal parts of an f-string or `+` concatenation) matches one of
    them, and there it wins over the catalog's other sources for the call as `within` does:
    `requests.post("https://api.openai.com/v1/chat/completions", ...)` returns the model's reply.
    """

    pattern: str
    tier: str = REMOTE
    kind: str = "any"
    label: str = ""
    static_argument: int | str | None = None
    within: tuple[str, ...] = ()
    matching: tuple[str, ...] = ()
    matching_arguments: tuple[int | str, ...] = (0, "url")


@dataclass(frozen=True)
class ParameterSource:
    """Parameters of some functions are untrusted: route handlers, Lambda handlers, UI callbacks.

    A function of the module qualifies when every given condition holds: it is decorated by one
    of `decorators` (called or not) or passed to a call of one of `registrars` (`gradio.Interface(fn=f)`,
    `btn.click(f, ...)`) when either is given; its name matches one of `functions`; it is a method
    of a class deriving from one of `base_classes`; the module imports one of `requires_import`
    (module names or prefixes); its parameter list is exactly `signature`, names in order, as
    written (`("event", "context")`: an AWS Lambda or Cloud Functions handler, whatever its name:
    the deployment config names it, not the code; a method's `self` counts, so a method never
    has the signature of a plain function).

    Its parameters named in `params` (all but `self`/`cls` when empty) are then sources, except
    those annotated with a non-text type (`int`, `float`, `bool`, `Literal[...]`, an enum, ...) or
    whose annotation or default call matches one of `exclude` (`fastapi.Depends`,
    `fastapi.Request`); with `annotated`, only those whose annotation or default call matches one
    of its patterns count (`fastapi.UploadFile`). With `type`, a matching parameter is not data
    itself but an object of that
    qualified type (a Django view's `request` is a `django.http.HttpRequest`): the catalog's
    `Source`s on that type's attributes (`django.http.HttpRequest.POST`) yield the data.
    """

    tier: str = REMOTE
    decorators: tuple[str, ...] = ()
    registrars: tuple[str, ...] = ()
    functions: tuple[str, ...] = ()
    base_classes: tuple[str, ...] = ()
    requires_import: tuple[str, ...] = ()
    params: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    type: str = ""
    label: str = ""
    annotated: tuple[str, ...] = ()
    signature: tuple[str, ...] = ()


@dataclass(frozen=True)
class SinkArgument:
    """Which argument of a sink call carries what (`role`, see ROLES).

    The argument is `keyword=` or, failing that, the 0-based `position`; with neither, every
    argument. `path` descends into a dict argument (a dict literal, or a dict that was passed
    through `json.dumps`) by keys: Bedrock's `body=json.dumps({"system": ...})` is
    `SinkArgument(INSTRUCTION, keyword="body", path=("system",))`. With `template`, the text is a
    prompt template (`ChatPromptTemplate.from_messages`): untrusted text in a user part is a
    TEMPLATE flow, and data bound later to a `{slot}` flows into the role of the part holding it.
    `message_role` names the chat role of a message the call builds (`AIMessage(content)` is
    "assistant"); flows report it as `SinkFlow.message_role`.
    """

    role: str
    keyword: str | None = None
    position: int | None = None
    path: tuple[str, ...] = ()
    template: bool = False
    message_role: str | None = None
    receiver: bool = False
    """The object the method is called on, not an argument: `(base / name).write_text(...)`."""
    reads_files: bool = False
    """The call runs or reads the files the argument names (`["python", path]`,
    `runpy.run_path(path)`): what the module wrote into them flows in too."""


@dataclass(frozen=True)
class SafeArgument:
    """An argument value that makes a sink call safe: `yaml.load(text, Loader=yaml.SafeLoader)`.

    The argument is `keyword=` or, failing that, the 0-based `position`. `values` are what it may
    be for the call to be safe: fnmatch patterns over the qualified name of the argument
    (`yaml.*SafeLoader`, `builtins.False` is spelled `False`), or string constants (`"strict"`).
    A value that is not one of them (another name, a variable, an expression) keeps the sink.
    """

    keyword: str
    values: tuple[str, ...]
    position: int | None = None


@dataclass(frozen=True)
class Sink:
    """A call whose arguments reach an LLM (or, for other rule families, another sink).

    `label` names it in messages (default: the qualified name of the call as resolved). `unless`:
    the call is not this sink when one of these arguments has a safe value.
    """

    pattern: str
    arguments: tuple[SinkArgument, ...]
    label: str = ""
    unless: tuple[SafeArgument, ...] = ()


@dataclass(frozen=True)
class Sanitizer:
    """A call that makes data trusted (`cast`), encodes it (`encoder`) or checks it (`guard`).

    `argument` is the checked argument of a guard: a 0-based position (`re.fullmatch(p, x)` is 1;
    `PATTERN.fullmatch(x)` is 0) or "self" (`x.isdigit()`).
    """

    pattern: str
    kind: str = CAST
    argument: int | str = 0


@dataclass(frozen=True)
class TaintCatalog:
    """Sources, sinks and sanitizers: data, merged from every plugin and the config."""

    sources: tuple[Source, ...] = ()
    parameter_sources: tuple[ParameterSource, ...] = ()
    sinks: tuple[Sink, ...] = ()
    sanitizers: tuple[Sanitizer, ...] = ()

    @staticmethod
    def merge(catalogs: Iterable[TaintCatalog | None]) -> TaintCatalog:
        """One catalog with every entry of `catalogs`, in order (duplicates removed)."""
        parts: list[dict[Any, None]] = [{}, {}, {}, {}]
        for catalog in catalogs:
            if catalog is None:
                continue
            if not isinstance(catalog, TaintCatalog):
                raise TypeError(f"expected an aisec.hooks.TaintCatalog, got {type(catalog).__name__}")
            for part, entries in zip(
                parts,
                (catalog.sources, catalog.parameter_sources, catalog.sinks, catalog.sanitizers),
                strict=True,
            ):
                part.update(dict.fromkeys(entries))
        return TaintCatalog(*(tuple(part) for part in parts))

    def source_tokens(self) -> tuple[tuple[str, ...], ...]:
        """Prefilter tokens: alternatives, each a tuple of substrings that must all occur in a
        module for one of its sources to be there (a module matching none has no source).

        An empty tuple means "cannot tell" (a pattern without a literal name part): it always
        matches.
        """
        tokens = [alt for source in self.sources for alt in _source_tokens(source)]
        tokens += [alt for source in self.parameter_sources for alt in _parameter_source_tokens(source)]
        return tuple(dict.fromkeys(tokens))

    def sink_tokens(self) -> tuple[tuple[str, ...], ...]:
        """Prefilter tokens of the sinks (see `source_tokens`)."""
        return tuple(dict.fromkeys(_pattern_tokens(sink.pattern) for sink in self.sinks))

    def trigger_expansions(self) -> dict[str, tuple[tuple[str, ...], ...]]:
        """What the `TAINT_SOURCES` / `TAINT_SINKS` prefilter markers stand for, and the
        per-role / per-tier markers of `sinks_marker` and `sources_marker`. Computed once per
        catalog (a few ms for the built-in one; the engine and the project index both ask)."""
        memo = self.__dict__.get("_expansions")
        if memo is None:
            memo = self._trigger_expansions()
            object.__setattr__(self, "_expansions", memo)  # not a field: eq, hash, repr ignore it
        return dict(memo)

    def adopt_expansions(self, expansions: dict[str, tuple[tuple[str, ...], ...]]) -> None:
        """Take `expansions` as what `trigger_expansions` returns, for the engine only: this
        catalog's, computed by an earlier run with the same plugins and config and kept in the
        pre-commit fast path's signed trigger table (`aisec.fastpath`)."""
        object.__setattr__(self, "_expansions", expansions)

    def _trigger_expansions(self) -> dict[str, tuple[tuple[str, ...], ...]]:
        """`source_tokens` and `sink_tokens` of the catalog and of its parts per role and per tier,
        each entry's tokens computed once (a pre-commit run pays for this on every call)."""
        sinks = [
            (frozenset(arg.role for arg in sink.arguments), _pattern_tokens(sink.pattern))
            for sink in self.sinks
        ]
        sources = [(source.tier, _source_tokens(source)) for source in self.sources]
        sources += [(source.tier, _parameter_source_tokens(source)) for source in self.parameter_sources]

        def of_sinks(role: str | None) -> tuple[tuple[str, ...], ...]:
            own = INTRINSIC_TEMPLATE_TOKENS if role in (None, TEMPLATE) else ()
            return tuple(dict.fromkeys([*(t for roles, t in sinks if role is None or role in roles), *own]))

        def of_sources(tier: str | None) -> tuple[tuple[str, ...], ...]:
            return tuple(
                dict.fromkeys(alt for own, alts in sources if tier is None or own == tier for alt in alts)
            )

        expansions = {TAINT_SOURCES: of_sources(None), TAINT_SINKS: of_sinks(None)}
        for role in dict.fromkeys([TEMPLATE, *(arg.role for sink in self.sinks for arg in sink.arguments)]):
            expansions[sinks_marker(role)] = of_sinks(role)
        for tier in dict.fromkeys(tier for tier, _ in sources):
            expansions[sources_marker(tier)] = of_sources(tier)
        return expansions


@dataclass(frozen=True)
class TaintFact:
    """Where untrusted data came from, and what happened to it on the way.

    `description` is the source as written (`request.form["bio"]`, "parameter `q` of `chat()`"),
    `line` its 1-based line, `label` the catalog's name for the kind of source. `spliced` is true
    when, on the way, the data was joined with constant instruction text into one string
    (f-string, `%`, `.format`, `+`, `join`, a filled template) before any encoder; `encoded`
    names the encoders it passed (`json.dumps`).
    """

    tier: str
    description: str
    line: int = 0
    label: str = ""
    spliced: bool = False
    encoded: tuple[str, ...] = ()
    node: Any = field(default=None, compare=False, repr=False)
    steps: tuple[Any, ...] = field(default=(), compare=False, repr=False)
    """The calls the data went through from the source to the sink (nodes of this module): a
    helper that returned it, a helper it was passed to."""

    def where(self) -> str:
        """`request.form["bio"]` at line 12"""
        return f"{self.description} at line {self.line}" if self.line else self.description


@dataclass(frozen=True)
class SinkFlow:
    """Untrusted data reaching one argument of one sink call.

    `role`: what the data is there (INSTRUCTION, USER, TEMPLATE, or a pass-through role);
    `target`: where it went, for messages ("the system message of `openai.OpenAI.chat.completions.create`");
    `node`: the expression inside the call where it enters (report there); `sink`: the catalog
    entry (None when a template's `.invoke`/`.format` fills a slot); `message_role`: for chat
    messages, the message's role as written, lower case ("system", "assistant", "user"; "?" when
    the data itself decides the role).
    """

    fact: TaintFact
    role: str
    target: str
    node: Any = field(compare=False, repr=False)
    sink: Sink | None = None
    message_role: str | None = None
    remote: tuple[Any, ...] = field(default=(), compare=False, repr=False)
    """When the sink is in another module of the project (the call is of a project function that
    passes the argument on): `aisec.hooks.RelatedLocation`s of the path there, ending at the sink."""
    sink_node: Any = field(default=None, compare=False, repr=False)
    """When the sink is in a helper of this module and `node` is the argument of the call that
    passed the data in (reported there, as a flow into another module is): the sink's node."""


class TaintFacts(Protocol):
    """Dataflow facts of one module (`self.taint` on a rule), computed on first use."""

    def origin(self, expr: Any, tiers: Iterable[str] | None = None) -> TaintFact | None:
        """The most severe origin of untrusted data in `expr` (None: trusted or unknown)."""
        ...

    def origins(self, expr: Any) -> tuple[TaintFact, ...]:
        """Every known origin of untrusted data in `expr`, most severe first."""
        ...

    def is_untrusted(self, expr: Any, tiers: Iterable[str] | None = None) -> bool:
        """Whether `expr` may hold untrusted data (of one of `tiers`, default any)."""
        ...

    def sink_flows(self, call: Any) -> tuple[SinkFlow, ...]:
        """Untrusted data reaching arguments of this call: a catalog sink, or a prompt template's
        `.invoke`/`.format` filling a slot."""
        ...


# ----- prefilter tokens -----

_LITERAL_RUN = re.compile(r"[A-Za-z0-9_]+")


# pattern -> `_pattern_tokens`: catalogs repeat patterns, and each run's expansions ask again
_TOKENS: dict[str, tuple[str, ...]] = {}
_MAX_TOKENS = 8192  # patterns remembered (a long-lived process meets more catalogs)


def _pattern_tokens(pattern: str) -> tuple[str, ...]:
    """The literal name parts of a qualified-name pattern, all of which a module that contains
    a matching name spells.

    Sound: every part of a qualified name is spelled somewhere in the module (in an import, an
    attribute chain, an annotation or a base class), except the implicit `builtins` and
    `__call__`; a literal run inside a wildcard part (`Chat*`) is spelled too. Parts with a
    character class (`[...]`) are left out.
    """
    tokens = _TOKENS.get(pattern)
    if tokens is None:
        if len(_TOKENS) >= _MAX_TOKENS:
            _TOKENS.clear()
        tokens = _TOKENS[pattern] = _tokens_of(pattern)
    return tokens


def pattern_tokens_known() -> dict[str, tuple[str, ...]]:
    """Every pattern's tokens this process has worked out (the trigger table keeps them)."""
    return dict(_TOKENS)


def adopt_pattern_tokens(known: dict[str, tuple[str, ...]]) -> None:
    """Take `known` (`pattern_tokens_known` of an earlier run of this same aisec, kept in the
    pre-commit fast path's signed trigger table) instead of working them out again: the
    tokens are a function of the pattern alone."""
    if len(_TOKENS) + len(known) <= _MAX_TOKENS:
        _TOKENS.update(known)


def _tokens_of(pattern: str) -> tuple[str, ...]:
    tokens: list[str] = []
    for part in pattern.split("."):
        if part in ("builtins", "__call__") or "[" in part:
            continue
        if part.isascii() and part.replace("_", "a").isalnum():  # one literal run (most parts)
            tokens.append(part)
        else:
            tokens += _LITERAL_RUN.findall(part)
    return tuple(dict.fromkeys(tokens))


def entry_tokens(entry: Source | Sink) -> list[tuple[str, ...]]:
    """The token alternatives one source or sink gives (its share of `TaintCatalog.source_tokens`
    or `sink_tokens`)."""
    return _source_tokens(entry) if isinstance(entry, Source) else [_pattern_tokens(entry.pattern)]


def _source_tokens(source: Source) -> list[tuple[str, ...]]:
    """Tokens of a source: its pattern's, and for a scoped source one of its base classes' too
    (each base is an alternative)."""
    own = _pattern_tokens(source.pattern)
    return [own + _pattern_tokens(base) for base in source.within] or [own]


_MAX_COMBINATIONS = 16  # token alternatives of one parameter source, at most (`_parameter_source_tokens`)


def _parameter_source_tokens(source: ParameterSource) -> list[tuple[str, ...]]:
    """Tokens of a parameter source: all its conditions must hold, so one alternative of each
    condition will do, and their tokens together. The most selective condition is chosen first
    ([()] when none can tell), then the other conditions with several alternatives are combined
    with it while the combinations stay few (`_MAX_COMBINATIONS`): "imports django or
    rest_framework" and "a parameter named request" give `(request, django)` and
    `(request, rest_framework)`, not `request` alone, which every module passing a request on
    spells. The tokens of every condition with a single alternative, and every name of
    `signature`, are added to each (they must all be spelled: `functions=("__init__",)` alone
    would admit every module defining a class)."""
    conditions = [
        [*source.decorators, *source.registrars],
        list(source.functions),
        list(source.base_classes),
        list(source.requires_import),
        list(source.params),
    ]
    choices = [
        alternatives
        for alternatives in ([_pattern_tokens(pattern) for pattern in condition] for condition in conditions)
        if alternatives and all(alternatives)
    ]
    best: list[tuple[str, ...]] = [()]
    if choices:
        first = max(choices, key=lambda c: min(sum(len(token) for token in alt) for alt in c))
        best = list(first)
        for other in sorted((c for c in choices if c is not first and len(c) > 1), key=len):
            if len(best) * len(other) > _MAX_COMBINATIONS:
                break
            best = [(*mine, *theirs) for mine in best for theirs in other]
    required = [
        token for condition in conditions if len(condition) == 1 for token in _pattern_tokens(condition[0])
    ] + [token for name in source.signature for token in _pattern_tokens(name)]
    return [tuple(dict.fromkeys((*alternative, *required))) for alternative in best]
