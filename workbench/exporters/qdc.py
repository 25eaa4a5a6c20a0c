"""REFI-QDA codebooks (``.qdc``, namespace ``urn:QDA-XML:codebook:1.0``).

The code tree maps to nested ``<Code>`` elements with guid, name, colour and a Description.
Fields REFI-QDA has no place for (labels, when to use, indicators ...) follow the definition in
the Description after a line ``---`` as ``key: value`` lines, readable in any tool and parsed
back on import. Elements are matched by local name, so files from other tools with another
namespace prefix (or none) import too.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from defusedxml import ElementTree as SafeET

from workbench.errors import InvalidInput

CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
_EXTRA_KEYS = ("label_da", "label_en", "when_to_use", "when_not_to_use", "example", "hotkey",
               "indicators", "exclusions")
_SEPARATOR = "---"
_GUID = re.compile(r"^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                   r"[0-9a-fA-F]{12}\}?$")


def local(tag: str) -> str:
    """The local part of a (possibly namespaced) XML tag."""
    return tag.rsplit("}", 1)[-1]


def describe(entry: dict[str, Any]) -> str:
    """Build a Description text from a codebook entry."""
    lines = [entry.get("definition", "")]
    extra = []
    for key in _EXTRA_KEYS:
        value = entry.get(key)
        if value in (None, "", [], ()):
            continue
        if key == "indicators":
            value = ", ".join(value)
        elif key == "exclusions":
            value = json.dumps(list(value), ensure_ascii=False)
        extra.append(f"{key}: {' '.join(str(value).split())}")
    if extra:
        lines += ["", _SEPARATOR, *extra]
    return "\n".join(lines).strip()


def parse_description(text: str) -> dict[str, Any]:
    """Split a Description back into definition and the extra fields written by describe()."""
    text = (text or "").strip()
    result: dict[str, Any] = {}
    head, sep, tail = text.partition(f"\n{_SEPARATOR}\n")
    if not sep:
        return {"definition": text} if text else {}
    if head.strip():
        result["definition"] = head.strip()
    for line in tail.splitlines():
        key, _, value = line.partition(": ")
        if key not in _EXTRA_KEYS:
            result["definition"] = (result.get("definition", "") + "\n" + line).strip()
            continue
        if key == "indicators":
            result[key] = [v.strip() for v in value.split(",") if v.strip()]
        elif key == "exclusions":
            try:
                result[key] = json.loads(value)
            except json.JSONDecodeError:
                continue
        else:
            result[key] = value
    return result


def code_element(entry: dict[str, Any], ns: str,
                 note_refs: Mapping[str, Sequence[str]] | None = None) -> ET.Element:
    """One ``<Code>`` element (with children) from a codebook entry.

    Args:
        entry: a codebook entry (see core.codebook.export_codebook), children included.
        ns: the namespace of the elements (codebook or project).
        note_refs: code guid -> guids of notes about the code, written as ``<NoteRef>``
            (projects only; the codebook schema has no notes).
    """
    attrs = {"guid": entry["guid"], "name": entry["name"], "isCodable": "true"}
    if entry.get("colour"):
        attrs["color"] = entry["colour"]
    element = ET.Element(f"{{{ns}}}Code", attrs)
    description = describe(entry)
    if description:
        ET.SubElement(element, f"{{{ns}}}Description").text = description
    for note in (note_refs or {}).get(entry["guid"], ()):
        ET.SubElement(element, f"{{{ns}}}NoteRef", {"targetGUID": note})
    for child in entry.get("children", []):
        element.append(code_element(child, ns, note_refs))
    return element


def codes_from_element(codes: ET.Element) -> list[dict[str, Any]]:
    """Codebook entries (nested) from a ``<Codes>`` element, by local names."""
    entries = []
    for element in codes:
        if local(element.tag) != "Code":
            continue
        guid = (element.get("guid") or "").strip()
        name = (element.get("name") or "").strip()
        if not name or not _GUID.match(guid):
            raise InvalidInput(f"A Code element has no name or no valid guid ({name or guid!r}).")
        entry: dict[str, Any] = {"name": name, "guid": guid.strip("{}").lower()}
        if element.get("color"):
            entry["colour"] = element.get("color")
        for child in element:
            if local(child.tag) == "Description":
                entry.update(parse_description(child.text or ""))
        children = codes_from_element(element)
        if children:
            entry["children"] = children
        entries.append(entry)
    return entries


def write_qdc(data: dict, path: str | Path, *, origin: str = "workbench") -> None:
    """Write a codebook mapping (see core.codebook.export_codebook) as a .qdc file."""
    ET.register_namespace("", CODEBOOK_NS)
    root = ET.Element(f"{{{CODEBOOK_NS}}}CodeBook", {"origin": origin})
    codes = ET.SubElement(root, f"{{{CODEBOOK_NS}}}Codes")
    for entry in data["codes"]:
        codes.append(code_element(entry, CODEBOOK_NS))
    if not data["codes"]:
        raise InvalidInput("The codebook is empty; REFI-QDA needs at least one code.")
    ET.indent(root)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


def read_qdc(path: str | Path) -> dict:
    """Read a .qdc file (from workbench or another tool) into a codebook mapping."""
    path = Path(path)
    try:
        root = SafeET.parse(path).getroot()
    except (SafeET.ParseError, OSError) as exc:
        raise InvalidInput(f"{path}: not a readable REFI-QDA codebook ({exc}).") from exc
    except Exception as exc:  # defusedxml refuses entity expansion and external entities
        raise InvalidInput(f"{path}: unsafe XML refused ({type(exc).__name__}).") from exc
    if local(root.tag) != "CodeBook":
        raise InvalidInput(f"{path}: the root element is <{local(root.tag)}>, not <CodeBook>; "
                           "is this a .qdc codebook?")
    codes = next((c for c in root if local(c.tag) == "Codes"), None)
    if codes is None:
        raise InvalidInput(f"{path}: the codebook has no <Codes> element.")
    return {"name": root.get("origin") or path.stem, "codes": codes_from_element(codes)}
