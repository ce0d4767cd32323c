"""A bounded, non-executing pickle opcode walker.

It simulates the unpickler's stack and memo with abstract values (nothing is imported, called or
constructed) to record every import (GLOBAL, INST, STACK_GLOBAL with operands resolved through the
stack and memo, EXT*) and every call (REDUCE, NEWOBJ, NEWOBJ_EX, OBJ, INST, BUILD, and container
mutations of non-containers) with the callable it resolves to. Unlike fickling 0.1.12 it decodes
FLOAT, BYTEARRAY8, NEXT_BUFFER and READONLY_BUFFER, skips joblib's raw array bytes after a
`NumpyArrayWrapper` BUILD (and walks the nested pickle of object arrays), recurses into bytes and
string constants that are themselves pickles, and keeps everything seen before a truncation,
malformed opcode or exhausted budget.

Budgets: bytes per stream (joblib array data excluded), opcodes per stream, and the artifact's
shared deadline. When a budget stops the walk, `Walk.stop` is "budget" and the caller must fail
closed.
"""

from __future__ import annotations

import _compat_pickle
import codecs
import re
import struct
import warnings
from dataclasses import dataclass, field
from typing import Any

from .allowlist import BYTES_LOADERS
from .streams import Budget, BudgetExceeded, ByteSource, BytesReader

MAX_LINE = 16 << 20  # longest text argument line (GLOBAL names, proto-0 strings)
KEEP_ITEMS = 4096  # container items kept for inspection (the rest are counted, not stored)
KEEP_BYTES = 4096  # bytes/str constants kept as values (larger: a Blob placeholder)
NESTED_DEPTH = 4  # recursion into pickles inside bytes constants
NESTED_PROBE = 1 << 20  # bytes of joblib array data probed as opcodes
FICKLING_COPY_MAX = 16 << 20  # normalized copy kept for fickling up to this many bytes
BIG_CONSTANT = 1 << 20  # larger bytes/str constants are skipped unless they may hold a pickle
PROBE_HEAD = 64 * 1024  # bytes of a large constant walked to tell whether it is a pickle
CHECK_EVERY = 4096

JOBLIB_WRAPPER = ("joblib.numpy_pickle", "NumpyArrayWrapper")
_BYTES_LOADERS = frozenset(tuple(entry.split(":", 1)) for entry in BYTES_LOADERS)
ARCHIVE_MAGIC = b"PK\x03\x04"


# ---------------------------------------------------------------------------------------------
# abstract values


class Mark:
    __slots__ = ()


class Global:
    """An imported object (module attribute)."""

    __slots__ = ("module", "name", "offset", "via")

    def __init__(self, module: str, name: str, offset: int, via: str) -> None:
        self.module = module
        self.name = name
        self.offset = offset
        self.via = via

    @property
    def full(self) -> str:
        return f"{self.module}.{self.name}"

    def __repr__(self) -> str:
        return f"Global({self.full})"


class Obj:
    """The result of a call (or persistent load): `origin` is the callable's Global, or None."""

    __slots__ = ("args", "kind", "origin", "state")

    def __init__(self, origin: Global | None, args: Any, kind: str) -> None:
        self.origin = origin
        self.args = args
        self.kind = kind
        self.state: Any = None

    @property
    def label(self) -> str:
        if self.origin is not None:
            return self.origin.full
        return "<computed>" if self.kind != "PERSID" else "<persistent>"


class Blob:
    """A bytes/str constant too large to keep as a value; `data` is kept only when it may be a
    nested pickle or archive (what a bytes loader such as `torch.storage._load_from_bytes` reads);
    `unknown` when it was skipped without telling (its head ran past the probe window)."""

    __slots__ = ("data", "kind", "length", "unknown")

    def __init__(self, kind: str, length: int, data: bytes | None = None, unknown: bool = False) -> None:
        self.kind = kind
        self.length = length
        self.data = data
        self.unknown = unknown


class Opaque:
    __slots__ = ("what",)

    def __init__(self, what: str) -> None:
        self.what = what


class PDict:
    __slots__ = ("dropped", "items")

    def __init__(self) -> None:
        self.items: list[tuple[Any, Any]] = []
        self.dropped = 0

    def add(self, key: Any, value: Any) -> None:
        if len(self.items) < KEEP_ITEMS:
            self.items.append((key, value))
        else:
            self.dropped += 1

    def get(self, key: Any, default: Any = None) -> Any:
        for k, v in self.items:
            if isinstance(k, str) and k == key:
                return v
        return default

    def has(self, key: str) -> bool:
        return any(isinstance(k, str) and k == key for k, _ in self.items)


class PList:
    __slots__ = ("dropped", "items", "kind")

    def __init__(self, kind: str = "list", items: list | None = None) -> None:
        self.kind = kind
        self.items: list[Any] = []
        self.dropped = 0
        if items:
            self.extend(items)

    def extend(self, values: list) -> None:
        room = KEEP_ITEMS - len(self.items)
        if room > 0:
            self.items.extend(values[:room])
        self.dropped += max(0, len(values) - max(room, 0))


MARK = Mark()


# ---------------------------------------------------------------------------------------------
# results


@dataclass
class Import:
    module: str
    name: str
    offset: int
    via: str  # GLOBAL, STACK_GLOBAL, INST, EXT
    dotted: bool = False  # a '.' in the attribute name: attribute walk through a module

    @property
    def full(self) -> str:
        return f"{self.module}.{self.name}"


@dataclass
class Call:
    target: str  # 'module.name', '<computed>', '<persistent>'
    kind: str  # REDUCE NEWOBJ NEWOBJ_EX OBJ INST BUILD ARG SETITEM APPEND ...
    offset: int
    imported: bool  # target is an import (module.name), not a computed value


