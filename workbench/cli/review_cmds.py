"""Supervisor review on the command line: stats, cooccurrence, agreement, report.

The analysis package (numpy, matplotlib) is imported inside the commands so that
``workbench --help`` stays fast.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from workbench.cli.common import json_option, open_project, print_json, print_table
from workbench.errors import InvalidInput, NotFoundError

project_arg = click.argument("project", type=click.Path(exists=True, dir_okay=False))
code_option = click.option(
    "--code", "codes", multiple=True,
    help="Only this code (name, Danish or English label); repeat it or separate with commas.")
coder_filter_option = click.option(
    "--coder", "coders", multiple=True,
    help="Only this coder's codings; repeat it or separate with commas.")


def _expand(values: Sequence[str], exists: Callable[[str], Any]) -> list[str] | None:
    """Each value as given when it names something, else split at commas."""
    result: list[str] = []
    for value in values:
        try:
            exists(value)
            result.append(value)
        except NotFoundError:
            if "," not in value:
                raise
            result.extend(v.strip() for v in value.split(",") if v.strip())
    return result or None


def _codes(proj, values: Sequence[str]) -> list[str] | None:
    from workbench.core.codebook import get_code

    return _expand(values, lambda v: get_code(proj, v))


def _coders(values: Sequence[str]) -> list[str] | None:
    return [v.strip() for value in values for v in value.split(",") if v.strip()] or None


def _percent(value: float | None, digits: int = 1) -> str:
    return "" if value is None else f"{value * 100:.{digits}f}%"


def _number(value: float | None) -> str:
    return "undefined" if value is None else f"{value:.3f}"


def _wrote(path: str) -> None:
    click.echo(f"Wrote {path}.", err=True)


def _check_output(path: str, suffixes: tuple[str, ...], option: str) -> Path:
    target = Path(path)
    if target.suffix.lower() not in suffixes:
        raise InvalidInput(f"{option} {path}: the file name must end in {' or '.join(suffixes)}.")
    if not target.parent.exists():
        raise InvalidInput(f"{option} {path}: the folder {target.parent} does not exist; "
                           "create it first.")
    return target


def write_csv(path: str, rows: list[dict[str, Any]], columns: list[str]) -> None:
    """Write rows as CSV (UTF-8 with a byte-order mark, so Excel shows æ, ø, å right)."""
    target = _check_output(path, (".csv",), "--csv")
    with target.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: "" if row.get(c) is None else row.get(c) for c in columns})


def write_xlsx(path: str, rows: list[dict[str, Any]], columns: list[str], *,
               sheet: str = "stats", percent_columns: Sequence[str] = ()) -> None:
    """Write rows to an Excel sheet with a bold, frozen header."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    target = _check_output(path, (".xlsx",), "--xlsx")
    book = Workbook()
    ws = book.active
    ws.title = sheet
    ws.append(columns)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([row.get(c) for c in columns])
    for index, column in enumerate(columns, start=1):
        letter = ws.cell(row=1, column=index).column_letter
        width = max([len(str(column))] + [len(str(r.get(column) or "")) for r in rows[:500]])
        ws.column_dimensions[letter].width = min(max(width + 2, 8), 60)
        if column in percent_columns:
            for cell in ws[letter][1:]:
                cell.number_format = "0.0%"
    ws.freeze_panes = "A2"
    book.save(target)


# ------------------------------------------------------------------------------ stats
STATS_COLUMNS = ["codings", "documents", "participants", "coded_characters", "characters",
                 "coverage"]


@click.command()
@project_arg
@click.option("--by", "by", default="",
              help="Break down by any of document, participant, role, sector, case, cycle, "
                   "coder; separate with commas to cross them (--by sector,cycle gives one row "
                   "per code and sector-and-cycle combination).")
@code_option
@coder_filter_option
@click.option("--subcodes", is_flag=True, help="Count each code together with its sub-codes.")
@click.option("--skip-empty", is_flag=True, help="Leave out rows without codings.")
@json_option
@click.option("--csv", "csv_file", type=click.Path(dir_okay=False),
              help="Also write the table to this CSV file.")
