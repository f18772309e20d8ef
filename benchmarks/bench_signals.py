"""Benchmark: the signals engine on a demo register of 100 000 trajectories.

Usage: python benchmarks/bench_signals.py [--size 100000] [--db PATH] [--repeat 3]
       [--sample 5000]

Target (issue 3, this 2-core machine): signals for 100 000 trajectories in at most 1 s, load
and compute together (what ``tt.signals(store)`` does). ``load_inputs`` (the SQL reads),
``compute`` (the rules, vectorised) and their total are timed per run; best and median of
``--repeat`` runs are printed. The baseline in the same run is a straightforward
per-row implementation of the same rules: plain Python that groups the same inputs by
trajectory and walks every trajectory with ``datetime`` arithmetic and f-string sentences. It
runs on an evenly spread subsample of ``--sample`` trajectories and is scaled linearly to the
full count; its signals (trajectory, rule, days overdue) are compared with ``compute`` on the
same subsample.

``load_inputs`` answers from the stored read model (see ``trajecttools.reads.readmodel``); the
report also times the load straight from the history tables (``read_inputs``, what every load
cost before), the first load that builds the read model, and load + compute after coaches added
a contact to ``--edits`` trajectories (the model updates those first). Timed loads run in a new
Workspace: nothing is kept in memory between them. With ``--db`` the register gets those contacts.

Without ``--db`` a demo register is built in a temporary directory with
``trajecttools.outputs.demo.build`` (seed 1, as of 02-11-2026); with ``--db`` an existing one is
reused.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
from dateutil.relativedelta import relativedelta
from sqlalchemy import text

from trajecttools.core import vocab
from trajecttools.core.method import Method
from trajecttools.outputs import demo
from trajecttools.reads.signals import SignalInputs, compute, load_inputs, read_inputs
from trajecttools.workspace import Workspace

AS_OF = dt.date(2026, 11, 2)
TARGET_S = 1.0
_JOBS = {"regular"}  # the revolving door follows the regular contract ("Traject Work-2-Gether")
_NOUNS = {"stepping_stone": "Opstapbaan", "secondment": "Inleenvergoeding",
          "wage_subsidy": "Loonkostensubsidie", "social_employment": "Tewerkstelling art. 60§7"}


def _times(fn: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def _median_time(fn: Callable[[], object], repeat: int) -> float:
    return statistics.median(_times(fn, repeat))


# -- the per-row baseline ----------------------------------------------------------------------
def _rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain dicts with Python dates (None for missing values)."""
    out = []
    for rec in frame.to_dict("records"):
        row = {}
        for key, value in rec.items():
            if isinstance(value, pd.Timestamp):
                moment = key in ("registered_at", "assigned_at")
                row[key] = value.to_pydatetime() if moment else value.date()
            else:
                row[key] = None if value is pd.NaT or pd.isna(value) else value
        out.append(row)
    return out


def _by(rows: list[dict[str, Any]], key: str) -> dict[Any, list[dict[str, Any]]]:
    grouped: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[row[key]].append(row)
    return grouped


