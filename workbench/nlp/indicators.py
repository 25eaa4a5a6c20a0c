"""Code suggestions from indicator lemmas, with exclusions for lexical traps.

An indicator is a word or a phrase (words separated by spaces, matched on consecutive words);
a word matches a token when it equals the token's lemma, the lemma of the indicator word, or the
token as written (lower case); a trailing ``*`` makes it a prefix ("tillids*" matches
"tillidsfuld"). Exclusions cancel hits; an exclusion may name

* ``pattern``: a word or phrase (same syntax); a hit overlapping a match of it is cancelled,
* ``indicator``: the exclusion only applies to hits of this indicator,
* ``near`` and ``window``: the hit is cancelled when one of these words occurs within
  ``window`` words of it in the same sentence.

Every condition an exclusion names must hold for it to cancel a hit. The traps in the default
codebook are written this way: "tryghed" near "patienterne", "konfliktsky", "chancen for".
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy
import yaml
from spacy.language import Language
from spacy.tokens import Doc, Span

from workbench.errors import InvalidInput
from workbench.nlp.lemmas import indicator_lemma

DEFAULT_WINDOW = 6
_ALNUM = re.compile(r"[^\W_]")


@dataclass(frozen=True)
class CodeSpec:
    """A code's name with its indicators and exclusions, as the matcher needs them."""

    name: str
    indicators: tuple[str, ...] = ()
    exclusions: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    code_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """Plain data for the pipeline fingerprint."""
        return {"name": self.name, "indicators": list(self.indicators),
                "exclusions": [dict(x) for x in self.exclusions]}


def _decode(value: Any) -> list:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        value = json.loads(value)
    return list(value)


def code_specs_from_rows(rows: Iterable[dict[str, Any]]) -> list[CodeSpec]:
    """CodeSpecs from rows of the ``codes`` table (JSON-encoded indicators and exclusions)."""
    specs = []
    for row in rows:
        indicators = tuple(str(i) for i in _decode(row.get("indicators")))
        exclusions = tuple(dict(x) for x in _decode(row.get("exclusions")) if isinstance(x, dict))
        if indicators:
            specs.append(CodeSpec(row["name"], indicators, exclusions, row.get("id")))
    return specs


def code_specs_from_codebook(path: str | Path) -> list[CodeSpec]:
    """Read the codes (and their children, any depth) of a codebook YAML file.

    Raises:
        InvalidInput: the file is missing or not a codebook.
    """
    path = Path(path)
    if not path.is_file():
        raise InvalidInput(f"{path} does not exist; give the path of a codebook YAML file.")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path} is not readable YAML ({exc}); fix the file.") from exc
    codes = data.get("codes") if isinstance(data, dict) else data
    if not isinstance(codes, list):
        raise InvalidInput(f"{path} has no 'codes' list; see the codebook format in the docs.")
    rows: list[dict[str, Any]] = []

    def walk(items: list) -> None:
        for item in items:
            if not isinstance(item, dict) or not item.get("name"):
                raise InvalidInput(f"{path}: every code needs a 'name'.")
            rows.append({"name": str(item["name"]), "indicators": item.get("indicators") or [],
                         "exclusions": item.get("exclusions") or []})
            walk(item.get("children") or [])

    walk(codes)
    return code_specs_from_rows(rows)


@dataclass(frozen=True)
class _Word:
    text: str
    lemma: str
    prefix: bool


def _parse_phrase(phrase: str) -> tuple[_Word, ...]:
    words = []
    for raw in phrase.lower().split():
        prefix = raw.endswith("*")
        core = raw.rstrip("*")
        if core:
            words.append(_Word(core, core if prefix else indicator_lemma(core), prefix))
    return tuple(words)


@dataclass
class _Pattern:
    code: str
    label: str  # the indicator or exclusion as written
    words: tuple[int, ...]  # word-element ids


