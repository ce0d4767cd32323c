"""Cached compiled dataclass methods (`aisec.methodcache`) make exactly the classes `dataclasses`
makes, and run nothing but what this user's own runs compiled.

The oracle is `dataclasses` itself: every generated class is made three times, without the cache,
with an empty one (compiling and saving) and with the saved table (running the stored code), and
the methods' code objects, annotations and defaults must be equal. Then the attacks: tables that
are forged, signed with another key, moved, world-writable, symlinked, FIFOs, truncated or made by
another Python must run none of their code.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import marshal
import os
import stat
import subprocess
import sys
import tempfile
import textwrap
import types
from pathlib import Path
from typing import Any

import pytest
from aisec import methodcache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SECRET_ENV = "AISEC_CACHE_KEY"


def _sign(secret: bytes, payload: bytes) -> bytes:
    """The table's signature as `hashlib` computes it: keyed BLAKE2b, 32 bytes."""
    return hashlib.blake2b(payload, key=secret, digest_size=32).digest()


def _environ(home: Path) -> dict[str, str]:
    return {"XDG_CACHE_HOME": str(home), SECRET_ENV: "test-secret"}


def _methods(cls: type) -> dict[str, Any]:
    """What `dataclasses` generated for `cls`: each function's code, annotations and defaults."""
    return {
        name: (value.__code__, value.__annotations__, value.__defaults__, value.__kwdefaults__)
        for name, value in vars(cls).items()
        if callable(value) and hasattr(value, "__code__")
    }


