"""Code x code co-occurrence with counts and the Jaccard coefficient.

Two ways to say that codes A and B occur together (``within``):

* ``overlap``: the units are **passages**. For a pair of codes, a passage is a stretch of text
  covered by codings of A or B in which codings that overlap (share at least one character)
  join into one passage; codings that merely touch (one ends where the next starts) do not.
  A passage *holds* A when it contains a coding of A. A passage holding both A and B always
  contains a coding of A that overlaps a coding of B, so ``both`` counts the places where the
  two codes overlap, each place once however many codings pile up there.
* ``segment``: the units are segments (speaker turns, paragraphs; a document without segments
  is one unit). A segment holds A when a coding of A shares at least one character with it.

For each pair: ``both`` = units holding A and B, ``a_only`` and ``b_only`` = units holding just
one of them, ``either`` = units holding A or B (= both + a_only + b_only), and
``jaccard = both / either`` (|A ∩ B| / |A ∪ B| over the units; 0 when either is 0). The
diagonal of the count matrix holds, per code, its passages (overlapping codings of the code
merged) or the segments holding it.

Codings of every coder count (a coding of A by one coder can overlap a coding of B by
another); restrict to one coder with ``coders=[...]``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from workbench.analysis.dataset import (
    NONE,
    check_coders,
    load_codings,
    load_documents,
    resolve_codes,
)
from workbench.analysis.frequencies import CodeInfo, code_infos
from workbench.analysis.units import merge_intervals, segment_units, touching
from workbench.core.store import Project
from workbench.errors import InvalidInput

WITHIN = ("overlap", "segment")


@dataclass
class CooccurrenceTable:
    """Co-occurrence of every pair of codes.

    Attributes:
        within: "overlap" or "segment".
        codes: the codes, in codebook order (matrix rows and columns).
        coders: whose codings were counted.
        counts: K x K; off the diagonal units holding both codes, on it units holding the code.
        jaccard: K x K Jaccard coefficients (1 on the diagonal of a used code, 0 when unused).
        pairs: one dict per pair of different codes that occur together at least once:
            code_a, code_b, both, a_only, b_only, either, jaccard; most frequent first.
    """

    within: str
    codes: list[CodeInfo]
    coders: list[str]
    counts: np.ndarray
    jaccard: np.ndarray
    pairs: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The table as plain data for JSON."""
        return {"within": self.within, "coders": self.coders,
                "codes": [c.to_dict() for c in self.codes],
                "counts": self.counts.tolist(),
                "jaccard": [[round(x, 6) for x in row] for row in self.jaccard.tolist()],
                "pairs": self.pairs}


