"""Following a case after the intake: contacts with agreements, agreements kept or not, phase
changes as the method allows, placements with their limits, aftercare and the end report.

Each step is checked field by field and saved in one transaction; edits of stored records carry
the version they were loaded with, so an edit on a version someone else already changed is
refused and the other version is shown.

>>> from trajecttools.widgets.follow_up import follow_up_app   # doctest: +SKIP
>>> follow_up_app()                                            # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import ipywidgets as widgets

from trajecttools.core import vocab
from trajecttools.core.dates import dutch_date
from trajecttools.outputs.report import end_report_fragment, end_report_html
from trajecttools.reads.case.dossier import (
    Dossier,
    listing,
    load_dossier,
    placement_limit_text,
    placement_limit_warning,
    placement_limits,
)
from trajecttools.register.transactions import Tx
from trajecttools.widgets.forms import (
    BLANK,
    CaseApp,
    CasePart,
    CheckField,
    ChoiceField,
    DateField,
    FieldSet,
    ReportView,
    Row,
    RowList,
    Submission,
    build_app,
    button,
    choice_options,
    esc,
    grid,
    guarded,
    html_block,
    record_field,
    savebar,
    section,
    show,
)
from trajecttools.widgets.intake import agreement_row
from trajecttools.workspace import Workspace

KEEP_PHASE = ""
END_REPORT_KEYS = ("written_on", "aftercare_summary", "results", "remaining_points",
                   "actions_taken", "continuation")
EMPLOYER_ALIASES = {"name": "employer_name", "sector": "employer_sector",
                    "municipality": "employer_municipality"}


def _table(headers: list[str], rows: list[list[Any]], empty: str = "") -> str:
    if not rows:
        return f'<p class="tt-hint">{esc(empty)}</p>' if empty else ""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _placement_title(p: Mapping[str, Any]) -> str:
    where = f" bij {p['employer_name']}" if p.get("employer_name") else ""
    end = f" tot {dutch_date(p['end_on'])}" if p.get("end_on") else ""
    return (f"{vocab.label(vocab.PLACEMENT_TYPES, p['kind'])}{where}, vanaf "
            f"{dutch_date(p['start_on'])}{end}")


def _closing(d: Dossier, phase: str | None) -> bool:
    return phase is not None and d.method.phase(phase).stage == "closed"


def _check_outcome(sub: Submission, fields: FieldSet, outcome_key: str = "outcome",
                   reason_key: str = "outcome_reason") -> tuple[Any, Any]:
    """Check the outcome of a closing: required, and a motivated proposal for another route."""
    outcome = sub.require(fields[outcome_key])
    reason = fields[reason_key].get()
    if outcome == "other_route" and reason is None:
        sub.fail(fields[reason_key], "is verplicht bij een ander traject (motiveer het voorstel)")
    if reason is not None and len(reason) > 2000:
        sub.fail(fields[reason_key], "is te lang (maximaal 2000 tekens)")
    return outcome, reason


# -- contact and agreements --------------------------------------------------------------------


class ContactPart(CasePart):
    """A contact (type, date, participants) that closes with agreements: what, who, when."""

    def __init__(self, app: FollowUpApp) -> None:
        super().__init__(app, "tt-contact")
        self.fields = FieldSet([
            record_field("contacts", "kind", "choice",
                         options=choice_options(vocab.CONTACT_KINDS)),
            record_field("contacts", "held_on", "date"),
            record_field("contacts", "location"),
            record_field("contacts", "participants",
                         hint="Bijv. klant, jobcoach, consulent SDW."),
            record_field("contacts", "notes", "area", rows=4),
        ])
        self.fields["kind"].default = "progress"
        self.agreements = RowList("Afspraken voor het volgende contact", agreement_row,
                                  add_label="Afspraak toevoegen", css="agreements-new",
                                  empty="Nog geen afspraken: sluit elk contact af met afspraken "
                                        "(wat, wie, wanneer).")
        self.recent = html_block("", "tt-summary")
        self.save_button = button("Contact en afspraken opslaan", kind="primary",
                                  css="tt-save tt-save-contact")
        self.save_button.on_click(guarded(self.status, "Opslaan contact")(lambda _b: self.save()))
        self.build([
            section("Contactmoment", [grid(self.fields.widgets())], "tt-contact-form"),
            section("Afspraken", [self.agreements], "tt-contact-agreements",
                    intro="Aan het eind van ieder contact: wat wordt er gedaan vóór het "
                          "volgende contact, en door wie."),
            self.stale,
            savebar(self.save_button, self.status),
            self.recent,
        ])

    def fieldsets(self) -> list[FieldSet]:
        return [self.fields, *[r.fields for r in self.agreements.rows]]

    def load(self, d: Dossier | None) -> None:
        self.fields.reset()
        self.fields["held_on"].set(self.app.today)
        self.agreements.clear()
        if d is None:
            return
        last = d.contacts[-8:][::-1]
        if last:
            self.recent.value = "<h4>Laatste contacten</h4>" + _table(
                ["Datum", "Soort", "Deelnemers"],
                [[dutch_date(c["held_on"]), vocab.label(vocab.CONTACT_KINDS, c["kind"]),
                  c.get("participants") or ""] for c in last],
            )
        else:
            self.recent.value = ""

    def save(self) -> None:
        """Check the contact and its agreements and save them in one transaction."""
        d = self.dossier
        assert d is not None, "geen dossier geopend"
        sub = self.submission()
        contact = sub.validate(self.fields, "contacts", {
            "trajectory_id": d.trajectory_id, "coach_id": d.trajectory.get("coach_id"),
            **self.fields.values(),
        })
        agreements = [
            (row, sub.validate(row.fields, "agreements", {
                "trajectory_id": d.trajectory_id, **row.fields.values("what", "who", "due_on")}))
            for row in self.agreements.rows
        ]

        def write(tx: Tx) -> int:
            with sub.into(self.fields):
                contact_id = tx.add("contacts", contact or {})
            for row, values in agreements:
                with sub.into(row.fields):
                    tx.add("agreements", {**(values or {}), "contact_id": contact_id})
            return contact_id

        n = len(agreements)
        self.commit(sub, write, f"Contact met {n} afspra{'ak' if n == 1 else 'ken'}")


class AgreementsPart(CasePart):
    """Marking open agreements kept or not kept (with the reason)."""

    def __init__(self, app: FollowUpApp) -> None:
        super().__init__(app, "tt-agreements")
        self.rows = RowList("", self._row, add_label="", css="open-agreements",
                            empty="Geen open afspraken.")
        show(self.rows.add_button, False)
        self.done = html_block("", "tt-summary")
        self.save_button = button("Afspraken bijwerken", kind="primary",
                                  css="tt-save tt-save-agreements")
        self.save_button.on_click(guarded(self.status, "Afspraken bijwerken")(
            lambda _b: self.save()))
        self.build([
            section("Open afspraken", [self.rows], "tt-open-agreements",
                    intro="Is een afspraak niet nagekomen, vraag dan waarom: welke motivatie, "
                          "wat is er nodig, spelen er zaken waardoor het niet kon?"),
            self.stale,
            savebar(self.save_button, self.status),
            self.done,
        ])

    def _row(self, rows: RowList, record: Mapping[str, Any] | None) -> Row:
        assert record is not None
        today = self.app.today
        fields = [
            record_field("agreements", "status", "choice",
                         options=choice_options(vocab.AGREEMENT_STATUSES, blank=None)),
            record_field("agreements", "closed_on", "date"),
            record_field("agreements", "reason_not_kept", "area", rows=2),
        ]
        due = record["due_on"]
        late = " — te laat" if due is not None and due < today else ""
        title = (f"{record['what']} — {vocab.label(vocab.AGREEMENT_PARTIES, record['who'])} — "
                 f"uiterlijk {dutch_date(due)}{late}")
        row = Row(title, fields, record=record, on_remove=None, css="tt-open-agreement")
        row.fields.load(record)
        closed_on = row["closed_on"]

        def on_status(change: Mapping[str, Any]) -> None:
            if change["new"] != "open" and closed_on.get() is None:
                closed_on.set(today)

        row["status"].control.observe(guarded(self.status, "Status kiezen")(on_status), "value")
        return row

    def fieldsets(self) -> list[FieldSet]:
        return [r.fields for r in self.rows.rows]

    def load(self, d: Dossier | None) -> None:
        self.rows.clear()
        self.done.value = ""
        if d is None:
            return
        self.rows.load(d.open_agreements)
        closed = [a for a in d.agreements if a["status"] != "open"][-10:]
        if closed:
            self.done.value = "<h4>Afgehandeld</h4>" + _table(
                ["Wat", "Wie", "Uiterlijk", "Status", "Reden niet nagekomen"],
                [[a["what"], vocab.label(vocab.AGREEMENT_PARTIES, a["who"]),
                  dutch_date(a["due_on"]), vocab.label(vocab.AGREEMENT_STATUSES, a["status"]),
                  a.get("reason_not_kept") or ""] for a in closed],
            )

    def save(self) -> None:
        """Save every changed agreement in one transaction (each from its loaded version)."""
        assert self.dossier is not None, "geen dossier geopend"
        sub = self.submission()
        keys = ["status", "closed_on", "reason_not_kept"]
        ops = []
        for row in self.rows.rows:
            assert row.record is not None
            stored = {k: v for k, v in row.record.items()
                      if k in ("trajectory_id", "contact_id", "what", "who", "due_on")}
            clean = sub.validate(row.fields, "agreements", {**stored, **row.fields.values()})
            if clean is None:
                continue
            changes = {k: clean[k] for k in keys if clean[k] != row.record.get(k)}
            if changes:
                ops.append((row, changes))
        if sub.ok and not ops:
            self.status.info("Er is niets gewijzigd.")
            return

        def write(tx: Tx) -> int:
            for row, changes in ops:
                assert row.record is not None
                with sub.into(row.fields):
                    tx.update("agreements", int(row.record["id"]), changes,
                              expected_version=int(row.record["version"]))
            return len(ops)

        self.commit(sub, write, f"{len(ops)} afspra{'ak' if len(ops) == 1 else 'ken'}")


# -- phase -----------------------------------------------------------------------------------


class PhasePart(CasePart):
    """A phase change, offered only as the method allows from the current phase."""

    def __init__(self, app: FollowUpApp) -> None:
        super().__init__(app, "tt-phase")
        self.fields = FieldSet([
            ChoiceField("to_phase", "Naar fase", [("— kies —", BLANK)], required=True),
            DateField("on", "Datum faseovergang", required=True),
            record_field("trajectories", "outcome", "choice", required=True,
                         options=choice_options(vocab.OUTCOMES)),
            record_field("trajectories", "outcome_reason", "area", rows=3),
        ])
        self.current = html_block("")
        self.save_button = button("Fase wijzigen", kind="primary", css="tt-save tt-save-phase")
        self.save_button.on_click(guarded(self.status, "Fase wijzigen")(lambda _b: self.save()))
        self.fields["to_phase"].control.observe(
            guarded(self.status, "Fase kiezen")(lambda _c: self._toggle_outcome()), "value")
        self.build([
            section("Fase", [self.current, grid(self.fields.widgets())], "tt-phase-form"),
            self.stale,
            savebar(self.save_button, self.status),
        ])

    def fieldsets(self) -> list[FieldSet]:
        return [self.fields]

    @property
    def options(self) -> list[tuple[str, Any]]:
        """The phases offered (label, code)."""
        return list(self.fields["to_phase"].control.options)

    def _toggle_outcome(self) -> None:
        d = self.dossier
        closing = d is not None and _closing(d, self.fields["to_phase"].get())
        show(self.fields["outcome"], closing)
        show(self.fields["outcome_reason"], closing)

    def load(self, d: Dossier | None) -> None:
        f = self.fields
        f.reset()
        f["on"].set(self.app.today)
        if d is None:
            return
        allowed = d.allowed_next()
        f["to_phase"].set_options([("— kies —", BLANK)] + [(lbl, code) for code, lbl in allowed])
        self.save_button.disabled = not allowed
        since = dutch_date(d.trajectory["phase_since"])
        if allowed:
            offered = ", ".join(lbl for _, lbl in allowed)
            self.current.value = (f"<p>Huidige fase: <b>{esc(d.phase_label)}</b> sinds {since}. "
                                  f"De methode '{esc(d.method.name)}' staat van hieruit toe: "
                                  f"{esc(offered)}.</p>")
        else:
            self.current.value = (f"<p>Huidige fase: <b>{esc(d.phase_label)}</b> sinds {since}. "
                                  "Dit is de eindfase; er is geen faseovergang meer mogelijk.</p>")
        self._toggle_outcome()

    def save(self) -> None:
        """Change the phase (closing needs an outcome) in one transaction."""
        d = self.dossier
        assert d is not None, "geen dossier geopend"
        sub = self.submission()
        f = self.fields
        phase = sub.require(f["to_phase"])
        day = sub.date(f["on"], required=True)
        outcome = reason = None
        if _closing(d, phase):
            outcome, reason = _check_outcome(sub, f)

        def write(tx: Tx) -> int:
            with sub.into(f, {"phase": "to_phase", "phase_since": "on"}):
                return tx.change_phase(d.trajectory_id, phase, on=day, outcome=outcome,
                                       outcome_reason=reason, expected_version=d.version)

        self.commit(sub, write, f"Faseovergang naar '{d.method.phase_label(str(phase))}'")


# -- placements --------------------------------------------------------------------------------


class PlacementPart(CasePart):
    """Registering a placement with the limits of its type, and ending placements."""

    def __init__(self, app: FollowUpApp) -> None:
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
            ChoiceField("to_phase", "Fase tegelijk wijzigen naar",
                        [("— fase niet wijzigen —", KEEP_PHASE)],
                        hint="De fase gaat in op de startdatum."),
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
        f = self.fields
        self.build([
            section("Nieuwe plaatsing", [
                self.limits_table,
                grid(f.widgets("kind"), "480px"), self.limit,
                html_block("<h4>Werkgever</h4>"),
                grid(f.widgets("employer_id", "employer_name", "employer_sector",
                               "employer_municipality", "social_work_company", "inclusive")),
                html_block("<h4>Plaatsing</h4>"),
                grid(f.widgets("start_on", "end_on", "hours_per_week", "temporary",
                               "below_level", "outside_field", "to_phase")),
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
        title = _placement_title(record) + (f" ({limit})" if limit else "")
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
                                     if not _closing(d, code)])
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
                       "below_level", "outside_field"),
        })
        phase = f["to_phase"].get()
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
                    tx.change_phase(d.trajectory_id, phase, on=start, expected_version=d.version)
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
                               "hours_per_week", "temporary", "below_level", "outside_field")}
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

    def __init__(self, app: FollowUpApp) -> None:
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
                                      + [(_placement_title(p), p["id"]) for p in d.placements])
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
        self.history.value = "<h4>Nazorgcontacten</h4>" + _table(
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
        self.info.value = (f"<p>{esc(state)} De nazorg sluit af met deze rapportage: hoe de "
                           "nazorg is verlopen, de resultaten, wat nog aandacht vraagt, wat is "
                           "ingezet en hoe het verder gaat.</p>")

    def save(self) -> None:
        """Save (or change) the end report, and close the trajectory when chosen."""
        d = self.dossier
        assert d is not None, "geen dossier geopend"
        sub = self.submission()
        f = self.fields
        report = sub.validate(f, "end_reports", {"trajectory_id": d.trajectory_id,
                                                 **f.values(*END_REPORT_KEYS)})
        closing = bool(f["close"].get()) and is_visible(f["close"])
        outcome = reason = None
        if closing:
            outcome, reason = _check_outcome(sub, f)
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


def is_visible(widget: widgets.Widget) -> bool:
    """Tell whether a widget is shown."""
    return widget.layout.display != "none"


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

    def head_html(self, d: Dossier | None) -> str:
        if d is None:
            return "<p>Geen dossier geopend. Kies een dossier op pseudoniem.</p>"
        coach = (d.coach or {}).get("name") or "nog geen jobcoach"
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
                f"{closed}{placed} — jobcoach {esc(coach)} — {esc(agreements)}</p>")


def follow_up_app(store: Workspace | None = None, *, actor: str | None = None,
                  today: dt.date | None = None) -> widgets.Widget:
    """Return the follow-up forms of a register (contacts to end report).

    ``store`` None opens the register named by ``TRAJECTTOOLS_DATABASE_URL`` (or the default
    file). ``actor`` is who the audit log names (None: the register's user); ``today`` fixes
    the date used for defaults and checks (None: the register's today).
    """
    return build_app(FollowUpApp, store, actor, today)


__all__ = ["FollowUpApp", "follow_up_app"]
