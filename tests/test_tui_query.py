"""The Query screen (F9): boolean retrieval over codes in the app, driven by Textual's pilot.

The project is built here: two Danish interviews (æ, ø, å, ” » «) with informants in two
sectors and cycles, coded with tillid, konflikt and risiko.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import make_transcript, settle
from workbench.core import codebook, codings
from workbench.core.documents import DocumentMeta, add_document
from workbench.core.store import Project, new_guid, now
from workbench.errors import InvalidInput
from workbench.tui.app import WorkbenchApp
from workbench.tui.dialogs.export import ExportDialog
from workbench.tui.screens.base import header_markup
from workbench.tui.screens.coding import CodingScreen
from workbench.tui.screens.help import HelpScreen
from workbench.tui.screens.query import (
    HitList,
    QueryScreen,
    parse_request,
    toggled_within,
)

HOSPITAL = [
    ("I", "Hvordan går samarbejdet med kommunen?"),
    ("R", "Vi har fået en ”helt anden” tillid til hinanden, men der er stadig en konflikt "
          "om økonomien."),
    ("I", "Og de praktiserende læger?"),
    ("R", "Der er »uenighed« om, hvem der betaler. Det er en risiko for forløbet på tværs."),
]
MUNICIPALITY = [
    ("I", "Hvad er det vigtigste, der er sket?"),
    ("R", "Tilliden er vokset, og konflikten om visitationen er næsten væk."),
    ("I", "Er der noget, der bekymrer dig?"),
    ("R", "Økonomien i næste år. Det er en risiko, vi må tale åbent om."),
]


def _turn(text: str, words: str) -> tuple[int, int]:
    start = text.index(words)
    return start, start + len(words)


def _add(project: Project, name: str, turns: list, **meta) -> tuple[int, str]:
    doc_id = add_document(project, make_transcript(turns), source_name=f"{name}.txt",
                          source_path="", sha256=f"sha-{name}",
                          meta=DocumentMeta(name=name, kind="interview", **meta))
    text = project.conn.execute("SELECT text FROM documents WHERE id = ?",
                                (doc_id,)).fetchone()[0]
    return doc_id, text


@pytest.fixture
def coded(tmp_path: Path) -> Path:
    """Two interviews: hospital (cycle 1) and municipality (cycle 2), coded by anna."""
    path = tmp_path / "forespørgsel.wbp"
    Project.create(path).close()
    with Project.open(path, coder="anna") as project:
        codebook.add_code(project, "tillid", hotkey="1", colour="#2e7d32")
        codebook.add_code(project, "konflikt", hotkey="2", colour="#c62828")
        codebook.add_code(project, "risiko", hotkey="3", colour="#ef6c00")
        hosp, hosp_text = _add(project, "P01_overlæge", HOSPITAL, case="Sammen om Ældre",
                               cycle=1, participant="P01", role="ledende overlæge",
                               sector="hospital", speakers={"R": "P01"})
        muni, muni_text = _add(project, "P02_sundhedschef", MUNICIPALITY,
                               case="Sammen om Ældre", cycle=2, participant="P02",
                               role="sundhedschef", sector="municipality",
                               speakers={"R": "P02"})
        # Hospital: tillid and konflikt on the same sentence; risiko on the last turn.
        start, end = _turn(hosp_text, "Vi har fået en ”helt anden” tillid til hinanden")
        codings.add_coding(project, hosp, start, end, "tillid")
        start, end = _turn(hosp_text, "der er stadig en konflikt om økonomien.")
        codings.add_coding(project, hosp, start - 10, end, "konflikt")
        start, end = _turn(hosp_text, "Der er »uenighed« om, hvem der betaler.")
        codings.add_coding(project, hosp, start, end, "konflikt")
        # Municipality: tillid and konflikt overlap in one turn; risiko alone.
        start, end = _turn(muni_text, "Tilliden er vokset")
        codings.add_coding(project, muni, start, end, "tillid")
        start, end = _turn(muni_text, "konflikten om visitationen er næsten væk.")
        codings.add_coding(project, muni, start - 8, end, "konflikt")
        start, end = _turn(muni_text, "Det er en risiko, vi må tale åbent om.")
        codings.add_coding(project, muni, start, end, "risiko")
    return path


async def run_query(app, pilot, line: str) -> QueryScreen:
    """Type a query line on the Query screen and press Enter."""
    screen = app.screen
    assert isinstance(screen, QueryScreen)
    screen.action_focus_query()
    screen.query_input.value = line
    await pilot.press("enter")
    await settle(app, pilot)
    return screen


def status(screen: QueryScreen) -> str:
    """The count (or error) line."""
    visual = screen.query_one("#query-status").visual
    return getattr(visual, "plain", str(visual))


def lines_of(widget) -> list[str]:
    """The text a Line API widget shows, one string per visible line."""
    return [widget.render_line(y).text for y in range(widget.size.height)]


async def open_query_screen(app, pilot) -> QueryScreen:
    await pilot.press("f9")
    await settle(app, pilot)
    assert isinstance(app.screen, QueryScreen)
    return app.screen


# ------------------------------------------------------------------------------ the screen
async def test_a_query_shows_the_count_and_the_hits_and_errors_in_one_line(coded: Path) -> None:
    """Count, hits with Danish text intact, filters, and errors from the core as one line."""
    app = WorkbenchApp(coded, coder="anna", poll=False)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_query_screen(app, pilot)
        assert "F9 Query" in screen._header_text()
        screen = await run_query(app, pilot, "tillid AND konflikt")
        assert status(screen).startswith("2 passages in 2 documents · ")
        assert " ms · overlap" in status(screen)
        shown = "\n".join(lines_of(screen.hit_list))
        assert "P01_overlæge · R = P01 (ledende overlæge, hospital)" in shown
        assert "P02_sundhedschef · R = P02 (sundhedschef, municipality)" in shown
        assert "■ tillid ■ konflikt" in shown
        assert "”helt anden” tillid til hinanden" in shown
        assert "Tilliden er vokset, og konflikten om visitationen" in shown
        # The quote is drawn brighter than the context around it.
        strip = screen.hit_list.render_line(1)
        quote = next(s for s in strip if "helt anden" in s.text)
        context = next(s for s in strip if "Hvordan går" in s.text or "kommunen" in s.text)
        assert quote.style.color != context.style.color
        # Enter moved to the hits; the filters narrow them.
        assert app.focused is screen.hit_list
        screen = await run_query(app, pilot, "tillid AND konflikt cycle=2 sector=municipality")
        assert status(screen).startswith("1 passage in 1 document · ")
        assert "cycle 2 · sector municipality" in status(screen)
        assert screen.hits[0].document == "P02_sundhedschef"
        screen = await run_query(app, pilot, 'risiko OR "konflikt" within=segment')
        assert status(screen).startswith("4 passages in 2 documents")
        assert "segment" in status(screen)
        # Errors from the core are one line; the screen carries on.
        screen = await run_query(app, pilot, "tillid AND (konflikt")
        assert status(screen).startswith("✗ ")
        assert screen.hits == [] and screen.hit_list.current is None
        assert app.focused is screen.query_input, "the query stays in hand to fix it"
        screen = await run_query(app, pilot, "tilid AND konflikt")
        assert status(screen).startswith("✗ ") and "tillid" in status(screen)
        screen = await run_query(app, pilot, "tillid cycle=9")
        assert status(screen).startswith("✗ ") and "cycle 9" in status(screen)
        screen = await run_query(app, pilot, "tillid farve=rød")
        assert "'farve=' is not a filter" in status(screen)
        screen = await run_query(app, pilot, "tillid")
        assert status(screen).startswith("2 passages")
        assert isinstance(app.screen, QueryScreen)


async def test_enter_opens_the_passage_and_a_coding_made_there_shows_on_return(
        coded: Path) -> None:
    """Enter (or o) on a hit opens it selected on the Coding screen; coding there and
    coming back with F9 runs the query again."""
    app = WorkbenchApp(coded, coder="anna", poll=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_query_screen(app, pilot)
        screen = await run_query(app, pilot, "konflikt")
        assert len(screen.hits) == 3
        await pilot.press("down")
        second = screen.hits[1]
        assert screen.hit_list.current == second
        await pilot.press("enter")
        await pilot.pause()
        coding = app.screen
        assert isinstance(coding, CodingScreen)
        assert coding.document_id == second.document_id
        assert coding.view.selection == (second.start, second.end)
        assert coding.view.text[second.start:second.end] == second.text
        # o does the same; here on the municipality's hit, the last one.
        await pilot.press("f9")
        await settle(app, pilot)
        screen = await run_query(app, pilot, "risiko")
        assert status(screen).startswith("1 passage in 1 document")
        await pilot.press("end", "o")
        await pilot.pause()
        assert isinstance(app.screen, CodingScreen)
        assert coding.view.selection == (screen.hits[0].start, screen.hits[0].end)
        # Code the informant's first turn with risiko too (hotkey 3 codes the whole turn).
        coding.view.move_to(coding.view.text.index("Tilliden er vokset"))
        await pilot.press("3")
        await pilot.pause()
        await pilot.press("f9")
        await settle(app, pilot)
        assert status(screen).startswith("2 passages in 1 document")
        assert screen.hits[0].text.startswith("Tilliden er vokset")
        assert screen.hit_list.current.text == "Det er en risiko, vi må tale åbent om.", \
            "the passage highlighted before stays highlighted"
        # A coding written by another program shows after a refresh (ctrl+r).
        with Project.open(coded, coder="bo") as other:
            doc_id, text = other.conn.execute(
                "SELECT id, text FROM documents WHERE name = 'P01_overlæge'").fetchone()
            start, end = _turn(text, "Og de praktiserende læger?")
            codings.add_coding(other, doc_id, start, end, "risiko")
        await pilot.press("ctrl+r")
        await settle(app, pilot)
        assert status(screen).startswith("3 passages in 2 documents")
        assert "praktiserende læger?" in "\n".join(lines_of(screen.hit_list))
        assert screen.hits[0].text == "Og de praktiserende læger?"


async def test_history_within_toggle_export_and_keys(coded: Path) -> None:
    app = WorkbenchApp(coded, coder="anna", poll=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_query_screen(app, pilot)
        screen = await run_query(app, pilot, "tillid")
        screen = await run_query(app, pilot, "konflikt cycle=1")
        # / goes back to the query line; up and down walk the session's queries.
        await pilot.press("slash")
        assert app.focused is screen.query_input
        screen.query_input.value = "risi"
        await pilot.press("up")
        assert screen.query_input.value == "konflikt cycle=1"
        await pilot.press("up")
        assert screen.query_input.value == "tillid"
        await pilot.press("up")
        assert screen.query_input.value == "tillid"
        await pilot.press("down", "down")
        assert screen.query_input.value == "risi", "the draft comes back"
        await pilot.press("down")
        assert app.focused is screen.hit_list, "down past the newest goes to the hits"
        # w switches between overlapping text and the same turn.
        await pilot.press("w")
        await settle(app, pilot)
        assert screen.query_input.value == "konflikt cycle=1 within=segment"
        assert screen.request is not None and screen.request.within == "segment"
        await pilot.press("w")
        await settle(app, pilot)
        assert screen.request.within == "overlap"
        # x opens the export dialog with the query line, filters and all.
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ExportDialog)
        assert app.screen.query_one("#export-query").value == "konflikt cycle=1"
        await pilot.press("escape")
        await pilot.pause()
        # The help lists the screen's keys; the palette and F9 reach it.
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        sections = {title: rows for title, _, rows in app.screen.sections()}
        assert ("f9", "Query") in sections["Everywhere"]
        assert any(desc == "Open" for _, desc in sections["Query"])
        await pilot.press("escape")
        commands = [c.title for c in app.get_system_commands(app.screen)]
        assert "Query screen (f9)" in commands
        # Another theme redraws the hits in its colours.
        before = screen.hit_list.render_line(0)
        await pilot.press("ctrl+t")
        await settle(app, pilot)
        after = screen.hit_list.render_line(0)
        assert after.text == before.text and after != before


async def test_thousands_of_hits_draw_only_what_is_in_view(tmp_path: Path) -> None:
    """5,000 hits: the list is filled at once and page keys move through it."""
    path = tmp_path / "mange.wbp"
    Project.create(path).close()
    turns = [("R", f"Tur {i}: tillid og æbler på tværs af sektorerne.") for i in range(5000)]
    with Project.open(path, coder="anna") as project:
        codebook.add_code(project, "tillid")
        doc_id, text = _add(project, "stor", turns)
        code_id = codebook.get_code(project, "tillid").id
        starts = [text.index(f"Tur {i}:") for i in range(5000)]
        with project.atomic():  # in bulk: one add_coding each would take seconds
            project.conn.executemany(
                'INSERT INTO codings (guid, document_id, start, "end", code_id, coder, '
                "created_at) VALUES (?, ?, ?, ?, ?, 'anna', ?)",
                [(new_guid(), doc_id, s, s + 5, code_id, now()) for s in starts])
    app = WorkbenchApp(path, coder="anna", poll=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_query_screen(app, pilot)
        screen = await run_query(app, pilot, "tillid")
        assert status(screen).startswith("5,000 passages in 1 document")
        hit_list = screen.hit_list
        assert hit_list.virtual_size.height == 5000 * hit_list.item_height
        await pilot.press("pagedown", "pagedown")
        assert hit_list.highlighted == 2 * (hit_list.size.height // hit_list.item_height)
        await pilot.press("end")
        await pilot.pause()
        assert hit_list.highlighted == 4999
        assert any("Tur 4999" in line for line in lines_of(hit_list))
        assert len(hit_list._cache) < 50, "only the hits in view were drawn"


# ------------------------------------------------------------------------------ the pieces
def test_a_query_line_splits_into_query_and_filters() -> None:
    request = parse_request('tillid AND "a=b" cycle=2 case="Sammen om Ældre" sector=region '
                            "sector=hospital within=segment")
    assert request.query == 'tillid AND "a=b"'
    assert request.within == "segment"
    assert request.retrieve_options() == {
        "within": "segment", "cycle": ("2",), "case": ("Sammen om Ældre",),
        "sector": ("region", "hospital")}
    assert parse_request("(tillid OR risiko) AND NOT »ledelse på tværs« kind=interview") \
        .query == "(tillid OR risiko) AND NOT »ledelse på tværs«"
    for bad, words in (("tillid farve=rød", "not a filter"), ("cycle=2", "no query"),
                       ("tillid within=alt", "within=overlap"), ("tillid coder=", "no value")):
        with pytest.raises(InvalidInput, match=words):
            parse_request(bad)


def test_within_toggles_and_the_header_fits_80_columns() -> None:
    assert toggled_within("tillid cycle=2") == "tillid cycle=2 within=segment"
    assert toggled_within("tillid within=segment cycle=2") == "tillid cycle=2"
    from rich.text import Text

    for width in (80, 100, 160):
        plain = Text.from_markup(header_markup(width, "Query", "forespørgsel.wbp",
                                               "anna")).plain
        assert len(plain) <= width and "F9 Query" in plain and "F8 " in plain
    assert HitList.BINDINGS and all(b.description for b in HitList.BINDINGS)
