"""Frozen dataclasses for the domain entities, and the importers' hand-over format."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")

SECTORS = (
    "municipality", "region", "hospital", "general_practice", "state", "political",
    "interest_organisation", "public_innovation_body", "knowledge_institution",
    "private_company", "foundation", "civil_society", "citizen", "partnership_project",
    "international",
)
DOCUMENT_KINDS = ("interview", "focus_group", "meeting", "field_note", "document", "memo")
SEGMENT_KINDS = ("turn", "paragraph", "quote", "item", "heading")
CODING_ORIGINS = ("manual", "autocode", "suggestion", "import")
MEMO_KINDS = ("memo", "reflection", "member_check", "trial_action", "journal")
CYCLE_PHASES = ("plan", "act", "observe", "reflect")

_JSON_COLUMNS = {"attributes", "repairs", "indicators", "exclusions", "aliases", "evidence"}


def from_row(cls: type[T], row: dict[str, Any]) -> T:
    """Build a dataclass from a table row, decoding JSON columns and ignoring extra columns."""
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    values = {}
    for key, value in row.items():
        if key not in names:
            continue
        if key in _JSON_COLUMNS and isinstance(value, str):
            value = json.loads(value)
            if isinstance(value, list):
                value = tuple(value)
        values[key] = value
    return cls(**values)


@dataclass(frozen=True)
class Case:
    id: int
    guid: str
    name: str
    description: str = ""
    attributes: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Cycle:
    id: int
    guid: str
    number: int
    name: str = ""
    phase: str = "plan"
    start_date: str | None = None
    end_date: str | None = None
    description: str = ""


@dataclass(frozen=True)
class Participant:
    id: int
    guid: str
    label: str
    real_name: str | None = None
    role: str = ""
    organisation: str = ""
    sector: str = ""
    case_id: int | None = None
    attributes: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Document:
    id: int
    guid: str
    name: str
    kind: str
    source_name: str
    source_format: str
    sha256: str
    text: str
    word_count: int = 0
    case_id: int | None = None
    cycle_id: int | None = None
    participant_id: int | None = None
    date: str | None = None
    source_path: str = ""
    encoding: str | None = None
    original_text: str = ""  # empty when no repair changed the text
    repairs: tuple = ()
    attributes: dict = field(default_factory=dict)
    imported_at: str = ""


@dataclass(frozen=True)
class Segment:
    id: int
    guid: str
    document_id: int
    ordinal: int
    kind: str
    start: int
    end: int
    speaker: str | None = None
    participant_id: int | None = None
    start_time: float | None = None
    end_time: float | None = None
    role: str | None = None


@dataclass(frozen=True)
class Code:
    id: int
    guid: str
    name: str
    parent_id: int | None = None
    ordinal: int = 0
    label_da: str = ""
    label_en: str = ""
    definition: str = ""
    when_to_use: str = ""
    when_not_to_use: str = ""
    example: str = ""
    colour: str = "#888888"
    hotkey: str | None = None
    indicators: tuple = ()
    exclusions: tuple = ()
    created_at: str = ""


@dataclass(frozen=True)
class Coding:
    id: int
    guid: str
    document_id: int
    start: int
    end: int
    code_id: int
    coder: str
    created_at: str = ""
    memo: str = ""
    origin: str = "manual"


@dataclass(frozen=True)
class Memo:
    id: int
    guid: str
    title: str
    text: str
    kind: str
    target_type: str
    author: str
    created_at: str
    updated_at: str
    target_id: int | None = None
    cycle_id: int | None = None


@dataclass(frozen=True)
class Stakeholder:
    id: int
    guid: str
    name: str
    kind: str = "organisation"
    sector: str = ""
    aliases: tuple = ()
    status: str = "suggested"
    source: str = "gazetteer"
    participant_id: int | None = None


@dataclass(frozen=True)
class Mention:
    id: int
    guid: str
    document_id: int
    stakeholder_id: int
    start: int
    end: int
    surface: str


@dataclass(frozen=True)
class Suggestion:
    id: int
    guid: str
    document_id: int
    start: int
    end: int
    code_id: int
    origin: str
    score: float = 1.0
    evidence: tuple = ()
    status: str = "open"
    decided_by: str | None = None
    decided_at: str | None = None
    created_at: str = ""


# ---------------------------------------------------------------------------------------------
# What an importer hands to the core: text and structure, not yet stored.


@dataclass
class ParsedSegment:
    """A unit of a parsed document; offsets are code points into ``ParsedDocument.text``."""

    kind: str
    start: int
    end: int
    speaker: str | None = None
    start_time: float | None = None
    end_time: float | None = None
    role: str | None = None


@dataclass
class ParsedDocument:
    """The result of reading one source file.

    Attributes:
        text: normalised text (NFC, ``\\n`` line endings, no BOM), after repairs.
        original_text: the extracted text before repairs (NFC, ``\\n``), kept for audit.
        segments: turns, paragraphs, quotes and items, in order, pointing into ``text``.
        source_format: the reader's format name ("txt", "docx", "pdf", ...).
        encoding: the detected encoding for byte-level text formats.
        repairs: one dict per repair rule applied: ``{"rule", "count", "examples"}``.
        metadata: what the file itself says (title, author, date ...).
        anonymised_tokens: anonymisation tokens seen in the text (XX, ZZ, "HL" ...).
        is_transcript: True when speaker turns were found.
    """

    text: str
    original_text: str
    segments: list[ParsedSegment]
    source_format: str
    encoding: str | None = None
    repairs: list[dict] = field(default_factory=list)
    metadata: dict = field(default_factory=dict)
    anonymised_tokens: list[str] = field(default_factory=list)
    is_transcript: bool = False
