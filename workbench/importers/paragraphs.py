"""Blocks of a document: paragraphs, bullet items and headings, as spans into the text.

Blank lines separate paragraphs. Inside a paragraph, lines that start with a bullet (•, o, –,
-, *, ▪) begin items that keep their bullet; lines that follow an item belong to it. Markdown
headings (``# ...``) and short title-like lines standing alone become headings. A block whose
lines are long (one paragraph per line, as editors save unwrapped text) is split at each line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SEPARATOR = re.compile(r"\n[ \t]*\n\s*")
BULLET_LINE = re.compile(r"^[ \t]*(?:[•▪◦●■►✓·*–—-]|o(?=[ \t]))[ \t]+\S", re.MULTILINE)
_MD_HEADING = re.compile(r"^#{1,6}[ \t]+(?=\S)")
_TERMINAL = ".,;:!?…)\"”»«"
_UNWRAPPED_LINE = 100
_HEADING_WORDS = 10


@dataclass
class Block:
    """A span of the text with its kind ("paragraph", "item" or "heading")."""

    start: int
    end: int
    kind: str = "paragraph"


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _is_heading_line(line: str) -> bool:
    words = line.split()
    return (0 < len(words) <= _HEADING_WORDS and line[:1].isupper()
            and line[-1] not in _TERMINAL and not BULLET_LINE.match(line))


def _split_lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans = []
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        stop = end if nl < 0 else nl
        s, e = _trim(text, pos, stop)
        if e > s:
            spans.append((s, e))
        pos = stop + 1
    return spans


def _blocks_of_paragraph(text: str, start: int, end: int, last: bool,
                         guess_headings: bool) -> list[Block]:
    if "\n" not in text[start:end]:
        line = text[start:end]
        heading = _MD_HEADING.match(line)
        if heading:
            return [Block(start + heading.end(), end, "heading")]
        if BULLET_LINE.match(line):
            return [Block(start, end, "item")]
        if guess_headings and not last and _is_heading_line(line):
            return [Block(start, end, "heading")]
        return [Block(start, end)]
    lines = _split_lines(text, start, end)
    blocks: list[Block] = []
    unwrapped = sum(e - s for s, e in lines) / len(lines) > _UNWRAPPED_LINE
    for s, e in lines:
        line = text[s:e]
        heading = _MD_HEADING.match(line)
        if heading:
            blocks.append(Block(s + heading.end(), e, "heading"))
        elif BULLET_LINE.match(line):
            blocks.append(Block(s, e, "item"))
        elif blocks and not unwrapped and blocks[-1].kind != "heading":
            blocks[-1].end = e  # a wrapped line continues the paragraph or item
        else:
            blocks.append(Block(s, e))
    return blocks


def split_blocks(text: str, start: int = 0, end: int | None = None, *,
                 guess_headings: bool = True) -> list[Block]:
    """Split ``text[start:end]`` into paragraphs, items and headings.

    Args:
        text: normalised text.
        start: where to begin.
        end: where to stop (default: the end of the text).
        guess_headings: take short title-like lines standing alone for headings (Markdown
            ``#`` headings are headings either way).

    Returns:
        Blocks in order; each span is trimmed of surrounding whitespace.
    """
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    pos = start
    for match in _SEPARATOR.finditer(text, start, end):
        spans.append((pos, match.start()))
        pos = match.end()
    spans.append((pos, end))
    blocks: list[Block] = []
    trimmed = [_trim(text, s, e) for s, e in spans]
    trimmed = [(s, e) for s, e in trimmed if e > s]
    for index, (s, e) in enumerate(trimmed):
        blocks.extend(_blocks_of_paragraph(text, s, e, last=index == len(trimmed) - 1,
                                           guess_headings=guess_headings))
    return blocks
