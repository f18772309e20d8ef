"""Inflow and outflow of trajectories per calendar month."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

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
    period_bounds,
    resolve,
)

if TYPE_CHECKING:
    from trajecttools.register.store import Store


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
    reg, day = resolve(data, as_of)
    keys_by = by_keys(by, reg)
    f, keys = keyed(facts(reg, day), keys_by)
    lo, hi = period_bounds(period)
    last = min(hi, day) if hi is not None else day
    reg_month = f["registered_on"].to_numpy().astype("datetime64[M]")
    close_month = f["closed_on"].to_numpy().astype("datetime64[M]")
    codes, groups = group_codes(f, keys)
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
    counted = in_period(f["registered_on"], period) | in_period(f["closed_on"], period)
    n = np.bincount(codes[counted.to_numpy()], minlength=n_groups)
    n_shown = int(shown.sum())
    out = groups.loc[np.repeat(np.arange(n_groups), n_shown)].reset_index(drop=True)
    out["month"] = pd.to_datetime(np.tile(months[shown], n_groups)).astype("datetime64[ns]")
    out["inflow"] = inflow[:, shown].ravel()
    out["outflow"] = outflow[:, shown].ravel()
    out["outflow_work"] = outflow_work[:, shown].ravel()
    out["open_at_end"] = open_end[:, shown].ravel()
    out["n"] = np.repeat(n, n_shown)
    rules = {"n": ["inflow", "outflow", "outflow_work", "open_at_end"]}
    return finish(out, keys_by, rules, min_n)