def cooccurrence(project: Project, *, within: str = "overlap",
                 codes: Iterable[str | int] | None = None,
                 coders: Sequence[str] | None = None,
                 include_unused: bool = False) -> CooccurrenceTable:
    """Count how often each pair of codes occurs together (see the module docstring).

    Args:
        within: "overlap" (passages where codings overlap) or "segment" (same segment).
        codes: only these codes; default every code.
        coders: only these coders' codings; default everybody's.
        include_unused: keep codes without codings in the matrix (default: drop them unless
            they were named in ``codes``).

    Raises:
        InvalidInput: an unknown ``within``.
        NotFoundError: an unknown code or coder.
    """
    if within not in WITHIN:
        raise InvalidInput(f"'{within}' is not a way to count co-occurrence; "
                           "use overlap or segment.")
    code_ids = resolve_codes(project, codes)
    coder_names = check_coders(project, coders) if coders else None
    docs = load_documents(project)
    codings = load_codings(project, docs, code_ids=code_ids, coders=coder_names)
    infos = code_infos(project, code_ids)
    if code_ids is None and not include_unused:
        used = set(np.unique(codings.code).tolist())
        infos = [c for c in infos if c.id in used]
    k = len(infos)
    lookup = np.full(max([c.id for c in infos], default=0) + 1, NONE, dtype=np.int64)
    for i, info in enumerate(infos):
        lookup[info.id] = i
    in_range = codings.code < len(lookup)
    kcode = np.full(len(codings), NONE, dtype=np.int64)
    kcode[in_range] = lookup[codings.code[in_range]]
    keep = kcode != NONE
    codings = codings.take(keep)
    kcode = kcode[keep]

    if within == "segment":
        counts, only = _segment_counts(project, docs, codings.gstart, codings.gend, kcode, k)
    else:
        counts, only = _overlap_counts(codings.gstart, codings.gend, codings.doc, kcode, k)

    either = counts + only + only.T
    np.fill_diagonal(either, np.diag(counts))
    jaccard = np.divide(counts, either, out=np.zeros((k, k), dtype=float), where=either > 0)
    pairs = []
    for a in range(k):
        for b in range(a + 1, k):
            both = int(counts[a, b])
            if both:
                pairs.append({"code_a": infos[a].name, "code_b": infos[b].name, "both": both,
                              "a_only": int(only[a, b]), "b_only": int(only[b, a]),
                              "either": int(either[a, b]), "jaccard": float(jaccard[a, b])})
    pairs.sort(key=lambda p: (-p["both"], -p["jaccard"], p["code_a"], p["code_b"]))
    return CooccurrenceTable(within, infos, codings.coders, counts, jaccard, pairs)


def _segment_counts(project: Project, docs, gstart: np.ndarray, gend: np.ndarray,
                    kcode: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Segments holding each code and each pair; ``only[a, b]``: holding a but not b."""
    units = segment_units(project, docs)
    which, unit = touching(units.gstart, units.gend, gstart, gend)
    present = np.zeros((len(units), k), dtype=np.int64)
    present[unit, kcode[which]] = 1
    counts = present.T @ present
    only = np.diag(counts)[:, None] - counts
    np.fill_diagonal(only, 0)
    return counts, only


def _overlap_counts(gstart: np.ndarray, gend: np.ndarray, doc: np.ndarray, kcode: np.ndarray,
                    k: int) -> tuple[np.ndarray, np.ndarray]:
    """Passages per code and per pair (see the module docstring)."""
    counts = np.zeros((k, k), dtype=np.int64)
    only = np.zeros((k, k), dtype=np.int64)
    if not len(kcode):
        return counts, only
    merged_code, _, _ = merge_intervals(kcode, gstart, gend)
    counts[np.arange(k), np.arange(k)] = np.bincount(merged_code, minlength=k)
    order = np.argsort(gstart, kind="stable")
    gstart, gend, kcode = gstart[order], gend[order], kcode[order]
    # Pairs of codes that never share a document cannot overlap: skip them cheaply.
    shares = np.zeros((k, int(doc.max()) + 1), dtype=bool)
    shares[kcode, doc[order]] = True
    together = shares.astype(np.int64) @ shares.T.astype(np.int64)
    positions = [np.flatnonzero(kcode == c) for c in range(k)]
    for a in range(k):
        for b in range(a + 1, k):
            if not together[a, b]:
                only[a, b], only[b, a] = counts[a, a], counts[b, b]
                continue
            idx = np.sort(np.concatenate((positions[a], positions[b])))
            starts, ends, is_a = gstart[idx], gend[idx], kcode[idx] == a
            reach = np.maximum.accumulate(ends)
            new = np.ones(len(idx), dtype=bool)
            new[1:] = starts[1:] >= reach[:-1]
            passage = np.cumsum(new) - 1
            n = int(passage[-1]) + 1
            has_a = np.bincount(passage, weights=is_a, minlength=n) > 0
            has_b = np.bincount(passage, weights=~is_a, minlength=n) > 0
            both = int(np.count_nonzero(has_a & has_b))
            counts[a, b] = counts[b, a] = both
            only[a, b] = int(np.count_nonzero(has_a & ~has_b))
            only[b, a] = int(np.count_nonzero(has_b & ~has_a))
    return counts, only
