"""Today's meeting agenda: the cases picked from the signal list, in the order picked, each
with the decision the meeting takes; "Verslag opslaan" records agenda and decisions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as widgets
import traitlets

from trajecttools.outputs.report.document import esc
from trajecttools.widgets.signal_table import display_name, severity_badge
from trajecttools.widgets.toolkit import Status, button, guarded, show

OpenHandler = Callable[[int], None]
SaveHandler = Callable[[list[dict[str, Any]]], None]


class AgendaItem(widgets.HBox):
    """One case on the agenda: who, the reason it was picked, and open/remove buttons."""

    def __init__(self, item: dict[str, Any]) -> None:
        self.item = item
        self.trajectory_id = int(item["trajectory_id"])
        reason = esc(item.get("rule_label") or "")
        self.text = widgets.HTML(
            f'<div class="tt-row-main">{severity_badge(item.get("severity"))}'
            f'{display_name(item.get("pseudonym"), item.get("initials"))}</div>'
            f'<div class="tt-row-msg">{reason}</div>',
            layout=widgets.Layout(width="100%"),
        )
        self.decision = widgets.Textarea(
            placeholder="Besluit (komt in het MDO-verslag)", rows=2, continuous_update=False,
            layout=widgets.Layout(width="100%"))
        self.decision.add_class("tt-agenda-decision")
        main = widgets.VBox([self.text, self.decision],
                            layout=widgets.Layout(flex="1 1 auto", width="auto"))
        self.open_button = button("Open", kind="primary", tooltip="Open het dossier",
                                  css="tt-agenda-open")
        self.remove_button = button("Weg", tooltip="Haal van de agenda", css="tt-agenda-remove")
        super().__init__([main, self.open_button, self.remove_button],
                         layout=widgets.Layout(width="100%"))
        self.add_class("tt-agenda-item")


class Agenda(widgets.VBox):
    """The cases picked for today's meeting (one entry per case)."""

    trajectory_ids = traitlets.List(traitlets.Int(), help="Cases on the agenda, in order")

    def __init__(self, status: Status, *, on_open: OpenHandler | None = None,
                 on_save: SaveHandler | None = None) -> None:
        self.status = status
        self._on_open = on_open
        self._on_save = on_save
        self.items: list[AgendaItem] = []
        self.heading = widgets.HTML("<h2>Agenda van vandaag (0)</h2>")
        self.empty = widgets.HTML(
            '<div class="tt-empty">Nog niets geagendeerd: kies "Agenderen" bij een signaal.</div>'
        )
        self.list = widgets.VBox([])
        self.clear_button = button("Agenda leegmaken", css="tt-agenda-clear")
        self.clear_button.on_click(guarded(status, "Agenda leegmaken")(lambda _b: self.clear()))
        self.save_button = button("Verslag opslaan", kind="primary",
                                  tooltip="Leg agenda en besluiten vast (MDO-verslag)",
                                  css="tt-agenda-save")
        self.save_button.on_click(guarded(status, "Verslag opslaan")(lambda _b: self.save()))
        buttons = widgets.HBox([self.save_button, self.clear_button])
        super().__init__([self.heading, self.empty, self.list, buttons])
        self.add_class("tt-agenda")
        self.add_class("tt-panel")
        self._render()

    def __contains__(self, trajectory_id: object) -> bool:
        return trajectory_id in self.trajectory_ids

    def add(self, item: dict[str, Any]) -> None:
        """Put a case on the agenda (once; the first reason picked is kept)."""
        tid = int(item["trajectory_id"])
        if tid in self.trajectory_ids:
            return
        entry = AgendaItem(item)
        entry.open_button.on_click(guarded(self.status, "Dossier openen")(self._open_clicked))
        entry.remove_button.on_click(guarded(self.status, "Van agenda halen")(self._remove_clicked))
        self.items.append(entry)
        self._render()

    def remove(self, trajectory_id: int) -> None:
        """Take a case off the agenda."""
        keep = []
        for entry in self.items:
            if entry.trajectory_id == int(trajectory_id):
                entry.close()
            else:
                keep.append(entry)
        self.items = keep
        self._render()

    def toggle(self, item: dict[str, Any]) -> bool:
        """Add a case, or remove it when it is on the agenda; return whether it is on now."""
        tid = int(item["trajectory_id"])
        if tid in self.trajectory_ids:
            self.remove(tid)
            return False
        self.add(item)
        return True

    def clear(self) -> None:
        """Empty the agenda."""
        for entry in self.items:
            entry.close()
        self.items = []
        self._render()

    def _render(self) -> None:
        self.list.children = tuple(self.items)
        self.trajectory_ids = [e.trajectory_id for e in self.items]
        self.heading.value = f"<h2>Agenda van vandaag ({len(self.items)})</h2>"
        show(self.empty, not self.items)
        show(self.clear_button, bool(self.items))
        show(self.save_button, bool(self.items) and self._on_save is not None)

    def entries(self) -> list[dict[str, Any]]:
        """Return the agenda in order: trajectory, reason it was picked, decision typed."""
        return [
            {"trajectory_id": e.trajectory_id, "reason": str(e.item.get("rule_label") or ""),
             "decision": e.decision.value.strip()}
            for e in self.items
        ]

    def save(self) -> None:
        """Hand the agenda and its decisions to the dashboard to record (the MDO minutes)."""
        if self._on_save is not None and self.items:
            self._on_save(self.entries())

    def _entry_of(self, b: widgets.Button) -> AgendaItem:
        for entry in self.items:
            if b is entry.open_button or b is entry.remove_button:
                return entry
        raise LookupError("onbekende knop")

    def _open_clicked(self, b: widgets.Button) -> None:
        if self._on_open is not None:
            self._on_open(self._entry_of(b).trajectory_id)

    def _remove_clicked(self, b: widgets.Button) -> None:
        self.remove(self._entry_of(b).trajectory_id)
