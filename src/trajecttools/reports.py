"""The intake report (intakerapportage) and end report (beëindigingsrapportage) of one case.

Both are built from a :class:`~trajecttools.reads.case.dossier.Dossier` as HTML: a fragment to show inside
a page (:func:`intake_report_fragment`, :func:`end_report_fragment`) and a whole, printable
document (:func:`intake_report_html`, :func:`end_report_html`). Every text from the register is
escaped; dates are dd-mm-jjjj; the BSN is never part of a report.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable, Sequence

from trajecttools.core import vocab
from trajecttools.core.dates import dutch_date, dutch_moment
from trajecttools.reads.case.dossier import Dossier

REPORT_CSS = """
.tt-report { font-family: "DejaVu Sans", "Segoe UI", Arial, sans-serif; color: #111111;
  font-size: 15px; line-height: 1.45; max-width: 60em; }
.tt-report h1 { font-size: 24px; margin: 0 0 4px 0; }
.tt-report h2 { font-size: 18px; margin: 18px 0 6px 0; border-bottom: 2px solid #111111;
  padding-bottom: 2px; }
.tt-report .tt-report-meta { color: #333333; margin: 0 0 8px 0; }
.tt-report table { border-collapse: collapse; width: 100%; margin: 4px 0 8px 0; }
.tt-report th, .tt-report td { text-align: left; vertical-align: top; padding: 3px 10px 3px 0;
  border-bottom: 1px solid #999999; }
.tt-report th { font-weight: 700; }
.tt-report table.tt-kv th { width: 16em; font-weight: 600; }
.tt-report .tt-text { white-space: pre-wrap; margin: 2px 0 8px 0; }
.tt-report .tt-empty { color: #444444; font-style: italic; }
@media print {
  .tt-report { font-size: 11pt; max-width: none; }
  .tt-report h2 { break-after: avoid; }
  .tt-report tr { break-inside: avoid; }
}
"""


def esc(value: object) -> str:
    """Return text safe inside HTML (None becomes empty)."""
    return "" if value is None else html.escape(str(value), quote=True)


def _kv(pairs: Iterable[tuple[str, object]]) -> str:
    rows = "".join(
        f"<tr><th>{esc(k)}</th><td>{esc(v) if v not in (None, '') else '–'}</td></tr>"
        for k, v in pairs
    )
    return f'<table class="tt-kv">{rows}</table>'


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]], empty: str) -> str:
    if not rows:
        return f'<p class="tt-empty">{esc(empty)}</p>'
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _text(value: object, empty: str = "Niet ingevuld.") -> str:
    if value is None or not str(value).strip():
        return f'<p class="tt-empty">{esc(empty)}</p>'
    return f'<p class="tt-text">{esc(value)}</p>'


def _section(title: str, body: str) -> str:
    return f"<h2>{esc(title)}</h2>{body}"


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
    return _section(
        "Klant",
        _kv(
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
    return _section(
        "Traject",
        _kv(
            [
                ("Methode", d.method.name),
                ("Aanmelding", dutch_moment(t.get("registered_at"))),
                ("Fase", f"{d.phase_label} sinds {dutch_date(t.get('phase_since'))}"),
                ("Jobcoach", (d.coach or {}).get("name")),
                (
                    "Casemanager",
                    " – ".join(
                        str(x)
                        for x in ((d.case_manager or {}).get("name"),
                                  (d.case_manager or {}).get("organisation"))
                        if x
                    ),
                ),
                ("Trajectplan getekend door casemanager",
                 dutch_date(plan.get("signed_case_manager_on"))),
                ("Trajectplan getekend door jobcoach", dutch_date(plan.get("signed_coach_on"))),
                ("Trajectplan getekend door klant", dutch_date(plan.get("signed_client_on"))),
            ]
        )
        + (f"<h3>Doelen</h3>{_text(plan.get('goals'))}" if plan.get("goals") else "")
        + (f"<h3>Spelregels</h3>{_text(plan.get('rules'))}" if plan.get("rules") else ""),
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
        parts.append(_section("Intakegesprek", '<p class="tt-empty">Nog geen intake gehouden.</p>'))
    else:
        parts.append(
            _section(
                "Intakegesprek",
                _kv(
                    [
                        ("Datum", dutch_date(intake["held_on"])),
                        ("Soort", vocab.label(vocab.CONTACT_KINDS, intake["kind"])),
                        ("Locatie", intake.get("location")),
                        ("Aanwezig", intake.get("participants")),
                    ]
                )
                + "<h3>Eerste diagnose: mogelijkheden en belemmeringen</h3>"
                + _text(intake.get("notes")),
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
        _section(
            "Belemmeringen en doorverwijzingen",
            _table(
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
            _table(
                ["Domein", "Score"],
                [[lbl, _level(vocab.ZRM_LEVELS, zrm.get(code)) or "niet gemeten"]
                 for code, lbl in vocab.ZRM_DOMAINS.items()],
                "",
            )
        )
    parts.append(_section("Zelfredzaamheidsmatrix (ZRM)", zrm_html))
    ladder = d.latest_ladder
    parts.append(
        _section(
            "Participatieladder",
            _text(
                f"Trede {_level(vocab.LADDER_RUNGS, ladder['rung'])} "
                f"(gemeten {dutch_date(ladder['assessed_on'])})"
                if ladder
                else None,
                "Geen trede vastgelegd.",
            ),
        )
    )
    parts.append(
        _section(
            "Kwalificaties en vaardigheden",
            _table(
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
        _section(
            "Wensen en voorkeurssectoren",
            _text(d.client.get("wishes"), "Geen wensen vastgelegd.")
            + _kv([("Voorkeurssectoren",
                    ", ".join(vocab.label(vocab.SECTORS, s) for s in sectors))]),
        )
    )
    parts.append(
        _section(
            "Netwerk en ouders",
            _table(
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
        _section(
            "Actieplan",
            _table(
                ["Wat", "Wie", "Uiterlijk", "Status"],
                _agreement_rows(d, intake["id"] if intake else None),
                "Geen afspraken vastgelegd.",
            ),
        )
    )
    if d.trajectory.get("outcome") == "other_route":
        parts.append(
            _section(
                "Voorstel ander traject",
                _kv([("Afgesloten op", dutch_date(d.trajectory.get("closed_on")))])
                + _text(d.trajectory.get("outcome_reason")),
            )
        )
    return f'<div class="tt-report tt-intake-report">{"".join(parts)}</div>'


def end_report_fragment(d: Dossier) -> str:
    """Return the end report (beëindigingsrapportage) of a case as an HTML fragment."""
    report = d.end_report or {}
    parts = [_head(d, "Beëindigingsrapportage", report.get("written_on")), _client_section(d),
             _trajectory_section(d)]
    parts.append(
        _section(
            "Plaatsingen",
            _table(
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
        _section(
            "Nazorgcontacten",
            _table(
                ["Datum", "Met wie", "Verslag"],
                [[dutch_date(a["held_on"]), vocab.label(vocab.AFTERCARE_PARTIES, a["party"]),
                  a.get("notes") or ""] for a in d.aftercare],
                "Geen nazorgcontacten vastgelegd.",
            ),
        )
    )
    for title, key in (
        ("Hoe is de nazorg verlopen", "aftercare_summary"),
        ("Behaalde resultaten", "results"),
        ("Resterende aandachtspunten", "remaining_points"),
        ("Wat is ingezet om deze aandachtspunten weg te werken", "actions_taken"),
        ("Hoe gaat het nu verder met de klant", "continuation"),
    ):
        parts.append(_section(title, _text(report.get(key))))
    if d.trajectory.get("outcome"):
        parts.append(
            _section(
                "Uitkomst",
                _kv([
                    ("Uitkomst", vocab.label(vocab.OUTCOMES, d.trajectory["outcome"])),
                    ("Afgesloten op", dutch_date(d.trajectory.get("closed_on"))),
                    ("Toelichting", d.trajectory.get("outcome_reason")),
                ]),
            )
        )
    return f'<div class="tt-report tt-end-report">{"".join(parts)}</div>'


def document(fragment: str, title: str) -> str:
    """Wrap a report fragment in a whole, printable HTML document."""
    return (
        '<!DOCTYPE html>\n<html lang="nl"><head><meta charset="utf-8">'
        f"<title>{esc(title)}</title><style>body {{ margin: 2em; }}{REPORT_CSS}</style>"
        f"</head><body>{fragment}</body></html>\n"
    )


def intake_report_html(d: Dossier, *, written_on: dt.date | None = None) -> str:
    """Return the intake report of a case as a printable HTML document."""
    return document(
        intake_report_fragment(d, written_on=written_on), f"Intakerapportage {d.pseudonym}"
    )


def end_report_html(d: Dossier) -> str:
    """Return the end report of a case as a printable HTML document."""
    return document(end_report_fragment(d), f"Beëindigingsrapportage {d.pseudonym}")


__all__ = [
    "REPORT_CSS",
    "document",
    "end_report_fragment",
    "end_report_html",
    "intake_report_fragment",
    "intake_report_html",
]
