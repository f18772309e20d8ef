"""Read models on PostgreSQL: kept current by PL/pgSQL triggers, right under concurrent writers.

Every test here runs on its own schema of the test database (``TRAJECTTOOLS_TEST_DATABASE_URL``;
``.ci/run`` sets it and fails when PostgreSQL does not answer). The writers are real processes
(``tests/pg_writer.py``); each of their transactions adds a contact and an open agreement to one
trajectory, so "contacts minus open agreements" of that trajectory never changes in a state a
transaction left: a read that shows one without the other saw half a transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import text

from conftest import DEMO_AS_OF, PG_SKIP, PG_URL, postgres_schema_url
from test_readmodel import LOGGER, assert_same_as_fresh_read, log_lines
from trajecttools.outputs import demo
from trajecttools.reads import frames, readmodel
from trajecttools.reads.check import check_schema
from trajecttools.reads.frames import _cases_model, cases, cases_frame
from trajecttools.register import changes
from trajecttools.workspace import Workspace

pytestmark = pytest.mark.postgres

WRITER = Path(__file__).with_name("pg_writer.py")
SRC = str(Path(__file__).resolve().parents[1] / "src")
CASES_KEYS = {"cases": "trajectory_id", "open_agreements": "trajectory_id"}


_STARTED: list[subprocess.Popen[str]] = []


@pytest.fixture
def pg_demo() -> Iterator[Workspace]:
    """The small demo register (300 trajectories, seed 7) in a private PostgreSQL schema."""
    if not PG_URL:
        pytest.skip(PG_SKIP)
    with postgres_schema_url() as url, Workspace(
        url, actor="tester", today=DEMO_AS_OF, role="beheer"
    ) as store:
        demo.build(store, size=300, seed=7, as_of=DEMO_AS_OF)
        try:
            yield store
        finally:  # a failed test leaves no writer holding a transaction (the schema must go)
            while _STARTED:
                proc = _STARTED.pop()
                if proc.poll() is None:
                    proc.kill()
                    proc.wait(timeout=30)


@pytest.fixture
def stored(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every read that recomputes rows writes the model back (normally only after many)."""
    monkeypatch.setattr(readmodel, "STORE_MIN", 0)
    monkeypatch.setattr(readmodel, "STORE_SHARE", 0.0)


def url_of(store: Workspace) -> str:
    return store.engine.url.render_as_string(hide_password=False)


