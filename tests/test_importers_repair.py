"""Repair of PDF-extracted text: what is joined, what is kept, and what is dropped.

The fixtures are lines as a PDF extractor writes them: trailing spaces, a page that starts with a
single space, page numbers, running headers, hyphenated line ends, lost soft hyphens.
"""

from __future__ import annotations

import pytest

from tests.test_importers_text import assert_well_formed
from workbench.importers.registry import read_bytes
from workbench.importers.repair import looks_pdf_extracted, repair_text

HEADER = "Statusnotat om sundhedssamarbejdet · Region Vest · 2024"

# Two pages of a report; every line ends in a space, as the extractor writes them.
REPORT_LINES = [
    "Samarbejde på tværs ",
    "",
    "Kommunerne har længe haft sundhedsområdet højt på den stra-",
    "tegiske dagsorden, og der er brugt mange kræfter på sund-",
    "hedsområdet i de senere år. Partnerskabet har arbejdet med en ",
    "offentlig 0-",
    "fejlskultur, med hands-",
    "on metoder fra de nordiske EU-",
    "og OECD-landene og med KOL-",
    "patienter i eget hjem. Et lille sekretariat i regionen under",
    "støtter arbejdet, og en forsker fra Region Hoved",
    "staden deltager. Vi talte om ",
    "rådet for ældre og om ",
    "",
    "12",
    "",
    HEADER + " 12 ",
    " hvordan de praktiserende læger kan inddrages i samar-",
    "bejdet. Det er en lang proces. ",
    "",
    "• Første prøvehandling: fælles udskrivningssamtale ",
    "• Anden prøvehandling: opkald dagen efter udskrivelsen, ",
    "som sygeplejersken foretager. ",
    "– tredje idé: video ved sengen ",
    "",
    "13",
    "",
    HEADER + " 13 ",
    " Til sidst en sætning om hospitalets arbejde. ",
]
REPORT = "\n".join(REPORT_LINES) + "\n"


@pytest.fixture(scope="module")
def repaired():
    return repair_text(REPORT)


def rules(repairs: list[dict]) -> dict[str, dict]:
    return {r["rule"]: r for r in repairs}


def test_hyphenated_words_are_joined_when_the_lexicon_knows_them(repaired):
    text, repairs = repaired
    assert "strategiske dagsorden" in text
    assert "kræfter på sundhedsområdet i de senere år" in text
    assert "samarbejdet. Det er en lang proces." in text
    hyphen = rules(repairs)["hyphen_join"]
    assert hyphen["count"] == 3
    assert "stra-|tegiske → strategiske" in hyphen["examples"]


def test_real_hyphens_are_kept(repaired):
    text, repairs = repaired
    assert "offentlig 0-fejlskultur" in text
    assert "hands-on metoder" in text
    assert "EU- og OECD-landene" in text
    assert "KOL-patienter" in text
    kept = rules(repairs)["hyphen_kept"]["examples"]
    assert "0-|fejlskultur → 0-fejlskultur" in kept


def test_words_that_lost_their_soft_hyphen_are_rejoined(repaired):
    text, repairs = repaired
    assert "sekretariat i regionen understøtter arbejdet" in text
    assert "Region Hovedstaden deltager" in text
    split = rules(repairs)["split_word_join"]["examples"]
    assert "under|støtter → understøtter" in split


def test_two_words_at_a_normal_line_end_stay_two_words(repaired):
    text, _ = repaired
    assert "Vi talte om rådet for ældre" in text
    assert "områdets" not in text


def test_page_numbers_and_running_headers_are_dropped(repaired):
    text, repairs = repaired
    assert "12" not in text.split() and "13" not in text.split()
    assert HEADER not in text
    found = rules(repairs)
    assert found["page_number"]["count"] == 2
    assert found["running_header"]["count"] == 2


def test_a_page_break_inside_a_paragraph_is_not_a_new_paragraph(repaired):
    text, _ = repaired
    assert "for ældre og om hvordan de praktiserende læger kan inddrages i samarbejdet." in text


