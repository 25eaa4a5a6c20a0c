"""Codings: a code applied to a span of a document by a coder, with memo and origin."""

from __future__ import annotations

import re
from typing import Any

from workbench.core import codebook
from workbench.core.documents import get_document
from workbench.core.models import CODING_ORIGINS, Coding, from_row
from workbench.core.spans import snap
from workbench.core.store import Project, now
from workbench.errors import DuplicateError, InvalidInput, NotFoundError


def _ensure_coder(project: Project, coder: str) -> None:
    if not project.conn.execute("SELECT 1 FROM coders WHERE name = ?", (coder,)).fetchone():
        project.insert("coders", {"name": coder, "created_at": now()})


def add_coding(project: Project, document: str | int, start: int, end: int, code: str | int,
               *, coder: str | None = None, memo: str = "", origin: str = "manual",
               snap_to: str | None = None, record: bool = True) -> int:
    """Code the span [start, end) of a document; returns the coding id.

    Args:
        snap_to: widen the span to 'word', 'sentence' or 'turn' boundaries first.
        record: make this its own undoable step (False when called inside another step).

    Raises:
        DuplicateError: the same coder already coded exactly this span with this code.
    """
    doc = get_document(project, document)
    code_row = codebook.get_code(project, code)
    if origin not in CODING_ORIGINS:
        raise InvalidInput(f"'{origin}' is not a coding origin; use {', '.join(CODING_ORIGINS)}.")
    if not (0 <= start < end <= len(doc.text)):
        raise InvalidInput(f"The span {start}-{end} is outside '{doc.name}' "
                           f"(0-{len(doc.text)}); give start < end within the text.")
    start, end = snap(project, doc.id, doc.text, start, end, snap_to)
    if end <= start:
        raise InvalidInput(f"The span {start}-{end} in '{doc.name}' holds no words to code.")
    coder = coder or project.coder
    twin = project.conn.execute(
        'SELECT id FROM codings WHERE document_id = ? AND start = ? AND "end" = ? '
        "AND code_id = ? AND coder = ?", (doc.id, start, end, code_row.id, coder)).fetchone()
    if twin:
        raise DuplicateError(f"{coder} has already coded this passage of '{doc.name}' "
                             f"({start}-{end}) with '{code_row.name}' (coding {twin[0]}); "
                             "nothing was changed.")
    quote = " ".join(doc.text[start:end].split())
    summary = f"code '{quote[:50]}{'…' if len(quote) > 50 else ''}' in {doc.name} " \
              f"as {code_row.name}"
    with project.step("coding.add", summary, who=coder):
        _ensure_coder(project, coder)
        return project.insert("codings", {
            "document_id": doc.id, "start": start, "end": end, "code_id": code_row.id,
            "coder": coder, "created_at": now(), "memo": memo or "", "origin": origin})


def get_coding(project: Project, coding_id: int) -> Coding:
    """One coding by id."""
    row = project.conn.execute("SELECT * FROM codings WHERE id = ?", (coding_id,)).fetchone()
    if row is None:
        raise NotFoundError(f"No coding {coding_id} in {project.path.name}; "
                            "see 'workbench codings' for the ids.")
    return from_row(Coding, dict(row))


def remove_coding(project: Project, coding_id: int) -> Coding:
    """Remove one coding (undoable)."""
    coding = get_coding(project, coding_id)
    code = codebook.get_code(project, coding.code_id)
    with project.step("coding.remove", f"remove coding {coding_id} ({code.name})"):
        _delete_with_memos(project, coding_id)
    return coding


def _delete_with_memos(project: Project, coding_id: int) -> None:
    """Delete a coding and the memos written about it (undo brings both back)."""
    for memo in project.rows(
            "SELECT id FROM memos WHERE target_type = 'coding' AND target_id = ?", (coding_id,)):
        project.delete("memos", memo["id"])
    project.delete("codings", coding_id)


