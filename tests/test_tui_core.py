"""What the TUI builds on without a screen: deciding suggestions, and laying out text."""

from __future__ import annotations

import pytest

from tests.conftest import make_transcript
from workbench.core import codebook, codings, history
from workbench.core import suggestions as sugg
from workbench.core.store import now
from workbench.errors import InvalidInput, NotFoundError
from workbench.tui.widgets.layout import Layout, build_blocks, wrap_range

TURNS = [("I", "Hvordan er samarbejdet?"),
         ("R", "Vi kender hinanden godt nu, og tilliden er vokset siden foråret."),
         ("I", "Og økonomien?"),
         ("R", "Der er stadig »uenighed« om, hvem der betaler.")]


@pytest.fixture
def doc(project, add_doc):
    """A transcript and two codes; returns (document id, text)."""
    codebook.add_code(project, "tillid", hotkey="1")
    codebook.add_code(project, "konflikt", hotkey="3")
    doc_id = add_doc(project, make_transcript(TURNS), "P01")
    text = project.conn.execute("SELECT text FROM documents WHERE id = ?", (doc_id,)).fetchone()[0]
    return doc_id, text


def _suggest(project, doc_id: int, start: int, end: int, code: str, evidence: str) -> int:
    with project.atomic():
        return project.insert("suggestions", {
            "document_id": doc_id, "start": start, "end": end,
            "code_id": codebook.get_code(project, code).id, "origin": "indicator",
            "score": 0.75, "evidence": evidence, "created_at": now()})


def test_evidence_words_are_found_in_the_passage(doc) -> None:
    _, text = doc
    start = text.index("Vi kender")
    end = text.index("foråret.") + len("foråret.")
    spans = sugg.evidence_spans(text, start, end, '["kender hinanden", "tillid"]')
    assert [text[s:e] for s, e in spans] == ["kender hinanden", "tilliden"]
    offsets = sugg.evidence_spans(text, start, end, [{"start": start, "end": start + 2}])
    assert offsets == [(start, start + 2)]
    assert sugg.evidence_words('[{"lemma": "tillid"}, "tillid"]') == ["tillid"]


def test_accepting_makes_a_coding_and_one_undo_takes_both_back(project, doc) -> None:
    doc_id, text = doc
    start = text.index("Vi kender")
    end = text.index("foråret.") + len("foråret.")
    sid = _suggest(project, doc_id, start, end, "tillid", '["tillid"]')
    assert [r["id"] for r in sugg.list_suggestions(project, document=doc_id)] == [sid]
    coding_id = sugg.accept_suggestion(project, sid)
    coding = codings.get_coding(project, coding_id)
    assert (coding.start, coding.end, coding.origin, coding.coder) == \
        (start, end, "suggestion", "anna")
    row = project.get_row("suggestions", sid)
    assert (row["status"], row["decided_by"]) == ("accepted", "anna")
    assert sugg.list_suggestions(project, document=doc_id) == []
    with pytest.raises(InvalidInput, match="already accepted"):
        sugg.accept_suggestion(project, sid)
    history.undo(project)
    assert project.get_row("suggestions", sid)["status"] == "open"
    assert project.rows("SELECT id FROM codings") == []
    history.redo(project)
    assert project.get_row("suggestions", sid)["status"] == "accepted"
    assert len(project.rows("SELECT id FROM codings")) == 1


def test_accepting_a_passage_already_coded_keeps_that_coding(project, doc) -> None:
    doc_id, text = doc
    start = text.index("Der er stadig")
    end = len(text)
    existing = codings.add_coding(project, doc_id, start, end, "konflikt")
    sid = _suggest(project, doc_id, start, end, "konflikt", '["uenighed"]')
    assert sugg.accept_suggestion(project, sid) == existing
    assert len(project.rows("SELECT id FROM codings")) == 1


def test_rejecting_records_the_decision_only(project, doc) -> None:
    doc_id, text = doc
    sid = _suggest(project, doc_id, 0, 10, "konflikt", "[]")
    sugg.reject_suggestion(project, sid, coder="bo")
    row = project.get_row("suggestions", sid)
    assert (row["status"], row["decided_by"]) == ("rejected", "bo")
    assert project.rows("SELECT id FROM codings") == []
    assert [r["id"] for r in sugg.list_suggestions(project, status="rejected")] == [sid]
    with pytest.raises(NotFoundError):
        sugg.reject_suggestion(project, 999)


def test_wrapping_covers_the_text_and_keeps_the_width() -> None:
    text = "Vi har fået en ”helt anden” tillid til hinanden, og økonomien fylder mindre nu."
    lines = wrap_range(text, 0, len(text), 20)
    assert lines[0][0] == 0 and lines[-1][1] == len(text)
    assert all(a == prev_end for (a, _), (_, prev_end) in zip(lines[1:], lines, strict=False))
    assert all(len(text[a:b].rstrip()) <= 20 for a, b in lines)
    assert text[lines[1][0]:lines[1][1]] == "anden” tillid til "
    long = "Tværsektoriel" * 3
    assert [b - a for a, b in wrap_range(long, 0, len(long), 10)] == [10, 10, 10, 9]


def test_blocks_hide_speaker_labels_but_keep_other_text() -> None:
    text = "Interview P01\n\nI: Hvordan går det?\n\nR: Godt.\n"
    first, second = text.index("Hvordan"), text.index("Godt")
    segments = [
        {"id": 1, "start": first, "end": first + 16, "kind": "turn", "speaker": "I",
         "start_time": 63.0},
        {"id": 2, "start": second, "end": second + 5, "kind": "turn", "speaker": "R",
         "start_time": None},
    ]
    blocks = build_blocks(text, segments)
    assert [(text[b.start:b.end], b.kind) for b in blocks] == [
        ("Interview P01", "gap"), ("Hvordan går det?", "turn"), ("Godt.", "turn")]
    assert blocks[1].time == "01:03"
    layout = Layout(text, blocks, 10)
    for offset in (first, first + 7, second):
        row = layout.row_of(offset)
        line = layout.lines[row]
        assert line.start <= offset <= line.end
        assert layout.offset_at(row, offset - line.start) == offset


def test_open_suggestions_already_coded_with_their_code_are_not_listed(project, add_doc):
    from tests.conftest import make_transcript
    from workbench.core import codebook, codings
    from workbench.core.store import now
    from workbench.core.suggestions import list_suggestions

    codebook.add_code(project, "trust")
    doc = add_doc(project, make_transcript([("R", "Vi har tillid til kommunen nu.")]), "d")
    code_id = codebook.get_code(project, "trust").id
    project.insert("suggestions", {"document_id": doc, "start": 0, "end": 30,
                                   "code_id": code_id, "origin": "indicator",
                                   "evidence": '["tillid"]', "created_at": now()})
    assert len(list_suggestions(project)) == 1
    codings.add_coding(project, doc, 7, 13, "trust")
    assert list_suggestions(project) == []
    assert len(list_suggestions(project, include_coded=True)) == 1
