"""Model artifacts that code references: which file a load call reads, found statically.

For every call of a loading API (`torch.load`, `pickle.load(open(...))`, `joblib.load`, ...) the
path argument is evaluated without running anything: string constants; names assigned exactly
once in the module, the enclosing function or class (and parameter defaults);
`Path(__file__).parent / "m.pt"` (`.resolve()`, `.parents[n]`, `.with_name()`, `.joinpath()`);
`os.path.join(os.path.dirname(os.path.abspath(__file__)), "m.pkl")`; `Path("models") / "m.pt"`;
`str(...)`, f-strings and `+` of those; `os.environ.get(KEY, DEFAULT)` (the default); the file
objects of `open(...)`, `Path.open()`, `gzip.open(...)` and `with open(...) as f` in the same scope;
`f.read()` / `Path.read_bytes()` for `pickle.loads`.

A path built from `__file__` is resolved against the file's folder only; any other relative path
against the file's folder, the project root and each `[tool.aisec.artifacts] roots` entry. Nothing
outside the project root is ever read: a path that only resolves outside it (`..`, absolute paths)
or a symlink whose target escapes it is an AIS403 finding at the code. A referenced file that does
not exist is silent, but still recorded with `depends_on` so that the result cache notices when it
appears or changes.

The three rules share one resolution per call site (per file, through the rule context) and one
inspection per artifact per process (keyed by path, size, mtime, inode, allowlist and limits).
"""

from __future__ import annotations

import os
import posixpath
import stat
import threading
import weakref
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aisec.hooks import Severity, cst

from .verdict import ArtifactVerdict, Limits

if TYPE_CHECKING:
    import libcst

# What a loader's argument may be: a path, an open file object, or the bytes of the file.
PATH, FILE, BYTES = "path", "file", "bytes"

# Prefilter: every way to name a loader below spells one of these (imports included), so a file
# with none of them cannot reference an artifact through a loader.
TRIGGERS = ("pickle", "Pickle", "dill", "torch", "joblib", "numpy", "skops", "keras", "shelve")


@dataclass(frozen=True)
class Loader:
    """Where a loading API takes the artifact: keyword and/or 0-based position, and its kinds."""

    keyword: str | None
    position: int | None
    accepts: frozenset[str]
    suffixes: tuple[str, ...] = ("",)  # shelve.open("db") reads db, db.db or db.dat


def _loaders() -> dict[str, Loader]:
    table: dict[str, Loader] = {}
    file_only, path_or_file = frozenset({FILE}), frozenset({PATH, FILE})
    for module in ("pickle", "_pickle", "cPickle", "dill", "cloudpickle"):
        table[f"{module}.load"] = Loader("file", 0, file_only)
        table[f"{module}.loads"] = Loader(None, 0, frozenset({BYTES}))
        if module != "cloudpickle":
            table[f"{module}.Unpickler"] = Loader("file", 0, file_only)
    for name in ("load_session", "load_module"):
        table[f"dill.{name}"] = Loader("filename", 0, path_or_file)
    for name in ("torch.load", "torch.serialization.load"):
        table[name] = Loader("f", 0, path_or_file)
    for name in (
        "joblib.load",
        "joblib.numpy_pickle.load",
        "sklearn.externals.joblib.load",
        "sklearn.externals.joblib.numpy_pickle.load",
    ):
        table[name] = Loader("filename", 0, path_or_file)
    for name in ("numpy.load", "numpy.lib.npyio.load"):
        table[name] = Loader("file", 0, path_or_file)
    table["numpy.lib.format.read_array"] = Loader("fp", 0, file_only)
    for name in ("pandas.read_pickle", "pandas.io.pickle.read_pickle"):
        table[name] = Loader("filepath_or_buffer", 0, path_or_file)
    table["skops.io.load"] = Loader("file", 0, path_or_file)
    table["skops.io.loads"] = Loader("data", 0, frozenset({BYTES}))
    for root in ("keras", "tensorflow.keras", "tf_keras"):
        for name in ("models.load_model", "saving.load_model"):
            table[f"{root}.{name}"] = Loader("filepath", 0, frozenset({PATH}))
    table["keras.src.saving.saving_api.load_model"] = Loader("filepath", 0, frozenset({PATH}))
    for name in ("shelve.open", "shelve.DbfilenameShelf"):
        table[name] = Loader("filename", 0, frozenset({PATH}), ("", ".db", ".dat"))
    return table


