"""How fast the dashboards answer in Chromium on a 5 000-trajectory demo register.

Measures, in one run (targets in brackets):

* **cold**: ``trajecttools serve`` is started, the benchmark waits for its "klaar" line, and
  then opens MDO, Matchtafel and monitoring once each: navigation to the first screen
  (title bar, filters and the first signal row, client list or chart) (≤ 2 s); repeated with a
  fresh server ``--cold-runs`` times (median and max);
* **warm**: on the last server, once the pools report every kernel ready again, each dashboard
  is opened ``--runs`` times more (≤ 2 s);
* a coach-filter change on the MDO to the updated signal table (≤ 0.5 s);
* the memory of the server and of each preheated kernel (RSS and PSS), from ``/proc``.

Run: ``.venv/bin/python benchmarks/bench_dashboard.py [--size 5000] [--cold-runs 5] [--runs 3]``
(short form: ``--cold-runs 1 --runs 1``). Servers listen on a free port of 127.0.0.1 and are
stopped at the end. :mod:`soak_dashboard` reuses the helpers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

from trajecttools.outputs import demo
from trajecttools.serving import READY_TEXT
from trajecttools.voila_server import POOLS_PATH
from trajecttools.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1920, "height": 1080}
AS_OF = dt.date(2026, 11, 2)
TARGET = 2.0
#: What must be visible for a dashboard's first screen: title bar, filters, first content.
FIRST_SCREEN = {
    "mdo.ipynb": [".tt-mdo .tt-titlebar", ".tt-mdo .tt-filters", ".tt-signal-row:visible"],
    "matchtafel.ipynb": [".tt-matchtafel .tt-titlebar", ".tt-matchtafel .tt-client-picker select",
                         ".tt-matchtafel .tt-pairs"],
    "monitoring.ipynb": [".tt-monitoring .tt-titlebar", ".tt-monitoring .tt-period",
                         ".tt-monitoring .tt-headline", ".tt-chart svg .role-mark"],
}
DASHBOARDS = list(FIRST_SCREEN)


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def build_demo(folder: Path, size: int) -> Path:
    """Build a demo register of ``size`` trajectories in ``folder``; return its path."""
    db = folder / "demo.db"
    start = time.perf_counter()
    with Workspace(db, actor="demo", today=AS_OF) as store:
        demo.build(store, size=size, seed=7, as_of=AS_OF)
    print(f"Demoregister: {size} trajecten in {time.perf_counter() - start:.1f} s")
    return db


def pinned_dashboards(folder: Path) -> Path:
    """Copy the dashboards (and voila.json) with the peildatum of the demo; return the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in DASHBOARDS:
        nb = json.loads((ROOT / "dashboards" / name).read_text("utf-8"))
        for cell in nb["cells"]:
            cell["source"] = [f'as_of = "{AS_OF:%d-%m-%Y}"\n' if line.startswith("as_of =")
                              else line for line in cell["source"]]
        (folder / name).write_text(json.dumps(nb), "utf-8")
    (folder / "voila.json").write_text((ROOT / "dashboards" / "voila.json").read_text())
    return folder


