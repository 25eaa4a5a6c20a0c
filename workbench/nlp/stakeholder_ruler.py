"""The stakeholder entity ruler: gazetteer names, generic terms, role nouns and name patterns.

The mentions go to ``doc.user_data[RESULTS_KEY]`` as plain tuples ``(start token, end token,
how, canonical, sector, kind)``, and (unless the component is called with ``spans=False``, as
tagging does) to spans in ``doc.spans["stakeholders"]`` with

* ``label_``: the sector slug (empty for an organisation a trained model found),
* ``kb_id_``: the canonical name (for a pattern: the name rebuilt in its base form),
* ``id_``: ``"<how>:<kind>"`` where how is ``named``, ``pattern``, ``role``, ``generic`` or
  ``model``.

With a trained model the mentions also go into ``doc.ents`` (ORG, ACTOR, ROLE), merged with the
model's PER and LOC entities; without one ``doc.ents`` is left empty.

Overlapping candidates are resolved longest first, then by how they were found (a gazetteer
name beats a pattern, a pattern beats a role noun, a role noun beats a generic term).

Beyond exact matches:

* a one-word generic term or role noun given as a lemma also matches as the head of a compound
  ("nabokommunerne", "hjertepatienter", "KOL-patient", "lokalpolitikerne");
* a bare town name that the gazetteer knows as a municipality is a place, not the
  municipality, right after a locative preposition ("bor i Aarhus", "toget fra Viborg"), when
  coordinated with such a place ("i Furesø og Egedal") or right before another capitalised name
  word ("Herning Rådhus");
* name patterns step over runs of spaces (text from PDFs: "Randers   Kommune");
* "Syddjurs og Norddjurs Kommuner" names both municipalities.

Then the words around each mention are read (:mod:`workbench.nlp.stakeholder_context`):
contextual nouns ("sygeplejerskerne", "lægerne", "afdelingen") get the sector their context
gives them or are dropped, adjectives that say which actor is meant join the mention
("kommunale ledere", "nordjyske kommuner", "sårbare ældre"), and adjectives standing as nouns
("de ældre") are kept only where they are nouns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from operator import itemgetter

import numpy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from workbench.nlp import stakeholder_context as context_mod
from workbench.nlp.forms import forms_for
from workbench.nlp.gazetteer import Entry, Gazetteer
from workbench.nlp.lemmas import MIN_HEAD, MIN_MODIFIER, is_lemma, lemmatise_word

COVERED_KEY = "wb_stakeholder_tokens"
RESULTS_KEY = "wb_stakeholders"
# "contextual": a noun whose sector its context decides (never left in the results).
PRIORITY = {"named": 0, "pattern": 1, "model": 2, "role": 3, "generic": 4, "contextual": 5}
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
    how: str = "pattern"  # "generic": the name is not kept, the mention is of a generic actor
    kind: str = "organisation"


HEAD_RULES: tuple[HeadRule, ...] = (
    HeadRule(frozenset({"kommune", "kommunes", "kommuner"}), "municipality", "{name} Kommune",
             before=1, case_sensitive=False),
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
    HeadRule(frozenset({"lægehuset"}), "general_practice", "{Head} i {name}",
             after=1, via="i", case_sensitive=False),
    HeadRule(frozenset({"apoteket"}), "private_company", "{Head} i {name}",
             after=1, via="i", case_sensitive=False),
    HeadRule(frozenset({"Lægehuset", "Lægeklinikken", "Lægecentret"}), "general_practice",
             "{head} {name}", after=2),
    HeadRule(frozenset({"Lægehus", "Lægeklinik", "Lægecenter"}), "general_practice",
             "{name} {head}", before=2),
    HeadRule(frozenset({"Apotek"}), "private_company", "{name} {head}", before=2),
    HeadRule(frozenset({"plejecenter", "plejecentret", "plejehjem",
                        "plejehjemmet", "bostedet", "botilbuddet", "dagcentret",
                        "aktivitetscentret", "sundhedscentret", "sundhedscenter",
                        "træningscentret", "genoptræningscentret", "rehabiliteringscentret"}),
             "municipality", "{Head} {name}", after=2, case_sensitive=False),
    # A unit written with a capital and a district or town is that unit's name ("Akutteam
    # Amager", "Hjemmesygeplejen Nord"); "hjemmeplejen Anne" is not.
    HeadRule(frozenset({"Genoptræningscenter", "Træningscenter", "Akutteam", "Akutteamet",
                        "Hjemmeplejen", "Hjemmesygeplejen", "Sygeplejen", "Hjemmepleje",
                        "Hjemmesygepleje"}),
             "municipality", "{head} {name}", after=1),
    HeadRule(frozenset({"frivilligcenter", "frivilligcentret", "frivilligcentrum"}),
             "civil_society", "{Head} {name}", after=1, case_sensitive=False),
    HeadRule(frozenset({"Sundhedsklynge", "Sundhedsklyngen", "Klynge"}), "partnership_project",
             "{head} {name}", after=1),
    # Firms named by a trade word: "Lysholm Consult", "Kvadrant Analyse", "Solvang Omsorg".
    HeadRule(frozenset({"Consult", "Consulting", "Analyse", "Care", "Omsorg", "Health",
                        "Medical", "Group", "Solutions", "Tech", "Technology", "Pharma",
                        "Rådgivning"}), "private_company", "{name} {head}", before=2),
    # "fru Mikkelsen", "hr. Hansen": in this talk a citizen or patient; the name itself is
    # personal data, not a stakeholder, so the mention is of citizens in general.
    HeadRule(frozenset({"fru", "hr.", "hr"}), "citizen", "borgerne (generic)", after=2,
             case_sensitive=False, how="generic", kind="group"),
)
# Single words that are names by their ending: "Egmontfonden", "Arbejdstilsynet",
# "Hjerteforeningen" (a profession's association is a union: "Ergoterapeutforeningen").
SUFFIX_RULES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("fonden",), "foundation"),
    (("styrelsen", "ministeriet", "tilsynet"), "state"),
    (("foreningen",), "civil_society"),
)
# A suffix that needs a real word before it ("Foreningen" alone is not a name).
_SUFFIX_MODIFIER = {"foreningen": 3}
_SUFFIXES = tuple(e for ends, _ in SUFFIX_RULES for e in ends)
_HEAD_INDEX = {}
for _rule in HEAD_RULES:
    for _head in _rule.heads:
        _HEAD_INDEX.setdefault(_head, []).append(_rule)

_PLACE_COMPOUND = re.compile(r"-[a-zæøå]")
# "Syddjurs og Norddjurs Kommuner": a plural head names the last of several municipalities; at
# the start of a sentence the capitalised word before it is more often an adjective.
_PLURAL_HEADS = frozenset({"kommuner"})
# Prepositions after which a town name is where something happens, not the municipality acting.
LOCATIVE = frozenset({"i", "fra", "på", "ved", "nær", "omkring"})
_COORDINATORS = frozenset({"og", "eller", ","})
# What a word form is for this component (bit flags, a form feature).
_NAME = 1  # capitalised: can be part of a name
_ONE_WORD_NAME = 2  # a name by its ending ("Egmontfonden")
_SPACE = 4
_TOWN = 8  # a bare town name the gazetteer knows as a municipality
_LOCATIVE = 16  # "i", "fra", "på" ...
_LOCATIVE_CAP = 32  # "I", "Fra", "På" ...: locative only at the start of a sentence
_HEAD = 64  # the head word of a name pattern
_COMPOUND = 128  # a compound whose head is a generic term or role noun
_ACTIVE = _ONE_WORD_NAME | _HEAD | _COMPOUND

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
        self.forms = forms_for(nlp.vocab)
        self.names = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.terms = PhraseMatcher(nlp.vocab, attr="LEMMA")
        self.entries: dict[int, tuple[Entry, str]] = {}
        self.merge_model_entities = False
        self.stop_words = nlp.Defaults.stop_words
        self.towns: frozenset[str] = frozenset()
        self.compound_heads: dict[str, int] = {}  # head lemma -> index in compound_terms
        self.compound_terms: list[tuple[str, str, str, str]] = []
        self.compound_tails: dict[str, list[int]] = {}  # last four letters -> head lengths
        # Head rules by the word form that heads them, as an index into rule_sets.
        self.rule_sets: list[list[HeadRule]] = []
        self._rule_set_ids: dict[tuple[int, ...], int] = {}
        self.professions: frozenset[str] = frozenset()
        self.context: context_mod.ContextReader | None = None
        self._add_features()

    def configure(self, gazetteer: Gazetteer, *, merge_model_entities: bool = False) -> None:
        """Load the gazetteer into the matchers."""
        self.gazetteer = gazetteer
        self.merge_model_entities = merge_model_entities
        lemmatise = self._lemmatiser()
        towns: set[str] = set()
        for entry in gazetteer:
            key = self.nlp.vocab.strings.add(entry.name)
            # A generic term's exact forms ("visitationen") are still a generic term.
            self.entries[key] = (entry, {"named": "named", "role": "role"}.get(entry.group,
                                                                               "generic"))
            # Generic terms and role nouns match on lemmas only; their names are labels.
            surfaces = (entry.name, *entry.aliases) if entry.group == "named" else entry.aliases
            forms = [f for s in surfaces for f in surface_forms(s) if "(" not in s]
            if forms:
                self.names.add(entry.name, [self._pattern_doc(f) for f in forms])
            if entry.group == "named" and entry.sector == "municipality":
                towns.update(a for a in entry.aliases
                             if " " not in a and "kommune" not in a.lower())
            if entry.terms:
                how = "role" if entry.group == "role" else "generic"
                term_key = f"{entry.name}\x00terms"
                self.entries[self.nlp.vocab.strings.add(term_key)] = (entry, how)
                self.terms.add(term_key, [d for t in entry.terms
                                          for d in self._term_docs(t, lemmatise)])
                for term in entry.terms:
                    lower = term.lower()
                    # A term given in its base form also heads compounds ("nabokommune");
                    # a term given inflected ("staten") means that word only.
                    if lower.isalpha() and len(lower) >= MIN_HEAD and (
                            is_lemma(lower) or lemmatise_word(lower) == lower) \
                            and lower not in self.compound_heads:
                        self.compound_heads[lower] = len(self.compound_terms)
                        self.compound_terms.append((entry.name, entry.sector, entry.kind, how))
        rules = gazetteer.context
        nouns = {}
        for noun in rules.nouns:
            nouns[noun.name] = noun
            pseudo = Entry(name=noun.name, sector="", kind=noun.kind, group="generic")
            term_key = f"{noun.name}\x00contextual"
            self.entries[self.nlp.vocab.strings.add(term_key)] = (pseudo, "contextual")
            self.terms.add(term_key, [d for t in noun.terms
                                      for d in self._term_docs(t, lemmatise)])
            for term in noun.terms:
                lower = term.lower()
                if noun.compounds and lower.isalpha() and len(lower) >= MIN_HEAD \
                        and lower not in self.compound_heads:
                    self.compound_heads[lower] = len(self.compound_terms)
                    self.compound_terms.append((noun.name, "", noun.kind, "contextual"))
        self.professions = frozenset(
            {*rules.professions,
             *(t.lower() for n in rules.nouns for t in n.terms if t.isalpha()),
             *(t.lower() for e in gazetteer if e.group == "role" for t in e.terms
               if t.isalpha())})
        self.context = context_mod.ContextReader(gazetteer, nouns, self.stop_words)
        self.towns = frozenset(towns)
        # "indlagt på Herlev", "på Gødstrup": a hospital called by its town after "på".
        self.hospital_towns = _hospital_towns(gazetteer)
        self.hospital_canonicals = sorted(set(self.hospital_towns.values()))
        where = {name: k for k, name in enumerate(self.hospital_canonicals)}
        self.forms.add_feature("sh_hospital_town", numpy.int32,
                               lambda text, _lemma: where.get(self.hospital_towns.get(text, ""),
                                                              -1))
        # (how, canonical, sector, kind) by match id, and the ids a bare town name can match.
        self._fields = {key: (how, entry.name, entry.sector, entry.kind)
                        for key, (entry, how) in self.entries.items()}
        self._town_keys = frozenset(
            key for key, (entry, how) in self.entries.items()
            if how == "named" and entry.sector == "municipality" and entry.group == "named")
        # Every head is at least MIN_HEAD (4) letters: its last four letters say which head
        # lengths to try, longest first.
        tails: dict[str, set[int]] = {}
        for head in self.compound_heads:
            tails.setdefault(head[-4:], set()).add(len(head))
        self.compound_tails = {tail: sorted(sizes, reverse=True) for tail, sizes in tails.items()}
        self._add_features()

    def _hospitals_by_town(self, doc: Doc, ids: numpy.ndarray, flags: numpy.ndarray) -> list:
        """"hun blev indlagt på Herlev": the hospital, where the town comes right after "på"
        ("i Herlev" is the town)."""
        which = self.forms["sh_hospital_town"][ids]
        out = []
        for i in numpy.nonzero(which >= 0)[0].tolist():
            j = i - 1
            while j >= 0 and flags[j] & _SPACE:
                j -= 1
            k = i + 1
            while k < len(flags) and flags[k] & _SPACE:
                k += 1
            # "på Viborg Rådhus" is a building in the town.
            if j >= 0 and doc[j].text == "på" and not (k < len(flags) and flags[k] & _NAME):
                out.append((i, i + 1, "named", self.hospital_canonicals[which[i]], "hospital",
                            "organisation"))
        return out

    def _add_features(self) -> None:
        self.forms.add_features([("sh_flags", numpy.uint8), ("sh_rules", numpy.int32),
                                 ("sh_compound", numpy.int32), ("sh_ctx", numpy.uint32),
                                 ("sh_adj", numpy.int8)], self._form_features)

    def _pattern_doc(self, text: str) -> Doc:
        """``text`` as the tokenizer splits it. Words of letters only, one space apart, are
        never split further, so they are made without running the tokenizer (there are
        hundreds of patterns to build)."""
        words = text.split(" ")
        if all(w.isalpha() for w in words):
            return Doc(self.nlp.vocab, words=words)
        return self.nlp.make_doc(text)

    def _term_docs(self, term: str, lemmatise) -> list[Doc]:
        """The term by its lemmas, and by its words as written: the table is not always
        consistent ("borger" -> "borge" but "borgerne" -> "borger"), so both must match."""
        lemmatised = self._pattern_doc(term)
        if all(w.isalpha() for w in term.split(" ")):
            lemmatised.from_array(["LEMMA"], numpy.array(
                [[self.nlp.vocab.strings.add(lemmatise_word(t.text))] for t in lemmatised],
                dtype=numpy.uint64))
        else:
            lemmatised = lemmatise(lemmatised)
        as_written = self._pattern_doc(term)
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

    # ------------------------------------------------------------------ form features
    def _rules(self, text: str) -> int:
        """The name patterns a word form is the head of (an index into rule_sets), or -1."""
        lower = text.lower()
        if text not in _HEAD_INDEX and lower not in _HEAD_INDEX:
            return -1
        rules = [r for r in _HEAD_INDEX.get(text, ()) if r.case_sensitive]
        rules += [r for r in _HEAD_INDEX.get(lower, ()) if not r.case_sensitive]
        if not rules:
            return -1
        key = tuple(id(r) for r in rules)
        if key not in self._rule_set_ids:
            self._rule_set_ids[key] = len(self.rule_sets)
            self.rule_sets.append(rules)
        return self._rule_set_ids[key]

    def _compound(self, lemma: str) -> int:
        """The generic term or role noun heading a compound form (an index into
        compound_terms), or -1."""
        heads = self.compound_heads
        if not heads:
            return -1
        if "-" in lemma:
            modifier, _, head = lemma.rpartition("-")
            return heads.get(head, -1) if modifier and head.isalpha() else -1
        lengths = self.compound_tails.get(lemma[-4:])
        if lengths is None or not lemma.isalpha():
            return -1
        # The longest head that leaves a modifier of at least MIN_MODIFIER letters.
        longest = len(lemma) - MIN_MODIFIER
        for size in lengths:
            if size <= longest:
                hit = heads.get(lemma[-size:])
                if hit is not None:
                    return hit
        return -1

    def _suffix_sector(self, lower: str) -> str | None:
        """The sector of a one-word name by its ending ("Egmontfonden"), or None."""
        for ends, sector in SUFFIX_RULES:
            for end in ends:
                if lower.endswith(end):
                    modifier = lower[:-len(end)].rstrip("-")
                    if len(modifier) < _SUFFIX_MODIFIER.get(end, 0):
                        return None
                    if end == "foreningen" and (modifier in self.professions
                                                or lemmatise_word(modifier) in self.professions):
                        return "interest_organisation"
                    return sector
        return None

    def _form_features(self, text: str, lemma: str) -> tuple[int, int, int, int, int]:
        """(flags, head rule set, compound term, context bits, sector adjective) of one word
        form."""
        rules = self._rules(text)
        compound = self._compound(lemma)
        lower = text.lower()
        flags = _SPACE if text.isspace() else 0
        if text[:1].isupper() or (text[:1].isdigit() and any(c.isalpha() for c in text)):
            if lower not in _NOT_NAME and not (lower in self.stop_words and len(text) < 4):
                flags |= _NAME
                if len(text) > 6 and lower.endswith(_SUFFIXES) and lower not in self.stop_words \
                        and self._suffix_sector(lower) is not None:
                    flags |= _ONE_WORD_NAME
        if text == "&":  # "Hjem & Hjerte ApS"
            flags |= _NAME
        if text in self.towns:
            flags |= _TOWN
        if text in LOCATIVE:
            flags |= _LOCATIVE
        elif lower in LOCATIVE:
            flags |= _LOCATIVE_CAP
        if rules >= 0:
            flags |= _HEAD
        if compound >= 0:
            flags |= _COMPOUND
        ctx, adjective = self.context.features(text, lower) if self.context else (0, -1)
        return flags, rules, compound, ctx, adjective

    # ------------------------------------------------------------------ matching
    def __call__(self, doc: Doc, spans: bool = True) -> Doc:
        ids = self.forms.ids(doc)
        flags = self.forms["sh_flags"][ids]
        candidates: list[tuple[int, int, str, str, str, str]] = []
        fields, towns = self._fields, self._town_keys
        for matcher in (self.names, self.terms):
            for match_id, start, end in matcher(doc):
                if (match_id in towns and end - start == 1 and flags[start] & _TOWN
                        and _is_place(doc, flags, start)):
                    continue
                candidates.append((start, end, *fields[match_id]))
        candidates.extend(self._patterns(doc, ids, flags))
        candidates.extend(self._hospitals_by_town(doc, ids, flags))
        model_ents = list(doc.ents) if self.merge_model_entities else []
        for ent in model_ents:
            if ent.label_ == "ORG":
                candidates.append((ent.start, ent.end, "model", ent.text, "", "organisation"))
        chosen = _choose(candidates)
        if chosen and self.context is not None:
            chosen = self.context(doc, ids, self.forms["sh_ctx"], self.forms["sh_adj"],
                                  self.forms, chosen)
        doc.user_data[COVERED_KEY] = [c[:2] for c in chosen]
        doc.user_data[RESULTS_KEY] = chosen
        if spans or self.merge_model_entities:
            doc.spans["stakeholders"] = [
                Span(doc, s, e, label=sector, kb_id=canonical, span_id=f"{how}:{kind}")
                for s, e, how, canonical, sector, kind in chosen]
        if not self.merge_model_entities:
            # Without a trained model doc.ents stays empty: the mentions are the result
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

    def _patterns(self, doc: Doc, ids: numpy.ndarray, flags: numpy.ndarray
                  ) -> list[tuple[int, int, str, str, str, str]]:
        """Name patterns, one-word names by their ending, and compounds headed by a term."""
        positions = numpy.nonzero(flags & _ACTIVE)[0].tolist()
        found: list[tuple[int, int, str, str, str, str]] = []
        if not positions:
            return found
        forms = self.forms
        texts, rules_of, compound_of = forms.texts, forms["sh_rules"], forms["sh_compound"]
        bare: dict[int, str] = {}
        n = len(ids)

        def text_at(j: int) -> str:
            return texts[ids[j]]

        for i in positions:
            form, kind = int(ids[i]), int(flags[i])
            if kind & _ONE_WORD_NAME:
                word = texts[form]
                found.append((i, i + 1, "pattern", word, self._suffix_sector(word.lower()),
                              "organisation"))
            if kind & _COMPOUND:
                canonical, sector, entry_kind, how = self.compound_terms[compound_of[form]]
                found.append((i, i + 1, how, canonical, sector, entry_kind))
            if not kind & _HEAD:
                continue
            for rule in self.rule_sets[rules_of[form]]:
                span = _apply_rule(rule, i, text_at, flags, n, doc)
                if span is None:
                    continue
                start, end, name_words = span
                head = texts[form]
                canonical = rule.canonical.format(name=" ".join(name_words), head=head,
                                                  Head=head[:1].upper() + head[1:])
                found.append((start, end, rule.how, canonical, rule.sector, rule.kind))
                if rule.sector == "private_company" and len(name_words) == 1:
                    bare[int(ids[start])] = canonical
                if head.lower() in _PLURAL_HEADS:
                    found.extend(_coordinated(rule, start, text_at, flags, head))
        # Once a text has said "CareLink ApS", a later bare "CareLink" is the same firm.
        if bare:
            hits = numpy.nonzero(numpy.isin(ids, numpy.array(list(bare), dtype=ids.dtype)))[0]
            for i in hits.tolist():
                found.append((i, i + 1, "pattern", bare[int(ids[i])], "private_company",
                              "organisation"))
        return found


# Places where "på X" is where one lives or goes, not the hospital named after X.
_NOT_HOSPITAL_TOWNS = frozenset({"Amager", "Frederiksberg", "Bornholms", "Nordsjællands",
                                 "Sjællands", "Fyn", "Lolland", "Falster", "Mors"})
_HOSPITAL_NAME = re.compile(r"^(?:Regionshospitalet ([A-ZÆØÅ][a-zæøå]+)|"
                            r"([A-ZÆØÅ][a-zæøå]+) (?:Hospital|Sygehus))$")


def _hospital_towns(gazetteer: Gazetteer) -> dict[str, str]:
    """Town -> hospital, from hospital names "<Town> Hospital", "<Town> Sygehus" and
    "Regionshospitalet <Town>" (names and aliases): "på Gødstrup" is Regionshospitalet
    Gødstrup."""
    out: dict[str, str] = {}
    for entry in gazetteer:
        if entry.group != "named" or entry.sector != "hospital":
            continue
        for name in (entry.name, *entry.aliases):
            m = _HOSPITAL_NAME.match(name)
            town = m and (m.group(1) or m.group(2))
            if town and town not in _NOT_HOSPITAL_TOWNS:
                out.setdefault(town, entry.name)
    return out


def _coordinated(rule: HeadRule, start: int, text_at, flags: numpy.ndarray, head: str):
    """"Syddjurs og Norddjurs Kommuner", "Favrskov, Skanderborg og Odder kommuner": the names
    coordinated before a plural head's name are names of the same kind."""
    out = []
    j = start - 1
    while True:
        while j >= 0 and flags[j] & _SPACE:
            j -= 1
        if j < 0 or text_at(j) not in ("og", "eller", ","):
            break
        j -= 1
        while j >= 0 and flags[j] & _SPACE:
            j -= 1
        if j < 0 or not flags[j] & _NAME:
            break
        name = text_at(j)
        out.append((j, j + 1, "pattern", rule.canonical.format(
            name=name, head=head, Head=head[:1].upper() + head[1:]), rule.sector, "organisation"))
        j -= 1
    return out


