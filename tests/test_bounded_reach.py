"""The reach questions that stop early, against the whole walk they shortcut.

`ImportGraph.reach` answers a process's first question with a walk that stops once the modules
spelling a source or sink exceed `max_reach` (`_beyond_bound`), and `reaches_any` with one that
stops at the first; the oracle is the closure worked out here from the generated import lines,
for every order of questions (the first question decides which walk runs), and the AIS005 notice
(`unfollowed`) is the same as from a graph that took Tarjan's walk first.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from aisec.taint.project import ProjectModules
from aisec.testing import default_catalog
from conftest import write_tree
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SINK = "import subprocess\n\ndef run(q):\n    return subprocess.run(q, shell=True)\n"
PLAIN = "def run(q):\n    return q\n"


@st.composite
def graphs(draw: st.DrawFn) -> tuple[int, list[set[int]], list[bool]]:
    """Modules `m0..mN`, each importing some others (cycles and self-imports included), some
    spelling a sink."""
    count = draw(st.integers(1, 14))
    edges = [set(draw(st.lists(st.integers(0, count - 1), max_size=4))) for _ in range(count)]
    mentions = draw(st.lists(st.booleans(), min_size=count, max_size=count))
    return count, edges, mentions


def write_project(root: Path, edges: list[set[int]], mentions: list[bool]) -> None:
    files = {".git/HEAD": "", "app/__init__.py": ""}
    for n, imported in enumerate(edges):
        lines = "".join(f"from app.m{i} import run as r{i}\n" for i in sorted(imported))
        files[f"app/m{n}.py"] = lines + (SINK if mentions[n] else PLAIN)
    write_tree(root, files)


def closure_reach(
    start: int, edges: list[set[int]], mentions: list[bool], bound: int
) -> frozenset[str] | None:
    """What `reach` must say: the mentioning modules `start` is or imports, None over `bound`."""
    seen, work = {start}, [start]
    while work:
        for nxt in edges[work.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                work.append(nxt)
    found = frozenset(f"app.m{n}" for n in seen if mentions[n])
    return None if len(found) > bound else found


def fresh(root: Path, bound: int) -> ProjectModules:
    project = ProjectModules(root, default_catalog())
    project.max_reach = bound
    return project


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(graph=graphs(), bound=st.integers(0, 8), data=st.data())
def test_reach_answers_as_the_closure_in_any_order(
    tmp_path_factory: pytest.TempPathFactory, graph: tuple, bound: int, data: st.DataObject
) -> None:
    count, edges, mentions = graph
    root = tmp_path_factory.mktemp("project")
    write_project(root, edges, mentions)
    questions = data.draw(
        st.lists(st.tuples(st.integers(0, count - 1), st.booleans()), min_size=1, max_size=20)
    )
    project = fresh(root, bound)  # one process asking both kinds, in the drawn order
    for n, whole in questions:
        expected = closure_reach(n, edges, mentions, bound)
        if whole:
            assert project.reach(f"app.m{n}") == expected, (n, questions)
        else:
            assert project.reaches_any(f"app.m{n}") == (expected != frozenset()), (n, questions)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(graph=graphs(), bound=st.integers(0, 6), first=st.integers(0, 13))
def test_the_notice_is_the_same_whichever_walk_answered(
    tmp_path_factory: pytest.TempPathFactory, graph: tuple, bound: int, first: int
) -> None:
    """A file checked alone (the first question of its process: the bounded walk) gets the same
    AIS005 notice as in a run whose graph was walked whole before it was asked."""
    count, edges, mentions = graph
    root = tmp_path_factory.mktemp("project")
    write_project(root, edges, mentions)
    walked = fresh(root, bound)
    for n in range(count):
        walked._components(f"app.m{n}")
    path = root / "app" / f"m{first % count}.py"
    text = path.read_text()
    assert fresh(root, bound).unfollowed(str(path), text) == walked.unfollowed(str(path), text)


def test_a_first_question_past_the_bound_reads_only_what_it_takes(tree: type) -> None:
    """A chain of 400 modules that all spell a sink, bound 10: the first question reads a dozen
    modules, not the chain (no component is worked out), and still answers None; the next
    question walks the graph whole (its components answer every later one)."""
    edges = [{n + 1} for n in range(399)] + [set()]
    root = tree({})
    write_project(root, edges, [True] * 400)
    project = fresh(root, 10)
    assert project.reach("app.m0") is None
    assert len(project._edges_memo) <= 12 and not project._component_of
    assert project.reach("app.m390") == frozenset(f"app.m{n}" for n in range(390, 400))
    assert len(project._component_of) == 10
    assert project.reach("app.m1") is None and len(project._component_of) == 399
