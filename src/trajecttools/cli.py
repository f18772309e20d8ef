"""The ``trajecttools`` command: demo data, serving dashboards, checks and migrations."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from trajecttools.core.dates import parse_date
from trajecttools.core.errors import TrajecttoolsError
from trajecttools.register.database import ENV_URL, resolve_url
from trajecttools.workspace import Workspace


def _date(value: str) -> dt.date:
    try:
        day = parse_date(value)
    except ValueError:
        day = None
    if day is None:
        raise argparse.ArgumentTypeError(f"'{value}' is geen geldige datum (gebruik dd-mm-jjjj)")
    return day


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 1:
        raise argparse.ArgumentTypeError(f"'{value}' is geen positief geheel getal")
    return number


def _port(value: str) -> int:
    number = _positive(value)
    if number > 65535:
        raise argparse.ArgumentTypeError(f"poort {value} bestaat niet (1-65535)")
    return number


def _parser() -> argparse.ArgumentParser:
    db_help = f"databasebestand of -URL (standaard ${ENV_URL} of trajecttools.db)"
    parser = argparse.ArgumentParser(
        prog="trajecttools",
        description="Casusregister, signalen en dashboards voor arbeidstoeleiding.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="OPDRACHT")

    demo = sub.add_parser("demo", help="maak een synthetisch demoregister")
    demo.add_argument("--db", help=db_help)
    demo.add_argument("--size", type=_positive, default=2000, help="aantal trajecten")
    demo.add_argument("--seed", type=int, default=1, help="startwaarde (zelfde = zelfde data)")
    demo.add_argument("--as-of", type=_date, default=None, help="peildatum dd-mm-jjjj")
    demo.add_argument("--replace", action="store_true", help="bestaand bestand vervangen")

    serve = sub.add_parser("serve", help="start de dashboards (Voilà) op deze computer")
    serve.add_argument("--db", help=db_help)
    serve.add_argument("--port", type=_port, default=8866)
    serve.add_argument("--ip", default="127.0.0.1", help="adres (standaard alleen lokaal)")
    serve.add_argument("--token", default=None, help="toegangstoken (standaard: nieuw)")
    serve.add_argument("--dir", type=Path, default=None, help="map met dashboards")
    serve.add_argument("--open", action="store_true", help="open de browser")
    serve.add_argument(
        "--allow-remote",
        action="store_true",
        help="sta een niet-lokaal adres toe (alleen achter JupyterHub/proxy)",
    )

    check = sub.add_parser("check", help="controleer database tegen schema en methode")
    check.add_argument("--db", help=db_help)

    migrate = sub.add_parser("migrate", help="breng het databaseschema bij")
    migrate.add_argument("--db", help=db_help)

    method = sub.add_parser("method", help="installeer een eigen methodebestand (TOML)")
    method.add_argument("file", type=Path)
    method.add_argument("--db", help=db_help)

    from trajecttools import cli_reports

    cli_reports.add_commands(sub, db_help, _date)

    from trajecttools import cli_transfer

    cli_transfer.add_commands(sub, db_help)

    from trajecttools import cli_privacy

    cli_privacy.add_commands(sub, db_help, _date)
    return parser


def _demo(args: argparse.Namespace) -> int:
    from trajecttools.outputs import demo

    url = resolve_url(args.db)
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if path.exists():
            if not args.replace:
                print(
                    f"Fout: {path} bestaat al; gebruik --replace om het te vervangen.",
                    file=sys.stderr,
                )
                return 2
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with Workspace(url, actor="demo", today=args.as_of) as store:
        counts = demo.build(store, size=args.size, seed=args.seed, as_of=args.as_of)
        store.set_info("synthetic", "true", actor="demo")
    seconds = time.perf_counter() - start
    total = sum(counts.values())
    print(
        f"Demoregister gemaakt: {args.size} trajecten, {total} rijen in {seconds:.1f} s "
        f"({url.removeprefix('sqlite:///')})."
    )
    return 0


def _serve(args: argparse.Namespace) -> int:
    from trajecttools import serving
    from trajecttools.workspace import warm

    url = resolve_url(args.db)
    with Workspace(url) as store:  # create/migrate before kernels open it
        warm(store)  # so the first dashboard does not build them
    return serving.serve(
        url,
        dashboards_dir=args.dir,
        port=args.port,
        ip=args.ip,
        token=args.token,
        open_browser=args.open,
        allow_remote=args.allow_remote,
    )


def _check(args: argparse.Namespace) -> int:
    from trajecttools.reads.check import check

    with Workspace(args.db, migrate=False) as store:
        problems = check(store)
    if not problems:
        print("Geen problemen gevonden.")
        return 0
    for problem in problems:
        print(f"- {problem}")
    print(f"{len(problems)} problemen gevonden.", file=sys.stderr)
    return 1


def _migrate(args: argparse.Namespace) -> int:
    from trajecttools.register import changes

    with Workspace(args.db, migrate=True) as store, store.engine.begin() as conn:
        changes.repair(conn)  # triggers lost when a migration rebuilt a table
    print("Databaseschema is bijgewerkt.")
    return 0


def _method(args: argparse.Namespace) -> int:
    with Workspace(args.db) as store:
        m = store.install_method(args.file)
    print(f"Methode '{m.code}' ({m.name}) is geïnstalleerd.")
    return 0


def _report(args: argparse.Namespace) -> int:
    from trajecttools.cli_reports import run_report

    return run_report(args)


def _organisation(args: argparse.Namespace) -> int:
    from trajecttools.cli_reports import run_organisation

    return run_organisation(args)


def _import(args: argparse.Namespace) -> int:
    from trajecttools.cli_transfer import run_import

    return run_import(args)


def _export(args: argparse.Namespace) -> int:
    from trajecttools.cli_transfer import run_export

    return run_export(args)


def _audit(args: argparse.Namespace) -> int:
    from trajecttools.cli_privacy import run_audit

    return run_audit(args)


def _purge(args: argparse.Namespace) -> int:
    from trajecttools.cli_privacy import run_purge

    return run_purge(args)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = _parser().parse_args(argv)
    handlers = {
        "demo": _demo,
        "serve": _serve,
        "check": _check,
        "migrate": _migrate,
        "method": _method,
        "report": _report,
        "organisation": _organisation,
        "import": _import,
        "export": _export,
        "audit": _audit,
        "purge": _purge,
    }
    try:
        return handlers[args.command](args)
    except TrajecttoolsError as exc:
        print(f"Fout: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
