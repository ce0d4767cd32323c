"""Positions of reported nodes, generated for the statement that holds them, not the whole module.

libcst computes positions by generating the code of the whole module with a position-tracking
state (`PositionProvider`), and `MetadataWrapper.resolve` walks the whole tree once more on top of
that. A finding needs the positions of a few nodes. `Positions` generates the code of one
statement that holds a reported node, with the tracking state starting at that statement's first
line and indentation: the top-level statement, or, inside classes and functions, the statement of
their body that holds the node (a test class of 3,000 lines is not generated for one call in one
of its methods). CPython's `ast` gives those first lines for free (`statement_lines`). The
generated code must equal the source text at that line, or the whole-module positions are used;
so the result is always what `PositionProvider` would say.

The same statement code lets a fix's diff be made by replacing that statement's text instead of
transforming and regenerating the whole module (`fixed_text`).
"""

from __future__ import annotations

import ast
import functools
import re
from itertools import accumulate
from typing import Any, Iterable, Iterator, NamedTuple, Sequence

_NEWLINE = re.compile(r"\r\n?|\n")  # what libcst counts as a line break
_LONE_CR = re.compile(r"\r(?!\n)")
_COMPOUND = tuple(
    getattr(ast, name)
    for name in (
        "FunctionDef", "AsyncFunctionDef", "ClassDef", "If", "For", "AsyncFor", "While", "With",
        "AsyncWith", "Try", "TryStar", "Match",
    )
    if hasattr(ast, name)
)  # fmt: skip
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
# Statements whose `body` (not their `else`, `except`, `finally` or `case` blocks) is a body of
# statements in libcst too: definitions, and the compound statements `Positions` may descend into
# for a node at one place (`Positions._units_holding`).
_BODIED = _DEFINITIONS + tuple(
    getattr(ast, name)
    for name in ("For", "AsyncFor", "While", "If", "With", "AsyncWith", "Try", "TryStar")
    if hasattr(ast, name)
)

# For each statement of a body, as libcst groups them (`a = 1; b = 2` is one statement): the line
# of its first token, and the same for its own body when it has one (`_BODIED`).
Lines = list[tuple[int, "Lines | None"]]


def statement_lines(body: Sequence[ast.stmt]) -> Lines:
    """`Lines` of a module's (or a class's, a function's) body, from CPython's tree."""
    lines: Lines = []
    previous_end, previous_simple = -1, False
    for statement in body:
        simple = not isinstance(statement, _COMPOUND)
        end = statement.end_lineno or statement.lineno
        if simple and previous_simple and statement.lineno == previous_end:
            previous_end = end
            continue  # `a = 1; b = 2`: one libcst statement
        first = statement.lineno
        for decorator in getattr(statement, "decorator_list", ()):
            first = min(first, decorator.lineno)
        inner = statement_lines(statement.body) if isinstance(statement, _BODIED) else None
        lines.append((first, inner))
        previous_end, previous_simple = end, simple
    return lines


class _Unit(NamedTuple):
    """The generated code of one statement (`Positions._generate`)."""

    offset: int  # where it starts in the text: the start of line `line`
    indents: tuple[str, ...]
    code: str
    spans: dict[int, Any]  # id(node) -> ((line, column), (line, column)): its `Span`
    line: int
    starts: dict[int, int]  # id(node) -> index in `tokens` of the first token of its code
    tokens: list[str]
    newlines: list[int]  # line breaks in the tokens before each index, made on first use
    end: int  # the line its last token ends on


def code_start(tokens: Sequence[str], newlines: list[int], index: int) -> tuple[int, int]:
    """Where a node whose generated code starts at token `index` starts: the index of the first
    token from there on that is not whitespace or a comment (the length of `tokens` when there is
    none), and the line breaks in the tokens before it. `newlines` is the caller's list of line
    breaks before each index, filled here on first use (by index: a slice per node is quadratic)."""
    while index < len(tokens) and not (tokens[index].strip() and not tokens[index].lstrip().startswith("#")):
        index += 1
    if not newlines:
        newlines.extend(accumulate((token.count("\n") for token in tokens), initial=0))
    return index, newlines[index]


