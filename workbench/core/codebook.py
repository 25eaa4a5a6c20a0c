"""The codebook: a tree of codes with labels, definitions, colours, hotkeys and indicators.

Every change is one undoable step in the history. Codebooks load from and save to YAML
(``codebooks/*.yaml``); the REFI-QDA ``.qdc`` format lives in ``workbench.exporters.qdc``.
"""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path
from typing import Any

import yaml

from workbench.core.models import Code, from_row
from workbench.core.store import Project, now
from workbench.errors import DuplicateError, InvalidInput, NotFoundError

TEXT_FIELDS = ("label_da", "label_en", "definition", "when_to_use", "when_not_to_use", "example")
LIST_FIELDS = ("indicators", "exclusions")
EDITABLE = ("name", *TEXT_FIELDS, "colour", "hotkey", *LIST_FIELDS)
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
_NAMED_COLOURS = {"red": "#c62828", "green": "#2e7d32", "blue": "#1565c0", "orange": "#ef6c00",
                  "purple": "#6a1b9a", "teal": "#00838f", "brown": "#5d4037", "grey": "#757575",
                  "gray": "#757575", "pink": "#ad1457", "yellow": "#f9a825"}
PALETTE = ("#2e7d32", "#1565c0", "#c62828", "#ef6c00", "#6a1b9a", "#00838f", "#ad1457",
           "#5d4037", "#9e9d24", "#37474f")


# ------------------------------------------------------------------------------ reading
def list_codes(project: Project) -> list[Code]:
    """All codes in tree order (parents before children, siblings by ordinal then name)."""
    rows = [from_row(Code, r) for r in project.rows("SELECT * FROM codes")]
    children: dict[int | None, list[Code]] = {}
    for code in rows:
        children.setdefault(code.parent_id, []).append(code)
    ordered: list[Code] = []

    def walk(parent: int | None) -> None:
        for code in sorted(children.get(parent, []), key=lambda c: (c.ordinal, c.name.lower())):
            ordered.append(code)
            walk(code.id)

    walk(None)
    return ordered


def get_code(project: Project, key: str | int) -> Code:
    """Find a code by id, name, Danish or English label, or guid (case-insensitive)."""
    text = str(key).strip()
    row = None
    if text.isdigit():
        row = project.conn.execute("SELECT * FROM codes WHERE id = ?", (int(text),)).fetchone()
    if row is None:
        # Python's casefold, not SQLite's NOCASE, so "LEDELSE PÅ TVÆRS" finds its code too.
        wanted = text.casefold()
        rows = project.conn.execute("SELECT * FROM codes").fetchall()
        for column in ("name", "guid"):
            row = next((r for r in rows if (r[column] or "").casefold() == wanted), None)
            if row is not None:
                break
        if row is None:
            labelled = [r for r in rows if wanted in ((r["label_da"] or "").casefold(),
                                                      (r["label_en"] or "").casefold())]
            if len(labelled) == 1:
                row = labelled[0]
    if row is None:
        names = [r[0] for r in project.conn.execute("SELECT name FROM codes")]
        close = difflib.get_close_matches(text, names, n=1)
        hint = (f" Did you mean '{close[0]}'?" if close
                else " See 'workbench codebook' for the codes.")
        raise NotFoundError(f"No code '{text}' in {project.path.name}.{hint}")
    return from_row(Code, dict(row))


def descendants(project: Project, code_id: int) -> list[int]:
    """Ids of the code and all codes below it."""
    rows = project.conn.execute(
        """WITH RECURSIVE tree(id) AS (SELECT ? UNION ALL
           SELECT c.id FROM codes c JOIN tree t ON c.parent_id = t.id) SELECT id FROM tree""",
        (code_id,)).fetchall()
    return [r[0] for r in rows]


def codebook_tree(project: Project) -> list[dict[str, Any]]:
    """Codes in tree order with depth and counts (codings, documents, coders)."""
    counts = {r["code_id"]: r for r in project.rows(
        """SELECT code_id, COUNT(*) AS codings, COUNT(DISTINCT document_id) AS documents,
                  COUNT(DISTINCT coder) AS coders FROM codings GROUP BY code_id""")}
    depth: dict[int, int] = {}
    result = []
    for code in list_codes(project):
        depth[code.id] = 0 if code.parent_id is None else depth[code.parent_id] + 1
        c = counts.get(code.id, {})
        result.append({"id": code.id, "guid": code.guid, "name": code.name,
                       "label_da": code.label_da, "label_en": code.label_en,
                       "parent_id": code.parent_id, "depth": depth[code.id],
                       "colour": code.colour, "hotkey": code.hotkey,
                       "codings": c.get("codings", 0), "documents": c.get("documents", 0),
                       "coders": c.get("coders", 0)})
    return result


