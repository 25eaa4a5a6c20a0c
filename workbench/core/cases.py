"""Cases (partnerships or sites), cycles (action-research rounds) and participants."""

from __future__ import annotations

import json
from typing import Any

from workbench.core.models import SECTORS, Case, Cycle, Participant, from_row
from workbench.core.store import Project
from workbench.errors import InvalidInput, NotFoundError


def ensure_case(project: Project, name: str) -> int:
    """Return the id of the case called ``name``, creating it if needed."""
    row = project.conn.execute("SELECT id FROM cases WHERE name = ?", (name,)).fetchone()
    if row:
        return row[0]
    return project.insert("cases", {"name": name})


def ensure_cycle(project: Project, number: int) -> int:
    """Return the id of cycle ``number``, creating it if needed."""
    row = project.conn.execute("SELECT id FROM cycles WHERE number = ?", (number,)).fetchone()
    if row:
        return row[0]
    return project.insert("cycles", {"number": number, "name": f"Cycle {number}"})


def parse_cycle(value: Any) -> int:
    """Accept 2, "2", "cycle 2", "cyklus 2" and return the cycle number."""
    text = str(value).strip().lower()
    for prefix in ("cycle", "cyklus", "runde", "c"):
        if text.startswith(prefix):
            text = text[len(prefix):].strip()
            break
    if not text.isdigit():
        raise InvalidInput(f"'{value}' is not a cycle number; write it as 1, 2, 3 ...")
    return int(text)


def check_sector(sector: str) -> str:
    """Validate a sector slug (empty is allowed: unknown)."""
    sector = (sector or "").strip()
    if sector and sector not in SECTORS:
        raise InvalidInput(
            f"'{sector}' is not a known sector; use one of: {', '.join(SECTORS)}."
        )
    return sector


def ensure_participant(project: Project, label: str, **fields: Any) -> int:
    """Return the id of participant ``label``, creating it or filling in empty fields."""
    fields = {k: v for k, v in fields.items() if v not in (None, "")}
    if "sector" in fields:
        fields["sector"] = check_sector(fields["sector"])
    row = project.conn.execute("SELECT * FROM participants WHERE label = ?", (label,)).fetchone()
    if row is None:
        if "attributes" in fields:
            fields["attributes"] = json.dumps(fields["attributes"], ensure_ascii=False)
        return project.insert("participants", {"label": label, **fields})
    changes = {k: v for k, v in fields.items() if k != "attributes" and not row[k]}
    project.update("participants", row["id"], changes)
    return row["id"]


def list_cases(project: Project) -> list[dict[str, Any]]:
    """Cases with their document and participant counts."""
    return project.rows(
        """SELECT c.id, c.guid, c.name, c.description,
                  (SELECT COUNT(*) FROM documents d WHERE d.case_id = c.id) AS documents,
                  (SELECT COUNT(*) FROM participants p WHERE p.case_id = c.id) AS participants,
                  (SELECT COALESCE(SUM(word_count), 0) FROM documents d
                    WHERE d.case_id = c.id) AS words
           FROM cases c ORDER BY c.name""")


def list_cycles(project: Project) -> list[Cycle]:
    """All cycles in order."""
    return [from_row(Cycle, r) for r in project.rows("SELECT * FROM cycles ORDER BY number")]


def get_case(project: Project, name_or_id: str | int) -> Case:
    """Find a case by name or id."""
    row = project.conn.execute(
        "SELECT * FROM cases WHERE name = ? OR CAST(id AS TEXT) = ?",
        (str(name_or_id), str(name_or_id))).fetchone()
    if row is None:
        raise NotFoundError(f"No case '{name_or_id}' in {project.path.name}; "
                            "see 'workbench cases' for the list.")
    return from_row(Case, dict(row))


def list_participants(project: Project) -> list[dict[str, Any]]:
    """Participants with case name and the number of documents and turns they have."""
    return project.rows(
        """SELECT p.id, p.guid, p.label, p.real_name, p.role, p.organisation, p.sector,
                  c.name AS "case",
                  (SELECT COUNT(*) FROM documents d WHERE d.participant_id = p.id) AS documents,
                  (SELECT COUNT(*) FROM segments s WHERE s.participant_id = p.id) AS turns
           FROM participants p LEFT JOIN cases c ON c.id = p.case_id
           ORDER BY p.label""")


def get_participant(project: Project, label_or_id: str | int) -> Participant:
    """Find a participant by label or id."""
    row = project.conn.execute(
        "SELECT * FROM participants WHERE label = ? OR CAST(id AS TEXT) = ?",
        (str(label_or_id), str(label_or_id))).fetchone()
    if row is None:
        raise NotFoundError(f"No participant '{label_or_id}' in {project.path.name}; "
                            "see 'workbench participants' for the list.")
    return from_row(Participant, dict(row))
