"""The ``import`` and ``export`` commands of the ``trajecttools`` command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from trajecttools.cli.base import DB_HELP, Commands, add_command
from trajecttools.outputs.export import export_register
from trajecttools.outputs.importer import KINDS, import_file
from trajecttools.outputs.importer.kinds import ORGANISATION_KINDS
from trajecttools.workspace import Workspace


def add_commands(sub: Commands) -> None:
    """Add ``import`` and ``export`` to the command line's sub-commands."""
    imp = add_command(sub, "import", run_import,
                      help="importeer klanten, trajecten, een caseload, contacten, vacatures, "
                      "jobcoaches of gebruikers")
    imp.add_argument("file", type=Path, help="CSV- of Excelbestand (of registerexport)")
    imp.add_argument("--kind", required=True, choices=list(KINDS), help="soort gegevens")
    imp.add_argument("--mapping", type=Path, default=None, help="mappingbestand (TOML)")
    imp.add_argument("--dry-run", action="store_true", help="alleen controleren, niets opslaan")
    imp.add_argument("--rejects", type=Path, default=None, help="bestand voor afgewezen rijen")
    imp.add_argument("--create-coaches", action="store_true",
                     help="caseload: onbekende jobcoaches aanmaken (in dezelfde transactie)")
    imp.add_argument("--update", action="store_true",
                     help="caseload: gewijzigde fase of jobcoach vastleggen als faseovergang "
                          "of jobcoachwissel")
    imp.add_argument("--db", help=DB_HELP)

    exp = add_command(sub, "export", run_export, help="exporteer het register naar Excel of CSV")
    exp.add_argument("--to", required=True, type=Path, help="FILE.xlsx, FILE.zip of FILE.csv")
    exp.add_argument(
        "--pseudonymised", action="store_true", help="zonder namen, BSN en vrije tekst"
    )
    exp.add_argument("--full", action="store_true", help="volledige export, met BSN")
    exp.add_argument("--db", help=DB_HELP)


class ProgressBar:
    """A text progress bar on stderr, redrawn in place when stderr is a terminal."""

    def __init__(self, stream: TextIO) -> None:
        self.stream, self.last = stream, -1
        self.tty = stream.isatty()

    def __call__(self, done: int, total: int) -> None:
        percent = 100 if total == 0 else done * 100 // total
        if percent == self.last or (not self.tty and percent % 25 and done != total):
            return
        self.last = percent
        filled = percent * 30 // 100
        bar = "#" * filled + "-" * (30 - filled)
        end = "\r" if self.tty and done < total else "\n"
        self.stream.write(f"Rijen controleren [{bar}] {percent:3d}% ({done}/{total}){end}")
        self.stream.flush()


def run_import(args: argparse.Namespace) -> int:
    """Run ``trajecttools import``; exit 0 when nothing was rejected, 1 when rows were.

    Coaches and users are the functional administrator's (like ``organisation``): those kinds
    open the register in the role ``beheer``.
    """
    role = "beheer" if args.kind in ORGANISATION_KINDS else None
    with Workspace(args.db, role=role) as store:
        result = import_file(
            store,
            args.file,
            kind=args.kind,
            mapping=args.mapping,
            dry_run=args.dry_run,
            progress=ProgressBar(sys.stderr),
            reject_path=args.rejects,
            create_coaches=args.create_coaches,
            update=args.update,
        )
    print(result.summary())
    for line in result.changes[:20]:
        print(f"  {line}")
    if len(result.changes) > 20:
        print(f"  … en nog {len(result.changes) - 20} wijzigingen (zie het auditlog)")
    for row, fld, reason in result.rejects[:10]:
        print(f"  rij {row}: {fld}: {reason}")
    if len(result.rejects) > 10:
        print(
            f"  … en nog {len(result.rejects) - 10} meldingen (zie het bestand met afgewezen rijen)"
        )
    return 1 if result.rejected else 0


def run_export(args: argparse.Namespace) -> int:
    """Run ``trajecttools export``."""
    with Workspace(args.db) as store:
        written = export_register(store, args.to, pseudonymised=args.pseudonymised, full=args.full)
    kind = "gepseudonimiseerd" if args.pseudonymised else "volledig" if args.full else "zonder BSN"
    print(f"Register geëxporteerd ({kind}) naar {written}.")
    return 0


__all__ = ["ProgressBar", "add_commands", "run_export", "run_import"]
