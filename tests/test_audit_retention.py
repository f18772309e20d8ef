"""`trajecttools audit` (list, filter, export, verify) and `trajecttools purge` (retention)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import text

from conftest import CLIENT, DEMO_AS_OF, add_staff, register_case
from trajecttools.cli import main
from trajecttools.core.errors import TrajecttoolsError
from trajecttools.register import retention
from trajecttools.register.access import AccessDenied
from trajecttools.workspace import Workspace


def _register_with_history(store: Workspace) -> int:
    staff = add_staff(store)
    tid = register_case(store, staff, client={**CLIENT, "bsn": "111222333"})
    with store.transaction(actor="jet.coach") as tx:
        tx.record_access("trajectories", tid)
    store.update("clients", 1, {"municipality": "Delft"}, expected_version=1, actor="kees")
    return tid


# -- audit ---------------------------------------------------------------------------------


def test_audit_lists_filters_and_exports(
    sqlite_store: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tid = _register_with_history(sqlite_store)
    db = sqlite_store.url.removeprefix("sqlite:///")
    total = sqlite_store.count("audit_log")
    assert main(["audit", "--db", db]) == 0
    out = capsys.readouterr().out
    assert out.strip().splitlines()[-1] == f"{total} auditregels."
    assert "Amira" not in out and "111222333" not in out  # values only with --values
    assert main(["audit", "--db", db, "--action", "open_case"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-1] == "1 auditregels."
    assert "jet.coach  open_case  trajectories " + str(tid) in lines[0]
    assert main(["audit", "--db", db, "--actor", "KEES", "--values"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-1] == "1 auditregels."
    assert "clients 1 municipality  'Rotterdam' -> 'Delft'" in lines[0]
    assert main(["audit", "--db", db, "--entity", "clients", "--since", "01-01-2000"]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == "2 auditregels."
    tomorrow = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).strftime("%d-%m-%Y")
    assert main(["audit", "--db", db, "--since", tomorrow]) == 0
    assert capsys.readouterr().out.strip() == "0 auditregels."

    csv = tmp_path / "audit.csv"
    assert main(["audit", "--db", db, "--entity", "clients", "--export", str(csv)]) == 0
    assert f"2 auditregels geschreven naar {csv}" in capsys.readouterr().out
    exported = pd.read_csv(csv, sep=";", encoding="utf-8-sig")
    assert exported["soort"].tolist() == ["clients", "clients"]
    assert exported["actie"].tolist() == ["create", "update"]
    assert exported["nieuw"].iloc[1] == "Delft"
    xlsx = tmp_path / "audit.xlsx"
    assert main(["audit", "--db", db, "--export", str(xlsx)]) == 0
    sheet = pd.read_excel(xlsx, sheet_name="Auditlog")
    assert len(sheet) == total and sheet["hash"].is_unique
    assert main(["audit", "--db", db, "--export", str(tmp_path / "audit.txt")]) == 2
    assert "gebruik .csv of .xlsx" in capsys.readouterr().err


def test_audit_verify_detects_a_row_edited_in_sqlite(
    sqlite_store: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    _register_with_history(sqlite_store)
    db = sqlite_store.url.removeprefix("sqlite:///")
    total = sqlite_store.count("audit_log")
    assert main(["audit", "--db", db, "--verify"]) == 0
    assert f"Auditketen is intact ({total} regels)." in capsys.readouterr().out
    with sqlite_store.engine.begin() as conn:  # someone edits a value directly in the database
        conn.execute(text("UPDATE audit_log SET new = 'Gouda' WHERE field = 'municipality'"))
    row = sqlite_store.audit().query("field == 'municipality'")["id"].iloc[0]
    assert main(["audit", "--db", db, "--verify"]) == 1
    captured = capsys.readouterr()
    assert f"Auditregel {row}: inhoud gewijzigd na het schrijven." in captured.out
    assert "Auditketen gebroken" in captured.err


def test_audit_verify_detects_a_deleted_row_and_a_blanked_value(sqlite_store: Workspace) -> None:
    _register_with_history(sqlite_store)
    with sqlite_store.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET new = NULL WHERE id = 3"))
    assert any("Auditregel 3: inhoud gewijzigd" in p for p in sqlite_store.verify_audit())
    with sqlite_store.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE id = 5"))
    assert any("Auditregel 6: verwijst niet naar de vorige regel" in p
               for p in sqlite_store.verify_audit())


# -- retention ---------------------------------------------------------------------------


@pytest.fixture
def old_register(demo_db: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "bewaren.db"
    shutil.copy(demo_db, copy)
    return copy


def _stats(store: Workspace) -> dict[str, object]:
    cases = store.cases()
    return {
        "counts": {t: store.count(t) for t in ("trajectories", "clients", "placements",
                                                "phase_events", "contacts", "barriers",
                                                "zrm_assessments", "agreements")},
        "outcomes": cases["outcome"].value_counts(dropna=False).to_dict(),
        "phases": cases["phase"].value_counts().to_dict(),
        "placements": cases["placement_kind"].value_counts().to_dict(),
        "barrier_domains": store.frame("barriers")["domain"].value_counts().to_dict(),
        "zrm_mean": float(cases["zrm_mean"].mean()),
    }


def test_purge_dry_run_counts_and_changes_nothing(
    old_register: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Workspace(old_register, role="beheer", today=DEMO_AS_OF, migrate=False) as store:
        before = store.frame("clients")
        audit_before = store.count("audit_log")
        trajectories = store.frame("trajectories")
    cutoff = dt.date(2025, 6, 1)
    due = trajectories[trajectories["closed_on"] < pd.Timestamp(cutoff)]
    assert len(due) > 0
    assert main(["purge", "--db", str(old_register), "--closed-before", "01-06-2025"]) == 0
    out = capsys.readouterr().out
    assert "Te anonimiseren (proefdraai): trajecten afgesloten vóór 01-06-2025." in out
    assert f"- trajecten: {len(due)}\n" in out
    assert "Er is niets gewijzigd. Voer uit met --execute." in out
    with Workspace(old_register, role="beheer", migrate=False) as store:
        pd.testing.assert_frame_equal(store.frame("clients"), before)
        assert store.count("audit_log") == audit_before


def test_purge_keeps_statistics_and_removes_identities(old_register: Path) -> None:
    cutoff = dt.date(2025, 6, 1)
    with Workspace(old_register, role="beheer", today=DEMO_AS_OF, migrate=False,
               actor="privacy.officer") as store:
        stats = _stats(store)
        clients = store.frame("clients")
        trajectories = store.frame("trajectories")
        contacts = store.frame("contacts")
        plan = retention.purge(store, cutoff, execute=True)
        assert plan.executed and plan.trajectories
        due = set(trajectories.loc[trajectories["closed_on"] < pd.Timestamp(cutoff), "id"])
        assert set(plan.trajectories) == due
        owners = trajectories.groupby("client_id")["id"].apply(set)
        expected_clients = {c for c, ts in owners.items() if ts & due and ts <= due}
        assert set(plan.clients) == expected_clients and expected_clients
        # statistics unchanged
        assert _stats(store) == stats
        after = store.frame("clients").set_index("id")
        gone = after.loc[sorted(expected_clients)]
        assert (gone["given_name"] == "").all() and (gone["family_name"] == "").all()
        assert gone["bsn"].isna().all() and gone["birth_date"].isna().all()
        assert gone["wishes"].isna().all() and gone["external_id"].isna().all()
        assert gone["pseudonym"].str.startswith("A-").all()
        old = clients.set_index("id").loc[sorted(expected_clients)]
        assert gone["birth_year"].tolist() == old["birth_date"].dt.year.astype("Int64").tolist()
        assert gone["postcode"].dropna().str.fullmatch(r"\d{4}").all()
        kept = after.drop(index=sorted(expected_clients))  # other clients untouched
        pd.testing.assert_series_equal(
            kept["given_name"], clients.set_index("id").drop(index=sorted(expected_clients))[
                "given_name"])
        notes = store.frame("contacts").set_index("id")
        purged_contacts = contacts.loc[contacts["trajectory_id"].isin(due), "id"]
        assert notes.loc[purged_contacts, "notes"].isna().all()
        others = contacts.loc[~contacts["trajectory_id"].isin(due), "id"]
        assert notes.loc[others, "notes"].notna().sum() == contacts.set_index("id").loc[
            others, "notes"].notna().sum()
        # the audit log keeps no removed value, and the chain still verifies
        assert store.verify_audit() == []
        audit = store.audit()
        text_log = " ".join(map(str, audit[["old", "new"]].to_numpy().ravel()))
        for _, person in old.iterrows():
            assert f'"{person["family_name"]}"' not in text_log
            if isinstance(person["bsn"], str):
                assert person["bsn"] not in text_log
        purges = audit[audit["action"] == "purge"]
        assert set(purges.loc[purges["entity"] == "trajectories", "entity_id"]) == due
        assert set(purges["actor"]) == {"privacy.officer"}
        # a second run finds nothing left to do
        assert retention.purge(store, cutoff).trajectories == []


def test_purge_redacts_audit_values_of_a_small_register(store: Workspace) -> None:
    tid = _register_with_history(store)
    version = store.get("trajectories", tid)["version"]
    store.change_phase(tid, "closed", on="10-06-2026", outcome="Uitgevallen",
                              outcome_reason="Verslaving", expected_version=version)
    audit = store.audit()
    assert audit["new"].astype(str).str.contains("Proefstra").any()
    plan = retention.purge(store, dt.date(2026, 6, 15), execute=True, actor="fg")
    assert plan.trajectories == [tid] and plan.clients == [1]
    audit = store.audit()
    flat = " ".join(map(str, audit[["old", "new", "field"]].to_numpy().ravel()))
    assert "Proefstra" not in flat and "111222333" not in flat and "Verslaving" not in flat
    assert audit["redacted_at"].notna().sum() == plan.audit_rows > 0
    assert store.verify_audit() == []
    phases = audit[(audit["action"] == "phase")]
    assert phases["new"].tolist() == ["closed"]  # phase history is statistics: kept
    # redacting by hand without the purge is still detected
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET new = NULL WHERE action = 'phase'"))
    assert store.verify_audit()


def test_purge_needs_beheer_and_a_sane_term(demo_db: Path, sqlite_store: Workspace) -> None:
    with Workspace(demo_db, migrate=False, today=DEMO_AS_OF) as store, pytest.raises(AccessDenied):
        retention.purge(store)
    assert retention.retention_years(sqlite_store) == retention.DEFAULT_YEARS
    assert retention.default_cutoff(sqlite_store) == dt.date(2021, 6, 15)
    sqlite_store.set_info("retention_years", "7")
    assert retention.default_cutoff(sqlite_store) == dt.date(2019, 6, 15)
    sqlite_store.set_info("retention_years", "1")
    with pytest.raises(TrajecttoolsError, match="retention_years: '1' is geen geldige"):
        retention.purge(sqlite_store)
    with pytest.raises(TrajecttoolsError, match="ligt in de toekomst"):
        retention.purge(sqlite_store, dt.date(2030, 1, 1))
