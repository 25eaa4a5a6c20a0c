"""Import a REFI-QDA project (``.qdpx``) into a new or empty workbench project.

What is read: users (as coders), the codebook, variables, cases (participants and cases, told
apart by the variable ``case_type``; other programs' cases become workbench cases), plain-text
sources with their selections and codings, and notes (as memos, attached where their NoteRef
points). Everything else (PDF, picture, audio and video sources, sets, links, graphs) is left
out with a warning that names it. The archive is checked first (see
:mod:`workbench.exporters.safe_zip`) and ``project.qde`` is parsed with defusedxml, which
refuses entity expansion and external entities.

Offsets: selections count code points in the source text without its BOM. A source with
``\\r\\n`` line endings is read as most programs write it, each ``\\r\\n`` counting two,
except from ATLAS.ti, which counts it as one (as QualCoder does on import). The text is then
normalised the way workbench stores text and every selection moved with it.
"""

from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from workbench.core import cases, codebook, memos
from workbench.core.documents import DocumentMeta, add_document
from workbench.core.models import DOCUMENT_KINDS, SECTORS
from workbench.core.store import Project, now
from workbench.errors import InvalidInput
from workbench.exporters import qdc, refi
from workbench.exporters.qdc import local
from workbench.exporters.safe_zip import DEFAULT_LIMITS, Limits, SafeZip
from workbench.exporters.text_offsets import normalise

_UNSUPPORTED_SOURCES = {"PDFSource": "PDF source", "PictureSource": "picture source",
                        "AudioSource": "audio source", "VideoSource": "video source"}
_UNSUPPORTED_PARTS = {"Links": "Link", "Sets": "Set", "Graphs": "Graph"}


