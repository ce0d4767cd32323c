"""`aisec check --artifacts-only`: every given file is a candidate model artifact.

Files are recognised by their first bytes (pickle, zip, npy, compression or Git-LFS
signatures), never by extension, so a renamed pickle is still inspected and a sentencepiece
`.model` file is skipped silently. Inspection is done by the inspectors that plugins register
(`aisec_artifact_inspectors`); results are cached by path, size, mtime and inode, because
hashing multi-GB checkpoints on every commit would defeat the point.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from aisec.hooks import Confidence, Finding, Location, Rule, ScanError

from .engine import FileResult, file_signature
from .findings import assign_fingerprints

HEAD_BYTES = 512


def inspect_artifact(
    path: Path,
    shown: str,
    inspectors: Sequence[Any],
    rules: dict[str, type[Rule]],
    identity: Callable[[str], str] | None = None,
) -> FileResult:
    """Findings for one candidate artifact file (enabled AIS4xx codes only); `identity` maps the
    shown path to the one fingerprints hash (`findings.assign_fingerprints`)."""
    result = FileResult(shown)
    try:
        with path.open("rb") as handle:
            head = handle.read(HEAD_BYTES)
    except OSError as exc:
        result.errors.append(ScanError(shown, f"cannot read: {exc.strerror or exc}"))
        return result
    for inspector in inspectors:
        if not inspector.recognises(head):
            continue
        result.parsed = True
        result.findings.extend(_findings(shown, inspector.inspect(path), rules, identity))
    if not result.parsed:
        result.skipped_by_prefilter = True
    return result


def _findings(
    shown: str, verdicts: Iterable[Any], rules: dict[str, type[Rule]], identity: Callable[[str], str] | None
) -> list[Finding]:
    findings, texts = [], []
    for verdict in verdicts:
        rule = rules.get(verdict.code) if verdict.code else None
        if rule is None:
            continue  # nothing to report, or the code is not enabled
        member = verdict.member
        findings.append(
            Finding(
                code=rule.code,
                name=rule.name,
                severity=verdict.severity or rule.severity,
                confidence=Confidence.HIGH,
                location=Location(shown, 1, 1, 1, 1),
                message=verdict.message,
                cwe=rule.cwe,
                artifact={
                    "path": shown,
                    "member": member,
                    "referenced_from": None,
                    "content": getattr(verdict, "content_key", None),
                },
            )
        )
        texts.append(f"{member}\0{verdict.message}")
    return assign_fingerprints(findings, texts, identity)


def signature_key(path: Path) -> str:
    """Cache key part for an artifact: its absolute path and (size, mtime_ns, inode)."""
    size, mtime, inode = file_signature(path)
    return f"{path.absolute()}\0{size}\0{mtime}\0{inode}"
