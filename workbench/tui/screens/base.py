"""What every workbench screen shares: the header line, the footer, and refreshing.

A screen shows data read from the project. When anything changes (a coding here, an import in
a worker, another app instance writing to the same file), the app raises its generation
number; the visible screen reloads at once and the others reload when they are shown again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.markup import escape
from rich.text import Text
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import DataTable, Footer, Static

from workbench.core.store import Project

if TYPE_CHECKING:
    from workbench.tui.app import WorkbenchApp


# The screens, their keys and titles, in the order the header shows them.
NAV = (("f2", "project", "Project"), ("f3", "coding", "Coding"), ("f4", "codebook", "Codebook"),
       ("f5", "memos", "Memos"), ("f6", "review", "Review"),
       ("f7", "stakeholders", "Stakeholders"), ("f8", "network", "Network"),
       ("f9", "query", "Query"))
# Shorter names when the full ones do not fit, then shorter still (an 80-column terminal).
SHORT = {"Codebook": "Codes", "Stakeholders": "Actors"}
TINY = {**SHORT, "Project": "Proj", "Network": "Net"}


def header_markup(width: int, current: str, file_name: str, coder: str) -> str:
    """The header line: the screens with their keys (clickable), then file and coder."""
    labels: list[tuple[str, str, str]] = []
    for names in ({}, SHORT, TINY):
        labels = [(mode, title, f" {key.upper()} {names.get(title, title)} ")
                  for key, mode, title in NAV]
        if sum(len(label) for _, _, label in labels) <= width:
            break
    line = "".join(f"[reverse b]{label}[/]" if title == current
                   else f"[@click=app.switch_mode('{mode}')]{label}[/]"
                   for mode, title, label in labels)
    room = width - sum(len(label) for _, _, label in labels) - 2
    extra = escape(f" · {file_name} · {coder}")
    if room >= len(extra) + len(" · F1 help"):
        line += f"[dim]{extra} · F1 help[/dim]"
    elif room >= len(extra):
        line += f"[dim]{extra}[/dim]"
    return line


class AppHeader(Static):
    """One line: the screens and their keys (click or press), the project file, the coder."""

    DEFAULT_CSS = """
    AppHeader {
        dock: top;
        height: 1;
        background: $panel;
        color: $foreground;
        padding: 0 0;
    }
    """


def cells(*values: Any) -> list[Text]:
    """Table cells as plain text: a DataTable would read "[griner]" in a string as markup."""
    return [v if isinstance(v, Text) else Text("" if v is None else str(v)) for v in values]


def titled(widget: Widget, title: str) -> Widget:
    """Give a widget a border title (before it is mounted) and return it."""
    widget.border_title = title
    return widget


def table(widget_id: str, *columns: str, cursor_type: str = "row") -> DataTable:
    """A DataTable with its columns, ready to be yielded in ``compose``."""
    data_table: DataTable = DataTable(id=widget_id, cursor_type=cursor_type,  # type: ignore[arg-type]
                                      zebra_stripes=True)
    data_table.add_columns(*columns)
    return data_table


class WorkbenchScreen(Screen):
    """A screen that shows project data and reloads it when the project changes."""

    SCREEN_TITLE = ""
    HELP_SUMMARY = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.seen_generation = -1

    @property
    def wb(self) -> WorkbenchApp:
        """The app, typed."""
        return self.app  # type: ignore[return-value]

    @property
    def project(self) -> Project:
        """The open project (the app's connection)."""
        return self.wb.project

    def compose_header(self) -> ComposeResult:
        """The header line; call first in ``compose``."""
        yield AppHeader(self._header_text(), id="app-header")

    def compose_footer(self) -> ComposeResult:
        """The footer with the bindings; call last in ``compose``."""
        yield Footer(id="app-footer", compact=self.app.size.width < 140,
                     show_command_palette=self.app.size.width >= 140)

    def _header_text(self) -> str:
        try:
            name = self.project.path.name
            coder = self.project.coder
        except Exception:  # before the app is attached
            name, coder = "", ""
        return header_markup(self.app.size.width, self.SCREEN_TITLE, name, coder)

    def on_screen_resume(self) -> None:
        self._update_size_classes()
        if self.seen_generation != self.wb.generation:
            self.refresh_data()

    def on_resize(self) -> None:
        self._update_size_classes()
        try:
            self.query_one("#app-header", AppHeader).update(self._header_text())
        except Exception:  # not composed yet
            pass

    def _update_size_classes(self) -> None:
        width, height = self.app.size
        self.set_class(width >= 140, "-wide")
        self.set_class(width < 100, "-narrow")
        self.set_class(height < 30, "-short")
        self.set_class(height >= 30, "-tall")

    def refresh_data(self) -> None:
        """Reload everything the screen shows from the project."""
        self.seen_generation = self.wb.generation
        try:
            self.query_one("#app-header", AppHeader).update(self._header_text())
        except Exception:  # not composed yet
            pass
        self.wb.attempt(self.load)

    def load(self) -> None:
        """Read the project and fill the widgets (implemented by each screen)."""
