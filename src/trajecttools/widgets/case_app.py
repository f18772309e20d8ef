"""The frame of a case app: title, case picker, case header and steps, each step a form part."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import ipywidgets as widgets

from trajecttools.core.errors import StaleEditError
from trajecttools.reads.case.dossier import describe, entity_of_label, load_dossier
from trajecttools.register.transactions import Tx
from trajecttools.widgets.fields import FieldSet
from trajecttools.widgets.panels import CasePicker, StalePanel, Steps
from trajecttools.widgets.submission import Submission, saved_message
from trajecttools.widgets.toolkit import Status, form_style, html_block, log, show
from trajecttools.workspace import Workspace

T = TypeVar("T")


class CasePart(widgets.VBox):
    """One step of a case app (a form part) with its own status line and stale-edit panel."""

    def __init__(self, app: CaseApp, css: str, *, needs_case: bool = True) -> None:
        self.app = app
        self.needs_case = needs_case
        self.status = Status(f"{css}-status", wide=True)
        self.stale = StalePanel(app.reload, self.status)
        self.notice = html_block(
            '<p class="tt-notice">Kies eerst een dossier in de lijst hierboven'
            + ("" if app.css == "tt-follow-up" else " of meld bij stap 1 een nieuwe klant aan")
            + ".</p>",
            "tt-notice",
        )
        self.main = widgets.VBox([], layout=widgets.Layout(width="100%"))
        super().__init__([self.notice, self.main], layout=widgets.Layout(width="100%"))
        self.add_class("tt-part")
        self.add_class(css)

    def build(self, children: Sequence[widgets.Widget]) -> None:
        """Set the part's content (shown once a case is open, when the part needs one)."""
        self.main.children = tuple(children)

    @property
    def dossier(self) -> Any:
        return self.app.dossier

    def set_case(self, d: Any) -> None:
        """Show a newly opened (or reloaded) case; None: no case open."""
        missing = self.needs_case and d is None
        show(self.notice, missing)
        show(self.main, not missing)
        self.stale.hide()
        self.load(d)

    def load(self, d: Any) -> None:
        """Fill the part from a case (override)."""

    def submission(self) -> Submission:
        """Start checking this part's form: errors cleared, a fresh Submission."""
        for fs in self.fieldsets():
            fs.clear_errors()
        self.stale.hide()
        self.status.clear()
        return Submission(self.app.today)

    def fieldsets(self) -> list[FieldSet]:
        """Return every field set of this part (override)."""
        return []

    def commit(self, sub: Submission, write: Callable[[Tx], T], what: str) -> tuple[bool, T | None]:
        """Save the part in one transaction; on success reload the case and confirm."""
        saved, result = sub.commit(self.app.store, self.app.actor, write, status=self.status,
                                   on_stale=self.show_stale)
        if saved:
            log.info("%s opgeslagen door %s", what, self.app.actor)
            try:
                self.app.after_save(result if isinstance(result, int) else None)
            except Exception:
                log.exception("Dossier opnieuw laden na opslaan mislukt")
                self.status.error(saved_message(what, self.app.actor) + " Het dossier kon "
                                  "daarna niet opnieuw worden geladen; herlaad de pagina.")
                return saved, result
            self.status.ok(saved_message(what, self.app.actor))
        return saved, result

    def show_stale(self, exc: StaleEditError) -> None:
        """Show the version someone else saved first."""
        entity = entity_of_label(exc.entity_label) or ""
        d = self.dossier
        method = d.method if d is not None else None
        rows = describe(self.app.store, entity, exc.current, method) if entity else []
        stored = d.row_of(entity, exc.entity_id) if d is not None else None
        loaded = describe(self.app.store, entity, stored, method) if stored else []
        self.stale.present(exc, rows, loaded)


class CaseApp(widgets.VBox):
    """A whole case app: title, case picker, case header, steps, each step a CasePart."""

    css = "tt-case-app"
    title_text = ""

    def __init__(self, store: Workspace, *, actor: str | None = None,
                 today: dt.date | None = None) -> None:
        self.store = store
        self.actor = actor or store.actor
        self.today = today or store.today
        self.dossier: Any = None
        self.status = Status("tt-app-status", wide=True)
        self.picker = CasePicker(store, self.status, self.open_case)
        self.head = html_block("", "tt-case-head")
        self.parts: dict[str, CasePart] = {}
        steps = self.make_steps()
        self.parts = {key: part for key, _, part in steps}
        self.steps = Steps(steps, self.status)
        bar = self.top_bar()
        bar.add_class("tt-topbar")
        bar.add_class("tt-noprint")
        super().__init__(
            [form_style(), bar, self.head, self.status, self.steps],
            layout=widgets.Layout(width="100%", padding="4px 8px"),
        )
        self.add_class("tt-form")
        self.add_class(self.css)
        self.picker.refresh()
        self.open_case(None)

    def make_steps(self) -> list[tuple[str, str, CasePart]]:
        """Return (key, button text, part) of every step (override)."""
        raise NotImplementedError

    def top_bar(self) -> widgets.Widget:
        """Return the row with the case picker (override to add buttons)."""
        return widgets.HBox([self.picker], layout=widgets.Layout(width="100%"))

    def head_html(self, d: Any) -> str:
        """Return the case header shown above the steps (override)."""
        return ""

    def open_case(self, trajectory_id: int | None) -> None:
        """Open a case by trajectory id (None: no case)."""
        self.dossier = load_dossier(self.store, trajectory_id) if trajectory_id else None
        self.head.value = self.head_html(self.dossier)
        for part in self.parts.values():
            part.set_case(self.dossier)
        if self.dossier is not None:
            self.status.info(f"Dossier {self.dossier.display_name} geopend.")
        else:
            self.status.clear()

    def reload(self) -> None:
        """Load the open case again as it is stored now."""
        tid = self.dossier.trajectory_id if self.dossier is not None else None
        self.open_case(tid)

    def after_save(self, new_trajectory_id: int | None = None) -> None:
        """Reload the case after a save (the versions of what was saved changed)."""
        self.reload()


__all__ = ["CaseApp", "CasePart"]
