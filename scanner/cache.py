"""Per-file result cache: a file whose bytes, path and run settings are unchanged is not
re-scanned (and, with its result recorded under its stat in the stamp index, `stamps.py`, not
even read).

The run key covers everything else that can change a file's findings: aisec's own source files
(not only its version string; by path, size and mtime), the source files of every plugin module, the enabled rules and
the plugins that provide them, rule options, declarative rules, taint settings, per-file ignores,
output settings and the project's dependency declarations (AIS102 reads the torch pin).

The cache lives in the scanned repository (`.aisec_cache`), which is untrusted: a committed or
copied cache must not be able to decide a result. So every entry carries an HMAC-SHA256 keyed by
a secret of this machine (`machine_key`: a random key in the user's cache directory, or the
`AISEC_CACHE_KEY` environment variable for CI systems that restore a cache between jobs); an
entry is opened without following symlinks, must be a regular file under `MAX_ENTRY_BYTES`
(checked with fstat before reading), and anything unreadable, oversized, forged or truncated is a
miss. The folder ignores itself (`.gitignore` with `*`, and a `CACHEDIR.TAG`), as ruff's and
pytest's do. Entries are written atomically, so parallel workers and interrupted runs cannot
corrupt it. Workers claim the records they are about to make (`take_claim`: a lock, never a
trusted entry), so that one makes each while the others wait for it or work on.
"""

from __future__ import annotations

import json
import os
import stat
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Iterable, Mapping

from aisec.hooks import Applicability, Confidence, Finding, FixInfo, Location, RelatedLocation, Severity

from .engine import FileResult, file_signature
from .fastpath import KEY_BYTES, KEY_ENV, cache_home, derived_key, read_regular
from .sha import compare_digest, hmac_sha256, sha256
from .sources import split_lines

CACHE_FORMAT = 3  # 2: findings carry related locations; 3: signed entries
MAX_ENTRY_BYTES = 8 * 1024 * 1024
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_GITIGNORE = b"# Created by aisec automatically.\n*\n"
_CACHEDIR_TAG = (
    b"Signature: 8a477f597d28d172789f06886806bc55\n"
    b"# This file is a cache directory tag created by aisec.\n"
    b"# For information about cache directory tags, see https://bford.info/cachedir/\n"
)


class CacheUnavailable(Exception):
    """Caching is off for this run; the message says why (shown with -v)."""


def run_key(parts: Iterable[Any]) -> str:
    """A digest of the settings that affect every file's result."""
    payload = json.dumps([CACHE_FORMAT, *parts], sort_keys=True, default=str)
    return sha256(payload.encode("utf-8")).hexdigest()[:24]


def project_files_digest(root: Path) -> str:
    """Digest of the dependency declarations rules may read (pyproject, requirements)."""
    digest = sha256()
    for path in [root / "pyproject.toml", *sorted(root.glob("requirements*.txt"))]:
        try:
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
        except OSError:
            continue
    return digest.hexdigest()


