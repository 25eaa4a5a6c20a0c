"""Code frequencies and coverage, overall or broken down by document, participant, role,
sector, case, cycle and coder (crossed when several are given).

Definitions (the same in the CLI help, the report and the JSON):

* **codings**: the number of codings of the code in the group.
* **documents**: documents holding at least one of those codings.
* **participants**: distinct participants of those codings. The participant of a coding is the
  participant of the segment with a speaker (speaker turn) where the coding starts, none for
  the interviewer; outside speaker turns it is the document's participant. Role and sector are
  that participant's. This is the rule :mod:`workbench.core.retrieval` uses for quotes.
* **coverage**: the share of the group's characters that carry the code: characters covered
  by at least one coding of the code (by the group's coder when coder is a dimension), each
  character counted once however many codings overlap it, divided by the group's characters.
  A group's characters are the text of its documents; with participant, role or sector they are
  the characters of that participant's speaker turns (text outside speaker turns belongs to the
  document's participant, as above); with coder they are limited to the documents the coder
  coded at least once (with any code). Characters include white space.

A group that is crossed over several dimensions (``by=("sector", "cycle")``) is one combination
of values; there is a row for every code and every combination that has text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from workbench.analysis.dataset import (
    NONE,
    Codings,
    Documents,
    Person,
    check_coders,
    load_codings,
    load_documents,
    load_participants,
    load_pieces,
    resolve_codes,
)
from workbench.analysis.units import merge_intervals, touching
from workbench.core import codebook
from workbench.core.store import Project
from workbench.errors import InvalidInput

DIMENSIONS = ("document", "participant", "role", "sector", "case", "cycle", "coder")
_PERSON_DIMENSIONS = ("participant", "role", "sector")
MEASURES = ("codings", "documents", "participants", "coverage")


@dataclass
class CodeInfo:
    """A code as the reports show it."""

    id: int
    name: str
    colour: str
    label_da: str = ""
    depth: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The code as plain data."""
        return {"id": self.id, "name": self.name, "colour": self.colour,
                "label_da": self.label_da, "depth": self.depth}


@dataclass
class FrequencyTable:
    """Frequencies per code (and group).

    Attributes:
        by: the dimensions of the breakdown, in the order given.
        codes: the codes reported, in codebook order.
        coders: the coders whose codings were counted.
        rows: one dict per code and group with the dimension values (None when a coding has
            no value, e.g. no case) and codings, documents, participants,
            coded_characters, characters and coverage (0..1).
        subcodes: True when a code's rows include the codings of its sub-codes.
    """

    by: tuple[str, ...]
    codes: list[CodeInfo]
    coders: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)
    subcodes: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The table as plain data for JSON."""
        return {"by": list(self.by), "coders": self.coders, "subcodes": self.subcodes,
                "codes": [c.to_dict() for c in self.codes], "rows": self.rows}


def parse_dimensions(by: str | Sequence[str] | None) -> tuple[str, ...]:
    """Turn 'sector,cycle' (or a list) into checked dimension names.

    Raises:
        InvalidInput: an unknown or repeated dimension.
    """
    if not by:
        return ()
    items = [by] if isinstance(by, str) else list(by)
    dims = [d.strip().lower() for item in items for d in item.split(",") if d.strip()]
    for dim in dims:
        if dim not in DIMENSIONS:
            raise InvalidInput(f"'{dim}' is not a breakdown; use any of "
                               f"{', '.join(DIMENSIONS)}, separated by commas.")
    if len(set(dims)) != len(dims):
        raise InvalidInput("Each breakdown can be given once in --by.")
    return tuple(dims)


def code_infos(project: Project, code_ids: Iterable[int] | None = None) -> list[CodeInfo]:
    """Codes in codebook (tree) order, all or the given ones."""
    depth: dict[int, int] = {}
    infos = []
    wanted = None if code_ids is None else set(code_ids)
    for code in codebook.list_codes(project):
        depth[code.id] = 0 if code.parent_id is None else depth.get(code.parent_id, 0) + 1
        if wanted is None or code.id in wanted:
            infos.append(CodeInfo(code.id, code.name, code.colour, code.label_da, depth[code.id]))
    return infos


class _Vocabulary:
    """Values of one dimension, sorted for display, with None (no value) last."""

    def __init__(self, values: Iterable[Any]):
        present = {v for v in values if v not in (None, "")}
        self.labels: list[Any] = sorted(present, key=_sort_key) + [None]
        self.index = {v: i for i, v in enumerate(self.labels)}

    def code(self, value: Any) -> int:
        return self.index[None if value in (None, "") else value]

    def __len__(self) -> int:
        return len(self.labels)


def _sort_key(value: Any) -> tuple:
    return (0, value, "") if isinstance(value, int | float) else (1, 0, str(value).casefold())


@dataclass
class _Dimension:
    """A dimension's vocabulary and how to read its value from a document row or person."""

    name: str
    vocab: _Vocabulary
    by_doc: np.ndarray | None = None  # value index per document row
    by_person: np.ndarray | None = None  # value index per participant id (+1; 0 = nobody)


