"""Demo contacts: contacts and the agreements made in them, aftercare, end reports and
benefit periods."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from trajecttools.core import vocab
from trajecttools.outputs.demo.arrays import (
    LATER,
    NEVER,
    NONE,
    arr,
    cat,
    drop_window,
    ints,
    run_rank,
    series,
    texts_at,
    to_datetime,
)
from trajecttools.outputs.demo.catalogue import (
    AFTERCARE_NOTES,
    AGREEMENTS,
    CLOSURE_REASON,
    CONTACT_NOTES,
    CONTACT_NOTES_EXTRA,
    END_REPORT,
    GENERIC_KIND_P,
    GENERIC_KINDS,
    INTAKE_COMPANIONS,
    LOCATIONS,
    NOT_KEPT_REASONS,
    PARTICIPANTS,
)
from trajecttools.outputs.demo.state import Register


def contacts(b: Register) -> None:
    """Contacts (handover, intake, progress, weekly reviews) and agreements after them."""
    rng, n, today = b.rng, b.n, b.today
    end = b.end
    t3 = np.where(b.t3 <= end, b.t3, NEVER)
    # progress contacts every 2-3 weeks (within the contact_gap rule, with room for the
    # hand-over to the next kind), except where weekly reviews (stepping stone) or
    # aftercare contacts (aftercare stage) take over
    gap = b.limit("contact_gap", "weeks") * 7
    step = (gap // 2, gap - 4)
    review = b.limit("weekly_review", "days")
    review_step = (review, review + b.limit("weekly_review", "grace_days"))
    ac = np.minimum(b.aftercare_from, b.js_start)
    stop_a = np.minimum(end, np.minimum(b.ss_start, ac) - 1)
    o1, d1 = series(rng, t3, stop_a, step, (12, step[1]))
    after_ss = np.where(b.ss_end < end, b.ss_end, NEVER)
    o2, d2 = series(rng, after_ss, np.minimum(end, ac - 1), step, (1, 8))
    resume = np.where(b.resume_off <= end, b.resume_off, NEVER)
    o3, d3 = series(rng, resume, end, step, (0, 7))
    # the job search after art. 60: the coach and the client search together, weekly or so
    js = np.where(b.js_start <= end, b.js_start, NEVER)
    js_step = (7, 11)
    o4, d4 = series(rng, js, np.minimum(end, b.js_until - 1), js_step, (0, 6))
    lo4 = np.full(n, NEVER)  # planted: a few job searches without contact lately
    late4 = b.take(b.open & (js <= today - 30) & (b.js_until > today))
    lo4[late4] = today - b.u(16, 24, late4.size)
    keep4 = drop_window(o4, d4, lo4, np.full(n, today))
    o4, d4 = o4[keep4], d4[keep4]
    ss_from = np.where(b.ss_start <= end, b.ss_start, NEVER)
    ss_until = np.minimum(b.ss_end, end)
    ow, dw = series(rng, ss_from, ss_until, review_step, (0, 3))
    go, gd = np.r_[o1, o2, o3, o4], np.r_[d1, d2, d3, d4]
    kinds = tuple(vocab.CONTACT_KINDS)  # kinds stay codes (positions) until the frame
    code = {k: i for i, k in enumerate(kinds)}
    kind = np.array([code[k] for k in GENERIC_KINDS])[cat(rng, GENERIC_KIND_P, go.size)]
    kind = np.where((kind == code["employer"]) & (gd < b.work_off[go]), code["progress"],
                    kind)
    # job-search talks (progress) always end with agreements: applications, measures
    searching = np.r_[np.zeros(go.size - o4.size, dtype=bool), np.ones(o4.size, dtype=bool)]
    kind = np.where(searching, code["progress"], kind)

    # gaps: a missed week now and then, a summer holiday for some, a few silent now
    skip_lo = np.where(rng.random(n) < 0.10, ss_from + (rng.random(n) * np.maximum(
        ss_until - ss_from, 0)).astype(np.int64), NEVER)
    keep = drop_window(ow, dw, skip_lo, skip_lo + 14)
    lo = np.full(n, NEVER)
    late = b.take(b.open & (b.phase == "stepping_stone")
                     & (b.ss_start <= today - 21))
    lo[late] = today - b.u(12, 20, late.size)
    keep &= drop_window(ow, dw, lo, np.full(n, today))
    ow, dw = ow[keep], dw[keep]
    mid = b.reg_day + (rng.random(n) * np.maximum(end - b.reg_day, 0)).astype(np.int64)
    jan1 = mid.astype("datetime64[D]").astype("datetime64[Y]").astype("datetime64[D]")
    hol_lo = np.where(rng.random(n) < 0.07, jan1.astype(np.int64) + 181 + b.u(0, 20, n),
                      NEVER)
    hol_hi = hol_lo + b.u(35, 49, n)
    silent = b.take(b.open & (b.intake_day <= today - 75) & (ac > today))
    hol_lo[silent] = today - b.u(30, 70, silent.size)
    hol_hi[silent] = today
    c_owner, c_day = np.r_[go, ow], np.r_[gd, dw]
    c_kind = np.r_[kind, np.full(ow.size, code["weekly_review"])]
    c_search = np.r_[searching, np.zeros(ow.size, dtype=bool)]
    keep = drop_window(c_owner, c_day, hol_lo, hol_hi)
    has_t3 = np.flatnonzero(t3 < LATER)
    has_in = np.flatnonzero(b.intake_day < LATER)
    c_owner = np.r_[has_t3, has_in, c_owner[keep]]
    c_day = np.r_[t3[has_t3], b.intake_day[has_in], c_day[keep]]
    c_kind = np.r_[np.full(has_t3.size, code["three_way"]), np.full(has_in.size,
                                                                    code["intake"]),
                   c_kind[keep]]
    c_search = np.r_[np.zeros(has_t3.size + has_in.size, dtype=bool), c_search[keep]]
    order = np.lexsort((c_day, c_owner))
    c_owner, c_day, c_kind = c_owner[order], c_day[order], c_kind[order]
    c_search = c_search[order]
    m = c_owner.size

    # the coach on duty that day: the latest assignment not after the contact
    shift, base = np.int64(1) << 20, b.today - 5000
    key_a = b.ca_owner.astype(np.int64) * shift + (b.ca_minute // 1440 - base)
    pos = np.searchsorted(key_a, c_owner.astype(np.int64) * shift + (c_day - base), "right")
    pos = np.clip(pos - 1, 0, max(b.ca_owner.size - 1, 0))
    coach = np.full(m, -1)
    if b.ca_owner.size:
        coach = np.where(b.ca_owner[pos] == c_owner, b.ca_coach[pos], -1)

    locations = arr(x for k in kinds for x in (LOCATIONS[k] * 3)[:3])
    location = locations[c_kind * 3 + rng.integers(0, 3, m)]
    handover = c_kind == code["three_way"]
    location[handover & b.flemish[c_owner]] = "OCMW"
    participants = arr(PARTICIPANTS[k] for k in kinds)[c_kind]
    intake = c_kind == code["intake"]
    with_companion = np.flatnonzero(intake & (rng.random(m) < 0.45))
    companions = arr(f"{PARTICIPANTS['intake']}, {c}" for c in INTAKE_COMPANIONS)
    participants[with_companion] = companions[
        rng.integers(0, len(INTAKE_COMPANIONS), with_companion.size)]
    r = rng.random(m)
    notes = np.where(handover | intake | (r < 0.15),
                     arr(CONTACT_NOTES[k] for k in kinds)[c_kind],
                     np.where(r < 0.3, texts_at(CONTACT_NOTES_EXTRA, rng.integers(
                         0, len(CONTACT_NOTES_EXTRA), m)), NONE))
    b.frame("contacts", {
        "id": np.arange(1, m + 1),
        "trajectory_id": c_owner + 1,
        "kind": np.array(kinds, dtype=object)[c_kind],
        "held_on": to_datetime(c_day),
        "coach_id": ints(coach),
        "location": location,
        "participants": participants,
        "notes": notes,
    })
    talk = np.isin(c_kind, [code[k] for k in ("three_way", "intake", "progress",
                                               "home_visit")])
    # planted: a few job searches without agreements for weeks
    quiet = np.full(n, NEVER)
    idle = b.take(b.open & (js <= today - 40) & (b.js_until > today))
    quiet[idle] = today - b.u(30, 38, idle.size)
    agreements(b, c_owner, c_day, talk, c_search, c_day >= quiet[c_owner])


def agreements(
    b: Register, c_owner: np.ndarray, c_day: np.ndarray, talk: np.ndarray,
    always: np.ndarray | None = None, never: np.ndarray | None = None,
) -> None:
    """Agreements after contacts (mostly after real talks, marked by ``talk``; at least one
    after those marked by ``always``): most kept, some not kept (with a reason), some still
    open."""
    rng, n, today = b.rng, b.n, b.today
    m = c_owner.size
    per = np.where(talk, cat(rng, [0.6, 0.32, 0.08], m),
                   (rng.random(m) < 0.05).astype(np.int64))
    if always is not None:
        per = np.where(always, np.maximum(per, 1), per)
    if never is not None:
        per = np.where(never, 0, per)
    contact = np.repeat(np.arange(m), per)
    owner, held = c_owner[contact], c_day[contact]
    k = contact.size
    what = rng.integers(0, len(AGREEMENTS), k)
    due = held + b.u(7, 28, k)
    unreliable = rng.random(n) < 0.07
    not_kept = rng.random(k) < np.where(unreliable[owner], 0.35, 0.04)
    status = np.where(not_kept, 2, 1)  # 0 open, 1 kept, 2 not kept
    done = np.where(not_kept, np.minimum(due + b.u(0, 5, k), today),
                    np.maximum(held, due - b.u(0, 6, k)))
    forgotten = rng.random(k) < np.where(due >= today - 45, 0.025, 0.005)
    status = np.where((due > today) | forgotten, 0, status)
    # a closed trajectory leaves nothing open: settled on closing at the latest
    close = b.close_day[owner]
    settle = b.closed[owner] & ((status == 0) | (done > close))
    worked = b.outcome[owner] == "work"
    status = np.where(settle, np.where(worked, 1, 2), status)
    done = np.where(settle, close, done)
    reason_idx = rng.integers(0, len(NOT_KEPT_REASONS), k)
    reason = np.where(settle & ~worked, CLOSURE_REASON, arr(NOT_KEPT_REASONS)[reason_idx])

    # planted: agreements left open past their date; repeatedly not kept lately
    recent = b.open[owner] & (due < today) & (due >= today - 60)
    overdue = np.zeros(n, dtype=bool)
    overdue[b.take(np.bincount(owner[recent], minlength=n) > 0, exclusive=False)] = True
    status = np.where(recent & overdue[owner], 0, status)
    window = b.open[owner] & (due <= today - 2) & (due >= today - 85)
    repeat = np.zeros(n, dtype=bool)
    repeat[b.take((np.bincount(owner[window], minlength=n) >= 2) & ~overdue,
                     exclusive=False)] = True
    sel = np.flatnonzero(window & repeat[owner])
    mark = sel[run_rank(owner[sel]) < 2]
    status[mark] = 2
    done[mark] = np.minimum(due[mark] + b.u(0, 2, mark.size), today)

    b.frame("agreements", {
        "id": np.arange(1, k + 1),
        "trajectory_id": owner + 1,
        "contact_id": ints(contact + 1),
        "what": arr(w for w, _ in AGREEMENTS)[what],
        "who": arr(p for _, p in AGREEMENTS)[what],
        "due_on": to_datetime(due),
        "status": np.array(tuple(vocab.AGREEMENT_STATUSES), dtype=object)[status],
        "closed_on": to_datetime(np.where(status == 0, NEVER, done)),
        "reason_not_kept": np.where(status == 2, reason, NONE),
    })


def aftercare(b: Register) -> None:
    """Aftercare contacts with employee and employer every 1-2 weeks; the end report."""
    rng, n, today = b.rng, b.n, b.today
    start = b.aftercare_from
    until = np.minimum(np.minimum(start + 95, b.end), b.ac_until - 1)
    every = b.limit("aftercare_contact", "days")
    owner, day = series(rng, start, np.where(start < LATER, until, NEVER),
                         (every - 3, every), (0, 4))
    gap_lo = np.where(rng.random(n) < 0.08, start + b.u(10, 60, n), NEVER)
    keep = drop_window(owner, day, gap_lo, gap_lo + 12)
    lo = np.full(n, NEVER)
    now = b.open & (start <= today - 25) & (b.ac_until > today)
    late = b.take(now)
    lo[late] = today - b.u(16, 30, late.size)
    keep &= drop_window(owner, day, lo, np.full(n, today))
    owner, day = owner[keep], day[keep]
    # each moment: one talk with both, or separate talks with employee and employer
    split = rng.random(owner.size) < 0.15
    owner = np.repeat(owner, 1 + split)
    day = np.repeat(day, 1 + split)
    party_ix = np.where(np.repeat(split, 1 + split), run_rank(np.repeat(
        np.arange(split.size), 1 + split)), 2)
    m = owner.size
    # the placement running that day (the latest one started on or before it)
    shift, base = np.int64(1) << 20, b.today - 5000
    key_p = b.pl_owner.astype(np.int64) * shift + (b.pl_start - base)
    pos = np.searchsorted(key_p, owner.astype(np.int64) * shift + (day - base), "right") - 1
    pos = np.clip(pos, 0, max(b.pl_owner.size - 1, 0))
    has_pl = (b.pl_owner.size > 0) & (b.pl_owner[pos] == owner) if m else \
        np.zeros(0, dtype=bool)
    b.frame("aftercare_contacts", {
        "id": np.arange(1, m + 1),
        "trajectory_id": owner + 1,
        "placement_id": ints(pos + 1, ~has_pl),
        "held_on": to_datetime(day),
        "party": np.array(tuple(vocab.AFTERCARE_PARTIES), dtype=object)[party_ix],
        "notes": np.where(rng.random(m) < 0.35, texts_at(
            AFTERCARE_NOTES, rng.integers(0, len(AFTERCARE_NOTES), m)), NONE),
    })

    # the end report after aftercare: mostly within days, some late or missing
    written = b.ac_until + np.where(rng.random(n) < 0.05, b.u(20, 45, n),
                                       b.u(-3, 10, n))
    written = np.maximum(written, start)
    has = (start < LATER) & (b.ac_until <= b.end) & (written <= today)
    has &= rng.random(n) < 0.95
    has[b.take((start <= today - 130) & (b.ac_until <= today - 20))] = False
    rows = np.flatnonzero(has)
    data: dict[str, Any] = {
        "id": np.arange(1, rows.size + 1),
        "trajectory_id": rows + 1,
        "written_on": to_datetime(written[rows]),
    }
    for col, texts in END_REPORT.items():
        data[col] = texts_at(texts, rng.integers(0, len(texts), rows.size))
    b.frame("end_reports", data)


def benefits(b: Register) -> None:
    """Benefit periods until work (or the opstapbaan); some placed clients back on benefit."""
    rng, n, today = b.rng, b.n, b.today
    has = pd.notna(b.benefit_kind)
    start = b.reg_day - b.u(30, 1500, n)
    stop = np.where(b.benefit_stop <= b.end, b.benefit_stop - 1, NEVER)
    gone = b.closed & np.isin(b.outcome, ["education", "moved"]) & (stop >= LATER)
    stop = np.where(gone, b.close_day, stop)
    # second periods: unemployment after art. 60 without a next job; back on benefit
    # after losing the job in aftercare; the revolving door after closing with work
    after_art60 = (b.unemployed_from <= b.end) & b.closed
    lost = b.lost_job & b.closed & (rng.random(n) < 0.5)
    worked = b.closed & (b.outcome == "work") & (b.regular < LATER)
    revolving = worked & (rng.random(n) < 0.09)
    revolving[b.take(worked & (b.close_day <= today - 30)
                        & (b.regular >= today - 300), exclusive=False)] = True
    last_day = np.minimum(b.regular + 360, today)
    rev_start = b.close_day + 5 + (rng.random(n) * np.maximum(
        last_day - b.close_day - 5, 0)).astype(np.int64)
    much_later = worked & ~revolving & (rng.random(n) < 0.04)
    # employed by the SDWork during the opstapbaan and the ladder ("Traject Work-2-Gether"):
    # the benefit pauses, and resumes when the route ends without a regular job
    resumed = (has & (b.benefit_resume <= b.end) & b.closed
               & ~np.isin(b.outcome, ["education", "moved"]))
    second = np.select(
        [after_art60, resumed, lost, revolving, much_later],
        [b.unemployed_from, b.benefit_resume + 1, b.close_day + b.u(0, 30, n), rev_start,
         b.regular + b.u(400, 700, n)], NEVER)
    second = np.where(second <= today, second, NEVER)
    owner1, owner2 = np.flatnonzero(has), np.flatnonzero(second < LATER)
    welfare = np.where(b.flemish, "leefloon", "social_assistance").astype(object)
    kind2 = np.where(after_art60 | (rng.random(n) < 0.5), "unemployment", welfare)
    kind2 = np.where(resumed & ~after_art60, b.benefit_kind, kind2)
    ends2 = second + b.u(60, 200, n)
    ends2 = np.where((rng.random(n) < 0.3) & (ends2 <= today), ends2, NEVER)
    owner = np.r_[owner1, owner2]
    order = np.argsort(owner, kind="stable")
    b.frame("benefit_periods", {
        "id": np.arange(1, owner.size + 1),
        "client_id": owner[order] + 1,
        "kind": np.r_[b.benefit_kind[owner1], kind2[owner2]][order],
        "start_on": to_datetime(np.r_[start[owner1], second[owner2]][order]),
        "end_on": to_datetime(np.r_[stop[owner1], ends2[owner2]][order]),
    })
    # a regular job still running ends the day before the client is back on benefit
    back = np.full(n, NEVER)
    back[owner2] = second[owner2]
    rows = np.flatnonzero((b.pl_kind == "regular") & (b.pl_end >= back[b.pl_owner])
                          & (back[b.pl_owner] < LATER)
                          & (back[b.pl_owner] > b.pl_start))
    frame = b.frames["placements"]
    end_on = frame["end_on"].to_numpy(copy=True)
    end_on[rows] = to_datetime(np.maximum(back[b.pl_owner[rows]] - 1, b.pl_start[rows]))
    frame["end_on"] = end_on
