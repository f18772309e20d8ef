"""The ``trajecttools organisation`` command: the organisation's name and logo, and its teams,
coaches, case managers and users (``organisation team|coach|casemanager|user add|list|deactivate``).

Like ``audit`` and ``purge`` these are the functional administrator's commands: the command line
opens the register in the role ``beheer``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import pandas as pd

from trajecttools.cli.base import DB_HELP, Commands, add_command
from trajecttools.cli.reports import run_organisation
from trajecttools.core.errors import TrajecttoolsError
from trajecttools.register import organisation as org
from trajecttools.workspace import Workspace

_TRUE_FALSE = {True: "ja", False: "nee"}


def _db(parser: argparse.ArgumentParser) -> None:
    # SUPPRESS: a --db given before the sub-command is not overwritten by this one's default
    parser.add_argument("--db", default=argparse.SUPPRESS, help=DB_HELP)


def add_commands(sub: Commands) -> None:
    """Add ``organisation`` (name, logo) and its sub-commands per kind of record."""
    top = add_command(
        sub, "organisation", run_organisation,
        help="organisatie: naam en logo; teams, jobcoaches, casemanagers en gebruikers",
        description="Zonder verdere opdracht: stel naam en logo van de organisatie in (of toon "
        "ze). Met team, coach, casemanager of user: voeg toe, toon of deactiveer.",
    )
    top.add_argument("--name", default=None, help="naam op elk rapport")
    top.add_argument("--logo", default=None, help="logo: PNG-, JPEG-, GIF- of SVG-bestand")
    top.add_argument("--db", help=DB_HELP)
    kinds = top.add_subparsers(dest="kind", metavar="SOORT")

    team = kinds.add_parser("team", help="teams").add_subparsers(
        dest="action", required=True, metavar="ACTIE")
    cmd = add_command(team, "add", run_team_add, help="voeg een team toe")
    cmd.add_argument("name", help="teamnaam, bv. 'Team Noord'")
    cmd.add_argument("--region", default=None, help="regio van het team")
    _db(cmd)
    _db(add_command(team, "list", run_team_list, help="toon de teams"))
    cmd = add_command(team, "deactivate", run_team_deactivate,
                      help="deactiveer een team (zonder actieve jobcoaches)")
    cmd.add_argument("name", help="teamnaam")
    _db(cmd)

    coach = kinds.add_parser("coach", help="jobcoaches").add_subparsers(
        dest="action", required=True, metavar="ACTIE")
    cmd = add_command(coach, "add", run_coach_add, help="voeg een jobcoach toe")
    cmd.add_argument("code", help="code van de jobcoach, bv. JB01")
    cmd.add_argument("name", help="naam van de jobcoach")
    cmd.add_argument("--team", default=None, help="teamnaam (het team moet bestaan)")
    cmd.add_argument("--inactive", action="store_true", help="voeg toe als niet actief")
    _db(cmd)
    cmd = add_command(coach, "list", run_coach_list, help="toon de jobcoaches")
    cmd.add_argument("--team", default=None, help="alleen dit team")
    _db(cmd)
    cmd = add_command(coach, "deactivate", run_coach_deactivate,
                      help="deactiveer een jobcoach; open trajecten eerst overdragen")
    cmd.add_argument("code", help="code van de jobcoach")
    cmd.add_argument("--hand-over-to", default=None, metavar="CODE",
                     help="draag de open trajecten over aan deze jobcoach")
    _db(cmd)

    cm = kinds.add_parser("casemanager", help="casemanagers / consulenten").add_subparsers(
        dest="action", required=True, metavar="ACTIE")
    cmd = add_command(cm, "add", run_case_manager_add, help="voeg een casemanager toe")
    cmd.add_argument("name", help="naam van de casemanager")
    cmd.add_argument("--organisation", required=True,
                     help="organisatie: gemeente, UWV, OCMW …")
    _db(cmd)
    _db(add_command(cm, "list", run_case_manager_list, help="toon de casemanagers"))
    cmd = add_command(cm, "deactivate", run_case_manager_deactivate,
                      help="deactiveer een casemanager")
    cmd.add_argument("name", help="naam van de casemanager")
    cmd.add_argument("--organisation", default=None,
                     help="organisatie (als de naam bij meer organisaties voorkomt)")
    _db(cmd)

    user = kinds.add_parser("user", help="gebruikers en hun rol").add_subparsers(
        dest="action", required=True, metavar="ACTIE")
    cmd = add_command(user, "add", run_user_add,
                      help="koppel een gebruikersnaam aan een rol (of wijzig de rol)")
    cmd.add_argument("login", help="gebruikersnaam (inlognaam)")
    cmd.add_argument("role", help="coach:CODE, team_lead:TEAM, analyst of beheer")
    _db(cmd)
    _db(add_command(user, "list", run_user_list, help="toon de gebruikers en hun rol"))
    cmd = add_command(user, "deactivate", run_user_deactivate,
                      help="deactiveer een gebruiker (openen van het register wordt geweigerd)")
    cmd.add_argument("login", help="gebruikersnaam")
    _db(cmd)


def _open(args: argparse.Namespace) -> Workspace:
    return Workspace(getattr(args, "db", None), role="beheer")


def format_table(df: pd.DataFrame, headers: dict[str, str]) -> str:
    """Return a frame's columns as a plain text table under Dutch headers."""
    rows: list[Sequence[str]] = [list(headers.values())]
    for rec in df[list(headers)].itertuples(index=False):
        rows.append([_TRUE_FALSE.get(v, str(v)) if isinstance(v, bool)
                     else "" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v)
                     for v in rec])
    widths = [max(len(r[i]) for r in rows) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _print_table(df: pd.DataFrame, headers: dict[str, str], one: str, many: str) -> int:
    if df.empty:
        print(f"Nog geen {many} in dit register.")
        return 0
    print(format_table(df, headers))
    print(f"{len(df)} {one if len(df) == 1 else many}.")
    return 0


def run_team_add(args: argparse.Namespace) -> int:
    """Add a team."""
    with _open(args) as store:
        org.add_team(store, args.name, args.region)
    print(f"Team '{args.name.strip()}' toegevoegd.")
    return 0


def run_team_list(args: argparse.Namespace) -> int:
    """List the teams."""
    with _open(args) as store:
        df = org.teams_frame(store)
    return _print_table(df, {"name": "Team", "region": "Regio", "coaches": "Actieve jobcoaches",
                             "active": "Actief"}, "team", "teams")


def run_team_deactivate(args: argparse.Namespace) -> int:
    """Deactivate a team."""
    with _open(args) as store:
        print(org.deactivate_team(store, args.name).summary())
    return 0


def run_coach_add(args: argparse.Namespace) -> int:
    """Add a coach."""
    with _open(args) as store:
        org.add_coach(store, args.code, args.name, args.team, active=not args.inactive)
    team = f" in team {args.team.strip()}" if args.team else " (zonder team)"
    print(f"Jobcoach {args.code.strip()} ({args.name.strip()}) toegevoegd{team}.")
    return 0


def run_coach_list(args: argparse.Namespace) -> int:
    """List the coaches (of one team)."""
    with _open(args) as store:
        df = org.coaches_frame(store)
    if args.team:
        df = df[df["team"].fillna("").str.casefold() == args.team.strip().casefold()]
    return _print_table(df, {"code": "Code", "name": "Naam", "team": "Team", "active": "Actief",
                             "open_cases": "Open trajecten"}, "jobcoach", "jobcoaches")


def run_coach_deactivate(args: argparse.Namespace) -> int:
    """Deactivate a coach, handing over the open cases when asked; refuse when not asked."""
    with _open(args) as store:
        try:
            done = org.deactivate_coach(store, args.code, hand_over_to=args.hand_over_to)
        except org.OpenCasesError as exc:
            raise TrajecttoolsError(
                str(exc).replace("Draag ze over aan een andere jobcoach.",
                                 "Draag ze over met --hand-over-to CODE.")) from None
    print(done.summary())
    return 0


def run_case_manager_add(args: argparse.Namespace) -> int:
    """Add a case manager."""
    with _open(args) as store:
        org.add_case_manager(store, args.name, args.organisation)
    print(f"Casemanager {args.name.strip()} ({args.organisation.strip()}) toegevoegd.")
    return 0


def run_case_manager_list(args: argparse.Namespace) -> int:
    """List the case managers."""
    with _open(args) as store:
        df = org.case_managers_frame(store)
    return _print_table(df, {"name": "Naam", "organisation": "Organisatie", "active": "Actief"},
                        "casemanager", "casemanagers")


def run_case_manager_deactivate(args: argparse.Namespace) -> int:
    """Deactivate a case manager."""
    with _open(args) as store:
        print(org.deactivate_case_manager(store, args.name, args.organisation).summary())
    return 0


def run_user_add(args: argparse.Namespace) -> int:
    """Map a login to a role."""
    with _open(args) as store:
        role, old = org.set_user(store, args.login, args.role)
    if old is None:
        print(f"Gebruiker {args.login.strip()} toegevoegd met rol {role}.")
    elif old == role:
        print(f"Gebruiker {args.login.strip()} had al rol {role}; niets gewijzigd.")
    else:
        print(f"Gebruiker {args.login.strip()}: rol gewijzigd van {old} naar {role}.")
    return 0


def run_user_list(args: argparse.Namespace) -> int:
    """List the users and their roles."""
    with _open(args) as store:
        df = org.users_frame(store)
    return _print_table(df, {"login": "Gebruiker", "role": "Rol", "label": "Omschrijving",
                             "active": "Actief"}, "gebruiker", "gebruikers")


def run_user_deactivate(args: argparse.Namespace) -> int:
    """Deactivate a user."""
    with _open(args) as store:
        print(org.deactivate_user(store, args.login).summary())
    return 0


__all__ = ["add_commands", "format_table"]
