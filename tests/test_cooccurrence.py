"""Code co-occurrence by overlap and by segment, with Jaccard, on hand-placed codings."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from tests.conftest import make_paragraphs
from workbench.analysis.cooccurrence import cooccurrence
from workbench.cli import main
from workbench.core import codebook, codings
from workbench.errors import InvalidInput

# Three paragraphs: [0, 45), [47, 130), [132, 160).
PARAGRAPHS = [
    ("Tillid og konflikt går hånd i hånd, siger hun. " * 2)[:45],
    ("Økonomien fylder: »Hvem betaler for tabletterne?« spørger lægen igen og igen. "
     * 2)[:83],
    ("Risikoen er, at borgeren falder mellem stolene.")[:28],
]
# (start, end, code, coder): see the test for what each arrangement checks.
PLACED = [
    (0, 10, "tillid", "anna"), (5, 15, "konflikt", "anna"),  # overlap
    (20, 30, "tillid", "anna"), (30, 40, "risiko", "anna"),  # touching only
    (50, 60, "tillid", "anna"), (55, 70, "konflikt", "anna"), (65, 80, "tillid", "anna"),
    (90, 100, "konflikt", "bo"),  # alone
    (100, 110, "tillid", "anna"), (105, 115, "tillid", "anna"),  # overlapping duplicates
    (135, 150, "risiko", "anna"),
]


@pytest.fixture
def placed(project, add_doc):
    codebook.load_codebook(project, {"codes": [
        {"name": "tillid", "colour": "#2e7d32"}, {"name": "konflikt", "colour": "#c62828"},
        {"name": "risiko", "colour": "#ef6c00"}, {"name": "økonomi"}]})
    parsed = make_paragraphs([p for p in PARAGRAPHS])
    assert [(s.start, s.end) for s in parsed.segments] == [(0, 45), (47, 130), (132, 160)]
    doc = add_doc(project, parsed, "feltnote_økonomi", kind="field_note")
    for start, end, code, coder in PLACED:
        codings.add_coding(project, doc, start, end, code, coder=coder)
    return doc


def _pair(table, a, b):
    return next(p for p in table.pairs if {p["code_a"], p["code_b"]} == {a, b})


def test_overlap_counts_passages_where_codings_share_characters(project, placed):
    table = cooccurrence(project)
    assert [c.name for c in table.codes] == ["tillid", "konflikt", "risiko"]  # økonomi unused
    pair = _pair(table, "tillid", "konflikt")
    # Passages of tillid or konflikt: [0,15) both, [20,30) tillid, [50,80) both (a chain of
    # three codings is one place), [90,100) konflikt, [100,115) tillid.
    assert (pair["both"], pair["a_only"], pair["b_only"], pair["either"]) == (2, 2, 1, 5)
    assert pair["jaccard"] == pytest.approx(0.4)
    # Codings that only touch (one ends where the other starts) do not co-occur.
    assert all({p["code_a"], p["code_b"]} != {"tillid", "risiko"} for p in table.pairs)
    # The diagonal counts each code's passages, overlapping codings of the code merged.
    assert np.diag(table.counts).tolist() == [5, 3, 2]
    assert table.counts[0, 1] == table.counts[1, 0] == 2
    assert table.jaccard[0, 1] == pytest.approx(0.4)
    assert table.jaccard[0, 2] == 0.0


def test_segment_counts_paragraphs_holding_both_codes(project, placed):
    table = cooccurrence(project, within="segment")
    assert np.diag(table.counts).tolist() == [2, 2, 2]
    trust_conflict = _pair(table, "tillid", "konflikt")
    assert (trust_conflict["both"], trust_conflict["either"]) == (2, 2)
    assert trust_conflict["jaccard"] == pytest.approx(1.0)
    trust_risk = _pair(table, "tillid", "risiko")
    assert (trust_risk["both"], trust_risk["a_only"], trust_risk["b_only"]) == (1, 1, 1)
    assert trust_risk["jaccard"] == pytest.approx(1 / 3)
    assert table.pairs[0]["both"] >= table.pairs[-1]["both"]  # most frequent first


def test_coder_filter_and_named_codes(project, placed):
    table = cooccurrence(project, coders=["anna"])
    pair = _pair(table, "tillid", "konflikt")
    assert (pair["both"], pair["a_only"], pair["b_only"]) == (2, 2, 0)
    named = cooccurrence(project, codes=["konflikt", "økonomi"])
    assert [c.name for c in named.codes] == ["konflikt", "økonomi"]
    assert named.pairs == []
    assert named.counts.tolist() == [[3, 0], [0, 0]]


def test_unknown_within_is_refused(project, placed):
    with pytest.raises(InvalidInput, match="overlap or segment"):
        cooccurrence(project, within="sentence")


def test_cooccurrence_cli_json_csv_and_heatmaps(project, placed, tmp_path):
    runner = CliRunner()
    path = str(project.path)
    result = runner.invoke(main, ["cooccurrence", path])
    assert result.exit_code == 0, result.output
    assert "tillid" in result.output and "0.400" in result.output
    data = json.loads(runner.invoke(main, ["cooccurrence", path, "--within", "segment",
                                           "--json"]).output)
    assert data["within"] == "segment"
    assert data["counts"][0][0] == 2
    png, svg, table = tmp_path / "heat.png", tmp_path / "heat.svg", tmp_path / "pairs.csv"
    result = runner.invoke(main, ["cooccurrence", path, "--plot", str(png), "--csv", str(table)])
    assert result.exit_code == 0, result.output
    assert png.read_bytes().startswith(b"\x89PNG")
    assert table.read_text(encoding="utf-8-sig").splitlines()[0].startswith("code_a,code_b,both")
    result = runner.invoke(main, ["cooccurrence", path, "--plot", str(svg)])
    assert "konflikt" in svg.read_text(encoding="utf-8")


def test_random_codings_match_a_naive_count(project, add_doc):
    """Passages built by joining overlapping codings one pair at a time, with loops."""
    import random
    from itertools import combinations

    from tests.conftest import make_transcript

    rng = random.Random(5)
    names = ["tillid", "konflikt", "risiko", "økonomi"]
    codebook.load_codebook(project, {"codes": [{"name": n} for n in names]})
    placed = []
    for d in range(3):
        turns = [("I" if t % 2 == 0 else "R", "Det handler om tillid og økonomi. " * 3)
                 for t in range(5)]
        doc = add_doc(project, make_transcript(turns), f"doc{d}")
        length = project.conn.execute("SELECT LENGTH(text) FROM documents WHERE id = ?",
                                      (doc,)).fetchone()[0]
        for _ in range(40):
            start = rng.randrange(length - 1)
            end = min(length, start + rng.randint(1, 50))
            code = rng.choice(names)
            try:
                codings.add_coding(project, doc, start, end, code, coder="anna")
                placed.append((doc, start, end, code))
            except Exception:  # the same span twice
                pass
    table = cooccurrence(project)
    for a, b in combinations(names, 2):
        both = a_only = b_only = 0
        for doc in {p[0] for p in placed}:
            items = [(s, e, c) for d, s, e, c in placed if d == doc and c in (a, b)]
            group = list(range(len(items)))

            def find(i, group=group):
                while group[i] != i:
                    i = group[i]
                return i
            for i, j in combinations(range(len(items)), 2):
                if items[i][0] < items[j][1] and items[j][0] < items[i][1]:
                    group[find(i)] = find(j)
            passages = {}
            for i, (_, _, code) in enumerate(items):
                passages.setdefault(find(i), set()).add(code)
            both += sum(1 for codes in passages.values() if codes == {a, b})
            a_only += sum(1 for codes in passages.values() if codes == {a})
            b_only += sum(1 for codes in passages.values() if codes == {b})
        found = [p for p in table.pairs if (p["code_a"], p["code_b"]) == (a, b)]
        if both:
            assert (found[0]["both"], found[0]["a_only"], found[0]["b_only"]) == \
                (both, a_only, b_only)
        else:
            assert not found
