"""Intra-module taint analysis over libcst: where untrusted data goes within one file.

Built the first time a rule asks (`self.taint` on a rule), once per file, from the module, the
file's `NameTable` and the run's merged `TaintCatalog`; files where no rule asks never pay for it.

The analysis evaluates every unit of the module (the module body, each function and method) over
abstract values (`_Value`): the facts a value may carry (untrusted sources, or placeholders for a
function's parameters), plus the structure rules need (list items and dict keys for chat messages,
the constant text for splice detection and role literals, template slots, object types). It is
flow-sensitive within a unit (statements in order, branches joined, narrowing by guards and early
exits) and context-sensitive through function summaries: a function's return value is computed
with placeholder facts for its parameters and substituted at each call site. Summaries, `self`
attributes and module globals are iterated to a fixpoint (bounded rounds; recursion terminates).
Parameters that still carry placeholders at a sink are resolved against the module's call sites
when a rule asks.

Line numbers of sources come from one cheap code-generation pass (no position metadata), done
only when a fact is first handed to a rule.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase
from typing import Any, Iterable, Sequence

import libcst as cst
from aisec.hooks import (
    CAST,
    CLI,
    GUARD,
    INDIRECT,
    INPUT,
    INSTRUCTION,
    LLM_OUTPUT,
    MESSAGE,
    MESSAGES,
    REMOTE,
    TEMPLATE,
    USER,
    ParameterSource,
    Sink,
    SinkArgument,
    SinkFlow,
    TaintCatalog,
    TaintFact,
)

from .args import ArgHelper
from .names import STATEMENT_TYPES

MAX_ROUNDS = 6  # fixpoint rounds over summaries, `self` attributes and globals
MAX_ITEMS = 32  # longer lists/dicts collapse into their facts
MAX_DEPTH = 8  # deeper structure collapses too (recursive builders stay finite)
SPLICE_WORDS = 3  # constant words that make a string "instruction text"

# ----- pattern lookup -----


class _Patterns:
    """Entries keyed by fnmatch patterns, looked up by name; indexed by the last name part."""

    def __init__(self, entries: Iterable[tuple[str, Any]]) -> None:
        self._by_last: dict[str, list[tuple[str, Any]]] = {}
        self._wild: list[tuple[str, Any]] = []
        self._memo: dict[tuple[str, ...], list[tuple[Any, str]]] = {}
        for pattern, entry in entries:
            last = pattern.rsplit(".", 1)[-1]
            if any(c in last for c in "*?["):
                self._wild.append((pattern, entry))
            else:
                self._by_last.setdefault(last, []).append((pattern, entry))

    def match(self, names: Iterable[str]) -> list[Any]:
        return [entry for entry, _ in self.match_names(names)]

    def match_names(self, names: Iterable[str]) -> list[tuple[Any, str]]:
        """(entry, the name that matched it), each entry once."""
        key = tuple(names)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = self._match(key)
        return found

    def _match(self, names: tuple[str, ...]) -> list[tuple[Any, str]]:
        found: list[tuple[Any, str]] = []
        for name in names:
            last = name.rsplit(".", 1)[-1]
            for pattern, entry in (*self._by_last.get(last, ()), *self._wild):
                if fnmatchcase(name, pattern) and not any(entry is f for f, _ in found):
                    found.append((entry, name))
        return found


@dataclass(frozen=True)
class _CatalogIndex:
    """A catalog's patterns, indexed once per run (every file of the run shares it)."""

    sources: _Patterns
    sinks: _Patterns
    sanitizers: _Patterns
    decorators: _Patterns
    registrars: _Patterns

    @staticmethod
    def of(catalog: TaintCatalog) -> _CatalogIndex:
        cached = _INDEXES.get(id(catalog))
        if cached is not None and cached[0] is catalog:
            return cached[1]
        index = _CatalogIndex(
            _Patterns((s.pattern, s) for s in catalog.sources),
            _Patterns((s.pattern, s) for s in catalog.sinks),
            _Patterns((s.pattern, s) for s in catalog.sanitizers),
            _Patterns((p, ps) for ps in catalog.parameter_sources for p in ps.decorators),
            _Patterns((p, ps) for ps in catalog.parameter_sources for p in ps.registrars),
        )
        _INDEXES[id(catalog)] = (catalog, index)
        return index


_INDEXES: dict[int, tuple[TaintCatalog, _CatalogIndex]] = {}


# ----- facts and abstract values -----


@dataclass(frozen=True)
class _Site:
    """One occurrence of a source in the module."""

    tier: str
    label: str
    node: Any
    text: str | None = None  # fixed description (parameter sources); else the node's code


@dataclass(frozen=True)
class _Taint:
    """Untrusted data from `site`. With `cond`, only if one of those parameters (function index,
    parameter index) receives a non-static value (`open(path)` inside a helper)."""

    site: _Site
    spliced: bool = False
    encoded: tuple[str, ...] = ()
    cond: frozenset[tuple[int, int]] = frozenset()


@dataclass(frozen=True)
class _Param:
    """Whatever the caller passes as parameter `index` of function `func` (a placeholder)."""

    func: int
    index: int
    spliced: bool = False
    encoded: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Slot:
    """A `{name}` variable of a prompt template, and the role of the text around it."""

    name: str
    role: str  # INSTRUCTION, USER or MESSAGES
    spliced: bool
    target: str


@dataclass(frozen=True, eq=False)
class _Instance:
    cls: Any


_EMPTY: frozenset = frozenset()


@dataclass(frozen=True)
class _Value:
    """What an expression may hold (see the module docstring). Immutable; equal values compare
    equal, which is how the fixpoint detects that nothing changed."""

    facts: frozenset = _EMPTY  # of the value itself (strings, opaque objects, unknown list content)
    items: tuple | None = None  # known list/tuple elements
    keys: tuple | None = None  # known dict entries / object attributes: ((name, _Value), ...)
    const: str | None = None  # the text, when it is a known constant string
    words: int = 0  # constant instruction words in the text
    slots: tuple = ()  # template slots (_Slot)
    checked: bool = False  # built by a sink call (a message or response): checked where it was built
    type_name: str | None = None  # qualified type of an object, for resolving its attributes
    ref: Any = None  # a local def: _Function, _Class, or _Instance of a _Class
    clean_attrs: frozenset = _EMPTY  # attributes that never hold data (argparse `type=int` options)
    instance: bool = False  # an object a call returned (calling it is `<type_name>.__call__`)
    all: frozenset = field(default=_EMPTY, compare=False, repr=False)  # every fact, nested too
    depth: int = field(default=1, compare=False, repr=False)

    def __post_init__(self) -> None:
        facts = self.facts
        depth = 1
        if self.items:
            for item in self.items:
                facts = facts | item.all
                depth = max(depth, item.depth + 1)
        if self.keys:
            for _, value in self.keys:
                facts = facts | value.all
                depth = max(depth, value.depth + 1)
        object.__setattr__(self, "all", facts)
        object.__setattr__(self, "depth", depth)

    def key(self, name: str) -> _Value | None:
        if self.keys:
            for key, value in self.keys:
                if key == name:
                    return value
        return None

    def element(self) -> _Value:
        """Any one element (iteration, unknown index)."""
        value = _Value(self.facts)
        for item in self.items or ():
            value = _join(value, item)
        for _, item in self.keys or ():
            value = _join(value, item)
        return value


EMPTY = _Value()


def _text_value(text: str) -> _Value:
    return _Value(const=text, words=_count_words(text))


_FIELD = re.compile(r"\{\{[^{}]*\}\}|\{[^{}]*\}")
_WORD = re.compile(r"[A-Za-z]{2,}")


def _count_words(text: str) -> int:
    return len(_WORD.findall(_FIELD.sub(" ", text)))


def _container(
    facts: frozenset = _EMPTY, items: tuple | None = None, keys: tuple | None = None, **extra: Any
) -> _Value:
    """A list or dict value, collapsed into its facts when it grows too long or too deep."""
    value = _Value(facts, items, keys, **extra)
    if (items is not None and len(items) > MAX_ITEMS) or (keys is not None and len(keys) > MAX_ITEMS):
        return _Value(value.all, **extra)
    if value.depth > MAX_DEPTH:
        return _Value(value.all, **extra)
    return value


def _join(a: _Value | None, b: _Value | None) -> _Value:
    """May-union of two values (control-flow merge)."""
    if a is None:
        return b or EMPTY
    if b is None or a is b or a == b:
        return a
    if a is EMPTY:
        return b
    if b is EMPTY:
        return a
    facts = a.facts | b.facts
    items: tuple | None
    if a.items is not None and b.items is not None:
        common = min(len(a.items), len(b.items))
        longer = a.items if len(a.items) >= len(b.items) else b.items
        items = (
            *(_join(x, y) for x, y in zip(a.items[:common], b.items[:common], strict=True)),
            *longer[common:],
        )
    else:
        items = a.items if a.items is not None else b.items
    keys: tuple | None
    if a.keys is not None and b.keys is not None:
        merged: dict[str, _Value] = dict(a.keys)
        for name, value in b.keys:
            merged[name] = _join(merged.get(name), value)
        keys = tuple(merged.items())
    else:
        keys = a.keys if a.keys is not None else b.keys
    return _container(
        facts,
        items,
        keys,
        const=a.const if a.const == b.const else None,
        words=max(a.words, b.words),
        slots=tuple(dict.fromkeys(a.slots + b.slots)),
        checked=a.checked and b.checked,
        type_name=a.type_name if a.type_name == b.type_name else (a.type_name or b.type_name),
        ref=a.ref if a.ref is b.ref else None,
        clean_attrs=a.clean_attrs & b.clean_attrs,
        instance=a.instance and b.instance,
    )


def _join_all(values: Iterable[_Value]) -> _Value:
    result = EMPTY
    for value in values:
        result = _join(result, value)
    return result


def _opaque(value: _Value, **extra: Any) -> _Value:
    """The value's data without its structure (an attribute of a tainted object, a string method)."""
    return _Value(value.all, words=value.words, **extra)


def _mark_spliced(fact: Any) -> Any:
    if fact.encoded or fact.spliced:
        return fact
    return replace(fact, spliced=True)


def _mark_encoded(fact: Any, encoder: str) -> Any:
    if encoder in fact.encoded:
        return fact
    return replace(fact, encoded=(*fact.encoded, encoder))


def _map_facts(value: _Value, fn: Any) -> _Value:
    """The value with `fn` applied to every fact, structure kept."""
    if not value.all:
        return value
    return _Value(
        frozenset(fn(f) for f in value.facts),
        None if value.items is None else tuple(_map_facts(item, fn) for item in value.items),
        None if value.keys is None else tuple((k, _map_facts(v, fn)) for k, v in value.keys),
        value.const,
        value.words,
        value.slots,
        value.checked,
        value.type_name,
        value.ref,
        value.clean_attrs,
        value.instance,
    )


# ----- units: functions and classes of the module -----


@dataclass(eq=False)
class _Function:
    index: int
    node: cst.FunctionDef
    name: str
    chain: tuple  # enclosing statements from the module level down to the def (for the names table)
    cls: Any = None  # _Class when a method
    parent: Any = None  # enclosing _Function (closures)
    params: list = field(default_factory=list)  # (name, kind, param node); kind: pos/kw/star/dstar
    kind: str = "function"  # function | method | static | class
    decorators: list = field(default_factory=list)  # (expression, qualified name, name as written)
    initial: dict = field(default_factory=dict)  # parameter index -> _Value (sources, types)

    @property
    def display(self) -> str:
        return f"{self.cls.name}.{self.name}" if self.cls is not None else self.name


