"""The command line: a click group whose commands are thin wrappers over the layers."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from workbench import __version__
from workbench.errors import WorkbenchError


class WorkbenchGroup(click.Group):
    """Prints WorkbenchError as one sentence on stderr with exit code 1.

    ``workbench PROJECT`` (a path instead of a command) opens the TUI on that project.
    """

    def resolve_command(self, ctx: click.Context, args: list[str]):
        if args and args[0] not in self.commands and not args[0].startswith("-") \
                and (Path(args[0]).suffix or Path(args[0]).exists()):
            return super().resolve_command(ctx, ["open", *args])
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except WorkbenchError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
        except OSError as exc:  # a file that cannot be written or read: one sentence, no trace
            where = f"{exc.filename}: " if exc.filename else ""
            click.echo(f"error: {where}{exc.strerror or exc}; check the path and that you may "
                       "write there.", err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("Interrupted; every file finished before the interruption was saved.",
                       err=True)
            sys.exit(130)


@click.group(cls=WorkbenchGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="workbench")
def main() -> None:
    """workbench: qualitative analysis of Danish interviews and documents, from the terminal.

    Run 'workbench PROJECT' to open the coding app on a project file.
    """


def _register() -> None:
    """Add the commands of every ``*_cmds`` module in this package (each lists COMMANDS)."""
    import importlib
    import pkgutil

    import workbench.cli as package

    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if info.name.endswith("_cmds"):
            module = importlib.import_module(f"workbench.cli.{info.name}")
            for command in module.COMMANDS:
                main.add_command(command)


_register()
