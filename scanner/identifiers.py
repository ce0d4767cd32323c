"""The identifier screen: taint-rule prefilter markers checked against the module's identifiers.

The token gate (`prefilter`) lets a taint rule through when the tokens of a catalog source and a
catalog sink occur anywhere in the text. In LLM code the sink tokens (`invoke`, `create`,
`messages`, `run`, `get`) and source tokens (`request`, `input`) are everywhere, in docstrings,
comments and string literals too, so most modules pass, and each one that passes pays a libcst
parse and the module's taint analysis. This screen, run on the `ast` tree the engine builds
anyway (the parse guard in front of libcst), checks the markers (`@taint:...`) of a rule's
triggers and trigger groups again, against the module's identifiers only; plain trigger strings
keep their check on the whole text.

Soundness. A marker stands for alternatives of tokens, the literal `[A-Za-z0-9_]` runs of the parts
of catalog patterns (`aisec.hooks.taint._pattern_tokens`), and a sink or source can only match a
name the engine builds. Those names are built from the code alone: `NameTable.qualified` and the
taint engine's fallbacks join import paths (`import a.b`, `from a import b`), names, attribute
names, and the qualified names of annotations, base classes and callees; string annotations and
other string constants never name anything (`taint` treats a string annotation as unknown) and
relative imports resolve to nothing. A name a `from M import *` may supply is `M.X`: `M` an
import's path, `X` the `Name` read. The one string that does name something is the attribute of
`getattr(object, "name")`, which `module_identifiers` counts as an identifier. The only parts the
engine adds without the code spelling them are `builtins`, `__call__` (both left out of the tokens)
and the `type` of a parameter source (`django.http.HttpRequest`), whose components are counted as
present in a module where a parameter source with that type can match a function
(`IdentifierScreen.available_types`: only there does a value get one). Parameter sources are
tokenised by their conditions: decorator, registrar, function and base-class names, imported
module names (matched by whole components), parameter names; the engine checks the last three
against the code's own spelling, so their tokens never stand for a type's components
(`_spelled_tokens`). A keyword argument's name (`f(extra=1)`, `class A(metaclass=M)`) is never part
of a name either: the engine reads it only as the name of an argument (call summaries, sinks'
keyword arguments, argparse options), a dict key (`dict(messages=...)`) or a template slot. So
the markers are checked against the other identifiers (`module_identifiers`); URL anchors and
identifier groups still see keyword names (a keyword makes a dict key; a flag is read as one).
In LLM code `messages=`, `input=`, `extra=` are everywhere, and most modules spell them only as
keywords (langchain: 79 of the 109 modules AIS302 was parsed for on `extra` alone).

A binding's own name is no name part either (`identifier_kinds`: `BINDING`): the name of a
function or class a `def` or `class` defines, a parameter, a caught exception (`except E as e`),
a match capture, a `global`/`nonlocal` declaration. Names are built when an expression is read
(a `Name`, an attribute, an import, a base, an annotation, a decorator, a callee), and reading a
bound name is a `Name` node, counted where it occurs; the engine keys its environments, method
tables and dispatch tables by these names but never makes them components of a qualified name
(a local class's instances are named through their bases, `_qualified_fallback`). Parameter
sources are the exception: their conditions name functions and parameters as they are defined
(`functions=("forward",)`, `params=("request",)`), so an alternative a parameter source gives is
checked against every identifier, and the others against those read somewhere
(`IdentifierKinds.read`). In langchain, `def run(...)` (a tool's own method) made
`langchain_core.*.run` hold in 26 modules that never call `run`. And the last part of a catalog
name must be spelled where a name can end (`aisec.tail_gates`, which says why): an attribute, an
import or a `getattr` string, and for `builtins.X` (or anything, after an absolute star import) a
`Name` `X`; a local variable `extra` made
`*.extra` hold, `re.compile` and `model.eval()` made `builtins.compile` and `eval` hold.

The engine's own TEMPLATE sinks are in no catalog (`hooks.INTRINSIC_TEMPLATE_TOKENS`): the format
string of `x.format(...)`, `x.format_map(...)`, `x % y` and `string.Template(x).substitute(...)`.
The sink markers stand for them too, and the engine reports one only where the text formatted
carries data: never for a string constant (its value has no source), nor for `%` with a number
on the right (arithmetic, `taint.expressions._formatted_with`), nor for a method read without
a call or called with nothing to fill in (`self.format`, `x.format()`: `taint.library` judges
a `format` call's receiver only with arguments). So an alternative only they give holds where
`IdentifierKinds.format_strings` has its token (`x` no constant; for `%`, `y` no number either;
for a method, a call with arguments), and no tail gate applies to it.

A pattern part without wildcards matches a whole component of a dotted name (`fnmatch` only lets
`*`, `?` and `[...]` span more), so its token must equal one identifier component of the module
(`a.b.c` gives `a`, `b`, `c`); a token from a part with wildcards (`Chat*`, `*_view`) needs only
to occur inside one. A token that some pattern has in a wildcard part is checked the loose way
everywhere. So a marker that fails on the identifiers cannot be satisfied by any name the engine
builds. Python's parser hands out identifiers NFKC-normalised, as the engine sees them.
`tests/test_identifiers.py` and `tests/test_screen.py` check the rule examples and fixture
projects (same findings with the screen on and off); `bench/run.py --check-prefilter` checks
real corpora.

A source with `matching` (a raw POST that is a source only when its URL names a model API) has
its alternatives gated on the URL too, where no other source or parameter source of the marker
gives the same tokens: one of its patterns' anchors must be spellable by the module's string
constants (`aisec.literals`, which says why that is sound). Without that, `requests` and `post`
admitted every library module that uploads anything (transformers: 138 libcst parses, 108 with it).

A rule's `identifier_groups` (words it reads only from identifiers, e.g. a keyword argument's
name, or a component every qualified name it reports has) are checked the strict way: one word of
each group must equal an identifier or a component of a dotted import path of the module. Python
hands libcst's spelling to `ast` NFKC-normalised, and an ASCII spelling normalises to itself, so
a word libcst shows the rule is an identifier here too.
"""

