"""The history log: every change with who and when, and undo/redo that survive restarts.

Each step stores its row operations (see :meth:`Project.step`); undo applies their inverses in
reverse order, redo applies them again. Steps marked 'permanent' (imports) are listed but are
not undone.
"""

from __future__ import annotations

import json
from typing import Any

from workbench.core.store import Project
from workbench.errors import NothingToUndo


def list_history(project: Project, limit: int | None = 50) -> list[dict[str, Any]]:
    """The most recent history entries, newest first."""
    sql = "SELECT id, at, who, action, summary, state FROM history ORDER BY id DESC"
    if limit:
        sql += f" LIMIT {int(limit)}"
    return project.rows(sql)


def _apply(project: Project, op: dict[str, Any], *, inverse: bool) -> None:
    table, kind = op["table"], op["op"]
    conn = project.conn
    if (kind == "insert" and not inverse) or (kind == "delete" and inverse):
        row = op["row"]
        cols = ", ".join(f'"{c}"' for c in row)
        conn.execute(f'INSERT INTO "{table}" ({cols}) VALUES ({", ".join("?" * len(row))})',
                     list(row.values()))
    elif kind in ("insert", "delete"):
        conn.execute(f'DELETE FROM "{table}" WHERE id = ?', (op["row"]["id"],))
    elif kind == "update":
        values = op["before"] if inverse else op["after"]
        sets = ", ".join(f'"{c}" = ?' for c in values)
        conn.execute(f'UPDATE "{table}" SET {sets} WHERE id = ?', [*values.values(), op["id"]])


def undo(project: Project) -> dict[str, Any]:
    """Undo the most recent step that is not undone yet; returns its history entry."""
    with project.atomic():
        row = project.conn.execute(
            "SELECT * FROM history WHERE state = 'done' AND ops IS NOT NULL "
            "ORDER BY id DESC LIMIT 1").fetchone()
        if row is None:
            raise NothingToUndo("There is nothing to undo.")
        # Deferred checks let a restored parent and child arrive in either order.
        project.conn.execute("PRAGMA defer_foreign_keys = ON")
        for op in reversed(json.loads(row["ops"])):
            _apply(project, op, inverse=True)
        project.conn.execute("UPDATE history SET state = 'undone' WHERE id = ?", (row["id"],))
    return dict(row) | {"state": "undone"}


def redo(project: Project) -> dict[str, Any]:
    """Redo the earliest undone step (after the last done one); returns its history entry."""
    with project.atomic():
        row = project.conn.execute(
            "SELECT * FROM history WHERE state = 'undone' ORDER BY id ASC LIMIT 1").fetchone()
        if row is None:
            raise NothingToUndo("There is nothing to redo.")
        project.conn.execute("PRAGMA defer_foreign_keys = ON")
        for op in json.loads(row["ops"]):
            _apply(project, op, inverse=False)
        project.conn.execute("UPDATE history SET state = 'done' WHERE id = ?", (row["id"],))
    return dict(row) | {"state": "done"}
