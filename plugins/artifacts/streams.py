"""Bounded byte sources: file regions, in-memory bytes and streaming decompression with a cap.

Everything the inspector reads goes through a `ByteSource`, so no read is unbounded: decompressors
produce at most `max_length` bytes per call and share one per-artifact `Budget` of decompressed
bytes and one deadline.
"""

from __future__ import annotations

import bz2
import lzma
import time
import zlib
from typing import BinaryIO

CHUNK = 1 << 20


class BudgetExceeded(Exception):
    """A per-artifact budget (decompressed bytes, time) ran out; `str()` says which."""


class Budget:
    """Shared by every reader of one artifact file: decompressed-byte cap and deadline."""

    def __init__(self, max_decompressed_bytes: int, timeout_seconds: float) -> None:
        self.max_decompressed = max_decompressed_bytes
        self.decompressed = 0
        self.deadline = time.monotonic() + timeout_seconds
        self.timeout_seconds = timeout_seconds

    def add_decompressed(self, n: int) -> None:
        self.decompressed += n
        if self.decompressed > self.max_decompressed:
            raise BudgetExceeded(
                f"more than max-decompressed-bytes ({self.max_decompressed} bytes) inflated "
                "(compression or zip bomb?)"
            )

    def remaining_decompressed(self) -> int:
        return max(0, self.max_decompressed - self.decompressed)

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise BudgetExceeded(f"timeout-seconds ({self.timeout_seconds:g} s) exceeded")

    def time_left(self) -> float:
        return self.deadline - time.monotonic()


class RawReader:
    """Minimal interface of what a `ByteSource` reads from."""

    def read(self, n: int) -> bytes:  # pragma: no cover - interface
        raise NotImplementedError

    def skip(self, n: int) -> int:
        """Discard up to n bytes; returns how many were discarded."""
        done = 0
        while done < n:
            part = self.read(min(CHUNK, n - done))
            if not part:
                break
            done += len(part)
        return done


class FileRegion(RawReader):
    """Bytes `[start, end)` of a seekable binary file. Also a file-like object (for `tarfile`)."""

    def __init__(self, f: BinaryIO, start: int, end: int) -> None:
        self.f = f
        self.start = start
        self.end = max(start, end)
        self.pos = start

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0:
            n = self.end - self.pos
        n = min(n, self.end - self.pos)
        if n <= 0:
            return b""
        self.f.seek(self.pos)
        data = self.f.read(n)
        self.pos += len(data)
        return data

    def skip(self, n: int) -> int:
        n = max(0, min(n, self.end - self.pos))
        self.pos += n
        return n

    # file-like protocol for tarfile
    def seek(self, offset: int, whence: int = 0) -> int:
        if whence == 0:
            target = self.start + offset
        elif whence == 1:
            target = self.pos + offset
        else:
            target = self.end + offset
        self.pos = min(max(self.start, target), self.end)
        return self.pos - self.start

    def tell(self) -> int:
        return self.pos - self.start

    def seekable(self) -> bool:
        return True

    def readable(self) -> bool:
        return True

    @property
    def size(self) -> int:
        return self.end - self.start


class BytesReader(RawReader):
    def __init__(self, data: bytes | bytearray | memoryview) -> None:
        self.data = memoryview(data)
        self.pos = 0

    def read(self, n: int) -> bytes:
        chunk = self.data[self.pos : self.pos + n].tobytes()
        self.pos += len(chunk)
        return chunk

    def skip(self, n: int) -> int:
        n = max(0, min(n, len(self.data) - self.pos))
        self.pos += n
        return n


def _lz4_decompressor():
    """The `lz4` package's decoder when installed (fast), else aisec's own pure-Python one."""
    try:
        import lz4.frame
    except ImportError:
        from .lz4frame import LZ4FrameDecompressor

        return LZ4FrameDecompressor()
    return lz4.frame.LZ4FrameDecompressor()


def make_decompressor(kind: str):
    """A fresh decompressor object for `kind`; ImportError for zstd on a Python without
    `compression.zstd` (3.14+)."""
    if kind == "gzip":
        return zlib.decompressobj(wbits=31)
    if kind == "zlib":
        return zlib.decompressobj()
    if kind == "deflate":  # raw deflate (zip method 8)
        return zlib.decompressobj(wbits=-15)
    if kind == "bz2":
        return bz2.BZ2Decompressor()
    if kind in ("xz", "lzma"):
        return lzma.LZMADecompressor(format=lzma.FORMAT_AUTO)
    if kind == "zip-lzma":
        import zipfile

        return zipfile.LZMADecompressor()  # type: ignore[attr-defined]
    if kind == "lz4":
        return _lz4_decompressor()
    if kind == "zstd":
        from compression import zstd  # type: ignore[import-not-found]

        return zstd.ZstdDecompressor()
    raise ValueError(kind)


