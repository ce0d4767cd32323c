"""One `aisec check` run: config + plugins -> enabled rules -> files -> report -> exit code."""

from __future__ import annotations

import dataclasses
import functools
import os
import sys
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Callable, Mapping

from aisec.hooks import Applicability, Finding, Report, Rule, ScanError, Severity, Summary

from . import __version__
from .config import Config, ConfigError, check_rule_options, load_config
from .declarative import build_rules
from .diagnostics import ENGINE_DIAGNOSTICS
from .discovery import ANY_SUFFIX, SOURCE_SUFFIXES, discover, display_path
from .engine import FileResult, FileScanner
from .findings import sort_findings
from .parallel import default_jobs, map_files
from .pathpolicy import filter_artifact_findings
from .pluginmanager import PluginError, Registry, configure, load_plugins
from .projectroot import scan_start
from .selection import is_enabled, unknown_prefixes
from .sources import SourceLines
from .stamps import StampIndex, open_index, read_stamped


class UsageError(Exception):
    """Bad command-line input (exit 2)."""


@dataclass
class CheckOptions:
    paths: list[str] = field(default_factory=lambda: ["."])
    select: list[str] | None = None
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    config_file: Path | None = None
    baseline: Path | None = None
    fix: Applicability | None = None
    diff: bool = False
    stdin_filename: str | None = None
    jobs: int | None = None
    force_exclude: bool = False
    warn_unused_ignores: bool = False
    show_suppressed: bool = False
    fail_on: Severity | None = None
    use_prefilter: bool = True
    entry_points: bool = True
    want_fix_diffs: bool = False
    use_cache: bool = True
    artifacts_only: bool = False
    cache_dir: Path | None = None
    allow_local_plugins: bool = True


@dataclass
class Session:
    """Config and plugins loaded, rules chosen: everything that is done once per run."""

    config: Config
    registry: Registry
    enabled: list[type[Rule]]
    reasons: dict[str, str]
    taint_catalog: Any = None  # aisec.hooks.TaintCatalog: built-in, plugins' and config entries
    table_facts: TableFacts | None = None  # where the catalog's facts may come from (`TableFacts`)


@dataclass
class Outcome:
    report: Report
    fail_on: Severity
    diffs: list[str] = field(default_factory=list)
    fixed: int = 0
    warnings: list[str] = field(default_factory=list)  # printed on stderr
    notes: list[str] = field(default_factory=list)  # printed on stderr with -v

    @property
    def exit_code(self) -> int:
        if self.report.errors:
            return 2
        failing = [f for f in self.report.findings if not f.suppressed and f.severity >= self.fail_on]
        return 1 if failing else 0


def open_session(options: CheckOptions, cwd: Path) -> Session:
    """Load config and plugins and decide which rules are on (ConfigError/PluginError)."""
    start = scan_start(options.paths, cwd, options.stdin_filename)
    config = load_config(options.config_file, cwd, start)
    registry = load_plugins(
        config.plugins,
        config.disable_plugins,
        entry_points=options.entry_points,
        extra_path=str(config.root),
        allow_local=options.allow_local_plugins,
        config_name=config.display_path,
    )
    for rule in build_rules(config.rules):
        if rule.code in registry.rules:
            raise ConfigError(
                f"{config.display_path}: declared rule {rule.code} collides with the rule of plugin {registry.rule_plugins[rule.code]!r}"
            )
        registry.rules[rule.code] = rule
        registry.rule_plugins[rule.code] = "config `rules`"
    configure(registry, config.raw)
    select = options.select if options.select is not None else config.select
    extend_select = [*config.extend_select, *options.extend_select]
    ignore = [*config.ignore, *options.ignore]
    codes = list(registry.rules)
    for label, prefixes in (("select", select or []), ("extend-select", extend_select), ("ignore", ignore)):
        unknown = unknown_prefixes(prefixes, codes)
        if unknown:
            raise ConfigError(
                f"unknown rule code or prefix {unknown[0]!r} in `{label}`; `aisec rules` lists the codes"
            )
    check_rule_options(config, registry.rules)
    enabled, reasons = [], {}
    for code in sorted(registry.rules):
        rule = registry.rules[code]
        on, reason = is_enabled(rule, select, extend_select, ignore)
        reasons[code] = reason
        if on:
            enabled.append(rule)
    if not [rule for rule in enabled if rule not in ENGINE_DIAGNOSTICS]:
        raise ConfigError(
            "no rule is enabled: check `select`/`ignore` (`aisec config` shows why each rule is off)"
        )
    from .taintconfig import build_catalog

    try:
        catalog = build_catalog(registry.taint_catalogs, config.taint)
    except ConfigError as exc:
        raise ConfigError(f"{config.display_path}: {exc}") from None
    return Session(config, registry, enabled, reasons, catalog)


