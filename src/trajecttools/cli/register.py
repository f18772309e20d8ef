"""The ``trajecttools check`` and ``trajecttools migrate`` commands: the register's schema."""

from __future__ import annotations

import argparse
import sys

from trajecttools.cli.base import DB_HELP, Commands, add_command
from trajecttools.reads.check import check
from trajecttools.register import changes
from trajecttools.workspace import Workspace


def add_commands(sub: Commands) -> None:
    """Add ``check`` and ``migrate`` to the command line's sub-commands."""
    cmd = add_command(sub, "check", run_check,
                      help="controleer database tegen schema en methode")
    cmd.add_argument("--db", help=DB_HELP)

    cmd = add_command(sub, "migrate", run_migrate, help="breng het databaseschema bij")
    cmd.add_argument("--db", help=DB_HELP)


def run_check(args: argparse.Namespace) -> int:
    """List the register's problems; exit 0 when there are none, 1 when there are."""
    with Workspace(args.db, migrate=False) as store:
        problems = check(store)
    if not problems:
        print("Geen problemen gevonden.")
        return 0
    for problem in problems:
        print(f"- {problem}")
    print(f"{len(problems)} problemen gevonden.", file=sys.stderr)
    return 1


def run_migrate(args: argparse.Namespace) -> int:
    """Bring the register's schema up to date; return the exit code."""
    with Workspace(args.db, migrate=True) as store, store.engine.begin() as conn:
        changes.repair(conn)  # triggers lost when a migration rebuilt a table
    print("Databaseschema is bijgewerkt.")
    return 0


__all__ = ["add_commands", "run_check", "run_migrate"]
