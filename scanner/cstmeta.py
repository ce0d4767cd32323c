"""`libcst.metadata` imported on first use, not with `import libcst`: ~8 ms of a one-file run.

`libcst/__init__.py` takes two names from submodules of `libcst.metadata` (`base_provider`,
`wrapper`), and Python runs a package's `__init__` before any submodule: so every `import libcst`
also ran `libcst/metadata/__init__.py`, which imports every metadata provider (scope, name,
type inference with `subprocess`, the full-repository manager, ...) that aisec never uses: it
needs libcst's position provider only, imported from its own submodule. That was about 8 ms of
the ~50 ms `import libcst` costs a pre-commit run that parses a file.

`defer_metadata()` (the console script's full path, before anything imports libcst) puts a
finder on `sys.meta_path` for that one package. The package is then imported as usual (its
module is in `sys.modules`, is `libcst.metadata`, has its `__path__`, `__file__` and `__spec__`,
and its submodules import as before), but its `__init__` runs only when a name it defines is
first asked for (`libcst.metadata.ScopeProvider`, `from libcst.metadata import *`, a plugin's
`cst.metadata.PositionProvider`), under a lock, in the same module object; from then on the
module is a plain module. What it defines is then exactly what the normal import defines: the
same code ran in the same namespace, only later. The finder removes itself after its one use;
in-process callers (tests, the language server) import libcst as usual.
"""

from __future__ import annotations

import sys
import types
from _thread import RLock
from importlib.machinery import ModuleSpec, PathFinder

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Sequence

PACKAGE = "libcst.metadata"
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
        """Not yet: `_run_init` runs it when a name is first asked for."""
        _ARMED.add(id(module))

    def __getattr__(self, name: str) -> Any:  # get_source, get_resource_reader, ...: the real one's
        return getattr(self.real, name)


class _Finder:
    """Finds `PACKAGE` once, as the path finder does, with the deferring loader."""

    @staticmethod
    def find_spec(fullname: str, path: Sequence[str] | None = None, target: Any = None) -> ModuleSpec | None:
        if fullname != PACKAGE:
            return None
        if _Finder in sys.meta_path:
            sys.meta_path.remove(_Finder)
        real = PathFinder.find_spec(fullname, path)
        if real is None or real.loader is None or not real.submodule_search_locations:
            return real
        spec = ModuleSpec(fullname, _DeferredLoader(real.loader), origin=real.origin, is_package=True)
        spec.submodule_search_locations = real.submodule_search_locations
        spec.cached = real.cached
        spec.has_location = real.has_location
        return spec


def defer_metadata() -> None:
    """Import `libcst.metadata`'s `__init__` on first use from now on (no-op once libcst is in)."""
    if PACKAGE in sys.modules or "libcst" in sys.modules or _Finder in sys.meta_path:
        return
    sys.meta_path.insert(0, _Finder)
