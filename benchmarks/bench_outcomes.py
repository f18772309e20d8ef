"""Benchmark: every outcome measure for a register of 100 000 trajectories.

Usage: python benchmarks/bench_outcomes.py [--size 100000] [--db PATH] [--baseline 4000]

Target (issue 6, this 2-core machine): all measures (``outcomes.MEASURES``: summary, flow,
time to first job and its Kaplan-Meier curve, first-job quality, retention at 6/12 months and
its curve over 24 months, revolving door, ZRM mean and per domain, ladder) in at most 2 s,
starting from a freshly loaded register (the per-date trajectory facts are part of the time).

Baseline in the same run: a straightforward per-trajectory Python loop computing the same
headline figures (first job, Kaplan-Meier by the textbook loop, quality shares, retention over
0-24 months, revolving door, ZRM and ladder change, monthly flow) on a subsample of
``--baseline`` trajectories, scaled linearly to the full size — said so in the output. The loop's
answers are checked against the vectorised ones on that subsample, so the ratio compares two
correct implementations.
"""

from __future__ import annotations

import argparse
import bisect
import calendar
import datetime as dt
import math
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from trajecttools.core import vocab
from trajecttools.outputs import demo
from trajecttools.reads import outcomes
from trajecttools.workspace import Workspace

AS_OF = dt.date(2026, 11, 2)


