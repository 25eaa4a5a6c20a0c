"""Retrieval by boolean queries over codes, against a hand-built project with known hits."""

from __future__ import annotations

import json

import pytest

from tests.conftest import make_paragraphs, make_transcript
from workbench.core import codebook, codings
from workbench.core.documents import get_document
from workbench.core.models import ParsedDocument, ParsedSegment
from workbench.core.retrieval import context_around, find_passages, retrieve
from workbench.errors import InvalidInput, NotFoundError

INTERVIEW = [
    ("I", "Hvordan går samarbejdet med hospitalet?"),
    ("P01", "Vi har fået tillid til sygeplejerskerne. Men der er en konflikt om hvem der "
            "betaler for tabletterne."),
    ("I", "Kan du uddybe det?"),
    ("P01", "Visionen er ét samlet forløb for borgeren. Risikoen er at data ikke deles, "
            "og så mister vi tilliden."),
]
MEETING = [
    ("P02", "Vi stoler ikke på at kommunen kan løfte opgaven. Det er en reel risiko for "
            "patienterne."),
    ("P05", "Som borger oplever jeg en konflikt mellem sektorerne, og det skaber mistillid."),
]
FIELD_NOTE = [
    "Mødet i styregruppen var præget af »ledelse på tværs« og en åben dialog om økonomi "
    "og om næste skridt i prøvehandlingen.",
    "Kommunaldirektøren sagde: ”Vi må være ærlige om risikoen.” Det skabte tillid i rummet.",
]


class Built:
    """The hand-built project and a way to find phrases in its documents."""

    def __init__(self, project, docs):
        self.project = project
        self.docs = docs

    def span(self, doc: str, phrase: str, nth: int = 1) -> tuple[int, int]:
        text = get_document(self.project, self.docs[doc]).text
        start = -1
        for _ in range(nth):
            start = text.index(phrase, start + 1)
        return start, start + len(phrase)

    def code(self, doc: str, phrase: str, code: str, coder: str = "anna") -> None:
        start, end = self.span(doc, phrase)
        codings.add_coding(self.project, self.docs[doc], start, end, code, coder=coder)


@pytest.fixture
def built(project, add_doc):
    codebook.add_code(project, "trust", label_da="tillid")
    codebook.add_code(project, "trust-leaders", parent="trust", label_da="tillid mellem ledere")
    codebook.add_code(project, "conflict", label_da="konflikt")
    codebook.add_code(project, "risk", label_da="risiko")
    codebook.add_code(project, "vision", label_da="vision")
    codebook.add_code(project, "ledelse på tværs", label_da="ledelse på tværs")
    docs = {
        "A": add_doc(project, make_transcript(INTERVIEW), "Interview Herning", kind="interview",
                     case="Ældreforløb Vest", cycle=1, participant="P01", role="sundhedschef",
                     sector="municipality"),
        "B": add_doc(project, make_transcript(MEETING), "Møde i Ung Trivsel", kind="meeting",
                     case="Ung Trivsel", cycle=2),
    }
    field_note = make_paragraphs(FIELD_NOTE)
    quote_start = field_note.text.index("”Vi må")
    quote_end = field_note.text.index("” Det") + 1
    field_note.segments.append(ParsedSegment("quote", quote_start, quote_end,
                                             role="kommunaldirektøren"))
    docs["C"] = add_doc(project, field_note, "Feltnote styregruppe", kind="field_note",
                        case="Ældreforløb Vest", cycle=1)
    from workbench.core.cases import ensure_participant
    with project.atomic():
        ensure_participant(project, "P02", role="ledende overlæge", sector="hospital")
        ensure_participant(project, "P05", role="formand", sector="citizen")
    b = Built(project, docs)
    # Interview A: trust and conflict in the same turn but apart; risk with a nested sub-code.
    b.code("A", "Hvordan går samarbejdet med hospitalet?", "vision")
    b.code("A", "fået tillid til sygeplejerskerne", "trust")
    b.code("A", "der er en konflikt om hvem der betaler for tabletterne", "conflict")
    b.code("A", "Visionen er ét samlet forløb for borgeren", "vision")
    b.code("A", "Risikoen er at data ikke deles, og så mister vi tilliden", "risk")
    b.code("A", "mister vi tilliden", "trust-leaders")
    # Meeting B: two coders.
    b.code("B", "Vi stoler ikke på at kommunen kan løfte opgaven", "trust")
    b.code("B", "Det er en reel risiko for patienterne", "risk", coder="bo")
    b.code("B", "en konflikt mellem sektorerne, og det skaber mistillid", "conflict")
    b.code("B", "det skaber mistillid", "trust", coder="bo")
    # Field note C: a chain of overlapping codings, and codes in a paragraph around a quote.
    b.code("C", "præget af »ledelse på tværs« og en åben", "ledelse på tværs")
    b.code("C", "og en åben dialog om økonomi og om", "trust")
    b.code("C", "om økonomi og om næste skridt", "ledelse på tværs")
    b.code("C", "ærlige om risikoen", "risk")
    b.code("C", "skabte tillid i rummet", "trust")
    return b


