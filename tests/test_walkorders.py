"""Field orders kept in the trigger table (`aisec.walkorders`): a walk that takes them visits
exactly as libcst does and learns nothing; an order that does not name exactly its class's fields
is learnt again; the sample the table's writer learns from holds the classes a file meets."""

from __future__ import annotations

import marshal
from typing import Any

import libcst as cst
import pytest
from aisec import walk, walkorders
from aisec.parsing import parse_module
from test_parsing import EXAMPLE_SOURCES
from test_screen import RecordingVisitor, _real_sources, _walk_events


def _libcst_events(module: cst.Module) -> list[tuple[str, int]]:
    recording = RecordingVisitor()
    module.visit(recording)
    return recording.events


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> list[type]:
    """A process that has learnt and kept nothing; the classes it learns (`_record`) listed."""
    monkeypatch.setattr(walk, "_FIELDS", {})
    monkeypatch.setattr(walk, "_VARIANTS", {})
    monkeypatch.setattr(walkorders, "_FIELDS", {})
    monkeypatch.setattr(walkorders, "_VARIANTS", {})
    learnt: list[type] = []
    record = walk._record

    def recording(node: Any) -> tuple[str, ...]:
        learnt.append(type(node))
        return record(node)

    monkeypatch.setattr(walk, "_record", recording)
    return learnt


def _table_data() -> Any:
    """What a table's writer keeps (learnt from the sample, through marshal as the table is)."""
    walk.learn_sample()
    return marshal.loads(marshal.dumps(walk.learnt()))


def test_kept_orders_walk_like_libcst_and_learn_nothing(fresh: list[type]) -> None:
    kept = _table_data()
    assert len(kept["fields"]) > 100 and kept["variants"]
    walk._FIELDS.clear()
    walk._VARIANTS.clear()
    fresh.clear()
    walkorders.keep(kept)
    sample = parse_module(walk.SAMPLE)
    assert _walk_events(sample) == _libcst_events(sample)
    assert fresh == []  # every order taken from the table
    for source in [p.read_text(encoding="utf-8") for p in _real_sources()[:40]] + EXAMPLE_SOURCES[:200]:
        module = cst.parse_module(source)
        assert _walk_events(module) == _libcst_events(module)


def test_the_sample_holds_what_files_hold(fresh: list[type]) -> None:
    """The classes the repository's own sources and the rule examples meet are in the sample but
    a handful, so a run that takes the table learns next to nothing."""
    walkorders.keep(_table_data())
    walk._FIELDS.clear()
    walk._VARIANTS.clear()
    fresh.clear()
    for source in [p.read_text(encoding="utf-8") for p in _real_sources()] + EXAMPLE_SOURCES:
        _walk_events(cst.parse_module(source))
    assert len(set(fresh)) <= 3, sorted({kind.__name__ for kind in fresh})


def test_an_order_that_does_not_name_the_class_fields_is_learnt_again(fresh: list[type]) -> None:
    """A table from a libcst whose `Name` had other fields: `Name` is learnt, and walked right."""
    walkorders.keep({"fields": {walkorders.class_key(cst.Name): (("value",), ())}})
    module = parse_module("x = y\n")
    assert _walk_events(module) == _libcst_events(module)
    assert cst.Name in fresh
    walkorders.keep({"fields": {walkorders.class_key(cst.Name): (("lpar", "value", "value"), ("rpar",))}})
    walk._FIELDS.clear()
    fresh.clear()
    assert _walk_events(module) == _libcst_events(module) and cst.Name in fresh
