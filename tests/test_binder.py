"""Binder, recreated without docker: a fresh venv built from ``binder/`` the way repo2docker does,
every notebook executed with that venv's kernel, and the MDO dashboard rendered by Voilà inside
the Jupyter server that Binder starts (``binder/start``), in Chromium.

repo2docker's steps for a ``binder/`` folder with ``runtime.txt`` and ``requirements.txt``
(python build pack): a venv with the pinned Python, ``pip install -r binder/requirements.txt``
from the repository root, ``binder/postBuild`` from the repository root, and at every launch
``binder/start <server command>``. This test does the same in a copy of the working tree (so
``data/`` of the real checkout is left alone), with a fresh ``HOME``. Packages come from the
package index, like on Binder. It takes minutes: one venv build for the whole module.

Figures (install time, peak memory of the demo build and of the dashboard's kernel) are written
to ``artifacts/binder.json``; screenshots of the dashboard and of every walkthrough step to
``artifacts/screenshots/``.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from browser import free_port

pytestmark = [pytest.mark.binder, pytest.mark.browser, pytest.mark.notebook]

ROOT = Path(__file__).resolve().parents[1]
BINDER = ROOT / "binder"
ARTIFACTS = ROOT / "artifacts"
SHOTS = ARTIFACTS / "screenshots"
PAGE_TIMEOUT_MS = 180_000
#: mybinder.org gives a session about 1-2 GB; the dashboard's kernel must stay well below.
KERNEL_LIMIT_KB = 1_000_000
#: Not copied into the Binder checkout: local environments, results and caches.
_ANYWHERE = shutil.ignore_patterns(".git", ".venv", "__pycache__", ".pytest_cache", ".mypy_cache",
                                   ".ruff_cache", "*.egg-info", ".ipynb_checkpoints", "*.db",
                                   "*.db-wal", "*.db-shm")
#: Only the repository's own ``data/`` and ``artifacts/`` (the package's data files are copied).
_AT_ROOT = {"data", "artifacts"}


def _ignore(folder: str, names: list[str]) -> set[str]:
    """Names in ``folder`` not to copy into the Binder checkout."""
    skip = set(_ANYWHERE(folder, names))
    if Path(folder) == ROOT:
        skip |= _AT_ROOT & set(names)
    return skip
#: Run with the Binder venv's Python, under binder/start: executes every notebook (as a user
#: would, from its own folder), reports errors as JSON, and exports the walkthrough as HTML.
EXECUTE = r"""
import json, sys
from pathlib import Path
import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter

