"""Relations added by hand: add, list, memo, remove, each undoable; clear refusals."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from workbench.cli import main
from workbench.core import history, stakeholders
from workbench.core import relations as rel
from workbench.errors import DuplicateError, InvalidInput, NotFoundError


@pytest.fixture
def people(project):
    stakeholders.add(project, "Region Midtjylland", sector="region")
    stakeholders.add(project, "CareLink ApS", sector="private_company", aliases=["CareLink"])
    stakeholders.add(project, "Børne- og Ungdomspsykiatrisk Center", sector="hospital",
                     aliases=["BUC"])
    return project


def test_add_list_and_remove_with_undo(people):
    added = rel.add_relation(people, "Region Midtjylland", "CareLink", "Contracts with",
                             memo="Kontrakt om telemedicin til KOL – se P04’s interview.")
    assert (added["source"], added["kind"], added["target"]) == (
        "Region Midtjylland", "contracts_with", "CareLink ApS")
    assert added["author"] == "anna" and "P04’s" in added["memo"]
    assert [r["id"] for r in rel.list_relations(people, stakeholder="CareLink ApS")] == [
        added["id"]]
    assert rel.list_relations(people, kind="funds") == []
    history.undo(people)
    assert rel.list_relations(people) == []
    history.redo(people)
    assert len(rel.list_relations(people)) == 1
    rel.set_relation_memo(people, added["id"], "Ny note")
    assert rel.get_relation(people, added["id"])["memo"] == "Ny note"
    rel.remove_relation(people, added["id"])
    assert rel.list_relations(people) == []
    history.undo(people)
    assert rel.get_relation(people, added["id"])["memo"] == "Ny note"


def test_refusals_say_what_is_wrong(people):
    rel.add_relation(people, "BUC", "Region Midtjylland", "reports_to")
    with pytest.raises(DuplicateError, match="recorded already"):
        rel.add_relation(people, "Børne- og Ungdomspsykiatrisk Center", "Region Midtjylland",
                         "reports to")
    with pytest.raises(InvalidInput, match="two different stakeholders"):
        rel.add_relation(people, "BUC", "Børne- og Ungdomspsykiatrisk Center", "part_of")
    with pytest.raises(InvalidInput, match="needs a kind"):
        rel.add_relation(people, "BUC", "CareLink", "  ")
    with pytest.raises(NotFoundError, match="No stakeholder 'Herning'"):
        rel.add_relation(people, "Herning", "CareLink", "funds")
    with pytest.raises(NotFoundError, match="No relation 99"):
        rel.remove_relation(people, 99)


def test_kinds_are_normalised():
    assert rel.normalise_kind("Member of") == "member_of"
    assert rel.normalise_kind("reports-to") == "reports_to"
    assert rel.normalise_kind("finansierer") == "finansierer"


def test_merging_a_stakeholder_moves_its_relations(people):
    stakeholders.add(people, "CareLink Danmark", sector="private_company")
    rel.add_relation(people, "CareLink Danmark", "Region Midtjylland", "contracts_with")
    stakeholders.merge(people, ["CareLink Danmark"], "CareLink ApS")
    assert rel.list_relations(people)[0]["source"] == "CareLink ApS"


def test_relation_cli(people):
    path = str(people.path)
    runner = CliRunner()
    result = runner.invoke(main, ["relation", "add", path, "Region Midtjylland", "funds",
                                  "CareLink", "--memo", "Innovationspuljen betaler licenser"])
    assert result.exit_code == 0, result.output
    assert "Region Midtjylland funds CareLink ApS" in result.output
    listing = runner.invoke(main, ["relation", path])
    assert "Innovationspuljen" in listing.output
    as_json = runner.invoke(main, ["relation", "list", path, "--json"])
    relation_id = json.loads(as_json.output)[0]["id"]
    bad = runner.invoke(main, ["relation", "add", path, "Region Midtjylland", "funds",
                               "Nobody"])
    assert bad.exit_code == 1 and "No stakeholder 'Nobody'" in bad.output
    removed = runner.invoke(main, ["relation", "remove", path, str(relation_id)])
    assert removed.exit_code == 0 and "Removed relation" in removed.output
    assert "No relations yet" in runner.invoke(main, ["relation", path]).output
