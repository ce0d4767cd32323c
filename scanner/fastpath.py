"""The pre-commit fast path: `aisec check FILE...` on trigger-free files without loading aisec.

A pre-commit run checks a few staged files, and most of them spell none of the enabled rules'
prefilter triggers; for those the full path (config, pluggy, every rule module, the taint
catalog) prints `No findings in N files.` after ~100 ms of imports. This module is the console
script's entry point and imports only `os`, `sys`, `marshal`, a SHA-256 and the prefilter: it
answers such a run itself from a *trigger table* and hands everything else to `aisec.cli`.

The trigger table is what the full path knows about one plugin set and config: each enabled
parsing rule's `triggers` and `trigger_groups`, the taint catalog's marker expansions, the
exclude patterns, and the files whose change would change them. The full path writes it (after
loading its session) whenever the fast path found it missing or stale. It lives in the user's
cache folder (`$XDG_CACHE_HOME/aisec/triggers/`, else `~/.cache/aisec/triggers/`), never in
the scanned repository, and is used only when:

- its key matches: aisec's version, the interpreter, every `sys.path` entry with its
  modification time (installing or removing a distribution, and so a plugin's entry point,
  changes its folder's), `AISEC_NO_LOCAL_PLUGINS`, the command-line options that choose rules,
  and the config file's path, bytes and project root;
- its signature verifies: HMAC-SHA256 with the machine key that signs the result cache, so a
  file planted in the cache folder decides nothing;
- aisec's own source files and every plugin module's files (and their folders) still have the
  size and modification time recorded, so an edited rule or an editable plugin invalidates it.

Anything unusual declines: options beyond a known-harmless set, stdin, directories, symlinks,
notebooks, files that are not plain UTF-8 without a coding cookie, NUL bytes, excluded files,
plugins loaded from the project's config, rules without triggers, and any
file that passes the token gate (or could be brought back by a project import that spells a
taint source). The fast path then has only decided to do nothing, and the full path runs as if
it had never been asked. `AISEC_FAST_PATH=off` turns it off; `AISEC_FAST_PATH=explain` says on
stderr whether it answered, and why not.
"""

from __future__ import annotations

import marshal
import os
import stat
import sys

from . import __version__
from .lifetime import end, pause_collector
from .prefilter import adopt_groups, rules_for_text, searchable, words_of
from .sha import compare_digest, hmac_sha256, sha256
from .tomlfile import configures_aisec

TABLE_FORMAT = 5  # 3: a second unsigned part, `KNOWN`, after the body; 4: screen facts in it; 5: walk orders
MODE_ENV = "AISEC_FAST_PATH"  # "off": always the full path; "explain": say why on stderr
KEY_ENV = "AISEC_CACHE_KEY"
NO_LOCAL_PLUGINS_ENV = "AISEC_NO_LOCAL_PLUGINS"
KEY_BYTES = 32
MAX_TABLE_BYTES = 4 * 1024 * 1024
COLOR_CHOICES = ("auto", "always", "never")
_MAC_BYTES = 32
_SIZE_BYTES = 4
_HEAD_BYTES = _MAC_BYTES + _SIZE_BYTES
# The table entries `dump_table` stores after the signed part, in this order, each under its size
# and digest in the signed part: what the fast path needs when a file holds a gate token (`BODY`),
# and what the full path takes over when the fast path declines a file (`KNOWN`).
BODY = "body"
KNOWN = "known"
_PARTS = (BODY, KNOWN)
_PART_DIGESTS = "parts_sha256"  # part -> (its size, its SHA-256)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # a FIFO planted as a key or table must not block
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
# sys.path before anything (a config plugin's folder) is added to it: the table key's basis.
_STARTUP_PATH = tuple(sys.path)
TYPE_CHECKING = False  # `typing` costs a pre-commit run ~7 ms (it imports `re`)
if TYPE_CHECKING:
    from typing import Any, Mapping, Sequence

# Options that cannot change what a run on trigger-free files prints (beyond the rules chosen,
# which are part of the table key); every other option declines.
_FLAGS = {
    "--force-exclude": "force_exclude",
    "-q": "quiet",
    "--quiet": "quiet",
    "--no-cache": "no_cache",
    "--exit-zero": None,
    "--show-source": None,
    "--no-show-source": None,
    "--no-local-plugins": "no_local_plugins",
}
_VALUED = {
    "--select": "select",
    "--extend-select": "extend_select",
    "--ignore": "ignore",
    "--config": "config",
    "--cache-dir": "cache_dir",
    "--fail-on": "fail_on",
    "--color": "color",
    "--format": "format",
    "--jobs": "jobs",
    "-j": "jobs",
}


