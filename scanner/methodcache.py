"""Compiled dataclass methods, kept across runs, so that `import libcst` costs half as much.

`dataclasses` writes the source of the `__init__`, `__repr__`, `__eq__`, `__setattr__`, ... it
adds to a class and compiles it with `exec` each time the class is created, which is on every
import: Python keeps the bytecode of modules (`__pycache__`) but not of code made at run time.
libcst defines ~200 frozen node dataclasses, so more than half of `import libcst` (~65 of ~120 ms,
the biggest single cost of a one-file pre-commit run that parses) is compiling the same ~620 method
sources again.

`installed()` puts a stand-in for `exec` into the `dataclasses` module's namespace, where the
module looks names up before builtins. A source text seen before runs from its compiled code;
any other is compiled exactly as `exec` would compile it (file name `<string>`, no `__future__`
flags inherited) and remembered. The classes made are the same either way: the same source gives
the same code, run with the same globals and locals. A Python whose `dataclasses` no longer calls
`exec` with source text simply never uses the stand-in.

Trust: the table holds code that is run, so it must be the user's own, like `__pycache__`. It
lives in the user's cache folder (never in the scanned tree, never in `--cache-dir`), is signed
with the machine key that signs the result cache (keyed BLAKE2b, `sha.blake2b_mac`: the table is
about 1.3 MB, and its HMAC-SHA256 cost every run ~4.7 ms, its BLAKE2b ~1.3 ms), must be private (the user's own,
writable by nobody else), and is made for this interpreter's exact version (marshal and bytecode
formats change between versions). A table that fails any check is ignored and written anew.
Nothing is written when nothing new was compiled or the cache folder is unusable. Unlike
`__pycache__`, it is written under `PYTHONDONTWRITEBYTECODE` too: that setting (common in
container images) keeps bytecode out of source folders, and this table is in the user's cache.
"""

from __future__ import annotations

import builtins
import marshal
import os
import sys
from contextlib import contextmanager
from types import CodeType

from .fastpath import cache_home, read_machine_key, read_regular, write_private
from .sha import blake2b_mac, compare_digest, sha256

TYPE_CHECKING = False  # `typing` costs a pre-commit run ~7 ms (it imports `re`)
if TYPE_CHECKING:
    from typing import Any, Iterator, Mapping

TABLE_FORMAT = 3  # 1: code objects as values (unmarshalled whole); 2: their marshalled bytes; 3: BLAKE2b
MAX_TABLE_BYTES = 16 * 1024 * 1024
MAX_ENTRIES = 4096  # past this, a rewrite keeps only what the run used (old libcst versions go)
_MAC_BYTES = 32


def table_path(environ: Mapping[str, str]) -> str:
    """This interpreter's table: one per exact version and build, and per table format (so that
    aisec versions that write different formats, installed side by side, do not each throw the
    other's table away and compile everything again)."""
    version = sha256(sys.version.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    tag = sys.implementation.cache_tag or sys.implementation.name
    return os.path.join(cache_home(environ), "methods", f"{tag}-{version}-{TABLE_FORMAT}.bin")


class MethodCache:
    """The `exec` stand-in and the table it reads from and adds to."""

    def __init__(self, path: str, secret: bytes | None) -> None:
        self.path = path
        self.secret = secret
        # source text -> its marshalled code, unmarshalled only when that source comes up: the
        # table holds every class's methods seen on this machine, a run needs about half of them
        self.known: dict[str, bytes] | None = None  # read on first use
        self.used: dict[str, bytes] = {}
        self.compiled: dict[str, bytes] = {}

    def exec(self, source: Any, globals: Any = None, locals: Any = None, /, **options: Any) -> None:
        if isinstance(source, str):
            source = self.code(source)
        builtins.exec(source, globals, locals, **options)

    def code(self, source: str) -> CodeType:
        if self.known is None:
            self.known = load(self.path, self.secret)
        stored = self.known.get(source)
        code = _unmarshalled(stored) if stored is not None else None
        if code is None:
            code = compile(source, "<string>", "exec", dont_inherit=True)
            stored = self.compiled[source] = marshal.dumps(code)
        self.used[source] = stored
        return code

    def save(self) -> None:
        """Write the table back when this run compiled anything new (a cache folder that
        cannot be written only costs the next run its speed)."""
        if not self.compiled or self.secret is None:
            return
        table = dict(self.known or {})
        if len(table) + len(self.compiled) > MAX_ENTRIES:
            table = dict(self.used)
        table.update(self.compiled)
        payload = marshal.dumps((TABLE_FORMAT, sys.version, table))
        if len(payload) + _MAC_BYTES <= MAX_TABLE_BYTES:
            write_private(self.path, blake2b_mac(self.secret, payload) + payload)


def _unmarshalled(stored: Any) -> CodeType | None:
    try:
        code = marshal.loads(stored)
    except (EOFError, ValueError, TypeError):
        return None
    return code if isinstance(code, CodeType) else None


def load(path: str, secret: bytes | None) -> dict[str, bytes]:
    """The table at `path` if it is private, signed with the machine key and made by this
    interpreter; else an empty one."""
    data = read_regular(path, MAX_TABLE_BYTES, private=True)
    if data is None or secret is None or len(data) <= _MAC_BYTES:
        return {}
    signature, payload = data[:_MAC_BYTES], data[_MAC_BYTES:]
    if not compare_digest(signature, blake2b_mac(secret, payload)):
        return {}
    # aisec's own table, written by `MethodCache.save` into the user's private cache and verified
    # above: never bytes from the scanned tree, and what it holds came from `compile` on this
    # interpreter, as a `__pycache__` file does.
    try:
        form, version, table = marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return {}
    if form != TABLE_FORMAT or version != sys.version or not isinstance(table, dict):
        return {}
    return table


@contextmanager
def installed(environ: Mapping[str, str]) -> Iterator[MethodCache]:
    """Dataclasses created inside the block reuse (and add to) the user's compiled methods."""
    import dataclasses

    cache = MethodCache(table_path(environ), read_machine_key(environ))
    namespace = vars(dataclasses)
    before = namespace.get("exec")
    namespace["exec"] = cache.exec
    try:
        yield cache
    finally:
        if before is None:
            namespace.pop("exec", None)
        else:
            namespace["exec"] = before
        if cache.secret is None and cache.compiled:
            cache.secret = _new_machine_key(environ)
        cache.save()


def _new_machine_key(environ: Mapping[str, str]) -> bytes | None:
    """The machine key, made now if this is aisec's first run on the machine."""
    from .cache import CacheUnavailable, machine_key

    try:
        return machine_key(environ)
    except CacheUnavailable:
        return None
