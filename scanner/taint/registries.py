"""Registration decorators: a decorator of the module that stores the function it decorates into a
table (`def tool(fn): REGISTRY[fn.__name__] = fn; return fn`, or a factory
`def register(name): def wrap(fn): TOOLS[name] = fn; ...`), so that the table is a dispatch table
of those functions (`REGISTRY[call.name](**args)` calls each of them).

Owns reading, from the decorator's syntax alone, which table it writes its argument into and
under which key. Pure syntax: the caller binds the result in its environment.

May import: libcst only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import libcst as cst


@dataclass(frozen=True)
class Registration:
    """The decorated function goes into the table named `table`: under `key` (a parameter of a
    decorator factory that names the entry, or None for the function's own name), or appended
    (`keyed` False: `TOOLS.append(fn)`)."""

    table: str
    key: str | None = None
    keyed: bool = True


def registrations(decorator: cst.FunctionDef) -> list[Registration]:
    """Where `decorator` (a plain decorator, or a factory whose nested function is one) stores
    the function it receives: a subscript assignment or an `append`/`add` of that function's
    parameter into a name the decorator does not bind itself (a module-level table)."""
    found: list[Registration] = []
    factory_params = _param_names(decorator)
    for func in _functions(decorator):
        params = _param_names(func)
        if not params:
            continue
        received, local = params[0], _bound_names(func)
        for statement in _own_statements(func):
            found += _stores(statement, received, local, factory_params)
    return found


def _stores(node: Any, received: str, local: set[str], factory_params: list[str]) -> list[Registration]:
    if isinstance(node, cst.Assign) and _is_name(node.value, received):
        found = []
        for target in node.targets:
            sub = target.target
            if (
                isinstance(sub, cst.Subscript)
                and isinstance(sub.value, cst.Name)
                and sub.value.value not in local
            ):
                index = sub.slice[0].slice if len(sub.slice) == 1 else None
                key = (
                    index.value.value
                    if isinstance(index, cst.Index) and isinstance(index.value, cst.Name)
                    else None
                )
                found.append(Registration(sub.value.value, key if key in factory_params else None))
        return found
    if isinstance(node, cst.Expr) and isinstance(node.value, cst.Call):
        call = node.value
        func = call.func
        if (
            isinstance(func, cst.Attribute)
            and func.attr.value in ("append", "add")
            and isinstance(func.value, cst.Name)
            and func.value.value not in local
            and len(call.args) == 1
            and _is_name(call.args[0].value, received)
        ):
            return [Registration(func.value.value, keyed=False)]
    return []


def _is_name(node: Any, name: str) -> bool:
    return isinstance(node, cst.Name) and node.value == name


def _param_names(func: cst.FunctionDef) -> list[str]:
    params = func.params
    return [p.name.value for p in (*params.posonly_params, *params.params)]


def _functions(decorator: cst.FunctionDef) -> list[cst.FunctionDef]:
    """The decorator and the functions defined directly in its body (a factory's inner decorator)."""
    inner = [s for s in _body(decorator) if isinstance(s, cst.FunctionDef)]
    return [decorator, *inner]


def _body(func: cst.FunctionDef) -> list[Any]:
    return list(func.body.body) if isinstance(func.body, cst.IndentedBlock) else []


def _own_statements(func: cst.FunctionDef) -> list[Any]:
    """The small statements of `func`'s body at any depth of `if`/`try`/`with`/loops, not those
    of nested functions, classes or lambdas."""
    found: list[Any] = []
    pending: list[Any] = [func.body]
    while pending:
        node = pending.pop()
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        if isinstance(node, cst.BaseSmallStatement):
            found.append(node)
            continue
        pending += node.children
    return found


def _bound_names(func: cst.FunctionDef) -> set[str]:
    """Names the function binds itself (parameters and plain assignments): not a module's table."""
    names = set(_param_names(func))
    for statement in _own_statements(func):
        if isinstance(statement, (cst.Assign, cst.AnnAssign)):
            targets = (
                [t.target for t in statement.targets]
                if isinstance(statement, cst.Assign)
                else [statement.target]
            )
            names |= {t.value for t in targets if isinstance(t, cst.Name)}
    return names
