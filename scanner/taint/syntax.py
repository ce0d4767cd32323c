"""Reading libcst syntax: dotted names, variable paths, literals, arguments, template fields.

Owns the pure functions over nodes that need no analysis state: `dotted` (a call target as
written), `var_path` (what assignments and guards name), `const_string`, argument lookup, and
`locate` (the sub-expression of a literal argument that a value path names).

The hottest checks of the analysis (here, in `statements`, `guards`, `calls`, `module` and the
name table) test a node's class by identity, `type(node) is cst.Name`, not `isinstance`: every
libcst class is an `ABCMeta` class, whose `__instancecheck__` costs about 8x an identity test,
and a langchain scan made about 1.9 million such checks. The same answers: the parser builds
nodes of exactly these classes, and libcst subclasses none of them (`tests/test_leaf_nodes.py`
checks every class compared so against the libcst installed).

May import: `vocabulary`, `..args`, libcst and the standard library."""

from __future__ import annotations

import re
from typing import Any, Sequence

import libcst as cst

from ..args import ArgHelper
from .vocabulary import CASE_METHODS, JINJA_VARIABLE

try:  # what `string.Formatter().parse` returns; importing `string` (its `Template` compiles a
    # regex at class creation) cost the first checked file of a process about 0.8 ms
    from _string import formatter_parser
except ImportError:  # pragma: no cover - a Python without CPython's `_string`
    from string import Formatter

    formatter_parser = Formatter().parse


def dotted(node: Any) -> str | None:
    """A call target as written: `client.chat.completions.create`, `db.execute.fetchall`."""
    kind = type(node)
    if kind is cst.Name:
        return node.value
    if kind is cst.Attribute:
        base = dotted(node.value)
        return f"{base}.{node.attr.value}" if base else None
    if kind is cst.Call:
        return dotted(node.func)
    if kind is cst.Subscript:
        return dotted(node.value)
    return None


