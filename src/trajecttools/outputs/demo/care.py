"""Demo care: barriers with their referrals, ZRM assessments and participation ladder steps."""

from __future__ import annotations

from typing import Any

import numpy as np

from trajecttools.core import vocab
from trajecttools.outputs.demo.arrays import (
    LATER,
    NEVER,
    NONE,
    arr,
    cat,
    ints,
    run_rank,
    series,
    to_datetime,
)
from trajecttools.outputs.demo.catalogue import (
    AGENCY_BE,
    AGENCY_NL,
    BARRIER_COUNT_P,
    BARRIER_DOMAINS,
    BARRIER_NOTES,
    BARRIER_W,
    BARRIER_ZRM,
    TARGET_GROUPS,
)
from trajecttools.outputs.demo.state import Register


def barriers(b: Register) -> None:
    """Barriers (0-4 per trajectory) and referrals for many of the severe ones."""
    rng, n, today = b.rng, b.n, b.today
    first_contact = np.where(b.t3 <= b.end, b.t3, NEVER)
    count = np.where(first_contact < LATER, cat(rng, BARRIER_COUNT_P, n), 0)
    complex_case = np.zeros(n, dtype=bool)  # four severe barriers, referred and followed
    complex_case[b.take(b.open & (b.intake_day <= today - 30), exclusive=False)] = 1
    count[complex_case] = 4
    weights = np.array([BARRIER_W[t] for t in TARGET_GROUPS], dtype=float)
    gumbel = np.log(weights[b.tg]) - np.log(-np.log(rng.random((n, len(BARRIER_DOMAINS)))))
    owner = np.repeat(np.arange(n), count)
    domain = np.argsort(-gumbel, axis=1)[owner, run_rank(owner)]  # distinct domains, weighted
    severity = np.where(complex_case[owner], 3, 1 + cat(rng, [0.35, 0.4, 0.25], owner.size))
    noted = np.where(b.intake_day < LATER, b.intake_day, first_contact)[owner]
    span = np.maximum(b.end[owner] - noted, 0)
    later = (rng.random(owner.size) < 0.25) & ~complex_case[owner]
    noted += np.where(later, (rng.random(owner.size) * span).astype(np.int64), 0)
    room = b.end[owner] - noted
    status = np.where(b.closed[owner], cat(rng, [0.30, 0.25, 0.45], owner.size),
                      cat(rng, [0.25, 0.45, 0.30], owner.size))  # open, in progress, solved
    status = np.where((status == 2) & ((room < 20) | complex_case[owner]), 1, status)
    resolved_on = np.where(status == 2, noted + 20 + (rng.random(owner.size) * np.maximum(
        room - 20, 0)).astype(np.int64), NEVER)
    b.frame("barriers", {
        "id": np.arange(1, owner.size + 1),
        "trajectory_id": owner + 1,
        "domain": np.array(BARRIER_DOMAINS, dtype=object)[domain],
        "severity": severity,
        "status": np.array(tuple(vocab.BARRIER_STATUSES), dtype=object)[status],
        "noted_on": to_datetime(noted),
        "resolved_on": to_datetime(resolved_on),
        "notes": np.where(rng.random(owner.size) < 0.3, arr(
            BARRIER_NOTES[d] for d in BARRIER_DOMAINS)[domain], NONE),
    })
    b.b_owner, b.b_domain, b.b_severity = owner, domain, severity

    # referrals: most severe barriers, some moderate ones; the coach keeps following up
    referred = (rng.random(owner.size) < np.array([0.0, 0.05, 0.30, 0.85])[severity])
    ref_on = noted + b.u(0, 21, owner.size)
    referred = (referred | complex_case[owner]) & (ref_on <= b.end[owner])
    ref = np.flatnonzero(referred)
    r_owner, r_on = owner[ref], ref_on[ref]
    r_open = b.open[r_owner]
    r_status = np.where(status[ref] == 2, 2, np.where(
        r_open, cat(rng, [0.35, 0.55, 0.10], ref.size),
        cat(rng, [0, 0.3, 0.5, 0.2], ref.size)))  # referred, in care, completed, stopped
    follow = np.where(rng.random(ref.size) < 0.08, today - b.u(29, 120, ref.size),
                      today - b.u(0, 27, ref.size))
    follow = np.where(r_open, follow, r_on + (rng.random(ref.size) * (
        b.end[r_owner] - r_on)).astype(np.int64))
    follow = np.where(rng.random(ref.size) < 0.03, NEVER, np.maximum(follow, r_on))
    # planted: a referral nobody followed up for weeks
    active = r_open & (r_status < 2) & (r_on <= today - 35)
    stale = np.zeros(n, dtype=bool)
    stale[b.take(np.bincount(r_owner[active], minlength=n) > 0, exclusive=False)] = True
    hit = active & stale[r_owner]
    first_hit = hit & ~np.r_[False, hit[:-1] & (r_owner[1:] == r_owner[:-1])]
    follow = np.where(first_hit, np.maximum(r_on, today - b.u(35, 90, ref.size)), follow)
    agencies = np.where(b.flemish[r_owner][:, None],
                        arr(AGENCY_BE[d] for d in BARRIER_DOMAINS)[None, :],
                        arr(AGENCY_NL[d] for d in BARRIER_DOMAINS)[None, :])
    b.frame("referrals", {
        "id": np.arange(1, ref.size + 1),
        "barrier_id": ref + 1,
        "agency": agencies[np.arange(ref.size), domain[ref]],
        "referred_on": to_datetime(r_on),
        "last_followed_up_on": to_datetime(follow),
        "status": np.array(tuple(vocab.REFERRAL_STATUSES), dtype=object)[r_status],
    })