@dataclass
class Walk:
    """What one pickle stream would do when unpickled, as far as it was read."""

    start: int
    end: int = 0
    opcodes: int = 0
    protocol: int = 0
    complete: bool = False  # reached STOP
    stop: str | None = None  # None | 'truncated' | 'malformed' | 'budget' | 'unsupported'
    reason: str | None = None
    imports: list[Import] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    anomalies: list[str] = field(default_factory=list)  # structural tricks (always malicious)
    nested: list[Walk] = field(default_factory=list)  # pickles found inside this one
    joblib_arrays: int = 0
    archives: list[tuple[int, bytes]] = field(default_factory=list)  # zip archives held in bytes constants
    gaps: list[str] = field(default_factory=list)  # what could not be followed (fail closed)
    storages: list[tuple[str, str]] = field(default_factory=list)  # legacy torch: (key, storage type)
    loader_payloads: list[tuple[int, bytes]] = field(default_factory=list)  # bytes a bytes-loader reads
    value: Any = None  # the object STOP returns (abstract)
    normalized: bytearray | None = None  # a copy fickling can parse (FLOAT->BINFLOAT, ...)

    def all_walks(self) -> list[Walk]:
        out = [self]
        for n in self.nested:
            out.extend(n.all_walks())
        return out

    @property
    def has_code_paths(self) -> bool:
        """True when anything in the stream imports or calls (else nothing in it can run code)."""
        return bool(
            self.imports or self.calls or self.anomalies or any(n.has_code_paths for n in self.nested)
        )


class _Stop(Exception):
    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