LOADERS: dict[str, Loader] = _loaders()
# The call screen (`Rule.qualified_names`): the three rules report only at calls of these.
QUALIFIED_NAMES = tuple(LOADERS)

# Calls whose result is an open file (binary or not) of their path argument.
_OPENERS: dict[str, str] = {
    "builtins.open": "file",
    "io.open": "file",
    "codecs.open": "filename",
    "gzip.open": "filename",
    "gzip.GzipFile": "filename",
    "bz2.open": "filename",
    "bz2.BZ2File": "filename",
    "lzma.open": "filename",
    "lzma.LZMAFile": "filename",
}
# Calls that join their arguments into one path (`Path()` alone is the current folder).
_JOINERS = frozenset(
    {
        "pathlib.Path",
        "pathlib.PurePath",
        "pathlib.PosixPath",
        "pathlib.PurePosixPath",
        "os.path.join",
        "posixpath.join",
    }
)
# Calls that return their (single) path argument, as far as locating the file goes.
_SAME_PATH = frozenset(
    {
        "builtins.str",
        "os.fspath",
        "os.fsdecode",
        "os.path.abspath",
        "os.path.realpath",
        "os.path.normpath",
        "posixpath.abspath",
        "posixpath.realpath",
        "posixpath.normpath",
    }
)
_DIRNAME = frozenset({"os.path.dirname", "posixpath.dirname"})
_CWD = frozenset({"os.getcwd", "pathlib.Path.cwd"})
# `os.environ.get(KEY, DEFAULT)`: the default is what the code loads when the variable is unset.
_ENV_DEFAULT: dict[str, str | None] = {"os.environ.get": None, "os.getenv": "default"}
# Methods of path values (recognised only when the receiver evaluates to a path).
_PATH_SAME_METHODS = frozenset({"resolve", "absolute", "as_posix", "__fspath__"})
_MAX_DEPTH = 16


# ------------------------------------------------------------------------------- settings


@dataclass
class ArtifactSettings:
    """`[tool.aisec.artifacts]` as this plugin uses it (set by `aisec_configure`, once per run;
    the engine forks its workers afterwards, so they inherit it)."""

    limits: Limits = field(default_factory=Limits)
    allow: tuple[str, ...] = ()
    roots: tuple[str, ...] = ()

    def configure(self, table: Mapping[str, Any] | None) -> None:
        table = dict(table or {})
        self.limits = Limits.from_config(table)
        self.allow = tuple(str(item) for item in table.get("allow", ()) or ())
        self.roots = tuple(str(item) for item in table.get("roots", ()) or ())


SETTINGS = ArtifactSettings()


# ------------------------------------------------------------------ inspection, cached


_INSPECTED: OrderedDict[tuple[Any, ...], list[ArtifactVerdict]] = OrderedDict()
_INSPECTED_MAX = 512
_LOCK = threading.Lock()


def inspect_cached(
    path: Path, status: os.stat_result | None = None, project_root: Path | None = None
) -> list[ArtifactVerdict]:
    """`inspect_file` with the configured limits and allowlist, once per process per
    (absolute path, size, mtime_ns, inode, allowlist, limits, project root)."""
    if status is None:
        status = os.stat(path)
    key = (
        str(Path(path).absolute()),
        status.st_size,
        status.st_mtime_ns,
        status.st_ino,
        SETTINGS.allow,
        SETTINGS.limits,
        project_root,
    )
    with _LOCK:
        hit = _INSPECTED.get(key)
        if hit is not None:
            _INSPECTED.move_to_end(key)
            return hit
    from .inspect import inspect_file  # fickling is imported only when an artifact is read

    verdicts = inspect_file(path, SETTINGS.limits, SETTINGS.allow, project_root)
    with _LOCK:
        _INSPECTED[key] = verdicts
        while len(_INSPECTED) > _INSPECTED_MAX:
            _INSPECTED.popitem(last=False)
    return verdicts