def spans(hits):
    return [(h.document, h.start, h.end) for h in hits]


def test_overlap_needs_the_codes_on_overlapping_text(built):
    hits = retrieve(built.project, "trust AND conflict")
    # Only in B do trust and conflict overlap (in A they sit in the same turn, apart).
    assert len(hits) == 1
    hit = hits[0]
    assert hit.document == "Møde i Ung Trivsel"
    assert (hit.start, hit.end) == built.span(
        "B", "en konflikt mellem sektorerne, og det skaber mistillid")
    assert hit.text == "en konflikt mellem sektorerne, og det skaber mistillid"
    assert hit.codes == ("trust", "conflict")


def test_a_code_includes_its_subcodes_and_nested_codings_merge(built):
    hits = retrieve(built.project, "trust AND risk")
    assert spans(hits) == [("Interview Herning",
                            *built.span("A", "Risikoen er at data ikke deles, og så mister vi "
                                             "tilliden"))]
    assert hits[0].codes == ("trust-leaders", "risk")
    assert retrieve(built.project, "trust-leaders AND risk")[0].start == hits[0].start


def test_not_excludes_passages_overlapping_the_code(built):
    assert len(retrieve(built.project, "risk AND NOT vision")) == 3
    hits = retrieve(built.project, "risk AND NOT trust")
    assert [h.text for h in hits] == ["ærlige om risikoen", "Det er en reel risiko for patienterne"]
    with pytest.raises(InvalidInput, match="names no code without NOT"):
        retrieve(built.project, "NOT vision")


def test_overlapping_matches_merge_into_one_hit_spanning_the_chain(built):
    hits = retrieve(built.project, '"ledelse på tværs" AND tillid')
    assert len(hits) == 1
    start, _ = built.span("C", "præget af »ledelse")
    _, end = built.span("C", "om økonomi og om næste skridt")
    assert (hits[0].start, hits[0].end) == (start, end)
    assert hits[0].text.startswith("præget af »ledelse på tværs«")
    assert hits[0].text.endswith("næste skridt")
    assert hits[0].codes == ("trust", "ledelse på tværs")


def test_labels_and_letter_case_name_the_same_codes(built):
    expected = spans(retrieve(built.project, "trust AND (conflict OR risk)"))
    assert spans(retrieve(built.project, "TILLID and (Konflikt or risiko)")) == expected
    assert len(expected) == 2


def test_segment_mode_matches_whole_turns_and_paragraphs(built):
    hits = retrieve(built.project, "trust AND conflict", within="segment")
    turn_a = INTERVIEW[1][1]
    assert [h.text for h in hits] == [turn_a, MEETING[1][1]]
    assert [h.speaker for h in hits] == ["P01", "P05"]
    # NOT applies to the whole turn: turn 4 of A holds vision, so it drops out.
    assert [h.text for h in retrieve(built.project, "trust AND risk AND NOT vision",
                                     within="segment")] == [FIELD_NOTE[1], MEETING[0][1]]
    assert len(retrieve(built.project, "trust AND risk AND NOT vision")) == 1


