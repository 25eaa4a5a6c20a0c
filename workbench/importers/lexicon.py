"""A Danish word list for repairing PDF-extracted text (hyphenation and split words).

The list is the Danish lemma lookup table shipped in ``spacy-lookups-data``: its keys are word
forms and its values lemmas, so together they list some 550,000 Danish forms. It is loaded
lazily, once, and only when the repair pass needs it (loading takes about a second).
"""

from __future__ import annotations

import gzip
import json
from functools import lru_cache
from importlib import resources

# Common words of the field that the lookup table lacks, in the forms they are hyphenated in.
_EXTRA_WORDS = """
prøvehandling prøvehandlingen prøvehandlinger prøvehandlingerne
aktionsforskning aktionsforskningen aktionsforsker aktionsforskere aktionsforskeren
hospitalsenhed hospitalsenheden hospitalsenheder hospitalsenhederne
sundhedsinnovation sundhedsinnovationen systeminnovation systeminnovationen
innovationspulje innovationspuljen innovationspuljer innovationspuljerne
innovationshøjde innovationshøjden innovationsspørgsmål innovationsspørgsmålet
tværsektoriel tværsektorielt tværsektorielle tværprofessionel tværprofessionelt
tværprofessionelle samskabelse samskabelsen velfærdsteknologi velfærdsteknologien
komfortzone komfortzonen partnerskab partnerskabet partnerskaber partnerskaberne
praksiskoordinator praksiskoordinatoren almenpraksis facilitering faciliteringen
facilitere faciliterer faciliteret faciliterede facilitator facilitatoren facilitatorer
""".split()

# Linking letters between the parts of a Danish compound ("sundhed-s-området").
_LINKS = ("", "s", "e")
_MIN_PART = 3


@lru_cache(maxsize=1)
def danish_words() -> frozenset[str]:
    """Return the lower-cased Danish word forms (loaded on first use, then cached)."""
    path = resources.files("spacy_lookups_data") / "data" / "da_lemma_lookup.json.gz"
    # Lower-casing the JSON text once is much faster than lower-casing 1.1 million strings.
    table: dict[str, str] = json.loads(gzip.decompress(path.read_bytes()).decode("utf-8").lower())
    words = set(table)
    words.update(table.values())
    words.update(_EXTRA_WORDS)
    return frozenset(words)


def is_word(word: str) -> bool:
    """True when ``word`` (any case) is a known Danish word form."""
    return word.lower() in danish_words()


def is_compound(word: str, parts: int = 3) -> bool:
    """True when ``word`` is known, or splits into known words with optional s/e links.

    A compound of up to ``parts`` words is recognised ("databehandler|aftale",
    "sundhed|s|området"). Every part must have at least three letters, so that short forms
    in the list ("ik", "ed") do not make any string look like a compound.
    """
    lower = word.lower()
    words = danish_words()
    if lower in words:
        return True
    if parts < 2:
        return False
    for cut in range(_MIN_PART, len(lower) - _MIN_PART + 1):
        head, tail = lower[:cut], lower[cut:]
        if tail not in words and (parts < 3 or not is_compound(tail, parts - 1)):
            continue
        for link in _LINKS:
            if link and not head.endswith(link):
                continue
            stem = head[: len(head) - len(link)]
            if len(stem) >= _MIN_PART and stem in words:
                return True
    return False
