"""Registration and intake of a case (method phases 1-2), for the job coach or case manager.

Steps: 1. Aanmelding (new client + trajectory + plan signatures, or editing them), 2. Intake
(intake conversation, barriers and referrals, ZRM, participatieladder, qualifications and skills,
wishes, network, action plan), 3. Intakerapport, and "Ander traject" (a motivated proposal for
another route, closing the trajectory). Each step is checked field by field and saved in one
transaction.

>>> from trajecttools.widgets.intake import intake_app   # doctest: +SKIP
>>> intake_app()                                         # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import ipywidgets as widgets

from trajecttools.core import validation, vocab
from trajecttools.core.dates import dutch_date, dutch_moment
from trajecttools.outputs.report import intake_report_fragment, intake_report_html
from trajecttools.reads.case.dossier import Dossier, listing, load_dossier
from trajecttools.register.transactions import Tx
from trajecttools.widgets.forms import (
    BLANK,
    CaseApp,
    CasePart,
    CheckField,
    DateField,
    FieldSet,
    MomentField,
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
from trajecttools.workspace import Workspace

CLIENT_KEYS = ("given_name", "family_name", "birth_date", "target_group", "education_level",
               "education_field", "postcode", "municipality", "region")
PLAN_KEYS = ("goals", "rules", "signed_case_manager_on", "signed_coach_on", "signed_client_on")
#: Record field names the store reports that belong to another field of the registration form.
REGISTRATION_ALIASES = {"assigned_at": "coach_assigned_at", "phase_since": "registered_at"}
REFERRAL_ALIASES = {"status": "referral_status"}
LEVEL_SKILLS = {
    "computer": ("computer", "Computervaardigheden"),
    **{f"basic_{code}": ("basic_work_skill", text)
       for code, text in vocab.BASIC_WORK_SKILLS.items()},
    "motivation": ("motivation", "Motivatie"),
}
INTAKE_KINDS = ("intake", "home_visit")


def _now_on(day: dt.date) -> dt.datetime:
    """Return ``day`` at the current time of day (minutes)."""
    return dt.datetime.combine(day, dt.datetime.now().time().replace(second=0, microsecond=0))


def _record_values(entity: str, row: Mapping[str, Any]) -> dict[str, Any]:
    """Return the values of a stored row that its record (validation model) knows."""
    fields = validation.RECORDS[entity].model_fields
    return {k: v for k, v in row.items() if k in fields}


def _changes(clean: Mapping[str, Any], stored: Mapping[str, Any],
             keys: tuple[str, ...] | list[str]) -> dict[str, Any]:
    """Return the clean values of ``keys`` that differ from the stored ones."""
    return {k: clean[k] for k in keys if clean.get(k) != stored.get(k)}


# -- 1. registration -------------------------------------------------------------------------


class RegistrationPart(CasePart):
    """New client and trajectory with the plan signatures; or editing them for an open case."""

    def __init__(self, app: IntakeApp) -> None:
        super().__init__(app, "tt-registration", needs_case=False)
        store = app.store
        self.fields = FieldSet([
            record_field("clients", "given_name"),
            record_field("clients", "family_name"),
            record_field("clients", "birth_date", "date"),
            record_field("clients", "target_group", "choice",
                         options=choice_options(vocab.TARGET_GROUPS)),
            record_field("clients", "education_level", "choice",
                         options=choice_options(vocab.EDUCATION_LEVELS)),
            record_field("clients", "education_field"),
            record_field("clients", "postcode", placeholder="1234 AB"),
            record_field("clients", "municipality"),
            record_field("clients", "region"),
            record_field("clients", "bsn", "secret", label="BSN (optioneel)",
                         hint="Wordt nooit getoond; alleen invullen om vast te leggen of "
                              "te wijzigen."),
            record_field("trajectories", "method", "choice",
                         options=[(m.name, code) for code, m in store.methods().items()]),
            record_field("trajectories", "registered_at", "moment",
                         label="Aanmelding (datum en tijd)"),
            record_field("trajectories", "coach_id", "choice", options=[("— nog niet —", BLANK)]),
            MomentField("coach_assigned_at", "Jobcoach toegewezen op",
                        hint="Leeg: het moment van aanmelding (bij een andere jobcoach: nu)."),
            record_field("trajectories", "case_manager_id", "choice",
                         options=[("— onbekend —", BLANK)]),
            record_field("trajectory_plans", "goals", "area"),
            record_field("trajectory_plans", "rules", "area",
                         hint="Bijv. de klant informeert de jobcoach, afspraken nakomen, "
                              "bereikbaar zijn."),
            record_field("trajectory_plans", "signed_case_manager_on", "date"),
            record_field("trajectory_plans", "signed_coach_on", "date"),
            record_field("trajectory_plans", "signed_client_on", "date"),
        ])
        f = self.fields
        if "opstapbaan" in store.methods():
            f["method"].default = "opstapbaan"
        self.mode = html_block("", "tt-mode")
        self.save_button = button("Aanmelden", kind="primary", css="tt-save tt-save-registration")
        self.save_button.on_click(guarded(self.status, "Opslaan aanmelding")(
            lambda _b: self.save()))
        self.build([
            self.mode,
            section("Klant", [grid(f.widgets(*CLIENT_KEYS, "bsn"))], "tt-client"),
            section("Traject", [grid(f.widgets("method", "registered_at", "coach_id",
                                                "coach_assigned_at", "case_manager_id"))],
                    "tt-trajectory"),
            section("Trajectplan", [grid(f.widgets(*PLAN_KEYS))], "tt-plan",
                    intro="Het trajectplan wordt ondertekend door casemanager, jobcoach en klant."),
            self.stale,
            savebar(self.save_button, self.status),
        ])

    def fieldsets(self) -> list[FieldSet]:
        return [self.fields]

    def _staff_options(self, d: Dossier | None) -> None:
        store, f = self.app.store, self.fields
        current = d.trajectory.get("coach_id") if d else None
        coaches = [c for c in listing(store, "coaches", ["name", "code", "active"])
                   if c["active"] or c["id"] == current]
        f["coach_id"].set_options(
            [("— nog niet —", BLANK)] + [(f"{c['name']} ({c['code']})", c["id"]) for c in coaches]
        )
        managers = listing(store, "case_managers", ["name", "organisation"])
        f["case_manager_id"].set_options(
            [("— onbekend —", BLANK)]
            + [(f"{m['name']} – {m['organisation']}", m["id"]) for m in managers]
        )

    def load(self, d: Dossier | None) -> None:
        f = self.fields
        self._staff_options(d)
        f.reset()
        new = d is None
        f["method"].disabled = not new
        f["registered_at"].disabled = not new
        if new:
            f["registered_at"].set(_now_on(self.app.today))
            self.mode.value = ("<p><b>Nieuwe aanmelding.</b> Vul de klant, het traject en de "
                               "handtekeningen van het trajectplan in. Velden met * zijn "
                               "verplicht.</p>")
            self.save_button.description = "Aanmelden"
            f["bsn"].caption.value = '<span class="tt-label">BSN (optioneel)</span>'
            return
        assert d is not None
        f.load({**d.client, **d.trajectory, **(d.plan or {})})
        f["coach_assigned_at"].set(None)
        self.mode.value = (f"<p><b>Gegevens van {esc(d.display_name)} wijzigen.</b> Methode en "
                           "aanmelding liggen vast. Wijzigingen worden pas opgeslagen met de "
                           "knop onderaan.</p>")
        self.save_button.description = "Wijzigingen opslaan"
        bsn_state = "vastgelegd" if d.has_bsn else "niet vastgelegd"
        f["bsn"].caption.value = f'<span class="tt-label">BSN ({bsn_state})</span>'

    def _client(self) -> dict[str, Any]:
        values = self.fields.values(*CLIENT_KEYS)
        bsn = self.fields["bsn"].get()
        if bsn is not None:
            values["bsn"] = bsn
        return values

    def _plan(self) -> dict[str, Any]:
        return self.fields.values(*PLAN_KEYS)

    def save(self) -> None:
        """Check the whole form and save it in one transaction (register or edit)."""
        if self.dossier is None:
            self._register()
        else:
            self._edit(self.dossier)

    def _register(self) -> None:
        sub = self.submission()
        f = self.fields
        client = self._client()
        sub.validate(f, "clients", client)
        method = sub.require(f["method"])
        registered = sub.date(f["registered_at"], required=True)
        assigned = sub.date(f["coach_assigned_at"])
        coach, manager = f["coach_id"].get(), f["case_manager_id"].get()
        if assigned is not None and coach is None:
            sub.fail(f["coach_assigned_at"], "kan alleen met een gekozen jobcoach")
        if method is not None and registered is not None:
            sub.validate(f, "trajectories", {
                "client_id": 0, "method": method, "registered_at": registered,
                "case_manager_id": manager, "phase": "registration",
                "phase_since": registered.date(),
            }, REGISTRATION_ALIASES)
        plan = self._plan()
        sub.validate(f, "trajectory_plans", {"trajectory_id": 0, **plan})

        def write(tx: Tx) -> int:
            with sub.into(f, REGISTRATION_ALIASES):
                return tx.register(client, method=method, registered_at=registered,
                                   case_manager_id=manager, coach_id=coach,
                                   coach_assigned_at=assigned, plan=plan)

        saved, tid = self.commit(sub, write, "Aanmelding")
        if saved and tid is not None:
            self.status.ok(self.status.message + f" Dossier {self.app.dossier.display_name} is "
                           "aangemaakt; ga verder met stap 2 (Intake).")

    def _edit(self, d: Dossier) -> None:
        sub = self.submission()
        f = self.fields
        stored_client = _record_values("clients", d.client)
        form_client = self._client()
        clean = sub.validate(f, "clients", {**stored_client, **form_client})
        client_changes = _changes(clean, d.client, CLIENT_KEYS) if clean else {}
        if clean and "bsn" in form_client:
            client_changes["bsn"] = clean["bsn"]
        coach, manager = f["coach_id"].get(), f["case_manager_id"].get()
        old_coach = d.trajectory.get("coach_id")
        assigned = sub.date(f["coach_assigned_at"])
        if coach is None and old_coach is not None:
            sub.fail(f["coach_id"], "kan niet leeg worden gemaakt; kies een andere jobcoach")
        plan_stored = _record_values("trajectory_plans", d.plan or {})
        plan_form = self._plan()
        plan_clean = sub.validate(f, "trajectory_plans",
                                  {**plan_stored, **plan_form, "trajectory_id": d.trajectory_id})
        plan_changes = _changes(plan_clean, d.plan or {}, PLAN_KEYS) if plan_clean else {}

        coach_changed = coach is not None and coach != old_coach
        manager_changed = manager != d.trajectory.get("case_manager_id")
        if sub.ok and not (client_changes or coach_changed or manager_changed or plan_changes):
            self.status.info("Er is niets gewijzigd.")
            return

        def write(tx: Tx) -> int:
            version: int | None = d.version
            if client_changes:
                with sub.into(f):
                    tx.update("clients", d.client_id, client_changes,
                              expected_version=int(d.client["version"]))
            if manager_changed:
                with sub.into(f):
                    tx.update("trajectories", d.trajectory_id, {"case_manager_id": manager},
                              expected_version=version)
                version = None
            if coach_changed:
                with sub.into(f, REGISTRATION_ALIASES):
                    tx.assign_coach(d.trajectory_id, coach,
                                    at=assigned or _now_on(self.app.today),
                                    reason="Gewijzigd in het aanmeldformulier",
                                    expected_version=version)
            if plan_changes and d.plan is not None:
                with sub.into(f):
                    tx.sign_plan(d.trajectory_id, plan_changes,
                                 expected_version=int(d.plan["version"]))
            return d.trajectory_id

        self.commit(sub, write, "Wijziging aanmelding")


# -- 2. intake -------------------------------------------------------------------------------


def _barrier_row(rows: RowList, record: Mapping[str, Any] | None) -> Row:
    fields = [
        record_field("barriers", "domain", "choice",
                     options=choice_options(vocab.BARRIER_DOMAINS)),
        record_field("barriers", "severity", "choice",
                     options=choice_options(vocab.BARRIER_SEVERITIES)),
        record_field("barriers", "status", "choice",
                     options=choice_options(vocab.BARRIER_STATUSES, blank=None)),
        record_field("barriers", "resolved_on", "date"),
        record_field("barriers", "notes", "area", rows=2),
        record_field("referrals", "agency", required=False,
                     hint="Leeg als er niet is doorverwezen."),
        record_field("referrals", "referred_on", "date", required=False),
        record_field("referrals", "last_followed_up_on", "date",
                     label="Laatst opgevolgd op"),
        record_field("referrals", "status", "choice", key="referral_status",
                     label="Status doorverwijzing",
                     options=choice_options(vocab.REFERRAL_STATUSES, blank=None)),
    ]
    title = "Nieuwe belemmering"
    if record is not None:
        title = (f"{vocab.label(vocab.BARRIER_DOMAINS, record['domain'])} "
                 f"(gesignaleerd {dutch_date(record['noted_on'])})")
    row = Row(title, fields, record=record, on_remove=rows.remove, css="tt-barrier")
    if record is not None:
        referral = (record.get("referrals") or [{}])[-1]
        row.fields.load({**record, **{k: v for k, v in referral.items()
                                      if k in ("agency", "referred_on", "last_followed_up_on")},
                         "referral_status": referral.get("status")})
        row.extra["referral"] = referral or None
    return row


def _diploma_row(rows: RowList, record: Mapping[str, Any] | None) -> Row:
    kinds = {k: vocab.SKILL_KINDS[k] for k in ("diploma", "certificate", "work_experience")}
    fields = [
        record_field("skills", "kind", "choice", options=choice_options(kinds, blank=None)),
        record_field("skills", "name", placeholder="Bijv. mbo-2 Logistiek, VCA, 2 jaar magazijn"),
    ]
    return Row("Diploma, certificaat of werkervaring", fields, record=record,
               on_remove=rows.remove, css="tt-diploma")


def _language_row(rows: RowList, record: Mapping[str, Any] | None) -> Row:
    fields = [
        record_field("skills", "name", label="Taal", placeholder="Bijv. Nederlands"),
        record_field("skills", "level", "choice",
                     options=choice_options(vocab.SKILL_LEVELS, numbered=True)),
    ]
    return Row("Taal", fields, record=record, on_remove=rows.remove, css="tt-language")


def _network_row(rows: RowList, record: Mapping[str, Any] | None) -> Row:
    fields = [
        record_field("network_members", "relation", "choice",
                     options=choice_options(vocab.NETWORK_RELATIONS)),
        record_field("network_members", "involved", "check", default=True),
        record_field("network_members", "note", "area", rows=2,
                     label="Toelichting (wie, wat kan deze persoon betekenen)"),
    ]
    return Row("Netwerklid", fields, record=record, on_remove=rows.remove, css="tt-network")


def agreement_row(rows: RowList, record: Mapping[str, Any] | None) -> Row:
    """Return an editable new agreement (what, who, due) for a list of agreements."""
    fields = [
        record_field("agreements", "what", wide=True,
                     placeholder="Wat wordt er gedaan vóór het volgende contact?"),
        record_field("agreements", "who", "choice",
                     options=choice_options(vocab.AGREEMENT_PARTIES)),
        record_field("agreements", "due_on", "date"),
    ]
    return Row("Afspraak", fields, record=record, on_remove=rows.remove, css="tt-agreement")


class IntakePart(CasePart):
    """The intake: conversation, barriers, ZRM, ladder, skills, wishes, network, action plan."""

    def __init__(self, app: IntakeApp) -> None:
        super().__init__(app, "tt-intake-form")
        self.contact = FieldSet([
            record_field("contacts", "held_on", "date", label="Datum intakegesprek"),
            record_field("contacts", "kind", "choice",
                         options=[(vocab.CONTACT_KINDS[k], k) for k in INTAKE_KINDS]),
            record_field("contacts", "location",
                         hint="Bij voorkeur bij de klant thuis, anders in de wijk."),
            record_field("contacts", "participants",
                         hint="Bijv. klant, moeder, jobcoach (een familielid of goede vriend)."),
            record_field("contacts", "notes", "area", rows=4,
                         label="Verslag: eerste diagnose van mogelijkheden en belemmeringen"),
            CheckField("to_intake", "Traject naar de fase Intake zetten op de intakedatum"),
        ])
        self.barriers = RowList("", _barrier_row, add_label="Belemmering toevoegen",
                                css="barriers", empty="Nog geen belemmeringen.")
        self.zrm = FieldSet([
            record_field("zrm_assessments", code, "choice", key=code, label=text,
                         options=choice_options(vocab.ZRM_LEVELS, numbered=True,
                                                blank="— niet gemeten —"))
            for code, text in vocab.ZRM_DOMAINS.items()
        ])
        self.zrm_note = html_block("", "tt-hint")
        self.ladder = FieldSet([
            record_field("ladder_steps", "rung", "choice", label="Trede op de participatieladder",
                         required=False,
                         options=choice_options(vocab.LADDER_RUNGS, numbered=True,
                                                blank="— niet bepaald —")),
        ])
        levels = choice_options(vocab.SKILL_LEVELS, numbered=True, blank="— niet beoordeeld —")
        self.skills = FieldSet([
            record_field("skills", "driving_licence", "check", key="driving_licence",
                         label="Rijbewijs", required=False),
            record_field("skills", "name", key="driving_category",
                         label="Rijbewijs: categorie", required=False, placeholder="Bijv. B"),
            *[record_field("skills", "level", "choice", key=key, label=text, options=levels)
              for key, (_, text) in LEVEL_SKILLS.items()],
        ])
        self.diplomas = RowList("Diploma's, certificaten en werkervaring", _diploma_row,
                                add_label="Diploma of werkervaring toevoegen", css="diplomas")
        self.languages = RowList("Talen", _language_row, add_label="Taal toevoegen",
                                 css="languages")
        self.skills_note = html_block("", "tt-summary")
        self.wishes = FieldSet([
            record_field("clients", "wishes", "area", rows=3,
                         label="Wensen van de klant (werk, uren, omgeving)"),
            record_field("clients", "preferred_hours", "number", placeholder="0-40"),
            record_field("clients", "preferred_sectors", "multi", codes=vocab.SECTORS),
        ])
        self.network = RowList("", _network_row, add_label="Netwerklid toevoegen",
                               css="network")
        self.network_note = html_block("", "tt-summary")
        self.plan = RowList("", agreement_row, add_label="Afspraak toevoegen",
                            css="action-plan", empty="Nog geen afspraken.")
        self.save_button = button("Intake opslaan", kind="primary", css="tt-save tt-save-intake")
        self.save_button.on_click(guarded(self.status, "Opslaan intake")(lambda _b: self.save()))
        c = self.contact
        self.build([
            section("Intakegesprek", [grid(c.widgets("held_on", "kind", "location",
                                                      "participants", "notes", "to_intake"))],
                    "tt-intake-contact",
                    intro="Uiterlijk 2 weken na ondertekening van het trajectplan."),
            section("Belemmeringen en doorverwijzingen", [self.barriers], "tt-barriers",
                    intro="Per leefgebied: hoe ernstig, en naar wie doorverwezen. De jobcoach "
                          "blijft een doorverwijzing opvolgen."),
            section("Zelfredzaamheidsmatrix (ZRM)", [self.zrm_note, grid(self.zrm.widgets())],
                    "tt-zrm"),
            section("Participatieladder", [grid(self.ladder.widgets(), "420px")], "tt-ladder"),
            section("Kwalificaties en vaardigheden", [
                self.skills_note, self.diplomas,
                grid(self.skills.widgets("driving_licence", "driving_category")),
                self.languages,
                html_block("<h4>Computer- en basiswerknemersvaardigheden, motivatie</h4>"),
                grid(self.skills.widgets(*LEVEL_SKILLS)),
            ], "tt-skills"),
            section("Wensen en voorkeurssectoren", [grid(self.wishes.widgets())], "tt-wishes"),
            section("Netwerk en ouders", [self.network_note, self.network], "tt-network-part",
                    intro="Betrek het netwerk (bij jongeren de ouders) vroeg in het traject."),
            section("Actieplan", [self.plan], "tt-action-plan",
                    intro="Afspraken uit de intake: wat, wie en wanneer."),
            self.stale,
            savebar(self.save_button, self.status),
        ])

    def fieldsets(self) -> list[FieldSet]:
        rows = [*self.barriers.rows, *self.diplomas.rows, *self.languages.rows,
                *self.network.rows, *self.plan.rows]
        return [self.contact, self.zrm, self.ladder, self.skills, self.wishes,
                *[r.fields for r in rows]]

    def _target_intake_phase(self, d: Dossier) -> str | None:
        if d.method.phase(d.phase).stage != "registration":
            return None
        return d.next_in_stage("intake")

    def load(self, d: Dossier | None) -> None:
        for fs in (self.contact, self.zrm, self.ladder, self.skills, self.wishes):
            fs.reset()
        for lst in (self.diplomas, self.languages, self.network, self.plan):
            lst.clear()
        if d is None:
            self.barriers.clear()
            return
        self.contact["held_on"].set(self.app.today)
        target = self._target_intake_phase(d)
        to_intake = self.contact["to_intake"]
        show(to_intake, target is not None)
        to_intake.set(target is not None)
        if target is not None:
            to_intake.control.description = (
                f"Traject naar de fase '{d.method.phase_label(target)}' zetten op de intakedatum"
            )
        self.barriers.load(d.barriers)
        latest = d.latest_zrm
        if latest is not None:
            self.zrm.load(latest)
            self.zrm_note.value = (f"Ingevuld met de laatste meting van "
                                   f"{dutch_date(latest['assessed_on'])}. Alleen een gewijzigde "
                                   "matrix wordt als nieuwe meting opgeslagen.")
        else:
            self.zrm_note.value = "Score per domein: 1 (acute problematiek) tot 5 (volledig " \
                                  "zelfredzaam)."
        ladder = d.latest_ladder
        if ladder is not None:
            self.ladder["rung"].set(ladder["rung"])
        self.wishes.load(d.client)
        self.skills_note.value = _summary(
            "Eerder vastgelegd",
            ["Soort", "Omschrijving", "Niveau", "Vastgelegd"],
            [[vocab.label(vocab.SKILL_KINDS, s["kind"]), s["name"],
              vocab.label(vocab.SKILL_LEVELS, s["level"]) if s.get("level") else "",
              dutch_date(s["recorded_on"])] for s in d.skills],
        )
        self.network_note.value = _summary(
            "Eerder vastgelegd",
            ["Relatie", "Betrokken", "Toelichting"],
            [[vocab.label(vocab.NETWORK_RELATIONS, n["relation"]),
              "ja" if n["involved"] else "nee", n.get("note") or ""] for n in d.network],
        )

    def save(self) -> None:
        """Check the whole intake and save it in one transaction."""
        d = self.dossier
        assert d is not None, "geen dossier geopend"
        sub = self.submission()
        tid, cid, today = d.trajectory_id, d.client_id, self.app.today
        c = self.contact
        held = sub.date(c["held_on"], required=True)
        day = held or today  # dependent records are checked with a valid date
        contact = sub.validate(c, "contacts", {
            "trajectory_id": tid, "kind": c["kind"].get(), "held_on": c["held_on"].get(),
            "location": c["location"].get(), "participants": c["participants"].get(),
            "notes": c["notes"].get(), "coach_id": d.trajectory.get("coach_id"),
        })
        barrier_ops = [self._check_barrier(sub, row, tid, day) for row in self.barriers.rows]
        zrm = self._check_zrm(sub, d, tid, day)
        ladder = self._check_ladder(sub, d, tid, day)
        skills = self._check_skills(sub, cid, day)
        client_changes = self._check_wishes(sub, d)
        network = [
            (row, sub.validate(row.fields, "network_members", {
                "client_id": cid, **row.fields.values("relation", "involved", "note")}))
            for row in self.network.rows
        ]
        agreements = [
            (row, sub.validate(row.fields, "agreements", {
                "trajectory_id": tid, **row.fields.values("what", "who", "due_on")}))
            for row in self.plan.rows
        ]
        target = self._target_intake_phase(d) if c["to_intake"].get() else None

        def write(tx: Tx) -> int:
            assert contact is not None
            with sub.into(c):
                contact_id = tx.add("contacts", contact)
            for op in barrier_ops:
                self._write_barrier(tx, sub, *op)
            if zrm is not None:
                with sub.into(self.zrm):
                    tx.add("zrm_assessments", zrm)
            if ladder is not None:
                with sub.into(self.ladder):
                    tx.add("ladder_steps", ladder)
            for fs, values, aliases in skills:
                with sub.into(fs, aliases):
                    tx.add("skills", values)
            if client_changes:
                with sub.into(self.wishes):
                    tx.update("clients", cid, client_changes,
                              expected_version=int(d.client["version"]))
            for row, member in network:
                with sub.into(row.fields):
                    tx.add("network_members", member or {})
            for row, agreement in agreements:
                with sub.into(row.fields):
                    tx.add("agreements", {**(agreement or {}), "contact_id": contact_id})
            if target is not None:
                with sub.into(c, {"phase_since": "held_on"}):
                    tx.change_phase(tid, target, on=held, expected_version=d.version)
            return tid

        self.commit(sub, write, "Intake")

    def _check_barrier(self, sub: Submission, row: Row, tid: int,
                       day: dt.date) -> tuple[Row, dict[str, Any], dict[str, Any] | None]:
        f = row.fields
        keys = ("domain", "severity", "status", "resolved_on", "notes")
        stored = _record_values("barriers", row.record or {})
        values = {**stored, "trajectory_id": tid, **f.values(*keys)}
        if row.record is None:
            values["noted_on"] = day
        clean = sub.validate(f, "barriers", values) or {}
        referral_keys = ("agency", "referred_on", "last_followed_up_on")
        ref_values = {**f.values(*referral_keys), "status": f["referral_status"].get()}
        existing = row.extra.get("referral")
        ref_clean: dict[str, Any] | None = None
        if existing or any(ref_values[k] is not None for k in referral_keys):
            ref_clean = sub.validate(f, "referrals", {"barrier_id": 0, **ref_values},
                                     REFERRAL_ALIASES)
        return row, clean, ref_clean

    def _write_barrier(self, tx: Tx, sub: Submission, row: Row, clean: dict[str, Any],
                       referral: dict[str, Any] | None) -> None:
        keys = ["domain", "severity", "status", "resolved_on", "notes"]
        with sub.into(row.fields):
            if row.record is None:
                barrier_id = tx.add("barriers", clean)
            else:
                barrier_id = int(row.record["id"])
                changes = _changes(clean, row.record, keys)
                if changes:
                    tx.update("barriers", barrier_id, changes,
                              expected_version=int(row.record["version"]))
        if referral is None:
            return
        existing = row.extra.get("referral")
        with sub.into(row.fields, REFERRAL_ALIASES):
            if existing:
                changes = _changes(referral, existing,
                                   ["agency", "referred_on", "last_followed_up_on", "status"])
                if changes:
                    tx.update("referrals", int(existing["id"]), changes,
                              expected_version=int(existing["version"]))
            else:
                tx.add("referrals", {**referral, "barrier_id": barrier_id})

    def _check_zrm(self, sub: Submission, d: Dossier, tid: int,
                   day: dt.date) -> dict[str, Any] | None:
        scores = self.zrm.values()
        if all(v is None for v in scores.values()):
            return None
        latest = d.latest_zrm
        if latest is not None and all(latest.get(k) == v for k, v in scores.items()):
            return None
        return sub.validate(self.zrm, "zrm_assessments",
                            {"trajectory_id": tid, "assessed_on": day, **scores})

    def _check_ladder(self, sub: Submission, d: Dossier, tid: int,
                      day: dt.date) -> dict[str, Any] | None:
        rung = self.ladder["rung"].get()
        latest = d.latest_ladder
        if rung is None or (latest is not None and latest["rung"] == rung):
            return None
        return sub.validate(self.ladder, "ladder_steps",
                            {"trajectory_id": tid, "assessed_on": day, "rung": rung})

    def _check_skills(self, sub: Submission, cid: int,
                      day: dt.date) -> list[tuple[FieldSet, dict[str, Any], dict[str, str]]]:
        out: list[tuple[FieldSet, dict[str, Any], dict[str, str]]] = []

        def check(fs: FieldSet, values: dict[str, Any], aliases: dict[str, str]) -> None:
            clean = sub.validate(fs, "skills",
                                 {"client_id": cid, "recorded_on": day, **values}, aliases)
            if clean is not None:
                out.append((fs, clean, aliases))

        for row in self.diplomas.rows:
            check(row.fields, row.fields.values("kind", "name"), {})
        for row in self.languages.rows:
            check(row.fields, {"kind": "language", **row.fields.values("name", "level")}, {})
        s = self.skills
        category = s["driving_category"].get()
        if s["driving_licence"].get() or category:
            name = f"Rijbewijs {category}" if category else "Rijbewijs"
            check(s, {"kind": "driving_licence", "name": name}, {"name": "driving_category"})
        for key, (kind, text) in LEVEL_SKILLS.items():
            level = s[key].get()
            if level is not None:
                check(s, {"kind": kind, "name": text, "level": level}, {"level": key})
        return out

    def _check_wishes(self, sub: Submission, d: Dossier) -> dict[str, Any]:
        stored = _record_values("clients", d.client)
        form = self.wishes.values("wishes", "preferred_hours", "preferred_sectors")
        clean = sub.validate(self.wishes, "clients", {**stored, **form})
        if clean is None:
            return {}
        changes = _changes(clean, d.client, ["wishes", "preferred_hours"])
        if sorted(clean.get("preferred_sectors") or []) != sorted(
            d.client.get("preferred_sectors") or []
        ):
            changes["preferred_sectors"] = clean.get("preferred_sectors")
        return changes


def _summary(title: str, headers: list[str], rows: list[list[Any]]) -> str:
    if not rows:
        return ""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<h4>{esc(title)}</h4><table><tr>{head}</tr>{body}</table>"


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
        self.build([
            section("Ander traject voorstellen", [self.explain, grid(self.fields.widgets())],
                    "tt-other-route-form",
                    intro="Blijkt bij de intake dat de klant niet in dit traject kan starten, "
                          "dan doet de jobcoach een gemotiveerd voorstel voor een ander traject "
                          "gericht op werk. Het traject wordt dan afgesloten met de uitkomst "
                          "'Ander traject'."),
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
        coach = (d.coach or {}).get("name") or "nog geen jobcoach"
        closed = ""
        if d.closed:
            closed = (f" — afgesloten ({esc(vocab.label(vocab.OUTCOMES, d.trajectory['outcome']))}"
                      ")")
        return (f"<p><b>{esc(d.display_name)}</b> — {esc(d.method.name)} — fase "
                f"<b>{esc(d.phase_label)}</b> sinds {dutch_date(d.trajectory['phase_since'])}"
                f"{closed} — jobcoach {esc(coach)} — aangemeld "
                f"{dutch_moment(d.trajectory['registered_at'])}</p>")


def intake_app(store: Workspace | None = None, *, actor: str | None = None,
               today: dt.date | None = None) -> widgets.Widget:
    """Return the registration and intake forms of a register.

    ``store`` None opens the register named by ``TRAJECTTOOLS_DATABASE_URL`` (or the default
    file). ``actor`` is who the audit log names (None: the register's user); ``today`` fixes
    the date used for defaults and checks (None: the register's today).
    """
    return build_app(IntakeApp, store, actor, today)


__all__ = ["IntakeApp", "agreement_row", "intake_app"]
