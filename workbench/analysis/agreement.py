"""Intercoder agreement: percent agreement, Cohen's kappa and Krippendorff's alpha (nominal).

**Which documents.** By default a document counts when every compared coder made at least one
coding in it (with any code): a coder who never opened a document has not said "no" to its
codes. Documents coded by some of the coders only are listed as excluded, with who is missing.
``documents=[...]`` chooses the documents instead (then a coder without codings in one of them
counts as "no" everywhere in it).

**Which codes.** By default every code that one of the compared coders applied in those
documents; ``codes=[...]`` chooses them (a code nobody applied is reported as undefined).

**Units and the yes/no rule.** Each code is judged separately, as a yes/no value per unit and
coder:

* ``character``: every character of the documents (white space included) is a unit; it is
  "yes" for coder X and code C when any coding of X with C covers it.
* ``sentence``, ``segment``, ``document``: it is "yes" when any coding of X with C shares at
  least one character with the unit (see :mod:`workbench.analysis.units`).

A code counts once per unit and coder however many overlapping codings produce it.

**Figures**, per code and pooled, each with the counts it comes from:

* percent agreement: units on which all coders give the same value / units;
* Cohen's kappa, for each pair of coders, from the 2x2 table (both yes, A only, B only,
  neither) over N units: ``po = (both + neither) / N``, ``pA = (both + A only) / N``,
  ``pB = (both + B only) / N``, ``pe = pA·pB + (1 − pA)(1 − pB)`` (chance agreement on yes plus
  on no), ``kappa = (po − pe) / (1 − pe)``;
* Krippendorff's alpha (nominal, no missing values) for all coders together:
  ``alpha = 1 − (n − 1) · D / (n_yes · n_no)`` where n = units × coders values, n_yes and
  n_no the values of each kind, and ``D = Σ_units yes_u · no_u / (coders − 1)`` the
  disagreeing pairs of values within units.

When there is nothing to compare (no units, or every value the same, so chance agreement is 1)
kappa and alpha are *undefined* and carry the reason; they are never shown as 1.0.

**Pooled** figures are computed over the per-code unit vectors laid end to end (every code's
units one after the other), i.e. from the summed 2x2 tables; alongside comes the plain mean of
the per-code kappas that are defined.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from itertools import combinations
from typing import Any

import numpy as np

from workbench.analysis.dataset import (
    NONE,
    Codings,
    Documents,
    check_coders,
    document_texts,
    load_codings,
    load_documents,
    resolve_codes,
)
from workbench.analysis.frequencies import CodeInfo, code_infos
from workbench.analysis.units import (
    UNIT_HELP,
    UNIT_KINDS,
    Units,
    build_units,
    merge_intervals,
    touching,
    trim_quote,
)
from workbench.core.store import Project
from workbench.errors import InvalidInput

MAX_CODERS = 8
RULES = {
    "character": "a character is 'yes' for a coder and a code when any coding of that coder "
                 "with that code covers it",
    "unit": "a {unit} is 'yes' for a coder and a code when any coding of that coder with that "
            "code shares at least one character with it; several codings count once",
}


# ------------------------------------------------------------------------------- statistics


@dataclass
class PairAgreement:
    """Two coders on one code (or pooled): the 2x2 table, percent agreement and kappa."""

    coder_a: str
    coder_b: str
    both: int
    a_only: int
    b_only: int
    neither: int
    units: int
    percent_agreement: float | None
    kappa: float | None
    kappa_note: str = ""
    expected_agreement: float | None = None


def cohen_kappa(both: int, a_only: int, b_only: int, neither: int
                ) -> tuple[float | None, float | None, str]:
    """Cohen's kappa from a 2x2 table.

    Returns:
        (kappa, chance agreement pe, note); kappa is None with the reason in the note when it
        is undefined.
    """
    n = both + a_only + b_only + neither
    if n == 0:
        return None, None, "undefined: there are no units to compare"
    yes_a, yes_b = both + a_only, both + b_only
    if yes_a == yes_b and yes_a in (0, n):
        said = "no" if yes_a == 0 else "yes"
        return None, 1.0, (f"undefined: both coders said {said} for every unit, so chance "
                           "agreement is 1 (no variation)")
    po = (both + neither) / n
    pa, pb = yes_a / n, yes_b / n
    pe = pa * pb + (1 - pa) * (1 - pb)
    return (po - pe) / (1 - pe), pe, ""


def krippendorff_alpha(yes_histogram: Sequence[int], coders: int) -> tuple[float | None, str]:
    """Krippendorff's alpha (nominal) for yes/no values without missing data.

    Args:
        yes_histogram: ``h[j]`` = units on which exactly j of the coders said yes.
        coders: the number of coders (every unit has a value from each).

    Returns:
        (alpha, note); alpha is None with the reason in the note when it is undefined.
    """
    h = np.asarray(yes_histogram, dtype=np.float64)
    units = h.sum()
    if units == 0:
        return None, "undefined: there are no units to compare"
    j = np.arange(len(h), dtype=np.float64)
    n = units * coders
    n_yes = float((h * j).sum())
    n_no = n - n_yes
    if n_yes == 0 or n_no == 0:
        said = "no" if n_yes == 0 else "yes"
        return None, (f"undefined: every coder said {said} for every unit, so expected "
                      "disagreement is 0 (no variation)")
    disagreeing = float((h * j * (coders - j)).sum()) / (coders - 1)
    return 1.0 - (n - 1) * disagreeing / (n_yes * n_no), ""


# ------------------------------------------------------------------------------- results


@dataclass
class CodeAgreement:
    """Agreement on one code (or pooled over the codes).

    Attributes:
        code: the code's name ("(pooled)" for the pooled row).
        code_id: the code's id (None when pooled).
        units: the number of units judged.
        yes: units each coder said yes to.
        all_agree: units on which every coder gave the same value.
        percent_agreement: all_agree / units (None without units).
        alpha, alpha_note: Krippendorff's alpha (nominal) and why it is undefined if it is.
        yes_histogram: units on which exactly 0, 1, ... coders said yes.
        pairs: one 2x2 table with kappa per pair of coders.
    """

    code: str
    code_id: int | None
    units: int
    yes: dict[str, int]
    all_agree: int
    percent_agreement: float | None
    alpha: float | None
    alpha_note: str
    yes_histogram: list[int]
    pairs: list[PairAgreement]

    @property
    def kappa(self) -> float | None:
        """Cohen's kappa of the first pair (the only pair with two coders)."""
        return self.pairs[0].kappa if self.pairs else None

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        data = asdict(self)
        data["kappa"] = self.kappa
        return data


