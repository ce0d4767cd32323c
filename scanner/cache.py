"""Per-file result cache: a file whose bytes, path and run settings are unchanged is not
re-scanned.

The run key covers everything else that can change a file's findings: aisec's version, the
enabled rules and the plugins that provide them, rule options, per-file ignores, output
settings and the project's dependency declarations (AIS102 reads the torch pin). Entries are
small JSON files written atomically, so parallel workers and interrupted runs cannot corrupt
the cache; anything unreadable is treated as a miss.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Iterable

from aisec.hooks import Applicability, Confidence, Finding, FixInfo, Location, RelatedLocation, Severity

from .engine import FileResult, file_signature

CACHE_FORMAT = 2  # 2: findings carry related locations


def run_key(parts: Iterable[Any]) -> str:
    """A digest of the settings that affect every file's result."""
    payload = json.dumps([CACHE_FORMAT, *parts], sort_keys=True, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:24]


def project_files_digest(root: Path) -> str:
    """Digest of the dependency declarations rules may read (pyproject, requirements)."""
    digest = hashlib.sha256()
    for path in [root / "pyproject.toml", *sorted(root.glob("requirements*.txt"))]:
        try:
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
        except OSError:
            continue
    return digest.hexdigest()


class ResultCache:
    def __init__(self, folder: Path, key: str) -> None:
        self.folder = folder / f"v{CACHE_FORMAT}" / key

    def _entry(self, path: str, data: bytes) -> Path:
        digest = hashlib.sha256(path.encode("utf-8", "surrogateescape") + b"\0" + data).hexdigest()
        return self.folder / digest[:2] / f"{digest[2:]}.json"

    def get(self, path: str, data: bytes, *, source: bool = True) -> FileResult | None:
        """The cached result for `path` with content (or, for artifacts, signature) `data`."""
        try:
            raw = json.loads(self._entry(path, data).read_text(encoding="utf-8"))
            result = _result_from_json(raw)
        except (OSError, ValueError, KeyError, TypeError):
            return None
        for dependency, signature in result.dependencies.items():
            if file_signature(Path(dependency)) != signature:
                return None  # a model file the code loads has changed: scan again
        if source and result.findings:
            result.lines = data.decode(result.encoding, "replace").splitlines()
        return result

    def put(self, path: str, data: bytes, result: FileResult) -> None:
        entry = self._entry(path, data)
        try:
            entry.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=entry.parent, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(_result_to_json(result), handle)
            os.replace(tmp, entry)
        except OSError:
            return  # a read-only or full disk only costs speed


def _location_to_json(loc: Location) -> list[Any]:
    return [loc.path, loc.line, loc.column, loc.end_line, loc.end_column]


def _finding_to_json(finding: Finding) -> dict[str, Any]:
    loc = finding.location
    return {
        "code": finding.code,
        "name": finding.name,
        "severity": finding.severity.value,
        "confidence": finding.confidence.value,
        "location": _location_to_json(loc),
        "message": finding.message,
        "cwe": finding.cwe,
        "fix": None if finding.fix is None else [finding.fix.applicability.value, finding.fix.diff],
        "fingerprint": finding.fingerprint,
        "artifact": finding.artifact,
        "cell": finding.cell,
        "suppressed": finding.suppressed,
        "related": [[*_location_to_json(r.location), r.message] for r in finding.related],
    }


def _finding_from_json(raw: dict[str, Any]) -> Finding:
    fix = raw["fix"]
    return Finding(
        code=raw["code"],
        name=raw["name"],
        severity=Severity(raw["severity"]),
        confidence=Confidence(raw["confidence"]),
        location=Location(*raw["location"]),
        message=raw["message"],
        cwe=raw["cwe"],
        fix=None if fix is None else FixInfo(Applicability(fix[0]), fix[1]),
        fingerprint=raw["fingerprint"],
        artifact=raw["artifact"],
        cell=raw["cell"],
        suppressed=raw["suppressed"],
        related=tuple(RelatedLocation(Location(*r[:5]), r[5]) for r in raw["related"]),
    )


def _result_to_json(result: FileResult) -> dict[str, Any]:
    return {
        "path": result.path,
        "findings": [_finding_to_json(f) for f in result.findings],
        "parsed": result.parsed,
        "skipped_by_prefilter": result.skipped_by_prefilter,
        "encoding": result.encoding,
        "dependencies": result.dependencies,
    }


def _result_from_json(raw: dict[str, Any]) -> FileResult:
    return FileResult(
        raw["path"],
        findings=[_finding_from_json(f) for f in raw["findings"]],
        parsed=raw["parsed"],
        skipped_by_prefilter=raw["skipped_by_prefilter"],
        encoding=raw["encoding"],
        cached=True,
        dependencies={path: tuple(sig) for path, sig in raw["dependencies"].items()},
    )
