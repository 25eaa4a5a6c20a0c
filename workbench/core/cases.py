"""Cases (partnerships or sites), cycles (action-research rounds) and participants."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from workbench.core.models import CYCLE_PHASES, SECTORS, Case, Cycle, Participant, from_row
from workbench.core.store import Project
from workbench.errors import DuplicateError, InvalidInput, NotFoundError


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


# ------------------------------------------------------------------ action-research cycles


def _check_phase(phase: str) -> str:
    phase = (phase or "").strip().lower()
    if phase not in CYCLE_PHASES:
        raise InvalidInput(f"'{phase}' is not a cycle phase; use one of: "
                           f"{', '.join(CYCLE_PHASES)}.")
    return phase


def _check_date(value: str | None, what: str) -> str | None:
    """Accept an ISO date (2025-03-01) or nothing; return it normalised."""
    if value is None or not str(value).strip():
        return None
    try:
        return dt.date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise InvalidInput(f"The {what} '{value}' is not a date; write it as YYYY-MM-DD, "
                           "e.g. 2025-03-01.") from None


def _check_dates(start: str | None, end: str | None) -> None:
    if start and end and end < start:
        raise InvalidInput(f"The cycle ends ({end}) before it starts ({start}); "
                           "swap or correct the dates.")


def get_cycle(project: Project, number: Any) -> Cycle:
    """Find a cycle by its number ("2", "cycle 2", "cyklus 2").

    Raises:
        NotFoundError: there is no cycle with that number.
    """
    num = parse_cycle(number)
    row = project.conn.execute("SELECT * FROM cycles WHERE number = ?", (num,)).fetchone()
    if row is None:
        raise NotFoundError(f"No cycle {num} in {project.path.name}; add it with "
                            f"'workbench cycle add {project.path.name} {num}'.")
    return from_row(Cycle, dict(row))


def add_cycle(project: Project, number: Any, *, name: str | None = None, phase: str = "plan",
              start_date: str | None = None, end_date: str | None = None,
              description: str = "") -> Cycle:
    """Add an action-research cycle as one undoable step.

    Args:
        number: the cycle's number (1, 2, ...), unique in the project.
        name: a short name; "Cycle N" when not given.
        phase: plan, act, observe or reflect.
        start_date, end_date: ISO dates (YYYY-MM-DD), optional.
        description: free text.

    Raises:
        DuplicateError: the cycle number is taken.
        InvalidInput: a phase or date that is not valid.
    """
    num = parse_cycle(number)
    phase = _check_phase(phase)
    start = _check_date(start_date, "start date")
    end = _check_date(end_date, "end date")
    _check_dates(start, end)
    if project.conn.execute("SELECT 1 FROM cycles WHERE number = ?", (num,)).fetchone():
        raise DuplicateError(f"Cycle {num} already exists in {project.path.name}; change it "
                             "with 'workbench cycle edit' or 'workbench cycle phase'.")
    with project.step("cycle.add", f"add cycle {num}"):
        cycle_id = project.insert("cycles", {
            "number": num, "name": (name or "").strip() or f"Cycle {num}", "phase": phase,
            "start_date": start, "end_date": end, "description": description or ""})
    return from_row(Cycle, project.get_row("cycles", cycle_id))


def update_cycle(project: Project, number: Any, *, name: str | None = None,
                 phase: str | None = None, start_date: str | None = None,
                 end_date: str | None = None, description: str | None = None) -> Cycle:
    """Change a cycle's name, phase, dates or description (None leaves a field as it is).

    An empty string clears a date. The change is one undoable step.
    """
    cycle = get_cycle(project, number)
    changes: dict[str, Any] = {}
    if name is not None:
        changes["name"] = name.strip() or f"Cycle {cycle.number}"
    if phase is not None:
        changes["phase"] = _check_phase(phase)
    if start_date is not None:
        changes["start_date"] = _check_date(start_date, "start date")
    if end_date is not None:
        changes["end_date"] = _check_date(end_date, "end date")
    if description is not None:
        changes["description"] = description
    _check_dates(changes.get("start_date", cycle.start_date),
                 changes.get("end_date", cycle.end_date))
    changes = {k: v for k, v in changes.items() if getattr(cycle, k) != v}
    if not changes:
        return cycle
    fields = ", ".join(sorted(changes))
    with project.step("cycle.edit", f"change {fields} of cycle {cycle.number}"):
        project.update("cycles", cycle.id, changes)
    return from_row(Cycle, project.get_row("cycles", cycle.id))


def set_cycle_phase(project: Project, number: Any, phase: str) -> Cycle:
    """Move a cycle to another phase (plan, act, observe, reflect) as one undoable step."""
    return update_cycle(project, number, phase=phase)


def list_cycles_with_counts(project: Project) -> list[dict[str, Any]]:
    """Cycles in order, each with its number of documents and memos."""
    return project.rows(
        """SELECT cy.id, cy.guid, cy.number, cy.name, cy.phase, cy.start_date, cy.end_date,
                  cy.description,
                  (SELECT COUNT(*) FROM documents d WHERE d.cycle_id = cy.id) AS documents,
                  (SELECT COUNT(*) FROM memos m WHERE m.cycle_id = cy.id) AS memos
           FROM cycles cy ORDER BY cy.number""")
