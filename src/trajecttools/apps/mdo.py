"""The case-meeting (MDO) dashboard page: one call for a thin notebook or Voilà dashboard."""

from __future__ import annotations

import datetime as dt

import ipywidgets as widgets

from trajecttools.apps.base import Page, dashboard
from trajecttools.widgets.mdo import MdoDashboard
from trajecttools.widgets.overview_charts import warm_up
from trajecttools.workspace import Workspace

# the SVG engine's one-off start, before any visitor
warm_up()

MDO = Page("MDO-overleg", "MDO-dashboard", "Het dashboard", "meeting", "tt-mdo")


def mdo(
    store: Workspace | None = None,
    *,
    as_of: dt.date | str | None = None,
    team: str | None = None,
    wait: bool = True,
) -> widgets.Widget:
    """Return the case-meeting (MDO) dashboard of a register.

    ``store`` None opens the register named by ``TRAJECTTOOLS_DATABASE_URL`` (or the default
    file) without changing its schema. ``as_of`` fixes the date the signals are computed for
    (a date or dd-mm-jjjj; None: today). ``team`` preselects a team by name.
    """
    return dashboard(MDO, lambda s, day: MdoDashboard(s, as_of=day, team=team),
                     store=store, as_of=as_of, wait=wait)


__all__ = ["MDO", "mdo"]
