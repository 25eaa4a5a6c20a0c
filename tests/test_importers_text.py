"""Plain text and Markdown import: encodings, line endings, normal form, structure, bad input."""

from __future__ import annotations

import codecs
import unicodedata

import pytest

from workbench.core.models import ParsedDocument
from workbench.errors import ImportFailed
from workbench.importers.registry import read_bytes, supported_extensions

NOTE = ("Feltnote fra styregruppemødet i Ærø Kommune\n\n"
        "Mødet handlede om økonomi, tillid og den fælles udskrivningssamtale på sygehuset.\n\n"
        "Sundhedschefen og den ledende overlæge var uenige om, hvem der betaler for "
        "sygeplejerskernes tid – men de blev enige om at prøve én måned mere.\n")


def assert_well_formed(doc: ParsedDocument) -> None:
    """Every reader's output: NFC, \\n only, no BOM, segments in order inside the text."""
    text = doc.text
    assert "\r" not in text and "\ufeff" not in text
    assert unicodedata.is_normalized("NFC", text)
    previous_end = 0
    for seg in doc.segments:
        assert 0 <= seg.start < seg.end <= len(text)
        assert seg.start >= previous_end, "segments overlap or are out of order"
        piece = text[seg.start:seg.end]
        assert piece == piece.strip(), f"segment has surrounding whitespace: {piece!r}"
        previous_end = seg.end


def paragraphs(doc: ParsedDocument) -> list[str]:
    return [doc.text[s.start:s.end] for s in doc.segments]


@pytest.mark.parametrize(("encoded", "expected_encoding"), [
    (NOTE.encode("utf-8"), "utf-8"),
    (codecs.BOM_UTF8 + NOTE.encode("utf-8"), "utf-8-sig"),
    (codecs.BOM_UTF16_LE + NOTE.encode("utf-16-le"), "utf-16-le"),
    (codecs.BOM_UTF16_BE + NOTE.encode("utf-16-be"), "utf-16-be"),
    (NOTE.encode("utf-16-le"), "utf-16-le"),
    (NOTE.replace("\n", "\r\n").encode("cp1252"), "cp1252"),
    (NOTE.replace("–", "-").encode("latin-1"), "latin-1"),
])
def test_every_common_encoding_reads_the_danish_letters_right(encoded, expected_encoding):
    doc = read_bytes(encoded, "feltnote.txt")
    assert doc.encoding == expected_encoding
    assert "Ærø Kommune" in doc.text and "økonomi" in doc.text and "på sygehuset" in doc.text
    assert "én måned" in doc.text
    assert doc.text.startswith("Feltnote")  # no BOM left in the text
    assert_well_formed(doc)


def test_cp1252_with_crlf_and_typographic_quotes():
    text = "Hun sagde: ”Vi må gøre det sammen” – og så gik vi.\r\nÆndringen kom først i år.\r\n"
    doc = read_bytes(text.encode("cp1252"), "note.txt")
    assert doc.encoding == "cp1252"
    assert doc.text == ("Hun sagde: ”Vi må gøre det sammen” – og så gik vi.\n"
                        "Ændringen kom først i år.\n")


def test_old_mac_line_endings_and_decomposed_letters_are_normalised():
    decomposed = unicodedata.normalize("NFD", "Første linje på Ærø\rAnden linje i Århus\r")
    doc = read_bytes(decomposed.encode("utf-8"), "mac.txt")
    assert doc.text == "Første linje på Ærø\nAnden linje i Århus\n"
    assert_well_formed(doc)


def test_dos_code_page_is_recognised_instead_of_guessing_wrong():
    text = "Sygeplejersken på afdelingen fortalte om tilliden til kommunens akutteam i Ålborg."
    doc = read_bytes(text.encode("cp865"), "gammel.txt")
    assert "Sygeplejersken på afdelingen" in doc.text and "Ålborg" in doc.text


def test_double_encoded_utf8_is_repaired_and_reported():
    garbled = NOTE.encode("utf-8").decode("cp1252").encode("utf-8")
    assert "Ã¦" in garbled.decode("utf-8") or "Ã¸" in garbled.decode("utf-8")
    doc = read_bytes(garbled, "dobbelt.txt")
    assert "økonomi" in doc.text and "Ærø" in doc.text and "–" in doc.text
    assert "double-encoded" in doc.encoding
    rule = next(r for r in doc.repairs if r["rule"] == "double_encoding")
    assert rule["count"] > 0 and any("→ ø" in e or "→ æ" in e for e in rule["examples"])


