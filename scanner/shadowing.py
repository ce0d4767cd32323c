"""Where a `Name` can stand for the builtin it spells, as the engine's name table reads it.

The tail gate (`aisec.tail_gates`) lets a `Name` `X` end `builtins.X`: an unbound name is the
builtin. But a `Name` read where a binding of `X` is in scope is that binding, and in ML code
the builtins' names are common parameter and variable names: `def forward(self, input)`,
`input, gate = x.chunk(2)`. On transformers, such reads made `builtins.input` (a command-line
source) hold in 31 modules whose only other trigger was arithmetic `%` (a possible format
string), and each was parsed and analysed for nothing.

The engine's name table (`names.NameTable._lookup`) gives `builtins.X` only where it finds no
binding of `X`: not in the scope of the function the read is in, nor of the functions around it,
nor of the module (a class body's bindings are seen from that body only). Its bindings are those
its pre-pass records, at statement level: parameters of a `def`; the names of a `def`, a `class`,
an import (an `import a.b` binds `a`; a star import binds nothing it can list); the targets of an
assignment, annotated or augmented assignment, `for` loop, `with ... as` and `except ... as`
(plain names, inside tuples, lists and starred targets), in every branch and loop body of the
scope, but not in nested `def` or `class` bodies. A binding anywhere in the scope counts, before
or after the read. So `reads_unbound` answers whether some `Name` `X` is read outside every such
binding, taking as no binding what the pre-pass does not record (lambda parameters,
comprehension variables, `:=` targets, `match` captures) and what this check does not look at
(class-body bindings, a function's own names in its decorators, defaults and annotations, which
run in the scope around it): it may keep a module the engine would not flag, never the
reverse. A module with an absolute star import is left to the caller: there, a bound `X` may
still be `M.X`.
"""

from __future__ import annotations

import ast
from typing import Any

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_ONE_TARGET = (ast.AnnAssign, ast.AugAssign, ast.For, ast.AsyncFor)
_WITHS = (ast.With, ast.AsyncWith)
_TRIES = tuple(kind for kind in (getattr(ast, "Try", None), getattr(ast, "TryStar", None)) if kind)


def reads_unbound(tree: ast.AST, name: str) -> bool:
    """Whether a `Name` `name` occurs in `tree` (a module) where the name table finds no binding
    of it (the module docstring says which bindings it records)."""
    body = getattr(tree, "body", [])
    if type(body) is list and binds(body, name):
        return False
    bound: dict[int, bool] = {}  # id(function) -> whether it binds `name`
    stack: list[tuple[Any, tuple[Any, ...]]] = [(tree, ())]
    while stack:
        node, functions = stack.pop()
        kind = type(node)
        if kind is ast.Name:
            if node.id == name and not any(_binds_in(function, name, bound) for function in functions):
                return True
            continue
        if kind in _FUNCTIONS:  # decorators, defaults, annotations: the scope around it
            around = (*node.decorator_list, node.args, *getattr(node, "type_params", ()))
            stack.extend((child, functions) for child in (*around, node.returns) if child is not None)
            inner = (*functions, node)
            stack.extend((statement, inner) for statement in node.body)
            continue
        stack.extend((child, functions) for child in ast.iter_child_nodes(node))
    return False


def _binds_in(function: Any, name: str, bound: dict[int, bool]) -> bool:
    """Whether `function` binds `name` (a parameter or a statement of its body); asked only for the
    functions around a read of `name`, once each (`bound`)."""
    found = bound.get(id(function))
    if found is None:
        found = bound[id(function)] = name in _parameters(function.args) or binds(function.body, name)
    return found


def _parameters(args: ast.arguments) -> set[str]:
    names = {arg.arg for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs)}
    names.update(star.arg for star in (args.vararg, args.kwarg) if star is not None)
    return names


def binds(body: list[Any], name: str) -> bool:
    """Whether the statements of `body` bind `name` in their own scope, as the name table's
    pre-pass records bindings (nested `def` and `class` bodies are other scopes)."""
    stack = list(body)
    while stack:
        statement = stack.pop()
        kind = type(statement)
        if kind in _DEFINITIONS:
            if statement.name == name:
                return True
            continue
        if kind is ast.Assign:
            if any(_target_binds(target, name) for target in statement.targets):
                return True
        elif kind in _ONE_TARGET:
            if _target_binds(statement.target, name):
                return True
        elif kind in _WITHS:
            if any(
                item.optional_vars is not None and _target_binds(item.optional_vars, name)
                for item in statement.items
            ):
                return True
        elif kind is ast.Import:
            if any((alias.asname or alias.name.split(".")[0]) == name for alias in statement.names):
                return True
        elif kind is ast.ImportFrom:
            if any(alias.name != "*" and (alias.asname or alias.name) == name for alias in statement.names):
                return True
        elif kind in _TRIES:
            for handler in statement.handlers:
                if handler.name == name:
                    return True
                stack.extend(handler.body)
        elif kind is ast.Match:
            for case in statement.cases:
                stack.extend(case.body)
        for field in ("body", "orelse", "finalbody"):
            stack.extend(getattr(statement, field, ()))
    return False


def _target_binds(target: Any, name: str) -> bool:
    """A plain name in an assignment target binds it (also inside tuples, lists and starred)."""
    kind = type(target)
    if kind is ast.Name:
        return target.id == name
    if kind is ast.Tuple or kind is ast.List:
        return any(_target_binds(element, name) for element in target.elts)
    if kind is ast.Starred:
        return _target_binds(target.value, name)
    return False