def _dimension(name: str, docs: Documents, people: dict[int, Person],
               coders: list[str]) -> _Dimension:
    if name == "document":
        vocab = _Vocabulary([])
        vocab.labels = [*docs.names, None]  # rows are already in name order
        vocab.index = {n: i for i, n in enumerate(vocab.labels)}
        return _Dimension(name, vocab, by_doc=np.arange(len(docs), dtype=np.int64))
    if name in ("case", "cycle"):
        values = docs.case if name == "case" else docs.cycle
        vocab = _Vocabulary(values)
        return _Dimension(name, vocab, by_doc=np.asarray([vocab.code(v) for v in values],
                                                         dtype=np.int64))
    if name in _PERSON_DIMENSIONS:
        attr = "label" if name == "participant" else name
        vocab = _Vocabulary(getattr(p, attr) for p in people.values())
        size = max(people, default=0) + 2
        table = np.full(size, vocab.code(None), dtype=np.int64)
        for pid, person in people.items():
            table[pid + 1] = vocab.code(getattr(person, attr))
        return _Dimension(name, vocab, by_person=table)
    vocab = _Vocabulary([])
    vocab.labels = list(coders)
    vocab.index = {n: i for i, n in enumerate(coders)}
    return _Dimension(name, vocab)


def _values(dim: _Dimension, doc: np.ndarray, person: np.ndarray,
            coder: np.ndarray | None) -> np.ndarray:
    if dim.by_doc is not None:
        return dim.by_doc[doc]
    if dim.by_person is not None:
        return dim.by_person[person + 1]
    assert coder is not None
    return coder


def _rollup(project: Project, codings: Codings, codes: list[CodeInfo]) -> Codings:
    """Count each coding also for every reported ancestor of its code."""
    reported = {c.id for c in codes}
    parents = {c.id: c.parent_id for c in codebook.list_codes(project)}
    index_parts, code_parts = [], []
    for code_id in np.unique(codings.code).tolist():
        chain, node = [], code_id
        while node is not None:
            if node in reported:
                chain.append(node)
            node = parents.get(node)
        where = np.flatnonzero(codings.code == code_id)
        for target in chain:
            index_parts.append(where)
            code_parts.append(np.full(len(where), target, dtype=np.int64))
    if not index_parts:
        return codings.take(np.zeros(0, dtype=np.int64))
    rolled = codings.take(np.concatenate(index_parts))
    rolled.code = np.concatenate(code_parts)
    return rolled


