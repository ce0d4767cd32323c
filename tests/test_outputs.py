"""What `aisec check` prints and where: editors' fix-on-save, CI jobs with several reports,
terminals (colour, code frames, progress) and pipes. Process-level behaviour (pipes, terminals)
is tested on real `aisec` processes."""

from __future__ import annotations

import io
import json
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest
from aisec import progress

PICKLE = "import pickle\nobj = pickle.loads(blob)\n"
YAML = "import yaml\ncfg = yaml.load(stream)\n"
CLEAN = "import json\ncfg = json.loads(text)\n"
PICKLE_LINE = "obj = pickle.loads(blob)"


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR", "PYTHONPATH")}
    env.update(extra)
    return env


def aisec(*args: str, cwd: Path, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aisec", *args],
        cwd=cwd,
        env=_env(**env),
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        timeout=120,
    )


def on_terminal(args: list[str], cwd: Path, *, stream: str, **env: str) -> tuple[int, str, str]:
    """Run aisec with stdout or stderr on a pseudo-terminal; (exit code, terminal text, other stream)."""
    primary, secondary = pty.openpty()
    other = subprocess.PIPE
    process = subprocess.Popen(
        [sys.executable, "-m", "aisec", *args],
        cwd=cwd,
        env=_env(TERM="xterm", **env),
        stdin=subprocess.DEVNULL,
        stdout=secondary if stream == "stdout" else other,
        stderr=secondary if stream == "stderr" else other,
    )
    os.close(secondary)
    chunks = []
    while True:
        ready, _, _ = select.select([primary], [], [], 60)
        if not ready:
            break
        try:
            data = os.read(primary, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(primary)
    pipe = process.stderr if stream == "stdout" else process.stdout
    rest = pipe.read().decode() if pipe is not None else ""
    code = process.wait(timeout=60)
    return code, b"".join(chunks).decode().replace("\r\n", "\n"), rest


# ----- editors: --fix on stdin -----


@pytest.mark.parametrize(
    ("source", "code"),
    [
        (PICKLE, 1),  # a finding without a fix: the source comes back unchanged
        (CLEAN, 0),  # nothing to report at all
        ("# -*- coding: latin-1 -*-\nimport pickle\nx = pickle.loads(b)  # caf\xe9\n", 1),
    ],
)
def test_stdin_fix_prints_the_source_and_nothing_else(tmp_path: Path, source: str, code: int) -> None:
    result = aisec("check", "--fix", "--stdin-filename", "app.py", "-", cwd=tmp_path, stdin=source)
    assert result.returncode == code
    assert result.stdout == source
    if code:
        assert "app.py:" in result.stderr and "AIS101" in result.stderr  # the report, on stderr


def test_stdin_fix_prints_the_fixed_source_and_reports_on_stderr(tmp_path: Path) -> None:
    result = aisec(
        "check",
        "--fix",
        "--unsafe-fixes",
        "--stdin-filename",
        "app.py",
        "-",
        cwd=tmp_path,
        stdin=YAML + PICKLE,
    )
    assert result.stdout == "import yaml\ncfg = yaml.safe_load(stream)\n" + PICKLE
    assert result.returncode == 1  # the pickle finding is still there
    assert "AIS101" in result.stderr and "AIS105" not in result.stderr


def test_stdin_fix_with_a_json_format_keeps_stdout_for_the_source(tmp_path: Path) -> None:
    result = aisec(
        "check", "--fix", "--format", "json", "--stdin-filename", "a.py", "-", cwd=tmp_path, stdin=PICKLE
    )
    assert result.stdout == PICKLE
    assert json.loads(result.stderr.split("\naisec: ")[0])["findings"][0]["code"] == "AIS101"


# ----- CI: several outputs, the summary with --output -----


def test_output_file_keeps_the_summary_on_the_console(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(PICKLE)
    result = aisec("check", "--format", "sarif", "--output", "aisec.sarif", ".", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == "Found 1 finding (1 high) in 1 file.\n"
    assert json.loads((tmp_path / "aisec.sarif").read_text())["version"] == "2.1.0"


def test_several_outputs_in_one_run(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(PICKLE)
    result = aisec(
        "check", "--output-format", "sarif:results.sarif", "--output-format", "text", "--output-format",
        "gitlab:gl.json", ".", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stdout.startswith("a.py:2:7: AIS101 [high]") and "Found 1 finding" in result.stdout
    sarif = json.loads((tmp_path / "results.sarif").read_text())
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["AIS101"]
    assert [i["check_name"] for i in json.loads((tmp_path / "gl.json").read_text())] == ["AIS101"]


def test_format_and_output_still_work_next_to_output_format(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(PICKLE)
    result = aisec(
        "check",
        "--format",
        "json",
        "--output",
        "r.json",
        "--output-format",
        "github:gh.txt",
        ".",
        cwd=tmp_path,
    )
    assert result.stdout == "Found 1 finding (1 high) in 1 file.\n"
    assert json.loads((tmp_path / "r.json").read_text())["findings"][0]["code"] == "AIS101"
    assert (tmp_path / "gh.txt").read_text().startswith("::error file=a.py,")


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["--output-format", "text", "--output-format", "json"], "only one output can go to stdout"),
        (["--output-format", "yaml:x.yaml"], "unknown --format 'yaml'"),
        (["--output-format", "sarif:a.out", "--output-format", "json:a.out"], "same file"),
        (["--output-format", "sarif:"], "FORMAT:FILE"),
    ],
)
def test_bad_output_specs_are_usage_errors(tmp_path: Path, args: list[str], complaint: str) -> None:
    (tmp_path / "a.py").write_text(PICKLE)
    result = aisec("check", *args, ".", cwd=tmp_path)
    assert result.returncode == 2
    assert complaint in result.stderr and result.stdout == ""
    assert "Traceback" not in result.stderr


# ----- terminals: colour, code frames, progress -----


def test_no_color_keeps_code_frames_on_a_terminal(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(PICKLE)
    code, screen, _ = on_terminal(["check", "a.py"], tmp_path, stream="stdout", NO_COLOR="1")
    assert code == 1
    assert f"2 | {PICKLE_LINE}" in screen and "^^^^" in screen
    assert "\x1b[" not in screen
    code, screen, _ = on_terminal(["check", "a.py"], tmp_path, stream="stdout")
    assert "\x1b[" in screen and f"2 | {PICKLE_LINE}" in screen  # colour and frames by default
    code, screen, _ = on_terminal(["check", "--no-show-source", "a.py"], tmp_path, stream="stdout")
    assert f"2 | {PICKLE_LINE}" not in screen


def test_show_source_in_a_pipe(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(PICKLE)
    assert f"2 | {PICKLE_LINE}" not in aisec("check", "a.py", cwd=tmp_path).stdout
    shown = aisec("check", "--show-source", "a.py", cwd=tmp_path).stdout
    assert f"2 | {PICKLE_LINE}" in shown and "\x1b[" not in shown


def test_progress_on_a_terminal_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli) -> None:
    for index in range(3):
        (tmp_path / f"m{index}.py").write_text(PICKLE)

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(progress, "DELAY_SECONDS", 0.0)
    monkeypatch.setattr(progress, "REDRAW_SECONDS", 0.0)
    monkeypatch.setenv("TERM", "xterm")
    for args, shown in ((["check", "."], True), (["check", "-q", "."], False)):
        terminal = Terminal()
        monkeypatch.setattr(sys, "stderr", terminal)
        assert run_cli(args, cwd=tmp_path).code == 1
        text = terminal.getvalue()
        assert ("aisec: checking 3/3 files" in text) is shown, text
        if shown:
            assert "aisec: finding files" in text
            assert text.endswith("\r\x1b[K")  # erased at the end: nothing stays in the scrollback
    # not a terminal: nothing, whatever the delay
    result = aisec("check", ".", cwd=tmp_path)
    assert "aisec:" not in result.stderr


def test_progress_waits_before_drawing() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    bar = progress.Progress(terminal, delay=60)
    bar("checking", 1, 10)
    bar.close()
    assert terminal.getvalue() == ""  # a fast run (a pre-commit hook) prints nothing


# ----- pipes -----


@pytest.mark.parametrize(
    ("args", "code"),
    [(["check", "--no-cache", "big.py"], 1), (["check", "--no-cache", "small.py"], 1), (["rules"], 0)],
)
def test_closed_pipe_ends_quietly_with_the_exit_code(tmp_path: Path, args: list[str], code: int) -> None:
    """`aisec check | true`: the reader is gone before aisec writes (big or small output)."""
    lines = "".join(f"obj{i} = pickle.loads(blob{i})\n" for i in range(800))
    (tmp_path / "big.py").write_text("import pickle\n" + lines)
    (tmp_path / "small.py").write_text(PICKLE)
    process = subprocess.Popen(
        [sys.executable, "-m", "aisec", *args],
        cwd=tmp_path,
        env=_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    err = process.stderr.read().decode()
    assert process.wait(timeout=120) == code
    assert err == ""


# ----- statistics and the fix hint -----


def test_statistics(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(PICKLE + "other = pickle.loads(more)\n" + YAML)
    result = aisec("check", "--statistics", ".", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "2  AIS101  [ ] pickle-load",
        "1  AIS105  [*] yaml-unsafe-load",
        "Found 3 findings (3 high) in 1 file. 1 fixable with --fix --unsafe-fixes (no safe fixes); see them with --diff --unsafe-fixes.",
    ]


def test_fix_hint_when_every_fix_is_unsafe(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(YAML)
    result = aisec("check", ".", cwd=tmp_path)
    summary = result.stdout.splitlines()[-1]
    assert "fixable with --fix --unsafe-fixes (no safe fixes)" in summary
    # and what the hint says is true: --fix alone changes nothing, with --unsafe-fixes it fixes
    assert aisec("check", "--fix", ".", cwd=tmp_path).returncode == 1
    assert (tmp_path / "a.py").read_text() == YAML
    assert aisec("check", "--fix", "--unsafe-fixes", ".", cwd=tmp_path).returncode == 0


def test_fix_hint_counts_safe_and_unsafe_apart(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\nversion = "1"\ndependencies = ["torch>=2.6"]\n'
    )
    (tmp_path / "a.py").write_text("import torch\nm = torch.load(p)\n" + YAML)
    summary = aisec("check", ".", cwd=tmp_path).stdout.splitlines()[-1]
    assert "1 fixable with --fix, 1 more with --fix --unsafe-fixes" in summary
