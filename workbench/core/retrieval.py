"""Retrieval of coded passages by a boolean query over codes, with filters on attributes.

Two ways of saying that codes "co-occur" (``within``):

* ``overlap`` (default): each candidate passage is a coding of a code the query names without
  NOT. It matches when the set of codes applied to text overlapping it satisfies the query.
  Matching passages that overlap each other are merged into one hit whose span is their union.
* ``segment``: the units are the document's segments (speaker turns, paragraphs). A segment
  matches when the codes applied anywhere inside it satisfy the query; the hit is the whole
  segment.

Either way every hit carries at least one code the query names without NOT, and a code stands
for itself and all its sub-codes.

Speed: only the codings of the codes the query names are read, in one query (through the
code index, or by reading the table in order when those codes hold more than a tenth of it).
Each document is then answered with bisect over its codings' starts and running maxima of
their ends, evaluated for all candidates at once with map(), so the per-coding work runs in C.
From :data:`VECTOR_MIN_CODINGS` codings on, the same questions are asked of numpy arrays
that hold every document at once (see "the numpy path" below); both paths give the same
passages in the same order.
:func:`find_passages` stops there; :func:`retrieve` adds speakers (one query), quotes and
context.
"""

from __future__ import annotations

import bisect
import json
import operator
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate, compress, groupby, repeat
from operator import itemgetter
from typing import Any, NamedTuple

from workbench.core import cases, documents
from workbench.core.coding_index import code_arrays, has_counts
from workbench.core.collector import collector_paused
from workbench.core.filecache import cached
from workbench.core.models import DOCUMENT_KINDS
from workbench.core.query import And, CodeTable, Name, Node, Not, names, parse_query, resolve
from workbench.core.retrieval_sources import load_documents, segments_at, worth_keeping
from workbench.core.retrieval_sources import tuples as _tuples
from workbench.core.store import Project
from workbench.errors import InvalidInput, NotFoundError

WITHIN = ("overlap", "segment")
DEFAULT_CONTEXT = 80
# From this many codings of the query's codes on, matching runs on numpy arrays for all
# documents at once; below it the pure-Python path answers sooner (numpy has a fixed cost per
# call). Importing numpy costs 0.1-0.2 s, more than the arrays save below some 40,000
# codings, so a process that has not loaded numpy yet (a one-shot command) takes the array
# path only from VECTOR_MIN_CODINGS_COLD on; long-running processes call load_arrays().
VECTOR_MIN_CODINGS = 3000
VECTOR_MIN_CODINGS_COLD = 40_000

# A coding as the sweep sees it: start, end, code id.
_Interval = tuple[int, int, int]
_DOC, _START, _END, _CODE = itemgetter(0), itemgetter(1), itemgetter(2), itemgetter(3)


