"""Writes malicious and benign model artifacts at test time (nothing binary is committed).

Malicious samples are hand-assembled opcode streams whose payloads are harmless (`os.getpid`,
`--version`, `pass`): they are only ever *written* and scanned, never loaded. Benign samples come
from the real libraries (numpy, joblib/scikit-learn, pandas, torch) when they are installed;
`Sample.needs` names the module a sample requires.
"""

from __future__ import annotations

import bz2
import collections
import gzip
import io
import lzma
import pickle
import struct
import tarfile
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

MALICIOUS = "malicious"
BENIGN = "benign"
LFS = "lfs"

# --------------------------------------------------------------------------------------------
# a tiny opcode assembler


def u(text: str) -> bytes:
    """SHORT_BINUNICODE (or BINUNICODE for long text)."""
    raw = text.encode("utf-8")
    if len(raw) < 256:
        return b"\x8c" + bytes([len(raw)]) + raw
    return b"X" + struct.pack("<I", len(raw)) + raw


def glob0(module: str, name: str) -> bytes:
    """GLOBAL (protocol 0-3 text form)."""
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def sglobal(module: str, name: str) -> bytes:
    """STACK_GLOBAL with both operands pushed as strings (protocol 4)."""
    return u(module) + u(name) + b"\x93"


def binbytes(data: bytes) -> bytes:
    if len(data) < 256:
        return b"C" + bytes([len(data)]) + data
    return b"B" + struct.pack("<I", len(data)) + data


P2 = b"\x80\x02"
P4 = b"\x80\x04"
P5 = b"\x80\x05"
STOP = b"."
REDUCE = b"R"
EMPTY_TUPLE = b")"
TUPLE1 = b"\x85"
TUPLE2 = b"\x86"
MARK = b"("
TUPLE = b"t"
MEMOIZE = b"\x94"


def getpid_p2() -> bytes:
    """`os.getpid()` via GLOBAL + REDUCE (the classic __reduce__ payload, harmless call)."""
    return P2 + glob0("os", "getpid") + EMPTY_TUPLE + REDUCE + STOP


def getpid_proto0() -> bytes:
    return glob0("os", "getpid") + MARK + TUPLE + REDUCE + STOP


def getattr_chain() -> bytes:
    """`builtins.getattr(builtins.__import__('os'), 'getpid')()`."""
    return (
        P4
        + sglobal("builtins", "getattr")
        + sglobal("builtins", "__import__")
        + u("os")
        + TUPLE1
        + REDUCE
        + u("getpid")
        + TUPLE2
        + REDUCE
        + EMPTY_TUPLE
        + REDUCE
        + STOP
    )


def runpy_run_code() -> bytes:
    return P2 + glob0("runpy", "_run_code") + u("pass") + b"}" + TUPLE2 + REDUCE + STOP


def pip_main() -> bytes:
    """`pip.main(['--version'])`: the opcode is written, nothing is ever run."""
    return P2 + glob0("pip", "main") + b"]" + u("--version") + b"a" + TUPLE1 + REDUCE + STOP


def importlib_import_module() -> bytes:
    """`importlib.import_module('os')` then `.getpid` through `operator.methodcaller`."""
    return (
        P4
        + sglobal("operator", "methodcaller")
        + u("getpid")
        + TUPLE1
        + REDUCE
        + sglobal("importlib", "import_module")
        + u("os")
        + TUPLE1
        + REDUCE
        + TUPLE1
        + REDUCE
        + STOP
    )


def operator_attrgetter() -> bytes:
    return P4 + sglobal("operator", "attrgetter") + u("getpid") + TUPLE1 + REDUCE + STOP