def _is_place(doc: Doc, flags: numpy.ndarray, i: int) -> bool:
    """A bare town name at token ``i`` names a place: after a locative preposition ("bor i
    Aarhus") or before another name word ("Herning Rådhus")."""
    j = i - 1
    while j >= 0 and flags[j] & _SPACE:
        j -= 1
    if j >= 0 and (flags[j] & _LOCATIVE or (flags[j] & _LOCATIVE_CAP and doc[j].is_sent_start)):
        return True
    # "i Furesø og Egedal", "i Ishøj, Vallensbæk eller Brøndby": a town coordinated with a
    # place is a place too.
    if j > 0 and doc[j].text in _COORDINATORS:
        k = j - 1
        while k >= 0 and flags[k] & _SPACE:
            k -= 1
        if k >= 0 and flags[k] & _TOWN and _is_place(doc, flags, k):
            return True
    k = i + 1
    while k < len(flags) and flags[k] & _SPACE:
        k += 1
    return k < len(flags) and bool(flags[k] & _NAME)


def _apply_rule(rule: HeadRule, i: int, text_at, flags: numpy.ndarray, n: int, doc: Doc):
    """The token span and name words of ``rule`` with its head at token ``i``, or None.

    Runs of spaces between the words are stepped over (they stay inside the span).
    """
    if rule.before:
        names: list[int] = []
        j = i - 1
        while j >= 0 and len(names) < rule.before:
            if flags[j] & _SPACE:
                j -= 1
                continue
            if not flags[j] & _NAME:
                break
            names.insert(0, j)
            j -= 1
        words = [text_at(j) for j in names]
        # "Så CareLink ApS", "Herning-området CareLink ApS": not part of the name.
        while len(words) > 1 and _PLACE_COMPOUND.search(words[0]):
            words.pop(0)
            names.pop(0)
        if not names:
            return None
        if text_at(i).lower() in _PLURAL_HEADS and doc[names[0]].is_sent_start:
            return None
        return names[0], i + 1, words
    j = i + 1
    if rule.via is not None:
        while j < n and flags[j] & _SPACE:
            j += 1
        if j >= n or text_at(j) != rule.via:
            return None
        j += 1
    names = []
    while j < n and len(names) < rule.after:
        if flags[j] & _SPACE:
            j += 1
            continue
        if not flags[j] & _NAME:
            break
        names.append(j)
        j += 1
    if not names:
        return None
    return i, names[-1] + 1, [text_at(j) for j in names]


