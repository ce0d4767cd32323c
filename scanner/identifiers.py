"""The identifier screen: taint-rule prefilter markers checked against the module's identifiers.

The token gate (`prefilter`) lets a taint rule through when the tokens of a catalog source and a
catalog sink occur anywhere in the text. In LLM code the sink tokens (`invoke`, `create`,
`messages`, `run`, `get`) and source tokens (`request`, `input`) are everywhere, in docstrings,
comments and string literals too, so most modules pass, and each one that passes pays a libcst
parse and the module's taint analysis. This screen, run on the `ast` tree the engine builds
anyway (the parse guard in front of libcst), checks the markers (`@taint:...`) of a rule's
triggers and trigger groups again, against the module's identifiers only; plain trigger strings
keep their check on the whole text.

Soundness. A marker stands for alternatives of tokens, the literal `[A-Za-z0-9_]` runs of the
parts of catalog patterns (`aisec.hooks.taint._pattern_tokens`), and a sink or source can only
match a name the engine builds. Those names are built from the code alone: `NameTable.qualified`
and the taint engine's fallbacks join import paths (`import a.b`, `from a import b`), names,
attribute names, and the qualified names of annotations and of callees; string annotations and
other string constants never name anything (`taint._annotation` treats a string annotation as
unknown), relative imports resolve to nothing. The parts `_pattern_tokens` leaves out
(`builtins`, `__call__`, `[...]` classes) are exactly those the engine adds without the code
spelling them. Parameter sources are tokenised by their conditions (decorator, registrar,
function and base-class names, imported module names, parameter names): identifiers too. So every
token of a name the engine can match is a substring of one identifier of the module, and a
marker that fails on the identifiers cannot be satisfied by any name the engine builds. Python's
parser hands out identifiers NFKC-normalised, as the engine sees them.
`tests/test_identifiers.py` checks this on the rule examples and fixture projects (same findings
with the screen on and off); `bench/run.py --check-prefilter` does on real corpora.
"""

from __future__ import annotations

import ast
from typing import Any, Iterable, Mapping, Sequence

from .prefilter import MARKER_PREFIX

# Fields that hold identifiers (strings, or lists of strings for `global`/`nonlocal`, class
# patterns' keyword attributes); `Constant.value` and `type_comment` never name anything.
_IDENTIFIER_FIELDS = frozenset(
    {"id", "attr", "name", "asname", "module", "arg", "names", "kwd_attrs", "rest"}
)
_NO_IDENTIFIERS = frozenset({"ctx", "op", "ops", "type_comment", "kind", "is_async", "conversion"})
_LAYOUT: dict[type, tuple[tuple[str, ...], tuple[str, ...]]] = {}


def _layout(kind: type) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(identifier fields, child fields) of an ast node class."""
    fields = getattr(kind, "_fields", ())
    names = tuple(f for f in fields if f in _IDENTIFIER_FIELDS)
    skipped = _IDENTIFIER_FIELDS | _NO_IDENTIFIERS
    children = () if kind is ast.Constant else tuple(f for f in fields if f not in skipped)
    _LAYOUT[kind] = (names, children)
    return names, children


def identifier_text(tree: ast.AST) -> str:
    """Every identifier of the module (names, attributes, import paths, definitions, parameters,
    keywords), one per line: the text the markers are checked against."""
    found: set[str] = set()
    add = found.add
    stack: list[Any] = [tree]
    pop, push = stack.pop, stack.append
    layout = _LAYOUT
    while stack:
        node = pop()
        kind = type(node)
        entry = layout.get(kind)
        if entry is None:
            entry = _layout(kind)
        names, children = entry
        for field in names:
            value = getattr(node, field, None)
            if type(value) is str:
                add(value)
            elif type(value) is list:
                for item in value:
                    if type(item) is str:
                        add(item)
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
    return "\n".join(found)


class IdentifierScreen:
    """The rules of a run whose triggers use taint markers, and the markers' tokens."""

    def __init__(
        self, rules: Iterable[Any], expansions: Mapping[str, Sequence[tuple[str, ...]]] | None
    ) -> None:
        self.expansions = expansions or {}
        self.screened = frozenset(
            rule
            for rule in rules
            if any(
                needle.startswith(MARKER_PREFIX)
                for needle in (*rule.triggers, *(n for group in rule.trigger_groups for n in group))
            )
        )

    def screens(self, rules: Sequence[Any]) -> bool:
        return not self.screened.isdisjoint(rules)

    def select(self, tree: ast.AST, text: str, rules: Sequence[Any]) -> list[Any]:
        """`rules` without the screened ones whose markers no identifier of `tree` satisfies."""
        if not self.screens(rules):
            return list(rules)
        identifiers = identifier_text(tree)
        markers: dict[str, bool] = {}

        def hit(needle: str) -> bool:
            if not needle.startswith(MARKER_PREFIX):
                return needle in text
            found = markers.get(needle)
            if found is None:
                alternatives = self.expansions.get(needle, ())
                found = markers[needle] = any(
                    all(token in identifiers for token in alternative) for alternative in alternatives
                )
            return found

        return [
            rule
            for rule in rules
            if rule not in self.screened
            or (
                (not rule.triggers or any(hit(n) for n in rule.triggers))
                and all(any(hit(n) for n in group) for group in rule.trigger_groups)
            )
        ]
