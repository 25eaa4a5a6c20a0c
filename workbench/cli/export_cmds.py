"""Commands for exports: quote sets, the citation template, REFI-QDA export and import."""

from __future__ import annotations

from pathlib import Path

import click

from workbench.cli.common import json_option, open_project, print_json
from workbench.core.models import DOCUMENT_KINDS, SECTORS
from workbench.core.store import Project
from workbench.errors import InvalidInput

_QUOTE_FORMATS = ("md", "tex", "docx", "csv", "xlsx", "json")

_QUOTES_EPILOG = """\b
Citation fields (the template is the project setting citation_template;
see 'workbench citation', or give --citation for one export):
  {label} {role} {organisation} {sector} {case} {cycle} {document} {date}
  {speaker}
A part of the template whose field is empty drops out with its own words:
'({label}, {role}, {sector}, cycle {cycle})' gives '(P03, ledende overlæge,
hospital, cycle 2)', or '(P03, hospital)' without role and cycle.

\b
--pseudonymise replaces participants' real names and the speaker names
linked to them (by their label, P04), personal data found by 'workbench tag'
(e-mail, phone, CPR, names) and the names you list, by stable pseudonyms
([navn 1], [e-mail 1], [telefon 1], [cpr-nummer]) kept in the project.

\b
Examples:
  workbench quotes p.wbp --query 'trust AND conflict' --out quotes.docx
  workbench quotes p.wbp -q 'tillid' --sector municipality --cycle 2 \\
      --pseudonymise --name 'Birthe Lund' --out kommune.md
  workbench quotes p.wbp -q 'conflict' --format tex --standalone --out c.tex
"""


@click.command(epilog=_QUOTES_EPILOG)
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.option("--query", "-q", required=True,
              help="Boolean query over codes, e.g. 'trust AND conflict'.")
@click.option("--within", type=click.Choice(["overlap", "segment"]), default="overlap",
              show_default=True, help="Codes co-occur on overlapping text or in the same "
                                      "turn/paragraph (see 'workbench retrieve --help').")
@click.option("--case", "case", multiple=True, help="Only documents of this case (repeatable).")
@click.option("--cycle", multiple=True, help="Only documents of this cycle (repeatable).")
@click.option("--sector", type=click.Choice(SECTORS), multiple=True,
              help="Only quotes of participants in this sector (repeatable).")
@click.option("--role", multiple=True, help="Only participants whose role contains this.")
@click.option("--participant", multiple=True, help="Only this participant (label).")
@click.option("--coder", multiple=True, help="Only this coder's codings count.")
@click.option("--kind", type=click.Choice(DOCUMENT_KINDS), multiple=True,
              help="Only documents of this kind.")
@click.option("--document", multiple=True, help="Only this document (name or id).")
@click.option("--context", type=click.IntRange(min=0), default=0, show_default=True,
              help="Characters of context on each side of a quote (0: none).")
@click.option("--citation", "citation", default=None,
              help="Citation template for this export (default: the project's).")
@click.option("--group-by", type=click.Choice(["code", "document"]), default="code",
              show_default=True, help="A heading per code combination, or document order.")
@click.option("--pseudonymise", "--pseudonymize", "pseudonymise", is_flag=True,
              help="Replace names, e-mail, phone and CPR numbers by stable pseudonyms.")
@click.option("--names", "names_file", type=click.Path(exists=True, dir_okay=False),
              help="With --pseudonymise: a file of more names to replace, one a line.")
@click.option("--name", "names", multiple=True,
              help="With --pseudonymise: one more name to replace (repeatable).")
@click.option("--standalone", is_flag=True,
              help="LaTeX: write a whole document with preamble, not a fragment.")
@click.option("--format", "format_name", type=click.Choice(_QUOTE_FORMATS), default=None,
              help="Output format (default: from the extension of --out).")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False),
              help="The file to write.")
@json_option
def quotes(project: str, query: str, within: str, case: tuple[str, ...],
           cycle: tuple[str, ...], sector: tuple[str, ...], role: tuple[str, ...],
           participant: tuple[str, ...], coder: tuple[str, ...], kind: tuple[str, ...],
           document: tuple[str, ...], context: int, citation: str | None, group_by: str,
           pseudonymise: bool, names_file: str | None, names: tuple[str, ...],
           standalone: bool, format_name: str | None, out: str, as_json: bool) -> None:
    """Export the quotes matching a query as md, tex, docx, csv, xlsx or json, cited.

    Each quote comes with its citation, the codes on it, its document and position, and
    (with --context) the text around it.
    """
    from workbench.exporters import pseudonymise as pseudo
    from workbench.exporters.quotes import Layout, build_quote_set, write_quote_set
    from workbench.exporters.registry import QUOTE_FORMATS

    if (names or names_file) and not pseudonymise:
        raise InvalidInput("--name and --names list names to pseudonymise; add --pseudonymise.")
    QUOTE_FORMATS.for_path(out, format_name)  # a bad extension fails before any work
    with open_project(project) as proj:
        pseudonymiser = None
        notes = []
        if pseudonymise:
            listed = list(names) + (pseudo.read_names_file(names_file) if names_file else [])
            pseudonymiser = pseudo.for_project(proj, listed)
            tagged = proj.conn.execute("SELECT COUNT(*) FROM tagged_documents").fetchone()[0]
            if not tagged:
                notes.append(f"No document is tagged, so only real names, speaker names and "
                             f"listed names were replaced; run 'workbench tag {project}' to "
                             "find e-mail, phone, CPR numbers and other names too.")
        quote_set = build_quote_set(
            proj, query, within=within, context=context, template=citation,
            pseudonymiser=pseudonymiser, case=case, cycle=cycle, sector=sector, role=role,
            participant=participant, coder=coder, kind=kind, document=document)
        written = write_quote_set(quote_set, out, format_name=format_name,
                                  layout=Layout(group_by=group_by, standalone=standalone))
    for note in notes:
        click.echo(f"note: {note}", err=True)
    count = len(quote_set.quotes)
    if as_json:
        print_json({"path": out, "format": written, "quotes": count,
                    "pseudonymised": quote_set.pseudonymised, "replaced": quote_set.replaced})
        return
    message = f"Wrote {count} quote{'s' if count != 1 else ''} to {out} ({written})"
    if quote_set.pseudonymised:
        words = {"name": "name", "email": "e-mail address", "phone": "phone number",
                 "cpr": "CPR number"}
        done = ", ".join(f"{n} {words.get(k, k)}{'s' if n != 1 else ''}"
                         for k, n in sorted(quote_set.replaced.items()))
        message += f", pseudonymised ({done or 'nothing to replace'})"
    click.echo(message + ".")