def _median_time(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def register_from_demo(size: int, seed: int) -> outcomes.Register:
    """Generate a demo register in memory and shape it for the measures."""
    frames = demo.generate(size, seed=seed, as_of=AS_OF)
    teams = frames["teams"][["id", "name"]].rename(columns={"id": "team_id", "name": "team"})
    coaches = frames["coaches"].merge(teams, on="team_id", how="left")[["id", "name", "team"]]
    cases = (
        frames["trajectories"].rename(columns={"id": "trajectory_id"})
        .merge(frames["clients"][["id", "target_group", "region"]]
               .rename(columns={"id": "client_id"}), on="client_id")
        .merge(coaches.rename(columns={"id": "coach_id", "name": "coach"}), on="coach_id",
               how="left")
    )
    return outcomes.from_frames(cases, frames["placements"], frames["benefit_periods"],
                                frames["zrm_assessments"], frames["ladder_steps"], as_of=AS_OF)


def all_measures(reg: outcomes.Register, by: str | None = None) -> dict[str, pd.DataFrame]:
    """Run every measure once from a cold cache."""
    reg.clear_cache()
    return {name: fn(reg, by) for name, fn in outcomes.MEASURES.items()}


def subsample(reg: outcomes.Register, n: int) -> outcomes.Register:
    """The first ``n`` trajectories with their own placements, benefits and measurements."""
    traj = reg.trajectories.iloc[:n]
    ids, clients = set(traj["trajectory_id"]), set(traj["client_id"])
    return outcomes.Register(
        traj.reset_index(drop=True),
        reg.placements[reg.placements["trajectory_id"].isin(ids)].reset_index(drop=True),
        reg.benefit_periods[reg.benefit_periods["client_id"].isin(clients)]
        .reset_index(drop=True),
        reg.zrm_assessments[reg.zrm_assessments["trajectory_id"].isin(ids)]
        .reset_index(drop=True),
        reg.ladder_steps[reg.ladder_steps["trajectory_id"].isin(ids)].reset_index(drop=True),
        reg.as_of,
    )


# -- the baseline: one trajectory at a time ----------------------------------------------------
def _day(value: Any) -> dt.date | None:
    return None if pd.isna(value) else pd.Timestamp(value).date()


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def baseline(reg: outcomes.Register) -> dict[str, float]:
    """Compute the headline figures with plain Python loops (no pandas in the loop)."""
    day = reg.as_of.date()
    jobs_of_traj: dict[int, list[tuple[dt.date, int, dict[Any, Any]]]] = defaultdict(list)
    jobs_of_client: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    marks: dict[int, list[tuple[dt.date, bool]]] = defaultdict(list)  # work or art. 60 starts
    for row in reg.placements.to_dict("records"):
        start = _day(row["start_on"])
        if start is None or start > day:
            continue
        if (row["work"] or row["rights"]) and not pd.isna(row["client_id"]):
            marks[int(row["client_id"])].append((start, bool(row["rights"])))
        if not row["work"]:  # what the trajectory's method counts as work
            continue
        jobs_of_traj[row["trajectory_id"]].append((start, row["id"], row))
        if not pd.isna(row["client_id"]):
            jobs_of_client[int(row["client_id"])].append((start, _day(row["end_on"])))
    benefits: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    for row in reg.benefit_periods.to_dict("records"):
        start = _day(row["start_on"])
        if row["kind"] != "none" and start is not None and start <= day:
            benefits[row["client_id"]].append((start, _day(row["end_on"])))

    durations: list[tuple[int, bool]] = []
    first_jobs: list[tuple[int, dt.date, dict[Any, Any]]] = []
    trajectories: set[int] = set()
    inflow: dict[tuple[int, int], int] = defaultdict(int)
    outflow: dict[tuple[int, int], int] = defaultdict(int)
    for row in reg.trajectories.to_dict("records"):
        registered = pd.Timestamp(row["registered_at"]).date()
        if registered > day:
            continue
        trajectories.add(row["trajectory_id"])
        inflow[(registered.year, registered.month)] += 1
        closed = _day(row["closed_on"])
        if closed is not None and closed > day:
            closed = None
        if closed is not None:
            outflow[(closed.year, closed.month)] += 1
        jobs = sorted(jobs_of_traj.get(row["trajectory_id"], []), key=lambda j: (j[0], j[1]))
        job = jobs[0] if jobs else None
        if job is not None and closed is not None and job[0] > closed:
            job = None
        if job is not None:
            durations.append((max(0, (job[0] - registered).days), True))
            first_jobs.append((row["client_id"], job[0], job[2]))
        else:
            durations.append((max(0, ((closed or day) - registered).days), False))

    # Kaplan-Meier, the textbook loop over distinct times
    durations.sort()
    at_risk, survival, median = len(durations), 1.0, math.nan
    i = 0
    while i < len(durations):
        t = durations[i][0]
        events = removed = 0
        while i < len(durations) and durations[i][0] == t:
            events += durations[i][1]
            removed += 1
            i += 1
        if events:
            survival *= 1 - events / at_risk
            if survival <= 0.5 and math.isnan(median):
                median = t
        at_risk -= removed

    quality = {flag: [0, 0] for flag in outcomes.QUALITY_FLAGS}
    for _client, _start, placement in first_jobs:
        for flag in outcomes.QUALITY_FLAGS:
            if not pd.isna(placement[flag]):
                quality[flag][1] += 1
                quality[flag][0] += bool(placement[flag])

    def opens_rights(client: int, benefit_start: dt.date) -> bool:
        before = [m for m in marks[client] if m[0] < benefit_start]
        return bool(before) and max(before)[1]

    def covered(spans: list[tuple[dt.date, dt.date | None]], when: dt.date) -> bool:
        return any(s <= when and (e is None or when <= e) for s, e in spans)

    retention = {m: [0, 0] for m in range(25)}
    revolving = [0, 0]
    for client, start, _job in first_jobs:
        for m in range(25):
            when = _add_months(start, m)
            if when > day:
                break
            retention[m][1] += 1
            retention[m][0] += (covered(jobs_of_client[client], when)
                                and not covered(benefits[client], when))
        window = _add_months(start, 12)
        if window <= day:
            revolving[1] += 1
            revolving[0] += any(start < s <= window and not opens_rights(client, s)
                                for s, _e in benefits[client])

    def change(table: pd.DataFrame, columns: list[str]) -> tuple[int, float]:
        rows: dict[int, list[tuple[dt.date, int, list[float]]]] = defaultdict(list)
        for rec in table.to_dict("records"):
            when = _day(rec["assessed_on"])
            if rec["trajectory_id"] in trajectories and when is not None and when <= day:
                rows[rec["trajectory_id"]].append(
                    (when, rec["id"], [float(rec[c]) for c in columns]))
        diffs = []
        for measurements in rows.values():
            measurements.sort(key=lambda m: (m[0], m[1]))
            first, last = measurements[0], measurements[-1]
            if last[0] <= first[0]:
                continue
            a = [v for v in first[2] if not math.isnan(v)]
            b = [v for v in last[2] if not math.isnan(v)]
            if a and b:
                diffs.append(sum(b) / len(b) - sum(a) / len(a))
        return len(diffs), (sum(diffs) / len(diffs)) if diffs else math.nan

    zrm_n, zrm_mean = change(reg.zrm_assessments, list(vocab.ZRM_DOMAINS))
    ladder_n, ladder_mean = change(reg.ladder_steps, ["rung"])
    months = sorted(set(inflow) | set(outflow))
    bisect.insort(months, (day.year, day.month))
    return {
        "trajectories": len(durations), "first_jobs": len(first_jobs), "median_days": median,
        **{f"{f}_n": q[0] for f, q in quality.items()},
        **{f"{f}_known": q[1] for f, q in quality.items()},
        "sustained_6m": retention[6][0], "eligible_6m": retention[6][1],
        "sustained_12m": retention[12][0], "eligible_12m": retention[12][1],
        "sustained_18m": retention[18][0], "eligible_18m": retention[18][1],
        "sustained_24m": retention[24][0], "eligible_24m": retention[24][1],
        "returned": revolving[0], "placed": revolving[1],
        "zrm_n": zrm_n, "zrm_change": zrm_mean, "ladder_n": ladder_n, "ladder_change": ladder_mean,
        "inflow": sum(inflow.values()), "outflow": sum(outflow.values()),
    }


def vectorised(reg: outcomes.Register) -> dict[str, float]:
    """The same headline figures from the measures (unsuppressed)."""
    kw: dict[str, Any] = {"min_n": None}
    km = outcomes.time_to_first_job(reg, **kw).iloc[0]
    q = outcomes.first_job_quality(reg, **kw).iloc[0]
    ret = outcomes.retention_curve(reg, **kw).set_index("months")
    door = outcomes.revolving_door(reg, **kw).iloc[0]
    zrm = outcomes.zrm_change(reg, **kw).iloc[0]
    lad = outcomes.ladder_change(reg, **kw).iloc[0]
    flow = outcomes.flow(reg, **kw)
    return {
        "trajectories": km["n"], "first_jobs": q["first_jobs"], "median_days": km["median_days"],
        **{f"{f}_n": q[f] for f in outcomes.QUALITY_FLAGS},
        **{f"{f}_known": q[f"{f}_known"] for f in outcomes.QUALITY_FLAGS},
        **{f"{w}_{m}m": ret.loc[m, "sustained" if w == "sustained" else "eligible"]
           for m in (6, 12, 18, 24) for w in ("sustained", "eligible")},
        "returned": door["returned"], "placed": door["placed"],
        "zrm_n": zrm["n"], "zrm_change": zrm["mean_change"], "ladder_n": lad["n"],
        "ladder_change": lad["mean_change"],
        "inflow": flow["inflow"].sum(), "outflow": flow["outflow"].sum(),
    }


def check_equal(a: dict[str, float], b: dict[str, float]) -> list[str]:
    """Return the figures on which the loop and the measures disagree."""
    bad = []
    for key, value in a.items():
        other = float(b[key])
        if math.isnan(value) and math.isnan(other):
            continue
        if not math.isclose(float(value), other, rel_tol=1e-9, abs_tol=1e-9):
            bad.append(f"{key}: loop {value} != measures {other}")
    return bad


def main() -> int:
    """Time all measures on a large register against the per-trajectory loop."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--db", type=Path, default=None, help="read an existing register")
    parser.add_argument("--baseline", type=int, default=4_000,
                        help="trajectories in the loop's subsample")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    start = time.perf_counter()
    if args.db is not None:
        with Workspace(args.db, migrate=False, today=AS_OF) as store:
            reg = outcomes.load(store, AS_OF)
        source = f"register {args.db} (outcomes.load)"
    else:
        reg = register_from_demo(args.size, args.seed)
        source = f"demo.generate({args.size}, seed={args.seed}) in memory"
    prepare_s = time.perf_counter() - start
    n = len(reg)
    print(f"trajectories: {n:,} from {source}; placements {len(reg.placements):,}, benefit "
          f"periods {len(reg.benefit_periods):,}, ZRM {len(reg.zrm_assessments):,}, ladder "
          f"{len(reg.ladder_steps):,} (prepared in {prepare_s:.1f} s, not timed below)")

    per_measure = {}
    for name, fn in outcomes.MEASURES.items():
        reg.clear_cache()
        outcomes.facts(reg)  # shared by all; timed in the total below
        per_measure[name] = _median_time(lambda fn=fn: fn(reg), args.repeat)  # type: ignore[misc]
    total = _median_time(lambda: all_measures(reg), args.repeat)
    by_coach = _median_time(lambda: all_measures(reg, "coach"), args.repeat)
    by_group = _median_time(lambda: all_measures(reg, "target_group"), args.repeat)
    for name, secs in per_measure.items():
        print(f"  {name:18s} {secs:6.3f} s (facts cached)")
    print(f"all {len(outcomes.MEASURES)} measures, cold cache, total:       {total:.3f} s "
          f"(target <= 2 s: {'met' if total <= 2 else 'NOT met'})")
    print(f"all measures split by target group:           {by_group:.3f} s")
    print(f"all measures split by coach:                  {by_coach:.3f} s")

    sample = subsample(reg, min(args.baseline, n))
    m = len(sample)
    start = time.perf_counter()
    loop = baseline(sample)
    loop_s = time.perf_counter() - start
    mismatch = check_equal(loop, vectorised(sample))
    scaled = loop_s * n / m
    vec_sample = _median_time(lambda: vectorised(sample), args.repeat)
    print(f"baseline: per-trajectory Python loop on a subsample of {m:,} trajectories: "
          f"{loop_s:.2f} s, scaled linearly to {n:,}: {scaled:.1f} s (estimate, not measured)")
    print(f"  the loop's figures {'agree with' if not mismatch else 'DIFFER from'} the measures "
          f"on the subsample ({len(loop)} figures checked); measures on the subsample: "
          f"{vec_sample:.3f} s")
    for line in mismatch:
        print(f"  ! {line}")
    print(f"ratio (scaled loop / measures, all figures): {scaled / total:.0f}x")
    return 1 if mismatch else 0


if __name__ == "__main__":
    raise SystemExit(main())
