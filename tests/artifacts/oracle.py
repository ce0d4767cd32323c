"""The differential oracle and the opcode-level stream generator (tests only, generated data only).

`resolved_globals(data)` runs CPython's own C unpickler over `data` with `find_class` overridden to
record the requested global and return `Stub`, a class that accepts every call and mutation and
does nothing: nothing real is ever imported or called. Stacked streams are read until one fails,
the way a loop of `pickle.load` calls (or a legacy torch file) reads them.

`streams()` is a hypothesis strategy that assembles pickle streams from opcodes directly (every
protocol, any first opcode, memo tricks, text-argument oddities, stacked streams), with operands
drawn from allowlisted and non-allowlisted globals so that both outcomes are common.
"""

from __future__ import annotations

import io
import pickle
import struct

from aisec.plugins.artifacts.policy import Policy
from hypothesis import strategies as st

POLICY = Policy.default()


class Stub:
    """What every global resolves to: constructible, callable, mutable, and inert."""

    def __new__(cls, *args: object, **kwargs: object) -> Stub:
        return object.__new__(cls)

    def __init__(self, *args: object, **kwargs: object) -> None:
        pass

    def __call__(self, *args: object, **kwargs: object) -> Stub:
        return Stub()

    def __setstate__(self, state: object) -> None:
        pass

    def __setitem__(self, key: object, value: object) -> None:
        pass

    def append(self, value: object) -> None:
        pass

    def extend(self, values: object) -> None:
        pass

    def add(self, value: object) -> None:
        pass


class RecordingUnpickler(pickle.Unpickler):
    """The real `_pickle.Unpickler` with `find_class`/`persistent_load` replaced by recorders."""

    def __init__(self, file: io.BytesIO, found: list[tuple[str, str]]) -> None:
        super().__init__(file)
        self.found = found

    def find_class(self, module: str, name: str) -> type:
        self.found.append((module, name))
        return Stub

    def persistent_load(self, pid: object) -> Stub:
        return Stub()


def resolved_globals(data: bytes, max_streams: int = 8) -> list[tuple[str, str]]:
    """Every global the real unpickler requests, over the stacked streams of `data`."""
    found: list[tuple[str, str]] = []
    f = io.BytesIO(data)
    for _ in range(max_streams):
        if f.tell() >= len(data):
            break
        try:
            RecordingUnpickler(f, found).load()
        except (Exception, RecursionError):
            break
    return found


def _mapped(module: str, name: str) -> tuple[str, str]:
    import _compat_pickle

    if (module, name) in _compat_pickle.NAME_MAPPING:
        return _compat_pickle.NAME_MAPPING[(module, name)]
    return _compat_pickle.IMPORT_MAPPING.get(module, module), name


