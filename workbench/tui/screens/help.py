"""The help screen: every key binding, read from the bindings themselves.

Nothing here is written by hand except the section titles: the keys and their descriptions
come from the BINDINGS of the app, the screens, the widgets and the dialogs, and the code
hotkeys from the project's codebook, so the help cannot fall out of step with the keys.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from workbench.core import codebook
from workbench.tui.dialogs.code_editor import CodeEditor
from workbench.tui.dialogs.confirm import ConfirmDialog
from workbench.tui.dialogs.export import ExportDialog
from workbench.tui.dialogs.import_files import ImportDialog
from workbench.tui.dialogs.memo_editor import MemoEditor
from workbench.tui.dialogs.picker import FuzzyPicker
from workbench.tui.dialogs.prompt import TextDialog
from workbench.tui.screens.base import AppHeader
from workbench.tui.widgets.code_tree import CodeTree
from workbench.tui.widgets.transcript import TranscriptView


def binding_rows(app, bindings: Iterable[BindingType]) -> list[tuple[str, str]]:
    """(keys, description) for each action, keys of one action joined with " / "."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for binding in Binding.make_bindings(bindings):
        description = binding.description or binding.action.replace("_", " ")
        grouped.setdefault((binding.action, description), []).append(
            app.get_key_display(binding))
    return [(", ".join(dict.fromkeys(keys)), description)
            for (_, description), keys in grouped.items()]


class HelpScreen(Screen):
    """Every binding, by screen; Escape or F1 closes it."""

    STYLESHEET = "help.tcss"  # loaded once by the app, see WorkbenchApp.CSS_PATH

    BINDINGS = [
        Binding("escape,f1,q", "close", "Close help"),
    ]

    def compose(self) -> ComposeResult:
        yield AppHeader("[b] Help [/b] · every key, by screen · Esc closes", id="app-header")
        with VerticalScroll(id="help-body"):
            for title, summary, rows in self.sections():
                yield Static(self._section(title, summary, rows), classes="help-section")
        yield Footer()

    def on_mount(self) -> None:
        self.set_class(self.app.size.width >= 140, "-wide")

    def on_resize(self) -> None:
        self.set_class(self.app.size.width >= 140, "-wide")

    def sections(self) -> list[tuple[str, str, list[tuple[str, str]]]]:
        """The help's sections: (title, summary, [(keys, description)])."""
        app = self.app
        sections = [("Everywhere",
                     "Screens switch with F2-F9; ctrl+p opens the command palette.",
                     binding_rows(app, app.BINDINGS)
                     + [(app.get_key_display(Binding(app.COMMAND_PALETTE_BINDING, "")),
                         "Command palette")])]
        screens = getattr(app, "SCREENS", {})
        for screen_class in screens.values():
            rows = binding_rows(app, getattr(screen_class, "BINDINGS", []))
            sections.append((getattr(screen_class, "SCREEN_TITLE", screen_class.__name__),
                             getattr(screen_class, "HELP_SUMMARY", ""), rows))
            if screen_class.__name__ == "CodingScreen":
                sections.append(("Coding: in the transcript",
                                 "Moving, selecting and searching; the footer shows the main "
                                 "ones.", binding_rows(app, TranscriptView.BINDINGS)))
                sections.append(("Coding: code hotkeys (from the codebook)",
                                 "With nothing selected, a hotkey codes the turn under the "
                                 "cursor.", self._hotkey_rows()))
                sections.append(("Code trees", "", binding_rows(app, CodeTree.BINDINGS)))
        for title, dialog in (("Pickers", FuzzyPicker), ("Confirmations", ConfirmDialog),
                              ("Memo text", TextDialog), ("Memo form", MemoEditor),
                              ("Code form", CodeEditor), ("Import", ImportDialog),
                              ("Export", ExportDialog)):
            sections.append((f"Dialog: {title}", "", binding_rows(app, dialog.BINDINGS)))
        sections.append(("Help", "", binding_rows(app, self.BINDINGS)))
        return sections

    def _hotkey_rows(self) -> list[tuple[str, str]]:
        project = getattr(self.app, "project", None)
        if project is None:
            return []
        rows = [(code.hotkey, f"code as {code.name}")
                for code in codebook.list_codes(project) if code.hotkey]
        return rows or [("—", "no code has a hotkey yet (Codebook screen, h)")]

    @staticmethod
    def _section(title: str, summary: str, rows: list[tuple[str, str]]) -> Group:
        table = Table(show_header=False, box=None, padding=(0, 2, 0, 0), expand=False)
        table.add_column("keys", style="bold", no_wrap=True, min_width=14)
        table.add_column("what")
        for keys, description in rows:
            table.add_row(keys, description)
        parts: list = [Text(title, style="bold underline")]
        if summary:
            parts.append(Text(summary, style="dim"))
        parts.append(table)
        return Group(*parts)

    def action_close(self) -> None:
        """Close the help."""
        self.dismiss()
