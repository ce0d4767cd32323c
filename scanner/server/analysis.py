"""Scanning one snapshot with its project's session: the findings and errors of one version.

This runs on a worker thread, never on the server's event loop. It uses the engine exactly as
`aisec check` does (`run.scan_source` with the project's scanner and result cache), so a saved
file the CLI has already checked is a cache hit, and nothing here can raise: every problem
becomes an error message shown on the document.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from aisec.discovery import display_path
from aisec.engine import FileResult
from aisec.hooks import Applicability, Finding
from aisec.run import scan_source

from .documents import Snapshot
from .projects import Project, ProjectError, Projects

Log = Callable[[str], None]


@dataclass
class Analysis:
    """What one scan of a snapshot found."""

    snapshot: Snapshot
    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    rules: dict[str, Any] = field(default_factory=dict)
    rule_docs_url: str = ""  # the project's `rule-docs-url`: where rule pages are published


def analyse(projects: Projects, snapshot: Snapshot, log: Log, *, store: bool = False) -> Analysis:
    """Scan a snapshot. `store`: the snapshot is the saved file, worth a result-cache entry."""
    analysis = Analysis(snapshot)
    try:
        project = projects.for_path(snapshot.path)
    except ProjectError as exc:
        analysis.errors.append(str(exc))
        log(f"{snapshot.path}: {exc}")
        return analysis
    analysis.rules = project.rules
    analysis.rule_docs_url = project.session.config.rule_docs_url
    if project.excluded(snapshot.path):
        return analysis
    result = _scan(project, snapshot, log, analysis, store=store)
    if result is not None:
        analysis.findings = [finding for finding in result.findings if not finding.suppressed]
    return analysis


def fix_scan(
    projects: Projects, snapshot: Snapshot, fix: Applicability | None, log: Log
) -> FileResult | None:
    """A scan that renders every fix as a diff and, with `fix`, applies fixes up to that safety."""
    try:
        project = projects.for_path(snapshot.path)
    except ProjectError:
        return None
    if project.excluded(snapshot.path):
        return None
    project.fix_scanner().forget_project_modules()
    return _run(
        lambda: project.fix_scanner().scan_bytes(_shown(snapshot.path), snapshot.data, fix), log, snapshot
    )


def _scan(
    project: Project, snapshot: Snapshot, log: Log, analysis: Analysis, *, store: bool
) -> FileResult | None:
    cache = None if snapshot.is_notebook else project.cache  # a notebook's JSON is rebuilt from its cells
    shown = _shown(snapshot.path)
    project.scanner.forget_project_modules()  # helper modules may have changed since the last scan
    result = _run(
        lambda: scan_source(project.scanner, shown, snapshot.data, None, cache, store=store), log, snapshot
    )
    if result is None:
        analysis.errors.append("internal error while scanning this file; the server log has the traceback")
        return None
    for error in result.errors:
        analysis.errors.append(error.message)
        log(f"{error.path}: {error.message}")
    return result


def _run(scan: Callable[[], FileResult], log: Log, snapshot: Snapshot) -> FileResult | None:
    try:
        return scan()
    except Exception:  # an aisec bug must cost one document its diagnostics, not the server
        log(f"{snapshot.path}: internal error (please report it):\n{traceback.format_exc()}")
        return None


def _shown(path: Path) -> str:
    """The name `aisec check` run from the server's folder would give the file."""
    return display_path(path, Path.cwd())
