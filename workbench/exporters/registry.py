"""Registries of export formats: each format registers itself under a name and extensions.

Two registries exist: :data:`QUOTE_FORMATS` (writers of quote sets: md, tex, docx, csv, xlsx,
json) and :data:`PROJECT_FORMATS` (writers of whole projects: qdpx, and the codebook as qdc).
The CLI and the TUI look a format up by its name, or by the extension of the file to write;
the modules that hold the writers are imported only when a registry is first asked, so
``workbench --help`` does not load python-docx or openpyxl.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from workbench.errors import InvalidInput

W = TypeVar("W", bound=Callable[..., Any])


@dataclass(frozen=True)
class Format(Generic[W]):
    """One registered format: its name, the extensions it writes, what it is, and the writer."""

    name: str
    extensions: tuple[str, ...]
    description: str
    writer: W


class FormatRegistry(Generic[W]):
    """Formats by name and by file extension.

    Args:
        what: what the formats write, for messages ("quote set", "project").
        modules: the modules that register formats here, imported on first use.
    """

    def __init__(self, what: str, modules: Sequence[str]):
        self.what = what
        self._modules = tuple(modules)
        self._formats: dict[str, Format[W]] = {}
        self._loaded = False

    def register(self, name: str, *, extensions: Sequence[str],
                 description: str) -> Callable[[W], W]:
        """Decorator: register ``writer`` as format ``name`` for ``extensions`` (with dots)."""
        def decorate(writer: W) -> W:
            self._formats[name] = Format(name, tuple(e.lower() for e in extensions),
                                         description, writer)
            return writer
        return decorate

    def _load(self) -> None:
        if not self._loaded:
            self._loaded = True
            for module in self._modules:
                importlib.import_module(module)

    def names(self) -> list[str]:
        """The registered format names, sorted."""
        self._load()
        return sorted(self._formats)

    def formats(self) -> list[Format[W]]:
        """The registered formats, sorted by name."""
        self._load()
        return [self._formats[n] for n in sorted(self._formats)]

    def get(self, name: str) -> Format[W]:
        """The format called ``name`` (letter case ignored).

        Raises:
            InvalidInput: no format has that name.
        """
        self._load()
        key = (name or "").strip().lower().lstrip(".")
        if key in self._formats:
            return self._formats[key]
        for fmt in self._formats.values():
            if f".{key}" in fmt.extensions:
                return fmt
        raise InvalidInput(f"'{name}' is not a {self.what} format; use one of: "
                           f"{', '.join(self.names())}.")

    def for_path(self, path: str | Path, name: str | None = None) -> Format[W]:
        """The format to write ``path`` with: ``name`` when given, else from the extension.

        Raises:
            InvalidInput: no name was given and the extension names no format.
        """
        if name:
            return self.get(name)
        self._load()
        suffix = Path(path).suffix.lower()
        for fmt in self._formats.values():
            if suffix in fmt.extensions:
                return fmt
        raise InvalidInput(
            f"{Path(path).name}: cannot tell the {self.what} format from "
            f"'{suffix or 'no extension'}'; give --format with one of: {', '.join(self.names())}.")


QUOTE_FORMATS: FormatRegistry = FormatRegistry("quote set", [
    f"workbench.exporters.{name}"
    for name in ("quote_markdown", "quote_latex", "quote_docx", "quote_tables", "quote_json")])
PROJECT_FORMATS: FormatRegistry = FormatRegistry("project export",
                                                 ["workbench.exporters.qdpx_export"])