# ------------------------------------------------------------------------------ validation
def _clean_colour(value: str | None, fallback_index: int = 0) -> str:
    if not value:
        return PALETTE[fallback_index % len(PALETTE)]
    value = str(value).strip()
    value = _NAMED_COLOURS.get(value.lower(), value)
    if not value.startswith("#"):
        value = "#" + value
    if len(value) == 4:
        value = "#" + "".join(ch * 2 for ch in value[1:])
    if not _HEX.match(value):
        raise InvalidInput(f"'{value}' is not a colour; give a hex colour like #2e7d32.")
    return value.lower()


def _check_hotkey(project: Project, hotkey: str | None, code_id: int | None) -> str | None:
    if hotkey in (None, ""):
        return None
    hotkey = str(hotkey)
    if len(hotkey) != 1 or not hotkey.isalnum():
        raise InvalidInput(f"'{hotkey}' is not a hotkey; use one digit 1-9 or one letter.")
    row = project.conn.execute("SELECT name FROM codes WHERE hotkey = ? AND id IS NOT ?",
                               (hotkey, code_id)).fetchone()
    if row:
        raise DuplicateError(f"Hotkey '{hotkey}' already belongs to code '{row[0]}'; "
                             "choose another or take it from that code first.")
    return hotkey


def _check_name(project: Project, name: str, code_id: int | None) -> str:
    name = " ".join(str(name).split())
    if not name:
        raise InvalidInput("A code needs a name.")
    row = project.conn.execute("SELECT id FROM codes WHERE name = ? COLLATE NOCASE AND id IS NOT ?",
                               (name, code_id)).fetchone()
    if row:
        raise DuplicateError(f"A code named '{name}' already exists; choose another name "
                             "or merge the two codes.")
    return name


def _encode(fields: dict[str, Any]) -> dict[str, Any]:
    out = dict(fields)
    for key in LIST_FIELDS:
        if key in out:
            out[key] = json.dumps(list(out[key] or []), ensure_ascii=False)
    for key in TEXT_FIELDS:
        if key in out and out[key] is None:
            out[key] = ""
    return out


# ------------------------------------------------------------------------------ changes
def add_code(project: Project, name: str, *, parent: str | int | None = None,
             guid: str | None = None, **fields: Any) -> int:
    """Add a code (optionally under ``parent``); returns its id."""
    unknown = set(fields) - set(EDITABLE) - {"ordinal"}
    if unknown:
        raise InvalidInput(f"Unknown code field(s): {', '.join(sorted(unknown))}.")
    with project.step("code.add", f"add code '{name}'"):
        name = _check_name(project, name, None)
        parent_id = get_code(project, parent).id if parent not in (None, "") else None
        count = project.conn.execute("SELECT COUNT(*) FROM codes").fetchone()[0]
        fields["colour"] = _clean_colour(fields.get("colour"), count)
        fields["hotkey"] = _check_hotkey(project, fields.get("hotkey"), None)
        if "ordinal" not in fields:
            fields["ordinal"] = project.conn.execute(
                "SELECT COALESCE(MAX(ordinal) + 1, 0) FROM codes WHERE parent_id IS ?",
                (parent_id,)).fetchone()[0]
        row = {"name": name, "parent_id": parent_id, "created_at": now(), **_encode(fields)}
        if guid:
            row["guid"] = guid
        return project.insert("codes", row)


