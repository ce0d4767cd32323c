"""The real-code corpora of the full-scan benchmark: fetched from PyPI, unpacked, never committed.

Each corpus is a set of pinned wheels (pure Python, so the `.py` files in a wheel are the
sources). `prepare(name, cache)` downloads them with `pip download --no-deps` into
`<cache>/wheels` and unpacks only their `.py` files into `<cache>/src/<corpus>/<wheel>/`; a
second call reuses both. The default cache is `~/.cache/aisec-bench` (`--cache` or
AISEC_BENCH_CACHE elsewhere). Versions are pinned so that numbers from two runs compare; the
issue's reference numbers were taken on older releases (langchain 0.x was bigger), so the line
counts are printed with every table.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

DEFAULT_CACHE = Path(os.environ.get("AISEC_BENCH_CACHE", Path.home() / ".cache" / "aisec-bench"))

# corpus -> pinned distributions (`name==version` as pip understands it)
CORPORA: dict[str, tuple[str, ...]] = {
    "langchain": ("langchain==1.5.2", "langchain-core==1.8.4", "langchain-community==0.4.2"),
    "transformers": ("transformers==5.25.0",),
    # FastChat's PyPI name; the wheel holds the `fastchat` package (serving, web UIs, LLM calls).
    "fastchat": ("fschat==0.2.36",),
}


@dataclass(frozen=True)
class Corpus:
    name: str
    folder: Path
    files: int
    lines: int


def prepare(name: str, cache: Path = DEFAULT_CACHE) -> Corpus:
    """Download (once) and unpack (once) the wheels of corpus `name`."""
    wheels_dir = cache / "wheels"
    target = cache / "src" / name
    for requirement in CORPORA[name]:
        wheel = _find_wheel(wheels_dir, requirement)
        if wheel is None:
            wheels_dir.mkdir(parents=True, exist_ok=True)
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "download",
                    "-q",
                    "--no-deps",
                    "--only-binary=:all:",
                    "-d",
                    str(wheels_dir),
                    requirement,
                ],
                check=True,
            )
            wheel = _find_wheel(wheels_dir, requirement)
            if wheel is None:
                raise SystemExit(f"pip did not produce a wheel for {requirement} in {wheels_dir}")
        unpacked = target / wheel.stem
        if not unpacked.is_dir():
            _unpack_sources(wheel, unpacked)
    files, lines = source_stats(target)
    return Corpus(name, target, files, lines)


def _find_wheel(folder: Path, requirement: str) -> Path | None:
    name, version = requirement.split("==")
    stem = f"{name.replace('-', '_')}-{version}-"
    found = sorted(folder.glob(f"{stem}*.whl")) if folder.is_dir() else []
    return found[0] if found else None


def _unpack_sources(wheel: Path, target: Path) -> None:
    """Only the `.py` files: what every tool reads (bandit and semgrep skip `.pyi` stubs)."""
    partial = target.with_name(target.name + ".partial")
    with zipfile.ZipFile(wheel) as archive:
        for member in archive.namelist():
            if member.endswith(".py") and ".." not in Path(member).parts:
                archive.extract(member, partial)
    partial.rename(target)


def source_stats(folder: Path) -> tuple[int, int]:
    """(.py files, lines as `wc -l` counts them) under `folder`."""
    files = lines = 0
    for path in folder.rglob("*.py"):
        files += 1
        lines += path.read_bytes().count(b"\n")
    return files, lines
