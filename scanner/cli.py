"""The `aisec` command line: `check`, `rules`, `explain`, `config`, `baseline`, `server`.

`main(argv) -> int` never raises for bad input: configuration, plugin and usage problems are
one line on stderr and exit code 2; findings exit 1; a clean run exits 0. A traceback is shown
only with `-v`.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import io
import os
import sys
from pathlib import Path
from typing import Any, Sequence, TextIO

from aisec.hooks import Applicability, FormatOptions, Severity, printable

from . import __version__
from .config import ConfigError
from .fastpath import COLOR_CHOICES, TableKey
from .lifetime import started
from .outputs import TEXT_FORMATS, Output, OutputError, plan_outputs, statistics
from .pathpolicy import policy_for
from .pluginmanager import NO_LOCAL_PLUGINS_ENV, PluginError
from .progress import Progress, is_terminal, wants_progress
from .projectroot import identity_path, repository_root
from .run import (
    CheckOptions,
    Outcome,
    Session,
    TableFacts,
    UsageError,
    adopt_known,
    open_session,
    run_check,
    write_baseline,
)

SEVERITIES = [s.value for s in Severity]
MAX_JOBS = 256  # more worker processes than this is a typo, not a machine


def _codes(value: str) -> list[str]:
    return [code.strip().upper() for code in value.split(",") if code.strip()]


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        type=Path,
        help="config file (default: nearest pyproject.toml with [tool.aisec], or aisec.toml)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="show tracebacks of internal errors")
    parser.add_argument(
        "--no-local-plugins",
        action="store_true",
        help=f"refuse plugins named in the project's config `plugins` (they import its code); also {NO_LOCAL_PLUGINS_ENV}=1",
    )


def terminal_columns() -> int:
    """The terminal's width as `shutil.get_terminal_size().columns` works it out (`COLUMNS`, else
    the width of the terminal on stdout, else 80), without importing `shutil`, which brings in
    `bz2`, `lzma` and `zlib` (about 1.7 ms of every run that reaches the full path, for this one
    number)."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class _Formatter(argparse.HelpFormatter):
    """argparse's help formatter, asking the terminal's width once per run: `add_argument` makes
    a formatter to check each option's metavar, and each asked `shutil.get_terminal_size` (about
    1 ms of every run's 2 for the parser). The same width `HelpFormatter` works out."""

    _width: int | None = None

    def __init__(
        self, prog: str, indent_increment: int = 2, max_help_position: int = 24, width: int | None = None
    ):
        if width is None:
            if _Formatter._width is None:
                _Formatter._width = terminal_columns() - 2
            width = _Formatter._width
        super().__init__(prog, indent_increment, max_help_position, width)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aisec",
        description="Security scanner for Python code that loads ML models and talks to LLMs.",
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", action="version", version=f"aisec {__version__}")
    commands = parser.add_subparsers(
        dest="command",
        metavar="COMMAND",
        parser_class=functools.partial(argparse.ArgumentParser, formatter_class=_Formatter),
    )

    check = commands.add_parser("check", help="scan files and directories")
    check.add_argument(
        "paths", nargs="*", default=None, help="files or directories (default: .); - reads stdin"
    )
    check.add_argument(
        "--format", help="text (default), concise, json, sarif, github, gitlab, or a plugin's format"
    )
    check.add_argument(
        "--output", type=Path, help="write the --format report to this file (the summary still prints)"
    )
    check.add_argument(
        "--output-format",
        action="append",
        default=[],
        metavar="FORMAT[:FILE]",
        help="one more report, to FILE or stdout (repeatable): --output-format sarif:aisec.sarif",
    )
    check.add_argument(
        "--rule-docs-url",
        metavar="URL",
        help="base URL of aisec's rule pages for SARIF helpUri, e.g. the docs/rules/ folder of your copy (default: config `rule-docs-url`, else no link)",
    )
    check.add_argument(
        "--statistics",
        action="store_true",
        help="print the number of findings per rule instead of each finding",
    )
    check.add_argument(
        "--show-source",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show a code frame under each text finding (default: when stdout is a terminal)",
    )
    check.add_argument(
        "--select", type=_codes, help="comma-separated codes or prefixes to enable (replaces config)"
    )
    check.add_argument(
        "--extend-select", type=_codes, default=[], help="codes or prefixes to enable in addition"
    )
    check.add_argument("--ignore", type=_codes, default=[], help="codes or prefixes to disable")
    check.add_argument("--baseline", type=Path, help="report only findings not in this baseline file")
    check.add_argument("--fix", action="store_true", help="apply safe fixes to the files")
    check.add_argument("--diff", action="store_true", help="print the fixes as a diff; change nothing")
    check.add_argument(
        "--unsafe-fixes", action="store_true", help="with --fix/--diff, also apply unsafe fixes"
    )
    check.add_argument(
        "--artifacts-only",
        action="store_true",
        help="treat every given file as a candidate model artifact, recognised by content (aisec-artifacts hook)",
    )
    check.add_argument("--stdin-filename", help="name to use for source read from stdin")
    check.add_argument("--jobs", "-j", type=int, help="worker processes (default: usable CPUs)")
    check.add_argument("--no-cache", action="store_true", help="neither read nor write the result cache")
    check.add_argument(
        "--cache-dir", type=Path, help="cache folder (default: .aisec_cache in the project root)"
    )
    check.add_argument(
        "--warn-unused-ignores", action="store_true", help="report suppressions that silence nothing (AIS002)"
    )
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even with findings")
    check.add_argument(
        "--fail-on", choices=SEVERITIES, help="lowest severity that fails the run (default: low)"
    )
    check.add_argument("--show-suppressed", action="store_true", help="also show suppressed findings")
    check.add_argument(
        "--force-exclude", action="store_true", help="apply excludes to files named explicitly (pre-commit)"
    )
    check.add_argument("--color", choices=COLOR_CHOICES, default="auto")
    check.add_argument(
        "-q", "--quiet", action="store_true", help="print findings only: no summary, no progress"
    )
    check.add_argument("--no-prefilter", action="store_true", help=argparse.SUPPRESS)
    _add_common(check)

    rules = commands.add_parser("rules", help="list all rules, plugins' included")
    _add_common(rules)
    explain = commands.add_parser("explain", help="show a rule's documentation")
    explain.add_argument("code")
    _add_common(explain)
    config = commands.add_parser(
        "config", help="show the effective configuration and why each rule is on or off"
    )
    config.add_argument("paths", nargs="*", default=None, help="the paths whose project to show (default: .)")
    _add_common(config)
    baseline = commands.add_parser("baseline", help="write the current findings to a baseline file")
    baseline.add_argument("paths", nargs="*", default=None)
    baseline.add_argument("-o", "--output", type=Path, required=True)
    _add_common(baseline)
    server = commands.add_parser(
        "server", help="run the language server (LSP over stdio) for editors; needs the lsp extra"
    )
    server.add_argument("-v", "--verbose", action="store_true", help="show tracebacks of internal errors")
    return parser


