"""Scanning one file: decode, prefilter, parse once, one traversal for all rules, findings.

Everything that can be decided per run (which rules are on, their dispatch tables, options) is
decided once in `FileScanner.__init__`; the per-file path does only what the file needs.
libcst is imported on the first file that passes the prefilter, never before.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import functools
import gc
import io
import os
import signal
import sys
import threading
import tokenize
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Sequence

from aisec.hooks import (
    TAINT_SINKS,
    TAINT_SOURCES,
    Applicability,
    Confidence,
    Finding,
    Fix,
    FixInfo,
    Location,
    RelatedLocation,
    Rule,
    ScanError,
    Severity,
)

from .diagnostics import INCOMPLETE_ANALYSIS, PARSE_ERROR, UNUSED_SUPPRESSION
from .findings import assign_fingerprints
from .lifetime import freezes_allowed
from .parallel import deadline_paused
from .prefilter import MARKER_PREFIX, TextLookup, rules_for_text, searchable
from .regexes import compiled
from .suppressions import Suppression, find_suppressions, suppression_for

# Per-file budgets, checked before the step they protect (see `budget_problem`). Real files stay far
# below them; hostile ones (a 4 MB list literal made libcst use 8 GB) become AIS001 at high
# severity ("not fully checked"), so they fail the gate instead of passing unchecked.
MAX_SOURCE_BYTES = 8 * 1024 * 1024  # bytes read (at most one more is read to tell)
MAX_TOKENS = 200_000  # counted before CPython parses a text longer than this many characters
MAX_NODES = 100_000  # CPython tree nodes before libcst parses (libcst needs ~4 KB per node)
MAX_DEPTH = 1_000  # nesting as libcst builds it (`a or b or c` nests per operand)
DEFAULT_TIME_BUDGET = 20.0  # seconds per file; `file-timeout-seconds` in config
MAX_FIX_ROUNDS = 4
INDEX_AFTER = 32  # texts gated before the run's token index is made (`_gate_index`)


@dataclass
class FileResult:
    """What scanning one file produced."""

    path: str
    findings: list[Finding] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)
    parsed: bool = False
    skipped_by_prefilter: bool = False
    screened: bool = False  # CPython parsed it for the call screen (worth caching even if skipped)
    lines: list[str] | None = None  # kept only when there are findings (code frames)
    # a cached result's lines, made only when a formatter asks for them (`aisec.sources`)
    source: Callable[[], list[str] | None] | None = None
    fixed_source: str | None = None  # set when fixes changed the file
    encoding: str = "utf-8"
    fixed_count: int = 0
    cached: bool = False
    warnings: list[str] = field(default_factory=list)  # said on stderr, change no exit code
    # Other files the findings depend on (path -> (size, mtime_ns, inode)); see depends_on().
    dependencies: dict[str, tuple] = field(default_factory=dict)  # path -> (size, mtime, inode[, digest])
    stamp: list[int] | None = None  # the file's stat before it was read, for the stamp index (stamps.py)


@dataclass
class _PendingReport:
    rule: Rule
    node: Any
    message: str
    fix: Fix | None
    severity: Severity | None
    confidence: Confidence | None
    statement: Any
    artifact: Mapping[str, Any] | None = None
    path: tuple[Any, ...] = ()  # the statements that hold the node, outermost first (positions)
    related: tuple[tuple[Any, str], ...] = ()  # (node, message) along a flow


class FileTimeout(BaseException):
    """The file's time budget ran out (raised by the SIGALRM handler of `time_budget`). A
    BaseException, so that no `except Exception` in a rule or the engine swallows it."""


def _can_alarm(seconds: float | None) -> bool:
    """A budget is set and SIGALRM can enforce it."""
    return bool(seconds) and _timers_here()


def _timers_here() -> bool:
    """SIGALRM timers work here: a platform with them, in the main thread."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def time_budget(seconds: float | None) -> Iterator[None]:
    """Raise FileTimeout in the body after `seconds` of wall time. Only in the main thread of a
    process with SIGALRM (elsewhere a no-op: the parallel pool also kills overdue workers)."""
    if not _can_alarm(seconds):
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise FileTimeout()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection in the body. An `ast` tree has no cycles (its nodes point only
    at their children) and is freed by reference counting when dropped, but building one allocates
    a hundred thousand objects, and each 700 allocations make the collector traverse the young
    ones; as they survive into the oldest generation they also bring on full collections of the
    whole heap (the project's summaries included). transformers: 105 full collections a cold scan,
    38 with the parse guard and its screens run paused."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@contextlib.contextmanager
def imported_for_good(module: str) -> Iterator[None]:
    """The body imports `module` (and what it needs); the first time it does, everything alive
    after the body leaves the cyclic collector's reach for good (`gc.freeze`).

    libcst (about 230 node classes with their methods) and the taint engine are imported on the
    first file that needs them, inside `collector_paused`, so all their objects are still in the
    youngest generation when collection resumes: the next collections traversed them all, about
    11 ms of CPU of a run that re-checks one changed file (langchain: the collector's time went
    from 19 to 8 ms, the same as a run that checks nothing). They live as long as the process,
    so there was nothing to find. Freezing is done once per module (`gc.freeze` costs nothing
    itself); garbage cycles that exist at that moment are frozen with them, which is 0 to 44
    objects at these two points on the three corpora (the parse and the name table make none)."""
    first = module not in sys.modules
    yield
    if first:
        gc.freeze()


_DONE_ONCE: set[str] = set()


@contextlib.contextmanager
def first_in_process(step: str) -> Iterator[None]:
    """The body runs `step`; the first time in a console-script run's process
    (`lifetime.freezes_allowed`), everything alive after it leaves the cyclic collector's reach
    for good (`gc.freeze`): the first screened file makes what the process keeps (the trigger
    table's catalog facts, the screens, their modules), all in the youngest generation, and the
    next collections traversed it all for nothing (FastChat, one file changed: 1.3 ms of the
    collector's 2.3). Like `lifetime.started`, garbage cycles that exist at that moment are
    frozen with them: a few, at most, in a process that only screened its first file."""
    first = step not in _DONE_ONCE
    yield
    if first:
        _DONE_ONCE.add(step)
        if freezes_allowed():
            gc.freeze()


@contextlib.contextmanager
def budget_paused() -> Iterator[None]:
    """Stop the file's clock (`time_budget`, and the parallel pool's deadline) for the body:
    summarising the project's other modules for the file is not the file's cost, and is bounded
    by the summaries' own budgets (`taint.project.CYCLE_COST`, each module's steps: AIS005).
    Nested pauses are one (the inner finds the clock stopped)."""
    if not _timers_here():
        yield
        return
    remaining, _ = signal.setitimer(signal.ITIMER_REAL, 0)
    if not remaining:
        yield
        return
    try:
        with deadline_paused():
            yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, remaining)