@click.option("--xlsx", "xlsx_file", type=click.Path(dir_okay=False),
              help="Also write the table to this Excel file.")
@click.option("--plot", "plot_file", type=click.Path(dir_okay=False),
              help="Also draw a bar chart to this .png or .svg file.")
@click.option("--measure", type=click.Choice(["codings", "documents", "participants",
                                               "coverage"]), default="codings",
              show_default=True, help="What --plot draws.")
def stats(project: str, by: str, codes: tuple[str, ...], coders: tuple[str, ...],
          subcodes: bool, skip_empty: bool, as_json: bool, csv_file: str | None,
          xlsx_file: str | None, plot_file: str | None, measure: str) -> None:
    """Code frequencies and coverage, overall or broken down by group.

    \b
    codings       codings of the code in the group
    documents     documents with at least one of them
    participants  distinct participants of those codings: the participant of the
                  speaker turn where a coding starts (none for the interviewer),
                  outside turns the document's participant; role and sector are theirs
    coverage      share of the group's characters covered by the code, each character
                  once however many codings overlap it; with participant, role or sector
                  the group's characters are that participant's turns, with coder the
                  documents that coder coded
    """
    from workbench.analysis.frequencies import frequencies

    for path, suffixes, option in ((csv_file, (".csv",), "--csv"),
                                   (xlsx_file, (".xlsx",), "--xlsx"),
                                   (plot_file, (".png", ".svg"), "--plot")):
        if path:
            _check_output(path, suffixes, option)
    with open_project(project) as proj:
        table = frequencies(proj, by=by, codes=_codes(proj, codes), coders=_coders(coders),
                            subcodes=subcodes)
    rows = [r for r in table.rows if r["codings"] or not skip_empty]
    columns = ["code", *table.by, *STATS_COLUMNS]
    if csv_file:
        write_csv(csv_file, rows, columns)
        _wrote(csv_file)
    if xlsx_file:
        write_xlsx(xlsx_file, rows, columns, percent_columns=["coverage"])
        _wrote(xlsx_file)
    if plot_file:
        from workbench.analysis.charts import frequency_chart

        title = "Codings" if measure == "codings" else measure.capitalize()
        if table.by:
            title += " by " + " × ".join(table.by)
        frequency_chart(table, plot_file, measure=measure, title=title)
        _wrote(plot_file)
    if as_json:
        data = table.to_dict()
        data["rows"] = rows
        print_json(data)
        return
    shown = []
    for row in rows:
        shown.append({**row, **{d: _cell(row.get(d), d) for d in table.by},
                      "coverage": _percent(row["coverage"])})
    if not table.codes:
        empty = "The codebook is empty; load one with 'workbench codebook import'."
    elif skip_empty:
        empty = "No codings yet."
    else:
        empty = "No documents yet; add some with 'workbench import'."
    print_table(shown, ["code", *table.by, "codings", "documents", "participants", "coverage"],
                empty=empty)


def _cell(value: Any, dim: str) -> str:
    return f"(no {dim})" if value is None else str(value)


# ------------------------------------------------------------------------------ cooccurrence
@click.command()
@project_arg
@click.option("--within", type=click.Choice(["overlap", "segment"]), default="overlap",
              show_default=True,
              help="overlap: codings of the two codes share characters (units are passages "
                   "of overlapping codings); segment: both codes in the same speaker turn or "
                   "paragraph.")
@code_option
@coder_filter_option
@json_option
@click.option("--csv", "csv_file", type=click.Path(dir_okay=False),
              help="Also write the pairs to this CSV file.")
@click.option("--plot", "plot_file", type=click.Path(dir_okay=False),
              help="Also draw a heatmap to this .png or .svg file.")
