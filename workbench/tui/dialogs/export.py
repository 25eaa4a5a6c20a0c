"""Exporting: a quote set, the whole project (.qdpx), the codebook (.qdc) or the HTML report.

The dialog checks at once what is cheap to check (the query against the codebook, the folder,
the file's extension) and shows the core's sentence when something is wrong, so nothing is
written from a bad request. The export itself is :func:`run_export`: the app runs it in a
thread worker with its own connection to the project file, and the worker only posts an
:class:`ExportDone` message.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from workbench.core.store import Project
from workbench.errors import InvalidInput, WorkbenchError
from workbench.exporters.registry import PROJECT_FORMATS, QUOTE_FORMATS
from workbench.tui.dialogs.import_files import PathSuggester

# What can be exported, as the dialog lists it.
EXPORT_KINDS = (("quotes", "Quote set (a query over codes)"),
                ("qdpx", "Whole project as REFI-QDA (.qdpx)"),
                ("qdc", "Codebook as REFI-QDA (.qdc)"),
                ("report", "HTML report for supervisors"))
KIND_NAMES = {"quotes": "the quote set", "qdpx": "the project", "qdc": "the codebook",
              "report": "the report"}
# Appended to the project's file stem for the default file beside it.
FILE_SUFFIXES = {"quotes": "-quotes", "qdpx": "", "qdc": "-codebook", "report": "-report"}
REPORT_EXTENSIONS = (".html", ".htm")
DEFAULT_QUOTE_FORMAT = "docx"
# Names the query parser would not read as one bare code name.
_QUERY_WORDS = {"and", "or", "not"}
_QUERY_MARKS = set("()\"'„“”»«‘’")


@dataclass(frozen=True)
class ExportRequest:
    """What the user asked to export.

    Attributes:
        what: "quotes", "qdpx", "qdc" or "report".
        path: the file to write.
        query: the boolean query over codes (quote sets only).
        format_name: the quote format (md, tex, docx, csv, xlsx, json).
        pseudonymise: replace names and personal data in the quotes.
        within: "overlap" or "segment" (quote sets only).
        filters: (key, values) pairs for the retrieval filters (case, cycle, sector ...).
    """

    what: str
    path: Path
    query: str = ""
    format_name: str = DEFAULT_QUOTE_FORMAT
    pseudonymise: bool = False
    within: str = "overlap"
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def what_name(self) -> str:
        """What is exported, in words ("the quote set")."""
        return KIND_NAMES[self.what]


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote: the file, one sentence for the user, and the number of quotes."""

    path: Path
    message: str
    quotes: int | None = None
    warning: bool = False


class ExportDone(Message):
    """An export finished: ``result`` when it wrote the file, else ``error`` (one sentence)."""

    def __init__(self, request: ExportRequest, result: ExportResult | None = None,
                 error: str | None = None) -> None:
        super().__init__()
        self.request = request
        self.result = result
        self.error = error


# ------------------------------------------------------------------------------ helpers
def extensions_for(what: str, format_name: str = DEFAULT_QUOTE_FORMAT) -> tuple[str, ...]:
    """The file extensions (with dots) an export of ``what`` writes, the usual one first."""
    if what == "quotes":
        return QUOTE_FORMATS.get(format_name).extensions
    if what == "report":
        return REPORT_EXTENSIONS
    return PROJECT_FORMATS.get(what).extensions


def default_path(project_path: Path, what: str,
                 format_name: str = DEFAULT_QUOTE_FORMAT) -> Path:
    """The file an export writes by default: beside the project, named after it."""
    extension = extensions_for(what, format_name)[0]
    return project_path.with_name(f"{project_path.stem}{FILE_SUFFIXES[what]}{extension}")


def query_for_codes(names: Iterable[str]) -> str:
    """A query asking for passages with all these codes ("tillid AND konflikt").

    Names with spaces, brackets, quote marks or an operator word are quoted, so the query
    reads them back as one code each.
    """
    parts = []
    for name in dict.fromkeys(names):
        plain = name.split() == [name] and name.lower() not in _QUERY_WORDS \
            and not _QUERY_MARKS & set(name)
        if plain:
            parts.append(name)
        elif '"' in name:
            parts.append(f"»{name}«")
        else:
            parts.append(f'"{name}"')
    return " AND ".join(parts)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


