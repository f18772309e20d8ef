"""The README's Python examples run, in order, on a demo register (an example that breaks fails)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)


def test_readme_has_python_examples() -> None:
    assert len(BLOCK.findall((ROOT / "README.md").read_text("utf-8"))) >= 2


def test_readme_python_examples_run_in_order(
    demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "data").mkdir()
    shutil.copy(demo_db, tmp_path / "data" / "demo.db")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TRAJECTTOOLS_ROLE", raising=False)
    namespace: dict[str, object] = {}
    for number, block in enumerate(BLOCK.findall((ROOT / "README.md").read_text("utf-8")), 1):
        exec(compile(block, f"README.md python block {number}", "exec"), namespace)
    # what the examples promise: an analyst's pseudonymised cases frame, and the new case
    # registered and moved to intake by the writing example
    cases = namespace["cases"]
    assert isinstance(cases, pd.DataFrame) and len(cases) == 300
    assert "initials" not in cases.columns  # the default role is analyst: pseudonymised
    store = namespace["store"]
    tid = namespace["tid"]
    assert store.get("trajectories", tid)["phase"] == "intake"  # type: ignore[attr-defined]
