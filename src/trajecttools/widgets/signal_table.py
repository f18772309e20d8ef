"""The signal list of a case meeting: most severe first, a page at a time, each row with a
button to put the case on today's agenda and one to open its card."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import ipywidgets as widgets
import pandas as pd
import traitlets

from trajecttools.core import vocab
from trajecttools.core.method import Words, builtin_methods
from trajecttools.outputs.report.document import esc
from trajecttools.widgets.toolkit import Status, button, guarded, show

SEVERITY_ORDER = ("high", "medium", "low")
SEVERITY_LABELS = {"high": "HOOG", "medium": "MIDDEL", "low": "LAAG"}

OpenHandler = Callable[[int], None]
AgendaHandler = Callable[[dict[str, Any]], None]


def severity_badge(severity: object) -> str:
    """Return the severity as a coloured text label (the word carries the meaning)."""
    code = str(severity) if str(severity) in SEVERITY_LABELS else "low"
    return (f'<span class="tt-sev tt-sev-{code}" title="Ernst: '
            f'{esc(vocab.label(vocab.SEVERITIES, code))}">{SEVERITY_LABELS[code]}</span> ')


def display_name(pseudonym: object, initials: object) -> str:
    """Return "pseudonym · initials" (the only way a client is named on screen)."""
    inits = esc(initials)
    return f"{esc(pseudonym)} · {inits}" if inits else esc(pseudonym)


#: Dutch labels of special-category domains, as they might appear in a sentence.
_SPECIAL_WORDS = tuple(sorted(
    {vocab.BARRIER_DOMAINS[d].lower() for d in vocab.SPECIAL_CATEGORY_DOMAINS}
    | {vocab.ZRM_DOMAINS[d].lower() for d in vocab.ZRM_SPECIAL_CATEGORY}
))


def safe_message(signal: pd.Series | Mapping[Any, Any]) -> str:
    """Return the sentence to show for a signal, never naming a special-category domain.

    The signals engine already words such signals without the domain; should a sentence name
    one anyway (an organisation's own rule text), the rule's label is shown instead. The
    domain itself is shown only on the case card, when someone opens it explicitly.
    """
    message = signal.get("message")
    if message is None or (isinstance(message, float) and pd.isna(message)) or not message:
        return str(signal.get("rule_label") or "")
    text = str(message)
    if any(word in text.lower() for word in _SPECIAL_WORDS):
        return f"{signal.get('rule_label') or 'Signaal'} (details in het dossier)."
    return text


#: The order of the list in one sentence, shown under its heading.
ORDER_SENTENCE = ("Hoogste ernst eerst; per ernst eerst de lopende trajecten, dan de "
                  "afgesloten; het langst verlopen signaal bovenaan.")


def sort_signals(frame: pd.DataFrame) -> pd.DataFrame:
    """Return signals ordered for a meeting: most severe first; within a severity running
    trajectories before closed ones (a frame without ``active``: all running); then most
    overdue."""
    if frame.empty:
        return frame
    active = (frame["active"].astype("boolean").fillna(True) if "active" in frame.columns
              else pd.Series(True, index=frame.index))
    order = frame.assign(
        _sev=frame["severity"].astype(str).map({s: i for i, s in enumerate(SEVERITY_ORDER)})
        .fillna(len(SEVERITY_ORDER)),
        _closed=(~active).astype(int),
        _late=pd.to_numeric(frame["days_overdue"], errors="coerce").fillna(0),
    )
    order = order.sort_values(["_sev", "_closed", "_late", "pseudonym"],
                              ascending=[True, True, False, True], kind="stable")
    return order.drop(columns=["_sev", "_closed", "_late"]).reset_index(drop=True)


_DATE = re.compile(r"\b\d{2}-\d{2}-\d{4}\b")


def nowrap_dates(text: str) -> str:
    """Keep dd-mm-jjjj dates in escaped text on one line."""
    return _DATE.sub(lambda m: f'<span class="tt-date">{m.group(0)}</span>', text)


def row_html(signal: pd.Series | Mapping[Any, Any]) -> str:
    """Return the escaped HTML of one signal row (two lines: who and why)."""
    method = builtin_methods().get(str(signal.get("method")))
    coach = method.words.coach if method is not None else Words().coach
    meta = [esc(signal.get("phase_label")), esc(signal.get("coach")) or f"geen {coach}"]
    return (
        f'<div class="tt-row-main">{severity_badge(signal.get("severity"))}'
        f'{display_name(signal.get("pseudonym"), signal.get("initials"))}'
        f'<span class="tt-row-meta"> — {" · ".join(m for m in meta if m)}</span></div>'
        f'<div class="tt-row-msg">{nowrap_dates(esc(safe_message(signal)))}</div>'
    )


class SignalRow(widgets.HBox):
    """One signal: who and why, with "Agenderen" and "Open dossier" buttons."""

    trajectory_id = traitlets.Int(None, allow_none=True, help="The row's trajectory (None: empty)")

    def __init__(self) -> None:
        self.text = widgets.HTML(layout=widgets.Layout(flex="1 1 0", width="auto",
                                                       min_width="0"))
        self.agenda_button = button("Agenderen", tooltip="Zet deze klant op de agenda van vandaag",
                                    css="tt-agenda-toggle")
        self.open_button = button("Open dossier", kind="primary", css="tt-open-case")
        self.signal: dict[str, Any] = {}
        actions = widgets.HBox([self.agenda_button, self.open_button],
                               layout=widgets.Layout(flex="0 0 auto", flex_flow="row wrap",
                                                     justify_content="flex-end",
                                                     max_width="400px"))
        actions.add_class("tt-row-actions")
        super().__init__([self.text, actions], layout=widgets.Layout(width="100%"))
        self.add_class("tt-signal-row")

    def fill(self, signal: Mapping[Any, Any] | None, *, on_agenda: bool = False) -> None:
        """Show a signal in this row, or hide the row when there is none."""
        if signal is None:
            self.signal = {}
            self.trajectory_id = None
            show(self, False)
            return
        self.signal = dict(signal)
        self.trajectory_id = int(signal["trajectory_id"])
        self.text.value = row_html(signal)
        self.mark_agenda(on_agenda)
        show(self, True)

    def mark_agenda(self, on_agenda: bool) -> None:
        """Show whether the row's case is on the agenda."""
        self.agenda_button.description = "Op agenda ✓" if on_agenda else "Agenderen"
        if on_agenda:
            self.agenda_button.add_class("tt-button-on")
            self.add_class("tt-on-agenda")
        else:
            self.agenda_button.remove_class("tt-button-on")
            self.remove_class("tt-on-agenda")


class SignalTable(widgets.VBox):
    """The signals of the selected team or coach, a page at a time, most severe first."""

    page = traitlets.Int(0, help="Zero-based page shown")
    page_size = traitlets.Int(8, help="Rows per page (large type: few rows)")
    total = traitlets.Int(0, help="Number of signals in the current selection")

    def __init__(
        self,
        status: Status,
        *,
        page_size: int = 8,
        on_open: OpenHandler | None = None,
        on_agenda: AgendaHandler | None = None,
    ) -> None:
        self.status = status
        self._on_open = on_open
        self._on_agenda = on_agenda
        self._frame = pd.DataFrame()
        self._agenda: set[int] = set()
        self.heading = widgets.HTML("<h2>Signalen</h2>")
        self.order_note = widgets.HTML(f'<div class="tt-note">{esc(ORDER_SENTENCE)}</div>')
        self.rows = [SignalRow() for _ in range(page_size)]
        for row in self.rows:
            row.open_button.on_click(guarded(status, "Dossier openen")(self._open_clicked))
            row.agenda_button.on_click(guarded(status, "Agenderen")(self._agenda_clicked))
            show(row, False)
        self.empty = widgets.HTML('<div class="tt-empty">Geen signalen voor deze selectie.</div>')
        self.prev_button = button("◀ Vorige", css="tt-prev")
        self.next_button = button("Volgende ▶", css="tt-next")
        self.page_label = widgets.HTML()
        self.prev_button.on_click(guarded(status, "Bladeren")(lambda _b: self.go(self.page - 1)))
        self.next_button.on_click(guarded(status, "Bladeren")(lambda _b: self.go(self.page + 1)))
        pager = widgets.HBox([self.prev_button, self.page_label, self.next_button])
        pager.add_class("tt-pager")
        self.body = widgets.VBox(self.rows)
        self.body.add_class("tt-signals")
        super().__init__([self.heading, self.order_note, self.empty, self.body, pager])
        self.add_class("tt-signal-table")
        self.add_class("tt-panel")
        self.page_size = page_size
        self._render()

    # -- data ------------------------------------------------------------------------
    @property
    def frame(self) -> pd.DataFrame:
        """The signals of the current selection, in display order."""
        return self._frame

    def set_signals(self, frame: pd.DataFrame, *, title: str = "Signalen") -> None:
        """Show these signals from the first page on."""
        self._frame = sort_signals(frame)
        self.total = len(self._frame)
        self.heading.value = f"<h2>{esc(title)} ({self.total})</h2>"
        self.page = 0
        self._render()

    def set_agenda(self, trajectory_ids: Iterable[int]) -> None:
        """Mark the rows whose case is on the agenda."""
        self._agenda = {int(t) for t in trajectory_ids}
        for row in self.rows:
            if row.trajectory_id is not None:
                row.mark_agenda(row.trajectory_id in self._agenda)

    @property
    def pages(self) -> int:
        """Number of pages (at least one)."""
        return max(1, -(-self.total // self.page_size))

    def go(self, page: int) -> None:
        """Show page ``page`` (clipped to the pages there are)."""
        self.page = min(max(0, page), self.pages - 1)
        self._render()

    def visible_rows(self) -> list[SignalRow]:
        """Return the rows that show a signal on the current page."""
        return [r for r in self.rows if r.trajectory_id is not None]

    # -- rendering -------------------------------------------------------------------
    def _render(self) -> None:
        start = self.page * self.page_size
        chunk = self._frame.iloc[start:start + self.page_size]
        records = chunk.to_dict("records")
        with self.hold_sync():
            for i, row in enumerate(self.rows):
                signal = records[i] if i < len(records) else None
                on_agenda = signal is not None and int(signal["trajectory_id"]) in self._agenda
                row.fill(signal, on_agenda=on_agenda)
            show(self.empty, self.total == 0)
            self.page_label.value = (
                f'<span class="tt-page">Pagina {self.page + 1} van {self.pages}</span>'
            )
            self.prev_button.disabled = self.page == 0
            self.next_button.disabled = self.page >= self.pages - 1

    # -- handlers --------------------------------------------------------------------
    def _row_of(self, b: widgets.Button) -> SignalRow:
        for row in self.rows:
            if b is row.open_button or b is row.agenda_button:
                return row
        raise LookupError("onbekende knop")

    def _open_clicked(self, b: widgets.Button) -> None:
        row = self._row_of(b)
        if row.trajectory_id is not None and self._on_open is not None:
            self._on_open(row.trajectory_id)

    def _agenda_clicked(self, b: widgets.Button) -> None:
        row = self._row_of(b)
        if row.trajectory_id is not None and self._on_agenda is not None:
            self._on_agenda(dict(row.signal))
