"""The pre-commit fast path (`aisec.fastpath`) answers exactly as the full path would, or not at all.

Every case runs the real console script three times: with `AISEC_FAST_PATH=off` (the full path,
the oracle), once to let the full path write the trigger table, and once more; the last run's
exit code, stdout and stderr must equal the oracle's. `AISEC_FAST_PATH=explain` tells which path
answered, so the tests also prove that the fast path does answer trigger-free files and declines
the attacks (fullwidth spellings, aliases, star imports, notebooks, binary files, stdin, forged
or stale tables, a plugin installed after the table was written, a changed config).
"""

from __future__ import annotations

import hashlib
import hmac
import marshal
import os
import random
import shutil
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

import pytest
from aisec import fastpath
from aisec.sha import blake2b_mac, hmac_sha256, sha256
from hypothesis import given, settings
from hypothesis import strategies as st
from test_plugins import rule_plugin

SCRIPT = Path(sys.executable).with_name("aisec")
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "aisec"]
EXPLAIN = "aisec: fast path "

PLUGIN = textwrap.dedent(rule_plugin("TEAM001")).lstrip()

NEUTRAL = [
    "x = 1\n",
    "def add(a, b):\n    return a + b\n",
    "class Point:\n    def __init__(self, x):\n        self.x = x\n",
    "values = [n * 2 for n in range(10)]\n",
    "# a comment that says nothing\n",
    'GREETING = "hello"\n',
    "import acme\nacme.danger()\n",  # no built-in rule cares
    "total = sum(values) if values else 0\n",
]
TRIGGERS = [
    "import pickle\npickle.loads(blob)\n",
    "import torch\nmodel = torch.load(path)\n",
    "import yaml\nconfig = yaml.load(open(path))\n",
    "import pickle as p\np.loads(blob)\n",  # an alias
    "from pickle import *\nloads(blob)\n",  # a star import
    "import \uff50\uff49\uff43\uff4b\uff4c\uff45\n\uff50\uff49\uff43\uff4b\uff4c\uff45.loads(blob)\n",  # fullwidth
    "import torch\nt = torch\nt.load(path)\n",
    "from flask import request\nimport openai\nopenai.chat.completions.create(messages=[{'content': request.args['q']}])\n",
    "eval(input())\n",
]


class Run(NamedTuple):
    code: int
    out: str
    err: str
    answered: bool | None  # None: the fast path was off
    said: str  # what `AISEC_FAST_PATH=explain` printed


def _env(cache: Path, mode: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("AISEC_CACHE_KEY", "AISEC_NO_LOCAL_PLUGINS")}
    env.update({"XDG_CACHE_HOME": str(cache), fastpath.MODE_ENV: mode, "NO_COLOR": "1"}, **(extra or {}))
    return env


def run(args: list[str], cwd: Path, cache: Path, mode: str = "explain", **kwargs: object) -> Run:
    """One run of the console script; the result cache starts empty each time, so that runs
    compare (its hits show in the JSON and SARIF summaries)."""
    extra = kwargs.pop("env", None)
    shutil.rmtree(cwd / ".aisec_cache", ignore_errors=True)
    done = subprocess.run(
        [*COMMAND, *args],
        cwd=cwd,
        env=_env(cache, mode, extra),  # type: ignore[arg-type]
        capture_output=True,
        text=True,
        timeout=120,
        **kwargs,  # type: ignore[call-overload]
    )
    lines = done.stderr.splitlines(keepends=True)
    said = [line for line in lines if line.startswith(EXPLAIN)]
    err = "".join(line for line in lines if not line.startswith(EXPLAIN))
    answered = None if mode == "off" else said == [f"{EXPLAIN}answered\n"]
    return Run(done.returncode, done.stdout, err, answered, "".join(said))


def compare(args: list[str], cwd: Path, cache: Path, **kwargs: object) -> Run:
    """The full path's answer must be the fast path's, once the table exists (a run that
    finds it missing or stale writes it, and must answer as the full path too)."""
    full = run(args, cwd, cache, "off", **kwargs)
    fast = run(args, cwd, cache, **kwargs)
    while (
        "no valid trigger table" in fast.said or "no machine key" in fast.said or "changed since" in fast.said
    ):
        assert (fast.code, fast.out, fast.err) == (full.code, full.out, full.err), args
        again = run(args, cwd, cache, **kwargs)
        if again.said == fast.said:  # the table cannot be written (no usable cache folder)
            break
        fast = again
    assert (fast.code, fast.out, fast.err) == (full.code, full.out, full.err), args
    return fast


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    return root


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "xdg"


