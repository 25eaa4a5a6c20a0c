"""Export a project as a REFI-QDA project (``.qdpx``), and its codebook as ``.qdc``.

The ``.qdpx`` is a zip with ``project.qde`` (valid against the REFI-QDA ``Project.xsd``, its
elements in schema order) and one ``sources/<guid>.txt`` per document: the document text as
stored (NFC, ``\\n`` line endings, no BOM) in UTF-8, so the selections' code-point offsets
point into it as they do into the project. How workbench's tables map onto the format is told
in :mod:`workbench.exporters.refi`. Real names of participants are left out unless asked for.
"""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench import __version__
from workbench.core import codebook
from workbench.core.store import Project, now
from workbench.errors import InvalidInput
from workbench.exporters import qdc, refi
from workbench.exporters.registry import PROJECT_FORMATS

NS = refi.PROJECT_NS
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed, so the same project gives the same zip bytes
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _tag(name: str) -> str:
    return f"{{{NS}}}{name}"


def _sub(parent: ET.Element, name: str, attrs: dict[str, Any] | None = None,
         text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, _tag(name), {k: str(v) for k, v in (attrs or {}).items()
                                                 if v is not None})
    if text is not None:
        element.text = text
    return element


@dataclass
class ExportSummary:
    """What an export wrote."""

    path: Path
    users: int = 0
    codes: int = 0
    sources: int = 0
    selections: int = 0
    codings: int = 0
    notes: int = 0
    cases: int = 0
    variables: int = 0

    def as_dict(self) -> dict[str, Any]:
        """The summary as plain data."""
        return {k: (str(v) if isinstance(v, Path) else v) for k, v in self.__dict__.items()}


class _Variables:
    """Variables in use: name -> (guid, type), in the order first used."""

    def __init__(self, project: Project):
        self.known = project.setting(refi.VARIABLE_SETTING, {}) or {}
        self.used: dict[str, tuple[str, str]] = {}

    def value(self, parent: ET.Element, name: str, value: Any) -> None:
        """Add a VariableValue for ``name`` to ``parent`` (nothing for an empty value)."""
        if value is None or str(value).strip() == "":
            return
        kind = refi.VARIABLE_TYPES.get(name, "Text")
        text = str(value)
        if kind == "Integer" and not re.fullmatch(r"-?\d+", text):
            return
        if kind == "Date" and not _DATE.match(text):
            return
        guid = self.known.get(name) or refi.derived_guid("variable", name)
        self.used.setdefault(name, (guid, kind))
        element = _sub(parent, "VariableValue")
        _sub(element, "VariableRef", {"targetGUID": guid})
        _sub(element, f"{kind}Value", text=text)

    def free(self, parent: ET.Element, attributes: dict[str, Any]) -> None:
        """The scalar free attributes as Text variables (reserved names are skipped)."""
        for key in sorted(attributes, key=str.casefold):
            value = attributes[key]
            if key in refi.RESERVED or isinstance(value, (list, dict)) or value is None:
                continue
            self.value(parent, key, value)


def _attributes(raw: str | None) -> dict[str, Any]:
    try:
        data = json.loads(raw or "{}")
    except json.JSONDecodeError:
        return {}
    return data if isinstance(data, dict) else {}


def _users(project: Project) -> dict[str, str]:
    """Coder and author names -> user guid (a coder's own, else one derived from the name)."""
    guids = {r["name"]: r["guid"] for r in project.rows("SELECT name, guid FROM coders")}
    names = set(guids)
    names |= {r[0] for r in project.conn.execute("SELECT DISTINCT coder FROM codings")}
    names |= {r[0] for r in project.conn.execute("SELECT DISTINCT author FROM memos")}
    return {n: guids.get(n) or refi.derived_guid("user", n)
            for n in sorted(names, key=lambda n: (n.casefold(), n))}