def _literal_bytes(value: Any) -> bytes | Blob | None:
    """The bytes a constant argument holds: a bytes constant, or `_codecs.encode(<str>, ...)` (how
    protocol 2 writes bytes); a `Blob` when it was too large to keep; None when computed."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, Blob):
        return value
    if isinstance(value, Obj) and value.origin is not None and value.origin.full == "_codecs.encode":
        args = value.args
        first = args[0] if isinstance(args, tuple) and args else None
        if isinstance(first, str):
            return first.encode("latin-1", "replace")
        if isinstance(first, Blob):
            return first
    return None


def _globals_in(value: Any, depth: int = 0) -> list[Global]:
    """Imports handed to a call, also inside tuples, lists and dicts (bounded depth)."""
    if isinstance(value, Global):
        return [value]
    if depth >= 3:
        return []
    if isinstance(value, tuple):
        items = value
    elif isinstance(value, PList):
        items = value.items
    elif isinstance(value, PDict):
        items = [part for pair in value.items for part in pair]
    else:
        return []
    return [g for item in items for g in _globals_in(item, depth + 1)]


def _is_dotted_identifier(text: str) -> bool:
    return bool(text) and all(part.isidentifier() for part in text.split("."))


VALID_OPCODES = frozenset(
    b"(.012FIJKLMNPQRSTUVXabcdeghijlopqrstu}])G\x80\x81\x82\x83\x84\x85\x86\x87\x88\x89\x8a\x8bBC\x8c\x8d\x8e\x8f\x90\x91\x92\x93\x94\x95\x96\x97\x98"
)


def may_start_pickle(head: bytes) -> bool:
    """Cheap first-bytes test: could this be the beginning of a pickle stream?

    The unpickler accepts any opcode first (`EMPTY_SET`, `LONG1`, `MARK`, `INT ... POP`), so this
    only rules out bytes that are no opcode at all; whether the data *parses* as a pickle is
    decided by walking it (`plausible`).
    """
    if len(head) < 2:
        return False
    if head[0] == 0x80:
        return head[1] <= 5
    return head[0] in VALID_OPCODES


def plausible(walk: Walk) -> bool:
    """Whether a walk over bytes that are not declared to be a pickle actually found one.

    True when it reached STOP after at least two opcodes, or saw a well-formed import (a pickle
    that imports something and then breaks still runs that import), or a call.
    """
    if walk.complete and walk.opcodes >= 2:
        return True
    if any(_is_dotted_identifier(i.module) and _is_dotted_identifier(i.name) for i in walk.imports):
        return True
    return bool(walk.calls or any(plausible(n) for n in walk.nested))


def parses_as_pickle(head: bytes) -> bool:
    """Whether the first bytes of a file parse as the start of a pickle: a plausible walk, or one
    that only stopped because the bytes ran out."""
    if not may_start_pickle(head[:2]):
        return False
    walk = walk_bytes(head, max_opcodes=100_000, probe=True)
    return plausible(walk) or walk.stop == "truncated"


# ---------------------------------------------------------------------------------------------
# the walker


class Walker:
    """Walks one pickle stream from `src`'s current position. Use `walk_stream`."""

    def __init__(
        self,
        src: ByteSource,
        *,
        max_bytes: int,
        max_opcodes: int,
        budget: Budget,
        depth: int = 0,
        joblib: bool = True,
        keep_copy: bool = True,
        probe: bool = False,
    ) -> None:
        self.src = src
        self.max_bytes = max_bytes
        self.max_opcodes = max_opcodes
        self.budget = budget
        self.depth = depth
        self.joblib = joblib
        self.probe = probe
        self.start = src.offset
        self.skipped = 0  # joblib array bytes (not pickle data)
        self.stack: list[Any] = []
        self.marks: list[int] = []
        self.memo: dict[int, Any] = {}
        self.frame_end = -1
        self.proto = 0
        self.w = Walk(start=self.start)
        self.norm: bytearray | None = bytearray() if keep_copy else None
        self.op_offset = self.start

    # -- low-level reads -----------------------------------------------------------------------

    def _consumed(self) -> int:
        return self.src.offset - self.start - self.skipped

    def _need(self, n: int) -> None:
        if self._consumed() + n > self.max_bytes:
            raise _Stop(
                "budget",
                f"pickle stream larger than max-pickle-bytes ({self.max_bytes} bytes): "
                f"{n} more bytes needed at offset {self.src.offset}",
            )

    def _read(self, n: int, name: str, copy: bool = True) -> bytes:
        if n < 0:
            raise _Stop("malformed", f"{name} with negative length at offset {self.op_offset}")
        self._need(n)
        data = self.src.read(n)
        if data is None:
            raise _Stop("truncated", f"stream ends inside {name} at offset {self.op_offset}")
        if copy and self.norm is not None:
            self.norm += data
            if len(self.norm) > FICKLING_COPY_MAX:
                self.norm = None
        return data

    def _line(self, name: str, copy: bool = True) -> bytes:
        self._need(0)
        limit = min(MAX_LINE, max(1, self.max_bytes - self._consumed()))
        line = self.src.readline(limit)
        if line is None:
            if len(self.src.peek(limit)) < limit:  # no newline before the data ends
                raise _Stop("truncated", f"stream ends inside {name} at offset {self.op_offset}")
            if self._consumed() + MAX_LINE >= self.max_bytes:
                self._need(MAX_LINE)
            # the unpickler reads lines of any length: not following one is a budget, fail closed
            raise _Stop(
                "budget", f"{name} argument line longer than {MAX_LINE} bytes at offset {self.op_offset}"
            )
        if copy and self.norm is not None:
            self.norm += line
        return line[:-1]

    def _u(self, fmt: str, size: int, name: str) -> int:
        return struct.unpack(fmt, self._read(size, name))[0]

    # -- stack helpers -------------------------------------------------------------------------

    def _fence(self) -> int:
        return self.marks[-1] if self.marks else 0

    def _pop(self) -> Any:
        if len(self.stack) <= self._fence():
            raise _Stop("malformed", f"unpickling stack underflow at offset {self.op_offset}")
        return self.stack.pop()

    def _top(self) -> Any:
        if len(self.stack) <= self._fence():
            raise _Stop("malformed", f"unpickling stack underflow at offset {self.op_offset}")
        return self.stack[-1]

    def _pop_mark(self) -> list:
        if not self.marks:
            raise _Stop("malformed", f"could not find MARK at offset {self.op_offset}")
        k = self.marks.pop()
        items = self.stack[k:]
        del self.stack[k:]
        return items

    # -- recording -----------------------------------------------------------------------------

    def _import(self, module: str, name: str, via: str) -> Global:
        if self.proto < 3 and via != "EXT":
            if (module, name) in _compat_pickle.NAME_MAPPING:
                module, name = _compat_pickle.NAME_MAPPING[(module, name)]
            elif module in _compat_pickle.IMPORT_MAPPING:
                module = _compat_pickle.IMPORT_MAPPING[module]
        g = Global(module, name, self.op_offset, via)
        self.w.imports.append(Import(module, name, self.op_offset, via, dotted="." in name))
        return g

    def _call(self, target: Any, kind: str, args: Any = None) -> Obj:
        if isinstance(target, Global):
            self.w.calls.append(Call(target.full, kind, self.op_offset, True))
            origin: Global | None = target
            if (target.module, target.name) in _BYTES_LOADERS:
                self._bytes_loader(target, args)
        else:
            label = target.label if isinstance(target, Obj) else "<computed>"
            self.w.calls.append(Call(label if kind == "BUILD" else "<computed>", kind, self.op_offset, False))
            if kind not in ("BUILD",):
                what = f"result of {target.label}" if isinstance(target, Obj) else type(target).__name__
                self.w.anomalies.append(
                    f"calls a computed value ({what}) via {kind} at offset {self.op_offset}"
                )
            origin = None
        # imports handed to a call may be called by it (copyreg._reconstructor, __newobj__,
        # _rebuild_from_type_v2's type, ...): each must be allowlisted itself
        for value in _globals_in(args):
            self.w.calls.append(Call(value.full, "ARG", self.op_offset, True))
        return Obj(origin, args, kind)

    def _bytes_loader(self, target: Global, args: Any) -> None:
        """An allowlisted callable that unpickles its bytes argument: that argument is a nested
        artifact, inspected in full; computed or skipped data fails closed."""
        first = self._shallow(args)[:1] if args is not None else []
        payload = _literal_bytes(first[0]) if first else None
        if payload is None:
            self.w.anomalies.append(
                f"{target.full} unpickles data computed at load time (offset {self.op_offset})"
            )
            return
        if isinstance(payload, Blob) and payload.unknown:
            self.w.gaps.append(
                f"{target.full} unpickles a {payload.length}-byte constant that was skipped unread "
                f"(offset {self.op_offset})"
            )
            return
        data = payload.data if isinstance(payload, Blob) else payload
        if data is not None:  # a Blob without data is neither a pickle nor an archive: loading fails
            self.w.loader_payloads.append((self.op_offset, data))

    @staticmethod
    def _shallow(args: Any) -> list:
        if isinstance(args, tuple):
            return list(args)
        if isinstance(args, PList):
            return list(args.items)
        if isinstance(args, PDict):
            return [v for _, v in args.items]
        return [args]

    def _mutate(self, target: Any, kind: str) -> None:
        """APPEND/SETITEM/... on `target`: plain containers are data, anything else is a call."""
        if isinstance(target, (PList, PDict)):
            return
        if isinstance(target, Global):
            self.w.anomalies.append(
                f"{kind} mutates the imported object {target.full} at offset {self.op_offset}"
            )
            self.w.calls.append(Call(target.full, kind, self.op_offset, True))
        elif isinstance(target, Obj):
            self.w.calls.append(Call(target.label, kind, self.op_offset, target.origin is not None))
        # On a constant (str, int, ...) the unpickler raises; the walk goes on regardless, so it
        # never stops earlier than the unpickler would.

    def _push_bytes(self, data: bytes, kind: str) -> None:
        archive = self._note_archive(data)
        if len(data) <= KEEP_BYTES:
            self.stack.append(data if kind != "str" else data.decode("latin-1"))
        else:
            self.stack.append(Blob(kind, len(data), data if archive or self._is_pickle(data) else None))

    def _push_str(self, text: str) -> None:
        if len(text) <= KEEP_BYTES:
            if text.startswith("PK\x03\x04"):
                self._note_archive(text.encode("latin-1", "replace"))
            self.stack.append(text)
            return
        try:
            raw = text.encode("latin-1")  # how `_codecs.encode(text, "latin1")` turns it into bytes
        except UnicodeEncodeError:
            raw = text.encode("utf-8", "surrogatepass")
        keep = self._note_archive(raw) or self._is_pickle(raw)
        self.stack.append(Blob("str", len(text), raw if keep else None))

    def _note_archive(self, data: bytes) -> bool:
        """A zip or tar held in a constant is inspected as a container of its own."""
        if data[:4] == ARCHIVE_MAGIC or data[257:262] == b"ustar":
            self.w.archives.append((self.op_offset, data))
            return True
        return False

    def _is_pickle(self, data: bytes) -> bool:
        """Whether a large constant parses as a pickle: then it is kept, for a bytes loader
        (`torch.storage._load_from_bytes`) that may unpickle it. Small constants are kept anyway,
        and only a loader runs what a constant holds (calls of other loaders are findings)."""
        if self.depth >= NESTED_DEPTH or not may_start_pickle(data[:2]):
            return False
        sub = walk_bytes(
            data,
            max_bytes=len(data),
            max_opcodes=max(1, self.max_opcodes - self.w.opcodes),
            budget=self.budget,
            depth=self.depth + 1,
            probe=True,
        )
        return plausible(sub) or sub.stop == "budget"

    # -- main loop -----------------------------------------------------------------------------

    def run(self) -> Walk:
        w = self.w
        handlers = _HANDLERS
        src = self.src
        try:
            while True:
                self.op_offset = src.offset
                op = src.read_byte()
                if op < 0:
                    if w.opcodes == 0:
                        raise _Stop("truncated", "empty stream")
                    raise _Stop("truncated", f"stream ends at offset {self.op_offset} without STOP")
                handler = handlers.get(op)
                if handler is None:
                    raise _Stop("malformed", f"invalid opcode 0x{op:02x} at offset {self.op_offset}")
                if self.norm is not None:
                    self.norm.append(op)
                w.opcodes += 1
                if w.opcodes % CHECK_EVERY == 0:
                    self.budget.check_time()
                    self._need(0)
                if w.opcodes > self.max_opcodes:
                    raise _Stop("budget", f"more than max-opcodes ({self.max_opcodes}) opcodes in one stream")
                if handler(self):
                    w.complete = True
                    break
        except _Stop as stop:
            w.stop = stop.kind
            w.reason = stop.reason
        except BudgetExceeded as exc:
            w.stop = "budget"
            w.reason = str(exc)
        except RecursionError:
            w.stop = "budget"
            w.reason = "nesting too deep to follow"
        except MemoryError:
            w.stop = "budget"
            w.reason = "out of memory while walking the stream"
        w.end = src.offset
        w.protocol = self.proto
        w.normalized = self.norm if (self.norm is not None and w.complete) else None
        # Free the simulated machine early.
        self.stack = []
        self.memo = {}
        return w

    # -- joblib --------------------------------------------------------------------------------

    def _joblib_array(self, wrapper: Obj) -> None:
        state = wrapper.state
        if not isinstance(state, PDict):
            raise _Stop(
                "unsupported", f"joblib NumpyArrayWrapper without a readable state at offset {self.op_offset}"
            )
        if 0 <= self.src.offset < self.frame_end:
            self.w.anomalies.append(
                "joblib array data starts inside an unfinished pickle frame (the loader and a scanner "
                f"would read different opcodes) at offset {self.src.offset}"
            )
            raise _Stop("unsupported", "joblib array inside an open frame")
        shape = state.get("shape")
        dtype = state.get("dtype")
        itemsize, hasobject = _dtype_info(dtype)
        if hasobject:
            self.w.joblib_arrays += 1
            if self.depth >= NESTED_DEPTH:
                raise _Stop("unsupported", "joblib object arrays nested too deeply")
            sub = Walker(
                self.src,
                max_bytes=max(0, self.max_bytes - self._consumed()),
                max_opcodes=max(1, self.max_opcodes - self.w.opcodes),
                budget=self.budget,
                depth=self.depth + 1,
                joblib=True,
                keep_copy=False,
            ).run()
            self.w.nested.append(sub)
            self.w.opcodes += sub.opcodes
            if not sub.complete:
                raise _Stop(sub.stop or "malformed", f"nested joblib object-array pickle: {sub.reason}")
            return
        count = _shape_count(shape)
        if itemsize is None or count is None:
            raise _Stop(
                "unsupported",
                f"cannot tell the size of the joblib array at offset {self.src.offset} "
                "(unreadable shape or dtype); the rest of the stream was not read",
            )
        self.w.joblib_arrays += 1
        nbytes = count * itemsize
        aligned = (
            state.has("numpy_array_alignment_bytes") and state.get("numpy_array_alignment_bytes") is not None
        )
        if aligned:
            pad = self.src.read_byte()
            if pad < 0:
                raise _Stop("truncated", "stream ends inside joblib array padding")
            if pad and not self.src.skip(pad):
                raise _Stop("truncated", "stream ends inside joblib array padding")
            self.skipped += 1 + pad
        else:
            # A plain pickle.load would parse these bytes as opcodes: probe them too.
            head = self.src.peek(min(nbytes, NESTED_PROBE))
            if head and head[0] in VALID_OPCODES and self.depth < NESTED_DEPTH:
                sub = walk_bytes(
                    head,
                    max_bytes=len(head),
                    max_opcodes=max(1, self.max_opcodes - self.w.opcodes),
                    budget=self.budget,
                    depth=self.depth + 1,
                    probe=True,
                    base_offset=self.src.offset,
                )
                if plausible(sub):
                    self.w.nested.append(sub)
        if not self.src.skip(nbytes):
            raise _Stop("truncated", f"stream ends inside joblib array data ({nbytes} bytes announced)")
        self.skipped += nbytes