class DecompressReader(RawReader):
    """Streams decompressed bytes of `inner`, charging every output byte to `budget`.

    Concatenated members (gzip, bz2, xz, lz4 frames) are followed like the standard library's
    file readers do. Corrupt input ends the stream early and sets `error`.
    """

    def __init__(self, inner: RawReader, kind: str, budget: Budget) -> None:
        self.inner = inner
        self.kind = kind
        self.budget = budget
        self.dec = make_decompressor(kind)
        self.pending = b""  # compressed input not yet fed
        self.eof = False
        self.error: str | None = None
        self.produced = 0

    def _decompress(self, data: bytes, max_length: int) -> bytes:
        dec = self.dec
        if isinstance(dec, type(zlib.decompressobj())):
            out = dec.decompress(data, max_length)
            self.pending = dec.unconsumed_tail
            return out
        out = dec.decompress(data, max_length)
        self.pending = b""
        return out

    def _finished(self) -> bool:
        return bool(getattr(self.dec, "eof", False))

    def read(self, n: int) -> bytes:
        out = bytearray()
        try:
            while len(out) < n and not self.eof:
                self.budget.check_time()
                if self._finished():
                    rest = (getattr(self.dec, "unused_data", b"") or b"") + self.pending
                    self.pending = b""
                    if self.kind in ("zlib", "deflate", "zip-lzma") or not rest.strip(b"\x00"):
                        self.eof = True
                        break
                    self.dec = make_decompressor(self.kind)
                    self.pending = rest
                data = self.pending
                needs_input = getattr(self.dec, "needs_input", None)
                if not data and (needs_input is None or needs_input):
                    data = self.inner.read(CHUNK)
                    if not data:
                        if needs_input is False:
                            data = b""
                        else:
                            self.eof = True
                            if not self._finished():
                                self.error = f"{self.kind} stream is truncated"
                            break
                self.pending = b""
                want = n - len(out)
                chunk = self._decompress(data, want)
                if chunk:
                    self.budget.add_decompressed(len(chunk))
                    self.produced += len(chunk)
                    out += chunk
                elif not data and not self._finished():
                    # no input, no output, not finished: the decompressor is stuck
                    self.eof = True
                    self.error = f"{self.kind} stream is truncated"
        except (zlib.error, OSError, EOFError, lzma.LZMAError, ValueError, RuntimeError) as exc:
            self.eof = True
            self.error = f"{self.kind} data is corrupt ({exc})"
        return bytes(out)


class ByteSource:
    """A buffered sequential reader with `offset` bookkeeping, used by the opcode walker."""

    def __init__(self, raw: RawReader, base_offset: int = 0) -> None:
        self.raw = raw
        self.buf = b""
        self.i = 0
        self.base = base_offset  # absolute offset of buf[0]
        self.exhausted = False

    @property
    def offset(self) -> int:
        return self.base + self.i

    def _fill(self, n: int) -> bool:
        """Make n bytes available from i; False when the source ends first."""
        avail = len(self.buf) - self.i
        if avail >= n:
            return True
        if self.exhausted:
            return False
        keep = self.buf[self.i :]
        self.base += self.i
        self.i = 0
        parts = [keep]
        have = len(keep)
        while have < n:
            part = self.raw.read(max(CHUNK, n - have))
            if not part:
                self.exhausted = True
                break
            parts.append(part)
            have += len(part)
        self.buf = b"".join(parts)
        return have >= n

    def at_eof(self) -> bool:
        return not self._fill(1)

    def read_byte(self) -> int:
        if self.i >= len(self.buf) and not self._fill(1):
            return -1
        b = self.buf[self.i]
        self.i += 1
        return b

    def read(self, n: int) -> bytes | None:
        """Exactly n bytes, or None if the source ends first (the position then is at the end)."""
        if not self._fill(n):
            self.i = len(self.buf)
            return None
        data = self.buf[self.i : self.i + n]
        self.i += n
        return data

    def peek(self, n: int) -> bytes:
        self._fill(n)
        return self.buf[self.i : self.i + n]

    def readline(self, maxlen: int) -> bytes | None:
        """A line including its '\\n' (at most maxlen bytes), or None if none ends in time."""
        while True:
            j = self.buf.find(b"\n", self.i, self.i + maxlen)
            if j >= 0:
                line = self.buf[self.i : j + 1]
                self.i = j + 1
                return line
            avail = len(self.buf) - self.i
            if avail >= maxlen or not self._fill(avail + 1):
                return None

    def skip(self, n: int) -> bool:
        """Skip n bytes without keeping them; False if the source ends first."""
        avail = len(self.buf) - self.i
        if n <= avail:
            self.i += n
            return True
        self.base += len(self.buf)
        need = n - avail
        self.buf = b""
        self.i = 0
        got = self.raw.skip(need)
        self.base += got
        if got < need:
            self.exhausted = True
            return False
        return True
