"""The call screen: which rules can fire in a module, decided on CPython's `ast` before libcst.

The token gate (`prefilter`) keeps a rule when one of its trigger substrings occurs anywhere in
the file, and in library code `numpy`, `torch`, `pickle` or `load` occur almost everywhere. A
libcst parse costs about ten times `ast.parse`, and the engine runs `ast.parse` on every file it is
about to give to libcst anyway (a guard against libcst's unbounded recursion). The screen reuses
that tree: it computes, for every call in the module, every name `aisec.names.NameTable.qualified`
could give its callee (and every function passed uncalled in its arguments), and keeps a rule
only when one of its `Rule.qualified_names` patterns matches one of those names. Rules that
declare no `qualified_names` are always kept. When no rule is left, libcst is neither imported
nor run for the file.

Candidate names of a call (`call_candidates`):

- what `NameTable.qualified(call.func)` can return, computed the same way over one alias map of
  the whole module: the union of the bindings of every scope (`import a.b as c`, `from a import b
  as c`, `x = <name or attribute>`, `x = <call>` (an instance: the callee's name), `self.x = ...`
  in any method, with-as of a call, walrus), keeping every binding of a name that is bound several
  times, plus `builtins.<name>` for every builtin name and the name itself for the module names
  of `assumed.ASSUMED_MODULES` (taken as imported when the file never binds them);
- the callee as written, calls in between dropped and a root that is not a name spelled `?`
  (`np.load`, `get_cls.from_pretrained` for `get_cls().from_pretrained`, `?.from_pretrained` for
  `MODELS[arch].from_pretrained`), so that patterns such as `*.from_pretrained` also match calls
  the name table cannot resolve.

References (`register(pickle.loads)`, `callbacks=[torch.load]`, `dict(loader=yaml.load)`):
a function named uncalled in a call's arguments, or in a list/tuple/set/dict written there
(`reference_arguments`), runs later all the same, and rules report it at the reference. Its
candidates are what `NameTable.qualified` can give it (the same `_Values.expr` walk); the
callee as written is not added, since a rule reports a reference only by its resolved name.

A `from x import *` anywhere makes the screen give up (every rule is kept): the names it binds
are unknown. So do modules whose alias map explodes (`MAX_VALUES`, `MAX_NAMES`, `MAX_STEPS`).

Soundness (why a call a rule reports is never screened out). `NameTable.qualified` resolves an
expression by walking it: a `Name` takes the value of one binding visible at that point of its
scope (an import path, or the value of the binding's expression, resolved one level deeper) or,
unbound, `builtins.<name>`; an `Attribute` is its base's value plus `.attr` (or, for `self.attr` in
a method, the value pre-resolved from `__init__`); a `Call` is its callee's value; anything else,
or a walk deeper than `names._MAX_DEPTH`, has no value. `_Values.expr` follows the same walk with
the same depth accounting, but at each name takes the union over *every* binding of that name in
the module, and for `self.attr` over every `self.attr = ...` that precedes the lookup in the source
(names.py resolves `__init__`'s assignments in statement order, each seeing only earlier ones).
The alias map holds a superset of the bindings names.py records, so every choice names.py can make
is one of the branches explored, and its result is in the set. A result of None (unresolved) is
covered by the callee as written. `tests/test_screen.py` checks this against the name table on
generated modules and runs every rule's examples with the screen on and off.

Two shortcuts keep the pass cheap on code that rebinds names in loops (`x = x.reshape(...)` makes
the union of a name's values grow exponentially with the depth), and both only drop names that no
pattern of the file's remaining rules can match:

- a call `x.attr(...)` is skipped when no pattern ends in `attr`: all its names end in `.attr`
  (not `self.attr(...)`, whose value `__init__` decides);
- a value is only ever extended at its end (`base` -> `base.attr`), so a value that no pattern
  can match however it is extended is dropped (`numpy.arange` when the patterns are `numpy.load`
  and `pickle.*`); for patterns `*.tail` only the last components matter, so such a value is
  kept as `?.` plus its last components (`Patterns.normalise`).
"""