def var_path(node: Any) -> str | None:
    """A variable path that assignments and guards can name: `x`, `self.x`, `body.tone`."""
    kind = type(node)
    if kind is cst.Name:
        return node.value
    if kind is cst.Attribute:
        base = var_path(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


def const_string(node: Any) -> str | None:
    if type(node) is cst.SimpleString:
        plain = plain_literal(node.value)
        if plain is not None:
            return plain
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        if isinstance(value, bytes):
            return value.decode("latin-1")
        return value
    return None


_TRIPLE_QUOTES = ('"""', "'''")


def plain_literal(spelled: str) -> str | None:
    """The text of a string literal without prefix or escapes, read off its quotes (None: any
    other literal). libcst's `evaluated_value` compiles every literal (`ast.literal_eval`), a
    quarter of the cost of reading a constant; for these the text is what lies between the
    quotes. Literals with a backslash, a carriage return (compiling turns CR LF into LF), a NUL
    or a non-ASCII character are left to `literal_eval`."""
    if spelled[:1] not in ("'", '"') or not spelled.isascii():
        return None
    if "\\" in spelled or "\r" in spelled or "\0" in spelled:
        return None
    quotes = 3 if len(spelled) >= 6 and spelled[:3] in _TRIPLE_QUOTES else 1
    return spelled[quotes:-quotes]


def template_names(text: str, jinja: bool) -> list[str]:
    if jinja:
        return list(dict.fromkeys(JINJA_VARIABLE.findall(text)))
    try:
        names = [name for _, name, _, _ in formatter_parser(text) if name]
    except ValueError:
        return list(dict.fromkeys(re.findall(r"\{([A-Za-z_][A-Za-z0-9_]*)\}", text)))
    return list(dict.fromkeys(re.split(r"[.\[]", name, maxsplit=1)[0] for name in names))


def guard_targets(node: Any) -> list[tuple[str, Any]]:
    """(path, expression) a guard on `node` vouches for: `x`, `body.tone`, `argv[0]`,
    `data["kind"]`, `x` of `x.lower()`, and the URL `x` of `urlparse(x).hostname` (a host
    allowlist: the request goes to a host the application chose)."""
    if (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value in CASE_METHODS
    ):
        return guard_targets(node.func.value)
    if (
        isinstance(node, cst.Attribute)
        and node.attr.value in ("hostname", "netloc")
        and isinstance(node.value, cst.Call)
        and _callee_name(node.value.func) in ("urlparse", "urlsplit")
        and node.value.args
    ):
        return guard_targets(node.value.args[0].value)
    path = var_path(node) or element_path(node)
    return [(path, node)] if path else []


def _callee_name(func: Any) -> str | None:
    """The last name of a callee (`urlparse`, `parse.urlparse`)."""
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return func.value if isinstance(func, cst.Name) else None


def element_path(node: Any) -> str | None:
    """`argv[0]`, `data["kind"]`: one element of a variable at a constant index or key, as a path
    a guard can clean (`if argv[0] in ALLOWED:`); None for any other subscript."""
    if not isinstance(node, cst.Subscript) or len(node.slice) != 1:
        return None
    index = node.slice[0].slice
    if not isinstance(index, cst.Index):
        return None
    key: Any = const_string(index.value)
    if key is None and isinstance(index.value, cst.Integer):
        key = index.value.evaluated_value
    base = var_path(node.value)
    return f"{base}[{key!r}]" if base and key is not None else None


_ARGS = ArgHelper()


def positional_arg(call: cst.Call, position: int | str) -> cst.Arg | None:
    return _ARGS.get(call, None, position) if isinstance(position, int) else None


def keyword_arg(call: cst.Call, name: str) -> cst.Arg | None:
    return _ARGS.get(call, name)


def locate(node: Any, path: Sequence[Any]) -> Any:
    """The expression inside a literal argument that a value path (list indexes, dict keys) names;
    stops where the syntax no longer follows (a name bound elsewhere)."""
    for step in path:
        if isinstance(node, cst.Call) and isinstance(step, str):
            keyword = keyword_arg(node, step)
            if keyword is not None:
                node = keyword.value
                continue
            first = positional_arg(node, 0)
            if first is not None and isinstance(first.value, cst.Dict):
                node = first.value
            else:
                break
        if isinstance(step, int) and isinstance(node, (cst.List, cst.Tuple)):
            elements = node.elements
            if step >= len(elements) or any(isinstance(e, cst.StarredElement) for e in elements[: step + 1]):
                break
            node = elements[step].value
        elif isinstance(step, str) and isinstance(node, cst.Dict):
            entry = next(
                (e for e in node.elements if isinstance(e, cst.DictElement) and const_string(e.key) == step),
                None,
            )
            if entry is None:
                break
            node = entry.value
        else:
            break
    return node


def count_statements(module: cst.Module) -> int:
    """Statements of a module, nested ones included (the size the analysis budget scales with)."""
    count = 0
    stack: list[Any] = [module]
    while stack:
        node = stack.pop()
        if type(node) in (cst.SimpleStatementLine, cst.SimpleStatementSuite):
            count += 1
            continue
        count += isinstance(node, cst.BaseCompoundStatement)
        body = getattr(node, "body", None)
        if isinstance(body, (list, tuple)):
            stack.extend(body)
        elif body is not None:
            stack.append(body)
        for name in ("orelse", "finalbody"):
            part = getattr(node, name, None)
            if part is not None:
                stack.append(part)
        stack.extend(getattr(node, "handlers", ()))
        stack.extend(getattr(node, "cases", ()))
    return count


def call_name(call: cst.Call) -> str:
    """A call's target as written, for messages (`llm.ask`, or "a call")."""
    return dotted(call.func) or "a call"


def argument_node(args: list, params: list, index: int, bound: bool = False) -> Any:
    """The argument expression bound to parameter `index` (keyword, else by position; `bound`:
    the first parameter is the receiver of a method call)."""
    name, kind = params[index]
    for arg, _ in args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg.value
    if kind != "pos":
        return None
    position = sum(1 for _, k in params[:index] if k == "pos") - bound
    if position < 0:
        return None
    positional = [arg for arg, _ in args if arg.keyword is None and not arg.star]
    return positional[position].value if position < len(positional) else None
