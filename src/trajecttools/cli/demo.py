"""The ``trajecttools demo`` command: a synthetic demo register."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from trajecttools.cli.base import DB_HELP, Commands, add_command, date_arg, positive_arg
from trajecttools.outputs import demo
from trajecttools.register.database import resolve_url
from trajecttools.workspace import Workspace


def add_commands(sub: Commands) -> None:
    """Add ``demo`` to the command line's sub-commands."""
    cmd = add_command(sub, "demo", run_demo, help="maak een synthetisch demoregister")
    cmd.add_argument("--db", help=DB_HELP)
    cmd.add_argument("--size", type=positive_arg, default=2000, help="aantal trajecten")
    cmd.add_argument("--seed", type=int, default=1, help="startwaarde (zelfde = zelfde data)")
    cmd.add_argument("--as-of", type=date_arg, default=None, help="peildatum dd-mm-jjjj")
    cmd.add_argument("--replace", action="store_true", help="bestaand bestand vervangen")


def run_demo(args: argparse.Namespace) -> int:
    """Build a demo register (refuses an existing file without --replace); return the exit code."""
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


__all__ = ["add_commands", "run_demo"]