def test_generated_files_answer_as_the_full_path(project: Path, cache: Path) -> None:
    rng = random.Random(14)
    findings = 0
    for index, trigger in enumerate([None, None, None, None, *TRIGGERS]):
        lines = rng.sample(NEUTRAL, 3)
        if trigger is not None:
            lines.insert(rng.randrange(4), trigger)
        name = f"mod{index}.py"
        (project / name).write_text("".join(lines), encoding="utf-8")
        outcome = compare(["check", "--force-exclude", name], project, cache)
        assert outcome.answered == (trigger is None), lines
        findings += outcome.code == 1
    assert findings >= 5  # most samples are real findings (some only pass the token gate)


@pytest.mark.parametrize(
    "options",
    [
        [],
        ["-q"],
        ["--no-cache"],
        ["--exit-zero", "--color", "always"],
        ["--fail-on", "critical"],
        ["--fail-on=nonsense"],
        ["--select=AIS101,ais102", "--ignore", "AIS102"],
        ["--extend-select", "AIS", "--ignore", "AIS1"],
        ["--select", "NOPE"],
        ["--format", "json"],
        ["--format", "sarif"],
        ["--statistics"],
        ["-j", "2", "--show-source"],
        ["--jobs", "0"],
        ["--force-ex"],  # an abbreviation argparse accepts
    ],
)
def test_options_on_clean_and_triggering_files(project: Path, cache: Path, options: list[str]) -> None:
    (project / "clean.py").write_text(NEUTRAL[1] + NEUTRAL[3], encoding="utf-8")
    (project / "other.py").write_text(NEUTRAL[0], encoding="utf-8")
    (project / "hot.py").write_text(TRIGGERS[0], encoding="utf-8")
    clean = compare(["check", *options, "clean.py", "other.py"], project, cache)
    hot = compare(["check", *options, "hot.py"], project, cache)
    assert not hot.answered
    simple = all(o in ("-q", "--no-cache", "--exit-zero", "--color", "always") for o in options)
    assert clean.answered or not simple


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("nb.ipynb", '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'),
        ("binary.py", b"x = 1\n\0\0\x80PK"),
        ("latin.py", "# -*- coding: latin-1 -*-\nname = 'caf\xe9'\n".encode("latin-1")),
        ("bom.py", b"\xef\xbb\xbfx = 1\n"),
        ("broken.py", b"x = '\xff\xfe'\n"),
        ("syntax.py", "def (:\n"),
        ("suppressed.py", "x = 1  # aisec: ignore[AIS101] not needed\n"),
    ],
)
def test_unusual_files(project: Path, cache: Path, name: str, content: str | bytes) -> None:
    target = project / name
    target.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    assert not compare(["check", name], project, cache).answered or name in ("syntax.py", "suppressed.py")
    assert not compare(["check", "--warn-unused-ignores", name], project, cache).answered


def test_stdin_symlinks_directories_and_excludes(project: Path, cache: Path) -> None:
    (project / "clean.py").write_text(NEUTRAL[1], encoding="utf-8")
    (project / "build").mkdir()
    (project / "build" / "gen.py").write_text(TRIGGERS[0], encoding="utf-8")
    (project / "link.py").symlink_to(project / "clean.py")
    for args in (
        ["check", "-"],
        ["check", "link.py"],
        ["check", "clean.py", "clean.py"],
        ["check", "."],
        ["check", "--force-exclude", "build/gen.py"],
        ["check", "build/gen.py"],
        ["check", "missing.py"],
        ["check", "clean.py", "--", "x"],
    ):
        outcome = compare(args, project, cache, input=TRIGGERS[0])
        assert not outcome.answered, args


