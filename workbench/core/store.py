"""Project: one SQLite file, opened with WAL, foreign keys and a busy timeout.

Every write that spans several rows runs inside :meth:`Project.atomic`. Writes that a user may
want to undo run inside :meth:`Project.step`, which records each row change in the history
table so that :mod:`workbench.core.history` can reverse it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import json
import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from workbench.core import schema
from workbench.errors import NotAProjectError, NotFoundError, SchemaTooNewError, WorkbenchError

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 10_000


def now() -> str:
    """Return the current UTC time as an ISO 8601 string (seconds)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


_last_guid_ms = 0
_guid_sequence = 0


def new_guids(count: int) -> list[str]:
    """Mint ``count`` stable identifiers: time-ordered UUIDs (version 7).

    Time order keeps the unique guid indexes append-only, so bulk inserts (the segments of a
    large import) stay fast; the 62 random bits keep guids unique across machines, which
    project merges and REFI-QDA exchange rely on. Within one millisecond a 12-bit sequence
    orders them; past 4,096 the next millisecond is borrowed.
    """
    global _last_guid_ms, _guid_sequence
    if count <= 0:
        return []
    ms = max(time.time_ns() // 1_000_000, _last_guid_ms)
    first = _guid_sequence + 1 if ms == _last_guid_ms else 0
    # The k-th guid is number first + k of millisecond ms, 4,096 numbers to a millisecond.
    last = first + count - 1
    _last_guid_ms, _guid_sequence = ms + (last >> 12), last & 0xFFF
    if count >= _GUID_ARRAY_FROM:
        return _guid_array(ms, first, count)
    noise = os.urandom(8 * count)
    out = []
    for k in range(count):
        number = first + k
        rand = int.from_bytes(noise[8 * k:8 * k + 8], "big") & _RAND_BITS
        value = (((ms + (number >> 12)) << 80) | (0x7 << 76) | ((number & 0xFFF) << 64)
                 | _VARIANT | rand)
        h = f"{value:032x}"
        out.append(f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}")
    return out


_RAND_BITS = (1 << 62) - 1
_VARIANT = 0b10 << 62
# Many guids at once (a tagging batch mints tens of thousands) are made with array
# operations; numpy is imported only then, so that small commands do not pay for it.
_GUID_ARRAY_FROM = 512


def _guid_array(ms: int, first: int, count: int) -> list[str]:
    """:func:`new_guids` for many guids: the same layout, built with numpy."""
    import numpy

    number = numpy.arange(first, first + count, dtype=numpy.uint64)
    words = numpy.empty((count, 2), dtype=">u8")  # big-endian: hex digits in reading order
    words[:, 0] = ((numpy.uint64(ms) + (number >> numpy.uint64(12))) << numpy.uint64(16)
                   | numpy.uint64(0x7000) | (number & numpy.uint64(0xFFF)))
    words[:, 1] = (numpy.frombuffer(os.urandom(8 * count), dtype=numpy.uint64)
                   & numpy.uint64(_RAND_BITS) | numpy.uint64(_VARIANT))
    digits = numpy.frombuffer(words.tobytes().hex().encode("ascii"),
                              dtype=numpy.uint8).reshape(count, 32)
    chars = numpy.full((count, 36), ord("-"), dtype=numpy.uint8)
    for at, (lo, hi) in zip((0, 9, 14, 19, 24), ((0, 8), (8, 12), (12, 16), (16, 20), (20, 32)),
                            strict=True):
        chars[:, at:at + hi - lo] = digits[:, lo:hi]
    text = chars.tobytes().decode("ascii")
    return [text[i:i + 36] for i in range(0, 36 * count, 36)]


def new_guid() -> str:
    """Mint one stable identifier for a new entity (see :func:`new_guids`)."""
    return new_guids(1)[0]


def _inspect(path: Path) -> tuple[int, int]:
    """Read application id and schema version without changing the file."""
    with path.open("rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise NotAProjectError(
            f"{path} is not a workbench project (not a SQLite file); "
            "give the path of a .wbp project or create one with 'workbench init'."
        )
    uri = f"{path.resolve().as_uri()}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True)
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise NotAProjectError(f"{path} is not a readable SQLite file ({exc}).") from exc
    return app_id, version


class Project:
    """An open workbench project file."""

    def __init__(self, path: Path, conn: sqlite3.Connection, *, coder: str | None = None):
        self.path = path
        self.conn = conn
        self.backup_path: Path | None = None
        self._depth = 0
        self._ops: list[dict[str, Any]] | None = None
        self._coder = coder

    # ------------------------------------------------------------------ opening
    @classmethod
    def create(cls, path: str | os.PathLike, *, version: int = schema.LATEST_VERSION) -> Project:
        """Create a new project file at ``path``; refuses to overwrite an existing file."""
        path = Path(path)
        if path.exists() and path.stat().st_size > 0:
            raise WorkbenchError(
                f"{path} already exists; open it, or choose a new file name for the project."
            )
        if not path.parent.exists():
            raise WorkbenchError(f"The folder {path.parent} does not exist; create it first.")
        conn = cls._connect(path)
        schema.migrate(conn, version)
        return cls(path, conn)

    @classmethod
    def open(cls, path: str | os.PathLike, *, coder: str | None = None) -> Project:
        """Open an existing project, migrating it (after a backup) if it is older.

        Raises:
            NotAProjectError: the file is missing or is not a workbench project.
            SchemaTooNewError: the file was written by a newer workbench.
        """
        path = Path(path)
        if not path.is_file():
            raise NotAProjectError(
                f"{path} does not exist; create a project with 'workbench init {path}'."
            )
        app_id, version = _inspect(path)
        if app_id != schema.APPLICATION_ID:
            raise NotAProjectError(
                f"{path} is a SQLite file but not a workbench project; "
                "give the path of a project made with 'workbench init'."
            )
        if version > schema.LATEST_VERSION:
            raise SchemaTooNewError(
                f"{path} uses project format {version}, newer than this workbench understands "
                f"({schema.LATEST_VERSION}); upgrade workbench to open it."
            )
        conn = cls._connect(path)
        project = cls(path, conn, coder=coder)
        if version < schema.LATEST_VERSION:
            project.backup_path = project._backup(version)
            schema.migrate(conn)
        return project

    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False,
                               timeout=BUSY_TIMEOUT_MS / 1000)
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")
        return conn

    def _backup(self, version: int) -> Path:
        """Write a consistent copy of the file beside it before a migration."""
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        target = self.path.with_name(f"{self.path.name}.v{version}-{stamp}.bak")
        dest = sqlite3.connect(target)
        try:
            self.conn.backup(dest)
        finally:
            dest.close()
        return target

    @property
    def db(self):
        """The file as a ``sqlite_utils.Database`` (loaded on first use: it is slow to import)."""
        if "_db" not in self.__dict__:
            import sqlite_utils

            self.__dict__["_db"] = sqlite_utils.Database(self.conn)
        return self.__dict__["_db"]

    def close(self) -> None:
        """Close the connection (checkpointing the WAL)."""
        self.conn.close()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def version(self) -> int:
        """The schema version of the open file."""
        return schema.schema_version(self.conn)

    # ------------------------------------------------------------ transactions
    @contextlib.contextmanager
    def atomic(self) -> Iterator[Project]:
        """Run the block in one transaction (nested blocks use savepoints)."""
        if self._depth == 0:
            self.conn.execute("BEGIN IMMEDIATE")
        else:
            self.conn.execute(f"SAVEPOINT sp{self._depth}")
        self._depth += 1
        try:
            yield self
        except BaseException:
            self._depth -= 1
            if self._depth == 0:
                self.conn.execute("ROLLBACK")
            else:
                self.conn.execute(f"ROLLBACK TO sp{self._depth}")
                self.conn.execute(f"RELEASE sp{self._depth}")
            raise
        else:
            self._depth -= 1
            if self._depth == 0:
                self.conn.execute("COMMIT")
            else:
                self.conn.execute(f"RELEASE sp{self._depth}")

    @contextlib.contextmanager
    def step(self, action: str, summary: str, *, undoable: bool = True,
             who: str | None = None) -> Iterator[Project]:
        """One user-visible change: a transaction whose row changes go into the history.

        Steps nest: an inner step's changes join the outer one, so a composite operation
        (a merge, an autocode run) undoes as one.
        """
        if self._ops is not None:
            with self.atomic():
                yield self
            return
        self._ops = []
        try:
            with self.atomic():
                yield self
                ops = self._ops
                if undoable:
                    # A new change makes the undone steps unreachable for redo.
                    self.conn.execute(
                        "UPDATE history SET state = 'discarded' WHERE state = 'undone'")
                self.conn.execute(
                    "INSERT INTO history (guid, at, who, action, summary, ops, state) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (new_guid(), now(), who or self.coder, action, summary,
                     json.dumps(ops, ensure_ascii=False) if undoable else None,
                     "done" if undoable else "permanent"),
                )
        finally:
            self._ops = None

    # ------------------------------------------------------------ row changes
    def insert(self, table: str, row: dict[str, Any]) -> int:
        """Insert a row (minting a guid when the table has one) and record it in the step."""
        row = dict(row)
        if "guid" in self._columns(table) and not row.get("guid"):
            row["guid"] = new_guid()
        cols = ", ".join(f'"{c}"' for c in row)
        marks = ", ".join("?" for _ in row)
        cur = self.conn.execute(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})',
                                list(row.values()))
        row_id = cur.lastrowid
        if self._ops is not None:
            row.setdefault("id", row_id)
            self._ops.append({"op": "insert", "table": table, "row": row})
        return row_id

    def update(self, table: str, row_id: int, changes: dict[str, Any]) -> None:
        """Update columns of one row and record the old values in the step."""
        if not changes:
            return
        before = self.get_row(table, row_id)
        sets = ", ".join(f'"{c}" = ?' for c in changes)
        self.conn.execute(f'UPDATE "{table}" SET {sets} WHERE id = ?',
                          [*changes.values(), row_id])
        if self._ops is not None:
            self._ops.append({"op": "update", "table": table, "id": row_id,
                              "before": {c: before[c] for c in changes}, "after": dict(changes)})

    def delete(self, table: str, row_id: int) -> None:
        """Delete one row and record its contents in the step so undo can restore it."""
        before = self.get_row(table, row_id)
        self.conn.execute(f'DELETE FROM "{table}" WHERE id = ?', (row_id,))
        if self._ops is not None:
            self._ops.append({"op": "delete", "table": table, "row": before})

    def get_row(self, table: str, row_id: int) -> dict[str, Any]:
        """Return one row as a dict, or raise NotFoundError."""
        row = self.conn.execute(f'SELECT * FROM "{table}" WHERE id = ?', (row_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"No {table.rstrip('s')} with id {row_id} in {self.path.name}.")
        return dict(row)

    def _columns(self, table: str) -> set[str]:
        cache = self.__dict__.setdefault("_column_cache", {})
        if table not in cache:
            cache[table] = {r[1] for r in self.conn.execute(f'PRAGMA table_info("{table}")')}
        return cache[table]

    def rows(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        """Run a query and return its rows as dicts."""
        return [dict(r) for r in self.conn.execute(sql, params)]

    # ------------------------------------------------------------ settings
    def setting(self, key: str, default: Any = None) -> Any:
        """Return a project setting (stored as JSON), or ``default``."""
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return default if row is None else json.loads(row[0])

    def set_setting(self, key: str, value: Any) -> None:
        """Store a project setting as JSON."""
        with self.atomic():
            self.conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, json.dumps(value, ensure_ascii=False)),
            )

    @property
    def coder(self) -> str:
        """The current coder: given when opening, else the project default, else the OS user."""
        if self._coder:
            return self._coder
        default = self.setting("default_coder")
        if default:
            return default
        try:
            return getpass.getuser()
        except (KeyError, OSError):
            return "coder"
