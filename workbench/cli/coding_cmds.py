"""Codebook, coding, autocoding, undo/redo and history commands."""

from __future__ import annotations

import click

from workbench.cli.common import (
    DefaultGroup,
    coder_option,
    json_option,
    open_project,
    print_json,
    print_table,
)
from workbench.core import autocode as autocode_core
from workbench.core import codebook as codebook_core
from workbench.core import codings as codings_core
from workbench.core import history as history_core
from workbench.core.documents import get_document, segments_of
from workbench.core.spans import find_text
from workbench.errors import InvalidInput

project_arg = click.argument("project", type=click.Path(exists=True, dir_okay=False))


# ------------------------------------------------------------------------------ codebook
@click.group(cls=DefaultGroup)
def codebook() -> None:
    """Show and edit the codebook: 'workbench codebook PROJECT' prints the tree with counts."""


@codebook.command(name="show")
@project_arg
@json_option
def codebook_show(project: str, as_json: bool) -> None:
    """Print the code tree with hotkeys and counts."""
    with open_project(project) as proj:
        rows = codebook_core.codebook_tree(proj)
    if as_json:
        print_json(rows)
        return
    for row in rows:
        row["code"] = "  " * row["depth"] + row["name"]
        row["label"] = " / ".join(x for x in (row["label_da"], row["label_en"]) if x)
        row["key"] = row["hotkey"] or ""
    print_table(rows, ["key", "code", "label", "codings", "documents", "colour"],
                empty="The codebook is empty; load one with 'workbench codebook import'.")


@codebook.command(name="import")
@project_arg
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@coder_option
def codebook_import(project: str, file: str, coder: str | None) -> None:
    """Load codes from a YAML or REFI-QDA .qdc FILE (matched by guid, then name)."""
    from workbench.exporters.codebooks import import_codebook_file

    with open_project(project, coder) as proj:
        count = import_codebook_file(proj, file)
    click.echo(f"Loaded {count} codes from {file}.")


@codebook.command(name="export")
@project_arg
@click.argument("file", type=click.Path(dir_okay=False))
def codebook_export(project: str, file: str) -> None:
    """Write the codebook to FILE (.yaml or REFI-QDA .qdc), with stable guids."""
    from workbench.exporters.codebooks import export_codebook_file

    with open_project(project) as proj:
        count = export_codebook_file(proj, file)
    click.echo(f"Wrote {count} codes to {file}.")


_FIELD_OPTIONS = [
    click.option("--label-da", help="Danish label."),
    click.option("--label-en", help="English label."),
    click.option("--definition", help="What the code means."),
    click.option("--when-to-use", help="When to apply it."),
    click.option("--when-not-to-use", help="When not to apply it."),
    click.option("--example", help="An example quote."),
    click.option("--colour", "--color", "colour", help="Hex colour such as #c62828."),
    click.option("--hotkey", help="One digit or letter for coding in the app."),
    click.option("--indicators", help="Comma-separated indicator lemmas."),
]


def _field_options(func):
    for option in reversed(_FIELD_OPTIONS):
        func = option(func)
    return func


def _fields(values: dict) -> dict:
    fields = {k: v for k, v in values.items() if v is not None}
    if "indicators" in fields:
        fields["indicators"] = [w.strip() for w in fields["indicators"].split(",") if w.strip()]
    return fields


@codebook.command(name="add")
@project_arg
@click.argument("name")
@click.option("--parent", help="The code to put it under.")
@_field_options
@coder_option
def codebook_add(project: str, name: str, parent: str | None, coder: str | None,
                 **values) -> None:
    """Add a code NAME."""
    with open_project(project, coder) as proj:
        codebook_core.add_code(proj, name, parent=parent, **_fields(values))
    click.echo(f"Added code '{name}'" + (f" under '{parent}'." if parent else "."))


@codebook.command(name="edit")
@project_arg
@click.argument("code")
@click.option("--name", help="A new name (rename).")
@_field_options
@coder_option
def codebook_edit(project: str, code: str, coder: str | None, **values) -> None:
    """Change a CODE's name, labels, definitions, colour, hotkey or indicators."""
    fields = _fields(values)
    if not fields:
        raise InvalidInput("Nothing to change; give at least one option, e.g. --colour.")
    with open_project(project, coder) as proj:
        updated = codebook_core.update_code(proj, code, **fields)
    click.echo(f"Updated code '{updated.name}': {', '.join(fields)}.")


