"""The case card of one trajectory, as a meeting may see it: pseudonym, phases, ZRM, ladder,
barriers, agreements, contacts and placements, without names, notes or other free text.

Only the columns a meeting needs are read: names are turned into initials in the query's
result and dropped, and no notes, free-text agreements or referral agencies are selected.
Special-category barrier and ZRM domains appear by their label only. Opening a card for a
meeting is logged in the audit log (:func:`open_case_file`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from trajecttools.core import vocab
from trajecttools.core.errors import NotFoundError
from trajecttools.core.names import initials
from trajecttools.register.sql import read_sql

if TYPE_CHECKING:
    from trajecttools.register.store import Store

#: How many of the latest contacts a card shows.
LAST_CONTACTS = 6


@dataclass(frozen=True)
class CaseFile:
    """One trajectory's card: identity by pseudonym and initials only, dated facts as frames."""

    trajectory_id: int
    pseudonym: str
    initials: str
    method: str
    method_name: str
    phase: str
    phase_label: str
    coach: str | None
    team: str | None
    as_of: dt.date
    #: phase, phase_label, started_on, days (days in that phase up to the next or as_of)
    phases: pd.DataFrame
    #: assessed_on, domain, domain_label, score (all 13 domains for every assessment)
    zrm: pd.DataFrame
    #: assessed_on, rung, rung_label
    ladder: pd.DataFrame
    #: domain, domain_label, severity_label, status_label, referral_status_label, special
    barriers: pd.DataFrame
    #: who_label, due_on, overdue (open agreements; what was agreed is free text, not shown)
    agreements: pd.DataFrame
    #: held_on, kind_label (latest first)
    contacts: pd.DataFrame
    #: kind_label, start_on, end_on, sector_label
    placements: pd.DataFrame

    @property
    def display_name(self) -> str:
        """Return "pseudonym · initials", the only way a client is named on screen."""
        return f"{self.pseudonym} · {self.initials}" if self.initials else self.pseudonym


def _dates(df: pd.DataFrame, *cols: str) -> pd.DataFrame:
    for col in cols:
        df[col] = pd.to_datetime(df[col], format="ISO8601", errors="coerce").dt.date
    return df