class Hit(NamedTuple):
    """One retrieved passage (a named tuple: a query may return thousands, made quickly).

    Attributes:
        document_id, document: the document's id and name.
        document_kind, case, cycle, date: the document's metadata (case name, cycle number).
        start, end: the span in the document text (code points, end-exclusive).
        text: the quote, ``document text[start:end]``.
        codes: names of the codes on the span, in the order the codes were created: with
            ``overlap``, the codes of the codings merged into the hit; with ``segment``, the
            query's codes inside the segment; with ``all_codes=True``, every code on the span.
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
        data = self._asdict()
        data["codes"] = list(self.codes)
        return data

    def who_speaks(self) -> str:
        """The speaker and their role and sector: "R = P03 (overlæge, hospital)"."""
        parts = []
        if self.speaker:
            parts.append(self.speaker if self.speaker == self.participant or not self.participant
                         else f"{self.speaker} = {self.participant}")
        elif self.participant:
            parts.append(self.participant)
        details = ", ".join(x for x in (self.role, self.sector) if x)
        if details and parts:
            parts.append(f"({details})")
        return " ".join(parts)


# --------------------------------------------------------------------------- query compilation
#
# The query is evaluated for all candidates of a document at once: each atom (a named code
# with its sub-codes) yields a list of booleans, one per candidate, and AND, OR and NOT
# combine those lists with map(), so the per-candidate work runs in C.

_Flags = Iterable[bool]


def _vectorise(tree: Node, atom_index: dict[Name, int]) -> Callable[[list[list[bool]]], _Flags]:
    """Turn the resolved tree into a function from per-atom flag lists to per-unit results."""
    if isinstance(tree, Name):
        k = atom_index[tree]
        return lambda flags: flags[k]
    if isinstance(tree, Not):
        inner = _vectorise(tree.operand, atom_index)
        return lambda flags: map(operator.not_, inner(flags))
    parts = [_vectorise(n, atom_index) for n in tree.operands]
    combine = operator.and_ if isinstance(tree, And) else operator.or_

    def evaluate(flags: list[list[bool]]) -> _Flags:
        result = parts[0](flags)
        for part in parts[1:]:
            result = map(combine, result, part(flags))
        return result

    return evaluate


@dataclass
class _CompiledQuery:
    codes: CodeTable
    atoms: list[frozenset[int]]             # per distinct named code: it and its sub-codes
    positive: frozenset[int]                # codes named without NOT (with sub-codes)
    evaluate: Callable[[list[list[bool]]], _Flags]
    tree: Node | None = None                # the resolved tree, for the numpy path
    atom_index: dict[Name, int] | None = None

    @property
    def code_ids(self) -> list[int]:
        """Every code the query involves."""
        return sorted(frozenset().union(*self.atoms))


def compile_query(project: Project, query: str) -> _CompiledQuery:
    """Parse and resolve a query against the project's codebook.

    Raises:
        InvalidInput: the query is malformed or names no code without NOT.
        NotFoundError: a code name is unknown (the closest name is suggested).
    """
    codes = CodeTable.load(project)
    tree = resolve(parse_query(query), codes)
    atom_index: dict[Name, int] = {}
    positive: set[int] = set()
    for atom, is_positive in names(tree):
        atom_index.setdefault(atom, len(atom_index))
        if is_positive:
            positive |= atom.code_ids
    if not positive:
        raise InvalidInput("The query names no code without NOT, so there is nothing to "
                           "look for; add one, e.g. 'trust AND NOT vision'.")
    return _CompiledQuery(codes, [atom.code_ids for atom in atom_index], frozenset(positive),
                          _vectorise(tree, atom_index), tree, atom_index)


# ------------------------------------------------------------------------------------ matching
#
# Per document and atom, the atom's codings sorted by start give two lists: their starts, and
# the running maximum of their ends. A span [s, e) overlaps a coding of the atom exactly when,
# among the codings starting before e, the furthest-reaching one ends after s. With bisect
# and map, that question runs in C for all candidates of a document at once.


class Passage(NamedTuple):
    """A matched span before quotes and speakers are looked up.

    Attributes:
        document_id: the document.
        start, end: the span (code points, end-exclusive).
        code_ids: the query's codes on the span.
        segment: for ``within="segment"``, the segment row (id, start, end, kind, speaker,
            participant id); else None.
    """

    document_id: int
    start: int
    end: int
    code_ids: frozenset[int]
    segment: tuple | None = None


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


_NOT_YET = -1  # the running maximum before the first coding


def _reach(rows: Sequence[tuple]) -> tuple[list[int], list[int]]:
    """Starts of rows (document_id, start, end, code_id) sorted by start, and the running
    maximum of their ends, shifted by one (``reach[i]``: furthest end of the first i rows)."""
    return list(map(_START, rows)), [_NOT_YET, *accumulate(map(_END, rows), max)]


def _overlaps(reach: tuple[list[int], list[int]], starts: list[int],
              ends: list[int]) -> list[bool]:
    """Whether each span [starts[i], ends[i]) overlaps one of the indexed codings."""
    coding_starts, furthest = reach
    before_end = map(bisect.bisect_left, repeat(coding_starts), ends)
    return list(map(operator.gt, map(furthest.__getitem__, before_end), starts))


def _flags(items: list[tuple], cq: _CompiledQuery, starts: list[int],
           ends: list[int]) -> list[list[bool]]:
    """Per atom of the query, whether each span overlaps a coding of the atom."""
    codes = list(map(_CODE, items))
    return [_overlaps(_reach(list(compress(items, map(atom.__contains__, codes)))),
                      starts, ends)
            for atom in cq.atoms]


def _match_overlap(doc_id: int, items: list[tuple], cq: _CompiledQuery) -> list[Passage]:
    """Candidates are codings of positive codes; overlapping matches merge into one passage.

    ``items`` are rows (document_id, start, end, code_id) sorted by start.
    """
    candidates = list(compress(items, map(cq.positive.__contains__, map(_CODE, items))))
    starts, ends = list(map(_START, candidates)), list(map(_END, candidates))
    matched = compress(candidates, cq.evaluate(_flags(items, cq, starts, ends)))
    passages: list[Passage] = []
    cur_start = cur_end = -1
    cur_codes: set[int] = set()
    for _, s, e, code_id in matched:
        if s < cur_end:  # overlaps the passage being built: merge (candidates come by start)
            if e > cur_end:
                cur_end = e
            cur_codes.add(code_id)
            continue
        if cur_end >= 0:
            passages.append(Passage(doc_id, cur_start, cur_end, frozenset(cur_codes)))
        cur_start, cur_end, cur_codes = s, e, {code_id}
    if cur_end >= 0:
        passages.append(Passage(doc_id, cur_start, cur_end, frozenset(cur_codes)))
    return passages


def _units(segments: list[tuple]) -> list[tuple]:
    """The segments that are retrieval units: all but quotes that lie inside another segment.

    Segment rows are (id, start, end, kind, speaker, participant_id), sorted by start.
    """
    outer = [seg for seg in segments if seg[3] != "quote"]
    if len(outer) == len(segments):
        return segments
    starts = [seg[1] for seg in outer]
    units = list(outer)
    for seg in segments:
        if seg[3] == "quote":
            i = bisect.bisect_right(starts, seg[1]) - 1
            if not (i >= 0 and outer[i][1] <= seg[1] and seg[2] <= outer[i][2]):
                units.append(seg)
    units.sort(key=lambda seg: (seg[1], seg[2]))
    return units


def _match_segments(doc_id: int, items: list[tuple], units: list[tuple],
                    cq: _CompiledQuery) -> list[Passage]:
    """Units are segments: one matches when the codes anywhere inside it satisfy the query.

    ``items`` are rows (document_id, start, end, code_id) sorted by start.
    """
    if not units:  # a document without segments is one unit: the stretch that is coded
        units = [(None, items[0][1], max(map(_END, items)), "", None, None)]
    u_starts, u_ends = [u[1] for u in units], [u[2] for u in units]
    positive = list(compress(items, map(cq.positive.__contains__, map(_CODE, items))))
    has_positive = _overlaps(_reach(positive), u_starts, u_ends)
    matched = compress(units, map(operator.and_, has_positive,
                                  cq.evaluate(_flags(items, cq, u_starts, u_ends))))
    starts = list(map(_START, items))
    longest = max(row[2] - row[1] for row in items)
    passages = []
    for unit in matched:
        u_start, u_end = unit[1], unit[2]
        # Codings inside the unit start at most `longest` before it and before its end.
        lo = bisect.bisect_left(starts, u_start - longest)
        hi = bisect.bisect_left(starts, u_end)
        codes = frozenset(row[3] for row in items[lo:hi] if row[2] > u_start)
        passages.append(Passage(doc_id, u_start, u_end, codes,
                                unit if unit[0] is not None else None))
    return passages


# ------------------------------------------------------------------------------------- context


def context_around(text: str, start: int, end: int, size: int) -> tuple[str, str]:
    """Up to ``size`` characters before and after a span, cut at word boundaries.

    A word cut in half by the limit is left out rather than shown in part, and
    ``before + text[start:end] + after`` is always a stretch of ``text``.
    """
    if size <= 0:
        return "", ""
    # Written for thousands of hits per query: one C call per side where possible, and a
    # plain loop over the few letters of the cut word at the end.
    cut = start - size
    if cut <= 0:
        before = text[:start].lstrip()
    elif text[cut - 1].isspace():
        before = text[cut:start].lstrip()
    else:  # skip the cut word, up to the first space
        before = text[_WORD.match(text, cut, start).end():start].lstrip()
    stop = end + size
    if stop >= len(text):
        return before, text[end:].rstrip()
    if text[stop].isspace():
        return before, text[end:stop].rstrip()
    # Back to just after the last space. A line break right before the cut word is passed
    # over when an earlier space exists, as the regex this replaced did ($ matches before a
    # final newline), so that hits stay exactly as they were.
    last = stop - 1 if stop - 1 > end and text[stop - 1] == "\n" else stop
    back = last
    while back > end and not text[back - 1].isspace():
        back -= 1
    stop = back if back > end else (stop if last < stop else end)
    return before, text[end:stop].rstrip()


_WORD = re.compile(r"\S*")


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

    def allows(self, person: tuple | None) -> bool:
        """Whether a participant row (id, label, role, sector) passes; None is nobody."""
        if person is None:
            return not self.active
        if self.labels is not None and person[1] not in self.labels:
            return False
        if self.sectors is not None and person[3] not in self.sectors:
            return False
        if self.roles is not None:
            role = (person[2] or "").casefold()
            return any(r in role for r in self.roles)
        return True


def _participant_filter(project: Project, people: dict[int, tuple], *,
                        participant: Any, sector: Any, role: Any) -> _ParticipantFilter:
    labels = sectors = roles = None
    if (given := _values(participant)) is not None:
        labels = {cases.get_participant(project, p).label for p in given}
    if (given := _values(sector)) is not None:
        sectors = {cases.check_sector(str(s)) for s in given}
    if (given := _values(role)) is not None:
        roles = tuple(str(r).strip().casefold() for r in given)
        known = [p[2] for p in people.values() if p[2]]
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


def _marks(values: Sequence[Any]) -> str:
    return ",".join("?" * len(values))


def _covering_index(project: Project) -> bool:
    """Whether an index on codings starts with code_id and holds document_id, start, end."""
    for index in project.conn.execute("PRAGMA index_list(codings)").fetchall():
        columns = [r[2] for r in project.conn.execute(f'PRAGMA index_info("{index[1]}")')]
        if columns[:1] == ["code_id"] and {"document_id", "start", "end"} <= set(columns):
            return True
    return False


def _codings_source(project: Project, cq: _CompiledQuery, coders: tuple | None,
                    allowed: set[int] | None) -> tuple[str, list[Any], int] | None:
    """The FROM and WHERE clauses that read the codings of the query's codes, their
    parameters, and how many codings those codes hold (None when they hold none)."""
    code_ids = cq.code_ids
    where = f"code_id IN ({_marks(code_ids)})"
    wanted = project.conn.execute(f"SELECT COUNT(*) FROM codings WHERE {where}",
                                  code_ids).fetchone()[0]
    if not wanted:
        return None
    total = project.conn.execute("SELECT MAX(rowid) FROM codings").fetchone()[0] or 0
    few_documents = allowed is not None and len(allowed) <= 20
    # Beyond a tenth of the table, reading it in order beats one lookup per row, unless an
    # index holds every column we read or a few documents are asked for.
    broad = wanted > total / 10 and not few_documents and not _covering_index(project)
    table = "codings NOT INDEXED" if broad else "codings"
    sql = f"FROM {table} WHERE {where}"
    params: list[Any] = list(code_ids)
    if coders:
        sql += f" AND coder IN ({_marks(coders)})"
        params += list(coders)
    if allowed is not None and len(allowed) <= 500:
        sql += f" AND document_id IN ({_marks(allowed)})"
        params += sorted(allowed)
    return sql, params, wanted


def _codings_by_document(project: Project, source: tuple[str, list[Any], int],
                         allowed: set[int] | None) -> dict[int, list[tuple]]:
    """The codings of the query's codes (one indexed query) as rows (document_id, start, end,
    code_id), grouped by document and sorted by start."""
    sql, params, _ = source
    rows = _tuples(project, f'SELECT document_id, start, "end", code_id {sql} '
                            "ORDER BY document_id, start", params)
    by_doc: dict[int, list[tuple]] = {}
    for doc_id, group in groupby(rows, key=_DOC):
        if allowed is None or doc_id in allowed:
            by_doc[doc_id] = list(group)
    return by_doc


def _load_segments(project: Project, doc_ids: Iterable[int]) -> dict[int, list[tuple]]:
    """Segment rows (id, start, end, kind, speaker, participant_id) per document, by start."""
    ids = sorted(doc_ids)
    result: dict[int, list[tuple]] = {d: [] for d in ids}
    for at in range(0, len(ids), 900):  # stay under SQLite's limit on variables
        chunk = ids[at:at + 900]
        rows = _tuples(
            project,
            'SELECT document_id, id, start, "end", kind, speaker, participant_id FROM segments '
            f"WHERE document_id IN ({_marks(chunk)}) ORDER BY document_id, start", chunk)
        for doc_id, group in groupby(rows, key=itemgetter(0)):
            result[doc_id] = [row[1:] for row in group]
    return result


def find_passages(project: Project, query: str, *, within: str = "overlap", case: Any = None,
                  cycle: Any = None, kind: Any = None, coder: Any = None,
                  document: Any = None) -> list[Passage]:
    """The spans that match a query, without quotes, speakers or context (the fast part).

    Takes the same query and document filters as :func:`retrieve`; participant filters need
    the speakers and are applied by :func:`retrieve`. Passages come by document id and start.
    """
    if within not in WITHIN:
        raise InvalidInput(f"'{within}' is not a way to combine codes; use overlap or segment.")
    cq = compile_query(project, query)
    return _find(project, cq, within=within,
                 allowed=_document_filter(project, case=case, cycle=cycle, kind=kind,
                                          document=document),
                 coders=_checked_coders(project, coder))


def _checked_coders(project: Project, coder: Any) -> tuple | None:
    coders = _values(coder)
    if coders:
        _check_coders(project, coders)
    return coders


def load_arrays() -> None:
    """Import numpy now, so that broad queries take the array path from the first one on.

    For long-running processes (the TUI, benchmarks): a one-shot command would pay the
    import for nothing when its query is narrow.
    """
    import numpy  # noqa: F401


def _use_arrays(wanted: int, allowed: set[int] | None) -> bool:
    """Whether to match on numpy arrays, given the codings the query's codes hold."""
    if allowed is not None and len(allowed) <= 20:  # few documents: few rows are read
        return False
    if "numpy" in sys.modules:
        return wanted >= VECTOR_MIN_CODINGS
    return wanted >= max(VECTOR_MIN_CODINGS, VECTOR_MIN_CODINGS_COLD)


