"""Laying a document out as visual lines for the transcript view.

The document is cut into blocks (speaker turns, paragraphs, and the text between segments that
is more than a speaker label), each block is wrapped to the text width, and every visual line
knows the document offsets it shows. That mapping is what lets the view draw only the visible
lines, put the cursor on a character, and turn a mouse position into an offset.

Every code point is taken to be one terminal cell wide, which holds for Danish text.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

_TIME = re.compile(r"^\s*[\[(]?\d{1,2}(:\d{2}){1,2}([.,]\d+)?[\])]?\s*:?\s*$")


@dataclass(frozen=True, slots=True)
class Block:
    """A unit of the document as laid out: a turn, a paragraph, or text between segments."""

    start: int
    end: int
    kind: str
    speaker: str | None = None
    time: str | None = None
    segment_id: int | None = None


@dataclass(frozen=True, slots=True)
class Line:
    """One visual line: the document offsets [start, end) it shows, and its block.

    ``block`` is -1 for the blank line between blocks; ``row`` counts lines within the block.
    """

    start: int
    end: int
    block: int
    row: int


def format_time(seconds: float | None) -> str | None:
    """Seconds as H:MM:SS or M:SS (None stays None)."""
    if seconds is None:
        return None
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def _is_label(text: str, speaker: str | None) -> bool:
    """True when a gap line only repeats the next speaker's label (and maybe a time)."""
    stripped = text.strip()
    if not stripped:
        return True
    if _TIME.match(stripped):
        return True
    if speaker:
        rest = stripped.replace(speaker, "", 1) if stripped.startswith(speaker) else None
        if rest is not None and (not rest.strip() or _TIME.match(rest) or rest.strip() == ":"):
            return True
    return False


def build_blocks(text: str, segments: Sequence[dict]) -> list[Block]:
    """Blocks from a document's segments (dicts with start, end, kind, speaker, start_time, id).

    Text outside segments is kept as "gap" blocks, except speaker labels and time stamps that
    the gutter already shows. A document without segments is split at blank lines.
    """
    blocks: list[Block] = []
    if not segments:
        pos = 0
        for match in re.finditer(r"\n\s*\n", text):
            if text[pos:match.start()].strip():
                blocks.append(_trimmed(text, pos, match.start(), "paragraph"))
            pos = match.end()
        if text[pos:].strip():
            blocks.append(_trimmed(text, pos, len(text), "paragraph"))
        return blocks
    pos = 0
    for seg in sorted(segments, key=lambda s: (s["start"], s["end"])):
        start, end = seg["start"], seg["end"]
        if start > pos:
            _add_gap(blocks, text, pos, start, seg.get("speaker"))
        if end > start:
            blocks.append(Block(start, end, seg.get("kind") or "paragraph", seg.get("speaker"),
                                format_time(seg.get("start_time")), seg.get("id")))
        pos = max(pos, end)
    if pos < len(text):
        _add_gap(blocks, text, pos, len(text), None)
    return blocks


def _trimmed(text: str, start: int, end: int, kind: str) -> Block:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Block(start, end, kind)


def _add_gap(blocks: list[Block], text: str, start: int, end: int, speaker: str | None) -> None:
    """Keep the whole lines of a gap that are more than the next speaker's label."""
    keep_start = keep_end = None
    pos = start
    while pos < end:
        newline = text.find("\n", pos, end)
        stop = end if newline == -1 else newline
        line = text[pos:stop]
        # A partial line right before a segment ("Interviewer: ") is its label.
        partial = newline == -1 and stop == end
        if line.strip() and not partial and not _is_label(line, speaker):
            if keep_start is None:
                keep_start = pos
            keep_end = stop
        elif keep_start is not None and not line.strip():
            blocks.append(_trimmed(text, keep_start, keep_end, "gap"))
            keep_start = keep_end = None
        pos = stop + 1
    if keep_start is not None:
        blocks.append(_trimmed(text, keep_start, keep_end, "gap"))


