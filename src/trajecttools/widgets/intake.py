"""Registration and intake of a case (method phases 1-2), for the job coach or case manager.

Steps: 1. Aanmelding (new client + trajectory + plan signatures, or editing them), 2. Intake
(intake conversation, barriers and referrals, ZRM, participatieladder, qualifications and skills,
wishes, network, action plan), 3. Intakerapport, and "Ander traject" (a motivated proposal for
another route, closing the trajectory). Each step is checked field by field and saved in one
transaction.

>>> from trajecttools.apps.intake import intake
>>> type(intake()).__name__
'IntakeApp'
"""

from __future__ import annotations

import ipywidgets as widgets

from trajecttools.core import vocab
from trajecttools.core.dates import dutch_date, dutch_moment
from trajecttools.outputs.report import intake_report_fragment, intake_report_html
from trajecttools.outputs.report.document import esc
from trajecttools.reads.case.dossier import Dossier, load_dossier
from trajecttools.register.transactions import Tx
from trajecttools.widgets.case_app import CaseApp, CasePart
from trajecttools.widgets.fields import DateField, FieldSet, grid, record_field, section
from trajecttools.widgets.intake_form import IntakePart
from trajecttools.widgets.panels import ReportView, savebar
from trajecttools.widgets.registration import RegistrationPart
from trajecttools.widgets.toolkit import button, guarded, html_block

# -- 3. intake report ------------------------------------------------------------------------


class ReportPart(CasePart):
    """The intake report from what was entered: shown, and downloadable to print."""

    def __init__(self, app: IntakeApp) -> None:
        super().__init__(app, "tt-intake-report-part")
        self.view = ReportView()
        self.make_button = button("Intakerapport maken", kind="primary", css="tt-make-report")
        self.make_button.on_click(guarded(self.status, "Intakerapport maken")(
            lambda _b: self.make()))
        self.build([
            html_block("<p>Het intakerapport (met actieplan) wordt gemaakt uit wat bij de "
                       "aanmelding en de intake is vastgelegd. Het BSN staat er nooit in.</p>"),
            savebar(self.make_button, self.status),
            self.view,
        ])

    def load(self, d: Dossier | None) -> None:
        self.view.clear()
        self.status.clear()

    def make(self) -> None:
        """Build the intake report of the open case (as stored now) and show it."""
        assert self.dossier is not None, "geen dossier geopend"
        d = load_dossier(self.app.store, self.dossier.trajectory_id)
        fragment = intake_report_fragment(d, written_on=self.app.today)
        self.view.present(fragment, intake_report_html(d, written_on=self.app.today),
                          f"intakerapport-{d.pseudonym}.html")
        self.status.ok(f"Intakerapport van {d.display_name} gemaakt.")


# -- other route -----------------------------------------------------------------------------


