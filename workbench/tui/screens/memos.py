"""The memos screen: memos, reflections, member checks and trial actions, by cycle."""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Select, Static

from workbench.core import cases, memos
from workbench.core.models import MEMO_KINDS
from workbench.tui.dialogs.confirm import ConfirmDialog
from workbench.tui.dialogs.memo_editor import MemoEditor
from workbench.tui.screens.base import WorkbenchScreen, cells, table, titled

ALL = "all"
NO_CYCLE = "none"


class MemosScreen(WorkbenchScreen):
    """List, read, write and edit memos; filter by cycle and kind."""

    STYLESHEET = "memos.tcss"  # loaded once by the app, see WorkbenchApp.CSS_PATH
    SCREEN_TITLE = "Memos"
    HELP_SUMMARY = "Memos and action-research notes. Enter or e edits the highlighted memo."

    BINDINGS = [
        Binding("n", "new_memo", "New"),
        Binding("e", "edit_memo", "Edit"),
        Binding("d,delete", "delete_memo", "Delete"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[int, dict[str, Any]] = {}
        self.cycle_numbers: list[int] = []

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        with Horizontal(id="memo-filters"):
            yield Select([("all cycles", ALL), ("no cycle", NO_CYCLE)], value=ALL,
                         allow_blank=False, id="memo-cycle-filter", compact=True)
            yield Select([("all kinds", ALL)] + [(k.replace("_", " "), k) for k in MEMO_KINDS],
                         value=ALL, allow_blank=False, id="memo-kind-filter", compact=True)
        with Horizontal(id="memos-body"):
            yield table("memo-table", "#", "Kind", "Cycle", "About", "Title", "Author",
                        "Updated")
            with titled(VerticalScroll(id="memo-view"), "Memo"):
                yield Static("", id="memo-text")
        yield from self.compose_footer()

    def load(self) -> None:
        """Reload the cycles, the memo list and the memo shown."""
        self.cycle_numbers = [c.number for c in cases.list_cycles(self.project)]
        cycle_filter = self.query_one("#memo-cycle-filter", Select)
        current = cycle_filter.value
        options = [("all cycles", ALL), ("no cycle", NO_CYCLE)] + [
            (f"cycle {n}", str(n)) for n in self.cycle_numbers]
        with self.prevent(Select.Changed):
            cycle_filter.set_options(options)
            cycle_filter.value = current if current in {v for _, v in options} else ALL
        self._fill()

    def _fill(self) -> None:
        cycle = self.query_one("#memo-cycle-filter", Select).value
        kind = self.query_one("#memo-kind-filter", Select).value
        rows = memos.list_memos(
            self.project, kind=None if kind == ALL else kind,
            cycle=int(cycle) if cycle not in (ALL, NO_CYCLE, Select.BLANK) else None)
        if cycle == NO_CYCLE:
            rows = [r for r in rows if r["cycle"] is None]
        table = self.query_one("#memo-table", DataTable)
        keep = self.current_memo_id()
        table.clear()
        self.rows = {r["id"]: r for r in rows}
        for row in rows:
            table.add_row(*cells(str(row["id"]), row["kind"].replace("_", " "),
                          str(row["cycle"] or ""), row["target"], row["title"] or
                          row["text"].split("\n", 1)[0][:40], row["author"],
                          row["updated_at"][:10]), key=str(row["id"]))
        if keep in self.rows:
            table.move_cursor(row=table.get_row_index(str(keep)))
        self._show()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id in ("memo-cycle-filter", "memo-kind-filter"):
            self._fill()

    def current_memo_id(self) -> int | None:
        """The id of the highlighted memo."""
        table = self.query_one("#memo-table", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return int(key.value) if key.value is not None else None

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit_memo()

    def _show(self) -> None:
        view = self.query_one("#memo-text", Static)
        memo_id = self.current_memo_id()
        row = self.rows.get(memo_id) if memo_id is not None else None
        if row is None:
            view.update("[dim]No memos here yet. Press n to write one.[/dim]")
            return
        head = f"[b]{escape(row['title'])}[/b]\n" if row["title"] else ""
        meta = (f"[dim]{row['kind'].replace('_', ' ')} · {escape(row['target'])}"
                + (f" · cycle {row['cycle']}" if row["cycle"] else "")
                + f" · {escape(row['author'])} · {row['updated_at'][:16].replace('T', ' ')}"
                "[/dim]")
        view.update(f"{head}{meta}\n\n{escape(row['text'])}")

    def _current_cycle_filter(self) -> int | None:
        value = self.query_one("#memo-cycle-filter", Select).value
        return int(value) if value not in (ALL, NO_CYCLE, Select.BLANK) else None

    def action_new_memo(self) -> None:
        """Write a new memo (in the cycle the list is filtered to)."""
        kind = self.query_one("#memo-kind-filter", Select).value

        def save(values: dict[str, Any] | None) -> None:
            if not values:
                return
            ok, memo = self.wb.attempt(memos.add_memo, self.project, values["text"],
                                       kind=values["kind"], title=values["title"],
                                       cycle=values["cycle"])
            if ok:
                self.wb.data_changed(source=self)
                self.load()
                table = self.query_one("#memo-table", DataTable)
                if memo.id in self.rows:
                    table.move_cursor(row=table.get_row_index(str(memo.id)))
                self.notify("Memo saved.", timeout=2)

        self.app.push_screen(MemoEditor(cycles=self.cycle_numbers,
                                        kind=kind if kind in MEMO_KINDS else "memo",
                                        cycle=self._current_cycle_filter()), save)

    def action_edit_memo(self) -> None:
        """Edit the highlighted memo."""
        memo_id = self.current_memo_id()
        if memo_id is None:
            return
        row = self.rows[memo_id]

        def save(values: dict[str, Any] | None) -> None:
            if not values:
                return
            ok, _ = self.wb.attempt(memos.edit_memo, self.project, memo_id,
                                    title=values["title"], text=values["text"],
                                    kind=values["kind"], cycle=values["cycle"])
            if ok:
                self.wb.data_changed(source=self)
                self.load()
                self.notify("Memo saved.", timeout=2)

        self.app.push_screen(MemoEditor(cycles=self.cycle_numbers, kind=row["kind"],
                                        cycle=row["cycle"], title=row["title"],
                                        text=row["text"], heading=f"Memo {memo_id}",
                                        about=row["target"]), save)

    def action_delete_memo(self) -> None:
        """Delete the highlighted memo (asks first)."""
        memo_id = self.current_memo_id()
        if memo_id is None:
            return

        def confirmed(yes: bool | None) -> None:
            if yes and self.wb.attempt(memos.delete_memo, self.project, memo_id)[0]:
                self.wb.data_changed(source=self)
                self.load()
                self.notify("Memo deleted (ctrl+z undoes).", timeout=3)

        title = self.rows[memo_id]["title"] or f"memo {memo_id}"
        self.app.push_screen(ConfirmDialog("Delete memo?", f"Delete '{title}'? ctrl+z undoes "
                                           "it.", confirm_label="Delete"), confirmed)
