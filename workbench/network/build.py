"""Build the stakeholder network from the evidence in a project.

Evidence, read straight from the project file:

- **co-mention**: two stakeholders mentioned in the same unit: a sentence (the ``sentences``
  table that tagging fills, else split by punctuation), a segment (speaker turn, paragraph), or
  a window of N characters between the two mentions;
- **speaker**: a participant speaking a turn -> each stakeholder mentioned in it; the passage
  is the sentence of the mention (within the turn);
- **relation**: the explicit relations the researcher added by hand (``core.relations``).

A passage is the unit the mentions share (the sentence, the segment, or for a window the
stretch from the first to the last mention); a speaker passage is the sentence of the mention
within the turn (the whole turn with ``unit="segment"``). A passage is typed by the tie codes
whose codings overlap it: a co-mention inside a passage coded conflict is a ``conflict`` tie,
one coded trust a ``trust`` tie; untyped passages give ``co-mention`` and ``speaks-about``
ties. Explicit relations are
typed by their kind (member_of, funds ...). Subcodes type ties as their tie code.

Rejected stakeholders are left out. Merged stakeholders need nothing here: a merge moves their
mentions and relations to the stakeholder that stays.

The build reads each table once in document order and sweeps mentions against units, turns and
codings with bisection, so 100,000 mentions build in well under two seconds.
"""

from __future__ import annotations

import gc
import itertools
import json
import sqlite3
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from workbench.core import codebook
from workbench.core.cases import check_sector, get_case, get_cycle
from workbench.core.spans import sentence_bounds
from workbench.core.store import Project
from workbench.errors import InvalidInput
from workbench.network.model import (
    CO_MENTION,
    COLLAPSE,
    DEFAULT_TIE_CODES,
    SPEAKS_ABOUT,
    UNITS,
    VIA_CO_MENTION,
    VIA_RELATION,
    VIA_SPEAKER,
    Network,
    NetworkOptions,
    Node,
    Passage,
    Tie,
)

# Relation kinds that say "this role, group or person belongs to that organisation".
MEMBERSHIP_KINDS = ("member_of", "part_of", "employed_by", "works_for", "unit_of")
_ORGANISATION_KINDS = ("organisation", "partnership")
HOME_SETTING = "home_stakeholders"


# ------------------------------------------------------------------------------ options
def check_options(project: Project, options: NetworkOptions) -> None:
    """Validate options against the project, with one clear sentence per problem.

    Raises:
        InvalidInput: an unknown unit, collapse mode, sector or a bad number.
        NotFoundError: the case, cycle or a code does not exist.
    """
    if options.unit not in UNITS:
        raise InvalidInput(f"'{options.unit}' is not a co-mention unit; use one of: "
                           f"{', '.join(UNITS)}.")
    if options.collapse not in COLLAPSE:
        raise InvalidInput(f"'{options.collapse}' is not a collapse mode; use one of: "
                           f"{', '.join(COLLAPSE)}.")
    if options.window < 1:
        raise InvalidInput("The co-mention window must be at least 1 character.")
    if options.min_weight < 1:
        raise InvalidInput("The minimum weight must be at least 1 passage.")
    for sector in options.sectors:
        if not check_sector(sector):
            raise InvalidInput("A sector filter cannot be empty; name a sector such as "
                               "municipality or hospital.")
    if options.case is not None:
        get_case(project, options.case)
    if options.cycle is not None:
        get_cycle(project, options.cycle)
    if options.code is not None:
        codebook.get_code(project, options.code)
    for code in options.tie_codes or ():
        codebook.get_code(project, code)