def clear_cache() -> None:
    """Forget every cached inspection (tests)."""
    with _LOCK:
        _INSPECTED.clear()


# ------------------------------------------------------------------------- scopes


@dataclass
class _Bindings:
    """Names bound directly in one module, class or function body (not in nested bodies)."""

    kind: str  # "module" | "class" | "function"
    counts: dict[str, int] = field(default_factory=dict)
    # name -> (value expression, evaluate it in the enclosing scope?) for names bound exactly once
    values: dict[str, tuple[Any, bool]] = field(default_factory=dict)
    passthrough: set[str] = field(default_factory=set)  # `global`/`nonlocal` names

    def bind(self, name: str, value: Any = None, outer: bool = False) -> None:
        self.counts[name] = self.counts.get(name, 0) + 1
        if value is not None:
            self.values[name] = (value, outer)

    def bind_target(self, target: Any) -> None:
        import libcst as cst

        if isinstance(target, cst.Name):
            self.bind(target.value)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self.bind_target(element.value)
        elif isinstance(target, cst.StarredElement):
            self.bind_target(target.value)

    def constant(self, name: str) -> tuple[Any, bool] | None:
        return self.values.get(name) if self.counts.get(name) == 1 else None


def _collect(kind: str, body: Any, params: Any = None) -> _Bindings:
    import libcst as cst  # loaded already (a file is being visited); faster than the lazy proxy

    bindings = _Bindings(kind)
    if params is not None:
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            bindings.bind(param.name.value, param.default, outer=True)
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                bindings.bind(star.name.value)
    _collect_suite(body, bindings)
    return bindings


def _collect_suite(suite: Any, bindings: _Bindings) -> None:
    import libcst as cst

    if isinstance(suite, cst.IndentedBlock):
        statements: Any = suite.body
    elif isinstance(suite, cst.SimpleStatementSuite):
        statements = [suite]
    else:
        statements = suite  # a Module body
    for statement in statements:
        _collect_statement(statement, bindings)