class TableKey:
    """Where this run's table lives, what it must say about itself, and the machine key that
    signs it (None: there is none yet)."""

    __slots__ = ("material", "path", "secret")

    def __init__(self, path: str, material: str, secret: bytes | None) -> None:
        self.path = path
        self.material = material
        self.secret = secret


class Declined:
    """The fast path did not answer. `refresh` is set when the table for this run's key was
    missing or stale: the full path writes it then (`triggertable.save`). `known` is set when a
    file held a gate token and the table's body was read and verified: what the body says about
    the run's taint catalog (`triggertable.build`), which the full path then takes instead of
    working it out again (`run.adopt_known`)."""

    __slots__ = ("known", "reason", "refresh")

    def __init__(
        self, reason: str, refresh: TableKey | None = None, known: dict[str, Any] | None = None
    ) -> None:
        self.reason = reason
        self.refresh = refresh
        self.known = known


class _Request:
    __slots__ = ("options", "paths")

    def __init__(self, options: dict[str, Any], paths: list[str]) -> None:
        self.options = options
        self.paths = paths


def console_main() -> None:
    """Entry point of the `aisec` console script: the fast path, else `aisec.cli`."""
    _closed_streams_to_devnull()
    argv = sys.argv[1:]
    if argv[:1] == ["check"]:
        pause_collector()  # until its session is open (`lifetime.started`, in `cli._check`)
    mode = os.environ.get(MODE_ENV, "")
    try:
        outcome: int | Declined = Declined("off") if mode == "off" else attempt(argv, os.environ)
        sys.stdout.flush()
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    except BrokenPipeError:  # `aisec check x.py | head -0`: as the full path, end quietly
        from .cli import detach_stdout

        detach_stdout()
        raise SystemExit(0) from None
    if mode == "explain":
        said = "answered" if isinstance(outcome, int) else f"declined: {outcome.reason}"
        print(f"aisec: fast path {said}", file=sys.stderr)
    if isinstance(outcome, int):
        raise SystemExit(outcome)
    from .cstmeta import defer_packages
    from .methodcache import installed
    from .patterncache import installed as patterns_kept

    defer_packages()
    with installed(os.environ) as table, patterns_kept(table):
        from .cli import main

        code = main(argv, table=outcome.refresh, known=outcome.known, tables=True)
    end(code)


def _closed_streams_to_devnull() -> None:
    """A standard stream the process was started without (`aisec check x.py >&-`: Python sets
    `sys.stdout` to None) reads as `/dev/null`, as `print` treats it: the run is the same, its
    exit code still says whether there were findings, and nothing fails on a write or a flush
    with a traceback."""
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115 (the process keeps it)


def attempt(argv: Sequence[str], environ: Mapping[str, str]) -> int | Declined:
    """Answer the run (its exit code, output written) or say why not. Never raises for bad
    input: anything it does not understand is the full path's to report."""
    try:
        return _attempt(argv, environ)
    except (OSError, ValueError, TypeError, EOFError, UnicodeError) as exc:
        return Declined(f"{type(exc).__name__}: {exc}")


def _attempt(argv: Sequence[str], environ: Mapping[str, str]) -> int | Declined:
    request = _parse(argv)
    if isinstance(request, Declined):
        return request
    options = request.options
    cwd = os.getcwd()
    files = _files(request.paths, cwd)
    if isinstance(files, Declined):
        return files
    if options.get("cache_dir") is not None and "no_cache" not in options:
        folder = os.path.join(cwd, options["cache_dir"])
        if not (os.path.isdir(folder) and os.access(folder, os.W_OK | os.X_OK)):
            return Declined("--cache-dir is not a writable folder")
    project = _project(files, cwd, options.get("config"))
    if isinstance(project, Declined):
        return project
    config_path, config_bytes, root = project
    key = table_key(options, environ, config_path, config_bytes, root, read_machine_key(environ))
    if key.secret is None:
        return Declined("no machine key yet (the full path makes one)", key)
    table = load_table(key)
    if table is None:
        return Declined("no valid trigger table for this key", key)
    if not _unchanged(table["files"]):
        return Declined("aisec or a plugin changed since the table was written", key)
    if not table["fast"]:
        return Declined(table["why_not"])
    if options.get("fail_on", "low") not in table["severities"]:
        return Declined("--fail-on value is the full path's to reject")
    if "force_exclude" in options:
        excluded = _excluded(files, cwd, root, table["excludes"])
        if excluded:
            return Declined(f"{excluded} is excluded")
    for path in files:
        why = _why_not_trigger_free(path, table)
        if why:
            return Declined(f"{path}: {why}", known=table_part(table, KNOWN))
    if "quiet" not in options:
        count = len(files)
        sys.stdout.write(f"No findings in {count} file{'s' if count != 1 else ''}.\n")
    return 0


