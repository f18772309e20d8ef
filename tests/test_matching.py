"""Matching on hand-made cases: hard constraints, unknown data, explanations, assignment,
congestion, and the decisions of the Matchtafel in the register."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from conftest import TODAY, add_staff, register_case
from trajecttools.core import validation
from trajecttools.core.errors import InvalidRecord, StaleEditError, TrajecttoolsError
from trajecttools.reads import matching
from trajecttools.reads.matching import (
    MatchConfig,
    MatchInputs,
    assign,
    congestion,
    decisions,
    match,
)
from trajecttools.workspace import Workspace


# --------------------------------------------------------------------------------------------
# hand-made frames
# --------------------------------------------------------------------------------------------
def client(tid: int, **kw: Any) -> dict[str, Any]:
    """One active trajectory; by default it matches the default vacancy on every criterion."""
    row = {
        "trajectory_id": tid, "client_id": tid, "pseudonym": f"K-{tid:06d}", "initials": "A.B.",
        "municipality": "Zutphen", "region": "Achterhoek", "education_level": "mbo2",
        "preferred_sectors": ["green"], "wished_hours": 32.0,
    }
    row.update(kw)
    return row


def vacancy(vid: int, **kw: Any) -> dict[str, Any]:
    """One open vacancy at employer ``vid``."""
    row = {
        "vacancy_id": vid, "employer_id": vid, "employer": f"Hoveniers {vid}",
        "title": "Hovenier", "sector": "green", "education_level": "mbo2",
        "hours_per_week": 32.0, "municipality": "Zutphen", "region": "Achterhoek",
        "driving_licence_required": False, "language_level": "B1",
        "required_skills": ["VCA"], "wished_skills": None, "positions": 1,
    }
    row.update(kw)
    return row


def skills(cid: int, *names: str, dutch: int | None = 4, licence: bool = False) -> list[dict]:
    """Skill rows of a client: certificates by name, Dutch level 1-5, a driving licence."""
    rows = [{"client_id": cid, "kind": "certificate", "name": n, "level": None} for n in names]
    if dutch is not None:
        rows.append({"client_id": cid, "kind": "language", "name": "Nederlands", "level": dutch})
    if licence:
        rows.append({"client_id": cid, "kind": "driving_licence", "name": "Rijbewijs B",
                     "level": None})
    return rows


def inputs(clients: list[dict], vacancies: list[dict], skill_rows: list[dict] | None = None,
           barriers: list[dict] | None = None, decided: list[dict] | None = None) -> MatchInputs:
    """Return MatchInputs from lists of rows."""
    return MatchInputs(
        clients=pd.DataFrame(clients),
        vacancies=pd.DataFrame(vacancies),
        skills=pd.DataFrame(skill_rows or [], columns=["client_id", "kind", "name", "level"]),
        barriers=pd.DataFrame(barriers or [], columns=["trajectory_id", "domain", "severity"]),
        decisions=pd.DataFrame(decided or [], columns=["trajectory_id", "vacancy_id", "status"]),
    )


def one_pair(inp: MatchInputs, **kw: Any) -> pd.Series:
    out = match(inp, top=10, include_excluded=True, **kw)
    assert len(out) == 1
    return out.iloc[0]


# --------------------------------------------------------------------------------------------
# hard constraints
# --------------------------------------------------------------------------------------------
def test_required_licence_absent_excludes() -> None:
    inp = inputs([client(1)], [vacancy(10, driving_licence_required=True)],
                 skills(1, "VCA", licence=False))
    assert match(inp).empty, "an excluded pair is not proposed"
    pair = one_pair(inp)
    assert not pair["hard_ok"]
    assert pair["licence_status"] == "excluded"
    assert pair["explanation"].startswith("uitgesloten: rijbewijs vereist")


def test_required_licence_present_fits() -> None:
    inp = inputs([client(1)], [vacancy(10, driving_licence_required=True)],
                 skills(1, "VCA", licence=True))
    pair = one_pair(inp)
    assert pair["hard_ok"] and pair["licence_status"] == "match"
    assert "rijbewijs" in pair["explanation"].split(";")[0]


def test_licence_named_as_required_skill_is_the_licence_criterion() -> None:
    inp = inputs([client(1)], [vacancy(10, required_skills=["VCA", "Rijbewijs B"])],
                 skills(1, "VCA"))
    pair = one_pair(inp)
    assert pair["licence_status"] == "excluded"
    assert pair["skills_status"] == "match", "the licence is not counted twice"


def test_language_level_too_low_excludes() -> None:
    inp = inputs([client(1)], [vacancy(10, language_level="B1")], skills(1, "VCA", dutch=2))
    assert match(inp).empty
    pair = one_pair(inp)
    assert pair["language_status"] == "excluded"
    assert "uitgesloten: taalniveau B1 vereist (klant A2)" in pair["explanation"]


def test_hard_constraints_can_be_soft_by_config() -> None:
    cfg = MatchConfig(language_hard=False, licence_hard=False)
    inp = inputs([client(1)], [vacancy(10, language_level="B2", driving_licence_required=True)],
                 skills(1, "VCA", dutch=3))
    pair = one_pair(inp, config=cfg)
    assert pair["hard_ok"]
    assert pair["language_status"] == "mismatch" and pair["licence_status"] == "mismatch"
    assert "mist: rijbewijs, taalniveau B2 vereist (klant B1)" in pair["explanation"]


def test_severe_transport_barrier_excludes_work_outside_the_region() -> None:
    far = vacancy(10, municipality="Enschede", region="Twente")
    inp = inputs([client(1)], [far], skills(1, "VCA"),
                 barriers=[{"trajectory_id": 1, "domain": "transport", "severity": 3}])
    pair = one_pair(inp)
    assert not pair["hard_ok"]
    assert pair["barriers_status"] == "excluded"
    assert "vervoer (werk buiten de regio)" in pair["explanation"]
    # a milder transport barrier only warns
    inp = inputs([client(1)], [far], skills(1, "VCA"),
                 barriers=[{"trajectory_id": 1, "domain": "transport", "severity": 2}])
    pair = one_pair(inp)
    assert pair["hard_ok"] and pair["barriers_status"] == "mismatch"
    assert "let op: vervoer" in pair["explanation"]


def test_special_category_barrier_is_never_named() -> None:
    inp = inputs([client(1, wished_hours=36.0)], [vacancy(10, hours_per_week=36.0)],
                 skills(1, "VCA"),
                 barriers=[{"trajectory_id": 1, "domain": "mental_health", "severity": 3},
                           {"trajectory_id": 1, "domain": "addiction", "severity": 3}])
    pair = one_pair(inp)
    text = pair["explanation"]
    assert "belemmering (bijzondere categorie)" in text
    for word in ("psych", "gezondheid", "verslaving", "mental", "addiction", "justitie"):
        assert word not in text.lower()
    assert pair["barriers_status"] == "mismatch" and pair["hard_ok"]


# --------------------------------------------------------------------------------------------
# unknown is never a match
# --------------------------------------------------------------------------------------------
UNKNOWN_CASES: dict[str, tuple[dict[str, Any], dict[str, Any], str]] = {
    "sector_wish": ({"preferred_sectors": None}, {}, "onbekend: sectorwens"),
    "level": ({"education_level": None}, {}, "opleidingsniveau"),
    "hours": ({"wished_hours": np.nan}, {}, "urenwens"),
    "region": ({"municipality": None, "region": None}, {}, "woonplaats"),
    "language": ({}, {"dutch": None}, "taalniveau klant"),
}


@pytest.mark.parametrize("criterion", list(UNKNOWN_CASES))
def test_missing_data_scores_lower_than_a_match(criterion: str) -> None:
    client_kw, skill_kw, words = UNKNOWN_CASES[criterion]
    inp = inputs([client(1), client(2, **client_kw)], [vacancy(10)],
                 skills(1, "VCA") + skills(2, "VCA", **skill_kw))
    out = match(inp).set_index("trajectory_id")
    known, unknown = out.loc[1], out.loc[2]
    assert known[f"{criterion}_status"] == "match"
    assert unknown[f"{criterion}_status"] == "unknown"
    assert unknown[criterion] < known[criterion]
    assert unknown["score"] < known["score"]
    assert unknown["hard_ok"], "unknown data does not exclude"
    assert "onbekend: " in unknown["explanation"] and words in unknown["explanation"]
    assert known["score"] == 100.0


def test_no_skills_recorded_is_unknown_not_absent() -> None:
    vac = vacancy(10, driving_licence_required=True)
    inp = inputs([client(1), client(2)], [vac], skills(1, "VCA", licence=True))
    out = match(inp).set_index("trajectory_id")
    with_licence, no_skills = out.loc[1].to_dict(), out.loc[2].to_dict()
    assert no_skills["licence_status"] == "unknown" and no_skills["hard_ok"]
    assert no_skills["skills_status"] == "unknown"
    assert no_skills["score"] < with_licence["score"]
    assert "onbekend: vaardigheden klant, rijbewijs, taalniveau klant" in (
        no_skills["explanation"])


def test_vacancy_side_missing_data_is_unknown_too() -> None:
    inp = inputs([client(1)], [vacancy(10, language_level=None, hours_per_week=None,
                                       sector=None)], skills(1, "VCA"))
    pair = one_pair(inp)
    assert {pair["language_status"], pair["hours_status"], pair["sector_wish_status"]} == {
        "unknown"}
    assert "onbekend: taaleis vacature, sector vacature, uren vacature" in pair["explanation"]


def test_nothing_asked_is_not_applicable() -> None:
    inp = inputs([client(1)], [vacancy(10, required_skills=None, wished_skills=None)],
                 skills(1, "VCA"))
    pair = one_pair(inp)
    assert pair["skills_status"] == "n/a" and math.isnan(pair["skills"])
    assert pair["licence_status"] == "n/a"
    assert pair["score"] == 100.0


# --------------------------------------------------------------------------------------------
# explanations and scores
# --------------------------------------------------------------------------------------------
def test_explanation_names_the_right_criteria() -> None:
    vac = vacancy(10, required_skills=["VCA", "Heftruckcertificaat"],
                  wished_skills=["Snoeien"], driving_licence_required=True,
                  hours_per_week=24.0, education_level="mbo3")
    inp = inputs([client(1, wished_hours=36.0)], [vac], skills(1, "VCA", "Snoeien",
                                                               licence=True))
    pair = one_pair(inp)
    assert pair["explanation"] == (
        "past: VCA, snoeien, rijbewijs, taal B1, sectorwens, woonplaats; "
        "mist: heftruckcertificaat, opleidingsniveau (vraagt mbo-3); "
        "wijkt af: 24 uur (wens 36)"
    )
    # VCA (required, 1) + Snoeien (wished, 0.5) of 1 + 1 + 0.5
    assert pair["skills"] == pytest.approx(60.0)
    assert pair["skills_status"] == "partial"
    assert pair["level_status"] == "partial"  # one level below what is asked
    assert pair["hours_status"] == "partial"  # 12 hours apart: between 4 and 16
    assert pair["hours"] == pytest.approx(round(100 * (1 - 8 / 12), 1))


def test_total_is_the_weighted_mean_of_applicable_criteria() -> None:
    cfg = MatchConfig(weights={"skills": 2, "sector_wish": 1, "level": 0, "hours": 0,
                               "region": 0, "licence": 5, "language": 0, "barriers": 0})
    inp = inputs([client(1, preferred_sectors=["care"])], [vacancy(10)], skills(1, "VCA"))
    pair = one_pair(inp, config=cfg)
    # licence n/a (not required): (2 * 1 + 1 * 0) / (2 + 1)
    assert pair["score"] == pytest.approx(66.7)


def test_overqualified_is_named_below_level() -> None:
    inp = inputs([client(1, education_level="hbo")], [vacancy(10, education_level="vmbo")],
                 skills(1, "VCA"))
    pair = one_pair(inp)
    assert pair["level_status"] == "partial"
    assert "onder opleidingsniveau" in pair["explanation"]


def test_clients_and_vacancy_direction_and_reciprocal_rank() -> None:
    vacs = [vacancy(10), vacancy(11, sector="care"), vacancy(12, municipality="Deventer",
                                                               region="Salland")]
    cls = [client(1), client(2, preferred_sectors=["care"]), client(3, wished_hours=16.0)]
    rows = skills(1, "VCA") + skills(2, "VCA") + skills(3)
    inp = inputs(cls, vacs, rows)
    by_client = match(inp, top=2, reciprocal=True)
    assert by_client.groupby("trajectory_id").size().tolist() == [2, 2, 2]
    assert (by_client.groupby("trajectory_id")["rank"].apply(list) == [[1, 2]] * 3).all()
    assert by_client.groupby("trajectory_id")["score"].apply(
        lambda s: s.is_monotonic_decreasing).all()
    by_vacancy = match(inp, top=3, direction="vacancy")
    assert set(by_vacancy["vacancy_id"]) == {10, 11, 12}
    # the reciprocal rank is the client's place in the vacancy's own ranking
    for _, pair in by_client.iterrows():
        own = by_vacancy[(by_vacancy["vacancy_id"] == pair["vacancy_id"])
                         & (by_vacancy["trajectory_id"] == pair["trajectory_id"])]
        assert int(own["rank"].iloc[0]) == pair["vacancy_rank"]
        assert pair["candidates"] == 3
    only = match(inp, top=5, clients=["K-000002"])
    assert set(only["trajectory_id"]) == {2}
    assert only.iloc[0]["vacancy_id"] == 11


def test_declined_pairs_and_hired_clients_are_left_out() -> None:
    inp = inputs([client(1), client(2)], [vacancy(10), vacancy(11)],
                 skills(1, "VCA") + skills(2, "VCA"),
                 decided=[{"trajectory_id": 1, "vacancy_id": 10, "status": "declined"},
                          {"trajectory_id": 2, "vacancy_id": 11, "status": "hired"},
                          {"trajectory_id": 1, "vacancy_id": 11, "status": "proposed"}])
    out = match(inp)
    assert list(zip(out["trajectory_id"], out["vacancy_id"], strict=True)) == [(1, 11)]
    assert out.iloc[0]["decision"] == "proposed"


def test_full_vacancies_are_not_supply() -> None:
    inp = inputs([client(1)], [vacancy(10, positions=0), vacancy(11)], skills(1, "VCA"))
    assert match(inp)["vacancy_id"].tolist() == [11]


def test_no_names_in_the_pairs() -> None:
    inp = inputs([client(1)], [vacancy(10)], skills(1, "VCA"))
    out = match(inp)
    assert not {"given_name", "family_name", "bsn", "wishes"} & set(out.columns)


def _bench() -> Any:
    """Import benchmarks/bench_matching.py (its seeded synthetic register)."""
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_matching.py"
    spec = importlib.util.spec_from_file_location("bench_matching", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("max_rows", [4, 64, 2048])
def test_vectorised_top_k_equals_brute_force(max_rows: int) -> None:
    inp = _bench().synthetic(300, 60, seed=3)
    cfg = MatchConfig(max_table_rows=max_rows, chunk_rows=37, threads=2)
    out = match(inp, top=5, config=cfg)
    full = match(inp, top=60, config=MatchConfig(max_table_rows=max_rows, threads=1))
    exact = full.sort_values(["trajectory_id", "score"], ascending=[True, False])
    for tid, part in out.groupby("trajectory_id"):
        best = exact[exact["trajectory_id"] == tid]
        # the 5 kept pairs are the 5 best (scores equal up to ties at the boundary)
        assert part["score"].tolist() == pytest.approx(best["score"].head(5).tolist(), abs=0.06)
    # every pair's total is the weighted mean of its criteria
    weights = MatchConfig().weights
    values = out[list(matching.CRITERIA)].to_numpy() / 100
    w = np.array([weights[c] for c in matching.CRITERIA])
    applies = ~np.isnan(values)
    mean = (np.nan_to_num(values) * w).sum(1) / (applies * w).sum(1)
    assert np.allclose(out["score"], np.round(mean * 100, 1), atol=0.051)


# --------------------------------------------------------------------------------------------
# assignment and congestion
# --------------------------------------------------------------------------------------------
def brute_force(scores: np.ndarray, capacity: list[int]) -> float:
    """Best total of a partial assignment, by trying every permutation of position slots."""
    slots = [j for j, cap in enumerate(capacity) for _ in range(cap)]
    n = scores.shape[0]
    width = max(len(slots), n)
    padded = slots + [-1] * (width - len(slots))
    best = 0.0
    for perm in itertools.permutations(range(width), n):
        total = 0.0
        for i, p in enumerate(perm):
            j = padded[p]
            if j >= 0 and np.isfinite(scores[i, j]) and scores[i, j] > 0:
                total += scores[i, j]
        best = max(best, total)
    return best


def test_assignment_is_optimal_by_brute_force() -> None:
    rng = np.random.default_rng(5)
    for _ in range(20):
        scores = np.round(rng.uniform(10, 100, (4, 4)), 1)
        scores[rng.random((4, 4)) < 0.3] = np.nan  # not allowed (hard constraint)
        out = assign(scores, per_position=False)
        assert out["row"].is_unique and out["col"].is_unique
        assert np.isfinite(scores[out["row"], out["col"]]).all()
        assert out["score"].sum() == pytest.approx(brute_force(scores, [1, 1, 1, 1]))


def test_assignment_respects_positions() -> None:
    rng = np.random.default_rng(8)
    for _ in range(10):
        scores = np.round(rng.uniform(10, 100, (5, 3)), 1)
        scores[rng.random((5, 3)) < 0.2] = np.nan
        capacity = [2, 1, 1]
        out = assign(scores, capacity=capacity)
        counts = out["col"].value_counts()
        assert all(counts.get(j, 0) <= capacity[j] for j in range(3))
        assert out["row"].is_unique
        assert out["score"].sum() == pytest.approx(brute_force(scores, capacity))


def test_assign_pairs_frame_per_position() -> None:
    vacs = [vacancy(10, positions=2), vacancy(11, sector="care", positions=1)]
    cls = [client(1), client(2), client(3, preferred_sectors=["care"])]
    inp = inputs(cls, vacs, skills(1, "VCA") + skills(2, "VCA") + skills(3, "VCA"))
    pairs = match(inp, top=5)
    chosen = assign(pairs)
    assert chosen["trajectory_id"].is_unique
    assert dict(chosen.groupby("vacancy_id").size()) == {10: 2, 11: 1}
    one_each = assign(pairs, per_position=False)
    assert one_each["vacancy_id"].is_unique and len(one_each) == 2
    excluded = pairs.assign(hard_ok=False)
    assert assign(excluded).empty


def test_congestion_counts() -> None:
    pairs = pd.DataFrame({
        "trajectory_id": [1, 1, 2, 2, 3, 3, 4],
        "vacancy_id": [10, 11, 10, 12, 10, 11, 12],
        "title": ["A", "B", "A", "C", "A", "B", "C"],
        "employer": ["E", "F", "E", "G", "E", "F", "G"],
        "positions": [1, 2, 1, 3, 1, 2, 3],
        "rank": [1, 2, 1, 2, 2, 1, 1],
        "hard_ok": [True] * 7,
    })
    out = congestion(pairs).set_index("vacancy_id")
    assert out.loc[10, "clients"] == 3 and out.loc[10, "first_choice"] == 2
    assert out.loc[10, "pressure"] == 3.0
    assert out.loc[11, "clients"] == 2 and out.loc[11, "pressure"] == 1.0
    assert out.loc[12, "clients"] == 2 and out.loc[12, "first_choice"] == 1
    assert list(out.index) == [10, 11, 12]  # most crowded first
    assert out.loc[10, "share"] == 0.75
    assert "4 klanten wijzen naar 3 vacatures" in out.attrs["summary"]
    top1 = congestion(pairs, top=1).set_index("vacancy_id")
    assert top1.loc[10, "clients"] == 2


# --------------------------------------------------------------------------------------------
# configuration
# --------------------------------------------------------------------------------------------
def test_config_from_toml(tmp_path: Path) -> None:
    path = tmp_path / "matching.toml"
    path.write_text("unknown = 0.2\n[weights]\nskills = 5\nregion = 0\n", "utf-8")
    cfg = MatchConfig.from_toml(path)
    assert cfg.unknown == 0.2 and cfg.weight("skills") == 5 and cfg.weight("region") == 0
    assert cfg.weight("level") == matching.DEFAULT_WEIGHTS["level"]
    path.write_text("weights = { afstand = 3 }\n", "utf-8")
    with pytest.raises(TrajecttoolsError, match="Onbekende criteria"):
        MatchConfig.from_toml(path)
    with pytest.raises(TrajecttoolsError, match="lager dan een match"):
        MatchConfig(unknown=1.0)


def test_wished_hours_from_text() -> None:
    hours = matching.wished_hours(pd.Series(["Wil 24 uur werken", "Liefst parttime.", None,
                                             "Wil graag buiten werken"]))
    assert hours.tolist()[:2] == [24.0, 24.0]
    assert hours.isna().tolist()[2:] == [True, True]


# --------------------------------------------------------------------------------------------
# the register: inputs and decisions
# --------------------------------------------------------------------------------------------
def add_vacancy(store: Workspace, **kw: Any) -> int:
    with store.transaction() as tx:
        employer = tx.add("employers", {"name": "Groen BV", "sector": "green",
                                        "municipality": "Rotterdam", "region": "Rijnmond",
                                        "inclusive": True, "contact_name": "Piet Baas"})
        values = {"employer_id": employer, "title": "Hovenier", "sector": "green",
                  "education_level": "mbo2", "hours_per_week": 32, "language_level": "A2",
                  "required_skills": ["VCA"], "positions": 1, "opened_on": "01-05-2026"}
        values.update(kw)
        return tx.add("vacancies", values)


@pytest.fixture
def register(sqlite_store: Workspace) -> tuple[Workspace, int, int]:
    staff = add_staff(sqlite_store)
    tid = register_case(sqlite_store, staff)
    client_id = int(sqlite_store.get("trajectories", tid)["client_id"])
    with sqlite_store.transaction() as tx:
        tx.add("skills", {"client_id": client_id, "kind": "certificate", "name": "VCA",
                          "recorded_on": "02-06-2026"})
        tx.add("skills", {"client_id": client_id, "kind": "language", "name": "Nederlands",
                          "level": 3, "recorded_on": "02-06-2026"})
    vid = add_vacancy(sqlite_store)
    return sqlite_store, tid, vid


def test_match_from_the_register(register: tuple[Workspace, int, int]) -> None:
    store, tid, vid = register
    out = match(store, as_of=TODAY)
    assert out[["trajectory_id", "vacancy_id"]].values.tolist() == [[tid, vid]]
    pair = out.iloc[0]
    assert pair["pseudonym"].startswith("K-") and pair["initials"] == "A.P."
    text = " ".join(str(v) for v in pair.to_numpy())
    assert "Amira" not in text and "Proefstra" not in text and "Piet Baas" not in text
    assert pair["skills_status"] == "match" and pair["language_status"] == "match"


def test_decisions_flow_proposed_introduced_hired(register: tuple[Workspace, int, int]) -> None:
    store, tid, vid = register
    did = decisions.propose(store, tid, vid, score=87.25, decided_by="Matchtafel")
    row = store.get("match_decisions", did)
    assert (row["status"], row["version"], row["score"]) == ("proposed", 1, 87.2)
    with pytest.raises(InvalidRecord, match="al gekoppeld"):
        decisions.propose(store, tid, vid)
    with pytest.raises(InvalidRecord, match="kan niet van 'Voorgesteld' naar 'Aangenomen'"):
        decisions.hire(store, did, expected_version=1)
    v2 = decisions.introduce(store, did, expected_version=1)
    v3 = decisions.hire(store, did, expected_version=v2)
    assert (v2, v3) == (2, 3)
    assert store.get("match_decisions", did)["status"] == "hired"
    # the only position is filled: the vacancy closes and is no longer supply
    assert store.get("vacancies", vid)["status"] == "closed"
    assert match(store, as_of=TODAY).empty
    frame = decisions.trajectory_decisions(store, tid)
    assert frame["status"].astype(str).tolist() == ["hired"]
    assert frame["status_label"].tolist() == ["Aangenomen"]
    assert not {"given_name", "family_name"} & set(frame.columns)
    counts = decisions.decision_counts(store).set_index("status")["count"]
    assert counts.to_dict() == {"proposed": 0, "introduced": 0, "hired": 1, "declined": 0}
    audit = store.audit()
    assert (audit["entity"] == "match_decisions").sum() >= 3


def test_decline_requires_who_and_why(register: tuple[Workspace, int, int]) -> None:
    store, tid, vid = register
    did = decisions.propose(store, tid, vid)
    with pytest.raises(InvalidRecord) as err:
        decisions.decline(store, did, expected_version=1, declined_by=None, reason=None)
    assert "bij een afwijzing zijn 'afgewezen door' en een reden verplicht" in str(err.value)
    assert err.value.fields == ["reason"]
    with pytest.raises(InvalidRecord, match="Reden: is verplicht"):
        decisions.decline(store, did, expected_version=1, declined_by="employer", reason="  ")
    assert store.get("match_decisions", did)["status"] == "proposed", "nothing was written"
    decisions.decline(store, did, expected_version=1, declined_by="Werkgever",
                      reason="Zoekt iemand met ervaring")
    row = store.get("match_decisions", did)
    assert (row["status"], row["declined_by"]) == ("declined", "employer")
    # a declined pair is not proposed again by the matcher
    assert match(store, as_of=TODAY).empty


def test_stale_decision_edit_is_refused(register: tuple[Workspace, int, int]) -> None:
    store, tid, vid = register
    did = decisions.propose(store, tid, vid)
    decisions.introduce(store, did, expected_version=1, actor="collega")
    with pytest.raises(StaleEditError, match="is intussen gewijzigd door collega"):
        decisions.decline(store, did, expected_version=1, declined_by="client",
                          reason="Wil toch iets anders")
    assert store.get("match_decisions", did)["status"] == "introduced"


def test_proposal_refused_for_closed_vacancy(register: tuple[Workspace, int, int]) -> None:
    store, tid, vid = register
    other = add_vacancy(store, status="closed", closed_on="01-06-2026")
    with pytest.raises(InvalidRecord, match="niet meer open"):
        decisions.propose(store, tid, other)
    assert decisions.decisions_frame(store, vacancy_id=[vid, other]).empty


def test_wished_hours_come_from_the_column_and_the_text_only_for_old_rows(
        register: tuple[Workspace, int, int]) -> None:
    store, tid, _vid = register
    client_id = int(store.get("trajectories", tid)["client_id"])
    v = store.get("clients", client_id)["version"]
    store.update("clients", client_id, {"wishes": "Wil fulltime werken, 36 uur",
                                        "preferred_hours": 20}, expected_version=v)
    old = store.register({"given_name": "Bram", "family_name": "Ouderwets",
                          "target_group": "over_45", "wishes": "Liefst 28 uur per week"},
                         method="opstapbaan", registered_at="01-06-2026 09:00")
    clients = matching.load_inputs(store, TODAY).clients.set_index("trajectory_id")
    assert clients.loc[tid, "wished_hours"] == 20.0  # the number wins over the text
    assert clients.loc[old, "wished_hours"] == 28.0  # no number recorded: read the wish
    assert "preferred_hours" not in clients.columns and "wishes" not in clients.columns
    frame = pd.DataFrame({"preferred_hours": pd.array([0, None, None], dtype="Int64"),
                          "wishes": ["fulltime", "24 uur", None]})
    assert matching.client_hours(frame).tolist()[:2] == [0.0, 24.0]
    assert np.isnan(matching.client_hours(frame).iloc[2])


@pytest.mark.parametrize(("hours", "message"), [
    (41, "Gewenste uren per week: mag hoogstens 40 zijn"),
    (-1, "Gewenste uren per week: moet minstens 0 zijn"),
    ("veel", "Gewenste uren per week: moet een geheel getal zijn"),
])
def test_preferred_hours_are_validated_in_dutch(register: tuple[Workspace, int, int], hours: Any,
                                                message: str) -> None:
    store, tid, _vid = register
    client_id = int(store.get("trajectories", tid)["client_id"])
    v = store.get("clients", client_id)["version"]
    with pytest.raises(InvalidRecord, match=message):
        store.update("clients", client_id, {"preferred_hours": hours}, expected_version=v)
    assert store.get("clients", client_id)["preferred_hours"] is None
    store.update("clients", client_id, {"preferred_hours": "32"}, expected_version=v)
    assert store.get("clients", client_id)["preferred_hours"] == 32


def test_each_step_of_a_decision_keeps_its_date(register: tuple[Workspace, int, int]) -> None:
    store, tid, vid = register
    did = decisions.propose(store, tid, vid, on="05-06-2026")
    v = decisions.introduce(store, did, expected_version=1, on="09-06-2026")
    decisions.hire(store, did, expected_version=v, on="12-06-2026")
    row = store.get("match_decisions", did)
    assert (row["proposed_on"], row["introduced_on"], row["decided_on"]) == (
        dt.date(2026, 6, 5), dt.date(2026, 6, 9), dt.date(2026, 6, 12))
    frame = decisions.trajectory_decisions(store, tid).iloc[0]
    assert (frame["proposed_on"], frame["introduced_on"]) == (
        pd.Timestamp("2026-06-05"), pd.Timestamp("2026-06-09"))
    other = add_vacancy(store, title="Groenvoorziener")
    declined = decisions.propose(store, tid, other, on="06-06-2026")
    decisions.decline(store, declined, expected_version=1, declined_by="client",
                      reason="Te ver reizen", on="08-06-2026")
    row = store.get("match_decisions", declined)
    assert (row["proposed_on"], row["introduced_on"], row["decided_on"]) == (
        dt.date(2026, 6, 6), None, dt.date(2026, 6, 8))
    with pytest.raises(InvalidRecord, match="Voorgesteld aan werkgever op: ligt vóór "
                                            "'Voorgesteld op' \\(06-06-2026\\)"):
        validation.validate("match_decisions", {
            "trajectory_id": tid, "vacancy_id": other, "status": "introduced",
            "proposed_on": "06-06-2026", "introduced_on": "05-06-2026",
            "decided_on": "07-06-2026"}, today=TODAY)


def test_decision_counts_by_group() -> None:
    frame = pd.DataFrame({
        "employer": ["A", "A", "B"], "status": ["proposed", "hired", "hired"],
        "decided_on": pd.to_datetime(["2026-06-01", "2026-06-02", "2026-06-03"]),
    })
    out = decisions.decision_counts(frame, by="employer")
    a = out[out["employer"] == "A"].set_index("status")
    assert a.loc["hired", "count"] == 1 and a.loc["hired", "share"] == 0.5
    assert a.loc["declined", "count"] == 0
    late = decisions.decision_counts(frame, period=(dt.date(2026, 6, 2), None))
    assert late.set_index("status").loc["hired", "count"] == 2