from __future__ import annotations

import ast
import re
from typing import Any, Callable, Iterable, Mapping, Sequence

from aisec.hooks.taint import INTRINSIC_TEMPLATE_TOKENS, entry_tokens

from .function_shapes import Shape, fits_any, module_functions, shape_gates, shaped_markers
from .literals import ModuleStrings, anchors
from .prefilter import GROUP_AFTER, MARKER_PREFIX, TextLookup, key_groups, searchable
from .shadowing import reads_unbound
from .tail_gates import TailGates, can_end, tail_index

# Fields that hold identifiers (strings, or lists of strings for `global`/`nonlocal`, class
# patterns' keyword attributes); `Constant.value` and `type_comment` never name anything.
_IDENTIFIER_FIELDS = frozenset(
    {"id", "attr", "name", "asname", "module", "arg", "names", "kwd_attrs", "rest"}
)
_LITERAL_RUN = re.compile(r"[A-Za-z0-9_]+")  # as `aisec.hooks.taint._pattern_tokens` cuts parts
_NO_IDENTIFIERS = frozenset({"ctx", "op", "ops", "type_comment", "kind", "is_async", "conversion"})
# The kinds of identifier (`IdentifierKinds`): a name read (`Name.id`, any context), an attribute
# name, a binding's own name, an import's path or alias (and a `getattr` string).
NAME, ATTRIBUTE, BINDING, IMPORT = range(4)
# Fields whose identifier only binds a name: functions, classes, parameters, caught exceptions,
# match captures, `global`/`nonlocal`, type parameters (3.12). Everything else is read.
_BINDING_FIELDS = {
    **{kind: "name" for kind in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.ExceptHandler)},
    **{kind: "name" for kind in (ast.MatchAs, ast.MatchStar)},
    **{getattr(ast, kind): "name" for kind in ("TypeVar", "ParamSpec", "TypeVarTuple") if hasattr(ast, kind)},
    ast.arg: "arg",
    ast.Global: "names",
    ast.Nonlocal: "names",
    ast.MatchMapping: "rest",
}
_LAYOUT: dict[type, tuple[tuple[tuple[str, int], ...], tuple[str, ...]]] = {}
_AVAILABLE_KEPT = 4096  # `IdentifierScreen.available_types` answers kept (a run meets a few dozen)
_FORMATTING = frozenset(token for (token,) in INTRINSIC_TEMPLATE_TOKENS if token.isidentifier())


def _kind_of(node_kind: type, field: str) -> int:
    if _BINDING_FIELDS.get(node_kind) == field:
        return BINDING
    if field in ("attr", "kwd_attrs"):  # a class pattern's keywords are attributes it reads
        return ATTRIBUTE
    return IMPORT if node_kind in (ast.alias, ast.ImportFrom) else NAME


def _layout(kind: type) -> tuple[tuple[tuple[str, int], ...], tuple[str, ...]]:
    """((identifier field, its kind) ..., child fields) of an ast node class."""
    fields = getattr(kind, "_fields", ())
    names = tuple((f, _kind_of(kind, f)) for f in fields if f in _IDENTIFIER_FIELDS)
    skipped = _IDENTIFIER_FIELDS | _NO_IDENTIFIERS
    children = () if kind is ast.Constant else tuple(f for f in fields if f not in skipped)
    _LAYOUT[kind] = (names, children)
    return names, children


class IdentifierKinds:
    """A module's identifiers by kind (`NAME`, `ATTRIBUTE`, `BINDING`, `IMPORT`: `by_kind`), the
    names of its keyword arguments (`f(extra=1)`), whether it has an absolute star import
    (`from M import *`, which may make a `Name` read `M.<name>`; a relative one names nothing),
    and its format strings that are not a string constant (`format_strings`: the engine's own
    TEMPLATE sinks, `hooks.INTRINSIC_TEMPLATE_TOKENS`, spelled where the text formatted could be
    data: `x.format(a)`, `x % y`; a constant's `"...".format(a)` never is)."""

    __slots__ = ("by_kind", "format_strings", "keywords", "star_import")

    def __init__(
        self,
        by_kind: tuple[set[str], set[str], set[str], set[str]],
        keywords: set[str],
        star_import: bool = False,
        format_strings: frozenset[str] = frozenset(),
    ) -> None:
        self.by_kind = by_kind
        self.keywords = keywords
        self.star_import = star_import
        self.format_strings = format_strings

    def every(self) -> set[str]:
        """Every identifier but keyword arguments' names."""
        names, attributes, bindings, imports = self.by_kind
        return names | attributes | bindings | imports

    def read(self) -> set[str]:
        """The identifiers spelled somewhere other than as a binding's own name (`BINDING`)."""
        names, attributes, _, imports = self.by_kind
        return names | attributes | imports


def module_identifiers(tree: ast.AST) -> tuple[set[str], set[str]]:
    """The module's identifiers in two sets: those that can be parts of a name the engine builds,
    and the names of keyword arguments (`f(extra=1)`, `class A(metaclass=M)`) spelled nowhere
    else, which the engine only ever reads as argument names, dict keys and template slots."""
    kinds = identifier_kinds(tree)
    found = kinds.every()
    return found, kinds.keywords - found