def _find(project: Project, cq: _CompiledQuery, *, within: str, allowed: set[int] | None,
          coders: tuple | None) -> list[Passage]:
    if "numpy" in sys.modules and not coders and cq.code_ids and has_counts(project):
        # A long-running process: the codings of each code are kept as arrays between
        # queries (see workbench.core.coding_index).
        rows = _kept_coding_arrays(project, cq, allowed)
        if _use_arrays(len(rows.starts), allowed):
            return _arrays_passages(project, cq, rows, within=within)
    source = _codings_source(project, cq, coders, allowed)
    if source is None:
        return []
    if _use_arrays(source[2], allowed):
        return _find_arrays(project, cq, source, within=within, allowed=allowed)
    by_doc = _codings_by_document(project, source, allowed)
    passages: list[Passage] = []
    if within == "segment":
        # Only documents with a code named without NOT can hold a hit.
        relevant = [d for d, items in by_doc.items()
                    if not cq.positive.isdisjoint(map(_CODE, items))]
        segments = _load_segments(project, relevant)
        for doc_id in relevant:
            passages += _match_segments(doc_id, by_doc[doc_id], _units(segments[doc_id]), cq)
    else:
        for doc_id, items in by_doc.items():
            passages += _match_overlap(doc_id, items, cq)
    return passages


