"""`aisec.parsing.parse_module` (libcst's parser without its per-node checks) against
`libcst.parse_module`: the same trees and code on real and generated sources, validation back on
after every parse however it ends, and nodes other threads build during a parse still checked.

`AISEC_FUZZ_EXAMPLES=N` runs N generated sources per property instead of the suite's few."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any, Callable

import libcst as cst
import pytest
from aisec import parsing, walk
from aisec.engine import FileScanner
from aisec.hooks import Applicability, Rule
from aisec.parsing import parse_module
from aisec.pluginmanager import load_plugins
from aisec.project import Project
from aisec.testing import default_catalog
from conftest import REPO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("AISEC_FUZZ_EXAMPLES", "60"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize="AISEC_FUZZ_EXAMPLES" not in os.environ,
    suppress_health_check=[HealthCheck.too_slow],
)
OWN_SOURCES = sorted(
    path for folder in ("scanner", "hooks", "plugins", "examples") for path in (REPO / folder).rglob("*.py")
)
RULES: list[type[Rule]] = list(load_plugins(entry_points=False).rules.values())
EXAMPLE_SOURCES = sorted(
    {e.code for rule in RULES for kind in ("valid", "invalid") for e in rule.examples(kind)}
)
IFEXP_BUG = "x = () if 0 else(lambda:())\n"  # LibCST #1061: its validator raises on its own tree
TOKENS = [
    *["def", "class", "lambda", "if", "else", "for", "in", "not", "and", "or", "is", "await", "async", "yield"],
    *["return", "import", "from", "as", "with", "match", "case", "try", "except", "x", "f", "0", "1.5j", "'s'"],
    *["f'{x!r:>{w}}'", "b''", "(", ")", "[", "]", "{", "}", ":", ",", ".", "=", "+", "-", "*", "**", "@", "->"],
    *[":=", "...", ";", "\\\n", "\n", "\n    ", " ", "\t", "\f", "# c\n", "'''d'''", "\r\n"],
]  # fmt: skip


def outcome(parse: Callable[[str], cst.Module], source: str) -> tuple[str, Any]:
    """What a parse gives: the tree, or the kind and text of its error."""
    try:
        return "tree", parse(source)
    except Exception as exc:
        return type(exc).__name__, str(exc)


def assert_same_parse(source: str) -> None:
    kind, validated = outcome(cst.parse_module, source)
    fast_kind, fast = outcome(parse_module, source)
    if kind in ("tree", "ParserSyntaxError"):  # the parser decided: the same answer both ways
        assert fast_kind == kind, (source, validated, fast)
        if kind == "tree":
            assert fast.deep_equals(validated), source
            assert fast.code == validated.code == source
        else:
            assert fast == validated
    else:  # a libcst validator raised on the parser's own tree: the tree is returned instead
        assert fast_kind == "tree", (source, validated, fast)
        assert fast.code == source
    assert_validation_on()


def assert_validation_on() -> None:
    """Hand-built invalid nodes are refused: a bad identifier, unbalanced parentheses."""
    with pytest.raises(cst.CSTValidationError):
        cst.Name("1x")
    with pytest.raises(cst.CSTValidationError):
        cst.Name("x", lpar=[cst.LeftParen()])
    with pytest.raises(cst.CSTValidationError):
        cst.Name("x").with_changes(value="")
    assert parsing._parsing == set()


@pytest.mark.parametrize("path", OWN_SOURCES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_own_sources_parse_the_same(path: Path) -> None:
    assert_same_parse(path.read_text(encoding="utf-8"))


def test_rule_examples_parse_the_same() -> None:
    assert len(EXAMPLE_SOURCES) > 500
    for source in EXAMPLE_SOURCES:
        assert_same_parse(source)


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(EXAMPLE_SOURCES + [p.read_text(encoding="utf-8") for p in OWN_SOURCES[:40]]))
    for _ in range(draw(st.integers(1, 4))):
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, min(len(text), start + 80)))
        noise = draw(st.sampled_from(TOKENS) | st.text(max_size=8))
        text = text[:start] + draw(st.sampled_from([noise, "", text[start:end] * 2])) + text[end:]
    return text


@SETTINGS
@given(source=mutated())
def test_mutated_sources_parse_the_same(source: str) -> None:
    assert_same_parse(source)


@SETTINGS
@given(tokens=st.lists(st.sampled_from(TOKENS), max_size=60))
def test_token_streams_parse_the_same(tokens: list[str]) -> None:
    assert_same_parse("".join(tokens))


@pytest.fixture(scope="module")
def every_rule_scanner(tmp_path_factory: pytest.TempPathFactory) -> FileScanner:
    """Every built-in rule, no prefilter: each text is parsed and walked by every rule."""
    return FileScanner(
        RULES,
        rule_plugins={rule.code: "aisec" for rule in RULES},
        options={},
        project=Project(tmp_path_factory.mktemp("project")),
        use_prefilter=False,
        taint_catalog=default_catalog(),
    )


@SETTINGS
@given(source=mutated(), odd=st.booleans())
def test_the_engine_never_raises_on_mutated_rule_examples(
    every_rule_scanner: FileScanner, source: str, odd: bool
) -> None:
    """Whatever the text (rule examples cut, doubled and salted with tokens, some with LibCST
    #1061's construct in front), a scan gives findings or errors: an exception here is an internal
    error that ends the whole run and loses every other file's findings."""
    text = IFEXP_BUG + source if odd else source
    for fix in (None, Applicability.UNSAFE):
        every_rule_scanner.scan_bytes("mutated.py", text.encode("utf-8", "surrogatepass"), fix)


def test_validator_bug_source_is_parsed() -> None:
    """A source CPython runs, on whose tree a libcst validator raises: parsed, printed back."""
    compile(IFEXP_BUG, "<test>", "exec")
    with pytest.raises(Exception) as refused:
        cst.parse_module(IFEXP_BUG)
    assert not isinstance(refused.value, cst.ParserSyntaxError)
    assert parse_module(IFEXP_BUG).code == IFEXP_BUG
    assert_validation_on()


def test_validation_is_on_after_a_parse_and_after_failing_ones() -> None:
    assert_validation_on()
    parse_module("x = (1, f(a=2))\n")
    assert_validation_on()
    with pytest.raises(cst.ParserSyntaxError):
        parse_module("def f(:\n")
    assert_validation_on()
    assert cst.CSTNode.__dict__["__post_init__"] is parsing._validating


def test_validation_is_on_after_an_exception_from_inside_the_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    """What a signal handler's exception (the engine's per-file timeout) does in mid-parse: raised
    from a node's construction, it leaves the switch off."""

    class Interrupted(Exception):
        pass

    name = cst.Name

    def interrupted(**fields: Any) -> cst.Name:
        assert parsing._parsing == {threading.get_ident()}  # raised in the middle of a parse
        raise Interrupted

    monkeypatch.setattr(cst, "Name", interrupted)
    with pytest.raises(Interrupted):
        parse_module("x = y\n")
    monkeypatch.setattr(cst, "Name", name)
    assert_validation_on()


def count_validations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every `Name._validate` call from now on, by the name validated."""
    seen: list[str] = []
    check = cst.Name._validate

    def counted(self: cst.Name) -> None:
        seen.append(self.value)
        check(self)

    monkeypatch.setattr(cst.Name, "_validate", counted)
    return seen


def test_the_parser_s_nodes_skip_the_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    """The speed-up is real: the parsing thread's nodes are not checked, libcst's parse checks them."""
    seen = count_validations(monkeypatch)
    parse_module("a = b.c(d)\n")
    assert seen == []
    cst.parse_module("a = b.c(d)\n")
    assert sorted(seen) == ["a", "b", "c", "d"]


def test_other_threads_nodes_are_checked_during_a_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    """Another thread builds nodes in the middle of a parse (the parse waits for it): its invalid
    node is refused and its valid ones checked, while the parse's own nodes are not."""
    seen = count_validations(monkeypatch)
    name = cst.Name
    other: list[str] = []

    def build_elsewhere() -> None:
        try:
            name("1x")
        except cst.CSTValidationError:
            other.append("refused")
        other.append(name("ok").value)

    def name_mid_parse(**fields: Any) -> cst.Name:
        if not other:
            assert parsing._parsing == {threading.get_ident()}
            thread = threading.Thread(target=build_elsewhere)
            thread.start()
            thread.join()
        return name(**fields)

    monkeypatch.setattr(cst, "Name", name_mid_parse)
    tree = parse_module("a = b\n")
    monkeypatch.setattr(cst, "Name", name)
    assert other == ["refused", "ok"]
    assert seen == ["1x", "ok"]  # the other thread's two, none of the parse's
    assert tree.code == "a = b\n"
    assert_validation_on()


def test_two_threads_parsing_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A parse that starts and ends inside another thread's parse leaves the switch on for the
    first one until it ends, and off after both."""
    seen = count_validations(monkeypatch)
    name = cst.Name
    inner: list[cst.Module] = []

    def name_mid_parse(**fields: Any) -> cst.Name:
        if not inner and threading.current_thread() is threading.main_thread():
            thread = threading.Thread(target=lambda: inner.append(parse_module("c = d\n")))
            thread.start()
            thread.join()
            assert cst.CSTNode.__dict__["__post_init__"] is not parsing._validating
        return name(**fields)

    monkeypatch.setattr(cst, "Name", name_mid_parse)
    outer = parse_module("a = b\n")
    monkeypatch.setattr(cst, "Name", name)
    assert [tree.code for tree in (outer, *inner)] == ["a = b\n", "c = d\n"]
    assert seen == []
    assert_validation_on()


def rechecked(monkeypatch: pytest.MonkeyPatch) -> None:
    """libcst's internals looked at again on the next parse (and the finding undone after)."""
    monkeypatch.setattr(parsing, "_checked", False)
    monkeypatch.setattr(parsing, "_validating", None)


@pytest.mark.parametrize(
    "unexpected",
    [
        lambda self: self._validate(),  # not libcst's own function: perhaps not what it seems
        lambda self: (self._validate(), id(self)),  # more than the check
    ],
)
def test_unexpected_libcst_internals_parse_as_libcst_does(
    monkeypatch: pytest.MonkeyPatch, unexpected: Callable[[Any], Any]
) -> None:
    seen = count_validations(monkeypatch)
    rechecked(monkeypatch)
    monkeypatch.setattr(cst.CSTNode, "__post_init__", unexpected)
    assert parse_module("a = b\n").code == "a = b\n"
    assert sorted(seen) == ["a", "b"]
    assert cst.CSTNode.__dict__["__post_init__"] is unexpected


def test_a_libcst_with_a_pure_python_parser_parses_as_libcst_does(monkeypatch: pytest.MonkeyPatch) -> None:
    from libcst._parser import entrypoints

    seen = count_validations(monkeypatch)
    rechecked(monkeypatch)
    monkeypatch.setattr(entrypoints, "is_native", lambda: False, raising=False)
    parse_module("a = b\n")
    assert sorted(seen) == ["a", "b"]


def test_a_file_libcst_s_validator_crashes_on_is_scanned(
    tree: Any, run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It ended the whole run with an internal error (exit 2, no report): in the parse, and in the
    walk, which learns each node class's field order by rebuilding the first node of the class it
    meets (here the odd conditional itself: the walk's table of learnt classes starts empty). Now
    the file is scanned, and so is the file beside it."""
    monkeypatch.setattr(walk, "_FIELDS", {})
    monkeypatch.setattr(walk, "_VARIANTS", {})
    odd = "import pickle\n" + IFEXP_BUG + "obj = pickle.loads(x)\ny = 1 if x else 2\n"
    root = tree({"odd.py": odd, "plain.py": "import pickle\npickle.loads(b)\n"})
    result = run_cli(["check", "--no-cache", "--jobs", "1", "--format", "json", "."], cwd=root)
    assert result.code == 1, result.err
    data = result.json()
    assert data["errors"] == []
    assert sorted((f["path"], f["code"], f["line"]) for f in data["findings"]) == [
        ("odd.py", "AIS101", 3),
        ("plain.py", "AIS101", 2),
    ]
    # learnt on the odd node, and the same order an ordinary conditional gives
    assert walk._FIELDS[cst.IfExp][0] == walk._record(cst.parse_expression("a if b else c"))
    assert_validation_on()


def test_fixes_libcst_cannot_rebuild_are_an_error_naming_the_file(tree: Any, run_cli: Any) -> None:
    """`--fix` rebuilds the tree with validation on (it checks the fixed code); where libcst's
    validator refuses valid code, the file keeps its findings and its text, the run says which
    file was not fixed and exits 2, and the other files are fixed."""
    odd = "import torch\n" + IFEXP_BUG + "state = torch.load(path)\n"
    plain = "import torch\nstate = torch.load(path)\n"
    root = tree({"odd.py": odd, "plain.py": plain})
    result = run_cli(["check", "--no-cache", "--jobs", "1", "--fix", "--unsafe-fixes", "."], cwd=root)
    assert result.code == 2, result.err
    assert "odd.py: fixes not applied: libcst could not rebuild the file" in result.err
    assert "odd.py:3:9: AIS102" in result.out
    assert (root / "odd.py").read_text() == odd
    assert (root / "plain.py").read_text() == "import torch\nstate = torch.load(path, weights_only=True)\n"
