"""The JSON output contract (`version: 1`), documented in the README."""

from __future__ import annotations

import json
from typing import Any

from aisec.hooks import Finding, FormatOptions, Location, Report


def _location(loc: Location) -> dict[str, Any]:
    return {
        "path": loc.path,
        "line": loc.line,
        "column": loc.column,
        "end_line": loc.end_line,
        "end_column": loc.end_column,
    }


def finding_to_dict(finding: Finding) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": finding.code,
        "name": finding.name,
        "severity": finding.severity.value,
        "confidence": finding.confidence.value,
        **_location(finding.location),
        "message": finding.message,
        "cwe": finding.cwe,
        "fix": None
        if finding.fix is None
        else {"applicability": finding.fix.applicability.value, "diff": finding.fix.diff},
        "fingerprint": finding.fingerprint,
        "artifact": None if finding.artifact is None else dict(finding.artifact),
    }
    if finding.related:
        data["related"] = [{**_location(r.location), "message": r.message} for r in finding.related]
    if finding.cell is not None:
        data["cell"] = finding.cell
        if finding.cell_line is not None:
            data["cell_line"] = finding.cell_line
    if finding.suppressed:
        data["suppressed"] = True
    return data


def format_json(report: Report, options: FormatOptions) -> str:
    summary = report.summary
    payload = {
        "version": 1,
        "tool": {"name": "aisec", "version": report.tool_version},
        "findings": [finding_to_dict(f) for f in report.findings],
        "errors": [{"path": e.path, "message": e.message} for e in report.errors],
        "summary": {
            "files": summary.files,
            "parsed": summary.parsed,
            "skipped_by_prefilter": summary.skipped_by_prefilter,
            "cached": summary.cached,
            "findings": summary.findings,
        },
    }
    return json.dumps(payload, indent=2) + "\n"
