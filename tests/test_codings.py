"""Codings, snapping, in-vivo codes, undo/redo across reopening, and autocoding."""

from __future__ import annotations

import pytest

from tests.conftest import make_transcript
from workbench.core import autocode, codebook, codings, history
from workbench.core.spans import find_text, sentence_bounds, snap_word
from workbench.core.store import Project
from workbench.errors import DuplicateError, InvalidInput, NotFoundError, NothingToUndo

TURNS = [
    ("I", "Hvordan oplever du samarbejdet med regionen?"),
    ("R", "Altså, vi har fået en helt anden tillid til hinanden. Men konflikterne om "
          "økonomien er der stadig. Det er en risiko for projektet."),
    ("I", "Kan du sige mere om konflikten?"),
    ("R", "Kommunen og de praktiserende læger er uenige om, hvem der betaler. Det er en "
          "konflikt, vi ikke har løst."),
]


@pytest.fixture
def doc(project, add_doc):
    codebook.load_codebook(project, {"codes": [
        {"name": "trust", "label_da": "tillid", "hotkey": "1"},
        {"name": "conflict", "label_da": "konflikt", "hotkey": "2"},
        {"name": "risk", "label_da": "risiko", "hotkey": "3"}]})
    return add_doc(project, make_transcript(TURNS), "P06_region_c2", participant="P06",
                   role="udviklingskonsulent", sector="region", case="Ældreforløb Vest", cycle=2)


def _text(project, doc_id):
    return project.conn.execute("SELECT text FROM documents WHERE id = ?", (doc_id,)).fetchone()[0]


def test_code_a_span_with_coder_memo_and_origin(project, doc):
    text = _text(project, doc)
    s, e = find_text(text, "helt anden tillid")
    cid = codings.add_coding(project, doc, s, e, "trust", memo="vendepunkt")
    row = codings.list_codings(project)[0]
    assert row["id"] == cid and row["text"] == "helt anden tillid"
    assert row["coder"] == "anna" and row["memo"] == "vendepunkt" and row["origin"] == "manual"


def test_overlaps_are_normal_but_exact_duplicates_are_refused_politely(project, doc):
    text = _text(project, doc)
    s, e = find_text(text, "konflikterne om økonomien")
    codings.add_coding(project, doc, s, e, "conflict")
    codings.add_coding(project, doc, s, e + 10, "conflict")
    codings.add_coding(project, doc, s, e, "risk")
    codings.add_coding(project, doc, s, e, "conflict", coder="bo")
    with pytest.raises(DuplicateError, match="already coded this passage"):
        codings.add_coding(project, doc, s, e, "conflict")
    assert len(codings.list_codings(project)) == 4


def test_span_outside_the_text_is_refused(project, doc):
    with pytest.raises(InvalidInput, match="outside"):
        codings.add_coding(project, doc, 10, 100_000, "trust")


def test_snap_to_word_sentence_and_turn(project, doc):
    text = _text(project, doc)
    s = text.index("illid")  # inside "tillid"
    cid = codings.add_coding(project, doc, s, s + 3, "trust", snap_to="word")
    assert codings.get_coding(project, cid).start == text.index("tillid")
    cid = codings.add_coding(project, doc, s, s + 3, "conflict", snap_to="sentence")
    coding = codings.get_coding(project, cid)
    assert text[coding.start:coding.end] == "Altså, vi har fået en helt anden tillid til hinanden."
    cid = codings.add_coding(project, doc, s, s + 3, "risk", snap_to="turn")
    coding = codings.get_coding(project, cid)
    assert text[coding.start:coding.end] == TURNS[1][1]


def test_snap_word_keeps_danish_letters_together():
    text = "Påført løsning: økonomien"
    assert snap_word(text, 2, 4) == (0, 6)
    assert snap_word(text, 17, 19) == (16, 25)


def test_sentence_bounds_with_danish_quotes():
    text = "Hun sagde: ”Vi stoler på dem.” Så gik vi videre! Og nu?"
    assert [text[s:e] for s, e in sentence_bounds(text)] == [
        "Hun sagde: ”Vi stoler på dem.”", "Så gik vi videre!", "Og nu?"]


def test_find_nth_and_errors():
    text = "konflikt og konflikt og\nkonflikt"
    assert find_text(text, "konflikt", 3) == (24, 32)
    assert find_text(text, "og konflikt", 2) == (21, 32)  # any white space matches
    with pytest.raises(InvalidInput, match="occurs 3 time"):
        find_text(text, "konflikt", 4)
    with pytest.raises(NotFoundError):
        find_text(text, "tillid")


def test_in_vivo_creates_code_from_words_and_applies_it(project, doc):
    text = _text(project, doc)
    s, e = find_text(text, "hvem der betaler")
    code_id, coding_id = codings.in_vivo(project, doc, s, e + 1)
    code = codebook.get_code(project, code_id)
    assert code.name == "“hvem der betaler”"
    assert codings.get_coding(project, coding_id).code_id == code_id
    history.undo(project)  # one step: the code and its coding go together
    assert codings.list_codings(project) == []
    with pytest.raises(NotFoundError):
        codebook.get_code(project, "“hvem der betaler”")


def test_uncode_and_remove(project, doc):
    text = _text(project, doc)
    s, e = find_text(text, "uenige")
    cid = codings.add_coding(project, doc, s, e, "conflict")
    codings.remove_coding(project, cid)
    assert codings.list_codings(project) == []
    codings.add_coding(project, doc, s, e, "conflict")
    assert codings.uncode(project, doc, "conflict", s - 5, s + 2) == 1
    with pytest.raises(NotFoundError):
        codings.uncode(project, doc, "conflict", s, e)


