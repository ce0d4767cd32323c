"""The import graph's record (`taint.graphrecord`): what the graph reads off each module is kept
between runs under the module file's stamp. These tests compare everything the graph decides
from the record with what it decides from the texts, after edits that try to make it trust a
stale entry (same size and mtime, another file moved in, a touch), and feed it forged, planted
and copied records."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Any, Callable

import aisec.stamps
import pytest
from aisec.cache import ResultCache
from aisec.taint import graph
from aisec.taint.graphrecord import KIND, ModuleFacts, decoded
from aisec.taint.project import ProjectModules
from aisec.testing import default_catalog

TICK = 0.05  # past the coarse clock tick file timestamps come from (at most 10 ms on Linux)
SINK = "import subprocess\n\ndef run{n}(q):\n    return subprocess.run(q, shell=True)\n"
SOURCE = "from flask import request\n\ndef arg{n}():\n    return request.args['q']\n"
PLAIN = 'PROMPT{n} = "You are a helpful assistant, answer briefly"\n\ndef tidy{n}(t):\n    return t.strip()\n'


def generated_project(count: int) -> dict[str, str]:
    """`count` modules, each importing the next and the third next (the last two import each
    other: a cycle), relative and absolute imports, a package re-exporting; a third spell a
    sink, a third a source."""
    files = {".git/HEAD": "", "app/__init__.py": "from .m0 import run0\nfrom app.m1 import arg1 as first\n"}
    for n in range(count):
        body = f"from app.m{min(n + 1, count - 2)} import x\nfrom .m{min(n + 3, count - 1)} import (\n    y,\n    z)\n"
        body += (SINK, SOURCE, PLAIN)[n % 3].replace("{n}", str(n))
        files[f"app/m{n}.py"] = body
    return files


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def store_of(root: Path, secret: bytes = b"k" * 32) -> ResultCache:
    return ResultCache(root / ".aisec_cache", "runkey", secret)


def modules_of(root: Path) -> list[str]:
    return sorted(
        ".".join(p.relative_to(root).with_suffix("").parts).removesuffix(".__init__")
        for p in root.rglob("*.py")
        if ".aisec_cache" not in p.parts
    )


def facts_of(root: Path, store: Any) -> tuple:
    """Everything the graph and the summaries' outlines and keys read off the project's texts,
    for every module; the record saved as a run's end does."""
    project = ProjectModules(root, default_catalog(), store)
    project.max_reach = 8
    facts = []
    for module in modules_of(root):
        file = project.file_of(module)
        assert file is not None
        outline = project._outline_of(module)
        facts.append(
            (
                module,
                project.reach(module),
                project._imports_of(module, file, None),
                project._mentions(file),
                project._spelled(file),
                project._tokens_below(module),
                None if outline is None else (outline.constants, outline.reexports),
            )
        )
    keys = [project._component_keys(c) for c in sorted(set(project._component_of.values()))]
    project.record.save()
    return tuple(facts), keys


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Stamps of files written just now count; returns the module files the graph reads."""
    monkeypatch.setattr(aisec.stamps, "RACY_NS", 0)
    read: list[str] = []
    real = graph.read_stamped_bytes

    def recording(path: Path) -> Any:
        read.append(path.name)
        return real(path)

    monkeypatch.setattr(graph, "read_stamped_bytes", recording)
    return read


def _same_size_same_mtime(path: Path) -> None:
    """Other bytes of the same length, the modification time set back: only ctime tells."""
    before = path.stat()
    text = path.read_text()
    path.write_text(text.replace("import x", "import q"), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size and path.stat().st_mtime_ns == before.st_mtime_ns


def _moved_in(path: Path) -> None:
    """Another file (another inode) of the same size and mtime moved over it."""
    before = path.stat()
    other = path.with_name("other.tmp")
    other.write_text(path.read_text().replace("import x", "import w"), encoding="utf-8")
    os.utime(other, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(other, path)


EDITS: dict[str, tuple[Callable[[Path], None], list[str]]] = {
    # name: (the edit of the project, the files the next run must read)
    "an import dropped": (
        lambda r: (r / "app/m4.py").write_text("from app.m0 import x\n" + PLAIN),
        ["m4.py"],
    ),
    "a sink spelled": (
        lambda r: (r / "app/m2.py").write_text((r / "app/m2.py").read_text() + SINK),
        ["m2.py"],
    ),
    "same size and mtime": (lambda r: _same_size_same_mtime(r / "app/m5.py"), ["m5.py"]),
    "moved in": (lambda r: _moved_in(r / "app/m7.py"), ["m7.py"]),
    "touched": (lambda r: (r / "app/m8.py").touch(), ["m8.py"]),
    "a module removed": (lambda r: (r / "app/m9.py").unlink(), []),
    "a module added": (lambda r: (r / "app/new.py").write_text("from app.m3 import f\n" + SINK), ["new.py"]),
}


@pytest.mark.parametrize("edit", EDITS)
def test_the_record_gives_what_the_texts_give_after_an_edit(
    tmp_path: Path, reads: list[str], edit: str
) -> None:
    root = write_tree(tmp_path, generated_project(24))
    store = store_of(root)
    first = facts_of(root, store)
    assert first == facts_of(root, None)
    assert any(fact[1] is None for fact in first[0]) and any(
        fact[1] for fact in first[0]
    )  # both sides of the bound
    reads.clear()
    assert facts_of(root, store) == first and reads == []  # nothing read again: the record answered
    time.sleep(TICK)
    change, reread = EDITS[edit]
    change(root)
    after = facts_of(root, store)
    assert sorted(set(reads)) == reread
    assert after == facts_of(root, None)
    if edit != "touched":
        assert after != first


@pytest.mark.parametrize(
    "data",
    [b"a\r\nb\rc\n", b"\xef\xbb\xbfimport os\r\n", b"x = '\xff'\n", b"\r" * 9000 + b"\n", b"a\r" * 5000, b""],
)
def test_a_module_text_reads_as_read_text_reads_it(tmp_path: Path, data: bytes) -> None:
    """CRLF and CR line breaks (across the text reader's chunks), a BOM, bytes that are not UTF-8."""
    (tmp_path / "m.py").write_bytes(data)
    assert decoded(data) == graph.read_text(tmp_path / "m.py")


def test_a_stamp_too_recent_is_not_recorded(tmp_path: Path) -> None:
    """Files written within `RACY_NS` are read again each run until they age."""
    root = write_tree(tmp_path, generated_project(6))
    store = store_of(root)
    facts_of(root, store)
    assert not store.get_record(KIND, ModuleFacts(store, root.resolve(), _tokens).key())


def _tokens() -> list[Any]:
    return ProjectModules(Path("."), default_catalog())._catalog_tokens()


def _record_file(root: Path) -> Path:
    (found,) = (root / ".aisec_cache").rglob(f"{KIND}/*/*.json")
    return found


def _recorded(root: Path) -> dict[str, Any]:
    """The record's payload as written (unchecked)."""
    return json.loads(_record_file(root).read_bytes().partition(b"\n")[2])


def _lying(record: dict[str, Any]) -> dict[str, Any]:
    """The record with every module's facts made up (no imports, no source or sink), and its
    layout saying that no name is a module."""
    entries = {
        path: [stamp, {fact: ([] if fact.startswith("imports") else False) for fact in facts}]
        for path, (stamp, facts) in record["entries"].items()
    }
    layout = {
        "folders": record["layout"]["folders"],
        "files": {},
        "edges": {module: [stamp, ""] for module, (stamp, _) in record["layout"]["edges"].items()},
    }
    return {"entries": entries, "layout": layout}


@pytest.mark.parametrize("how", ["forged", "planted", "copied to another project"])
def test_a_record_not_made_here_is_not_trusted(tmp_path: Path, reads: list[str], how: str) -> None:
    root = write_tree(tmp_path / "a", generated_project(12))
    store = store_of(root)
    truth = facts_of(root, store)
    entry = _record_file(root)
    mac, _, payload = entry.read_bytes().partition(b"\n")
    record = json.loads(payload)
    assert len(record["entries"]) == 13 and all(stamp for stamp, _ in record["entries"].values())
    assert "app.m3" in record["layout"]["files"] and record["layout"]["folders"] and record["layout"]["edges"]
    if how == "forged":  # the signature of the true record over made-up facts
        entry.write_bytes(mac + b"\n" + json.dumps(_lying(record)).encode())
    elif how == "planted":  # signed, but with another machine's key
        other = store_of(root, secret=b"x" * 32)
        other.put_record(KIND, ModuleFacts(other, root.resolve(), _tokens).key(), _lying(record))
    else:  # the same files (their stamps kept) below another root, the record copied along
        root = tmp_path / "b"
        shutil.copytree(tmp_path / "a", root, copy_function=os.link)
        store = store_of(root)
    reads.clear()
    assert facts_of(root, store) == truth
    assert len(set(reads)) == 13  # every module read again


def test_the_record_is_keyed_by_the_catalog_tokens(tmp_path: Path) -> None:
    """What a module spells depends on the catalog: a record made under another is not read."""
    store = store_of(tmp_path)
    made = ModuleFacts(store, tmp_path, lambda: [["subprocess"]])
    made.put(tmp_path / "m.py", [1, 2, 3, 4, 5], "mentions", True)
    made.save()
    assert ModuleFacts(store, tmp_path, lambda: [["subprocess"]])._entries()
    assert not ModuleFacts(store, tmp_path, lambda: [["os"]])._entries()


def test_entries_of_files_gone_are_dropped(tmp_path: Path, reads: list[str]) -> None:
    root = write_tree(tmp_path, generated_project(6))
    store = store_of(root)
    facts_of(root, store)
    time.sleep(TICK)
    (root / "app/m5.py").unlink()
    (root / "app/m4.py").write_text("from app.m0 import x\n")  # a change: the record is written
    facts_of(root, store)
    assert {Path(p).name for p in _recorded(root)["entries"]} == {
        *(f"m{n}.py" for n in range(5)),
        "__init__.py",
    }


# ----- the CLI -----

ROUTES = "from flask import request\nfrom app.service import handle\n\ndef view():\n    return handle(request.args['q'])\n"
SERVICE = "from app.llm import ask\n{extra}\ndef handle(q):\n    return ask(q)\n"
LLM = (
    "import openai\n\ndef ask(q):\n"
    "    return openai.chat.completions.create(model='m', messages=[{'role': 'system', 'content': q}])\n"
)
DB = "import subprocess\n\ndef run(q):\n    return subprocess.run(q, shell=True)\n"


def _codes(run_cli: Callable[..., Any], root: Path, *extra: str) -> list[tuple[str, str]]:
    result = run_cli(["check", "--format", "json", *extra, "."], cwd=root)
    assert result.code in (0, 1), result.err
    return sorted((f["path"], f["code"]) for f in result.json()["findings"])


def test_an_edited_import_changes_the_notice_on_the_next_run(
    tree: Callable[..., Path], run_cli: Callable[..., Any], reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With at most two reachable modules spelling a source or sink, `routes` is followed; once
    `service` (recorded before) imports a second one, `routes` says its imports are not followed
    (AIS005), and no longer once the import is gone again. The checked file is edited each time
    (a notice is kept with a cached result until its own file changes)."""
    monkeypatch.setattr(graph, "MAX_REACH", 2)  # `routes` (a source) and `llm`
    files = {".git/HEAD": "", "app/__init__.py": "", "app/llm.py": LLM, "app/db.py": DB}
    root = tree({**files, "app/routes.py": ROUTES, "app/service.py": SERVICE.format(extra="")})
    followed = [("app/routes.py", "AIS201")]
    assert _codes(run_cli, root) == followed
    assert "service.py" in reads and _recorded(root)["entries"]
    for extra, expected in [("from app.db import run\n", [("app/routes.py", "AIS005")]), ("", followed)]:
        time.sleep(TICK)
        (root / "app/service.py").write_text(SERVICE.format(extra=extra))
        (root / "app/routes.py").write_text(ROUTES + f"# {extra}\n")
        reads.clear()
        assert _codes(run_cli, root) == expected
        assert "service.py" in reads and "llm.py" not in reads  # the edited module only


def test_the_workers_of_a_cold_run_write_the_record(
    tree: Callable[..., Path], run_cli: Callable[..., Any], reads: list[str]
) -> None:
    """A pool's workers build the graph each and keep what they read as they exit; the next run,
    after one module changed, reads that module only."""
    files = {f"app/r{n}.py": ROUTES.replace("service import", f"service{n % 3} import") for n in range(30)}
    extra = {f"app/service{n}.py": SERVICE.format(extra="") for n in range(3)}
    root = tree({".git/HEAD": "", "app/__init__.py": "", "app/llm.py": LLM, **files, **extra})
    cold = _codes(run_cli, root, "--jobs", "2")
    assert len(cold) == 30
    assert {Path(p).name for p in _recorded(root)["entries"]} >= {
        "llm.py",
        "service0.py",
        "service1.py",
        "service2.py",
    }
    time.sleep(TICK)
    (root / "app/service1.py").write_text(SERVICE.format(extra="") + "# edit\n")
    reads.clear()
    assert _codes(run_cli, root, "--jobs", "2") == cold
    # the modules both workers read are in the record whichever saved last (the routes each
    # read may be lost to a race: read again, never wrong)
    assert "service1.py" in reads and not {"llm.py", "service0.py", "service2.py"} & set(reads)


# ----- the layout: `file_of`'s answers under the stamps of the folders they were read from -----


def _listings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The folders the graph lists from now on."""
    listed: list[str] = []
    real = os.scandir

    def scandir(folder: str) -> Any:
        listed.append(folder)
        return real(folder)

    monkeypatch.setattr(graph.os, "scandir", scandir)
    return listed


def _walk(root: Path, store: Any, imports_read: list[str] | None = None) -> tuple:
    """What a run that starts at the package walks: every module's file, edges and reach, from
    a new graph (`imports_read`: gets the modules whose imports it read)."""
    project = ProjectModules(root, default_catalog(), store)
    project.max_reach = 8
    project.reach("app")
    found = tuple(
        sorted(
            (m, project.file_of(m), sorted(project._edges(m)), project.reach(m))
            for m in project._component_of
        )
    )
    if imports_read is not None:
        imports_read += [path.name for path in project._imports_memo]
    project.record.save()
    return found


def _replace_by_a_folder(path: Path) -> None:
    path.unlink()
    path.mkdir()


LAYOUT_EDITS: dict[str, Callable[[Path], Any]] = {
    "a module added": lambda r: (r / "app/new.py").write_text("x = 1\n"),
    "a module removed": lambda r: (r / "app/m3.py").unlink(),
    "a module renamed": lambda r: (r / "app/m5.py").rename(r / "app/m5b.py"),
    "a module made a folder": lambda r: _replace_by_a_folder(r / "app/m4.py"),
    "a package's __init__ added": lambda r: (r / "app/data/__init__.py").write_text("from app.m0 import x\n"),
    "a src folder made": lambda r: write_tree(r, {"src/app/new.py": SINK.replace("{n}", "9")}),
    "a symlink added": lambda r: (r / "app/alias.py").symlink_to(r / "app/m2.py"),
}


def _layout_project(root: Path) -> Path:
    files = generated_project(12)
    files["app/m0.py"] += (
        "from app.data import y\nfrom app.data.inner import z\nimport app.alias\nimport app.new\n"
    )
    write_tree(root, files)
    (root / "app/data").mkdir()  # a folder, no package (yet)
    return root


def test_the_layout_answers_the_graph_without_a_listing(
    tmp_path: Path, reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _layout_project(tmp_path)
    store = store_of(root)
    truth = _walk(root, store)  # makes the cache folder in the root: the root's stamp moves
    assert _walk(root, store) == truth == _walk(root, None) and len(truth) == 13
    listed = _listings(monkeypatch)
    imports_read: list[str] = []
    assert _walk(root, store, imports_read) == truth and listed == []  # every name answered from the record
    assert imports_read == []  # and every module's edges
    assert "app.data" not in _recorded(root)["layout"]["files"]  # a folder without `__init__.py`


@pytest.mark.parametrize("edit", LAYOUT_EDITS)
def test_a_folder_changed_is_listed_again(
    tmp_path: Path, reads: list[str], monkeypatch: pytest.MonkeyPatch, edit: str
) -> None:
    """Each edit moves a listed folder's stamp: the recorded answers are not given, the graph is
    the one its texts and folders make, and the next run is answered from the record again
    (but where a folder holds a symlink: no layout is recorded then)."""
    root = _layout_project(tmp_path)
    store = store_of(root)
    first = _walk(root, store)
    time.sleep(TICK)
    LAYOUT_EDITS[edit](root)
    listed = _listings(monkeypatch)
    after = _walk(root, store)
    assert listed and after == _walk(root, None) and after != first
    listed.clear()
    assert _walk(root, store) == after
    assert bool(listed) == (edit == "a symlink added")


def test_a_layout_whose_folder_moved_in_another_process_is_replaced(tmp_path: Path, reads: list[str]) -> None:
    """Two processes' layouts merge only when their folders' stamps agree: the last writer's,
    made after a module was added, replaces the record's (whose `app` folder stamp is stale)."""
    root = _layout_project(tmp_path)
    store = store_of(root)
    early = ProjectModules(root, default_catalog(), store)
    early.reach("app")  # listed before the edit, saved after it
    time.sleep(TICK)
    (root / "app/new.py").write_text(SINK.replace("{n}", "9"))
    late = ProjectModules(root, default_catalog(), store)
    late.reach("app")
    late.record.save()
    early.record.save()  # its `app` stamp disagrees with the record's: its layout replaces it
    layout = _recorded(root)["layout"]
    assert "app.new" not in layout["files"]  # early's answer (none), under early's (stale) stamp
    assert _walk(root, store) == _walk(root, None)  # not trusted: `app` moved since


def test_a_module_edited_in_place_has_its_edges_worked_out_again(tmp_path: Path, reads: list[str]) -> None:
    """Its folder keeps its stamp (the layout holds), its file does not: its edges are worked out
    of its new text; the other modules' come from the record. Same size, mtime set back."""
    root = _layout_project(tmp_path)
    store = store_of(root)
    _walk(root, store)
    first = _walk(root, store)
    time.sleep(TICK)
    path = root / "app/m3.py"
    before = path.stat()
    path.write_text(path.read_text().replace("from app.m4 import", "from app.m9 import"), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    imports_read: list[str] = []
    after = _walk(root, store, imports_read)
    assert imports_read == ["m3.py"]
    assert after == _walk(root, None) and after != first


@pytest.mark.parametrize(
    "names", [[], ["a"], ["a", "a.b", "c.d.e"], ["a", "x.y\n z"], ["a#b", "c"], ["", "c"], ["#"]]
)
def test_the_imports_read_back_as_they_were_kept(names: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """A module's imports are kept joined by `#` (no name the import pattern reads holds one),
    and as a list should one hold a `#` or be empty: either reads back from JSON as it was."""
    project = ProjectModules(Path("."), default_catalog())
    monkeypatch.setattr(project, "_imported", lambda *_: names)
    kept = json.loads(json.dumps(project._imports_kept("app", False, "")))
    assert graph._names_kept(kept) == names
    assert isinstance(kept, str) == (all(names) and not any("#" in name for name in names))


def test_a_text_handed_in_makes_the_edges_of_its_module_in_this_run(tmp_path: Path, reads: list[str]) -> None:
    """An editor's buffer read for a module (its imports) is what the run's graph has of that
    module, as without a record: not the recorded edges of the file on disk."""
    root = _layout_project(tmp_path)
    store = store_of(root)
    _walk(root, store)
    _walk(root, store)
    buffer = (root / "app/m3.py").read_text().replace("from app.m4 import", "from app.m9 import")
    graphs = []
    for kept in (store, None):
        project = ProjectModules(root, default_catalog(), kept)
        project._imports_of("app.m3", root / "app/m3.py", buffer)
        project.reach("app")
        graphs.append(sorted(project._edges("app.m3")))
    assert graphs[0] == graphs[1] and "app.m9" in graphs[0] and "app.m4" not in graphs[0]
