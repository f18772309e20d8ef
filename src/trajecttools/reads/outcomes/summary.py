"""The headline figure of every measure in one table, and the measures in report order."""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

import pandas as pd

from trajecttools.reads.outcomes.competing import cumulative_incidence
from trajecttools.reads.outcomes.employment import (
    first_job_quality,
    retention,
    retention_curve,
    revolving_door,
    work_status,
)
from trajecttools.reads.outcomes.flow import flow
from trajecttools.reads.outcomes.grouping import finish
from trajecttools.reads.outcomes.progress import ladder_change, zrm_change, zrm_domain_change
from trajecttools.reads.outcomes.register import (
    MIN_N,
    QUALITY_FLAGS,
    By,
    DateLike,
    Period,
    Register,
    by_keys,
    resolve,
)
from trajecttools.reads.outcomes.survival import km_curve, time_to_first_job

if TYPE_CHECKING:
    from trajecttools.register.store import Store


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
    percentage (the table of the dashboard and the first sheet of the export).

    ``job_12m_pct`` is the Kaplan-Meier share at work 12 months after registration,
    ``work_12m_pct`` the Aalen-Johansen one (stopping without work as competing event).

    Sustainable work has a column triple per horizon of the register's methods
    (``eligible_6m``, ``sustained_6m``, ``sustained_6m_pct``; 6, 12 and 18 by default); the
    revolving door (``placed``, ``returned``) stands beside the rights opened after an art. 60
    contract (``rights_ended``, ``rights_opened``).
    """
    reg, day = resolve(data, as_of)
    horizons = reg.horizons
    keys_by = by_keys(by, reg)
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
    aj = time_to_first_job(reg, keys_by, closed_without_job="competing", **kw)[
        [*keys, "job_12m_pct"]].rename(columns={"job_12m_pct": "work_12m_pct"})
    quality = first_job_quality(reg, keys_by, **kw).drop(columns="suppressed")
    ret = retention(reg, keys_by, **kw)
    parts = []
    for m in horizons:
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
    for part in (km, aj, quality, *parts, door, zrm, lad):
        out = out.merge(part, on=keys, how="outer") if keys else pd.concat(
            [out.reset_index(drop=True), part.reset_index(drop=True)], axis=1)
    counts = ["inflow", "outflow", "outflow_work", "registered", "found_job", "first_jobs",
              *QUALITY_FLAGS, *[f"{q}_known" for q in QUALITY_FLAGS],
              *[f"{w}_{m}m" for m in horizons for w in ("eligible", "sustained")],
              "placed", "returned", "rights_ended", "rights_opened", "zrm_n", "ladder_n"]
    for col in counts:
        out[col] = out[col].fillna(0).astype("int64")
    if keys:
        out = out.sort_values(keys, kind="stable").reset_index(drop=True)
    rules: dict[str, list[str]] = {
        "registered": ["found_job", "median_days", "job_12m_pct", "work_12m_pct"],
        "first_jobs": [],
        **{f"{q}_known": [q, f"{q}_pct"] for q in QUALITY_FLAGS},
        **{f"eligible_{m}m": [f"sustained_{m}m", f"sustained_{m}m_pct"] for m in horizons},
        "placed": ["returned", "returned_pct"],
        "rights_ended": ["rights_opened", "rights_opened_pct"],
        "zrm_n": ["zrm_change"],
        "ladder_n": ["ladder_change"],
    }
    rules["registered"] += ["inflow", "outflow", "outflow_work"]
    return finish(out, keys_by, rules, min_n)


#: The measures in the order a report shows them (name -> function).
MEASURES: Final = MappingProxyType(
    {
        "summary": summary,
        "flow": flow,
        "time_to_first_job": time_to_first_job,
        "km_curve": km_curve,
        "cumulative_incidence": cumulative_incidence,
        "work_status": work_status,
        "first_job_quality": first_job_quality,
        "retention": retention,
        "retention_curve": retention_curve,
        "revolving_door": revolving_door,
        "zrm_change": zrm_change,
        "zrm_domain_change": zrm_domain_change,
        "ladder_change": ladder_change,
    }
)