class Positions:
    """Ranges of nodes of one module, statement by statement: a `Span`, or libcst's `CodeRange`
    when the whole module's positions answer (both have `start.line`, `start.column`, `end`)."""

    def __init__(self, module: Any, text: str, lines: Lines | None) -> None:
        self.module = module
        self.text = text
        self._lines = lines
        self._indexes: dict[int, dict[int, int]] = {}
        self._line_starts: list[int] | None = None
        self._units: dict[int, _Unit | None] = {}  # id(statement) -> its code (None: no luck)
        self._headers: dict[int, _Unit | None] = {}  # id(statement) -> its header's code (`_header`)
        self._whole: Any = None
        self._paths: dict[int, tuple[Any, ...]] | None = None
        self._shared: set[int] = set()  # ids of nodes met at more than one place (`_statement_paths`)
        self._lone_cr: bool | None = None  # a line break `\r` alone: SourceLines counts no line there

    def get(self, node: Any, path: Sequence[Any] = ()) -> Any:
        """The range of `node` (`Span` or `CodeRange`); `path` are the statements that hold it, outermost first.
        A node elsewhere (a step of a taint flow, reported with the sink's statements) is found
        in the statements that do hold it (`_holding`, learnt only then). Once they are known
        (a taint fact's line or a step elsewhere asked first), a node at one place is read off the
        smallest code of `path` too (`_units_holding`)."""
        if self._paths is None or id(node) in self._shared:
            units: Iterable[_Unit | None] = (self._unit(path),)
        else:
            units = self._units_holding(node, path)
        for generated in units:
            found = generated.spans.get(id(node)) if generated is not None else None
            if found is not None:
                return _code_range(*found)
        for generated in self._units_holding(node, self._holding(node, path)):
            found = generated.spans.get(id(node))
            if found is not None:
                return _code_range(*found)
        return self._module_positions()[node]

    def start_line(self, node: Any) -> int | None:
        """The line `taint.facts.SourceLines` gives `node` (that of the first token of its code
        that is not whitespace or a comment), read off the generated code of the statement that
        holds it (`_holding`, `_units_holding`) instead of the whole module's; None when it cannot
        be told here (a node of another tree, a statement whose code is not where `ast` said): the
        caller then asks the whole module. The same tokens start at the same line there: the
        statement's code is generated by the same codegen with the same indentation, and is
        checked to be the text at that line (`_generate`)."""
        if self._lone_cr is None:
            self._lone_cr = _LONE_CR.search(self.text) is not None
        if self._lone_cr:
            return None
        path = self._holding(node, ())
        if id(node) in self._shared:
            return None
        for unit in self._units_holding(node, path):
            index = unit.starts.get(id(node))
            if index is None:
                continue
            ahead, breaks = code_start(unit.tokens, unit.newlines, index)
            if ahead < len(unit.tokens):
                return unit.line + breaks
            # only whitespace after it here: a header's statement goes on; the whole module
            # would look past a whole statement
        return None

    def fixed_text(self, path: Sequence[Any], fix: Any) -> str | None:
        """The source with `fix` applied, made by replacing the text of the statement that holds
        the fix's nodes; None when that is not possible (the caller transforms the module)."""
        unit = self._unit_statement(path)
        generated = self._unit(path)
        if unit is None or generated is None:
            return None
        offset, indents, code, spans = generated[:4]
        if not all(id(old) in spans for old, _ in fix.edits):
            return None
        from libcst._nodes.internal import CodegenState

        from .fixes import replace_in

        new = replace_in(unit, [fix])
        if not hasattr(new, "_codegen"):  # the statement itself removed or split: not handled here
            return None
        state = CodegenState(
            default_indent=self.module.default_indent,
            default_newline=self.module.default_newline,
            indent_tokens=list(indents),
        )
        new._codegen(state)
        return self.text[:offset] + "".join(state.tokens) + self.text[offset + len(code) :]

    # ----- internals -----

    def _holding(self, node: Any, path: Sequence[Any]) -> Sequence[Any]:
        """The statements that hold `node`, outermost first, as the engine's walk stacks them;
        () when `path` already holds it or it is not in the module. Learnt for every node in one
        read-only walk, on the first node asked about that `path` does not hold: a few ms where
        generating the whole module's positions took about ten times as long."""
        if self._lines is None:
            return ()
        if self._paths is None:
            self._paths, self._shared = _statement_paths(self.module)
        found = self._paths.get(id(node), ())
        return () if tuple(found) == tuple(path) else found

    def _units_holding(self, node: Any, path: Sequence[Any]) -> Iterator[_Unit]:
        """The units to read `node` off, smallest first, `path` being the statements that hold it
        (`_holding`). A node at one place has the same range and line in any statement's code
        that holds it as in the whole module's, so it is read off the smallest: `path` is
        followed into the bodies of compound statements too (`if`, `for`, `with`, `try`: a node
        in a loop's body does not generate the whole loop), and where `path` ends at a compound
        statement or a definition (the node is in its header: a parameter, a decorator, a loop's
        iterable), that statement's header alone comes first (`_header`). A node at two places
        (`_shared`) is read off the unit of `path` as it was (its first place there)."""
        if not path:
            return
        if id(node) in self._shared:
            unit = self._unit(path)
            if unit is not None:
                yield unit
            return
        found = self._unit_and_line(path, deep=True)
        if found is None:
            return
        statement, line, indents, inner = found
        key = id(statement)
        if statement is path[-1] and key not in self._units:
            header = self._headers.get(key, False)
            if header is False:
                header = self._headers[key] = self._header(statement, line, indents, inner)
            if header is not None:
                yield header
        unit = self._unit_at(statement, line, indents)
        if unit is not None:
            yield unit

    def _unit_and_line(
        self, path: Sequence[Any], *, deep: bool = False
    ) -> tuple[Any, int, tuple[str, ...], Lines | None] | None:
        """The innermost statement of `path` whose first line is known, its line, indentation and
        the `Lines` of its body. Followed into the bodies of classes and functions, and with
        `deep` into those of compound statements too (`_units_holding`)."""
        import libcst as cst

        lines = self._lines
        body: Sequence[Any] = self.module.body
        parent: Any = self.module
        indents: list[str] = []
        found = None
        for statement in path:
            if lines is None or len(lines) != len(body):
                break
            index = self._index(parent, body).get(id(statement))
            if index is None:
                break
            line, inner = lines[index]
            found = (statement, line, tuple(indents), inner)
            block = getattr(statement, "body", None)
            if (
                inner is None
                or not isinstance(block, cst.IndentedBlock)
                or not (deep or isinstance(statement, (cst.FunctionDef, cst.ClassDef)))
            ):
                break
            indents.append(self.module.default_indent if block.indent is None else block.indent)
            lines, body, parent = inner, block.body, statement
        return found

    def _unit_statement(self, path: Sequence[Any]) -> Any:
        found = self._unit_and_line(path) if path else None
        return found[0] if found is not None else None

    def _unit(self, path: Sequence[Any]) -> _Unit | None:
        if not path or self._lines is None:
            return None
        found = self._unit_and_line(path)
        if found is None:
            return None
        return self._unit_at(*found[:3])

    def _unit_at(self, statement: Any, line: int, indents: tuple[str, ...]) -> _Unit | None:
        key = id(statement)
        if key not in self._units:
            self._units[key] = self._generate(statement, line, indents)
        return self._units[key]

    def _header(
        self, statement: Any, line: int, indents: tuple[str, ...], inner: Lines | None
    ) -> _Unit | None:
        """The code of a compound statement or definition up to its body (its leading lines,
        decorators and header, to the colon), or None. The header is checked as a whole
        statement is (`_generate`: it must be the text at the statement's line), and its end
        against `ast`: the body's first statement must start on the line after it, so the
        header is that of the statement `ast` put at that line, not one that only starts alike."""
        import libcst as cst

        block = getattr(statement, "body", None)
        if not isinstance(block, cst.IndentedBlock) or not inner or len(inner) != len(block.body):
            return None
        header = self._generate(statement, line, indents, stop=block)
        if header is None or inner[0][0] - _lines_before(block.body[0]) != header.end + 1:
            return None
        return header

    def _index(self, parent: Any, body: Sequence[Any]) -> dict[int, int]:
        index = self._indexes.get(id(parent))
        if index is None:
            index = self._indexes[id(parent)] = {id(statement): i for i, statement in enumerate(body)}
        return index

    def _generate(
        self, statement: Any, first_token_line: int, indents: tuple[str, ...], stop: Any = None
    ) -> _Unit | None:
        """The code of `statement` (up to `stop`, a node of it, when given), recording where
        its nodes are; None when it is not the text at its line."""
        try:
            recording = _recording_state()
        except ImportError:  # pragma: no cover - a libcst that moved it: whole-module positions
            return None
        start = first_token_line - _lines_before(statement)
        offset = self._offset_of_line(start)
        if offset is None:
            return None
        try:
            state = recording(self.module.default_indent, self.module.default_newline, list(indents), start)
            state.stop = stop
            try:
                statement._codegen(state)
            except _Stopped:
                pass
            code = "".join(state.tokens)
            spans = state.spans
        except (AttributeError, TypeError):  # pragma: no cover - libcst internals changed
            return None
        if self.text[offset : offset + len(code)] != code:
            return None  # not where `ast` said (or not at all): the whole module decides
        return _Unit(offset, indents, code, spans, start, state.starts, state.tokens, [], state.line)

    def _offset_of_line(self, line: int) -> int | None:
        if self._line_starts is None:
            self._line_starts = [0, *(match.end() for match in _NEWLINE.finditer(self.text))]
        if not 1 <= line <= len(self._line_starts):
            return None
        return self._line_starts[line - 1]

    def _module_positions(self) -> Any:
        if self._whole is None:
            from libcst.metadata.position_provider import PositionProvider

            try:  # the codegen pass alone: `MetadataWrapper.resolve` would also walk the tree
                provider = PositionProvider()
                provider._gen_impl(self.module)
                self._whole = provider._computed
            except (AttributeError, TypeError):  # pragma: no cover - libcst internals changed
                from libcst.metadata.wrapper import MetadataWrapper

                wrapper = MetadataWrapper(self.module, unsafe_skip_copy=True)
                self._whole = wrapper.resolve(PositionProvider)
        return self._whole