# ------------------------------------------------------------------------- the numpy path
#
# For broad queries the codings of every document are matched at once. Each span lives on
# one global axis, document_id * 2**32 + offset, so codings of different documents can never
# overlap and one sorted array serves all documents: per atom, one searchsorted over the
# codings' starts and one running maximum of their ends answer "does this span overlap a
# coding of the atom" for every candidate. numpy is imported inside these functions so that
# starting the command line stays quick.

_SHIFT = 32
_LOW = (1 << _SHIFT) - 1


def _int_arrays(project: Project, columns: Sequence[str], rest: str,
                params: Sequence[Any]) -> list[Any]:
    """Integer columns of a query as numpy arrays, read as one JSON array per column.

    SQLite writes the numbers out in C and numpy parses them in C, which is several times
    quicker than making a Python tuple per row.
    """
    import numpy as np

    selected = ", ".join(f"json_group_array({c})" for c in columns)
    row = project.conn.execute(f"SELECT {selected} {rest}", params).fetchone()
    return [np.fromstring(text[1:-1], dtype=np.int64, sep=",") if len(text) > 2
            else np.zeros(0, dtype=np.int64) for text in row]


def _overlap_flags(starts: Any, ends: Any, span_starts: Any, span_ends: Any) -> Any:
    """Whether each span overlaps one of the codings (starts sorted, all on the global axis)."""
    import numpy as np

    reach = np.empty(len(ends) + 1, dtype=np.int64)
    reach[0] = -1
    np.maximum.accumulate(ends, out=reach[1:])
    return reach[np.searchsorted(starts, span_ends, side="left")] > span_starts