def test_double_encoding_that_lost_letters_is_refused():
    # ” is E2 80 9D in UTF-8; 0x9D has no cp1252 character, so a converter replaced it.
    quoted = "Hun sagde: ”Vi gør det sammen”, og det blev sådan.\n"
    damaged = quoted.encode("utf-8").decode("cp1252", errors="replace").encode("utf-8")
    with pytest.raises(ImportFailed, match=r"^dobbelt\.txt: .*UTF-8 twice"):
        read_bytes(damaged, "dobbelt.txt")


@pytest.mark.parametrize(("data", "phrase"), [
    (b"", "empty"),
    (b"   \r\n\t\n", "empty"),
    (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
    (b"PK\x03\x04\x14\x00\x06\x00" + bytes(100), "zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "old Word"),
    (bytes(range(256)) * 4, "binary"),
])
def test_binary_or_empty_files_are_refused_with_the_file_named(data, phrase):
    with pytest.raises(ImportFailed) as raised:
        read_bytes(data, "interview_07.txt")
    message = str(raised.value)
    assert message.startswith("interview_07.txt: ")
    assert phrase in message
    assert message.endswith(".") and message.count(";") <= 2


def test_unknown_extension_is_refused_with_the_supported_list():
    with pytest.raises(ImportFailed, match=r"billede\.jpg: '\.jpg' is not a format"):
        read_bytes(b"\xff\xd8\xff", "billede.jpg")
    assert {".txt", ".md", ".docx", ".odt", ".pdf", ".vtt", ".srt"} <= set(supported_extensions())


def test_plain_document_becomes_heading_and_paragraphs():
    doc = read_bytes(NOTE.encode("utf-8"), "feltnote.txt")
    assert not doc.is_transcript
    assert [s.kind for s in doc.segments] == ["heading", "paragraph", "paragraph"]
    assert paragraphs(doc)[1].startswith("Mødet handlede")
    assert doc.repairs == [] and doc.original_text == doc.text


def test_markdown_headings_bullets_and_wrapped_paragraphs():
    md = ("# Workshop i partnerskabet\n\n"
          "Vi mødtes på rådhuset. Dagen var delt i\n"
          "to dele, og stemningen var god.\n\n"
          "## Det tog vi med\n\n"
          "- tillid mellem sygeplejerskerne\n"
          "- uenighed om økonomien\n"
          "  som fortsat fylder\n"
          "* en ny prøvehandling\n"
          "• næste møde i juni\n")
    doc = read_bytes(md.encode("utf-8"), "workshop.md")
    assert doc.source_format == "md"
    kinds = [(s.kind, doc.text[s.start:s.end]) for s in doc.segments]
    assert kinds[0] == ("heading", "Workshop i partnerskabet")
    assert kinds[1] == ("paragraph", "Vi mødtes på rådhuset. Dagen var delt i\nto dele, og "
                                     "stemningen var god.")
    assert kinds[2] == ("heading", "Det tog vi med")
    items = [text for kind, text in kinds if kind == "item"]
    assert items == ["- tillid mellem sygeplejerskerne",
                     "- uenighed om økonomien\n  som fortsat fylder",
                     "* en ny prøvehandling", "• næste møde i juni"]
    assert_well_formed(doc)


def test_one_paragraph_per_line_files_are_split_at_each_line():
    long_a = "Kommunen har haft travlt med at få styr på overgangene, " * 3
    long_b = "Regionen ser det anderledes og peger på de praktiserende læger, " * 3
    doc = read_bytes(f"{long_a.strip()}\n{long_b.strip()}\n".encode(), "linjer.txt")
    assert len(doc.segments) == 2
    assert paragraphs(doc)[1].startswith("Regionen ser")


def test_ordinary_text_is_not_taken_for_pdf_output():
    lines = [f"Linje {n} om samarbejdet mellem kommune og region, som er godt." for n in range(40)]
    doc = read_bytes("\n".join(lines).encode(), "noter.txt")
    assert doc.repairs == []
    assert doc.text.count("\n") == 39
