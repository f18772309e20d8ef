"""Benchmark: matching 20 000 clients against 5 000 open vacancies, top 10 per client with
explanations, against a straightforward pandas baseline.

Usage: python benchmarks/bench_matching.py [--clients 20000] [--vacancies 5000] [--top 10]
       [--baseline-clients 20] [--repeat 3] [--threads 2]

Target (issue 5, this 2-core machine): at most 2 s and at most 1 GB peak memory for the whole
``matching.match`` call (encoding the frames, scoring, top 10, explanations). The baseline in the
same run is the straightforward approach: a pandas cross join of clients and vacancies with a
row-wise ``DataFrame.apply`` of the same rules written as plain Python, then ``nlargest`` per
client. It runs on a subsample of clients (all vacancies) and is scaled linearly to the full
client count; its top 10 is compared with the vectorised one for the same clients.

The synthetic register is built here with numpy (seeded): municipalities in regions, education
levels, preferred sectors, wished hours, skills from a vocabulary of 30 certificates and basic
skills plus licence and Dutch level, barriers, and vacancies asking 0-2 required and 0-2 wished
skills, a licence, a language level, hours and positions.
"""

from __future__ import annotations

import argparse
import gc
import math
import resource
import statistics
import sys
import time
import tracemalloc
from typing import Any

import numpy as np
import pandas as pd

from trajecttools.core import vocab
from trajecttools.reads.matching import MatchConfig, MatchInputs, match

SECTORS = list(vocab.SECTORS)
LEVELS = ["none", "primary", "vmbo", "mbo1", "mbo2", "mbo3", "mbo4", "hbo", "wo", "foreign"]
LANG = list(vocab.LANGUAGE_LEVELS)
SKILLS = [
    "VCA", "VCA-VOL", "Heftruckcertificaat", "Reachtruckcertificaat", "HACCP", "BHV", "EHBO",
    "Hoogwerkercertificaat", "Code 95", "Beveiliger 2", "Sociale hygiëne", "Kassa-ervaring",
    "Basisvaardigheden computer", "Excel", "Klantcontact", "Schoonmaaktechniek", "Snoeien",
    "Grasmaaien", "Metselen", "Lassen", "Orderpicken", "Scanner", "Tillen", "Koken",
    "Barista", "Fietstechniek", "Telefoneren", "Postverwerking", "Op tijd komen",
    "Sociale vaardigheden",
]


