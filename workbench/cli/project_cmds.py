"""Commands for project files, importing and reading: init, import, documents, show, ..."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from workbench.cli.common import json_option, open_project, print_json, print_table
from workbench.core import cases as cases_core
from workbench.core import documents as documents_core
from workbench.core.models import DOCUMENT_KINDS
from workbench.core.store import Project
from workbench.errors import WorkbenchError


def format_time(seconds: float | None) -> str:
    """Seconds as HH:MM:SS (empty for None)."""
    if seconds is None:
        return ""
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


@click.command()
@click.argument("project", type=click.Path(dir_okay=False))
@click.option("--codebook", type=click.Path(exists=True, dir_okay=False),
              help="A codebook YAML (or REFI-QDA .qdc) to start from, e.g. codebooks/default.yaml.")
@click.option("--coder", help="The project's default coder name.")
def init(project: str, codebook: str | None, coder: str | None) -> None:
    """Create a new project file PROJECT."""
    with Project.create(project) as proj:
        if coder:
            proj.set_setting("default_coder", coder)
        message = f"Created {project}."
        if codebook:
            from workbench.exporters.codebooks import import_codebook_file

            count = import_codebook_file(proj, codebook)
            message += f" Loaded {count} codes from {codebook}."
    click.echo(message)


@click.command(name="import")
@click.argument("project", type=click.Path(dir_okay=False))
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--case", help="Case (partnership or site) for every file without one in --meta.")
@click.option("--cycle", type=int, help="Action-research cycle number for these files.")
@click.option("--kind", type=click.Choice(DOCUMENT_KINDS), help="Document kind for these files.")
@click.option("--meta", "meta_file", type=click.Path(exists=True, dir_okay=False),
              help="CSV or YAML mapping file names to participant, role, organisation, "
                   "sector, case, cycle, date, kind.")
@json_option
def import_(project: str, paths: tuple[str, ...], case: str | None, cycle: int | None,
            kind: str | None, meta_file: str | None, as_json: bool) -> None:
    """Import files and folders (recursively) into PROJECT.

    Reads .txt, .md, .docx, .odt, .pdf, .vtt and .srt. Each file is imported in its own
    transaction: a bad file is named with what is wrong and skipped, every good file is
    imported, and the exit code is 1 if any file failed. Files imported before (same content)
    are skipped.
    """
    from workbench.importers.batch import collect_files, import_paths

    with open_project(project) as proj:
        total = len(collect_files(paths, exclude=[Path(meta_file)] if meta_file else []))
        events = []
        show_bar = sys.stderr.isatty() and total > 3 and not as_json
        stream = import_paths(proj, paths, case=case, cycle=cycle, kind=kind,
                              meta_file=meta_file)
        if show_bar:
            with click.progressbar(length=total, label="Importing", file=sys.stderr) as bar:
                for event in stream:
                    events.append(event)
                    bar.update(1)
        else:
            events = list(stream)
    failed = [e for e in events if e.status == "failed"]
    if as_json:
        print_json([{"status": e.status, "path": str(e.path), "message": e.message,
                     "document_id": e.document_id} for e in events])
    else:
        for event in events:
            if event.status != "failed":
                click.echo(event.message)
        counts = {s: sum(1 for e in events if e.status == s)
                  for s in ("imported", "skipped", "failed")}
        click.echo(f"{counts['imported']} imported, {counts['skipped']} skipped, "
                   f"{counts['failed']} failed.")
    for event in failed:
        click.echo(f"error: {event.message}", err=True)
    if failed:
        sys.exit(1)


@click.command()
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@json_option
def documents(project: str, as_json: bool) -> None:
    """List the documents in PROJECT with kind, case, cycle, participant and size."""
    with open_project(project) as proj:
        rows = documents_core.list_documents(proj)
        for row in rows:
            row["coded_pct"] = round(100 * documents_core.coded_share(proj, row["id"]), 1)
    if as_json:
        print_json(rows)
    else:
        print_table(rows, ["id", "name", "kind", "case", "cycle", "participant", "role",
                           "words", "segments", "codings", "coded_pct"],
                    ["id", "name", "kind", "case", "cycle", "participant", "role", "words",
                     "segments", "codings", "coded %"], empty="No documents yet.")


@click.command()
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.argument("document")
@click.option("--original", is_flag=True, help="Show the text as extracted, before repairs.")
@click.option("--repairs", is_flag=True, help="List the repairs made to the extracted text.")
@json_option
def show(project: str, document: str, original: bool, repairs: bool, as_json: bool) -> None:
    """Print a DOCUMENT (by name or id) with its speaker turns or paragraphs."""
    with open_project(project) as proj:
        doc = documents_core.get_document(proj, document)
        segments = documents_core.segments_of(proj, doc.id)
        labels = {r["id"]: r["label"] for r in proj.rows("SELECT id, label FROM participants")}
    if as_json:
        print_json({
            "document": {k: v for k, v in doc.__dict__.items()
                         if k not in ("text", "original_text")} | {"text": doc.text},
            "segments": [s.__dict__ | {"text": doc.text[s.start:s.end],
                                       "participant": labels.get(s.participant_id)}
                         for s in segments],
        })
        return
    if repairs:
        if not doc.repairs:
            click.echo("No repairs were made to this document's text.")
        for rep in doc.repairs:
            click.echo(f"{rep['rule']}: {rep['count']}")
            for example in rep.get("examples", [])[:5]:
                click.echo(f"    {example}")
        return
    if original:
        click.echo(doc.original_text or doc.text)
        return
    click.echo(f"# {doc.name} ({doc.kind}, {doc.word_count} words, {doc.source_name})")
    for seg in segments:
        text = doc.text[seg.start:seg.end]
        if seg.kind == "turn":
            stamp = f"[{format_time(seg.start_time)}] " if seg.start_time is not None else ""
            who = seg.speaker or "?"
            if seg.participant_id and labels.get(seg.participant_id) != who:
                who = f"{who} ({labels[seg.participant_id]})"
            click.echo(f"\n{stamp}{who}: {text}")
        elif seg.kind == "quote":
            click.echo(f"\n    ” {text} ”" + (f"  — {seg.role}" if seg.role else ""))
        elif seg.kind == "heading":
            click.echo(f"\n## {text}")
        else:
            click.echo(f"\n{text}")


@click.command()
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@json_option
def participants(project: str, as_json: bool) -> None:
    """List the participants (informants) in PROJECT."""
    with open_project(project) as proj:
        rows = cases_core.list_participants(proj)
    if as_json:
        print_json(rows)
    else:
        print_table(rows, ["label", "role", "organisation", "sector", "case", "documents",
                           "turns"], empty="No participants yet.")


@click.command()
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@json_option
def cases(project: str, as_json: bool) -> None:
    """List the cases (partnerships or sites) in PROJECT."""
    with open_project(project) as proj:
        rows = cases_core.list_cases(proj)
    if as_json:
        print_json(rows)
    else:
        print_table(rows, ["name", "documents", "participants", "words"],
                    empty="No cases yet.")


def repo_root() -> Path:
    """The folder holding corpora/ and codebooks/ (the checkout the package runs from)."""
    return Path(__file__).resolve().parents[2]


def build_demo(path: Path, corpus: Path) -> list[str]:
    """Create the demo project from the corpus folder unless it exists; return messages."""
    from workbench.importers.batch import import_paths

    messages = []
    if path.exists():
        return [f"Using the existing demo project {path} (delete it to rebuild)."]
    path.parent.mkdir(parents=True, exist_ok=True)
    codebook = repo_root() / "codebooks" / "default.yaml"
    with Project.create(path) as proj:
        proj.set_setting("default_coder", "demo")
        if codebook.exists():
            from workbench.exporters.codebooks import import_codebook_file

            count = import_codebook_file(proj, codebook)
            messages.append(f"Loaded {count} codes from {codebook.name}.")
        meta = corpus / "metadata.yaml"
        for event in import_paths(proj, [corpus], meta_file=meta if meta.exists() else None):
            if event.status == "failed":
                messages.append(f"error: {event.message}")
        docs = documents_core.list_documents(proj)
        messages.append(f"Built {path}: {len(docs)} documents, "
                        f"{sum(d['words'] for d in docs)} words.")
        _configure_stakeholders(proj, corpus)
        click.echo("Tagging the demo documents (stakeholders, suggestions, personal data)…",
                   err=True)
        from workbench.nlp.tagging import run as tag_all

        counts = tag_all(proj)
        messages.append(f"Tagged: {counts.get('mentions', 0)} stakeholder mentions, "
                        f"{counts.get('suggestions', 0)} code suggestions.")
    return messages


# What "regionen", "kommunen" and "hospitalet" mean in each of the corpus's two partnerships.
DEMO_HOMES = {
    "Ældreforløb Vest": {"region": "Region Midtjylland", "municipality": "Herning Kommune",
                         "hospital": "Hospitalsenheden Vest"},
    "Ung Trivsel København": {"region": "Region Hovedstaden",
                              "municipality": "Frederiksberg Kommune",
                              "hospital": "Børne- og Ungdomspsykiatrisk Center"},
}


def _configure_stakeholders(proj: Project, corpus: Path) -> None:
    """Load the corpus's own gazetteer and say what the generic actors mean per case."""
    from workbench.core import stakeholders
    from workbench.nlp.gazetteer import load_yaml_file

    gazetteer = corpus / "gazetteer.yaml"
    if gazetteer.exists():
        stakeholders.add_gazetteer_entries(
            proj, [e.as_dict() for e in load_yaml_file(gazetteer)], where=gazetteer.name)
    known_cases = {c["name"] for c in cases_core.list_cases(proj)}
    for case, homes in DEMO_HOMES.items():
        if case in known_cases:
            for sector, name in homes.items():
                stakeholders.set_home(proj, sector, name, case=case)


