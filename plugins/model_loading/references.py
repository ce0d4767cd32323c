"""Loaders used as values, not called: `partial(torch.load, ...)`, `map(pickle.load, files)`.

A deserializer handed to another function runs all the same, later, on data that function
chooses. aisec follows such references where the receiving call is one whose job is to call it:
`functools.partial` (its keywords are the loader's), and map/executor style APIs. They are listed
by qualified-name pattern so the call screen keeps a rule for files that only *reference* a
loader (`Rule.qualified_names` must name every callee a rule reports under).
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any, Iterator

from aisec.hooks import cst

if TYPE_CHECKING:
    import libcst

PARTIALS = ("functools.partial", "functools.partialmethod")
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


def takes_callbacks(qualified: str | None, call: libcst.Call) -> bool:
    """True when `call` (whose callee resolves to `qualified`) calls the functions it is given."""
    if qualified is not None:
        return any(fnmatchcase(qualified, pattern) for pattern in CALLBACK_TAKERS)
    func = call.func  # a receiver aisec cannot resolve: `pool.map`, `executor.submit`
    return isinstance(func, cst.Attribute) and any(
        pattern == f"*.{func.attr.value}" for pattern in CALLBACK_TAKERS
    )


def referenced(names: Any, call: libcst.Call) -> Iterator[tuple[libcst.Arg, str]]:
    """Arguments of `call` that name a function without calling it, with its qualified name."""
    for arg in call.args:
        if arg.star or not isinstance(arg.value, (cst.Name, cst.Attribute)):
            continue
        qualified = names.qualified(arg.value)
        if qualified is not None:
            yield arg, qualified


def partial_target(names: Any, call: libcst.Call) -> tuple[str, libcst.Call] | None:
    """For `partial(f, *args, **kw)`: f's qualified name and the call `f(*args, **kw)` it stands for."""
    if names.qualified(call.func) not in PARTIALS or not call.args:
        return None
    first = call.args[0]
    if first.star or first.keyword is not None:
        return None
    qualified = names.qualified(first.value)
    if qualified is None:
        return None
    return qualified, call.with_changes(func=first.value, args=call.args[1:])