class _Codings(NamedTuple):
    """The codings read, sorted by start on the global axis."""

    starts: Any
    ends: Any
    codes: Any
    # Per atom of the query, (starts, ends) of its codings sorted by start, when known
    # without a pass over all rows (from the arrays kept per code).
    atoms: list[tuple[Any, Any]] | None = None


def _coding_arrays(project: Project, source: tuple[str, list[Any], int],
                   allowed: set[int] | None) -> _Codings:
    import numpy as np

    sql, params, _ = source
    # Placed on the global axis in SQL: three numbers per coding to write out and parse
    # instead of four.
    starts, ends, code = _int_arrays(
        project, (f"(document_id << {_SHIFT}) | start", f'(document_id << {_SHIFT}) | "end"',
                  "code_id"), sql, params)
    if allowed is not None and len(allowed) > 500:  # not narrowed down in SQL
        keep = np.isin(starts >> _SHIFT, np.fromiter(allowed, dtype=np.int64,
                                                      count=len(allowed)))
        starts, ends, code = starts[keep], ends[keep], code[keep]
    order = np.argsort(starts, kind="stable")
    return _Codings(starts[order], ends[order], code[order])


def _kept_coding_arrays(project: Project, cq: _CompiledQuery,
                        allowed: set[int] | None) -> _Codings:
    """:func:`_coding_arrays` from the arrays kept per code (no coder filter)."""
    import numpy as np

    per_code = code_arrays(project, cq.code_ids)
    codes = sorted(per_code)
    starts = np.concatenate([per_code[c][0] for c in codes])
    ends = np.concatenate([per_code[c][1] for c in codes])
    code = np.repeat(np.asarray(codes, dtype=np.int64), [len(per_code[c][0]) for c in codes])
    if allowed is not None:
        keep = np.isin(starts >> _SHIFT, np.fromiter(allowed, dtype=np.int64,
                                                      count=len(allowed)))
        starts, ends, code = starts[keep], ends[keep], code[keep]
    # Stable: codings starting together stay by code and end, as the index gives them.
    order = np.argsort(starts, kind="stable")
    atoms = None
    if allowed is None:
        atoms = []
        for atom in cq.atoms:
            members = [per_code[c] for c in sorted(atom) if c in per_code]
            if len(members) == 1:
                atoms.append(members[0])
            else:
                a_starts = np.concatenate([m[0] for m in members])
                a_order = np.argsort(a_starts, kind="stable")
                atoms.append((a_starts[a_order],
                              np.concatenate([m[1] for m in members])[a_order]))
    return _Codings(starts[order], ends[order], code[order], atoms)


