"""Full-scan time, peak memory and pre-commit latency of the taint engine's bounded analysis.

    python bench/taint_bounds.py                              # this checkout
    python bench/taint_bounds.py --pythonpath /tmp/old-aisec  # another build of aisec, for before/after
    python bench/taint_bounds.py --path /tmp/langchain_src    # also a real tree (e.g. unpacked wheels)

Each measurement runs `python -m aisec check` in a fresh process (so peak memory is that run's
own `ru_maxrss`), best of `--repeat`:

- `app, full scan`: a generated 50-module LLM application (Flask routes that build prompts through
  helpers and call a helper module whose parameter reaches a system message, services, prompt
  constants, loops), `--no-cache`;
- `app, pre-commit`: the same app with a warm cache, after one route file changed, checking that
  file only (what the pre-commit hook does);
- `app200`: the same two for a generated 200-module app whose flows cross three modules
  (route -> service -> llm) and whose services and `registry` (which imports them all) form one
  import cycle; and a service (a member of that cycle) edited and checked alone, warm cache (a
  new edit before each run, so the file's own result is never the cached one);
- `nested loops`: the 31-line file with 19 nested loops (89 s before the analysis was bounded);
- each `--path`, full scan, `--no-cache`.

`--pythonpath` puts a folder that holds an `aisec` package first on the path: copy another
checkout's `scanner/` to `DIR/aisec`, its `hooks/` to `DIR/aisec/hooks` and `plugins/` to
`DIR/aisec/plugins` to measure it. The table (Markdown) is printed and written to
bench/results/taint-bounds-<date>.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
MODULES = 50

RUNNER = """
import resource, sys
from aisec.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
peak = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
print(peak, file=sys.stderr)
sys.exit(code)
"""

ROUTE = """\
from flask import Blueprint, request
import openai

from app import prompts
from app.llm import ask

bp = Blueprint("route_{n}", __name__)


def clean_topic(raw):
    return raw.strip().lower()


def build_messages(topic, history):
    messages = [{{"role": "system", "content": prompts.SYSTEM_PROMPT}}]
    for turn in history:
        for part in turn.split("\\n"):
            messages.append({{"role": "user", "content": part}})
    messages.append({{"role": "system", "content": f"Focus only on {{topic}} and be brief."}})
    return messages


@bp.route("/ask/{n}")
def ask_{n}():
    topic = clean_topic(request.args["topic"])
    history = request.args.getlist("h")
    reply = openai.chat.completions.create(model="gpt-4o", messages=build_messages(topic, history))
    return reply.choices[0].message.content


@bp.route("/explain/{n}")
def explain_{n}():
    return ask(request.args["topic"], tone=request.args.get("tone", "plain"))
"""

LLM = """\
import openai

from .prompts import SYSTEM_PROMPT


def instructions(tone):
    return f"{SYSTEM_PROMPT} Answer in a {tone} tone."


def ask(question, tone="plain"):
    messages = [{"role": "system", "content": instructions(tone)}, {"role": "user", "content": question}]
    return openai.chat.completions.create(model="gpt-4o", messages=messages).choices[0].message.content
"""

SERVICE = """\
import json
import openai


def summarise_{n}(text):
    prompt = "Summarise the following text in three sentences."
    reply = openai.chat.completions.create(
        model="gpt-4o", messages=[{{"role": "system", "content": prompt}}, {{"role": "user", "content": text}}]
    )
    return reply.choices[0].message.content


def score_{n}(items):
    total = 0
    for item in items:
        for key, value in json.loads(item).items():
            total += len(key) + len(str(value))
    return total
"""


def generate_app(root: Path) -> Path:
    """A 50-module Flask + OpenAI app: 30 route modules (each calls the `llm` helper module too),
    18 services, the prompts and llm modules."""
    package = root / "app"
    package.mkdir(parents=True)
    (root / ".git").mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "prompts.py").write_text(
        'SYSTEM_PROMPT = "You are a support assistant for Acme."\n', encoding="utf-8"
    )
    for n in range(30):
        (package / f"route_{n:02d}.py").write_text(ROUTE.format(n=n), encoding="utf-8")
    (package / "llm.py").write_text(LLM, encoding="utf-8")
    for n in range(MODULES - 32):
        (package / f"service_{n:02d}.py").write_text(SERVICE.format(n=n), encoding="utf-8")
    return root


CHAIN_ROUTE = """\
from flask import request

from app.service_{k:02d} import answer_{k}


def view_{n}():
    return answer_{k}(request.args["q"])
"""

CHAIN_SERVICE = """\
from app import registry
from app.llm import ask


def prepare_{n}(question):
    return question.strip()


def answer_{n}(question):
    return ask("Answer the customer.", tone=prepare_{n}(question))


