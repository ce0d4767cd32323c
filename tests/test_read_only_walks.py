"""Rule passes that read with the read-only `aisec.walk.walk` (AIS107's module facts, AIS303's
unescaping flags) find what `CSTNode.visit`, which rebuilds every node it passes, finds."""

from __future__ import annotations

import libcst as cst
import pytest
from aisec.args import ArgHelper
from aisec.pluginmanager import load_plugins
from aisec.plugins.llm_output.html_output import _flagged_arguments
from aisec.plugins.model_loading.unpinned_hub_download import ModuleFacts, _collector_class
from aisec.walk import trivia_types, walk

SOURCE = """
from transformers import AutoModel as AM
import os, huggingface_hub
MODEL = "acme/model"
OTHER = "acme/other"
OUT = "./checkpoints/"
ONCE = "x"
(OTHER, y) = ("a", "b")
for ONCE in []:
    pass
def save(model, path=OUT):
    global MODEL
    model.save_pretrained(OUT)
    AM.from_pretrained(MODEL).save_model(output_dir="runs/")
    [x for x in [] if (z := 1)]
class Holder:
    def __init__(self, logging_dir="logs"):
        huggingface_hub.snapshot_download("acme/model", local_dir=f"{OUT}/sub")
"""


def _collected(module: cst.Module, by_walk: bool) -> tuple[dict[str, int], list[int]]:
    """What the collector gathers, every name of the module a candidate, walked or visited."""
    names = {node.value for node in _names(module)}
    collector = _collector_class()(names, ArgHelper())
    if by_walk:
        walk(module, collector.on_visit, lambda node: None, trivia_types())
    else:
        module.visit(collector)
    return collector.bindings, [id(node) for node in collector.saved]


def _names(module: cst.Module) -> list[cst.Name]:
    found: list[cst.Name] = []

    class Names(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            found.append(node)

    module.visit(Names())
    return found


def _sources() -> list[str]:
    rules = load_plugins(entry_points=False).rules
    examples = [
        example.code
        for code in ("AIS107", "AIS110")
        if code in rules
        for kind in ("invalid", "valid")
        for example in rules[code].examples(kind)
    ]
    return [SOURCE, *examples]


@pytest.mark.parametrize("source", _sources())
def test_same_bindings_and_saved_paths_as_the_visit(source: str) -> None:
    module = cst.parse_module(source)
    assert _collected(module, by_walk=True) == _collected(module, by_walk=False)


def test_the_example_facts() -> None:
    facts = ModuleFacts.collect(cst.parse_module(SOURCE), ArgHelper())
    # MODEL is rebound by `global`, OTHER by the tuple, ONCE by the loop: only OUT stays constant
    assert facts.constants == {"OUT": "./checkpoints/"}
    assert {"checkpoints", "runs"} <= facts.saved_paths


def test_no_visited_type_is_skipped_as_trivia() -> None:
    visited = {name.removeprefix("visit_") for name in vars(_collector_class()) if name.startswith("visit_")}
    assert visited and not visited & {kind.__name__ for kind in trivia_types()}


FLAGS = """
import streamlit as st
st.markdown(text, unsafe_allow_html=True)
st.markdown(text, unsafe_allow_html=False)
html(card(dangerously_allow_html=1 == 1), dangerously_allow_html=True)
"""


@pytest.mark.parametrize("source", [FLAGS, SOURCE])
def test_unescaping_flags_as_the_visit(source: str) -> None:
    module, args = cst.parse_module(source), ArgHelper()
    found: set[tuple[int, str]] = set()

    class Finder(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            for flag in ("unsafe_allow_html", "dangerously_allow_html"):
                if args.is_true(node, flag):
                    found.update((id(arg.value), flag) for arg in node.args)

    module.visit(Finder())
    assert _flagged_arguments(module, args) == found
    assert bool(found) == (source is FLAGS)
