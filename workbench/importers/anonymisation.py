"""Anonymisation tokens: the placeholders researchers put where names were.

Recognised: doubled capitals (XX, YY, ZZ, WW, XXX), N.N., short capitals defined in quotes
("HL" for the hospital management, also ”HL” and »HL«) and bracketed placeholders ([navn],
[kommune], [X]). They are kept in the text as they are; this module only lists them.
"""

from __future__ import annotations

import re

# I, V, X, L, C, D and M double up in roman numerals ("Del II"); XX is kept, being the most
# common anonymisation token by far, but II, VV, CC, DD, LL and MM are not tokens.
_DOUBLED = re.compile(r"(?<![\w-])([ABEFGHJKNOPQRSTUWXYZÆØÅ])\1{1,2}(?![\w])")
_NN = re.compile(r"(?<!\w)N\.\s?N\.?")
_QUOTED = re.compile(r"[\"”“»«]([A-ZÆØÅ]{1,4})[\"”“«»]")
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
    for pattern in (_DOUBLED, _NN, _BRACKETED):
        for match in pattern.finditer(text):
            token = match.group(0).replace(" ", "")
            found.setdefault(match.start(), token)
    for match in _QUOTED.finditer(text):
        found.setdefault(match.start(1), match.group(1))
    ordered: list[str] = []
    for _, token in sorted(found.items()):
        if token not in ordered:
            ordered.append(token)
    return ordered
