"""What ``import trajecttools as tt`` offers works on first and later calls."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

import trajecttools as tt
from conftest import DEMO_AS_OF
from trajecttools.register.store import Store


def test_open_returns_the_workspace_joining_store_access_and_frames(
    demo_db: Path, tmp_path: Path
) -> None:
    shutil.copy(demo_db, tmp_path / "demo.db")
    with tt.open(tmp_path / "demo.db", today=DEMO_AS_OF, role="analyst") as ws:
        assert isinstance(ws, tt.Workspace) and isinstance(ws, Store)
        cases = ws.cases()
        assert len(cases) == 300 and "initials" not in cases.columns  # analyst: pseudonymised
        assert "family_name" not in ws.frame("clients").columns


def test_signals_and_caseload_are_callable_first_and_later(demo_db: Path, tmp_path: Path) -> None:
    shutil.copy(demo_db, tmp_path / "demo.db")
    with tt.open(tmp_path / "demo.db", today=DEMO_AS_OF, role="beheer") as ws:
        first, again = tt.signals(ws), tt.signals(ws)
        assert isinstance(first, pd.DataFrame) and len(first) > 0
        pd.testing.assert_frame_equal(first, again)
        load = tt.caseload(ws)
        assert int(load["active"].sum()) == int(ws.cases()["active"].sum())
        assert tt.caseload(ws).equals(load)