def _matches(cq: _CompiledQuery, rows: _Codings, span_starts: Any, span_ends: Any) -> Any:
    """Whether each span satisfies the query, by the codings overlapping it.

    AND and OR ask each further operand only about the spans still undecided (AND: the
    operand with the fewest codings first; OR: the one with the most), so that a selective
    code cuts the work for the rest.
    """
    import numpy as np

    assert cq.tree is not None and cq.atom_index is not None
    atom_index = cq.atom_index
    reached: dict[int, tuple[Any, Any]] = {}

    def atom(i: int) -> tuple[Any, Any]:
        if i not in reached:
            if rows.atoms is not None:
                a_starts, a_ends = rows.atoms[i]
            else:
                mask = np.isin(rows.codes, np.fromiter(cq.atoms[i], dtype=np.int64,
                                                       count=len(cq.atoms[i])))
                a_starts, a_ends = rows.starts[mask], rows.ends[mask]
            reach = np.empty(len(a_ends) + 1, dtype=np.int64)
            reach[0] = -1
            np.maximum.accumulate(a_ends, out=reach[1:])
            reached[i] = (a_starts, reach)
        return reached[i]

    def size(node: Node) -> int:
        if isinstance(node, Name):
            return len(atom(atom_index[node])[0])
        if isinstance(node, Not):  # a negation rules out little: ask it last
            return 1 << 62
        return sum(size(n) for n in node.operands)

    def truth(node: Node, starts: Any, ends: Any) -> Any:
        if isinstance(node, Name):
            a_starts, reach = atom(atom_index[node])
            return reach[np.searchsorted(a_starts, ends, side="left")] > starts
        if isinstance(node, Not):
            return ~truth(node.operand, starts, ends)
        conjunction = isinstance(node, And)
        # Spans still undecided: for AND those true so far, for OR those false so far.
        open_ = np.arange(len(starts))
        # AND: the most selective operand first; OR: the broadest first.
        for operand in sorted(node.operands, key=size, reverse=not conjunction):
            if not len(open_):
                break
            answer = truth(operand, starts[open_], ends[open_])
            open_ = open_[answer if conjunction else ~answer]
        result = np.zeros(len(starts), dtype=bool) if conjunction \
            else np.ones(len(starts), dtype=bool)
        result[open_] = conjunction
        return result

    return truth(cq.tree, span_starts, span_ends)


def _positive_mask(cq: _CompiledQuery, rows: _Codings) -> Any:
    import numpy as np

    return np.isin(rows.codes, np.fromiter(cq.positive, dtype=np.int64,
                                           count=len(cq.positive)))


def _find_arrays(project: Project, cq: _CompiledQuery, source: tuple[str, list[Any], int], *,
                 within: str, allowed: set[int] | None) -> list[Passage]:
    """:func:`_find` on numpy arrays: the same passages in the same order."""
    return _arrays_passages(project, cq, _coding_arrays(project, source, allowed),
                            within=within)


def _arrays_passages(project: Project, cq: _CompiledQuery, rows: _Codings, *,
                     within: str) -> list[Passage]:
    if within == "segment":
        return _segments_arrays(project, cq, rows)
    return _overlap_arrays(cq, rows)


def _overlap_arrays(cq: _CompiledQuery, rows: _Codings) -> list[Passage]:
    import numpy as np

    positive = _positive_mask(cq, rows)
    starts, ends, codes = rows.starts[positive], rows.ends[positive], rows.codes[positive]
    matched = _matches(cq, rows, starts, ends)
    starts, ends, codes = starts[matched], ends[matched], codes[matched]
    n = len(starts)
    if not n:
        return []
    # A matched coding opens a new passage when it starts at or after the furthest end so
    # far (candidates come by start, and other documents lie further along the axis).
    reach = np.maximum.accumulate(ends)
    opens = np.empty(n, dtype=bool)
    opens[0] = True
    np.greater_equal(starts[1:], reach[:-1], out=opens[1:])
    firsts = np.flatnonzero(opens)
    lasts = np.append(firsts[1:], n)
    p_starts, p_ends = starts[firsts], reach[lasts - 1]
    code_list = codes.tolist()
    single: dict[int, frozenset[int]] = {}
    code_sets = []
    for a, b in zip(firsts.tolist(), lasts.tolist(), strict=True):
        if b - a == 1:
            c = code_list[a]
            code_sets.append(single.get(c) or single.setdefault(c, frozenset((c,))))
        else:
            code_sets.append(frozenset(code_list[a:b]))
    return list(map(Passage, (p_starts >> _SHIFT).tolist(), (p_starts & _LOW).tolist(),
                    (p_ends & _LOW).tolist(), code_sets))