def assessments(b: Register) -> None:
    """ZRM assessments and ladder steps at the intake and about every 3 months."""
    rng, n = b.rng, b.n
    start = b.intake_day
    owner, day = series(rng, start, b.end, (88, 100), (0, 0))
    step = run_rank(owner)
    zrm = tuple(vocab.ZRM_DOMAINS)
    base = np.clip(3 + np.round(rng.normal(0, 0.6, (n, len(zrm)))), 1, 5).astype(np.int64)
    base[:, zrm.index("work_education")] = b.u(1, 3, n)
    zcol = np.array([zrm.index(BARRIER_ZRM[d]) for d in BARRIER_DOMAINS])[b.b_domain]
    np.minimum.at(base, (b.b_owner, zcol), 4 - b.b_severity)
    rate = rng.uniform(0.2, 0.6, n)  # steps up per assessment: tending to improve
    noise = np.round(rng.normal(0, 0.35, (owner.size, len(zrm))))
    scores = np.clip(base[owner] + np.floor(step[:, None] * rate[owner, None]) + noise, 1, 5)
    data: dict[str, Any] = {
        "id": np.arange(1, owner.size + 1),
        "trajectory_id": owner + 1,
        "assessed_on": to_datetime(day),
    }
    for j, d in enumerate(zrm):
        data[d] = ints(scores[:, j].astype(np.int64))
    b.frame("zrm_assessments", data)

    # ladder: at the intake, every third ZRM moment, the start of paid work with support
    # and of the regular job; rising towards work
    paid = np.minimum(b.ss_start, b.work_off)
    at_paid = np.flatnonzero(paid <= b.end)
    with_job = np.flatnonzero(b.regular < LATER)
    even = step % 3 == 0
    l_owner = np.r_[owner[even], at_paid, with_job]
    l_day = np.r_[day[even], paid[at_paid], b.regular[with_job]]
    order = np.lexsort((l_day, l_owner))
    l_owner, l_day = l_owner[order], l_day[order]
    early = np.where(b.tg_code == "young_people", 3, 2) - (rng.random(n) < 0.3)
    rung = np.select(
        [l_day >= b.regular[l_owner], l_day >= paid[l_owner]], [6, 5],
        np.minimum(early[l_owner] + (l_day - start[l_owner] > 60), 4))
    b.frame("ladder_steps", {
        "id": np.arange(1, l_owner.size + 1),
        "trajectory_id": l_owner + 1,
        "assessed_on": to_datetime(l_day),
        "rung": rung.astype(np.int64),
    })
