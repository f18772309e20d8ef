"""Grouping and suppression shared by the outcome measures: one row a group, counts beside
each percentage, small groups hidden."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from trajecttools.reads.outcomes.register import MIN_N

# -- grouping helpers ---------------------------------------------------------------------------
_ALL = "_all"


def keyed(df: pd.DataFrame, by: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """Return the frame with a constant key when there is no split, and the key columns."""
    if by:
        return df, by
    return df.assign(**{_ALL: "Totaal"}), [_ALL]


def group_codes(df: pd.DataFrame, keys: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
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


def finish(
    out: pd.DataFrame, by: list[str], rules: Mapping[str, Sequence[str]], min_n: int | None
) -> pd.DataFrame:
    """Return a measure's frame with its split and suppression rules in ``attrs``, suppressed."""
    out = out.drop(columns=[_ALL], errors="ignore").reset_index(drop=True)
    out.attrs["suppress"] = {k: list(v) for k, v in rules.items()}
    out.attrs["by"] = list(by)
    return suppress(out, min_n=min_n)


def pct(numerator: Any, denominator: Any) -> np.ndarray:
    """Return ``100 * numerator / denominator``, NaN where the denominator is not positive."""
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
