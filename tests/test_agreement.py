"""Intercoder agreement: hand-computed 2x2 tables, and equality with scikit-learn's
cohen_kappa_score and the krippendorff package on the same unit vectors."""

from __future__ import annotations

import json

import krippendorff
import numpy as np
import pytest
from click.testing import CliRunner
from sklearn.metrics import cohen_kappa_score

from tests.conftest import make_transcript
from workbench.analysis.agreement import (
    agreement,
    cohen_kappa,
    krippendorff_alpha,
    unit_vectors,
)
from workbench.cli import main
from workbench.core import codebook, codings
from workbench.core.spans import sentence_bounds
from workbench.errors import InvalidInput, NotFoundError

TURNS = [
    ("I", "Hvordan oplever du samarbejdet?"),                                   # S0
    ("R", "Vi har fået en helt anden tillid til hinanden. Det tog tid."),       # S1 S2
    ("I", "Hvad med økonomien?"),                                               # S3
    ("R", "Der er stadig en konflikt om, hvem der betaler. Kommunen siger ét, regionen "
          "noget andet. Det er en risiko for borgeren."),                       # S4 S5 S6
    ("I", "Stoler du på regionen?"),                                            # S7
    ("R", "Ja, jeg stoler på dem. Men jeg er bekymret for ”de nye regler.” Vi må se."),
]                                                                               # S8 S9 S10
# Sentences each coder coded, per code. anna codes S2 twice with overlapping codings.
CODED = {
    "anna": {"tillid": [1, 2, 7, 8], "konflikt": [4]},
    "bo": {"tillid": [1, 8, 9], "konflikt": [4, 5]},
}
OTHER = ["Mødet var præget af tillid. Ingen talte om konflikten."]


def _sentences(text):
    spans = sentence_bounds(text)
    assert len(spans) == 11
    return spans


@pytest.fixture
def coded(project, add_doc):
    codebook.load_codebook(project, {"codes": [
        {"name": "tillid", "label_en": "trust"}, {"name": "konflikt", "label_en": "conflict"},
        {"name": "risiko", "label_en": "risk"}]})
    doc = add_doc(project, make_transcript(TURNS), "P06_region_c2", participant="P06",
                  sector="region", cycle=2)
    text = project.conn.execute("SELECT text FROM documents WHERE id = ?", (doc,)).fetchone()[0]
    spans = _sentences(text)
    for coder, per_code in CODED.items():
        for code, indices in per_code.items():
            for i in indices:
                start, end = spans[i]
                # Part of the sentence only: touching a unit is enough to make it "yes".
                codings.add_coding(project, doc, start + 2, end - 1, code, coder=coder)
    s2 = spans[2]
    codings.add_coding(project, doc, s2[0], s2[1], "tillid", coder="anna")  # overlaps
    other = add_doc(project, make_transcript([("R", OTHER[0])]), "feltnote_c1")
    codings.add_coding(project, other, 0, 10, "tillid", coder="anna")
    return {"doc": doc, "other": other, "text": text, "spans": spans}


def _naive_characters(project, doc_id, length, coder, code):
    """Per character: does any coding of the coder with the code cover it (Python loops)."""
    code_id = codebook.get_code(project, code).id
    vector = [0] * length
    for start, end in project.conn.execute(
            'SELECT start, "end" FROM codings WHERE document_id = ? AND coder = ? '
            "AND code_id = ?", (doc_id, coder, code_id)):
        for i in range(start, end):
            vector[i] = 1
    return np.array(vector)


def _naive_units(project, doc_id, units, coder, code):
    """Per unit (start, end): does any coding of the coder with the code share a character."""
    code_id = codebook.get_code(project, code).id
    rows = project.conn.execute(
        'SELECT start, "end" FROM codings WHERE document_id = ? AND coder = ? AND code_id = ?',
        (doc_id, coder, code_id)).fetchall()
    return np.array([int(any(s < ue and us < e for s, e in rows)) for us, ue in units])


