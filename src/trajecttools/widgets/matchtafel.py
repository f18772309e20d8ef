"""The Matchtafel page: clients of concern against the vacancies that really exist.

Pick the clients the table worries about (those with a method signal first), see each one's
best vacancies with every criterion as a coloured cell with a word, flip to a vacancy's best
candidates, propose a pairing, record that it was introduced, hired or declined (by whom, why),
and see the pressure on popular vacancies and a proposed one-to-one assignment. Clients appear
by pseudonym and initials only; the decline reason is stored, never shown. Every action is a
method with a button whose ``click()`` calls it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import ipywidgets as widgets
import pandas as pd
import traitlets

from trajecttools.core import vocab
from trajecttools.core.dates import dutch_date
from trajecttools.core.errors import TrajecttoolsError
from trajecttools.core.method import shared_word
from trajecttools.outputs.report.document import esc
from trajecttools.reads import matching
from trajecttools.reads.matching import decisions
from trajecttools.reads.signals import signals as compute_signals
from trajecttools.widgets.pairs import (
    DEFAULT_TOP,
    SEVERITY_WORDS,
    PairRow,
    count,
    decision_badge,
    frame_records,
    legend_html,
)
from trajecttools.widgets.signal_table import display_name
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


class MatchtafelDashboard(MeetingScreen):
    """The Matchtafel of one register (see the module docstring)."""

    mode = traitlets.Unicode("client", help="'client': vacancies of a client; 'vacancy': "
                                            "candidates of a vacancy")
    focus_trajectory = traitlets.Int(None, allow_none=True, help="Client shown (trajectory)")
    focus_vacancy = traitlets.Int(None, allow_none=True, help="Vacancy shown in vacancy mode")

    def __init__(
        self,
        store: Workspace,
        *,
        as_of: dt.date | None = None,
        top: int = DEFAULT_TOP,
        config: matching.MatchConfig | None = None,
        clients: Iterable[int | str] | None = None,
        decided_by: str = "Matchtafel",
    ) -> None:
        self.store = store
        self._as_of = as_of
        self.as_of: dt.date = as_of or store.today
        self.top = max(1, int(top))
        self.config = config or matching.MatchConfig()
        self.decided_by = decided_by
        self.inputs: matching.MatchInputs | None = None
        self.candidates = pd.DataFrame()
        self.pairs = pd.DataFrame()
        self.selected: list[int] = []
        self._declining: dict[str, Any] | None = None
        self._loaded_at: dt.datetime | None = None
        #: the word for one client and for several, of the methods at the table
        self.client_word, self.clients_word = "klant", "klanten"

        self.status = Status(wide=True)
        self.title = widgets.HTML(layout=widgets.Layout(flex="1 1 auto", width="auto"))
        self.refresh_button = button("Vernieuwen", css="tt-refresh",
                                     tooltip="Haal klanten, vacatures en besluiten opnieuw op")
        self._build_privacy(self.status, what="klantgegevens")
        titlebar = widgets.HBox([self.title, self.refresh_button, self.hide_button,
                                 self.show_button])
        titlebar.add_class("tt-titlebar")

        # clients of concern
        self.only_signals = widgets.Checkbox(value=True, description="Alleen klanten met een "
                                             "signaal", indent=False,
                                             layout=widgets.Layout(width="auto"))
        self.only_signals.add_class("tt-only-signals")
        self.picker = widgets.SelectMultiple(options=[], rows=9,
                                             layout=widgets.Layout(width="100%"))
        self.picker.add_class("tt-client-picker")
        self.discuss_button = button("Bespreken", kind="primary", css="tt-discuss",
                                     tooltip="Zet de gekozen klanten aan tafel")
        self.tabs = widgets.HBox(layout=widgets.Layout(flex_flow="row wrap", width="100%"))
        self.tabs.add_class("tt-client-tabs")
        self.picker_heading = widgets.HTML("<h2>Klanten van zorg</h2>")
        picker_panel = widgets.VBox([
            self.picker_heading, self.only_signals, self.picker,
            self.discuss_button], layout=widgets.Layout(width="100%"))
        picker_panel.add_class("tt-panel")
        picker_panel.add_class("tt-clients")

        # congestion and assignment
        self.crowd = widgets.HTML()
        self.crowd.add_class("tt-congestion")
        self.assign_button = button("Voorstel verdeling", css="tt-assign",
                                    tooltip="Verdeel de klanten aan tafel over de vacatures "
                                            "met de hoogste totale score")
        self.assignment = widgets.HTML()
        self.assignment.add_class("tt-assignment")
        side_panel = widgets.VBox([widgets.HTML("<h2>Drukte op vacatures</h2>"), self.crowd,
                                   self.assign_button, self.assignment],
                                  layout=widgets.Layout(width="100%"))
        side_panel.add_class("tt-panel")
        left = widgets.VBox([picker_panel, side_panel],
                            layout=widgets.Layout(flex="0 0 430px", width="430px"))
        left.add_class("tt-left")

        # pairs
        self.heading = widgets.HTML()
        self.back_button = button("◀ Terug naar klant", css="tt-back")
        self.show_excluded = widgets.Checkbox(value=False, indent=False,
                                              description="Toon ook uitgesloten vacatures",
                                              layout=widgets.Layout(width="auto"))
        self.show_excluded.add_class("tt-show-excluded")
        head = widgets.HBox([self.heading, self.back_button, self.show_excluded],
                            layout=widgets.Layout(align_items="center", width="100%",
                                                  flex_flow="row wrap",
                                                  justify_content="space-between"))
        self.legend = widgets.HTML(legend_html())
        self.empty = widgets.HTML('<div class="tt-empty">Kies links klanten en klik op '
                                  '"Bespreken".</div>')
        self.rows = [PairRow() for _ in range(self.top)]
        for row in self.rows:
            show(row, False)
            row.propose_button.on_click(guarded(self.status, "Voorstellen")(self._propose))
            row.introduce_button.on_click(
                guarded(self.status, "Voorstel aan werkgever vastleggen")(self._introduce))
            row.hire_button.on_click(guarded(self.status, "Aanname vastleggen")(self._hire))
            row.decline_button.on_click(guarded(self.status, "Afwijzen")(self._decline))
            row.flip_button.on_click(guarded(self.status, "Omdraaien")(self._flip))
        self.body = widgets.VBox(self.rows, layout=widgets.Layout(width="100%"))
        self.body.add_class("tt-pair-list")
        pairs_panel = widgets.VBox([head, self.tabs, self.legend, self.empty, self.body],
                                   layout=widgets.Layout(width="100%"))
        pairs_panel.add_class("tt-panel")
        pairs_panel.add_class("tt-pairs")

        # decisions: the decline form and what became of earlier decisions
        self.decline_title = widgets.HTML()
        self.declined_by = widgets.Dropdown(
            description="Afgewezen door",
            options=[(label, code) for code, label in vocab.MATCH_DECLINED_BY.items()],
            value="employer", layout=widgets.Layout(width="460px"))
        self.declined_by.add_class("tt-declined-by")
        self.reason = widgets.Text(description="Reden", continuous_update=False,
                                   placeholder="Waarom? (wordt vastgelegd, niet getoond)",
                                   layout=widgets.Layout(width="100%"))
        self.reason.add_class("tt-reason")
        self.confirm_button = button("Afwijzing vastleggen", kind="danger",
                                     css="tt-decline-confirm")
        self.cancel_button = button("Annuleren", css="tt-decline-cancel")
        self.decline_form = widgets.VBox([
            self.decline_title, self.declined_by, self.reason,
            widgets.HBox([self.confirm_button, self.cancel_button])])
        self.decline_form.add_class("tt-decline-form")
        show(self.decline_form, False)
        self.history = widgets.HTML()
        self.history.add_class("tt-history")
        decision_panel = widgets.VBox([widgets.HTML("<h2>Besluiten</h2>"), self.decline_form,
                                       self.history], layout=widgets.Layout(width="100%"))
        decision_panel.add_class("tt-panel")
        decision_panel.add_class("tt-decision")

        main = widgets.VBox([pairs_panel, decision_panel],
                            layout=widgets.Layout(flex="1 1 900px", min_width="0"))
        self.content = widgets.HBox([left, main],
                                    layout=widgets.Layout(width="100%",
                                                          align_items="flex-start"))
        self.content.add_class("tt-content")
        sheet = style_sheet("matchtafel")
        super().__init__([sheet, titlebar, self.status, self.hidden_notice, self.content],
                         layout=widgets.Layout(width="100%", padding="8px"))
        self.add_class("tt-matchtafel")

        g = guarded
        self.refresh_button.on_click(g(self.status, "Vernieuwen")(lambda _b: self.refresh()))
        self.discuss_button.on_click(g(self.status, "Bespreken")(lambda _b: self.discuss()))
        self.back_button.on_click(g(self.status, "Terug")(lambda _b: self.back()))
        self.assign_button.on_click(
            g(self.status, "Voorstel verdeling")(lambda _b: self.propose_assignment()))
        self.confirm_button.on_click(
            g(self.status, "Afwijzing vastleggen")(lambda _b: self.confirm_decline()))
        self.cancel_button.on_click(g(self.status, "Annuleren")(lambda _b: self.cancel_decline()))
        self.only_signals.observe(g(self.status, "Klanten filteren")(
            lambda _c: self._fill_picker()), "value")
        self.show_excluded.observe(g(self.status, "Uitgesloten tonen")(
            lambda _c: self._render()), "value")

        self.refresh()
        if clients:
            self.select_clients(clients)
            self.discuss()

    # -- data ------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read active clients, open vacancies, signals and decisions again."""
        self.as_of = self._as_of or self.store.today
        self._load()
        self._fill_picker()
        self._render()
        self.status.info(f"Gegevens bijgewerkt om {self._loaded_at:%H:%M}.")

    def _load(self) -> None:
        self.inputs = matching.load_inputs(self.store, self.as_of)
        self._method_words(self.inputs.clients)
        clients = self.inputs.clients[["trajectory_id", "pseudonym", "initials"]].copy()
        clients["signals"] = 0
        clients["severity"] = ""
        worst = self._signal_summary()
        if not worst.empty:
            clients = clients.drop(columns=["signals", "severity"]).merge(
                worst, on="trajectory_id", how="left")
            clients["signals"] = clients["signals"].fillna(0).astype(int)
            clients["severity"] = clients["severity"].fillna("")
        order = clients["severity"].map({"high": 0, "medium": 1, "low": 2}).fillna(3)
        self.candidates = (clients.assign(_o=order)
                           .sort_values(["_o", "signals", "pseudonym"],
                                        ascending=[True, False, True])
                           .drop(columns="_o").reset_index(drop=True))
        self.selected = [t for t in self.selected
                         if t in set(self.candidates["trajectory_id"].astype(int))]
        vac = self.inputs.vacancies
        self.title.value = (
            f"<div class='tt-subtitle'>Peildatum {dutch_date(self.as_of)} · "
            f"{len(self.candidates)} actieve {esc(self.clients_word)} · {len(vac)} open "
            "vacatures "
            f"({int(vac['positions'].sum()) if not vac.empty else 0} vrije plaatsen)</div>")
        self._loaded_at = dt.datetime.now()

    def _method_words(self, clients: pd.DataFrame) -> None:
        """Speak of the clients in the words of their methods (klanten, cliënten; mixed:
        deelnemers)."""
        methods = self.store.methods()
        codes: list[str] = (list(clients["method"].dropna().unique())
                            if "method" in clients.columns else [])
        shown = [methods[c] for c in codes if c in methods] or list(methods.values())
        one, many = shared_word(shown, "client"), shared_word(shown, "clients")
        self.client_word, self.clients_word = one, many
        self.picker_heading.value = f"<h2>{esc(many[:1].upper() + many[1:])} van zorg</h2>"
        self.only_signals.description = f"Alleen {many} met een signaal"
        self.discuss_button.tooltip = f"Zet de gekozen {many} aan tafel"
        self.assign_button.tooltip = (f"Verdeel de {many} aan tafel over de vacatures met de "
                                      "hoogste totale score")
        self.back_button.description = f"◀ Terug naar {one}"

    def _signal_summary(self) -> pd.DataFrame:
        """Return per trajectory the number of signals and the worst severity (or nothing)."""
        try:
            found = compute_signals(self.store, as_of=self.as_of)
        except Exception:
            log.exception("Signalen voor de Matchtafel konden niet worden berekend")
            return pd.DataFrame()
        if found.empty:
            return pd.DataFrame(columns=["trajectory_id", "signals", "severity"])
        sev = found["severity"].astype(str).map({"high": 0, "medium": 1, "low": 2}).fillna(3)
        grouped = found.assign(_s=sev).groupby("trajectory_id")
        out = pd.DataFrame({"signals": grouped.size(), "_s": grouped["_s"].min()})
        out["severity"] = out.pop("_s").map({0: "high", 1: "medium", 2: "low"}).fillna("")
        return out.reset_index()

    # -- clients of concern ------------------------------------------------------------
    def _label(self, row: dict[str, Any]) -> str:
        name = f"{row['pseudonym']} · {row['initials']}" if row["initials"] else row["pseudonym"]
        if row["signals"]:
            word = SEVERITY_WORDS.get(row["severity"], "")
            plural = "signaal" if row["signals"] == 1 else "signalen"
            return f"{name} — {row['signals']} {plural} ({word})"
        return str(name)

    def _fill_picker(self) -> None:
        frame = self.candidates
        has_signals = not frame.empty and bool((frame["signals"] > 0).any())
        show(self.only_signals, has_signals)
        if has_signals and self.only_signals.value:
            frame = frame[(frame["signals"] > 0)
                          | frame["trajectory_id"].astype(int).isin(self.selected)]
        options = [(self._label(r), int(r["trajectory_id"])) for r in frame_records(frame)]
        keep = tuple(v for v in self.picker.value if v in {v for _, v in options})
        with self.picker.hold_trait_notifications():
            self.picker.options = options
            self.picker.value = keep

    def select_clients(self, clients: Iterable[int | str]) -> None:
        """Mark clients (trajectory ids or pseudonyms) in the list of clients of concern."""
        wanted = list(clients)
        frame = self.candidates
        ids = {int(c) for c in wanted if not isinstance(c, str)}
        names = {c for c in wanted if isinstance(c, str)}
        mask = (frame["trajectory_id"].astype(int).isin(ids)
                | frame["pseudonym"].astype(str).isin(names))
        found = [int(t) for t in frame.loc[mask, "trajectory_id"]]
        if len(found) < len(wanted):
            self.status.error(f"Niet alle gevraagde {self.clients_word} hebben een actief "
                              "traject; de andere zijn gekozen.")
        self.selected = found
        if self.only_signals.value and not set(found) <= set(
                int(v) for _, v in self.picker.options):
            self._fill_picker()
        self.picker.value = tuple(v for _, v in self.picker.options if v in set(found))

    def discuss(self) -> None:
        """Put the clients chosen in the list at the table and show the first one."""
        chosen = [int(v) for v in self.picker.value]
        if not chosen:
            self.status.error(f"Kies eerst één of meer {self.clients_word} in de lijst.")
            return
        self.selected = chosen
        self._fill_tabs()
        self.focus_client(chosen[0])
        self._show_congestion()
        self.status.info(f"{count(len(chosen), self.client_word, self.clients_word)} aan tafel.")

    def _fill_tabs(self) -> None:
        for child in self.tabs.children:
            child.close()
        tabs = []
        frame = self.candidates.set_index("trajectory_id")
        for tid in self.selected:
            row = frame.loc[tid]
            b = button(f"{row['pseudonym']} · {row['initials']}", css="tt-client-tab",
                       tooltip=f"Toon de vacatures van deze {self.client_word}")
            b.on_click(guarded(self.status, "Klant kiezen")(
                lambda _b, t=tid: self.focus_client(t)))
            tabs.append(b)
        self.tabs.children = tabs

    # -- views -------------------------------------------------------------------------
    def focus_client(self, trajectory_id: int) -> None:
        """Show the best vacancies of one client at the table."""
        tid = int(trajectory_id)
        if tid not in set(self.candidates["trajectory_id"].astype(int)):
            raise TrajecttoolsError(
                f"Traject {tid} is geen actieve {self.client_word} in dit overzicht.")
        self.mode = "client"
        self.focus_trajectory = tid
        self.focus_vacancy = None
        self.cancel_decline()
        self._render()

    def focus_vacancy_of(self, vacancy_id: int) -> None:
        """Flip: show the best candidates (all active clients) for one vacancy."""
        vid = int(vacancy_id)
        assert self.inputs is not None
        if vid not in set(self.inputs.vacancies["vacancy_id"].astype(int)):
            raise TrajecttoolsError(f"Vacature {vid} is niet (meer) open.")
        self.mode = "vacancy"
        self.focus_vacancy = vid
        self.cancel_decline()
        self._render()

    def back(self) -> None:
        """Return from a vacancy's candidates to the client shown before."""
        self.mode = "client"
        self.focus_vacancy = None
        self._render()

    def _compute(self) -> pd.DataFrame:
        if self.inputs is None:
            return pd.DataFrame()
        if self.mode == "vacancy" and self.focus_vacancy is not None:
            return matching.match(self.inputs, top=self.top, direction="vacancy",
                                  vacancies=[self.focus_vacancy], config=self.config,
                                  include_excluded=False)
        if self.focus_trajectory is None:
            return pd.DataFrame()
        return matching.match(self.inputs, top=self.top, clients=[self.focus_trajectory],
                              config=self.config, include_excluded=self.show_excluded.value,
                              reciprocal=True)

    def _decision_map(self) -> dict[tuple[int, int], dict[str, Any]]:
        if self.mode == "vacancy" and self.focus_vacancy is not None:
            frame = decisions.decisions_frame(self.store, vacancy_id=self.focus_vacancy)
        elif self.focus_trajectory is not None:
            frame = decisions.decisions_frame(self.store, trajectory_id=self.focus_trajectory)
        else:
            return {}
        latest = decisions.latest_by_pair(frame)
        return {(int(r["trajectory_id"]), int(r["vacancy_id"])): r for r in frame_records(latest)}

    def _render(self) -> None:
        by_vacancy = self.mode == "vacancy"
        self.pairs = self._compute()
        known = self._decision_map()
        records = frame_records(self.pairs)
        with self.hold_sync():
            for i, row in enumerate(self.rows):
                pair = records[i] if i < len(records) else None
                decision = None if pair is None else known.get(
                    (int(pair["trajectory_id"]), int(pair["vacancy_id"])))
                row.fill(pair, decision, by_vacancy=by_vacancy, client=self.client_word)
            show(self.back_button, by_vacancy)
            show(self.show_excluded, not by_vacancy and self.focus_trajectory is not None)
            show(self.tabs, not by_vacancy)
            for tab, tid in zip(self.tabs.children, self.selected, strict=False):
                if tid == self.focus_trajectory:
                    tab.add_class("tt-button-on")
                else:
                    tab.remove_class("tt-button-on")
            self.heading.value = self._heading()
            self.empty.value = self._empty_text()
            show(self.empty, not records)
            self.history.value = self._history(known)

    def _heading(self) -> str:
        if self.mode == "vacancy" and self.focus_vacancy is not None:
            assert self.inputs is not None
            vacancies = self.inputs.vacancies
            vac = frame_records(vacancies[vacancies["vacancy_id"] == self.focus_vacancy])[0]
            places = int(vac["positions"])
            return (f"<h2>Kandidaten voor {esc(vac['title'])} — {esc(vac['employer'])} "
                    f"({places} {'plaats' if places == 1 else 'plaatsen'})</h2>")
        if self.focus_trajectory is None:
            return "<h2>Vacatures</h2>"
        row = self.candidates.set_index("trajectory_id").loc[self.focus_trajectory]
        return f"<h2>Beste vacatures voor {display_name(row['pseudonym'], row['initials'])}</h2>"

    def _empty_text(self) -> str:
        if self.focus_trajectory is None and self.mode == "client":
            return (f'<div class="tt-empty">Kies links {esc(self.clients_word)} en klik op '
                    '"Bespreken".</div>')
        return ('<div class="tt-empty">Geen passende open vacatures (uitgesloten vacatures '
                "zijn te zien met 'Toon ook uitgesloten vacatures').</div>")

    def _history(self, known: dict[tuple[int, int], dict[str, Any]]) -> str:
        """Return what became of earlier decisions of the client or vacancy shown."""
        if not known:
            return '<div class="tt-empty">Nog geen besluiten.</div>'
        rows = sorted(known.values(), key=lambda r: (r["decided_on"], r["id"]), reverse=True)
        lines = []
        for r in rows[:8]:
            label = r.get("declined_by_label")
            by = f" door {esc(label)}" if isinstance(label, str) and label else ""
            what = (display_name(r["pseudonym"], r["initials"]) if self.mode == "vacancy"
                    else f"{esc(r['title'])} — {esc(r['employer'])}")
            lines.append(f"<tr><td>{dutch_date(r['decided_on'])}</td><td>{what}</td>"
                         f"<td>{decision_badge(r['status'])}{by}</td></tr>")
        return f'<div class="tt-list"><table>{"".join(lines)}</table></div>'

    def _show_congestion(self) -> None:
        if self.inputs is None or not self.selected:
            self.crowd.value = ""
            return
        pairs = matching.match(self.inputs, top=self.top, clients=self.selected,
                               config=self.config)
        crowd = matching.congestion(pairs, words=(self.client_word, self.clients_word))
        if crowd.empty:
            self.crowd.value = '<div class="tt-empty">Geen passende vacatures.</div>'
            return
        lines = []
        one, many = self.client_word, self.clients_word
        for r in crowd.head(5).to_dict("records"):
            places = "plaats" if r["positions"] == 1 else "plaatsen"
            lines.append(f"<tr><td>{esc(r['title'])} — {esc(r['employer'])}</td>"
                         f"<td><b>{count(r['clients'], one, many)}</b> / "
                         f"{r['positions']} {places}</td></tr>")
        self.crowd.value = (f'<div class="tt-list"><div>{esc(crowd.attrs["summary"])}</div>'
                            f'<table>{"".join(lines)}</table></div>')

    # -- decisions ---------------------------------------------------------------------
    def _row_of(self, b: widgets.Button) -> PairRow:
        for row in self.rows:
            if b in (row.propose_button, row.introduce_button, row.hire_button,
                     row.decline_button, row.flip_button):
                return row
        raise LookupError("onbekende knop")

    def _propose(self, b: widgets.Button) -> None:
        row = self._row_of(b)
        if row.trajectory_id is not None and row.vacancy_id is not None:
            self.propose(row.trajectory_id, row.vacancy_id)

    def _introduce(self, b: widgets.Button) -> None:
        self.advance(self._row_of(b), "introduced")

    def _hire(self, b: widgets.Button) -> None:
        self.advance(self._row_of(b), "hired")

    def _decline(self, b: widgets.Button) -> None:
        self.start_decline(self._row_of(b))

    def _flip(self, b: widgets.Button) -> None:
        row = self._row_of(b)
        if self.mode == "vacancy" and row.trajectory_id is not None:
            self.focus_client(row.trajectory_id)
        elif row.vacancy_id is not None:
            self.focus_vacancy_of(row.vacancy_id)

    def _describe(self, trajectory_id: int, vacancy_id: int) -> str:
        pairs = self.pairs
        hit = pairs[(pairs["trajectory_id"] == trajectory_id)
                    & (pairs["vacancy_id"] == vacancy_id)]
        if hit.empty:
            return f"traject {trajectory_id} bij vacature {vacancy_id}"
        r = hit.iloc[0]
        return f"{r['pseudonym']} bij {r['title']} ({r['employer']})"

    def propose(self, trajectory_id: int, vacancy_id: int) -> int:
        """Record that the table proposes this pair; return the decision id."""
        pairs = self.pairs
        hit = pairs[(pairs["trajectory_id"] == int(trajectory_id))
                    & (pairs["vacancy_id"] == int(vacancy_id))]
        if hit.empty:
            raise TrajecttoolsError("Deze koppeling staat niet op het scherm.")
        if not bool(hit["hard_ok"].iloc[0]):
            raise TrajecttoolsError("Deze koppeling is uitgesloten en kan niet worden "
                                    "voorgesteld.")
        what = self._describe(int(trajectory_id), int(vacancy_id))
        did = decisions.propose(self.store, int(trajectory_id), int(vacancy_id),
                                score=float(hit["score"].iloc[0]), decided_by=self.decided_by,
                                on=self.as_of if self._as_of else None)
        log.info("Matchtafel: koppeling %s voorgesteld (besluit %s)", what, did)
        self._after_decision(f"Voorgesteld: {what}.")
        return did

    def advance(self, row: PairRow, status: str) -> int:
        """Move the decision of a row one step (introduced, hired); return its new version."""
        if row.decision is None:
            raise TrajecttoolsError("Voor deze koppeling is nog niets besloten.")
        decision = row.decision
        what = self._describe(int(decision["trajectory_id"]), int(decision["vacancy_id"]))
        version = decisions.decide(self.store, int(decision["id"]), status,
                                   expected_version=int(decision["version"]),
                                   decided_by=self.decided_by,
                                   on=self.as_of if self._as_of else None)
        label = vocab.label(vocab.MATCH_STATUSES, status)
        self._after_decision(f"{label}: {what}.")
        return version

    def start_decline(self, row: PairRow) -> None:
        """Open the decline form for a row's decision (who declined, and why)."""
        if row.decision is None:
            raise TrajecttoolsError("Voor deze koppeling is nog niets besloten.")
        self._declining = dict(row.decision)
        what = self._describe(int(row.decision["trajectory_id"]),
                              int(row.decision["vacancy_id"]))
        self.decline_title.value = f"<h3>Afwijzen: {esc(what)}</h3>"
        self.reason.value = ""
        show(self.decline_form, True)

    def confirm_decline(self, declined_by: str | None = None, reason: str | None = None) -> int:
        """Record the decline of the form (or of the given values); return the new version."""
        if self._declining is None:
            raise TrajecttoolsError("Kies eerst 'Afwijzen' bij een koppeling.")
        decision = self._declining
        version = decisions.decline(
            self.store, int(decision["id"]), expected_version=int(decision["version"]),
            declined_by=declined_by if declined_by is not None else self.declined_by.value,
            reason=reason if reason is not None else self.reason.value,
            decided_by=self.decided_by, on=self.as_of if self._as_of else None)
        what = self._describe(int(decision["trajectory_id"]), int(decision["vacancy_id"]))
        self.cancel_decline()
        self._after_decision(f"Afgewezen: {what}.")
        return version

    def cancel_decline(self) -> None:
        """Close the decline form without recording anything."""
        self._declining = None
        self.reason.value = ""
        show(self.decline_form, False)

    def _after_decision(self, message: str) -> None:
        self._load()
        self._render()
        self._show_congestion()
        self.status.info(message)

    def propose_assignment(self) -> pd.DataFrame:
        """Show a one-to-one assignment of the clients at the table with the best total fit."""
        if self.inputs is None or not self.selected:
            raise TrajecttoolsError(f"Zet eerst {self.clients_word} aan tafel met 'Bespreken'.")
        pairs = matching.match(self.inputs, top=max(self.top, 10), clients=self.selected,
                               config=self.config)
        chosen = matching.assign(pairs)
        if chosen.empty:
            self.assignment.value = '<div class="tt-empty">Geen verdeling mogelijk.</div>'
            return chosen
        lines = [f"<tr><td>{display_name(r['pseudonym'], r['initials'])}</td>"
                 f"<td>{esc(r['title'])} — {esc(r['employer'])}</td>"
                 f"<td><b>{r['score']:.0f}</b></td></tr>"
                 for r in chosen.to_dict("records")]
        rest = len(self.selected) - len(chosen)
        note = (f"<div>{count(rest, self.client_word, self.clients_word)} zonder plek in deze "
                "verdeling.</div>"
                if rest else "")
        self.assignment.value = (f'<div class="tt-list"><h3>Voorstel verdeling</h3>'
                                 f'<table>{"".join(lines)}</table>{note}</div>')
        return chosen

    # -- privacy -----------------------------------------------------------------------
    def visible_rows(self) -> list[PairRow]:
        """Return the pair rows on screen."""
        return [r for r in self.rows if r.trajectory_id is not None]


__all__ = ["MatchtafelDashboard"]
