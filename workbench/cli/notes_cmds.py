"""Commands for memos and action-research cycles: memo add|list|show|edit|delete, cycle ..."""

from __future__ import annotations

import sys

import click

from workbench.cli.common import json_option, open_project, print_json, print_table
from workbench.core import cases as cases_core
from workbench.core import memos as memos_core
from workbench.core.models import CYCLE_PHASES, MEMO_KINDS
from workbench.errors import InvalidInput

project_arg = click.argument("project", type=click.Path(exists=True, dir_okay=False))

# Options naming what a memo is about; at most one of them (a lone --cycle is the target too).
_TARGET_OPTIONS = ("document", "code", "coding", "participant", "stakeholder")


def target_options(func):
    """Add --document/--code/--coding/--participant/--stakeholder/--cycle to a command."""
    options = [
        click.option("--document", help="The document (name or id) the memo is about."),
        click.option("--code", help="The code (name or Danish label) the memo is about."),
        click.option("--coding", help="The coding (id) the memo is about."),
        click.option("--participant", help="The participant (label, e.g. P03) it is about."),
        click.option("--stakeholder", help="The stakeholder (name) the memo is about."),
        click.option("--cycle", help="The cycle number the memo belongs to; alone, the memo "
                                     "is about that cycle."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _target(values: dict[str, str | None]) -> tuple[str | None, str | None]:
    """(target type, reference) from the target options; (None, None) when none was given."""
    given = [(name, values[name]) for name in _TARGET_OPTIONS if values.get(name)]
    if len(given) > 1:
        listed = " and ".join(f"--{name}" for name, _ in given)
        raise InvalidInput(f"A memo is about one thing; give only one of {listed}.")
    if given:
        return given[0]
    if values.get("cycle"):
        return "cycle", values["cycle"]
    return None, None


def _read_text(text: str | None, file: click.File | None) -> str | None:
    """The text from --text (``-`` reads stdin) or --file (``-`` reads stdin), else None."""
    if text is not None and file is not None:
        raise InvalidInput("Give the memo text with --text or with --file, not both.")
    if text == "-":
        return sys.stdin.read()
    if file is not None:
        try:
            return file.read()
        except UnicodeDecodeError:
            raise InvalidInput(f"{file.name} is not UTF-8 text; save it as UTF-8 and try "
                               "again.") from None
    return text


def _stdin_is_terminal() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def _memo_row(memo: memos_core.Memo, project) -> dict:
    data = dict(memo.__dict__)
    data["target"] = memos_core.describe_target(project, memo.target_type, memo.target_id)
    data["cycle"] = (project.conn.execute("SELECT number FROM cycles WHERE id = ?",
                                          (memo.cycle_id,)).fetchone() or [None])[0]
    return data


def _first_line(text: str, width: int = 50) -> str:
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1].rstrip() + "…"


# --------------------------------------------------------------------------------------- memo


@click.group()
def memo() -> None:
    """Memos and action-research notes: reflections, member checks, trial actions, journals."""


@memo.command(name="add")
@project_arg
@click.option("--kind", type=click.Choice(MEMO_KINDS), default="memo", show_default=True,
              help="What kind of note this is.")
@target_options
@click.option("--title", default="", help="A short title.")
@click.option("--text", help="The memo text ('-' reads it from stdin).")
@click.option("--file", "file", type=click.File("r", encoding="utf-8-sig"),
              help="Read the memo text from a UTF-8 file ('-' for stdin).")
@click.option("--author", "--coder", "author", help="Who writes it (default: the current coder).")
@json_option
def memo_add(project: str, kind: str, title: str, text: str | None, file, author: str | None,
             as_json: bool, **targets: str | None) -> None:
    """Write a memo in PROJECT, about the project or one document, code, coding, ...

    The text comes from --text, --file, or stdin when it is piped in; at a terminal
    without either, your $EDITOR opens.
    """
    target_type, ref = _target(targets)
    body = _read_text(text, file)
    if body is None:
        if _stdin_is_terminal():
            body = click.edit("\n") or ""
        else:
            body = sys.stdin.read()
    cycle = targets.get("cycle") if target_type not in (None, "cycle") else None
    with open_project(project, coder=author) as proj:
        new = memos_core.add_memo(proj, body, kind=kind, target_type=target_type or "project",
                                  target=ref, title=title, cycle=cycle, author=author)
        row = _memo_row(new, proj)
    if as_json:
        print_json(row)
    else:
        in_cycle = row["cycle"] is not None and new.target_type != "cycle"
        click.echo(f"Added {kind.replace('_', ' ')} {new.id} on {row['target']}"
                   + (f" (cycle {row['cycle']})" if in_cycle else "") + ".")


@memo.command(name="list")
@project_arg
@click.option("--kind", type=click.Choice(MEMO_KINDS), help="Only memos of this kind.")
@target_options
@click.option("--project-level", "project_level", is_flag=True,
              help="Only memos about the project as a whole.")
@click.option("--author", help="Only memos by this author.")
@click.option("--contains", help="Only memos whose title or text contains this.")
@json_option
def memo_list(project: str, kind: str | None, project_level: bool, author: str | None,
              contains: str | None, as_json: bool, **targets: str | None) -> None:
    """List the memos in PROJECT, oldest first.

    --cycle N lists the memos that belong to cycle N (whatever they are about).
    """
    given = [(name, targets[name]) for name in _TARGET_OPTIONS if targets.get(name)]
    if len(given) > 1 or (given and project_level):
        raise InvalidInput("Filter on one target at a time (one of --document, --code, "
                           "--coding, --participant, --stakeholder, --project-level).")
    target_type, ref = given[0] if given else ("project" if project_level else None, None)
    with open_project(project) as proj:
        rows = memos_core.list_memos(proj, kind=kind, target_type=target_type, target=ref,
                                     cycle=targets.get("cycle"), author=author,
                                     contains=contains)
    if as_json:
        print_json(rows)
        return
    for row in rows:
        row["updated"] = row["updated_at"][:10]
        row["title_or_text"] = row["title"] or _first_line(row["text"])
    print_table(rows, ["id", "kind", "target", "cycle", "author", "updated", "title_or_text"],
                ["id", "kind", "about", "cycle", "author", "updated", "title / text"],
                empty="No memos.")


@memo.command(name="show")
@project_arg
@click.argument("memo_id")
@json_option
def memo_show(project: str, memo_id: str, as_json: bool) -> None:
    """Print memo MEMO_ID with what it is about, its cycle, author and dates."""
    with open_project(project) as proj:
        row = _memo_row(memos_core.get_memo(proj, memo_id), proj)
    if as_json:
        print_json(row)
        return
    heading = f"Memo {row['id']} · {row['kind'].replace('_', ' ')} · {row['target']}"
    if row["cycle"] is not None:
        heading += f" · cycle {row['cycle']}"
    click.echo(heading)
    click.echo(f"by {row['author']}, written {row['created_at']}"
               + (f", changed {row['updated_at']}" if row["updated_at"] != row["created_at"]
                  else ""))
    if row["title"]:
        click.echo(f"\n# {row['title']}")
    click.echo(f"\n{row['text']}")


@memo.command(name="edit")
@project_arg
@click.argument("memo_id")
@click.option("--title", help="A new title ('' clears it).")
@click.option("--text", help="The new text ('-' reads it from stdin).")
@click.option("--file", "file", type=click.File("r", encoding="utf-8-sig"),
              help="Read the new text from a UTF-8 file ('-' for stdin).")
@click.option("--kind", type=click.Choice(MEMO_KINDS), help="Change the kind.")
@click.option("--cycle", help="Move the memo to this cycle number ('none' detaches it).")
def memo_edit(project: str, memo_id: str, title: str | None, text: str | None, file,
              kind: str | None, cycle: str | None) -> None:
    """Change memo MEMO_ID; with no text option at a terminal, your $EDITOR opens on it.

    The change is one step that 'workbench undo' reverses.
    """
    body = _read_text(text, file)
    with open_project(project) as proj:
        current = memos_core.get_memo(proj, memo_id)
        if body is None and title is None and kind is None and cycle is None:
            if not _stdin_is_terminal():
                raise InvalidInput("Nothing to change; give --title, --text, --file, --kind "
                                   "or --cycle.")
            body = click.edit(current.text)
            if body is None:
                click.echo(f"Memo {current.id} was not changed.")
                return
        extra = {}
        if cycle is not None:
            extra["cycle"] = None if cycle.strip().lower() in ("none", "") else cycle
        updated = memos_core.edit_memo(proj, current.id, title=title, text=body, kind=kind,
                                       **extra)
    if updated == current:
        click.echo(f"Memo {current.id} was not changed.")
    else:
        click.echo(f"Changed memo {current.id}.")


@memo.command(name="delete")
@project_arg
@click.argument("memo_id")
def memo_delete(project: str, memo_id: str) -> None:
    """Delete memo MEMO_ID ('workbench undo' brings it back)."""
    with open_project(project) as proj:
        gone = memos_core.delete_memo(proj, memo_id)
    label = f" '{gone.title}'" if gone.title else ""
    click.echo(f"Deleted memo {gone.id}{label}; 'workbench undo {project}' brings it back.")


# -------------------------------------------------------------------------------------- cycle


@click.group()
def cycle() -> None:
    """Action-research cycles (plan, act, observe, reflect) with dates."""


@cycle.command(name="add")
@project_arg
@click.argument("number")
@click.option("--name", help="A short name (default: 'Cycle N').")
@click.option("--phase", type=click.Choice(CYCLE_PHASES), default="plan", show_default=True)
@click.option("--start", "start_date", help="Start date, YYYY-MM-DD.")
@click.option("--end", "end_date", help="End date, YYYY-MM-DD.")
@click.option("--description", default="", help="What the cycle is about.")
def cycle_add(project: str, number: str, name: str | None, phase: str, start_date: str | None,
              end_date: str | None, description: str) -> None:
    """Add cycle NUMBER to PROJECT."""
    with open_project(project) as proj:
        new = cases_core.add_cycle(proj, number, name=name, phase=phase,
                                   start_date=start_date, end_date=end_date,
                                   description=description)
    click.echo(f"Added cycle {new.number} '{new.name}' (phase {new.phase}).")


@cycle.command(name="list")
@project_arg
@json_option
def cycle_list(project: str, as_json: bool) -> None:
    """List the cycles of PROJECT with their phase, dates, documents and memos."""
    with open_project(project) as proj:
        rows = cases_core.list_cycles_with_counts(proj)
    if as_json:
        print_json(rows)
        return
    print_table(rows, ["number", "name", "phase", "start_date", "end_date", "documents",
                       "memos"],
                ["cycle", "name", "phase", "start", "end", "documents", "memos"],
                empty="No cycles yet; add one with 'workbench cycle add PROJECT 1'.")


@cycle.command(name="phase")
@project_arg
@click.argument("number")
@click.argument("phase", type=click.Choice(CYCLE_PHASES))
def cycle_phase(project: str, number: str, phase: str) -> None:
    """Move cycle NUMBER to PHASE (plan, act, observe or reflect)."""
    with open_project(project) as proj:
        before = cases_core.get_cycle(proj, number)
        after = cases_core.set_cycle_phase(proj, number, phase)
    if before.phase == after.phase:
        click.echo(f"Cycle {after.number} is already in phase {after.phase}.")
    else:
        click.echo(f"Cycle {after.number}: {before.phase} → {after.phase}.")


@cycle.command(name="edit")
@project_arg
@click.argument("number")
@click.option("--name", help="A new name.")
@click.option("--start", "start_date", help="Start date, YYYY-MM-DD ('' clears it).")
@click.option("--end", "end_date", help="End date, YYYY-MM-DD ('' clears it).")
@click.option("--description", help="A new description.")
def cycle_edit(project: str, number: str, name: str | None, start_date: str | None,
               end_date: str | None, description: str | None) -> None:
    """Change the name, dates or description of cycle NUMBER."""
    with open_project(project) as proj:
        updated = cases_core.update_cycle(proj, number, name=name, start_date=start_date,
                                          end_date=end_date, description=description)
    click.echo(f"Cycle {updated.number} '{updated.name}': {updated.phase}, "
               f"{updated.start_date or '?'} – {updated.end_date or '?'}.")


COMMANDS = [memo, cycle]
