"""The supervisor's HTML report: self-contained, every section present, text escaped."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner

from tests.conftest import make_paragraphs, make_transcript
from workbench.analysis.report import build_report
from workbench.cli import main
from workbench.core import codebook, codings
from workbench.core.spans import find_text

TURNS = [
    ("I", "Hvordan går det med tilliden mellem kommunen og hospitalet?"),
    ("R", "Vi stoler mere på hinanden nu. Men økonomien er stadig en konflikt, og "
          "<script>alert('x')</script> står i referatet."),
]


class _Structure(HTMLParser):
    """Collects the tags, ids and external references of a page."""

    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.ids: set[str] = set()
        self.external: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name == "id":
                self.ids.add(value)
            if name in ("src", "href") and value and not value.startswith("#"):
                self.external.append(value)
            if tag == "link":
                self.external.append(str(attrs))


def _code(project, doc, needle, code, coder):
    text = project.conn.execute("SELECT text FROM documents WHERE id = ?", (doc,)).fetchone()[0]
    start, end = find_text(text, needle)
    codings.add_coding(project, doc, start, end, code, coder=coder)


@pytest.fixture
def reviewed(project, add_doc):
    codebook.load_codebook(project, {"codes": [
        {"name": "tillid", "colour": "#2e7d32"}, {"name": "konflikt", "colour": "#c62828"},
        {"name": "økonomi", "colour": "#6a1b9a"}]})
    d1 = add_doc(project, make_transcript(TURNS), "P01_sundhedschef_c1", participant="P01",
                 sector="municipality", cycle=1, case="Ældreforløb Vest")
    d2 = add_doc(project, make_paragraphs(["Styregruppen talte om tillid og risiko.",
                                           "Der var konflikt om økonomien."]),
                 "feltnote_c2", kind="field_note", cycle=2)
    _code(project, d1, "Vi stoler mere på hinanden nu.", "tillid", "anna")
    _code(project, d1, "økonomien er stadig en konflikt", "konflikt", "anna")
    _code(project, d1, "økonomien", "økonomi", "anna")
    _code(project, d1, "Vi stoler mere på hinanden nu.", "tillid", "bo")
    _code(project, d1, "<script>alert('x')</script>", "konflikt", "bo")
    _code(project, d2, "talte om tillid", "tillid", "anna")
    _code(project, d2, "konflikt om økonomien", "konflikt", "bo")
    return project


def test_report_has_every_section_inline_and_no_external_files(reviewed):
    page = build_report(reviewed)
    parser = _Structure()
    parser.feed(page)
    assert {"overview", "codes", "sector", "cycle", "coverage", "cooccurrence",
            "agreement"} <= parser.ids
    assert parser.external == []  # one file: nothing to fetch
    assert parser.tags.count("svg") >= 5  # bars by code, sector, cycle, coverage, heatmap, κ
    assert "<style>" in page and 'charset="utf-8"' in page
    assert "økonomi" in page


def test_report_numbers_match_the_analysis(reviewed):
    page = build_report(reviewed)
    text = re.sub(r"<[^>]+>", " ", page)
    assert re.search(r"Codings\s+7\b", text)
    assert re.search(r"Coders\s+2 \(anna, bo\)", text)
    # The agreement block shows the 2x2 table for anna and bo with Cohen's kappa.
    assert "anna · bo" in page
    assert "Cohen" in page and "Krippendorff" in page and "both yes" in page


def test_document_text_is_escaped(reviewed):
    page = build_report(reviewed)
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page


def test_report_on_a_project_without_codings(project, add_doc):
    add_doc(project, make_paragraphs(["Et afsnit uden kodning."]), "tom")
    page = build_report(project)
    assert "No two coders have coded the same document yet." in page


def test_report_cli_writes_the_file(reviewed, tmp_path):
    out = tmp_path / "rapport æøå.html"
    runner = CliRunner()
    result = runner.invoke(main, ["report", str(reviewed.path), "--out", str(out),
                                  "--unit", "segment", "--title", "Gennemgang af kodning"])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "<title>Gennemgang af kodning</title>" in page
    assert "Unit: segment" in page
    result = runner.invoke(main, ["report", str(reviewed.path), "--out",
                                  str(tmp_path / "report.pdf")])
    assert result.exit_code == 1 and ".html" in result.output


def test_inline_charts_are_well_formed_svg(reviewed):
    from lxml import etree

    page = build_report(reviewed)
    charts = re.findall(r"<svg.*?</svg>", page, flags=re.S)
    assert len(charts) >= 5
    for chart in charts:
        root = etree.fromstring(chart.encode("utf-8"))
        assert root.tag.endswith("svg")
        assert "<metadata>" not in chart