def _use_color(choice: str, stream: object) -> bool:
    """Colour only: `NO_COLOR` and `--color never` keep code frames (`--show-source` decides)."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return is_terminal(stream)


def _error(message: str) -> int:
    print(f"aisec: error: {printable(message)}", file=sys.stderr)
    return 2


def main(
    argv: Sequence[str] | None = None,
    *,
    table: TableKey | None = None,
    known: dict[str, Any] | None = None,
    tables: bool = False,
) -> int:
    """Run one command. `table`: the fast path found no valid trigger table for this `check`
    run's key; it is written after the run (`triggertable.save`). `known`: what
    the fast path read from this run's valid table about its taint catalog (`fastpath.Declined`),
    taken instead of being worked out again (`run.adopt_known`). `tables` (the console script):
    with neither, a `check` run reads the table of its own key when it first checks a file, and
    writes it when there is none (`run.TableFacts`)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help/--version (0) or a usage error (2, already printed)
        return exc.code if isinstance(exc.code, int) else 2
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return _dispatch(args, table, known, tables)
    except BrokenPipeError:  # `aisec rules | head`: the reader has gone, nothing is wrong
        detach_stdout()
        return 0
    except (ConfigError, PluginError, UsageError, OutputError) as exc:
        return _error(str(exc))
    except KeyboardInterrupt:
        return 130
    except SystemExit as exc:  # only third-party code calls exit() below here
        return _error(f"a plugin called exit({exc.code!r}); rerun with -v to see where")
    except Exception as exc:  # an aisec bug: one line, the traceback only with -v
        if args.verbose:
            raise
        return _error(
            f"internal error: {type(exc).__name__}: {exc} (rerun with -v for the traceback and report it)"
        )


