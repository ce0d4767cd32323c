"""Loaders used as values, not called: `partial(torch.load, ...)`, `register(pickle.loads)`.

A deserializer handed to another function runs all the same, later, on data that function
chooses. Every function named (not called) in a call's arguments is a reference: positional and
keyword arguments, and the items of a list/tuple/set or the values of a dict written there,
nested (`callbacks=[torch.load]`, `dict(loader=yaml.load)`, `{"a": [pickle.load]}`); and the
defaults of a function's parameters (`def restore(path, reader=pickle.load)`, medium confidence). Where the receiving call is one whose job is
to call it (`functools.partial`, map/executor style APIs, listed by qualified-name pattern) the
reference is as sure as a call; passed to any other function (a registry, a callback slot) it
may or may not be called, so it is reported at medium confidence. Calls that only look at an
object (`isinstance`, `functools.wraps`, `inspect.signature`, ...) are not references.

The call screen (`aisec.screen`) resolves reference arguments too, so a rule keeps a file that
only *passes* a loader; the rule's `qualified_names` must name the loader itself.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from aisec.hooks import Confidence, cst

if TYPE_CHECKING:
    import libcst

PARTIALS = ("functools.partial", "functools.partialmethod")
MAX_NESTING = 4  # literal containers followed inside an argument, as `aisec.screen` does
# Calls whose function arguments are called on the items they get.
CALLBACK_TAKERS = (
    *PARTIALS,
    "builtins.map",
    "builtins.filter",
    "itertools.starmap",
    "*.map",
    "*.imap",
    "*.imap_unordered",
    "*.starmap",
    "*.map_async",
    "*.starmap_async",
    "*.submit",
    "*.apply",
    "*.apply_async",
    "*.run_in_executor",
)
# Calls that look at a function without ever calling it.
INSPECTORS = frozenset(
    {
        *(
            f"builtins.{name}"
            for name in (
                "isinstance", "issubclass", "id", "type", "repr", "str", "print", "hash", "callable",
                "getattr", "hasattr", "setattr", "delattr", "dir", "vars", "format", "len", "bool",
            )
        ),
        "functools.wraps",
        "functools.update_wrapper",
        "typing.cast",
        "inspect.signature",
        "inspect.getsource",
        "inspect.getdoc",
        "inspect.getmodule",
        "inspect.isfunction",
        "inspect.isclass",
        "logging.debug",
        "logging.info",
        "logging.warning",
    }
)  # fmt: skip


def takes_callbacks(qualified: str | None, call: libcst.Call) -> bool:
    """True when `call` (whose callee resolves to `qualified`) calls the functions it is given."""
    if qualified is not None:
        return any(fnmatchcase(qualified, pattern) for pattern in CALLBACK_TAKERS)
    func = call.func  # a receiver aisec cannot resolve: `pool.map`, `executor.submit`
    return isinstance(func, cst.Attribute) and any(
        pattern == f"*.{func.attr.value}" for pattern in CALLBACK_TAKERS
    )


def referenced(
    rule: Any, call: libcst.Call, sure: bool = False
) -> Iterator[tuple[libcst.BaseExpression, str, Any]]:
    """Functions `call` is given uncalled: (the expression, the qualified name `rule` judges it by,
    the confidence to report it at: None, the rule's own, when `call` is sure to call it (`sure`,
    or a callback taker), else medium). Nothing for a call that only inspects its arguments."""
    qualified = rule.qualified_name(call.func)
    if qualified in INSPECTORS:
        return
    confidence = None if sure or takes_callbacks(qualified, call) else Confidence.MEDIUM
    for expr in reference_arguments(call):
        target = rule.qualified_name(expr)
        if target is not None:
            yield expr, target, confidence


def reference_arguments(call: libcst.Call) -> Iterator[libcst.BaseExpression]:
    """Names and attributes in `call`'s arguments, or in a list/tuple/set/dict written there."""
    for arg in call.args:
        if not arg.star:
            yield from reference_items(arg.value)


def reference_items(value: Any, depth: int = 0) -> Iterator[libcst.BaseExpression]:
    """`value` when it names something, else the names in the literal containers it writes,
    nested up to `MAX_NESTING` deep (`{"a": [pickle.load]}`), as the call screen reads them."""
    if isinstance(value, cst.Attribute) or (
        isinstance(value, cst.Name) and value.value not in ("None", "True", "False")  # constants
    ):
        yield value
        return
    if depth >= MAX_NESTING:
        return
    if isinstance(value, (cst.List, cst.Tuple, cst.Set)):
        items: list[Any] = [element.value for element in value.elements if isinstance(element, cst.Element)]
    elif isinstance(value, cst.Dict):
        items = [element.value for element in value.elements if isinstance(element, cst.DictElement)]
    else:
        return
    for item in items:
        yield from reference_items(item, depth + 1)


def default_references(
    rule: Any, parameters: libcst.Parameters
) -> Iterator[tuple[libcst.BaseExpression, str, Any]]:
    """Functions given as parameter defaults (`def load(path, reader=pickle.load)`): the function
    may call its parameter, so each is reported like a reference passed to an unknown function
    (medium confidence)."""
    params = (*parameters.params, *parameters.kwonly_params, *parameters.posonly_params)
    for param in params:
        for expr in reference_items(param.default) if param.default is not None else ():
            target = rule.qualified_name(expr)
            if target is not None:
                yield expr, target, Confidence.MEDIUM


class ReportsReferences:
    """Mixin of the rules that report loaders passed uncalled: a loader given as a parameter's
    default is one too. The rule says, in `_report_references`, which of them it reports."""

    def visit_Parameters(self, node: libcst.Parameters) -> None:
        self._report_references(default_references(self, node))

    def _report_references(self, found: Iterable[tuple[Any, str, Any]]) -> None:
        raise NotImplementedError


def partial_target(rule: Any, call: libcst.Call) -> tuple[str, libcst.Call] | None:
    """For `partial(f, *args, **kw)`: f's qualified name (as `rule` judges it) and the call
    `f(*args, **kw)` it stands for."""
    if rule.names.qualified(call.func) not in PARTIALS or not call.args:
        return None
    first = call.args[0]
    if first.star or first.keyword is not None:
        return None
    qualified = rule.qualified_name(first.value)
    if qualified is None:
        return None
    return qualified, call.with_changes(func=first.value, args=call.args[1:])
