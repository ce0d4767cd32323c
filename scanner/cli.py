"""The `aisec` command line: `check`, `rules`, `explain`, `config`, `baseline`, `server`.

`main(argv) -> int` never raises for bad input: configuration, plugin and usage problems are
one line on stderr and exit code 2; findings exit 1; a clean run exits 0. A traceback is shown
only with `-v`.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any, Sequence

from aisec.hooks import Applicability, FormatOptions, Severity, printable

from . import __version__
from .config import ConfigError
from .pluginmanager import NO_LOCAL_PLUGINS_ENV, PluginError
from .run import CheckOptions, Outcome, Session, UsageError, open_session, run_check, write_baseline

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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aisec", description="Security scanner for Python code that loads ML models and talks to LLMs."
    )
    parser.add_argument("--version", action="version", version=f"aisec {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser("check", help="scan files and directories")
    check.add_argument(
        "paths", nargs="*", default=None, help="files or directories (default: .); - reads stdin"
    )
    check.add_argument(
        "--format", default="text", help="text, concise, json, sarif, github, gitlab, or a plugin's format"
    )
    check.add_argument("--output", type=Path, help="write the report to this file")
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
    check.add_argument("--color", choices=["auto", "always", "never"], default="auto")
    check.add_argument("-q", "--quiet", action="store_true", help="print findings only, no summary")
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
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return bool(getattr(stream, "isatty", lambda: False)()) and os.environ.get("TERM") != "dumb"


def _error(message: str) -> int:
    print(f"aisec: error: {printable(message)}", file=sys.stderr)
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help/--version (0) or a usage error (2, already printed)
        return exc.code if isinstance(exc.code, int) else 2
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return _dispatch(args)
    except (ConfigError, PluginError, UsageError) as exc:
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


def _dispatch(args: argparse.Namespace) -> int:
    cwd = Path.cwd()
    if args.command == "check":
        return _check(args, cwd)
    if args.command == "server":
        from .server import serve  # imports pygls: only for this command

        return serve()
    options = CheckOptions(config_file=args.config, allow_local_plugins=_allow_local_plugins(args))
    session = open_session(options, cwd)
    if args.command == "rules":
        return _rules(session)
    if args.command == "explain":
        return _explain(session, args.code)
    if args.command == "config":
        return _config(session)
    return _baseline(args, session, cwd)


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
    fix = None
    if args.fix or args.diff:
        fix = Applicability.UNSAFE if args.unsafe_fixes else Applicability.SAFE
    paths = args.paths or ["."]
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
        want_fix_diffs=args.format not in ("text", "concise"),
        use_cache=not args.no_cache,
        artifacts_only=args.artifacts_only,
        cache_dir=args.cache_dir,
        allow_local_plugins=_allow_local_plugins(args),
    )


def _check(args: argparse.Namespace, cwd: Path) -> int:
    options = _check_options(args)
    session = open_session(options, cwd)
    _announce_local_plugins(session, args)
    formatter = session.registry.formatters.get(args.format)
    if formatter is None:
        raise UsageError(
            f"unknown --format {args.format!r}; available: {', '.join(sorted(session.registry.formatters))}"
        )
    stdin = None
    if options.paths == ["-"] or (args.stdin_filename and not args.paths):
        stdin = sys.stdin.buffer.read()
    elif "-" in options.paths:
        raise UsageError("`-` (stdin) cannot be mixed with other paths")
    outcome = run_check(session, options, cwd, stdin)
    out = sys.stdout
    color = _use_color(args.color, out) and args.output is None
    fmt_options = FormatOptions(color=color, show_source=color, cwd=str(cwd))
    if outcome.diffs:
        out.write("".join(outcome.diffs))
        if stdin is not None and not args.diff:
            return _finish(outcome, args)  # the fixed source went to stdout, as editors expect
    rendered = _render(formatter, args.format, session, outcome, fmt_options)
    if args.quiet and args.format == "text":
        rendered = "".join(line + "\n" for line in rendered.splitlines()[:-1])
    if args.output is not None:
        try:
            args.output.write_text(rendered, encoding="utf-8")
        except OSError as exc:
            raise UsageError(
                f"{args.output}: cannot write the report: {exc.strerror or exc}; check --output"
            ) from None
    elif not (outcome.diffs and args.diff):
        out.write(rendered)
    if outcome.fixed and args.fix and not args.quiet:
        print(f"Fixed {outcome.fixed} finding{'s' if outcome.fixed != 1 else ''}.", file=sys.stderr)
    return _finish(outcome, args)


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


def _config(session: Session) -> int:
    config = session.config
    registry = session.registry
    # paths and patterns come from the project: escaped like every other reported string
    print(printable(f"config file: {config.display_path}"))
    print(printable(f"project root: {config.root}"))
    print(f"fail-on: {config.fail_on}")
    print(printable(f"exclude: {', '.join(config.excludes)}"))
    for pattern, codes in config.per_file_ignores.items():
        print(printable(f"per-file-ignores: {pattern} -> {', '.join(codes)}"))
    print("plugins:")
    for name, source in registry.plugin_sources.items():
        print(f"  {name} ({source})")
    print("rules:")
    for code in sorted(registry.rules):
        state = "on " if registry.rules[code] in session.enabled else "off"
        print(f"  {code} {state} ({session.reasons[code]})")
    return 0


def _baseline(args: argparse.Namespace, session: Session, cwd: Path) -> int:
    options = CheckOptions(paths=args.paths or ["."], config_file=args.config)
    outcome = run_check(session, options, cwd)
    write_baseline(args.output, outcome.report.findings)
    count = len([f for f in outcome.report.findings if not f.suppressed])
    print(f"Wrote {count} finding{'s' if count != 1 else ''} to {args.output}.", file=sys.stderr)
    for error in outcome.report.errors:
        print(f"aisec: error: {printable(error.path)}: {printable(error.message)}", file=sys.stderr)
    return 2 if outcome.report.errors else 0


def console_main() -> None:
    """Entry point of the `aisec` console script."""
    raise SystemExit(main())
