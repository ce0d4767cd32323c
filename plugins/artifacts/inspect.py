"""`inspect_file(path, limits, extra_allow)`: every pickle stream of an artifact, judged.

Dispatch is by content at every level (file, zip member, tar member, decompressed data, bytes
constant): raw pickles (any first opcode, every stream until EOF, legacy torch with its raw
storages skipped), zip archives (torch zip, npz, generic; a pickle before or after the archive),
tar (PyTorch 0.1 layout included), gzip/bz2/xz/lzma/zlib/lz4/zstd layers and joblib's "ZF"
format, `.npy` object arrays (descr parsed as numpy does), archives in bytes constants and what
`torch.storage._load_from_bytes` unpickles, `shelve`/`dbm.dumb` values, Git-LFS pointers. Data
whose signature names another format is also walked as a pickle (polyglots).
Each pickle stream is walked by `opcodes` (always), named by fickling when it can parse it, and
judged by `policy`. Budgets come from `Limits`; running out of one yields INCOMPLETE (high),
never a hang or an unbounded read. Nothing is ever unpickled, imported or executed.
"""

from __future__ import annotations

import io
import os
import re
import struct
from collections.abc import Iterable

from aisec.hooks import Severity

from . import fickling_adapter, formats, sqlite_shelve
from .opcodes import Global, PList, Walk, may_start_pickle, parses_as_pickle, plausible, walk_stream
from .policy import Policy, judge, project_packages
from .streams import (
    Budget,
    BudgetExceeded,
    ByteSource,
    DecompressReader,
    FileRegion,
    RawReader,
)
from .verdict import ArtifactVerdict, Limits, Status

__all__ = ["ArtifactInspector", "ArtifactVerdict", "Limits", "Status", "inspect_file"]

MAX_DEPTH = 4  # containers inside containers
MAX_STREAMS = 64  # stacked pickles in one file or member
PROBE_WINDOW = 64 * 1024  # bytes walked to decide whether undeclared data is a pickle
MAX_TAR_MEMBERS = 10_000
TORCH_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
PICKLE_NAMES = (".pkl", ".pickle", ".pck", ".pk")
ZIP_METHODS = {0: None, 8: "deflate", 12: "bz2", 14: "zip-lzma"}
STORAGE_SIZES = {
    "DoubleStorage": 8, "FloatStorage": 4, "HalfStorage": 2, "LongStorage": 8, "IntStorage": 4,
    "ShortStorage": 2, "CharStorage": 1, "ByteStorage": 1, "BoolStorage": 1, "BFloat16Storage": 2,
    "ComplexDoubleStorage": 16, "ComplexFloatStorage": 8, "QUInt8Storage": 1, "QInt8Storage": 1,
    "QInt32Storage": 4, "QUInt4x2Storage": 1, "QUInt2x4Storage": 1, "UntypedStorage": 1,
}  # fmt: skip

_STORAGE_NAME = re.compile(r"(^|/)data/\d+$")
_POLICIES: dict[tuple[str, tuple[str, ...]], Policy] = {}


def _shelve_label(key: bytes) -> str:
    return f"key {key.decode('latin-1')!r}"


def _policy(extra_allow: Iterable[str], project_root: str | os.PathLike[str] | None) -> Policy:
    """The policy for this allowlist, with the project's own packages seen from `project_root`
    (the current folder when the caller does not know the project)."""
    allow = tuple(sorted(extra_allow))
    root = os.path.abspath(project_root if project_root is not None else os.curdir)
    key = (root, allow)
    if key not in _POLICIES:
        _POLICIES[key] = Policy.default(allow, project_packages(root))
    return _POLICIES[key]