def update_code(project: Project, key: str | int, **fields: Any) -> Code:
    """Change fields of a code: rename, recolour, set hotkey, labels, definitions, indicators."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise InvalidInput(f"Unknown code field(s): {', '.join(sorted(unknown))}.")
    code = get_code(project, key)
    changes = dict(fields)
    if "name" in changes:
        changes["name"] = _check_name(project, changes["name"], code.id)
    if "colour" in changes:
        changes["colour"] = _clean_colour(changes["colour"])
    if "hotkey" in changes:
        changes["hotkey"] = _check_hotkey(project, changes["hotkey"], code.id)
    what = ", ".join(f"{k}" for k in changes)
    with project.step("code.update", f"change {what} of code '{code.name}'"):
        project.update("codes", code.id, _encode(changes))
    return get_code(project, code.id)


def rename_code(project: Project, key: str | int, new_name: str) -> Code:
    """Rename a code (its guid, codings and memos stay)."""
    return update_code(project, key, name=new_name)


def move_code(project: Project, key: str | int, new_parent: str | int | None) -> Code:
    """Move a code under ``new_parent`` (None: to the top level)."""
    code = get_code(project, key)
    parent_id = None
    if new_parent not in (None, ""):
        parent = get_code(project, new_parent)
        if parent.id in descendants(project, code.id):
            raise InvalidInput(f"Cannot move '{code.name}' under '{parent.name}': "
                               f"'{parent.name}' is inside '{code.name}'.")
        parent_id = parent.id
    where = f"under '{new_parent}'" if parent_id else "to the top level"
    with project.step("code.move", f"move code '{code.name}' {where}"):
        ordinal = project.conn.execute(
            "SELECT COALESCE(MAX(ordinal) + 1, 0) FROM codes WHERE parent_id IS ?",
            (parent_id,)).fetchone()[0]
        project.update("codes", code.id, {"parent_id": parent_id, "ordinal": ordinal})
    return get_code(project, code.id)


def merge_codes(project: Project, source: str | int, target: str | int) -> int:
    """Merge ``source`` into ``target``: codings, sub-codes and memos follow; source goes.

    Returns:
        The number of codings moved (codings that would duplicate one of the target's are
        dropped, since they mean the same thing).
    """
    src, dst = get_code(project, source), get_code(project, target)
    if src.id == dst.id:
        raise InvalidInput("A code cannot be merged into itself.")
    if dst.id in descendants(project, src.id):
        raise InvalidInput(f"Cannot merge '{src.name}' into its own sub-code '{dst.name}'.")
    moved = 0
    with project.step("code.merge", f"merge code '{src.name}' into '{dst.name}'"):
        for row in project.rows("SELECT * FROM codings WHERE code_id = ?", (src.id,)):
            twin = project.conn.execute(
                'SELECT id FROM codings WHERE code_id = ? AND document_id = ? AND start = ? '
                'AND "end" = ? AND coder = ?',
                (dst.id, row["document_id"], row["start"], row["end"], row["coder"])).fetchone()
            if twin:
                project.delete("codings", row["id"])
            else:
                project.update("codings", row["id"], {"code_id": dst.id})
                moved += 1
        for child in project.rows("SELECT id FROM codes WHERE parent_id = ?", (src.id,)):
            project.update("codes", child["id"], {"parent_id": dst.id})
        for memo in project.rows(
                "SELECT id FROM memos WHERE target_type = 'code' AND target_id = ?", (src.id,)):
            project.update("memos", memo["id"], {"target_id": dst.id})
        for sugg in project.rows("SELECT id FROM suggestions WHERE code_id = ?", (src.id,)):
            project.delete("suggestions", sugg["id"])
        merged_indicators = list(dict.fromkeys([*dst.indicators, *src.indicators]))
        if merged_indicators != list(dst.indicators):
            project.update("codes", dst.id, {"indicators": json.dumps(merged_indicators,
                                                                       ensure_ascii=False)})
        project.delete("codes", src.id)
    return moved


def delete_code(project: Project, key: str | int, *, force: bool = False) -> int:
    """Delete a code and its sub-codes; refused while codings exist unless ``force``.

    Returns:
        The number of codings deleted with it.
    """
    code = get_code(project, key)
    ids = descendants(project, code.id)
    marks = ",".join("?" * len(ids))
    n_codings = project.conn.execute(
        f"SELECT COUNT(*) FROM codings WHERE code_id IN ({marks})", ids).fetchone()[0]
    if n_codings and not force:
        raise InvalidInput(
            f"Code '{code.name}' has {n_codings} coding(s); merge it into another code, or "
            f"delete with --force to remove them too.")
    with project.step("code.delete", f"delete code '{code.name}' and {n_codings} coding(s)"):
        for row in project.rows(f"SELECT id FROM codings WHERE code_id IN ({marks})", ids):
            project.delete("codings", row["id"])
        for row in project.rows(f"SELECT id FROM suggestions WHERE code_id IN ({marks})", ids):
            project.delete("suggestions", row["id"])
        for code_id in reversed(ids):  # children before parents
            project.delete("codes", code_id)
    return n_codings


# ------------------------------------------------------------------------------ YAML
def _flatten(entries: list[dict], parent: str | None, out: list[tuple[dict, str | None]],
             where: str) -> None:
    for entry in entries or []:
        if not isinstance(entry, dict) or not entry.get("name"):
            raise InvalidInput(f"{where}: every code needs a 'name'.")
        out.append((entry, parent))
        _flatten(entry.get("children") or [], str(entry["name"]), out, where)


def load_codebook(project: Project, data: dict, *, where: str = "codebook") -> int:
    """Add or update codes from a codebook mapping (the YAML structure); one undoable step.

    Codes are matched by guid, then by name; existing codes get the new field values.

    Returns:
        The number of codes added or updated.
    """
    if not isinstance(data, dict) or not isinstance(data.get("codes"), list):
        raise InvalidInput(f"{where}: a codebook needs a 'codes' list.")
    flat: list[tuple[dict, str | None]] = []
    _flatten(data["codes"], None, flat, where)
    names = [str(e["name"]).lower() for e, _ in flat]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise InvalidInput(f"{where}: code names must be unique; repeated: {', '.join(dupes)}.")
    with project.step("codebook.load", f"load codebook {data.get('name') or where}"):
        for index, (entry, parent) in enumerate(flat):
            fields = {k: entry[k] for k in EDITABLE if k in entry and k != "name"}
            if "hotkey" in fields and fields["hotkey"] is not None:
                fields["hotkey"] = str(fields["hotkey"])
            existing = None
            if entry.get("guid"):
                existing = project.conn.execute("SELECT id FROM codes WHERE guid = ?",
                                                (entry["guid"],)).fetchone()
            if existing is None:
                existing = project.conn.execute(
                    "SELECT id FROM codes WHERE name = ? COLLATE NOCASE",
                    (str(entry["name"]),)).fetchone()
            if existing:
                if fields.get("hotkey"):
                    # A hotkey moving between codes of the same codebook is not a clash.
                    holder = project.conn.execute(
                        "SELECT id FROM codes WHERE hotkey = ? AND id != ?",
                        (fields["hotkey"], existing[0])).fetchone()
                    if holder:
                        project.update("codes", holder[0], {"hotkey": None})
                update_code(project, existing[0], name=str(entry["name"]), **fields)
                if parent is not None:
                    move_code(project, existing[0], parent)
            else:
                if fields.get("hotkey"):
                    holder = project.conn.execute("SELECT id FROM codes WHERE hotkey = ?",
                                                  (fields["hotkey"],)).fetchone()
                    if holder:
                        project.update("codes", holder[0], {"hotkey": None})
                add_code(project, str(entry["name"]), parent=parent, guid=entry.get("guid"),
                         ordinal=index, **fields)
    return len(flat)


def read_yaml(path: str | Path) -> dict:
    """Read a codebook YAML file with a clear error when it is malformed."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path}: cannot read the codebook ({exc}).") from exc
    except yaml.YAMLError as exc:
        raise InvalidInput(f"{path}: not valid YAML ({exc}); fix the file and try again.") from exc
    if not isinstance(data, dict):
        raise InvalidInput(f"{path}: a codebook must be a mapping with a 'codes' list.")
    return data


