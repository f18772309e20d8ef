"""Whole dashboards, one builder each, for thin Voilà notebooks.

>>> from trajecttools.apps import mdo          # doctest: +SKIP
>>> mdo(team="Team Noord")                      # doctest: +SKIP

Importing this module does the slow, request-independent work (widget and chart libraries,
the offline Vega bundle), so a preheated Voilà kernel has it done before anyone asks.
"""

from __future__ import annotations

import datetime as dt
import importlib
import os

import ipywidgets as widgets

from trajecttools.core.dates import parse_date
from trajecttools.core.errors import TrajecttoolsError
from trajecttools.widgets._base import esc, log, setup_server_log, style_sheet
from trajecttools.widgets.mdo import MdoDashboard
from trajecttools.widgets.overview_charts import warm_up
from trajecttools.workspace import Workspace


def _preload() -> None:
    """Import and start what every page needs, so a preheated kernel has it done."""
    for module in ("alembic.runtime.migration", "alembic.script"):  # used to open the register
        importlib.import_module(module)
    warm_up()


_preload()


def wait_for_request() -> None:
    """Wait until a preheated Voilà kernel is handed to a visitor (no-op elsewhere).

    Work after this call is done per page request, with the data as it is then; work before
    it is done once, ahead of time.
    """
    if os.environ.get("VOILA_PREHEAT", "False") == "False":
        return
    try:
        from voila.utils import wait_for_request as voila_wait
    except ImportError:  # pragma: no cover - voila is a dependency
        return
    voila_wait()


def _as_date(value: dt.date | str | None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        day = parse_date(value)
    except ValueError:
        day = None
    if day is None:
        raise TrajecttoolsError(f"'{value}' is geen geldige peildatum (gebruik dd-mm-jjjj).")
    return day


def _failure(message: str) -> widgets.Widget:
    box = widgets.VBox([
        style_sheet(),
        widgets.HTML(f"<h1>MDO-overleg</h1><div class='tt-status-error' role='alert'>"
                     f"{esc(message)}</div>"),
    ])
    box.add_class("tt-mdo")
    box.add_class("tt-status")
    return box


def mdo(
    store: Workspace | None = None,
    *,
    as_of: dt.date | str | None = None,
    team: str | None = None,
) -> widgets.Widget:
    """Return the case-meeting (MDO) dashboard of a register.

    ``store`` None opens the register named by ``TRAJECTTOOLS_DATABASE_URL`` (or the default
    file) without changing its schema. ``as_of`` fixes the date the signals are computed for
    (a date or dd-mm-jjjj; None: today). ``team`` preselects a team by name.
    """
    setup_server_log()
    try:
        day = _as_date(as_of)
        if store is None:
            store = Workspace(None, migrate=False)
        return MdoDashboard(store, as_of=day, team=team)
    except TrajecttoolsError as exc:
        log.exception("MDO-dashboard kon niet worden gemaakt")
        return _failure(f"Het dashboard kon niet worden geladen: {exc}")
    except Exception:
        log.exception("MDO-dashboard kon niet worden gemaakt")
        return _failure("Het dashboard kon niet worden geladen. Controleer de verbinding met de "
                        "database of meld het bij de beheerder.")


__all__ = ["mdo", "wait_for_request"]