@dataclass
class Disagreement:
    """A unit (or, for character units, a stretch) where the coders gave different values."""

    code: str
    document: str
    start: int
    end: int
    text: str
    coded_by: list[str]
    not_coded_by: list[str]


@dataclass
class AgreementReport:
    """Everything a supervisor needs to check an agreement figure.

    Attributes:
        coders: the compared coders.
        unit: character, sentence, segment or document.
        unit_description: what a unit is.
        rule: when a unit counts as "yes".
        document_rule: which documents were compared.
        documents: the documents compared.
        excluded: documents coded by only some of the coders, each with the missing coders.
        notes: warnings (e.g. a chosen document one coder never coded).
        codes: per-code results in codebook order.
        pooled: the pooled result over all codes.
        mean_kappa: per pair of coders: the mean of the defined per-code kappas and how many
            codes it covers.
        disagreements: filled when asked for.
    """

    coders: list[str]
    unit: str
    unit_description: str
    rule: str
    document_rule: str
    documents: list[str]
    excluded: list[dict[str, Any]]
    notes: list[str]
    codes: list[CodeAgreement]
    pooled: CodeAgreement
    mean_kappa: list[dict[str, Any]]
    disagreements: list[Disagreement] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {"coders": self.coders, "unit": self.unit,
                "unit_description": self.unit_description, "rule": self.rule,
                "document_rule": self.document_rule, "documents": self.documents,
                "excluded": self.excluded, "notes": self.notes,
                "codes": [c.to_dict() for c in self.codes], "pooled": self.pooled.to_dict(),
                "mean_kappa": self.mean_kappa,
                "disagreements": [asdict(d) for d in self.disagreements]}


