"""Full-text search over segments (SQLite FTS5) with keyword-in-context lines.

The ``segment_search`` table (schema migration 3) holds each segment's text; documents are
indexed on the first search after their import (:func:`ensure_index`, migration 5), and kept
current by triggers after that; ``segment_lemma_search`` indexes the lemma text that tagging
writes. The lemma text has exactly one lemma per word of the segment, so a lemma hit maps back
to the word in the text for the KWIC line.
Query words are lemmatised by the caller (the NLP layer) when searching by lemma.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from workbench.core.codebook import descendants, get_code
from workbench.core.store import Project
from workbench.errors import InvalidInput

WORD_RE = re.compile(r"[^\W_]+")
_OPEN, _CLOSE = "\x02", "\x03"


@dataclass
class SearchHit:
    """One match with its context, offsets in the document's text (code points)."""

    document: str
    document_id: int
    segment_id: int
    ordinal: int
    speaker: str | None
    start: int
    end: int
    left: str
    match: str
    right: str

    def as_dict(self) -> dict[str, Any]:
        """The hit as plain data."""
        return asdict(self)


def ensure_index(project: Project) -> int:
    """Index the segment text of documents imported since the last search; returns how many."""
    pending = [r[0] for r in project.conn.execute("SELECT document_id FROM search_pending")]
    if not pending:
        return 0
    with project.atomic():
        for doc_id in pending:
            project.conn.execute(
                "DELETE FROM segment_search WHERE rowid IN "
                "(SELECT id FROM segments WHERE document_id = ?)", (doc_id,))
            project.conn.execute(
                'INSERT INTO segment_search (rowid, text) SELECT s.id, '
                'substr(d.text, s.start + 1, s."end" - s.start) FROM segments s '
                "JOIN documents d ON d.id = s.document_id WHERE s.document_id = ?", (doc_id,))
            project.conn.execute("DELETE FROM search_pending WHERE document_id = ?", (doc_id,))
    return len(pending)


def query_words(query: str) -> list[tuple[str, bool]]:
    """The query's words (lower case) and whether each ends in ``*`` (prefix)."""
    out = []
    for raw in query.split():
        prefix = raw.endswith("*")
        pieces = WORD_RE.findall(raw.lower())
        for i, piece in enumerate(pieces):
            out.append((piece, prefix and i == len(pieces) - 1))
    return out


def fts_query(words: list[tuple[str, bool]], column: str, *, prefix: bool = False) -> str:
    """An FTS5 query: the words as one phrase in ``column``; ``prefix`` makes every word a prefix.

    Raises:
        InvalidInput: the query has no words.
    """
    if not words:
        raise InvalidInput("The search query has no words; give a word such as 'tillid'.")
    parts = ['"' + word.replace('"', '""') + '"' + ("*" if prefix or star else "")
             for word, star in words]
    return f"{{{column}}} : ({' + '.join(parts)})"


def _marked_ranges(highlighted: str) -> tuple[str, list[tuple[int, int]]]:
    """Strip highlight markers; return the plain string and the marked character ranges."""
    plain, ranges, start = [], [], None
    pos = 0
    for ch in highlighted:
        if ch == _OPEN:
            start = pos
        elif ch == _CLOSE:
            if start is not None:
                ranges.append((start, pos))
            start = None
        else:
            plain.append(ch)
            pos += 1
    return "".join(plain), ranges


def _lemma_hits(highlighted: str, segment_text: str) -> list[tuple[int, int]]:
    """Map marked lemma words back to the same words of the segment text."""
    plain, ranges = _marked_ranges(highlighted)
    lemma_words = [m.span() for m in WORD_RE.finditer(plain)]
    text_words = [m.span() for m in WORD_RE.finditer(segment_text)]
    out = []
    for lo, hi in ranges:
        idx = [i for i, (s, e) in enumerate(lemma_words) if s < hi and lo < e]
        idx = [i for i in idx if i < len(text_words)]
        if idx:
            out.append((text_words[idx[0]][0], text_words[idx[-1]][1]))
    return out


def _flat(text: str) -> str:
    return " ".join(text.split()) if "\n" in text or "\t" in text else text


def kwic(text: str, start: int, end: int, width: int) -> tuple[str, str, str]:
    """Left context (right-aligned to ``width``), the match, right context (``width`` wide)."""
    left = text[max(0, start - width * 2):start].replace("\n", " ").replace("\t", " ")
    right = text[end:end + width * 2].replace("\n", " ").replace("\t", " ")
    left = left[-width:].rjust(width)
    right = right[:width].ljust(width)
    return left, _flat(text[start:end]), right


