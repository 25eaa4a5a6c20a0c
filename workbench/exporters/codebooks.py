"""Codebook files: YAML (workbench's own) and REFI-QDA .qdc, by extension."""

from __future__ import annotations

from pathlib import Path

from workbench.core import codebook
from workbench.core.store import Project
from workbench.errors import InvalidInput
from workbench.exporters import qdc


def import_codebook_file(project: Project, path: str | Path) -> int:
    """Load a codebook file into the project; returns the number of codes added or updated."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        data = codebook.read_yaml(path)
    elif suffix == ".qdc":
        data = qdc.read_qdc(path)
    else:
        raise InvalidInput(f"{path}: codebooks are read from .yaml or .qdc files.")
    count = codebook.load_codebook(project, data, where=str(path))
    if data.get("name") and not project.setting("codebook_name"):
        project.set_setting("codebook_name", data["name"])
    return count


def export_codebook_file(project: Project, path: str | Path) -> int:
    """Write the project's codebook to .yaml or .qdc; returns the number of codes written."""
    path = Path(path)
    data = codebook.export_codebook(project)
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        codebook.write_yaml(data, path)
    elif suffix == ".qdc":
        qdc.write_qdc(data, path)
    else:
        raise InvalidInput(f"{path}: codebooks are written as .yaml or .qdc files.")
    return len(codebook.list_codes(project))