def inspect_file(
    path: str | os.PathLike[str],
    limits: Limits | None = None,
    extra_allow: Iterable[str] = (),
    project_root: str | os.PathLike[str] | None = None,
) -> list[ArtifactVerdict]:
    """Inspect one artifact file; one verdict per pickle stream/member (never raises).
    `project_root` decides which classes are the project's own (graded lower than others).

    An empty list means "not a model artifact we recognise and nothing in it looks like a pickle";
    a single UNRECOGNISED verdict is returned instead when the file has content but no signature.
    """
    limits = limits or Limits()
    ctx = _Context(limits, _policy(extra_allow, project_root))
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            index = _dbm_dumb_sibling(path)
            if index is not None:
                ctx.dbm_dumb(FileRegion(f, 0, size), index)
            elif not (sqlite_shelve.is_sqlite(f.read(16)) and ctx.sqlite_shelve(path)):
                ctx.dispatch(FileRegion(f, 0, size), member=None, depth=0, top=True)
    except BudgetExceeded as exc:
        ctx.add(_incomplete(None, "artifact", f"{exc}; the rest was not inspected", Severity.HIGH))
    except OSError as exc:
        ctx.add(
            _incomplete(None, "artifact", f"cannot read the file ({exc.strerror or exc})", Severity.MEDIUM)
        )
    except Exception as exc:  # a bug in aisec must not pass an artifact as clean: fail closed
        ctx.add(
            _incomplete(
                None,
                "artifact",
                f"internal error while inspecting ({type(exc).__name__}: {exc})",
                Severity.HIGH,
            )
        )
    if not ctx.verdicts:
        ctx.add(ArtifactVerdict(None, "container", Status.NO_PICKLE, None, reason="no pickle data found"))
    return ctx.verdicts


class ArtifactInspector:
    """What `aisec_artifact_inspectors()` returns: `inspect(path, limits, extra_allow)`."""

    name = "pickle-artifacts"

    def inspect(
        self, path: str | os.PathLike[str], limits: Limits | None = None, extra_allow: Iterable[str] = ()
    ) -> list[ArtifactVerdict]:
        return inspect_file(path, limits, extra_allow)

    @staticmethod
    def recognises(head: bytes) -> bool:
        """Whether a file starting with `head` (its first 512 bytes) is a candidate artifact: a
        known signature, or bytes that parse as a pickle (whatever opcode they start with)."""
        kind = formats.sniff(head)
        if kind == "zlib":
            return formats.verify_zlib(head)
        if kind == "pickle":
            return parses_as_pickle(head) or sqlite_shelve.is_sqlite(head)
        return kind is not None


def _incomplete(
    member: str | None, fmt: str, reason: str, severity: Severity, offset: int | None = None
) -> ArtifactVerdict:
    return ArtifactVerdict(member, fmt, Status.INCOMPLETE, severity, reason=reason, offset=offset)


def _join(parent: str | None, child: str) -> str:
    return f"{parent}/{child}" if parent else child