def _segments(project, doc_id):
    return [tuple(r) for r in project.conn.execute(
        'SELECT start, "end" FROM segments WHERE document_id = ? ORDER BY ordinal', (doc_id,))]


def _check_against_references(result, vectors_by_code):
    """Every per-code and pooled figure equals sklearn and krippendorff on the vectors."""
    pooled_a, pooled_b = [], []
    for item in result.codes:
        a, b = vectors_by_code[item.code]
        pooled_a.append(a)
        pooled_b.append(b)
        pair = item.pairs[0]
        assert pair.both == int(((a == 1) & (b == 1)).sum())
        assert pair.a_only == int(((a == 1) & (b == 0)).sum())
        assert pair.b_only == int(((a == 0) & (b == 1)).sum())
        assert pair.neither == int(((a == 0) & (b == 0)).sum())
        assert item.units == len(a)
        if pair.kappa is None:
            assert (a == b).all() and len(set(a.tolist())) == 1
            continue
        assert pair.kappa == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)
        assert item.alpha == pytest.approx(krippendorff.alpha(
            reliability_data=np.vstack([a, b]), level_of_measurement="nominal"), abs=1e-12)
    a, b = np.concatenate(pooled_a), np.concatenate(pooled_b)
    assert result.pooled.units == len(a)
    if result.pooled.kappa is None:  # no variation anywhere: sklearn gives nan
        assert (a == b).all() and len(set(a.tolist())) == 1
        return
    assert result.pooled.kappa == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)
    assert result.pooled.alpha == pytest.approx(krippendorff.alpha(
        reliability_data=np.vstack([a, b]), level_of_measurement="nominal"), abs=1e-12)


# ------------------------------------------------------------------------------ formulas


def test_kappa_and_alpha_from_a_hand_computed_table():
    # both 2, A only 2, B only 1, neither 6 (N = 11)
    kappa, pe, note = cohen_kappa(2, 2, 1, 6)
    po, pa, pb = 8 / 11, 4 / 11, 3 / 11
    assert pe == pytest.approx(pa * pb + (1 - pa) * (1 - pb))
    assert kappa == pytest.approx((po - pe) / (1 - pe))
    assert note == ""
    # Units with 0, 1, 2 yes: 6, 3, 2. n = 22 values, 7 yes, 15 no, 3 disagreeing pairs.
    alpha, _ = krippendorff_alpha([6, 3, 2], 2)
    assert alpha == pytest.approx(1 - 21 * 3 / (7 * 15))


def test_no_variation_is_undefined_with_the_reason_not_one():
    kappa, pe, note = cohen_kappa(0, 0, 0, 12)
    assert kappa is None and pe == 1.0 and "no variation" in note and "said no" in note
    kappa, _, note = cohen_kappa(5, 0, 0, 0)
    assert kappa is None and "said yes" in note
    kappa, _, note = cohen_kappa(0, 0, 0, 0)
    assert kappa is None and "no units" in note
    alpha, note = krippendorff_alpha([9, 0, 0], 2)
    assert alpha is None and "no variation" in note
    # One coder always yes, the other always no: defined (kappa 0), not undefined.
    assert cohen_kappa(0, 4, 0, 0)[0] == 0.0


# ------------------------------------------------------------------------------ units