def outside_allowlist(found: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Resolved globals that neither as written nor as Python 2 names map are allowlisted."""
    return [(m, n) for m, n in found if not POLICY.is_allowed(m, n) and not POLICY.is_allowed(*_mapped(m, n))]


# ------------------------------------------------------------------------------------------
# the generator

GLOBALS = [
    ("collections", "OrderedDict"),
    ("builtins", "set"),
    ("torch._utils", "_rebuild_tensor_v2"),
    ("numpy.core.multiarray", "_reconstruct"),
    ("copyreg", "_reconstructor"),
    ("__builtin__", "set"),
    ("os", "getpid"),
    ("builtins", "eval"),
    ("mypkg.models", "Net"),
    ("__main__", "Thing"),
    ("numpy", "testing._private.utils.runstring"),
]
STRINGS = [m for m, _ in GLOBALS] + [n for _, n in GLOBALS] + ["x", "__setstate__"]


def _text(s: str) -> bytes:
    return s.encode("utf-8")


def _string_op(s: str, how: int) -> bytes:
    raw = _text(s)
    if how == 0:
        return b"\x8c" + bytes([len(raw)]) + raw  # SHORT_BINUNICODE
    if how == 1:
        return b"X" + struct.pack("<I", len(raw)) + raw  # BINUNICODE
    if how == 2:
        return b"V" + raw + b"\n"  # UNICODE
    if how == 3:
        return b"S'" + raw + b"'\n"  # STRING
    if how == 4:
        return b"U" + bytes([len(raw)]) + raw  # SHORT_BINSTRING
    return b"\x8d" + struct.pack("<Q", len(raw)) + raw  # BINUNICODE8


SIMPLE = [
    b"(", b"0", b"1", b"2", b"N", b"\x88", b"\x89", b")", b"]", b"}", b"\x8f", b"t", b"\x85", b"\x86",
    b"\x87", b"l", b"d", b"a", b"e", b"s", b"u", b"\x90", b"\x91", b"R", b"\x81", b"\x92", b"o", b"b",
    b"\x93", b"\x94", b"K\x01", b"J\x00\x00\x00\x80", b"M\x01\x00", b"\x8a\x01\x01", b"\x8b\x00\x00\x00\x00",
    b"G?\xf8\x00\x00\x00\x00\x00\x00", b"F1.5\n", b"I00\n", b"I01\n", b"I0x10\n", b"I7\x00junk\n", b"L5L\n",
    b"C\x02ab", b"B\x00\x00\x00\x00", b"\x96\x01\x00\x00\x00\x00\x00\x00\x00z", b"\x97", b"\x98", b"Q",
]  # fmt: skip


@st.composite
def _op(draw: st.DrawFn) -> bytes:
    kind = draw(st.integers(0, 9))
    if kind <= 3:
        return draw(st.sampled_from(SIMPLE))
    if kind == 4:
        module, name = draw(st.sampled_from(GLOBALS))
        return b"c" + _text(module) + b"\n" + _text(name) + b"\n"
    if kind == 5:
        return _string_op(draw(st.sampled_from(STRINGS)), draw(st.integers(0, 5)))
    if kind == 6:  # memo: PUT/BINPUT/LONG_BINPUT/GET/BINGET/LONG_BINGET on small keys
        key = draw(st.integers(0, 3))
        form = draw(st.integers(0, 5))
        return [
            b"p%d\n" % key, b"q" + bytes([key]), b"r" + struct.pack("<I", key),
            b"g%d\n" % key, b"h" + bytes([key]), b"j" + struct.pack("<I", key),
        ][form]  # fmt: skip
    if kind == 7:  # a whole import-and-call, as GLOBAL or STACK_GLOBAL
        module, name = draw(st.sampled_from(GLOBALS))
        if draw(st.booleans()):
            head = b"c" + _text(module) + b"\n" + _text(name) + b"\n"
        else:
            head = _string_op(module, 0) + _string_op(name, 0) + b"\x93"
        return head + draw(st.sampled_from([b")R", b")\x81", b"(o", b"N\x85R"]))
    if kind == 8:  # INST
        module, name = draw(st.sampled_from(GLOBALS))
        return b"(i" + _text(module) + b"\n" + _text(name) + b"\n"
    return b"\x80" + bytes([draw(st.integers(0, 5))])  # PROTO anywhere


@st.composite
def stream(draw: st.DrawFn) -> bytes:
    """One stream: any first opcode, a few dozen opcodes, usually ending in STOP."""
    ops = draw(st.lists(_op(), min_size=1, max_size=30))
    if draw(st.booleans()):
        body = b"".join(ops)
        ops = [b"\x95" + struct.pack("<Q", len(body)), body]  # one FRAME around everything
    end = draw(st.sampled_from([b".", b".", b".", b"", b"\x00"]))
    return b"".join(ops) + end


@st.composite
def streams(draw: st.DrawFn) -> bytes:
    """One to three stacked streams, sometimes starting with a real library pickle."""
    parts = draw(st.lists(stream(), min_size=1, max_size=3))
    if draw(st.booleans()):
        parts.insert(0, pickle.dumps({"w": [1.5, 2]}, protocol=draw(st.integers(0, 5))))
    return b"".join(parts)
