"""Stakeholders: list, confirm, reject, add, rename and merge, each an undoable step.

Tagging creates stakeholders as "suggested" rows from what the gazetteer and the patterns find.
The researcher's decisions live here. A stakeholder with aliases, or one she added herself, is
part of the project's own gazetteer: tagging matches its name and aliases from then on (see
``workbench.nlp.tagging.project_entries``), so a rename or merge keeps matching the old names.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from workbench.core.cases import check_sector
from workbench.core.models import Stakeholder, from_row
from workbench.core.store import Project
from workbench.errors import DuplicateError, InvalidInput, NotFoundError

KINDS = ("organisation", "group", "role", "person", "partnership")
STATUSES = ("suggested", "confirmed", "rejected")
HOME_SETTING = "home_stakeholders"


def list_stakeholders(project: Project, *, sector: str | None = None,
                      status: str | None = None, include_unmentioned: bool = True
                      ) -> list[dict[str, Any]]:
    """Stakeholders with their mention and document counts, most mentioned first."""
    where, params = [], []
    if sector:
        where.append("s.sector = ?")
        params.append(check_sector(sector))
    if status:
        if status not in STATUSES:
            raise InvalidInput(f"'{status}' is not a stakeholder status; use one of: "
                               f"{', '.join(STATUSES)}.")
        where.append("s.status = ?")
        params.append(status)
    sql = ("SELECT s.id, s.guid, s.name, s.kind, s.sector, s.aliases, s.status, s.source, "
           "COUNT(m.id) AS mentions, COUNT(DISTINCT m.document_id) AS documents "
           "FROM stakeholders s LEFT JOIN mentions m ON m.stakeholder_id = s.id")
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " GROUP BY s.id"
    if not include_unmentioned:
        sql += " HAVING COUNT(m.id) > 0"
    sql += " ORDER BY mentions DESC, s.name"
    rows = project.rows(sql, params)
    for row in rows:
        row["aliases"] = json.loads(row["aliases"] or "[]")
    return rows


def get_stakeholder(project: Project, key: str | int) -> Stakeholder:
    """Find a stakeholder by id, name, alias or mention surface (case-insensitive).

    Raises:
        NotFoundError: nothing matches.
    """
    text = str(key).strip()
    row = None
    if text.isdigit():
        row = project.conn.execute("SELECT * FROM stakeholders WHERE id = ?",
                                   (int(text),)).fetchone()
    if row is None:
        row = project.conn.execute("SELECT * FROM stakeholders WHERE name = ? COLLATE NOCASE",
                                   (text,)).fetchone()
    if row is None:
        folded = text.casefold()
        for candidate in project.conn.execute(
                "SELECT * FROM stakeholders WHERE aliases != '[]'"):
            if any(a.casefold() == folded for a in json.loads(candidate["aliases"])):
                row = candidate
                break
    if row is None:
        # What the text calls it: "DR" finds Danske Regioner when every "DR" mention is one.
        ids = project.conn.execute(
            "SELECT DISTINCT stakeholder_id FROM mentions WHERE surface = ? COLLATE NOCASE",
            (text,)).fetchall()
        if len(ids) == 1:
            row = project.conn.execute("SELECT * FROM stakeholders WHERE id = ?",
                                       (ids[0][0],)).fetchone()
    if row is None:
        raise NotFoundError(f"No stakeholder '{text}' in {project.path.name}; see "
                            "'workbench stakeholders' for the list.")
    return from_row(Stakeholder, dict(row))


def _check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise InvalidInput(f"'{kind}' is not a stakeholder kind; use one of: {', '.join(KINDS)}.")
    return kind


def _name_free(project: Project, name: str, except_id: int | None = None) -> None:
    row = project.conn.execute("SELECT id FROM stakeholders WHERE name = ? COLLATE NOCASE",
                               (name,)).fetchone()
    if row and row[0] != except_id:
        raise DuplicateError(f"A stakeholder called '{name}' already exists; merge into it "
                             "with 'workbench stakeholders merge' instead.")


def _set_status(project: Project, keys: Sequence[str | int], status: str) -> list[Stakeholder]:
    targets = [get_stakeholder(project, k) for k in keys]
    if not targets:
        raise InvalidInput("Name at least one stakeholder.")
    names = ", ".join(t.name for t in targets)
    verb = {"confirmed": "Confirm", "rejected": "Reject", "suggested": "Reopen"}[status]
    with project.step(f"stakeholder-{status}", f"{verb} stakeholder(s): {names}"):
        for target in targets:
            project.update("stakeholders", target.id, {"status": status})
    return [get_stakeholder(project, t.id) for t in targets]


def confirm(project: Project, keys: Sequence[str | int]) -> list[Stakeholder]:
    """Mark stakeholders as confirmed (one undoable step)."""
    return _set_status(project, keys, "confirmed")


def reject(project: Project, keys: Sequence[str | int]) -> list[Stakeholder]:
    """Mark stakeholders as rejected: not a stakeholder; tagging stores no mentions of them."""
    return _set_status(project, keys, "rejected")


def add(project: Project, name: str, *, sector: str, kind: str = "organisation",
        aliases: Iterable[str] = (), source: str = "user") -> Stakeholder:
    """Add a confirmed stakeholder of the researcher's own; tagging will match its names.

    Raises:
        DuplicateError: a stakeholder of that name exists.
        InvalidInput: bad sector or kind.
    """
    name = name.strip()
    if not name:
        raise InvalidInput("A stakeholder needs a name.")
    _name_free(project, name)
    clean = [a.strip() for a in aliases if a.strip() and a.strip() != name]
    with project.step("stakeholder-add", f"Add stakeholder {name}"):
        sid = project.insert("stakeholders", {
            "name": name, "kind": _check_kind(kind), "sector": check_sector(sector),
            "aliases": json.dumps(list(dict.fromkeys(clean)), ensure_ascii=False),
            "status": "confirmed", "source": source})
    return get_stakeholder(project, sid)


def rename(project: Project, key: str | int, new_name: str) -> Stakeholder:
    """Rename a stakeholder; the old name becomes an alias so tagging still finds it."""
    target = get_stakeholder(project, key)
    new_name = new_name.strip()
    if not new_name:
        raise InvalidInput("Give the new name.")
    _name_free(project, new_name, target.id)
    aliases = [a for a in target.aliases if a != new_name]
    if target.name not in aliases:
        aliases.append(target.name)
    with project.step("stakeholder-rename", f"Rename stakeholder {target.name} to {new_name}"):
        project.update("stakeholders", target.id, {
            "name": new_name, "aliases": json.dumps(aliases, ensure_ascii=False)})
    return get_stakeholder(project, target.id)


def update(project: Project, key: str | int, *, sector: str | None = None,
           kind: str | None = None, add_aliases: Iterable[str] = ()) -> Stakeholder:
    """Change a stakeholder's sector or kind, or add aliases (one undoable step)."""
    target = get_stakeholder(project, key)
    changes: dict[str, Any] = {}
    if sector is not None:
        changes["sector"] = check_sector(sector)
    if kind is not None:
        changes["kind"] = _check_kind(kind)
    extra = [a for a in add_aliases if a and a not in target.aliases and a != target.name]
    if extra:
        changes["aliases"] = json.dumps([*target.aliases, *extra], ensure_ascii=False)
    if changes:
        with project.step("stakeholder-update", f"Update stakeholder {target.name}"):
            project.update("stakeholders", target.id, changes)
    return get_stakeholder(project, target.id)


