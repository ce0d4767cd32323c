"""Function shapes: the identifier screen's check of the parameter sources that name no decorator or
registrar (an AWS Lambda handler `def handler(event, context)`, a Django view's `request`
parameter, a Tornado handler's `get`), against the functions the module defines.

The taint engine (`taint.definitions`, `_parameter_sources` and the parameter loop of
`_initial_parameters`) makes a parameter a source only for a function of the module that, for one
such source, has a name matching one of its `functions` patterns, exactly the parameter list of
its `signature`, and the parameter that becomes the source named in its `params`; all three are
spelled by the function's own `def` (or `lambda`, named `<lambda>`). A FastAPI dependency the
source is handed to is checked the same way. So a module without a function of that shape gets no
fact from the source, and the marker alternatives only such sources give (`shape_gates`) hold
only where one of their shapes is present. The check here is looser than the engine's: parameter
names are a set (the signature's names among them, in any order), and names are read from `ast`,
NFKC-normalised, where the engine compares libcst's spelling: an ASCII pattern matching the
spelled name matches the normalised one too.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any, Iterable


@dataclass(frozen=True)
class Shape:
    """What one parameter source needs of a function: a name matching one of `functions`, every
    name of `signature` and one of `params` among its parameters (an empty part: no need)."""

    functions: tuple[str, ...]
    signature: tuple[str, ...]
    params: tuple[str, ...]

    def fits(self, name: str, parameters: frozenset[str]) -> bool:
        return (
            (not self.functions or any(fnmatchcase(name, pattern) for pattern in self.functions))
            and parameters.issuperset(self.signature)
            and (not self.params or not parameters.isdisjoint(self.params))
        )


def _shape(source: Any) -> Shape | None:
    """The shape a parameter source needs (None: it names a decorator or registrar, through which
    the engine also narrows it, or it has no shape condition)."""
    if source.decorators or source.registrars:
        return None
    if not (source.functions or source.signature or source.params):
        return None
    return Shape(tuple(source.functions), tuple(source.signature), tuple(source.params))


def shape_gates(catalog: Any, tier: str | None) -> dict[tuple[str, ...], tuple[Shape, ...]]:
    """The alternatives of the source marker of `tier` (None: every tier) that only parameter
    sources with a shape give, with those shapes; an alternative any other source gives too is
    free."""
    from aisec.hooks import TaintCatalog

    sources = [s for s in catalog.sources if tier is None or s.tier == tier]
    params = [p for p in catalog.parameter_sources if tier is None or p.tier == tier]
    shaped = [(p, _shape(p)) for p in params]
    others = TaintCatalog(sources=tuple(sources), parameter_sources=tuple(p for p, s in shaped if s is None))
    free = set(others.source_tokens())
    gates: dict[tuple[str, ...], list[Shape]] = {}
    for source, shape in shaped:
        if shape is None:
            continue
        for alternative in TaintCatalog(parameter_sources=(source,)).source_tokens():
            if alternative not in free:
                gates.setdefault(alternative, []).append(shape)
    return {alternative: tuple(dict.fromkeys(found)) for alternative, found in gates.items()}


def shaped_markers(catalog: Any) -> dict[str, str | None]:
    """The source markers that parameter sources with a shape contribute to, each with its tier
    (None: the marker of every tier)."""
    from aisec.hooks import TAINT_SOURCES, sources_marker

    tiers = dict.fromkeys(p.tier for p in catalog.parameter_sources if _shape(p) is not None)
    if not tiers:
        return {}
    return {TAINT_SOURCES: None, **{sources_marker(tier): tier for tier in tiers}}


def module_functions(tree: ast.AST) -> list[tuple[str, frozenset[str]]]:
    """(name, parameter names) of every `def`, `async def` and `lambda` of the module."""
    found: list[tuple[str, frozenset[str]]] = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found.append((node.name, _parameters(node.args)))
        elif isinstance(node, ast.Lambda):
            found.append(("<lambda>", _parameters(node.args)))
    return found


def _parameters(args: ast.arguments) -> frozenset[str]:
    named: Iterable[ast.arg | None] = (
        *args.posonlyargs,
        *args.args,
        args.vararg,
        *args.kwonlyargs,
        args.kwarg,
    )
    return frozenset(arg.arg for arg in named if arg is not None)


def fits_any(shapes: Iterable[Shape], functions: list[tuple[str, frozenset[str]]]) -> bool:
    """Whether one of the module's `functions` has one of `shapes`."""
    return any(shape.fits(name, parameters) for shape in shapes for name, parameters in functions)
