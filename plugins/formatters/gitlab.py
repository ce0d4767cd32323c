"""GitLab Code Quality report (`artifacts:reports:codequality`): a JSON array of issues.

Each issue has `description`, `check_name`, `fingerprint` (unique per finding: GitLab shows
only the first of identical ones), `severity` and `location.path` + `location.lines.begin`
(and `lines.end`). Lines, not `positions`: GitLab's merge-request widget and diff view show
only the line, so columns would add fields without adding anything a reviewer sees.
`location.path` is relative to the repository root (`FormatOptions.root`), whichever folder aisec
ran in; a notebook finding names its cell and the line in it in the description.
Scan errors are not issues: they go to stderr and make the run exit 2.
"""

from __future__ import annotations

import json
from typing import Any

from aisec.hooks import Finding, FormatOptions, Report, Severity
from aisec.sha import sha256

from .github import repository_path
from .text import cell_label

SEVERITIES = {
    Severity.INFO: "info",
    Severity.LOW: "minor",
    Severity.MEDIUM: "major",
    Severity.HIGH: "critical",
    Severity.CRITICAL: "blocker",
}


def _unique(fingerprint: str, finding: Finding, seen: set[str]) -> str:
    """The finding's own fingerprint (stable across runs, so GitLab can tell new issues from
    fixed ones); a derived one only when it is missing or already used in this report."""
    candidate = (
        fingerprint
        or sha256("\0".join((finding.code, finding.path, finding.message)).encode("utf-8")).hexdigest()[:32]
    )
    salt = 0
    unique = candidate
    while unique in seen:
        salt += 1
        unique = sha256(f"{candidate}\0{salt}".encode()).hexdigest()[:32]
    seen.add(unique)
    return unique


def issue(finding: Finding, fingerprint: str, options: FormatOptions) -> dict[str, Any]:
    loc = finding.location
    begin = max(1, loc.line)
    description = f"{finding.code}: {finding.message}"
    if finding.cell is not None:
        description += f" ({cell_label(finding)})"
    severity = SEVERITIES[finding.severity]
    if finding.suppressed:  # only present with --show-suppressed
        description += " (suppressed)"
        severity = "info"
    return {
        "description": description,
        "check_name": finding.code,
        "fingerprint": fingerprint,
        "severity": severity,
        "location": {
            "path": repository_path(loc.path, options),
            "lines": {"begin": begin, "end": max(begin, loc.end_line)},
        },
    }


def format_gitlab(report: Report, options: FormatOptions) -> str:
    seen: set[str] = set()
    issues = [issue(f, _unique(f.fingerprint, f, seen), options) for f in report.findings]
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
