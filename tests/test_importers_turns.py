"""Speaker turns in transcripts, in every form Danish researchers and their tools write them."""

from __future__ import annotations

import pytest

from tests.test_importers_text import assert_well_formed
from workbench.importers.registry import read_bytes
from workbench.importers.turns import detect_turns, parse_timestamp


def turns_of(text: str, name: str = "interview.txt"):
    doc = read_bytes(text.encode("utf-8"), name)
    assert_well_formed(doc)
    return doc, [s for s in doc.segments if s.kind == "turn"]


def speech(doc, seg) -> str:
    return doc.text[seg.start:seg.end]


def test_i_and_r_labels_with_a_header_before_the_first_turn():
    text = ("Interview med afdelingssygeplejerske, Hospitalsenheden Vest\n"
            "Dato: 3. marts 2025\n\n"
            "I: Hvordan oplever du samarbejdet med kommunen?\n\n"
            "R: Det er blevet bedre. Vi ringer til akutteamet,\n"
            "og de kommer faktisk.\n\n"
            "I: Og økonomien?\n\n"
            "R: Den er stadig et problem.\n")
    doc, turns = turns_of(text)
    assert doc.is_transcript
    assert [t.speaker for t in turns] == ["I", "R", "I", "R"]
    assert speech(doc, turns[0]) == "Hvordan oplever du samarbejdet med kommunen?"
    assert speech(doc, turns[1]) == ("Det er blevet bedre. Vi ringer til akutteamet,\n"
                                     "og de kommer faktisk.")
    header = [doc.text[s.start:s.end] for s in doc.segments if s.kind != "turn"]
    assert header == ["Interview med afdelingssygeplejerske, Hospitalsenheden Vest\n"
                      "Dato: 3. marts 2025"]
    assert all(t.start_time is None for t in turns)


def test_interviewer_informant_labels_without_blank_lines():
    text = ("Interviewer: Hvad betyder tillid for dig?\n"
            "Informant: At jeg kan regne med, at de gør det, de siger.\n"
            "Interviewer: Kan du give et eksempel?\n"
            "Informant: Ja. Sidste uge ringede hjemmeplejen selv.\n")
    doc, turns = turns_of(text)
    assert [t.speaker for t in turns] == ["Interviewer", "Informant"] * 2
    assert speech(doc, turns[1]) == "At jeg kan regne med, at de gør det, de siger."


def test_named_speakers_with_danish_letters_and_hyphens():
    text = ("Søren Ødegaard: Vi skal tale om udskrivningerne.\n\n"
            "Anne-Marie Æbelø: Enig. Men først økonomien.\n\n"
            "Søren Ødegaard: Fint med mig.\n\n"
            "Anne-Marie Æbelø: Godt.\n")
    doc, turns = turns_of(text)
    assert [t.speaker for t in turns] == ["Søren Ødegaard", "Anne-Marie Æbelø"] * 2


def test_bracketed_timestamps_before_the_label():
    text = ("[00:00:05] Interviewer: Så kører optageren.\n"
            "[00:00:09] Henrik Dahl: Godt, jeg er klar.\n"
            "[00:01:02] Interviewer: Fortæl om jeres rolle i partnerskabet.\n"
            "[01:02:03.5] Henrik Dahl: Vi leverer videoudstyret.\n")
    doc, turns = turns_of(text)
    assert [t.speaker for t in turns] == ["Interviewer", "Henrik Dahl"] * 2
    assert [t.start_time for t in turns] == [5.0, 9.0, 62.0, 3723.5]
    assert [t.end_time for t in turns] == [9.0, 62.0, 3723.5, None]
    assert speech(doc, turns[1]) == "Godt, jeg er klar."


def test_word_style_name_with_timestamp_in_parentheses_and_speech_below():
    text = ("optagelse_2025-10-15.m4a\n\n"
            "Forsker (00:00:04):\n"
            "Så er den tændt. Tak fordi jeg måtte komme.\n\n"
            "Birthe Lund (00:00:11):\n"
            "Det var så lidt.\n"
            "Kaffen er lige lavet.\n\n"
            "Forsker (00:00:23):\n"
            "Tak.\n")
    doc, turns = turns_of(text)
    assert [t.speaker for t in turns] == ["Forsker", "Birthe Lund", "Forsker"]
    assert [t.start_time for t in turns] == [4.0, 11.0, 23.0]
    assert turns[0].end_time == 11.0
    assert speech(doc, turns[1]) == "Det var så lidt.\nKaffen er lige lavet."
    assert [doc.text[s.start:s.end] for s in doc.segments][0] == "optagelse_2025-10-15.m4a"