registry.register("service_{n}", answer_{n})
"""


def generate_chained_app(root: Path, modules: int = 200) -> Path:
    """A `modules`-module app whose flows cross three modules (route -> service -> llm), and whose
    services and `registry` (it imports every service) form one import cycle."""
    package = root / "app"
    package.mkdir(parents=True)
    (root / ".git").mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "prompts.py").write_text('SYSTEM_PROMPT = "You are a support assistant."\n', encoding="utf-8")
    (package / "llm.py").write_text(LLM, encoding="utf-8")
    services = (modules - 4) // 2
    imports = "".join(f"from app import service_{n:02d}  # noqa: F401\n" for n in range(services))
    (package / "registry.py").write_text(
        f"{imports}\nHANDLERS = {{}}\n\n\ndef register(name, handler):\n    HANDLERS[name] = handler\n",
        encoding="utf-8",
    )
    for n in range(services):
        (package / f"service_{n:02d}.py").write_text(CHAIN_SERVICE.format(n=n), encoding="utf-8")
    for n in range(modules - 4 - services):
        (package / f"route_{n:02d}.py").write_text(CHAIN_ROUTE.format(n=n, k=n % services), encoding="utf-8")
    return root


def nested_loops(root: Path) -> Path:
    lines = ["from flask import request", "import openai", "", "def handler():", "    acc = ''"]
    lines.append("    q = request.args['q']")
    indent = "    "
    for level in range(19):
        lines.append(f"{indent}for v{level} in range(3):")
        indent += "    "
    lines.append(f"{indent}acc = acc + q")
    lines.append(
        "    openai.chat.completions.create(model='m', messages=[{'role': 'system', 'content': acc}])"
    )
    path = root / "nested.py"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(args: list[str], cwd: Path, pythonpath: str | None, timeout: float) -> tuple[float, float, int, int]:
    """(CPU seconds, wall seconds, peak KiB of the run and its workers, findings) of one `aisec`
    run in a fresh process (CPU: user + system of the process and its workers; the machine is
    often shared, so CPU time is the number to compare)."""
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath + os.pathsep + env.get("PYTHONPATH", "")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    lines = done.stderr.strip().splitlines()
    peak = int(lines[-1]) if lines and lines[-1].isdigit() else 0
    if done.returncode not in (0, 1):
        raise SystemExit(f"aisec {' '.join(args)} failed ({done.returncode}): {done.stderr.strip()}")
    return cpu, elapsed, peak, sum(1 for line in done.stdout.splitlines() if ": AIS" in line)


def best(
    repeat: int, args: list[str], cwd: Path, pythonpath: str | None, timeout: float
) -> tuple[float, float, int, int]:
    results = [run(args, cwd, pythonpath, timeout) for _ in range(repeat)]
    return min(results)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pythonpath", help="a folder holding the `aisec` package to measure")
    parser.add_argument(
        "--path", action="append", default=[], type=Path, help="a real source tree to scan too"
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=600.0)
    options = parser.parse_args()
    limits = (options.pythonpath, options.timeout)
    rows: list[tuple] = []
    with tempfile.TemporaryDirectory(prefix="aisec-bench-") as tmp:
        apps = [
            ("app", generate_app(Path(tmp) / "app50"), "route_07.py"),
            (
                "app200, 3-module chains and a cycle",
                generate_chained_app(Path(tmp) / "app200"),
                "route_07.py",
            ),
        ]
        for label, root, changed_name in apps:
            files = list(root.rglob("*.py"))
            lines = sum(len(p.read_text().splitlines()) for p in files)
            measured = best(
                options.repeat, ["check", "--no-cache", "--format", "concise", "."], root, *limits
            )
            rows.append((f"{label}, full scan", f"{len(files)} modules, {lines:,} lines", *measured))
            run(["check", "--format", "concise", "."], root, *limits)  # warm the cache
            changed = root / "app" / changed_name
            changed.write_text(changed.read_text() + "# changed\n", encoding="utf-8")
            measured = best(options.repeat, ["check", "--format", "concise", str(changed)], root, *limits)
            rows.append((f"{label}, pre-commit", "1 changed route file, warm cache", *measured))
            if label.startswith("app200"):  # an edit inside the cached import cycle, checked alone
                member = root / "app" / "service_03.py"
                edits = []
                for n in range(options.repeat):  # a new edit each time: the file's result is not cached
                    member.write_text(member.read_text() + f"# changed {n}\n", encoding="utf-8")
                    edits.append(run(["check", "--format", "concise", str(member)], root, *limits))
                rows.append(
                    (f"{label}, edit in the cycle", "1 changed cycle member, warm cache", *min(edits))
                )
        nested = nested_loops(Path(tmp))
        measured = best(1, ["check", "--no-cache", "--format", "concise", str(nested)], Path(tmp), *limits)
        rows.append(("nested loops", "31 lines, 19 nested loops", *measured))
        for path in options.path:
            args = ["check", "--no-cache", "--format", "concise", "--exit-zero", str(path)]
            rows.append((f"tree {path.name}", str(path), *best(1, args, path, *limits)))
    build = options.pythonpath or "this checkout"
    table = [
        f"# taint bounds ({dt.date.today()}, {build}, Python {sys.version.split()[0]})",
        "",
        f"1-minute load average at the end: {os.getloadavg()[0]:.2f} (best of {options.repeat} runs)",
        "",
        "| case | input | CPU s | wall s | peak MiB | findings |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
        *(
            f"| {case} | {what} | {cpu:.2f} | {wall:.2f} | {kib / 1024:.0f} | {found} |"
            for case, what, cpu, wall, kib, found in rows
        ),
    ]
    text = "\n".join(table) + "\n"
    print(text)
    RESULTS.mkdir(exist_ok=True)
    suffix = "before" if options.pythonpath else "after"
    (RESULTS / f"taint-bounds-{dt.date.today()}-{suffix}.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
