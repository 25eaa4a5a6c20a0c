"""Reading the words around stakeholder mentions: contextual sectors and fuller surfaces.

The stakeholder ruler finds candidates; this module reads their neighbourhood (see the header
of ``workbench/data/gazetteer/context.yaml`` for the rules):

* a contextual noun ("sygeplejerskerne", "lægerne", "afdelingen") gets the sector an adjective,
  a genitive owner, a reflexive possessive, an attached actor, the sentence or its default gives
  it, or is dropped;
* a genitive owner stays a mention of its own beside the noun it owns, which takes the
  owner's sector ("kommunens sygeplejersker": "kommunens", municipality, and "sygeplejersker",
  municipal nurses), as researchers mark them: the owner is named as an actor too;
* adjectives that say which actor is meant join generic mentions ("kommunale ledere",
  "nordjyske kommuner", "sårbare ældre", "ældre medicinske patienter", "kronisk syge borgere"),
  as do the first halves of coordinated compounds ("børne- og ungdomspsykiatrien");
* an adjective standing as a noun ("de ældre", "unge") is kept only where it is one ("ældre
  end", "unge læger" are adjectives).

What a word is for these rules is a form feature (bit flags computed once per word form), so a
document costs one array read and a short loop over its mentions.
"""

from __future__ import annotations

from bisect import bisect_right

import numpy
from spacy.tokens import Doc

from workbench.core.models import SECTORS
from workbench.nlp.forms import SENT_STARTS_KEY
from workbench.nlp.gazetteer import ContextualNoun, Gazetteer
from workbench.nlp.lemmas import lemmatise_word

# Bits of the "sh_ctx" form feature.
SECTOR_ADJ = 1  # "kommunale": the sector is in the "sh_adj" feature
PLACE_ADJ = 2  # "nordjyske"
GROUP_ADJ = 4  # "sårbare", "ældre"
GROUP_ADV = 8  # "kronisk" (before "syge")
DEGREE = 16  # "mest"
HYPHEN = 32  # "børne-"
COORD = 64  # "og", "eller"
SHARED = 128  # "fælles"
POSSESSIVE = 256  # "sin", "sit", "sine"
OWN = 512  # "egen", "eget", "egne"
PREP = 1024  # "på", "i", "fra" ...
STOP = 2048  # a stop word
PUNCT = 4096  # no letter or digit
NOT_AFTER = 8192  # "er", "år": an adjective after it is not a noun
NOT_BEFORE = 16384  # "end": an adjective before it is not a noun
ADVERB_TARGET = 32768  # "syge": a group's name after "kronisk", an assessment alone
SPACE = 65536  # white space only
LIST = 1 << 17  # "og", "eller", ",": joins actors in a list
PREDICATIVE = 1 << 18  # "er", "som": what follows is what someone is
ARTICLE = 1 << 19  # "den", "vores": may stand between a preposition and its actor
PHRASE_START = 1 << 20  # the first word of an attachment phrase ("ude i byen")
ENDS_IN_S = 1 << 21  # may be a genitive ("kommunens", "KL's")
# A generic mention right after a word with one of these may grow (and after "og" when a
# hyphenated word comes before it); nothing else needs a look.
_LOOK_BEFORE = SECTOR_ADJ | PLACE_ADJ | GROUP_ADJ | ADVERB_TARGET
_EXTENDS = ("generic", "role")
_CITIZEN = "citizen"
_DEFINITE = ("en", "et", "ne", "nes", "ens", "ets")
_ENDS_IN_S = frozenset({"s", "S", "'"})
_LIST_WORDS = frozenset({"og", "eller", ","})
# "dem, der ikke er læger", "som sygeplejerske": what someone is, not an actor (but "det er
# lægerne, der ..." names them).
_PREDICATIVE = frozenset({"er", "var", "være", "været", "blive", "bliver", "blev", "blevet",
                          "som"})
_ARTICLES = frozenset({"den", "det", "de", "en", "et", "vores", "deres", "jeres", "sin", "sit",
                       "sine"})


def _is_genitive(text: str, lemma: str) -> bool:
    """A common noun in the genitive: "kommunens", "hospitalets", "KL's"."""
    if text.endswith(("'s", "’s")):
        return True
    return (len(text) > 3 and text[-1] == "s" and text.lower() != lemma
            and lemmatise_word(text[:-1]) == lemma)


