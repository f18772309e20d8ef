"""Placements with their limits, and aftercare, as steps of the follow-up app."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from trajecttools.core import vocab
from trajecttools.core.dates import dutch_date
from trajecttools.outputs.report.document import esc
from trajecttools.reads.case.dossier import (
    Dossier,
    listing,
    placement_limit_text,
    placement_limit_warning,
    placement_limits,
)
from trajecttools.register.transactions import Tx
from trajecttools.widgets.case_app import CaseApp, CasePart
from trajecttools.widgets.contacts import (
    KEEP_PHASE,
    decision_fields,
    decision_values,
    is_closing,
    placement_title,
    table_html,
    toggle_decision,
)
from trajecttools.widgets.fields import (
    BLANK,
    ChoiceField,
    FieldSet,
    Row,
    RowList,
    choice_options,
    grid,
    record_field,
    section,
)
from trajecttools.widgets.panels import savebar
from trajecttools.widgets.toolkit import button, guarded, html_block, show

EMPLOYER_ALIASES = {"name": "employer_name", "sector": "employer_sector",
                    "municipality": "employer_municipality"}


# -- placements --------------------------------------------------------------------------------


class PlacementPart(CasePart):
    """Registering a placement with the limits of its type, and ending placements."""

    def __init__(self, app: CaseApp) -> None:
        super().__init__(app, "tt-placement")
        self.fields = FieldSet([
            record_field("placements", "kind", "choice", options=[("— kies —", BLANK)]),
            record_field("placements", "employer_id", "choice", label="Bestaande werkgever",
                         options=[("— geen / nieuwe werkgever —", BLANK)]),
            record_field("employers", "name", key="employer_name", required=False,
                         label="Of nieuwe werkgever: naam"),
            record_field("employers", "sector", "choice", key="employer_sector",
                         label="Sector nieuwe werkgever", options=choice_options(vocab.SECTORS)),
            record_field("employers", "municipality", key="employer_municipality",
                         label="Gemeente nieuwe werkgever"),
            record_field("employers", "social_work_company", "check"),
            record_field("employers", "inclusive", "check"),
            record_field("placements", "start_on", "date"),
            record_field("placements", "end_on", "date", label="Einddatum (gepland)"),
            record_field("placements", "hours_per_week", "number"),
            record_field("placements", "temporary", "check"),
            record_field("placements", "below_level", "check"),
            record_field("placements", "outside_field", "check"),
            record_field("placements", "promised_contract_months", "number",
                         hint="Bij loonkostensubsidie 'op proef': de werkgever belooft daarna "
                              "een arbeidsovereenkomst van minimaal zoveel maanden."),
            record_field("placements", "user_organisation",
                         hint="Art. 60§7: het OCMW is de werkgever; noem hier waar de cliënt"
                              " werkt (eigen diensten of de gebruiker)."),
            ChoiceField("to_phase", "Fase tegelijk wijzigen naar",
                        [("— fase niet wijzigen —", KEEP_PHASE)],
                        hint="De fase gaat in op de startdatum."),
            *decision_fields(),
        ])
        self.limit = html_block("", "tt-limit")
        self.limits_table = html_block("", "tt-summary")
        self.ends = RowList("", self._end_row, add_label="", css="placements",
                            empty="Nog geen plaatsingen.")
        show(self.ends.add_button, False)
        self.save_button = button("Plaatsing opslaan", kind="primary",
                                  css="tt-save tt-save-placement")
        self.save_button.on_click(guarded(self.status, "Opslaan plaatsing")(
            lambda _b: self.save()))
        self.end_button = button("Einddatums opslaan", css="tt-save tt-save-placement-end")
        self.end_button.layout.align_self = "flex-start"
        self.end_button.on_click(guarded(self.status, "Einddatums opslaan")(
            lambda _b: self.save_ends()))
        for key in ("kind", "start_on", "end_on"):
            self.fields[key].control.observe(
                guarded(self.status, "Limiet tonen")(lambda _c: self._show_limit()), "value")
        self.fields["to_phase"].control.observe(
            guarded(self.status, "Fase kiezen")(lambda _c: toggle_decision(
                self.fields, self.dossier, self.fields["to_phase"].get())), "value")
        f = self.fields
        self.build([
            section("Nieuwe plaatsing", [
                self.limits_table,
                grid(f.widgets("kind"), "480px"), self.limit,
                html_block("<h4>Werkgever</h4>"),
                grid(f.widgets("employer_id", "employer_name", "employer_sector",
                               "employer_municipality", "social_work_company", "inclusive",
                               "user_organisation")),
                html_block("<h4>Plaatsing</h4>"),
                grid(f.widgets("start_on", "end_on", "hours_per_week", "temporary",
                               "below_level", "outside_field", "promised_contract_months",
                               "to_phase", "decision", "decision_reason")),
            ], "tt-placement-form"),
            self.stale,
            savebar(self.save_button, self.status),
            section("Lopende en eerdere plaatsingen", [self.ends, self.end_button],
                    "tt-placement-ends",
                    intro="Vul de einddatum in als een plaatsing stopt (bijv. de opstapbaan "
                          "bij de start van een arbeidsovereenkomst)."),
        ])

    def fieldsets(self) -> list[FieldSet]:
        return [self.fields, *[r.fields for r in self.ends.rows]]

    def _end_row(self, rows: RowList, record: Mapping[str, Any] | None) -> Row:
        assert record is not None and self.dossier is not None
        limit = placement_limit_text(self.dossier.method, record["kind"])
        title = placement_title(record) + (f" ({limit})" if limit else "")
        fields = [record_field("placements", "end_on", "date")]
        row = Row(title, fields, record=record, on_remove=None, css="tt-placement-row")
        row.fields.load(record)
        return row

    def _show_limit(self) -> None:
        d = self.dossier
        kind = self.fields["kind"].get()
        if d is None or kind is None:
            self.limit.value = ""
            return
        text = placement_limit_text(d.method, kind)
        label = vocab.label(vocab.PLACEMENT_TYPES, kind)
        shown = (f"Limiet volgens de methode: {label} {text}." if text
                 else f"De methode stelt geen limiet aan: {label}.")
        warning = ""
        try:
            start = self.fields["start_on"].parsed()
            end = self.fields["end_on"].parsed()
        except ValueError:
            start = end = None
        warning = placement_limit_warning(d.method, kind, start, end)
        self.limit.value = esc(shown) + (
            f' <span class="tt-warning">{esc(warning)}</span>' if warning else "")

    def load(self, d: Dossier | None) -> None:
        f = self.fields
        f.reset()
        toggle_decision(f, None, None)
        self.limit.value = ""
        if d is None:
            self.ends.clear()
            return
        limits = placement_limits(d.method)
        kinds = limits or [(k, lbl, "") for k, lbl in vocab.PLACEMENT_TYPES.items()]
        f["kind"].set_options(
            [("— kies —", BLANK)]
            + [(f"{lbl} ({text})" if text else lbl, code) for code, lbl, text in kinds]
        )
        self.limits_table.value = (
            "<p>Escalatieladder van de methode, meest gewenst eerst: "
            + esc("; ".join(f"{lbl}{' – ' + text if text else ''}" for _, lbl, text in limits))
            + ".</p>" if limits else ""
        )
        employers = listing(self.app.store, "employers", ["name", "municipality"])
        f["employer_id"].set_options(
            [("— geen / nieuwe werkgever —", BLANK)]
            + [(e["name"] + (f" ({e['municipality']})" if e["municipality"] else ""), e["id"])
               for e in employers]
        )
        f["to_phase"].set_options([("— fase niet wijzigen —", KEEP_PHASE)]
                                  + [(lbl, code) for code, lbl in d.allowed_next()
                                     if not is_closing(d, code)])
        toggle_decision(f, d, f["to_phase"].get())
        show(f["user_organisation"], "social_employment" in d.method.placement_types)
        show(f["promised_contract_months"], any(
            limit.promise_min_months is not None for limit in d.method.placement_types.values()))
        self.ends.load(d.placements)
        show(self.end_button, bool(d.placements))

    def save(self) -> None:
        """Check the placement (and a new employer, a phase change) and save in one go."""
        d = self.dossier
        assert d is not None, "geen dossier geopend"
        sub = self.submission()
        f = self.fields
        employer_id = f["employer_id"].get()
        new_name = f["employer_name"].get()
        employer = None
        if employer_id is not None and new_name is not None:
            sub.fail(f["employer_name"], "vul óf een bestaande óf een nieuwe werkgever in")
        elif new_name is not None:
            employer = sub.validate(f, "employers", {
                "name": new_name, "sector": f["employer_sector"].get(),
                "municipality": f["employer_municipality"].get(),
                "social_work_company": f["social_work_company"].get(),
                "inclusive": f["inclusive"].get(), "region": d.client.get("region"),
            }, EMPLOYER_ALIASES)
        placement = sub.validate(f, "placements", {
            "trajectory_id": d.trajectory_id, "employer_id": employer_id,
            **f.values("kind", "start_on", "end_on", "hours_per_week", "temporary",
                       "below_level", "outside_field", "promised_contract_months",
                       "user_organisation"),
        })
        phase = f["to_phase"].get()
        choice = decision_values(f, d, phase)
        start = placement["start_on"] if placement else None
        if phase is not None and start is not None and start > self.app.today:
            sub.fail(f["start_on"], "mag bij een faseovergang niet in de toekomst liggen")
        warning = ""
        if placement is not None:
            warning = placement_limit_warning(d.method, placement["kind"], placement["start_on"],
                                              placement["end_on"])

        def write(tx: Tx) -> int:
            values = dict(placement or {})
            if employer is not None:
                with sub.into(f, EMPLOYER_ALIASES):
                    values["employer_id"] = tx.add("employers", employer)
            with sub.into(f):
                placement_id = tx.add("placements", values)
            if phase is not None:
                with sub.into(f, {"phase": "to_phase", "phase_since": "start_on"}):
                    tx.change_phase(d.trajectory_id, phase, on=start, expected_version=d.version,
                                    **choice)
            return placement_id

        saved, _ = self.commit(sub, write, "Plaatsing")
        if saved and warning:
            self.status.ok(self.status.message + " " + warning)

    def save_ends(self) -> None:
        """Save changed end dates of placements in one transaction."""
        assert self.dossier is not None, "geen dossier geopend"
        sub = self.submission()
        ops = []
        for row in self.ends.rows:
            assert row.record is not None
            stored = {k: v for k, v in row.record.items()
                      if k in ("trajectory_id", "employer_id", "vacancy_id", "kind", "start_on",
                               "hours_per_week", "temporary", "below_level", "outside_field",
                               "promised_contract_months", "user_organisation")}
            clean = sub.validate(row.fields, "placements",
                                 {**stored, "end_on": row["end_on"].get()})
            if clean is not None and clean["end_on"] != row.record.get("end_on"):
                ops.append((row, clean["end_on"]))
        if sub.ok and not ops:
            self.status.info("Er is niets gewijzigd.")
            return

        def write(tx: Tx) -> int:
            for row, end_on in ops:
                assert row.record is not None
                with sub.into(row.fields):
                    tx.update("placements", int(row.record["id"]), {"end_on": end_on},
                              expected_version=int(row.record["version"]))
            return len(ops)

        self.commit(sub, write, "Einddatum plaatsing")


# -- aftercare ---------------------------------------------------------------------------------


class AftercarePart(CasePart):
    """Aftercare contacts with employee and employer."""

    def __init__(self, app: CaseApp) -> None:
        super().__init__(app, "tt-aftercare")
        self.fields = FieldSet([
            record_field("aftercare_contacts", "held_on", "date"),
            record_field("aftercare_contacts", "party", "choice",
                         options=choice_options(vocab.AFTERCARE_PARTIES)),
            record_field("aftercare_contacts", "placement_id", "choice",
                         options=[("— geen —", BLANK)]),
            record_field("aftercare_contacts", "notes", "area", rows=4,
                         hint="Hoe functioneert de werknemer (op tijd, afspraken, zelfstandig)? "
                              "Wat zegt de werkgever?"),
        ])
        self.info = html_block("")
        self.history = html_block("", "tt-summary")
        self.save_button = button("Nazorgcontact opslaan", kind="primary",
                                  css="tt-save tt-save-aftercare")
        self.save_button.on_click(guarded(self.status, "Opslaan nazorgcontact")(
            lambda _b: self.save()))
        self.build([
            section("Nazorgcontact", [self.info, grid(self.fields.widgets(), "340px")],
                    "tt-aftercare-form"),
            self.stale,
            savebar(self.save_button, self.status),
            self.history,
        ])

    def fieldsets(self) -> list[FieldSet]:
        return [self.fields]

    def load(self, d: Dossier | None) -> None:
        f = self.fields
        f.reset()
        f["held_on"].set(self.app.today)
        if d is None:
            return
        f["placement_id"].set_options([("— geen —", BLANK)]
                                      + [(placement_title(p), p["id"]) for p in d.placements])
        regular = [p for p in d.placements if p["kind"] == "regular"]
        chosen = regular or d.placements
        f["placement_id"].set(chosen[-1]["id"] if chosen else None)
        rule = d.method.rule("aftercare_contact")
        every = ""
        if rule is not None and rule.days:
            every = f" Volgens de methode minstens elke {rule.days} dagen."
        last = d.aftercare[-1]["held_on"] if d.aftercare else None
        last_text = (f"Laatste nazorgcontact: {dutch_date(last)}." if last
                     else "Nog geen nazorgcontact.")
        self.info.value = f"<p>{esc(last_text)}{esc(every)}</p>"
        self.history.value = "<h4>Nazorgcontacten</h4>" + table_html(
            ["Datum", "Met wie", "Verslag"],
            [[dutch_date(a["held_on"]), vocab.label(vocab.AFTERCARE_PARTIES, a["party"]),
              a.get("notes") or ""] for a in d.aftercare[::-1]],
            "Nog geen nazorgcontacten.",
        )

    def save(self) -> None:
        """Check and save one aftercare contact."""
        d = self.dossier
        assert d is not None, "geen dossier geopend"
        sub = self.submission()
        values = sub.validate(self.fields, "aftercare_contacts",
                              {"trajectory_id": d.trajectory_id, **self.fields.values()})

        def write(tx: Tx) -> int:
            with sub.into(self.fields):
                return tx.add("aftercare_contacts", values or {})

        self.commit(sub, write, "Nazorgcontact")


__all__ = [
    "AftercarePart",
    "PlacementPart",
]