def _number(node: ast.AST) -> bool:
    """A number constant: the right of an arithmetic `%`, which the engine never reads as the
    values of a format string (`taint.expressions._formatted_with`)."""
    return type(node) is ast.Constant and type(node.value) in (int, float, complex)


def identifier_kinds(tree: ast.AST) -> IdentifierKinds:
    """The module's identifiers by kind (`module_identifiers`, in one walk)."""
    by_kind: tuple[set[str], set[str], set[str], set[str]] = (set(), set(), set(), set())
    name_ids = by_kind[NAME]
    keywords: set[str] = set()
    star_import = False
    format_strings: set[str] = set()
    stack: list[Any] = [tree]
    pop, push = stack.pop, stack.append
    layout = _LAYOUT
    while stack:
        node = pop()
        kind = type(node)
        if kind is ast.Name:  # the commonest node: an identifier, and a context
            name_ids.add(node.id)
            continue
        if kind is ast.keyword:
            if node.arg is not None:
                keywords.add(node.arg)
            push(node.value)
            continue
        entry = layout.get(kind)
        if entry is None:
            entry = _layout(kind)
        names, children = entry
        if kind is ast.Call:
            attribute = _getattr_name(node)
            if attribute is not None:
                by_kind[IMPORT].add(attribute)
            func = node.func
            if (
                type(func) is ast.Attribute
                and func.attr in _FORMATTING
                and type(func.value) is not ast.Constant
                and (node.args or node.keywords)
            ):
                format_strings.add(func.attr)  # `x.format(...)` filled with something
        elif kind is ast.ImportFrom and not node.level and any(alias.name == "*" for alias in node.names):
            star_import = True
        elif kind is ast.BinOp and type(node.op) is ast.Mod:
            name_ids.add("%")  # the operator, as a token the sink markers may hold
            if type(node.left) is not ast.Constant and not _number(node.right):
                format_strings.add("%")  # a constant or a number on the right: no format string
        for field, which in names:
            value = getattr(node, field, None)
            if type(value) is str:
                by_kind[which].add(value)
            elif type(value) is list:
                for item in value:
                    if type(item) is str:
                        by_kind[which].add(item)
                    else:  # `Import.names` holds alias nodes
                        push(item)
        for field in children:
            value = getattr(node, field, None)
            if type(value) is list:
                for item in value:
                    if isinstance(item, ast.AST):
                        push(item)
            elif isinstance(value, ast.AST):
                push(value)
    return IdentifierKinds(by_kind, keywords, star_import, frozenset(format_strings))


def _getattr_name(call: ast.Call) -> str | None:
    """The name `getattr(object, "name", ...)` reads, a string the name table makes a component
    of a qualified name (`getattr(os, "system")` is `os.system`, `names.getattr_constant`); any
    string spelled there counts, however the call is written, so the set stays a superset."""
    func, args = call.func, call.args
    if type(func) is ast.Name and func.id == "getattr" and len(args) >= 2:
        second = args[1]
        if type(second) is ast.Constant and type(second.value) is str:
            return second.value
    return None


def is_identifier(part: str) -> bool:
    """Whether `part` is an ASCII identifier, `[A-Za-z_][A-Za-z0-9_]*` in full: as the regex
    answers, at a fifth of its cost (asked for every part of every catalog pattern when a run
    first screens a file)."""
    return part.isascii() and part.isidentifier()


def _patterns(catalog: Any) -> Iterable[str]:
    """Every qualified-name pattern of a `TaintCatalog` that its prefilter tokens come from."""
    for entry in (*catalog.sources, *catalog.sinks):
        yield entry.pattern
    for source in catalog.sources:
        yield from source.within
    for source in catalog.parameter_sources:
        yield from (*source.decorators, *source.registrars, *source.functions, *source.base_classes)
        yield from (*source.requires_import, *source.params)


