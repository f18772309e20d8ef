"""Outcomes that count: flow, time to first job, quality of the first job, sustainable work,
revolving door, and progress on the ZRM and the participatieladder.

Every measure is a function returning a DataFrame of aggregates, one row per group (and per
month or horizon where that applies). All take ``by=`` (one or more of :data:`GROUPS`), an
``as_of`` date (facts after it are ignored: later registrations, placements, closings and benefit
periods do not exist yet) and a ``period=(start, end)`` filter (inclusive; either end may be
``None``). The period selects the event that brings a trajectory into a measure:

========================  =====================================================
measure                   a trajectory counts when ... falls in the period
========================  =====================================================
:func:`flow`              its registration or closing (per calendar month)
:func:`time_to_first_job` its registration (a registration cohort)
:func:`km_curve`          its registration
:func:`first_job_quality` the start of its first job
:func:`retention_curve`   the start of its first job
:func:`revolving_door`    the start of its first job
:func:`zrm_change`        its registration
:func:`ladder_change`     its registration
========================  =====================================================

A *first job* is the earliest placement of a job kind (every kind but the opstapbaan, as in the
``first_job_on`` column of :meth:`~trajecttools.register.store.Store.cases`) that started on or before
``as_of`` and not after the trajectory was closed.

Counts stand beside every percentage (numerator and denominator). Groups smaller than
``min_n`` (default :data:`MIN_N`) are suppressed: their figures become missing and the row gets
``suppressed = True`` (see :func:`suppress`). Pass ``min_n=None`` for the unsuppressed frame.

>>> import trajecttools as tt                                  # doctest: +SKIP
>>> from trajecttools import outcomes                          # doctest: +SKIP
>>> reg = outcomes.load(tt.open("data/demo.db"))               # doctest: +SKIP
>>> outcomes.time_to_first_job(reg, by="target_group")         # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd
from scipy import stats

from trajecttools.core import vocab

if TYPE_CHECKING:
    from trajecttools.register.store import Store

#: Groups smaller than this are suppressed in shown figures (privacy and reliability).
MIN_N: Final = 10
#: The splits funders and partners ask for, with their Dutch labels.
GROUPS: Final = MappingProxyType(
    {
        "target_group": "Doelgroep",
        "coach": "Jobcoach",
        "method": "Methode",
        "cohort": "Cohort",
        "region": "Regio",
        "team": "Team",
    }
)
#: Placement kinds that count as a job (everything but the opstapbaan, a work-experience place).
JOB_KINDS: Final = frozenset(k for k in vocab.PLACEMENT_TYPES if k != "stepping_stone")
#: Flags describing the quality of a first job (seed 001).
QUALITY_FLAGS: Final = ("temporary", "below_level", "outside_field")
#: Shown for a group whose value is missing (no coach, no region ...).
UNKNOWN: Final = "(onbekend)"
#: Months after the first job at which sustainable work is judged (seed 004: six months).
HORIZONS: Final = (6, 12)
#: How a trajectory closed without a job enters the time to a first job: ``"censor"`` (the
#: default: followed until the closing, as if its chance afterwards were that of those who
#: stay) or ``"no_job"`` (a competing outcome: it stays without a job until ``as_of``, which
#: gives the cumulative incidence of a first job — the lower, more sober curve).
CLOSING_RULES: Final = ("censor", "no_job")

DateLike = str | dt.date | pd.Timestamp
Period = tuple[DateLike | None, DateLike | None]
By = str | Sequence[str] | None

_DAYFIRST = re.compile(r"^\d{1,2}[-/.]\d{1,2}[-/.]\d{4}")
_TRAJECTORY_COLUMNS = ("trajectory_id", "client_id", "registered_at", "closed_on", "outcome")


# -- input -------------------------------------------------------------------------------------
def as_day(value: DateLike) -> pd.Timestamp:
    """Return a date (date, Timestamp, dd-mm-jjjj or jjjj-mm-dd text) as a midnight Timestamp."""
    if isinstance(value, str):
        text = value.strip()
        ts = pd.Timestamp(pd.to_datetime(text, dayfirst=bool(_DAYFIRST.match(text))))
    else:
        ts = pd.Timestamp(value)
    if ts is pd.NaT:
        raise ValueError(f"'{value}' is geen geldige datum (gebruik dd-mm-jjjj)")
    return ts.normalize()


def _dates(values: pd.Series) -> pd.Series:
    """Return a column as ``datetime64[ns]`` (text, dates or datetimes; blanks become NaT)."""
    if not pd.api.types.is_datetime64_any_dtype(values):
        values = pd.to_datetime(values, format="ISO8601", errors="coerce")
    return values.astype("datetime64[ns]")


@dataclass(eq=False)
class Register:
    """The frames the outcome measures read, loaded once and measured at any date.

    ``trajectories`` has one row a trajectory (the columns of :meth:`Store.cases` that the
    measures need: ``trajectory_id``, ``client_id``, ``registered_at``, ``closed_on``,
    ``outcome`` and the group columns that exist); ``placements`` also carries ``client_id``.
    Use :func:`load` (from a store) or :func:`from_frames` (from frames) to build one.
    """

    trajectories: pd.DataFrame
    placements: pd.DataFrame
    benefit_periods: pd.DataFrame
    zrm_assessments: pd.DataFrame
    ladder_steps: pd.DataFrame
    as_of: pd.Timestamp
    #: Dutch names of the methods (code -> name), for labels.
    method_names: Mapping[str, str] = field(default_factory=dict)
    _cache: dict[Any, pd.DataFrame] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.trajectories)

    def clear_cache(self) -> None:
        """Forget the per-date trajectory facts (after changing a frame in place)."""
        self._cache.clear()


def _empty(columns: Mapping[str, str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns.items()})


_PLACEMENT_COLUMNS = {
    "id": "int64",
    "trajectory_id": "int64",
    "kind": "object",
    "start_on": "datetime64[ns]",
    "end_on": "datetime64[ns]",
    "temporary": "boolean",
    "below_level": "boolean",
    "outside_field": "boolean",
}
_BENEFIT_COLUMNS = {
    "client_id": "int64",
    "kind": "object",
    "start_on": "datetime64[ns]",
    "end_on": "datetime64[ns]",
}
_LADDER_COLUMNS = {"id": "int64", "trajectory_id": "int64", "assessed_on": "datetime64[ns]",
                   "rung": "float64"}


def from_frames(
    cases: pd.DataFrame,
    placements: pd.DataFrame | None = None,
    benefit_periods: pd.DataFrame | None = None,
    zrm_assessments: pd.DataFrame | None = None,
    ladder_steps: pd.DataFrame | None = None,
    *,
    as_of: DateLike | None = None,
    method_names: Mapping[str, str] | None = None,
) -> Register:
    """Return a :class:`Register` built from frames shaped like ``store.cases()`` and
    ``store.frame(...)`` (extra columns are ignored, missing tables are empty)."""
    missing = [c for c in _TRAJECTORY_COLUMNS if c not in cases.columns]
    if missing:
        raise ValueError(f"Kolommen ontbreken in de trajecten: {', '.join(missing)}")
    groups = [g for g in GROUPS if g in cases.columns and g != "cohort"]
    traj = cases[[*_TRAJECTORY_COLUMNS, *groups]].copy()
    traj["registered_at"] = _dates(traj["registered_at"])
    traj["closed_on"] = _dates(traj["closed_on"]).dt.normalize()
    traj["outcome"] = traj["outcome"].astype("object")
    traj["cohort"] = traj["registered_at"].dt.year.astype("Int64")
    for g in groups:  # categoricals: the code-list order, else sorted; the same from any source
        if isinstance(traj[g].dtype, pd.CategoricalDtype):
            continue
        if g == "target_group":
            found = [v for v in pd.unique(traj[g].dropna()) if v not in vocab.TARGET_GROUPS]
            traj[g] = pd.Categorical(traj[g], categories=[*vocab.TARGET_GROUPS, *sorted(found)])
        else:
            traj[g] = traj[g].astype("object").astype("category")
    for col in ("trajectory_id", "client_id"):
        traj[col] = traj[col].astype("int64")

    place = _empty(_PLACEMENT_COLUMNS) if placements is None else placements.copy()
    if "id" not in place.columns:
        place["id"] = np.arange(len(place), dtype="int64")
    for col in ("end_on", *QUALITY_FLAGS):
        if col not in place.columns:
            place[col] = pd.NA
    place = place[list(_PLACEMENT_COLUMNS)].copy()
    place["kind"] = place["kind"].astype("object")
    for col in ("start_on", "end_on"):
        place[col] = _dates(place[col]).dt.normalize()
    for col in QUALITY_FLAGS:
        place[col] = place[col].astype("boolean")
    client_of = pd.Series(traj["client_id"].to_numpy(), index=traj["trajectory_id"].to_numpy())
    place["client_id"] = place["trajectory_id"].map(client_of).astype("Int64")

    ben = _empty(_BENEFIT_COLUMNS) if benefit_periods is None else benefit_periods.copy()
    if "end_on" not in ben.columns:
        ben["end_on"] = pd.NaT
    ben = ben[list(_BENEFIT_COLUMNS)].copy()
    ben["kind"] = ben["kind"].astype("object")
    for col in ("start_on", "end_on"):
        ben[col] = _dates(ben[col]).dt.normalize()

    domains = list(vocab.ZRM_DOMAINS)
    zrm_types = {"id": "int64", "trajectory_id": "int64", "assessed_on": "datetime64[ns]",
                 **dict.fromkeys(domains, "float64")}
    zrm = _empty(zrm_types) if zrm_assessments is None else zrm_assessments.copy()
    if "id" not in zrm.columns:
        zrm["id"] = np.arange(len(zrm), dtype="int64")
    for d in domains:
        if d not in zrm.columns:
            zrm[d] = np.nan
    zrm = zrm[list(zrm_types)].copy()
    zrm["assessed_on"] = _dates(zrm["assessed_on"]).dt.normalize()
    zrm[domains] = zrm[domains].astype("float64")

    lad = _empty(_LADDER_COLUMNS) if ladder_steps is None else ladder_steps.copy()
    if "id" not in lad.columns:
        lad["id"] = np.arange(len(lad), dtype="int64")
    lad = lad[list(_LADDER_COLUMNS)].copy()
    lad["assessed_on"] = _dates(lad["assessed_on"]).dt.normalize()
    lad["rung"] = lad["rung"].astype("float64")

    day = as_day(as_of) if as_of is not None else pd.Timestamp.today().normalize()
    return Register(traj, place, ben, zrm, lad, day, dict(method_names or {}))


def load(store: Store, as_of: DateLike | None = None) -> Register:
    """Read what the outcome measures need from a register (no names, no pseudonyms)."""
    from trajecttools.register.sql import read_sql

    trajectories = read_sql(
        store,
        "SELECT t.id AS trajectory_id, t.client_id, t.registered_at, t.closed_on, t.outcome,"
        " t.method, c.target_group, c.region, co.name AS coach, tm.name AS team"
        " FROM trajectories t JOIN clients c ON c.id = t.client_id"
        " LEFT JOIN coaches co ON co.id = t.coach_id"
        " LEFT JOIN teams tm ON tm.id = co.team_id ORDER BY t.id",
    )
    methods = store.methods()
    trajectories["target_group"] = pd.Categorical(
        trajectories["target_group"], categories=list(vocab.TARGET_GROUPS)
    )
    trajectories["method"] = pd.Categorical(trajectories["method"], categories=list(methods))
    for col in ("region", "coach", "team"):
        trajectories[col] = trajectories[col].astype("category")
    placements = read_sql(
        store,
        "SELECT id, trajectory_id, kind, start_on, end_on, temporary, below_level, outside_field"
        " FROM placements",
    )
    benefits = read_sql(
        store, "SELECT client_id, kind, start_on, end_on FROM benefit_periods WHERE kind <> 'none'"
    )
    zrm = read_sql(
        store,
        f"SELECT id, trajectory_id, assessed_on, {', '.join(vocab.ZRM_DOMAINS)}"
        " FROM zrm_assessments",
    )
    ladder = read_sql(store, "SELECT id, trajectory_id, assessed_on, rung FROM ladder_steps")
    names = {code: m.method.name for code, m in methods.items()}
    return from_frames(
        trajectories,
        placements,
        benefits,
        zrm,
        ladder,
        as_of=as_of if as_of is not None else store.today,
        method_names=names,
    )


def _register(data: Register | Store, as_of: DateLike | None) -> tuple[Register, pd.Timestamp]:
    reg = data if isinstance(data, Register) else load(data, as_of)
    return reg, as_day(as_of) if as_of is not None else reg.as_of


def _by(by: By, reg: Register) -> list[str]:
    keys = [by] if isinstance(by, str) else list(by or [])
    for key in keys:
        if key not in GROUPS:
            known = ", ".join(GROUPS)
            raise ValueError(f"Onbekende uitsplitsing '{key}'; mogelijk zijn: {known}")
        if key not in reg.trajectories.columns:
            raise ValueError(f"Uitsplitsing '{key}' ontbreekt in de gegevens")
    if len(set(keys)) != len(keys):
        raise ValueError("Een uitsplitsing staat er dubbel in")
    return keys


def _period(period: Period | None) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    if period is None:
        return None, None
    start, end = period
    lo = as_day(start) if start is not None else None
    hi = as_day(end) if end is not None else None
    if lo is not None and hi is not None and hi < lo:
        raise ValueError("Het einde van de periode ligt voor het begin")
    return lo, hi


def _in_period(values: pd.Series, period: Period | None) -> pd.Series:
    lo, hi = _period(period)
    mask = values.notna()
    if lo is not None:
        mask &= values >= lo
    if hi is not None:
        mask &= values <= hi
    return mask


# -- the facts of each trajectory on a date ------------------------------------------------------
def facts(data: Register | Store, as_of: DateLike | None = None) -> pd.DataFrame:
    """Return one row a trajectory registered on or before ``as_of`` with its outcome facts.

    Columns: ``trajectory_id``, ``client_id``, the group columns, ``registered_on``,
    ``closed_on`` and ``outcome`` (only when closed by ``as_of``), the first job
    (``first_job_on``, ``first_job_kind`` and the quality flags), ``placed`` (found a first
    job), and ``days`` — days from registration to the first job, or to the censoring date
    (closing without a job, or ``as_of`` while still open). Computed once per date.
    """
    reg, day = _register(data, as_of)
    key = ("facts", day)
    if key in reg._cache:
        return reg._cache[key]
    traj = reg.trajectories
    registered = traj["registered_at"].dt.normalize()
    keep = (registered <= day).to_numpy()
    groups = [g for g in GROUPS if g in traj.columns]
    out = traj.loc[keep, ["trajectory_id", "client_id", *groups]].reset_index(drop=True)
    for g in groups:
        col = out[g]
        if col.isna().any():
            if isinstance(col.dtype, pd.CategoricalDtype):
                if UNKNOWN not in col.cat.categories:
                    col = col.cat.add_categories([UNKNOWN])
                out[g] = col.fillna(UNKNOWN)
            elif g != "cohort":
                out[g] = col.astype("object").fillna(UNKNOWN)
    out["registered_on"] = registered[keep].to_numpy()
    closed = traj.loc[keep, "closed_on"].to_numpy()
    closed = np.where(closed <= day.to_datetime64(), closed, np.datetime64("NaT"))
    out["closed_on"] = pd.Series(closed, dtype="datetime64[ns]")
    out["outcome"] = traj.loc[keep, "outcome"].to_numpy()
    out.loc[out["closed_on"].isna(), "outcome"] = None

    place = reg.placements
    jobs = place[place["kind"].isin(JOB_KINDS).to_numpy() & (place["start_on"] <= day).to_numpy()]
    jobs = jobs.sort_values(["trajectory_id", "start_on", "id"], kind="stable")
    first = jobs.drop_duplicates("trajectory_id", keep="first").set_index("trajectory_id")
    idx = pd.Index(first.index)
    pos = idx.get_indexer(out["trajectory_id"])
    found = pos >= 0
    start = np.full(len(out), np.datetime64("NaT"), dtype="datetime64[ns]")
    start[found] = first["start_on"].to_numpy()[pos[found]]
    late = ~np.isnat(start) & (start > out["closed_on"].to_numpy())  # NaT compares False
    start[late] = np.datetime64("NaT")
    found &= ~late
    out["first_job_on"] = pd.Series(start, dtype="datetime64[ns]")
    kind = np.full(len(out), None, dtype=object)
    kind[found] = first["kind"].to_numpy()[pos[found]]
    out["first_job_kind"] = kind
    for flag in QUALITY_FLAGS:
        values = pd.array([pd.NA] * len(out), dtype="boolean")
        values[found] = first[flag].to_numpy()[pos[found]]
        out[flag] = values
    out["placed"] = found
    end = out["closed_on"].fillna(day)
    stop = out["first_job_on"].where(out["placed"], end)
    out["days"] = (stop - out["registered_on"]).dt.days.clip(lower=0).astype("int64")
    reg._cache[key] = out
    return out


# -- grouping helpers ---------------------------------------------------------------------------
_ALL = "_all"


def _keys(df: pd.DataFrame, by: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """Return the frame with a constant key when there is no split, and the key columns."""
    if by:
        return df, by
    return df.assign(**{_ALL: "Totaal"}), [_ALL]


def _codes(df: pd.DataFrame, keys: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Return each row's group number and one row a group (the key values), in group order.

    Without a split there is always one group (the total), even when no row counts.
    """
    if keys == [_ALL] and df.empty:
        return np.zeros(0, dtype="int64"), pd.DataFrame({_ALL: ["Totaal"]})
    grouped = df.groupby(keys, observed=True, sort=True, dropna=False)
    codes = grouped.ngroup().to_numpy()
    index = grouped.size().index
    groups = index.to_frame(index=False) if len(keys) > 1 else pd.DataFrame({keys[0]: index})
    for key in keys:  # keep the categorical order of the input
        if isinstance(df[key].dtype, pd.CategoricalDtype):
            groups[key] = pd.Categorical(groups[key], categories=df[key].cat.categories)
    return codes, groups


