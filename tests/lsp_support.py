"""Shared by the `aisec server` tests: the optional LSP packages, and the server's command line."""

from __future__ import annotations

import importlib
import os
import sys
from types import ModuleType

import pytest

SERVER_COMMAND = [sys.executable, "-m", "aisec", "server"]


def need_module(module: str) -> ModuleType:
    """Import `module` (the lsp/test extras) or skip the test module; under CI=true a missing one
    fails instead."""
    try:
        return importlib.import_module(module)
    except ImportError:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{module} must be installed in CI (lsp and test extras)", pytrace=False)
        pytest.skip(f"{module} is not installed (pip install '.[lsp,test]')", allow_module_level=True)
