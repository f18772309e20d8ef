"""Following a case after the intake: contacts with agreements, agreements kept or not, phase
changes as the method allows, placements with their limits, aftercare and the end report.

Each step is checked field by field and saved in one transaction; edits of stored records carry
the version they were loaded with, so an edit on a version someone else already changed is
refused and the other version is shown.

>>> from trajecttools.apps.follow_up import follow_up
>>> type(follow_up()).__name__
'FollowUpApp'
"""

from __future__ import annotations

from trajecttools.core import vocab
from trajecttools.core.dates import dutch_date
from trajecttools.outputs.report import end_report_fragment, end_report_html
from trajecttools.outputs.report.document import esc
from trajecttools.reads.case.dossier import Dossier, load_dossier, placement_limit_text
from trajecttools.register.transactions import Tx
from trajecttools.widgets.case_app import CaseApp, CasePart
from trajecttools.widgets.contacts import AgreementsPart, ContactPart, PhasePart, check_outcome
from trajecttools.widgets.fields import (
    CheckField,
    FieldSet,
    choice_options,
    grid,
    record_field,
    section,
)
from trajecttools.widgets.panels import ReportView, savebar
from trajecttools.widgets.placements import AftercarePart, PlacementPart
from trajecttools.widgets.toolkit import button, guarded, html_block, is_shown, show

END_REPORT_KEYS = ("written_on", "aftercare_summary", "results", "remaining_points",
                   "actions_taken", "continuation")


# -- end report --------------------------------------------------------------------------------


class EndReportPart(CasePart):
    """The end report (beëindigingsrapportage), optionally closing the trajectory."""

    def __init__(self, app: FollowUpApp) -> None:
        super().__init__(app, "tt-end-report")
        self.fields = FieldSet([
            record_field("end_reports", "written_on", "date"),
            record_field("end_reports", "aftercare_summary", "area",
                         label="Hoe is de nazorg verlopen?"),
            record_field("end_reports", "results", "area", label="Welke resultaten zijn behaald?"),
            record_field("end_reports", "remaining_points", "area",
                         label="Welke aandachtspunten zijn er nog over?"),
            record_field("end_reports", "actions_taken", "area",
                         label="Wat is ingezet om deze aandachtspunten weg te werken?"),
            record_field("end_reports", "continuation", "area",
                         label="Hoe gaat het nu verder met de klant?"),
            CheckField("close", "Traject afsluiten op de datum van de rapportage"),
            record_field("trajectories", "outcome", "choice", required=True,
                         options=choice_options(vocab.OUTCOMES)),
            record_field("trajectories", "outcome_reason", "area", rows=2),
        ])
        self.fields["outcome"].default = "work"
        self.info = html_block("")
        self.view = ReportView()
        self.save_button = button("Eindrapportage opslaan", kind="primary",
                                  css="tt-save tt-save-end-report")
        self.save_button.on_click(guarded(self.status, "Opslaan eindrapportage")(
            lambda _b: self.save()))
        self.report_button = button("Rapport tonen", css="tt-make-report")
        self.report_button.on_click(guarded(self.status, "Rapport tonen")(
            lambda _b: self.make_report()))
        self.fields["close"].control.observe(
            guarded(self.status, "Afsluiten kiezen")(lambda _c: self._toggle()), "value")
        f = self.fields
        self.build([
            section("Beëindigingsrapportage", [
                self.info,
                grid(f.widgets(*END_REPORT_KEYS)),
                html_block("<h4>Afsluiten</h4>"),
                grid(f.widgets("close", "outcome", "outcome_reason")),
            ], "tt-end-report-form"),
            self.stale,
            savebar(self.save_button, self.status, self.report_button),
            self.view,
        ])

    def fieldsets(self) -> list[FieldSet]:
        return [self.fields]

    def _toggle(self) -> None:
        closing = bool(self.fields["close"].get())
        show(self.fields["outcome"], closing)
        show(self.fields["outcome_reason"], closing)

    def load(self, d: Dossier | None) -> None:
        f = self.fields
        f.reset()
        self.view.clear()
        f["written_on"].set(self.app.today)
        if d is None:
            return
        if d.end_report is not None:
            f.load(d.end_report)
        can_close = not d.closed and d.method.can_move(d.phase, d.method.closed_phase)
        show(f["close"], can_close)
        f["close"].set(can_close and d.method.phase(d.phase).stage == "aftercare")
        self._toggle()
        if d.end_report is not None:
            state = (f"Er is een rapportage van {dutch_date(d.end_report['written_on'])}; "
                     "wijzigingen worden op die versie opgeslagen.")
        else:
            state = "Nog geen beëindigingsrapportage."
        after = follows_up_work(d)
        what = "de nazorg" if after else "het traject"
        f["aftercare_summary"].relabel(f"Hoe is {what} verlopen?")
        f["continuation"].relabel(f"Hoe gaat het nu verder met de {d.method.words.client}?")
        self.info.value = (f"<p>{esc(state)} {what[:1].upper() + what[1:]} sluit af met deze "
                           f"rapportage: hoe {what} is verlopen, de resultaten, wat nog aandacht "
                           "vraagt, wat is ingezet en hoe het verder gaat.</p>")

    def save(self) -> None:
        """Save (or change) the end report, and close the trajectory when chosen."""
        d = self.dossier
        assert d is not None, "geen dossier geopend"
        sub = self.submission()
        f = self.fields
        report = sub.validate(f, "end_reports", {"trajectory_id": d.trajectory_id,
                                                 **f.values(*END_REPORT_KEYS)})
        closing = bool(f["close"].get()) and is_shown(f["close"])
        outcome = reason = None
        if closing:
            outcome, reason = check_outcome(sub, f)
        stored = d.end_report

        def write(tx: Tx) -> int:
            assert report is not None
            with sub.into(f):
                if stored is None:
                    report_id = tx.add("end_reports", report)
                else:
                    report_id = int(stored["id"])
                    changes = {k: report[k] for k in END_REPORT_KEYS
                               if report[k] != stored.get(k)}
                    if changes:
                        tx.update("end_reports", report_id, changes,
                                  expected_version=int(stored["version"]))
            if closing:
                with sub.into(f, {"phase_since": "written_on"}):
                    tx.change_phase(d.trajectory_id, d.method.closed_phase,
                                    on=report["written_on"], outcome=outcome,
                                    outcome_reason=reason, expected_version=d.version)
            return report_id

        what = "Eindrapportage" + (" en afsluiting" if closing else "")
        saved, _ = self.commit(sub, write, what)
        if saved:
            self.make_report(keep_status=True)

    def make_report(self, *, keep_status: bool = False) -> None:
        """Show the end report of the open case as stored now."""
        assert self.dossier is not None, "geen dossier geopend"
        d = load_dossier(self.app.store, self.dossier.trajectory_id)
        self.view.present(end_report_fragment(d), end_report_html(d),
                          f"beeindigingsrapportage-{d.pseudonym}.html")
        if not keep_status:
            self.status.ok(f"Beëindigingsrapportage van {d.display_name} getoond.")


