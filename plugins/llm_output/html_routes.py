"""Web handlers whose return value is served as HTML: a Flask/Quart/Bottle view returning a string
(text/html by default), a FastAPI route declared with `response_class=HTMLResponse`, and a Gradio
event handler whose output component is `gr.HTML`.

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
TRIGGERS = ("flask", "quart", "bottle", "response_class", "HTML")


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


# Gradio: a function registered for an event (`btn.click(fn, inputs, outputs)`, `gr.on(...)`,
# `gr.Interface(fn, inputs, outputs)`) whose output component is `gr.HTML` shows what it returns
# as HTML, unescaped.
_GRADIO_EVENTS = frozenset(
    {
        "click", "submit", "change", "input", "select", "upload", "load", "blur", "focus",
        "release", "then", "success", "stop", "clear", "like", "edit", "retry", "key_up",
    }
)  # fmt: skip
_GRADIO_REGISTRARS = frozenset({"gradio.on", "gradio.Interface", "gradio.interface.Interface"})
_GRADIO_HTML = frozenset({"gradio.HTML", "gradio.components.HTML"})


def gradio_html_handlers(names: Any, args: Any, module: libcst.Module) -> frozenset[str]:
    """Names of the module's functions whose return value a Gradio `HTML` component shows."""

    class _Finder(cst.CSTVisitor):
        def __init__(self) -> None:
            super().__init__()
            self.components: set[str] = set()  # names bound to a `gr.HTML(...)`
            self.registrations: list[tuple[Any, Any]] = []  # (fn, outputs) expressions

        def visit_Assign(self, node: libcst.Assign) -> None:
            if isinstance(node.value, cst.Call) and names.qualified(node.value.func) in _GRADIO_HTML:
                self.components.update(t.target.value for t in node.targets if isinstance(t.target, cst.Name))

        def visit_Call(self, node: libcst.Call) -> None:
            func = node.func
            event = isinstance(func, cst.Attribute) and func.attr.value in _GRADIO_EVENTS
            if event or names.qualified(func) in _GRADIO_REGISTRARS:
                fn = args.get(node, "fn", 1 if names.qualified(func) == "gradio.on" else 0)
                outputs = args.get(node, "outputs", 2 if names.qualified(func) != "gradio.on" else 3)
                if fn is not None and outputs is not None:
                    self.registrations.append((fn.value, outputs.value))

    finder = _Finder()
    module.visit(finder)

    def shows_html(outputs: Any) -> bool:
        if isinstance(outputs, (cst.List, cst.Tuple)) and len(outputs.elements) == 1:
            outputs = outputs.elements[0].value
        if isinstance(outputs, cst.Name):
            return outputs.value in finder.components
        if isinstance(outputs, cst.Call):
            return names.qualified(outputs.func) in _GRADIO_HTML
        return isinstance(outputs, cst.SimpleString) and outputs.evaluated_value == "html"

    return frozenset(
        fn.value for fn, outputs in finder.registrations if isinstance(fn, cst.Name) and shows_html(outputs)
    )


def text_like(names: Any, expr: libcst.BaseExpression | None) -> bool:
    """A returned value the framework serves as the response body text: anything but a literal
    container, a JSON/template/redirect helper or a response object."""
    if expr is None or isinstance(expr, (cst.Dict, cst.List, cst.Tuple, cst.Set)):
        return False
    if isinstance(expr, cst.Call):
        qualified = names.qualified(expr.func)
        return qualified is None or not (qualified in _NOT_HTML_BODIES or qualified.endswith("Response"))
    return True
