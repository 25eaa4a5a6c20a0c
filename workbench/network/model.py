"""The stakeholder network as plain data: nodes, ties and the passages that support them.

Building the network (:mod:`workbench.network.build`) needs no networkx; measures and exports
turn a :class:`Network` into a networkx graph (:mod:`workbench.network.graph`). Keeping the
evidence in plain dataclasses makes the build fast and lets the CLI and the TUI list ties with
their quotes without loading networkx at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

# Tie types that are not codes.
CO_MENTION = "co-mention"
SPEAKS_ABOUT = "speaks-about"

# How a passage supports a tie.
VIA_CO_MENTION = "co-mention"
VIA_SPEAKER = "speaker"
VIA_RELATION = "relation"

UNITS = ("sentence", "segment", "window")
COLLAPSE = ("none", "organisations", "sectors")
UNKNOWN_SECTOR = "unknown"

# Default signs for signed analysis, by code name (case-insensitive), in English and Danish.
DEFAULT_SIGNS: dict[str, int] = {
    "trust": 1, "tillid": 1, "collaboration": 1, "samarbejde": 1,
    "conflict": -1, "konflikt": -1, "distrust": -1, "mistillid": -1,
}
# The codes that type ties when the user names none: those of these that the codebook has.
DEFAULT_TIE_CODES = ("trust", "tillid", "conflict", "konflikt", "collaboration", "samarbejde")


class Passage(NamedTuple):
    """One piece of evidence for a tie (a named tuple: a network holds hundreds of thousands).

    Attributes:
        via: "co-mention", "speaker" (a participant's turn mentions the stakeholder) or
            "relation" (added by hand; then ``document`` is None and ``quote`` is the memo).
        document_id, document: where the passage is (None for relations).
        start, end: code-point offsets of the passage in the document text.
        quote: the passage text (for relations, the memo).
        codes: the tie codes whose codings overlap the passage.
        speaker: the participant label for speaker evidence.
        case, cycle: of the document.
        relation_id: the explicit relation this passage stands for.
        source: for directed evidence (speaker, relation), the node the tie goes from.
    """

    via: str
    document_id: int | None
    document: str | None
    start: int | None
    end: int | None
    quote: str
    codes: tuple[str, ...] = ()
    speaker: str | None = None
    case: str | None = None
    cycle: int | None = None
    relation_id: int | None = None
    source: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (None fields left out)."""
        out = {"via": self.via, "document": self.document, "start": self.start,
               "end": self.end, "quote": self.quote, "codes": list(self.codes),
               "speaker": self.speaker, "case": self.case, "cycle": self.cycle,
               "relation_id": self.relation_id, "from": self.source}
        return {k: v for k, v in out.items() if v not in (None, [])}


@dataclass(slots=True)
class Node:
    """A stakeholder, a participant speaking, or (collapsed) an organisation or a sector.

    ``key`` is stable for a project: ``s12`` (stakeholder 12), ``p3`` (participant 3) or
    ``sector:hospital``.
    """

    key: str
    label: str
    kind: str
    sector: str
    mentions: int = 0
    turns: int = 0
    cases: set[str] = field(default_factory=set)
    documents: set[int] = field(default_factory=set)
    members: set[str] = field(default_factory=set)
    role: str = ""
    organisation: str = ""
    stakeholder_id: int | None = None
    participant_id: int | None = None

    @property
    def sector_or_unknown(self) -> str:
        """The sector slug, or 'unknown'."""
        return self.sector or UNKNOWN_SECTOR

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        out: dict[str, Any] = {
            "key": self.key, "label": self.label, "kind": self.kind, "sector": self.sector,
            "mentions": self.mentions, "turns": self.turns, "cases": sorted(self.cases),
            "documents": len(self.documents)}
        if self.members and self.members != {self.label}:
            out["members"] = sorted(self.members)
        for name in ("role", "organisation"):
            if getattr(self, name):
                out[name] = getattr(self, name)
        if self.stakeholder_id is not None:
            out["stakeholder_id"] = self.stakeholder_id
        if self.participant_id is not None:
            out["participant_id"] = self.participant_id
        return out


@dataclass(slots=True)
class Tie:
    """All evidence of one type between two nodes.

    ``a`` and ``b`` are node keys with ``a < b``: a tie is one line between two nodes, whatever
    the direction of its passages; ``forward`` counts passages directed a -> b (speaker,
    relation), ``backward`` those b -> a, and the rest are undirected co-mentions.
    ``weight`` is the number of supporting passages.
    """

    a: str
    b: str
    type: str
    sign: int = 0
    passages: list[Passage] = field(default_factory=list)

    @property
    def forward(self) -> int:
        """Passages directed from a to b."""
        a = self.a
        return sum(1 for p in self.passages if p.source == a)

    @property
    def backward(self) -> int:
        """Passages directed from b to a."""
        b = self.b
        return sum(1 for p in self.passages if p.source == b)

    @property
    def weight(self) -> int:
        """The number of supporting passages."""
        return len(self.passages)

    @property
    def vias(self) -> dict[str, int]:
        """Passages by kind of evidence."""
        counts: dict[str, int] = {}
        for p in self.passages:
            counts[p.via] = counts.get(p.via, 0) + 1
        return counts

    def other(self, key: str) -> str:
        """The node at the other end from ``key``."""
        return self.b if key == self.a else self.a

    def as_dict(self, network: Network | None = None, *, evidence: bool = True,
                limit: int | None = None) -> dict[str, Any]:
        """A JSON-ready dict; with ``network``, node labels and sectors are included."""
        out: dict[str, Any] = {"a": self.a, "b": self.b, "type": self.type,
                               "weight": self.weight, "sign": self.sign,
                               "forward": self.forward, "backward": self.backward,
                               "vias": self.vias}
        if network is not None:
            na, nb = network.nodes[self.a], network.nodes[self.b]
            out.update({"a_label": na.label, "b_label": nb.label, "a_sector": na.sector,
                        "b_sector": nb.sector})
        if evidence:
            passages = self.passages if limit is None else self.passages[:limit]
            out["evidence"] = [p.as_dict() for p in passages]
        return out


@dataclass
class NetworkOptions:
    """How to build the network; the defaults suit a first look.

    Attributes:
        unit: what counts as "mentioned together": "sentence" (sentences from tagging, else
            split by punctuation), "segment" (a speaker turn or paragraph) or "window"
            (two mentions at most ``window`` characters apart).
        window: characters between two mentions for ``unit="window"``.
        tie_codes: codes that type ties (a co-mention inside a passage coded conflict is a
            conflict tie); None means the usual ones the codebook has (trust, conflict,
            collaboration and their Danish names). Subcodes count as their code.
        signs: sign of each tie type for signed analysis (by name, case-insensitive); types
            not listed are unsigned (0).
        collapse: "none", "organisations" (roles, groups and persons go to the organisation
            they belong to, participants to their organisation's stakeholder) or "sectors".
        case, cycle: only documents of this case (name) and cycle (number).
        code: only passages that overlap a coding of this code (or its subcodes).
        sectors: only ties with at least one end in one of these sectors.
        min_weight: only ties with at least this many passages.
        speakers: add speaker -> mentioned ties from participants' turns.
        relations: add the explicit relations added by hand.
        isolates: keep nodes without ties (dropped by default).
    """

    unit: str = "sentence"
    window: int = 150
    tie_codes: tuple[str, ...] | None = None
    signs: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_SIGNS))
    collapse: str = "none"
    case: str | None = None
    cycle: int | None = None
    code: str | None = None
    sectors: tuple[str, ...] = ()
    min_weight: int = 1
    speakers: bool = True
    relations: bool = True
    isolates: bool = False

    def sign_of(self, tie_type: str) -> int:
        """The sign of a tie type (0 when it has none)."""
        folded = {k.casefold(): v for k, v in self.signs.items()}
        value = folded.get(tie_type.casefold(), 0)
        return (value > 0) - (value < 0)


