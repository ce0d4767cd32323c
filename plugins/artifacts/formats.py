"""Format detection by content (magic bytes, never the extension) and container layouts.

- `sniff(head)`: what the first bytes say (pickle, zip, npy, tar, gzip/bz2/xz/lzma/zlib/lz4, Git-LFS);
- `find_zip(f, size)`: locates a zip's end-of-central-directory from the end of the file, so a
  pickle prepended (or data appended) to an archive is seen as well;
- `zip_members(...)`: the central directory, parsed here the way PyTorch's reader uses it:
  no CRC checks, names from the central directory, data offsets from the local headers
  (a local/central name mismatch is noted, not trusted);
- `parse_npy_header(src)`: the `.npy` header dict via `ast.literal_eval` (bounded).
"""

from __future__ import annotations

import ast
import re
import struct
import zlib
from dataclasses import dataclass
from typing import BinaryIO

from .opcodes import may_start_pickle
from .streams import ByteSource

LFS_PREFIX = b"version https://git-lfs.github.com/spec/v1"
ZIP_LOCAL = b"PK\x03\x04"
ZIP_EOCD = b"PK\x05\x06"
ZIP64_LOCATOR = b"PK\x06\x07"
ZIP64_EOCD = b"PK\x06\x06"
ZIP_CENTRAL = b"PK\x01\x02"
NPY_MAGIC = b"\x93NUMPY"
MAX_ZIP_MEMBERS = 100_000
MAX_CENTRAL_DIRECTORY = 64 << 20
MAX_NPY_HEADER = 1 << 20

COMPRESSIONS = ("gzip", "bz2", "xz", "lzma", "zlib", "lz4", "zstd")
JOBLIB_ZF = b"ZF"  # joblib < 0.9.3: "ZF", the length in hex padded to 19 characters, zlib data
JOBLIB_ZF_HEADER = 2 + 19


def sniff(head: bytes) -> str | None:
    """Name the format of data starting with `head` (>= 512 bytes when available), or None."""
    if head.startswith(LFS_PREFIX):
        return "git-lfs"
    if head.startswith(ZIP_LOCAL) or head.startswith(ZIP_EOCD):
        return "zip"
    if head.startswith(NPY_MAGIC):
        return "npy"
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"BZh") and len(head) > 3 and head[3:4] in b"123456789":
        return "bz2"
    if head.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    if head.startswith(b"\x04\x22\x4d\x18") or (
        len(head) >= 4 and 0x50 <= head[0] <= 0x5F and head[1:4] == b"\x2a\x4d\x18"
    ):
        return "lz4"  # a frame, or a skippable frame in front of one
    if head.startswith(b"\x28\xb5\x2f\xfd"):
        return "zstd"  # pandas `.zst`
    if head.startswith(JOBLIB_ZF) and _has_joblib_zf_length(head):
        return "joblib-zf"
    if len(head) >= 262 and head[257:262] == b"ustar":
        return "tar"
    if len(head) >= 2 and head[0] == 0x78 and (head[0] * 256 + head[1]) % 31 == 0 and head[1] & 0x20 == 0:
        return "zlib"
    if _lzma_alone_header(head):
        return "lzma"
    if may_start_pickle(head[:2]):
        return "pickle"
    return None


def _lzma_alone_header(head: bytes) -> bool:
    """An .lzma (LZMA-alone) header as liblzma's auto decoder accepts it (what `lzma.open` and
    pandas' `.xz` use): properties < 225, a dictionary size of 2^n or 2^n + 2^(n-1), a known
    size below 2^38 or 'unknown', and a range coder that starts with a zero byte."""
    if len(head) < 14 or head[0] >= 225 or head[13] != 0:
        return False
    (dict_size, usize) = struct.unpack("<IQ", head[1:13])
    if dict_size != 0xFFFFFFFF:
        top = 1 << max(dict_size.bit_length() - 1, 0)
        if dict_size not in (top, top + (top >> 1)):
            return False
    return usize == 0xFFFFFFFFFFFFFFFF or usize < 1 << 38


def _has_joblib_zf_length(head: bytes) -> bool:
    """Whether a joblib "ZF" header announces a decompressed length as joblib reads it
    (`int(field, 16)`); the length itself bounds nothing: `max-decompressed-bytes` does."""
    try:
        int(head[2:JOBLIB_ZF_HEADER].decode("ascii"), 16)
    except (UnicodeDecodeError, ValueError):
        return False
    return True


def joblib_zf_offset(head: bytes) -> int:
    """Where the zlib data of a joblib "ZF" file starts (one space more in Python 2 files)."""
    return JOBLIB_ZF_HEADER + (head[JOBLIB_ZF_HEADER : JOBLIB_ZF_HEADER + 1] == b" ")


