"""Word (.docx) and OpenDocument (.odt) import: order, tables, spacing, metadata, bad files."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest

from tests.test_importers_text import assert_well_formed
from workbench.errors import ImportFailed
from workbench.importers.registry import read_bytes


def make_docx(build) -> bytes:
    import docx

    document = docx.Document()
    build(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def report_docx(document) -> None:
    document.core_properties.title = "Statusnotat om Ældre Vest"
    document.core_properties.author = "Sekretariatet i Århus"
    document.core_properties.created = dt.datetime(2025, 3, 21, 9, 14)
    document.add_heading("Første cyklus", level=1)
    document.add_paragraph("Partnerskabet har afprøvet en fælles udskrivningssamtale.")
    document.add_paragraph("")
    table = document.add_table(rows=2, cols=3)
    for row, values in zip(table.rows, [("Part", "Sektor", "Rolle"),
                                        ("Herning Kommune", "kommune", "værtskab")], strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    document.add_paragraph("Tillid mellem sygeplejerskerne", style="List Bullet")
    document.add_paragraph("Uenighed om økonomien", style="List Bullet")
    paragraph = document.add_paragraph("Den ledende overlæge siger: ")
    paragraph.add_run("”Vi ringer nu til akutteamet i stedet.”")
    document.add_paragraph("Afsluttende bemærkning efter tabellen.")


def test_docx_paragraphs_table_and_lists_in_reading_order():
    doc = read_bytes(make_docx(report_docx), "statusnotat.docx")
    assert_well_formed(doc)
    assert doc.source_format == "docx" and not doc.is_transcript
    pieces = [(s.kind, doc.text[s.start:s.end]) for s in doc.segments]
    assert pieces[0] == ("heading", "Første cyklus")
    assert pieces[1] == ("paragraph", "Partnerskabet har afprøvet en fælles udskrivningssamtale.")
    assert pieces[2] == ("paragraph", "Part | Sektor | Rolle")
    assert pieces[3] == ("paragraph", "Herning Kommune | kommune | værtskab")
    assert pieces[4] == ("item", "• Tillid mellem sygeplejerskerne")
    assert pieces[5] == ("item", "• Uenighed om økonomien")
    assert pieces[6] == ("paragraph", "Den ledende overlæge siger:")
    assert pieces[7][0] == "quote"
    assert doc.segments[7].role == "ledende overlæge"
    assert pieces[8] == ("paragraph", "Afsluttende bemærkning efter tabellen.")


def test_docx_core_properties_become_metadata():
    doc = read_bytes(make_docx(report_docx), "statusnotat.docx")
    assert doc.metadata["title"] == "Statusnotat om Ældre Vest"
    assert doc.metadata["author"] == "Sekretariatet i Århus"
    assert doc.metadata["created"].startswith("2025-03-21T09:14")


def test_docx_transcript_with_line_breaks_and_a_speaker_table():
    def build(document) -> None:
        document.add_paragraph("Interview med praksiskonsulenten")
        first = document.add_paragraph("I: Hvordan gik det?")
        answer = document.add_paragraph("R: Godt.")
        answer.add_run().add_break()
        answer.add_run("Men vi mangler tid.")
        table = document.add_table(rows=2, cols=2)
        table.rows[0].cells[0].text = "I"
        table.rows[0].cells[1].text = "Og økonomien?"
        table.rows[1].cells[0].text = "R"
        table.rows[1].cells[1].text = "Den er svær."
        assert first is not None

    doc = read_bytes(make_docx(build), "interview.docx")
    assert doc.is_transcript
    turns = [(s.speaker, doc.text[s.start:s.end]) for s in doc.segments if s.kind == "turn"]
    assert turns == [("I", "Hvordan gik det?"), ("R", "Godt.\nMen vi mangler tid."),
                     ("I", "Og økonomien?"), ("R", "Den er svær.")]


def make_odt(build) -> bytes:
    from odf.opendocument import OpenDocumentText

    document = OpenDocumentText()
    build(document)
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


def report_odt(document) -> None:
    from odf import dc, meta
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import H, LineBreak, List, ListItem, P, S, Span, Tab

    document.meta.addElement(dc.Title(text="Feltnote fra Ærø"))
    document.meta.addElement(meta.InitialCreator(text="Aktionsforskeren"))
    document.meta.addElement(meta.CreationDate(text="2025-05-06T10:00:00"))
    document.text.addElement(H(outlinelevel=1, text="Workshop i partnerskabet"))
    paragraph = P(text="Vi mødtes kl.")
    paragraph.addElement(S(c=3))
    paragraph.addText("9 i")
    paragraph.addElement(Tab())
    paragraph.addText("rådhusets kantine.")
    paragraph.addElement(LineBreak())
    paragraph.addElement(Span(text="Stemningen var god."))
    document.text.addElement(paragraph)
    items = List()
    for text in ("tillid", "økonomi"):
        item = ListItem()
        item.addElement(P(text=text))
        items.addElement(item)
    document.text.addElement(items)
    table = Table()
    table.addElement(TableColumn(numbercolumnsrepeated=2))
    row = TableRow()
    for text in ("Region", "Midtjylland"):
        cell = TableCell()
        cell.addElement(P(text=text))
        row.addElement(cell)
    table.addElement(row)
    document.text.addElement(table)


def test_odt_headings_spacing_lists_and_tables():
    doc = read_bytes(make_odt(report_odt), "feltnote.odt")
    assert_well_formed(doc)
    pieces = [(s.kind, doc.text[s.start:s.end]) for s in doc.segments]
    assert pieces[0] == ("heading", "Workshop i partnerskabet")
    assert pieces[1] == ("paragraph",
                         "Vi mødtes kl.   9 i\trådhusets kantine.\nStemningen var god.")
    assert pieces[2:4] == [("item", "• tillid"), ("item", "• økonomi")]
    assert pieces[4] == ("paragraph", "Region: Midtjylland")
    assert doc.metadata == {"title": "Feltnote fra Ærø", "author": "Aktionsforskeren",
                            "created": "2025-05-06T10:00:00"}


def test_odt_transcript_is_detected():
    from odf.text import P

    def build(document) -> None:
        for line in ("Interviewer: Hvad betyder tillid?", "Informant: At de ringer tilbage.",
                     "Interviewer: Altid?", "Informant: Næsten altid."):
            document.text.addElement(P(text=line))

    doc = read_bytes(make_odt(build), "interview.odt")
    assert doc.is_transcript
    assert [s.speaker for s in doc.segments] == ["Interviewer", "Informant"] * 2


def corrupt_zip() -> bytes:
    good = make_docx(report_docx)
    return good[: len(good) // 2]


def zip_without_document() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hej.txt", "ikke et dokument")
    return out.getvalue()


def encrypted_odt() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("META-INF/manifest.xml",
                         '<manifest:manifest><manifest:file-entry manifest:full-path="content.xml">'
                         "<manifest:encryption-data/></manifest:file-entry></manifest:manifest>")
        archive.writestr("content.xml", b"\x93\x12\x00 encrypted")
    return out.getvalue()


@pytest.mark.parametrize(("name", "data", "phrase"), [
    ("ødelagt.docx", b"PK\x03\x04 this is not really a zip file", "damaged"),
    ("halv.docx", None, "damaged"),
    ("forkert.docx", None, "damaged"),
    ("gammel.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(200), "old Word"),
    ("ødelagt.odt", b"PK\x03\x04 not a zip", "damaged"),
    ("forkert.odt", None, "damaged"),
    ("låst.odt", None, "password"),
])
def test_damaged_office_files_are_refused_with_the_file_named(name, data, phrase):
    if data is None:
        data = {"halv.docx": corrupt_zip, "forkert.docx": zip_without_document,
                "forkert.odt": zip_without_document, "låst.odt": encrypted_odt}[name]()
    with pytest.raises(ImportFailed) as raised:
        read_bytes(data, name)
    assert str(raised.value).startswith(f"{name}: ")
    assert phrase in str(raised.value)


def test_empty_word_document_is_refused():
    with pytest.raises(ImportFailed, match=r"^tom\.docx: .*no text"):
        read_bytes(make_docx(lambda d: d.add_paragraph("   ")), "tom.docx")
