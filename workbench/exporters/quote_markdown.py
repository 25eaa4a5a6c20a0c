"""Quote sets as Markdown: a heading per code (or document order), each quote a blockquote.

Each quote is a blockquote ending in its citation, followed by a small line with its codes,
document and position, and the context when one was asked for.
"""

from __future__ import annotations

import re
from pathlib import Path

from workbench.exporters.quotes import Layout, Quote, QuoteSet
from workbench.exporters.registry import QUOTE_FORMATS

# Characters Markdown would read as markup anywhere in a line.
_INLINE = re.compile(r"([\\`*_\[\]<>|])")
# Markup that only counts at the start of a line: headings, lists, blockquotes, rules.
_LINE_START = re.compile(r"^(\s*)(?:([#>+=-])|(\d+)([.)]))", re.MULTILINE)


def escape(text: str) -> str:
    """Text with Markdown markup characters escaped, so it prints as written."""
    text = _INLINE.sub(r"\\\1", text)
    # A backslash escapes punctuation only: "2025." becomes "2025\." (not "\2025.").
    return _LINE_START.sub(lambda m: m.group(1) + (
        "\\" + m.group(2) if m.group(2) else m.group(3) + "\\" + m.group(4)), text)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _blockquote(text: str) -> list[str]:
    """A blockquote keeping the quote's paragraphs and line breaks."""
    lines = []
    for line in text.strip().split("\n"):
        line = line.strip()
        lines.append(f"> {escape(line)}  " if line else ">")
    if lines:
        lines[-1] = lines[-1].rstrip()
    return lines


def quote_block(quote: Quote) -> list[str]:
    """The Markdown lines of one quote."""
    lines = _blockquote(quote.text)
    if quote.citation:
        lines += [">", f"> — {escape(quote.citation)}"]
    where = f"{escape(quote.document)}, {quote.start}–{quote.end}"
    lines += ["", f"<small>Codes: {escape(', '.join(quote.codes))} · {where}</small>"]
    if quote.before or quote.after:
        before = ("…" if quote.more_before else "") + _one_line(quote.before)
        after = _one_line(quote.after) + ("…" if quote.more_after else "")
        lines += ["", f"<small>Context: {escape(before)} **[…]** {escape(after)}</small>"]
    return lines + [""]


@QUOTE_FORMATS.register("md", extensions=(".md", ".markdown"),
                        description="Markdown: blockquotes with citations")
def write_markdown(quote_set: QuoteSet, path: Path, layout: Layout) -> None:
    """Write the set as a UTF-8 Markdown file."""
    out = [f"# {escape(quote_set.title)}", ""]
    meta = [f"{len(quote_set.quotes)} quote{'s' if len(quote_set.quotes) != 1 else ''}",
            f"within: {quote_set.within}"]
    if quote_set.describe_filters():
        meta.append(quote_set.describe_filters())
    if quote_set.pseudonymised:
        meta.append("pseudonymised")
    meta.append(f"{quote_set.project}, {quote_set.created_at[:10]}")
    out += [f"*{escape(' · '.join(meta))}*", ""]
    if not quote_set.quotes:
        out += ["No passages match the query.", ""]
    if layout.group_by == "code":
        for heading, quotes in quote_set.groups("code"):
            out += [f"## {escape(heading)}", ""]
            for quote in quotes:
                out += quote_block(quote)
    else:
        for quote in quote_set.quotes:
            out += quote_block(quote)
    path.write_text("\n".join(out).rstrip("\n") + "\n", encoding="utf-8")