@dataclass
class ImportSummary:
    """What an import read, and what it left out (``warnings``, one sentence each)."""

    path: Path
    users: int = 0
    codes: int = 0
    documents: int = 0
    codings: int = 0
    memos: int = 0
    cases: int = 0
    participants: int = 0
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The summary as plain data."""
        return {k: (str(v) if isinstance(v, Path) else v) for k, v in self.__dict__.items()}


def _children(element: ET.Element, name: str) -> list[ET.Element]:
    return [c for c in element if local(c.tag) == name]


def _child(element: ET.Element, name: str) -> ET.Element | None:
    return next((c for c in element if local(c.tag) == name), None)


def _text(element: ET.Element | None) -> str:
    return "" if element is None or element.text is None else element.text


def parse_project(data: bytes, where: str) -> ET.Element:
    """Parse ``project.qde`` safely.

    Raises:
        InvalidInput: malformed XML, unsafe XML (entities, DTD), or not a REFI-QDA project.
    """
    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise InvalidInput(f"{where}: refused: project.qde declares a DTD or entities "
                           f"({type(exc).__name__}), which can be used to attack the reader; "
                           "export the project again without them.") from exc
    except ET.ParseError as exc:
        raise InvalidInput(f"{where}: project.qde is not well-formed XML ({exc}).") from exc
    if local(root.tag) != "Project":
        raise InvalidInput(f"{where}: the root of project.qde is <{local(root.tag)}>, not "
                           "<Project>; is this a REFI-QDA project?")
    return root


class _Importer:
    """One import run: the maps from file guids to new rows, and the warnings."""

    def __init__(self, project: Project, archive: SafeZip, root: ET.Element):
        self.project = project
        self.archive = archive
        self.root = root
        self.summary = ImportSummary(archive.path)
        self.skipped: Counter = Counter()
        self.users: dict[str, str] = {}              # user guid -> coder name
        self.codes: dict[str, int] = {}              # code guid -> code id
        self.variables: dict[str, tuple[str, str]] = {}  # guid -> (name, type)
        self.participants: dict[str, int] = {}       # source guid -> participant id
        self.source_cases: dict[str, int] = {}       # source guid -> case id
        self.participant_cases: set[str] = set()     # labels given as participant cases
        self.note_targets: dict[str, tuple[str, int | None]] = {}
        self.coding_memos: dict[str, int] = {}       # note guid -> coding id
        origin = (root.get("origin") or "").casefold()
        self.crlf_counts_two = "atlas" not in origin

    def warn(self, message: str) -> None:
        self.summary.warnings.append(message)

    # ------------------------------------------------------------------ users
    def users_(self) -> None:
        element = _child(self.root, "Users")
        for user in _children(element, "User") if element is not None else []:
            guid = refi.normal_guid(user.get("guid"))
            if guid is None:
                self.skipped["User without a valid guid"] += 1
                continue
            name = " ".join((user.get("name") or user.get("id") or "").split()) \
                or f"user {guid[:8]}"
            row = self.project.conn.execute(
                "SELECT name FROM coders WHERE guid = ? OR name = ? ORDER BY guid = ? DESC",
                (guid, name, guid)).fetchone()
            if row is None:
                self.project.insert("coders", {"guid": guid, "name": name, "created_at": now()})
                self.summary.users += 1
            self.users[guid] = row[0] if row else name

    def coder(self, *elements: ET.Element) -> str:
        """The coder named by the first creatingUser found, else the project's coder."""
        for element in elements:
            guid = refi.normal_guid(element.get("creatingUser"))
            if guid and guid in self.users:
                return self.users[guid]
        fallback = self.project.coder
        if not self.project.conn.execute("SELECT 1 FROM coders WHERE name = ?",
                                         (fallback,)).fetchone():
            self.project.insert("coders", {"name": fallback, "created_at": now()})
        return fallback

    # --------------------------------------------------------------- codebook
    def codebook_(self) -> None:
        book = _child(self.root, "CodeBook")
        codes = _child(book, "Codes") if book is not None else None
        if codes is None:
            return
        entries = qdc.codes_from_element(codes)
        self._unique_names(entries, set())
        count = codebook.load_codebook(self.project, {"codes": entries},
                                       where=f"{self.archive.path.name}: CodeBook")
        self.summary.codes = count
        for entry in _flatten(entries):
            row = self.project.conn.execute(
                "SELECT id FROM codes WHERE guid = ?", (entry["guid"],)).fetchone() or \
                self.project.conn.execute("SELECT id FROM codes WHERE name = ? COLLATE NOCASE",
                                          (entry["name"],)).fetchone()
            self.codes[entry["guid"]] = row[0]
        for code in codes.iter():
            if local(code.tag) != "Code":
                continue
            guid = refi.normal_guid(code.get("guid"))
            for ref in _children(code, "NoteRef"):
                self._target(ref, "code", self.codes.get(guid or ""))

    def _unique_names(self, entries: list[dict], seen: set[str]) -> None:
        """Workbench code names are unique in the whole codebook; REFI's only among siblings."""
        for entry in entries:
            name = " ".join(entry["name"].split())
            candidate, n = name, 2
            while candidate.casefold() in seen:
                candidate = f"{name} ({n})"
                n += 1
            if candidate != name:
                self.warn(f"Code '{name}' occurs more than once; the copy with guid "
                          f"{entry['guid']} was renamed '{candidate}'.")
            entry["name"] = candidate
            seen.add(candidate.casefold())
            self._unique_names(entry.get("children", []), seen)

    # -------------------------------------------------------------- variables
    def variables_(self) -> None:
        element = _child(self.root, "Variables")
        known = {}
        for variable in _children(element, "Variable") if element is not None else []:
            guid = refi.normal_guid(variable.get("guid"))
            name = (variable.get("name") or "").strip()
            if guid and name:
                self.variables[guid] = (name, variable.get("typeOfVariable") or "Text")
                known.setdefault(name, guid)
        if known:
            stored = self.project.setting(refi.VARIABLE_SETTING, {}) or {}
            self.project.set_setting(refi.VARIABLE_SETTING, {**known, **stored})

    def values(self, element: ET.Element) -> dict[str, str]:
        """The VariableValues of an element: variable name -> value as text."""
        result: dict[str, str] = {}
        for value in _children(element, "VariableValue"):
            ref = _child(value, "VariableRef")
            guid = refi.normal_guid(ref.get("targetGUID") if ref is not None else None)
            if guid not in self.variables:
                self.skipped["VariableValue of an unknown variable"] += 1
                continue
            given = next((c for c in value if local(c.tag).endswith("Value")), None)
            if given is not None and given.text is not None:
                result[self.variables[guid][0]] = given.text.strip()
        return result

    # ------------------------------------------------------------------ cases
    def cases_(self) -> None:
        element = _child(self.root, "Cases")
        found = _children(element, "Case") if element is not None else []
        people = []
        for number, case in enumerate(found, start=1):
            guid = refi.normal_guid(case.get("guid"))
            name = " ".join((case.get("name") or "").split()) or f"Case {number}"
            values = self.values(case)
            sources = [refi.normal_guid(r.get("targetGUID"))
                       for r in _children(case, "SourceRef")]
            if _children(case, "SelectionRef"):
                self.skipped["SelectionRef in a Case (selections grouped by case)"] += len(
                    _children(case, "SelectionRef"))
            if values.get(refi.CASE_TYPE) == "participant":
                people.append((guid, name, values, sources))
                continue
            case_id = self._case(guid, name, _text(_child(case, "Description")), values)
            for source in sources:
                if source in self.source_cases:
                    self.warn(f"Source {source} belongs to more than one case; it was put in "
                              "the first.")
                    continue
                self.source_cases[source or ""] = case_id
        for guid, label, values, sources in people:
            person_id = self._participant(guid, label, values)
            for source in sources:
                self.participants.setdefault(source or "", person_id)

    def _case(self, guid: str | None, name: str, description: str,
              values: dict[str, str]) -> int:
        attributes = {k: v for k, v in values.items() if k != refi.CASE_TYPE}
        row = self.project.conn.execute("SELECT id FROM cases WHERE name = ?",
                                        (name,)).fetchone()
        if row:
            return row[0]
        self.summary.cases += 1
        return self.project.insert("cases", {
            "guid": guid or None, "name": name, "description": description,
            "attributes": json.dumps(attributes, ensure_ascii=False)})

    def _participant(self, guid: str | None, label: str, values: dict[str, str]) -> int:
        self.participant_cases.add(label)
        sector = values.get("sector", "")
        if sector and sector not in SECTORS:
            self.warn(f"Participant {label}: '{sector}' is not a workbench sector; it was "
                      "kept as the attribute 'sector_given'.")
            values = {**values, "sector_given": sector}
            sector = ""
        case_id = cases.ensure_case(self.project, values["case"]) if values.get("case") \
            else None
        attributes = {k: v for k, v in values.items() if k not in refi.RESERVED}
        row = self.project.conn.execute("SELECT id FROM participants WHERE label = ?",
                                        (label,)).fetchone()
        if row:
            return row[0]
        self.summary.participants += 1
        return self.project.insert("participants", {
            "guid": guid or None, "label": label, "real_name": values.get("real_name") or None,
            "role": values.get("role", ""), "organisation": values.get("organisation", ""),
            "sector": sector, "case_id": case_id,
            "attributes": json.dumps(attributes, ensure_ascii=False)})

    # ---------------------------------------------------------------- sources
    def sources_(self) -> None:
        element = _child(self.root, "Sources")
        for source in list(element) if element is not None else []:
            kind = local(source.tag)
            if kind in _UNSUPPORTED_SOURCES:
                self.skipped[_UNSUPPORTED_SOURCES[kind]] += 1
                continue
            if kind != "TextSource":
                self.skipped[f"<{kind}> in Sources"] += 1
                continue
            self._text_source(source)

    def _read_text(self, source: ET.Element, name: str) -> str | None:
        path = source.get("plainTextPath") or ""
        if path.startswith("internal://"):
            file_name = path[len("internal://"):]
            member = (self.archive.find(f"sources/{file_name}")
                      or self.archive.find(file_name))
            if member is None:
                self.warn(f"Source '{name}': {file_name} is not in the archive's sources "
                          "folder; the source was left out.")
                return None
            data = self.archive.read(member)
        elif path:
            self.warn(f"Source '{name}' points outside the archive ({path.split('://')[0]}"
                      "://); only sources inside the .qdpx are imported, so it was left out.")
            return None
        elif _child(source, "PlainTextContent") is not None:
            return _text(_child(source, "PlainTextContent"))
        else:
            self.warn(f"Source '{name}' has no plain text (only "
                      f"{'a .docx' if source.get('richTextPath') else 'nothing'}); it was "
                      "left out.")
            return None
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            self.warn(f"Source '{name}' is not UTF-8 as REFI-QDA requires; it was read as "
                      "Windows-1252, check its letters.")
            return data.decode("cp1252", errors="replace")

    def _text_source(self, source: ET.Element) -> None:
        from workbench.importers.structure import build_document

        guid = refi.normal_guid(source.get("guid"))
        name = " ".join((source.get("name") or "").split()) or f"Source {guid or '?'}"
        raw = self._read_text(source, name)
        if raw is None:
            return
        if raw.startswith("\ufeff"):
            raw = raw[1:]
        text, offsets = normalise(raw, crlf_counts_two=self.crlf_counts_two)
        if not text.strip():
            self.warn(f"Source '{name}' is empty; it was left out.")
            return
        values = self.values(source)
        meta = self._meta(name, values, guid)
        parsed = build_document(text, source_format="qdpx")
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if self.project.conn.execute("SELECT 1 FROM documents WHERE sha256 = ?",
                                     (sha,)).fetchone():
            sha = hashlib.sha256(f"{guid}:{sha}".encode()).hexdigest()
        known = {r[0] for r in self.project.conn.execute("SELECT id FROM participants")}
        doc_id = add_document(self.project, parsed, source_name=name,
                              source_path=f"{self.archive.path.name}:{source.get('plainTextPath')}",
                              sha256=sha, meta=meta)
        changes: dict[str, Any] = {}
        if guid and not self.project.conn.execute("SELECT 1 FROM documents WHERE guid = ?",
                                                  (guid,)).fetchone():
            changes["guid"] = guid
        created = refi.stored_datetime(source.get("creationDateTime"))
        if created:
            changes["imported_at"] = created
        self.project.update("documents", doc_id, changes)
        if "speakers" in values:
            self._link_speakers(doc_id, refi.parse_speakers(values["speakers"]), known)
        self.summary.documents += 1
        for ref in _children(source, "NoteRef"):
            self._target(ref, "document", doc_id)
        for coding in _children(source, "Coding"):
            self._coding(coding, doc_id, 0, len(text), source)
        for selection in _children(source, "PlainTextSelection"):
            self._selection(selection, doc_id, text, offsets, name, source)

    def _meta(self, name: str, values: dict[str, str], guid: str | None) -> DocumentMeta:
        kind = values.get("kind")
        if kind and kind not in DOCUMENT_KINDS:
            self.warn(f"Source '{name}': '{kind}' is not a document kind; it was stored as a "
                      "document.")
            kind = "document"
        cycle = values.get("cycle")
        if cycle is not None and not cycle.lstrip("-").isdigit():
            self.warn(f"Source '{name}': cycle '{cycle}' is not a number; it was left out.")
            cycle = None
        person = self.participants.get(guid or "")
        label = self.project.conn.execute("SELECT label FROM participants WHERE id = ?",
                                          (person,)).fetchone() if person else None
        case = self.source_cases.get(guid or "")
        case_name = self.project.conn.execute("SELECT name FROM cases WHERE id = ?",
                                              (case,)).fetchone() if case else None
        speakers = {s: lab for s, lab in refi.parse_speakers(values.get("speakers")).items()
                    if lab}
        attributes = {k: v for k, v in values.items() if k not in refi.RESERVED}
        return DocumentMeta(name=name, kind=kind, case=case_name[0] if case_name else None,
                            cycle=int(cycle) if cycle is not None else None,
                            date=values.get("date") or None,
                            participant=label[0] if label else None, speakers=speakers,
                            attributes=attributes)

    def _link_speakers(self, doc_id: int, speakers: dict[str, str | None],
                       known: set[int]) -> None:
        """Link turns to participants as the export said, undoing any guess on the way."""
        ids = {r["label"]: r["id"] for r in self.project.rows("SELECT id, label FROM participants")}
        for speaker, label in speakers.items():
            self.project.conn.execute(
                "UPDATE segments SET participant_id = ? WHERE document_id = ? AND speaker = ?",
                (ids.get(label) if label else None, doc_id, speaker))
        for row in self.project.rows("SELECT id, label FROM participants"):
            if row["id"] in known or row["label"] in self.participant_cases:
                continue
            used = self.project.conn.execute(
                "SELECT 1 FROM segments WHERE participant_id = ? UNION ALL "
                "SELECT 1 FROM documents WHERE participant_id = ? LIMIT 1",
                (row["id"], row["id"])).fetchone()
            if not used:
                self.project.delete("participants", row["id"])

    # ------------------------------------------------------------- selections
    def _selection(self, selection: ET.Element, doc_id: int, text: str, offsets: Any,
                   name: str, source: ET.Element) -> None:
        try:
            start = int(selection.get("startPosition", ""))
            end = int(selection.get("endPosition", ""))
        except ValueError:
            self.skipped["PlainTextSelection without numeric positions"] += 1
            return
        start, end = offsets.span(start, end)
        if not 0 <= start < end <= len(text):
            self.warn(f"Source '{name}': a selection at {selection.get('startPosition')}-"
                      f"{selection.get('endPosition')} lies outside the text "
                      f"(0-{len(text)}); it was left out.")
            return
        first: int | None = None
        for coding in _children(selection, "Coding"):
            coding_id = self._coding(coding, doc_id, start, end, selection, source)
            first = first or coding_id
        target = ("coding", first) if first else ("document", doc_id)
        for ref in _children(selection, "NoteRef"):
            self._target(ref, *target)
        comment = _text(_child(selection, "Description")).strip()
        if comment:
            self._memo(None, "", comment, *target, author=self.coder(selection, source),
                       created=refi.stored_datetime(selection.get("creationDateTime")))

    def _coding(self, coding: ET.Element, doc_id: int, start: int, end: int,
                *owners: ET.Element) -> int | None:
        ref = _child(coding, "CodeRef")
        code_guid = refi.normal_guid(ref.get("targetGUID") if ref is not None else None)
        code_id = self.codes.get(code_guid or "")
        if code_id is None:
            self.skipped["Coding whose code is not in the codebook"] += 1
            return None
        coder = self.coder(coding, *owners)
        guid = refi.normal_guid(coding.get("guid"))
        if guid and self.project.conn.execute("SELECT 1 FROM codings WHERE guid = ?",
                                              (guid,)).fetchone():
            guid = None
        if self.project.conn.execute(
                'SELECT 1 FROM codings WHERE document_id = ? AND start = ? AND "end" = ? '
                "AND code_id = ? AND coder = ?", (doc_id, start, end, code_id, coder)).fetchone():
            self.skipped["Coding that repeats another (same span, code and coder)"] += 1
            return None
        coding_id = self.project.insert("codings", {
            "guid": guid, "document_id": doc_id, "start": start, "end": end,
            "code_id": code_id, "coder": coder, "origin": "import",
            "created_at": refi.stored_datetime(coding.get("creationDateTime")) or now()})
        self.summary.codings += 1
        for note in _children(coding, "NoteRef"):
            note_guid = refi.normal_guid(note.get("targetGUID"))
            if guid and note_guid == refi.coding_memo_guid(guid):
                self.coding_memos[note_guid] = coding_id
            else:
                self._target(note, "coding", coding_id)
        return coding_id

    # ------------------------------------------------------------------ notes
    def _target(self, ref: ET.Element, kind: str, target_id: int | None) -> None:
        guid = refi.normal_guid(ref.get("targetGUID"))
        if guid is None or target_id is None:
            return
        if guid in self.note_targets:
            self.skipped["note referred to from a second place (kept at the first)"] += 1
            return
        self.note_targets[guid] = (kind, target_id)

    def notes_(self) -> None:
        for ref in _children(self.root, "NoteRef"):
            guid = refi.normal_guid(ref.get("targetGUID"))
            if guid:
                self.note_targets.setdefault(guid, ("project", None))
        element = _child(self.root, "Notes")
        for note in _children(element, "Note") if element is not None else []:
            guid = refi.normal_guid(note.get("guid"))
            content = _text(_child(note, "PlainTextContent"))
            if not content and (note.get("plainTextPath") or "").startswith("internal://"):
                content = self._read_text(note, note.get("name") or "note") or ""
            content = content.replace("\r\n", "\n").replace("\r", "\n").strip("\n").rstrip()
            if guid in self.coding_memos:
                self.project.update("codings", self.coding_memos[guid], {"memo": content})
                continue
            fields, other = refi.parse_note_description(_text(_child(note, "Description")))
            if other:
                content = f"{other}\n\n{content}".strip()
            kind, target_id = self.note_targets.get(guid or "", ("project", None))
            if kind == "project" and fields.get("about"):
                kind, target_id = self._about(fields["about"])
            author = self.users.get(refi.normal_guid(note.get("creatingUser")) or "") \
                or self.project.coder
            self._memo(guid, (note.get("name") or "").strip(), content, kind, target_id,
                       author=author, kind=fields.get("kind", "memo"),
                       cycle=fields.get("cycle"),
                       created=refi.stored_datetime(note.get("creationDateTime")),
                       updated=refi.stored_datetime(note.get("modifiedDateTime")))

    def _about(self, about: str) -> tuple[str, int | None]:
        """The target a note's 'about:' line names (participant P03, cycle 2, stakeholder X)."""
        what, _, name = about.partition(" ")
        name = name.strip()
        if what == "participant":
            row = self.project.conn.execute("SELECT id FROM participants WHERE label = ?",
                                            (name,)).fetchone()
            if row:
                return "participant", row[0]
        elif what == "cycle" and name.isdigit():
            return "cycle", cases.ensure_cycle(self.project, int(name))
        elif what == "stakeholder" and name:
            row = self.project.conn.execute("SELECT id FROM stakeholders WHERE name = ?",
                                            (name,)).fetchone()
            if row:
                return "stakeholder", row[0]
            return "stakeholder", self.project.insert("stakeholders", {
                "name": name, "status": "confirmed", "source": "qdpx"})
        return "project", None

    def _memo(self, guid: str | None, title: str, text: str, target_type: str,
              target_id: int | None, *, author: str, kind: str = "memo",
              cycle: str | None = None, created: str | None = None,
              updated: str | None = None) -> None:
        if not text and not title:
            self.skipped["empty note"] += 1
            return
        try:
            kind = memos.check_kind(kind)
        except InvalidInput:
            kind = "memo"
        cycle_id = cases.ensure_cycle(self.project, int(cycle)) \
            if cycle and cycle.isdigit() else None
        if guid and self.project.conn.execute("SELECT 1 FROM memos WHERE guid = ?",
                                              (guid,)).fetchone():
            guid = None
        stamp = created or now()
        self.project.insert("memos", {
            "guid": guid, "title": title, "text": text, "kind": kind,
            "target_type": target_type, "target_id": target_id, "cycle_id": cycle_id,
            "author": author, "created_at": stamp, "updated_at": updated or stamp})
        self.summary.memos += 1

    # ---------------------------------------------------------------- the rest
    def unsupported_(self) -> None:
        for part, item in _UNSUPPORTED_PARTS.items():
            element = _child(self.root, part)
            if element is not None and len(element):
                self.skipped[item] += len(element)
        for what, count in sorted(self.skipped.items()):
            plural = "s" if count != 1 and not what.endswith("s") else ""
            self.warn(f"Not imported: {count} {what}{plural}.")

    def project_settings(self) -> None:
        name = (self.root.get("name") or "").strip()
        if name and not self.project.setting("project_name"):
            self.project.set_setting("project_name", name)
        description = _text(_child(self.root, "Description")).strip()
        if description and not self.project.setting("project_description"):
            self.project.set_setting("project_description", description)
        creator = self.users.get(refi.normal_guid(self.root.get("creatingUserGUID")) or "")
        if creator and not self.project.setting("default_coder"):
            self.project.set_setting("default_coder", creator)