def memo_dup_trick() -> bytes:
    """picklescan bypass: 'os' DUP MEMOIZE POP ... BINGET 0 BINGET 1 STACK_GLOBAL."""
    return (
        P4
        + u("os")
        + b"2"  # DUP
        + MEMOIZE  # memo[0] = 'os'
        + b"0"  # POP
        + u("getpid")
        + MEMOIZE  # memo[1] = 'getpid'
        + b"0"
        + b"h\x00h\x01"  # BINGET 0, BINGET 1
        + b"\x93"
        + MEMOIZE
        + b"0"
        + b"h\x02"  # the callable fetched back from the memo
        + EMPTY_TUPLE
        + REDUCE
        + STOP
    )


def memo_put_get_callable() -> bytes:
    """The callable stored with PUT (protocol 0 text memo) and fetched with GET."""
    return glob0("os", "getpid") + b"p7\n0" + b"g7\n" + MARK + TUPLE + REDUCE + STOP


def truncated_after_payload() -> bytes:
    return P2 + glob0("os", "getpid") + EMPTY_TUPLE + REDUCE + b"\x8c"


def invalid_opcode_after_payload() -> bytes:
    return P2 + glob0("os", "getpid") + EMPTY_TUPLE + REDUCE + b"\xff\xff"


def stack_global_dotted() -> bytes:
    """Attribute walk through an innocent module name (protocol >= 4 resolves dots)."""
    return (
        P4 + sglobal("numpy", "testing._private.utils.runstring") + u("pass") + b"}" + TUPLE2 + REDUCE + STOP
    )


def dotted_through_allowlisted() -> bytes:
    """`collections.OrderedDict.get` reached as a dotted name (modelscan #330 family)."""
    return P4 + sglobal("collections", "OrderedDict.get") + b"}" + u("x") + TUPLE2 + REDUCE + STOP


def builtins_exec_inst() -> bytes:
    """INST form: `(S'pass'\\nibuiltins\\nexec\\n.`"""
    return MARK + b"S'pass'\n" + b"ibuiltins\nexec\n" + STOP


def obj_opcode() -> bytes:
    return P2 + MARK + glob0("os", "getpid") + b"o" + STOP


def py2_builtin_eval() -> bytes:
    """Python 2 names are mapped by the unpickler: __builtin__.eval is builtins.eval."""
    return P2 + glob0("__builtin__", "eval") + u("1") + TUPLE1 + REDUCE + STOP


def short_binstring_names() -> bytes:
    """STACK_GLOBAL fed by SHORT_BINSTRING (not str opcodes) operands."""
    return P4 + b"U\x02os" + b"U\x06getpid" + b"\x93" + EMPTY_TUPLE + REDUCE + STOP


def build_on_global() -> bytes:
    """BUILD setting attributes on an imported (allowlisted) class (modelscan #85)."""
    return P4 + sglobal("collections", "OrderedDict") + b"}" + u("x") + u("y") + b"s" + b"b" + STOP


def ext_opcode() -> bytes:
    return P2 + b"\x82\x01" + EMPTY_TUPLE + REDUCE + STOP


def float_then_payload() -> bytes:
    """Protocol-0 FLOAT and protocol-5 BYTEARRAY8 (fickling 0.1.12 cannot parse), then the payload."""
    return (
        P5
        + b"F1.5\n0"
        + b"\x96"
        + struct.pack("<Q", 3)
        + b"abc"
        + b"\x980"
        + glob0("os", "getpid")
        + EMPTY_TUPLE
        + REDUCE
        + STOP
    )


def computed_stack_global() -> bytes:
    """STACK_GLOBAL on values built at load time (`_codecs.encode` results)."""
    enc = sglobal("_codecs", "encode")
    return (
        P4
        + enc
        + u("os")
        + u("latin1")
        + TUPLE2
        + REDUCE
        + u("getpid")
        + b"\x93"
        + EMPTY_TUPLE
        + REDUCE
        + STOP
    )


def nested_in_binbytes() -> bytes:
    """An allowlisted bytes loader (`torch.storage._load_from_bytes`) fed a malicious pickle."""
    return P2 + glob0("torch.storage", "_load_from_bytes") + binbytes(getpid_p2()) + TUPLE1 + REDUCE + STOP


