"""WebVTT and SubRip import: cues, voice tags, merged turns, times, and refused files."""

from __future__ import annotations

import pytest

from tests.test_importers_text import assert_well_formed
from workbench.errors import ImportFailed
from workbench.importers.registry import read_bytes

TEAMS_VTT = """WEBVTT

3b1e7c2a-1111-4f0a-a6c1-9e04d2b85f37/11-0
00:00:03.120 --> 00:00:05.620
<v Forsker>Godt, så er vi i gang.</v>

3b1e7c2a-1111-4f0a-a6c1-9e04d2b85f37/11-1
00:00:05.780 --> 00:00:08.685
<v Forsker>Tak fordi du ville være med.</v>

NOTE Teams skrev denne note

3b1e7c2a-1111-4f0a-a6c1-9e04d2b85f37/14-0
00:00:09.037 --> 00:00:12.237
<v Søren Ødegaard>Selvfølgelig. Jeg er projektleder &amp; ansvarlig for <i>videoen</i>.</v>

3b1e7c2a-1111-4f0a-a6c1-9e04d2b85f37/14-1
00:00:12.300 --> 00:00:15.000
<v Søren Ødegaard>Vi samarbejder med
regionen om udstyret.</v>

00:00:16.000 --> 00:00:18.500
<v Forsker>Hvordan går det med tilliden?
"""


def turns(doc):
    return [(s.speaker, doc.text[s.start:s.end], s.start_time, s.end_time)
            for s in doc.segments]


def test_vtt_voice_tags_become_speakers_and_consecutive_cues_merge():
    doc = read_bytes(TEAMS_VTT.encode("utf-8"), "P10_interview.vtt")
    assert_well_formed(doc)
    assert doc.is_transcript and doc.source_format == "vtt" and doc.encoding == "utf-8"
    assert turns(doc) == [
        ("Forsker", "Godt, så er vi i gang. Tak fordi du ville være med.", 3.12, 8.685),
        ("Søren Ødegaard", "Selvfølgelig. Jeg er projektleder & ansvarlig for videoen. "
                           "Vi samarbejder med regionen om udstyret.", 9.037, 15.0),
        ("Forsker", "Hvordan går det med tilliden?", 16.0, 18.5),
    ]
    assert doc.text.startswith("Forsker: Godt, så er vi i gang.")
    assert all(s.kind == "turn" for s in doc.segments)


def test_vtt_with_several_voices_in_one_cue_and_short_times():
    vtt = ("WEBVTT - optaget i Teams\n\n"
           "01:02.500 --> 01:04.000\n<v.loud Anne Kjær>Nej!\n<v Forsker>Nej?\n\n"
           "01:04.100 --> 01:06.000 align:start\nFørst nu forstår jeg det.\n")
    doc = read_bytes(vtt.encode("utf-8"), "kort.vtt")
    assert turns(doc) == [("Anne Kjær", "Nej!", 62.5, 64.0), ("Forsker", "Nej?", 62.5, 64.0),
                          (None, "Først nu forstår jeg det.", 64.1, 66.0)]


def test_srt_name_prefix_is_the_speaker_and_cp1252_is_read():
    srt = ("1\r\n00:00:01,000 --> 00:00:04,000\r\n"
           "Interviewer: Hvordan oplever du samarbejdet?\r\n\r\n"
           "2\r\n00:00:04,500 --> 00:00:07,250\r\nInformant: Det er blevet bedre,\r\nisær med "
           "sygeplejerskerne.\r\n\r\n"
           "3\r\n00:00:07,300 --> 00:00:09,000\r\n"
           "Informant: Men økonomien driller – stadig.\r\n\r\n"
           "4\r\n00:00:10,000 --> 00:00:11,000\r\n<i>(latter)</i>\r\n")
    doc = read_bytes(srt.encode("cp1252"), "interview.srt")
    assert_well_formed(doc)
    assert doc.encoding == "cp1252" and doc.source_format == "srt"
    assert turns(doc) == [
        ("Interviewer", "Hvordan oplever du samarbejdet?", 1.0, 4.0),
        ("Informant",
         "Det er blevet bedre, især med sygeplejerskerne. Men økonomien driller – stadig.",
         4.5, 9.0),
        (None, "(latter)", 10.0, 11.0),
    ]


def test_srt_sentence_with_a_colon_is_not_a_speaker():
    srt = "1\n00:00:01,000 --> 00:00:03,000\nDet var sådan: vi mødtes hver uge.\n"
    doc = read_bytes(srt.encode("utf-8"), "undertekst.srt")
    assert turns(doc) == [(None, "Det var sådan: vi mødtes hver uge.", 1.0, 3.0)]


@pytest.mark.parametrize(("name", "content", "phrase"), [
    ("interview.vtt", "1\n00:00:01,000 --> 00:00:02,000\nHej\n", "rename it to .srt"),
    ("interview.vtt", "Bare noget tekst\nuden tider\n", "not a WebVTT file"),
    ("interview.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n\n", "no cues with text"),
    ("interview.vtt", "WEBVTT\n\n00:00:xx.000 --> 00:00:02.000\nHej\n", "line 3"),
    ("interview.srt", "Ingen undertekster her.\n", "not a SubRip file"),
    ("interview.srt", "1\n00:00:01,000 --> 00:00:02,000\n\n", "no text"),
])
def test_bad_caption_files_are_refused_with_the_file_named(name, content, phrase):
    with pytest.raises(ImportFailed) as raised:
        read_bytes(content.encode("utf-8"), name)
    assert str(raised.value).startswith(f"{name}: ")
    assert phrase in str(raised.value)
