"""Stakeholder curation: confirm, reject, add, rename, merge, own gazetteer, with undo."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tests.conftest import make_paragraphs
from workbench.cli import main
from workbench.core import history
from workbench.core import stakeholders as sh
from workbench.errors import DuplicateError, NotFoundError
from workbench.nlp.tagging import run

TEXT = ("Danske Regioner og DR er det samme. Herning Kommune og kommunen betaler. "
        "Slip Sundheden Fri (SSF) er vores partnerskab.")


@pytest.fixture
def tagged(project, add_doc):
    add_doc(project, make_paragraphs([TEXT]), "doc")
    run(project)
    return project


def mention_count(project, name):
    return next(r["mentions"] for r in sh.list_stakeholders(project) if r["name"] == name)


def test_listing_counts_mentions_per_canonical_stakeholder(tagged):
    rows = {r["name"]: r for r in sh.list_stakeholders(tagged)}
    assert rows["Danske Regioner"]["mentions"] == 2
    assert rows["Danske Regioner"]["sector"] == "interest_organisation"
    assert rows["kommunen (generic)"]["status"] == "suggested"
    assert [r["name"] for r in sh.list_stakeholders(tagged, sector="municipality")] == [
        "Herning Kommune", "kommunen (generic)"]


def test_confirm_and_reject_undo(tagged):
    sh.confirm(tagged, ["DR"])  # an alias finds the canonical stakeholder
    assert sh.get_stakeholder(tagged, "Danske Regioner").status == "confirmed"
    history.undo(tagged)
    assert sh.get_stakeholder(tagged, "Danske Regioner").status == "suggested"
    sh.reject(tagged, ["kommunen (generic)"])
    run(tagged, force=True)
    assert mention_count(tagged, "kommunen (generic)") == 0


def test_merge_moves_mentions_and_undo_restores(tagged):
    merged = sh.merge(tagged, ["kommunen (generic)"], "Herning Kommune")
    assert "kommunen (generic)" in merged.aliases
    assert mention_count(tagged, "Herning Kommune") == 2
    with pytest.raises(NotFoundError):
        sh.get_stakeholder(tagged, 999)
    # After the merge, tagging sends "kommunen" to Herning Kommune.
    run(tagged, force=True)
    assert mention_count(tagged, "Herning Kommune") == 2
    history.undo(tagged)
    assert mention_count(tagged, "kommunen (generic)") == 1


def test_merge_undo_immediately(tagged):
    sh.merge(tagged, ["kommunen (generic)"], "Herning Kommune")
    history.undo(tagged)
    assert mention_count(tagged, "kommunen (generic)") == 1
    assert mention_count(tagged, "Herning Kommune") == 1
    assert sh.get_stakeholder(tagged, "Herning Kommune").aliases == ()


def test_rename_keeps_old_name_as_alias_and_undo(tagged):
    renamed = sh.rename(tagged, "Danske Regioner", "Danske Regioner (DR)")
    sid = renamed.id
    assert renamed.aliases == ("Danske Regioner",)
    run(tagged, force=True)
    assert mention_count(tagged, "Danske Regioner (DR)") == 2
    with pytest.raises(DuplicateError):
        sh.rename(tagged, "Herning Kommune", "Danske Regioner (DR)")
    history.undo(tagged)
    assert sh.get_stakeholder(tagged, sid).name == "Danske Regioner"


def test_added_stakeholder_is_found_by_the_next_tagging(tagged):
    sh.add(tagged, "Slip Sundheden Fri", sector="partnership_project", kind="partnership",
           aliases=["SSF"])
    run(tagged)
    rows = tagged.rows("SELECT surface FROM mentions m JOIN stakeholders s "
                       "ON s.id = m.stakeholder_id WHERE s.name = 'Slip Sundheden Fri'")
    assert sorted(r["surface"] for r in rows) == ["SSF", "Slip Sundheden Fri"]


def test_cli_add_gazetteer_and_list(tagged, tmp_path):
    gazetteer = tmp_path / "mine.yaml"
    gazetteer.write_text(
        "- name: Slip Sundheden Fri\n  sector: partnership_project\n  kind: partnership\n"
        "  aliases: [SSF]\n", encoding="utf-8")
    runner = CliRunner()
    path = str(tagged.path)
    result = runner.invoke(main, ["stakeholders", "add-gazetteer", path, str(gazetteer)])
    assert result.exit_code == 0, result.output
    assert runner.invoke(main, ["tag", path]).exit_code == 0
    result = runner.invoke(main, ["stakeholders", path, "--sector", "partnership_project",
                                  "--json"])
    rows = json.loads(result.output)
    assert [(r["name"], r["mentions"], r["aliases"]) for r in rows] == [
        ("Slip Sundheden Fri", 2, ["SSF"])]
    result = runner.invoke(main, ["stakeholders", "merge", path, "kommunen (generic)",
                                  "--into", "Herning Kommune"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["stakeholders", "show", path, "Herning Kommune", "--json"])
    assert [m["surface"] for m in json.loads(result.output)["mentions"]] == [
        "Herning Kommune", "kommunen"]


def test_bad_gazetteer_file_is_one_clear_error(project, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("- name: X\n  sector: hospitalet\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["stakeholders", "add-gazetteer", str(project.path),
                                       str(bad)])
    assert result.exit_code == 1
    assert "sector 'hospitalet'" in result.output


def test_core_stakeholders_and_search_do_not_load_spacy():
    import subprocess
    import sys

    code = ("import sys, workbench.core.stakeholders, workbench.core.search, "
            "workbench.cli.nlp_cmds; print('spacy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "False"


def test_cli_accepts_a_gazetteer_alias_the_text_never_used(project, add_doc):
    add_doc(project, make_paragraphs(["Danske Regioner har sendt et udspil."]), "doc")
    run(project)
    runner = CliRunner()
    result = runner.invoke(main, ["stakeholders", "confirm", str(project.path), "DR"])
    assert result.exit_code == 0, result.output
    assert "Confirmed: Danske Regioner" in result.output
    result = runner.invoke(main, ["stakeholders", "confirm", str(project.path), "Ingen Sådan"])
    assert result.exit_code == 1 and "No stakeholder 'Ingen Sådan'" in result.output
