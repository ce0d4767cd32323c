"""Model output written into a source file: code a later step runs or imports.

Agents that "write then run" put the model's code into `gen.py` and start it with `python
gen.py` or import it, steps aisec cannot connect by dataflow. The write itself is the place to
report: a file whose name ends in a code suffix (a literal, or a module constant), written with
`open(name, "w")` (`with ... as f: f.write(text)`, `f.writelines(...)`) or
`pathlib.Path(name).write_text(text)`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aisec.hooks import cst

if TYPE_CHECKING:
    import libcst

CODE_SUFFIXES = (".py", ".pyw", ".sh", ".bash", ".zsh", ".ps1", ".bat", ".cmd", ".js", ".mjs", ".rb", ".pl")
_WRITERS = ("write", "writelines")
TRIGGERS = ("write",)


class CodeFileWrites:
    """Tracks `with open("<code file>", "w") as f` names and finds writes into code files."""

    def __init__(self, names: Any, args: Any) -> None:
        self.names = names
        self.args = args
        self.handles: dict[str, str] = {}  # with-as name -> the code file it writes

    def enter_with(self, node: libcst.With) -> None:
        for item in node.items:
            target = item.asname.name if item.asname is not None else None
            if isinstance(target, cst.Name) and isinstance(item.item, cst.Call):
                path = self._opened_code_file(item.item)
                if path is not None:
                    self.handles[target.value] = path
                else:
                    self.handles.pop(target.value, None)

    def written(self, call: libcst.Call) -> tuple[str, libcst.BaseExpression] | None:
        """(file name, written text) when `call` writes text into a code file."""
        func = call.func
        if not isinstance(func, cst.Attribute) or not call.args or call.args[0].keyword is not None:
            return None
        text = call.args[0].value
        receiver = func.value
        if func.attr.value in _WRITERS:
            if isinstance(receiver, cst.Name) and receiver.value in self.handles:
                return self.handles[receiver.value], text
            if isinstance(receiver, cst.Call):
                path = self._opened_code_file(receiver)
                return (path, text) if path is not None else None
        if (
            func.attr.value == "write_text"
            and isinstance(receiver, cst.Call)
            and receiver.args
            and self.names.qualified(receiver.func) in ("pathlib.Path", "pathlib.PurePath")
        ):
            path = self._code_file(receiver.args[-1].value)
            return (path, text) if path is not None else None
        return None

    def _opened_code_file(self, call: libcst.Call) -> str | None:
        """`open("<code file>", "w"/"a"/"x"...)` -> the file name."""
        if self.names.qualified(call.func) not in ("builtins.open", "io.open"):
            return None
        path = self.args.get(call, "file", 0)
        mode = self.args.get(call, "mode", 1)
        mode_value = self.args.constant(mode.value) if mode is not None else "r"
        if path is None or not isinstance(mode_value, str) or not set(mode_value) & set("wax"):
            return None
        return self._code_file(path.value)

    def _code_file(self, expr: libcst.BaseExpression) -> str | None:
        value = self.args.constant(expr)
        if isinstance(expr, cst.FormattedString) and expr.parts:
            last = expr.parts[-1]
            value = last.value if isinstance(last, cst.FormattedStringText) else None
        if isinstance(value, str) and value.lower().endswith(CODE_SUFFIXES):
            return value
        return None
