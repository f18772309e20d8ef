"""The ``trajecttools`` command line: one module per command group, :func:`main` runs it."""

from trajecttools.cli.app import main

__all__ = ["main"]
