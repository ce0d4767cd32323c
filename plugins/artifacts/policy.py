"""aisec's allowlist policy: judges what a pickle stream imports and calls.

Exact `module` + `name` pairs only. The allowlist is seeded from `fickling.ml.ML_ALLOWLIST`, plus
aisec's own entries (`allowlist.py`) and the project's `[tool.aisec.artifacts] allow`. A dotted
attribute name (`('numpy', 'testing._private.utils.runstring')`) is an attribute walk and never
matches a default entry. Verdicts:

- MALICIOUS: a known-dangerous import (critical when it is called), a non-allowlisted import that
  is called (including being handed to a call as an argument), a dotted attribute walk, or a
  structural trick the walker flagged (calling a computed value, STACK_GLOBAL on computed strings,
  BUILD/SETITEM on an imported object, extension-registry imports, joblib frame desync);
- SUSPICIOUS: non-allowlisted imports that are never called (medium);
- CLEAN: only allowlisted imports.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from aisec.hooks import Severity

from . import allowlist
from .opcodes import Walk
from .verdict import Status

# Modules whose every attribute is dangerous in a pickle (matched on the first dotted component).
DANGEROUS_MODULES = frozenset(
    {
        "os",
        "posix",
        "nt",
        "subprocess",
        "_posixsubprocess",
        "pty",
        "commands",
        "popen2",
        "runpy",
        "pip",
        "ensurepip",
        "venv",
        "setuptools",
        "distutils",
        "site",
        "importlib",
        "_frozen_importlib",
        "_frozen_importlib_external",
        "_imp",
        "imp",
        "zipimport",
        "pkgutil",
        "pickle",
        "_pickle",
        "cPickle",
        "dill",
        "cloudpickle",
        "marshal",
        "shelve",
        "code",
        "codeop",
        "ctypes",
        "_ctypes",
        "socket",
        "_socket",
        "ssl",
        "http",
        "httplib",
        "urllib",
        "urllib2",
        "urllib3",
        "requests",
        "ftplib",
        "smtplib",
        "telnetlib",
        "poplib",
        "imaplib",
        "nntplib",
        "webbrowser",
        "shutil",
        "tempfile",
        "multiprocessing",
        "_multiprocessing",
        "threading",
        "_thread",
        "signal",
        "_signal",
        "pdb",
        "bdb",
        "cProfile",
        "profile",
        "_lsprof",
        "timeit",
        "trace",
        "doctest",
        "pydoc",
        "idlelib",
        "lib2to3",
        "asyncio",
        "_asyncio",
        "_interpreters",
        "_xxsubinterpreters",
        "_interpqueues",
        "concurrent",
        "sys",
        "gc",
        "inspect",
        "_osx_support",
        "_aix_support",
        "_pyrepl",
        "xmlrpc",
        "socketserver",
        "sqlite3",
        "_sqlite3",
        "linecache",
        "fileinput",
        "glob",
        "tarfile",
        "zipfile",
        "mmap",
        "logging",
        "platform",
        "compileall",
        "py_compile",
        "sysconfig",
        "atexit",
        "fickling",
        "picklescan",
        "modelscan",
        "aisec",
    }
)
# Dotted module prefixes that are dangerous inside otherwise trusted packages.
DANGEROUS_PREFIXES = (
    "torch._inductor",
    "torch._dynamo",
    "torch.hub",
    "torch.package",
    "torch.jit",
    "torch.utils.cpp_extension",
    "torch.utils.collect_env",
    "numpy.f2py",
    "numpy.testing",
    "numpy.distutils",
)
DANGEROUS_NAMES = frozenset(
    {
        *(
            f"builtins.{n}"
            for n in (
                "eval",
                "exec",
                "compile",
                "open",
                "getattr",
                "setattr",
                "delattr",
                "__import__",
                "globals",
                "locals",
                "vars",
                "breakpoint",
                "input",
                "help",
                "exit",
                "quit",
                "memoryview",
                "execfile",
                "file",
                "reload",
                "apply",
                "__builtins__",
                "__loader__",
            )
        ),
        *(
            f"{m}.{n}"
            for m in ("operator", "_operator")
            for n in ("attrgetter", "methodcaller", "itemgetter")
        ),
        "functools.partial",
        "functools.reduce",
        "functools.partialmethod",
        "types.FunctionType",
        "types.CodeType",
        "types.MethodType",
        "types.LambdaType",
        "types.ModuleType",
        "io.open",
        "io.open_code",
        "io.FileIO",
        "_io.open",
        "_io.open_code",
        "_io.FileIO",
        "uuid._get_command_stdout",
        "uuid._popen",
        "torch.load",
        "torch.serialization.load",
        "torch.serialization._load",
        "torch.save",
        "numpy.load",
        "numpy.lib.npyio.load",
        "numpy.save",
        "numpy.fromfile",
        "numpy.loadtxt",
        "joblib.load",
        "joblib.numpy_pickle.load",
        "joblib.dump",
        "pandas.read_pickle",
        "pandas.io.pickle.read_pickle",
        "pandas.eval",
        "pandas.core.computation.eval.eval",
        "numpy.testing._private.utils.runstring",
    }
)
# How the walker's call kinds count: the callable is invoked (or handed to something that may).
CALL_KINDS = frozenset({"REDUCE", "NEWOBJ", "NEWOBJ_EX", "OBJ", "INST", "ARG"})
# Only constructing a class: `cls.__new__(cls)` (NEWOBJ), handed to an allowlisted constructor
# (`copyreg._reconstructor(cls, ...)`: ARG), then its state set (BUILD). REDUCE/OBJ/INST call the
# name itself, which may be any function.
CONSTRUCT_KINDS = frozenset({"NEWOBJ", "NEWOBJ_EX", "ARG", "BUILD"})


def project_packages(root: str | os.PathLike[str] = ".") -> frozenset[str]:
    """Top-level names of the project's own code: packages and modules in `root` and `root/src`
    (aisec runs from the project root), plus `__main__` (classes pickled by a script)."""
    names = {"__main__"}
    for base in (Path(root), Path(root) / "src"):
        try:
            entries = list(os.scandir(base))
        except OSError:
            continue
        for entry in entries:
            stem = entry.name[:-3] if entry.name.endswith(".py") else entry.name
            if not stem.isidentifier():
                continue
            if entry.name.endswith(".py") or os.path.exists(os.path.join(entry.path, "__init__.py")):
                names.add(stem)
    return frozenset(names)


def _pair(entry: str) -> tuple[str, str] | None:
    """`module:name` (explicit, name may be dotted) or `module.name` (split at the last dot)."""
    entry = entry.strip()
    if ":" in entry:
        module, _, name = entry.partition(":")
    else:
        module, _, name = entry.rpartition(".")
    if not module or not name:
        return None
    return module, name


@dataclass
class Policy:
    """The allowlist (exact pairs) plus the dangerous catalogue."""

    allowed: frozenset[tuple[str, str]]
    extra: frozenset[tuple[str, str]] = field(default_factory=frozenset)
    own: frozenset[str] = frozenset({"__main__"})  # top-level names of the project's own code

    @classmethod
    def default(
        cls, extra_allow: Iterable[str] = (), own: frozenset[str] = frozenset({"__main__"})
    ) -> Policy:
        pairs: set[tuple[str, str]] = set()
        try:
            from fickling.ml import ML_ALLOWLIST

            for module, names in ML_ALLOWLIST.items():
                for name in names:
                    pairs.add((module, name))
        except Exception:  # fickling missing or changed shape: aisec's own list still applies
            pass
        for group in (
            allowlist.CORE,
            allowlist.NUMPY,
            allowlist.TORCH,
            allowlist.TORCH_NN,
            allowlist.JOBLIB,
            allowlist.SKLEARN,
            allowlist.PANDAS,
            allowlist.PANDAS_OLD_PATHS,
            allowlist.BYTES_LOADERS,
            allowlist.VALUE_TYPES,
        ):
            for entry in group:
                pair = _pair(entry)
                if pair:
                    pairs.add(pair)
        for entry in allowlist.FICKLING_EXCLUDED:
            pair = _pair(entry)
            if pair:
                pairs.discard(pair)
        extra = frozenset(p for p in (_pair(e) for e in (*allowlist.METHODS, *extra_allow)) if p)
        return cls(frozenset(pairs) | extra, extra, own)

    def is_own(self, module: str) -> bool:
        return module.split(".", 1)[0] in self.own

    def is_allowed(self, module: str, name: str) -> bool:
        if (module, name) in self.extra:  # listed literally: dotted names included
            return True
        if "." in name:  # attribute walks are only allowed when the user listed them literally
            return False
        return (module, name) in self.allowed

    @staticmethod
    def is_dangerous(module: str, name: str) -> bool:
        full = f"{module}.{name}"
        if module.split(".", 1)[0] in DANGEROUS_MODULES:
            return True
        if any(module == p or module.startswith(p + ".") for p in DANGEROUS_PREFIXES):
            return True
        if full in DANGEROUS_NAMES:
            return True
        # a dotted name reaching a dangerous target through an innocent module
        return any(
            full.startswith(d) and (len(full) == len(d) or full[len(d)] == ".") for d in DANGEROUS_NAMES
        )


@dataclass
class Judgement:
    status: Status
    severity: Severity | None
    imports: list[str]
    calls: list[str]
    offending: list[str]


def judge(
    walks: Iterable[Walk], policy: Policy, extra_imports: Iterable[str] = (), extra_calls: Iterable[str] = ()
) -> Judgement:
    """Judge a stream from its walk (with nested walks) and names fickling reported on top."""
    walks = list(walks)
    imports: dict[str, tuple[str, str, bool]] = {}
    kinds: dict[str, set[str]] = {}
    called: set[str] = set()
    calls_seen: list[str] = []
    anomalies: list[str] = []
    for walk in walks:
        for imp in walk.imports:
            imports.setdefault(imp.full, (imp.module, imp.name, imp.dotted))
        for call in walk.calls:
            if call.imported:
                kinds.setdefault(call.target, set()).add(call.kind)
            if call.kind in CALL_KINDS and call.imported:
                called.add(call.target)
            if call.target not in calls_seen and call.kind != "ARG":
                calls_seen.append(call.target)
        anomalies.extend(walk.anomalies)
    for full in extra_imports:
        if full not in imports:
            module, _, name = full.rpartition(".")
            imports[full] = (module, name, False)
    for full in extra_calls:
        called.add(full)
        if full not in calls_seen:
            calls_seen.append(full)

    # builtins.getattr used only to name a class method (`getattr(ZoneInfo, "_unpickle")`): the
    # method itself is judged as a dotted import; getattr used in any other way stays dangerous
    method_only = {c.target for w in walks for c in w.calls if c.kind == "METHOD"} - {
        c.target for w in walks for c in w.calls if c.kind != "METHOD"
    }
    offending: list[str] = []
    critical = False
    malicious = bool(anomalies)
    suspicious = False
    for full, (module, name, dotted) in imports.items():
        if module == "<computed>" or module.startswith("<"):
            continue  # reported through the anomaly
        is_called = full in called
        if policy.is_allowed(module, name) or full in method_only:
            continue
        if policy.is_dangerous(module, name):
            malicious = True
            critical = critical or is_called
            offending.append(f"{'calls' if is_called else 'imports'} dangerous `{full}`")
        elif dotted:
            malicious = True
            offending.append(f"attribute walk `{module}` -> `{name}` (dotted name)")
        elif is_called and policy.is_own(module) and kinds.get(full, set()) <= CONSTRUCT_KINDS:
            suspicious = True
            offending.append(f"constructs the project's own class `{full}` (allow it if you trust the file)")
        elif is_called:
            malicious = True
            offending.append(f"calls non-allowlisted `{full}`")
        else:
            suspicious = True
            offending.append(f"imports non-allowlisted `{full}` (not called)")
    offending.extend(anomalies)
    if malicious:
        status, severity = Status.MALICIOUS, (Severity.CRITICAL if critical else Severity.HIGH)
    elif suspicious:
        status, severity = Status.SUSPICIOUS, Severity.MEDIUM
    else:
        status, severity = Status.CLEAN, Severity.INFO
    return Judgement(status, severity, sorted(imports), calls_seen, offending)
