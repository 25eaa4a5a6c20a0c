"""The workbench app: screens for the project, coding, codebook, memos, review, stakeholders.

Each screen is a mode with its own stack (so a dialog open on one screen stays there); F2-F9
switch between them and the command palette (ctrl+p) lists them too. The app holds the one
project connection the screens read and write through; workers open their own. Exports (x on
the Project and Review screens, "Export…" in the palette) run in a worker of the app itself, so
one finishes and is announced whichever screen is showing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from workbench.core import history
from workbench.core.store import Project
from workbench.errors import WorkbenchError
from workbench.tui.dialogs.export import ExportDialog, ExportDone, ExportRequest, run_export
from workbench.tui.screens.base import NAV
from workbench.tui.screens.codebook import CodebookScreen
from workbench.tui.screens.coding import CodingScreen
from workbench.tui.screens.help import HelpScreen
from workbench.tui.screens.memos import MemosScreen
from workbench.tui.screens.network import NetworkScreen
from workbench.tui.screens.project import ProjectScreen
from workbench.tui.screens.query import QueryScreen
from workbench.tui.screens.review import ReviewScreen
from workbench.tui.screens.stakeholders import StakeholdersScreen


def stylesheets() -> list[Path]:
    """The app's stylesheet, then each screen's and dialog's (named by its STYLESHEET)."""
    import inspect

    from workbench.tui.dialogs import (
        code_editor,
        confirm,
        export,
        import_files,
        memo_editor,
        picker,
        prompt,
    )

    classes = [ProjectScreen, CodingScreen, CodebookScreen, MemosScreen, ReviewScreen,
               StakeholdersScreen, NetworkScreen, QueryScreen, HelpScreen, picker.FuzzyPicker,
               confirm.ConfirmDialog,
               prompt.PromptDialog, import_files.ImportDialog, code_editor.CodeEditor,
               memo_editor.MemoEditor, export.ExportDialog]
    paths = [Path(__file__).parent / "styles" / "app.tcss"]
    for cls in classes:
        path = Path(inspect.getfile(cls)).parent / cls.STYLESHEET
        if path not in paths:
            paths.append(path)
    return paths


POLL_SECONDS = 1.5