class IdentifierScreen:
    """The rules of a run whose triggers use taint markers, and how each marker token is checked."""

    def __init__(
        self,
        rules: Iterable[Any],
        expansions: Mapping[str, Sequence[tuple[str, ...]]] | None,
        catalog: Any = None,
    ) -> None:
        self.expansions = expansions or {}
        self.screened = frozenset(
            rule
            for rule in rules
            if rule.identifier_groups
            or any(
                needle.startswith(MARKER_PREFIX)
                for needle in (*rule.triggers, *(n for group in rule.trigger_groups for n in group))
            )
        )
        # Tokens that may stand for part of a component (from a part with wildcards), and the
        # components of parameter-source types (names the engine builds without the code).
        given: set[tuple[str, ...]] = set()
        if catalog is not None:
            for source in catalog.parameter_sources:
                if source.type:
                    given.add(tuple(source.type.split(".")))
        self._loose = _facts(catalog)[LOOSE] if catalog is not None else frozenset()
        # One name the engine builds carries the components of at most one parameter-source type
        # (`starlette.requests.Request` + what the code spells), never a mix of two types' parts:
        # `requests` of one and `request` of another must not make `requests.request` present.
        self._given = tuple((frozenset(parts), "\n".join(parts)) for parts in sorted(given))
        # Some type's components, and their texts one per line (`_in_some_type`)
        self._any_given = (
            frozenset().union(*(c for c, _ in self._given)),
            "\n".join(t for _, t in self._given),
        )
        # per type: the alternatives of the parameter sources that attach it (`available_types`)
        self._typed_sources = (
            _catalog_fact(catalog, TYPED, lambda: _typed_sources(catalog, self._given))
            if catalog is not None
            else ()
        )
        # the tokens of `_typed_sources` (made when first asked), and `available_types` per set
        # of them present
        self._typed_tokens: tuple[str, ...] | None = None
        self._available: dict[frozenset[str], tuple[tuple[frozenset[str], str], ...]] = {}
        self._exact = catalog is not None  # without the catalog every token is checked loosely
        # the engine's own format-string sinks no catalog entry also gives (`format_only`)
        self._format_only: frozenset[tuple[str, ...]] | None = None
        # URL gates per source marker, made the first time a module asks for that marker: reading
        # the URL patterns' anchors is a third of a one-file pre-commit run's own work.
        self._catalog = catalog
        self._gated = _gated_markers(catalog) if catalog is not None else {}
        # shape gates per source marker (`function_shapes`), made when a module first asks
        self._shaped = shaped_markers(catalog) if catalog is not None else {}
        self._shape_gates: dict[str, dict[tuple[str, ...], tuple[Shape, ...]]] = {}
        # tail gates (`tail_gates`), and the alternatives parameter sources give
        # (checked against every identifier, bindings too), made when a module first asks
        self._tail_gates: TailGates | None = None
        self._parameter_alternatives: frozenset[tuple[str, ...]] | None = None
        # per alternative: (tokens no parameter-source type has, tokens one has), made once
        self._splits: dict[tuple[str, ...], tuple[tuple[str, ...], tuple[str, ...]]] = {}
        # per alternative only parameter sources give: the tokens the code must spell itself,
        # made when an alternative is first split (about 10 ms: a one-file run that never asks
        # does not pay for it)
        self._spelled: dict[tuple[str, ...], frozenset[str]] | None = None if catalog is not None else {}
        # per (marker, grouped): its alternatives by key token (`key_groups`) or one by one,
        # with whether the key is typed; and per marker, how many modules asked
        self._groups: dict[tuple[str, bool], list[tuple[str, bool, list[tuple[str, ...]]]]] = {}
        self._asked: dict[str, int] = {}

    def holds(
        self,
        alternative: Sequence[str],
        present: Callable[[str], bool],
        types: Sequence[tuple[frozenset[str], str]] | Callable[[], Sequence[Any]] | None = None,
    ) -> bool:
        """Whether a marker alternative's tokens can all be parts of one name the engine builds:
        each `present` in the module, or all the others parts of one parameter-source type of
        `types` (those the module can have, `available_types`, or a function returning them,
        asked only when a token is missing; None: every one)."""
        split = self._splits.get(alternative)
        if split is None:
            if self._spelled is None:
                self._spelled = _facts(self._catalog, spelled=True)[SPELLED]
            spelled = self._spelled.get(tuple(alternative), ())
            typed = tuple(t for t in alternative if t not in spelled and self._in_some_type(t))
            split = self._splits[alternative] = (tuple(t for t in alternative if t not in typed), typed)
        required, typed = split
        for token in required:
            if not present(token):
                return False  # the usual verdict, without looking at the other tokens
        missing = [token for token in typed if not present(token)]
        if not missing:
            return True
        if callable(types):
            types = types()
        return any(
            all(self._in_type(t, given) for t in missing)
            for given in self._given
            if types is None or given in types
        )

    def available_types(self, present: Callable[[str], bool]) -> tuple[tuple[frozenset[str], str], ...]:
        """The parameter-source types (`given`) whose components can be part of a name the engine
        builds in a module whose identifiers are `present`: a type is attached to a parameter
        only where a parameter source with that `type` matches one of the module's functions
        (`taint.definitions`, the only place a value gets one), and such a source's conditions
        are names made of what the module spells and of the types attached before it. So the
        least fixpoint (no type; then each type one of whose sources has an alternative that
        holds with the types found so far) holds every type a run can attach: by induction on
        the order in which the engine first attaches each. A `requests.get` alone in a module
        no longer makes `aiohttp.web.Request.text` present because a route could have typed a
        parameter `aiohttp.web.Request`."""
        # The answer depends only on which of the typed sources' tokens are present: kept per
        # such set (asked for every module the word screen reads, at about 0.1 ms a fixpoint)
        if self._typed_tokens is None:
            self._typed_tokens = tuple(
                dict.fromkeys(
                    t for _, alternatives in self._typed_sources for alt in alternatives for t in alt
                )
            )
        key = frozenset(token for token in self._typed_tokens if present(token))
        known = self._available.get(key)
        if known is not None:
            return known
        available: list[tuple[frozenset[str], str]] = []
        pending = list(self._typed_sources)
        grew = True
        while grew and pending:
            grew = False
            for entry in list(pending):
                given, alternatives = entry
                if any(self.holds(alt, present, available) for alt in alternatives):
                    available.append(given)
                    pending.remove(entry)
                    grew = True
        if len(self._available) >= _AVAILABLE_KEPT:
            self._available.clear()
        known = self._available[key] = tuple(available)
        return known

    def marker_holds(
        self,
        marker: str,
        present: Callable[[str], bool],
        accept: Callable[[tuple[str, ...]], bool] | None = None,
        types: Sequence[tuple[frozenset[str], str]] | Callable[[], Sequence[Any]] | None = None,
        read: Callable[[str], bool] | None = None,
    ) -> bool:
        """Whether one alternative of `marker` `holds` (with `types`, and is `accept`ed). With `read`
        (the tokens spelled other than as a binding's own name), an alternative no parameter source
        gives is checked against `read` instead of `present`. Alternatives are
        walked by key token (`prefilter.key_groups`): a missing key that no parameter-source
        type has is one every alternative of its group requires, so the group is skipped at one
        lookup; a key a type has may stand for itself, so its group is walked, unless no type
        of `types` has it (then no alternative of the group can hold either)."""
        self._asked[marker] = asked = self._asked.get(marker, 0) + 1
        # A run of a few modules walks each alternative as its own group: making the key groups
        # costs more than they save there (`prefilter.GROUP_AFTER`). Either way, the same verdict.
        grouping = asked > GROUP_AFTER
        groups = self._groups.get((marker, grouping))
        if groups is None:
            alternatives = [tuple(alternative) for alternative in self.expansions.get(marker, ())]
            present_ones = [alternative for alternative in alternatives if alternative]
            keyed = key_groups(present_ones) if grouping else [(a[0], [a]) for a in present_ones]
            groups = [(key, self._in_some_type(key), members) for key, members in keyed]
            if not all(alternatives):
                groups.insert(0, ("", True, [()]))  # the empty alternative always holds
            self._groups[(marker, grouping)] = groups
        for key, typed, members in groups:
            if key and not present(key):  # (the empty alternative's group has no key)
                if not typed:
                    continue
                if types is not None:  # a missing key only a type can stand for: one of `types`
                    if callable(types):
                        types = types()
                    if not any(self._in_type(key, given) for given in types):
                        continue
            for alternative in members:
                check = present if read is None or alternative in self.parameter_alternatives() else read
                if self.holds(alternative, check, types) and (accept is None or accept(alternative)):
                    return True
        return False

    def format_only(self) -> frozenset[tuple[str, ...]]:
        """The alternatives only the engine's own format-string sinks give (no catalog entry):
        such an alternative holds only where a format string is not a constant
        (`IdentifierKinds.format_strings`)."""
        if self._format_only is None:
            catalog = self._catalog
            given = (
                {alt for sink in catalog.sinks for alt in entry_tokens(sink)}
                if catalog is not None
                else set()
            )
            self._format_only = frozenset(INTRINSIC_TEMPLATE_TOKENS) - given
        return self._format_only

    def url_gates(self, marker: str) -> dict[tuple[str, ...], tuple[str, ...]] | None:
        """The alternatives of a source marker that only sources with `matching` give, with their
        anchors (None: `marker` has no such source)."""
        if marker not in self._gated:
            return None
        return _marker_fact(
            self._catalog, URL_GATES, marker, lambda: _url_gates(self._catalog, self._gated[marker])
        )

    def parameter_alternatives(self) -> frozenset[tuple[str, ...]]:
        """The token alternatives the catalog's parameter sources give (their conditions name
        functions and parameters by their bindings: `def forward(self, ...)`)."""
        if self._parameter_alternatives is None:
            found = _facts(self._catalog, gates=True)[PARAMETERS] if self._catalog is not None else ()
            self._parameter_alternatives = frozenset(found)
        return self._parameter_alternatives

    def tail_gates(self) -> TailGates | None:
        """What must end a name each marker alternative stands for (`tail_gates`; None: no catalog)."""
        if self._catalog is None:
            return None
        if self._tail_gates is None:
            self._tail_gates = TailGates(_facts(self._catalog, gates=True)[TAILS])
        return self._tail_gates

    def shape_gates(self, marker: str) -> dict[tuple[str, ...], tuple[Shape, ...]]:
        """The alternatives of a source marker that only parameter sources with a function shape
        give, with those shapes (`function_shapes`; empty: none)."""
        if marker not in self._shaped:
            return {}
        gates = self._shape_gates.get(marker)
        if gates is None:
            plain = _marker_fact(
                self._catalog,
                SHAPE_GATES,
                marker,
                lambda: _plain_shapes(shape_gates(self._catalog, self._shaped[marker])),
            )
            gates = self._shape_gates[marker] = {
                alt: tuple(Shape(*shape) for shape in shapes) for alt, shapes in plain.items()
            }
        return gates

    def _in_some_type(self, token: str) -> bool:
        """`_in_type` for some type, at one lookup: a token (a name part, no line break) is one
        of some type's components, or in some type's text, exactly when it is in their union or
        in their texts one per line. Asked for every alternative's key (1,447 sources against a
        dozen types: a tenth of a one-file run's own work)."""
        if "\n" in token:
            return any(self._in_type(token, given) for given in self._given)
        return self._in_type(token, self._any_given)

    def _in_type(self, token: str, given: tuple[frozenset[str], str]) -> bool:
        components, text = given
        return token in components if self._exact and token not in self._loose else token in text

    def screens(self, rules: Sequence[Any]) -> bool:
        return not self.screened.isdisjoint(rules)

    def select(
        self, tree: ast.AST, text: str, rules: Sequence[Any], searched: str | None = None
    ) -> list[Any]:
        """`rules` without the screened ones whose markers no identifier of `tree` satisfies.
        `searched`: `searchable(text)`, when the caller has it (the token gate made it)."""
        if not self.screens(rules):
            return list(rules)
        kinds = identifier_kinds(tree)
        names = kinds.every()
        keywords = kinds.keywords - names
        identifiers = "\n".join(names)  # what the markers are checked against
        source = text  # as parsed: `ast` columns point into it
        text = searchable(text) if searched is None else searched  # plain triggers: the token gate's check
        components = set(identifiers.replace(".", "\n").split("\n"))
        # identifier groups read keyword names too (a flag passed as `f(flag=True)`)
        spelled_anywhere = components | keywords
        loose = self._loose

        def occurs(token: str) -> bool:
            if self._exact and token not in loose:
                return token in components
            return token in identifiers

        # the identifiers read somewhere, and their components, made when an alternative needs them
        spelled_read: list[tuple[str, set[str]]] = []

        def read(token: str) -> bool:
            if not spelled_read:
                some = kinds.read()
                joined = identifiers if len(some) == len(names) else "\n".join(some)
                spelled_read.append((joined, set(joined.replace(".", "\n").split("\n"))))
            joined, parts = spelled_read[0]
            return token in parts if self._exact and token not in loose else token in joined

        known: list[tuple[tuple[frozenset[str], str], ...]] = []  # made when an alternative needs them

        def types() -> tuple[tuple[frozenset[str], str], ...]:
            if not known:
                known.append(self.available_types(occurs))
            return known[0]

        defined: list[list[tuple[str, frozenset[str]]]] = []  # made when a shape gate asks

        def functions() -> list[tuple[str, frozenset[str]]]:
            if not defined:
                defined.append(module_functions(tree))
            return defined[0]

        markers: dict[str, bool] = {}
        strings: list[ModuleStrings] = []  # made when a URL-gated alternative needs them
        spelled: dict[str, bool] = {}

        def spells(anchor: str) -> bool:
            found = spelled.get(anchor)
            if found is None:
                if not strings:
                    strings.append(ModuleStrings(tree, source, (*names, *keywords)))
                found = spelled[anchor] = strings[0].spell(anchor)
            return found

        tail_gates = self.tail_gates() if self._exact else None
        tail_words: list[set[str]] = []  # made when a tail gate asks

        def tail_spelled(word: str) -> bool:
            # an attribute, or a component of an import or `getattr` string; after an absolute
            # star import, a `Name` read too (`from M import *` may make it `M.X`)
            if not tail_words:
                read_names, attributes, _, imports = kinds.by_kind
                words = attributes | set("\n".join(imports).replace(".", "\n").split("\n"))
                tail_words.append(words | read_names if kinds.star_import else words)
            return word in tail_words[0]

        unbound: dict[str, bool] = {}  # per word: whether a `Name` of it is read unbound

        def name_ends(word: str) -> bool:
            # a `Name` ends a name unbound (`builtins.X`) or, after a star import, as `M.X`
            if word not in kinds.by_kind[NAME]:
                return False
            if kinds.star_import:
                return True
            found = unbound.get(word)
            if found is None:
                found = unbound[word] = reads_unbound(tree, word)
            return found

        def hit(needle: str) -> bool:
            if not needle.startswith(MARKER_PREFIX):
                return needle in text
            found = markers.get(needle)
            if found is None:
                gates = self.url_gates(needle)
                shaped = self.shape_gates(needle)
                format_only = self.format_only()

                def accept(alt: tuple[str, ...]) -> bool:
                    # one only the engine's format-string sinks give needs a format string that is
                    # not a constant, a URL-gated alternative its URL spelled by the strings, one
                    # only shaped parameter sources give a function of one of their shapes, and
                    # one whose names end in `X` an `X` where a name can end
                    tails = tail_gates.tails(needle, alt) if tail_gates is not None else None
                    return (
                        (alt not in format_only or alt[0] in kinds.format_strings)
                        and (gates is None or alt not in gates or any(spells(a) for a in gates[alt]))
                        and (alt not in shaped or fits_any(shaped[alt], functions()))
                        and (tails is None or can_end(tails, name_ends, tail_spelled, identifiers))
                    )

                found = self.marker_holds(needle, occurs, accept, types, read if self._exact else None)
                markers[needle] = found
            return found

        return [
            rule
            for rule in rules
            if rule not in self.screened
            or (
                (not rule.triggers or any(hit(n) for n in rule.triggers))
                and all(any(hit(n) for n in group) for group in rule.trigger_groups)
                and all(not spelled_anywhere.isdisjoint(group) for group in rule.identifier_groups)
            )
        ]


