"""What counts as work, as a step and as sustainable work: the ``[outcomes]`` section of the
method files, and the measures that read it (work and steps apart, the revolving door beside
the rights opened after art. 60, the time to work from leaving school).

Sources: “Traject Work-2-Gether” (the aim is “een arbeidsovereenkomst bij een reguliere
werkgever zonder loonkostensubsidie”; opstapbaan, inleenvergoeding and loonkostensubsidie “op
proef” lead to it) and “Trajectbegeleiding in vijf fasen (OCMW, art. 60§7)” (in art. 60§7 the
OCMW is the employer; the aim is to be ready for the regular labour market by its end). The
horizons 6/12/18 months (the CBS cohort study of exits from social assistance to work), the
12-month revolving-door window and “rights opened” after art. 60 are defaults of the
organisation, marked so in the method files.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from trajecttools.core.errors import MethodError
from trajecttools.core.method import builtin_methods, load_method, method_to_toml, parse_method
from trajecttools.core.outcome_rules import Outcomes
from trajecttools.core.validation import ClientRecord
from trajecttools.core.vocab import PLACEMENT_TYPES
from trajecttools.outputs.importer.run import import_file
from trajecttools.reads import outcomes
from trajecttools.workspace import Workspace

NaT = pd.NaT
d = pd.Timestamp


# -- the method files --------------------------------------------------------------------------
def test_shipped_methods_count_only_a_contract_without_subsidy_as_work() -> None:
    for code, method in builtin_methods().items():
        rules = method.outcomes
        assert rules.work == ("regular",), code
        assert set(rules.work) | set(rules.steps) == set(PLACEMENT_TYPES)
        assert rules.steps["social_employment"] == "in art. 60"
        assert {rules.steps[k] for k in ("stepping_stone", "trial", "secondment",
                                         "wage_subsidy")} == {"in een opstap"}
        assert rules.retention_months == (6, 12, 18)
        assert rules.revolving_door_months == 12 and rules.rights_after == ("social_employment",)
        # every number not in the source text is marked as the organisation's default
        assert set(rules.defaults) == {"retention_months", "revolving_door_months",
                                       "rights_after"}
    assert "Traject Work-2-Gether" in builtin_methods()["opstapbaan"].outcomes.source
    assert "Trajectbegeleiding in vijf fasen" in builtin_methods()["art60"].outcomes.source


def test_outcomes_section_survives_storing_a_resolved_method() -> None:
    art = load_method("art60")
    again = parse_method(tomllib.loads(method_to_toml(art)), "opgeslagen")
    assert again.outcomes == art.outcomes


def _broken(tmp_path: Path, text: str) -> MethodError:
    path = tmp_path / "eigen_methode.toml"
    path.write_text('extends = "opstapbaan"\n' + text, encoding="utf-8")
    with pytest.raises(MethodError) as err:
        load_method(path)
    assert "eigen_methode.toml" in str(err.value)
    return err.value


@pytest.mark.parametrize(
    ("section", "key", "message"),
    [
        ('[outcomes]\nwork = ["baan"]\n', "outcomes.work", "onbekend plaatsingstype 'baan'"),
        ('[outcomes]\nwork = ["regular", "trial"]\n', "outcomes.steps.trial",
         "werk óf een opstap"),
        ("[outcomes]\nwork = []\n", "outcomes.work", "minstens één"),
        ("[outcomes]\nretention_months = [12, 6]\n", "outcomes.retention_months", "oplopend"),
        ("[outcomes]\nretention_months = [0, 6]\n", "outcomes.retention_months",
         "minstens 1 maand"),
        ('[outcomes]\nretention_months = ["6"]\n', "outcomes.retention_months[0]",
         "moet een geheel getal zijn"),
        ("[outcomes]\nrevolving_door_months = 0\n", "outcomes.revolving_door_months",
         "moet minstens 1 zijn"),
        ('[outcomes]\nrights_after = ["regular"]\n', "outcomes.rights_after",
         "'regular' is geen opstap"),
        ('[outcomes]\ndefaults = ["horizons"]\n', "outcomes.defaults",
         "'horizons' is geen sleutel"),
        ('[outcomes.steps]\ntrial = " "\n', "outcomes.steps.trial", "mag niet leeg zijn"),
        ('[outcomes.steps]\nstage = "op stage"\n', "outcomes.steps.stage",
         "onbekend plaatsingstype 'stage'"),
        ("[outcomes]\nduurzaam = 6\n", "outcomes.duurzaam", "is geen bekende sleutel"),
    ],
)
def test_broken_outcomes_section_names_the_key(tmp_path: Path, section: str, key: str,
                                               message: str) -> None:
    err = _broken(tmp_path, section)
    assert err.key == key
    assert message in err.message


def test_a_missing_placement_kind_is_named(tmp_path: Path) -> None:
    text = """
