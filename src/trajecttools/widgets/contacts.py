"""The first steps of the follow-up app: contacts with agreements, agreements kept or not, and
phase changes as the method allows; with the helpers the later steps share."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from trajecttools.core import vocab
from trajecttools.core.dates import dutch_date
from trajecttools.outputs.report.document import esc
from trajecttools.reads.case.dossier import Dossier
from trajecttools.register.transactions import Tx
from trajecttools.widgets.case_app import CaseApp, CasePart
from trajecttools.widgets.fields import (
    BLANK,
    ChoiceField,
    DateField,
    FieldSet,
    Row,
    RowList,
    TextField,
    choice_options,
    grid,
    record_field,
    section,
)
from trajecttools.widgets.intake_form import agreement_row
from trajecttools.widgets.panels import savebar
from trajecttools.widgets.submission import Submission
from trajecttools.widgets.toolkit import button, guarded, html_block, show

KEEP_PHASE = ""


def table_html(headers: list[str], rows: list[list[Any]], empty: str = "") -> str:
    """Return an HTML table of text cells (``empty`` as a hint when there are no rows)."""
    if not rows:
        return f'<p class="tt-hint">{esc(empty)}</p>' if empty else ""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def placement_title(p: Mapping[str, Any]) -> str:
    """Return the Dutch title of a placement: kind, employer, period and a promised contract."""
    where = f" bij {p['employer_name']}" if p.get("employer_name") else ""
    end = f" tot {dutch_date(p['end_on'])}" if p.get("end_on") else ""
    promised = p.get("promised_contract_months")
    promise = (f"; belofte: contract van {promised} maanden zonder proeftijd"
               if promised is not None else "")
    return (f"{vocab.label(vocab.PLACEMENT_TYPES, p['kind'])}{where}, vanaf "
            f"{dutch_date(p['start_on'])}{end}{promise}")


def decision_fields() -> list[ChoiceField | TextField]:
    """The choice a phase may ask for on entering it (art. 60 fase 3), and its reason."""
    return [ChoiceField("decision", "Keuze", [("— kies —", BLANK)]),
            TextField("decision_reason", "Reden van de keuze", rows=2)]


def toggle_decision(f: FieldSet, d: Dossier | None, phase: Any) -> None:
    """Show the choice fields only for a phase that asks for a choice, with its options."""
    choices = (d.method.phase(str(phase)).choices
               if d is not None and phase in d.method.phase_codes else None)
    if choices:
        f["decision"].set_options([("— kies —", BLANK)] + [(v, k) for k, v in choices.items()])
    show(f["decision"], bool(choices))
    show(f["decision_reason"], bool(choices))


def decision_values(f: FieldSet, d: Dossier, phase: Any) -> dict[str, Any]:
    """The choice and its reason for ``change_phase`` (nothing for a phase without choice)."""
    if phase is None or phase not in d.method.phase_codes or not d.method.phase(
            str(phase)).choices:
        return {}
    return {"decision": f["decision"].get(), "decision_reason": f["decision_reason"].get()}


def is_closing(d: Dossier, phase: str | None) -> bool:
    """Tell whether moving a case to ``phase`` closes it."""
    return phase is not None and d.method.phase(phase).stage == "closed"


def check_outcome(sub: Submission, fields: FieldSet, outcome_key: str = "outcome",
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

    def __init__(self, app: CaseApp) -> None:
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
        w = d.method.words
        self.fields["participants"].relabel(self.fields["participants"].label,
                                            f"Bijv. {w.client}, {w.coach}, {w.case_manager}.")
        last = d.contacts[-8:][::-1]
        if last:
            self.recent.value = "<h4>Laatste contacten</h4>" + table_html(
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

    def __init__(self, app: CaseApp) -> None:
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
            self.done.value = "<h4>Afgehandeld</h4>" + table_html(
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

    def __init__(self, app: CaseApp) -> None:
        super().__init__(app, "tt-phase")
        self.fields = FieldSet([
            ChoiceField("to_phase", "Naar fase", [("— kies —", BLANK)], required=True),
            DateField("on", "Datum faseovergang", required=True),
            record_field("trajectories", "outcome", "choice", required=True,
                         options=choice_options(vocab.OUTCOMES)),
            record_field("trajectories", "outcome_reason", "area", rows=3),
            *decision_fields(),
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
        closing = d is not None and is_closing(d, self.fields["to_phase"].get())
        show(self.fields["outcome"], closing)
        show(self.fields["outcome_reason"], closing)
        toggle_decision(self.fields, d, self.fields["to_phase"].get())

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
        if is_closing(d, phase):
            outcome, reason = check_outcome(sub, f)

        choice = decision_values(f, d, phase)

        def write(tx: Tx) -> int:
            with sub.into(f, {"phase": "to_phase", "phase_since": "on"}):
                return tx.change_phase(d.trajectory_id, phase, on=day, outcome=outcome,
                                       outcome_reason=reason, expected_version=d.version,
                                       **choice)

        self.commit(sub, write, f"Faseovergang naar '{d.method.phase_label(str(phase))}'")


__all__ = [
    "KEEP_PHASE",
    "AgreementsPart",
    "ContactPart",
    "PhasePart",
    "check_outcome",
    "decision_fields",
    "decision_values",
    "is_closing",
    "placement_title",
    "table_html",
    "toggle_decision",
]