@dataclass(eq=False)
class _Class:
    node: cst.ClassDef
    name: str
    bases: tuple[str, ...]  # qualified names of the bases that resolve
    local_bases: tuple = ()  # _Class bases defined in this module
    methods: dict = field(default_factory=dict)
    field_types: dict = field(default_factory=dict)  # class-level annotations: name -> is text
    is_enum: bool = False
    constants: dict = field(default_factory=dict)  # class-body assignments

    def method(self, name: str) -> _Function | None:
        found = self.methods.get(name)
        if found is None:
            for base in self.local_bases:
                found = base.method(name)
                if found is not None:
                    break
        return found

    def all_bases(self) -> tuple[str, ...]:
        bases = self.bases
        for base in self.local_bases:
            bases += base.all_bases()
        return bases


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_NON_TEXT_TYPES = _words(
    "builtins.int builtins.float builtins.bool builtins.complex builtins.bytes datetime.date "
    "datetime.datetime datetime.time datetime.timedelta uuid.UUID decimal.Decimal "
    "pydantic.PositiveInt pydantic.NegativeInt pydantic.NonNegativeInt pydantic.PositiveFloat "
    "pydantic.StrictInt pydantic.StrictFloat pydantic.StrictBool pydantic.conint "
    "pydantic.confloat"
)
_WRAPPER_TYPES = frozenset(
    {"typing.Optional", "typing.Annotated", "typing_extensions.Annotated", "typing.Final", "typing.ClassVar"}
)
_LITERAL_TYPES = frozenset({"typing.Literal", "typing_extensions.Literal"})
_ENUM_BASES = ("enum.Enum", "enum.IntEnum", "enum.StrEnum", "enum.Flag", "enum.IntFlag")

_NORETURN = _words(
    "flask.abort werkzeug.exceptions.abort sys.exit builtins.exit builtins.quit os._exit os.abort "
    "streamlit.stop pytest.fail pytest.skip typer.Exit click.Abort"
)

_STRING_METHODS_KEEP = _words(
    "strip lstrip rstrip lower upper title casefold capitalize swapcase removeprefix removesuffix "
    "expandtabs ljust rjust center zfill translate encode decode splitlines split rsplit "
    "partition rpartition copy read readline readlines read_text getvalue text json"
)
_CONST_PRESERVING = frozenset({"strip", "lstrip", "rstrip"})
_NON_TEXT_METHODS = _words(
    "count find rfind index rindex startswith endswith isdigit isalpha isalnum isnumeric "
    "isdecimal isidentifier islower isupper isspace istitle isascii __len__ __contains__ is_file "
    "is_dir exists"
)
_CASE_METHODS = frozenset({"lower", "upper", "strip", "casefold", "title", "lstrip", "rstrip"})
_GET_METHODS = frozenset({"get", "getlist", "getone", "get_all", "pop", "getfirst", "get_argument"})
_MUTATORS = frozenset(
    {"append", "extend", "insert", "update", "setdefault", "add", "appendleft", "__setitem__"}
)
_INSTRUCTION_ROLES = frozenset({"system", "developer"})
_ASSISTANT_ROLES = frozenset({"assistant", "ai", "model", "chatbot", "bot"})
_PLACEHOLDER_ROLES = frozenset({"placeholder"})
_JINJA = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)")
_FLASK_CONVERTER = re.compile(r"<(int|float|uuid):([A-Za-z_][A-Za-z0-9_]*)>")
_STARLETTE_CONVERTER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*):(int|float|uuid)\}")


def _dotted(node: Any) -> str | None:
    """A call target as written: `client.chat.completions.create`, `db.execute.fetchall`."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr.value}" if base else None
    if isinstance(node, cst.Call):
        return _dotted(node.func)
    if isinstance(node, cst.Subscript):
        return _dotted(node.value)
    return None


def _path(node: Any) -> str | None:
    """A variable path that assignments and guards can name: `x`, `self.x`, `body.tone`."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = _path(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


def _const_string(node: Any) -> str | None:
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        if isinstance(value, bytes):
            return value.decode("latin-1")
        return value
    return None


def _template_slots(text: str, jinja: bool) -> list[str]:
    if jinja:
        return list(dict.fromkeys(_JINJA.findall(text)))
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(text) if name]
    except ValueError:
        return list(dict.fromkeys(re.findall(r"\{([A-Za-z_][A-Za-z0-9_]*)\}", text)))
    return list(dict.fromkeys(re.split(r"[.\[]", name, maxsplit=1)[0] for name in names))


def _readable(value: _Value) -> _Value:
    """What reading from a value yields: nothing from a sink's result (see `_call`), except the
    slots of a prompt template, which later calls fill."""
    if value.checked and not value.slots:
        return _Value(type_name=value.type_name, instance=value.instance)
    return value


def _imported_constant_words(qualified: str | None) -> int:
    """An imported constant in capitals (`prompts.SYSTEM_PROMPT`) is taken for instruction text."""
    if not qualified or "." not in qualified:
        return 0
    last = qualified.rsplit(".", 1)[-1]
    return SPLICE_WORDS if len(last) > 1 and last.isupper() and any(c.isalpha() for c in last) else 0


def _role_of(value: _Value | None) -> str | None:
    """A message role as written (lower case), from a literal or an enum member."""
    if value is None:
        return None
    if value.const is not None:
        return value.const.lower()
    if value.type_name:
        return value.type_name.rsplit(".", 1)[-1].lower()
    return None


# ----- the analysis -----


@dataclass
class _SinkCall:
    sinks: list  # (Sink, label)
    args: list  # (cst.Arg, _Value)


@dataclass
class _Unit:
    """State while evaluating one unit (module body, class body or function)."""

    func: _Function | None
    env: dict
    outer: list  # enclosing environments, innermost first (read-only)
    cls: _Class | None = None  # the class whose method this is
    returns: list = field(default_factory=list)


