"""The functional administrator's organisation page: one call for a thin notebook."""

from __future__ import annotations

import ipywidgets as widgets

from trajecttools.apps.base import Page, dashboard
from trajecttools.widgets.organisation import OrganisationPanel
from trajecttools.workspace import Workspace
from trajecttools.workspace import open as open_register

ORGANISATION = Page("Organisatie beheren", "Beheer", "Het scherm", "form", "tt-organisation")


def beheer(store: Workspace | str | None = None, *, actor: str | None = None,
           wait: bool = True) -> widgets.Widget:
    """Return the organisation page of a register (a Workspace, a URL or file, or None).

    None opens the register named by ``TRAJECTTOOLS_DATABASE_URL`` (or the default file). The
    user's role comes from the register's user mapping (or ``TRAJECTTOOLS_ROLE``); only the role
    ``beheer`` may change anything.
    """
    if isinstance(store, Workspace):
        given, target = store, None
    else:
        given, target = None, store
    return dashboard(ORGANISATION, lambda s, _day: OrganisationPanel(s, actor=actor),
                     store=given, wait=wait, opener=lambda: open_register(target, actor=actor))


__all__ = ["ORGANISATION", "beheer"]
