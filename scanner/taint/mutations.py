"""Helpers that fill an argument instead of returning: `add_system(messages, text)` appending
`{"role": "system", "content": text}`, `ctx.update(system=text)`, `req.system = text`.

Owns what a function put into a parameter's object (the structure its exit value gained: list
items appended, keys and attributes set, with the placeholders of the other parameters), writing
that into the object a caller passed, and the JSON form a module summary carries it in (only the
structure and the parameter placeholders: a source a helper puts into an argument is not kept).
A parameter the body rebinds (`messages = list(messages)`, `Unit.rebound`) is not the caller's
object: nothing the body puts into it reaches the caller (`summaries`).

May import: `values` and the standard library only (a summary read from the cache uses it, on
the pre-commit fast path: no libcst)."""

from __future__ import annotations

from typing import Any

from .values import MAX_DEPTH, MAX_ITEMS, Param, Taint, Value, make_container, unite


def put_into(exit_value: Value | None, func: int, index: int) -> Value | None:
    """What the function put into parameter `index`'s object (None: nothing that carries data)."""
    if exit_value is None:
        return None
    own = Param(func, index)
    added = make_container(exit_value.facts - {own}, exit_value.items, exit_value.keys)
    if not any(isinstance(f, (Taint, Param)) and f != own for f in added.all):
        return None
    return added


def write_into(current: Value | None, added: Value) -> Value:
    """The caller's object after the call: the items appended, keys and attributes set."""
    if current is None:
        return added
    keys = dict(current.keys or ())
    keys.update(added.keys or ())
    return make_container(
        unite(current.facts, added.facts),
        (current.items or ()) + added.items if added.items is not None else current.items,
        tuple(keys.items()) if keys else None,
        type_name=current.type_name,
        ref=current.ref,
        clean_attrs=current.clean_attrs,
    )


def shape_to_json(value: Value, func: int, depth: int = 0) -> Any:
    """The structure and the placeholders of `func`'s parameters, as JSON."""
    return {
        "p": sorted(
            [f.index, f.spliced, list(f.encoded)]
            for f in value.facts
            if isinstance(f, Param) and f.func == func
        ),
        "i": None if value.items is None else [shape_to_json(v, func, depth + 1) for v in value.items],
        "k": None if value.keys is None else [[k, shape_to_json(v, func, depth + 1)] for k, v in value.keys],
        "c": value.const,
        "w": value.words,
    }


def shape_from_json(raw: Any, func: int, depth: int = 0) -> Value:
    """The value `shape_to_json` wrote, its placeholders those of `func` (raises on a bad record)."""
    if depth > MAX_DEPTH:
        raise ValueError("too deep")
    items, keys = raw["i"], raw["k"]
    if (items is not None and len(items) > MAX_ITEMS) or (keys is not None and len(keys) > MAX_ITEMS):
        raise ValueError("too long")
    return make_container(
        frozenset(Param(func, int(i), bool(s), tuple(str(e) for e in encoded)) for i, s, encoded in raw["p"]),
        None if items is None else tuple(shape_from_json(v, func, depth + 1) for v in items),
        None if keys is None else tuple((str(k), shape_from_json(v, func, depth + 1)) for k, v in keys),
        const=None if raw["c"] is None else str(raw["c"]),
        words=int(raw["w"]),
    )