def per_row_signals(inputs: SignalInputs, methods: Mapping[str, Method],
                    today: dt.date) -> list[tuple[int, str, int, str]]:
    """The same rules, trajectory by trajectory in plain Python: (id, rule, days, message)."""
    out: list[tuple[int, str, int, str]] = []
    trajectories = _rows(inputs.trajectories)
    events = _by(_rows(inputs.phase_events), "trajectory_id")
    assignments = _by(_rows(inputs.coach_assignments), "trajectory_id")
    contacts = {r["trajectory_id"]: r for r in _rows(inputs.contacts)}
    aftercare = {r["trajectory_id"]: r for r in _rows(inputs.aftercare_contacts)}
    placements = _by(_rows(inputs.placements), "trajectory_id")
    benefits = _by(_rows(inputs.benefit_periods), "client_id")
    open_agreements = _by(_rows(inputs.open_agreements), "trajectory_id")
    not_kept = _by(_rows(inputs.not_kept_agreements), "trajectory_id")
    barriers = _by(_rows(inputs.open_barriers), "trajectory_id")
    method_of = {t["trajectory_id"]: t["method"] for t in trajectories}
    handed_on: dict[int, list[dt.date]] = defaultdict(list)  # routes handed on, per client
    for t in trajectories:
        if (str(t["outcome"]) == "other_route" and t["closed_on"] is not None
                and t["closed_on"] <= today):
            handed_on[t["client_id"]].append(t["closed_on"])
    jobs_of_client: dict[int, list[tuple[dt.date, int]]] = defaultdict(list)
    for t in trajectories:
        for p in placements.get(t["trajectory_id"], []):
            if p["kind"] in _JOBS and p["start_on"] <= today:
                jobs_of_client[t["client_id"]].append((p["start_on"], t["trajectory_id"]))

    def fmt(day: dt.date) -> str:
        return day.strftime("%d-%m-%Y")

    def emit(tid: int, rule: str, due: dt.date, text: str) -> None:
        days = (today - due).days
        out.append((tid, rule, days, f"{text} ({days} dagen te laat)"))

    for t in trajectories:
        tid, method = t["trajectory_id"], methods.get(t["method"])
        if method is None or t["registered_at"].date() > today:
            continue
        stage_of = {p.code: p.stage for p in method.phases}
        rule = method.rule
        evs = [e for e in events.get(tid, []) if e["started_on"] <= today]
        phase, since = (evs[-1]["phase"], evs[-1]["started_on"]) if evs else (
            t["phase"], t["phase_since"])
        runs: list[list[Any]] = []
        for e in evs:
            stage = stage_of.get(e["phase"])
            if runs and runs[-1][0] == stage:
                continue
            if runs:
                runs[-1][2] = e["started_on"]
            runs.append([stage, e["started_on"], None])
        stage = stage_of.get(phase)
        stage_since = runs[-1][1] if runs else since
        ac_runs = [r for r in runs if r[0] == "aftercare"]
        active = not ((t["closed_on"] is not None and t["closed_on"] <= today)
                      or stage == "closed")
        assigned = [a for a in assignments.get(tid, []) if a["assigned_at"].date() <= today]
        has_coach = bool(assigned) or (not assignments.get(tid) and t["current_coach_id"])
        registered_on = t["registered_at"].date()
        c = contacts.get(tid, {})
        ac = aftercare.get(tid, {})
        signed = [t["signed_case_manager_on"], t["signed_coach_on"], t["signed_client_on"]]
        missing = [s is None or s > today for s in signed]
        running = [p for p in placements.get(tid, [])
                   if p["start_on"] <= today and (p["end_on"] is None or p["end_on"] > today)]

        if active and not has_coach and (r := rule("coach_assignment")):
            due = (t["registered_at"] + dt.timedelta(hours=r.number("hours"))).date()
            if today > due:
                emit(tid, "coach_assignment", due, f"Geen jobcoach binnen {r.hours} uur")
        if active and any(missing) and (r := rule("plan_signatures")):
            due = registered_on + dt.timedelta(days=r.number("days"))
            if today > due:
                emit(tid, "plan_signatures", due, f"Trajectplan niet getekend op {fmt(due)}")
        if (active and not any(missing) and c.get("intake_on") is None
                and stage in ("registration", "intake") and (r := rule("intake_after_signing"))):
            due = max(signed) + dt.timedelta(days=r.number("days"))  # type: ignore[type-var]
            if today > due:
                emit(tid, "intake_after_signing", due, f"Geen intake op {fmt(due)}")
        for name, swc, warn in (("stepping_stone_at_social_work_company", True, False),
                                ("stepping_stone_max", False, True)):
            r = rule(name)
            stones = [p for p in placements.get(tid, []) if p["kind"] == "stepping_stone"
                      and p["start_on"] <= today and (p["social_work_company"] or not swc)]
            if not active or r is None or not any(p in running for p in stones):
                continue
            used = sum(max(((today if p in running else p["end_on"]) - p["start_on"]).days, 0)
                       for p in stones)
            first = min(p["start_on"] for p in stones)
            days = used - (first + relativedelta(months=r.number("months")) - first).days
            if days > 0 or (warn and days >= -r.number("warn_days")):
                emit(tid, name, today - dt.timedelta(days=days), f"Opstapbaan {used} dagen")
        shorts = [p for p in placements.get(tid, []) if p["kind"] == "regular"
                  and p["start_on"] <= today and p["end_on"] is not None]
        if active and (r := rule("regular_contract_min")):
            shorts = [p for p in shorts if p["end_on"] < p["start_on"] + relativedelta(
                months=r.number("months")) - dt.timedelta(days=1)]
            if shorts:
                p = max(shorts, key=lambda x: x["start_on"])
                emit(tid, "regular_contract_min", p["end_on"], "Contract te kort")
        for name, kind, swc, warn in (
            ("social_employment_max", "social_employment", False, True),
            ("secondment_max", "secondment", False, False),
            ("wage_subsidy_max", "wage_subsidy", False, False),
        ):
            r = rule(name)
            if not active or r is None:
                continue
            best = None
            for p in running:
                if p["kind"] != kind or (swc and not p["social_work_company"]):
                    continue
                due = p["start_on"] + relativedelta(months=r.number("months"))
                days = (today - due).days
                fires = days > 0 or (warn and days >= -r.number("warn_days"))
                if fires and (best is None or days > best[0]):
                    best = (days, due)
            if best is not None:
                emit(tid, name, best[1], f"{_NOUNS[kind]} langer dan {r.months} maanden")
        if active and (r := rule("contact_gap")):
            last = max([d for d in (c.get("last_contact_on"), ac.get("last_aftercare_on")) if d],
                       default=registered_on)
            due = last + dt.timedelta(weeks=r.number("weeks"))
            if today > due:
                emit(tid, "contact_gap", due, f"Geen contact sinds {fmt(last)}")
        stones = [p for p in running if p["kind"] == "stepping_stone"]
        if active and stones and (r := rule("weekly_review")):
            start = max(p["start_on"] for p in stones)
            last = c.get("last_weekly_review_on")
            ref = last if last is not None and last >= start else start
            due = ref + dt.timedelta(days=r.number("days") + r.number("grace_days"))
            if today > due:
                emit(tid, "weekly_review", due, f"Geen wekelijkse evaluatie sinds {fmt(ref)}")
        if active and stage == "aftercare" and (r := rule("aftercare_contact")):
            dues = []
            for key in ("last_employee_on", "last_employer_on"):
                last = ac.get(key)
                ref = max(last, stage_since) if last is not None else stage_since
                due = ref + dt.timedelta(days=r.number("days"))
                if today > due:
                    dues.append(due)
            if dues:
                emit(tid, "aftercare_contact", min(dues), "Geen nazorgcontact")
        if active and stage == "aftercare" and (r := rule("aftercare_duration")):
            due = stage_since + relativedelta(months=r.number("months"))
            if today > due:
                emit(tid, "aftercare_duration", due, f"Nazorg sinds {fmt(stage_since)}")
        if ac_runs and t["end_report_on"] is None and (r := rule("end_report")):
            duration = rule("aftercare_duration")
            end = (ac_runs[-1][1] + relativedelta(months=duration.number("months"))
                   if duration else ac_runs[-1][2])
            if end is not None:
                due = end + dt.timedelta(days=r.number("days"))
                if today > due:
                    emit(tid, "end_report", due, f"Geen rapportage na {fmt(end)}")
        if active and (r := rule("agreements_overdue")):
            late = [a for a in open_agreements.get(tid, [])
                    if a["due_on"] + dt.timedelta(days=r.number("grace_days")) < today]
            if late:
                oldest = min(a["due_on"] for a in late)
                count = sum(a["agreements"] for a in late)
                emit(tid, "agreements_overdue", oldest + dt.timedelta(days=r.number("grace_days")),
                     f"{count} afspraken te laat")
        if active and (r := rule("agreements_not_kept")):
            window = [a for a in not_kept.get(tid, [])
                      if 0 <= (today - a["closed_on"]).days < r.number("window_days")]
            if sum(a["agreements"] for a in window) >= r.number("count"):
                last = max(a["closed_on"] for a in window)
                emit(tid, "agreements_not_kept", last, "Afspraken niet nagekomen")
        changes = sorted(a["assigned_at"].date() for a in assigned)[1:]
        if active and (r := rule("coach_changes")) and len(changes) > r.number("max"):
            emit(tid, "coach_changes", changes[r.number("max")], f"{len(changes)} wissels")
        hand_offs = sorted(changes + [d for d in handed_on.get(t["client_id"], [])
                                      if d <= registered_on])
        if active and (r := rule("hand_offs")) and len(hand_offs) > r.number("max"):
            emit(tid, "hand_offs", hand_offs[r.number("max")], f"{len(hand_offs)} overdrachten")
        if active and (r := rule("referral_follow_up")):
            for b in barriers.get(tid, []):
                if b["oldest_follow_up_on"] is not None:
                    ref = b["oldest_follow_up_on"]
                elif b["referrals"] == 0 and b["severity"] == 3:
                    ref = b["noted_on"]
                else:
                    continue
                due = ref + dt.timedelta(days=r.number("days"))
                if today > due:
                    hidden = b["domain"] in vocab.SPECIAL_CATEGORY_DOMAINS
                    emit(tid, "referral_follow_up", due,
                         "Belemmering (bijzondere categorie)" if hidden else b["domain"])
    # revolving door: per benefit start, the latest placement before it
    latest: dict[int, dt.date] = {}
    for client, jobs in jobs_of_client.items():
        for b in benefits.get(client, []):
            before = [j for j in jobs if j[0] < b["start_on"]]
            if not before or b["start_on"] > today:
                continue
            placed_on, tid = max(before)
            r = methods[method_of[tid]].rule("revolving_door")
            back = r and b["start_on"] <= placed_on + relativedelta(months=r.number("months"))
            if back and (tid not in latest or b["start_on"] > latest[tid]):
                latest[tid] = b["start_on"]
    for tid, benefit_on in latest.items():
        emit(tid, "revolving_door", benefit_on, f"Terug in de uitkering op {fmt(benefit_on)}")
    return out


