"""Finding identity: fingerprints that survive moved code, and the deterministic order."""

from __future__ import annotations

import dataclasses
import re
from typing import Callable, Iterable, Sequence

from aisec.hooks import Finding

from .sha import sha256

_WHITESPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Source text with all whitespace runs collapsed, so reformatting keeps fingerprints."""
    return _WHITESPACE.sub(" ", text).strip()


def assign_fingerprints(
    findings: Sequence[Finding], texts: Sequence[str], identity: Callable[[str], str] | None = None
) -> list[Finding]:
    """Fingerprint = hash(code, path, normalised reported source, occurrence index).

    No line numbers: code that moves keeps its fingerprint (baselines, SARIF, GitLab). The
    occurrence index tells apart identical statements in one file. `identity` maps a reported
    path to the one hashed (relative to the project root, so that a baseline matches from any
    folder).
    """
    seen: dict[tuple[str, str, str], int] = {}
    result = []
    for finding, text in zip(findings, texts, strict=True):
        # An artifact finding also covers what makes the file dangerous (its `content` digest), so
        # a baselined finding never masks the file once its content is swapped.
        content = (finding.artifact or {}).get("content")
        if content:
            text = f"{text}\0{content}"
        path = identity(finding.path) if identity is not None else finding.path
        key = (finding.code, path, normalise(text))
        index = seen.get(key, 0)
        seen[key] = index + 1
        digest = sha256("\0".join((*key, str(index))).encode("utf-8", "surrogateescape")).hexdigest()[:32]
        result.append(dataclasses.replace(finding, fingerprint=digest))
    return result


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=Finding.sort_key)