def _segments_arrays(project: Project, cq: _CompiledQuery, rows: _Codings) -> list[Passage]:
    import numpy as np

    positive = _positive_mask(cq, rows)
    relevant = np.unique(rows.starts[positive] >> _SHIFT)
    if not len(relevant):
        return []
    units = None
    if worth_keeping(project, "units"):
        units = cached(project, "units", lambda: _all_units(project), tables=("segments",))
    if units is not None:
        keep = np.isin(units.starts >> _SHIFT, relevant)
        u_starts, u_ends, u_ids = units.starts[keep], units.ends[keep], units.ids[keep]
        with_segments = units.documents
    else:
        probe = json.dumps(relevant.tolist())
        s_doc, s_id, s_start, s_end, s_quote = _int_arrays(
            project, ("document_id", "id", "start", '"end"', "kind = 'quote'"),
            "FROM segments WHERE document_id IN (SELECT value FROM json_each(?))", (probe,))
        u_starts, u_ends, u_ids = _unit_arrays(s_doc, s_id, s_start, s_end,
                                               s_quote.astype(bool))
        with_segments = np.unique(s_doc)
    # A document without segments is one unit: the stretch its codings cover.
    bare = np.setdiff1d(relevant, with_segments, assume_unique=True)
    if len(bare):
        # Rows come by start on the global axis, so each document's rows are one run.
        docs, firsts = np.unique(rows.starts >> _SHIFT, return_index=True)
        pick = firsts[np.searchsorted(docs, bare)]
        furthest = np.maximum.reduceat(rows.ends, firsts)[np.searchsorted(docs, bare)]
        u_starts = np.concatenate((u_starts, rows.starts[pick]))
        u_ends = np.concatenate((u_ends, furthest))
        u_ids = np.concatenate((u_ids, np.full(len(bare), -1, dtype=np.int64)))
        order = np.lexsort((u_ids, u_ends, u_starts))
        u_starts, u_ends, u_ids = u_starts[order], u_ends[order], u_ids[order]
    matched = _overlap_flags(rows.starts[positive], rows.ends[positive], u_starts, u_ends)
    matched &= _matches(cq, rows, u_starts, u_ends)
    u_starts, u_ends, u_ids = u_starts[matched], u_ends[matched], u_ids[matched]
    if not len(u_starts):
        return []
    code_sets = _codes_inside(rows, u_starts, u_ends)
    if units is not None:
        full = units.rows
    else:
        wanted = [i for i in u_ids.tolist() if i >= 0]
        full = {seg[0]: seg for seg in _tuples(
            project, 'SELECT id, start, "end", kind, speaker, participant_id FROM segments '
                     "WHERE id IN (SELECT value FROM json_each(?))", (json.dumps(wanted),))}
    return list(map(Passage, (u_starts >> _SHIFT).tolist(), (u_starts & _LOW).tolist(),
                    (u_ends & _LOW).tolist(), code_sets,
                    [full.get(i) for i in u_ids.tolist()]))


class _Units(NamedTuple):
    """Every document's units (see :func:`_unit_arrays`), kept between segment queries."""

    starts: Any
    ends: Any
    ids: Any
    documents: Any  # the ids of documents with segments, sorted
    rows: dict[int, tuple]  # segment id -> (id, start, end, kind, speaker, participant_id)


def _all_units(project: Project) -> _Units:
    import numpy as np

    rows = _tuples(project, 'SELECT id, start, "end", kind, speaker, participant_id, '
                            "document_id FROM segments")
    n = len(rows)
    doc = np.fromiter((r[6] for r in rows), dtype=np.int64, count=n)
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=n)
    start = np.fromiter((r[1] for r in rows), dtype=np.int64, count=n)
    end = np.fromiter((r[2] for r in rows), dtype=np.int64, count=n)
    quote = np.fromiter((r[3] == "quote" for r in rows), dtype=bool, count=n)
    u_starts, u_ends, u_ids = _unit_arrays(doc, ids, start, end, quote)
    return _Units(u_starts, u_ends, u_ids, np.unique(doc), {r[0]: r[:6] for r in rows})


def _unit_arrays(doc: Any, ids: Any, start: Any, end: Any, quote: Any) -> tuple[Any, Any, Any]:
    """:func:`_units` for all documents at once: (starts, ends, ids) on the global axis,
    sorted by start, end and id."""
    import numpy as np

    base = doc << _SHIFT
    starts, ends = base | start, base | end
    outer = ~quote
    if quote.any():
        o_order = np.lexsort((ids[outer], starts[outer]))
        o_starts, o_ends = starts[outer][o_order], ends[outer][o_order]
        # A quote is a unit unless the last turn or paragraph starting at or before it
        # holds it (on the global axis a segment of another document never does).
        at = np.searchsorted(o_starts, starts[quote], side="right") - 1
        inside = np.zeros(len(at), dtype=bool)
        if len(o_starts):
            inside = (at >= 0) & (o_ends[np.maximum(at, 0)] >= ends[quote])
        outer = outer.copy()
        outer[np.flatnonzero(quote)[~inside]] = True
    starts, ends, ids = starts[outer], ends[outer], ids[outer]
    order = np.lexsort((ids, ends, starts))
    return starts[order], ends[order], ids[order]


