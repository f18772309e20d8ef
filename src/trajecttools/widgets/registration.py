"""Step 1 of the intake app: registering a new client and trajectory, or editing them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from trajecttools.core import validation, vocab
from trajecttools.core.method import shared_word
from trajecttools.outputs.report.document import esc
from trajecttools.reads.case.dossier import Dossier, listing
from trajecttools.register.bsn import rrn_enabled
from trajecttools.register.transactions import Tx
from trajecttools.widgets.case_app import CaseApp, CasePart
from trajecttools.widgets.fields import (
    BLANK,
    FieldSet,
    MomentField,
    choice_options,
    grid,
    record_field,
    section,
)
from trajecttools.widgets.panels import savebar
from trajecttools.widgets.toolkit import button, guarded, html_block, is_shown, show

CLIENT_KEYS = ("given_name", "family_name", "birth_date", "target_group", "education_level",
               "education_field", "left_school_on", "postcode", "municipality", "region")
PLAN_KEYS = ("goals", "rules", "signed_case_manager_on", "signed_coach_on", "signed_client_on")
#: Record field names the store reports that belong to another field of the registration form.
REGISTRATION_ALIASES = {"assigned_at": "coach_assigned_at", "phase_since": "registered_at"}


def _now_on(day: dt.date) -> dt.datetime:
    """Return ``day`` at the current time of day (minutes)."""
    return dt.datetime.combine(day, dt.datetime.now().time().replace(second=0, microsecond=0))


def record_values(entity: str, row: Mapping[str, Any]) -> dict[str, Any]:
    """Return the values of a stored row that its record (validation model) knows."""
    fields = validation.RECORDS[entity].model_fields
    return {k: v for k, v in row.items() if k in fields}


def changed_values(clean: Mapping[str, Any], stored: Mapping[str, Any],
                   keys: tuple[str, ...] | list[str]) -> dict[str, Any]:
    """Return the clean values of ``keys`` that differ from the stored ones."""
    return {k: clean[k] for k in keys if clean.get(k) != stored.get(k)}


# -- 1. registration -------------------------------------------------------------------------


class RegistrationPart(CasePart):
    """New client and trajectory with the plan signatures; or editing them for an open case."""

    def __init__(self, app: CaseApp) -> None:
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
            record_field("clients", "left_school_on", "date",
                         hint="Bij jongeren: de dag van schoolverlaten (tijd van school tot "
                              "werk). Leeg als onbekend."),
            record_field("clients", "postcode", placeholder="1234 AB"),
            record_field("clients", "municipality"),
            record_field("clients", "region"),
            record_field("clients", "bsn", "secret", label="BSN (optioneel)",
                         hint="Wordt nooit getoond; alleen invullen om vast te leggen of "
                              "te wijzigen."),
            record_field("clients", "national_register_number", "secret",
                         label="Rijksregisternummer (optioneel)",
                         hint="JJ.MM.DD-xxx.cc; wordt nooit getoond."),
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
        f["method"].control.observe(guarded(self.status, "Methode kiezen")(
            lambda _c: self._identifier_fields(f["method"].get())), "value")
        self.method_code: str | None = f["method"].get()
        self.client_section = section(
            "Klant", [grid(f.widgets(*CLIENT_KEYS, "bsn", "national_register_number"))],
            "tt-client")
        self.plan_section = section(
            "Trajectplan", [grid(f.widgets(*PLAN_KEYS))], "tt-plan",
            intro="Het trajectplan wordt ondertekend door casemanager, jobcoach en klant.")
        self.build([
            self.mode,
            self.client_section,
            section("Traject", [grid(f.widgets("method", "registered_at", "coach_id",
                                                "coach_assigned_at", "case_manager_id"))],
                    "tt-trajectory"),
            self.plan_section,
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

    def word(self, name: str) -> str:
        """A word (``coach``, ``client``...) of the method chosen in the form; no method
        chosen: the word all methods share, else a neutral one."""
        methods, method = self.app.store.methods(), self.method_code
        return shared_word([methods[method]] if method in methods else methods.values(), name)

    def _method_words(self) -> None:
        """Label the form in the words of the chosen method (jobcoach or trajectbegeleider,
        klant or cliënt, casemanager or maatschappelijk werker)."""
        f = self.fields
        coach, client, manager = self.word("coach"), self.word("client"), self.word("case_manager")
        self.client_section.children[0].value = f"<h3>{esc(_capital(client))}</h3>"
        self.plan_section.children[1].value = esc(
            f"Het trajectplan wordt ondertekend door {manager}, {coach} en {client}.")
        f["coach_id"].relabel(_capital(coach))
        f["coach_assigned_at"].relabel(
            f"{_capital(coach)} toegewezen op",
            f"Leeg: het moment van aanmelding (bij een andere {coach}: nu).")
        f["case_manager_id"].relabel(_capital(manager))
        f["rules"].relabel(f["rules"].label, f"Bijv. de {client} informeert de {coach}, "
                           "afspraken nakomen, bereikbaar zijn.")
        f["signed_case_manager_on"].relabel(f"Getekend door {manager}")
        f["signed_coach_on"].relabel(f"Getekend door {coach}")
        f["signed_client_on"].relabel(f"Getekend door {client}")
        if self.dossier is None:
            self.mode.value = (f"<p><b>Nieuwe aanmelding.</b> Vul de {esc(client)}, het traject "
                               "en de handtekeningen van het trajectplan in. Velden met * zijn "
                               "verplicht.</p>")

    def _identifier_fields(self, method: str | None) -> None:
        """Ask for the identifier of the chosen method only: the BSN, or (where the register
        switched it on) the rijksregisternummer; art. 60 asks no BSN."""
        self.method_code = method
        methods = self.app.store.methods()
        word = methods[method].words.identifier if method in methods else "BSN"
        show(self.fields["bsn"], word == "BSN")
        show(self.fields["national_register_number"],
             word == "rijksregisternummer" and rrn_enabled(self.app.store))
        self._method_words()

    def load(self, d: Dossier | None) -> None:
        f = self.fields
        self._staff_options(d)
        f.reset()
        self._identifier_fields(d.trajectory.get("method") if d else f["method"].get())
        new = d is None
        f["method"].disabled = not new
        f["registered_at"].disabled = not new
        if new:
            f["registered_at"].set(_now_on(self.app.today))
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
        for key in ("bsn", "national_register_number"):
            value = self.fields[key].get() if is_shown(self.fields[key]) else None
            if value is not None:
                values[key] = value
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
            sub.fail(f["coach_assigned_at"], f"kan alleen met een gekozen {self.word('coach')}")
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
        stored_client = record_values("clients", d.client)
        form_client = self._client()
        clean = sub.validate(f, "clients", {**stored_client, **form_client})
        client_changes = changed_values(clean, d.client, CLIENT_KEYS) if clean else {}
        for key in ("bsn", "national_register_number"):
            if clean and key in form_client:
                client_changes[key] = clean[key]
        coach, manager = f["coach_id"].get(), f["case_manager_id"].get()
        old_coach = d.trajectory.get("coach_id")
        assigned = sub.date(f["coach_assigned_at"])
        if coach is None and old_coach is not None:
            sub.fail(f["coach_id"],
                     f"kan niet leeg worden gemaakt; kies een andere {self.word('coach')}")
        plan_stored = record_values("trajectory_plans", d.plan or {})
        plan_form = self._plan()
        plan_clean = sub.validate(f, "trajectory_plans",
                                  {**plan_stored, **plan_form, "trajectory_id": d.trajectory_id})
        plan_changes = changed_values(plan_clean, d.plan or {}, PLAN_KEYS) if plan_clean else {}

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


def _capital(word: str) -> str:
    return word[:1].upper() + word[1:]


__all__ = ["RegistrationPart", "changed_values", "record_values"]