@codebook.command(name="rename")
@project_arg
@click.argument("code")
@click.argument("new_name")
@coder_option
def codebook_rename(project: str, code: str, new_name: str, coder: str | None) -> None:
    """Rename CODE to NEW_NAME (codings stay)."""
    with open_project(project, coder) as proj:
        codebook_core.rename_code(proj, code, new_name)
    click.echo(f"Renamed '{code}' to '{new_name}'.")


@codebook.command(name="move")
@project_arg
@click.argument("code")
@click.option("--parent", help="The new parent; leave out to move to the top level.")
@coder_option
def codebook_move(project: str, code: str, parent: str | None, coder: str | None) -> None:
    """Move CODE under another code (or to the top level)."""
    with open_project(project, coder) as proj:
        codebook_core.move_code(proj, code, parent)
    click.echo(f"Moved '{code}' " + (f"under '{parent}'." if parent else "to the top level."))


@codebook.command(name="merge")
@project_arg
@click.argument("source")
@click.argument("target")
@coder_option
def codebook_merge(project: str, source: str, target: str, coder: str | None) -> None:
    """Merge SOURCE into TARGET: codings and sub-codes follow, SOURCE is removed."""
    with open_project(project, coder) as proj:
        moved = codebook_core.merge_codes(proj, source, target)
    click.echo(f"Merged '{source}' into '{target}': {moved} coding(s) moved. "
               "'workbench undo' reverses it.")


@codebook.command(name="delete")
@project_arg
@click.argument("code")
@click.option("--force", is_flag=True, help="Delete its codings too.")
@coder_option
def codebook_delete(project: str, code: str, force: bool, coder: str | None) -> None:
    """Delete CODE and its sub-codes (refused while codings exist unless --force)."""
    with open_project(project, coder) as proj:
        removed = codebook_core.delete_code(proj, code, force=force)
    click.echo(f"Deleted code '{code}'" + (f" and {removed} coding(s)." if removed else "."))


@codebook.command(name="snapshot")
@project_arg
@click.option("--cycle", type=int, help="The action-research cycle this snapshot closes.")
@click.option("--label", help="A name for the snapshot.")
@coder_option
def codebook_snapshot(project: str, cycle: int | None, label: str | None,
                      coder: str | None) -> None:
    """Store the codebook as it is now (e.g. at the end of a cycle)."""
    with open_project(project, coder) as proj:
        snap_id = codebook_core.snapshot(proj, cycle=cycle, label=label)
    click.echo(f"Stored codebook snapshot {snap_id}"
               + (f" for cycle {cycle}." if cycle else "."))


@codebook.command(name="snapshots")
@project_arg
@json_option
def codebook_snapshots(project: str, as_json: bool) -> None:
    """List the stored codebook snapshots."""
    with open_project(project) as proj:
        rows = codebook_core.list_snapshots(proj)
    if as_json:
        print_json(rows)
    else:
        print_table(rows, ["id", "label", "cycle", "codes", "author", "created_at"],
                    empty="No snapshots yet; make one with 'workbench codebook snapshot'.")


@codebook.command(name="compare")
@project_arg
@click.argument("old")
@click.argument("new", required=False)
@json_option
def codebook_compare(project: str, old: str, new: str | None, as_json: bool) -> None:
    """Compare snapshot OLD with NEW (or with the current codebook); by id, label or cycle."""
    with open_project(project) as proj:
        rows = codebook_core.compare_snapshots(proj, old, new)
    if as_json:
        print_json(rows)
    else:
        print_table(rows, ["change", "code", "detail"], empty="No differences.")


# ------------------------------------------------------------------------------ coding
def _resolve_span(proj, document: str, start: int | None, end: int | None, find: str | None,
                  nth: int, segment: int | None) -> tuple[int, int, int]:
    doc = get_document(proj, document)
    chosen = sum(x is not None for x in (find, segment)) + (start is not None or end is not None)
    if chosen != 1:
        raise InvalidInput("Say which passage: --start N --end M, --find TEXT, or --segment ID.")
    if find is not None:
        s, e = find_text(doc.text, find, nth, document=f"'{doc.name}'")
        return doc.id, s, e
    if segment is not None:
        segs = [s for s in segments_of(proj, doc.id) if s.id == segment or s.ordinal == segment]
        if not segs:
            raise InvalidInput(f"'{doc.name}' has no segment {segment}; "
                               "see 'workbench show --json' for segment ids.")
        return doc.id, segs[0].start, segs[0].end
    if start is None or end is None:
        raise InvalidInput("Give both --start and --end.")
    return doc.id, start, end


