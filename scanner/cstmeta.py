"""`libcst.metadata` and `libcst.helpers` imported on first use, not with `import libcst`: ~9 ms
of a one-file run.

`libcst/__init__.py` takes two names from submodules of `libcst.metadata` (`base_provider`,
`wrapper`), and Python runs a package's `__init__` before any submodule: so every `import libcst`
also ran `libcst/metadata/__init__.py`, which imports every metadata provider (scope, name,
type inference with `subprocess`, the full-repository manager, ...) that aisec never uses: it
needs libcst's position provider only, imported from its own submodule. That was about 8 ms of
the ~50 ms `import libcst` costs a pre-commit run that parses a file. Likewise `libcst/__init__.py`
takes `ensure_type` from `libcst.helpers`, whose `__init__` imports five helper modules (code
templates, module paths, node fields, ...) aisec never uses: ~1.3 ms.

`defer_packages()` (the console script's full path, before anything imports libcst) puts a
finder on `sys.meta_path` for those two packages. Each package is then imported as usual (its
module is in `sys.modules`, has its `__path__`, `__file__` and `__spec__`, and its submodules
import as before), but its `__init__` runs only when a name it defines is first asked for
(`libcst.metadata.ScopeProvider`, `from libcst.helpers import *`, a plugin's
`cst.metadata.PositionProvider`), under a lock, in the same module object; from then on the
module is a plain module. What it defines is then exactly what the normal import defines: the
same code ran in the same namespace, only later. The names `import libcst` itself takes from a
package's `__init__` (`PREFILLED`: `ensure_type`) are taken, before, from the submodule that
defines them and the `__init__` imports them from, so they are the same objects. The finder
removes itself once it made both packages; in-process callers (tests, the language server) import
libcst as usual.
"""

from __future__ import annotations

import sys
import types
from _thread import RLock
from importlib import import_module
from importlib.machinery import ModuleSpec, PathFinder

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Sequence

# package -> the names `import libcst` takes from its `__init__`, and the submodule defining each
PREFILLED: dict[str, dict[str, str]] = {
    "libcst.metadata": {},
    "libcst.helpers": {"ensure_type": "libcst.helpers.common"},
}
_FOUND: set[str] = set()  # the packages the finder made
_LOCK = RLock()
_ARMED: set[int] = set()  # ids of the deferred modules the import system has finished making
_LOADED: set[int] = set()  # ... and of those whose `__init__` ran (or is running)


class _DeferredPackage(types.ModuleType):
    """The package before its `__init__` ran: the first name it lacks runs it."""

    def __getattr__(self, name: str) -> Any:
        if id(self) not in _ARMED:  # the import system is still filling in `__path__`, ...
            raise AttributeError(name)
        _run_init(self)
        try:
            return self.__dict__[name]
        except KeyError:
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}") from None


def _run_init(module: types.ModuleType) -> None:
    with _LOCK:  # another thread waits until the names exist; this one, inside `__init__`, goes on
        if id(module) in _LOADED:
            return
        _LOADED.add(id(module))
        module.__spec__.loader.real.exec_module(module)  # type: ignore[union-attr]
        module.__class__ = types.ModuleType  # a plain module from now on


class _DeferredLoader:
    """Makes the package's module now and runs its `__init__` (with the real loader) later."""

    def __init__(self, real: Any) -> None:
        self.real = real

    def create_module(self, spec: ModuleSpec) -> types.ModuleType:
        return _DeferredPackage(spec.name)

    def exec_module(self, module: types.ModuleType) -> None:
        """Not yet: `_run_init` runs it when a name is first asked for. The names `import libcst`
        takes from it come from their submodules now."""
        _ARMED.add(id(module))
        try:
            for name, submodule in PREFILLED[module.__name__].items():
                module.__dict__[name] = getattr(import_module(submodule), name)
        except (ImportError, AttributeError):  # another libcst: its `__init__` runs now, as usual
            _run_init(module)

    def __getattr__(self, name: str) -> Any:  # get_source, get_resource_reader, ...: the real one's
        return getattr(self.real, name)


class _Finder:
    """Finds each package of `PREFILLED` once, as the path finder does, with the deferring loader."""

    @staticmethod
    def find_spec(fullname: str, path: Sequence[str] | None = None, target: Any = None) -> ModuleSpec | None:
        if fullname not in PREFILLED or fullname in _FOUND:
            return None
        _FOUND.add(fullname)
        if len(_FOUND) == len(PREFILLED) and _Finder in sys.meta_path:
            sys.meta_path.remove(_Finder)
        real = PathFinder.find_spec(fullname, path)
        if real is None or real.loader is None or not real.submodule_search_locations:
            return real
        spec = ModuleSpec(fullname, _DeferredLoader(real.loader), origin=real.origin, is_package=True)
        spec.submodule_search_locations = real.submodule_search_locations
        spec.cached = real.cached
        spec.has_location = real.has_location
        return spec


def defer_packages() -> None:
    """Run the `__init__` of `libcst.metadata` and `libcst.helpers` on first use from now on
    (no-op once libcst is in)."""
    if "libcst" in sys.modules or _FOUND or _Finder in sys.meta_path:
        return
    sys.meta_path.insert(0, _Finder)