# ------------------------------------------------------------------------------ the export
def _export_quotes(project: Project, request: ExportRequest) -> ExportResult:
    from workbench.exporters import pseudonymise as pseudo
    from workbench.exporters.quotes import build_quote_set, write_quote_set

    pseudonymiser = pseudo.for_project(project) if request.pseudonymise else None
    quote_set = build_quote_set(project, request.query, within=request.within,
                                pseudonymiser=pseudonymiser, **dict(request.filters))
    written = write_quote_set(quote_set, request.path, format_name=request.format_name)
    count = len(quote_set.quotes)
    message = f"Wrote {_plural(count, 'quote')} to {request.path} ({written})"
    warning = count == 0
    if not count:
        message += f"; no passage matches {request.query}"
    if quote_set.pseudonymised:
        replaced = sum(quote_set.replaced.values())
        message += f", pseudonymised ({_plural(replaced, 'replacement')})"
        if not project.conn.execute("SELECT COUNT(*) FROM tagged_documents").fetchone()[0]:
            # Without tagging only known names are replaced: the user must know.
            message += ("; no document is tagged, so only participants' and listed names "
                        "were replaced (t on the Project screen tags)")
            warning = True
    return ExportResult(request.path, message + ".", quotes=count, warning=warning)


def _export_project(project: Project, request: ExportRequest) -> ExportResult:
    summary = PROJECT_FORMATS.get(request.what).writer(project, request.path)
    if request.what == "qdc":
        return ExportResult(request.path, f"Wrote the codebook ({_plural(summary.codes, 'code')})"
                                          f" to {request.path}.")
    return ExportResult(request.path, (
        f"Wrote {request.path}: {_plural(summary.sources, 'document')}, "
        f"{_plural(summary.codings, 'coding')}, {_plural(summary.codes, 'code')}, "
        f"{_plural(summary.notes, 'note')}."))


def _export_report(project: Project, request: ExportRequest) -> ExportResult:
    from workbench.analysis.report import write_report

    write_report(project, request.path)
    return ExportResult(request.path, f"Wrote the report to {request.path}.")


EXPORTERS: dict[str, Callable[[Project, ExportRequest], ExportResult]] = {
    "quotes": _export_quotes, "qdpx": _export_project, "qdc": _export_project,
    "report": _export_report}


def run_export(request: ExportRequest, project_path: Path,
               coder: str | None = None) -> ExportResult:
    """Write one export with a connection of its own (safe to call in a worker thread).

    Raises:
        WorkbenchError: the core refused (bad query, unknown code, missing folder) or the
            file could not be written; the message is one sentence for the user.
    """
    try:
        with Project.open(project_path, coder=coder) as project:
            return EXPORTERS[request.what](project, request)
    except OSError as exc:
        raise WorkbenchError(f"Cannot write {request.path} ({exc.strerror or exc}); choose "
                             "another file or folder.") from exc