def cooccurrence(project: str, within: str, codes: tuple[str, ...], coders: tuple[str, ...],
                 as_json: bool, csv_file: str | None, plot_file: str | None) -> None:
    """Which codes occur together, with counts and the Jaccard coefficient.

    \b
    both      units holding both codes
    A only    units holding the first code but not the second (B only likewise)
    jaccard   both / (units holding either) = |A ∩ B| / |A ∪ B|
    With --within overlap the units are passages: for a pair of codes, the
    stretches covered by their codings, where codings that share a character
    join one passage; a passage with both codes is a place where they overlap.
    With --within segment the units are speaker turns and paragraphs.
    """
    from workbench.analysis.cooccurrence import cooccurrence as compute

    if csv_file:
        _check_output(csv_file, (".csv",), "--csv")
    if plot_file:
        _check_output(plot_file, (".png", ".svg"), "--plot")
    with open_project(project) as proj:
        table = compute(proj, within=within, codes=_codes(proj, codes), coders=_coders(coders))
    columns = ["code_a", "code_b", "both", "a_only", "b_only", "either", "jaccard"]
    if csv_file:
        write_csv(csv_file, table.pairs, columns)
        _wrote(csv_file)
    if plot_file:
        from workbench.analysis.charts import cooccurrence_heatmap

        cooccurrence_heatmap(table, plot_file)
        _wrote(plot_file)
    if as_json:
        print_json(table.to_dict())
        return
    unit = "passages" if within == "overlap" else "segments"
    rows = [{**p, "jaccard": f"{p['jaccard']:.3f}"} for p in table.pairs]
    print_table(rows, ["code_a", "code_b", "both", "a_only", "b_only", "jaccard"],
                headers=["code A", "code B", f"both ({unit})", "A only", "B only", "jaccard"],
                empty="No two codes occur together.")


# ------------------------------------------------------------------------------ agreement
@click.command()
@project_arg
@click.option("--coders", "coders", required=True, multiple=True,
              help="Two or more coders, separated by commas: --coders A,B.")
@click.option("--unit", type=click.Choice(["character", "sentence", "segment", "document"]),
              default="sentence", show_default=True,
              help="What is judged yes/no per code and coder.")
@code_option
@click.option("--documents", "documents", multiple=True,
              help="Compare these documents (names, separated by commas) instead of those "
                   "every coder coded.")
@click.option("--disagreements", is_flag=True,
              help="List every unit where the coders differ, with the quote.")
@click.option("--limit", type=int, default=0,
              help="With --disagreements: show at most this many (0: all).")
@json_option
@click.option("--plot", "plot_file", type=click.Path(dir_okay=False),
              help="Also draw kappa and alpha per code to this .png or .svg file.")
def agreement(project: str, coders: tuple[str, ...], unit: str, codes: tuple[str, ...],
              documents: tuple[str, ...], disagreements: bool, limit: int, as_json: bool,
              plot_file: str | None) -> None:
    """Intercoder agreement per code and pooled: percent, Cohen's kappa, Krippendorff's alpha.

    \b
    Documents: those in which every compared coder made at least one coding
    (any code), unless --documents names them. Codes: those the coders used.
    Yes/no: a character is 'yes' for a coder and code when one of the coder's
    codings with the code covers it; a sentence, segment or document is 'yes'
    when one of them shares a character with it (several count once).
    kappa = (po - pe) / (1 - pe), pe = pA*pB + (1-pA)*(1-pB), from the 2x2
    table shown (both, A only, B only, neither); alpha is nominal. Pooled
    figures use every code's units one after the other (the summed tables);
    'mean kappa' averages the per-code kappas that are defined. With no
    variation (every unit the same) kappa and alpha are undefined.
    """
    from workbench.analysis.agreement import agreement as compute

    if plot_file:
        _check_output(plot_file, (".png", ".svg"), "--plot")
    with open_project(project) as proj:
        docs = None
        if documents:
            from workbench.core.documents import get_document

            docs = _expand(documents, lambda v: get_document(proj, v))
        report = compute(proj, _coders(coders) or [], unit=unit, codes=_codes(proj, codes),
                         documents=docs, disagreements=disagreements)
    if limit and limit > 0:
        report.disagreements = report.disagreements[:limit]
    if plot_file:
        from workbench.analysis.charts import agreement_chart

        agreement_chart(report, plot_file)
        _wrote(plot_file)
    if as_json:
        data = report.to_dict()
        if not disagreements:
            data.pop("disagreements")
        print_json(data)
        return
    _print_agreement(report, disagreements)


