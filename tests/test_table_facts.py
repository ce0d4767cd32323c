"""A full run over a directory takes the taint catalog's facts from the signed trigger table of its
own key (`run.TableFacts`), and never from a table it must not trust.

Each test counts how often the catalog's trigger expansions are worked out (`TaintCatalog.
_trigger_expansions`): 0 means the run took them from a table. Every table that must not be taken
(another machine key, another config, a stale plugin, a truncated or edited file, facts that do
not come from this key's session) leaves the run computing them, with the report of a run that
never looked at a table.
"""

from __future__ import annotations

import marshal
import shutil
import textwrap
from pathlib import Path
from typing import Any, Callable

import pytest
from aisec import cli, fastpath
from aisec.hooks.taint import TaintCatalog
from test_plugins import rule_plugin

ROUTE = (
    "import acme.web\nimport acme.llm\nfrom flask import request\nimport openai\n\n"
    "acme.llm.ask(system=acme.web.get_param('q'))\n"
    "openai.chat.completions.create(messages=[{'role': 'system', 'content': request.args['q']}])\n"
)
ACME_TAINT = (
    "[taint]\n"
    'sources = ["acme.web.get_param"]\n'
    'sinks = [{pattern = "acme.llm.ask", keyword = "system", role = "instruction"}]\n'
)
KEY_TEXT = "table facts test key"


