"""Work after the first job: its quality, sustainable work (still at work and off benefits)
and the revolving door (back on a benefit; a benefit after an art. 60 contract opens rights and
is counted apart).

"Work" is what the trajectory's method counts as work (``[outcomes]`` of its method file; by
default a regular contract without wage subsidy); the other placements are steps."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Final

import numpy as np
import pandas as pd

from trajecttools.core.dates import add_months_grid
from trajecttools.reads.outcomes.grouping import finish, group_codes, keyed, pct
from trajecttools.reads.outcomes.register import (
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

#: Months after the start of work at which sustainable work is judged, unless the methods'
#: ``[outcomes]`` say otherwise: 6, 12 and 18, the horizons of the CBS cohort study of exits
#: from social assistance to work, so figures can be set beside it ("Traject Work-2-Gether"
#: asks for at least six months at work and benefit-independent).
HORIZONS: Final = (6, 12, 18)


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
    mask = place["work"].to_numpy() & (place["start_on"] <= day).to_numpy()
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
    months: Iterable[int] | None = None,
    period: Period | None = None,
    as_of: DateLike | None = None,
    min_n: int | None = MIN_N,
) -> pd.DataFrame:
    """Return who is still at work and benefit-independent 6, 12 and 18 months after the
    start of work.

    The same figures as :func:`retention_curve`, at the horizons of the methods'
    ``[outcomes]`` (``months`` None; by default :data:`HORIZONS`, those of the CBS cohort study
    of exits from social assistance to work). Only people whose horizon has passed by
    ``as_of`` are in its denominator (``eligible``).
    """
    reg, _day = resolve(data, as_of)
    steps = reg.horizons if months is None else tuple(months)
    return retention_curve(reg, by, months=steps, period=period, as_of=as_of, min_n=min_n)


def _rights_benefits(reg: Register, day: pd.Timestamp) -> pd.DataFrame:
    """Return the benefit periods started by ``day`` with ``rights``: True when the client's
    latest work or step placement started before the benefit is a step after which a benefit
    opens rights (art. 60: "rechten geopend"), not the revolving door."""
    ben = _benefit_intervals(reg, day).reset_index(drop=True)
    ben = ben.assign(rights=False)
    place = reg.placements
    mask = (place["work"] | place["rights"]).to_numpy() & place["client_id"].notna().to_numpy()
    mask &= (place["start_on"] <= day).to_numpy()
    marks = place.loc[mask, ["client_id", "start_on", "rights"]].astype({"client_id": "int64"})
    if ben.empty or marks.empty:
        return ben
    marks = marks.sort_values(["start_on", "rights"], kind="stable").rename(
        columns={"start_on": "mark_on", "rights": "after_rights"})
    order = ben.sort_values("start_on", kind="stable")
    found = pd.merge_asof(order.reset_index(), marks, left_on="start_on", right_on="mark_on",
                          by="client_id", direction="backward", allow_exact_matches=False)
    ben.loc[found["index"].to_numpy(), "rights"] = found["after_rights"].fillna(False).to_numpy(
        dtype=bool)
    return ben


def revolving_door(
    data: Register | Store,
    by: By = None,
    *,
    within_months: int | None = None,
    period: Period | None = None,
    as_of: DateLike | None = None,
    min_n: int | None = MIN_N,
) -> pd.DataFrame:
    """Return how many people at work were back on a benefit within ``within_months``, and,
    apart, how many opened rights after an art. 60 contract.

    A revolving-door client (draaideurklant) started work and then had a benefit period start
    after the start of work and at most ``within_months`` months later (None: the method's
    ``revolving_door_months``, 12 by default). A benefit whose latest preceding placement is a
    step that opens rights (``rights_after``, the art. 60§7 contract) is not the revolving
    door: in Flanders it is often the intended result ("rechten geopend"). Only work whose
    window has passed by ``as_of`` counts (``placed``, the denominator); ``returned`` and
    ``returned_pct`` are the revolving door. ``rights_ended`` counts the art. 60 contracts
    (first per trajectory) that ended in the period with their window passed, and
    ``rights_opened`` / ``rights_opened_pct`` those followed by a benefit within the window.
    """
    reg, day = resolve(data, as_of)
    keys_by = by_keys(by, reg)
    today = np.datetime64(day.date(), "D")
    f = facts(reg, day)
    place = reg.placements
    ended = place[place["rights"].to_numpy() & place["end_on"].notna().to_numpy()
                  & (place["end_on"] <= day).to_numpy()]
    ended = ended.sort_values(["trajectory_id", "start_on", "id"], kind="stable")
    ended = ended.drop_duplicates("trajectory_id")[["trajectory_id", "end_on"]]
    f = f.merge(ended.rename(columns={"end_on": "rights_end_on"}), on="trajectory_id",
                how="left")
    at_work = (f["placed"] & in_period(f["first_job_on"], period)).to_numpy()
    after = in_period(f["rights_end_on"], period).to_numpy()
    f = f[at_work | after].reset_index(drop=True)
    at_work, after = at_work[at_work | after], after[at_work | after]
    f, keys = keyed(f, keys_by)
    codes, groups = group_codes(f, keys)
    months = _window(reg, f, within_months)
    benefits = _rights_benefits(reg, day)
    rights = benefits["rights"].to_numpy()

    start = f["first_job_on"].to_numpy().astype("datetime64[D]")
    window_end = _add_months(start, months)
    eligible = at_work & (window_end <= today)
    returned = _benefit_between(f, start, window_end, benefits[~rights]) & eligible
    # after an art. 60 contract: a benefit starting on its last day or later, within the window
    end = f["rights_end_on"].to_numpy().astype("datetime64[D]")
    rights_end = _add_months(end, months)
    ended_here = after & (rights_end <= today)
    opened = _benefit_between(f, end - np.timedelta64(1, "D"), rights_end,
                              benefits[rights]) & ended_here

    out = groups.copy()
    out["placed"] = np.bincount(codes[eligible], minlength=len(groups))
    out["returned"] = np.bincount(codes[returned], minlength=len(groups))
    out["returned_pct"] = pct(out["returned"], out["placed"])
    out["rights_ended"] = np.bincount(codes[ended_here], minlength=len(groups))
    out["rights_opened"] = np.bincount(codes[opened], minlength=len(groups))
    out["rights_opened_pct"] = pct(out["rights_opened"], out["rights_ended"])
    return finish(out, keys_by, {"placed": ["returned", "returned_pct"],
                                 "rights_ended": ["rights_opened", "rights_opened_pct"]}, min_n)


def _window(reg: Register, f: pd.DataFrame, within_months: int | None) -> np.ndarray:
    """Return each row's revolving-door window in months (the given one, else its method's)."""
    if within_months is not None:
        return np.full(len(f), int(within_months), dtype="int64")
    if "method" not in f.columns:
        return np.full(len(f), reg.rules_of(None).revolving_door_months, dtype="int64")
    method = f["method"].astype("object").to_numpy()
    return np.array([reg.rules_of(str(m)).revolving_door_months for m in method],
                    dtype="int64")


def _add_months(start: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Return each start plus its own number of months (clipped to the month's end)."""
    out = np.full(len(start), np.datetime64("NaT"), dtype="datetime64[D]")
    for m in np.unique(months):
        rows = months == m
        out[rows] = add_months_grid(start[rows], [int(m)])[:, 0]
    return out


