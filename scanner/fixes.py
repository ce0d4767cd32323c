"""Autofix support: codemod helpers for rules and applying fixes to a module.

Fixes replace CST nodes by identity. Applying them never re-parses the original text, so
comments and formatting outside the replaced nodes are kept byte for byte.
"""

from __future__ import annotations

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
        if args and isinstance(args[-1].comma, cst.Comma):
            # A trailing comma exists (often one argument per line): repeat its layout.
            new_arg = new_arg.with_changes(comma=args[-1].comma)
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
            args[-1] = args[-1].with_changes(comma=call.args[-1].comma)
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


class _Replacer(cst.CSTTransformer):
    def __init__(self, edits: dict[int, cst.CSTNode]) -> None:
        super().__init__()
        self.edits = edits

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode) -> cst.CSTNode:
        return self.edits.get(id(original_node), updated_node)


def apply_fixes(module: cst.Module, fixes: Iterable[Fix]) -> str:
    """The module's code with the fixes applied. Fixes whose nodes nest inside an edited node
    are skipped here; the engine re-scans the fixed file and applies them in a later round."""
    edits: dict[int, cst.CSTNode] = {}
    for fix in fixes:
        if any(id(old) in edits for old, _ in fix.edits):
            continue
        for old, new in fix.edits:
            edits[id(old)] = new
    return module.visit(_Replacer(edits)).code
