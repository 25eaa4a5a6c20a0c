"""Anonymisation tokens: the placeholders researchers put where names were.

Recognised: doubled capitals (XX, YY, ZZ, WW, XXX), N.N., short capitals defined in quotes
("HL" for the hospital management, also ”HL” and »HL«) and bracketed placeholders ([navn],
[kommune], [X]). They are kept in the text as they are; this module only lists them.
"""

from __future__ import annotations

import re

# I, V, X, L, C, D and M double up in roman numerals ("Del II"); XX is kept, being the most
# common anonymisation token by far, but II, VV, CC, DD, LL and MM are not tokens.
# No look-behind at the start of these patterns: a leading look-behind makes the engine test
# every position of the text; the character before a match is checked in Python instead.
_DOUBLED = re.compile(r"([ABEFGHJKNOPQRSTUWXYZÆØÅ])\1{1,2}(?!\w)")
_NN = re.compile(r"N\.\s?N\.?")
# One pattern per opening mark, each led by its literal mark (fast to scan for).
_QUOTED = {mark: re.compile(re.escape(mark) + r"([A-ZÆØÅ]{1,4})[\"”“«»]") for mark in "\"”“»«"}
_BRACKETED = re.compile(
    r"\[(?:(?i:navn|name|anonymiseret|anonym|by|sted|kommune|region|hospital|afdeling|"
    r"organisation|virksomhed|person|informant|x+)|[A-ZÆØÅ]{1,3})\]"
)


def find_tokens(text: str) -> list[str]:
    """List the anonymisation tokens in ``text`` in order of first appearance.

    Args:
        text: normalised text.

    Returns:
        Distinct tokens as written ("XX", "HL", "N.N.", "[navn]").
    """
    found: dict[int, str] = {}
    for pattern, word_start in ((_DOUBLED, True), (_NN, True), (_BRACKETED, False)):
        for match in pattern.finditer(text):
            start = match.start()
            if word_start and start and (text[start - 1].isalnum() or text[start - 1] in "_-"):
                continue  # inside a word ("BXX", "e-XX")
            found.setdefault(start, match.group(0).replace(" ", ""))
    for mark, pattern in _QUOTED.items():
        if mark in text:
            for match in pattern.finditer(text):
                found.setdefault(match.start(1), match.group(1))
    ordered: list[str] = []
    for _, token in sorted(found.items()):
        if token not in ordered:
            ordered.append(token)
    return ordered