def test_segment_mode_uses_the_paragraph_not_the_quote_inside_it(built):
    hits = retrieve(built.project, "risk AND trust", within="segment")
    paragraph = [h for h in hits if h.document == "Feltnote styregruppe"]
    assert [h.text for h in paragraph] == [FIELD_NOTE[1]]
    assert retrieve(built.project, "risk AND trust", document="Feltnote styregruppe") == []


def test_segment_mode_on_a_document_without_segments(built, add_doc):
    text = "Refleksion: tilliden voksede, men konflikten om økonomien består."
    doc = add_doc(built.project, ParsedDocument(text=text, original_text=text, segments=[],
                                                source_format="txt"), "Refleksion")
    built.docs["R"] = doc
    built.code("R", "tilliden voksede", "trust")
    built.code("R", "konflikten om økonomien", "conflict")
    hits = retrieve(built.project, "trust AND conflict", within="segment", document="Refleksion")
    assert [h.text for h in hits] == ["tilliden voksede, men konflikten om økonomien"]


def test_hits_carry_speaker_participant_role_sector_and_document(built):
    hits = retrieve(built.project, "vision")
    assert [(h.speaker, h.participant, h.sector) for h in hits] == [
        ("I", None, None), ("P01", "P01", "municipality")]
    hit = hits[1]
    assert (hit.document_kind, hit.case, hit.cycle, hit.role) == (
        "interview", "Ældreforløb Vest", 1, "sundhedschef")
    assert hit.document_id == built.docs["A"]
    assert hit.segment_id is not None
    data = hit.to_dict()
    assert data["codes"] == ["vision"] and data["text"].startswith("Visionen")


def test_participant_filters_use_the_turn_where_the_hit_starts(built):
    q = "trust OR risk OR vision OR conflict"
    # The interviewer's question is not the informant's words, even in P01's interview.
    municipal = retrieve(built.project, q, sector="municipality")
    assert {h.participant for h in municipal} == {"P01"}
    assert all(h.speaker == "P01" for h in municipal)
    hospital = retrieve(built.project, q, sector="hospital")
    assert [h.text for h in hospital] == ["Vi stoler ikke på at kommunen kan løfte opgaven",
                                          "Det er en reel risiko for patienterne"]
    assert spans(retrieve(built.project, q, role="OVERLÆGE")) == spans(hospital)
    assert spans(retrieve(built.project, q, participant="P02")) == spans(hospital)
    assert len(retrieve(built.project, q, sector=["hospital", "citizen"])) == 3
    with pytest.raises(NotFoundError, match="role containing 'biskop'"):
        retrieve(built.project, q, role="biskop")
    with pytest.raises(InvalidInput, match="not a known sector"):
        retrieve(built.project, q, sector="kommune")


def test_document_filters_case_cycle_kind_and_document(built):
    q = "trust"
    assert {h.document for h in retrieve(built.project, q, cycle=2)} == {"Møde i Ung Trivsel"}
    assert {h.document for h in retrieve(built.project, q, case="Ældreforløb Vest")} == {
        "Interview Herning", "Feltnote styregruppe"}
    assert {h.document for h in retrieve(built.project, q, kind="field_note")} == {
        "Feltnote styregruppe"}
    assert {h.document for h in retrieve(built.project, q, document="Interview")} == {
        "Interview Herning"}
    assert retrieve(built.project, q, case="Ung Trivsel", kind="interview") == []
    with pytest.raises(NotFoundError, match="No cycle 7"):
        retrieve(built.project, q, cycle=7)
    with pytest.raises(InvalidInput, match="not a document kind"):
        retrieve(built.project, q, kind="podcast")