def _flatten(entries: list[dict]) -> list[dict]:
    out = []
    for entry in entries:
        out.append(entry)
        out.extend(_flatten(entry.get("children", [])))
    return out


def import_qdpx(project: Project, path: str | Path, *,
                limits: Limits = DEFAULT_LIMITS) -> ImportSummary:
    """Import a ``.qdpx`` file into a project that has no documents yet, as one step.

    Args:
        project: the open project (new, or with a codebook only).
        path: the ``.qdpx`` file.
        limits: how large the archive and its files may be.

    Returns:
        Counts of what was imported and a warning for everything left out.

    Raises:
        InvalidInput: the project already has documents, or the archive is unsafe, damaged or
            not a REFI-QDA project (nothing is imported then).
    """
    path = Path(path)
    existing = project.conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    if existing:
        raise InvalidInput(
            f"{project.path.name} already has {existing} document(s); import {path.name} into "
            "a new project file (workbench import-qdpx FILE NEW.wbp) so nothing is mixed up.")
    with SafeZip(path, limits) as archive:
        qde = next((n for n in archive.names() if "/" not in n.strip("/")
                    and n.lower().endswith(".qde")), None)
        if qde is None:
            raise InvalidInput(f"{path}: there is no project.qde in the archive; is this a "
                               "REFI-QDA project export (.qdpx)?")
        root = parse_project(archive.read(qde), str(path))
        run = _Importer(project, archive, root)
        with project.step("import.qdpx", f"import REFI-QDA project {path.name}",
                          undoable=False):
            run.users_()
            run.codebook_()
            run.variables_()
            run.cases_()
            run.sources_()
            run.notes_()
            run.project_settings()
            run.unsupported_()
    return run.summary
