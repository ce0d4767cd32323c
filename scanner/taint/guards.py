"""Narrowing: the environments where a test is true and where it is false.

Owns the sanitizing effect of guards: allowlist membership, equality with constants, guard
sanitizer calls from the catalog (`re.fullmatch(...)`), combined with `not`/`and`/`or`.

May import: the lower layers (`values`, `vocabulary`, `syntax`, `units`), never another mixin."""

from __future__ import annotations

from typing import Any

import libcst as cst
from aisec.hooks import GUARD

from .syntax import guard_targets, positional_arg
from .units import Class
from .values import Value, clean_paths, join_envs


class Narrowing:
    """Narrowing by guards (mixed into `ModuleTaint`)."""

    # ----- narrowing (guards) -----

    def _narrow(self, test: Any, env: dict) -> tuple[dict, dict]:
        """(environment where `test` is true, where it is false)."""
        saved = self._unit.env
        self._unit.env = env
        try:
            self._ev(test)
            return self._narrow_inner(test, env)
        finally:
            self._unit.env = saved

    def _narrow_inner(self, test: Any, env: dict) -> tuple[dict, dict]:
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            true_env, false_env = self._narrow_inner(test.expression, env)
            return false_env, true_env
        if isinstance(test, cst.BooleanOperation):
            left_true, left_false = self._narrow_inner(test.left, env)
            if isinstance(test.operator, cst.And):
                right_true, right_false = self._narrow_inner(test.right, left_true)
                return right_true, join_envs(left_false, right_false)
            right_true, right_false = self._narrow_inner(test.right, left_false)
            return join_envs(left_true, right_true), right_false
        if isinstance(test, cst.NamedExpr):
            return self._narrow_inner(test.value, env)
        if isinstance(test, cst.Call):
            checked = self._guarded(test)
            if checked:
                return self._cleaned(env, checked)
            return env, env
        if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
            left = test.left
            comparison = test.comparisons[0]
            operator, right = comparison.operator, comparison.comparator
            if isinstance(operator, (cst.In, cst.NotIn)):
                if self._is_constant_collection(right, env):
                    targets = guard_targets(left)
                    if targets:
                        cleaned, kept = self._cleaned(env, targets)
                        return (cleaned, kept) if isinstance(operator, cst.In) else (kept, cleaned)
                return env, env
            if (
                isinstance(operator, (cst.Is, cst.IsNot))
                and isinstance(right, cst.Name)
                and right.value == "None"
            ):
                if isinstance(left, cst.Call):
                    checked = self._guarded(left)
                    if checked:
                        cleaned, kept = self._cleaned(env, checked)
                        return (kept, cleaned) if isinstance(operator, cst.Is) else (cleaned, kept)
                return env, env
            if isinstance(operator, (cst.Equal, cst.NotEqual, cst.Is, cst.IsNot)):
                for side, other in ((left, right), (right, left)):
                    if self._is_constant_expr(other, env):
                        targets = guard_targets(side)
                        if targets:
                            cleaned, kept = self._cleaned(env, targets)
                            equal = isinstance(operator, (cst.Equal, cst.Is))
                            return (cleaned, kept) if equal else (kept, cleaned)
        return env, env

    def _cleaned(self, env: dict, targets: list[tuple[str, Any]]) -> tuple[dict, dict]:
        """(`env` with the checked paths clean, `env` where the check failed). An element path
        (`argv[0]`) that `env` does not hold yet is pinned to its current value on the failing
        side, so that joining the two branches does not keep the clean one alone."""
        kept = env
        for path, node in targets:
            if "[" in path and path not in env:
                kept = dict(kept) if kept is env else kept
                kept[path] = self._values.get(id(node)) or Value()
        return clean_paths(env, [path for path, _ in targets]), kept

    def _guarded(self, call: cst.Call) -> list[tuple[str, Any]]:
        """The (path, expression)s a guard sanitizer call checks."""
        names = self._call_names(call)
        paths: list[tuple[str, Any]] = []
        for sanitizer in self._sanitizers.match(names):
            if sanitizer.kind != GUARD:
                continue
            if sanitizer.argument == "self":
                target = call.func.value if isinstance(call.func, cst.Attribute) else None
            else:
                arg = positional_arg(call, int(sanitizer.argument))
                target = arg.value if arg is not None else None
            if target is not None:
                paths += guard_targets(target)
        return paths

    def _is_constant_expr(self, node: Any, env: dict) -> bool:
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString, cst.Integer, cst.Float)):
            return True
        if isinstance(node, cst.Name) and node.value in ("True", "False", "None"):
            return True
        value = self._values.get(id(node))
        return value is not None and value.const is not None and not value.all

    def _is_constant_collection(self, node: Any, env: dict) -> bool:
        if isinstance(node, (cst.List, cst.Tuple, cst.Set, cst.Dict)):
            value = self._values.get(id(node))
            return value is not None and not value.all
        if (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Attribute)
            and node.func.attr.value
            in (
                "keys",
                "values",
            )
        ):
            node = node.func.value
        value = self._values.get(id(node))
        if value is None or value.all:
            return False
        if value.items is not None or value.keys is not None:
            return True
        return value.ref is not None and isinstance(value.ref, Class) and value.ref.is_enum
