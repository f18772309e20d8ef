"""The walkthrough does what its Dutch prose says, and the analysts' questions add up."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from trajecttools.core.dates import parse_date
from trajecttools.core.errors import TrajecttoolsError
from trajecttools.core.method import load_method
from trajecttools.outputs import explore
from trajecttools.training import Step, Walkthrough
from trajecttools.training.walkthrough import ART60_CHECKS
from trajecttools.workspace import Workspace


def _rules(step: Step) -> set[str]:
    assert step.table is not None
    return set(step.table["Regel van de methode"])


@pytest.fixture(scope="module")
def route(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Step]:
    """The opstapbaan route, every step in the notebook's order, on a register file."""
    r = Walkthrough("opstapbaan", path=tmp_path_factory.mktemp("training") / "route.db")
    steps = {"register": r.register(), "s0109": r.signals("09-01-2025"),
             "coach": r.assign_coach(), "intake": r.intake(), "agree": r.agree(),
             "s1002": r.signals("10-02-2025"), "review": r.review(),
             "s1202": r.signals("12-02-2025"), "stone": r.stepping_stone(),
             "s0104": r.signals("01-04-2025"), "s2605": r.signals("26-05-2025"),
             "match": r.match(), "place": r.place(), "aftercare": r.aftercare(),
             "s1012": r.signals("10-12-2025"), "end": r.end_report(), "overview": r.overview(),
             "s0701": r.signals("07-01-2025")}  # back in time: before the first deadline
    steps["_store"] = r.store  # type: ignore[assignment]  # the register, for the checks
    return steps


def test_signals_fire_as_deadlines_pass(route: dict[str, Step]) -> None:
    coach_rule = "Jobcoach toegewezen binnen 48 uur na aanmelding"
    assert _rules(route["s0109"]) == {coach_rule}
    assert _rules(route["s1002"]) == {"Afspraken op tijd nagekomen"}
    assert "4 afspraken" in route["s1002"].table["Signaal"].iloc[0]  # type: ignore[index]
    assert _rules(route["s1202"]) == {"Afspraken herhaaldelijk niet nagekomen"}
    # a day after the last weekly review it is not late; two months later it is, and more
    weekly = "Wekelijkse evaluatie tijdens de opstapbaan"
    social_work_company = "Niet langer dan 3 maanden opstapbaan bij het sociaal werkbedrijf"
    assert not {weekly, social_work_company} & _rules(route["s0104"])
    assert {weekly, social_work_company, "Doorverwijzing blijft opgevolgd"} <= _rules(
        route["s2605"])
    assert "Nazorgcontact met werknemer en werkgever minstens elke 2 weken" in _rules(
        route["s1012"])
    assert route["s0701"].table is not None and route["s0701"].table.empty
    assert "Geen signalen" in route["s0701"]._repr_html_()


def test_the_route_ends_closed_with_work_and_reports(route: dict[str, Step]) -> None:
    store: Workspace = route["_store"]  # type: ignore[assignment]
    trajectory = store.frame("trajectories").iloc[0]
    assert trajectory["phase"] == "closed"
    assert trajectory["outcome"] == "work"
    phases = list(store.frame("phase_events").sort_values("started_on")["phase"])
    assert phases == ["registration", "intake", "stepping_stone", "placement", "aftercare",
                      "closed"]
    assert "Intakerapportage" in (route["intake"].report_html or "")
    assert "Beëindigingsrapportage" in (route["end"].report_html or "")
    assert route["end"].chart_svg and "<svg" in route["end"].chart_svg
    assert store.verify_audit() == []


def test_match_explains_and_excludes(route: dict[str, Step]) -> None:
    table = route["match"].table
    assert table is not None
    assert table.iloc[0]["Vacature"] == "Medewerker fietsenstalling"
    excluded = table[table["Harde eisen"] == "nee"]
    assert list(excluded["Vacature"]) == ["Chauffeur-magazijnmedewerker"]
    assert "rijbewijs" in excluded["Uitleg"].iloc[0]
    store: Workspace = route["_store"]  # type: ignore[assignment]
    decisions = store.frame("match_decisions")
    assert list(decisions["status"]) == ["hired"]


def test_step_html_is_escaped_and_dates_are_dutch(route: dict[str, Step]) -> None:
    html = route["review"]._repr_html_()
    assert "Datum: 11-02-2025" in html
    assert "Formulier te ingewikkeld; samen invullen." in html
    assert "<script" not in html
    step = Step("<b>x</b>", "a < b")
    assert "&lt;b&gt;x&lt;/b&gt;" in step._repr_html_()


