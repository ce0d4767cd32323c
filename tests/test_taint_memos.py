"""Answers the taint engine keeps because every call of a module asks them again, round after
round: each must be what asking afresh gives, and must not be shared in a way a caller could
change (`Patterns.match`, `ProjectModules._module_prefix`, `alternate_constructor_method`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from aisec.taint.catalog import Patterns
from aisec.taint.project import ProjectModules
from aisec.taint.vocabulary import alternate_constructor_method
from aisec.testing import default_catalog
from hypothesis import given, settings
from hypothesis import strategies as st

ENTRIES = [
    ("openai.OpenAI.chat.completions.create", "create"),
    ("*.invoke", "invoke"),
    ("requests.get", "get"),
    ("flask.request.*", "flask"),
    ("pkg.mod.[ab]sk", "ask"),
]
_names = st.lists(
    st.sampled_from(
        ["requests.get", "x.invoke", "flask.request.args", "pkg.mod.ask", "pkg.mod.bsk", "a.b", "", "invoke"]
    ),
    max_size=3,
)


@settings(max_examples=60, deadline=None)
@given(_names)
def test_match_is_the_entries_of_match_names_and_kept_unchangeable(names: list[str]) -> None:
    patterns = Patterns(ENTRIES)
    fresh = [entry for entry, _ in Patterns(ENTRIES).match_names(names)]
    first = patterns.match(names)
    assert list(first) == fresh
    again = patterns.match(iter(names))  # any iterable, as before
    assert again is first and isinstance(again, tuple)  # kept, and no caller can append to it


def _project(root: Path) -> ProjectModules:
    (root / "app").mkdir()
    (root / "app" / "__init__.py").write_text("from .llm import ask as reply\n", encoding="utf-8")
    (root / "app" / "llm.py").write_text(
        "from openai import OpenAI\n\n\ndef ask(text):\n"
        "    return OpenAI().responses.create(model='m', instructions=text)\n\n\n"
        "class Assistant:\n    def ask(self, text):\n        return ask(text)\n",
        encoding="utf-8",
    )
    return ProjectModules(root, default_catalog())


NAMES = [
    "app.llm.ask",
    "app.llm.Assistant.ask",
    "app.reply",
    "app.llm",
    "os.path.join",
    "app.nothing.x",
    "app",
]


@pytest.mark.parametrize("name", NAMES)
def test_resolve_with_kept_prefixes_answers_as_a_fresh_project(tmp_path: Path, name: str) -> None:
    project = _project(tmp_path)
    asked = []
    real = project.file_of

    def counted(module: str) -> Path | None:
        asked.append(module)
        return real(module)

    project.file_of = counted  # type: ignore[method-assign]
    first = project.resolve(name)
    count = len(asked)
    second = project.resolve(name)
    fresh = ProjectModules(tmp_path, default_catalog()).resolve(name)
    assert (first is None) == (second is None) == (fresh is None)
    if first is not None:
        assert (first[0].name, first[1]) == (second[0].name, second[1]) == (fresh[0].name, fresh[1])
    assert len(asked) == count  # the second question reads the kept prefixes: no file is looked up


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("langchain.SQLDatabase.from_uri.run", "langchain.SQLDatabase.run"),
        ("pkg.Model.from_pretrained.generate", "pkg.Model.generate"),
        ("pkg.model.from_pretrained.generate", None),  # a function, not a class
        ("pkg.Model.generate", None),
        (None, None),
        ("", None),
    ],
)
def test_alternate_constructor_method_answers_the_same_twice(name: str | None, method: str | None) -> None:
    assert alternate_constructor_method(name) == method
    assert alternate_constructor_method(name) == method
