"""Built-in output formats, registered through the same hook a team's formatter uses."""

from __future__ import annotations

from typing import Callable, Mapping

from aisec.hooks import hookimpl

from .github import format_github
from .gitlab import format_gitlab
from .json_format import format_json
from .sarif import format_sarif
from .text import format_concise, format_text


@hookimpl
def aisec_formatters() -> Mapping[str, Callable[..., str]]:
    return {
        "text": format_text,
        "concise": format_concise,
        "json": format_json,
        "sarif": format_sarif,
        "github": format_github,
        "gitlab": format_gitlab,
    }