def _summarise(code: str, code_id: int | None, patterns: np.ndarray,
               coders: list[str]) -> CodeAgreement:
    """Turn counts of units per yes-pattern (bit i = coder i said yes) into figures."""
    m = len(coders)
    patterns = np.asarray(patterns, dtype=np.int64)
    index = np.arange(len(patterns))
    bits = [(index >> i) & 1 for i in range(m)]
    units = int(patterns.sum())
    full = (1 << m) - 1
    all_agree = int(patterns[0] + patterns[full])
    popcount = sum(bits)
    histogram = np.bincount(popcount, weights=patterns, minlength=m + 1).astype(np.int64)
    alpha, alpha_note = krippendorff_alpha(histogram, m)
    pairs = []
    for i, j in combinations(range(m), 2):
        both = int(patterns[(bits[i] == 1) & (bits[j] == 1)].sum())
        a_only = int(patterns[(bits[i] == 1) & (bits[j] == 0)].sum())
        b_only = int(patterns[(bits[i] == 0) & (bits[j] == 1)].sum())
        neither = int(patterns[(bits[i] == 0) & (bits[j] == 0)].sum())
        kappa, pe, note = cohen_kappa(both, a_only, b_only, neither)
        pairs.append(PairAgreement(coders[i], coders[j], both, a_only, b_only, neither, units,
                                   (both + neither) / units if units else None, kappa, note,
                                   pe))
    return CodeAgreement(code, code_id, units,
                         {c: int(patterns[bits[i] == 1].sum()) for i, c in enumerate(coders)},
                         all_agree, all_agree / units if units else None, alpha, alpha_note,
                         histogram.tolist(), pairs)


# ------------------------------------------------------------------------------- selection


@dataclass
class _Selection:
    coders: list[str]
    docs: Documents
    codings: Codings
    infos: list[CodeInfo]
    kcode: np.ndarray  # code index (into infos) per coding
    excluded: list[dict[str, Any]]
    notes: list[str]
    document_rule: str


def _select(project: Project, coders: Sequence[str], codes: Iterable[str | int] | None,
            documents: Iterable[str | int] | None) -> _Selection:
    from workbench.analysis.dataset import split_list

    names = check_coders(project, split_list(list(coders)) or [])
    if len(names) < 2:
        raise InvalidInput("Agreement needs at least two different coders, e.g. --coders A,B.")
    if len(names) > MAX_CODERS:
        raise InvalidInput(f"Compare at most {MAX_CODERS} coders at a time.")
    coded: dict[int, set[str]] = {}
    for doc_id, coder in project.conn.execute(
            f"SELECT DISTINCT document_id, coder FROM codings "
            f"WHERE coder IN ({','.join('?' * len(names))})", names):
        coded.setdefault(doc_id, set()).add(coder)
    all_docs = load_documents(project)
    notes: list[str] = []
    excluded: list[dict[str, Any]] = []
    if documents is not None:
        chosen = load_documents(project, split_list(list(documents)) or [])
        rule = "the documents chosen with --documents"
        for doc_id, name in zip(chosen.ids.tolist(), chosen.names, strict=True):
            missing = [c for c in names if c not in coded.get(doc_id, set())]
            if missing:
                notes.append(f"{', '.join(missing)} made no codings in '{name}', so every unit "
                             "of it counts as 'no' for them.")
        docs = chosen
    else:
        rule = ("documents in which every compared coder made at least one coding "
                "(with any code)")
        rows = []
        for row, (doc_id, name) in enumerate(zip(all_docs.ids.tolist(), all_docs.names,
                                                 strict=True)):
            who = coded.get(doc_id, set())
            if len(who) == len(names):
                rows.append(row)
            elif who:
                excluded.append({"document": name,
                                 "coded_by": [c for c in names if c in who],
                                 "missing": [c for c in names if c not in who]})
        docs = all_docs.subset(rows)
        if not rows:
            raise InvalidInput(
                f"{' and '.join(names)} have not coded any document in common (each must make "
                "at least one coding in a document for it to count); choose documents with "
                "--documents.")
    code_ids = resolve_codes(project, codes)
    codings = load_codings(project, docs, code_ids=code_ids, coders=names)
    infos = code_infos(project, code_ids)
    if code_ids is None:
        used = set(np.unique(codings.code).tolist())
        infos = [c for c in infos if c.id in used]
    lookup = np.full(max([c.id for c in infos], default=0) + 1, NONE, dtype=np.int64)
    for i, info in enumerate(infos):
        lookup[info.id] = i
    kcode = np.full(len(codings), NONE, dtype=np.int64)
    in_range = codings.code < len(lookup)
    kcode[in_range] = lookup[codings.code[in_range]]
    keep = kcode != NONE
    return _Selection(names, docs, codings.take(keep), infos, kcode[keep], excluded, notes,
                      rule)


# ------------------------------------------------------------------------------- counting


