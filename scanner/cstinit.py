"""Faster constructors for libcst's node classes, doing exactly what `dataclasses`' ones do.

Why. A libcst node is a frozen dataclass, so the `__init__` that `dataclasses` writes for it
stores each field with `object.__setattr__(self, "name", value)`, which looks the name up on the
class for every field of every node; the native parser builds about a million nodes for
langchain's 275 parsed files. libcst's node classes keep their fields in slots, so the same store
is the field's slot descriptor's `__set__`, which is found once here instead: 7-9% of a parse
on top of skipping validation (`aisec.parsing`).

Exact. A constructor here has the parameters of the one it replaces, with its very default
objects (its `__defaults__` tuple); it calls a field's default factory when that argument is left
out, stores the fields in the same order through the descriptor `object.__setattr__` finds first
on the class's MRO, and then calls `self.__post_init__()` (validation), as `dataclasses`' does. A
class is left alone unless its `__init__` is the one `dataclasses` made for its fields, with no
keyword-only, `init=False` or `InitVar` field, and every field in a slot. `tests/test_cstinit.py`
builds every replaced class both ways.

Cost. The constructors are compiled in one piece (~10 ms), so `aisec.parsing` installs them only
once a process has parsed enough source for them to pay back (see `parsing.CONSTRUCTORS_AFTER`).
"""

from __future__ import annotations

import dataclasses
from typing import Any

_installed: dict[type, Any] = {}  # class -> the `__init__` `dataclasses` made for it
_PREFIX = "_aisec_"  # of the names the generated code binds besides the fields


def install() -> None:
    """Replace the constructors of libcst's node classes (once; later calls do nothing)."""
    import libcst as cst

    if _installed:
        return
    plans = [plan for cls in _node_classes(cst.CSTNode) if (plan := _plan(cls)) is not None]
    source = "".join(_maker_source(index, fields) for index, (_, fields, _) in enumerate(plans))
    namespace: dict[str, Any] = {}
    exec(compile(source, "<aisec.cstinit>", "exec"), namespace)  # our own text, from field names
    for index, (cls, fields, setters) in enumerate(plans):
        original = cls.__dict__["__init__"]
        factories = [f.default_factory for f in fields]
        init = namespace[f"make{index}"](dataclasses._HAS_DEFAULT_FACTORY, *setters, *factories)
        init.__defaults__ = original.__defaults__
        init.__kwdefaults__ = original.__kwdefaults__
        init.__annotations__ = original.__annotations__
        init.__module__ = original.__module__
        init.__qualname__ = original.__qualname__
        _installed[cls] = original
        cls.__init__ = init


def originals() -> dict[type, Any]:
    """The replaced constructors, by class (for tests)."""
    return dict(_installed)


def _node_classes(root: type) -> list[type]:
    seen: dict[type, None] = {}
    stack = [root]
    while stack:
        for sub in stack.pop().__subclasses__():
            if sub not in seen:
                seen[sub] = None
                stack.append(sub)
    return list(seen)


def _plan(cls: type) -> tuple[type, list[Any], list[Any]] | None:
    """The class's fields and their slot stores, or None when its constructor is not the plain
    one `dataclasses` makes for frozen slotted fields."""
    original = cls.__dict__.get("__init__")
    params = getattr(cls, "__dataclass_params__", None)
    if getattr(original, "__code__", None) is None or params is None or not params.init:
        return None
    fields = list(dataclasses.fields(cls))  # type: ignore[arg-type]
    names = tuple(f.name for f in fields)
    code = original.__code__
    if (
        code.co_filename != "<string>"
        or original.__name__ != "__init__"
        or code.co_varnames[: code.co_argcount] != ("self", *names)
        or code.co_kwonlyargcount
        or "__post_init__" not in code.co_names
        or original.__kwdefaults__
        or any(not f.init or getattr(f, "kw_only", False) for f in fields)
        or any(name.startswith(_PREFIX) for name in names)
    ):
        return None
    setters = []
    for name in names:
        store = next((k.__dict__[name] for k in cls.__mro__ if name in k.__dict__), None)
        if type(store).__name__ != "member_descriptor":  # a property, a class attribute, ...
            return None
        setters.append(store.__set__)
    return cls, fields, setters


def _maker_source(index: int, fields: list[Any]) -> str:
    names = [f.name for f in fields]
    binds = ", ".join([f"{_PREFIX}sentinel", *(f"{_PREFIX}set_{n}" for n in names)])
    binds += "".join(f", {_PREFIX}factory_{n}" for n in names)
    lines = []
    for field in fields:
        name = field.name
        value = name
        if field.default_factory is not dataclasses.MISSING:
            value = f"{_PREFIX}factory_{name}() if {name} is {_PREFIX}sentinel else {name}"
        lines.append(f"        {_PREFIX}set_{name}(self, {value})\n")
    return (
        f"def make{index}({binds}):\n"
        f"    def __init__(self{''.join(', ' + n for n in names)}):\n"
        f"{''.join(lines)}"
        "        self.__post_init__()\n"
        "    return __init__\n"
    )
