"""Turn a processed Doc into results: sentences, lemma words, mentions, suggestions, personal data.

The same functions serve ``workbench tag`` (stored in the project) and ``workbench tag-text``
(printed as JSON), so both always agree.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy
from spacy.tokens import Doc

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
    if not len(doc):
        return []
    arr = doc.to_array(["SENT_START", "IDX", "LENGTH", "IS_SPACE"]).astype(numpy.int64)
    sentence = numpy.cumsum(arr[:, 0] == 1)
    keep = arr[:, 3] == 0
    ids, idx, ends = sentence[keep], arr[keep, 1], arr[keep, 1] + arr[keep, 2]
    if not len(ids):
        return []
    first = numpy.ones(len(ids), dtype=bool)
    first[1:] = ids[1:] != ids[:-1]
    last = numpy.ones(len(ids), dtype=bool)
    last[:-1] = ids[:-1] != ids[1:]
    return list(zip(idx[first].tolist(), ends[last].tolist(), strict=True))


class LemmaWords:
    """One lower-case lemma per word of the text, aligned with SQLite's unicode61 words.

    A word that is a whole token gets the token's lemma; a piece of a token ("e" and "mail" of
    "e-mail") stays as written, so the i-th lemma always belongs to the i-th word of the text.
    What each word form contributes is cached, so most tokens cost one dictionary look-up.
    """

    _cache: dict[int, tuple[int, str | None]] = {}

    def __init__(self, doc: Doc):
        text = doc_text(doc)
        arr = doc.to_array(["ORTH", "IDX", "LENGTH", "LEMMA"])
        self.starts: list[int] = []
        self.words: list[str] = []
        if not len(arr):
            return
        idx, length = arr[:, 1].astype(numpy.int64), arr[:, 2].astype(numpy.int64)
        ends = idx + length
        # Two tokens written together ("10km") make one word for SQLite: then follow the text.
        glued = numpy.nonzero(ends[:-1] == idx[1:])[0]
        if any(text[e - 1].isalnum() and text[e].isalnum() for e in ends[glued].tolist()):
            self._from_text(doc, text)
            return
        strings = doc.vocab.strings
        cache = self._cache
        uniq, first, inverse = numpy.unique(arr[:, 0], return_index=True, return_inverse=True)
        lemmas = arr[first, 3].tolist()
        infos = []
        for orth, lemma in zip(uniq.tolist(), lemmas, strict=True):
            info = cache.get(orth)
            if info is None:
                info = cache[orth] = _word_info(strings[orth], strings[lemma] if lemma else "")
            infos.append(info)
        kinds = numpy.array([k for k, _ in infos], dtype=numpy.int8)[inverse]
        single = numpy.nonzero(kinds == 1)[0]
        starts = idx[single]
        words = numpy.array([w for _, w in infos], dtype=object)[inverse[single]]
        several = numpy.nonzero(kinds == 2)[0].tolist()
        if several:
            extra_starts, extra_words = [], []
            orths = arr[:, 0].tolist()
            idx_list = idx.tolist()
            for i in several:
                for match in WORD_RE.finditer(strings[orths[i]]):
                    extra_starts.append(idx_list[i] + match.start())
                    extra_words.append(match.group().lower())
            starts = numpy.concatenate([starts, numpy.array(extra_starts, dtype=numpy.int64)])
            words = numpy.concatenate([words, numpy.array(extra_words, dtype=object)])
            order = numpy.argsort(starts, kind="stable")
            starts, words = starts[order], words[order]
        self.starts = starts.tolist()
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


def _word_info(text: str, lemma: str) -> tuple[int, str | None]:
    """0: no word (punctuation, space); 1: one word (its lemma); 2: several words."""
    pieces = WORD_RE.findall(text)
    if not pieces:
        return 0, None
    if len(pieces) == 1 and pieces[0] == text:
        return 1, lemma if lemma and WORD_RE.fullmatch(lemma) else text.lower()
    return 2, None


def analyse(doc: Doc, resolver: Resolver, *, home: Mapping[str, str] | None = None,
            sents: list[tuple[int, int]] | None = None) -> DocAnalysis:
    """Collect sentences, resolved mentions, per-sentence suggestions and personal data."""
    result = DocAnalysis(sentences=sents if sents is not None else sentences(doc))
    for span in doc.spans.get("stakeholders", []):
        mention = resolver.resolve(span.text, span.kb_id_, span.label_, span.id_, home)
        if mention is None:
            continue
        mention.start, mention.end = span.start_char, span.end_char
        result.mentions.append(mention)
    result.suggestions = _suggestions(doc, result.sentences)
    result.personal_data = [{"kind": s.label_, "start": s.start_char, "end": s.end_char,
                             "text": s.text} for s in doc.spans.get("personal_data", [])]
    result.excluded = [{"code": s.label_, "start": s.start_char, "end": s.end_char,
                        "text": s.text, "why": s.kb_id_}
                       for s in doc.spans.get("excluded_indicators", [])]
    return result


def _suggestions(doc: Doc, sents: list[tuple[int, int]]) -> list[SuggestionResult]:
    """One suggestion per (sentence, code) with every matched word as evidence."""
    if not sents:
        return []
    starts = [s for s, _ in sents]
    grouped: dict[tuple[int, str], list] = {}
    for span in doc.spans.get("indicators", []):
        k = max(0, bisect.bisect_right(starts, span.start_char) - 1)
        grouped.setdefault((k, span.label_), []).append(span)
    out = []
    for (k, code), spans in sorted(grouped.items()):
        evidence = list(dict.fromkeys(s.text for s in spans))
        indicators = list(dict.fromkeys(s.kb_id_ for s in spans))
        score = round(1 - 0.5 ** len(indicators), 3)
        out.append(SuggestionResult(code, sents[k][0], sents[k][1], evidence, indicators, score))
    return out


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
