"""Regular expressions compiled through `aisec.patterncache`'s stand-in are the ones `re` makes.

The oracle is `re` itself: each pattern is compiled three times through `re.compile` (the cache
purged before each), with `re._compiler.compile` as Python has it, with the stand-in and an empty
table (parsing, storing) and with the saved table (assembled from it). The outcomes must be equal:
`Pattern.__eq__` compares pattern, flags and code, and the group names, group count, the error of
a bad pattern and every warning (category, text, file and line) are compared too. The patterns:
every one in `re`'s cache once aisec, its plugins and libcst are imported and a file is checked,
hand-picked ones that warn, fail or use every flag, and generated ones. Then the attacks: tables
that are unsigned, or signed with assemblies that are junk or that `_sre` rejects."""

from __future__ import annotations

import marshal
import re
import sys
import tempfile
import threading
import warnings
from pathlib import Path
from re import _compiler, _parser  # type: ignore[attr-defined]
from typing import Any

import pytest
from aisec import methodcache, patterncache
from aisec.cli import main
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.skipif(sys.version_info[:2] != (3, 11), reason="the stand-in copies Python 3.11's")


def _environ(home: Path) -> dict[str, str]:
    return {"XDG_CACHE_HOME": str(home), "AISEC_CACHE_KEY": "test-secret"}


def _outcome(pattern: Any, flags: int) -> Any:
    """What `re.compile` gives, as comparable values (the per-process cache purged first)."""
    re.purge()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            compiled = re.compile(pattern, flags)
            made: Any = (compiled, compiled.groups, dict(compiled.groupindex), compiled.flags)
        except (re.error, TypeError, ValueError, OverflowError) as exc:
            made = f"{type(exc).__name__}: {exc}"
    return made, [(w.category, str(w.message), w.filename, w.lineno) for w in caught]


def _three_ways(cases: list[tuple[Any, int]], home: Path) -> tuple[list[Any], list[Any], list[Any], Any]:
    plain = [_outcome(pattern, flags) for pattern, flags in cases]
    rounds = []
    for _ in ("cold", "warm"):
        with methodcache.installed(_environ(home)) as table, patterncache.installed(table) as cache:
            assert cache is not None
            rounds.append([_outcome(pattern, flags) for pattern, flags in cases])
    assert _compiler.compile.__module__ == "re._compiler"  # put back
    return plain, rounds[0], rounds[1], table


def _patterns_in_use(tmp_path: Path) -> list[tuple[Any, int]]:
    import libcst  # noqa: F401

    (tmp_path / "app.py").write_text("import pickle\npickle.loads(data)\n", encoding="utf-8")
    main(["check", "--no-cache", "-q", str(tmp_path / "app.py")])
    return [(pattern, flags) for (kind, pattern, flags) in list(re._cache) if kind in (str, bytes)]  # type: ignore[attr-defined]


HAND_PICKED = [
    (r"(?P<name>[a-z]+)\s*=\s*(?P<value>\d+)", 0),
    (r"(?x) a  # comment\n b", 0),
    (r"(?i)straße", 0),
    (r"\bword\b", re.ASCII),
    (r"^line$", re.MULTILINE | re.DOTALL),
    (r"(?<=a)b(?!c)", 0),
    (r"[[a]", 0),  # FutureWarning: possible nested set
    (r"[%--]", 0),  # FutureWarning: possible set difference
    (r"[a-z--]", 0),
    (r"[a&&b]", 0),
    (r"[a||b]", 0),
    (r"[a~~b]", 0),
    (r"[a--b]", 0),  # the same warning, then re.error
    (r"(a)?(?(1)b|c)", 0),
    ("(a)?(?(\u0661)b|c)", 0),  # DeprecationWarning: a non-ASCII digit
    (r"(?P<x>a)(?(x)b)", 0),
    (r"(unclosed", 0),  # re.error
    (r"\p", 0),  # bad escape
    (r"a{3,2}", 0),
    (r"x", re.DEBUG),  # prints its code: never stored
    (b"(?P<n>bytes)", 0),
    (rb"[\x00-\xff]+", re.IGNORECASE),
    ("é+", re.IGNORECASE | re.UNICODE),
    ("a" * 300 + "(b|c)" * 40, 0),
    ("(x|y)" * 1000, 0),  # longer than `MAX_PATTERN`: never stored
]


