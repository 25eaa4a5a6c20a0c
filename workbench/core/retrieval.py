"""Retrieval of coded passages by a boolean query over codes, with filters on attributes.

Two ways of saying that codes "co-occur" (``within``):

* ``overlap`` (default): each candidate passage is a coding of a code the query names without
  NOT. It matches when the set of codes applied to text overlapping it satisfies the query.
  Matching passages that overlap each other are merged into one hit whose span is their union.
* ``segment``: the units are the document's segments (speaker turns, paragraphs). A segment
  matches when the codes applied anywhere inside it satisfy the query; the hit is the whole
  segment.

Either way every hit carries at least one code the query names without NOT, and a code stands
for itself and all its sub-codes. Only the codings of the codes the query names are read (one
indexed query), then each document is swept once in start order.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from itertools import groupby
from typing import Any

from workbench.core import cases, documents
from workbench.core.models import DOCUMENT_KINDS
from workbench.core.query import And, CodeTable, Name, Node, Not, names, parse_query, resolve
from workbench.core.store import Project
from workbench.errors import InvalidInput, NotFoundError

WITHIN = ("overlap", "segment")
DEFAULT_CONTEXT = 80

# A coding as the sweep sees it: start, end, code id.
_Interval = tuple[int, int, int]


@dataclass(frozen=True)
class Hit:
    """One retrieved passage.

    Attributes:
        document_id, document: the document's id and name.
        document_kind, case, cycle, date: the document's metadata (case name, cycle number).
        start, end: the span in the document text (code points, end-exclusive).
        text: the quote, ``document text[start:end]``.
        codes: names of the codes on the span (the query's codes, or every code with
            ``all_codes=True``), in the order the codes were created.
        speaker: the speaker of the turn where the hit starts (None outside turns).
        participant, role, sector: the participant of that turn, else the document's.
        segment_id: the segment where the hit starts, if any.
        before, after: context around the quote, cut at word boundaries;
            ``before + text + after`` is a stretch of the document text.
        more_before, more_after: whether the document goes on beyond the context.
    """

    document_id: int
    document: str
    document_kind: str
    case: str | None
    cycle: int | None
    date: str | None
    start: int
    end: int
    text: str
    codes: tuple[str, ...]
    speaker: str | None
    participant: str | None
    role: str | None
    sector: str | None
    segment_id: int | None
    before: str
    after: str
    more_before: bool = False
    more_after: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The hit as plain data for JSON."""
        data = asdict(self)
        data["codes"] = list(self.codes)
        return data


# --------------------------------------------------------------------------- query compilation


def _compile(tree: Node, atom_bits: dict[Name, int]) -> Callable[[int], bool]:
    """Turn the resolved tree into a test on a bit mask of the atoms present."""
    if isinstance(tree, Name):
        bit = atom_bits[tree]
        return lambda mask: bool(mask & bit)
    if isinstance(tree, Not):
        inner = _compile(tree.operand, atom_bits)
        return lambda mask: not inner(mask)
    parts = [_compile(n, atom_bits) for n in tree.operands]
    if isinstance(tree, And):
        return lambda mask: all(p(mask) for p in parts)
    return lambda mask: any(p(mask) for p in parts)


@dataclass
class _CompiledQuery:
    codes: CodeTable
    code_masks: dict[int, int]      # code id -> bits of the atoms it satisfies
    positive: frozenset[int]        # codes named without NOT (with their sub-codes)
    test: Callable[[int], bool]

    def matches(self, mask: int, cache: dict[int, bool]) -> bool:
        result = cache.get(mask)
        if result is None:
            result = cache[mask] = self.test(mask)
        return result