def export_codebook(project: Project, *, name: str | None = None) -> dict:
    """The project's codebook as the YAML structure (with guids, so re-import keeps identity)."""
    codes = list_codes(project)
    by_parent: dict[int | None, list[Code]] = {}
    for code in codes:
        by_parent.setdefault(code.parent_id, []).append(code)

    def entry(code: Code) -> dict:
        item: dict[str, Any] = {"name": code.name, "guid": code.guid}
        for key in TEXT_FIELDS:
            if getattr(code, key):
                item[key] = getattr(code, key)
        item["colour"] = code.colour
        if code.hotkey:
            item["hotkey"] = code.hotkey
        for key in LIST_FIELDS:
            if getattr(code, key):
                item[key] = list(getattr(code, key))
        kids = by_parent.get(code.id, [])
        if kids:
            item["children"] = [entry(k) for k in kids]
        return item

    return {"name": name or project.setting("codebook_name") or project.path.stem,
            "version": 1, "language": "da", "codes": [entry(c) for c in by_parent.get(None, [])]}


def write_yaml(data: dict, path: str | Path) -> None:
    """Write a codebook mapping as YAML with Danish letters kept readable."""
    Path(path).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100),
                          encoding="utf-8")


# ------------------------------------------------------------------------------ snapshots
def snapshot(project: Project, *, cycle: int | None = None, label: str | None = None) -> int:
    """Store the current codebook (with counts) as a snapshot, e.g. at the end of a cycle."""
    from workbench.core.cases import ensure_cycle

    data = export_codebook(project)
    what = f"snapshot codebook{f' for cycle {cycle}' if cycle else ''}"
    with project.step("codebook.snapshot", what):
        cycle_id = ensure_cycle(project, cycle) if cycle else None
        return project.insert("codebook_snapshots", {
            "cycle_id": cycle_id, "label": label or (f"cycle {cycle}" if cycle else now()),
            "codes": json.dumps(data, ensure_ascii=False), "author": project.coder,
            "created_at": now()})


