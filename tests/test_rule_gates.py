"""Prefilter gates that keep big rule families from parsing every module of a code base."""

from __future__ import annotations

import ast

from aisec.identifiers import IdentifierScreen
from aisec.pluginmanager import load_plugins
from aisec.prefilter import rules_for_text
from aisec.testing import check_source

AIS110 = load_plugins(entry_points=False).rules["AIS110"]


def test_ais110_skips_langchain_modules_without_the_flag_or_a_reviver() -> None:
    plain = "from langchain_core.runnables import Runnable\n\nclass Echo(Runnable):\n    pass\n"
    assert rules_for_text(plain, [AIS110]) == []


def test_ais110_still_sees_aliased_revivers_and_the_flag() -> None:
    aliased = "from langchain_core import load as revive\nobj = revive.loads(payload)\n"
    flagged = "from langchain_community.vectorstores import FAISS as F\nF.load_local(p, e, allow_dangerous_deserialization=True)\n"
    for source in (aliased, flagged):
        assert rules_for_text(source, [AIS110]) == [AIS110]
        assert [f.code for f in check_source(AIS110, source, prefilter=True)] == ["AIS110"]


# `identifier_groups`: the flag or `load` as identifiers, checked on the `ast` tree (aisec.identifiers).

LANGCHAIN_LOOKALIKES = (
    # `load` inside longer names, in a docstring, a comment and a string; the flag in a string
    '"""Use load() to revive; see allow_dangerous_deserialization."""\n'
    "from langchain_community.document_loaders import TextLoader\n"
    "from dotenv import load_dotenv\n"
    "load_dotenv()  # then load the documents\n"
    "docs = TextLoader('a.txt').lazy_load()\n"
    "NOTE = 'FAISS.load_local(p, e, allow_dangerous_deserialization=True)'\n",
    # the flag as a dictionary key, which no keyword argument reads
    "from langchain_community.vectorstores import FAISS\n"
    "options = {'allow_dangerous_deserialization': True}\n"
    "FAISS.from_texts(texts, emb)\n",
)

LANGCHAIN_REAL = (
    # `load` as an attribute, not an import
    "import langchain_core\nobj = langchain_core.load.loads(payload)\n",
    # `load` as an import path component only
    "import langchain_core.load.load as reviver\nobj = reviver.loads(payload)\n",
    "from langchain_core.load import loads as revive\nobj = revive(payload)\n",
    # the flag as a keyword, through an alias of the store
    "from langchain_community import vectorstores\nstore = vectorstores.FAISS\n"
    "db = store.load_local(p, e, allow_dangerous_deserialization=True)\n",
)


def _screened(source: str) -> list[type]:
    screen = IdentifierScreen([AIS110], {}, None)
    return screen.select(ast.parse(source), source, [AIS110])


def test_ais110_identifier_groups_skip_modules_that_only_mention_the_words() -> None:
    for source in LANGCHAIN_LOOKALIKES:
        assert rules_for_text(source, [AIS110]) == [AIS110]  # the token gate lets it through
        assert _screened(source) == []
        assert check_source(AIS110, source, prefilter=True) == []


def test_ais110_identifier_groups_keep_every_spelling_the_rule_reports() -> None:
    for source in LANGCHAIN_REAL:
        assert _screened(source) == [AIS110]
        screened, unscreened = (check_source(AIS110, source, prefilter=on) for on in (True, False))
        assert [f.code for f in screened] == ["AIS110"], source
        assert [(f.location.line, f.message) for f in screened] == [
            (f.location.line, f.message) for f in unscreened
        ]


def test_identifier_groups_must_be_identifiers() -> None:
    broken = type("Broken", (AIS110,), {"identifier_groups": (("not a word",),)})
    assert (
        "identifier_groups must be a tuple of non-empty tuples of identifiers" in broken.metadata_problems()
    )
    empty = type("Empty", (AIS110,), {"identifier_groups": ((),)})
    assert empty.metadata_problems()
    assert AIS110.metadata_problems() == []