def _benefit_between(f: pd.DataFrame, start: np.ndarray, end: np.ndarray,
                     benefits: pd.DataFrame) -> np.ndarray:
    """Tell per row whether a benefit of its client starts after ``start`` and by ``end``."""
    hit_rows = np.zeros(len(f), dtype=bool)
    if not len(f) or benefits.empty:
        return hit_rows
    left = pd.DataFrame({"row": np.arange(len(f)), "client_id": f["client_id"].to_numpy()})
    pairs = left.merge(benefits[["client_id", "start_on"]], on="client_id")
    r = pairs["row"].to_numpy()
    b_start = pairs["start_on"].to_numpy().astype("datetime64[D]")
    hit = (b_start > start[r]) & (b_start <= end[r])
    hit_rows[r[hit]] = True
    return hit_rows


# -- work and steps, apart ----------------------------------------------------------------------
#: The Dutch words for someone at work, and for someone neither at work nor in a step.
AT_WORK: Final = "aan het werk"
NEITHER: Final = "geen werk of opstap"


def work_status(
    data: Register | Store,
    by: By = None,
    *,
    period: Period | None = None,
    as_of: DateLike | None = None,
    min_n: int | None = MIN_N,
) -> pd.DataFrame:
    """Return, per group, how many people are at work and how many are in a step — apart.

    For the trajectories registered in the period: ``now`` counts who is, on ``as_of``, in a
    placement that counts as work ("aan het werk"), else in a step (its words from the method:
    "in een opstap", "in art. 60"), else neither; ``reached`` counts the furthest each got by
    ``as_of``: work, else a step, else neither. One row per group and ``status`` (Dutch), with
    ``n`` (trajectories in the group), ``now``/``now_pct`` and ``reached``/``reached_pct``.
    """
    reg, day = resolve(data, as_of)
    keys_by = by_keys(by, reg)
    f = facts(reg, day)
    f = f[in_period(f["registered_on"], period).to_numpy()].reset_index(drop=True)
    f, keys = keyed(f, keys_by)
    codes, groups = group_codes(f, keys)
    labels = [AT_WORK, *reg.step_labels, NEITHER]
    place = reg.placements
    started = (place["start_on"] <= day).to_numpy()
    moment = np.full((len(f), 1), np.datetime64(day.date(), "D"))
    rows = np.arange(len(f))
    ids = f["trajectory_id"].to_numpy(dtype="int64")

    def covering(mask: np.ndarray) -> np.ndarray:
        spans = place.loc[mask & started, ["trajectory_id", "start_on", "end_on"]]
        spans = spans.rename(columns={"trajectory_id": "client_id"})
        return _covered(rows, ids, moment, spans)[:, 0]

    now = np.full(len(f), NEITHER, dtype=object)
    reached = np.full(len(f), NEITHER, dtype=object)
    step = place["step"].to_numpy(dtype=object)
    for label in reversed(reg.step_labels):  # the first-listed step wins a tie
        now[covering(step == label)] = label
    now[covering(place["work"].to_numpy())] = AT_WORK
    first_step = f["first_step"].to_numpy(dtype=object)
    has_step = pd.notna(first_step)
    reached[has_step] = first_step[has_step]
    reached[f["placed"].to_numpy()] = AT_WORK
    n = np.bincount(codes, minlength=len(groups))
    parts = []
    for label in labels:
        part = groups.copy()
        part["status"] = label
        part["n"] = n
        part["now"] = np.bincount(codes[now == label], minlength=len(groups))
        part["now_pct"] = pct(part["now"], n)
        part["reached"] = np.bincount(codes[reached == label], minlength=len(groups))
        part["reached_pct"] = pct(part["reached"], n)
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    out["status"] = pd.Categorical(out["status"], categories=labels)
    out = out.sort_values([*keys, "status"], kind="stable").reset_index(drop=True)
    return finish(out, keys_by, {"n": ["now", "now_pct", "reached", "reached_pct"]}, min_n)