from __future__ import annotations

import ast
import bisect
import builtins
import re
from fnmatch import translate
from typing import Any, Callable, Iterable, Iterator, Sequence

from aisec.hooks import Rule

from .assumed import ASSUMED_MODULES

BUILTIN_NAMES = frozenset(dir(builtins))
# `names._MAX_DEPTH`: the screen must explore at least as deep as the name table resolves
# (tests/test_screen.py checks that they agree).
MAX_DEPTH = 12
MAX_VALUES = 2_000  # values of one expression; beyond this the screen gives up
MAX_NAMES = 100_000  # distinct candidate names of one module; idem
MAX_STEPS = 500_000  # resolution steps of one module; idem
UNRESOLVED_ROOT = "?"

_EMPTY: frozenset[str] = frozenset()
_WILDCARDS = frozenset("*?[")
Normaliser = Callable[[str], "str | None"]


class GiveUp(Exception):
    """The screen cannot bound the module's names: keep every rule."""


def _literal(pattern: str) -> bool:
    return _WILDCARDS.isdisjoint(pattern)


# ----------------------------------------------------------------------------- per run


class Patterns:
    """The patterns of a set of rules, prepared for the two shortcuts of the module docstring."""

    def __init__(self, patterns: Iterable[str]) -> None:
        prefixes: set[str] = set()  # literal text before the first wildcard (whole literal patterns)
        open_prefixes: set[str] = set()  # those of patterns with a wildcard after them
        tails = 0  # components of the longest `tail` of a `*.tail` pattern
        last: set[str] | None = set()
        unbounded = False
        for pattern in patterns:
            end = pattern.rsplit(".", 1)[-1]
            if last is not None:
                if _literal(end) and "[" not in pattern:  # `[.]` could hide the last dot
                    last.add(end)
                else:
                    last = None
            cut = min((pattern.index(ch) for ch in _WILDCARDS if ch in pattern), default=len(pattern))
            prefix = pattern[:cut]
            if prefix:
                prefixes.add(prefix)
                if cut < len(pattern):
                    open_prefixes.add(prefix)
            elif pattern.startswith("*.") and _literal(pattern[2:]):
                tails = max(tails, pattern.count("."))
            else:
                unbounded = True
        self.last_attrs: frozenset[str] | None = None if last is None else frozenset(last)
        self._prefixes = sorted(prefixes)
        self._open = tuple(sorted(open_prefixes))
        self._tails = tails
        self._unbounded = unbounded
        self._seen: dict[str, str | None] = {}

    def normalise(self, value: str) -> str | None:
        """`value` if some extension of it (itself included) can match a pattern; for `*.tail`
        patterns `?.` plus its last components; None when nothing built from it can match."""
        if self._unbounded:
            return value
        seen = self._seen
        if value in seen:
            return seen[value]
        result: str | None = value
        if not self._extends(value):
            if self._tails:
                parts = value.split(".")
                result = ".".join([UNRESOLVED_ROOT, *parts[-self._tails :]])
            else:
                result = None
        if len(seen) > 200_000:
            seen.clear()
        seen[value] = result
        return result

    def _extends(self, value: str) -> bool:
        # Some pattern's literal prefix starts with `value` (value can grow into it) ...
        index = bisect.bisect_left(self._prefixes, value)
        if index < len(self._prefixes) and self._prefixes[index].startswith(value):
            return True
        # ... or `value` starts with the literal prefix of a pattern that goes on with a wildcard.
        return any(value.startswith(prefix) for prefix in self._open)


