"""Shared fixtures: fresh registers on SQLite files, and on PostgreSQL when configured; demo
registers built once a run (tests copy them before they write). Browser fixtures: ``browser.py``."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text

from trajecttools.workspace import Workspace

#: Voilà servers and headless Chromium for the browser tests (fixtures ``browser``, ``page``,
#: ``demo_server``).
pytest_plugins = ["browser"]

PG_URL = os.environ.get("TRAJECTTOOLS_TEST_DATABASE_URL")
TODAY = dt.date(2026, 6, 15)
PG_SKIP = "TRAJECTTOOLS_TEST_DATABASE_URL is niet gezet: PostgreSQL-variant overgeslagen"


@contextmanager
def postgres_schema_url() -> Iterator[str]:
    """Yield a URL to a fresh, private schema in the test PostgreSQL database (dropped after)."""
    assert PG_URL
    schema = f"tt_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


_EMPTY_REGISTER: dict[str, Path] = {}


@pytest.fixture(scope="session", autouse=True)
def empty_register_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of this run's empty register (see :func:`empty_register_file`)."""
    folder = tmp_path_factory.mktemp("empty-register")
    _EMPTY_REGISTER["folder"] = folder
    return folder


def empty_register_file() -> Path:
    """Return an empty SQLite register at the newest schema, made once a run.

    A new register holds its schema and nothing else, so a copy of this file is the same as a
    register made from scratch, without running the migrations again for every test.
    """
    if "file" not in _EMPTY_REGISTER:
        path = _EMPTY_REGISTER["folder"] / "empty.db"
        Workspace(path, actor="setup").close()
        _EMPTY_REGISTER["file"] = path
    return _EMPTY_REGISTER["file"]


@contextmanager
def make_store(backend: str, tmp_path: Path, **kw: object) -> Iterator[Workspace]:
    """Open a fresh register on the given backend ("sqlite" or "postgres")."""
    kw.setdefault("actor", "tester")
    kw.setdefault("today", TODAY)
    kw.setdefault("role", "beheer")  # tests read back everything they wrote
    bsn = bool(kw.pop("bsn", True))  # the organisation stores BSNs unless a test says not
    if backend == "sqlite":
        target = tmp_path / "register.db"
        if not target.exists():  # a copy of an empty register: no migrations to run per test
            shutil.copy(empty_register_file(), target)
        store = Workspace(target, **kw)  # type: ignore[arg-type]
        if bsn:
            store.set_info("bsn_enabled", "true", actor="setup")
        try:
            yield store
        finally:
            store.close()
        return
    if not PG_URL:
        pytest.skip(PG_SKIP)
    with postgres_schema_url() as url:
        store = Workspace(url, **kw)  # type: ignore[arg-type]
        if bsn:
            store.set_info("bsn_enabled", "true", actor="setup")
        try:
            yield store
        finally:
            store.close()


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Workspace]:
    """A fresh, empty register (SQLite file; PostgreSQL schema when configured)."""
    with make_store(request.param, tmp_path) as s:
        yield s


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Workspace]:
    """A fresh, empty register in a SQLite file."""
    with make_store("sqlite", tmp_path) as s:
        yield s


@dataclass
class Staff:
    team: int
    coach: int
    other_coach: int
    case_manager: int


def add_staff(store: Workspace) -> Staff:
    """Add a team, two coaches and a case manager."""
    with store.transaction() as tx:
        team = tx.add("teams", {"name": "Team Rijnmond", "region": "Rijnmond"})
        coach = tx.add("coaches", {"code": "JC01", "name": "Jet Coach", "team_id": team})
        other = tx.add("coaches", {"code": "JC02", "name": "Kees Coach", "team_id": team})
        cm = tx.add("case_managers", {"name": "Carla Consulent", "organisation": "Gemeente"})
    return Staff(team, coach, other, cm)


CLIENT = {
    "given_name": "Amira",
    "family_name": "Proefstra",
    "birth_date": "14-03-2001",
    "target_group": "young_people",
    "municipality": "Rotterdam",
    "region": "Rijnmond",
    "postcode": "3011 AB",
    "education_level": "mbo2",
}


def register_case(store: Workspace, staff: Staff, **kw: object) -> int:
    """Register one opstapbaan trajectory on 01-06-2026 with a coach and a signed plan."""
    values: dict[str, object] = {
        "method": "opstapbaan",
        "registered_at": "01-06-2026 09:00",
        "case_manager_id": staff.case_manager,
        "coach_id": staff.coach,
        "coach_assigned_at": "02-06-2026 10:00",
        "plan": {
            "signed_case_manager_on": "03-06-2026",
            "signed_coach_on": "03-06-2026",
            "signed_client_on": "04-06-2026",
        },
    }
    values.update(kw)
    client = values.pop("client", CLIENT)
    return store.register(client, **values)  # type: ignore[arg-type]


DEMO_AS_OF = dt.date(2026, 11, 2)


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo register (300 trajectories, seed 7, as of 02-11-2026), built once a run."""
    from trajecttools.outputs import demo

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    with Workspace(path, actor="demo", today=DEMO_AS_OF) as store:
        demo.build(store, size=300, seed=7, as_of=DEMO_AS_OF)
        store.set_info("synthetic", "true")
    return path


@pytest.fixture(scope="session")
def matchtafel_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo register with enough open vacancies (1 000 trajectories, seed 3, as of
    02-11-2026), built once a run."""
    from trajecttools.outputs import demo

    path = tmp_path_factory.mktemp("matchtafel") / "demo.db"
    with Workspace(path, actor="demo", today=DEMO_AS_OF) as store:
        demo.build(store, size=1000, seed=3, as_of=DEMO_AS_OF)
    return path


def real_console_errors(errors: list[str]) -> list[str]:
    """Return the console errors that point at a defect (all but the missing favicon)."""
    return [e for e in errors if "favicon" not in e]
