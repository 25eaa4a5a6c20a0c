"""Passages for assisted coding and the training examples the researcher's work gives each code.

**Passages** are the units the models learn from and suggest for: speaker turns and paragraphs
(``segment``, the default) or sentences (``sentence``), as :mod:`workbench.analysis.units`
builds them; the project setting ``suggestion_unit`` chooses. Each passage carries its lemma
text: the one tagging stored for the segment when the document is tagged and unchanged since,
else the same lookup lemmas computed on the fly. In a tagged project each passage also carries,
for every code with indicators, whether tagging's indicator matching suggested that code in it
(whatever the researcher decided about that suggestion: the hit is what the indicators say, the
decision is her label).

**Examples** of a code (each code is learnt on its own, one-vs-rest):

* positive: a passage that a coding of the code touches (shares a character with). Codings made
  by hand, imported, or accepted suggestions count, by any coder; keyword autocoding does not,
  since it is the keyword's judgement rather than the researcher's.
* negative: a passage the researcher has read without giving it the code. She is taken to have
  read a document up to the end of her last coding in it (hand-made or imported codings only:
  accepting a suggestion halfway down an unread document says nothing about the passages above
  it). A rejected suggestion (of the model or of the indicators) makes its passages negatives
  of its code wherever they are.
* everything else is unread: that is where suggestions go.

A coding of a sub-code is an example of the sub-code only.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from workbench.analysis.dataset import Documents, document_texts, load_documents
from workbench.analysis.features import Lemmatiser
from workbench.analysis.units import build_units, touching
from workbench.core.store import Project
from workbench.errors import InvalidInput

UNIT_SETTING = "suggestion_unit"
UNITS = ("segment", "sentence")
DEFAULT_UNIT = "segment"
TRAINING_ORIGINS = ("manual", "import", "suggestion")
READING_ORIGINS = ("manual", "import")


def project_unit(project: Project, unit: str | None = None) -> str:
    """The passage unit: ``unit`` when given, else the project setting, else segment.

    Raises:
        InvalidInput: an unknown unit.
    """
    unit = unit or project.setting(UNIT_SETTING) or DEFAULT_UNIT
    if unit not in UNITS:
        raise InvalidInput(f"'{unit}' is not a unit for suggestions; use segment or sentence "
                           f"(project setting {UNIT_SETTING}).")
    return unit


@dataclass
class Passages:
    """The project's passages in document order, with their lemma text.

    Attributes:
        unit: segment or sentence.
        docs: the documents (rows of :class:`~workbench.analysis.dataset.Documents`).
        doc: document row of each passage.
        start, end: offsets in the document text.
        gstart, gend: the same on the global axis (sorted, non-overlapping).
        lemmas: lemma text of each passage.
        indicator_codes: guids of the codes with indicators (none when the project is not
            tagged).
        indicator_hits: code guid -> boolean array: the indicators suggested the code there.
        fingerprint: changes whenever a passage, its lemma text or its indicator hits change.
    """

    unit: str
    docs: Documents
    doc: np.ndarray
    start: np.ndarray
    end: np.ndarray
    gstart: np.ndarray
    gend: np.ndarray
    lemmas: list[str]
    indicator_codes: list[str]
    indicator_hits: dict[str, np.ndarray]
    fingerprint: str

    def __len__(self) -> int:
        return len(self.doc)

    @property
    def doc_ids(self) -> np.ndarray:
        """Document id of each passage."""
        return self.docs.ids[self.doc] if len(self.doc) else np.zeros(0, dtype=np.int64)

    def locate(self, doc_ids: np.ndarray, starts: np.ndarray, ends: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
        """Pairs (span index, passage index) for spans (document id, start, end) and the
        passages they share a character with."""
        rows = self.docs.rows_of(np.asarray(doc_ids, dtype=np.int64)) if len(doc_ids) \
            else np.zeros(0, dtype=np.int64)
        keep = rows >= 0
        index = np.flatnonzero(keep)
        rows = rows[keep]
        starts = np.minimum(np.asarray(starts, dtype=np.int64)[keep], self.docs.lengths[rows])
        ends = np.minimum(np.asarray(ends, dtype=np.int64)[keep], self.docs.lengths[rows])
        offsets = self.docs.offsets[rows]
        which, passage = touching(self.gstart, self.gend, offsets + starts, offsets + ends)
        return index[which], passage


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _stored_lemmas(project: Project, texts: dict[int, str]) -> dict[tuple[int, int, int], str]:
    """Tagging's lemma text per segment (document id, start, end), for documents tagged with
    their current text."""
    fresh = [doc_id for doc_id, sha in project.conn.execute(
        "SELECT document_id, text_sha256 FROM tagged_documents")
        if doc_id in texts and sha == _sha(texts[doc_id])]
    stored: dict[tuple[int, int, int], str] = {}
    for at in range(0, len(fresh), 900):
        chunk = fresh[at:at + 900]
        for doc_id, start, end, lemmas in project.conn.execute(
                f'SELECT s.document_id, s.start, s."end", l.lemmas FROM segments s '
                f"JOIN segment_lemmas l ON l.segment_id = s.id "
                f"WHERE s.document_id IN ({','.join('?' * len(chunk))})", chunk):
            stored[(doc_id, start, end)] = lemmas
    return stored


def load_passages(project: Project, unit: str | None = None) -> Passages:
    """Build the project's passages of the unit, with lemma text."""
    unit = project_unit(project, unit)
    docs = load_documents(project)
    texts = document_texts(project, docs.ids.tolist())
    units = build_units(project, docs, unit, texts)
    stored = _stored_lemmas(project, texts) if unit == "segment" else {}
    doc_ids = docs.ids[units.doc].tolist() if len(units) else []
    lemmatiser: Lemmatiser | None = None
    lemmas: list[str] = []
    for doc_id, start, end in zip(doc_ids, units.start.tolist(), units.end.tolist(),
                                  strict=True):
        text = stored.get((doc_id, start, end))
        if text is None:
            if lemmatiser is None:
                lemmatiser = Lemmatiser()
            text = lemmatiser(texts[doc_id][start:end])
        lemmas.append(text)
    passages = Passages(unit, docs, units.doc, units.start, units.end, units.gstart,
                        units.gend, lemmas, [], {}, "")
    _indicator_hits(project, passages)
    digest = hashlib.sha256(unit.encode())
    for array in (np.asarray(doc_ids, dtype=np.int64), units.start, units.end):
        digest.update(np.ascontiguousarray(array, dtype=np.int64).tobytes())
    digest.update("\n".join(lemmas).encode("utf-8"))
    for guid in passages.indicator_codes:
        digest.update(guid.encode())
        digest.update(np.packbits(passages.indicator_hits[guid]).tobytes())
    passages.fingerprint = digest.hexdigest()[:16]
    return passages


