"""Finding and snapping text spans: word, sentence and turn boundaries, and text search."""

from __future__ import annotations

import re

from workbench.core.store import Project
from workbench.errors import InvalidInput, NotFoundError

_WORD_CHAR = re.compile(r"\w")
_STRAY_LEADING = set(".,;:!?…)]-–—")
# A sentence ends at . ! ? … (optionally followed by closing quotes/brackets) before white
# space, or at a line break; abbreviations are not handled perfectly, which is fine for snapping.
_SENTENCE_END = re.compile(r"[.!?…]+[”\"»)\]]*(?=\s)|\n")


def snap_word(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a span so it does not cut words, then trim white space and stray punctuation."""
    while start > 0 and _WORD_CHAR.match(text[start - 1]) and _WORD_CHAR.match(text[start]):
        start -= 1
    while end < len(text) and end > 0 and _WORD_CHAR.match(text[end - 1]) \
            and _WORD_CHAR.match(text[end]):
        end += 1
    # Leading punctuation left over from the previous sentence goes; opening quotes stay.
    while start < end and (text[start].isspace() or text[start] in _STRAY_LEADING):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;"):
        end -= 1
    return start, end


def sentence_bounds(text: str) -> list[tuple[int, int]]:
    """Split text into sentence spans (trimmed), by punctuation and line breaks."""
    spans, begin = [], 0
    for match in _SENTENCE_END.finditer(text):
        stop = match.end()
        s, e = begin, stop
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            spans.append((s, e))
        begin = stop
    s, e = begin, len(text)
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    if e > s:
        spans.append((s, e))
    return spans


def clip_to_segments(spans: list[tuple[int, int]], segments: list[tuple[int, int]],
                     text: str) -> list[tuple[int, int]]:
    """Cut spans at segment edges and drop what lies outside every segment.

    A sentence never runs from one speaker's turn into the next, and a speaker label such as
    "I:" (stored between segments) never becomes part of a sentence.
    """
    if not segments:
        return spans
    out, j = [], 0
    for s, e in spans:
        while j < len(segments) and segments[j][1] <= s:
            j += 1
        k = j
        while k < len(segments) and segments[k][0] < e:
            cs, ce = max(s, segments[k][0]), min(e, segments[k][1])
            while cs < ce and text[cs].isspace():
                cs += 1
            while ce > cs and text[ce - 1].isspace():
                ce -= 1
            if ce > cs:
                out.append((cs, ce))
            k += 1
    return out


def project_sentences(project: Project, document_id: int, text: str) -> list[tuple[int, int]]:
    """The document's sentences (from tagging when present, else by punctuation), each
    within one segment."""
    rows = project.conn.execute(
        'SELECT start, "end" FROM sentences WHERE document_id = ? ORDER BY start',
        (document_id,)).fetchall()
    sentences = [(r[0], r[1]) for r in rows] if rows else sentence_bounds(text)
    segments = [(r[0], r[1]) for r in project.conn.execute(
        'SELECT start, "end" FROM segments WHERE document_id = ? ORDER BY start',
        (document_id,))]
    return clip_to_segments(sentences, segments, text)


def snap_sentence(project: Project, document_id: int, text: str, start: int, end: int
                  ) -> tuple[int, int]:
    """Widen a span to whole sentences."""
    sentences = project_sentences(project, document_id, text)
    new_start, new_end = start, end
    for s, e in sentences:
        if s <= start < e or (start <= s and e <= end) or s < end <= e:
            new_start, new_end = min(new_start, s), max(new_end, e)
    return new_start, new_end


def snap_turn(project: Project, document_id: int, start: int, end: int) -> tuple[int, int]:
    """Widen a span to the whole segments (speaker turns or paragraphs) it touches."""
    row = project.conn.execute(
        'SELECT MIN(start), MAX("end") FROM segments WHERE document_id = ? '
        'AND start < ? AND "end" > ?', (document_id, max(end, start + 1), start)).fetchone()
    if row[0] is None:
        return start, end
    return min(row[0], start), max(row[1], end)


def snap(project: Project, document_id: int, text: str, start: int, end: int,
         mode: str | None) -> tuple[int, int]:
    """Snap a span by mode: None (as given), 'word', 'sentence' or 'turn'."""
    if mode in (None, "", "none"):
        return start, end
    if mode == "word":
        return snap_word(text, start, end)
    if mode == "sentence":
        return snap_sentence(project, document_id, text, *snap_word(text, start, end))
    if mode in ("turn", "segment"):
        return snap_turn(project, document_id, start, end)
    raise InvalidInput(f"'{mode}' is not a snap mode; use word, sentence or turn.")


def _loose_pattern(needle: str) -> re.Pattern[str]:
    """Match the text with any run of white space where the needle has white space."""
    parts = [re.escape(p) for p in needle.split()]
    return re.compile(r"\s+".join(parts), re.IGNORECASE)


def find_text(text: str, needle: str, nth: int = 1, *, document: str = "the document"
              ) -> tuple[int, int]:
    """Find the ``nth`` (1-based) occurrence of ``needle`` (case-insensitive, any white space)."""
    if not needle.strip():
        raise InvalidInput("--find needs some text to look for.")
    matches = list(_loose_pattern(needle).finditer(text))
    if not matches:
        raise NotFoundError(f"'{needle}' does not occur in {document}; check the spelling "
                            "or use --start/--end.")
    if nth < 1 or nth > len(matches):
        raise InvalidInput(f"'{needle}' occurs {len(matches)} time(s) in {document}; "
                           f"--nth must be between 1 and {len(matches)}.")
    return matches[nth - 1].span()
