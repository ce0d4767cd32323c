"""`libcst.metadata`'s `__init__` runs on first use when the console script imports libcst
(`aisec.cstmeta`): the package is there, its submodules import as usual, and the first name
it lacks gives exactly what the normal import gives.

Each case runs in a fresh interpreter: this one imported libcst long ago."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

PACKAGE_SHAPE = textwrap.dedent(
    """
    import json, sys, types

    def package_shape(package):
        \"\"\"What a package module is once used: its names, `import *`, attributes.\"\"\"
        star = {}
        exec("from " + package.__name__ + " import *", star)
        return {
            "plain": type(package) is types.ModuleType,
            "names": sorted(name for name in vars(package) if not name.startswith("__")),
            "star": sorted(name for name in star if not name.startswith("__")),
            "file": [package.__file__, package.__path__, package.__spec__.name, package.__package__],
            "finders": [type(finder).__name__ for finder in sys.meta_path],
        }
    """
)

SHAPE = PACKAGE_SHAPE + textwrap.dedent(
    """
    if sys.argv[1] == "deferred":
        from aisec.cstmeta import defer_packages

        defer_packages()
    import libcst
    from libcst.metadata.position_provider import PositionProvider

    package = sys.modules["libcst.metadata"]
    before = {
        "attribute": libcst.metadata is package,
        "deferred": type(package) is not types.ModuleType,
        "providers": "libcst.metadata.scope_provider" in sys.modules,
    }
    shape = package_shape(package)
    try:
        package.no_such_name
        missing = False
    except AttributeError:
        missing = True
    wrapper = libcst.metadata.MetadataWrapper(libcst.parse_module("x = 1\\n"))
    print(json.dumps({
        **shape,
        "before": before,
        "same": libcst.metadata.ScopeProvider is sys.modules["libcst.metadata.scope_provider"].ScopeProvider,
        "position": libcst.metadata.PositionProvider is PositionProvider,
        "missing": missing,
        "resolved": len(wrapper.resolve(PositionProvider)),
    }))
    """
)


def _shape(mode: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", SHAPE, mode], capture_output=True, text=True, check=True, timeout=120
    )
    return json.loads(done.stdout)


def test_the_deferred_package_becomes_exactly_what_the_normal_import_makes() -> None:
    deferred, normal = _shape("deferred"), _shape("normal")
    assert deferred["before"] == {"attribute": True, "deferred": True, "providers": False}
    assert normal["before"] == {"attribute": True, "deferred": False, "providers": True}
    for key in ("plain", "names", "star", "same", "position", "file", "missing", "resolved", "finders"):
        assert deferred[key] == normal[key], key
    assert deferred["plain"] and deferred["same"] and deferred["position"] and deferred["missing"]
    assert "ScopeProvider" in deferred["star"] and deferred["resolved"] > 0
    assert "_Finder" not in deferred["finders"]  # it removed itself after its one use


HELPERS = PACKAGE_SHAPE + textwrap.dedent(
    """
    from aisec import cstmeta

    if sys.argv[1] == "other libcst":  # one whose helpers have no `common` submodule
        cstmeta.PREFILLED["libcst.helpers"] = {"ensure_type": "libcst.helpers.no_such_module"}
    if sys.argv[1] != "normal":
        cstmeta.defer_packages()
    import libcst

    package = sys.modules["libcst.helpers"]
    before = {
        "attribute": libcst.helpers is package,
        "deferred": type(package) is not types.ModuleType,
        "submodules": sorted(name for name in sys.modules if name.startswith("libcst.helpers.")),
        "ensure_type": libcst.ensure_type is sys.modules["libcst.helpers.common"].ensure_type,
    }
    shape = package_shape(package)
    name = libcst.helpers.get_full_name_for_node(libcst.parse_expression("a.b"))
    print(json.dumps({
        **shape,
        "before": before,
        "same": [
            libcst.helpers.ensure_type is libcst.ensure_type,
            libcst.helpers.get_full_name_for_node is sys.modules["libcst.helpers.expression"].get_full_name_for_node,
        ],
        "used": [name, type(libcst.ensure_type(libcst.Name("x"), libcst.Name)).__name__],
    }))
    """
)


def test_the_deferred_helpers_become_exactly_what_the_normal_import_makes() -> None:
    """`import libcst` takes `ensure_type` from `libcst.helpers`: it comes from its submodule
    and is the object the normal import gives; the other helper modules load on first use."""
    shapes = {}
    for mode in ("deferred", "normal", "other libcst"):
        done = subprocess.run(
            [sys.executable, "-c", HELPERS, mode], capture_output=True, text=True, check=True, timeout=120
        )
        shapes[mode] = json.loads(done.stdout)
    deferred, normal, other = shapes["deferred"], shapes["normal"], shapes["other libcst"]
    assert deferred["before"] == {
        "attribute": True,
        "deferred": True,
        "submodules": ["libcst.helpers.common"],
        "ensure_type": True,
    }
    assert normal["before"]["deferred"] is False and len(normal["before"]["submodules"]) >= 5
    assert other["before"] == normal["before"]  # the `__init__` ran as usual, at once
    for key in ("plain", "names", "star", "same", "used", "file", "finders"):
        assert deferred[key] == normal[key] == other[key], key
    assert deferred["used"] == ["a.b", "Name"] and all(deferred["same"])


THREADS = textwrap.dedent(
    """
    import sys, threading
    from aisec.cstmeta import defer_packages

    defer_packages()
    import libcst

    start = threading.Barrier(8)
    seen = []

    def ask():
        start.wait()
        seen.append(libcst.metadata.QualifiedNameProvider)

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(len(seen), len({id(value) for value in seen}))
    """
)


def test_threads_asking_at_once_all_get_the_name() -> None:
    done = subprocess.run(
        [sys.executable, "-c", THREADS], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.split() == ["8", "1"]


def test_nothing_is_deferred_once_libcst_is_imported() -> None:
    script = (
        "import sys, libcst\nfrom aisec.cstmeta import defer_packages\ndefer_packages()\n"
        "print(type(sys.modules['libcst.metadata']).__name__, len(sys.meta_path))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    before = subprocess.run(
        [sys.executable, "-c", "import sys, libcst\nprint(len(sys.meta_path))"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert done.stdout.split() == ["module", before.stdout.strip()]


RUN = textwrap.dedent(
    """
    import atexit, sys
    if sys.argv[1] == "libcst-first":
        import libcst  # the console script then defers nothing
    atexit.register(
        lambda: print("libcst.metadata.scope_provider" in sys.modules, file=sys.stderr)
    )
    from aisec.fastpath import console_main

    sys.argv = ["aisec", "check", "--no-cache", "--format", "json", "app.py"]
    console_main()
    """
)

FLOW = (
    "import pickle\nfrom flask import Flask, request\nfrom openai import OpenAI\n\napp = Flask(__name__)\n"
    "client = OpenAI()\n\n\n@app.post('/ask')\ndef ask():\n    q = request.json['q']\n"
    "    r = client.chat.completions.create(model='m', messages=[{'role': 'system', 'content': q}])\n"
    "    return pickle.loads(r.choices[0].message.content)\n"
)


def test_a_console_script_run_never_needs_the_providers_and_finds_the_same(tmp_path) -> None:
    (tmp_path / "app.py").write_text(FLOW)
    runs = {}
    for mode in ("deferred", "libcst-first"):
        done = subprocess.run(
            [sys.executable, "-c", RUN, mode],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=tmp_path,
            env={"AISEC_FAST_PATH": "off", "PATH": "", "HOME": str(tmp_path)},
        )
        runs[mode] = (done.returncode, json.loads(done.stdout)["findings"], done.stderr.split()[-1])
    assert runs["deferred"][2] == "False" and runs["libcst-first"][2] == "True"
    assert runs["deferred"][:2] == runs["libcst-first"][:2]
    codes = sorted(finding["code"] for finding in runs["deferred"][1])
    assert runs["deferred"][0] == 1 and "AIS201" in codes and "AIS101" in codes
    assert all(finding["line"] > 0 and finding["column"] >= 0 for finding in runs["deferred"][1])
