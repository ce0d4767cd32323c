"""A read-only traversal of a libcst tree, in libcst's own visiting order, without rebuilding it.

`CSTNode.visit` rebuilds every node it passes (`_visit_and_replace_children` constructs and
validates a new node from the visited children, even for a `CSTVisitor` that changes nothing) and
calls `on_visit_attribute`/`on_leave_attribute` around every field. For a read-only traversal that
is most of its cost. `walk` calls `on_visit(node)` and `on_leave(node)` on the same nodes in the
same order, and nothing else.

The order of a node type's child fields is learnt from libcst itself, once per type: its
`_visit_and_replace_children` is run with a visitor that records the field names it is told
about (`on_visit_attribute` is called for every field it visits, empty or not) and does not
descend. A field it skipped on that node (`FormattedStringExpression` skips an absent
`format_spec`) is checked on every node of the type; a node where it holds something has its own
order learnt the same way (once per type and set of such fields). `tests/test_screen.py` checks
the order against `CSTNode.visit` on real code.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable

import libcst as cst

from .parsing import unvalidated
from .walkorders import class_key, kept_order, kept_variant

# type -> (child fields in visiting order, the type's other fields)
_FIELDS: dict[type, tuple[tuple[str, ...], tuple[str, ...]]] = {}
# (type, other fields holding nodes in this instance) -> child fields in visiting order
_VARIANTS: dict[tuple[type, tuple[str, ...]], tuple[str, ...]] = {}
_IS_NODE: dict[type, bool] = {}


class _FieldRecorder(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.fields: list[str] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        return False  # the children's own fields are not wanted

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        if not self.fields or self.fields[-1] != attribute:
            self.fields.append(attribute)

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        pass


def _record(node: cst.CSTNode) -> tuple[str, ...]:
    """The fields libcst visits on `node`, in order. The node it rebuilds from the same children is
    thrown away, so it is not validated: a validator that raises on valid code (LibCST #1061,
    `() if 0 else(lambda:())`) would otherwise end the scan of every file."""
    recorder = _FieldRecorder()
    with unvalidated():
        node._visit_and_replace_children(recorder)
    return tuple(recorder.fields)


def _learn(node: cst.CSTNode) -> tuple[tuple[str, ...], tuple[str, ...]]:
    # A few types skip a field when it is empty (`FormattedStringExpression.format_spec`):
    # the fields libcst did not visit here are checked on every node of the type (`_holds_node`).
    # An earlier run's order, kept in the trigger table, is taken instead (`aisec.walkorders`).
    entry = kept_order(type(node))
    if entry is None:
        fields = _record(node)
        entry = (fields, tuple(f.name for f in dataclasses.fields(node) if f.name not in fields))
    _FIELDS[type(node)] = entry
    return entry


# Python that holds most node classes libcst has (`learn_sample`): the parse of a changed file
# meets about 50 of them, and the run that writes the trigger table may have walked none itself
# (its files were checked by the parallel pool's workers). Parsed, never run.
SAMPLE = """\
from __future__ import annotations
import os.path as p, sys
from .a import (b as c, d)
from x import *
@decorator(1, *args, key=value, **kwargs)
async def f(a, /, b: int = 1, *c, d, e=2, **g) -> None:
    "doc" f"{c=} {a!r:>{b}}"
    b"x"; 1.5; 2j; ...
    global q
    x: list[int] = [1, -2, +3, ~4, not a, a and b or c, a if b else c, lambda y=1, *z: y]
    x += {1, 2}; y = z = {**d, 1: 2}; del x[1:2:3], y.z

    # comment
    x -= a + b; x *= a is b; x |= a not in b; x /= (
        a,
    )
    [a for a in b if a] and {a for a in b} and {a: b for a, b in c} and (a async for a in b)
    assert (w := a is not b in c < d <= e == f != g > h >= i), "m"
    await g(*a) @ b // c % d ** e << f >> g & h | i ^ j - k / l * m
    async with a as (b, c), d:
        yield
    async for a, *b in c:
        yield from d
    for a in b:
        if a:
            break
        elif b:
            continue
        else:
            pass
    else:
        return
    while a:
        x[0] = x.y = 1
    try:
        raise a from b
    except (A, B) as e:
        pass
    except C:
        pass
    else:
        pass
    finally:
        pass
    try:
        pass
    except* D:
        pass
    with a:
        pass
    match a:
        case [1, *rest] | (None | True):
            pass
        case {"k": v, **kw} if v:
            pass
        case Point(0, y=1) as pt:
            pass
        case _:
            pass