class _Context:
    def __init__(self, limits: Limits, policy: Policy) -> None:
        self.limits = limits
        self.policy = policy
        self.budget = Budget(limits.max_decompressed_bytes, limits.timeout_seconds)
        self.verdicts: list[ArtifactVerdict] = []

    def add(self, verdict: ArtifactVerdict) -> None:
        self.verdicts.append(verdict)

    # -- dispatch ----------------------------------------------------------------------------

    def dispatch(self, region: FileRegion, member: str | None, depth: int, top: bool = False) -> bool:
        """Inspect a seekable region; True when it was recognised as something."""
        self.budget.check_time()
        if depth > MAX_DEPTH:
            self.add(
                _incomplete(
                    member, "container", "containers nested too deeply", Severity.MEDIUM, region.start
                )
            )
            return True
        region.seek(0)
        head = region.read(512)
        region.seek(0)
        kind = formats.sniff(head)
        if kind == "zlib" and not formats.verify_zlib(head):
            kind = None
        if kind == "git-lfs":
            if top and region.size < 1024:
                self.add(
                    _incomplete(
                        member,
                        "git-lfs-pointer",
                        "Git-LFS pointer: the content is not checked out (run `git lfs pull` where aisec runs)",
                        Severity.INFO,
                    )
                )
                return True
            kind = None
        recognised = self.by_kind(region, head, kind, member, depth)
        if kind not in (None, "pickle") and may_start_pickle(head[:2]):
            # The same bytes as `pickle.load` reads them: a tar header, npy or zip that also parses
            # as a pickle is a polyglot, and each loader runs its own view.
            self.pickles(
                ByteSource(region, region.start),
                _join(member, "<as pickle>"),
                "polyglot-pickle",
                declared=False,
                depth=depth,
                keep_budget_stops=False,
            )
            region.seek(0)
        if not recognised and top:
            reason = "no known model-file signature" if region.size else "empty file"
            self.add(ArtifactVerdict(member, "unknown", Status.UNRECOGNISED, None, reason=reason))
        return recognised

    def by_kind(
        self, region: FileRegion, head: bytes, kind: str | None, member: str | None, depth: int
    ) -> bool:
        """Inspect a region as the format its first bytes name; True when recognised."""
        if kind == "zip":
            layout = formats.find_zip(region, region.size)
            if isinstance(layout, formats.ZipLayout):
                self.zip(region, layout, member, depth)
            else:
                self.add(
                    _incomplete(
                        member,
                        "zip",
                        layout or "zip without an end-of-central-directory record",
                        Severity.MEDIUM,
                    )
                )
            return True
        if kind is None:
            # Something that is no pickle in front of a zip (self-extractor stubs, junk).
            layout = formats.find_zip(region, region.size) if region.size >= 22 else None
            if isinstance(layout, formats.ZipLayout) and layout.prefix_end > 0:
                self.zip(region, layout, member, depth)
                return True
        if kind == "npy":
            self.npy(ByteSource(region, region.start), member, depth)
            return True
        if kind == "tar":
            self.tar(region, member, depth)
            return True
        if kind in formats.COMPRESSIONS:
            self.compressed(region, kind, member, depth, region.start)
            return True
        if kind == "joblib-zf":  # joblib < 0.9.3: read by `numpy_pickle_compat.read_zfile`
            src = ByteSource(region, region.start)
            src.skip(formats.joblib_zf_offset(head))
            self.compressed_source(src, "zlib", member, depth)
            return True
        if kind == "pickle":
            end = self.pickles(
                ByteSource(region, region.start), member, "pickle", declared=head[:1] == b"\x80", depth=depth
            )
            # A pickle in front of a zip: torch reads the front, zipfile the back. A zip whose
            # records lie inside the pickle stream is a bytes constant (handled by the walk).
            layout = formats.find_zip(region, region.size) if region.size >= 22 else None
            if isinstance(layout, formats.ZipLayout) and layout.prefix_end >= (end or 0) - region.start:
                self.zip(region, layout, member, depth, prefix_done=end is not None)
                return True
            if end is not None:
                return True
        return False

    def dispatch_bytes(self, data: bytes, member: str | None, depth: int) -> bool:
        return self.dispatch(FileRegion(io.BytesIO(data), 0, len(data)), member, depth)

    # -- pickle streams ----------------------------------------------------------------------

    def pickles(
        self,
        src: ByteSource,
        member: str | None,
        fmt: str,
        *,
        declared: bool,
        depth: int,
        keep_budget_stops: bool = True,
    ) -> int | None:
        """Walk every pickle stream from `src` until EOF; the end offset of the last, None if none.

        Streams follow each other with or without PROTO; NUL padding between them is skipped
        (dbm.dumb blocks); a legacy torch file's raw storage bytes after its fifth stream are
        skipped by their recorded sizes, and the walk goes on after them. Data after the last
        stream that walks as no pickle ends the walk (no loader runs anything from it). A stream
        that runs out of budget before showing anything is kept (fail closed) unless
        `keep_budget_stops` is False (the pickle view of data that has another format's signature).
        """
        reported: list[ArtifactVerdict] = []
        walks: list[Walk] = []
        end = src.offset
        legacy = storages_skipped = False
        while not src.at_eof():
            if len(walks) >= MAX_STREAMS:
                reported.append(
                    _incomplete(
                        member, fmt, f"more than {MAX_STREAMS} stacked pickles", Severity.HIGH, src.offset
                    )
                )
                break
            if walks and _skip_padding(src):
                continue
            if legacy and len(walks) == 5 and not storages_skipped:
                storages_skipped = True
                problem = _skip_legacy_storages(src, walks[3], walks[4])
                if problem:
                    reported.append(_incomplete(member, "torch-legacy", problem, Severity.HIGH, src.offset))
                    break
                continue
            offset = src.offset
            walk = walk_stream(
                src,
                max_bytes=self.limits.max_pickle_bytes,
                max_opcodes=self.limits.max_opcodes,
                budget=self.budget,
            )
            budget_stop = walk.stop == "budget" and keep_budget_stops
            if not (declared and not walks) and not plausible(walk) and not budget_stop:
                break  # data that parses as no pickle: no loader runs anything from it
            walks.append(walk)
            if len(walks) == 1 and walk.complete and walk.value == TORCH_LEGACY_MAGIC:
                legacy = True
            reported.append(self.verdict_for([walk], member, fmt, offset, depth))
            end = walk.end
            if not walk.complete:
                break
        if not reported:
            return None
        many = len(reported) > 1
        for i, verdict in enumerate(reported, 1):
            verdict.member = _join(member, f"stream {i}") if many else member
            if legacy:
                verdict.format = "torch-legacy"
            self.add(verdict)
        return end

    def verdict_for(
        self, walks: list[Walk], member: str | None, fmt: str, offset: int, depth: int
    ) -> ArtifactVerdict:
        """Judge one logical stream (several walks for tar members), with fickling on top."""
        all_walks = [w for walk in walks for w in walk.all_walks()]
        extra_imports: list[str] = []
        extra_calls: list[str] = []
        details: dict = {
            "opcodes": sum(w.opcodes for w in walks),
            "protocol": walks[0].protocol if walks else None,
            "joblib_arrays": sum(w.joblib_arrays for w in all_walks),
            "nested_pickles": len(all_walks) - len(walks),
        }
        for walk in walks:
            if walk.complete and walk.normalized is not None:
                view = fickling_adapter.analyse(walk.normalized, walk.opcodes, self.budget.time_left())
                extra_imports += view.imports
                extra_calls += view.calls
                details["fickling"] = view.severity or view.error or view.skipped
                walk.normalized = None
        j = judge(all_walks, self.policy, extra_imports, extra_calls)
        if any(w.joblib_arrays for w in all_walks) and fmt == "pickle":
            fmt = "joblib"
        verdict = ArtifactVerdict(
            member, fmt, j.status, j.severity, j.imports, j.calls, j.offending, offset=offset, details=details
        )
        stopped = next((w for w in walks if not w.complete), None)
        nested_budget = next((w for w in all_walks if w.stop == "budget"), None)
        gaps = [gap for w in all_walks for gap in w.gaps]
        if stopped is not None:
            verdict.reason = stopped.reason
        elif nested_budget is not None:
            verdict.reason = f"nested pickle: {nested_budget.reason}"
        elif gaps:
            verdict.reason = "; ".join(gaps[:3])
        if (stopped or nested_budget or gaps) and j.status is not Status.MALICIOUS:
            verdict.status, verdict.severity = Status.INCOMPLETE, Severity.HIGH
        archives: set[bytes] = set()
        for walk in all_walks:
            for at, data in walk.archives:
                archives.add(data)
                self.dispatch_bytes(data, _join(member, f"bytes@{at}"), depth + 1)
            # what `torch.storage._load_from_bytes` reads: `torch.load(BytesIO(data))`, in full
            for at, data in walk.loader_payloads:
                if data not in archives:
                    self.loaded_bytes(data, _join(member, f"loaded@{at}"), depth + 1)
        return verdict

    def loaded_bytes(self, data: bytes, member: str, depth: int) -> None:
        """Bytes an allowlisted loader unpickles: a pickle stream (legacy torch) or any container;
        a payload that walks as no pickle at all fails to load, harmlessly."""
        if depth > MAX_DEPTH:
            self.add(_incomplete(member, "pickle", "loaders nested too deeply", Severity.HIGH))
            return
        region = FileRegion(io.BytesIO(data), 0, len(data))
        if formats.sniff(data[:512]) == "pickle":
            self.pickles(ByteSource(region, 0), member, "pickle", declared=True, depth=depth)
        else:
            self.dispatch(region, member, depth)

    # -- zip ---------------------------------------------------------------------------------

    def zip(
        self,
        region: FileRegion,
        layout: formats.ZipLayout,
        member: str | None,
        depth: int,
        prefix_done: bool = False,
    ) -> None:
        f = region
        if layout.prefix_end > 0 and not prefix_done:
            # data before the archive: reported if it is a pickle (else a stub, ignored)
            prefix = FileRegion(region.f, region.start, region.start + layout.prefix_end)
            self.pickles(
                ByteSource(prefix, prefix.start),
                _join(member, "<before zip>"),
                "pickle+zip",
                declared=False,
                depth=depth,
            )
        members, problem = formats.zip_members(f, layout, region.size)
        names = [m.name for m in members]
        if any(n.endswith("data.pkl") for n in names) or any(n.endswith("/version") for n in names):
            fmt = "torch-zip"
        elif names and all(n.endswith(".npy") for n in names):
            fmt = "npz"
        else:
            fmt = "zip"
        before = len(self.verdicts)
        if problem:
            self.add(_incomplete(member, fmt, problem, Severity.MEDIUM))
        for m in members:
            self.budget.check_time()
            label = _join(member, m.name)
            self.zip_member(region, m, label, fmt, depth)
        if layout.end < region.size:
            tail = FileRegion(region.f, region.start + layout.end, region.end)
            if may_start_pickle(tail.read(2)):
                tail.seek(0)
                self.pickles(
                    ByteSource(tail, tail.start),
                    _join(member, "<after zip>"),
                    "zip+pickle",
                    declared=False,
                    depth=depth,
                )
        if len(self.verdicts) == before and member is None:
            self.add(
                ArtifactVerdict(member, fmt, Status.NO_PICKLE, None, reason="archive holds no pickle data")
            )

    def zip_member(self, region: FileRegion, m: formats.ZipMember, label: str, fmt: str, depth: int) -> None:
        if m.problem:
            self.add(_incomplete(label, fmt, f"member unreadable: {m.problem}", Severity.MEDIUM))
            return
        if m.flags & 1:
            self.add(_incomplete(label, fmt, "encrypted member cannot be inspected", Severity.MEDIUM))
            return
        if m.method not in ZIP_METHODS:
            self.add(
                _incomplete(label, fmt, f"unsupported zip compression method {m.method}", Severity.MEDIUM)
            )
            return
        start = region.start + m.data_offset
        before = len(self.verdicts)

        def open_member() -> RawReader:
            kind = ZIP_METHODS[m.method]
            # a stored member whose two sizes disagree: read the longer (what either reader may use)
            length = m.compressed_size if kind else max(m.compressed_size, m.size)
            raw: RawReader = FileRegion(region.f, start, min(start + length, region.end))
            return DecompressReader(raw, kind, self.budget) if kind else raw

        storage = fmt == "torch-zip" and _STORAGE_NAME.search(m.name) is not None
        self.member_content(
            open_member,
            label,
            fmt,
            depth,
            declared=m.name.lower().endswith(PICKLE_NAMES),
            size=m.size,
            storage=storage,
        )
        if m.local_name is not None:
            for v in self.verdicts[before:]:
                v.details["local_header_name"] = m.local_name
                v.reason = (v.reason + "; " if v.reason else "") + f"local header names it {m.local_name!r}"

    def member_content(
        self, opener, label: str, fmt: str, depth: int, *, declared: bool, size: int, storage: bool = False
    ) -> None:
        """Dispatch a non-seekable member stream by content (zip/tar members, decompressed data)."""
        src = ByteSource(opener())
        head = src.peek(512)
        kind = formats.sniff(head)
        if kind == "zlib" and not formats.verify_zlib(head):
            kind = None
        if kind == "npy":
            self.npy(src, label, depth)
        elif kind == "pickle":
            if declared:
                self.pickles(src, label, fmt, declared=True, depth=depth)
                return
            probe = walk_stream(
                src,
                max_bytes=PROBE_WINDOW,
                max_opcodes=self.limits.max_opcodes,
                budget=self.budget,
                keep_copy=False,
            )
            if not storage and probe.stop == "budget" and probe.reason and "max-pickle-bytes" in probe.reason:
                # a long run of valid opcodes: a real pickle, walk it with the full budget
                self.pickles(ByteSource(opener()), label, fmt, declared=True, depth=depth)
            elif plausible(probe):
                self.pickles(ByteSource(opener()), label, fmt, declared=True, depth=depth)
        elif kind in ("zip", "tar") or kind in formats.COMPRESSIONS:
            if kind in formats.COMPRESSIONS:
                self.compressed_source(src, kind, label, depth + 1)
                return
            if size > self.limits.max_pickle_bytes:
                self.add(
                    _incomplete(
                        label,
                        kind,
                        f"nested {kind} of {size} bytes is larger than max-pickle-bytes",
                        Severity.MEDIUM,
                    )
                )
                return
            data = src.peek(size)
            self.dispatch_bytes(data, label, depth + 1)

    # -- compression -------------------------------------------------------------------------

    def compressed(self, region: FileRegion, kind: str, member: str | None, depth: int, offset: int) -> None:
        self.compressed_source(ByteSource(region, offset), kind, member, depth)

    def compressed_source(self, src: ByteSource, kind: str, member: str | None, depth: int) -> None:
        fmt = f"{kind}-compressed"
        try:
            reader = DecompressReader(_SourceReader(src), kind, self.budget)
        except ImportError:
            self.add(
                _incomplete(
                    member,
                    fmt,
                    f"{kind}-compressed data cannot be decompressed by this Python (zstd needs Python "
                    "3.14+); decompress it, or run aisec on Python 3.14",
                    Severity.HIGH,
                )
            )
            return
        if depth > MAX_DEPTH:
            self.add(_incomplete(member, fmt, "compression layers nested too deeply", Severity.MEDIUM))
            return
        inner = ByteSource(reader)
        head = inner.peek(512)
        inner_kind = formats.sniff(head)
        before = len(self.verdicts)
        if inner_kind == "pickle":
            found = self.pickles(inner, member, f"{kind}+pickle", declared=head[:1] == b"\x80", depth=depth)
            if found is not None:
                for v in self.verdicts[before:]:
                    if v.format.endswith("pickle") and v.details.get("joblib_arrays"):
                        v.format = f"joblib-{kind}"
                if reader.error:
                    for v in self.verdicts[before:]:
                        v.reason = (v.reason + "; " if v.reason else "") + reader.error
                return
        elif inner_kind == "npy":
            self.npy(inner, member, depth)
            return
        elif inner_kind is not None and inner_kind != "git-lfs":
            cap = min(self.limits.max_pickle_bytes, self.budget.remaining_decompressed())
            data = inner.peek(cap + 1)
            if len(data) > cap:
                self.add(
                    _incomplete(
                        member, fmt, f"decompressed {inner_kind} larger than {cap} bytes", Severity.HIGH
                    )
                )
                return
            self.dispatch_bytes(data, member, depth + 1)
            return
        if reader.error and not head:
            self.add(_incomplete(member, fmt, reader.error, Severity.MEDIUM))
        elif depth == 0 and member is None:
            self.add(
                ArtifactVerdict(member, fmt, Status.NO_PICKLE, None, reason="compressed data holds no pickle")
            )

    # -- npy ---------------------------------------------------------------------------------

    def npy(self, src: ByteSource, member: str | None, depth: int) -> None:
        header = formats.parse_npy_header(src)
        if isinstance(header, str):
            self.add(_incomplete(member, "npy", f"corrupt .npy: {header}", Severity.MEDIUM))
            return
        declared = header.has_object is True  # None: a descr we cannot read: a pickle if it parses
        if header.has_object is not False:
            if self.pickles(src, member, "npy-object", declared=declared, depth=depth) is not None:
                return
            if declared:
                self.add(
                    _incomplete(member, "npy-object", "object array without a readable pickle", Severity.HIGH)
                )
                return
        if member is None or depth == 0:
            self.add(
                ArtifactVerdict(member, "npy", Status.NO_PICKLE, None, reason="plain .npy array (no pickle)")
            )

    # -- shelve / dbm.dumb -------------------------------------------------------------------

    def dbm_dumb(self, region: FileRegion, index: dict[bytes, tuple[int, int]] | str) -> None:
        """Every value of a `dbm.dumb` store (`shelve` pickles each one): the `.dat` regions its
        `.dir` index names, each a pickle read by `shelve.Shelf.__getitem__`."""
        if isinstance(index, str):
            self.add(_incomplete(None, "shelve", index, Severity.MEDIUM))
            return
        values = []
        for key, (pos, siz) in sorted(index.items(), key=lambda item: item[1]):
            if pos < 0 or siz < 0 or pos + siz > region.size:
                label = _shelve_label(key)
                self.add(_incomplete(label, "shelve", "value lies outside the .dat file", Severity.MEDIUM))
                continue
            values.append((key, ByteSource(FileRegion(region.f, pos, pos + siz), pos)))
        self.shelve_values(values)

    def shelve_values(self, values: Iterable[tuple[bytes, ByteSource]]) -> None:
        """Each (key, value) of a shelve store: every value is a pickle `Shelf.__getitem__` loads."""
        for key, source in values:
            self.budget.check_time()
            label = _shelve_label(key)
            if self.pickles(source, label, "shelve", declared=True, depth=0) is None:
                self.add(_incomplete(label, "shelve", "value is no readable pickle", Severity.HIGH))
        if not self.verdicts:
            self.add(ArtifactVerdict(None, "shelve", Status.NO_PICKLE, None, reason="empty shelve store"))

    def sqlite_shelve(self, path: str | os.PathLike[str]) -> bool:
        """Every value of a `dbm.sqlite3` store (`shelve` from Python 3.13); False when the
        SQLite file is no such store."""
        try:
            rows = sqlite_shelve.shelve_values(path, self.budget)
        except sqlite_shelve.StoreError as exc:
            self.budget.check_time()  # the progress handler stopped SQLite: a timeout
            self.add(_incomplete(None, "shelve", f"unreadable SQLite shelve store ({exc})", Severity.MEDIUM))
            return True
        if rows is None:
            return False
        self.shelve_values(
            (key, ByteSource(FileRegion(io.BytesIO(value), 0, len(value)), 0)) for key, value in rows
        )
        return True

    # -- tar ---------------------------------------------------------------------------------

    def tar(self, region: FileRegion, member: str | None, depth: int) -> None:
        entries, problem = _tar_entries(region)
        names = {name for name, _, _ in entries}
        fmt = "torch-tar" if {"storages", "tensors", "pickle"} <= names else "tar"
        if problem:
            self.add(_incomplete(member, fmt, problem, Severity.MEDIUM))
        for name, start, size in entries:
            self.budget.check_time()
            label = _join(member, name)
            sub = FileRegion(region.f, region.start + start, region.start + start + size)
            if fmt == "torch-tar" and name in ("storages", "tensors"):
                self.torch_tar_member(sub, name, label)
            else:
                self.dispatch(sub, label, depth + 1)

    def torch_tar_member(self, region: FileRegion, name: str, label: str) -> None:
        """PyTorch 0.1 tar: count pickle, then per entry a pickle followed by raw bytes."""
        src = ByteSource(region, region.start)
        walks: list[Walk] = []
        problem = None

        def walk() -> Walk | None:
            w = walk_stream(
                src,
                max_bytes=self.limits.max_pickle_bytes,
                max_opcodes=self.limits.max_opcodes,
                budget=self.budget,
            )
            walks.append(w)
            return w if w.complete else None

        first = walk()
        if first is None:
            problem = None
        elif (
            not isinstance(first.value, int)
            or isinstance(first.value, bool)
            or not 0 <= first.value <= 10_000_000
        ):
            problem = f"unexpected {name} layout (count is not an int)"
        else:
            for _ in range(first.value):
                w = walk()
                if w is None:
                    break
                if name == "storages":
                    value = w.value
                    storage = value[2] if isinstance(value, tuple) and len(value) == 3 else None
                    elsize = STORAGE_SIZES.get(storage.name) if isinstance(storage, Global) else None
                    raw = src.read(8)
                    if elsize is None or raw is None:
                        problem = "unexpected storages layout (unknown storage type)"
                        break
                    (numel,) = struct.unpack("<q", raw)
                    if numel < 0 or not src.skip(numel * elsize):
                        problem = "storage data runs past the member"
                        break
                else:
                    raw = src.read(8)
                    if raw is None:
                        problem = "tensor header runs past the member"
                        break
                    (ndim,) = struct.unpack("<i", raw[:4])
                    if not 0 <= ndim <= 64 or not src.skip(16 * ndim + 8):
                        problem = "unexpected tensors layout"
                        break
            else:
                if name == "storages" and not src.at_eof():
                    walk()  # storage views
        verdict = self.verdict_for(walks, label, "torch-tar", region.start, 1)
        if problem:
            verdict.reason = (
                (verdict.reason + "; " if verdict.reason else "") + problem + "; the rest was not read"
            )
            if verdict.status is not Status.MALICIOUS:
                verdict.status, verdict.severity = Status.INCOMPLETE, Severity.HIGH
        self.add(verdict)


