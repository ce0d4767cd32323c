"""Issue 9's corpora, generated at call time: malicious artifacts per bypass class (harmless
payloads: `os.getpid`) and benign artifacts written by the real libraries (torch, numpy,
pandas, scipy, scikit-learn/joblib, the standard library).

Used by `test_corpus.py` (every malicious one is AIS401/AIS403, no benign one is AIS401) and by
`bench/artifacts_corpus.py` (counts per class, time per artifact, peak memory).
"""

from __future__ import annotations

import datetime
import decimal
import fractions
import io
import lzma
import pathlib
import pickle
import re
import struct
import tarfile
import uuid
import zipfile
from collections import Counter, OrderedDict, defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass

from .samples import (
    EMPTY_TUPLE,
    MARK,
    P2,
    REDUCE,
    STOP,
    TUPLE,
    binbytes,
    getpid_p2,
    glob0,
    legacy_torch,
    npy_object,
    u,
)

CALL = glob0("os", "getpid") + EMPTY_TUPLE + REDUCE  # pushes os.getpid()
PAYLOAD = CALL + STOP


@dataclass(frozen=True)
class Case:
    klass: str  # the class: "1 recognition", ..., or "benign"
    name: str
    filename: str
    build: Callable[[], bytes]
    needs: tuple[str, ...] = ()  # modules the builder imports


# ------------------------------------------------------------------------------------------
# malicious, per class


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def _torch_zip(data_pkl: bytes) -> bytes:
    return _zip({"archive/data.pkl": data_pkl, "archive/version": b"3\n"})


