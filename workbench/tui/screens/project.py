"""The project screen: documents, cases, cycles and participants; importing and tagging.

Importing and tagging run in thread workers, each with its own connection to the project file.
A worker only posts messages (one per file or document, then a summary); the handlers here
update the progress bar, the log and the tables.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Label, ProgressBar, RichLog, Static, TabbedContent, TabPane
from textual.worker import get_current_worker

from workbench.core import cases as cases_core
from workbench.core.store import Project
from workbench.errors import WorkbenchError
from workbench.importers.batch import ImportEvent, import_paths
from workbench.tui import data
from workbench.tui.dialogs.import_files import ImportDialog, ImportRequest
from workbench.tui.screens.base import WorkbenchScreen, cells, table


class ImportProgress(Message):
    """One file of an import finished (imported, skipped or failed)."""

    def __init__(self, event: ImportEvent) -> None:
        super().__init__()
        self.event = event


class ImportDone(Message):
    """An import finished; ``error`` is set when it could not start."""

    def __init__(self, counts: dict[str, int], error: str | None = None) -> None:
        super().__init__()
        self.counts = counts
        self.error = error


class TagProgress(Message):
    """One document of a tagging run is done (or the run started)."""

    def __init__(self, event: Any) -> None:
        super().__init__()
        self.event = event


class TagDone(Message):
    """A tagging run finished; ``error`` is set when it could not run."""

    def __init__(self, counts: dict[str, Any], error: str | None = None) -> None:
        super().__init__()
        self.counts = counts
        self.error = error


class ProjectScreen(WorkbenchScreen):
    """Documents, cases, cycles and participants; import."""

    STYLESHEET = "project.tcss"  # loaded once by the app, see WorkbenchApp.CSS_PATH
    SCREEN_TITLE = "Project"
    HELP_SUMMARY = "What the project holds. Enter opens a document on the coding screen."

    BINDINGS = [
        Binding("i", "import", "Import…"),
        Binding("o", "open_selected", "Open"),
        Binding("t", "tag", "Tag"),
        Binding("x", "app.export", "Export…"),
        Binding("l", "toggle_log", "Show/hide the log", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.busy = False
        self.last_import: dict[str, int] | None = None

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        yield Static("", id="project-summary")
        with Horizontal(id="project-body"):
            with Vertical(id="documents-pane"):
                yield Label("Documents", classes="pane-title")
                yield table("document-table", "Name", "Kind", "Case", "Cycle", "Participant",
                            "Words", "Coded %", "Codings")
            with TabbedContent(id="project-tabs"):
                with TabPane("Cases", id="cases-tab"):
                    yield table("case-table", "Case", "Documents", "Participants", "Words")
                with TabPane("Cycles", id="cycles-tab"):
                    yield table("cycle-table", "No.", "Name", "Phase", "From", "To",
                                "Documents", "Memos")
                with TabPane("Participants", id="participants-tab"):
                    yield table("participant-table", "Label", "Role", "Organisation",
                                "Sector", "Case", "Documents", "Turns")
        with Vertical(id="import-panel"):
            yield Label("Import", id="import-title", classes="pane-title")
            yield ProgressBar(id="import-progress", show_eta=False)
            yield RichLog(id="import-log", wrap=True, markup=False, max_lines=500)
        yield from self.compose_footer()

    # ------------------------------------------------------------------ loading
    def load(self) -> None:
        """Fill the summary and the tables."""
        summary = data.project_summary(self.project)
        self.query_one("#project-summary", Static).update(
            f" {summary['documents']} documents · {summary['words']:,} words · "
            f"{summary['codes']} codes · {summary['codings']} codings · "
            f"{summary['memos']} memos · {summary['suggestions']} open suggestions"
            .replace(",", "."))
        docs = self.query_one("#document-table", DataTable)
        keep = self.selected_document_id()
        docs.clear()
        for row in data.documents_overview(self.project):
            docs.add_row(*cells(row["name"], row["kind"].replace("_", " "), row["case"] or "",
                         str(row["cycle"] or ""), row["participant"] or "",
                         Text(str(row["words"]), justify="right"),
                         Text(f"{row['coded_pct']:.0f}", justify="right"),
                         Text(str(row["codings"]), justify="right")), key=str(row["id"]))
        if keep is not None:
            try:
                docs.move_cursor(row=docs.get_row_index(str(keep)))
            except Exception:  # the document is gone
                pass
        cases = self.query_one("#case-table", DataTable)
        cases.clear()
        for row in cases_core.list_cases(self.project):
            cases.add_row(*cells(row["name"], str(row["documents"]), str(row["participants"]),
                          str(row["words"])), key=str(row["id"]))
        cycles = self.query_one("#cycle-table", DataTable)
        cycles.clear()
        for row in cases_core.list_cycles_with_counts(self.project):
            cycles.add_row(*cells(str(row["number"]), row["name"], row["phase"],
                           row["start_date"] or "", row["end_date"] or "",
                           str(row["documents"]), str(row["memos"])), key=str(row["id"]))
        people = self.query_one("#participant-table", DataTable)
        people.clear()
        for row in cases_core.list_participants(self.project):
            people.add_row(*cells(row["label"], row["role"], row["organisation"],
                           row["sector"].replace("_", " "), row["case"] or "",
                           str(row["documents"]), str(row["turns"])), key=str(row["id"]))

    def selected_document_id(self) -> int | None:
        """The id of the document under the table cursor."""
        table = self.query_one("#document-table", DataTable)
        if not table.row_count:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        except Exception:  # no cursor yet
            return None
        return int(key.value) if key.value is not None else None

    # ------------------------------------------------------------------ opening
    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "document-table" and event.row_key.value is not None:
            event.stop()
            self.wb.open_document(int(event.row_key.value))

    def action_open_selected(self) -> None:
        """Open the highlighted document on the coding screen."""
        doc_id = self.selected_document_id()
        if doc_id is not None:
            self.wb.open_document(doc_id)

    # ------------------------------------------------------------------ importing
    def action_import(self) -> None:
        """Choose files or a folder to import."""
        if self.busy:
            self.notify("An import or tagging run is already going; wait for it to finish.",
                        severity="warning")
            return
        self.app.push_screen(ImportDialog(Path.cwd()), self._start_import)

    def _start_import(self, request: ImportRequest | None) -> None:
        if request is None:
            return
        self.start_import(request)

    def start_import(self, request: ImportRequest) -> None:
        """Run an import in a worker, showing progress here."""
        self.busy = True
        panel = self.query_one("#import-panel")
        panel.display = True
        log = self.query_one("#import-log", RichLog)
        log.clear()
        names = ", ".join(str(p) for p in request.paths)
        self.query_one("#import-title", Label).update(f"Importing {names} …")
        self.query_one("#import-progress", ProgressBar).update(total=None, progress=0)
        self._import_worker(request, self.project.path, self.project.coder)

    @work(thread=True, exclusive=True, group="import")
    def _import_worker(self, request: ImportRequest, path: Path, coder: str) -> None:
        """Import in a thread with its own connection; only posts messages."""
        counts = {"imported": 0, "skipped": 0, "failed": 0}
        worker = get_current_worker()
        try:
            with Project.open(path, coder=coder) as project:
                for event in import_paths(project, request.paths, case=request.case,
                                          cycle=request.cycle, kind=request.kind,
                                          meta_file=request.meta_file):
                    counts[event.status] = counts.get(event.status, 0) + 1
                    self.post_message(ImportProgress(event))
                    if worker.is_cancelled:
                        break
        except WorkbenchError as exc:
            self.post_message(ImportDone(counts, str(exc)))
            return
        self.post_message(ImportDone(counts))

    def on_import_progress(self, message: ImportProgress) -> None:
        event = message.event
        self.query_one("#import-progress", ProgressBar).update(total=event.total,
                                                               progress=event.index)
        line = Text()
        if event.status == "imported":
            line.append("✓ ", style="bold green")
            line.append(event.message)
        elif event.status == "skipped":
            line.append("· ", style="dim")
            line.append(event.message, style="dim")
        else:
            line.append("✗ ", style="bold red")
            line.append(event.message, style="red")
        self.query_one("#import-log", RichLog).write(line)

    def on_import_done(self, message: ImportDone) -> None:
        self.busy = False
        self.last_import = dict(message.counts)
        counts = message.counts
        title = self.query_one("#import-title", Label)
        if message.error:
            title.update("Import failed")
            self.query_one("#import-log", RichLog).write(Text(f"✗ {message.error}",
                                                              style="red"))
            self.notify(message.error, severity="error", timeout=8)
        else:
            summary = (f"{counts['imported']} imported, {counts['skipped']} skipped, "
                       f"{counts['failed']} failed")
            title.update(f"Import finished: {summary} (l hides this log)")
            self.notify(f"Import finished: {summary}.",
                        severity="warning" if counts["failed"] else "information")
        self.wb.data_changed()

    # ------------------------------------------------------------------ tagging
    def action_tag(self) -> None:
        """Tag new and changed documents (stakeholders, suggestions) in a worker."""
        if self.busy:
            self.notify("An import or tagging run is already going; wait for it to finish.",
                        severity="warning")
            return
        self.busy = True
        self.query_one("#import-panel").display = True
        self.query_one("#import-log", RichLog).clear()
        self.query_one("#import-title", Label).update("Tagging: loading the Danish pipeline …")
        self.query_one("#import-progress", ProgressBar).update(total=None, progress=0)
        self._tag_worker(self.project.path, self.project.coder)

    @work(thread=True, exclusive=True, group="import")
    def _tag_worker(self, path: Path, coder: str) -> None:
        """Tag in a thread with its own connection; only posts messages."""
        from workbench.nlp.tagging import tag_project

        counts: dict[str, Any] = {}
        try:
            with Project.open(path, coder=coder) as project:
                for event in tag_project(project):
                    if event.status == "done":
                        counts = event.counts
                    else:
                        self.post_message(TagProgress(event))
        except WorkbenchError as exc:
            self.post_message(TagDone(counts, str(exc)))
            return
        self.post_message(TagDone(counts))

    def on_tag_progress(self, message: TagProgress) -> None:
        event = message.event
        bar = self.query_one("#import-progress", ProgressBar)
        title = self.query_one("#import-title", Label)
        if event.status == "start":
            bar.update(total=max(1, event.total), progress=0)
            title.update(f"Tagging {event.total} new or changed document(s) …")
            return
        bar.update(total=event.total, progress=event.index)
        found = event.counts
        self.query_one("#import-log", RichLog).write(Text.assemble(
            ("✓ ", "bold green"), f"{event.document}: {event.words} words, "
            f"{found.get('mentions', 0)} mentions, {found.get('suggestions', 0)} suggestions"))

    def on_tag_done(self, message: TagDone) -> None:
        self.busy = False
        title = self.query_one("#import-title", Label)
        if message.error:
            title.update("Tagging failed")
            self.query_one("#import-log", RichLog).write(Text(f"✗ {message.error}",
                                                              style="red"))
            self.notify(message.error, severity="error", timeout=8)
        else:
            counts = message.counts
            summary = (f"{counts.get('documents', 0)} tagged, {counts.get('unchanged', 0)} "
                       f"unchanged, {counts.get('suggestions', 0)} suggestions, "
                       f"{counts.get('mentions', 0)} stakeholder mentions")
            self.query_one("#import-progress", ProgressBar).update(total=1, progress=1)
            title.update(f"Tagging finished: {summary} (l hides this log)")
            self.notify(f"Tagging finished: {summary}.")
        self.wb.data_changed()

    def action_toggle_log(self) -> None:
        """Show or hide the import log."""
        panel = self.query_one("#import-panel")
        panel.display = not panel.display

