"""The server's text plumbing, attacked directly: diffs to edits, suppression comments,
positions, and the promise that `aisec check` never imports the LSP packages."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from aisec.textdiff import NO_NEWLINE, unified_diff
from lsp_support import need_module

need_module("lsprotocol")

from aisec.server.edits import (  # noqa: E402
    apply_changes,
    diff_changes,
    line_column,
    suppression_change,
    to_text_changes,
)

CASES = [
    ("a = 1\nb = 2\nc = 3\n", "a = 1\nb = 20\nc = 3\n"),
    ("a = 1\nb = 2", "a = 1\nb = 3"),  # no final newline, last line changed
    ("a = 1\nb = 2", "a = 1\nb = 2\nc = 3"),  # lines appended after an unterminated line
    ("x\n" * 20 + "y = f(p)\n" + "z\n" * 20, "x\n" * 20 + "y = f(p, safe=True)\n" + "z\n" * 20),
    ("a\r\nb\r\nc\r\n", "a\r\nB\r\nc\r\n"),  # CRLF kept
    ("one\ntwo\nthree\nfour\n", "zero\none\ntwo\nthree\n"),  # insert at the top, drop at the end
    ("-- x\n--- y\n+++ z\n", "-- x\n--- Y\n+++ z\n"),  # content that looks like diff headers
]


@pytest.mark.parametrize(("before", "after"), CASES)
def test_a_fix_diff_applied_as_edits_gives_the_fixed_text(before: str, after: str) -> None:
    changes = diff_changes(before, unified_diff("f.py", before, after))
    assert changes is not None
    assert apply_changes(before, to_text_changes(before, changes)) == after


def test_a_missing_final_newline_is_marked_like_git() -> None:
    diff = unified_diff("f.py", "a\nb", "a\nc")
    assert diff.endswith(f"-b\n{NO_NEWLINE}+c\n{NO_NEWLINE}")


def test_a_diff_of_other_text_is_refused() -> None:
    diff = unified_diff("f.py", "a = 1\nb = 2\n", "a = 1\nb = 3\n")
    assert diff_changes("a = 1\nb = 5\n", diff) is None
    assert diff_changes("a = 1\n", diff) is None


def test_suppression_goes_at_the_end_of_the_line() -> None:
    text = "import pickle\nx = pickle.loads(b)\n"
    change = suppression_change(text, 1, "AIS101")
    assert (
        apply_changes(text, [change])
        == "import pickle\nx = pickle.loads(b)  # aisec: ignore[AIS101] <reason>\n"
    )


def test_suppression_joins_an_existing_aisec_comment() -> None:
    text = "x = load(b)  # aisec: ignore[AIS102] checked upstream\n"
    result = apply_changes(text, [suppression_change(text, 0, "AIS101")])
    assert result == "x = load(b)  # aisec: ignore[AIS102,AIS101] checked upstream\n"


def test_suppression_goes_before_another_tools_comment() -> None:
    # after a noqa comment it would not count: the first directive of a comment is the one read
    text = "x = pickle.loads(b)  # no" + "qa: E501\n"
    result = apply_changes(text, [suppression_change(text, 0, "AIS101")])
    assert result == "x = pickle.loads(b)  # aisec: ignore[AIS101] <reason>  # no" + "qa: E501\n"


def test_no_suppression_inside_a_string() -> None:
    # lines 1 and 2 end inside a triple-quoted string: a `#` there is text, not a comment
    text = 'x = pickle.loads("""\npayload\n""")\n'
    assert suppression_change(text, 0, "AIS101") is None
    assert suppression_change(text, 1, "AIS101") is None
    assert apply_changes(text, [suppression_change(text, 2, "AIS101")]).endswith(
        '""")  # aisec: ignore[AIS101] <reason>\n'
    )
    assert suppression_change(text, 10, "AIS101") is None  # past the end


def test_positions_count_only_lsp_line_breaks() -> None:
    text = "a\x0cb\r\nc\rd\n"  # a form feed is not a line break for LSP
    assert line_column(text, text.index("b")) == (0, 2)
    assert line_column(text, text.index("c")) == (1, 0)
    assert line_column(text, text.index("d")) == (2, 0)


def test_check_never_imports_the_lsp_packages(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("import pickle\npickle.loads(b)\n", encoding="utf-8")
    probe = (
        "import sys\nfrom aisec.cli import main\n"
        f"main(['check', '--no-cache', '-q', {str(tmp_path / 'app.py')!r}])\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pygls', 'lsprotocol', 'aisec.server')))\n"
    )
    completed = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert completed.stdout.strip().splitlines()[-1] == "[]"


def test_server_without_the_lsp_extra_is_a_one_line_error() -> None:
    probe = (
        "import sys\nsys.modules['pygls'] = None\nfrom aisec.cli import main\nsys.exit(main(['server']))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL
    )
    assert completed.returncode == 2
    assert completed.stderr.startswith(
        "aisec: error: `aisec server` needs the lsp extra: pip install 'aisec[lsp]'"
    )
    assert len(completed.stderr.strip().splitlines()) == 1