class _SourceReader(RawReader):
    """The rest of a `ByteSource` as a raw reader (compressed data after a header)."""

    def __init__(self, src: ByteSource) -> None:
        self.src = src

    def read(self, n: int) -> bytes:
        data = self.src.peek(n)
        self.src.skip(len(data))
        return data


def _dbm_dumb_sibling(path: str | os.PathLike[str]) -> dict[bytes, tuple[int, int]] | str | None:
    """For `X.dat` next to a `X.dir` (a `dbm.dumb` store behind `shelve`), the parsed index."""
    name = os.fspath(path)
    if not name.endswith(".dat"):
        return None
    directory = name[:-4] + ".dir"
    try:
        if os.path.getsize(directory) > formats.MAX_DBM_DIR:
            return "the .dir index of this shelve store is too large to read"
        with open(directory, encoding="latin-1") as f:
            return formats.dbm_dumb_index(f.read())
    except OSError:
        return None


def _skip_padding(src: ByteSource) -> bool:
    """Skip a run of NUL bytes (block padding between stored pickles); True if any was skipped."""
    skipped = False
    while True:
        chunk = src.peek(4096)
        run = len(chunk) - len(chunk.lstrip(b"\0"))
        if not run:
            return skipped
        src.skip(run)
        skipped = True