def test_sentence_units_hand_computed_and_equal_to_the_references(project, coded):
    result = agreement(project, ["anna", "bo"], unit="sentence")
    assert result.documents == ["P06_region_c2"]
    assert result.excluded == [{"document": "feltnote_c1", "coded_by": ["anna"],
                                "missing": ["bo"]}]
    trust = next(c for c in result.codes if c.code == "tillid")
    pair = trust.pairs[0]
    assert (pair.both, pair.a_only, pair.b_only, pair.neither, trust.units) == (2, 2, 1, 6, 11)
    assert trust.yes == {"anna": 4, "bo": 3}  # S2 coded twice by anna counts once
    assert pair.kappa == pytest.approx(cohen_kappa(2, 2, 1, 6)[0])
    assert trust.percent_agreement == pytest.approx(8 / 11)
    conflict = next(c for c in result.codes if c.code == "konflikt")
    assert (conflict.pairs[0].both, conflict.pairs[0].b_only, conflict.pairs[0].neither) == \
        (1, 1, 9)
    assert [c.code for c in result.codes] == ["tillid", "konflikt"]  # risiko unused
    vectors = {}
    for code in ("tillid", "konflikt"):
        mine = unit_vectors(project, ["anna", "bo"], code, unit="sentence")
        naive = [_naive_units(project, coded["doc"], coded["spans"], c, code)
                 for c in ("anna", "bo")]
        assert mine["anna"].tolist() == naive[0].tolist()
        assert mine["bo"].tolist() == naive[1].tolist()
        vectors[code] = naive
    _check_against_references(result, vectors)
    # Pooled is over the codes' vectors end to end; the mean is over the per-code kappas.
    assert result.pooled.units == 22
    mean = result.mean_kappa[0]
    assert mean["mean_kappa"] == pytest.approx(np.mean([c.kappa for c in result.codes]))
    assert (mean["codes"], mean["undefined"]) == (2, 0)


def test_character_units_count_overlapping_codings_once(project, coded):
    result = agreement(project, ["anna", "bo"], unit="character")
    length = len(coded["text"])
    vectors = {}
    for code in ("tillid", "konflikt"):
        naive = [_naive_characters(project, coded["doc"], length, c, code)
                 for c in ("anna", "bo")]
        mine = unit_vectors(project, ["anna", "bo"], code, unit="character")
        assert mine["anna"].tolist() == naive[0].tolist()
        assert mine["bo"].tolist() == naive[1].tolist()
        vectors[code] = naive
    trust = next(c for c in result.codes if c.code == "tillid")
    assert trust.units == length
    # anna's two codings of S2 overlap: the characters count once, not twice.
    assert trust.yes["anna"] == int(vectors["tillid"][0].sum())
    assert sum([trust.pairs[0].both, trust.pairs[0].a_only, trust.pairs[0].b_only,
                trust.pairs[0].neither]) == length
    _check_against_references(result, vectors)


def test_segment_units_equal_the_references(project, coded):
    result = agreement(project, ["anna", "bo"], unit="segment")
    turns = _segments(project, coded["doc"])
    vectors = {code: [_naive_units(project, coded["doc"], turns, c, code)
                      for c in ("anna", "bo")] for code in ("tillid", "konflikt")}
    trust = next(c for c in result.codes if c.code == "tillid").pairs[0]
    assert (trust.both, trust.a_only, trust.b_only, trust.neither) == (2, 1, 0, 3)
    conflict = next(c for c in result.codes if c.code == "konflikt")
    assert conflict.kappa == pytest.approx(1.0)
    _check_against_references(result, vectors)


def test_overlapping_duplicates_alone_do_not_change_the_figures(project, coded):
    before = agreement(project, ["anna", "bo"], unit="character").to_dict()
    spans = coded["spans"]
    # Two more overlapping codings of tillid by bo inside text bo already coded.
    start, end = spans[8]
    codings.add_coding(project, coded["doc"], start + 2, end - 3, "tillid", coder="bo")
    codings.add_coding(project, coded["doc"], start + 4, end - 1, "tillid", coder="bo")
    after = agreement(project, ["anna", "bo"], unit="character").to_dict()
    assert after["codes"] == before["codes"]
    assert agreement(project, ["anna", "bo"], unit="sentence").codes[0].yes["bo"] == 3


