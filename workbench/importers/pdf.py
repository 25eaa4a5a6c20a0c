"""PDF (.pdf): the text layer of each page, then the repair pass for extracted text."""

from __future__ import annotations

import io
import logging
from typing import Any

from workbench.core.models import ParsedDocument
from workbench.errors import ImportFailed
from workbench.importers.normalise import normalise_text
from workbench.importers.registry import register
from workbench.importers.text import parse_text

# A page with less text than this is taken to be a scanned image.
_MIN_TEXT_CHARS = 20


def _open(data: bytes, name: str) -> Any:
    from pypdf import PdfReader  # imported only when a PDF is read
    from pypdf.errors import PdfReadError

    if b"%PDF" not in data[:1024]:
        raise ImportFailed(f"{name}: the file is not a PDF (it lacks the PDF header); check that "
                           "it is the right file or give it its real extension.")
    try:
        reader = PdfReader(io.BytesIO(data))
    except (PdfReadError, ValueError, OSError, KeyError, TypeError) as exc:
        raise ImportFailed(f"{name}: the PDF is damaged and cannot be read ({exc}); "
                           "open it in a PDF viewer and save or print it to a new PDF.") from None
    if reader.is_encrypted:
        try:
            unlocked = reader.decrypt("")
        except Exception:  # pypdf raises DependencyError for AES without a crypto library
            unlocked = 0
        if not unlocked:
            raise ImportFailed(f"{name}: the PDF is encrypted (password-protected); open it with "
                               "its password and save an unprotected copy, then import that.")
    return reader


def _metadata(reader: Any) -> dict:
    metadata: dict = {}
    try:
        info = reader.metadata
    except Exception:  # a broken info dictionary must not stop the import
        return metadata
    if not info:
        return metadata
    for key, attr in (("title", "title"), ("author", "author"), ("subject", "subject")):
        value = getattr(info, attr, None)
        if value and str(value).strip():
            metadata[key] = str(value).strip()
    created = getattr(info, "creation_date", None) if hasattr(info, "creation_date") else None
    if created:
        metadata["created"] = created.isoformat()
    return metadata


@register(".pdf")
def read_pdf(data: bytes, name: str) -> ParsedDocument:
    """Read a PDF's text layer page by page and repair the extracted text."""
    reader = _open(data, name)
    pages: list[str] = []
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # pypdf warns about harmless quirks
    try:
        for page in reader.pages:
            pages.append(page.extract_text() or "")
    except Exception as exc:  # pypdf raises many kinds on broken content streams
        raise ImportFailed(f"{name}: the PDF's pages cannot be read ({type(exc).__name__}); "
                           "open it in a PDF viewer and save or print it to a new PDF.") from None
    if not pages:
        raise ImportFailed(f"{name}: the PDF has no pages; check that it is the right file.")
    if sum(len(p.strip()) for p in pages) < _MIN_TEXT_CHARS:
        raise ImportFailed(f"{name}: the PDF has no text layer (it holds scanned images); run "
                           "text recognition (OCR) on it first, or import a text version.")
    lines: list[str] = []
    page_starts: list[int] = []
    for text in pages:
        # Normalise per page so that the page-start line numbers stay true afterwards.
        page_lines = normalise_text(text).split("\n")
        page_starts.append(len(lines))
        lines.extend(page_lines)
    return parse_text("\n".join(lines), name, source_format="pdf", repair=True,
                      page_starts=tuple(page_starts[1:]), metadata=_metadata(reader))
