"""Privacy: elfproef, pseudonymised frames, roles (what each frame holds), BSN if configured."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from conftest import CLIENT, DEMO_AS_OF, add_staff, make_store, register_case
from trajecttools.core import identifiers, privacy
from trajecttools.core.errors import InvalidRecord
from trajecttools.core.model import ENTITIES
from trajecttools.register import bsn
from trajecttools.register.access import AccessDenied
from trajecttools.workspace import Workspace

# -- elfproef ------------------------------------------------------------------------------


@pytest.mark.parametrize("bsn", ["111222333", "123456782", "999999990", "100000009"])
def test_valid_bsns_pass_the_elfproef(bsn: str) -> None:
    assert identifiers.elfproef(bsn)
    assert identifiers.validate_bsn(bsn) == bsn


@pytest.mark.parametrize(
    ("bsn", "message"),
    [
        ("123456789", "BSN: voldoet niet aan de elfproef"),
        ("111222334", "BSN: voldoet niet aan de elfproef"),
        ("000000000", "BSN: voldoet niet aan de elfproef"),
        ("12345", "BSN: moet uit 9 cijfers bestaan"),
        ("abcdefghi", "BSN: moet uit 9 cijfers bestaan"),
        ("1112223330", "BSN: moet uit 9 cijfers bestaan"),
    ],
)
def test_invalid_bsns_fail_with_a_dutch_message_naming_the_field(bsn: str, message: str) -> None:
    assert not identifiers.elfproef(bsn)
    with pytest.raises(InvalidRecord) as err:
        identifiers.validate_bsn(bsn, row=4)
    assert str(err.value) == f"Klant, rij 4: {message}"
    assert err.value.fields == ["bsn"]


def test_elfproef_matches_a_hand_computed_sum() -> None:
    # 1*9 + 1*8 + 1*7 + 2*6 + 2*5 + 2*4 + 3*3 + 3*2 - 3*1 = 66 = 6 * 11
    assert identifiers.elfproef("111222333")
    assert not identifiers.elfproef("111222332")  # sum 67
    assert identifiers.validate_bsn("1112.22.333") == "111222333"  # dots and spaces as typed
    assert identifiers.validate_bsn("  ") is None


def test_record_validation_names_the_bsn_field(sqlite_store: Workspace) -> None:
    with pytest.raises(InvalidRecord) as err:
        sqlite_store.add("clients", {**CLIENT, "bsn": "123456789"})
    assert "BSN: voldoet niet aan de elfproef" in str(err.value)
    assert sqlite_store.count("clients") == 0


# -- BSN only where configured ---------------------------------------------------------------


@pytest.fixture
def no_bsn_store(tmp_path: Path) -> Iterator[Workspace]:
    with make_store("sqlite", tmp_path, bsn=False) as store:
        yield store


def test_bsn_is_refused_when_the_organisation_has_not_enabled_it(no_bsn_store: Workspace) -> None:
    store = no_bsn_store
    assert not bsn.bsn_enabled(store)
    before = (store.count("clients"), store.count("audit_log"))
    with pytest.raises(InvalidRecord) as err:
        store.add("clients", {**CLIENT, "bsn": "111222333"})
    assert "BSN: wordt in dit register niet opgeslagen" in str(err.value)
    assert (store.count("clients"), store.count("audit_log")) == before  # nothing half-written
    cid = store.add("clients", CLIENT)  # without a BSN the client is fine
    with pytest.raises(InvalidRecord, match="niet opgeslagen"):
        store.update("clients", cid, {"bsn": "111222333"}, expected_version=1)
    assert store.get("clients", cid)["bsn"] is None
    # the exporter/importer check gives the same answer, with the row number
    with pytest.raises(InvalidRecord, match=r"Klant, rij 7: BSN: wordt"):
        bsn.refuse_unconfigured_bsn(store, "clients", {"bsn": "111222333"}, row=7)
    bsn.refuse_unconfigured_bsn(store, "clients", {"bsn": ""}, row=7)  # empty is fine


def test_bsn_is_stored_once_enabled(no_bsn_store: Workspace) -> None:
    store = no_bsn_store
    bsn.enable_bsn(store, actor="privacy.officer")
    assert bsn.bsn_enabled(store)
    cid = store.add("clients", {**CLIENT, "bsn": "111 222 333"})
    assert store.get("clients", cid)["bsn"] == "111222333"
    audit = store.audit()
    setting = audit[audit["entity"] == "register_info"].iloc[-1]
    assert (setting["actor"], setting["field"], setting["new"]) == (
        "privacy.officer",
        "bsn_enabled",
        "true",
    )


def test_columns_to_drop_for_exports() -> None:
    assert {"given_name", "family_name", "bsn", "wishes"} <= privacy.columns_to_drop("clients")
    assert privacy.columns_to_drop("clients", full=True) == set()
    assert "notes" in privacy.columns_to_drop("contacts")
    assert privacy.columns_to_drop("placements") == set()
    assert "initials" in privacy.columns_to_drop("cases")
    assert "initials" not in privacy.columns_to_drop("cases", keep_initials=True)


# -- roles on a demo register ------------------------------------------------------------


@pytest.fixture
def register(demo_db: Path, tmp_path: Path) -> Path:
    """A private copy of the session's demo register (opening cases writes audit rows)."""
    copy = tmp_path / "rollen.db"
    shutil.copy(demo_db, copy)
    return copy


