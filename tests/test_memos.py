"""Memos and action-research notes: every target, filters, edits, deletes, undo, and the CLI."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tests.conftest import make_transcript
from workbench.cli import main
from workbench.core import codebook, codings, history, memos
from workbench.core.cases import add_cycle
from workbench.errors import InvalidInput, NotFoundError

TURNS = [("I", "Hvordan oplevede I udskrivningssamtalen?"),
         ("P03", "Jeg fik tillid til, at kommunen tog over. Men økonomien er en konflikt.")]


@pytest.fixture
def notes(project, add_doc):
    codebook.add_code(project, "trust", label_da="tillid")
    codebook.add_code(project, "ledelse på tværs", label_da="ledelse på tværs")
    doc = add_doc(project, make_transcript(TURNS), "Interview P03", cycle=2, participant="P03",
                  role="praktiserende læge", sector="general_practice")
    text = "Jeg fik tillid til"
    start = make_transcript(TURNS).text.index(text)
    coding = codings.add_coding(project, doc, start, start + len(text), "trust")
    add_cycle(project, 1, phase="act")
    with project.atomic():
        project.insert("stakeholders", {"name": "Herning Kommune", "sector": "municipality"})
    return {"doc": doc, "coding": coding, "span": f"{start}-{start + len(text)}"}


def test_memos_attach_to_every_kind_of_target(project, notes):
    made = [
        memos.add_memo(project, "Overordnet: samarbejdet modnes.", kind="journal"),
        memos.add_memo(project, "Informanten tøvede ved »økonomi«.", kind="reflection",
                       target_type="document", target="Interview P03"),
        memos.add_memo(project, "Brug også for ”stoler på”.", target_type="code",
                       target="tillid"),
        memos.add_memo(project, "Tvivlsom kodning.", target_type="coding",
                       target=notes["coding"]),
        memos.add_memo(project, "P03 bekræftede citatet.", kind="member_check",
                       target_type="participant", target="P03"),
        memos.add_memo(project, "Kommunen bærer udgiften.", target_type="stakeholder",
                       target="herning kommune"),
        memos.add_memo(project, "Fælles udskrivningssamtale med video.", kind="trial_action",
                       target_type="cycle", target="cycle 1", title="Prøvehandling 1"),
    ]
    labels = [memos.describe_target(project, m.target_type, m.target_id) for m in made]
    assert labels == [
        "project", "document Interview P03", "code trust",
        f"coding {notes['coding']} (trust in Interview P03, {notes['span']})",
        "participant P03", "stakeholder Herning Kommune", "cycle 1"]
    assert [m.kind for m in made] == ["journal", "reflection", "memo", "memo", "member_check",
                                      "memo", "trial_action"]
    assert all(m.author == "anna" for m in made)
    # A memo on a document, a coding or a cycle belongs to that cycle unless told otherwise.
    cycles = {m.target_type: m.cycle_id for m in made}
    assert cycles["project"] is None and cycles["code"] is None
    assert cycles["document"] == cycles["coding"]
    assert cycles["document"] is not None and cycles["cycle"] not in (None, cycles["document"])


def test_memo_text_is_normalised_and_must_not_be_empty(project, notes):
    memo = memos.add_memo(project, "Første linje\r\nAnden linje æøå\r\n\r\n", title=" Noter ")
    assert memo.text == "Første linje\nAnden linje æøå"
    assert memo.title == "Noter"
    with pytest.raises(InvalidInput, match="empty"):
        memos.add_memo(project, "  \n ")
    with pytest.raises(InvalidInput, match="not a memo kind"):
        memos.add_memo(project, "x", kind="diary")
    assert memos.add_memo(project, "x", kind="Member check").kind == "member_check"


def test_unknown_targets_fail_with_a_sentence(project, notes):
    with pytest.raises(NotFoundError, match="No document 'Interview P99'"):
        memos.add_memo(project, "x", target_type="document", target="Interview P99")
    with pytest.raises(NotFoundError, match="Did you mean 'trust'"):
        memos.add_memo(project, "x", target_type="code", target="trast")
    with pytest.raises(NotFoundError, match="No coding 999"):
        memos.add_memo(project, "x", target_type="coding", target=999)
    with pytest.raises(InvalidInput, match="not a coding id"):
        memos.add_memo(project, "x", target_type="coding", target="trust")
    with pytest.raises(NotFoundError, match="No cycle 5"):
        memos.add_memo(project, "x", target_type="cycle", target=5)
    with pytest.raises(NotFoundError, match="No stakeholder 'Region Nord'"):
        memos.add_memo(project, "x", target_type="stakeholder", target="Region Nord")
    with pytest.raises(InvalidInput, match="cannot|not something"):
        memos.add_memo(project, "x", target_type="segment", target=1)
    with pytest.raises(InvalidInput, match="Say which document"):
        memos.add_memo(project, "x", target_type="document")
    assert memos.list_memos(project) == []


def test_list_filters_by_kind_target_cycle_author_and_text(project, notes):
    memos.add_memo(project, "Tillid voksede blandt sygeplejerskerne.", kind="reflection",
                   target_type="document", target=notes["doc"])
    memos.add_memo(project, "ØKONOMI fylder meget.", kind="journal", author="Bo")
    memos.add_memo(project, "Plan for runde 1.", kind="trial_action", target_type="cycle",
                   target=1)
    memos.add_memo(project, "Kodeforklaring.", target_type="code", target="trust", cycle=1)

    def texts(**filters):
        return [r["text"] for r in memos.list_memos(project, **filters)]

    assert len(texts()) == 4
    assert texts(kind="journal") == ["ØKONOMI fylder meget."]
    assert texts(target_type="document", target="Interview P03") == [
        "Tillid voksede blandt sygeplejerskerne."]
    assert texts(target_type="code") == ["Kodeforklaring."]
    assert texts(target_type="project") == ["ØKONOMI fylder meget."]
    assert texts(cycle=1) == ["Plan for runde 1.", "Kodeforklaring."]
    assert texts(cycle="2") == ["Tillid voksede blandt sygeplejerskerne."]
    assert texts(author="bo") == ["ØKONOMI fylder meget."]
    assert texts(contains="økonomi") == ["ØKONOMI fylder meget."]
    assert texts(contains="TILLID") == ["Tillid voksede blandt sygeplejerskerne."]
    rows = memos.list_memos(project, kind="trial_action")
    assert rows[0]["target"] == "cycle 1" and rows[0]["cycle"] == 1


def test_edit_changes_fields_and_keeps_identity(project, notes):
    memo = memos.add_memo(project, "Udkast.", kind="memo", title="Udkast")
    edited = memos.edit_memo(project, memo.id, text="Færdig refleksion.", kind="reflection",
                             title="Refleksion", cycle=1)
    assert (edited.text, edited.kind, edited.title) == (
        "Færdig refleksion.", "reflection", "Refleksion")
    assert edited.guid == memo.guid and edited.created_at == memo.created_at
    assert edited.cycle_id is not None
    assert memos.edit_memo(project, memo.id, cycle=None).cycle_id is None
    unchanged = memos.edit_memo(project, memo.id, text="Færdig refleksion.")
    assert unchanged.updated_at == memos.get_memo(project, memo.id).updated_at
    with pytest.raises(InvalidInput, match="would be empty"):
        memos.edit_memo(project, memo.id, text="", title="")
    with pytest.raises(NotFoundError, match="No memo 77"):
        memos.edit_memo(project, 77, text="x")


def test_memo_changes_are_in_the_history_and_undo(project, notes):
    memo = memos.add_memo(project, "Første version.", kind="reflection", target_type="code",
                          target="trust")
    entry = project.rows("SELECT * FROM history ORDER BY id DESC LIMIT 1")[0]
    assert entry["action"] == "memo.add" and entry["who"] == "anna"
    assert json.loads(entry["ops"])[0]["op"] == "insert"

    memos.edit_memo(project, memo.id, text="Anden version.")
    history.undo(project)
    assert memos.get_memo(project, memo.id).text == "Første version."
    history.redo(project)
    assert memos.get_memo(project, memo.id).text == "Anden version."

    memos.delete_memo(project, memo.id)
    with pytest.raises(NotFoundError):
        memos.get_memo(project, memo.id)
    history.undo(project)
    restored = memos.get_memo(project, memo.id)
    assert restored.guid == memo.guid and restored.text == "Anden version."

    history.undo(project)  # the edit
    history.undo(project)  # the add
    assert memos.list_memos(project) == []


def test_a_deleted_target_still_shows_in_the_list(project, notes):
    code_id = codebook.get_code(project, "ledelse på tværs").id
    memos.add_memo(project, "Om koden.", target_type="code", target=code_id)
    codebook.delete_code(project, "ledelse på tværs")
    assert memos.list_memos(project)[0]["target"] == f"code #{code_id} (deleted)"


def test_a_memo_on_a_coding_goes_with_the_coding(project, notes):
    memos.add_memo(project, "Om kodningen.", target_type="coding", target=notes["coding"])
    codings.remove_coding(project, notes["coding"])
    assert memos.list_memos(project) == []


# ------------------------------------------------------------------------------------ the CLI


@pytest.fixture
def cli_project(tmp_path, notes, project):
    return str(project.path)


def run(*args, input=None):
    result = CliRunner().invoke(main, [str(a) for a in args], input=input)
    return result


def test_cli_memo_add_list_show_edit_delete(cli_project, tmp_path):
    result = run("memo", "add", cli_project, "--kind", "reflection", "--document",
                 "Interview P03", "--title", "Økonomi", "--text", "Konflikten om »tabletter«.")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Added reflection 1 on document Interview P03 (cycle 2)")

    note = tmp_path / "note.txt"
    note.write_bytes("\ufeffMedlemstjek med P03:\r\nhun genkendte citatet.\r\n".encode())
    assert run("memo", "add", cli_project, "--kind", "member_check", "--participant", "P03",
               "--file", note).exit_code == 0
    assert run("memo", "add", cli_project, "--cycle", "1", "--kind", "trial_action", "--text",
               "-", input="Fælles drop-in.\n").exit_code == 0
    assert run("memo", "add", cli_project, "--code", "ledelse på tværs",
               input="Piped tekst om ledelse.").exit_code == 0

    listing = run("memo", "list", cli_project)
    assert listing.exit_code == 0
    assert "document Interview P03" in listing.output and "participant P03" in listing.output
    assert "Fælles drop-in." in listing.output
    rows = json.loads(run("memo", "list", cli_project, "--cycle", "1", "--json").output)
    assert [r["text"] for r in rows] == ["Fælles drop-in."]
    rows = json.loads(run("memo", "list", cli_project, "--code", "ledelse på tværs",
                          "--json").output)
    assert [r["text"] for r in rows] == ["Piped tekst om ledelse."]

    shown = run("memo", "show", cli_project, "2")
    assert "member check · participant P03" in shown.output
    assert "Medlemstjek med P03:\nhun genkendte citatet." in shown.output
    data = json.loads(run("memo", "show", cli_project, "2", "--json").output)
    assert data["text"] == "Medlemstjek med P03:\nhun genkendte citatet."

    assert run("memo", "edit", cli_project, "1", "--kind", "journal").exit_code == 0
    assert json.loads(run("memo", "show", cli_project, "1", "--json").output)["kind"] == "journal"
    nothing = run("memo", "edit", cli_project, "1")
    assert nothing.exit_code == 1 and "Nothing to change" in nothing.output

    deleted = run("memo", "delete", cli_project, "1")
    assert deleted.exit_code == 0 and "Deleted memo 1 'Økonomi'" in deleted.output
    missing = run("memo", "show", cli_project, "1")
    assert missing.exit_code == 1 and "No memo 1" in missing.output


def test_cli_memo_add_refuses_two_targets_and_bad_files(cli_project, tmp_path):
    both = run("memo", "add", cli_project, "--document", "Interview P03", "--code", "trust",
               "--text", "x")
    assert both.exit_code == 1
    assert "give only one of --document and --code" in both.output
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Økonomi og tillid".encode("cp1252"))
    bad = run("memo", "add", cli_project, "--file", latin)
    assert bad.exit_code == 1 and "not UTF-8" in bad.output


def test_cli_memo_edit_opens_the_editor_at_a_terminal(cli_project, monkeypatch):
    import workbench.cli.notes_cmds as notes_cmds

    assert run("memo", "add", cli_project, "--text", "Kladde.").exit_code == 0
    seen = []

    def fake_edit(text):
        seen.append(text)
        return "Kladde, nu skrevet færdig.\n"

    monkeypatch.setattr(notes_cmds, "_stdin_is_terminal", lambda: True)
    monkeypatch.setattr(notes_cmds.click, "edit", fake_edit)
    result = run("memo", "edit", cli_project, "1")
    assert result.exit_code == 0 and "Changed memo 1" in result.output
    assert seen == ["Kladde."]
    shown = json.loads(run("memo", "show", cli_project, "1", "--json").output)
    assert shown["text"] == "Kladde, nu skrevet færdig."

    monkeypatch.setattr(notes_cmds.click, "edit", lambda text: None)  # closed without saving
    assert "was not changed" in run("memo", "edit", cli_project, "1").output