def _dunder_keys(state: Any) -> list[str]:
    """Special names (`__setstate__`, `__reduce__`, ...) a BUILD state writes into an object:
    `inst.__dict__['__setstate__'] = f` makes the unpickler call `f` on the next BUILD."""
    parts = state if isinstance(state, tuple) and len(state) == 2 else (state,)
    keys = [k for part in parts if isinstance(part, PDict) for k, _ in part.items]
    return [k for k in keys if isinstance(k, str) and k.startswith("__") and k.endswith("__")]


def _dtype_info(dtype: Any) -> tuple[int | None, bool]:
    """(itemsize, hasobject) of an abstract `numpy.dtype(...)` value, None when unknown."""
    if (
        not isinstance(dtype, Obj)
        or dtype.origin is None
        or dtype.origin.full
        not in (
            "numpy.dtype",
            "numpy.core.multiarray.dtype",
            "numpy._core.multiarray.dtype",
        )
    ):
        return None, False
    args = dtype.args
    descr = args[0] if isinstance(args, tuple) and args and isinstance(args[0], str) else None
    state = dtype.state if isinstance(dtype.state, tuple) else ()
    if descr is None:
        return None, False
    hasobject = descr.startswith("O") or (
        len(state) >= 8 and isinstance(state[7], int) and bool(state[7] & 1)
    )
    if hasobject:
        return None, True
    if len(state) >= 6 and isinstance(state[5], int) and state[5] > 0:
        return state[5], False
    kind, digits = descr[:1], descr[1:]
    if digits.isdigit():
        size = int(digits)
        if kind == "U":
            size *= 4
        if 0 < size <= 1 << 20:
            return size, False
    if descr in ("M8", "m8") or descr.startswith(("M8[", "m8[")):
        return 8, False
    return None, False