class WorkbenchApp(App[None]):
    """A keyboard-first coding workbench on one project file."""

    TITLE = "workbench"
    # Every screen's and dialog's stylesheet is read once at start: a screen that brings its
    # own CSS_PATH makes Textual re-parse all the CSS the first time it is shown.
    CSS_PATH = stylesheets()
    SCREENS = {
        "project": ProjectScreen, "coding": CodingScreen, "codebook": CodebookScreen,
        "memos": MemosScreen, "review": ReviewScreen, "stakeholders": StakeholdersScreen,
        "network": NetworkScreen, "query": QueryScreen,
    }
    MODES = {name: name for name in SCREENS}
    DEFAULT_MODE = "project"

    BINDINGS = [
        Binding("f1", "help", "Help"),
        Binding("f2", "switch_mode('project')", "Project"),
        Binding("f3", "switch_mode('coding')", "Coding"),
        Binding("f4", "switch_mode('codebook')", "Codebook"),
        Binding("f5", "switch_mode('memos')", "Memos"),
        Binding("f6", "switch_mode('review')", "Review"),
        Binding("f7", "switch_mode('stakeholders')", "Stakeholders"),
        Binding("f8", "switch_mode('network')", "Network"),
        Binding("f9", "switch_mode('query')", "Query"),
        Binding("ctrl+z", "undo", "Undo", show=False),
        Binding("ctrl+y", "redo", "Redo", show=False),
        Binding("ctrl+r", "reload", "Refresh", show=False),
        Binding("ctrl+t", "toggle_dark", "Light/dark theme", show=False),
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True),
    ]

    def __init__(self, project_path: str | Path, *, coder: str | None = None,
                 document: int | None = None, poll: bool = True,
                 warm_up: bool = False) -> None:
        """Open the project (its own connection) and prepare the screens.

        Args:
            project_path: the project file.
            coder: who is coding (default: the project's default coder, else the OS user).
            document: a document id to open on the coding screen at start.
            poll: watch the file for changes made by other programs and refresh.
            warm_up: build the coding screen in the background right after start, so the
                first document opens without waiting for it.
        """
        super().__init__()
        self.project = Project.open(project_path, coder=coder)
        self.generation = 0
        self.start_document = document
        self.poll = poll
        self.warm_up = warm_up
        self.warmed_up = False
        self.exporting = False
        self._data_version = self._read_data_version()
        self.theme = "textual-dark"

    # ------------------------------------------------------------------ lifecycle
    def on_mount(self) -> None:
        if self.poll:
            self.set_interval(POLL_SECONDS, self._check_for_changes)
        if self.start_document is not None:
            self.open_document(self.start_document)
        elif self.warm_up:
            # Build the coding screen once the first screen is up, so that opening the first
            # document does not wait for it.
            self.call_after_refresh(self._warm_up)

    def _warm_up(self) -> None:
        if self.current_mode == "project" and len(self.screen_stack) == 1:
            self.switch_mode("coding")
            self.switch_mode("project")
            self.call_after_refresh(self._warm_up_styles, 10)

    def _warm_up_styles(self, tries: int) -> None:
        """Bring the built coding screen's styles up to date while nobody is looking.

        Textual refreshes a screen's CSS the first time it is shown if the screen was built
        while hidden (a quarter of a second for the coding screen); doing it now keeps that
        out of opening the first document.
        """
        coding = self.get_screen("coding")
        if not coding.is_mounted:
            if tries:
                self.call_after_refresh(self._warm_up_styles, tries - 1)
            return
        if hasattr(coding, "_css_update_count"):
            self.stylesheet.update(coding, animate=False)
            coding._css_update_count = self._css_update_count
        self.warmed_up = True

    def on_unmount(self) -> None:
        self.project.close()

    def _read_data_version(self) -> int:
        try:
            return self.project.conn.execute("PRAGMA data_version").fetchone()[0]
        except sqlite3.Error:
            return -1

    def _check_for_changes(self) -> None:
        """Refresh when another connection (a worker, another app) committed a change."""
        version = self._read_data_version()
        if version != self._data_version:
            self._data_version = version
            self.data_changed()

    # ------------------------------------------------------------------ shared services
    def notify(self, message: str, *, title: str = "", severity: Any = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        """Show a notification as plain text.

        Messages quote the user's text ("[griner]", code names with brackets); read as markup
        such words would vanish, so markup is always off.
        """
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def attempt(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[bool, Any]:
        """Run a core function; show a WorkbenchError as a notification instead of failing.

        Returns:
            (True, result), or (False, None) when the core refused with a message.
        """
        try:
            return True, fn(*args, **kwargs)
        except WorkbenchError as exc:
            self.notify(str(exc), severity="error", timeout=8)
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                self.notify("The project file is busy (another program is writing to it); "
                            "nothing was changed, try again in a moment.",
                            severity="error", timeout=8)
            else:
                raise
        return False, None

    def data_changed(self, source: Screen | None = None) -> None:
        """The project changed: reload the visible screen now, the others when shown.

        Args:
            source: a screen that already shows the change (it is not reloaded).
        """
        self.generation += 1
        if source is not None and hasattr(source, "seen_generation"):
            source.seen_generation = self.generation
        screen = self.screen
        if screen is not source and hasattr(screen, "refresh_data"):
            screen.refresh_data()
        else:
            # A dialog may be on top of the mode's screen: refresh the screen under it.
            for candidate in reversed(self.screen_stack):
                if candidate is not source and hasattr(candidate, "refresh_data"):
                    candidate.refresh_data()
                    break

    def open_document(self, document_id: int, *, offset: int | None = None,
                      selection: tuple[int, int] | None = None) -> None:
        """Show a document on the coding screen (at an offset or with a span selected)."""
        coding = self.get_screen("coding")
        assert isinstance(coding, CodingScreen)
        coding.open_document(document_id, offset=offset, selection=selection)
        self.switch_mode("coding")

    # ------------------------------------------------------------------ actions
    async def action_switch_mode(self, mode: str) -> None:
        """Show another screen (closing the help first, so it does not wait there)."""
        self.show_mode(mode)

    def show_mode(self, mode: str) -> None:
        """Switch to a screen by mode name, closing the help if it is open."""
        if isinstance(self.screen, HelpScreen):
            self.pop_screen()
        self.switch_mode(mode)

    def action_help(self) -> None:
        """Show every key binding."""
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_undo(self) -> None:
        """Undo the last change (coding, code edit, memo …)."""
        ok, entry = self.attempt(history.undo, self.project)
        if ok:
            self.notify(f"Undone: {entry['summary']}", timeout=3)
            self.data_changed()

    def action_redo(self) -> None:
        """Redo the change undone last."""
        ok, entry = self.attempt(history.redo, self.project)
        if ok:
            self.notify(f"Redone: {entry['summary']}", timeout=3)
            self.data_changed()

    def action_reload(self) -> None:
        """Reload what the screen shows from the file (picks up other people's changes)."""
        self._data_version = self._read_data_version()
        self.data_changed()
        self.notify("Refreshed from the project file.", timeout=2)

    def action_export(self) -> None:
        """Export a quote set, the project (.qdpx), the codebook (.qdc) or the HTML report."""
        if self.exporting:
            self.notify("An export is already running; wait for it to finish.",
                        severity="warning")
            return
        # The quote query starts from the codes the screen under any dialog has selected.
        query = ""
        for screen in reversed(self.screen_stack):
            if hasattr(screen, "export_query"):
                query = screen.export_query()
                break
        self.push_screen(ExportDialog(self.project, query=query), self._start_export)

    def _start_export(self, request: ExportRequest | None) -> None:
        if request is None:
            return
        self.exporting = True
        self.notify(f"Exporting {request.what_name} to {request.path} …", timeout=3)
        self._export_worker(request, self.project.path, self.project.coder)

    @work(thread=True, group="export")
    def _export_worker(self, request: ExportRequest, path: Path, coder: str) -> None:
        """Export in a thread with its own connection; only posts a message."""
        try:
            result = run_export(request, path, coder)
        except WorkbenchError as exc:
            self.post_message(ExportDone(request, error=str(exc)))
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            self.post_message(ExportDone(request, error=(
                "The project file is busy (another program is writing to it); nothing was "
                "exported, try again in a moment.")))
            return
        self.post_message(ExportDone(request, result))

    def on_export_done(self, message: ExportDone) -> None:
        self.exporting = False
        if message.result is None:
            self.notify(message.error or "The export failed.", severity="error", timeout=8)
            return
        self.notify(message.result.message, timeout=8,
                    severity="warning" if message.result.warning else "information")

    def action_toggle_dark(self) -> None:
        """Switch between the dark and the light theme."""
        self.theme = "textual-light" if self.theme == "textual-dark" else "textual-dark"
        self.data_changed()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for key, mode, title in NAV:
            yield SystemCommand(f"{title} screen ({key})", f"Switch to the {title} screen",
                                lambda mode=mode: self.show_mode(mode))
        yield SystemCommand("Query screen (f9)", "Find coded passages by a boolean query over "
                            "codes", lambda: self.show_mode("query"))
        yield SystemCommand("Help: keys (f1)", "Every key binding, by screen", self.action_help)
        yield SystemCommand("Undo (ctrl+z)", "Undo the last change", self.action_undo)
        yield SystemCommand("Redo (ctrl+y)", "Redo the change undone last", self.action_redo)
        yield SystemCommand("Refresh (ctrl+r)", "Reload from the project file",
                            self.action_reload)
        yield SystemCommand("Light/dark theme (ctrl+t)", "Toggle the theme",
                            self.action_toggle_dark)
        yield SystemCommand("Import files…", "Import files or a folder into the project",
                            self._import_from_palette)
        yield SystemCommand("Export…", "A quote set, the project (.qdpx), the codebook (.qdc) "
                            "or the HTML report", self.action_export)
        yield SystemCommand("Open document…", "Open a document on the coding screen",
                            self._open_from_palette)

    def _import_from_palette(self) -> None:
        self.switch_mode("project")
        project_screen = self.get_screen("project")
        self.call_after_refresh(project_screen.action_import)  # type: ignore[attr-defined]

    def _open_from_palette(self) -> None:
        self.switch_mode("coding")
        coding = self.get_screen("coding")
        self.call_after_refresh(coding.action_open_document)  # type: ignore[attr-defined]


def run_app(project_path: str | Path, *, coder: str | None = None,
            document: int | None = None) -> None:
    """Open the TUI on a project file and return when the user quits."""
    WorkbenchApp(project_path, coder=coder, document=document, warm_up=True).run()