class ModuleTaint:
    """The taint facts of one module: implements `aisec.hooks.TaintFacts`."""

    def __init__(self, module: cst.Module, names: Any, catalog: TaintCatalog) -> None:
        self.module = module
        self.names = names
        self.catalog = catalog
        self._done = False

    # ----- the TaintFacts protocol -----

    def origin(self, expr: Any, tiers: Iterable[str] | None = None) -> TaintFact | None:
        wanted = set(tiers) if tiers is not None else None
        for fact in self.origins(expr):
            if wanted is None or fact.tier in wanted:
                return fact
        return None

    def origins(self, expr: Any) -> tuple[TaintFact, ...]:
        self._ensure()
        value = self._values.get(id(expr))
        if value is None:
            return ()
        return tuple(sorted({self._public(f) for f in self._concrete(value.all)}, key=_severity_key))

    def is_untrusted(self, expr: Any, tiers: Iterable[str] | None = None) -> bool:
        return self.origin(expr, tiers) is not None

    def sink_flows(self, call: Any) -> tuple[SinkFlow, ...]:
        self._ensure()
        cached = self._flow_cache.get(id(call))
        if cached is not None:
            return cached
        raw: list[tuple[str, str, Any, frozenset, Sink | None, str | None]] = []
        record = self._sink_calls.get(id(call))
        if record is not None:
            for sink, label in record.sinks:
                for argument in sink.arguments:
                    for node, value, what in self._sink_arguments(call, record.args, argument):
                        ctx = _FlowContext(raw, sink, label, record.args, argument)
                        self._dispatch(ctx, argument.role, value, node, what, argument.template)
        for slot, value, node in self._binds.get(id(call), ()):
            facts = value.all
            if slot.role == MESSAGES:
                ctx = _FlowContext(raw, None, slot.target, [])
                self._dispatch(ctx, MESSAGES, value, node, slot.target, False)
                continue
            if slot.spliced:
                facts = frozenset(_mark_spliced(f) for f in facts)
            if facts:
                raw.append((slot.role, slot.target, node, facts, None, None))
        flows: dict[tuple, SinkFlow] = {}
        for role, target, node, facts, sink, message_role in raw:
            for fact in self._concrete(facts):
                public = self._public(fact)
                flows.setdefault(
                    (role, target, id(node), public), SinkFlow(public, role, target, node, sink, message_role)
                )
        result = tuple(sorted(flows.values(), key=lambda flow: _severity_key(flow.fact)))
        self._flow_cache[id(call)] = result
        return result

    # ----- building -----

    def _ensure(self) -> None:
        if self._done:
            return
        self._done = True
        index = _CatalogIndex.of(self.catalog)
        self._sources, self._sinks, self._sanitizers = index.sources, index.sinks, index.sanitizers
        self._decorator_sources, self._registrars = index.decorators, index.registrars
        self._strings: dict[int, str | None] = {}
        self._changes: dict[Any, int] = {}
        self._round_number = 0
        self._imports = self._module_imports()
        self._qualified_cache: dict[int, str | None] = {}
        self._functions: dict[int, _Function] = {}
        self._function_list: list[_Function] = []
        self._classes: dict[int, _Class] = {}
        self._summaries: dict[int, _Value] = {}
        self._class_attrs: dict[tuple[int, str], _Value] = {}
        self._closures: dict[int, dict] = {}
        self._registered: dict[int, list[ParameterSource]] = {}
        self._argparse_typed: set[str] = set()
        self._lines: dict[int, int] | None = None
        self._descriptions: dict[int, str] = {}
        self._flow_cache: dict[int, tuple[SinkFlow, ...]] = {}
        self._module_env: dict = {}
        try:
            with self.names.detached():
                for _ in range(MAX_ROUNDS):
                    if not self._round() or not self._function_list:
                        break
        except Exception:
            # fail once, for the rule that asked; later questions get "nothing known"
            self._values, self._sink_calls, self._binds, self._sites = {}, {}, {}, {}
            raise

    def _round(self) -> bool:
        """One pass over every unit; True when summaries, attributes or globals changed."""
        before = (
            dict(self._summaries),
            dict(self._class_attrs),
            dict(self._module_env),
            {k: list(v) for k, v in self._registered.items()},
        )
        self._values: dict[int, _Value] = {}
        self._sink_calls: dict[int, _SinkCall] = {}
        self._binds: dict[int, list] = {}
        self._sites: dict[int, list[dict[int, _Value]]] = {}
        self._round_attrs: dict[tuple[int, str], _Value] = {}
        self._stack: list = []
        unit = _Unit(None, {}, [])
        self._unit = unit
        self._block(self.module.body)
        self._module_env = unit.env
        index = 0
        while index < len(self._function_list):
            self._analyse_function(self._function_list[index])
            index += 1
        self._class_attrs = {
            key: self._widen(key, self._class_attrs.get(key), value)
            for key, value in self._round_attrs.items()
        }
        after = (
            self._summaries,
            self._class_attrs,
            self._module_env,
            self._registered,
        )
        return before != after

    def _widen(self, key: Any, old: _Value | None, new: _Value) -> _Value:
        """Summaries and `self` attributes that keep changing (a recursive builder nests one level
        deeper each round) lose their structure from the second change on: their facts are a
        finite set, so the rounds converge."""
        new = _limit(new)
        if old is None or old == new:
            return new
        changes = self._changes[key] = self._changes.get(key, 0) + 1
        if changes < 2:
            return new
        joined = _join(old, new)
        return _Value(
            joined.all, words=joined.words, slots=joined.slots, type_name=joined.type_name, ref=joined.ref
        )

    def _module_imports(self) -> tuple[str, ...]:
        found: list[str] = []
        for statement in self.module.body:
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                if isinstance(small, cst.Import):
                    found += [_dotted(alias.name) or "" for alias in small.names]
                elif isinstance(small, cst.ImportFrom) and small.module is not None and not small.relative:
                    found.append(_dotted(small.module) or "")
        return tuple(found)

    # ----- names -----

    def _qualified(self, node: Any) -> str | None:
        key = id(node)
        if key in self._qualified_cache:
            result = self._qualified_cache[key]
        else:
            try:
                result = self.names.qualified(node)
            except RecursionError:
                result = None
            self._qualified_cache[key] = result
        # the fallback reads the environment, which changes between rounds: never cached
        return result if result is not None else self._qualified_fallback(node)

    def _qualified_fallback(self, node: Any) -> str | None:
        """Names the alias table cannot resolve: typed parameters, `with ... as x`, call results
        bound to a name, and `self.method` of a class deriving from an imported base."""
        attrs: list[str] = []
        root = node
        while isinstance(root, cst.Attribute):
            attrs.append(root.attr.value)
            root = root.value
        if not isinstance(root, cst.Name):
            return None
        rest = ".".join(reversed(attrs))
        value = self._lookup(root.value)
        if value is not None and value.type_name:
            return f"{value.type_name}.{rest}" if rest else value.type_name
        if value is not None and isinstance(value.ref, _Instance) and rest:
            for base in value.ref.cls.all_bases():
                return f"{base}.{rest}"
        return None

    # ----- statements -----

    def _block(self, statements: Sequence[Any]) -> bool:
        """Run statements in order on the current environment; False when control cannot reach
        the end (return, raise, break, continue, abort())."""
        return all(self._statement(statement) for statement in statements)

    def _suite(self, suite: Any) -> bool:
        if isinstance(suite, cst.IndentedBlock):
            return self._block(suite.body)
        if isinstance(suite, cst.SimpleStatementSuite):
            return self._smalls(suite.body)
        return True

    def _statement(self, statement: Any) -> bool:
        # Definitions: decorators, annotations and bases belong to the enclosing scope; a class
        # body runs here (it enters its own scope), a function body runs as its own unit.
        if isinstance(statement, cst.FunctionDef):
            self._define_function(statement)
            return True
        if isinstance(statement, cst.ClassDef):
            self._define_class(statement)
            return True
        tracked = type(statement) in STATEMENT_TYPES
        if tracked:
            self.names.enter_statement(statement)
            self._stack.append(statement)
        try:
            return self._statement_inner(statement)
        finally:
            if tracked:
                self._stack.pop()
                self.names.leave_statement(statement)

    def _statement_inner(self, node: Any) -> bool:
        if isinstance(node, cst.SimpleStatementLine):
            return self._smalls(node.body)
        if isinstance(node, cst.If):
            return self._if(node)
        if isinstance(node, (cst.For, cst.While)):
            return self._loop(node)
        if isinstance(node, cst.With):
            for item in node.items:
                value = self._ev(item.item)
                if item.asname is not None:
                    self._assign(item.asname.name, value)
            return self._suite(node.body)
        if isinstance(node, (cst.Try, getattr(cst, "TryStar", cst.Try))):
            return self._try(node)
        if isinstance(node, cst.Match):
            self._ev(node.subject)
            base = self._unit.env
            outcomes = []
            for case in node.cases:
                self._unit.env = dict(base)
                outcomes.append((self._suite(case.body), self._unit.env))
            outcomes.append((True, base))
            return self._merge(outcomes, base)
        return True

    def _smalls(self, smalls: Sequence[Any]) -> bool:
        return all(self._small(small) for small in smalls)

    def _small(self, node: Any) -> bool:
        if isinstance(node, cst.Expr):
            value = node.value
            self._ev(value)
            if isinstance(value, cst.Await):
                value = value.expression
            return not (isinstance(value, cst.Call) and self._is_noreturn(value))
        if isinstance(node, cst.Assign):
            value = self._ev(node.value)
            for target in node.targets:
                self._assign(target.target, value)
            return True
        if isinstance(node, cst.AnnAssign):
            if node.value is not None:
                self._assign(node.target, self._ev(node.value))
            return True
        if isinstance(node, cst.AugAssign):
            old = self._ev(node.target)
            new = self._ev(node.value)
            self._assign(node.target, self._binary(node.operator, old, new, node))
            return True
        if isinstance(node, cst.Return):
            self._unit.returns.append(self._ev(node.value) if node.value is not None else EMPTY)
            return False
        if isinstance(node, cst.Raise):
            if node.exc is not None:
                self._ev(node.exc)
            return False
        if isinstance(node, (cst.Break, cst.Continue)):
            return False
        if isinstance(node, cst.Assert):
            true_env, _ = self._narrow(node.test, self._unit.env)
            self._unit.env = true_env
            return True
        if isinstance(node, cst.Del):
            path = _path(node.target)
            if path:
                self._unit.env.pop(path, None)
            return True
        if isinstance(node, (cst.Import, cst.ImportFrom)):
            if not isinstance(getattr(node, "names", None), cst.ImportStar):
                for alias in node.names:
                    bound = alias.asname.name if alias.asname is not None else alias.name
                    name = _dotted(bound)
                    if name:
                        self._unit.env.pop(name.split(".")[0], None)
            return True
        return True

    def _is_noreturn(self, call: cst.Call) -> bool:
        name = self._qualified(call.func)
        if name in _NORETURN:
            return True
        return isinstance(call.func, (cst.Name, cst.Attribute)) and (_dotted(call.func) or "").rsplit(".", 1)[
            -1
        ] in ("abort", "exit")

    def _merge(self, outcomes: list[tuple[bool, dict]], fallback: dict) -> bool:
        live = [env for reachable, env in outcomes if reachable]
        if not live:
            self._unit.env = fallback
            return False
        merged = dict(live[0])
        for env in live[1:]:
            for name, value in env.items():
                merged[name] = _join(merged.get(name), value)
        self._unit.env = merged
        return True

    def _if(self, node: cst.If) -> bool:
        base = self._unit.env
        true_env, false_env = self._narrow(node.test, base)
        self._unit.env = dict(true_env)
        first = (self._suite(node.body), self._unit.env)
        self._unit.env = dict(false_env)
        if isinstance(node.orelse, cst.If):
            second = (self._statement(node.orelse), self._unit.env)
        elif isinstance(node.orelse, cst.Else):
            second = (self._suite(node.orelse.body), self._unit.env)
        else:
            second = (True, self._unit.env)
        return self._merge([first, second], base)

    def _loop(self, node: cst.For | cst.While) -> bool:
        base = self._unit.env
        if isinstance(node, cst.For):
            iterable = self._ev(node.iter)
        else:
            self._ev(node.test)
        outcomes = [(True, base)]
        env = base
        for _ in range(2):  # twice: values carried from one iteration to the next
            self._unit.env = dict(env)
            if isinstance(node, cst.For):
                self._assign(node.target, iterable.element())
                body_env = dict(self._unit.env)
            elif isinstance(node.test, cst.Name) and node.test.value == "True":
                body_env = dict(self._unit.env)
            else:
                body_env, _ = self._narrow(node.test, self._unit.env)
            self._unit.env = body_env
            reachable = self._suite(node.body)
            outcomes.append((True, self._unit.env if reachable else body_env))
            self._merge(outcomes, base)
            env = self._unit.env
        if node.orelse is not None:
            self._suite(node.orelse.body)
        return True

    def _try(self, node: Any) -> bool:
        base = self._unit.env
        self._unit.env = dict(base)
        body_ok = self._suite(node.body)
        after_body = self._unit.env
        outcomes = []
        if node.orelse is not None and body_ok:
            body_ok = self._suite(node.orelse.body)
            after_body = self._unit.env
        outcomes.append((body_ok, after_body))
        for handler in node.handlers:
            self._merge([(True, base), (True, after_body)], base)
            if handler.name is not None:
                self._assign(handler.name.name, EMPTY)
            outcomes.append((self._suite(handler.body), self._unit.env))
        reachable = self._merge(outcomes, base)
        if node.finalbody is not None:
            reachable = self._suite(node.finalbody.body) and reachable
        return reachable

    # ----- definitions -----

    def _define_function(self, node: cst.FunctionDef) -> None:
        func = self._functions.get(id(node))
        if func is None:
            func = self._new_function(node)
        self._unit.env[node.name.value] = _Value(ref=func)
        if self._unit.func is not None:
            self._closures[func.index] = self._unit.env  # read when the nested function runs

    def _new_function(self, node: cst.FunctionDef) -> _Function:
        cls = self._unit.cls if self._unit.func is None else None
        func = _Function(
            len(self._function_list),
            node,
            node.name.value,
            (*self._stack, node),
            cls=cls,
            parent=self._unit.func,
        )
        decorators = []
        for decorator in node.decorators:
            expr = decorator.decorator
            target = expr.func if isinstance(expr, cst.Call) else expr
            name = self._qualified(target)
            decorators.append((expr, name, _dotted(target)))
            if name == "builtins.staticmethod":
                func.kind = "static"
            elif name == "builtins.classmethod":
                func.kind = "class"
        func.decorators = decorators
        if cls is not None and func.kind == "function":
            func.kind = "method"
        params = node.params
        for param in (*params.posonly_params, *params.params):
            func.params.append((param.name.value, "pos", param))
        if isinstance(params.star_arg, cst.Param):
            func.params.append((params.star_arg.name.value, "star", params.star_arg))
        for param in params.kwonly_params:
            func.params.append((param.name.value, "kw", param))
        if isinstance(params.star_kwarg, cst.Param):
            func.params.append((params.star_kwarg.name.value, "dstar", params.star_kwarg))
        self._functions[id(node)] = func
        self._function_list.append(func)
        if cls is not None:
            cls.methods.setdefault(func.name, func)
        func.initial = self._initial_parameters(func)
        return func

    def _initial_parameters(self, func: _Function) -> dict[int, _Value]:
        """Parameter values every call starts from: types from annotations, and sources."""
        initial: dict[int, _Value] = {}
        excluded_by_route: set[str] = set()
        for expr, _, _ in func.decorators:
            if isinstance(expr, cst.Call) and expr.args:
                route = self._literal(expr.args[0].value)
                if route:
                    excluded_by_route |= {name for _, name in _FLASK_CONVERTER.findall(route)}
                    excluded_by_route |= {name for name, _ in _STARLETTE_CONVERTER.findall(route)}
        matches = self._parameter_sources(func)
        for index, (name, kind, param) in enumerate(func.params):
            if index == 0 and func.kind in ("method", "class") and kind == "pos":
                cls = func.cls
                initial[index] = _Value(ref=_Instance(cls) if func.kind == "method" else cls)
                continue
            annotation = param.annotation.annotation if param.annotation is not None else None
            text, type_name, local = self._annotation(annotation)
            base = _Value(type_name=type_name, ref=_Instance(local) if local is not None else None)
            facts: set = set()
            for source in matches:
                if (source.params and name not in source.params) or name in ("self", "cls"):
                    continue
                if not text or name in excluded_by_route or self._excluded(param, type_name, source):
                    continue
                if source.type:
                    base = replace(base, type_name=source.type)
                    continue
                label = source.label or "request data"
                facts.add(
                    _Taint(_Site(source.tier, label, param, f"parameter `{name}` of `{func.display}()`"))
                )
            if not text:
                base = _Value(type_name=type_name)
            elif facts:
                base = _Value(frozenset(facts), type_name=base.type_name, ref=base.ref)
            initial[index] = base
        return initial

    def _excluded(self, param: cst.Param, type_name: str | None, source: ParameterSource) -> bool:
        """Whether the annotation or the default call (`Depends(get_db)`) is one of `exclude`."""
        if not source.exclude:
            return False
        annotation = param.annotation.annotation if param.annotation is not None else None
        candidates = [annotation] if type_name is None else []
        if isinstance(param.default, cst.Call):
            candidates.append(param.default.func)
        if isinstance(annotation, cst.Subscript):  # Annotated[Session, Depends(get_db)]
            for element in annotation.slice:
                value = getattr(element.slice, "value", None)
                candidates.append(value.func if isinstance(value, cst.Call) else value)
        names = [type_name] if type_name else []
        names += [self._qualified(c) or _dotted(c) for c in candidates if c is not None]
        return any(fnmatchcase(name, pattern) for name in names if name for pattern in source.exclude)

    def _annotation(self, annotation: Any) -> tuple[bool, str | None, _Class | None]:
        """(may hold text, qualified type, local class) of a parameter annotation."""
        if annotation is None:
            return True, None, None
        if isinstance(annotation, cst.BinaryOperation) and isinstance(annotation.operator, cst.BitOr):
            parts = [annotation.left, annotation.right]
            results = [
                self._annotation(p) for p in parts if not (isinstance(p, cst.Name) and p.value == "None")
            ]
            if not results:
                return True, None, None
            return any(r[0] for r in results), results[0][1], results[0][2]
        if isinstance(annotation, cst.Subscript):
            outer = self._qualified(annotation.value)
            if outer in _LITERAL_TYPES:
                return False, None, None
            if outer in _WRAPPER_TYPES or outer == "typing.Union":
                inner = [getattr(e.slice, "value", None) for e in annotation.slice]
                inner = [i for i in inner if not (isinstance(i, cst.Name) and i.value == "None")]
                if outer in ("typing.Annotated", "typing_extensions.Annotated"):
                    inner = inner[:1]
                results = [self._annotation(i) for i in inner]
                if not results:
                    return True, None, None
                return any(r[0] for r in results), results[0][1], results[0][2]
            return True, outer, None
        if isinstance(annotation, (cst.SimpleString, cst.ConcatenatedString)):
            return True, None, None
        if isinstance(annotation, cst.Name):
            local = self._lookup(annotation.value)
            if local is not None and isinstance(local.ref, _Class):
                return not local.ref.is_enum, None, local.ref
        name = self._qualified(annotation)
        if name is None:
            return True, None, None
        if name in _NON_TEXT_TYPES:
            return False, name, None
        return True, name, None

    def _parameter_sources(self, func: _Function) -> list[ParameterSource]:
        found: list[ParameterSource] = []
        by_decorator: list[ParameterSource] = []
        for _, name, written in func.decorators:
            by_decorator += self._decorator_sources.match([n for n in (name, written) if n])
        registered = self._registered.get(func.index, [])
        bases = func.cls.all_bases() if func.cls is not None else ()
        for source in self.catalog.parameter_sources:
            if (source.decorators or source.registrars) and not any(
                s is source for s in (*by_decorator, *registered)
            ):
                continue
            if source.functions and not any(fnmatchcase(func.name, p) for p in source.functions):
                continue
            if source.base_classes and not any(
                fnmatchcase(base, p) for base in bases for p in source.base_classes
            ):
                continue
            if source.requires_import and not any(
                imported == p or imported.startswith(p + ".") or fnmatchcase(imported, p)
                for imported in self._imports
                for p in source.requires_import
            ):
                continue
            found.append(source)
        return found

    def _define_class(self, node: cst.ClassDef) -> None:
        cls = self._classes.get(id(node))
        first = cls is None
        if cls is None:
            bases, local_bases = [], []
            for arg in node.bases:
                if isinstance(arg.value, cst.Name):
                    local = self._lookup(arg.value.value)
                    if local is not None and isinstance(local.ref, _Class):
                        local_bases.append(local.ref)
                        continue
                name = self._qualified(arg.value)
                if name:
                    bases.append(name)
            cls = _Class(node, node.name.value, tuple(bases), tuple(local_bases))
            cls.is_enum = any(b in _ENUM_BASES for b in cls.all_bases()) or any(
                b.is_enum for b in local_bases
            )
            self._classes[id(node)] = cls
        self._unit.env[node.name.value] = _Value(ref=cls)
        outer = self._unit
        self._unit = _Unit(None, {}, [outer.env, *outer.outer], cls=cls)
        self.names.enter_statement(node)
        self._stack.append(node)
        try:
            self._suite(node.body)
            cls.constants = self._unit.env
            if first:
                for statement in getattr(node.body, "body", ()):
                    if not isinstance(statement, cst.SimpleStatementLine):
                        continue
                    for small in statement.body:
                        if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                            text, _, _ = self._annotation(small.annotation.annotation)
                            cls.field_types[small.target.value] = text
        finally:
            self._stack.pop()
            self.names.leave_statement(node)
            self._unit = outer

    def _analyse_function(self, func: _Function) -> None:
        outer_envs = []
        parent = func.parent
        while parent is not None:
            closure = self._closures.get(func.index if parent is func.parent else parent.index)
            if closure is not None:
                outer_envs.append(closure)
            parent = parent.parent
        outer_envs.append(self._module_env)
        env: dict = {}
        for index, (name, _, _) in enumerate(func.params):
            value = func.initial.get(index, EMPTY)
            if not isinstance(value.ref, (_Class,)) and not (index == 0 and func.kind == "method"):
                value = _Value(
                    value.facts | {_Param(func.index, index)},
                    value.items,
                    value.keys,
                    type_name=value.type_name,
                    ref=value.ref,
                )
            env[name] = value
        unit = _Unit(func, env, outer_envs, cls=func.cls if func.kind in ("method", "class") else None)
        saved_unit, saved_stack = self._unit, self._stack
        self._unit, self._stack = unit, []
        for statement in func.chain[:-1]:
            self.names.enter_statement(statement)
        self.names.enter_statement(func.node)
        self._stack = list(func.chain)
        try:
            falls_through = self._suite(func.node.body)
        finally:
            self.names.leave_statement(func.node)
            for statement in reversed(func.chain[:-1]):
                self.names.leave_statement(statement)
            self._unit, self._stack = saved_unit, saved_stack
        returns = unit.returns + ([EMPTY] if falls_through else [])
        self._summaries[func.index] = self._widen(
            func.index, self._summaries.get(func.index), _join_all(returns)
        )

    # ----- assignment -----

    def _lookup(self, name: str) -> _Value | None:
        unit = self._unit
        value = unit.env.get(name)
        if value is not None:
            return value
        for env in unit.outer:
            value = env.get(name)
            if value is not None:
                return value
        return None

    def _assign(self, target: Any, value: _Value) -> None:
        env = self._unit.env
        if isinstance(target, cst.Name):
            name = target.value
            env[name] = value
            prefix = name + "."
            for key in [k for k in env if k.startswith(prefix)]:
                del env[key]
            return
        if isinstance(target, cst.Attribute):
            path = _path(target)
            if path:
                env[path] = value
            self._store_attribute(target.value, target.attr.value, value)
            return
        if isinstance(target, cst.Subscript):
            container = self._ev(target.value)
            key = None
            if len(target.slice) == 1:
                index = target.slice[0].slice
                if isinstance(index, cst.Index):
                    key = self._literal(index.value)
                    self._ev(index.value)
            if key is not None and (container.keys is not None or not container.all):
                keys = dict(container.keys or ())
                keys[key] = value
                new = _container(
                    container.facts, container.items, tuple(keys.items()), type_name=container.type_name
                )
            elif container.items is not None and key is None:
                new = _container(container.facts | value.all, container.items, container.keys)
            else:
                new = _container(
                    container.facts | value.all,
                    container.items,
                    container.keys,
                    type_name=container.type_name,
                )
            self._store_path(target.value, new)
            return
        if isinstance(target, (cst.Tuple, cst.List)):
            elements = target.elements
            starred = any(isinstance(e, cst.StarredElement) for e in elements)
            if value.items is not None and len(value.items) == len(elements) and not starred:
                for element, item in zip(elements, value.items, strict=True):
                    self._assign(element.value, item)
            else:
                item = value.element()
                for element in elements:
                    inner = element.value
                    self._assign(
                        inner, _container(item.all, None) if isinstance(element, cst.StarredElement) else item
                    )
            return
        if isinstance(target, cst.StarredElement):
            self._assign(target.value, value)

    def _store_path(self, node: Any, value: _Value) -> None:
        """Write back a mutated container (`messages.append(...)`, `body["system"] = ...`)."""
        if isinstance(node, cst.Name):
            self._unit.env[node.value] = value
        elif isinstance(node, cst.Attribute):
            path = _path(node)
            if path:
                self._unit.env[path] = value
            self._store_attribute(node.value, node.attr.value, value)

    def _store_attribute(self, owner_node: Any, attr: str, value: _Value) -> None:
        owner = self._ev_quiet(owner_node)
        if owner is not None and isinstance(owner.ref, _Instance):
            key = (id(owner.ref.cls.node), attr)
            self._round_attrs[key] = _limit(_join(self._round_attrs.get(key), value))
        elif isinstance(owner_node, cst.Name) and owner is not None and owner.ref is None:
            keys = dict(owner.keys or ())
            keys[attr] = value
            self._unit.env[owner_node.value] = _container(
                owner.facts,
                owner.items,
                tuple(keys.items()),
                type_name=owner.type_name,
                clean_attrs=owner.clean_attrs,
            )

    def _ev_quiet(self, node: Any) -> _Value | None:
        path = _path(node)
        if path is None:
            return None
        if "." not in path:
            return self._lookup(path)
        value = self._lookup(path)
        if value is not None:
            return value
        return self._ev(node)

    # ----- narrowing (guards) -----

    def _narrow(self, test: Any, env: dict) -> tuple[dict, dict]:
        """(environment where `test` is true, where it is false)."""
        saved = self._unit.env
        self._unit.env = env
        try:
            self._ev(test)
            return self._narrow_inner(test, env)
        finally:
            self._unit.env = saved

    def _narrow_inner(self, test: Any, env: dict) -> tuple[dict, dict]:
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            true_env, false_env = self._narrow_inner(test.expression, env)
            return false_env, true_env
        if isinstance(test, cst.BooleanOperation):
            left_true, left_false = self._narrow_inner(test.left, env)
            if isinstance(test.operator, cst.And):
                right_true, right_false = self._narrow_inner(test.right, left_true)
                return right_true, _join_envs(left_false, right_false)
            right_true, right_false = self._narrow_inner(test.right, left_false)
            return _join_envs(left_true, right_true), right_false
        if isinstance(test, cst.NamedExpr):
            return self._narrow_inner(test.value, env)
        if isinstance(test, cst.Call):
            checked = self._guarded(test)
            if checked:
                return _clean(env, checked), env
            return env, env
        if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
            left = test.left
            comparison = test.comparisons[0]
            operator, right = comparison.operator, comparison.comparator
            if isinstance(operator, (cst.In, cst.NotIn)):
                if self._is_constant_collection(right, env):
                    paths = _guard_paths(left)
                    if paths:
                        cleaned = _clean(env, paths)
                        return (cleaned, env) if isinstance(operator, cst.In) else (env, cleaned)
                return env, env
            if (
                isinstance(operator, (cst.Is, cst.IsNot))
                and isinstance(right, cst.Name)
                and right.value == "None"
            ):
                if isinstance(left, cst.Call):
                    checked = self._guarded(left)
                    if checked:
                        cleaned = _clean(env, checked)
                        return (env, cleaned) if isinstance(operator, cst.Is) else (cleaned, env)
                return env, env
            if isinstance(operator, (cst.Equal, cst.NotEqual, cst.Is, cst.IsNot)):
                for side, other in ((left, right), (right, left)):
                    if self._is_constant_expr(other, env):
                        paths = _guard_paths(side)
                        if paths:
                            cleaned = _clean(env, paths)
                            equal = isinstance(operator, (cst.Equal, cst.Is))
                            return (cleaned, env) if equal else (env, cleaned)
        return env, env

    def _guarded(self, call: cst.Call) -> list[str]:
        """The variable paths a guard sanitizer call checks."""
        names = self._call_names(call)
        paths: list[str] = []
        for sanitizer in self._sanitizers.match(names):
            if sanitizer.kind != GUARD:
                continue
            if sanitizer.argument == "self":
                target = call.func.value if isinstance(call.func, cst.Attribute) else None
            else:
                arg = _positional(call, int(sanitizer.argument))
                target = arg.value if arg is not None else None
            if target is not None:
                paths += _guard_paths(target)
        return paths

    def _is_constant_expr(self, node: Any, env: dict) -> bool:
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString, cst.Integer, cst.Float)):
            return True
        if isinstance(node, cst.Name) and node.value in ("True", "False", "None"):
            return True
        value = self._values.get(id(node))
        return value is not None and value.const is not None and not value.all

    def _is_constant_collection(self, node: Any, env: dict) -> bool:
        if isinstance(node, (cst.List, cst.Tuple, cst.Set, cst.Dict)):
            value = self._values.get(id(node))
            return value is not None and not value.all
        if (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Attribute)
            and node.func.attr.value
            in (
                "keys",
                "values",
            )
        ):
            node = node.func.value
        value = self._values.get(id(node))
        if value is None or value.all:
            return False
        if value.items is not None or value.keys is not None:
            return True
        return value.ref is not None and isinstance(value.ref, _Class) and value.ref.is_enum

    # ----- expressions -----

    def _ev(self, node: Any) -> _Value:
        try:
            value = self._expr(node)
        except RecursionError:
            value = EMPTY
        self._values[id(node)] = value
        return value

    def _expr(self, node: Any) -> _Value:
        handler = _EXPRESSIONS.get(type(node))
        return handler(self, node) if handler is not None else EMPTY

    def _literal(self, node: Any) -> str | None:
        """`_const_string`, cached: evaluating a literal parses it, and every round asks again."""
        if not isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
            return None
        key = id(node)
        if key in self._strings:
            return self._strings[key]
        text = self._strings[key] = _const_string(node)
        return text

    def _string(self, node: Any) -> _Value:
        text = self._literal(node)
        if isinstance(node, cst.ConcatenatedString):
            left, right = self._ev(node.left), self._ev(node.right)
            if text is None:  # an f-string among the parts
                return self._splice([left, right])
        return _text_value(text) if text is not None else EMPTY

    def _binary_expr(self, node: cst.BinaryOperation) -> _Value:
        return self._binary(node.operator, self._ev(node.left), self._ev(node.right), node)

    def _boolean(self, node: cst.BooleanOperation) -> _Value:
        return _join(self._ev(node.left), self._ev(node.right))

    def _unary(self, node: cst.UnaryOperation) -> _Value:
        inner = self._ev(node.expression)
        return EMPTY if isinstance(node.operator, cst.Not) else _opaque(inner)

    def _comparison(self, node: cst.Comparison) -> _Value:
        self._ev(node.left)
        for comparison in node.comparisons:
            self._ev(comparison.comparator)
        return EMPTY

    def _if_expression(self, node: cst.IfExp) -> _Value:
        true_env, false_env = self._narrow(node.test, self._unit.env)
        saved = self._unit.env
        self._unit.env = true_env
        body = self._ev(node.body)
        self._unit.env = false_env
        orelse = self._ev(node.orelse)
        self._unit.env = saved
        return _join(body, orelse)

    def _named(self, node: cst.NamedExpr) -> _Value:
        value = self._ev(node.value)
        self._assign(node.target, value)
        return value

    def _yield(self, node: cst.Yield) -> _Value:
        if node.value is not None and not isinstance(node.value, cst.From):
            self._ev(node.value)
        return EMPTY

    def _name(self, node: cst.Name) -> _Value:
        name = node.value
        if name in ("True", "False", "None", "__file__", "__name__"):
            return EMPTY
        value = self._lookup(name)
        if value is not None:
            return value
        qualified = self._qualified(node)
        if qualified:
            fact = self._source_fact(node, qualified, "attribute")
            if fact is not None:
                return _Value(frozenset({fact}), type_name=qualified)
            return _Value(type_name=qualified, words=_imported_constant_words(qualified))
        fact = self._source_fact(node, name, "attribute")  # a name nothing binds, as written
        return _Value(frozenset({fact})) if fact is not None else EMPTY

    def _attribute(self, node: cst.Attribute) -> _Value:
        path = _path(node)
        if path:
            value = self._unit.env.get(path)
            if value is None:
                for env in self._unit.outer:
                    value = env.get(path)
                    if value is not None:
                        break
            if value is not None:
                self._ev(node.value)
                return value
        qualified = self._qualified(node)
        base = _readable(self._ev(node.value))
        attr = node.attr.value
        if qualified:
            fact = self._source_fact(node, qualified, "attribute")
            if fact is not None:
                return _Value(frozenset({fact}), type_name=qualified)
        elif base.type_name is None:
            written = _dotted(node)
            if written:
                fact = self._source_fact(node, written, "attribute")
                if fact is not None:
                    return _Value(frozenset({fact}))
        if isinstance(base.ref, _Instance):
            cls = base.ref.cls
            field_type = _field_type(cls, attr)
            if field_type is False:
                return EMPTY
            keyed = base.key(attr)
            if keyed is not None:
                return keyed
            if field_type and base.all:  # a declared field of an instance built from data
                return _opaque(base, type_name=qualified)
            stored = self._class_attribute(cls, attr)
            if stored is not None:
                return stored
            method = cls.method(attr)
            if method is not None:
                return _Value(ref=method)
            return _opaque(base, type_name=qualified) if base.all else _Value(type_name=qualified)
        if isinstance(base.ref, _Class):
            constant = base.ref.constants.get(attr)
            if constant is not None:
                return constant
            method = base.ref.method(attr)
            if method is not None:
                return _Value(ref=method)
            return _Value(type_name=qualified)
        keyed = base.key(attr)
        if keyed is not None:
            return keyed
        if attr in base.clean_attrs:
            return EMPTY
        if not base.all:
            words = _imported_constant_words(qualified) if base.ref is None and not base.instance else 0
            return _Value(type_name=qualified, words=words)
        return _opaque(base, type_name=qualified)

    def _class_attribute(self, cls: _Class, attr: str) -> _Value | None:
        key = (id(cls.node), attr)
        value = self._class_attrs.get(key)
        current = self._round_attrs.get(key)
        if current is not None:
            value = _join(value, current) if value is not None else current
        if value is None:
            value = cls.constants.get(attr)
        if value is None:
            for base in cls.local_bases:
                value = self._class_attribute(base, attr)
                if value is not None:
                    break
        return value

    def _subscript(self, node: cst.Subscript) -> _Value:
        base = _readable(self._ev(node.value))
        key: Any = None
        for element in node.slice:
            inner = element.slice
            if isinstance(inner, cst.Index):
                self._ev(inner.value)
                key = self._literal(inner.value)
                if key is None and isinstance(inner.value, cst.Integer):
                    key = int(inner.value.value, 0)
                elif (
                    key is None
                    and isinstance(inner.value, cst.UnaryOperation)
                    and isinstance(inner.value.expression, cst.Integer)
                ):
                    key = -int(inner.value.expression.value, 0)
            else:
                for part in (inner.lower, inner.upper, inner.step):
                    if part is not None:
                        self._ev(part)
                return self._refine(
                    _container(base.facts, base.items[:] if base.items is not None else None),
                    node.value,
                    node,
                )
        if len(node.slice) != 1:
            key = None
        if isinstance(key, str) and base.keys is not None:
            found = base.key(key)
            if found is not None:
                return found
        if isinstance(key, int) and base.items is not None and -len(base.items) <= key < len(base.items):
            return _join(base.items[key], _Value(base.facts)) if base.facts else base.items[key]
        return self._refine(base.element(), node.value, node)

    def _refine(self, value: _Value, inner: Any, outer: Any) -> _Value:
        """`request.form` -> `request.form["bio"]`: name the source by the expression that reads it."""
        if not value.facts:
            return value
        changed = False
        facts = set()
        for fact in value.facts:
            if isinstance(fact, _Taint) and fact.site.node is inner and fact.site.text is None:
                fact = replace(fact, site=replace(fact.site, node=outer))
                changed = True
            facts.add(fact)
        return replace(value, facts=frozenset(facts)) if changed else value

    def _fstring(self, node: cst.FormattedString) -> _Value:
        parts: list[_Value] = []
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                parts.append(_text_value(part.value))
            elif isinstance(part, cst.FormattedStringExpression):
                value = self._ev(part.expression)
                if part.conversion == "r":
                    value = _map_facts(value, lambda f: _mark_encoded(f, "repr"))
                parts.append(_opaque(value) if value.items is not None or value.keys is not None else value)
        return self._splice(parts)

    def _splice(self, parts: Sequence[_Value]) -> _Value:
        """Strings joined into one: data next to enough constant words becomes `spliced`."""
        facts: frozenset = _EMPTY
        words = 0
        consts: list[str] | None = []
        for part in parts:
            facts = facts | part.all
            words += part.words
            if consts is not None and part.const is not None:
                consts.append(part.const)
            else:
                consts = None
        if facts and words >= SPLICE_WORDS:
            facts = frozenset(_mark_spliced(f) for f in facts)
        return _Value(facts, const="".join(consts) if consts is not None else None, words=words)

    def _binary(self, operator: Any, left: _Value, right: _Value, node: Any) -> _Value:
        if isinstance(operator, (cst.Add, cst.AddAssign)):
            if left.items is not None or right.items is not None:
                items = (left.items or ()) + (right.items or ())
                return _container(left.facts | right.facts, items)
            return self._splice([left, right])
        if isinstance(operator, (cst.Modulo, cst.ModuloAssign)) and (left.const is not None or left.words):
            return self._splice([left, *(right.items if right.items is not None else (right,))])
        if isinstance(operator, (cst.BitOr, cst.BitOrAssign)):
            keys = None
            if left.keys is not None and right.keys is not None:
                keys = tuple({**dict(left.keys), **dict(right.keys)}.items())
            return _container(
                left.facts | right.facts if keys is not None else left.all | right.all,
                None,
                keys,
                slots=tuple(dict.fromkeys(left.slots + right.slots)),
            )
        return _Value(left.all | right.all)

    def _sequence(self, elements: Sequence[Any]) -> _Value:
        items: list[_Value] = []
        facts: frozenset = _EMPTY
        for element in elements:
            value = self._ev(element.value)
            if isinstance(element, cst.StarredElement):
                if value.items is not None:
                    items.extend(value.items)
                    facts |= value.facts
                else:
                    facts |= value.all
            else:
                items.append(value)
        return _container(facts, tuple(items))

    def _dict(self, node: cst.Dict) -> _Value:
        keys: dict[str, _Value] = {}
        facts: frozenset = _EMPTY
        for element in node.elements:
            if isinstance(element, cst.StarredDictElement):
                value = self._ev(element.value)
                if value.keys is not None:
                    keys.update(value.keys)
                    facts |= value.facts
                else:
                    facts |= value.all
                continue
            key_value = self._ev(element.key)
            value = self._ev(element.value)
            name = self._literal(element.key)
            if name is not None:
                keys[name] = value
            else:
                facts |= key_value.all | value.all
        return _container(facts, None, tuple(keys.items()))

    def _comprehension(self, node: Any, elt: Any) -> _Value:
        saved = self._unit.env
        self._unit.env = dict(saved)
        try:
            clause = node.for_in
            while clause is not None:
                iterable = self._ev(clause.iter)
                self._assign(clause.target, iterable.element())
                for condition in clause.ifs:
                    self._unit.env, _ = self._narrow(condition.test, self._unit.env)
                clause = clause.inner_for_in
            if elt is None:
                key, value = self._ev(node.key), self._ev(node.value)
                return _Value(key.all | value.all)
            return _container(_EMPTY, (self._ev(elt),))
        finally:
            self._unit.env = saved

    # ----- calls -----

    def _call_names(self, call: cst.Call) -> list[str]:
        """The names a call is matched by: qualified, else as written; calling an object that a
        call returned (`pipe = pipeline(...)`; `pipe(x)`) adds `<its type>.__call__`."""
        qualified = self._qualified(call.func)
        written = None if qualified else _dotted(call.func)
        names = [qualified] if qualified else ([written] if written else [])
        value = self._bound_value(call.func)
        if value is not None and value.instance and value.type_name:
            names.append(f"{value.type_name}.__call__")
        return names

    def _bound_value(self, node: Any) -> _Value | None:
        """What a name or `self.x` is bound to, without evaluating anything."""
        if isinstance(node, cst.Name):
            return self._lookup(node.value)
        path = _path(node)
        if path is None:
            return None
        value = self._unit.env.get(path)
        if value is None and isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name):
            owner = self._lookup(node.value.value)
            if owner is not None and isinstance(owner.ref, _Instance):
                value = self._class_attribute(owner.ref.cls, node.attr.value)
        return value

    def _call(self, node: cst.Call) -> _Value:
        func = node.func
        receiver: _Value | None = None
        callee: _Value | None
        if isinstance(func, cst.Attribute):
            receiver = self._ev(func.value)
            callee = self._member(receiver, func)
        else:
            callee = self._ev(func)
        args = [(arg, self._ev(arg.value)) for arg in node.args]
        if callee is not None and isinstance(callee.ref, _Function):
            bound = (
                receiver
                if isinstance(func, cst.Attribute) and callee.ref.kind in ("method", "class")
                else None
            )
            return self._apply(callee.ref, args, bound)
        if callee is not None and isinstance(callee.ref, _Class):
            return self._construct(callee.ref, args)
        names = self._call_names(node)
        self._register(names, args)
        if names and names[0].endswith("ArgumentParser.add_argument"):
            self._note_argparse(node)
        sanitizers = self._sanitizers.match(names)
        if any(s.kind in (CAST, GUARD) for s in sanitizers):
            return EMPTY
        if sanitizers:  # an encoder: the data, marked (structure kept for `json.dumps({...})`)
            position = sanitizers[0].argument if isinstance(sanitizers[0].argument, int) else 0
            arg = _positional(node, position)
            value = self._values.get(id(arg.value), EMPTY) if arg is not None else EMPTY
            return _map_facts(value, lambda f, e=names[0]: _mark_encoded(f, e))
        typed = _keyword(node, "type")  # `request.args.get("n", type=int)`
        if typed is not None:
            cast = self._qualified(typed.value)
            if cast and any(s.kind == CAST for s in self._sanitizers.match([cast])):
                return EMPTY
        matched = self._sinks.match_names(names)
        if matched:
            self._sink_calls[id(node)] = _SinkCall(
                [(sink, sink.label or name) for sink, name in matched], args
            )
        source_fact = self._source_call(node, names, args, receiver)
        if source_fact is not None:  # what a source returns is the source (an LLM call may be both)
            if receiver is not None and receiver.slots:  # `chain.invoke({...})` fills its slots too
                self._bind(node, receiver, args)
            clean = frozenset(self._argparse_typed) if names[0].endswith("parse_args") else _EMPTY
            return _Value(frozenset({source_fact}), type_name=names[0], clean_attrs=clean, instance=True)
        result = self._call_result(node, func, receiver, args, names)
        if matched:
            # A sink's result is checked where it was built: a message object is not checked again
            # in a message list, and reading a response (`.choices[0].message.content`) yields
            # model output, not the prompt's data (model output is the LLM_OUTPUT tier's business).
            sinks = [sink for sink, _ in matched]
            slots = self._template_slots(node, sinks, args, matched[0][0].label or matched[0][1])
            return _Value(
                result.all,
                slots=tuple(dict.fromkeys(slots + _collect_slots([v for _, v in args]))),
                checked=True,
                type_name=names[0] if names else None,
                instance=True,
            )
        if receiver is not None and receiver.slots:
            # filling a template's slots (reported here); `.partial()` returns a template still,
            # anything else a filled prompt or a chain's output
            self._bind(node, receiver, args)
            if isinstance(func, cst.Attribute) and func.attr.value == "partial":
                return replace(result, slots=receiver.slots, checked=True)
            return _Value(result.all, checked=True, type_name=result.type_name, instance=True)
        slots = _collect_slots([v for _, v in args])  # `LLMChain(llm=llm, prompt=prompt)`
        return replace(result, slots=slots) if slots else result

    def _register(self, names: list[str], args: list) -> None:
        """Functions passed to a registrar (`gr.Interface(fn=chat)`) get its parameter sources."""
        for source in self._registrars.match(names):
            for _, value in args:
                func = value.ref
                if not isinstance(func, _Function):
                    continue
                registered = self._registered.setdefault(func.index, [])
                if not any(s is source for s in registered):
                    registered.append(source)
                    func.initial = self._initial_parameters(func)

    def _member(self, receiver: _Value, func: cst.Attribute) -> _Value | None:
        """A method of a local class, looked up through the receiver."""
        attr = func.attr.value
        if isinstance(receiver.ref, _Instance):
            method = receiver.ref.cls.method(attr)
            return _Value(ref=method) if method is not None else None
        if isinstance(receiver.ref, _Class):
            method = receiver.ref.method(attr)
            return _Value(ref=method) if method is not None else None
        keyed = receiver.key(attr)
        return keyed if keyed is not None and keyed.ref is not None else None

    def _apply(self, func: _Function, args: list, bound: _Value | None) -> _Value:
        """The summary of a local function, its parameters replaced by the arguments."""
        mapping = self._bind_arguments(func, args, bound)
        self._sites.setdefault(func.index, []).append(mapping)
        summary = self._summaries.get(func.index, EMPTY)
        return _substitute(summary, func.index, mapping)

    def _construct(self, cls: _Class, args: list) -> _Value:
        if cls.is_enum:
            return EMPTY
        init = cls.method("__init__")
        instance = _Value(ref=_Instance(cls))
        if init is not None:
            self._apply(init, args, instance)
            return instance
        keys = tuple((a.keyword.value, v) for a, v in args if a.keyword is not None)
        facts = frozenset().union(*(v.all for a, v in args if a.keyword is None)) if args else _EMPTY
        return _container(facts, None, keys, ref=_Instance(cls))

    def _bind_arguments(self, func: _Function, args: list, bound: _Value | None) -> dict[int, _Value]:
        mapping: dict[int, _Value] = {}
        params = func.params
        positional = [i for i, (_, kind, _) in enumerate(params) if kind == "pos"]
        star = next((i for i, (_, kind, _) in enumerate(params) if kind == "star"), None)
        dstar = next((i for i, (_, kind, _) in enumerate(params) if kind == "dstar"), None)
        by_name = {name: i for i, (name, kind, _) in enumerate(params) if kind in ("pos", "kw")}
        cursor = 0
        if bound is not None and positional:
            mapping[positional[0]] = bound
            cursor = 1
        for arg, value in args:
            if arg.star == "*":
                for index in positional[cursor:]:
                    mapping[index] = _join(mapping.get(index), value.element())
                if star is not None:
                    mapping[star] = _join(mapping.get(star), value)
            elif arg.star == "**":
                for name, index in by_name.items():
                    keyed = value.key(name)
                    mapping[index] = _join(
                        mapping.get(index), keyed if keyed is not None else _Value(value.facts)
                    )
                if dstar is not None:
                    mapping[dstar] = _join(mapping.get(dstar), value)
            elif arg.keyword is not None:
                index = by_name.get(arg.keyword.value)
                if index is not None:
                    mapping[index] = value
                elif dstar is not None:
                    mapping[dstar] = _join(
                        mapping.get(dstar), _container(_EMPTY, None, ((arg.keyword.value, value),))
                    )
            elif cursor < len(positional):
                mapping[positional[cursor]] = value
                cursor += 1
            elif star is not None:
                mapping[star] = _join(mapping.get(star), _container(_EMPTY, (value,)))
        return mapping

    def _source_call(
        self, node: cst.Call, names: list[str], args: list, receiver: _Value | None
    ) -> _Taint | None:
        for source in self._sources.match(names):
            if source.kind == "attribute":
                continue
            cond: frozenset = _EMPTY
            if source.static_argument is not None:
                if source.static_argument == "self":
                    value = receiver
                elif isinstance(source.static_argument, int):
                    arg = _positional(node, source.static_argument)
                    value = self._values.get(id(arg.value)) if arg is not None else None
                else:
                    arg = _keyword(node, source.static_argument)
                    value = self._values.get(id(arg.value)) if arg is not None else None
                if value is None or not value.all:
                    continue
                if not any(isinstance(f, _Taint) for f in value.all):
                    cond = frozenset((f.func, f.index) for f in value.all if isinstance(f, _Param))
            return _Taint(_Site(source.tier, source.label, node), cond=cond)
        return None

    def _source_fact(self, node: Any, name: str, kind: str) -> _Taint | None:
        for source in self._sources.match([name]):
            if source.kind in (kind, "any"):
                return _Taint(_Site(source.tier, source.label, node))
        return None

    def _note_argparse(self, node: cst.Call) -> None:
        """argparse options with `type=int`, `choices=` or a flag action never hold free text."""
        typed = False
        for arg in node.args:
            if arg.keyword is None:
                continue
            name = arg.keyword.value
            if name == "choices":
                typed = True
            elif name == "type":
                cast = self._qualified(arg.value)
                typed = typed or bool(cast and any(s.kind == CAST for s in self._sanitizers.match([cast])))
            elif name == "action" and self._literal(arg.value) in (
                "store_true",
                "store_false",
                "count",
                "store_const",
            ):
                typed = True
        if not typed:
            return
        dest = next(
            (self._literal(a.value) for a in node.args if a.keyword and a.keyword.value == "dest"), None
        )
        if dest is None:
            flags = [self._literal(a.value) for a in node.args if a.keyword is None]
            longs = [f for f in flags if f and f.startswith("--")]
            chosen = longs[0] if longs else (flags[0] if flags and flags[0] else None)
            if chosen:
                dest = chosen.lstrip("-").replace("-", "_")
        if dest:
            self._argparse_typed.add(dest)

    def _call_result(
        self, node: cst.Call, func: Any, receiver: _Value | None, args: list, names: list
    ) -> _Value:
        """What an unknown call returns: string methods and containers by their semantics, any
        other call the data of its receiver and arguments."""
        qualified = names[0] if names else None
        receiver = _readable(receiver) if receiver is not None else None
        args = [(arg, _readable(value)) for arg, value in args]
        if isinstance(func, cst.Attribute) and receiver is not None:
            method = func.attr.value
            result = self._method(node, method, receiver, args, qualified)
            if result is not None:
                return result
        if qualified in ("builtins.dict",):
            keys = tuple((a.keyword.value, v) for a, v in args if a.keyword is not None)
            base = next((v for a, v in args if a.keyword is None and not a.star), None)
            if base is not None and base.keys is not None:
                keys = tuple({**dict(base.keys), **dict(keys)}.items())
                return _container(base.facts, None, keys)
            facts = frozenset().union(*(v.all for a, v in args if a.keyword is None)) if args else _EMPTY
            return _container(facts, None, keys)
        if qualified in (
            "builtins.list",
            "builtins.tuple",
            "builtins.sorted",
            "builtins.reversed",
            "builtins.set",
            "builtins.frozenset",
        ):
            return args[0][1] if args else _container(_EMPTY, ())
        if qualified and qualified.endswith(".MessagesPlaceholder"):  # LangChain: ("placeholder", "{x}")
            name = self._literal(args[0][0].value) if args else None
            if name:
                return _container(_EMPTY, (_text_value("placeholder"), _text_value(f"{{{name}}}")))
        if qualified in ("builtins.str", "builtins.format", "textwrap.dedent", "inspect.cleandoc") and args:
            value = args[0][1]
            const = value.const
            if const is not None and qualified == "textwrap.dedent":
                import textwrap

                const = textwrap.dedent(const)
            return _Value(value.all, const=const, words=value.words)
        if qualified == "builtins.getattr" and len(args) >= 2:
            return _opaque(args[0][1])
        if qualified in ("builtins.next", "builtins.iter") and args:
            return args[0][1].element()
        if qualified in ("builtins.print",):
            return EMPTY
        facts: frozenset = receiver.all if receiver is not None else _EMPTY
        words = receiver.words if receiver is not None else 0
        for _, value in args:
            facts = facts | value.all
            words = max(words, value.words)
        return _Value(facts, words=words, type_name=qualified, instance=qualified is not None)

    def _method(
        self, node: cst.Call, method: str, receiver: _Value, args: list, qualified: str | None
    ) -> _Value | None:
        values = [v for _, v in args]
        if method in _MUTATORS:
            self._mutate(node.func.value, method, receiver, args)
            return EMPTY
        if method == "join" and (receiver.const is not None or receiver.words) and values:
            parts = values[0]
            items = list(parts.items or ())
            separator = receiver
            pieces: list[_Value] = []
            for index, item in enumerate(items):
                if index:
                    pieces.append(separator)
                pieces.append(_opaque(item) if item.items is not None or item.keys is not None else item)
            if parts.facts:
                pieces.append(_Value(parts.facts))
            if not pieces:
                return _Value(const="")
            return self._splice(pieces)
        if method in ("format", "format_map") and (
            receiver.const is not None or receiver.words or receiver.all
        ):
            parts = [receiver]
            for value in values:
                parts.append(_opaque(value) if value.keys is not None or value.items is not None else value)
            return self._splice(parts)
        if method in ("replace",) and len(values) >= 2:
            return self._splice([receiver, values[1]])
        if method in ("substitute", "safe_substitute"):
            return self._splice([receiver, *(_opaque(v) for v in values)])
        if method in _NON_TEXT_METHODS:
            return EMPTY
        if method in _STRING_METHODS_KEEP and not receiver.slots:
            const = (
                receiver.const.strip() if receiver.const is not None and method in _CONST_PRESERVING else None
            )
            return self._refine(
                _Value(receiver.all, const=const, words=receiver.words), node.func.value, node
            )
        if method in _GET_METHODS and (
            receiver.keys is not None or receiver.items is not None or receiver.all
        ):
            key = self._literal(args[0][0].value) if args and args[0][0].keyword is None else None
            default = values[1] if len(values) > 1 else EMPTY
            found = receiver.key(key) if key is not None else None
            if found is not None:
                return _join(found, default)
            return self._refine(_join(receiver.element(), default), node.func.value, node)
        if method in ("items",) and receiver.keys is not None:
            pairs = tuple(_container(_EMPTY, (_text_value(k), v)) for k, v in receiver.keys)
            return _container(receiver.facts, pairs)
        if method in ("values",) and receiver.keys is not None:
            return _container(receiver.facts, tuple(v for _, v in receiver.keys))
        if method in ("keys",) and receiver.keys is not None:
            return _container(receiver.facts, tuple(_text_value(k) for k, _ in receiver.keys))
        return None

    def _mutate(self, target: Any, method: str, receiver: _Value, args: list) -> None:
        values = [v for _, v in args]
        if not values:
            return
        if method in ("append", "add", "appendleft"):
            new = _container(
                receiver.facts,
                (receiver.items or ()) + (values[0],),
                receiver.keys,
                type_name=receiver.type_name,
            )
        elif method == "insert" and len(values) >= 2:
            new = _container(
                receiver.facts,
                (values[1],) + (receiver.items or ()),
                receiver.keys,
                type_name=receiver.type_name,
            )
        elif method == "extend":
            extra = values[0]
            if extra.items is not None:
                new = _container(
                    receiver.facts | extra.facts, (receiver.items or ()) + extra.items, receiver.keys
                )
            else:
                new = _container(
                    receiver.facts | extra.all,
                    receiver.items if receiver.items is not None else (),
                    receiver.keys,
                )
        elif method in ("update", "setdefault", "__setitem__"):
            keys = dict(receiver.keys or ())
            facts = receiver.facts
            if method == "update":
                for arg, value in args:
                    if arg.keyword is not None:
                        keys[arg.keyword.value] = value
                    elif value.keys is not None:
                        keys.update(value.keys)
                        facts |= value.facts
                    else:
                        facts |= value.all
            else:
                name = self._literal(args[0][0].value)
                if name is not None and len(values) > 1:
                    keys[name] = _join(keys.get(name), values[1]) if method == "setdefault" else values[1]
                else:
                    facts |= frozenset().union(*(v.all for v in values))
            new = _container(facts, receiver.items, tuple(keys.items()), type_name=receiver.type_name)
        else:
            return
        self._store_path(target, new)

    # ----- templates -----

    def _template_slots(self, node: cst.Call, sinks: list, args: list, label: str) -> tuple:
        """Slots of the prompt templates this sink call builds (`{name}` in its template text)."""
        slots: list[_Slot] = []
        jinja = False
        fmt = _keyword(node, "template_format")
        if fmt is not None and self._literal(fmt.value) in ("jinja2", "mustache"):
            jinja = True
        for sink in sinks:
            for argument in sink.arguments:
                if not argument.template and argument.role != TEMPLATE:
                    continue
                for _, value, _ in self._sink_arguments(node, args, argument):
                    slots += self._slots_of(value, argument.role, label, jinja)
        return tuple(slots)

    def _slots_of(self, value: _Value, role: str, label: str, jinja: bool) -> list[_Slot]:
        if role in (MESSAGES, INPUT):
            slots: list[_Slot] = []
            for item in value.items or ():
                message_role, content = _message_parts(item)
                if message_role is None and content is None:
                    continue
                if message_role in _PLACEHOLDER_ROLES and content is not None and content.const:
                    for name in _template_slots(content.const, False):
                        slots.append(
                            _Slot(name, MESSAGES, False, f"the `{name}` messages placeholder of `{label}`")
                        )
                    continue
                kind = _classify_role(message_role)[0] if message_role else USER
                for part in (
                    content.items if content is not None and content.items is not None else (content,)
                ):
                    if part is not None and part.const:
                        slots += self._text_slots(part.const, kind, label, jinja, message_role or "user")
            return slots
        if value.const:
            return self._text_slots(
                value.const, INSTRUCTION if role == INSTRUCTION else USER, label, jinja, role
            )
        return []

    def _text_slots(self, text: str, role: str, label: str, jinja: bool, where: str) -> list[_Slot]:
        spliced = _count_words(text) >= SPLICE_WORDS
        kind = "system" if role == INSTRUCTION else ("user" if where in (USER, TEMPLATE) else where)
        return [
            _Slot(name, role, spliced, f"the `{{{name}}}` variable of a {kind} prompt template (`{label}`)")
            for name in _template_slots(text, jinja)
        ]

    def _bind(self, node: cst.Call, receiver: _Value, args: list) -> None:
        """A call on a template (`prompt.format(x=...)`, `chain.invoke({"x": ...})`) fills slots."""
        by_name: dict[str, list[_Slot]] = {}
        for slot in receiver.slots:
            by_name.setdefault(slot.name, []).append(slot)
        bindings: list = []
        for arg, value in args:
            if arg.keyword is not None and arg.keyword.value in by_name:
                bindings += [(slot, value, arg.value) for slot in by_name[arg.keyword.value]]
            elif arg.keyword is None and value.keys is not None:
                for name, inner in value.keys:
                    for slot in by_name.get(name, ()):
                        bindings.append((slot, inner, _locate(arg.value, (name,))))
            elif arg.keyword is None and arg.star == "**" and value.all:
                for slots in by_name.values():
                    bindings += [(slot, _Value(value.facts), arg.value) for slot in slots]
        positional = [(a, v) for a, v in args if a.keyword is None and not a.star]
        if not bindings and len(by_name) == 1 and len(positional) == 1 and positional[0][1].keys is None:
            arg, value = positional[0]
            bindings += [(slot, value, arg.value) for slot in next(iter(by_name.values()))]
        if bindings:
            self._binds[id(node)] = bindings

    # ----- sink flows -----

    def _sink_arguments(
        self, call: cst.Call, args: list, argument: SinkArgument
    ) -> list[tuple[Any, _Value, str]]:
        """(node, value, description) of the arguments a SinkArgument names, `path` followed."""
        found: list[tuple[Any, _Value, str]] = []
        if argument.keyword is None and argument.position is None:
            for index, (arg, value) in enumerate(args):
                what = f"`{arg.keyword.value}=`" if arg.keyword is not None else f"argument {index + 1}"
                found.append((arg.value, value, what))
        else:
            hit = None
            if argument.keyword is not None:
                hit = next(
                    (
                        (a, v)
                        for a, v in args
                        if a.keyword is not None and a.keyword.value == argument.keyword
                    ),
                    None,
                )
            if hit is None and argument.position is not None:
                position = 0
                for arg, value in args:
                    if arg.keyword is not None or arg.star == "**":
                        continue
                    if arg.star == "*":
                        break
                    if position == argument.position:
                        hit = (arg, value)
                        break
                    position += 1
            if hit is not None:
                what = f"`{argument.keyword}=`" if argument.keyword else f"argument {argument.position + 1}"  # type: ignore[operator]
                found.append((hit[0].value, hit[1], what))
            elif argument.keyword is not None:
                for arg, value in args:
                    if arg.star == "**":
                        keyed = value.key(argument.keyword)
                        if keyed is not None:
                            found.append((arg.value, keyed, f"`{argument.keyword}=`"))
                        elif value.facts:
                            found.append((arg.value, _Value(value.facts), f"`{argument.keyword}=`"))
        if not argument.path:
            return found
        descended = []
        for node, value, what in found:
            current: _Value | None = value
            for key in argument.path:
                current = current.key(key) if current is not None else None
            if current is not None:
                descended.append(
                    (_locate(node, argument.path), current, f"`{'.'.join(argument.path)}` in {what}")
                )
            elif value.facts and not value.checked:  # a dict from the data: it may set the key
                descended.append((node, _Value(value.facts), f"`{'.'.join(argument.path)}` in {what}"))
        return descended

    def _dispatch(
        self, ctx: _FlowContext, role: str, value: _Value, node: Any, what: str, template: bool
    ) -> None:
        if not value.all or value.checked:  # a sink's result was checked where it was built
            return
        if role in (MESSAGES, INPUT):
            self._messages(ctx, role, value, node, (), template)
            return
        if role == MESSAGE:
            self._call_message(ctx, value, node, what)
            return
        if template and role == USER:
            role = TEMPLATE
        target = f"{what} of `{ctx.label}`"
        message_role = ctx.argument.message_role if ctx.argument is not None else None
        if message_role:
            target = f"{_classify_role(message_role)[1]} ({what}) of `{ctx.label}`"
        elif role == INSTRUCTION:
            target = f"the instructions ({what}) of `{ctx.label}`"
        elif role == TEMPLATE:
            target = f"the template text ({what}) of `{ctx.label}`"
        ctx.add(role, target, node, value.all, message_role)

    def _call_message(self, ctx: _FlowContext, value: _Value, node: Any, what: str) -> None:
        """One message given as the call's keywords: its `role=` decides what `value` is."""
        role_value = next(
            (v for a, v in ctx.args if a.keyword is not None and a.keyword.value == "role"), None
        )
        if role_value is not None and any(isinstance(f, (_Taint, _Param)) for f in role_value.all):
            ctx.add(
                INSTRUCTION,
                f"a message of `{ctx.label}` whose role comes from the data",
                node,
                value.all,
                "?",
            )
            return
        message_role = _role_of(role_value) or "user"
        kind, description = _classify_role(message_role)
        ctx.add(kind, f"{description} ({what}) of `{ctx.label}`", node, value.all, message_role)

    def _messages(
        self, ctx: _FlowContext, role: str, value: _Value, node: Any, path: tuple, template: bool
    ) -> None:
        label = ctx.label
        if value.keys is not None and value.items is None and role == INPUT:
            self._message(ctx, value, node, path, template, role)
            return
        if value.facts:
            if value.items is not None or role == MESSAGES:
                ctx.add(
                    INSTRUCTION,
                    f"the message list of `{label}` (the data decides the messages and their roles)",
                    _locate(node, path),
                    value.facts,
                    "?",
                )
            else:
                ctx.add(
                    TEMPLATE if template else USER,
                    f"the prompt of `{label}`",
                    _locate(node, path),
                    value.facts,
                )
        for index, item in enumerate(value.items or ()):
            self._message(ctx, item, node, (*path, index), template, role)

    def _message(
        self, ctx: _FlowContext, item: _Value, node: Any, path: tuple, template: bool, role: str
    ) -> None:
        if item.checked or not item.all:
            return
        label = ctx.label
        message_role, content = _message_parts(item)
        if message_role is None and content is None:
            if role == MESSAGES:
                ctx.add(
                    INSTRUCTION,
                    f"a message of `{label}` taken whole from the data (it decides the role)",
                    _locate(node, path),
                    item.all,
                    "?",
                )
            else:
                ctx.add(
                    TEMPLATE if template else USER,
                    f"a user message of `{label}`",
                    _locate(node, path),
                    item.all,
                    "user",
                )
            return
        role_value = item.key("role") if item.keys is not None else (item.items[0] if item.items else None)
        if role_value is not None and any(isinstance(f, (_Taint, _Param)) for f in role_value.all):
            ctx.add(
                INSTRUCTION,
                f"a message of `{label}` whose role comes from the data",
                _locate(node, path),
                item.all,
                "?",
            )
            return
        if item.keys is not None and item.facts:
            ctx.add(
                INSTRUCTION,
                f"a message of `{label}` whose keys come from the data (it may set the role)",
                _locate(node, path),
                item.facts,
                "?",
            )
        kind, description = _classify_role(message_role or "user")
        if message_role in _PLACEHOLDER_ROLES:
            return
        if kind == USER and template:
            kind, description = TEMPLATE, f"the template text of {description}"
        if content is None or not content.all:
            return
        content_path = (*path, "content") if item.keys is not None else (*path, 1)
        if item.keys is not None:
            key = next((k for k, v in item.keys if k != "role" and v.all), "content")
            content_path = (*path, key)
        ctx.add(
            kind,
            f"{description} of `{label}`",
            _locate(node, content_path),
            content.all,
            message_role or "user",
        )

    # ----- facts for rules -----

    def _concrete(self, facts: Iterable[Any]) -> set[_Taint]:
        """Untrusted facts with parameter placeholders resolved through the module's call sites."""
        result: set[_Taint] = set()
        self._resolve(facts, result, set(), False, ())
        return result

    def _resolve(self, facts: Iterable[Any], out: set, seen: set, spliced: bool, encoded: tuple) -> None:
        for fact in facts:
            if isinstance(fact, _Taint):
                if fact.cond and not self._holds(fact.cond, set()):
                    continue
                if encoded:
                    for encoder in encoded:
                        fact = _mark_encoded(fact, encoder)
                if spliced:
                    fact = _mark_spliced(fact)
                out.add(replace(fact, cond=_EMPTY) if fact.cond else fact)
                continue
            if not isinstance(fact, _Param):
                continue
            key = (fact.func, fact.index, spliced or fact.spliced, encoded + fact.encoded)
            if key in seen:
                continue
            seen.add(key)
            for mapping in self._sites.get(fact.func, ()):
                argument = mapping.get(fact.index)
                if argument is not None:
                    self._resolve(argument.all, out, seen, spliced or fact.spliced, encoded + fact.encoded)

    def _holds(self, cond: frozenset, seen: set) -> bool:
        """Whether a source conditional on parameters (`open(path)` in a helper) holds: some call
        in the module passes a non-static value. A function the module never calls gets the
        benefit of the doubt (its callers elsewhere mostly pass the project's own paths)."""
        for func, index in cond:
            for mapping in self._sites.get(func, ()):
                argument = mapping.get(index)
                if argument is None or not argument.all:
                    continue
                if any(isinstance(f, _Taint) for f in argument.all):
                    return True
                inner = frozenset((f.func, f.index) for f in argument.all if isinstance(f, _Param))
                if inner and (func, index) not in seen and self._holds(inner, seen | {(func, index)}):
                    return True
        return False

    def _public(self, fact: _Taint) -> TaintFact:
        site = fact.site
        return TaintFact(
            tier=site.tier,
            description=site.text or self._description(site.node),
            line=self._line(site.node),
            label=site.label,
            spliced=fact.spliced,
            encoded=fact.encoded,
            node=site.node,
        )

    def _description(self, node: Any) -> str:
        text = self._descriptions.get(id(node))
        if text is None:
            try:
                text = " ".join(self.module.code_for_node(node).split())
            except Exception:  # a node of another tree: describe it by type
                text = type(node).__name__
            if len(text) > 80:
                text = text[:77] + "..."
            self._descriptions[id(node)] = text
        return text

    def _line(self, node: Any) -> int:
        if self._lines is None:
            targets = {
                id(f.site.node)
                for value in self._values.values()
                for f in value.facts
                if isinstance(f, _Taint)
            }
            for func in self._function_list:
                for value in func.initial.values():
                    targets |= {id(f.site.node) for f in value.facts if isinstance(f, _Taint)}
            self._lines = _source_lines(self.module, targets)
        line = self._lines.get(id(node))
        if line is None:
            extra = _source_lines(self.module, {id(node)})
            line = extra.get(id(node), 0)
            self._lines[id(node)] = line
        return line


