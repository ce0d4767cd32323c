"""Inline suppressions, end to end through `aisec check`."""

from __future__ import annotations

import pytest
from aisec.suppressions import find_suppressions


def check(tree, run_cli, source: str, *extra: str):
    root = tree({"a.py": source})
    result = run_cli(["check", "--format", "json", *extra, "a.py"], cwd=root)
    data = result.json()
    return result.code, [(f["line"], f["code"]) for f in data["findings"]], data


def reported_lines(tree, run_cli, source: str, *extra: str) -> list[int]:
    _, found, _ = check(tree, run_cli, source, *extra)
    return [line for line, code in found if code == "AIS101"]


@pytest.mark.parametrize(
    "source",
    [
        "import pickle\nobj = pickle.loads(b)  # aisec: ignore[AIS101] reviewed: our own cache\n",
        "import pickle\nobj = pickle.loads(b)  # aisec:ignore[AIS101]\n",
        "import pickle\nobj = pickle.loads(b)  # AISEC: IGNORE[ais101] shouting\n",
        "import pickle\nobj = pickle.loads(b)  # aisec: ignore[AIS105, AIS101] two codes\n",
        "import pickle\nobj = pickle.loads(b)  # noqa: AIS101\n",
        "import pickle\nobj = pickle.loads(b)  # noqa: E501, AIS101\n",
        "import pickle\nobj = pickle.loads(b)  # aisec: ignore[AIS1] whole family\n",
        "import pickle\nobj = pickle.loads(b)  # aisec: ignore[AIS] all of ours\n",
        # first line of a multi-line statement
        "import pickle\nobj = pickle.loads(  # aisec: ignore[AIS101]\n    blob,\n)\n",
        # the reported line inside a multi-line statement
        "import pickle\nobj = wrap(\n    pickle.loads(blob),  # aisec: ignore[AIS101]\n)\n",
        # comment-only line directly above the statement
        "import pickle\n# aisec: ignore[AIS101] fixture data we produce\nobj = pickle.loads(b)\n",
        "import pickle\n\ndef f(b):\n    # noqa: AIS101\n    return pickle.loads(\n        b,\n    )\n",
    ],
)
def test_suppressed(tree, run_cli, source: str) -> None:
    code, found, data = check(tree, run_cli, source)
    assert found == [], found
    assert code == 0
    assert data["summary"]["findings"] == 0


@pytest.mark.parametrize(
    "source",
    [
        "import pickle\nobj = pickle.loads(b)  # noqa\n",
        "import pickle\nobj = pickle.loads(b)  # aisec: ignore\n",
        "import pickle\nobj = pickle.loads(b)  # aisec: ignore[]\n",
        "import pickle\nobj = pickle.loads(b)  # aisec: ignore reviewed\n",
        "import pickle\nobj = pickle.loads(b)  # noqa: E501\n",
        "import pickle\nobj = pickle.loads(b)  # aisec: ignore[AIS105]\n",
        "import pickle\nobj = pickle.loads(b)  # aisec: ignore[AIS102]\n",
        "import pickle\nobj = pickle.loads(b)  # aisec: ignore[AIS1011]\n",
        # a suppression inside a string literal is not a comment
        'import pickle\nnote = "# aisec: ignore[AIS101]"; obj = pickle.loads(b)\n',
        'import pickle\nobj = pickle.loads(b, """\n# aisec: ignore[AIS101]\n""")\n',
        # a trailing suppression on the previous code line covers that line only
        "import pickle\nx = 1  # aisec: ignore[AIS101]\nobj = pickle.loads(b)\n",
        # a comment-only line above a compound statement does not cover its body
        "import pickle\n# aisec: ignore[AIS101]\nif ready:\n    obj = pickle.loads(b)\n",
        # not directly above: a blank line in between
        "import pickle\n# aisec: ignore[AIS101]\n\nobj = pickle.loads(b)\n",
    ],
)
def test_not_suppressed(tree, run_cli, source: str) -> None:
    code, found, _ = check(tree, run_cli, source)
    assert [c for _, c in found] == ["AIS101"], found
    assert code == 1