def nested_in_codecs_string() -> bytes:
    """The nested pickle carried as a str and turned into bytes by `_codecs.encode`."""
    inner = getpid_p2().decode("latin-1")
    return (
        P2
        + glob0("torch.storage", "_load_from_bytes")
        + glob0("_codecs", "encode")
        + u(inner)
        + u("latin1")
        + TUPLE2
        + REDUCE
        + TUPLE1
        + REDUCE
        + STOP
    )


def padded_payload(padding: int) -> bytes:
    """A big BINBYTES8 constant in front of the payload."""
    return (
        P4
        + b"\x8e"
        + struct.pack("<Q", padding)
        + b"\0" * padding
        + b"0"
        + glob0("os", "getpid")
        + EMPTY_TUPLE
        + REDUCE
        + STOP
    )


def many_opcodes(n: int) -> bytes:
    return P4 + b"]" + MARK + b"K\x01" * n + b"e" + b"0" + glob0("os", "getpid") + EMPTY_TUPLE + REDUCE + STOP


# ------------------------------------------------------------------------------------------
# benign pickles written by hand (no library needed)


def ordered_dict_floats(protocol: int) -> bytes:
    return pickle.dumps(collections.OrderedDict((f"w{i}", i * 0.5) for i in range(10)), protocol=protocol)


def benign_torch_like_data_pkl() -> bytes:
    return ordered_dict_floats(2)


# ------------------------------------------------------------------------------------------
# containers


