"""Word documents (.docx): paragraphs and tables in reading order, core properties as metadata."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from workbench.core.models import ParsedDocument
from workbench.errors import ImportFailed
from workbench.importers.registry import register
from workbench.importers.structure import build_document, join_pieces

_HEADING_STYLES = ("heading", "overskrift", "title", "titel", "subtitle", "undertitel")
_LIST_STYLES = ("list", "liste")
_LABEL_MAX_WORDS = 4


def _open(data: bytes, name: str) -> Any:
    import docx  # python-docx is imported only when a Word file is read

    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFailed(f"{name}: this is an old Word (.doc) file or a password-protected "
                           "document; open it in Word, remove any password and save it as .docx.")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ImportFailed(f"{name}: the file is damaged or not a Word document (it is not a "
                           ".docx zip package); open it in Word and save it again as .docx.")
    try:
        return docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises KeyError, ValueError, BadZipFile ...
        raise ImportFailed(f"{name}: the file is damaged or not a Word document ({exc}); "
                           "open it in Word and save it again as .docx.") from None


def _paragraph_kind(paragraph: Any) -> str:
    style = (paragraph.style.name if paragraph.style is not None else "").lower()
    if style.startswith(_HEADING_STYLES):
        return "heading"
    ppr = paragraph._p.pPr
    if any(word in style for word in _LIST_STYLES) or (ppr is not None and ppr.numPr is not None):
        return "item"
    return "paragraph"


def _row_text(row: Any) -> str:
    cells = []
    seen: set[int] = set()
    for cell in row.cells:
        if id(cell._tc) in seen:  # merged cells repeat in python-docx
            continue
        seen.add(id(cell._tc))
        text = cell.text.strip()
        if text:
            cells.append(text)
    if len(cells) == 2 and _is_label(cells[0]):
        # A two-column table whose first column names the speaker is a transcript.
        return f"{cells[0]}: {cells[1]}"
    return " | ".join(cells)


def _is_label(text: str) -> bool:
    return ("\n" not in text and len(text) <= 40 and len(text.split()) <= _LABEL_MAX_WORDS
            and text[:1].isupper() and text[-1] not in ".,;:!?")


def _metadata(document: Any) -> dict:
    props = document.core_properties
    metadata: dict = {}
    for key, value in (("title", props.title), ("author", props.author),
                       ("subject", props.subject), ("created", props.created)):
        if value:
            metadata[key] = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return metadata


@register(".docx")
def read_docx(data: bytes, name: str) -> ParsedDocument:
    """Read a Word document: paragraphs (with headings and list items) and table rows in order."""
    from docx.table import Table

    document = _open(data, name)
    pieces: list[tuple[str, str]] = []
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            pieces.extend((text, "paragraph") for row in item.rows if (text := _row_text(row)))
        else:
            text = item.text.strip()
            if text:
                pieces.append((text, _paragraph_kind(item)))
    text, blocks = join_pieces(pieces)
    if not text:
        raise ImportFailed(f"{name}: the Word document has no text; check that it is the right "
                           "file (text in images or text boxes is not read).")
    return build_document(text, source_format="docx", metadata=_metadata(document),
                          blocks=blocks)