def test_art60_route_and_wrong_use(tmp_path: Path) -> None:
    r = Walkthrough("art60", path=tmp_path / "art60.db")
    assert len(r.explore().table) == 3  # type: ignore[arg-type]
    early = r.signals("14-04-2023")
    assert "Doorverwijzing blijft opgevolgd" in _rules(early)
    r.map_qualities()
    r.employ()
    r.next_job()  # goes through the job search of phase 5 on its own
    assert r.store.get("trajectories", r.trajectory_id)["phase"] == "closed"
    kinds = r.store.frame("placements").sort_values("start_on")["kind"]
    assert list(kinds) == ["social_employment", "regular"]
    with pytest.raises(TrajecttoolsError, match="opstapbaan"):
        r.register()
    with pytest.raises(TrajecttoolsError, match="Onbekende methode"):
        Walkthrough("eigen", path=tmp_path / "x.db")
    with pytest.raises(TrajecttoolsError, match="dd-mm-jjjj"):
        r.signals("31-02-2025")


def test_art60_route_passes_its_five_phases_without_false_signals(tmp_path: Path) -> None:
    """“Trajectbegeleiding in vijf fasen (OCMW, art. 60§7)”: verkenning, kwaliteiten en tekorten
    in kaart, tewerkstelling, begeleiding tijdens de tewerkstelling, and at the end of art. 60
    “wordt er […] samen met betrokkene gezocht naar een nieuwe tewerkstelling”. A route kept as
    the method asks gives no signal in any phase after the first (where the two signals are
    right: no contact, referrals not followed up); in phase 5 (job search, no employer yet) in
    particular no aftercare signal."""
    r = Walkthrough("art60", path=tmp_path / "art60.db")
    r.explore()
    r.map_qualities()
    r.employ()
    search = r.job_search()
    assert search.table is not None and list(search.table["Status"]) == ["Nagekomen"]
    last = r.next_job()
    events = r.store.frame("phase_events").sort_values("started_on")
    assert list(dict.fromkeys(events["phase"])) == [
        "exploration", "mapping", "employment", "guidance", "end_art60", "closed"]
    for day, phase in ART60_CHECKS:  # each peildatum lies in the phase it says
        on = pd.Timestamp(parse_date(day))
        assert events.loc[events["started_on"] <= on, "phase"].iloc[-1] == phase, day
    assert last.table is not None
    seen = dict(zip(last.table["Peildatum"], last.table["Signalen"], strict=True))
    assert set(seen["14-04-2023"].split("; ")) == {
        "Doorverwijzing blijft opgevolgd",
        "Geen lange periode zonder contact (ook niet in de zomervakantie)"}
    later = {day: text for day, text in seen.items() if day not in ("14-04-2023", "25-06-2025")}
    assert later == {day: "geen" for day in later}
    assert load_method("art60").phase("end_art60").stage != "aftercare"  # a job search
    assert seen["25-06-2025"] == "geen"


def test_explore_questions_add_up(demo_db: Path) -> None:
    with Workspace(demo_db, role="analyst") as store:
        cases = explore.cases(store, "02-11-2026")
    active = int(cases["active"].sum())
    assert int(explore.caseload_by_phase(cases)["Trajecten"].sum()) == active
    ends = explore.outcomes_by_method(cases)
    assert int(ends["Trajecten"].sum()) == int(cases["outcome"].notna().sum())
    assert ends.groupby("Methode")["Aandeel"].sum().round(2).eq(1.0).all()
    work = explore.time_to_work(cases, "target_group")
    assert (work["Met baan"] <= work["Trajecten"]).all()
    assert work["Trajecten"].sum() <= len(cases)
    barriers = explore.barriers_by_domain(cases)
    assert int(barriers["Open belemmeringen"].sum()) == int(
        cases.loc[cases["active"], "open_barriers"].sum())
    coaches = explore.coach_caseload(cases)
    assert int(coaches["Lopend"].sum()) == active
    assert "given_name" not in cases.columns
    for figure in (explore.caseload_chart(explore.caseload_by_phase(cases)),
                   explore.time_to_work_chart(work), explore.outcomes_chart(ends),
                   explore.barriers_chart(barriers), explore.coach_caseload_chart(coaches)):
        assert "<svg" in figure._repr_html_()
    with pytest.raises(ValueError, match="dd-mm-jjjj"):
        explore.cases(store, "31-02-2026")
    with pytest.raises(ValueError, match="uitsplitsing"):
        explore.time_to_work(cases, "postcode")
    assert explore.as_of_text(cases) == "02-11-2026"