def test_config_changes_and_ambiguous_configs(project: Path, cache: Path) -> None:
    (project / "app.py").write_text("import acme\nacme.danger()\nvalue = 1\n", encoding="utf-8")
    pyproject = project / "pyproject.toml"
    pyproject.write_text("[tool.aisec]\nfail-on = 'high'\n", encoding="utf-8")
    assert compare(["check", "app.py"], project, cache).answered
    # a declarative team rule that fires on the same file: the changed config bytes change the key
    pyproject.write_text(
        '[tool.aisec]\n[[tool.aisec.rules]]\ncode = "TEAM002"\nname = "no-acme"\n'
        'message = "acme is banned"\ncall = "acme.danger"\n',
        encoding="utf-8",
    )
    team = compare(["check", "app.py"], project, cache)
    assert team.code == 1 and "TEAM002" in team.out and not team.answered
    pyproject.write_text("[tool]\naisec = { fail-on = 'high' }\n", encoding="utf-8")
    assert compare(["check", "app.py"], project, cache).answered  # read with tomllib
    pyproject.write_text("[project]\nname = 'x'\ndependencies = ['aisec>=0.1']\n", encoding="utf-8")
    assert compare(["check", "app.py"], project, cache).answered  # mentions aisec, configures nothing
    pyproject.write_text("[tool]\naisec = 'not a table'\n", encoding="utf-8")
    assert not compare(["check", "app.py"], project, cache).answered  # the full path's error
    (project / "aisec.toml").write_text("extend-exclude = ['app.py']\n", encoding="utf-8")
    assert not compare(["check", "--force-exclude", "app.py"], project, cache).answered
    assert compare(["check", "app.py"], project, cache).answered
    (project / "alt.toml").write_text("fail-on = 'medium'\n", encoding="utf-8")
    compare(["check", "--config", "alt.toml", "app.py"], project, cache)