def resolve_tie_codes(project: Project, names: Sequence[str] | None) -> dict[int, str]:
    """Map code id -> tie type (the tie code's name) for the tie codes and their subcodes.

    Args:
        names: the codes the user chose; None means the usual ones the codebook has (trust,
            conflict, collaboration, by name or label, in English or Danish).
    """
    if names is None:
        wanted = {n.casefold() for n in DEFAULT_TIE_CODES}
        chosen = [c for c in codebook.list_codes(project)
                  if {c.name.casefold(), c.label_da.casefold(), c.label_en.casefold()} & wanted]
        # A default code below another default one types ties as the upper one.
        chosen_ids = {c.id for c in chosen}
        chosen = [c for c in chosen if c.parent_id not in chosen_ids]
    else:
        chosen = [codebook.get_code(project, n) for n in names]
    out: dict[int, str] = {}
    for code in chosen:
        for code_id in codebook.descendants(project, code.id):
            out.setdefault(code_id, code.name)
    return out


# ------------------------------------------------------------------------------ spans
class SpanIndex:
    """Sorted spans with labels; which labels overlap a query span (bisection)."""

    __slots__ = ("starts", "ends", "labels", "longest")

    def __init__(self, spans: Iterable[tuple[int, int, Any]]):
        rows = sorted(spans, key=lambda s: (s[0], s[1]))
        self.starts = [r[0] for r in rows]
        self.ends = [r[1] for r in rows]
        self.labels = [r[2] for r in rows]
        self.longest = max((e - s for s, e in zip(self.starts, self.ends, strict=True)),
                           default=0)

    def overlapping(self, start: int, end: int) -> set[Any]:
        """Labels of the spans that overlap [start, end)."""
        found: set[Any] = set()
        i = bisect_right(self.starts, max(end - 1, start)) - 1
        floor = start - self.longest
        while i >= 0 and self.starts[i] >= floor:
            if self.ends[i] > start:
                found.add(self.labels[i])
            i -= 1
        return found


class UnitIndex:
    """Non-overlapping units (sentences, segments, turns) in reading order."""

    __slots__ = ("starts", "ends", "data")

    def __init__(self, units: Iterable[tuple[int, int, Any]]):
        rows = sorted(units, key=lambda u: u[0])
        self.starts = [r[0] for r in rows]
        self.ends = [r[1] for r in rows]
        self.data = [r[2] for r in rows]

    def find(self, offset: int) -> int | None:
        """The index of the unit holding ``offset``, or None."""
        i = bisect_right(self.starts, offset) - 1
        if i >= 0 and offset < self.ends[i]:
            return i
        return None


# ------------------------------------------------------------------------------ context
@dataclass
class _Doc:
    id: int
    name: str
    case_id: int | None
    case: str | None
    cycle: int | None


