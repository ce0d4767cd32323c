"""Narrowing: the environments where a test is true and where it is false.

Owns the sanitizing effect of guards: allowlist membership, equality with constants, guard
sanitizer calls from the catalog (`re.fullmatch(...)`), combined with `not`/`and`/`or`, and guard
helpers: a function (of this module or, through its summary, of another) whose every `return`
that may be true checked a parameter (`def allowed(v): return v in TONES`) checks the argument
it is called with (`_guards`, found by `_returned`).

May import: the lower layers (`values`, `vocabulary`, `syntax`, `units`), never another mixin."""

from __future__ import annotations

from typing import Any

import libcst as cst
from aisec.hooks import GUARD

from .syntax import argument_node, dotted, guard_targets, positional_arg
from .units import Class, Function
from .values import EMPTY, Param, Value, clean_paths, join_envs

_TESTS = (cst.Comparison, cst.BooleanOperation, cst.UnaryOperation, cst.Call)


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
        if type(test) is cst.UnaryOperation and type(test.operator) is cst.Not:
            true_env, false_env = self._narrow_inner(test.expression, env)
            return false_env, true_env
        if type(test) is cst.BooleanOperation:
            left_true, left_false = self._narrow_inner(test.left, env)
            if type(test.operator) is cst.And:
                right_true, right_false = self._narrow_inner(test.right, left_true)
                return right_true, join_envs(left_false, right_false)
            right_true, right_false = self._narrow_inner(test.right, left_false)
            return join_envs(left_true, right_true), right_false
        if type(test) is cst.NamedExpr:
            return self._narrow_inner(test.value, env)
        if type(test) is cst.Call:
            if dotted(test.func) == "bool" and len(test.args) == 1 and self._lookup("bool") is None:
                return self._narrow_inner(test.args[0].value, env)
            guarded = self._guarded(test)
            checked = guarded + [
                target for node in self._vouched(test) if node is not None for target in guard_targets(node)
            ]
            if checked:
                return self._cleaned(env, checked, constant=not guarded)
            return env, env
        if type(test) is cst.Comparison and len(test.comparisons) == 1:
            left = test.left
            comparison = test.comparisons[0]
            operator, right = comparison.operator, comparison.comparator
            if type(operator) in (cst.In, cst.NotIn):
                members = self._members(right)
                targets = guard_targets(left) if members is not None else []
                if targets:
                    cleaned, kept = self._cleaned(env, targets, members)
                    return (cleaned, kept) if type(operator) is cst.In else (kept, cleaned)
                return env, env
            if type(operator) in (cst.Is, cst.IsNot) and type(right) is cst.Name and right.value == "None":
                if type(left) is cst.Call:
                    checked = self._guarded(left)
                    if checked:
                        cleaned, kept = self._cleaned(env, checked, constant=False)
                        return (kept, cleaned) if type(operator) is cst.Is else (cleaned, kept)
                return env, env
            if isinstance(operator, (cst.Equal, cst.NotEqual, cst.Is, cst.IsNot)):
                for side, other in ((left, right), (right, left)):
                    if self._is_constant_expr(other, env):
                        targets = guard_targets(side)
                        if targets:
                            cleaned, kept = self._cleaned(env, targets)
                            equal = type(operator) in (cst.Equal, cst.Is)
                            return (cleaned, kept) if equal else (kept, cleaned)
        return env, env

    def _cleaned(
        self, env: dict, targets: list[tuple[str, Any]], members: Value = EMPTY, constant: bool = True
    ) -> tuple[dict, dict]:
        """(`env` with the checked paths clean, `env` where the check failed). An element path
        (`argv[0]`) that `env` does not hold yet is pinned to its current value on the failing
        side, so that joining the two branches does not keep the clean one alone. After a
        membership test the checked paths hold what a member may hold (`members`): nothing for an
        allowlist, the collection's own data otherwise. A check that leaves no constant (not
        `constant`: a guard sanitizer such as `re.fullmatch`, membership in a collection computed
        at run time) keeps a `Checked` mark on data that was untrusted (`clean_paths`)."""
        kept = env
        for path, node in targets:
            if "[" in path and path not in env:
                kept = dict(kept) if kept is env else kept
                kept[path] = self._values.get(id(node)) or Value()
        if members.all:
            return {**env, **{path: members for path, _ in targets}}, kept
        cleaned = clean_paths(env, [path for path, _ in targets], constant and members is not COMPUTED)
        func = self._unit.func
        for path, _ in targets if func is not None else ():  # a parameter as passed in: `_returned`
            index = next((i for i, (name, _, _) in enumerate(func.params) if name == path), None)
            if index is not None and _holds(env.get(path), func.index, index):
                self._unit.narrowed.setdefault(path, []).append(cleaned[path])
        return cleaned, kept

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

    def _vouched(self, call: cst.Call) -> list[Any]:
        """The argument expressions a guard helper checked when `call` returns true (None where a
        parameter got no argument): a function of this module by its `_guards`, one of another
        module by its summary's."""
        func = call.func
        receiver = self._values.get(id(func.value)) if isinstance(func, cst.Attribute) else None
        if isinstance(func, cst.Attribute):
            callee = self._member(receiver, func) if receiver is not None else None
        else:
            callee = self._values.get(id(func))
        if callee is None or callee.ref is None:
            return self._foreign_vouched(call, receiver)
        if not isinstance(callee.ref, Function):
            return []
        target = callee.ref
        bound = isinstance(func, cst.Attribute) and target.kind in ("method", "class")
        params = [(name, kind) for name, kind, _ in target.params]
        args = [(arg, None) for arg in call.args]
        return [
            argument_node(args, params, index, bound)
            for index in sorted(self._read("guards", target.index, self._guards.get(target.index, ())))
        ]

    def _returned(self, node: Any) -> Value:
        """The value a `return` hands back. In a function, the parameters a returned test
        checked on its true side (`return v in TONES`, `return bool(re.fullmatch(P, v))`), or a
        test of the branch the `return` is in (`if v in TONES: return True`), are noted: those
        every `return` that may be true checked make the function their guard. A parameter
        counts where it holds the very value a check made it (`_cleaned`): not after it was
        bound again, nor where two branches' values were joined. `return False` or `None`
        claims nothing."""
        func = self._unit.func
        if func is None:
            return self._ev(node)
        env = self._unit.env
        if isinstance(node, _TESTS):
            true_env, _ = self._narrow(node, env)
            value = self._values.get(id(node), EMPTY)
        else:
            true_env, value = env, self._ev(node)
            if isinstance(node, cst.Name) and node.value in ("False", "None"):
                return value
        narrowed = self._unit.narrowed
        self._unit.vouches.append(
            frozenset(
                index
                for index, (name, _, _) in enumerate(func.params)
                if not (index == 0 and func.kind in ("method", "class"))
                and any(true_env.get(name) is checked for checked in narrowed.get(name, ()))
            )
        )
        return value

    def _is_constant_expr(self, node: Any, env: dict) -> bool:
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString, cst.Integer, cst.Float)):
            return True
        if isinstance(node, cst.Name) and node.value in ("True", "False", "None"):
            return True
        value = self._values.get(id(node))
        return value is not None and value.const is not None and not value.all

    def _members(self, node: Any) -> Value | None:
        """What a value found `in` the collection `node` may hold, or None when `in` says nothing
        about it. A collection of constants (literals, module constants, enums) is an allowlist:
        its members hold nothing. So is one computed at run time from nothing untrusted (the
        table names of the application's own database, `git ls-files`, a directory listing): a
        value equal to one of them cannot carry anything else. A collection holding data (DB
        rows, request fields, a parameter: whatever a caller passes) hands that data on, so
        `table in tables` turns model output into what `tables` holds. On a string, `in` is a
        substring test, and a substring holds what the string holds. An object that is not an
        enum may define `__contains__` any way it likes: no narrowing."""
        if (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Attribute)
            and node.func.attr.value in ("keys", "values")
        ):
            node = node.func.value
        value = self._values.get(id(node))
        if value is None or (
            value.ref is not None and not (isinstance(value.ref, Class) and value.ref.is_enum)
        ):
            return None
        if value.all:
            return Value(value.all)
        known = value.items is not None or value.keys is not None or value.const is not None
        return EMPTY if known or value.ref is not None else COMPUTED


COMPUTED = Value()  # `_members` of a collection computed at run time: holds nothing, yet no constant


def _holds(value: Value | None, func: int, index: int) -> bool:
    """Whether `value` is still parameter `index` of `func` as the caller passed it."""
    return value is not None and any(
        isinstance(fact, Param)
        and fact.func == func
        and fact.index == index
        and not (fact.spliced or fact.encoded)
        for fact in value.all
    )