def _memo_targets(project: Project) -> list[dict[str, Any]]:
    """Memos with what REFI-QDA can point at (a guid) or must say in words (about)."""
    guid_sql = {"document": "SELECT guid FROM documents WHERE id = ?",
                "code": "SELECT guid FROM codes WHERE id = ?",
                "coding": "SELECT guid FROM codings WHERE id = ?"}
    about_sql = {"participant": "SELECT 'participant ' || label FROM participants WHERE id = ?",
                 "cycle": "SELECT 'cycle ' || number FROM cycles WHERE id = ?",
                 "stakeholder": "SELECT 'stakeholder ' || name FROM stakeholders WHERE id = ?"}
    memos = project.rows("SELECT m.*, cy.number AS cycle FROM memos m "
                         "LEFT JOIN cycles cy ON cy.id = m.cycle_id "
                         "ORDER BY m.created_at, m.guid")
    for memo in memos:
        memo["ref"] = memo["about"] = None
        kind, target = memo["target_type"], memo["target_id"]
        if kind in guid_sql and target is not None:
            row = project.conn.execute(guid_sql[kind], (target,)).fetchone()
            memo["ref"] = (kind, row[0]) if row else None
        elif kind in about_sql and target is not None:
            row = project.conn.execute(about_sql[kind], (target,)).fetchone()
            memo["about"] = row[0] if row else None
    return memos


