"""Statement transfer functions: how each statement changes the environment of a unit.

Owns control flow within a unit (blocks, branches joined, loops, try/except, match, early exits)
and assignment (names, attributes, subscripts, unpacking, writes back into mutated containers and
`self` attributes). Expressions are evaluated through `_ev` (see `expressions`).

May import: the lower layers (`values`, `vocabulary`, `syntax`, `units`), never another mixin."""

from __future__ import annotations

from typing import Any, Sequence

import libcst as cst

from ..names import STATEMENT_TYPES
from .syntax import dotted, var_path
from .values import EMPTY, Instance, Value, forget_parts, join, limit_depth, make_container, replace, unite
from .vocabulary import NORETURN, SHARED_STORES

LOOP_PASSES = 2  # passes over a loop body: the second carries values between iterations


class StatementTransfer:
    """Statement transfer functions (mixed into `ModuleTaint`)."""

    _replaying = 0  # how many enclosing loops are in their second pass
    # (element, collection) names of the enclosing `for element in collection:` loops: the element
    # is one of the collection's objects, so what is written into it is written into the collection
    _elements: tuple[tuple[str, str], ...] = ()

    # ----- statements -----

    def _block(self, statements: Sequence[Any]) -> bool:
        """Run statements in order on the current environment; False when control cannot reach
        the end (return, raise, break, continue, abort()). A loop, not `all()` over a generator:
        every block of every round comes through here."""
        for statement in statements:  # noqa: SIM110 (see above)
            if not self._statement(statement):
                return False
        return True

    def _suite(self, suite: Any) -> bool:
        if type(suite) is cst.IndentedBlock:
            return self._block(suite.body)
        if type(suite) is cst.SimpleStatementSuite:
            return self._smalls(suite.body)
        return True

    def _statement(self, statement: Any) -> bool:
        # Definitions: decorators, annotations and bases belong to the enclosing scope; a class
        # body runs here (it enters its own scope), a function body runs as its own unit.
        if type(statement) is cst.FunctionDef:
            self._define_function(statement)
            return True
        if type(statement) is cst.ClassDef:
            self._define_class(statement)
            return True
        self._step()
        tracked = type(statement) in STATEMENT_TYPES
        if tracked:
            self.names.enter_statement(statement)
            self._stack.append(statement)
        try:
            return self._statement_inner(statement)
        finally:
            if tracked:
                self._stack.pop()
                self.names.leave_statement(statement)

    def _statement_inner(self, node: Any) -> bool:
        if type(node) is cst.SimpleStatementLine:
            return self._smalls(node.body)
        if type(node) is cst.If:
            return self._if(node)
        if type(node) in (cst.For, cst.While):
            return self._loop(node)
        if type(node) is cst.With:
            for item in node.items:
                value = self._ev(item.item)
                if item.asname is not None:
                    self._assign(item.asname.name, value)
            return self._suite(node.body)
        if isinstance(node, (cst.Try, getattr(cst, "TryStar", cst.Try))):
            return self._try(node)
        if type(node) is cst.Match:
            subject = self._ev(node.subject)
            base = self._unit.env
            outcomes = []
            for case in node.cases:
                self._unit.env = dict(base)
                for name, whole in _captures(case.pattern):  # `case ["run", *rest]:` binds parts
                    self._assign(name, subject if whole else Value(subject.all))
                outcomes.append((self._suite(case.body), self._unit.env))
            outcomes.append((True, base))
            return self._merge(outcomes, base)
        return True

    def _smalls(self, smalls: Sequence[Any]) -> bool:
        for small in smalls:  # noqa: SIM110 (as `_block`)
            if not self._small(small):
                return False
        return True

    def _small(self, node: Any) -> bool:
        if type(node) is cst.Expr:
            value = node.value
            self._ev(value)
            if type(value) is cst.Await:
                value = value.expression
            return not (type(value) is cst.Call and self._is_noreturn(value))
        if type(node) is cst.Assign:
            value = self._ev(node.value)
            for target in node.targets:
                self._assign(target.target, value)
            return True
        if type(node) is cst.AnnAssign:
            if node.value is not None:
                self._assign(node.target, self._typed(self._ev(node.value), node.annotation.annotation))
            return True
        if type(node) is cst.AugAssign:
            old = self._ev(node.target)
            new = self._ev(node.value)
            self._assign(node.target, self._binary(node.operator, old, new, node))
            return True
        if type(node) is cst.Return:
            self._unit.returns.append(self._returned(node.value) if node.value is not None else EMPTY)
            self._note_exit()
            return False
        if type(node) is cst.Raise:
            if node.exc is not None:
                self._ev(node.exc)
            return False
        if type(node) in (cst.Break, cst.Continue):
            return False
        if type(node) is cst.Assert:
            true_env, _ = self._narrow(node.test, self._unit.env)
            self._unit.env = true_env
            return True
        if type(node) is cst.Del:
            path = var_path(node.target)
            if path:
                self._unit.env.pop(path, None)
            return True
        if type(node) in (cst.Import, cst.ImportFrom):
            if not isinstance(getattr(node, "names", None), cst.ImportStar):
                for alias in node.names:
                    bound = alias.asname.name if alias.asname is not None else alias.name
                    name = dotted(bound)
                    if name:
                        self._unit.env.pop(name.split(".")[0], None)
            return True
        return True

    def _typed(self, value: Value, annotation: Any) -> Value:
        """`service: ChatService | None = None`, set later through `global`: the name holds an
        instance of the module's class, whose methods are then followed where it is used; `bot:
        Assistant = make_bot()` holds one of a project class of another module."""
        _, type_name, local = self._annotation(annotation)
        if local is not None and value.ref is None:
            return replace(value, ref=Instance(local))
        project = self._project_type(annotation) if type_name is not None and value.ref is None else None
        return replace(value, type_name=project) if project else value

    def _is_noreturn(self, call: cst.Call) -> bool:
        name = self._qualified(call.func)
        if name in NORETURN:
            return True
        return type(call.func) in (cst.Name, cst.Attribute) and (dotted(call.func) or "").rsplit(".", 1)[
            -1
        ] in ("abort", "exit")

    def _merge(self, outcomes: list[tuple[bool, dict]], fallback: dict) -> bool:
        live = [env for reachable, env in outcomes if reachable]
        if not live:
            self._unit.env = fallback
            return False
        merged = dict(live[0])
        for env in live[1:]:
            for name, value in env.items():
                merged[name] = join(merged.get(name), value)
        self._unit.env = merged
        return True

    def _if(self, node: cst.If) -> bool:
        base = self._unit.env
        true_env, false_env = self._narrow(node.test, base)
        self._unit.env = dict(true_env)
        first = (self._suite(node.body), self._unit.env)
        self._unit.env = dict(false_env)
        if isinstance(node.orelse, cst.If):
            second = (self._statement(node.orelse), self._unit.env)
        elif isinstance(node.orelse, cst.Else):
            second = (self._suite(node.orelse.body), self._unit.env)
        else:
            second = (True, self._unit.env)
        return self._merge([first, second], base)

    def _loop(self, node: cst.For | cst.While) -> bool:
        """The loop head is the join of the entry and every pass's exit. A second pass carries
        values from one iteration to the next, and only runs when the first changed what the
        body starts from. Inside another loop's second pass a loop gets one pass: nested loops
        cost the sum of their bodies, not the product (second passes are where nesting multiplies)."""
        base = self._unit.env
        iterable = self._ev(node.iter) if isinstance(node, cst.For) else None
        if iterable is None:
            self._ev(node.test)
        outcomes = [(True, base)]
        entry = None
        for number in range(LOOP_PASSES if not self._replaying else 1):
            head = self._loop_entry(node, self._unit.env if number else base, iterable)
            if head == entry:  # the body starts from what it started from: nothing new to carry
                break
            entry = head
            body_env = self._unit.env = dict(head)
            self._replaying += number > 0
            outer = self._elements
            self._elements = (*outer, *_element_alias(node))
            try:
                reachable = self._suite(node.body)
            finally:
                self._replaying -= number > 0
                self._elements = outer
            outcomes.append((True, self._unit.env if reachable else body_env))
            self._merge(outcomes, base)
        if node.orelse is not None:
            self._suite(node.orelse.body)
        return True

    def _loop_entry(self, node: cst.For | cst.While, head: dict, iterable: Value | None) -> dict:
        """What the body starts from: the head with the loop target bound, or narrowed by the test."""
        self._unit.env = dict(head)
        if iterable is not None:
            self._assign(node.target, iterable.element())
            return self._unit.env
        if isinstance(node.test, cst.Name) and node.test.value == "True":
            return self._unit.env
        return self._narrow(node.test, self._unit.env)[0]

    def _try(self, node: Any) -> bool:
        base = self._unit.env
        self._unit.env = dict(base)
        body_ok = self._suite(node.body)
        after_body = self._unit.env
        outcomes = []
        if node.orelse is not None and body_ok:
            body_ok = self._suite(node.orelse.body)
            after_body = self._unit.env
        outcomes.append((body_ok, after_body))
        for handler in node.handlers:
            self._merge([(True, base), (True, after_body)], base)
            if handler.name is not None:
                self._assign(handler.name.name, EMPTY)
            outcomes.append((self._suite(handler.body), self._unit.env))
        reachable = self._merge(outcomes, base)
        if node.finalbody is not None:
            reachable = self._suite(node.finalbody.body) and reachable
        return reachable

    # ----- assignment -----

    def _lookup(self, name: str) -> Value | None:
        unit = self._unit
        value = unit.env.get(name)
        if value is not None:
            return value
        for env in unit.outer:
            value = env.get(name)
            if value is not None:
                if self._building and value.ref in self._building:  # a class read in its first body
                    self._unrepeatable = True
                return value
        return None

    def _assign(self, target: Any, value: Value) -> None:
        env = self._unit.env
        if isinstance(target, cst.Name):
            name = target.value
            env[name] = value
            self._unit.rebound.add(name)
            forget_parts(env, name)
            return
        if isinstance(target, cst.Attribute):
            path = var_path(target)
            if path:
                env[path] = value
            self._store_attribute(target.value, target.attr.value, value)
            self._write_through(target.value, value)
            return
        if isinstance(target, cst.Subscript):
            container = self._ev(target.value)
            key = None
            position = None
            if len(target.slice) == 1:
                index = target.slice[0].slice
                if isinstance(index, cst.Index):
                    key = self._literal(index.value)
                    self._ev(index.value)
                    position = _list_position(index.value, container)
            if position is not None:  # `messages[0] = {"role": "system", ...}`: that element replaced
                items = list(container.items or ())
                items[position] = value
                new = make_container(
                    container.facts, tuple(items), container.keys, type_name=container.type_name
                )
            elif key is not None and (container.keys is not None or not container.all):
                keys = dict(container.keys or ())
                keys[key] = value
                new = make_container(
                    container.facts, container.items, tuple(keys.items()), type_name=container.type_name
                )
            elif container.items is not None and key is None:
                new = make_container(unite(container.facts, value.all), container.items, container.keys)
            else:
                new = make_container(
                    unite(container.facts, value.all),
                    container.items,
                    container.keys,
                    type_name=container.type_name,
                )
            self._store_path(target.value, new)
            return
        if isinstance(target, (cst.Tuple, cst.List)):
            elements = target.elements
            starred = any(isinstance(e, cst.StarredElement) for e in elements)
            if value.items is not None and len(value.items) == len(elements) and not starred:
                for element, item in zip(elements, value.items, strict=True):
                    self._assign(element.value, item)
            else:
                item = value.element()
                for element in elements:
                    inner = element.value
                    self._assign(
                        inner,
                        make_container(item.all, None) if isinstance(element, cst.StarredElement) else item,
                    )
            return
        if isinstance(target, cst.StarredElement):
            self._assign(target.value, value)

    def _store_path(self, node: Any, value: Value) -> None:
        """Write back a mutated container (`messages.append(...)`, `body["system"] = ...`); an
        element of another (`self.updates[channel].append(text)`) is written back into that one."""
        if isinstance(node, cst.Name):
            self._unit.env[node.value] = value
            forget_parts(self._unit.env, node.value, elements_only=True)
            self._write_through(node, value)
            self._share(node, value.keys or ())
        elif isinstance(node, cst.Attribute):
            path = var_path(node)
            if path:
                self._unit.env[path] = value
                forget_parts(self._unit.env, path, elements_only=True)
            self._store_attribute(node.value, node.attr.value, value)
        elif isinstance(node, cst.Subscript):
            self._assign(node, value)

    def _write_through(self, owner_node: Any, value: Value) -> None:
        """`for article in articles: article.summary = ask(...)`: the object written is an element
        of `articles`, which now holds what was written (a may-write: the other elements keep theirs)."""
        if not isinstance(owner_node, cst.Name) or not value.all:
            return
        env = self._unit.env
        for element, collection in self._elements:
            if element == owner_node.value:
                current = self._lookup(collection)
                if current is not None and not value.all <= current.all:
                    env[collection] = make_container(
                        unite(current.facts, value.all),
                        current.items,
                        current.keys,
                        type_name=current.type_name,
                    )

    def _share(self, owner_node: Any, entries: Sequence[tuple[str, Value]]) -> None:
        """Entries written into a shared store (`SHARED_STORES`): read by every function."""
        store = self._qualified(owner_node) if isinstance(owner_node, cst.Name) else None
        if store not in SHARED_STORES:
            return
        for entry, value in entries:
            self._write_attribute((store, entry), value)

    def _write_attribute(self, key: tuple, value: Value) -> None:
        """This round's writes of a `self` attribute or shared store entry, joined; the unit
        that wrote it first is noted, and whether another one wrote it too (`_reorderable`)."""
        writer = self._unit.func
        if self._attribute_writers.setdefault(key, writer) is not writer:
            self._mixed_writers.add(key)
        self._round_attrs[key] = limit_depth(join(self._round_attrs.get(key), value))

    def _shared_store(self, store: str) -> Value | None:
        """What the module's functions wrote into the shared store `store` (None: nothing)."""
        keys = {}
        for table in (self._read("attrs", None, self._class_attrs), self._round_attrs):
            for (owner, entry), value in table.items():
                if owner == store:
                    keys[entry] = join(keys[entry], value) if entry in keys else value
        return make_container(EMPTY.facts, None, tuple(keys.items()), type_name=store) if keys else None

    def _store_attribute(self, owner_node: Any, attr: str, value: Value) -> None:
        self._share(owner_node, [(attr, value)])
        owner = self._ev_quiet(owner_node)
        if owner is not None and isinstance(owner.ref, Instance):
            self._write_attribute((id(owner.ref.cls.node), attr), value)
        elif isinstance(owner_node, cst.Name) and owner is not None and owner.ref is None:
            keys = dict(owner.keys or ())
            keys[attr] = value
            self._unit.env[owner_node.value] = make_container(
                owner.facts,
                owner.items,
                tuple(keys.items()),
                type_name=owner.type_name,
                clean_attrs=owner.clean_attrs,
            )

    def _ev_quiet(self, node: Any) -> Value | None:
        path = var_path(node)
        if path is None:
            return None
        if "." not in path:
            return self._lookup(path)
        value = self._lookup(path)
        if value is not None:
            return value
        return self._ev(node)


