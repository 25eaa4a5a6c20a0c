"""Code frequencies and coverage on a hand-built project whose counts are known."""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner

from tests.conftest import make_paragraphs, make_transcript
from workbench.analysis.frequencies import document_coverage, frequencies, overview
from workbench.cli import main
from workbench.core import codebook, codings
from workbench.core.spans import find_text
from workbench.errors import InvalidInput, NotFoundError

P01_TURNS = [
    ("I", "Hvordan går samarbejdet med hospitalet?"),
    ("R", "Vi har fået tillid til hinanden. Men økonomien er en konflikt."),
    ("I", "Er der en risiko?"),
    ("R", "Ja, risikoen er, at borgeren falder mellem to stole."),
]
P02_TURNS = [
    ("I", "Hvad tænker du om kommunen?"),
    ("R", "Jeg stoler på dem, men der er uenighed om økonomien. ”Det er en konflikt,” "
          "siger de."),
]
NOTE = ["Mødet i styregruppen var præget af tillid.", "Der var konflikt om ressourcerne."]


def _code(project, doc_id, needle, code, coder, nth=1):
    text = project.conn.execute("SELECT text FROM documents WHERE id = ?",
                                (doc_id,)).fetchone()[0]
    start, end = find_text(text, needle, nth)
    return codings.add_coding(project, doc_id, start, end, code, coder=coder)


@pytest.fixture
def review(project, add_doc):
    """Three documents, two coders; see the module constants for the text."""
    codebook.load_codebook(project, {"codes": [
        {"name": "tillid", "label_en": "trust", "colour": "#2e7d32",
         "children": [{"name": "tillid mellem ledere"}]},
        {"name": "konflikt", "label_en": "conflict", "colour": "#c62828"},
        {"name": "risiko", "label_en": "risk", "colour": "#ef6c00"},
        {"name": "økonomi", "colour": "#6a1b9a"},
    ]})
    d1 = add_doc(project, make_transcript(P01_TURNS), "P01_sundhedschef_c1", participant="P01",
                 role="sundhedschef", sector="municipality", case="Ældreforløb Vest", cycle=1)
    d2 = add_doc(project, make_transcript(P02_TURNS), "P02_overlæge_c2", participant="P02",
                 role="ledende overlæge", sector="hospital", case="Ældreforløb Vest", cycle=2)
    d3 = add_doc(project, make_paragraphs(NOTE), "feltnote_c2", kind="field_note",
                 case="Ung Trivsel", cycle=2)
    # anna: two overlapping codings of tillid in the same sentence (must count once in
    # coverage), a risiko in the interviewer's turn, and codings in every document.
    _code(project, d1, "tillid til hinanden", "tillid", "anna")
    _code(project, d1, "Vi har fået tillid til hinanden.", "tillid", "anna")
    _code(project, d1, "økonomien er en konflikt", "konflikt", "anna")
    _code(project, d1, "Er der en risiko?", "risiko", "anna")
    _code(project, d2, "Jeg stoler på dem", "tillid", "anna")
    _code(project, d2, "uenighed om økonomien", "konflikt", "anna")
    _code(project, d3, "præget af tillid", "tillid mellem ledere", "anna")
    # bo
    _code(project, d1, "tillid til hinanden", "tillid", "bo")
    _code(project, d1, "risikoen er, at borgeren falder", "risiko", "bo")
    _code(project, d2, "”Det er en konflikt,”", "konflikt", "bo")
    return {"d1": d1, "d2": d2, "d3": d3}


def _texts(project):
    return dict(project.conn.execute("SELECT name, text FROM documents").fetchall())


def _row(table, code, **dims):
    found = [r for r in table.rows
             if r["code"] == code and all(r[k] == v for k, v in dims.items())]
    assert len(found) == 1, (code, dims, found)
    return found[0]


def test_counts_per_code_with_overlaps_counted_once(project, review):
    table = frequencies(project)
    total = sum(len(t) for t in _texts(project).values())
    trust = _row(table, "tillid")
    assert (trust["codings"], trust["documents"], trust["participants"]) == (4, 2, 2)
    # The two overlapping codings of anna cover "Vi har fået tillid til hinanden." (32
    # characters) once; bo's coding lies inside it; plus "Jeg stoler på dem" (17).
    assert trust["coded_characters"] == 32 + 17
    assert trust["characters"] == total
    assert trust["coverage"] == pytest.approx(49 / total)
    risk = _row(table, "risiko")
    # anna's risiko is in the interviewer's turn: no participant; bo's belongs to P01.
    assert (risk["codings"], risk["documents"], risk["participants"]) == (2, 1, 1)
    assert _row(table, "økonomi")["codings"] == 0
    assert [c.name for c in table.codes] == ["tillid", "tillid mellem ledere", "konflikt",
                                             "risiko", "økonomi"]


