"""The TUI driven by Textual's pilot: a whole coding session, and the pieces around it.

Every step checks two things: what is stored in the project file, and what the screen shows.
The transcripts are written by the tests themselves (Danish text with æ, ø, å, Danish quote
marks, a CRLF cp1252 field note), so nothing here depends on corpora/.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbench.core import codebook
from workbench.core.store import Project, now
from workbench.tui.app import WorkbenchApp
from workbench.tui.dialogs.import_files import ImportDialog
from workbench.tui.dialogs.memo_editor import MemoEditor
from workbench.tui.dialogs.picker import FuzzyPicker
from workbench.tui.dialogs.prompt import TextDialog
from workbench.tui.screens.coding import CodingScreen
from workbench.tui.screens.help import HelpScreen
from workbench.tui.screens.project import ProjectScreen
from workbench.tui.screens.review import ReviewScreen

INTERVIEW = """Interview P01 – sundhedschef, Herning Kommune

I: Hvordan oplever du samarbejdet med regionen?

R: Altså, jeg synes, vi har fået en ”helt anden” tillid til hinanden. Vi ringer til \
hinanden, før der opstår problemer.

I: Og hvad med de praktiserende læger?

R: Der er stadig en konflikt om, hvem der betaler. Det er en risiko for hele \
prøvehandlingen, hvis vi ikke får løst det.

I: Hvad tænker du om fremtiden?

