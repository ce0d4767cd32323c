"""`exclude` and `per-file-ignores` for the files findings are located in, model artifacts included.

A model file that code loads is reported at the model file (AIS401-AIS403), not at the code.
So that an intentional malicious test fixture can be excluded by path, the same patterns that
decide which code files are checked also decide which artifact findings are kept, in both the
code hook and the artifacts hook (`--artifacts-only`), and `aisec config PATH` shows which
pattern applies to a path.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from aisec.hooks import Finding

from .config import Config
from .discovery import match_path
from .selection import matching_codes, path_matches


@dataclass(frozen=True)
class PathPolicy:
    """What the configuration says about one path."""

    path: str  # as the patterns see it: relative to the project root
    excluded_by: str | None  # the first exclude pattern that matches
    ignores: dict[str, list[str]]  # per-file-ignores pattern -> its codes, for the matching ones


def policy_for(path: str, config: Config, cwd: Path) -> PathPolicy:
    relative = match_path(Path(path), cwd, config.root)
    excluded_by = next((p for p in config.excludes if path_matches(relative, p)), None)
    ignores = {p: codes for p, codes in config.per_file_ignores.items() if path_matches(relative, p)}
    return PathPolicy(relative, excluded_by, ignores)


def filter_artifact_findings(
    findings: Iterable[Finding], config: Config, cwd: Path, codes: Iterable[str]
) -> list[Finding]:
    """Drop artifact findings whose artifact is excluded (for artifacts that code references;
    files named to `--artifacts-only` went through discovery's own exclude handling) or whose
    code is ignored for the artifact's path by `per-file-ignores`."""
    known = list(codes)
    kept = []
    policies: dict[str, PathPolicy] = {}
    for finding in findings:
        if finding.artifact is None:
            kept.append(finding)
            continue
        policy = policies.get(finding.path)
        if policy is None:
            policy = policies[finding.path] = policy_for(finding.path, config, cwd)
        referenced = bool(finding.artifact.get("referenced_from"))
        if referenced and policy.excluded_by is not None:
            continue
        ignored = set().union(*(matching_codes(known, c) for c in policy.ignores.values()))
        if finding.code in ignored:
            continue
        kept.append(finding)
    return kept
