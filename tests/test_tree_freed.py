"""A scanned file's libcst tree is freed by reference counting when its scan ends: nothing of the
scan (the walk's recursive closure, the context and its dispatcher, the pending reports) keeps it
in a reference cycle that only the cyclic garbage collector would find. A cold scan of langchain
had left 1.2 million objects to full collections."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any, Iterator

import libcst as cst
import pytest
from aisec.engine import FileScanner
from aisec.pluginmanager import load_plugins
from aisec.project import Project
from aisec.taintconfig import build_catalog

FLOW = (
    "from flask import Flask, request\nfrom openai import OpenAI\n\napp = Flask(__name__)\nclient = OpenAI()\n\n\n"
    '@app.post("/ask")\ndef ask():\n    q = request.json["q"]\n    r = client.chat.completions.create(\n'
    '        model="m", messages=[{"role": "system", "content": q}]\n    )\n'
    "    return r.choices[0].message.content\n"
)
CLEAN = FLOW.replace('"content": q', '"content": "Answer briefly."').replace(
    "return r.choices[0].message.content", "return {'ok': bool(r)}"
)
PICKLE = (
    "import pickle\n\n\ndef load(path):\n    with open(path, 'rb') as f:\n        return pickle.load(f)\n"
)


@pytest.fixture
def collector_off() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@pytest.mark.parametrize("source", [FLOW, CLEAN, PICKLE], ids=["taint finding", "no finding", "call finding"])
def test_the_tree_dies_with_the_scan(source: str, collector_off: None, monkeypatch: Any) -> None:
    registry = load_plugins(entry_points=False)
    rules = list(registry.rules.values())
    scanner = FileScanner(
        rules,
        rule_plugins=registry.rule_plugins,
        options={},
        project=Project(Path(".")),
        taint_catalog=build_catalog(registry.taint_catalogs, {}),
    )
    trees: list[int] = []
    parse = cst.parse_module

    def parse_and_watch(text: str, *args: Any, **kwargs: Any) -> cst.Module:
        module = parse(text, *args, **kwargs)
        trees.append(id(module))
        return module

    monkeypatch.setattr(cst, "parse_module", parse_and_watch)
    result = scanner.scan_bytes("app.py", source.encode())
    assert trees, "the file was parsed"
    assert bool(result.findings) == (source is not CLEAN)
    gc.set_debug(gc.DEBUG_SAVEALL)  # what a collection finds unreachable is kept in gc.garbage
    try:
        gc.collect()
        cyclic = [kind for kind in map(type, gc.garbage) if kind is cst.Module]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert cyclic == []


def test_a_file_is_analysed_with_the_collector_paused(monkeypatch: Any) -> None:
    """Its objects live until it is done and die by reference counting: collections in between
    would only traverse them. The collector runs again after the file."""
    from aisec import names

    registry = load_plugins(entry_points=False)
    scanner = FileScanner(
        list(registry.rules.values()),
        rule_plugins=registry.rule_plugins,
        options={},
        project=Project(Path(".")),
        taint_catalog=build_catalog(registry.taint_catalogs, {}),
    )
    seen: list[bool] = []
    build = names.NameTable.__init__

    def watched(self: Any, *args: Any, **kwargs: Any) -> None:
        seen.append(gc.isenabled())
        build(self, *args, **kwargs)

    monkeypatch.setattr(names.NameTable, "__init__", watched)
    assert gc.isenabled()
    result = scanner.scan_bytes("app.py", FLOW.encode())
    assert result.findings and seen and not any(seen)
    assert gc.isenabled()
