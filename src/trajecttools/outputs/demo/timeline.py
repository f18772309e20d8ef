"""Demo timeline: places, who registers when, the finished route dates and the trajectories.

:func:`trajectory_core` draws registrations, plan signatures and intakes as day offsets from
registration; the routes (:mod:`trajecttools.outputs.demo.routes`) add their dates;
:func:`finish_timeline` anchors them on registration days, cuts them at closing and as_of and
derives phase, outcome and phase events.
"""

from __future__ import annotations

import numpy as np

from trajecttools.outputs.demo.arrays import (
    LATER,
    NEVER,
    NONE,
    YEARS_BACK,
    arr,
    cat,
    ints,
    minutes_to_datetime,
    to_datetime,
)
from trajecttools.outputs.demo.catalogue import (
    FLEMISH_SHARE,
    MUNICIPALITIES,
    OUTCOME_REASONS,
    OUTCOMES,
    PLAN_GOALS,
    PLAN_RULES,
    ROUTES,
    TARGET_GROUPS,
    TG_P_BE,
    TG_P_NL,
)
from trajecttools.outputs.demo.state import Register

#: Reasons of the art. 60 phase 3 choice in the demo.
DECISION_REASONS = {
    "art60": "Reguliere tewerkstelling nog te hoog gegrepen: eerst werkervaring en"
             " arbeidsritme opbouwen in art. 60§7.",
    "regular": "Komt in aanmerking voor de reguliere arbeidsmarkt: vacatures zoeken en"
               " sollicitaties voorbereiden.",
}


def places(b: Register) -> None:
    """Municipalities, regions and their teams."""
    names, regions, flem, lo, hi, w = zip(*MUNICIPALITIES, strict=True)
    b.mun_name = np.array(names, dtype=object)
    b.region_names = tuple(dict.fromkeys(regions))
    b.mun_region = np.array([b.region_names.index(r) for r in regions])
    b.mun_flemish = np.array(flem)
    b.mun_pc = (np.array(lo), np.array(hi))
    weight = np.array(w)
    b.mun_p = np.where(
        b.mun_flemish,
        weight / weight[b.mun_flemish].sum() * FLEMISH_SHARE,
        weight / weight[~b.mun_flemish].sum() * (1 - FLEMISH_SHARE),
    )
    n_reg = len(b.region_names)
    b.region_flemish = np.array(
        [b.mun_flemish[b.mun_region == r][0] for r in range(n_reg)]
    )
    b.region_first_mun = np.array(
        [b.mun_name[b.mun_region == r][0] for r in range(n_reg)], dtype=object
    )
    b.frame("teams", {
        "id": np.arange(1, n_reg + 1),
        "name": arr(f"Team {r}" for r in b.region_names),
        "region": arr(b.region_names),
    })


