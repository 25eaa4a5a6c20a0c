"""Turn a processed Doc into results: sentences, lemma words, mentions, suggestions, personal data.

The same functions serve ``workbench tag`` (stored in the project) and ``workbench tag-text``
(printed as JSON), so both always agree.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, NamedTuple

import numpy
from spacy.tokens import Doc

from workbench.nlp import code_model as code_model_mod
from workbench.nlp import indicators as indicators_mod
from workbench.nlp import personal_data as personal_mod
from workbench.nlp import stakeholder_ruler as ruler_mod
from workbench.nlp.forms import SENT_STARTS_KEY, FormTable, forms_for, token_idx
from workbench.nlp.gazetteer import Gazetteer
from workbench.nlp.lemmas import WORD_RE
from workbench.nlp.textkeeping import doc_text


@dataclass
class MentionResult:
    """A stakeholder mention resolved to its canonical stakeholder."""

    start: int
    end: int
    surface: str
    canonical: str
    sector: str
    kind: str
    how: str  # named, pattern, generic, role, model


@dataclass
class SuggestionResult:
    """A sentence that an indicator of ``code`` matched, with the matched words as evidence."""

    code: str
    start: int
    end: int
    evidence: list[str]
    indicators: list[str]
    score: float


@dataclass
class DocAnalysis:
    """Everything tagging finds in one text."""

    sentences: list[tuple[int, int]] = field(default_factory=list)
    mentions: list[MentionResult] = field(default_factory=list)
    suggestions: list[SuggestionResult] = field(default_factory=list)
    personal_data: list[dict[str, Any]] = field(default_factory=list)
    excluded: list[dict[str, Any]] = field(default_factory=list)


class Resolver:
    """Maps a mention span to its canonical stakeholder.

    ``home`` maps a sector to the canonical name that the singular definite generic term of
    that sector means in this project or case ({"region": "Region Midtjylland"}).
    """

    def __init__(self, gazetteer: Gazetteer, home: Mapping[str, str] | None = None):
        self.gazetteer = gazetteer
        self.home = dict(home or {})
        # home key -> (surface, canonical, sector, how, kind) -> resolved fields
        self._cache: dict[tuple, dict[tuple, tuple[str, str, str, str]]] = {}

    def home_key(self, home: Mapping[str, str] | None = None) -> tuple:
        """What :meth:`resolve_fields` needs to know of the home stakeholders in force."""
        return (tuple(sorted(home.items())) if home else (), tuple(sorted(self.home.items())))

    def resolved(self, home_key: tuple) -> dict[tuple, tuple[str, str, str, str]]:
        """The mentions resolved so far under the home stakeholders of ``home_key``, by
        (surface, canonical, sector, how, kind)."""
        return self._cache.setdefault(home_key, {})

    def resolve_fields(self, surface: str, canonical: str, sector: str, how: str, kind: str,
                       home: Mapping[str, str] | None = None, home_key: tuple | None = None
                       ) -> tuple[str, str, str, str]:
        """(canonical, sector, kind, how) of one mention, remembered per distinct mention
        (``home_key``: :meth:`home_key` for ``home``, when the caller has it)."""
        cache = self.resolved(self.home_key(home) if home_key is None else home_key)
        key = (surface, canonical, sector, how, kind)
        fields = cache.get(key)
        if fields is None:
            m = self.resolve(surface, canonical, sector, f"{how}:{kind}", home)
            fields = cache[key] = (m.canonical, m.sector, m.kind, m.how)
        return fields

    def resolve(self, surface: str, canonical: str, sector: str, span_id: str,
                home: Mapping[str, str] | None = None) -> MentionResult | None:
        """Resolve one span's fields; ``home`` (per case) overrides the resolver's own."""
        how, _, kind = span_id.partition(":")
        entry = self.gazetteer.get(canonical) if how != "model" else None
        if entry is not None:
            canonical, sector, kind = entry.name, entry.sector, entry.kind
            homes = {**self.home, **(home or {})}
            if entry.home and surface.lower() in entry.home_forms and homes.get(entry.home):
                target = homes[entry.home]
                home_entry = self.gazetteer.get(target)
                canonical = home_entry.name if home_entry else target
                sector = home_entry.sector if home_entry else entry.sector
                kind = home_entry.kind if home_entry else "organisation"
        return MentionResult(0, 0, surface, canonical, sector, kind or "organisation", how)


def sentences(doc: Doc) -> list[tuple[int, int]]:
    """Sentence offsets with surrounding whitespace trimmed (empty sentences dropped)."""
    n = len(doc)
    if not n:
        return []
    forms = forms_for(doc.vocab)
    ids = forms.ids(doc)
    starts = doc.user_data.get(SENT_STARTS_KEY)
    if starts is None:
        starts = numpy.nonzero(doc.to_array("SENT_START") == 1)[0]
    sentence = numpy.zeros(n, dtype=numpy.int64)
    sentence[starts[starts > 0]] = 1
    sentence = numpy.cumsum(sentence)
    keep = ~forms["space"][ids]
    idx = token_idx(doc)
    ids_kept, idx_kept = sentence[keep], idx[keep]
    if not len(ids_kept):
        return []
    ends = idx_kept + forms["length"][ids[keep]]
    first = numpy.ones(len(ids_kept), dtype=bool)
    first[1:] = ids_kept[1:] != ids_kept[:-1]
    last = numpy.ones(len(ids_kept), dtype=bool)
    last[:-1] = ids_kept[:-1] != ids_kept[1:]
    return list(zip(idx_kept[first].tolist(), ends[last].tolist(), strict=True))


class LemmaWords:
    """One lower-case lemma per word of the text, aligned with SQLite's unicode61 words.

    A word that is a whole token gets the token's lemma; a piece of a token ("e" and "mail" of
    "e-mail") stays as written, so the i-th lemma always belongs to the i-th word of the text.
    What each word form contributes is a form feature, so a doc costs a few array operations.
    """

    def __init__(self, doc: Doc):
        text = doc_text(doc)
        # Word starts: a list or an int64 array (which the many-ranges look-up reads as is).
        self.starts: list[int] | numpy.ndarray = []
        self.words: list[str] = []
        if not len(doc):
            return
        forms = _lemma_word_forms(doc)
        ids = forms.ids(doc)
        idx = token_idx(doc)
        ends = idx + forms["length"][ids]
        # Two tokens written together ("10km") make one word for SQLite: then follow the text.
        if len(ids) > 1 and (
                (ends[:-1] == idx[1:]) & forms["lw_ends_alnum"][ids[:-1]]
                & forms["lw_starts_alnum"][ids[1:]]).any():
            self._from_text(doc, text)
            return
        kinds = forms["lw_kind"][ids]
        single = numpy.nonzero(kinds == 1)[0]
        starts = idx[single]
        words = forms["lw_word"][ids[single]]
        several = numpy.nonzero(kinds == 2)[0].tolist()
        if several:
            extra_starts, extra_words = [], []
            idx_list = idx.tolist()
            for i in several:
                for match in WORD_RE.finditer(forms.texts[ids[i]]):
                    extra_starts.append(idx_list[i] + match.start())
                    extra_words.append(match.group().lower())
            starts = numpy.concatenate([starts, numpy.array(extra_starts, dtype=numpy.int64)])
            words = numpy.concatenate([words, numpy.array(extra_words, dtype=object)])
            order = numpy.argsort(starts, kind="stable")
            starts, words = starts[order], words[order]
        self.starts = starts
        self.words = words.tolist()

    def _from_text(self, doc: Doc, text: str) -> None:
        strings = doc.vocab.strings
        arr = doc.to_array(["IDX", "LENGTH", "LEMMA"]).tolist()
        by_start = {idx: (idx + length, lemma) for idx, length, lemma in arr}
        for match in WORD_RE.finditer(text):
            s, e = match.span()
            word = match.group().lower()
            token = by_start.get(s)
            if token is not None and token[0] == e and token[1]:
                lemma = strings[token[1]]
                if WORD_RE.fullmatch(lemma):
                    word = lemma
            self.starts.append(s)
            self.words.append(word)

    def between(self, start: int, end: int) -> str:
        """The lemma words of the text between ``start`` and ``end``, joined by spaces."""
        lo = bisect.bisect_left(self.starts, start)
        hi = bisect.bisect_left(self.starts, end)
        return " ".join(self.words[lo:hi])

    def texts(self, bounds: list[tuple[int, int]]) -> list[str]:
        """:meth:`between` for many (start, end) ranges at once."""
        if not bounds:
            return []
        starts = numpy.asarray(self.starts, dtype=numpy.int64)
        edges = numpy.searchsorted(starts, numpy.array(bounds, dtype=numpy.int64).ravel())
        words = self.words
        pairs = edges.tolist()
        return [" ".join(words[pairs[i]:pairs[i + 1]]) for i in range(0, len(pairs), 2)]


def _lemma_word_forms(doc: Doc) -> FormTable:
    forms = forms_for(doc.vocab)
    try:
        forms["lw_kind"]
    except KeyError:
        forms.add_features([("lw_kind", numpy.int8), ("lw_word", object),
                            ("lw_starts_alnum", bool), ("lw_ends_alnum", bool)], _word_info)
    return forms


def _word_info(text: str, lemma: str) -> tuple[int, str | None, bool, bool]:
    """What a word form adds to the lemma text: 0 no word (punctuation, space), 1 one word
    (with its lemma), 2 several words; and whether it starts and ends with a letter or digit."""
    if text.isalnum():
        # One word, as most forms are (a character of WORD_RE is one str.isalnum accepts).
        return 1, lemma if lemma.isalnum() else text.lower(), True, True
    edges = text[:1].isalnum(), text[-1:].isalnum()
    pieces = WORD_RE.findall(text)
    if not pieces:
        return 0, None, *edges
    if len(pieces) == 1 and pieces[0] == text:
        return 1, lemma if lemma and WORD_RE.fullmatch(lemma) else text.lower(), *edges
    return 2, None, *edges


class Findings(NamedTuple):
    """What tagging finds in one text, as plain tuples (quick to build, and to pass from a
    worker process to the one that stores them)."""

    sentences: list[tuple[int, int]]
    # (start, end, surface, canonical, sector, kind, how), as in MentionResult
    mentions: list[tuple[int, int, str, str, str, str, str]]
    # (code, start, end, evidence, indicators, score), as in SuggestionResult
    suggestions: list[tuple[str, int, int, list[str], list[str], float]]
    # (kind, start, end, text)
    personal_data: list[tuple[str, int, int, str]]


def findings(doc: Doc, resolver: Resolver, *, home: Mapping[str, str] | None = None,
             sents: list[tuple[int, int]] | None = None) -> Findings:
    """Sentences, resolved mentions, per-sentence suggestions and personal data of a doc."""
    sents = sents if sents is not None else sentences(doc)
    text = doc_text(doc)
    bounds = _TokenBounds(doc)
    home_key = resolver.home_key(home)
    resolved = resolver.resolved(home_key)
    mentions = []
    found = _stakeholder_results(doc)
    for (_, _, how, canonical, sector, kind), start, end in zip(found, *bounds.chars(
            [m[0] for m in found], [m[1] for m in found]), strict=True):
        surface = text[start:end]
        # The same mention recurs throughout a project: resolve each distinct one once.
        fields = resolved.get((surface, canonical, sector, how, kind))
        if fields is None:
            fields = resolver.resolve_fields(surface, canonical, sector, how, kind, home,
                                             home_key)
        mentions.append((start, end, surface, *fields))
    personal = _personal_results(doc)
    personal_data = [
        (kind, start, end, text[start:end])
        for (kind, _, _), start, end in zip(personal, *bounds.chars(
            [p[1] for p in personal], [p[2] for p in personal]), strict=True)]
    return Findings(sents, mentions, _suggestions(doc, sents, bounds), personal_data)


def analyse(doc: Doc, resolver: Resolver, *, home: Mapping[str, str] | None = None,
            sents: list[tuple[int, int]] | None = None) -> DocAnalysis:
    """Collect sentences, resolved mentions, per-sentence suggestions and personal data, and
    the indicator words an exclusion cancelled."""
    found = findings(doc, resolver, home=home, sents=sents)
    text = doc_text(doc)
    excluded = _indicator_results(doc, excluded=True)
    return DocAnalysis(
        sentences=found.sentences,
        mentions=[MentionResult(*m) for m in found.mentions],
        suggestions=[SuggestionResult(*s) for s in found.suggestions],
        personal_data=[{"kind": kind, "start": start, "end": end, "text": surface}
                       for kind, start, end, surface in found.personal_data],
        excluded=[{"code": code, "start": start, "end": end, "text": text[start:end],
                   "why": why}
                  for (code, why, _, _), start, end in zip(excluded, *_TokenBounds(doc).chars(
                      [x[2] for x in excluded], [x[3] for x in excluded]), strict=True)])


class _TokenBounds:
    """Character offsets of token spans, converted for many spans at once."""

    def __init__(self, doc: Doc):
        self.doc = doc
        self.idx: numpy.ndarray | None = None

    def chars(self, starts: list[int], ends: list[int]) -> tuple[list[int], list[int]]:
        """Start and end characters of the token spans [start, end)."""
        if not starts:
            return [], []
        if self.idx is None:
            forms = forms_for(self.doc.vocab)
            ids = forms.ids(self.doc)
            self.idx = token_idx(self.doc)
            self.ends = self.idx + forms["length"][ids]
        return (self.idx[numpy.array(starts)].tolist(),
                self.ends[numpy.array(ends) - 1].tolist())


def _stakeholder_results(doc: Doc) -> list[tuple[int, int, str, str, str, str]]:
    found = doc.user_data.get(ruler_mod.RESULTS_KEY)
    if found is not None:
        return found
    out = []
    for span in doc.spans.get("stakeholders", []):
        how, _, kind = span.id_.partition(":")
        out.append((span.start, span.end, how, span.kb_id_, span.label_, kind))
    return out


def _indicator_results(doc: Doc, excluded: bool = False) -> list[tuple[str, str, int, int]]:
    found = doc.user_data.get(indicators_mod.EXCLUDED_KEY if excluded
                              else indicators_mod.RESULTS_KEY)
    if found is not None:
        return found
    group = "excluded_indicators" if excluded else "indicators"
    return [(s.label_, s.kb_id_, s.start, s.end) for s in doc.spans.get(group, [])]


def _personal_results(doc: Doc) -> list[tuple[str, int, int]]:
    found = doc.user_data.get(personal_mod.RESULTS_KEY)
    if found is not None:
        return found
    return [(s.label_, s.start, s.end) for s in doc.spans.get("personal_data", [])]


def _suggestions(doc: Doc, sents: list[tuple[int, int]], bounds: _TokenBounds
                 ) -> list[tuple[str, int, int, list[str], list[str], float]]:
    """One suggestion per (sentence, code) with every matched word as evidence (as the
    fields of SuggestionResult)."""
    hits = _indicator_results(doc)
    scored = doc.user_data.get(code_model_mod.RESULTS_KEY) or []
    if not sents or not (hits or scored):
        return []
    # Evidence in text order, whatever order the matcher found the words in (hits at the same
    # word by their end, then indicator).
    hits = sorted(hits, key=lambda h: (h[2], h[3], h[1]))
    text = doc_text(doc)
    hit_starts, hit_ends = bounds.chars([h[2] for h in hits], [h[3] for h in hits])
    which = numpy.searchsorted(numpy.array([s for s, _ in sents]), hit_starts, side="right") - 1
    grouped: dict[tuple[int, str], list] = {}
    for (code, label, _, _), start, end, k in zip(hits, hit_starts, hit_ends, which.tolist(),
                                                  strict=True):
        grouped.setdefault((max(k, 0), code), []).append((text[start:end], label))
    out = []
    for (k, code), found in sorted(grouped.items()):
        if len(found) == 1:  # most sentences have one indicator word
            evidence, indicators = [found[0][0]], [found[0][1]]
        else:
            evidence = list(dict.fromkeys(t for t, _ in found))
            indicators = list(dict.fromkeys(label for _, label in found))
        out.append((code, sents[k][0], sents[k][1], evidence, indicators,
                    _SCORES.get(len(indicators)) or round(1 - 0.5 ** len(indicators), 3)))
    if scored:
        # The lemma model's suggestions, for sentences no indicator of the code matched, and
        # where no exclusion of the code cancelled one: the codebook has said the words there
        # are a trap or a denial ("vi er ikke imod, at ..."), and a word model cannot tell.
        starts = numpy.array([s for s, _ in sents])
        vetoed = set(grouped)
        cancelled = _indicator_results(doc, excluded=True)
        if cancelled:
            at, _ = bounds.chars([c[2] for c in cancelled], [c[3] for c in cancelled])
            which = numpy.searchsorted(starts, at, side="right") - 1
            vetoed |= {(max(k, 0), c[0]) for c, k in zip(cancelled, which.tolist(),
                                                         strict=True)}
        firsts, _ = bounds.chars([s[1] for s in scored], [s[1] + 1 for s in scored])
        where = numpy.searchsorted(starts, firsts, side="right") - 1
        for (code, _, prob, *rows), k in zip(scored, where.tolist(), strict=True):
            k = max(k, 0)
            if (k, code) in vetoed:
                continue
            evidence = code_model_mod.evidence(doc, *rows)
            if evidence:  # no content word, no suggestion
                out.append((code, sents[k][0], sents[k][1], evidence, [MODEL_EVIDENCE], prob))
        out.sort(key=lambda s: (s[1], s[0]))
    return out


# What a suggestion of the lemma model lists as its indicator (its evidence: the words that
# weighed most).
MODEL_EVIDENCE = "(model)"


# The score of a suggestion with n distinct indicators (the common counts, computed once).
_SCORES = {n: round(1 - 0.5 ** n, 3) for n in range(1, 9)}


def analysis_to_json(doc: Doc, result: DocAnalysis, pipeline_id: str) -> dict[str, Any]:
    """The ``workbench tag-text`` output: plain data, offsets in code points."""
    text = doc_text(doc)
    return {
        "pipeline": pipeline_id,
        "sentences": [{"start": s, "end": e, "text": text[s:e]} for s, e in result.sentences],
        "tokens": [{"text": t.text, "lemma": t.lemma_, "start": t.idx,
                    "end": t.idx + len(t.text)} for t in doc if not t.is_space],
        "mentions": [asdict(m) for m in result.mentions],
        "suggestions": [{**asdict(s), "text": text[s.start:s.end]} for s in result.suggestions],
        "excluded": result.excluded,
        "personal_data": result.personal_data,
    }