def _collect_statement(statement: Any, bindings: _Bindings) -> None:
    import libcst as cst

    if isinstance(statement, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
        for small in statement.body:
            _collect_small(small, bindings)
    elif isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
        bindings.bind(statement.name.value)
    else:
        if isinstance(statement, cst.For):
            bindings.bind_target(statement.target)
        elif isinstance(statement, cst.With):
            for item in statement.items:
                if item.asname is not None:
                    bindings.bind_target(item.asname.name)
        for attr in ("body", "orelse", "finalbody"):
            part = getattr(statement, attr, None)
            if part is None:
                continue
            if isinstance(part, cst.If):
                _collect_statement(part, bindings)
            elif isinstance(part, (cst.Else, cst.Finally)):
                _collect_suite(part.body, bindings)
            elif isinstance(part, (cst.IndentedBlock, cst.SimpleStatementSuite)):
                _collect_suite(part, bindings)
        for handler in getattr(statement, "handlers", ()):
            if handler.name is not None:
                bindings.bind_target(handler.name.name)
            _collect_suite(handler.body, bindings)
        for case in getattr(statement, "cases", ()):
            _collect_suite(case.body, bindings)


def _collect_small(small: Any, bindings: _Bindings) -> None:
    import libcst as cst

    if isinstance(small, cst.Assign):
        for target in small.targets:
            if isinstance(target.target, cst.Name):
                bindings.bind(target.target.value, small.value)
            else:
                bindings.bind_target(target.target)
    elif isinstance(small, cst.AnnAssign):
        if isinstance(small.target, cst.Name):
            bindings.bind(small.target.value, small.value)
    elif isinstance(small, (cst.AugAssign, cst.Del)):
        bindings.bind_target(small.target)
    elif isinstance(small, cst.Import):
        for alias in small.names:
            if alias.asname is not None:
                bindings.bind_target(alias.asname.name)
            else:
                bindings.bind(_dotted(alias.name).split(".")[0])
    elif isinstance(small, cst.ImportFrom):
        if not isinstance(small.names, cst.ImportStar):
            for alias in small.names:
                target = alias.asname.name if alias.asname is not None else alias.name
                bindings.bind_target(target)
    elif isinstance(small, (cst.Global, cst.Nonlocal)):
        bindings.passthrough.update(item.name.value for item in small.names)


def _global_names(statements: Any, found: set[str]) -> set[str]:
    """Names declared `global` in any function of the module (a statement-level walk)."""
    import libcst as cst

    for statement in statements:
        if isinstance(statement, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            for small in statement.body:
                if isinstance(small, cst.Global):
                    found.update(item.name.value for item in small.names)
            continue
        parts = [getattr(statement, attr, None) for attr in ("body", "orelse", "finalbody")]
        parts += [
            item.body for item in (*getattr(statement, "handlers", ()), *getattr(statement, "cases", ()))
        ]
        for part in parts:
            if isinstance(part, cst.If):
                _global_names([part], found)
            elif isinstance(part, (cst.Else, cst.Finally)):
                _global_names(_statements(part.body), found)
            elif isinstance(part, (cst.IndentedBlock, cst.SimpleStatementSuite)):
                _global_names(_statements(part), found)
    return found


def _statements(suite: Any) -> Any:
    return suite.body if isinstance(suite, cst.IndentedBlock) else [suite]


def _dotted(node: Any) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""


@dataclass
class _Frame:
    """A scope as one rule's traversal sees it: its bindings (collected on first lookup, shared by
    the three rules) plus the `with ... as` names that are open at this point of the traversal."""

    node: Any  # Module, FunctionDef or ClassDef
    kind: str  # "module" | "function" | "class"
    state: _FileState
    withs: list[tuple[str, Any, Any]] = field(default_factory=list)  # (name, item, With node)
    _bindings: _Bindings | None = None

    @property
    def bindings(self) -> _Bindings:
        if self._bindings is None:
            self._bindings = self.state.bindings_for(self.node, self.kind)
        return self._bindings


# ------------------------------------------------------------------------- values


@dataclass(frozen=True)
class _Value:
    """A statically known path (or a file object / bytes read from it).

    `text` is POSIX, as spelled (normalised only when it is resolved); with `near_file` it is
    relative to the folder of the scanned file.
    """

    kind: str
    text: str
    near_file: bool = False

    def as_kind(self, kind: str) -> _Value:
        return _Value(kind, self.text, self.near_file)


def _join(left: _Value, right: _Value) -> _Value | None:
    """`os.path.join` / `Path /` (texts stay as spelled; the final path is normalised once)."""
    if left.kind != PATH or right.kind != PATH:
        return None
    if right.near_file or posixpath.isabs(right.text):
        return right  # an absolute part restarts the path
    if not left.text:
        return _Value(PATH, right.text)
    return _Value(PATH, f"{left.text.rstrip('/')}/{right.text}", left.near_file)


def _parent(value: _Value) -> _Value | None:
    """`Path.parent` / `os.path.dirname`. Above the file's folder or an absolute path that is a
    real folder; a plain relative path is lexical, as in pathlib (`Path("m.pt").parent` is `.`)."""
    if value.kind != PATH:
        return None
    text = posixpath.normpath(value.text or ".")
    if value.near_file or posixpath.isabs(text):
        return _Value(PATH, posixpath.normpath(f"{text}/.."), value.near_file)
    return _Value(PATH, posixpath.dirname(text) or ".")


class _Evaluator:
    """Evaluates path expressions in the scopes of one rule's traversal."""

    def __init__(self, rule: Any, frames: list[_Frame]) -> None:
        self.rule = rule
        self.frames = frames
        self.file_name = posixpath.basename(str(rule.path).replace(os.sep, "/")) or "."

    def value(self, expr: Any, top: int | None = None, depth: int = 0) -> _Value | None:
        if depth > _MAX_DEPTH:
            return None
        top = len(self.frames) - 1 if top is None else top
        if isinstance(expr, (cst.SimpleString, cst.ConcatenatedString)):
            constant = self.rule.args.constant(expr)
            if isinstance(constant, bytes):
                constant = os.fsdecode(constant)
            return _Value(PATH, constant) if isinstance(constant, str) else None
        if isinstance(expr, cst.FormattedString):
            return self._fstring(expr, top, depth)
        if isinstance(expr, cst.Name):
            return self._name(expr.value, top, depth)
        if isinstance(expr, cst.Attribute):
            if expr.attr.value == "parent":
                base = self.value(expr.value, top, depth + 1)
                return _parent(base) if base is not None else None
            return None
        if isinstance(expr, cst.Subscript):
            return self._parents_index(expr, top, depth)
        if isinstance(expr, cst.BinaryOperation):
            left = self.value(expr.left, top, depth + 1)
            right = self.value(expr.right, top, depth + 1) if left is not None else None
            if left is None or right is None:
                return None
            if isinstance(expr.operator, cst.Divide):
                return _join(left, right)
            if isinstance(expr.operator, cst.Add) and left.kind == right.kind == PATH and not right.near_file:
                return _Value(PATH, left.text + right.text, left.near_file)
            return None
        if isinstance(expr, cst.Call):
            return self._call(expr, top, depth)
        return None

    # ----- pieces

    def _name(self, name: str, top: int, depth: int) -> _Value | None:
        found = self._lookup(name, top)
        if found is None:
            if name == "__file__":
                return _Value(PATH, self.file_name, near_file=True)
            return None
        expr, index = found
        if expr is None:
            return None
        return self.value(expr, index, depth + 1)

    def _lookup(self, name: str, top: int) -> tuple[Any, int] | None:
        """(value expression or None when not a constant, index of the scope to evaluate it in),
        or None when no scope binds the name."""
        index, innermost = top, True
        while index >= 0:
            frame = self.frames[index]
            if frame.kind == "class" and not innermost:
                index, innermost = index - 1, False
                continue
            bindings = frame.bindings
            if name in bindings.passthrough:
                index, innermost = index - 1, False
                continue
            innermost = False
            for bound, item, _ in reversed(frame.withs):
                if bound == name:
                    return item, index
            if name in bindings.counts:
                constant = bindings.constant(name)
                if constant is None or (frame.kind == "module" and name in frame.state.global_names()):
                    return None, index
                expr, outer = constant
                return expr, (index - 1 if outer and index > 0 else index)
            index -= 1
        return None

    def _fstring(self, expr: Any, top: int, depth: int) -> _Value | None:
        text, near_file = "", False
        for position, part in enumerate(expr.parts):
            if isinstance(part, cst.FormattedStringText):
                text += part.value
                continue
            if part.conversion is not None or part.format_spec is not None:
                return None
            value = self.value(part.expression, top, depth + 1)
            if value is None or value.kind != PATH or (value.near_file and position != 0):
                return None
            near_file = value.near_file
            text += value.text
        return _Value(PATH, text, near_file)

    def _parents_index(self, expr: Any, top: int, depth: int) -> _Value | None:
        """`p.parents[n]`: the (n+1)-th parent."""
        owner = expr.value
        if not (isinstance(owner, cst.Attribute) and owner.attr.value == "parents"):
            return None
        if len(expr.slice) != 1 or not isinstance(expr.slice[0].slice, cst.Index):
            return None
        count = self.rule.args.constant(expr.slice[0].slice.value)
        if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count < 32:
            return None
        value = self.value(owner.value, top, depth + 1)
        for _ in range(count + 1):
            if value is None:
                return None
            value = _parent(value)
        return value

    def _call(self, call: Any, top: int, depth: int) -> _Value | None:
        func = call.func
        if isinstance(func, cst.Attribute):
            receiver = self.value(func.value, top, depth + 1)
            if receiver is not None:
                return self._method(receiver, func.attr.value, call, top, depth)
        qualified = self.rule.names.qualified(func)
        if qualified is None:
            return None
        args = self.rule.args
        if qualified in _OPENERS:
            arg = args.get(call, _OPENERS[qualified], 0)
            value = self._arg_value(arg, top, depth)
            return value.as_kind(FILE) if value is not None and value.kind == PATH else None
        if qualified == "io.BytesIO":
            value = self._arg_value(args.get(call, "initial_bytes", 0), top, depth)
            return value.as_kind(FILE) if value is not None and value.kind == BYTES else None
        if qualified in _JOINERS:
            return self._join_args(call, top, depth)
        if qualified in _SAME_PATH:
            if len(call.args) != 1:
                return None
            value = self._arg_value(args.get(call, None, 0), top, depth)
            return value if value is not None and value.kind == PATH else None
        if qualified in _DIRNAME:
            value = self._arg_value(args.get(call, None, 0), top, depth)
            return _parent(value) if value is not None else None
        if qualified in _CWD and not call.args:
            return _Value(PATH, ".")
        if qualified in _ENV_DEFAULT:
            value = self._arg_value(args.get(call, _ENV_DEFAULT[qualified], 1), top, depth)
            return value if value is not None and value.kind == PATH else None
        return None

    def _method(self, receiver: _Value, method: str, call: Any, top: int, depth: int) -> _Value | None:
        if receiver.kind == FILE:
            return receiver.as_kind(BYTES) if method == "read" else None
        if receiver.kind != PATH:
            return None
        if method in _PATH_SAME_METHODS:
            return receiver
        if method == "open":
            return receiver.as_kind(FILE)
        if method == "read_bytes":
            return receiver.as_kind(BYTES)
        if method == "joinpath":
            value: _Value | None = receiver
            for arg in call.args:
                if value is None or arg.keyword is not None or arg.star:
                    return None
                part = self.value(arg.value, top, depth + 1)
                value = _join(value, part) if part is not None else None
            return value
        if method in ("with_name", "with_suffix") and len(call.args) == 1 and not call.args[0].star:
            part = self.rule.args.constant(call.args[0].value)
            if not isinstance(part, str):
                return None
            if method == "with_name":
                if not part or "/" in part:
                    return None
                parent = _parent(receiver)
                return _join(parent, _Value(PATH, part)) if parent is not None else None
            stem, _ = posixpath.splitext(receiver.text)
            return _Value(PATH, stem + part, receiver.near_file)
        return None

    def _arg_value(self, arg: Any, top: int, depth: int) -> _Value | None:
        if arg is None or arg.star:
            return None
        return self.value(arg.value, top, depth + 1)

    def _join_args(self, call: Any, top: int, depth: int) -> _Value | None:
        value: _Value | None = None
        for arg in call.args:
            if arg.keyword is not None or arg.star:
                return None
            part = self.value(arg.value, top, depth + 1)
            if part is None:
                return None
            value = part if value is None else _join(value, part)
            if value is None:
                return None
        return value if value is not None else _Value(PATH, ".")


# ---------------------------------------------------------------------- resolution


@dataclass(frozen=True)
class Inspected:
    """An artifact inside the project that a call loads, with its verdicts."""

    loader: str
    shown: str  # the artifact path as findings show it
    verdicts: tuple[ArtifactVerdict, ...]


@dataclass(frozen=True)
class Escaped:
    """A referenced path that leads outside the project root (not read)."""

    loader: str
    text: str  # the path as the code spells it (normalised)
    where: str  # where it resolves to (for a symlink: the link, as findings show paths)
    symlink_to: str | None = None


def _within(path: Path, roots: Iterable[Path]) -> bool:
    return any(path == root or path.is_relative_to(root) for root in roots)


def _shown(path: Path) -> str:
    """POSIX, relative to the current folder when below it, else absolute."""
    cwd = Path.cwd()
    for base in (cwd, cwd.resolve()):
        try:
            return path.relative_to(base).as_posix()
        except ValueError:
            continue
    return path.as_posix()


def _locate(rule: Any, loader: str, value: _Value, suffixes: tuple[str, ...]) -> tuple[Any, ...]:
    root_lexical = Path(os.path.abspath(rule.project.root))
    roots = (root_lexical, root_lexical.resolve())
    file_dir = Path(os.path.abspath(rule.path)).parent
    text = value.text
    if value.near_file:
        bases: list[Path | None] = [file_dir]
    elif posixpath.isabs(text):
        bases = [None]
    else:
        bases = [file_dir, root_lexical, *(root_lexical / extra for extra in SETTINGS.roots)]
    candidates: list[Path] = []
    for base in bases:
        for suffix in suffixes:
            joined = text + suffix if base is None else os.path.join(base, text + suffix)
            candidate = Path(os.path.normpath(joined))
            if candidate not in candidates:
                candidates.append(candidate)
    inside = [candidate for candidate in candidates if _within(candidate, roots)]
    if not inside:
        return (Escaped(loader, posixpath.normpath(text), candidates[0].as_posix()),)
    entries: list[Any] = []
    seen: set[Path] = set()
    for candidate in inside:
        rule.context.depends_on(candidate)
        if not os.path.lexists(candidate):
            continue  # a referenced artifact that does not exist is silent
        try:
            real = candidate.resolve()
        except (OSError, RuntimeError, ValueError):  # symlink loop, NUL in the name
            continue
        if not _within(real, roots):
            entries.append(
                Escaped(loader, posixpath.normpath(text), _shown(candidate), symlink_to=real.as_posix())
            )
            continue
        try:
            status = os.stat(real)
        except (OSError, ValueError):
            continue
        if not stat.S_ISREG(status.st_mode) or real in seen:
            continue  # folders (saved models), FIFOs and devices are never opened
        seen.add(real)
        entries.append(Inspected(loader, _shown(candidate), tuple(inspect_cached(real, status, roots[0]))))
    return tuple(entries)


class _FileState:
    """Per-file state shared by the three rules: bindings per scope, resolution per call."""

    def __init__(self) -> None:
        self.module: Any = None
        self.bindings: dict[int, _Bindings] = {}
        self.calls: dict[int, tuple[Any, ...]] = {}
        self._lines: Any = None
        self._globals: set[str] | None = None

    def release(self) -> None:
        self.module = self._lines = self._globals = None
        self.bindings.clear()
        self.calls.clear()

    def global_names(self) -> set[str]:
        """Names some function of the module declares `global` (so not module constants)."""
        if self._globals is None:
            self._globals = _global_names(self.module.body, set()) if self.module is not None else set()
        return self._globals

    def bindings_for(self, node: Any, kind: str) -> _Bindings:
        bindings = self.bindings.get(id(node))
        if bindings is None:
            if kind == "module":
                bindings = _collect(kind, node.body)
            else:
                bindings = _collect(kind, node.body, node.params if kind == "function" else None)
            self.bindings[id(node)] = bindings
        return bindings

    def line_of(self, node: Any) -> int | None:
        if self.module is None:
            return None
        if self._lines is None:
            from libcst.metadata.position_provider import PositionProvider
            from libcst.metadata.wrapper import MetadataWrapper

            wrapper = MetadataWrapper(self.module, unsafe_skip_copy=True)
            self._lines = wrapper.resolve(PositionProvider)
        position = self._lines.get(node)
        return position.start.line if position is not None else None


_STATES: weakref.WeakKeyDictionary[Any, _FileState] = weakref.WeakKeyDictionary()


def _state_for(rule: Any) -> _FileState:
    try:
        state = _STATES.get(rule.context)
        if state is None:
            state = _STATES[rule.context] = _FileState()
        return state
    except TypeError:  # a context that cannot be weakly referenced: no sharing, still correct
        return rule.__dict__.setdefault("_artifact_state", _FileState())


# ------------------------------------------------------------------------ the mixin


class ArtifactReferences:
    """Visitor methods for AIS401-AIS403: each load call's artifacts are resolved once per file
    (shared by the three rules) and each rule reports the verdicts that map to its own code."""

    _artifact_frames: list[_Frame]

    # scopes

    def visit_Module(self, node: libcst.Module) -> None:
        state = _state_for(self)
        state.module = node
        self._artifact_frames = [_Frame(node, "module", state)]

    def leave_Module(self, original_node: libcst.Module) -> None:
        # Nothing is visited after the module: let go of the tree (the context that keys the
        # shared state sits in a reference cycle and may outlive the file until a GC pass).
        self._artifact_frames[0].state.release()
        self._artifact_frames = []

    def visit_FunctionDef(self, node: libcst.FunctionDef) -> None:
        self._artifact_push(node, "function")

    def leave_FunctionDef(self, original_node: libcst.FunctionDef) -> None:
        self._artifact_frames.pop()

    def visit_ClassDef(self, node: libcst.ClassDef) -> None:
        self._artifact_push(node, "class")

    def leave_ClassDef(self, original_node: libcst.ClassDef) -> None:
        self._artifact_frames.pop()

    def visit_With(self, node: libcst.With) -> None:
        frame = self._artifact_frames[-1]
        for item in node.items:
            if item.asname is not None and isinstance(item.asname.name, cst.Name):
                frame.withs.append((item.asname.name.value, item.item, node))

    def leave_With(self, original_node: libcst.With) -> None:
        frame = self._artifact_frames[-1]
        frame.withs[:] = [entry for entry in frame.withs if entry[2] is not original_node]

    def _artifact_push(self, node: Any, kind: str) -> None:
        self._artifact_frames.append(_Frame(node, kind, self._artifact_frames[0].state))

    # calls

    def visit_Call(self, node: libcst.Call) -> None:
        rule: Any = self
        state = self._artifact_frames[0].state
        entries = state.calls.get(id(node))
        if entries is None:
            entries = state.calls[id(node)] = self._artifact_resolve(node)
        for entry in entries:
            if isinstance(entry, Escaped):
                if rule.code == "AIS403":
                    rule.report(node, _escaped_message(entry), severity=_escaped_severity(entry))
                continue
            for verdict in entry.verdicts:
                if verdict.code != rule.code:
                    continue
                # The engine's `line_of` computes positions for the statement at hand only.
                context_line_of = getattr(rule.context, "line_of", None)
                line = context_line_of(node) if context_line_of is not None else state.line_of(node)
                where = f"{rule.path}:{line}" if line else str(rule.path)
                rule.report(
                    node,
                    f"{verdict.message}; loaded by `{entry.loader}` at {where}",
                    severity=verdict.severity,
                    artifact={"path": entry.shown, "member": verdict.member, "content": verdict.content_key},
                )

    def _artifact_resolve(self, node: libcst.Call) -> tuple[Any, ...]:
        rule: Any = self
        qualified = rule.qualified_name(node.func)
        loader = LOADERS.get(qualified) if qualified else None
        if loader is None:
            return ()
        arg = rule.args.get(node, loader.keyword, loader.position)
        if arg is None or arg.star:
            return ()
        value = _Evaluator(rule, self._artifact_frames).value(arg.value)
        if value is None or value.kind not in loader.accepts:
            return ()
        return _locate(rule, qualified, value, loader.suffixes)


def _escaped_severity(entry: Escaped) -> Severity:
    """An absolute path (`/opt/ml/model/model.joblib`) is a deployment location, not a trick:
    info, so it is visible without failing the run. `..` and symlinks leading out: medium."""
    if entry.symlink_to is None and Path(entry.text).is_absolute():
        return Severity.INFO
    return Severity.MEDIUM


def _escaped_message(entry: Escaped) -> str:
    if entry.symlink_to is not None:
        what = f"`{entry.where}` is a symlink to `{entry.symlink_to}`, outside the repository"
    elif entry.text == entry.where:
        what = f"`{entry.text}` is outside the repository"
    else:
        what = f"`{entry.text}` resolves outside the repository, to `{entry.where}`"
    return (
        f"`{entry.loader}` loads a model file that aisec did not read: {what}. aisec never reads "
        "files outside the project root, so this artifact is unchecked; keep model files inside "
        "the project, or inspect it with `aisec check --artifacts-only FILE`"
    )
