"""Function summaries: a function's return value in terms of its parameters, applied at call sites.

Owns evaluating a function body with `Param` placeholders for its parameters (the summary),
binding a call's arguments to parameters, and substituting them into the summary. Call sites are
recorded, so placeholders that reach a sink can be resolved to the callers' data (`facts`).

May import: the lower layers, never another mixin."""

from __future__ import annotations

from typing import Any

import libcst as cst

from .mutations import put_into, write_into
from .syntax import argument_node, var_path
from .units import Class, Function, Unit, inherited
from .values import (
    EMPTY,
    MAX_ITEMS,
    NO_FACTS,
    Instance,
    Param,
    Taint,
    Value,
    collect,
    join,
    join_all,
    keyed_entry,
    make_container,
    map_facts,
    mark_encoded,
    mark_spliced,
    replace,
    through,
    unite,
    unite_all,
)


class Summaries:
    """Function summaries (mixed into `ModuleTaint`)."""

    def _analyse_function(self, func: Function) -> None:
        outer_envs = []
        parent = func.parent
        while parent is not None:
            index = func.index if parent is func.parent else parent.index
            closure = self._read("closure", index, self._closures.get(index))
            if closure is not None:
                outer_envs.append(closure)
            parent = parent.parent
        outer_envs.append(self._module_env)
        env: dict = {}
        initial = self._read("initial", func, func.initial)
        for index, (name, _, _) in enumerate(func.params):
            value = initial.get(index, EMPTY)
            if not isinstance(value.ref, (Class,)) and not (index == 0 and func.kind == "method"):
                value = Value(
                    unite(value.facts, frozenset({Param(func.index, index)})),
                    value.items,
                    value.keys,
                    type_name=value.type_name,
                    ref=value.ref,
                )
            dependency = func.dependencies.get(index)
            if dependency is not None:  # `Depends(fn)`: what `fn` returns, from the request
                self._callers.setdefault(dependency.index, set()).add(func.index)
                summary = self._read(
                    "summary", dependency.index, self._summaries.get(dependency.index, EMPTY)
                )
                injected = substitute(summary, dependency.index, {})
                value = join(value, injected)
            env[name] = value
        unit = Unit(func, env, outer_envs, cls=func.cls if func.kind in ("method", "class") else None)
        saved_unit, saved_stack = self._unit, self._stack
        self._unit, self._stack = unit, []
        for statement in func.chain[:-1]:
            self.names.enter_statement(statement)
        self.names.enter_statement(func.node)
        self._stack = list(func.chain)
        try:
            if isinstance(func.node, cst.Lambda):
                unit.returns.append(self._ev(func.node.body))
                falls_through = False
            else:
                falls_through = self._suite(func.node.body)
        finally:
            self.names.leave_statement(func.node)
            for statement in reversed(func.chain[:-1]):
                self.names.leave_statement(statement)
            self._unit, self._stack = saved_unit, saved_stack
        if falls_through:
            self._note_exit(unit)
        self._note_mutations(func, unit)
        returns = unit.returns + ([EMPTY] if falls_through else [])
        guards = frozenset.intersection(*unit.vouches) if unit.vouches else frozenset()
        if guards or func.index in self._guards:  # only guards count (another round is costly)
            self._guards[func.index] = guards
        result = self._typed_return(func, join_all(returns))
        if unit.yields:  # a generator: its items, in the order they are yielded
            result = make_container(NO_FACTS, tuple(unit.yields.values())[:MAX_ITEMS])
        self._summaries[func.index] = self._widen(func.index, self._summaries.get(func.index), result)

    def _typed_return(self, func: Function, result: Value) -> Value:
        """What a function returns has the library type its return annotation names when the
        body does not say (`def builder_for(self, repo) -> PromptBuilder: return self.builders[repo]`):
        methods called on it resolve to that type's."""
        returns = getattr(func.node, "returns", None)
        if result.type_name is not None or result.ref is not None or returns is None:
            return result
        _, type_name, local = self._annotation(returns.annotation)
        return replace(result, type_name=type_name) if type_name is not None and local is None else result

    def _apply(self, func: Function, args: list, bound: Value | None, call: cst.Call) -> Value:
        """The summary of a local function, its parameters replaced by the arguments; the data
        it returns has passed through `call`."""
        self._analyse_on_demand(func)  # first round: the callee before its callers
        mapping = self._bind_arguments(func, args, bound)
        self._sites.setdefault(func.index, []).append((call, mapping))
        if self._unit.func is not None:  # the call graph orders the next round (`_callee_first`)
            self._callers.setdefault(func.index, set()).add(self._unit.func.index)
        params = [(name, kind) for name, kind, _ in func.params]
        for index, added in self._read("mutations", func.index, self._mutations.get(func.index, {})).items():
            self._put_into_argument(args, params, index, bound is not None, added, func.index, mapping, call)
        summary = self._read("summary", func.index, self._summaries.get(func.index, EMPTY))
        result = substitute(summary, func.index, mapping)
        if not any(isinstance(fact, (Taint, Param)) for fact in result.all):
            return result
        return map_facts(result, lambda fact: through(fact, call))

    def _note_exit(self, unit: Unit | None = None) -> None:
        """The parameters' values where the function returns (what it put into them)."""
        unit = unit or self._unit
        if unit.func is not None:
            unit.exits.append({name: unit.env.get(name) for name, _, _ in unit.func.params})

    def _note_mutations(self, func: Function, unit: Unit) -> None:
        """What the function puts into the objects its callers pass (`messages.append(...)`),
        parameter by parameter; not into one the body rebinds, nor into `self` (its attributes
        are the class's)."""
        known = self._mutations.get(func.index, {})
        mutations: dict[int, Value] = {}
        for index, (name, kind, _) in enumerate(func.params):
            if kind not in ("pos", "kw") or (index == 0 and func.kind in ("method", "class")):
                continue
            exit_value = join_all(exit.get(name) or EMPTY for exit in unit.exits)
            added = put_into(exit_value, func.index, index)
            if added is not None and name not in unit.rebound:
                mutations[index] = self._widen(("puts", func.index, index), known.get(index), added)
        if mutations or known:
            self._mutations[func.index] = mutations

    def _put_into_argument(
        self,
        args: list,
        params: list,
        index: int,
        bound: bool,
        added: Value,
        func: int,
        mapping: dict[int, Value],
        call: cst.Call,
    ) -> None:
        """The object passed as parameter `index` of a call holds what the callee put into it
        (the other parameters' placeholders replaced by this call's arguments)."""
        node = argument_node(args, params, index, bound)
        path = var_path(node) if node is not None else None
        added = substitute(added, func, mapping)
        if path is None or not any(isinstance(f, (Taint, Param)) for f in added.all):
            return
        added = map_facts(added, lambda fact: through(fact, call))
        self._store_path(node, write_into(self._ev_quiet(node), added))
        for key, value in added.keys or ():  # `req.system = text`: read back as `req.system`
            self._unit.env[f"{path}.{key}"] = join(self._unit.env.get(f"{path}.{key}"), value)

    def _construct(self, cls: Class, args: list, call: cst.Call) -> Value:
        if cls.is_enum:
            return EMPTY
        init = cls.method("__init__")
        instance = Value(ref=Instance(cls))
        if init is not None:
            self._apply(init, args, instance, call)
            return instance
        self._store_fields(cls, args, call)
        keys = tuple((a.keyword.value, v) for a, v in args if a.keyword is not None)
        facts = unite_all(v.all for a, v in args if a.keyword is None)
        return make_container(facts, None, keys, ref=Instance(cls))

    def _store_fields(self, cls: Class, args: list, call: cst.Call) -> None:
        """A class without an `__init__` of the module's (a dataclass, a pydantic or attrs model)
        gets its fields from the constructor's arguments, as a written `__init__` would store them:
        `Session(topic, rules=x)` writes `x` into `self.rules` for every method that reads it.
        Only declared fields that may hold text; positional arguments in declaration order."""
        declared = inherited(cls, "field_types")
        order = iter(declared)
        for arg, value in args:
            if arg.star:
                continue
            name = arg.keyword.value if arg.keyword is not None else next(order, None)
            if not declared.get(name) or not any(isinstance(f, (Taint, Param)) for f in value.all):
                continue
            self._write_attribute((id(cls.node), name), map_facts(value, lambda fact: through(fact, call)))

    def _bind_arguments(self, func: Function, args: list, bound: Value | None) -> dict[int, Value]:
        mapping: dict[int, Value] = {}
        params = func.params
        positional = [i for i, (_, kind, _) in enumerate(params) if kind == "pos"]
        star = next((i for i, (_, kind, _) in enumerate(params) if kind == "star"), None)
        dstar = next((i for i, (_, kind, _) in enumerate(params) if kind == "dstar"), None)
        by_name = {name: i for i, (name, kind, _) in enumerate(params) if kind in ("pos", "kw")}
        cursor = 0
        if bound is not None and positional:
            mapping[positional[0]] = bound
            cursor = 1
        for arg, value in args:
            if arg.star == "*":
                for index in positional[cursor:]:
                    mapping[index] = join(mapping.get(index), value.element())
                if star is not None:
                    mapping[star] = join(mapping.get(star), value)
            elif arg.star == "**":
                for name, index in by_name.items():
                    keyed = value.key(name)
                    mapping[index] = join(
                        mapping.get(index), keyed if keyed is not None else Value(value.facts)
                    )
                if dstar is not None:
                    mapping[dstar] = join(mapping.get(dstar), value)
            elif arg.keyword is not None:
                index = by_name.get(arg.keyword.value)
                if index is not None:
                    mapping[index] = value
                elif dstar is not None:
                    mapping[dstar] = join(
                        mapping.get(dstar), make_container(NO_FACTS, None, ((arg.keyword.value, value),))
                    )
            elif cursor < len(positional):
                mapping[positional[cursor]] = value
                cursor += 1
            elif star is not None:
                mapping[star] = join(mapping.get(star), make_container(NO_FACTS, (value,)))
        return mapping


