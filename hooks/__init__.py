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
from .taint import (
    CAST,
    CLI,
    ENCODER,
    GUARD,
    INDIRECT,
    INPUT,
    INSTRUCTION,
    LLM_OUTPUT,
    MESSAGE,
    MESSAGES,
    REMOTE,
    TAINT_SINKS,
    TAINT_SOURCES,
    TEMPLATE,
    USER,
    ParameterSource,
    Sanitizer,
    Sink,
    SinkArgument,
    SinkFlow,
    Source,
    TaintCatalog,
    TaintFact,
    TaintFacts,
    sinks_marker,
    sources_marker,
)
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
    "CAST",
    "CLI",
    "ENCODER",
    "GUARD",
    "INDIRECT",
    "INPUT",
    "INSTRUCTION",
    "LLM_OUTPUT",
    "MESSAGE",
    "MESSAGES",
    "PROJECT_NAME",
    "REMOTE",
    "TAINT_SINKS",
    "TAINT_SOURCES",
    "TEMPLATE",
    "UNKNOWN",
    "USER",
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
    "ParameterSource",
    "ProjectInfo",
    "Report",
    "Rule",
    "RuleContext",
    "Sanitizer",
    "ScanError",
    "Severity",
    "Sink",
    "SinkArgument",
    "SinkFlow",
    "Source",
    "Summary",
    "TaintCatalog",
    "TaintFact",
    "TaintFacts",
    "cst",
    "hookimpl",
    "hookspec",
    "sinks_marker",
    "sources_marker",
]
