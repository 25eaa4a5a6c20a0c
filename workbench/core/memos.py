"""Memos and action-research notes: reflections, member checks, trial actions and journals.

A memo is tied to one target: the project as a whole, a document, a code, a coding, a
participant, a stakeholder or a cycle. Independently of its target, a memo may belong to an
action-research cycle (``cycle_id``), so that a cycle's notes can be read together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workbench.core import cases, codebook, documents
from workbench.core.models import MEMO_KINDS, Memo, from_row
from workbench.core.store import Project, now
from workbench.errors import InvalidInput, NotFoundError

TARGET_TYPES = ("project", "document", "code", "coding", "participant", "cycle", "stakeholder")

# Marks "argument not given" where None means "clear the value".
_UNSET: Any = object()


@dataclass(frozen=True)
class Target:
    """What a memo is about: its type, the row id, and a label a reader recognises."""

    type: str
    id: int | None
    label: str
    cycle_id: int | None = None


def check_kind(kind: str) -> str:
    """Validate a memo kind; accepts "member check" and "member-check" for member_check."""
    normal = (kind or "").strip().lower().replace("-", "_").replace(" ", "_")
    if normal not in MEMO_KINDS:
        raise InvalidInput(f"'{kind}' is not a memo kind; use one of: {', '.join(MEMO_KINDS)}.")
    return normal


def _find_stakeholder(project: Project, ref: str | int) -> tuple[int, str]:
    key = str(ref).strip()
    rows = project.conn.execute("SELECT id, name FROM stakeholders").fetchall()
    for row in rows:
        if str(row[0]) == key or row[1].casefold() == key.casefold():
            return row[0], row[1]
    raise NotFoundError(f"No stakeholder '{ref}' in {project.path.name}; "
                        "see 'workbench stakeholders' for the list.")


def resolve_target(project: Project, target_type: str, ref: str | int | None) -> Target:
    """Find the row a memo is about.

    Args:
        target_type: one of TARGET_TYPES.
        ref: a document name or id, code name or label, coding id, participant label,
            cycle number or stakeholder name; None for the project.

    Raises:
        InvalidInput: unknown target type, or a reference missing for a non-project target.
        NotFoundError: the referenced row does not exist.
    """
    if target_type not in TARGET_TYPES:
        raise InvalidInput(f"'{target_type}' is not something a memo can be attached to; "
                           f"use one of: {', '.join(TARGET_TYPES)}.")
    if target_type == "project":
        return Target("project", None, "project")
    if ref is None or str(ref).strip() == "":
        raise InvalidInput(f"Say which {target_type} the memo is about.")
    if target_type == "document":
        doc = documents.get_document(project, ref)
        return Target("document", doc.id, doc.name, doc.cycle_id)
    if target_type == "code":
        code = codebook.get_code(project, ref)
        return Target("code", code.id, code.name)
    if target_type == "coding":
        if not str(ref).strip().isdigit():
            raise InvalidInput(f"'{ref}' is not a coding id; codings are named by number "
                               "(see 'workbench codings PROJECT').")
        row = project.conn.execute(
            "SELECT k.id, k.start, k.\"end\", d.name, d.cycle_id, c.name "
            "FROM codings k JOIN documents d ON d.id = k.document_id "
            "JOIN codes c ON c.id = k.code_id WHERE k.id = ?", (int(ref),)).fetchone()
        if row is None:
            raise NotFoundError(f"No coding {ref} in {project.path.name}; "
                                "see 'workbench codings PROJECT' for the list.")
        return Target("coding", row[0], f"{row[0]} ({row[5]} in {row[3]}, {row[1]}-{row[2]})",
                      row[4])
    if target_type == "participant":
        participant = cases.get_participant(project, ref)
        return Target("participant", participant.id, participant.label)
    if target_type == "cycle":
        cycle = cases.get_cycle(project, ref)
        return Target("cycle", cycle.id, str(cycle.number), cycle.id)
    stakeholder_id, name = _find_stakeholder(project, ref)
    return Target("stakeholder", stakeholder_id, name)


_LABEL_SQL = {
    "document": "SELECT name FROM documents WHERE id = ?",
    "code": "SELECT name FROM codes WHERE id = ?",
    "coding": "SELECT k.id || ' (' || c.name || ' in ' || d.name || ', ' || k.start || '-' "
              "|| k.\"end\" || ')' FROM codings k JOIN documents d ON d.id = k.document_id "
              "JOIN codes c ON c.id = k.code_id WHERE k.id = ?",
    "participant": "SELECT label FROM participants WHERE id = ?",
    "cycle": "SELECT number FROM cycles WHERE id = ?",
    "stakeholder": "SELECT name FROM stakeholders WHERE id = ?",
}


def describe_target(project: Project, target_type: str, target_id: int | None) -> str:
    """A short label for a memo's target ("document Interview P03"), also once it is deleted."""
    if target_type == "project" or target_id is None:
        return "project"
    row = project.conn.execute(_LABEL_SQL[target_type], (target_id,)).fetchone()
    if row is None:
        return f"{target_type} #{target_id} (deleted)"
    return f"{target_type} {row[0]}"


def _cycle_id(project: Project, cycle: Any) -> int | None:
    return None if cycle is None else cases.get_cycle(project, cycle).id


def _clean_text(text: str | None) -> str:
    # Memos are stored like documents: \n line endings, no trailing blank lines.
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip("\n").rstrip()


