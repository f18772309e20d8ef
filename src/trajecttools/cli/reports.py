"""The ``trajecttools report`` and ``trajecttools organisation`` commands."""

from __future__ import annotations

import argparse
from pathlib import Path

from sqlalchemy import select

from trajecttools.cli.base import DB_HELP, Commands, add_command, date_arg
from trajecttools.core.errors import NotFoundError, TrajecttoolsError
from trajecttools.core.model import Client, Trajectory
from trajecttools.outputs.report import (
    REPORTS,
    format_of,
    organisation,
    set_organisation,
    write_report,
)
from trajecttools.workspace import Workspace


def add_commands(sub: Commands) -> None:
    """Add the ``report`` sub-command (``organisation`` is :mod:`trajecttools.cli.organisation`)."""
    cmd = add_command(
        sub,
        "report",
        run_report,
        help="maak een intakerapportage, MDO-verslag of beëindigingsrapportage (PDF of HTML)",
    )
    cmd.add_argument("kind", choices=["intake", "mdo", "end"],
                     help="intake, mdo (agenda en besluiten) of end (beëindigingsrapportage)")
    cmd.add_argument("case", nargs="?", default=None,
                     help="trajectnummer of pseudoniem (bij intake en end)")
    cmd.add_argument("--to", type=Path, required=True, help="doelbestand, .pdf of .html")
    cmd.add_argument("--date", type=date_arg, default=None,
                     help="datum van het MDO-overleg dd-mm-jjjj (bij mdo)")
    cmd.add_argument("--team", default=None, help="team van het MDO-overleg (bij mdo)")
    cmd.add_argument("--db", help=DB_HELP)


def trajectory_of(store: Workspace, case: str) -> int:
    """Return the trajectory id named by a number or a pseudonym (the client's latest one)."""
    text = case.strip()
    if text.isdigit():
        return int(text)
    with store.engine.connect() as conn:
        tid = conn.execute(
            select(Trajectory.id)
            .join(Client, Client.id == Trajectory.client_id)
            .where(Client.pseudonym == text.upper())
            .order_by(Trajectory.registered_at.desc(), Trajectory.id.desc())
        ).scalar()
    if tid is None:
        raise NotFoundError("Cliënt met pseudoniem", f"'{text}'")
    return int(tid)


def run_report(args: argparse.Namespace) -> int:
    """Write one report; return the exit code."""
    format_of(args.to)  # refuse a wrong suffix before any work
    with Workspace(args.db) as store:
        if args.kind in ("intake", "end"):
            if not args.case:
                raise TrajecttoolsError("Geef het trajectnummer of pseudoniem van het dossier.")
            path = write_report(store, args.kind, args.to,
                                trajectory_id=trajectory_of(store, args.case))
        else:
            if args.date is None:
                raise TrajecttoolsError("Geef de datum van het MDO-overleg met --date dd-mm-jjjj.")
            path = write_report(store, "mdo", args.to, held_on=args.date, team=args.team)
    print(f"{REPORTS[args.kind]} geschreven naar {path}.")
    return 0


def run_organisation(args: argparse.Namespace) -> int:
    """Set (or show) the organisation's name and logo; return the exit code."""
    with Workspace(args.db) as store:
        if args.name is not None or args.logo is not None:
            org = set_organisation(store, name=args.name, logo=args.logo)
        else:
            org = organisation(store)
    print(f"Organisatie: {org.name or '(geen naam ingesteld)'}; "
          f"logo: {'ingesteld' if org.logo else 'geen'}.")
    return 0


__all__ = ["add_commands", "run_organisation", "run_report", "trajectory_of"]
