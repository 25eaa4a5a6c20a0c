"""A self-contained HTML report for supervisors: one file, inline CSS, charts as inline SVG.

Sections: overview, frequencies by code, by sector, by cycle, coverage per document,
co-occurrence, and intercoder agreement when two or more coders coded the same documents.
Every figure comes with the counts it is computed from and a sentence saying how.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from itertools import combinations
from pathlib import Path
from typing import Any

from workbench.analysis import charts
from workbench.analysis.agreement import AgreementReport, agreement
from workbench.analysis.cooccurrence import cooccurrence
from workbench.analysis.frequencies import (
    FrequencyTable,
    document_coverage,
    frequencies,
    overview,
)
from workbench.core.store import Project
from workbench.errors import InvalidInput, WorkbenchError

MAX_DISAGREEMENTS = 40  # per coder pair in the report; the CLI lists them all

CSS = """
body { font-family: "DejaVu Sans", "Segoe UI", Helvetica, Arial, sans-serif; color: #222;
       max-width: 70rem; margin: 2rem auto; padding: 0 1.5rem; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.25rem; border-bottom: 2px solid #ddd; padding-bottom: .2rem;
     margin-top: 2.4rem; }
h3 { font-size: 1.05rem; margin-top: 1.6rem; }
p.meta, p.how { color: #555; font-size: .9rem; }
table { border-collapse: collapse; margin: .6rem 0 1rem; font-size: .88rem; }
th, td { border-bottom: 1px solid #e3e3e3; padding: .25rem .6rem; text-align: left;
         vertical-align: top; }
th { background: #f4f4f4; font-weight: 600; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
td.undefined { color: #a33; }
span.swatch { display: inline-block; width: .8em; height: .8em; border-radius: 2px;
              margin-right: .4em; vertical-align: -.05em; }
small { color: #666; }
figure { margin: .5rem 0 1.2rem; }
figure svg { max-width: 100%; height: auto; }
blockquote { margin: .2rem 0; padding-left: .6rem; border-left: 3px solid #ccc; }
nav a { margin-right: .8rem; }
"""


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}%"


def _num(value: float | None) -> str:
    return "undefined" if value is None else f"{value:.3f}"


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]],
           numeric: Sequence[bool] | None = None) -> str:
    """An HTML table; cells are escaped unless they are already-marked-up tuples."""
    numeric = list(numeric or [False] * len(headers))
    head = "".join(f'<th class="{"n" if n else ""}">{_e(h)}</th>'
                   for h, n in zip(headers, numeric, strict=True))
    body = []
    for row in rows:
        cells = []
        for value, n in zip(row, numeric, strict=True):
            markup = value[0] if isinstance(value, tuple) else _e(value)
            cells.append(f'<td class="{"n" if n else ""}">{markup}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _code_cell(name: str, colour: str) -> tuple[str]:
    return (f'<span class="swatch" style="background:{_e(colour)}"></span>{_e(name)}',)


def _figure(svg: str | None, caption: str = "") -> str:
    if not svg:
        return ""
    cap = f"<figcaption><small>{_e(caption)}</small></figcaption>" if caption else ""
    return f"<figure>{svg}{cap}</figure>"


# ------------------------------------------------------------------------------ sections


def _overview(data: dict[str, Any]) -> str:
    rows = [("Documents", f"{data['documents']:,}".replace(",", " ")),
            ("Words", f"{data['words']:,}".replace(",", " ")),
            ("Codes (used / in the codebook)", f"{data['codes_used']} / {data['codes']}"),
            ("Codings", f"{data['codings']:,}".replace(",", " ")),
            ("Coders", f"{data['coders']} ({', '.join(data['coder_names']) or 'none'})"),
            ("Documents with codings", str(data["coded_documents"])),
            ("Share of all characters coded (any code)", _pct(data["coded_share"]))]
    return ('<h2 id="overview">Overview</h2>'
            + _table(["", ""], rows, [False, True]))


def _by_code(table: FrequencyTable) -> str:
    rows = [(_code_cell(r["code"], r["colour"]), r["codings"], r["documents"],
             r["participants"], _pct(r["coverage"])) for r in table.rows]
    return ('<h2 id="codes">Frequencies by code</h2>'
            '<p class="how">Codings; documents and participants with at least one coding; '
            "coverage = share of all characters carrying the code, each character counted "
            "once however many codings overlap it. The participant of a coding is the speaker "
            "of the turn where it starts (none for the interviewer), else the document's "
            "participant.</p>"
            + _table(["code", "codings", "documents", "participants", "coverage"], rows,
                     [False, True, True, True, True])
            + _figure(charts.frequency_chart(table, title="Codings per code")))


def _pivot(table: FrequencyTable, dim: str, heading: str, anchor: str, how: str) -> str:
    groups: list[Any] = []
    cells: dict[tuple[int, Any], dict[str, Any]] = {}
    for row in table.rows:
        if row[dim] not in groups:
            groups.append(row[dim])
        cells[(row["code_id"], row[dim])] = row
    def label(value: Any) -> str:
        if value is None:
            return f"(no {dim})"
        return f"cycle {value}" if dim == "cycle" else str(value)
    rows = []
    for code in table.codes:
        line: list[Any] = [_code_cell(code.name, code.colour)]
        for group in groups:
            cell = cells.get((code.id, group))
            if cell is None or not cell["codings"]:
                line.append("")
            else:
                line.append((f"{cell['codings']} <small>({_e(_pct(cell['coverage']))})"
                             "</small>",))
        rows.append(line)
    return (f'<h2 id="{anchor}">{_e(heading)}</h2><p class="how">{_e(how)}</p>'
            + _table(["code", *[label(g) for g in groups]], rows,
                     [False, *[True] * len(groups)])
            + _figure(charts.frequency_chart(table, title=heading)))


def _coverage(rows: list[dict[str, Any]], table: FrequencyTable) -> str:
    body = [(r["document"], r["case"] or "", "" if r["cycle"] is None else r["cycle"],
             r["participant"] or "", r["words"], r["codings"], ", ".join(r["coders"]),
             _pct(r["coverage"])) for r in rows]
    return ('<h2 id="coverage">Coverage</h2>'
            '<p class="how">Per document, the share of its characters covered by at least one '
            "coding (any code, any coder). Per code, the share of all characters carrying the "
            "code.</p>"
            + _figure(charts.frequency_chart(table, measure="coverage",
                                             title="Coverage per code"))
            + _table(["document", "case", "cycle", "participant", "words", "codings",
                      "coders", "coded"], body,
                     [False, False, True, False, True, True, False, True]))


def _cooccurrence(project: Project) -> str:
    table = cooccurrence(project)
    head = ('<h2 id="cooccurrence">Co-occurrence</h2>'
            '<p class="how">Units are passages: for a pair of codes, the stretches of text '
            "covered by their codings, where codings sharing a character join one passage. "
            "both = passages holding both codes (places where they overlap); Jaccard = "
            "both / passages holding either. The diagonal counts each code's passages.</p>")
    if len(table.codes) < 2:
        return head + "<p>Fewer than two codes are in use.</p>"
    rows = [(p["code_a"], p["code_b"], p["both"], p["a_only"], p["b_only"],
             f"{p['jaccard']:.3f}") for p in table.pairs[:30]]
    more = (f"<p><small>The 30 most frequent of {len(table.pairs)} pairs.</small></p>"
            if len(table.pairs) > 30 else "")
    return (head + _figure(charts.cooccurrence_heatmap(table))
            + (_table(["code A", "code B", "both", "A only", "B only", "Jaccard"], rows,
                      [False, False, True, True, True, True]) + more
               if rows else "<p>No two codes overlap.</p>"))


def _agreement_block(result: AgreementReport) -> str:
    coders = result.coders
    parts = [f"<h3>{_e(' · '.join(coders))}</h3>",
             f'<p class="how">Unit: {_e(result.unit)} ({_e(result.unit_description)}). '
             f"Rule: {_e(result.rule)}. Documents ({len(result.documents)}): "
             f"{_e(result.document_rule)}: {_e(', '.join(result.documents))}.</p>"]
    if result.excluded:
        items = "; ".join(f"{x['document']} (not coded by {', '.join(x['missing'])})"
                          for x in result.excluded)
        parts.append(f"<p><small>Left out: {_e(items)}.</small></p>")
    rows = []
    for item in [*result.codes, result.pooled]:
        if len(coders) == 2:
            pair = item.pairs[0]
            kappa = (_e(_num(pair.kappa)),) if pair.kappa is not None else \
                (f'<span title="{_e(pair.kappa_note)}">undefined</span>',)
            rows.append((item.code, item.units, pair.both, pair.a_only, pair.b_only,
                         pair.neither, _pct(item.percent_agreement), kappa,
                         _num(item.alpha)))
        else:
            rows.append((item.code, item.units, _pct(item.percent_agreement),
                         _num(item.alpha)))
    if len(coders) == 2:
        parts.append(_table(["code", "units", "both yes", f"{coders[0]} only",
                             f"{coders[1]} only", "neither", "agree", "Cohen's κ",
                             "Krippendorff's α"], rows,
                            [False, True, True, True, True, True, True, True, True]))
    else:
        parts.append(_table(["code", "units", "all agree", "Krippendorff's α"], rows,
                            [False, True, True, True]))
    notes = [f"{c.code}: {c.pairs[0].kappa_note if len(coders) == 2 else c.alpha_note}"
             for c in [*result.codes, result.pooled]
             if (c.pairs[0].kappa is None if len(coders) == 2 else c.alpha is None)]
    if notes:
        parts.append("<p><small>" + "<br>".join(_e(n) for n in notes) + "</small></p>")
    for mean in result.mean_kappa:
        parts.append(f"<p>Mean of the per-code kappas ({_e(mean['coder_a'])}, "
                     f"{_e(mean['coder_b'])}): <b>{_e(_num(mean['mean_kappa']))}</b> over "
                     f"{mean['codes']} code(s); pooled kappa is computed from the summed "
                     "tables (every code's units one after the other).</p>")
    if any(c.alpha is not None or c.kappa is not None for c in result.codes):
        parts.append(_figure(charts.agreement_chart(result)))
    if result.disagreements:
        shown = result.disagreements[:MAX_DISAGREEMENTS]
        rows = [(d.document, f"{d.start}-{d.end}", d.code, ", ".join(d.coded_by),
                 ", ".join(d.not_coded_by), (f"<blockquote>{_e(d.text)}</blockquote>",))
                for d in shown]
        parts.append(f"<p>Disagreements: {len(result.disagreements)}"
                     + (f" (the first {len(shown)} shown; 'workbench agreement "
                        "--disagreements' lists all)" if len(shown) < len(
                            result.disagreements) else "") + ".</p>")
        parts.append(_table(["document", "span", "code", "coded by", "not by", "text"], rows))
    return "".join(parts)


def _agreement(project: Project, unit: str, coders: list[str] | None) -> str:
    head = ('<h2 id="agreement">Intercoder agreement</h2>'
            '<p class="how">Each code is judged yes/no per unit and coder. Cohen\'s κ = '
            "(po − pe) / (1 − pe) with pe = pA·pB + (1 − pA)(1 − pB), from the 2×2 table "
            "shown; Krippendorff's α is nominal. Pooled rows use every code's units one after "
            "the other. Without variation a figure is undefined (hover for the reason).</p>")
    if coders:
        groups = [coders]
    else:
        shared: dict[int, set[str]] = {}
        for doc_id, coder in project.conn.execute(
                "SELECT DISTINCT document_id, coder FROM codings"):
            shared.setdefault(doc_id, set()).add(coder)
        names = sorted({c for who in shared.values() for c in who})
        groups = [list(pair) for pair in combinations(names, 2)
                  if any(set(pair) <= who for who in shared.values())]
        everyone = [n for n in names if any(n in w for w in shared.values())]
        if len(groups) > 1 and any(set(everyone) <= who for who in shared.values()):
            groups.append(everyone)
    blocks = []
    for group in groups:
        try:
            blocks.append(_agreement_block(agreement(project, group, unit=unit,
                                                     disagreements=True)))
        except InvalidInput as exc:
            blocks.append(f"<h3>{_e(' · '.join(group))}</h3><p>{_e(exc)}</p>")
    if not blocks:
        return head + "<p>No two coders have coded the same document yet.</p>"
    return head + "".join(blocks)


# ------------------------------------------------------------------------------ entry point


def build_report(project: Project, *, unit: str = "sentence",
                 coders: Sequence[str] | None = None, title: str | None = None) -> str:
    """The report as one HTML string (see the module docstring for its sections).

    Args:
        unit: the unit for the agreement section.
        coders: coders for the agreement section; default every pair of coders who coded
            the same documents (and all of them together when there are more than two).
        title: the heading; default the project's file name.
    """
    data = overview(project)
    title = title or f"Review of {project.path.name}"
    stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    sections = [_overview(data)]
    nav = [("overview", "Overview")]
    if data["codes"]:
        per_code = frequencies(project)
        sections.append(_by_code(per_code))
        sections.append(_pivot(
            frequencies(project, by="sector"), "sector", "Frequencies by sector", "sector",
            "Codings per code and sector of the coding's participant (coverage of that "
            "sector's text in brackets)."))
        sections.append(_pivot(
            frequencies(project, by="cycle"), "cycle", "Frequencies by cycle", "cycle",
            "Codings per code and action-research cycle of the document (coverage of that "
            "cycle's text in brackets)."))
        sections.append(_coverage(document_coverage(project), per_code))
        sections.append(_cooccurrence(project))
        nav += [("codes", "Codes"), ("sector", "Sectors"), ("cycle", "Cycles"),
                ("coverage", "Coverage"), ("cooccurrence", "Co-occurrence")]
    agreement_html = _agreement(project, unit, list(coders) if coders else None)
    sections.append(agreement_html)
    nav.append(("agreement", "Agreement"))
    links = "".join(f'<a href="#{a}">{_e(t)}</a>' for a, t in nav)
    return ("<!DOCTYPE html>\n"
            f'<html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title>'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<style>{CSS}</style></head><body>"
            f"<h1>{_e(title)}</h1>"
            f'<p class="meta">{_e(project.path.name)} · generated {_e(stamp)} by workbench</p>'
            f"<nav>{links}</nav>"
            + "".join(sections) + "</body></html>\n")


def write_report(project: Project, out: str | Path, **options: Any) -> Path:
    """Write :func:`build_report` to ``out`` (UTF-8).

    Raises:
        WorkbenchError: the file cannot be written.
    """
    path = Path(out)
    text = build_report(project, **options)
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise WorkbenchError(f"Cannot write the report to {path} ({exc.strerror}); "
                             "choose another file.") from exc
    return path
