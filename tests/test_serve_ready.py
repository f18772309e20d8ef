"""``trajecttools serve`` says "klaar" only when every dashboard's preheated kernel is ready.

The shared demo server (three dashboards, MDO pool 2, others 1) is started with the real command;
its output is read line by line, and its pool states (``/trajecttools/api/pools``) were asked
while it started and right after "klaar". A dashboard that cannot be preheated stops the server
with a Dutch message and a non-zero exit code, the traceback in the server log only.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from browser import DASHBOARDS, RENDER_TIMEOUT, Voila, free_port
from trajecttools.core.startup import ENV_REFILL
from trajecttools.serving import READY_TEXT

PROGRESS = "Dashboards voorbereiden:"


def _lines(server: Voila) -> list[str]:
    return server.log_text().splitlines()


@pytest.mark.browser
def test_klaar_comes_after_every_dashboard_is_preheated(demo_server: Voila, page: Any) -> None:
    lines = _lines(demo_server)
    ready_at = [i for i, line in enumerate(lines) if READY_TEXT in line]
    assert len(ready_at) == 1, lines
    progress = [(i, line) for i, line in enumerate(lines) if line.startswith(PROGRESS)]
    assert progress, lines
    # the first progress line shows work to do, the last one before "klaar" every ✓
    assert "…" in progress[0][1]
    last_i, last = max((p for p in progress if p[0] < ready_at[0]), default=(-1, ""))
    assert last_i >= 0 and "…" not in last, last
    for name in ("MDO ✓", "Matchtafel ✓", "Monitoring ✓"):
        assert name in last
    assert all(i < ready_at[0] for i, _ in progress)  # nothing after "klaar"
    # at "klaar" the server's own pools report every kernel ready (MDO two, the others one)
    pools = demo_server.pools_at_ready
    assert {nb: (p["size"], p["ready"]) for nb, p in pools.items()} == {
        "mdo.ipynb": (2, 2), "matchtafel.ipynb": (1, 1), "monitoring.ipynb": (1, 1)}
    # ... and while it was not yet "klaar", they did not
    assert demo_server.pools_before_ready
    assert any(p["ready"] < p["size"] for state in demo_server.pools_before_ready
               for p in state.values())
    # the first visit renders the first screen: title bar, filters, a signal row
    page.goto(demo_server.render("mdo.ipynb"))
    page.locator(".tt-signal-row:visible").first.wait_for(timeout=RENDER_TIMEOUT)
    assert page.locator(".tt-mdo .tt-titlebar").is_visible()
    assert page.locator(".tt-mdo .tt-filters").is_visible()


def _get(url: str) -> tuple[int, str, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=120) as answer:
            return answer.status, answer.read().decode("utf-8"), dict(answer.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8"), dict(exc.headers)


@pytest.mark.browser
def test_a_visitor_without_a_ready_kernel_gets_even_geduld(demo_server: Voila) -> None:
    pools = _pool_full(demo_server, "monitoring.ipynb")  # earlier tests' refills done
    ready = pools["monitoring.ipynb"]["ready"]
    assert ready >= 1
    taken = []
    try:
        for _ in range(ready):  # every ready kernel goes to a visitor
            status, page, _headers = _get(demo_server.render("monitoring.ipynb"))
            assert status == 200
            found = re.search(r'"kernelId":\s*"([0-9a-f-]+)"', page)
            assert found, page[:500]
            taken.append(found.group(1))
        status, page, headers = _get(demo_server.render("monitoring.ipynb"))
        assert status == 503
        assert "Even geduld" in page and "Monitoring" in page
        assert 'http-equiv="refresh"' in page and headers.get("Retry-After") == "2"
        assert "Traceback" not in page
        # the replacement waits for a core to spare before its start-up; the first fill did not
        replacement = _new_kernel(demo_server, "monitoring.ipynb", set(pools["monitoring.ipynb"][
            "kernels"]) | set(taken))
        assert (_environ(demo_server, replacement) or {}).get(ENV_REFILL) == "1"
        first_fill = [k for ks in demo_server.pools_at_ready.values() for k in ks["kernels"]]
        alive = [env for env in (_environ(demo_server, k, missing_ok=True) for k in first_fill)
                 if env is not None]
        assert alive and all(ENV_REFILL not in env for env in alive)  # kernels seen at "klaar"
    finally:
        for kernel in taken:  # as a closed tab does
            request = urllib.request.Request(
                demo_server.url(f"voila/api/shutdown/{kernel}"), method="POST", data=b"")
            urllib.request.urlopen(request, timeout=30).close()


def _pool_full(server: Voila, notebook: str, timeout: float = 180) -> dict[str, Any]:
    """Wait until every kernel of ``notebook``'s pool is ready; return the pool states."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pools = server.pools() or {}
        if notebook in pools and pools[notebook]["ready"] == pools[notebook]["size"]:
            return pools
        time.sleep(0.5)
    raise AssertionError(f"de pool van {notebook} werd niet gevuld binnen {timeout:.0f} s")