def test_a_coding_across_a_sentence_boundary_touches_both_sentences(project, coded):
    s4, s5 = coded["spans"][4], coded["spans"][5]
    codings.add_coding(project, coded["doc"], s4[1] - 3, s5[0] + 3, "risiko", coder="anna")
    result = agreement(project, ["anna", "bo"], unit="sentence", codes=["risiko"])
    assert result.codes[0].yes == {"anna": 2, "bo": 0}


def test_document_units_and_chosen_documents(project, coded):
    result = agreement(project, ["anna", "bo"], unit="document",
                       documents=["P06_region_c2", "feltnote_c1"])
    assert sorted(result.documents) == ["P06_region_c2", "feltnote_c1"]
    assert any("bo made no codings in 'feltnote_c1'" in n for n in result.notes)
    trust = next(c for c in result.codes if c.code == "tillid").pairs[0]
    assert (trust.both, trust.a_only, trust.b_only, trust.neither) == (1, 1, 0, 0)
    assert trust.kappa == pytest.approx(cohen_kappa_score([1, 1], [1, 0]))


def test_a_code_nobody_used_is_undefined_not_perfect(project, coded):
    result = agreement(project, ["anna", "bo"], unit="sentence", codes=["risk"])
    risk = result.codes[0]
    assert risk.code == "risiko" and risk.kappa is None and risk.alpha is None
    assert "no variation" in risk.pairs[0].kappa_note
    assert risk.pairs[0].neither == 11
    with pytest.raises(ValueError):  # the reference refuses too
        krippendorff.alpha(reliability_data=np.zeros((2, 11)), level_of_measurement="nominal")
    assert result.mean_kappa[0]["mean_kappa"] is None
    assert result.mean_kappa[0]["undefined"] == 1


def test_three_coders_alpha_and_pairwise_kappas(project, coded):
    spans = coded["spans"]
    for i in (1, 2, 9):
        codings.add_coding(project, coded["doc"], spans[i][0], spans[i][1], "tillid",
                           coder="carl")
    codings.add_coding(project, coded["doc"], spans[5][0], spans[5][1], "konflikt",
                       coder="carl")
    coders = ["anna", "bo", "carl"]
    result = agreement(project, coders, unit="sentence")
    for item in result.codes:
        vectors = unit_vectors(project, coders, item.code, unit="sentence")
        data = np.vstack([vectors[c] for c in coders])
        assert item.alpha == pytest.approx(krippendorff.alpha(
            reliability_data=data, level_of_measurement="nominal"), abs=1e-12)
        assert item.all_agree == int((data.min(axis=0) == data.max(axis=0)).sum())
        for pair in item.pairs:
            a, b = vectors[pair.coder_a], vectors[pair.coder_b]
            assert pair.kappa == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)
    assert [(m["coder_a"], m["coder_b"]) for m in result.mean_kappa] == \
        [("anna", "bo"), ("anna", "carl"), ("bo", "carl")]


def test_disagreement_list_names_the_unit_and_who_coded_what(project, coded):
    result = agreement(project, ["anna", "bo"], unit="sentence", disagreements=True)
    found = [(d.code, d.text, d.coded_by, d.not_coded_by) for d in result.disagreements]
    assert ("tillid", "Stoler du på regionen?", ["anna"], ["bo"]) in found
    assert ("tillid", "Men jeg er bekymret for ”de nye regler.”", ["bo"], ["anna"]) in found
    assert ("konflikt", "Kommunen siger ét, regionen noget andet.", ["bo"], ["anna"]) in found
    assert len(found) == 4  # tillid S2, S7, S9 and konflikt S5
    chars = agreement(project, ["anna", "bo"], unit="character", disagreements=True)
    length = len(coded["text"])
    for code in ("tillid", "konflikt"):
        a, b = (_naive_characters(project, coded["doc"], length, c, code) for c in ("anna", "bo"))
        listed = np.zeros(length, dtype=int)
        for item in chars.disagreements:
            if item.code == code:
                assert len(item.coded_by) == 1
                listed[item.start:item.end] = 1
        # The stretches cover exactly the characters the two coders judged differently.
        assert listed.tolist() == (a != b).astype(int).tolist()


