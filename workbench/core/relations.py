"""Explicit relations between stakeholders that the researcher adds by hand.

Ties found in the text (co-mentions, a speaker talking about someone) are derived each time the
network is built (see :mod:`workbench.network.build`). What the text does not say, or says
only between the lines, the researcher records here: "Akutteamet is part of Herning Kommune",
"Region Midtjylland funds the project", "the practice consultant reports to the steering group".
Each relation is directed (source -> target), has a kind and a memo saying why, and every
change is one undoable step.
"""

from __future__ import annotations

import re
from typing import Any

from workbench.core.stakeholders import get_stakeholder
from workbench.core.store import Project, now
from workbench.errors import DuplicateError, InvalidInput, NotFoundError

# Kinds offered first in the CLI and the TUI; any other kind is allowed.
COMMON_KINDS = ("member_of", "part_of", "reports_to", "funds", "contracts_with",
                "collaborates_with", "represents")
_KIND_SEPARATORS = re.compile(r"[\s\-]+")


def normalise_kind(kind: str) -> str:
    """Turn what the user typed into a relation kind slug: 'Reports to' -> 'reports_to'."""
    slug = _KIND_SEPARATORS.sub("_", (kind or "").strip().lower()).strip("_")
    if not slug:
        raise InvalidInput("A relation needs a kind, e.g. member_of, reports_to or funds.")
    if len(slug) > 60:
        raise InvalidInput(f"The relation kind '{kind[:30]}…' is too long; use a short name "
                           "such as member_of, reports_to or funds.")
    return slug


def _query(where: str = "", params: tuple = ()) -> tuple[str, tuple]:
    sql = ("SELECT r.id, r.guid, r.source_id, s.name AS source, s.sector AS source_sector, "
           "r.target_id, t.name AS target, t.sector AS target_sector, r.kind, r.memo, "
           "r.author, r.created_at FROM relations r "
           "JOIN stakeholders s ON s.id = r.source_id JOIN stakeholders t ON t.id = r.target_id")
    if where:
        sql += " WHERE " + where
    return sql + " ORDER BY s.name COLLATE NOCASE, r.kind, t.name COLLATE NOCASE", params


def get_relation(project: Project, relation_id: int) -> dict[str, Any]:
    """One relation with the names of its stakeholders.

    Raises:
        NotFoundError: there is no relation with that id.
    """
    sql, params = _query("r.id = ?", (int(relation_id),))
    rows = project.rows(sql, params)
    if not rows:
        raise NotFoundError(f"No relation {relation_id} in {project.path.name}; see "
                            f"'workbench relation list {project.path.name}' for the ids.")
    return rows[0]


def list_relations(project: Project, *, stakeholder: str | int | None = None,
                   kind: str | None = None) -> list[dict[str, Any]]:
    """Relations with stakeholder names, optionally those touching one stakeholder or of a kind."""
    where, params = [], []
    if stakeholder is not None:
        sid = get_stakeholder(project, stakeholder).id
        where.append("(r.source_id = ? OR r.target_id = ?)")
        params += [sid, sid]
    if kind:
        where.append("r.kind = ?")
        params.append(normalise_kind(kind))
    sql, args = _query(" AND ".join(where), tuple(params))
    return project.rows(sql, args)


def add_relation(project: Project, source: str | int, target: str | int, kind: str, *,
                 memo: str = "", author: str | None = None) -> dict[str, Any]:
    """Record that ``source`` stands in relation ``kind`` to ``target`` (one undoable step).

    Args:
        source, target: stakeholders by id, name, alias or mention surface.
        kind: member_of, reports_to, funds ... or any short name (normalised to a slug).
        memo: why the researcher says so (a meeting, a document, an informant).
        author: who adds it (default: the project's coder).

    Raises:
        NotFoundError: a stakeholder does not exist.
        InvalidInput: the two are the same stakeholder, or the kind is empty.
        DuplicateError: the same relation is recorded already.
    """
    src = get_stakeholder(project, source)
    dst = get_stakeholder(project, target)
    if src.id == dst.id:
        raise InvalidInput(f"A relation needs two different stakeholders; both are "
                           f"'{src.name}'.")
    slug = normalise_kind(kind)
    twin = project.conn.execute(
        "SELECT id FROM relations WHERE source_id = ? AND target_id = ? AND kind = ?",
        (src.id, dst.id, slug)).fetchone()
    if twin:
        raise DuplicateError(f"'{src.name}' {slug} '{dst.name}' is recorded already "
                             f"(relation {twin[0]}); nothing was changed.")
    who = author or project.coder
    with project.step("relation.add", f"Add relation {src.name} {slug} {dst.name}", who=who):
        relation_id = project.insert("relations", {
            "source_id": src.id, "target_id": dst.id, "kind": slug, "memo": memo or "",
            "author": who, "created_at": now()})
    return get_relation(project, relation_id)


def set_relation_memo(project: Project, relation_id: int, memo: str) -> dict[str, Any]:
    """Replace the memo of a relation (one undoable step)."""
    relation = get_relation(project, relation_id)
    with project.step("relation.memo", f"Memo on relation {relation['source']} "
                      f"{relation['kind']} {relation['target']}"):
        project.update("relations", relation["id"], {"memo": memo or ""})
    return get_relation(project, relation_id)


def remove_relation(project: Project, relation_id: int) -> dict[str, Any]:
    """Remove a relation (one undoable step); returns what was removed."""
    relation = get_relation(project, relation_id)
    with project.step("relation.remove", f"Remove relation {relation['source']} "
                      f"{relation['kind']} {relation['target']}"):
        project.delete("relations", relation["id"])
    return relation