@click.command()
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.argument("template", required=False)
@click.option("--reset", is_flag=True, help="Go back to the default template.")
def citation(project: str, template: str | None, reset: bool) -> None:
    """Show or set the citation template of PROJECT used by 'workbench quotes'.

    \b
    Fields: {label} {role} {organisation} {sector} {case} {cycle}
            {document} {date} {speaker}
    Example: workbench citation p.wbp '({label}, {role}, {sector}, cycle {cycle})'
    """
    from workbench.exporters import citations

    with open_project(project) as proj:
        if reset:
            proj.conn.execute("DELETE FROM settings WHERE key = ?", (citations.SETTING,))
        elif template is not None:
            citations.parse_template(template)
            proj.set_setting(citations.SETTING, template)
        current = citations.template_for(proj.setting(citations.SETTING))
        sample = proj.rows("SELECT label, role, organisation, sector FROM participants "
                           "WHERE role != '' ORDER BY label LIMIT 1")
    values = {"label": "P03", "role": "ledende overlæge", "organisation":
              "Hospitalsenheden Vest", "sector": "hospital", "case": "Ældreforløb Vest",
              "cycle": 2, "document": "P03_interview", "date": "2025-05-06", "speaker": "P03"}
    if sample:
        values.update({k: v for k, v in sample[0].items() if v})
    click.echo(f"Citation template: {current}")
    click.echo(f"Example:           {citations.render(current, values)}")
    click.echo("Fields:\n" + citations.describe_fields())


@click.command()
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.argument("out", type=click.Path(dir_okay=False))
@click.option("--format", "format_name", default=None,
              help="qdpx (REFI-QDA project) or qdc (REFI-QDA codebook); default: from the "
                   "extension of OUT.")
@click.option("--include-real-names", is_flag=True,
              help="qdpx: add participants' real names as the variable real_name "
                   "(left out by default).")
@json_option
def export(project: str, out: str, format_name: str | None, include_real_names: bool,
           as_json: bool) -> None:
    """Export PROJECT to OUT: a REFI-QDA project (.qdpx) or codebook (.qdc).

    \b
    A .qdpx opens in NVivo, ATLAS.ti, MAXQDA and QualCoder: coders, the
    codebook, documents as plain text, codings with their coders, memos as
    notes, cases and participants with their attributes as variables.
    Examples:
      workbench export p.wbp p.qdpx
      workbench export p.wbp --format qdpx backup.zip
    """
    from workbench.exporters.registry import PROJECT_FORMATS

    fmt = PROJECT_FORMATS.for_path(out, format_name)
    with open_project(project) as proj:
        summary = fmt.writer(proj, Path(out), include_real_names=include_real_names)
    if as_json:
        print_json({"format": fmt.name, **summary.as_dict()})
        return
    if fmt.name == "qdc":
        click.echo(f"Wrote the codebook ({summary.codes} codes) to {out}.")
        return
    click.echo(f"Wrote {out}: {summary.sources} documents, {summary.codings} codings in "
               f"{summary.selections} selections, {summary.codes} codes, {summary.users} "
               f"users, {summary.notes} notes, {summary.cases} cases, "
               f"{summary.variables} variables.")


@click.command(name="import-qdpx")
@click.argument("qdpx", type=click.Path(exists=True, dir_okay=False))
@click.argument("project", type=click.Path(dir_okay=False))
@json_option
def import_qdpx(qdpx: str, project: str, as_json: bool) -> None:
    """Import the REFI-QDA project QDPX into PROJECT (created if it does not exist).

    PROJECT must have no documents yet (a codebook is fine). What workbench does not
    hold (PDF, picture, audio and video sources, sets, links, graphs) is left out with a
    warning that names it.
    """
    from workbench.exporters.qdpx_import import import_qdpx as run_import

    path = Path(project)
    created = not path.exists()
    if created:
        Project.create(path).close()
    try:
        with open_project(project) as proj:
            summary = run_import(proj, qdpx)
    except BaseException:
        if created:
            for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                leftover.unlink(missing_ok=True)
        raise
    if as_json:
        print_json(summary.as_dict())
        return
    for warning in summary.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"Imported {qdpx} into {project}{' (new)' if created else ''}: "
               f"{summary.documents} documents, {summary.codings} codings, {summary.codes} "
               f"codes, {summary.users} coders, {summary.memos} memos, {summary.cases} cases, "
               f"{summary.participants} participants.")


COMMANDS = [quotes, citation, export, import_qdpx]