def synthetic(n_clients: int, n_vacancies: int, seed: int = 1) -> MatchInputs:
    """Return a seeded synthetic register of active clients and open vacancies as frames."""
    rng = np.random.default_rng(seed)
    n_mun, n_reg = 60, 12
    mun_region = rng.integers(0, n_reg, n_mun)
    mun_names = np.array([f"Gemeente {i:02d}" for i in range(n_mun)], dtype=object)
    reg_names = np.array([f"Regio {i:02d}" for i in range(n_reg)], dtype=object)

    c_mun = rng.integers(0, n_mun, n_clients)
    c_mun_name = mun_names[c_mun].copy()
    c_mun_name[rng.random(n_clients) < 0.03] = None
    first = rng.integers(0, len(SECTORS), (n_clients, 3))
    length = rng.integers(1, 4, n_clients)
    prefs = np.empty(n_clients, dtype=object)
    prefs[:] = [[SECTORS[s] for s in dict.fromkeys(first[i, :length[i]])]
                for i in range(n_clients)]
    prefs[rng.random(n_clients) < 0.08] = None
    hours = rng.choice([16.0, 20, 24, 28, 32, 36, 38, 40], n_clients)
    hours[rng.random(n_clients) < 0.4] = np.nan
    edu = np.array(LEVELS, dtype=object)[rng.choice(10, n_clients,
                                                    p=[.1, .05, .15, .1, .2, .15, .1, .05,
                                                       .02, .08])]
    edu[rng.random(n_clients) < 0.05] = None
    letters = np.array(list("ABDEHJKLMNPRSTVWY"), dtype=object)
    clients = pd.DataFrame({
        "trajectory_id": np.arange(1, n_clients + 1),
        "client_id": np.arange(1, n_clients + 1),
        "pseudonym": [f"K-{i:06d}" for i in range(1, n_clients + 1)],
        "initials": letters[rng.integers(0, letters.size, n_clients)] + "."
        + letters[rng.integers(0, letters.size, n_clients)] + ".",
        "municipality": c_mun_name,
        "region": reg_names[mun_region[c_mun]],
        "education_level": edu,
        "preferred_sectors": prefs,
        "wished_hours": hours,
    })

    # skills: Dutch level, licence, certificates and basic skills (about 6 per client)
    owner, kind, name, level = [], [], [], []
    no_skills = rng.random(n_clients) < 0.04

    def add(mask: np.ndarray, k: str, names: Any, levels: Any) -> None:
        idx = np.flatnonzero(mask & ~no_skills)
        owner.append(idx + 1)
        kind.append(np.full(idx.size, k, dtype=object))
        name.append(np.broadcast_to(np.asarray(names, dtype=object), (n_clients,))[idx])
        level.append(np.broadcast_to(np.asarray(levels, dtype=float), (n_clients,))[idx])

    add(rng.random(n_clients) < 0.95, "language", "Nederlands", rng.integers(1, 6, n_clients))
    add(rng.random(n_clients) < 0.4, "driving_licence", "Rijbewijs B", np.nan)
    skill_p = rng.uniform(0.03, 0.2, len(SKILLS))
    for s, p in zip(SKILLS, skill_p, strict=True):
        add(rng.random(n_clients) < p, "certificate", s, np.nan)
    skills = pd.DataFrame({"client_id": np.concatenate(owner), "kind": np.concatenate(kind),
                           "name": np.concatenate(name), "level": np.concatenate(level)})

    n_bar = rng.choice(4, n_clients, p=[0.3, 0.35, 0.25, 0.1])
    b_owner = np.repeat(np.arange(1, n_clients + 1), n_bar)
    barriers = pd.DataFrame({
        "trajectory_id": b_owner,
        "domain": np.array(list(vocab.BARRIER_DOMAINS), dtype=object)[
            rng.integers(0, len(vocab.BARRIER_DOMAINS), b_owner.size)],
        "severity": rng.integers(1, 4, b_owner.size),
    })

    v_mun = rng.integers(0, n_mun, n_vacancies)
    n_req = rng.choice(3, n_vacancies, p=[0.35, 0.4, 0.25])
    n_wish = rng.choice(3, n_vacancies, p=[0.4, 0.4, 0.2])
    picks = rng.integers(0, len(SKILLS), (n_vacancies, 4))
    req = [[SKILLS[j] for j in picks[i, :n_req[i]]] or None for i in range(n_vacancies)]
    wish = [[SKILLS[j] for j in picks[i, 2:2 + n_wish[i]]] or None for i in range(n_vacancies)]
    lang = np.array([*LANG[:4], None], dtype=object)[
        rng.choice(5, n_vacancies, p=[0.1, 0.35, 0.35, 0.15, 0.05])]
    vacancies = pd.DataFrame({
        "vacancy_id": np.arange(1, n_vacancies + 1),
        "employer_id": rng.integers(1, n_vacancies // 3 + 2, n_vacancies),
        "employer": [f"Werkgever {i:04d}" for i in rng.integers(1, n_vacancies // 3 + 2,
                                                                 n_vacancies)],
        "title": [f"Functie {i}" for i in range(1, n_vacancies + 1)],
        "sector": np.array(SECTORS, dtype=object)[rng.integers(0, len(SECTORS), n_vacancies)],
        "education_level": np.array(["none", "vmbo", "mbo1", "mbo2", "mbo3", "mbo4", None],
                                    dtype=object)[rng.integers(0, 7, n_vacancies)],
        "hours_per_week": rng.choice([16.0, 20, 24, 28, 32, 36, 38, np.nan], n_vacancies),
        "municipality": mun_names[v_mun],
        "region": reg_names[mun_region[v_mun]],
        "driving_licence_required": rng.random(n_vacancies) < 0.15,
        "language_level": lang,
        "required_skills": req,
        "wished_skills": wish,
        "positions": rng.choice([1, 1, 1, 2, 2, 3, 4, 5], n_vacancies),
    })
    d_n = min(2000, n_clients)
    decisions = pd.DataFrame({
        "trajectory_id": rng.integers(1, n_clients + 1, d_n),
        "vacancy_id": rng.integers(1, n_vacancies + 1, d_n),
        "status": rng.choice(["proposed", "introduced", "declined", "hired"], d_n,
                             p=[0.4, 0.3, 0.25, 0.05]),
    })
    return MatchInputs(clients=clients, vacancies=vacancies, skills=skills, barriers=barriers,
                       decisions=decisions)


# --------------------------------------------------------------------------------------------
# baseline: cross join + row-wise apply of the same rules, in plain Python
# --------------------------------------------------------------------------------------------
def baseline_frames(inputs: MatchInputs) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return one row per client and per vacancy with plain Python values for the rules."""
    cl = inputs.clients.copy()
    sk = inputs.skills
    names = sk["name"].astype(str).str.casefold()
    by_client = pd.Series(list(names), index=sk["client_id"]).groupby(level=0).agg(set)
    cl["skill_set"] = cl["client_id"].map(by_client)
    dutch_rows = sk[(sk["kind"] == "language") & (names == "nederlands")]
    dutch = dutch_rows.groupby("client_id")["level"].max()
    cl["dutch"] = cl["client_id"].map(dutch)
    lic = set(sk.loc[sk["kind"] == "driving_licence", "client_id"])
    cl["has_licence"] = cl["client_id"].isin(lic)
    bar = inputs.barriers
    worst = bar.groupby(["trajectory_id", "domain"])["severity"].max().unstack(fill_value=0)
    for col in ("transport", "childcare", "language"):
        cl[f"bar_{col}"] = cl["trajectory_id"].map(worst.get(col, pd.Series(dtype=int))).fillna(0)
    special = worst.reindex(columns=sorted(vocab.SPECIAL_CATEGORY_DOMAINS), fill_value=0)
    cl["bar_special"] = cl["trajectory_id"].map(special.max(axis=1)).fillna(0)
    hired = set(inputs.decisions.loc[inputs.decisions["status"] == "hired", "trajectory_id"])
    cl = cl[~cl["trajectory_id"].isin(hired)]
    va = inputs.vacancies.copy()
    va = va[va["positions"] > 0]
    return cl, va


CFG = MatchConfig()


def score_row(row: pd.Series) -> float:
    """Score one client-vacancy pair with the default rules (plain Python, -1: excluded)."""
    cfg = CFG
    w = cfg.weights
    u = cfg.unknown
    total = 0.0
    den = 0.0
    hard = False
    # skills (required licence names are the licence criterion)
    req = [s.casefold() for s in (row["required_skills"] or [])]
    licence_req = bool(row["driving_licence_required"]) or any(
        s.startswith("rijbewijs") for s in req)
    req = [s for s in dict.fromkeys(req) if not s.startswith("rijbewijs")]
    wish = [s.casefold() for s in (row["wished_skills"] or []) if s.casefold() not in req]
    wish = list(dict.fromkeys(wish))
    have = row["skill_set"] if isinstance(row["skill_set"], set) else None
    listed = len(req) + cfg.wished_skill_weight * len(wish)
    if listed > 0:
        den += w["skills"]
        if have is None:
            total += w["skills"] * u
        else:
            got = sum(s in have for s in req) + cfg.wished_skill_weight * sum(
                s in have for s in wish)
            total += w["skills"] * got / listed
    # sector wish
    den += w["sector_wish"]
    prefs = row["preferred_sectors"]
    if not prefs or not isinstance(row["sector"], str):
        total += w["sector_wish"] * u
    elif row["sector"] in prefs:
        total += w["sector_wish"]
    # level
    den += w["level"]
    c_rank = vocab.EDUCATION_RANK.get(row["education_level"], -1) \
        if isinstance(row["education_level"], str) else -1
    v_rank = vocab.EDUCATION_RANK.get(row["education_level_v"], -1) \
        if isinstance(row["education_level_v"], str) else -1
    if c_rank < 0 or v_rank < 0:
        total += w["level"] * u
    elif c_rank - v_rank >= cfg.overqualified_gap:
        total += w["level"] * cfg.level_overqualified
    elif c_rank >= v_rank:
        total += w["level"]
    elif c_rank - v_rank == -1:
        total += w["level"] * cfg.level_one_below
    # hours
    den += w["hours"]
    ch, vh = row["wished_hours"], row["hours_per_week"]
    if math.isnan(ch) or math.isnan(vh):
        total += w["hours"] * u
    else:
        diff = abs(float(np.float32(ch)) - float(np.float32(vh)))
        span = cfg.hours_limit - cfg.hours_tolerance
        total += w["hours"] * min(1.0, max(0.0, 1 - (diff - cfg.hours_tolerance) / span))
    # region
    den += w["region"]
    same_mun = isinstance(row["municipality"], str) and row["municipality"] == row[
        "municipality_v"]
    reg_known = isinstance(row["region"], str) and isinstance(row["region_v"], str)
    if same_mun:
        total += w["region"]
    elif reg_known and row["region"] == row["region_v"]:
        total += w["region"] * cfg.same_region
    elif reg_known:
        total += w["region"] * cfg.other_region
    else:
        total += w["region"] * u
    # licence
    if licence_req:
        den += w["licence"]
        if row["has_licence"]:
            total += w["licence"]
        elif have is None:
            total += w["licence"] * u
        else:
            hard = True
    # language
    den += w["language"]
    lang_v = row["language_level"]
    c_lang = row["dutch"] - 1 if not math.isnan(row["dutch"]) else -1
    v_lang = LANG.index(lang_v) if isinstance(lang_v, str) else -1
    if c_lang < 0 or v_lang < 0:
        total += w["language"] * u
    elif c_lang >= v_lang:
        total += w["language"]
    else:
        hard = True
    # barriers
    den += w["barriers"]
    other_reg = reg_known and row["region"] != row["region_v"]
    other_mun = isinstance(row["municipality"], str) and row["municipality"] != row[
        "municipality_v"]
    vh_known = not math.isnan(vh)
    conflict = (
        (row["bar_transport"] >= cfg.transport_severity and (other_mun or licence_req))
        or (row["bar_childcare"] >= 2 and vh_known and vh > cfg.childcare_max_hours)
        or (row["bar_language"] >= 2 and v_lang >= LANG.index(cfg.language_barrier_level))
        or (row["bar_special"] >= cfg.special_severity and vh_known
            and vh > cfg.special_max_hours))
    if row["bar_transport"] >= cfg.transport_hard_severity and other_reg:
        hard = True
        total += w["barriers"] * cfg.barrier_conflict
    elif conflict:
        total += w["barriers"] * cfg.barrier_conflict
    elif (row["bar_childcare"] >= 2 or row["bar_special"] >= cfg.special_severity) \
            and not vh_known:
        total += w["barriers"] * u
    else:
        total += w["barriers"]
    return -1.0 if hard else total / den


def baseline(inputs: MatchInputs, n_clients: int, top: int) -> tuple[float, pd.DataFrame]:
    """Run the cross join + apply baseline on the first ``n_clients``; return (s, top pairs)."""
    start = time.perf_counter()
    cl, va = baseline_frames(inputs)
    cl = cl.head(n_clients)
    declined = inputs.decisions[inputs.decisions["status"] == "declined"]
    pairs = cl.merge(va.rename(columns={"education_level": "education_level_v",
                                        "municipality": "municipality_v",
                                        "region": "region_v"}), how="cross")
    pairs["score"] = pairs.apply(score_row, axis=1)
    pairs = pairs.merge(declined[["trajectory_id", "vacancy_id"]].assign(_d=True),
                        on=["trajectory_id", "vacancy_id"], how="left")
    pairs = pairs[(pairs["score"] >= 0) & pairs["_d"].isna()]
    best = (pairs.sort_values(["trajectory_id", "score"], ascending=[True, False])
            .groupby("trajectory_id").head(top))
    return time.perf_counter() - start, best[["trajectory_id", "vacancy_id", "score"]]


def main() -> int:
    """Time the vectorised match and the baseline; print figures and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=20_000)
    parser.add_argument("--vacancies", type=int, default=5_000)
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--baseline-clients", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    t0 = time.perf_counter()
    inputs = synthetic(args.clients, args.vacancies)
    print(f"synthetic register: {len(inputs.clients)} clients, {len(inputs.vacancies)} "
          f"vacancies, {len(inputs.skills)} skills, {len(inputs.barriers)} barriers "
          f"(built in {time.perf_counter() - t0:.1f} s)")
    cfg = MatchConfig(threads=args.threads)
    match(inputs, top=args.top, config=cfg)  # warm-up (imports, first-touch)

    times = []
    for _ in range(args.repeat):
        gc.collect()
        start = time.perf_counter()
        pairs = match(inputs, top=args.top, config=cfg)
        times.append(time.perf_counter() - start)
    best = min(times)
    gc.collect()
    tracemalloc.start()
    pairs = match(inputs, top=args.top, config=cfg)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"vectorised match: {len(pairs)} pairs (top {args.top} per client, with "
          f"explanations) in {best:.2f} s best of {args.repeat} "
          f"(median {statistics.median(times):.2f} s; target <= 2 s, {args.threads} threads)")
    print(f"peak memory of one match call (tracemalloc): {peak / 2**20:.0f} MiB "
          f"(target <= 1024 MiB); process peak RSS so far: {rss:.0f} MiB")

    n_base = min(args.baseline_clients, args.clients)
    base_s, base_pairs = baseline(inputs, n_base, args.top)
    scaled = base_s * args.clients / n_base
    print(f"baseline (pandas cross join + row-wise apply, same rules): {n_base} clients x "
          f"{len(inputs.vacancies)} vacancies in {base_s:.2f} s; scaled linearly to "
          f"{args.clients} clients: {scaled:.0f} s (estimate, not measured)")
    print(f"ratio baseline (scaled) / vectorised: {scaled / best:.0f}x")

    ours = pairs[pairs["trajectory_id"].isin(base_pairs["trajectory_id"])]
    merged = ours.merge(base_pairs, on=["trajectory_id", "vacancy_id"], how="outer",
                        suffixes=("", "_base"), indicator=True)
    same = int((merged["_merge"] == "both").sum())
    diff = (merged["score"] - 100 * merged["score_base"]).abs().max()
    # a pair only one side kept must tie with the 10th place of the other side
    tenth = ours.groupby("trajectory_id")["score"].min()
    only = merged[merged["_merge"] != "both"]
    only_score = only["score"].fillna(100 * only["score_base"])
    ties = bool((only_score.round(1) - only["trajectory_id"].map(tenth)).abs().le(0.1).all())
    print(f"agreement on the {n_base} baseline clients: {same} of {len(ours)} top pairs "
          f"identical; the others are ties at the 10th place: {ties}; largest score "
          f"difference on shared pairs {diff:.2f} points")
    return 0


if __name__ == "__main__":
    sys.exit(main())
