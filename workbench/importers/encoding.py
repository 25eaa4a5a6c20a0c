"""Decoding the bytes of text files (.txt, .md, .srt, .vtt) without guessing wrong on æ, ø, å.

The order of the checks is what keeps Danish letters right:

1. A byte-order mark decides (UTF-8, UTF-16 LE/BE, UTF-32).
2. UTF-16 without a BOM shows as NUL bytes in every other position.
3. Other NUL bytes, or the signature of a PDF, zip (docx/odt) or old Word file, mean the file
   is not text at all: refuse with a sentence saying so.
4. Strict UTF-8. If the result holds mojibake ("Ã¦" for "æ": the file was encoded to UTF-8
   twice), undo the second encoding; if that cannot be done cleanly, refuse.
5. Otherwise the file is 8-bit. Bytes 0x80-0x9F are printable in cp1252 (’ “ ” – …) but
   control characters in latin-1, so their presence selects cp1252, their absence latin-1.
   A plausibility check (letters, not symbols, inside words) catches DOS (cp865/cp850) and
   Mac Roman files, whose æ, ø, å sit on other byte values; if no candidate reads as Danish the
   file is refused rather than imported with wrong letters.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

from workbench.errors import ImportFailed

_SIGNATURES = (
    (b"%PDF", "a PDF file", "rename it to .pdf"),
    (b"PK\x03\x04", "a zip archive (a .docx or .odt document is one)",
     "give it its real extension (.docx or .odt)"),
    (b"\xd0\xcf\x11\xe0", "an old Word (.doc) or Office file",
     "open it in Word and save it as .docx or plain text"),
    (b"{\\rtf", "an RTF document", "save it as .docx or plain UTF-8 text"),
)


def _mojibake_pattern() -> re.Pattern[str]:
    """Characters that UTF-8 multi-byte sequences turn into when decoded again as cp1252.

    Built from the byte values so that it is exact: a lead byte (0xC2-0xF4) followed by
    continuation bytes (0x80-0xBF), each shown as its cp1252 (or latin-1) character.
    """
    def as_chars(values: range) -> str:
        chars = set()
        for value in values:
            byte = bytes([value])
            chars.add(byte.decode("latin-1"))
            try:
                chars.add(byte.decode("cp1252"))
            except UnicodeDecodeError:
                pass
        return "".join(sorted(re.escape(c) for c in chars))

    cont = f"[{as_chars(range(0x80, 0xC0))}]"
    two = f"[{as_chars(range(0xC2, 0xE0))}]{cont}"
    three = f"[{as_chars(range(0xE0, 0xF0))}]{cont}{{2}}"
    return re.compile(f"(?:{three}|{two})+")


_MOJIBAKE = _mojibake_pattern()
# Sequences that never occur in real Danish text but are what "æ", "ø", "å", "é", "”", "–",
# "»" ... become when UTF-8 is decoded as cp1252 or latin-1: one of them is enough evidence.
_CONT = "\u0080-\u00bf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"
_MOJIBAKE_EVIDENCE = re.compile(f"Ã[{_CONT}]|â€|Â[\u00a0-\u00bf]")
# A non-ASCII character between two ASCII letters: in Danish text it is a letter (æ, ø, å, é)
# or an apostrophe; a symbol there means the bytes were read with the wrong code page.
_IN_WORD = re.compile(r"(?<=[A-Za-z])[^\x00-\x7f](?=[A-Za-z])")
_DANISH = set("æøåÆØÅ")
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))
_APOSTROPHES = set("’'´`")


@dataclass
class Decoded:
    """Decoded text with the encoding that produced it and any repair that was needed."""

    text: str
    encoding: str
    repairs: list[dict] = field(default_factory=list)


def _looks_like_text(text: str) -> bool:
    """True when the non-ASCII characters inside words are letters, as in real Danish text."""
    inside = _IN_WORD.findall(text)
    if not inside:
        return True
    bad = sum(1 for ch in inside if not ch.isalpha() and ch not in _APOSTROPHES)
    return bad <= max(1, len(inside) // 20)


def _danish_score(text: str) -> int:
    return sum(text.count(ch) for ch in _DANISH)


def _utf16_without_bom(data: bytes) -> str | None:
    """Return 'utf-16-le' or 'utf-16-be' when NULs sit in every other byte, else None."""
    sample = data[:4000]
    if len(sample) < 4:
        return None
    even_nul = sample[0::2].count(0)
    odd_nul = sample[1::2].count(0)
    half = len(sample) // 2
    if odd_nul > half * 0.3 and even_nul < half * 0.05:
        return "utf-16-le"
    if even_nul > half * 0.3 and odd_nul < half * 0.05:
        return "utf-16-be"
    return None


def _refuse_binary(data: bytes, name: str) -> None:
    for signature, what, todo in _SIGNATURES:
        if data.startswith(signature):
            raise ImportFailed(f"{name}: this is {what}, not plain text; {todo}.")
    sample = data[:8000]
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if b"\x00" in sample or controls > len(sample) * 0.01:
        raise ImportFailed(f"{name}: the file holds binary data, not text; "
                           "check that it is the right file, or export it as plain text.")


def _repair_double_encoding(text: str, name: str) -> Decoded:
    """Undo UTF-8 that was encoded to UTF-8 a second time ("Ã¦" for "æ")."""
    for codec in ("cp1252", "latin-1"):
        try:
            fixed = text.encode(codec).decode("utf-8")
        except UnicodeError:
            continue
        return Decoded(fixed, "utf-8 (double-encoded, repaired)",
                       [{"rule": "double_encoding", "count": len(_MOJIBAKE.findall(text)),
                         "examples": _examples(text)}])
    # Mixed file: only some runs were encoded twice. Repair each run that decodes cleanly.
    count = 0

    def fix(match: re.Match[str]) -> str:
        nonlocal count
        run = match.group(0)
        for codec in ("cp1252", "latin-1"):
            try:
                fixed = run.encode(codec).decode("utf-8")
            except UnicodeError:
                continue
            count += 1
            return fixed
        return run

    fixed_text = _MOJIBAKE.sub(fix, text)
    if _MOJIBAKE_EVIDENCE.search(fixed_text):
        raise ImportFailed(f"{name}: the text is garbled (letters like 'Ã¦' where 'æ' belongs: "
                           "it was converted to UTF-8 twice) and cannot be repaired safely; "
                           "open it in an editor, fix the letters and save it as UTF-8.")
    return Decoded(fixed_text, "utf-8 (double-encoded, repaired)",
                   [{"rule": "double_encoding", "count": count, "examples": _examples(text)}])


def _examples(text: str) -> list[str]:
    examples: list[str] = []
    for match in _MOJIBAKE.finditer(text):
        run = match.group(0)
        for codec in ("cp1252", "latin-1"):
            try:
                example = f"{run} → {run.encode(codec).decode('utf-8')}"
            except UnicodeError:
                continue
            if example not in examples:
                examples.append(example)
            break
        if len(examples) >= 5:
            break
    return examples


def _decode_8bit(data: bytes, name: str) -> Decoded:
    has_c1 = any(0x80 <= b <= 0x9F for b in set(data))
    candidates = ["cp1252", "cp865", "cp850", "mac_roman"] if has_c1 else \
        ["latin-1", "cp865", "cp850", "mac_roman"]
    readable: list[tuple[int, str, str]] = []
    for codec in candidates:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if codec in ("cp1252", "latin-1") and _looks_like_text(text):
            return Decoded(text, codec)
        if _looks_like_text(text):
            readable.append((_danish_score(text), codec, text))
    readable = [r for r in readable if r[0] > 0]
    if readable:
        readable.sort(key=lambda r: -r[0])
        _, codec, text = readable[0]
        return Decoded(text, codec)
    raise ImportFailed(f"{name}: the text encoding could not be recognised (æ, ø and å would "
                       "come out wrong); open the file in an editor and save it as UTF-8.")


def decode_bytes(data: bytes, name: str) -> Decoded:
    """Decode a text file's bytes, detecting its encoding.

    Args:
        data: the file's bytes.
        name: the file name, used in error messages.

    Returns:
        The decoded text (not yet normalised) and the encoding's name.

    Raises:
        ImportFailed: the bytes are binary, or no encoding reads them as Danish text.
    """
    boms = ((codecs.BOM_UTF32_LE, "utf-32-le", "utf-32"),
            (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32"),
            (codecs.BOM_UTF8, "utf-8-sig", "utf-8-sig"),
            (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
            (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"))
    for bom, label, codec in boms:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                raise ImportFailed(f"{name}: the file starts as {label} but has bytes that are "
                                   "not valid in that encoding; save it again as UTF-8.") from None
            return _check_mojibake(text, label, name)
    utf16 = _utf16_without_bom(data)
    if utf16:
        try:
            text = data.decode(utf16)
        except UnicodeDecodeError:
            text = ""
        controls = sum(1 for ch in text[:4000] if ch < " " and ch not in "\t\n\r\f")
        if text and controls <= len(text[:4000]) * 0.01:
            return Decoded(text, utf16)
    _refuse_binary(data, name)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return _decode_8bit(data, name)
    return _check_mojibake(text, "utf-8", name)


def _check_mojibake(text: str, encoding: str, name: str) -> Decoded:
    if text.isascii() or not ("Ã" in text or "â€" in text or "Â" in text) \
            or not _MOJIBAKE_EVIDENCE.search(text):
        return Decoded(text, encoding)
    decoded = _repair_double_encoding(text, name)
    if encoding != "utf-8":
        decoded.encoding = f"{encoding} (double-encoded, repaired)"
    return decoded
