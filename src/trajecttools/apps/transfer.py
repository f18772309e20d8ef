"""The import, export and reports panel page: one call for a thin notebook or Voilà dashboard."""

from __future__ import annotations

import ipywidgets as widgets

from trajecttools.apps.base import Page, dashboard
from trajecttools.widgets.transfer import TransferPanel
from trajecttools.workspace import Workspace
from trajecttools.workspace import open as open_register

TRANSFER = Page("Importeren, exporteren en rapporten", "Import/export", "Het scherm", "form",
                "tt-transfer")


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


__all__ = ["TRANSFER", "transfer"]