def _parse(argv: Sequence[str]) -> _Request | Declined:
    """`check`, then known options, then paths: the shape pre-commit uses. Anything argparse
    might read differently (abbreviations, options after paths, `--`, `-`) declines."""
    if not argv or argv[0] != "check":
        return Declined("not `aisec check`")
    options: dict[str, Any] = {}
    index = 1
    while index < len(argv) and argv[index].startswith("-"):
        token = argv[index]
        name, equals, value = token.partition("=")
        if name in _FLAGS and not equals:
            if _FLAGS[name] is not None:
                options[_FLAGS[name]] = True
            index += 1
            continue
        if name not in _VALUED:
            return Declined(f"option {token!r}")
        if not equals:
            if index + 1 >= len(argv):
                return Declined(f"{name} without a value")
            value = argv[index + 1]
            index += 1
        if value.startswith("-"):
            return Declined(f"{name} {value!r}")
        options[_VALUED[name]] = value
        index += 1
    paths = list(argv[index:])
    if not paths or any(path.startswith("-") or not path for path in paths):
        return Declined("no paths, or a path that looks like an option")
    for name in ("select", "extend_select", "ignore"):
        if name in options:
            options[name] = [code.strip().upper() for code in options[name].split(",") if code.strip()]
    if options.get("format", "text") != "text" or options.get("color", "auto") not in COLOR_CHOICES:
        return Declined("an output format other than text")
    if "jobs" in options and not 1 <= int(options["jobs"]) <= 256:
        return Declined("--jobs out of range")
    return _Request(options, paths)


def _files(paths: list[str], cwd: str) -> list[str] | Declined:
    """The named files, absolute and normalised: each a regular file, not a symlink, not a
    notebook, named once (the full path's dedupe and symlink rules are not repeated here)."""
    files: list[str] = []
    for raw in paths:
        path = os.path.normpath(os.path.join(cwd, raw))
        mode = os.lstat(path).st_mode
        if not stat.S_ISREG(mode):
            return Declined(f"{raw} is not a regular file")
        if path.endswith(".ipynb"):
            return Declined(f"{raw} is a notebook")
        if path in files:
            return Declined(f"{raw} is named twice")
        files.append(path)
    return files


def _project(files: list[str], cwd: str, explicit: str | None) -> tuple[str, bytes, str] | Declined:
    """The config file, its bytes and the project root, found as `config.find_config_file`
    finds them."""
    if explicit is not None:
        named = os.path.realpath(os.path.join(cwd, explicit))
        if not os.path.isfile(named):
            return Declined("--config file not found")
        return named, _read(named), os.path.dirname(named)
    folder = os.path.commonpath([os.path.dirname(path) for path in files])
    project_root = None
    while True:
        candidate = os.path.join(folder, "aisec.toml")
        if os.path.isfile(candidate):
            return candidate, _read(candidate), folder
        pyproject = os.path.join(folder, "pyproject.toml")
        if os.path.isfile(pyproject):
            project_root = project_root or folder
            data = _read(pyproject)
            if configures_aisec(data):
                return pyproject, data, folder
        if os.path.exists(os.path.join(folder, ".git")):
            return "", b"", project_root or folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return "", b"", project_root or os.path.commonpath([os.path.dirname(p) for p in files])
        folder = parent


def _read(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def table_key(
    options: Mapping[str, Any],
    environ: Mapping[str, str],
    config_path: str,
    config_bytes: bytes,
    root: str,
    secret: bytes | None,
) -> TableKey:
    """The key of the table for this run: everything that decides which rules are on and what
    their triggers are, without importing them."""
    path_state = [(entry, _mtime(entry)) for entry in _STARTUP_PATH]
    material = repr(
        (
            TABLE_FORMAT,
            __version__,
            sys.version,
            sys.executable,
            path_state,
            environ.get(NO_LOCAL_PLUGINS_ENV, ""),
            [options.get(name) for name in ("select", "extend_select", "ignore", "no_local_plugins")],
            config_path,
            config_bytes,
            root,
        )
    )
    digest = sha256(material.encode("utf-8", "surrogateescape")).hexdigest()
    return TableKey(os.path.join(table_folder(environ), f"{digest[:32]}.table"), material, secret)


def _mtime(path: str) -> int | None:
    try:
        return os.stat(path or ".").st_mtime_ns
    except OSError:
        return None


def cache_home(environ: Mapping[str, str]) -> str:
    """The user's cache folder for aisec: `$XDG_CACHE_HOME/aisec`, else `~/.cache/aisec`."""
    base = environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "aisec")