def _typed_sources(
    catalog: Any, given: Sequence[tuple[frozenset[str], str]]
) -> tuple[tuple[tuple[frozenset[str], str], tuple[tuple[str, ...], ...]], ...]:
    """Per parameter-source type of `given`, the token alternatives of the sources that attach it."""
    from aisec.hooks import TaintCatalog

    typed: list[tuple[tuple[frozenset[str], str], tuple[tuple[str, ...], ...]]] = []
    for entry in given:
        sources = tuple(
            s for s in catalog.parameter_sources if s.type and "\n".join(s.type.split(".")) == entry[1]
        )
        typed.append((entry, TaintCatalog(parameter_sources=sources).source_tokens()))
    return tuple(typed)


LOOSE = "loose"  # `catalog_facts` keys
SPELLED = "spelled"
PARAMETERS = "parameter_alternatives"
TAILS = "tails"
TYPED = "typed_sources"  # `_typed_sources`
URL_GATES = "url_gates"  # per source marker: `_url_gates`
SHAPE_GATES = "shape_gates"  # per source marker: `function_shapes.shape_gates`, as plain tuples
# id(catalog) -> (catalog, its facts): one entry per merged catalog of the process (a run has one)
_FACTS: dict[int, tuple[Any, dict[str, Any]]] = {}


