"""The Matchtafel dashboard page: one call for a thin notebook or Voilà dashboard."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import ipywidgets as widgets

from trajecttools.apps.base import Page, dashboard
from trajecttools.reads import matching
from trajecttools.widgets.matchtafel import MatchtafelDashboard
from trajecttools.widgets.pairs import DEFAULT_TOP
from trajecttools.workspace import Workspace

MATCHTAFEL = Page("Matchtafel", "Matchtafel", "Het dashboard", "matchtafel", "tt-matchtafel")


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


__all__ = ["MATCHTAFEL", "matchtafel"]