def substitute(summary: Value, func: int, mapping: dict[int, Value]) -> Value:
    """A summary with the placeholders of `func` replaced by the call's arguments."""
    if not summary.all:
        return summary
    if (
        len(summary.facts) == 1
        and summary.items is None
        and summary.keys is None
        and not summary.words
        and summary.const is None
    ):
        (only,) = summary.facts
        if isinstance(only, Param) and only.func == func and not only.spliced and not only.encoded:
            argument = keyed_entry(mapping.get(only.index, EMPTY), only.key)
            return (
                argument
                if summary.type_name is None
                else replace(argument, type_name=argument.type_name or summary.type_name)
            )
    facts: list = []
    for fact in summary.facts:
        facts += substitute_fact(fact, func, mapping)
    return make_container(
        collect(facts),
        None if summary.items is None else tuple(substitute(i, func, mapping) for i in summary.items),
        None if summary.keys is None else tuple((k, substitute(v, func, mapping)) for k, v in summary.keys),
        const=summary.const,
        words=summary.words,
        slots=summary.slots,
        checked=summary.checked,
        type_name=summary.type_name,
        ref=summary.ref,
        clean_attrs=summary.clean_attrs,
        origin=summary.origin,  # an object the function built (`return GenerateContentConfig(...)`)
    )


def substitute_fact(fact: Any, func: int, mapping: dict[int, Value]) -> list:
    """What `fact` of a summary of `func` stands for at a call (`mapping`: its arguments); facts
    that turn out equal are left to the caller (`collect`)."""
    if isinstance(fact, Param):
        if fact.func != func:
            return [fact]
        argument = mapping.get(fact.index)
        if argument is None:
            return []
        argument = keyed_entry(argument, fact.key)
        result = []
        for inner in argument.all:
            for encoder in fact.encoded:
                inner = mark_encoded(inner, encoder)
            if fact.spliced:
                inner = mark_spliced(inner)
            result.append(inner)
        return result
    if isinstance(fact, Taint) and fact.cond:
        mine = {c for c in fact.cond if c[0] == func}
        if not mine:
            return [fact]
        rest = set(fact.cond - mine)
        for _, index in mine:
            argument = mapping.get(index)
            if argument is None or not argument.all:
                continue
            if any(isinstance(f, Taint) for f in argument.all):
                return [replace(fact, cond=NO_FACTS)]
            rest |= {(f.func, f.index) for f in argument.all if isinstance(f, Param)}
        if not rest:
            return []
        return [replace(fact, cond=frozenset(rest))]
    return [fact]