def _tar(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _npy(descr: object, payload: bytes) -> bytes:
    header = f"{{'descr': {descr!r}, 'fortran_order': False, 'shape': (1,), }}"
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin-1") + payload


FIRST_OPCODES = {
    "empty-set": b"\x8f",
    "long1": b"\x8a\x01\x01",
    "mark": b"(",
    "none": b"N",
    "int": b"I7\n",
    "binunicode": u("x"),
    "frame": b"\x95" + struct.pack("<Q", 1) + b"N",
}


def _legacy_storage_model() -> bytes:
    """A legacy torch model pickle naming one FloatStorage of 2 elements (persistent id)."""
    pid = MARK + u("storage") + glob0("torch", "FloatStorage") + u("0") + u("cpu") + b"K\x02" + TUPLE
    return P2 + pid + b"Q" + STOP


def _legacy_with_keys(keys_pickle: bytes) -> bytes:
    head = legacy_torch(_legacy_storage_model())
    cut = head.index(pickle.dumps(["0"], protocol=2))
    return head[:cut] + keys_pickle + struct.pack("<q", 2) + struct.pack("<2f", 1.0, 2.0)


def _zf(data: bytes) -> bytes:
    import zlib

    return b"ZF" + b"%-19s" % hex(len(data)).encode() + zlib.compress(data)


def _lzma_props_zero(data: bytes) -> bytes:
    filters = [{"id": lzma.FILTER_LZMA1, "lc": 0, "lp": 0, "pb": 0, "dict_size": 1 << 16}]
    return lzma.compress(data, format=lzma.FORMAT_ALONE, filters=filters)


def _lz4(data: bytes) -> bytes:
    import lz4.frame

    return lz4.frame.compress(data)


def _load_from_bytes(inner: bytes) -> bytes:
    """`torch.storage._load_from_bytes(<inner>)`: allowlisted, and it `torch.load`s its argument."""
    return P2 + glob0("torch.storage", "_load_from_bytes") + binbytes(inner) + b"\x85" + REDUCE + STOP


def _rebuild_from_type_v2_with(func: tuple[str, str], new_type: tuple[str, str]) -> bytes:
    """`torch._tensor._rebuild_from_type_v2(func, new_type, (), {})`: it calls `func()` and makes
    the result a `new_type`; both must be allowlisted themselves."""
    args = MARK + glob0(*func) + glob0(*new_type) + EMPTY_TUPLE + b"}" + TUPLE
    return P2 + glob0("torch._tensor", "_rebuild_from_type_v2") + args + REDUCE + STOP


def _reconstructor_with(cls: tuple[str, str]) -> bytes:
    return (
        P2
        + glob0("copyreg", "_reconstructor")
        + glob0(*cls)
        + glob0("builtins", "object")
        + b"N"
        + b"\x87"
        + REDUCE
        + STOP
    )


def _build_installs_setstate() -> bytes:
    """OrderedDict() whose __dict__ gets `__setstate__ = os.getpid`, then BUILD calls it."""
    return (
        P2
        + glob0("collections", "OrderedDict")
        + EMPTY_TUPLE
        + REDUCE
        + b"N}"
        + u("__setstate__")
        + glob0("os", "getpid")
        + b"s\x86b"  # BUILD (None, {'__setstate__': os.getpid}): slot state, setattr
        + b"Nb"  # BUILD again: calls inst.__setstate__(None)
        + STOP
    )


MALICIOUS: list[Case] = [
    *(
        Case("1 recognition", f"first-opcode-{name}", "notes.txt", lambda first=first: first + b"0" + PAYLOAD)
        for name, first in FIRST_OPCODES.items()
    ),
    Case("1 recognition", "int-pop-in-json-name", "config.json", lambda: b"I1\n0" + PAYLOAD),
    Case("1 recognition", "zip-member-no-proto", "weights.zip", lambda: _zip({"w/blob": b"N0" + PAYLOAD})),
    Case("2 fail closed", "int-hex-argument", "model.pkl", lambda: b"I0x10\n0" + PAYLOAD),
    Case("2 fail closed", "int-nul-terminated", "model.pkl", lambda: b"I5\x00junk\n0" + PAYLOAD),
    Case("2 fail closed", "long-trailing-L", "model.pkl", lambda: b"L12L\n0" + PAYLOAD),
    Case("2 fail closed", "build-none-on-int", "model.pkl", lambda: b"K\x01Nb0" + PAYLOAD),
    Case("2 fail closed", "build-on-list", "model.pkl", lambda: b"]Nb0" + PAYLOAD),
    Case("2 fail closed", "get-nul-key", "model.pkl", lambda: b"Np0\n0g0\x00x\n0" + PAYLOAD),
    Case("3 streams", "second-stream-no-proto", "model.pkl", lambda: pickle.dumps([1], 4) + PAYLOAD),
    Case("3 streams", "after-nul-padding", "model.pkl", lambda: pickle.dumps([1], 4) + b"\0" * 600 + PAYLOAD),
    Case("3 streams", "third-stream", "model.pkl", lambda: pickle.dumps(1, 2) + pickle.dumps(2, 0) + PAYLOAD),
    Case(
        "3 streams",
        "legacy-after-storages",
        "model.pt",
        lambda: legacy_torch(_legacy_storage_model()) + getpid_p2(),
    ),
    Case(
        "3 streams",
        "legacy-keys-stream",
        "model.pt",
        lambda: _legacy_with_keys(P2 + b"]" + u("0") + b"a" + CALL + b"0" + STOP),
    ),
    Case("4 readers", "joblib-zf", "model.pkl", lambda: _zf(getpid_p2())),
    Case("4 readers", "lz4-frame", "model.joblib", lambda: _lz4(getpid_p2()), ("lz4",)),
    Case("4 readers", "lzma-alone-props-0", "frame.pkl.xz", lambda: _lzma_props_zero(getpid_p2())),
    Case("4 readers", "npy-structured-i4-O", "a.npy", lambda: _npy("i4,O", getpid_p2())),
    Case("4 readers", "npy-object-word", "a.npy", lambda: _npy("object", getpid_p2())),
    Case("4 readers", "npy-field-list", "a.npy", lambda: _npy([("a", "<i4"), ("b", "|O")], getpid_p2())),
    Case("4 readers", "npz-structured", "a.npz", lambda: _zip({"x.npy": _npy("i4,O", getpid_p2())})),
    Case(
        "4 readers", "zip-frame-first", "model.pt", lambda: _torch_zip(b"\x95\x02\0\0\0\0\0\0\0N0" + PAYLOAD)
    ),
    Case("4 readers", "zip-proto-less", "model.pt", lambda: _torch_zip(b"(0" + PAYLOAD)),
    Case("4 readers", "tar-member-odd", "model.tar", lambda: _tar({"blob": b"N0" + PAYLOAD})),
    Case("4 readers", "npy-object-padded", "a.npy", lambda: npy_object(b"N0" + PAYLOAD)),
    Case("5 arguments", "load-from-bytes-pickle", "model.pkl", lambda: _load_from_bytes(getpid_p2())),
    Case(
        "5 arguments",
        "load-from-bytes-zip",
        "model.pkl",
        lambda: _load_from_bytes(_torch_zip(b"N0" + PAYLOAD)),
    ),
    Case(
        "5 arguments",
        "load-from-bytes-legacy",
        "model.pkl",
        lambda: _load_from_bytes(legacy_torch(_legacy_storage_model()) + getpid_p2()),
    ),
    Case(
        "5 arguments",
        "rebuild-from-type-func",
        "model.pkl",
        lambda: _rebuild_from_type_v2_with(("os", "getpid"), ("torch", "Tensor")),
    ),
    Case(
        "5 arguments",
        "rebuild-from-type-type",
        "model.pkl",
        lambda: _rebuild_from_type_v2_with(("torch._utils", "_rebuild_tensor_v2"), ("os", "getpid")),
    ),
    Case("5 arguments", "reconstructor-class", "model.pkl", lambda: _reconstructor_with(("os", "getpid"))),
    Case("5 arguments", "build-installs-setstate", "model.pkl", _build_installs_setstate),
    Case(
        "5 arguments",
        "args-nested-in-tuple",
        "model.pkl",
        lambda: (
            P2
            + glob0("collections", "OrderedDict")
            + MARK
            + glob0("os", "getpid")
            + b"\x85"
            + TUPLE
            + REDUCE
            + STOP
        ),
    ),
]


# ------------------------------------------------------------------------------------------
# benign, written by the real libraries


def _pandas_tz(protocol: int) -> bytes:
    import pandas as pd

    frame = pd.DataFrame(
        {
            "t": pd.date_range("2024-01-01", periods=3, tz="Europe/Berlin"),
            "utc": pd.date_range("2024-01-01", periods=3, tz="UTC"),
            "x": [1.0, 2.0, 3.0],
            "c": pd.Categorical(["a", "b", "a"]),
            "i": pd.array([1, None, 3], dtype="Int64"),
            "p": pd.period_range("2024", periods=3, freq="M"),
            "iv": pd.interval_range(0, 3),
        }
    )
    return pickle.dumps(frame.set_index("c"), protocol=protocol)


def _torch(builder: str, legacy: bool = False) -> Callable[[], bytes]:
    def build() -> bytes:
        import torch
        from torch import nn

        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.LayerNorm(8))
        objects = {
            "quantized": lambda: {
                "q": torch.quantize_per_tensor(torch.randn(4), 0.1, 10, torch.quint8),
                "qc": torch.quantize_per_channel(
                    torch.randn(2, 3), torch.tensor([0.1, 0.2]), torch.tensor([0, 1]), 0, torch.qint8
                ),
            },
            "checkpoint": lambda: {
                "model": model.state_dict(),
                "optimizer": torch.optim.Adam(model.parameters()).state_dict(),
                "epoch": 3,
                "sparse": torch.randn(3, 3).to_sparse(),
                "bf16": torch.ones(2, dtype=torch.bfloat16),
            },
            "module": lambda: model,
        }
        buf = io.BytesIO()
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.save(objects[builder](), buf, _use_new_zipfile_serialization=not legacy)
        return buf.getvalue()

    return build