def uncode(project: Project, document: str | int, code: str | int, start: int, end: int,
           *, coder: str | None = None) -> int:
    """Remove the codings of ``code`` by ``coder`` that overlap [start, end); returns how many."""
    doc = get_document(project, document)
    code_row = codebook.get_code(project, code)
    coder = coder or project.coder
    rows = project.rows(
        'SELECT id FROM codings WHERE document_id = ? AND code_id = ? AND coder = ? '
        'AND start < ? AND "end" > ?', (doc.id, code_row.id, coder, end, start))
    if not rows:
        raise NotFoundError(f"No coding of '{code_row.name}' by {coder} overlaps {start}-{end} "
                            f"in '{doc.name}'.")
    with project.step("coding.remove", f"remove {len(rows)} coding(s) of {code_row.name} "
                      f"in {doc.name}", who=coder):
        for row in rows:
            _delete_with_memos(project, row["id"])
    return len(rows)


def set_memo(project: Project, coding_id: int, memo: str) -> None:
    """Attach (or replace) the memo of a coding."""
    get_coding(project, coding_id)
    with project.step("coding.memo", f"memo on coding {coding_id}"):
        project.update("codings", coding_id, {"memo": memo})


_INVIVO_TRIM = re.compile(r"^[\W_]+|[\W_]+$")


def in_vivo(project: Project, document: str | int, start: int, end: int, *,
            coder: str | None = None, parent: str | int | None = None,
            snap_to: str | None = "word") -> tuple[int, int]:
    """Create a code named from the selected words and apply it (one undoable step).

    Returns:
        (code id, coding id).
    """
    doc = get_document(project, document)
    s, e = snap(project, doc.id, doc.text, start, end, snap_to)
    words = _INVIVO_TRIM.sub("", " ".join(doc.text[s:e].split()))
    if not words:
        raise InvalidInput("The selection holds no words to name an in-vivo code after.")
    name = words if len(words) <= 60 else words[:59].rsplit(" ", 1)[0] + "…"
    name = f"“{name}”"
    with project.step("coding.in_vivo", f"in-vivo code {name} in {doc.name}", who=coder):
        existing = project.conn.execute("SELECT id FROM codes WHERE name = ? COLLATE NOCASE",
                                        (name,)).fetchone()
        code_id = existing[0] if existing else codebook.add_code(
            project, name, parent=parent, definition=f"In-vivo code from {doc.name}.")
        coding_id = add_coding(project, doc.id, s, e, code_id, coder=coder)
    return code_id, coding_id


def list_codings(project: Project, *, document: str | int | None = None,
                 code: str | int | None = None, coder: str | None = None,
                 origin: str | None = None, case: str | None = None,
                 cycle: int | None = None, start: int | None = None,
                 end: int | None = None, include_subcodes: bool = False,
                 with_text: bool = True) -> list[dict[str, Any]]:
    """Codings with code, document, coder and quote text, filtered."""
    where, params = [], []
    if document is not None:
        where.append("k.document_id = ?")
        params.append(get_document(project, document).id)
    if code is not None:
        code_row = codebook.get_code(project, code)
        ids = codebook.descendants(project, code_row.id) if include_subcodes else [code_row.id]
        where.append(f"k.code_id IN ({','.join('?' * len(ids))})")
        params.extend(ids)
    if coder:
        where.append("k.coder = ?")
        params.append(coder)
    if origin:
        where.append("k.origin = ?")
        params.append(origin)
    if case:
        where.append("ca.name = ?")
        params.append(case)
    if cycle is not None:
        where.append("cy.number = ?")
        params.append(cycle)
    if start is not None and end is not None:
        where.append('k.start < ? AND k."end" > ?')
        params.extend([end, start])
    text_column = ', SUBSTR(d.text, k.start + 1, k."end" - k.start) AS text' if with_text else ""
    sql = f"""SELECT k.id, k.guid, k.document_id, d.name AS document, k.start, k."end",
                     k.code_id, c.name AS code, c.colour, k.coder, k.origin, k.memo,
                     k.created_at, ca.name AS "case", cy.number AS cycle
                     {text_column}
              FROM codings k JOIN codes c ON c.id = k.code_id
              JOIN documents d ON d.id = k.document_id
              LEFT JOIN cases ca ON ca.id = d.case_id
              LEFT JOIN cycles cy ON cy.id = d.cycle_id
              {"WHERE " + " AND ".join(where) if where else ""}
              ORDER BY d.name, k.start, k."end", c.name"""
    return project.rows(sql, params)
