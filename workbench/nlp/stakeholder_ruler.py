"""The stakeholder entity ruler: gazetteer names, generic terms, role nouns and name patterns.

Each mention becomes a span in ``doc.spans["stakeholders"]`` with

* ``label_``: the sector slug (empty for an organisation a trained model found),
* ``kb_id_``: the canonical name (for a pattern: the name rebuilt in its base form),
* ``id_``: ``"<how>:<kind>"`` where how is ``named``, ``pattern``, ``role``, ``generic`` or
  ``model``.

Overlapping candidates are resolved longest first, then by how they were found (a gazetteer
name beats a pattern, a pattern beats a role noun, a role noun beats a generic term).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from workbench.nlp.gazetteer import Entry, Gazetteer

PRIORITY = {"named": 0, "pattern": 1, "model": 2, "role": 3, "generic": 4}
ENT_LABEL = {"organisation": "ORG", "partnership": "ORG", "group": "ACTOR", "role": "ROLE",
             "person": "PER"}

# A capitalised word of a name: "Herning", "CareLink", "Ikast-Brande", "3Shape".
_NAME = r"[A-ZÆØÅ0-9][\wÆØÅæøå&'’.\-]*[\wÆØÅæøå]|[A-ZÆØÅ]"
_NAMES = rf"(?:{_NAME})(?: (?:{_NAME})){{0,2}}"


@dataclass(frozen=True)
class NamePattern:
    """A pattern for a name the gazetteer does not know, with the sector it implies."""

    regex: re.Pattern
    sector: str
    kind: str
    canonical: str  # format string over the named groups


NAME_PATTERNS: tuple[NamePattern, ...] = (
    NamePattern(re.compile(rf"\b(?P<name>{_NAME}) [Kk]ommunes?\b"), "municipality",
                "organisation", "{name} Kommune"),
    NamePattern(re.compile(rf"\bRegion (?P<name>{_NAME})\b"), "region", "organisation",
                "Region {name}"),
    NamePattern(re.compile(rf"\b[Hh]ospitalet i (?P<name>{_NAME})\b"), "hospital",
                "organisation", "Hospitalet i {name}"),
    NamePattern(re.compile(rf"\b[Ss]ygehuset i (?P<name>{_NAME})\b"), "hospital",
                "organisation", "Sygehuset i {name}"),
    NamePattern(re.compile(rf"\b(?P<name>{_NAME}) (?P<head>Hospital|Sygehus|Universitetshospital)"
                           r"s?\b"), "hospital", "organisation", "{name} {head}"),
    NamePattern(re.compile(rf"\b(?P<head>Regionshospitalet|Hospitalsenheden|Hospitalsenhed) "
                           rf"(?P<name>{_NAME})\b"), "hospital", "organisation", "{head} {name}"),
    NamePattern(re.compile(rf"\b(?P<name>{_NAME}) [Uu]niversitets?\b"), "knowledge_institution",
                "organisation", "{name} Universitet"),
    NamePattern(re.compile(rf"\b(?P<name>{_NAMES}) (?P<head>University College|"
                           r"Professionshøjskole)\b"), "knowledge_institution", "organisation",
                "{name} {head}"),
    NamePattern(re.compile(rf"\b(?P<name>{_NAMES}) (?P<head>A/S|ApS|I/S|IVS|P/S|K/S)(?!\w)"),
                "private_company", "organisation", "{name} {head}"),
    NamePattern(re.compile(r"\b(?P<name>[A-ZÆØÅ][\wæøå\-]*[Ff]onden)\b"), "foundation",
                "organisation", "{name}"),
    NamePattern(re.compile(r"\b(?P<name>[A-ZÆØÅ][\wæøå\-]*(?:styrelsen|ministeriet|tilsynet))\b"),
                "state", "organisation", "{name}"),
)

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
        spans = [Span(doc, s, e, label=sector, kb_id=canonical, span_id=f"{how}:{kind}")
                 for s, e, how, canonical, sector, kind in chosen]
        doc.spans["stakeholders"] = spans
        ents = [Span(doc, s.start, s.end, label=ENT_LABEL.get(s.id_.split(":")[1], "ORG"),
                     kb_id=s.kb_id_) for s in spans]
        taken = {i for s in spans for i in range(s.start, s.end)}
        for ent in model_ents:
            if ent.label_ in ("PER", "LOC") and not taken.intersection(range(ent.start, ent.end)):
                ents.append(ent)
        doc.set_ents(sorted(ents, key=lambda s: s.start), default="outside")
        return doc

    def _patterns(self, doc: Doc) -> list[tuple[int, int, str, str, str, str]]:
        text = doc.text
        found = []
        for pattern in NAME_PATTERNS:
            for match in pattern.regex.finditer(text):
                groups = {k: v for k, v in match.groupdict().items() if v}
                name = groups.get("name", "")
                start = match.start()
                # Drop sentence-initial function words: "Så CareLink ApS" -> "CareLink ApS".
                words = name.split(" ")
                while words and words[0].lower() in _NOT_NAME:
                    start += len(words[0]) + 1
                    words = words[1:]
                if not words:
                    continue
                groups["name"] = " ".join(words)
                if "name" in match.groupdict() and match.start("name") > match.start():
                    start = match.start()  # the head comes first ("Region X"): keep it
                span = doc.char_span(start, match.end(), alignment_mode="expand")
                if span is None:
                    continue
                canonical = pattern.canonical.format(**groups)
                found.append((span.start, span.end, "pattern", canonical, pattern.sector,
                              pattern.kind))
        return found


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
