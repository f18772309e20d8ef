"""Time from registration to the first job: Kaplan-Meier curves and their summary."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Final

import numpy as np
import pandas as pd
from scipy import stats

from trajecttools.reads.outcomes.competing import aj_table, as_survival, durations
from trajecttools.reads.outcomes.grouping import finish, group_codes, keyed
from trajecttools.reads.outcomes.register import (
    MIN_N,
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

#: How a trajectory closed without work enters the time to work: ``"censor"`` (Kaplan-Meier:
#: followed until the closing, as if its chance afterwards were that of those who stay) or
#: ``"competing"`` (Aalen-Johansen: stopping without work is a competing event; the share with
#: work is its cumulative incidence — the lower, honest curve; see
#: :mod:`~trajecttools.reads.outcomes.competing`).
CLOSING_RULES: Final = ("censor", "competing")


# -- time to first job (Kaplan-Meier) -----------------------------------------------------------
def km_table(f: pd.DataFrame, keys: list[str], alpha: float = 0.05) -> pd.DataFrame:
    """Return the Kaplan-Meier table per group: one row per distinct time, with S(t) and its
    pointwise confidence band (Greenwood variance, log-log transform).

    ``f`` has the key columns, ``days`` and ``placed`` (the event: found work).
    """
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


def _aligned(values: pd.Series, index: pd.Index) -> pd.Series:
    """Return ``values`` on ``index`` (missing where absent; an empty result is all missing:
    pandas cannot reindex an empty categorical result onto a large categorical index)."""
    if values.empty:
        return pd.Series(np.nan, index=index, dtype="float64")
    return values.reindex(index)


def _survival_at(tab: pd.DataFrame, keys: list[str], days: int) -> pd.Series:
    """S(days) per group; missing when the group's follow-up ends before ``days``."""
    before = tab[tab["days"] <= days].groupby(keys, observed=True, sort=False)["survival"].last()
    reach = tab.groupby(keys, observed=True, sort=False)["days"].max()
    value = before.reindex(reach.index).fillna(1.0)
    return value.where(reach >= days)


def _prepared(data: Register | Store, by: By, period: Period | None, as_of: DateLike | None,
              closed_without_job: str, start: str) -> tuple[pd.DataFrame, list[str], list[str]]:
    """Return the facts of the trajectories registered in the period, with their days from
    ``start``, the split asked for and the key columns."""
    if closed_without_job not in CLOSING_RULES:
        raise ValueError(f"closed_without_job moet een van {', '.join(CLOSING_RULES)} zijn")
    reg, day = resolve(data, as_of)
    keys_by = by_keys(by, reg)
    f = facts(reg, day)
    f = durations(f[in_period(f["registered_on"], period).to_numpy()], start)
    f, keys = keyed(f, keys_by)
    return f, keys_by, keys


def _table(f: pd.DataFrame, keys: list[str], alpha: float, closed_without_job: str
           ) -> pd.DataFrame:
    if closed_without_job == "competing":
        return as_survival(aj_table(f, keys, alpha))
    return km_table(f, keys, alpha)


def time_to_first_job(
    data: Register | Store,
    by: By = None,
    *,
    period: Period | None = None,
    as_of: DateLike | None = None,
    min_n: int | None = MIN_N,
    alpha: float = 0.05,
    closed_without_job: str = "censor",
    start: str = "registration",
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
    trajectory closed without work counts (:data:`CLOSING_RULES`; with ``"competing"`` the
    shares and the median come from the Aalen-Johansen cumulative incidence). ``start``
    counts from the registration or from leaving school (``"school"``: only clients whose
    school-leaving date is known).
    """
    f, keys_by, keys = _prepared(data, by, period, as_of, closed_without_job, start)
    codes, groups = group_codes(f, keys)
    out = groups.copy()
    n = np.bincount(codes, minlength=len(groups))
    placed = f["placed"].to_numpy()
    events = np.bincount(codes[placed], minlength=len(groups))
    out["n"] = n
    out["events"] = events
    out["censored"] = n - events
    if len(f):
        tab = _table(f, keys, alpha, closed_without_job)
        index = pd.MultiIndex.from_frame(groups) if len(keys) > 1 else pd.Index(groups[keys[0]])
        med = _aligned(_first_time_below(tab, keys, "survival", 0.5), index)
        low = _aligned(_first_time_below(tab, keys, "ci_low", 0.5), index)
        high = _aligned(_first_time_below(tab, keys, "ci_high", 0.5), index)
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
    return finish(out, keys_by, rules, min_n)


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
    start: str = "registration",
) -> pd.DataFrame:
    """Return the Kaplan-Meier curve of "still without a first job" per group.

    Without ``grid``: one row per distinct time (a first row at day 0 with survival 1), with
    ``at_risk``, ``events``, ``censored``, ``survival`` and its confidence band ``ci_low`` /
    ``ci_high``; ``job_pct`` is ``100 * (1 - survival)``. With ``grid`` (days, e.g. every 7):
    the step function read at those days, up to each group's last observed day — a fixed,
    small number of rows whatever the register's size (for charts). ``n`` is the group size.
    ``closed_without_job`` and ``start``: see :func:`time_to_first_job`.
    """
    f, keys_by, keys = _prepared(data, by, period, as_of, closed_without_job, start)
    codes, groups = group_codes(f, keys)
    cols = ["days", "at_risk", "events", "censored", "survival", "ci_low", "ci_high"]
    if not len(f):
        out = groups.assign(**{c: pd.Series(dtype="float64") for c in cols})
        out["n"] = pd.Series(dtype="int64")
        out["job_pct"] = pd.Series(dtype="float64")
        return finish(out, keys_by, {"n": [*cols[1:], "job_pct"]}, min_n)
    tab = _table(f, keys, alpha, closed_without_job)
    n = pd.Series(np.bincount(codes, minlength=len(groups)))
    zero = groups.assign(days=0, at_risk=n.to_numpy(), events=0, censored=0,
                         survival=1.0, ci_low=1.0, ci_high=1.0)
    has_zero = tab.loc[tab["days"] == 0, keys].drop_duplicates()
    zero = zero.merge(has_zero, on=keys, how="left", indicator=True)
    zero = zero[zero["_merge"] == "left_only"].drop(columns="_merge")
    tab = pd.concat([zero, tab], ignore_index=True)
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
    return finish(out, keys_by, rules, min_n)
