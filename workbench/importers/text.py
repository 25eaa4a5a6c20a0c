"""Plain text and Markdown (.txt, .md): decode, normalise, repair if PDF-extracted, segment."""

from __future__ import annotations

from workbench.core.models import ParsedDocument
from workbench.errors import ImportFailed
from workbench.importers.encoding import decode_bytes
from workbench.importers.normalise import normalise_text
from workbench.importers.registry import register
from workbench.importers.repair import looks_pdf_extracted, repair_text
from workbench.importers.structure import build_document


def parse_text(text: str, name: str, *, source_format: str, encoding: str | None = None,
               repairs: list[dict] | None = None, repair: bool | None = None,
               page_starts: tuple[int, ...] = (), metadata: dict | None = None) -> ParsedDocument:
    """Normalise decoded text, repair it when it came from a PDF, and segment it.

    Args:
        text: decoded text.
        name: the file name, for messages.
        source_format: the format name to record.
        encoding: the detected encoding.
        repairs: repairs already made (e.g. a double-encoding fix).
        repair: force the PDF repair on or off; None decides from the text.
        page_starts: line indexes where pages begin (PDF).
        metadata: what the file says about itself.

    Returns:
        The parsed document.
    """
    original = normalise_text(text)
    if not original.strip():
        raise ImportFailed(f"{name}: the file has no text; check that it was saved or exported "
                           "with its content.")
    repairs = list(repairs or [])
    final = original
    if repair or (repair is None and looks_pdf_extracted(original)):
        final, made = repair_text(original, page_starts)
        repairs.extend(made)
    return build_document(final, source_format=source_format, original_text=original,
                          encoding=encoding, repairs=repairs, metadata=metadata)


@register(".txt", ".md", ".markdown", ".text")
def read_text(data: bytes, name: str) -> ParsedDocument:
    """Read a plain-text or Markdown file in any common encoding."""
    decoded = decode_bytes(data, name)
    fmt = "md" if name.lower().endswith((".md", ".markdown")) else "txt"
    return parse_text(decoded.text, name, source_format=fmt, encoding=decoded.encoding,
                      repairs=decoded.repairs)