def merge(project: Project, sources: Sequence[str | int], into: str | int) -> Stakeholder:
    """Merge stakeholders into one: mentions, relations and memos move; names become aliases.

    Raises:
        InvalidInput: a stakeholder would be merged into itself.
    """
    target = get_stakeholder(project, into)
    others = [get_stakeholder(project, s) for s in sources]
    if not others:
        raise InvalidInput("Name at least one stakeholder to merge.")
    if any(o.id == target.id for o in others):
        raise InvalidInput(f"'{target.name}' cannot be merged into itself.")
    aliases = list(target.aliases)
    for other in others:
        for name in (other.name, *other.aliases):
            if name != target.name and name not in aliases:
                aliases.append(name)
    names = ", ".join(o.name for o in others)
    with project.step("stakeholder-merge", f"Merge {names} into {target.name}"):
        for other in others:
            for row in project.rows("SELECT id FROM mentions WHERE stakeholder_id = ?",
                                    (other.id,)):
                project.update("mentions", row["id"], {"stakeholder_id": target.id})
            for column in ("source_id", "target_id"):
                for row in project.rows(f"SELECT id FROM relations WHERE {column} = ?",
                                        (other.id,)):
                    project.update("relations", row["id"], {column: target.id})
            for row in project.rows("SELECT id FROM memos WHERE target_type = 'stakeholder' "
                                    "AND target_id = ?", (other.id,)):
                project.update("memos", row["id"], {"target_id": target.id})
            project.delete("stakeholders", other.id)
        changes: dict[str, Any] = {"aliases": json.dumps(aliases, ensure_ascii=False)}
        if target.status == "suggested":
            changes["status"] = "confirmed"
        if not target.sector:
            changes["sector"] = next((o.sector for o in others if o.sector), "")
        project.update("stakeholders", target.id, changes)
    return get_stakeholder(project, target.id)


