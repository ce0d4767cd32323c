"""Whether a response is served as HTML, from the content type written in the code.

Some response classes are HTML only when told so (aiohttp `web.Response(content_type="text/html")`,
Starlette `Response(media_type=...)`), others unless told otherwise (Django `HttpResponse`, Flask
`Response`, Tornado `write`); a Lambda/API Gateway response dict is HTML when its headers say so.
Only literal content types are read (a string, or a media-type constant such as Litestar's
`MediaType.HTML`, read by its name): an unknown one keeps the response class's default.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any

from aisec.hooks import cst

from .catalog import HTML_IF_DECLARED

if TYPE_CHECKING:
    import libcst

_TYPE_KEYWORDS = ("content_type", "mimetype", "media_type")
_HEADER_NAMES = ("content-type",)
_MEDIA_TYPE_HOLDERS = frozenset({"MediaType", "falcon"})
_JSON_ENCODERS = frozenset({"json.dumps", "orjson.dumps", "ujson.dumps", "flask.json.dumps"})


def _text(node: Any) -> str | None:
    return node.evaluated_value if isinstance(node, cst.SimpleString) else None


def _media_type(node: Any) -> str | None:
    """A literal content type, or a media-type constant's name (Litestar `MediaType.HTML`, Falcon
    `falcon.MEDIA_HTML`: "html"); other names (a setting) are unknown."""
    if (
        isinstance(node, cst.Attribute)
        and isinstance(node.value, cst.Name)
        and node.value.value in _MEDIA_TYPE_HOLDERS
        and node.attr.value.isupper()
    ):
        return node.attr.value.lower()
    return _text(node)


def header_type(headers: Any) -> str | None:
    """The literal `Content-Type` of a headers dict literal (None: not written there)."""
    if not isinstance(headers, cst.Dict):
        return None
    for element in headers.elements:
        if isinstance(element, cst.DictElement):
            key = _text(element.key)
            if key is not None and key.lower() in _HEADER_NAMES:
                return _text(element.value)
    return None


def declared_type(call: libcst.Call) -> str | None:
    """The content type a response call declares: a keyword or a `headers=` dict literal."""
    for arg in call.args:
        if arg.keyword is None:
            continue
        if arg.keyword.value in _TYPE_KEYWORDS:
            return _media_type(arg.value)
        if arg.keyword.value == "headers":
            found = header_type(arg.value)
            if found is not None:
                return found
    return None


def served_as_html(pattern: str, call: libcst.Call) -> bool:
    """Whether the response built by `call` (a sink matched by `pattern`) is HTML."""
    declared = declared_type(call)
    if any(fnmatchcase(pattern, p) for p in HTML_IF_DECLARED):
        return declared is not None and "html" in declared.lower()
    return declared is None or "html" in declared.lower()


def json_text(names: Any, expr: Any) -> bool:
    """`json.dumps(...)`: a JSON document (its handler serves it as JSON)."""
    return isinstance(expr, cst.Call) and names.qualified(expr.func) in _JSON_ENCODERS


def sets_other_type(handler: Any) -> bool:
    """A Tornado handler method that sets a literal non-HTML Content-Type header
    (`self.set_header("Content-Type", "application/json")`) before writing."""

    class _Finder(cst.CSTVisitor):
        found = False

        def visit_Call(self, node: libcst.Call) -> None:
            func = node.func
            if not (isinstance(func, cst.Attribute) and func.attr.value in ("set_header", "add_header")):
                return
            values = [_text(arg.value) for arg in node.args[:2]]
            if len(values) == 2 and values[0] and values[0].lower() in _HEADER_NAMES and values[1]:
                self.found = self.found or "html" not in values[1].lower()

    if handler is None:
        return False
    finder = _Finder()
    handler.visit(finder)
    return finder.found


# Response objects given their body by attribute (Falcon `resp.text`/`resp.data`, Pyramid and WebOb
# `response.text`/`response.body`): HTML when the same object's `content_type` is set to it.
_BODY_ATTRIBUTES = frozenset({"text", "body", "data"})


def html_typed_objects(handler: Any) -> frozenset[str]:
    """The names in `handler` whose `content_type` is assigned a literal HTML type
    (`resp.content_type = falcon.MEDIA_HTML`, `response.content_type = "text/html"`)."""

    class _Finder(cst.CSTVisitor):
        def __init__(self) -> None:
            super().__init__()
            self.found: set[str] = set()

        def visit_Assign(self, node: libcst.Assign) -> None:
            kind = _media_type(node.value)
            for target in node.targets:
                name = _attribute_of(target.target, ("content_type",))
                if name is not None and kind is not None and "html" in kind.lower():
                    self.found.add(name)

    finder = _Finder()
    handler.visit(finder)
    return frozenset(finder.found)


def body_target(target: Any) -> str | None:
    """`resp` of a `resp.text = ...` (`.body`, `.data`) target: a body given by attribute, HTML
    when `resp` is one of the function's `html_typed_objects`."""
    return _attribute_of(target, _BODY_ATTRIBUTES)


def _attribute_of(target: Any, attributes: Any) -> str | None:
    """`name` of a `name.<attribute>` target whose attribute is one of `attributes`."""
    if (
        isinstance(target, cst.Attribute)
        and isinstance(target.value, cst.Name)
        and target.attr.value in attributes
    ):
        return target.value.value
    return None


def html_response_body(node: Any) -> Any:
    """The `body` of a response dict literal whose headers say text/html (AWS Lambda proxy and
    API Gateway responses, ASGI-style dicts), else None."""
    if not isinstance(node, cst.Dict):
        return None
    entries = {
        _text(element.key): element.value
        for element in node.elements
        if isinstance(element, cst.DictElement) and _text(element.key) is not None
    }
    declared = header_type(entries.get("headers"))
    if declared is None or "html" not in declared.lower():
        return None
    return entries.get("body")
