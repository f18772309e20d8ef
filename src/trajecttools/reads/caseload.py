"""Caseload and flow: active trajectories per coach and team, and the phase funnel per method.

Both take either a store (then the trajectories' state on ``as_of`` is derived from the phase
events, like the signals) or a cases-like frame with one row a trajectory: ``ws.cases()``,
or :func:`trajecttools.reads.signals.case_states` when the inputs are already loaded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from trajecttools.core.method import Method, builtin_methods
from trajecttools.reads.signals import SEVERITY_ORDER, case_states, load_inputs
from trajecttools.register.store import Store

#: Text for a group without a value (e.g. a trajectory that has no coach yet; a frame with a
#: ``method`` column names the coach in the words of each trajectory's method).
MISSING_LABELS: Mapping[str, str] = {"team": "Geen team", "coach": "Geen jobcoach"}


def _states(
    store_or_cases: Store | pd.DataFrame,
    as_of: dt.date | None,
    methods: Mapping[str, Method] | None,
) -> tuple[pd.DataFrame, Mapping[str, Method]]:
    if isinstance(store_or_cases, Store):
        store = store_or_cases
        day = as_of or store.today
        found = methods or store.methods()
        return case_states(load_inputs(store, day), found, day), found
    return store_or_cases, methods or builtin_methods()


def _labels(frame: pd.DataFrame, by: Sequence[str],
            methods: Mapping[str, Method]) -> pd.DataFrame:
    """The grouping columns as plain text, with a Dutch label where a value is missing (no
    coach: in the words of the trajectory's method, e.g. "Geen trajectbegeleider")."""
    out = pd.DataFrame(index=frame.index)
    for col in by:
        values = frame[col].astype(object)
        fallback = MISSING_LABELS.get(col, "Onbekend")
        if col == "coach" and "method" in frame.columns:
            words = {code: f"Geen {m.words.coach}" for code, m in methods.items()}
            missing = frame["method"].astype(object).map(words).fillna(fallback)
            out[col] = values.where(values.notna(), missing).astype(str)
        else:
            out[col] = values.where(values.notna(), fallback).astype(str)
    return out


def phase_order(methods: Mapping[str, Method]) -> list[str]:
    """Labels of the phases that are not closed, by common stage and then method order."""
    stages = ["registration", "intake", "preparation", "employment", "job_search", "aftercare"]
    found = [(stages.index(p.stage), i, k, p.label)
             for i, m in enumerate(methods.values()) for k, p in enumerate(m.phases)
             if p.stage in stages]
    return list(dict.fromkeys(label for *_, label in sorted(found)))


def caseload(
    store_or_cases: Store | pd.DataFrame,
    signals_df: pd.DataFrame | None = None,
    by: Sequence[str] = ("team", "coach"),
    as_of: dt.date | None = None,
    *,
    methods: Mapping[str, Method] | None = None,
) -> pd.DataFrame:
    """Return the caseload per group (default: per team and coach), one row a group.

    Columns: the ``by`` columns; ``active`` trajectories; one column per phase label with the
    active trajectories in it (listed in ``attrs["phase_columns"]``: melt on them to chart);
    ``median_days_in_phase`` and ``max_days_in_phase``; ``signals_high``, ``signals_medium``,
    ``signals_low``, ``signals`` and ``with_signals`` (trajectories with at least one signal);
    ``coach_changes`` and ``hand_offs`` summed over the active trajectories (``hand_offs``:
    changes of the person who guides the client, see the ``hand_offs`` rule; referrals the coach
    keeps following are none; missing for a frame without ``hand_offs``). Use
    ``by=("team",)`` for teams.
    """
    by = list(by)
    cases, found = _states(store_or_cases, as_of, methods)
    active = cases[cases["active"].astype(bool)]
    keys = _labels(active, by, found)
    work = keys.assign(
        phase_label=active["phase_label"].astype(str),
        days=active["days_in_phase"].astype("Float64"),
        coach_changes=active["coach_changes"].astype("int64"),
    )
    if "hand_offs" in active.columns:
        work["hand_offs"] = active["hand_offs"].astype("Int64")
    else:
        work["hand_offs"] = pd.array([pd.NA] * len(active), dtype="Int64")

    labels = phase_order(found)
    extra = sorted(set(work["phase_label"]) - set(labels))
    phase_cols = labels + extra
    if len(work):
        per_phase = (work.groupby([*by, "phase_label"]).size().unstack("phase_label")
                     .reindex(columns=phase_cols).fillna(0).astype("int64"))
    else:
        per_phase = pd.DataFrame(columns=phase_cols, dtype="int64")
    grouped = work.groupby(by)
    stats = pd.DataFrame({
        "active": grouped.size(),
        "median_days_in_phase": grouped["days"].median(),
        "max_days_in_phase": grouped["days"].max(),
        "coach_changes": grouped["coach_changes"].sum(),
        "hand_offs": grouped["hand_offs"].sum(min_count=1),
    })

    sig = signals_df if signals_df is not None else pd.DataFrame(
        columns=[*by, "severity", "trajectory_id"])
    sig_keys = _labels(sig, by, found).assign(
        severity=pd.Categorical(sig["severity"].astype(object), categories=SEVERITY_ORDER),
        trajectory_id=sig["trajectory_id"].to_numpy(),
    )
    counts = (sig_keys.groupby([*by, "severity"], observed=False).size()
              .unstack("severity").reindex(columns=list(SEVERITY_ORDER)).fillna(0).astype("int64")
              .rename(columns=lambda s: f"signals_{s}"))
    counts["signals"] = counts.sum(axis=1)
    counts["with_signals"] = sig_keys.groupby(by)["trajectory_id"].nunique()

    index = stats.index.union(counts.index) if len(counts) else stats.index
    out = pd.concat([stats.reindex(index), per_phase.reindex(index),
                     counts.reindex(index)], axis=1)
    ints = ["active", *phase_cols, "coach_changes", "signals_high", "signals_medium",
            "signals_low", "signals", "with_signals"]
    out[ints] = out[ints].fillna(0).astype("int64")
    out["median_days_in_phase"] = out["median_days_in_phase"].astype("Float64")
    out["max_days_in_phase"] = out["max_days_in_phase"].astype("Float64").astype("Int64")
    out["hand_offs"] = out["hand_offs"].astype("Int64")
    out = out.reset_index()
    out = out[[*by, "active", *phase_cols, "median_days_in_phase", "max_days_in_phase",
               "signals_high", "signals_medium", "signals_low", "signals", "with_signals",
               "coach_changes", "hand_offs"]]
    out.attrs["phase_columns"] = phase_cols
    return out.sort_values(by, kind="stable").reset_index(drop=True)


def phase_funnel(
    cases: Store | pd.DataFrame,
    methods: Mapping[str, Method] | None = None,
    as_of: dt.date | None = None,
) -> pd.DataFrame:
    """Return active trajectories per method and phase, in the method's phase order.

    One row a (method, phase) for every phase that is not closed, also when it is empty:
    ``method``, ``method_name``, ``step`` (1 = first phase), ``phase``, ``phase_label``,
    ``stage``, ``active`` and ``share`` (of the method's active trajectories).
    """
    states, found = _states(cases, as_of, methods)
    grid = pd.DataFrame(
        [(m.code, m.name, k, p.code, p.label, p.stage)
         for m in found.values()
         for k, p in enumerate((p for p in m.phases if p.stage != "closed"), start=1)],
        columns=["method", "method_name", "step", "phase", "phase_label", "stage"],
    )
    active = states[states["active"].astype(bool)]
    counts = (pd.DataFrame({"method": active["method"].astype(str),
                            "phase": active["phase"].astype(str)})
              .groupby(["method", "phase"]).size().rename("active"))
    out = grid.join(counts, on=["method", "phase"])
    out["active"] = out["active"].fillna(0).astype("int64")
    totals = out.groupby("method")["active"].transform("sum")
    out["share"] = np.where(totals > 0, out["active"] / totals.where(totals > 0, 1), 0.0)
    return out.reset_index(drop=True)


__all__ = ["MISSING_LABELS", "caseload", "phase_funnel", "phase_order"]
