"""What the REFI-QDA project export and import share: names, guids, dates, note metadata.

How workbench maps onto a REFI-QDA project (``project.qde`` in a ``.qdpx``):

* coders -> ``Users``; the codebook -> ``CodeBook`` (see :mod:`workbench.exporters.qdc`);
* documents -> ``TextSource`` with the text in ``sources/<guid>.txt``; codings -> ``Coding``
  inside a ``PlainTextSelection`` (one selection per span and coder);
* memos -> ``Notes`` with ``NoteRef`` from the project, a source, a code or a coding; a
  coding's own memo is a note whose guid is derived from the coding's;
* cases and participants -> ``Cases`` told apart by the variable ``case_type``; participant
  attributes (role, organisation, sector, case) and document metadata (kind, cycle, date,
  speakers) -> ``Variables`` with ``VariableValue``.

Guids workbench has no row for (selections, variables, users without a coder row, coding memos)
are derived with uuid5 from stable parts, so every export of the same project gives the same.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid

PROJECT_NS = "urn:QDA-XML:project:1.0"
# Fixed namespace for derived guids; changing it would change every derived guid.
_GUID_NS = uuid.UUID("5c7d0a64-3f2e-4d1b-9a51-7f0e8e1b2c31")

# Variable names workbench writes and reads back into its own columns.
CASE_TYPE = "case_type"
CASE_VARIABLES = ("role", "organisation", "sector", "case", "real_name")
SOURCE_VARIABLES = ("kind", "cycle", "date", "speakers")
RESERVED = frozenset({CASE_TYPE, *CASE_VARIABLES, *SOURCE_VARIABLES})
VARIABLE_TYPES = {"cycle": "Integer", "date": "Date"}  # every other variable is Text
VARIABLE_SETTING = "refi_variables"  # variable name -> guid, kept from an import

_GUID = re.compile(r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                   r"[0-9a-fA-F]{12})\}?$")
_NOTE_KEYS = ("kind", "cycle", "about")


def derived_guid(*parts: object) -> str:
    """A guid that is the same whenever the same parts are given."""
    return str(uuid.uuid5(_GUID_NS, "\x1f".join(str(p) for p in parts)))


def coding_memo_guid(coding_guid: str) -> str:
    """The guid of the note that carries a coding's own memo."""
    return derived_guid("coding-memo", coding_guid.lower())


def normal_guid(value: str | None) -> str | None:
    """A guid in workbench's form (lower case, no braces), or None when it is not one."""
    match = _GUID.match((value or "").strip())
    return match.group(1).lower() if match else None


def xml_datetime(value: str | None) -> str | None:
    """A stored ISO time as an xsd:dateTime in UTC ("2025-03-12T10:00:00Z"), else None."""
    if not value:
        return None
    try:
        stamp = dt.datetime.fromisoformat(str(value).strip())
    except ValueError:
        return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.UTC)
    return stamp.astimezone(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def stored_datetime(value: str | None) -> str | None:
    """An xsd:dateTime as workbench stores times (ISO, UTC, seconds), else None."""
    text = xml_datetime(value)
    if text is None:
        return None
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=dt.UTC).isoformat()


def note_description(kind: str, cycle: int | None, about: str | None) -> str:
    """The Description of a memo's note: the memo fields REFI-QDA has no place for."""
    lines = []
    if kind and kind != "memo":
        lines.append(f"kind: {kind}")
    if cycle is not None:
        lines.append(f"cycle: {cycle}")
    if about:
        lines.append(f"about: {about}")
    return "\n".join(lines)


def parse_note_description(text: str | None) -> tuple[dict[str, str], str]:
    """Split a note's Description into workbench fields and any other text."""
    fields: dict[str, str] = {}
    other = []
    for line in (text or "").splitlines():
        key, sep, value = line.partition(": ")
        if sep and key in _NOTE_KEYS and key not in fields:
            fields[key] = value.strip()
        elif line.strip():
            other.append(line)
    return fields, "\n".join(other).strip()


def speakers_value(pairs: list[tuple[str, str | None]]) -> str:
    """The ``speakers`` variable: one line per speaker, "name = label" (no label: unlinked)."""
    return "\n".join(f"{name} = {label or ''}".rstrip() for name, label in pairs)


def parse_speakers(value: str | None) -> dict[str, str | None]:
    """Read the ``speakers`` variable back: speaker name -> participant label or None."""
    result: dict[str, str | None] = {}
    for line in (value or "").splitlines():
        name, sep, label = line.rpartition(" =")
        if not sep:
            continue
        result[name.strip()] = label.strip() or None
    return result


def snippet(text: str, limit: int = 60) -> str:
    """The start of a passage on one line, for a selection's name."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit - 1].rstrip() + "…"