_TOKEN = r"\w+|[^\w\s]"  # compiled (`compiled`) for the first text longer than MAX_TOKENS


def budget_problem(text: str) -> str | None:
    """Why CPython should not even parse `text` (too many tokens), or None."""
    if len(text) <= MAX_TOKENS:
        return None
    for count, _ in enumerate(compiled(_TOKEN).finditer(text), start=1):
        if count > MAX_TOKENS:
            return f"over {MAX_TOKENS:,} tokens"
    return None


def tree_problem(tree: ast.Module, text: str) -> str | None:
    """Why libcst should not parse the source of `tree` (too many nodes, or nested deeper than
    its parser survives: it has no depth limit and crashes the process), or None. Small files
    without long `and`/`or` chains cannot exceed either budget and are not walked."""
    if len(text) * 2 < MAX_NODES and text.count(" or ") + text.count(" and ") < MAX_DEPTH // 2:
        return None
    nodes = 0
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    pop, push, node_fields = stack.pop, stack.append, _NODE_FIELDS
    while stack:
        node, depth = pop()
        nodes += 1
        if nodes > MAX_NODES:
            return f"over {MAX_NODES:,} syntax nodes"
        if depth > MAX_DEPTH:
            return f"nested over {MAX_DEPTH:,} levels deep"
        kind = type(node)
        fields = node_fields.get(kind)
        if fields is None:
            fields = node_fields[kind] = tuple(f for f in kind._fields if f not in _SCALAR_FIELDS)
        depth += len(node.values) if kind is ast.BoolOp else 1
        for name in fields:  # the children `ast.iter_child_nodes` gives, in its order
            value = getattr(node, name, None)
            if isinstance(value, ast.AST):
                push((value, depth))
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        push((item, depth))
    return None


# Fields `ast.parse` fills with a string, a number or None, never a node (`tree_problem` skips them)
_SCALAR_FIELDS = frozenset(
    {
        "id",
        "attr",
        "name",
        "asname",
        "module",
        "level",
        "arg",
        "kind",
        "type_comment",
        "is_async",
        "conversion",
    }
)
_NODE_FIELDS: dict[type, tuple[str, ...]] = {ast.Constant: ()}  # a constant's value is never a node


# Never swallowed as a rule's failure: the user's Ctrl-C and the file's time budget.
_FATAL = (KeyboardInterrupt, FileTimeout)


class RuleTimeout(Exception):
    """A rule's callback ran past the file's time budget."""

    def __init__(self, seconds: float | None) -> None:
        super().__init__(f"did not finish within {seconds:g} s")


def restart_budget(seconds: float | None) -> None:
    """Give the rest of the file a fresh time budget (after the rule that used it up is dropped)."""
    if _can_alarm(seconds):
        signal.setitimer(signal.ITIMER_REAL, seconds)


def _visitor_names(rule: type[Rule]) -> tuple[dict[str, str], dict[str, str]]:
    """Node type name -> method name, for `visit_X` and `leave_X` methods of a rule class."""
    visits, leaves = {}, {}
    for attr in dir(rule):
        if attr.startswith("visit_") and attr.count("_") == 1:
            visits[attr[6:]] = attr
        elif attr.startswith("leave_") and attr.count("_") == 1:
            leaves[attr[6:]] = attr
    return visits, leaves


def has_visitors(rule: type[Rule]) -> bool:
    visits, leaves = _visitor_names(rule)
    return bool(visits or leaves)