def build_project(project: Project, *, include_real_names: bool = False
                  ) -> tuple[ET.Element, dict[str, str], ExportSummary]:
    """The ``<Project>`` element, the source texts by file name, and counts.

    Args:
        project: the open project.
        include_real_names: add participants' real names as the variable ``real_name``.
    """
    summary = ExportSummary(Path())
    users = _users(project)
    default_coder = project.setting("default_coder")
    root = ET.Element(_tag("Project"), {
        k: v for k, v in {
            "name": project.setting("project_name") or project.path.stem,
            "origin": f"workbench {__version__}",
            "creatingUserGUID": users.get(default_coder) if default_coder else None,
            "creationDateTime": refi.xml_datetime(now()),
        }.items() if v})

    memos = _memo_targets(project)
    refs: dict[tuple[str, str], list[str]] = defaultdict(list)
    project_notes: list[str] = []
    for memo in memos:
        if memo["ref"]:
            refs[memo["ref"]].append(memo["guid"])
        elif memo["about"] is None:
            project_notes.append(memo["guid"])

    # ------------------------------------------------------------------ users
    if users:
        users_el = _sub(root, "Users")
        for name, guid in users.items():
            _sub(users_el, "User", {"guid": guid, "name": name})
        summary.users = len(users)

    # --------------------------------------------------------------- codebook
    book = codebook.export_codebook(project)
    code_notes = {guid: notes for (kind, guid), notes in refs.items() if kind == "code"}
    if book["codes"]:
        codes_el = _sub(_sub(root, "CodeBook"), "Codes")
        for entry in book["codes"]:
            codes_el.append(qdc.code_element(entry, NS, code_notes))
        summary.codes = len(codebook.list_codes(project))

    variables = _Variables(project)
    variables_el = _sub(root, "Variables")  # filled once the values are known

    # ------------------------------------------------------------------ cases
    docs = project.rows("SELECT * FROM documents ORDER BY name COLLATE NOCASE, name, id")
    cases_el = ET.Element(_tag("Cases"))
    case_names = {r["id"]: r["name"] for r in project.rows("SELECT id, name FROM cases")}
    for case in project.rows("SELECT * FROM cases ORDER BY name COLLATE NOCASE, name"):
        element = _sub(cases_el, "Case", {"guid": case["guid"], "name": case["name"]})
        if case["description"]:
            _sub(element, "Description", text=case["description"])
        variables.value(element, refi.CASE_TYPE, "case")
        variables.free(element, _attributes(case["attributes"]))
        for doc in docs:
            if doc["case_id"] == case["id"]:
                _sub(element, "SourceRef", {"targetGUID": doc["guid"]})
    for person in project.rows("SELECT * FROM participants ORDER BY label COLLATE NOCASE, label"):
        element = _sub(cases_el, "Case", {"guid": person["guid"], "name": person["label"]})
        variables.value(element, refi.CASE_TYPE, "participant")
        for name in ("role", "organisation", "sector"):
            variables.value(element, name, person[name])
        variables.value(element, "case", case_names.get(person["case_id"]))
        if include_real_names:
            variables.value(element, "real_name", person["real_name"])
        variables.free(element, _attributes(person["attributes"]))
        for doc in docs:
            if doc["participant_id"] == person["id"]:
                _sub(element, "SourceRef", {"targetGUID": doc["guid"]})
    summary.cases = len(cases_el)

    # ---------------------------------------------------------------- sources
    sources_el = ET.Element(_tag("Sources"))
    texts: dict[str, str] = {}
    code_guids = {c.id: c.guid for c in codebook.list_codes(project)}
    labels = {r["id"]: r["label"] for r in project.rows("SELECT id, label FROM participants")}
    coding_notes: list[dict[str, Any]] = []
    for doc in docs:
        file_name = f"{doc['guid']}.txt"
        texts[file_name] = doc["text"]
        source = _sub(sources_el, "TextSource", {
            "guid": doc["guid"], "name": doc["name"],
            "plainTextPath": f"internal://{file_name}",
            "creationDateTime": refi.xml_datetime(doc["imported_at"])})
        selections = defaultdict(list)
        for coding in project.rows(
                'SELECT * FROM codings WHERE document_id = ? ORDER BY start, "end", coder',
                (doc["id"],)):
            selections[(coding["start"], coding["end"], coding["coder"])].append(coding)
        for (start, end, coder), group in selections.items():
            group.sort(key=lambda c: (code_guids.get(c["code_id"], ""), c["guid"]))
            selection = _sub(source, "PlainTextSelection", {
                "guid": refi.derived_guid("selection", doc["guid"], start, end, coder),
                "name": refi.snippet(doc["text"][start:end]),
                "startPosition": start, "endPosition": end,
                "creatingUser": users[coder],
                "creationDateTime": refi.xml_datetime(min(c["created_at"] for c in group))})
            summary.selections += 1
            for coding in group:
                element = _sub(selection, "Coding", {
                    "guid": coding["guid"], "creatingUser": users[coder],
                    "creationDateTime": refi.xml_datetime(coding["created_at"])})
                _sub(element, "CodeRef", {"targetGUID": code_guids[coding["code_id"]]})
                if coding["memo"]:
                    note_guid = refi.coding_memo_guid(coding["guid"])
                    _sub(element, "NoteRef", {"targetGUID": note_guid})
                    coding_notes.append({"guid": note_guid, "coding": coding,
                                         "user": users[coder]})
                for note in refs.get(("coding", coding["guid"]), []):
                    _sub(element, "NoteRef", {"targetGUID": note})
                summary.codings += 1
        for note in refs.get(("document", doc["guid"]), []):
            _sub(source, "NoteRef", {"targetGUID": note})
        variables.value(source, "kind", doc["kind"])
        cycle = project.conn.execute("SELECT number FROM cycles WHERE id = ?",
                                     (doc["cycle_id"],)).fetchone()
        variables.value(source, "cycle", cycle[0] if cycle else None)
        variables.value(source, "date", doc["date"])
        speakers = [(r["speaker"], labels.get(r["participant_id"])) for r in project.rows(
            "SELECT speaker, participant_id, MIN(ordinal) AS first FROM segments "
            "WHERE document_id = ? AND speaker IS NOT NULL GROUP BY speaker, participant_id "
            "ORDER BY first", (doc["id"],))]
        variables.value(source, "speakers", refi.speakers_value(speakers))
        variables.free(source, _attributes(doc["attributes"]))
    summary.sources = len(docs)

    # ------------------------------------------------------------------ notes
    notes_el = ET.Element(_tag("Notes"))
    for memo in memos:
        note = _sub(notes_el, "Note", {
            "guid": memo["guid"], "name": memo["title"] or None,
            "creatingUser": users.get(memo["author"]),
            "creationDateTime": refi.xml_datetime(memo["created_at"]),
            "modifiedDateTime": refi.xml_datetime(memo["updated_at"])})
        description = refi.note_description(memo["kind"], memo["cycle"], memo["about"])
        if description:
            _sub(note, "Description", text=description)
        _sub(note, "PlainTextContent", text=memo["text"])
    for item in coding_notes:
        coding = item["coding"]
        note = _sub(notes_el, "Note", {
            "guid": item["guid"], "name": "Coding memo", "creatingUser": item["user"],
            "creationDateTime": refi.xml_datetime(coding["created_at"])})
        _sub(note, "PlainTextContent", text=coding["memo"])
    summary.notes = len(notes_el)

    # Schema order: Users, CodeBook, Variables, Cases, Sources, Notes, Description, NoteRef.
    root.remove(variables_el)
    position = len(root)
    if variables.used:
        for name, (guid, kind) in variables.used.items():
            _sub(variables_el, "Variable", {"guid": guid, "name": name, "typeOfVariable": kind})
        root.insert(position, variables_el)
        position += 1
    summary.variables = len(variables.used)
    for element in (cases_el, sources_el, notes_el):
        if len(element):
            root.insert(position, element)
            position += 1
    description = project.setting("project_description")
    if description:
        _sub(root, "Description", text=str(description))
    for guid in project_notes:
        _sub(root, "NoteRef", {"targetGUID": guid})
    return root, texts, summary


