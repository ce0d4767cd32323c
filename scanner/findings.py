"""Finding identity: fingerprints that survive moved code, and the deterministic order."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from typing import Iterable, Sequence

from aisec.hooks import Finding

_WHITESPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Source text with all whitespace runs collapsed, so reformatting keeps fingerprints."""
    return _WHITESPACE.sub(" ", text).strip()


def assign_fingerprints(findings: Sequence[Finding], texts: Sequence[str]) -> list[Finding]:
    """Fingerprint = hash(code, path, normalised reported source, occurrence index).

    No line numbers: code that moves keeps its fingerprint (baselines, SARIF, GitLab). The
    occurrence index tells apart identical statements in one file.
    """
    seen: dict[tuple[str, str, str], int] = {}
    result = []
    for finding, text in zip(findings, texts, strict=True):
        key = (finding.code, finding.path, normalise(text))
        index = seen.get(key, 0)
        seen[key] = index + 1
        digest = hashlib.sha256("\0".join((*key, str(index))).encode("utf-8", "surrogateescape")).hexdigest()[
            :32
        ]
        result.append(dataclasses.replace(finding, fingerprint=digest))
    return result


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=Finding.sort_key)