_EXPRESSIONS: dict[type, Any] = {
    cst.SimpleString: ModuleTaint._string,
    cst.ConcatenatedString: ModuleTaint._string,
    cst.FormattedString: ModuleTaint._fstring,
    cst.Name: ModuleTaint._name,
    cst.Attribute: ModuleTaint._attribute,
    cst.Subscript: ModuleTaint._subscript,
    cst.Call: ModuleTaint._call,
    cst.BinaryOperation: ModuleTaint._binary_expr,
    cst.BooleanOperation: ModuleTaint._boolean,
    cst.UnaryOperation: ModuleTaint._unary,
    cst.Comparison: ModuleTaint._comparison,
    cst.IfExp: ModuleTaint._if_expression,
    cst.List: lambda self, node: self._sequence(node.elements),
    cst.Tuple: lambda self, node: self._sequence(node.elements),
    cst.Set: lambda self, node: self._sequence(node.elements),
    cst.Dict: ModuleTaint._dict,
    cst.ListComp: lambda self, node: self._comprehension(node, node.elt),
    cst.SetComp: lambda self, node: self._comprehension(node, node.elt),
    cst.GeneratorExp: lambda self, node: self._comprehension(node, node.elt),
    cst.DictComp: lambda self, node: self._comprehension(node, None),
    cst.Await: lambda self, node: self._ev(node.expression),
    cst.NamedExpr: ModuleTaint._named,
    cst.Yield: ModuleTaint._yield,
    cst.StarredElement: lambda self, node: self._ev(node.value),
}
"""How each expression type is evaluated (others hold no data: numbers, lambdas, ...)."""