# ------------------------------------------------------------------------------ the dialog
class ExportDialog(ModalScreen[ExportRequest | None]):
    """Choose what to export, the query and format of a quote set, and the file to write."""

    STYLESHEET = "dialogs.tcss"  # loaded once by the app, see WorkbenchApp.CSS_PATH

    BINDINGS = [
        Binding("ctrl+s", "submit", "Export"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, project: Project, *, query: str = "", what: str = "quotes",
                 format_name: str = DEFAULT_QUOTE_FORMAT) -> None:
        """Prepare the dialog.

        Args:
            project: the open project (the query is checked against its codebook).
            query: the query to start with (the codes of the current selection).
            what: the kind of export chosen at first.
            format_name: the quote format chosen at first.
        """
        super().__init__()
        self.project = project
        self.query_text = query
        self.what = what
        self.format_name = format_name
        self.default = str(default_path(project.path, what, format_name))

    def compose(self) -> ComposeResult:
        # The description up to its colon ("Word"): the whole one wraps in 80 columns.
        formats = [(f"{fmt.name} · {fmt.description.split(':')[0]}", fmt.name)
                   for fmt in QUOTE_FORMATS.formats()]
        with Vertical(id="export-box", classes="dialog-box"):
            yield Label("Export", classes="dialog-title")
            yield Select([(label, name) for name, label in EXPORT_KINDS], allow_blank=False,
                         value=self.what, id="export-what", compact=True)
            with Vertical(id="export-quote-fields"):
                yield Label("Query over codes (AND, OR, NOT, brackets; filters as "
                            "cycle=2 sector=region within=segment …)", classes="field-label")
                yield Input(self.query_text, placeholder="e.g. tillid AND konflikt",
                            id="export-query", compact=True)
                with Horizontal(id="export-quote-options"):
                    yield Select(formats, allow_blank=False, value=self.format_name,
                                 id="export-format", compact=True)
                    yield Checkbox("Pseudonymise", id="export-pseudonymise", compact=True)
            yield Label("File to write (replaced if it exists)", classes="field-label")
            yield Input(self.default, suggester=PathSuggester(), id="export-path",
                        compact=True)
            yield Static("", id="export-error", classes="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Export (ctrl+s)", variant="primary", id="export-go",
                             compact=True)
                yield Button("Cancel (esc)", id="export-cancel", compact=True)

    def on_mount(self) -> None:
        self._show_fields()
        self.query_one("#export-query" if self.what == "quotes" else "#export-what").focus()

    def _show_fields(self) -> None:
        self.query_one("#export-quote-fields").display = self.what == "quotes"

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        if not isinstance(event.value, str):
            return
        if event.select.id == "export-what":
            self.what = event.value
            self._show_fields()
        elif event.select.id == "export-format":
            self.format_name = event.value
        self._follow_choice()

    def _follow_choice(self) -> None:
        """Keep the file name in step with the choice: the new default, or the new extension."""
        new_default = str(default_path(self.project.path, self.what, self.format_name))
        field = self.query_one("#export-path", Input)
        current = field.value.strip()
        if not current or current == self.default:
            field.value = new_default
        else:
            path = Path(current)
            wanted = extensions_for(self.what, self.format_name)
            if path.suffix.lower() not in wanted:
                field.value = str(path.with_suffix(wanted[0]))
        self.default = new_default
        self._error("")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "export-go":
            self.action_submit()
        else:
            self.action_cancel()

    def _error(self, message: str) -> None:
        self.query_one("#export-error", Static).update(message)

    def _checked_path(self) -> Path:
        """The file to write, checked; InvalidInput says what is wrong with it."""
        raw = self.query_one("#export-path", Input).value.strip()
        if not raw:
            raise InvalidInput("Give the file to write, e.g. "
                               f"{default_path(self.project.path, self.what, self.format_name)}.")
        path = Path(os.path.expanduser(raw))
        if path.is_dir():
            raise InvalidInput(f"{path} is a folder; give a file name in it.")
        if path.resolve() == self.project.path.resolve():
            raise InvalidInput(f"{path} is the project file itself; choose another file name.")
        folder = path.parent
        if not folder.is_dir():
            raise InvalidInput(f"The folder {folder} does not exist; create it first or "
                               "choose another folder.")
        if not os.access(folder, os.W_OK):
            raise InvalidInput(f"The folder {folder} cannot be written to; choose another "
                               "folder.")
        wanted = extensions_for(self.what, self.format_name)
        if path.suffix.lower() not in wanted:
            chosen = self.format_name if self.what == "quotes" else self.what
            raise InvalidInput(f"{path.name} does not end in {wanted[0]} as {chosen} files "
                               "do; change the file name or the format.")
        return path

    def action_submit(self) -> None:
        """Check the request (query, folder, extension) and close with it."""
        from workbench.core.retrieval import compile_query

        query_field = self.query_one("#export-query", Input)
        query = query_field.value.strip()
        try:
            path = self._checked_path()
        except WorkbenchError as exc:
            self._error(str(exc))
            self.query_one("#export-path", Input).focus()
            return
        within, filters = "overlap", ()
        if self.what == "quotes":
            # The same line as on the Query screen: the query, then key=value filters.
            from workbench.tui.screens.query import parse_request

            try:
                request = parse_request(query)
                compile_query(self.project, request.query)
            except WorkbenchError as exc:
                self._error(str(exc))
                query_field.focus()
                return
            query, within, filters = request.query, request.within, request.filters
        self.dismiss(ExportRequest(
            what=self.what, path=path, query=query, format_name=self.format_name,
            pseudonymise=self.what == "quotes"
            and self.query_one("#export-pseudonymise", Checkbox).value,
            within=within, filters=filters))

    def action_cancel(self) -> None:
        """Close without exporting."""
        self.dismiss(None)
