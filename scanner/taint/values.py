"""The abstract domain: facts, abstract values, and their join.

Owns what a value may carry (`Taint` facts from a `Site`, `Param` placeholders of a function's
parameters, template `Slot`s), the immutable `Value` and every operation on values that needs no
syntax and no analysis state: `join` (the may-union at control-flow merges), the size and depth
bounds (`MAX_ITEMS`, `MAX_DEPTH`: structure collapses into facts, so the domain has finite height
for the fixpoint), splice and encoder marks, and joins of environments.

May import: the standard library only."""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import MISSING, dataclass, field, fields
from dataclasses import replace as dataclass_replace
from functools import lru_cache
from typing import Any, Iterable, Iterator, TypeVar

MAX_ITEMS = 32  # longer lists/dicts collapse into their facts
MAX_DEPTH = 8  # deeper structure collapses too (recursive builders stay finite)
MAX_CALLABLES = 16  # functions one value may be (a dispatch table); more: unknown
SPLICE_WORDS = 3  # constant words that make a string "instruction text"

_Frozen = TypeVar("_Frozen", bound=type)


def quick_init(cls: _Frozen) -> _Frozen:
    """Give a frozen dataclass an `__init__` that stores its fields straight into the instance's
    `__dict__`, where the generated one calls `object.__setattr__` once per field (frozen
    dataclasses must bypass their own `__setattr__`). The same parameters, defaults, order and
    `__post_init__` call, and the same instance dict afterwards: `object.__setattr__` of a
    field no data descriptor shadows writes that dict entry. Half the cost: a langchain scan
    builds about 2 million `Value`s (the generated `__init__` was 13% of the fixpoint)."""
    parameters: list[str] = []
    defaults: dict[str, Any] = {}
    for item in fields(cls):
        if not item.init or item.kw_only or item.default_factory is not MISSING:
            raise TypeError(f"quick_init: {cls.__name__}.{item.name} is not a plain field")
        if item.default is MISSING:
            parameters.append(item.name)
        else:
            defaults[f"_default_{item.name}"] = item.default
            parameters.append(f"{item.name}=_default_{item.name}")
    stores = "".join(f"    _stored[{item.name!r}] = {item.name}\n" for item in fields(cls))
    post = "    self.__post_init__()\n" if hasattr(cls, "__post_init__") else ""
    source = f"def __init__(self, {', '.join(parameters)}):\n    _stored = self.__dict__\n{stores}{post}"
    exec(source, defaults)  # as `dataclasses` makes its methods: from our own field names only
    init = defaults["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    cls.__init__ = init
    _QUICK.add(cls)
    return cls


_QUICK: set[type] = set()  # the classes `quick_init` gave their `__init__`


def replace(obj: Any, /, **changes: Any) -> Any:
    """`dataclasses.replace`, at less than half its cost for a `quick_init` class (a scan replaces
    about 100,000 facts and values): such an instance's `__dict__` holds exactly its fields, all
    of them `__init__` parameters (`quick_init` admits no other kind), which is what
    `dataclasses.replace` passes to the constructor when a field is not changed."""
    kind = type(obj)
    if kind in _QUICK:
        return kind(**{**obj.__dict__, **changes})
    return dataclass_replace(obj, **changes)


@dataclass(frozen=True)
class Site:
    """One occurrence of a source in the module."""

    tier: str
    label: str
    node: Any
    text: str | None = None  # fixed description (parameter sources); else the node's code


@dataclass(frozen=True)
class FileName:
    """The value names a file, or is an open file (`files`): `key` is a constant path's text or
    ("temporary", the creating call). Not data: flows never report it."""

    key: Any
    spliced: bool = False  # kept as data facts are (`mark_spliced`, `mark_encoded` apply to every fact)
    encoded: tuple[str, ...] = ()


@dataclass(frozen=True)
class Checked:
    """The value was untrusted data that passed a check which did not make it a constant (a
    `re.fullmatch` guard, membership in a collection computed at run time such as `git ls-files`
    or a table's names). Clean for every sink, but a file it names is one the data chose, so
    what is read from it stays indirect content (`files`). With `cond`, only if one of those
    parameters (function index, parameter index) receives a non-static value, as `Taint.cond`.
    Not data: flows never report it."""

    cond: frozenset[tuple[int, int]] = frozenset()
    spliced: bool = False
    encoded: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProjectPath:
    """The value is a path anchored at the project's own source (`__file__`): a file under it,
    even one a checked value names, is the project's own (a prompt chosen by a validated style
    name), unlike one under a folder the deployment configures. Not data."""

    spliced: bool = False
    encoded: tuple[str, ...] = ()


PROJECT_PATH = ProjectPath()


@quick_init
@dataclass(frozen=True)
class Taint:
    """Untrusted data from `site`. With `cond`, only if one of those parameters (function index,
    parameter index) receives a non-static value (`open(path)` inside a helper)."""

    site: Site
    spliced: bool = False
    encoded: tuple[str, ...] = ()
    cond: frozenset[tuple[int, int]] = frozenset()
    # the calls it went through (`via` nodes, source first): for the path shown with a finding, so
    # not part of equality (the same source by another path is the same fact to the fixpoint)
    via: tuple = field(default=(), compare=False)


MAX_STEPS = 8  # calls kept on a fact's path


# ----- witnesses: the path an untrusted fact keeps when equal facts meet -----
#
# Two facts that differ only by `via` are one fact to the fixpoint, so wherever they meet (a
# union, a join, a mapping that makes two facts equal) one path survives. Which one must not
# depend on set iteration order (node hashes are addresses, string hashes are seeded per
# process): the shorter path wins, then the one whose first differing step comes first by its
# code, then by its rank (the module being analysed tells both: `witness_steps`). Paths whose
# steps have the same code and rank are the same path; the left operand's stays.


class _Witness:
    """How the module being analysed orders steps (`witness_steps`)."""

    text: Any = None
    rank: Any = None


@contextmanager
def witness_steps(text: Any, rank: Any) -> Iterator[None]:
    """Within the block, equal facts keep the path whose first differing step comes first by
    `text(node)` (its code), then `rank(node)` (where it is): set by a module's analysis and its
    report, restored after a nested analysis of another module."""
    saved = _Witness.text, _Witness.rank
    _Witness.text, _Witness.rank = text, rank
    try:
        yield
    finally:
        _Witness.text, _Witness.rank = saved


def precedes(new: tuple, old: tuple) -> bool:
    """Whether path `new` is the canonical witness over `old` (equal facts): shorter first, then
    by the first step whose code or rank differs (code first: it does not change when
    definitions move)."""
    if len(new) != len(old):
        return len(new) < len(old)
    text = _Witness.text
    if text is None:
        return False
    for a, b in zip(new, old, strict=True):
        if a is not b:
            text_a, text_b = text(a), text(b)
            if text_a != text_b:
                return text_a < text_b
            rank_a, rank_b = _Witness.rank(a), _Witness.rank(b)
            if rank_a != rank_b:
                return rank_a < rank_b
    return False


def _preferred(kept: dict, facts: Iterable[Any]) -> list:
    """The facts of `facts` whose path beats the equal fact in `kept` (fact -> itself; every fact
    of `facts` is in it)."""
    better = []
    for fact in facts:
        old = kept[fact]
        if (
            old is not fact
            and old.__class__ in _ROUTED
            and old.via != fact.via
            and precedes(fact.via, old.via)
        ):
            better.append(fact)
    return better


def unite(a: frozenset, b: frozenset) -> frozenset:
    """`a | b`, where a fact in both keeps the canonical path."""
    if a is b or not b:
        return a
    if not a:
        return b
    merged = a | b
    if len(merged) == len(a) + len(b):
        return merged
    return rewitness(merged, b)


def rewitness(merged: frozenset, other: frozenset) -> frozenset:
    """`merged` (a union that kept its left operand's facts) with the facts of `other` whose
    path beats the one `merged` kept."""
    better = _preferred(dict(zip(merged, merged, strict=True)), other)
    if not better:
        return merged
    replaced = frozenset(better)
    return (merged - replaced) | replaced


def unite_all(sets: Iterable[frozenset]) -> frozenset:
    """The union of `sets` (`unite`, in order)."""
    result: frozenset = NO_FACTS
    for facts in sets:
        result = unite(result, facts)
    return result


def collect(facts: Iterable[Any]) -> frozenset:
    """`frozenset(facts)` where facts that turn out equal (a mapping that marks or narrows them)
    keep the canonical path, whatever order `facts` come in."""
    listed = facts if isinstance(facts, list) else list(facts)
    result = frozenset(listed)
    if len(result) == len(listed):
        return result
    kept: dict = {}
    for fact in listed:
        old = kept.get(fact)
        if old is None or _preferred({old: old}, (fact,)):
            kept[fact] = fact
    return frozenset(kept.values())


def through(fact: Any, call: Any) -> Any:
    """`fact` having passed through `call` (a helper that returned it or received it)."""
    if not isinstance(fact, (Taint, Param)) or call is None or call in fact.via or len(fact.via) >= MAX_STEPS:
        return fact
    return replace(fact, via=(*fact.via, call))


def along(fact: Any, steps: tuple) -> Any:
    """`fact` having then passed through each of `steps` in order."""
    for step in steps:
        fact = through(fact, step)
    return fact


@quick_init
@dataclass(frozen=True)
class Param:
    """Whatever the caller passes as parameter `index` of function `func` (a placeholder)."""

    func: int
    index: int
    spliced: bool = False
    encoded: tuple[str, ...] = ()
    via: tuple = field(default=(), compare=False)  # calls it went through inside the function (`Taint.via`)
    key: str | None = None  # the entry read from it (`state["persona"]`): the caller's entry, if it has one


_ROUTED = frozenset({Taint, Param})  # the facts with a path (`via`)


@dataclass(frozen=True)
class Slot:
    """A `{name}` variable of a prompt template, and the role of the text around it."""

    name: str
    role: str  # INSTRUCTION, USER or MESSAGES
    spliced: bool
    target: str


@dataclass(frozen=True)
class Instance:
    """An object of a local class. Two instances of one class are the same abstract object (a
    constructor evaluated again in a later round, or on two paths, yields an equal value), so
    `self.triager = Triager()` keeps its type when rounds and branches join."""

    cls: Any


@dataclass(frozen=True)
class Callables:
    """Several local functions or classes one value may be: an entry of a dispatch table
    (`HANDLERS[name]`, `TOOLS.get(call.name)`) or a name bound on two paths. Calling it calls
    each of them."""

    refs: tuple


@dataclass(frozen=True)
class Partial:
    """`functools.partial(func, *args, **kwargs)` of a local function, or of one of another project
    module (`func` is then the expression naming it): calling it calls `func` with `args`
    ((cst.Arg, Value) pairs) before the call's own."""

    func: Any
    args: tuple


def join_refs(a: Any, b: Any) -> Any:
    """The local definition(s) a joined value may be: equal refs stay, two callables (functions,
    classes) become `Callables`, anything else (instances of two classes) is unknown."""
    if a == b:
        return a
    if a is None or b is None or isinstance(a, (Instance, Partial)) or isinstance(b, (Instance, Partial)):
        return None
    refs = tuple(dict.fromkeys((*_callable_refs(a), *_callable_refs(b))))
    return Callables(refs) if len(refs) <= MAX_CALLABLES else None


def _callable_refs(ref: Any) -> tuple:
    return ref.refs if isinstance(ref, Callables) else (ref,)


NO_FACTS: frozenset = frozenset()


@quick_init
@dataclass(frozen=True)
class Value:
    """What an expression may hold (see the module docstring). Immutable; equal values compare
    equal, which is how the fixpoint detects that nothing changed."""

    facts: frozenset = NO_FACTS  # of the value itself (strings, opaque objects, unknown list content)
    items: tuple | None = None  # known list/tuple elements
    keys: tuple | None = None  # known dict entries / object attributes: ((name, Value), ...)
    const: str | None = None  # the text, when it is a known constant string
    words: int = 0  # constant instruction words in the text
    slots: tuple = ()  # template slots (Slot)
    checked: bool = False  # built by a sink call (a message or response): checked where it was built
    type_name: str | None = None  # qualified type of an object, for resolving its attributes
    ref: Any = None  # a local def: Function, Class, or Instance of a Class
    clean_attrs: frozenset = NO_FACTS  # attributes that never hold data (argparse `type=int` options)
    instance: bool = False  # an object a call returned (calling it is `<type_name>.__call__`)
    # the expression that built a chat message (a `{"role": ...}` dict, a message object's
    # constructor): a flow of the message sent by another statement names it on its path
    origin: Any = field(default=None, compare=False, repr=False)
    all: frozenset = field(default=NO_FACTS, compare=False, repr=False)  # every fact, nested too
    depth: int = field(default=1, compare=False, repr=False)

    def __post_init__(self) -> None:
        # `all` gathers the parts' facts in the value's own order (its items' and keys', as the
        # code wrote them), left operand first, not by `unite`: deterministic either way, and
        # here (every value with parts) `unite` took most of what canonical paths cost on langchain
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
        stored = self.__dict__  # as `quick_init` stores fields
        stored["all"] = facts
        stored["depth"] = depth

    def key(self, name: str) -> Value | None:
        if self.keys:
            for key, value in self.keys:
                if key == name:
                    return value
        return None

    def element(self) -> Value:
        """Any one element (iteration, unknown index)."""
        value = Value(self.facts) if self.facts else EMPTY  # `TOOLS[name]` keeps its functions
        for item in self.items or ():
            value = join(value, item)
        for _, item in self.keys or ():
            value = join(value, item)
        return value


def _value_eq(self: Value, other: Any) -> Any:
    """`Value`'s `__eq__`: the generated one builds a tuple of the eleven compared fields of each
    value and compares them; this compares field by field and stops at the first that differs
    (most values a join or a fixpoint check compares differ in their facts or constant). Same
    answer: tuple equality is element by element, `x is y or x == y`, all of them equal."""
    if other.__class__ is not self.__class__:
        return NotImplemented
    a, b = self.__dict__, other.__dict__
    return (
        (a["facts"] is b["facts"] or a["facts"] == b["facts"])
        and a["const"] == b["const"]
        and a["type_name"] == b["type_name"]
        and a["words"] == b["words"]
        and a["checked"] == b["checked"]
        and a["instance"] == b["instance"]
        and (a["ref"] is b["ref"] or a["ref"] == b["ref"])
        and a["slots"] == b["slots"]
        and a["clean_attrs"] == b["clean_attrs"]
        and (a["items"] is b["items"] or a["items"] == b["items"])
        and (a["keys"] is b["keys"] or a["keys"] == b["keys"])
    )


Value.__eq__ = _value_eq  # type: ignore[method-assign]  # `__hash__` stays the generated one

EMPTY = Value()
PROJECT_VALUE = Value(frozenset({PROJECT_PATH}))  # `__file__`


def text_value(text: str) -> Value:
    return Value(const=text, words=count_words(text))


_FIELD = re.compile(r"\{\{[^{}]*\}\}|\{[^{}]*\}")
_WORD = re.compile(r"[A-Za-z]{2,}")


MEMO_TEXT = 2_000  # longest constant whose word count is kept: the memo stays under 8 MB


def count_words(text: str) -> int:
    """Instruction words of a constant (template fields left out). The same constants are read
    again every round: a short one's count is kept."""
    return _count_short(text) if len(text) <= MEMO_TEXT else _count(text)


def _count(text: str) -> int:
    return len(_WORD.findall(_FIELD.sub(" ", text)))


_count_short = lru_cache(maxsize=4096)(_count)


def make_container(
    facts: frozenset = NO_FACTS, items: tuple | None = None, keys: tuple | None = None, **extra: Any
) -> Value:
    """A list or dict value, collapsed into its facts when it grows too long or too deep."""
    value = Value(facts, items, keys, **extra)
    if (items is not None and len(items) > MAX_ITEMS) or (keys is not None and len(keys) > MAX_ITEMS):
        return Value(value.all, **extra)
    if value.depth > MAX_DEPTH:
        return Value(value.all, **extra)
    return value


def join(a: Value | None, b: Value | None) -> Value:
    """May-union of two values (control-flow merge)."""
    if a is None:
        return b or EMPTY
    if b is None or a is b:
        return a
    if a == b and (a.all is b.all or not _preferred(dict(zip(a.all, a.all, strict=True)), b.all)):
        return a  # equal, and no path of `b` beats `a`'s (else joined below: every part keeps the better)
    if a is EMPTY:
        return b
    if b is EMPTY:
        return a
    facts = unite(a.facts, b.facts)
    items: tuple | None
    if a.items is not None and b.items is not None:
        common = min(len(a.items), len(b.items))
        longer = a.items if len(a.items) >= len(b.items) else b.items
        items = (
            *(join(x, y) for x, y in zip(a.items[:common], b.items[:common], strict=True)),
            *longer[common:],
        )
    else:
        items = a.items if a.items is not None else b.items
    keys: tuple | None
    if a.keys is not None and b.keys is not None:
        merged: dict[str, Value] = dict(a.keys)
        for name, value in b.keys:
            merged[name] = join(merged.get(name), value)
        keys = tuple(merged.items())
    else:
        keys = a.keys if a.keys is not None else b.keys
    return make_container(
        facts,
        items,
        keys,
        const=a.const if a.const == b.const else None,
        words=max(a.words, b.words),
        slots=tuple(dict.fromkeys(a.slots + b.slots)),
        checked=a.checked and b.checked,
        type_name=a.type_name if a.type_name == b.type_name else (a.type_name or b.type_name),
        ref=join_refs(a.ref, b.ref),
        clean_attrs=a.clean_attrs & b.clean_attrs,
        instance=a.instance and b.instance,
        origin=a.origin if a.origin is b.origin else None,
    )


def join_all(values: Iterable[Value]) -> Value:
    result = EMPTY
    for value in values:
        result = join(result, value)
    return result


def opaque(value: Value, **extra: Any) -> Value:
    """The value's data without its structure (an attribute of a tainted object, a string method)."""
    return Value(value.all, words=value.words, **extra)


def mark_spliced(fact: Any) -> Any:
    if fact.encoded or fact.spliced:
        return fact
    return replace(fact, spliced=True)


def mark_encoded(fact: Any, encoder: str) -> Any:
    if encoder in fact.encoded:
        return fact
    return replace(fact, encoded=(*fact.encoded, encoder))


DOCUMENT = " document"  # the mark of an encoder that serialised a structure (`json.dumps({...})`)


def encode(value: Value, encoder: str) -> Value:
    """`value` through an encoder. The text is encoded; a structure kept (`json.dumps({"messages":
    [...]})`) is a document whose reader decodes it: its entries also carry a document mark that
    `read_document` takes off when a sink reads a key path of the document (Bedrock's
    `invoke_model(body=json.dumps(...))` sends `messages[].content` as the model reads it)."""
    if value.items is None and value.keys is None:
        return map_facts(value, lambda f: mark_encoded(f, encoder))
    inner = map_facts(replace(value, facts=NO_FACTS), lambda f: mark_document(f, encoder))
    return replace(inner, facts=collect([mark_encoded(f, encoder) for f in value.facts]))


def mark_document(fact: Any, encoder: str) -> Any:
    """The encoder's mark, then the document mark: both come off together (an encoder applied to
    the entry itself before, `{"content": json.dumps(x)}`, stays)."""
    return replace(fact, encoded=(*fact.encoded, encoder, encoder + DOCUMENT))


def read_document(fact: Any) -> Any:
    """`fact` as the reader of a serialised document sees it (the document's encoding undone)."""
    if fact.encoded and fact.encoded[-1].endswith(DOCUMENT):
        return replace(fact, encoded=fact.encoded[:-2])
    return fact


def map_facts(value: Value, fn: Any) -> Value:
    """The value with `fn` applied to every fact, structure kept."""
    if not value.all:
        return value
    return Value(
        collect([fn(f) for f in value.facts]),
        None if value.items is None else tuple(map_facts(item, fn) for item in value.items),
        None if value.keys is None else tuple((k, map_facts(v, fn)) for k, v in value.keys),
        value.const,
        value.words,
        value.slots,
        value.checked,
        value.type_name,
        value.ref,
        value.clean_attrs,
        value.instance,
        origin=value.origin,
    )


def keyed_entry(argument: Value, key: str | None) -> Value:
    """What a parameter's placeholder narrowed to `key` stands for in a call's argument: its
    entry (`{"persona": p}["persona"]`), nothing when a dict built at the call has no such entry,
    the whole argument when it is data of unknown shape, and the same entry of a parameter the
    caller passes on (`def typed(state): return ask(state)`)."""
    if key is None:
        return argument
    if argument.keys is None:  # a caller's own parameter passed on: its entry, in turn
        narrowed = collect(
            [
                replace(f, key=key)
                if isinstance(f, Param) and f.key is None and not f.spliced and not f.encoded
                else f
                for f in argument.facts
            ]
        )
        return replace(argument, facts=narrowed) if narrowed != argument.facts else argument
    found = argument.key(key)
    if found is not None:
        return join(found, Value(argument.facts)) if argument.facts else found
    return Value(argument.facts)


def readable(value: Value) -> Value:
    """What reading from a value yields: nothing from a sink's result (see `_call`), except the
    slots of a prompt template, which later calls fill, and the file a sink opened (`open(path)`)."""
    if value.checked and not value.slots:
        files = frozenset(f for f in value.facts if isinstance(f, FileName))
        return Value(files, type_name=value.type_name, instance=value.instance)
    return value


def collect_slots(values: Iterable[Value]) -> tuple:
    slots: list = []
    for value in values:
        slots += value.slots
        if value.items:
            slots += collect_slots(value.items)
    return tuple(slots)


def limit_depth(value: Value) -> Value:
    if value.depth > MAX_DEPTH:
        return Value(
            value.all, words=value.words, slots=value.slots, type_name=value.type_name, ref=value.ref
        )
    return value


def join_envs(a: dict, b: dict) -> dict:
    if a is b:
        return a
    merged = dict(a)
    for name, value in b.items():
        merged[name] = join(merged.get(name), value)
    return merged


def forget_parts(env: dict, path: str, elements_only: bool = False) -> None:
    """A variable was rebound (or, `elements_only`, mutated): what was known about its attributes
    (`x.a`) and checked elements (`x[0]`) no longer holds."""
    prefixes = (f"{path}[",) if elements_only else (f"{path}.", f"{path}[")
    for key in [k for k in env if k.startswith(prefixes)]:
        del env[key]


def clean_paths(env: dict, paths: Iterable[str], constant: bool = True) -> dict:
    """`env` with `paths` clean. Unless the check left a constant (`constant`: an allowlist of
    literals, equality with one), data that was untrusted keeps a `Checked` mark."""
    cleaned = dict(env)
    for path in paths:
        old = cleaned.get(path)
        if old is None:
            cleaned[path] = EMPTY
            continue
        mark = NO_FACTS if constant else checked_mark(old)
        cleaned[path] = Value(mark, const=old.const, type_name=old.type_name)
    return cleaned


def checked_mark(value: Value) -> frozenset:
    """The `Checked` fact for `value` having passed a non-constant check: unconditional when it
    carried untrusted data, conditional on the parameters it held, none for a static value."""
    if any(isinstance(f, (Taint, Checked)) and not f.cond for f in value.all):
        return frozenset({Checked()})
    cond = frozenset((f.func, f.index) for f in value.all if isinstance(f, Param))
    cond |= frozenset(c for f in value.all if isinstance(f, (Taint, Checked)) for c in f.cond)
    return frozenset({Checked(cond)}) if cond else NO_FACTS


def chosen_file(value: Value) -> Checked | None:
    """The `Checked` fact of a path a checked value chose outside the project's own source tree
    (a folder from the environment, the working directory), with its conditions joined; None
    for a static path, a path with no checked part, or one anchored at `__file__`."""
    marks = [f for f in value.all if isinstance(f, Checked)]
    if not marks or any(isinstance(f, ProjectPath) for f in value.all):
        return None
    if any(not f.cond for f in marks):
        return Checked()
    return Checked(frozenset(c for f in marks for c in f.cond))