def torch_like_zip(extra: dict[str, bytes] | None = None, data_pkl: bytes | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        z.writestr("archive/data.pkl", data_pkl if data_pkl is not None else benign_torch_like_data_pkl())
        z.writestr("archive/byteorder", b"little")
        z.writestr("archive/data/0", struct.pack("<4f", 1.0, 2.0, 3.0, 4.0))
        for name, data in (extra or {}).items():
            z.writestr(name, data)
        z.writestr("archive/version", b"3\n")
    return buf.getvalue()


def zip_bad_crc() -> bytes:
    data = bytearray(torch_like_zip(data_pkl=getpid_p2()))
    # corrupt the CRC of archive/data.pkl in the local header and the central directory
    local = data.find(b"PK\x03\x04")
    data[local + 14 : local + 18] = b"\xde\xad\xbe\xef"
    central = data.find(b"PK\x01\x02")
    data[central + 16 : central + 20] = b"\xde\xad\xbe\xef"
    return bytes(data)


def zip_name_mismatch() -> bytes:
    data = bytearray(torch_like_zip(data_pkl=getpid_p2()))
    local = data.find(b"PK\x03\x04")
    nlen = struct.unpack("<H", data[local + 26 : local + 28])[0]
    name_at = local + 30
    assert data[name_at : name_at + nlen] == b"archive/data.pkl"
    data[name_at : name_at + nlen] = b"archive/docs.txt"
    return bytes(data)


def deflated_zip_member() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("archive/data.pkl", benign_torch_like_data_pkl())
        z.writestr("archive/extra/evil.bin", getpid_p2())
        z.writestr("archive/version", b"3\n")
    return buf.getvalue()


def zip_in_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("outer/readme.txt", b"weights inside")
        z.writestr("outer/inner.zip", torch_like_zip(extra={"archive/extra/evil.bin": getpid_proto0()}))
    return buf.getvalue()


def npy_object(payload: bytes) -> bytes:
    header = "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }"
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin-1") + payload


def npz_with(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


TORCH_MAGIC = 0x1950A86A20F9469CFC6C


def legacy_torch(model_pickle: bytes) -> bytes:
    sys_info = {
        "protocol_version": 1001,
        "little_endian": True,
        "type_sizes": {"short": 2, "int": 4, "long": 4},
    }
    return (
        pickle.dumps(TORCH_MAGIC, protocol=2)
        + pickle.dumps(1001, protocol=2)
        + pickle.dumps(sys_info, protocol=2)
        + model_pickle
        + pickle.dumps(["0"], protocol=2)
        + struct.pack("<q", 2)
        + struct.pack("<2f", 1.0, 2.0)
    )


def _tar(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def torch_tar(storages: bytes, pickle_member: bytes | None = None) -> bytes:
    return _tar(
        {
            "sys_info": pickle.dumps({"protocol_version": 1001}, protocol=2),
            "pickle": pickle_member if pickle_member is not None else benign_torch_like_data_pkl(),
            "storages": storages,
            "tensors": pickle.dumps(0, protocol=2),
        }
    )


def tar_storages_payload_after_data() -> bytes:
    """count=1, one storage (key, location, torch.FloatStorage) + raw data, then a payload."""
    args = P2 + MARK + u("0") + u("cpu") + glob0("torch", "FloatStorage") + TUPLE + STOP
    return (
        pickle.dumps(1, protocol=2) + args + struct.pack("<q", 2) + struct.pack("<2f", 1.0, 2.0) + getpid_p2()
    )


def joblib_style_handmade(payload_after: bytes) -> bytes:
    """A joblib NumpyArrayWrapper (old layout, no alignment) with raw bytes, then more pickle."""
    wrapper_state = (
        b"}"
        + MARK
        + u("subclass")
        + glob0("numpy", "ndarray")
        + u("shape")
        + b"K\x03"
        + TUPLE1
        + u("order")
        + u("C")
        + u("dtype")
        + glob0("numpy", "dtype")
        + u("f8")
        + b"\x89\x88"
        + b"\x87"
        + REDUCE
        + MARK
        + b"K\x03"
        + u("<")
        + b"NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00"
        + TUPLE
        + b"b"
        + b"u"
    )
    raw = struct.pack("<3d", 1.0, 2.0, 3.0)
    return (
        P2
        + b"]"
        + glob0("joblib.numpy_pickle", "NumpyArrayWrapper")
        + EMPTY_TUPLE
        + b"\x81"
        + wrapper_state
        + b"b"
        + raw
        + b"a"
        + payload_after
        + b"a"
        + STOP
    )


def joblib_compressed(kind: str, data: bytes) -> bytes:
    if kind == "zlib":
        return zlib.compress(data, 3)
    if kind == "gzip":
        return gzip.compress(data)
    if kind == "bz2":
        return bz2.compress(data)
    if kind == "xz":
        return lzma.compress(data, format=lzma.FORMAT_XZ)
    if kind == "lzma":
        return lzma.compress(data, format=lzma.FORMAT_ALONE)
    if kind == "lz4":
        import lz4.frame

        return lz4.frame.compress(data)
    raise ValueError(kind)


GIT_LFS_POINTER = (
    b"version https://git-lfs.github.com/spec/v1\n"
    b"oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n"
    b"size 12345\n"
)

# ------------------------------------------------------------------------------------------
# the catalogue


@dataclass(frozen=True)
class Sample:
    name: str
    filename: str
    expect: str  # MALICIOUS, BENIGN or LFS
    build: Callable[[], bytes]
    needs: str | None = None  # module the builder imports

    def write(self, directory: Path) -> Path:
        path = directory / self.name / self.filename
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(self.build())
        return path


def _mal(name: str, filename: str, build: Callable[[], bytes], needs: str | None = None) -> Sample:
    return Sample(name, filename, MALICIOUS, build, needs)


def _ben(name: str, filename: str, build: Callable[[], bytes], needs: str | None = None) -> Sample:
    return Sample(name, filename, BENIGN, build, needs)


MALICIOUS_SAMPLES: list[Sample] = [
    _mal("reduce-os-getpid", "model.pkl", getpid_p2),
    _mal("reduce-proto0", "model.pkl", getpid_proto0),
    _mal("getattr-chain", "model.pkl", getattr_chain),
    _mal("runpy-run-code", "model.pkl", runpy_run_code),
    _mal("pip-main", "model.pkl", pip_main),
    _mal("importlib-methodcaller", "model.pkl", importlib_import_module),
    _mal("operator-attrgetter", "model.pkl", operator_attrgetter),
    _mal("memo-dup-trick", "model.pkl", memo_dup_trick),
    _mal("memo-put-get", "model.pkl", memo_put_get_callable),
    _mal("truncated-after-payload", "model.pkl", truncated_after_payload),
    _mal("invalid-opcode-after-payload", "model.pkl", invalid_opcode_after_payload),
    _mal("stack-global-dotted", "model.pkl", stack_global_dotted),
    _mal("dotted-through-allowlisted", "model.pkl", dotted_through_allowlisted),
    _mal("inst-builtins-exec", "model.pkl", builtins_exec_inst),
    _mal("obj-opcode", "model.pkl", obj_opcode),
    _mal("py2-builtin-eval", "model.pkl", py2_builtin_eval),
    _mal("short-binstring-names", "model.pkl", short_binstring_names),
    _mal("build-on-global", "model.pkl", build_on_global),
    _mal("ext-opcode", "model.pkl", ext_opcode),
    _mal("float-bytearray8-then-payload", "model.pkl", float_then_payload),
    _mal("computed-stack-global", "model.pkl", computed_stack_global),
    _mal("nested-in-binbytes", "model.pkl", nested_in_binbytes),
    _mal("nested-in-codecs-string", "model.pkl", nested_in_codecs_string),
    _mal("padded-1mb-then-payload", "model.pkl", lambda: padded_payload(1 << 20)),
    _mal("wrong-extension-bin", "pytorch_model.bin", getpid_p2),
    _mal("wrong-extension-txt", "notes.txt", getpid_proto0),
    _mal("wrong-extension-npy", "weights.npy", getpid_p2),
    _mal("wrong-extension-model", "tokenizer.model", lambda: torch_like_zip(data_pkl=getpid_p2())),
    _mal("torch-zip-data-pkl", "model.pt", lambda: torch_like_zip(data_pkl=getpid_p2())),
    _mal(
        "torch-zip-unusual-member",
        "model.pt",
        lambda: torch_like_zip(extra={"archive/extra/evil.bin": getpid_p2()}),
    ),
    _mal("torch-zip-deflated-member", "model.pt", deflated_zip_member),
    _mal("torch-zip-bad-crc", "model.pt", zip_bad_crc),
    _mal("torch-zip-name-mismatch", "model.pt", zip_name_mismatch),
    _mal("zip-in-zip", "bundle.zip", zip_in_zip),
    _mal("pickle-prepended-to-zip", "model.pt", lambda: getpid_p2() + torch_like_zip()),
    _mal("pickle-appended-to-zip", "model.pt", lambda: torch_like_zip() + getpid_p2()),
    _mal("legacy-torch-stream-4", "model.pt", lambda: legacy_torch(getpid_p2())),
    _mal("torch-tar-storages-first", "model.tar", lambda: torch_tar(getpid_p2())),
    _mal("torch-tar-storages-after-data", "model.tar", lambda: torch_tar(tar_storages_payload_after_data())),
    _mal(
        "torch-tar-pickle-member",
        "model.tar",
        lambda: torch_tar(pickle.dumps(0, protocol=2), getpid_proto0()),
    ),
    _mal("npy-object-payload", "array.npy", lambda: npy_object(getpid_p2())),
    _mal("npz-object-member", "arrays.npz", lambda: npz_with({"a.npy": npy_object(getpid_p2())})),
    _mal(
        "joblib-after-array",
        "model.joblib",
        lambda: joblib_style_handmade(glob0("os", "getpid") + EMPTY_TUPLE + REDUCE),
    ),
    *(
        _mal(f"compressed-{kind}", f"model.{kind}", lambda kind=kind: joblib_compressed(kind, getpid_p2()))
        for kind in ("zlib", "gzip", "bz2", "xz", "lzma")
    ),
    _mal("compressed-lz4", "model.lz4", lambda: joblib_compressed("lz4", getpid_p2()), needs="lz4"),
    _mal(
        "compressed-joblib-after-array",
        "model.joblib.gz",
        lambda: joblib_compressed(
            "gzip", joblib_style_handmade(glob0("os", "getpid") + EMPTY_TUPLE + REDUCE)
        ),
    ),
]


def _np_save(obj, **kw) -> bytes:
    import numpy as np

    buf = io.BytesIO()
    np.save(buf, obj, **kw)
    return buf.getvalue()


def _np_savez(**arrays) -> bytes:
    import numpy as np

    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return buf.getvalue()


def _sklearn_models() -> dict:
    import numpy as np
    from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler
    from sklearn.svm import SVC

    rng = np.random.RandomState(0)
    x = rng.rand(60, 4)
    y = (x[:, 0] > 0.5).astype(int)
    return {
        "logreg": LogisticRegression().fit(x, y),
        "forest": RandomForestClassifier(n_estimators=4, random_state=rng).fit(x, y),
        "gboost": GradientBoostingClassifier(n_estimators=3).fit(x, y),
        "pipeline": Pipeline([("scale", StandardScaler()), ("svc", SVC())]).fit(x, y),
        "onehot": OneHotEncoder().fit([["a"], ["b"]]),
        "tfidf": TfidfVectorizer().fit(["hello world", "model files"]),
    }


def _joblib_dump(name: str, compress=0) -> Callable[[], bytes]:
    def build() -> bytes:
        import joblib

        buf = io.BytesIO()
        joblib.dump(_sklearn_models()[name], buf, compress=compress)
        return buf.getvalue()

    return build


def _joblib_file_dump(tmp_name: str, compress) -> Callable[[], bytes]:
    """joblib.dump to a real file (the aligned-array layout needs a seekable file)."""

    def build() -> bytes:
        import tempfile

        import joblib

        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / tmp_name
            joblib.dump(_sklearn_models()["forest"], path, compress=compress)
            return path.read_bytes()

    return build


def _pandas_pickle(compression: str | None = None) -> Callable[[], bytes]:
    def build() -> bytes:
        import pandas as pd

        df = pd.DataFrame(
            {
                "a": [1, 2, 3],
                "b": [0.5, 1.5, 2.5],
                "c": ["x", "y", "z"],
                "d": pd.to_datetime(["2024-01-01"] * 3),
                "e": pd.Categorical(["u", "v", "u"]),
            }
        )
        buf = io.BytesIO()
        df.to_pickle(buf, compression=compression)
        return buf.getvalue()

    return build


def _torch_save(kind: str, legacy: bool) -> Callable[[], bytes]:
    def build() -> bytes:
        import torch
        from torch import nn

        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.1), nn.Linear(8, 2), nn.LayerNorm(2))
        obj = {"state_dict": model.state_dict(), "module": model}[kind]
        buf = io.BytesIO()
        if legacy:
            torch.save(obj, buf, _use_new_zipfile_serialization=False)
        else:
            torch.save(obj, buf)
        return buf.getvalue()

    return build


def _torch_tensor_plain_pickle() -> bytes:
    import torch

    return pickle.dumps({"w": torch.arange(4.0)}, protocol=2)


def _numpy_random_state() -> bytes:
    import numpy as np

    return pickle.dumps(np.random.RandomState(0), protocol=4)


BENIGN_SAMPLES: list[Sample] = [
    _ben("ordered-dict-proto0", "weights.pkl", lambda: ordered_dict_floats(0)),
    _ben("ordered-dict-proto2", "weights.pkl", lambda: ordered_dict_floats(2)),
    _ben("ordered-dict-proto4", "weights.pkl", lambda: ordered_dict_floats(4)),
    _ben("ordered-dict-proto5", "weights.pkl", lambda: ordered_dict_floats(5)),
    _ben(
        "plain-data-proto0",
        "data.pkl",
        lambda: pickle.dumps([1.5, {"a": (1, 2)}, "text", None, {3}], protocol=0),
    ),
    _ben("stacked-plain-pickles", "data.pkl", lambda: pickle.dumps([1], 2) + pickle.dumps({"b": 2.0}, 4)),
    _ben("torch-like-zip-handmade", "model.pt", torch_like_zip),
    _ben("readme-text", "README.md", lambda: b"# Model card\n\nThis model classifies things.\n"),
    _ben("text-starting-with-c", "notes.txt", lambda: b"cat\nand dog live here\n"),
    _ben(
        "npy-plain",
        "array.npy",
        lambda: _np_save(__import__("numpy").arange(12.0).reshape(3, 4), allow_pickle=False),
        "numpy",
    ),
    _ben(
        "npy-object-ints",
        "objects.npy",
        lambda: _np_save(__import__("numpy").array([1, 2, 3], dtype=object)),
        "numpy",
    ),
    _ben("npz-plain", "arrays.npz", lambda: _np_savez(a=__import__("numpy").zeros(5)), "numpy"),
    _ben("numpy-random-state", "rng.pkl", _numpy_random_state, "numpy"),
    *(
        _ben(f"joblib-{name}", f"{name}.joblib", _joblib_dump(name), "sklearn")
        for name in ("logreg", "forest", "gboost", "pipeline", "onehot", "tfidf")
    ),
    *(
        _ben(
            f"joblib-forest-{kind}",
            f"forest.joblib.{kind}",
            _joblib_dump("forest", compress=(kind, 3)),
            "sklearn",
        )
        for kind in ("zlib", "gzip", "bz2", "xz", "lzma")
    ),
    _ben("joblib-forest-lz4", "forest.joblib.lz4", _joblib_dump("forest", compress=("lz4", 3)), "lz4"),
    _ben("joblib-forest-file-aligned", "forest.joblib", _joblib_file_dump("forest.joblib", 0), "sklearn"),
    _ben("pandas-dataframe", "frame.pkl", _pandas_pickle(), "pandas"),
    _ben("pandas-dataframe-gzip", "frame.pkl.gz", _pandas_pickle("gzip"), "pandas"),
    _ben("torch-state-dict", "model.pt", _torch_save("state_dict", False), "torch"),
    _ben("torch-module", "model.pt", _torch_save("module", False), "torch"),
    _ben("torch-legacy-state-dict", "model.pt", _torch_save("state_dict", True), "torch"),
    _ben("torch-legacy-module", "model.pt", _torch_save("module", True), "torch"),
    _ben("torch-tensor-plain-pickle", "tensor.pkl", _torch_tensor_plain_pickle, "torch"),
    _ben("torch-tar-benign", "model.tar", lambda: torch_tar(pickle.dumps(0, protocol=2))),
]

LFS_SAMPLE = Sample("git-lfs-pointer", "model.bin", LFS, lambda: GIT_LFS_POINTER)

ALL_SAMPLES: list[Sample] = [*MALICIOUS_SAMPLES, *BENIGN_SAMPLES, LFS_SAMPLE]


def write_zip_bomb(path: Path, payload_size: int = 1 << 30) -> Path:
    """A zip whose pickle member pads a payload with `payload_size` zero bytes (~1 MB deflated)."""
    chunk = b"\0" * (1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        with z.open("archive/data.pkl", "w", force_zip64=True) as member:
            member.write(P4 + b"\x8e" + struct.pack("<Q", payload_size))
            left = payload_size
            while left:
                n = min(left, len(chunk))
                member.write(chunk[:n])
                left -= n
            member.write(b"0" + glob0("os", "getpid") + EMPTY_TUPLE + REDUCE + STOP)
        z.writestr("archive/version", b"3\n")
    return path