def test_bullets_are_kept_as_items_with_their_continuation_lines(repaired):
    text, _ = repaired
    assert ("• Første prøvehandling: fælles udskrivningssamtale\n"
            "• Anden prøvehandling: opkald dagen efter udskrivelsen, som sygeplejersken "
            "foretager.\n– tredje idé: video ved sengen") in text


def test_trailing_spaces_are_dropped_and_paragraphs_separated(repaired):
    text, repairs = repaired
    assert not any(line != line.rstrip() for line in text.split("\n"))
    assert text.startswith("Samarbejde på tværs\n\nKommunerne har længe")
    assert rules(repairs)["trailing_spaces"]["count"] > 10


def test_txt_with_pdf_signs_is_repaired_and_keeps_its_original():
    doc = read_bytes(REPORT.encode("utf-8"), "statusnotat.txt")
    assert_well_formed(doc)
    assert "sundhedsområdet i de senere år" in doc.text
    assert doc.original_text == REPORT
    assert "stra-\ntegiske" in doc.original_text
    assert {r["rule"] for r in doc.repairs} >= {"hyphen_join", "page_number", "running_header"}
    kinds = [s.kind for s in doc.segments]
    assert kinds[0] == "heading" and kinds.count("item") == 3


DOUBLE_SPACED = "\n".join([
    "Notat om innovationsdagen ",
    "",
    "Dagen samlede ledere fra hele kommunen. De talte om, hvordan ",
    "",
    "man skaber plads til nye idéer i en travl hverdag. ",
    "",
    " ",
    "",
    "Hovedpointer ",
    "",
    "• Tid til at stille de gode spørgsmål ",
    "",
    "• Mod til at lade noget være ufærdigt ",
    "",
    " ",
    "",
    "Næste skridt er at samle erfaringerne fra de tre forvaltninger ",
    "",
    "og dele dem med styregruppen i foråret. ",
]) + "\n"


def test_double_spaced_text_is_undoubled_and_keeps_its_paragraphs():
    assert looks_pdf_extracted(DOUBLE_SPACED)
    text, repairs = repair_text(DOUBLE_SPACED)
    assert text == ("Notat om innovationsdagen\n\n"
                    "Dagen samlede ledere fra hele kommunen. De talte om, hvordan man skaber plads "
                    "til nye idéer i en travl hverdag.\n\n"
                    "Hovedpointer\n\n"
                    "• Tid til at stille de gode spørgsmål\n"
                    "• Mod til at lade noget være ufærdigt\n\n"
                    "Næste skridt er at samle erfaringerne fra de tre forvaltninger og dele dem "
                    "med styregruppen i foråret.\n")
    assert rules(repairs)["double_spacing"]["count"] > 5


def test_double_spaced_text_without_paragraph_gaps_splits_at_short_sentence_ends():
    lines = ["Kommunen og regionen har aftalt en fælles indsats for de ældre borgere,",
             "som skal gøre overgangen fra hospital til eget hjem mere tryg for alle.",
             "Aftalen gælder fra januar.",
             "Hjemmeplejen får adgang til udskrivningsbrevet, før patienten kommer hjem,",
             "og den praktiserende læge får besked samme dag, som udskrivelsen sker.",
             "Sygeplejersken ringer til borgeren dagen efter og spørger, hvordan det går,",
             "og skriver et kort notat, som alle parter kan læse i den fælles journal.",
             "Det er nyt for alle.",
             "Til sommer gør styregruppen status og beslutter, om indsatsen skal fortsætte."]
    text, _ = repair_text("\n\n".join(lines) + "\n")
    parts = text.strip().split("\n\n")
    assert parts[0].endswith("mere tryg for alle. Aftalen gælder fra januar.")
    assert parts[1].startswith("Hjemmeplejen får adgang")
    assert parts[1].endswith("i den fælles journal. Det er nyt for alle.")
    assert parts[2].startswith("Til sommer")