def _open(path: Path, **kw: object) -> Workspace:
    return Workspace(path, migrate=False, today=DEMO_AS_OF, **kw)  # type: ignore[arg-type]


IDENTITY = {"given_name", "family_name", "bsn", "birth_date", "wishes", "external_id"}


def test_default_role_is_analyst_and_pseudonymises_every_frame(register: Path) -> None:
    with _open(register, role="beheer") as full:
        clients = full.frame("clients")
        all_frames = {name: full.frame(name) for name in ENTITIES}
        cases_full = full.cases()
    with _open(register, actor="ana") as store:
        assert store.role == "analyst"
        pseudo = store.frame("clients")
        assert not IDENTITY & set(pseudo.columns)
        assert len(pseudo) == len(clients)  # every row, no identities
        assert pseudo["pseudonym"].tolist() == clients["pseudonym"].tolist()
        assert pseudo["birth_year"].tolist() == clients["birth_date"].dt.year.astype(
            "Int64"
        ).tolist()
        assert pseudo["postcode"].dropna().str.fullmatch(r"\d{4}").all()
        names = set(clients["given_name"]) | set(clients["family_name"])
        bsns = set(clients["bsn"].dropna())
        for name in ENTITIES:
            df = store.frame(name)
            assert list(df["id"]) == list(all_frames[name]["id"]), name  # ids kept, rows kept
            assert not (privacy.personal_columns(name) - {"postcode"}) & set(df.columns), name
            text = " ".join(map(str, df.to_numpy().ravel()))
            assert not any(b in text for b in bsns), name
        for name in ("contacts", "barriers", "end_reports", "agreements"):
            assert not any(c.endswith(("notes", "note")) for c in store.frame(name).columns)
        cases = store.cases()
        assert len(cases) == len(cases_full)
        assert not {"initials", "coach"} & set(cases.columns)
        assert {"pseudonym", "trajectory_id", "coach_code", "outcome"} <= set(cases.columns)
        flat = " ".join(map(str, store.frame("clients").to_numpy().ravel()))
        assert not any(f" {n} " in f" {flat} " for n in names if len(n) > 3)


