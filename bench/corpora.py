"""The real-code corpora of the full-scan benchmark: fetched from PyPI, unpacked, never committed.

Each corpus is a set of pinned wheels (pure Python, so the `.py` files in a wheel are the
sources). `prepare(name, cache)` downloads them with `pip download --no-deps` into
`<cache>/wheels` and unpacks only their `.py` files into ONE project folder,
`<cache>/project/<corpus>/`: the wheels' top-level packages side by side, as in site-packages
or a repository's root, so that aisec gives every module its dotted name and follows the
project's own imports (a folder per wheel, named by its stem, is no identifier: no module
there has a name and the cross-module analysis never runs). A `pyproject.toml` holding only
comments marks that folder as the project root, as a repository's does, so that one file
checked alone (`aisec check transformers/trainer.py`) is analysed in the same project as the
whole folder; it also names the wheels, and a folder unpacked from other wheels is unpacked
again. Two wheels of a corpus that write the same file stop the run (nothing is overwritten).
Nothing from a wheel is executed. The default cache is `~/.cache/aisec-bench` (`--cache` or
AISEC_BENCH_CACHE elsewhere). Versions are pinned so that numbers from two runs compare; the
issue's reference numbers were taken on older releases (langchain 0.x was bigger), so the line
counts are printed with every table.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

DEFAULT_CACHE = Path(os.environ.get("AISEC_BENCH_CACHE", Path.home() / ".cache" / "aisec-bench"))
ROOT_MARKER = "pyproject.toml"

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
    """Download (once) the wheels of corpus `name` and unpack them (once) into its project folder."""
    wheels = [_wheel(cache / "wheels", requirement) for requirement in CORPORA[name]]
    target = cache / "project" / name
    marker = _root_marker(name, wheels)
    try:
        current = (target / ROOT_MARKER).read_text(encoding="utf-8")
    except OSError:
        current = None
    if current != marker:
        _unpack_project(name, wheels, target, marker)
    files, lines = source_stats(target)
    return Corpus(name, target, files, lines)


def _wheel(folder: Path, requirement: str) -> Path:
    """The wheel of `requirement` in `folder`, downloaded there first if missing."""
    wheel = _find_wheel(folder, requirement)
    if wheel is None:
        folder.mkdir(parents=True, exist_ok=True)
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
                str(folder),
                requirement,
            ],
            check=True,
        )
        wheel = _find_wheel(folder, requirement)
        if wheel is None:
            raise SystemExit(f"pip did not produce a wheel for {requirement} in {folder}")
    return wheel


def _find_wheel(folder: Path, requirement: str) -> Path | None:
    name, version = requirement.split("==")
    stem = f"{name.replace('-', '_')}-{version}-"
    found = sorted(folder.glob(f"{stem}*.whl")) if folder.is_dir() else []
    return found[0] if found else None


def _root_marker(name: str, wheels: list[Path]) -> str:
    """The root marker's text: comments only (no configuration, no dependencies), naming the wheels."""
    lines = [f"# bench/corpora.py: the project root of corpus {name}, unpacked from"]
    return "\n".join([*lines, *(f"# {wheel.name}" for wheel in wheels)]) + "\n"


def _unpack_project(name: str, wheels: list[Path], target: Path, marker: str) -> None:
    """Only the `.py` files (what every tool reads; bandit and semgrep skip `.pyi` stubs) of every
    wheel, into one folder built aside and renamed into place when complete."""
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    written: dict[str, str] = {}  # member path -> the wheel that wrote it
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as archive:
            for info in archive.infolist():
                member = PurePosixPath(info.filename)
                if info.is_dir() or member.suffix != ".py" or member.is_absolute() or ".." in member.parts:
                    continue
                key = member.as_posix()
                if key in written:
                    shutil.rmtree(partial, ignore_errors=True)
                    raise SystemExit(
                        f"corpus {name}: {key} is in both {written[key]} and {wheel.name}; the wheels "
                        "of a corpus are unpacked into one project folder and must not write the same file"
                    )
                written[key] = wheel.name
                destination = partial.joinpath(*member.parts)
                destination.parent.mkdir(parents=True, exist_ok=True)
                destination.write_bytes(archive.read(info))
    partial.mkdir(parents=True, exist_ok=True)
    (partial / ROOT_MARKER).write_text(marker, encoding="utf-8")
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)


def source_stats(folder: Path) -> tuple[int, int]:
    """(.py files, lines as `wc -l` counts them) under `folder`."""
    files = lines = 0
    for path in folder.rglob("*.py"):
        files += 1
        lines += path.read_bytes().count(b"\n")
    return files, lines