class OtherRoutePart(CasePart):
    """A motivated proposal for another route when the client cannot enter this one."""

    def __init__(self, app: IntakeApp) -> None:
        super().__init__(app, "tt-other-route")
        self.fields = FieldSet([
            DateField("closed_on", "Datum afsluiting", required=True),
            record_field("trajectories", "outcome_reason", "area", rows=5,
                         label="Gemotiveerd voorstel voor een ander traject", required=True),
        ])
        self.explain = html_block("")
        self.save_button = button("Traject afsluiten: ander traject", kind="danger",
                                  css="tt-save tt-save-other-route")
        self.save_button.on_click(guarded(self.status, "Afsluiten met ander traject")(
            lambda _b: self.save()))
        self.form_section = section(
            "Ander traject voorstellen", [self.explain, grid(self.fields.widgets())],
            "tt-other-route-form", intro=_other_route_intro("klant", "jobcoach"))
        self.build([
            self.form_section,
            self.stale,
            savebar(self.save_button, self.status),
        ])

    def fieldsets(self) -> list[FieldSet]:
        return [self.fields]

    def load(self, d: Dossier | None) -> None:
        self.fields.reset()
        self.fields["closed_on"].set(self.app.today)
        if d is None:
            return
        w = d.method.words
        self.form_section.children[1].value = esc(_other_route_intro(w.client, w.coach))
        allowed = d.method.can_move(d.phase, d.method.closed_phase)
        self.save_button.disabled = not allowed
        if d.closed:
            self.explain.value = (
                f"<p><b>Dit traject is al afgesloten op {dutch_date(d.trajectory['closed_on'])} "
                f"met uitkomst '{esc(vocab.label(vocab.OUTCOMES, d.trajectory['outcome']))}'."
                "</b></p>")
        elif not allowed:
            self.explain.value = (f"<p>Vanuit de fase '{esc(d.phase_label)}' staat de methode "
                                  "afsluiten niet toe.</p>")
        else:
            self.explain.value = (f"<p>Huidige fase: <b>{esc(d.phase_label)}</b> sinds "
                                  f"{dutch_date(d.trajectory['phase_since'])}.</p>")

    def save(self) -> None:
        """Close the trajectory with outcome "other route" and the motivation."""
        d = self.dossier
        assert d is not None, "geen dossier geopend"
        sub = self.submission()
        f = self.fields
        day = sub.date(f["closed_on"], required=True)
        reason = sub.require(f["outcome_reason"])
        if reason is not None:
            sub.validate(f, "trajectories", {
                "client_id": d.client_id, "method": d.method.code,
                "registered_at": d.trajectory["registered_at"], "phase": d.phase,
                "phase_since": d.trajectory["phase_since"], "outcome_reason": reason,
            })

        def write(tx: Tx) -> int:
            with sub.into(f, {"phase_since": "closed_on", "outcome": "outcome_reason"}):
                tx.change_phase(d.trajectory_id, d.method.closed_phase, on=day,
                                outcome="other_route", outcome_reason=reason,
                                expected_version=d.version)
            return d.trajectory_id

        self.commit(sub, write, "Afsluiting met ander traject")


# -- the app ---------------------------------------------------------------------------------


class IntakeApp(CaseApp):
    """Registration and intake of cases (see the module docstring)."""

    css = "tt-intake"
    title_text = "Aanmelding en intake"

    def make_steps(self) -> list[tuple[str, str, CasePart]]:
        self.registration = RegistrationPart(self)
        self.intake = IntakePart(self)
        self.report = ReportPart(self)
        self.other_route = OtherRoutePart(self)
        return [
            ("registration", "1. Aanmelding", self.registration),
            ("intake", "2. Intake", self.intake),
            ("report", "3. Intakerapport", self.report),
            ("other_route", "Ander traject", self.other_route),
        ]

    def top_bar(self) -> widgets.Widget:
        self.new_button = button("Nieuwe aanmelding", kind="primary", css="tt-new-case")
        self.new_button.on_click(guarded(self.status, "Nieuwe aanmelding")(
            lambda _b: self.new_case()))
        return widgets.HBox([self.picker, self.new_button],
                            layout=widgets.Layout(width="100%", justify_content="space-between"))

    def new_case(self) -> None:
        """Close the open case and start a new registration."""
        self.picker.pick(None)
        self.steps.go("registration")
        self.status.info("Nieuwe aanmelding: vul stap 1 in.")

    def after_save(self, new_trajectory_id: int | None = None) -> None:
        if self.dossier is None and new_trajectory_id is not None:
            self.picker.refresh(select=new_trajectory_id)
            self.open_case(new_trajectory_id)
            return
        self.reload()

    def head_html(self, d: Dossier | None) -> str:
        if d is None:
            return "<p>Geen dossier geopend.</p>"
        word = d.method.words.coach
        coach = (d.coach or {}).get("name") or f"nog geen {word}"
        closed = ""
        if d.closed:
            closed = (f" — afgesloten ({esc(vocab.label(vocab.OUTCOMES, d.trajectory['outcome']))}"
                      ")")
        return (f"<p><b>{esc(d.display_name)}</b> — {esc(d.method.name)} — fase "
                f"<b>{esc(d.phase_label)}</b> sinds {dutch_date(d.trajectory['phase_since'])}"
                f"{closed} — {esc(word)} {esc(coach)} — aangemeld "
                f"{dutch_moment(d.trajectory['registered_at'])}</p>")


def _other_route_intro(client: str, coach: str) -> str:
    return (f"Blijkt bij de start dat de {client} niet in dit traject kan starten, dan doet "
            f"de {coach} een gemotiveerd voorstel voor een ander traject gericht op werk. Het "
            "traject wordt dan afgesloten met de uitkomst 'Ander traject'.")


__all__ = ["IntakeApp"]
