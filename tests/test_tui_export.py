"""Exporting from the TUI: the dialog on x (and in the palette), the export in a worker.

Each test builds its own small Danish project (a transcript with Danish quote marks, a
participant, two codings) and checks the file written, the notification, and what the dialog
shows when the request is wrong.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from textual.binding import Binding
from textual.widgets import Checkbox, Input, Select, Static

from tests.conftest import make_transcript
from workbench.core import codebook, codings
from workbench.core.store import Project
from workbench.tui.app import WorkbenchApp
from workbench.tui.dialogs.export import ExportDialog, default_path, query_for_codes

TURNS = [("I", "Hvordan går samarbejdet med regionen?"),
         ("P03", "Der er stadig en konflikt om, hvem der betaler for ”de svære forløb”."),
         ("I", "Og tilliden?"),
         ("P03", "Vi har fået en helt anden tillid til hinanden siden foråret.")]
CONFLICT = "Der er stadig en konflikt om, hvem der betaler for ”de svære forløb”."
TRUST = "Vi har fået en helt anden tillid til hinanden siden foråret."


@pytest.fixture
def coded(tmp_path: Path, add_doc) -> Path:
    """A project with one coded interview: konflikt on one turn, tillid on another."""
    path = tmp_path / "ældre.wbp"
    Project.create(path).close()
    with Project.open(path, coder="anna") as project:
        codebook.add_code(project, "tillid", hotkey="1")
        codebook.add_code(project, "konflikt", hotkey="3")
        doc_id = add_doc(project, make_transcript(TURNS), "P03_interview", case="Ældreforløb",
                         cycle=2, participant="P03", role="sundhedschef",
                         sector="municipality")
        text = project.conn.execute("SELECT text FROM documents WHERE id = ?",
                                    (doc_id,)).fetchone()[0]
        for code, passage in (("konflikt", CONFLICT), ("tillid", TRUST)):
            start = text.index(passage)
            codings.add_coding(project, doc_id, start, start + len(passage), code)
    return path


def notifications(app) -> list[str]:
    """The messages of the notifications raised so far."""
    return [n.message for n in app._notifications]


def shown(widget) -> str:
    """The plain text a Static shows."""
    visual = widget.visual
    return getattr(visual, "plain", str(visual))


async def test_x_exports_a_quote_set_as_markdown_in_a_worker(coded: Path) -> None:
    """x opens the dialog; the export runs in a worker and a notification names the file."""
    out = coded.parent / "konflikt-citater.md"
    app = WorkbenchApp(coded, coder="anna", poll=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("x")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        assert dialog.query_one("#export-path", Input).value == \
            str(coded.with_name("ældre-quotes.docx"))
        dialog.query_one("#export-format", Select).value = "md"
        await pilot.pause()
        # Choosing the format keeps the default file name in step.
        assert dialog.query_one("#export-path", Input).value == \
            str(coded.with_name("ældre-quotes.md"))
        dialog.query_one("#export-query", Input).value = "konflikt"
        dialog.query_one("#export-path", Input).value = str(out)
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not isinstance(app.screen, ExportDialog)
        text = out.read_text(encoding="utf-8")
        assert "konflikt om, hvem der betaler for ”de svære forløb”." in text
        assert "(P03, sundhedschef, municipality, cycle 2)" in text
        assert TRUST not in text
        assert f"Wrote 1 quote to {out} (md)." in notifications(app)
        assert app.exporting is False


async def test_filters_typed_after_the_query_narrow_the_quote_set(coded: Path) -> None:
    """The dialog reads the Query screen's line: key=value filters go with the query."""
    app = WorkbenchApp(coded, coder="anna", poll=False)
    async with app.run_test(size=(100, 30)) as pilot:
        for line, name, wanted in (("konflikt OR tillid sector=municipality", "kommune.md", 2),
                                   ("konflikt OR tillid cycle=2 within=segment", "segment.md", 2),
                                   ("konflikt OR tillid sector=region", "region.md", 0)):
            await pilot.press("x")
            await pilot.pause()
            dialog = app.screen
            assert isinstance(dialog, ExportDialog)
            dialog.query_one("#export-format", Select).value = "md"
            await pilot.pause()
            dialog.query_one("#export-query", Input).value = line
            dialog.query_one("#export-path", Input).value = str(coded.parent / name)
            await pilot.press("ctrl+s")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert not isinstance(app.screen, ExportDialog)
            text = (coded.parent / name).read_text(encoding="utf-8")
            assert (CONFLICT in text) == (wanted > 0) and (TRUST in text) == (wanted > 0)
        assert any("no passage matches" in m for m in notifications(app))
        # A filter the parser does not know is shown in the dialog, and nothing is written.
        await pilot.press("x")
        await pilot.pause()
        dialog = app.screen
        dialog.query_one("#export-query", Input).value = "konflikt sektor=region"
        dialog.query_one("#export-path", Input).value = str(coded.parent / "x.docx")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ExportDialog)
        assert "'sektor=' is not a filter" in shown(dialog.query_one("#export-error", Static))
        assert not (coded.parent / "x.docx").exists()