def code_digest(modules: Iterable[Any]) -> str:
    """Digest of the Python source files of `modules` (`code_files`): a changed rule invalidates
    the cache even when no version number moved. Files count by path, size and modification
    time, which any edit, reinstall or pre-commit `rev:` bump (a new environment) changes:
    reading every file would cost a pre-commit run several milliseconds."""
    digest = sha256()
    for path in code_files(modules):
        try:
            info = os.stat(path)
            facts = f"{info.st_size}:{info.st_mtime_ns}"
        except OSError:
            facts = "?"
        digest.update(f"{path}\0{facts}\0".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def code_files(modules: Iterable[Any]) -> list[str]:
    """The Python source files of `modules`, sorted: a plugin object stands for the module of
    its class; a package counts with every `.py` file below its folder."""
    files: set[str] = set()
    for module in modules:
        if not isinstance(module, ModuleType):  # a plugin object: the module that defines it
            module = sys.modules.get(getattr(type(module), "__module__", ""))
        location = getattr(module, "__file__", None)
        if not location:
            continue
        if os.path.basename(location) == "__init__.py":
            for folder, dirs, names in os.walk(os.path.dirname(location)):
                dirs[:] = [d for d in dirs if d != "__pycache__"]
                files.update(os.path.join(folder, name) for name in names if name.endswith(".py"))
        else:
            files.add(location)
    return sorted(files)


def key_file(environ: Mapping[str, str]) -> Path:
    """Where the machine key lives: `$XDG_CACHE_HOME/aisec/key`, else `~/.cache/aisec/key`."""
    return Path(cache_home(environ)) / "key"


def machine_key(environ: Mapping[str, str] | None = None) -> bytes:
    """The secret that signs this machine's cache entries (CacheUnavailable when there is none).

    `AISEC_CACHE_KEY`, when set, is used instead of the key file, so CI jobs that restore a cache
    can keep it valid; it must be a secret an attacker cannot know (a CI secret variable, not a
    commit hash)."""
    environ = os.environ if environ is None else environ
    supplied = environ.get(KEY_ENV)
    if supplied:
        return derived_key(supplied)
    path = key_file(environ)
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not path.exists():
            _create_key(path)
        key = read_regular(str(path), KEY_BYTES)
    except OSError as exc:
        raise CacheUnavailable(f"no cache key ({path}: {exc.strerror or exc}); caching is off") from None
    if key is None or len(key) != KEY_BYTES:
        raise CacheUnavailable(
            f"{path} is not a regular {KEY_BYTES}-byte key file; caching is off (delete it to make a new one)"
        )
    return key


def _create_key(path: Path) -> None:
    """Write a new random key, atomically: a concurrent run sees no key file or a whole one."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".key-")  # created 0600
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(os.urandom(KEY_BYTES))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another run made it first: use theirs
    finally:
        os.unlink(tmp)


def _real_folder(path: Path) -> bool:
    """True when `path` is absent or a directory that is not a symlink."""
    try:
        return stat.S_ISDIR(path.lstat().st_mode)
    except FileNotFoundError:
        return True
    except OSError:
        return False


class ResultCache:
    def __init__(self, folder: Path, key: str, secret: bytes) -> None:
        self.root = folder
        self.key = key
        self.folder = folder / f"v{CACHE_FORMAT}" / key
        self._secret = secret
        for level in (folder, folder / f"v{CACHE_FORMAT}", self.folder):
            if not _real_folder(level):
                raise CacheUnavailable(f"{level} is not a plain folder (a symlink?); caching is off")
        self._marked = False
        self._claims: dict[str, int | None] = {}  # kind -> its open claims file (`take_claim`)

    def _entry(self, path: str, data: bytes) -> tuple[str, Path]:
        digest = sha256(path.encode("utf-8", "surrogateescape") + b"\0" + data).hexdigest()
        return digest, self.folder / digest[:2] / f"{digest[2:]}.json"

    def _mac(self, name: str, payload: bytes) -> str:
        message = f"{self.key}\0{name}\0".encode() + payload
        return hmac_sha256(self._secret, message).hex()

    def _read(self, name: str, entry: Path) -> Any:
        """The JSON of a signed entry; None for a missing, oversized, unsigned, forged or
        unreadable one."""
        raw = read_regular(str(entry), MAX_ENTRY_BYTES)
        if raw is None:
            return None
        mac, _, payload = raw.partition(b"\n")
        if not compare_digest(mac, self._mac(name, payload).encode("ascii")):
            return None
        try:
            return json.loads(payload)
        except ValueError:
            return None

    def get(
        self,
        path: str,
        data: bytes,
        *,
        source: bool = True,
        same_digest: Callable[[str, str], bool] | None = None,
    ) -> FileResult | None:
        """The cached result for `path` with content (or, for artifacts, signature) `data`;
        None for a missing, oversized, unsigned, forged or unreadable entry, or one whose
        dependencies changed (`dependencies_hold`: one that holds by its digest is written
        again with the new signatures)."""
        name, entry = self._entry(path, data)
        raw = self._read(name, entry)
        if raw is None:
            return None
        try:
            result = result_from_json(raw)
            framed = raw["framed"] is True
        except (ValueError, KeyError, TypeError, IndexError):
            return None
        renewed: dict[str, tuple] = {}
        if result.path != path or not dependencies_hold(result.dependencies, None, same_digest, renewed):
            return None
        if renewed:  # the entry as it was, with the signatures the files have now
            result.dependencies.update(renewed)
            self._write(name, entry, {**raw, "dependencies": renewed_json(raw["dependencies"], renewed)})
        if source and result.findings and framed:
            result.source = split_lines(data, result.encoding)
        return result

    def put(self, path: str, data: bytes, result: FileResult) -> None:
        name, entry = self._entry(path, data)
        self._write(name, entry, result_to_json(result))

    def get_record(self, kind: str, key: str) -> Any:
        """A JSON record other than a file's result (`kind`: e.g. "summary", the taint summary of
        a module), stored under a hex `key` its owner derives from what it depends on; signed like
        the results (None: absent or not to be trusted)."""
        name, entry = self._record_entry(kind, key)
        return self._read(name, entry)

    def put_record(self, kind: str, key: str, value: Any) -> bool:
        """Store `value`; False when it is too big to be an entry (it was not written)."""
        name, entry = self._record_entry(kind, key)
        return self._write(name, entry, value)

    def take_claim(self, kind: str, key: str) -> bool:
        """Claim the making of the record (`kind`, `key`) without waiting: True when this process
        holds the claim now (or claims are not to be had here), False while another holds it.

        Processes sharing the cache folder (the pool's workers; runs side by side) each make a
        record the others are about to need; a claim lets one make it while the others do other
        work or wait for it (`taint.project.ProjectModules._settle_all`). A claim is a POSIX
        record lock on one byte of the kind's claims file (`<kind>.claims` in the run's folder),
        at an offset derived from the key: the kernel drops a process's locks when it exits or
        is killed, so no claim outlives its holder, and the file's contents and age mean
        nothing (one left by a killed run, or planted, claims nothing). A claim only ever makes
        a process wait (boundedly) for a record it then reads signed, as any record, or make
        the record itself; never skip it. Where the file is not a regular file (opened without
        following symlinks), or the system has no locks, every claim is granted: each process
        makes what it needs, as without claims. Locks are per process: a forked worker shares
        the parent's open file but not its claims (the parent holds none while it forks)."""
        fd = self._claims_file(kind)
        if fd is None:
            return True
        import fcntl

        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, _claim_offset(key))
        except (BlockingIOError, PermissionError):  # EAGAIN, EACCES: held by another process
            return False
        except OSError:  # no locks on this file system: each makes its own
            return True
        return True

    def release_claim(self, kind: str, key: str) -> None:
        """Let go of a claim `take_claim` granted (the record is written, or will not be)."""
        fd = self._claims.get(kind)
        if fd is None:
            return
        import fcntl

        try:
            fcntl.lockf(fd, fcntl.LOCK_UN, 1, _claim_offset(key))
        except OSError:
            pass

    def _claims_file(self, kind: str) -> int | None:
        """The open claims file of `kind` (opened once per cache object; never closed while it
        lives: closing any descriptor of a file drops all of the process's locks on it); None
        where claims are not to be had."""
        if kind not in self._claims:
            self._claims[kind] = None
            try:
                import fcntl  # noqa: F401  (not on Windows: no claims there)
            except ImportError:
                return None
            path = self.folder / f"{kind}.claims"
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                if not _real_folder(self.folder):
                    return None
                self._mark_folder()
                fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NONBLOCK | _NOFOLLOW | _CLOEXEC, 0o600)
            except OSError:
                return None
            if not stat.S_ISREG(os.fstat(fd).st_mode):  # a planted FIFO or device
                os.close(fd)
                return None
            self._claims[kind] = fd
        return self._claims[kind]

    def _record_entry(self, kind: str, key: str) -> tuple[str, Path]:
        digest = sha256(f"{kind}\0{key}".encode()).hexdigest()
        return f"{kind}:{digest}", self.folder / kind / digest[:2] / f"{digest[2:]}.json"

    def _write(self, name: str, entry: Path, value: Any) -> bool:
        """Write a signed entry (a failed write only costs speed); False when `value` is too big
        to be one."""
        payload = json.dumps(value).encode("utf-8")
        if len(payload) + 65 > MAX_ENTRY_BYTES:
            return False  # would be refused on reading anyway
        try:
            entry.parent.mkdir(parents=True, exist_ok=True)
            if not _real_folder(entry.parent):
                return True
            self._mark_folder()
            fd, tmp = tempfile.mkstemp(dir=entry.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as handle:
                handle.write(self._mac(name, payload).encode("ascii") + b"\n" + payload)
            os.replace(tmp, entry)
        except OSError:
            pass  # a read-only or full disk only costs speed
        return True

    def _mark_folder(self) -> None:
        """Make the cache folder ignore itself (git) and identify itself (backup tools)."""
        if self._marked:
            return
        self._marked = True
        for name, content in ((".gitignore", _GITIGNORE), ("CACHEDIR.TAG", _CACHEDIR_TAG)):
            try:
                fd = os.open(
                    self.root / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, 0o644
                )
            except OSError:
                continue  # already there (or not writable: entries will fail too)
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)


