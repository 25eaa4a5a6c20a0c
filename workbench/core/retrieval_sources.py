"""What a retrieval reads besides the codings: documents with their texts, and the segment
(speaker turn, paragraph) where each hit starts.

Both are kept in memory between queries of a long-running process (see
:mod:`workbench.core.filecache`): document texts never change under the same guid, so a text
read once is reused until its document is gone; the segment index is kept until the file
changes. A one-shot command reads them once, as before.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from workbench.core.filecache import cached, kept
from workbench.core.store import Project

# Texts kept per project, in characters (about a megabyte per 150,000 words of Danish).
MAX_KEPT_CHARACTERS = 64_000_000
# From this many passages on (with numpy loaded), segments are found in an index of all
# segments rather than by one probe per passage in SQL.
SEGMENT_INDEX_MIN = 300
_SHIFT = 32


class Document(NamedTuple):
    """A document's metadata and text, as a hit reports them."""

    name: str
    kind: str
    case: str | None
    cycle: int | None
    date: str | None
    text: str


def tuples(project: Project, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
    """Rows as plain tuples: they sort, and they are quicker to make than sqlite3.Row."""
    cursor = project.conn.cursor()
    cursor.row_factory = None
    try:
        return cursor.execute(sql, params).fetchall()
    finally:
        cursor.close()


def load_documents(project: Project, doc_ids: Iterable[int]) -> dict[int, Document]:
    """The documents with these ids, texts read from the file only when not kept already."""
    wanted = set(doc_ids)
    meta = [row for row in tuples(
        project,
        "SELECT d.id, d.guid, d.name, d.kind, c.name, cy.number, d.date FROM documents d "
        "LEFT JOIN cases c ON c.id = d.case_id LEFT JOIN cycles cy ON cy.id = d.cycle_id")
        if row[0] in wanted]
    texts: dict[int, tuple[str, str]] = kept(project, "document_texts")
    missing = [row[0] for row in meta if texts.get(row[0], ("",))[0] != row[1]]
    if missing:
        fresh: dict[int, tuple[str, str]] = {}
        for at in range(0, len(missing), 900):  # stay under SQLite's limit on variables
            chunk = missing[at:at + 900]
            for doc_id, guid, text in tuples(
                    project, f"SELECT id, guid, text FROM documents WHERE id IN "
                             f"({','.join('?' * len(chunk))})", chunk):
                fresh[doc_id] = (guid, text)
        held = sum(len(t) for _, t in texts.values())
        if held + sum(len(t) for _, t in fresh.values()) > MAX_KEPT_CHARACTERS:
            texts.clear()
        texts.update(fresh)
    return {row[0]: Document(row[2], row[3], row[4], row[5], row[6], texts[row[0]][1])
            for row in meta}


def segments_at(project: Project, doc_ids: Sequence[int], starts: Sequence[int]
                ) -> list[tuple | None]:
    """For each position (document, start), the segment row (id, start, end, kind, speaker,
    participant_id) it lies in: the last turn or paragraph starting at or before it, when that
    reaches past it; else a quote segment holding it; else None."""
    if not starts:
        return []
    if (len(starts) >= SEGMENT_INDEX_MIN and "numpy" in sys.modules
            and worth_keeping(project, "segments_at")):
        result = _indexed(project, doc_ids, starts)
    else:
        result = [seg if seg[0] is not None and seg[2] > start else None
                  for seg, start in zip(_probed(project, doc_ids, starts), starts, strict=True)]
    for i in [i for i, seg in enumerate(result) if seg is None]:
        # Outside turns and paragraphs: perhaps inside a quote of its own.
        quote = tuples(project, """
            SELECT id, start, "end", kind, speaker, participant_id FROM segments
            WHERE document_id = ? AND start <= ? AND "end" > ?
            ORDER BY start DESC LIMIT 1""", (doc_ids[i], starts[i], starts[i]))
        result[i] = quote[0] if quote else None
    return result


def _probed(project: Project, doc_ids: Sequence[int], starts: Sequence[int]) -> list[tuple]:
    """One query for all positions: each looks up the last segment starting at or before it
    through the (document_id, start) index."""
    # Each probe is one integer, document_id * 2**32 + start: taking it apart with shifts is
    # quicker than json_extract on a pair.
    probes = json.dumps([(d << _SHIFT) | s for d, s in zip(doc_ids, starts, strict=True)])
    return tuples(project, """
        SELECT s.id, s.start, s."end", s.kind, s.speaker, s.participant_id
        FROM json_each(?) AS j
        LEFT JOIN segments AS s ON s.id = (
            SELECT x.id FROM segments AS x
            WHERE x.document_id = j.value >> 32
              AND x.start <= (j.value & 4294967295) AND x.kind != 'quote'
            ORDER BY x.start DESC LIMIT 1)
        ORDER BY j.key""", (probes,))


def worth_keeping(project: Project, name: str) -> bool:
    """Whether to read everything once and keep it: an index of every segment costs more to
    build than one query's own reads, so it is built for the second broad query of a process
    (one that asks twice will ask again) and used from then on."""
    asked = kept(project, "broad_lookups")
    asked[name] = asked.get(name, 0) + 1
    return asked[name] >= 2


class _SegmentIndex(NamedTuple):
    keys: Any  # document_id << 32 | start, sorted
    ends: Any  # document_id << 32 | end, in the same order
    rows: list[tuple]  # the segment rows in the same order


def _segment_index(project: Project) -> _SegmentIndex:
    import numpy as np

    rows = tuples(project, 'SELECT id, start, "end", kind, speaker, participant_id, '
                           "document_id FROM segments WHERE kind != 'quote' "
                           "ORDER BY document_id, start, id")
    keys = np.fromiter(((r[6] << _SHIFT) | r[1] for r in rows), dtype=np.int64,
                       count=len(rows))
    ends = np.fromiter(((r[6] << _SHIFT) | r[2] for r in rows), dtype=np.int64,
                       count=len(rows))
    return _SegmentIndex(keys, ends, [r[:6] for r in rows])


def _indexed(project: Project, doc_ids: Sequence[int], starts: Sequence[int]
             ) -> list[tuple | None]:
    """The segment each position lies in, from an index of every turn and paragraph kept
    between queries while the segments are unchanged (None where no turn or paragraph
    holds the position)."""
    import numpy as np

    index = cached(project, "segment_index", lambda: _segment_index(project),
                   tables=("segments",))
    probes = (np.asarray(doc_ids, dtype=np.int64) << _SHIFT) | np.asarray(starts,
                                                                         dtype=np.int64)
    at = np.searchsorted(index.keys, probes, side="right") - 1
    # The segment found reaches past the position (so it belongs to the same document).
    inside = (at >= 0) & (index.ends[np.maximum(at, 0)] > probes)
    rows = index.rows
    return [rows[i] if ok else None for i, ok in zip(at.tolist(), inside.tolist(), strict=True)]
