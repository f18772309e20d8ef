"""The ``trajecttools method`` command: install an own method file (TOML), or explain a method."""

from __future__ import annotations

import argparse
from pathlib import Path

from trajecttools.cli.base import DB_HELP, Commands, add_command
from trajecttools.core.method import explain, load_method
from trajecttools.workspace import Workspace


def add_commands(sub: Commands) -> None:
    """Add ``method`` to the command line's sub-commands."""
    cmd = add_command(sub, "method", run_method,
                      help="installeer een eigen methodebestand (TOML) of leg een methode uit")
    cmd.add_argument("file", type=Path, nargs="?", help="het methodebestand om te installeren")
    cmd.add_argument("--explain", metavar="METHODE",
                     help="toon elke regel van een methode (code of bestand) met zijn getal(len)"
                     " en zijn bron of 'standaard van de organisatie'")
    cmd.add_argument("--db", help=DB_HELP)


def run_method(args: argparse.Namespace) -> int:
    """Install a method file in the register, or explain a method; return the exit code."""
    if args.explain:
        if args.db:
            with Workspace(args.db) as store:
                m = store.method(args.explain)
        else:
            m = load_method(args.explain)
        print(explain(m))
        return 0
    if args.file is None:
        raise SystemExit("Geef een methodebestand om te installeren, of --explain METHODE.")
    with Workspace(args.db) as store:
        m = store.install_method(args.file)
    print(f"Methode '{m.code}' ({m.name}) is geïnstalleerd.")
    return 0


__all__ = ["add_commands", "run_method"]