def table_folder(environ: Mapping[str, str]) -> str:
    return os.path.join(cache_home(environ), "triggers")


def derived_key(supplied: str) -> bytes:
    """The machine key that `AISEC_CACHE_KEY` stands for."""
    return sha256(b"aisec-cache-key\0" + supplied.encode("utf-8", "surrogateescape")).digest()


def read_machine_key(environ: Mapping[str, str]) -> bytes | None:
    """The machine key (`cache.machine_key`), read but never created here: None when absent."""
    supplied = environ.get(KEY_ENV)
    if supplied:
        return derived_key(supplied)
    key = read_regular(os.path.join(cache_home(environ), "key"), KEY_BYTES)
    return key if key is not None and len(key) == KEY_BYTES else None


def read_regular(path: str, limit: int, *, private: bool = False) -> bytes | None:
    """The bytes of `path` if it is a regular file (not a symlink, FIFO or device) of at most
    `limit` bytes, else None; with `private`, also only if it is the user's own and nobody
    else may write it. The size is checked before anything is read."""
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _CLOEXEC)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        if private and (info.st_mode & 0o022 or info.st_uid != _uid()):
            return None
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return None if size > limit else b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)


def write_private(path: str, data: bytes) -> None:
    """Write `data` to `path` in a folder only the user may enter, atomically: concurrent runs
    each write a whole file and the last one stays. A cache folder that cannot be written only
    costs the next run its speed, so OSError is swallowed."""
    import tempfile

    folder = os.path.dirname(path)
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".new-")  # created 0600
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        return


def _uid() -> int:
    getuid = getattr(os, "getuid", None)
    return getuid() if getuid is not None else 0


def load_table(key: TableKey) -> dict[str, Any] | None:
    """The table at `key.path` if it is private, signed with the machine key and written for
    exactly this key; else None. Its `_PARTS` (the markers' alternatives and what the full path
    takes over, most of its bytes) are left as bytes, hashed and read only when a file holds a
    gate token (`table_part`): a trigger-free run does not pay about 1.5 ms for them."""
    data = read_regular(key.path, MAX_TABLE_BYTES, private=True)
    if data is None or key.secret is None or len(data) <= _HEAD_BYTES:
        return None
    signature, size = data[:_MAC_BYTES], int.from_bytes(data[_MAC_BYTES:_HEAD_BYTES], "big")
    payload, parts = data[_HEAD_BYTES : _HEAD_BYTES + size], data[_HEAD_BYTES + size :]
    if not compare_digest(signature, hmac_sha256(key.secret, payload)):
        return None
    # aisec's own table, written by `dump_table` into the user's private cache and verified above:
    # never bytes from the scanned tree; `marshal` builds plain data and runs nothing.
    material, table = marshal.loads(payload)
    if material != key.material:
        return None
    start = 0
    for name in _PARTS:
        end = start + table[_PART_DIGESTS][name][0]
        table[name] = parts[start:end]
        start = end
    return table


def read_known(key: TableKey) -> dict[str, Any] | None:
    """The `KNOWN` part of the table for `key`, under every check the fast path makes before it
    answers from a table (private file, signature, key material, the state of aisec's and the
    plugins' files, the part's digest); None when any fails: the caller works the facts out."""
    try:
        table = load_table(key)
        if table is None or not _unchanged(table["files"]):
            return None
        return table_part(table, KNOWN)
    except (OSError, ValueError, TypeError, KeyError, EOFError, IndexError):
        return None  # a table that verifies but does not read as one (another format): ignored


def table_part(table: dict[str, Any], name: str) -> dict[str, Any]:
    """One of the table's `_PARTS`, once its bytes match the size and digest the signed part
    records (else ValueError: the run declines); read once per loaded table."""
    read = f"{name}_read"
    if read not in table:
        data = table[name]
        size, digest = table[_PART_DIGESTS][name]
        if len(data) != size or not compare_digest(sha256(data).digest(), digest):
            raise ValueError(f"the trigger table's {name} does not match its signed digest")
        table[read] = marshal.loads(data)
    return table[read]


