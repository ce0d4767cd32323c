"""Model-artifact inspection (AIS401-AIS403): pickle streams in model files, never unpickled.

Public API (what the engine calls):

    from aisec.plugins.artifacts import inspect_file, Limits, ArtifactVerdict, Status
    verdicts = inspect_file(path, Limits.from_config(table), extra_allow=table.get("allow", ()))

or, through the plugin manager, the object returned by `aisec_artifact_inspectors()`:
`inspector.inspect(path, limits, extra_allow) -> list[ArtifactVerdict]`.

Load calls in code (`torch.load("m.pt")`, `pickle.load(open(...))`, ...) are resolved to the
artifacts they read by `references.ArtifactReferences`, the visitor methods of the three rules.
`[tool.aisec.artifacts]` (limits, allow, roots) arrives through `aisec_configure` and is kept in
`references.SETTINGS` for both paths.

Importing this package stays cheap: the inspector modules (and fickling) load on first use.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from aisec.hooks import Rule, hookimpl

from .references import SETTINGS
from .rules import ARTIFACT_RULES, ArtifactNotInspected, MaliciousPickleArtifact, PickleArtifact
from .verdict import ArtifactVerdict, Limits, Status, Verdict

if TYPE_CHECKING:
    from .inspect import ArtifactInspector

__all__ = [
    "ArtifactInspector",
    "ArtifactNotInspected",
    "ArtifactVerdict",
    "Limits",
    "MaliciousPickleArtifact",
    "PickleArtifact",
    "Status",
    "Verdict",
    "inspect_file",
]


def inspect_file(path: Any, limits: Limits | None = None, extra_allow: Any = ()) -> list[ArtifactVerdict]:
    """See `aisec.plugins.artifacts.inspect.inspect_file`."""
    from .inspect import inspect_file as _inspect_file

    return _inspect_file(path, limits, extra_allow)


def __getattr__(name: str) -> Any:
    if name == "ArtifactInspector":
        from .inspect import ArtifactInspector

        return ArtifactInspector
    raise AttributeError(name)


@hookimpl
def aisec_rules() -> list[type[Rule]]:
    return list(ARTIFACT_RULES)


@hookimpl
def aisec_configure(config: Mapping[str, Any]) -> None:
    """Keep `[tool.aisec.artifacts]` (already validated by the engine) for this run."""
    table = config.get("artifacts") if isinstance(config, Mapping) else None
    SETTINGS.configure(table if isinstance(table, Mapping) else None)


class _LazyInspector:
    """Forwards to `inspect.ArtifactInspector`, imported on first use."""

    name = "pickle-artifacts"

    def inspect(
        self, path: Any, limits: Limits | None = None, extra_allow: Any = None
    ) -> list[ArtifactVerdict]:
        """Inspect one file; limits and allowlist default to the configured ones."""
        return inspect_file(
            path,
            SETTINGS.limits if limits is None else limits,
            SETTINGS.allow if extra_allow is None else extra_allow,
        )

    @staticmethod
    def recognises(head: bytes) -> bool:
        from .inspect import ArtifactInspector

        return ArtifactInspector.recognises(head)


@hookimpl
def aisec_artifact_inspectors() -> list[Any]:
    return [_LazyInspector()]
