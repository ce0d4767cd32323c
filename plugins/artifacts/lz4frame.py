"""A bounded pure-Python decoder of the LZ4 frame format (what joblib's `compress="lz4"` writes).

pre-commit installs aisec in an isolated environment where the `lz4` package is never present,
so lz4-compressed model files must be readable without it; the C package is used instead when it
happens to be importable (it is ~50x faster). Written from the LZ4 frame and block format
specifications (lz4 v1.9.x `doc/lz4_Frame_format.md`, `doc/lz4_Block_format.md`): frame
descriptor, blocks (compressed or stored, dependent or independent), skippable frames; checksums
are skipped (not verified: aisec inspects *more* than the real reader would accept, never less).

Bounds: a block decodes to at most its frame's declared maximum block size (4 MiB at most), so
memory per `decompress` call is bounded; the caller charges every output byte to the artifact's
decompressed-bytes budget.
"""

from __future__ import annotations

import struct

FRAME_MAGIC = 0x184D2204
SKIPPABLE_MASK = 0xFFFFFFF0
SKIPPABLE_MAGIC = 0x184D2A50
BLOCK_SIZES = {4: 64 << 10, 5: 256 << 10, 6: 1 << 20, 7: 4 << 20}
WINDOW = 64 << 10


class LZ4FrameError(ValueError):
    """Corrupt LZ4 frame data."""


def _length(nibble: int, src: bytes, i: int, what: str) -> tuple[int, int]:
    """A token's length field: 15 means more bytes follow, each added, until one under 255.
    Returns the length and the position after its bytes."""
    length = nibble
    if nibble == 15:
        while True:
            if i >= len(src):
                raise LZ4FrameError(f"{what} runs past the block")
            extra = src[i]
            i += 1
            length += extra
            if extra != 255:
                break
    return length, i


def decode_block(src: bytes, history: bytes, limit: int) -> bytes:
    """Decode one LZ4 block; `history` is the output that matches may reach back into."""
    out = bytearray(history)
    start = len(out)
    i, n = 0, len(src)
    while i < n:
        token = src[i]
        i += 1
        literals, i = _length(token >> 4, src, i, "literal length")
        if i + literals > n:
            raise LZ4FrameError("literals run past the block")
        out += src[i : i + literals]
        i += literals
        if i >= n:
            break  # the last sequence has literals only
        if i + 2 > n:
            raise LZ4FrameError("match offset runs past the block")
        offset = src[i] | (src[i + 1] << 8)
        i += 2
        length, i = _length(token & 15, src, i, "match length")
        length += 4
        if offset == 0 or offset > len(out):
            raise LZ4FrameError("match offset outside the decoded data")
        if len(out) - start + length > limit:
            raise LZ4FrameError("block decodes to more than its maximum size")
        begin = len(out) - offset
        if offset >= length:
            out += out[begin : begin + length]
        else:  # overlapping copy: the last `offset` bytes repeat
            pattern = bytes(out[begin:])
            out += (pattern * (length // offset + 1))[:length]
    if len(out) - start > limit:
        raise LZ4FrameError("block decodes to more than its maximum size")
    return bytes(out[start:])


class LZ4FrameDecompressor:
    """Incremental decoder with the interface of `bz2.BZ2Decompressor` that `streams` uses:
    `decompress(data, max_length)`, `eof`, `needs_input`, `unused_data` (data after the frame)."""

    def __init__(self) -> None:
        self.pending = b""  # input not decoded yet
        self.ready = b""  # decoded output not returned yet
        self.history = b""  # last 64 KiB of output (dependent blocks)
        self.header: tuple[int, bool, bool, bool] | None = None  # block size, indep, block/content sums
        self.skip = 0  # bytes of a skippable frame still to drop
        self.eof = False
        self.unused_data = b""

    @property
    def needs_input(self) -> bool:
        return not self.ready and not self.eof

    def decompress(self, data: bytes, max_length: int = -1) -> bytes:
        if self.eof:
            self.unused_data += data
            return b""
        self.pending += data
        while not self.eof and (max_length < 0 or len(self.ready) < max_length) and self._step():
            pass
        if max_length < 0:
            out, self.ready = self.ready, b""
        else:
            out, self.ready = self.ready[:max_length], self.ready[max_length:]
        # decode ahead by one unit, so that `needs_input` is exact (no output without more input)
        while not self.ready and not self.eof and self._step():
            pass
        return out

    def _step(self) -> bool:
        """Consume one unit (frame header, block, end mark); False when more input is needed."""
        buf = self.pending
        if self.skip:
            n = min(self.skip, len(buf))
            self.skip -= n
            self.pending = buf[n:]
            return n > 0
        if self.header is None:
            return self._frame_header(buf)
        size_of, independent, block_sum, content_sum = self.header
        if len(buf) < 4:
            return False
        (word,) = struct.unpack("<I", buf[:4])
        if word == 0:  # end mark
            tail = 4 + 4 * content_sum
            if len(buf) < tail:
                return False
            self.eof = True
            self.unused_data, self.pending = buf[tail:], b""
            return False
        stored, length = bool(word & 0x80000000), word & 0x7FFFFFFF
        if length > size_of:
            raise LZ4FrameError("block larger than the frame's maximum block size")
        end = 4 + length + 4 * block_sum
        if len(buf) < end:
            return False
        body = buf[4 : 4 + length]
        self.pending = buf[end:]
        block = body if stored else decode_block(body, b"" if independent else self.history, size_of)
        self.history = (self.history + block)[-WINDOW:]
        self.ready += block
        return True

    def _frame_header(self, buf: bytes) -> bool:
        if len(buf) < 4:
            return False
        (magic,) = struct.unpack("<I", buf[:4])
        if magic & SKIPPABLE_MASK == SKIPPABLE_MAGIC:
            if len(buf) < 8:
                return False
            self.skip = struct.unpack("<I", buf[4:8])[0]
            self.pending = buf[8:]
            return True
        if magic != FRAME_MAGIC:
            raise LZ4FrameError("not an LZ4 frame")
        if len(buf) < 7:
            return False
        flg, bd = buf[4], buf[5]
        if flg >> 6 != 1:
            raise LZ4FrameError("unsupported LZ4 frame version")
        size_code = (bd >> 4) & 7
        if size_code not in BLOCK_SIZES:
            raise LZ4FrameError("invalid LZ4 block size")
        length = 4 + 2 + 8 * bool(flg & 0x08) + 4 * bool(flg & 0x01) + 1
        if len(buf) < length:
            return False
        self.header = (BLOCK_SIZES[size_code], bool(flg & 0x20), bool(flg & 0x10), bool(flg & 0x04))
        self.pending = buf[length:]
        return True
