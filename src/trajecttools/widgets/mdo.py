"""The case-meeting (MDO) page: for one team, which clients need discussing today and why.

Filters (team, coach), the signal list with "Agenderen" and "Open dossier", today's agenda,
phase funnel and caseload, one opened case card, and "Alles verbergen" for when a visitor
walks in. Every action has a method (and a button whose ``click()`` calls it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import ipywidgets as widgets
import pandas as pd

from trajecttools.core.dates import dutch_date
from trajecttools.core.method import Method, shared_word
from trajecttools.outputs.report import minutes as mdo_minutes
from trajecttools.outputs.report.document import esc
from trajecttools.reads import scope
from trajecttools.reads.case.card import load_case_file, open_case_file
from trajecttools.reads.caseload import phase_funnel, phase_order
from trajecttools.reads.signals import case_states, compute, load_inputs
from trajecttools.widgets.agenda import Agenda
from trajecttools.widgets.case_card import CaseCard
from trajecttools.widgets.overview_charts import OverviewCharts
from trajecttools.widgets.signal_table import SignalTable
from trajecttools.widgets.toolkit import (
    MeetingScreen,
    Status,
    button,
    guarded,
    log,
    show,
    style_sheet,
)
from trajecttools.workspace import Workspace

ALL = "__all__"
NO_TEAM = "__none__"
ALL_COACHES = 0


def funnel_frame(cases: pd.DataFrame, methods: Mapping[str, Method]) -> pd.DataFrame:
    """Return active cases per phase label, in route order, for the methods in ``cases``."""
    used = set(cases["method"].astype(str)) if not cases.empty else set()
    chosen = {code: m for code, m in methods.items() if code in used} or dict(methods)
    funnel = phase_funnel(cases, chosen)
    counts = funnel.groupby("phase_label", sort=False)["active"].sum()
    order = [label for label in phase_order(chosen) if label in counts.index]
    return pd.DataFrame({"label": order, "cases": [int(counts[label]) for label in order]})


def caseload_frame(cases: pd.DataFrame, signals: pd.DataFrame) -> pd.DataFrame:
    """Return active cases per coach, split into cases with and without a signal."""
    active = cases[cases["active"].astype(bool) & cases["coach_id"].notna()]
    if active.empty:
        return pd.DataFrame(columns=["coach", "with_signal", "without_signal"])
    flagged = set(signals["trajectory_id"].astype(int)) if not signals.empty else set()
    has_signal = active["trajectory_id"].astype(int).isin(flagged)
    frame = pd.DataFrame({"coach": active["coach"].astype(str), "flag": has_signal})
    out = frame.groupby("coach").agg(with_signal=("flag", "sum"), total=("flag", "size"))
    out["without_signal"] = out["total"] - out["with_signal"]
    return out.drop(columns="total").reset_index()


class MdoDashboard(MeetingScreen):
    """The case-meeting dashboard of one register (see the module docstring)."""

    def __init__(
        self,
        store: Workspace,
        *,
        as_of: dt.date | None = None,
        team: str | None = None,
        page_size: int = 6,
    ) -> None:
        self.store = store
        self._as_of = as_of
        self.as_of: dt.date = as_of or store.today
        self.cases = pd.DataFrame()
        self.signals = pd.DataFrame()
        self.methods: Mapping[str, Method] = {}
        self.loaded_at: dt.datetime | None = None
        self._updating = False

        self.status = Status()
        self.title = widgets.HTML(layout=widgets.Layout(flex="1 1 auto", width="auto"))
        self.title.add_class("tt-title")
        self.refresh_button = button("Vernieuwen", tooltip="Haal de gegevens opnieuw op",
                                     css="tt-refresh")
        self._build_privacy(self.status)
        titlebar = widgets.HBox([self.title, self.refresh_button, self.hide_button,
                                 self.show_button], layout=widgets.Layout(width="100%"))
        titlebar.add_class("tt-titlebar")

        self.team_filter = widgets.Dropdown(description="Team", options=[("Alle teams", ALL)],
                                            value=ALL, layout=widgets.Layout(width="420px"))
        self.coach_filter = widgets.Dropdown(description="Jobcoach",
                                             options=[("Alle jobcoaches", ALL_COACHES)],
                                             value=ALL_COACHES,
                                             layout=widgets.Layout(width="420px"))
        self.coach_filter.style.description_width = "initial"  # "Trajectbegeleider" in full
        self.team_filter.add_class("tt-team-filter")
        self.coach_filter.add_class("tt-coach-filter")
        self.status.layout = widgets.Layout(flex="1 1 300px", width="auto")
        filters = widgets.HBox([self.team_filter, self.coach_filter, self.status],
                               layout=widgets.Layout(width="100%", flex_flow="row wrap",
                                                     align_items="center"))
        filters.add_class("tt-filters")

        self.table = SignalTable(self.status, page_size=page_size, on_open=self.open_case,
                                 on_agenda=self.toggle_agenda)
        self.agenda = Agenda(self.status, on_open=self.open_case, on_save=self.save_minutes)
        self.charts = OverviewCharts()
        self.card = CaseCard(self.status, on_close=self._card_closed)
        left = widgets.VBox([self.table], layout=widgets.Layout(flex="3 1 760px", min_width="0"))
        right = widgets.VBox([self.agenda, self.charts],
                             layout=widgets.Layout(flex="2 1 560px", min_width="0"))
        self.overview = widgets.HBox([left, right],
                                     layout=widgets.Layout(width="100%", flex_flow="row wrap",
                                                           align_items="flex-start"))
        self.overview.add_class("tt-overview")
        self.content = widgets.VBox([self.overview, self.card],
                                    layout=widgets.Layout(width="100%"))
        self.content.add_class("tt-content")

        super().__init__([style_sheet(), titlebar, filters, self.hidden_notice, self.content],
                         layout=widgets.Layout(width="100%", padding="0 8px 8px 8px"))
        self.add_class("tt-mdo")

        self.refresh_button.on_click(guarded(self.status, "Vernieuwen")(self._refresh_clicked))
        self.team_filter.observe(guarded(self.status, "Team kiezen")(self._team_changed), "value")
        self.coach_filter.observe(guarded(self.status, "Jobcoach kiezen")(self._coach_changed),
                                  "value")

        self.refresh()
        if team is not None:
            self.select_team(team)

    # -- data ------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read cases and signals again (today's date unless a fixed date was given)."""
        self.as_of = self._as_of or self.store.today
        self.methods = self.store.methods()
        inputs = load_inputs(self.store, self.as_of)
        # a coach sees only their own cases, a team lead the team's (register user mapping)
        self.cases = scope.rows(self.store, case_states(inputs, self.methods, self.as_of))
        self.signals = scope.rows(self.store, compute(inputs, self.methods, self.as_of))
        self.loaded_at = dt.datetime.now()
        self._fill_team_options()
        self._apply_filters()
        if self.card.card is not None:
            self.card.show_card(load_case_file(self.store, self.card.card.trajectory_id,
                                               as_of=self.as_of), self.signals)

    def _fill_team_options(self) -> None:
        teams = sorted(str(t) for t in self.cases["team"].dropna().unique())
        # one team in view (a team lead, a coach, a small organisation): the screen names it
        options: list[tuple[str, str]] = (
            [] if len(teams) == 1 and not self.cases["team"].isna().any()
            else [("Alle teams", ALL)])
        options += [(t, t) for t in teams]
        if self.cases["team"].isna().any():
            codes = self.cases.loc[self.cases["team"].isna(), "method"].dropna().unique()
            nobody = shared_word([self.methods[c] for c in codes if c in self.methods]
                                 or self.methods.values(), "coach")
            options.append((f"Zonder {nobody}", NO_TEAM))
        current = self.team_filter.value
        self._updating = True
        try:
            self.team_filter.options = options
            values = [v for _, v in options]
            self.team_filter.value = current if current in values else values[0]
        finally:
            self._updating = False
        self._fill_coach_options()

    def _fill_coach_options(self) -> None:
        cases = self._team_rows(self.cases)
        coach, coaches = self._coach_words()
        self.coach_filter.description = coach[:1].upper() + coach[1:]
        staff = (cases[cases["coach_id"].notna()][["coach_id", "coach"]]
                 .drop_duplicates("coach_id"))
        staff = staff.assign(coach=staff["coach"].astype(str)).sort_values("coach")
        options: list[tuple[str, int]] = [(f"Alle {coaches}", ALL_COACHES)]
        options += [(str(name), int(cid)) for cid, name in
                    zip(staff["coach_id"], staff["coach"], strict=True)]
        current = self.coach_filter.value
        self._updating = True
        try:
            self.coach_filter.options = options
            values = [v for _, v in options]
            self.coach_filter.value = current if current in values else ALL_COACHES
        finally:
            self._updating = False

    def _team_rows(self, frame: pd.DataFrame) -> pd.DataFrame:
        team = self.team_filter.value
        if frame.empty or team == ALL:
            return frame
        if team == NO_TEAM:
            return frame[frame["team"].isna()]
        return frame[frame["team"].astype(object) == team]

    def _selected(self, frame: pd.DataFrame) -> pd.DataFrame:
        rows = self._team_rows(frame)
        coach = self.coach_filter.value
        if rows.empty or coach == ALL_COACHES:
            return rows
        return rows[rows["coach_id"].astype("Float64") == float(coach)]

    def selection_label(self) -> str:
        """Return the selection in words, e.g. "Team Noord · Jet de Coach"."""
        parts = [self.team_filter.label or "Alle teams"]
        if self.coach_filter.value != ALL_COACHES:
            parts.append(self.coach_filter.label or "")
        return " · ".join(p for p in parts if p)

    def _apply_filters(self) -> None:
        label = self.selection_label()
        when = f"{self.loaded_at:%H:%M}" if self.loaded_at else ""
        self.title.value = (
            f"<h2>{esc(label)}</h2>"
            f'<div class="tt-subtitle">MDO-overleg · peildatum {dutch_date(self.as_of)} · '
            f"gegevens van {esc(when)}</div>"
        )
        signals = self._selected(self.signals)
        self.table.set_signals(signals, title="Signalen")
        self.table.set_agenda(self.agenda.trajectory_ids)
        cases = self._selected(self.cases)
        coach, coaches = self._coach_words()
        self.charts.update(funnel_frame(cases, self.methods),
                           caseload_frame(self._team_rows(self.cases),
                                          self._team_rows(self.signals)), coach, coaches)

    def _coach_words(self) -> tuple[str, str]:
        """The word for the coach of the team's methods (singular, plural)."""
        codes = self._team_rows(self.cases)["method"].dropna().unique()
        shown = [self.methods[c] for c in codes if c in self.methods] or list(
            self.methods.values())
        return shared_word(shown, "coach"), shared_word(shown, "coaches")

    # -- actions ---------------------------------------------------------------------
    def select_team(self, team: str) -> None:
        """Show one team (by name); unknown teams keep all teams and say so."""
        values = [v for _, v in self.team_filter.options]
        if team in values:
            self.team_filter.value = team
        else:
            self.status.error(f"Team '{team}' staat niet in het register; alle teams getoond.")

    def select_coach(self, coach_id: int) -> None:
        """Show one coach's cases (0: all coaches of the selected team)."""
        self.coach_filter.value = int(coach_id)

    def toggle_agenda(self, signal: dict[str, Any]) -> None:
        """Put a signal's case on today's agenda, or take it off."""
        tid = int(signal["trajectory_id"])
        self._known_case(tid)
        on = self.agenda.toggle(signal)
        self.table.set_agenda(self.agenda.trajectory_ids)
        word = "op de agenda gezet" if on else "van de agenda gehaald"
        self.status.info(f"{signal.get('pseudonym', '')} {word}.")

    def save_minutes(self, entries: list[dict[str, Any]]) -> None:
        """Record the agenda and its decisions as the selected team's meeting of the day."""
        team = self.team_filter.value
        name = None if team in (ALL, NO_TEAM) else str(team)
        decided = sum(1 for e in entries if e.get("decision"))
        mdo_minutes.save_meeting(self.store, self.as_of, entries, team=name)
        self.status.info(f"MDO-verslag van {dutch_date(self.as_of)} opgeslagen: "
                         f"{len(entries)} cliënten, {decided} besluiten.")

    def open_case(self, trajectory_id: int) -> None:
        """Open one client's case card (logged in the audit log) instead of the overview."""
        tid = self._known_case(trajectory_id)
        card = open_case_file(self.store, tid, as_of=self.as_of)
        self.card.show_card(card, self.signals)
        show(self.overview, False)
        log.info("Dossier geopend in MDO: traject %s", tid)
        self.status.info(f"Dossier {card.pseudonym} geopend (vastgelegd in het logboek).")

    def close_case(self) -> None:
        """Close the case card and return to the overview."""
        self.card.close_card()

    # -- handlers --------------------------------------------------------------------
    def _known_case(self, trajectory_id: object) -> int:
        tid = int(trajectory_id)  # type: ignore[call-overload]
        if self.cases.empty or tid not in set(self.cases["trajectory_id"].astype(int)):
            raise LookupError(f"traject {tid} staat niet in dit overzicht")
        return tid

    def _refresh_clicked(self, _b: widgets.Button) -> None:
        self.refresh()
        when = f"{self.loaded_at:%H:%M}" if self.loaded_at else ""
        self.status.info(f"Gegevens bijgewerkt om {when}.")

    def _card_closed(self) -> None:
        show(self.overview, True)
        self.status.info("Dossier gesloten.")

    def _team_changed(self, _change: dict[str, Any]) -> None:
        if self._updating:
            return
        self._fill_coach_options()
        self._apply_filters()

    def _coach_changed(self, _change: dict[str, Any]) -> None:
        if self._updating:
            return
        self._apply_filters()
