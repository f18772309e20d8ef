"""Time to work with stopping without work as a competing event: the Aalen-Johansen
cumulative incidence.

Someone who stops without work (drop-out, another route, moved) can no longer find work in the
trajectory. Kaplan-Meier treats them as censored — as if they had the chance of those who stay —
and so overstates the share that finds work. The Aalen-Johansen estimator counts them as what
they are: a competing event. The share with work by day t is
``F(t) = sum over event days s <= t of S(s-) * d_work(s) / n(s)``, with ``S`` the Kaplan-Meier
curve of "no event of either kind yet"; its variance is the delta-method (Greenwood-type)
formula of Collett, *Modelling Survival Data in Medical Research* (3rd ed., p. 411), and the
band uses the log(-log) transform, as in lifelines' ``AalenJohansenFitter``. Ties are kept as
ties: events on the same day count together, censorings on a day after its events.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Final

import numpy as np
import pandas as pd
from scipy import stats

from trajecttools.reads.outcomes.grouping import finish, group_codes, keyed
from trajecttools.reads.outcomes.register import (
    MIN_N,
    STOPPED,
    WORK,
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

#: Where the clock starts: at registration, or at leaving school (young people whose
#: school-leaving date is known).
STARTS: Final = ("registration", "school")


def durations(f: pd.DataFrame, start: str = "registration") -> pd.DataFrame:
    """Return the facts with ``days`` counted from ``start`` (see :data:`STARTS`).

    From leaving school, only trajectories whose client's school-leaving date is known and not
    after the registration count; their days are the days from leaving school.
    """
    if start not in STARTS:
        raise ValueError(f"start moet een van {', '.join(STARTS)} zijn, niet '{start}'")
    if start == "registration":
        return f
    left = f["left_school_on"]
    known = (left.notna() & (left <= f["registered_on"])).to_numpy()
    f = f[known]
    extra = (f["registered_on"] - f["left_school_on"]).dt.days.astype("int64")
    return f.assign(days=(f["days"] + extra).astype("int64"))


def _cumsum(values: np.ndarray, keys: list[pd.Series]) -> np.ndarray:
    return pd.Series(values).groupby(keys, observed=True, sort=False).cumsum().to_numpy()


def aj_table(f: pd.DataFrame, keys: list[str], alpha: float = 0.05) -> pd.DataFrame:
    """Return the Aalen-Johansen table per group: one row per distinct time with ``at_risk``,
    ``work``, ``stopped`` and ``censored`` counts, ``work_cif`` and ``stopped_cif`` (the
    cumulative incidences), ``work_low``/``work_high`` (the ``1 - alpha`` band of
    ``work_cif``, missing where the formula gives none) and ``km_work`` (1 - Kaplan-Meier with
    stopping censored, for comparison).

    ``f`` has the key columns, ``days`` and ``event`` (:data:`WORK`, :data:`STOPPED`, else
    censored).
    """
    event = f["event"].to_numpy()
    tab = (
        f.assign(_work=event == WORK, _stopped=event == STOPPED)
        .groupby([*keys, "days"], observed=True, sort=True)
        .agg(removed=("_work", "size"), work=("_work", "sum"), stopped=("_stopped", "sum"))
        .reset_index()
    )
    tab["work"] = tab["work"].astype("int64")
    tab["stopped"] = tab["stopped"].astype("int64")
    by = [tab[k] for k in keys]
    grp = tab.groupby(keys, observed=True, sort=False)
    n_group = grp["removed"].transform("sum")
    tab["at_risk"] = (n_group - grp["removed"].cumsum() + tab["removed"]).astype("int64")
    tab["censored"] = tab["removed"] - tab["work"] - tab["stopped"]
    n = tab["at_risk"].to_numpy(dtype="float64")
    d1 = tab["work"].to_numpy(dtype="float64")
    d = d1 + tab["stopped"].to_numpy(dtype="float64")
    surv = pd.Series(1.0 - d / n).groupby(by, observed=True, sort=False).cumprod()
    lag = surv.groupby(by, observed=True, sort=False).shift(1).fillna(1.0).to_numpy()
    cif = _cumsum(lag * d1 / n, by)
    tab["work_cif"] = cif
    tab["stopped_cif"] = _cumsum(lag * tab["stopped"].to_numpy(dtype="float64") / n, by)
    tab["km_work"] = 1.0 - pd.Series(1.0 - d1 / n).groupby(
        by, observed=True, sort=False).cumprod().to_numpy()
    # Var F(t) = sum_i (F(t) - F_i)^2 d_i / (n_i (n_i - d_i)) + sum_i S_{i-1}^2 d1_i (n_i - d1_i)
    # / n_i^3 - 2 sum_i (F(t) - F_i) S_{i-1} d1_i / n_i^2, over event days i <= t (Collett).
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(d > 0, d / (n * (n - d)), 0.0)
        first_a, first_b, first_c = _cumsum(a, by), _cumsum(a * cif, by), _cumsum(a * cif ** 2, by)
        first = first_a * cif ** 2 - 2 * first_b * cif + first_c
        second = _cumsum(lag ** 2 * d1 * (n - d1) / n ** 3, by)
        c = lag * d1 / n ** 2
        third = _cumsum(c, by) * cif - _cumsum(c * cif, by)
        variance = first + second - 2 * third
        z = float(stats.norm.ppf(1 - alpha / 2))
        transformed = np.log(-np.log(cif))
        se = np.sqrt(variance) / (cif * np.abs(np.log(cif)))
        low = np.exp(-np.exp(transformed + z * se))
        high = np.exp(-np.exp(transformed - z * se))
    tab["work_var"] = variance
    tab["work_low"] = np.where(np.isfinite(low), low, np.nan)
    tab["work_high"] = np.where(np.isfinite(high), high, np.nan)
    return tab.drop(columns=["removed"])


def as_survival(tab: pd.DataFrame) -> pd.DataFrame:
    """Return an Aalen-Johansen table in the columns of a Kaplan-Meier table: ``events`` the
    work events, ``censored`` everyone else leaving, ``survival = 1 - work_cif`` and its band
    (so medians and shares read the same way)."""
    out = tab.assign(events=tab["work"], censored=tab["censored"] + tab["stopped"],
                     survival=1.0 - tab["work_cif"], ci_low=1.0 - tab["work_high"],
                     ci_high=1.0 - tab["work_low"])
    return out.drop(columns=["work", "stopped", "work_cif", "stopped_cif", "km_work",
                             "work_var", "work_low", "work_high"])


_PCT = {"work_cif": "work_pct", "work_low": "work_low_pct", "work_high": "work_high_pct",
        "stopped_cif": "stopped_pct", "km_work": "km_work_pct"}


def cumulative_incidence(
    data: Register | Store,
    by: By = None,
    *,
    period: Period | None = None,
    as_of: DateLike | None = None,
    grid: Iterable[int] | None = None,
    start: str = "registration",
    min_n: int | None = MIN_N,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Return the share with work and the share stopped without work by day, per group
    (Aalen-Johansen; stopping without work is the competing event).

    One row per distinct day (a first row at day 0), or with ``grid`` the step functions read
    at those days up to each group's last observed day. Columns: the group columns, ``n``,
    ``days``, ``at_risk``, ``work``, ``stopped``, ``censored`` (without grid), ``work_pct``
    with its band ``work_low_pct``/``work_high_pct``, ``stopped_pct``, and ``km_work_pct``
    (Kaplan-Meier with stopping censored: higher, shown to compare). ``start``: counted from
    the registration or from leaving school (:data:`STARTS`). Trajectories count when
    registered in the period.
    """
    reg, day = resolve(data, as_of)
    keys_by = by_keys(by, reg)
    f = facts(reg, day)
    f = durations(f[in_period(f["registered_on"], period).to_numpy()], start)
    f, keys = keyed(f, keys_by)
    codes, groups = group_codes(f, keys)
    n = np.bincount(codes, minlength=len(groups))
    values = list(_PCT.values())
    if not len(f):
        out = groups.assign(n=pd.Series(dtype="int64"), days=pd.Series(dtype="int64"),
                            at_risk=pd.Series(dtype="int64"),
                            **{c: pd.Series(dtype="float64") for c in values})
        return finish(out, keys_by, {"n": ["at_risk", *values]}, min_n)
    tab = aj_table(f, keys, alpha)
    zero = groups.assign(days=0, at_risk=n, work=0, stopped=0, censored=0, work_cif=0.0,
                         stopped_cif=0.0, km_work=0.0, work_low=np.nan, work_high=np.nan)
    has_zero = tab.loc[tab["days"] == 0, keys].drop_duplicates()
    zero = zero.merge(has_zero, on=keys, how="left", indicator=True)
    zero = zero[zero["_merge"] == "left_only"].drop(columns="_merge")
    tab = pd.concat([zero, tab.drop(columns="work_var")], ignore_index=True)
    tab = tab.sort_values([*keys, "days"], kind="stable").reset_index(drop=True)
    if grid is not None:
        points = np.unique(np.asarray(list(grid), dtype="int64"))
        reach = tab.groupby(keys, observed=True, sort=False)["days"].max().rename("reach")
        frame = groups.merge(pd.DataFrame({"days": points}), how="cross")
        frame = frame.merge(reach.reset_index(), on=keys)
        frame = frame[frame["days"] <= frame["reach"]].drop(columns="reach")
        frame = frame.sort_values("days", kind="stable")
        table = tab.sort_values("days", kind="stable")
        back = pd.merge_asof(frame, table[[*keys, "days", *_PCT]], on="days", by=keys,
                             direction="backward")
        ahead = pd.merge_asof(frame, table[[*keys, "days", "at_risk"]], on="days", by=keys,
                              direction="forward")
        back["at_risk"] = ahead["at_risk"].fillna(0).astype("int64").to_numpy()
        tab = back.sort_values([*keys, "days"], kind="stable").reset_index(drop=True)
    tab = tab.merge(groups.assign(n=n), on=keys, how="left")
    for col, name in _PCT.items():
        tab[name] = 100.0 * tab[col].astype("float64")
    keep = [*keys, "n", "days", "at_risk"]
    keep += [c for c in ("work", "stopped", "censored") if c in tab.columns and grid is None]
    keep += values
    out = tab[keep]
    return finish(out, keys_by, {"n": [c for c in keep if c not in (*keys, "n", "days")]},
                  min_n)


__all__ = ["STARTS", "aj_table", "as_survival", "cumulative_incidence", "durations"]
