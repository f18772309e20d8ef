"""What every page shares: the server log, the wait for a visitor in a preheated Voilà kernel, the
peildatum, opening the register and the Dutch failure box (:func:`dashboard`).

Importing this module does the slow, request-independent work every page needs (the widget
library, the migration scripts that opening a register reads), so a preheated Voilà kernel has it
done before anyone asks; the pages with charts also start the chart libraries on import. A
preheated kernel also builds its page once and throws it away before it waits (:func:`rehearse`):
the first visitor's build then runs on warm code paths and caches, on the data as it is then.
"""

from __future__ import annotations

import datetime as dt
import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass

import ipywidgets as widgets

from trajecttools.core.dates import parse_as_of
from trajecttools.core.errors import TrajecttoolsError
from trajecttools.core.startup import end_preheat_turn, preheating
from trajecttools.widgets.toolkit import failure_box, log, setup_server_log
from trajecttools.workspace import Workspace


def preload() -> None:
    """Import what every page needs to open the register, so a preheated kernel has it done."""
    for module in ("alembic.runtime.migration", "alembic.script"):
        importlib.import_module(module)


preload()


def wait_for_request() -> None:
    """Wait until a preheated Voilà kernel is handed to a visitor (no-op elsewhere).

    Work after this call is done per page request, with the data as it is then; work before
    it is done once, ahead of time. The next preheating kernel on the machine gets its turn now
    (:func:`trajecttools.core.startup.end_preheat_turn`).
    """
    if not preheating():
        return
    end_preheat_turn()
    try:
        # heavy optional dependency: voila's server stack, only needed in a preheated kernel
        from voila.utils import wait_for_request as voila_wait  # noqa: PLC0415
    except ImportError:  # pragma: no cover - voila is a dependency
        return
    voila_wait()


def open_read_only() -> Workspace:
    """Open the register named by ``TRAJECTTOOLS_DATABASE_URL`` without changing its schema."""
    return Workspace(None, migrate=False)


@dataclass(frozen=True)
class Page:
    """What :func:`dashboard` needs to know of a page to report that it could not be built."""

    title: str  #: heading of the failure box
    name: str  #: the page in the server log
    noun: str  #: the page in the Dutch message ("Het dashboard")
    sheet: str  #: style sheet (see :func:`trajecttools.widgets.toolkit.style_sheet`)
    css: str  #: CSS class of the page


def rehearse(page: Page, build: Callable[[Workspace, dt.date | None], widgets.Widget],
             as_of: dt.date | str | None,
             opener: Callable[[], Workspace] = open_read_only) -> float:
    """Build a page once and throw it away; return the seconds it took.

    Done in a preheated kernel before the visitor arrives, so the visitor's own build (on the
    data as they are then) finds the code paths, read models and caches warm. An error is logged
    with its traceback and raised: the dashboard cannot be preheated (``trajecttools serve``
    stops with a Dutch message).
    """
    start = time.perf_counter()
    try:
        with opener() as store:
            built = build(store, parse_as_of(as_of))
    except Exception:
        log.exception("%s kon niet worden voorbereid", page.name)
        raise
    built.close()
    widgets.Widget.close_all()  # nothing is shown yet in a kernel that waits for a visitor
    seconds = time.perf_counter() - start
    log.info("%s voorbereid in %.1f s", page.name, seconds)
    return seconds


def dashboard(
    page: Page,
    build: Callable[[Workspace, dt.date | None], widgets.Widget],
    *,
    store: Workspace | None = None,
    as_of: dt.date | str | None = None,
    wait: bool = True,
    opener: Callable[[], Workspace] = open_read_only,
) -> widgets.Widget:
    """Build a page: ``build(store, as_of)``, or a Dutch failure box (and a server log entry).

    Sends the log to the server; in a preheated Voilà kernel (``wait``) rehearses the page
    (:func:`rehearse`) and waits for a visitor; reads the peildatum (a date or dd-mm-jjjj; None
    stays None) and opens the register with ``opener`` when no ``store`` is given.
    """
    setup_server_log()
    if wait and preheating() and store is None:
        rehearse(page, build, as_of, opener)
    if wait:
        wait_for_request()
    try:
        day = parse_as_of(as_of)
        return build(store if store is not None else opener(), day)
    except TrajecttoolsError as exc:
        log.exception("%s kon niet worden gemaakt", page.name)
        message = f"{page.noun} kon niet worden geladen: {exc}"
    except Exception:
        log.exception("%s kon niet worden gemaakt", page.name)
        message = (f"{page.noun} kon niet worden geladen. Controleer de verbinding met de "
                   "database of meld het bij de beheerder.")
    return failure_box(page.title, message, sheet=page.sheet, css=page.css)


__all__ = ["Page", "dashboard", "open_read_only", "parse_as_of", "preheating", "preload",
           "rehearse", "wait_for_request"]