def adopt_known(session: Session, known: Mapping[str, Any]) -> None:
    """Take what the pre-commit fast path read from this run's trigger table (`fastpath.Declined`)
    about the session's taint catalog instead of working it out again: its trigger expansions,
    its patterns' tokens (about 5 ms of a one-file run), the identifier screen's facts
    (`identifiers.catalog_facts`, about 3 ms) and the walk's field orders (`aisec.walkorders`,
    about 1.5 ms). The table is written from a session
    with the same key (aisec and the interpreter, the plugins' files, the config file's bytes,
    the options that choose rules), signed with the machine key and checked against the state
    of those files, as it is when the fast path answers from it."""
    from aisec.hooks.taint import adopt_pattern_tokens

    if session.taint_catalog is not None:
        session.taint_catalog.adopt_expansions(known["expansions"])
        if known.get("identifiers"):
            from .identifiers import adopt_catalog_facts

            adopt_catalog_facts(session.taint_catalog, known["identifiers"])
    adopt_pattern_tokens(known["pattern_tokens"])
    if known.get("walk"):
        from .walkorders import keep

        keep(known["walk"])


class TableFacts:
    """The taint catalog's facts (`adopt_known`) for a full run that the pre-commit fast path read
    no trigger table for (a directory, an option it leaves to the full path): taken from the
    signed table of the run's own key when the first file is checked (`adopt`, the scanner's
    `before_catalog`), so a warm run that checks nothing never reads it. The key is the fast
    path's (`fastpath.table_key`), made from what this session loaded: the config file's bytes
    as parsed, its path and project root, the options that choose rules and plugins; the table
    is read under the fast path's checks (`fastpath.read_known`). Where none is valid, the facts
    are worked out as before and the table is written after the run (`write_if_missing`)."""

    def __init__(self, session: Session, options: CheckOptions, environ: Mapping[str, str]) -> None:
        self.session = session
        self.options = options
        self.environ = environ
        self.found: bool | None = None  # whether a valid table was read; None: not looked yet

    def adopt(self) -> None:
        """Take the facts from the table, if it is valid (once per process)."""
        if self.found is None:
            from .fastpath import read_known

            key = self._key()
            known = read_known(key) if key.secret is not None else None
            self.found = known is not None
            if known is not None:
                adopt_known(self.session, known)

    def write_if_missing(self, walk_orders: bool = False) -> None:
        """Write the table when this process found none valid (after a run that checked files: a
        pool's workers looked on their own, so the main process looks again); with the walk's
        field orders when the run parsed a file."""
        if self.found:
            return
        from .fastpath import read_known
        from .triggertable import save

        key = self._key()
        if self.found is None and read_known(key) is not None:
            self.found = True
            return
        save(key, self.session, walk_orders)
        self.found = True

    def _key(self) -> Any:
        from .fastpath import read_machine_key, table_key

        config, options = self.session.config, self.options
        chosen = {
            "select": options.select,
            "extend_select": options.extend_select or None,
            "ignore": options.ignore or None,
            "no_local_plugins": None if options.allow_local_plugins else True,
        }
        path = str(config.path) if config.path is not None else ""
        return table_key(
            chosen, self.environ, path, config.source, str(config.root), read_machine_key(self.environ)
        )


def build_scanner(session: Session, options: CheckOptions, cwd: Path) -> FileScanner:
    """The file scanner of a session: what `check` runs on every file and stdin, and what
    `aisec server` runs on every editor buffer (`FileScanner.scan_bytes`)."""
    config = session.config
    scanner = FileScanner(
        session.enabled,
        rule_plugins=session.registry.rule_plugins,
        options=config.rule_options,
        project=_project(config.root),
        per_file_ignores=config.per_file_ignores,
        use_prefilter=options.use_prefilter,
        warn_unused_ignores=options.warn_unused_ignores,
        show_suppressed=options.show_suppressed,
        want_fix_diffs=options.want_fix_diffs,
        known_codes=frozenset(session.registry.rules),
        root=config.root,
        cwd=cwd,
        taint_catalog=session.taint_catalog,
        time_budget=config.file_timeout_seconds,
    )
    if session.table_facts is not None:
        scanner.before_catalog = session.table_facts.adopt
    return scanner


ProgressCallback = Callable[[str, int, int], None]  # (phase, files done, files in total)


