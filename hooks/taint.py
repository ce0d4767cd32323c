"""The taint contract: catalogs of sources, sinks and sanitizers (data), and the facts rules get.

Plugins return a `TaintCatalog` from `aisec_taint_catalog()`; projects add entries under
`[tool.aisec.taint]` (`catalog_from_config` reads that table). The engine merges every catalog,
runs one dataflow analysis per module the first time a rule asks, and answers through the
`TaintFacts` protocol (`self.taint` on a rule):

    for flow in self.taint.sink_flows(call):          # data reaching an argument of a sink
        if flow.role == INSTRUCTION and flow.fact.tier == REMOTE: ...
    fact = self.taint.origin(expr)                    # where untrusted data in `expr` came from

Patterns are `fnmatch` patterns over qualified names, as `aisec.hooks.NameResolver` spells them
(`openai.OpenAI.chat.completions.create`; `builtins.input`). When the receiver of a call cannot
be resolved (a client passed in as a parameter), the engine matches the name as written instead
(`client.chat.completions.create`), so patterns that start with `*.` (`*.chat.completions.create`)
also catch those. Calling an object that a call returned (`pipe = pipeline(...)`; `pipe(x)`) is
spelled with a trailing `.__call__` (`transformers.pipeline.__call__`).

Plain dataclasses only: importing this module must stay cheap, and it never imports libcst.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Protocol, Sequence

# ----- trust tiers of sources -----

REMOTE = "remote"
"""Attacker-controlled request data: web frameworks, webhooks, chat/UI inputs (high severity)."""
INDIRECT = "indirect"
"""Content the attacker may have written: fetched pages, files, DB rows, retrieved documents."""
CLI = "cli"
"""Local operator input: `input()`, `sys.argv`, argparse, CLI framework options (low severity)."""
LLM_OUTPUT = "llm_output"
"""Model responses (the source of the LLM-output rules, AIS3xx)."""
TIERS = (REMOTE, INDIRECT, CLI, LLM_OUTPUT)

# ----- what an argument of a sink carries (SinkArgument.role) -----

INSTRUCTION = "instruction"
"""Instruction context: system/developer prompts, `instructions=`, `system=`, agent prompts."""
USER = "user"
"""User content: a single prompt string or a user message. Untrusted text alone here is the
designed channel; untrusted text spliced with instruction text into one string is not."""
TEMPLATE = "template"
"""The text of a prompt template (variables in it are filled in later; a template engine
interprets it)."""
MESSAGES = "messages"
"""A list of chat messages; each message's role decides whether its content is instruction
context. A whole list taken from untrusted data lets the data choose roles (instruction)."""
INPUT = "input"
"""A single prompt string (user content) or a list of chat messages (as `MESSAGES`)."""
MESSAGE = "message"
"""The call's own keyword arguments form one chat message (`role=`, `content=`)."""
TEMPLATE_MESSAGES = "template_messages"
"""A list of `(role, template)` pairs / message templates (`ChatPromptTemplate.from_messages`)."""
ROLES = (INSTRUCTION, USER, TEMPLATE, MESSAGES, INPUT, MESSAGE, TEMPLATE_MESSAGES)
"""Roles the engine interprets. Any other role string (a later rule family's, e.g. "exec") is
passed through: every untrusted fact of the argument is a flow with that role."""

# Message roles (lower-cased) whose content is instruction context. Assistant-like roles count:
# data there is a forged model turn the model treats as its own words.
INSTRUCTION_MESSAGE_ROLES = frozenset({"system", "developer"})
ASSISTANT_MESSAGE_ROLES = frozenset({"assistant", "ai", "model", "chatbot"})

# ----- sanitizer kinds -----

CAST = "cast"
"""The result is trusted (`int(x)`, `uuid.UUID(x)`, a team's `clean_prompt(x)`)."""
ENCODER = "encoder"
"""The result is the data encoded/escaped (`json.dumps`, `html.escape`): still untrusted text,
but it cannot break out of a fence; facts record it in `TaintFact.encoded`."""
GUARD = "guard"
"""A check: where the call is truthy (`if re.fullmatch(p, x):`, or after
`if not check(x): return`) the checked argument is trusted."""
SANITIZER_KINDS = (CAST, ENCODER, GUARD)

SOURCE_KINDS = ("any", "call", "attribute")

# Prefilter markers for `Rule.trigger_groups`: they stand for the tokens of every source
# (or sink) of the merged catalog, so a team's catalog entries also open the gate.
TAINT_SOURCES = "@taint:sources"
TAINT_SINKS = "@taint:sinks"


