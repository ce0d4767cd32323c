"""Argument helpers for `libcst.Call` nodes (the `ArgHelper` protocol of `aisec.hooks`)."""

from __future__ import annotations

from typing import Any

import libcst as cst
from aisec.hooks import UNKNOWN

_NAMED_CONSTANTS = {"True": True, "False": False, "None": None}
_EMPTY_CONTAINERS: dict[type, type] = {cst.List: list, cst.Tuple: tuple, cst.Set: set, cst.Dict: dict}


class ArgHelper:
    """Finds arguments by keyword or position and reads literal constants."""

    def get(self, call: cst.Call, keyword: str | None, position: int | None = None) -> cst.Arg | None:
        """The argument passed as `keyword=` or, failing that, at 0-based `position`.

        A position behind a `*args` is unknown, so it is never matched.
        """
        if keyword is not None:
            for arg in call.args:
                if arg.keyword is not None and arg.keyword.value == keyword:
                    return arg
        if position is None:
            return None
        index = 0
        for arg in call.args:
            if arg.keyword is not None or arg.star == "**":
                continue
            if arg.star == "*":
                return None
            if index == position:
                return arg
            index += 1
        return None

    def constant(self, expr: cst.BaseExpression | None) -> Any:
        """The value of a literal expression, or `UNKNOWN` when it is not a literal."""
        if isinstance(expr, cst.Name):
            return _NAMED_CONSTANTS.get(expr.value, UNKNOWN)
        if isinstance(expr, (cst.SimpleString, cst.ConcatenatedString)):
            value = expr.evaluated_value
            return UNKNOWN if value is None else value
        if isinstance(expr, (cst.Integer, cst.Float)):
            return expr.evaluated_value
        if isinstance(expr, (cst.List, cst.Tuple, cst.Set, cst.Dict)) and not expr.elements:
            return _EMPTY_CONTAINERS[type(expr)]()  # falsy: `allow_pickle=[]` is off
        if (
            isinstance(expr, cst.UnaryOperation)
            and isinstance(expr.operator, cst.Minus)
            and isinstance(expr.expression, (cst.Integer, cst.Float))
        ):
            return -expr.expression.evaluated_value
        return UNKNOWN

    def is_true(self, call: cst.Call, keyword: str, position: int | None = None) -> bool:
        arg = self.get(call, keyword, position)
        return arg is not None and self.constant(arg.value) is True

    def is_false(self, call: cst.Call, keyword: str, position: int | None = None) -> bool:
        arg = self.get(call, keyword, position)
        return arg is not None and self.constant(arg.value) is False

    def has_star_kwargs(self, call: cst.Call) -> bool:
        return any(arg.star == "**" for arg in call.args)