def verify_zlib(head: bytes) -> bool:
    """A zlib header can be a coincidence: check that the first bytes inflate."""
    try:
        zlib.decompressobj().decompress(head, 16)
    except zlib.error:
        return False
    return True


@dataclass
class ZipLayout:
    prefix_end: int  # bytes before the archive (a prepended pickle lives here)
    cd_offset: int  # absolute offset of the central directory
    cd_size: int
    entries: int
    end: int  # absolute offset just past the end record and its comment


@dataclass
class ZipMember:
    name: str
    method: int
    flags: int
    compressed_size: int
    size: int
    header_offset: int  # absolute
    data_offset: int = -1  # absolute, from the local header
    local_name: str | None = None
    problem: str | None = None


def find_zip(f: BinaryIO, size: int) -> ZipLayout | str | None:
    """The archive layout if the file holds a zip (anywhere), an error string if it is broken."""
    tail_len = min(size, 65536 + 22 + 20)
    f.seek(size - tail_len)
    tail = f.read(tail_len)
    pos = tail.rfind(ZIP_EOCD)
    while pos >= 0 and len(tail) - pos < 22:
        pos = tail.rfind(ZIP_EOCD, 0, pos)
    if pos < 0:
        return None
    eocd_abs = size - tail_len + pos
    (_, _disk, _cd_disk, _n_disk, entries, cd_size, cd_offset, comment_len) = struct.unpack(
        "<4sHHHHIIH", tail[pos : pos + 22]
    )
    end = eocd_abs + 22 + comment_len
    if pos >= 20 and tail[pos - 20 : pos - 16] == ZIP64_LOCATOR:
        (_, _d, z64_offset, _t) = struct.unpack("<4sIQI", tail[pos - 20 : pos])
        # the locator's offset is relative to the archive start: try it as-is, then shifted
        for candidate in (z64_offset, eocd_abs - 20 - 56):
            if 0 <= candidate < size:
                f.seek(candidate)
                rec = f.read(56)
                if rec[:4] == ZIP64_EOCD and len(rec) == 56:
                    (_, _sz, _v, _vn, _dn, _dcd, _ed, entries, cd_size, cd_offset) = struct.unpack(
                        "<4sQHHIIQQQQ", rec
                    )
                    eocd_abs = candidate
                    break
    if entries > MAX_ZIP_MEMBERS:
        return f"zip declares {entries} members (more than {MAX_ZIP_MEMBERS})"
    if cd_size > MAX_CENTRAL_DIRECTORY:
        return f"zip central directory of {cd_size} bytes is too large"
    # the central directory ends where the (zip64) end record starts
    prefix = eocd_abs - cd_size - cd_offset
    if prefix < 0:
        return "zip end record points outside the file"
    return ZipLayout(prefix, prefix + cd_offset, cd_size, entries, end)


def zip_members(f: BinaryIO, layout: ZipLayout, size: int) -> tuple[list[ZipMember], str | None]:
    """Central-directory entries with their data offsets; problems are reported, not raised."""
    f.seek(layout.cd_offset)
    cd = f.read(layout.cd_size)
    members: list[ZipMember] = []
    i = 0
    problem = None
    while i + 46 <= len(cd) and len(members) < MAX_ZIP_MEMBERS:
        if cd[i : i + 4] != ZIP_CENTRAL:
            problem = f"corrupt zip central directory at entry {len(members)}"
            break
        (flags, method) = struct.unpack("<HH", cd[i + 8 : i + 12])
        (csize, usize) = struct.unpack("<II", cd[i + 20 : i + 28])
        (nlen, xlen, clen) = struct.unpack("<HHH", cd[i + 28 : i + 34])
        (hoff,) = struct.unpack("<I", cd[i + 42 : i + 46])
        raw_name = cd[i + 46 : i + 46 + nlen]
        extra = cd[i + 46 + nlen : i + 46 + nlen + xlen]
        i += 46 + nlen + xlen + clen
        if 0xFFFFFFFF in (csize, usize, hoff):
            usize, csize, hoff = _zip64_extra(extra, usize, csize, hoff)
        name = raw_name.decode("utf-8" if flags & 0x800 else "cp437", "replace")
        m = ZipMember(name, method, flags, csize, usize, layout.prefix_end + hoff)
        _read_local_header(f, m, size)
        members.append(m)
    if len(members) < layout.entries and problem is None:
        problem = f"zip central directory lists {len(members)} of {layout.entries} members"
    return members, problem


def _zip64_extra(extra: bytes, usize: int, csize: int, hoff: int) -> tuple[int, int, int]:
    j = 0
    while j + 4 <= len(extra):
        tag, ln = struct.unpack("<HH", extra[j : j + 4])
        body = extra[j + 4 : j + 4 + ln]
        if tag == 1:
            vals = [struct.unpack("<Q", body[k : k + 8])[0] for k in range(0, len(body) - 7, 8)]
            it = iter(vals)
            if usize == 0xFFFFFFFF:
                usize = next(it, usize)
            if csize == 0xFFFFFFFF:
                csize = next(it, csize)
            if hoff == 0xFFFFFFFF:
                hoff = next(it, hoff)
            break
        j += 4 + ln
    return usize, csize, hoff