def _shape_count(shape: Any) -> int | None:
    if not isinstance(shape, tuple):
        return None
    count = 1
    for dim in shape:
        if not isinstance(dim, int) or isinstance(dim, bool) or dim < 0 or dim > 1 << 62:
            return None
        count *= dim
        if count > 1 << 62:
            return None
    return count


# ---------------------------------------------------------------------------------------------
# opcode handlers: each returns True only for STOP


def _op_mark(s: Walker) -> bool:
    s.marks.append(len(s.stack))
    return False


def _op_stop(s: Walker) -> bool:
    s.w.value = s._pop()
    return True


def _op_pop(s: Walker) -> bool:
    if s.marks and s.marks[-1] == len(s.stack):
        s.marks.pop()
    else:
        s._pop()
    return False


def _op_pop_mark(s: Walker) -> bool:
    s._pop_mark()
    return False


def _op_dup(s: Walker) -> bool:
    s.stack.append(s._top())
    return False


def _op_float(s: Walker) -> bool:
    line = s._line("FLOAT", copy=False)
    try:
        value = float(_c_string(line))
    except ValueError as exc:
        raise _Stop("malformed", f"bad FLOAT at offset {s.op_offset}") from exc
    if s.norm is not None:
        s.norm[-1] = ord("G")
        s.norm += struct.pack(">d", value)
    s.stack.append(value)
    return False


def _c_string(line: bytes) -> bytes:
    """The C unpickler parses text arguments as C strings: an embedded NUL ends them."""
    return line.split(b"\0", 1)[0]


_STRTOL = re.compile(rb"[ \t\n\v\f\r]*([+-]?)(?:0[xX]([0-9a-fA-F]+)|(0[0-7]*)|([1-9][0-9]*))\Z")


def _parse_int_line(s: Walker, line: bytes, name: str) -> Any:
    """INT, LONG, GET and PUT arguments exactly as CPython's `_pickle` reads them (3.10-3.13):
    INT tries C `strtol(s, 0)` (hex and 0-prefixed octal) and falls back to `int(s, 0)`; the others
    use `int(s, 10)` (LONG without a trailing 'L'); all stop at an embedded NUL."""
    if not line:
        raise _Stop("malformed", f"empty {name} argument at offset {s.op_offset}")
    if name == "LONG" and line.endswith(b"L"):
        line = line[:-1]
    text = _c_string(line)
    if name == "INT":
        if not text:
            return 0  # strtol stops at the NUL with nothing read, and the unpickler accepts that
        m = _STRTOL.match(text)
        if m:
            sign = -1 if m.group(1) == b"-" else 1
            if m.group(2) is not None:
                value = int(m.group(2), 16)
            elif m.group(3) is not None:
                value = int(m.group(3), 8)
            else:
                value = int(m.group(4))
            value *= sign
            return bool(value) if len(line) == 2 and value in (0, 1) else value
    try:
        return int(text.decode("latin-1"), 0 if name == "INT" else 10)
    except ValueError as exc:
        raise _Stop("malformed", f"bad {name} argument at offset {s.op_offset}") from exc


def _op_int(s: Walker) -> bool:
    s.stack.append(_parse_int_line(s, s._line("INT"), "INT"))
    return False


def _op_long(s: Walker) -> bool:
    s.stack.append(_parse_int_line(s, s._line("LONG"), "LONG"))
    return False


def _op_binint(s: Walker) -> bool:
    s.stack.append(s._u("<i", 4, "BININT"))
    return False


def _op_binint1(s: Walker) -> bool:
    s.stack.append(s._read(1, "BININT1")[0])
    return False


def _op_binint2(s: Walker) -> bool:
    s.stack.append(s._u("<H", 2, "BININT2"))
    return False


def _long_bytes(s: Walker, n: int, name: str) -> bool:
    data = s._read(n, name)
    s.stack.append(int.from_bytes(data, "little", signed=True) if n <= 64 else Opaque("long"))
    return False


def _op_long1(s: Walker) -> bool:
    return _long_bytes(s, s._read(1, "LONG1")[0], "LONG1")


def _op_long4(s: Walker) -> bool:
    return _long_bytes(s, s._u("<i", 4, "LONG4"), "LONG4")


def _op_none(s: Walker) -> bool:
    s.stack.append(None)
    return False


def _op_true(s: Walker) -> bool:
    s.stack.append(True)
    return False


def _op_false(s: Walker) -> bool:
    s.stack.append(False)
    return False


def _op_binfloat(s: Walker) -> bool:
    s.stack.append(s._u(">d", 8, "BINFLOAT"))
    return False


def _op_string(s: Walker) -> bool:
    line = s._line("STRING").rstrip()
    if len(line) < 2 or line[0] != line[-1] or line[0] not in b"'\"":
        raise _Stop("malformed", f"the STRING opcode argument must be quoted (offset {s.op_offset})")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            data = codecs.escape_decode(line[1:-1])[0]
    except Exception as exc:
        raise _Stop("malformed", f"bad STRING escape at offset {s.op_offset}") from exc
    s._push_str(data.decode("latin-1"))
    return False


