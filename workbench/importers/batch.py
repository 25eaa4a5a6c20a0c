"""Importing files and folders into a project, one transaction per file.

A bad file is reported and skipped; every good file is imported; re-imports (same sha256)
are detected and skipped. Progress comes out as a stream of ImportEvent values so that the CLI
can draw a progress bar and the TUI can post messages from a worker.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields
from pathlib import Path

import yaml

from workbench.core.cases import parse_cycle
from workbench.core.documents import DocumentMeta, add_document, find_by_sha
from workbench.core.store import Project
from workbench.errors import ImportFailed, InvalidInput, WorkbenchError
from workbench.importers.registry import read_bytes

_META_FIELDS = {f.name for f in fields(DocumentMeta)}
_META_ALIASES = {"file": "file", "filename": "file", "fil": "file", "label": "participant",
                 "informant": "participant", "rolle": "role", "organisation": "organisation",
                 "organization": "organisation", "sektor": "sector", "cyklus": "cycle",
                 "dato": "date", "type": "kind", "navn": "real_name", "name": "real_name",
                 "title": "name", "case": "case", "sag": "case"}


# Found in a folder, these are workbench's own settings files (metadata, gazetteer, codebook),
# not material: they are passed over with a note rather than reported as unreadable.
SETTINGS_SUFFIXES = (".yaml", ".yml")


@dataclass
class ImportEvent:
    """One step of an import: a file started, imported, skipped or failed."""

    status: str  # "imported", "skipped" or "failed"
    path: Path
    message: str
    index: int
    total: int
    document_id: int | None = None


def collect_files(paths: Sequence[str | Path], exclude: Sequence[Path] = ()) -> list[Path]:
    """Expand folders recursively into a sorted list of files.

    Inside folders, hidden files, Office lock files (~$...) and README files (which describe a
    folder rather than belong to the material) are passed over; a file named on its own is
    always taken.
    """
    excluded = {Path(p).resolve() for p in exclude}
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for item in sorted(path.rglob("*")):
                rel = item.relative_to(path)
                if item.is_file() and not any(part.startswith((".", "~$")) for part in rel.parts) \
                        and not item.name.lower().startswith("readme"):
                    found.append(item)
        elif path.exists():
            found.append(path)
        else:
            raise InvalidInput(f"{path} does not exist; check the path.")
    return [p for p in found if p.resolve() not in excluded]


def _meta_from_mapping(name: str, data: dict, where: str) -> DocumentMeta:
    values: dict = {}
    attributes: dict = {}
    for key, value in data.items():
        key_norm = _META_ALIASES.get(str(key).strip().lower(), str(key).strip().lower())
        if value in (None, ""):
            continue
        if key_norm == "file":
            continue
        if key_norm == "cycle":
            value = parse_cycle(value)
        if key_norm == "speakers":
            if not isinstance(value, dict):
                raise InvalidInput(f"{where}: 'speakers' for {name} must map speaker labels to "
                                   "participant labels.")
            value = {str(k): str(v) for k, v in value.items()}
        if key_norm in _META_FIELDS and key_norm != "attributes":
            values[key_norm] = value if key_norm in ("speakers", "cycle") else str(value)
        else:
            attributes[str(key)] = value
    return DocumentMeta(**values, attributes=attributes)


def load_meta(path: str | Path) -> dict[str, DocumentMeta]:
    """Read a metadata file (CSV or YAML) mapping file names to document metadata.

    CSV: one row per file, a ``file`` column and any of participant, role, organisation, sector,
    case, cycle, date, kind, real_name (other columns become document attributes).
    YAML: a mapping of file name to those fields, or a list of mappings with ``file``.
    """
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(
            f"{path}: cannot read the metadata file ({exc}); save it as UTF-8.") from exc
    entries: list[tuple[str, dict]] = []
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            data = yaml.safe_load(raw) or {}
        except yaml.YAMLError as exc:
            raise InvalidInput(f"{path}: not valid YAML ({exc}).") from exc
        if isinstance(data, dict) and "files" in data and isinstance(data["files"], (list, dict)):
            data = data["files"]
        if isinstance(data, dict):
            entries = [(str(k), v or {}) for k, v in data.items()]
        elif isinstance(data, list):
            for item in data:
                if not isinstance(item, dict) or not item.get("file"):
                    raise InvalidInput(f"{path}: every list entry needs a 'file' field.")
                entries.append((str(item["file"]), item))
        else:
            raise InvalidInput(f"{path}: expected a mapping of file names to metadata.")
    elif path.suffix.lower() == ".csv":
        sample = raw[:4096]
        try:
            dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        reader = csv.DictReader(io.StringIO(raw), dialect=dialect)
        headers = [h.strip().lower() for h in reader.fieldnames or []]
        if not any(_META_ALIASES.get(h, h) == "file" for h in headers):
            raise InvalidInput(f"{path}: the CSV needs a 'file' column naming each source file.")
        for row in reader:
            file_key = next(v for k, v in row.items()
                            if _META_ALIASES.get(k.strip().lower(), k.strip().lower()) == "file")
            entries.append((file_key.strip(), row))
    else:
        raise InvalidInput(f"{path}: metadata must be a .csv or .yaml file.")
    result = {}
    for name, values in entries:
        if not isinstance(values, dict):
            raise InvalidInput(f"{path}: the entry for {name} must be a mapping of fields.")
        result[name] = _meta_from_mapping(name, values, str(path))
    return result


def _meta_for(path: Path, roots: Sequence[Path], meta: dict[str, DocumentMeta]) -> DocumentMeta:
    candidates = [path.name, path.as_posix()]
    for root in roots:
        try:
            candidates.append(path.relative_to(root).as_posix())
        except ValueError:
            pass
    for key in candidates:
        if key in meta:
            return meta[key]
    return DocumentMeta()


def import_paths(project: Project, paths: Sequence[str | Path], *, case: str | None = None,
                 cycle: int | None = None, kind: str | None = None,
                 meta_file: str | Path | None = None) -> Iterator[ImportEvent]:
    """Import files and folders, yielding one event per file.

    Each file is read, parsed and stored in its own transaction, so a failure (or the process
    being killed) never leaves a partial document behind.
    """
    meta = load_meta(meta_file) if meta_file else {}
    # Never import the project file itself (or its SQLite companions) from its own folder.
    own = [Path(f"{project.path}{suffix}") for suffix in ("", "-wal", "-shm", "-journal")]
    files = collect_files(paths, exclude=own + ([Path(meta_file)] if meta_file else []))
    roots = [Path(p) for p in paths if Path(p).is_dir()]
    named = {Path(p).resolve() for p in paths if Path(p).is_file()}
    total = len(files)
    for index, path in enumerate(files, 1):
        if path.suffix.lower() in SETTINGS_SUFFIXES and path.resolve() not in named:
            yield ImportEvent("skipped", path, f"{path}: passed over (a settings file such as "
                              "metadata, a gazetteer or a codebook, not material).", index, total)
            continue
        try:
            data = path.read_bytes()
        except OSError as exc:
            yield ImportEvent("failed", path, f"{path}: cannot be read ({exc.strerror}).",
                              index, total)
            continue
        sha = hashlib.sha256(data).hexdigest()
        existing = find_by_sha(project, sha)
        if existing:
            yield ImportEvent("skipped", path,
                              f"{path}: already imported as '{existing.name}'; skipped.",
                              index, total, existing.id)
            continue
        file_meta = _meta_for(path, roots, meta)
        file_meta.case = file_meta.case or case
        file_meta.cycle = file_meta.cycle or cycle
        file_meta.kind = file_meta.kind or kind
        try:
            parsed = read_bytes(data, path.name)
            doc_id = add_document(project, parsed, source_name=path.name,
                                  source_path=str(path), sha256=sha, meta=file_meta)
        except ImportFailed as exc:
            yield ImportEvent("failed", path, str(exc), index, total)
            continue
        except WorkbenchError as exc:
            yield ImportEvent("failed", path, f"{path.name}: {exc}", index, total)
            continue
        except Exception as exc:  # a reader bug must not abort the rest of the folder
            yield ImportEvent("failed", path,
                              f"{path.name}: could not be read ({type(exc).__name__}: {exc}); "
                              "check that the file opens in its own program.", index, total)
            continue
        yield ImportEvent("imported", path, f"{path.name}: imported ({parsed.source_format}, "
                          f"{len(parsed.segments)} segments).", index, total, doc_id)
