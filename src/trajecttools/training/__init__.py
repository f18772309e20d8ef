"""The trainer's walkthrough: one synthetic client's route through a method, one step a call.

>>> from trajecttools.training import Walkthrough
>>> route = Walkthrough("opstapbaan")
>>> route.register()
Step('1. Aanmelding', 06-01-2025)

A :class:`Walkthrough` opens a fresh register in a temporary SQLite file with a small fictional
organisation (team, job coach, case manager, employers, vacancies) and one client. Every method
performs one step of the route with the register's own operations (each write one transaction)
and returns a :class:`Step`: a title, Dutch text, a table, a chart (inline SVG, drawn without a
network) and, where the method has one, the printable report. :meth:`Walkthrough.signals` shows
the method's signals for the client on a date: move that date forward and deadlines pass.

The dates are fixed (2023-2025), so the route reads the same in every run and every signal
fires where the text says it does. Everything here is fictional.
"""

from trajecttools.training.step import Step, svg
from trajecttools.training.walkthrough import Walkthrough

__all__ = ["Step", "Walkthrough", "svg"]
