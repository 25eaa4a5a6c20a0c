"""The retrieve command: coded passages by a boolean query over codes, with filters."""

from __future__ import annotations

import re
import textwrap

import click

from workbench.cli.common import json_option, open_project, print_json
from workbench.core import retrieval
from workbench.core.models import DOCUMENT_KINDS, SECTORS

_EPILOG = """\b
How codes co-occur (--within):
  overlap  (default) Each candidate passage is a coding of a code the query
           names without NOT. It matches when the codes applied to text
           overlapping it satisfy the query. Matching passages that overlap
           each other are merged into one hit spanning them all.
  segment  The units are speaker turns and paragraphs. A segment matches when
           the codes applied anywhere inside it satisfy the query; the hit is
           the whole segment.
Every hit carries a code the query names without NOT. A code includes its
sub-codes. Names match the code's name or its Danish label, in any letter
case; quote names with spaces: "ledelse på tværs". NOT binds tighter than
AND, AND tighter than OR.

\b
Examples:
  workbench retrieve p.wbp --query 'trust AND (conflict OR risk) AND NOT vision'
  workbench retrieve p.wbp --query 'tillid AND konflikt' --sector municipality --cycle 2
  workbench retrieve p.wbp --query '"ledelse på tværs"' --within segment --json
"""


def _flatten(text: str) -> str:
    """One line: line breaks become ¶, other runs of white space one space."""
    return " ".join(re.sub(r"\s*\n\s*", " ¶ ", text).split())


def _wrap(text: str, indent: str, width: int = 96) -> str:
    return textwrap.fill(text, width=width, initial_indent=indent, subsequent_indent=indent,
                         break_long_words=False, break_on_hyphens=False)


def print_hit(number: int, hit: retrieval.Hit, *, show_context: bool) -> None:
    """Print one hit: where it is, who speaks, its codes, and the quote in its context."""
    where = f"{hit.document} (doc {hit.document_id}) {hit.start}-{hit.end}"
    header = click.style(f"[{number}] {where}", bold=True)
    who = hit.who_speaks()
    click.echo(header + (f"  ·  {who}" if who else ""))
    click.echo(f"    codes: {', '.join(hit.codes)}")
    if show_context and (hit.before or hit.after):
        # The quote is marked with [[ ]] so it stands out also without colours; a pilcrow
        # marks where a turn or paragraph ends inside the context.
        line = _flatten(hit.before + "[[" + hit.text + "]]" + hit.after)
        line = ("… " if hit.more_before else "") + line + (" …" if hit.more_after else "")
        body = _wrap(line, "    ")
        body = body.replace("[[", click.style("[[", bold=True)).replace(
            "]]", click.style("]]", bold=True))
        click.echo(body)
    else:
        click.echo(_wrap(f"”{_flatten(hit.text)}”", "    "))
    click.echo()


@click.command(epilog=_EPILOG)
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.option("--query", "-q", required=True,
              help="Boolean query over codes, e.g. 'trust AND (conflict OR risk) AND NOT vision'.")
@click.option("--within", type=click.Choice(retrieval.WITHIN), default="overlap",
              show_default=True, help="When codes co-occur: overlapping text, or the same "
                                      "turn/paragraph (see below).")
@click.option("--case", "case", multiple=True, help="Only documents of this case (repeatable).")
@click.option("--cycle", multiple=True, help="Only documents of this cycle number (repeatable).")
@click.option("--kind", type=click.Choice(DOCUMENT_KINDS), multiple=True, metavar="KIND",
              help=f"Only documents of this kind: {', '.join(DOCUMENT_KINDS)} (repeatable).")
@click.option("--sector", type=click.Choice(SECTORS), multiple=True, metavar="SECTOR",
              help="Only hits whose participant is in this sector, e.g. municipality, "
                   "hospital, general_practice (the speaker of the turn where the hit "
                   "starts, else the document's participant; repeatable).")
@click.option("--role", multiple=True,
              help="Only hits whose participant's role contains this, e.g. 'overlæge'.")
@click.option("--participant", multiple=True, help="Only hits of this participant (label).")
@click.option("--coder", multiple=True, help="Only this coder's codings count (repeatable).")
@click.option("--document", multiple=True, help="Only this document (name or id; repeatable).")
@click.option("--context", type=click.IntRange(min=0), default=retrieval.DEFAULT_CONTEXT,
              show_default=True, help="Characters of context on each side (0: the quote only).")
@click.option("--all-codes", is_flag=True,
              help="List every code on each hit, not only the codes in the query.")
@click.option("--count", "count_only", is_flag=True, help="Print only the number of hits.")
@json_option
def retrieve(project: str, query: str, within: str, case: tuple[str, ...],
             cycle: tuple[str, ...], kind: tuple[str, ...], sector: tuple[str, ...],
             role: tuple[str, ...], participant: tuple[str, ...], coder: tuple[str, ...],
             document: tuple[str, ...], context: int, all_codes: bool, count_only: bool,
             as_json: bool) -> None:
    """Retrieve the coded passages of PROJECT that match a boolean query over codes.

    Each hit shows the document, the speaker and their role and sector, the span, the codes
    on it and the quote in its context.
    """
    with open_project(project) as proj:
        hits = retrieval.retrieve(
            proj, query, within=within, case=case, cycle=cycle, kind=kind, sector=sector,
            role=role, participant=participant, coder=coder, document=document,
            context=context, all_codes=all_codes)
    if as_json:
        print_json({"query": query, "within": within, "count": len(hits),
                    "hits": [h.to_dict() for h in hits]}
                   if not count_only else {"query": query, "count": len(hits)})
        return
    if count_only:
        click.echo(str(len(hits)))
        return
    if not hits:
        click.echo("No passages match the query.")
        return
    for number, hit in enumerate(hits, start=1):
        print_hit(number, hit, show_context=context > 0)
    documents = len({h.document_id for h in hits})
    click.echo(f"{len(hits)} hit{'s' if len(hits) != 1 else ''} in {documents} "
               f"document{'s' if documents != 1 else ''}.")


COMMANDS = [retrieve]