def run_check(
    session: Session,
    options: CheckOptions,
    cwd: Path,
    stdin: bytes | None = None,
    progress: ProgressCallback | None = None,
) -> Outcome:
    config = session.config
    scanner = build_scanner(session, options, cwd)
    summary = Summary()
    errors: list[ScanError] = []
    warnings: list[str] = []
    notes: list[str] = []
    results: list[FileResult] = []
    fix_mode = options.fix
    if stdin is not None:
        name = options.stdin_filename or "-"
        results.append(scanner.scan_bytes(name, stdin, fix_mode))
    else:
        if progress is not None:
            progress("finding files", 0, 0)
        found = discover(
            options.paths,
            config.excludes,
            cwd=cwd,
            force_exclude=options.force_exclude,
            root=config.root,
            suffixes=ANY_SUFFIX if options.artifacts_only else SOURCE_SUFFIXES,
        )
        for missing in found.missing:
            errors.append(ScanError(missing, "no such file or directory; check the path"))
        for unreadable, why in found.unreadable:
            errors.append(ScanError(unreadable, f"cannot read: {why}; fix its permissions or exclude it"))
        warnings.extend(
            f"{link}: skipped: a symlink to a file outside the project (scan its target where it lives)"
            for link in found.skipped_links
        )
        items = [(path, display_path(path, cwd)) for path in found.files]

        cache = open_cache(session, options, notes) if fix_mode is None else None
        scanner.summary_store = cache  # taint summaries of the project's modules live with the results

        def task(item: tuple[Path, str]) -> FileResult:
            """Scan a file the cache did not have (`hits` looked it up already)."""
            path, shown = item
            if options.artifacts_only:
                return _artifact_task(path, shown, session, cache, scanner.identity)
            try:
                data, stamp = read_stamped(path)
            except OSError as exc:
                return FileResult(shown, errors=[ScanError(shown, f"cannot read: {exc.strerror or exc}")])
            outside = fix_mode is not None and not options.diff and _outside(path, config.root)
            # reported, not fixed: --fix never writes outside the project
            fix = None if outside else fix_mode
            result = scan_source(scanner, shown, data, fix, cache, lookup=False)
            result.stamp = stamp  # back to the main process with the result, for the stamp index
            if outside:
                result.warnings.append(f"{shown}: not fixed: a symlink to a file outside the project")
            return result

        def failed(item: tuple[Path, str], why: str) -> FileResult:
            shown = item[1]
            return FileResult(
                shown, errors=[ScanError(shown, f"not checked: its scan {why}; exclude it or report it")]
            )

        jobs = options.jobs or default_jobs()
        phase = "inspecting" if options.artifacts_only else "checking"
        stamps = None if options.artifacts_only else open_index(cache, len(items))
        same_digest = None if options.artifacts_only else functools.cache(scanner.still_reads_the_same)
        hits = cached_results(cache, items, options.artifacts_only, stamps, same_digest)
        misses = [item for item, hit in zip(items, hits, strict=True) if hit is None]
        found = len(items) - len(misses)

        def finished(count: int) -> None:
            if progress is not None:
                progress(phase, found + count, len(items))

        if found:
            finished(0)
        scanned = map_files(
            task,
            misses,
            jobs,
            failed,
            config.file_timeout_seconds,
            weight=_size,
            finished=finished,
            started=partial(scanner.share_spare_time, [path for path, _ in misses]),
        )
        for hit in hits:
            results.append(next(scanned) if hit is None else hit)
        scanned.close()  # all its results are in: its workers stop now, not when it is collected
        scanner.save_project_record()  # what this process's import graph read (`taint.graphrecord`)
        if stamps is not None:
            for result in results:
                stamps.update(result)
            stamps.save(cwd)
    outcome_diffs, fixed = _apply_fixes(results, options.diff, cwd, stdin, config.root)
    findings: list[Finding] = []
    sources = SourceLines()
    for result in results:
        summary.files += 1
        summary.parsed += result.parsed
        summary.skipped_by_prefilter += result.skipped_by_prefilter
        summary.cached += result.cached
        findings.extend(_without_notebook_fixes(result.findings))
        errors.extend(result.errors)
        warnings.extend(result.warnings)
        if result.findings:
            lines = result.lines if result.lines is not None else result.source
            if lines is not None:
                sources.add(result.path, lines)
    findings = filter_artifact_findings(findings, config, cwd, session.registry.rules)
    if options.baseline is not None:
        known = read_baseline(options.baseline)
        findings = [f for f in findings if f.fingerprint not in known]
    findings = sort_findings(findings)
    summary.findings = sum(1 for f in findings if not f.suppressed)
    report = Report(findings, errors, summary, __version__, rules=session.registry.rules, sources=sources)
    fail_on = options.fail_on or config.fail_on
    if not results:
        warnings.append("no files were checked: the paths hold no Python files that are not excluded")
    return Outcome(report, fail_on, outcome_diffs, fixed, warnings, notes)