def _scipy_sparse(fmt: str, joblib: bool) -> Callable[[], bytes]:
    def build() -> bytes:
        import numpy as np
        import scipy.sparse as sp

        matrix = getattr(sp, f"{fmt}_matrix")(np.eye(4))
        array = getattr(sp, f"{fmt}_array")(np.eye(3))
        if not joblib:
            return pickle.dumps([matrix, array], protocol=5)
        import joblib as jl

        buf = io.BytesIO()
        jl.dump([matrix, array], buf)
        return buf.getvalue()

    return build


def _numpy(kind: str) -> bytes:
    import numpy as np

    if kind == "masked":
        values = np.ma.masked_array([1.0, 2.0, 3.0], mask=[0, 1, 0])
        record = np.ma.masked_array([(1, 2.0)], dtype=[("a", "i4"), ("b", "f8")])[0]
        return pickle.dumps([values, record, np.ma.masked], protocol=4)
    structured = np.zeros(3, dtype=[("a", "<i4"), ("b", "O"), ("c", "<f8", (2,))])
    if kind == "structured-npy":
        buf = io.BytesIO()
        np.save(buf, structured, allow_pickle=True)
        return buf.getvalue()
    if kind == "big-inband-p5":
        return pickle.dumps(np.zeros(8 << 20), protocol=5)  # 64 MiB in one BYTEARRAY8
    if kind == "big-inband-p4":
        return pickle.dumps(np.random.default_rng(0).random(8 << 20), protocol=4)  # BINBYTES8
    return pickle.dumps([structured, np.random.default_rng(0), np.datetime64("2024-01-01")], protocol=2)