def _big(s: Walker, n: int, name: str) -> bool:
    """Skip a large opaque constant (an in-band array buffer) cheaply: it is neither read into
    memory nor counted against max-pickle-bytes. Only its head is looked at: a constant that
    starts like an archive, or whose head walks as a pickle, is read like any other."""
    if n <= BIG_CONSTANT:
        return False
    head = s.src.peek(min(n, PROBE_HEAD))
    if len(head) < min(n, PROBE_HEAD):
        raise _Stop("truncated", f"stream ends inside {name} at offset {s.op_offset}")
    if head[:4] == ARCHIVE_MAGIC or head[257:262] == b"ustar":
        return False
    unknown = False
    if may_start_pickle(head[:2]) and s.depth < NESTED_DEPTH:
        probe = walk_bytes(head, max_opcodes=s.max_opcodes, budget=s.budget, depth=s.depth + 1, probe=True)
        if plausible(probe):
            return False  # a pickle: read it like any constant
        unknown = probe.stop in ("truncated", "budget")  # ran past the window: cannot tell
    s.norm = None  # too large for fickling anyway
    if not s.src.skip(n):
        raise _Stop("truncated", f"stream ends inside {name} at offset {s.op_offset}")
    s.skipped += n
    s.stack.append(Blob("bytes" if "BYTE" in name else "str", n, unknown=unknown))
    return True


def _str_n(s: Walker, n: int, name: str) -> bool:
    if _big(s, n, name):
        return False
    s._push_str(s._read(n, name).decode("latin-1"))
    return False


def _op_binstring(s: Walker) -> bool:
    return _str_n(s, s._u("<i", 4, "BINSTRING"), "BINSTRING")


def _op_short_binstring(s: Walker) -> bool:
    return _str_n(s, s._read(1, "SHORT_BINSTRING")[0], "SHORT_BINSTRING")


def _unicode_n(s: Walker, n: int, name: str) -> bool:
    if _big(s, n, name):
        return False
    data = s._read(n, name)
    try:
        text = data.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError as exc:
        raise _Stop("malformed", f"{name} is not UTF-8 at offset {s.op_offset}") from exc
    s._push_str(text)
    return False


def _op_unicode(s: Walker) -> bool:
    line = s._line("UNICODE")
    try:
        text = line.decode("raw-unicode-escape")
    except UnicodeDecodeError as exc:
        raise _Stop("malformed", f"bad UNICODE at offset {s.op_offset}") from exc
    s._push_str(text)
    return False


def _op_binunicode(s: Walker) -> bool:
    return _unicode_n(s, s._u("<I", 4, "BINUNICODE"), "BINUNICODE")


def _op_short_binunicode(s: Walker) -> bool:
    return _unicode_n(s, s._read(1, "SHORT_BINUNICODE")[0], "SHORT_BINUNICODE")


def _op_binunicode8(s: Walker) -> bool:
    return _unicode_n(s, s._u("<Q", 8, "BINUNICODE8"), "BINUNICODE8")


def _bytes_n(s: Walker, n: int, name: str) -> bool:
    if _big(s, n, name):
        return False
    s._push_bytes(s._read(n, name), "bytes")
    return False


def _op_binbytes(s: Walker) -> bool:
    return _bytes_n(s, s._u("<I", 4, "BINBYTES"), "BINBYTES")


def _op_short_binbytes(s: Walker) -> bool:
    return _bytes_n(s, s._read(1, "SHORT_BINBYTES")[0], "SHORT_BINBYTES")


def _op_binbytes8(s: Walker) -> bool:
    return _bytes_n(s, s._u("<Q", 8, "BINBYTES8"), "BINBYTES8")


def _op_bytearray8(s: Walker) -> bool:
    if s.norm is not None:
        s.norm[-1] = 0x8E  # BINBYTES8: same stack effect for analysis
    return _bytes_n(s, s._u("<Q", 8, "BYTEARRAY8"), "BYTEARRAY8")


def _op_next_buffer(s: Walker) -> bool:
    if s.norm is not None:
        s.norm[-1] = ord("N")
    s.stack.append(Opaque("buffer"))
    return False


def _op_readonly_buffer(s: Walker) -> bool:
    if s.norm is not None:
        del s.norm[-1]
    s._top()
    return False


def _op_empty_list(s: Walker) -> bool:
    s.stack.append(PList())
    return False


def _op_empty_dict(s: Walker) -> bool:
    s.stack.append(PDict())
    return False


def _op_empty_tuple(s: Walker) -> bool:
    s.stack.append(())
    return False


def _op_empty_set(s: Walker) -> bool:
    s.stack.append(PList("set"))
    return False


def _op_list(s: Walker) -> bool:
    s.stack.append(PList("list", s._pop_mark()))
    return False


def _op_tuple(s: Walker) -> bool:
    items = s._pop_mark()
    s.stack.append(tuple(items[:KEEP_ITEMS]))
    return False


def _tuple_n(n: int):
    def handler(s: Walker) -> bool:
        items = [s._pop() for _ in range(n)]
        items.reverse()
        s.stack.append(tuple(items))
        return False

    return handler


def _op_frozenset(s: Walker) -> bool:
    s.stack.append(PList("frozenset", s._pop_mark()))
    return False


def _op_dict(s: Walker) -> bool:
    items = s._pop_mark()
    if len(items) % 2:
        raise _Stop("malformed", f"odd number of items for DICT at offset {s.op_offset}")
    d = PDict()
    for i in range(0, len(items), 2):
        d.add(items[i], items[i + 1])
    s.stack.append(d)
    return False


def _op_append(s: Walker) -> bool:
    value = s._pop()
    target = s._top()
    s._mutate(target, "APPEND")
    if isinstance(target, PList):
        target.extend([value])
    return False


def _op_appends(s: Walker) -> bool:
    items = s._pop_mark()
    target = s._top()
    s._mutate(target, "APPENDS")
    if isinstance(target, PList):
        target.extend(items)
    return False


def _op_additems(s: Walker) -> bool:
    items = s._pop_mark()
    target = s._top()
    s._mutate(target, "ADDITEMS")
    if isinstance(target, PList):
        target.extend(items)
    return False


def _op_setitem(s: Walker) -> bool:
    value = s._pop()
    key = s._pop()
    target = s._top()
    s._mutate(target, "SETITEM")
    if isinstance(target, PDict):
        target.add(key, value)
    return False


