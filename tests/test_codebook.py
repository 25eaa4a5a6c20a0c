"""The codebook: tree editing, merge and delete rules, YAML and REFI-QDA files, snapshots."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from tests.conftest import make_transcript
from workbench.core import codebook, codings, history
from workbench.errors import DuplicateError, InvalidInput, NotFoundError
from workbench.exporters.codebooks import export_codebook_file, import_codebook_file

BOOK = {
    "name": "Testbog",
    "codes": [
        {"name": "trust", "label_da": "tillid", "label_en": "trust", "colour": "#2e7d32",
         "hotkey": "1", "definition": "Tillid mellem aktører.", "when_to_use": "Når …",
         "indicators": ["tillid", "stole", "tillids*"],
         "exclusions": [{"pattern": "konfliktsky", "reason": "kultur"}]},
        {"name": "conflict", "label_da": "konflikt", "hotkey": "2",
         "children": [{"name": "ressourcekonflikt", "label_da": "kamp om ressourcer"},
                      {"name": "faglig uenighed"}]},
        {"name": "risk", "label_da": "risiko", "hotkey": "3"},
    ],
}


@pytest.fixture
def coded(project, add_doc):
    codebook.load_codebook(project, BOOK)
    doc = add_doc(project, make_transcript([
        ("I", "Hvordan går samarbejdet med kommunen?"),
        ("R", "Vi har fået tillid til hinanden, men der er stadig uenighed om økonomien."),
    ]), "P01")
    return project, doc


def test_tree_order_depth_and_counts(coded):
    project, doc = coded
    codings.add_coding(project, doc, 45, 52, "trust")
    tree = codebook.codebook_tree(project)
    assert [(r["name"], r["depth"]) for r in tree] == [
        ("trust", 0), ("conflict", 0), ("ressourcekonflikt", 1), ("faglig uenighed", 1),
        ("risk", 0)]  # the codebook's own order
    assert tree[0]["codings"] == 1 and tree[0]["hotkey"] == "1"


def test_get_code_by_danish_label_and_suggests_close_name(coded):
    project, _ = coded
    assert codebook.get_code(project, "Tillid").name == "trust"
    with pytest.raises(NotFoundError, match="Did you mean 'trust'"):
        codebook.get_code(project, "trusst")


def test_add_rename_move_recolour_hotkey(coded):
    project, _ = coded
    codebook.add_code(project, "samarbejde", label_da="samarbejde", colour="teal")
    codebook.rename_code(project, "samarbejde", "collaboration")
    code = codebook.move_code(project, "collaboration", "trust")
    assert code.parent_id == codebook.get_code(project, "trust").id
    code = codebook.update_code(project, "collaboration", colour="#ABC", hotkey="c")
    assert code.colour == "#aabbcc" and code.hotkey == "c"
    with pytest.raises(DuplicateError, match="already belongs to code 'trust'"):
        codebook.update_code(project, "collaboration", hotkey="1")
    with pytest.raises(InvalidInput, match="not a colour"):
        codebook.update_code(project, "collaboration", colour="grønnish")
    with pytest.raises(DuplicateError, match="already exists"):
        codebook.add_code(project, "Trust")


def test_move_under_own_child_is_refused(coded):
    project, _ = coded
    with pytest.raises(InvalidInput, match="inside 'conflict'"):
        codebook.move_code(project, "conflict", "faglig uenighed")


def test_merge_moves_codings_and_children_and_undoes_as_one_step(coded):
    project, doc = coded
    codings.add_coding(project, doc, 45, 52, "ressourcekonflikt")
    codings.add_coding(project, doc, 80, 88, "ressourcekonflikt")
    codings.add_coding(project, doc, 80, 88, "faglig uenighed")  # becomes a duplicate
    moved = codebook.merge_codes(project, "ressourcekonflikt", "faglig uenighed")
    assert moved == 1
    rows = codings.list_codings(project)
    assert {(r["start"], r["code"]) for r in rows} == {(45, "faglig uenighed"),
                                                       (80, "faglig uenighed")}
    with pytest.raises(NotFoundError):
        codebook.get_code(project, "ressourcekonflikt")
    history.undo(project)
    rows = codings.list_codings(project)
    assert sorted((r["start"], r["code"]) for r in rows) == [
        (45, "ressourcekonflikt"), (80, "faglig uenighed"), (80, "ressourcekonflikt")]


def test_delete_refused_with_codings_unless_forced(coded):
    project, doc = coded
    codings.add_coding(project, doc, 45, 52, "trust")
    with pytest.raises(InvalidInput, match="1 coding"):
        codebook.delete_code(project, "trust")
    assert codebook.delete_code(project, "trust", force=True) == 1
    assert codings.list_codings(project) == []
    history.undo(project)
    assert len(codings.list_codings(project)) == 1


def test_delete_parent_removes_subtree(coded):
    project, _ = coded
    codebook.delete_code(project, "conflict")
    assert [c.name for c in codebook.list_codes(project)] == ["trust", "risk"]


def test_every_change_is_in_history_with_who(coded):
    project, _ = coded
    codebook.rename_code(project, "risk", "risiko")
    entry = history.list_history(project, 1)[0]
    assert entry["who"] == "anna" and "risk" in entry["summary"] and entry["at"]


def test_yaml_round_trip_keeps_guids_fields_and_tree(coded, tmp_path):
    project, _ = coded
    path = tmp_path / "bog.yaml"
    export_codebook_file(project, path)
    assert "tillid" in path.read_text(encoding="utf-8")
    from workbench.core.store import Project

    Project.create(tmp_path / "fresh.wbp").close()
    with Project.open(tmp_path / "fresh.wbp") as fresh:
        import_codebook_file(fresh, path)
        original = {c.guid: c for c in codebook.list_codes(project)}
        copied = {c.guid: c for c in codebook.list_codes(fresh)}
        assert original.keys() == copied.keys()
        trust = next(c for c in copied.values() if c.name == "trust")
        assert trust.indicators == ("tillid", "stole", "tillids*")
        assert trust.exclusions[0]["pattern"] == "konfliktsky"
        assert codebook.get_code(fresh, "faglig uenighed").parent_id == \
            codebook.get_code(fresh, "conflict").id


def test_qdc_export_is_namespaced_and_round_trips(coded, tmp_path):
    project, _ = coded
    first = tmp_path / "a.qdc"
    export_codebook_file(project, first)
    root = ET.parse(first).getroot()
    assert root.tag == "{urn:QDA-XML:codebook:1.0}CodeBook"
    from workbench.core.store import Project

    Project.create(tmp_path / "fresh.wbp").close()
    with Project.open(tmp_path / "fresh.wbp") as fresh:
        import_codebook_file(fresh, first)
        second = tmp_path / "b.qdc"
        export_codebook_file(fresh, second)
        trust = codebook.get_code(fresh, "trust")
        assert trust.label_da == "tillid" and trust.hotkey == "1"
        assert trust.definition == "Tillid mellem aktører."
    assert first.read_text(encoding="utf-8").replace('origin="workbench"', "") == \
        second.read_text(encoding="utf-8").replace('origin="workbench"', "")


def test_qdc_validates_against_xsd(coded, tmp_path, shared_dir):
    lxml = pytest.importorskip("lxml.etree")
    project, _ = coded
    path = tmp_path / "book.qdc"
    export_codebook_file(project, path)
    xsd = lxml.XMLSchema(lxml.parse(str(shared_dir / "refi" / "Codebook.xsd")))
    assert xsd.validate(lxml.parse(str(path))), xsd.error_log


def test_qdc_from_another_tool_with_prefix_imports(project, tmp_path):
    path = tmp_path / "other.qdc"
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<q:CodeBook xmlns:q="urn:QDA-XML:codebook:1.0" origin="ATLAS.ti">'
        '<q:Codes><q:Code guid="A182CD3A-D83C-4D8C-BC80-26D9103EC6D6" name="Samarbejde" '
        'isCodable="true" color="#123456"><q:Description>Når parter arbejder sammen'
        '</q:Description><q:Code guid="2D2466F0-D77F-4F8C-BDF9-628966B6B74D" name="Ledelse på '
        'tværs" isCodable="true"/></q:Code></q:Codes></q:CodeBook>', encoding="utf-8")
    assert import_codebook_file(project, path) == 2
    child = codebook.get_code(project, "Ledelse på tværs")
    parent = codebook.get_code(project, "Samarbejde")
    assert child.parent_id == parent.id and parent.definition == "Når parter arbejder sammen"
    assert parent.guid == "a182cd3a-d83c-4d8c-bc80-26d9103ec6d6"


def test_qdc_entity_expansion_is_refused(project, tmp_path):
    path = tmp_path / "bomb.qdc"
    path.write_text('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">'
                    '<!ENTITY b "&a;&a;&a;&a;">]><CodeBook><Codes/></CodeBook>')
    with pytest.raises(InvalidInput):
        import_codebook_file(project, path)


def test_snapshot_per_cycle_and_compare(coded):
    project, _ = coded
    codebook.snapshot(project, cycle=1)
    codebook.rename_code(project, "risk", "risiko")
    codebook.add_code(project, "vision", label_da="vision")
    codebook.update_code(project, "trust", definition="Ny definition")
    codebook.snapshot(project, cycle=2)
    changes = codebook.compare_snapshots(project, "1", "2")
    assert {"change": "renamed", "code": "risiko", "detail": "was 'risk'"} in changes
    assert {"change": "added", "code": "vision", "detail": ""} in changes
    assert {"change": "edited", "code": "trust", "detail": "definition"} in changes
    assert [s["cycle"] for s in codebook.list_snapshots(project)] == [1, 2]


def test_malformed_codebook_yaml_gives_clear_error(project, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("codes: [ {name: a", encoding="utf-8")
    with pytest.raises(InvalidInput, match="not valid YAML"):
        import_codebook_file(project, bad)
    dup = tmp_path / "dup.yaml"
    dup.write_text("codes:\n  - name: a\n  - name: A\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="unique"):
        import_codebook_file(project, dup)
    assert codebook.list_codes(project) == []
