"""Read models: the stored cases frame and signal inputs equal a fresh read, after any write."""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text

from conftest import DEMO_AS_OF, make_store
from trajecttools.reads import readmodel
from trajecttools.reads.frames import _cases_model, cases, cases_frame
from trajecttools.reads.signals import compute, load_inputs, read_inputs, signals
from trajecttools.register import changes
from trajecttools.workspace import Workspace, warm

LOGGER = "trajecttools.reads.readmodel"


@pytest.fixture
def demo(demo_db: Path, tmp_path: Path) -> Iterator[Workspace]:
    """A private copy of the small demo register (300 trajectories, as of 02-11-2026)."""
    path = tmp_path / "copy.db"
    with sqlite3.connect(demo_db) as src, sqlite3.connect(path) as dst:
        src.backup(dst)
    with Workspace(path, actor="tester", today=DEMO_AS_OF, role="beheer") as store:
        with store.engine.begin() as conn:  # other tests read the shared register before
            changes.invalidate(conn)
        yield store


def assert_same_as_fresh_read(store: Workspace, day: dt.date = DEMO_AS_OF) -> pd.DataFrame:
    """The answer through the read models equals one built straight from the tables."""
    fast = cases(store, day)
    pd.testing.assert_frame_equal(fast, cases_frame(store, day))
    methods = store.methods()
    pd.testing.assert_frame_equal(
        signals(store, day), compute(read_inputs(store, day), methods, day)
    )
    return fast


def model_rows(store: Workspace) -> dict[str, int]:
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT name, seq FROM read_models")).all()
    return {name: seq for name, seq in rows}


def log_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == LOGGER]


def test_codec_keeps_every_dtype() -> None:
    df = pd.DataFrame(
        {
            "cat": pd.Categorical(["a", None, "b"], categories=["b", "a", "c"]),
            "int_na": pd.array([1, None, 3], dtype="Int64"),
            "float_na": pd.array([1.5, None, 2.0], dtype="Float64"),
            "flag_na": pd.array([True, None, False], dtype="boolean"),
            "when": pd.to_datetime(["2026-01-02", None, "2026-03-04"]).astype("datetime64[ns]"),
            "n": np.array([1, 2, 3], dtype=np.int64),
            "x": np.array([0.5, np.nan, 1.0]),
            "b": np.array([True, False, True]),
            "obj": pd.Series(["één", None, np.nan], dtype=object),
            "text": pd.array(["a", None, "ç"], dtype="str"),
        }
    )
    back = readmodel.decode(readmodel.encode({"f": df, "empty": df.iloc[:0]}))
    pd.testing.assert_frame_equal(back["f"], df)
    pd.testing.assert_frame_equal(back["empty"], df.iloc[:0])
    assert back["f"]["obj"].iloc[1] is None  # None and NaN stay apart
    with pytest.raises(ValueError, match="NUL"):
        readmodel.encode({"f": pd.DataFrame({"t": ["a\x00b"]})})