def test_coder_filter_counts_only_that_coders_codings(built):
    assert len(retrieve(built.project, "trust AND conflict")) == 1
    # The trust on "mistillid" is bo's, the conflict around it anna's.
    assert retrieve(built.project, "trust AND conflict", coder="anna") == []
    assert retrieve(built.project, "trust AND conflict", coder="bo") == []
    assert [h.text for h in retrieve(built.project, "risk", coder="bo")] == [
        "Det er en reel risiko for patienterne"]
    with pytest.raises(NotFoundError, match="No codings by coder 'carl'.*anna, bo"):
        retrieve(built.project, "risk", coder="carl")


def test_all_codes_lists_codes_outside_the_query(built):
    hit = retrieve(built.project, "risk", document="Interview")[0]
    assert hit.codes == ("risk",)
    hit = retrieve(built.project, "risk", document="Interview", all_codes=True)[0]
    assert hit.codes == ("trust-leaders", "risk")


def test_context_is_cut_at_word_boundaries(built):
    hit = retrieve(built.project, "risk", document="Feltnote", context=15)[0]
    assert hit.text == "ærlige om risikoen"
    # Whole words only, and before + quote + after is a stretch of the document as it stands.
    assert hit.before == "”Vi må være "
    assert hit.after == ".” Det skabte"
    full = retrieve(built.project, "risk", document="Feltnote", context=45)[0]
    assert full.before == "Kommunaldirektøren sagde: ”Vi må være "
    assert full.after == ".” Det skabte tillid i rummet."
    assert full.before + full.text + full.after == FIELD_NOTE[1]
    whole = retrieve(built.project, "risk", document="Feltnote", context=10_000)[0]
    assert whole.before.startswith("Mødet i styregruppen")
    none = retrieve(built.project, "risk", document="Feltnote", context=0)[0]
    assert (none.before, none.after) == ("", "")


@pytest.mark.parametrize("size, before, after", [
    (9, "er på ", " og så"),      # "Risikoen" would be cut in half: it is left out
    (4, "på ", " og"),
    (20, "Risikoen er på ", " og så mister vi"),
    (2, "", ""),
])
def test_context_around_snaps_danish_words(size, before, after):
    text = "Risikoen er på tværs, og så mister vi tilliden."
    start = text.index("tværs")
    assert context_around(text, start, start + len("tværs,"), size) == (before, after)
    assert len(before) <= size and len(after) <= size


def test_unknown_codes_and_bad_queries_fail_with_a_sentence(built):
    with pytest.raises(NotFoundError, match="did you mean 'trust'"):
        retrieve(built.project, "tust AND risk")
    with pytest.raises(InvalidInput, match="ends after AND"):
        retrieve(built.project, "trust AND")
    with pytest.raises(InvalidInput, match="overlap or segment"):
        retrieve(built.project, "trust", within="sentence")


def test_hits_are_ordered_by_document_then_position(built):
    hits = retrieve(built.project, "trust OR risk OR conflict OR vision OR \"ledelse på tværs\"")
    keys = [(h.document.casefold(), h.start) for h in hits]
    assert keys == sorted(keys)
    assert {h.document for h in hits} == {"Interview Herning", "Møde i Ung Trivsel",
                                          "Feltnote styregruppe"}


# ------------------------------------------------------------------------------------ the CLI


def run(*args):
    from click.testing import CliRunner

    from workbench.cli import main

    return CliRunner().invoke(main, [str(a) for a in args])


def test_cli_prints_each_hit_with_speaker_codes_and_marked_quote(built):
    path = built.project.path
    result = run("retrieve", path, "--query", "tillid AND konflikt", "--context", "30")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "[1] Møde i Ung Trivsel" in out
    assert "P05 (formand, citizen)" in out
    assert "codes: trust, conflict" in out
    assert "[[en konflikt mellem sektorerne, og det skaber mistillid]]" in out
    assert out.rstrip().endswith("1 hit in 1 document.")


