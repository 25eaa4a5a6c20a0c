"""Personal data to pseudonymise: e-mail, Danish phone numbers, CPR numbers and person names.

The patterns are pure functions over text (``find_pattern_hits``) so that they can be tested
and reused without spaCy; ``PersonalDataFinder`` is the pipeline component that adds person
names (a Danish first-name list, a following capitalised surname, the project's known
participant names, and a trained model's PER entities when one is used).

The hits go to ``doc.user_data[RESULTS_KEY]`` as ``(kind, start token, end token)`` tuples and,
unless the component is called with ``spans=False``, to ``doc.spans["personal_data"]``.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from workbench.nlp.forms import forms_for, token_idx
from workbench.nlp.lemmas import lemma_table
from workbench.nlp.stakeholder_ruler import COVERED_KEY
from workbench.nlp.textkeeping import doc_text

RESULTS_KEY = "wb_personal_data"

EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])")
# Eight digits as 8, 2-2-2-2 or 4-4, optionally after +45 / 0045; never inside a longer number.
PHONE_RE = re.compile(
    r"(?<![\w+.,/-])(?:(?:\+|00)45[ ]?)?"
    r"(?P<number>[2-9]\d(?:\d{6}|(?: \d\d){3}|\d\d \d{4}))"
    r"(?![\w]|[.,/-]\d)")
CPR_RE = re.compile(r"(?<![\w-])(?P<d>\d\d)(?P<m>\d\d)(?P<y>\d\d)-(?P<s>\d{4})(?![\w-])")
_YEARISH = re.compile(r"(?:19|20)\d\d (?:19|20)\d\d")


@dataclass(frozen=True)
class Hit:
    """One personal-data item: kind, code-point offsets and the text found."""

    kind: str
    start: int
    end: int
    surface: str

    def as_dict(self) -> dict:
        """The hit as plain data."""
        return {"kind": self.kind, "start": self.start, "end": self.end, "text": self.surface}


def cpr_century(year: int, serial_first: int) -> int:
    """The century of a CPR birth year from the 7th digit (the rule of the CPR office)."""
    if serial_first <= 3:
        return 1900
    if serial_first in (4, 9):
        return 2000 if year <= 36 else 1900
    return 2000 if year <= 57 else 1800


def valid_cpr_date(day: int, month: int, year: int, serial_first: int) -> bool:
    """True when ddmmyy is a real calendar date (leap years via the 7th-digit century)."""
    if not 1 <= month <= 12 or day < 1:
        return False
    full_year = cpr_century(year, serial_first) + year
    return day <= calendar.monthrange(full_year, month)[1]


# Cheap scans that find where the full patterns can possibly match (most text has no digits
# in a row and no @), so the careful patterns only run on small windows.
_ANY_DIGIT = re.compile(r"\d")
_DIGIT_RUN = re.compile(r"[+\d][\d -]{6,16}\d")


def _windows(text: str, pattern: re.Pattern, margin: int,
             regions: list[tuple[int, int]] | None):
    """Matches of ``pattern`` near digit runs (found by a scan, or given as ``regions``)."""
    if regions is None:
        regions = [m.span() for m in _DIGIT_RUN.finditer(text)]
    seen = set()
    for start, end in regions:
        lo, hi = max(0, start - margin), min(len(text), end + margin)
        for m in pattern.finditer(text, lo, hi):
            if m.span() not in seen:
                seen.add(m.span())
                yield m


def _emails(text: str):
    at = text.find("@")
    while at != -1:
        lo = max(0, at - 80)
        for m in EMAIL_RE.finditer(text, lo, min(len(text), at + 120)):
            if m.start() <= at < m.end():
                yield m
                break
        at = text.find("@", at + 1)


def find_pattern_hits(text: str, digit_regions: list[tuple[int, int]] | None = None
                      ) -> list[Hit]:
    """E-mail addresses, phone numbers and CPR numbers with a plausible date, in text order.

    ``digit_regions`` (character ranges of the digit runs, when the caller knows them from its
    tokens) spares the scan of the whole text for digits.
    """
    hits = [Hit("email", m.start(), m.end(), m.group()) for m in _emails(text)]
    taken = [(h.start, h.end) for h in hits]
    for m in _windows(text, CPR_RE, 2, digit_regions):
        if valid_cpr_date(int(m["d"]), int(m["m"]), int(m["y"]), int(m["s"][0])):
            hits.append(Hit("cpr", m.start(), m.end(), m.group()))
            taken.append((m.start(), m.end()))
    for m in _windows(text, PHONE_RE, 4, digit_regions):
        if _YEARISH.fullmatch(m["number"]) or any(s < m.end() and m.start() < e
                                                  for s, e in taken):
            continue
        hits.append(Hit("phone", m.start(), m.end(), m.group()))
    return sorted(hits, key=lambda h: h.start)


# Titles before a surname: "fru Mikkelsen", "hr. Hansen".
_TITLES = frozenset({"fru", "hr.", "hr", "frk.", "frk"})


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    """The Danish first-name list shipped with workbench."""
    text = resources.files("workbench").joinpath("data/first_names_da.txt").read_text("utf-8")
    return frozenset(line.strip() for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))


def _is_capitalised(text: str) -> bool:
    if len(text) < 2 or not text[0].isupper():
        return False
    return (text.isalpha() and not text.isupper()) or "-" in text


class PersonalDataFinder:
    """A spaCy component finding personal data (see the module docstring)."""

    def __init__(self, nlp: Language):
        self.nlp = nlp
        self.forms = forms_for(nlp.vocab)
        self.known = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.has_known = False
        self.names = first_names()
        self.table = lemma_table()
        self.stop = nlp.Defaults.stop_words
        # pd_first_name: 0 no first name, 1 a first name, 2 one that is also a word ("Bo")
        self.forms.add_features([("pd_first_name", numpy.int8), ("pd_surname", bool),
                                 ("pd_digits", bool), ("pd_title", bool)], self._form_features)

    def configure(self, known_names: list[str] | tuple[str, ...] = ()) -> None:
        """Add the project's known real names (participants) as exact matches."""
        docs = [self.nlp.make_doc(n) for n in known_names if n and n.strip()]
        if docs:
            self.known.add("KNOWN_NAME", docs)
            self.has_known = True

    def _form_features(self, text: str, lemma: str) -> tuple[int, bool, bool, bool]:
        lower = text.lower()
        if text not in self.names:
            first = 0
        else:
            first = 2 if lower in self.stop or lower in self.table else 1
        surname = _is_capitalised(text) and lower not in self.stop
        digits = not text.isalpha() and (text == "+" or _ANY_DIGIT.search(text) is not None)
        return first, surname, digits, lower in _TITLES

    def __call__(self, doc: Doc, spans: bool = True) -> Doc:
        found: list[tuple[str, int, int]] = []
        ids = self.forms.ids(doc)
        regions = self._digit_regions(doc, ids)
        text = doc_text(doc)
        if regions or "@" in text:
            idx = token_idx(doc)
            ends = idx + self.forms["length"][ids]
            for hit in find_pattern_hits(text, regions):
                # Widen to whole tokens (as Doc.char_span's "expand" does).
                start = int(numpy.searchsorted(idx, hit.start, side="right")) - 1
                end = int(numpy.searchsorted(ends, hit.end, side="left")) + 1
                if 0 <= start < end <= len(doc):
                    found.append((hit.kind, start, end))
        covered = doc.user_data.pop(COVERED_KEY, None)
        if covered is None:
            covered = [(s.start, s.end) for s in doc.spans.get("stakeholders", [])]
        blocked = {i for s, e in covered for i in range(s, e)}
        blocked.update(i for _, s, e in found for i in range(s, e))
        names = [(s, e) for _, s, e in self.known(doc)] if self.has_known else []
        if doc.has_annotation("ENT_IOB"):
            names.extend((e.start, e.end) for e in doc.ents if e.label_ == "PER")
        names.extend(self._name_sequences(doc, ids, blocked))
        titled = self._titled_names(doc, ids)
        for start, end in _non_overlapping(names + titled):
            if (start, end) in titled or not blocked.intersection(range(start, end)):
                found.append(("name", start, end))
        found.sort(key=lambda h: h[1])
        doc.user_data[RESULTS_KEY] = found
        if spans:
            doc.spans["personal_data"] = [Span(doc, s, e, label=kind) for kind, s, e in found]
        return doc

    def _digit_regions(self, doc: Doc, ids: numpy.ndarray) -> list[tuple[int, int]]:
        """Character ranges of runs of tokens that hold digits (or a leading +)."""
        positions = numpy.nonzero(self.forms["pd_digits"][ids])[0]
        if not len(positions):
            return []
        idx = token_idx(doc)
        starts = idx[positions].tolist()
        ends = (idx[positions] + self.forms["length"][ids[positions]]).tolist()
        regions: list[tuple[int, int]] = []
        last = -2
        for i, start, end in zip(positions.tolist(), starts, ends, strict=True):
            if i == last + 1 and regions:
                regions[-1] = (regions[-1][0], end)
            else:
                regions.append((start, end))
            last = i
        return regions

    def _titled_names(self, doc: Doc, ids: numpy.ndarray) -> list[tuple[int, int]]:
        """The capitalised words after "fru", "hr." or "frk." ("fru Mikkelsen"): a surname,
        even inside the citizen mention the stakeholder ruler makes of it."""
        surname = self.forms["pd_surname"]
        found = []
        n = len(doc)
        for i in numpy.nonzero(self.forms["pd_title"][ids])[0].tolist():
            end = i + 1
            while end < n and end - i <= 2 and surname[ids[end]]:
                end += 1
            if end > i + 1:
                found.append((i + 1, end))
        return found

    def _name_sequences(self, doc: Doc, ids: numpy.ndarray, blocked: set[int]
                        ) -> list[tuple[int, int]]:
        """A first name, plus the capitalised words right after it (surnames)."""
        kinds = self.forms["pd_first_name"][ids]
        positions = numpy.nonzero(kinds)[0].tolist()
        if not positions:
            return []
        surname = self.forms["pd_surname"]
        found = []
        n = len(doc)
        last_end = 0
        for i in positions:
            if i < last_end or i in blocked:
                continue
            end = i + 1
            while end < n and end - i < 4 and end not in blocked and surname[ids[end]]:
                end += 1
            if end > i + 1 or kinds[i] == 1 or not doc[i].is_sent_start:
                found.append((i, end))
                last_end = end
        return found


def _non_overlapping(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    chosen: list[tuple[int, int]] = []
    taken: set[int] = set()
    for start, end in sorted(set(spans), key=lambda s: (-(s[1] - s[0]), s[0])):
        if taken.intersection(range(start, end)):
            continue
        taken.update(range(start, end))
        chosen.append((start, end))
    return sorted(chosen)