root, out = Path(sys.argv[1]), Path(sys.argv[2])
report = {}
for path in sorted([*root.glob("notebooks/*.ipynb"), *root.glob("dashboards/*.ipynb")]):
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    errors = [o.get("ename", "") + ": " + o.get("evalue", "") for c in nb.cells
              if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    report[str(path.relative_to(root))] = errors
    if path.name == "training.ipynb":
        body, _ = HTMLExporter().from_notebook_node(nb)
        (out / "training.html").write_text(body, "utf-8")
(out / "notebooks.json").write_text(json.dumps(report), "utf-8")
"""


@dataclass
class BinderEnv:
    repo: Path
    venv: Path
    env: dict[str, str]
    figures: dict[str, Any] = field(default_factory=dict)

    def start(self, *cmd: str) -> list[str]:
        """Return a command run the way Binder launches: through ``binder/start``."""
        return [str(self.repo / "binder" / "start"), *cmd]


def _runtime_python() -> str:
    runtime = (BINDER / "runtime.txt").read_text("utf-8").strip()
    match = re.fullmatch(r"python-(\d+\.\d+)", runtime)
    assert match, f"binder/runtime.txt should pin python-X.Y, not {runtime!r}"
    return match.group(1)


def _peak_kb(time_output: str) -> int:
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", time_output)
    assert match, time_output[-2000:]
    return int(match.group(1))


def _run(cmd: list[str], env: dict[str, str], cwd: Path, timeout: float) -> str:
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, check=False)
    assert proc.returncode == 0, f"{cmd[:3]} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def binder(tmp_path_factory: pytest.TempPathFactory) -> BinderEnv:
    """A checkout of the working tree, built like Binder builds it (venv, install, postBuild)."""
    version = _runtime_python()
    python = shutil.which(f"python{version}")
    if python is None:
        pytest.skip(f"python{version} (binder/runtime.txt) is not installed here")
    base = tmp_path_factory.mktemp("binder")
    repo, venv, home = base / "repo", base / "venv", base / "home"
    shutil.copytree(ROOT, repo, ignore=_ignore)
    home.mkdir()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TRAJECTTOOLS_", "JUPYTER", "VIRTUAL_ENV", "PYTHON", "VOILA"))}
    env.update(HOME=str(home), PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
               PYTHONUNBUFFERED="1")
    figures: dict[str, Any] = {"python": version}
    _run([python, "-m", "venv", str(venv)], env, repo, 300)
    began = time.monotonic()
    _run([str(venv / "bin" / "pip"), "install", "--quiet", "-r", "binder/requirements.txt"],
         env, repo, 1800)
    figures["install_seconds"] = round(time.monotonic() - began, 1)
    began = time.monotonic()
    out = _run(["/usr/bin/time", "-v", str(repo / "binder" / "postBuild")], env, repo, 900)
    figures["postbuild_seconds"] = round(time.monotonic() - began, 1)
    figures["postbuild_peak_rss_kb"] = _peak_kb(out)
    figures["demo_db_bytes"] = (repo / "data" / "demo.db").stat().st_size
    return BinderEnv(repo, venv, env, figures)


def test_install_is_the_package_itself(binder: BinderEnv) -> None:
    """requirements.txt names the repository, not a second dependency list; it installed."""
    lines = [ln.split("#", 1)[0].strip() for ln in
             (BINDER / "requirements.txt").read_text("utf-8").splitlines()]
    assert [ln for ln in lines if ln] == ["."]
    out = _run([str(binder.venv / "bin" / "python"), "-c",
                "import trajecttools, voila, ipykernel; print(trajecttools.__file__)"],
               binder.env, binder.repo, 120)
    assert str(binder.venv) in out, out  # installed into the venv, not run from the checkout
    assert (binder.repo / "data" / "demo.db").exists()


@pytest.fixture(scope="module")
def executed(binder: BinderEnv) -> dict[str, list[str]]:
    """Every notebook executed with the Binder venv's kernel, under binder/start."""
    began = time.monotonic()
    _run(binder.start(str(binder.venv / "bin" / "python"), "-c", EXECUTE,
                      str(binder.repo), str(binder.repo)), binder.env, binder.repo, 3600)
    binder.figures["notebooks_seconds"] = round(time.monotonic() - began, 1)
    report: dict[str, list[str]] = json.loads((binder.repo / "notebooks.json").read_text("utf-8"))
    return report


def test_every_notebook_runs_in_the_binder_venv(
    binder: BinderEnv, executed: dict[str, list[str]]
) -> None:
    report = executed
    notebooks = {*ROOT.glob("notebooks/*.ipynb"), *ROOT.glob("dashboards/*.ipynb")}
    assert set(report) == {str(p.relative_to(ROOT)) for p in notebooks}
    assert {"notebooks/training.ipynb", "notebooks/explore.ipynb"} <= set(report)
    assert not {k: v for k, v in report.items() if v}, report
    html = (binder.repo / "training.html").read_text("utf-8")
    # the walkthrough reached its last step, with charts drawn as inline SVG (no network)
    assert "E. De volgende job, en het MDO in elke fase" in html
    assert len(re.findall(r"class=[\"']tt-step[\"']", html)) >= 20
    assert html.count("<svg") >= 8


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def _children_peak_kb(pid: int) -> dict[int, int]:
    """Peak resident memory (VmHWM) of every process whose parent is ``pid``."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        ppid = re.search(r"^PPid:\s+(\d+)", status, re.M)
        hwm = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
        if ppid and hwm and int(ppid.group(1)) == pid:
            found[int(entry.name)] = int(hwm.group(1))
    return found


@pytest.fixture(scope="module")
def server(binder: BinderEnv) -> Iterator[tuple[str, str, subprocess.Popen[bytes]]]:
    """JupyterLab with the Voilà extension, launched through binder/start like on Binder."""
    port, token = free_port(), secrets.token_urlsafe(16)
    log = binder.repo.parent / "server.log"
    cmd = binder.start(str(binder.venv / "bin" / "jupyter"), "lab", "--no-browser",
                       f"--port={port}", "--ServerApp.port_retries=0", "--ip=127.0.0.1",
                       f"--IdentityProvider.token={token}", f"--notebook-dir={binder.repo}",
                       *(["--allow-root"] if os.geteuid() == 0 else []))  # Binder runs as jovyan
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, env=binder.env, cwd=binder.repo, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(log.read_text("utf-8")[-3000:])
        try:
            if _status(f"{base}/api/status?token={token}") == 200:
                break
        except OSError:
            time.sleep(0.5)
    else:
        raise TimeoutError("Jupyter server did not start")
    try:
        yield base, token, proc
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the session started above, nothing else
            proc.wait()


def test_binder_urls_open_the_dashboard_and_the_notebooks(
    binder: BinderEnv, server: tuple[str, str, subprocess.Popen[bytes]], browser: Any
) -> None:
    base, token, proc = server
    # the second badge: JupyterLab on the notebooks folder
    assert _status(f"{base}/lab/tree/notebooks?token={token}") == 200
    # the first badge: urlpath=voila/render/dashboards/mdo.ipynb
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    page.goto(f"{base}/voila/render/dashboards/mdo.ipynb?token={token}")
    page.locator(".tt-signals").wait_for(timeout=PAGE_TIMEOUT_MS)
    rows = page.locator(".tt-signal-row:visible")
    rows.first.wait_for(timeout=PAGE_TIMEOUT_MS)
    assert rows.count() > 0
    assert re.search(r"K-[0-9A-Z]{6}", rows.first.inner_text())  # pseudonyms, no names
    content = page.content()
    # binder/jupyter/voila.json: the package's template (lost-connection banner), no sources
    assert "tt-disconnected" in content
    assert "trajecttools.apps" not in content
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "binder-mdo.png"))
    kernels = _children_peak_kb(proc.pid)
    page.close()
    assert kernels, "no kernel process found under the Jupyter server"
    binder.figures["kernel_peak_rss_kb"] = max(kernels.values())
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "binder.json").write_text(json.dumps(binder.figures, indent=2), "utf-8")
    assert max(kernels.values()) < KERNEL_LIMIT_KB, binder.figures


def test_walkthrough_screenshots(
    binder: BinderEnv, executed: dict[str, list[str]], browser: Any
) -> None:
    """Every step of the executed walkthrough as a screenshot, for people to look at."""
    assert executed["notebooks/training.ipynb"] == []
    html = binder.repo / "training.html"
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(html.as_uri())
    steps = page.locator(".tt-step")
    steps.first.wait_for(timeout=60_000)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in SHOTS.glob("training-*.png"):
        old.unlink()
    count = steps.count()
    assert count >= 20
    for i in range(count):
        steps.nth(i).screenshot(path=str(SHOTS / f"training-{i + 1:02d}.png"))
    page.close()
    assert len(list(SHOTS.glob("training-*.png"))) == count
