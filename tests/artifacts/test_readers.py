"""Readers mirrored from the real loaders: lz4 without the package, joblib "ZF", zstd, LZMA-alone
headers pandas accepts, `.npy` descr parsing, shelve/dbm.dumb values, legacy torch storages, zip
members torch reads. Each malicious case has a benign look-alike that must not fire."""

from __future__ import annotations

import dbm.dumb
import io
import lzma
import os
import pickle
import random
import shelve
import struct
import sys
import warnings
import zipfile
import zlib

import pytest
from aisec.hooks import Severity
from aisec.plugins.artifacts import Status, inspect_file
from aisec.plugins.artifacts.formats import descr_has_object
from aisec.plugins.artifacts.lz4frame import LZ4FrameDecompressor, LZ4FrameError

from . import samples
from .helpers import need

PAYLOAD = samples.getpid_p2()


def _codes(path) -> set[str | None]:
    return {v.code for v in inspect_file(path)}


def _statuses(path) -> set[Status]:
    return {v.status for v in inspect_file(path)}


# -- lz4 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"block_linked": False},
        {"block_size": 7, "content_checksum": True, "block_checksum": True},
        {"store_size": False, "compression_level": 16},
    ],
)
def test_pure_lz4_decoder_matches_the_lz4_package(options):
    lz4_frame = need("lz4.frame")
    rng = random.Random(7)
    for data in (
        b"",
        b"x",
        os.urandom(70_000),
        b"abc" * 90_000,
        bytes(rng.choice(b"ab") for _ in range(200_000)),
    ):
        if "block_size" in options:
            options = {**options, "block_size": lz4_frame.BLOCKSIZE_MAX4MB}
        frames = lz4_frame.compress(data, **options)
        dec = LZ4FrameDecompressor()
        out = b""
        for i in range(0, len(frames), 5000):
            out += dec.decompress(frames[i : i + 5000], 30_000)
        while not dec.eof and not dec.needs_input:
            out += dec.decompress(b"", 30_000)
        assert out == data and dec.eof


@pytest.mark.parametrize(
    "corrupt",
    [
        b"\x04\x22\x4d\x18\x00\x40\x00",  # version bits 0
        b"\x04\x22\x4d\x18\x60\x10\x00",  # block size code 1
        b"\x04\x22\x4d\x18\x60\x40\x82" + struct.pack("<I", 8) + b"\x1f\x00\x00\x00\x00\x00\x00\x00",
        b"\x04\x22\x4d\x18\x60\x40\x82" + struct.pack("<I", 3) + b"\x00\x05\x00",
    ],
)
def test_pure_lz4_decoder_rejects_corrupt_frames(corrupt):
    with pytest.raises(LZ4FrameError):
        LZ4FrameDecompressor().decompress(corrupt + b"\x00" * 16)


def test_lz4_joblib_is_inspected_without_the_lz4_package(tmp_path, monkeypatch):
    lz4_frame = need("lz4.frame")
    path = tmp_path / "model.joblib"
    path.write_bytes(lz4_frame.compress(PAYLOAD))
    benign = tmp_path / "benign.joblib"
    benign.write_bytes(lz4_frame.compress(pickle.dumps({"w": [1.0] * 1000}, protocol=4)))
    monkeypatch.setitem(sys.modules, "lz4", None)  # `import lz4.frame` raises ImportError
    monkeypatch.setitem(sys.modules, "lz4.frame", None)
    assert _statuses(path) == {Status.MALICIOUS}
    assert _statuses(benign) == {Status.CLEAN}


def test_skippable_lz4_frame_in_front(tmp_path):
    lz4_frame = need("lz4.frame")
    path = tmp_path / "model.joblib"
    path.write_bytes(struct.pack("<II", 0x184D2A53, 4) + b"junk" + lz4_frame.compress(PAYLOAD))
    assert _statuses(path) == {Status.MALICIOUS}


# -- other compressions ---------------------------------------------------------------------


def _zf(data: bytes, py2_space: bool = False) -> bytes:
    """joblib < 0.9.3 `write_zfile`: "ZF", hex length left-justified to 19 characters, zlib."""
    return b"ZF" + b"%-19s" % hex(len(data)).encode() + (b" " if py2_space else b"") + zlib.compress(data)


@pytest.mark.parametrize("py2_space", [False, True])
def test_joblib_zf_format(tmp_path, py2_space):
    path = tmp_path / "old.pkl"
    path.write_bytes(_zf(PAYLOAD, py2_space))
    assert _statuses(path) == {Status.MALICIOUS}
    path.write_bytes(_zf(pickle.dumps([1, 2, 3], protocol=2), py2_space))
    assert _statuses(path) == {Status.CLEAN}


