"""Text normalisation shared by every reader: NFC, ``\\n`` line endings, no BOM.

Offsets stored in the project point into normalised text, so every reader must pass its text
through :func:`normalise_text` before segmenting it.
"""

from __future__ import annotations

import re
import unicodedata

# CRLF and lone CR, plus the Unicode line/paragraph separators and form feeds that some
# exporters put between pages: all of them end a line.
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\f\v\x85]")
# Characters that carry nothing a reader sees and that break offsets or searches: NUL,
# stray BOMs (zero-width no-break spaces) and the soft hyphen, which PDF and Word exports
# leave inside words ("sund\u00adheds").
_INVISIBLE = re.compile("[\x00\ufeff\u00ad]")
# A soft hyphen at a line end marks a word the typesetter broke: the two halves belong together.
_SOFT_BREAK = re.compile("\u00ad[ \t]*\n[ \t]*")


def normalise_text(text: str) -> str:
    """Return ``text`` in the project's canonical form.

    Args:
        text: decoded text from any reader.

    Returns:
        The text in Unicode NFC with ``\\n`` line endings and without BOM, NUL or soft hyphens.
    """
    # Substring tests run at memory speed; the regular expressions run only when needed.
    if "\r" in text or "\f" in text or "\v" in text:
        text = _LINE_BREAKS.sub("\n", text)
    if "\x00" in text:
        text = text.replace("\x00", "")
    if text.isascii():
        return text
    if "\u2028" in text or "\u2029" in text or "\x85" in text:
        text = _LINE_BREAKS.sub("\n", text)
    if "\u00ad" in text or "\ufeff" in text:
        text = _INVISIBLE.sub("", _SOFT_BREAK.sub("", text))
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text
