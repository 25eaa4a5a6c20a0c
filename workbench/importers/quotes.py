"""Quotes in documents, and the role of the person quoted.

Action-research papers quote informants after an attribution that ends in a colon::

    Den ledende overlæge siger:
    ”Vi har aldrig ...”

A quote is opened and closed with ” (also “…”, "…", »…«, «…», „…“) right after such a
colon. It becomes a ``quote`` segment whose role is the noun phrase that names the speaker in
the lead-in ("Den ledende overlæge siger:" -> "ledende overlæge"; "En medarbejder fra XX
fortæller:" -> "medarbejder"; "Her fortæller en sygeplejerske:" -> "sygeplejerske").
Quotes without a verb of saying in the lead-in count only when they fill the rest of their
paragraph, so that a list of slogans inside a sentence is left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_MAX_QUOTE = 6000
# Danish uses ” to open and to close, so a quoted token inside a quote (”HL”) is allowed and
# a closing mark must follow a non-space character and not be followed by a letter.
_QUOTE = re.compile(
    r":[ \t]*(?:\n[ \t]*)*(?:"
    rf"[”“„\"](?P<a>(?:[^”“\"]|[”“\"][^\s”“\"]{{1,6}}[”“\"]){{1,{_MAX_QUOTE}}}?[^\s”“\"])"
    r"[”“\"](?!\w)"
    rf"|»(?P<b>[^»«]{{2,{_MAX_QUOTE}}})«"
    rf"|«(?P<c>[^»«]{{2,{_MAX_QUOTE}}})»"
    r")"
)
_AFTER_QUOTE = re.compile(r"[.,!?;…)\]]*[ \t]*(?:\n|$)")
_SENTENCE_END = re.compile(r"(?:[.!?…][”\"»«)]?\s+|\n[ \t]*\n)")
_TOKEN = re.compile(r"\w[\w’'.-]*\w|\w|,")

_SPEECH_VERBS = set("""
siger sagde fortæller fortalte forklarer forklarede udtaler udtalte beskriver beskrev
påpeger påpegede understreger understregede mener mente svarer svarede tilføjer tilføjede
uddyber uddybede fremhæver fremhævede nævner nævnte konstaterer konstaterede skriver skrev
spørger spurgte fortsætter fortsatte bemærker bemærkede formulerer formulerede udtrykker
udtrykte argumenterer argumenterede erkender erkendte indrømmer indrømmede reflekterer
reflekterede opsummerer opsummerede pointerer pointerede beretter berettede vurderer vurderede
konkluderer konkluderede fastslår fastslog advarer advarede begrunder begrundede lyder lød
citeres siges udtalelse forklaring understregning sukker griner råber hævder hævdede
peger pegede minder mindede kommenterer kommenterede oplyser oplyste betoner betonede
medgiver medgav tilkendegiver tilkendegav fremfører fremførte supplerer supplerede
""".split())
# Finite verbs that end the subject of a lead-in without a verb of saying
# ("En praktiserende læge, som deltog ..., er mere forbeholden:").
_FINITE = set("""
er var har havde bliver blev kan kunne vil ville skal skulle må måtte får fik gør gjorde
ser så tænker tænkte tror troede synes syntes oplever oplevede ønsker ønskede
""".split())
_GENITIVE = re.compile(r"^[A-ZÆØÅ][\w-]*s$")
_PREPOSITIONS = {"fra", "i", "på", "ved", "hos", "under", "for", "af", "med", "om", "til",
                 "blandt", "inden", "der", "som", "og", "eller", "hvor", "efter", "før", "mod",
                 ","}
_DETERMINERS = {"den", "det", "de", "en", "et", "én", "ét", "vores", "deres", "hans", "hendes",
                "min", "mit", "mine", "din", "dit", "dennes", "denne", "dette", "disse", "vor",
                "jeres", "samme", "ene", "anden", "andet", "første", "nogle", "flere", "mange",
                "alle", "hver", "to", "tre", "fire"}
_OPENERS = {"som", "og", "men", "her", "så", "derfor", "da", "mens", "også", "endelig",
            "således", "sådan", "eksempelvis", "fx", "desuden", "samtidig", "senere", "nu",
            "dernæst", "videre", "igen", "netop", "blandt", "andet", "eller", "hertil"}
_PRONOUNS = {"han", "hun", "de", "vi", "jeg", "man", "den", "det", "du", "i", "hvem", "der",
             "som", "dette", "denne", "disse", "begge", "flere", "mange", "nogle", "alle"}
_PERSONAL = {"han", "hun", "vi", "jeg", "man", "du", "hvem", "begge"}
_ADVERBS = {"det", "os", "sådan", "således", "her", "også", "om", "blandt", "andet", "bl.a",
            "bl.a.", "fx", "eksempelvis", "videre", "igen", "selv", "meget", "klart", "direkte",
            "ligeud", "endda", "tydeligt", "kort", "at", "følgende"}
_PARTITIVE = {"en", "én", "et", "ét", "nogle", "flere", "to", "tre", "mange", "ingen", "hver"}
_TOKEN_LIKE = re.compile(r"^(?:([A-ZÆØÅ])\1{1,2}|N\.N\.?|[A-ZÆØÅ]{1,4})$")


@dataclass
class Quote:
    """A quote's inner span (without the marks), the start of its lead-in and the role."""

    start: int
    end: int
    lead_start: int
    role: str | None