def search(project: Project, query: str, *, lemma: bool = False,
           lemma_query: list[str] | None = None, prefix: bool = False,
           code: str | None = None, width: int = 40, limit: int | None = 200) -> list[SearchHit]:
    """Find the query in segment text (or lemma text) and return KWIC hits in document order.

    Args:
        project: the open project.
        query: the words as the user typed them (a trailing ``*`` makes a word a prefix).
        lemma: search the lemma text (needs ``workbench tag``) instead of the text.
        lemma_query: the query's words already lemmatised by the NLP layer (for ``lemma``).
        prefix: treat every query word as a prefix ("sundhed" finds "sundhedsvæsnet").
        code: only matches inside passages coded with this code (or a code below it).
        width: characters of context on each side.
        limit: stop after this many hits (None: all).

    Raises:
        InvalidInput: the query has no words, or lemma search on an untagged project.
        NotFoundError: the code does not exist.
    """
    words = query_words(query)
    if lemma:
        if lemma_query is not None:
            stars = [star for _, star in words] or [False]
            words = [(w.lower(), stars[min(i, len(stars) - 1)])
                     for i, w in enumerate(lemma_query)]
        tagged = project.conn.execute("SELECT COUNT(*) FROM tagged_documents").fetchone()[0]
        if not tagged:
            raise InvalidInput(f"{project.path.name} has not been tagged yet, so there is no "
                               f"lemma text to search; run 'workbench tag {project.path}' first.")
    ensure_index(project)
    table = "segment_lemma_search" if lemma else "segment_search"
    match = fts_query(words, "lemmas" if lemma else "text", prefix=prefix)
    sql = (f"SELECT f.rowid AS segment_id, highlight({table}, 0, ?, ?) AS marked, "
           "s.document_id, s.ordinal, s.speaker, s.start AS seg_start, "
           's."end" AS seg_end, d.name AS document '
           f"FROM {table} f JOIN segments s ON s.id = f.rowid "
           f"JOIN documents d ON d.id = s.document_id WHERE {table} MATCH ?")
    params: list[Any] = [_OPEN, _CLOSE, match]
    spans_by_doc: dict[int, list[tuple[int, int]]] = {}
    if code:
        code_ids = descendants(project, get_code(project, code).id)
        marks = ",".join("?" * len(code_ids))
        sql += (" AND f.rowid IN (SELECT s2.id FROM segments s2 JOIN codings k ON "
                'k.document_id = s2.document_id AND k.start < s2."end" AND k."end" > s2.start '
                f"WHERE k.code_id IN ({marks}))")
        params.extend(code_ids)
        for row in project.conn.execute(
                f'SELECT document_id, start, "end" FROM codings WHERE code_id IN ({marks})',
                code_ids):
            spans_by_doc.setdefault(row[0], []).append((row[1], row[2]))
    # Segment ids follow document and reading order; ordering by rowid lets FTS5 stream
    # matches, so a limited search stops early instead of sorting every hit.
    sql += " ORDER BY f.rowid"
    texts: dict[int, str] = {}
    hits: list[SearchHit] = []
    for row in project.conn.execute(sql, params):
        doc_id = row["document_id"]
        if doc_id not in texts:
            texts[doc_id] = project.conn.execute(
                "SELECT text FROM documents WHERE id = ?", (doc_id,)).fetchone()[0]
        text = texts[doc_id]
        seg_start = row["seg_start"]
        segment_text = text[seg_start:row["seg_end"]]
        if lemma:
            local = _lemma_hits(row["marked"], segment_text)
        else:
            _, local = _marked_ranges(row["marked"])
        for lo, hi in local:
            start, end = seg_start + lo, seg_start + hi
            if code and not any(s < end and start < e for s, e in spans_by_doc.get(doc_id, ())):
                continue
            left, matched, right = kwic(text, start, end, width)
            hits.append(SearchHit(row["document"], doc_id, row["segment_id"], row["ordinal"],
                                  row["speaker"], start, end, left, matched, right))
            if limit is not None and len(hits) >= limit:
                return hits
    return hits


def count_segments(project: Project, query: str, *, lemma: bool = False,
                   lemma_query: list[str] | None = None, prefix: bool = False) -> int:
    """How many segments match (cheap: no highlighting)."""
    words = query_words(query)
    if lemma and lemma_query is not None:
        words = [(w.lower(), False) for w in lemma_query]
    ensure_index(project)
    table = "segment_lemma_search" if lemma else "segment_search"
    match = fts_query(words, "lemmas" if lemma else "text", prefix=prefix)
    return project.conn.execute(f"SELECT COUNT(*) FROM {table} WHERE {table} MATCH ?",
                                (match,)).fetchone()[0]