def test_bad_requests_get_one_clear_sentence(project, coded):
    with pytest.raises(InvalidInput, match="at least two different coders"):
        agreement(project, ["anna"])
    with pytest.raises(NotFoundError, match="Coder 'carl' has no codings"):
        agreement(project, ["anna", "carl"])
    with pytest.raises(InvalidInput, match="not a unit"):
        agreement(project, ["anna", "bo"], unit="paragraph")


def test_agreement_cli_table_json_and_disagreements(project, coded, tmp_path):
    runner = CliRunner()
    path = str(project.path)
    result = runner.invoke(main, ["agreement", path, "--coders", "anna,bo"])
    assert result.exit_code == 0, result.output
    assert "both yes" in result.output and "anna only" in result.output
    assert "left out: feltnote_c1 (not coded by bo)" in result.output
    assert "(pooled)" in result.output
    data = json.loads(runner.invoke(main, ["agreement", path, "--coders", "anna,bo",
                                           "--unit", "segment", "--json"]).output)
    assert data["unit"] == "segment" and data["codes"][0]["pairs"][0]["both"] == 2
    assert "disagreements" not in data
    result = runner.invoke(main, ["agreement", path, "--coders", "anna,bo", "--code", "risiko"])
    assert "undefined" in result.output and "no variation" in result.output
    result = runner.invoke(main, ["agreement", path, "--coders", "anna,bo", "--disagreements",
                                  "--plot", str(tmp_path / "kappa.png")])
    assert "“Stoler du på regionen?”" in result.output
    assert (tmp_path / "kappa.png").read_bytes().startswith(b"\x89PNG")
    result = runner.invoke(main, ["agreement", path, "--coders", "anna"])
    assert result.exit_code == 1 and "at least two different coders" in result.output


# ------------------------------------------------------------------------------ sentences


def test_fast_sentence_split_equals_the_core_rule():
    import random

    from workbench.analysis.units import sentence_spans

    texts = ["", " ", "\n", "Hej.", "Hej. Du!", "a.” b", "a.\"\nb", ".”.", "a..  b?!” c",
             "Han sagde: ”Nej.” Så gik han.\r\nNy linje… ja", "Tal 3.5 og 2. plads\u00a0ok."]
    rng = random.Random(7)
    alphabet = list("ab .!?…”\"»)]\n\t\r") + ["\u00a0", "\u2003", "æ", "ø", "Å", "«", ":"]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
              for _ in range(3000)]
    for text in texts:
        start, end = sentence_spans(text)
        assert list(zip(start.tolist(), end.tolist(), strict=True)) == sentence_bounds(text), \
            repr(text)


def test_tagged_sentences_are_used_when_present(project, coded):
    spans = coded["spans"]
    # Pretend tagging found one sentence where the punctuation rule finds S1 and S2.
    with project.atomic():
        project.conn.executemany(
            'INSERT INTO sentences (document_id, start, "end") VALUES (?, ?, ?)',
            [(coded["doc"], s, e) for s, e in [spans[0], (spans[1][0], spans[2][1]),
                                               *spans[3:]]])
    result = agreement(project, ["anna", "bo"], unit="sentence")
    assert result.codes[0].units == 10


def test_sentence_units_follow_the_core_if_its_rule_changes(project, coded, monkeypatch):
    import re

    from workbench.analysis.dataset import load_documents
    from workbench.analysis.units import sentence_units
    from workbench.core import spans as core_spans

    monkeypatch.setattr(core_spans, "_SENTENCE_END", re.compile(r"[.!?…]+(?=\s)|\n"))
    docs = load_documents(project)
    units = sentence_units(project, docs)
    expected = []
    for doc_id in docs.ids.tolist():
        text = project.conn.execute("SELECT text FROM documents WHERE id = ?",
                                    (doc_id,)).fetchone()[0]
        expected += core_spans.project_sentences(project, doc_id, text)
    assert list(zip(units.start.tolist(), units.end.tolist(), strict=True)) == expected
    assert len(expected) != len(coded["spans"]) + 2  # the changed rule splits differently