async def test_an_invalid_query_is_shown_in_the_dialog_and_nothing_is_written(
        coded: Path) -> None:
    """An unknown code and a broken query get the core's sentence; the dialog stays open."""
    out = coded.parent / "ud.md"
    app = WorkbenchApp(coded, coder="anna", poll=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("x")
        await pilot.pause()
        dialog = app.screen
        dialog.query_one("#export-format", Select).value = "md"
        dialog.query_one("#export-path", Input).value = str(out)
        query = dialog.query_one("#export-query", Input)
        query.value = "tilid"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is dialog
        assert shown(dialog.query_one("#export-error", Static)) == \
            "No code 'tilid' in the codebook; did you mean 'tillid'?"
        query.value = "tillid AND"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "The query ends after AND" in shown(dialog.query_one("#export-error", Static))
        await app.workers.wait_for_complete()
        assert app.screen is dialog
        assert not out.exists()
        assert not any(m.startswith("Wrote") for m in notifications(app))


async def test_a_missing_folder_and_a_wrong_extension_are_shown_in_the_dialog(
        coded: Path) -> None:
    """The file is checked before any work: folder, extension, not the project itself."""
    app = WorkbenchApp(coded, coder="anna", poll=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("x")
        await pilot.pause()
        dialog = app.screen
        dialog.query_one("#export-query", Input).value = "tillid"
        path = dialog.query_one("#export-path", Input)
        error = dialog.query_one("#export-error", Static)
        path.value = str(coded.parent / "findes-ikke" / "ud.docx")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert shown(error).startswith(f"The folder {coded.parent / 'findes-ikke'} does "
                                       "not exist")
        path.value = str(coded.parent / "ud.txt")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert shown(error) == ("ud.txt does not end in .docx as docx files do; change the "
                                "file name or the format.")
        path.value = str(coded)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "is the project file itself" in shown(error)
        assert app.screen is dialog
        await pilot.press("escape")
        assert not isinstance(app.screen, ExportDialog)
        assert sorted(p.name for p in coded.parent.iterdir()
                      if not p.name.startswith("ældre.wbp")) == []


@pytest.mark.slow
async def test_review_prefills_the_query_and_the_project_exports_as_qdpx(coded: Path) -> None:
    """On the review screen the query starts with the code under the cursor; qdpx writes."""
    app = WorkbenchApp(coded, coder="anna", poll=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        app.screen.query_one("#review-table").focus()
        await pilot.press("down")  # the second code: konflikt
        await pilot.press("x")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        assert dialog.query_one("#export-query", Input).value == "konflikt"
        dialog.query_one("#export-what", Select).value = "qdpx"
        await pilot.pause()
        assert not dialog.query_one("#export-quote-fields").display
        assert dialog.query_one("#export-path", Input).value == str(coded.with_suffix(".qdpx"))
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        with zipfile.ZipFile(coded.with_suffix(".qdpx")) as archive:
            assert "project.qde" in archive.namelist()
        assert any(m.startswith(f"Wrote {coded.with_suffix('.qdpx')}: 1 document, 2 codings")
                   for m in notifications(app)), notifications(app)


@pytest.mark.slow
async def test_palette_export_pseudonymises_the_codes_of_the_selection(coded: Path) -> None:
    """From the coding screen the palette's Export… starts with the codes at the cursor."""
    with Project.open(coded) as project:
        doc_id = project.conn.execute("SELECT id FROM documents").fetchone()[0]
        text = project.conn.execute("SELECT text FROM documents").fetchone()[0]
    out = coded.parent / "tillid.json"
    app = WorkbenchApp(coded, coder="anna", poll=False)
    async with app.run_test(size=(100, 30)) as pilot:
        app.open_document(doc_id, offset=text.index(TRUST) + 3)
        await pilot.pause()
        app.action_export()
        await pilot.pause()
        dialog = app.screen
        assert dialog.query_one("#export-query", Input).value == "tillid"
        dialog.query_one("#export-format", Select).value = "json"
        dialog.query_one("#export-pseudonymise", Checkbox).value = True
        dialog.query_one("#export-path", Input).value = str(out)
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert TRUST in out.read_text(encoding="utf-8")
        message = next(m for m in notifications(app) if m.startswith("Wrote"))
        assert message.startswith(f"Wrote 1 quote to {out} (json), pseudonymised")
        assert "no document is tagged" in message


def test_query_for_codes_quotes_names_the_parser_would_split() -> None:
    assert query_for_codes(["tillid", "konflikt", "tillid"]) == "tillid AND konflikt"
    assert query_for_codes(["ledelse på tværs", "or"]) == '"ledelse på tværs" AND "or"'
    assert query_for_codes(['sagt "nej"']) == '»sagt "nej"«'
    assert query_for_codes([]) == ""


def test_default_files_sit_beside_the_project() -> None:
    project = Path("/data/ældre.wbp")
    assert default_path(project, "quotes", "xlsx") == Path("/data/ældre-quotes.xlsx")
    assert default_path(project, "qdpx") == Path("/data/ældre.qdpx")
    assert default_path(project, "qdc") == Path("/data/ældre-codebook.qdc")
    assert default_path(project, "report") == Path("/data/ældre-report.html")


def test_export_bindings_have_descriptions() -> None:
    from workbench.tui.screens.project import ProjectScreen
    from workbench.tui.screens.review import ReviewScreen

    for owner in (ExportDialog, ProjectScreen, ReviewScreen):
        for binding in Binding.make_bindings(owner.BINDINGS):
            assert binding.description, f"{owner.__name__}: {binding.key}"
    keys = {b.key: b.description for b in Binding.make_bindings(ReviewScreen.BINDINGS)}
    assert keys["x"] == "Export…"
