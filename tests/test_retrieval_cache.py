"""What a long-running process keeps between retrievals (codings per code, the segment index,
document texts) follows every change to the file, its own and another process's."""

from __future__ import annotations

import random
import sqlite3

import pytest

from tests.conftest import make_paragraphs, make_transcript
from workbench.core import codebook, codings, history, retrieval, retrieval_sources, schema
from workbench.core.coding_index import code_arrays
from workbench.core.models import ParsedSegment
from workbench.core.retrieval import find_passages, load_arrays, retrieve
from workbench.core.store import Project

TURNS = [("I", "Hvordan går samarbejdet med hospitalet og kommunen i år?"),
         ("P01", "Vi har tillid til sygeplejerskerne på afdelingen, men økonomien giver "
                 "konflikt."),
         ("I", "Og risikoen?"),
         ("P01", "Risikoen er, at borgeren falder mellem to stole, når data ikke deles.")]


@pytest.fixture
def arrays(monkeypatch):
    """numpy loaded and the array path taken for every query, as in the app."""
    load_arrays()
    monkeypatch.setattr(retrieval, "VECTOR_MIN_CODINGS", 0)
    monkeypatch.setattr(retrieval_sources, "SEGMENT_INDEX_MIN", 0)


def _spans(project, query, **options):
    return [(h.document, h.start, h.end, h.codes) for h in retrieve(project, query, **options)]


def _code(project, doc, phrase, code, coder="anna"):
    text = project.conn.execute("SELECT text FROM documents WHERE id = ?", (doc,)).fetchone()[0]
    start = text.index(phrase)
    return codings.add_coding(project, doc, start, start + len(phrase), code, coder=coder)


def test_kept_codings_follow_coding_undo_redo_and_another_process(project, add_doc, arrays):
    for name in ("tillid", "konflikt", "risiko"):
        codebook.add_code(project, name)
    doc = add_doc(project, make_transcript(TURNS), "Interview æøå", participant="P01")
    _code(project, doc, "tillid til sygeplejerskerne", "tillid")
    assert _spans(project, "tillid AND konflikt") == []
    # Kept now; coding with konflikt must show at once.
    _code(project, doc, "økonomien giver konflikt", "konflikt")
    _code(project, doc, "tillid til sygeplejerskerne på afdelingen, men økonomien", "konflikt")
    assert [s[3] for s in _spans(project, "tillid AND konflikt")] == [("tillid", "konflikt")]
    history.undo(project)
    assert [s[3] for s in _spans(project, "tillid AND konflikt")] == []
    history.redo(project)
    assert len(_spans(project, "tillid AND konflikt")) == 1

    # Another process codes the risk passage and removes the trust coding.
    other = Project.open(project.path, coder="bo")
    try:
        _code(other, doc, "falder mellem to stole", "risiko", coder="bo")
        _code(other, doc, "borgeren falder", "tillid", coder="bo")
        trust = other.conn.execute(
            "SELECT id FROM codings WHERE coder = 'anna' AND code_id = "
            "(SELECT id FROM codes WHERE name = 'tillid')").fetchone()[0]
        codings.remove_coding(other, trust)
    finally:
        other.close()
    assert _spans(project, "tillid AND konflikt") == []
    hits = _spans(project, "risiko AND tillid")
    assert len(hits) == 1 and hits[0][3] == ("tillid", "risiko")


def test_a_rolled_back_transaction_leaves_nothing_kept(project, add_doc, arrays):
    codebook.add_code(project, "tillid")
    doc = add_doc(project, make_transcript(TURNS), "Interview")
    _code(project, doc, "tillid til sygeplejerskerne", "tillid")
    before = _spans(project, "tillid")
    with pytest.raises(RuntimeError), project.atomic():
        _code(project, doc, "Risikoen er", "tillid")
        assert len(_spans(project, "tillid")) == 2  # seen inside the transaction
        raise RuntimeError("give up")
    assert _spans(project, "tillid") == before