def test_name_and_parenthesised_timestamp_with_speech_on_the_same_line():
    text = ("Forsker (00:00:04): Hvordan gik prøvehandlingen?\n"
            "Karen Holm (00:00:09): Bedre end ventet.\n")
    doc, turns = turns_of(text)
    assert [speech(doc, t) for t in turns] == ["Hvordan gik prøvehandlingen?", "Bedre end ventet."]


def test_teams_style_name_then_timestamp_on_its_own_line():
    text = ("Ung Trivsel interview-20251014_080312-Mødeoptagelse\n\n"
            "Forsker   0:03\n"
            "Så, nu kører optagelsen.\n\n"
            "Karen Holm   0:08\n"
            "Ja, fint. Jeg sidder i konsultationen.\n\n"
            "Forsker   1:02:22\n"
            "Tak for i dag.\n")
    doc, turns = turns_of(text)
    assert [t.speaker for t in turns] == ["Forsker", "Karen Holm", "Forsker"]
    assert [t.start_time for t in turns] == [3.0, 8.0, 3742.0]
    assert speech(doc, turns[1]) == "Ja, fint. Jeg sidder i konsultationen."


def test_word_transcription_timestamp_then_speaker_line():
    text = ("00:00:01 Speaker 1\nHej og velkommen.\n\n"
            "00:00:04 Speaker 2\nTak.\n\n"
            "00:00:07 Speaker 1\nSkal vi gå i gang?\n")
    doc, turns = turns_of(text)
    assert [t.speaker for t in turns] == ["Speaker 1", "Speaker 2", "Speaker 1"]
    assert [t.start_time for t in turns] == [1.0, 4.0, 7.0]


def test_prose_with_colons_is_not_a_transcript():
    text = ("Det var sådan: vi mødtes hver uge.\n\n"
            "Formålet med notatet er: at samle erfaringer.\n\n"
            "Konference: Innovation på tværs af sektorer\n\n"
            "Note: Tallene er foreløbige.\n\n"
            "Note: Der mangler svar fra to kommuner.\n")
    doc, turns = turns_of(text, "notat.txt")
    assert not doc.is_transcript and turns == []


def test_a_single_unknown_label_is_not_a_speaker():
    text = ("Mødet startede sent.\n\n"
            "Henrik: kom for sent, fordi toget holdt stille.\n\n"
            "Resten af mødet gik godt.\n")
    doc, _ = turns_of(text, "referat.txt")
    assert not doc.is_transcript


def test_recurring_field_labels_in_a_long_document_are_not_turns():
    paragraphs = [f"Afsnit {n} beskriver samarbejdet mellem kommunen og regionen."
                  for n in range(30)]
    paragraphs[3] = "Kommune: Herning"
    paragraphs[20] = "Region: Midtjylland"
    paragraphs[21] = "Kommune: Holstebro"
    paragraphs[25] = "Region: Nordjylland"
    doc, _ = turns_of("\n\n".join(paragraphs), "oversigt.txt")
    assert not doc.is_transcript


def test_known_labels_count_even_with_one_speaker_each():
    doc, turns = turns_of("Informant: Det var en svær tid.\n\nInformant: Men vi kom igennem.\n")
    assert doc.is_transcript and len(turns) == 2


@pytest.mark.parametrize(("value", "seconds"), [
    ("00:12:03", 723.0), ("12:03", 723.0), ("1:02:03", 3723.0), ("00:00:05.250", 5.25),
    ("00:00:05,5", 5.5),
])
def test_timestamp_forms(value, seconds):
    assert parse_timestamp(value) == seconds


def test_turn_spans_exclude_the_label_and_point_at_the_speech():
    text = "I: Første spørgsmål?\nR: Første svar.\nI: Andet?\nR: Andet svar.\n"
    turns = detect_turns(text)
    assert [text[t.start:t.end] for t in turns] == ["Første spørgsmål?", "Første svar.",
                                                    "Andet?", "Andet svar."]
    assert [text[t.label_start:t.start] for t in turns][:2] == ["I: ", "R: "]