@dataclass
class _FlowContext:
    """Collects raw flows of one sink call: (role, target, node, facts, sink, message role)."""

    out: list
    sink: Sink | None
    label: str
    args: list  # the call's (cst.Arg, _Value)
    argument: SinkArgument | None = None

    def add(
        self, role: str, target: str, node: Any, facts: frozenset, message_role: str | None = None
    ) -> None:
        if facts:
            self.out.append((role, target, node, facts, self.sink, message_role))


def _field_type(cls: _Class, attr: str) -> bool | None:
    """Whether a class-level annotated field may hold text (None: not declared)."""
    if attr in cls.field_types:
        return cls.field_types[attr]
    for base in cls.local_bases:
        found = _field_type(base, attr)
        if found is not None:
            return found
    return None


def _classify_role(role: str) -> tuple[str, str]:
    """(flow role, description) of a chat message role."""
    if role in _INSTRUCTION_ROLES:
        return INSTRUCTION, f"a {role} message"
    if role in _ASSISTANT_ROLES:
        return INSTRUCTION, f"an {role} message (a forged model turn)" if role[
            0
        ] in "aeiou" else f"a {role} message (a forged model turn)"
    if role in ("user", "human"):
        return USER, "a user message"
    return USER, f"a `{role}` message"


def _message_parts(item: _Value) -> tuple[str | None, _Value | None]:
    """(role, content) of a message value: a dict with `role`, or a `(role, text)` tuple."""
    if item.keys is not None:
        role = _role_of(item.key("role"))
        content = _join_all(v for k, v in item.keys if k != "role") if item.keys else None
        if item.key("role") is None and not any(
            k in ("content", "parts", "text", "message") for k, _ in item.keys
        ):
            return None, None
        return role, content
    if item.items is not None and len(item.items) == 2:
        role = _role_of(item.items[0])
        if role is not None:
            return role, item.items[1]
    if item.const is not None or item.words:
        return "user", item
    return None, None


