"""The intake and follow-up notebooks run in a real kernel against a fresh register."""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import add_staff, register_case
from trajecttools.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]
FORM_NOTEBOOKS = [ROOT / "notebooks" / "intake.ipynb", ROOT / "notebooks" / "follow_up.ipynb"]
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.mark.parametrize("path", FORM_NOTEBOOKS, ids=[p.name for p in FORM_NOTEBOOKS])
def test_form_notebook_is_thin(path: Path) -> None:
    cells = json.loads(path.read_text("utf-8"))["cells"]
    assert cells[0]["cell_type"] == "markdown" and "".join(cells[0]["source"]).startswith("# ")
    code = [c for c in cells if c["cell_type"] == "code"]
    assert "parameters" in code[0]["metadata"]["tags"]
    lines = [ln for c in code for ln in "".join(c["source"]).splitlines()
             if ln.strip() and not ln.strip().startswith("#")]
    assert len(lines) <= 10
    assert not any("def " in ln or "lambda" in ln for ln in lines)
    assert not any(c["outputs"] or c["execution_count"] for c in code)


@pytest.mark.notebook
@pytest.mark.parametrize("path", FORM_NOTEBOOKS, ids=[p.name for p in FORM_NOTEBOOKS])
def test_form_notebook_runs_against_a_temp_register(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "forms.db"
    with Workspace(db, actor="setup") as store:
        register_case(store, add_staff(store))
    monkeypatch.setenv("TRAJECTTOOLS_DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("TRAJECTTOOLS_USER", "notebook.test")
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute(env=dict(os.environ))
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    errors = [o for o in outputs if o.get("output_type") == "error"]
    assert not errors, errors
    streams = [o for o in outputs if o.get("output_type") == "stream"]
    assert not streams, streams  # nothing printed: messages belong in the widgets
    views = [o for o in outputs if WIDGET_VIEW in o.get("data", {})]
    assert len(views) == 1
    text = views[0]["data"].get("text/plain", "")
    assert "tt-form" in text and ("IntakeApp" in text or "FollowUpApp" in text)
    assert "kon niet worden geladen" not in text
