"""libcst and the taint engine, imported on the first file that needs them, are frozen out of
the cyclic collector's reach once (`engine.imported_for_good`): the collections after that file
no longer traverse their objects. Later files' objects are not frozen (their garbage must stay
collectable), and a process that had libcst before the first file freezes nothing for it.

Each case runs in a fresh interpreter: this one imported libcst long ago."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import gc, json, sys
    if sys.argv[1] == "libcst-first":
        import libcst
    from aisec.pluginmanager import load_plugins
    from aisec.testing import check_source

    FLOW = (
        "from flask import Flask, request\\nfrom openai import OpenAI\\n\\napp = Flask(__name__)\\n"
        "client = OpenAI()\\n\\n\\n@app.post('/ask')\\ndef ask():\\n    q = request.json['q']\\n"
        "    r = client.chat.completions.create(model='m', messages=[{'role': 'system', 'content': q}])\\n"
        "    return r.choices[0].message.content\\n"
    )
    PICKLE = "import pickle\\n\\n\\ndef load(path):\\n    with open(path, 'rb') as f:\\n        return pickle.load(f)\\n"
    rules = list(load_plugins(entry_points=False).rules.values())
    counts = [gc.get_freeze_count()]
    modules = []
    for name, source in (("a.py", PICKLE), ("b.py", FLOW), ("c.py", FLOW + "\\n# changed\\n")):
        assert check_source(rules, source, filename=name, prefilter=True), name
        counts.append(gc.get_freeze_count())
        modules.append(["libcst" in sys.modules, "aisec.taint.module" in sys.modules])
    print(json.dumps({"counts": counts, "modules": modules, "enabled": gc.isenabled()}))
    """
)


def _run(mode: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, mode], capture_output=True, text=True, check=True, timeout=120
    )
    return json.loads(done.stdout)


def test_libcst_and_the_taint_engine_are_frozen_once_when_first_imported() -> None:
    seen = _run("plain")
    before, after_call_file, after_taint_file, after_third = seen["counts"]
    assert seen["modules"] == [[True, False], [True, True], [True, True]]
    assert before == 0
    assert after_call_file > 20_000  # libcst's classes, functions and the modules' dicts
    assert after_taint_file > after_call_file  # the taint engine, on the first file that asks
    # nothing of later files (their garbage stays collectable); frozen objects can still die
    assert after_third <= after_taint_file
    assert seen["enabled"]


def test_nothing_is_frozen_for_libcst_imported_before_the_first_file() -> None:
    seen = _run("libcst-first")
    before, after_call_file, after_taint_file, after_third = seen["counts"]
    assert before == after_call_file == 0
    assert after_taint_file > 0 and after_third <= after_taint_file