def _finish(
    out: pd.DataFrame, by: list[str], rules: Mapping[str, Sequence[str]], min_n: int | None
) -> pd.DataFrame:
    out = out.drop(columns=[_ALL], errors="ignore").reset_index(drop=True)
    out.attrs["suppress"] = {k: list(v) for k, v in rules.items()}
    out.attrs["by"] = list(by)
    return suppress(out, min_n=min_n)


def _pct(numerator: Any, denominator: Any) -> np.ndarray:
    num = np.asarray(numerator, dtype="float64")
    den = np.asarray(denominator, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, 100.0 * num / den, np.nan)


# -- suppression --------------------------------------------------------------------------------
def suppress(
    df: pd.DataFrame,
    min_n: int | None = MIN_N,
    rules: Mapping[str, Sequence[str]] | None = None,
) -> pd.DataFrame:
    """Return a copy with the figures of small groups made missing and a ``suppressed`` flag.

    ``rules`` maps a denominator column to the columns computed from it (default: the
    ``suppress`` rules the measure put in ``df.attrs``). Where a denominator is below
    ``min_n``, it and its columns become missing (NaN, or ``<NA>`` for counts); the row's
    ``suppressed`` is True when any figure in it was hidden. ``min_n`` None or 0 hides nothing.

    >>> df = pd.DataFrame({"n": [3, 40], "placed": [1, 20], "pct": [33.3, 50.0]})
    >>> suppress(df, 10, {"n": ["placed", "pct"]})[["n", "pct", "suppressed"]]
          n   pct  suppressed
    0  <NA>   NaN        True
    1    40  50.0       False
    """
    rules = dict(rules if rules is not None else df.attrs.get("suppress", {}))
    out = df.copy()
    out.attrs = dict(df.attrs)
    hidden = np.zeros(len(out), dtype=bool)
    masks = {}
    if min_n:
        for denominator in rules:
            values = pd.to_numeric(df[denominator], errors="coerce").to_numpy(dtype="float64",
                                                                              na_value=np.nan)
            masks[denominator] = np.nan_to_num(values, nan=0.0) < min_n
    for denominator, columns in rules.items():
        mask = masks.get(denominator)
        if mask is None or not mask.any():
            continue
        hidden |= mask
        for col in (denominator, *columns):
            if pd.api.types.is_integer_dtype(out[col].dtype):
                out[col] = out[col].astype("Int64")
            elif pd.api.types.is_bool_dtype(out[col].dtype):
                out[col] = out[col].astype("boolean")
            out.loc[mask, col] = pd.NA if out[col].dtype.kind not in "fc" else np.nan
    previous = df["suppressed"].to_numpy(dtype=bool) if "suppressed" in df else False
    out["suppressed"] = hidden | previous
    out.attrs["min_n"] = min_n
    return out


