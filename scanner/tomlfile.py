"""The TOML parser, imported only when a file must be parsed, and the one question both the full
config loader and the pre-commit fast path ask of a `pyproject.toml`: does it configure aisec?
(Kept apart from `config`, which imports the engine, so the fast path can ask it cheaply.)"""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def toml_parser() -> Any:
    """`tomllib` (`tomli` before Python 3.11); ~2.5 ms to import, so only when needed."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib
    return tomllib


def configures_aisec(pyproject: bytes) -> bool:
    """Whether a pyproject.toml's bytes configure aisec, also as `[tool] aisec = {...}` or
    dotted keys (parsed only when `aisec` occurs other than as `[tool.aisec`)."""
    if b"[tool.aisec" in pyproject:
        return True  # the common spelling; read_table reports it if the file is broken
    if b"aisec" not in pyproject:
        return False
    try:
        tool = toml_parser().loads(pyproject.decode("utf-8")).get("tool")
    except (ValueError, UnicodeDecodeError):
        return False
    return isinstance(tool, dict) and "aisec" in tool
