"""The review screen: code frequencies by document, participant, sector, case, cycle, coder.

The table has one row per code and one column per value of the chosen dimension; the bar
chart shows the column under the cursor (the totals at first). Both are read again whenever
the project changes, so a coding made on the coding screen shows here at once.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Static, Tab, Tabs

from workbench.tui import data
from workbench.tui.screens.base import WorkbenchScreen

DIMENSION_TITLES = {"document": "Document", "participant": "Participant", "role": "Role",
                    "sector": "Sector", "case": "Case", "cycle": "Cycle", "coder": "Coder"}
MEASURE_TITLES = {"codings": "Codings", "documents": "Documents",
                  "participants": "Participants", "coverage": "Coverage %"}
TOTAL = "Total"


class ReviewScreen(WorkbenchScreen):
    """How often each code is used, and where."""

    STYLESHEET = "review.tcss"  # loaded once by the app, see WorkbenchApp.CSS_PATH
    SCREEN_TITLE = "Review"
    HELP_SUMMARY = ("Code frequencies. Move the cursor to a column to chart it; [ and ] "
                    "change the dimension, m the measure.")

    BINDINGS = [
        Binding("]", "next_dimension", "Next dimension"),
        Binding("[", "previous_dimension", "Previous dimension", show=False),
        Binding("m", "next_measure", "Measure"),
        Binding("x", "app.export", "Export…"),
        Binding("d", "dimension('document')", "By document", show=False),
        Binding("p", "dimension('participant')", "By participant", show=False),
        Binding("r", "dimension('role')", "By role", show=False),
        Binding("s", "dimension('sector')", "By sector", show=False),
        Binding("c", "dimension('case')", "By case", show=False),
        Binding("y", "dimension('cycle')", "By cycle", show=False),
        Binding("o", "dimension('coder')", "By coder", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.dimension = "document"
        self.measure = "codings"
        self.table_data: data.FrequencyMatrix | None = None
        self.chart_column: str | None = None

    def compose(self) -> ComposeResult:
        from textual_plotext import PlotextPlot  # plotext loads only when this screen does

        yield from self.compose_header()
        yield Tabs(*[Tab(title, id=f"dim-{name}") for name, title in DIMENSION_TITLES.items()],
                   id="review-dimension")
        with Horizontal(id="review-body"):
            with Vertical(id="review-table-pane"):
                yield Static("", id="review-caption", classes="pane-title")
                yield DataTable(id="review-table", cursor_type="cell", zebra_stripes=True)
            yield PlotextPlot(id="review-chart")
        yield from self.compose_footer()

    def load(self) -> None:
        """Recount and redraw the table and the chart."""
        self.table_data = data.frequency_matrix(self.project, self.dimension, self.measure)
        table = self.query_one("#review-table", DataTable)
        old = table.cursor_coordinate
        table.clear(columns=True)
        code_width = max([4] + [2 * r["depth"] + 2 + len(r["name"])
                                for r in self.table_data.rows])
        table.add_column("Code", key="code", width=min(code_width, 40))
        table.add_column(TOTAL, key=TOTAL)
        for value in self.table_data.values:
            table.add_column(Text(value if len(value) <= 18 else value[:17] + "…"), key=value)
        for row in self.table_data.rows:
            name = Text("  " * row["depth"])
            name.append("■ ", style=row["colour"])
            name.append(row["name"])
            cells = [name, Text(self._format(row["total"]), justify="right", style="bold")]
            for value in self.table_data.values:
                count = row["counts"].get(value, 0)
                cells.append(Text(self._format(count) if count else "·", justify="right",
                                  style="" if count else "dim"))
            table.add_row(*cells, key=str(row["id"]))
        if table.row_count:
            table.move_cursor(row=min(old.row, table.row_count - 1),
                              column=min(max(old.column, 1), len(table.columns) - 1))
        caption = f"{MEASURE_TITLES[self.measure]} by {self.dimension} · " \
                  f"{len(self.table_data.values)} value(s)"
        if self.measure == "codings":
            caption += f" · {sum(r['total'] for r in self.table_data.rows)} codings in all"
        self.query_one("#review-caption", Static).update(caption + " · m: measure")
        tabs = self.query_one("#review-dimension", Tabs)
        if tabs.active != f"dim-{self.dimension}":
            with self.prevent(Tabs.TabActivated):
                tabs.active = f"dim-{self.dimension}"
        self._draw_chart()

    def _draw_chart(self) -> None:
        from textual_plotext import PlotextPlot

        if self.table_data is None:
            return
        plot = self.query_one("#review-chart", PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        column = self.chart_column if self.chart_column in self.table_data.values else None
        pairs = [(row["name"], count) for row, count in self.table_data.column(column)]
        if self.measure == "coverage":
            pairs = [(name, round(100 * count, 1)) for name, count in pairs]
        pairs = [(name if len(name) <= 14 else name[:13] + "…", count)
                 for name, count in pairs if count] or [("(none)", 0)]
        names = [name for name, _ in pairs][::-1]
        counts = [count for _, count in pairs][::-1]
        plt.bar(names, counts, orientation="horizontal", width=0.6)
        top = max(counts) if counts else 0
        if self.measure != "coverage" and top:
            # Counts are whole numbers: at most ~6 whole-number ticks.
            step = max(1, -(-int(top) // 6))
            plt.xticks(list(range(0, int(top) + step, step)))
        plt.title(f"{column or 'All'} · {MEASURE_TITLES[self.measure].lower()}")
        if self.has_class("-wide"):
            # A few codes get short bars, not a wall of colour down the whole screen.
            plot.styles.height = max(8, min(3 * len(pairs) + 5, self.app.size.height - 8))
        else:
            plot.styles.height = None
        plot.refresh()

    def on_data_table_cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        if self.table_data is None:
            return
        column = event.coordinate.column
        values = self.table_data.values
        new = values[column - 2] if column >= 2 and column - 2 < len(values) else None
        if new != self.chart_column:
            self.chart_column = new
            self._draw_chart()

    def on_tabs_tab_activated(self, event: Tabs.TabActivated) -> None:
        if event.tab is None or event.tab.id is None:
            return
        name = event.tab.id.removeprefix("dim-")
        if name != self.dimension:
            self.action_dimension(name)

    def action_dimension(self, name: str) -> None:
        """Count by another dimension."""
        self.dimension = name
        self.chart_column = None
        self.wb.attempt(self.load)

    def _step(self, delta: int) -> None:
        names = list(DIMENSION_TITLES)
        self.action_dimension(names[(names.index(self.dimension) + delta) % len(names)])

    def action_next_dimension(self) -> None:
        """Count by the next dimension."""
        self._step(1)

    def action_previous_dimension(self) -> None:
        """Count by the previous dimension."""
        self._step(-1)

    def export_query(self) -> str:
        """A quote query for the code under the cursor, for export."""
        from workbench.tui.dialogs.export import query_for_codes

        table = self.query_one("#review-table", DataTable)
        if self.table_data is None or not 0 <= table.cursor_row < len(self.table_data.rows):
            return ""
        return query_for_codes([self.table_data.rows[table.cursor_row]["name"]])

    def _format(self, value: float) -> str:
        if self.measure == "coverage":
            return f"{100 * value:.1f}%"
        return str(int(value))

    def action_next_measure(self) -> None:
        """Count codings, documents, participants, or show the coverage in percent."""
        measures = list(MEASURE_TITLES)
        self.measure = measures[(measures.index(self.measure) + 1) % len(measures)]
        self.wb.attempt(self.load)
