"""Timed cues (WebVTT, SubRip) turned into a transcript: one turn per run of the same speaker.

The document text lists the turns as ``Speaker: speech`` paragraphs (just ``speech`` when no
speaker is known); each turn's segment covers the speech and keeps the first cue's start and
the last cue's end time.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from workbench.core.models import ParsedDocument
from workbench.errors import ImportFailed
from workbench.importers.normalise import normalise_text
from workbench.importers.structure import build_document
from workbench.importers.turns import Turn, is_plausible_label

_TAG = re.compile(r"<[^>]*>|\{\\[^}]*\}")
_SPACES = re.compile(r"\s+")
_TIME = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2})(?:[.,](\d{1,3}))?$")
_NAME_PREFIX = re.compile(
    r"^(?P<name>[A-ZÀ-ÖØ-Þ][\w'’-]*(?:[ \t][A-ZÀ-ÖØ-Þ0-9][\w'’-]*){0,3})"
    r"[ \t]*:[ \t]+(?P<rest>\S.*)$",
    re.DOTALL,
)


@dataclass
class Cue:
    """One timed cue with its speaker (None when unknown) and plain text."""

    start: float
    end: float
    speaker: str | None
    text: str


def parse_time(value: str, name: str, line: int) -> float:
    """Seconds from a cue time such as ``00:01:02.500``, ``01:02.500`` or ``00:01:02,500``."""
    match = _TIME.match(value.strip())
    if not match:
        raise ImportFailed(f"{name}: line {line} has a malformed cue time '{value.strip()}' "
                           "(expected hh:mm:ss.mmm); correct it in an editor and import again.")
    hours, minutes, seconds, millis = match.groups()
    total = int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
    if millis:
        total += int(millis.ljust(3, "0")) / 1000
    return float(total)


def clean_cue_text(text: str) -> str:
    """Drop markup (``<i>``, ``<c.x>``, ``{\\an8}``), decode entities, join the lines."""
    return _SPACES.sub(" ", html.unescape(_TAG.sub("", text))).strip()


def split_name_prefix(text: str) -> tuple[str | None, str]:
    """Split a speaker prefix off a cue: ``"Henrik Dahl: Ja ..."`` -> ``("Henrik Dahl", "Ja ...")``.

    Returns ``(None, text)`` when the cue has no plausible ``Name:`` prefix.
    """
    match = _NAME_PREFIX.match(text)
    if match and is_plausible_label(match.group("name")):
        return match.group("name"), match.group("rest").strip()
    return None, text


def cues_to_document(cues: list[Cue], *, source_format: str, encoding: str | None,
                     repairs: list[dict] | None = None) -> ParsedDocument:
    """Merge consecutive cues of the same speaker into turns and build the document.

    Args:
        cues: cues in file order (empty texts already dropped).
        source_format: "vtt" or "srt".
        encoding: the detected text encoding.
        repairs: repairs already made (e.g. a double-encoding fix).

    Returns:
        A transcript document whose turn segments carry speaker, start and end time.
    """
    merged: list[Cue] = []
    for cue in cues:
        if merged and cue.speaker is not None and merged[-1].speaker == cue.speaker:
            last = merged[-1]
            last.text = f"{last.text} {cue.text}"
            last.end = max(last.end, cue.end)
        else:
            merged.append(Cue(cue.start, cue.end, cue.speaker, cue.text))
    parts: list[str] = []
    turns: list[Turn] = []
    offset = 0
    for cue in merged:
        text = normalise_text(cue.text)
        if parts:
            parts.append("\n\n")
            offset += 2
        label_start = offset
        speaker = normalise_text(cue.speaker).strip() if cue.speaker else ""
        if speaker:
            label = f"{speaker}: "
            parts.append(label)
            offset += len(label)
        parts.append(text)
        turns.append(Turn(speaker, offset, offset + len(text), cue.start, cue.end,
                          label_start=label_start))
        offset += len(text)
    document = build_document("".join(parts), source_format=source_format, encoding=encoding,
                              repairs=repairs, turns=turns)
    for segment in document.segments:
        if segment.speaker == "":
            segment.speaker = None
    document.is_transcript = True
    return document