class FileScanner:
    """Scans files with a fixed set of enabled rules (built once per run)."""

    def __init__(
        self,
        rules: Sequence[type[Rule]],
        *,
        rule_plugins: Mapping[str, str],
        options: Mapping[str, Mapping[str, Any]],
        project: Any,
        per_file_ignores: Mapping[str, Sequence[str]] | None = None,
        use_prefilter: bool = True,
        warn_unused_ignores: bool = False,
        show_suppressed: bool = False,
        want_fix_diffs: bool = False,
        known_codes: frozenset[str] = frozenset(),
        root: Path | None = None,
        cwd: Path | None = None,
        taint_catalog: Any = None,
        time_budget: float | None = DEFAULT_TIME_BUDGET,
    ) -> None:
        self.time_budget = time_budget
        self.running: type[Rule] | None = None  # the rule whose callback runs (blamed for a timeout)
        self.enabled_codes = frozenset(rule.code for rule in rules)
        self.parsing_rules = [rule for rule in rules if has_visitors(rule)]
        self._taint_readers = frozenset(rule for rule in self.parsing_rules if _reads_taint(rule))
        self.rule_plugins = rule_plugins
        self.options = options
        self.project = project
        self.per_file_ignores = per_file_ignores or {}
        self.use_prefilter = use_prefilter
        self.warn_unused_ignores = warn_unused_ignores
        self.show_suppressed = show_suppressed
        self.want_fix_diffs = want_fix_diffs
        self.known_codes = known_codes or self.enabled_codes
        # A suppression can only matter if it lists one of these (`find_suppressions`).
        self._code_prefixes = frozenset(
            code[:end] for code in self.known_codes for end in range(1, len(code) + 1)
        )
        # per-file-ignores patterns are relative to the project root, not to the current folder
        self.root = root
        self.cwd = cwd
        self._tables: dict[type[Rule], tuple[dict[type, str], dict[type, str]]] = {}
        self._rule_meta = {rule.code: rule for rule in rules}
        # After the token gate, an `ast` pass keeps the rules whose `qualified_names` match a call
        # (`screen.CallScreen`, built when a file first passes the token gate).
        self._screen: Any = None
        self._identifier_screen: Any = None
        self._word_screen: Any = None  # made with `_identifier_screen`
        self._token_index: Any = None  # `_gate_index`
        self._gated = 0  # texts gated without it
        # The run's merged `aisec.hooks.TaintCatalog` (None: no taint rules, an empty catalog); its
        # source/sink tokens are what the prefilter markers of taint rules stand for.
        self.taint_catalog = taint_catalog
        self._project_modules: Any = None
        # Where the taint summaries of the project's modules are cached (`get_record`/`put_record`
        # of `cache.ResultCache`); None: summarised afresh in each run.
        self.summary_store: Any = None
        # In a pool worker: the run's files, whose imports it summarises while its own wait for
        # summaries another worker makes (`share_spare_time`); None: never such spare work.
        self._spare_files: list[Path] | None = None
        # Called once, before the taint catalog's facts are first needed: takes them from the
        # run's signed trigger table when it has a valid one (`run.TableFacts.adopt`).
        self.before_catalog: Callable[[], None] | None = None

    @functools.cached_property
    def _trigger_expansions(self) -> Any:
        """What the taint rules' prefilter markers stand for; made when a file is first checked
        (about 10 ms: a warm run that checks nothing does not pay for it)."""
        if self.taint_catalog is None:
            return None
        if self.before_catalog is not None:
            self.before_catalog()
        return self.taint_catalog.trigger_expansions()

    # ----- public -----

    def scan_bytes(self, path: str, data: bytes, fix: Applicability | None = None) -> FileResult:
        """Scan one file's bytes. With `fix`, apply fixes up to that safety and re-scan. A file
        over its time budget is AIS001 (not fully checked), or an error naming the rule that was
        running."""
        result = FileResult(path)
        self.running = None
        try:
            with time_budget(self.time_budget):
                self._scan_bytes(path, data, fix, result)
        except FileTimeout:
            rule, self.running = self.running, None
            result.fixed_source = None
            if rule is not None:
                result.errors.append(
                    self.rule_error(path, rule, f"did not finish within {self.time_budget:g} s")
                )
            else:
                self._parse_error(result, path, 1, f"over the {self.time_budget:g} s time budget")
        return result

    def rule_error(self, path: str, rule: type[Rule], what: str) -> ScanError:
        """The error entry of a rule that failed on a file: names the plugin, the rule and the file."""
        plugin = self.rule_plugins.get(rule.code, "?")
        return ScanError(
            path,
            f"plugin {plugin!r}, rule {rule.code} {what} (report it to the plugin's authors, or disable the rule)",
        )

    def _scan_bytes(self, path: str, data: bytes, fix: Applicability | None, result: FileResult) -> None:
        text = self._decode(path, data, result)
        if text is None:
            return
        cells: list[int] | None = None
        if path.endswith(".ipynb"):
            from .notebooks import NotebookError, notebook_code

            try:
                text, cells = notebook_code(text)
            except NotebookError as exc:
                self._parse_error(
                    result, path, 1, f"{exc}; fix or exclude the notebook", severity=Severity.LOW
                )
                return
            fix = None  # fixes would have to be written back into the JSON: not offered
        self._scan_checked_text(path, text, result, fix)
        if cells:
            result.findings = [_with_cell(finding, path, cells) for finding in result.findings]

    def _scan_checked_text(self, path: str, text: str, result: FileResult, fix: Applicability | None) -> None:
        """Prefilter, then parse and run the rules on decoded source text."""
        ignored = self._ignored_codes(path)
        candidates = [r for r in self.parsing_rules if r.code not in ignored]
        found = TextLookup(searchable(text), self._trigger_expansions, self._gate_index())
        notices = self._unfollowed_imports(path, text, candidates, found, result)
        python: _PythonParse | None = None
        if self.use_prefilter:
            # Screened without cyclic collection: what the screens allocate is a file's words
            # and `ast` tree (freed by reference counting), and on a process's first file the
            # catalog facts read from the trigger table, the screens and their modules, kept
            # for the process (FastChat: about 20 collections, ~1.5 ms, traversed them there).
            # Cycles made here, if any, are collected after; those kept for the process leave
            # the collector's reach after the first file (as `imported_for_good` does).
            with collector_paused(), first_in_process("screens"):
                candidates, python = self._screened(path, text, candidates, found, result)
        if not candidates:
            result.skipped_by_prefilter = True
            self._unused_without_parse(path, text, ignored, result)
            result.findings.extend(notices)
            return
        # Parsed, walked and analysed without cyclic garbage collection: what they allocate is
        # live until the file is done and then freed by reference counting (a tree and its
        # analysis have no cycles but a few closures and each module's classes and methods),
        # so a collection every 700 allocations only traversed the file's own live objects
        # (langchain cold scan: 1.4 s of the collector). What is left is collected after it.
        with collector_paused():
            self._scan_text(path, text, candidates, ignored, result, fix, python)
        result.findings.extend(notices)

    def _unfollowed_imports(
        self, path: str, text: str, enabled: list[type[Rule]], found: TextLookup, result: FileResult
    ) -> list[Finding]:
        """AIS005 for a file whose calls into the project are read as library calls (its imports
        reach too far: `ProjectModules.unfollowed`), decided before the prefilter and added
        after the scan (a fix round clears the findings), so the same whether the file is
        screened out, parsed, or checked with `--no-prefilter`. Only for a file that spells a
        source as the token gate reads it (`found`), where a flow through the project would
        start, as `_through_imports` and the fast path read it. The result does not depend on
        the files it imports: the notice turns on the whole import graph, which no file's stamp
        stands for, and their stamps made every importer of a package's `__init__.py` a miss
        when it was touched (2,500 files of transformers, 9 s); a notice kept after the graph
        changed only errs on the side of saying so (see `ProjectModules.unfollowed`)."""
        if "import" not in text or not any(rule in self._taint_readers for rule in enabled):
            return []
        if not found.any_in((TAINT_SOURCES,)):
            return []
        project = self.project_modules()
        reason = project.unfollowed(path, text) if project is not None else None
        return self._incompleteness(path, reason) if reason is not None else []

    def _screened(
        self, path: str, text: str, candidates: list[type[Rule]], found: TextLookup, result: FileResult
    ) -> tuple[list[type[Rule]], _PythonParse | None]:
        """The prefilter: `candidates` the token gate (reading `found`), the word, call and
        identifier screens and the project's imports leave, and the parse guard's verdict when
        `ast` parsed the text."""
        python: _PythonParse | None = None
        gates = candidates
        candidates = rules_for_text(text, candidates, self._trigger_expansions, found)
        if candidates and any(screen.screens(candidates) for screen in self._screens()):
            # the ast screens' conditions on the words first: no `ast.parse` when they fail
            before_words = len(candidates)
            candidates = self._word_screen.select(found, candidates, text)
            result.screened = len(candidates) < before_words
        if candidates and any(screen.screens(candidates) for screen in self._screens()):
            # The tree of the parse guard `_run_rules` needs anyway: parsed once, screened,
            # dropped before libcst runs (only the verdict travels on).
            tree, python = _PythonParse.of_tree(text)
            if tree is not None:
                candidates = self._call_screen().select(tree, candidates, found.text)
                candidates = self._identifier_screen.select(tree, text, candidates, found.text)
                result.screened = True
            del tree
        return self._through_imports(path, text, found, gates, candidates, result), python

    def _through_imports(
        self,
        path: str,
        text: str,
        found: TextLookup,
        before: list[type[Rule]],
        after: list[type[Rule]],
        result: FileResult,
    ) -> list[type[Rule]]:
        """`after` plus the taint rules the gates dropped that the file's project imports bring
        back: a module that only calls `llm.ask(request.args["q"])` spells no sink itself. Only
        for a file that spells a source (where such a flow starts), as the token gate's `found`
        already reads it (the project's catalog is the run's: its words are not split again)."""
        lost = [rule for rule in before if rule not in after and rule in self._taint_readers]
        if not lost or "import" not in text or not found.any_in((TAINT_SOURCES,)):
            return after  # asked before the project index is made (its import is ~5 ms)
        project = self.project_modules()
        if project is None or not project.follows(path):
            return after  # not followed: the analysis reads them as library calls (AIS005 said so)
        tokens, files = project.import_tokens(path, text, found.text)
        for file in files:
            result.dependencies[str(file)] = module_signature(file, project)
        back = rules_for_text(f"{text}\n{tokens}", lost, self._trigger_expansions) if tokens else []
        return [rule for rule in before if rule in after or rule in back]

    def _gate_index(self) -> Any:
        """The run's `tokenindex.TokenIndex` of the gate's word tokens (the rules' plain triggers,
        the taint catalog's tokens), once `INDEX_AFTER` texts were gated; None before (making it
        costs about 35 ms, more than a run of a few files saves)."""
        if self._token_index is None:
            self._gated += 1
            if self._gated > INDEX_AFTER:
                from .tokenindex import TokenIndex

                needles = {
                    needle
                    for rule in self.parsing_rules
                    for needle in (*rule.triggers, *(n for group in rule.trigger_groups for n in group))
                    if not needle.startswith(MARKER_PREFIX)
                }
                for alternatives in (self._trigger_expansions or {}).values():
                    needles.update(token for alternative in alternatives for token in alternative)
                self._token_index = TokenIndex(needles)
        return self._token_index

    def _screens(self) -> tuple[Any, Any]:
        """The `ast` screens: qualified names of calls (`screen`), taint markers against the
        module's identifiers (`identifiers`)."""
        if self._identifier_screen is None:
            from .identifiers import IdentifierScreen, WordScreen

            self._identifier_screen = IdentifierScreen(
                self.parsing_rules, self._trigger_expansions, self.taint_catalog
            )
            self._word_screen = WordScreen(self._identifier_screen, self.parsing_rules)
        return self._call_screen(), self._identifier_screen

    def _call_screen(self) -> Any:
        if self._screen is None:
            from .screen import CallScreen

            self._screen = CallScreen(self.parsing_rules)
        return self._screen

    # ----- steps -----

    def _decode(self, path: str, data: bytes, result: FileResult) -> str | None:
        if len(data) > MAX_SOURCE_BYTES:
            self._parse_error(
                result,
                path,
                1,
                f"over the {MAX_SOURCE_BYTES // (1024 * 1024)} MiB limit for source files; exclude it if it is not code",
            )
            return None
        if b"\0" in data:
            self._parse_error(
                result,
                path,
                1,
                "file contains NUL bytes (binary data named as Python?); exclude it or fix the file",
                severity=Severity.LOW,  # Python refuses to run it too
            )
            return None
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
            text = data.decode(encoding)
        except (SyntaxError, LookupError) as exc:
            self._parse_error(
                result, path, 1, f"cannot determine the source encoding: {exc}", severity=Severity.LOW
            )
            return None
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            self._parse_error(
                result,
                path,
                line,
                f"not valid {encoding}: {exc.reason} at byte {exc.start}; re-save the file as UTF-8 or declare its encoding (PEP 263)",
                severity=Severity.LOW,  # Python refuses to run it too
            )
            return None
        result.encoding = "utf-8" if encoding == "utf-8-sig" else encoding
        return text.lstrip("\ufeff")

    def _scan_text(
        self,
        path: str,
        text: str,
        rules: list[type[Rule]],
        ignored: frozenset[str],
        result: FileResult,
        fix: Applicability | None,
        python: _PythonParse | None = None,
    ) -> None:
        original = text
        for _ in range(MAX_FIX_ROUNDS):
            outcome = self._run_rules(path, text, rules, ignored, result, python)
            python = None  # the verdict was about the original text
            if outcome is None:
                return
            module, fixes = outcome
            if fix is None:
                break
            allowed = [
                f for f in fixes if fix == Applicability.UNSAFE or f.applicability == Applicability.SAFE
            ]
            if not allowed:
                break
            from .fixes import apply_fixes

            try:
                new_text = apply_fixes(module, allowed)
            except _FATAL:
                raise
            except Exception as exc:  # libcst's own validators can refuse valid code (LibCST #1061)
                result.errors.append(
                    ScanError(
                        path,
                        f"fixes not applied: libcst could not rebuild the file ({type(exc).__name__}: "
                        f"{exc}); apply them by hand",
                    )
                )
                break
            if new_text == text:
                break
            result.fixed_count += len(allowed)
            text = new_text
            result.findings.clear()
            result.errors.clear()
        if text != original:
            result.fixed_source = text

    def _run_rules(
        self,
        path: str,
        text: str,
        rules: list[type[Rule]],
        ignored: frozenset[str],
        result: FileResult,
        checked: _PythonParse | None = None,
    ) -> tuple[Any, list[Fix]] | None:
        with imported_for_good("libcst"):
            import libcst as cst

            from .names import STATEMENT_TYPES, NameTable
            from .parsing import parse_module
            from .positions import Positions
            from .walk import walk

        if checked is None:
            with collector_paused():
                checked = _PythonParse.of(text)
        python = checked.problem
        if python is not None and python.final:
            self._parse_error(result, path, python.line, python.message, column=python.column)
            return None
        try:
            with collector_paused():  # a libcst tree has no cycles either (children only)
                module = parse_module(text)
        except cst.ParserSyntaxError as exc:
            if python is not None:  # CPython's position and wording are the precise ones
                self._parse_error(result, path, python.line, python.message, column=python.column)
            else:
                self._parse_error(
                    result, path, exc.raw_line, f"syntax error: {exc.message}", column=exc.raw_column + 1
                )
            return None
        except RecursionError:
            self._parse_error(result, path, 1, "nesting too deep to parse; exclude the file")
            return None
        result.parsed = True
        try:
            names = NameTable(module)
        except RecursionError:
            self._parse_error(result, path, 1, "nesting too deep to analyse; exclude the file")
            return None
        reports: list[_PendingReport] = []
        context = _FileContext(path, names, self, reports, module)
        # Positions for the statements that hold reported nodes only, shared by the rules
        # (`context.line_of`) and the findings.
        context.positions = Positions(module, text, checked.lines)
        instances = []
        failures: list[tuple[Any, BaseException]] = []
        for rule_class in rules:
            try:  # a rule's __init__ (e.g. reading its options) may raise: an error, not a crash
                self.running = rule_class
                instances.append(rule_class(context))
            except _FATAL:
                raise
            except BaseException as exc:  # SystemExit from a plugin included
                failures.append((rule_class, exc))
            finally:
                self.running = None
        dispatcher = _Dispatcher(self, instances, names, STATEMENT_TYPES, context)
        context.dispatcher = dispatcher
        try:
            # libcst's order, nothing rebuilt, trivia skipped (see `walk`)
            walk(module, dispatcher.on_visit, dispatcher.on_leave, dispatcher.skip)
        except RecursionError:
            self._parse_error(result, path, 1, "nesting too deep to analyse; exclude the file")
            return None
        finally:
            # The rules hold the context, which held the dispatcher, which holds the rules'
            # methods: a cycle that kept the file's tree and analysis alive until a full
            # collection of the cyclic garbage collector found it (langchain: 1.2 million
            # objects, 1.1 s of full collections). Broken, reference counting frees them.
            context.dispatcher = None
        result.dependencies.update(context.dependencies)
        self._incomplete_analysis(result, path, context)
        for rule, exc in [*failures, *dispatcher.failures]:
            what = str(exc) if isinstance(exc, RuleTimeout) else f"raised {type(exc).__name__}: {exc}"
            result.errors.append(self.rule_error(path, rule, what))
        if not reports:
            self._unused_without_parse(path, text, ignored, result)
            return module, []
        lines = text.splitlines()
        suppressions = find_suppressions(text, self._code_prefixes)
        try:
            findings, fixes, broken = self._materialise(
                path, text, module, reports, suppressions, context.positions
            )
        except RecursionError:  # code generation for positions and diffs recurses per level
            self._parse_error(result, path, 1, "nesting too deep to analyse; exclude the file")
            return None
        finally:
            reports.clear()  # a report holds its rule, which holds the context that held them
        result.findings.extend(findings)
        for rule, exc in broken:
            result.errors.append(
                self.rule_error(path, rule, f"reported something unusable ({type(exc).__name__}: {exc})")
            )
        self._report_unused(path, result, suppressions)
        result.lines = lines
        return module, fixes

    def _materialise(
        self,
        path: str,
        text: str,
        module: Any,
        reports: list[_PendingReport],
        suppressions: dict[int, Suppression],
        positions: Any,
    ) -> tuple[list[Finding], list[Fix], list[tuple[type[Rule], Exception]]]:
        findings: list[Finding] = []
        fixes: list[Fix] = []
        texts: list[str] = []
        broken: list[tuple[type[Rule], Exception]] = []
        for report in reports:
            try:
                made = self._materialise_one(path, text, module, report, suppressions, positions)
            except RecursionError:
                raise
            except Exception as exc:  # a node that is not in this tree, a fix that does not apply
                broken.append((type(report.rule), exc))
                continue
            if made is not None:
                finding, fix, fingerprint_text = made
                findings.append(finding)
                texts.append(fingerprint_text)
                if fix is not None:
                    fixes.append(fix)
        return assign_fingerprints(findings, texts, self.identity), fixes, broken

    def _materialise_one(
        self,
        path: str,
        text: str,
        module: Any,
        report: _PendingReport,
        suppressions: dict[int, Suppression],
        positions: Any,
    ) -> tuple[Finding, Fix | None, str] | None:
        """The finding of one report (None when suppressed and not shown), the fix to apply with
        it, and the text its fingerprint is computed from."""
        span = positions.get(report.node, report.path)
        statement_span = (
            positions.get(report.statement, report.path) if report.statement is not None else span
        )
        statement_end = statement_span.end.line if _is_simple(report.statement) else statement_span.start.line
        suppression = suppression_for(
            suppressions,
            report.rule.code,
            span.start.line,
            statement_span.start.line,
            statement_end,
            report.severity or report.rule.severity,
        )
        if suppression is not None and not self.show_suppressed:
            return None
        fix_info = None
        if report.fix is not None:
            diff = ""
            if self.want_fix_diffs:  # `difflib` and the fixer are imported only then
                from .fixes import apply_fixes
                from .textdiff import unified_diff

                after = positions.fixed_text(report.path, report.fix)
                if after is None:
                    after = apply_fixes(module, [report.fix])
                diff = unified_diff(path, text, after)
            fix_info = FixInfo(report.fix.applicability, diff)
        rule = report.rule
        location = Location(path, span.start.line, span.start.column + 1, span.end.line, span.end.column + 1)
        artifact = None
        if report.artifact is not None:
            artifact = {
                **report.artifact,
                "referenced_from": {"path": path, "line": location.line, "column": location.column},
            }
            location = Location(str(report.artifact["path"]), 1, 1, 1, 1)
        finding = Finding(
            code=rule.code,
            name=rule.name,
            severity=report.severity or rule.severity,
            confidence=report.confidence or rule.confidence,
            location=location,
            artifact=artifact,
            message=report.message,
            cwe=rule.cwe,
            fix=fix_info,
            suppressed=suppression is not None,
            related=self._related(path, report, positions),
        )
        # An artifact finding is located in the artifact: the loading file keeps apart the same
        # load written in two files.
        origin = f"{artifact.get('member')}\0{self.identity(path)}" if artifact else ""
        fix = report.fix if suppression is None else None
        return finding, fix, f"{module.code_for_node(report.node)}\0{origin}"

    def _related(self, path: str, report: _PendingReport, positions: Any) -> tuple[RelatedLocation, ...]:
        """Locations of a report's related nodes (nodes the module does not hold are left out);
        a `Location` is a step in another file (its path shown like the findings' paths)."""
        related = []
        for node, message in report.related:
            if isinstance(node, Location):
                related.append(
                    RelatedLocation(dataclasses.replace(node, path=self._shown(node.path)), message)
                )
                continue
            try:
                span = positions.get(node, report.path)
            except KeyError:
                continue
            location = Location(
                path, span.start.line, span.start.column + 1, span.end.line, span.end.column + 1
            )
            related.append(RelatedLocation(location, message))
        return tuple(related)

    def _shown(self, path: str) -> str:
        """An absolute path below the current folder as findings show paths: relative, POSIX."""
        absolute = Path(path)
        if self.cwd is not None and absolute.is_absolute():
            try:
                return absolute.relative_to(self.cwd.resolve()).as_posix()
            except ValueError:
                pass
        return absolute.as_posix()

    def forget_project_modules(self) -> None:
        """Drop what was learnt of the project's other modules (a long-lived scanner, such as the
        language server's, calls this before each scan: the files may have changed on disk since;
        unchanged summaries come back from the signed summary cache)."""
        self.save_project_record()
        self._project_modules = None

    def save_project_record(self) -> None:
        """Keep what this process read off the project's modules for the next run
        (`taint.graphrecord`; a worker process of the pool keeps its own as it exits)."""
        if self._project_modules is not None:
            self._project_modules.record.save()

    def still_reads_the_same(self, path: str, digest: str) -> bool:
        """Whether the project module at `path`, whose bytes changed since a cached result used
        its summary, still gives an importer exactly what it read then (its dependency digest,
        `taint.project.ProjectModules.dependency_digest`, settled now: the edited module is
        summarised, the rest read from the cache). Then the result holds: a comment added to a
        module every file imports does not re-check every file."""
        project = self.project_modules()
        return project is not None and project.dependency_digest(path, settle=True) == digest

    def project_modules(self) -> Any:
        """The project's modules as taint summaries (`taint.project`), made on first use; None
        without a taint catalog or a project root."""
        if self._project_modules is None and self.taint_catalog is not None:
            root = self.root or getattr(self.project, "root", None)
            if root is not None:
                from .taint.project import ProjectModules

                self._project_modules = ProjectModules(
                    Path(root), self.taint_catalog, self.summary_store, off_the_clock=budget_paused
                )
                self._project_modules.spare = self._spare_files
        return self._project_modules

    def share_spare_time(self, files: list[Path]) -> None:
        """Called in each pool worker as it starts (`parallel.map_files`, `started`): while the
        summaries a file needs are claimed by another worker, this one summarises what the
        run's `files` import meanwhile (`taint.project.ProjectModules._spare_time`), instead of
        waiting idle. Never in a one-process run (a pre-commit run, `--jobs 1`, the language
        server): there nobody else makes summaries, and spare work would only delay its files."""
        self._spare_files = files
        if self._project_modules is not None:
            self._project_modules.spare = files

    # ----- diagnostics -----

    def _parse_error(
        self,
        result: FileResult,
        path: str,
        line: int,
        message: str,
        column: int = 1,
        severity: Severity | None = None,
    ) -> None:
        """AIS001 for a file that was not fully checked: high (the rule's severity) unless
        `severity` says otherwise, for input Python cannot run either (NUL bytes, bad encoding)."""
        if PARSE_ERROR.code not in self.enabled_codes or PARSE_ERROR.code in self._ignored_codes(path):
            return
        finding = Finding(
            code=PARSE_ERROR.code,
            name=PARSE_ERROR.name,
            severity=severity or PARSE_ERROR.severity,
            confidence=PARSE_ERROR.confidence,
            location=Location(path, max(line, 1), max(column, 1), max(line, 1), max(column, 1)),
            message=f"cannot check this file: {message}",
            cwe=PARSE_ERROR.cwe,
        )
        result.findings.extend(assign_fingerprints([finding], [message], self.identity))

    def _incomplete_analysis(self, result: FileResult, path: str, context: _FileContext) -> None:
        """AIS005 when the file's taint analysis stopped at its budget. (Also records the other
        modules whose summaries the analysis used: a change there re-checks this file.)"""
        taint = context._taint
        for dependency in taint.dependencies if taint is not None else ():
            if dependency != Path(path).absolute():
                absolute = Path(dependency).absolute()
                context.dependencies[str(absolute)] = module_signature(absolute, self.project_modules())
        result.dependencies.update(context.dependencies)
        reason = taint.incomplete if taint is not None else None
        if reason:
            result.findings.extend(self._incompleteness(path, reason))

    def _incompleteness(self, path: str, reason: str) -> list[Finding]:
        """AIS005 for `path` (none where it is not enabled or is ignored for the file)."""
        code = INCOMPLETE_ANALYSIS.code
        if code not in self.enabled_codes or code in self._ignored_codes(path):
            return []
        finding = Finding(
            code=code,
            name=INCOMPLETE_ANALYSIS.name,
            severity=INCOMPLETE_ANALYSIS.severity,
            confidence=INCOMPLETE_ANALYSIS.confidence,
            location=Location(path, 1, 1, 1, 1),
            message=f"not fully analysed: {reason}; AIS2xx/AIS3xx may miss flows in this file",
            cwe=INCOMPLETE_ANALYSIS.cwe,
        )
        return assign_fingerprints([finding], [reason], self.identity)

    def _unused_without_parse(
        self, path: str, text: str, ignored: frozenset[str], result: FileResult
    ) -> None:
        if self.warn_unused_ignores:
            self._report_unused(path, result, find_suppressions(text, self._code_prefixes))

    def _report_unused(self, path: str, result: FileResult, suppressions: dict[int, Suppression]) -> None:
        if not self.warn_unused_ignores or UNUSED_SUPPRESSION.code not in self.enabled_codes:
            return
        unused = []
        for suppression in suppressions.values():
            stale = [c for c in suppression.codes if c not in suppression.used and self._is_known(c)]
            if stale:
                unused.append(
                    Finding(
                        code=UNUSED_SUPPRESSION.code,
                        name=UNUSED_SUPPRESSION.name,
                        severity=UNUSED_SUPPRESSION.severity,
                        confidence=UNUSED_SUPPRESSION.confidence,
                        location=Location(path, suppression.line, 1, suppression.line, 1),
                        message=f"unused suppression for {', '.join(stale)}: nothing is reported here; remove it",
                    )
                )
        result.findings.extend(assign_fingerprints(unused, [f.message for f in unused], self.identity))

    def identity(self, path: str) -> str:
        """The path fingerprints hash: relative to the project root (`projectroot.identity_path`)."""
        if self.root is None:
            return path
        from .projectroot import identity_path

        return identity_path(path, self.cwd or Path.cwd(), self.root)

    def _is_known(self, code: str) -> bool:
        return any(known.startswith(code) for known in self.known_codes)

    def _ignored_codes(self, path: str) -> frozenset[str]:
        if not self.per_file_ignores:
            return frozenset()
        from .discovery import match_path
        from .selection import matching_codes, path_matches

        if self.root is not None:
            path = match_path(Path(path), self.cwd or Path.cwd(), self.root)
        ignored: set[str] = set()
        for pattern, codes in self.per_file_ignores.items():
            if path_matches(path, pattern):
                ignored |= matching_codes(self.enabled_codes, codes)
        return frozenset(ignored)

    # ----- dispatch tables -----

    def tables_for(self, rule: type[Rule]) -> tuple[dict[type, str], dict[type, str]]:
        """Node class -> method name tables of a rule class, built once per run."""
        tables = self._tables.get(rule)
        if tables is None:
            import libcst as cst

            visits, leaves = _visitor_names(rule)
            tables = (
                {getattr(cst, n): m for n, m in visits.items() if isinstance(getattr(cst, n, None), type)},
                {getattr(cst, n): m for n, m in leaves.items() if isinstance(getattr(cst, n, None), type)},
            )
            self._tables[rule] = tables
        return tables

    def options_for(self, code: str) -> Mapping[str, Any]:
        rule = self._rule_meta.get(code)
        defaults = dict(rule.default_options) if rule is not None else {}
        defaults.update(self.options.get(code, {}))
        return defaults


