"""Import-alias resolution: `np.load` -> `numpy.load`, without libcst's scope metadata.

libcst's QualifiedNameProvider costs 6-9x a parse; rules only need "which library function is
this call". A pre-pass over the *statements* of a module (expressions are not descended) records,
per scope, the names bound by imports, simple assignments (`m = pickle`, `c = openai.OpenAI()`),
parameters and definitions. While the engine traverses the tree it tells the table which scope
and statement it is in, so a lookup sees the binding that is in effect at that point of the same
scope (or the last binding of an enclosing scope, which is what a function body sees when it runs).

A name bound to what a call returned (`tok = AutoTokenizer.from_pretrained(...)`) is an object,
not the factory: calling it has no qualified name, its attributes live under the factory's name
(`returned_by` names the factory). A binding that names no module (`torch = None` in an
`except ImportError:`) gives way to the bindings of the other branches of the same if/try/match.
A well-known loader module the file uses but never binds (`assumed.ASSUMED_MODULES`) is taken
as imported (`assumed_import` tells rules to lower their confidence).

A module-level `from M import *` (absolute `M`; a relative one resolves to nothing, like every
relative import) may bind any name: a name no binding explains where it is read (unbound, bound
only later in the same scope, or last bound before the star import) may be `M.X` for each such
star import in effect there (`_star_modules`). `candidates` gives every one of them, and
`builtins.X` too for a builtin (`from os import *` makes `open` `os.open`); `qualified` gives
`M.X` only when exactly one star import can supply it and no other reading does: a builtin
(`builtins.open`) and a well-known module name the file never binds (`pickle` stays `pickle`)
keep today's reading, which every rule already judges, while a rule reading `candidates`
(`Rule.qualified_name`) also sees `M.X`.

Identifiers are compared as Python compares them: NFKC-normalised (PEP 3131), so `torch.load`
written with fullwidth letters resolves to `torch.load` (libcst keeps the spelling as written).
"""

from __future__ import annotations

import builtins
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterator

import libcst as cst

from .assumed import ASSUMED_MODULES

ELEMENT_STYLERS = frozenset({"classes", "props", "style", "tooltip", "mark"})
"""UI element methods that return the element itself (NiceGUI: `ui.textarea("Notes").classes("w-full")`
is still the text area, its `.value` still the user's text)."""

BUILTIN_NAMES = frozenset(dir(builtins))


def identifier(name: str) -> str:
    """`name` as Python's tokenizer sees it: NFKC-normalised (ASCII names are already)."""
    if name.isascii():
        return name
    import unicodedata  # only non-ASCII names pay for it (a first file: about 0.2 ms)

    return unicodedata.normalize("NFKC", name)


_MAX_DEPTH = 12
_ALTERNATIVES_DEPTH = 2  # `torch` in `torch.load` is resolved at depth 1

# Statement node types whose bodies hold further statements of the same scope.
_BLOCK_TYPES = (cst.If, cst.For, cst.While, cst.With, cst.Try, cst.Match)
STATEMENT_TYPES = frozenset(
    {cst.SimpleStatementLine, cst.FunctionDef, cst.ClassDef, *_BLOCK_TYPES}
    | ({cst.TryStar} if hasattr(cst, "TryStar") else set())
)


@dataclass
class _Binding:
    """One binding of a name: a resolved import path, an expression to resolve, or unknown."""

    ordinal: int
    qualified: str | None = None
    alias_of: Any = None  # expression whose qualified name this name takes
    instance_of: Any = None  # callee expression: the name holds an instance it returned
    factory: str | None = None  # self attributes: the resolved callee whose result they hold
    # (if/try/match statement, which of its branches) of every branch the binding is made in
    branches: tuple[tuple[int, int], ...] = ()


@dataclass
class Scope:
    """Bindings of one module, class or function body."""

    kind: str  # "module" | "class" | "function"
    parent: Scope | None
    bindings: dict[str, list[_Binding]] = field(default_factory=dict)
    self_attributes: dict[str, _Binding] = field(default_factory=dict)  # class scopes only
    class_scope: Scope | None = None  # for methods: the class they belong to
    star_imports: list[tuple[int, str]] = field(default_factory=list)  # (ordinal, M) of `from M import *`

    def bind(self, name: str, binding: _Binding) -> None:
        self.bindings.setdefault(identifier(name), []).append(binding)