def test_subcodes_roll_up_into_their_parent(project, review):
    table = frequencies(project, subcodes=True)
    trust = _row(table, "tillid")
    assert (trust["codings"], trust["documents"]) == (5, 3)
    assert trust["coded_characters"] == 32 + 17 + len("præget af tillid")
    assert _row(table, "tillid mellem ledere")["codings"] == 1


def test_by_sector_uses_the_speaker_turn_and_its_text(project, review):
    table = frequencies(project, by="sector")
    texts = _texts(project)
    p01_turns = len(P01_TURNS[1][1]) + len(P01_TURNS[3][1])
    # Text outside speaker turns (the blank lines between turns) is the document's
    # participant's: three gaps of two characters in P01's interview.
    assert _row(table, "risiko", sector="municipality")["characters"] == p01_turns + 6
    risk_none = _row(table, "risiko", sector=None)
    interviewer = sum(len(s) for sp, s in P01_TURNS + P02_TURNS if sp == "I")
    assert risk_none["characters"] == interviewer + len(texts["feltnote_c2"])
    assert risk_none["codings"] == 1
    assert risk_none["coded_characters"] == len("Er der en risiko?")
    assert _row(table, "risiko", sector="municipality")["codings"] == 1
    assert _row(table, "konflikt", sector="hospital")["codings"] == 2
    assert _row(table, "konflikt", sector="hospital")["participants"] == 1


def test_crossed_breakdown_gives_one_row_per_code_and_combination(project, review):
    table = frequencies(project, by="sector,cycle")
    combos = {(r["sector"], r["cycle"]) for r in table.rows if r["code"] == "konflikt"}
    assert combos == {("municipality", 1), ("hospital", 2), (None, 1), (None, 2)}
    assert len(table.rows) == 5 * len(combos)
    assert _row(table, "konflikt", sector="municipality", cycle=1)["codings"] == 1
    assert _row(table, "konflikt", sector="hospital", cycle=2)["codings"] == 2
    # Every character belongs to exactly one group.
    total = sum(len(t) for t in _texts(project).values())
    assert sum(r["characters"] for r in table.rows if r["code"] == "tillid") == total


def test_by_coder_limits_the_text_to_the_documents_each_coder_coded(project, review):
    table = frequencies(project, by="coder")
    texts = _texts(project)
    assert _row(table, "tillid", coder="bo")["characters"] == \
        len(texts["P01_sundhedschef_c1"]) + len(texts["P02_overlæge_c2"])
    assert _row(table, "tillid", coder="anna")["characters"] == sum(map(len, texts.values()))
    assert _row(table, "tillid", coder="bo")["coded_characters"] == len("tillid til hinanden")
    assert _row(table, "tillid", coder="anna")["codings"] == 3


def test_by_document_case_participant_and_role(project, review):
    by_doc = frequencies(project, by="document")
    assert _row(by_doc, "konflikt", document="P02_overlæge_c2")["codings"] == 2
    assert _row(by_doc, "tillid mellem ledere", document="feltnote_c2")["coverage"] == \
        pytest.approx(len("præget af tillid") / len(_texts(project)["feltnote_c2"]))
    by_case = frequencies(project, by="case")
    assert _row(by_case, "tillid", case="Ældreforløb Vest")["documents"] == 2
    by_role = frequencies(project, by="role")
    assert _row(by_role, "tillid", role="ledende overlæge")["codings"] == 1
    by_person = frequencies(project, by="participant")
    assert _row(by_person, "risiko", participant="P01")["codings"] == 1


def test_filters_by_code_and_coder(project, review):
    table = frequencies(project, codes=["trust", "risiko"], coders=["bo"])
    assert [c.name for c in table.codes] == ["tillid", "risiko"]
    assert _row(table, "tillid")["codings"] == 1
    assert _row(table, "risiko")["codings"] == 1


def test_bad_input_gets_one_clear_sentence(project, review):
    with pytest.raises(InvalidInput, match="not a breakdown"):
        frequencies(project, by="sektor")
    with pytest.raises(NotFoundError, match="Did you mean 'tillid'"):
        frequencies(project, codes=["tilid"])
    with pytest.raises(NotFoundError, match="Coder 'carl' has no codings"):
        frequencies(project, coders=["carl"])


def test_overview_and_document_coverage(project, review):
    data = overview(project)
    assert (data["documents"], data["codings"], data["coders"], data["codes"]) == (3, 10, 2, 5)
    rows = {r["document"]: r for r in document_coverage(project)}
    note = rows["feltnote_c2"]
    assert note["codings"] == 1 and note["coders"] == ["anna"]
    assert note["coverage"] == pytest.approx(16 / len(_texts(project)["feltnote_c2"]))