def test_cli_json_filters_and_segment_mode(built):
    path = built.project.path
    data = json.loads(run("retrieve", path, "-q", "trust AND conflict", "--within", "segment",
                          "--sector", "municipality", "--sector", "citizen", "--json").output)
    assert data["count"] == 2
    assert [h["participant"] for h in data["hits"]] == ["P01", "P05"]
    assert data["hits"][0]["text"] == INTERVIEW[1][1]
    counted = run("retrieve", path, "-q", "trust", "--cycle", "1", "--count")
    assert counted.output.strip() == "4"
    quote_only = run("retrieve", path, "-q", "risk", "--document", "Feltnote", "--context", "0")
    assert "”ærlige om risikoen”" in quote_only.output
    assert run("retrieve", path, "-q", "vision AND conflict").output.startswith("No passages")


def test_cli_errors_are_one_line_on_stderr(built):
    path = built.project.path
    result = run("retrieve", path, "--query", "tust AND risk")
    assert result.exit_code == 1
    assert result.output.strip() == ("error: No code 'tust' in the codebook; "
                                     "did you mean 'trust'?")
    result = run("retrieve", path, "--query", "trust AND")
    assert result.exit_code == 1 and "ends after AND" in result.output


def test_cli_help_states_the_overlap_semantics():
    out = run("retrieve", "--help").output
    assert "overlap" in out and "merged into one hit" in out and "whole segment" in out


def test_touching_passages_stay_apart_and_a_coding_across_turns_counts_in_both(built):
    text = get_document(built.project, built.docs["B"]).text
    # risk right after the trust coding (touching, not overlapping), and a vision coding
    # that runs from the end of turn 1 into turn 2.
    trust_start, trust_end = built.span("B", "Vi stoler ikke på at kommunen kan løfte opgaven")
    codings.add_coding(built.project, built.docs["B"], trust_end, trust_end + 1, "risk")
    across = text.index("patienterne."), text.index("Som borger") + len("Som borger")
    codings.add_coding(built.project, built.docs["B"], *across, "vision")
    hits = retrieve(built.project, "trust AND risk", document="Møde")
    assert hits == []
    hits = retrieve(built.project, "vision AND (trust OR conflict)", document="Møde",
                    within="segment")
    assert [h.speaker for h in hits] == ["P02", "P05"]
    # In overlap mode the risk coding and the vision coding overlapping it merge into one hit.
    hit = retrieve(built.project, "vision AND risk", document="Møde", coder="bo")
    assert hit == []  # bo coded the risk, anna the vision
    (hit,) = retrieve(built.project, "vision AND risk", document="Møde")
    assert (hit.start, hit.end) == (built.span("B", "Det er en reel risiko")[0], across[1])
    assert hit.codes == ("risk", "vision")


def test_find_passages_gives_spans_without_details(built):
    passages = find_passages(built.project, "trust AND risk")
    assert [(p.document_id, p.start, p.end) for p in passages] == [
        (built.docs["A"], *built.span("A", "Risikoen er at data ikke deles, og så mister vi "
                                           "tilliden"))]
    assert len(find_passages(built.project, "trust", cycle=2)) == 2


# ------------------------------------------------------- the numpy path answers like the loop

RANDOM_CODES = ["tillid", "konflikt", "risiko", "økonomi", "vision"]


def _random_query(rng, depth: int = 0) -> str:
    roll = rng.random()
    if depth > 2 or roll < 0.4:
        return rng.choice(RANDOM_CODES + ["tillid-ledere", "konflikt-penge"])
    if roll < 0.55:
        return "NOT " + _random_query(rng, depth + 1)
    joiner = rng.choice([" AND ", " OR "])
    parts = [_random_query(rng, depth + 1) for _ in range(rng.randint(2, 3))]
    return "(" + joiner.join(parts) + ")"


