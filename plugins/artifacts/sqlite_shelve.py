"""The values of a `dbm.sqlite3` store: what `shelve.open` creates by default from Python 3.13.

Mirrors CPython 3.13 `Lib/dbm/sqlite3.py`: one table `Dict (key BLOB UNIQUE NOT NULL, value BLOB
NOT NULL)`, each value a pickle that `shelve.Shelf.__getitem__` unpickles. The file is opened
read-only and immutable (nothing is written next to it), with untrusted-schema protections on
and a progress handler that enforces the artifact's deadline inside SQLite; only the table's
rows are read. Any other SQLite file (no `Dict` table) is not a shelve store: None.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from .streams import Budget

SQLITE_MAGIC = b"SQLite format 3\x00"
PROGRESS_STEPS = 10_000  # SQLite virtual-machine steps between deadline checks


class StoreError(Exception):
    """The store cannot be read (corrupt database, or a Python built without sqlite3)."""


def is_sqlite(head: bytes) -> bool:
    return head.startswith(SQLITE_MAGIC)


def shelve_values(path: str | os.PathLike[str], budget: Budget) -> Iterator[tuple[bytes, bytes]] | None:
    """(key, value) of every row of a `dbm.sqlite3` store, None when the file is no such store.
    Raises StoreError when it cannot be read (the caller fails closed)."""
    try:
        import sqlite3
    except ImportError as exc:  # CPython built without _sqlite3
        raise StoreError("this Python has no sqlite3 module") from exc
    uri = Path(os.path.abspath(path)).as_uri() + "?mode=ro&immutable=1"
    try:
        return _rows(sqlite3.connect(uri, uri=True), budget)
    except sqlite3.Error as exc:
        raise StoreError(str(exc)) from exc


def _rows(connection, budget: Budget) -> Iterator[tuple[bytes, bytes]] | None:
    try:
        connection.execute("PRAGMA trusted_schema = OFF")
        connection.set_progress_handler(lambda: budget.time_left() < 0, PROGRESS_STEPS)
        tables = connection.execute(
            "SELECT type FROM sqlite_master WHERE name = 'Dict' AND type = 'table'"
        ).fetchall()
        if not tables:
            return None
        rows = connection.execute("SELECT CAST(key AS BLOB), CAST(value AS BLOB) FROM Dict").fetchall()
    finally:
        connection.close()
    return iter([(bytes(key or b""), bytes(value or b"")) for key, value in rows])
