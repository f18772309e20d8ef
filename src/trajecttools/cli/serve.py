"""The ``trajecttools serve`` command: the Voilà dashboards on this computer."""

from __future__ import annotations

import argparse
from pathlib import Path

from trajecttools import serving
from trajecttools.cli.base import DB_HELP, Commands, add_command, port_arg
from trajecttools.register.database import resolve_url
from trajecttools.workspace import Workspace, warm


def add_commands(sub: Commands) -> None:
    """Add ``serve`` to the command line's sub-commands."""
    cmd = add_command(sub, "serve", run_serve,
                      help="start de dashboards (Voilà) op deze computer")
    cmd.add_argument("--db", help=DB_HELP)
    cmd.add_argument("--port", type=port_arg, default=8866)
    cmd.add_argument("--ip", default="127.0.0.1", help="adres (standaard alleen lokaal)")
    cmd.add_argument("--token", default=None, help="toegangstoken (standaard: nieuw)")
    cmd.add_argument("--dir", type=Path, default=None, help="map met dashboards")
    cmd.add_argument("--open", action="store_true", help="open de browser")
    cmd.add_argument("--cull-idle", type=int, default=serving.CULL_IDLE_TIMEOUT,
                     metavar="SECONDEN",
                     help="stop de kernel van een pagina die zo lang niets deed "
                          "(standaard 3600: een uur)")
    cmd.add_argument(
        "--allow-remote",
        action="store_true",
        help="sta een niet-lokaal adres toe (alleen achter JupyterHub/proxy)",
    )


def run_serve(args: argparse.Namespace) -> int:
    """Prepare the register and serve the dashboards until stopped; return the exit code.

    The address is printed once every dashboard's preheated kernel is ready; exit code 1 when
    one cannot be preheated.
    """
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
        cull_idle_timeout=args.cull_idle,
    )


__all__ = ["add_commands", "run_serve"]