def trajectory_core(b: Register) -> None:
    """Who, where, when registered, coach delay, plan signatures and intake date.

    Dates of the routes are day offsets from the registration day until
    :func:`finish_timeline` anchors them; NEVER marks what does not happen.
    """
    rng, n = b.rng, b.n
    b.mun = rng.choice(len(b.mun_name), size=n, p=b.mun_p)
    b.region = b.mun_region[b.mun]
    b.flemish = b.mun_flemish[b.mun]
    tg_nl, tg_be = cat(rng, TG_P_NL, n), cat(rng, TG_P_BE, n)
    b.tg = np.where(b.flemish, tg_be, tg_nl)
    b.tg_code = np.array(TARGET_GROUPS, dtype=object)[b.tg]

    # more recent registrations are more likely (a growing caseload)
    b.days_ago = np.floor(YEARS_BACK * rng.beta(1.0, 1.5, n)).astype(np.int64)
    b.reg_minute = b.u(8 * 60 + 30, 16 * 60 + 30, n)
    late = rng.random(n) < 0.08
    # the coach is assigned during office hours: the same or the next day, a few later
    day = np.where(late, b.u(3, 8, n), rng.integers(0, 2, n))
    clock = b.u(8 * 60 + 30, 17 * 60 + 30, n)
    same_day = np.minimum(b.reg_minute + b.u(20, 150, n), 18 * 60)
    clock = np.where((day == 0) & (clock <= b.reg_minute), same_day, clock)
    b.assign_delay = day * 1440 + clock - b.reg_minute  # minutes after registration
    b.t3 = day + b.u(0, 5, n)  # three-way handover, signing the plan
    sig = np.repeat(b.t3[:, None], 3, axis=1)  # case manager, coach, client
    sig[:, 2] += np.where(rng.random(n) < 0.25, b.u(1, 4, n), 0)
    late_sig = rng.random(n) < 0.04
    party = rng.integers(0, 3, n)
    sig[late_sig, party[late_sig]] += b.u(15, 30, int(late_sig.sum()))
    missing = rng.random(n) < 0.025
    sig[missing, party[missing]] = NEVER
    intake_delay = np.where(rng.random(n) < 0.12, b.u(15, 35, n), b.u(2, 13, n))

    # planted: no coach 48 hours after registration; a signature missing after 14 days;
    # no intake 2 weeks after signing
    everyone = np.ones(n, dtype=bool)
    unassigned = b.take(everyone)
    b.days_ago[unassigned] = b.u(3, 12, unassigned.size)
    b.assign_delay[unassigned] = NEVER
    b.t3[unassigned] = NEVER
    sig[unassigned] = NEVER
    unsigned = b.take(everyone)
    sig[unsigned] = b.t3[unsigned, None]
    sig[unsigned, party[unsigned]] = NEVER
    b.days_ago[unsigned] = b.u(20, 60, unsigned.size)
    no_intake = b.take(everyone)
    sig[no_intake] = b.t3[no_intake, None]
    b.sig = sig
    b.signed = sig.max(axis=1)
    b.intake = np.where(b.signed < LATER, b.signed, b.t3) + intake_delay
    b.intake[unassigned] = NEVER
    b.intake[no_intake] = NEVER
    b.days_ago[no_intake] = b.signed[no_intake] + b.u(16, 40, no_intake.size)

    # filled by the routes (offsets)
    never = np.full(n, NEVER)
    b.close_off = never.copy()
    b.outcome_row = np.zeros(n, dtype=np.int64)  # row of the outcome table
    b.regular_off = never.copy()  # start of the regular contract
    b.ss_start, b.ss_end = never.copy(), never.copy()  # stepping stone placement
    b.work_off = never.copy()  # first day at an employer outside the SDW
    b.e1_off = never.copy()  # first day at the regular employer (vacancy match)
    b.ac_start, b.ac_until = never.copy(), never.copy()  # aftercare stage
    b.js_start, b.js_until = never.copy(), never.copy()  # art. 60: job search after its end
    b.social_first = np.zeros(n, dtype=bool)  # art. 60: the phase 3 choice was art. 60§7
    b.resume_off = never.copy()  # art. 60: employment with guidance after end_art60
    b.benefit_stop = never.copy()
    b.benefit_resume = never.copy()  # back on benefit when a route ends without a job
    b.unemployed_from = never.copy()
    b.lost_job = np.zeros(n, dtype=bool)
    b.slots = []  # method, phase, rows, offsets
    b.placement_slots = []


def finish_timeline(b: Register) -> None:
    """Anchor offsets on registration days, cut at closure and as_of, derive the state."""
    rng, n, today = b.rng, b.n, b.today
    b.reg_day = today - b.days_ago
    b.reg_minutes = b.reg_day * 1440 + b.reg_minute
    close = b.absolute(b.close_off)
    b.closed = close <= today
    b.open = ~b.closed
    b.close_day = np.where(b.closed, close, NEVER)
    b.end = np.minimum(close, today)  # last day the trajectory is visible
    for name in ("intake", "t3", "regular_off", "ss_start", "ss_end", "work_off", "e1_off",
                 "ac_start", "ac_until", "resume_off", "benefit_stop", "benefit_resume",
                 "unemployed_from", "js_start", "js_until"):
        setattr(b, name, b.absolute(getattr(b, name)))
    sig = np.where(b.sig < LATER, b.reg_day[:, None] + b.sig, NEVER)
    b.sig = np.where(sig <= today, sig, NEVER)
    b.intake_day = np.where(b.intake <= b.end, b.intake, NEVER)
    b.regular = np.where(b.regular_off <= b.end, b.regular_off, NEVER)
    b.aftercare_from = np.where(b.ac_start <= b.end, b.ac_start, NEVER)

    # phase events: the route's phases in order (checked against the method by the routes),
    # cut at closing and as_of
    owners, phases, days, order = [], [], [], []
    for pos, (_, phase, ix, off) in enumerate(b.slots):
        day = b.absolute(off, ix)
        keep = day <= b.end[ix]
        owners.append(ix[keep])
        phases.append(np.full(int(keep.sum()), phase, dtype=object))
        days.append(day[keep])
        order.append(np.full(int(keep.sum()), pos))
    closed = np.flatnonzero(b.closed)
    closed_phase = np.empty(n, dtype=object)
    for code, of_method in methods_of(b):
        closed_phase[of_method] = b.methods[code].closed_phase
    owners.append(closed)
    phases.append(closed_phase[closed])
    days.append(b.close_day[closed])
    order.append(np.full(closed.size, len(b.slots)))
    owner = np.concatenate(owners)
    sort = np.lexsort((np.concatenate(order), owner))
    b.pe_owner = owner[sort]
    b.pe_phase = np.concatenate(phases)[sort]
    b.pe_day = np.concatenate(days)[sort]
    last = np.r_[b.pe_owner[1:] != b.pe_owner[:-1], True]
    b.phase = np.empty(n, dtype=object)
    b.phase[b.pe_owner[last]] = b.pe_phase[last]
    b.phase_since = np.zeros(n, dtype=np.int64)
    b.phase_since[b.pe_owner[last]] = b.pe_day[last]

    out_p = np.array([  # work, other_route, education, dropped_out, moved
        [0, 0.25, 0, 0.50, 0.25],  # 0 gone before or around the intake
        [0, 0.60, 0.10, 0.25, 0.05],  # 1 after the intake: proposal for another route
        [0, 0.25, 0.15, 0.50, 0.10],  # 2 during the stepping stone
        [0, 0.25, 0.10, 0.55, 0.10],  # 3 during placement / employment
        [0, 0.05, 0, 0.80, 0.15],  # 4 lost the regular job during aftercare
        [1, 0, 0, 0, 0],  # 5 completed: work
        [0, 0.40, 0.10, 0.40, 0.10],  # 6 ended without a job
    ])
    outcome = cat(rng, out_p, b.outcome_row)
    b.outcome = np.where(b.closed, np.array(OUTCOMES, dtype=object)[outcome], NONE)
    variant = rng.integers(0, 2, n)
    reasons = arr(OUTCOME_REASONS[o][min(v, len(OUTCOME_REASONS[o]) - 1)]
                   for o in OUTCOMES for v in range(2))
    # a closing with another route always carries its motivated proposal
    # ("Traject Work-2-Gether", see docs/sources.md)
    b.outcome_reason = np.where(b.closed & ((rng.random(n) < 0.9)
                                                  | (b.outcome == "other_route")),
                                   reasons[outcome * 2 + variant], NONE)