class CallScreen:
    """The `qualified_names` patterns of a run's rules, compiled once per run."""

    def __init__(self, rules: Iterable[type[Rule]]) -> None:
        self._patterns: dict[type[Rule], tuple[str, ...]] = {}
        # per rule: (word, patterns that count only in a text spelling it) (`qualified_names_with`)
        self._conditions: dict[type[Rule], tuple[tuple[str, frozenset[str]], ...]] = {}
        self._compiled: dict[tuple[str, ...], tuple[frozenset[str], re.Pattern[str] | None]] = {}
        self._plans: dict[frozenset[tuple[str, ...]], Patterns] = {}
        for rule in rules:
            patterns = tuple(getattr(rule, "qualified_names", ()) or ())
            if not patterns:
                continue
            self._patterns[rule] = patterns
            conditions = getattr(rule, "qualified_names_with", None) or {}
            if conditions:
                self._conditions[rule] = tuple((word, frozenset(p)) for word, p in conditions.items())
        self.screened = frozenset(self._patterns)

    def screens(self, rules: Sequence[type[Rule]]) -> bool:
        """Does the screen decide about any of `rules` (is an `ast` pass worth it)?"""
        return any(rule in self.screened for rule in rules)

    def select(
        self, tree: ast.Module, rules: Sequence[type[Rule]], text: str | None = None
    ) -> list[type[Rule]]:
        """The rules that can fire on some call of `tree`, and every rule without patterns.
        `text` (the module's `searchable` text) decides the `qualified_names_with` conditions;
        None counts every condition as met."""
        patterns = {rule: self._patterns_in(rule, text) for rule in rules if rule in self.screened}
        if not patterns:
            return list(rules)
        key = frozenset(patterns.values())
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = Patterns(p for each in key for p in each)
        names = call_names(tree, plan)
        if names is None:
            return list(rules)
        return [rule for rule in rules if rule not in patterns or self._matches(patterns[rule], names)]

    def matches(self, rule: type[Rule], names: Iterable[str]) -> bool:
        """Does a pattern of `rule` match one of `names` (True for a rule without patterns)?"""
        return rule not in self.screened or self._matches(self._patterns[rule], set(names))

    def _patterns_in(self, rule: type[Rule], text: str | None) -> tuple[str, ...]:
        """The rule's patterns, without those whose word `text` does not spell."""
        patterns = self._patterns[rule]
        if text is None or rule not in self._conditions:
            return patterns
        dropped = {p for word, some in self._conditions[rule] if word not in text for p in some}
        return tuple(p for p in patterns if p not in dropped) if dropped else patterns

    def _matches(self, patterns: tuple[str, ...], names: set[str]) -> bool:
        compiled = self._compiled.get(patterns)
        if compiled is None:
            wild = [translate(p) for p in patterns if not _literal(p)]
            compiled = self._compiled[patterns] = (
                frozenset(p for p in patterns if _literal(p)),
                re.compile("|".join(wild)) if wild else None,
            )
        exact, regex = compiled
        if not names.isdisjoint(exact):
            return True
        return regex is not None and any(regex.match(name) for name in names)


# ------------------------------------------------------------------------ per module


def call_names(tree: ast.Module, patterns: Patterns | None = None) -> set[str] | None:
    """The candidate names of all calls of the module, or None when the screen gives up.

    With `patterns`, names none of them can match may be left out (see the module docstring).
    """
    names: set[str] = set()
    try:
        for _, candidates in _iter_candidates(tree, patterns):
            names |= candidates
            if len(names) > MAX_NAMES:
                return None
    except (GiveUp, RecursionError):
        return None
    return names


def call_candidates(tree: ast.Module) -> list[tuple[ast.Call, frozenset[str]]] | None:
    """Each call of the module with all its candidate names (tests, debugging); None: gave up."""
    try:
        return list(_iter_candidates(tree, None, references=False))
    except (GiveUp, RecursionError):
        return None