def frequencies(project: Project, *, by: str | Sequence[str] | None = None,
                codes: Iterable[str | int] | None = None,
                coders: Sequence[str] | None = None,
                subcodes: bool = False) -> FrequencyTable:
    """Count codings, documents and participants per code and group, and the coverage.

    Args:
        by: dimensions to break down by (see ``DIMENSIONS``), e.g. "sector,cycle".
        codes: only these codes (names, labels or ids); default every code.
        coders: only these coders' codings; default everybody's.
        subcodes: count the codings of a code's sub-codes under the code too.

    Returns:
        The table; see the module docstring for the definitions.

    Raises:
        InvalidInput: an unknown dimension.
        NotFoundError: an unknown code or coder.
    """
    dims = parse_dimensions(by)
    code_ids = resolve_codes(project, codes)
    coder_names = check_coders(project, coders) if coders else None
    infos = code_infos(project, code_ids)
    docs = load_documents(project)
    load_ids = None
    if code_ids is not None and subcodes:
        load_ids = sorted({d for c in code_ids for d in codebook.descendants(project, c)})
    elif code_ids is not None:
        load_ids = code_ids
    codings = load_codings(project, docs, code_ids=load_ids, coders=coder_names)
    if subcodes:
        codings = _rollup(project, codings, infos)
    people = load_participants(project)
    pieces = load_pieces(project, docs)
    table = FrequencyTable(dims, infos, codings.coders, subcodes=subcodes)
    if not infos:
        return table

    dimensions = [_dimension(d, docs, people, codings.coders) for d in dims]
    radix = [len(d.vocab) for d in dimensions]
    weights = np.ones(len(dims), dtype=np.int64)
    for i in range(len(dims) - 2, -1, -1):
        weights[i] = weights[i + 1] * radix[i + 1]

    # Group key of every coding: its dimension values in mixed radix, in the order of --by.
    coding_person = pieces.participant[pieces.at(codings.gstart)] if len(codings) else \
        np.zeros(0, dtype=np.int64)
    coding_key = np.zeros(len(codings), dtype=np.int64)
    for dim, weight in zip(dimensions, weights, strict=True):
        coding_key += weight * _values(dim, codings.doc, coding_person, codings.coder)

    # Group key of every piece of text (without the coder part, which text does not have).
    piece_key = np.zeros(len(pieces.doc), dtype=np.int64)
    for dim, weight in zip(dimensions, weights, strict=True):
        if dim.name != "coder":
            piece_key += weight * _values(dim, pieces.doc, pieces.participant, None)
    piece_length = pieces.gend - pieces.gstart

    if "coder" in dims:
        coder_weight = int(weights[dims.index("coder")])
        coded_docs = _documents_coded_by(project, docs, codings.coders)
        part_keys, part_lengths = [], []
        for c in range(len(codings.coders)):
            own = coded_docs[c][pieces.doc]
            part_keys.append(piece_key[own] + c * coder_weight)
            part_lengths.append(piece_length[own])
        text_key = np.concatenate(part_keys) if part_keys else piece_key[:0]
        text_length = np.concatenate(part_lengths) if part_lengths else piece_length[:0]
    else:
        text_key, text_length = piece_key, piece_length

    groups, text_group = np.unique(text_key, return_inverse=True)
    characters = np.bincount(text_group, weights=text_length, minlength=len(groups))
    if not dims and not len(groups):
        # No text at all: the overall table still lists every code (with zeros).
        groups, characters = np.zeros(1, dtype=np.int64), np.zeros(1)
    n_groups = len(groups)
    code_index = {c.id: i for i, c in enumerate(infos)}
    code_lookup = np.full(max(code_index) + 1, NONE, dtype=np.int64)
    code_lookup[list(code_index)] = list(code_index.values())

    keep = np.zeros(len(codings), dtype=bool)
    if len(codings):
        in_range = codings.code < len(code_lookup)
        keep[in_range] = code_lookup[codings.code[in_range]] != NONE
    kcode = code_lookup[codings.code[keep]] if keep.any() else np.zeros(0, dtype=np.int64)
    kgroup = np.searchsorted(groups, coding_key[keep])
    cell = kcode * n_groups + kgroup
    n_cells = len(infos) * n_groups
    count_codings = np.bincount(cell, minlength=n_cells)
    count_documents = _distinct(cell, codings.doc[keep], n_cells)
    person = coding_person[keep]
    has_person = person != NONE
    count_people = _distinct(cell[has_person], person[has_person], n_cells)
    covered = _coverage(codings.take(keep), kcode, pieces, piece_key, groups,
                        coder_weight=int(weights[dims.index("coder")]) if "coder" in dims
                        else None, n_groups=n_groups, n_cells=n_cells)

    labels = _group_labels(groups, dimensions, weights)
    for ci, info in enumerate(infos):
        for gi, values in enumerate(labels):
            k = ci * n_groups + gi
            row: dict[str, Any] = {"code": info.name, "code_id": info.id,
                                   "colour": info.colour}
            row.update(zip(dims, values, strict=True))
            chars = int(characters[gi])
            row.update(codings=int(count_codings[k]), documents=int(count_documents[k]),
                       participants=int(count_people[k]), coded_characters=int(covered[k]),
                       characters=chars,
                       coverage=float(covered[k] / chars) if chars else 0.0)
            table.rows.append(row)
    return table