def _dispatch(
    args: argparse.Namespace,
    table: TableKey | None = None,
    known: dict[str, Any] | None = None,
    tables: bool = False,
) -> int:
    cwd = Path.cwd()
    if args.command == "check":
        return _check(args, cwd, table, known, tables)
    if args.command == "server":
        from .server import serve  # imports pygls: only for this command

        return serve()
    paths = getattr(args, "paths", None) or ["."]
    options = CheckOptions(
        paths=paths, config_file=args.config, allow_local_plugins=_allow_local_plugins(args)
    )
    session = open_session(options, cwd)
    if args.command == "rules":
        return _rules(session)
    if args.command == "explain":
        return _explain(session, args.code)
    if args.command == "config":
        return _config(session, args.paths or [], cwd)
    return _baseline(args, session, options, cwd)


def _allow_local_plugins(args: argparse.Namespace) -> bool:
    refuse = os.environ.get(NO_LOCAL_PLUGINS_ENV, "").strip().lower() not in ("", "0", "false", "no")
    return not (args.no_local_plugins or refuse)


def _announce_local_plugins(session: Session, args: argparse.Namespace) -> None:
    """Say which plugins came from the project's config: they run with the user's permissions."""
    if getattr(args, "quiet", False):
        return
    for name, source in session.registry.plugin_sources.items():
        if source == "config `plugins`":
            print(
                f"aisec: note: loaded plugin {name!r} named in {session.config.display_path} "
                "(runs the project's code; --no-local-plugins refuses it)",
                file=sys.stderr,
            )


def _check_options(args: argparse.Namespace) -> CheckOptions:
    if args.jobs is not None and not 1 <= args.jobs <= MAX_JOBS:
        raise UsageError(f"--jobs must be between 1 and {MAX_JOBS}, got {args.jobs}")
    reads_stdin = args.paths == ["-"] or bool(args.stdin_filename and not args.paths)
    if args.artifacts_only and reads_stdin:
        raise UsageError("--artifacts-only inspects files by path; it cannot read stdin")
    if args.unsafe_fixes and not (args.fix or args.diff):
        raise UsageError("--unsafe-fixes goes with --fix or --diff")
    if args.rule_docs_url is not None and not args.rule_docs_url.startswith(("https://", "http://")):
        raise UsageError(f"--rule-docs-url must be an http(s) URL, got {args.rule_docs_url!r}")
    fix = None
    if args.fix or args.diff:
        fix = Applicability.UNSAFE if args.unsafe_fixes else Applicability.SAFE
    paths = args.paths or (["-"] if args.stdin_filename else ["."])
    return CheckOptions(
        paths=paths,
        select=args.select,
        extend_select=args.extend_select,
        ignore=args.ignore,
        config_file=args.config,
        baseline=args.baseline,
        fix=fix,
        diff=args.diff,
        stdin_filename=args.stdin_filename,
        jobs=args.jobs,
        force_exclude=args.force_exclude,
        warn_unused_ignores=args.warn_unused_ignores,
        show_suppressed=args.show_suppressed,
        fail_on=Severity(args.fail_on) if args.fail_on else None,
        use_prefilter=not args.no_prefilter,
        want_fix_diffs=any(spec.partition(":")[0] not in TEXT_FORMATS for spec in args.output_format)
        or (args.format or "text") not in TEXT_FORMATS,
        use_cache=not args.no_cache,
        artifacts_only=args.artifacts_only,
        cache_dir=args.cache_dir,
        allow_local_plugins=_allow_local_plugins(args),
    )