def reference_candidates(tree: ast.Module) -> list[tuple[ast.expr, frozenset[str]]] | None:
    """Each function passed uncalled to a call, with all its candidate names; None: gave up."""
    try:
        return [(node, names) for node, names in _iter_candidates(tree, None) if type(node) is not ast.Call]
    except (GiveUp, RecursionError):
        return None


def _iter_candidates(
    tree: ast.Module, patterns: Patterns | None, references: bool = True
) -> Iterator[tuple[ast.expr, frozenset[str]]]:
    """Each call with the candidate names of its callee, then (with `references`) each function
    passed uncalled in its arguments with the names `NameTable.qualified` can give it."""
    module = _Module(tree)
    if module.star_import:
        raise GiveUp
    values = _Values(module, patterns.normalise if patterns is not None else None)
    last_attrs = patterns.last_attrs if patterns is not None else None
    for call in module.calls:
        func = call.func
        if not _hopeless(func, last_attrs):
            yield call, values.expr(func, 0) | {written(func)}
        if references:
            for argument in reference_arguments(call):
                if not _hopeless(argument, last_attrs):
                    yield argument, values.expr(argument, 0)
    for default in module.defaults if references else ():
        for argument in reference_items(default):
            if not _hopeless(argument, last_attrs):
                yield argument, values.expr(argument, 0)


def _hopeless(node: ast.expr, last_attrs: frozenset[str] | None) -> bool:
    """`x.attr` when no pattern ends in `attr`: all its names end in `.attr` (not `self.attr`,
    whose value `__init__` decides)."""
    return (
        last_attrs is not None
        and type(node) is ast.Attribute
        and node.attr not in last_attrs
        and not (type(node.value) is ast.Name and node.value.id == "self")
    )


def reference_arguments(call: ast.Call) -> Iterator[ast.expr]:
    """Names and attributes passed uncalled in `call`'s arguments, or in a list/tuple/set/dict
    written there (nested too): a rule may report a function passed to be called later
    (`register(pickle.loads)`, `callbacks=[torch.load]`) at the reference."""
    values: list[ast.expr] = [arg for arg in call.args if type(arg) is not ast.Starred]
    values += [keyword.value for keyword in call.keywords if keyword.arg is not None]
    for value in values:
        yield from reference_items(value)


def reference_items(value: ast.expr, depth: int = 0) -> Iterator[ast.expr]:
    """`value` when it names something, else the names in a literal container it writes."""
    kind = type(value)
    if kind is ast.Name or kind is ast.Attribute:
        yield value
    elif (
        kind is ast.List or kind is ast.Tuple or kind is ast.Set or kind is ast.Dict
    ) and depth < MAX_NESTING:
        items = value.values if kind is ast.Dict else value.elts  # type: ignore[attr-defined]
        for item in items:
            yield from reference_items(item, depth + 1)


_FUNCTIONS = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda})
MAX_NESTING = 4  # literal containers followed inside an argument (`{"a": [pickle.load]}`)


def _getattr_constant(call: ast.Call) -> tuple[ast.expr, str] | None:
    """(object, name) of `getattr(object, "name"[, default])` as spelled (see `NameTable`)."""
    func, args = call.func, call.args
    if not (type(func) is ast.Name and func.id == "getattr") or call.keywords or not 2 <= len(args) <= 3:
        return None
    if any(type(arg) is ast.Starred for arg in args) or type(args[1]) is not ast.Constant:
        return None
    name = args[1].value
    return (args[0], name) if isinstance(name, str) and name.isidentifier() else None


def written(func: ast.expr) -> str:
    """The callee as written: calls dropped, a root that is not a name spelled `?`."""
    attrs: list[str] = []
    node = func
    while True:
        if isinstance(node, ast.Attribute):
            attrs.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        else:
            break
    root = node.id if isinstance(node, ast.Name) else UNRESOLVED_ROOT
    return ".".join([root, *reversed(attrs)])


