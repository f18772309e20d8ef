"""Every notebook and dashboard is thin, stored without outputs, and runs on a demo register."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted([*ROOT.glob("notebooks/*.ipynb"), *ROOT.glob("dashboards/*.ipynb")])
IDS = [str(p.relative_to(ROOT)) for p in NOTEBOOKS]
MAX_CODE_LINES = 25


def _code_cells(path: Path) -> list[dict[str, object]]:
    cells = json.loads(path.read_text("utf-8"))["cells"]
    return [c for c in cells if c["cell_type"] == "code"]


def test_there_are_notebooks_and_dashboards() -> None:
    assert any(p.parent.name == "dashboards" for p in NOTEBOOKS), "no dashboards found"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_is_thin_and_stripped(path: Path) -> None:
    code = _code_cells(path)
    sources = ["".join(c["source"]) for c in code]  # type: ignore[arg-type]
    lines = [ln for s in sources for ln in s.splitlines() if ln.strip() and
             not ln.strip().startswith("#")]
    assert len(lines) <= MAX_CODE_LINES, f"{len(lines)} lines of code: logic belongs in the package"
    assert not any(re.search(r"^\s*(def|class|lambda)\b|\blambda\b", s, re.M) for s in sources)
    assert not any(c.get("outputs") for c in code), "outputs must be stripped"
    assert not any(c.get("execution_count") for c in code), "execution counts must be stripped"
    imports = [ln for ln in lines if re.match(r"\s*(import|from)\s", ln)]
    for ln in imports:
        assert re.match(r"\s*(import trajecttools|from trajecttools)", ln), ln
    tagged = [c for c in code if "parameters" in c.get("metadata", {}).get("tags", [])]  # type: ignore[union-attr]
    assert tagged, "a cell tagged 'parameters' with plain values is expected"


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_runs_on_a_demo_register(path: Path, demo_db: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRAJECTTOOLS_DATABASE_URL", f"sqlite:///{demo_db}")
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute(env=dict(os.environ))
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors, errors