def scan_source(
    scanner: FileScanner,
    shown: str,
    data: bytes,
    fix: Applicability | None = None,
    cache: Any = None,
    *,
    store: bool = True,
    lookup: bool = True,
) -> FileResult:
    """Scan one file's bytes under the name `shown`, through the result cache when one is given.

    `store=False` reads the cache without writing to it (`aisec server` scans unsaved buffers:
    their contents are not worth an entry); `lookup=False` writes without reading (`check`
    looked every file up before scanning the misses).
    """
    return _through_cache(
        cache,
        shown,
        data,
        lambda: scanner.scan_bytes(shown, data, fix),
        # every checked file, the token gate's rejects too: a warm run then reads one entry
        # instead of searching the text for every rule's triggers again
        lambda result: store and (result.parsed or result.screened or result.skipped_by_prefilter),
        lookup=lookup,
    )


def _through_cache(
    cache: Any,
    shown: str,
    key: bytes,
    scan: Callable[[], FileResult],
    worth_storing: Callable[[FileResult], bool],
    *,
    source: bool = True,
    lookup: bool = True,
) -> FileResult:
    """A cached result for (`shown`, `key`) (when `lookup`), else `scan()`, stored when worth it
    and error-free. `source=False`: `key` stands for the file (an artifact's signature), it is
    not its source."""
    if cache is not None and lookup:
        hit = cache.get(shown, key, source=source)
        if hit is not None:
            return hit
    result = scan()
    if cache is not None and worth_storing(result) and not result.errors:
        cache.put(shown, key, result)
    return result


def _without_notebook_fixes(findings: list[Finding]) -> list[Finding]:
    """`check --fix` does not write fixes into notebooks, so it offers none for them (no `[*]`,
    no fix hint, no `fix` in JSON or SARIF). The language server applies fixes to single cells
    and keeps them."""
    return [
        dataclasses.replace(f, fix=None) if f.cell is not None and f.fix is not None else f for f in findings
    ]


def _apply_fixes(
    results: list[FileResult],
    diff_only: bool,
    cwd: Path,
    stdin: bytes | None,
    root: Path,
) -> tuple[list[str], int]:
    """Write fixed files, or (with --diff, or for stdin) collect what would change.

    For stdin, `--diff` yields a diff and `--fix` yields the whole fixed source, as editors expect.
    """
    outputs, fixed = [], 0
    for result in results:
        if result.fixed_source is None:
            continue
        from .fixes import write_fixed
        from .textdiff import unified_diff

        fixed += result.fixed_count
        if stdin is not None:
            before = stdin.decode(result.encoding, "replace")
            outputs.append(
                unified_diff(result.path, before, result.fixed_source) if diff_only else result.fixed_source
            )
        elif diff_only:
            before = (cwd / result.path).read_bytes().decode(result.encoding, "replace")
            outputs.append(unified_diff(result.path, before, result.fixed_source))
        else:
            refused = write_fixed(cwd / result.path, result.fixed_source.encode(result.encoding), root)
            if refused is not None:  # the findings shown are those after the fix: not silently
                fixed -= result.fixed_count
                result.errors.append(ScanError(result.path, refused))
    return outputs, fixed


def _size(item: tuple[Path, str]) -> float:
    """What a file's scan may cost, as the pool orders its work (`parallel.map_files`): its
    size (on transformers the largest files are the slowest ones)."""
    try:
        return item[0].stat().st_size
    except OSError:
        return 0.0


def _outside(path: Path, root: Path) -> bool:
    from .fixes import outside_project

    return outside_project(path, root) is not None