def _check(
    args: argparse.Namespace,
    cwd: Path,
    table: TableKey | None = None,
    known: dict[str, Any] | None = None,
    tables: bool = False,
) -> int:
    options = _check_options(args)
    session = open_session(options, cwd)
    if known is not None:
        adopt_known(session, known)
    if table is None and known is None and tables and not options.artifacts_only:
        session.table_facts = TableFacts(session, options, os.environ)
    _announce_local_plugins(session, args)
    outputs = plan_outputs(args.format, args.output, args.output_format, list(session.registry.formatters))
    stdin = None
    if options.paths == ["-"]:
        stdin = sys.stdin.buffer.read()
    elif "-" in options.paths:
        raise UsageError("`-` (stdin) cannot be mixed with other paths")
    progress = Progress(sys.stderr) if stdin is None and wants_progress(sys.stderr, args.quiet) else None
    started()  # the console script's collector pause ends (`lifetime`)
    try:
        outcome = run_check(session, options, cwd, stdin, progress)
    finally:
        if progress is not None:
            progress.close()
    code = _finish(outcome, args)
    try:
        _write_outputs(args, session, outputs, outcome, cwd, stdin)
        sys.stdout.flush()
    except BrokenPipeError:  # `aisec check | head`: end quietly, with the run's exit code
        detach_stdout()
    except OSError as exc:  # a full disk, a device error: the report is lost, and the run says so
        detach_stdout()
        raise UsageError(
            f"cannot write the report to standard output: {exc.strerror or exc}; "
            "free the space or write it to a file with --output"
        ) from None
    summary = outcome.report.summary
    if table is not None:  # after the run: its table holds the walk's orders if it parsed a file
        from .triggertable import save

        save(table, session, walk_orders=summary.parsed > 0)
    elif session.table_facts is not None and summary.files > summary.cached:
        # files were checked: the next run takes the facts
        session.table_facts.write_if_missing(walk_orders=summary.parsed > 0)
    return code


def _write_outputs(
    args: argparse.Namespace,
    session: Session,
    outputs: list[Output],
    outcome: Outcome,
    cwd: Path,
    stdin: bytes | None,
) -> None:
    """Render every output. With `--fix` on stdin, stdout carries the source (fixed or not) and
    nothing else, so an editor's fix-on-save never replaces a buffer with a report; the report
    goes to stderr then. With `--diff`, stdout carries the diff instead of the report."""
    console = sys.stdout
    if stdin is not None and args.fix and not args.diff:
        if outcome.diffs:
            console.write("".join(outcome.diffs))
        else:
            console.flush()
            console.buffer.write(stdin)
        console = sys.stderr
    elif outcome.diffs:
        console.write("".join(outcome.diffs))
        if args.diff:
            console = None  # the diff is what stdout shows
    root = str(repository_root(session.config.root))
    for output in outputs:
        target = console if output.file is None else None
        if output.file is None and target is None:
            continue
        rendered = _render_output(args, session, output, outcome, cwd, root, target)
        if output.file is None:
            target.write(rendered)
            continue
        try:
            output.file.write_text(rendered, encoding="utf-8")
        except OSError as exc:
            raise UsageError(
                f"{output.file}: cannot write the report: {exc.strerror or exc}; check --output/--output-format"
            ) from None
    if console is not None and all(output.file is not None for output in outputs) and not args.quiet:
        console.write(_summary_line(session, outcome, cwd) + "\n")
    if outcome.fixed and args.fix and not args.quiet:
        print(f"Fixed {outcome.fixed} finding{'s' if outcome.fixed != 1 else ''}.", file=sys.stderr)


def _render_output(
    args: argparse.Namespace,
    session: Session,
    output: Output,
    outcome: Outcome,
    cwd: Path,
    root: str,
    target: TextIO | None,
) -> str:
    formatter = session.registry.formatters[output.format]
    terminal = target is not None and is_terminal(target)
    color = target is not None and _use_color(args.color, target)
    show_source = args.show_source if args.show_source is not None else terminal
    fmt_options = FormatOptions(
        color=color,
        show_source=show_source,
        cwd=str(cwd),
        root=root,
        rule_docs_url=args.rule_docs_url or session.config.rule_docs_url,
    )
    if args.statistics and output.is_text:
        lines = statistics(outcome.report)
        if not args.quiet:
            lines.append(_summary_line(session, outcome, cwd))
        return "".join(line + "\n" for line in lines)
    rendered = _render(formatter, output.format, session, outcome, fmt_options)
    if args.quiet and output.format == "text":
        rendered = "".join(line + "\n" for line in rendered.splitlines()[:-1])
    return rendered


def _summary_line(session: Session, outcome: Outcome, cwd: Path) -> str:
    """The text format's closing line (`Found 3 findings ...` / `No findings in 12 files.`)."""
    empty = dataclasses.replace(outcome.report, sources={})
    text = session.registry.formatters["text"](empty, FormatOptions(cwd=str(cwd)))
    return text.rstrip("\n").rsplit("\n", 1)[-1]


