"""Array helpers of the signal rules: dates as datetime64[ns], positions, groups, formatting.

The rules work on one element a trajectory (or a placement, a referral...); these helpers keep
that work in numpy and format each distinct value once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

#: One day, to turn date differences into numbers of days.
DAY = np.timedelta64(1, "D")
#: A missing date.
NAT = np.datetime64("NaT", "ns")


def ns(values: Any) -> np.ndarray:
    """Return dates as a (writable) datetime64[ns] array."""
    return pd.Series(values).astype("datetime64[ns]").to_numpy(copy=True)


def days_since(t64: np.datetime64, dates: np.ndarray) -> np.ndarray:
    """Whole days from ``dates`` to ``t64`` as floats (NaN where a date is missing)."""
    return np.true_divide(t64 - dates, DAY)


def add_days(dates: np.ndarray, days: np.ndarray) -> np.ndarray:
    """Add whole days row by row (NaT where the date or the number of days is missing)."""
    out = np.full(dates.shape, NAT)
    ok = ~np.isnan(days) & ~np.isnat(dates)
    out[ok] = dates[ok] + days[ok].astype(np.int64) * DAY
    return out


def indexer(index: pd.Index, values: Any) -> np.ndarray:
    """Positions of ``values`` in ``index`` (-1 where absent)."""
    return np.asarray(index.get_indexer(values), dtype=np.int64)


def with_missing(values: Any, missing: Any = None) -> np.ndarray:
    """``values`` as an object array with ``missing`` appended (the target of index -1)."""
    out = np.empty(len(values) + 1, dtype=object)
    out[:-1] = values
    out[-1] = missing
    return out


def codes(values: Any, categories: Sequence[str]) -> np.ndarray:
    """Position of each value in ``categories`` (-1 when it is not there)."""
    wanted = pd.Index(list(categories), dtype=object)
    if isinstance(getattr(values, "dtype", None), pd.CategoricalDtype):  # map the few categories
        found = indexer(wanted, np.asarray(values.cat.categories, dtype=object))
        return np.r_[found, -1][np.asarray(values.cat.codes)]
    return indexer(wanted, np.asarray(values, dtype=object))


def first_per(pos: np.ndarray, key: np.ndarray) -> np.ndarray:
    """Indices of the row with the largest ``key`` per ``pos`` (rows sorted by pos)."""
    if len(pos) == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort((-key, pos))
    first = np.r_[True, pos[order][1:] != pos[order][:-1]]
    return order[first]


def group_rank(pos: np.ndarray) -> np.ndarray:
    """0-based rank of each row within its run of equal ``pos`` (rows sorted by pos)."""
    if len(pos) == 0:
        return np.zeros(0, dtype=np.int64)
    start = np.r_[True, pos[1:] != pos[:-1]]
    starts = np.flatnonzero(start)
    group = np.cumsum(start) - 1
    return np.arange(len(pos)) - starts[group]


def sorted_order(pos: np.ndarray, dates: np.ndarray) -> np.ndarray | None:
    """A stable order by (pos, date), or None when the rows are already in that order."""
    if len(pos) < 2:
        return None
    dpos = np.diff(pos)
    ddate = np.diff(dates.astype(np.int64))
    if np.all((dpos > 0) | ((dpos == 0) & (ddate >= 0))):
        return None
    return np.lexsort((dates, pos))


def fmt_date(dates: np.ndarray) -> np.ndarray:
    """Dates as dd-mm-jjjj strings (formatting each distinct date once)."""
    found, uniques = pd.factorize(np.asarray(dates, dtype="datetime64[ns]"))
    labels = pd.DatetimeIndex(uniques).strftime("%d-%m-%Y").to_numpy(dtype=object)
    return with_missing(labels, "")[found]


def fmt_ints(values: np.ndarray, to_text: Callable[[int], str]) -> np.ndarray:
    """Integers as text through ``to_text`` (each distinct value once)."""
    found, uniques = pd.factorize(np.asarray(values, dtype=np.int64))
    return np.array([to_text(int(u)) for u in uniques] + [""], dtype=object)[found]


__all__ = [
    "DAY",
    "NAT",
    "add_days",
    "codes",
    "days_since",
    "first_per",
    "fmt_date",
    "fmt_ints",
    "group_rank",
    "indexer",
    "ns",
    "sorted_order",
    "with_missing",
]
