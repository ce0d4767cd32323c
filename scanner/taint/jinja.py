"""Jinja2 environments that escape: what `Environment(autoescape=...)` turns on, and whether a
template it makes (`env.from_string(PAGE)`, `env.get_template("page.html")`) escapes the values
its `render(...)` fills in, so that model text rendered into a constant page by an autoescaping
environment is escaped HTML, not raw markup.

Owns reading the `autoescape=` setting (`True`, `select_autoescape(...)`) from the constructor's
syntax and judging one template call against it. Pure syntax: the engine keeps the setting on the
environment's value (`AUTOESCAPE` attribute) and asks here at each render.

May import: `syntax`."""

from __future__ import annotations

from typing import Any, Callable

import libcst as cst

from .syntax import keyword_arg

ENVIRONMENTS = frozenset(
    {
        "jinja2.Environment",
        "jinja2.environment.Environment",
        "jinja2.sandbox.SandboxedEnvironment",
        "jinja2.sandbox.ImmutableSandboxedEnvironment",
    }
)
RENDER_METHODS = frozenset({"render", "render_async", "generate", "generate_async", "stream"})
JINJA_RENDER = "jinja2.Template.render"  # the encoder an escaping render marks its values with
AUTOESCAPE = "autoescape"  # the attribute of an environment's value that holds its setting
EVERYTHING, STRINGS, HTML_FILES = "all", "strings", "html-files"
_SELECT = frozenset({"jinja2.select_autoescape", "jinja2.utils.select_autoescape"})
_HTML_SUFFIXES = (".html", ".htm", ".xml")  # select_autoescape's default enabled_extensions


def autoescape_setting(call: cst.Call, qualified: Callable[[Any], str | None]) -> str | None:
    """What the environment escapes: EVERYTHING (`autoescape=True`), the STRINGS and/or
    HTML_FILES `select_autoescape(...)` enables (comma-separated), or None (off, Jinja's default,
    or a setting not spelled as a constant)."""
    arg = keyword_arg(call, "autoescape")
    if arg is None:
        return None
    value = arg.value
    if isinstance(value, cst.Name):
        return EVERYTHING if value.value == "True" else None
    if not isinstance(value, cst.Call) or qualified(value.func) not in _SELECT:
        return None
    if _is_true(keyword_arg(value, "default")):
        return EVERYTHING
    enabled = []
    if not _is_false(keyword_arg(value, "default_for_string")):
        enabled.append(STRINGS)
    if keyword_arg(value, "enabled_extensions") is None and not any(a.keyword is None for a in value.args):
        enabled.append(HTML_FILES)
    return ",".join(enabled) or None


def escapes(setting: str | None, method: str, template_text: str | None) -> bool:
    """Whether a template the environment made with `method` (`from_string` of `template_text`,
    `get_template` of the name `template_text`) escapes the values rendered into it."""
    if not setting or template_text is None:
        return False
    modes = setting.split(",")
    if method == "from_string":
        return EVERYTHING in modes or STRINGS in modes
    if method == "get_template":
        return EVERYTHING in modes or (HTML_FILES in modes and template_text.lower().endswith(_HTML_SUFFIXES))
    return False


def _is_true(arg: cst.Arg | None) -> bool:
    return arg is not None and isinstance(arg.value, cst.Name) and arg.value.value == "True"


def _is_false(arg: cst.Arg | None) -> bool:
    return arg is not None and isinstance(arg.value, cst.Name) and arg.value.value == "False"