# Fields that never hold a node a call can be in (identifiers, flags, contexts, operators,
# import aliases): not walked. Constants and names have no call below them.
_SKIPPED_FIELDS = frozenset(
    {
        "ctx", "op", "ops", "id", "attr", "name", "asname", "module", "level", "arg", "kind",
        "type_comment", "type_ignores", "is_async", "simple", "conversion", "names", "kwd_attrs",
        "rest",
    }
)  # fmt: skip
_LEAVES = frozenset({ast.Name, ast.Constant, type(None), str, int})
_BINDERS = frozenset(
    {ast.Import, ast.ImportFrom, ast.Assign, ast.AnnAssign, ast.NamedExpr, ast.With, ast.AsyncWith}
)
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def _child_fields(kind: type) -> tuple[str, ...]:
    if not (isinstance(kind, type) and issubclass(kind, ast.AST)) or kind is ast.Constant:
        names: tuple[str, ...] = ()
    else:
        names = tuple(name for name in kind._fields if name not in _SKIPPED_FIELDS)
    _CHILD_FIELDS[kind] = names
    return names


class _Module:
    """One alias map for the whole module (every scope at once), and its calls."""

    def __init__(self, tree: ast.Module) -> None:
        # name -> import paths (str) and expressions whose value the name takes
        self.bindings: dict[str, list[str | ast.expr]] = {}
        # (position, attribute, expression) of `self.attribute = ...`, sorted by position
        self.self_bindings: list[tuple[tuple[int, int], str, ast.expr]] = []
        self.calls: list[ast.Call] = []
        self.defaults: list[ast.expr] = []  # parameter defaults (a loader may be one)
        self.star_import = False
        self._collect(tree)
        self.self_bindings.sort(key=lambda entry: entry[0])

    def _bind(self, name: str, value: str | ast.expr) -> None:
        self.bindings.setdefault(name, []).append(value)

    def _collect(self, tree: ast.AST) -> None:
        calls = self.calls
        stack: list[Any] = [tree]
        pop, push = stack.pop, stack.append
        fields, leaves, binders = _CHILD_FIELDS, _LEAVES, _BINDERS
        call = ast.Call
        while stack:
            node = pop()
            kind = type(node)
            if kind is call:
                calls.append(node)
            elif kind in _FUNCTIONS:
                self.defaults += [d for d in (*node.args.defaults, *node.args.kw_defaults) if d is not None]
            elif kind in binders:
                self._binding(node)
            names = fields.get(kind)
            if names is None:
                names = _child_fields(kind)
            for name in names:
                value = getattr(node, name, None)
                if type(value) is list:
                    for item in value:
                        if type(item) not in leaves:
                            push(item)
                elif type(value) not in leaves:
                    push(value)

    def _binding(self, node: Any) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname is not None:
                    self._bind(alias.asname, alias.name)
                else:
                    head = alias.name.split(".")[0]
                    self._bind(head, head)
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name == "*":
                    self.star_import = True
                elif node.level == 0 and node.module:
                    self._bind(alias.asname or alias.name, f"{node.module}.{alias.name}")
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                self._assign(target, node.value)
        elif isinstance(node, (ast.AnnAssign, ast.NamedExpr)):
            if node.value is not None:
                self._assign(node.target, node.value)
        else:  # with / async with: `with x.open() as f` -> f holds what x.open returned
            for item in node.items:
                if item.optional_vars is not None and isinstance(item.context_expr, ast.Call):
                    self._assign(item.optional_vars, item.context_expr)

    def _assign(self, target: ast.expr, value: ast.expr) -> None:
        # As names.py: a name or attribute makes an alias; a call's result is an instance of its
        # callee (`c = openai.OpenAI()` -> `c.chat` is `openai.OpenAI.chat`); anything else unknown.
        if isinstance(value, ast.Call):
            expr = value if _getattr_constant(value) is not None else value.func
        elif isinstance(value, (ast.Name, ast.Attribute)):
            expr = value
        else:
            return
        if isinstance(target, ast.Name):
            self._bind(target.id, expr)
        elif (
            isinstance(target, ast.Attribute)
            and isinstance(target.value, ast.Name)
            and target.value.id == "self"
        ):
            self.self_bindings.append(((target.lineno, target.col_offset), target.attr, expr))


