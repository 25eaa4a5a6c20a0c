"""Values read from a project file, kept in memory until the file changes.

A long-running process (the app) asks the same questions of an unchanged file again and again:
which segment holds this offset, what does this document say. Reading those answers anew each
time costs tens of milliseconds in a large project; keeping them is safe as long as we know when
the file has changed. Two numbers tell: SQLite's ``PRAGMA data_version`` changes when another
connection commits, and the connection's ``total_changes`` grows with every row this connection
writes. Nothing is kept while a transaction is open, since it may still be rolled back.

The cache lives on the :class:`~workbench.core.store.Project` object, so it goes with the
connection it was read through.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from workbench.core.schema import COUNTED_TABLES
from workbench.core.store import Project

T = TypeVar("T")
_SLOT = "_file_cache"


def file_version(project: Project, tables: Sequence[str] = ()) -> tuple:
    """Numbers that change whenever the file's contents (or these tables) may have changed."""
    conn = project.conn
    if tables and set(tables) <= set(COUNTED_TABLES):
        counts = dict(conn.execute(
            f"SELECT name, changes FROM change_counts WHERE name IN "
            f"({','.join('?' * len(tables))})", tuple(tables)).fetchall())
        if len(counts) == len(set(tables)):
            return tuple(counts[t] for t in tables)
    return conn.execute("PRAGMA data_version").fetchone()[0], conn.total_changes


def cached(project: Project, name: str, build: Callable[[], T],
           tables: Sequence[str] = ()) -> T:
    """The value ``build()`` returns, kept under ``name`` until the file changes.

    Args:
        project: the open project.
        name: what the value is (one slot per name).
        build: reads the value from the file.
        tables: the tables the value is read from; when all are counted tables, only their
            changes make the value stale, else any change in the file does.
    """
    if project.conn.in_transaction:
        return build()
    store: dict[str, Any] = project.__dict__.setdefault(_SLOT, {})
    version = (name, file_version(project, tables))
    kept = store.get(name)
    if kept is not None and kept[0] == version:
        return kept[1]
    value = build()
    store[name] = (version, value)
    return value


def kept(project: Project, name: str) -> dict[Any, Any]:
    """A dict kept on the project whatever changes: for values the caller checks itself
    (document texts, which never change under the same guid)."""
    store: dict[str, Any] = project.__dict__.setdefault(_SLOT, {})
    return store.setdefault(name, {})