def test_zstd_fails_closed_where_python_cannot_decompress(tmp_path):
    path = tmp_path / "frame.pkl.zst"
    path.write_bytes(b"\x28\xb5\x2f\xfd" + b"\x00" * 32)
    verdicts = inspect_file(path)
    if sys.version_info >= (3, 14):
        assert Status.CLEAN not in {v.status for v in verdicts}
    else:
        (verdict,) = verdicts
        assert (verdict.code, verdict.severity) == ("AIS403", Severity.HIGH)
        assert "zstd" in verdict.reason


@pytest.mark.parametrize("props", [0x00, 0x5D, 0x09, 0x51])
def test_lzma_alone_with_any_properties(tmp_path, props):
    """pandas `read_pickle("x.xz")` opens with lzma FORMAT_AUTO, which takes LZMA-alone headers
    with any lc/lp/pb properties byte, not only joblib's 0x5D."""
    lc, rest = props % 9, props // 9
    filters = [{"id": lzma.FILTER_LZMA1, "lc": lc, "lp": rest % 5, "pb": rest // 5, "dict_size": 1 << 16}]
    path = tmp_path / "frame.pkl.xz"
    path.write_bytes(lzma.compress(PAYLOAD, format=lzma.FORMAT_ALONE, filters=filters))
    assert path.read_bytes()[0] == props
    assert _statuses(path) == {Status.MALICIOUS}


# -- npy -------------------------------------------------------------------------------------


def _npy(descr: object, payload: bytes) -> bytes:
    header = f"{{'descr': {descr!r}, 'fortran_order': False, 'shape': (1,), }}"
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin-1") + payload


@pytest.mark.parametrize(
    "descr",
    [
        *("O", "|O", "<O", "O8", "object", "object_", "i4,O", "b1,(2,3)O", "i4, O", ("O", (2,))),
        *([("a", "<i4"), ("b", "|O")], [(("title", "n"), "O", (2,))], [("s", [("x", "<f8"), ("y", "O")])]),
    ],
)
def test_npy_object_descr_forms(tmp_path, descr):
    assert descr_has_object(descr) is True
    path = tmp_path / "a.npy"
    path.write_bytes(_npy(descr, PAYLOAD))
    assert _statuses(path) == {Status.MALICIOUS}


@pytest.mark.parametrize(
    "descr", ["<f4", "i4,f8", "M8[ns]", "U5", [("O", "<f8"), ("obj", "<i4")], ("<i2", (3,))]
)
def test_npy_plain_descr_look_alikes(tmp_path, descr):
    """A field *named* O or obj is no object field: the data is not a pickle."""
    assert descr_has_object(descr) is False
    path = tmp_path / "a.npy"
    path.write_bytes(_npy(descr, b"\x01\x02\x03\x04" * 4))
    assert _statuses(path) == {Status.NO_PICKLE}


def test_npy_with_unreadable_descr_is_walked_as_a_pickle(tmp_path):
    path = tmp_path / "a.npy"
    path.write_bytes(_npy({"names": ["a"]}, PAYLOAD))
    assert _statuses(path) == {Status.MALICIOUS}


def test_npy_written_by_numpy(tmp_path):
    np = need("numpy")
    path = tmp_path / "s.npy"
    np.save(path, np.zeros(3, dtype=[("a", "<i4"), ("b", "O")]), allow_pickle=True)
    assert _statuses(path) == {Status.CLEAN}
    np.save(path, np.zeros(3, dtype=[("O", "<f8")]))
    assert _statuses(path) == {Status.NO_PICKLE}


# -- shelve / dbm.dumb -------------------------------------------------------------------------


def test_every_shelve_value_is_inspected(tmp_path):
    base = str(tmp_path / "store")
    with shelve.Shelf(dbm.dumb.open(base, "c")) as store:
        store["long"] = list(range(400))
        store["b"] = {"x": 2}
        store["long"] = [1]  # rewritten in place: stale bytes of the old value stay in .dat
    with dbm.dumb.open(base, "w") as db:
        db["evil"] = PAYLOAD
    verdicts = inspect_file(base + ".dat")
    by_key = {v.member: v.status for v in verdicts}
    assert by_key == {"key 'long'": Status.CLEAN, "key 'b'": Status.CLEAN, "key 'evil'": Status.MALICIOUS}


def test_shelve_value_hidden_after_the_first(tmp_path):
    """Without relying on the index: values after the first in a .dat (NUL-padded blocks)."""
    base = str(tmp_path / "store")
    with dbm.dumb.open(base, "c") as db:
        db["a"] = pickle.dumps("benign", protocol=2)
        db["b"] = PAYLOAD
    os.rename(base + ".dat", base + ".bin")
    assert Status.MALICIOUS in _statuses(base + ".bin")


# -- legacy torch, zip members ----------------------------------------------------------------


# the model pickle of a legacy file: one persistent id ('storage', FloatStorage, '0', 'cpu', 2)
LEGACY_MODEL = (
    samples.P2
    + samples.MARK
    + samples.u("storage")
    + samples.glob0("torch", "FloatStorage")
    + samples.u("0")
    + samples.u("cpu")
    + b"K\x02"
    + samples.TUPLE
    + b"Q."
)


def test_legacy_torch_storages_are_skipped_and_later_streams_read(tmp_path):
    path = tmp_path / "legacy.pt"
    path.write_bytes(samples.legacy_torch(LEGACY_MODEL))
    assert _statuses(path) == {Status.CLEAN}
    path.write_bytes(samples.legacy_torch(LEGACY_MODEL) + PAYLOAD)
    assert Status.MALICIOUS in _statuses(path)
    # a storage key no persistent id names: the layout is unknown, the rest fails closed
    path.write_bytes(samples.legacy_torch(pickle.dumps({"w": 1}, protocol=2)) + PAYLOAD)
    assert {v.code for v in inspect_file(path)} >= {"AIS403"}


def test_legacy_torch_written_by_torch(tmp_path):
    torch = need("torch")
    path = tmp_path / "legacy.pt"
    buf = io.BytesIO()
    torch.save({"w": torch.ones(3), "b": torch.arange(4)}, buf, _use_new_zipfile_serialization=False)
    path.write_bytes(buf.getvalue())
    assert _statuses(path) == {Status.CLEAN}
    path.write_bytes(buf.getvalue() + b"\0" * 10 + samples.glob0("os", "getpid") + b")R.")
    assert Status.MALICIOUS in _statuses(path)


@pytest.mark.parametrize(
    "first", [b"", b"\x95\x10\x00\x00\x00\x00\x00\x00\x00", b"N0", b"\x8f0", b"(0"], ids=repr
)
def test_torch_zip_member_with_any_start(tmp_path, first):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the duplicate name is the point
        z.writestr("archive/data.pkl", first + samples.glob0("os", "getpid") + b")R.")
        z.writestr("archive/data.pkl", pickle.dumps({}, protocol=2))
        z.writestr("archive/version", b"3\n")
    path = tmp_path / "m.pt"
    path.write_bytes(buf.getvalue())
    assert Status.MALICIOUS in _statuses(path)


def _sqlite_store(path, rows: dict[bytes, bytes], table: str = "Dict") -> None:
    """The schema of CPython 3.13 `dbm.sqlite3` (what `shelve.open` creates by default there)."""
    import sqlite3

    connection = sqlite3.connect(path)
    connection.execute(f"CREATE TABLE {table} (key BLOB UNIQUE NOT NULL, value BLOB NOT NULL)")
    connection.executemany(f"INSERT INTO {table} VALUES (?, ?)", rows.items())
    connection.commit()
    connection.close()


def test_every_sqlite_shelve_value_is_inspected(tmp_path):
    from aisec.plugins.artifacts.inspect import ArtifactInspector

    path = tmp_path / "store"
    _sqlite_store(path, {b"w": pickle.dumps([1.5]), b"evil": PAYLOAD})
    assert ArtifactInspector.recognises(path.read_bytes()[:512])
    by_key = {v.member: v.status for v in inspect_file(path)}
    assert by_key == {"key 'w'": Status.CLEAN, "key 'evil'": Status.MALICIOUS}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]  # opened read-only, nothing written


def test_other_sqlite_files_are_no_shelve(tmp_path):
    path = tmp_path / "app.db"
    _sqlite_store(path, {b"evil": PAYLOAD}, table="Other")
    assert {v.code for v in inspect_file(path)} == {None}


def test_corrupt_sqlite_store_fails_closed(tmp_path):
    path = tmp_path / "store"
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 200)
    (verdict,) = inspect_file(path)
    assert (verdict.code, verdict.severity) == ("AIS403", Severity.MEDIUM)
