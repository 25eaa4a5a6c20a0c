"""Choosing files or a folder to import, with the metadata the files share."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Button, DirectoryTree, Input, Label, Select, Static

from workbench.core.models import DOCUMENT_KINDS


@dataclass(frozen=True)
class ImportRequest:
    """What the user asked to import."""

    paths: tuple[Path, ...]
    case: str | None = None
    cycle: int | None = None
    kind: str | None = None
    meta_file: Path | None = None


class PathSuggester(Suggester):
    """Completes file and folder names as they are typed (→ or End accepts)."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        if not value:
            return None
        expanded = os.path.expanduser(value)
        folder, prefix = os.path.split(expanded)
        try:
            names = sorted(os.listdir(folder or "."))
        except OSError:
            return None
        for name in names:
            if name.startswith(prefix) and not name.startswith(".") and name != prefix:
                full = os.path.join(folder, name)
                suffix = "/" if os.path.isdir(full) else ""
                # Keep what the user typed (a "~" stays a "~").
                return value + name[len(prefix):] + suffix
        return None


class SourceTree(DirectoryTree):
    """The folder tree without hidden files and folders (.git, .venv …)."""

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        return [path for path in paths if not path.name.startswith(".")]


class ImportDialog(ModalScreen[ImportRequest | None]):
    """Pick a file or folder (tree or typed path) and say which case, cycle and kind."""

    STYLESHEET = "dialogs.tcss"  # loaded once by the app, see WorkbenchApp.CSS_PATH

    BINDINGS = [
        Binding("ctrl+s", "submit", "Import"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, start: Path | None = None) -> None:
        super().__init__()
        self.start = Path(start or Path.cwd())

    def compose(self) -> ComposeResult:
        with Vertical(id="import-box", classes="dialog-box"):
            yield Label("Import files or a folder", classes="dialog-title")
            # Compact fields leave the rows of a small terminal to the folder tree.
            yield Input(placeholder="Path to a file or folder (→ completes)",
                        suggester=PathSuggester(), id="import-path", compact=True)
            yield SourceTree(self.start, id="import-tree")
            with Grid(id="import-fields"):
                yield Input(placeholder="Case (partnership)", id="import-case", compact=True)
                yield Input(placeholder="Cycle number", id="import-cycle", type="integer",
                            compact=True)
                yield Select([(k.replace("_", " "), k) for k in DOCUMENT_KINDS],
                             prompt="Kind: detect", id="import-kind", compact=True)
                yield Input(placeholder="Metadata file (CSV/YAML)", suggester=PathSuggester(),
                            id="import-meta", compact=True)
            yield Static("", id="import-error", classes="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Import (ctrl+s)", variant="primary", id="import-go", compact=True)
                yield Button("Cancel (esc)", id="import-cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#import-path", Input).focus()

    def on_directory_tree_file_selected(self, event: DirectoryTree.FileSelected) -> None:
        event.stop()
        self.query_one("#import-path", Input).value = str(event.path)

    def on_directory_tree_directory_selected(self,
                                             event: DirectoryTree.DirectorySelected) -> None:
        event.stop()
        self.query_one("#import-path", Input).value = str(event.path)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "import-go":
            self.action_submit()
        else:
            self.action_cancel()

    def _error(self, message: str) -> None:
        self.query_one("#import-error", Static).update(message)

    def action_submit(self) -> None:
        """Check the fields and close with the request."""
        raw = self.query_one("#import-path", Input).value.strip()
        if not raw:
            self._error("Give a file or folder to import (type a path or pick one in the tree).")
            return
        path = Path(os.path.expanduser(raw))
        if not path.exists():
            self._error(f"{path} does not exist; check the path.")
            return
        cycle_text = self.query_one("#import-cycle", Input).value.strip()
        if cycle_text and not cycle_text.isdigit():
            self._error(f"'{cycle_text}' is not a cycle number; write it as 1, 2, 3 …")
            return
        meta_text = self.query_one("#import-meta", Input).value.strip()
        meta = Path(os.path.expanduser(meta_text)) if meta_text else None
        if meta is not None and not meta.is_file():
            self._error(f"{meta} is not a file; give a CSV or YAML metadata file or leave it "
                        "empty.")
            return
        kind = self.query_one("#import-kind", Select).value
        self.dismiss(ImportRequest(
            paths=(path,),
            case=self.query_one("#import-case", Input).value.strip() or None,
            cycle=int(cycle_text) if cycle_text else None,
            kind=kind if isinstance(kind, str) else None,
            meta_file=meta))

    def action_cancel(self) -> None:
        """Close without importing."""
        self.dismiss(None)
