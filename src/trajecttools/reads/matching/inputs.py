"""The register's facts matching needs (:class:`MatchInputs`): active clients, open vacancies."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from trajecttools.core.errors import TrajecttoolsError
from trajecttools.core.names import initials
from trajecttools.reads.matching.config import MatchConfig
from trajecttools.register.sql import read_sql
from trajecttools.register.store import Store

_HOURS_RE = re.compile(r"(\d{1,2}(?:[.,]\d)?)\s*(?:uur|u\b)", re.IGNORECASE)
_PARTTIME_RE = re.compile(r"part[- ]?time|deeltijd", re.IGNORECASE)
_FULLTIME_RE = re.compile(r"full[- ]?time|voltijd", re.IGNORECASE)


@dataclass(frozen=True)
class MatchInputs:
    """The register's facts matching needs, as frames (from :func:`load_inputs` or built).

    ``clients``: one row per active trajectory: trajectory_id, client_id, pseudonym, initials,
    municipality, region, education_level, preferred_sectors (list or None), and wished_hours
    (or ``preferred_hours``, with the ``wishes`` text as fallback: :func:`client_hours`).
    ``skills``: client_id, kind, name, level.
    ``barriers``: trajectory_id, domain, severity (open ones only). ``vacancies``: one row per
    open vacancy: vacancy_id, employer_id, employer, title, sector, education_level,
    hours_per_week, municipality, region, driving_licence_required, language_level,
    required_skills, wished_skills, positions (still free). ``decisions``: trajectory_id,
    vacancy_id, status (latest per pair last).
    """

    clients: pd.DataFrame
    vacancies: pd.DataFrame
    skills: pd.DataFrame = field(default_factory=pd.DataFrame)
    barriers: pd.DataFrame = field(default_factory=pd.DataFrame)
    decisions: pd.DataFrame = field(default_factory=pd.DataFrame)
    as_of: dt.date | None = None


def load_inputs(store: Store, as_of: dt.date | None = None) -> MatchInputs:
    """Read active trajectories, their skills and open barriers, and open vacancies."""
    day = as_of or store.today
    iso = day.isoformat()
    clients = read_sql(
        store,
        "SELECT t.id AS trajectory_id, t.method, c.id AS client_id, c.pseudonym, c.given_name,"
        " c.family_name, c.municipality, c.region, c.education_level, c.preferred_sectors,"
        " c.preferred_hours, c.wishes FROM trajectories t JOIN clients c ON c.id = t.client_id"
        " WHERE t.registered_at < :next_day AND (t.closed_on IS NULL OR t.closed_on > :day)"
        " ORDER BY t.id",
        next_day=(day + dt.timedelta(days=1)).isoformat(), day=iso,
    )
    clients.insert(3, "initials", initials(clients.pop("given_name"),
                                           clients.pop("family_name")))
    clients["preferred_sectors"] = clients["preferred_sectors"].map(_json_list)
    clients["wished_hours"] = client_hours(clients)
    clients = clients.drop(columns=["preferred_hours", "wishes"])
    skills = read_sql(
        store,
        "SELECT s.client_id, s.kind, s.name, s.level FROM skills s"
        " WHERE s.recorded_on <= :day",
        day=iso,
    )
    barriers = read_sql(
        store,
        "SELECT trajectory_id, domain, severity FROM barriers WHERE noted_on <= :day"
        " AND (status <> 'resolved' OR (resolved_on IS NOT NULL AND resolved_on > :day))",
        day=iso,
    )
    decisions = read_sql(
        store,
        "SELECT id, trajectory_id, vacancy_id, status FROM match_decisions ORDER BY id",
    )
    vacancies = read_sql(
        store,
        "SELECT v.id AS vacancy_id, v.employer_id, e.name AS employer, v.title, v.sector,"
        " v.education_level, v.hours_per_week, COALESCE(v.municipality, e.municipality)"
        " AS municipality, COALESCE(v.region, e.region) AS region,"
        " v.driving_licence_required, v.language_level, v.required_skills, v.wished_skills,"
        " v.positions FROM vacancies v JOIN employers e ON e.id = v.employer_id"
        " WHERE v.status = 'open' AND v.opened_on <= :day"
        " AND (v.closed_on IS NULL OR v.closed_on > :day) ORDER BY v.id",
        day=iso,
    )
    for col in ("required_skills", "wished_skills"):
        vacancies[col] = vacancies[col].map(_json_list)
    vacancies["driving_licence_required"] = vacancies["driving_licence_required"].astype(bool)
    hired = decisions[decisions["status"] == "hired"].groupby("vacancy_id").size()
    taken = vacancies["vacancy_id"].map(hired).fillna(0).astype("int64")
    vacancies["positions"] = (vacancies["positions"].astype("int64") - taken).clip(lower=0)
    return MatchInputs(clients=clients, vacancies=vacancies, skills=skills, barriers=barriers,
                       decisions=decisions, as_of=day)


def _json_list(value: Any) -> list[str] | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str):
        value = json.loads(value)
    return None if value is None else [str(v) for v in value]


def client_hours(clients: pd.DataFrame) -> pd.Series:
    """Return each client's wished hours a week (NaN when unknown).

    The recorded number (``preferred_hours``) counts; only where it is missing — rows from
    before that column existed — are the hours read from the ``wishes`` text.
    """
    hours = pd.Series(np.nan, index=clients.index, dtype="float64")
    if "preferred_hours" in clients.columns:
        hours = pd.to_numeric(clients["preferred_hours"], errors="coerce").astype("float64")
    if "wishes" in clients.columns and hours.isna().any():
        hours = hours.fillna(wished_hours(clients["wishes"]))
    return hours


def wished_hours(wishes: pd.Series) -> pd.Series:
    """Return the hours a week a client wishes, read from the wish text (NaN when not said).

    "24 uur" gives 24; "parttime"/"deeltijd" and "fulltime"/"voltijd" give the configured
    defaults. The text itself is never shown.
    """
    cfg = MatchConfig()
    text = wishes.astype("string")
    number = text.str.extract(_HOURS_RE, expand=False).str.replace(",", ".", regex=False)
    hours = pd.to_numeric(number, errors="coerce").astype("float64")
    hours = hours.where(hours.between(1, 60))
    part = text.str.contains(_PARTTIME_RE, na=False)
    full = text.str.contains(_FULLTIME_RE, na=False)
    hours = hours.where(hours.notna() | ~part, cfg.parttime_hours)
    hours = hours.where(hours.notna() | ~full, cfg.fulltime_hours)
    return hours.astype("float64")


def resolve_inputs(store_or_frames: Any, as_of: dt.date | None) -> MatchInputs:
    """Return the inputs of a register (read as of ``as_of``), of MatchInputs or of frames."""
    if isinstance(store_or_frames, MatchInputs):
        return store_or_frames
    if isinstance(store_or_frames, Mapping):
        frames = dict(store_or_frames)
        missing = {"clients", "vacancies"} - set(frames)
        if missing:
            raise TrajecttoolsError(
                f"Voor matching ontbreken de tabellen: {', '.join(sorted(missing))}."
            )
        return MatchInputs(**{k: v for k, v in frames.items()
                              if k in {"clients", "vacancies", "skills", "barriers",
                                       "decisions", "as_of"}})
    if isinstance(store_or_frames, Store):
        return load_inputs(store_or_frames, as_of)
    raise TrajecttoolsError("Geef een register (Store), MatchInputs of tabellen (dict) op.")


__all__ = ["MatchInputs", "client_hours", "load_inputs", "resolve_inputs", "wished_hours"]
