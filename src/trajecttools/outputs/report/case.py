"""The reports the method asks for: intake report, MDO summary and end report.

The intake report (intakerapportage) and end report (beëindigingsrapportage) of one case are
built from a :class:`~trajecttools.reads.case.dossier.Dossier` as HTML: a fragment to show inside
a page (:func:`intake_report_fragment`, :func:`end_report_fragment`) and a whole, printable
document (:func:`intake_report_html`, :func:`end_report_html`). Every text from the register is
escaped; dates are dd-mm-jjjj; the BSN is never part of a report.

From a store, :func:`intake_report` and :func:`end_report` give the document under the
organisation's header, as HTML or PDF. They hold the client's name: making one follows the rules
of opening a case (:mod:`trajecttools.register.access`: not for an analyst; a coach only for their
own
cases, a team lead for the team's) and is logged in the audit log. :func:`make_report` and
:func:`write_report` also give the MDO summary of :mod:`trajecttools.outputs.report.minutes`.

>>> from trajecttools.outputs import report
>>> report.set_organisation(store, name="Werkpunt Rijnmond")
Organisation(name='Werkpunt Rijnmond', logo='')
>>> report.write_report(store, "intake", "intake.html", trajectory_id=12)
PosixPath('intake.html')
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from trajecttools.core import vocab
from trajecttools.core.dates import dutch_date, dutch_moment
from trajecttools.core.errors import TrajecttoolsError
from trajecttools.outputs.report.document import (
    document,
    esc,
    kv_table,
    organisation,
    section,
    table,
    text_block,
)
from trajecttools.outputs.report.minutes import mdo_summary
from trajecttools.outputs.report.pdf import Format, format_of, render, write_file
from trajecttools.reads.case.dossier import Dossier, load_dossier
from trajecttools.reads.scope import trajectory_ids
from trajecttools.register.access import AccessDenied

if TYPE_CHECKING:
    from trajecttools.register.store import Store

ReportKind = Literal["intake", "mdo", "end"]
#: Report kinds and their Dutch names.
REPORTS: dict[str, str] = {
    "intake": "Intakerapportage",
    "mdo": "MDO-verslag",
    "end": "Beëindigingsrapportage",
}


def _level(codes: object, value: object) -> str:
    if value is None:
        return ""
    return f"{value} – {vocab.label(codes, value)}"  # type: ignore[arg-type]


def _head(d: Dossier, title: str, written_on: dt.date | None) -> str:
    when = f" · {dutch_date(written_on)}" if written_on else ""
    return (
        f"<h1>{esc(title)}</h1>"
        f'<p class="tt-report-meta">{esc(d.display_name)} · {esc(d.method.name)}{esc(when)}</p>'
    )


def _client_section(d: Dossier) -> str:
    c = d.client
    client = d.method.words.client
    return section(
        client[:1].upper() + client[1:],
        kv_table(
            [
                ("Naam", d.full_name.strip()),
                ("Pseudoniem", d.pseudonym),
                ("Geboortedatum", dutch_date(c.get("birth_date"))),
                ("Doelgroep", vocab.label(vocab.TARGET_GROUPS, c.get("target_group"))),
                (
                    "Opleiding",
                    " – ".join(
                        x
                        for x in (
                            vocab.label(vocab.EDUCATION_LEVELS, c["education_level"])
                            if c.get("education_level")
                            else "",
                            c.get("education_field") or "",
                        )
                        if x
                    ),
                ),
                ("Gemeente", c.get("municipality")),
                ("Regio", c.get("region")),
                ("Postcode", c.get("postcode")),
            ]
        ),
    )


def _trajectory_section(d: Dossier) -> str:
    t, plan = d.trajectory, d.plan or {}
    w = d.method.words
    return section(
        "Traject",
        kv_table(
            [
                ("Methode", d.method.name),
                ("Aanmelding", dutch_moment(t.get("registered_at"))),
                ("Fase", f"{d.phase_label} sinds {dutch_date(t.get('phase_since'))}"),
                (w.coach[:1].upper() + w.coach[1:], (d.coach or {}).get("name")),
                (
                    w.case_manager[:1].upper() + w.case_manager[1:],
                    " – ".join(
                        str(x)
                        for x in ((d.case_manager or {}).get("name"),
                                  (d.case_manager or {}).get("organisation"))
                        if x
                    ),
                ),
                (f"Trajectplan getekend door {w.case_manager}",
                 dutch_date(plan.get("signed_case_manager_on"))),
                (f"Trajectplan getekend door {w.coach}", dutch_date(plan.get("signed_coach_on"))),
                (f"Trajectplan getekend door {w.client}",
                 dutch_date(plan.get("signed_client_on"))),
            ]
        )
        + (f"<h3>Doelen</h3>{text_block(plan.get('goals'))}" if plan.get("goals") else "")
        + (f"<h3>Spelregels</h3>{text_block(plan.get('rules'))}" if plan.get("rules") else ""),
    )


def _agreement_rows(d: Dossier, contact_id: int | None = None) -> list[list[object]]:
    chosen = [a for a in d.agreements if contact_id is None or a["contact_id"] == contact_id]
    return [
        [
            a["what"],
            vocab.label(vocab.AGREEMENT_PARTIES, a["who"]),
            dutch_date(a["due_on"]),
            vocab.label(vocab.AGREEMENT_STATUSES, a["status"])
            + (f": {a['reason_not_kept']}" if a.get("reason_not_kept") else ""),
        ]
        for a in chosen
    ]


def intake_report_fragment(d: Dossier, *, written_on: dt.date | None = None) -> str:
    """Return the intake report of a case as an HTML fragment (``<div class="tt-report">``)."""
    intake = d.intake_contact()
    parts = [_head(d, "Intakerapportage", written_on), _client_section(d), _trajectory_section(d)]
    if intake is None:
        parts.append(section("Intakegesprek", '<p class="tt-empty">Nog geen intake gehouden.</p>'))
    else:
        parts.append(
            section(
                "Intakegesprek",
                kv_table(
                    [
                        ("Datum", dutch_date(intake["held_on"])),
                        ("Soort", vocab.label(vocab.CONTACT_KINDS, intake["kind"])),
                        ("Locatie", intake.get("location")),
                        ("Aanwezig", intake.get("participants")),
                    ]
                )
                + "<h3>Eerste diagnose: mogelijkheden en belemmeringen</h3>"
                + text_block(intake.get("notes")),
            )
        )
    barrier_rows = []
    for b in d.barriers:
        refs = b.get("referrals") or [{}]
        for r in refs:
            barrier_rows.append(
                [
                    vocab.label(vocab.BARRIER_DOMAINS, b["domain"]),
                    vocab.label(vocab.BARRIER_SEVERITIES, b["severity"]),
                    vocab.label(vocab.BARRIER_STATUSES, b["status"]),
                    b.get("notes") or "",
                    r.get("agency") or "",
                    dutch_date(r.get("referred_on")),
                    dutch_date(r.get("last_followed_up_on")),
                ]
            )
    parts.append(
        section(
            "Belemmeringen en doorverwijzingen",
            table(
                ["Leefgebied", "Ernst", "Status", "Toelichting", "Doorverwezen naar",
                 "Doorverwezen op", "Laatst opgevolgd"],
                barrier_rows,
                "Geen belemmeringen vastgelegd.",
            ),
        )
    )
    zrm = d.latest_zrm
    if zrm is None:
        zrm_html = '<p class="tt-empty">Geen ZRM-meting vastgelegd.</p>'
    else:
        zrm_html = f'<p class="tt-report-meta">Meetdatum {dutch_date(zrm["assessed_on"])}</p>' + (
            table(
                ["Domein", "Score"],
                [[lbl, _level(vocab.ZRM_LEVELS, zrm.get(code)) or "niet gemeten"]
                 for code, lbl in vocab.ZRM_DOMAINS.items()],
                "",
            )
        )
    parts.append(section("Zelfredzaamheidsmatrix (ZRM)", zrm_html))
    ladder = d.latest_ladder
    parts.append(
        section(
            "Participatieladder",
            text_block(
                f"Trede {_level(vocab.LADDER_RUNGS, ladder['rung'])} "
                f"(gemeten {dutch_date(ladder['assessed_on'])})"
                if ladder
                else None,
                "Geen trede vastgelegd.",
            ),
        )
    )
    parts.append(
        section(
            "Kwalificaties en vaardigheden",
            table(
                ["Soort", "Omschrijving", "Niveau", "Vastgelegd"],
                [
                    [vocab.label(vocab.SKILL_KINDS, s["kind"]), s["name"],
                     _level(vocab.SKILL_LEVELS, s.get("level")), dutch_date(s["recorded_on"])]
                    for s in d.skills
                ],
                "Geen kwalificaties of vaardigheden vastgelegd.",
            ),
        )
    )
    sectors = d.client.get("preferred_sectors") or []
    parts.append(
        section(
            "Wensen en voorkeurssectoren",
            text_block(d.client.get("wishes"), "Geen wensen vastgelegd.")
            + kv_table([("Voorkeurssectoren",
                    ", ".join(vocab.label(vocab.SECTORS, s) for s in sectors))]),
        )
    )
    parts.append(
        section(
            "Netwerk en ouders",
            table(
                ["Relatie", "Betrokken bij traject", "Toelichting"],
                [
                    [vocab.label(vocab.NETWORK_RELATIONS, n["relation"]),
                     "ja" if n.get("involved") else "nee", n.get("note") or ""]
                    for n in d.network
                ],
                "Geen netwerk vastgelegd.",
            ),
        )
    )
    parts.append(
        section(
            "Actieplan",
            table(
                ["Wat", "Wie", "Uiterlijk", "Status"],
                _agreement_rows(d, intake["id"] if intake else None),
                "Geen afspraken vastgelegd.",
            ),
        )
    )
    if d.trajectory.get("outcome") == "other_route":
        parts.append(
            section(
                "Voorstel ander traject",
                kv_table([("Afgesloten op", dutch_date(d.trajectory.get("closed_on")))])
                + text_block(d.trajectory.get("outcome_reason")),
            )
        )
    return f'<div class="tt-report tt-intake-report">{"".join(parts)}</div>'


def end_report_fragment(d: Dossier) -> str:
    """Return the end report (beëindigingsrapportage) of a case as an HTML fragment."""
    report = d.end_report or {}
    parts = [_head(d, "Beëindigingsrapportage", report.get("written_on")), _client_section(d),
             _trajectory_section(d)]
    parts.append(
        section(
            "Plaatsingen",
            table(
                ["Soort", "Werkgever", "Start", "Einde", "Uren per week"],
                [
                    [vocab.label(vocab.PLACEMENT_TYPES, p["kind"]), p.get("employer_name") or "",
                     dutch_date(p["start_on"]), dutch_date(p.get("end_on")),
                     "" if p.get("hours_per_week") is None
                     else f"{p['hours_per_week']:g}".replace(".", ",")]
                    for p in d.placements
                ],
                "Geen plaatsingen vastgelegd.",
            ),
        )
    )
    parts.append(
        section(
            "Nazorgcontacten",
            table(
                ["Datum", "Met wie", "Verslag"],
                [[dutch_date(a["held_on"]), vocab.label(vocab.AFTERCARE_PARTIES, a["party"]),
                  a.get("notes") or ""] for a in d.aftercare],
                "Geen nazorgcontacten vastgelegd.",
            ),
        )
    )
    for title, key in (
        ("Hoe is de nazorg verlopen" if d.method.settings.follow_up_after_work
         else "Hoe is het traject verlopen", "aftercare_summary"),
        ("Behaalde resultaten", "results"),
        ("Resterende aandachtspunten", "remaining_points"),
        ("Wat is ingezet om deze aandachtspunten weg te werken", "actions_taken"),
        (f"Hoe gaat het nu verder met de {d.method.words.client}", "continuation"),
    ):
        parts.append(section(title, text_block(report.get(key))))
    if d.trajectory.get("outcome"):
        parts.append(
            section(
                "Uitkomst",
                kv_table([
                    ("Uitkomst", vocab.label(vocab.OUTCOMES, d.trajectory["outcome"])),
                    ("Afgesloten op", dutch_date(d.trajectory.get("closed_on"))),
                    ("Toelichting", d.trajectory.get("outcome_reason")),
                ]),
            )
        )
    return f'<div class="tt-report tt-end-report">{"".join(parts)}</div>'


def intake_report_html(d: Dossier, *, written_on: dt.date | None = None) -> str:
    """Return the intake report of a case as a printable HTML document."""
    return document(
        intake_report_fragment(d, written_on=written_on), f"Intakerapportage {d.pseudonym}"
    )


def end_report_html(d: Dossier) -> str:
    """Return the end report of a case as a printable HTML document."""
    return document(end_report_fragment(d), f"Beëindigingsrapportage {d.pseudonym}")


# -- from the register, under the organisation's header -----------------------------------------
def check_case_access(store: Store, trajectory_id: int) -> None:
    """Refuse a case report the store's role may not open (the rules of ``store.open_case``).

    An analyst sees pseudonymised data only; a coach only their own cases, a team lead only
    the team's. Raises :class:`~trajecttools.register.access.AccessDenied` with a Dutch message.
    """
    acc = getattr(store, "access", None)
    if acc is None:
        return
    if acc.role == "analyst":
        raise AccessDenied("Een analist ziet alleen gepseudonimiseerde gegevens; een intake- of "
                           "eindrapportage (met naam) kan alleen een jobcoach, teamleider of "
                           "beheerder maken.")
    allowed = trajectory_ids(store, acc)
    if allowed is not None and int(trajectory_id) not in allowed:
        whose = "caseload" if acc.role == "coach" else "team"
        raise AccessDenied(f"Traject {trajectory_id} hoort niet bij uw {whose}; u kunt er geen "
                           "rapportage van maken.")


def _log_report(store: Store, trajectory_id: int, actor: str | None) -> None:
    with store.transaction(actor) as tx:
        tx.record_access("trajectories", trajectory_id, "report")


def intake_report(
    store: Store,
    trajectory_id: int,
    fmt: Format = "html",
    *,
    written_on: dt.date | None = None,
    actor: str | None = None,
) -> str | bytes:
    """Return a case's intake report as an HTML document or PDF bytes (logged as opened)."""
    d = load_dossier(store, int(trajectory_id))
    check_case_access(store, d.trajectory_id)
    org = organisation(store)
    html = document(intake_report_fragment(d, written_on=written_on or store.today),
                    f"Intakerapportage {d.pseudonym}", org)
    out = render(html, fmt)
    _log_report(store, d.trajectory_id, actor)
    return out


