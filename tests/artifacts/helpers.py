"""Test helpers: optional heavy libraries are skipped locally and required in CI."""

from __future__ import annotations

import importlib
import os
from types import ModuleType

import pytest


def need(module: str) -> ModuleType:
    """Import `module` or skip; with CI=true a missing module fails the test instead."""
    try:
        return importlib.import_module(module)
    except ImportError:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{module} must be installed in CI (test extra)")
        pytest.skip(f"{module} is not installed")