def _skip_legacy_storages(src: ByteSource, objects: Walk, keys: Walk) -> str | None:
    """Skip the raw storages of a legacy torch file as `torch.serialization._legacy_load` reads
    them: for each key of the fifth pickle, an int64 element count, then count x element size
    bytes (the element size of the storage type its persistent id named). None when done."""
    types = dict(objects.storages)
    names = keys.value.items if isinstance(keys.value, PList) else None
    if names is None or keys.value.dropped:
        return "unexpected legacy torch layout (storage keys unreadable); the rest was not read"
    for key in names:
        elsize = STORAGE_SIZES.get(types.get(key, "")) if isinstance(key, str) else None
        raw = src.read(8)
        if elsize is None or raw is None:
            return f"unexpected legacy torch storage {key!r}; the rest was not read"
        (numel,) = struct.unpack("<q", raw)
        if numel < 0 or not src.skip(numel * elsize):
            return f"legacy torch storage {key!r} runs past the end of the file"
    return None


def _tar_entries(region: FileRegion) -> tuple[list[tuple[str, int, int]], str | None]:
    """(name, data offset, size) of regular files, from the headers only (bounded reads)."""
    out: list[tuple[str, int, int]] = []
    pos = 0
    long_name: str | None = None
    while pos + 512 <= region.size and len(out) < MAX_TAR_MEMBERS:
        region.seek(pos)
        block = region.read(512)
        if block == b"\0" * 512:
            break
        try:
            size_field = block[124:136].split(b"\0", 1)[0].strip() or b"0"
            size = (
                int(size_field, 8)
                if size_field[:1] not in (b"\x80", b"\xff")
                else int.from_bytes(block[125:136], "big")
            )
        except ValueError:
            return out, f"corrupt tar header at offset {pos}"
        name = block[0:100].split(b"\0", 1)[0].decode("utf-8", "replace")
        if block[257:262] == b"ustar" and block[345:500].strip(b"\0"):
            name = block[345:500].split(b"\0", 1)[0].decode("utf-8", "replace") + "/" + name
        typeflag = block[156:157]
        data = pos + 512
        if typeflag in (b"L", b"x") and size <= 1 << 20:
            region.seek(data)
            body = region.read(size)
            if typeflag == b"L":
                long_name = body.split(b"\0", 1)[0].decode("utf-8", "replace")
            else:
                for rec in body.split(b"\n"):
                    if b" path=" in rec:
                        long_name = rec.split(b" path=", 1)[1].decode("utf-8", "replace")
        elif typeflag in (b"0", b"\0", b"7"):
            out.append((long_name or name, data, min(size, max(0, region.size - data))))
            long_name = None
        pos = data + (size + 511) // 512 * 512
    if len(out) >= MAX_TAR_MEMBERS:
        return out, f"more than {MAX_TAR_MEMBERS} tar members"
    return out, None