def _collect_slots(values: Iterable[_Value]) -> tuple:
    slots: list = []
    for value in values:
        slots += value.slots
        if value.items:
            slots += _collect_slots(value.items)
    return tuple(slots)


def _substitute(summary: _Value, func: int, mapping: dict[int, _Value]) -> _Value:
    """A summary with the placeholders of `func` replaced by the call's arguments."""
    if not summary.all:
        return summary
    if (
        len(summary.facts) == 1
        and summary.items is None
        and summary.keys is None
        and not summary.words
        and summary.const is None
    ):
        (only,) = summary.facts
        if isinstance(only, _Param) and only.func == func and not only.spliced and not only.encoded:
            argument = mapping.get(only.index, EMPTY)
            return (
                argument
                if summary.type_name is None
                else replace(argument, type_name=argument.type_name or summary.type_name)
            )
    facts: set = set()
    for fact in summary.facts:
        facts |= _substitute_fact(fact, func, mapping)
    return _container(
        frozenset(facts),
        None if summary.items is None else tuple(_substitute(i, func, mapping) for i in summary.items),
        None if summary.keys is None else tuple((k, _substitute(v, func, mapping)) for k, v in summary.keys),
        const=summary.const,
        words=summary.words,
        slots=summary.slots,
        checked=summary.checked,
        type_name=summary.type_name,
        ref=summary.ref,
        clean_attrs=summary.clean_attrs,
    )


