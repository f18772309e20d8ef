"""On a demo register, no ladder or hand-off signal fires that “Traject Work-2-Gether” or
“Arbeidstoeleiding: aanpak en begeleiding” contradicts, and the demo follows the ladder."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from trajecttools.core.method import load_method
from trajecttools.outputs import demo
from trajecttools.reads.signals import signals
from trajecttools.workspace import Workspace

AS_OF = dt.date(2026, 9, 15)
NOW = pd.Timestamp(AS_OF)
SIZE = 1500
METHOD = load_method("opstapbaan")


@dataclass
class Demo:
    frames: dict[str, pd.DataFrame]
    found: pd.DataFrame


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    """A demo register of 1 500 trajectories (seed 23) and its signals on as_of."""
    path: Path = tmp_path_factory.mktemp("ladder") / "demo.db"
    with Workspace(path, actor="tester", today=AS_OF) as store:
        demo.build(store, size=SIZE, seed=23)
        found = signals(store, AS_OF)
    return Demo(demo.generate(SIZE, seed=23, as_of=AS_OF), found)


def _opstapbaan(w: Demo) -> pd.DataFrame:
    t = w.frames["trajectories"]
    return t[t["method"] == "opstapbaan"].set_index("id")


def _placements(w: Demo) -> pd.DataFrame:
    pl = w.frames["placements"]
    emp = w.frames["employers"].set_index("id")
    pl = pl[pl["trajectory_id"].isin(_opstapbaan(w).index)]
    return pl.assign(swc=pl["employer_id"].map(emp["social_work_company"]).fillna(False)
                     .astype(bool))


def _fired(w: Demo, rule: str) -> set[int]:
    f = w.found
    return set(f.loc[(f["rule"] == rule) & (f["method"] == "opstapbaan"), "trajectory_id"])


def _active(w: Demo) -> set[int]:
    t = _opstapbaan(w)
    return set(t.index[t["closed_on"].isna()])


def _whole(w: Demo, *, swc: bool) -> tuple[pd.Series, pd.Series, set[int]]:
    """Days in the opstapbaan so far, the days its limit allows, and who is still in it."""
    pl = _placements(w)
    ss = pl[(pl["kind"] == "stepping_stone") & (pl["swc"] | (not swc))]
    used = (ss["end_on"].fillna(NOW) - ss["start_on"]).dt.days.groupby(ss["trajectory_id"]).sum()
    first = ss.groupby("trajectory_id")["start_on"].min()
    months = METHOD.rules["stepping_stone_at_social_work_company" if swc
                          else "stepping_stone_max"].number("months")
    limit = (first + pd.DateOffset(months=months) - first).dt.days
    running = set(ss.loc[ss["end_on"].isna(), "trajectory_id"]) & _active(w)
    return used, limit, running


def test_the_opstapbaan_limit_fires_on_the_whole_opstapbaan_only(world: Demo) -> None:
    """“Traject Work-2-Gether”: “De maximale periode van een opstapbaan beslaat 6 maanden” —
    the whole opstapbaan, at the SDW and at a regular employer: the signal (with its 14-day
    warning, a default of the organisation) fires exactly for those near or past 6 months."""
    used, limit, running = _whole(world, swc=False)
    warn = METHOD.rules["stepping_stone_max"].number("warn_days")
    expected = {tid for tid in running if used[tid] >= limit[tid] - warn}
    assert _fired(world, "stepping_stone_max") == expected and expected
    pl = _placements(world)
    split = set(pl.loc[(pl["kind"] == "stepping_stone") & ~pl["swc"], "trajectory_id"])
    assert expected & split  # a split opstapbaan past its 6 months is found too


def test_the_3_months_at_the_sdw_count_only_time_at_the_sdw(world: Demo) -> None:
    """“Traject Work-2-Gether”: “zullen wij trachten hem niet langer dan 3 maanden te laten
    werken bij SDW”: fires while the client works at the SDW, on the SDW days added up."""
    used, limit, _ = _whole(world, swc=True)
    pl = _placements(world)
    at_sdw = set(pl.loc[(pl["kind"] == "stepping_stone") & pl["swc"] & pl["end_on"].isna(),
                        "trajectory_id"]) & _active(world)
    expected = {tid for tid in at_sdw if used[tid] > limit[tid]}
    assert _fired(world, "stepping_stone_at_social_work_company") == expected and expected


def test_no_benefit_while_employed_in_the_opstapbaan_or_the_ladder(world: Demo) -> None:
    """“Traject Work-2-Gether”: the client “komt hij in dienst van SDWork BV”; on the ladder he
    is employed by the employer. No benefit runs on a day of the opstapbaan or the ladder."""
    pl = _placements(world)
    t = _opstapbaan(world)
    steps = pl[pl["kind"].isin(["stepping_stone", "secondment", "wage_subsidy"])]
    steps = steps.assign(client_id=steps["trajectory_id"].map(t["client_id"]))
    both = steps.merge(world.frames["benefit_periods"], on="client_id", suffixes=("", "_b"))
    overlap = ((both["start_on_b"] <= both["end_on"].fillna(NOW))
               & (both["end_on_b"].fillna(NOW) >= both["start_on"]))
    assert len(both) > 500 and not overlap.any()
    # the benefit resumes when the route ends without a regular job
    resumed = both[both["start_on_b"] > both["start_on"]]
    assert len(resumed) > 20


def test_aftercare_only_with_a_regular_contract(world: Demo) -> None:
    """“Traject Work-2-Gether”: “De nazorg start op het moment dat er sprake is van een reguliere
    arbeidsovereenkomst zonder loonkostensubsidie.” Every aftercare phase starts on a day a
    regular contract runs, so no aftercare signal fires without one."""
    ev = world.frames["phase_events"]
    ev = ev[(ev["phase"] == "aftercare") & ev["trajectory_id"].isin(_opstapbaan(world).index)]
    pl = _placements(world)
    regular = pl[pl["kind"] == "regular"]
    pairs = ev.merge(regular, on="trajectory_id", suffixes=("", "_p"))
    runs = (pairs["start_on"] <= pairs["started_on"]) & (
        pairs["end_on"].isna() | (pairs["end_on"] >= pairs["started_on"]))
    assert len(ev) > 100
    assert set(pairs.loc[runs, "trajectory_id"]) == set(ev["trajectory_id"])
    for rule in ("aftercare_contact", "aftercare_duration"):
        assert _fired(world, rule) <= set(regular["trajectory_id"])


def test_wage_subsidy_is_op_proef_with_a_promise_and_contracts_last_6_months(world: Demo) -> None:
    """“Traject Work-2-Gether”: wage subsidy 'op proef' against “de belofte van een
    arbeidsovereenkomst voor minimaal 6 maanden zonder proeftijd”; the regular contract is
    asked for 6 months: the short-contract signal fires only on contracts shorter than that."""
    pl = _placements(world)
    assert not (pl["kind"] == "trial").any()
    wage = pl[pl["kind"] == "wage_subsidy"]
    assert (wage["promised_contract_months"] >= 6).all()
    regular = pl[(pl["kind"] == "regular") & pl["end_on"].notna()]
    short = regular[regular["end_on"] < regular["start_on"] + pd.DateOffset(months=6)
                    - pd.Timedelta(days=1)]
    assert _fired(world, "regular_contract_min") == set(short["trajectory_id"]) & _active(world)


def test_revolving_door_only_after_a_regular_contract(world: Demo) -> None:
    """“Traject Work-2-Gether”: 'draaideurklanten' drop out “na de eerste periode van hun
    reguliere baan”: every revolving-door signal follows a regular contract."""
    fired = _fired(world, "revolving_door")
    pl = _placements(world)
    assert fired and fired <= set(pl.loc[pl["kind"] == "regular", "trajectory_id"])


def test_hand_offs_are_changes_of_the_guide(world: Demo) -> None:
    """“Arbeidstoeleiding: aanpak en begeleiding”: “De begeleider mag niet te vaak wisselen”.
    A hand-off is a coach change (or a route handed on); referrals the coach keeps following
    do not count: the signal fires exactly above the norm (3, a default of the organisation)."""
    f = world.frames
    t = f["trajectories"].set_index("id")
    changes = (f["coach_assignments"].groupby("trajectory_id").size() - 1).clip(lower=0)
    assert not t["client_id"].duplicated().any()  # one route a client: no route handed on
    active = set(t.index[t["closed_on"].isna()])
    expected = set(changes.index[changes > 3]) & active
    hits = world.found[world.found["rule"] == "hand_offs"]
    assert set(hits["trajectory_id"]) == expected and expected
    referred = f["referrals"].merge(f["barriers"][["id", "trajectory_id"]],
                                    left_on="barrier_id", right_on="id")
    many = set(referred.groupby("trajectory_id").size().loc[lambda s: s >= 4].index) & active
    assert many - expected  # many referrals, yet no hand-off signal
