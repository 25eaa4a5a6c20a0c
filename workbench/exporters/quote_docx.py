"""Quote sets as Word documents (python-docx): a heading per code, quotes in the Quote style.

Each quote is a paragraph in Word's built-in "Quote" style, followed by its citation set flush
right and a small grey line with its codes, document and position (and context when asked).
"""

from __future__ import annotations

import re
from pathlib import Path

from workbench.exporters.quotes import Layout, Quote, QuoteSet
from workbench.exporters.registry import QUOTE_FORMATS

# Characters XML 1.0 cannot hold; python-docx refuses them.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_GREY = (0x66, 0x66, 0x66)


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text or "")


def _add_quote(document, quote: Quote) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    para = document.add_paragraph(style="Quote")
    lines = _clean(quote.text).strip().split("\n")
    for index, line in enumerate(lines):
        if index:
            para.add_run().add_break()
        para.add_run(line)
    if quote.citation:
        cite = document.add_paragraph(style="Quote")
        cite.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        cite.add_run(f"— {_clean(quote.citation)}")
    details = document.add_paragraph()
    run = details.add_run(f"Codes: {', '.join(quote.codes)} · {_clean(quote.document)}, "
                          f"{quote.start}–{quote.end}")
    run.font.size = Pt(8)
    run.font.color.rgb = RGBColor(*_GREY)
    if quote.before or quote.after:
        before = ("…" if quote.more_before else "") + " ".join(_clean(quote.before).split())
        after = " ".join(_clean(quote.after).split()) + ("…" if quote.more_after else "")
        context = document.add_paragraph()
        for text, bold in ((f"Context: {before} ", False), ("[…]", True), (f" {after}", False)):
            part = context.add_run(text)
            part.bold = bold
            part.font.size = Pt(8)
            part.font.color.rgb = RGBColor(*_GREY)


@QUOTE_FORMATS.register("docx", extensions=(".docx",),
                        description="Word: a heading per code, quotes in the Quote style")
def write_docx(quote_set: QuoteSet, path: Path, layout: Layout) -> None:
    """Write the set as a .docx file."""
    import docx
    from docx.shared import Pt

    document = docx.Document()
    props = document.core_properties
    props.title = _clean(quote_set.title)
    props.author = "workbench"
    props.last_modified_by = "workbench"
    props.comments = ""
    document.add_heading(_clean(quote_set.title), level=0)
    count = len(quote_set.quotes)
    meta = [f"{count} quote{'s' if count != 1 else ''}", f"within: {quote_set.within}"]
    if quote_set.describe_filters():
        meta.append(quote_set.describe_filters())
    if quote_set.pseudonymised:
        meta.append("pseudonymised")
    meta.append(f"{quote_set.project}, {quote_set.created_at[:10]}")
    info = document.add_paragraph().add_run(_clean(" · ".join(meta)))
    info.italic = True
    info.font.size = Pt(9)
    if not quote_set.quotes:
        document.add_paragraph("No passages match the query.")
    if layout.group_by == "code":
        for heading, quotes in quote_set.groups("code"):
            document.add_heading(_clean(heading), level=1)
            for quote in quotes:
                _add_quote(document, quote)
    else:
        for quote in quote_set.quotes:
            _add_quote(document, quote)
    document.save(str(path))