def _stdlib(protocol: int) -> bytes:
    from zoneinfo import ZoneInfo

    values = [
        uuid.UUID(int=1),
        pathlib.PurePosixPath("a/b"),
        pathlib.Path("c"),
        decimal.Decimal("1.5"),
        fractions.Fraction(1, 3),
        re.compile("a+b", re.IGNORECASE),
        datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc),
        datetime.datetime(2024, 1, 1, tzinfo=ZoneInfo("Europe/Berlin")),
        datetime.date(2024, 1, 2),
        datetime.timedelta(3),
        OrderedDict(a=1),
        defaultdict(list, {"b": [1]}),
        Counter("aab"),
        deque([1, 2]),
        {1, 2},
        frozenset({3}),
        complex(1, 2),
        bytearray(b"xy"),
        range(3),
        slice(1, 2),
    ]
    return pickle.dumps(values, protocol=protocol)


def _sklearn(compress: object) -> Callable[[], bytes]:
    def build() -> bytes:
        import joblib
        import numpy as np
        from sklearn.ensemble import RandomForestClassifier
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        rng = np.random.RandomState(0)
        x, y = rng.rand(40, 3), (rng.rand(40) > 0.5).astype(int)
        models = [
            RandomForestClassifier(3, random_state=0).fit(x, y),
            make_pipeline(StandardScaler(), LogisticRegression()).fit(x, y),
        ]
        buf = io.BytesIO()
        joblib.dump(models, buf, compress=compress)
        return buf.getvalue()

    return build


BENIGN: list[Case] = [
    *(
        Case("benign", f"pandas-tz-p{p}", "frame.pkl", lambda p=p: _pandas_tz(p), ("pandas",))
        for p in (2, 4, 5)
    ),
    Case("benign", "torch-quantized", "q.pt", _torch("quantized"), ("torch",)),
    Case("benign", "torch-quantized-legacy", "q.pt", _torch("quantized", legacy=True), ("torch",)),
    Case("benign", "torch-checkpoint", "ckpt.pt", _torch("checkpoint"), ("torch",)),
    Case("benign", "torch-checkpoint-legacy", "ckpt.pt", _torch("checkpoint", legacy=True), ("torch",)),
    Case("benign", "torch-full-module", "model.pt", _torch("module"), ("torch",)),
    *(
        Case("benign", f"scipy-{fmt}{'-joblib' if jl else ''}", "m.pkl", _scipy_sparse(fmt, jl), ("scipy",))
        for fmt in ("csr", "csc", "coo", "lil", "dok", "bsr", "dia")
        for jl in (False, True)
    ),
    Case("benign", "numpy-masked", "ma.pkl", lambda: _numpy("masked"), ("numpy",)),
    Case("benign", "numpy-structured-pkl", "s.pkl", lambda: _numpy("structured"), ("numpy",)),
    Case("benign", "numpy-structured-npy", "s.npy", lambda: _numpy("structured-npy"), ("numpy",)),
    Case("benign", "numpy-64mib-inband-p5", "big.pkl", lambda: _numpy("big-inband-p5"), ("numpy",)),
    Case("benign", "numpy-64mib-inband-p4", "big.pkl", lambda: _numpy("big-inband-p4"), ("numpy",)),
    *(Case("benign", f"stdlib-values-p{p}", "values.pkl", lambda p=p: _stdlib(p)) for p in (0, 2, 4, 5)),
    *(
        Case("benign", f"sklearn-joblib-{name}", "model.joblib", _sklearn(compress), ("sklearn", "lz4"))
        for name, compress in (
            ("raw", 0),
            ("zlib", 3),
            ("lz4", ("lz4", 3)),
            ("xz", ("xz", 3)),
            ("bz2", ("bz2", 3)),
        )
    ),
]


def write_benign(folder: str) -> None:
    """Write every benign case whose libraries are installed to `folder/<name>/<filename>`.

    Run as `python -m tests.artifacts.corpus FOLDER` by the tests, so torch, pandas, scipy and the
    64 MiB arrays never live in the test process (a child forked from a large process inherits its
    resident size, which the hostile-tree test measures)."""
    import importlib
    from pathlib import Path

    for case in BENIGN:
        try:
            for module in case.needs:
                importlib.import_module(module)
        except ImportError:
            continue
        path = Path(folder) / case.name / case.filename
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(case.build())


if __name__ == "__main__":
    import sys
    import warnings

    warnings.simplefilter("ignore")
    write_benign(sys.argv[1])
