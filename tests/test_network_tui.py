"""The Network screen: stakeholders, ego ties, evidence, filters, and opening a passage."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Input, OptionList, Select, Static

from tests.conftest import settle
from tests.test_network_build import S2, build_sample
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens import network as network_screen
from workbench.tui.screens.network import NetworkScreen


class NetworkApp(WorkbenchApp):
    """The app with the network screen's stylesheet (until the app lists the screen)."""

    CSS_PATH = [*WorkbenchApp.CSS_PATH,
                Path(network_screen.__file__).with_name(NetworkScreen.STYLESHEET)]


def rows(table: DataTable) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def test_network_screen_lists_ties_with_evidence(project, add_doc):
    build_sample(project, add_doc)
    app = NetworkApp(project.path, poll=False)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = NetworkScreen()
        await app.push_screen(screen)
        await settle(app, pilot)
        summary = str(screen.query_one("#network-summary", Static).render())
        assert "6 stakeholders, 10 ties, 12 passages" in summary
        nodes = screen.query_one("#network-nodes", DataTable)
        assert rows(nodes)[0][0] == "P01 (sundhedschef)"
        # Find akutteamet: its ego network is two trust ties.
        screen.query_one("#network-find", Input).value = "akut"
        await pilot.pause()
        assert [r[0] for r in rows(nodes)] == ["akutteamet"]
        ties = screen.query_one("#network-ties", DataTable)
        assert sorted((r[0], r[1], r[2]) for r in rows(ties)) == [
            ("Hospitalsenheden Vest", "trust", "2"), ("P01", "trust", "1")]
        ties.focus()
        ties.move_cursor(row=[r[0] for r in rows(ties)].index("Hospitalsenheden Vest"))
        await pilot.pause()
        evidence = screen.query_one("#network-evidence", OptionList)
        assert evidence.option_count == 2
        assert any(S2 in str(evidence.get_option_at_index(i).prompt) for i in range(2))
        # e: every tie, not only akutteamet's.
        await pilot.press("e")
        await pilot.pause()
        assert ties.row_count == 10


async def test_filters_rebuild_and_report_in_the_summary(project, add_doc):
    build_sample(project, add_doc)
    app = NetworkApp(project.path, poll=False)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = NetworkScreen()
        await app.push_screen(screen)
        await settle(app, pilot)
        screen.query_one("#network-cycle-filter", Select).value = "2"
        await settle(app, pilot)
        assert "4 stakeholders, 2 ties" in str(
            screen.query_one("#network-summary", Static).render())
        screen.query_one("#network-type-filter", Select).value = "conflict"
        await pilot.pause()
        names = [r[0] for r in rows(screen.query_one("#network-nodes", DataTable))]
        assert sorted(names) == ["Herning Kommune", "Region Midtjylland"]
        screen.query_one("#network-nodes", DataTable).focus()
        await pilot.press("c")
        await settle(app, pilot)
        assert "collapse organisations" in str(
            screen.query_one("#network-summary", Static).render())


async def test_enter_on_a_passage_opens_the_document(project, add_doc):
    build_sample(project, add_doc)
    app = NetworkApp(project.path, poll=False)
    opened = []
    app.open_document = lambda doc_id, **kw: opened.append((doc_id, kw))  # type: ignore
    async with app.run_test(size=(160, 45)) as pilot:
        screen = NetworkScreen()
        await app.push_screen(screen)
        await settle(app, pilot)
        screen.query_one("#network-ties", DataTable).focus()
        await pilot.pause()
        await pilot.press("j")
        assert opened and "selection" in opened[0][1]