def _choose(candidates):
    """Keep the best non-overlapping candidates: longest, then by PRIORITY, then leftmost.

    Candidates that overlap nothing are kept as they are; only each group of overlapping ones
    (a name and the generic term inside it) is sorted and chosen from.
    """
    if not candidates:
        return []
    candidates.sort(key=_START)
    chosen = []
    i, n = 0, len(candidates)
    while i < n:
        end = candidates[i][1]
        j = i + 1
        while j < n and candidates[j][0] < end:
            if candidates[j][1] > end:
                end = candidates[j][1]
            j += 1
        if j == i + 1:
            chosen.append(candidates[i])
        elif j == i + 2:
            # Two that overlap ("Herning Kommune" and "Kommune"): the better one.
            chosen.append(min(candidates[i], candidates[i + 1], key=_rank))
        else:
            chosen.extend(_choose_among(candidates[i:j]))
        i = j
    return chosen


_START = itemgetter(0)


def _rank(c):
    """Sort key: longest first, then by how it was found, then leftmost."""
    return (c[0] - c[1], PRIORITY[c[2]], c[0])


def _choose_among(candidates):
    """Keep the best non-overlapping candidates of a group that overlap each other."""
    ordered = sorted(candidates, key=_rank)
    taken = bytearray(max(c[1] for c in candidates))
    chosen = []
    for cand in ordered:
        start, end = cand[0], cand[1]
        if end - start == 1:
            if taken[start]:
                continue
            taken[start] = 1
        else:
            if any(taken[start:end]):
                continue
            taken[start:end] = b"\x01" * (end - start)
        chosen.append(cand)
    chosen.sort(key=_START)
    return chosen
