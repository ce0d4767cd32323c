"""Hook specifications of the `aisec` pluggy project.

Every hook is called once per run, at registration time, never per file or per node.
Implement them in a module (or object) marked with `aisec.hooks.hookimpl` and expose it as an
entry point in the `aisec` group, or name it in `[tool.aisec] plugins`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Mapping

import pluggy

if TYPE_CHECKING:
    from .rule import Rule
    from .taint import TaintCatalog

PROJECT_NAME = "aisec"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def aisec_rules() -> Iterable[type[Rule]]:
    """Return the rule classes this plugin provides."""


@hookspec
def aisec_taint_catalog() -> TaintCatalog:
    """Return an `aisec.hooks.TaintCatalog` with extra sources, sinks and sanitizers.

    Every plugin's catalog and `[tool.aisec.taint]` are merged into one for the run.
    """


@hookspec
def aisec_artifact_inspectors() -> Iterable[Any]:
    """Return artifact inspectors for model-file formats."""


@hookspec
def aisec_formatters() -> Mapping[str, Any]:
    """Return output formats: name -> callable `(report: Report, options: FormatOptions) -> str`."""


@hookspec
def aisec_configure(config: Mapping[str, Any]) -> None:
    """Receive the effective `[tool.aisec]` table (read your own options from it)."""