class Runs:
    """In-process console-script runs (`cli.main(..., tables=True)`) of `aisec check` in one
    project, counting the catalog's own computations of its trigger expansions."""

    def __init__(self, project: Path, xdg: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
        self.project = project
        self.capsys = capsys
        self.computed = 0
        monkeypatch.chdir(project)
        monkeypatch.setenv("XDG_CACHE_HOME", str(xdg))
        monkeypatch.setenv(fastpath.KEY_ENV, KEY_TEXT)
        monkeypatch.delenv("AISEC_NO_LOCAL_PLUGINS", raising=False)
        original = TaintCatalog._trigger_expansions

        def counted(catalog: TaintCatalog) -> Any:
            self.computed += 1
            return original(catalog)

        monkeypatch.setattr(TaintCatalog, "_trigger_expansions", counted)
        self.tables = xdg / "aisec" / "triggers"

    def check(self, *options: str, tables: bool = True) -> tuple[int, str, int]:
        """(exit code, JSON report without timings, expansions computed)"""
        before = self.computed
        self.capsys.readouterr()
        code = cli.main(["check", "--format", "json", *options, "."], tables=tables)
        return code, self.capsys.readouterr().out, self.computed - before

    def table(self) -> Path:
        (table,) = self.tables.iterdir()
        return table


@pytest.fixture
def runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> Runs:
    project = tmp_path / "repo"
    (project / ".git").mkdir(parents=True)
    (project / "app.py").write_text(ROUTE, encoding="utf-8")
    (project / "util.py").write_text("def add(a, b):\n    return a + b\n", encoding="utf-8")
    return Runs(project, tmp_path / "xdg", monkeypatch, capsys)


def _resigned(table: Path, secret: bytes, change: Callable[[dict[str, Any]], dict[str, Any]]) -> bytes:
    """The table's bytes with its `KNOWN` part replaced by `change(KNOWN)`, signed with `secret`."""
    written = table.read_bytes()
    size = int.from_bytes(written[32:36], "big")
    material, head = marshal.loads(written[36 : 36 + size])
    parts = written[36 + size :]
    body_size = head["parts_sha256"][fastpath.BODY][0]
    content = {
        **head,
        fastpath.BODY: marshal.loads(parts[:body_size]),
        fastpath.KNOWN: change(marshal.loads(parts[body_size:])),
    }
    key = fastpath.TableKey(str(table), material, secret)
    return fastpath.dump_table(key, secret, content)


def _emptied(known: dict[str, Any]) -> dict[str, Any]:
    """Facts that let no taint rule through the token gate."""
    return {**known, "expansions": {marker: () for marker in known["expansions"]}}


def test_a_directory_run_writes_the_table_and_the_next_one_takes_its_facts(runs: Runs) -> None:
    computed = runs.check("--no-cache", tables=False)
    assert computed[0] == 1 and computed[1].count('"AIS201"') == 1 and computed[2] >= 1
    assert not runs.tables.exists()  # only the console script reads and writes tables
    first = runs.check("--no-cache")
    assert first[:2] == computed[:2] and first[2] >= 1
    table = runs.table()
    second = runs.check("--no-cache")
    assert second[:2] == computed[:2] and second[2] == 0
    # positive control: the run really reads this table (facts that gate every taint rule away)
    table.write_bytes(_resigned(table, fastpath.derived_key(KEY_TEXT), _emptied))
    assert runs.check("--no-cache")[:1] == (0,)
    # the pre-commit fast path takes the table a directory run wrote (one key for both)
    shutil.rmtree(runs.tables)
    runs.check("--no-cache")
    environ = {"XDG_CACHE_HOME": str(runs.tables.parent.parent), fastpath.KEY_ENV: KEY_TEXT}
    assert fastpath.attempt(["check", "util.py"], environ) == 0


def test_a_warm_run_that_checks_nothing_does_not_read_the_table(
    runs: Runs, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = str(runs.project.parent / "results")
    cold = runs.check("--cache-dir", cache)
    table = runs.table()
    written = table.stat().st_mtime_ns
    read: list[Any] = []
    monkeypatch.setattr(fastpath, "load_table", lambda key: read.append(key))
    warm = runs.check("--cache-dir", cache)
    assert warm[0] == cold[0] and warm[2] == 0 and read == []
    assert table.stat().st_mtime_ns == written


def test_tables_it_must_not_take(runs: Runs) -> None:
    baseline = runs.check("--no-cache", tables=False)[:2]
    runs.check("--no-cache")
    table = runs.table()
    written = table.read_bytes()
    secret = fastpath.derived_key(KEY_TEXT)
    poisoned = _resigned(table, secret, _emptied)
    for forged in (
        _resigned(table, fastpath.derived_key("another machine"), _emptied),  # another key
        poisoned[:-1] + bytes([poisoned[-1] ^ 1]),  # the facts edited after signing
        poisoned[: len(poisoned) - 100],  # truncated
        poisoned[:36] + b"\0" + poisoned[37:],  # the signed part edited
        b"",
    ):
        table.write_bytes(forged)
        taken = runs.check("--no-cache")
        assert taken[:2] == baseline and taken[2] >= 1
        table.write_bytes(written)
    # a table only the user may write: one others can write is not trusted, however it is signed
    table.write_bytes(poisoned)
    table.chmod(0o666)
    taken = runs.check("--no-cache")
    assert taken[:2] == baseline and taken[2] >= 1


def test_a_table_of_another_config_is_not_taken(runs: Runs) -> None:
    """The config's bytes are part of the key: a table written before the config added a taint
    source and sink does not hide the flow between them."""
    config = runs.project / "aisec.toml"
    config.write_text('fail-on = "low"\n', encoding="utf-8")
    before = runs.check("--no-cache")
    runs.check("--no-cache")
    assert before[1].count('"AIS201"') == 1
    config.write_text(ACME_TAINT, encoding="utf-8")
    after = runs.check("--no-cache")
    assert after[1].count('"AIS201"') == 2 and after[2] >= 1
    assert runs.check("--no-cache") == (after[0], after[1], 0)
    # the options that choose rules are part of it too
    ignoring = runs.check("--no-cache", "--ignore", "AIS201")
    assert ignoring[1].count('"AIS201"') == 0 and ignoring[2] >= 1


def test_a_table_of_a_plugin_edited_since_is_not_taken(runs: Runs) -> None:
    plugin = runs.project / "acme_rules.py"
    plugin.write_text(textwrap.dedent(rule_plugin("TEAM001")), encoding="utf-8")
    (runs.project / "aisec.toml").write_text('plugins = ["acme_rules"]\n', encoding="utf-8")
    first = runs.check("--no-cache")
    assert runs.check("--no-cache")[2] == 0
    plugin.write_text(textwrap.dedent(rule_plugin("TEAM001")) + "\n# edited\n", encoding="utf-8")
    edited = runs.check("--no-cache")
    assert edited[:2] == first[:2] and edited[2] >= 1
    assert runs.check("--no-cache")[2] == 0
