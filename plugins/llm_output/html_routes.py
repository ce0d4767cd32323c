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
        # `Markup(x)` is a sink of its own (a `Markup` filled with data escapes it: the engine)
        "markupsafe.Markup",
        "flask.Markup",
        "jinja2.Markup",
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


def gradio_html_handlers(names: Any, args: Any, module: libcst.Module) -> dict[str, frozenset[int]]:
    """The module's functions whose return value a Gradio `HTML` component shows: by name, the
    positions of the returned tuple that go to one (`outputs=[title, gr.HTML()]` shows element 1),
    `WHOLE` for a single output.

    The module's `Assign` and `Call` nodes are read with `aisec.walk.walk` (read-only, trivia
    skipped), not `CSTNode.visit`, which rebuilds every node it passes: the same nodes in the
    same order, without the cost (AIS303 asks for every module it is parsed for)."""
    from aisec.walk import trivia_types, walk

    components: set[str] = set()  # names bound to a `gr.HTML(...)`
    registrations: list[tuple[Any, Any]] = []  # (fn, outputs) expressions

    def visit(node: Any) -> None:
        kind = type(node)
        if kind is cst.Assign:
            if isinstance(node.value, cst.Call) and names.qualified(node.value.func) in _GRADIO_HTML:
                components.update(t.target.value for t in node.targets if isinstance(t.target, cst.Name))
        elif kind is cst.Call:
            func = node.func
            event = isinstance(func, cst.Attribute) and func.attr.value in _GRADIO_EVENTS
            if event or names.qualified(func) in _GRADIO_REGISTRARS:
                fn = args.get(node, "fn", 1 if names.qualified(func) == "gradio.on" else 0)
                outputs = args.get(node, "outputs", 2 if names.qualified(func) != "gradio.on" else 3)
                if fn is not None and outputs is not None:
                    registrations.append((fn.value, outputs.value))

    walk(module, visit, _nothing, trivia_types())

    def shows_html(output: Any) -> bool:
        if isinstance(output, cst.Name):
            return output.value in components
        if isinstance(output, cst.Call):
            return names.qualified(output.func) in _GRADIO_HTML
        return isinstance(output, cst.SimpleString) and output.evaluated_value == "html"

    def positions(outputs: Any) -> frozenset[int]:
        if isinstance(outputs, (cst.List, cst.Tuple)) and len(outputs.elements) != 1:
            return frozenset(i for i, element in enumerate(outputs.elements) if shows_html(element.value))
        if isinstance(outputs, (cst.List, cst.Tuple)):
            outputs = outputs.elements[0].value
        return frozenset({WHOLE}) if shows_html(outputs) else frozenset()

    handlers: dict[str, frozenset[int]] = {}
    for fn, outputs in registrations:
        shown = positions(outputs) if isinstance(fn, cst.Name) else frozenset()
        if shown:
            handlers[fn.value] = handlers.get(fn.value, frozenset()) | shown
    return handlers


WHOLE = -1  # `gradio_html_handlers`: the whole return value is shown


def _nothing(node: Any) -> None:
    """`walk`'s leave callback where only the visits matter."""


def text_like(
    names: Any,
    expr: libcst.BaseExpression | None,
    objects: frozenset[str] = frozenset(),
    helpers: frozenset[str] = frozenset(),
) -> bool:
    """A returned value the framework serves as the response body text: anything but a literal
    container, a JSON/template/redirect helper or a response object, called in place, bound
    to one of `objects` (`response_objects`) or returned by a call of one of `helpers`
    (`response_helpers`)."""
    if isinstance(expr, cst.Await):
        expr = expr.expression
    if expr is None or isinstance(expr, (cst.Dict, cst.List, cst.Tuple, cst.Set)):
        return False
    if isinstance(expr, cst.Name):
        return expr.value not in objects
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name) and expr.func.value in helpers:
        return False
    return not _not_body_call(names, expr)


