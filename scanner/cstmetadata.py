"""`import libcst` without running the `libcst.metadata` package's `__init__` until a name of it
is used.

Why. `import libcst` imports `libcst.metadata.base_provider` and `libcst.metadata.wrapper`, and
so first the package `libcst.metadata`, whose `__init__` imports every provider libcst has: scope
and qualified-name analysis, type inference (which imports `subprocess`), the full-repository
manager, ... A check run uses none of them (`positions` takes `PositionProvider` from its own
module), and they cost every run that parses about a tenth of `import libcst`.

How. `defer()` puts a finder first on `sys.meta_path` that answers for `libcst.metadata` only: it
takes the spec the other finders give and wraps its loader, so that the module is made with its
path and spec as usual but its `__init__` runs only when a name the module does not have yet is
asked for (a module `__getattr__`, PEP 562). The submodules libcst imports itself load as they
would, and `from libcst.metadata import X`, `libcst.metadata.X`, `import *` and `dir()` after any
of them see the complete package, the same objects as without the finder.

Only for `aisec check` (the console script): the first missing name runs the `__init__` in the
thread that asks, and a check run asks from one thread.
"""

from __future__ import annotations

import sys

PACKAGE = "libcst.metadata"
TYPE_CHECKING = False  # `typing` is not imported by the console script's own start
if TYPE_CHECKING:
    from typing import Any, Sequence


def defer() -> None:
    """Install the finder (once; nothing to do when the package is imported already)."""
    if PACKAGE not in sys.modules and _Finder not in sys.meta_path:
        sys.meta_path.insert(0, _Finder)


class _Finder:
    """A meta path finder for `PACKAGE` only; it steps aside after its one answer."""

    @staticmethod
    def find_spec(name: str, path: Sequence[str] | None, target: Any = None) -> Any:
        if name != PACKAGE:
            return None
        sys.meta_path.remove(_Finder)
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            spec = find(name, path, target) if find is not None else None
            if spec is not None:
                if spec.loader is None or spec.submodule_search_locations is None:
                    return spec  # not the package we know: imported as it is
                spec.loader = _DeferredInit(spec.loader)
                return spec
        return None


class _DeferredInit:
    """A loader that leaves the package's `__init__` to the first name asked for."""

    def __init__(self, loader: Any) -> None:
        self.loader = loader

    def create_module(self, spec: Any) -> Any:
        return self.loader.create_module(spec)

    def exec_module(self, module: Any) -> None:
        loader = self.loader

        def __getattr__(name: str) -> Any:
            del module.__dict__["__getattr__"]
            module.__loader__ = loader
            module.__spec__.loader = loader
            loader.exec_module(module)
            return getattr(module, name)

        module.__getattr__ = __getattr__
