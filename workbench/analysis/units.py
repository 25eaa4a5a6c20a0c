"""Units of analysis and interval arithmetic on the global axis.

A unit is a stretch of a document that is judged as a whole: a sentence, a segment (speaker
turn or paragraph) or the whole document. Units of one kind never overlap. Character units are
not materialised; :mod:`workbench.analysis.agreement` counts them by interval arithmetic.

The rule that links codings to units: a coding *touches* a unit when they share at least one
character (``coding.start < unit.end and unit.start < coding.end``). A code is present in a unit
for a coder when any of that coder's codings with the code touches it, however many do.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workbench.analysis.dataset import Documents, clip_overlaps, document_texts, segment_rows
from workbench.core.spans import project_sentences
from workbench.core.store import Project
from workbench.errors import InvalidInput

UNIT_KINDS = ("character", "sentence", "segment", "document")
UNIT_HELP = {
    "character": "every character of the document text (white space included)",
    "sentence": "sentences (from tagging when the document was tagged, else split at "
                ". ! ? … and line breaks)",
    "segment": "segments: speaker turns in transcripts, paragraphs in other documents "
               "(a document without segments is one unit)",
    "document": "whole documents (the code is present or not)",
}


@dataclass
class Units:
    """Non-overlapping units in document order.

    Attributes:
        kind: sentence, segment or document.
        doc: document row of each unit.
        start, end: offsets in the document text.
        gstart, gend: the same on the global axis (sorted, non-overlapping).
    """

    kind: str
    doc: np.ndarray
    start: np.ndarray
    end: np.ndarray
    gstart: np.ndarray
    gend: np.ndarray

    def __len__(self) -> int:
        return len(self.doc)


def _make_units(kind: str, docs: Documents, rows: list[int], starts: list[int],
                ends: list[int]) -> Units:
    doc = np.asarray(rows, dtype=np.int64)
    start = np.asarray(starts, dtype=np.int64)
    end = np.asarray(ends, dtype=np.int64)
    offset = docs.offsets[doc] if len(doc) else np.zeros(0, dtype=np.int64)
    return Units(kind, doc, start, end, offset + start, offset + end)


def _non_overlapping(spans: list[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    """Sort spans and drop or clip the parts that overlap an earlier span."""
    result: list[tuple[int, int]] = []
    cursor = 0
    for start, end in sorted(spans, key=lambda s: (s[0], -s[1])):
        start, end = max(start, cursor), min(end, length)
        if end > start:
            result.append((start, end))
            cursor = end
    return result


def document_units(docs: Documents) -> Units:
    """One unit per document (empty documents have none)."""
    rows = [r for r in range(len(docs)) if docs.lengths[r] > 0]
    return _make_units("document", docs, rows, [0] * len(rows),
                       [int(docs.lengths[r]) for r in rows])


def segment_units(project: Project, docs: Documents) -> Units:
    """Speaker turns and paragraphs; a quote segment inside another segment is part of it.

    Overlapping parts of segments are cut away (the earlier, then longer, segment keeps them).
    A document without segments is one unit.
    """
    row, gstart, gend, _, _ = segment_rows(project, docs, "")
    order, gstart, gend = clip_overlaps(gstart, gend)
    row = row[order]
    bare = np.setdiff1d(np.flatnonzero(docs.lengths > 0), row)
    if len(bare):
        row = np.concatenate((row, bare))
        gstart = np.concatenate((gstart, docs.offsets[bare]))
        gend = np.concatenate((gend, docs.offsets[bare] + docs.lengths[bare]))
        by_start = np.argsort(gstart, kind="stable")
        row, gstart, gend = row[by_start], gstart[by_start], gend[by_start]
    offset = docs.offsets[row]
    return Units("segment", row, gstart - offset, gend - offset, gstart, gend)


# The sentence rule of workbench.core.spans, in array form: a sentence ends after a run of
# . ! ? … (and closing quotes or brackets) that white space follows, or after a line break.
_MIRRORED_PATTERN = r"[.!?…]+[”\"»)\]]*(?=\s)|\n"
_TABLE_SIZE = 0x3001  # every character str.isspace() accepts, and … and ”, lie below this
_TABLES: dict[str, np.ndarray] = {}


def _table(name: str) -> np.ndarray:
    """A lookup table over code points below ``_TABLE_SIZE``: white space, terminal, closer."""
    if name not in _TABLES:
        chars = [chr(i) for i in range(_TABLE_SIZE)]
        if name == "space":
            flags = [c.isspace() for c in chars]
        else:
            members = ".!?…" if name == "terminal" else "”\"»)]"
            flags = [c in members for c in chars]
        _TABLES[name] = np.array(flags, dtype=bool)
    return _TABLES[name]


def _lookup(points: np.ndarray, name: str) -> np.ndarray:
    return (points < _TABLE_SIZE) & _table(name)[np.minimum(points, _TABLE_SIZE - 1)]


def sentence_spans(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Sentence (start, end) arrays exactly as :func:`workbench.core.spans.sentence_bounds`.

    Works on the whole text at once with numpy (the regular expression and trimming loop of
    the core take about a second on a few million characters); a test holds the two equal.
    Only the full-length white-space mask touches every character; the rest works on the
    few positions where a sentence may end.
    """
    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    n = len(points)
    space = _lookup(points, "space")
    # A run of terminals then closers ends a sentence when white space follows it.
    after = np.flatnonzero(space[1:]) + 1  # white space at j; the run would end at j - 1
    last = points[after - 1]
    candidate = _lookup(last, "terminal") | _lookup(last, "closer")
    after = after[candidate]
    k = after - 1
    # Step back over the closers to the character before them, which must be a terminal.
    while True:
        inside = (k >= 0) & _lookup(points[np.maximum(k, 0)], "closer")
        if not inside.any():
            break
        k = np.where(inside, k - 1, k)
    run_ends = after[(k >= 0) & _lookup(points[np.maximum(k, 0)], "terminal")]
    line_ends = np.flatnonzero(points == 10) + 1
    # The two kinds never share an end (one follows a terminal or closer, one a line break).
    ends = np.sort(np.concatenate((run_ends, line_ends)))
    start = np.concatenate(([0], ends)).astype(np.int64)
    end = np.concatenate((ends, [n])).astype(np.int64)
    # Trim white space off both ends of each piece (runs of white space are short).
    active = np.flatnonzero((start < end) & space[np.minimum(start, max(n - 1, 0))]) \
        if n else np.zeros(0, dtype=np.int64)
    while len(active):
        start[active] += 1
        active = active[(start[active] < end[active]) & space[np.minimum(start[active], n - 1)]]
    active = np.flatnonzero((end > start) & space[np.maximum(end - 1, 0)]) \
        if n else np.zeros(0, dtype=np.int64)
    while len(active):
        end[active] -= 1
        active = active[(end[active] > start[active]) & space[np.maximum(end[active] - 1, 0)]]
    keep = end > start
    return start[keep], end[keep]


