"""Normalising a source text from another program while keeping its selections in place.

Workbench stores text in NFC with ``\\n`` line endings and no BOM, NUL or soft hyphens. A
source from another program may be decomposed (macOS writes "å" as "a" + ring), use ``\\r\\n``,
or hold invisible characters; the selections in its ``project.qde`` count code points in the
text as it was. :func:`normalise` returns the normalised text with an :class:`OffsetMap` that
moves a selection's start and end into it: a start inside a character that was merged or
dropped moves to the start of what replaced it, an end to its end.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_INVISIBLE = frozenset("\x00\ufeff\u00ad")
_LINE_BREAKS = frozenset("\u2028\u2029\f\v\x85")
_NEEDS_WORK = re.compile("[\r\x00\ufeff\u00ad\u2028\u2029\f\v\x85]")


@dataclass
class OffsetMap:
    """Moves offsets in the original text to offsets in the normalised one.

    ``starts`` and ``ends`` have one entry per original offset (0..len inclusive); None
    means the text did not change.
    """

    starts: list[int] | None = None
    ends: list[int] | None = None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The span [start, end) of the original text in the normalised text."""
        if self.starts is None or self.ends is None:
            return start, end
        last = len(self.starts) - 1
        return self.starts[max(0, min(start, last))], self.ends[max(0, min(end, last))]


def _chunks(text: str) -> list[tuple[int, int, str]]:
    """(original start, original end, replacement) for every piece of the text."""
    pieces: list[tuple[int, int, str]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\r":
            if i + 1 < n and text[i + 1] == "\n":
                pieces.append((i, i + 2, "\n"))
                i += 2
            else:
                pieces.append((i, i + 1, "\n"))
                i += 1
            continue
        if ch in _INVISIBLE:
            pieces.append((i, i + 1, ""))
            i += 1
            continue
        if ch in _LINE_BREAKS:
            pieces.append((i, i + 1, "\n"))
            i += 1
            continue
        j = i + 1
        # A character and the combining marks after it normalise together.
        while j < n and unicodedata.combining(text[j]):
            j += 1
        piece = text[i:j]
        pieces.append((i, j, unicodedata.normalize("NFC", piece) if j - i > 1 or
                       not piece.isascii() else piece))
        i = j
    return pieces


def normalise(text: str, *, crlf_counts_two: bool = False) -> tuple[str, OffsetMap]:
    """Normalise a source text and map the original offsets into the result.

    Args:
        text: the decoded source text, its leading BOM already dropped.
        crlf_counts_two: the selections count ``\\r\\n`` as two characters (as most programs
            other than ATLAS.ti do); otherwise they count it as one, i.e. they point into
            the text with line endings already made ``\\n``.

    Returns:
        The normalised text and the map of offsets.
    """
    if not crlf_counts_two and "\r" in text:
        text = re.sub(r"\r\n?", "\n", text)
    if not _NEEDS_WORK.search(text) and unicodedata.is_normalized("NFC", text):
        return text, OffsetMap()
    pieces = _chunks(text)
    starts = [0] * (len(text) + 1)
    ends = [0] * (len(text) + 1)
    out: list[str] = []
    length = 0
    for begin, finish, replacement in pieces:
        starts[begin] = length
        ends[begin] = length
        after = length + len(replacement)
        for k in range(begin + 1, finish):
            starts[k] = length
            ends[k] = after
        out.append(replacement)
        length = after
    starts[len(text)] = ends[len(text)] = length
    return "".join(out), OffsetMap(starts, ends)
