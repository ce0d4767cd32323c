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
about 0.8 MB, and its HMAC-SHA256 would cost every run ~3 ms, its BLAKE2b ~0.8 ms), must be private (the user's own,
writable by nobody else), and is made for this interpreter's exact version (marshal and bytecode
formats change between versions). A table that fails any check is ignored and written anew.
Nothing is written when nothing new was compiled or the cache folder is unusable. Unlike
`__pycache__`, it is written under `PYTHONDONTWRITEBYTECODE` too: that setting (common in
container images) keeps bytecode out of source folders, and this table is in the user's cache.

Where `dataclasses` makes each method with `_create_fn(name, args, body, globals=, locals=,
return_type=)`, as Python 3.10 to 3.12 do, a stand-in for that function (also a name the module
looks up in its own namespace) goes one step further (~2 ms of `import libcst`): it looks the
method up by its arguments, the parts the source text is joined from, instead of joining the text
and hashing all of it, and makes the `__create_fn__` maker from the stored code with
`FunctionType`, which is what `exec` of its `def` does. On a miss it calls `_create_fn` itself,
whose `exec` (the stand-in above) compiles the text and keeps the maker under the arguments
(a per-thread note says which). It is used only where `_create_fn`'s bytecode is one of the
versions it knows (`_KNOWN_CREATE_FN`: how each names the return annotation for the maker): a
changed `dataclasses` gets the `exec` stand-in alone. `tests/test_methodcache.py` builds every libcst node class and generated
dataclasses with and without it and compares everything observable.
"""

from __future__ import annotations

import builtins
import marshal
import os
import sys
import threading
from contextlib import contextmanager
from dataclasses import MISSING as dataclasses_missing
from types import CodeType, FunctionType

from .fastpath import cache_home, read_machine_key, read_regular, write_private
from .sha import blake2b_mac, compare_digest, sha256

TYPE_CHECKING = False  # `typing` costs a pre-commit run ~7 ms (it imports `re`)
if TYPE_CHECKING:
    from typing import Any, Iterator, Mapping

TABLE_FORMAT = 4  # 1: code objects as values (unmarshalled whole); 2: their marshalled bytes; 3: BLAKE2b;
# 4: also makers keyed by `_create_fn`'s arguments, and `aisec.patterncache`'s regular expressions
MAX_TABLE_BYTES = 16 * 1024 * 1024
MAX_ENTRIES = 4096  # past this, a rewrite keeps only what the run used (old libcst versions go)
_MAC_BYTES = 32
# `_shape_digest` of each `dataclasses._create_fn` the stand-in knows, and the name under which
# that version passes the return annotation to its maker
_KNOWN_CREATE_FN = {
    "7e92a57e6fde5be4fd69ed63158bbcec": "_return_type",  # 3.10
    "1e6a257cd895f550a737403ff8756a7d": "_return_type",  # 3.11
    "e947e74d4a542f9efe2c6490f091d3a6": "__dataclass_return_type__",  # 3.12
}


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
        # source text -> its marshalled code, and `_create_fn`'s arguments -> its marshalled maker,
        # unmarshalled only when they come up: the table holds every class's methods seen on this
        # machine, a run needs about half of them
        self.known: dict[Any, bytes] | None = None  # read on first use
        self.used: dict[Any, bytes] = {}
        self.compiled: dict[Any, bytes] = {}
        # the `_create_fn` the stand-in replaces, and its maker's name for the return annotation
        self.original_create_fn: Any = None
        self.returns = ""
        # the key of the maker `_create_fn` is making in this thread (`create_fn`, `exec`)
        self._making = threading.local()

    def exec(self, source: Any, globals: Any = None, locals: Any = None, /, **options: Any) -> None:
        if isinstance(source, str):
            key = getattr(self._making, "key", None)
            self._making.key = None
            source = self.code(source) if key is None else self.new_maker(key, source)
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

    def create_fn(
        self,
        name: str,
        args: Any,
        body: Any,
        *,
        globals: Any = None,
        locals: Any = None,
        return_type: Any = dataclasses_missing,
    ) -> Any:
        """`dataclasses._create_fn`: the same function, its maker found by the arguments; else
        made by `_create_fn` itself, whose text the `exec` stand-in compiles and keeps under them."""
        if type(globals) is not dict or "__builtins__" not in globals:  # `exec` picks, adds or refuses
            return self.original_create_fn(
                name, args, body, globals=globals, locals=locals, return_type=return_type
            )
        if locals is None:
            locals = {}
        key = (name, *args, None, *body, None, *locals, return_type is dataclasses_missing)
        # `name` and `body` are put into the text with `format`: a `str` subclass there could have
        # its own `__str__`, so only plain parts make a key (others are compiled, never stored)
        storable = all(type(part) in _KEY_PARTS for part in key)
        maker = self.maker(key) if storable else None
        if maker is None:
            self._making.key = key if storable else None
            try:
                return self.original_create_fn(
                    name, args, body, globals=globals, locals=locals, return_type=return_type
                )
            finally:
                self._making.key = None
        if return_type is not dataclasses_missing:
            locals[self.returns] = return_type
        return FunctionType(maker, globals)(**locals)

    def maker(self, key: tuple[Any, ...]) -> CodeType | None:
        if self.known is None:
            self.known = load(self.path, self.secret)
        stored = self.known.get(key)  # a key of plain parts only (`create_fn`): hashable
        maker = _unmarshalled(stored) if stored is not None else None
        if maker is None or maker.co_name != _MAKER:
            return None
        self.used[key] = stored
        return maker

    def new_maker(self, key: tuple[Any, ...], source: str) -> CodeType:
        """Compile the text `_create_fn` made for `key` and keep its maker under the key."""
        module = compile(source, "<string>", "exec", dont_inherit=True)
        maker = next(c for c in module.co_consts if isinstance(c, CodeType) and c.co_name == _MAKER)
        self.used[key] = self.compiled[key] = marshal.dumps(maker)
        return module

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


_MAKER = "__create_fn__"
_KEY_PARTS = (str, type(None), bool)


def _shape_digest(code: CodeType) -> str:
    """A digest of what a function does: its bytecode, names and constants, not where it is."""

    def shape(code: CodeType) -> tuple[Any, ...]:
        consts = tuple(shape(c) if isinstance(c, CodeType) else c for c in code.co_consts)
        return (
            code.co_code,
            code.co_names,
            code.co_varnames,
            code.co_argcount,
            code.co_kwonlyargcount,
            code.co_flags,
            consts,
        )

    return sha256(repr(shape(code)).encode("utf-8", "surrogateescape")).hexdigest()[:32]


def _unmarshalled(stored: Any) -> CodeType | None:
    try:
        code = marshal.loads(stored)
    except (EOFError, ValueError, TypeError):
        return None
    return code if isinstance(code, CodeType) else None


def load(path: str, secret: bytes | None) -> dict[Any, bytes]:
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
    stand_ins = {"exec": cache.exec}
    original = namespace.get("_create_fn")
    returns = (
        _KNOWN_CREATE_FN.get(_shape_digest(original.__code__)) if isinstance(original, FunctionType) else None
    )
    if returns is not None and namespace.get("MISSING") is dataclasses_missing:
        cache.original_create_fn, cache.returns = original, returns
        stand_ins["_create_fn"] = cache.create_fn
    before = {name: namespace[name] for name in stand_ins if name in namespace}
    namespace.update(stand_ins)
    try:
        yield cache
    finally:
        for name in stand_ins:
            if name in before:
                namespace[name] = before[name]
            else:
                namespace.pop(name, None)
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