def test_patterns_are_compiled_exactly_as_re_compiles_them(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    cases = _patterns_in_use(tmp_path) + HAND_PICKED
    assert len(cases) > 100
    plain, cold, warm, table = _three_ways(cases, tmp_path / "home")
    assert cold == plain
    assert warm == plain
    stored = [key for key in table.used if isinstance(key, tuple) and key[0] is None]
    assert len(stored) > 80 and not table.compiled  # the warm round assembled them from the table
    assert (None, r"[[a]", 0) not in stored and (None, "x", re.DEBUG) not in stored
    assert (None, "(x|y)" * 1000, 0) not in stored and (None, "a" * 300 + "(b|c)" * 40, 0) in stored
    assert capsys.readouterr().out.count("LITERAL 0x78") == 3  # re.DEBUG printed its code in every round


_PIECES = st.sampled_from(
    ["a", "b", "[", "]", "-", "&", "|", "(", ")", "?", "*", "+", "\\d", "\\w", ".", "^", "{2}"]
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    patterns=st.lists(st.lists(_PIECES, max_size=10).map("".join), min_size=1, max_size=8),
    flags=st.sampled_from([0, re.IGNORECASE, re.MULTILINE | re.VERBOSE, re.ASCII]),
)
def test_generated_patterns_are_compiled_exactly_as_re_compiles_them(patterns: list[str], flags: int) -> None:
    with tempfile.TemporaryDirectory() as home:
        plain, cold, warm, _ = _three_ways([(pattern, flags) for pattern in patterns], Path(home))
    assert cold == plain
    assert warm == plain


def _saved(home: Path, pattern: str) -> tuple[Path, bytes]:
    with methodcache.installed(_environ(home)) as table, patterncache.installed(table):
        re.purge()
        re.compile(pattern)
    (path,) = (home / "aisec" / "methods").iterdir()
    return path, methodcache.read_machine_key(_environ(home)) or b""


def _sign(secret: bytes, payload: bytes) -> bytes:
    import hashlib

    return hashlib.blake2b(payload, key=secret, digest_size=32).digest() + payload


@pytest.mark.parametrize("attack", ["unsigned", "junk", "wrong shape", "code _sre rejects"])
def test_forged_or_broken_assemblies_are_not_used(tmp_path: Path, attack: str) -> None:
    """A table whose entry for `a+` holds `b+`'s assembly, unsigned, must not make `a+` match
    `b`; signed entries of the wrong shape or with code `_sre` rejects are parsed anew."""
    path, secret = _saved(tmp_path, "a+")
    form, version, entries = marshal.loads(path.read_bytes()[32:])
    other = tempfile.mkdtemp(dir=tmp_path)
    other_path, _ = _saved(Path(other), "b+")
    b_assembly = marshal.loads(other_path.read_bytes()[32:])[2][(None, "b+", 0)]
    key = (None, "a+", 0)
    assert key in entries
    entries[key] = {
        "unsigned": b_assembly,
        "junk": b"junk",
        "wrong shape": marshal.dumps((1, 2, 3)),
        "code _sre rejects": marshal.dumps((32, [99999, 1, 2], 0, {}, (None,))),
    }[attack]
    payload = marshal.dumps((form, version, entries))
    path.write_bytes(b"\0" * 32 + payload if attack == "unsigned" else _sign(secret, payload))
    with methodcache.installed(_environ(tmp_path)) as table, patterncache.installed(table):
        re.purge()
        compiled = re.compile("a+")
    assert compiled == re.compile("a+") and compiled.match("aa") and not compiled.match("b")
    assert key in table.compiled  # parsed and stored again


def test_a_changed_compile_is_left_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    original = _compiler.compile

    def wrapped(p: Any, flags: int = 0) -> Any:
        return original(p, flags)

    monkeypatch.setattr(_compiler, "compile", wrapped)
    with methodcache.installed(_environ(tmp_path)) as table, patterncache.installed(table) as cache:
        assert cache is None and _compiler.compile is wrapped
    assert _compiler.compile is wrapped


def test_a_parser_that_may_warn_otherwise_is_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The `_may_warn` screen is 3.11's parser's: another parser (here: another `_parse`) keeps
    `re` as it is."""
    monkeypatch.setattr(_parser, "_parse", lambda *args: None)
    with methodcache.installed(_environ(tmp_path)) as table, patterncache.installed(table) as cache:
        assert cache is None and _compiler.compile.__module__ == "re._compiler"


PATTERNS = [f"(?P<g{n}>x{n})+y" for n in range(40)]


def _compile_in_threads(made: dict[int, Any]) -> None:
    start = threading.Barrier(4)

    def work(offset: int) -> None:
        start.wait()
        for n in range(offset, len(PATTERNS), 4):
            made[n] = re.compile(PATTERNS[n])

    threads = [threading.Thread(target=work, args=(offset,)) for offset in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_threads_compiling_at_once_get_the_patterns_re_makes(tmp_path: Path) -> None:
    expected = [re.compile(pattern) for pattern in PATTERNS]
    for _ in ("cold", "warm"):
        made: dict[int, Any] = {}
        with methodcache.installed(_environ(tmp_path)) as table, patterncache.installed(table):
            re.purge()
            _compile_in_threads(made)
        assert [made[n] for n in range(len(PATTERNS))] == expected
