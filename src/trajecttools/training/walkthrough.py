"""The walkthrough: one synthetic client's route through a method, one step a call."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd

from trajecttools.core import vocab
from trajecttools.core.dates import parse_as_of
from trajecttools.core.errors import TrajecttoolsError
from trajecttools.outputs.report import end_report_fragment, intake_report_fragment
from trajecttools.reads import matching
from trajecttools.reads.case.dossier import load_dossier
from trajecttools.reads.matching import decisions
from trajecttools.reads.signals import signals as method_signals
from trajecttools.register.transactions import Tx
from trajecttools.training.charts import code_label, day_axis, limit_text, zrm_chart
from trajecttools.training.step import Step, nl_date, svg
from trajecttools.workspace import Workspace

#: The organisation every walkthrough starts with (all fictional).
_EMPLOYERS: tuple[dict[str, Any], ...] = (
    {"name": "Werkbedrijf Maasstad", "sector": "packaging", "municipality": "Rotterdam",
     "region": "Rijnmond", "social_work_company": True},
    {"name": "Fietsenstalling Centraal", "sector": "bicycle", "municipality": "Rotterdam",
     "region": "Rijnmond", "inclusive": True},
    {"name": "Groenbedrijf De Linde", "sector": "green", "municipality": "Schiedam",
     "region": "Rijnmond", "inclusive": True},
    {"name": "Logistiek Waalhaven", "sector": "logistics", "municipality": "Rotterdam",
     "region": "Rijnmond"},
)
_VACANCIES: tuple[dict[str, Any], ...] = (
    {"employer": 1, "title": "Medewerker fietsenstalling", "sector": "bicycle",
     "education_level": "mbo1", "hours_per_week": 32, "municipality": "Rotterdam",
     "region": "Rijnmond", "required_skills": ["Op tijd komen"], "positions": 1},
    {"employer": 2, "title": "Medewerker groenonderhoud", "sector": "green",
     "education_level": "mbo2", "hours_per_week": 36, "municipality": "Schiedam",
     "region": "Rijnmond", "positions": 2},
    {"employer": 3, "title": "Chauffeur-magazijnmedewerker", "sector": "logistics",
     "education_level": "mbo2", "hours_per_week": 38, "municipality": "Rotterdam",
     "region": "Rijnmond", "driving_licence_required": True, "positions": 1},
)
_ZRM_START = {"finances": 2, "work_education": 2, "time_use": 2, "housing": 4,
              "domestic_relations": 3, "mental_health": 3, "physical_health": 4,
              "substance_use": 5, "basic_adl": 5, "instrumental_adl": 3, "social_network": 3,
              "social_participation": 2, "justice": 5}
_ZRM_END = {**_ZRM_START, "finances": 3, "work_education": 4, "time_use": 4,
            "social_participation": 4, "instrumental_adl": 4}

#: A peildatum in each phase of the art. 60 route, as the MDO would look (last step's table).
ART60_CHECKS: tuple[tuple[str, str], ...] = (
    ("14-04-2023", "exploration"), ("30-05-2023", "mapping"), ("12-06-2023", "employment"),
    ("15-01-2025", "guidance"), ("25-06-2025", "end_art60"), ("15-08-2025", "closed"))


class Walkthrough:
    """One fictional client's route through a method, on a fresh register, one step a call.

    ``method`` is ``"opstapbaan"`` (“Traject Work-2-Gether”) or ``"art60"`` (OCMW, Flanders,
    “Trajectbegeleiding in vijf fasen”; both in docs/sources.md). ``path`` None keeps the register
    in a temporary folder removed at exit.
    """

    #: The register's "today": after the last step of both routes.
    TODAY = dt.date(2025, 12, 31)

    def __init__(self, method: str = "opstapbaan", *, path: str | Path | None = None) -> None:
        if method not in ("opstapbaan", "art60"):
            raise TrajecttoolsError(
                f"Onbekende methode '{method}' voor de rondleiding: kies 'opstapbaan' of 'art60'.")
        self.method = method
        if path is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="tt-training-")
            path = Path(self._tmp.name) / "rondleiding.db"
        # A trainer may only open a register marked synthetic: mark it, then open it as trainer.
        with Workspace(path, actor="trainer", today=self.TODAY, role="analyst") as setup:
            setup.set_info("synthetic", "true")
        self.store = Workspace(path, actor="trainer", today=self.TODAY, role="trainer")
        self.trajectory_id: int | None = None
        self._ids: dict[str, int] = {}
        self._checks: dict[str, tuple[str, str]] = {}  # art. 60: peildatum -> phase, signals
        with self.store.transaction() as tx:
            team = tx.add("teams", {"name": "Team Zuid", "region": "Rijnmond"})
            self._ids["coach"] = tx.add(
                "coaches", {"code": "JC07", "name": "Noor Jobcoach", "team_id": team})
            self._ids["case_manager"] = tx.add(
                "case_managers", {"name": "Sam Consulent", "organisation": "Gemeente Rotterdam"
                                  if method == "opstapbaan" else "OCMW Gent"})
            for i, employer in enumerate(_EMPLOYERS):
                self._ids[f"employer{i}"] = tx.add("employers", employer)
            for i, vacancy in enumerate(_VACANCIES):
                values = {k: v for k, v in vacancy.items() if k != "employer"}
                values["employer_id"] = self._ids[f"employer{vacancy['employer']}"]
                values["opened_on"] = "01-05-2025"
                self._ids[f"vacancy{i}"] = tx.add("vacancies", values)

    # -- plumbing ----------------------------------------------------------------------------
    @property
    def _tid(self) -> int:
        if self.trajectory_id is None:
            raise TrajecttoolsError("Meld eerst de klant aan (register of explore).")
        return self.trajectory_id

    def _write(self, work: Callable[[Tx], object]) -> None:
        with self.store.transaction() as tx:
            work(tx)

    def _version(self, entity: str, entity_id: int) -> int | None:
        value = self.store.get(entity, entity_id).get("version")
        return None if value is None else int(value)

    def _update(self, tx: Tx, entity: str, entity_id: int, changes: Mapping[str, Any]) -> None:
        tx.update(entity, entity_id, changes, expected_version=self._version(entity, entity_id))

    def _frame(self, entity: str, column: str = "trajectory_id") -> pd.DataFrame:
        df = self.store.frame(entity)
        return df[df[column] == self._tid] if column in df else df

    def _agreements(self) -> pd.DataFrame:
        df = self._frame("agreements").sort_values(["due_on", "id"])
        return pd.DataFrame({
            "Afspraak": df["what"], "Wie": df["who"].map(code_label(vocab.AGREEMENT_PARTIES)),
            "Uiterlijk": df["due_on"].map(nl_date),
            "Status": df["status"].map(code_label(vocab.AGREEMENT_STATUSES)),
            "Afgehandeld": df["closed_on"].map(nl_date),
            "Reden niet nagekomen": df["reason_not_kept"].fillna(""),
        })

    def _phases(self) -> pd.DataFrame:
        m = self.store.method(self.method)
        df = self._frame("phase_events").sort_values("started_on")
        start = pd.to_datetime(df["started_on"])
        end = start.shift(-1)
        return pd.DataFrame({
            "phase": df["phase"].map(m.phase_label), "start": start,
            "end": end.fillna(start + pd.Timedelta(days=10)),
            "label": [f"{nl_date(s)}" for s in start]})

    # -- the opstapbaan route ----------------------------------------------------------------
    def register(self) -> Step:
        """Register the client: the case manager signs the plan, no coach is assigned yet."""
        self._need("opstapbaan")

        def work(tx: Tx) -> None:
            client = {"given_name": "Rayan", "family_name": "Voorbeeld",
                      "birth_date": "12-04-2005", "target_group": "young_people",
                      "municipality": "Rotterdam", "region": "Rijnmond", "postcode": "3073 AB",
                      "education_level": "vmbo", "preferred_sectors": ["bicycle", "green"],
                      "wishes": "Buiten werken of met fietsen; liefst 32 uur per week."}
            self.trajectory_id = tx.register(
                client, method="opstapbaan", registered_at="06-01-2025 09:00",
                case_manager_id=self._ids["case_manager"],
                plan={"goals": "Binnen een jaar regulier werk zonder uitkering.",
                      "rules": "Afspraken op tijd nakomen; afbellen vóór 9 uur.",
                      "signed_case_manager_on": "06-01-2025"})
        self._write(work)
        return Step(
            "1. Aanmelding", "De casemanager meldt de jongere aan en tekent het trajectplan. "
            "Een jobcoach is er nog niet: die moet binnen 48 uur worden toegewezen.",
            dt.date(2025, 1, 6), self._case_table())

    def assign_coach(self) -> Step:
        """Assign the coach (late), hold the three-way handover and sign the plan by all."""
        tid = self._tid

        def work(tx: Tx) -> None:
            tx.assign_coach(tid, self._ids["coach"], at="08-01-2025 10:00",
                            expected_version=self._version("trajectories", tid))
            tx.add("contacts", {"trajectory_id": tid, "kind": "three_way",
                                "held_on": "09-01-2025", "coach_id": self._ids["coach"],
                                "participants": "casemanager, jobcoach, klant"})
            plan = self._plan_id()
            tx.sign_plan(tid, {"signed_coach_on": "09-01-2025", "signed_client_on": "09-01-2025"},
                         expected_version=self._version("trajectory_plans", plan))
        self._write(work)
        return Step(
            "2. Jobcoach en driegesprek", "Twee dagen later dan de regel krijgt de jongere een "
            "jobcoach. In het driegesprek (casemanager, jobcoach, klant) tekenen ook jobcoach en "
            "klant het plan: vanaf nu loopt de termijn van twee weken voor de intake.",
            dt.date(2025, 1, 9), self._case_table())

    def intake(self) -> Step:
        """Hold the intake at home: ZRM, participation ladder, barriers with a referral, skills."""
        tid = self._tid

        def work(tx: Tx) -> None:
            tx.add("contacts", {"trajectory_id": tid, "kind": "intake", "held_on": "20-01-2025",
                                "coach_id": self._ids["coach"], "location": "thuis",
                                "participants": "klant, moeder, jobcoach",
                                "notes": "Wil buiten werken; weinig ritme; schulden bij telecom."})
            tx.add("zrm_assessments", {"trajectory_id": tid, "assessed_on": "20-01-2025",
                                       **_ZRM_START})
            tx.add("ladder_steps", {"trajectory_id": tid, "assessed_on": "20-01-2025", "rung": 2})
            debts = tx.add("barriers", {"trajectory_id": tid, "domain": "debts", "severity": 2,
                                        "noted_on": "20-01-2025"})
            self._ids["debts"] = debts
            self._ids["referral"] = tx.add("referrals", {
                "barrier_id": debts, "agency": "Schuldhulp Rotterdam", "referred_on": "22-01-2025"})
            tx.add("barriers", {"trajectory_id": tid, "domain": "transport", "severity": 1,
                                "noted_on": "20-01-2025"})
            client = int(self.store.get("trajectories", tid)["client_id"])
            for kind, name, level in (("diploma", "Vmbo basis (niet afgerond)", None),
                                      ("basic_work_skill", "Op tijd komen", 2),
                                      ("computer", "Computervaardigheden", 3),
                                      ("motivation", "Motivatie", 4)):
                tx.add("skills", {"client_id": client, "kind": kind, "name": name,
                                  "level": level, "recorded_on": "20-01-2025"})
            tx.change_phase(tid, "intake", on="20-01-2025")
        self._write(work)
        zrm = self._frame("zrm_assessments").iloc[[0]]
        return Step(
            "3. Intake thuis: ZRM en participatieladder", "De intake is thuis, met de moeder "
            "erbij, binnen twee weken na ondertekening. De zelfredzaamheidsmatrix (1 = acute "
            "problemen, 5 = volledig zelfredzaam) laat zien waar het knelt: financiën, werk en "
            "dagritme. Op de participatieladder staat de jongere op trede 2. De schulden worden "
            "doorverwezen; de jobcoach blijft die doorverwijzing volgen.",
            dt.date(2025, 1, 20), None, chart_svg=svg(zrm_chart(zrm)),
            report_html=intake_report_fragment(load_dossier(self.store, tid),
                                               written_on=dt.date(2025, 1, 21)),
            report_title="Intakerapportage (klik om te openen)", report_open=False)

    def agree(self) -> Step:
        """Hold a progress review that ends with four agreements: what, who, by when."""
        tid = self._tid
        items = (("Cv afmaken met de jobcoach", "client", "31-01-2025"),
                 ("Kopie diploma en ID meenemen", "client", "03-02-2025"),
                 ("Kennismaking bij het werkbedrijf regelen", "coach", "04-02-2025"),
                 ("Aanmeldformulier schuldhulp opsturen", "client", "07-02-2025"))

        def work(tx: Tx) -> None:
            contact = tx.add("contacts", {"trajectory_id": tid, "kind": "progress",
                                          "held_on": "27-01-2025", "coach_id": self._ids["coach"]})
            for what, who, due in items:
                tx.add("agreements", {"trajectory_id": tid, "contact_id": contact, "what": what,
                                      "who": who, "due_on": due})
        self._write(work)
        return Step(
            "4. Afspraken maken", "Elk gesprek eindigt met afspraken: wat, wie en uiterlijk "
            "wanneer. Ze staan open tot iemand ze als nagekomen of niet nagekomen vastlegt.",
            dt.date(2025, 1, 27), self._agreements())

    def review(self) -> Step:
        """Record which agreements were kept and which not (with the reason), and follow up."""
        tid = self._tid
        outcome = {"Cv afmaken met de jobcoach": ("kept", "30-01-2025", None),
                   "Kennismaking bij het werkbedrijf regelen": ("kept", "04-02-2025", None),
                   "Kopie diploma en ID meenemen": ("not_kept", "11-02-2025",
                                                    "Vergeten; neemt ze volgende week mee."),
                   "Aanmeldformulier schuldhulp opsturen": (
                       "not_kept", "11-02-2025", "Formulier te ingewikkeld; samen invullen.")}

        def work(tx: Tx) -> None:
            contact = tx.add("contacts", {"trajectory_id": tid, "kind": "progress",
                                          "held_on": "11-02-2025", "coach_id": self._ids["coach"]})
            agreements = self._frame("agreements")
            for agreement_id, what in zip(agreements["id"], agreements["what"], strict=True):
                status, closed, reason = outcome[str(what)]
                self._update(tx, "agreements", int(agreement_id),
                             {"status": status, "closed_on": closed, "reason_not_kept": reason})
            tx.add("agreements", {"trajectory_id": tid, "contact_id": contact,
                                  "what": "Schuldhulpformulier samen invullen", "who": "coach",
                                  "due_on": "14-02-2025"})
        self._write(work)
        return Step(
            "5. Afspraken nagekomen en niet nagekomen", "Twee afspraken zijn nagekomen, twee "
            "niet. Bij 'niet nagekomen' hoort altijd een reden. De jobcoach maakt een nieuwe, "
            "haalbare afspraak: samen het formulier invullen.", dt.date(2025, 2, 11),
            self._agreements())

    def stepping_stone(self) -> Step:
        """Start the opstapbaan at the social work company, with weekly reviews for six weeks."""
        tid = self._tid

        def work(tx: Tx) -> None:
            agreements = self._frame("agreements")
            for agreement_id in agreements.loc[agreements["status"] == "open", "id"]:
                self._update(tx, "agreements", int(agreement_id),
                             {"status": "kept", "closed_on": "14-02-2025"})
            self._update(tx, "referrals", self._ids["referral"],
                         {"status": "in_care", "last_followed_up_on": "14-02-2025"})
            tx.change_phase(tid, "stepping_stone", on="17-02-2025")
            tx.add("placements", {"trajectory_id": tid, "employer_id": self._ids["employer0"],
                                  "kind": "stepping_stone", "start_on": "17-02-2025",
                                  "hours_per_week": 24})
            tx.add("ladder_steps", {"trajectory_id": tid, "assessed_on": "17-02-2025", "rung": 5})
            for week in range(1, 7):
                held = dt.date(2025, 2, 17) + dt.timedelta(weeks=week)
                tx.add("contacts", {"trajectory_id": tid, "kind": "weekly_review",
                                    "held_on": held, "coach_id": self._ids["coach"],
                                    "location": "werkplek"})
        self._write(work)
        contacts = self._frame("contacts").sort_values("held_on")
        table = pd.DataFrame({"Datum": contacts["held_on"].map(nl_date),
                              "Contact": contacts["kind"].map(code_label(vocab.CONTACT_KINDS))})
        return Step(
            "6. Opstapbaan bij het sociaal werkbedrijf", "De jongere begint aan een opstapbaan "
            "(betaald, met begeleiding) bij Werkbedrijf Maasstad: trede 5 van de ladder. De "
            "werkconsulent en de jobcoach evalueren elke week. Na zes weken stopt dat ritme "
            "ongemerkt – de signalen laten zien wat er dan gebeurt.", dt.date(2025, 2, 17), table)

    def match(self) -> Step:
        """Score the client against the open vacancies and propose the best one to the employer."""
        tid, day = self._tid, dt.date(2025, 5, 26)
        self._write(lambda tx: tx.add("contacts", {
            "trajectory_id": tid, "kind": "weekly_review", "held_on": "26-05-2025",
            "coach_id": self._ids["coach"], "location": "werkplek"}))
        pairs = matching.match(self.store, top=5, clients=[tid], as_of=day,
                               include_excluded=True)
        best = pairs[pairs["hard_ok"]].iloc[0]
        decision = decisions.propose(self.store, tid, int(best["vacancy_id"]),
                                     score=float(best["score"]), decided_by="Matchtafel",
                                     on=day)
        decisions.introduce(self.store, decision, on=day,
                            expected_version=decisions.version_of(self.store, decision))
        self._ids["decision"], self._ids["match_vacancy"] = decision, int(best["vacancy_id"])
        self._ids["match_employer"] = int(best["employer_id"])
        table = pd.DataFrame({
            "Vacature": pairs["title"], "Werkgever": pairs["employer"],
            "Score": pairs["score"].round(0).astype("Int64"),
            "Harde eisen": pairs["hard_ok"].map({True: "ja", False: "nee"}),
            "Uitleg": pairs["explanation"]})
        chart = alt.Chart(table).mark_bar(color="#1f5f8b").encode(
            x=alt.X("Score:Q", scale=alt.Scale(domain=[0, 100]), title="Score (0–100)"),
            y=alt.Y("Vacature:N", sort="-x", title=None),
        ).properties(width=420, height=34 * len(table))
        return Step(
            "7. De match aan de Matchtafel", "De jongere wordt vergeleken met echte vacatures: "
            "wensen én wat de werkgever vraagt. Een vacature die een rijbewijs eist, valt af "
            "(harde eis). De Matchtafel stelt de beste match voor en de jobcoach stelt de "
            "jongere voor aan de werkgever.", day, table, chart_svg=svg(chart))

    def place(self) -> Step:
        """Hire: end the opstapbaan, move to placement with a secondment fee, then a contract."""
        tid = self._tid

        def work(tx: Tx) -> None:
            stone = self._frame("placements").iloc[0]
            self._update(tx, "placements", int(stone["id"]), {"end_on": "13-06-2025"})
            tx.change_phase(tid, "placement", on="16-06-2025")
            tx.add("placements", {
                "trajectory_id": tid, "employer_id": self._ids["match_employer"],
                "vacancy_id": self._ids["match_vacancy"], "kind": "secondment",
                "start_on": "16-06-2025", "end_on": "31-08-2025", "hours_per_week": 32})
            self._update(tx, "referrals", self._ids["referral"],
                         {"status": "completed", "last_followed_up_on": "13-06-2025"})
            self._update(tx, "barriers", self._ids["debts"],
                         {"status": "resolved", "resolved_on": "13-06-2025"})
        decisions.hire(self.store, self._ids["decision"], on="13-06-2025",
                       expected_version=decisions.version_of(self.store, self._ids["decision"]))
        self._write(work)
        return Step(
            "8. Plaatsing", "De werkgever neemt de jongere aan. Volgens de ladder van de methode "
            "eerst maximaal drie maanden met een inleenvergoeding; daarna een gewoon contract "
            "van minstens zes maanden, zonder proeftijd en zonder subsidie. De schuldhulp heeft "
            "intussen een regeling getroffen: die belemmering is opgelost.",
            dt.date(2025, 6, 16), self._placements())

    def aftercare(self) -> Step:
        """Start the regular contract and aftercare: contact every two weeks, for a while."""
        tid = self._tid

        def work(tx: Tx) -> None:
            tx.add("placements", {
                "trajectory_id": tid, "employer_id": self._ids["match_employer"],
                "vacancy_id": self._ids["match_vacancy"], "kind": "regular",
                "start_on": "01-09-2025", "end_on": "31-08-2026", "hours_per_week": 32,
                "temporary": True, "below_level": False, "outside_field": False})
            tx.change_phase(tid, "aftercare", on="01-09-2025")
            tx.add("ladder_steps", {"trajectory_id": tid, "assessed_on": "01-09-2025", "rung": 6})
            for held in ("12-09-2025", "26-09-2025", "10-10-2025"):
                for party in ("employee", "employer"):
                    tx.add("aftercare_contacts", {"trajectory_id": tid, "held_on": held,
                                                  "party": party})
        self._write(work)
        df = self._frame("aftercare_contacts").sort_values("held_on")
        table = pd.DataFrame({"Datum": df["held_on"].map(nl_date),
                              "Met wie": df["party"].map(code_label(vocab.AFTERCARE_PARTIES))})
        return Step(
            "9. Nazorg", "Met het gewone contract begint de nazorg: drie maanden lang minstens "
            "elke twee weken contact met werknemer én werkgever. Zo wordt de jongere geen "
            "draaideurklant. Na 10-10-2025 valt het contact stil.", dt.date(2025, 9, 1), table)

    def end_report(self) -> Step:
        """Measure the ZRM again, write the end report and close the route with outcome work."""
        tid = self._tid

        def work(tx: Tx) -> None:
            for party in ("employee", "employer"):
                tx.add("aftercare_contacts", {"trajectory_id": tid, "held_on": "11-12-2025",
                                              "party": party})
            tx.add("zrm_assessments", {"trajectory_id": tid, "assessed_on": "11-12-2025",
                                       **_ZRM_END})
            tx.add("end_reports", {
                "trajectory_id": tid, "written_on": "12-12-2025",
                "aftercare_summary": "Na een stille periode in oktober en november weer "
                                     "contact; werkgever is tevreden.",
                "results": "Contract van 12 maanden, 32 uur, zonder subsidie.",
                "remaining_points": "Schuldregeling loopt via budgetbeheer; vervoer in de winter.",
                "actions_taken": "Opstapbaan, wekelijkse evaluatie, inleenvergoeding, nazorg.",
                "continuation": "Werkgever belt de jobcoach bij zorgen; na 12 maanden toets."})
            tx.change_phase(tid, "closed", on="12-12-2025", outcome="work",
                            outcome_reason="Regulier contract zonder uitkering.")
        self._write(work)
        zrm = self._frame("zrm_assessments")
        return Step(
            "10. Beëindigingsrapportage en afsluiting", "De jobcoach meet de ZRM opnieuw: "
            "financiën, werk, dagritme en participatie zijn vooruitgegaan. De "
            "beëindigingsrapportage beschrijft verloop, resultaat, aandachtspunten en hoe het "
            "verder gaat. Het traject sluit af met de uitkomst 'werk'.", dt.date(2025, 12, 12),
            None, chart_svg=svg(zrm_chart(zrm)),
            report_html=end_report_fragment(load_dossier(self.store, tid)),
            report_title="Beëindigingsrapportage")

    # -- the art. 60§7 route -------------------------------------------------------------------
    def explore(self) -> Step:
        """Register an OCMW client and explore the life situation: barriers and referrals."""
        self._need("art60")

        def work(tx: Tx) -> None:
            client = {"given_name": "Yasmina", "family_name": "Voorbeeld",
                      "birth_date": "03-09-1986", "target_group": "migrant_women",
                      "municipality": "Gent", "region": "Oost-Vlaanderen", "postcode": "9000",
                      "education_level": "foreign", "preferred_sectors": ["care", "cleaning"]}
            tid = tx.register(
                client, method="art60", registered_at="06-03-2023 10:00",
                case_manager_id=self._ids["case_manager"], coach_id=self._ids["coach"],
                coach_assigned_at="06-03-2023 14:00",
                plan={"signed_case_manager_on": "07-03-2023", "signed_coach_on": "07-03-2023",
                      "signed_client_on": "07-03-2023"})
            self.trajectory_id = tid
            tx.add("contacts", {"trajectory_id": tid, "kind": "intake", "location": "thuis",
                                "held_on": "09-03-2023", "coach_id": self._ids["coach"]})
            self._ids["art60_employer"] = tx.add("employers", {
                "name": "Woonzorgcentrum Ter Leie", "sector": "care", "municipality": "Gent",
                "region": "Oost-Vlaanderen", "inclusive": True})
            for domain, severity, agency in (("housing", 3, "Sociaal verhuurkantoor"),
                                             ("childcare", 2, "Kinderopvang Gent"),
                                             ("language", 2, "Centrum Basiseducatie")):
                barrier = tx.add("barriers", {"trajectory_id": tid, "domain": domain,
                                              "severity": severity, "noted_on": "09-03-2023"})
                tx.add("referrals", {"barrier_id": barrier, "agency": agency,
                                     "referred_on": "10-03-2023"})
        self._write(work)
        barriers = self._frame("barriers")
        referrals = self.store.frame("referrals")
        df = barriers.merge(referrals, left_on="id", right_on="barrier_id", suffixes=("", "_r"))
        table = pd.DataFrame({
            "Leefgebied": df["domain"].map(code_label(vocab.BARRIER_DOMAINS)),
            "Ernst": df["severity"].map(dict(vocab.BARRIER_SEVERITIES)),
            "Doorverwezen naar": df["agency"], "Op": df["referred_on"].map(nl_date)})
        return Step(
            "A. Verkenning van de leefsituatie", "Het OCMW begint bij de leefsituatie: wonen, "
            "gezin, gezondheid. Wat niet bij de trajectbegeleider hoort, wordt doorverwezen – en "
            "zij blijft elke doorverwijzing opvolgen.", dt.date(2023, 3, 9), table)

    def map_qualities(self) -> Step:
        """Map qualities and gaps: diplomas, languages, computer skills, driving licence."""
        tid = self._tid
        self._check_phases(dt.date(2023, 4, 17))

        def work(tx: Tx) -> None:
            client = int(self.store.get("trajectories", tid)["client_id"])
            for kind, name, level in (("diploma", "Diploma zorgkundige (Marokko)", None),
                                      ("language", "Nederlands", 2), ("language", "Frans", 4),
                                      ("computer", "Computervaardigheden", 2),
                                      ("basic_work_skill", "Afspraken nakomen", 5),
                                      ("motivation", "Motivatie", 5)):
                tx.add("skills", {"client_id": client, "kind": kind, "name": name,
                                  "level": level, "recorded_on": "18-04-2023"})
            referrals = self.store.frame("referrals").set_index("agency")["id"]
            # the severe problem first: a home through the social rental agency, so that the
            # mapping starts with the side problems "tot normale proporties gebracht"
            self._update(tx, "referrals", int(referrals["Sociaal verhuurkantoor"]),
                         {"status": "completed", "last_followed_up_on": "17-04-2023"})
            self._update(tx, "barriers", self._barrier("housing"),
                         {"status": "resolved", "resolved_on": "17-04-2023"})
            for agency in ("Kinderopvang Gent", "Centrum Basiseducatie"):  # at each talk
                self._update(tx, "referrals", int(referrals[agency]),
                             {"status": "in_care", "last_followed_up_on": "30-05-2023"})
            tx.change_phase(tid, "mapping", on="18-04-2023")
            for held in ("18-04-2023", "09-05-2023", "30-05-2023"):
                tx.add("contacts", {"trajectory_id": tid, "kind": "progress", "held_on": held,
                                    "coach_id": self._ids["coach"]})
        self._write(work)
        skills = self.store.frame("skills").dropna(subset=["level"])
        chart = alt.Chart(pd.DataFrame({
            "Vaardigheid": skills["name"], "Niveau": skills["level"].astype(int)})).mark_bar(
            color="#1f5f8b").encode(
            x=alt.X("Niveau:Q", scale=alt.Scale(domain=[0, 5]), title="Niveau (1–5)",
                    axis=alt.Axis(values=[1, 2, 3, 4, 5])),
            y=alt.Y("Vaardigheid:N", sort="-x", title=None)).properties(width=380, height=170)
        return Step(
            "B. Kwaliteiten en tekorten in kaart", "Pas als de randproblemen opgelost of tot "
            "normale proporties gebracht zijn (er is een woning), komen de capaciteiten aan bod: "
            "diploma's, talen, computer, houding en motivatie. Sterk gemotiveerd, Nederlands nog "
            "zwak. De andere doorverwijzingen worden opgevolgd.", dt.date(2023, 4, 18), None,
            chart_svg=svg(chart))

    def employ(self) -> Step:
        """Employ the client under art. 60§7 with guidance during the employment."""
        tid = self._tid
        self._check_phases(dt.date(2023, 6, 2))

        def work(tx: Tx) -> None:
            referrals = self.store.frame("referrals").set_index("agency")["id"]
            for agency, domain in (("Kinderopvang Gent", "childcare"),
                                   ("Centrum Basiseducatie", "language")):
                self._update(tx, "referrals", int(referrals[agency]),
                             {"status": "completed", "last_followed_up_on": "02-06-2023"})
                self._update(tx, "barriers", self._barrier(domain),
                             {"status": "resolved", "resolved_on": "02-06-2023"})
            tx.change_phase(tid, "employment", on="05-06-2023", decision="art60",
                            decision_reason="Reguliere tewerkstelling nog te hoog gegrepen:"
                            " eerst werkervaring en arbeidsritme opbouwen.")
            tx.add("placements", {"trajectory_id": tid, "kind": "social_employment",
                                  "start_on": "05-06-2023", "end_on": "04-06-2025",
                                  "hours_per_week": 38,
                                  "user_organisation": "Kringwinkel (terbeschikkingstelling)"})
            tx.change_phase(tid, "guidance", on="19-06-2023")
            held = dt.date(2023, 6, 19)
            while held < dt.date(2025, 6, 1):
                tx.add("contacts", {"trajectory_id": tid, "kind": "progress", "held_on": held,
                                    "coach_id": self._ids["coach"]})
                held += dt.timedelta(weeks=3)
        self._write(work)
        return Step(
            "C. Tewerkstelling onder art. 60§7", "Het OCMW is de werkgever, voor twee jaar, in "
            "een woonzorgcentrum. De trajectbegeleider blijft begeleiden tijdens de "
            "tewerkstelling (hier elke drie weken). Doel: aan het einde klaar voor de reguliere "
            "arbeidsmarkt.", dt.date(2023, 6, 19), self._placements())

    def job_search(self) -> Step:
        """End art. 60: search for the next job together (talks, applications), no aftercare."""
        tid = self._tid
        self._check_phases(dt.date(2025, 6, 5))

        def work(tx: Tx) -> None:
            tx.change_phase(tid, "end_art60", on="05-06-2025")
            for held in ("05-06-2025", "18-06-2025"):
                contact = tx.add("contacts", {"trajectory_id": tid, "kind": "progress",
                                              "held_on": held, "coach_id": self._ids["coach"]})
            tx.add("agreements", {"trajectory_id": tid, "contact_id": contact, "who": "client",
                                  "what": "Drie sollicitaties versturen", "due_on": "27-06-2025",
                                  "status": "kept", "closed_on": "26-06-2025"})
        self._write(work)
        return Step(
            "D. Einde art. 60: een nieuwe tewerkstelling zoeken", "Na twee jaar eindigt de "
            "tewerkstelling. De trajectbegeleider zoekt samen met de cliënte naar een nieuwe "
            "job: gesprekken, sollicitaties, afspraken. Dit is zoeken naar werk, geen nazorg: "
            "er is nog geen werkgever om contact mee te houden.", dt.date(2025, 6, 5),
            self._agreements())

    def next_job(self) -> Step:
        """Start the next job and close the route (follow-up of regular work is optional)."""
        tid = self._tid
        if self.store.get("trajectories", tid)["phase"] != "end_art60":
            self.job_search()
        self._check_phases(dt.date(2025, 7, 1))

        def work(tx: Tx) -> None:
            tx.add("placements", {"trajectory_id": tid, "kind": "regular",
                                  "employer_id": self._ids["art60_employer"],
                                  "start_on": "01-07-2025", "hours_per_week": 30,
                                  "temporary": False, "below_level": True,
                                  "outside_field": False})
            tx.add("end_reports", {
                "trajectory_id": tid, "written_on": "01-08-2025",
                "results": "Vast contract als logistiek medewerker in het woonzorgcentrum."})
            tx.change_phase(tid, "closed", on="01-08-2025", outcome="work")
        self._write(work)
        return Step(
            "E. De volgende job, en het MDO in elke fase", "De cliënte vindt een vaste job in "
            "het woonzorgcentrum – onder haar opleidingsniveau, iets om te bespreken. Verdere "
            "opvolging van regulier werk is in deze methode facultatief (een instelling van de "
            "methode, standaard uit). Het traject sluit af met de uitkomst 'werk'. De tabel "
            "toont wat het MDO in elke fase zag: in de verkenning terecht twee signalen, daarna "
            "geen, ook geen nazorgsignalen tijdens het zoeken naar een nieuwe tewerkstelling.",
            dt.date(2025, 8, 1), self._phase_checks(), chart_svg=svg(self._timeline()))

    def _check_phases(self, before: dt.date) -> None:
        """Note the signals on the art. 60 peildata before ``before`` as the MDO saw them then
        (a referral keeps only its latest status: looking back later would hide a delay)."""
        m = self.store.method(self.method)
        for day, phase in ART60_CHECKS:
            on = dt.datetime.strptime(day, "%d-%m-%Y").date()
            if day in self._checks or on >= before:
                continue
            found = method_signals(self.store, as_of=on)
            labels = sorted(set(found.loc[found["trajectory_id"] == self._tid, "rule_label"]))
            self._checks[day] = (m.phase_label(phase), "; ".join(labels) or "geen")

    def _phase_checks(self) -> pd.DataFrame:
        """The signals the MDO saw on one peildatum in each phase of the art. 60 route."""
        self._check_phases(dt.date.max)
        return pd.DataFrame([(p, d, sig) for d, (p, sig) in self._checks.items()],
                            columns=["Fase", "Peildatum", "Signalen"])

    # -- views ----------------------------------------------------------------------------------
    def signals(self, as_of: str | dt.date) -> Step:
        """Show the method's signals for this client on a date (move it forward: deadlines pass)."""
        day = parse_as_of(as_of)
        found = method_signals(self.store, as_of=day)
        found = found[found["trajectory_id"] == self._tid]
        table = pd.DataFrame({
            "Ernst": found["severity"].astype(str).map(code_label(vocab.SEVERITIES)),
            "Regel van de methode": found["rule_label"], "Signaal": found["message"],
            "Dagen te laat": found["days_overdue"]})
        chart = None
        if len(found):
            chart = svg(alt.Chart(table).mark_bar(color="#b3261e").encode(
                x=alt.X("max(Dagen te laat):Q", title="Dagen te laat (langste per regel)",
                        axis=day_axis(int(found["days_overdue"].max()))),
                y=alt.Y("Regel van de methode:N", sort="-x", title=None,
                        axis=alt.Axis(labelLimit=520)),
            ).properties(width=300, height=36 * table["Regel van de methode"].nunique()))
        n = len(found)
        text = (f"Op peildatum {nl_date(day)} geeft de methode {n} "
                f"{'signaal' if n == 1 else 'signalen'} voor deze klant. Zo ziet het MDO het: "
                "alleen pseudoniem en initialen, elk signaal in één zin.")
        return Step(f"Signalen op {nl_date(day)}", text, day, table,
                    empty="Geen signalen: alles loopt volgens de regels van de methode.",
                    chart_svg=chart)

    def overview(self) -> Step:
        """Show the whole route: the phases on a time line and the signals rules it met."""
        phases = self._phases()
        table = pd.DataFrame({"Fase": phases["phase"], "Vanaf": phases["start"].map(nl_date)})
        return Step(
            "De hele route", "Alle fasen van aanmelding tot afsluiting, zoals het register ze "
            "heeft vastgelegd (met wie, wanneer, wat: alles staat ook in het auditlog).",
            None, table, chart_svg=svg(self._timeline()))

    def _timeline(self) -> alt.Chart:
        phases = self._phases()
        order = list(dict.fromkeys(phases["phase"]))
        return alt.Chart(phases).mark_bar(height=22, color="#1f5f8b").encode(
            x=alt.X("start:T", title=None, axis=alt.Axis(format="%m-%Y", labelAngle=0)),
            x2="end:T", y=alt.Y("phase:N", sort=order, title=None),
        ).properties(width=560, height=40 * len(order))

    # -- helpers ----------------------------------------------------------------------------------
    def _need(self, method: str) -> None:
        if self.method != method:
            raise TrajecttoolsError(
                f"Deze stap hoort bij de methode '{method}', deze rondleiding volgt "
                f"'{self.method}'.")
        if self.trajectory_id is not None:
            raise TrajecttoolsError("De klant is al aangemeld in deze rondleiding.")

    def _barrier(self, domain: str) -> int:
        barriers = self._frame("barriers")
        return int(barriers.loc[barriers["domain"] == domain, "id"].iloc[0])

    def _plan_id(self) -> int:
        plans = self._frame("trajectory_plans")
        return int(plans["id"].iloc[0])

    def _case_table(self) -> pd.DataFrame:
        t = self.store.get("trajectories", self._tid)
        c = self.store.frame("clients").set_index("id").loc[int(t["client_id"])]
        plan = self.store.get("trajectory_plans", self._plan_id())
        m = self.store.method(self.method)
        coach = "nog niemand"
        if t["coach_id"] is not None:
            row = self.store.get("coaches", int(t["coach_id"]))
            coach = f"{row['name']} ({row['code']})"
        rows = [("Pseudoniem", c["pseudonym"]),
                ("Doelgroep", vocab.label(vocab.TARGET_GROUPS, c["target_group"])),
                ("Methode", m.name), ("Fase", m.phase_label(t["phase"])),
                ("Aangemeld", pd.Timestamp(t["registered_at"]).strftime("%d-%m-%Y %H:%M")),
                ("Jobcoach", coach),
                ("Plan getekend", ", ".join(
                    f"{who} {nl_date(plan[f])}" for who, f in (
                        ("casemanager", "signed_case_manager_on"), ("jobcoach", "signed_coach_on"),
                        ("klant", "signed_client_on")) if plan[f] is not None) or "nog niet")]
        return pd.DataFrame(rows, columns=["Gegeven", "Waarde"])

    def _placements(self) -> pd.DataFrame:
        df = self._frame("placements").sort_values("start_on")
        employers = self.store.frame("employers").set_index("id")["name"]
        m = self.store.method(self.method)
        limits = {kind: m.placement_types[kind] for kind in m.placement_types} if hasattr(
            m, "placement_types") else {}
        return pd.DataFrame({
            "Soort": df["kind"].map(code_label(vocab.PLACEMENT_TYPES)),
            "Werkgever": df["employer_id"].map(employers).fillna("OCMW Gent (werkgever art. 60§7)"),
            "Van": df["start_on"].map(nl_date), "Tot": df["end_on"].map(nl_date),
            "Uren": df["hours_per_week"].astype("Int64"),
            "Grens van de methode": df["kind"].map(lambda k: limit_text(limits.get(k)))})


__all__ = ["ART60_CHECKS", "Walkthrough"]