def test_stats_cli_table_json_csv_xlsx_and_plot(project, review, tmp_path):
    from openpyxl import load_workbook

    path = str(project.path)
    runner = CliRunner()
    result = runner.invoke(main, ["stats", path, "--by", "sector,cycle", "--skip-empty"])
    assert result.exit_code == 0, result.output
    assert "municipality" in result.output and "konflikt" in result.output
    result = runner.invoke(main, ["stats", path, "--by", "sector", "--json"])
    data = json.loads(result.output)
    assert data["by"] == ["sector"]
    assert {"code": "risiko", "sector": "municipality"}.items() <= next(
        r for r in data["rows"] if r["code"] == "risiko" and r["sector"] == "municipality"
    ).items()
    csv_file, xlsx_file = tmp_path / "stats.csv", tmp_path / "stats.xlsx"
    png, svg = tmp_path / "stats.png", tmp_path / "stats.svg"
    result = runner.invoke(main, ["stats", path, "--by", "cycle", "--csv", str(csv_file),
                                  "--xlsx", str(xlsx_file), "--plot", str(png)])
    assert result.exit_code == 0, result.output
    raw = csv_file.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel needs the BOM to read æ, ø, å
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0].keys() >= {"code", "cycle", "codings", "coverage"}
    assert any(r["code"] == "økonomi" for r in rows)
    sheet = load_workbook(xlsx_file).active
    assert sheet["A1"].value == "code" and sheet["B1"].value == "cycle"
    assert png.read_bytes().startswith(b"\x89PNG")
    result = runner.invoke(main, ["stats", path, "--plot", str(svg), "--measure", "coverage"])
    assert result.exit_code == 0, result.output
    drawn = svg.read_text(encoding="utf-8")
    assert "tillid mellem ledere" in drawn  # labels stay text, Danish letters and all
    assert "coverage (% of the group" in drawn


def test_stats_cli_rejects_bad_file_names(project, review, tmp_path):
    result = CliRunner().invoke(main, ["stats", str(project.path), "--plot",
                                       str(tmp_path / "chart.jpg")])
    assert result.exit_code == 1
    assert ".png or .svg" in result.output


def test_random_codings_match_a_naive_count(project, add_doc):
    """Counts and coverage by sector and coder against per-character loops."""
    import random

    rng = random.Random(3)
    names = ["tillid", "konflikt", "risiko"]
    codebook.load_codebook(project, {"codes": [{"name": n} for n in names]})
    sectors = ["municipality", "region", "hospital"]
    for d in range(4):
        turns = [("I" if t % 2 == 0 else "R", "Vi taler om tillid, risiko og økonomi. " * 2)
                 for t in range(6)]
        doc = add_doc(project, make_transcript(turns), f"doc{d}", participant=f"P{d}",
                      sector=sectors[d % 3], cycle=1 + d % 2)
        length = project.conn.execute("SELECT LENGTH(text) FROM documents WHERE id = ?",
                                      (doc,)).fetchone()[0]
        for _ in range(30):
            start = rng.randrange(length - 1)
            end = min(length, start + rng.randint(1, 60))
            try:
                codings.add_coding(project, doc, start, end, rng.choice(names),
                                   coder=rng.choice(["anna", "bo"]))
            except Exception:  # the same span twice
                pass
    # Naive: the sector of every character and of every coding's start.
    sector_of: dict[tuple[int, int], str | None] = {}
    for doc_id, length, owner in project.conn.execute(
            "SELECT d.id, LENGTH(d.text), p.sector FROM documents d "
            "JOIN participants p ON p.id = d.participant_id"):
        turns = project.conn.execute(
            'SELECT s.start, s."end", p.sector FROM segments s '
            "LEFT JOIN participants p ON p.id = s.participant_id WHERE document_id = ?",
            (doc_id,)).fetchall()
        for i in range(length):
            inside = [sector for s, e, sector in turns if s <= i < e]
            sector_of[(doc_id, i)] = inside[0] if inside else owner
    rows = project.conn.execute(
        'SELECT k.document_id, k.start, k."end", c.name, k.coder FROM codings k '
        "JOIN codes c ON c.id = k.code_id").fetchall()
    table = frequencies(project, by="sector,coder")
    for row in table.rows:
        mine = [r for r in rows if r[3] == row["code"] and r[4] == row["coder"]
                and sector_of[(r[0], r[1])] == row["sector"]]
        assert row["codings"] == len(mine)
        assert row["documents"] == len({r[0] for r in mine})
        coder_docs = {r[0] for r in rows if r[4] == row["coder"]}
        chars = [key for key, sector in sector_of.items()
                 if sector == row["sector"] and key[0] in coder_docs]
        covered = {(r[0], i) for r in rows if r[3] == row["code"] and r[4] == row["coder"]
                   for i in range(r[1], r[2])}
        assert row["characters"] == len(chars)
        assert row["coded_characters"] == len(covered & set(chars))