@dataclass
class Server:
    """A running ``trajecttools serve``: its address, token, output files and process."""

    base: str
    token: str
    out: Path
    err: Path
    proc: subprocess.Popen[bytes]
    started: float

    def url(self, notebook: str) -> str:
        """Return the address of a dashboard, token included."""
        return f"{self.base}/voila/render/{notebook}?token={self.token}"

    def output(self) -> str:
        """Return what the server printed on stdout so far."""
        return self.out.read_text("utf-8", "replace")

    def pools(self) -> dict[str, dict[str, int]]:
        """Return the server's pool states (``/trajecttools/api/pools``)."""
        with urllib.request.urlopen(f"{self.base}{POOLS_PATH}?token={self.token}",
                                    timeout=10) as answer:
            return json.loads(answer.read())  # type: ignore[no-any-return]

    def wait_ready(self, timeout: float = 900) -> float:
        """Wait for the "klaar" line; return the seconds since the start."""
        deadline = self.started + timeout
        while READY_TEXT not in self.output():
            if self.proc.poll() is not None:
                raise RuntimeError(f"serve stopte ({self.proc.returncode}): "
                                   f"{self.err.read_text('utf-8', 'replace')[-3000:]}")
            if time.monotonic() > deadline:
                raise TimeoutError("serve werd niet klaar")
            time.sleep(0.1)
        return time.monotonic() - self.started

    def wait_pools(self, timeout: float = 300) -> None:
        """Wait until every pool reports all its kernels ready (after a refill)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(p["ready"] == p["size"] for p in self.pools().values()):
                return
            time.sleep(0.25)
        raise TimeoutError(f"pools niet gevuld: {self.pools()}")


@contextmanager
def serve(db: Path, folder: Path, work: Path, *extra: str) -> Iterator[Server]:
    """Run ``trajecttools serve`` on a free loopback port; stop it (and its kernels) after."""
    port, token = free_port(), secrets.token_urlsafe(16)
    out, err = work / f"serve-{port}.out", work / f"serve-{port}.err"
    cmd = [sys.executable, "-m", "trajecttools.cli", "serve", "--db", f"sqlite:///{db}",
           "--dir", str(folder), "--port", str(port), f"--token={token}", *extra]
    with out.open("wb") as o, err.open("wb") as e:
        proc = subprocess.Popen(cmd, stdout=o, stderr=e, start_new_session=True,
                                env={**os.environ, "PYTHONUNBUFFERED": "1"})
    server = Server(f"http://127.0.0.1:{port}", token, out, err, proc, time.monotonic())
    try:
        yield server
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the session started for this server only
            proc.wait()


def first_screen(page: Any, server: Server, notebook: str, timeout: float = 300_000) -> float:
    """Open a dashboard; return the seconds from navigation to its first screen."""
    t0 = time.perf_counter()
    page.goto(server.url(notebook), wait_until="commit", timeout=timeout)
    for selector in FIRST_SCREEN[notebook]:
        page.locator(selector).first.wait_for(state="visible", timeout=timeout)
    return time.perf_counter() - t0


def children(pid: int) -> list[int]:
    """Return the direct child processes of ``pid`` (Linux /proc)."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(entry.name))
    return out


