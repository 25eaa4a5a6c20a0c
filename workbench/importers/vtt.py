"""WebVTT captions (.vtt), as written by Teams, Zoom and transcription services.

Voice tags name the speaker: ``<v Henrik Dahl>Ja, det ...`` and the Teams form
``<v Henrik Dahl>Ja, det ...</v>``; a cue may hold several voices. Without voice tags a
``Name: ...`` prefix names the speaker. Consecutive cues of one speaker become one turn.
"""

from __future__ import annotations

import re

from workbench.core.models import ParsedDocument
from workbench.errors import ImportFailed
from workbench.importers.cues import (
    Cue,
    clean_cue_text,
    cues_to_document,
    parse_time,
    split_name_prefix,
)
from workbench.importers.encoding import decode_bytes
from workbench.importers.normalise import normalise_text
from workbench.importers.registry import register

_BLOCKS = re.compile(r"\n[ \t]*\n+")
_TIMING = re.compile(r"^\s*(\S+)\s+-->\s+(\S+)")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?(?:[ \t]+([^>]*))?>")
_SKIPPED_BLOCKS = ("NOTE", "STYLE", "REGION")


def _voices(payload: str) -> list[tuple[str | None, str]]:
    """Split a cue payload into (speaker, text) pieces by its voice tags."""
    tags = list(_VOICE.finditer(payload))
    if not tags:
        speaker, text = split_name_prefix(clean_cue_text(payload))
        return [(speaker, text)]
    pieces: list[tuple[str | None, str]] = []
    before = clean_cue_text(payload[: tags[0].start()])
    if before:
        pieces.append((None, before))
    for index, tag in enumerate(tags):
        stop = tags[index + 1].start() if index + 1 < len(tags) else len(payload)
        speaker = (tag.group(1) or "").strip() or None
        pieces.append((speaker, clean_cue_text(payload[tag.end():stop])))
    return pieces


@register(".vtt")
def read_vtt(data: bytes, name: str) -> ParsedDocument:
    """Read WebVTT captions into a transcript with one turn per run of the same speaker."""
    decoded = decode_bytes(data, name)
    text = normalise_text(decoded.text)
    if not text.lstrip(" \t").startswith("WEBVTT"):
        hint = (" it looks like SubRip: rename it to .srt" if re.match(r"\s*\d+\s*\n\s*\d", text)
                else " export the captions again as WebVTT")
        raise ImportFailed(f"{name}: this is not a WebVTT file (the first line must be "
                           f"'WEBVTT');{hint}.")
    cues: list[Cue] = []
    line_no = 1
    pos = 0
    for match in [*_BLOCKS.finditer(text), None]:
        stop = match.start() if match else len(text)
        block = text[pos:stop]
        block_line = line_no
        line_no += text.count("\n", pos, match.end() if match else len(text))
        pos = match.end() if match else len(text)
        lines = block.strip("\n").split("\n")
        if not lines or lines[0].startswith("WEBVTT") or lines[0].startswith(_SKIPPED_BLOCKS):
            continue
        timing_index = next((i for i, line in enumerate(lines[:2]) if "-->" in line), None)
        if timing_index is None:
            continue  # a stray text block without times carries no cue
        timing = _TIMING.match(lines[timing_index])
        where = block_line + timing_index
        if not timing:
            raise ImportFailed(f"{name}: line {where} is not a valid cue timing "
                               "(expected 'start --> end'); correct it and import again.")
        start = parse_time(timing.group(1), name, where)
        end = parse_time(timing.group(2), name, where)
        payload = "\n".join(lines[timing_index + 1:])
        for speaker, cue_text in _voices(payload):
            if cue_text:
                cues.append(Cue(start, end, speaker, cue_text))
    if not cues:
        raise ImportFailed(f"{name}: the WebVTT file has no cues with text; check that the "
                           "captions were exported with their text.")
    return cues_to_document(cues, source_format="vtt", encoding=decoded.encoding,
                            repairs=decoded.repairs)
