"""Tagging a project: stored results, incremental runs, home stakeholders, CLI."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tests.conftest import make_paragraphs, make_transcript
from workbench.cli import main
from workbench.core.store import now
from workbench.nlp.tagging import run

CODES = [
    {"name": "trust", "indicators": ["tillid", "tillids*", "stole"],
     "exclusions": [{"indicator": "tryghed", "near": ["patient"], "window": 6}]},
    {"name": "conflict", "indicators": ["konflikt*", "uenig"],
     "exclusions": [{"pattern": "konfliktsky", "reason": "kultur"}]},
]


def add_codes(project, codes=CODES):
    # These tests follow the indicators' suggestions; the lemma model shipped for codes named
    # trust and conflict is tested in test_nlp_code_model.py.
    project.set_setting("code_model", False)
    with project.atomic():
        for ordinal, code in enumerate(codes):
            project.insert("codes", {
                "name": code["name"], "ordinal": ordinal, "created_at": now(),
                "indicators": json.dumps(code["indicators"], ensure_ascii=False),
                "exclusions": json.dumps(code["exclusions"], ensure_ascii=False)})


@pytest.fixture
def tagged(project, add_doc):
    """A project with codes and two documents, tagged once."""
    add_codes(project)
    add_doc(project, make_transcript([
        ("I", "Hvordan er samarbejdet med kommunen?"),
        ("R", "Herning Kommune og DR var uenige, men vi har tillid til Region Midt. "
              "Ring til Anne Kjær på 22 33 44 55."),
    ]), "interview", case="Ældreforløb Vest")
    add_doc(project, make_paragraphs([
        "Regionen og praksislægerne havde en konflikt om økonomien.",
        "Vi er en konfliktsky kultur, siger sundhedschefen.",
    ]), "notat")
    summary = run(project)
    return project, summary


def test_tagging_stores_mentions_suggestions_and_personal_data(tagged):
    project, summary = tagged
    assert summary["documents"] == 2
    mentions = project.rows("SELECT m.surface, s.name, s.sector FROM mentions m "
                            "JOIN stakeholders s ON s.id = m.stakeholder_id ORDER BY m.id")
    assert {(m["surface"], m["name"]) for m in mentions} >= {
        ("Herning Kommune", "Herning Kommune"), ("DR", "Danske Regioner"),
        ("Region Midt", "Region Midtjylland"), ("praksislægerne", "almen praksis (generic)"),
        ("sundhedschefen", "sundhedschef")}
    suggestions = project.rows(
        "SELECT c.name, s.evidence, s.origin FROM suggestions s JOIN codes c ON c.id = s.code_id")
    pairs = {(s["name"], tuple(json.loads(s["evidence"]))) for s in suggestions}
    assert pairs == {("conflict", ("uenige",)), ("trust", ("tillid",)),
                     ("conflict", ("konflikt",))}
    assert {s["origin"] for s in suggestions} == {"indicator"}
    pii = {(p["kind"], p["surface"]) for p in project.rows("SELECT * FROM personal_data")}
    assert pii == {("name", "Anne Kjær"), ("phone", "22 33 44 55")}
    assert project.conn.execute("SELECT COUNT(*) FROM sentences").fetchone()[0] >= 5


def test_second_run_tags_nothing_and_a_changed_text_is_tagged_again(tagged):
    project, _ = tagged
    assert run(project)["documents"] == 0
    doc_id = project.conn.execute("SELECT id FROM documents WHERE name = 'notat'").fetchone()[0]
    with project.atomic():
        project.conn.execute("UPDATE documents SET text = replace(text, 'konflikt om', "
                             "'uenighed om') WHERE id = ?", (doc_id,))
    again = run(project)
    assert again["documents"] == 1 and again["unchanged"] == 1
    evidence = [json.loads(r[0]) for r in project.conn.execute(
        "SELECT evidence FROM suggestions WHERE document_id = ?", (doc_id,))]
    assert evidence == []  # "uenighed" is not an indicator here; the old hit is gone


def test_changing_the_codes_tags_everything_again(tagged):
    project, _ = tagged
    add_codes(project, [{"name": "risk", "indicators": ["risiko"], "exclusions": []}])
    assert run(project)["documents"] == 2


def test_decided_suggestions_survive_a_retag(tagged):
    project, _ = tagged
    sid = project.conn.execute("SELECT id FROM suggestions ORDER BY id LIMIT 1").fetchone()[0]
    with project.atomic():
        project.conn.execute("UPDATE suggestions SET status = 'rejected' WHERE id = ?", (sid,))
    run(project, force=True)
    row = project.conn.execute("SELECT status FROM suggestions WHERE id = ?", (sid,)).fetchone()
    assert row[0] == "rejected"
    assert project.conn.execute("SELECT COUNT(*) FROM suggestions").fetchone()[0] == 3


def test_home_region_resolves_regionen(project, add_doc):
    add_doc(project, make_paragraphs(["Regionen betaler, og regionerne er enige."]), "a")
    project.set_setting("home_stakeholders", {"region": "Region Midtjylland"})
    run(project)
    names = [r[0] for r in project.conn.execute(
        "SELECT s.name FROM mentions m JOIN stakeholders s ON s.id = m.stakeholder_id "
        "ORDER BY m.start")]
    assert names == ["Region Midtjylland", "regionen (generic)"]


def test_cli_tag_and_pii(tagged, tmp_path):
    project, _ = tagged
    runner = CliRunner()
    result = runner.invoke(main, ["tag", str(project.path)])
    assert result.exit_code == 0, result.output
    assert "Nothing to tag" in result.output
    result = runner.invoke(main, ["tag", str(project.path), "--force", "--json"])
    summary = json.loads(result.output)
    assert summary["documents"] == 2 and summary["mentions"] == 7
    result = runner.invoke(main, ["pii", str(project.path), "--json"])
    assert {r["kind"] for r in json.loads(result.output)} == {"name", "phone"}


def test_cli_tag_text_prints_json(tmp_path):
    codebook = tmp_path / "cb.yaml"
    codebook.write_text("codes:\n  - name: trust\n    indicators: [tillid]\n"
                        "    children:\n      - name: distrust\n        indicators: [mistillid]\n",
                        encoding="utf-8")
    text = "Kommunerne og DR var uenige, men vi har tillid til Region Midt. Ring på 22 33 44 55."
    result = CliRunner().invoke(main, ["tag-text", "--codebook", str(codebook)], input=text)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert len(data["sentences"]) == 2
    assert {"text": "Kommunerne", "lemma": "kommune", "start": 0, "end": 10} in data["tokens"]
    found = {(m["surface"], m["canonical"], m["sector"]) for m in data["mentions"]}
    assert found == {("Kommunerne", "kommunen (generic)", "municipality"),
                     ("DR", "Danske Regioner", "interest_organisation"),
                     ("Region Midt", "Region Midtjylland", "region")}
    dr = next(m for m in data["mentions"] if m["surface"] == "DR")
    assert text[dr["start"]:dr["end"]] == "DR"
    assert [(s["code"], s["evidence"]) for s in data["suggestions"]] == [("trust", ["tillid"])]
    assert data["personal_data"] == [{"kind": "phone", "start": 72, "end": 83,
                                      "text": "22 33 44 55"}]


def test_cli_tag_text_with_a_missing_model_fails_clearly(monkeypatch):
    monkeypatch.setenv("WORKBENCH_SPACY_MODEL", "da_core_news_sm")
    result = CliRunner().invoke(main, ["tag-text"], input="Hej.")
    assert result.exit_code == 1
    assert "da_core_news_sm' is not installed" in result.output
    monkeypatch.setenv("WORKBENCH_SPACY_MODEL", "blank")
    result = CliRunner().invoke(main, ["tag-text", "--compact"], input="Hej.")
    assert result.exit_code == 0 and json.loads(result.output)["pipeline"].startswith("blank")