def _new_kernel(server: Voila, notebook: str, known: set[str], timeout: float = 120) -> str:
    """Wait for a kernel of ``notebook``'s pool that is not in ``known``; return its id."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        kernels = set((server.pools() or {}).get(notebook, {}).get("kernels", [])) - known
        if kernels:
            return kernels.pop()
        time.sleep(0.5)
    raise AssertionError(f"geen nieuwe kernel voor {notebook} binnen {timeout:.0f} s")


def _descends(pid: int, ancestor: int) -> bool:
    """Tell whether process ``pid`` was started (indirectly) by ``ancestor`` (Linux /proc)."""
    while pid > 1:
        try:
            pid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            return False
        if pid == ancestor:
            return True
    return False


def _environ(server: Voila, kernel: str, missing_ok: bool = False) -> dict[str, str] | None:
    """Return the environment of a kernel of the server's Voilà (found by its connection file);
    None for a kernel that is gone when ``missing_ok``."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or not _descends(int(entry.name), server.proc.pid):
            continue
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
            if not any(arg.endswith(f"kernel-{kernel}.json".encode()) for arg in args):
                continue
            raw = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        return dict(item.decode().partition("=")[::2] for item in raw if b"=" in item)
    if missing_ok:
        return None
    raise AssertionError(f"kernel {kernel} niet gevonden")


def _broken(folder: Path) -> Path:
    folder.mkdir()
    nb = json.loads((DASHBOARDS / "mdo.ipynb").read_text("utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code" and any("import mdo" in line for line in cell["source"]):
            cell["source"] = ["from trajecttools.apps import bestaat_niet\n"]
    (folder / "mdo.ipynb").write_text(json.dumps(nb), "utf-8")
    (folder / "voila.json").write_text((DASHBOARDS / "voila.json").read_text("utf-8"))
    return folder


def test_a_dashboard_that_fails_to_preheat_stops_serve(demo_db: Path, tmp_path: Path) -> None:
    folder = _broken(tmp_path / "dashboards")
    cmd = [sys.executable, "-m", "trajecttools.cli", "serve", "--db", f"sqlite:///{demo_db}",
           "--dir", str(folder), "--port", str(free_port()), "--token=proef"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=tmp_path, start_new_session=True)
    try:
        stdout, stderr = proc.communicate(timeout=180)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # serve, Voilà and the kernel: this session only
        stdout, stderr = proc.communicate()
    assert proc.returncode == 1, stdout + stderr
    assert READY_TEXT not in stdout
    assert "Dashboards voorbereiden: MDO …" in stdout
    assert "Fout: het dashboard MDO kon niet worden voorbereid" in stderr
    # the traceback is in the server log (stderr), not in anything a visitor could see
    assert "ImportError" in stderr and "bestaat_niet" in stderr