@dataclass
class Network:
    """Nodes and typed ties, with the options they were built with."""

    nodes: dict[str, Node]
    ties: list[Tie]
    options: NetworkOptions
    tie_types: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def ties_of(self, key: str) -> list[Tie]:
        """The ties of one node, strongest first."""
        return sorted((t for t in self.ties if key in (t.a, t.b)),
                      key=lambda t: (-t.weight, t.type, t.other(key)))

    def find_node(self, text: str) -> Node | None:
        """A node by key, label or member name (case-insensitive), else by a label that
        starts with ``text`` when only one does ("CareLink" finds "CareLink ApS")."""
        if text in self.nodes:
            return self.nodes[text]
        folded = text.strip().casefold()
        for node in self.nodes.values():
            if node.label.casefold() == folded:
                return node
        for node in self.nodes.values():
            if any(m.casefold() == folded for m in node.members):
                return node
        starting = [n for n in self.nodes.values() if n.label.casefold().startswith(folded)]
        return starting[0] if len(starting) == 1 else None

    def summary(self) -> dict[str, Any]:
        """Counts of nodes, ties and passages by tie type."""
        by_type: dict[str, dict[str, int]] = {}
        for tie in self.ties:
            entry = by_type.setdefault(tie.type, {"ties": 0, "passages": 0})
            entry["ties"] += 1
            entry["passages"] += tie.weight
        return {"nodes": len(self.nodes), "ties": len(self.ties),
                "passages": sum(t.weight for t in self.ties), "by_type": by_type}
