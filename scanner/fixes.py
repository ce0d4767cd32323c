"""Autofix support: codemod helpers for rules and applying fixes to a module.

Fixes replace CST nodes by identity. Applying them never re-parses the original text, so
comments and formatting outside the replaced nodes are kept byte for byte.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

import libcst as cst
from aisec.hooks import Applicability, Fix


def _applicability(safe: bool) -> Applicability:
    return Applicability.SAFE if safe else Applicability.UNSAFE


class FixHelper:
    """Builds `Fix` objects for common edits (the `FixHelper` protocol of `aisec.hooks`)."""

    def add_keyword(self, call: cst.Call, name: str, value: str, *, safe: bool = False) -> Fix:
        """Append `name=value` to the call, following a magic trailing comma if there is one."""
        new_arg = cst.Arg(
            keyword=cst.Name(name),
            value=cst.parse_expression(value),
            equal=cst.AssignEqual(
                whitespace_before=cst.SimpleWhitespace(""),
                whitespace_after=cst.SimpleWhitespace(""),
            ),
        )
        args = list(call.args)
        if args:
            args[-1], new_arg = _append_after(call, args, new_arg)
        new_call = call.with_changes(args=[*args, new_arg])
        return Fix(((call, new_call),), _applicability(safe), f"Add `{name}={value}`")

    def set_keyword(self, call: cst.Call, name: str, value: str, *, safe: bool = False) -> Fix:
        """Set an existing keyword's value, or add the keyword when it is absent."""
        for index, arg in enumerate(call.args):
            if arg.keyword is not None and arg.keyword.value == name:
                new_arg = arg.with_changes(value=cst.parse_expression(value))
                args = [*call.args[:index], new_arg, *call.args[index + 1 :]]
                new_call = call.with_changes(args=args)
                return Fix(((call, new_call),), _applicability(safe), f"Set `{name}={value}`")
        return self.add_keyword(call, name, value, safe=safe)

    def remove_keyword(self, call: cst.Call, name: str, *, safe: bool = False) -> Fix:
        """Drop a keyword argument (and tidy the comma of the argument before it)."""
        args = [arg for arg in call.args if not (arg.keyword and arg.keyword.value == name)]
        last = call.args[-1] if call.args else None
        if args and last is not None and last.keyword is not None and last.keyword.value == name:
            # The new last argument takes over the removed one's trailing comma and the
            # whitespace before `)`, so a closing parenthesis on its own line stays there.
            args[-1] = args[-1].with_changes(comma=last.comma, whitespace_after_arg=last.whitespace_after_arg)
        new_call = call.with_changes(args=args)
        return Fix(((call, new_call),), _applicability(safe), f"Remove `{name}=`")

    def replace(self, node: cst.CSTNode, new_code: str, *, safe: bool = False, title: str = "") -> Fix:
        """Replace an expression with new source text."""
        return self.replace_node(node, cst.parse_expression(new_code), safe=safe, title=title)

    def replace_node(
        self, node: cst.CSTNode, new_node: cst.CSTNode, *, safe: bool = False, title: str = ""
    ) -> Fix:
        """Replace a node with a node the rule built."""
        return Fix(((node, new_node),), _applicability(safe), title)


def _append_after(call: cst.Call, args: list[cst.Arg], new_arg: cst.Arg) -> tuple[cst.Arg, cst.Arg]:
    """The call's last argument and `new_arg`, laid out so `new_arg` follows the last one.

    With one argument per line (the whitespace before the last argument is a line break), the
    new argument goes on its own line at the same indentation; comments stay on their lines
    and the closing parenthesis keeps its place. Otherwise it follows on the same line.
    """
    last = args[-1]
    before_last = (
        getattr(args[-2].comma, "whitespace_after", None) if len(args) > 1 else call.whitespace_before_args
    )
    if not isinstance(before_last, cst.ParenthesizedWhitespace):
        before_last = None
    has_comma = isinstance(last.comma, cst.Comma)
    # The whitespace between the last argument and `)`.
    closing = last.comma.whitespace_after if has_comma else last.whitespace_after_arg
    if before_last is not None and isinstance(closing, cst.ParenthesizedWhitespace):
        # Break the line after the last argument (keeping its comment) at the arguments'
        # indentation, and give the new argument a fresh line break back to the `)` indentation.
        to_new_line = closing.with_changes(indent=before_last.indent, last_line=before_last.last_line)
        to_closing = cst.ParenthesizedWhitespace(
            first_line=cst.TrailingWhitespace(),
            empty_lines=[],
            indent=closing.indent,
            last_line=closing.last_line,
        )
        if has_comma:
            last = last.with_changes(comma=last.comma.with_changes(whitespace_after=to_new_line))
            new_arg = new_arg.with_changes(comma=cst.Comma(whitespace_after=to_closing))
        else:
            last = last.with_changes(
                comma=cst.Comma(whitespace_after=to_new_line), whitespace_after_arg=cst.SimpleWhitespace("")
            )
            new_arg = new_arg.with_changes(whitespace_after_arg=to_closing)
        return last, new_arg
    # Same line: `f(a)` -> `f(a, k=v)`, `f(a, )` -> `f(a, k=v, )`, `f(a\n)` -> `f(a, k=v\n)`.
    if has_comma:
        new_arg = new_arg.with_changes(comma=last.comma, whitespace_after_arg=last.whitespace_after_arg)
    else:
        new_arg = new_arg.with_changes(whitespace_after_arg=last.whitespace_after_arg)
    last = last.with_changes(
        comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")),
        whitespace_after_arg=cst.SimpleWhitespace(""),
    )
    return last, new_arg


class _Replacer(cst.CSTTransformer):
    def __init__(self, edits: dict[int, cst.CSTNode]) -> None:
        super().__init__()
        self.edits = edits

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode) -> cst.CSTNode:
        return self.edits.get(id(original_node), updated_node)


def apply_fixes(module: cst.Module, fixes: Iterable[Fix]) -> str:
    """The module's code with the fixes applied. Fixes whose nodes nest inside an edited node
    are skipped here; the engine re-scans the fixed file and applies them in a later round."""
    return replace_in(module, fixes).code


def replace_in(node: cst.CSTNodeT, fixes: Iterable[Fix]) -> cst.CSTNodeT:
    """`node` (a module or a statement) with the edits of `fixes` inside it applied."""
    edits: dict[int, cst.CSTNode] = {}
    for fix in fixes:
        if any(id(old) in edits for old, _ in fix.edits):
            continue
        for old, new in fix.edits:
            edits[id(old)] = new
    return node.visit(_Replacer(edits))  # type: ignore[return-value]


def outside_project(path: Path, root: Path) -> Path | None:
    """Where `path` really is when that is outside the project `root` (a symlinked file or
    folder), else None: --fix never writes there."""
    target = path.resolve()
    boundary = root.resolve()
    return None if target == boundary or boundary in target.parents else target


def write_fixed(path: Path, content: bytes, root: Path) -> str | None:
    """Write a fixed file in place, never through a symlink to outside the project `root`.
    Returns why it did not write, or None."""
    if outside_project(path, root) is not None:
        return "not fixed: it resolves to a file outside the project"
    try:
        fd = os.open(path.resolve(), os.O_WRONLY | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        return f"not fixed: cannot write it: {exc.strerror or exc}"
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
    return None
