"""Attributed quotes in documents, the role of the person quoted, and anonymisation tokens."""

from __future__ import annotations

import pytest

from tests.test_importers_text import assert_well_formed
from workbench.importers.anonymisation import find_tokens
from workbench.importers.quotes import role_from_lead_in
from workbench.importers.registry import read_bytes

REPORT = (
    "Erfaringer fra første cyklus\n\n"
    "Samarbejdet mellem XX Kommune og hospitalet er blevet tættere. "
    "Den ledende overlæge siger:\n\n"
    "”Vi troede, vi vidste, hvad hjemmeplejen kunne klare. Det gjorde vi ikke.”\n\n"
    "Ikke alle er lige begejstrede. En medarbejder fra ZZ fortæller:\n"
    "»Vi bliver bedt om at være med i noget, der blev aftalt hen over hovedet på os.«\n\n"
    "Her fortæller en sygeplejerske: \"Det hjalp, at \"HL\" bakkede op.\" Derefter gik "
    "snakken videre om N.N. og WW.\n\n"
    "Eksempler på spilleregler kan være: »sig ja«, »lyt først« og så videre.\n"
)


def quotes(doc):
    return [(doc.text[s.start:s.end], s.role) for s in doc.segments if s.kind == "quote"]


def test_quotes_after_a_colon_become_quote_segments_with_the_speakers_role():
    doc = read_bytes(REPORT.encode("utf-8"), "rapport.txt")
    assert_well_formed(doc)
    found = quotes(doc)
    assert found[0] == ("Vi troede, vi vidste, hvad hjemmeplejen kunne klare. Det gjorde vi ikke.",
                        "ledende overlæge")
    assert found[1] == ("Vi bliver bedt om at være med i noget, der blev aftalt hen over hovedet "
                        "på os.", "medarbejder")
    assert found[2][1] == "sygeplejerske"
    assert found[2][0].startswith("Det hjalp")
    assert len(found) == 3, "slogans inside a sentence are not attributed quotes"


def test_the_lead_in_stays_a_paragraph_and_the_rest_of_the_paragraph_follows_the_quote():
    doc = read_bytes(REPORT.encode("utf-8"), "rapport.txt")
    pieces = [(s.kind, doc.text[s.start:s.end]) for s in doc.segments]
    lead = pieces.index(("paragraph", "Ikke alle er lige begejstrede. En medarbejder fra ZZ "
                                      "fortæller:"))
    assert pieces[lead + 1][0] == "quote"
    here = next(i for i, p in enumerate(pieces) if p[1].startswith("Her fortæller"))
    assert pieces[here] == ("paragraph", "Her fortæller en sygeplejerske:")
    assert pieces[here + 1][0] == "quote"
    assert pieces[here + 2] == ("paragraph", "Derefter gik snakken videre om N.N. og WW.")


def test_anonymisation_tokens_are_listed_and_kept_in_the_text():
    doc = read_bytes(REPORT.encode("utf-8"), "rapport.txt")
    assert doc.anonymised_tokens == ["XX", "ZZ", "HL", "N.N.", "WW"]
    for token in ("XX Kommune", "fra ZZ", "\"HL\"", "N.N.", "WW."):
        assert token in doc.text


def test_quote_spanning_double_spaced_lines_is_one_segment():
    text = ("Afdelingssygeplejersken fortæller:\n\n"
            "”Vi har lært hinanden at kende, og det\n\n"
            "betyder, at vi ringer, før det går galt.”\n")
    doc = read_bytes(text.encode("utf-8"), "uddrag.txt")
    assert quotes(doc) == [("Vi har lært hinanden at kende, og det\n\nbetyder, at vi ringer, "
                            "før det går galt.", "afdelingssygeplejersken")]


@pytest.mark.parametrize(("lead_in", "role"), [
    ("Den ledende overlæge siger:", "ledende overlæge"),
    ("En medarbejder fra XX fortæller:", "medarbejder"),
    ("Her fortæller en sygeplejerske:", "sygeplejerske"),
    ("Det udtrykker en leder fra ZZ sådan her:", "leder"),
    ("XX, der er afdelingssygeplejerske, fortæller:", "afdelingssygeplejerske"),
    ("Et eksempel kommer fra en ung fuldmægtig, der fortæller:", "ung fuldmægtig"),
    ("Da vi spurgte, svarede en borger:", "borger"),
    ("I interviewet forklarer en praktiserende læge:", "praktiserende læge"),
    ("En af de ledende sygeplejersker siger:", "ledende sygeplejersker"),
    ("En praktiserende læge, som deltog i samtalerne, er mere forbeholden:",
     "praktiserende læge"),
    ("Borgerpanelets formand minder om, hvem samtalen er til for:", "borgerpanelets formand"),
    ("Hun siger:", None),
    ("Henrik Dahl siger:", None),
    ("HL siger:", None),
    ("Formålet med notatet er:", None),
])
def test_role_extraction_from_lead_ins(lead_in, role):
    assert role_from_lead_in(lead_in) == role


def test_tokens_in_brackets_and_roman_numerals():
    assert find_tokens("Del II handler om [navn] fra YY og ikke om CC.") == ["[navn]", "YY"]
    assert find_tokens("Ingen anonymisering her.") == []
