"""The stakeholders screen: who is mentioned, by sector; confirm, reject, merge, jump."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, OptionList, Select
from textual.widgets.option_list import Option

from workbench.core import stakeholders
from workbench.core.documents import get_document
from workbench.core.models import SECTORS
from workbench.tui.dialogs.confirm import ConfirmDialog
from workbench.tui.dialogs.picker import FuzzyPicker, PickItem
from workbench.tui.screens.base import WorkbenchScreen, cells, table, titled

ALL = "all"
STATUS_STYLE = {"suggested": "italic", "confirmed": "bold green", "rejected": "dim strike"}


class StakeholdersScreen(WorkbenchScreen):
    """Stakeholders found by tagging, with their mentions."""

    STYLESHEET = "stakeholders.tcss"  # loaded once by the app, see WorkbenchApp.CSS_PATH
    SCREEN_TITLE = "Stakeholders"
    HELP_SUMMARY = ("Stakeholders by sector. Enter on a mention opens the document there; "
                    "c confirms, x rejects, m merges into another.")

    BINDINGS = [
        Binding("c", "confirm", "Confirm"),
        Binding("x", "reject", "Reject"),
        Binding("m", "merge", "Merge"),
        Binding("j", "jump", "Jump to mention"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[int, dict[str, Any]] = {}
        self.mentions: list[dict[str, Any]] = []
        self._texts: dict[str, tuple[int, str]] = {}

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        with Horizontal(id="stakeholder-filters"):
            yield Select([("all sectors", ALL)] + [(s.replace("_", " "), s) for s in SECTORS],
                         value=ALL, allow_blank=False, id="stakeholder-sector-filter", compact=True)
            yield Select([("any status", ALL)] + [(s, s) for s in stakeholders.STATUSES],
                         value=ALL, allow_blank=False, id="stakeholder-status-filter",
                         compact=True)
        with Horizontal(id="stakeholders-body"):
            yield table("stakeholder-table", "Sector", "Stakeholder", "Kind", "Status",
                        "Mentions", "Docs")
            yield titled(OptionList(id="mention-list"), "Mentions")
        yield from self.compose_footer()

    def load(self) -> None:
        """Reload the list (and the mentions of the highlighted stakeholder)."""
        self._texts = {}
        sector = self.query_one("#stakeholder-sector-filter", Select).value
        status = self.query_one("#stakeholder-status-filter", Select).value
        rows = stakeholders.list_stakeholders(
            self.project, sector=None if sector == ALL else str(sector),
            status=None if status == ALL else str(status))
        rows.sort(key=lambda r: (r["sector"] or "~", -r["mentions"], r["name"].casefold()))
        table = self.query_one("#stakeholder-table", DataTable)
        keep = self.current_id()
        table.clear()
        self.rows = {r["id"]: r for r in rows}
        for row in rows:
            table.add_row(*cells((row["sector"] or "?").replace("_", " "),
                          Text(row["name"], style=STATUS_STYLE.get(row["status"], "")),
                          row["kind"], row["status"],
                          Text(str(row["mentions"]), justify="right"),
                          Text(str(row["documents"]), justify="right")), key=str(row["id"]))
        if keep in self.rows:
            table.move_cursor(row=table.get_row_index(str(keep)))
        self._show_mentions()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id in ("stakeholder-sector-filter", "stakeholder-status-filter"):
            self.wb.attempt(self.load)

    def current_id(self) -> int | None:
        """The id of the highlighted stakeholder."""
        table = self.query_one("#stakeholder-table", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return int(key.value) if key.value is not None else None

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_mentions()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.query_one("#mention-list", OptionList).focus()

    def _text_of(self, name: str) -> tuple[int, str]:
        if name not in self._texts:
            doc = get_document(self.project, name)
            self._texts[name] = (doc.id, doc.text)
        return self._texts[name]

    def _show_mentions(self) -> None:
        mention_list = self.query_one("#mention-list", OptionList)
        stakeholder_id = self.current_id()
        if stakeholder_id is None:
            self.mentions = []
            mention_list.set_options([Option(Text(
                "No stakeholders yet: run 'workbench tag PROJECT' to find them.",
                style="dim"), disabled=True)])
            return
        self.mentions = stakeholders.mentions_of(self.project, stakeholder_id, limit=200)
        options = []
        for mention in self.mentions:
            _, text = self._text_of(mention["document"])
            before = text[max(0, mention["start"] - 40):mention["start"]]
            after = text[mention["end"]:mention["end"] + 40]
            # Collapse line breaks but keep whether a space touches the mention.
            left = " ".join(before.split()) + (" " if before[-1:].isspace() else "")
            right = (" " if after[:1].isspace() else "") + " ".join(after.split())
            label = Text()
            label.append(mention["document"], style="bold")
            label.append("\n  …" + left[-30:])
            label.append(mention["surface"], style="reverse")
            label.append(right[:30] + "…")
            options.append(Option(label))
        if not options:
            options.append(Option(Text("no mentions", style="dim"), disabled=True))
        mention_list.set_options(options)
        row = self.rows.get(stakeholder_id, {})
        aliases = ", ".join(row.get("aliases") or [])
        mention_list.border_title = f"Mentions of {row.get('name', '')}" + (
            f" (also {aliases})" if aliases else "")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._open_mention(event.option_index)

    def _open_mention(self, index: int) -> None:
        if not 0 <= index < len(self.mentions):
            return
        mention = self.mentions[index]
        doc_id, _ = self._text_of(mention["document"])
        self.wb.open_document(doc_id, selection=(mention["start"], mention["end"]))

    def action_jump(self) -> None:
        """Open the highlighted mention (or the first one) on the coding screen."""
        mention_list = self.query_one("#mention-list", OptionList)
        self._open_mention(mention_list.highlighted or 0)

    def _decide(self, fn, verb: str) -> None:
        stakeholder_id = self.current_id()
        if stakeholder_id is None:
            return
        ok, _ = self.wb.attempt(fn, self.project, [stakeholder_id])
        if ok:
            self.wb.data_changed(source=self)
            self.load()
            self.notify(f"{verb} {self.rows.get(stakeholder_id, {}).get('name', '')} "
                        "(ctrl+z undoes).", timeout=3)

    def action_confirm(self) -> None:
        """Confirm the highlighted stakeholder."""
        self._decide(stakeholders.confirm, "Confirmed")

    def action_reject(self) -> None:
        """Reject the highlighted stakeholder (not a stakeholder)."""
        self._decide(stakeholders.reject, "Rejected")

    def action_merge(self) -> None:
        """Merge the highlighted stakeholder into another (asks first)."""
        source_id = self.current_id()
        if source_id is None:
            return
        source = self.rows[source_id]
        everyone = stakeholders.list_stakeholders(self.project)
        items = [PickItem(r["id"], Text.assemble((r["name"], "bold"),
                                                 f"  {r['sector']} · {r['mentions']} mentions"),
                          r["name"]) for r in everyone if r["id"] != source_id]

        def chosen(target_id: Any) -> None:
            if target_id is None:
                return
            target = next(r for r in everyone if r["id"] == target_id)

            def confirmed(yes: bool | None) -> None:
                if not yes:
                    return
                ok, _ = self.wb.attempt(stakeholders.merge, self.project, [source_id],
                                        target_id)
                if ok:
                    self.wb.data_changed(source=self)
                    self.load()
                    table = self.query_one("#stakeholder-table", DataTable)
                    if target_id in self.rows:
                        table.move_cursor(row=table.get_row_index(str(target_id)))
                    self.notify(f"Merged {source['name']} into {target['name']}.", timeout=3)

            self.app.push_screen(ConfirmDialog(
                "Merge stakeholders?",
                f"'{source['name']}' ({source['mentions']} mentions) becomes an alias of "
                f"'{target['name']}'; its mentions, relations and memos move there. "
                "ctrl+z undoes it.", confirm_label="Merge"), confirmed)

        self.app.push_screen(FuzzyPicker(f"Merge '{source['name']}' into…", items), chosen)
