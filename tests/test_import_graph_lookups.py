"""The import graph's two lookups made cheap for big projects, against what they replace.

`ImportGraph.file_of` reads folder listings instead of asking `is_file` of two candidates per
name below two bases; the oracle is that stat-based lookup. `_spells`/`_spelled` read a module's
text with the catalog's `TokenIndex` once a run read `INDEX_AFTER` texts; the oracle is the same
project read with the index never made (same reach, same tokens, same notices).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from aisec.taint import graph
from aisec.taint.project import ProjectModules
from aisec.testing import default_catalog
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

NAMES = ("a", "b", "pkg", "src", "llm", "__init__")


def stat_file_of(root: Path, module: str) -> Path | None:
    """The lookup `file_of` replaced: `.py` then `__init__.py`, below the root then `src/`."""
    parts = module.split(".")
    for base in (root, root / "src"):
        for candidate in (base.joinpath(*parts).with_suffix(".py"), base.joinpath(*parts, "__init__.py")):
            if candidate.is_file():
                return candidate
    return None


layouts = st.lists(
    st.tuples(
        st.sampled_from(["", "src/"]),
        st.lists(st.sampled_from(NAMES[:-1]), min_size=0, max_size=3),
        st.sampled_from([*NAMES, "a.py", "b.txt"]),
        st.sampled_from(["file", "folder", "symlink-file", "symlink-folder", "broken-symlink"]),
    ),
    max_size=12,
)


def build(root: Path, layout: list[tuple[str, list[str], str, str]]) -> None:
    """Files, folders named like modules (`a.py/`), symlinks to both and dangling ones."""
    target_file = root / "elsewhere.txt"
    target_file.write_text("x = 1\n")
    (root / "elsewhere").mkdir(exist_ok=True)
    (root / "elsewhere" / "__init__.py").write_text("")
    for base, folders, name, kind in layout:
        folder = root / base / Path(*folders) if folders else root / base
        if folder.exists() and not folder.is_dir():
            continue
        folder.mkdir(parents=True, exist_ok=True)
        leaf = folder / (name if "." in name or kind.endswith("folder") else f"{name}.py")
        if os.path.lexists(leaf):
            continue
        if kind == "file":
            leaf.write_text("")
        elif kind == "folder":
            leaf.mkdir()
            (leaf / "__init__.py").write_text("")
        elif kind == "symlink-file":
            leaf.symlink_to(target_file)
        elif kind == "symlink-folder":
            leaf.symlink_to(root / "elsewhere", target_is_directory=True)
        else:
            leaf.symlink_to(root / "missing")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(layout=layouts)
def test_file_of_answers_as_the_stat_lookup(tmp_path_factory: pytest.TempPathFactory, layout: list) -> None:
    root = tmp_path_factory.mktemp("project")
    build(root, layout)
    project = ProjectModules(root, default_catalog())
    asked = {".".join(parts) for parts in _module_names()}
    for module in sorted(asked):
        assert project.file_of(module) == stat_file_of(root.resolve(), module), module


def _module_names() -> list[tuple[str, ...]]:
    names = [(a,) for a in NAMES]
    names += [(a, b) for a in NAMES for b in NAMES]
    return names + [(a, b, c) for a in NAMES[:3] for b in NAMES[:4] for c in NAMES]


def test_a_folder_that_cannot_be_listed_holds_no_module(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "llm.py").write_text("")
    project = ProjectModules(tmp_path, default_catalog())
    assert project.file_of("pkg.llm") == tmp_path.resolve() / "pkg" / "llm.py"
    assert project.file_of("pkg.llm.ask") is None  # a module's name is no folder
    assert project.file_of("missing.llm") is None


def test_a_folder_is_known_to_be_none_from_its_listed_parent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`from pkg.llm import ask` asks for `pkg/llm/` and `src/pkg/...`: no file system call for
    those (their parents' listings tell), but a folder whose parent could not be listed (no
    read permission; it may still be entered) is listed, as `scandir` tells."""
    (tmp_path / "pkg" / "sub").mkdir(parents=True)
    (tmp_path / "pkg" / "sub" / "llm.py").write_text("")
    (tmp_path / "pkg" / "llm.py").write_text("")
    listed: list[str] = []
    real = os.scandir

    def scandir(folder: str) -> Any:
        listed.append(os.path.relpath(folder, tmp_path))
        if folder.endswith("pkg"):
            raise PermissionError(13, "Permission denied", folder)
        return real(folder)

    monkeypatch.setattr(graph.os, "scandir", scandir)
    project = ProjectModules(tmp_path, default_catalog())
    assert project.file_of("pkg.sub.llm") == tmp_path.resolve() / "pkg" / "sub" / "llm.py"
    assert project.file_of("pkg.llm") is None  # `pkg` cannot be listed: no module in it
    assert project.file_of("pkg.sub.llm.ask") is None
    assert project.file_of("other.deep.name.ask") is None
    assert sorted(listed) == [".", "pkg", "pkg/sub"]  # not `pkg/sub/llm`, `src`, `other`, ...


PROJECT = {
    ".git/HEAD": "",
    "app/__init__.py": "",
    "app/llm.py": "import openai\n\ndef ask(q):\n"
    "    return openai.chat.completions.create(model='m', messages=[{'role': 'system', 'content': q}])\n",
    "app/plain.py": "def tidy(text):\n    return text.strip()\n",
}