class NameTable:
    """Per-file alias table; implements the `NameResolver` protocol of `aisec.hooks`."""

    def __init__(self, module: cst.Module) -> None:
        self._scopes: dict[int, Scope] = {}
        self._ordinals: dict[int, int] = {}
        self._counter = 0
        self._bound_names: frozenset[str] | None = None
        self.module_scope = Scope("module", None)
        self._scopes[id(module)] = self.module_scope
        self._collect_block(module.body, self.module_scope)
        self._scope_stack: list[Scope] = [self.module_scope]
        self._ordinal_stack: list[int] = [0]

    # ----- traversal hooks (called by the engine's dispatcher) -----

    def enter_statement(self, node: cst.CSTNode) -> None:
        self._ordinal_stack.append(self._ordinals.get(id(node), self._ordinal_stack[-1]))
        scope = self._scopes.get(id(node))
        if scope is not None:
            self._scope_stack.append(scope)

    def leave_statement(self, node: cst.CSTNode) -> None:
        self._ordinal_stack.pop()
        if id(node) in self._scopes:
            self._scope_stack.pop()

    @contextmanager
    def detached(self) -> Iterator[None]:
        """Walk statements from the module level while the engine's traversal is paused elsewhere.

        The taint analysis runs the first time a rule asks, in the middle of the traversal, and
        calls `enter_statement`/`leave_statement` itself; the traversal's position is restored
        afterwards.
        """
        saved = self._scope_stack, self._ordinal_stack
        self._scope_stack, self._ordinal_stack = [self.module_scope], [0]
        try:
            yield
        finally:
            self._scope_stack, self._ordinal_stack = saved

    # ----- public API -----

    def qualified(self, node: cst.BaseExpression) -> str | None:
        """The canonical dotted name of `node` in the current scope, or None if unknown.

        An object a call returned is not the callable that made it: after
        `tok = AutoTokenizer.from_pretrained(...)`, `tok` (and `tok(text)`'s callee) has no
        qualified name, while its attributes live under the factory's (`tok.decode` is
        `transformers.AutoTokenizer.from_pretrained.decode`; see `returned_by`)."""
        if self.returned_by(node) is not None:
            return None
        return self._resolve(node, self._scope_stack[-1], self._ordinal_stack[-1], 0)

    def candidates(self, node: cst.BaseExpression) -> tuple[str, ...]:
        """Every qualified name `node` may have at this point (`qualified(node)` first, when it
        has one).

        A name bound on several paths (`try: import torch` / `except ImportError: import
        torch_npu as torch`, or `import torch` then `if npu: torch = torch_npu`) may be any
        of them when the code runs: the bindings of the other branches of the if/try/match that
        made the binding in effect, and the earlier bindings a conditional one may have left in
        place. A name a star import may supply is `M.X` for each such `from M import *` too (and
        `builtins.X` for a builtin: a star import may shadow it). Only the expression's root name
        is widened (attributes are appended to each of its values), so there are at most as many
        candidates as bindings of that name and star imports."""
        if self.returned_by(node) is not None:
            return ()
        scope, ordinal = self._scope_stack[-1], self._ordinal_stack[-1]
        first = self._resolve(node, scope, ordinal, 0)
        found = [first] if first is not None else []
        root, attrs = node, []
        while isinstance(root, cst.Attribute) and self._self_attribute(root, scope) is None:
            attrs.append(identifier(root.attr.value))
            root = root.value
        if not isinstance(root, cst.Name):
            return tuple(found)
        name = identifier(root.value)
        lookup = self._lookup(name, scope, ordinal)
        suffix = "".join(f".{attr}" for attr in reversed(attrs))
        for module in self._star_modules(name, scope, ordinal, lookup):
            if f"{module}.{name}{suffix}" not in found:
                found.append(f"{module}.{name}{suffix}")
        if lookup is None:
            return tuple(found)
        binding, owner = lookup
        for other in _reaching(binding, owner.bindings[name]):
            if not attrs and not self._names_a_callable(other, owner, 0):
                continue  # an object a call returned on that path
            # The root name of a chain of k attributes is resolved at depth k, as in `_resolve`.
            base = self._binding_value(other, owner, len(attrs))
            if base is not None and base + suffix not in found:
                found.append(base + suffix)
        return tuple(found)

    def returned_by(self, node: cst.BaseExpression) -> str | None:
        """The qualified name of the callable whose return value `node` holds: a call itself
        (`OpenAI()`), a name bound to a call's result in the current scope (or to another such
        name: `m2 = m`), or a `self` attribute set from a call in `__init__`; None otherwise."""
        return self._returned_by(node, self._scope_stack[-1], self._ordinal_stack[-1], 0)

    def _returned_by(self, node: Any, scope: Scope, ordinal: int, depth: int) -> str | None:
        if depth > _MAX_DEPTH:
            return None
        if type(node) is cst.Call:
            if self._getattr_of(node, scope, ordinal, depth) is not None:
                return None  # `getattr(pickle, "loads")` is the function, not what it returns
            return self._resolve(node.func, scope, ordinal, 1)
        if type(node) is cst.Name:
            found = self._lookup(identifier(node.value), scope, ordinal)
            return self._instance_factory(*found, depth) if found is not None else None
        binding = self._self_attribute(node, scope)
        return binding.factory if binding is not None else None

    def _instance_factory(self, binding: _Binding, owner: Scope, depth: int) -> str | None:
        """The factory whose result `binding` holds: `x = f()`, or `y = x` of such an `x`."""
        if binding.instance_of is not None:
            return self._resolve(binding.instance_of, owner, binding.ordinal, 1)
        if type(binding.alias_of) is cst.Name:
            return self._returned_by(binding.alias_of, owner, binding.ordinal, depth + 1)
        return None

    def _names_a_callable(self, binding: _Binding, owner: Scope, depth: int) -> bool:
        """False for a binding that holds an object a call returned (directly or by alias)."""
        return binding.instance_of is None and self._instance_factory(binding, owner, depth) is None

    def assumed_import(self, node: cst.BaseExpression) -> bool:
        """True when `node`'s qualified name rests on a well-known module name that the file uses
        without importing it (`pickle.loads(x)` in a snippet, a notebook fragment, after
        `from x import *`): findings on it deserve lower confidence."""
        root = node
        while isinstance(root, (cst.Attribute, cst.Call)):
            root = root.value if isinstance(root, cst.Attribute) else root.func
        return isinstance(root, cst.Name) and self._assumable(identifier(root.value))

    def _assumable(self, name: str) -> bool:
        """A well-known module name that nothing in the file binds (not even where this use
        cannot see it, as in a class body): the file expects it to be imported already."""
        if name not in ASSUMED_MODULES:
            return False
        if self._bound_names is None:
            self._bound_names = frozenset(
                bound for scope in self._scopes.values() for bound in scope.bindings
            )
        return name not in self._bound_names

    # ----- resolution -----

    def _resolve(self, node: Any, scope: Scope, ordinal: int, depth: int) -> str | None:
        if depth > _MAX_DEPTH:
            return None
        if type(node) is cst.Name:
            return self._resolve_name(identifier(node.value), scope, ordinal, depth)
        if type(node) is cst.Attribute:
            attr = identifier(node.attr.value)
            binding = self._self_attribute(node, scope)
            if binding is not None:
                return self._binding_value(binding, scope, depth)
            base = self._resolve(node.value, scope, ordinal, depth + 1)
            return f"{base}.{attr}" if base else None
        if type(node) is cst.Call:
            spelled = self._getattr_of(node, scope, ordinal, depth)
            if spelled is not None:  # `getattr(pickle, "loads")` is `pickle.loads`
                base = self._resolve(spelled[0], scope, ordinal, depth + 1)
                return f"{base}.{spelled[1]}" if base else None
            # `openai.OpenAI().chat` -> the instance's attributes live under the class name.
            return self._resolve(node.func, scope, ordinal, depth + 1)
        return None

    def _getattr_of(self, call: cst.Call, scope: Scope, ordinal: int, depth: int) -> tuple[Any, str] | None:
        """(object, attribute) of `getattr(object, "attribute"[, default])` with a constant name."""
        spelled = getattr_constant(call)
        if spelled is None or self._resolve(call.func, scope, ordinal, depth + 1) != "builtins.getattr":
            return None
        return spelled

    def _resolve_name(self, name: str, scope: Scope, ordinal: int, depth: int) -> str | None:
        found = self._lookup(name, scope, ordinal)
        if found is None:
            if name in BUILTIN_NAMES:  # a star import may shadow it: `candidates` gives both
                return f"builtins.{name}"
            if self._assumable(name):
                return name
            return self._starred(name, scope, ordinal, found)
        binding, owner = found
        value = self._binding_value(binding, owner, depth)
        if value is None and depth <= _ALTERNATIVES_DEPTH:
            # `try: import torch` / `except ImportError: torch = None`: the name may be either.
            # Only near the expression's root: deeper, alternatives of alternatives would multiply.
            # The whole expression (depth 0) is never an object a call returned.
            for other in _alternatives(binding, owner.bindings[name]):
                if depth == 0 and not self._names_a_callable(other, owner, depth):
                    continue
                value = self._binding_value(other, owner, depth)
                if value is not None:
                    break
        return value if value is not None else self._starred(name, scope, ordinal, found)

    def _starred(
        self, name: str, scope: Scope, ordinal: int, found: tuple[_Binding, Scope] | None
    ) -> str | None:
        """`M.name` when exactly one star import may supply `name` here, else None."""
        modules = self._star_modules(name, scope, ordinal, found)
        return f"{modules[0]}.{name}" if len(modules) == 1 else None

    def _star_modules(
        self, name: str, scope: Scope, ordinal: int, found: tuple[_Binding, Scope] | None
    ) -> list[str]:
        """The modules `M` of the `from M import *` that may have bound `name` where it is read:
        those of the module before that point (any of them from a function body, which runs
        later), after the module binding `found` if it comes first; none when a function or class
        scope binds `name` (a local or a parameter shadows them)."""
        stars = self.module_scope.star_imports
        if not stars or (found is not None and found[1] is not self.module_scope):
            return []
        cutoff = ordinal
        current: Scope | None = scope
        while current is not None:
            if current.kind == "function":
                cutoff = self._counter + 1  # a function body runs after the whole module
            current = current.parent
        after = found[0].ordinal if found is not None and found[0].ordinal < cutoff else -1
        return list(dict.fromkeys(module for at, module in stars if after < at < cutoff))

    def _lookup(self, name: str, scope: Scope, ordinal: int) -> tuple[_Binding, Scope] | None:
        """The binding of `name` in effect at `ordinal` of `scope`, and the scope that holds it."""
        current: Scope | None = scope
        same_scope = True
        while current is not None:
            if current.kind == "class" and not same_scope:
                current = current.parent  # class bodies are not visible from methods
                continue
            bindings = current.bindings.get(name)
            if bindings:
                binding = bindings[-1]
                if same_scope:
                    earlier = [b for b in bindings if b.ordinal < ordinal]
                    binding = earlier[-1] if earlier else bindings[-1]
                return binding, current
            current = current.parent
            same_scope = False
        return None

    @staticmethod
    def _self_attribute(node: Any, scope: Scope) -> _Binding | None:
        """The `__init__` binding of `self.<attr>` seen from a method of the class."""
        if (
            type(node) is cst.Attribute
            and type(node.value) is cst.Name
            and identifier(node.value.value) == "self"
            and scope.class_scope is not None
        ):
            return scope.class_scope.self_attributes.get(identifier(node.attr.value))
        return None

    def _binding_value(self, binding: _Binding, scope: Scope, depth: int) -> str | None:
        if binding.qualified is not None:
            return binding.qualified
        if binding.factory is not None:
            return binding.factory
        expr = binding.alias_of if binding.alias_of is not None else binding.instance_of
        if expr is None:
            return None
        return self._resolve(expr, scope, binding.ordinal, depth + 1)

    # ----- pre-pass over statements -----

    def _next_ordinal(self, node: cst.CSTNode) -> int:
        self._counter += 1
        self._ordinals[id(node)] = self._counter
        return self._counter

    def _collect_block(self, body: Any, scope: Scope) -> None:
        for statement in body:
            self._collect_statement(statement, scope)

    def _collect_statement(self, statement: Any, scope: Scope) -> None:
        ordinal = self._next_ordinal(statement)
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                self._collect_small(small, scope, ordinal)
        elif isinstance(statement, cst.FunctionDef):
            scope.bind(statement.name.value, _Binding(ordinal))
            self._collect_function(statement, scope)
        elif isinstance(statement, cst.ClassDef):
            scope.bind(statement.name.value, _Binding(ordinal))
            class_scope = Scope("class", scope)
            self._scopes[id(statement)] = class_scope
            self._collect_suite(statement.body, class_scope)
        else:
            self._collect_compound(statement, scope, ordinal)

    def _collect_function(self, func: cst.FunctionDef, scope: Scope) -> None:
        func_scope = Scope("function", scope)
        func_scope.class_scope = scope if scope.kind == "class" else None
        self._scopes[id(func)] = func_scope
        params = func.params
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            func_scope.bind(param.name.value, _Binding(0))
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                func_scope.bind(star.name.value, _Binding(0))
        self._collect_suite(func.body, func_scope)
        if func.name.value == "__init__" and func_scope.class_scope is not None:
            self._collect_self_attributes(func.body, func_scope, func_scope.class_scope)

    def _collect_suite(self, suite: Any, scope: Scope) -> None:
        if isinstance(suite, cst.IndentedBlock):
            self._collect_block(suite.body, scope)
        elif isinstance(suite, cst.SimpleStatementSuite):
            ordinal = self._counter
            for small in suite.body:
                self._collect_small(small, scope, ordinal)

    def _collect_compound(self, statement: Any, scope: Scope, ordinal: int) -> None:
        if isinstance(statement, cst.For):
            self._bind_target(statement.target, scope, ordinal)
        elif isinstance(statement, cst.With):
            for item in statement.items:
                if item.asname is None:
                    continue
                if isinstance(item.asname.name, cst.Name) and isinstance(item.item, cst.Call):
                    # `with Listener(a) as listener`: (usually) the object the call returned
                    scope.bind(item.asname.name.value, _Binding(ordinal, instance_of=item.item.func))
                else:
                    self._bind_target(item.asname.name, scope, ordinal)
        branching = isinstance(statement, (cst.If, cst.Try, cst.Match)) or (
            hasattr(cst, "TryStar") and isinstance(statement, cst.TryStar)
        )
        for attr in ("body", "orelse", "finalbody"):
            part = getattr(statement, attr, None)
            if part is None:
                continue
            # An `if`'s else is the other branch; a `try`'s else continues its body.
            branch = 1 if attr == "orelse" and isinstance(statement, cst.If) else 0
            with self._branch(scope, (id(statement), branch) if branching and attr != "finalbody" else None):
                if isinstance(part, (cst.Else, cst.If)):
                    if isinstance(part, cst.If):
                        self._collect_statement(part, scope)
                    else:
                        self._collect_suite(part.body, scope)
                elif isinstance(part, cst.Finally):
                    self._collect_suite(part.body, scope)
                else:
                    self._collect_suite(part, scope)
        for index, handler in enumerate(getattr(statement, "handlers", ()), start=1):
            with self._branch(scope, (id(statement), index)):
                if handler.name is not None:
                    self._bind_target(handler.name.name, scope, ordinal)
                self._collect_suite(handler.body, scope)
        for index, case in enumerate(getattr(statement, "cases", ())):
            with self._branch(scope, (id(statement), index)):
                self._collect_suite(case.body, scope)

    @contextmanager
    def _branch(self, scope: Scope, branch: tuple[int, int] | None) -> Iterator[None]:
        """Tag the bindings made in one branch of an if/try/match (with every enclosing one)."""
        if branch is None:  # a loop, `with` or `finally` body: nothing to tag
            yield
            return
        before = {name: len(bindings) for name, bindings in scope.bindings.items()}
        yield
        for name, bindings in scope.bindings.items():
            for binding in bindings[before.get(name, 0) :]:
                binding.branches += (branch,)

    def _collect_small(self, small: Any, scope: Scope, ordinal: int) -> None:
        if isinstance(small, cst.Import):
            for alias in small.names:
                dotted = _dotted(alias.name)
                if alias.asname is not None:
                    self._bind_target(alias.asname.name, scope, ordinal, qualified=dotted)
                elif dotted:
                    head = dotted.split(".")[0]
                    scope.bind(head, _Binding(ordinal, qualified=head))
        elif isinstance(small, cst.ImportFrom):
            self._collect_import_from(small, scope, ordinal)
        elif isinstance(small, cst.Assign):
            for target in small.targets:
                self._bind_assignment(target.target, small.value, scope, ordinal)
        elif isinstance(small, (cst.AnnAssign, cst.AugAssign)):
            value = small.value if isinstance(small, cst.AnnAssign) else None
            self._bind_assignment(small.target, value, scope, ordinal)

    def _collect_import_from(self, node: cst.ImportFrom, scope: Scope, ordinal: int) -> None:
        module = _dotted(node.module) if node.module is not None else ""
        relative = bool(node.relative)
        if isinstance(node.names, cst.ImportStar):
            if module and not relative:
                scope.star_imports.append((ordinal, module))
            return
        for alias in node.names:
            name = _dotted(alias.name)
            qualified = None if relative or not module else f"{module}.{name}"
            target = alias.asname.name if alias.asname is not None else alias.name
            self._bind_target(target, scope, ordinal, qualified=qualified)

    def _bind_assignment(self, target: Any, value: Any, scope: Scope, ordinal: int) -> None:
        if not isinstance(target, cst.Name):
            self._bind_target(target, scope, ordinal)
            return
        binding = _Binding(ordinal)
        if isinstance(value, (cst.Name, cst.Attribute)) and not _is_constant(value):
            binding.alias_of = value
        elif isinstance(value, cst.Call) and getattr_constant(value) is not None:
            binding.alias_of = value  # `loader = getattr(pickle, "loads")`
        elif isinstance(value, cst.Call):
            while (  # `ui.textarea(...).classes(...)` holds what `ui.textarea(...)` returned
                isinstance(value.func, cst.Attribute)
                and value.func.attr.value in ELEMENT_STYLERS
                and isinstance(value.func.value, cst.Call)
            ):
                value = value.func.value
            binding.instance_of = value.func
        scope.bind(target.value, binding)

    def _bind_target(self, target: Any, scope: Scope, ordinal: int, qualified: str | None = None) -> None:
        """Bind every plain name in an assignment target (tuples, lists, starred)."""
        if isinstance(target, cst.Name):
            scope.bind(target.value, _Binding(ordinal, qualified=qualified))
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._bind_target(element.value, scope, ordinal)
        elif isinstance(target, cst.StarredElement):
            self._bind_target(target.value, scope, ordinal)

    def _collect_self_attributes(self, body: Any, func_scope: Scope, class_scope: Scope) -> None:
        if not isinstance(body, cst.IndentedBlock):
            return
        for statement in body.body:
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                if not isinstance(small, cst.Assign) or len(small.targets) != 1:
                    continue
                target = small.targets[0].target
                if (
                    isinstance(target, cst.Attribute)
                    and isinstance(target.value, cst.Name)
                    and identifier(target.value.value) == "self"
                ):
                    ordinal = self._ordinals.get(id(statement), 0)
                    # Resolved now, in the __init__ scope, so its parameters and imports apply.
                    attribute = _Binding(ordinal)
                    if isinstance(small.value, cst.Call):
                        attribute.factory = self._resolve(small.value.func, func_scope, ordinal, 1)
                    elif isinstance(small.value, (cst.Name, cst.Attribute)) and not _is_constant(small.value):
                        attribute.qualified = self._resolve(small.value, func_scope, ordinal, 1)
                    class_scope.self_attributes[identifier(target.attr.value)] = attribute


