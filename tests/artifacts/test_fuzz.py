"""Mutation fuzzing of the walker and the inspector: never raises, always returns a verdict."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

from aisec.plugins.artifacts import Limits, inspect_file
from aisec.plugins.artifacts.opcodes import Walk, walk_bytes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from . import samples

SEEDS = [
    samples.getpid_p2(),
    samples.getpid_proto0(),
    samples.getattr_chain(),
    samples.memo_dup_trick(),
    samples.float_then_payload(),
    samples.nested_in_binbytes(),
    samples.ordered_dict_floats(0),
    samples.ordered_dict_floats(5),
    samples.joblib_style_handmade(samples.glob0("os", "getpid") + b")R"),
    samples.torch_like_zip(extra={"archive/extra/evil.bin": samples.getpid_p2()}),
    samples.npy_object(samples.getpid_p2()),
    samples.legacy_torch(samples.getpid_p2()),
    samples.joblib_compressed("gzip", samples.getpid_p2()),
    samples.torch_tar(samples.getpid_p2()),
]
LIMITS = Limits(
    max_pickle_bytes=1 << 20, max_decompressed_bytes=8 << 20, max_opcodes=50_000, timeout_seconds=5
)


@st.composite
def mutated(draw):
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["flip", "cut", "insert", "dup", "delete"]))
        pos = draw(st.integers(0, max(0, len(data) - 1)))
        if op == "flip" and data:
            data[pos] = draw(st.integers(0, 255))
        elif op == "cut":
            del data[pos:]
        elif op == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=16))
        elif op == "dup" and data:
            end = draw(st.integers(pos, len(data)))
            data[pos:pos] = data[pos:end][:256]
        elif op == "delete":
            del data[pos : pos + draw(st.integers(1, 8))]
    return bytes(data)


@settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_walker_never_raises(data):
    walk = walk_bytes(data, max_opcodes=50_000)
    assert isinstance(walk, Walk)
    assert walk.complete or walk.stop


_DIR = Path(tempfile.mkdtemp(prefix="aisec-fuzz-"))
atexit.register(shutil.rmtree, _DIR, True)  # hypothesis cannot take function-scoped tmp_path


@settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_inspector_never_raises(data):
    path = _DIR / "artifact.bin"
    path.write_bytes(data)
    verdicts = inspect_file(path, LIMITS)
    assert verdicts
    for v in verdicts:
        assert v.message
        assert "internal error" not in (v.reason or ""), v.reason
