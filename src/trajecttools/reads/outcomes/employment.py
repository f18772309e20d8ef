"""Work after the first job: its quality, sustainable work (still at work and off benefits)
and the revolving door (back on a benefit)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Final

import numpy as np
import pandas as pd

from trajecttools.core.dates import add_months_grid
from trajecttools.reads.outcomes.grouping import finish, group_codes, keyed, pct
from trajecttools.reads.outcomes.register import (
    JOB_KINDS,
    MIN_N,
    QUALITY_FLAGS,
    By,
    DateLike,
    Period,
    Register,
    by_keys,
    facts,
    in_period,
    resolve,
)

if TYPE_CHECKING:
    from trajecttools.register.store import Store

#: Months after the first job at which sustainable work is judged ("Traject Work-2-Gether",
#: see docs/sources.md: six months).
HORIZONS: Final = (6, 12)


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
    reg, day = resolve(data, as_of)
    keys_by = by_keys(by, reg)
    f = facts(reg, day)
    f = f[(f["placed"] & in_period(f["first_job_on"], period)).to_numpy()]
    f, keys = keyed(f, keys_by)
    codes, groups = group_codes(f, keys)
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
        out[f"{flag}_pct"] = pct(count, den)
        rules[f"{flag}_known"] = [flag, f"{flag}_pct"]
        rules["first_jobs"] += [flag, f"{flag}_known", f"{flag}_pct"]
    return finish(out, keys_by, rules, min_n)


# -- sustainable work ---------------------------------------------------------------------------
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
    reg, day = resolve(data, as_of)
    keys_by = by_keys(by, reg)
    f = facts(reg, day)
    f = f[(f["placed"] & in_period(f["first_job_on"], period)).to_numpy()].reset_index(drop=True)
    f, keys = keyed(f, keys_by)
    codes, groups = group_codes(f, keys)
    steps = np.asarray(list(months), dtype="int64")
    n_groups, n_steps = len(groups), len(steps)
    start = f["first_job_on"].to_numpy().astype("datetime64[D]")
    when = add_months_grid(start, steps)
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
        out[f"{name}_pct"] = pct(count, out["eligible"])
        rules["eligible"] += [name, f"{name}_pct"]
    return finish(out, keys_by, rules, min_n)


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

    The same figures as :func:`retention_curve`, at six months ("Traject Work-2-Gether", see
    docs/sources.md) and one year.
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
    reg, day = resolve(data, as_of)
    keys_by = by_keys(by, reg)
    f = facts(reg, day)
    f = f[(f["placed"] & in_period(f["first_job_on"], period)).to_numpy()].reset_index(drop=True)
    f, keys = keyed(f, keys_by)
    codes, groups = group_codes(f, keys)
    start = f["first_job_on"].to_numpy().astype("datetime64[D]")
    window_end = add_months_grid(start, [within_months])[:, 0]
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
    out["returned_pct"] = pct(out["returned"], out["placed"])
    return finish(out, keys_by, {"placed": ["returned", "returned_pct"]}, min_n)