def _claim_offset(key: str) -> int:
    """Where a key's claim lies in its claims file: 62 bits of its digest (two keys that share
    one only make one process wait for, or make, the other's record too)."""
    return int.from_bytes(sha256(key.encode()).digest()[:8], "big") >> 2


def dependencies_hold(
    dependencies: Mapping[str, Any],
    taken: dict[str, tuple[int, int, int]] | None = None,
    same_digest: Callable[[str, str], bool] | None = None,
    renewed: dict[str, tuple] | None = None,
) -> bool:
    """True when every other file a result depends on (a model file the code loads, a module
    whose summary it used) still has the signature recorded with it: else scan again. A project
    module recorded with its dependency digest (`engine.module_signature`) whose signature
    changed still holds when `same_digest(path, digest)` says the module gives an importer the
    same as before (`engine.FileScanner.still_reads_the_same`); its new signature (the digest
    kept) is then put in `renewed`, and the caller records the result again with it, so that
    the next run only stats.

    `taken`: the signatures this run took already (path -> signature), so that a file many
    results depend on is stat'ed once per run (transformers: 23,072 dependencies of 2,951 cached
    results are 2,510 files; `utils/__init__.py` is one of 2,490 of them). The run then judges
    every result by the state each file had when it first looked, as a run that read them all
    at its start would."""
    for path, signature in dependencies.items():
        if taken is None:
            now = file_signature(path)
        else:
            now = taken.get(path) or taken.setdefault(path, file_signature(path))
        if now == tuple(signature[:3]):
            continue
        if same_digest is None or len(signature) != 4 or not same_digest(path, str(signature[3])):
            return False
        if renewed is not None:
            renewed[path] = (*now, signature[3])
    return True