def _strip_partitive(words: list[str]) -> list[str]:
    lower = [w.lower() for w in words]
    if len(words) >= 2 and lower[0] in _PARTITIVE and lower[1] == "af":
        words = words[2:]
        if words and words[0].lower() in {"de", "vores", "deres", "disse", "hans", "hendes"}:
            words = words[1:]
    return words


def _noun_phrase(words: list[str], sentence_initial: bool) -> str | None:
    """The role noun phrase at the head of ``words``, or None when it is not a role."""
    while words and words[0].lower() in _OPENERS:
        words, sentence_initial = words[1:], False
    if words and (words[0].lower() in _PERSONAL or words[0].lower() in _PRONOUNS and (
            len(words) == 1 or words[1].lower() in _PREPOSITIONS | _ADVERBS | _SPEECH_VERBS)):
        return None
    words = _strip_partitive(words)
    if words and words[0].lower() in _DETERMINERS:
        words, sentence_initial = words[1:], False
        while words and words[0].lower() in _DETERMINERS:
            words = words[1:]
    phrase: list[str] = []
    for word in words:
        if word.lower() in _PREPOSITIONS or word.lower() in _SPEECH_VERBS:
            break
        phrase.append(word)
    while phrase and phrase[-1].lower() in _ADVERBS:
        phrase.pop()
    if not phrase or len(phrase) > 4:
        return None
    if any(_TOKEN_LIKE.match(w) for w in phrase):
        return None
    capitals = [w[:1].isupper() for w in phrase]
    if sentence_initial:
        if len(phrase) > 1 and capitals[1]:
            return None  # "Henrik Dahl siger:" names a person, not a role
        if capitals[0]:
            first = phrase[0]
            if not re.search(r"(?:en|et|ne|ren)$", first) or len(phrase) > 1:
                return None if len(phrase) == 1 else " ".join([first.lower(), *phrase[1:]])
            phrase[0] = first.lower()
    elif any(capitals):
        return None
    return " ".join(phrase)


def _appositive(words: list[str]) -> str | None:
    """'XX, der er afdelingssygeplejerske, fortæller' -> 'afdelingssygeplejerske'."""
    lower = [w.lower() for w in words]
    for index in range(len(words) - 2):
        if lower[index] in {"der", "som"} and lower[index + 1] in {"er", "var"}:
            return _noun_phrase(words[index + 2:], False)
    return None