def project_xml(root: ET.Element) -> bytes:
    """Serialise a ``<Project>`` element as UTF-8 XML with the REFI namespace as default."""
    ET.indent(root)
    # ElementTree's default_namespace option refuses plain attribute names, so the
    # namespace is registered for the empty prefix instead (as write_qdc does).
    ET.register_namespace("", NS)
    buffer = io.BytesIO()
    ET.ElementTree(root).write(buffer, encoding="utf-8", xml_declaration=True)
    return buffer.getvalue()


def export_qdpx(project: Project, path: str | Path, *,
                include_real_names: bool = False) -> ExportSummary:
    """Write the project as a ``.qdpx`` file.

    Args:
        project: the open project.
        path: the file to write (replaced if it exists).
        include_real_names: add participants' real names (left out by default).

    Raises:
        InvalidInput: the folder does not exist.
    """
    path = Path(path)
    if not path.parent.exists():
        raise InvalidInput(f"The folder {path.parent} does not exist; create it first or "
                           "export elsewhere.")
    root, texts, summary = build_project(project, include_real_names=include_real_names)
    summary.path = path
    # Written beside the target and moved over it, so a failed export leaves no half file.
    temporary = path.with_name(path.name + ".part")
    try:
        with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(zipfile.ZipInfo("project.qde", _ZIP_TIME), project_xml(root),
                             compress_type=zipfile.ZIP_DEFLATED)
            for name in sorted(texts):
                archive.writestr(zipfile.ZipInfo(f"sources/{name}", _ZIP_TIME),
                                 texts[name].encode("utf-8"),
                                 compress_type=zipfile.ZIP_DEFLATED)
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)
    return summary


@PROJECT_FORMATS.register("qdpx", extensions=(".qdpx",),
                          description="REFI-QDA project (NVivo, ATLAS.ti, MAXQDA, QualCoder)")
def write_qdpx(project: Project, path: Path, **options: Any) -> ExportSummary:
    """Registry entry for :func:`export_qdpx`."""
    return export_qdpx(project, path, include_real_names=bool(options.get("include_real_names")))


@PROJECT_FORMATS.register("qdc", extensions=(".qdc",),
                          description="REFI-QDA codebook (the codes only)")
def write_qdc(project: Project, path: Path, **options: Any) -> ExportSummary:
    """Registry entry for the codebook as ``.qdc``."""
    path = Path(path)
    if not path.parent.exists():
        raise InvalidInput(f"The folder {path.parent} does not exist; create it first.")
    qdc.write_qdc(codebook.export_codebook(project), path)
    return ExportSummary(path, codes=len(codebook.list_codes(project)))