R: Min vision er et fælles forløb for de ældre, hvor ingen falder mellem to stole.
"""

FIELD_NOTE = ("Feltnote fra styregruppemødet\r\n\r\nMødet startede kl. 13. Stemningen var "
              "god, men der var »uenighed« om økonomien.\r\n\r\nBorgerpanelet ønskede tryghed "
              "for de ældre.\r\n")

CODES = (("tillid", "1", "#2e7d32", ["tillid"]), ("vision", "2", "#1565c0", ["vision"]),
         ("konflikt", "3", "#c62828", ["konflikt", "uenighed"]),
         ("risiko", "4", "#ef6c00", ["risiko"]))


# ------------------------------------------------------------------------------ helpers
def make_project(folder: Path, name: str = "session.wbp") -> Path:
    """A project with a small Danish codebook (hotkeys 1-4) and no documents."""
    path = folder / name
    with Project.create(path) as project:
        for code, hotkey, colour, indicators in CODES:
            codebook.add_code(project, code, hotkey=hotkey, colour=colour,
                              definition=f"Passager om {code}.", indicators=indicators)
    return path


def write_sources(folder: Path) -> Path:
    """A folder with one interview (UTF-8) and one field note (cp1252, CRLF)."""
    source = folder / "kilder"
    source.mkdir()
    (source / "P01_sundhedschef.txt").write_text(INTERVIEW, encoding="utf-8")
    (source / "feltnote_moede.txt").write_bytes(FIELD_NOTE.encode("cp1252"))
    return source


def lines_of(widget) -> list[str]:
    """The text a Line API widget shows, one string per visible line."""
    return [widget.render_line(y).text for y in range(widget.size.height)]


def shown(widget) -> str:
    """The plain text a Static shows."""
    visual = widget.visual
    return getattr(visual, "plain", str(visual))


def rows(path: Path, sql: str, params: tuple = ()) -> list[dict]:
    """Read the project file with a connection of its own (as another program would)."""
    with Project.open(path) as project:
        return project.rows(sql, params)


def notifications(app) -> list[str]:
    """The messages of the notifications raised so far."""
    return [n.message for n in app._notifications]


def turn_line(view, block) -> int:
    """The visible line (y) where a block starts."""
    return view.layout_.row_of(block.start) - int(view.scroll_y)


# ------------------------------------------------------------------------------ the session
@pytest.mark.slow
async def test_full_coding_session(tmp_path: Path) -> None:
    """Import, open, select, code by hotkey, undo, redo, picker, memo, suggestion, review."""
    path = make_project(tmp_path)
    source = write_sources(tmp_path)
    (source / "lydfil.mp3").write_bytes(b"ID3 not a transcript")
    app = WorkbenchApp(path, coder="anna", poll=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ProjectScreen)

        # --- import the folder through the dialog, in a worker
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, ImportDialog)
        app.screen.query_one("#import-path").value = str(source)
        app.screen.query_one("#import-case").value = "Sammen om Ældre"
        app.screen.query_one("#import-cycle").value = "1"
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        project_screen = app.screen
        assert isinstance(project_screen, ProjectScreen)
        docs = rows(path, "SELECT d.id, d.name, d.kind, c.name AS case_name FROM documents d "
                          "JOIN cases c ON c.id = d.case_id ORDER BY d.name")
        assert [d["name"] for d in docs] == ["P01_sundhedschef", "feltnote_moede"] or \
            sorted(d["name"] for d in docs) == ["P01_sundhedschef", "feltnote_moede"]
        assert {d["case_name"] for d in docs} == {"Sammen om Ældre"}
        table = project_screen.query_one("#document-table")
        assert table.row_count == 2
        names = {str(table.get_row_at(i)[0]) for i in range(2)}
        assert names == {"P01_sundhedschef", "feltnote_moede"}
        log_text = "\n".join(line.text for line in project_screen.query_one("#import-log").lines)
        assert "P01_sundhedschef.txt: imported" in log_text
        assert "✗ lydfil.mp3: '.mp3' is not a format workbench reads" in log_text
        assert "Import finished: 2 imported, 0 skipped, 1 failed" in \
            shown(project_screen.query_one("#import-title"))

        # --- open the interview from the table
        interview = next(d for d in docs if d["name"] == "P01_sundhedschef")
        table.focus()
        table.move_cursor(row=table.get_row_index(str(interview["id"])))
        await pilot.press("enter")
        await pilot.pause()
        coding = app.screen
        assert isinstance(coding, CodingScreen)
        view = coding.view
        text = rows(path, "SELECT text FROM documents WHERE id = ?", (interview["id"],))[0]["text"]
        assert view.text == text
        screen_lines = lines_of(view)
        assert any(line.startswith(" R ") and "Altså, jeg synes" in line
                   for line in screen_lines)
        assert not any("I: Hvordan" in line for line in screen_lines), \
            "the speaker label is shown in the gutter, not repeated in the text"

        # --- select the informant's first turn with one key
        await pilot.press("]", "]")
        await pilot.press("space")
        turn = view.block_at_cursor()
        assert turn.speaker == "R"
        assert view.selection == (turn.start, turn.end)
        assert text[turn.start:turn.end].startswith("Altså, jeg synes")
        assert "selected 20 words" in shown(coding.query_one("#coding-status"))

        # --- code it with hotkey 1 (tillid)
        await pilot.press("1")
        await pilot.pause()
        stored = rows(path, 'SELECT k.start, k."end", c.name, k.coder, k.origin FROM codings k '
                            "JOIN codes c ON c.id = k.code_id")
        assert stored == [{"start": turn.start, "end": turn.end, "name": "tillid",
                           "coder": "anna", "origin": "manual"}]
        y = turn_line(view, turn)
        strip = view.render_line(y)
        coded = [seg for seg in strip if "Altså" in seg.text]
        assert coded and coded[0].style.bgcolor is not None, "coded text has the code colour"
        assert "┃" in strip.text, "the margin shows the coding's bar"
        here = lines_of(coding.query_one("#codings-here"))
        assert "tillid · anna" in here[0]
        tree_labels = [str(node.label) for node in coding.query_one("#code-tree").root.children]
        assert any("tillid 1·1" in label for label in tree_labels)

        # --- undo and redo
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert rows(path, "SELECT id FROM codings") == []
        assert "nothing coded here" in lines_of(coding.query_one("#codings-here"))[0]
        strip = view.render_line(turn_line(view, turn))
        assert all(seg.style is None or seg.style.bgcolor is None or "Altså" not in seg.text
                   or seg.style.bgcolor == view.rich_style.bgcolor for seg in strip)
        assert any("Undone: code" in m for m in notifications(app))
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert len(rows(path, "SELECT id FROM codings")) == 1
        assert "tillid · anna" in lines_of(coding.query_one("#codings-here"))[0]

        # --- code the next informant turn with the fuzzy picker
        await pilot.press("]", "]", "space")
        second = view.block_at_cursor()
        assert text[second.start:second.end].startswith("Der er stadig en konflikt")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, FuzzyPicker)
        await pilot.press(*"konf")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is coding
        stored = rows(path, 'SELECT c.name FROM codings k JOIN codes c ON c.id = k.code_id '
                            "WHERE k.start = ?", (second.start,))
        assert stored == [{"name": "konflikt"}]
        assert "konflikt · anna" in lines_of(coding.query_one("#codings-here"))[0]

        # --- a memo on that coding
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert isinstance(app.screen, TextDialog)
        await pilot.press(*"Økonomi splitter")
        await pilot.press("ctrl+s")
        await pilot.pause()
        memo = rows(path, "SELECT memo FROM codings WHERE start = ?", (second.start,))
        assert memo == [{"memo": "Økonomi splitter"}]
        assert "konflikt · anna ✎ Økonomi" in lines_of(coding.query_one("#codings-here"))[0]
        assert "✎ Økonomi splitter" in shown(coding.query_one("#coding-status"))

        # --- a suggestion appears (as tagging would write it) and is accepted with one key
        last = [b for b in view.blocks if b.kind == "turn"][-1]
        with Project.open(path) as other:
            code_id = codebook.get_code(other, "vision").id
            with other.atomic():
                other.conn.execute(
                    'INSERT INTO suggestions (guid, document_id, start, "end", code_id, origin, '
                    "score, evidence, created_at) VALUES ('s-1', ?, ?, ?, ?, 'indicator', 0.8, "
                    "?, ?)", (interview["id"], last.start, last.end, code_id,
                              json.dumps(["vision", "fælles forløb"]), now()))
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert "Suggestions · 1" in coding.query_one("#suggestion-queue").border_title
        await pilot.press("*")
        await pilot.pause()
        assert view.cursor == last.start
        status = shown(coding.query_one("#coding-status"))
        assert "suggests vision (0.80); evidence: vision, fælles forløb" in status
        strip = view.render_line(turn_line(view, last))
        evidence = [seg for seg in strip if seg.text.strip() == "vision"]
        assert evidence and evidence[0].style.bold, "evidence words are shown in bold"
        await pilot.press("plus")
        await pilot.pause()
        decided = rows(path, "SELECT status, decided_by FROM suggestions")
        assert decided == [{"status": "accepted", "decided_by": "anna"}]
        accepted = rows(path, "SELECT origin FROM codings WHERE start = ?", (last.start,))
        assert accepted == [{"origin": "suggestion"}]
        assert "Suggestions · 0" in coding.query_one("#suggestion-queue").border_title
        assert "vision · anna · suggestion" in lines_of(coding.query_one("#codings-here"))[0]

        # --- the review table counts the codings, and follows a new one
        await pilot.press("f6")
        await pilot.pause()
        review = app.screen
        assert isinstance(review, ReviewScreen)
        review_table = review.query_one("#review-table")

        def total(code: str) -> str:
            for index in range(review_table.row_count):
                cells = review_table.get_row_at(index)
                if str(cells[0]).strip().endswith(code):
                    return str(cells[1])
            raise AssertionError(code)

        assert (total("tillid"), total("konflikt"), total("vision")) == ("1", "1", "1")
        await pilot.press("f3")
        await pilot.pause()
        view.move_to([b for b in view.blocks if b.kind == "turn"][0].start)
        await pilot.press("space", "1")
        await pilot.pause()
        assert len(rows(path, "SELECT id FROM codings WHERE code_id = "
                              "(SELECT id FROM codes WHERE name = 'tillid')")) == 2
        await pilot.press("f6")
        await pilot.pause()
        assert total("tillid") == "2"


# ------------------------------------------------------------------------------ pieces
@pytest.fixture
def imported(tmp_path: Path) -> tuple[Path, int]:
    """A project with the interview and the field note imported; the interview's id."""
    from workbench.importers.batch import import_paths

    path = make_project(tmp_path)
    source = write_sources(tmp_path)
    with Project.open(path) as project:
        events = list(import_paths(project, [source], case="Sammen om Ældre", cycle=1))
    assert all(e.status == "imported" for e in events), [e.message for e in events]
    doc_id = next(e.document_id for e in events if e.path.name.startswith("P01"))
    return path, doc_id


