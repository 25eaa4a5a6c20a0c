"""Quote sets for papers: citations, filters, and every output format.

``build_sample`` makes the hand-built project the quote, pseudonymisation and REFI-QDA tests
share: two interviews and a field note in Danish, two coders, personal data as tagging would
have found it, and memos of every kind.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.cli import main
from workbench.core import codebook, codings, memos
from workbench.core.documents import DocumentMeta, add_document
from workbench.core.store import Project
from workbench.errors import InvalidInput, NotFoundError
from workbench.exporters import citations
from workbench.exporters.quotes import COLUMNS, Layout, build_quote_set, write_quote_set
from workbench.importers.registry import read_bytes

INTERVIEW_P03 = (
    "I: Hvordan er samarbejdet med kommunen?\n\n"
    "Mette Jensen: Vi har „tillid“ til Herning Kommune, men der er også konflikt om "
    "økonomien – 100 % & #1 {x} \\ ~ ^ _ $ – og Mettes kalender er fuld. Skriv til "
    "mette.jensen@herning.dk eller ring 20 30 40 50.\n\n"
    "I: Hvad med visionen?\n\n"
    "Mette Jensen: Visionen er »fælles ansvar« for de ældre 😀 i hele kommunen.\n")
INTERVIEW_P05 = (
    "Forsker: Hvad betyder det for dig?\n\n"
    "Birthe Lund: Jeg stoler på hjemmeplejen, men jeg er bange for konflikter med lægen. "
    "Mit CPR-nummer 010203-1234 står på alle papirer, og Karen Holm fra kommunen ringer "
    "fra 22334455.\n\n"
    "Forsker: Hvem hjælper dig så?\n\n"
    "Birthe Lund: Min datter, og sygeplejersken fra kommunen.\n")
FIELD_NOTE = ("Styregruppen diskuterede tillid og konflikt åbent; Karen Holm skrev referat.\n\n"
              "En aftale om fælles visitation blev indgået.\n")

# What tagging found (table personal_data): kind, surface.
PERSONAL_DATA = [("email", "mette.jensen@herning.dk"), ("phone", "20 30 40 50"),
                 ("cpr", "010203-1234"), ("name", "Karen Holm"), ("phone", "22334455")]
ORIGINALS = ["Mette Jensen", "Mette", "Jensen", "Birthe Lund", "Birthe", "Karen Holm",
             "mette.jensen@herning.dk", "20 30 40 50", "010203-1234", "22334455"]


def _store(project: Project, text: str, name: str, **meta) -> int:
    parsed = read_bytes(text.encode("utf-8"), f"{name}.txt")
    return add_document(project, parsed, source_name=f"{name}.txt", source_path="",
                        sha256=f"sha-{name}", meta=DocumentMeta(name=name, **meta))


def code_phrase(project: Project, doc_id: int, phrase: str, code: str, *,
                coder: str = "anna", memo: str = "") -> int:
    """Code the first occurrence of ``phrase`` in a document."""
    text = project.conn.execute("SELECT text FROM documents WHERE id = ?",
                                (doc_id,)).fetchone()[0]
    start = text.index(phrase)
    return codings.add_coding(project, doc_id, start, start + len(phrase), code,
                              coder=coder, memo=memo)


def build_sample(project: Project) -> dict[str, int]:
    """Fill ``project`` with the shared sample; returns the document ids by name."""
    codebook.add_code(project, "trust", label_da="tillid", colour="#2e7d32",
                      definition="Udsagn om tillid mellem parter.", indicators=["tillid"])
    codebook.add_code(project, "conflict", label_da="konflikt", colour="#c62828")
    codebook.add_code(project, "economy", parent="conflict", label_da="økonomi")
    codebook.add_code(project, "vision", label_da="vision")
    docs = {
        "Interview P03": _store(
            project, INTERVIEW_P03, "Interview P03", participant="P03",
            real_name="Mette Jensen", role="ledende overlæge",
            organisation="Hospitalsenheden Vest", sector="hospital", case="Ældreforløb Vest",
            cycle=2, date="2025-05-06", kind="interview", speakers={"Mette Jensen": "P03"}),
        "Interview P05": _store(
            project, INTERVIEW_P05, "Interview P05", participant="P05", role="borger",
            sector="citizen", case="Ældreforløb Vest", cycle=1, date="2025-03-02",
            kind="interview", speakers={"Birthe Lund": "P05"}),
        "Feltnote styregruppe": _store(
            project, FIELD_NOTE, "Feltnote styregruppe", case="Ældreforløb Vest", cycle=2,
            kind="field_note", attributes={"author": "aktionsforskeren"}),
    }
    p03, p05, note = docs.values()
    trust_p03 = code_phrase(project, p03, "Vi har „tillid“ til Herning Kommune, men der er "
                            "også konflikt", "trust", memo="Tillid trods konflikt.")
    code_phrase(project, p03, "men der er også konflikt om økonomien – 100 % & #1 {x} \\ ~ ^ _ "
                "$ – og Mettes kalender er fuld. Skriv til mette.jensen@herning.dk eller "
                "ring 20 30 40 50.", "economy")
    code_phrase(project, p03, "Visionen er »fælles ansvar« for de ældre 😀 i hele kommunen.",
                "vision")
    code_phrase(project, p03, "Vi har „tillid“ til Herning Kommune", "trust", coder="bo")
    code_phrase(project, p05, "Jeg stoler på hjemmeplejen", "trust")
    code_phrase(project, p05, "men jeg er bange for konflikter med lægen. Mit CPR-nummer "
                "010203-1234 står på alle papirer, og Karen Holm fra kommunen ringer fra "
                "22334455.", "conflict")
    code_phrase(project, note, "Styregruppen diskuterede tillid og konflikt åbent", "trust")
    code_phrase(project, note, "Styregruppen diskuterede tillid og konflikt åbent", "conflict")
    for doc_id in (p03, p05, note):
        text = project.conn.execute("SELECT text FROM documents WHERE id = ?",
                                    (doc_id,)).fetchone()[0]
        for kind, surface in PERSONAL_DATA:
            if surface in text:
                start = text.index(surface)
                project.conn.execute(
                    'INSERT INTO personal_data (guid, document_id, start, "end", kind, surface) '
                    "VALUES (lower(hex(randomblob(16))), ?, ?, ?, ?, ?)",
                    (doc_id, start, start + len(surface), kind, surface))
    memos.add_memo(project, "Partnerskabet bygger på tillid.", title="Projektnoter")
    memos.add_memo(project, "Koden bruges om tillid på tværs.", target_type="code",
                   target="trust")
    memos.add_memo(project, "Interviewet foregik på Gødstrup.", target_type="document",
                   target="Interview P03")
    memos.add_memo(project, "Vigtig passage.", target_type="coding", target=trust_p03)
    memos.add_memo(project, "P05 vil læse sine citater.", kind="member_check",
                   target_type="participant", target="P05")
    memos.add_memo(project, "Cyklus 2 handlede om økonomien.", kind="reflection",
                   target_type="cycle", target=2)
    return docs


@pytest.fixture
def sample(project):
    """The project with the shared sample in it."""
    build_sample(project)
    return project


# ------------------------------------------------------------------------- citations


def test_default_citation_renders_like_a_paper_wants():
    values = {"label": "P03", "role": "ledende overlæge", "sector": "hospital", "cycle": 2}
    assert citations.render(citations.DEFAULT_TEMPLATE, values) == \
        "(P03, ledende overlæge, hospital, cycle 2)"


@pytest.mark.parametrize(("values", "expected"), [
    ({"role": "borger", "sector": "citizen", "cycle": 1}, "(borger, citizen, cycle 1)"),
    ({"label": "P03", "sector": "hospital"}, "(P03, hospital)"),
    ({"label": "P03", "role": "", "sector": None, "cycle": 2}, "(P03, cycle 2)"),
    ({"cycle": 2}, "(cycle 2)"),
    ({}, ""),
])
def test_missing_citation_fields_drop_out_without_stray_commas(values, expected):
    assert citations.render(citations.DEFAULT_TEMPLATE, values) == expected


def test_citation_groups_and_separators():
    template = "{label} ({organisation}; {date}) – {document}"
    assert citations.render(template, {"label": "P1", "date": "2025-01-02",
                                       "document": "D"}) == "P1 (2025-01-02) – D"
    assert citations.render(template, {"label": "P1"}) == "P1"
    assert citations.render("[{case}] {speaker}", {"speaker": "P05"}) == "P05"


def test_unknown_citation_field_is_refused():
    with pytest.raises(InvalidInput, match="navn.*not a citation field"):
        citations.parse_template("({navn})")


# ------------------------------------------------------------------------- quote sets


def test_quote_set_cites_each_quote_with_codes_and_position(sample):
    quote_set = build_quote_set(sample, "trust AND conflict")
    by_doc = {q.document: q for q in quote_set.quotes}
    assert set(by_doc) == {"Interview P03", "Feltnote styregruppe"}
    p03 = by_doc["Interview P03"]
    assert p03.citation == "(P03, ledende overlæge, hospital, cycle 2)"
    assert p03.text.startswith("Vi har „tillid“ til Herning Kommune, men")
    assert p03.text.endswith("ring 20 30 40 50.")  # the overlapping codings, merged
    assert set(p03.codes) == {"trust", "economy"}
    assert p03.group == "trust + economy"
    text = sample.conn.execute("SELECT text FROM documents WHERE name = 'Interview P03'"
                               ).fetchone()[0]
    assert text[p03.start:p03.end] == p03.text
    note = by_doc["Feltnote styregruppe"]
    assert note.citation == "(cycle 2)"  # no participant: only the cycle is left


def test_filters_narrow_the_quotes(sample):
    assert {q.document for q in build_quote_set(sample, "trust", sector="citizen").quotes} \
        == {"Interview P05"}
    assert {q.cycle for q in build_quote_set(sample, "trust", cycle=2).quotes} == {2}
    by_bo = build_quote_set(sample, "trust", coder="bo").quotes
    assert [q.document for q in by_bo] == ["Interview P03"]
    assert build_quote_set(sample, "trust", role="overlæge").quotes[0].label == "P03"
    with pytest.raises(NotFoundError):
        build_quote_set(sample, "tillid", coder="nobody")
    # In the same turn (not overlapping): P05's trust and conflict sentences make one quote.
    same_turn = build_quote_set(sample, "trust AND conflict", within="segment")
    p05 = next(q for q in same_turn.quotes if q.label == "P05")
    assert p05.text.startswith("Jeg stoler på hjemmeplejen, men") and p05.speaker == \
        "Birthe Lund"


def test_citation_template_comes_from_the_project_setting(sample):
    sample.set_setting(citations.SETTING, "{label}, {organisation}")
    quote = build_quote_set(sample, "vision").quotes[0]
    assert quote.citation == "P03, Hospitalsenheden Vest"
    quote = build_quote_set(sample, "vision", template="[{document}, {date}]").quotes[0]
    assert quote.citation == "[Interview P03, 2025-05-06]"


def test_context_is_cut_at_words_and_optional(sample):
    plain = build_quote_set(sample, "vision").quotes[0]
    assert plain.before == plain.after == ""
    quote = build_quote_set(sample, "vision", context=30).quotes[0]
    assert quote.before == "med visionen?\n\nMette Jensen: " and quote.more_before


# ------------------------------------------------------------------------- formats


def _write(quote_set, path: Path, **layout) -> Path:
    write_quote_set(quote_set, path, layout=Layout(**layout))
    return path


def test_markdown_blockquotes_grouped_by_code(sample, tmp_path):
    quote_set = build_quote_set(sample, "trust OR vision OR conflict", context=20)
    text = _write(quote_set, tmp_path / "q.md").read_text("utf-8")
    headings = re.findall(r"^## (.+)$", text, re.MULTILINE)
    # Single codes first, then combinations; a sub-code (economy) shows as itself.
    assert headings == ["vision", "trust", "conflict", "trust + conflict", "trust + economy"]
    assert "> Vi har „tillid“ til Herning Kommune, men" in text
    assert "> — (P03, ledende overlæge, hospital, cycle 2)" in text
    assert "Codes: trust, economy · Interview P03" in text
    assert "Context:" in text
    flat = _write(quote_set, tmp_path / "flat.md", group_by="document").read_text("utf-8")
    assert "## " not in flat and flat.count("> — (") == 5


def test_markdown_escapes_markup(sample, tmp_path):
    from workbench.exporters.quote_markdown import escape

    text = _write(build_quote_set(sample, "economy"), tmp_path / "q.md").read_text("utf-8")
    assert r"\_ $" in text and r"{x} \\ ~" in text
    assert escape("2025. april\n# ikke en overskrift\n- ikke en liste") == \
        "2025\\. april\n\\# ikke en overskrift\n\\- ikke en liste"


def _latex_body(text: str) -> str:
    """The LaTeX with every escape and command removed: no special character may be left."""
    for command in (r"\textbackslash{}", r"\textasciicircum{}", r"\textasciitilde{}",
                    r"\textquotedbl{}", r"\textless{}", r"\textgreater{}", r"\textbar{}"):
        text = text.replace(command, "")
    text = re.sub(r"\\[{}$&#_%]", "", text)
    text = re.sub(r"\\[a-zA-Z]+\*?", "", text)
    return re.sub(r"^%.*$", "", text, flags=re.MULTILINE)


def test_latex_escapes_specials_and_balances_environments(sample, tmp_path):
    tex = _write(build_quote_set(sample, "economy OR vision"), tmp_path / "q.tex"
                 ).read_text("utf-8")
    opened = re.findall(r"\\(begin|end)\{(\w+)\}", tex)
    depth = 0
    for which, _ in opened:
        depth += 1 if which == "begin" else -1
        assert depth in (0, 1)
    assert depth == 0 and tex.count(r"\begin{quote}") == 2
    for escape in (r"100 \% \& \#1 \{x\} \textbackslash{} \textasciitilde{} "
                   r"\textasciicircum{} \_ \$"):
        assert escape in tex
    assert "„tillid“" not in tex  # that quote is not in this set
    assert "»fælles ansvar«" in tex and "ældre" in tex
    body = _latex_body(tex)
    assert not re.search(r"[$&#^_%~\\]", body)
    assert body.count("{") == body.count("}")


def test_latex_standalone_has_danish_preamble(sample, tmp_path):
    tex = _write(build_quote_set(sample, "trust"), tmp_path / "q.tex", standalone=True
                 ).read_text("utf-8")
    assert tex.startswith(r"\documentclass")
    for package in (r"\usepackage[utf8]{inputenc}", r"\usepackage[T1]{fontenc}",
                    r"\usepackage[danish]{babel}"):
        assert package in tex
    assert tex.rstrip().endswith(r"\end{document}")
    assert "„tillid“" in tex


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="no TeX engine installed")
def test_latex_compiles(sample, tmp_path):
    _write(build_quote_set(sample, "trust OR conflict OR vision", context=40),
           tmp_path / "q.tex", standalone=True)
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "q.tex"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-2000:]
    assert (tmp_path / "q.pdf").stat().st_size > 1000


def test_docx_has_a_heading_per_code_and_quote_style(sample, tmp_path):
    import docx

    path = _write(build_quote_set(sample, "trust OR conflict"), tmp_path / "q.docx")
    document = docx.Document(str(path))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["trust", "conflict", "trust + conflict", "trust + economy"]
    quoted = [p.text for p in document.paragraphs if p.style.name == "Quote"]
    assert any(q.startswith("Vi har „tillid“ til Herning Kommune, men") for q in quoted)
    assert "— (P03, ledende overlæge, hospital, cycle 2)" in quoted
    assert "— (P05, borger, citizen, cycle 1)" in quoted


@pytest.mark.slow
@pytest.mark.skipif(not (shutil.which("libreoffice") or shutil.which("soffice")),
                    reason="LibreOffice is not installed")
def test_docx_opens_in_libreoffice(sample, tmp_path):
    _write(build_quote_set(sample, "trust"), tmp_path / "q.docx")
    office = shutil.which("libreoffice") or shutil.which("soffice")
    run = subprocess.run([office, f"-env:UserInstallation=file://{tmp_path}/lo", "--headless",
                          "--convert-to", "pdf", "--outdir", str(tmp_path),
                          str(tmp_path / "q.docx")],
                         capture_output=True, text=True, timeout=180)
    pdf = tmp_path / "q.pdf"
    assert pdf.exists(), run.stderr
    from pypdf import PdfReader

    text = " ".join(page.extract_text() for page in PdfReader(str(pdf)).pages)
    assert "Herning Kommune" in text and "ledende overlæge" in text


def test_csv_has_bom_one_row_per_quote_and_formula_guard(sample, tmp_path):
    sample.set_setting(citations.SETTING, "-{label}")
    path = _write(build_quote_set(sample, "trust"), tmp_path / "q.csv", group_by="document")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines(keepends=True)))
    assert list(rows[0]) == list(COLUMNS)
    assert len(rows) == 3
    first = rows[0]
    assert first["quote"] == "Styregruppen diskuterede tillid og konflikt åbent"
    assert first["codes"] == "trust; conflict"  # every code on the span, not only the query's
    by_label = {r["label"]: r for r in rows}
    assert by_label["P03"]["organisation"] == "Hospitalsenheden Vest"
    assert by_label["P03"]["citation"] == "'-P03"  # Excel would take '-P03' for a formula


def test_xlsx_has_bold_header_widths_and_text_cells(sample, tmp_path):
    from openpyxl import load_workbook

    sample.set_setting(citations.SETTING, "={label}")
    path = _write(build_quote_set(sample, "trust"), tmp_path / "q.xlsx")
    sheet = load_workbook(path).active
    header = [c.value for c in sheet[1]]
    assert header == list(COLUMNS)
    assert all(c.font.bold for c in sheet[1])
    assert sheet.column_dimensions["B"].width == 80
    assert sheet.max_row == 4
    citations_col = header.index("citation") + 1
    cells = [sheet.cell(row=r, column=citations_col) for r in range(2, 5)]
    assert "f" not in {c.data_type for c in cells}  # text, never a formula
    assert "=P03" in {c.value for c in cells}


def test_json_holds_the_query_and_every_quote(sample, tmp_path):
    path = _write(build_quote_set(sample, "trust", sector="hospital"), tmp_path / "q.json")
    data = json.loads(path.read_text("utf-8"))
    assert data["query"] == "trust" and data["filters"] == {"sector": "hospital"}
    assert data["count"] == len(data["quotes"]) == 1
    assert data["quotes"][0]["text"] == ("Vi har „tillid“ til Herning Kommune, men der er "
                                         "også konflikt")


def test_format_follows_the_extension_or_is_refused(sample, tmp_path):
    quote_set = build_quote_set(sample, "vision")
    assert write_quote_set(quote_set, tmp_path / "a.markdown") == "md"
    assert write_quote_set(quote_set, tmp_path / "a.txt", format_name="json") == "json"
    with pytest.raises(InvalidInput, match="give --format"):
        write_quote_set(quote_set, tmp_path / "a.pdf")
    with pytest.raises(InvalidInput, match="does not exist"):
        write_quote_set(quote_set, tmp_path / "missing" / "a.md")


# ------------------------------------------------------------------------- CLI


def test_cli_quotes_and_citation(sample, tmp_path):
    path = str(sample.path)
    runner = CliRunner()
    result = runner.invoke(main, ["citation", path, "{label} ({role})"])
    assert result.exit_code == 0, result.output
    assert "Example:" in result.output and "{speaker}" in result.output
    out = tmp_path / "q.md"
    result = runner.invoke(main, ["quotes", path, "--query", "trust AND conflict",
                                  "--sector", "hospital", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Wrote 1 quote to" in result.output
    assert "— P03 (ledende overlæge)" in out.read_text("utf-8")
    result = runner.invoke(main, ["quotes", path, "-q", "trust", "--out",
                                  str(tmp_path / "q.odt")])
    assert result.exit_code == 1 and "give --format" in result.output
    result = runner.invoke(main, ["citation", path, "--reset"])
    assert citations.DEFAULT_TEMPLATE in result.output


def test_written_files_are_utf8_with_danish_letters(sample, tmp_path):
    quote_set = build_quote_set(sample, "vision")
    for name in ("q.md", "q.tex", "q.json"):
        assert "»fælles ansvar« for de ældre" in _write(quote_set, tmp_path / name).read_text(
            "utf-8")
    with zipfile.ZipFile(_write(quote_set, tmp_path / "q.docx")) as archive:
        assert "ældre" in archive.read("word/document.xml").decode("utf-8")