@click.command()
@click.option("--project", "project_path", default="demo/demo.wbp", show_default=True,
              type=click.Path(dir_okay=False), help="Where the demo project is built.")
@click.option("--corpus", type=click.Path(exists=True, file_okay=False),
              help="The folder to import (default: corpora/ of this checkout).")
@click.option("--no-tui", is_flag=True, help="Build the project and print its summary only.")
def demo(project_path: str, corpus: str | None, no_tui: bool) -> None:
    """Build a demo project from corpora/ and open it."""
    corpus_dir = Path(corpus) if corpus else repo_root() / "corpora"
    if not corpus_dir.is_dir():
        raise WorkbenchError(f"{corpus_dir} does not exist; give the corpus folder with --corpus.")
    for message in build_demo(Path(project_path), corpus_dir):
        click.echo(message, err=message.startswith("error"))
    _open(project_path, summary_only=no_tui)


def _open(project_path: str, *, summary_only: bool = False) -> None:
    try:
        from workbench.tui.app import run_app
    except ImportError:
        run_app = None
    if run_app is None or summary_only or not sys.stdout.isatty():
        with open_project(project_path) as proj:
            rows = documents_core.list_documents(proj)
            print_table(rows, ["id", "name", "kind", "case", "cycle", "participant", "words",
                               "segments"], empty="No documents yet.")
        return
    run_app(project_path)


@click.command(name="open")
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
def open_(project: str) -> None:
    """Open PROJECT in the coding app (the same as 'workbench PROJECT')."""
    Project.open(project).close()  # clear errors before the app starts
    _open(project)


COMMANDS = [init, import_, documents, show, participants, cases, demo, open_]
