"""Doctest set-up: every docstring example runs against a small demo register (no skips).

``make test`` runs them (``pytest --doctest-modules src/trajecttools``); ``store`` in an example is a register of
300 fictional trajectories (seed 7) as of 02-11-2026, opened as functional administrator.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from trajecttools.outputs import demo
from trajecttools.workspace import Workspace

AS_OF = dt.date(2026, 11, 2)

#: Alembic scripts run only inside a migration, never on import.
collect_ignore_glob = ["src/trajecttools/register/migrations/*"]


@pytest.fixture(scope="session")
def doctest_register(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A demo register file built once for all docstring examples."""
    path = tmp_path_factory.mktemp("doctest") / "demo.db"
    with Workspace(path, actor="demo", today=AS_OF) as store:
        demo.build(store, size=300, seed=7, as_of=AS_OF)
        store.set_info("synthetic", "true")
    yield path


@pytest.fixture(autouse=True)
def _examples_namespace(request: pytest.FixtureRequest) -> Iterator[None]:
    """Give each docstring example a fresh copy of the demo register as ``store``, in a temporary
    working folder (other tests are left alone)."""
    if type(request.node).__name__ != "DoctestItem":
        yield
        return
    doctest_namespace: dict[str, Any] = request.getfixturevalue("doctest_namespace")
    tmp_path: Path = request.getfixturevalue("tmp_path")
    monkeypatch: pytest.MonkeyPatch = request.getfixturevalue("monkeypatch")
    copy = tmp_path / "demo.db"
    copy.write_bytes(request.getfixturevalue("doctest_register").read_bytes())
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TRAJECTTOOLS_DATABASE_URL", f"sqlite:///{copy}")
    monkeypatch.setenv("TRAJECTTOOLS_USER", "doctest")
    store = Workspace(copy, actor="doctest", today=AS_OF, role="beheer")
    doctest_namespace["store"] = store
    doctest_namespace["AS_OF"] = AS_OF
    try:
        yield
    finally:
        store.close()