@dataclass(frozen=True)
class Source:
    """Untrusted data produced by calling, or reading, a qualified name.

    `kind`: "call" (the value a call returns: `builtins.input`, `requests.get`), "attribute"
    (the value of reading the name: `flask.request.form`, `sys.argv`) or "any" (both).
    `static_argument`: the call is not a source when this argument (0-based position, keyword
    name, or "self" for the receiver of a method call) is a static value: a literal, a path
    built from `__file__`, a module constant, the environment (`open("prompts/system.txt")`
    reads the project's own file, `open(path)` reads a document).
    """

    pattern: str
    tier: str = REMOTE
    kind: str = "any"
    label: str = ""
    static_argument: int | str | None = None


@dataclass(frozen=True)
class ParameterSource:
    """Parameters of some functions are untrusted: route handlers, Lambda handlers, UI callbacks.

    A function qualifies when it is registered by one of `decorators` (decorator expressions,
    called or not: `fastapi.FastAPI.get`, `flask.Flask.route`) or `registrars` (calls that take
    the function as an argument: `gradio.Interface` with `fn=`; `callback` says which argument)
    when either is given, and when every other given condition holds: its name matches
    `functions`, it is a method of a class deriving from `base_classes`, it has all of
    `with_params`, the module imports one of `requires_import`.

    Its parameters matching `params` (every parameter but `self`/`cls` when empty) and, when
    given, `annotations` (qualified type patterns) are sources, except parameters typed as
    non-text scalars (`int`, `float`, `bool`, `Literal[...]`, enums, ...), typed with one of
    `exclude_annotations`, or defaulting to a call of `exclude_defaults` (`fastapi.Depends`).
    With `attributes`, the parameter is a request object: only reading (or calling) those
    attributes yields untrusted data (`request.GET`, `request.json()`).
    """

    tier: str = REMOTE
    decorators: tuple[str, ...] = ()
    registrars: tuple[str, ...] = ()
    callback: tuple[str | None, int | None] = ("fn", 0)
    functions: tuple[str, ...] = ()
    base_classes: tuple[str, ...] = ()
    with_params: tuple[str, ...] = ()
    requires_import: tuple[str, ...] = ()
    params: tuple[str, ...] = ()
    annotations: tuple[str, ...] = ()
    exclude_annotations: tuple[str, ...] = ()
    exclude_defaults: tuple[str, ...] = ()
    attributes: tuple[str, ...] = ()
    label: str = ""


@dataclass(frozen=True)
class SinkArgument:
    """Which argument of a sink call carries what (`role`, see ROLES).

    The argument is `keyword=` or, failing that, the 0-based `position`; with neither, every
    argument. `path` descends into it: dict keys of a dict literal (or of a dict later passed
    through `json.dumps`), or keyword arguments of a constructor call
    (`config=types.GenerateContentConfig(system_instruction=...)` is `path=("system_instruction",)`).
    For message roles, `role_key` names the role entry of a message and `content_keys` the
    entries holding its text (role names compare case-insensitively).
    """

    role: str
    keyword: str | None = None
    position: int | None = None
    path: tuple[str, ...] = ()
    role_key: str = "role"
    content_keys: tuple[str, ...] = ("content",)


@dataclass(frozen=True)
class Sink:
    """A call whose arguments reach an LLM (or, for other rule families, another sink).

    `label` names it in messages (default: the qualified name of the call as resolved).
    """

    pattern: str
    arguments: tuple[SinkArgument, ...]
    label: str = ""


