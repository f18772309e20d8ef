"""Progress during a trajectory: change on the ZRM (self-reliance matrix) and on the
participatieladder between the first and the last measurement."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from trajecttools.core import vocab
from trajecttools.reads.outcomes.grouping import finish, group_codes, keyed, pct
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


# -- progress: ZRM and participatieladder -------------------------------------------------------
def _first_last_pairs(reg: Register, table: str, day: pd.Timestamp) -> pd.DataFrame:
    """Return, per trajectory with measurements on two dates by ``day`` (the index), the
    positions of its first and last measurement in ``table`` (``first``, ``last``)."""
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
    return pd.DataFrame(
        {"first": first[ok], "last": last[ok]}, index=pd.Index(sorted_tid[starts][ok])
    )


def _first_last(reg: Register, table: str, f: pd.DataFrame,
                day: pd.Timestamp) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return, for trajectories in ``f`` with at least two measurements on different dates by
    ``day``: the positions (in the measurement table) of the first and the last one, and each
    trajectory's row in ``f``. The ordering is computed once per table and date."""
    pairs = reg.cached(("first_last", table, day), lambda: _first_last_pairs(reg, table, day))
    rows = pd.Index(f["trajectory_id"]).get_indexer(pairs.index)
    keep = rows >= 0
    return (pairs["first"].to_numpy()[keep], pairs["last"].to_numpy()[keep], rows[keep])


def _zrm_matrix(reg: Register) -> np.ndarray:
    """Return the ZRM scores as a float matrix (assessments x domains, NaN where unscored)."""
    return reg.cached(
        ("zrm_matrix",),
        lambda: reg.zrm_assessments[list(vocab.ZRM_DOMAINS)].to_numpy(dtype="float64"),
    )


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
    reg, day = resolve(data, as_of)
    keys_by = by_keys(by, reg)
    f = facts(reg, day)
    f = f[in_period(f["registered_on"], period).to_numpy()].reset_index(drop=True)
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
    reg, day = resolve(data, as_of)
    keys_by = by_keys(by, reg)
    f = facts(reg, day)
    f = f[in_period(f["registered_on"], period).to_numpy()].reset_index(drop=True)
    first, last, rows = _first_last(reg, "ladder_steps", f, day)
    rung = reg.ladder_steps["rung"].to_numpy(dtype="float64")
    a, b = rung[first], rung[last]
    valid = ~np.isnan(a) & ~np.isnan(b)
    return _progress(f, keys_by, rows[valid], a[valid], b[valid], ("up", "down"), min_n)


def _progress(f: pd.DataFrame, keys_by: list[str], rows: np.ndarray, before: np.ndarray,
              after: np.ndarray, names: tuple[str, str], min_n: int | None) -> pd.DataFrame:
    f, keys = keyed(f, keys_by)
    all_codes, groups = group_codes(f, keys)
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
    out[f"{up}_pct"] = pct(out[up], n)
    out[down] = np.bincount(codes[change < 0], minlength=size)
    out[f"{down}_pct"] = pct(out[down], n)
    cols = ["mean_first", "mean_last", "mean_change", up, f"{up}_pct", down, f"{down}_pct"]
    return finish(out, keys_by, {"n": cols}, min_n)


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
    reg, day = resolve(data, as_of)
    keys_by = by_keys(by, reg)
    f = facts(reg, day)
    f = f[in_period(f["registered_on"], period).to_numpy()].reset_index(drop=True)
    domains = list(vocab.ZRM_DOMAINS)
    first, last, rows = _first_last(reg, "zrm_assessments", f, day)
    fk, keys = keyed(f, keys_by)
    all_codes, groups = group_codes(fk, keys)
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
    out["improved_pct"] = pct(out["improved"], n)
    out["worsened"] = tally(valid & (b < a)).astype("int64")
    out["worsened_pct"] = pct(out["worsened"], n)
    cols = ["mean_first", "mean_last", "mean_change", "improved", "improved_pct", "worsened",
            "worsened_pct"]
    return finish(out, keys_by, {"n": cols}, min_n)