def compile_query(project: Project, query: str) -> _CompiledQuery:
    """Parse and resolve a query against the project's codebook.

    Raises:
        InvalidInput: the query is malformed or names no code without NOT.
        NotFoundError: a code name is unknown (the closest name is suggested).
    """
    codes = CodeTable.load(project)
    tree = resolve(parse_query(query), codes)
    atom_bits: dict[Name, int] = {}
    code_masks: dict[int, int] = {}
    positive: set[int] = set()
    for atom, is_positive in names(tree):
        bit = atom_bits.setdefault(atom, 1 << len(atom_bits))
        for code_id in atom.code_ids:
            code_masks[code_id] = code_masks.get(code_id, 0) | bit
        if is_positive:
            positive |= atom.code_ids
    if not positive:
        raise InvalidInput("The query names no code without NOT, so there is nothing to "
                           "look for; add one, e.g. 'trust AND NOT vision'.")
    return _CompiledQuery(codes, code_masks, frozenset(positive), _compile(tree, atom_bits))


# ------------------------------------------------------------------------------------ sweeping


def overlapping(intervals: Sequence[_Interval],
                spans: Iterable[tuple[int, int]]) -> list[list[_Interval]]:
    """For each span, the intervals that overlap it (share at least one character).

    Both inputs must be sorted by start; spans may nest or overlap. One pass: an interval
    enters the active list when it starts before the current span ends, and leaves it once it
    ends before the current span starts (later spans start no earlier).
    """
    result: list[list[_Interval]] = []
    active: list[_Interval] = []
    j, n = 0, len(intervals)
    for span_start, span_end in spans:
        while j < n and intervals[j][0] < span_end:
            active.append(intervals[j])
            j += 1
        active = [iv for iv in active if iv[1] > span_start]
        result.append([iv for iv in active if iv[0] < span_end])
    return result


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merge spans that overlap (touching spans stay apart); input sorted by start."""
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start < merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _overlap_hits(items: list[_Interval], cq: _CompiledQuery,
                  cache: dict[int, bool]) -> list[tuple[int, int]]:
    candidates = [(s, e) for s, e, c in items if c in cq.positive]
    masks = cq.code_masks
    matched = []
    for span, around in zip(candidates, overlapping(items, candidates), strict=True):
        mask = 0
        for _, _, code_id in around:
            mask |= masks[code_id]
        if cq.matches(mask, cache):
            matched.append(span)
    return _merge(matched)


@dataclass(frozen=True)
class _Segment:
    id: int
    start: int
    end: int
    kind: str
    speaker: str | None
    participant_id: int | None


def _units(segments: list[_Segment]) -> list[_Segment]:
    """The segments that are retrieval units: all but quotes that lie inside another segment."""
    outer = [s for s in segments if s.kind != "quote"]
    starts = [s.start for s in outer]
    units = list(outer)
    for seg in segments:
        if seg.kind != "quote":
            continue
        i = bisect.bisect_right(starts, seg.start) - 1
        if not (i >= 0 and outer[i].start <= seg.start and seg.end <= outer[i].end):
            units.append(seg)
    units.sort(key=lambda s: (s.start, s.end))
    return units


def _segment_hits(items: list[_Interval], units: list[_Segment], cq: _CompiledQuery,
                  cache: dict[int, bool]) -> list[tuple[int, int]]:
    masks, positive = cq.code_masks, cq.positive
    hits = []
    spans = [(u.start, u.end) for u in units]
    for span, inside in zip(spans, overlapping(items, spans), strict=True):
        if not any(c in positive for _, _, c in inside):
            continue
        mask = 0
        for _, _, code_id in inside:
            mask |= masks[code_id]
        if cq.matches(mask, cache):
            hits.append(span)
    return hits


def _segment_at(segments: list[_Segment], starts: list[int], pos: int) -> _Segment | None:
    """The segment containing ``pos``, preferring a turn or paragraph over a quote in it."""
    i = bisect.bisect_right(starts, pos) - 1
    found = None
    while i >= 0:
        seg = segments[i]
        if seg.start <= pos < seg.end:
            if seg.kind != "quote":
                return seg
            found = found or seg
        elif seg.kind != "quote" and seg.end <= pos:
            break  # turns and paragraphs do not overlap: nothing earlier can contain pos
        i -= 1
    return found


# ------------------------------------------------------------------------------------- context


def context_around(text: str, start: int, end: int, size: int) -> tuple[str, str]:
    """Up to ``size`` characters before and after a span, cut at word boundaries.

    A word cut in half by the limit is left out rather than shown in part.
    """
    if size <= 0:
        return "", ""
    cut = max(0, start - size)
    if cut > 0 and not text[cut - 1].isspace():
        while cut < start and not text[cut].isspace():
            cut += 1
    before = text[cut:start].lstrip()
    stop = min(len(text), end + size)
    if stop < len(text) and not text[stop].isspace():
        while stop > end and not text[stop - 1].isspace():
            stop -= 1
    after = text[end:stop].rstrip()
    return before, after


# ------------------------------------------------------------------------------------- filters


def _values(value: Any) -> tuple | None:
    """Normalise a filter given as one value or several (None or empty: no filter)."""
    if value is None:
        return None
    if isinstance(value, (str, int)):
        return (value,)
    values = tuple(v for v in value if v is not None and str(v) != "")
    return values or None


def _document_filter(project: Project, *, case: Any, cycle: Any, kind: Any,
                     document: Any) -> set[int] | None:
    """Ids of the documents the filters allow (None: every document)."""
    where, params = [], []
    if (cases_ := _values(case)) is not None:
        ids = [cases.get_case(project, c).id for c in cases_]
        where.append(f"case_id IN ({','.join('?' * len(ids))})")
        params += ids
    if (cycles := _values(cycle)) is not None:
        ids = [cases.get_cycle(project, c).id for c in cycles]
        where.append(f"cycle_id IN ({','.join('?' * len(ids))})")
        params += ids
    if (kinds := _values(kind)) is not None:
        for k in kinds:
            if k not in DOCUMENT_KINDS:
                raise InvalidInput(f"'{k}' is not a document kind; use one of: "
                                   f"{', '.join(DOCUMENT_KINDS)}.")
        where.append(f"kind IN ({','.join('?' * len(kinds))})")
        params += list(kinds)
    if (docs := _values(document)) is not None:
        ids = [documents.get_document(project, d).id for d in docs]
        where.append(f"id IN ({','.join('?' * len(ids))})")
        params += ids
    if not where:
        return None
    return {r[0] for r in project.conn.execute(
        "SELECT id FROM documents WHERE " + " AND ".join(where), params)}


@dataclass
class _ParticipantFilter:
    labels: set[str] | None
    sectors: set[str] | None
    roles: tuple[str, ...] | None

    @property
    def active(self) -> bool:
        return any(x is not None for x in (self.labels, self.sectors, self.roles))

    def allows(self, person: dict[str, Any] | None) -> bool:
        if person is None:
            return not self.active
        if self.labels is not None and person["label"] not in self.labels:
            return False
        if self.sectors is not None and person["sector"] not in self.sectors:
            return False
        if self.roles is not None:
            role = (person["role"] or "").casefold()
            return any(r in role for r in self.roles)
        return True


def _participant_filter(project: Project, people: dict[int, dict[str, Any]], *,
                        participant: Any, sector: Any, role: Any) -> _ParticipantFilter:
    labels = sectors = roles = None
    if (given := _values(participant)) is not None:
        labels = {cases.get_participant(project, p).label for p in given}
    if (given := _values(sector)) is not None:
        sectors = {cases.check_sector(str(s)) for s in given}
    if (given := _values(role)) is not None:
        roles = tuple(str(r).strip().casefold() for r in given)
        known = [p["role"] for p in people.values() if p["role"]]
        for r in roles:
            if not any(r in k.casefold() for k in known):
                raise NotFoundError(f"No participant has a role containing '{r}'; "
                                    "see 'workbench participants' for the roles.")
    return _ParticipantFilter(labels, sectors, roles)


def _check_coders(project: Project, coders: tuple) -> None:
    for coder in coders:
        if project.conn.execute("SELECT 1 FROM codings WHERE coder = ? LIMIT 1",
                                (coder,)).fetchone() is None:
            known = [r[0] for r in project.conn.execute(
                "SELECT DISTINCT coder FROM codings ORDER BY coder LIMIT 20")]
            listed = ", ".join(known) if known else "none yet"
            raise NotFoundError(f"No codings by coder '{coder}'; coders with codings: "
                                f"{listed}.")


# ----------------------------------------------------------------------------------- retrieval


def _tuples(project: Project, sql: str, params: Sequence[Any]) -> list[tuple]:
    """Rows as plain tuples: they sort, and they are quicker to make than sqlite3.Row."""
    cursor = project.conn.cursor()
    cursor.row_factory = None
    try:
        return cursor.execute(sql, params).fetchall()
    finally:
        cursor.close()


def _load_segments(project: Project, doc_ids: Iterable[int]) -> dict[int, list[_Segment]]:
    ids = sorted(doc_ids)
    result: dict[int, list[_Segment]] = {d: [] for d in ids}
    for chunk_start in range(0, len(ids), 900):  # stay under SQLite's variable limit
        chunk = ids[chunk_start:chunk_start + 900]
        rows = _tuples(
            project,
            'SELECT document_id, id, start, "end", kind, speaker, participant_id FROM segments '
            f"WHERE document_id IN ({','.join('?' * len(chunk))}) ORDER BY document_id, start",
            chunk)
        for row in rows:
            result[row[0]].append(_Segment(*row[1:]))
    return result


def retrieve(project: Project, query: str, *, within: str = "overlap", case: Any = None,
             cycle: Any = None, kind: Any = None, sector: Any = None, role: Any = None,
             participant: Any = None, coder: Any = None, document: Any = None,
             context: int = DEFAULT_CONTEXT, all_codes: bool = False) -> list[Hit]:
    """Find the passages whose codes satisfy a boolean query.

    Args:
        query: e.g. ``trust AND (conflict OR risk) AND NOT vision``; see :mod:`query`.
        within: "overlap" or "segment" (see the module docstring for the semantics).
        case: case name(s) or id(s) of the documents.
        cycle: cycle number(s) of the documents.
        kind: document kind(s) (interview, meeting, ...).
        sector: sector slug(s) of the hit's participant: the participant of the turn where
            the hit starts; outside turns, the document's participant.
        role: text contained in that participant's role ("overlæge"), letter case ignored.
        participant: participant label(s).
        coder: only this coder's (these coders') codings count.
        document: document name(s) or id(s).
        context: characters of context on each side, cut at word boundaries.
        all_codes: list every code on each hit, not only the codes the query names.

    Returns:
        Hits ordered by document name and position.

    Raises:
        InvalidInput: a malformed query or filter.
        NotFoundError: an unknown code, case, cycle, document, participant, role or coder.
    """
    if within not in WITHIN:
        raise InvalidInput(f"'{within}' is not a way to combine codes; use overlap or segment.")
    cq = compile_query(project, query)
    allowed = _document_filter(project, case=case, cycle=cycle, kind=kind, document=document)
    people = {r["id"]: r for r in project.rows(
        "SELECT id, label, role, sector FROM participants")}
    pfilter = _participant_filter(project, people, participant=participant, sector=sector,
                                  role=role)
    coders = _values(coder)
    if coders:
        _check_coders(project, coders)

    code_ids = sorted(cq.code_masks)
    sql = (f'SELECT document_id, start, "end", code_id FROM codings '
           f"WHERE code_id IN ({','.join('?' * len(code_ids))})")
    params: list[Any] = list(code_ids)
    if coders:
        sql += f" AND coder IN ({','.join('?' * len(coders))})"
        params += list(coders)
    if allowed is not None and len(allowed) <= 200:
        # A narrow document filter is cheaper to apply in the index than afterwards.
        sql += f" AND document_id IN ({','.join('?' * len(allowed))})"
        params += sorted(allowed)
    rows = _tuples(project, sql, params)
    rows.sort()

    by_doc: dict[int, list[_Interval]] = {}
    for doc_id, group in groupby(rows, key=lambda r: r[0]):
        if allowed is None or doc_id in allowed:
            by_doc[doc_id] = [(r[1], r[2], r[3]) for r in group]

    cache: dict[int, bool] = {}
    spans: dict[int, list[tuple[int, int]]] = {}
    segments: dict[int, list[_Segment]] = {}
    if within == "segment":
        segments = _load_segments(project, by_doc)
        for doc_id, items in by_doc.items():
            units = _units(segments[doc_id])
            found = (_segment_hits(items, units, cq, cache) if units
                     else _whole(items, cq, cache))
            if found:
                spans[doc_id] = found
    else:
        for doc_id, items in by_doc.items():
            found = _overlap_hits(items, cq, cache)
            if found:
                spans[doc_id] = found
    if not spans:
        return []

    if within != "segment":
        segments = _load_segments(project, spans)
    docs = _load_documents(project, spans)
    hits: list[Hit] = []
    for doc_id, doc_spans in spans.items():
        doc = docs[doc_id]
        segs = segments.get(doc_id, [])
        seg_starts = [s.start for s in segs]
        on_span = overlapping(_all_codings(project, doc_id) if all_codes else by_doc[doc_id],
                              doc_spans)
        for (start, end), around in zip(doc_spans, on_span, strict=True):
            seg = _segment_at(segs, seg_starts, start)
            if seg is not None and seg.speaker is not None:
                person = people.get(seg.participant_id)
            else:
                person = people.get(doc["participant_id"])
            if not pfilter.allows(person):
                continue
            before, after = context_around(doc["text"], start, end, context)
            hits.append(Hit(
                document_id=doc_id, document=doc["name"], document_kind=doc["kind"],
                case=doc["case"], cycle=doc["cycle"], date=doc["date"],
                start=start, end=end, text=doc["text"][start:end],
                codes=_code_names(cq.codes, {c for _, _, c in around}),
                speaker=seg.speaker if seg is not None else None,
                participant=person["label"] if person else None,
                role=person["role"] if person else None,
                sector=person["sector"] if person else None,
                segment_id=seg.id if seg is not None else None,
                before=before, after=after, more_before=start - len(before) > 0,
                more_after=end + len(after) < len(doc["text"])))
    hits.sort(key=lambda h: (h.document.casefold(), h.start, h.end))
    return hits


def _whole(items: list[_Interval], cq: _CompiledQuery,
           cache: dict[int, bool]) -> list[tuple[int, int]]:
    """Segment mode for a document without segments: the whole coded stretch is one unit."""
    if not any(c in cq.positive for _, _, c in items):
        return []
    mask = 0
    for _, _, code_id in items:
        mask |= cq.code_masks[code_id]
    if not cq.matches(mask, cache):
        return []
    return [(min(s for s, _, _ in items), max(e for _, e, _ in items))]


def _all_codings(project: Project, doc_id: int) -> list[_Interval]:
    return sorted(_tuples(project, 'SELECT start, "end", code_id FROM codings '
                                   "WHERE document_id = ?", (doc_id,)))


def _code_names(codes: CodeTable, code_ids: set[int]) -> tuple[str, ...]:
    return tuple(codes.names[c] for c in sorted(code_ids) if c in codes.names)


def _load_documents(project: Project, doc_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    ids = sorted(doc_ids)
    result: dict[int, dict[str, Any]] = {}
    for chunk_start in range(0, len(ids), 900):
        chunk = ids[chunk_start:chunk_start + 900]
        for row in project.rows(
                "SELECT d.id, d.name, d.kind, d.date, d.participant_id, d.text, "
                "c.name AS \"case\", cy.number AS cycle FROM documents d "
                "LEFT JOIN cases c ON c.id = d.case_id "
                "LEFT JOIN cycles cy ON cy.id = d.cycle_id "
                f"WHERE d.id IN ({','.join('?' * len(chunk))})", chunk):
            result[row["id"]] = row
    return result
