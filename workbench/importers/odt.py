"""OpenDocument text (.odt): headings, paragraphs, list items and table rows in reading order.

Spacing elements are turned back into characters: ``text:s`` (``c`` spaces), ``text:tab`` and
``text:line-break``. Footnotes, comments and drawings are left out.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from workbench.core.models import ParsedDocument
from workbench.errors import ImportFailed
from workbench.importers.registry import register
from workbench.importers.structure import build_document, join_pieces

_TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_SKIPPED = {(_TEXT_NS, "note"), (_TEXT_NS, "tracked-changes"), (_TEXT_NS, "sequence-decls"),
            (_TEXT_NS, "variable-decls"), (_TEXT_NS, "user-field-decls"),
            (_TEXT_NS, "table-of-content-source"), (_TEXT_NS, "soft-page-break"),
            ("urn:oasis:names:tc:opendocument:xmlns:office:1.0", "annotation"),
            ("urn:oasis:names:tc:opendocument:xmlns:drawing:1.0", "frame")}


def _inline(node: Any) -> str:
    """The text of a paragraph element, with spaces, tabs and line breaks restored."""
    out: list[str] = []
    for child in node.childNodes:
        if child.nodeType == child.TEXT_NODE:
            out.append(child.data)
            continue
        qname = getattr(child, "qname", None)
        if qname in _SKIPPED:
            continue
        if qname == (_TEXT_NS, "s"):
            count = child.getAttrNS(_TEXT_NS, "c")
            out.append(" " * (int(count) if count and str(count).isdigit() else 1))
        elif qname == (_TEXT_NS, "tab"):
            out.append("\t")
        elif qname == (_TEXT_NS, "line-break"):
            out.append("\n")
        else:
            out.append(_inline(child))
    return "".join(out)


def _row_text(row: Any) -> str:
    cells = []
    for cell in row.childNodes:
        if getattr(cell, "qname", None) != (_TABLE_NS, "table-cell"):
            continue
        text = "\n".join(t for t in (_inline(p).strip() for p in cell.childNodes
                                     if getattr(p, "qname", None) in
                                     ((_TEXT_NS, "p"), (_TEXT_NS, "h"))) if t)
        if text:
            cells.append(text)
    if len(cells) == 2 and "\n" not in cells[0] and len(cells[0].split()) <= 4 \
            and cells[0][:1].isupper() and cells[0][-1] not in ".,;:!?":
        return f"{cells[0]}: {cells[1]}"  # speaker | speech: a transcript kept in a table
    return " | ".join(cells)


def _walk(node: Any, pieces: list[tuple[str, str]], in_list: bool = False) -> None:
    for child in node.childNodes:
        qname = getattr(child, "qname", None)
        if qname is None or qname in _SKIPPED:
            continue
        namespace, local = qname
        if qname == (_TEXT_NS, "h"):
            pieces.append((_inline(child), "heading"))
        elif qname == (_TEXT_NS, "p"):
            pieces.append((_inline(child), "item" if in_list else "paragraph"))
        elif qname == (_TEXT_NS, "list"):
            _walk(child, pieces, in_list=True)
        elif namespace == _TABLE_NS and local == "table-row":
            pieces.append((_row_text(child), "paragraph"))
        else:
            _walk(child, pieces, in_list)


def _metadata(document: Any) -> dict:
    wanted = {"title": "title", "creator": "author", "initial-creator": "author",
              "creation-date": "created", "subject": "subject"}
    metadata: dict = {}
    for child in document.meta.childNodes:
        qname = getattr(child, "qname", None)
        if qname and qname[1] in wanted:
            value = str(child).strip()
            if value:
                metadata.setdefault(wanted[qname[1]], value)
    return metadata


def _open(data: bytes, name: str) -> Any:
    from odf.opendocument import load  # odfpy is imported only when an .odt is read

    damaged = (f"{name}: the file is damaged or not an OpenDocument text; "
               "open it in LibreOffice or Word and save it again as .odt.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        manifest = archive.read("META-INF/manifest.xml") if "META-INF/manifest.xml" in \
            archive.namelist() else b""
    except (zipfile.BadZipFile, OSError):
        raise ImportFailed(damaged) from None
    if b"encryption-data" in manifest:
        raise ImportFailed(f"{name}: the document is password-protected; open it, remove the "
                           "password and save it again as .odt.")
    try:
        return load(io.BytesIO(data))
    except Exception:  # odfpy raises KeyError, BadZipFile, XML errors ...
        raise ImportFailed(damaged) from None


@register(".odt")
def read_odt(data: bytes, name: str) -> ParsedDocument:
    """Read an OpenDocument text: headings, paragraphs, list items and table rows in order."""
    document = _open(data, name)
    pieces: list[tuple[str, str]] = []
    _walk(document.text, pieces)
    text, blocks = join_pieces(pieces)
    if not text:
        raise ImportFailed(f"{name}: the document has no text; check that it is the right file.")
    return build_document(text, source_format="odt", metadata=_metadata(document),
                          blocks=blocks)
