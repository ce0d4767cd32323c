"""The program model: the functions and classes of a module, and the state of one unit's evaluation.

Owns `Function` (parameters, decorators, initial parameter values), `Class` (bases, methods,
declared fields), `Unit` (environment, enclosing environments, returns) and `SinkCall` (a call
matched by the catalog, with its evaluated arguments).

May import: `values`, libcst and the standard library."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import libcst as cst


@dataclass(eq=False)
class Function:
    index: int
    node: cst.FunctionDef
    name: str
    chain: tuple  # enclosing statements from the module level down to the def (for the names table)
    cls: Any = None  # Class when a method
    parent: Any = None  # enclosing Function (closures)
    params: list = field(default_factory=list)  # (name, kind, param node); kind: pos/kw/star/dstar
    kind: str = "function"  # function | method | static | class
    decorators: list = field(default_factory=list)  # (expression, qualified name, name as written)
    initial: dict = field(default_factory=dict)  # parameter index -> Value (sources, types)
    dependencies: dict = field(default_factory=dict)  # parameter index -> Function (`Depends(fn)`)

    @property
    def display(self) -> str:
        return f"{self.cls.name}.{self.name}" if self.cls is not None else self.name


@dataclass(eq=False)
class Class:
    node: cst.ClassDef
    name: str
    bases: tuple[str, ...]  # qualified names of the bases that resolve
    local_bases: tuple = ()  # Class bases defined in this module
    methods: dict = field(default_factory=dict)
    field_types: dict = field(default_factory=dict)  # class-level annotations: name -> is text
    field_type_names: dict = field(default_factory=dict)  # name -> qualified type, when it resolves
    field_classes: dict = field(default_factory=dict)  # name -> the module's Class it is (a nested model)
    is_enum: bool = False
    constants: dict = field(default_factory=dict)  # class-body assignments

    def method(self, name: str) -> Function | None:
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


@dataclass
class SinkCall:
    sinks: list  # (Sink, label)
    args: list  # (cst.Arg, Value)
    receiver: Any = None  # Value of the object a method sink is called on


@dataclass
class Unit:
    """State while evaluating one unit (module body, class body or function)."""

    func: Function | None
    env: dict
    outer: list  # enclosing environments, innermost first (read-only)
    cls: Class | None = None  # the class whose method this is
    returns: list = field(default_factory=list)
    vouches: list = field(default_factory=list)  # per `return` that may be true: the parameters it checked
    narrowed: dict = field(default_factory=dict)  # name -> the values a check made it (guards.py)
    yields: dict = field(default_factory=dict)  # yield node -> what it yields (a generator's items)
    exits: list = field(default_factory=list)  # per exit: the parameters' values (`mutations`)
    rebound: set = field(default_factory=set)  # names the unit binds anew (a parameter: not the caller's)


def inherited(cls: Class, table: str) -> dict:
    """A per-class table (`methods`, `field_type_names`) with its local bases' entries merged in
    (the class's own win, then the nearer base)."""
    merged: dict = {}
    for base in reversed(cls.local_bases):
        merged.update(inherited(base, table))
    merged.update(getattr(cls, table))
    return merged


def declared_field_type(cls: Class, attr: str) -> bool | None:
    """Whether a class-level annotated field may hold text (None: not declared)."""
    if attr in cls.field_types:
        return cls.field_types[attr]
    for base in cls.local_bases:
        found = declared_field_type(base, attr)
        if found is not None:
            return found
    return None
