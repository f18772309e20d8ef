"""The follow-up forms page: one call for a thin notebook or Voilà dashboard."""

from __future__ import annotations

import datetime as dt

import ipywidgets as widgets

from trajecttools.apps.base import Page, dashboard
from trajecttools.widgets.follow_up import FollowUpApp
from trajecttools.workspace import Workspace
from trajecttools.workspace import open as open_register

FOLLOW_UP = Page(FollowUpApp.title_text, "Formulier", "Het formulier", "form", FollowUpApp.css)


def follow_up(store: Workspace | None = None, *, actor: str | None = None,
              today: dt.date | None = None, wait: bool = True) -> widgets.Widget:
    """Return the follow-up forms of a register (contacts to end report).

    ``store`` None opens the register named by ``TRAJECTTOOLS_DATABASE_URL`` (or the default
    file). ``actor`` is who the audit log names (None: the register's user); ``today`` fixes
    the date used for defaults and checks (None: the register's today).
    """
    return dashboard(FOLLOW_UP, lambda s, _day: FollowUpApp(s, actor=actor, today=today),
                     store=store, wait=wait,
                     opener=lambda: open_register(actor=actor, today=today))


__all__ = ["FOLLOW_UP", "follow_up"]
