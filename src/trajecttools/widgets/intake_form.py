"""Step 2 of the intake app: the intake conversation, barriers and referrals, ZRM,
participatieladder, qualifications and skills, wishes, network and the action plan."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from trajecttools.core import vocab
from trajecttools.core.dates import dutch_date
from trajecttools.outputs.report.document import esc
from trajecttools.reads.case.dossier import Dossier
from trajecttools.register.transactions import Tx
from trajecttools.widgets.case_app import CaseApp, CasePart
from trajecttools.widgets.fields import (
    CheckField,
    FieldSet,
    Row,
    RowList,
    choice_options,
    grid,
    record_field,
    section,
)
from trajecttools.widgets.panels import savebar
from trajecttools.widgets.registration import changed_values, record_values
from trajecttools.widgets.submission import Submission
from trajecttools.widgets.toolkit import button, guarded, html_block, show

REFERRAL_ALIASES = {"status": "referral_status"}
LEVEL_SKILLS = {
    "computer": ("computer", "Computervaardigheden"),
    **{f"basic_{code}": ("basic_work_skill", text)
       for code, text in vocab.BASIC_WORK_SKILLS.items()},
    "motivation": ("motivation", "Motivatie"),
}
INTAKE_KINDS = ("intake", "home_visit")


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

    def __init__(self, app: CaseApp) -> None:
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
        self.barriers_section = section(
            "Belemmeringen en doorverwijzingen", [self.barriers], "tt-barriers",
            intro="Per leefgebied: hoe ernstig, en naar wie doorverwezen. De jobcoach "
                  "blijft een doorverwijzing opvolgen.")
        self.build([
            section("Intakegesprek", [grid(c.widgets("held_on", "kind", "location",
                                                      "participants", "notes", "to_intake"))],
                    "tt-intake-contact",
                    intro="Uiterlijk 2 weken na ondertekening van het trajectplan."),
            self.barriers_section,
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

    def _method_words(self, d: Dossier) -> None:
        """Hints and intros in the words of the case's method (klant or cliënt, jobcoach or
        trajectbegeleider)."""
        client, coach = d.method.words.client, d.method.words.coach
        location, participants = self.contact["location"], self.contact["participants"]
        location.relabel(location.label, f"Bij voorkeur bij de {client} thuis, anders in de wijk.")
        participants.relabel(participants.label, f"Bijv. {client}, moeder, {coach} (een "
                                                 "familielid of goede vriend).")
        self.wishes["wishes"].relabel(f"Wensen van de {client} (werk, uren, omgeving)")
        self.barriers_section.children[1].value = esc(
            f"Per leefgebied: hoe ernstig, en naar wie doorverwezen. De {coach} blijft een "
            "doorverwijzing opvolgen.")

    def load(self, d: Dossier | None) -> None:
        for fs in (self.contact, self.zrm, self.ladder, self.skills, self.wishes):
            fs.reset()
        for lst in (self.diplomas, self.languages, self.network, self.plan):
            lst.clear()
        if d is None:
            self.barriers.clear()
            return
        self._method_words(d)
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
        stored = record_values("barriers", row.record or {})
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
                changes = changed_values(clean, row.record, keys)
                if changes:
                    tx.update("barriers", barrier_id, changes,
                              expected_version=int(row.record["version"]))
        if referral is None:
            return
        existing = row.extra.get("referral")
        with sub.into(row.fields, REFERRAL_ALIASES):
            if existing:
                changes = changed_values(referral, existing,
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
        stored = record_values("clients", d.client)
        form = self.wishes.values("wishes", "preferred_hours", "preferred_sectors")
        clean = sub.validate(self.wishes, "clients", {**stored, **form})
        if clean is None:
            return {}
        changes = changed_values(clean, d.client, ["wishes", "preferred_hours"])
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


__all__ = ["IntakePart", "agreement_row"]
