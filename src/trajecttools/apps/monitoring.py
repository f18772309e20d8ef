"""The monitoring dashboard page: one call for a thin notebook or Voilà dashboard."""

from __future__ import annotations

import datetime as dt
import os

import ipywidgets as widgets

from trajecttools.apps.base import Page, dashboard
from trajecttools.reads import outcomes
from trajecttools.widgets.monitoring import MonitoringDashboard
from trajecttools.widgets.overview_charts import warm_up
from trajecttools.workspace import Workspace

# the SVG engine's one-off start, before any visitor
warm_up()

MONITORING = Page("Uitkomsten en duurzaam werk", "Monitoringsdashboard", "Het dashboard",
                  "monitoring", "tt-monitoring")


def monitoring(
    store: Workspace | None = None,
    *,
    as_of: dt.date | str | None = None,
    by: str | None = None,
    period: str = "24m",
    min_n: int | None = outcomes.MIN_N,
    export_dir: str | os.PathLike[str] | None = None,
    wait: bool = True,
) -> widgets.Widget:
    """Return the monitoring dashboard of a register.

    ``store`` None opens the register named by ``TRAJECTTOOLS_DATABASE_URL`` (or the default
    file) without changing its schema. ``as_of`` is the peildatum (date or dd-mm-jjjj; None:
    the register's today). ``by`` preselects a split (``target_group``, ``coach`` …),
    ``period`` a period (``12m``, ``24m``, a year, ``all``), ``min_n`` the smallest group
    shown. In a preheated Voilà kernel the data are read when a visitor arrives (``wait``).
    """

    def build(s: Workspace, day: dt.date | None) -> widgets.Widget:
        register = outcomes.load(s, day)
        return MonitoringDashboard(register, as_of=register.as_of, by=by, period=period,
                                   min_n=min_n, export_dir=export_dir)

    return dashboard(MONITORING, build, store=store, as_of=as_of, wait=wait)


__all__ = ["MONITORING", "monitoring"]
