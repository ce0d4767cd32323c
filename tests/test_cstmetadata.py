"""`cstmetadata.defer`: `import libcst` leaves the `libcst.metadata` package's `__init__` (every
provider libcst has) until a name of it is used, and the package then is what it always is.

Each case runs in a fresh interpreter: the test process imported libcst long ago."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

SCRIPT = Path(sys.executable).with_name("aisec")
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "aisec"]
HEAVY = "libcst.metadata.scope_provider"  # one of the providers the package's __init__ imports


def _python(code: str, defer: bool) -> dict:
    """What `code` (run after `import libcst`, with or without `defer()` first) puts in `out`."""
    prelude = "from aisec.cstmetadata import defer\ndefer()\n" if defer else ""
    script = prelude + "import sys, json\nimport libcst\nout = {}\n" + textwrap.dedent(code)
    script += "\nprint(json.dumps(out))\n"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    return json.loads(done.stdout)


def test_the_providers_wait_until_a_name_of_the_package_is_used() -> None:
    code = f"""
        out["before"] = {HEAVY!r} in sys.modules
        from libcst.metadata.position_provider import PositionProvider as Direct
        out["submodule"] = {HEAVY!r} in sys.modules
        from libcst.metadata import PositionProvider, MetadataWrapper
        out["after"] = {HEAVY!r} in sys.modules
        out["same"] = PositionProvider is Direct
        module = libcst.parse_module("x = 1\\nif x:\\n    y = x\\n")
        where = MetadataWrapper(module).resolve(PositionProvider)
        out["lines"] = sorted(pos.start.line for pos in where.values())
        """
    deferred, plain = _python(code, defer=True), _python(code, defer=False)
    assert plain["before"] and not deferred["before"] and not deferred["submodule"]
    assert deferred["after"] and deferred["same"] and plain["same"]
    assert deferred["lines"] == plain["lines"]


def test_the_package_is_complete_whichever_way_it_is_reached() -> None:
    code = """
        import libcst.metadata as metadata
        out["scope"] = metadata.ScopeProvider.__module__
        out["all"] = sorted(metadata.__all__)
        out["dir"] = sorted(name for name in dir(metadata) if not name.startswith("_"))
        namespace = {}
        exec("from libcst.metadata import *", namespace)
        out["star"] = sorted(name for name in namespace if not name.startswith("_"))
        try:
            metadata.NoSuchProvider
        except AttributeError:
            out["missing"] = "AttributeError"
        out["getattr_left"] = "__getattr__" in vars(metadata)
        out["loader"] = type(metadata.__spec__.loader).__name__
        """
    deferred, plain = _python(code, defer=True), _python(code, defer=False)
    assert deferred == plain
    assert deferred["missing"] == "AttributeError" and not deferred["getattr_left"]


def test_a_check_run_that_reports_imports_no_provider_it_does_not_use(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "app.py").write_text(
        "from flask import request\nimport openai\n"
        "openai.chat.completions.create(messages=[{'role': 'system', 'content': request.args['q']}])\n",
        encoding="utf-8",
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg"), "PYTHONPROFILEIMPORTTIME": "1"}
    done = subprocess.run(
        [*COMMAND, "check", "--no-cache", "app.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1 and "AIS201" in done.stdout
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if "|" in line}
    assert "libcst.metadata.position_provider" in imported  # the finding's line came from it
    assert "libcst" in imported and HEAVY not in imported
