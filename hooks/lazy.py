"""A lazy stand-in for the `libcst` module.

`import libcst` costs about 0.3 s, which is most of a pre-commit run on a file that needs no
parsing. Rule modules write `from aisec.hooks import cst` and use `cst.Call`, `cst.Name`, ...
inside their visitor methods; the real module is imported on the first attribute access, which
only happens once a file has been parsed (and libcst is loaded anyway).
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class LazyModule:
    """Imports `module_name` on first attribute access and forwards to it."""

    def __init__(self, module_name: str) -> None:
        self._module_name = module_name
        self._module: ModuleType | None = None

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        if self._module is None:
            self._module = importlib.import_module(self._module_name)
        return getattr(self._module, attr)

    def __repr__(self) -> str:
        state = "loaded" if self._module is not None else "not loaded"
        return f"<lazy module {self._module_name!r} ({state})>"


cst = LazyModule("libcst")
