"""Web handlers whose return value is served as HTML: a Flask/Quart/Bottle view returning a string
(text/html by default) and a FastAPI route declared with `response_class=HTMLResponse`.

The AIS303 rule asks `html_route(names, args, func)` for each function it enters and, inside one,
`text_like(expr)` for each `return` value: a string the handler builds (f-string, `+`, a name,
a helper's or a markdown renderer's result) is served as markup; a dict, list, `jsonify(...)`,
`render_template(...)` (autoescaped) or a response object is not.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any

from aisec.hooks import cst

if TYPE_CHECKING:
    import libcst

# Decorators of views whose `str` return value is served as text/html.
_HTML_BY_DEFAULT = (
    "flask.Flask.route",
    "flask.Flask.get",
    "flask.Flask.post",
    "flask.Flask.put",
    "flask.Flask.patch",
    "flask.Flask.delete",
    "flask.Blueprint.*",
    "quart.Quart.*",
    "quart.Blueprint.*",
    *(f"bottle.{verb}" for verb in ("route", "get", "post", "put", "patch", "delete")),
    "bottle.Bottle.*",
)
# Decorators that serve JSON unless told otherwise (`response_class=`).
_JSON_BY_DEFAULT = ("fastapi.FastAPI.*", "fastapi.APIRouter.*", "starlette.applications.Starlette.route")
HTML_RESPONSES = frozenset({"fastapi.responses.HTMLResponse", "starlette.responses.HTMLResponse"})
# Calls whose result is not a body the view serves as HTML: JSON, templates (autoescaped),
# redirects, files, and response objects (the HTML ones are sinks of their own).
_NOT_HTML_BODIES = frozenset(
    {
        "flask.jsonify",
        "flask.json.jsonify",
        "flask.render_template",
        "flask.redirect",
        "flask.send_file",
        "flask.send_from_directory",
        "flask.abort",
        "flask.make_response",
        "flask.url_for",
        "quart.jsonify",
        "quart.render_template",
        "json.dumps",
        "builtins.dict",
        "builtins.list",
        "builtins.tuple",
    }
)
TRIGGERS = ("flask", "quart", "bottle", "response_class")


def html_route(names: Any, args: Any, func: libcst.FunctionDef) -> bool:
    """True when `func` is a view whose returned string the framework serves as HTML."""
    for decorator in func.decorators:
        expr = decorator.decorator
        callee = expr.func if isinstance(expr, cst.Call) else expr
        qualified = names.qualified(callee)
        if qualified is None:
            continue
        if any(fnmatchcase(qualified, pattern) for pattern in _HTML_BY_DEFAULT):
            return True
        if isinstance(expr, cst.Call) and any(fnmatchcase(qualified, p) for p in _JSON_BY_DEFAULT):
            response = args.get(expr, "response_class")
            if response is not None and names.qualified(response.value) in HTML_RESPONSES:
                return True
    return False


def text_like(names: Any, expr: libcst.BaseExpression | None) -> bool:
    """A returned value the framework serves as the response body text: anything but a literal
    container, a JSON/template/redirect helper or a response object."""
    if expr is None or isinstance(expr, (cst.Dict, cst.List, cst.Tuple, cst.Set)):
        return False
    if isinstance(expr, cst.Call):
        qualified = names.qualified(expr.func)
        return qualified is None or not (qualified in _NOT_HTML_BODIES or qualified.endswith("Response"))
    return True
