"""From normalised text to a ParsedDocument: turns for transcripts, blocks and quotes otherwise.

Every reader ends here, so all formats segment the same way: speaker turns when the text is a
transcript (lines before the first turn become paragraphs), else paragraphs, items and
headings, with attributed quotes cut out as ``quote`` segments carrying the speaker's role.
"""

from __future__ import annotations

from collections.abc import Sequence

from workbench.core.models import ParsedDocument, ParsedSegment
from workbench.importers.anonymisation import find_tokens
from workbench.importers.normalise import normalise_text
from workbench.importers.paragraphs import Block, split_blocks
from workbench.importers.quotes import Quote, find_quotes
from workbench.importers.turns import Turn, detect_turns

_OPENING_MARKS = "”“„\"»«"
_CLOSING_MARKS = "”“\"«»"


def join_pieces(pieces: Sequence[tuple[str, str]]) -> tuple[str, list[Block]]:
    """Join (text, kind) pieces of an office document into one text with a blank line
    between pieces, and a block for each; empty pieces drop out, list items get a bullet."""
    parts: list[str] = []
    blocks: list[Block] = []
    offset = 0
    for raw, kind in pieces:
        text = normalise_text(raw).strip()
        if not text:
            continue
        if kind == "item" and not text.startswith("•"):
            text = f"• {text}"
        if parts:
            parts.append("\n\n")
            offset += 2
        parts.append(text)
        blocks.append(Block(offset, offset + len(text), kind))
        offset += len(text)
    return "".join(parts), blocks


def _block_segments(blocks: Sequence[Block]) -> list[ParsedSegment]:
    return [ParsedSegment(b.kind, b.start, b.end) for b in blocks]


def _piece(text: str, start: int, end: int, kind: str) -> ParsedSegment | None:
    """A trimmed part of a block around a quote, or None when nothing readable is left."""
    while start < end and (text[start].isspace() or text[start] in _CLOSING_MARKS):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in _OPENING_MARKS):
        end -= 1
    if not any(ch.isalnum() for ch in text[start:end]):
        return None
    return ParsedSegment(kind, start, end)


def merge_quotes(text: str, blocks: Sequence[Block],
                 quotes: Sequence[Quote]) -> list[ParsedSegment]:
    """Cut quotes out of the blocks they fall in.

    Args:
        text: the document text.
        blocks: paragraphs, items and headings in order.
        quotes: attributed quotes in order.

    Returns:
        Segments in reading order: the part of a block before a quote (its lead-in), the quote,
        and the rest of the block; blocks inside a quote that spans several are absorbed.
    """
    if not quotes:
        return _block_segments(blocks)
    segments: list[ParsedSegment] = []
    index = 0
    for block in blocks:
        cursor = block.start
        while index < len(quotes) and quotes[index].end <= cursor:
            index += 1
        probe = index
        while probe < len(quotes) and quotes[probe].start < block.end:
            quote = quotes[probe]
            if quote.start >= cursor:
                piece = _piece(text, cursor, quote.start, block.kind)
                if piece:
                    segments.append(piece)
                segments.append(ParsedSegment("quote", quote.start, quote.end, role=quote.role))
            cursor = max(cursor, quote.end)
            probe += 1
        if cursor < block.end:
            piece = _piece(text, cursor, block.end, block.kind)
            if piece:
                segments.append(piece)
    return segments


def transcript_segments(text: str, turns: Sequence[Turn], header_end: int,
                        blocks: Sequence[Block] | None = None) -> list[ParsedSegment]:
    """Paragraph segments for the header before ``header_end``, then one segment per turn.

    The header keeps the reader's own blocks (a Word heading stays a heading); plain-text
    header lines are paragraphs ("Interview med sundhedschefen, 3. marts 2025").
    """
    if header_end <= 0:
        header: list[Block] = []
    elif blocks is not None:
        header = []
        for block in blocks:
            end = min(block.end, header_end)
            while end > block.start and text[end - 1].isspace():
                end -= 1
            if end > block.start:
                header.append(Block(block.start, end, block.kind))
    else:
        header = split_blocks(text, 0, header_end, guess_headings=False)
    segments = _block_segments(header)
    segments.extend(ParsedSegment("turn", t.start, t.end, speaker=t.speaker,
                                  start_time=t.start_time, end_time=t.end_time) for t in turns)
    return segments


def build_document(text: str, *, source_format: str, original_text: str | None = None,
                   encoding: str | None = None, repairs: list[dict] | None = None,
                   metadata: dict | None = None, blocks: Sequence[Block] | None = None,
                   turns: Sequence[Turn] | None = None, header_end: int = 0) -> ParsedDocument:
    """Segment normalised text and wrap it as a ParsedDocument.

    Args:
        text: the final text (normalised, repaired).
        source_format: the reader's format name.
        original_text: the text before repairs (defaults to ``text``).
        encoding: the detected byte encoding, for text formats.
        repairs: the repairs made, one dict per rule.
        metadata: what the file says about itself (title, author, created ...).
        blocks: the reader's own paragraph structure (docx, odt); split from blank lines if None.
        turns: turns the reader found itself (vtt, srt); detected in the text if None.
        header_end: with ``turns``, where the text before the first turn ends.

    Returns:
        The parsed document.
    """
    if turns is None:
        found = detect_turns(text)
        header_end = found[0].label_start if found else 0
    else:
        found = list(turns)
    if found:
        segments = transcript_segments(text, found, header_end, blocks)
    else:
        if blocks is None:
            blocks = split_blocks(text)
        segments = merge_quotes(text, blocks, find_quotes(text))
    return ParsedDocument(
        text=text,
        original_text=text if original_text is None else original_text,
        segments=segments,
        source_format=source_format,
        encoding=encoding,
        repairs=list(repairs or []),
        metadata=dict(metadata or {}),
        anonymised_tokens=find_tokens(text),
        is_transcript=bool(found),
    )
