"""How a console-script run's process starts and ends: the two costs of a full-path run that
are neither aisec's work nor the scan's.

Start-up without cyclic garbage collection. Starting a full-path `check` run imports aisec, its
plugins and their catalogs and builds the session: objects that live as long as the process,
made by the hundred thousand. Each 700 allocations made the collector traverse the youngest of
them, and as they aged into the older generations, all of them again: ~74 collections and ~6 ms
of CPU of a one-file pre-commit run, to free about 350 objects. `pause_collector` (the console
script, before it imports `aisec.cli`) turns the collector off; `started` (once the session
exists, before any file is read) takes everything alive out of its reach for good (`gc.freeze`:
later collections, and the forked workers' pages, no longer touch it) and turns it back on. The
few garbage cycles of the start-up are frozen with the rest: bounded, a few kilobytes, never
the scan's. Only the console script pauses, and only for `check` (the one command that calls
`started`): `aisec.cli.main` called in-process (tests, the language server) is left alone.

An end without tearing the interpreter down. After the run, Python's shutdown clears every
module, frees every object the run kept (plugins, the catalog, the cache's records) one by one
and collects the heap: ~3-4 ms of CPU of a one-file run or a warm run over a repository, for a
process that is ending anyway. `end` does what shutdown does that anyone can observe (the
`atexit` handlers, aisec's own and any plugin's; flushing stdout and stderr) and leaves with
`os._exit`. It takes the ordinary way out whenever that could differ: another thread is still
running (shutdown waits for non-daemon threads), this Python has no `atexit._run_exitfuncs`, or
a standard stream cannot be flushed (shutdown reports that, and exits with 120).
"""

from __future__ import annotations

import atexit
import gc
import os
import sys

TYPE_CHECKING = False  # `typing` costs a trigger-free run ~7 ms (it imports `re`)
if TYPE_CHECKING:
    from typing import NoReturn

_paused = False
_console_check = False  # this process is a console-script `check` run (`pause_collector` ran)


def pause_collector() -> None:
    """Turn the collector off until `started` (a collector someone else turned off stays off)."""
    global _paused, _console_check
    _console_check = True
    if gc.isenabled():
        gc.disable()
        _paused = True


def started() -> None:
    """The start-up is done: freeze what it made and collect again (nothing unless paused)."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()


def freezes_allowed() -> bool:
    """Whether aisec may take what is alive out of the collector's reach for good (`gc.freeze`)
    at points of its own choosing: only in a console-script `check` run, whose process is
    aisec's, never where `aisec.cli.main` or the scanner is called in-process (tests, the
    language server), whose garbage cycles alive at that moment would never be freed."""
    return _console_check


def end(code: int) -> NoReturn:
    """End the process with exit status `code`, skipping the interpreter's teardown when
    nothing but its cost would change."""
    threading = sys.modules.get("threading")
    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)
    if run_exit_handlers is not None and (threading is None or threading.active_count() == 1):
        run_exit_handlers()  # each runs once: the interpreter would find none left
        try:
            for stream in (sys.stdout, sys.stderr):
                if stream is not None:  # None: the descriptor was closed when Python started
                    stream.flush()
        except (OSError, ValueError, AttributeError):
            pass  # shutdown flushes again and reports it as it always did
        else:
            os._exit(code)
    # The ordinary shutdown: its full collection would traverse everything alive only to free
    # nothing worth it (~9-10 ms of a warm run over a repository), so that is frozen first.
    gc.freeze()
    raise SystemExit(code)