class ContextReader:
    """Applies the context rules to a document's chosen mentions (see the module docstring).

    Mentions are tuples ``(start token, end token, how, canonical, sector, kind)``; a contextual
    noun comes in with how ``"contextual"``, its noun's name as canonical and no sector.
    """

    def __init__(self, gazetteer: Gazetteer, nouns: dict[str, ContextualNoun],
                 stop_words: frozenset[str] | set[str]):
        self.gazetteer = gazetteer
        self.rules = rules = gazetteer.context
        self.nouns = nouns
        # Adjectives that name a group only as nouns ("de ældre").
        self.noun_use = frozenset(e.name for e in gazetteer if e.attributes.get("noun_use"))
        # Words before or after which a term is not the actor ("enige om visitationen",
        # "visitationen af hjælpemidler": the procedure).
        self.not_after, self.not_before = ({
            e.name: frozenset(str(w).lower() for w in e.attributes[key])
            for e in gazetteer if e.attributes.get(key)} for key in ("not_after", "not_before"))
        self.checked = self.noun_use | frozenset(self.not_after) | frozenset(self.not_before)
        self._name_words: dict[str, frozenset[str]] = {}
        self.phrases: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for words, sector in rules.attachment_phrases.items():
            self.phrases.setdefault(words[0], []).append((words, sector))
        bits: dict[str, int] = {}
        for group, bit in ((rules.sector_adjectives, SECTOR_ADJ),
                           (rules.place_adjectives, PLACE_ADJ),
                           (rules.group_adjectives, GROUP_ADJ), (rules.group_adverbs, GROUP_ADV),
                           (rules.degree_words, DEGREE), (("og", "eller"), COORD),
                           (("fælles",), SHARED), (("sin", "sit", "sine"), POSSESSIVE),
                           (("egen", "eget", "egne"), OWN), (rules.prepositions, PREP),
                           (stop_words, STOP), (rules.noun_use_not_after, NOT_AFTER),
                           (rules.noun_use_not_before, NOT_BEFORE),
                           ({w for ws in rules.group_adverbs.values() for w in ws},
                            ADVERB_TARGET),
                           (_LIST_WORDS, LIST), (_PREDICATIVE, PREDICATIVE),
                           (_ARTICLES, ARTICLE), ({w[0] for w in rules.attachment_phrases},
                                                  PHRASE_START)):
            for word in group:
                bits[word] = bits.get(word, 0) | bit
        self.word_bits = bits
        self.adjective_sectors = {w: SECTORS.index(s) for w, s in rules.sector_adjectives.items()}

    def features(self, text: str, lower: str) -> tuple[int, int]:
        """(bits, sector adjective's sector index or -1) of one word form (``lower``: the form
        in lower case)."""
        bits = self.word_bits.get(lower, 0)
        last = text[-1:]
        if last in _ENDS_IN_S:
            bits |= ENDS_IN_S
        if last == "-" and len(text) > 2 and text[-2].isalpha():
            bits |= HYPHEN
        elif not text.isalnum():
            if text.isspace():
                bits |= SPACE
            elif not any(c.isalnum() for c in text):
                bits |= PUNCT
        if bits & SECTOR_ADJ:
            return bits, self.adjective_sectors[lower]
        return bits, -1

    def __call__(self, doc: Doc, ids: numpy.ndarray, ctx_table: numpy.ndarray,
                 adj_table: numpy.ndarray, forms, chosen: list) -> list:
        """The mentions after reading their context (``ctx_table``, ``adj_table``: the form
        features of :meth:`features`; ``forms``: the form table)."""
        ctx = ctx_table[ids]
        checked = self.checked
        todo = [k for k, c in enumerate(chosen) if c[2] == "contextual" or c[3] in checked]
        # Mentions that may grow: after an adjective, after "og" with a hyphenated word before
        # it ("børne- og ungdomspsykiatrien"), or right after a mention that may be a genitive
        # ("kommunernes socialpsykiatri").
        count = len(chosen)
        starts = numpy.fromiter([c[0] for c in chosen], dtype=numpy.int64, count=count)
        ends = numpy.fromiter([c[1] for c in chosen], dtype=numpy.int64, count=count)
        before = ctx[starts - 1]
        before[starts == 0] = 0
        look = (before & _LOOK_BEFORE) != 0
        look[1:] |= (starts[1:] == ends[:-1]) & ((before[1:] & ENDS_IN_S) != 0)
        coord = numpy.nonzero((before & COORD) != 0)[0]
        if len(coord):
            look[coord] |= (starts[coord] > 1) & ((ctx[starts[coord] - 2] & HYPHEN) != 0)
        grow = set(numpy.nonzero(look)[0].tolist())
        if not todo and not grow:
            return chosen
        return _Reading(self, doc, ids, ctx, adj_table, forms, chosen, todo, grow).run()

    def owner_is_genitive(self, canonical: str, how: str, text: str, lemma: str) -> bool:
        """Whether a mention ending in the word ``text`` is in the genitive ("kommunens",
        "Aarhus Kommunes", but not "Aarhus")."""
        if how not in ("named", "pattern"):
            return _is_genitive(text, lemma)
        if text.endswith(("'s", "’s", "'")):
            return True
        if not text.endswith("s"):
            return False
        words = self._name_words.get(canonical)
        if words is None:
            entry = self.gazetteer.get(canonical)
            names = (canonical, *(entry.aliases if entry else ()))
            words = self._name_words[canonical] = frozenset(
                w.lower() for name in names for w in name.split())
        return text.lower() not in words