_SPAN_OPTIONS = [
    click.option("--start", type=int, help="Start offset (code points, 0-based)."),
    click.option("--end", type=int, help="End offset (exclusive)."),
    click.option("--find", help="Text to find in the document (case-insensitive)."),
    click.option("--nth", type=int, default=1, show_default=True,
                 help="Which occurrence of --find."),
    click.option("--segment", type=int, help="A segment id (or its number in the document)."),
]


def _span_options(func):
    for option in reversed(_SPAN_OPTIONS):
        func = option(func)
    return func


@click.command()
@project_arg
@click.argument("document")
@click.option("--code", "code", help="The code to apply.")
@_span_options
@click.option("--snap", type=click.Choice(["word", "sentence", "turn"]),
              help="Widen the span to whole words, sentences or turns.")
@click.option("--in-vivo", is_flag=True, help="Create a code named from the passage and apply it.")
@click.option("--memo", default="", help="A memo on this coding.")
@coder_option
@json_option
def code(project: str, document: str, code: str | None, start: int | None, end: int | None,
         find: str | None, nth: int, segment: int | None, snap: str | None, in_vivo: bool,
         memo: str, coder: str | None, as_json: bool) -> None:
    """Code a passage of DOCUMENT with --code (or --in-vivo)."""
    if not code and not in_vivo:
        raise InvalidInput("Say which code to apply with --code, or use --in-vivo.")
    with open_project(project, coder) as proj:
        doc_id, s, e = _resolve_span(proj, document, start, end, find, nth, segment)
        if in_vivo:
            _, coding_id = codings_core.in_vivo(proj, doc_id, s, e, coder=coder,
                                                snap_to=snap or "word")
        else:
            coding_id = codings_core.add_coding(proj, doc_id, s, e, code, coder=coder,
                                                memo=memo, snap_to=snap)
        row = codings_core.list_codings(proj, document=doc_id)
        row = next(r for r in row if r["id"] == coding_id)
    if as_json:
        print_json(row)
    else:
        click.echo(f"Coded {row['document']} {row['start']}-{row['end']} as {row['code']} "
                   f"(coding {coding_id}, {row['coder']}): “{' '.join(row['text'].split())}”")


@click.command()
@project_arg
@click.argument("document", required=False)
@click.option("--id", "coding_id", type=int, help="Remove this coding.")
@click.option("--code", "code", help="Remove this code's codings on the passage.")
@_span_options
@coder_option
def uncode(project: str, document: str | None, coding_id: int | None, code: str | None,
           start: int | None, end: int | None, find: str | None, nth: int,
           segment: int | None, coder: str | None) -> None:
    """Remove a coding (--id), or a code's codings overlapping a passage of DOCUMENT."""
    with open_project(project, coder) as proj:
        if coding_id is not None:
            codings_core.remove_coding(proj, coding_id)
            click.echo(f"Removed coding {coding_id}.")
            return
        if not document or not code:
            raise InvalidInput("Give --id ID, or DOCUMENT with --code and the passage.")
        doc_id, s, e = _resolve_span(proj, document, start, end, find, nth, segment)
        count = codings_core.uncode(proj, doc_id, code, s, e, coder=coder)
    click.echo(f"Removed {count} coding(s) of '{code}'.")


@click.command()
@project_arg
@click.option("--document", help="Only this document.")
@click.option("--code", "code", help="Only this code.")
@click.option("--subcodes", is_flag=True, help="With --code: include its sub-codes.")
@click.option("--coder", help="Only this coder's codings.")
@click.option("--origin", type=click.Choice(["manual", "autocode", "suggestion", "import"]))
@click.option("--case", help="Only documents of this case.")
@click.option("--cycle", type=int, help="Only documents of this cycle.")
@json_option
def codings(project: str, document: str | None, code: str | None, subcodes: bool,
            coder: str | None, origin: str | None, case: str | None, cycle: int | None,
            as_json: bool) -> None:
    """List codings with their quotes."""
    with open_project(project) as proj:
        rows = codings_core.list_codings(proj, document=document, code=code, coder=coder,
                                         origin=origin, case=case, cycle=cycle,
                                         include_subcodes=subcodes)
    if as_json:
        print_json(rows)
        return
    for row in rows:
        quote = " ".join(row["text"].split())
        row["quote"] = quote if len(quote) <= 70 else quote[:69] + "…"
    print_table(rows, ["id", "document", "start", "end", "code", "coder", "origin", "quote"],
                empty="No codings match.")


@click.command()
@project_arg
@click.option("--code", "code", required=True, help="The code to apply.")
@click.option("--keyword", "keywords", multiple=True,
              help="A keyword (repeatable; 'tillid*' matches compounds). By lemma when the "
                   "Danish pipeline is available, so 'konflikt' finds 'konflikterne'.")