def test_random_codings_match_naive_vectors_and_references(project, add_doc):
    """Many overlapping codings in several documents: every unit kind against loops."""
    import random

    rng = random.Random(11)
    codebook.load_codebook(project, {"codes": [{"name": n} for n in ("tillid", "konflikt",
                                                                      "risiko")]})
    words = "vi har tillid men økonomien er en konflikt og en risiko for borgeren".split()
    docs = {}
    for d in range(3):
        turns = [("I" if t % 2 == 0 else "R",
                  " ".join(" ".join(rng.choice(words) for _ in range(rng.randint(3, 9)))
                           .capitalize() + rng.choice(".?!") for _ in range(rng.randint(1, 3))))
                 for t in range(6)]
        doc_id = add_doc(project, make_transcript(turns), f"doc{d}", participant=f"P{d}")
        docs[doc_id] = project.conn.execute("SELECT text FROM documents WHERE id = ?",
                                            (doc_id,)).fetchone()[0]
    for doc_id, text in docs.items():
        for coder in ("anna", "bo"):
            for _ in range(25):
                start = rng.randrange(len(text) - 1)
                end = min(len(text), start + rng.randint(1, 60))
                code = rng.choice(["tillid", "konflikt", "risiko"])
                try:
                    codings.add_coding(project, doc_id, start, end, code, coder=coder)
                except Exception:  # the same span twice: skip
                    pass
    ordered = sorted(docs, key=lambda i: f"doc{list(docs).index(i)}")
    for unit in ("character", "sentence", "segment", "document"):
        result = agreement(project, ["anna", "bo"], unit=unit)
        vectors = {}
        for code in ("tillid", "konflikt", "risiko"):
            naive = []
            for coder in ("anna", "bo"):
                parts = []
                for doc_id in ordered:
                    text = docs[doc_id]
                    if unit == "character":
                        parts.append(_naive_characters(project, doc_id, len(text), coder, code))
                    else:
                        spans = {"sentence": sentence_bounds(text),
                                 "segment": _segments(project, doc_id),
                                 "document": [(0, len(text))]}[unit]
                        parts.append(_naive_units(project, doc_id, spans, coder, code))
                naive.append(np.concatenate(parts))
            mine = unit_vectors(project, ["anna", "bo"], code, unit=unit)
            assert mine["anna"].tolist() == naive[0].tolist(), (unit, code)
            assert mine["bo"].tolist() == naive[1].tolist(), (unit, code)
            vectors[code] = naive
        _check_against_references(result, vectors)


def test_fast_sentence_units_equal_core_sentences_on_a_transcript(project, add_doc):
    """Speaker labels between turns are no part of any sentence, on both paths."""
    from tests.conftest import make_transcript
    from workbench.analysis.dataset import load_documents
    from workbench.analysis.units import sentence_units
    from workbench.core import spans as core_spans

    add_doc(project, make_transcript([
        ("I", "Har det givet konflikter? Fortæl"),
        ("R", "Ja. Mange konflikter» og uro! Men vi stoler på dem"),
        ("I", "Godt."),
    ]), "labels")
    docs = load_documents(project)
    units = sentence_units(project, docs)
    doc_id = docs.ids.tolist()[0]
    text = project.conn.execute("SELECT text FROM documents WHERE id = ?",
                                (doc_id,)).fetchone()[0]
    expected = core_spans.project_sentences(project, doc_id, text)
    assert list(zip(units.start.tolist(), units.end.tolist(), strict=True)) == expected
    assert "Fortæl" in [text[s:e] for s, e in expected]
