"""Result and budget types of artifact inspection: `Limits`, `Status`, `ArtifactVerdict`.

Plain dataclasses only (no fickling import), so the engine can type against them cheaply.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from aisec.hooks import Severity
from aisec.sha import sha256

MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Budgets of one inspection (`[tool.aisec.artifacts]`).

    `max_pickle_bytes` is per pickle stream (tensor storages, joblib array bytes and large opaque
    constants such as in-band array buffers are not opcodes and do not count); `max_decompressed_bytes`
    caps everything inflated from one artifact file (zip members, gzip/bz2/xz/zlib/lz4/zstd layers);
    `max_opcodes` is per pickle stream;
    `timeout_seconds` is a deadline for the whole artifact file.
    """

    max_pickle_bytes: int = 64 * MIB
    max_decompressed_bytes: int = 2048 * MIB
    max_opcodes: int = 5_000_000
    timeout_seconds: float = 30.0

    @classmethod
    def from_config(cls, table: dict | None) -> Limits:
        """Build from the `[tool.aisec.artifacts]` table (kebab-case keys; missing keys keep defaults)."""
        table = table or {}
        defaults = cls()
        return cls(
            max_pickle_bytes=int(table.get("max-pickle-bytes", defaults.max_pickle_bytes)),
            max_decompressed_bytes=int(table.get("max-decompressed-bytes", defaults.max_decompressed_bytes)),
            max_opcodes=int(table.get("max-opcodes", defaults.max_opcodes)),
            timeout_seconds=float(table.get("timeout-seconds", defaults.timeout_seconds)),
        )


class Status(str, enum.Enum):
    """What inspection concluded about one pickle stream, member or file."""

    MALICIOUS = "malicious"  # AIS401 (high/critical): dangerous or non-allowlisted callables are called
    SUSPICIOUS = "suspicious"  # AIS401 (medium): non-allowlisted imports that are not called
    CLEAN = "clean"  # AIS402 (info): pickle-based, only allowlisted imports
    INCOMPLETE = "incomplete"  # AIS403: not fully inspected; `reason` says why
    NO_PICKLE = "no-pickle"  # recognised format without pickle data (plain .npy, zip of data): no finding
    UNRECOGNISED = "unrecognised"  # no known signature: the engine decides (skip or AIS403 medium)

    def __str__(self) -> str:
        return self.value


RULE_FOR_STATUS = {
    Status.MALICIOUS: "AIS401",
    Status.SUSPICIOUS: "AIS401",
    Status.CLEAN: "AIS402",
    Status.INCOMPLETE: "AIS403",
}


@dataclass
class ArtifactVerdict:
    """The verdict on one pickle stream (or container member, or the whole file).

    `member` names the stream inside the file: `archive/data.pkl`, `stream 2` (stacked pickles,
    legacy torch), `prefix` (pickle before a zip), `storages` (tar); None for a single stream.
    `imports` are `module.name` strings as the unpickler would resolve them; `calls` are the
    callables invoked (`os.system`, `torch._utils._rebuild_tensor_v2`, `<computed>`, ...);
    `offending` lists what made the verdict MALICIOUS/SUSPICIOUS, each with a short why.
    `offset` is the byte offset of the stream in the file (or in the decompressed member).
    """

    member: str | None
    format: str
    status: Status
    severity: Severity | None = None
    imports: list[str] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    offending: list[str] = field(default_factory=list)
    reason: str | None = None
    offset: int | None = None
    details: dict = field(default_factory=dict)

    @property
    def code(self) -> str | None:
        """The rule this verdict maps to (AIS401/402/403), None when there is nothing to report."""
        return RULE_FOR_STATUS.get(self.status)

    @property
    def message(self) -> str:
        """A one-line human message for the finding (the engine prefixes the code location)."""
        where = f"{self.member}: " if self.member else ""
        if self.status in (Status.MALICIOUS, Status.SUSPICIOUS):
            what = "; ".join(self.offending[:6]) or "unsafe imports"
            more = f" (+{len(self.offending) - 6} more)" if len(self.offending) > 6 else ""
            head = (
                "pickle runs unsafe code when loaded"
                if self.status is Status.MALICIOUS
                else "pickle imports globals outside the allowlist"
            )
            tail = f" (note: {self.reason})" if self.reason else ""
            return f"{where}{head} ({self.format}): {what}{more}{tail}"
        if self.status is Status.CLEAN:
            return (
                f"{where}pickle-based artifact ({self.format}): its imports are allowlisted, but loading "
                "pickles from untrusted sources runs code; prefer safetensors"
            )
        if self.status is Status.INCOMPLETE:
            seen = f" (imports seen before stopping: {', '.join(self.imports[:8])})" if self.imports else ""
            return f"{where}artifact not fully inspected ({self.format}): {self.reason}{seen}"
        return f"{where}{self.format}: {self.reason or self.status.value}"

    @property
    def content_key(self) -> str | None:
        """A digest of what makes this verdict a finding: the offending globals and tricks at
        their severity (AIS401), or why inspection stopped (AIS403). Part of the finding's
        fingerprint, so a baseline entry never covers different dangerous content."""
        if self.status in (Status.MALICIOUS, Status.SUSPICIOUS):
            basis = [str(self.severity), *sorted(self.offending)]
        elif self.status is Status.INCOMPLETE:
            basis = [str(self.severity), self.reason or "", *self.imports]
        else:
            return None
        return "sha256:" + sha256("\0".join(basis).encode("utf-8")).hexdigest()[:16]

    def to_dict(self) -> dict:
        return {
            "member": self.member,
            "format": self.format,
            "status": self.status.value,
            "severity": self.severity.value if self.severity else None,
            "code": self.code,
            "imports": list(self.imports),
            "calls": list(self.calls),
            "offending": list(self.offending),
            "reason": self.reason,
            "offset": self.offset,
        }


# The brief's name for the same type.
Verdict = ArtifactVerdict
