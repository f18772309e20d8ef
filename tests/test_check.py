"""Schema migrations and the consistency check."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from conftest import add_staff, register_case
from trajecttools.check import check, check_data, check_schema
from trajecttools.errors import SchemaError
from trajecttools.store import Store, _alembic_config, make_engine, schema_revisions


def test_fresh_register_is_at_head_and_matches_the_model(store: Store) -> None:
    current, head = schema_revisions(store.engine)
    assert current == head == "0002"
    assert check_schema(store) == []


def test_an_older_register_is_migrated_on_open(tmp_path: Path) -> None:
    from alembic import command

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "0001")
        conn.execute(text("INSERT INTO teams (id, name) VALUES (1, 'Team Oud')"))
    engine.dispose()
    with pytest.raises(SchemaError, match="schemaversie 0001"):
        Store(url, migrate=False)
    with Store(url) as store:
        assert schema_revisions(store.engine) == ("0002", "0002")
        assert store.frame("teams")["name"].tolist() == ["Team Oud"]
        assert store.count("match_decisions") == 0


def test_check_finds_nothing_in_a_clean_register(store: Store) -> None:
    staff = add_staff(store)
    tid = register_case(store, staff)
    store.change_phase(tid, "intake", on="05-06-2026", expected_version=2)
    assert check(store) == []


def test_check_reports_illegal_history_and_unknown_codes(store: Store) -> None:
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