def test_a_plugin_installed_after_the_table_was_written(project: Path, cache: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    env = {"PYTHONPATH": str(site)}
    (project / "app.py").write_text("import acme\nacme.danger()\n", encoding="utf-8")
    before = compare(["check", "app.py"], project, cache, env=env)
    assert before.answered and before.code == 0
    time.sleep(0.01)
    (site / "acme_rules.py").write_text(PLUGIN, encoding="utf-8")
    (site / "acme_rules-1.0.dist-info").mkdir()
    (site / "acme_rules-1.0.dist-info" / "entry_points.txt").write_text(
        "[aisec]\nacme = acme_rules\n", encoding="utf-8"
    )
    stale = run(["check", "app.py"], project, cache, env=env)
    assert not stale.answered and stale.code == 1 and "TEAM001" in stale.out
    after = compare(["check", "app.py"], project, cache, env=env)
    assert after.code == 1 and not after.answered
    # the plugin's source edited in place (an editable install): its recorded state is stale
    (site / "acme_rules.py").write_text(PLUGIN.replace('"acme"', '"nothing-here"'), encoding="utf-8")
    edited = compare(["check", "app.py"], project, cache, env=env)
    assert edited.code == 0


def test_forged_foreign_and_unreadable_tables(project: Path, cache: Path) -> None:
    (project / "hot.py").write_text(TRIGGERS[1], encoding="utf-8")
    (project / "clean.py").write_text(NEUTRAL[0], encoding="utf-8")
    assert compare(["check", "clean.py"], project, cache).answered
    assert not compare(["check", "hot.py"], project, cache).answered
    folder = cache / "aisec" / "triggers"
    (table,) = folder.iterdir()
    written = table.read_bytes()
    mac, size = written[:32], int.from_bytes(written[32:36], "big")
    payload, body = written[36 : 36 + size], written[36 + size :]
    material, content = marshal.loads(payload)
    forged = marshal.dumps((material, {**content, "rules": (), "source_marker": ""}))
    forged_size = len(forged).to_bytes(4, "big")
    # a body that lets nothing through: every marker's alternatives and groups emptied
    empty = marshal.dumps(
        {name: {marker: () for marker in part} for name, part in marshal.loads(body).items()}
    )
    full = run(["check", "hot.py"], project, cache, "off")
    for data in (
        b"\0" * 32 + forged_size + forged + body,  # unsigned
        hmac.new(b"guessed key", forged, "sha256").digest() + forged_size + forged + body,  # another key
        mac + forged_size + forged + body,  # a valid signature moved onto other contents
        mac + written[32:36] + payload[:-1] + bytes([payload[-1] ^ 1]) + body,
        mac + written[32:36] + payload + empty,  # the signed part kept, the body replaced
        mac + written[32:36] + payload + body[:-1] + bytes([body[-1] ^ 1]),
        mac + (size + 1).to_bytes(4, "big") + payload + body,  # the signed part's length changed
        written[:36] + payload,  # the body cut off
        b"",
    ):
        table.write_bytes(data)
        forged_run = run(["check", "hot.py"], project, cache)
        assert (forged_run.code, forged_run.out) == (full.code, full.out)
        assert not forged_run.answered
    # a world-writable table is not trusted either, however it is signed
    table.write_bytes(written)
    table.chmod(0o666)
    assert not run(["check", "clean.py"], project, cache).answered
    # no usable cache folder: everything still works, nothing is answered from it
    shutil.rmtree(folder)
    folder.write_text("not a folder", encoding="utf-8")
    for name in ("clean.py", "hot.py"):
        outcome = compare(["check", name], project, cache)
        assert not outcome.answered


def test_concurrent_first_runs(project: Path, cache: Path) -> None:
    (project / "clean.py").write_text(NEUTRAL[1], encoding="utf-8")
    full = run(["check", "clean.py"], project, cache, "off")
    with ThreadPoolExecutor(4) as pool:
        runs = list(pool.map(lambda _: run(["check", "clean.py"], project, cache), range(6)))
    assert {(r.code, r.out, r.err) for r in runs} == {(full.code, full.out, full.err)}
    assert run(["check", "clean.py"], project, cache).answered
    assert not [p for p in (cache / "aisec" / "triggers").iterdir() if p.name.startswith(".")]


def test_a_table_of_another_version_or_key_is_ignored(tmp_path: Path) -> None:
    secret = os.urandom(32)
    key = fastpath.table_key({}, {}, "", b"", str(tmp_path), secret)
    key.path = str(tmp_path / "table")
    table = {
        "fast": True,
        fastpath.BODY: {"expansions": {"@taint:x": (("a", "b"),)}},
        fastpath.KNOWN: {"pattern_tokens": {"a.b": ("a", "b")}},
    }
    Path(key.path).write_bytes(fastpath.dump_table(key, secret, table))
    loaded = fastpath.load_table(key)
    assert loaded is not None and loaded["fast"] is True
    assert fastpath.table_part(loaded, fastpath.BODY) == table[fastpath.BODY]
    assert fastpath.table_part(loaded, fastpath.KNOWN) == table[fastpath.KNOWN]
    other = fastpath.TableKey(key.path, key.material.replace(fastpath.__version__, "0.0.1", 1), secret)
    assert other.material != key.material and fastpath.load_table(other) is None
    assert fastpath.load_table(fastpath.TableKey(key.path, key.material, os.urandom(32))) is None
    assert fastpath.load_table(fastpath.TableKey(key.path, key.material, None)) is None


@pytest.mark.parametrize("secret", [b"", b"k" * 32, b"long" * 40])
def test_hmac_and_sha256_match_hashlib(secret: bytes) -> None:
    payload = os.urandom(100)
    assert hmac_sha256(secret, payload) == hmac.new(secret, payload, "sha256").digest()
    assert sha256(secret + payload).hexdigest() == hashlib.sha256(secret + payload).hexdigest()


@pytest.mark.parametrize("secret", [b"", b"k" * 32, b"m" * 64])
def test_blake2b_mac_matches_hashlib(secret: bytes) -> None:
    payload = os.urandom(100)
    expected = hashlib.blake2b(payload, key=secret, digest_size=32).digest()
    assert blake2b_mac(secret, payload) == expected
    assert blake2b_mac(secret[:-1] + b"?", payload) != expected


def test_the_fast_path_imports_almost_nothing(project: Path, cache: Path) -> None:
    (project / "clean.py").write_text(NEUTRAL[1], encoding="utf-8")
    probe = (
        "import sys; sys.argv = ['aisec', 'check', '--no-cache', 'clean.py']\n"
        "from aisec.fastpath import console_main\n"
        "try:\n    console_main()\nexcept SystemExit as exc:\n    assert exc.code == 0, exc.code\n"
        "heavy = ('pluggy', 'libcst', 'fickling', 'tomllib', 'json', 'argparse')\n"
        "print(sorted(m for m in sys.modules if m.startswith('aisec') or m in heavy), file=sys.stderr)\n"
    )
    for _ in range(2):  # the first run writes the table for this sys.path (--no-cache: cwd unchanged)
        done = subprocess.run(
            [sys.executable, "-c", probe],
            cwd=project,
            env=_env(cache, "explain"),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert "fast path answered" in done.stderr, done.stderr
    assert (
        done.stderr.splitlines()[-1]
        == "['aisec', 'aisec.fastpath', 'aisec.lifetime', 'aisec.prefilter', 'aisec.sha', 'aisec.tomlfile']"
    ), done.stderr


def _session(root: Path):
    from aisec.run import CheckOptions, open_session

    return open_session(CheckOptions(paths=[str(root)]), root)


def test_gate_tokens_cover_every_way_a_trigger_can_hit(project: Path) -> None:
    """If a text has none of the table's gate tokens, the prefilter lets no rule through: every
    plain trigger is a gate token, and every alternative of every marker holds one."""
    from aisec.prefilter import rules_for_text, searchable
    from aisec.triggertable import build

    table = build(_session(project))
    gate, expansions = set(sum(table["gate_tokens"], ())), table[fastpath.BODY]["expansions"]
    needles = {n for triggers, _ in table["rules"] for n in triggers} | {table["source_marker"]}
    assert needles - {""}, "the default rules have triggers"
    for needle in needles:
        if needle and not needle.startswith("@taint:"):
            assert needle in gate
        for alternative in expansions.get(needle, ()):
            text = " ".join(alternative)
            assert any(token in text for token in gate), alternative
    rules = [fastpath._Gate(*rule) for rule in table["rules"]]
    for sample in [*NEUTRAL, *TRIGGERS]:
        if not any(token in searchable(sample) for token in gate):
            assert rules_for_text(sample, rules, expansions) == [], sample
            assert sample in NEUTRAL, sample  # every trigger sample holds a gate token


def test_a_rule_without_a_usable_gate_token_turns_the_shortcut_off() -> None:
    from aisec.triggertable import _gate_tokens

    assert _gate_tokens([("yaml",), ("@taint:x",)], {"@taint:x": (("a", "bcd"),)}) == (("yaml", "bcd"), ())
    assert _gate_tokens([("yaml.load", "@taint:x")], {"@taint:x": (("a", "b-c"),)}) == (
        (),
        ("yaml.load", "b-c"),
    )
    assert _gate_tokens([("@taint:x",)], {"@taint:x": (("a",), ())}) is None
    assert _gate_tokens([("",)], {}) is None


def test_gate_tokens_avoid_words_most_files_spell() -> None:
    """Any token of an alternative is a sound gate token; a dunder, a keyword or `self` (in
    most classes and modules) is taken only when the alternative has nothing rarer; then the
    longest (`os` of `os.exec` is part of many more words than `exec`)."""
    from aisec.triggertable import _gate_tokens

    expansions = {"@taint:x": (("__init__", "pyramid", "request"), ("self", "zmq"), ("os", "exec"), ("def",))}
    assert _gate_tokens([("@taint:x",)], expansions) == (("pyramid", "zmq", "exec", "def"), ())


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    text=st.text(st.sampled_from("ab_9 \t\n.\x1f\u2003\u00e9(\"'"), max_size=40),
    tokens=st.lists(st.text(st.sampled_from("ab_9.(\u00e9 "), min_size=1, max_size=4), max_size=6),
)
def test_the_gate_finds_a_token_exactly_when_the_text_holds_one(text: str, tokens: list[str]) -> None:
    """Word tokens are looked up in the text's distinct word runs: the same answer as searching
    the whole text, whatever separates the runs (Unicode spaces, control characters, accents)."""
    from aisec.prefilter import is_word

    gate = (tuple(t for t in tokens if is_word(t)), tuple(t for t in tokens if not is_word(t)))
    assert fastpath._holds_any(text, gate) == any(token in text for token in tokens)


def test_old_tables_are_pruned(project: Path, tmp_path: Path) -> None:
    from aisec.triggertable import MAX_TABLES, save

    folder = tmp_path / "tables"
    folder.mkdir()
    for index in range(MAX_TABLES + 5):
        old = folder / f"{index:032x}.table"
        old.write_bytes(b"x")
        os.utime(old, ns=(index, index))
    key = fastpath.TableKey(str(folder / "new.table"), "material", os.urandom(32))
    save(key, _session(project))
    left = sorted(p.name for p in folder.iterdir())
    assert len(left) == MAX_TABLES and "new.table" in left and f"{0:032x}.table" not in left
    assert fastpath.load_table(key)["fast"] is True


def test_a_declined_run_takes_the_catalog_facts_from_the_table(
    project: Path, cache: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file that holds a gate token goes to the full path with what the verified table body
    says about the taint catalog: exactly what the session works out itself (every marker's
    expansions, every pattern's tokens). The full path uses it: the same report as without it,
    and emptied expansions (a positive control) lose the flow's finding."""
    import libcst as cst
    from aisec import cli, identifiers, walk, walkorders
    from aisec.hooks import taint as hooks_taint
    from aisec.identifiers import SPELLED, catalog_facts
    from aisec.run import adopt_known
    from aisec.triggertable import save

    monkeypatch.chdir(project)
    (project / "route.py").write_text(
        "from flask import request\nimport openai\n"
        "openai.chat.completions.create(messages=[{'role': 'system', 'content': request.args['q']}])\n",
        encoding="utf-8",
    )
    (project / "clean.py").write_text(NEUTRAL[1], encoding="utf-8")
    environ = {"XDG_CACHE_HOME": str(cache), fastpath.KEY_ENV: "test key"}
    argv = ["check", "--no-cache", "route.py"]
    first = fastpath.attempt(argv, environ)
    assert isinstance(first, fastpath.Declined) and first.refresh is not None and first.known is None
    save(first.refresh, _session(project), walk_orders=True)  # as a run that parsed a file writes it
    declined = fastpath.attempt(argv, environ)
    assert isinstance(declined, fastpath.Declined) and declined.refresh is None, declined.reason
    known = declined.known
    assert known is not None and "triggers occur" in declined.reason
    catalog = _session(project).taint_catalog
    assert known["expansions"] == catalog.trigger_expansions()
    patterns = [entry.pattern for entry in (*catalog.sources, *catalog.sinks)]
    assert patterns and all(known["pattern_tokens"][pattern] for pattern in patterns if "." in pattern)
    for pattern, tokens in known["pattern_tokens"].items():
        assert hooks_taint._tokens_of(pattern) == tokens, pattern
    assert known["identifiers"] == catalog_facts(catalog) and known["identifiers"][SPELLED]
    taking = _session(project)
    monkeypatch.setattr(walkorders, "_FIELDS", {})
    adopt_known(taking, known)  # the identifier screen reads the table's facts, not its own
    assert identifiers._facts(taking.taint_catalog, spelled=True)[SPELLED] is known["identifiers"][SPELLED]
    # and the walk takes the field orders its writer learnt (`aisec.walkorders`)
    assert known["walk"]["fields"][walkorders.class_key(cst.FunctionDef)] == walk._FIELDS[cst.FunctionDef]
    assert walkorders.kept_order(cst.FunctionDef) == walk._FIELDS[cst.FunctionDef]

    assert fastpath.attempt(["check", "--no-cache", "clean.py"], environ) == 0
    assert fastpath.attempt(["check", "--fail-on=nope", "route.py"], environ).known is None
    # the part the full path takes over is checked against its signed digest like the body
    table = Path(first.refresh.path)
    written = table.read_bytes()
    table.write_bytes(written[:-1] + bytes([written[-1] ^ 1]))
    tampered = fastpath.attempt(argv, environ)
    assert isinstance(tampered, fastpath.Declined) and tampered.known is None, tampered.reason
    assert "known does not match its signed digest" in tampered.reason
    table.write_bytes(written)
    capsys.readouterr()

    def report(**kwargs: object) -> tuple[int, str]:
        code = cli.main(argv, **kwargs)  # type: ignore[arg-type]
        return code, capsys.readouterr().out

    computed = report()
    assert computed[0] == 1 and "AIS20" in computed[1]
    assert report(known=known) == computed
    emptied = {**known, "expansions": {marker: () for marker in known["expansions"]}}
    assert report(known=emptied)[0] == 0
