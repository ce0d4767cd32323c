"""Prefilter gates that keep big rule families from parsing every module of a code base."""

from __future__ import annotations

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