def memory_kb(pid: int) -> tuple[int, int]:
    """Return (RSS, PSS) of a process in kB (0, 0 when it is gone)."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0, 0
    values = {line.split(":")[0]: int(line.split()[1]) for line in text.splitlines()[1:]}
    return values.get("Rss", 0), values.get("Pss", 0)


def kernel_pids(server: Server) -> dict[str, int]:
    """Return the process id of every kernel of the server, by kernel id."""
    out = {}
    for voila in children(server.proc.pid):
        for pid in children(voila):
            try:
                args = Path(f"/proc/{pid}/cmdline").read_text().split("\0")
            except OSError:
                continue
            for arg in args:
                if "kernel-" in arg and arg.endswith(".json"):
                    out[arg.rsplit("kernel-", 1)[1].removesuffix(".json")] = pid
    return out


def server_memory(server: Server) -> dict[str, Any]:
    """Return the memory (RSS, PSS in kB) of the serve process, the Voilà server, every
    kernel, and the preheated kernels by dashboard."""
    voila = children(server.proc.pid)
    pids = kernel_pids(server)
    pooled = {nb: [memory_kb(pids[k]) for k in p["kernels"] if k in pids]
              for nb, p in server.pools().items()}
    return {"serve": memory_kb(server.proc.pid), "voila": [memory_kb(v) for v in voila],
            "kernels": [memory_kb(k) for k in pids.values()], "pooled": pooled}


def memory_text(memory: dict[str, Any]) -> str:
    """Return the memory of :func:`server_memory` as text (RSS/PSS in MB)."""
    def mb(pair: tuple[int, int]) -> str:
        return f"{pair[0] / 1024:.0f}/{pair[1] / 1024:.0f}"
    pooled = "; ".join(f"{nb}: {', '.join(mb(m) for m in ms)}"
                       for nb, ms in memory["pooled"].items())
    total = sum(r for r, _ in memory["voila"]) + sum(r for r, _ in memory["kernels"])
    return (f"serve {mb(memory['serve'])}, Voilà {', '.join(mb(m) for m in memory['voila'])}; "
            f"voorverwarmde kernels per dashboard {pooled}; Voilà + alle kernels samen "
            f"{total / 1024:.0f} MB RSS")


def summary(name: str, values: list[float]) -> str:
    """Return median and max of a list of seconds, with the target."""
    ok = "ja" if max(values) <= TARGET else "NEE"
    return (f"{name}: mediaan {statistics.median(values):.2f} s, max {max(values):.2f} s "
            f"(n={len(values)}; doel <= {TARGET:.0f} s: {ok})")


def measure_filters(page: Any, count: int) -> list[float]:
    """Change the coach filter ``count`` times; return the seconds to the updated table."""
    select = page.locator(".tt-coach-filter select")
    times = []
    for i in range(1, min(count, select.locator("option").count() - 1) + 1):
        name = select.locator("option").nth(i).inner_text().replace("\xa0", " ").strip()
        t1 = time.perf_counter()
        select.select_option(index=i)
        page.wait_for_function(
            "coach => { const rows = [...document.querySelectorAll("
            "'.tt-signal-row')].filter(r => r.offsetParent !== null);"
            " const title = document.querySelector('.tt-title');"
            " return title && title.innerText.includes(coach) &&"
            " rows.every(r => r.innerText.includes(coach)); }",
            arg=name, timeout=60_000, polling="raf")
        times.append(time.perf_counter() - t1)
    return times


def main() -> int:
    """Build the demo, start servers, measure, print the numbers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=5000)
    parser.add_argument("--cold-runs", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3, help="warme bezoeken per dashboard")
    parser.add_argument("--filters", type=int, default=6)
    args = parser.parse_args()
    print(f"Belasting bij de start (/proc/loadavg): {Path('/proc/loadavg').read_text().strip()}")

    work = Path(tempfile.mkdtemp(prefix="tt-bench-"))
    db = build_demo(work, args.size)
    folder = pinned_dashboards(work / "dashboards")
    cold: dict[str, list[float]] = {nb: [] for nb in DASHBOARDS}
    warm: dict[str, list[float]] = {nb: [] for nb in DASHBOARDS}
    klaar: list[float] = []
    filters: list[float] = []
    memory: dict[str, Any] = {}
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for run in range(args.cold_runs):
            with serve(db, folder, work) as server:
                klaar.append(server.wait_ready())
                ready = {nb: f"{p['ready']}/{p['size']}" for nb, p in server.pools().items()}
                print(f"Koude start {run + 1}: 'klaar' na {klaar[-1]:.1f} s; klaarstaande "
                      f"kernels {ready}")
                if run == args.cold_runs - 1:
                    memory = server_memory(server)
                for nb in DASHBOARDS:
                    page = browser.new_page(viewport=VIEWPORT)
                    cold[nb].append(first_screen(page, server, nb))
                    print(f"  {nb}: eerste scherm na {cold[nb][-1]:.2f} s")
                    if run == 0:
                        page.screenshot(path=str(SHOTS / f"klaar-{nb.removesuffix('.ipynb')}.png"))
                    page.close()
                if run < args.cold_runs - 1:
                    continue
                for i in range(args.runs):
                    for nb in DASHBOARDS:
                        server.wait_pools()
                        page = browser.new_page(viewport=VIEWPORT)
                        warm[nb].append(first_screen(page, server, nb))
                        print(f"  warm {i + 1} {nb}: {warm[nb][-1]:.2f} s")
                        if nb == "mdo.ipynb" and i == args.runs - 1:
                            filters = measure_filters(page, args.filters)
                        page.close()
                text = server.err.read_text("utf-8", "replace")
                used = text.count("Using pre-heated kernel")
                print(f"Voorverwarmde kernels gebruikt op de laatste server: {used} van "
                      f"{len(DASHBOARDS) * (1 + args.runs)} bezoeken")
        browser.close()

    print(f"\n'klaar' na de start van serve: mediaan {statistics.median(klaar):.1f} s, "
          f"max {max(klaar):.1f} s")
    for nb in DASHBOARDS:
        print(summary(f"{nb} koud (eerste bezoek na 'klaar')", cold[nb]))
        print(summary(f"{nb} warm", warm[nb]))
    if filters:
        print(f"Filter jobcoach -> tabel bijgewerkt: mediaan "
              f"{statistics.median(filters) * 1000:.0f} ms, max {max(filters) * 1000:.0f} ms "
              "(doel <= 500 ms)")
    if memory:
        print(f"Geheugen bij 'klaar' (RSS/PSS in MB): {memory_text(memory)}")
    print(f"Processoren: {os.cpu_count()}, belasting aan het eind (/proc/loadavg): "
          f"{Path('/proc/loadavg').read_text().strip()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
