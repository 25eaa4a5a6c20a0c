"""Documents and their segments: storing parsed sources and reading them back."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from workbench.core.cases import ensure_case, ensure_cycle, ensure_participant
from workbench.core.models import DOCUMENT_KINDS, Document, ParsedDocument, Segment, from_row
from workbench.core.store import Project, new_guids, now
from workbench.errors import InvalidInput, NotFoundError

# Speaker labels that name the interviewer and the informant in Danish transcripts.
INTERVIEWER_LABELS = {"i", "int", "interviewer", "intervieweren", "interviewer 1", "forsker",
                      "moderator", "facilitator", "spørger", "spørgsmål", "q"}
INFORMANT_LABELS = {"r", "ip", "informant", "informanten", "respondent", "respondenten",
                    "deltager", "svar", "a"}

# A run of punctuation standing alone between spaces ("–", "…") is no word.
_PUNCTUATION_TOKEN = re.compile(r"\s[^\w\s]+(?=\s)")


def count_words(text: str) -> int:
    """Count words the way a reader would: white-space separated, hyphenated compounds as one,
    a dash or an ellipsis standing alone not at all."""
    return len(text.split()) - len(_PUNCTUATION_TOKEN.findall(f" {text} "))


@dataclass
class DocumentMeta:
    """What the user (or a metadata file) says about a source file."""

    name: str | None = None
    kind: str | None = None
    case: str | None = None
    cycle: int | None = None
    date: str | None = None
    participant: str | None = None
    real_name: str | None = None
    role: str | None = None
    organisation: str | None = None
    sector: str | None = None
    speakers: dict[str, str] = field(default_factory=dict)
    attributes: dict[str, Any] = field(default_factory=dict)


def find_by_sha(project: Project, sha256: str) -> Document | None:
    """Return the document imported from a file with this sha256, if any."""
    row = project.conn.execute("SELECT * FROM documents WHERE sha256 = ?", (sha256,)).fetchone()
    return from_row(Document, dict(row)) if row else None


def _unique_name(project: Project, name: str) -> str:
    candidate, n = name, 2
    while project.conn.execute("SELECT 1 FROM documents WHERE name = ?", (candidate,)).fetchone():
        candidate = f"{name} ({n})"
        n += 1
    return candidate


def _speaker_participant(project: Project, speaker: str, meta: DocumentMeta,
                         doc_participant: int | None, case_id: int | None,
                         named_speakers: set[str]) -> int | None:
    """Link a speaker label to a participant (None for the interviewer)."""
    key = speaker.strip().lower()
    if speaker in meta.speakers:
        return ensure_participant(project, meta.speakers[speaker], case_id=case_id)
    if key in INTERVIEWER_LABELS:
        return None
    if key in INFORMANT_LABELS:
        return doc_participant
    row = project.conn.execute(
        "SELECT id FROM participants WHERE label = ? OR real_name = ?", (speaker, speaker)
    ).fetchone()
    if row:
        return row[0]
    if doc_participant is not None and len(named_speakers) == 1:
        # One named speaker besides the interviewer: that is the document's informant.
        return doc_participant
    return ensure_participant(project, speaker, case_id=case_id)


def add_document(project: Project, parsed: ParsedDocument, *, source_name: str,
                 source_path: str, sha256: str, meta: DocumentMeta) -> int:
    """Store a parsed document with its segments, participants, case and cycle.

    Runs in one transaction: either the whole document is stored or nothing is.

    Returns:
        The new document's id.
    """
    kind = meta.kind or ("interview" if parsed.is_transcript else "document")
    if kind not in DOCUMENT_KINDS:
        raise InvalidInput(f"'{kind}' is not a document kind; use one of: "
                           f"{', '.join(DOCUMENT_KINDS)}.")
    with project.atomic():
        case_id = ensure_case(project, meta.case) if meta.case else None
        cycle_id = ensure_cycle(project, int(meta.cycle)) if meta.cycle else None
        participant_id = None
        if meta.participant:
            participant_id = ensure_participant(
                project, meta.participant, real_name=meta.real_name, role=meta.role,
                organisation=meta.organisation, sector=meta.sector, case_id=case_id)
        attributes = dict(parsed.metadata)
        attributes.update(meta.attributes)
        if parsed.anonymised_tokens:
            attributes["anonymised_tokens"] = parsed.anonymised_tokens
        doc_id = project.insert("documents", {
            "name": _unique_name(project, meta.name or source_name.rsplit(".", 1)[0]),
            "kind": kind,
            "case_id": case_id,
            "cycle_id": cycle_id,
            "participant_id": participant_id,
            "date": meta.date,
            "source_name": source_name,
            "source_path": source_path,
            "source_format": parsed.source_format,
            "sha256": sha256,
            "encoding": parsed.encoding,
            "text": parsed.text,
            # Stored only when repairs changed the text: most sources need none, and keeping
            # one copy halves what an import writes.
            "original_text": "" if parsed.original_text == parsed.text else parsed.original_text,
            "repairs": json.dumps(parsed.repairs, ensure_ascii=False),
            "attributes": json.dumps(attributes, ensure_ascii=False, default=str),
            "word_count": count_words(parsed.text),
            "imported_at": now(),
        })
        named = {s.speaker for s in parsed.segments
                 if s.speaker and s.speaker.strip().lower() not in INTERVIEWER_LABELS
                 and s.speaker.strip().lower() not in INFORMANT_LABELS}
        speaker_ids: dict[str, int | None] = {}
        rows = []
        guids = new_guids(len(parsed.segments))
        for ordinal, seg in enumerate(parsed.segments):
            pid = None
            if seg.speaker:
                if seg.speaker not in speaker_ids:
                    speaker_ids[seg.speaker] = _speaker_participant(
                        project, seg.speaker, meta, participant_id, case_id, named)
                pid = speaker_ids[seg.speaker]
            rows.append((guids[ordinal], doc_id, ordinal, seg.kind, seg.start, seg.end,
                         seg.speaker, pid, seg.start_time, seg.end_time, seg.role))
        project.conn.executemany(
            'INSERT INTO segments (guid, document_id, ordinal, kind, start, "end", speaker, '
            "participant_id, start_time, end_time, role) VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
    return doc_id


def get_document(project: Project, name_or_id: str | int) -> Document:
    """Find a document by id, exact name, or unique name prefix."""
    key = str(name_or_id)
    row = None
    if key.isdigit():
        row = project.conn.execute("SELECT * FROM documents WHERE id = ?", (int(key),)).fetchone()
    if row is None:
        row = project.conn.execute("SELECT * FROM documents WHERE name = ?", (key,)).fetchone()
    if row is None:
        matches = project.conn.execute(
            "SELECT * FROM documents WHERE name LIKE ? ESCAPE '\\' ORDER BY name",
            (key.replace("%", r"\%").replace("_", r"\_") + "%",)).fetchall()
        if len(matches) == 1:
            row = matches[0]
        elif len(matches) > 1:
            names = ", ".join(m["name"] for m in matches[:5])
            raise NotFoundError(f"'{key}' matches several documents ({names}); give the full name.")
    if row is None:
        raise NotFoundError(f"No document '{key}' in {project.path.name}; "
                            "see 'workbench documents' for the list.")
    return from_row(Document, dict(row))


def list_documents(project: Project) -> list[dict[str, Any]]:
    """Documents with kind, case, cycle, participant, words, segments and coded share."""
    return project.rows(
        """SELECT d.id, d.guid, d.name, d.kind, c.name AS "case", cy.number AS cycle,
                  p.label AS participant, p.role AS role, p.sector AS sector, d.date,
                  d.word_count AS words, d.source_name, d.source_format,
                  (SELECT COUNT(*) FROM segments s WHERE s.document_id = d.id) AS segments,
                  (SELECT COUNT(DISTINCT s.speaker) FROM segments s
                    WHERE s.document_id = d.id AND s.speaker IS NOT NULL) AS speakers,
                  (SELECT COUNT(*) FROM codings k WHERE k.document_id = d.id) AS codings,
                  LENGTH(d.text) AS chars
           FROM documents d
           LEFT JOIN cases c ON c.id = d.case_id
           LEFT JOIN cycles cy ON cy.id = d.cycle_id
           LEFT JOIN participants p ON p.id = d.participant_id
           ORDER BY d.name""")


def segments_of(project: Project, document_id: int) -> list[Segment]:
    """The segments of a document in reading order."""
    return [from_row(Segment, r) for r in project.rows(
        "SELECT * FROM segments WHERE document_id = ? ORDER BY ordinal", (document_id,))]


def coded_share(project: Project, document_id: int) -> float:
    """Share of the document's characters covered by at least one coding (0..1)."""
    doc_len = project.conn.execute("SELECT LENGTH(text) FROM documents WHERE id = ?",
                                   (document_id,)).fetchone()[0]
    spans = project.conn.execute(
        'SELECT start, "end" FROM codings WHERE document_id = ? ORDER BY start',
        (document_id,)).fetchall()
    covered, reach = 0, 0
    for start, end in spans:
        start = max(start, reach)
        if end > start:
            covered += end - start
            reach = end
    return covered / doc_len if doc_len else 0.0