def generated_project(count: int) -> dict[str, str]:
    """`count` modules, each importing the next two; a third spell a sink or a source."""
    files = dict(PROJECT)
    for n in range(count):
        body = f"from app.m{n + 1} import f{n + 1}\nfrom app.m{n + 2} import f{n + 2}\n"
        if n % 3 == 0:
            body += "import subprocess\n\ndef f{n}(q):\n    return subprocess.run(q, shell=True)\n"
        elif n % 3 == 1:
            body += "from flask import request\n\ndef f{n}():\n    return request.args['q']\n"
        else:
            body += "from app.llm import ask\n\ndef f{n}(q):\n    return ask(q)\n"
        files[f"app/m{n}.py"] = body.replace("{n}", str(n))
    return files


def reading(root: Path, index_after: int, monkeypatch: pytest.MonkeyPatch) -> tuple:
    """Everything the graph's text reading decides, for every module of the project."""
    monkeypatch.setattr(graph, "INDEX_AFTER", index_after)
    project = ProjectModules(root, default_catalog())
    project.max_reach = 20
    modules = sorted(
        ".".join(p.relative_to(root).with_suffix("").parts).removesuffix(".__init__")
        for p in root.rglob("*.py")
    )
    facts = []
    for module in modules:
        file = project.file_of(module)
        text = file.read_text()
        facts.append(
            (
                module,
                project.reach(module),
                project._mentions(file),
                project._spelled(file),
                project._tokens_below(module),
                project.unfollowed(str(file), text),
            )
        )
    return tuple(facts), project._index is not None


def test_the_catalog_index_reads_the_project_as_without_it(
    tree: type, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """60 modules (over `max_reach` 20 for some): reach, mentions, spelled tokens, tokens below
    and the AIS005 notice are the same with the index made at once and never."""
    root = tree(generated_project(60))
    indexed, made = reading(root, 0, monkeypatch)
    plain, never = reading(root, 10**9, monkeypatch)
    assert made and not never
    assert indexed == plain
    assert any(fact[1] is None for fact in plain) and any(fact[5] for fact in plain)


def test_a_module_name_never_names_a_file_outside_the_project(tmp_path: Path, run_cli: Any) -> None:
    """`import x./abs/folder.evil` is no Python, but the import pattern reads the line: a part
    that is no identifier (an absolute path) must not make `os.path.join` leave the root, so a
    file outside is neither read for the graph nor summarised into a finding."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "evil.py").write_text("import os\n\ndef run(cmd):\n    os.system(cmd)\n", encoding="utf-8")
    root = tmp_path / "project"
    (root / ".git").mkdir(parents=True)
    escape = f"x.{outside}.evil"
    (root / "app.py").write_text(
        f"import sys\nimport {escape}\n\nx.run(sys.argv[1])\n{outside.name}.evil.run(sys.argv[1])\n",
        encoding="utf-8",
    )
    project = ProjectModules(root, default_catalog())
    assert project.file_of(escape) is None and project.file_of(f"x.{outside}") is None
    assert project.file_of("app") == root / "app.py"
    found = run_cli(["check", "--no-cache", "--format", "json", "app.py"], cwd=root).json()["findings"]
    assert not any("evil" in json.dumps(finding) for finding in found)


DEPTH = 200  # package folders nested in one another (`a/a/.../a/`): well within a path's length


def test_a_deep_package_is_found_and_a_name_of_thousands_of_parts_is_no_recursion(
    tree: Any, run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`below` works a package out from the top level down, one part at a time: a module
    `DEPTH` packages deep is found and followed, and `import a.a.a...` of 3,000 parts (a line a
    scanned file controls) is no module, not a RecursionError that ends the run."""
    listed: list[str] = []
    real = os.scandir

    def scandir(folder: str) -> Any:
        listed.append(folder)
        return real(folder)

    deep = "/".join(["a"] * DEPTH)
    files = {".git/HEAD": "", f"{deep}/llm.py": PROJECT["app/llm.py"]}
    files.update({"/".join(["a"] * n) + "/__init__.py": "" for n in range(1, DEPTH + 1)})
    long_name = ".".join(["a"] * 3000)
    files["helpers.py"] = f"import {long_name}\n"  # read by the import pattern: it is not parsed
    files["routes.py"] = (
        f"from flask import request\nfrom {deep.replace('/', '.')}.llm import ask\nimport helpers\n\n"
        "def view():\n    return ask(request.args['q'])\n"
    )
    root = tree(files)
    monkeypatch.setattr(graph.os, "scandir", scandir)
    project = ProjectModules(root, default_catalog())
    assert project.file_of(f"{deep.replace('/', '.')}.llm") == root.resolve() / deep / "llm.py"
    assert project.file_of(long_name) is None and project.below(long_name) == frozenset()
    assert len(listed) == DEPTH + 1  # the root and each level once (no `src/`: the root's listing tells)
    found = run_cli(["check", "--no-cache", "--format", "json", "routes.py"], cwd=root).json()["findings"]
    assert [(f["path"], f["code"]) for f in found] == [("routes.py", "AIS201")]
