"""Panels of the case forms: the stale-edit panel, the report view, the case picker, the step
buttons and the save bar."""

from __future__ import annotations

import base64
import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import ipywidgets as widgets

from trajecttools.core.errors import StaleEditError
from trajecttools.outputs.report.document import esc
from trajecttools.reads.case.dossier import CaseChoice, case_choices
from trajecttools.widgets.toolkit import Status, button, guarded, html_block, show
from trajecttools.workspace import Workspace

#: The value of "no case chosen" in the case picker.
NO_CASE = 0


class StalePanel(widgets.VBox):
    """Shows the version someone else saved first, next to the refused edit."""

    def __init__(self, on_reload: Callable[[], None], status: Status) -> None:
        self.table = html_block("")
        self.reload_button = button("Nieuwe versie laden", kind="primary", css="tt-reload",
                                    tooltip="Laad de opgeslagen gegevens; uw wijziging vervalt")
        self.reload_button.on_click(guarded(status, "Opnieuw laden")(lambda _b: on_reload()))
        self.reload_button.layout.align_self = "flex-start"
        self.shown_rows: list[tuple[str, str]] = []
        self.changed: list[str] = []
        super().__init__([self.table, self.reload_button], layout=widgets.Layout(width="100%"))
        self.add_class("tt-stale")
        show(self, False)

    def present(self, exc: StaleEditError, rows: Sequence[tuple[str, str]],
                loaded: Sequence[tuple[str, str]] = ()) -> None:
        """Show the other version of a refused edit; rows that differ from the version the
        form was loaded with are marked "gewijzigd"."""
        self.shown_rows = list(rows)
        before = dict(loaded)
        self.changed = [k for k, v in rows if loaded and before.get(k, "") != v]
        who = f" door {exc.changed_by}" if exc.changed_by else ""
        when = f" op {exc.changed_at}" if exc.changed_at else ""
        body = "".join(
            f"<tr><th>{esc(k)}</th><td>{esc(v) or '–'}</td><td>"
            + (f'<span class="tt-changed">gewijzigd (was: {esc(before.get(k)) or "–"})</span>'
               if k in self.changed else "")
            + "</td></tr>"
            for k, v in rows
        )
        self.table.value = (
            f"<h4>De versie die{esc(who)}{esc(when)} is opgeslagen "
            f"({esc(exc.entity_label)}, versie {exc.current_version})</h4>"
            "<p>Uw wijziging is <b>niet</b> opgeslagen en er is niets overschreven. Vergelijk "
            "met wat u invulde, laad de nieuwe versie en voer uw wijziging opnieuw in.</p>"
            f"<table>{body}</table>"
        )
        show(self, True)

    def hide(self) -> None:
        """Hide the panel."""
        self.shown_rows = []
        self.table.value = ""
        show(self, False)


class ReportView(widgets.VBox):
    """A report shown in the page, with a link to download it as a printable HTML file."""

    def __init__(self) -> None:
        self.download = html_block("", "tt-download tt-noprint")
        self.content = html_block("", "tt-report-view")
        self.document = ""
        super().__init__([self.download, self.content], layout=widgets.Layout(width="100%"))
        self.add_class("tt-report")
        show(self.content, False)

    def present(self, fragment: str, document: str, filename: str) -> None:
        """Show a report fragment and offer the whole document for download."""
        self.document = document
        data = base64.b64encode(document.encode("utf-8")).decode("ascii")
        self.download.value = (
            f'<a download="{esc(filename)}" href="data:text/html;charset=utf-8;base64,{data}">'
            f"Download {esc(filename)} (openen en afdrukken)</a>"
        )
        self.content.value = fragment
        show(self.content, True)

    def clear(self) -> None:
        """Remove the report."""
        self.document = ""
        self.download.value = ""
        self.content.value = ""
        show(self.content, False)


