r"""Quote sets as LaTeX: ``\begin{quote}...\end{quote}`` with the citation set flush right.

The text stays UTF-8 with Danish letters and typographic quote marks as they are; the file
needs ``\usepackage[utf8]{inputenc}`` and ``\usepackage[T1]{fontenc}`` (written at the top as a
comment, and into the preamble with ``--standalone``, with babel for Danish). The characters
LaTeX reads as commands (\ { } $ & # ^ _ % ~) are escaped, and so is the straight double
quote, which babel's Danish shorthands would otherwise take. Emoji and other pictographs
have no glyph in pdfLaTeX's fonts and stop it, so they are written as ``[U+1F600]``.
"""

from __future__ import annotations

import re
from pathlib import Path

from workbench.exporters.quotes import Layout, Quote, QuoteSet
from workbench.exporters.registry import QUOTE_FORMATS

_SPECIAL = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
    "^": r"\textasciicircum{}", "_": r"\_", "%": r"\%", "~": r"\textasciitilde{}",
    '"': r"\textquotedbl{}", "<": r"\textless{}", ">": r"\textgreater{}",
    "|": r"\textbar{}",
}
_SPECIAL_RE = re.compile("|".join(re.escape(c) for c in _SPECIAL))
# Control characters have no glyph and stop pdflatex; tabs and line breaks are handled apart.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# Pictographs: everything beyond the Basic Multilingual Plane, and the BMP's symbol blocks.
_PICTOGRAPH = re.compile("[\U00010000-\U0010FFFF\u2600-\u27BF\uFE0F]")
# "--" and "---" are dashes in LaTeX; a hyphen run in the source should print as typed.
_HYPHENS = re.compile(r"-(?=-)")

PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[utf8]{inputenc}
\usepackage[T1]{fontenc}
\usepackage[danish]{babel}
"""


def escape(text: str) -> str:
    """Text with LaTeX's special characters escaped; letters and quote marks unchanged."""
    text = _CONTROL.sub("", text.replace("\t", " "))
    text = _SPECIAL_RE.sub(lambda m: _SPECIAL[m.group()], text)
    text = _PICTOGRAPH.sub(lambda m: "" if m.group() == "\ufe0f" else
                           f"[U+{ord(m.group()):04X}]", text)
    return _HYPHENS.sub("-{}", text)


def paragraphs(text: str) -> str:
    r"""A quote's text as LaTeX paragraphs: blank lines part them, line breaks \newline.

    (Not ``\\``, which would take a line starting with "[" for its optional argument.)
    """
    out = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [escape(line.strip()) for line in block.split("\n") if line.strip()]
        if lines:
            out.append(" \\newline\n".join(lines))
    return "\n\n".join(out)


def quote_block(quote: Quote) -> str:
    """One quote environment with its citation, codes and position."""
    body = paragraphs(quote.text)
    lines = [r"\begin{quote}", body or r"\mbox{}"]
    if quote.citation:
        lines.append(r"\par\hfill " + escape(quote.citation))
    where = f"{quote.document}, {quote.start}–{quote.end}"
    lines.append(r"\par{\footnotesize Codes: " + escape(", ".join(quote.codes)) + " · "
                 + escape(where) + "}")
    if quote.before or quote.after:
        before = ("…" if quote.more_before else "") + " ".join(quote.before.split())
        after = " ".join(quote.after.split()) + ("…" if quote.more_after else "")
        lines.append(r"\par{\footnotesize Context: " + escape(before) + r" \textbf{[…]} "
                     + escape(after) + "}")
    lines.append(r"\end{quote}")
    return "\n".join(lines)


@QUOTE_FORMATS.register("tex", extensions=(".tex", ".latex"),
                        description="LaTeX: quote environments (--standalone for a document)")
def write_latex(quote_set: QuoteSet, path: Path, layout: Layout) -> None:
    """Write the set as a UTF-8 LaTeX fragment, or a whole document with ``standalone``."""
    out = []
    if layout.standalone:
        out += [PREAMBLE.rstrip(), "", r"\begin{document}", ""]
    else:
        out += ["% Quote set written by workbench. Needs in the preamble:",
                r"%   \usepackage[utf8]{inputenc} \usepackage[T1]{fontenc}", ""]
    count = len(quote_set.quotes)
    meta = [f"{count} quote{'s' if count != 1 else ''}", f"within: {quote_set.within}"]
    if quote_set.describe_filters():
        meta.append(quote_set.describe_filters())
    if quote_set.pseudonymised:
        meta.append("pseudonymised")
    meta.append(f"{quote_set.project}, {quote_set.created_at[:10]}")
    out += [r"\section*{" + escape(quote_set.title) + "}",
            r"\noindent{\small " + escape(" · ".join(meta)) + "}", ""]
    if not quote_set.quotes:
        out += ["No passages match the query.", ""]
    if layout.group_by == "code":
        for heading, quotes in quote_set.groups("code"):
            out += [r"\subsection*{" + escape(heading) + "}", ""]
            out += [quote_block(q) + "\n" for q in quotes]
    else:
        out += [quote_block(q) + "\n" for q in quote_set.quotes]
    if layout.standalone:
        out += [r"\end{document}"]
    path.write_text("\n".join(out).rstrip("\n") + "\n", encoding="utf-8")
