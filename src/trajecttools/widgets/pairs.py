"""One pair of the Matchtafel (a client and a vacancy) as a row: every criterion as a coloured
cell with a word, the decision badge, and the buttons."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import pandas as pd
import traitlets

from trajecttools.core import vocab
from trajecttools.outputs.report.document import esc
from trajecttools.reads import matching
from trajecttools.widgets.signal_table import display_name
from trajecttools.widgets.toolkit import button, show

#: Words and symbols of the criterion states: the word carries the meaning, colour helps.
STATE_TEXT = {
    "match": ("✓", "past"),
    "partial": ("◐", "deels"),
    "mismatch": ("✗", "past niet"),
    "unknown": ("?", "onbekend"),
    "n/a": ("–", "n.v.t."),
    "excluded": ("✕", "uitgesloten"),
}
DECISION_CLASSES = {"proposed": "proposed", "introduced": "introduced", "hired": "hired",
                    "declined": "declined"}
SEVERITY_WORDS = {"high": "hoog", "medium": "middel", "low": "laag"}
#: How many pair rows are on screen (large type: few rows).
DEFAULT_TOP = 5



def count(n: int, one: str, many: str) -> str:
    """Return "1 klant" / "3 klanten"."""
    return f"{n} {one if n == 1 else many}"


def frame_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Return the rows of a frame as dicts with string keys."""
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def _num(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if pd.isna(number) else number


def criterion_cell(criterion: str, state: object) -> str:
    """Return one criterion as a coloured cell with its Dutch name, a symbol and a word."""
    code = str(state) if str(state) in STATE_TEXT else "unknown"
    symbol, word = STATE_TEXT[code]
    css = "na" if code == "n/a" else code
    label = matching.CRITERION_LABELS[criterion]
    return (f'<span class="tt-crit tt-crit-{css}" title="{esc(label)}: {esc(word)}">'
            f"<b>{esc(label)}</b>{symbol} {esc(word)}</span>")


def legend_html() -> str:
    """Return the legend of the cell colours (each with its word)."""
    cells = "".join(
        f'<span class="tt-crit tt-crit-{"na" if c == "n/a" else c}">{s} {esc(w)}</span>'
        for c, (s, w) in STATE_TEXT.items())
    return f'<div class="tt-legend"><b>Legenda:</b> {cells}</div>'


def decision_badge(status: object) -> str:
    """Return a decision status as a badge with its Dutch label (empty when none)."""
    if status is None or (isinstance(status, float) and pd.isna(status)) or status == "":
        return ""
    code = str(status)
    css = DECISION_CLASSES.get(code, "proposed")
    return (f'<span class="tt-dec tt-dec-{css}">'
            f"{esc(vocab.label(vocab.MATCH_STATUSES, code))}</span>")


def pair_html(pair: dict[str, Any], *, by_vacancy: bool, status: object = None) -> str:
    """Return the escaped HTML of one pair: rank, score, who or what, criteria, reasons."""
    score = _num(pair.get("score"))
    places = int(_num(pair.get("positions")) or 0)
    places_text = "1 plaats" if places == 1 else f"{places} plaatsen"
    meta: list[str] = []
    if by_vacancy:
        head = f"{display_name(pair.get('pseudonym'), pair.get('initials'))}"
    else:
        head = f"{esc(pair.get('title'))} — {esc(pair.get('employer'))}"
        meta.append(places_text)
        rank = _num(pair.get("vacancy_rank"))
        total = _num(pair.get("candidates"))
        if rank and total:
            meta.append(f"voor deze vacature nr. {int(rank)} van {int(total)} kandidaten")
    if not pair.get("hard_ok", True):
        meta.append("uitgesloten")
    cells = "".join(criterion_cell(c, pair.get(f"{c}_status")) for c in matching.CRITERIA)
    meta_html = esc(" · ".join(meta))
    return (
        f'<div class="tt-pair-head"><span class="tt-rank">{int(pair.get("rank") or 0)}.</span>'
        f'<span class="tt-score" title="Totaalscore van 100">'
        f'{"" if score is None else f"{score:.0f}"}</span>{head}</div>'
        + (f'<div class="tt-meta">{meta_html}{decision_badge(status)}</div>'
           if meta_html or status else "")
        + f'<div class="tt-criteria">{cells}</div>'
        f'<div class="tt-explain">{esc(pair.get("explanation"))}</div>'
    )


class PairRow(widgets.HBox):
    """One pair with its decision buttons (only the steps that are possible are shown)."""

    trajectory_id = traitlets.Int(None, allow_none=True, help="The row's trajectory")
    vacancy_id = traitlets.Int(None, allow_none=True, help="The row's vacancy")

    def __init__(self) -> None:
        self.text = widgets.HTML(layout=widgets.Layout(flex="1 1 auto", width="auto"))
        self.propose_button = button("Voorstellen", kind="primary", css="tt-propose",
                                     tooltip="Leg vast: de tafel stelt deze koppeling voor")
        self.introduce_button = button("Voorgesteld aan werkgever", kind="primary",
                                       css="tt-introduce")
        self.hire_button = button("Aangenomen", kind="good", css="tt-hire")
        self.decline_button = button("Afwijzen", kind="danger", css="tt-decline")
        self.flip_button = button("Kandidaten", css="tt-flip")
        self.pair: dict[str, Any] = {}
        self.decision: dict[str, Any] | None = None
        actions = widgets.VBox([self.propose_button, self.introduce_button, self.hire_button,
                                self.decline_button, self.flip_button],
                               layout=widgets.Layout(width="250px", min_width="250px",
                                                     align_items="stretch"))
        super().__init__([self.text, actions], layout=widgets.Layout(width="100%"))
        self.add_class("tt-pair-row")

    def fill(self, pair: dict[str, Any] | None, decision: dict[str, Any] | None, *,
             by_vacancy: bool, client: str = "klant") -> None:
        """Show a pair (and its latest decision), or hide the row when there is none;
        ``client`` is the method's word for the client (e.g. "cliënt")."""
        if pair is None:
            self.pair, self.decision = {}, None
            self.trajectory_id = None
            self.vacancy_id = None
            show(self, False)
            return
        self.pair, self.decision = pair, decision
        self.trajectory_id = int(pair["trajectory_id"])
        self.vacancy_id = int(pair["vacancy_id"])
        status = None if decision is None else str(decision["status"])
        self.text.value = pair_html(pair, by_vacancy=by_vacancy, status=status)
        allowed = bool(pair.get("hard_ok", True))
        show(self.propose_button, allowed and status in (None, "declined"))
        show(self.introduce_button, status == "proposed")
        show(self.hire_button, status == "introduced")
        show(self.decline_button, status in ("proposed", "introduced"))
        self.flip_button.description = f"Vacatures van {client}" if by_vacancy else "Kandidaten"
        self.flip_button.tooltip = (f"Toon de beste vacatures van deze {client}" if by_vacancy
                                    else "Toon de beste kandidaten voor deze vacature")
        show(self, True)


__all__ = [
    "DECISION_CLASSES",
    "DEFAULT_TOP",
    "SEVERITY_WORDS",
    "STATE_TEXT",
    "PairRow",
    "count",
    "criterion_cell",
    "decision_badge",
    "frame_records",
    "legend_html",
    "pair_html",
]