def test_margin_heading_that_interrupts_a_sentence_is_moved_after_it():
    lines = ["Forvaltningen har i flere år arbejdet med at styrke den tværgående ",
             "koordination mellem hjemmeplejen og de praktiserende læger i ",
             "",
             "Fælles ",
             "ansvar ",
             " kommunen, og det arbejde fortsætter i det nye år. ",
             "",
             "Det næste afsnit handler om økonomi. "]
    text, repairs = repair_text("\n".join(lines) + "\n")
    assert ("praktiserende læger i kommunen, og det arbejde fortsætter i det nye år.\n\n"
            "Fælles ansvar\n\nDet næste afsnit") in text
    assert rules(repairs)["margin_heading_moved"]["count"] == 1


def test_a_hyphenated_word_split_across_a_blank_line_is_joined():
    lines = ["• Vi må ikke kende svaret på for-", "", "hånd, fordi vi skal undersøge det. ",
             "• Næste punkt. "]
    text, _ = repair_text("\n".join(lines) + "\n")
    assert "• Vi må ikke kende svaret på forhånd, fordi vi skal undersøge det.\n• Næste" in text


def test_two_long_words_over_a_line_end_are_not_glued_into_a_made_up_compound():
    text, _ = repair_text("Vi skal gentænke\nmåden, vi arbejder på, og de fagprofessionelle\n"
                          "selv skal være med.\n")
    assert "gentænke måden" in text and "fagprofessionelle selv" in text


def test_a_line_that_ends_in_a_slash_continues_without_a_space():
    text, _ = repair_text("Et fælles kommunalt/\nregionalt team arbejder med sygehuse/\n"
                          "sundhedsvæsen. \n")
    assert text == "Et fælles kommunalt/regionalt team arbejder med sygehuse/sundhedsvæsen.\n"


def test_numbered_headings_and_table_of_contents_lines_stand_alone():
    lines = ["Indhold ", "1. Baggrund ........................ 2 ",
             "2. Metode .......................... 3 ", "", "1. Baggrund ",
             "Projektet begyndte i 2023 med et fælles seminar om ældre patienter og deres ",
             "forløb mellem sygehus, kommune og almen praksis. "]
    text, _ = repair_text("\n".join(lines) + "\n")
    parts = text.strip().split("\n\n")
    assert parts[:5] == ["Indhold", "1. Baggrund ........................ 2",
                         "2. Metode .......................... 3", "1. Baggrund",
                         "Projektet begyndte i 2023 med et fælles seminar om ældre patienter og "
                         "deres forløb mellem sygehus, kommune og almen praksis."]


def test_pdf_signs_detection():
    assert looks_pdf_extracted(REPORT)
    transcript = "\n".join(f"I: Spørgsmål {n}?\nR: Svar {n}." for n in range(30))
    assert not looks_pdf_extracted(transcript)
    prose = "\n\n".join("Et afsnit om samarbejde, tillid og økonomi i kommunen." for _ in range(20))
    assert not looks_pdf_extracted(prose)


def test_repaired_transcript_keeps_its_turns():
    lines = ["Interview med sundhedschefen ", "", "I: Hvordan går samarbejdet med re-",
             "gionen? ", "R: Godt, men økonomien er svær for kom-", "munerne. ",
             "I: Hvad med lægerne? ", "R: De er med nu. ", "", "1", "",
             " I: Tak for i dag. ", "", "2", "", " R: Selv tak. "]
    doc = read_bytes(("\n".join(lines) + "\n").encode("utf-8"), "interview_pdf.txt")
    turns = [(s.speaker, doc.text[s.start:s.end]) for s in doc.segments if s.kind == "turn"]
    assert turns == [("I", "Hvordan går samarbejdet med regionen?"),
                     ("R", "Godt, men økonomien er svær for kommunerne."),
                     ("I", "Hvad med lægerne?"), ("R", "De er med nu."),
                     ("I", "Tak for i dag."), ("R", "Selv tak.")]


def test_a_hyphen_after_a_word_fragment_is_joined_even_when_the_word_is_unknown():
    lines = ["Der mangler stadig en godkendt databehand-", "leraftale med regionens jurister,",
             "men projektet er hands-", "on og det går fremad. Slut på tredje linje her."]
    text, repairs = repair_text("\n".join(lines) + "\n")
    assert "databehandleraftale" in text
    assert "hands-on" in text
    joined = rules(repairs)["hyphen_join"]["examples"]
    assert "databehand-|leraftale → databehandleraftale" in joined
