"""A project read into numpy arrays: documents, participants, codings, speaker pieces.

All documents are laid end to end on one global axis (with a one-position gap between
neighbours, so intervals of different documents never touch); a position ``p`` in document
row ``r`` is ``offsets[r] + p`` on that axis. Sorting and merging intervals on the global axis
then handles every document at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from workbench.core.store import Project
from workbench.errors import InvalidInput, NotFoundError

GAP = 1  # empty positions between neighbouring documents on the global axis
NONE = -1  # "no participant" / "no value" in integer arrays


@dataclass
class Documents:
    """The documents under study, one row each, ordered by name.

    Attributes:
        ids: document ids.
        names: document names.
        lengths: text length in code points.
        words: word counts.
        offsets: global position of each document's first character.
        case: case name per row (None when the document has no case).
        cycle: cycle number per row (None when the document has no cycle).
        participant: the document's participant id per row (``NONE`` when it has none).
    """

    ids: np.ndarray
    names: list[str]
    lengths: np.ndarray
    words: np.ndarray
    offsets: np.ndarray
    case: list[str | None]
    cycle: list[int | None]
    participant: np.ndarray

    def __len__(self) -> int:
        return len(self.names)

    def rows_of(self, doc_ids: np.ndarray) -> np.ndarray:
        """Row numbers of the given document ids (``NONE`` for ids not under study)."""
        if not len(self.ids):
            return np.full(len(doc_ids), NONE, dtype=np.int64)
        lookup = np.full(int(max(self.ids.max(), doc_ids.max(initial=0))) + 1, NONE,
                         dtype=np.int64)
        lookup[self.ids] = np.arange(len(self.ids))
        return lookup[doc_ids]

    def subset(self, rows: Sequence[int] | np.ndarray) -> Documents:
        """The documents at the given rows (keeping name order), laid out afresh."""
        rows = np.asarray(rows, dtype=np.int64)
        return _documents(
            self.ids[rows], [self.names[r] for r in rows], self.lengths[rows], self.words[rows],
            [self.case[r] for r in rows], [self.cycle[r] for r in rows], self.participant[rows])


def _documents(ids, names, lengths, words, case, cycle, participant) -> Documents:
    lengths = np.asarray(lengths, dtype=np.int64)
    offsets = np.zeros(len(lengths), dtype=np.int64)
    if len(lengths):
        offsets[1:] = np.cumsum(lengths[:-1] + GAP)
    return Documents(np.asarray(ids, dtype=np.int64), list(names), lengths,
                     np.asarray(words, dtype=np.int64), offsets, list(case), list(cycle),
                     np.asarray(participant, dtype=np.int64))


def load_documents(project: Project, names_or_ids: Iterable[str | int] | None = None
                   ) -> Documents:
    """Read the documents (all, or those named) without their text.

    Raises:
        NotFoundError: a named document does not exist.
    """
    rows = project.conn.execute(
        """SELECT d.id, d.name, LENGTH(d.text), d.word_count, c.name, cy.number,
                  d.participant_id
           FROM documents d LEFT JOIN cases c ON c.id = d.case_id
           LEFT JOIN cycles cy ON cy.id = d.cycle_id ORDER BY d.name""").fetchall()
    if names_or_ids is not None:
        from workbench.core.documents import get_document

        wanted = {get_document(project, key).id for key in names_or_ids}
        rows = [r for r in rows if r[0] in wanted]
    if not rows:
        return _documents([], [], [], [], [], [], [])
    cols = list(zip(*rows, strict=True))
    return _documents(cols[0], cols[1], cols[2], cols[3], cols[4], cols[5],
                      [NONE if p is None else p for p in cols[6]])


def document_texts(project: Project, doc_ids: Iterable[int]) -> dict[int, str]:
    """The text of each given document, by id."""
    ids = sorted({int(i) for i in doc_ids})
    texts: dict[int, str] = {}
    for at in range(0, len(ids), 900):  # stay under SQLite's bound-parameter limit
        chunk = ids[at:at + 900]
        texts.update(project.conn.execute(
            f"SELECT id, text FROM documents WHERE id IN ({','.join('?' * len(chunk))})",
            chunk).fetchall())
    return texts


@dataclass(frozen=True)
class Person:
    """What a participant contributes to a breakdown."""

    label: str
    role: str
    sector: str


def load_participants(project: Project) -> dict[int, Person]:
    """Every participant by id."""
    return {r[0]: Person(r[1], r[2] or "", r[3] or "") for r in project.conn.execute(
        "SELECT id, label, role, sector FROM participants")}


@dataclass
class Codings:
    """Codings as parallel arrays (one entry per coding).

    Attributes:
        doc: document row (into :class:`Documents`).
        start, end: offsets in the document text.
        gstart, gend: the same on the global axis.
        code: code id.
        coder: index into ``coders``.
        coders: coder names.
    """

    doc: np.ndarray
    start: np.ndarray
    end: np.ndarray
    gstart: np.ndarray
    gend: np.ndarray
    code: np.ndarray
    coder: np.ndarray
    coders: list[str]

    def __len__(self) -> int:
        return len(self.doc)

    def take(self, mask_or_index: np.ndarray) -> Codings:
        """The codings selected by a boolean mask or an index array."""
        return Codings(self.doc[mask_or_index], self.start[mask_or_index],
                       self.end[mask_or_index], self.gstart[mask_or_index],
                       self.gend[mask_or_index], self.code[mask_or_index],
                       self.coder[mask_or_index], self.coders)


def _in(column: str, values: Sequence) -> tuple[str, list]:
    return f"{column} IN ({','.join('?' * len(values))})", list(values)


def load_codings(project: Project, docs: Documents, *, code_ids: Sequence[int] | None = None,
                 coders: Sequence[str] | None = None) -> Codings:
    """Read the codings in the given documents, optionally of some codes and coders.

    The coder index follows the order of ``coders`` when given, else coder names sorted.
    """
    where, params = [], []
    if code_ids is not None:
        clause, values = _in("code_id", code_ids)
        where.append(clause)
        params += values
    if coders is not None:
        clause, values = _in("coder", coders)
        where.append(clause)
        params += values
    sql = 'SELECT document_id, start, "end", code_id, coder FROM codings'
    if where:
        sql += " WHERE " + " AND ".join(where)
    rows = project.conn.execute(sql, params).fetchall()
    names = list(coders) if coders is not None else sorted({r[4] for r in rows})
    index = {name: i for i, name in enumerate(names)}
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return Codings(empty, empty, empty, empty, empty, empty, empty, names)
    cols = list(zip(*rows, strict=True))
    doc = docs.rows_of(np.asarray(cols[0], dtype=np.int64))
    keep = doc != NONE
    start = np.asarray(cols[1], dtype=np.int64)[keep]
    end = np.asarray(cols[2], dtype=np.int64)[keep]
    doc = doc[keep]
    # Clip to the text: a coding can never reach past its document on the global axis.
    end = np.minimum(end, docs.lengths[doc])
    start = np.minimum(start, end)
    coder = np.fromiter((index[c] for c in cols[4]), dtype=np.int64, count=len(rows))[keep]
    return Codings(doc, start, end, docs.offsets[doc] + start, docs.offsets[doc] + end,
                   np.asarray(cols[3], dtype=np.int64)[keep], coder, names)


@dataclass
class Pieces:
    """The documents cut into stretches that each belong to one participant (or none).

    Text inside a segment with a speaker belongs to that segment's participant (none for the
    interviewer); all other text belongs to the document's participant. Pieces cover every
    document completely, in order, without overlap.
    """

    doc: np.ndarray
    gstart: np.ndarray
    gend: np.ndarray
    participant: np.ndarray

    def at(self, gpos: np.ndarray) -> np.ndarray:
        """Index of the piece holding each global position."""
        return np.searchsorted(self.gstart, gpos, side="right") - 1


def load_pieces(project: Project, docs: Documents) -> Pieces:
    """Cut the documents into speaker pieces (see :class:`Pieces`)."""
    turns: dict[int, list[tuple[int, int, int]]] = {}
    for doc_id, start, end, pid in project.conn.execute(
            'SELECT document_id, start, "end", participant_id FROM segments '
            "WHERE speaker IS NOT NULL AND \"end\" > start "
            "ORDER BY document_id, start, kind = 'quote', \"end\" DESC"):
        turns.setdefault(doc_id, []).append((start, end, NONE if pid is None else pid))
    doc_rows, starts, ends, people = [], [], [], []
    for row, (doc_id, length) in enumerate(zip(docs.ids.tolist(), docs.lengths.tolist(),
                                               strict=True)):
        owner = int(docs.participant[row])
        cursor = 0
        for start, end, pid in turns.get(doc_id, ()):
            start, end = max(start, cursor), min(end, length)
            if end <= start:
                continue  # a quote inside a turn already cut: the turn decides
            if start > cursor:
                doc_rows.append(row)
                starts.append(cursor)
                ends.append(start)
                people.append(owner)
            doc_rows.append(row)
            starts.append(start)
            ends.append(end)
            people.append(pid)
            cursor = end
        if length > cursor:
            doc_rows.append(row)
            starts.append(cursor)
            ends.append(length)
            people.append(owner)
    doc = np.asarray(doc_rows, dtype=np.int64)
    offset = docs.offsets[doc] if len(doc) else np.zeros(0, dtype=np.int64)
    return Pieces(doc, offset + np.asarray(starts, dtype=np.int64),
                  offset + np.asarray(ends, dtype=np.int64),
                  np.asarray(people, dtype=np.int64))


def resolve_codes(project: Project, keys: Iterable[str | int] | None) -> list[int] | None:
    """Code ids for the names/labels/ids given (None when no codes were named)."""
    if keys is None:
        return None
    from workbench.core.codebook import get_code

    ids: list[int] = []
    for key in keys:
        code_id = get_code(project, key).id
        if code_id not in ids:
            ids.append(code_id)
    return ids


def check_coders(project: Project, coders: Sequence[str]) -> list[str]:
    """The coder names, each checked to have codings in the project.

    Raises:
        NotFoundError: a coder has no codings at all.
    """
    known = {r[0] for r in project.conn.execute("SELECT DISTINCT coder FROM codings")}
    result: list[str] = []
    for name in coders:
        name = name.strip()
        if not name:
            continue
        if name not in known:
            hint = ", ".join(sorted(known)) or "nobody has coded yet"
            raise NotFoundError(f"Coder '{name}' has no codings in {project.path.name}; "
                                f"coders with codings: {hint}.")
        if name not in result:
            result.append(name)
    return result


def split_list(values: Iterable[str] | str | None) -> list[str] | None:
    """Accept 'a,b', ['a', 'b'] or ['a,b', 'c'] and return ['a', 'b', 'c'] (None for none)."""
    if values is None:
        return None
    if isinstance(values, str):
        values = [values]
    items = [v.strip() for value in values for v in str(value).split(",") if v.strip()]
    return items or None


def require(condition: bool, message: str) -> None:
    """Raise InvalidInput with ``message`` unless ``condition`` holds."""
    if not condition:
        raise InvalidInput(message)