class _Reading:
    """One document's mentions while the context rules run over them."""

    def __init__(self, reader: ContextReader, doc: Doc, ids: numpy.ndarray,
                 ctx: numpy.ndarray, adj_table: numpy.ndarray, forms, chosen: list,
                 todo: list[int], grow: set[int]):
        self.reader = reader
        self.doc = doc
        self.ids = ids
        self.ctx = ctx
        self.n = len(ids)
        self.adj_table = adj_table
        self.texts = forms.texts
        self.lemmas = forms.lemmas
        self.items = list(chosen)
        self.alive = [True] * len(chosen)
        self.todo = todo
        self.grow = grow
        self.decided: dict[int, str | None] = {}
        self._sentence_starts: list[int] | None = None

    # ---------------------------------------------------------------- token helpers
    def bits(self, i: int) -> int:
        return int(self.ctx[i])

    def prev_word(self, i: int) -> int:
        i -= 1
        ctx = self.ctx
        while i >= 0 and ctx[i] & SPACE:
            i -= 1
        return i

    def next_word(self, i: int) -> int:
        i += 1
        ctx, n = self.ctx, self.n
        while i < n and ctx[i] & SPACE:
            i += 1
        return i

    def lower(self, i: int) -> str:
        return self.texts[self.ids[i]].lower()

    def sentence_start(self, i: int) -> int:
        starts = self._sentence_starts
        if starts is None:
            found = self.doc.user_data.get(SENT_STARTS_KEY)
            if found is None:
                found = numpy.nonzero(self.doc.to_array("SENT_START") == 1)[0]
            starts = self._sentence_starts = found.tolist()
            if not starts or starts[0]:
                starts.insert(0, 0)
        return starts[bisect_right(starts, i) - 1]

    def set_start(self, k: int, start: int) -> None:
        self.items[k] = (start, *self.items[k][1:])

    def neighbour(self, k: int, step: int) -> int:
        """The nearest mention still kept before (step -1) or after (step 1) mention ``k``."""
        k += step
        alive = self.alive
        if 0 <= k < len(alive) and alive[k]:
            return k
        while 0 <= k < len(alive) and not alive[k]:
            k += step
        return k if 0 <= k < len(alive) else -1

    # ---------------------------------------------------------------- the passes
    def run(self) -> list:
        items, alive, reader = self.items, self.alive, self.reader
        noun_use, not_after, not_before = reader.noun_use, reader.not_after, reader.not_before
        for k in self.todo:
            start, end, _how, canonical, *_ = items[k]
            if canonical in noun_use:
                alive[k] = self.is_noun(start)
                continue
            if canonical in not_after:
                p = self.prev_word(start)
                alive[k] = p < 0 or self.lower(p) not in not_after[canonical]
            if alive[k] and canonical in not_before:
                q = self.next_word(end - 1)
                alive[k] = q >= self.n or self.lower(q) not in not_before[canonical]
        for k in self.todo:
            if alive[k] and items[k][2] == "contextual":
                self.sector_of(k)
        nouns = reader.nouns
        # In text order, so that an owner or the words before a mention are final when it is
        # read.
        for k in sorted(self.grow.union(self.todo)):
            if not alive[k]:
                continue
            item = items[k]
            if item[2] == "contextual":
                sector = self.decided.get(k)
                if not sector:
                    alive[k] = False
                    continue
                noun = nouns[item[3]]
                item = (item[0], item[1], "role" if noun.kind == "role" else "generic",
                        noun.canonical(sector), sector, noun.kind)
            if item[2] in _EXTENDS:
                j = self.neighbour(k, -1)
                item = self.extend(item, items[j][1] if j >= 0 else 0)
            items[k] = item
        return [item for item, kept in zip(items, alive, strict=True) if kept]

    def is_noun(self, i: int) -> bool:
        """Whether the adjective at token ``i`` stands as a noun ("de ældre", "unge, der")."""
        p = self.prev_word(i)
        if p >= 0 and self.bits(p) & NOT_AFTER:
            return False
        q = self.next_word(i)
        if q >= self.n:
            return True
        bits = self.bits(q)
        return not bits & NOT_BEFORE and bool(bits & (PUNCT | STOP))

    def sector_of(self, k: int) -> str | None:
        """The sector of mention ``k`` (deciding it first when it is contextual)."""
        item = self.items[k]
        if item[2] != "contextual":
            return item[4]
        if k not in self.decided:
            self.decided[k] = None  # while deciding: no cycles through this mention
            self.decided[k] = self.decide(k)
        return self.decided[k]

    def decide(self, k: int) -> str | None:
        """The sector the context gives contextual mention ``k`` (None: not a mention)."""
        item = self.items[k]
        noun = self.reader.nouns[item[3]]
        p = self.prev_word(item[0])
        q = self.next_word(item[1] - 1)
        definite = self.lower(item[1] - 1).endswith(_DEFINITE)
        if p >= 0 and (self.bits(p) & SHARED
                       or (not definite and self.bits(p) & PREDICATIVE)):
            return None
        # Capitalised inside a sentence it is part of a name ("Skolen for Sygeplejersker").
        if (p >= 0 and self.texts[self.ids[item[0]]][:1].isupper()
                and not self.bits(p) & PUNCT and self.sentence_start(item[0]) <= p):
            return None
        if q < self.n and noun.not_before and self.lower(q) in noun.not_before:
            return None
        for rule in noun.decided_by:
            if rule == "adjective":
                if p >= 0 and self.bits(p) & SECTOR_ADJ:
                    self.set_start(k, p)
                    return SECTORS[int(self.adj_table[self.ids[p]])]
            elif rule == "genitive":
                sector = self.by_owner(k, p, noun)
                if sector:
                    return sector
            elif rule == "possessive":
                sector = self.by_possessive(k, p, noun)
                if sector:
                    return sector
            elif rule == "attachment":
                sector = self.by_attachment(k, q, noun)
                if sector:
                    return sector
            elif rule == "sentence" and not self.coordinated(k, p, q):
                sector = self.by_sentence(k, noun)
                if sector:
                    return sector
        # Only a definite form names actors the speaker has in mind ("lægerne"), or one listed
        # among other actors ("hospital, kommune og læge"); otherwise an indefinite one is the
        # profession in general ("mangler læger").
        if definite or self.coordinated(k, p, q):
            return noun.default
        return None

    def by_owner(self, k: int, p: int, noun: ContextualNoun) -> str | None:
        """"kommunens sygeplejersker": the owner's sector (the owner stays a mention of its own)."""
        j = self.neighbour(k, -1)
        if p < 0 or j < 0 or self.items[j][1] != p + 1:
            return None
        owner = self.items[j]
        form = self.ids[p]
        if not self.reader.owner_is_genitive(owner[3], owner[2], self.texts[form],
                                             self.lemmas[form]):
            return None
        sector = self.sector_of(j)
        if sector not in noun.sectors:
            return None
        return sector

    def by_possessive(self, k: int, p: int, noun: ContextualNoun) -> str | None:
        """"Aarhus Kommune har sine egne sygeplejersker": the sector of the subject, the
        nearest actor before it in the sentence that can employ the noun."""
        if p >= 0 and self.bits(p) & OWN:
            p = self.prev_word(p)
        if p < 0 or not self.bits(p) & POSSESSIVE:
            return None
        start = self.sentence_start(p)
        for j in range(k - 1, -1, -1):
            if self.items[j][0] < start:
                break
            if self.alive[j]:
                sector = self.sector_of(j)
                if sector in noun.sectors:
                    return sector
        return None

    def by_attachment(self, k: int, q: int, noun: ContextualNoun) -> str | None:
        """"sygeplejerskerne på afdelingen", "lægerne ude i byen": the sector of the actor
        attached after the noun."""
        if q >= self.n:
            return None
        bits = self.bits(q)
        if not bits & (PREP | PHRASE_START) and not noun.prepositions:
            return None
        word = self.lower(q)
        for words, sector in self.reader.phrases.get(word, ()):
            i = q
            for expected in words[1:]:
                i = self.next_word(i)
                if i >= self.n or self.lower(i) != expected:
                    break
            else:
                return sector
        if not (bits & PREP or word in noun.prepositions):
            return None
        j = self.neighbour(k, 1)
        if j < 0:
            return None
        target = self.items[j][0]
        # "på afdelingen", "i den kommunale hjemmepleje": at most two words in between, and
        # only articles and adjectives.
        if not q < target <= q + 3:
            return None
        for i in range(q + 1, target):
            if not self.bits(i) & (SPACE | SECTOR_ADJ | PLACE_ADJ | GROUP_ADJ | ARTICLE):
                return None
        sector = self.sector_of(j)
        return sector if sector in noun.sectors else None

    def by_sentence(self, k: int, noun: ContextualNoun) -> str | None:
        """"Rigshospitalet uddanner sygeplejersker": the one sector of the noun's sectors that
        the actors before it in the sentence have."""
        start = self.sentence_start(self.items[k][0])
        found = None
        for j in range(k - 1, -1, -1):
            item = self.items[j]
            if item[0] < start:
                break
            if self.alive[j] and item[2] != "contextual" and item[4] in noun.sectors:
                if found is not None and found != item[4]:
                    return None
                found = item[4]
        return found

    def coordinated(self, k: int, p: int, q: int) -> bool:
        """Whether mention ``k`` is listed with another actor ("hospitalet, kommunen, lægen
        og de pårørende"): then it is their peer, and the sentence's actors do not decide its
        sector."""
        if p >= 0 and self.bits(p) & LIST:
            before = self.prev_word(p)
            j = self.neighbour(k, -1)
            if j >= 0 and before >= 0 and self.items[j][1] == before + 1 and self.sector_of(j):
                return True
        if q < self.n and self.bits(q) & LIST:
            after = self.next_word(q)
            j = self.neighbour(k, 1)
            # "de" in "og de pårørende" is left out of the mention.
            if j >= 0 and after <= self.items[j][0] <= after + 1 and self.sector_of(j):
                return True
        return False

    def extend(self, item: tuple, floor: int) -> tuple:
        """Take in the words before a generic mention that say which actor it is."""
        rules = self.reader.rules
        sector = item[4]
        start = item[0]
        group_from = None  # where the citizen group's adjectives began
        while True:
            p = self.prev_word(start)
            if p < floor:
                break
            bits = self.bits(p)
            if bits & COORD:
                before = self.prev_word(p)
                if before >= floor and self.bits(before) & HYPHEN:
                    start = before
                    continue
                break
            if sector == _CITIZEN:
                before = self.prev_word(p)
                if (bits & ADVERB_TARGET and before >= floor and self.bits(before) & GROUP_ADV
                        and self.lower(p) in rules.group_adverbs[self.lower(before)]):
                    group_from = start if group_from is None else group_from
                    start = before
                    continue
                if bits & GROUP_ADJ:
                    group_from = start if group_from is None else group_from
                    start = p
                    continue
            if bits & SECTOR_ADJ and SECTORS[int(self.adj_table[self.ids[p]])] == sector:
                start = p
                continue
            if bits & PLACE_ADJ:
                start = p
                continue
            break
        if group_from is not None:
            # "de mest sårbare ældre": after a degree word the adjectives are an assessment.
            p = self.prev_word(start)
            if p >= 0 and self.bits(p) & DEGREE:
                start = group_from
        return item if start == item[0] else (start, *item[1:])
