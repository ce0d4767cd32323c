"""No cyclic garbage collection while a console-script `check` run starts up.

Starting a full-path run imports aisec, its plugins and their catalogs and builds the session:
objects that live as long as the process, made by the hundred thousand. Each 700 allocations
made the collector traverse the youngest of them, and as they aged into the older generations,
all of them again: ~74 collections and ~6 ms of CPU of a one-file pre-commit run, to free about
350 objects. `pause` (the console script, before it imports `aisec.cli`) turns the collector
off; `over` (once the session and the file scanner exist, before any file is read) takes
everything alive out of its reach for good (`gc.freeze`: later collections, and the forked
workers' pages, no longer touch it) and turns it back on. The few garbage cycles of the start-up
are frozen with the rest: bounded, a few kilobytes, never the scan's.

Only the console script pauses, and only for `check` (the one command that ends the pause):
`aisec.cli.main` called in-process (tests, the language server) leaves the collector alone.
"""

from __future__ import annotations

import gc

_paused = False


def pause() -> None:
    """Turn the collector off until `over` (a collector someone else turned off stays off)."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def over() -> None:
    """The start-up is done: freeze what it made and collect again (nothing unless paused)."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()
