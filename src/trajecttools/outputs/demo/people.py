"""Demo people: clients, coaches and case managers, their network and skills."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from trajecttools.core import vocab
from trajecttools.outputs.demo.arrays import (
    LATER,
    NONE,
    arr,
    cat,
    ints,
    minutes_to_datetime,
    office_hours,
    pick_member,
    run_rank,
    texts_at,
    to_datetime,
)
from trajecttools.outputs.demo.catalogue import (
    AGE,
    AGE_DEFAULT,
    CERTIFICATES,
    COACH_CHANGE_REASONS,
    DIPLOMA_BE,
    DIPLOMA_NL,
    EDU,
    EDU_P,
    FIELDS,
    HOURS_WISHED,
    HOURS_WISHED_P,
    LANG_MIGRANT,
    LANG_REFUGEE,
    MIGRANT_DEFAULT,
    MIGRANT_P,
    NETWORK_NOTES,
    POSTCODE_LETTERS,
    SECTOR_P,
    SECTORS,
    TARGET_GROUPS,
    WISH_BY_SECTOR,
    WISH_EXTRA,
    WISH_NONE,
    WORK_EXPERIENCE,
)
from trajecttools.outputs.demo.names import fictional_bsn, fictional_family_names, given_names
from trajecttools.outputs.demo.state import Register


def people(b: Register) -> None:
    """Clients: fictional names, birth dates by target group, BSN, postcode, wishes."""
    rng, n = b.rng, b.n
    migrant_p = np.array([MIGRANT_P.get(t, MIGRANT_DEFAULT) for t in TARGET_GROUPS])
    b.migrant = rng.random(n) < migrant_p[b.tg]
    female = np.where(b.tg_code == "migrant_women", True, rng.random(n) < 0.45)
    given = given_names(rng, b.migrant, female)
    family = fictional_family_names(rng, n, b.flemish)
    b.client_names = np.unique(np.char.add(np.char.add(given.astype(str), " "),
                                              family.astype(str)))
    ages = np.array([AGE.get(t, AGE_DEFAULT) for t in TARGET_GROUPS])[b.tg]
    age_days = (ages[:, 0] + rng.random(n) * (ages[:, 1] - ages[:, 0] + 1)) * 365.25
    birth = b.reg_day - age_days.astype(np.int64)
    bsn = np.where(b.flemish, NONE, fictional_bsn(rng, n))
    lo, hi = b.mun_pc[0][b.mun], b.mun_pc[1][b.mun]
    pc_num = (lo + (rng.random(n) * (hi - lo + 1)).astype(np.int64)).astype(str)
    letters = POSTCODE_LETTERS[rng.integers(0, len(POSTCODE_LETTERS), (n, 2))]
    pc_nl = np.char.add(np.char.add(pc_num, " "), np.char.add(letters[:, 0], letters[:, 1]))
    postcode = np.where(b.flemish, pc_num, pc_nl).astype(object)

    edu_p = np.array([EDU_P[t] for t in TARGET_GROUPS])
    b.edu = np.array(EDU, dtype=object)[cat(rng, edu_p, b.tg)]
    has_field = ~np.isin(b.edu, ["none", "primary"])
    field_idx = rng.integers(0, len(FIELDS), n)
    b.field = np.where(has_field, arr(f for f, _ in FIELDS)[field_idx], NONE)
    b.field_sector = np.where(has_field, np.array([s for _, s in FIELDS])[field_idx], "")
    b.edu_rank = pd.Series(b.edu).map(dict(vocab.EDUCATION_RANK)).to_numpy(np.int64)

    # preferred sectors from a small catalogue of combinations (lists are shared objects)
    n_sec = len(SECTORS)
    combos: list[list[str]] = []
    for first in range(n_sec):
        for length in (1, 2, 3):
            for variant in range(3):
                others = [(first + 1 + variant + 4 * j) % n_sec for j in range(length - 1)]
                combos.append([SECTORS[first], *(SECTORS[o] for o in others)])
    first_sector = cat(rng, SECTOR_P, n)
    combo = first_sector * 9 + rng.choice(3, n, p=[0.35, 0.45, 0.2]) * 3 + rng.integers(0, 3, n)
    no_pref = rng.random(n) < 0.08
    b.first_sector = np.where(no_pref, -1, first_sector)
    preferred = np.where(no_pref, NONE, arr(combos)[combo])
    extra = rng.integers(0, len(WISH_EXTRA), n)
    wish = np.char.add(np.array([WISH_BY_SECTOR[s] for s in SECTORS])[first_sector],
                       np.array(WISH_EXTRA)[extra])
    wishes = np.where(no_pref, WISH_NONE, wish).astype(object)
    wishes[rng.random(n) < 0.05] = None
    # wished hours a week; "liefst parttime" means at most 24; some were not asked yet
    hours = HOURS_WISHED[rng.choice(len(HOURS_WISHED), size=n, p=HOURS_WISHED_P)]
    parttime = (extra == WISH_EXTRA.index(" Liefst parttime vanwege de kinderen.")) \
        & ~no_pref
    hours = np.where(parttime, np.minimum(hours, 24), hours)
    hours_unknown = rng.random(n) < 0.08

    # young people: the day they left school (mostly known), from a generator of its own so
    # the rest of the register stays what the same size and seed gave before
    school = np.random.default_rng([15, n, int(b.reg_day.sum() % 2**32)])
    young = b.tg_code == "young_people"
    gap = (30 + school.random(n) * 700).astype(np.int64)
    left = np.maximum(b.reg_day - gap, birth + int(16 * 365.25))
    left = np.where(left >= b.reg_day, b.reg_day - 14, left)
    unknown = ~young | (school.random(n) < 0.15)

    ids = np.arange(1, n + 1)
    b.frame("clients", {
        "id": ids,
        "pseudonym": np.char.add("K-", np.char.zfill(ids.astype(str), 6)).astype(object),
        "external_id": np.full(n, None, dtype=object),
        "given_name": given,
        "family_name": family.astype(object),
        "birth_date": to_datetime(birth),
        "bsn": bsn,
        "postcode": postcode,
        "municipality": b.mun_name[b.mun],
        "region": np.array(b.region_names, dtype=object)[b.region],
        "target_group": b.tg_code,
        "education_level": b.edu,
        "education_field": b.field,
        "wishes": wishes,
        "preferred_sectors": preferred,
        "created_at": minutes_to_datetime(b.reg_minutes - b.u(1, 30, n)),
        "preferred_hours": ints(hours, hours_unknown),
        "birth_year": pd.array([None] * n, dtype="Int64"),  # only for anonymised clients
        "left_school_on": to_datetime(np.where(unknown, LATER, left)),
    })


def staff(b: Register) -> None:
    """Coaches (about one per 35 active trajectories), assignments, case managers."""
    rng, n = b.rng, b.n
    n_reg = len(b.region_names)
    active = np.bincount(b.region[b.open], minlength=n_reg)
    n_active = np.maximum(2, np.round(active / 35).astype(np.int64))
    n_all = n_active + np.round(n_active * 0.15).astype(np.int64)  # plus former coaches
    total = int(n_all.sum())
    offset = np.r_[0, np.cumsum(n_all)[:-1]]
    coach_region = np.repeat(np.arange(n_reg), n_all)
    rank = np.arange(total) - offset[coach_region]
    width = max(2, len(str(total)))
    names = np.char.add(
        np.char.add(given_names(rng, rng.random(total) < 0.2, rng.random(total) < 0.6)
                    .astype(str), " "),
        fictional_family_names(rng, total))
    b.frame("coaches", {
        "id": np.arange(1, total + 1),
        "code": np.char.add("JC", np.char.zfill(np.arange(1, total + 1).astype(str), width))
        .astype(object),
        "name": b.unlike_clients(names),
        "team_id": ints(coach_region + 1),
        "active": rank < n_active[coach_region],
    })

    # assignments: the first mostly within 48 hours; some change once, a few twice or more
    first_min = b.reg_minutes + b.assign_delay
    has = (b.assign_delay < LATER) & (first_min // 1440 <= b.end)
    changes = cat(rng, [0.8, 0.17, 0.025, 0.005], n)
    changes[b.take(b.open & has & (b.reg_day <= b.today - 60),
                      exclusive=False)] = 2
    room = b.end * 1440 - first_min
    changes = np.where(has & (room > 14 * 1440), changes, 0)
    count = np.where(has, 1 + changes, 0)
    owner = np.repeat(np.arange(n), count)
    seq = run_rank(owner)
    frac = np.sort(rng.random((n, 3)), axis=1)
    later = (frac[owner, np.maximum(seq - 1, 0)] * room[owner]).astype(np.int64)
    at = first_min[owner] + np.where(seq == 0, 0, later)
    at = np.where(seq == 0, at, np.minimum(office_hours(at, rng), b.end[owner] * 1440
                                            + 17 * 60))
    at = np.maximum.accumulate(owner * (np.int64(1) << 36) + at) - owner * (np.int64(1) << 36)
    last = seq == count[owner] - 1
    reg = b.region[owner]
    pool = np.where(last & b.open[owner], n_active[reg], n_all[reg])
    pick = (rng.random(owner.size) * pool).astype(np.int64)
    for k in (1, 2, 3):  # never assign the coach a trajectory already has
        rows = np.flatnonzero(seq == k)
        same = pick[rows] == pick[rows - 1]
        pick[rows] = np.where(same, (pick[rows] + 1) % pool[rows], pick[rows])
    coach = offset[reg] + pick + 1
    b.ca_owner, b.ca_minute, b.ca_coach = owner, at, coach
    b.coach_id = np.full(n, -1)
    b.coach_id[owner[last]] = coach[last]
    reason = np.where(seq == 0, NONE, texts_at(
        COACH_CHANGE_REASONS, rng.integers(0, len(COACH_CHANGE_REASONS), owner.size)))
    b.frame("coach_assignments", {
        "id": np.arange(1, owner.size + 1),
        "trajectory_id": owner + 1,
        "coach_id": coach,
        "assigned_at": minutes_to_datetime(at),
        "reason": reason,
    })

    # the benefit decides who refers: municipality, UWV (Dutch WW/disability) or OCMW
    kinds = np.array(["social_assistance", "unemployment", "disability", "leefloon"],
                     dtype=object)
    p_nl = np.array([[0.75, 0.15, 0.10, 0], [0.55, 0.40, 0.05, 0], [0.35, 0.05, 0.60, 0],
                     [0.95, 0.05, 0, 0], [0.95, 0.05, 0, 0], [0.90, 0.07, 0.03, 0]])
    p_be = np.array([[0, 0.10, 0.05, 0.85]] * len(TARGET_GROUPS))
    k_nl, k_be = cat(rng, p_nl, b.tg), cat(rng, p_be, b.tg)
    b.benefit_kind = kinds[np.where(b.flemish, k_be, k_nl)]
    b.benefit_kind[(b.tg_code == "young_people") & (rng.random(n) < 0.4)] = None
    uwv = ~b.flemish & np.isin(b.benefit_kind, ["unemployment", "disability"])

    n_mun = len(b.mun_name)
    n_cm_mun = np.maximum(1, np.round(np.bincount(b.mun, minlength=n_mun) / 60))
    n_cm_reg = np.where(b.region_flemish, 0, np.maximum(
        1, np.round(np.bincount(b.region[uwv], minlength=n_reg) / 60)))
    n_cm_mun, n_cm_reg = n_cm_mun.astype(np.int64), n_cm_reg.astype(np.int64)
    org_mun = np.where(b.mun_flemish, "OCMW ", "Gemeente ").astype(object) + b.mun_name
    org_reg = arr(f"UWV {r}" for r in b.region_names)
    cm_group = np.r_[np.repeat(np.arange(n_mun), n_cm_mun),
                     n_mun + np.repeat(np.arange(n_reg), n_cm_reg)]
    n_cm = cm_group.size
    cm_names = np.char.add(
        np.char.add(given_names(rng, rng.random(n_cm) < 0.2, rng.random(n_cm) < 0.65)
                    .astype(str), " "),
        fictional_family_names(rng, n_cm))
    b.frame("case_managers", {
        "id": np.arange(1, n_cm + 1),
        "name": b.unlike_clients(cm_names),
        "organisation": np.r_[np.repeat(org_mun, n_cm_mun), np.repeat(org_reg, n_cm_reg)],
    })
    cm = pick_member(rng, cm_group, np.where(uwv, n_mun + b.region, b.mun),
                      n_mun + n_reg)
    cm[rng.random(n) < 0.02] = -1
    b.case_manager_id = np.where(cm >= 0, cm + 1, -1)


def network(b: Register) -> None:
    """Network members: parents for young people, partner, friend, mentor for others."""
    rng, n = b.rng, b.n
    young = b.tg_code == "young_people"
    relations = tuple(vocab.NETWORK_RELATIONS)
    parents = np.where(young, 1 + (rng.random(n) < 0.5), 0)
    others = np.where(young, (rng.random(n) < 0.25).astype(np.int64),
                      cat(rng, [0.6, 0.32, 0.08], n))
    o_owner = np.repeat(np.arange(n), others)
    o_rel = np.where(young[o_owner], relations.index("mentor"),
                     cat(rng, [0, 0.35, 0.15, 0.25, 0.15, 0.05, 0.05], o_owner.size))
    owner = np.r_[np.repeat(np.arange(n), parents), o_owner]
    rel = np.r_[np.full(int(parents.sum()), relations.index("parent")), o_rel]
    order = np.argsort(owner, kind="stable")
    owner, rel = owner[order], rel[order]
    code = np.array(relations, dtype=object)[rel]
    notes = np.array([[NETWORK_NOTES[r][0], NETWORK_NOTES[r][-1]] for r in relations],
                     dtype=object)
    note = notes[rel, rng.integers(0, 2, owner.size)]
    b.frame("network_members", {
        "id": np.arange(1, owner.size + 1),
        "client_id": owner + 1,
        "relation": code,
        "involved": rng.random(owner.size) < np.where(code == "parent", 0.85, 0.5),
        "note": np.where(rng.random(owner.size) < 0.35, note, NONE),
    })


def skills(b: Register) -> None:
    """Diplomas, certificates, licence, languages, computer and basic work skills."""
    rng, n = b.rng, b.n
    parts: list[tuple[np.ndarray, str, np.ndarray, np.ndarray, np.ndarray]] = []

    def add(mask: np.ndarray, kind: str, name: Any, level: Any, day: np.ndarray) -> None:
        idx = np.flatnonzero(mask)
        names = np.broadcast_to(np.asarray(name, dtype=object), (n,))[idx]
        levels = np.broadcast_to(np.asarray(level, dtype=np.int64), (n,))[idx]
        parts.append((idx, kind, names, levels, day[idx]))

    registered, assessed = b.reg_day, b.intake_day  # judged at the intake
    at_intake = assessed < LATER
    has_field = b.field_sector != ""
    names = {f: pd.Series(b.edu).map(d).fillna("").to_numpy(dtype=object)
             for f, d in ((True, DIPLOMA_BE), (False, DIPLOMA_NL))}
    diploma = np.where(b.flemish, names[True], names[False])
    with_field = np.where(has_field & (b.edu != "foreign"),
                          " " + np.where(has_field, b.field, ""), "")
    add(has_field, "diploma", diploma + with_field, -1, registered)
    for cert, p in CERTIFICATES:
        add(rng.random(n) < p, "certificate", cert, -1, registered)
    licence_p = np.array([0.3, 0.6, 0.35, 0.3, 0.3, 0.45])[b.tg]
    add(rng.random(n) < licence_p, "driving_licence", "Rijbewijs B", -1, registered)
    refugee = b.tg_code == "refugees"
    dutch = np.where(b.migrant, np.where(refugee, b.u(1, 3, n), b.u(2, 4, n)),
                     b.u(4, 5, n))
    add(np.ones(n, dtype=bool), "language", "Nederlands", dutch, registered)
    mother = np.where(
        refugee, np.array(LANG_REFUGEE, dtype=object)[rng.integers(0, len(LANG_REFUGEE), n)],
        np.array(LANG_MIGRANT, dtype=object)[rng.integers(0, len(LANG_MIGRANT), n)])
    add(b.migrant, "language", mother, 5, registered)
    add(b.flemish & ~b.migrant & (rng.random(n) < 0.35), "language", "Frans",
        b.u(2, 3, n), registered)
    add(~(b.migrant & (mother == "Engels")) & (rng.random(n) < 0.12), "language", "Engels",
        b.u(2, 4, n), registered)
    young = b.tg_code == "young_people"
    add(at_intake & (rng.random(n) < 0.9), "computer", "Basisvaardigheden computer",
        np.where(young, b.u(3, 5, n), b.u(1, 4, n)), assessed)
    for code in ("punctuality", "social", "communication"):
        add(at_intake, "basic_work_skill", vocab.BASIC_WORK_SKILLS[code],
            b.u(2, 4, n) + (rng.random(n) < 0.2), assessed)
    add(at_intake, "motivation", "Motivatie voor werk", b.u(2, 5, n), assessed)
    add(rng.random(n) < np.where(young, 0.05, 0.12), "work_experience",
        np.array(WORK_EXPERIENCE, dtype=object)[rng.integers(0, len(WORK_EXPERIENCE), n)],
        -1, registered)

    owner = np.concatenate([p[0] for p in parts])
    order = np.argsort(owner, kind="stable")
    b.frame("skills", {
        "id": np.arange(1, owner.size + 1),
        "client_id": owner[order] + 1,
        "kind": np.repeat(arr(p[1] for p in parts), [p[0].size for p in parts])[order],
        "name": np.concatenate([p[2] for p in parts])[order],
        "level": ints(np.concatenate([p[3] for p in parts])[order]),
        "recorded_on": to_datetime(np.concatenate([p[4] for p in parts])[order]),
    })