def response_helpers(names: Any, module: libcst.Module) -> frozenset[str]:
    """The module's functions whose every `return` hands back a response object, a literal
    container or another such function's result (`def page(body): return HTMLResponse(body)`):
    a route returning their result serves no new text, the body was judged where the response
    was built. A name defined twice counts only if every definition does."""
    functions: dict[str, list[libcst.FunctionDef]] = {}
    for statement in module.body:
        if isinstance(statement, cst.FunctionDef):
            functions.setdefault(statement.name.value, []).append(statement)
    returns = {name: [_returned(func) for func in defs] for name, defs in functions.items()}
    # the names each function binds to response objects, walked for only where it returns a name
    objects = {
        id(values): response_objects(names, func)
        for name, defs in functions.items()
        for func, values in zip(defs, returns[name], strict=True)
        if any(isinstance(value, cst.Name) for value in values)
    }
    helpers: frozenset[str] = frozenset()
    while True:
        found = frozenset(
            name
            for name, each in returns.items()
            if all(
                values
                and not any(
                    text_like(names, value, objects.get(id(values), frozenset()), helpers) for value in values
                )
                for values in each
            )
        )
        if found == helpers:
            return helpers
        helpers = found


def _returned(func: libcst.FunctionDef) -> list[libcst.BaseExpression | None]:
    """The values `func`'s own `return` statements hand back (not those of nested functions,
    lambdas or classes); empty for a generator, whose caller gets the generator. Read with
    `aisec.walk.walk` (read-only), as `gradio_html_handlers`."""
    from aisec.walk import trivia_types, walk

    values: list[libcst.BaseExpression | None] = []
    generator = False

    def visit(node: Any) -> None:
        nonlocal generator
        kind = type(node)
        if kind is cst.Return:
            values.append(node.value)
        elif kind is cst.Yield:
            generator = True

    walk(func.body, visit, _nothing, trivia_types() | {cst.FunctionDef, cst.Lambda, cst.ClassDef})
    return [] if generator else values


def _not_body_call(names: Any, expr: libcst.BaseExpression) -> bool:
    if not isinstance(expr, cst.Call):
        return False
    qualified = names.qualified(expr.func)
    return qualified is not None and (qualified in _NOT_HTML_BODIES or qualified.endswith("Response"))


def response_objects(names: Any, handler: libcst.FunctionDef) -> frozenset[str]:
    """Names `handler` binds only to response objects (`resp = make_response(html)` before
    `resp.headers[...] = ...; return resp`): the object's body was judged where it was built (an
    HTML response is a sink of its own), so returning it serves nothing new. A name also bound to
    anything else (or by `+=`, `for`, `with`) is text."""

    class _Finder(cst.CSTVisitor):
        def __init__(self) -> None:
            super().__init__()
            self.objects: set[str] = set()
            self.other: set[str] = set()

        def visit_Assign(self, node: libcst.Assign) -> None:
            kind = self.objects if _not_body_call(names, node.value) else self.other
            for target in node.targets:
                if isinstance(target.target, cst.Name):
                    kind.add(target.target.value)
                else:
                    self._names(target.target)

        def visit_AnnAssign(self, node: libcst.AnnAssign) -> None:
            if (
                isinstance(node.target, cst.Name)
                and node.value is not None
                and _not_body_call(names, node.value)
            ):
                self.objects.add(node.target.value)
            else:
                self._names(node.target)

        def visit_AugAssign(self, node: libcst.AugAssign) -> None:
            self._names(node.target)

        def visit_For(self, node: libcst.For) -> None:
            self._names(node.target)

        def visit_AsName(self, node: libcst.AsName) -> None:
            self._names(node.name)

        def visit_NamedExpr(self, node: libcst.NamedExpr) -> None:
            self._names(node.target)

        def _names(self, target: libcst.BaseExpression) -> None:
            if isinstance(target, cst.Name):
                self.other.add(target.value)
            elif isinstance(target, (cst.Tuple, cst.List)):
                for element in target.elements:
                    self._names(element.value)
            elif isinstance(target, cst.StarredElement):
                self._names(target.value)

    finder = _Finder()
    handler.body.visit(finder)
    params = {p.name.value for p in handler.params.params + handler.params.kwonly_params}
    return frozenset(finder.objects - finder.other - params)
