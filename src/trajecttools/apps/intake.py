"""The registration and intake forms page: one call for a thin notebook or Voilà dashboard."""

from __future__ import annotations

import datetime as dt

import ipywidgets as widgets

from trajecttools.apps.base import Page, dashboard
from trajecttools.widgets.intake import IntakeApp
from trajecttools.workspace import Workspace
from trajecttools.workspace import open as open_register

INTAKE = Page(IntakeApp.title_text, "Formulier", "Het formulier", "form", IntakeApp.css)


def intake(store: Workspace | None = None, *, actor: str | None = None,
           today: dt.date | None = None, wait: bool = True) -> widgets.Widget:
    """Return the registration and intake forms of a register.

    ``store`` None opens the register named by ``TRAJECTTOOLS_DATABASE_URL`` (or the default
    file). ``actor`` is who the audit log names (None: the register's user); ``today`` fixes
    the date used for defaults and checks (None: the register's today).
    """
    return dashboard(INTAKE, lambda s, _day: IntakeApp(s, actor=actor, today=today),
                     store=store, wait=wait,
                     opener=lambda: open_register(actor=actor, today=today))


__all__ = ["INTAKE", "intake"]
