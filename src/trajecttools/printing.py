"""The reports the method asks for, as printable HTML or PDF, under the organisation's name.

Three reports: the intake report (intakerapportage) and end report (beëindigingsrapportage) of
one case, built by :mod:`trajecttools.reports`, and the MDO summary (the agenda of a case meeting
and what it decided, from :mod:`trajecttools.mdo_minutes`). Each gets a header with the
organisation's name and logo, kept in the register as the facts ``organisation_name`` and
``organisation_logo`` (a ``data:image/...`` URI; :func:`set_organisation` reads an image file
into one). The intake and end report hold the client's name: making one follows the rules of
opening a case (:mod:`trajecttools.register.access`: not for an analyst; a coach only for their own
cases, a team lead for the team's) and is logged in the audit log. The MDO summary names cases
by pseudonym and initials only.

>>> printing.set_organisation(store, name="Werkpunt Rijnmond", logo="logo.png")  # doctest: +SKIP
>>> printing.write_report(store, "intake", "intake.pdf", trajectory_id=12)       # doctest: +SKIP
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from sqlalchemy import select

from trajecttools import mdo_minutes
from trajecttools.core.dates import dutch_date
from trajecttools.core.errors import TrajecttoolsError
from trajecttools.core.model import Client, Coach, Trajectory
from trajecttools.core.names import initials_of
from trajecttools.reads.case.dossier import load_dossier
from trajecttools.reports import (
    REPORT_CSS,
    end_report_fragment,
    esc,
    intake_report_fragment,
)

if TYPE_CHECKING:
    from trajecttools.register.store import Store

Format = Literal["html", "pdf"]
ReportKind = Literal["intake", "mdo", "end"]
#: Report kinds and their Dutch names.
REPORTS: dict[str, str] = {
    "intake": "Intakerapportage",
    "mdo": "MDO-verslag",
    "end": "Beëindigingsrapportage",
}
NAME_KEY = "organisation_name"
LOGO_KEY = "organisation_logo"
LOGO_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
              ".gif": "image/gif", ".svg": "image/svg+xml"}
MAX_LOGO_BYTES = 512 * 1024
_DATA_URI = re.compile(r"^data:(image/(?:png|jpeg|gif|svg\+xml));base64,([A-Za-z0-9+/=\s]+)$")

HEADER_CSS = """
.tt-org { display: flex; align-items: center; gap: 12px; border-bottom: 1px solid #555555;
  padding: 0 0 6px 0; margin: 0 0 12px 0; font-family: "DejaVu Sans", Arial, sans-serif; }
