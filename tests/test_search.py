"""FTS5 search over segments: Danish letters, prefixes, lemmas, KWIC, code filter."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tests.conftest import make_paragraphs, make_transcript
from workbench.cli import main
from workbench.core import search
from workbench.core.store import now
from workbench.errors import InvalidInput
from workbench.nlp.tagging import run


@pytest.fixture
def proj(project, add_doc):
    add_doc(project, make_transcript([
        ("I", "Hvad fylder mest i sundhedsvæsnet lige nu?"),
        ("R", "Konflikterne om økonomien, helt klart. Og så de ældres sårbarhed."),
    ]), "interview")
    add_doc(project, make_paragraphs([
        "Sundheden i Ølstykke er god.",
        "Der er ingen konflikt mellem regionen og kommunen.",
    ]), "notat")
    return project


def test_text_search_keeps_danish_letters(proj):
    hits = search.search(proj, "økonomien")
    assert [h.match for h in hits] == ["økonomien"]
    assert search.search(proj, "okonomien") == []  # ø is a letter, not o with a mark
    assert [h.match for h in search.search(proj, "ølstykke")] == ["Ølstykke"]


def test_prefix_finds_compounds(proj):
    assert [h.match for h in search.search(proj, "sundhed")] == []
    assert [h.match for h in search.search(proj, "sundhed", prefix=True)] == [
        "sundhedsvæsnet", "Sundheden"]
    assert [h.match for h in search.search(proj, "sundhed*")] == ["sundhedsvæsnet",
                                                                   "Sundheden"]


def test_lemma_search_needs_tagging_then_finds_inflections(proj):
    with pytest.raises(InvalidInput, match="workbench tag"):
        search.search(proj, "konflikt", lemma=True)
    run(proj)
    hits = search.search(proj, "konflikt", lemma=True, lemma_query=["konflikt"])
    assert [h.match for h in hits] == ["Konflikterne", "konflikt"]
    assert [h.match for h in search.search(proj, "konflikt")] == ["konflikt"]


def test_kwic_centres_the_match(proj):
    hits = search.search(proj, "økonomien", width=20)
    hit = hits[0]
    assert len(hit.left) == 20 and len(hit.right) == 20
    assert hit.left.endswith("Konflikterne om ") and hit.right.startswith(", helt klart.")
    text = proj.conn.execute("SELECT text FROM documents WHERE id = ?",
                             (hit.document_id,)).fetchone()[0]
    assert text[hit.start:hit.end] == "økonomien"


def test_code_filter(proj):
    doc_id = proj.conn.execute("SELECT id FROM documents WHERE name = 'notat'").fetchone()[0]
    text = proj.conn.execute("SELECT text FROM documents WHERE id = ?", (doc_id,)).fetchone()[0]
    with proj.atomic():
        code_id = proj.insert("codes", {"name": "conflict", "created_at": now()})
        start = text.index("Der er ingen")
        proj.insert("codings", {"document_id": doc_id, "start": start, "end": len(text),
                                "code_id": code_id, "coder": "anna", "created_at": now()})
    assert len(search.search(proj, "konflikt*")) == 2
    hits = search.search(proj, "konflikt*", code="conflict")
    assert [(h.document, h.match) for h in hits] == [("notat", "konflikt")]


def test_segments_follow_document_edits_and_deletes(proj):
    doc_id = proj.conn.execute("SELECT id FROM documents WHERE name = 'notat'").fetchone()[0]
    with proj.atomic():
        proj.conn.execute("UPDATE documents SET text = replace(text, 'Ølstykke', 'Ærøskøb') "
                          "WHERE id = ?", (doc_id,))
    assert [h.match for h in search.search(proj, "ærøskøb")] == ["Ærøskøb"]
    with proj.atomic():
        proj.conn.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
    assert search.search(proj, "ærøskøb") == []


def test_cli_search(proj):
    runner = CliRunner()
    path = str(proj.path)
    assert runner.invoke(main, ["tag", path]).exit_code == 0
    result = runner.invoke(main, ["search", path, "konflikterne", "--lemma", "--kwic", "15"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if "[" in line]
    assert len(lines) == 2 and "[Konflikterne]" in lines[0] and "[konflikt]" in lines[1]
    result = runner.invoke(main, ["search", path, "sundhed", "--prefix", "--json"])
    assert [h["match"] for h in json.loads(result.output)] == ["sundhedsvæsnet", "Sundheden"]
    result = runner.invoke(main, ["search", path, "?!"])
    assert result.exit_code == 1 and "no words" in result.output


def test_retagging_and_deleting_keep_the_lemma_index_exact(proj):
    run(proj)
    run(proj, force=True)
    hits = search.search(proj, "konflikt", lemma=True, lemma_query=["konflikt"])
    assert [h.match for h in hits] == ["Konflikterne", "konflikt"]
    with proj.atomic():
        proj.conn.execute("DELETE FROM documents WHERE name = 'notat'")
    hits = search.search(proj, "konflikt", lemma=True, lemma_query=["konflikt"])
    assert [h.match for h in hits] == ["Konflikterne"]
    assert search.count_segments(proj, "konflikt", lemma=True, lemma_query=["konflikt"]) == 1


def test_documents_are_indexed_on_the_first_search_after_import(project, add_doc):
    from tests.conftest import make_transcript
    from workbench.core.search import ensure_index, search

    add_doc(project, make_transcript([("R", "Vi stoler på sundhedsvæsnet i Århus.")]), "ny")
    assert project.conn.execute("SELECT COUNT(*) FROM search_pending").fetchone()[0] == 1
    assert project.conn.execute("SELECT COUNT(*) FROM segment_search").fetchone()[0] == 0
    hits = search(project, "sundhedsvæsnet")
    assert [h.match for h in hits] == ["sundhedsvæsnet"]
    assert project.conn.execute("SELECT COUNT(*) FROM search_pending").fetchone()[0] == 0
    assert ensure_index(project) == 0
