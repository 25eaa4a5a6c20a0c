"""Registry of readers by file extension.

A reader takes the file's bytes and its name and returns a ParsedDocument, or raises
ImportFailed with one sentence saying what is wrong and what to do.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

from workbench.core.models import ParsedDocument
from workbench.errors import ImportFailed

Reader = Callable[[bytes, str], ParsedDocument]

_READERS: dict[str, Reader] = {}
_FORMAT_MODULES = ("text", "docx", "odt", "pdf", "vtt", "srt")
_loaded = False


def register(*extensions: str) -> Callable[[Reader], Reader]:
    """Register a reader for the given extensions (with the dot, lower case)."""
    def decorate(reader: Reader) -> Reader:
        for ext in extensions:
            _READERS[ext.lower()] = reader
        return reader
    return decorate


def _load() -> None:
    global _loaded
    if not _loaded:
        for name in _FORMAT_MODULES:
            importlib.import_module(f"workbench.importers.{name}")
        _loaded = True


def supported_extensions() -> list[str]:
    """The file extensions workbench can import."""
    _load()
    return sorted(_READERS)


def reader_for(path: str | Path) -> Reader:
    """Return the reader for a file name, or raise ImportFailed for an unknown extension."""
    _load()
    suffix = Path(path).suffix.lower()
    try:
        return _READERS[suffix]
    except KeyError:
        raise ImportFailed(
            f"{Path(path).name}: '{suffix or 'no extension'}' is not a format workbench reads; "
            f"convert it to one of {', '.join(supported_extensions())}."
        ) from None


def read_bytes(data: bytes, name: str) -> ParsedDocument:
    """Parse a file's bytes with the reader its name calls for."""
    reader = reader_for(name)
    if not data.strip():
        raise ImportFailed(f"{name}: the file is empty; check that it was saved or exported.")
    return reader(data, name)
