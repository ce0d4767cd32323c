"""Built-in output formats, registered through the same hook a team's formatter uses.

Only the text formats are imported with the plugin: a run prints text unless asked otherwise,
so the other formats' modules (SARIF's imports `urllib`) load when a run first renders one.
"""

from __future__ import annotations

import importlib
from typing import Any, Callable, Mapping

from aisec.hooks import hookimpl

from .text import format_concise, format_text


def _on_first_use(module: str, function: str) -> Callable[..., str]:
    """The formatter `function` of this package's `module`, imported when first called."""

    def render(*args: Any, **kwargs: Any) -> str:
        return getattr(importlib.import_module(f"{__name__}.{module}"), function)(*args, **kwargs)

    render.__name__ = render.__qualname__ = function
    return render


@hookimpl
def aisec_formatters() -> Mapping[str, Callable[..., str]]:
    return {
        "text": format_text,
        "concise": format_concise,
        "json": _on_first_use("json_format", "format_json"),
        "sarif": _on_first_use("sarif", "format_sarif"),
        "github": _on_first_use("github", "format_github"),
        "gitlab": _on_first_use("gitlab", "format_gitlab"),
    }
