"""SubRip subtitles (.srt): numbered cues; a ``Name:`` prefix in a cue names the speaker."""

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
_TIMING = re.compile(r"^\s*(\S+)\s*-->\s*(\S+)")


@register(".srt")
def read_srt(data: bytes, name: str) -> ParsedDocument:
    """Read SubRip subtitles into a transcript; consecutive cues of one speaker are one turn."""
    decoded = decode_bytes(data, name)
    text = normalise_text(decoded.text).strip()
    cues: list[Cue] = []
    blocks = 0
    line_no = 1
    pos = 0
    for match in [*_BLOCKS.finditer(text), None]:
        stop = match.start() if match else len(text)
        block = text[pos:stop]
        block_line = line_no
        line_no += text.count("\n", pos, match.end() if match else len(text))
        pos = match.end() if match else len(text)
        lines = block.split("\n")
        timing_index = next((i for i, line in enumerate(lines[:2]) if "-->" in line), None)
        if timing_index is None:
            continue
        blocks += 1
        where = block_line + timing_index
        timing = _TIMING.match(lines[timing_index])
        if not timing:
            raise ImportFailed(f"{name}: line {where} is not a valid cue timing "
                               "(expected 'start --> end'); correct it and import again.")
        start = parse_time(timing.group(1), name, where)
        end = parse_time(timing.group(2), name, where)
        speaker, cue_text = split_name_prefix(clean_cue_text("\n".join(lines[timing_index + 1:])))
        if cue_text:
            cues.append(Cue(start, end, speaker, cue_text))
    if not blocks:
        raise ImportFailed(f"{name}: this is not a SubRip file (no cue has a time line such as "
                           "'00:00:01,000 --> 00:00:04,000'); check the file or its extension.")
    if not cues:
        raise ImportFailed(f"{name}: the subtitles have no text; check that the file was "
                           "exported with its text.")
    return cues_to_document(cues, source_format="srt", encoding=decoded.encoding,
                            repairs=decoded.repairs)