def _substitute_fact(fact: Any, func: int, mapping: dict[int, _Value]) -> set:
    if isinstance(fact, _Param):
        if fact.func != func:
            return {fact}
        argument = mapping.get(fact.index)
        if argument is None:
            return set()
        result = set()
        for inner in argument.all:
            for encoder in fact.encoded:
                inner = _mark_encoded(inner, encoder)
            if fact.spliced:
                inner = _mark_spliced(inner)
            result.add(inner)
        return result
    if isinstance(fact, _Taint) and fact.cond:
        mine = {c for c in fact.cond if c[0] == func}
        if not mine:
            return {fact}
        rest = set(fact.cond - mine)
        for _, index in mine:
            argument = mapping.get(index)
            if argument is None or not argument.all:
                continue
            if any(isinstance(f, _Taint) for f in argument.all):
                return {replace(fact, cond=_EMPTY)}
            rest |= {(f.func, f.index) for f in argument.all if isinstance(f, _Param)}
        if not rest:
            return set()
        return {replace(fact, cond=frozenset(rest))}
    return {fact}


def _limit(value: _Value) -> _Value:
    if value.depth > MAX_DEPTH:
        return _Value(
            value.all, words=value.words, slots=value.slots, type_name=value.type_name, ref=value.ref
        )
    return value


