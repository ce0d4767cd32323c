"""A module's summary lists its facts in an order of their content (`export._in_order`), not in
the order sets of facts happened to iterate in one process: the same module gives the same
cached record, byte for byte, in every process (object hashes differ between processes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

MODULE = (
    "import os\nimport subprocess\nfrom flask import request\n\n"
    "def create_message(*, message, error_code, hint, detail):\n"
    "    return f'{message} {error_code} {hint} {detail}'\n\n"
    "def run(a, b, c, d):\n"
    "    os.system(a)\n    subprocess.run(b, shell=True)\n    eval(c)\n    exec(d)\n\n"
    "def sources():\n"
    "    return request.args['a'] + request.form['b'] + os.environ['C'] + input()\n"
)
PRINT_SUMMARY = (
    "import json, sys\nfrom pathlib import Path\n"
    "from aisec.taint.project import ProjectModules\n"
    "from aisec.taint.summary import summary_to_json\n"
    "from aisec.testing import default_catalog\n"
    "catalog = default_catalog()\n"
    "summary = ProjectModules(Path(sys.argv[1]), catalog).summary('app.helpers')\n"
    "print(json.dumps(summary_to_json(summary, catalog)))\n"
)


def _summary_in_a_process(root: Path, seed: int) -> str:
    environment = {**os.environ, "PYTHONHASHSEED": str(seed)}
    done = subprocess.run(
        [sys.executable, "-c", PRINT_SUMMARY, str(root)], env=environment, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_summary_is_the_same_record_in_every_process(tree) -> None:
    root = tree({".git/HEAD": "", "app/__init__.py": "", "app/helpers.py": MODULE})
    records = {_summary_in_a_process(root, seed) for seed in range(1, 6)}
    assert len(records) == 1
    functions = json.loads(records.pop())["functions"]
    # the facts are there, several of each kind (an order could differ)
    assert [entry[0] for entry in functions["create_message"]["returns_params"]] == [0, 1, 2, 3]
    assert [entry[0] for entry in functions["run"]["sinks"]] == sorted(
        e[0] for e in functions["run"]["sinks"]
    )
    assert len(functions["run"]["sinks"]) >= 4 and len(functions["sources"]["returns_sources"]) >= 3