@functools.lru_cache(maxsize=16)
def _wrap_pattern(width: int) -> re.Pattern[str]:
    # The longest run of at most `width` characters that ends before white space (or the
    # end), else a hard cut of a too-long word; the white space after it stays on the line.
    return re.compile(rf"(?:.{{1,{width}}}(?=\s|$)|\S{{1,{width}}})\s*")


def wrap_range(text: str, start: int, end: int, width: int) -> list[tuple[int, int]]:
    """Greedy word wrap of text[start:end] (no line breaks inside) to ``width`` cells.

    Returns:
        (start, end) offsets of each visual line, covering the range without gaps; trailing
        spaces stay on the line they follow, and a word longer than the width is cut.
    """
    width = max(1, width)
    if end - start <= width:
        return [(start, end)]
    out = [match.span() for match in _wrap_pattern(width).finditer(text, start, end)]
    return out or [(start, end)]


class Layout:
    """Visual lines of a document for one text width, with offset <-> line lookups."""

    def __init__(self, text: str, blocks: Sequence[Block], width: int) -> None:
        self.text = text
        self.blocks = list(blocks)
        self.width = max(8, width)
        lines: list[Line] = []
        for index, block in enumerate(self.blocks):
            if lines:
                lines.append(Line(block.start, block.start, -1, 0))
            row = 0
            pos = block.start
            while pos <= block.end:
                newline = text.find("\n", pos, block.end)
                stop = block.end if newline == -1 else newline
                for a, b in wrap_range(text, pos, stop, self.width):
                    lines.append(Line(a, b, index, row))
                    row += 1
                if newline == -1:
                    break
                pos = newline + 1
        self.lines = lines
        # Only text lines are cursor targets; separators are skipped.
        self._text_rows = [y for y, line in enumerate(lines) if line.block >= 0]
        self._starts = [lines[y].start for y in self._text_rows]
        self._block_starts = [b.start for b in self.blocks]

    def __len__(self) -> int:
        return len(self.lines)

    def row_of(self, offset: int) -> int:
        """The visual line that shows ``offset`` (the nearest text line for hidden text)."""
        if not self._text_rows:
            return 0
        i = bisect.bisect_right(self._starts, offset) - 1
        if i < 0:
            return self._text_rows[0]
        # An offset at a wrap point belongs to the next line, except at the very end.
        return self._text_rows[i]

    def text_rows(self) -> list[int]:
        """The rows that show text (not the blank lines between blocks)."""
        return self._text_rows

    def offset_at(self, row: int, column: int) -> int:
        """The document offset shown at a row and text column (clamped to the line)."""
        if not self.lines:
            return 0
        row = max(0, min(row, len(self.lines) - 1))
        line = self.lines[row]
        if line.block < 0:
            line = self.lines[min(row + 1, len(self.lines) - 1)]
            return line.start
        visible_end = self.visible_end(line)
        return max(line.start, min(line.start + max(0, column), visible_end))

    def visible_end(self, line: Line) -> int:
        """The end of a line without its trailing spaces."""
        end = line.end
        while end > line.start and self.text[end - 1] in " \t":
            end -= 1
        return end

    def block_at(self, offset: int) -> int:
        """Index of the block holding ``offset`` (the previous block for text between)."""
        if not self.blocks:
            return -1
        return max(0, bisect.bisect_right(self._block_starts, offset) - 1)

    def next_text_row(self, row: int, step: int) -> int:
        """The nearest text line ``step`` (+1/-1) lines away, skipping separators."""
        if not self._text_rows:
            return 0
        i = bisect.bisect_left(self._text_rows, row)
        if i < len(self._text_rows) and self._text_rows[i] == row:
            i += step
        elif step < 0:
            i -= 1
        i = max(0, min(i, len(self._text_rows) - 1))
        return self._text_rows[i]