def renewed_json(dependencies: dict[str, Any], renewed: dict[str, tuple]) -> dict[str, Any]:
    """A result's recorded dependencies (JSON) with the new signatures of `renewed`."""
    return {**dependencies, **{path: list(signature) for path, signature in renewed.items()}}


def _location_to_json(loc: Location) -> list[Any]:
    return [loc.path, loc.line, loc.column, loc.end_line, loc.end_column]


def _finding_to_json(finding: Finding) -> dict[str, Any]:
    loc = finding.location
    return {
        "code": finding.code,
        "name": finding.name,
        "severity": finding.severity.value,
        "confidence": finding.confidence.value,
        "location": _location_to_json(loc),
        "message": finding.message,
        "cwe": finding.cwe,
        "fix": None if finding.fix is None else [finding.fix.applicability.value, finding.fix.diff],
        "fingerprint": finding.fingerprint,
        "artifact": finding.artifact,
        "cell": finding.cell,
        "cell_line": finding.cell_line,
        "suppressed": finding.suppressed,
        "related": [[*_location_to_json(r.location), r.message] for r in finding.related],
    }


def _finding_from_json(raw: dict[str, Any]) -> Finding:
    fix = raw["fix"]
    return Finding(
        code=raw["code"],
        name=raw["name"],
        severity=Severity(raw["severity"]),
        confidence=Confidence(raw["confidence"]),
        location=Location(*raw["location"]),
        message=raw["message"],
        cwe=raw["cwe"],
        fix=None if fix is None else FixInfo(Applicability(fix[0]), fix[1]),
        fingerprint=raw["fingerprint"],
        artifact=raw["artifact"],
        cell=raw["cell"],
        cell_line=raw.get("cell_line"),
        suppressed=raw["suppressed"],
        related=tuple(RelatedLocation(Location(*r[:5]), r[5]) for r in raw["related"]),
    )


def result_to_json(result: FileResult) -> dict[str, Any]:
    """A result as the cache stores it, in the shape JSON reads back (lists, not tuples)."""
    return {
        "path": result.path,
        "findings": [_finding_to_json(f) for f in result.findings],
        "parsed": result.parsed,
        "skipped_by_prefilter": result.skipped_by_prefilter,
        "encoding": result.encoding,
        "dependencies": {path: list(signature) for path, signature in result.dependencies.items()},
        # whether the scan kept its lines: a file screened out by the prefilter with a finding
        # (AIS005 on imports that reach too far) has none, and shows no code frame warm either
        "framed": result.lines is not None or result.source is not None,
    }


def result_from_json(raw: dict[str, Any]) -> FileResult:
    return FileResult(
        raw["path"],
        findings=[_finding_from_json(f) for f in raw["findings"]],
        parsed=raw["parsed"],
        skipped_by_prefilter=raw["skipped_by_prefilter"],
        encoding=raw["encoding"],
        cached=True,
        dependencies={path: tuple(sig) for path, sig in raw["dependencies"].items()},
    )
