"""Code suggestions from indicator lemmas, with exclusions for lexical traps.

An indicator is a word or a phrase (words separated by spaces); a word matches a token when it
equals the token's lemma, the lemma of the indicator word, or the token as written (lower
case). Besides plain words, an indicator word may be

* ``tillids*``: a prefix ("tillidsfuld", "tillidsrelation"),
* ``*risiko``: a compound ending in the word ("infektionsrisikoen", "faldrisiko"), for the
  compounds Danish builds on a head word; the word alone does not match (list it too),
* ``*konflikt*``: the letters anywhere in a word (the word alone included),
* ``<tal>``: any number, in digits ("3", "2,5") or a Danish number word from "to" to "hundrede"
  ("om fem år", "om 10 år"),
* ``<årstal>``: a year from 1900 to 2099 written in digits ("frem mod 2030"), or within a range
  of years: ``<årstal:2030-2099>``.

The words of a phrase match in order, with up to ``MAX_GAP`` other words between two of them
inside one clause (no punctuation between) and no negation among those: Danish puts the subject
and adverbs between a verb and its object or particle when the sentence does not start with the
subject ("nu kender vi hinanden" for "kende hinanden", "så sker der fejl" for "ske fejl"), and a
negation in between ("er ikke imod") turns the phrase around. ``...`` (or ``…``) between two
words widens that one gap to ``WIDE_GAP`` words, still inside the clause and with no negation
("tone ... skarp" finds "tonen på møderne er blevet skarpere"). A negation may be a word of the
phrase itself ("ikke enig" finds "er ikke blevet enige"). A comma does not end the clause when
a relative ("der", "som") follows it: "ingen vide hvem" finds "ingen, der ved, hvem". Exclusions
cancel hits; an exclusion may name

* ``pattern``: a word or phrase (same syntax); a hit overlapping a match of it is cancelled,
* ``indicator``: the exclusion only applies to hits of this indicator,
* ``near`` and ``window``: the hit is cancelled when one of these words (same word syntax) occurs
  within ``window`` words of it in the same sentence,
* ``negated``: the hit is cancelled when it is negated: a negation ("ikke", "ingen", "aldrig",
  "uden" ...) stands up to ``NEGATION_WINDOW`` words before it (or the number given) with only
  articles, quantifiers, degree words and forms of "være", "blive" and "have" between, in the
  same clause ("ingen konflikter", "ikke en kritik", "aldrig været uenige", "uden at pege
  fingre", "der var ingen, der var imod"), but not "vi har ikke løst konflikten".

``indicator`` may be a list. Every condition an exclusion names must hold for it to cancel a
hit. The traps in the default codebook are written this way: "tryghed" near "patienterne",
"konfliktsky", "chancen for".

Hits go to ``doc.user_data[RESULTS_KEY]`` as ``(code, indicator, start token, end token)``
tuples (cancelled ones to ``EXCLUDED_KEY`` with the reason), and, unless the component is
called with ``spans=False``, to spans in ``doc.spans["indicators"]`` and
``doc.spans["excluded_indicators"]``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy
import yaml
from spacy.lang.da.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.tokens import Doc, Span

from workbench.errors import InvalidInput
from workbench.nlp.forms import SENT_STARTS_KEY, forms_for
from workbench.nlp.lemmas import indicator_lemma

DEFAULT_WINDOW = 6
MAX_GAP = 2  # other words allowed between two words of a phrase
WIDE_GAP = 6  # the same after "..." in a phrase
GAP_MARKS = frozenset({"...", "…"})
NEGATIONS = frozenset({"ikke", "aldrig", "ingen", "intet", "ej", "næppe"})
NEGATION_WINDOW = 3
# Lemmas that may stand between a negation and the word it negates ("ikke en", "ingen store",
# "aldrig været", "uden at"; "ingen, der var" across the comma of a relative clause).
NEGATION_SCOPE = frozenset({
    "en", "et", "den", "det", "de", "nogen", "noget", "nogle", "stor", "egentlig", "reel",
    "decideret", "helt", "så", "særlig", "rigtig", "mere", "megen", "lang", "at", "der", "som",
    "være", "blive", "have"})
RELATIVES = frozenset({"der", "som"})
# Words too common to anchor a phrase on: a phrase is looked for where its rarest-looking word
# occurs ("hvem ... betale" where "betale" does). spaCy's Danish stop words, some frequent verbs
# and the everyday nouns of the field; the most frequent of all are a last resort.
COMMON_WORDS = frozenset(STOP_WORDS) | frozenset(
    "gå se stå tage give komme nå ske tale tro godt år vide ved sige holde lave få finde sidde "
    "ende virke samarbejde system økonomi kommune region borger patient projekt".split())
VERY_COMMON_WORDS = frozenset(
    "i og at det en et den til er være som på de med af for ikke der har have om vi jeg du han "
    "hun man sig os hvor hvad hvem når fra så kan kunne vil ville skal skulle blive ud op over "
    "nu efter da også men eller hvis noget nogen meget alle anden uden ingen".split())
RESULTS_KEY = "wb_indicators"
EXCLUDED_KEY = "wb_excluded_indicators"
_NO_WORDS: frozenset[int] = frozenset()


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


NUMBER_WORDS = frozenset(
    "to tre fire fem seks syv otte ni ti elleve tolv tretten fjorten femten seksten sytten "
    "atten nitten tyve tredive fyrre halvtreds tres halvfjerds firs halvfems hundrede".split())
YEAR_RANGE = re.compile(r"<årstal:(\d{4})-(\d{4})>")


def _is_number(word: str) -> bool:
    return word in NUMBER_WORDS or (word[:1].isdigit()
                                    and word.replace(",", "").replace(".", "").isdigit())


def _year_test(first: int, last: int) -> Callable[[str], bool]:
    return lambda word: len(word) == 4 and word.isdigit() and first <= int(word) <= last


# Word classes a phrase may name in angle brackets: does a form (lower case) belong to it?
CLASSES: dict[str, Callable[[str], bool]] = {"<tal>": _is_number,
                                             "<årstal>": _year_test(1900, 2099)}


def _word_class(raw: str) -> Callable[[str], bool] | None:
    """The test of a word class written in angle brackets, None if ``raw`` is not one."""
    if raw in CLASSES:
        return CLASSES[raw]
    years = YEAR_RANGE.fullmatch(raw)
    if years:
        return _year_test(int(years[1]), int(years[2]))
    return None


@dataclass(frozen=True)
class _Word:
    text: str
    lemma: str
    kind: str = "exact"  # exact, prefix, suffix, infix, or a word class ("<tal>")

    @property
    def affix(self) -> bool:
        return self.kind in ("prefix", "suffix", "infix")


def _parse_word(raw: str) -> _Word | None:
    if _word_class(raw) is not None:
        return _Word(raw, raw, raw)
    core = raw.strip("*")
    if not core:
        return None
    if raw.startswith("*"):
        return _Word(core, core, "infix" if raw.endswith("*") else "suffix")
    if raw.endswith("*"):
        return _Word(core, core, "prefix")
    return _Word(core, indicator_lemma(core))


def _parse_phrase(phrase: str) -> tuple[tuple[_Word, ...], tuple[int, ...]]:
    """The words of a phrase, and how many other words may come before each (after the
    first)."""
    words: list[_Word] = []
    gaps: list[int] = []
    gap = MAX_GAP
    for raw in phrase.lower().split():
        if raw in GAP_MARKS:
            gap = WIDE_GAP
            continue
        word = _parse_word(raw)
        if word is not None:
            words.append(word)
            gaps.append(gap if len(words) > 1 else 0)
            gap = MAX_GAP
    return tuple(words), tuple(gaps)


@dataclass
class _Pattern:
    code: str
    label: str  # the indicator or exclusion as written
    words: tuple[int, ...]  # word-element ids
    gaps: tuple[int, ...] = ()  # other words allowed before each word
    anchor: int = 0  # the word looked for first; the others are matched out from it


def _anchor(words: tuple[_Word, ...]) -> int:
    """The word of a phrase to look for first, the rarest-looking: the longest word that is not
    common (longer words are rarer), else a year, a number, a common word that is not among the
    most common, and the first word as the last resort."""

    def rank(i: int) -> tuple[int, int]:
        word = words[i]
        if word.kind.startswith("<"):
            return (1 if word.kind.startswith("<årstal") else 2), 0
        if word.text in VERY_COMMON_WORDS or word.lemma in VERY_COMMON_WORDS:
            return 4, 0
        if word.text in COMMON_WORDS or word.lemma in COMMON_WORDS:
            return 3, -len(word.text)
        return 0, -len(word.text)

    return min(range(len(words)), key=rank)


class IndicatorMatcher:
    """A spaCy component finding code-indicator hits (see the module docstring).

    Each span's label is the code name and its ``kb_id_`` the indicator that matched. Hits that
    an exclusion cancels are listed apart, with the exclusion's reason (for evaluation and
    explanations).
    """

    def __init__(self, nlp: Language):
        self.nlp = nlp
        self.forms = forms_for(nlp.vocab)
        self.words: list[_Word] = []
        self.word_ids: dict[_Word, int] = {}
        self.patterns: list[_Pattern] = []
        self.by_anchor: dict[int, list[int]] = {}
        self.exclusions: list[dict[str, Any]] = []
        self.indicator_patterns: list[int] = []
        self.exact: dict[str, set[int]] = {}
        self.prefix_ids: dict[str, set[int]] = {}
        self.suffix_ids: dict[str, set[int]] = {}
        # Affixes grouped by their first (prefixes) or last (suffixes) few letters, so a form is
        # compared only with the affixes it shares those letters with.
        self.prefix_key = self.suffix_key = 0
        self.prefix_groups: dict[str, list[tuple[str, set[int]]]] = {}
        self.suffix_groups: dict[str, list[tuple[str, set[int]]]] = {}
        self.infix_ids: dict[str, set[int]] = {}
        self.class_ids: dict[str, set[int]] = {}
        self.class_tests: dict[str, Callable[[str], bool]] = {}
        self.anchor_words: frozenset[int] = frozenset()
        self._add_features()

    def _word_id(self, word: _Word) -> int:
        if word not in self.word_ids:
            self.word_ids[word] = len(self.words)
            self.words.append(word)
        return self.word_ids[word]

    def _add(self, code: str, label: str) -> int | None:
        words, gaps = _parse_phrase(label)
        if not words:
            return None
        pattern = _Pattern(code, label, tuple(self._word_id(w) for w in words), gaps,
                           _anchor(words))
        self.patterns.append(pattern)
        return len(self.patterns) - 1

    def configure(self, codes: Sequence[CodeSpec]) -> None:
        """Compile the codes' indicators and exclusions."""
        self.codes = list(codes)
        for code in codes:
            for indicator in code.indicators:
                index = self._add(code.name, indicator)
                if index is not None:
                    self.indicator_patterns.append(index)
            for raw in code.exclusions:
                named = raw.get("indicator")
                if named and not isinstance(named, list):
                    named = [named]
                negated = raw.get("negated")
                rule = {"code": code.name, "reason": str(raw.get("reason", "")),
                        "indicator": frozenset(str(n).lower() for n in named) if named else None,
                        "pattern": None, "near": set(), "window": DEFAULT_WINDOW,
                        "negated": (0 if not negated or negated is False
                                    else NEGATION_WINDOW if negated is True else int(negated))}
                if raw.get("pattern"):
                    rule["pattern"] = self._add(code.name, str(raw["pattern"]))
                if raw.get("near"):
                    near = raw["near"] if isinstance(raw["near"], list) else [raw["near"]]
                    rule["near"] = {self._word_id(w) for n in near
                                    for w in _parse_phrase(str(n))[0][:1]}
                    rule["window"] = int(raw.get("window") or DEFAULT_WINDOW)
                if rule["pattern"] is None and not rule["near"] and not rule["negated"]:
                    continue  # an exclusion with nothing to test cancels nothing
                self.exclusions.append(rule)
        for index, pattern in enumerate(self.patterns):
            self.by_anchor.setdefault(pattern.words[pattern.anchor], []).append(index)
        # Only a form that can anchor a phrase needs a closer look in a doc; the other words of
        # phrases are read from the form's word set when a phrase reaches them.
        self.anchor_words = frozenset(self.by_anchor)
        # The exclusions that can cancel a hit of each indicator, so a hit checks only those.
        self.rules_for: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for index in self.indicator_patterns:
            pattern = self.patterns[index]
            self.rules_for[pattern.code, pattern.label] = [
                rule for rule in self.exclusions if rule["code"] == pattern.code
                and (rule["indicator"] is None or pattern.label.lower() in rule["indicator"])]
        by_kind = {"prefix": self.prefix_ids, "suffix": self.suffix_ids, "infix": self.infix_ids}
        for i, word in enumerate(self.words):
            if word.kind in by_kind:
                by_kind[word.kind].setdefault(word.text, set()).add(i)
            elif word.kind.startswith("<"):
                self.class_ids.setdefault(word.kind, set()).add(i)
                self.class_tests[word.kind] = _word_class(word.kind)
            else:
                self.exact.setdefault(word.text, set()).add(i)
                self.exact.setdefault(word.lemma, set()).add(i)
        if self.prefix_ids:
            self.prefix_key = min(len(text) for text in self.prefix_ids)
            for text, found in self.prefix_ids.items():
                self.prefix_groups.setdefault(text[:self.prefix_key], []).append((text, found))
        if self.suffix_ids:
            self.suffix_key = min(len(text) for text in self.suffix_ids)
            for text, found in self.suffix_ids.items():
                self.suffix_groups.setdefault(text[-self.suffix_key:], []).append((text, found))
        self._add_features()

    def _add_features(self) -> None:
        self.forms.add_features([("ind_words", object), ("ind_candidate", bool)],
                                self._form_words)

    def _form_words(self, text: str, lemma: str) -> tuple[frozenset[int], bool]:
        """The indicator words a word form stands for, and whether it is a candidate (can anchor
        a phrase and is a word)."""
        if not self.words:
            return _NO_WORDS, False
        lower = text.lower()
        exact = self.exact.get(lemma)
        written = self.exact.get(lower)
        prefixes = suffixes = None
        if self.prefix_key:
            prefixes = (self.prefix_groups.get(lower[:self.prefix_key]),
                        self.prefix_groups.get(lemma[:self.prefix_key]))
            if prefixes == (None, None):
                prefixes = None
        if self.suffix_key:
            suffixes = (self.suffix_groups.get(lower[-self.suffix_key:]),
                        self.suffix_groups.get(lemma[-self.suffix_key:]))
            if suffixes == (None, None):
                suffixes = None
        # Word classes are numbers: only a form starting with a digit or a number word can be one.
        classed = bool(self.class_ids) and (lower[:1].isdigit() or lower in NUMBER_WORDS)
        if (exact is None and written is None and prefixes is None and suffixes is None
                and not classed and not self.infix_ids):
            return _NO_WORDS, False
        ids = set(exact or ())
        # A word written in the indicator list matches itself as written, not via lemma.
        ids.update(i for i in written or () if self.words[i].text == lower)
        if prefixes is not None:
            for form, group in zip((lower, lemma), prefixes, strict=True):
                for affix, found in group or ():
                    if form.startswith(affix):
                        ids.update(found)
        if suffixes is not None:
            for form, group in zip((lower, lemma), suffixes, strict=True):
                for affix, found in group or ():
                    if len(form) > len(affix) and form.endswith(affix):
                        ids.update(found)
        for part, found in self.infix_ids.items():
            if part in lower or part in lemma:
                ids.update(found)
        for kind, found in self.class_ids.items() if classed else ():
            if self.class_tests[kind](lower):
                ids.update(found)
        if not ids:
            return _NO_WORDS, False
        return frozenset(ids), (not ids.isdisjoint(self.anchor_words)
                                and any(c.isalnum() for c in text))

    def __call__(self, doc: Doc, spans: bool = True) -> Doc:
        doc.user_data[RESULTS_KEY] = doc.user_data[EXCLUDED_KEY] = []
        if spans:
            doc.spans["indicators"] = []
            doc.spans["excluded_indicators"] = []
        if not self.patterns or not len(doc):
            return doc
        forms = self.forms
        ids = forms.ids(doc)
        # Most tokens match no indicator word: look closer only where one does.
        candidates = numpy.nonzero(forms["ind_candidate"][ids])[0]
        if not len(candidates):
            return doc
        word_pos = numpy.nonzero(forms["word"][ids])[0]
        n_words = len(word_pos)
        word_forms = ids[word_pos]
        word_sets, lemmas = forms["ind_words"], forms.lemmas
        word_pos_list = word_pos.tolist()

        def words_at(k: int) -> frozenset[int]:
            return word_sets[word_forms[k]]

        def joined(j: int) -> bool:
            """Whether word ``j`` follows word ``j - 1`` in the same clause: nothing between
            them, or only a comma before a relative ("ingen, der ved")."""
            return (word_pos_list[j] - word_pos_list[j - 1] == 1
                    or lemmas[word_forms[j]] in RELATIVES)

        def next_word(k: int, wanted: int, gap: int) -> int | None:
            """Where ``wanted`` matches after word ``k``: the next word, or one up to ``gap``
            words on within the clause, with no negation skipped."""
            if k + 1 < n_words and wanted in words_at(k + 1):
                return k + 1
            for j in range(k + 1, min(n_words - 1, k + 1 + gap)):
                if not joined(j) or lemmas[word_forms[j]] in NEGATIONS:
                    return None  # punctuation or a line break, or a negation, in between
                if word_pos_list[j + 1] - word_pos_list[j] == 1 and wanted in words_at(j + 1):
                    return j + 1
            return None

        def previous_word(k: int, wanted: int, gap: int) -> int | None:
            """The same as next_word, looking back from word ``k``."""
            if k > 0 and wanted in words_at(k - 1):
                return k - 1
            for j in range(k - 1, max(0, k - 1 - gap), -1):
                if word_pos_list[j + 1] - word_pos_list[j] != 1 and (
                        j + 1 == k or lemmas[word_forms[j + 1]] not in RELATIVES):
                    return None
                if lemmas[word_forms[j]] in NEGATIONS:
                    return None
                if joined(j) and wanted in words_at(j - 1):
                    return j - 1
            return None

        matches: dict[int, list[tuple[int, int]]] = {}
        for k in numpy.searchsorted(word_pos, candidates).tolist():
            for word_id in words_at(k):
                for p in self.by_anchor.get(word_id, ()):
                    pattern = self.patterns[p]
                    words, gaps = pattern.words, pattern.gaps
                    start: int | None = k
                    for i in range(pattern.anchor - 1, -1, -1):
                        start = previous_word(start, words[i], gaps[i + 1])
                        if start is None:
                            break
                    if start is None:
                        continue
                    end: int | None = k
                    for i in range(pattern.anchor + 1, len(words)):
                        end = next_word(end, words[i], gaps[i])
                        if end is None:
                            break
                    if end is not None:
                        matches.setdefault(p, []).append((start, end + 1))
        hits: list[tuple[str, str, int, int]] = []  # code, indicator, word-index start, end
        for p in self.indicator_patterns:
            for start, end in matches.get(p, ()):
                pattern = self.patterns[p]
                hits.append((pattern.code, pattern.label, start, end))
        if not hits:
            return doc

        def negated(k: int, window: int) -> bool:
            """Whether a negation stands before word ``k``, with only scope words between."""
            for j in range(k - 1, max(-1, k - 1 - window), -1):
                if (word_pos_list[j + 1] - word_pos_list[j] != 1
                        and lemmas[word_forms[j + 1]] not in RELATIVES):
                    return False  # punctuation in between, not before "der"/"som"
                lemma = lemmas[word_forms[j]]
                if lemma in NEGATIONS or lemma == "uden":
                    return True
                if lemma not in NEGATION_SCOPE:
                    return False
            return False

        sent_of = _sentence_of_words(doc, word_pos).tolist()
        kept, excluded = [], []
        # Fully ordered (start, code, end, label), so that evidence and exclusions come in the
        # same order on every run, whatever order the set iterates in.
        for hit in sorted(set(hits), key=lambda h: (h[2], h[0], h[3], h[1])):
            reason = self._excluded(hit, matches, words_at, n_words, sent_of, negated)
            tok_start, tok_end = word_pos_list[hit[2]], word_pos_list[hit[3] - 1] + 1
            if reason is None:
                kept.append((hit[0], hit[1], tok_start, tok_end))
            else:
                excluded.append((hit[0], f"{hit[1]}: {reason or 'excluded'}", tok_start, tok_end))
        doc.user_data[RESULTS_KEY] = kept
        doc.user_data[EXCLUDED_KEY] = excluded
        if spans:
            doc.spans["indicators"] = [Span(doc, s, e, label=code, kb_id=label)
                                       for code, label, s, e in kept]
            doc.spans["excluded_indicators"] = [Span(doc, s, e, label=code, kb_id=label)
                                                for code, label, s, e in excluded]
        return doc

    def _excluded(self, hit, matches, words_at, n_words, sent_of, negated) -> str | None:
        code, label, start, end = hit
        for rule in self.rules_for[code, label]:
            if rule["pattern"] is not None:
                found = matches.get(rule["pattern"])
                if not found or not any(s < end and start < e for s, e in found):
                    continue
            if rule["negated"] and not negated(start, rule["negated"]):
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


def _sentence_of_words(doc: Doc, word_pos: numpy.ndarray) -> numpy.ndarray:
    """The sentence number of each word (from the sentence splitter, or the doc's starts)."""
    starts = doc.user_data.get(SENT_STARTS_KEY)
    if starts is not None:
        return numpy.searchsorted(starts, word_pos, side="right")
    sentence_of_token = numpy.cumsum(doc.to_array("SENT_START") == 1)
    return sentence_of_token[word_pos]