def _make(spec: dict[str, Any]) -> dict[str, Any] | str:
    try:
        cls = dataclasses.make_dataclass("Made", spec["fields"], **spec["flags"])
    except (TypeError, ValueError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return _methods(cls)


_TYPES = st.sampled_from([int, str, "list[int]", "Made | None", float, bytes])
_DEFAULTS = st.sampled_from(["none", "value", "factory"])


@st.composite
def _specs(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(st.lists(st.sampled_from(["a", "b", "c", "self_", "name", "x1"]), unique=True, max_size=5))
    fields = []
    for name in names:
        kind = draw(_DEFAULTS)
        if kind == "none":
            fields.append((name, draw(_TYPES)))
        elif kind == "value":
            fields.append((name, draw(_TYPES), dataclasses.field(default=draw(st.integers(-3, 3)))))
        else:
            fields.append((name, draw(_TYPES), dataclasses.field(default_factory=list)))
    flags = {
        flag: draw(st.booleans())
        for flag in ("init", "repr", "eq", "order", "unsafe_hash", "frozen", "slots", "kw_only")
    }
    return {"fields": fields, "flags": flags}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs=st.lists(_specs(), min_size=1, max_size=4))
def test_classes_are_made_exactly_as_dataclasses_makes_them(specs: list[dict[str, Any]]) -> None:
    with tempfile.TemporaryDirectory() as home:
        environ = _environ(Path(home))
        plain = [_make(spec) for spec in specs]
        with methodcache.installed(environ) as cold:
            compiled = [_make(spec) for spec in specs]
        with methodcache.installed(environ) as warm:
            stored = [_make(spec) for spec in specs]
    assert compiled == plain
    assert stored == plain
    assert not warm.compiled  # every method ran from the saved table
    assert set(warm.used) == set(cold.used)
    assert "exec" not in vars(dataclasses)


def test_the_future_flags_of_aisec_are_not_inherited() -> None:
    """This module and `aisec.methodcache` use `from __future__ import annotations`; a method
    compiled with that flag would have string annotations."""
    with tempfile.TemporaryDirectory() as home, methodcache.installed(_environ(Path(home))):
        cls = dataclasses.make_dataclass("Point", [("x", int)])
    assert cls.__init__.__annotations__ == {"x": int, "return": None}


STAND_INS = ["_create_fn", "exec"]  # the table's keys: `_create_fn`'s arguments, or source texts


@pytest.fixture(params=STAND_INS)
def stand_in(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each test runs with the `_create_fn` stand-in (where this Python has the `_create_fn` it
    copies) and with the `exec` stand-in alone (other Pythons, a changed `dataclasses`)."""
    if request.param == "exec":
        monkeypatch.setattr(methodcache, "_KNOWN_CREATE_FN", {})
    elif RETURNS is None:
        pytest.skip("this Python's dataclasses has no _create_fn the stand-in copies")
    return request.param


def _saved_table(home: Path) -> Path:
    with methodcache.installed(_environ(home)):
        dataclasses.make_dataclass("Point", [("x", int)], frozen=True)
    (table,) = (home / "aisec" / "methods").iterdir()
    return table


_CREATE_FN = getattr(dataclasses, "_create_fn", None)
RETURNS = (
    methodcache._KNOWN_CREATE_FN.get(methodcache._shape_digest(_CREATE_FN.__code__)) if _CREATE_FN else None
)
_RECORD = "import builtins\nbuiltins.AISEC_POISON_RAN = True\n"


def _poisoned(key: str | tuple[Any, ...]) -> bytes:
    """The code stored under `key`, with lines added that record that it ran."""
    if isinstance(key, str):
        return marshal.dumps(compile(_RECORD + key, "<string>", "exec"))
    # a maker with the parameters `_create_fn` gives it (the class's locals, then the return
    # annotation's name), recording that it ran; the method it makes does nothing
    second = [n for n, part in enumerate(key) if part is None][1]
    names = [*key[second + 1 : -1], *([] if key[-1] else [RETURNS])]
    source = f"def __create_fn__({', '.join(names)}):\n" + textwrap.indent(_RECORD, " ")
    source += f" def {key[0]}(*args, **kwargs):\n  pass\n return {key[0]}\n"
    module = compile(source, "<string>", "exec")
    return marshal.dumps(next(c for c in module.co_consts if isinstance(c, types.CodeType)))


def _poisoned_payload(table: Path) -> bytes:
    """The table's entries, each with a line added that records that it ran."""
    form, version, entries = marshal.loads(table.read_bytes()[32:])
    return marshal.dumps((form, version, {key: _poisoned(key) for key in entries}))


def _runs_poison(home: Path) -> bool:
    with methodcache.installed(_environ(home)) as cache:
        dataclasses.make_dataclass("Point", [("x", int)], frozen=True)
    ran = getattr(__import__("builtins"), "AISEC_POISON_RAN", False)
    if ran:
        del __import__("builtins").AISEC_POISON_RAN
    assert ran or cache.compiled  # a rejected table: everything was compiled again
    return ran


def test_a_table_signed_with_the_machine_key_is_used(tmp_path: Path, stand_in: str) -> None:
    """The positive control for the attacks below: the poison does run when properly signed."""
    table = _saved_table(tmp_path)
    keys = methodcache.load(str(table), methodcache.read_machine_key(_environ(tmp_path)))
    assert {type(key).__name__ for key in keys} == {"tuple" if stand_in == "_create_fn" else "str"}
    payload = _poisoned_payload(table)
    secret = methodcache.read_machine_key(_environ(tmp_path))
    table.write_bytes(_sign(secret, payload) + payload)
    assert _runs_poison(tmp_path)


@pytest.mark.parametrize(
    "attack",
    ["unsigned", "other key", "moved signature", "hmac-sha256", "world-writable", "symlink", "other python"],
)
def test_forged_tables_run_nothing(tmp_path: Path, attack: str, stand_in: str) -> None:
    table = _saved_table(tmp_path)
    signature, real = table.read_bytes()[:32], table.read_bytes()[32:]
    payload = _poisoned_payload(table)
    secret = methodcache.read_machine_key(_environ(tmp_path))
    data = _sign(secret, payload) + payload
    if attack == "unsigned":
        data = b"\0" * 32 + payload
    elif attack == "other key":
        data = _sign(b"guessed", payload) + payload
    elif attack == "moved signature":
        data = signature + payload
    elif attack == "hmac-sha256":  # the signature of the table format before BLAKE2b
        data = hmac.new(secret, payload, "sha256").digest() + payload
    elif attack == "other python":
        form, version, entries = marshal.loads(payload)
        payload = marshal.dumps((form, version + " (another build)", entries))
        data = _sign(secret, payload) + payload
    table.write_bytes(data)
    if attack == "world-writable":
        table.chmod(0o666)
    elif attack == "symlink":
        elsewhere = tmp_path / "elsewhere.bin"
        table.rename(elsewhere)
        table.symlink_to(elsewhere)
    assert real != payload
    assert not _runs_poison(tmp_path)


@pytest.mark.parametrize("content", [b"", b"\0" * 31, b"garbage" * 20, "marshal junk", "entries not code"])
def test_broken_tables_are_ignored_and_replaced(tmp_path: Path, content: bytes | str, stand_in: str) -> None:
    table = _saved_table(tmp_path)
    secret = methodcache.read_machine_key(_environ(tmp_path))
    if content == "marshal junk":  # signed, but not a table this module writes
        payload = marshal.dumps([1, 2, 3])[:-1]
        content = _sign(secret, payload) + payload
    elif content == "entries not code":  # signed, but what a source maps to is no code (no maker)
        form, version, entries = marshal.loads(table.read_bytes()[32:])
        junk = [b"junk", marshal.dumps("a string"), 7]
        if stand_in == "_create_fn":  # code, but not a `__create_fn__` maker
            junk.append(marshal.dumps(compile("x = 1", "<string>", "exec")))
        payload = marshal.dumps((form, version, {key: junk[n % len(junk)] for n, key in enumerate(entries)}))
        content = _sign(secret, payload) + payload
    table.write_bytes(content)
    with methodcache.installed(_environ(tmp_path)) as cache:
        dataclasses.make_dataclass("Point", [("x", int)], frozen=True)
    assert cache.compiled
    assert methodcache.load(str(table), secret)  # written anew


def test_a_fifo_or_an_unwritable_folder_costs_only_speed(tmp_path: Path) -> None:
    folder = tmp_path / "aisec" / "methods"
    folder.mkdir(parents=True)
    os.mkfifo(methodcache.table_path(_environ(tmp_path)))
    with methodcache.installed(_environ(tmp_path)) as cache:  # must not block on the FIFO
        dataclasses.make_dataclass("Point", [("x", int)])
    assert cache.compiled
    blocked = tmp_path / "blocked"
    (blocked / "aisec").mkdir(parents=True)
    (blocked / "aisec" / "methods").write_text("a file where the folder should be", encoding="utf-8")
    with methodcache.installed(_environ(blocked)):
        dataclasses.make_dataclass("Point", [("x", int)])


def test_the_table_is_private_and_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    table = _saved_table(tmp_path)
    assert stat.S_IMODE(table.stat().st_mode) == 0o600
    assert stat.S_IMODE(table.parent.stat().st_mode) == 0o700
    secret = methodcache.read_machine_key(_environ(tmp_path))
    before = methodcache.load(str(table), secret)
    monkeypatch.setattr(methodcache, "MAX_ENTRIES", len(before))
    with methodcache.installed(_environ(tmp_path)) as cache:
        dataclasses.make_dataclass("Other", [("y", str)], order=True)
    after = methodcache.load(str(table), secret)
    assert set(after) == set(cache.used)  # over the bound: only what the run used is kept
    assert not set(before) <= set(after)


def test_a_run_of_the_console_script_saves_and_reuses_the_table(tmp_path: Path) -> None:
    """The real entry point: the first full-path run compiles libcst's methods and saves them;
    later runs reuse them (the table is not rewritten) and report the same findings."""
    (tmp_path / "load.py").write_text("import pickle\npickle.loads(blob)\n", encoding="utf-8")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg"), "AISEC_FAST_PATH": "off"}
    env.pop(SECRET_ENV, None)
    folder = tmp_path / "xdg" / "aisec" / "methods"
    outputs, states = [], []
    for _ in range(3):
        done = subprocess.run(
            [sys.executable, "-m", "aisec", "check", "--no-cache", "load.py"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 1, done.stderr
        outputs.append(done.stdout)
        (table,) = folder.iterdir()
        states.append((table.stat().st_ino, table.stat().st_mtime_ns))
    assert "AIS101" in outputs[0] and outputs[0] == outputs[1] == outputs[2]
    assert states[1] == states[2]  # nothing new compiled: not written again
    entries = methodcache.load(str(table), (tmp_path / "xdg" / "aisec" / "key").read_bytes())
    assert len(entries) > 300  # libcst's node classes, at least


@pytest.mark.skipif(RETURNS is None, reason="this Python's dataclasses has no _create_fn the stand-in copies")
def test_the_create_fn_stand_in_is_used_only_for_the_create_fn_it_copies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Python 3.10-3.12's own `_create_fn` gets the stand-in (a stale digest fails here); one
    that does anything else (here: wrapped by another tool) keeps working through `exec`."""
    namespace = vars(dataclasses)
    with methodcache.installed(_environ(tmp_path / "known")) as cache:
        assert namespace["_create_fn"] == cache.create_fn
        dataclasses.make_dataclass("Point", [("x", int)])
    assert namespace["_create_fn"] is _CREATE_FN
    calls = []

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[0])
        return _CREATE_FN(*args, **kwargs)

    monkeypatch.setattr(dataclasses, "_create_fn", wrapped)
    with methodcache.installed(_environ(tmp_path / "changed")) as cache:
        assert namespace["_create_fn"] is wrapped
        made = _make({"fields": [("x", int)], "flags": {"frozen": True}})
    assert made == _make({"fields": [("x", int)], "flags": {"frozen": True}})
    assert calls and cache.compiled and all(isinstance(key, str) for key in cache.compiled)


def _call_both(arguments: dict[str, Any], tmp_path: Path) -> list[Any]:
    """`_create_fn(**arguments)` by the original and by the stand-in (compiling, then from the
    table): what each returned or raised, and the globals and locals they were given after."""
    results = []
    for round in ("original", "cold", "warm"):
        given = {name: dict(value) if isinstance(value, dict) else value for name, value in arguments.items()}
        with methodcache.installed(_environ(tmp_path)) as cache:
            create = _CREATE_FN if round == "original" else cache.create_fn
            try:
                made = create(**given)
                outcome: Any = (made.__code__, made.__qualname__, made.__annotations__, made.__defaults__)
            except Exception as exc:  # the same error, raised the same way
                outcome = f"{type(exc).__name__}: {exc}"
        results.append((outcome, given.get("globals"), given.get("locals")))
    return results


@pytest.mark.skipif(RETURNS is None, reason="this Python's dataclasses has no _create_fn the stand-in copies")
@pytest.mark.parametrize(
    "case",
    [
        "plain",
        "no locals",
        "no globals",
        "globals without builtins",
        "not text",
        "unhashable",
        "text subclass",
    ],
)
def test_the_create_fn_stand_in_does_what_create_fn_does(tmp_path: Path, case: str) -> None:
    class Text(str):
        pass

    arguments: dict[str, Any] = {
        "name": "__init__",
        "args": ["self", "x:_type_x=_dflt_x"],
        "body": ["self.x=x"],
        "globals": {"__builtins__": __builtins__, "__name__": "made"},
        "locals": {"_type_x": int, "_dflt_x": 3},
        "return_type": None,
    }
    if case == "no locals":
        arguments.update(args=["self"], body=["pass"], locals=None)
    elif case == "no globals":
        arguments["globals"] = None
    elif case == "globals without builtins":
        arguments["globals"] = {"__name__": "made"}
    elif case == "not text":
        arguments["args"] = ["self", 7]
    elif case == "unhashable":
        arguments["body"] = [["self.x=x"]]
    elif case == "text subclass":
        arguments["body"] = [Text("self.x=x")]
    original, cold, warm = _call_both(arguments, tmp_path)
    assert cold == original
    assert warm == original
