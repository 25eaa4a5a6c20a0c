"""PDF import: the text layer page by page, the repair pass, metadata, and refused PDFs.

The PDFs are written by hand here: Helvetica with WinAnsi encoding, one text line per row, so
the test controls exactly what the text layer holds (æ, ø, å, ”, – included).
"""

from __future__ import annotations

import io

import pytest

from tests.test_importers_text import assert_well_formed
from workbench.errors import ImportFailed
from workbench.importers.registry import read_bytes


def _pdf_string(text: str) -> str:
    out = []
    for byte in text.encode("cp1252"):
        char = chr(byte)
        if char in "\\()":
            out.append("\\" + char)
        elif 32 <= byte < 127:
            out.append(char)
        else:
            out.append(f"\\{byte:03o}")
    return "(" + "".join(out) + ")"


def make_pdf(pages: list[list[str] | str], info: dict[str, str] | None = None) -> bytes:
    """A PDF with one page per entry: a list of text lines, or a raw content stream."""
    objects: dict[int, str] = {}
    page_ids = [4 + 2 * i for i in range(len(pages))]
    objects[1] = "<< /Type /Catalog /Pages 2 0 R >>"
    kids = " ".join(f"{p} 0 R" for p in page_ids)
    objects[2] = f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>"
    objects[3] = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    for page_id, lines in zip(page_ids, pages, strict=True):
        if isinstance(lines, str):
            stream = lines
        else:
            body = " T* ".join(f"{_pdf_string(line)} Tj" for line in lines)
            stream = f"BT /F1 11 Tf 14 TL 72 770 Td {body} ET"
        objects[page_id] = ("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                            "/Resources << /Font << /F1 3 0 R >> >> "
                            f"/Contents {page_id + 1} 0 R >>")
        objects[page_id + 1] = (f"<< /Length {len(stream.encode('latin-1'))} >>\nstream\n"
                                f"{stream}\nendstream")
    info_id = None
    if info:
        info_id = max(objects) + 1
        entries = " ".join(f"/{k} {_pdf_string(v)}" for k, v in info.items())
        objects[info_id] = f"<< {entries} >>"
    out = bytearray(b"%PDF-1.4\n")
    offsets = {}
    for object_id in sorted(objects):
        offsets[object_id] = len(out)
        out += f"{object_id} 0 obj\n{objects[object_id]}\nendobj\n".encode("latin-1")
    xref = len(out)
    size = max(objects) + 1
    out += f"xref\n0 {size}\n0000000000 65535 f \n".encode()
    for object_id in range(1, size):
        out += f"{offsets[object_id]:010d} 00000 n \n".encode()
    trailer = f"<< /Size {size} /Root 1 0 R" + (f" /Info {info_id} 0 R" if info_id else "") + " >>"
    out += f"trailer\n{trailer}\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


HEADER = "Midtvejsnotat · Sammen om de ældre"
PAGES = [
    [HEADER, "Samarbejdet på tværs", "",
     "Kommunen og hospitalet har sat sundhedsområdet på den stra-",
     "tegiske dagsorden. Den ledende overlæge siger:",
     "”Vi ringer nu til akutteamet i stedet for at beholde patien-",
     "ten en nat ekstra.”",
     "Arbejdet med en 0-", "fejlskultur er svært for",
     "1"],
    [HEADER, "mange afdelinger, men XX Kommune er med.",
     "• Fælles udskrivningssamtale", "• Opkald dagen efter", "2"],
]


@pytest.fixture(scope="module")
def report():
    return read_bytes(make_pdf(PAGES, info={"Title": "Midtvejsnotat", "Author": "Åse Ærø"}),
                      "midtvejsnotat.pdf")


def test_pdf_text_layer_is_read_with_danish_letters(report):
    assert_well_formed(report)
    assert report.source_format == "pdf"
    assert "Kommunen og hospitalet har sat sundhedsområdet på den strategiske dagsorden." \
        in report.text
    assert "Arbejdet med en 0-fejlskultur er svært for mange afdelinger, men XX Kommune er med." \
        in report.text


def test_pdf_repairs_drop_page_furniture_and_keep_the_original(report):
    assert HEADER not in report.text
    assert "\n1\n" not in report.text and not report.text.rstrip().endswith("2")
    assert HEADER in report.original_text and "stra-\ntegiske" in report.original_text
    rules = {r["rule"]: r for r in report.repairs}
    assert rules["running_header"]["count"] == 2
    assert rules["page_number"]["count"] == 2
    assert "stra-|tegiske → strategiske" in rules["hyphen_join"]["examples"]


def test_pdf_structure_quotes_items_tokens_and_metadata(report):
    quote = next(s for s in report.segments if s.kind == "quote")
    assert report.text[quote.start:quote.end] == ("Vi ringer nu til akutteamet i stedet for at "
                                                   "beholde patienten en nat ekstra.")
    assert quote.role == "ledende overlæge"
    items = [report.text[s.start:s.end] for s in report.segments if s.kind == "item"]
    assert items == ["• Fælles udskrivningssamtale", "• Opkald dagen efter"]
    assert report.anonymised_tokens == ["XX"]
    assert report.metadata == {"title": "Midtvejsnotat", "author": "Åse Ærø"}


def test_encrypted_pdf_is_refused():
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(PAGES))))
    writer.encrypt(user_password="hemmelig", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(ImportFailed, match=r"^låst\.pdf: the PDF is encrypted"):
        read_bytes(out.getvalue(), "låst.pdf")


def test_pdf_with_only_an_owner_password_is_read():
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(PAGES))))
    writer.encrypt(user_password="", owner_password="ejer", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    assert "strategiske" in read_bytes(out.getvalue(), "beskyttet.pdf").text


def test_image_only_pdf_is_refused_with_advice_to_run_ocr():
    scan = make_pdf(["0.5 g 72 72 450 700 re f", "0 0 1 rg 100 100 200 200 re f"])
    with pytest.raises(ImportFailed, match=r"^scanning\.pdf: .*no text layer.*OCR"):
        read_bytes(scan, "scanning.pdf")


@pytest.mark.parametrize(("data", "phrase"), [
    (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF", "damaged"),
    (b"Dette er bare tekst med en forkert endelse.", "not a PDF"),
])
def test_damaged_or_fake_pdf_is_refused(data, phrase):
    with pytest.raises(ImportFailed) as raised:
        read_bytes(data, "rapport.pdf")
    assert str(raised.value).startswith("rapport.pdf: ") and phrase in str(raised.value)