@dataclass
class _Context:
    """What the build reads once: documents, stakeholders, participants, node mapping."""

    project: Project
    options: NetworkOptions
    docs: dict[int, _Doc] = field(default_factory=dict)
    stakeholders: dict[int, dict[str, Any]] = field(default_factory=dict)
    participants: dict[int, dict[str, Any]] = field(default_factory=dict)
    nodes: dict[str, Node] = field(default_factory=dict)
    by_name: dict[str, int] = field(default_factory=dict)
    parent_of: dict[int, int] = field(default_factory=dict)
    home_project: dict[str, str] = field(default_factory=dict)
    home_case: dict[int, dict[str, str]] = field(default_factory=dict)
    _stakeholder_keys: dict[tuple[int, int | None], str] = field(default_factory=dict)
    _participant_keys: dict[int, str] = field(default_factory=dict)

    def load(self) -> None:
        opts, project = self.options, self.project
        where, params = [], []
        if opts.case is not None:
            where.append("d.case_id = ?")
            params.append(get_case(project, opts.case).id)
        if opts.cycle is not None:
            where.append("d.cycle_id = ?")
            params.append(get_cycle(project, opts.cycle).id)
        sql = ("SELECT d.id, d.name, d.case_id, ca.name AS case_name, cy.number AS cycle "
               "FROM documents d LEFT JOIN cases ca ON ca.id = d.case_id "
               "LEFT JOIN cycles cy ON cy.id = d.cycle_id")
        if where:
            sql += " WHERE " + " AND ".join(where)
        for row in project.conn.execute(sql, params):
            self.docs[row[0]] = _Doc(row[0], row[1], row[2], row[3], row[4])
        for row in project.rows("SELECT id, name, kind, sector, aliases, participant_id "
                                "FROM stakeholders WHERE status != 'rejected'"):
            self.stakeholders[row["id"]] = row
            for name in (row["name"], *json.loads(row["aliases"] or "[]")):
                self.by_name.setdefault(name.casefold(), row["id"])
        for row in project.rows("SELECT id, label, role, organisation, sector FROM participants"):
            self.participants[row["id"]] = row
        if opts.collapse == "organisations":
            self._load_membership()

    def _load_membership(self) -> None:
        marks = ",".join("?" * len(MEMBERSHIP_KINDS))
        for row in self.project.conn.execute(
                f"SELECT source_id, target_id FROM relations WHERE kind IN ({marks}) "
                "ORDER BY id", MEMBERSHIP_KINDS):
            target = self.stakeholders.get(row[1])
            if row[0] in self.stakeholders and target and target["kind"] in _ORGANISATION_KINDS:
                self.parent_of.setdefault(row[0], row[1])
        self.home_project = dict(self.project.setting(HOME_SETTING, {}) or {})
        for row in self.project.rows("SELECT id, attributes FROM cases"):
            attrs = json.loads(row["attributes"] or "{}")
            if isinstance(attrs.get(HOME_SETTING), dict):
                self.home_case[row["id"]] = attrs[HOME_SETTING]

    # -------------------------------------------------------------- node mapping
    def _node(self, key: str, make: Any) -> Node:
        node = self.nodes.get(key)
        if node is None:
            node = self.nodes[key] = make()
        return node

    def _sector_node(self, sector: str) -> str:
        slug = sector or "unknown"
        key = f"sector:{slug}"
        self._node(key, lambda: Node(key, slug.replace("_", " "), "sector", sector))
        return key

    def _stakeholder_node(self, sid: int) -> str:
        row = self.stakeholders[sid]
        key = f"s{sid}"
        self._node(key, lambda: Node(key, row["name"], row["kind"], row["sector"],
                                     stakeholder_id=sid))
        return key

    def _organisation_of(self, sid: int, case_id: int | None) -> int:
        """The organisation a role, group or person belongs to, else itself."""
        row = self.stakeholders[sid]
        if row["kind"] in _ORGANISATION_KINDS:
            return sid
        if sid in self.parent_of:
            return self.parent_of[sid]
        if row["sector"]:
            home = self.home_case.get(case_id, {}).get(row["sector"]) \
                or self.home_project.get(row["sector"])
            target = self.by_name.get(home.casefold()) if home else None
            if target is not None and target != sid:
                return target
        return sid

    def peek_key(self, sid: int) -> str:
        """The node key of a stakeholder outside any document, without creating the node."""
        if self.options.collapse == "sectors":
            return f"sector:{self.stakeholders[sid]['sector'] or 'unknown'}"
        if self.options.collapse == "organisations":
            return f"s{self._organisation_of(sid, None)}"
        return f"s{sid}"

    def stakeholder_key(self, sid: int, doc: _Doc) -> str:
        """The node a mention of stakeholder ``sid`` in ``doc`` belongs to."""
        cache_key = (sid, doc.case_id)
        key = self._stakeholder_keys.get(cache_key)
        if key is None:
            collapse = self.options.collapse
            if collapse == "sectors":
                key = self._sector_node(self.stakeholders[sid]["sector"])
            elif collapse == "organisations":
                key = self._stakeholder_node(self._organisation_of(sid, doc.case_id))
            else:
                key = self._stakeholder_node(sid)
            self.nodes[key].members.add(self.stakeholders[sid]["name"])
            self._stakeholder_keys[cache_key] = key
        return key

    def participant_key(self, pid: int, doc: _Doc) -> str:
        """The node of a participant speaking."""
        key = self._participant_keys.get(pid)
        if key is not None:
            return key
        row = self.participants[pid]
        collapse = self.options.collapse
        if collapse == "sectors":
            key = self._sector_node(row["sector"])
        elif collapse == "organisations" and (sid := self._participant_stakeholder(row, doc)):
            key = self.stakeholder_key(sid, doc)
        else:
            key = f"p{pid}"
            self._node(key, lambda: Node(key, row["label"], "participant", row["sector"],
                                         role=row["role"], organisation=row["organisation"],
                                         participant_id=pid))
        self.nodes[key].members.add(row["label"])
        self._participant_keys[pid] = key
        return key

    def _participant_stakeholder(self, row: dict[str, Any], doc: _Doc) -> int | None:
        """The stakeholder a participant speaks for: one linked to the participant, else their
        organisation by name or alias (or its first comma-separated part), else the home
        stakeholder of their sector in the document's case."""
        for sid, st in self.stakeholders.items():
            if st["participant_id"] == row["id"]:
                return self._organisation_of(sid, doc.case_id)
        organisation = (row["organisation"] or "").strip()
        if organisation:
            for name in (organisation, *(part.strip() for part in organisation.split(","))):
                sid = self.by_name.get(name.casefold())
                if sid is not None:
                    return sid
        if row["sector"]:
            home = self.home_case.get(doc.case_id, {}).get(row["sector"]) \
                or self.home_project.get(row["sector"])
            if home:
                return self.by_name.get(home.casefold())
        return None