def test_undo_redo_survive_reopening(project, doc, tmp_path):
    text = _text(project, doc)
    codings.add_coding(project, doc, *find_text(text, "tillid"), "trust")
    codings.add_coding(project, doc, *find_text(text, "risiko"), "risk")
    path = project.path
    project.close()
    with Project.open(path, coder="anna") as again:
        assert history.undo(again)["action"] == "coding.add"
        assert [r["code"] for r in codings.list_codings(again)] == ["trust"]
    with Project.open(path) as again:
        history.redo(again)
        assert sorted(r["code"] for r in codings.list_codings(again)) == ["risk", "trust"]
        with pytest.raises(NothingToUndo):
            history.redo(again)


def test_new_change_after_undo_discards_redo(project, doc):
    text = _text(project, doc)
    codings.add_coding(project, doc, *find_text(text, "tillid"), "trust")
    history.undo(project)
    codings.add_coding(project, doc, *find_text(text, "risiko"), "risk")
    with pytest.raises(NothingToUndo, match="nothing to redo"):
        history.redo(project)


def test_autocode_keyword_by_word_dry_run_then_one_undoable_step(project, doc):
    hits = autocode.keyword_hits(project, ["konflikt*"])
    assert [h.matched for h in hits] == ["konflikterne", "konflikten", "konflikt"]
    passages = autocode.expand(project, hits, "sentence")
    assert len(passages) == 3
    assert codings.list_codings(project) == []  # finding changes nothing
    added, skipped = autocode.apply(project, passages, "conflict")
    assert (added, skipped) == (3, 0)
    assert {r["origin"] for r in codings.list_codings(project)} == {"autocode"}
    assert autocode.apply(project, passages, "conflict") == (0, 3)
    history.undo(project)  # the second (empty) run
    history.undo(project)
    assert codings.list_codings(project) == []


def test_autocode_with_lemmatiser_finds_inflections(project, doc):
    def lemmatiser(text):
        import re

        for m in re.finditer(r"\w+", text):
            word = m.group().lower()
            yield m.start(), m.end(), {"konflikterne": "konflikt",
                                       "konflikten": "konflikt"}.get(word, word)

    hits = autocode.keyword_hits(project, ["konflikt"], lemmatiser=lemmatiser)
    assert [h.matched for h in hits] == ["konflikterne", "konflikten", "konflikt"]


def test_autocode_regex_segment_scope_and_speaker(project, doc):
    hits = autocode.expand(project, autocode.regex_hits(project, r"uenige?"), "segment")
    assert len(hits) == 1 and hits[0].start == _text(project, doc).index("Kommunen")
    turns = autocode.speaker_hits(project, speaker="R")
    assert len(turns) == 2
    by_role = autocode.speaker_hits(project, role="udviklingskonsulent")
    assert [(h.start, h.end) for h in by_role] == [(h.start, h.end) for h in turns]
    with pytest.raises(InvalidInput, match="not a valid regular expression"):
        autocode.regex_hits(project, "(uenig")


def test_window_scope_snaps_to_words(project, doc):
    text = _text(project, doc)
    hits = autocode.expand(project, autocode.keyword_hits(project, ["risiko"]), "window", 12)
    quote = text[hits[0].start:hits[0].end]
    assert "risiko" in quote and not quote[0].isspace() and quote.split()[0] in text.split()


def test_sentences_never_cross_turns_or_include_speaker_labels(project, add_doc):
    from workbench.core.models import ParsedDocument, ParsedSegment
    from workbench.core.spans import project_sentences

    text = "I: Har det givet konflikter\nR: Ja. Mange konflikter."
    parsed = ParsedDocument(text=text, original_text=text, source_format="txt",
                            is_transcript=True, segments=[
                                ParsedSegment("turn", 3, 27, "I"),
                                ParsedSegment("turn", 31, len(text), "R")])
    doc = add_doc(project, parsed, "labels")
    assert [text[s:e] for s, e in project_sentences(project, doc, text)] == [
        "Har det givet konflikter", "Ja.", "Mange konflikter."]
    codebook.add_code(project, "conflict")
    hits = autocode.expand(project, autocode.keyword_hits(project, ["konflikter"]), "sentence")
    assert [text[h.start:h.end] for h in hits] == ["Har det givet konflikter",
                                                    "Mange konflikter."]


def test_removing_a_coding_takes_its_memos_and_undo_restores_both(project, doc):
    from workbench.core import memos

    text = _text(project, doc)
    cid = codings.add_coding(project, doc, *find_text(text, "tillid"), "trust")
    memos.add_memo(project, "Vendepunkt i interviewet.", target_type="coding", target=cid)
    codings.remove_coding(project, cid)
    assert project.rows("SELECT * FROM memos") == []
    history.undo(project)
    assert len(project.rows("SELECT * FROM memos")) == 1
    assert codings.get_coding(project, cid).id == cid


def test_code_lookup_ignores_case_of_danish_letters(project, doc):
    codebook.add_code(project, "ledelse på tværs")
    assert codebook.get_code(project, "LEDELSE PÅ TVÆRS").name == "ledelse på tværs"
    assert codebook.get_code(project, "Tillid").name == "trust"