def writer(store: Workspace, tid: int, mode: str, count: int = 1) -> subprocess.Popen[str]:
    """Start a writer process on the store's register (see ``tests/pg_writer.py``)."""
    proc = subprocess.Popen(
        [sys.executable, str(WRITER), url_of(store), str(tid), mode, str(count)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        env={"PYTHONPATH": SRC, "PATH": "/usr/bin:/bin"},
    )
    _STARTED.append(proc)
    return proc


def expect(proc: subprocess.Popen[str], line: str) -> None:
    assert proc.stdout is not None
    got = proc.stdout.readline().strip()
    assert got == line, f"writer said {got!r}, expected {line!r}"


def balance(frame: pd.DataFrame, tid: int) -> int:
    """Contacts minus open agreements of one trajectory: every writer transaction keeps it."""
    row = frame.set_index("trajectory_id").loc[tid]
    return int(row["contacts"]) - int(row["open_agreements"])


def model_snapshots(store: Workspace) -> dict[str, str]:
    with store.engine.connect() as conn:
        return dict(conn.execute(text("SELECT name, snapshot FROM read_models")).all())


def test_models_are_kept_and_equal_a_fresh_read_after_writes(
    pg_demo: Workspace, caplog: pytest.LogCaptureFixture
) -> None:
    store = pg_demo
    assert readmodel.usable(store)
    with store.engine.connect() as conn:
        assert changes.missing_triggers(conn) == []
    before = assert_same_as_fresh_read(store).set_index("trajectory_id")
    assert set(model_snapshots(store)) == {"cases", "signals"}
    caplog.set_level(logging.INFO, logger=LOGGER)
    assert_same_as_fresh_read(store)
    assert log_lines(caplog) == []  # answered from the stored models
    with store.engine.connect() as conn:  # and the change log was pruned
        assert conn.execute(text("SELECT COUNT(*) FROM read_model_changes")).scalar() == 0

    active = before[before["active"] & before["coach_id"].notna()]
    a, b, c = (int(i) for i in active.index[:3])
    coaches = store.frame("coaches")["id"]
    other = int(coaches[coaches != active.loc[b, "coach_id"]].iloc[0])
    client_c = int(active.loc[c, "client_id"])
    day = DEMO_AS_OF.strftime("%d-%m-%Y")
    with store.transaction() as tx:
        tx.add("contacts", {"trajectory_id": a, "kind": "progress", "held_on": day})
        barrier = tx.add("barriers", {"trajectory_id": a, "domain": "debts", "severity": 3,
                                      "noted_on": day})
        tx.add("referrals", {"barrier_id": barrier, "agency": "Schuldhulp", "referred_on": day})
    store.assign_coach(b, other, at=f"{day} 10:00",
                       expected_version=store.get("trajectories", b)["version"])
    store.update("clients", client_c, {"given_name": "Xander", "family_name": "van Zuylen"},
                 expected_version=store.get("clients", client_c)["version"])
    caplog.clear()
    after = assert_same_as_fresh_read(store).set_index("trajectory_id")
    assert any("trajectories updated" in line for line in log_lines(caplog))
    assert after.loc[a, "contacts"] == before.loc[a, "contacts"] + 1
    assert after.loc[a, "open_barriers"] == before.loc[a, "open_barriers"] + 1
    assert after.loc[b, "coach_id"] == other
    assert after.loc[c, "initials"] == "X.Z."
    with store.engine.begin() as conn:  # one statement, many rows: each trajectory logged once
        conn.execute(text("UPDATE employers SET name = name || ' BV'"))
        placed = conn.execute(text("SELECT COUNT(DISTINCT trajectory_id) FROM placements"
                                   " WHERE employer_id IS NOT NULL"))
        logged = conn.execute(text("SELECT COUNT(*) FROM read_model_changes"
                                   " WHERE tx = pg_current_xact_id()::text::bigint"))
        assert logged.scalar() == placed.scalar()
    assert_same_as_fresh_read(store)


def test_check_reports_a_missing_trigger_and_migrate_restores_it(pg_demo: Workspace) -> None:
    from trajecttools.cli import main

    store = pg_demo
    assert check_schema(store) == []
    with store.engine.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER rm_contacts_ins ON contacts")
    assert not readmodel.usable(store)  # frames come straight from the tables: still right
    assert_same_as_fresh_read(store)
    problems = check_schema(store)
    assert len(problems) == 1 and "rm_contacts_ins" in problems[0], problems
    assert main(["migrate", "--db", url_of(store)]) == 0
    assert check_schema(store) == []
    assert readmodel.usable(store)
    assert_same_as_fresh_read(store)


def test_a_write_committed_after_a_later_one_is_not_skipped(
    pg_demo: Workspace, stored: None
) -> None:
    """Two writers on one trajectory commit out of order while a reader stores its model.

    Writer A logs its change first (lower ``seq``) but commits last; writer B commits in
    between and the reader stores a model that has B's change. A model marked by the log's
    highest ``seq`` would count A's change as seen and miss it forever; the stored snapshot
    says A was still running, so the next read recomputes its trajectory.
    """
    store = pg_demo
    tid = int(cases(store, DEMO_AS_OF)["trajectory_id"].iloc[0])
    start = int(cases(store, DEMO_AS_OF).set_index("trajectory_id").loc[tid, "contacts"])
    a = writer(store, tid, "hold")
    expect(a, "ready")  # A's rows and log row written, not committed
    b = writer(store, tid, "store", 1)
    expect(b, "done")
    assert b.wait(timeout=60) == 0
    with store.engine.connect() as conn:  # only B's log rows are visible: A has not committed
        logged = conn.execute(text("SELECT DISTINCT trajectory_id FROM read_model_changes"))
        assert logged.scalars().all() == [tid]
    middle = cases(store, DEMO_AS_OF)
    assert middle.set_index("trajectory_id").loc[tid, "contacts"] == start + 1  # B only
    assert a.stdin is not None
    a.stdin.write("commit\n")
    a.stdin.flush()
    expect(a, "done")
    assert a.wait(timeout=60) == 0
    after = assert_same_as_fresh_read(store).set_index("trajectory_id")
    assert after.loc[tid, "contacts"] == start + 2  # A's contact too


def test_a_commit_during_a_build_shows_whole_or_not_at_all(
    pg_demo: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A writer commits after the reader read the open agreements and before it reads the
    cases frame: both parts of the model still show the register before that write."""
    store = pg_demo
    tid = int(cases_frame(store, DEMO_AS_OF)["trajectory_id"].iloc[0])
    real_cases_frame = frames.cases_frame
    ran: list[int] = []

    def commit_then_read(*args: object, **kw: object) -> pd.DataFrame:
        if not ran:
            proc = writer(store, tid, "store", 1)
            expect(proc, "done")
            ran.append(proc.wait(timeout=60))
        return real_cases_frame(*args, **kw)  # type: ignore[arg-type]

    with store.engine.begin() as conn:
        changes.invalidate(conn)
    before = cases_frame(store, DEMO_AS_OF).set_index("trajectory_id")
    monkeypatch.setattr(frames, "cases_frame", commit_then_read)
    got = readmodel.current(store, "cases", readmodel.methods_key(store),
                            lambda only: _cases_model(store, only), CASES_KEYS)
    assert ran == [0]
    assert got is not None
    model, _ = got
    agreements = model["open_agreements"]
    open_in_list = int(agreements.loc[agreements["trajectory_id"] == tid, "agreements"].sum())
    row = model["cases"].set_index("trajectory_id").loc[tid]
    assert row["open_agreements"] == open_in_list == before.loc[tid, "open_agreements"]
    assert row["contacts"] == before.loc[tid, "contacts"]
    monkeypatch.undo()
    after = assert_same_as_fresh_read(store).set_index("trajectory_id")  # and then it shows
    assert after.loc[tid, "contacts"] == before.loc[tid, "contacts"] + 1
    assert after.loc[tid, "open_agreements"] == before.loc[tid, "open_agreements"] + 1


def test_two_writer_processes_and_a_reader_never_see_half_a_write(
    pg_demo: Workspace, stored: None
) -> None:
    store = pg_demo
    first = cases(store, DEMO_AS_OF)
    tid = int(first["trajectory_id"].iloc[0])
    want = balance(first, tid)
    writers = [writer(store, tid, "store", 25) for _ in range(2)]
    for proc in writers:
        expect(proc, "ready")
    for proc in writers:  # both start writing now, while the reader reads
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    seen = set()
    reads = 0
    while any(w.poll() is None for w in writers) or reads < 3:
        frame = cases(store, DEMO_AS_OF)
        assert balance(frame, tid) == want, f"half a write seen after {reads} reads"
        seen.add(int(frame.set_index("trajectory_id").loc[tid, "contacts"]))
        reads += 1
    assert [w.wait(timeout=60) for w in writers] == [0, 0]
    final = assert_same_as_fresh_read(store).set_index("trajectory_id")
    assert final.loc[tid, "contacts"] == first.set_index("trajectory_id").loc[tid, "contacts"] + 50
    assert len(seen) > 1  # the reader did read while the writers wrote


def test_a_dump_restores_into_a_fresh_database(
    pg_demo: Workspace, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The backup of docs/deployment.md: ``pg_dump`` a register, restore it into a new
    database, ``trajecttools check`` finds nothing and the frames are the same."""
    from trajecttools.cli import main

    store = pg_demo
    original = assert_same_as_fresh_read(store)
    url = store.engine.url
    schema = str(url.query["options"]).split("=", 1)[1]
    dump = tmp_path / "register.dump"
    pg = ["-h", url.host or "127.0.0.1", "-p", str(url.port or 5432), "-U", url.username or ""]
    subprocess.run(["pg_dump", *pg, "--format=custom", "--no-owner", "-n", schema,
                    "-f", str(dump), url.database or ""], check=True)
    fresh = f"tt_restore_{schema}"
    subprocess.run(["createdb", *pg, fresh], check=True)
    try:
        subprocess.run(["pg_restore", *pg, "--no-owner", "--exit-on-error", "-d", fresh,
                        str(dump)], check=True)
        restored = url.set(database=fresh).render_as_string(hide_password=False)
        assert main(["check", "--db", restored]) == 0
        assert main(["audit", "--verify", "--db", restored]) == 0  # the hash chain came along
        with Workspace(restored, actor="tester", today=DEMO_AS_OF, role="beheer",
                       migrate=False) as copy:
            assert readmodel.usable(copy)
            caplog.set_level(logging.INFO, logger=LOGGER)
            pd.testing.assert_frame_equal(cases(copy, DEMO_AS_OF), original)
            # the dumped model's snapshot counts transactions of the other database: rebuilt
            assert "read model cases: rebuilt" in log_lines(caplog)
            assert copy.count("audit_log") == store.count("audit_log")
            assert_same_as_fresh_read(copy)
            with copy.transaction() as tx:  # the restored triggers log writes
                tx.add("contacts", {"trajectory_id": int(original["trajectory_id"].iloc[0]),
                                    "kind": "progress", "held_on": "02-11-2026"})
            assert_same_as_fresh_read(copy)
    finally:
        subprocess.run(["dropdb", *pg, "--force", fresh], check=True)


def test_an_earlier_day_reads_the_history_in_one_snapshot(pg_demo: Workspace) -> None:
    store = pg_demo
    assert_same_as_fresh_read(store)
    assert readmodel.peek_latest(store, "cases") is not None
    assert_same_as_fresh_read(store, DEMO_AS_OF - dt.timedelta(days=45))


def test_migrate_upgrades_a_register_made_before_the_postgresql_read_models(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`trajecttools migrate` as docs/deployment.md says: from revision 0007 (no PostgreSQL
    triggers) to the newest, and `trajecttools check` is clean afterwards."""
    from alembic import command

    from trajecttools.cli import main
    from trajecttools.register.database import alembic_config, make_engine

    if not PG_URL:
        pytest.skip(PG_SKIP)
    with postgres_schema_url() as url:
        engine = make_engine(url)
        with engine.begin() as conn:
            command.upgrade(alembic_config(conn), "0007")
        engine.dispose()
        assert main(["check", "--db", url]) == 2  # "Fout: ... schemaversie 0007 ..."
        assert "schemaversie 0007" in capsys.readouterr().err
        assert main(["migrate", "--db", url]) == 0
        assert "Databaseschema is bijgewerkt." in capsys.readouterr().out
        assert main(["check", "--db", url]) == 0
        assert "Geen problemen gevonden." in capsys.readouterr().out
        with Workspace(url, actor="tester", today=DEMO_AS_OF, role="beheer",
                       migrate=False) as store:
            assert readmodel.usable(store)
            assert cases(store, DEMO_AS_OF).empty
