"""The codings of each code as numpy arrays, kept between queries while they are unchanged.

Broad retrievals match on arrays of the codings of the query's codes (see "the numpy path" in
:mod:`workbench.core.retrieval`). Reading those codings from the file is most of a broad
query's time, so a long-running process keeps each code's arrays and reads a code again only
when its codings changed: triggers in the file count changed codings per code (table
``change_counts``, names ``codings:<code id>``), whichever process changed them. Coding a
passage with one code therefore costs the next query one code's read, not all of them.

Spans live on one global axis, ``document_id << 32 | offset``, as in the retrieval module.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from workbench.core.filecache import kept
from workbench.core.store import Project

SHIFT = 32


def _versions(project: Project, code_ids: Sequence[int]) -> dict[int, int]:
    names = [f"codings:{c}" for c in code_ids]
    rows = project.conn.execute(
        f"SELECT name, changes FROM change_counts WHERE name IN ({','.join('?' * len(names))})",
        names).fetchall()
    return {int(name.split(":", 1)[1]): changes for name, changes in rows}


def _read(project: Project, code_ids: Sequence[int]) -> dict[int, tuple[Any, Any]]:
    """Read the codings of these codes: (starts, ends) per code, sorted by start."""
    import numpy as np

    row = project.conn.execute(
        f"SELECT json_group_array(code_id), json_group_array((document_id << {SHIFT}) | start), "
        f"json_group_array((document_id << {SHIFT}) | \"end\") FROM codings "
        f"WHERE code_id IN ({','.join('?' * len(code_ids))})", list(code_ids)).fetchone()
    codes, starts, ends = (np.fromstring(text[1:-1], dtype=np.int64, sep=",")
                           if len(text) > 2 else np.zeros(0, dtype=np.int64) for text in row)
    order = np.lexsort((ends, starts, codes))
    codes, starts, ends = codes[order], starts[order], ends[order]
    bounds = np.searchsorted(codes, code_ids, side="left").tolist()
    stops = np.searchsorted(codes, code_ids, side="right").tolist()
    return {c: (starts[a:b], ends[a:b]) for c, a, b in zip(code_ids, bounds, stops, strict=True)}


def has_counts(project: Project) -> bool:
    """Whether the file keeps change counts (schema 6 on)."""
    return project.version >= 6


def code_arrays(project: Project, code_ids: Sequence[int]) -> dict[int, tuple[Any, Any]]:
    """(starts, ends) of the codings of each code, on the global axis, sorted by start.

    Arrays kept from an earlier call are reused when the code's change count is the same;
    the rest are read in one query. Nothing is kept while a transaction is open.
    """
    code_ids = sorted(set(code_ids))
    store: dict[int, tuple[int | None, Any, Any]] = kept(project, "code_arrays")
    versions = _versions(project, code_ids)
    result: dict[int, tuple[Any, Any]] = {}
    stale = []
    for code in code_ids:
        held = store.get(code)
        if held is not None and held[0] == versions.get(code):
            result[code] = (held[1], held[2])
        else:
            stale.append(code)
    if stale:
        fresh = _read(project, stale)
        result.update(fresh)
        if not project.conn.in_transaction:
            for code, (starts, ends) in fresh.items():
                store[code] = (versions.get(code), starts, ends)
    return result