def test_suppression_covers_only_its_statement(tree, run_cli) -> None:
    source = (
        "import pickle\n"
        "# aisec: ignore[AIS101]\n"
        "a = pickle.loads(b)\n"
        "c = pickle.loads(d)\n"
        "e = pickle.loads(f)  # aisec: ignore[AIS101]\n"
        "g = pickle.loads(h)\n"
    )
    assert reported_lines(tree, run_cli, source) == [4, 6]


def test_unused_suppression_reported_when_asked(tree, run_cli) -> None:
    source = (
        "import pickle\n"
        "a = pickle.loads(b)  # aisec: ignore[AIS101]\n"
        "x = 1  # aisec: ignore[AIS101] stale\n"
        "y = 2  # noqa: E501\n"
        "z = 3  # noqa: E501, AIS105\n"
        "w = 4  # aisec: ignore[XYZ123] someone else's\n"
        "v = pickle.loads(b)  # aisec: ignore[AIS101, AIS105]\n"
    )
    code, found, data = check(tree, run_cli, source)
    assert found == [] and code == 0
    code, found, data = check(tree, run_cli, source, "--warn-unused-ignores")
    assert found == [(3, "AIS002"), (5, "AIS002"), (7, "AIS002")]
    messages = [f["message"] for f in data["findings"]]
    assert "AIS101" in messages[0]
    assert "AIS105" in messages[1] and "E501" not in messages[1]
    assert "AIS105" in messages[2] and "AIS101" not in messages[2]
    assert code == 1  # AIS002 is low, and low fails by default


def test_unused_suppression_in_trigger_free_file(tree, run_cli) -> None:
    _, found, data = check(tree, run_cli, "x = 1  # aisec: ignore[AIS101]\n", "--warn-unused-ignores")
    assert found == [(1, "AIS002")]
    assert data["summary"]["skipped_by_prefilter"] == 1


def test_unused_suppression_off_when_ignored(tree, run_cli) -> None:
    code, found, _ = check(
        tree, run_cli, "x = 1  # aisec: ignore[AIS101]\n", "--warn-unused-ignores", "--ignore", "AIS002"
    )
    assert found == [] and code == 0


def test_show_suppressed(tree, run_cli) -> None:
    source = "import pickle\na = pickle.loads(b)  # aisec: ignore[AIS101] ok\nc = pickle.loads(d)\n"
    code, found, data = check(tree, run_cli, source, "--show-suppressed")
    assert found == [(2, "AIS101"), (3, "AIS101")]
    assert data["findings"][0].get("suppressed") is True
    assert "suppressed" not in data["findings"][1]
    assert data["summary"]["findings"] == 1
    assert code == 1

    root = tree({"b.py": "import pickle\na = pickle.loads(b)  # aisec: ignore[AIS101] ok\n"})
    result = run_cli(["check", "--show-suppressed", "b.py"], cwd=root)
    assert result.code == 0  # a suppressed finding never fails the run
    assert "(suppressed)" in result.out


def test_find_suppressions_parses_codes() -> None:
    found = find_suppressions(
        "a = 1  # aisec: ignore[ais101, AIS202] why\n# noqa: AIS105,AIS106\nb = '# noqa: AIS999'\n"
    )
    assert sorted(found) == [1, 2]
    assert found[1].codes == ("AIS101", "AIS202") and not found[1].own_line
    assert found[2].codes == ("AIS105", "AIS106") and found[2].own_line


def test_find_suppressions_skips_files_whose_directives_list_no_relevant_code() -> None:
    text = "import os  # noqa: F401\nx = 1  # noqa: E501\n"
    assert find_suppressions(text, frozenset({"A", "AI", "AIS", "AIS1", "AIS10", "AIS101"})) == {}
    assert sorted(find_suppressions(text)) == [1, 2]
    text += "y = 2  # aisec: ignore[AIS1] reviewed\n"
    assert sorted(find_suppressions(text, frozenset({"A", "AI", "AIS", "AIS1", "AIS10", "AIS101"}))) == [
        1,
        2,
        3,
    ]