def _indicator_hits(project: Project, passages: Passages) -> None:
    """Fill in which passages tagging's indicators suggested each code in."""
    if not project.conn.execute("SELECT 1 FROM tagged_documents LIMIT 1").fetchone():
        return
    codes = project.conn.execute(
        "SELECT id, guid FROM codes WHERE indicators NOT IN ('', '[]') ORDER BY guid").fetchall()
    doc_id, start, end, code = _spans(
        project, "SELECT document_id, start, \"end\", code_id FROM suggestions "
                 "WHERE origin = 'indicator' AND \"end\" > start")
    which, passage = passages.locate(doc_id, start, end)
    hit_code = code[which]
    for code_id, guid in codes:
        hits = np.zeros(len(passages), dtype=bool)
        hits[passage[hit_code == code_id]] = True
        passages.indicator_codes.append(guid)
        passages.indicator_hits[guid] = hits


@dataclass
class Examples:
    """One code's training examples (passage indices, sorted)."""

    code_id: int
    guid: str
    name: str
    positive: np.ndarray
    negative: np.ndarray
    fingerprint: str

    @property
    def indices(self) -> np.ndarray:
        """Every labelled passage, positives and negatives together (sorted)."""
        return np.union1d(self.positive, self.negative)

    def labels(self, indices: np.ndarray) -> np.ndarray:
        """1 for positives, 0 for negatives, for the given labelled passages."""
        return np.isin(indices, self.positive).astype(np.int8)


def _spans(project: Project, sql: str, params: tuple = ()) -> tuple[np.ndarray, ...]:
    """The integer columns of a query as arrays (empty arrays when it has no rows)."""
    cursor = project.conn.execute(sql, params)
    rows = cursor.fetchall()
    if not rows:
        return tuple(np.zeros(0, dtype=np.int64) for _ in cursor.description)
    cols = list(zip(*rows, strict=True))
    return tuple(np.asarray(c, dtype=np.int64) for c in cols)


def training_examples(project: Project, passages: Passages,
                      codes: list[tuple[int, str, str]]) -> dict[int, Examples]:
    """Each code's positive and negative passages (see the module docstring).

    Args:
        codes: (id, guid, name) of the codes to collect examples for.
    """
    n = len(passages)
    origins = ",".join(f"'{o}'" for o in TRAINING_ORIGINS)
    reading = ",".join(f"'{o}'" for o in READING_ORIGINS)
    doc_id, start, end, code, is_reading = _spans(
        project, f'SELECT document_id, start, "end", code_id, origin IN ({reading}) '
                 f"FROM codings WHERE origin IN ({origins}) AND \"end\" > start")
    which, passage = passages.locate(doc_id, start, end)
    coded_code, coded_passage = code[which], passage

    # Read up to the end of the last hand-made or imported coding of each document.
    read_end = np.zeros(len(passages.docs), dtype=np.int64)
    if len(doc_id):
        rows = passages.docs.rows_of(doc_id[is_reading == 1])
        ends = end[is_reading == 1]
        keep = rows >= 0
        np.maximum.at(read_end, rows[keep], ends[keep])
    read = passages.start < read_end[passages.doc] if n else np.zeros(0, dtype=bool)
    read_idx = np.flatnonzero(read)

    s_doc, s_start, s_end, s_code, s_accepted = _spans(
        project, "SELECT document_id, start, \"end\", code_id, status = 'accepted' "
                 "FROM suggestions WHERE status != 'open' AND \"end\" > start")
    which, passage = passages.locate(s_doc, s_start, s_end)
    decided_code, decided_passage, accepted = s_code[which], passage, s_accepted[which] == 1

    result: dict[int, Examples] = {}
    for code_id, guid, name in codes:
        pos = np.union1d(coded_passage[coded_code == code_id],
                         decided_passage[(decided_code == code_id) & accepted])
        rejected = decided_passage[(decided_code == code_id) & ~accepted]
        neg = np.setdiff1d(np.union1d(read_idx, rejected), pos)
        digest = hashlib.sha256(passages.fingerprint.encode())
        digest.update(pos.astype(np.int64).tobytes())
        digest.update(b"|")
        digest.update(neg.astype(np.int64).tobytes())
        result[code_id] = Examples(code_id, guid, name, pos.astype(np.int64),
                                   neg.astype(np.int64), digest.hexdigest()[:16])
    return result
