"""SHA-256 and HMAC-SHA256 from the C module behind `hashlib.sha256`, without hashlib's import of
OpenSSL (~3-4 ms of every run, a good part of a pre-commit run's budget). Same digests as
`hashlib.sha256` and `hmac.new(key, message, "sha256")` (tests compare them)."""

from __future__ import annotations

try:
    from _sha256 import sha256  # Python 3.10, 3.11
except ImportError:  # pragma: no cover - depends on the Python version
    try:
        from _sha2 import sha256  # Python 3.12+
    except ImportError:
        from hashlib import sha256
try:
    from _operator import _compare_digest as compare_digest
except ImportError:  # pragma: no cover - other Python implementations
    from hmac import compare_digest

_BLOCK = 64
_INNER = bytes(byte ^ 0x36 for byte in range(256))
_OUTER = bytes(byte ^ 0x5C for byte in range(256))


def hmac_sha256(secret: bytes, message: bytes) -> bytes:
    """HMAC-SHA256 (RFC 2104)."""
    key = (sha256(secret).digest() if len(secret) > _BLOCK else secret).ljust(_BLOCK, b"\0")
    inner = sha256(key.translate(_INNER) + message).digest()
    return sha256(key.translate(_OUTER) + inner).digest()


__all__ = ["compare_digest", "hmac_sha256", "sha256"]