def _reads_taint(rule: type[Rule]) -> bool:
    """Whether the rule's prefilter triggers are taint markers (it reads the taint engine)."""
    triggers = (*rule.triggers, *(t for group in rule.trigger_groups for t in group))
    return any(trigger.startswith(TAINT_SOURCES) or trigger.startswith(TAINT_SINKS) for trigger in triggers)


def _with_cell(finding: Finding, path: str, cells: list[int]) -> Finding:
    """Add the notebook cell and the line within it to a finding located in the notebook itself."""
    line = finding.location.line
    if finding.path != path or not 1 <= line <= len(cells):
        return finding
    cell = cells[line - 1]
    return dataclasses.replace(finding, cell=cell, cell_line=line - cells.index(cell))


def module_signature(path: str | Path, project: Any) -> tuple:
    """A project module's `file_signature` and, when its summary was settled, its dependency
    digest: a result that used the summary holds after an edit that leaves the digest as it was
    (`cache.dependencies_hold`)."""
    signature = file_signature(path)
    digest = project.dependency_digest(str(path)) if project is not None else None
    return signature if digest is None else (*signature, digest)


def file_signature(path: str | Path) -> tuple[int, int, int]:
    """(size, mtime_ns, inode) of a file, or (-1, -1, -1) when it does not exist. A string is
    stat'ed as it is: a warm run checks every dependency of every cached result (about ten per
    transformers file), where making a `Path` of each cost more than the `stat`."""
    try:
        stat = os.stat(path)
    except OSError:
        return (-1, -1, -1)
    return (stat.st_size, stat.st_mtime_ns, stat.st_ino)