def _alternatives(binding: _Binding, bindings: list[_Binding]) -> list[_Binding]:
    """Bindings of the same name in other branches of an if/try/match that made `binding`
    (they exclude each other), latest first."""
    if not binding.branches:
        return []
    mine = dict(binding.branches)
    return [
        other
        for other in reversed(bindings)
        if any(mine.get(statement, branch) != branch for statement, branch in other.branches)
    ]


def _reaching(binding: _Binding, bindings: list[_Binding]) -> list[_Binding]:
    """The bindings that may be in effect instead of `binding`: its alternatives, and the
    bindings before it as long as each later one was made conditionally (in a branch)."""
    reaching = _alternatives(binding, bindings)
    index = next(i for i, other in enumerate(bindings) if other is binding)
    current = binding
    for earlier in reversed(bindings[:index]):
        if not current.branches:
            break
        if all(earlier is not other for other in reaching):
            reaching.append(earlier)
        current = earlier
    return reaching


def getattr_constant(call: cst.Call) -> tuple[Any, str] | None:
    """(object, name) when `call` is spelled `getattr(object, "name"[, default])` (the callee is
    not resolved here); None otherwise."""
    if not (isinstance(call.func, cst.Name) and call.func.value == "getattr") or not 2 <= len(call.args) <= 3:
        return None
    first, second = call.args[0], call.args[1]
    if first.keyword is not None or first.star or second.keyword is not None or second.star:
        return None
    if not isinstance(second.value, cst.SimpleString):
        return None
    name = second.value.evaluated_value
    return (first.value, name) if isinstance(name, str) and name.isidentifier() else None


def _is_constant(node: Any) -> bool:
    """`None`, `True`, `False`: a name bound to one of them names no module."""
    return isinstance(node, cst.Name) and node.value in ("None", "True", "False")


def _dotted(node: Any) -> str:
    if isinstance(node, cst.Name):
        return identifier(node.value)
    if isinstance(node, cst.Attribute):
        base = _dotted(node.value)
        return f"{base}.{identifier(node.attr.value)}" if base else ""
    return ""