def dump_table(key: TableKey, secret: bytes, table: Mapping[str, Any]) -> bytes:
    """The signed bytes of a table (what `load_table` reads back): the signature, the signed
    part's length, the signed part (the key's material and the table, with the size and digest
    of each of its `_PARTS` in place of them), then those parts."""
    shared: dict[Any, Any] = {}
    head = shared_values(dict(table), shared)
    parts = [marshal.dumps(head.pop(name, {})) for name in _PARTS]
    head[_PART_DIGESTS] = {
        name: (len(data), sha256(data).digest()) for name, data in zip(_PARTS, parts, strict=True)
    }
    payload = marshal.dumps((key.material, head))
    signed = hmac_sha256(secret, payload) + len(payload).to_bytes(_SIZE_BYTES, "big") + payload
    return signed + b"".join(parts)


def shared_values(value: Any, shared: dict[Any, Any]) -> Any:
    """`value` with each string, tuple and frozenset that occurs more than once in it made one
    object, so that `marshal` writes it once and refers to it after: the table repeats the same
    tokens and (sink, roles, tail) entries thousands of times, and its `KNOWN` part read in half
    the time (1.09 -> 0.48 ms, and about 60% of the bytes). Equal here means the same type all the
    way down (a container is keyed by its type and its items' identities once they are shared,
    a string by itself); other values (numbers, None, bytes) are kept as they are."""
    kind = type(value)
    if kind is str:
        return shared.setdefault(value, value)
    if kind is dict:
        return {shared_values(k, shared): shared_values(v, shared) for k, v in value.items()}
    if kind is list:
        return [shared_values(item, shared) for item in value]
    if kind is tuple or kind is frozenset:
        items = kind(shared_values(item, shared) for item in value)
        key = (kind, frozenset(map(id, items)) if kind is frozenset else tuple(map(id, items)))
        return shared.setdefault(key, items)
    return value


def file_state(path: str) -> tuple[int, int] | None:
    """What a table records of one of the files it depends on: size and modification time."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_size, info.st_mtime_ns


def _unchanged(files: Sequence[tuple[str, Any]]) -> bool:
    return all(file_state(path) == state for path, state in files)


def _excluded(files: list[str], cwd: str, root: str, patterns: Sequence[str]) -> str | None:
    """The first file an exclude pattern matches (seen as `discovery.match_path` shows it)."""
    from .selection import path_matches

    for path in files:
        relative = _below(path, root) or _below(path, cwd) or path
        relative = relative.replace(os.sep, "/")
        if any(path_matches(relative, pattern) for pattern in patterns):
            return path
    return None


def _below(path: str, folder: str) -> str | None:
    """`path` relative to `folder` when it is below it (as `Path.relative_to` decides)."""
    relative = os.path.relpath(path, folder)
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return None
    return relative


class _Gate:
    """A rule as the prefilter sees it."""

    __slots__ = ("trigger_groups", "triggers")

    def __init__(self, triggers: tuple[str, ...], trigger_groups: tuple[tuple[str, ...], ...]) -> None:
        self.triggers = triggers
        self.trigger_groups = trigger_groups


def _why_not_trigger_free(path: str, table: dict[str, Any]) -> str | None:
    """Why the full path could report something on this file, or None when it cannot: the
    engine's decode checks and token gate (`FileScanner._scan_checked_text`), replayed."""
    data = read_regular(path, table["max_source_bytes"])
    if data is None:
        return "unreadable, not regular, or over the size limit"
    if b"\0" in data:
        return "NUL bytes"
    if data.startswith(b"\xef\xbb\xbf") or b"coding" in b"\n".join(data.split(b"\n", 2)[:2]):
        return "a BOM or an encoding declaration"
    text = searchable(data.decode("utf-8"))
    gate = table["gate_tokens"]
    if gate is not None and not _holds_any(text, gate):
        return None  # none of the tokens that any trigger needs (see `triggertable._gate_tokens`)
    body = table_part(table, BODY)
    expansions = body["expansions"]
    adopt_groups(expansions, body["groups"])
    if rules_for_text(text, [_Gate(*rule) for rule in table["rules"]], expansions):
        return "a rule's triggers occur"
    sources = table["source_marker"]
    if sources and "import" in text and rules_for_text(text, [_Gate((sources,), ())], expansions):
        return "spells a taint source and imports (a project import may bring a sink)"
    return None


def _holds_any(text: str, gate: tuple[Sequence[str], Sequence[str]]) -> bool:
    """Whether `text` contains one of the gate's tokens: its `[A-Za-z0-9_]` words (most of
    several hundred) and the rest. A word token occurs in the text exactly when it occurs in
    one of the text's distinct words (`prefilter.words_of`), searched one per line: a fifth of
    a 3 KB file's characters to search, about 0.2 ms instead of 0.8."""
    words, others = gate
    runs = "\n".join(words_of(text))
    return any(token in runs for token in words) or any(token in text for token in others)
