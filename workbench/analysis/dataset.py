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


def fetch_ints(project: Project, columns: Sequence[str], rest: str,
               params: Sequence = ()) -> np.ndarray:
    """Run ``SELECT columns rest`` for non-negative integer columns; rows x columns array.

    SQLite packs every row into fixed-width hex in one string, which numpy decodes at once:
    much cheaper than building a Python tuple per row for 100,000 rows.
    """
    packed = "printf('" + "%08x" * len(columns) + "', " + ", ".join(columns) + ")"
    text = project.conn.execute(f"SELECT group_concat({packed}, '') {rest}",
                                list(params)).fetchone()[0]
    if not text:
        return np.zeros((0, len(columns)), dtype=np.int64)
    return np.frombuffer(bytes.fromhex(text), dtype=">u4").reshape(-1, len(columns)) \
        .astype(np.int64)


def load_codings(project: Project, docs: Documents, *, code_ids: Sequence[int] | None = None,
                 coders: Sequence[str] | None = None) -> Codings:
    """Read the codings in the given documents, optionally of some codes and coders.

    The coder index follows the order of ``coders`` when given, else coder names sorted.
    """
    names = list(coders) if coders is not None else sorted(
        r[0] for r in project.conn.execute("SELECT DISTINCT coder FROM codings"))
    rest, params = "FROM codings WHERE coder = ?", []
    if code_ids is not None:
        clause, params = _in("code_id", code_ids)
        rest += " AND " + clause
    parts, coder_parts = [], []
    for index, name in enumerate(names):
        block = fetch_ints(project, ["document_id", "start", '"end"', "code_id"], rest,
                           [name, *params])
        parts.append(block)
        coder_parts.append(np.full(len(block), index, dtype=np.int64))
    table = np.concatenate(parts) if parts else np.zeros((0, 4), dtype=np.int64)
    coder = np.concatenate(coder_parts) if coder_parts else np.zeros(0, dtype=np.int64)
    doc = docs.rows_of(table[:, 0]) if len(table) else np.zeros(0, dtype=np.int64)
    keep = doc != NONE
    doc, start, end, code, coder = doc[keep], table[keep, 1], table[keep, 2], \
        table[keep, 3], coder[keep]
    # Clip to the text: a coding can never reach past its document on the global axis.
    end = np.minimum(end, docs.lengths[doc])
    start = np.minimum(start, end)
    return Codings(doc, start, end, docs.offsets[doc] + start, docs.offsets[doc] + end, code,
                   coder, names)


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


def clip_overlaps(gstart: np.ndarray, gend: np.ndarray, *tiebreak: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sort intervals by start (longest first, then by ``tiebreak`` keys) and cut away what
    overlaps an earlier interval.

    Returns:
        (order, start, end): the positions of the kept intervals in the input, and their
        clipped bounds, in order.
    """
    order = np.lexsort((*reversed(tiebreak), -gend, gstart)) if len(gstart) else \
        np.zeros(0, dtype=np.int64)
    start, end = gstart[order], gend[order]
    if len(order):
        reach = np.concatenate(([np.iinfo(np.int64).min], np.maximum.accumulate(end)[:-1]))
        start = np.maximum(start, reach)
    keep = end > start
    return order[keep], start[keep], end[keep]


def segment_rows(project: Project, docs: Documents, where: str
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Segments as arrays: document row, global start and end, participant, is-a-quote."""
    rows = project.conn.execute(
        'SELECT document_id, start, "end", COALESCE(participant_id, -1), kind = \'quote\' '
        f'FROM segments WHERE "end" > start {where}').fetchall()
    if not rows or not len(docs):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, empty, empty
    cols = [np.asarray(c, dtype=np.int64) for c in zip(*rows, strict=True)]
    row = docs.rows_of(cols[0])
    keep = row != NONE
    row, start, end, person, quote = row[keep], cols[1][keep], cols[2][keep], cols[3][keep], \
        cols[4][keep]
    end = np.minimum(end, docs.lengths[row])
    start = np.minimum(start, end)
    return row, docs.offsets[row] + start, docs.offsets[row] + end, person, quote


def load_pieces(project: Project, docs: Documents) -> Pieces:
    """Cut the documents into speaker pieces (see :class:`Pieces`)."""
    row, gstart, gend, person, quote = segment_rows(project, docs, "AND speaker IS NOT NULL")
    # Turns before quotes at the same place; a quote inside a turn disappears into it.
    order, gstart, gend = clip_overlaps(gstart, gend, quote)
    row, person = row[order], person[order]
    # The text between turns (and all of a document without turns) is the document's.
    n = len(docs)
    first, last = docs.offsets, docs.offsets + docs.lengths
    all_start = np.concatenate((first, gstart, last))
    all_end = np.concatenate((first, gend, last))
    all_row = np.concatenate((np.arange(n), row, np.arange(n)))
    seq = np.lexsort((all_end, all_start))
    all_start, all_end, all_row = all_start[seq], all_end[seq], all_row[seq]
    gap = (all_row[1:] == all_row[:-1]) & (all_start[1:] > all_end[:-1])
    gap_row = all_row[1:][gap]
    piece_start = np.concatenate((gstart, all_end[:-1][gap]))
    piece_end = np.concatenate((gend, all_start[1:][gap]))
    piece_row = np.concatenate((row, gap_row))
    piece_person = np.concatenate((person, docs.participant[gap_row]))
    by_start = np.argsort(piece_start, kind="stable")
    return Pieces(piece_row[by_start], piece_start[by_start], piece_end[by_start],
                  piece_person[by_start])


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