def test_the_segment_index_finds_the_same_speakers_as_the_probes(project, add_doc,
                                                                 monkeypatch):
    load_arrays()
    rng = random.Random(11)
    codebook.add_code(project, "tillid")
    docs = [add_doc(project, make_transcript(
        [(rng.choice(["I", "P01", "P02"]), "ord " * rng.randint(3, 12)) for _ in range(8)]),
        f"Interview {i}") for i in range(3)]
    notes = make_paragraphs(["»Det er sagt« i rummet " * 3, "Ingen taler her " * 4])
    notes.segments.append(ParsedSegment("quote", notes.segments[0].start + 1,
                                        notes.segments[1].start + 5))
    docs.append(add_doc(project, notes, "Feltnote"))
    positions = []
    for doc in docs:
        length = len(project.conn.execute("SELECT text FROM documents WHERE id = ?",
                                          (doc,)).fetchone()[0])
        positions += [(doc, rng.randrange(length)) for _ in range(40)]
    doc_ids, starts = [p[0] for p in positions], [p[1] for p in positions]
    monkeypatch.setattr(retrieval_sources, "SEGMENT_INDEX_MIN", 10**9)
    probed = retrieval_sources.segments_at(project, doc_ids, starts)
    monkeypatch.setattr(retrieval_sources, "SEGMENT_INDEX_MIN", 0)
    indexed = []
    real = retrieval_sources._indexed
    monkeypatch.setattr(retrieval_sources, "_indexed",
                        lambda *a: indexed.append(1) or real(*a))
    # The first broad lookup probes; the index is built for the second.
    assert retrieval_sources.segments_at(project, doc_ids, starts) == probed
    assert retrieval_sources.segments_at(project, doc_ids, starts) == probed
    assert indexed == [1]
    # The index follows a change of speaker, made by another connection.
    conn = sqlite3.connect(project.path)
    conn.execute("UPDATE segments SET speaker = 'P09' WHERE speaker = 'P02'")
    conn.commit()
    conn.close()
    again = retrieval_sources.segments_at(project, doc_ids, starts)
    assert "P09" in {s[4] for s in again if s} and "P02" not in {s[4] for s in again if s}


def test_a_new_document_under_a_reused_id_is_read_afresh(project, add_doc, arrays):
    codebook.add_code(project, "tillid")
    doc = add_doc(project, make_paragraphs(["Vi har tillid til kommunen."]), "Første")
    _code(project, doc, "tillid", "tillid")
    assert retrieve(project, "tillid")[0].after == " til kommunen."
    project.conn.execute("DELETE FROM documents WHERE id = ?", (doc,))
    again = add_doc(project, make_paragraphs(["Tilliden er væk, siger lægen: tillid mangler."]),
                    "Anden")
    assert again == doc  # SQLite gives the freed id again
    _code(project, again, "tillid mangler", "tillid")
    hit = retrieve(project, "tillid")[0]
    assert (hit.document, hit.text, hit.before) == ("Anden", "tillid mangler",
                                                    "Tilliden er væk, siger lægen: ")


def test_kept_arrays_equal_a_fresh_read_after_many_random_changes(project, add_doc, arrays):
    rng = random.Random(3)
    names = ["tillid", "konflikt", "risiko", "vision"]
    for name in names:
        codebook.add_code(project, name)
    docs = [add_doc(project, make_transcript(TURNS), f"Interview {i}") for i in range(3)]
    for step in range(60):
        doc = rng.choice(docs)
        start = rng.randrange(0, 200)
        try:
            codings.add_coding(project, doc, start, start + rng.randint(3, 60),
                               rng.choice(names), coder=rng.choice(["anna", "bo"]))
        except Exception:  # the same span twice
            pass
        if step % 7 == 0:
            history.undo(project)
        query = " OR ".join(rng.sample(names, 2))
        kept = find_passages(project, query)
        project.__dict__.pop("_file_cache", None)  # what a fresh process reads
        assert find_passages(project, query) == kept
    ids = [r[0] for r in project.conn.execute("SELECT id FROM codes")]
    per_code = code_arrays(project, ids)
    assert sum(len(s) for s, _ in per_code.values()) == \
        project.conn.execute("SELECT COUNT(*) FROM codings").fetchone()[0]


def test_an_older_project_gets_change_counts_when_opened(tmp_path, add_doc):
    path = tmp_path / "old.wbp"
    conn = sqlite3.connect(path)
    schema.migrate(conn, target=5)
    conn.close()
    with Project.open(path, coder="anna") as proj:
        assert proj.version == schema.LATEST_VERSION
        codebook.add_code(proj, "tillid")
        doc = add_doc(proj, make_transcript(TURNS), "Interview")
        _code(proj, doc, "tillid til", "tillid")
        counts = dict(proj.conn.execute("SELECT name, changes FROM change_counts"))
        code_id = proj.conn.execute("SELECT id FROM codes").fetchone()[0]
        assert counts[f"codings:{code_id}"] == 1 and counts["segments"] == 4