def _read_local_header(f: BinaryIO, m: ZipMember, size: int) -> None:
    if not 0 <= m.header_offset <= size - 30:
        m.problem = "local header outside the file"
        return
    f.seek(m.header_offset)
    head = f.read(30)
    if head[:4] != ZIP_LOCAL:
        m.problem = "no local header where the central directory points"
        return
    nlen, xlen = struct.unpack("<HH", head[26:30])
    local_name = f.read(nlen).decode("utf-8" if m.flags & 0x800 else "cp437", "replace")
    if local_name != m.name:
        m.local_name = local_name
    m.data_offset = m.header_offset + 30 + nlen + xlen
    if m.data_offset + m.compressed_size > size:
        m.problem = "member data runs past the end of the file"


MAX_DBM_DIR = 64 << 20


def dbm_dumb_index(text: str) -> dict[bytes, tuple[int, int]] | str:
    """The index of a `dbm.dumb` store (what `shelve.open` falls back to), read from its `.dir`
    file the way CPython 3.10-3.13 `dbm.dumb._Database._update` does: one `repr((key, (pos, siz)))`
    per line, later lines overriding earlier ones. An error string when dbm.dumb would fail."""
    index: dict[bytes, tuple[int, int]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.rstrip()
        if not line:
            continue
        try:
            key, (pos, siz) = ast.literal_eval(line)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            return f"line {number} of the .dir index is not `(key, (pos, size))`"
        if not isinstance(key, str) or not isinstance(pos, int) or not isinstance(siz, int):
            return f"line {number} of the .dir index is not `(key, (pos, size))`"
        index[key.encode("latin-1", "replace")] = (pos, siz)
    return index


@dataclass
class NpyHeader:
    version: tuple[int, int]
    descr: object
    shape: object
    data_offset: int  # relative to the start of the .npy data
    has_object: bool | None  # None: a descr numpy may read differently (inspect as a pickle)


def parse_npy_header(src: ByteSource) -> NpyHeader | str:
    """Read and parse a .npy header from `src` (positioned at the magic); an error string if bad."""
    start = src.offset
    head = src.read(10)
    if head is None or not head.startswith(NPY_MAGIC):
        return "truncated .npy header"
    major, minor = head[6], head[7]
    if major == 1:
        (hlen,) = struct.unpack("<H", head[8:10])
    elif major in (2, 3):
        more = src.read(2)
        if more is None:
            return "truncated .npy header"
        (hlen,) = struct.unpack("<I", head[8:10] + more)
    else:
        return f"unsupported .npy version {major}.{minor}"
    if hlen > MAX_NPY_HEADER:
        return f".npy header of {hlen} bytes is too large"
    raw = src.read(hlen)
    if raw is None:
        return "truncated .npy header"
    try:
        text = raw.decode("utf-8" if major == 3 else "latin-1")
        header = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError, UnicodeDecodeError):
        return "unparsable .npy header"
    if not isinstance(header, dict) or "descr" not in header or "shape" not in header:
        return ".npy header lacks descr/shape"
    return NpyHeader(
        (major, minor),
        header["descr"],
        header["shape"],
        src.offset - start,
        descr_has_object(header["descr"]),
    )


# A type in a dtype string that is the object type: 'O', '|O', 'O8', 'object', 'object_', also as a
# field of a comma-separated structured string ('i4,O', 'b1,(2,3)O').
_OBJECT_TYPE = re.compile(r"(?:^|[\s,)\d<>|=])(?:O\d*|object_?)\s*(?:,|$)")


def descr_has_object(descr: object, depth: int = 0) -> bool | None:
    """Whether a `.npy` header's `descr` holds an object field, walked the way numpy 2.4's
    `lib.format.descr_to_dtype` builds the dtype: a string goes to `numpy.dtype(str)`; a tuple is
    `(subtype, shape)`; a list holds `(name, descr[, shape])` fields (the name never matters).
    None when the shape is one numpy would not build as we read it (caller: fail closed)."""
    if depth > 32:
        return None
    if isinstance(descr, str):
        return bool(_OBJECT_TYPE.search(descr))
    if isinstance(descr, tuple):
        return descr_has_object(descr[0], depth + 1) if descr else None
    if isinstance(descr, list):
        for field in descr:
            if not isinstance(field, (tuple, list)) or len(field) not in (2, 3):
                return None
            sub = descr_has_object(field[1], depth + 1)
            if sub is None or sub:
                return sub
        return False
    return None