def _staff(path: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    with _open(path, role="beheer") as store:
        return store.frame("coaches"), store.frame("teams"), store.frame("trajectories")


def test_coach_sees_only_own_cases_in_full(register: Path) -> None:
    coaches, _, trajectories = _staff(register)
    code = str(coaches["code"].iloc[0])
    coach_id = int(coaches["id"].iloc[0])
    mine = trajectories[trajectories["coach_id"] == coach_id]
    assert 0 < len(mine) < len(trajectories)
    with _open(register, role="coach", actor=code) as store:
        assert store.role == "coach"
        traj = store.frame("trajectories")
        assert sorted(traj["id"]) == sorted(mine["id"])
        clients = store.frame("clients")
        assert sorted(clients["id"]) == sorted(set(mine["client_id"]))
        assert {"given_name", "family_name", "birth_date", "bsn"} <= set(clients.columns)
        assert clients["given_name"].notna().all()
        contacts = store.frame("contacts")
        assert set(contacts["trajectory_id"]) <= set(mine["id"])
        assert "notes" in contacts.columns
        cases = store.cases()
        assert sorted(cases["trajectory_id"]) == sorted(mine["id"])
        assert set(cases["coach_id"].dropna()) == {coach_id}
        other = int(trajectories.loc[trajectories["coach_id"] != coach_id, "id"].iloc[0])
        with pytest.raises(AccessDenied, match="hoort niet bij uw caseload"):
            store.open_case(other)
    with pytest.raises(AccessDenied, match="geen jobcoach met code 'NIEMAND'"):
        _open(register, role="coach", actor="NIEMAND")


def test_team_lead_sees_team_pseudonymised_and_details_only_when_opened(register: Path) -> None:
    coaches, teams, trajectories = _staff(register)
    team = teams.iloc[0]
    team_coaches = set(coaches.loc[coaches["team_id"] == team["id"], "id"])
    ours = trajectories[trajectories["coach_id"].isin(team_coaches)]
    assert 0 < len(ours) < len(trajectories)
    with _open(register, role="team_lead", team=str(team["name"]), actor="lead") as store:
        cases = store.cases()
        assert sorted(cases["trajectory_id"]) == sorted(ours["id"])
        assert cases["initials"].str.fullmatch(r"([A-Z]\.){1,2}").all()  # code + initials
        clients = store.frame("clients")
        assert sorted(clients["id"]) == sorted(set(ours["client_id"]))
        assert not IDENTITY & set(clients.columns)
        assert {"pseudonym", "initials", "birth_year"} <= set(clients.columns)
        assert "notes" not in store.frame("contacts").columns
        before = store.count("audit_log")
        tid = int(ours["id"].iloc[0])
        case = store.open_case(tid)
        assert case["trajectories"]["id"].tolist() == [tid]
        assert {"given_name", "family_name", "bsn"} <= set(case["clients"].columns)
        assert case["clients"]["id"].tolist() == [int(ours["client_id"].iloc[0])]
        assert "notes" in case["contacts"].columns
        assert set(case["contacts"]["trajectory_id"]) <= {tid}
    with _open(register, role="beheer") as full:
        audit = full.audit().iloc[before:]
    assert audit[["actor", "action", "entity", "entity_id"]].astype(str).values.tolist() == [
        ["lead", "open_case", "trajectories", str(tid)]
    ]
    other = int(trajectories.loc[~trajectories["coach_id"].isin(team_coaches), "id"].iloc[0])
    with (
        _open(register, role="team_lead", team=str(team["name"])) as store,
        pytest.raises(AccessDenied, match="hoort niet bij uw team"),
    ):
        store.open_case(other)


def test_analyst_cannot_open_a_case(register: Path) -> None:
    with _open(register, role="analyst") as store, pytest.raises(AccessDenied):
        store.open_case(1)


def test_trainer_only_on_synthetic_registers(register: Path, sqlite_store: Workspace) -> None:
    with _open(register, role="trainer") as store:
        assert "given_name" in store.frame("clients").columns  # fictional people in full
    with pytest.raises(AccessDenied, match="alleen een synthetisch register"):
        Workspace(sqlite_store.url, role="trainer")


def test_role_from_user_mapping_and_environment(
    register: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from trajecttools.register.access import set_user_role

    coaches, _, _ = _staff(register)
    code = str(coaches["code"].iloc[1])
    with _open(register, role="beheer") as admin:
        set_user_role(admin, "piet", f"coach:{code}")
    with _open(register, actor="piet") as store:
        assert store.role == "coach"
        assert set(store.cases()["coach_code"].astype(str)) == {code}
    monkeypatch.setenv("TRAJECTTOOLS_ROLE", "trainer")
    with _open(register, actor="someone") as store:
        assert store.role == "trainer"
    monkeypatch.setenv("TRAJECTTOOLS_ROLE", "baas")
    with pytest.raises(AccessDenied, match="onbekende rol 'baas'"):
        _open(register, actor="someone")


def test_pseudonymise_frame_on_a_small_register(sqlite_store: Workspace) -> None:
    staff = add_staff(sqlite_store)
    register_case(sqlite_store, staff, client={**CLIENT, "bsn": "111222333", "wishes": "Geheim"})
    df = privacy.pseudonymise_frame("clients", sqlite_store.frame("clients"))
    row = df.iloc[0]
    assert (row["birth_year"], row["postcode"]) == (2001, "3011")
    assert not {"given_name", "family_name", "bsn", "wishes", "birth_date"} & set(df.columns)
    cases = privacy.pseudonymise_frame("cases", sqlite_store.cases())
    assert "initials" not in cases.columns and "coach" not in cases.columns
    kept = privacy.pseudonymise_frame("cases", sqlite_store.cases(), keep_initials=True)
    assert kept["initials"].tolist() == ["A.P."]


# -- serving -------------------------------------------------------------------------------


@pytest.mark.parametrize("ip", ["0.0.0.0", "10.1.2.3"])
def test_serve_command_refuses_a_public_address_without_token(
    ip: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from trajecttools.cli import main

    code = main(["serve", "--db", str(tmp_path / "r.db"), "--ip", ip,
                 "--dir", str(Path(__file__).resolve().parents[1] / "dashboards")])
    assert code == 2
    err = capsys.readouterr().err
    assert "Weigering" in err and "--token" in err
