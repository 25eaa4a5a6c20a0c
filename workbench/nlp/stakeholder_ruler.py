"""The stakeholder entity ruler: gazetteer names, generic terms, role nouns and name patterns.

Each mention becomes a span in ``doc.spans["stakeholders"]`` with

* ``label_``: the sector slug (empty for an organisation a trained model found),
* ``kb_id_``: the canonical name (for a pattern: the name rebuilt in its base form),
* ``id_``: ``"<how>:<kind>"`` where how is ``named``, ``pattern``, ``role``, ``generic`` or
  ``model``.

With a trained model the mentions also go into ``doc.ents`` (ORG, ACTOR, ROLE), merged with the
model's PER and LOC entities; without one ``doc.ents`` is left empty.

Overlapping candidates are resolved longest first, then by how they were found (a gazetteer
name beats a pattern, a pattern beats a role noun, a role noun beats a generic term).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from workbench.nlp.gazetteer import Entry, Gazetteer

COVERED_KEY = "wb_stakeholder_tokens"
PRIORITY = {"named": 0, "pattern": 1, "model": 2, "role": 3, "generic": 4}
ENT_LABEL = {"organisation": "ORG", "partnership": "ORG", "group": "ACTOR", "role": "ROLE",
             "person": "PER"}

@dataclass(frozen=True)
class HeadRule:
    """A pattern for names the gazetteer does not know, anchored on a head word.

    ``before``/``after``: how many capitalised name words may stand before or after the head
    ("CareLink ApS": one to three before; "Region Skåne": one after). ``via`` is a word that
    must come between the head and the name ("Hospitalet i Lemvig").
    """

    heads: frozenset[str]
    sector: str
    canonical: str  # format string over {name} and {head}
    before: int = 0
    after: int = 0
    via: str | None = None
    case_sensitive: bool = True


HEAD_RULES: tuple[HeadRule, ...] = (
    HeadRule(frozenset({"kommune", "kommunes"}), "municipality", "{name} Kommune", before=1,
             case_sensitive=False),
    HeadRule(frozenset({"Region"}), "region", "Region {name}", after=1),
    HeadRule(frozenset({"hospitalet", "sygehuset"}), "hospital", "{Head} i {name}", after=1,
             via="i", case_sensitive=False),
    HeadRule(frozenset({"Hospital", "Hospitals", "Sygehus", "Universitetshospital",
                        "Universitetshospitals"}), "hospital", "{name} {head}", before=1),
    HeadRule(frozenset({"Regionshospitalet", "Hospitalsenheden", "Hospitalsenhed"}),
             "hospital", "{head} {name}", after=1),
    HeadRule(frozenset({"universitet", "universitets"}), "knowledge_institution",
             "{name} Universitet", before=1, case_sensitive=False),
    HeadRule(frozenset({"Professionshøjskole", "College"}), "knowledge_institution",
             "{name} {head}", before=3),
    HeadRule(frozenset({"A/S", "ApS", "I/S", "IVS", "P/S", "K/S"}), "private_company",
             "{name} {head}", before=3),
    HeadRule(frozenset({"Fonden", "Fond"}), "foundation", "{name} {head}", before=2),
)
# Single words that are names by their ending: "Egmontfonden", "Arbejdstilsynet".
SUFFIX_RULES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("fonden",), "foundation"),
    (("styrelsen", "ministeriet", "tilsynet"), "state"),
)
_SUFFIXES = tuple(e for ends, _ in SUFFIX_RULES for e in ends)
_HEAD_INDEX = {}
for _rule in HEAD_RULES:
    for _head in _rule.heads:
        _HEAD_INDEX.setdefault(_head, []).append(_rule)

_PLACE_COMPOUND = re.compile(r"-[a-zæøå]")

# Words that may be capitalised at the start of a sentence but are not part of a name.
_NOT_NAME = {
    "den", "det", "de", "en", "et", "vores", "jeres", "deres", "hver", "denne", "dette", "min",
    "mit", "din", "sin", "og", "eller", "men", "så", "i", "fra", "til", "med", "hos", "for",
    "om", "på", "af", "når", "hvis", "da", "at", "som", "hele", "både", "også", "ja", "nej",
    "altså", "jo", "nu", "her", "der", "hvad", "hvem", "hvor", "alle", "anden", "andre", "nogle",
    "ingen", "enhver", "flere", "mange", "nye", "ny", "samme", "egen", "egne", "vi", "jeg",
    "man", "han", "hun", "dem", "os", "mig", "dig", "sig", "kommunen", "regionen",
}


def surface_forms(name: str) -> list[str]:
    """The case-sensitive ways a name appears: as written, genitive, later words lower-cased."""
    forms = [name]
    words = name.split()
    if len(words) > 1 and any(w[:1].isupper() for w in words[1:]) and not name.isupper():
        lowered = " ".join([words[0], *(w if w.isupper() else w.lower() for w in words[1:])])
        forms.append(lowered)
    out = []
    for form in forms:
        out.append(form)
        last = form.split()[-1]
        if last.isupper() or any(ch.isdigit() for ch in last):
            out.append(form + "'s")
            out.append(form + "’s")
        elif last.endswith(("s", "x", "z")):
            out.append(form + "'")
        else:
            out.append(form + "s")
    return list(dict.fromkeys(out))


class StakeholderRuler:
    """A spaCy component finding stakeholder mentions (configure it before use)."""

    def __init__(self, nlp: Language):
        self.nlp = nlp
        self.names = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.terms = PhraseMatcher(nlp.vocab, attr="LEMMA")
        self.entries: dict[int, tuple[Entry, str]] = {}
        self.merge_model_entities = False
        self.stop_words = nlp.Defaults.stop_words
        self.word_cache: dict[int, tuple[list[HeadRule], int]] = {}

    def configure(self, gazetteer: Gazetteer, *, merge_model_entities: bool = False) -> None:
        """Load the gazetteer into the matchers."""
        self.gazetteer = gazetteer
        self.merge_model_entities = merge_model_entities
        lemmatise = self._lemmatiser()
        for entry in gazetteer:
            key = self.nlp.vocab.strings.add(entry.name)
            self.entries[key] = (entry, "named")
            # Generic terms and role nouns match on lemmas only; their names are labels.
            surfaces = (entry.name, *entry.aliases) if entry.group == "named" else entry.aliases
            forms = [f for s in surfaces for f in surface_forms(s) if "(" not in s]
            if forms:
                self.names.add(entry.name, [self.nlp.make_doc(f) for f in forms])
            if entry.terms:
                term_key = f"{entry.name}\x00terms"
                self.entries[self.nlp.vocab.strings.add(term_key)] = (
                    entry, "role" if entry.group == "role" else "generic")
                self.terms.add(term_key, [d for t in entry.terms
                                          for d in self._term_docs(t, lemmatise)])

    def _term_docs(self, term: str, lemmatise) -> list[Doc]:
        """The term by its lemmas, and by its words as written: the table is not always
        consistent ("borger" -> "borge" but "borgerne" -> "borger"), so both must match."""
        lemmatised = lemmatise(self.nlp.make_doc(term))
        as_written = self.nlp.make_doc(term)
        strings = self.nlp.vocab.strings
        as_written.from_array(["LEMMA"], as_written.to_array(["LOWER"]).reshape(-1, 1))
        for token in as_written:
            strings.add(token.lower_)
        same = [t.lemma_ for t in lemmatised] == [t.lemma_ for t in as_written]
        return [lemmatised] if same else [lemmatised, as_written]

    def _lemmatiser(self):
        for name, pipe in self.nlp.pipeline:
            if name == "wb_lemmatizer":
                return pipe
        raise RuntimeError("wb_stakeholders needs wb_lemmatizer earlier in the pipeline")

    def __call__(self, doc: Doc) -> Doc:
        candidates: list[tuple[int, int, str, str, str, str]] = []
        for matcher in (self.names, self.terms):
            for match_id, start, end in matcher(doc):
                entry, how = self.entries[match_id]
                candidates.append((start, end, how, entry.name, entry.sector, entry.kind))
        candidates.extend(self._patterns(doc))
        model_ents = list(doc.ents) if self.merge_model_entities else []
        for ent in model_ents:
            if ent.label_ == "ORG":
                candidates.append((ent.start, ent.end, "model", ent.text, "", "organisation"))
        chosen = _choose(candidates)
        doc.user_data[COVERED_KEY] = [(s, e) for s, e, *_ in chosen]
        spans = [Span(doc, s, e, label=sector, kb_id=canonical, span_id=f"{how}:{kind}")
                 for s, e, how, canonical, sector, kind in chosen]
        doc.spans["stakeholders"] = spans
        if not self.merge_model_entities:
            # Without a trained model doc.ents stays empty: the spans group is the result
            # (setting entities as well costs as much as finding them).
            return doc
        ents = [Span(doc, s, e, label=ENT_LABEL.get(kind, "ORG"), kb_id=canonical)
                for s, e, _how, canonical, _sector, kind in chosen]
        taken = {i for s, e, *_ in chosen for i in range(s, e)}
        for ent in model_ents:
            if ent.label_ in ("PER", "LOC") and not taken.intersection(range(ent.start, ent.end)):
                ents.append(ent)
        doc.set_ents(sorted(ents, key=lambda s: s.start), default="outside")
        return doc

    def _word_info(self, orth: int) -> tuple[list[HeadRule], int]:
        """Head rules a word form starts, and 1 if it can be part of a name (2 if it is a
        one-word name by its ending), cached per form."""
        info = self.word_cache.get(orth)
        if info is None:
            text = self.nlp.vocab.strings[orth]
            rules = [r for r in _HEAD_INDEX.get(text, ()) if r.case_sensitive]
            rules += [r for r in _HEAD_INDEX.get(text.lower(), ()) if not r.case_sensitive]
            lower = text.lower()
            name = 0
            if text[:1].isupper() or (text[:1].isdigit() and any(c.isalpha() for c in text)):
                if lower not in _NOT_NAME and not (lower in self.stop_words and len(text) < 4):
                    name = 1
                    if len(text) > 6 and lower.endswith(_SUFFIXES) \
                            and lower not in self.stop_words:
                        name = 2
            info = self.word_cache[orth] = (rules, name)
        return info

    def _patterns(self, doc: Doc) -> list[tuple[int, int, str, str, str, str]]:
        orths_arr = doc.to_array("ORTH")
        uniq, inverse = numpy.unique(orths_arr, return_inverse=True)
        cache, compute = self.word_cache, self._word_info
        uniq_info = [i if (i := cache.get(o)) is not None else compute(o) for o in uniq.tolist()]
        # Only tokens that are a head word or a one-word name need a closer look.
        active = numpy.array([bool(rules) or kind == 2 for rules, kind in uniq_info],
                             dtype=bool)[inverse]
        positions = numpy.nonzero(active)[0].tolist()
        found: list[tuple[int, int, str, str, str, str]] = []
        if not positions:
            return found
        strings = self.nlp.vocab.strings
        orths = orths_arr.tolist()
        inverse_list = inverse.tolist()
        info = _LazyInfo(uniq_info, inverse_list)
        texts = _LazyTexts(strings, orths)
        bare: dict[int, str] = {}
        n = len(orths)
        for i in positions:
            rules, name_kind = info[i]
            if name_kind == 2:
                word = texts[i]
                sector = next(sec for ends, sec in SUFFIX_RULES
                              if word.lower().endswith(ends))
                found.append((i, i + 1, "pattern", word, sector, "organisation"))
            for rule in rules:
                span = _apply_rule(rule, i, texts, info, n)
                if span is None:
                    continue
                start, end, name_words = span
                head = texts[i]
                canonical = rule.canonical.format(name=" ".join(name_words), head=head,
                                                  Head=head[:1].upper() + head[1:])
                found.append((start, end, "pattern", canonical, rule.sector, "organisation"))
                if rule.sector == "private_company" and len(name_words) == 1:
                    bare[orths[start]] = canonical
        # Once a text has said "CareLink ApS", a later bare "CareLink" is the same firm.
        if bare:
            hits = numpy.nonzero(numpy.isin(orths_arr, numpy.array(list(bare),
                                                                   dtype=numpy.uint64)))[0]
            for i in hits.tolist():
                found.append((i, i + 1, "pattern", bare[orths[i]], "private_company",
                              "organisation"))
        return found


class _LazyInfo:
    """Per-token (rules, name kind), looked up through the distinct forms."""

    def __init__(self, uniq_info, inverse):
        self.uniq_info, self.inverse = uniq_info, inverse

    def __getitem__(self, i: int):
        return self.uniq_info[self.inverse[i]]


class _LazyTexts:
    """Per-token text, fetched from the string store only where a rule looks."""

    def __init__(self, strings, orths):
        self.strings, self.orths = strings, orths

    def __getitem__(self, key):
        if isinstance(key, slice):
            return [self.strings[o] for o in self.orths[key]]
        return self.strings[self.orths[key]]


def _apply_rule(rule: HeadRule, i: int, texts: list[str], info, n: int):
    """The token span and name words of ``rule`` with its head at token ``i``, or None."""
    if rule.before:
        start = i
        while start > 0 and i - start < rule.before and info[start - 1][1]:
            start -= 1
        words = texts[start:i]
        # "Så CareLink ApS", "Herning-området CareLink ApS": not part of the name.
        while len(words) > 1 and _PLACE_COMPOUND.search(words[0]):
            words = words[1:]
            start += 1
        if not words:
            return None
        return start, i + 1, words
    j = i + 1
    if rule.via is not None:
        if j >= n or texts[j] != rule.via:
            return None
        j += 1
    end = j
    while end < n and end - j < rule.after and info[end][1]:
        end += 1
    if end == j:
        return None
    return i, end, texts[j:end]


def _choose(candidates):
    """Keep the best non-overlapping candidates: longest, then by PRIORITY, then leftmost."""
    ordered = sorted(candidates, key=lambda c: (-(c[1] - c[0]), PRIORITY[c[2]], c[0]))
    taken: set[int] = set()
    chosen = []
    for cand in ordered:
        tokens = range(cand[0], cand[1])
        if taken.intersection(tokens):
            continue
        taken.update(tokens)
        chosen.append(cand)
    return sorted(chosen, key=lambda c: c[0])