def sentence_units(project: Project, docs: Documents,
                   texts: dict[int, str] | None = None) -> Units:
    """Sentences, as :func:`workbench.core.spans.project_sentences` finds them.

    Tagged documents use their stored sentences; the others are split all at once on the
    documents laid end to end (the one-character gap between documents is a line break, which
    ends a sentence anyway).
    """
    from workbench.core import spans

    texts = texts if texts is not None else document_texts(project, docs.ids.tolist())
    ids = docs.ids.tolist()
    tagged: dict[int, list[tuple[int, int]]] = {}
    for at in range(0, len(ids), 900):
        chunk = ids[at:at + 900]
        for doc_id, start, end in project.conn.execute(
                f'SELECT document_id, start, "end" FROM sentences '
                f"WHERE document_id IN ({','.join('?' * len(chunk))})", chunk):
            tagged.setdefault(doc_id, []).append((start, end))
    if spans._SENTENCE_END.pattern != _MIRRORED_PATTERN:
        # The core's rule changed: follow it document by document rather than diverge.
        rows, starts, ends = [], [], []
        for row, doc_id in enumerate(ids):
            text = texts[doc_id]
            for start, end in _non_overlapping(project_sentences(project, doc_id, text),
                                               len(text)):
                rows.append(row)
                starts.append(start)
                ends.append(end)
        return _make_units("sentence", docs, rows, starts, ends)
    gstart, gend = sentence_spans("\n".join(texts[i] for i in ids))
    row = np.searchsorted(docs.offsets, gstart, side="right") - 1
    if tagged:
        is_tagged = np.isin(docs.ids, list(tagged))
        keep = ~is_tagged[row]
        gstart, gend, row = gstart[keep], gend[keep], row[keep]
        extra_rows, extra_start, extra_end = [], [], []
        for r, doc_id in enumerate(ids):
            for start, end in _non_overlapping(tagged.get(doc_id, []), int(docs.lengths[r])):
                extra_rows.append(r)
                extra_start.append(int(docs.offsets[r]) + start)
                extra_end.append(int(docs.offsets[r]) + end)
        row = np.concatenate((row, np.asarray(extra_rows, dtype=np.int64)))
        gstart = np.concatenate((gstart, np.asarray(extra_start, dtype=np.int64)))
        gend = np.concatenate((gend, np.asarray(extra_end, dtype=np.int64)))
        order = np.argsort(gstart, kind="stable")
        row, gstart, gend = row[order], gstart[order], gend[order]
    row, gstart, gend = _clip_to_segments(project, docs, row, gstart, gend)
    offset = docs.offsets[row] if len(row) else np.zeros(0, dtype=np.int64)
    return Units("sentence", row, gstart - offset, gend - offset, gstart, gend)