class _Values:
    """What `NameTable.qualified` can return for an expression, over every binding at once."""

    def __init__(self, module: _Module, normalise: Normaliser | None = None) -> None:
        self.module = module
        self.normalise = normalise
        self._self_values: dict[str, set[str]] | None = None  # resolved on first `self.x`
        self._names: dict[tuple[str, int], frozenset[str]] = {}
        self._exprs: dict[tuple[int, int], frozenset[str]] = {}
        self._steps = 0

    def expr(self, node: ast.expr, depth: int) -> frozenset[str]:
        """The values `NameTable._resolve(node, depth)` can have."""
        if depth > MAX_DEPTH:
            return _EMPTY
        key = (id(node), depth)
        found = self._exprs.get(key)
        if found is not None:
            return found
        self._steps += 1
        if self._steps > MAX_STEPS:
            raise GiveUp
        if isinstance(node, ast.Name):
            found = self.name(node.id, depth)
        elif isinstance(node, ast.Attribute):
            suffix = "." + node.attr
            values = [base + suffix for base in self.expr(node.value, depth + 1)]
            if isinstance(node.value, ast.Name) and node.value.id == "self":
                values.extend(self._self_attribute(node.attr))
            found = self._finish(values)
        elif isinstance(node, ast.Call):
            found = self.expr(node.func, depth + 1)
            spelled = _getattr_constant(node)
            if spelled is not None:  # `getattr(pickle, "loads")` may be `pickle.loads`
                found = found | self._finish(
                    [f"{base}.{spelled[1]}" for base in self.expr(spelled[0], depth + 1)]
                )
        else:
            found = _EMPTY
        self._exprs[key] = found
        return found

    def name(self, name: str, depth: int) -> frozenset[str]:
        """The values a name can have, over every binding of it in the module."""
        key = (name, depth)
        found = self._names.get(key)
        if found is not None:
            return found
        values: list[str] = []
        for binding in self.module.bindings.get(name, ()):
            if isinstance(binding, str):
                values.append(binding)
            else:
                values.extend(self.expr(binding, depth + 1))
        if name in BUILTIN_NAMES:
            values.append(f"builtins.{name}")
        if name in ASSUMED_MODULES:
            values.append(name)  # `NameTable` takes it as imported when the file never binds it
        found = self._finish(values)
        self._names[key] = found
        return found

    def _finish(self, values: list[str]) -> frozenset[str]:
        if self.normalise is not None:
            normalise = self.normalise
            found = frozenset(v for v in map(normalise, values) if v is not None)
        else:
            found = frozenset(values)
        if len(found) > MAX_VALUES:
            raise GiveUp
        return found

    def _self_attribute(self, attr: str) -> Iterable[str]:
        if self._self_values is None:
            self._resolve_self_attributes()
        assert self._self_values is not None
        return self._self_values.get(attr, ())

    def _resolve_self_attributes(self) -> None:
        # names.py resolves the `self.x = ...` of `__init__` once, in statement order, each one
        # seeing the attributes assigned before it: the same here, in source order, over every
        # `self.x = ...` of the module. Lookups so far did not involve `self.x` (this is the
        # first), so their memo stays valid; the memo of each assignment's own resolution does
        # not (the attributes grow after it).
        memo = self._names, self._exprs
        self._self_values = {}
        for _, attr, expr in self.module.self_bindings:
            self._names, self._exprs = {}, {}
            found = self.expr(expr, 1)
            if found:
                self._self_values.setdefault(attr, set()).update(found)
        self._names, self._exprs = memo