.tt-org img { max-height: 48px; max-width: 200px; }
.tt-org .tt-org-name { font-size: 16px; font-weight: 700; color: #111111; }
.tt-report h3 { font-size: 15px; margin: 10px 0 2px 0; }
.tt-report .tt-decision { margin: 0 0 10px 0; }
.tt-report .tt-decision p { margin: 2px 0; }
.tt-report td.tt-who { white-space: nowrap; }
"""


class ConfigError(TrajecttoolsError):
    """A setting of the register is missing or broken; the message names the key."""

    def __init__(self, key: str, message: str) -> None:
        self.key = key
        super().__init__(f"Instelling '{key}': {message}")


@dataclass(frozen=True)
class Organisation:
    """The organisation a report is made for: its name and logo (a data URI, or empty)."""

    name: str = ""
    logo: str = ""

    def header_html(self) -> str:
        """Return the report header (logo and name; empty when neither is set)."""
        if not self.name and not self.logo:
            return ""
        logo = f'<img src="{esc(self.logo)}" alt="logo">' if self.logo else ""
        name = f'<span class="tt-org-name">{esc(self.name)}</span>' if self.name else ""
        return f'<div class="tt-org">{logo}{name}</div>'


def _check_logo_uri(value: str) -> str:
    match = _DATA_URI.match(value.strip())
    if match is None:
        raise ConfigError(LOGO_KEY, "is geen afbeelding (verwacht een PNG-, JPEG-, GIF- of "
                                    "SVG-bestand, of een data:image/...;base64-URI)")
    try:
        data = base64.b64decode(re.sub(r"\s", "", match.group(2)), validate=True)
    except (binascii.Error, ValueError):
        raise ConfigError(LOGO_KEY, "de afbeelding is beschadigd (geen geldige base64)") from None
    if not data:
        raise ConfigError(LOGO_KEY, "de afbeelding is leeg")
    return value.strip()


def logo_uri(path: str | os.PathLike[str]) -> str:
    """Return an image file as a data URI (Dutch message naming the key when it is unusable)."""
    file = Path(path)
    kind = LOGO_TYPES.get(file.suffix.lower())
    if kind is None:
        raise ConfigError(LOGO_KEY, f"'{file.name}' is geen PNG-, JPEG-, GIF- of SVG-bestand")
    if not file.is_file():
        raise ConfigError(LOGO_KEY, f"bestand '{file}' bestaat niet")
    data = file.read_bytes()
    if not data:
        raise ConfigError(LOGO_KEY, f"bestand '{file}' is leeg")
    if len(data) > MAX_LOGO_BYTES:
        raise ConfigError(LOGO_KEY, f"bestand '{file}' is te groot ({len(data) // 1024} kB, "
                                    f"maximaal {MAX_LOGO_BYTES // 1024} kB)")
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"


def organisation(store: Store) -> Organisation:
    """Return the organisation's name and logo from the register's settings."""
    info = store.info()
    name = info.get(NAME_KEY)
    if name is not None and not name.strip():
        raise ConfigError(NAME_KEY, "is leeg; vul de naam van de organisatie in")
    if name is not None and len(name) > 160:
        raise ConfigError(NAME_KEY, f"is te lang ({len(name)} tekens, maximaal 160)")
    logo = info.get(LOGO_KEY) or ""
    return Organisation(name=(name or "").strip(), logo=_check_logo_uri(logo) if logo else "")


def set_organisation(
    store: Store,
    *,
    name: str | None = None,
    logo: str | os.PathLike[str] | None = None,
    actor: str | None = None,
) -> Organisation:
    """Set the organisation's name and/or logo (an image file or data URI); return them."""
    if name is not None:
        text = str(name).strip()
        if not text:
            raise ConfigError(NAME_KEY, "is leeg; vul de naam van de organisatie in")
        if len(text) > 160:
            raise ConfigError(NAME_KEY, f"is te lang ({len(text)} tekens, maximaal 160)")
    uri = None
    if logo is not None:
        uri = (_check_logo_uri(str(logo)) if str(logo).startswith("data:")
               else logo_uri(logo))
    if name is not None:
        store.set_info(NAME_KEY, str(name).strip(), actor=actor)
    if uri is not None:
        store.set_info(LOGO_KEY, uri, actor=actor)
    return organisation(store)


def document(fragment: str, title: str, org: Organisation) -> str:
    """Wrap a report fragment, under the organisation's header, in a printable document."""
    return (
        '<!DOCTYPE html>\n<html lang="nl"><head><meta charset="utf-8">'
        f"<title>{esc(title)}</title>"
        f"<style>body {{ margin: 2em; }}{REPORT_CSS}{HEADER_CSS}</style>"
        f"</head><body>{org.header_html()}{fragment}</body></html>\n"
    )


def _output(html: str, fmt: Format) -> str | bytes:
    if fmt == "html":
        return html
    if fmt == "pdf":
        from trajecttools.pdf import render_pdf

        return render_pdf(html)
    raise ValueError(f"onbekend formaat '{fmt}' (kies html of pdf)")


def check_case_access(store: Store, trajectory_id: int) -> None:
    """Refuse a case report the store's role may not open (the rules of ``store.open_case``).

    An analyst sees pseudonymised data only; a coach only their own cases, a team lead only
    the team's. Raises :class:`~trajecttools.register.access.AccessDenied` with a Dutch message.
    """
    acc = getattr(store, "access", None)
    if acc is None:
        return
    from trajecttools.reads.scope import trajectory_ids
    from trajecttools.register.access import AccessDenied

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
    out = _output(html, fmt)
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
    out = _output(html, fmt)
    _log_report(store, d.trajectory_id, actor)
    return out


def _cases(store: Store, ids: list[int]) -> dict[int, dict[str, str]]:
    """Return pseudonym, initials, coach and phase label per trajectory (no names, no BSN)."""
    if not ids:
        return {}
    query = (
        select(Trajectory.id, Trajectory.method, Trajectory.phase, Client.pseudonym,
               Client.given_name, Client.family_name, Coach.name.label("coach"))
        .join(Client, Client.id == Trajectory.client_id)
        .outerjoin(Coach, Coach.id == Trajectory.coach_id)
        .where(Trajectory.id.in_(ids))
    )
    methods = store.methods()
    out: dict[int, dict[str, str]] = {}
    with store.engine.connect() as conn:
        for r in conn.execute(query):
            m = methods.get(r.method)
            out[int(r.id)] = {
                "pseudonym": str(r.pseudonym),
                "initials": initials_of(r.given_name, r.family_name),
                "coach": r.coach or "",
                "phase": m.phase_label(r.phase) if m else str(r.phase),
            }
    return out


def mdo_summary_fragment(store: Store, meeting: mdo_minutes.Meeting) -> str:
    """Return the MDO summary of a meeting as an HTML fragment (pseudonyms, no names)."""
    cases = _cases(store, [e.trajectory_id for e in meeting.items])
    team = meeting.team or "Alle teams"
    decided = sum(1 for e in meeting.items if e.decision)
    meta = f"{team} · {dutch_date(meeting.held_on)}"
    if meeting.chair:
        meta += f" · voorzitter {meeting.chair}"
    parts = [
        f"<h1>MDO-verslag</h1><p class=\"tt-report-meta\">{esc(meta)}</p>",
        f"<p>{len(meeting.items)} cliënten geagendeerd, over {decided} een besluit "
        "vastgelegd.</p>",
    ]

    def who(tid: int) -> str:
        c = cases.get(tid)
        if c is None:
            return f"traject {tid} (niet meer in het register)"
        return f"{c['pseudonym']} · {c['initials']}" if c["initials"] else c["pseudonym"]

    if not meeting.items:
        parts.append('<h2>Agenda</h2><p class="tt-empty">Niets geagendeerd.</p>')
    else:
        rows = "".join(
            f'<tr><td>{i}</td><td class="tt-who">{esc(who(e.trajectory_id))}</td>'
            f"<td>{esc(cases.get(e.trajectory_id, {}).get('coach', ''))}</td>"
            f"<td>{esc(cases.get(e.trajectory_id, {}).get('phase', ''))}</td>"
            f"<td>{esc(e.reason)}</td></tr>"
            for i, e in enumerate(meeting.items, start=1)
        )
        parts.append(
            "<h2>Agenda</h2><table><thead><tr><th>#</th><th>Cliënt</th><th>Jobcoach</th>"
            f"<th>Fase</th><th>Reden van agenderen</th></tr></thead><tbody>{rows}</tbody></table>"
        )
        decisions = []
        for i, e in enumerate(meeting.items, start=1):
            body = (f'<p class="tt-text">{esc(e.decision)}</p>' if e.decision
                    else '<p class="tt-empty">Geen besluit vastgelegd.</p>')
            follow = [x for x in (f"Wie: {e.owner}" if e.owner else "",
                                  f"Uiterlijk: {dutch_date(e.due_on)}" if e.due_on else "") if x]
            if follow:
                body += f'<p class="tt-report-meta">{esc(" · ".join(follow))}</p>'
            decisions.append(
                f'<div class="tt-decision"><h3>{i}. {esc(who(e.trajectory_id))}</h3>{body}</div>'
            )
        parts.append("<h2>Besluiten</h2>" + "".join(decisions))
    return f'<div class="tt-report tt-mdo-report">{"".join(parts)}</div>'


def mdo_summary(
    store: Store,
    held_on: dt.date | str,
    fmt: Format = "html",
    *,
    team: str | None = None,
) -> str | bytes:
    """Return the MDO summary (agenda and decisions) of a recorded meeting as HTML or PDF."""
    meeting = mdo_minutes.load_meeting(store, held_on, team)
    html = document(
        mdo_summary_fragment(store, meeting),
        f"MDO-verslag {meeting.team or 'alle teams'} {dutch_date(meeting.held_on)}",
        organisation(store),
    )
    return _output(html, fmt)


def format_of(path: str | os.PathLike[str]) -> Format:
    """Return the format a file name asks for (.html/.htm or .pdf), Dutch message otherwise."""
    suffix = Path(path).suffix.lower()
    if suffix in (".html", ".htm"):
        return "html"
    if suffix == ".pdf":
        return "pdf"
    raise TrajecttoolsError(f"Doelbestand '{Path(path).name}' moet eindigen op .pdf of .html.")


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
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    if isinstance(out, bytes):
        tmp.write_bytes(out)
    else:
        tmp.write_text(out, encoding="utf-8")
    tmp.replace(target)
    return target


__all__ = [
    "LOGO_KEY",
    "NAME_KEY",
    "REPORTS",
    "ConfigError",
    "Organisation",
    "check_case_access",
    "document",
    "end_report",
    "format_of",
    "intake_report",
    "logo_uri",
    "make_report",
    "mdo_summary",
    "mdo_summary_fragment",
    "organisation",
    "set_organisation",
    "write_report",
]