class K(Base, metaclass=M):
    def g(self, *, k):
        nonlocal n
        return [*a]
"""


def learn_sample() -> None:
    """Learn the orders of the node classes `SAMPLE` holds (for the trigger table's writer)."""
    from .parsing import parse_module

    walk(parse_module(SAMPLE), _nothing, _nothing)


def _nothing(node: Any) -> None:
    pass


def learnt() -> dict[str, Any]:
    """The orders this process learnt or took, as plain data (`aisec.walkorders.keep` takes
    them back): what the trigger table keeps for later runs."""
    return {
        "fields": {class_key(kind): entry for kind, entry in _FIELDS.items()},
        "variants": {(class_key(kind), present): fields for (kind, present), fields in _VARIANTS.items()},
    }


def _is_node(kind: type) -> bool:
    found = _IS_NODE.get(kind)
    if found is None:
        found = _IS_NODE[kind] = issubclass(kind, cst.CSTNode)
    return found


def _holds_node(value: Any) -> bool:
    kind = type(value)
    if kind is tuple or kind is list:
        return any(_is_node(type(item)) for item in value)
    return _is_node(kind)


def _variant(node: cst.CSTNode, present: tuple[str, ...]) -> tuple[str, ...]:
    key = (type(node), present)
    fields = _VARIANTS.get(key)
    if fields is None:
        kept = kept_variant(type(node), present)
        fields = _VARIANTS[key] = _record(node) if kept is None else kept
    return fields


_TRIVIA_NAMES = (
    "SimpleWhitespace", "ParenthesizedWhitespace", "TrailingWhitespace", "EmptyLine", "Comment",
    "Newline", "Comma", "Dot", "Colon", "Semicolon", "AssignEqual", "LeftParen", "RightParen",
    "LeftSquareBracket", "RightSquareBracket", "LeftCurlyBrace", "RightCurlyBrace", "Asynchronous",
    "ImportStar",
)  # fmt: skip
_OPERATOR_BASES = ("BaseBinaryOp", "BaseBooleanOp", "BaseCompOp", "BaseUnaryOp", "BaseAugOp")


def trivia_types() -> frozenset[type]:
    """Node types that hold nothing but whitespace, comments and punctuation (operators,
    commas, brackets): about 60% of a tree's nodes. A traversal for rules that visit none of
    them may skip them with their subtrees (`walk(..., skip=...)`)."""
    global _TRIVIA
    if _TRIVIA is None:
        kinds: set[type] = {getattr(cst, name) for name in _TRIVIA_NAMES if hasattr(cst, name)}
        pending = [getattr(cst, name) for name in _OPERATOR_BASES if hasattr(cst, name)]
        while pending:
            base = pending.pop()
            kinds.add(base)
            pending.extend(base.__subclasses__())
        _TRIVIA = frozenset(kinds)
    return _TRIVIA


_TRIVIA: frozenset[type] | None = None


def walk(
    root: cst.CSTNode,
    on_visit: Callable[[Any], object],
    on_leave: Callable[[Any], object],
    skip: frozenset[type] = frozenset(),
) -> None:
    """Call `on_visit` before and `on_leave` after the children of every node under `root`
    (itself included), as `root.visit(visitor)` would for a visitor whose `on_visit` always
    returns True; nodes of a type in `skip` are left out with everything below them. Raises
    RecursionError on trees nested deeper than the recursion limit allows."""
    entries, is_node, learn = _FIELDS.get, _is_node, _learn

    def visit(node: Any) -> None:
        on_visit(node)
        entry = entries(type(node))
        if entry is None:
            entry = learn(node)
        fields, others = entry
        if others:  # mostly `value` strings (`Name.value`); a node or a non-empty list is rare
            present: tuple[str, ...] = ()
            for name in others:
                value = getattr(node, name)
                if type(value) is not str and value is not None and _holds_node(value):
                    present += (name,)
            if present:
                fields = _variant(node, present)
        for name in fields:
            child = getattr(node, name)
            kind = type(child)
            if kind is tuple or kind is list:
                for item in child:
                    kind = type(item)
                    if kind not in skip and is_node(kind):
                        visit(item)
            elif kind not in skip and is_node(kind):
                visit(child)
        on_leave(node)

    try:
        visit(root)
    finally:
        # `visit` calls itself through its closure cell: a cycle that would keep the callbacks,
        # and through them the rules, the tree and its analysis, alive until the cyclic garbage
        # collector finds it. Emptying the cell lets reference counting free them.
        visit = None
