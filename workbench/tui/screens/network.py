"""The network screen: stakeholders and their ties, with the passages that support each tie.

Left, the stakeholders of the network (filter by name with /); right, the ties of the
highlighted stakeholder (its ego network; e shows every tie instead), and under them the
evidence of the highlighted tie: Enter opens the passage on the coding screen. The selects
filter by case, cycle and tie type; c and u change the collapse and the co-mention unit; x
writes the network to a file (GEXF, GraphML, JSON, DOT, PNG, SVG).

The network is built in a thread worker with its own connection (it can take a second on a
big project) and handed back as plain data in a message.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Input, OptionList, Select, Static
from textual.widgets.option_list import Option

from workbench.core import cases as cases_core
from workbench.core.store import Project
from workbench.errors import WorkbenchError
from workbench.network.model import (
    CO_MENTION,
    COLLAPSE,
    SPEAKS_ABOUT,
    UNITS,
    Network,
    NetworkOptions,
    Tie,
)
from workbench.tui.dialogs.prompt import PromptDialog
from workbench.tui.screens.base import WorkbenchScreen, cells, table, titled

ALL = "all"
TYPE_STYLE = {"trust": "bold green", "tillid": "bold green", "collaboration": "bold blue",
              "samarbejde": "bold blue", "conflict": "bold red", "konflikt": "bold red",
              CO_MENTION: "dim", SPEAKS_ABOUT: "dim italic"}


def _clip(text: str, width: int) -> str:
    """Shorten a cell so the number columns stay in view."""
    return text if len(text) <= width else text[:width - 1] + "…"


class NetworkBuilt(Message):
    """A worker finished building the network (``error`` is a sentence when it failed)."""

    def __init__(self, network: Network | None, error: str = "", serial: int = 0) -> None:
        super().__init__()
        self.network = network
        self.error = error
        self.serial = serial


class NetworkExported(Message):
    """A worker wrote the network to a file."""

    def __init__(self, path: str, error: str = "") -> None:
        super().__init__()
        self.path = path
        self.error = error


class NetworkScreen(WorkbenchScreen):
    """Stakeholder network: who trusts, fights and works with whom, with the evidence."""

    STYLESHEET = "network.tcss"  # loaded once by the app, see WorkbenchApp.CSS_PATH
    SCREEN_TITLE = "Network"
    HELP_SUMMARY = ("Stakeholders and their ties from the text. The ties of the highlighted "
                    "stakeholder are on the right (e shows all ties), with the passages that "
                    "support the highlighted tie below; Enter on a passage opens it.")

    BINDINGS = [
        Binding("e", "toggle_ego", "Ego/all ties"),
        Binding("slash", "focus_filter", "Find stakeholder"),
        Binding("c", "next_collapse", "Collapse"),
        Binding("u", "next_unit", "Unit"),
        Binding("j", "jump", "Open passage"),
        Binding("x", "export", "Export…"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.network: Network | None = None
        self.options = NetworkOptions()
        self.ego = True
        self.node_keys: list[str] = []
        self.shown_ties: list[Tie] = []
        self.passages: list[Any] = []
        self._serial = 0
        self._filling = False

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        with Horizontal(id="network-filters"):
            yield Select([("all cases", ALL)], value=ALL, allow_blank=False,
                         id="network-case-filter")
            yield Select([("all cycles", ALL)], value=ALL, allow_blank=False,
                         id="network-cycle-filter")
            yield Select([("all tie types", ALL)], value=ALL, allow_blank=False,
                         id="network-type-filter")
            yield Input(placeholder="find stakeholder (/)", id="network-find")
        yield Static("Building the network …", id="network-summary")
        with Horizontal(id="network-body"):
            yield titled(table("network-nodes", "Stakeholder", "Passages", "Ties",
                               "Mentions", "Sector"), "Stakeholders")
            with Vertical(id="network-right"):
                yield titled(table("network-ties", "Stakeholder", "Tie", "Passages",
                                   "Sign"), "Ties")
                yield titled(OptionList(id="network-evidence"), "Evidence")
        yield from self.compose_footer()

    # ------------------------------------------------------------------ loading
    def load(self) -> None:
        """Refresh the case and cycle choices and rebuild the network in a worker."""
        self._fill_choices()
        self._rebuild()

    def _fill_choices(self) -> None:
        self._filling = True
        try:
            case_select = self.query_one("#network-case-filter", Select)
            cases = [("all cases", ALL)] + [(c["name"], c["name"])
                                            for c in cases_core.list_cases(self.project)]
            case_select.set_options(cases)
            case_select.value = self.options.case if self.options.case in dict(
                (v, v) for _, v in cases) else ALL
            cycle_select = self.query_one("#network-cycle-filter", Select)
            cycles = [("all cycles", ALL)] + [(f"cycle {c.number}", str(c.number))
                                              for c in cases_core.list_cycles(self.project)]
            cycle_select.set_options(cycles)
            wanted = str(self.options.cycle) if self.options.cycle is not None else ALL
            cycle_select.value = wanted if wanted in {v for _, v in cycles} else ALL
        finally:
            self._filling = False

    def _rebuild(self) -> None:
        self._serial += 1
        self.query_one("#network-summary", Static).update(
            Text("Building the network …", style="dim"))
        self._build_worker(self.project.path, self.options, self._serial)

    @work(thread=True, exclusive=True, group="network")
    def _build_worker(self, path: Path, options: NetworkOptions, serial: int) -> None:
        """Build in a thread with its own connection; only posts a message."""
        from workbench.network.build import build_network

        try:
            with Project.open(path) as project:
                network = build_network(project, options)
        except WorkbenchError as exc:
            self.post_message(NetworkBuilt(None, str(exc), serial))
            return
        self.post_message(NetworkBuilt(network, "", serial))

    def on_network_built(self, message: NetworkBuilt) -> None:
        if message.serial != self._serial:
            return  # a newer build is on its way
        if message.network is None:
            self.query_one("#network-summary", Static).update(Text(message.error, style="red"))
            self.notify(message.error, severity="error", timeout=8)
            return
        self.network = message.network
        self._fill_types()
        self._show_summary()
        self._show_nodes()

    def _fill_types(self) -> None:
        assert self.network is not None
        select = self.query_one("#network-type-filter", Select)
        current = select.value
        self._filling = True
        try:
            options = [("all tie types", ALL)] + [(t, t) for t in self.network.tie_types]
            select.set_options(options)
            select.value = current if current in {v for _, v in options} else ALL
        finally:
            self._filling = False

    def _show_summary(self) -> None:
        assert self.network is not None
        info = self.network.summary()
        parts = [f"{info['nodes']} stakeholders, {info['ties']} ties, {info['passages']} "
                 f"passages", f"unit {self.options.unit} (u)",
                 f"collapse {self.options.collapse} (c)",
                 "ego view (e)" if self.ego else "all ties (e)"]
        line = Text(" · ".join(parts))
        for note in self.network.notes:
            line.append(f"  {note}", style="yellow")
        self.query_one("#network-summary", Static).update(line)

    # ------------------------------------------------------------------ tables
    def _type_filter(self) -> str | None:
        value = self.query_one("#network-type-filter", Select).value
        return None if value in (ALL, Select.BLANK) else str(value)

    def _show_nodes(self) -> None:
        network = self.network
        if network is None:
            return
        nodes_table = self.query_one("#network-nodes", DataTable)
        keep = self.current_node()
        find = self.query_one("#network-find", Input).value.strip().casefold()
        tie_type = self._type_filter()
        ties_of: dict[str, int] = {}
        passages_of: dict[str, int] = {}
        for tie in network.ties:
            if tie_type and tie.type != tie_type:
                continue
            for key in (tie.a, tie.b):
                ties_of[key] = ties_of.get(key, 0) + 1
                passages_of[key] = passages_of.get(key, 0) + tie.weight
        nodes = [n for n in network.nodes.values()
                 if (not find or find in n.label.casefold()
                     or any(find in m.casefold() for m in n.members))
                 and (not tie_type or n.key in ties_of)]
        nodes.sort(key=lambda n: (-passages_of.get(n.key, 0), n.label.casefold()))
        nodes_table.clear()
        self.node_keys = [n.key for n in nodes]
        for node in nodes:
            label = node.label if node.kind != "participant" else \
                f"{node.label} ({node.role})" if node.role else node.label
            nodes_table.add_row(*cells(
                Text(_clip(label, 34), style="bold" if node.kind == "participant" else ""),
                Text(str(passages_of.get(node.key, 0)), justify="right"),
                Text(str(ties_of.get(node.key, 0)), justify="right"),
                Text(str(node.mentions), justify="right"),
                _clip((node.sector or "?").replace("_", " "), 14)), key=node.key)
        if keep in self.node_keys:
            nodes_table.move_cursor(row=self.node_keys.index(keep))
        self._show_ties()

    def current_node(self) -> str | None:
        """The key of the highlighted stakeholder."""
        nodes_table = self.query_one("#network-nodes", DataTable)
        if not nodes_table.row_count:
            return None
        row = nodes_table.cursor_row
        return self.node_keys[row] if 0 <= row < len(self.node_keys) else None

    def _show_ties(self) -> None:
        network = self.network
        ties_table = self.query_one("#network-ties", DataTable)
        ties_table.clear()
        if network is None:
            return
        focus = self.current_node() if self.ego else None
        tie_type = self._type_filter()
        ties = network.ties_of(focus) if focus else ([] if self.ego else network.ties)
        self.shown_ties = [t for t in ties if not tie_type or t.type == tie_type]
        for tie in self.shown_ties:
            if focus:
                other = network.nodes[tie.other(focus)].label
            else:
                other = f"{network.nodes[tie.a].label} — {network.nodes[tie.b].label}"
            sign = {1: "+", -1: "−"}.get(tie.sign, "")
            kind = Text(tie.type, style=TYPE_STYLE.get(tie.type, ""))
            ties_table.add_row(*cells(_clip(other, 60), kind,
                                      Text(str(tie.weight), justify="right"), sign))
        title = "All ties" if not self.ego else (
            f"Ties of {network.nodes[focus].label}" if focus else "Ties")
        ties_table.border_title = f"{title} ({len(self.shown_ties)})"
        self._show_evidence()

    def current_tie(self) -> Tie | None:
        """The highlighted tie."""
        ties_table = self.query_one("#network-ties", DataTable)
        row = ties_table.cursor_row
        if not ties_table.row_count or not 0 <= row < len(self.shown_ties):
            return None
        return self.shown_ties[row]

    def _show_evidence(self) -> None:
        evidence = self.query_one("#network-evidence", OptionList)
        tie = self.current_tie()
        self.passages = list(tie.passages) if tie else []
        options = []
        for passage in self.passages:
            label = Text()
            if passage.via == "relation":
                label.append(f"relation {passage.relation_id} (added by hand)", style="bold")
            else:
                label.append(passage.document or "", style="bold")
                label.append(f"  {passage.start}-{passage.end}", style="dim")
                if passage.speaker:
                    label.append(f"  {passage.speaker} speaking", style="italic")
            quote = " ".join(passage.quote.split())
            label.append("\n  “" + (quote if len(quote) <= 400 else quote[:399] + "…") + "”")
            options.append(Option(label, disabled=passage.via == "relation"))
        if not options:
            options.append(Option(Text("Highlight a tie to see its passages.", style="dim"),
                                  disabled=True))
        evidence.set_options(options)
        evidence.border_title = (f"Evidence: {tie.type}, {tie.weight} passage"
                                 f"{'s' if tie.weight != 1 else ''}" if tie else "Evidence")

    # ------------------------------------------------------------------ events
    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "network-nodes":
            self._show_ties()
        elif event.data_table.id == "network-ties":
            self._show_evidence()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.data_table.id == "network-nodes":
            self.query_one("#network-ties", DataTable).focus()
        elif event.data_table.id == "network-ties":
            self.query_one("#network-evidence", OptionList).focus()

    def on_select_changed(self, event: Select.Changed) -> None:
        if self._filling:
            return
        if event.select.id == "network-case-filter":
            value = event.value
            self.options = dataclasses.replace(
                self.options, case=None if value in (ALL, Select.BLANK) else str(value))
            self._rebuild()
        elif event.select.id == "network-cycle-filter":
            value = event.value
            self.options = dataclasses.replace(
                self.options, cycle=None if value in (ALL, Select.BLANK) else int(str(value)))
            self._rebuild()
        elif event.select.id == "network-type-filter":
            self._show_nodes()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "network-find":
            self._show_nodes()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "network-find":
            event.stop()
            self.query_one("#network-nodes", DataTable).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._open(event.option_index)

    def _open(self, index: int) -> None:
        if not 0 <= index < len(self.passages):
            return
        passage = self.passages[index]
        if passage.document_id is None:
            return
        self.wb.open_document(passage.document_id, selection=(passage.start, passage.end))

    # ------------------------------------------------------------------ actions
    def action_toggle_ego(self) -> None:
        """Show the ties of the highlighted stakeholder, or every tie."""
        self.ego = not self.ego
        self._show_ties()
        if self.network is not None:
            self._show_summary()

    def action_focus_filter(self) -> None:
        """Type part of a stakeholder's name to find it."""
        self.query_one("#network-find", Input).focus()

    def action_next_collapse(self) -> None:
        """Switch between stakeholders, organisations and sectors."""
        i = COLLAPSE.index(self.options.collapse)
        self.options = dataclasses.replace(self.options, collapse=COLLAPSE[(i + 1) % 3])
        self._rebuild()

    def action_next_unit(self) -> None:
        """Switch what counts as mentioned together: sentence, segment, window."""
        i = UNITS.index(self.options.unit)
        self.options = dataclasses.replace(self.options, unit=UNITS[(i + 1) % len(UNITS)])
        self._rebuild()

    def action_jump(self) -> None:
        """Open the highlighted passage (or the first) on the coding screen."""
        evidence = self.query_one("#network-evidence", OptionList)
        self._open(evidence.highlighted or 0)

    def action_export(self) -> None:
        """Write the network as it is filtered to a file (format from the extension)."""
        default = str(self.project.path.with_suffix("")) + "-network.gexf"

        def chosen(value: str | None) -> None:
            if value and value.strip():
                self._export_worker(self.project.path, self.options, value.strip())

        self.app.push_screen(PromptDialog(
            "Export the network", default,
            hint=".gexf (Gephi), .graphml, .json, .dot, .png, .svg or .pdf"), chosen)

    @work(thread=True, exclusive=True, group="network-export")
    def _export_worker(self, path: Path, options: NetworkOptions, target: str) -> None:
        """Build and write in a thread; only posts a message."""
        from workbench.network.build import build_network
        from workbench.network.exports import export_network

        try:
            with Project.open(path) as project:
                network = build_network(project, options)
            export_network(network, target)
        except WorkbenchError as exc:
            self.post_message(NetworkExported(target, str(exc)))
            return
        self.post_message(NetworkExported(target))

    def on_network_exported(self, message: NetworkExported) -> None:
        if message.error:
            self.notify(message.error, severity="error", timeout=8)
        else:
            self.notify(f"Wrote the network to {message.path}.", timeout=4)