def test_the_array_path_gives_the_same_hits_as_the_loop_on_random_codings(
        project, add_doc, monkeypatch):
    import random

    from workbench.core import retrieval

    retrieval.load_arrays()  # as in the app: without a coder, the arrays kept per code answer
    rng = random.Random(7)
    for name in RANDOM_CODES:
        codebook.add_code(project, name)
    codebook.add_code(project, "tillid-ledere", parent="tillid")
    codebook.add_code(project, "konflikt-penge", parent="konflikt")
    words = "tillid æble øre åben ”citat« konflikt økonomi borger\r\nlæge".split(" ")

    def speech(n: int) -> str:
        return " ".join(rng.choice(words) for _ in range(n))

    docs = [add_doc(project, make_transcript([(rng.choice(["I", "P01", "P02"]), speech(12))
                                              for _ in range(6)]), f"Interview {i}",
                    participant="P01", sector="hospital") for i in range(3)]
    notes = make_paragraphs([speech(10) for _ in range(4)])
    inside = notes.segments[1]
    notes.segments.append(ParsedSegment("quote", inside.start + 3, inside.end - 3))
    # A quote that runs across two paragraphs is a unit of its own.
    notes.segments.append(ParsedSegment("quote", notes.segments[2].start + 2,
                                        notes.segments[3].start + 4))
    docs.append(add_doc(project, notes, "Feltnote"))
    plain = speech(40)
    docs.append(add_doc(project, ParsedDocument(text=plain, original_text=plain, segments=[],
                                                source_format="txt"), "Refleksion"))
    codes = RANDOM_CODES + ["tillid-ledere", "konflikt-penge"]
    for _ in range(260):
        doc = rng.choice(docs)
        length = len(get_document(project, doc).text)
        # Spans on a grid of four characters, so codings often touch or share an edge.
        start = rng.randrange(0, length - 1, 4)
        end = min(length, start + 4 * rng.randint(1, 15))
        if rng.random() < 0.3:  # end right where a segment starts, or start where it ends
            edges = [r[0] for r in project.conn.execute(
                'SELECT start FROM segments WHERE document_id = ? UNION '
                'SELECT "end" FROM segments WHERE document_id = ?', (doc, doc))]
            edge = rng.choice(edges or [length // 2])
            start, end = ((max(0, edge - 4 * rng.randint(1, 5)), edge) if rng.random() < 0.5
                          else (edge, min(length, edge + 4 * rng.randint(1, 5))))
            if end <= start:
                continue
        try:
            codings.add_coding(project, doc, start, end, rng.choice(codes),
                               coder=rng.choice(["anna", "bo"]))
        except Exception:  # the same span twice: draw again
            continue

    array_calls = []
    real_arrays_passages = retrieval._arrays_passages

    def spy(*args, **kwargs):
        array_calls.append(1)
        return real_arrays_passages(*args, **kwargs)

    monkeypatch.setattr(retrieval, "_arrays_passages", spy)

    def both(call):
        monkeypatch.setattr(retrieval, "VECTOR_MIN_CODINGS", 10**9)
        monkeypatch.setattr(retrieval, "VECTOR_MIN_CODINGS_COLD", 10**9)
        loop = call()
        monkeypatch.setattr(retrieval, "VECTOR_MIN_CODINGS", 0)
        monkeypatch.setattr(retrieval, "VECTOR_MIN_CODINGS_COLD", 0)
        calls = len(array_calls)
        arrays = call()
        assert len(array_calls) == calls + 1  # the array path answered
        return loop, arrays

    compared = 0
    for _ in range(120):
        query = _random_query(rng)
        for within in ("overlap", "segment"):
            for coder in (None, "bo"):
                every = rng.random() < 0.2
                try:
                    loop, arrays = both(lambda q=query, w=within, c=coder, a=every: retrieve(
                        project, q, within=w, coder=c, all_codes=a))
                except InvalidInput:  # no code named without NOT
                    break
                assert sorted(arrays) == sorted(loop), (query, within, coder)
                loop, arrays = both(lambda q=query, w=within, c=coder: find_passages(
                    project, q, within=w, coder=c))
                key = lambda p: (p.document_id, p.start, p.end)  # noqa: E731
                assert [key(p) for p in arrays] == [key(p) for p in loop]
                assert sorted(arrays) == sorted(loop), (query, within, coder)
                compared += bool(loop)
    assert compared > 50  # most random queries find something
