"""Every dashboard and form page, one call each, for thin Voilà dashboards and notebooks.

>>> from trajecttools.apps import mdo
>>> page = mdo(team="Team Rijnmond", as_of="02-11-2026")
>>> type(page).__name__
'MdoDashboard'

The pages: :func:`mdo`, :func:`matchtafel` and :func:`monitoring` (meeting dashboards, read
only), :func:`intake`, :func:`follow_up` and :func:`transfer` (forms and import/export). Each
goes through :func:`dashboard`, which does the common work: the server log, the wait for a
visitor in a preheated Voilà kernel, the peildatum, opening the register and the Dutch failure
box.

Importing this module does the slow, request-independent work (widget and chart libraries,
the offline Vega bundle), so a preheated Voilà kernel has it done before anyone asks.
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import ipywidgets as widgets

from trajecttools.core.dates import parse_date
from trajecttools.core.errors import TrajecttoolsError
from trajecttools.reads import matching, outcomes
from trajecttools.widgets.follow_up import FollowUpApp
from trajecttools.widgets.intake import IntakeApp
from trajecttools.widgets.matchtafel import MatchtafelDashboard
from trajecttools.widgets.mdo import MdoDashboard
from trajecttools.widgets.monitoring import MonitoringDashboard
from trajecttools.widgets.overview_charts import warm_up
from trajecttools.widgets.pairs import DEFAULT_TOP
from trajecttools.widgets.toolkit import failure_box, log, setup_server_log
from trajecttools.widgets.transfer import TransferPanel
from trajecttools.workspace import Workspace
from trajecttools.workspace import open as open_register


def preload() -> None:
    """Import and start what every page needs, so a preheated kernel has it done."""
    for module in ("alembic.runtime.migration", "alembic.script"):  # used to open the register
        importlib.import_module(module)
    warm_up()


preload()


def wait_for_request() -> None:
    """Wait until a preheated Voilà kernel is handed to a visitor (no-op elsewhere).

    Work after this call is done per page request, with the data as it is then; work before
    it is done once, ahead of time.
    """
    if os.environ.get("VOILA_PREHEAT", "False") == "False":
        return
    try:
        # heavy optional dependency: voila's server stack, only needed in a preheated kernel
        from voila.utils import wait_for_request as voila_wait  # noqa: PLC0415
    except ImportError:  # pragma: no cover - voila is a dependency
        return
    voila_wait()


def parse_as_of(value: dt.date | str | None) -> dt.date | None:
    """Return the peildatum of a page: a date, dd-mm-jjjj, or None (today)."""
    if value is None or isinstance(value, dt.date):
        return value
    try:
        day = parse_date(value)
    except ValueError:
        day = None
    if day is None:
        raise TrajecttoolsError(f"'{value}' is geen geldige peildatum (gebruik dd-mm-jjjj).")
    return day


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


MDO = Page("MDO-overleg", "MDO-dashboard", "Het dashboard", "meeting", "tt-mdo")
MATCHTAFEL = Page("Matchtafel", "Matchtafel", "Het dashboard", "matchtafel", "tt-matchtafel")
MONITORING = Page("Uitkomsten en duurzaam werk", "Monitoringsdashboard", "Het dashboard",
                  "monitoring", "tt-monitoring")
INTAKE = Page(IntakeApp.title_text, "Formulier", "Het formulier", "form", IntakeApp.css)
FOLLOW_UP = Page(FollowUpApp.title_text, "Formulier", "Het formulier", "form", FollowUpApp.css)
TRANSFER = Page("Importeren, exporteren en rapporten", "Import/export", "Het scherm", "form",
                "tt-transfer")


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

    Sends the log to the server, waits for a visitor in a preheated Voilà kernel (``wait``),
    reads the peildatum (a date or dd-mm-jjjj; None stays None) and opens the register with
    ``opener`` when no ``store`` is given.
    """
    setup_server_log()
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


def matchtafel(
    store: Workspace | None = None,
    *,
    as_of: dt.date | str | None = None,
    top: int = DEFAULT_TOP,
    clients: Sequence[int | str] | None = None,
    config: matching.MatchConfig | str | None = None,
    wait: bool = True,
) -> widgets.Widget:
    """Return the Matchtafel dashboard of a register.

    ``store`` None opens the register named by ``TRAJECTTOOLS_DATABASE_URL`` (or the default
    file) without changing its schema. ``as_of``: a date or dd-mm-jjjj (None: today). ``top``:
    pairs shown per client or vacancy. ``clients``: pseudonyms or trajectory ids put at the
    table at once. ``config``: a :class:`~trajecttools.reads.matching.MatchConfig` or a TOML path.
    """

    def build(s: Workspace, day: dt.date | None) -> widgets.Widget:
        settings = matching.MatchConfig.from_toml(config) if isinstance(config, str) else config
        return MatchtafelDashboard(s, as_of=day, top=top, clients=clients, config=settings)

    return dashboard(MATCHTAFEL, build, store=store, as_of=as_of, wait=wait)


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


def transfer(store: Workspace | str | None = None, *, actor: str | None = None,
             wait: bool = True) -> widgets.Widget:
    """Return the import/export/reports panel of a register (a Workspace, a URL or file, or None).

    None opens the register named by ``TRAJECTTOOLS_DATABASE_URL`` (or the default file).
    """
    if isinstance(store, Workspace):
        given, target = store, None
    else:
        given, target = None, store
    return dashboard(TRANSFER, lambda s, _day: TransferPanel(s, actor=actor), store=given,
                     wait=wait, opener=lambda: open_register(target, actor=actor))


__all__ = [
    "FOLLOW_UP",
    "INTAKE",
    "MATCHTAFEL",
    "MDO",
    "MONITORING",
    "TRANSFER",
    "Page",
    "dashboard",
    "follow_up",
    "intake",
    "matchtafel",
    "mdo",
    "monitoring",
    "open_read_only",
    "parse_as_of",
    "preload",
    "transfer",
    "wait_for_request",
]
