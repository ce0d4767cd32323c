"""Progress of a long scan on a terminal: `aisec: checking 1200/4000 files`, on stderr.

Shown only when stderr is a terminal (not in CI logs or pipes) and not with `-q`, and only once
a run has taken `delay` seconds, so that the sub-second pre-commit runs (which pre-commit gives a
pseudo-terminal when colour is on) print nothing. The line is redrawn in place at most ten times
a second and erased when the scan ends, so nothing of it stays in the scrollback.
"""

from __future__ import annotations

import os
import time
from typing import TextIO

DELAY_SECONDS = 0.5
REDRAW_SECONDS = 0.1
_ERASE = "\r\x1b[K"


class Progress:
    def __init__(self, stream: TextIO, *, delay: float | None = None) -> None:
        self.stream = stream
        self.started = time.monotonic()
        self.delay = DELAY_SECONDS if delay is None else delay
        self.drawn_at: float | None = None

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.started < self.delay:
            return
        if self.drawn_at is not None and now - self.drawn_at < REDRAW_SECONDS and done != total:
            return
        counts = f" {done}/{total} files" if total else ""
        self.stream.write(f"{_ERASE}aisec: {phase}{counts}")
        self.stream.flush()
        self.drawn_at = now

    def close(self) -> None:
        if self.drawn_at is not None:
            self.stream.write(_ERASE)
            self.stream.flush()
            self.drawn_at = None


def is_terminal(stream: object) -> bool:
    """A terminal that is not `TERM=dumb` (where colour and a redrawn line make sense)."""
    return bool(getattr(stream, "isatty", lambda: False)()) and os.environ.get("TERM") != "dumb"


def wants_progress(stream: TextIO, quiet: bool) -> bool:
    """A terminal, and no `-q`."""
    return not quiet and is_terminal(stream)