[method]
code = "mini"
name = "Mini"
initial_phase = "a"

[[phases]]
code = "a"
label = "A"
stage = "intake"

[[phases]]
code = "z"
label = "Z"
stage = "closed"

[transitions]
a = ["z"]
z = []

[outcomes]
work = ["regular"]

[outcomes.steps]
trial = "op proef"
"""
    path = tmp_path / "mini.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MethodError) as err:
        load_method(path)
    assert err.value.key == "outcomes.steps"
    assert "stepping_stone" in err.value.message and "social_employment" in err.value.message


# -- the measures ------------------------------------------------------------------------------
def _register(placements: pd.DataFrame, benefits: pd.DataFrame, *, as_of: str,
              rules: dict[str, Outcomes] | None = None,
              left_school: list[object] | None = None) -> outcomes.Register:
    """Four trajectories registered on 01-01-2024 (T1, T2 opstapbaan; T3, T4 art. 60)."""
    cases = pd.DataFrame({
        "trajectory_id": [1, 2, 3, 4], "client_id": [1, 2, 3, 4],
        "registered_at": [d("2024-01-01 09:00")] * 4,
        "closed_on": [NaT] * 4, "outcome": [None] * 4,
        "method": ["opstapbaan", "opstapbaan", "art60", "art60"],
        "target_group": ["young_people", "young_people", "over_45", "over_45"],
    })
    if left_school is not None:
        cases["left_school_on"] = left_school
    return outcomes.from_frames(cases, placements, benefits, as_of=as_of, rules=rules)


def _placements() -> pd.DataFrame:
    return pd.DataFrame({
        "id": [1, 2, 3, 4, 5, 6],
        "trajectory_id": [1, 1, 2, 3, 4, 4],
        "kind": ["wage_subsidy", "regular", "regular", "social_employment",
                 "social_employment", "regular"],
        "start_on": [d("2024-02-01"), d("2024-04-01"), d("2024-03-01"), d("2024-02-01"),
                     d("2024-02-01"), d("2025-03-01")],
        "end_on": [d("2024-03-31"), NaT, d("2024-08-31"), d("2025-01-31"), d("2025-01-31"), NaT],
    })


def _benefits() -> pd.DataFrame:
    # T2 back on benefit after its job (revolving door); T3 a benefit after its art. 60 contract
    # (rights opened); T4 a benefit after art. 60, then regular work (rights opened)
    return pd.DataFrame({
        "client_id": [2, 3, 4],
        "kind": ["social_assistance", "unemployment", "unemployment"],
        "start_on": [d("2024-09-15"), d("2025-02-01"), d("2025-02-10")],
        "end_on": [NaT, NaT, d("2025-02-28")],
    })


def test_revolving_door_leaves_out_the_rights_opened_after_art60() -> None:
    reg = _register(_placements(), _benefits(), as_of="31-12-2025")
    door = outcomes.revolving_door(reg, min_n=None).iloc[0]
    # work: T1 (regular 01-04-2024), T2 (regular 01-03-2024) have passed 12 months; T4's
    # regular work (01-03-2025) has not. T2 came back on benefit: the revolving door.
    assert (door["placed"], door["returned"]) == (2, 1)
    # art. 60 contracts ended 31-01-2025; 12 months have not passed by 31-12-2025
    assert door["rights_ended"] == 0
    later = outcomes.revolving_door(reg, as_of="28-02-2026", min_n=None).iloc[0]
    assert (later["placed"], later["returned"]) == (2, 1)
    assert (later["rights_ended"], later["rights_opened"]) == (2, 2)
    assert later["rights_opened_pct"] == 100
    by = outcomes.revolving_door(reg, "method", as_of="28-02-2026", min_n=None)
    art = by[by["method"] == "art60"].iloc[0]
    assert (art["placed"], art["returned"], art["rights_opened"]) == (0, 0, 2)


def test_a_benefit_after_art60_counts_as_door_when_the_method_says_so() -> None:
    rules = {code: m.outcomes for code, m in builtin_methods().items()}
    rules["art60"] = rules["art60"].model_copy(update={"rights_after": ()})
    reg = _register(_placements(), _benefits(), as_of="28-02-2026", rules=rules)
    door = outcomes.revolving_door(reg, min_n=None).iloc[0]
    assert door["rights_ended"] == 0 and door["rights_opened"] == 0
    assert (door["placed"], door["returned"]) == (2, 1)  # T3/T4 have no work before it


def test_work_is_what_the_method_counts_and_steps_stand_apart() -> None:
    reg = _register(_placements(), _benefits(), as_of="31-12-2024")
    f = outcomes.facts(reg).set_index("trajectory_id")
    # T1's wage subsidy is a step: work starts with the contract on 01-04-2024 (day 91)
    assert f.loc[1, "first_job_on"] == d("2024-04-01") and f.loc[1, "days"] == 91
    assert f.loc[1, "first_step"] == "in een opstap"
    assert f.loc[3, "first_step"] == "in art. 60" and not f.loc[3, "placed"]
    status = outcomes.work_status(reg, min_n=None).set_index("status")
    # on 31-12-2024: T1 at work; T2's job ended 31-08; T3 and T4 in art. 60
    assert status.loc["aan het werk", "now"] == 1
    assert status.loc["in art. 60", "now"] == 2
    assert status.loc["in een opstap", "now"] == 0
    assert status.loc["geen werk of opstap", "now"] == 1
    assert status.loc["aan het werk", "reached"] == 2  # T1 and T2
    assert status.loc["in art. 60", "reached"] == 2
    assert (status["now"].sum(), status["reached"].sum()) == (4, 4)
    # an organisation that counts the wage subsidy as work moves T1's start forward
    rules = {code: m.outcomes for code, m in builtin_methods().items()}
    steps = {k: v for k, v in rules["opstapbaan"].steps.items() if k != "wage_subsidy"}
    rules["opstapbaan"] = rules["opstapbaan"].model_copy(
        update={"work": ("regular", "wage_subsidy"), "steps": steps})
    own = _register(_placements(), _benefits(), as_of="31-12-2024", rules=rules)
    assert outcomes.facts(own).set_index("trajectory_id").loc[1, "days"] == 31


def test_retention_at_six_twelve_and_eighteen_months_counts_passed_horizons_only() -> None:
    reg = _register(_placements(), _benefits(), as_of="15-10-2025")
    assert reg.horizons == (6, 12, 18)
    ret = outcomes.retention(reg, min_n=None).set_index("months")
    assert list(ret.index) == [6, 12, 18]
    # work started 01-03-2024 (T2) and 01-04-2024 (T1): 18 months passed on 01-09-2025 and
    # 01-10-2025; T4's work (01-03-2025) reached 6 months on 01-09-2025
    assert ret["eligible"].tolist() == [3, 2, 2]
    assert ret.loc[6, "sustained"] == 2  # T2's job ended 31-08-2024 (and a benefit)
    assert ret.loc[18, "sustained"] == 1 and ret.loc[18, "at_work"] == 1
    summary = outcomes.summary(reg, min_n=None).iloc[0]
    assert (summary["eligible_18m"], summary["sustained_18m"]) == (2, 1)


def test_time_to_work_from_leaving_school() -> None:
    reg = _register(_placements(), _benefits(), as_of="31-12-2024",
                    left_school=[d("2023-07-01"), None, d("2023-12-31"), d("2024-06-01")])
    f = outcomes.time_to_first_job(reg, min_n=None, start="school").iloc[0]
    # T1: 184 days from school to registration + 91 to work; T2 unknown; T3 one day before
    # registration, no work (censored at 1 + 365); T4 left school after registering: left out
    assert (f["n"], f["events"]) == (2, 1)
    curve = outcomes.km_curve(reg, min_n=None, start="school")
    assert curve["days"].tolist() == [0, 275, 366]
    ci = outcomes.cumulative_incidence(reg, min_n=None, start="school")
    assert ci["work_pct"].tolist() == [0, 50, 50]
    with pytest.raises(ValueError, match="start moet een van"):
        outcomes.time_to_first_job(reg, start="diploma")


# -- the school-leaving date in the register ---------------------------------------------------
def test_school_leaving_date_is_validated_in_dutch() -> None:
    ok = ClientRecord.model_validate({"given_name": "Zoë", "family_name": "Test",
                                      "target_group": "young_people",
                                      "left_school_on": "01-07-2025"})
    assert ok.left_school_on == dt.date(2025, 7, 1)
    with pytest.raises(ValidationError, match="mag niet in de toekomst liggen"):
        ClientRecord.model_validate(
            {"given_name": "Zoë", "family_name": "Test", "target_group": "young_people",
             "left_school_on": (dt.date.today() + dt.timedelta(days=30)).strftime("%d-%m-%Y")},
            context={"today": dt.date.today()})


def test_school_leaving_date_is_imported_and_measured(sqlite_store: Workspace,
                                                      tmp_path: Path) -> None:
    buf = io.StringIO(newline="")
    csv.writer(buf, delimiter=";", lineterminator="\r\n").writerows([
        ["Extern nummer", "Voornaam", "Achternaam", "Doelgroep", "Van school gegaan op"],
        ["S1", "Zoë", "Test", "young_people", "01-07-2025"],
        ["S2", "Bram", "Test", "young_people", ""],
        ["S3", "Cas", "Test", "young_people", "31-02-2025"],
    ])
    path = tmp_path / "klanten.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    result = import_file(sqlite_store, path, kind="clients")
    # valid rows saved, the impossible date rejected with its field and row named
    assert (result.new, result.rejected) == (2, 1)
    reject = str(result.rejects[0])
    assert "Van school gegaan op" in reject and "4" in reject, reject
    clients = sqlite_store.frame("clients").set_index("external_id")
    assert clients.loc["S1", "left_school_on"] == pd.Timestamp("2025-07-01")
    assert pd.isna(clients.loc["S2", "left_school_on"])


def test_demo_fills_the_school_leaving_date_for_young_people(demo_db: Path) -> None:
    with Workspace(demo_db, migrate=False) as store:
        clients = store.frame("clients")
        reg = outcomes.load(store)
    young = clients["target_group"] == "young_people"
    known = clients["left_school_on"].notna()
    assert known[young].mean() > 0.7 and not known[~young].any()
    registered = reg.trajectories.set_index("client_id")["registered_at"]
    left = clients.set_index("id")["left_school_on"].dropna()
    assert (left <= registered.reindex(left.index).dt.normalize()).all()
    from_school = outcomes.time_to_first_job(reg, min_n=None, start="school").iloc[0]
    from_registration = outcomes.time_to_first_job(reg, "target_group", min_n=None)
    assert 0 < from_school["n"] <= known.sum()
    assert np.isfinite(from_school["naive_mean_days"])
    young_row = from_registration[from_registration["target_group"] == "young_people"].iloc[0]
    assert from_school["naive_mean_days"] > young_row["naive_mean_days"]
