"""Speaker-turn detection in transcripts, in the forms Danish researchers produce.

Recognised at the start of a line:

- ``I: ...`` / ``R: ...`` / ``Interviewer: ...`` / ``Informant: ...`` / ``Henrik Dahl: ...``
- ``[00:12:03] Henrik Dahl: ...`` and ``00:12:03 Henrik Dahl`` (the speech on the next lines)
- ``Henrik Dahl (00:12:03): ...`` and ``Henrik Dahl (00:12:03)`` on its own line (Word)
- ``Henrik Dahl 00:12:03`` or ``Henrik Dahl   0:03`` on its own line (Teams, Word)

One regular-expression pass over the text finds candidate labels; the rest of the work is per
candidate, never per word, so long transcripts import fast.

A plain ``Name:`` label is easy to confuse with ordinary prose ("Formålet er:", "Note: ..."),
so it counts only if it is a known interviewer/informant label or recurs in the text, is not a
common word that opens sentences, and labels are dense enough to be the document's structure.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from workbench.core.documents import INFORMANT_LABELS, INTERVIEWER_LABELS

_TS = r"(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"
_UPPER = "A-ZÀ-ÖØ-Þ"
_WORD = rf"[{_UPPER}][\w'’-]*"
# A capitalised name of one to four words ("Henrik Dahl", "Anne-Marie Holm", "XX"), which may
# end in a number ("Informant 2", "Speaker 1") or hold a name particle ("Ole van Dam").
_NAME = rf"{_WORD}(?:[ \t](?:{_WORD}|\d{{1,3}}|van|von|de|af|la|le|du|da|del)){{0,3}}"
_LABEL_BODY = rf"""[ \t]*(?:
      [\[(](?P<ta>{_TS})[\])][ \t]*(?P<na>{_NAME})[ \t]*(?::[ \t]*|[ \t]*$)
    | (?P<td>{_TS})[ \t]+(?P<nd>{_NAME})[ \t]*(?::[ \t]*|[ \t]*$)
    | (?P<nb>{_NAME})[ \t]*[\[(](?P<tb>{_TS})[\])][ \t]*(?::[ \t]*|[ \t]*$)
    | (?P<nc>{_NAME})[ \t]+(?P<tc>{_TS})[ \t]*$
    | (?P<ne>{_NAME})[ \t]*:(?:[ \t]+|[ \t]*$)
    )"""
# A label at the very start of the text, and one after a line break. Leading with the literal
# "\n" (instead of "^" in multi-line mode) lets the engine jump from line to line: three
# times faster on long transcripts.
_LABEL_AT_START = re.compile(_LABEL_BODY, re.MULTILINE | re.VERBOSE)
_LABEL = re.compile(r"\n" + _LABEL_BODY, re.MULTILINE | re.VERBOSE)
_TIMED_GROUPS = (("na", "ta"), ("nd", "td"), ("nb", "tb"), ("nc", "tc"))

_KNOWN = INTERVIEWER_LABELS | INFORMANT_LABELS | {
    "interviewer", "informant", "spørgsmål", "speaker", "taler", "deltager", "ip", "int",
    "moderator", "facilitator", "forsker", "respondent",
}
# Words that open Danish sentences, headings or form fields and end in a colon without being
# a speaker ("Det var sådan:" has lower-case words and never matches; "Eksempel:" would).
_NOT_SPEAKERS = {
    "det", "den", "der", "de", "dem", "men", "og", "så", "jeg", "vi", "du", "han", "hun", "man",
    "her", "nu", "ja", "nej", "altså", "jamen", "hvad", "hvorfor", "hvordan", "hvem", "hvor",
    "når", "hvis", "fx", "nb", "obs", "bemærk", "note", "noter", "eksempel", "eksempler",
    "kilde", "kilder", "citat", "konklusion", "formål", "baggrund", "metode", "resultat",
    "resultater", "dato", "tid", "sted", "emne", "titel", "tema", "resumé", "resume", "bilag",
    "referat", "referent", "deltagere", "fraværende", "dagsorden", "punkt", "program",
    "kontakt", "kontaktinfo", "tlf", "telefon", "mail", "email", "e-mail", "web", "link", "pris",
    "mål", "vision", "fokus", "konference", "oplæg", "opgave", "spørgsmålet", "svaret",
    "beslutning", "beslutninger", "opfølgning", "ansvarlig", "status", "næste", "vigtigt",
    "husk", "tip", "advarsel", "overskrift", "indhold", "indledning", "afslutning",
    "kommentar", "kommentarer", "figur", "tabel", "fase", "trin", "step", "http", "https",
    "summary", "abstract", "keywords", "nøgleord", "re", "fw", "vs", "ad", "jf", "ps",
}
_MIN_DENSITY = 0.25


@dataclass
class Turn:
    """One speaker turn: the label as written and the span of its speech in the text.

    ``label_start`` is where the turn's label begins (the speech starts at ``start``).
    """

    speaker: str
    start: int
    end: int
    start_time: float | None = None
    end_time: float | None = None
    label_start: int = 0


@dataclass
class _Candidate:
    pos: int
    speech: int
    speaker: str
    time: float | None
    plain: bool


def parse_timestamp(value: str) -> float:
    """Seconds from ``h:mm:ss``, ``mm:ss``, ``hh:mm:ss.mmm`` or ``hh:mm:ss,mmm``."""
    value = value.replace(",", ".")
    seconds = 0.0
    for part in value.split(":"):
        seconds = seconds * 60 + float(part)
    return round(seconds, 3)


def _key(label: str) -> str:
    """Lower-case label without a trailing number ("Informant 2" -> "informant")."""
    if label[-1:].isdigit():
        label = label.rstrip("0123456789").rstrip(" \t") or label
    return label.lower()


def _candidate(match: re.Match[str], pos: int) -> _Candidate:
    plain = match.group("ne")
    if plain is not None:
        return _Candidate(pos, match.end(), plain, None, True)
    for name_group, time_group in _TIMED_GROUPS:
        name = match.group(name_group)
        if name is not None:
            return _Candidate(pos, match.end(), name, parse_timestamp(match.group(time_group)),
                              False)
    raise AssertionError("a label match without a name")  # the pattern always sets one


def _candidates(text: str) -> list[_Candidate]:
    first = _LABEL_AT_START.match(text)
    found = [_candidate(first, 0)] if first else []
    found.extend(_candidate(match, match.start() + 1) for match in _LABEL.finditer(text))
    return found


def _first_word(label: str) -> str:
    return label.split(None, 1)[0].lower()


def is_plausible_label(label: str) -> bool:
    """True unless the label is a word that opens sentences or form fields ("Note", "Det")."""
    return _key(label) in _KNOWN or _first_word(label) not in _NOT_SPEAKERS


def detect_turns(text: str) -> list[Turn]:
    """Find the speaker turns of a transcript.

    Args:
        text: normalised text.

    Returns:
        The turns in order (empty when the text is not a transcript). A turn's span covers the
        speech only, from after the label to the end of the text before the next label.
    """
    candidates = _candidates(text)
    if len(candidates) < 2:
        return []
    plain_counts = Counter(c.speaker for c in candidates if c.plain)
    # Decide once per distinct label, not once per turn.
    plausible = {label: is_plausible_label(label) for label in {c.speaker for c in candidates}}
    known = {label: _key(label) in _KNOWN for label in plausible}
    accepted = [c for c in candidates if plausible[c.speaker]
                and (known[c.speaker] or not c.plain or plain_counts[c.speaker] >= 2)]
    if len(accepted) < 2:
        return []
    any_known = any(known[c.speaker] for c in accepted)
    timed = any(c.time is not None for c in accepted)
    if not any_known and not timed:
        if len({c.speaker for c in accepted}) < 2:
            return []
        # Labels must be the structure of the text, not a few field names in a document.
        rest = text[accepted[0].pos:]
        paragraphs = len(re.findall(r"\n[ \t]*\n(?=[ \t]*\S)", rest)) + 1
        if len(accepted) < paragraphs * _MIN_DENSITY:
            return []
    return _spans(text, accepted)


def _spans(text: str, accepted: list[_Candidate]) -> list[Turn]:
    turns: list[Turn] = []
    limits = [c.pos for c in accepted[1:]] + [len(text)]
    for cand, limit in zip(accepted, limits, strict=True):
        chunk = text[cand.speech:limit]
        speech = chunk.strip()
        if not speech:
            continue
        start = cand.speech + len(chunk) - len(chunk.lstrip())
        turns.append(Turn(cand.speaker, start, start + len(speech), cand.time,
                          label_start=cand.pos))
    for current, following in zip(turns, turns[1:], strict=False):
        if current.start_time is not None and following.start_time is not None \
                and following.start_time >= current.start_time:
            current.end_time = following.start_time
    return turns