@pytest.mark.slow
async def test_tagging_runs_in_a_worker_and_fills_the_queue(imported) -> None:
    """t tags in a thread worker; its suggestions appear in the coding screen's queue."""
    path, doc_id = imported
    app = WorkbenchApp(path, coder="anna", poll=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("t")
        await app.workers.wait_for_complete()
        await pilot.pause()
        found = rows(path, "SELECT c.name FROM suggestions s JOIN codes c ON c.id = s.code_id "
                           "WHERE s.document_id = ? AND s.status = 'open'", (doc_id,))
        assert {"tillid", "konflikt"} <= {r["name"] for r in found}
        assert "Tagging finished" in shown(app.screen.query_one("#import-title"))
        app.open_document(doc_id)
        await pilot.pause()
        coding = app.screen
        queue = coding.query_one("#suggestion-queue")
        assert queue.border_title == f"Suggestions · {len(found)}"
        queue.focus()
        await pilot.press("down", "down")
        await pilot.pause()
        assert coding.view.cursor == coding._queue[queue.highlighted].start
        await pilot.press("minus")
        await pilot.pause()
        assert len(rows(path, "SELECT id FROM suggestions WHERE status = 'rejected'")) == 1
        assert queue.border_title == f"Suggestions · {len(found) - 1}"


async def test_errors_are_notifications_with_the_core_message(imported) -> None:
    """A duplicate coding and an unknown hotkey are told in one sentence; nothing crashes."""
    path, doc_id = imported
    app = WorkbenchApp(path, coder="anna", poll=False)
    async with app.run_test(size=(100, 30)) as pilot:
        app.open_document(doc_id)
        await pilot.pause()
        await pilot.press("]", "]", "space", "1")
        await pilot.pause()
        await pilot.press("1")
        await pilot.pause()
        messages = notifications(app)
        assert any("anna has already coded this passage" in m and "nothing was changed" in m
                   for m in messages), messages
        await pilot.press("9")
        await pilot.pause()
        assert any("No code has the hotkey '9'" in m for m in notifications(app))
        assert len(rows(path, "SELECT id FROM codings")) == 1


async def test_moving_selecting_and_searching(imported) -> None:
    """Turn, sentence and word keys move and select; search finds Danish words."""
    path, doc_id = imported
    app = WorkbenchApp(path, coder="anna", poll=False)
    async with app.run_test(size=(90, 30)) as pilot:
        app.open_document(doc_id)
        await pilot.pause()
        coding = app.screen
        view = coding.view
        text = view.text
        await pilot.press("]", "]")
        start = view.cursor
        assert text[start:].startswith("Altså")
        await pilot.press(".")
        s, e = view.selection
        assert text[s:e] == "Altså, jeg synes, vi har fået en ”helt anden” tillid til hinanden."
        await pilot.press("escape", "[", "shift+right", "shift+right")
        s, e = view.selection
        assert text[s:e] == "Altså, jeg"
        await pilot.press("shift+down")
        s, e = view.selection
        assert text[s:e].endswith("tillid til hinanden.")
        await pilot.press("escape", ")")
        assert text[view.cursor:].startswith("Vi ringer")
        await pilot.press("ctrl+n")
        assert text[view.cursor:].startswith("Og hvad med")  # the next uncoded turn
        await pilot.press("slash")
        await pilot.press(*"ældre")
        await pilot.press("enter")
        await pilot.pause()
        assert text[view.cursor:view.cursor + 5].lower() == "ældre"
        assert "match 1/1" in shown(coding.query_one("#coding-status"))
        await pilot.press("escape")
        assert view.has_focus


async def test_mouse_drag_selects_a_passage(imported) -> None:
    """Dragging over the text selects it (from where the button went down to where it rose)."""
    path, doc_id = imported
    app = WorkbenchApp(path, coder="anna", poll=False)
    async with app.run_test(size=(90, 30)) as pilot:
        app.open_document(doc_id)
        await pilot.pause()
        view = app.screen.view
        view.action_document_start()
        await pilot.pause()
        turn = [b for b in view.blocks if b.kind == "turn"][1]
        y = turn_line(view, turn)
        x = view.gutter_width
        await pilot.mouse_down("#transcript", offset=(x, y))
        await pilot.hover("#transcript", offset=(x + 10, y))
        await pilot.mouse_up("#transcript", offset=(x + 10, y))
        await pilot.pause()
        s, e = view.selection
        assert view.text[s:e] == "Altså, jeg"
        await pilot.press("3")
        await pilot.pause()
        assert rows(path, 'SELECT start, "end" FROM codings') == [{"start": s, "end": e}]
        await pilot.click("#transcript", offset=(x + 3, y + 1), times=2)
        await pilot.pause()
        s, e = view.selection
        assert view.text[s:e] == \
            "Altså, jeg synes, vi har fået en ”helt anden” tillid til hinanden."


async def test_in_vivo_and_remove(imported) -> None:
    """ctrl+v makes a code from the selected words; delete removes the coding under the cursor."""
    path, doc_id = imported
    app = WorkbenchApp(path, coder="anna", poll=False)
    async with app.run_test(size=(90, 30)) as pilot:
        app.open_document(doc_id)
        await pilot.pause()
        view = app.screen.view
        view.move_to(view.text.index("falder mellem"))
        await pilot.press("shift+right", "shift+right", "shift+right", "shift+right")
        await pilot.press("ctrl+v")
        await pilot.pause()
        codes = rows(path, "SELECT name FROM codes WHERE name LIKE '“%'")
        assert codes == [{"name": "“falder mellem to stole”"}]
        assert "■ “falder mellem to stole”" in lines_of(app.screen.query_one("#codings-here"))[0]
        tree = [str(n.label) for n in app.screen.query_one("#code-tree").root.children]
        assert any("“falder mellem to stole”" in label for label in tree)
        await pilot.press("delete")
        await pilot.pause()
        assert rows(path, "SELECT id FROM codings") == []
        assert "nothing coded here" in lines_of(app.screen.query_one("#codings-here"))[0]


async def test_memos_screen_writes_a_reflection_in_a_cycle(imported) -> None:
    """The memos screen lists memos by cycle; n writes one with kind and cycle."""
    path, _ = imported
    app = WorkbenchApp(path, coder="anna", poll=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        editor = app.screen
        assert isinstance(editor, MemoEditor)
        editor.query_one("#memo-kind").value = "reflection"
        editor.query_one("#memo-cycle").value = 1
        editor.query_one("#memo-title").value = "Efter mødet"
        await pilot.press(*"Tillid, økonomi")
        await pilot.press("ctrl+s")
        await pilot.pause()
        stored = rows(path, "SELECT m.kind, m.title, m.text, c.number FROM memos m "
                            "JOIN cycles c ON c.id = m.cycle_id")
        assert stored == [{"kind": "reflection", "title": "Efter mødet",
                           "text": "Tillid, økonomi", "number": 1}]
        table = app.screen.query_one("#memo-table")
        assert table.row_count == 1
        cells = [str(c) for c in table.get_row_at(0)]
        assert cells[1:3] == ["reflection", "1"] and cells[4] == "Efter mødet"
        assert "Tillid, økonomi" in shown(app.screen.query_one("#memo-text"))


async def test_codebook_screen_edits_with_confirmation(imported) -> None:
    """Hotkeys and names change in one step each; deleting asks first."""
    path, _ = imported
    app = WorkbenchApp(path, coder="anna", poll=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        screen = app.screen
        tree = screen.query_one("#codebook-tree")
        tree.focus()
        tree.select_code(codebook.get_code(app.project, "risiko").id)
        await pilot.press("r")
        await pilot.pause()
        app.screen.query_one("#prompt-input").value = "risiko og usikkerhed"
        await pilot.press("enter")
        await pilot.pause()
        assert rows(path, "SELECT name FROM codes WHERE hotkey = '4'") == [
            {"name": "risiko og usikkerhed"}]
        assert "risiko og usikkerhed" in shown(screen.query_one("#code-detail-text"))
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("n")  # no: nothing is deleted
        await pilot.pause()
        assert len(rows(path, "SELECT id FROM codes")) == 4
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert len(rows(path, "SELECT id FROM codes")) == 3
        assert not any("risiko" in str(n.label) for n in tree.root.children)


async def test_help_lists_every_binding(imported) -> None:
    """The help screen is generated from the bindings, including the code hotkeys."""
    path, _ = imported
    app = WorkbenchApp(path, coder="anna", poll=False)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        sections = {title: rows_ for title, _, rows_ in app.screen.sections()}
        from workbench.tui.widgets.transcript import TranscriptView

        described = {d for _, d in sections["Coding: in the transcript"]}
        assert {b.description for b in TranscriptView.BINDINGS} <= described
        assert ("1", "code as tillid") in sections["Coding: code hotkeys (from the codebook)"]
        assert ("f3", "Coding") in sections["Everywhere"]
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


def test_every_binding_has_a_description() -> None:
    """The footer and the help list bindings by their descriptions: none may be empty."""
    from textual.binding import Binding

    from workbench.tui.screens.help import HelpScreen as Help
    from workbench.tui.widgets.code_tree import CodeTree
    from workbench.tui.widgets.mark_list import MarkList
    from workbench.tui.widgets.transcript import TranscriptView

    owners = [WorkbenchApp, *WorkbenchApp.SCREENS.values(), Help, TranscriptView, CodeTree,
              MarkList, FuzzyPicker, TextDialog, MemoEditor, ImportDialog]
    for owner in owners:
        for binding in Binding.make_bindings(owner.BINDINGS):
            assert binding.description, f"{owner.__name__}: {binding.key} has no description"


@pytest.mark.slow
async def test_two_instances_share_the_project(imported) -> None:
    """A coder and a supervisor on one file: both write, each sees the other's change.

    In real use they are two processes; here two apps share one event loop, so calls into an
    app go through its own message queue (call_later) to run in that app's context.
    """
    path, doc_id = imported
    coder = WorkbenchApp(path, coder="anna", poll=False)
    supervisor = WorkbenchApp(path, coder="bo", poll=False)
    async with coder.run_test(size=(100, 30)) as pilot_a, \
            supervisor.run_test(size=(100, 30)) as pilot_b:
        coder.call_later(coder.open_document, doc_id)
        supervisor.call_later(supervisor.open_document, doc_id)
        await pilot_a.pause()
        await pilot_b.pause()
        await pilot_a.press("]", "]", "space", "1")
        await pilot_a.pause()
        await pilot_b.press("]", "]", "]", "]", "space", "3")
        await pilot_b.pause()
        coders = {r["coder"] for r in rows(path, "SELECT coder FROM codings")}
        assert coders == {"anna", "bo"}
        await pilot_a.press("ctrl+r")
        await pilot_a.pause()
        marks = {m.coder for m in coder.screen.view.codings.items}
        assert marks == {"anna", "bo"}
        # Without ctrl+r: the app notices that another connection wrote to the file.
        await pilot_b.press("[", "[", "space", "2")
        await pilot_b.pause()
        coder.call_later(coder._check_for_changes)
        await pilot_a.pause()
        assert len(coder.screen.view.codings.items) == 3
        assert not any("locked" in m or "busy" in m for m in notifications(coder)
                       + notifications(supervisor))


async def test_stakeholders_screen_confirms_and_jumps(imported) -> None:
    """Stakeholders by sector with mention counts; c confirms; j opens the mention."""
    path, doc_id = imported
    with Project.open(path) as project:
        text = project.conn.execute("SELECT text FROM documents WHERE id = ?",
                                    (doc_id,)).fetchone()[0]
        start = text.index("Herning Kommune")
        with project.atomic():
            sid = project.insert("stakeholders", {"name": "Herning Kommune",
                                                  "sector": "municipality"})
            project.insert("mentions", {"document_id": doc_id, "stakeholder_id": sid,
                                        "start": start, "end": start + 15,
                                        "surface": "Herning Kommune"})
    app = WorkbenchApp(path, coder="anna", poll=False)
    async with app.run_test(size=(110, 30)) as pilot:
        await pilot.press("f7")
        await pilot.pause()
        table = app.screen.query_one("#stakeholder-table")
        cells = [str(c) for c in table.get_row_at(0)]
        assert cells[:2] == ["municipality", "Herning Kommune"] and cells[4] == "1"
        table.focus()
        await pilot.press("c")
        await pilot.pause()
        assert rows(path, "SELECT status FROM stakeholders") == [{"status": "confirmed"}]
        assert str(table.get_row_at(0)[3]) == "confirmed"
        await pilot.press("j")
        await pilot.pause()
        assert isinstance(app.screen, CodingScreen)
        assert app.screen.view.selection == (start, start + 15)