class Point(NamedTuple):
    """A position as libcst's `CodePosition` gives it: line one-based, column zero-based."""

    line: int
    column: int


class Span(NamedTuple):
    """A node's range as libcst's `CodeRange` gives it (the same attributes; not importing
    `libcst._position` saves the first file of a run about 0.5 ms)."""

    start: Point
    end: Point


def _lines_before(statement: Any) -> int:
    """Lines libcst writes before a statement's first token: its own leading blank and comment
    lines, and those of its first decorator."""
    before = len(statement.leading_lines)
    decorators = getattr(statement, "decorators", ())
    if decorators:
        before += len(decorators[0].leading_lines)
    return before


class _Stopped(Exception):
    """A header's code is complete: its statement's body is next (`Positions._header`)."""


def _code_range(start: tuple[int, int], end: tuple[int, int]) -> Span:
    return Span(Point(*start), Point(*end))


@functools.cache
def _recording_state() -> type:
    """libcst's position-tracking codegen state (`PositionProvidingCodegenState`), as this
    module needs it: it also records where each node's code starts among the tokens (`starts`),
    as `taint.facts.SourceLines` does for the whole module, and keeps each node's range as two
    (line, column) pairs by `id` (`spans`; made a `Span` when asked for)
    instead of a `CodeRange` in a `PositionProvider` for each node. Written here, not subclassed from
    libcst's: importing `libcst.metadata.position_provider` cost the first file of a run about
    1.3 ms, its state split every token with a regex to count line breaks (most tokens have
    none), and it made a `CodeRange` for every node of the statement where a few are asked for.
    The ranges are computed by the same rules (tests compare them with `PositionProvider`'s on
    real and generated sources)."""
    from libcst._nodes.internal import CodegenState

    class Recording(CodegenState):  # type: ignore[misc]
        def __init__(self, indent: str, newline: str, indent_tokens: list[str], line: int) -> None:
            super().__init__(default_indent=indent, default_newline=newline, indent_tokens=indent_tokens)
            self.line = line  # one-based
            self.column = 0
            self._stack: list[tuple[int, int]] = []
            self.spans: dict[int, tuple[tuple[int, int], tuple[int, int]]] = {}
            self.starts: dict[int, int] = {}  # id(node) -> index of its first token
            self.stop: Any = None  # the node where the code is cut off (`_Stopped`)

        def add_indent_tokens(self) -> None:
            self.tokens.extend(self.indent_tokens)
            for token in self.indent_tokens:
                self._update_position(token)

        def add_token(self, value: str) -> None:
            self.tokens.append(value)
            self._update_position(value)

        def _update_position(self, value: str) -> None:
            if "\n" not in value and "\r" not in value:
                self.column += len(value)
                return
            segments = _NEWLINE.split(value)
            self.line += len(segments) - 1
            self.column = len(segments[-1])

        def before_codegen(self, node: Any) -> None:
            if node is self.stop:
                raise _Stopped
            key = id(node)
            if key not in self.starts:  # a shared node: its first place
                self.starts[key] = len(self.tokens)
            self._stack.append((self.line, self.column))

        def after_codegen(self, node: Any) -> None:
            start = self._stack.pop()
            key = id(node)
            if key not in self.spans:  # a syntactic position recorded already is kept
                self.spans[key] = (start, (self.line, self.column))

        def record_syntactic_position(
            self, node: Any, *, start_node: Any = None, end_node: Any = None
        ) -> Syntactic:
            return Syntactic(self, node, start_node, end_node)

    class Syntactic:
        """`record_syntactic_position` of libcst's state as a plain context manager: the range
        of `node` from where the block starts to where it ends, or from the start of
        `start_node` and to the end of `end_node` when given (both recorded inside the block)."""

        __slots__ = ("end_node", "node", "start", "start_node", "state")

        def __init__(self, state: Recording, node: Any, start_node: Any, end_node: Any) -> None:
            self.state, self.node, self.start_node, self.end_node = state, node, start_node, end_node

        def __enter__(self) -> None:
            self.start = (self.state.line, self.state.column)

        def __exit__(self, *exc: object) -> None:
            if exc[0] is not None:  # cut off (`_Stopped`): the block's node has no range here
                return
            state, spans = self.state, self.state.spans
            start = spans[id(self.start_node)][0] if self.start_node is not None else self.start
            end = spans[id(self.end_node)][1] if self.end_node is not None else (state.line, state.column)
            spans[id(self.node)] = (start, end)

    return Recording


def _statement_paths(module: Any) -> tuple[dict[int, tuple[Any, ...]], set[int]]:
    """id(node) -> the statements that hold it, for every node but whitespace and punctuation
    (`walk.trivia_types`); the tuples are shared by the nodes of one statement. And the ids of
    nodes met twice (one object at two places: the last place is the one kept)."""
    from .names import STATEMENT_TYPES
    from .walk import trivia_types, walk

    paths: dict[int, tuple[Any, ...]] = {}
    shared: set[int] = set()
    stack: list[tuple[Any, ...]] = [()]

    def on_visit(node: Any) -> None:
        if type(node) in STATEMENT_TYPES:
            stack.append((*stack[-1], node))
        key = id(node)
        if key in paths:
            shared.add(key)
        paths[key] = stack[-1]

    def on_leave(node: Any) -> None:
        if type(node) in STATEMENT_TYPES:
            stack.pop()

    walk(module, on_visit, on_leave, trivia_types())
    return paths, shared