def _list_position(node: Any, container: Value) -> int | None:
    """The element of a list of known items an integer literal index (`[0]`, `[-1]`) names."""
    if container.items is None or container.keys is not None:
        return None
    negative = isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus)
    number = node.expression if negative else node
    if not isinstance(number, cst.Integer):
        return None
    position = -int(number.value, 0) if negative else int(number.value, 0)
    size = len(container.items)
    if not -size <= position < size:
        return None
    return position % size


def _element_alias(node: cst.For | cst.While) -> tuple[tuple[str, str], ...]:
    """(element, collection) of `for element in collection:` over a plain name."""
    if isinstance(node, cst.For) and isinstance(node.target, cst.Name) and isinstance(node.iter, cst.Name):
        return ((node.target.value, node.iter.value),)
    return ()


def _captures(pattern: Any, top: bool = True) -> list[tuple[cst.Name, bool]]:
    """The names a `case` pattern binds, each with whether it binds the whole subject (`case x:`,
    `case str() as x:`) rather than a part of it."""
    found: list[tuple[cst.Name, bool]] = []
    if isinstance(pattern, cst.MatchAs):
        if pattern.name is not None:
            found.append((pattern.name, top))
        if pattern.pattern is not None:
            found += _captures(pattern.pattern, top)
        return found
    if isinstance(pattern, cst.MatchStar):
        return [(pattern.name, False)] if pattern.name is not None else []
    if isinstance(pattern, cst.MatchOr):
        return [c for element in pattern.patterns for c in _captures(element.pattern, top)]
    for child in pattern.children:
        found += _captures(child, False)
    return found
