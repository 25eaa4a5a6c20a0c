"""Shared pieces of the CLI: opening projects, printing tables or JSON, progress."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

import click

from workbench.core.store import Project

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
coder_option = click.option("--coder", default=None,
                            help="Who is working (default: the project's default coder, "
                                 "else your user name).")


def open_project(path: str, coder: str | None = None) -> Project:
    """Open a project, telling the user on stderr when a migration backup was written."""
    project = Project.open(path, coder=coder)
    if project.backup_path:
        click.echo(f"Upgraded {path} to the current project format; "
                   f"a backup of the old file is at {project.backup_path}.", err=True)
    return project


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def print_table(rows: Sequence[dict[str, Any]], columns: Sequence[str],
                headers: Sequence[str] | None = None, empty: str = "(none)") -> None:
    """Print rows as a plain aligned table."""
    if not rows:
        click.echo(empty)
        return
    headers = list(headers or columns)
    cells = [["" if r.get(c) is None else str(r.get(c)) for c in columns] for r in rows]
    widths = [max(_width(h), *(_width(row[i]) for row in cells)) for i, h in enumerate(headers)]
    def line(values: Iterable[str]) -> str:
        padded = (v + " " * (w - _width(v)) for v, w in zip(values, widths, strict=True))
        return "  ".join(padded).rstrip()
    click.echo(line(headers))
    click.echo(line("-" * w for w in widths))
    for row in cells:
        click.echo(line(row))


def print_json(data: Any) -> None:
    """Print data as indented JSON with Danish letters as they are."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


class DefaultGroup(click.Group):
    """A group whose first argument, when it is not a subcommand, goes to a default one.

    ``workbench codebook PROJECT`` then means ``workbench codebook show PROJECT``.
    """

    default_command = "show"

    def resolve_command(self, ctx: click.Context, args: list[str]):
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = [self.default_command, *args]
        return super().resolve_command(ctx, args)
