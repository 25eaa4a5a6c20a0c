"""The Danish lemma table from spacy-lookups-data, with a lower-case fallback.

The table is case-sensitive ("kommunerne" is in it, "Kommunerne" is not), so a word is looked
up as written, then in lower case, and otherwise is its own lower-cased lemma. Lemmas are always
lower case so that search and indicator matching need not care about capitals.
"""

from __future__ import annotations

import gzip
import json
import re
from functools import lru_cache
from importlib import resources

from workbench.errors import WorkbenchError

# One "word" the way SQLite's unicode61 tokenizer sees it: letters and digits.
WORD_RE = re.compile(r"[^\W_]+")


@lru_cache(maxsize=1)
def lemma_table() -> dict[str, str]:
    """Load the Danish lookup table shipped by spacy-lookups-data (about one second, once)."""
    try:
        data = resources.files("spacy_lookups_data").joinpath("data/da_lemma_lookup.json.gz")
        with data.open("rb") as handle:
            return json.loads(gzip.decompress(handle.read()))
    except (ModuleNotFoundError, FileNotFoundError) as exc:
        raise WorkbenchError(
            "The Danish lemma table is missing; install it with "
            "'pip install spacy-lookups-data' in workbench's environment."
        ) from exc


# A compound's head must be this long to be trusted ("ledelsen" in "hospitalsledelsen").
MIN_HEAD, MIN_MODIFIER = 4, 3


def lemmatise_word(word: str, table: dict[str, str] | None = None) -> str:
    """Return the lower-case lemma of one word ("Kommunerne" -> "kommune").

    Looks the word up as written, then in lower case; a compound the table does not know is
    lemmatised by its longest known head ("hospitalsledelsen" -> "hospitalsledelse"), a
    hyphenated one by its last part ("KOL-patienten" -> "kol-patient"); any other word is its
    own lower-cased lemma.
    """
    table = lemma_table() if table is None else table
    lemma = table.get(word)
    if lemma is None:
        lower = word.lower()
        lemma = table.get(lower)
        if lemma is None:
            lemma = lower
            if lower.isalpha():
                for i in range(MIN_MODIFIER, len(lower) - MIN_HEAD + 1):
                    head = table.get(lower[i:])
                    if head is not None:
                        lemma = lower[:i] + head
                        break
            elif "-" in lower:
                modifier, _, last = lower.rpartition("-")
                if modifier and last.isalpha():
                    lemma = f"{modifier}-{lemmatise_word(last, table)}"
    return lemma.lower()


def lemmatise_phrase(phrase: str, table: dict[str, str] | None = None) -> list[str]:
    """Lemmatise each word of a phrase, keeping a trailing ``*`` (prefix marker) as it is."""
    out = []
    for word in phrase.split():
        star = word.endswith("*")
        core = word.rstrip("*")
        out.append(core.lower() + "*" if star else lemmatise_word(core, table))
    return out


@lru_cache(maxsize=1)
def _lemma_values() -> frozenset[str]:
    return frozenset(map(str.lower, lemma_table().values()))


def is_lemma(word: str) -> bool:
    """True when ``word`` is itself the lemma of some form in the table ("stole", "tillid")."""
    return word.lower() in _lemma_values()


def indicator_lemma(word: str) -> str:
    """The lemma to match for an indicator word.

    Indicators are meant to be lemmas already; a word that is a lemma in the table is kept as it
    is ("stole" stays the verb, not the plural of "stol"); an inflected form ("uenige") is
    reduced to its lemma.
    """
    lower = word.lower()
    return lower if is_lemma(lower) else lemmatise_word(lower)
