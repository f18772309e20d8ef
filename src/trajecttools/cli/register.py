"""The ``trajecttools check``, ``migrate`` and ``user`` commands: the register's schema and its
users' roles."""

from __future__ import annotations

import argparse
import sys

from trajecttools.cli.base import DB_HELP, Commands, add_command
from trajecttools.reads.check import check
from trajecttools.register import changes
from trajecttools.register.access import ROLES, USER_KEY, resolve, set_user_role
from trajecttools.workspace import Workspace


def add_commands(sub: Commands) -> None:
    """Add ``check`` and ``migrate`` to the command line's sub-commands."""
    cmd = add_command(sub, "check", run_check,
                      help="controleer database tegen schema en methode")
    cmd.add_argument("--db", help=DB_HELP)

    cmd = add_command(sub, "migrate", run_migrate, help="breng het databaseschema bij")
    cmd.add_argument("--db", help=DB_HELP)

    cmd = add_command(sub, "user", run_user,
                      help="koppel een inlognaam aan een rol, of toon de koppelingen")
    cmd.add_argument("--db", help=DB_HELP)
    cmd.add_argument("login", nargs="?", help="inlognaam (zoals JupyterHub die doorgeeft)")
    cmd.add_argument("role", nargs="?",
                     help=f"rol: {', '.join(ROLES)}; coach:CODE, team_lead:TEAMNAAM")


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


def run_user(args: argparse.Namespace) -> int:
    """Map a login to a role (checked: the coach or team must exist; audited), or list the
    mappings; return the exit code."""
    with Workspace(args.db, role="beheer", migrate=False) as store:
        if args.login is None:
            mapped = sorted((k[len(USER_KEY):], v) for k, v in store.info().items()
                            if k.startswith(USER_KEY))
            for login, role in mapped:
                print(f"{login}\t{role}")
            print(f"{len(mapped)} gebruikers gekoppeld; wie niet gekoppeld is, is analist.")
            return 0
        if args.role is None:
            print("Fout: geef ook de rol, bijvoorbeeld 'coach:JC01' of 'team_lead:Team Noord'.",
                  file=sys.stderr)
            return 2
        resolve(store, args.role)  # refuses an unknown role, coach code or team (Dutch)
        set_user_role(store, args.login, args.role)
    print(f"Gebruiker {args.login} heeft nu de rol {args.role}.")
    return 0


__all__ = ["add_commands", "run_check", "run_migrate", "run_user"]
