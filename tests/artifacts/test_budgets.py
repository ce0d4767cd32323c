"""Budgets: bombs, padding, opcode floods and deadlines end in AIS403 (high), never a hang."""

from __future__ import annotations

import time

import pytest
from aisec.hooks import Severity
from aisec.plugins.artifacts import Limits, Status, inspect_file

from . import samples

MIB = 1 << 20


@pytest.fixture(scope="module")
def zip_bomb(tmp_path_factory):
    """1 GiB of zero padding inside a pickle member, deflated to a few MB."""
    return samples.write_zip_bomb(tmp_path_factory.mktemp("bomb") / "model.pt")


def _only_incomplete_high(verdicts):
    assert verdicts
    assert all(v.status is not Status.CLEAN for v in verdicts)
    incomplete = [v for v in verdicts if v.status is Status.INCOMPLETE]
    assert incomplete, [v.to_dict() for v in verdicts]
    assert all(v.severity is Severity.HIGH and v.code == "AIS403" for v in incomplete)
    return incomplete


def test_zip_bomb_padding_is_skipped_not_counted(zip_bomb):
    """1 GiB of BINBYTES8 padding is an opaque payload: skipped (inflated, never kept) and not
    counted against max-pickle-bytes, so the payload behind it is found."""
    start = time.perf_counter()
    verdicts = inspect_file(zip_bomb, Limits(max_pickle_bytes=1 * MIB))
    assert time.perf_counter() - start < 20
    (verdict,) = [v for v in verdicts if v.member == "archive/data.pkl"]
    assert verdict.status is Status.MALICIOUS and verdict.severity is Severity.CRITICAL


def test_zip_bomb_over_decompressed_budget(zip_bomb):
    limits = Limits(max_pickle_bytes=4 << 30, max_decompressed_bytes=256 * MIB)
    start = time.perf_counter()
    verdicts = inspect_file(zip_bomb, limits)
    assert time.perf_counter() - start < 20
    incomplete = _only_incomplete_high(verdicts)
    assert any("max-decompressed-bytes" in v.reason for v in incomplete)


def test_100mb_padding_is_skipped_cheaply(tmp_path):
    path = tmp_path / "padded.pkl"
    with open(path, "wb") as f:
        padding = 100 * MIB
        f.write(samples.P4 + b"\x8e" + padding.to_bytes(8, "little"))
        f.truncate(11 + padding)  # sparse zeros: cheap to write
        f.seek(11 + padding)
        f.write(b"0" + samples.glob0("os", "getpid") + b")R.")
    (verdict,) = inspect_file(path, Limits(max_pickle_bytes=1 * MIB))
    assert verdict.status is Status.MALICIOUS


def test_pickle_bytes_budget_counts_opcodes(tmp_path):
    path = tmp_path / "long.pkl"
    path.write_bytes(samples.many_opcodes(400_000))
    (verdict,) = _only_incomplete_high(inspect_file(path, Limits(max_pickle_bytes=256 * 1024)))
    assert "max-pickle-bytes" in verdict.reason


def test_compression_bomb_over_decompressed_budget(tmp_path):
    import zlib

    comp = zlib.compressobj(1)
    parts = [comp.compress(samples.P4 + b"\x8e" + (512 * MIB).to_bytes(8, "little"))]
    zeros = b"\0" * MIB
    parts += [comp.compress(zeros) for _ in range(512)]
    parts.append(comp.compress(b"0" + samples.glob0("os", "getpid") + b")R."))
    parts.append(comp.flush())
    path = tmp_path / "model.joblib"
    path.write_bytes(b"".join(parts))
    limits = Limits(max_pickle_bytes=1 << 40, max_decompressed_bytes=64 * MIB)
    incomplete = _only_incomplete_high(inspect_file(path, limits))
    assert any("max-decompressed-bytes" in v.reason for v in incomplete)


def test_opcode_budget(tmp_path):
    path = tmp_path / "many.pkl"
    path.write_bytes(samples.many_opcodes(200_000))
    (verdict,) = _only_incomplete_high(inspect_file(path, Limits(max_opcodes=10_000)))
    assert "max-opcodes" in verdict.reason
    (verdict,) = inspect_file(path)
    assert verdict.status is Status.MALICIOUS


def test_deadline(tmp_path):
    path = tmp_path / "model.pkl"
    path.write_bytes(samples.ordered_dict_floats(4))
    (verdict,) = _only_incomplete_high(inspect_file(path, Limits(timeout_seconds=0)))
    assert "timeout-seconds" in verdict.reason


def test_unreadable_and_missing_files(tmp_path):
    (verdict,) = inspect_file(tmp_path / "missing.pkl")
    assert verdict.status is Status.INCOMPLETE and verdict.severity is Severity.MEDIUM
    empty = tmp_path / "empty.pkl"
    empty.write_bytes(b"")
    (verdict,) = inspect_file(empty)
    assert verdict.status is Status.UNRECOGNISED