def _op_setitems(s: Walker) -> bool:
    items = s._pop_mark()
    if len(items) % 2:
        raise _Stop("malformed", f"odd number of items for SETITEMS at offset {s.op_offset}")
    target = s._top()
    s._mutate(target, "SETITEMS")
    if isinstance(target, PDict):
        for i in range(0, len(items), 2):
            target.add(items[i], items[i + 1])
    return False


def _decode_name(s: Walker, raw: bytes, what: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _Stop("malformed", f"{what} is not UTF-8 at offset {s.op_offset}") from exc


def _op_global(s: Walker) -> bool:
    module = _decode_name(s, s._line("GLOBAL"), "GLOBAL module")
    name = _decode_name(s, s._line("GLOBAL"), "GLOBAL name")
    if s.probe and not (_is_dotted_identifier(module) and _is_dotted_identifier(name)):
        raise _Stop("malformed", f"GLOBAL names are not identifiers at offset {s.op_offset}")
    s.stack.append(s._import(module, name, "GLOBAL"))
    return False


def _op_stack_global(s: Walker) -> bool:
    name = s._pop()
    module = s._pop()
    if not isinstance(module, str) or not isinstance(name, str):
        kinds = f"{type(module).__name__}, {type(name).__name__}"
        if s.probe:
            raise _Stop("malformed", "STACK_GLOBAL on non-strings")
        s.w.anomalies.append(
            f"STACK_GLOBAL on values computed at load time ({kinds}) at offset {s.op_offset}"
        )
        s.w.imports.append(Import("<computed>", "<computed>", s.op_offset, "STACK_GLOBAL"))
        s.stack.append(Obj(None, None, "STACK_GLOBAL"))
        return False
    if s.probe and not (_is_dotted_identifier(module) and _is_dotted_identifier(name)):
        raise _Stop("malformed", "STACK_GLOBAL names are not identifiers")
    s.stack.append(s._import(module, name, "STACK_GLOBAL"))
    return False


def _op_inst(s: Walker) -> bool:
    module = _decode_name(s, s._line("INST"), "INST module")
    name = _decode_name(s, s._line("INST"), "INST name")
    args = tuple(s._pop_mark())
    g = s._import(module, name, "INST")
    s.stack.append(s._call(g, "INST", args))
    return False


def _op_obj(s: Walker) -> bool:
    items = s._pop_mark()
    if not items:
        raise _Stop("malformed", f"OBJ without a class at offset {s.op_offset}")
    s.stack.append(s._call(items[0], "OBJ", tuple(items[1:])))
    return False


def _op_reduce(s: Walker) -> bool:
    args = s._pop()
    func = s._pop()
    method = _method_lookup(s, func, args)
    s.stack.append(method if method is not None else s._call(func, "REDUCE", args))
    return False


def _method_lookup(s: Walker, func: Any, args: Any) -> Global | None:
    """`getattr(<imported class>, "<name>")`: how pickle saves a bound class method (zoneinfo's
    `ZoneInfo._unpickle`). Resolved to the import `module.Class.name` (a dotted name, judged by the
    allowlist like any other) instead of a call of getattr; any other getattr stays a call."""
    if not (isinstance(func, Global) and func.full == "builtins.getattr" and isinstance(args, tuple)):
        return None
    if len(args) != 2 or not isinstance(args[0], Global) or not isinstance(args[1], str):
        return None
    if not args[1].isidentifier():
        return None
    s.w.calls.append(Call(func.full, "METHOD", s.op_offset, True))
    return s._import(args[0].module, f"{args[0].name}.{args[1]}", "getattr")


def _op_newobj(s: Walker) -> bool:
    args = s._pop()
    cls = s._pop()
    s.stack.append(s._call(cls, "NEWOBJ", args))
    return False


def _op_newobj_ex(s: Walker) -> bool:
    kwargs = s._pop()
    args = s._pop()
    cls = s._pop()
    merged = tuple(Walker._shallow(args)) + tuple(Walker._shallow(kwargs))
    s.stack.append(s._call(cls, "NEWOBJ_EX", merged))
    return False


def _op_build(s: Walker) -> bool:
    state = s._pop()
    target = s._top()
    if isinstance(target, Global):
        s.w.anomalies.append(
            f"BUILD sets attributes of the imported object {target.full} at offset {s.op_offset}"
        )
        s.w.calls.append(Call(target.full, "BUILD", s.op_offset, True))
        return False
    if isinstance(target, Obj):
        s.w.calls.append(Call(target.label, "BUILD", s.op_offset, target.origin is not None))
        if target.state is None:
            target.state = state
        installed = _dunder_keys(state)
        if installed:
            s.w.anomalies.append(
                f"BUILD installs {', '.join(installed[:3])} on a {target.label} object (a later BUILD "
                f"or use calls it) at offset {s.op_offset}"
            )
        for value in Walker._shallow(state):
            if isinstance(value, Global):
                # BUILD with a state naming a global: stored on the object (may be called later)
                s.w.calls.append(Call(value.full, "ARG", s.op_offset, True))
        if (
            s.joblib
            and target.origin is not None
            and (target.origin.module, target.origin.name) == JOBLIB_WRAPPER
        ):
            s.stack.pop()
            s._joblib_array(target)
            s.stack.append(Opaque("ndarray"))
        return False
    # On containers and constants the unpickler raises, or (state None) does nothing: go on.
    return False


def _op_persid(s: Walker) -> bool:
    pid = s._line("PERSID").decode("latin-1")
    s.stack.append(Obj(None, pid, "PERSID"))
    return False


def _op_binpersid(s: Walker) -> bool:
    pid = s._pop()
    # torch's legacy loader returns the class named in ('module', cls, source_file, source)
    if isinstance(pid, tuple) and len(pid) >= 2 and pid[0] == "module" and isinstance(pid[1], Global):
        s.stack.append(pid[1])
        return False
    # ('storage', storage_type, key, location, numel, view): the raw bytes follow the 5th pickle
    if (
        isinstance(pid, tuple)
        and len(pid) >= 3
        and pid[0] == "storage"
        and isinstance(pid[1], Global)
        and isinstance(pid[2], str)
        and len(s.w.storages) < KEEP_ITEMS * 16
    ):
        s.w.storages.append((pid[2], pid[1].name))
    s.stack.append(Obj(None, pid, "PERSID"))
    return False


def _ext(n: int, fmt: str):
    def handler(s: Walker) -> bool:
        code = s._u(fmt, n, "EXT")
        s.stack.append(s._import("<extension registry>", str(code), "EXT"))
        s.w.anomalies.append(f"EXT{n} imports extension-registry code {code} at offset {s.op_offset}")
        return False

    return handler


def _memo_get(s: Walker, key: int) -> bool:
    if key not in s.memo:
        raise _Stop("malformed", f"memo key {key} not found at offset {s.op_offset}")
    s.stack.append(s.memo[key])
    return False


def _op_get(s: Walker) -> bool:
    return _memo_get(s, _parse_int_line(s, s._line("GET"), "GET"))


def _op_binget(s: Walker) -> bool:
    return _memo_get(s, s._read(1, "BINGET")[0])


def _op_long_binget(s: Walker) -> bool:
    return _memo_get(s, s._u("<I", 4, "LONG_BINGET"))


def _memo_put(s: Walker, key: Any) -> bool:
    if not isinstance(key, int) or isinstance(key, bool) or key < 0:
        raise _Stop("malformed", f"bad memo key at offset {s.op_offset}")
    s.memo[key] = s._top()
    return False


def _op_put(s: Walker) -> bool:
    return _memo_put(s, _parse_int_line(s, s._line("PUT"), "PUT"))


def _op_binput(s: Walker) -> bool:
    return _memo_put(s, s._read(1, "BINPUT")[0])


def _op_long_binput(s: Walker) -> bool:
    return _memo_put(s, s._u("<I", 4, "LONG_BINPUT"))


def _op_memoize(s: Walker) -> bool:
    s.memo[len(s.memo)] = s._top()
    return False


def _op_proto(s: Walker) -> bool:
    proto = s._read(1, "PROTO")[0]
    if proto > 5:
        raise _Stop("malformed", f"unsupported pickle protocol {proto} at offset {s.op_offset}")
    s.proto = proto
    return False


def _op_frame(s: Walker) -> bool:
    if s.norm is not None:
        del s.norm[-1]
    size = struct.unpack("<Q", s._read(8, "FRAME", copy=False))[0]
    s.frame_end = s.src.offset + size
    return False


_HANDLERS: dict[int, Any] = {
    ord("("): _op_mark,
    ord("."): _op_stop,
    ord("0"): _op_pop,
    ord("1"): _op_pop_mark,
    ord("2"): _op_dup,
    ord("F"): _op_float,
    ord("I"): _op_int,
    ord("J"): _op_binint,
    ord("K"): _op_binint1,
    ord("L"): _op_long,
    ord("M"): _op_binint2,
    ord("N"): _op_none,
    ord("P"): _op_persid,
    ord("Q"): _op_binpersid,
    ord("R"): _op_reduce,
    ord("S"): _op_string,
    ord("T"): _op_binstring,
    ord("U"): _op_short_binstring,
    ord("V"): _op_unicode,
    ord("X"): _op_binunicode,
    ord("a"): _op_append,
    ord("b"): _op_build,
    ord("c"): _op_global,
    ord("d"): _op_dict,
    ord("}"): _op_empty_dict,
    ord("e"): _op_appends,
    ord("g"): _op_get,
    ord("h"): _op_binget,
    ord("i"): _op_inst,
    ord("j"): _op_long_binget,
    ord("l"): _op_list,
    ord("]"): _op_empty_list,
    ord("o"): _op_obj,
    ord("p"): _op_put,
    ord("q"): _op_binput,
    ord("r"): _op_long_binput,
    ord("s"): _op_setitem,
    ord("t"): _op_tuple,
    ord(")"): _op_empty_tuple,
    ord("u"): _op_setitems,
    ord("G"): _op_binfloat,
    0x80: _op_proto,
    0x81: _op_newobj,
    0x82: _ext(1, "<B"),
    0x83: _ext(2, "<H"),
    0x84: _ext(4, "<i"),
    0x85: _tuple_n(1),
    0x86: _tuple_n(2),
    0x87: _tuple_n(3),
    0x88: _op_true,
    0x89: _op_false,
    0x8A: _op_long1,
    0x8B: _op_long4,
    ord("B"): _op_binbytes,
    ord("C"): _op_short_binbytes,
    0x8C: _op_short_binunicode,
    0x8D: _op_binunicode8,
    0x8E: _op_binbytes8,
    0x8F: _op_empty_set,
    0x90: _op_additems,
    0x91: _op_frozenset,
    0x92: _op_newobj_ex,
    0x93: _op_stack_global,
    0x94: _op_memoize,
    0x95: _op_frame,
    0x96: _op_bytearray8,
    0x97: _op_next_buffer,
    0x98: _op_readonly_buffer,
}
assert set(_HANDLERS) == set(VALID_OPCODES)


# ---------------------------------------------------------------------------------------------
# entry points


def walk_stream(
    src: ByteSource,
    *,
    max_bytes: int,
    max_opcodes: int,
    budget: Budget,
    joblib: bool = True,
    keep_copy: bool = True,
    probe: bool = False,
    depth: int = 0,
) -> Walk:
    """Walk one pickle stream starting at `src`'s position; `src` is left after its STOP."""
    return Walker(
        src,
        max_bytes=max_bytes,
        max_opcodes=max_opcodes,
        budget=budget,
        joblib=joblib,
        keep_copy=keep_copy,
        probe=probe,
        depth=depth,
    ).run()


def walk_bytes(
    data: bytes,
    *,
    max_bytes: int | None = None,
    max_opcodes: int = 5_000_000,
    budget: Budget | None = None,
    depth: int = 0,
    probe: bool = False,
    keep_copy: bool = False,
    base_offset: int = 0,
) -> Walk:
    """Walk a pickle held in memory (tests, nested constants)."""
    budget = budget or Budget(1 << 62, 30.0)
    return Walker(
        ByteSource(BytesReader(data), base_offset),
        max_bytes=len(data) if max_bytes is None else max_bytes,
        max_opcodes=max_opcodes,
        budget=budget,
        depth=depth,
        keep_copy=keep_copy,
        probe=probe,
    ).run()