def _codes_inside(rows: _Codings, u_starts: Any, u_ends: Any) -> list[frozenset[int]]:
    """For each unit, the codes of the codings overlapping it."""
    import numpy as np

    longest = int((rows.ends - rows.starts).max())
    lo = np.searchsorted(rows.starts, u_starts - longest, side="left")
    hi = np.searchsorted(rows.starts, u_ends, side="left")
    counts = hi - lo
    total = int(counts.sum())
    code_list = rows.codes.tolist()
    if total > 8 * len(rows.starts) + 1_000_000:
        # One very long coding widens every window: look at each unit on its own instead.
        end_list = rows.ends.tolist()
        return [frozenset(code_list[k] for k in range(a, b) if end_list[k] > s)
                for a, b, s in zip(lo.tolist(), hi.tolist(), u_starts.tolist(), strict=True)]
    unit = np.repeat(np.arange(len(u_starts)), counts)
    row = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts) + lo[unit]
    keep = rows.ends[row] > u_starts[unit]
    unit, row = unit[keep], row[keep]
    kinds, rank = np.unique(rows.codes, return_inverse=True)
    pairs = np.unique(unit * len(kinds) + rank[row])
    unit_of, kind_of = pairs // len(kinds), kinds[pairs % len(kinds)].tolist()
    bounds = np.searchsorted(unit_of, np.arange(len(u_starts) + 1)).tolist()
    return [frozenset(kind_of[a:b]) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


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
    with collector_paused():
        return _retrieve(project, query, within=within, case=case, cycle=cycle, kind=kind,
                         sector=sector, role=role, participant=participant, coder=coder,
                         document=document, context=context, all_codes=all_codes)


def _retrieve(project: Project, query: str, *, within: str, case: Any, cycle: Any, kind: Any,
              sector: Any, role: Any, participant: Any, coder: Any, document: Any,
              context: int, all_codes: bool) -> list[Hit]:
    if within not in WITHIN:
        raise InvalidInput(f"'{within}' is not a way to combine codes; use overlap or segment.")
    cq = compile_query(project, query)
    allowed = _document_filter(project, case=case, cycle=cycle, kind=kind, document=document)
    people = {r[0]: r for r in _tuples(project, "SELECT id, label, role, sector FROM participants")}
    pfilter = _participant_filter(project, people, participant=participant, sector=sector,
                                  role=role)
    passages = _find(project, cq, within=within, allowed=allowed,
                     coders=_checked_coders(project, coder))
    if not passages:
        return []
    segments = ([p.segment for p in passages] if within == "segment"
                else segments_at(project, [p.document_id for p in passages],
                                 [p.start for p in passages]))
    doc_people = dict(_tuples(project, "SELECT id, participant_id FROM documents"))
    docs = load_documents(project, {p.document_id for p in passages})
    codes_on: dict[tuple[int, int, int], frozenset[int]] = {}
    if all_codes:
        for doc_id, group in groupby(passages, key=_DOC):
            spans = [(p.start, p.end) for p in group]
            everything = _all_codings(project, doc_id)
            for (start, end), around in zip(spans, overlapping(everything, spans), strict=True):
                codes_on[doc_id, start, end] = frozenset(c for _, _, c in around)
    names_of = cq.codes.names
    code_names: dict[frozenset[int], tuple[str, ...]] = {}
    filtering = pfilter.active
    hits: list[Hit] = []
    add = hits.append
    runs: dict[int, tuple[int, int]] = {}  # where each document's hits lie in `hits`
    run_doc, run_from = None, 0
    for (doc_id, start, end, code_ids, _), seg in zip(passages, segments, strict=True):
        if doc_id != run_doc:
            if run_doc is not None:
                runs[run_doc] = (run_from, len(hits))
            run_doc, run_from = doc_id, len(hits)
            doc = docs[doc_id]
            text, length = doc.text, len(doc.text)
            name, kind_, case_, cycle_, date = doc.name, doc.kind, doc.case, doc.cycle, doc.date
            owner = people.get(doc_people.get(doc_id))
        # A turn names its speaker (None for the interviewer); elsewhere the document's
        # participant speaks.
        if seg is None:
            speaker = seg_id = None
            person = owner
        else:
            seg_id, speaker = seg[0], seg[4]
            person = people.get(seg[5]) if speaker is not None else owner
        if filtering and not pfilter.allows(person):
            continue
        if person is None:
            label = role = sector = None
        else:
            label, role, sector = person[1], person[2], person[3]
        before, after = context_around(text, start, end, context)
        if all_codes:
            code_ids = codes_on.get((doc_id, start, end), code_ids)
        shown = code_names.get(code_ids)
        if shown is None:
            shown = code_names[code_ids] = tuple(names_of[c] for c in sorted(code_ids)
                                                 if c in names_of)
        # Positional: keyword arguments cost a noticeable share with thousands of hits.
        add(Hit(doc_id, name, kind_, case_, cycle_, date, start, end, text[start:end], shown,
                speaker, label, role, sector, seg_id, before, after,
                start - len(before) > 0, end + len(after) < length))
    if run_doc is not None:
        runs[run_doc] = (run_from, len(hits))
    # Hits come by document name (letter case ignored), then position. Passages come by
    # document id and position, so putting each document's run in its place is enough,
    # unless two names differ only in letter case.
    order = sorted(runs, key=lambda d: docs[d].name.casefold())
    if len({docs[d].name.casefold() for d in order}) < len(order):
        hits.sort(key=lambda h: (h.document.casefold(), h.start, h.end))
        return hits
    ordered: list[Hit] = []
    for doc_id in order:
        first, last = runs[doc_id]
        ordered += hits[first:last]
    return ordered


def _all_codings(project: Project, doc_id: int) -> list[_Interval]:
    return _tuples(project, 'SELECT start, "end", code_id FROM codings '
                            "WHERE document_id = ? ORDER BY start", (doc_id,))