def add_memo(project: Project, text: str, *, kind: str = "memo", target_type: str = "project",
             target: str | int | None = None, title: str = "", cycle: Any = None,
             author: str | None = None) -> Memo:
    """Write a memo as one undoable step.

    Args:
        text: the memo's text (CRLF is normalised to LF).
        kind: memo, reflection, member_check, trial_action or journal.
        target_type, target: what the memo is about (see :func:`resolve_target`).
        title: an optional short title.
        cycle: the cycle number the memo belongs to; when not given, the target's cycle
            (a cycle target, or the cycle of a document or of a coding's document).
        author: who writes it; the project's current coder when not given.

    Raises:
        InvalidInput: empty text, unknown kind or target type.
        NotFoundError: the target or the cycle does not exist.
    """
    kind = check_kind(kind)
    text = _clean_text(text)
    title = (title or "").strip()
    if not text and not title:
        raise InvalidInput("The memo is empty; write a text (or at least a title) for it.")
    resolved = resolve_target(project, target_type, target)
    cycle_id = _cycle_id(project, cycle) if cycle is not None else resolved.cycle_id
    stamp = now()
    summary = f"add {kind.replace('_', ' ')} on {resolved.type}" + (
        f" {resolved.label}" if resolved.type != "project" else "")
    with project.step("memo.add", summary, who=author or None):
        memo_id = project.insert("memos", {
            "title": title, "text": text, "kind": kind, "target_type": resolved.type,
            "target_id": resolved.id, "cycle_id": cycle_id,
            "author": author or project.coder, "created_at": stamp, "updated_at": stamp})
    return get_memo(project, memo_id)


def get_memo(project: Project, memo_id: int | str) -> Memo:
    """Return one memo by id.

    Raises:
        NotFoundError: there is no memo with that id.
    """
    key = str(memo_id).strip().lstrip("#")
    row = None
    if key.isdigit():
        row = project.conn.execute("SELECT * FROM memos WHERE id = ?", (int(key),)).fetchone()
    if row is None:
        raise NotFoundError(f"No memo {memo_id} in {project.path.name}; "
                            "see 'workbench memo list' for the memos.")
    return from_row(Memo, dict(row))


def list_memos(project: Project, *, kind: str | None = None, target_type: str | None = None,
               target: str | int | None = None, cycle: Any = None, author: str | None = None,
               contains: str | None = None) -> list[dict[str, Any]]:
    """Memos, oldest first, with a label for the target and the cycle number.

    Args:
        kind: only memos of this kind.
        target_type, target: only memos on this target (a type alone: every memo on that type).
        cycle: only memos that belong to this cycle number.
        author: only memos by this author (letter case ignored).
        contains: only memos whose title or text contains this (letter case ignored).
    """
    where, params = [], []
    if kind is not None:
        where.append("m.kind = ?")
        params.append(check_kind(kind))
    if target_type is not None:
        if target is not None or target_type == "project":
            resolved = resolve_target(project, target_type, target)
            where.append("m.target_type = ?")
            params.append(resolved.type)
            if resolved.id is not None:
                where.append("m.target_id = ?")
                params.append(resolved.id)
        else:
            if target_type not in TARGET_TYPES:
                raise InvalidInput(f"'{target_type}' is not something a memo can be attached "
                                   f"to; use one of: {', '.join(TARGET_TYPES)}.")
            where.append("m.target_type = ?")
            params.append(target_type)
    if cycle is not None:
        where.append("m.cycle_id = ?")
        params.append(_cycle_id(project, cycle))
    sql = ("SELECT m.*, cy.number AS cycle FROM memos m "
           "LEFT JOIN cycles cy ON cy.id = m.cycle_id")
    if where:
        sql += " WHERE " + " AND ".join(where)
    rows = project.rows(sql + " ORDER BY m.created_at, m.id", params)
    if author:
        rows = [r for r in rows if r["author"].casefold() == author.strip().casefold()]
    if contains:
        needle = contains.casefold()
        rows = [r for r in rows
                if needle in r["title"].casefold() or needle in r["text"].casefold()]
    for row in rows:
        row["target"] = describe_target(project, row["target_type"], row["target_id"])
    return rows


def edit_memo(project: Project, memo_id: int | str, *, title: str | None = None,
              text: str | None = None, kind: str | None = None, cycle: Any = _UNSET) -> Memo:
    """Change a memo's title, text, kind or cycle as one undoable step.

    Arguments left as None are not changed; ``cycle=None`` detaches the memo from its cycle.

    Raises:
        InvalidInput: the change would leave the memo empty, or an unknown kind.
        NotFoundError: no such memo or cycle.
    """
    memo = get_memo(project, memo_id)
    changes: dict[str, Any] = {}
    if title is not None:
        changes["title"] = title.strip()
    if text is not None:
        changes["text"] = _clean_text(text)
    if kind is not None:
        changes["kind"] = check_kind(kind)
    if cycle is not _UNSET:
        changes["cycle_id"] = _cycle_id(project, cycle)
    changes = {k: v for k, v in changes.items() if getattr(memo, k) != v}
    if not changes:
        return memo
    if not changes.get("text", memo.text) and not changes.get("title", memo.title):
        raise InvalidInput(f"Memo {memo.id} would be empty; delete it with "
                           "'workbench memo delete' instead.")
    changes["updated_at"] = now()
    with project.step("memo.edit", f"edit memo {memo.id}"):
        project.update("memos", memo.id, changes)
    return get_memo(project, memo.id)


def delete_memo(project: Project, memo_id: int | str) -> Memo:
    """Delete a memo as one undoable step; returns the memo as it was."""
    memo = get_memo(project, memo_id)
    with project.step("memo.delete", f"delete memo {memo.id}"
                      + (f" '{memo.title}'" if memo.title else "")):
        project.delete("memos", memo.id)
    return memo