def test_first_read_stores_the_models_and_the_next_reads_them(
    demo: Workspace, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    assert readmodel.usable(demo)
    assert model_rows(demo) == {}
    assert_same_as_fresh_read(demo)
    assert set(model_rows(demo)) == {"cases", "signals"}
    assert sorted(log_lines(caplog)) == ["read model cases: rebuilt", "read model signals: rebuilt"]
    caplog.clear()
    assert_same_as_fresh_read(demo)
    assert log_lines(caplog) == []  # nothing changed: answered from the stored models
    with demo.engine.connect() as conn:  # and the change log was pruned
        assert conn.execute(text("SELECT COUNT(*) FROM read_model_changes")).scalar() == 0


@pytest.mark.parametrize("stored", [False, True], ids=["recomputed", "stored"])
def test_writes_through_the_store_update_only_the_changed_trajectories(
    demo: Workspace, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch, stored: bool
) -> None:
    if stored:  # few changes are normally recomputed on each read, not written back
        monkeypatch.setattr(readmodel, "STORE_MIN", 0)
        monkeypatch.setattr(readmodel, "STORE_SHARE", 0.0)
    before = assert_same_as_fresh_read(demo).set_index("trajectory_id")
    seqs = model_rows(demo)
    active = before[before["active"] & before["coach_id"].notna()]
    a, b, c, d, e = (int(i) for i in active.index[:5])
    coaches = demo.frame("coaches")["id"]
    other_coach = int(coaches[coaches != active.loc[c, "coach_id"]].iloc[0])
    client_d = int(active.loc[d, "client_id"])
    day = DEMO_AS_OF.strftime("%d-%m-%Y")
    with demo.transaction() as tx:
        tx.add("contacts", {"trajectory_id": a, "kind": "progress", "held_on": day})
        tx.add("barriers", {"trajectory_id": e, "domain": "debts", "severity": 3, "noted_on": day})
        tx.add(
            "agreements",
            {"trajectory_id": e, "what": "bellen", "who": "client", "due_on": "01-10-2026"},
        )
    demo.assign_coach(
        c, other_coach, at=f"{day} 10:00", expected_version=demo.get("trajectories", c)["version"]
    )
    demo.update(
        "clients",
        client_d,
        {"given_name": "Xander", "family_name": "van Zuylen"},
        expected_version=demo.get("clients", client_d)["version"],
    )
    row = demo.get("trajectories", b)
    to_phase = demo.method(row["method"]).allowed_next(row["phase"])[0]
    demo.change_phase(b, to_phase, on=day, expected_version=row["version"])

    caplog.set_level(logging.INFO, logger=LOGGER)
    after = assert_same_as_fresh_read(demo).set_index("trajectory_id")
    lines = log_lines(caplog)
    assert any(line.startswith("read model cases:") and "trajectories updated" in line
               for line in lines), lines
    assert not any("rebuilt" in line for line in lines), lines
    if stored:  # written back: the next read has nothing to do
        assert all(seq > seqs[name] for name, seq in model_rows(demo).items())
        caplog.clear()
        assert_same_as_fresh_read(demo)
        assert log_lines(caplog) == []
    else:
        assert model_rows(demo) == seqs
    # the answer really moved (the comparison above is not between two stale copies)
    assert after.loc[a, "contacts"] == before.loc[a, "contacts"] + 1
    assert after.loc[c, "coach_id"] == other_coach
    assert after.loc[c, "coach_changes"] == before.loc[c, "coach_changes"] + 1
    assert after.loc[d, "initials"] == "X.Z."
    assert after.loc[e, "open_barriers"] == before.loc[e, "open_barriers"] + 1
    assert after.loc[e, "overdue_agreements"] == before.loc[e, "overdue_agreements"] + 1
    assert after.loc[b, "phase"] == to_phase


def test_a_write_by_another_program_is_seen(demo: Workspace) -> None:
    before = assert_same_as_fresh_read(demo).set_index("trajectory_id")
    tid = int(before.index[0])
    with sqlite3.connect(demo.engine.url.database) as raw:  # not through trajecttools at all
        raw.execute(
            "INSERT INTO contacts (trajectory_id, kind, held_on) VALUES (?, 'progress', ?)",
            (tid, DEMO_AS_OF.isoformat()),
        )
    after = assert_same_as_fresh_read(demo).set_index("trajectory_id")
    assert after.loc[tid, "contacts"] == before.loc[tid, "contacts"] + 1


def test_an_earlier_day_and_a_later_dated_row_are_read_from_the_history(demo: Workspace) -> None:
    assert_same_as_fresh_read(demo)
    earlier = DEMO_AS_OF - dt.timedelta(days=45)
    assert readmodel.peek_latest(demo, "cases") is not None
    assert_same_as_fresh_read(demo, earlier)
    tid = int(cases(demo, DEMO_AS_OF)["trajectory_id"].iloc[0])
    later = DEMO_AS_OF + dt.timedelta(days=3)
    # a contact dated after the day asked for (the store refuses future dates; another
    # program or a colleague whose today is later need not)
    with sqlite3.connect(demo.engine.url.database) as raw:
        raw.execute(
            "INSERT INTO contacts (trajectory_id, kind, held_on) VALUES (?, 'progress', ?)",
            (tid, later.isoformat()),
        )
    frame = assert_same_as_fresh_read(demo).set_index("trajectory_id")
    assert frame.loc[tid, "last_contact_on"] <= pd.Timestamp(DEMO_AS_OF)
    got = readmodel.current(  # the model knows its latest date moved on
        demo,
        "cases",
        readmodel.methods_key(demo),
        lambda only: _cases_model(demo, only),
        {"cases": "trajectory_id", "open_agreements": "trajectory_id"},
    )
    assert got is not None and got[1] == later
    assert_same_as_fresh_read(demo, later)


def test_a_missing_trigger_turns_the_models_off_until_reinstalled(demo: Workspace) -> None:
    assert_same_as_fresh_read(demo)
    with demo.engine.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER rm_contacts_ins")
        assert changes.missing_triggers(conn) == ["rm_contacts_ins"]
    assert not readmodel.usable(demo)
    tid = int(cases(demo, DEMO_AS_OF)["trajectory_id"].iloc[0])
    n = int(cases(demo, DEMO_AS_OF).set_index("trajectory_id").loc[tid, "contacts"])
    with demo.transaction() as tx:  # not logged: no trigger
        tx.add("contacts", {"trajectory_id": tid, "kind": "progress", "held_on": "01-11-2026"})
    assert cases(demo, DEMO_AS_OF).set_index("trajectory_id").loc[tid, "contacts"] == n + 1
    with demo.engine.begin() as conn:
        changes.install(conn)  # drops the models: they missed that write
    assert model_rows(demo) == {}
    assert_same_as_fresh_read(demo)


def test_check_reports_missing_triggers_and_migrate_restores_them(demo: Workspace) -> None:
    from trajecttools.cli import main
    from trajecttools.reads.check import check_schema

    assert check_schema(demo) == []
    assert_same_as_fresh_read(demo)
    with demo.engine.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER rm_clients_upd")
    problems = check_schema(demo)
    assert len(problems) == 1 and "rm_clients_upd" in problems[0]
    assert "trajecttools migrate" in problems[0]
    assert main(["migrate", "--db", str(demo.engine.url.database)]) == 0
    assert check_schema(demo) == []
    assert model_rows(demo) == {}  # they may have missed writes: built afresh
    assert_same_as_fresh_read(demo)


def test_purge_drops_the_stored_models(demo: Workspace) -> None:
    from trajecttools.register.retention import purge

    assert_same_as_fresh_read(demo)
    assert model_rows(demo)
    plan = purge(demo, closed_before=DEMO_AS_OF, execute=True)
    assert plan.trajectories
    assert model_rows(demo) == {}
    assert_same_as_fresh_read(demo)


def test_an_empty_postgres_register_keeps_models_too(tmp_path: Path) -> None:
    with make_store("postgres", tmp_path) as store:  # more in test_readmodel_postgres.py
        assert readmodel.usable(store)
        assert readmodel.peek_latest(store, "cases") is None
        assert cases(store, DEMO_AS_OF).empty
        assert load_inputs(store, DEMO_AS_OF).trajectories.empty
        with store.engine.connect() as conn:
            assert conn.execute(text("SELECT COUNT(*) FROM read_models")).scalar() == 2


def test_warm_builds_both_models_as_serve_does(
    demo: Workspace, caplog: pytest.LogCaptureFixture
) -> None:
    warm(demo)
    assert set(model_rows(demo)) == {"cases", "signals"}
    caplog.set_level(logging.INFO, logger=LOGGER)
    assert_same_as_fresh_read(demo)
    assert not [line for line in log_lines(caplog) if "rebuilt" in line or "updated" in line]


def test_step_by_step_from_an_empty_register(sqlite_store: Workspace) -> None:
    """Every read equals a fresh one while a register grows from nothing (empty frames first)."""
    from conftest import TODAY, add_staff, register_case

    store = sqlite_store
    assert_same_as_fresh_read(store, TODAY)  # nothing registered yet
    staff = add_staff(store)
    assert_same_as_fresh_read(store, TODAY)
    tid = register_case(store, staff)
    assert_same_as_fresh_read(store, TODAY)
    with store.transaction() as tx:
        tx.add("agreements", {"trajectory_id": tid, "what": "cv", "who": "client",
                              "due_on": "05-06-2026"})
    assert_same_as_fresh_read(store, TODAY)
    with store.transaction() as tx:
        tx.add("contacts", {"trajectory_id": tid, "kind": "intake", "held_on": "10-06-2026"})
        barrier = tx.add("barriers", {"trajectory_id": tid, "domain": "debts", "severity": 2,
                                      "noted_on": "10-06-2026"})
    assert_same_as_fresh_read(store, TODAY)
    with store.transaction() as tx:
        tx.add("referrals", {"barrier_id": barrier, "agency": "Schuldhulp",
                             "referred_on": "11-06-2026"})
    second = register_case(store, staff)
    frame = assert_same_as_fresh_read(store, TODAY).set_index("trajectory_id")
    assert set(frame.index) == {tid, second}
    assert frame.loc[tid, "overdue_agreements"] == 1
    assert frame.loc[tid, "open_barriers"] == 1