# -- flow ---------------------------------------------------------------------------------------
def flow(
    data: Register | Store,
    by: By = None,
    *,
    period: Period | None = None,
    as_of: DateLike | None = None,
    min_n: int | None = MIN_N,
) -> pd.DataFrame:
    """Return inflow and outflow per calendar month (and per group).

    Columns: the group columns, ``month`` (first day), ``inflow`` (registrations),
    ``outflow`` (closings), ``outflow_work`` (closings with outcome work), ``open_at_end``
    (open trajectories at the end of the month, or on ``as_of`` for its own month) and ``n``:
    the group's trajectories registered or closed in the period, which decides suppression.
    Months run from the period's start (default: the first registration) to its end or
    ``as_of``; months without movement show zeros.
    """
    reg, day = _register(data, as_of)
    keys_by = _by(by, reg)
    f, keys = _keys(facts(reg, day), keys_by)
    lo, hi = _period(period)
    last = min(hi, day) if hi is not None else day
    reg_month = f["registered_on"].to_numpy().astype("datetime64[M]")
    close_month = f["closed_on"].to_numpy().astype("datetime64[M]")
    codes, groups = _codes(f, keys)
    n_groups = len(groups)
    first_month = reg_month.min() if len(f) else np.datetime64(last, "M")
    start_month = np.datetime64(lo, "M") if lo is not None else first_month
    end_month = np.datetime64(last, "M")
    origin = min(first_month, start_month)
    months = np.arange(origin, end_month + 1)
    n_months = len(months)
    closed = ~np.isnat(close_month)
    work = closed & (f["outcome"].to_numpy() == "work")

    def counts(mask: np.ndarray, month: np.ndarray) -> np.ndarray:
        pos = (month[mask] - origin).astype("int64")
        ok = (pos >= 0) & (pos < n_months)
        flat = codes[mask][ok] * n_months + pos[ok]
        return np.bincount(flat, minlength=n_groups * n_months).reshape(n_groups, n_months)

    everyone = np.ones(len(f), dtype=bool)
    inflow = counts(everyone, reg_month)
    outflow = counts(closed, close_month)
    outflow_work = counts(work, close_month)
    open_end = np.cumsum(inflow, axis=1) - np.cumsum(outflow, axis=1)
    shown = months >= start_month
    in_period = _in_period(f["registered_on"], period) | _in_period(f["closed_on"], period)
    n = np.bincount(codes[in_period.to_numpy()], minlength=n_groups)
    n_shown = int(shown.sum())
    out = groups.loc[np.repeat(np.arange(n_groups), n_shown)].reset_index(drop=True)
    out["month"] = pd.to_datetime(np.tile(months[shown], n_groups)).astype("datetime64[ns]")
    out["inflow"] = inflow[:, shown].ravel()
    out["outflow"] = outflow[:, shown].ravel()
    out["outflow_work"] = outflow_work[:, shown].ravel()
    out["open_at_end"] = open_end[:, shown].ravel()
    out["n"] = np.repeat(n, n_shown)
    rules = {"n": ["inflow", "outflow", "outflow_work", "open_at_end"]}
    return _finish(out, keys_by, rules, min_n)