class CasePicker(widgets.HBox):
    """Choose a case by pseudonym; the list shows pseudonym and initials, never names."""

    def __init__(self, store: Workspace, status: Status,
                 on_pick: Callable[[int | None], None]) -> None:
        self.store = store
        self.on_pick = on_pick
        self.choices: list[CaseChoice] = []
        self.search = widgets.Text(placeholder="Zoek op pseudoniem", continuous_update=False,
                                   layout=widgets.Layout(width="190px"))
        self.search.add_class("tt-search")
        self.dropdown = widgets.Dropdown(options=[("— kies een dossier —", NO_CASE)],
                                         value=NO_CASE, layout=widgets.Layout(width="560px"))
        self.dropdown.add_class("tt-case-pick")
        self.refresh_button = button("Lijst vernieuwen", css="tt-refresh")
        label = html_block('<span class="tt-label">Dossier</span>')
        label.layout.width = "auto"
        super().__init__([label, self.search, self.dropdown, self.refresh_button],
                         layout=widgets.Layout(width="auto", align_items="center",
                                               flex_flow="row wrap"))
        self.add_class("tt-picker")
        self.add_class("tt-noprint")
        self._quiet = False
        self.search.observe(guarded(status, "Zoeken")(lambda _c: self.refresh()), "value")
        self.refresh_button.on_click(guarded(status, "Lijst vernieuwen")(
            lambda _b: self.refresh()))
        self.dropdown.observe(guarded(status, "Dossier openen")(self._changed), "value")

    def refresh(self, select: int | None = None) -> None:
        """Reload the list (filtered by the search text), keeping or setting the choice."""
        self.choices = case_choices(self.store, search=self.search.value)
        keep = select if select is not None else self.dropdown.value
        options = [("— kies een dossier —", NO_CASE)] + [
            (c.label, c.trajectory_id) for c in self.choices
        ]
        ids = {c.trajectory_id for c in self.choices}
        if keep not in ids and keep != NO_CASE:
            options.insert(1, (f"Dossier {keep} (buiten de zoekopdracht)", keep))
        self._quiet = True
        try:
            self.dropdown.options = options
            self.dropdown.value = keep
        finally:
            self._quiet = False

    def _changed(self, change: Mapping[str, Any]) -> None:
        if self._quiet:
            return
        value = change["new"]
        self.on_pick(int(value) if value else None)

    def pick(self, trajectory_id: int | None) -> None:
        """Choose a case (as if picked in the list) and open it."""
        if trajectory_id is not None and trajectory_id not in [v for _, v in
                                                               self.dropdown.options]:
            self.refresh(select=trajectory_id)
            self.on_pick(trajectory_id)
            return
        if self.dropdown.value == (trajectory_id or NO_CASE):
            self.on_pick(trajectory_id)
        else:
            self.dropdown.value = trajectory_id or NO_CASE

    @property
    def labels(self) -> list[str]:
        """The texts in the list (for checking that no full name is shown)."""
        return [str(label) for label, _ in self.dropdown.options]


class Steps(widgets.VBox):
    """Step buttons above the form parts; one part is shown at a time."""

    def __init__(self, steps: Sequence[tuple[str, str, widgets.Widget]],
                 status: Status) -> None:
        self.parts = {key: part for key, _, part in steps}
        self.buttons: dict[str, widgets.Button] = {}
        for key, label, _ in steps:
            b = button(label, css=f"tt-step tt-step-{key}")
            b.on_click(guarded(status, "Stap kiezen")(functools.partial(self._click, key)))
            self.buttons[key] = b
        bar = widgets.HBox(list(self.buttons.values()), layout=widgets.Layout(width="100%"))
        bar.add_class("tt-steps")
        bar.add_class("tt-noprint")
        self.current = steps[0][0]
        self.body = widgets.VBox([], layout=widgets.Layout(width="100%"))
        super().__init__([bar, self.body], layout=widgets.Layout(width="100%"))
        self.go(self.current)

    def _click(self, key: str, _b: widgets.Button) -> None:
        self.go(key)

    def show_step(self, key: str, shown: bool) -> None:
        """Show or hide a step's button; a hidden current step gives way to the first step."""
        show(self.buttons[key], shown)
        if not shown and self.current == key:
            self.go(next(iter(self.buttons)))

    def go(self, key: str) -> None:
        """Show the part with this key."""
        self.current = key
        self.body.children = (self.parts[key],)
        for k, b in self.buttons.items():
            if k == key:
                b.add_class("tt-step-active")
            else:
                b.remove_class("tt-step-active")


def savebar(save: widgets.Button, status: Status,
            *extra: widgets.Widget) -> widgets.HBox:
    """Return the row with a form part's save button(s) and its status line."""
    bar = widgets.HBox([save, *extra, status], layout=widgets.Layout(width="100%"))
    bar.add_class("tt-savebar")
    return bar


__all__ = ["NO_CASE", "CasePicker", "ReportView", "StalePanel", "Steps", "savebar"]
