"""Pictures of the main screens at fixed sizes (pytest-textual-snapshot).

The SVGs under tests/__snapshots__/ were looked at when they were made: the coding screen
shows the speaker gutter, a coded turn in its code colour with its bar in the margin, an open
suggestion in italics with its evidence word in bold, and the side panels; the review screen
shows the frequency table and the bar chart; the help screen lists the bindings.
Update them with ``pytest tests/test_tui_snapshots.py --snapshot-update`` after a deliberate
change, and look at them again.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.test_tui import make_project, write_sources
from workbench.core import codebook
from workbench.core.store import Project
from workbench.importers.batch import import_paths
from workbench.tui.app import WorkbenchApp


@pytest.fixture
def snap_project(tmp_path: Path) -> tuple[Path, int]:
    """The test interview imported, one open suggestion of 'vision' on its last turn."""
    folder = tmp_path / "snap"
    folder.mkdir()
    path = make_project(folder, "snap.wbp")
    source = write_sources(folder)
    with Project.open(path) as project:
        events = list(import_paths(project, [source], case="Sammen om Ældre", cycle=1))
        doc_id = next(e.document_id for e in events if e.path.name.startswith("P01"))
        text = project.conn.execute("SELECT text FROM documents WHERE id = ?",
                                    (doc_id,)).fetchone()[0]
        start = text.index("Min vision")
        with project.atomic():
            project.conn.execute(
                'INSERT INTO suggestions (guid, document_id, start, "end", code_id, origin, '
                "score, evidence, created_at) VALUES ('snap-1', ?, ?, ?, ?, 'indicator', 0.8, "
                "?, '2025-01-01T00:00:00+00:00')",
                (doc_id, start, len(text.rstrip()), codebook.get_code(project, "vision").id,
                 json.dumps(["vision"])))
    return path, doc_id


def _coding_session(doc_id: int):
    async def run_before(pilot) -> None:
        pilot.app.open_document(doc_id)
        await pilot.pause()
        await pilot.press("]", "]", "space", "1", "]", "]", "]", "]", "*")
        await pilot.pause()

    return run_before


def test_coding_screen_80x24(snap_compare, snap_project) -> None:
    """The coding screen in a small terminal: a coded turn and a suggestion under the cursor."""
    path, doc_id = snap_project
    app = WorkbenchApp(path, coder="anna", poll=False)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_coding_session(doc_id))


def test_coding_screen_160x48(snap_compare, snap_project) -> None:
    """The coding screen with room: code names in the margin, wider side panels."""
    path, doc_id = snap_project
    app = WorkbenchApp(path, coder="anna", poll=False)
    assert snap_compare(app, terminal_size=(160, 48), run_before=_coding_session(doc_id))


def test_review_screen(snap_compare, snap_project) -> None:
    """Code frequencies by document after one coding, with the bar chart."""
    path, doc_id = snap_project

    async def run_before(pilot) -> None:
        await _coding_session(doc_id)(pilot)
        await pilot.press("f6")
        await pilot.pause()

    app = WorkbenchApp(path, coder="anna", poll=False)
    assert snap_compare(app, terminal_size=(100, 30), run_before=run_before)


def test_help_screen(snap_compare, snap_project) -> None:
    """The help screen, generated from the bindings."""
    path, _ = snap_project
    app = WorkbenchApp(path, coder="anna", poll=False)
    assert snap_compare(app, terminal_size=(100, 40), press=["f1"])
