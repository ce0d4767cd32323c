"""What the engine hands each rule for one file, typed as protocols.

The engine implements these; rules only depend on the protocols, so a team's rule works with
any engine version that keeps this contract. Nothing here imports libcst.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Mapping, Protocol

if TYPE_CHECKING:
    from pathlib import Path

    import libcst

    from .taint import TaintFacts
    from .types import Fix


class UnknownValue:
    """Returned by `ArgHelper.constant` when an expression is not a literal constant."""

    _instance: UnknownValue | None = None

    def __new__(cls) -> UnknownValue:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False


UNKNOWN = UnknownValue()


class NameResolver(Protocol):
    """Resolves names to canonical dotted import paths using the file's own alias table."""

    def qualified(self, node: libcst.BaseExpression) -> str | None:
        """`np.load` -> `numpy.load`; `c.chat.completions.create` -> `openai.OpenAI.chat...`
        when `c = openai.OpenAI()`; builtins -> `builtins.eval`; None when unknown, and for an
        object a call returned (`tok` after `tok = AutoTokenizer.from_pretrained(...)`)."""
        ...

    def candidates(self, node: libcst.BaseExpression) -> tuple[str, ...]:
        """Every qualified name `node` may have (`qualified(node)` first, when it has one): a
        name bound on several paths (`try: import torch` / `except ImportError: import
        torch_npu as torch`) may be any of them (`Rule.qualified_name` picks the one a rule's
        catalog names)."""
        ...

    def returned_by(self, node: libcst.BaseExpression) -> str | None:
        """The qualified name of the callable whose result `node` holds (`tok` above ->
        `transformers.AutoTokenizer.from_pretrained`; `OpenAI()` -> `openai.OpenAI`), else None."""
        ...

    def assumed_import(self, node: libcst.BaseExpression) -> bool:
        """True when `node` resolves through a well-known module name the file never imports
        (`pickle.loads` in a snippet): `Rule.report` lowers such a call's confidence."""
        ...


class ArgHelper(Protocol):
    """Keyword/positional argument helpers for `libcst.Call` nodes."""

    def get(
        self, call: libcst.Call, keyword: str | None, position: int | None = None
    ) -> libcst.Arg | None: ...

    def constant(self, expr: libcst.BaseExpression | None) -> Any:
        """The Python value of a literal (str, bytes, int, float, bool, None), else UNKNOWN."""
        ...

    def is_true(self, call: libcst.Call, keyword: str, position: int | None = None) -> bool: ...

    def is_false(self, call: libcst.Call, keyword: str, position: int | None = None) -> bool: ...

    def has_star_kwargs(self, call: libcst.Call) -> bool:
        """True when `**kwargs` is passed, so any keyword might be set."""
        ...


class FixHelper(Protocol):
    """Builds `Fix` objects from common codemods."""

    def add_keyword(self, call: libcst.Call, name: str, value: str, *, safe: bool = False) -> Fix: ...

    def set_keyword(self, call: libcst.Call, name: str, value: str, *, safe: bool = False) -> Fix: ...

    def remove_keyword(self, call: libcst.Call, name: str, *, safe: bool = False) -> Fix: ...

    def replace(self, node: libcst.CSTNode, new_code: str, *, safe: bool = False, title: str = "") -> Fix: ...

    def replace_node(
        self, node: libcst.CSTNode, new_node: libcst.CSTNode, *, safe: bool = False, title: str = ""
    ) -> Fix: ...


class ProjectInfo(Protocol):
    """Facts about the scanned project, read lazily from its metadata files."""

    root: Path

    def requirement(self, distribution: str) -> Any:
        """The declared `packaging.specifiers.SpecifierSet` for a distribution, or None."""
        ...

    def requires_at_least(self, distribution: str, minimum: str) -> bool:
        """True when every version the project's declarations admit is >= `minimum`."""
        ...


class RuleContext(Protocol):
    """The per-file objects a rule receives (also exposed as attributes on the rule)."""

    path: str
    names: NameResolver
    args: ArgHelper
    fixes: FixHelper
    taint: TaintFacts
    project: ProjectInfo

    def options_for(self, code: str) -> Mapping[str, Any]: ...

    def add_report(self, rule: Any, node: Any, message: str, **kwargs: Any) -> None: ...

    def depends_on(self, path: str | Path) -> None:
        """Declare that this file's findings depend on another file (e.g. a model artifact the
        code loads): the result cache is reused only while that file's size, mtime and inode
        are unchanged."""
        ...

    def line_of(self, node: Any) -> int | None:
        """The 1-based line where `node` starts. Cheap for nodes inside the statement being
        visited (only that statement's positions are computed), correct for any node."""
        ...


class ArtifactInspector(Protocol):
    """What `aisec_artifact_inspectors()` returns: recognises and inspects model files.

    `inspect` returns issues with `code` (a rule code, or None for nothing to report),
    `severity`, `message` and `member` (the archive member or stream, or None).
    """

    def recognises(self, head: bytes) -> bool:
        """Whether a file starting with `head` (its first 512 bytes) is a candidate artifact."""
        ...

    def inspect(self, path: Path) -> Iterable[Any]: ...