def add_gazetteer_entries(project: Project, entries: Sequence[dict[str, Any]],
                          *, where: str = "gazetteer") -> dict[str, int]:
    """Store the researcher's gazetteer entries (name, sector, kind, aliases) in the project.

    An entry whose name exists updates that stakeholder (sector, kind, extra aliases); others
    are added as confirmed stakeholders with source "user". One undoable step.

    Returns:
        Counts of added and updated stakeholders.
    """
    added = updated = 0
    with project.step("stakeholder-gazetteer", f"Add {len(entries)} gazetteer entr"
                      f"{'y' if len(entries) == 1 else 'ies'} from {where}"):
        for entry in entries:
            name = str(entry["name"]).strip()
            aliases = [str(a) for a in entry.get("aliases") or [] if str(a) != name]
            row = project.conn.execute(
                "SELECT * FROM stakeholders WHERE name = ? COLLATE NOCASE", (name,)).fetchone()
            if row is None:
                project.insert("stakeholders", {
                    "name": name, "kind": _check_kind(entry.get("kind") or "organisation"),
                    "sector": check_sector(entry.get("sector") or ""),
                    "aliases": json.dumps(list(dict.fromkeys(aliases)), ensure_ascii=False),
                    "status": "confirmed", "source": "user"})
                added += 1
            else:
                old = json.loads(row["aliases"] or "[]")
                project.update("stakeholders", row["id"], {
                    "kind": _check_kind(entry.get("kind") or row["kind"]),
                    "sector": check_sector(entry.get("sector") or row["sector"]),
                    "aliases": json.dumps(list(dict.fromkeys([*old, *aliases])),
                                          ensure_ascii=False),
                    "source": "user"})
                updated += 1
    return {"added": added, "updated": updated}


def mentions_of(project: Project, key: str | int, *, limit: int | None = None
                ) -> list[dict[str, Any]]:
    """The mentions of one stakeholder with document name and offsets."""
    target = get_stakeholder(project, key)
    sql = ('SELECT m.id, d.name AS document, m.start, m."end", m.surface FROM mentions m '
           "JOIN documents d ON d.id = m.document_id WHERE m.stakeholder_id = ? "
           "ORDER BY d.name, m.start")
    if limit:
        sql += f" LIMIT {int(limit)}"
    return project.rows(sql, (target.id,))


def home_stakeholders(project: Project) -> dict[str, str]:
    """The project's home stakeholder per sector ({"region": "Region Midtjylland"})."""
    return dict(project.setting(HOME_SETTING, {}) or {})


def set_home(project: Project, sector: str, name: str | None, *, case: str | None = None
             ) -> dict[str, str]:
    """Say which stakeholder "regionen", "kommunen" or "hospitalet" means, for the project or a
    case (``name`` None removes it). Takes effect at the next ``workbench tag --force``.
    """
    sector = check_sector(sector)
    if not sector:
        raise InvalidInput("Give the sector the home stakeholder belongs to (e.g. region).")
    if case is None:
        home = home_stakeholders(project)
        if name:
            home[sector] = name
        else:
            home.pop(sector, None)
        project.set_setting(HOME_SETTING, home)
        return home
    row = project.conn.execute("SELECT id, attributes FROM cases WHERE name = ?",
                               (case,)).fetchone()
    if row is None:
        raise NotFoundError(f"No case '{case}' in {project.path.name}; see 'workbench cases'.")
    attrs = json.loads(row["attributes"] or "{}")
    home = dict(attrs.get(HOME_SETTING) or {})
    if name:
        home[sector] = name
    else:
        home.pop(sector, None)
    attrs[HOME_SETTING] = home
    with project.step("case-home", f"Set home {sector} of case {case}"):
        project.update("cases", row["id"], {"attributes": json.dumps(attrs, ensure_ascii=False)})
    return home
