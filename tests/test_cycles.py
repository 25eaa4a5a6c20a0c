"""Action-research cycles: phases, dates, counts, undo, and the cycle commands."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tests.conftest import make_paragraphs
from workbench.cli import main
from workbench.core import cases, history, memos
from workbench.errors import DuplicateError, InvalidInput, NotFoundError


def test_add_cycle_with_phase_and_dates(project):
    cycle = cases.add_cycle(project, 1, name="Forår 2025", phase="act",
                            start_date="2025-02-01", end_date="2025-06-30",
                            description="Første prøvehandling: fælles udskrivningssamtale.")
    assert (cycle.number, cycle.name, cycle.phase) == (1, "Forår 2025", "act")
    assert (cycle.start_date, cycle.end_date) == ("2025-02-01", "2025-06-30")
    assert cases.add_cycle(project, "cyklus 2").name == "Cycle 2"
    assert [c.number for c in cases.list_cycles(project)] == [1, 2]
    assert cases.get_cycle(project, "cycle 2").phase == "plan"


@pytest.mark.parametrize("kwargs, message", [
    ({"phase": "evaluate"}, "not a cycle phase"),
    ({"start_date": "1/3/2025"}, "not a date; write it as YYYY-MM-DD"),
    ({"start_date": "2025-06-01", "end_date": "2025-03-01"}, "ends (2025-03-01) before"),
])
def test_bad_phase_or_dates_are_refused(project, kwargs, message):
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(").replace(")", r"\)")):
        cases.add_cycle(project, 1, **kwargs)
    assert cases.list_cycles(project) == []


def test_a_cycle_number_is_taken_once(project):
    cases.add_cycle(project, 1)
    with pytest.raises(DuplicateError, match="Cycle 1 already exists"):
        cases.add_cycle(project, "1")
    with pytest.raises(InvalidInput, match="not a cycle number"):
        cases.add_cycle(project, "første")


def test_phase_changes_step_through_the_history(project):
    cases.add_cycle(project, 1)
    assert cases.set_cycle_phase(project, 1, "observe").phase == "observe"
    entry = history.list_history(project, limit=1)[0]
    assert entry["action"] == "cycle.edit" and "phase" in entry["summary"]
    history.undo(project)
    assert cases.get_cycle(project, 1).phase == "plan"
    history.redo(project)
    assert cases.get_cycle(project, 1).phase == "observe"
    with pytest.raises(NotFoundError, match="No cycle 4"):
        cases.set_cycle_phase(project, 4, "act")


def test_update_cycle_dates_and_clearing(project):
    cases.add_cycle(project, 1, start_date="2025-02-01")
    updated = cases.update_cycle(project, 1, end_date="2025-05-31", name="Forår")
    assert (updated.name, updated.end_date) == ("Forår", "2025-05-31")
    assert cases.update_cycle(project, 1, start_date="").start_date is None
    with pytest.raises(InvalidInput, match="before it starts"):
        cases.update_cycle(project, 1, start_date="2025-09-01")


def test_cycle_list_counts_documents_and_memos(project, add_doc):
    add_doc(project, make_paragraphs(["Referat fra styregruppen."]), "Referat 1", cycle=1)
    add_doc(project, make_paragraphs(["Feltnote om åben rådgivning."]), "Feltnote 2", cycle=2)
    add_doc(project, make_paragraphs(["Endnu en feltnote."]), "Feltnote 3", cycle=2)
    memos.add_memo(project, "Refleksion over runde 2.", kind="reflection",
                   target_type="cycle", target=2)
    memos.add_memo(project, "Om feltnoten.", target_type="document", target="Feltnote 2")
    cases.set_cycle_phase(project, 2, "reflect")
    rows = cases.list_cycles_with_counts(project)
    assert [(r["number"], r["phase"], r["documents"], r["memos"]) for r in rows] == [
        (1, "plan", 1, 0), (2, "reflect", 2, 2)]


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_cycle_commands(project):
    path = str(project.path)
    added = run("cycle", "add", path, "1", "--name", "Forår", "--phase", "act",
                "--start", "2025-02-01", "--end", "2025-06-30")
    assert added.exit_code == 0 and "Added cycle 1 'Forår' (phase act)" in added.output
    assert run("cycle", "add", path, "2").exit_code == 0
    again = run("cycle", "add", path, "2")
    assert again.exit_code == 1 and "Cycle 2 already exists" in again.output
    assert "act → observe" in run("cycle", "phase", path, "1", "observe").output
    assert "already in phase observe" in run("cycle", "phase", path, "1", "observe").output
    bad = run("cycle", "phase", path, "1", "evaluate")
    assert bad.exit_code == 2
    edited = run("cycle", "edit", path, "2", "--start", "2025-08-15")
    assert edited.exit_code == 0 and "2025-08-15" in edited.output
    table = run("cycle", "list", path)
    assert "Forår" in table.output and "observe" in table.output
    rows = json.loads(run("cycle", "list", path, "--json").output)
    assert [(r["number"], r["phase"], r["start_date"]) for r in rows] == [
        (1, "observe", "2025-02-01"), (2, "plan", "2025-08-15")]
    missing = run("cycle", "phase", path, "9", "act")
    assert missing.exit_code == 1 and "No cycle 9" in missing.output