# ------------------------------------------------------------------------------ collecting
class _Collector:
    """Passages grouped by node pair (in key order) and tie type.

    Plain lists while collecting; :func:`_finish` makes :class:`Tie` objects of the ones kept.
    The hot loops append to ``ties`` directly rather than through :meth:`add`.
    """

    def __init__(self) -> None:
        self.ties: dict[tuple[str, str, str], list[Passage]] = {}

    def add(self, x: str, y: str, types: Iterable[str], passage: Passage) -> None:
        """Add one passage to the ties of the pair (x, y), once per type.

        Callers hand each passage to a pair once: units do not repeat, and speaker passages
        are de-duplicated per document before they get here.
        """
        a, b = (x, y) if x < y else (y, x)
        ties = self.ties
        for tie_type in types:
            found = ties.get((a, b, tie_type))
            if found is None:
                ties[(a, b, tie_type)] = [passage]
            else:
                found.append(passage)


def _tuples(project: Project, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
    """Run a query whose rows come back as plain tuples (faster than sqlite3.Row in loops)."""
    cursor = project.conn.cursor()
    cursor.row_factory = None
    return cursor.execute(sql, params)


def _grouped(rows: Iterable[Sequence[Any]]) -> Iterator[tuple[int, list[Sequence[Any]]]]:
    """Rows ordered by document id (first column) -> (document id, rows)."""
    for doc_id, group in itertools.groupby(rows, key=itemgetter(0)):
        yield doc_id, list(group)


def _doc_filter(ctx: _Context, alias: str) -> str:
    """A condition limiting rows to the chosen documents (empty when all are chosen)."""
    opts = ctx.options
    if opts.case is None and opts.cycle is None:
        return ""
    ids = ",".join(map(str, sorted(ctx.docs))) or "NULL"
    return f" AND {alias}.document_id IN ({ids})"


def _load_spans(ctx: _Context, mention_docs: set[int], code_ids: dict[int, str],
                filter_ids: set[int]) -> tuple[dict[int, Any], ...]:
    """Sentences, segments, participant turns and typing codings per document."""
    project, opts = ctx.project, ctx.options
    clause = _doc_filter(ctx, "x")
    sentences: dict[int, UnitIndex] = {}
    if opts.unit == "sentence" or opts.speakers:
        for doc_id, rows in _grouped(_tuples(project,
                f'SELECT x.document_id, x.start, x."end" FROM sentences x WHERE 1 {clause} '
                "ORDER BY x.document_id, x.start")):
            if doc_id in mention_docs:
                sentences[doc_id] = UnitIndex((r[1], r[2], None) for r in rows)
    segments: dict[int, UnitIndex] = {}
    turns: dict[int, UnitIndex] = {}
    if opts.unit == "segment" or opts.speakers:
        for doc_id, rows in _grouped(_tuples(project,
                f'SELECT x.document_id, x.start, x."end", x.participant_id, x.kind '
                f"FROM segments x WHERE 1 {clause} ORDER BY x.document_id, x.start")):
            if doc_id not in mention_docs:
                continue
            if opts.unit == "segment":
                segments[doc_id] = UnitIndex((r[1], r[2], None) for r in rows
                                             if r[4] != "heading")
            speaking = [(r[1], r[2], r[3]) for r in rows
                        if r[3] is not None and r[4] == "turn" and r[3] in ctx.participants]
            if speaking:
                turns[doc_id] = UnitIndex(speaking)
    codings: dict[int, SpanIndex] = {}
    wanted = set(code_ids) | filter_ids
    if wanted:
        marks = ",".join(map(str, sorted(wanted)))
        for doc_id, rows in _grouped(_tuples(project,
                f'SELECT x.document_id, x.start, x."end", x.code_id FROM codings x '
                f"WHERE x.code_id IN ({marks}) {clause} ORDER BY x.document_id, x.start")):
            if doc_id in mention_docs:
                spans = []
                for r in rows:
                    if r[3] in code_ids:
                        spans.append((r[1], r[2], code_ids[r[3]]))
                    if r[3] in filter_ids:
                        spans.append((r[1], r[2], _FILTER))
                codings[doc_id] = SpanIndex(spans)
    return sentences, segments, turns, codings


_FILTER = object()  # the label of codings of the --code filter


class _DocText:
    """A document's text, read when the first passage needs it."""

    def __init__(self, project: Project, doc_id: int):
        self.project, self.doc_id, self._text = project, doc_id, None

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = self.project.conn.execute(
                "SELECT text FROM documents WHERE id = ?", (self.doc_id,)).fetchone()[0]
        return self._text


class _Typer:
    """The tie codes on passages of one document, remembered per span (a sentence is asked
    about once for its co-mentions and again for each speaker passage in it)."""

    __slots__ = ("codings", "filtering", "cache")

    def __init__(self, codings: SpanIndex | None, filtering: bool):
        self.codings, self.filtering = codings, filtering
        self.cache: dict[tuple[int, int], tuple[str, ...] | None] = {}

    def __call__(self, start: int, end: int) -> tuple[str, ...] | None:
        """The sorted tie codes overlapping [start, end); None when the --code filter drops
        the passage."""
        found = self.cache.get((start, end), False)
        if found is not False:
            return found
        labels = self.codings.overlapping(start, end) if self.codings is not None else set()
        result: tuple[str, ...] | None
        if self.filtering and _FILTER not in labels:
            result = None
        else:
            labels.discard(_FILTER)
            result = tuple(sorted(labels))
        self.cache[(start, end)] = result
        return result


def _co_mentions(ctx: _Context, doc: _Doc, mentions: list[tuple[int, int, str]],
                 units: UnitIndex | None, typer: _Typer, text: _DocText,
                 out: _Collector) -> None:
    """Co-mention passages of one document."""
    opts = ctx.options
    groups: list[tuple[int, int, list[tuple[int, int, str]]]] = []
    if opts.unit == "window":
        _window_pairs(ctx, doc, mentions, typer, text, out)
        return
    if units is None:
        return
    current, bucket = None, []
    starts, ends = units.starts, units.ends
    for m in mentions:
        # UnitIndex.find, inlined: this loop runs once per mention.
        idx = bisect_right(starts, m[0]) - 1
        if idx < 0 or m[0] >= ends[idx]:
            continue
        if idx != current:
            if len(bucket) > 1:
                groups.append((units.starts[current], units.ends[current], bucket))
            current, bucket = idx, []
        bucket.append(m)
    if len(bucket) > 1:
        groups.append((units.starts[current], units.ends[current], bucket))
    for u_start, u_end, bucket in groups:
        keys = sorted({key for _, _, key in bucket})
        if len(keys) < 2:
            continue
        codes = typer(u_start, u_end)
        if codes is None:
            continue
        types = codes or (CO_MENTION,)
        passage = Passage(VIA_CO_MENTION, doc.id, doc.name, u_start, u_end,
                          text.text[u_start:u_end], codes, None, doc.case, doc.cycle)
        ties = out.ties
        for a, b in itertools.combinations(keys, 2):  # keys are sorted: a < b
            for tie_type in types:
                found = ties.get((a, b, tie_type))
                if found is None:
                    ties[(a, b, tie_type)] = [passage]
                else:
                    found.append(passage)


def _window_pairs(ctx: _Context, doc: _Doc, mentions: list[tuple[int, int, str]],
                  typer: _Typer, text: _DocText, out: _Collector) -> None:
    """Pairs of mentions at most ``window`` characters apart; overlapping stretches merge."""
    window = ctx.options.window
    stretches: dict[tuple[str, str], list[list[int]]] = {}
    count = len(mentions)
    for i, (start, end, key) in enumerate(mentions):
        j = i + 1
        while j < count:
            other_start, other_end, other = mentions[j]
            j += 1
            if other_start - end > window:
                break
            if other == key:
                continue
            pair = (key, other) if key < other else (other, key)
            spans = stretches.setdefault(pair, [])
            lo, hi = start, max(end, other_end)
            if spans and lo <= spans[-1][1]:
                spans[-1][1] = max(spans[-1][1], hi)
            else:
                spans.append([lo, hi])
    for (x, y), spans in stretches.items():
        for lo, hi in spans:
            codes = typer(lo, hi)
            if codes is None:
                continue
            out.add(x, y, codes or (CO_MENTION,), Passage(
                VIA_CO_MENTION, doc.id, doc.name, lo, hi, text.text[lo:hi], codes, None,
                doc.case, doc.cycle))


def _speaker_ties(ctx: _Context, doc: _Doc, mentions: list[tuple[int, int, str]],
                  turns: UnitIndex, sentences: UnitIndex | None, typer: _Typer,
                  text: _DocText, out: _Collector) -> None:
    """Speaker -> mentioned passages of one document: the mention's sentence (within the
    turn), or the whole turn with ``unit="segment"``."""
    whole_turns = ctx.options.unit == "segment"
    if sentences is None and not whole_turns:
        sentences = UnitIndex((s, e, None) for s, e in sentence_bounds(text.text))
    seen: set[tuple[str, int, int]] = set()
    whole = text.text
    speakers: dict[int, str] = {}
    labels = {pid: ctx.participants[pid]["label"] for pid in set(turns.data)}
    ties = out.ties
    turn_starts, turn_ends = turns.starts, turns.ends
    sentence_starts = sentence_ends = None
    if not whole_turns:
        sentence_starts, sentence_ends = sentences.starts, sentences.ends
    doc_id, doc_name, case, cycle = doc.id, doc.name, doc.case, doc.cycle
    typed = typer.cache
    # The finds of UnitIndex and the typer's cache, inlined: this loop runs once per mention.
    for start, _end, key in mentions:
        t = bisect_right(turn_starts, start) - 1
        if t < 0 or start >= turn_ends[t]:
            continue
        pid = turns.data[t]
        speaker = speakers.get(pid)
        if speaker is None:
            speaker = speakers[pid] = ctx.participant_key(pid, doc)
        if speaker == key:
            continue
        t_start, t_end = turn_starts[t], turn_ends[t]
        lo, hi = t_start, t_end
        if sentence_starts is not None:
            s = bisect_right(sentence_starts, start) - 1
            if s >= 0 and start < sentence_ends[s]:
                lo, hi = max(sentence_starts[s], t_start), min(sentence_ends[s], t_end)
        marker = (key, lo, hi)
        if marker in seen:
            continue  # the same stakeholder again in the same sentence
        seen.add(marker)
        codes = typed.get((lo, hi), False)
        if codes is False:
            codes = typer(lo, hi)
        if codes is None:
            continue
        types = codes or (SPEAKS_ABOUT,)
        passage = Passage(VIA_SPEAKER, doc_id, doc_name, lo, hi, whole[lo:hi], codes,
                          labels[pid], case, cycle, None, speaker)
        a, b = (speaker, key) if speaker < key else (key, speaker)
        for tie_type in types:
            found = ties.get((a, b, tie_type))
            if found is None:
                ties[(a, b, tie_type)] = [passage]
            else:
                found.append(passage)


def _relations(ctx: _Context, out: _Collector, active: set[str]) -> None:
    """Explicit relations as directed passages typed by their kind.

    With a case or cycle filter, a relation is kept when both its ends appear in the chosen
    documents; with the --code filter (passages only) relations are left out.
    """
    opts = ctx.options
    if not opts.relations or opts.code is not None:
        return
    filtered = opts.case is not None or opts.cycle is not None
    anywhere = _Doc(0, "", None, None, None)
    for row in ctx.project.rows("SELECT id, source_id, target_id, kind, memo, author "
                                "FROM relations ORDER BY id"):
        ends = (row["source_id"], row["target_id"])
        if not all(sid in ctx.stakeholders for sid in ends):
            continue
        if opts.collapse == "organisations" and row["kind"] in MEMBERSHIP_KINDS:
            # The collapse used the membership; as a tie it would point at itself.
            continue
        if filtered and not all(ctx.peek_key(sid) in active for sid in ends):
            continue
        src = ctx.stakeholder_key(row["source_id"], anywhere)
        dst = ctx.stakeholder_key(row["target_id"], anywhere)
        if src == dst:
            continue
        memo = row["memo"] or f"(added by {row['author']}, no memo)"
        out.add(src, dst, [row["kind"]], Passage(VIA_RELATION, None, None, None, None, memo,
                                                 (), None, None, None, row["id"], src))


def build_network(project: Project, options: NetworkOptions | None = None) -> Network:
    """Build the stakeholder network of ``project`` from its mentions, turns and codings.

    Args:
        project: the open project.
        options: units, tie codes, signs, collapse and filters (defaults when None).

    Returns:
        The network: nodes with sector, kind, mention counts and cases; ties by type with
        their passages.

    Raises:
        InvalidInput, NotFoundError: bad options (see :func:`check_options`).
    """
    opts = options or NetworkOptions()
    check_options(project, opts)
    # The build makes hundreds of thousands of small objects and no reference cycles; the
    # cyclic collector would otherwise run over and over and take most of the time.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _build(project, opts)
    finally:
        if collecting:
            gc.enable()


def _build(project: Project, opts: NetworkOptions) -> Network:
    ctx = _Context(project, opts)
    ctx.load()
    code_ids = resolve_tie_codes(project, opts.tie_codes)
    filter_ids = (set(codebook.descendants(project, codebook.get_code(project, opts.code).id))
                  if opts.code is not None else set())
    clause = _doc_filter(ctx, "m")
    mention_rows = _tuples(project,
        'SELECT m.document_id, m.start, m."end", m.stakeholder_id FROM mentions m '
        f"JOIN stakeholders s ON s.id = m.stakeholder_id AND s.status != 'rejected' "
        f"WHERE 1 {clause} ORDER BY m.document_id, m.start").fetchall()
    mention_docs = {r[0] for r in mention_rows} & set(ctx.docs)
    sentences, segments, turns, codings = _load_spans(ctx, mention_docs, code_ids, filter_ids)
    out = _Collector()
    for doc_id, rows in _grouped(mention_rows):
        doc = ctx.docs.get(doc_id)
        if doc is None:
            continue
        mentions = []
        keys: dict[int, str] = {}
        counts: dict[str, int] = {}
        for _, start, end, sid in rows:
            key = keys.get(sid)
            if key is None:
                key = keys[sid] = ctx.stakeholder_key(sid, doc)
            counts[key] = counts.get(key, 0) + 1
            mentions.append((start, end, key))
        for key, count in counts.items():
            node = ctx.nodes[key]
            node.mentions += count
            node.documents.add(doc_id)
            if doc.case:
                node.cases.add(doc.case)
        text = _DocText(project, doc_id)
        units: UnitIndex | None
        if opts.unit == "sentence":
            units = sentences.get(doc_id) or UnitIndex(
                (s, e, None) for s, e in sentence_bounds(text.text))
        else:
            units = segments.get(doc_id)
        typer = _Typer(codings.get(doc_id), opts.code is not None)
        _co_mentions(ctx, doc, mentions, units, typer, text, out)
        if opts.speakers and doc_id in turns:
            _speaker_ties(ctx, doc, mentions, turns[doc_id], sentences.get(doc_id), typer,
                          text, out)
    _relations(ctx, out, set(ctx.nodes))
    _count_turns(ctx, turns)
    return _finish(ctx, out, code_ids)


def _count_turns(ctx: _Context, turns: dict[int, UnitIndex]) -> None:
    """Participant nodes: how many turns they speak in the chosen documents."""
    for doc_id, index in turns.items():
        doc = ctx.docs[doc_id]
        for pid in index.data:
            key = ctx._participant_keys.get(pid)
            if key is not None:
                node = ctx.nodes[key]
                node.turns += 1
                node.documents.add(doc_id)
                if doc.case:
                    node.cases.add(doc.case)


def _finish(ctx: _Context, out: _Collector, code_ids: dict[int, str]) -> Network:
    """Apply the sector and weight filters, drop isolates, order ties and types."""
    opts = ctx.options
    sectors = set(opts.sectors)
    ties = []
    signs = {t: opts.sign_of(t) for t in {key[2] for key in out.ties}}
    for (a, b, tie_type), passages in out.ties.items():
        if len(passages) < opts.min_weight:
            continue
        if sectors and not ({ctx.nodes[a].sector, ctx.nodes[b].sector} & sectors):
            continue
        ties.append(Tie(a, b, tie_type, signs[tie_type], passages))
    # Strongest first; ties of equal weight in the order they first occur in the documents.
    ties.sort(key=lambda t: -len(t.passages))
    linked = {k for t in ties for k in (t.a, t.b)}
    if opts.isolates:
        nodes = {k: n for k, n in ctx.nodes.items()
                 if k in linked or not sectors or n.sector in sectors}
    else:
        nodes = {k: n for k, n in ctx.nodes.items() if k in linked}
    code_order = list(dict.fromkeys(code_ids.values()))
    present = {t.type for t in ties}
    types = [t for t in code_order if t in present]
    types += sorted(present - set(types) - {CO_MENTION, SPEAKS_ABOUT})
    types += [t for t in (CO_MENTION, SPEAKS_ABOUT) if t in present]
    notes = []
    if not ctx.docs:
        notes.append("No documents match the filters.")
    elif not any(n.mentions for n in ctx.nodes.values()):
        notes.append("No stakeholder mentions in the chosen documents; run 'workbench tag' "
                     "first.")
    if not code_ids:
        notes.append("No tie codes: every tie is an untyped co-mention or speaks-about tie "
                     "(name codes with --tie-codes).")
    return Network(nodes=nodes, ties=ties, options=opts, tie_types=types, notes=notes)