# -- the app -----------------------------------------------------------------------------------


class FollowUpApp(CaseApp):
    """Following cases after the intake (see the module docstring)."""

    css = "tt-follow-up"
    title_text = "Traject volgen"

    def make_steps(self) -> list[tuple[str, str, CasePart]]:
        self.contact = ContactPart(self)
        self.agreements = AgreementsPart(self)
        self.phase = PhasePart(self)
        self.placement = PlacementPart(self)
        self.aftercare = AftercarePart(self)
        self.end_report = EndReportPart(self)
        return [
            ("contact", "Contact en afspraken", self.contact),
            ("agreements", "Afspraken opvolgen", self.agreements),
            ("phase", "Fase", self.phase),
            ("placement", "Plaatsing", self.placement),
            ("aftercare", "Nazorg", self.aftercare),
            ("end_report", "Eindrapportage", self.end_report),
        ]

    def open_case(self, trajectory_id: int | None) -> None:
        """Open a case; the aftercare step shows only where its method follows up work."""
        super().open_case(trajectory_id)
        self.steps.show_step("aftercare", follows_up_work(self.dossier))

    def head_html(self, d: Dossier | None) -> str:
        if d is None:
            return "<p>Geen dossier geopend. Kies een dossier op pseudoniem.</p>"
        coach = (d.coach or {}).get("name") or f"nog geen {d.method.words.coach}"
        late = [a for a in d.open_agreements if a["due_on"] < self.today]
        n = len(d.open_agreements)
        agreements = f"{n} open afspra{'ak' if n == 1 else 'ken'}"
        if late:
            agreements += f" ({len(late)} te laat)"
        current = [p for p in d.placements if p.get("end_on") is None or p["end_on"] >= self.today]
        placed = ""
        if current:
            p = current[-1]
            limit = placement_limit_text(d.method, p["kind"])
            where = f" bij {p['employer_name']}" if p.get("employer_name") else ""
            placed = (f" — plaatsing: {esc(vocab.label(vocab.PLACEMENT_TYPES, p['kind']))}"
                      f"{esc(where)} sinds {dutch_date(p['start_on'])}"
                      f"{esc(' (' + limit + ')' if limit else '')}")
        closed = ""
        if d.closed:
            closed = (f" — afgesloten op {dutch_date(d.trajectory['closed_on'])} "
                      f"({esc(vocab.label(vocab.OUTCOMES, d.trajectory['outcome']))})")
        return (f"<p><b>{esc(d.display_name)}</b> — {esc(d.method.name)} — fase "
                f"<b>{esc(d.phase_label)}</b> sinds {dutch_date(d.trajectory['phase_since'])}"
                f"{closed}{placed} — {esc(d.method.words.coach)} {esc(coach)} — "
                f"{esc(agreements)}</p>")


def follows_up_work(d: Dossier | None) -> bool:
    """Whether the case's method follows up regular work (aftercare); no case: True.

    Art. 60§7 (“Trajectbegeleiding in vijf fasen (OCMW, art. 60§7)”): follow-up of regular work
    is “facultatief”, a method setting that is off there; its phase 5 is a job search.
    """
    return d is None or d.method.settings.follow_up_after_work


__all__ = ["FollowUpApp", "follows_up_work"]