# -- time to first job (Kaplan-Meier) -----------------------------------------------------------
def _km_table(f: pd.DataFrame, keys: list[str], alpha: float = 0.05) -> pd.DataFrame:
    """Return the Kaplan-Meier table per group: one row per distinct time, with S(t) and its
    pointwise confidence band (Greenwood variance, log-log transform)."""
    tab = (
        f.groupby([*keys, "days"], observed=True, sort=True)["placed"]
        .agg(events="sum", removed="size")
        .reset_index()
    )
    tab["events"] = tab["events"].astype("int64")
    grp = tab.groupby(keys, observed=True, sort=False)
    n_group = grp["removed"].transform("sum")
    tab["at_risk"] = (n_group - grp["removed"].cumsum() + tab["removed"]).astype("int64")
    tab["censored"] = tab["removed"] - tab["events"]
    at_risk = tab["at_risk"].to_numpy(dtype="float64")
    events = tab["events"].to_numpy(dtype="float64")
    tab["survival"] = pd.Series(1.0 - events / at_risk, index=tab.index).groupby(
        [tab[k] for k in keys], observed=True, sort=False
    ).cumprod()
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(at_risk > events, events / (at_risk * (at_risk - events)), np.inf)
        term = np.where(events == 0, 0.0, term)
    greenwood = pd.Series(term, index=tab.index).groupby(
        [tab[k] for k in keys], observed=True, sort=False
    ).cumsum().to_numpy()
    surv = tab["survival"].to_numpy()
    z = float(stats.norm.ppf(1 - alpha / 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        log_s = np.log(surv)
        sigma = np.sqrt(greenwood) / np.abs(log_s)
        low = surv ** np.exp(z * sigma)
        high = surv ** np.exp(-z * sigma)
    inside = (surv > 0) & (surv < 1) & np.isfinite(sigma)
    tab["ci_low"] = np.where(inside, low, np.where(surv >= 1, 1.0, 0.0))
    tab["ci_high"] = np.where(inside, high, np.where(surv >= 1, 1.0, 0.0))
    tab.loc[(surv < 1) & ~inside & (surv > 0), ["ci_low", "ci_high"]] = np.nan
    return tab.drop(columns=["removed"])


def _first_time_below(tab: pd.DataFrame, keys: list[str], column: str,
                      level: float) -> pd.Series:
    hit = tab[tab[column] <= level]
    return hit.groupby(keys, observed=True, sort=False)["days"].min()


def _survival_at(tab: pd.DataFrame, keys: list[str], days: int) -> pd.Series:
    """S(days) per group; missing when the group's follow-up ends before ``days``."""
    before = tab[tab["days"] <= days].groupby(keys, observed=True, sort=False)["survival"].last()
    reach = tab.groupby(keys, observed=True, sort=False)["days"].max()
    value = before.reindex(reach.index).fillna(1.0)
    return value.where(reach >= days)


def _durations(f: pd.DataFrame, day: pd.Timestamp, closed_without_job: str) -> pd.DataFrame:
    """Return ``f`` with ``days`` following the closing rule (see :data:`CLOSING_RULES`)."""
    if closed_without_job not in CLOSING_RULES:
        raise ValueError(f"closed_without_job moet een van {', '.join(CLOSING_RULES)} zijn")
    if closed_without_job == "censor":
        return f
    to_day = (day - f["registered_on"]).dt.days.clip(lower=0)
    gone = (~f["placed"] & f["closed_on"].notna()).to_numpy()
    return f.assign(days=np.where(gone, to_day, f["days"]).astype("int64"))


def time_to_first_job(
    data: Register | Store,
    by: By = None,
    *,
    period: Period | None = None,
    as_of: DateLike | None = None,
    min_n: int | None = MIN_N,
    alpha: float = 0.05,
    closed_without_job: str = "censor",
) -> pd.DataFrame:
    """Return the time from registration to the first job per group, by Kaplan-Meier.

    Trajectories without a job are censored: at closing when closed without work, at
    ``as_of`` while open. Columns: the group columns, ``n`` (trajectories registered in the
    period), ``events`` (found a first job), ``censored``, ``median_days`` (first day on which
    the share still without a job is at most one half; missing when that is not reached),
    ``median_low``/``median_high`` (its ``1 - alpha`` confidence interval), ``job_6m_pct`` and
    ``job_12m_pct`` (estimated share with a job 182 and 365 days after registration) and
    ``naive_mean_days``: the mean over those who found work only — biased low, shown to
    explain why the median is the figure to use. ``closed_without_job`` chooses how a
    trajectory closed without a job counts (:data:`CLOSING_RULES`).
    """
    reg, day = _register(data, as_of)
    keys_by = _by(by, reg)
    f = facts(reg, day)
    f = _durations(f[_in_period(f["registered_on"], period).to_numpy()], day, closed_without_job)
    f, keys = _keys(f, keys_by)
    codes, groups = _codes(f, keys)
    out = groups.copy()
    n = np.bincount(codes, minlength=len(groups))
    placed = f["placed"].to_numpy()
    events = np.bincount(codes[placed], minlength=len(groups))
    out["n"] = n
    out["events"] = events
    out["censored"] = n - events
    if len(f):
        tab = _km_table(f, keys, alpha)
        index = pd.MultiIndex.from_frame(groups) if len(keys) > 1 else pd.Index(groups[keys[0]])
        med = _first_time_below(tab, keys, "survival", 0.5).reindex(index)
        low = _first_time_below(tab, keys, "ci_low", 0.5).reindex(index)
        high = _first_time_below(tab, keys, "ci_high", 0.5).reindex(index)
        s6 = _survival_at(tab, keys, 182).reindex(index)
        s12 = _survival_at(tab, keys, 365).reindex(index)
        out["median_days"] = med.to_numpy(dtype="float64")
        out["median_low"] = low.to_numpy(dtype="float64")
        out["median_high"] = high.to_numpy(dtype="float64")
        out["job_6m_pct"] = 100.0 * (1.0 - s6.to_numpy(dtype="float64"))
        out["job_12m_pct"] = 100.0 * (1.0 - s12.to_numpy(dtype="float64"))
    else:
        for col in ("median_days", "median_low", "median_high", "job_6m_pct", "job_12m_pct"):
            out[col] = np.full(len(out), np.nan)
    days = f["days"].to_numpy(dtype="float64")
    total = np.bincount(codes[placed], weights=days[placed], minlength=len(groups))
    with np.errstate(divide="ignore", invalid="ignore"):
        out["naive_mean_days"] = np.where(events > 0, total / np.maximum(events, 1), np.nan)
    rules = {"n": ["events", "censored", "median_days", "median_low", "median_high",
                   "job_6m_pct", "job_12m_pct", "naive_mean_days"]}
    return _finish(out, keys_by, rules, min_n)


def km_curve(
    data: Register | Store,
    by: By = None,
    *,
    period: Period | None = None,
    as_of: DateLike | None = None,
    grid: Iterable[int] | None = None,
    min_n: int | None = MIN_N,
    alpha: float = 0.05,
    closed_without_job: str = "censor",
) -> pd.DataFrame:
    """Return the Kaplan-Meier curve of "still without a first job" per group.

    Without ``grid``: one row per distinct time (a first row at day 0 with survival 1), with
    ``at_risk``, ``events``, ``censored``, ``survival`` and its confidence band ``ci_low`` /
    ``ci_high``; ``job_pct`` is ``100 * (1 - survival)``. With ``grid`` (days, e.g. every 7):
    the step function read at those days, up to each group's last observed day — a fixed,
    small number of rows whatever the register's size (for charts). ``n`` is the group size.
    ``closed_without_job``: see :func:`time_to_first_job`.
    """
    reg, day = _register(data, as_of)
    keys_by = _by(by, reg)
    f = facts(reg, day)
    f = _durations(f[_in_period(f["registered_on"], period).to_numpy()], day, closed_without_job)
    f, keys = _keys(f, keys_by)
    codes, groups = _codes(f, keys)
    cols = ["days", "at_risk", "events", "censored", "survival", "ci_low", "ci_high"]
    if not len(f):
        out = groups.assign(**{c: pd.Series(dtype="float64") for c in cols})
        out["n"] = pd.Series(dtype="int64")
        out["job_pct"] = pd.Series(dtype="float64")
        return _finish(out, keys_by, {"n": [*cols[1:], "job_pct"]}, min_n)
    tab = _km_table(f, keys, alpha)
    n = pd.Series(np.bincount(codes, minlength=len(groups)))
    start = groups.assign(days=0, at_risk=n.to_numpy(), events=0, censored=0,
                          survival=1.0, ci_low=1.0, ci_high=1.0)
    has_zero = tab.loc[tab["days"] == 0, keys].drop_duplicates()
    start = start.merge(has_zero, on=keys, how="left", indicator=True)
    start = start[start["_merge"] == "left_only"].drop(columns="_merge")
    tab = pd.concat([start, tab], ignore_index=True)
    tab = tab.sort_values([*keys, "days"], kind="stable").reset_index(drop=True)
    if grid is not None:
        points = np.unique(np.asarray(list(grid), dtype="int64"))
        reach = tab.groupby(keys, observed=True, sort=False)["days"].max().rename("reach")
        frame = groups.merge(pd.DataFrame({"days": points}), how="cross")
        frame = frame.merge(reach.reset_index(), on=keys)
        frame = frame[frame["days"] <= frame["reach"]].drop(columns="reach")
        frame = frame.sort_values("days", kind="stable")
        table = tab.sort_values("days", kind="stable")
        back = pd.merge_asof(frame, table[[*keys, "days", "survival", "ci_low", "ci_high"]],
                             on="days", by=keys, direction="backward")
        ahead = pd.merge_asof(frame, table[[*keys, "days", "at_risk"]], on="days", by=keys,
                              direction="forward")
        back["at_risk"] = ahead["at_risk"].fillna(0).astype("int64").to_numpy()
        tab = back.sort_values([*keys, "days"], kind="stable").reset_index(drop=True)
        code_of = pd.DataFrame(groups).assign(_n=n.to_numpy())
        tab = tab.merge(code_of, on=keys, how="left").rename(columns={"_n": "n"})
    else:
        tab = tab.merge(groups.assign(n=n.to_numpy()), on=keys, how="left")
    tab["n"] = tab["n"].astype("int64")
    tab["job_pct"] = 100.0 * (1.0 - tab["survival"])
    keep = [*keys, "n", "days", "at_risk"]
    keep += [c for c in ("events", "censored") if c in tab.columns]
    keep += ["survival", "ci_low", "ci_high", "job_pct"]
    out = tab[keep]
    rules = {"n": [c for c in keep if c not in (*keys, "n", "days")]}
    return _finish(out, keys_by, rules, min_n)


# -- quality of the first job -------------------------------------------------------------------
def first_job_quality(
    data: Register | Store,
    by: By = None,
    *,
    period: Period | None = None,
    as_of: DateLike | None = None,
    min_n: int | None = MIN_N,
) -> pd.DataFrame:
    """Return how many first jobs were temporary, below level or outside the field of study.

    Columns: the group columns, ``first_jobs`` (first jobs started in the period), and per
    flag ``<flag>`` (count), ``<flag>_known`` (first jobs where the flag was recorded, the
    denominator) and ``<flag>_pct``.
    """
    reg, day = _register(data, as_of)
    keys_by = _by(by, reg)
    f = facts(reg, day)
    f = f[(f["placed"] & _in_period(f["first_job_on"], period)).to_numpy()]
    f, keys = _keys(f, keys_by)
    codes, groups = _codes(f, keys)
    out = groups.copy()
    out["first_jobs"] = np.bincount(codes, minlength=len(groups))
    rules: dict[str, list[str]] = {"first_jobs": []}
    for flag in QUALITY_FLAGS:
        values = f[flag]
        known = values.notna().to_numpy()
        yes = values.fillna(False).to_numpy(dtype=bool)
        count = np.bincount(codes[yes], minlength=len(groups))
        den = np.bincount(codes[known], minlength=len(groups))
        out[flag] = count
        out[f"{flag}_known"] = den
        out[f"{flag}_pct"] = _pct(count, den)
        rules[f"{flag}_known"] = [flag, f"{flag}_pct"]
        rules["first_jobs"] += [flag, f"{flag}_known", f"{flag}_pct"]
    return _finish(out, keys_by, rules, min_n)


# -- sustainable work ---------------------------------------------------------------------------
def add_months(days: np.ndarray, months: Iterable[int]) -> np.ndarray:
    """Return each date plus each number of months (end-of-month clipped: 31-01 + 1 = 28/29-02).

    ``days`` is a 1-d ``datetime64`` array; the result has shape ``(len(days), len(months))``.

    >>> add_months(np.array(["2025-01-31"], dtype="datetime64[D]"), [1, 6])
    array([['2025-02-28', '2025-07-31']], dtype='datetime64[D]')
    """
    d = np.asarray(days, dtype="datetime64[D]")
    steps = np.asarray(list(months), dtype="int64")
    month = d.astype("datetime64[M]")
    offset = (d - month.astype("datetime64[D]")).astype("int64")
    target = month[:, None] + steps[None, :]
    length = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(
        "int64"
    )
    return target.astype("datetime64[D]") + np.minimum(offset[:, None], length - 1)


def _covered(rows: np.ndarray, clients: np.ndarray, when: np.ndarray,
             intervals: pd.DataFrame) -> np.ndarray:
    """Tell, per row and moment, whether the row's client has an interval covering it.

    ``when`` has shape (rows, moments); ``intervals`` has ``client_id``, ``start_on`` and
    ``end_on`` (open end: NaT). Inclusive at both ends.
    """
    result = np.zeros(when.shape, dtype=bool)
    if not len(rows) or intervals.empty:
        return result
    left = pd.DataFrame({"row": rows, "client_id": clients})
    pairs = left.merge(intervals, on="client_id", how="inner")
    if pairs.empty:
        return result
    r = pairs["row"].to_numpy()
    start = pairs["start_on"].to_numpy().astype("datetime64[D]")
    end = pairs["end_on"].to_numpy().astype("datetime64[D]")
    end = np.where(np.isnat(end), np.datetime64("9999-12-31"), end)
    moments = when[r]
    hit = (start[:, None] <= moments) & (moments <= end[:, None])
    np.logical_or.at(result, r, hit)
    return result


def _job_intervals(reg: Register, day: pd.Timestamp) -> pd.DataFrame:
    place = reg.placements
    mask = place["kind"].isin(JOB_KINDS).to_numpy() & (place["start_on"] <= day).to_numpy()
    jobs = place.loc[mask & place["client_id"].notna().to_numpy(),
                     ["client_id", "start_on", "end_on"]]
    return jobs.astype({"client_id": "int64"})


def _benefit_intervals(reg: Register, day: pd.Timestamp) -> pd.DataFrame:
    ben = reg.benefit_periods
    mask = (ben["kind"] != "none").to_numpy() & (ben["start_on"] <= day).to_numpy()
    return ben.loc[mask, ["client_id", "start_on", "end_on"]]


def retention_curve(
    data: Register | Store,
    by: By = None,
    *,
    months: Iterable[int] = range(25),
    period: Period | None = None,
    as_of: DateLike | None = None,
    min_n: int | None = MIN_N,
) -> pd.DataFrame:
    """Return, per group and number of months after the first job, who is still at work and
    benefit-independent.

    For each first job started in the period and each horizon ``m`` (months), the moment is
    the job's start plus ``m`` months. Only first jobs whose moment has passed by ``as_of``
    count (``eligible``, the denominator — later horizons have fewer). At that moment a client
    is ``at_work`` when any job placement of theirs covers it, ``benefit_free`` when no benefit
    period covers it, and ``sustained`` when both. Each count has its ``_pct``.
    """
    reg, day = _register(data, as_of)
    keys_by = _by(by, reg)
    f = facts(reg, day)
    f = f[(f["placed"] & _in_period(f["first_job_on"], period)).to_numpy()].reset_index(drop=True)
    f, keys = _keys(f, keys_by)
    codes, groups = _codes(f, keys)
    steps = np.asarray(list(months), dtype="int64")
    n_groups, n_steps = len(groups), len(steps)
    start = f["first_job_on"].to_numpy().astype("datetime64[D]")
    when = add_months(start, steps)
    eligible = when <= np.datetime64(day.date(), "D")
    rows = np.arange(len(f))
    clients = f["client_id"].to_numpy(dtype="int64")
    at_work = _covered(rows, clients, when, _job_intervals(reg, day)) & eligible
    on_benefit = _covered(rows, clients, when, _benefit_intervals(reg, day))
    benefit_free = eligible & ~on_benefit
    sustained = at_work & benefit_free
    flat = (codes[:, None] * n_steps + np.arange(n_steps)[None, :])

    def tally(mask: np.ndarray) -> np.ndarray:
        return np.bincount(flat[mask], minlength=n_groups * n_steps)

    out = groups.loc[np.repeat(np.arange(n_groups), n_steps)].reset_index(drop=True)
    out["months"] = np.tile(steps, n_groups)
    out["eligible"] = tally(eligible)
    rules: dict[str, list[str]] = {"eligible": []}
    for name, mask in (("at_work", at_work), ("benefit_free", benefit_free),
                       ("sustained", sustained)):
        count = tally(mask)
        out[name] = count
        out[f"{name}_pct"] = _pct(count, out["eligible"])
        rules["eligible"] += [name, f"{name}_pct"]
    return _finish(out, keys_by, rules, min_n)


def retention(
    data: Register | Store,
    by: By = None,
    *,
    months: Iterable[int] = HORIZONS,
    period: Period | None = None,
    as_of: DateLike | None = None,
    min_n: int | None = MIN_N,
) -> pd.DataFrame:
    """Return who is still at work and benefit-independent 6 and 12 months after the first job.

    The same figures as :func:`retention_curve`, at the horizons of seed 004 (six months) and
    one year.
    """
    return retention_curve(data, by, months=months, period=period, as_of=as_of, min_n=min_n)


def revolving_door(
    data: Register | Store,
    by: By = None,
    *,
    within_months: int = 12,
    period: Period | None = None,
    as_of: DateLike | None = None,
    min_n: int | None = MIN_N,
) -> pd.DataFrame:
    """Return how many placed clients were back on a benefit within ``within_months``.

    A revolving-door client (draaideurklant) found a first job and then had a benefit period
    start after the job's start and at most ``within_months`` months later. Only first jobs
    whose window has passed by ``as_of`` count (``placed``, the denominator); ``returned`` is
    the count and ``returned_pct`` the share.
    """
    reg, day = _register(data, as_of)
    keys_by = _by(by, reg)
    f = facts(reg, day)
    f = f[(f["placed"] & _in_period(f["first_job_on"], period)).to_numpy()].reset_index(drop=True)
    f, keys = _keys(f, keys_by)
    codes, groups = _codes(f, keys)
    start = f["first_job_on"].to_numpy().astype("datetime64[D]")
    window_end = add_months(start, [within_months])[:, 0]
    eligible = window_end <= np.datetime64(day.date(), "D")
    benefits = _benefit_intervals(reg, day)
    returned = np.zeros(len(f), dtype=bool)
    if len(f) and not benefits.empty:
        left = pd.DataFrame({"row": np.arange(len(f)), "client_id": f["client_id"].to_numpy()})
        pairs = left.merge(benefits[["client_id", "start_on"]], on="client_id")
        r = pairs["row"].to_numpy()
        b_start = pairs["start_on"].to_numpy().astype("datetime64[D]")
        hit = (b_start > start[r]) & (b_start <= window_end[r])
        returned[r[hit]] = True
    returned &= eligible
    out = groups.copy()
    out["placed"] = np.bincount(codes[eligible], minlength=len(groups))
    out["returned"] = np.bincount(codes[returned], minlength=len(groups))
    out["returned_pct"] = _pct(out["returned"], out["placed"])
    return _finish(out, keys_by, {"placed": ["returned", "returned_pct"]}, min_n)


# -- progress: ZRM and participatieladder -------------------------------------------------------
def _first_last(reg: Register, table: str, f: pd.DataFrame,
                day: pd.Timestamp) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return, for trajectories in ``f`` with at least two measurements on different dates by
    ``day``: the positions (in the measurement table) of the first and the last one, and each
    trajectory's row in ``f``. The ordering is computed once per table and date."""
    key = ("first_last", table, day)
    if key not in reg._cache:
        m: pd.DataFrame = getattr(reg, table)
        tid = m["trajectory_id"].to_numpy(dtype="int64")
        when = m["assessed_on"].to_numpy().astype("datetime64[D]").astype("int64")
        ident = m["id"].to_numpy(dtype="int64")
        pos = np.flatnonzero(when <= np.datetime64(day.date(), "D").astype("int64"))
        order = pos[np.lexsort((ident[pos], when[pos], tid[pos]))]
        sorted_tid = tid[order]
        change = np.r_[True, sorted_tid[1:] != sorted_tid[:-1]][: len(order)]
        starts = np.flatnonzero(change)
        ends = np.r_[starts[1:], len(order)].astype("int64")[: len(starts)] - 1
        first, last = order[starts], order[ends]
        ok = when[last] > when[first]
        reg._cache[key] = pd.DataFrame(
            {"first": first[ok], "last": last[ok]}, index=pd.Index(sorted_tid[starts][ok])
        )
    pairs = reg._cache[key]
    rows = pd.Index(f["trajectory_id"]).get_indexer(pairs.index)
    keep = rows >= 0
    return (pairs["first"].to_numpy()[keep], pairs["last"].to_numpy()[keep], rows[keep])


def _zrm_matrix(reg: Register) -> np.ndarray:
    """Return the ZRM scores as a float matrix (assessments x domains, NaN where unscored)."""
    key = ("zrm_matrix",)
    if key not in reg._cache:
        values = reg.zrm_assessments[list(vocab.ZRM_DOMAINS)].to_numpy(dtype="float64")
        reg._cache[key] = values  # type: ignore[assignment]
    return reg._cache[key]  # type: ignore[return-value]


def zrm_change(
    data: Register | Store,
    by: By = None,
    *,
    period: Period | None = None,
    as_of: DateLike | None = None,
    min_n: int | None = MIN_N,
) -> pd.DataFrame:
    """Return the change in the mean ZRM score between a trajectory's first and last assessment.

    A trajectory counts when it has two assessments on different dates by ``as_of``; the
    score of an assessment is the mean of its scored domains (1-5). Columns: the group
    columns, ``n``, ``mean_first``, ``mean_last``, ``mean_change``, and ``improved`` /
    ``worsened`` (count) with their ``_pct``.
    """
    reg, day = _register(data, as_of)
    keys_by = _by(by, reg)
    f = facts(reg, day)
    f = f[_in_period(f["registered_on"], period).to_numpy()].reset_index(drop=True)
    first, last, rows = _first_last(reg, "zrm_assessments", f, day)
    scores = _zrm_matrix(reg)
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an assessment without any score
        score_first = np.nanmean(scores[first], axis=1)
        score_last = np.nanmean(scores[last], axis=1)
    valid = ~np.isnan(score_first) & ~np.isnan(score_last)
    return _progress(f, keys_by, rows[valid], score_first[valid], score_last[valid],
                     ("improved", "worsened"), min_n)


def ladder_change(
    data: Register | Store,
    by: By = None,
    *,
    period: Period | None = None,
    as_of: DateLike | None = None,
    min_n: int | None = MIN_N,
) -> pd.DataFrame:
    """Return the change in participatieladder rung between a trajectory's first and last step.

    Columns: the group columns, ``n`` (trajectories with two measurements on different dates),
    ``mean_first``, ``mean_last``, ``mean_change``, ``up`` and ``down`` (count) with their
    ``_pct``.
    """
    reg, day = _register(data, as_of)
    keys_by = _by(by, reg)
    f = facts(reg, day)
    f = f[_in_period(f["registered_on"], period).to_numpy()].reset_index(drop=True)
    first, last, rows = _first_last(reg, "ladder_steps", f, day)
    rung = reg.ladder_steps["rung"].to_numpy(dtype="float64")
    a, b = rung[first], rung[last]
    valid = ~np.isnan(a) & ~np.isnan(b)
    return _progress(f, keys_by, rows[valid], a[valid], b[valid], ("up", "down"), min_n)


def _progress(f: pd.DataFrame, keys_by: list[str], rows: np.ndarray, before: np.ndarray,
              after: np.ndarray, names: tuple[str, str], min_n: int | None) -> pd.DataFrame:
    f, keys = _keys(f, keys_by)
    all_codes, groups = _codes(f, keys)
    codes = all_codes[rows]
    size = len(groups)
    n = np.bincount(codes, minlength=size)
    out = groups.copy()
    out["n"] = n
    with np.errstate(divide="ignore", invalid="ignore"):
        out["mean_first"] = np.bincount(codes, weights=before, minlength=size) / n
        out["mean_last"] = np.bincount(codes, weights=after, minlength=size) / n
    out["mean_change"] = out["mean_last"] - out["mean_first"]
    change = after - before
    up, down = names
    out[up] = np.bincount(codes[change > 0], minlength=size)
    out[f"{up}_pct"] = _pct(out[up], n)
    out[down] = np.bincount(codes[change < 0], minlength=size)
    out[f"{down}_pct"] = _pct(out[down], n)
    cols = ["mean_first", "mean_last", "mean_change", up, f"{up}_pct", down, f"{down}_pct"]
    return _finish(out, keys_by, {"n": cols}, min_n)


def zrm_domain_change(
    data: Register | Store,
    by: By = None,
    *,
    period: Period | None = None,
    as_of: DateLike | None = None,
    min_n: int | None = MIN_N,
) -> pd.DataFrame:
    """Return the ZRM change per domain between a trajectory's first and last assessment.

    One row per group and domain (in the official order; ``domain_label`` in Dutch): ``n``
    (trajectories with the domain scored in both), ``mean_first``, ``mean_last``,
    ``mean_change``, ``improved`` / ``worsened`` with their ``_pct``.
    """
    reg, day = _register(data, as_of)
    keys_by = _by(by, reg)
    f = facts(reg, day)
    f = f[_in_period(f["registered_on"], period).to_numpy()].reset_index(drop=True)
    domains = list(vocab.ZRM_DOMAINS)
    first, last, rows = _first_last(reg, "zrm_assessments", f, day)
    fk, keys = _keys(f, keys_by)
    all_codes, groups = _codes(fk, keys)
    codes = all_codes[rows]
    size, n_dom = len(groups), len(domains)
    scores = _zrm_matrix(reg)
    a, b = scores[first], scores[last]
    valid = ~np.isnan(a) & ~np.isnan(b)
    flat = codes[:, None] * n_dom + np.arange(n_dom)[None, :]

    def tally(mask: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        w = None if weights is None else weights[mask]
        return np.bincount(flat[mask], weights=w, minlength=size * n_dom)

    n = tally(valid).astype("int64")
    out = groups.loc[np.repeat(np.arange(size), n_dom)].reset_index(drop=True)
    out["domain"] = pd.Categorical(np.tile(domains, size), categories=domains)
    out["domain_label"] = [vocab.ZRM_DOMAINS[d] for d in np.tile(domains, size)]
    out["n"] = n
    with np.errstate(divide="ignore", invalid="ignore"):
        out["mean_first"] = tally(valid, a) / n
        out["mean_last"] = tally(valid, b) / n
    out["mean_change"] = out["mean_last"] - out["mean_first"]
    out["improved"] = tally(valid & (b > a)).astype("int64")
    out["improved_pct"] = _pct(out["improved"], n)
    out["worsened"] = tally(valid & (b < a)).astype("int64")
    out["worsened_pct"] = _pct(out["worsened"], n)
    cols = ["mean_first", "mean_last", "mean_change", "improved", "improved_pct", "worsened",
            "worsened_pct"]
    return _finish(out, keys_by, {"n": cols}, min_n)


# -- everything together ------------------------------------------------------------------------
def summary(
    data: Register | Store,
    by: By = None,
    *,
    period: Period | None = None,
    as_of: DateLike | None = None,
    min_n: int | None = MIN_N,
) -> pd.DataFrame:
    """Return one row per group with the headline figure of every measure, counts beside each
    percentage (the table of the dashboard and the first sheet of the export)."""
    reg, day = _register(data, as_of)
    keys_by = _by(by, reg)
    kw: dict[str, Any] = {"period": period, "as_of": day, "min_n": None}
    fl = flow(reg, keys_by, **kw)
    keys = keys_by or []
    if keys:
        moves = fl.groupby(keys, observed=True, sort=True)[["inflow", "outflow",
                                                            "outflow_work"]].sum()
        moves = moves.reset_index()
    else:
        moves = pd.DataFrame([fl[["inflow", "outflow", "outflow_work"]].sum()])
    km = time_to_first_job(reg, keys_by, **kw)[
        [*keys, "n", "events", "median_days", "job_12m_pct"]
    ].rename(columns={"n": "registered", "events": "found_job"})
    quality = first_job_quality(reg, keys_by, **kw).drop(columns="suppressed")
    ret = retention(reg, keys_by, **kw)
    parts = []
    for m in HORIZONS:
        part = ret[ret["months"] == m].drop(columns=["months", "suppressed", "at_work",
                                                     "at_work_pct", "benefit_free",
                                                     "benefit_free_pct"])
        parts.append(part.rename(columns={"eligible": f"eligible_{m}m",
                                          "sustained": f"sustained_{m}m",
                                          "sustained_pct": f"sustained_{m}m_pct"}))
    door = revolving_door(reg, keys_by, **kw).drop(columns="suppressed")
    zrm = zrm_change(reg, keys_by, **kw)[[*keys, "n", "mean_change"]].rename(
        columns={"n": "zrm_n", "mean_change": "zrm_change"})
    lad = ladder_change(reg, keys_by, **kw)[[*keys, "n", "mean_change"]].rename(
        columns={"n": "ladder_n", "mean_change": "ladder_change"})
    out = moves
    for part in (km, quality, *parts, door, zrm, lad):
        out = out.merge(part, on=keys, how="outer") if keys else pd.concat(
            [out.reset_index(drop=True), part.reset_index(drop=True)], axis=1)
    counts = ["inflow", "outflow", "outflow_work", "registered", "found_job", "first_jobs",
              *QUALITY_FLAGS, *[f"{q}_known" for q in QUALITY_FLAGS],
              *[f"{w}_{m}m" for m in HORIZONS for w in ("eligible", "sustained")],
              "placed", "returned", "zrm_n", "ladder_n"]
    for col in counts:
        out[col] = out[col].fillna(0).astype("int64")
    if keys:
        out = out.sort_values(keys, kind="stable").reset_index(drop=True)
    rules: dict[str, list[str]] = {
        "registered": ["found_job", "median_days", "job_12m_pct"],
        "first_jobs": [],
        **{f"{q}_known": [q, f"{q}_pct"] for q in QUALITY_FLAGS},
        **{f"eligible_{m}m": [f"sustained_{m}m", f"sustained_{m}m_pct"] for m in HORIZONS},
        "placed": ["returned", "returned_pct"],
        "zrm_n": ["zrm_change"],
        "ladder_n": ["ladder_change"],
    }
    rules["registered"] += ["inflow", "outflow", "outflow_work"]
    return _finish(out, keys_by, rules, min_n)


#: The measures in the order a report shows them (name -> function).
MEASURES: Final = MappingProxyType(
    {
        "summary": summary,
        "flow": flow,
        "time_to_first_job": time_to_first_job,
        "km_curve": km_curve,
        "first_job_quality": first_job_quality,
        "retention": retention,
        "retention_curve": retention_curve,
        "revolving_door": revolving_door,
        "zrm_change": zrm_change,
        "zrm_domain_change": zrm_domain_change,
        "ladder_change": ladder_change,
    }
)

__all__ = [
    "CLOSING_RULES",
    "GROUPS",
    "HORIZONS",
    "JOB_KINDS",
    "MEASURES",
    "MIN_N",
    "QUALITY_FLAGS",
    "Register",
    "add_months",
    "as_day",
    "facts",
    "first_job_quality",
    "flow",
    "from_frames",
    "km_curve",
    "ladder_change",
    "load",
    "retention",
    "retention_curve",
    "revolving_door",
    "summary",
    "suppress",
    "time_to_first_job",
    "zrm_change",
    "zrm_domain_change",
]