def _print_agreement(report, disagreements: bool) -> None:
    pairwise = len(report.coders) == 2
    click.echo(f"Coders: {', '.join(report.coders)}; unit: {report.unit} "
               f"({report.unit_description}).")
    click.echo(f"Rule: {report.rule}.")
    click.echo(f"Documents ({len(report.documents)}): {report.document_rule}.")
    for item in report.excluded:
        click.echo(f"  left out: {item['document']} (not coded by {', '.join(item['missing'])})")
    for note in report.notes:
        click.echo(f"  note: {note}")
    click.echo("")
    rows, undefined = [], []
    for result in [*report.codes, report.pooled]:
        row = {"code": result.code, "units": result.units,
               "agree": _percent(result.percent_agreement),
               "alpha": _number(result.alpha)}
        if pairwise:
            pair = result.pairs[0]
            row.update(both=pair.both, a_only=pair.a_only, b_only=pair.b_only,
                       neither=pair.neither, kappa=_number(pair.kappa))
            if pair.kappa is None and pair.kappa_note:
                undefined.append(f"{result.code}: {pair.kappa_note}")
        else:
            if result.alpha is None and result.alpha_note:
                undefined.append(f"{result.code}, alpha: {result.alpha_note}")
            undefined.extend(f"{result.code}, kappa {p.coder_a}+{p.coder_b}: {p.kappa_note}"
                             for p in result.pairs if p.kappa is None and p.kappa_note)
        rows.append(row)
    if pairwise:
        a, b = report.coders
        print_table(rows, ["code", "units", "both", "a_only", "b_only", "neither", "agree",
                           "kappa", "alpha"],
                    headers=["code", "units", "both yes", f"{a} only", f"{b} only", "neither",
                             "agree", "kappa", "alpha"],
                    empty="No codes to compare.")
    else:
        print_table(rows, ["code", "units", "agree", "alpha"],
                    headers=["code", "units", "all agree", "alpha"], empty="No codes to compare.")
        click.echo("")
        pair_rows = []
        for result in [*report.codes, report.pooled]:
            for pair in result.pairs:
                pair_rows.append({"code": result.code, "pair": f"{pair.coder_a}+{pair.coder_b}",
                                  "both": pair.both, "a_only": pair.a_only,
                                  "b_only": pair.b_only, "neither": pair.neither,
                                  "kappa": _number(pair.kappa)})
        print_table(pair_rows, ["code", "pair", "both", "a_only", "b_only", "neither", "kappa"],
                    headers=["code", "coders", "both yes", "first only", "second only",
                             "neither", "kappa"])
    for line in undefined:
        click.echo(f"  {line}")
    for mean in report.mean_kappa:
        value = _number(mean["mean_kappa"])
        click.echo(f"Mean of per-code kappas ({mean['coder_a']}, {mean['coder_b']}): {value} "
                   f"over {mean['codes']} code(s)"
                   + (f"; {mean['undefined']} undefined left out." if mean["undefined"]
                      else "."))
    if disagreements:
        click.echo("")
        if not report.disagreements:
            click.echo("No disagreements.")
        for item in report.disagreements:
            click.echo(f"{item.document} {item.start}-{item.end} [{item.code}] coded by "
                       f"{', '.join(item.coded_by)}, not by {', '.join(item.not_coded_by)}: "
                       f"“{item.text}”")


# ------------------------------------------------------------------------------ report
@click.command()
@project_arg
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False),
              help="The HTML file to write.")
@click.option("--unit", type=click.Choice(["character", "sentence", "segment", "document"]),
              default="sentence", show_default=True, help="Unit for the agreement section.")
@click.option("--coders", "coders", multiple=True,
              help="Coders for the agreement section (default: every coder who shares "
                   "documents with another).")
@click.option("--title", help="A title for the report (default: the project's file name).")
def report(project: str, out: str, unit: str, coders: tuple[str, ...],
           title: str | None) -> None:
    """Write a self-contained HTML report for supervisors (tables and charts inline)."""
    from workbench.analysis.report import write_report

    _check_output(out, (".html", ".htm"), "--out")
    with open_project(project) as proj:
        write_report(proj, out, unit=unit, coders=_coders(coders), title=title)
    click.echo(f"Wrote {out}.")


COMMANDS = [stats, cooccurrence, agreement, report]
