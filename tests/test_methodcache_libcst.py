"""Every libcst dataclass (node classes, matchers, metadata) is made exactly as `dataclasses`
makes it, with aisec's method cache in each of its modes: not installed, the `exec` stand-in
alone, the `_create_fn` stand-in compiling (an empty table) and running from the saved table.

Each mode runs in a fresh interpreter (a class can be made once per process) that prints a
description of everything observable about each class: the order and values of its namespace,
each method's code object field by field (bytecode, constants, names, file, line table, ...),
name, qualified name, module, globals, builtins, defaults, keyword defaults, annotations, closure
contents and attributes (the `__repr__` wrapper's `__wrapped__` too), the fields with every
attribute, the parameters, `__match_args__`, `__slots__`, `__doc__`, `__hash__`, the abstract
methods and the MRO. Addresses in reprs are blanked and the hash seed is fixed: both differ
between any two processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

DESCRIBE = textwrap.dedent(
    """
    import builtins, dataclasses, json, os, re, sys, types
    from aisec import methodcache

    mode = sys.argv[1]
    if mode == "exec":
        methodcache._KNOWN_CREATE_FN.clear()
    if mode == "plain":
        import libcst, libcst.matchers, libcst.metadata
        cache = None
    else:
        with methodcache.installed(os.environ) as cache:
            import libcst, libcst.matchers, libcst.metadata

    def code(c):
        return [
            c.co_code.hex(), [code(k) if isinstance(k, types.CodeType) else text(k) for k in c.co_consts],
            c.co_names, c.co_varnames, c.co_freevars, c.co_cellvars, c.co_filename, c.co_name,
            c.co_qualname, c.co_firstlineno, c.co_linetable.hex(), c.co_exceptiontable.hex(),
            c.co_flags, c.co_argcount, c.co_posonlyargcount, c.co_kwonlyargcount, c.co_stacksize,
            c.co_nlocals,
        ]

    def text(value):
        return re.sub(r" at 0x[0-9a-f]+", " at 0x", repr(value))

    def describe(value, depth=0):
        if depth > 4:
            return text(value)
        if isinstance(value, type):
            return "class " + value.__module__ + "." + value.__qualname__
        if isinstance(value, (staticmethod, classmethod)):
            return [type(value).__name__, describe(value.__func__, depth + 1)]
        if isinstance(value, types.FunctionType):
            return {
                "code": code(value.__code__), "name": value.__name__, "qualname": value.__qualname__,
                "module": value.__module__, "globals": value.__globals__.get("__name__"),
                "module globals": value.__globals__ is getattr(sys.modules.get(value.__module__), "__dict__", None),
                "builtins": value.__builtins__ is builtins.__dict__,
                "defaults": describe(value.__defaults__, depth + 1),
                "kwdefaults": describe(value.__kwdefaults__, depth + 1),
                "annotations": describe(value.__annotations__, depth + 1), "doc": value.__doc__,
                "closure": [describe(c.cell_contents, depth + 1) for c in value.__closure__ or ()],
                "attributes": describe(vars(value), depth + 1),
            }
        if isinstance(value, dataclasses.Field):
            return {slot: describe(getattr(value, slot), depth + 1) for slot in dataclasses.Field.__slots__}
        if isinstance(value, dict):
            return [[text(k), describe(v, depth + 1)] for k, v in value.items()]
        if isinstance(value, (tuple, list)):
            return [type(value).__name__, [describe(v, depth + 1) for v in value]]
        return text(value)

    classes = {}
    for name in sorted(sys.modules):
        if name.split(".")[0] != "libcst":
            continue
        for value in vars(sys.modules[name]).values():
            if isinstance(value, type) and value.__module__ == name and dataclasses.is_dataclass(value):
                classes[name + "." + value.__qualname__] = {
                    "namespace": describe(dict(vars(value))),
                    "hash": describe(value.__hash__),
                    "abstract": sorted(getattr(value, "__abstractmethods__", ())),
                    "mro": [describe(k) for k in value.__mro__],
                }
    keyed = [key for key in cache.used if isinstance(key, tuple)] if cache else []
    print(json.dumps({
        "classes": classes,
        "compiled": len(cache.compiled) if cache else 0,
        "by_arguments": len(keyed),
    }))
    """
)


def _describe(mode: str, home: Path) -> dict:
    env = {**os.environ, "XDG_CACHE_HOME": str(home), "AISEC_CACHE_KEY": "test-secret", "PYTHONHASHSEED": "0"}
    done = subprocess.run(
        [sys.executable, "-c", DESCRIBE, mode], capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_every_libcst_dataclass_is_the_same_in_every_mode(tmp_path: Path) -> None:
    plain = _describe("plain", tmp_path / "plain")
    exec_only = _describe("exec", tmp_path / "exec")
    cold = _describe("cold", tmp_path / "cached")
    warm = _describe("warm", tmp_path / "cached")
    assert len(plain["classes"]) > 300  # node classes, matchers, metadata
    assert exec_only["by_arguments"] == 0  # the `exec` stand-in alone
    assert cold["compiled"] > 300 and cold["by_arguments"] > 300  # made through `_create_fn`'s stand-in
    assert warm["compiled"] == 0 and warm["by_arguments"] == cold["by_arguments"]  # all from the table
    for described in (exec_only, cold, warm):
        assert described["classes"].keys() == plain["classes"].keys()
        for name, shape in plain["classes"].items():
            assert described["classes"][name] == shape, name
