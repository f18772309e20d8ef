"""The ``trajecttools`` command: demo data, serving dashboards, checks and migrations.

Each command group is a module with ``add_commands(sub)``, which adds its sub-commands and
sets each one's handler (:func:`trajecttools.cli.base.add_command`); :func:`main` parses the
command line and runs the handler of the chosen command.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from trajecttools.cli.base import Commands, Handler
from trajecttools.cli.demo import add_commands as demo_commands
from trajecttools.cli.method import add_commands as method_commands
from trajecttools.cli.organisation import add_commands as organisation_commands
from trajecttools.cli.privacy import add_commands as privacy_commands
from trajecttools.cli.register import add_commands as register_commands
from trajecttools.cli.reports import add_commands as reports_commands
from trajecttools.cli.serve import add_commands as serve_commands
from trajecttools.cli.transfer import add_commands as transfer_commands
from trajecttools.core.errors import TrajecttoolsError

#: The command groups, in the order ``trajecttools --help`` lists their commands.
GROUPS: tuple[Callable[[Commands], None], ...] = (
    demo_commands,  # demo
    serve_commands,  # serve
    register_commands,  # check, migrate, user
    method_commands,  # method
    reports_commands,  # report
    organisation_commands,  # organisation (name, logo; team, coach, casemanager, user)
    transfer_commands,  # import, export
    privacy_commands,  # audit, purge
)


def parser() -> argparse.ArgumentParser:
    """Return the parser of the whole command line, every command group added."""
    top = argparse.ArgumentParser(
        prog="trajecttools",
        description="Casusregister, signalen en dashboards voor arbeidstoeleiding.",
    )
    sub = top.add_subparsers(dest="command", required=True, metavar="OPDRACHT")
    for add_commands in GROUPS:
        add_commands(sub)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = parser().parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except TrajecttoolsError as exc:
        print(f"Fout: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


__all__ = ["GROUPS", "main", "parser"]