def _join_envs(a: dict, b: dict) -> dict:
    if a is b:
        return a
    merged = dict(a)
    for name, value in b.items():
        merged[name] = _join(merged.get(name), value)
    return merged


def _clean(env: dict, paths: Iterable[str]) -> dict:
    cleaned = dict(env)
    for path in paths:
        old = cleaned.get(path)
        cleaned[path] = _Value(const=old.const, type_name=old.type_name) if old is not None else EMPTY
    return cleaned


def _guard_paths(node: Any) -> list[str]:
    """What a guard on `node` vouches for: `x`, `body.tone`, and `x` of `x.lower()`."""
    if (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value in _CASE_METHODS
    ):
        return _guard_paths(node.func.value)
    path = _path(node)
    return [path] if path else []


_ARGS = ArgHelper()


def _positional(call: cst.Call, position: int | str) -> cst.Arg | None:
    return _ARGS.get(call, None, position) if isinstance(position, int) else None


def _keyword(call: cst.Call, name: str) -> cst.Arg | None:
    return _ARGS.get(call, name)


def _locate(node: Any, path: Sequence[Any]) -> Any:
    """The expression inside a literal argument that a value path (list indexes, dict keys) names;
    stops where the syntax no longer follows (a name bound elsewhere)."""
    for step in path:
        if isinstance(node, cst.Call) and isinstance(step, str):
            keyword = _keyword(node, step)
            if keyword is not None:
                node = keyword.value
                continue
            first = _positional(node, 0)
            if first is not None and isinstance(first.value, cst.Dict):
                node = first.value
            else:
                break
        if isinstance(step, int) and isinstance(node, (cst.List, cst.Tuple)):
            elements = node.elements
            if step >= len(elements) or any(isinstance(e, cst.StarredElement) for e in elements[: step + 1]):
                break
            node = elements[step].value
        elif isinstance(step, str) and isinstance(node, cst.Dict):
            entry = next(
                (e for e in node.elements if isinstance(e, cst.DictElement) and _const_string(e.key) == step),
                None,
            )
            if entry is None:
                break
            node = entry.value
        else:
            break
    return node


_SEVERITY_ORDER = {REMOTE: 0, INDIRECT: 1, CLI: 2, LLM_OUTPUT: 3}


def _severity_key(fact: TaintFact) -> tuple:
    return (_SEVERITY_ORDER.get(fact.tier, 9), not fact.spliced, fact.line, fact.description)


def _source_lines(module: cst.Module, targets: set[int]) -> dict[int, int]:
    """1-based start lines of the nodes in `targets`, from one code-generation pass (position
    metadata would cost several times a parse; this costs a fraction of one)."""
    if not targets:
        return {}
    try:
        from libcst._nodes.internal import CodegenState
    except ImportError:  # pragma: no cover - libcst moved its internals: fall back to metadata
        from libcst.metadata import MetadataWrapper, PositionProvider

        positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
        return {id(node): span.start.line for node, span in positions.items() if id(node) in targets}

    class _Recorder(CodegenState):  # type: ignore[misc]
        def before_codegen(self, node: Any) -> None:
            if id(node) in targets and id(node) not in starts:
                starts[id(node)] = len(self.tokens)

    starts: dict[int, int] = {}
    state = _Recorder(default_indent=module.default_indent, default_newline=module.default_newline)
    module._codegen(state)
    tokens = state.tokens
    lines: dict[int, int] = {}
    line, position = 1, 0
    for key, index in sorted(starts.items(), key=lambda item: item[1]):
        while position < index:
            line += tokens[position].count("\n")
            position += 1
        extra = 0
        for token in tokens[index:]:
            if token.strip() and not token.lstrip().startswith("#"):
                break
            extra += token.count("\n")
        lines[key] = line + extra
    return lines