def trajectories(b: Register) -> None:
    """Trajectories, their plans and phase events."""
    n = b.n
    ids = np.arange(1, n + 1)
    method = np.empty(n, dtype=object)
    for code, of_method in methods_of(b):
        method[of_method] = code
    b.frame("trajectories", {
        "id": ids,
        "client_id": ids,
        "external_id": np.full(n, None, dtype=object),
        "method": method,
        "registered_at": minutes_to_datetime(b.reg_minutes),
        "case_manager_id": ints(b.case_manager_id),
        "coach_id": ints(b.coach_id),
        "phase": b.phase,
        "phase_since": to_datetime(b.phase_since),
        "closed_on": to_datetime(b.close_day),
        "outcome": b.outcome,
        "outcome_reason": b.outcome_reason,
    })
    goals = np.array([PLAN_GOALS[code] for code in method], dtype=object)
    b.frame("trajectory_plans", {
        "id": ids,
        "trajectory_id": ids,
        "goals": goals.astype(object),
        "rules": np.full(n, PLAN_RULES, dtype=object),
        "signed_case_manager_on": to_datetime(b.sig[:, 0]),
        "signed_coach_on": to_datetime(b.sig[:, 1]),
        "signed_client_on": to_datetime(b.sig[:, 2]),
    })
    # the phase 3 choice of art. 60 (“Trajectbegeleiding in vijf fasen (OCMW, art. 60§7)”):
    # art. 60§7 when regular work is still too high a step, else regular work; a next job
    # after the end of art. 60 is regular work
    first = np.r_[True, b.pe_owner[1:] != b.pe_owner[:-1]]
    seen = np.cumsum((b.pe_phase == "employment").astype(np.int64))
    start = np.maximum.accumulate(np.where(first, np.arange(b.pe_owner.size), 0))
    nth = seen - np.r_[0, seen][start]  # employment events so far within the trajectory
    chose = (b.pe_phase == "employment") & b.flemish[b.pe_owner]
    social = chose & (nth == 1) & b.social_first[b.pe_owner]
    decision = np.full(b.pe_owner.size, None, dtype=object)
    decision[chose] = np.where(social[chose], "art60", "regular")
    reason = np.full(b.pe_owner.size, None, dtype=object)
    reason[chose] = np.where(social[chose], DECISION_REASONS["art60"],
                             DECISION_REASONS["regular"])
    b.frame("phase_events", {
        "id": np.arange(1, b.pe_owner.size + 1),
        "trajectory_id": b.pe_owner + 1,
        "phase": b.pe_phase,
        "started_on": to_datetime(b.pe_day),
        "actor": np.full(b.pe_owner.size, "demo", dtype=object),
        "decision": decision,
        "decision_reason": reason,
    })


def methods_of(b: Register) -> list[tuple[str, np.ndarray]]:
    """Return each method code with the mask of its trajectories (Flemish or Dutch ones)."""
    return [(code, b.flemish if spec["flemish"] else ~b.flemish) for code, spec in ROUTES.items()]
