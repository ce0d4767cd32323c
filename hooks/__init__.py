"""aisec's plugin contract: everything a rule plugin imports, and nothing heavy.

    from aisec.hooks import Rule, Severity, hookimpl, cst

This package imports nothing from the engine or the built-in plugins and never imports libcst
eagerly (`cst` is a lazy proxy), so loading plugins stays cheap.
"""

from __future__ import annotations

from .context import UNKNOWN, ArgHelper, ArtifactInspector, FixHelper, NameResolver, ProjectInfo, RuleContext
from .hookspecs import PROJECT_NAME, hookimpl, hookspec
from .lazy import cst
from .rule import Rule
from .types import (
    Applicability,
    Confidence,
    Example,
    Finding,
    Fix,
    FixInfo,
    FormatOptions,
    Location,
    Report,
    ScanError,
    Severity,
    Summary,
)

__all__ = [
    "PROJECT_NAME",
    "UNKNOWN",
    "Applicability",
    "ArgHelper",
    "ArtifactInspector",
    "Confidence",
    "Example",
    "Finding",
    "Fix",
    "FixHelper",
    "FixInfo",
    "FormatOptions",
    "Location",
    "NameResolver",
    "ProjectInfo",
    "Report",
    "Rule",
    "RuleContext",
    "ScanError",
    "Severity",
    "Summary",
    "cst",
    "hookimpl",
    "hookspec",
]