def _unit_patterns(units: Units, sel: _Selection) -> np.ndarray:
    """Per unit and code, the yes-pattern (bit i set when coder i said yes): units x codes."""
    k = len(sel.infos)
    patterns = np.zeros((len(units), k), dtype=np.int64)
    which, unit = touching(units.gstart, units.gend, sel.codings.gstart, sel.codings.gend)
    for c in range(len(sel.coders)):
        own = sel.codings.coder[which] == c
        yes = np.zeros((len(units), k), dtype=bool)
        yes[unit[own], sel.kcode[which[own]]] = True
        patterns |= yes.astype(np.int64) << c
    return patterns


def _character_runs(sel: _Selection) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Stretches of text with a constant, non-empty yes-pattern, per code.

    Returns:
        (code index, global start, global end, pattern) of each stretch.
    """
    m = len(sel.coders)
    key, start, end = merge_intervals(sel.kcode * m + sel.codings.coder, sel.codings.gstart,
                                      sel.codings.gend)
    if not len(key):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, empty
    code, bit = key // m, np.left_shift(1, key % m)
    span = int(end.max()) + 1
    # One sweep over all codes: each code gets its own stretch of the axis.
    position = np.concatenate((code * span + start, code * span + end))
    delta = np.concatenate((bit, -bit))
    order = np.lexsort((delta, position))  # at equal positions, ends before starts
    position, delta = position[order], delta[order]
    pattern = np.cumsum(delta)
    length = np.diff(position)
    pattern = pattern[:-1]
    # Every code's events sum to zero, so a stretch with a pattern lies within one code.
    real = (length > 0) & (pattern != 0)
    run_start = position[:-1][real]
    run_code = run_start // span
    return run_code, run_start - run_code * span, run_start - run_code * span + length[real], \
        pattern[real]


def _character_patterns(sel: _Selection) -> tuple[np.ndarray, tuple]:
    k, m = len(sel.infos), len(sel.coders)
    runs = _character_runs(sel)
    code, start, end, pattern = runs
    counts = np.bincount(code * (1 << m) + pattern, weights=end - start,
                         minlength=k * (1 << m)).astype(np.int64).reshape(k, 1 << m)
    counts[:, 0] = int(sel.docs.lengths.sum()) - counts.sum(axis=1)
    return counts, runs


def _doc_at(docs: Documents, gpos: np.ndarray) -> np.ndarray:
    return np.searchsorted(docs.offsets, gpos, side="right") - 1


def _disagreement(sel: _Selection, texts: dict[int, str], code: int, row: int, start: int,
                  end: int, pattern: int, limit: int) -> Disagreement:
    yes = [c for i, c in enumerate(sel.coders) if pattern >> i & 1]
    return Disagreement(sel.infos[code].name, sel.docs.names[row], start, end,
                        trim_quote(texts[int(sel.docs.ids[row])][start:end], limit), yes,
                        [c for c in sel.coders if c not in yes])


# ------------------------------------------------------------------------------- entry points


def agreement(project: Project, coders: Sequence[str], *, unit: str = "sentence",
              codes: Iterable[str | int] | None = None,
              documents: Iterable[str | int] | None = None,
              disagreements: bool = False, quote_limit: int = 200) -> AgreementReport:
    """Intercoder agreement per code and pooled (see the module docstring for every rule).

    Args:
        coders: two or more coder names ("A,B" is split at commas).
        unit: character, sentence, segment or document.
        codes: only these codes; default the codes the coders applied.
        documents: compare these documents; default those every coder coded.
        disagreements: also list each unit (character stretch) where the coders differ.
        quote_limit: trim disagreement quotes to this many characters.

    Raises:
        InvalidInput: fewer than two coders, an unknown unit, or no common documents.
        NotFoundError: an unknown coder, code or document.
    """
    if unit not in UNIT_KINDS:
        raise InvalidInput(f"'{unit}' is not a unit; use {', '.join(UNIT_KINDS)}.")
    sel = _select(project, coders, codes, documents)
    k, m = len(sel.infos), len(sel.coders)
    texts: dict[int, str] = {}
    if disagreements or unit == "sentence":
        texts = document_texts(project, sel.docs.ids.tolist())
    found: list[Disagreement] = []
    if unit == "character":
        counts, (run_code, run_start, run_end, run_pattern) = _character_patterns(sel)
        if disagreements:
            found = _character_disagreements(sel, texts, run_code, run_start, run_end,
                                             run_pattern, quote_limit)
    else:
        units = build_units(project, sel.docs, unit, texts)
        patterns = _unit_patterns(units, sel)
        offsets = (np.arange(k, dtype=np.int64) << m)[None, :]
        counts = np.bincount((patterns + offsets).ravel(),
                             minlength=k << m).reshape(k, 1 << m) if k else \
            np.zeros((0, 1 << m), dtype=np.int64)
        if disagreements:
            full = (1 << m) - 1
            rows, cols = np.nonzero((patterns != 0) & (patterns != full))
            for u, c in zip(rows.tolist(), cols.tolist(), strict=True):
                found.append(_disagreement(sel, texts, c, int(units.doc[u]),
                                           int(units.start[u]), int(units.end[u]),
                                           int(patterns[u, c]), quote_limit))
    per_code = [_summarise(info.name, info.id, counts[i], sel.coders)
                for i, info in enumerate(sel.infos)]
    pooled = _summarise("(pooled)", None, counts.sum(axis=0) if k else
                        np.zeros(1 << m, dtype=np.int64), sel.coders)
    mean_kappa = []
    for p, (a, b) in enumerate(combinations(sel.coders, 2)):
        defined = [c.pairs[p].kappa for c in per_code if c.pairs[p].kappa is not None]
        mean_kappa.append({"coder_a": a, "coder_b": b,
                           "mean_kappa": float(np.mean(defined)) if defined else None,
                           "codes": len(defined), "undefined": len(per_code) - len(defined)})
    found.sort(key=lambda d: (d.document.casefold(), d.start, d.end, d.code))
    rule = RULES["character"] if unit == "character" else RULES["unit"].format(unit=unit)
    return AgreementReport(sel.coders, unit, UNIT_HELP[unit], rule, sel.document_rule,
                           list(sel.docs.names), sel.excluded, sel.notes, per_code, pooled,
                           mean_kappa, found)


def _character_disagreements(sel: _Selection, texts: dict[int, str], code: np.ndarray,
                             start: np.ndarray, end: np.ndarray, pattern: np.ndarray,
                             limit: int) -> list[Disagreement]:
    """Stretches of characters where the coders differ, neighbouring equal stretches joined."""
    full = (1 << len(sel.coders)) - 1
    stretches: list[list[int]] = []
    for c, s, e, p in zip(code.tolist(), start.tolist(), end.tolist(), pattern.tolist(),
                          strict=True):
        if p == full:
            continue
        last = stretches[-1] if stretches else None
        if last is not None and last[0] == c and last[2] == s and last[3] == p:
            last[2] = e  # the same coders on both sides of a zero-length event
        else:
            stretches.append([c, s, e, p])
    if not stretches:
        return []
    rows = _doc_at(sel.docs, np.asarray([st[1] for st in stretches], dtype=np.int64)).tolist()
    result = []
    for (c, s, e, p), row in zip(stretches, rows, strict=True):
        offset = int(sel.docs.offsets[row])
        result.append(_disagreement(sel, texts, c, row, s - offset, e - offset, p, limit))
    return result


def unit_vectors(project: Project, coders: Sequence[str], code: str | int, *,
                 unit: str = "sentence", documents: Iterable[str | int] | None = None
                 ) -> dict[str, np.ndarray]:
    """The yes/no (1/0) vector of each coder for one code, over the units in document order.

    The same vectors the figures are computed from, for checking them with other tools
    (``sklearn.metrics.cohen_kappa_score``, ``krippendorff.alpha``). Character vectors have
    one entry per character of the compared documents.
    """
    if unit not in UNIT_KINDS:
        raise InvalidInput(f"'{unit}' is not a unit; use {', '.join(UNIT_KINDS)}.")
    sel = _select(project, coders, [code], documents)
    m = len(sel.coders)
    if unit == "character":
        total = int(sel.docs.offsets[-1] + sel.docs.lengths[-1]) if len(sel.docs) else 0
        inside = np.zeros(total, dtype=bool)
        for row in range(len(sel.docs)):
            inside[sel.docs.offsets[row]:sel.docs.offsets[row] + sel.docs.lengths[row]] = True
        pattern = np.zeros(total, dtype=np.int64)
        _, start, end, run_pattern = _character_runs(sel)
        for s, e, p in zip(start.tolist(), end.tolist(), run_pattern.tolist(), strict=True):
            pattern[s:e] = p
        pattern = pattern[inside]
    else:
        units = build_units(project, sel.docs, unit)
        pattern = _unit_patterns(units, sel)[:, 0] if sel.infos else \
            np.zeros(len(units), dtype=np.int64)
    return {c: ((pattern >> i) & 1).astype(np.int64) for i, c in enumerate(sel.coders[:m])}
