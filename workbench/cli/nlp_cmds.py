"""CLI for Danish tagging: tag, tag-text, stakeholders, search and pii.

spaCy is imported inside the commands, so ``workbench --help`` stays fast.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from workbench.cli.common import DefaultGroup, json_option, open_project, print_json, print_table
from workbench.core import search as search_core
from workbench.core import stakeholders as sh
from workbench.core.models import SECTORS
from workbench.errors import InvalidInput, NotFoundError

project_arg = click.argument("project", type=click.Path(exists=True, dir_okay=False))
REPO_CODEBOOK = Path(__file__).resolve().parents[2] / "codebooks" / "default.yaml"


# ---------------------------------------------------------------------------------- tag
@click.command()
@project_arg
@click.option("--model", default=None,
              help="An installed trained spaCy pipeline (da_core_news_sm ... DaCy); "
                   "'blank' for the built-in one. Default: project setting spacy_model, "
                   "else $WORKBENCH_SPACY_MODEL, else built-in.")
@click.option("--batch-size", default=16, show_default=True, type=click.IntRange(1, 10_000),
              help="Documents per batch.")
@click.option("--processes", default=None, type=click.IntRange(1, 64),
              help="Worker processes for the pipeline; 1 tags in this process. Default: one "
                   "per core (at most 4) for 200,000 words or more to tag while the cores are "
                   "not busy with other work, else 1.")
@click.option("--force", is_flag=True, help="Tag every document again, even unchanged ones.")
@click.option("--code-model/--no-code-model", "code_model", default=None,
              help="Also suggest the default codes from the lemma model shipped with them, "
                   "besides their indicators (kept as the project setting code_model; on by "
                   "default).")
@json_option
def tag(project: str, model: str | None, batch_size: int, processes: int | None, force: bool,
        code_model: bool | None, as_json: bool) -> None:
    """Tag new and changed documents: lemmas, stakeholders, code suggestions, personal data.

    Large jobs run in worker processes on a machine with free cores (see --processes); the
    results are the same either way. Ctrl-C stops the run: documents already stored stay
    tagged, the rest are tagged by the next run.
    """
    from workbench.nlp.tagging import CODE_MODEL_SETTING, tag_project

    with open_project(project) as proj:
        if code_model is not None and proj.setting(CODE_MODEL_SETTING, True) != code_model:
            proj.set_setting(CODE_MODEL_SETTING, code_model)
        events = tag_project(proj, model=model, batch_size=batch_size, force=force,
                             n_process=processes)
        start = next(events)
        summary: dict = {}
        if start.total and not as_json:
            workers = start.counts.get("processes", 1)
            label = f"Tagging ({workers} processes)" if workers > 1 else "Tagging"
            with click.progressbar(length=start.total, label=label, file=sys.stderr,
                                   show_pos=True, item_show_func=lambda x: x) as bar:
                for event in events:
                    if event.status == "tagged":
                        bar.update(1, event.document)
                    elif event.status == "done":
                        summary = event.counts
        else:
            for event in events:
                if event.status == "done":
                    summary = event.counts
    if as_json:
        print_json(summary)
        return
    if not summary.get("documents"):
        click.echo(f"Nothing to tag: all {summary.get('unchanged', 0)} document(s) are "
                   "tagged and unchanged (use --force to tag them again).")
        return
    workers = summary.get("processes", 1)
    click.echo(
        f"Tagged {summary['documents']} document(s), {summary['words']:,} words in "
        f"{summary['seconds']} s ({summary['words_per_second']:,} words/s"
        f"{f', {workers} processes' if workers > 1 else ''}); "
        f"{summary['unchanged']} unchanged. Found {summary['mentions']} stakeholder mention(s) "
        f"({summary.get('new_stakeholders', 0)} new stakeholder(s)), "
        f"{summary['suggestions']} code suggestion(s), "
        f"{summary['personal_data']} personal-data hit(s).")


# ------------------------------------------------------------------------------ tag-text
@click.command(name="tag-text")
@click.option("--project", "project_path", type=click.Path(exists=True, dir_okay=False),
              default=None, help="Use this project's codes, gazetteer entries and home "
                                 "stakeholders.")
@click.option("--codebook", "codebook_path", type=click.Path(exists=True, dir_okay=False),
              default=None, help="Take indicators from this codebook YAML file.")
@click.option("--model", default=None, help="An installed trained spaCy pipeline to use.")
@click.option("--compact", is_flag=True, help="One-line JSON.")
@click.option("--no-code-model", "no_code_model", is_flag=True,
              help="Suggest codes from their indicators only, without the shipped lemma model.")
def tag_text(project_path: str | None, codebook_path: str | None, model: str | None,
             compact: bool, no_code_model: bool) -> None:
    """Tag text from stdin and print JSON: sentences, tokens with lemmas, stakeholder
    mentions, code suggestions with evidence, and personal-data hits.

    Without --project or --codebook the default codebook (codebooks/default.yaml) gives the
    indicators when it is there.
    """
    import json

    from workbench.nlp.analysis import Resolver, analyse, analysis_to_json
    from workbench.nlp.gazetteer import default_gazetteer
    from workbench.nlp.indicators import code_specs_from_codebook
    from workbench.nlp.pipeline import PipelineSpec, get_pipeline, resolve_model_name
    from workbench.nlp.tagging import home_stakeholders, project_spec

    text = sys.stdin.read()
    home: dict = {}
    if project_path:
        with open_project(project_path) as proj:
            spec = project_spec(proj, model)
            home = home_stakeholders(proj)[0]
        if codebook_path:
            spec.codes = tuple(code_specs_from_codebook(codebook_path))
    else:
        path = codebook_path or (REPO_CODEBOOK if REPO_CODEBOOK.is_file() else None)
        if path is None:
            click.echo("No codebook given and codebooks/default.yaml is not there: no code "
                       "suggestions (use --codebook FILE or --project P).", err=True)
        codes = tuple(code_specs_from_codebook(path)) if path else ()
        spec = PipelineSpec(gazetteer=default_gazetteer(), codes=codes,
                            model=resolve_model_name(None, model))
    if no_code_model:
        spec.code_model = False
    nlp = get_pipeline(spec)
    doc = nlp(text)
    result = analyse(doc, Resolver(spec.gazetteer, home))
    data = analysis_to_json(doc, result, spec.pipeline_id())
    if compact:
        click.echo(json.dumps(data, ensure_ascii=False))
    else:
        print_json(data)


# -------------------------------------------------------------------------- stakeholders
def _key(proj, key: str) -> str | int:
    """A stakeholder the user named: as the project knows it, else via a gazetteer alias
    ("DR" -> Danske Regioner) so that short forms work before the text has used them."""
    try:
        return sh.get_stakeholder(proj, key).id
    except NotFoundError:
        from workbench.nlp.gazetteer import default_gazetteer

        entry = default_gazetteer().get(key)
        if entry is None:
            raise
        return sh.get_stakeholder(proj, entry.name).id


class _StakeholderGroup(DefaultGroup):
    default_command = "list"


@click.group(cls=_StakeholderGroup)
def stakeholders() -> None:
    """Stakeholders found by tagging: 'workbench stakeholders PROJECT' lists them.

    Subcommands confirm, reject, add, rename, merge, set-home, add-gazetteer and show change
    or inspect them; every change is one step that 'workbench undo' reverses.
    """


@stakeholders.command(name="list")
@project_arg
@click.option("--sector", type=click.Choice(SECTORS), default=None, help="Only this sector.")
@click.option("--status", type=click.Choice(sh.STATUSES), default=None, help="Only this status.")
@click.option("--all", "show_all", is_flag=True, help="Also stakeholders with no mentions.")
@json_option
def stakeholders_list(project: str, sector: str | None, status: str | None, show_all: bool,
                      as_json: bool) -> None:
    """List stakeholders with their sector, status and mention counts."""
    with open_project(project) as proj:
        rows = sh.list_stakeholders(proj, sector=sector, status=status,
                                    include_unmentioned=show_all)
    if as_json:
        print_json(rows)
        return
    for row in rows:
        row["aliases"] = ", ".join(row["aliases"][:3]) + ("…" if len(row["aliases"]) > 3 else "")
    print_table(rows, ["id", "name", "sector", "kind", "status", "mentions", "documents",
                       "aliases"],
                empty="No stakeholders yet; run 'workbench tag PROJECT' first.")


@stakeholders.command(name="show")
@project_arg
@click.argument("name")
@click.option("--limit", default=50, show_default=True, help="Mentions to list.")
@json_option
def stakeholders_show(project: str, name: str, limit: int, as_json: bool) -> None:
    """One stakeholder with its aliases and where it is mentioned."""
    with open_project(project) as proj:
        target = sh.get_stakeholder(proj, _key(proj, name))
        mentions = sh.mentions_of(proj, target.id, limit=limit)
    if as_json:
        print_json({"stakeholder": target.__dict__ | {"aliases": list(target.aliases)},
                    "mentions": mentions})
        return
    click.echo(f"{target.name} ({target.sector or 'no sector'}, {target.kind}, {target.status}; "
               f"source {target.source})")
    if target.aliases:
        click.echo("Aliases: " + ", ".join(target.aliases))
    print_table(mentions, ["document", "start", "end", "surface"], empty="No mentions.")


@stakeholders.command(name="confirm")
@project_arg
@click.argument("names", nargs=-1, required=True)
def stakeholders_confirm(project: str, names: tuple[str, ...]) -> None:
    """Confirm stakeholders (by name, alias or id)."""
    with open_project(project) as proj:
        done = sh.confirm(proj, [_key(proj, n) for n in names])
    click.echo("Confirmed: " + ", ".join(s.name for s in done))


@stakeholders.command(name="reject")
@project_arg
@click.argument("names", nargs=-1, required=True)
def stakeholders_reject(project: str, names: tuple[str, ...]) -> None:
    """Reject stakeholders: not stakeholders; tagging stores no mentions of them."""
    with open_project(project) as proj:
        done = sh.reject(proj, [_key(proj, n) for n in names])
    click.echo("Rejected: " + ", ".join(s.name for s in done)
               + ". Their mentions go at the next 'workbench tag --force'.")


@stakeholders.command(name="add")
@project_arg
@click.argument("name")
@click.option("--sector", type=click.Choice(SECTORS), required=True)
@click.option("--kind", type=click.Choice(sh.KINDS), default="organisation", show_default=True)
@click.option("--alias", "aliases", multiple=True, help="Another name (repeatable).")
def stakeholders_add(project: str, name: str, sector: str, kind: str,
                     aliases: tuple[str, ...]) -> None:
    """Add a stakeholder of your own; the next 'workbench tag' finds its name and aliases."""
    with open_project(project) as proj:
        added = sh.add(proj, name, sector=sector, kind=kind, aliases=aliases)
    click.echo(f"Added {added.name} ({added.sector}). Run 'workbench tag {project}' to find it.")


@stakeholders.command(name="rename")
@project_arg
@click.argument("old")
@click.argument("new")
def stakeholders_rename(project: str, old: str, new: str) -> None:
    """Rename a stakeholder (the old name stays as an alias)."""
    with open_project(project) as proj:
        renamed = sh.rename(proj, _key(proj, old), new)
    click.echo(f"Renamed to {renamed.name}; aliases: {', '.join(renamed.aliases)}.")


@stakeholders.command(name="merge")
@project_arg
@click.argument("sources", nargs=-1, required=True)
@click.option("--into", "target", required=True, help="The stakeholder that stays.")
def stakeholders_merge(project: str, sources: tuple[str, ...], target: str) -> None:
    """Merge stakeholders into one (mentions move, names become aliases)."""
    with open_project(project) as proj:
        merged = sh.merge(proj, [_key(proj, k) for k in sources], _key(proj, target))
    click.echo(f"Merged into {merged.name}; aliases: {', '.join(merged.aliases)}.")


@stakeholders.command(name="set-home")
@project_arg
@click.argument("sector", type=click.Choice(SECTORS))
@click.argument("name", required=False)
@click.option("--case", default=None, help="Only for this case.")
def stakeholders_set_home(project: str, sector: str, name: str | None,
                          case: str | None) -> None:
    """Say what 'regionen', 'kommunen' or 'hospitalet' means (omit NAME to clear)."""
    with open_project(project) as proj:
        home = sh.set_home(proj, sector, name, case=case)
    where = f"case {case}" if case else "the project"
    click.echo(f"Home stakeholders of {where}: "
               + (", ".join(f"{k} = {v}" for k, v in home.items()) or "none")
               + f". Run 'workbench tag {project}' to apply.")


@stakeholders.command(name="add-gazetteer")
@project_arg
@click.argument("file", type=click.Path(dir_okay=False))
def stakeholders_add_gazetteer(project: str, file: str) -> None:
    """Add your own gazetteer entries (YAML list of name, sector, kind, aliases)."""
    from workbench.nlp.gazetteer import load_yaml_file

    entries = load_yaml_file(file)
    if not entries:
        raise InvalidInput(f"{file} has no entries; list entries with name, sector and aliases.")
    with open_project(project) as proj:
        counts = sh.add_gazetteer_entries(proj, [e.as_dict() for e in entries],
                                          where=Path(file).name)
    click.echo(f"Added {counts['added']} and updated {counts['updated']} stakeholder(s) from "
               f"{file}. Run 'workbench tag {project}' to find them.")


# -------------------------------------------------------------------------------- search
@click.command()
@project_arg
@click.argument("query")
@click.option("--lemma", is_flag=True, help="Match lemmas: 'konflikt' finds 'konflikterne'.")
@click.option("--prefix", is_flag=True, help="Words are prefixes: 'sundhed' finds "
                                             "'sundhedsvæsnet'.")
@click.option("--kwic", "width", default=40, show_default=True, type=click.IntRange(5, 500),
              help="Characters of context on each side.")
@click.option("--code", default=None, help="Only inside passages coded with this code.")
@click.option("--limit", default=200, show_default=True, type=click.IntRange(1, 1_000_000),
              help="At most this many hits.")
@json_option
def search(project: str, query: str, lemma: bool, prefix: bool, width: int, code: str | None,
           limit: int, as_json: bool) -> None:
    """Search segments and print keyword-in-context lines with the match centred."""
    lemma_query = None
    if lemma:
        from workbench.nlp.lemmas import lemmatise_word

        lemma_query = [lemmatise_word(w) for w, _ in search_core.query_words(query)]
    with open_project(project) as proj:
        hits = search_core.search(proj, query, lemma=lemma, lemma_query=lemma_query,
                                  prefix=prefix, code=code, width=width, limit=limit)
    if as_json:
        print_json([h.as_dict() for h in hits])
        return
    if not hits:
        click.echo("No matches.")
        return
    name_width = min(30, max(len(h.document) for h in hits))
    for h in hits:
        where = f"{h.document[:name_width]:<{name_width}} {h.start:>7}"
        click.echo(f"{where}  {h.left} [{h.match}] {h.right}")
    more = " (limit reached; use --limit)" if len(hits) >= limit else ""
    click.echo(f"{len(hits)} match(es){more}.", err=True)


# ----------------------------------------------------------------------------------- pii
@click.command()
@project_arg
@click.option("--kind", type=click.Choice(["email", "phone", "cpr", "name"]), default=None)
@click.option("--document", default=None, help="Only this document (name or id).")
@json_option
def pii(project: str, kind: str | None, document: str | None, as_json: bool) -> None:
    """Personal data found by tagging: e-mail, phone, CPR numbers and person names."""
    from workbench.core.documents import get_document

    with open_project(project) as proj:
        sql = ('SELECT p.id, d.name AS document, p.kind, p.start, p."end", p.surface '
               "FROM personal_data p JOIN documents d ON d.id = p.document_id")
        where, params = [], []
        if kind:
            where.append("p.kind = ?")
            params.append(kind)
        if document:
            where.append("p.document_id = ?")
            params.append(get_document(proj, document).id)
        if where:
            sql += " WHERE " + " AND ".join(where)
        rows = proj.rows(sql + " ORDER BY d.name, p.start", params)
        tagged = proj.conn.execute("SELECT COUNT(*) FROM tagged_documents").fetchone()[0]
    if as_json:
        print_json(rows)
        return
    if not tagged:
        click.echo(f"Nothing tagged yet; run 'workbench tag {project}' first.")
        return
    print_table(rows, ["document", "kind", "start", "end", "surface"],
                empty="No personal data found.")


COMMANDS = [tag, tag_text, stakeholders, search, pii]
