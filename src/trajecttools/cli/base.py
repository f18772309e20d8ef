"""What every command of the ``trajecttools`` command line shares: argument types, the
``--db`` help text, and :func:`add_command`, which registers a sub-command with its handler."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable
from typing import Any

from trajecttools.core.dates import parse_day
from trajecttools.register.database import ENV_URL

#: A command's handler: gets the parsed arguments, returns the exit code.
Handler = Callable[[argparse.Namespace], int]
#: The sub-parsers of the command line (argparse's own action class is private).
Commands = Any

DB_HELP = f"databasebestand of -URL (standaard ${ENV_URL} of trajecttools.db)"


def add_command(sub: Commands, name: str, handler: Handler, **kw: Any) -> argparse.ArgumentParser:
    """Add the sub-command ``name`` (``kw`` as for ``add_parser``) run by ``handler``."""
    parser: argparse.ArgumentParser = sub.add_parser(name, **kw)
    parser.set_defaults(handler=handler)
    return parser


def date_arg(value: str) -> dt.date:
    """Return a dd-mm-jjjj argument as a date (argparse error in Dutch otherwise)."""
    try:
        return parse_day(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def positive_arg(value: str) -> int:
    """Return a positive whole number argument (argparse error in Dutch otherwise)."""
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 1:
        raise argparse.ArgumentTypeError(f"'{value}' is geen positief geheel getal")
    return number


def port_arg(value: str) -> int:
    """Return a TCP port number argument, 1-65535 (argparse error in Dutch otherwise)."""
    number = positive_arg(value)
    if number > 65535:
        raise argparse.ArgumentTypeError(f"poort {value} bestaat niet (1-65535)")
    return number


__all__ = ["DB_HELP", "Commands", "Handler", "add_command", "date_arg", "port_arg",
           "positive_arg"]