def end_report(
    store: Store, trajectory_id: int, fmt: Format = "html", *, actor: str | None = None
) -> str | bytes:
    """Return a case's end report (beëindigingsrapportage) as HTML or PDF (logged as opened)."""
    d = load_dossier(store, int(trajectory_id))
    check_case_access(store, d.trajectory_id)
    org = organisation(store)
    html = document(end_report_fragment(d), f"Beëindigingsrapportage {d.pseudonym}", org)
    out = render(html, fmt)
    _log_report(store, d.trajectory_id, actor)
    return out


# -- one report by kind, to a file -------------------------------------------------------------
def make_report(
    store: Store,
    kind: str,
    fmt: Format,
    *,
    trajectory_id: int | None = None,
    held_on: dt.date | str | None = None,
    team: str | None = None,
    actor: str | None = None,
) -> str | bytes:
    """Return one report (``intake``, ``mdo`` or ``end``) as HTML text or PDF bytes."""
    if kind in ("intake", "end"):
        if trajectory_id is None:
            raise TrajecttoolsError(f"Kies het traject voor de {REPORTS[kind].lower()}.")
        maker = intake_report if kind == "intake" else end_report
        return maker(store, int(trajectory_id), fmt, actor=actor)
    if kind == "mdo":
        if held_on is None:
            raise TrajecttoolsError("Kies de datum van het MDO-overleg.")
        return mdo_summary(store, held_on, fmt, team=team)
    raise TrajecttoolsError(f"Onbekend rapport '{kind}' (kies intake, mdo of end).")


def write_report(
    store: Store, kind: str, path: str | os.PathLike[str], **kw: object
) -> Path:
    """Write one report to a file; the suffix (.pdf or .html) picks the format."""
    fmt = format_of(path)
    out = make_report(store, kind, fmt, **kw)  # type: ignore[arg-type]
    return write_file(path, out)


__all__ = [
    "REPORTS",
    "ReportKind",
    "check_case_access",
    "end_report",
    "end_report_fragment",
    "end_report_html",
    "intake_report",
    "intake_report_fragment",
    "intake_report_html",
    "make_report",
    "write_report",
]
