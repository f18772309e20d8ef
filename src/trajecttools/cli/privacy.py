"""The ``trajecttools audit`` and ``trajecttools purge`` commands (functional administrator)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from trajecttools.cli.base import DB_HELP, Commands, add_command, date_arg
from trajecttools.core.errors import TrajecttoolsError
from trajecttools.register import retention
from trajecttools.workspace import Workspace

#: Column names of the exported audit log, in Dutch.
EXPORT_COLUMNS = {
    "id": "regel",
    "at": "tijdstip (UTC)",
    "actor": "gebruiker",
    "action": "actie",
    "entity": "soort",
    "entity_id": "nummer",
    "field": "veld",
    "old": "oud",
    "new": "nieuw",
    "redacted_at": "gewist op (bewaartermijn)",
    "prev_hash": "vorige hash",
    "hash": "hash",
}


def add_commands(sub: Commands) -> None:
    """Add the ``audit`` and ``purge`` sub-commands to the command line."""
    audit = add_command(sub, "audit", run_audit, help="toon, exporteer of controleer het auditlog")
    audit.add_argument("--since", type=date_arg, default=None, help="vanaf datum dd-mm-jjjj")
    audit.add_argument("--actor", default=None, help="alleen deze gebruiker")
    audit.add_argument("--entity", default=None, help="alleen deze soort (bv. clients)")
    audit.add_argument("--action", default=None, help="alleen deze actie (bv. open_case)")
    audit.add_argument("--values", action="store_true", help="toon ook oude en nieuwe waarden")
    audit.add_argument("--export", type=Path, default=None, help="schrijf naar .csv of .xlsx")
    audit.add_argument(
        "--verify", action="store_true", help="controleer de hashketen (exitcode 1 bij breuk)"
    )
    audit.add_argument("--db", help=DB_HELP)

    purge = add_command(
        sub,
        "purge",
        run_purge,
        help="anonimiseer afgesloten trajecten na de bewaartermijn (standaard proefdraai)",
    )
    purge.add_argument(
        "--closed-before",
        type=date_arg,
        default=None,
        help="afgesloten vóór dd-mm-jjjj (standaard: vandaag min de bewaartermijn)",
    )
    purge.add_argument(
        "--execute", action="store_true", help="voer werkelijk uit (zonder: alleen tellen)"
    )
    purge.add_argument("--db", help=DB_HELP)


def audit_frame(
    store: Workspace,
    *,
    since: dt.date | None = None,
    actor: str | None = None,
    entity: str | None = None,
    action: str | None = None,
) -> pd.DataFrame:
    """Return the audit log filtered by date, user, kind of record and action, oldest first."""
    df = store.audit()
    keep = pd.Series(True, index=df.index)
    if since is not None:
        keep &= df["at"] >= pd.Timestamp(since)
    if actor is not None:
        keep &= df["actor"].astype(str).str.casefold() == actor.casefold()
    if entity is not None:
        keep &= df["entity"].astype(str) == entity
    if action is not None:
        keep &= df["action"].astype(str) == action
    return df[keep].reset_index(drop=True)


def export_audit(df: pd.DataFrame, path: Path) -> None:
    """Write an audit frame to ``path`` (.csv with ; for Dutch Excel, or .xlsx)."""
    out = df[[c for c in EXPORT_COLUMNS if c in df.columns]].rename(columns=EXPORT_COLUMNS)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        out.to_csv(
            path, index=False, sep=";", encoding="utf-8-sig", date_format="%d-%m-%Y %H:%M:%S"
        )
    elif suffix == ".xlsx":
        out.to_excel(path, index=False, sheet_name="Auditlog")
    else:
        raise TrajecttoolsError(
            f"--export: '{path.name}' heeft een onbekende extensie; gebruik .csv of .xlsx."
        )


def _line(row: Any, values: bool) -> str:
    at = f"{row.at:%d-%m-%Y %H:%M:%S}"
    what = f"{row.entity} {'' if pd.isna(row.entity_id) else int(row.entity_id)}".strip()
    field = "" if row.field is None or pd.isna(row.field) else f" {row.field}"
    text = f"{row.id:>6}  {at}  {row.actor}  {row.action}  {what}{field}"
    if values:
        if getattr(row, "redacted_at", None) is not None and not pd.isna(row.redacted_at):
            text += "  [gewist na bewaartermijn]"
        else:
            old = "" if row.old is None or pd.isna(row.old) else str(row.old)
            new = "" if row.new is None or pd.isna(row.new) else str(row.new)
            text += f"  {old!r} -> {new!r}"
    return text


def run_audit(args: argparse.Namespace) -> int:
    """List, export or verify the audit log; return the exit code."""
    with Workspace(args.db, migrate=False, role="beheer") as store:
        if args.verify:
            problems = store.verify_audit()
            total = store.count("audit_log")
            if problems:
                for problem in problems:
                    print(f"- {problem}")
                print(
                    f"Auditketen gebroken: {len(problems)} problemen in {total} regels.",
                    file=sys.stderr,
                )
                return 1
            print(f"Auditketen is intact ({total} regels).")
            return 0
        df = audit_frame(
            store, since=args.since, actor=args.actor, entity=args.entity, action=args.action
        )
    if args.export is not None:
        export_audit(df, args.export)
        print(f"{len(df)} auditregels geschreven naar {args.export}.")
        return 0
    for row in df.itertuples(index=False):
        print(_line(row, args.values))
    print(f"{len(df)} auditregels.")
    return 0


def run_purge(args: argparse.Namespace) -> int:
    """Anonymise closed trajectories past the retention term (dry run unless --execute)."""
    with Workspace(args.db, migrate=False, role="beheer") as store:
        plan = retention.purge(store, args.closed_before, execute=args.execute)
    print(plan.summary())
    return 0


__all__ = [
    "EXPORT_COLUMNS",
    "add_commands",
    "audit_frame",
    "export_audit",
    "run_audit",
    "run_purge",
]