def _distinct(cell: np.ndarray, value: np.ndarray, n_cells: int) -> np.ndarray:
    """How many distinct values fall in each cell."""
    if not len(cell):
        return np.zeros(n_cells, dtype=np.int64)
    span = int(value.max()) + 1
    pairs = np.unique(cell * span + value)
    return np.bincount(pairs // span, minlength=n_cells)


def _coverage(codings: Codings, kcode: np.ndarray, pieces, piece_key: np.ndarray,
              groups: np.ndarray, *, coder_weight: int | None, n_groups: int,
              n_cells: int) -> np.ndarray:
    """Characters carrying each code in each group, each character counted once."""
    if not len(codings):
        return np.zeros(n_cells, dtype=np.int64)
    n_coders = max(len(codings.coders), 1)
    # Merge per code (and per coder when coder is a dimension) so overlaps count once.
    merge_key = kcode * n_coders + codings.coder if coder_weight is not None else kcode
    key, start, end = merge_intervals(merge_key, codings.gstart, codings.gend)
    which, piece = touching(pieces.gstart, pieces.gend, start, end)
    overlap = (np.minimum(end[which], pieces.gend[piece])
               - np.maximum(start[which], pieces.gstart[piece]))
    group_key = piece_key[piece]
    if coder_weight is not None:
        code = key[which] // n_coders
        group_key = group_key + (key[which] % n_coders) * coder_weight
    else:
        code = key[which]
    cell = code * n_groups + np.searchsorted(groups, group_key)
    return np.bincount(cell, weights=overlap, minlength=n_cells).astype(np.int64)


def _documents_coded_by(project: Project, docs: Documents, coders: list[str]) -> list[np.ndarray]:
    """For each coder, a boolean per document row: coded at least once (any code)."""
    result = [np.zeros(len(docs), dtype=bool) for _ in coders]
    index = {name: i for i, name in enumerate(coders)}
    pairs = project.conn.execute("SELECT DISTINCT document_id, coder FROM codings").fetchall()
    if not pairs:
        return result
    rows = docs.rows_of(np.asarray([p[0] for p in pairs], dtype=np.int64))
    for row, (_, coder) in zip(rows.tolist(), pairs, strict=True):
        if row != NONE and coder in index:
            result[index[coder]][row] = True
    return result


def _group_labels(groups: np.ndarray, dimensions: list[_Dimension],
                  weights: np.ndarray) -> list[tuple]:
    labels = []
    for key in groups.tolist():
        values = []
        for dim, weight in zip(dimensions, weights.tolist(), strict=True):
            values.append(dim.vocab.labels[(key // weight) % len(dim.vocab)])
        labels.append(tuple(values))
    return labels


def overview(project: Project) -> dict[str, Any]:
    """Project totals: documents, words, characters, codes, codings, coders, coded share."""
    row = project.conn.execute(
        "SELECT COUNT(*), COALESCE(SUM(word_count), 0), COALESCE(SUM(LENGTH(text)), 0) "
        "FROM documents").fetchone()
    codes = project.conn.execute("SELECT COUNT(*) FROM codes").fetchone()[0]
    coded = project.conn.execute(
        "SELECT COUNT(*), COUNT(DISTINCT coder), COUNT(DISTINCT code_id), "
        "COUNT(DISTINCT document_id) FROM codings").fetchone()
    coders = [r[0] for r in project.conn.execute(
        "SELECT coder FROM codings GROUP BY coder ORDER BY coder")]
    docs = load_documents(project)
    covered = 0
    if len(docs):
        codings = load_codings(project, docs)
        _, start, end = merge_intervals(np.zeros(len(codings), dtype=np.int64),
                                        codings.gstart, codings.gend)
        covered = int((end - start).sum())
    return {"documents": row[0], "words": row[1], "characters": row[2], "codes": codes,
            "codes_used": coded[2], "codings": coded[0], "coders": coded[1],
            "coder_names": coders, "coded_documents": coded[3],
            "coded_characters": covered,
            "coded_share": covered / row[2] if row[2] else 0.0}


def document_coverage(project: Project) -> list[dict[str, Any]]:
    """Per document: characters, codings, coders and the share coded with any code.

    A character counts as coded when any coding (any code, any coder) covers it.
    """
    docs = load_documents(project)
    if not len(docs):
        return []
    codings = load_codings(project, docs)
    _, start, end = merge_intervals(np.zeros(len(codings), dtype=np.int64), codings.gstart,
                                    codings.gend)
    row_of_interval = np.searchsorted(docs.offsets, start, side="right") - 1
    covered = np.bincount(row_of_interval, weights=end - start, minlength=len(docs))
    count = np.bincount(codings.doc, minlength=len(docs))
    coders: list[set[str]] = [set() for _ in range(len(docs))]
    for row, coder in set(zip(codings.doc.tolist(), codings.coder.tolist(), strict=True)):
        coders[row].add(codings.coders[coder])
    people = load_participants(project)
    result = []
    for row, name in enumerate(docs.names):
        length = int(docs.lengths[row])
        person = people.get(int(docs.participant[row]))
        result.append({"document": name, "case": docs.case[row], "cycle": docs.cycle[row],
                       "participant": person.label if person else None,
                       "words": int(docs.words[row]), "characters": length,
                       "codings": int(count[row]), "coders": sorted(coders[row]),
                       "coded_characters": int(covered[row]),
                       "coverage": float(covered[row] / length) if length else 0.0})
    return result