def load_case_file(store: Store, trajectory_id: int, *, as_of: dt.date | None = None) -> CaseFile:
    """Return the card of one trajectory as it stood on ``as_of`` (read only, not logged)."""
    day = as_of or store.today
    iso = day.isoformat()
    tid = int(trajectory_id)
    head = read_sql(
        store,
        "SELECT t.id, t.method, t.phase, c.pseudonym, c.given_name, c.family_name,"
        " co.name AS coach, tm.name AS team"
        " FROM trajectories t JOIN clients c ON c.id = t.client_id"
        " LEFT JOIN coaches co ON co.id = t.coach_id LEFT JOIN teams tm ON tm.id = co.team_id"
        " WHERE t.id = :tid",
        tid=tid,
    )
    if head.empty:
        raise NotFoundError("Traject", tid)
    row = head.iloc[0]
    inits = str(initials(head["given_name"], head["family_name"]).iloc[0])
    methods = store.methods()
    method = methods.get(str(row["method"]))
    method_name = method.name if method else str(row["method"])

    def phase_label(code: str) -> str:
        return method.phase_label(code) if method else code

    phases = _dates(read_sql(
        store,
        "SELECT phase, started_on FROM phase_events WHERE trajectory_id = :tid"
        " AND started_on <= :d ORDER BY started_on, id",
        tid=tid, d=iso,
    ), "started_on")
    phases["phase_label"] = [phase_label(p) for p in phases["phase"]]
    ends = [*phases["started_on"].iloc[1:].tolist(), day]
    phases["days"] = [(end - start).days for start, end in
                      zip(phases["started_on"], ends, strict=True)]

    zrm_wide = _dates(read_sql(
        store,
        f"SELECT assessed_on, {', '.join(vocab.ZRM_DOMAINS)} FROM zrm_assessments"
        " WHERE trajectory_id = :tid AND assessed_on <= :d ORDER BY assessed_on, id",
        tid=tid, d=iso,
    ), "assessed_on")
    zrm = zrm_wide.melt(id_vars="assessed_on", var_name="domain", value_name="score")
    zrm["domain_label"] = zrm["domain"].map(vocab.ZRM_DOMAINS)
    zrm["score"] = zrm["score"].astype("Int64")
    zrm = zrm[["assessed_on", "domain", "domain_label", "score"]]

    ladder = _dates(read_sql(
        store,
        "SELECT assessed_on, rung FROM ladder_steps WHERE trajectory_id = :tid"
        " AND assessed_on <= :d ORDER BY assessed_on, id",
        tid=tid, d=iso,
    ), "assessed_on")
    ladder["rung_label"] = [vocab.label(vocab.LADDER_RUNGS, int(r)) for r in ladder["rung"]]

    barriers = read_sql(
        store,
        "SELECT b.id, b.domain, b.severity, b.status,"
        " (SELECT r.status FROM referrals r WHERE r.barrier_id = b.id AND r.referred_on <= :d"
        "  ORDER BY r.referred_on DESC, r.id DESC LIMIT 1) AS referral_status"
        " FROM barriers b WHERE b.trajectory_id = :tid AND b.noted_on <= :d"
        " AND (b.status <> 'resolved' OR b.resolved_on > :d)"
        " ORDER BY b.severity DESC, b.domain",
        tid=tid, d=iso,
    )
    barriers["domain_label"] = [vocab.label(vocab.BARRIER_DOMAINS, d) for d in barriers["domain"]]
    barriers["severity_label"] = [vocab.label(vocab.BARRIER_SEVERITIES, int(s))
                                  for s in barriers["severity"]]
    barriers["status_label"] = [vocab.label(vocab.BARRIER_STATUSES, s)
                                for s in barriers["status"]]
    barriers["referral_status_label"] = [
        "" if s is None or pd.isna(s) else vocab.label(vocab.REFERRAL_STATUSES, s)
        for s in barriers["referral_status"]
    ]
    barriers["special"] = barriers["domain"].isin(vocab.SPECIAL_CATEGORY_DOMAINS)
    barriers = barriers[["domain", "domain_label", "severity_label", "status_label",
                         "referral_status_label", "special"]]

    agreements = _dates(read_sql(
        store,
        "SELECT who, due_on FROM agreements WHERE trajectory_id = :tid"
        " AND (status = 'open' OR closed_on > :d) ORDER BY due_on, id",
        tid=tid, d=iso,
    ), "due_on")
    agreements["who_label"] = [vocab.label(vocab.AGREEMENT_PARTIES, w) for w in agreements["who"]]
    agreements["overdue"] = [due < day for due in agreements["due_on"]]
    agreements = agreements[["who_label", "due_on", "overdue"]]

    contacts = _dates(read_sql(
        store,
        "SELECT held_on, kind, 0 AS aftercare FROM contacts WHERE trajectory_id = :tid"
        " AND held_on <= :d"
        " UNION ALL SELECT held_on, party AS kind, 1 AS aftercare FROM aftercare_contacts"
        " WHERE trajectory_id = :tid AND held_on <= :d"
        " ORDER BY held_on DESC LIMIT :n",
        tid=tid, d=iso, n=LAST_CONTACTS,
    ), "held_on")
    contacts["kind_label"] = [
        f"Nazorgcontact ({vocab.label(vocab.AFTERCARE_PARTIES, k).lower()})" if after
        else vocab.label(vocab.CONTACT_KINDS, k)
        for k, after in zip(contacts["kind"], contacts["aftercare"], strict=True)
    ]
    contacts = contacts[["held_on", "kind_label"]]

    placements = _dates(read_sql(
        store,
        "SELECT p.kind, p.start_on, p.end_on, e.sector FROM placements p"
        " LEFT JOIN employers e ON e.id = p.employer_id"
        " WHERE p.trajectory_id = :tid AND p.start_on <= :d ORDER BY p.start_on DESC, p.id DESC",
        tid=tid, d=iso,
    ), "start_on", "end_on")
    placements["kind_label"] = [vocab.label(vocab.PLACEMENT_TYPES, k) for k in placements["kind"]]
    placements["sector_label"] = [
        "" if s is None or pd.isna(s) else vocab.label(vocab.SECTORS, s)
        for s in placements["sector"]
    ]
    placements = placements[["kind_label", "start_on", "end_on", "sector_label"]]

    return CaseFile(
        trajectory_id=tid,
        pseudonym=str(row["pseudonym"]),
        initials=inits,
        method=str(row["method"]),
        method_name=method_name,
        phase=str(row["phase"]),
        phase_label=phase_label(str(row["phase"])),
        coach=None if pd.isna(row["coach"]) else str(row["coach"]),
        team=None if pd.isna(row["team"]) else str(row["team"]),
        as_of=day,
        phases=phases[["phase", "phase_label", "started_on", "days"]],
        zrm=zrm,
        ladder=ladder[["assessed_on", "rung", "rung_label"]],
        barriers=barriers,
        agreements=agreements,
        contacts=contacts,
        placements=placements,
    )


def open_case_file(
    store: Store,
    trajectory_id: int,
    *,
    as_of: dt.date | None = None,
    actor: str | None = None,
) -> CaseFile:
    """Return a trajectory's card and log in the audit log that it was opened."""
    card = load_case_file(store, trajectory_id, as_of=as_of)
    with store.transaction(actor) as tx:
        tx.record_access("trajectories", card.trajectory_id)
    return card