def cached_results(
    cache: Any,
    items: list[tuple[Path, str]],
    artifacts: bool,
    stamps: StampIndex | None,
    same_digest: Callable[[str, str], bool] | None = None,
) -> list[FileResult | None]:
    """Each file's cached result, or None where it must be scanned: looked up here, in the main
    process, so that a warm run sends only the misses to the worker pool and starts none when
    nothing changed (a pool task per cached file cost a warm transformers scan about 0.4 s).
    With `stamps` (source files, in a big enough run), a file whose stamp holds is not even read.
    `same_digest`: whether an edited project module still gives its importers what a result
    used (`engine.FileScanner.still_reads_the_same`, asked once per module and run)."""
    if cache is None:
        return [None] * len(items)
    hits: list[FileResult | None] = []
    for path, shown in items:
        if artifacts:  # their key is their stat already
            hits.append(cache.get(shown, _artifact_key(path), source=False))
            continue
        hit = stamps.unchanged(path, shown, same_digest) if stamps is not None else None
        if hit is None:
            try:
                data, stamp = read_stamped(path)
            except OSError:
                hits.append(None)  # the scan reports it
                continue
            hit = cache.get(shown, data, same_digest=same_digest)
            if hit is not None:
                hit.stamp = stamp
        hits.append(hit)
    return hits


def _artifact_key(path: Path) -> bytes:
    from .artifact_scan import signature_key

    return signature_key(path).encode("utf-8", "surrogateescape")


def _artifact_task(
    path: Path, shown: str, session: Session, cache: Any, identity: Callable[[str], str]
) -> FileResult:
    """Inspect one candidate artifact (not in the cache: `cached_results` looked it up), cached by
    path, size, mtime and inode."""
    from .artifact_scan import inspect_artifact

    enabled = {rule.code: rule for rule in session.enabled}
    return _through_cache(
        cache,
        shown,
        _artifact_key(path),
        lambda: inspect_artifact(path, shown, session.registry.artifact_inspectors, enabled, identity),
        lambda result: result.parsed,
        source=False,
        lookup=False,
    )


def open_cache(session: Session, options: CheckOptions, notes: list[str] | None = None) -> Any:
    """The result cache for this run's settings; None with --no-cache, or when this machine has
    no usable cache key (`notes` gets why)."""
    if not options.use_cache:
        return None
    from .cache import CacheUnavailable, ResultCache, code_digest, machine_key, project_files_digest, run_key

    config = session.config
    if options.cache_dir is not None:
        _check_writable_folder(options.cache_dir, "--cache-dir")
    elif config.root == Path(config.root.anchor):
        return None  # no project above the scanned paths: never litter the filesystem root
    manager = session.registry.manager
    key = run_key(
        [
            __version__,
            code_digest([sys.modules["aisec"], sys.modules["aisec.hooks"], *manager.get_plugins()]),
            sorted(
                (rule.code, session.registry.rule_plugins[rule.code], rule.__module__)
                for rule in session.enabled
            ),
            sorted(session.registry.plugin_sources.items()),
            config.rule_options,
            config.per_file_ignores,
            config.rules,
            config.artifacts,
            config.taint,
            options.warn_unused_ignores,
            options.show_suppressed,
            options.want_fix_diffs,
            options.use_prefilter,
            options.artifacts_only,
            project_files_digest(config.root),
        ]
    )
    try:
        return ResultCache(options.cache_dir or config.root / ".aisec_cache", key, machine_key())
    except CacheUnavailable as exc:
        if notes is not None:
            notes.append(str(exc))
        return None


def _check_writable_folder(folder: Path, option: str) -> None:
    """A folder the user named for aisec to write into exists (or is made) and is writable."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(
            f"{folder}: cannot create the folder: {exc.strerror or exc}; check {option}"
        ) from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"{folder}: folder is not writable; check {option}")


def _project(root: Path) -> Any:
    from .project import Project

    return Project(root)


def read_baseline(path: Path) -> set[str]:
    import json  # only baselines are JSON here: a run without one does not pay for it (~1 ms)

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {entry["fingerprint"] for entry in data["findings"]}
    except FileNotFoundError:
        raise UsageError(f"{path}: baseline not found; create it with `aisec baseline -o {path}`") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UsageError(
            f"{path}: not an aisec baseline ({exc}); recreate it with `aisec baseline -o {path}`"
        ) from None


def write_baseline(path: Path, findings: list[Finding], identity: Callable[[str], str]) -> None:
    """Write the baseline; its paths are relative to the project root (`identity`), like the
    fingerprints, so that it reads the same whichever folder it was written from."""
    entries = [
        {"fingerprint": f.fingerprint, "code": f.code, "path": identity(f.path), "message": f.message}
        for f in findings
        if not f.suppressed
    ]
    payload = {"version": 1, "tool": {"name": "aisec", "version": __version__}, "findings": entries}
    import json

    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")


__all__ = [
    "CheckOptions",
    "ConfigError",
    "Outcome",
    "PluginError",
    "Session",
    "UsageError",
    "open_session",
    "run_check",
]