def catalog_facts(catalog: Any) -> dict[str, Any]:
    """What the screen works out from the catalog alone, as plain data: the tokens a pattern has
    in a part with wildcards (`LOOSE`), the spelled tokens of parameter-source alternatives
    (`SPELLED`, `_spelled_tokens`), the alternatives parameter sources give (`PARAMETERS`) and what
    ends the names of the others (`TAILS`, `tail_gates.tail_index`), and the screen's parameter
    types' alternatives (`TYPED`), URL gates (`URL_GATES`) and shape gates (`SHAPE_GATES`) of
    every marker that has them. About 7 ms of a one-file run; the pre-commit fast path's
    trigger table keeps them (`triggertable.build`) and a run it declines takes them
    (`adopt_catalog_facts`)."""
    screen = IdentifierScreen((), None, catalog)
    for marker in _gated_markers(catalog):
        screen.url_gates(marker)
    for marker in shaped_markers(catalog):
        screen.shape_gates(marker)
    return dict(_facts(catalog, spelled=True, gates=True))


def adopt_catalog_facts(catalog: Any, facts: dict[str, Any]) -> None:
    """Take `facts` as `catalog_facts(catalog)`: computed by an earlier run of this aisec with the
    same plugins and config, kept in the fast path's signed trigger table (`run.adopt_known`)."""
    _FACTS[id(catalog)] = (catalog, dict(facts))


