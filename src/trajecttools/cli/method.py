"""The ``trajecttools method`` command: install an own method file (TOML)."""

from __future__ import annotations

import argparse
from pathlib import Path

from trajecttools.cli.base import DB_HELP, Commands, add_command
from trajecttools.workspace import Workspace


def add_commands(sub: Commands) -> None:
    """Add ``method`` to the command line's sub-commands."""
    cmd = add_command(sub, "method", run_method,
                      help="installeer een eigen methodebestand (TOML)")
    cmd.add_argument("file", type=Path)
    cmd.add_argument("--db", help=DB_HELP)


def run_method(args: argparse.Namespace) -> int:
    """Install a method file in the register; return the exit code."""
    with Workspace(args.db) as store:
        m = store.install_method(args.file)
    print(f"Methode '{m.code}' ({m.name}) is geïnstalleerd.")
    return 0


__all__ = ["add_commands", "run_method"]
