"""Demo work: the social work company, art. 60 and regular employers, vacancies, placements
and the matchtafel's decisions."""

from __future__ import annotations

import numpy as np
import pandas as pd

from trajecttools.core import vocab
from trajecttools.outputs.demo.arrays import (
    LATER,
    NEVER,
    NONE,
    YEARS_BACK,
    arr,
    bools,
    cat,
    ints,
    pick_in_window,
    pick_member,
    to_datetime,
)
from trajecttools.outputs.demo.catalogue import (
    COMPANY_SUFFIX_BE,
    COMPANY_SUFFIX_NL,
    JOB_TITLES,
    MATCH_DECLINE_REASONS,
    REQUIRED,
    SDW_UNITS,
    SECTOR_P,
    SECTOR_WORD,
    SECTORS,
    WISHED,
)
from trajecttools.outputs.demo.names import fictional_family_names, given_names
from trajecttools.outputs.demo.state import Register


def employers(b: Register) -> None:
    """The SDW's units, art. 60 employers and fictional regular employers."""
    rng, n = b.rng, b.n
    n_reg = len(b.region_names)
    reg_names = np.array(b.region_names, dtype=object)
    nl_regions = np.flatnonzero(~b.region_flemish)
    be_regions = np.flatnonzero(b.region_flemish)
    units = len(SDW_UNITS)
    # 1. the social work company ("Traject Work-2-Gether", see docs/sources.md): one employer
    #    per unit per Dutch region
    sdw_region = np.repeat(nl_regions, units)
    sdw_unit = np.tile(np.arange(units), nl_regions.size)
    sdw_name = ("Sociaal Werkbedrijf " + reg_names[sdw_region] + " – "
                + arr(u for u, _ in SDW_UNITS)[sdw_unit])
    sdw_sector = arr(s for _, s in SDW_UNITS)[sdw_unit]
    # 2. art. 60 employers: each Flemish OCMW, plus social economy employers per region
    be_mun = np.flatnonzero(b.mun_flemish)
    soc_name = np.r_[arr(f"OCMW {m} – eigen diensten" for m in b.mun_name[be_mun]),
                     arr(f"Kringwinkel {b.region_names[r]}" for r in be_regions),
                     arr(f"Sociale werkplaats {b.region_names[r]}" for r in be_regions)]
    soc_region = np.r_[b.mun_region[be_mun], be_regions, be_regions]
    soc_sector = np.r_[np.full(be_mun.size, "facility", dtype=object),
                       np.full(be_regions.size, "retail", dtype=object),
                       np.full(be_regions.size, "green", dtype=object)]
    soc_mun = np.r_[b.mun_name[be_mun], b.region_first_mun[be_regions],
                    b.region_first_mun[be_regions]]
    # 3. regular employers (about one per 25 trajectories), spread like the trajectories
    n_regular = max(20, n // 25)
    reg_p = np.bincount(b.region, minlength=n_reg) + 1.0
    emp_region = rng.choice(n_reg, size=n_regular, p=reg_p / reg_p.sum())
    emp_sector = cat(rng, SECTOR_P, n_regular)
    emp_mun = pick_member(rng, b.mun_region, emp_region, n_reg)
    flem = b.region_flemish[emp_region]
    stem = fictional_family_names(rng, n_regular)
    word = np.array([SECTOR_WORD[s] for s in SECTORS])[emp_sector]
    suffix = np.where(flem, np.array(COMPANY_SUFFIX_BE)[rng.integers(0, 4, n_regular)],
                      np.array(COMPANY_SUFFIX_NL)[rng.integers(0, 5, n_regular)])
    base = np.where(rng.random(n_regular) < 0.5,
                    np.char.add(np.char.add(word, " "), stem),
                    np.char.add(np.char.add(stem, " "), word))
    emp_name = np.char.strip(np.char.add(np.char.add(base, " "), suffix))

    n_sdw, n_soc = sdw_region.size, soc_region.size
    total = n_sdw + n_soc + n_regular
    kind = np.repeat([0, 1, 2], [n_sdw, n_soc, n_regular])
    region = np.r_[sdw_region, soc_region, emp_region]
    sector = np.r_[sdw_sector, soc_sector, np.array(SECTORS, dtype=object)[emp_sector]]
    municipality = np.r_[b.region_first_mun[sdw_region], soc_mun, b.mun_name[emp_mun]]
    inclusive = np.where(kind < 2, True, rng.random(total) < 0.4)
    c_given = given_names(rng, rng.random(total) < 0.15, rng.random(total) < 0.5).astype(str)
    c_family = fictional_family_names(rng, total)
    slug = np.char.lower(np.char.replace(c_family, " ", ""))
    domain = np.char.add(np.char.lower(np.char.replace(
        fictional_family_names(rng, total), " ", "")), ".example")
    initial = np.char.lower(c_given.astype("U1"))
    email = np.char.add(np.char.add(np.char.add(np.char.add(initial, "."), slug), "@"), domain)
    has_contact = rng.random(total) < 0.85
    b.frame("employers", {
        "id": np.arange(1, total + 1),
        "external_id": np.full(total, None, dtype=object),
        "name": np.r_[sdw_name, soc_name, emp_name.astype(object)],
        "sector": sector,
        "municipality": municipality,
        "region": reg_names[region],
        "inclusive": inclusive,
        "social_work_company": kind == 0,
        "contact_name": np.where(has_contact, np.char.add(np.char.add(c_given, " "), c_family)
                                 .astype(object), NONE),
        "contact_email": np.where(has_contact & (rng.random(total) < 0.9),
                                  email.astype(object), NONE),
    })
    b.emp_kind, b.emp_region = kind, region
    b.emp_municipality = municipality
    b.emp_sector = pd.Series(sector).map({s: i for i, s in enumerate(SECTORS)}).to_numpy()
    b.emp_inclusive = inclusive
    b.ocmw_emp = np.full(len(b.mun_name), -1, dtype=np.int64)
    b.ocmw_emp[be_mun] = n_sdw + np.arange(be_mun.size)


def vacancies(b: Register) -> None:
    """Vacancies (about one per 8 trajectories) over the three years, mostly at inclusive
    regular employers; required and wished skills are names clients' skills also use."""
    rng, n, today = b.rng, b.n, b.today
    n_vac = max(10, n // 8)
    regular_ids = np.flatnonzero(b.emp_kind == 2)
    weight = np.where(b.emp_inclusive[regular_ids], 2.0, 1.0)
    emp = rng.choice(regular_ids, size=n_vac, p=weight / weight.sum())
    sector = b.emp_sector[emp]
    titles = arr(t for s in SECTORS for t in (JOB_TITLES[s] * 3)[:3])
    edu = np.array(["none", "vmbo", "mbo1", "mbo2", "mbo3"], dtype=object)[
        cat(rng, [0.25, 0.2, 0.2, 0.25, 0.1], n_vac)]
    outdoor = np.isin(sector, [SECTORS.index(s) for s in ("logistics", "construction",
                                                            "green")])
    licence = rng.random(n_vac) < np.where(outdoor, 0.35, 0.08)
    required: list[list[str] | None] = []
    for s in SECTORS:
        for variant in REQUIRED.get(s, ((), (), ())):
            for lic in (False, True):
                items = [*variant, *(["Rijbewijs B"] if lic else [])]
                required.append(items or None)
    req_idx = sector * 6 + rng.integers(0, 3, n_vac) * 2 + licence.astype(np.int64)
    wished = arr([list(w) or None for w in WISHED])[rng.integers(0, len(WISHED), n_vac)]
    opened = today - b.u(0, YEARS_BACK + 60, n_vac)
    closes = opened + b.u(14, 120, n_vac)
    closed = (closes <= today) & (rng.random(n_vac) < 0.95)
    b.vac_emp, b.vac_opened = emp, opened
    b.vac_edu_rank = pd.Series(edu).map(dict(vocab.EDUCATION_RANK)).to_numpy()
    b.frame("vacancies", {
        "id": np.arange(1, n_vac + 1),
        "external_id": np.full(n_vac, None, dtype=object),
        "employer_id": emp + 1,
        "title": titles[sector * 3 + rng.integers(0, 3, n_vac)],
        "sector": np.array(SECTORS, dtype=object)[sector],
        "education_level": edu,
        "hours_per_week": np.array([16.0, 20, 24, 28, 32, 36, 38])[
            cat(rng, [0.05, 0.15, 0.2, 0.15, 0.2, 0.15, 0.1], n_vac)],
        "municipality": b.emp_municipality[emp],
        "region": np.array(b.region_names, dtype=object)[b.emp_region[emp]],
        "driving_licence_required": licence,
        "language_level": np.array(["A2", "B1", "B2", None], dtype=object)[
            cat(rng, [0.3, 0.5, 0.15, 0.05], n_vac)],
        "required_skills": arr(required)[req_idx],
        "wished_skills": wished,
        "positions": np.array([1, 1, 1, 2, 2, 3, 4, 5])[rng.integers(0, 8, n_vac)],
        "opened_on": to_datetime(opened),
        "closed_on": to_datetime(np.where(closed, closes, NEVER)),
        "status": np.where(closed, "closed", "open").astype(object),
    })


def placements(b: Register) -> None:
    """Placements at the SDW, art. 60 employers and regular employers, with job flags."""
    rng, n = b.rng, b.n
    n_reg, n_sec = len(b.region_names), len(SECTORS)
    # one regular employer per trajectory: via a vacancy of the region opened shortly
    # before, else in a preferred sector of the region, else anywhere in the region
    vac = pick_in_window(rng, b.emp_region[b.vac_emp], b.vac_opened, b.region,
                          b.e1_off - 90, b.e1_off - 5)
    via_vac = (rng.random(n) < 0.5) & (vac >= 0)
    regular_emp = b.emp_kind == 2
    key = np.where(regular_emp, b.emp_region * n_sec + b.emp_sector, n_reg * n_sec)
    by_sector = pick_member(rng, key, b.region * n_sec + np.maximum(b.first_sector, 0),
                             n_reg * n_sec + 1)
    by_region = pick_member(rng, np.where(regular_emp, b.emp_region, n_reg), b.region,
                             n_reg + 1)
    prefer = (rng.random(n) < 0.55) & (b.first_sector >= 0) & (by_sector >= 0)
    emp = np.where(prefer, by_sector, by_region)
    emp = np.where(via_vac, b.vac_emp[np.maximum(vac, 0)], emp)
    b.vacancy = np.where(via_vac, vac, -1)
    sdw = pick_member(rng, np.where(b.emp_kind == 0, b.emp_region, n_reg),
                       b.region, n_reg + 1)
    social = pick_member(rng, np.where(b.emp_kind == 1, b.emp_region, n_reg),
                          b.region, n_reg + 1)
    job_rank = np.where(via_vac, b.vac_edu_rank[np.maximum(vac, 0)],
                        np.array([2, 2, 3, 3, 4])[rng.integers(0, 5, n)])
    below = (b.edu_rank > job_rank) | ((b.edu == "foreign") & (rng.random(n) < 0.5))
    temp_p = np.where(b.tg_code == "young_people", 0.65, 0.45)

    parts: dict[str, list[np.ndarray]] = {k: [] for k in (
        "owner", "kind", "start", "end", "employer", "promise")}
    for ix, kinds, start, end, who, promise in b.placement_slots:
        s = b.absolute(start, ix)
        keep = s <= b.end[ix]
        own = ix[keep]
        # a regular job of a trajectory closed with work runs on after closing (aftercare
        # ends, the job does not); every other placement ends at the latest at closing
        runs_on = (kinds[keep] == "regular") & (b.outcome[own] == "work")
        e = np.where(runs_on, b.absolute(end, ix)[keep],
                     np.minimum(b.absolute(end, ix)[keep],
                                b.absolute(b.close_off[own], own)))
        employer = {"sdw": sdw, "social": social, "regular": emp}[who][own]
        if who == "social":  # only social employment is at the OCMW / social economy
            employer = np.where(kinds[keep] == "social_employment", employer, emp[own])
        for k, v in (("owner", own), ("kind", kinds[keep]), ("start", s[keep]), ("end", e),
                     ("employer", employer), ("promise", promise[keep])):
            parts[k].append(v)
    cols = {k: np.concatenate(v) for k, v in parts.items()}
    order = np.lexsort((cols["start"], cols["owner"]))
    owner, kind, start, end, employer, promise = (cols[k][order] for k in (
        "owner", "kind", "start", "end", "employer", "promise"))
    stepping = kind == "stepping_stone"
    fixed_term = np.isin(kind, ["stepping_stone", "social_employment", "secondment"])
    temporary = fixed_term | (rng.random(owner.size) < np.where(
        kind == "wage_subsidy", 0.8, temp_p[owner]))
    # some temporary regular contracts are not renewed: they end 6 or 12 months in (at least
    # the 6 months of “Traject Work-2-Gether”: 184 days cover any 6 calendar months)
    not_renewed = (kind == "regular") & temporary & (end >= LATER) & (
        rng.random(owner.size) < 0.2)
    end = np.where(not_renewed, start + rng.choice([184, 366], owner.size) - 1, end)
    end = np.where(end <= b.today, end, NEVER)
    field = b.field_sector[owner]
    outside = field != np.array(SECTORS)[b.emp_sector[employer]]
    vacancy = np.where(employer == emp[owner], b.vacancy[owner], -1)
    hours = np.where(stepping, np.array([16.0, 20, 24, 28, 32])[rng.integers(0, 5, owner.size)],
                     np.array([20.0, 24, 28, 32, 36, 38])[rng.integers(0, 6, owner.size)])
    # planted: a few trajectories in an employment phase whose placement was never recorded
    # (picked without the random generator, so the rest of the demo stays as it was)
    employment = [p.code for m in b.methods.values() for p in m.phases
                  if p.stage == "employment"]
    in_work = b.open & np.isin(b.phase, employment) & ~b.used & (b.phase_since < b.today - 30)
    unrecorded = []
    for flemish in (False, True):
        of_method = b.flemish == flemish
        count = max(1, round(int(of_method.sum()) * 0.0015)) if n >= 125 else 0
        unrecorded.append(np.flatnonzero(in_work & of_method)[:count])
    keep = ~(np.isin(owner, np.concatenate(unrecorded)) & (end > b.today))
    owner, kind, start, end, employer, promise = (
        a[keep] for a in (owner, kind, start, end, employer, promise))
    stepping, temporary, outside = stepping[keep], temporary[keep], outside[keep]
    vacancy, hours, field = vacancy[keep], hours[keep], field[keep]
    b.pl_owner, b.pl_kind, b.pl_start, b.pl_end = owner, kind, start, end
    employer, workplace = art60_employer(b, owner, kind, employer)
    b.frame("placements", {
        "id": np.arange(1, owner.size + 1),
        "trajectory_id": owner + 1,
        "employer_id": ints(employer + 1, employer < 0),
        "vacancy_id": ints(vacancy + 1, vacancy < 0),
        "kind": kind,
        "start_on": to_datetime(start),
        "end_on": to_datetime(end),
        "hours_per_week": hours,
        "temporary": bools(temporary, np.zeros(owner.size, dtype=bool)),
        "below_level": bools(below[owner], stepping),
        "outside_field": bools(outside, stepping | (field == "")),
        "promised_contract_months": ints(promise, promise <= 0),
        # art. 60§7: the OCMW is the employer, the client works at the user organisation
        # (terbeschikkingstelling) or at the OCMW's own services
        "user_organisation": workplace,
    })


def art60_employer(b: Register, owner: np.ndarray, kind: np.ndarray,
                   employer: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The employer and user organisation of each placement: an art. 60§7 contract is with
    the OCMW of the client's municipality (“Trajectbegeleiding in vijf fasen (OCMW, art.
    60§7)”), the workplace drawn for it becomes the user organisation; an OCMW's own services
    as workplace are those of the client's own OCMW. Other placements have no user
    organisation."""
    names = b.frames["employers"]["name"].to_numpy(dtype=object)
    ocmw = b.ocmw_emp[b.mun[owner]]
    art60 = (kind == "social_employment") & (ocmw >= 0)
    at_an_ocmw = np.isin(employer, b.ocmw_emp[b.ocmw_emp >= 0])
    place = np.where(art60 & at_an_ocmw, ocmw, employer)
    workplace = np.full(owner.size, None, dtype=object)
    workplace[art60] = names[place[art60]]
    return np.where(art60, ocmw, employer), workplace


def match_decisions(b: Register) -> None:
    """Matchtafel decisions: proposals on vacancies, introductions, refusals, hires."""
    rng, n, today = b.rng, b.n, b.today
    # hires: the vacancy a regular placement came from
    hired = np.flatnonzero((b.vacancy >= 0) & (b.e1_off <= b.end))
    hire_day = np.maximum(b.vac_opened[b.vacancy[hired]],
                          b.e1_off[hired] - b.u(3, 14, hired.size))
    # other proposals while preparing for work; young people are discussed more often
    young = b.tg_code == "young_people"
    count = np.where(b.intake_day < LATER, np.where(
        young, cat(rng, [0.6, 0.28, 0.1, 0.02], n), cat(rng, [0.8, 0.17, 0.03, 0], n)), 0)
    owner = np.repeat(np.arange(n), count)
    until = np.minimum(b.end, np.where(b.e1_off < LATER, b.e1_off - 1,
                                          b.end))[owner]
    lo = b.intake_day[owner]
    day = lo + (rng.random(owner.size) * np.maximum(until - lo, 0)).astype(np.int64)
    vac = pick_in_window(rng, b.emp_region[b.vac_emp], b.vac_opened,
                          b.region[owner], day - 60, day)
    ok = (vac >= 0) & (day >= lo)
    owner, day, vac = owner[ok], day[ok], vac[ok]
    recent = b.open[owner] & (day >= today - 14)
    status = np.where(recent, cat(rng, [0.6, 0.4, 0, 0], owner.size),
                      cat(rng, [0.1, 0.3, 0, 0.6], owner.size))
    m_owner = np.r_[hired, owner]
    m_day = np.r_[hire_day, day]
    m_vac = np.r_[b.vacancy[hired], vac]
    m_status = np.r_[np.full(hired.size, 2), status]
    order = np.lexsort((m_day, m_owner))
    m_owner, m_day, m_vac, m_status = (a[order] for a in (m_owner, m_day, m_vac, m_status))
    k = m_owner.size
    declined = m_status == 3
    by = cat(rng, [0.5, 0.3, 0.2], k)  # employer, client, coach
    parties = ("employer", "client", "coach")
    reasons = [MATCH_DECLINE_REASONS[p] for p in parties]
    reason = arr(r for rs in reasons for r in (rs * 3)[:3])[by * 3 + rng.integers(0, 3, k)]
    table = np.where(young[m_owner] | (rng.random(k) < 0.3), "Matchtafel ", "Jobcoach, ")
    decided_by = table.astype(object) + np.where(
        table == "Matchtafel ", np.array(b.region_names, dtype=object)[b.region[m_owner]],
        "na overleg met de klant")
    # a date per step: decided_on is the latest; hires and some refusals were introduced
    # to the employer first, and every pairing was proposed at a meeting before that
    introduced = (m_status == 1) | (m_status == 2) | (declined & (rng.random(k) < 0.4))
    intro_day = np.where(m_status == 1, m_day, m_day - b.u(5, 21, k))
    floor = np.maximum(b.vac_opened[m_vac], b.reg_day[m_owner])
    prop_day = np.where(m_status == 0, m_day,
                        np.where(introduced, intro_day, m_day) - b.u(3, 14, k))
    prop_day = np.minimum(np.maximum(prop_day, floor), m_day)
    intro_day = np.where(introduced, np.clip(intro_day, prop_day, m_day), NEVER)
    b.frame("match_decisions", {
        "id": np.arange(1, k + 1),
        "proposed_on": to_datetime(prop_day),
        "introduced_on": to_datetime(intro_day),
        "trajectory_id": m_owner + 1,
        "vacancy_id": m_vac + 1,
        "status": np.array(tuple(vocab.MATCH_STATUSES), dtype=object)[m_status],
        "decided_on": to_datetime(m_day),
        "decided_by": decided_by,
        "score": np.round(np.where(m_status == 2, rng.uniform(70, 95, k),
                                   rng.uniform(40, 90, k)), 1),
        "declined_by": np.where(declined, np.array(parties, dtype=object)[by], NONE),
        "reason": np.where(declined, reason, NONE),
    })
