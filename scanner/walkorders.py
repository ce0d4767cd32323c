"""Child-field orders of libcst's node classes, kept in the trigger table for later runs.

`aisec.walk` learns the order in which libcst visits a node class's fields from libcst itself,
once per class and process: the first node of the class is rebuilt from its children by a
recording visitor (~30 us). A run that re-checks one changed file meets about 50 classes, so it
paid about 1.5 ms for orders an earlier run had learnt already. The trigger table (`run.adopt_known`)
now keeps the orders the run that wrote it learnt, from its files and from a sample of Python that
holds nearly every class (`aisec.walk.learnt`, `SAMPLE`: the files may have been walked by the
parallel pool's workers), and a later run of the same key hands them over here (`keep`) when it
first checks a file; `aisec.walk` takes a class's order from it
when it first meets the class (`kept_order`), and learns it as before when there is none or it does
not name exactly the class's fields.

Why this is safe: the table is aisec's own, signed with the machine key, private, and keyed by the
interpreter and every `sys.path` folder's modification time (installing another libcst changes
its folder's); a class is found by its module and qualified name among the modules already
imported; and an order is used only where its fields are the class's dataclass fields (a libcst
that renamed, added or dropped one is learnt again). Importing this module imports nothing of
libcst: a run whose files are all prefiltered out does not pay for it.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Mapping

# class key (`module:qualname`) -> (child fields in visiting order, the class's other fields)
_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
# (class key, other fields holding nodes in the instance) -> child fields in visiting order
_VARIANTS: dict[tuple[str, tuple[str, ...]], tuple[str, ...]] = {}


def keep(known: Mapping[str, Any]) -> None:
    """Take the orders a trigger table holds (`aisec.walk.learnt`'s data)."""
    _FIELDS.update(known.get("fields", {}))
    _VARIANTS.update(known.get("variants", {}))


def class_key(kind: type) -> str:
    """How the table names a class: its module and qualified name."""
    return f"{kind.__module__}:{kind.__qualname__}"


def kept_order(kind: type) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """The kept (child fields, other fields) of `kind`, if they are exactly its dataclass fields."""
    if not _FIELDS:
        return None
    entry = _FIELDS.get(class_key(kind))
    if entry is None or not _names_fields(kind, (*entry[0], *entry[1]), exactly=True):
        return None
    return entry


def kept_variant(kind: type, present: tuple[str, ...]) -> tuple[str, ...] | None:
    """The kept child fields of a `kind` node whose other fields `present` hold nodes."""
    if not _VARIANTS:
        return None
    fields = _VARIANTS.get((class_key(kind), present))
    if fields is None or not _names_fields(kind, fields, exactly=False):
        return None
    return fields


def _names_fields(kind: type, names: tuple[str, ...], *, exactly: bool) -> bool:
    if not dataclasses.is_dataclass(kind):
        return False
    fields = {field.name for field in dataclasses.fields(kind)}
    if len(set(names)) != len(names):
        return False
    return set(names) == fields if exactly else set(names) <= fields