@click.option("--regex", help="A regular expression (Python syntax, case-insensitive).")
@click.option("--speaker", help="Every turn of this speaker label or participant.")
@click.option("--role", help="Every turn of participants with this role.")
@click.option("--document", help="Only this document.")
@click.option("--scope", type=click.Choice(autocode_core.SCOPES), default=None,
              help="What to code around each hit (default: segment for keywords and regex).")
@click.option("--window", type=int, default=100, show_default=True,
              help="Characters on each side with --scope window.")
@click.option("--by-word", is_flag=True, help="Match keywords as written, not by lemma.")
@click.option("--dry-run", is_flag=True, help="Show the hits without coding them.")
@coder_option
@json_option
def autocode(project: str, code: str, keywords: tuple[str, ...], regex: str | None,
             speaker: str | None, role: str | None, document: str | None, scope: str | None,
             window: int, by_word: bool, dry_run: bool, coder: str | None,
             as_json: bool) -> None:
    """Code every passage found by keyword, regex or speaker, as one undoable step."""
    if sum(bool(x) for x in (keywords, regex, speaker or role)) != 1:
        raise InvalidInput("Give exactly one of --keyword, --regex, or --speaker/--role.")
    with open_project(project, coder) as proj:
        codebook_core.get_code(proj, code)
        if keywords:
            lemmatiser = None if by_word else _lemmatiser()
            hits = autocode_core.keyword_hits(proj, list(keywords), document=document,
                                              lemmatiser=lemmatiser)
            how = "keyword " + ", ".join(keywords)
        elif regex:
            hits = autocode_core.regex_hits(proj, regex, document=document)
            how = f"regex {regex}"
        else:
            hits = autocode_core.speaker_hits(proj, speaker=speaker, role=role,
                                              document=document)
            how = f"speaker {speaker}" if speaker else f"role {role}"
            scope = scope or "match"
        passages = autocode_core.expand(proj, hits, scope or "segment", window)
        texts = {}
        for hit in passages:
            if hit.document_id not in texts:
                texts[hit.document_id] = get_document(proj, hit.document_id).text
        rows = [{"document": h.document, "start": h.start, "end": h.end, "matched": h.matched,
                 "text": texts[h.document_id][h.start:h.end]} for h in passages]
        if dry_run:
            if as_json:
                print_json(rows)
                return
            for row in rows:
                quote = " ".join(row["text"].split())
                click.echo(f"{row['document']} {row['start']}-{row['end']} [{row['matched']}]: "
                           f"{quote[:100]}{'…' if len(quote) > 100 else ''}")
            click.echo(f"{len(rows)} passage(s) would be coded as {code} (dry run: nothing "
                       "changed).")
            return
        added, skipped = autocode_core.apply(proj, passages, code, coder=coder, description=how)
    if as_json:
        print_json({"added": added, "skipped": skipped, "passages": rows})
    else:
        click.echo(f"Coded {added} passage(s) as {code}"
                   + (f"; {skipped} already coded were left alone" if skipped else "")
                   + ". 'workbench undo' reverses the whole run.")


def _lemmatiser():
    """The Danish pipeline's lemmatiser, or None when the NLP layer is not available."""
    try:
        from workbench.nlp.pipeline import lemmatiser
    except ImportError:
        return None
    return lemmatiser()


# ------------------------------------------------------------------------------ history
@click.command()
@project_arg
@coder_option
def undo(project: str, coder: str | None) -> None:
    """Undo the last change (also after the project was closed and reopened)."""
    with open_project(project, coder) as proj:
        entry = history_core.undo(proj)
    click.echo(f"Undid: {entry['summary']} ({entry['who']}, {entry['at']}).")


@click.command()
@project_arg
@coder_option
def redo(project: str, coder: str | None) -> None:
    """Redo the last undone change."""
    with open_project(project, coder) as proj:
        entry = history_core.redo(proj)
    click.echo(f"Redid: {entry['summary']} ({entry['who']}, {entry['at']}).")


@click.command()
@project_arg
@click.option("--limit", type=int, default=50, show_default=True, help="How many entries (0: all).")
@json_option
def history(project: str, limit: int, as_json: bool) -> None:
    """List the changes made to the project, newest first, with who and when."""
    with open_project(project) as proj:
        rows = history_core.list_history(proj, limit or None)
    if as_json:
        print_json(rows)
    else:
        print_table(rows, ["id", "at", "who", "state", "summary"], empty="No history yet.")


COMMANDS = [codebook, code, uncode, codings, autocode, undo, redo, history]