class IndicatorMatcher:
    """A spaCy component writing code-indicator hits to ``doc.spans["indicators"]``.

    Each span's label is the code name and its ``kb_id_`` the indicator that matched. Hits that
    an exclusion cancels are dropped here (and listed in ``doc.spans["excluded_indicators"]``
    with the exclusion's reason as ``kb_id_``, for evaluation and explanations).
    """

    def __init__(self, nlp: Language):
        self.nlp = nlp
        self.words: list[_Word] = []
        self.word_ids: dict[_Word, int] = {}
        self.patterns: list[_Pattern] = []
        self.by_first: dict[int, list[int]] = {}
        self.exclusions: list[dict[str, Any]] = []
        self.token_cache: dict[int, tuple[frozenset[int], bool]] = {}

    def _word_id(self, word: _Word) -> int:
        if word not in self.word_ids:
            self.word_ids[word] = len(self.words)
            self.words.append(word)
        return self.word_ids[word]

    def _add(self, code: str, label: str) -> int | None:
        words = _parse_phrase(label)
        if not words:
            return None
        pattern = _Pattern(code, label, tuple(self._word_id(w) for w in words))
        self.patterns.append(pattern)
        return len(self.patterns) - 1

    def configure(self, codes: Sequence[CodeSpec]) -> None:
        """Compile the codes' indicators and exclusions."""
        self.codes = list(codes)
        self.indicator_patterns: list[int] = []
        for code in codes:
            for indicator in code.indicators:
                index = self._add(code.name, indicator)
                if index is not None:
                    self.indicator_patterns.append(index)
            for raw in code.exclusions:
                rule = {"code": code.name, "reason": str(raw.get("reason", "")),
                        "indicator": str(raw["indicator"]).lower() if raw.get("indicator")
                        else None,
                        "pattern": None, "near": set(), "window": DEFAULT_WINDOW}
                if raw.get("pattern"):
                    rule["pattern"] = self._add(code.name, str(raw["pattern"]))
                if raw.get("near"):
                    near = raw["near"] if isinstance(raw["near"], list) else [raw["near"]]
                    rule["near"] = {self._word_id(w) for n in near
                                    for w in _parse_phrase(str(n))[:1]}
                    rule["window"] = int(raw.get("window") or DEFAULT_WINDOW)
                if rule["pattern"] is None and not rule["near"]:
                    continue  # an exclusion with nothing to test cancels nothing
                self.exclusions.append(rule)
        for index, pattern in enumerate(self.patterns):
            self.by_first.setdefault(pattern.words[0], []).append(index)
        self.exact: dict[str, set[int]] = {}
        self.prefixes: list[tuple[str, int]] = []
        self.prefix_ids: dict[str, set[int]] = {}
        for i, word in enumerate(self.words):
            if word.prefix:
                self.prefixes.append((word.text, i))
                self.prefix_ids.setdefault(word.text, set()).add(i)
            else:
                self.exact.setdefault(word.text, set()).add(i)
                self.exact.setdefault(word.lemma, set()).add(i)

        self.prefix_lengths = sorted({len(text) for text, _ in self.prefixes})

    def _token_words(self, orth: int, lemma: int) -> tuple[frozenset[int], bool]:
        """The indicator words a word form stands for, and whether it is a word at all."""
        hit = self.token_cache.get(orth)
        if hit is None:
            strings = self.nlp.vocab.strings
            text = strings[orth]
            lower = text.lower()
            lem = strings[lemma]
            ids = set(self.exact.get(lem, ()))
            # A word written in the indicator list matches itself as written, not via lemma.
            ids.update(i for i in self.exact.get(lower, ()) if self.words[i].text == lower)
            for length in self.prefix_lengths:
                for form in (lower, lem):
                    found = self.prefix_ids.get(form[:length])
                    if found:
                        ids.update(found)
            is_word = text.isalpha() or _ALNUM.search(text) is not None
            hit = (frozenset(ids), is_word)
            self.token_cache[orth] = hit
        return hit

    def __call__(self, doc: Doc) -> Doc:
        doc.spans["indicators"] = []
        doc.spans["excluded_indicators"] = []
        if not self.patterns or not len(doc):
            return doc
        orths = doc.to_array("ORTH")
        # The words an indicator token stands for depend only on its form: look each distinct
        # form up once, then work on the (few) tokens that match anything at all.
        uniq, first, inverse = numpy.unique(orths, return_index=True, return_inverse=True)
        cache, compute = self.token_cache, self._token_words
        infos = [info if (info := cache.get(o)) is not None else compute(o, doc[f].lemma)
                 for o, f in zip(uniq.tolist(), first.tolist(), strict=True)]
        sets = [words for words, _ in infos]
        has_any = numpy.array([bool(w) for w in sets], dtype=bool)[inverse]
        is_word = numpy.array([w for _, w in infos], dtype=bool)[inverse]
        candidates = numpy.nonzero(has_any & is_word)[0]
        if not len(candidates):
            return doc
        word_pos = numpy.nonzero(is_word)[0]
        n_words = len(word_pos)
        inverse_list = inverse.tolist()
        word_pos_list = word_pos.tolist()

        def words_at(k: int) -> frozenset[int]:
            return sets[inverse_list[word_pos_list[k]]]

        matches: dict[int, list[tuple[int, int]]] = {}
        for k in numpy.searchsorted(word_pos, candidates).tolist():
            for word_id in words_at(k):
                for p in self.by_first.get(word_id, ()):
                    words = self.patterns[p].words
                    if k + len(words) > n_words:
                        continue
                    if all(words[j] in words_at(k + j) for j in range(1, len(words))):
                        matches.setdefault(p, []).append((k, k + len(words)))
        hits: list[tuple[str, str, int, int]] = []  # code, indicator, word-index start, end
        for p in self.indicator_patterns:
            for start, end in matches.get(p, ()):
                pattern = self.patterns[p]
                hits.append((pattern.code, pattern.label, start, end))
        if not hits:
            return doc
        sentence_of_token = numpy.cumsum(doc.to_array("SENT_START") == 1)
        sent_of = sentence_of_token[word_pos].tolist()
        kept, excluded = [], []
        for hit in sorted(set(hits), key=lambda h: (h[2], h[0])):
            reason = self._excluded(hit, matches, words_at, n_words, sent_of)
            tok_start, tok_end = word_pos_list[hit[2]], word_pos_list[hit[3] - 1] + 1
            if reason is None:
                kept.append(Span(doc, tok_start, tok_end, label=hit[0], kb_id=hit[1]))
            else:
                excluded.append(Span(doc, tok_start, tok_end, label=hit[0],
                                     kb_id=f"{hit[1]}: {reason or 'excluded'}"))
        doc.spans["indicators"] = kept
        doc.spans["excluded_indicators"] = excluded
        return doc

    def _excluded(self, hit, matches, words_at, n_words, sent_of) -> str | None:
        code, label, start, end = hit
        for rule in self.exclusions:
            if rule["code"] != code:
                continue
            if rule["indicator"] is not None and rule["indicator"] != label.lower():
                continue
            if rule["pattern"] is not None and not any(
                    s < end and start < e for s, e in matches.get(rule["pattern"], ())):
                continue
            if rule["near"]:
                window = rule["window"]
                sentence = sent_of[start]
                lo, hi = max(0, start - window), min(n_words, end + window)
                if not any(sent_of[k] == sentence and rule["near"] & words_at(k)
                           for k in range(lo, hi) if not start <= k < end):
                    continue
            return rule["reason"]
        return None