def _clip_to_segments(project: Project, docs: Documents, row: np.ndarray, gstart: np.ndarray,
                      gend: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cut sentences at segment edges, as :func:`workbench.core.spans.clip_to_segments` does.

    Documents without segments keep their sentences whole. Segment edges are already trimmed
    of white space by the importers, so the cut pieces need no further trimming.
    """
    ids = docs.ids.tolist()
    seg_row, seg_start, seg_end = [], [], []
    index = {doc_id: r for r, doc_id in enumerate(ids)}
    for at in range(0, len(ids), 900):
        chunk = ids[at:at + 900]
        for doc_id, start, end in project.conn.execute(
                'SELECT document_id, start, "end" FROM segments WHERE document_id IN '
                f"({','.join('?' * len(chunk))}) AND \"end\" > start", chunk):
            seg_row.append(index[doc_id])
            seg_start.append(start)
            seg_end.append(end)
    if not seg_row:
        return row, gstart, gend
    seg_row_a = np.asarray(seg_row, dtype=np.int64)
    sstart = docs.offsets[seg_row_a] + np.asarray(seg_start, dtype=np.int64)
    send = docs.offsets[seg_row_a] + np.asarray(seg_end, dtype=np.int64)
    order = np.argsort(sstart, kind="stable")
    sstart, send, seg_row_a = sstart[order], send[order], seg_row_a[order]
    has_segments = np.zeros(len(ids), dtype=bool)
    has_segments[seg_row_a] = True
    plain = ~has_segments[row]
    # For each sentence, the segments it overlaps: from the first ending after its start to
    # the last starting before its end.
    lo = np.searchsorted(send, gstart, side="right")
    hi = np.searchsorted(sstart, gend, side="left")
    count = np.where(plain, 0, np.maximum(hi - lo, 0))
    pick = np.repeat(np.arange(len(row)), count)
    seg = np.repeat(lo, count) + (np.arange(count.sum()) - np.repeat(np.cumsum(count) - count,
                                                                      count))
    cut_start = np.maximum(gstart[pick], sstart[seg])
    cut_end = np.minimum(gend[pick], send[seg])
    keep = cut_end > cut_start
    row_all = np.concatenate((row[plain], row[pick][keep]))
    start_all = np.concatenate((gstart[plain], cut_start[keep]))
    end_all = np.concatenate((gend[plain], cut_end[keep]))
    order = np.argsort(start_all, kind="stable")
    return row_all[order], start_all[order], end_all[order]


def build_units(project: Project, docs: Documents, kind: str,
                texts: dict[int, str] | None = None) -> Units:
    """Units of a kind (sentence, segment or document) for the documents.

    Raises:
        InvalidInput: an unknown kind (character units are counted, not built).
    """
    if kind == "sentence":
        return sentence_units(project, docs, texts)
    if kind == "segment":
        return segment_units(project, docs)
    if kind == "document":
        return document_units(docs)
    raise InvalidInput(f"'{kind}' is not a unit here; use sentence, segment or document.")


def touching(unit_gstart: np.ndarray, unit_gend: np.ndarray, gstart: np.ndarray,
             gend: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (interval index, unit index) for every interval and unit that share a character.

    The units must be sorted and non-overlapping, so their ends are sorted too and two binary
    searches find the run of units each interval touches.
    """
    first = np.searchsorted(unit_gend, gstart, side="right")
    stop = np.searchsorted(unit_gstart, gend, side="left")
    counts = np.maximum(stop - first, 0)
    which = np.repeat(np.arange(len(gstart)), counts)
    if not len(which):
        return which, which
    # Unit index = first[i] + 0, 1, ... for each interval i.
    steps = np.arange(len(which)) - np.repeat(np.cumsum(counts) - counts, counts)
    return which, np.repeat(first, counts) + steps


def merge_intervals(key: np.ndarray, gstart: np.ndarray, gend: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Union of the intervals of each key: overlapping intervals merge, touching ones do not.

    Args:
        key: a non-negative integer per interval (e.g. code, or code and coder combined).
        gstart, gend: the intervals on the global axis.

    Returns:
        (key, start, end) of the merged intervals, sorted by key then start.
    """
    if not len(key):
        return key, gstart, gend
    span = int(max(gend.max(), gstart.max())) + 1
    # Shifting each key onto its own stretch of the axis lets one running maximum serve all.
    shifted_start = key * span + gstart
    shifted_end = key * span + gend
    order = np.lexsort((shifted_end, shifted_start))
    shifted_start, shifted_end = shifted_start[order], shifted_end[order]
    reach = np.maximum.accumulate(shifted_end)
    new = np.ones(len(order), dtype=bool)
    new[1:] = shifted_start[1:] >= reach[:-1]
    heads = np.flatnonzero(new)
    merged_start = shifted_start[heads]
    merged_end = np.maximum.reduceat(shifted_end, heads)
    merged_key = merged_start // span
    return merged_key, merged_start - merged_key * span, merged_end - merged_key * span


def covered_before(gstart: np.ndarray, gend: np.ndarray, points: np.ndarray) -> np.ndarray:
    """For sorted disjoint intervals, how many covered positions lie before each point."""
    if not len(gstart):
        return np.zeros(len(points), dtype=np.int64)
    lengths = gend - gstart
    before = np.concatenate(([0], np.cumsum(lengths)))
    i = np.searchsorted(gstart, points, side="right") - 1
    safe = np.maximum(i, 0)
    inside = np.clip(points - gstart[safe], 0, lengths[safe])
    return np.where(i >= 0, before[safe] + inside, 0)


def trim_quote(text: str, limit: int = 200) -> str:
    """The text on one line, cut at a word boundary with an ellipsis when it is long."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit - 1]
    if " " in cut[limit // 2:]:
        cut = cut.rsplit(" ", 1)[0]
    return cut + "…"
