"""Import-alias resolution: `np.load` -> `numpy.load`, without libcst's scope metadata.

libcst's QualifiedNameProvider costs 6-9x a parse; rules only need "which library function is
this call". A pre-pass over the *statements* of a module (expressions are not descended) records,
per scope, the names bound by imports, simple assignments (`m = pickle`, `c = openai.OpenAI()`),
parameters and definitions. While the engine traverses the tree it tells the table which scope
and statement it is in, so a lookup sees the binding that is in effect at that point of the same
scope (or the last binding of an enclosing scope, which is what a function body sees when it runs).

Identifiers are compared as Python compares them: NFKC-normalised (PEP 3131), so `ｔorch.load`
and `import ｐickle` resolve to `torch.load` and `pickle` (libcst keeps the spelling as written).
"""

from __future__ import annotations

import builtins
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterator

import libcst as cst

BUILTIN_NAMES = frozenset(dir(builtins))


def identifier(name: str) -> str:
    """`name` as Python's tokenizer sees it: NFKC-normalised (ASCII names are already)."""
    return name if name.isascii() else unicodedata.normalize("NFKC", name)

_MAX_DEPTH = 12

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


@dataclass
class Scope:
    """Bindings of one module, class or function body."""

    kind: str  # "module" | "class" | "function"
    parent: Scope | None
    bindings: dict[str, list[_Binding]] = field(default_factory=dict)
    self_attributes: dict[str, _Binding] = field(default_factory=dict)  # class scopes only
    class_scope: Scope | None = None  # for methods: the class they belong to

    def bind(self, name: str, binding: _Binding) -> None:
        self.bindings.setdefault(identifier(name), []).append(binding)


class NameTable:
    """Per-file alias table; implements the `NameResolver` protocol of `aisec.hooks`."""

    def __init__(self, module: cst.Module) -> None:
        self._scopes: dict[int, Scope] = {}
        self._ordinals: dict[int, int] = {}
        self._counter = 0
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
        """The canonical dotted name of `node` in the current scope, or None if unknown."""
        return self._resolve(node, self._scope_stack[-1], self._ordinal_stack[-1], 0)

    # ----- resolution -----

    def _resolve(self, node: Any, scope: Scope, ordinal: int, depth: int) -> str | None:
        if depth > _MAX_DEPTH:
            return None
        if isinstance(node, cst.Name):
            return self._resolve_name(identifier(node.value), scope, ordinal, depth)
        if isinstance(node, cst.Attribute):
            attr = identifier(node.attr.value)
            if (
                isinstance(node.value, cst.Name)
                and identifier(node.value.value) == "self"
                and scope.class_scope is not None
            ):
                binding = scope.class_scope.self_attributes.get(attr)
                if binding is not None:
                    return self._binding_value(binding, scope.class_scope, depth)
            base = self._resolve(node.value, scope, ordinal, depth + 1)
            return f"{base}.{attr}" if base else None
        if isinstance(node, cst.Call):
            # `openai.OpenAI().chat` -> the instance's attributes live under the class name.
            return self._resolve(node.func, scope, ordinal, depth + 1)
        return None

    def _resolve_name(self, name: str, scope: Scope, ordinal: int, depth: int) -> str | None:
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
                return self._binding_value(binding, current, depth)
            current = current.parent
            same_scope = False
        if name in BUILTIN_NAMES:
            return f"builtins.{name}"
        return None

    def _binding_value(self, binding: _Binding, scope: Scope, depth: int) -> str | None:
        if binding.qualified is not None:
            return binding.qualified
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
                if item.asname is not None:
                    self._bind_target(item.asname.name, scope, ordinal)
        for attr in ("body", "orelse", "finalbody"):
            part = getattr(statement, attr, None)
            if part is None:
                continue
            if isinstance(part, (cst.Else, cst.If)):
                if isinstance(part, cst.If):
                    self._collect_statement(part, scope)
                else:
                    self._collect_suite(part.body, scope)
            elif isinstance(part, cst.Finally):
                self._collect_suite(part.body, scope)
            else:
                self._collect_suite(part, scope)
        for handler in getattr(statement, "handlers", ()):
            if handler.name is not None:
                self._bind_target(handler.name.name, scope, ordinal)
            self._collect_suite(handler.body, scope)
        for case in getattr(statement, "cases", ()):
            self._collect_suite(case.body, scope)

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
        if isinstance(value, (cst.Name, cst.Attribute)):
            binding.alias_of = value
        elif isinstance(value, cst.Call):
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
                    binding = _Binding(self._ordinals.get(id(statement), 0))
                    if isinstance(small.value, (cst.Name, cst.Attribute)):
                        binding.alias_of = small.value
                    elif isinstance(small.value, cst.Call):
                        binding.instance_of = small.value.func
                    # Resolved now, in the __init__ scope, so its parameters and imports apply.
                    resolved = self._binding_value(binding, func_scope, 0)
                    class_scope.self_attributes[identifier(target.attr.value)] = _Binding(
                        binding.ordinal, qualified=resolved
                    )


def _dotted(node: Any) -> str:
    if isinstance(node, cst.Name):
        return identifier(node.value)
    if isinstance(node, cst.Attribute):
        base = _dotted(node.value)
        return f"{base}.{identifier(node.attr.value)}" if base else ""
    return ""