def subsample(inputs: SignalInputs, size: int) -> SignalInputs:
    """Every k-th trajectory, with its rows in every frame."""
    traj = inputs.trajectories
    step = max(1, len(traj) // max(size, 1))
    keep = traj.iloc[::step].head(size)
    ids, clients = set(keep["trajectory_id"]), set(keep["client_id"])
    frames = {}
    for name in ("phase_events", "coach_assignments", "contacts", "aftercare_contacts",
                 "placements", "open_agreements", "not_kept_agreements", "open_barriers",
                 "referrals"):
        frame = getattr(inputs, name)
        frames[name] = frame[frame["trajectory_id"].isin(ids)].reset_index(drop=True)
    benefits = inputs.benefit_periods
    frames["benefit_periods"] = benefits[benefits["client_id"].isin(clients)]
    return replace(inputs, trajectories=keep.reset_index(drop=True), **frames)


# -- the run -------------------------------------------------------------------------------
def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> int:
    """Build (or reuse) a demo register, time load and compute, and compare with per-row code."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--db", type=Path, default=None, help="reuse an existing demo database")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--edits", type=int, default=100,
                        help="trajectories given a new contact between two timed reads")
    parser.add_argument("--sample", type=int, default=5_000,
                        help="trajectories for the per-row baseline (scaled linearly)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "bench.db"
        if args.db is None:
            start = time.perf_counter()
            with Workspace(path, actor="bench", today=AS_OF) as store:
                demo.build(store, size=args.size, seed=1, as_of=AS_OF)
            print(f"demo register of {args.size} trajectories built in "
                  f"{time.perf_counter() - start:.1f} s")
        with Workspace(path, today=AS_OF) as store:
            methods = store.methods()
            read_inputs(store, AS_OF)  # warm the file cache once
            # every read before read models: aggregate the history tables
            tables = [_timed(lambda: read_inputs(store, AS_OF)) for _ in range(min(2, args.repeat))]
            with store.engine.begin() as conn:
                conn.execute(text("DELETE FROM read_models WHERE name = 'signals'"))
            first_s = _timed(lambda: load_inputs(store, AS_OF))  # builds the read model
        # a new Workspace, as a new kernel opens it: nothing is kept in memory between reads
        with Workspace(path, today=AS_OF) as store:
            loads, computes, totals = [], [], []
            for _ in range(args.repeat):  # load + compute = what tt.signals(store) does
                start = time.perf_counter()
                inputs = load_inputs(store, AS_OF)
                loaded = time.perf_counter()
                found = compute(inputs, methods, AS_OF)
                done = time.perf_counter()
                loads.append(loaded - start)
                computes.append(done - loaded)
                totals.append(done - start)
            ids = inputs.trajectories["trajectory_id"].to_numpy()
            edited = []
            for round_ in range(args.repeat):  # coaches register contacts between two reads
                with store.transaction("bench") as tx:
                    for tid in ids[round_ * args.edits : (round_ + 1) * args.edits]:
                        tx.add("contacts", {"trajectory_id": int(tid), "kind": "progress",
                                            "held_on": AS_OF.isoformat()})
                edited.append(_timed(lambda: compute(load_inputs(store, AS_OF), methods, AS_OF)))
        n = len(inputs.trajectories)
        load_s, compute_s, total_s = (statistics.median(x) for x in (loads, computes, totals))

        small = subsample(inputs, args.sample)
        m = len(small.trajectories)
        per_row_small = _median_time(lambda: per_row_signals(small, methods, AS_OF), args.repeat)
        per_row_s = per_row_small * n / m
        vector_small = compute(small, methods, AS_OF)
        expected = Counter(zip(vector_small["trajectory_id"], vector_small["rule"],
                               vector_small["days_overdue"], strict=True))
        got = Counter((tid, rule, days) for tid, rule, days, _ in
                      per_row_signals(small, methods, AS_OF))

    load = os.getloadavg()[0]
    verdict = "met" if min(totals) <= TARGET_S else "NOT met"
    print(f"trajectories: {n}, signals: {len(found)}, as of {AS_OF:%d-%m-%Y}, "
          f"load average {load:.1f} (2 cores), {args.repeat} runs")
    print(f"{'step':<44}{'best s':>10}{'median s':>10}")
    steps = (("load_inputs (SQL reads)", loads), ("compute (vectorised rules)", computes),
             ("total: tt.signals (load + compute)", totals))
    for label, times in steps:
        print(f"{label:<44}{min(times):>10.3f}{statistics.median(times):>10.3f}")
    print(f"target: total <= {TARGET_S:.0f} s: {verdict}")
    print(f"{'load from the history tables (no read model)':<44}{min(tables):>10.3f}"
          f"{statistics.median(tables):>10.3f}")
    print(f"{'first load, builds the read model':<44}{first_s:>10.3f}")
    print(f"{f'total after each {args.edits} new contacts':<44}{min(edited):>10.3f}"
          f"{statistics.median(edited):>10.3f}")
    print(f"{f'per-row Python on {m} trajectories (median)':<44}{per_row_small:>10.3f}")
    print(f"{f'per-row Python scaled x{n / m:.1f} to {n}':<44}{per_row_s:>10.3f}"
          "   (linear scaling of the subsample)")
    print(f"{'ratio per-row / compute':<44}{per_row_s / compute_s:>9.1f}x")
    print(f"{'ratio (load + per-row) / total':<44}{(load_s + per_row_s) / total_s:>9.1f}x")
    if expected == got:
        print(f"per-row and vectorised agree on the subsample: {sum(got.values())} signals")
    else:
        only_vec = expected - got
        only_row = got - expected
        print(f"per-row and vectorised DIFFER on the subsample: {sum(only_vec.values())} only "
              f"vectorised, {sum(only_row.values())} only per-row; e.g. "
              f"{list(only_vec)[:3]} / {list(only_row)[:3]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
