"""Vectorised numpy helpers of the demo builder: draws, runs, windows and column types.

Days are integer day numbers (days since 1970-01-01); :data:`NEVER` marks what does not happen.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

NEVER = 1 << 40  # a day number meaning "does not happen"
NONE = np.array(None, dtype=object)  # None for np.where
LATER = NEVER // 2  # anything at or beyond this is NEVER plus some offset
YEARS_BACK = 1095  # registrations span about three years before as_of


def arr(values: Any) -> np.ndarray:
    """Return a 1-d object array of the given Python values (lists stay lists)."""
    items = list(values)
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


def cat(rng: np.random.Generator, probs: Any, rows: Any) -> np.ndarray:
    """Draw category indices: ``rows`` draws from one probability vector, or one draw per
    element of the group array ``rows`` from the table's row of that group."""
    table = np.asarray(probs, dtype=float)
    if table.ndim == 1:
        return rng.choice(len(table), size=rows, p=table / table.sum())
    cum = np.cumsum(table / table.sum(axis=1, keepdims=True), axis=1)
    group = np.asarray(rows)
    u = rng.random(len(group))
    return np.minimum((u[:, None] > cum[group]).sum(axis=1), table.shape[1] - 1)


def within(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Draw a day in [lo, hi) for each row (lo itself when the window is empty)."""
    width = np.clip(hi - lo, 1, LATER)
    return lo + (rng.random(len(lo)) * width).astype(np.int64)


def run_rank(owner: np.ndarray) -> np.ndarray:
    """Return 0, 1, 2, ... within runs of equal values of a sorted owner array."""
    if owner.size == 0:
        return np.zeros(0, dtype=np.int64)
    idx = np.arange(owner.size)
    first = np.r_[True, owner[1:] != owner[:-1]]
    return idx - np.maximum.accumulate(np.where(first, idx, 0))


def pick_member(
    rng: np.random.Generator, member_group: np.ndarray, query_group: np.ndarray, n_groups: int
) -> np.ndarray:
    """Return a random member index of each query's group (-1 when that group is empty)."""
    order = np.argsort(member_group, kind="stable")
    counts = np.bincount(member_group, minlength=n_groups)
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    c = counts[query_group]
    r = (rng.random(len(query_group)) * np.maximum(c, 1)).astype(np.int64)
    if order.size == 0:
        return np.full(len(query_group), -1)
    return np.where(c > 0, order[np.minimum(starts[query_group] + r, order.size - 1)], -1)


def series(
    rng: np.random.Generator,
    start: np.ndarray,
    end: np.ndarray,
    step: tuple[int, int],
    first: tuple[int, int],
) -> tuple[np.ndarray, np.ndarray]:
    """Return (row, day) of events from start+first, then every step days, up to end."""
    start = np.asarray(start, dtype=np.int64)
    end = np.where(end >= LATER, start - 1, end)
    span = end - start - first[0]
    n = np.where((span >= 0) & (start < LATER), span // step[0] + 1, 0)
    owner = np.repeat(np.arange(len(start)), n)
    steps = rng.integers(step[0], step[1] + 1, owner.size)
    head = np.r_[0, np.cumsum(n)[:-1]]
    has = n > 0
    steps[head[has]] = rng.integers(first[0], first[1] + 1, int(has.sum()))
    cs = np.cumsum(steps)
    base = np.repeat(cs[head[has]] - steps[head[has]], n[has])
    day = start[owner] + cs - base
    keep = day <= end[owner]
    return owner[keep], day[keep]


def drop_window(
    owner: np.ndarray, day: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> np.ndarray:
    """Return a keep-mask dropping events inside each owner's [lo, hi] window."""
    return ~((day >= lo[owner]) & (day <= hi[owner]))


def to_datetime(days: np.ndarray) -> np.ndarray:
    """Return datetime64[ns] values for day numbers; NEVER (and beyond) becomes NaT."""
    d = np.asarray(days, dtype=np.int64)
    never = d >= LATER
    out = np.where(never, 0, d).astype("datetime64[D]").astype("datetime64[ns]")
    out[never] = np.datetime64("NaT")
    return out


def office_hours(minutes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Move moments (minutes since midnight of day 0) outside 08:00-18:00 to the next morning."""
    of_day = minutes % 1440
    morning = minutes - of_day + 8 * 60 + rng.integers(0, 90, len(minutes))
    return np.select([of_day < 8 * 60, of_day > 18 * 60], [morning, morning + 1440], minutes)


def minutes_to_datetime(minutes: np.ndarray) -> np.ndarray:
    """Return datetime64[ns] values for minute numbers since the epoch."""
    return np.asarray(minutes, dtype=np.int64).astype("datetime64[m]").astype("datetime64[ns]")


def ints(values: np.ndarray, missing: np.ndarray | None = None) -> pd.arrays.IntegerArray:
    """Return a nullable Int64 array (missing where the mask is true or the value is < 0)."""
    v = np.asarray(values, dtype=np.int64)
    mask = v < 0 if missing is None else np.asarray(missing, dtype=bool)
    return pd.arrays.IntegerArray(np.where(mask, 0, v), mask.copy())


def bools(values: np.ndarray, missing: np.ndarray) -> pd.arrays.BooleanArray:
    """Return a nullable boolean array, missing where the mask is true."""
    return pd.arrays.BooleanArray(np.asarray(values, dtype=bool), np.asarray(missing, dtype=bool))


def texts_at(catalogue: Any, idx: np.ndarray) -> np.ndarray:
    """Return catalogue texts by index as an object array."""
    return arr(catalogue)[idx]


def pick_in_window(
    rng: np.random.Generator,
    item_group: np.ndarray,
    item_day: np.ndarray,
    group: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
) -> np.ndarray:
    """Return a random item of each query's group dated within [lo, hi] (-1 when none)."""
    shift = np.int64(1) << 32
    key = item_group.astype(np.int64) * shift + item_day
    order = np.argsort(key, kind="stable")
    key = key[order]
    base = group.astype(np.int64) * shift
    valid = (lo < LATER) & (hi >= lo)
    a = np.searchsorted(key, base + np.where(valid, lo, 0), side="left")
    b = np.searchsorted(key, base + np.where(valid, hi, -1), side="right")
    width = np.where(valid, b - a, 0)
    r = a + (rng.random(len(group)) * np.maximum(width, 1)).astype(np.int64)
    if order.size == 0:
        return np.full(len(group), -1)
    return np.where(width > 0, order[np.minimum(r, order.size - 1)], -1)
