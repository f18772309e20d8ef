"""Schema migrations and the consistency check."""

from __future__ import annotations

from sqlalchemy import text

from conftest import add_staff, register_case
from trajecttools.check import check, check_data, check_schema
from trajecttools.store import Store, schema_revisions


def test_fresh_register_is_at_head_and_matches_the_model(store: Store) -> None:
    current, head = schema_revisions(store.engine)
    assert current == head == "0001"
    assert check_schema(store) == []


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
