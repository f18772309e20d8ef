"""Schema migrations and the consistency check."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import text

from conftest import add_staff, register_case
from trajecttools.core.errors import SchemaError
from trajecttools.reads.check import check, check_data, check_schema
from trajecttools.register.database import alembic_config, make_engine, schema_revisions
from trajecttools.workspace import Workspace


def test_fresh_register_is_at_head_and_matches_the_model(store: Workspace) -> None:
    current, head = schema_revisions(store.engine)
    assert current == head and head is not None and head >= "0005"
    assert check_schema(store) == []


def test_an_older_register_is_migrated_on_open(tmp_path: Path) -> None:
    from alembic import command

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0001")
        conn.execute(text("INSERT INTO teams (id, name) VALUES (1, 'Team Oud')"))
    engine.dispose()
    with pytest.raises(SchemaError, match="schemaversie 0001"):
        Workspace(url, migrate=False)
    with Workspace(url) as store:
        current, head = schema_revisions(store.engine)
        assert current == head and head >= "0005"
        assert store.frame("teams")["name"].tolist() == ["Team Oud"]
        assert store.count("match_decisions") == 0


def test_0005_adds_preferred_hours_and_dates_the_steps_of_old_decisions(tmp_path: Path) -> None:
    from alembic import command
    from alembic.script import ScriptDirectory

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    with engine.begin() as conn:
        config = alembic_config(conn)
        before = ScriptDirectory.from_config(config).get_revision("0005").down_revision
        command.upgrade(config, str(before))
        conn.execute(text(
            "INSERT INTO clients (id, pseudonym, given_name, family_name, target_group,"
            " created_at, version) VALUES (1, 'K-OUD001', 'Oud', 'Klant', 'over_45',"
            " '2025-01-01 09:00:00', 1)"))
        conn.execute(text(
            "INSERT INTO trajectories (id, client_id, method, registered_at, phase, phase_since,"
            " version) VALUES (1, 1, 'opstapbaan', '2025-01-02 09:00:00', 'intake',"
            " '2025-01-10', 1)"))
        conn.execute(text(
            "INSERT INTO employers (id, name, sector, inclusive, social_work_company, version)"
            " VALUES (1, 'Groen BV', 'green', 1, 0, 1)"))
        conn.execute(text(
            "INSERT INTO vacancies (id, employer_id, title, opened_on, positions, status,"
            " driving_licence_required, version) VALUES (1, 1, 'Hovenier', '2025-01-05', 3,"
            " 'open', 0, 1)"))
        for i, status in enumerate(("proposed", "introduced", "hired"), start=1):
            conn.execute(text(
                "INSERT INTO match_decisions (id, trajectory_id, vacancy_id, status, decided_on,"
                f" version) VALUES ({i}, 1, 1, '{status}', '2025-02-0{i}', 1)"))
    engine.dispose()
    with Workspace(url) as store:
        assert store.get("clients", 1)["preferred_hours"] is None
        rows = store.frame("match_decisions").set_index("status")
        assert rows.loc["proposed", "proposed_on"] == pd.Timestamp("2025-02-01")
        assert pd.isna(rows.loc["proposed", "introduced_on"])
        assert rows.loc["introduced", "introduced_on"] == pd.Timestamp("2025-02-02")
        assert pd.isna(rows.loc["introduced", "proposed_on"])  # never recorded: stays empty
        assert rows.loc[["hired"], ["proposed_on", "introduced_on"]].isna().all(axis=None)
        assert check_schema(store) == []


def test_check_finds_nothing_in_a_clean_register(store: Workspace) -> None:
    staff = add_staff(store)
    tid = register_case(store, staff)
    store.change_phase(tid, "intake", on="05-06-2026", expected_version=2)
    assert check(store) == []


def test_check_reports_illegal_history_and_unknown_codes(store: Workspace) -> None:
    staff = add_staff(store)
    tid = register_case(store, staff)
    with store.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO phase_events (trajectory_id, phase, started_on) "
                "VALUES (:t, 'aftercare', '2026-06-05')"
            ),
            {"t": tid},
        )
        conn.execute(text("UPDATE barriers SET domain = 'x'"))  # no rows: harmless
        conn.execute(
            text(
                "INSERT INTO contacts (trajectory_id, kind, held_on) "
                "VALUES (:t, 'borrel', '2026-06-05')"
            ),
            {"t": tid},
        )
    problems = check_data(store)
    assert any("faseovergangen die de methode niet toestaat" in p for p in problems)
    assert any("huidige fase niet de laatste fasewissel" in p for p in problems)
    assert any("kolom kind: onbekende codes borrel" in p for p in problems)