def role_from_lead_in(lead_in: str) -> str | None:
    """Extract the quoted person's role from an attribution such as "Den ledende overlæge siger:".

    Args:
        lead_in: the sentence before the quote (with or without its colon).

    Returns:
        The role noun phrase in lower case as written ("ledende overlæge"), or None when the
        lead-in names no role (a pronoun, a name, an anonymisation token, no verb of saying).
    """
    words = _TOKEN.findall(lead_in.rstrip(" :\n\t"))
    verb = max((i for i, w in enumerate(words) if w.lower() in _SPEECH_VERBS), default=-1)
    if verb < 0:
        return _subject_role(words)
    before, after = words[:verb], words[verb + 1:]
    if before and before[0].lower() in {"i", "på", "under", "ved", "efter", "før", "om",
                                        "fra", "til", "med"}:
        before = []  # "I interviewet fortæller en sygeplejerske": the subject follows the verb
    if len(before) >= 3 and before[-2] == "," and before[-1].lower() in {"der", "som"}:
        # "Et eksempel kommer fra en ung fuldmægtig, der fortæller": the speaker is the noun
        # phrase the relative clause hangs on, after its last preposition.
        # If that is a token ("en sygeplejerske fra XX, som siger"), the phrase before it.
        head = before[:-2]
        cuts = [-1] + [i for i, w in enumerate(head) if w.lower() in _PREPOSITIONS]
        for lo, hi in list(zip(cuts, cuts[1:] + [len(head)], strict=True))[::-1][:2]:
            role = _noun_phrase(head[lo + 1:hi], sentence_initial=lo < 0)
            if role:
                return role
        return None
    if "," in before:
        role = _appositive(before)
        if role:
            return role
        # "Da vi spurgte, svarede en borger": a fronted clause puts the subject after the verb.
        before = [] if before[-1] == "," else before[: before.index(",")]
    subject = [w for w in before if w.lower() not in _OPENERS and w.lower() not in {"det"}]
    if subject:
        return _noun_phrase(before, sentence_initial=True)
    after = [w for w in after if w.lower() not in _ADVERBS]
    return _noun_phrase(after, sentence_initial=False) if after else None


def _subject_role(words: list[str]) -> str | None:
    """The role in a lead-in without a verb of saying: its subject, if it is a noun phrase.

    Only a phrase that opens with a determiner ("En praktiserende læge ...") or a genitive
    ("Borgerpanelets formand ...") counts, so "Formålet med notatet er:" names no role.
    """
    subject: list[str] = []
    for word in words:
        if word == "," or word.lower() in _FINITE:
            break
        subject.append(word)
    if not subject:
        return None
    first = subject[0].lower()
    if first in _DETERMINERS or first in _PARTITIVE:
        return _noun_phrase(subject, sentence_initial=True)
    if _GENITIVE.match(subject[0]) and len(subject) > 1 and subject[1][:1].islower():
        return _noun_phrase(subject, sentence_initial=True)
    return None


def _lead_in_start(text: str, colon: int, floor: int) -> int:
    window_start = max(floor, colon - 400)
    start = window_start
    for match in _SENTENCE_END.finditer(text, window_start, colon):
        start = match.end()
    return start


def find_quotes(text: str, start: int = 0, end: int | None = None) -> list[Quote]:
    """Find attributed quotes in ``text[start:end]``.

    Args:
        text: normalised text.
        start: where to begin looking.
        end: where to stop (default: the end of the text).

    Returns:
        Quotes in order; each span is the quoted text without its quote marks.
    """
    end = len(text) if end is None else end
    quotes: list[Quote] = []
    floor = start
    for match in _QUOTE.finditer(text, start, end):
        group = next(g for g in ("a", "b", "c") if match.group(g) is not None)
        inner_start, inner_end = match.start(group), match.end(group)
        inner = text[inner_start:inner_end]
        if len(inner) > _MAX_QUOTE or "\n\n\n" in inner or len(inner.split()) < 2:
            continue
        colon = match.start()
        lead_start = _lead_in_start(text, colon, floor)
        lead_in = text[lead_start:colon]
        if not lead_in.strip() or "\n\n" in lead_in.strip():
            continue
        has_verb = any(w.lower() in _SPEECH_VERBS for w in _TOKEN.findall(lead_in))
        fills_paragraph = _AFTER_QUOTE.match(text, match.end()) is not None
        if not (has_verb or fills_paragraph):
            continue
        while inner_start < inner_end and text[inner_start].isspace():
            inner_start += 1
        while inner_end > inner_start and text[inner_end - 1].isspace():
            inner_end -= 1
        quotes.append(Quote(inner_start, inner_end, lead_start, role_from_lead_in(lead_in)))
        floor = match.end()
    return quotes