def list_snapshots(project: Project) -> list[dict[str, Any]]:
    """Snapshots with their cycle number and code count."""
    rows = project.rows(
        """SELECT s.id, s.label, c.number AS cycle, s.author, s.created_at, s.codes
           FROM codebook_snapshots s LEFT JOIN cycles c ON c.id = s.cycle_id ORDER BY s.id""")
    for row in rows:
        data = json.loads(row.pop("codes"))
        flat: list[tuple[dict, str | None]] = []
        _flatten(data["codes"], None, flat, "snapshot")
        row["codes"] = len(flat)
    return rows


def _snapshot_codes(project: Project, key: str | int) -> dict[str, dict]:
    text = str(key)
    row = project.conn.execute(
        """SELECT s.codes FROM codebook_snapshots s LEFT JOIN cycles c ON c.id = s.cycle_id
           WHERE CAST(s.id AS TEXT) = ? OR s.label = ? OR CAST(c.number AS TEXT) = ?
           ORDER BY s.id DESC LIMIT 1""", (text, text, text.removeprefix("cycle ").strip())
    ).fetchone()
    if row is None:
        raise NotFoundError(f"No codebook snapshot '{key}'; see 'workbench codebook snapshots'.")
    flat: list[tuple[dict, str | None]] = []
    _flatten(json.loads(row[0])["codes"], None, flat, "snapshot")
    return {e["guid"]: {**{k: v for k, v in e.items() if k != "children"}, "parent": p}
            for e, p in flat}


def compare_snapshots(project: Project, old: str | int, new: str | int | None = None
                      ) -> list[dict[str, Any]]:
    """What changed between two snapshots (``new`` None: the current codebook).

    Codes are matched by guid, so a rename shows as a rename, not as a removal and an addition.
    """
    before = _snapshot_codes(project, old)
    if new is None:
        flat: list[tuple[dict, str | None]] = []
        _flatten(export_codebook(project)["codes"], None, flat, "codebook")
        after = {e["guid"]: {**{k: v for k, v in e.items() if k != "children"}, "parent": p}
                 for e, p in flat}
    else:
        after = _snapshot_codes(project, new)
    changes = []
    for guid, entry in after.items():
        if guid not in before:
            changes.append({"change": "added", "code": entry["name"], "detail": ""})
            continue
        old_entry = before[guid]
        if old_entry["name"] != entry["name"]:
            changes.append({"change": "renamed", "code": entry["name"],
                            "detail": f"was '{old_entry['name']}'"})
        if old_entry.get("parent") != entry.get("parent"):
            changes.append({"change": "moved", "code": entry["name"],
                            "detail": f"from {old_entry.get('parent') or 'top'} to "
                                      f"{entry.get('parent') or 'top'}"})
        for key in (*TEXT_FIELDS, "colour", "hotkey", *LIST_FIELDS):
            if old_entry.get(key) != entry.get(key):
                changes.append({"change": "edited", "code": entry["name"], "detail": key})
    for guid, entry in before.items():
        if guid not in after:
            changes.append({"change": "removed", "code": entry["name"], "detail": ""})
    return changes