def _facts(catalog: Any, *, spelled: bool = False, gates: bool = False) -> dict[str, Any]:
    """`catalog_facts`, each made on first use and kept per catalog (`SPELLED` only when asked:
    a run whose files never split a marker alternative does not pay for it)."""
    entry = _FACTS.get(id(catalog))
    if entry is None or entry[0] is not catalog:
        entry = _FACTS[id(catalog)] = (catalog, {LOOSE: _loose_tokens(catalog)})
    facts = entry[1]
    if spelled and SPELLED not in facts:
        facts[SPELLED] = _spelled_tokens(catalog)
    if gates and TAILS not in facts:  # `PARAMETERS`, `TAILS`: what the binding and tail checks read
        from aisec.hooks import TaintCatalog

        parameters = frozenset(TaintCatalog(parameter_sources=catalog.parameter_sources).source_tokens())
        facts[PARAMETERS] = parameters
        facts[TAILS] = tail_index(catalog, parameters)
    return facts


def _catalog_fact(catalog: Any, key: str, make: Callable[[], Any]) -> Any:
    """One of the catalog's facts (`catalog_facts`): adopted from the trigger table, else made
    now and kept for the process."""
    facts = _facts(catalog)
    if key not in facts:
        facts[key] = make()
    return facts[key]


def _marker_fact(catalog: Any, key: str, marker: str, make: Callable[[], Any]) -> Any:
    """A per-marker catalog fact (`URL_GATES`, `SHAPE_GATES`), made when first asked."""
    per_marker = _catalog_fact(catalog, key, dict)
    if marker not in per_marker:
        per_marker[marker] = make()
    return per_marker[marker]


def _plain_shapes(
    gates: Mapping[tuple[str, ...], Sequence[Shape]],
) -> dict[tuple[str, ...], tuple[tuple[Any, ...], ...]]:
    """Shape gates as plain data (what `marshal` writes into the trigger table)."""
    return {alt: tuple((s.functions, s.signature, s.params) for s in shapes) for alt, shapes in gates.items()}


def _loose_tokens(catalog: Any) -> frozenset[str]:
    """The tokens of the catalog's pattern parts that are not identifiers (a part with wildcards):
    such a token may stand for part of a name's component."""
    loose: set[str] = set()
    for pattern in set(_patterns(catalog)):  # each of the catalog's patterns once
        for part in pattern.split("."):
            if not is_identifier(part):
                loose.update(_LITERAL_RUN.findall(part))
    return frozenset(loose)


def _spelled_tokens(catalog: Any) -> dict[tuple[str, ...], frozenset[str]]:
    """Per source-marker alternative that only parameter sources give, the tokens that come from
    the conditions the engine checks against the code's own spelling (`taint.definitions`
    `_parameter_sources`): the module's top-level import statements (`requires_import`), the
    function's name as its `def` spells it (`functions`; a lambda is `<lambda>`) and its
    parameter names (`params`, `signature`). No parameter-source type ever stands for those, so
    the `given` exemption does not apply to them: `flask` of "the module imports flask" and
    `request` of "a parameter named request" must be identifiers of the module, not components
    of `flask.Request` or `pyramid.request.Request` (with the exemption, the remote-source marker
    held in every module: langchain parsed 204 modules for AIS201-AIS204). Tokens a decorator,
    registrar or base class of the same source also gives keep the exemption (those are
    qualified names the engine builds), and an alternative a catalog source or sink pattern also
    gives keeps it for every token."""
    from aisec.hooks import TaintCatalog

    spelled: dict[tuple[str, ...], frozenset[str]] = {}
    built = set(TaintCatalog(sources=catalog.sources).source_tokens()) | set(
        TaintCatalog(sinks=catalog.sinks).sink_tokens()
    )
    for source in catalog.parameter_sources:
        own = {
            token
            for pattern in (*source.requires_import, *source.functions, *source.params, *source.signature)
            for token in _LITERAL_RUN.findall(pattern)
        }
        own -= {
            token
            for pattern in (*source.decorators, *source.registrars, *source.base_classes)
            for token in _LITERAL_RUN.findall(pattern)
        }
        for alternative in TaintCatalog(parameter_sources=(source,)).source_tokens():
            if alternative in built:
                continue
            mine = own.intersection(alternative)
            known = spelled.get(alternative)
            spelled[alternative] = frozenset(mine if known is None else known & mine)
    return {alternative: tokens for alternative, tokens in spelled.items() if tokens}


def _gated_markers(catalog: Any) -> dict[str, str | None]:
    """The source markers that sources with `matching` contribute to, each with its tier (None:
    the marker of every tier)."""
    from aisec.hooks import TAINT_SOURCES, sources_marker

    tiers = dict.fromkeys(source.tier for source in catalog.sources if source.matching)
    if not tiers:
        return {}
    return {TAINT_SOURCES: None, **{sources_marker(tier): tier for tier in tiers}}


def _url_gates(catalog: Any, tier: str | None) -> dict[tuple[str, ...], tuple[str, ...]]:
    """The alternatives of the source marker of `tier` (None: every tier) that only sources with
    `matching` (a URL argument, `aisec.literals`) produce, with the anchors one of which the
    module's strings must spell."""
    from aisec.hooks import TaintCatalog

    sources = [s for s in catalog.sources if tier is None or s.tier == tier]
    others = TaintCatalog(
        sources=tuple(s for s in sources if not s.matching),
        parameter_sources=tuple(p for p in catalog.parameter_sources if tier is None or p.tier == tier),
    )
    free = set(others.source_tokens())
    gated: dict[tuple[str, ...], list[str] | None] = {}
    for source in sources:
        if not source.matching:
            continue
        needs = anchors(source.matching)
        for alternative in TaintCatalog(sources=(source,)).source_tokens():
            if alternative in free:
                continue
            known = gated.get(alternative, [])
            gated[alternative] = None if needs is None or known is None else [*known, *needs]
    return {alt: tuple(dict.fromkeys(needs)) for alt, needs in gated.items() if needs is not None}