@dataclass(frozen=True)
class Sanitizer:
    """A call that makes data trusted (`cast`), encodes it (`encoder`) or checks it (`guard`).

    `argument` is the checked argument of a guard (0-based; "self" for the receiver of a
    method such as `PATTERN.fullmatch(x)` -> use 0 for `x`).
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
        sources: dict[Source, None] = {}
        parameters: dict[ParameterSource, None] = {}
        sinks: dict[Sink, None] = {}
        sanitizers: dict[Sanitizer, None] = {}
        for catalog in catalogs:
            if catalog is None:
                continue
            if not isinstance(catalog, TaintCatalog):
                raise TypeError(f"expected an aisec.hooks.TaintCatalog, got {type(catalog).__name__}")
            sources.update(dict.fromkeys(catalog.sources))
            parameters.update(dict.fromkeys(catalog.parameter_sources))
            sinks.update(dict.fromkeys(catalog.sinks))
            sanitizers.update(dict.fromkeys(catalog.sanitizers))
        return TaintCatalog(tuple(sources), tuple(parameters), tuple(sinks), tuple(sanitizers))

    def source_tokens(self) -> tuple[str, ...]:
        """Prefilter tokens: a module in which none occurs contains no source of this catalog.

        "" means "cannot tell" (a pattern without a literal name part): the gate stays open.
        """
        tokens = [_pattern_token(source.pattern) for source in self.sources]
        for source in self.parameter_sources:
            tokens += _parameter_source_tokens(source)
        return tuple(dict.fromkeys(tokens))

    def sink_tokens(self) -> tuple[str, ...]:
        """Prefilter tokens of the sinks (see `source_tokens`)."""
        return tuple(dict.fromkeys(_pattern_token(sink.pattern) for sink in self.sinks))

    def trigger_expansions(self) -> dict[str, tuple[str, ...]]:
        """What the `TAINT_SOURCES` / `TAINT_SINKS` markers of `Rule.trigger_groups` stand for."""
        return {TAINT_SOURCES: self.source_tokens(), TAINT_SINKS: self.sink_tokens()}


@dataclass(frozen=True)
class TaintFact:
    """Where untrusted data came from, and what happened to it on the way.

    `description` is the source as written (`request.form["bio"]`, or "parameter `q` of
    `chat()`"), `line` its 1-based line, `label` the catalog's name for the kind of source
    ("Flask request data"). `spliced` is true when, on the way, the data was joined with
    constant instruction text into one string (f-string, `%`, `.format`, `+`, `join`, a filled
    template), `splice_line` where; `encoded` names the encoders it passed (`json.dumps`).
    """

    tier: str
    description: str
    line: int = 0
    label: str = ""
    spliced: bool = False
    splice_line: int = 0
    encoded: tuple[str, ...] = ()
    node: Any = field(default=None, compare=False, repr=False)

    def where(self) -> str:
        """`request.form["bio"]` at line 12"""
        return f"{self.description} at line {self.line}" if self.line else self.description


@dataclass(frozen=True)
class SinkFlow:
    """Untrusted data reaching one argument of one sink call.

    `role`: what the data is there (INSTRUCTION, USER, TEMPLATE, or a pass-through role);
    `target`: where it went, for messages ("system message of openai.OpenAI.chat.completions.create");
    `node`: the expression inside the call where it enters (report it there);
    `sink`: the catalog entry (None for a template variable bound by `.invoke`/`.format`).
    """

    fact: TaintFact
    role: str
    target: str
    node: Any = field(compare=False, repr=False)
    sink: Sink | None = None


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
        """Untrusted data reaching arguments of this call (a catalog sink, or a prompt
        template's `.invoke`/`.format` binding a template variable)."""
        ...


# ----- prefilter tokens -----

_LITERAL_RUN = re.compile(r"[A-Za-z0-9_]+")


def _pattern_token(pattern: str) -> str:
    """The longest literal name part of a qualified-name pattern ("" when there is none).

    Sound as a prefilter token: every part of a qualified name is spelled somewhere in the
    module (in an import or in the attribute chain), except the implicit `builtins` and
    `__call__`; a literal run inside a wildcard part (`Chat*`) is spelled too.
    """
    best = ""
    for part in pattern.split("."):
        if part in ("builtins", "__call__"):
            continue
        for run in _LITERAL_RUN.findall(part):
            if len(run) > len(best):
                best = run
    return best


def _parameter_source_tokens(source: ParameterSource) -> list[str]:
    """Tokens of a parameter source: all its conditions must hold, so the alternatives of any
    one condition will do; the most selective condition is chosen ([""] when none can tell)."""
    conditions = [
        [*source.decorators, *source.registrars],
        list(source.functions),
        list(source.base_classes),
        list(source.requires_import),
        list(source.annotations),
        list(source.params),
        *([name] for name in source.with_params),
    ]
    best: list[str] = [""]
    best_score = 0
    for condition in conditions:
        tokens = [_pattern_token(pattern) for pattern in condition]
        if not tokens or not all(tokens):
            continue
        score = min(len(token) for token in tokens)
        if score > best_score:
            best, best_score = tokens, score
    return best


# ----- [tool.aisec.taint] -----


class TaintConfigError(ValueError):
    """A bad `[tool.aisec.taint]` entry; the message starts with the key, in backticks."""


_SOURCE_KEYS = {"pattern", "tier", "kind", "label", "static-argument"}
_PARAMETER_KEYS = {
    "tier",
    "decorators",
    "registrars",
    "callback-keyword",
    "callback-position",
    "functions",
    "base-classes",
    "with-params",
    "requires-import",
    "params",
    "annotations",
    "exclude-annotations",
    "exclude-defaults",
    "attributes",
    "label",
}
_ARGUMENT_KEYS = {"role", "keyword", "position", "path", "role-key", "content-keys"}
_SINK_KEYS = {"pattern", "label", "arguments"} | _ARGUMENT_KEYS
_SANITIZER_KEYS = {"pattern", "kind", "argument"}


def catalog_from_config(table: Mapping[str, Any], key: str = "tool.aisec.taint") -> TaintCatalog:
    """Build a catalog from `[tool.aisec.taint]`; raises `TaintConfigError` naming the key.

    ```toml
    [tool.aisec.taint]
    # a string is a qualified-name pattern: a remote source (call or attribute),
    # a sink whose every argument is instruction context, a cast-like sanitizer
    sources = ["acme.web.get_param", {pattern = "acme.queue.receive", tier = "indirect"},
               {decorators = ["acme.api.route"], tier = "remote"}]
    sinks = ["acme.llm.set_system_prompt",
             {pattern = "acme.llm.ask", keyword = "system", position = 1, role = "instruction"}]
    sanitizers = ["acme.text.clean_prompt", {pattern = "acme.text.is_slug", kind = "guard"}]
    ```
    """
    sources: list[Source] = []
    parameters: list[ParameterSource] = []
    sinks: list[Sink] = []
    sanitizers: list[Sanitizer] = []
    for name, value in table.items():
        if name not in ("sources", "sinks", "sanitizers"):
            raise TaintConfigError(f"unknown key `{key}.{name}`; valid keys: sanitizers, sinks, sources")
        if not isinstance(value, list):
            raise TaintConfigError(f"`{key}.{name}` must be a list of strings or tables, got {value!r}")
        for index, entry in enumerate(value):
            where = f"{key}.{name}[{index}]"
            if name == "sources":
                parsed = _parse_source(where, entry)
                if isinstance(parsed, ParameterSource):
                    parameters.append(parsed)
                else:
                    sources.append(parsed)
            elif name == "sinks":
                sinks.append(_parse_sink(where, entry))
            else:
                sanitizers.append(_parse_sanitizer(where, entry))
    return TaintCatalog(tuple(sources), tuple(parameters), tuple(sinks), tuple(sanitizers))


def _pattern(where: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or any(c.isspace() for c in value):
        raise TaintConfigError(f"`{where}` must be a qualified-name pattern such as 'acme.llm.ask', got {value!r}")
    return value


def _table(where: str, entry: Any, keys: set[str]) -> Mapping[str, Any]:
    if not isinstance(entry, Mapping):
        raise TaintConfigError(f"`{where}` must be a string or a table, got {entry!r}")
    for name in entry:
        if name not in keys:
            raise TaintConfigError(f"unknown key `{where}.{name}`; valid keys: {', '.join(sorted(keys))}")
    return entry


def _choice(where: str, value: Any, valid: Sequence[str]) -> str:
    if value not in valid:
        raise TaintConfigError(f"`{where}` must be one of {', '.join(valid)}, got {value!r}")
    return value


def _strings(where: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise TaintConfigError(f"`{where}` must be a list of strings, got {value!r}")
    return tuple(value)


def _optional_int(where: str, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise TaintConfigError(f"`{where}` must be a non-negative integer, got {value!r}")
    return value


def _optional_str(where: str, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise TaintConfigError(f"`{where}` must be a string, got {value!r}")
    return value


def _parse_source(where: str, entry: Any) -> Source | ParameterSource:
    if isinstance(entry, str):
        return Source(_pattern(where, entry))
    if isinstance(entry, Mapping) and "pattern" not in entry:
        return _parse_parameter_source(where, entry)
    table = _table(where, entry, _SOURCE_KEYS)
    static = table.get("static-argument")
    if static is not None and not (
        (isinstance(static, int) and not isinstance(static, bool) and static >= 0) or isinstance(static, str)
    ):
        raise TaintConfigError(f"`{where}.static-argument` must be a position, a keyword or 'self', got {static!r}")
    return Source(
        _pattern(f"{where}.pattern", table["pattern"]),
        tier=_choice(f"{where}.tier", table.get("tier", REMOTE), TIERS),
        kind=_choice(f"{where}.kind", table.get("kind", "any"), SOURCE_KINDS),
        label=_optional_str(f"{where}.label", table.get("label")) or "",
        static_argument=static,
    )


def _parse_parameter_source(where: str, entry: Any) -> ParameterSource:
    table = _table(where, entry, _PARAMETER_KEYS)
    lists = {
        name: tuple(_pattern(f"{where}.{name}[{i}]", p) for i, p in enumerate(_strings(f"{where}.{name}", table[name])))
        for name in (
            "decorators",
            "registrars",
            "functions",
            "base-classes",
            "with-params",
            "requires-import",
            "params",
            "annotations",
            "exclude-annotations",
            "exclude-defaults",
            "attributes",
        )
        if name in table
    }
    if not any(
        lists.get(name)
        for name in ("decorators", "registrars", "functions", "base-classes", "params", "annotations")
    ):
        raise TaintConfigError(
            f"`{where}` needs `pattern` (a call or attribute source) or one of `decorators`, `registrars`, `functions`, `base-classes`, `params`, `annotations` (a parameter source)"
        )
    return ParameterSource(
        tier=_choice(f"{where}.tier", table.get("tier", REMOTE), TIERS),
        decorators=lists.get("decorators", ()),
        registrars=lists.get("registrars", ()),
        callback=(
            _optional_str(f"{where}.callback-keyword", table.get("callback-keyword", "fn")),
            _optional_int(f"{where}.callback-position", table.get("callback-position", 0)),
        ),
        functions=lists.get("functions", ()),
        base_classes=lists.get("base-classes", ()),
        with_params=lists.get("with-params", ()),
        requires_import=lists.get("requires-import", ()),
        params=lists.get("params", ()),
        annotations=lists.get("annotations", ()),
        exclude_annotations=lists.get("exclude-annotations", ()),
        exclude_defaults=lists.get("exclude-defaults", ()),
        attributes=lists.get("attributes", ()),
        label=_optional_str(f"{where}.label", table.get("label")) or "",
    )


def _parse_argument(where: str, table: Mapping[str, Any]) -> SinkArgument:
    role = table.get("role", INSTRUCTION)
    if not isinstance(role, str) or not role:
        raise TaintConfigError(f"`{where}.role` must be one of {', '.join(ROLES)} (or another rule family's role), got {role!r}")
    path = _strings(f"{where}.path", table["path"]) if "path" in table else ()
    content = _strings(f"{where}.content-keys", table["content-keys"]) if "content-keys" in table else ("content",)
    return SinkArgument(
        role=role,
        keyword=_optional_str(f"{where}.keyword", table.get("keyword")),
        position=_optional_int(f"{where}.position", table.get("position")),
        path=path,
        role_key=_optional_str(f"{where}.role-key", table.get("role-key")) or "role",
        content_keys=content,
    )


def _parse_sink(where: str, entry: Any) -> Sink:
    if isinstance(entry, str):
        return Sink(_pattern(where, entry), (SinkArgument(INSTRUCTION),))
    table = _table(where, entry, _SINK_KEYS)
    if "pattern" not in table:
        raise TaintConfigError(f"`{where}` needs `pattern`, the qualified name of the call")
    pattern = _pattern(f"{where}.pattern", table["pattern"])
    if "arguments" in table:
        if _ARGUMENT_KEYS & set(table):
            raise TaintConfigError(f"`{where}`: give either `arguments` or one argument's keys, not both")
        raw = table["arguments"]
        if not isinstance(raw, list) or not raw:
            raise TaintConfigError(f"`{where}.arguments` must be a non-empty list of tables")
        arguments = tuple(
            _parse_argument(f"{where}.arguments[{i}]", _table(f"{where}.arguments[{i}]", item, _ARGUMENT_KEYS))
            for i, item in enumerate(raw)
        )
    else:
        arguments = (_parse_argument(where, table),)
    label = _optional_str(f"{where}.label", table.get("label")) or ""
    return Sink(pattern, arguments, label)


def _parse_sanitizer(where: str, entry: Any) -> Sanitizer:
    if isinstance(entry, str):
        return Sanitizer(_pattern(where, entry))
    table = _table(where, entry, _SANITIZER_KEYS)
    if "pattern" not in table:
        raise TaintConfigError(f"`{where}` needs `pattern`, the qualified name of the call")
    argument = table.get("argument", 0)
    if not (
        (isinstance(argument, int) and not isinstance(argument, bool) and argument >= 0) or argument == "self"
    ):
        raise TaintConfigError(f"`{where}.argument` must be a position or 'self', got {argument!r}")
    return Sanitizer(
        _pattern(f"{where}.pattern", table["pattern"]),
        kind=_choice(f"{where}.kind", table.get("kind", CAST), SANITIZER_KINDS),
        argument=argument,
    )