def detach_stdout() -> None:
    """Point stdout at /dev/null, so that the interpreter's final flush does not fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        pass  # not a real file descriptor (tests): nothing to flush at exit
    finally:
        os.close(devnull)


def _render(formatter: Any, name: str, session: Session, outcome: Outcome, options: FormatOptions) -> str:
    """The report in the chosen format; a formatter plugin that fails is a PluginError naming it."""
    try:
        rendered = formatter(outcome.report, options)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:
        plugin = session.registry.formatter_plugins.get(name, "?")
        raise PluginError(
            f"plugin {plugin!r}, output format {name!r} raised {type(exc).__name__}: {exc}"
        ) from None
    if not isinstance(rendered, str):
        plugin = session.registry.formatter_plugins.get(name, "?")
        raise PluginError(
            f"plugin {plugin!r}, output format {name!r} returned {type(rendered).__name__}, not text"
        )
    return rendered


def _finish(outcome: Outcome, args: argparse.Namespace) -> int:
    """Print the run's warnings, notes (-v) and errors to stderr and decide the exit code."""
    for warning in outcome.warnings:
        print(f"aisec: warning: {printable(warning)}", file=sys.stderr)
    if args.verbose:
        for note in outcome.notes:
            print(f"aisec: note: {note}", file=sys.stderr)
    for error in outcome.report.errors:
        print(f"aisec: error: {printable(error.path)}: {printable(error.message)}", file=sys.stderr)
    code = outcome.exit_code
    if code == 0 and args.diff and outcome.diffs:
        code = 1  # --diff changes nothing: the fixable findings are still in the files
    if args.exit_zero and code == 1:
        return 0
    return code


def _rules(session: Session) -> int:
    registry = session.registry
    reasons = session.reasons
    rows = [("CODE", "NAME", "SEVERITY", "STATE", "PLUGIN")]
    for code in sorted(registry.rules):
        rule = registry.rules[code]
        rows.append((code, rule.name, str(rule.severity), reasons.get(code, ""), registry.rule_plugins[code]))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    return 0


def _explain(session: Session, code: str) -> int:
    from .docs import render_rule

    rule = session.registry.rules.get(code.upper())
    if rule is None:
        raise UsageError(f"unknown rule {code!r}; `aisec rules` lists the codes")
    print(render_rule(rule))
    return 0


def _config(session: Session, paths: list[str], cwd: Path) -> int:
    config = session.config
    registry = session.registry
    # paths and patterns come from the project: escaped like every other reported string
    print(printable(f"config file: {config.display_path}"))
    print(printable(f"project root: {config.root}"))
    print(f"fail-on: {config.fail_on}")
    print(printable(f"exclude (code files and model artifacts): {', '.join(config.excludes)}"))
    for pattern, codes in config.per_file_ignores.items():
        print(printable(f"per-file-ignores: {pattern} -> {', '.join(codes)}"))
    for path in paths:
        policy = policy_for(path, config, cwd)
        if policy.excluded_by is not None:
            state = (
                f"excluded by {policy.excluded_by!r} (named files too with --force-exclude, as the hooks run)"
            )
        else:
            state = "checked"
        ignores = "; ".join(
            f"{', '.join(codes)} ignored by {pattern!r}" for pattern, codes in policy.ignores.items()
        )
        print(printable(f"path {policy.path}: {state}" + (f"; {ignores}" if ignores else "")))
    print("plugins:")
    for name, source in registry.plugin_sources.items():
        print(f"  {name} ({source})")
    print("rules:")
    for code in sorted(registry.rules):
        state = "on " if registry.rules[code] in session.enabled else "off"
        print(f"  {code} {state} ({session.reasons[code]})")
    return 0


def _baseline(args: argparse.Namespace, session: Session, options: CheckOptions, cwd: Path) -> int:
    outcome = run_check(session, options, cwd)
    write_baseline(
        args.output, outcome.report.findings, lambda path: identity_path(path, cwd, session.config.root)
    )
    count = len([f for f in outcome.report.findings if not f.suppressed])
    print(f"Wrote {count} finding{'s' if count != 1 else ''} to {args.output}.", file=sys.stderr)
    for error in outcome.report.errors:
        print(f"aisec: error: {printable(error.path)}: {printable(error.message)}", file=sys.stderr)
    return 2 if outcome.report.errors else 0