@dataclass(frozen=True)
class _PythonProblem:
    final: bool  # libcst must not see the text (too deep or over a budget), whatever it would say
    line: int
    column: int
    message: str


_DEPTH_MESSAGES = ("too many nested", "too many levels", "too many statically nested", "too complex")


@dataclass(frozen=True)
class _PythonParse:
    """What CPython's parse of a text gave the engine: the guard's verdict and the first lines of
    statements (`positions.statement_lines`, for `positions.Positions`). The tree is not kept."""

    problem: _PythonProblem | None
    lines: Any = None

    @classmethod
    def of_tree(cls, text: str) -> tuple[ast.Module | None, _PythonParse]:
        from .positions import statement_lines

        tree, problem = _python_parse(text)
        lines = None
        if tree is not None:
            try:
                lines = statement_lines(tree.body)
            except RecursionError:
                lines = None
        return tree, cls(problem, lines)

    @classmethod
    def of(cls, text: str) -> _PythonParse:
        return cls.of_tree(text)[1]


def _python_parse(text: str) -> tuple[ast.Module | None, _PythonProblem | None]:
    """CPython's tree of the source (None when it does not parse) and what its parser says
    about the source, as a guard in front of libcst.

    libcst's native parser has no depth limit: nesting that CPython refuses in milliseconds
    (5,000 parentheses, thousands of chained unary operators or lambdas) makes it overflow the
    stack and kill the process, or run for minutes. `ast.parse` costs about a tenth of a libcst
    parse. Only its depth verdict is final; for other syntax errors libcst decides (it knows
    grammar newer than the running Python), and CPython's position is used when both refuse.
    """
    import warnings

    over = budget_problem(text)
    if over is not None:
        return None, _PythonProblem(
            True, 1, 1, f"over budget ({over}); split the file or exclude it if it is not code"
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences and the like
            tree = ast.parse(text)
        over = tree_problem(tree, text)
        if over is not None:
            return None, _PythonProblem(
                True, 1, 1, f"over budget ({over}); split the file or exclude it if it is not code"
            )
        return tree, None
    except (RecursionError, MemoryError):
        return None, _PythonProblem(True, 1, 1, "nesting too deep to parse; exclude the file")
    except SyntaxError as exc:
        message = exc.msg or "invalid syntax"
        line, column = exc.lineno or 1, exc.offset or 1
        if any(marker in message for marker in _DEPTH_MESSAGES):
            return None, _PythonProblem(
                True, line, column, f"nesting too deep to parse ({message}); exclude the file"
            )
        return None, _PythonProblem(False, line, column, f"syntax error: {message}")
    except ValueError:
        return None, None


def _is_simple(statement: Any) -> bool:
    return statement is not None and type(statement).__name__ == "SimpleStatementLine"


class _FileContext:
    """The `RuleContext` of one file."""

    def __init__(
        self, path: str, names: Any, scanner: FileScanner, reports: list[_PendingReport], module: Any = None
    ) -> None:
        from .args import ArgHelper
        from .fixes import FixHelper

        self.path = path
        self.names = names
        self.args = ArgHelper()
        self.fixes = FixHelper()
        self.project = scanner.project
        self._scanner = scanner
        self._reports = reports
        self.dispatcher: Any = None
        self.dependencies: dict[str, tuple[int, int, int]] = {}
        self._module = module
        self._taint: Any = None
        self.positions: Any = None  # `positions.Positions` of the file, set by the engine

    def line_of(self, node: Any) -> int | None:
        """The line where `node` starts (None when it is not in this file's tree)."""
        if self.positions is None:
            return None
        statements = tuple(self.dispatcher.statements) if self.dispatcher is not None else ()
        try:
            return self.positions.get(node, statements).start.line
        except KeyError:
            return None

    @property
    def taint(self) -> Any:
        """The module's dataflow facts (`aisec.hooks.TaintFacts`), built when a rule first asks."""
        if self._taint is None:
            from aisec.hooks import TaintCatalog

            with imported_for_good("aisec.taint.module"):
                from .taint import ModuleTaint

            catalog = self._scanner.taint_catalog or TaintCatalog()
            project = self._scanner.project_modules()
            path = Path(self.path).absolute()
            name = project.module_name(path) if project is not None else None
            lines = self.positions.start_line if self.positions is not None else None
            self._taint = ModuleTaint(
                self._module,
                self.names,
                catalog,
                project=project,
                module_name=name,
                path=path,
                node_lines=lines,
            )
        return self._taint

    def options_for(self, code: str) -> Mapping[str, Any]:
        return self._scanner.options_for(code)

    def depends_on(self, path: str | Path) -> None:
        absolute = Path(path).absolute()
        self.dependencies[str(absolute)] = file_signature(absolute)

    def add_report(self, rule: Any, node: Any, message: str, **kwargs: Any) -> None:
        _check_report(node, message, kwargs)
        statement = self.dispatcher.current_statement() if self.dispatcher is not None else None
        path = tuple(self.dispatcher.statements) if self.dispatcher is not None else ()
        self._reports.append(
            _PendingReport(
                rule,
                node,
                message,
                kwargs.get("fix"),
                kwargs.get("severity"),
                kwargs.get("confidence"),
                statement,
                kwargs.get("artifact"),
                path,
                kwargs.get("related", ()),
            )
        )


def _check_report(node: Any, message: Any, extra: Mapping[str, Any]) -> None:
    """Refuse a malformed `Rule.report` call in the rule's own callback (TypeError), so the
    error names the rule instead of breaking the report later."""
    import libcst as cst

    problems = []
    if not isinstance(node, cst.CSTNode):
        problems.append(f"node must be a libcst node, not {type(node).__name__}")
    if not isinstance(message, str):
        problems.append(f"message must be a str, not {type(message).__name__}")
    for key, kind in (("severity", Severity), ("confidence", Confidence), ("fix", Fix)):
        value = extra.get(key)
        if value is not None and not isinstance(value, kind):
            problems.append(f"{key} must be a {kind.__name__} or None, not {type(value).__name__}")
    artifact = extra.get("artifact")
    if artifact is not None and not (isinstance(artifact, Mapping) and "path" in artifact):
        problems.append("artifact must be a mapping with a `path`")
    if problems:
        raise TypeError(f"report(): {'; '.join(problems)}")


def _make_dispatcher_class() -> type:
    import libcst as cst

    from .walk import trivia_types

    class Dispatcher(cst.CSTVisitor):
        """One traversal; each node goes to the rules that have a method for its type."""

        def __init__(
            self,
            scanner: FileScanner,
            rules: list[Rule],
            names: Any,
            statement_types: frozenset,
            context: Any,
        ) -> None:
            super().__init__()
            self.visit_table: dict[type, list[tuple[Rule, Any]]] = {}
            self.leave_table: dict[type, list[tuple[Rule, Any]]] = {}
            for rule in rules:
                visits, leaves = scanner.tables_for(type(rule))
                for node_type, method in visits.items():
                    self.visit_table.setdefault(node_type, []).append((rule, getattr(rule, method)))
                for node_type, method in leaves.items():
                    self.leave_table.setdefault(node_type, []).append((rule, getattr(rule, method)))
            self.names = names
            self.statement_types = statement_types
            # Whitespace, comments and punctuation are not walked unless a rule visits them.
            trivia = trivia_types()
            wanted = trivia.intersection(self.visit_table) or trivia.intersection(self.leave_table)
            self.skip = frozenset() if wanted else trivia
            self.statements: list[Any] = []
            self.failures: list[tuple[Rule, BaseException]] = []
            self.dead: set[int] = set()
            self.scanner = scanner

        def current_statement(self) -> Any:
            return self.statements[-1] if self.statements else None

        def _call(self, callbacks: list[tuple[Rule, Any]], node: Any) -> None:
            scanner = self.scanner
            for rule, callback in callbacks:
                if id(rule) in self.dead:
                    continue
                scanner.running = type(rule)
                try:
                    callback(node)
                except FileTimeout:
                    # The rule that ran out of time is dropped; the others finish the file on a
                    # new budget (each rule can use up at most one).
                    self.dead.add(id(rule))
                    self.failures.append((type(rule), RuleTimeout(scanner.time_budget)))
                    restart_budget(scanner.time_budget)
                except (RecursionError, KeyboardInterrupt):
                    raise
                except BaseException as exc:  # a plugin bug (SystemExit too) must not end the run
                    self.dead.add(id(rule))
                    self.failures.append((type(rule), exc))
                scanner.running = None

        def on_visit(self, node: Any) -> bool:
            if type(node) in self.statement_types:
                self.statements.append(node)
                self.names.enter_statement(node)
            callbacks = self.visit_table.get(type(node))
            if callbacks:
                self._call(callbacks, node)
            return True

        def on_leave(self, original_node: Any) -> None:
            callbacks = self.leave_table.get(type(original_node))
            if callbacks:
                self._call(callbacks, original_node)
            if type(original_node) in self.statement_types:
                self.statements.pop()
                self.names.leave_statement(original_node)

    return Dispatcher


_DISPATCHER: type | None = None


def _Dispatcher(*args: Any) -> Any:
    """Build the dispatcher (its class needs libcst, so it is created on first use)."""
    global _DISPATCHER
    if _DISPATCHER is None:
        _DISPATCHER = _make_dispatcher_class()
    return _DISPATCHER(*args)