class WordScreen:
    """The `ast` screens' conditions, checked first on the text's words: a file that fails them
    is spared `ast.parse` (a third of a cold scan of transformers went to parsing files no
    screened rule survived).

    Every name the engine, the name table and the call screen build is made of identifiers (plus
    `builtins`, and for the taint engine the `IdentifierScreen` exceptions: `given` types, loose
    tokens), and an ASCII identifier is a whole `[A-Za-z0-9_]` word of the NFKC-normalised text
    (only a number directly before a keyword can touch one, and no keyword is a name component).
    So, checked on the words: a rule with `qualified_names` needs, for some pattern, every part
    that is a whole component (no wildcard, not `builtins`) among the words, or no candidate name
    of any call could match that pattern; a rule the `IdentifierScreen` decides needs its markers
    with each token a word (a loose one may be inside a word; a component of a parameter-source
    type counts only when the words can attach that type: `available_types` asked with the words,
    a least fixpoint monotone in what is present, so a superset of the types the identifiers
    can attach), its plain triggers in the text and one word of each identifier group. Each is
    implied by the `ast` screen's own verdict, so the final choice of rules is the same: `tests/test_rule_gates.py`
    and `bench/run.py --check-prefilter` check it. The words are those of the code where the
    lexer can tell (`codewords`: identifiers and the strings `getattr` may read; not comments,
    docstrings or messages), which still hold every identifier. Where the call screen gives up
    (a star import) it keeps every rule, and this screen may not: a rule it drops still cannot
    fire there, its names being made of identifiers all the same (transformers' `__init__.py`
    spells `pipeline` only in strings)."""

    def __init__(self, identifiers: IdentifierScreen, rules: Iterable[Any]) -> None:
        """`identifiers`: the run's identifier screen (its markers and token kinds); `rules`: the
        run's rules, whose `qualified_names` the call screen decides."""
        self.identifiers = identifiers
        # per rule with patterns: the components each pattern needs (None: a pattern needs none)
        self.components: dict[Any, tuple[frozenset[str], ...] | None] = {}
        for rule in rules:
            patterns = tuple(getattr(rule, "qualified_names", ()) or ())
            if patterns:
                needs = tuple(_whole_components(pattern) for pattern in patterns)
                self.components[rule] = None if not all(needs) else needs

    def select(self, found: TextLookup, rules: Sequence[Any], source: str | None = None) -> list[Any]:
        """`rules` without those the `ast` screens would drop for want of a word. With `source`
        (the text as parsed, which `found` read), the rules that pass on the text's words are
        checked again on the words of its code (`codewords`: no comment, docstring or message
        can keep a rule), unless the lexer cannot tell."""
        words = found.word_set()
        kept = self._passing(found, rules, words, found.joined)
        if source is None or not any(
            rule in self.components or rule in self.identifiers.screened for rule in kept
        ):
            return kept
        from .codewords import code_words

        code = code_words(source)
        return kept if code is None else self._passing(found, kept, code, "\n".join(code))

    def _passing(self, found: TextLookup, rules: Sequence[Any], words: set[str], joined: str) -> list[Any]:
        """`rules` whose screen conditions hold on `words` (`joined`: them, one a line); plain
        triggers are checked on the whole text (`found`), as the `ast` screens check them."""
        screen = self.identifiers
        tokens: dict[str, bool] = {}
        markers: dict[str, bool] = {}
        loose = screen._loose

        def token_is_word(token: str) -> bool:
            hit = tokens.get(token)
            if hit is None:
                if not token.isidentifier():  # `%`: an operator, no word (`identifier_kinds`)
                    hit = found.any_in((token,))
                else:
                    hit = token in words if screen._exact and token not in loose else token in joined
                tokens[token] = hit
            return hit

        known: list[tuple[tuple[frozenset[str], str], ...]] = []  # made when an alternative needs them

        def types() -> tuple[tuple[frozenset[str], str], ...]:
            # the parameter-source types the words can attach: a superset of those the module's
            # identifiers can (`available_types` is monotone in what is present)
            if not known:
                known.append(screen.available_types(token_is_word))
            return known[0]

        def hit(needle: str) -> bool:
            if not needle.startswith(MARKER_PREFIX):
                return found.any_in((needle,))
            result = markers.get(needle)
            if result is None:
                result = markers[needle] = screen.marker_holds(needle, token_is_word, types=types)
            return result

        def passes(rule: Any) -> bool:
            needs = self.components.get(rule, None)
            if rule in self.components and needs is not None and not any(n <= words for n in needs):
                return False
            if rule not in screen.screened:
                return True
            return (
                (not rule.triggers or any(hit(n) for n in rule.triggers))
                and all(any(hit(n) for n in group) for group in rule.trigger_groups)
                and all(not words.isdisjoint(group) for group in rule.identifier_groups)
            )

        return [rule for rule in rules if passes(rule)]


def _whole_components(pattern: str) -> frozenset[str]:
    """The parts of a `qualified_names` pattern that are whole components of any name it matches:
    no wildcard (`*` also matches dots, so `a*` is not one) and not `builtins` (the name table's
    prefix of builtin names, spelled nowhere)."""
    return frozenset(part for part in pattern.split(".") if is_identifier(part) and part != "builtins")
