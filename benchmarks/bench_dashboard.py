"""How fast the MDO dashboard answers in Chromium on a 5 000-trajectory demo register.

Measures (targets in brackets):

* navigation to the first visible signal row, with a preheated kernel waiting (≤ 4 s);
* a coach-filter change to the updated signal table (≤ 0.5 s).

Run: ``.venv/bin/python benchmarks/bench_dashboard.py [--size 5000] [--runs 3]``. The server is
started with :func:`trajecttools.serving.serve` in a subprocess and stopped at the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from trajecttools.outputs import demo
from trajecttools.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
AS_OF = dt.date(2026, 11, 2)
SERVE = ("import sys; from trajecttools.serving import serve; "
         "sys.exit(serve(sys.argv[1], dashboards_dir=sys.argv[2], port=int(sys.argv[3]), "
         "token=sys.argv[4]))")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> list[int]:
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


def _cpu_ticks(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total


def wait_until_preheated(log: Path, serve_pid: int, used: int, timeout: float = 300,
                         notebook: str = "mdo.ipynb") -> None:
    """Wait until the notebook's pool is (re)filled and its kernel has gone quiet (imports
    done, waiting for a visitor): kernel CPU time unchanged for two seconds."""
    deadline = time.monotonic() + timeout
    filled = f"Kernel pool of {notebook} is filled with"  # each dashboard has its own pool
    while log.read_text("utf-8", "replace").count(filled) <= used:
        if time.monotonic() > deadline:
            raise TimeoutError("kernel pool not filled")
        time.sleep(0.2)
    voila = _children(serve_pid)
    last, quiet_since = -1, time.monotonic()
    while time.monotonic() < deadline:
        kernels = [k for v in voila for k in _children(v)]
        ticks = _cpu_ticks(kernels)
        if ticks != last:
            last, quiet_since = ticks, time.monotonic()
        elif time.monotonic() - quiet_since > 2.0:
            return
        time.sleep(0.25)
    raise TimeoutError("preheated kernel did not settle")


def main() -> int:
    """Build the demo, start the server, measure, print the numbers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--filters", type=int, default=6)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="tt-bench-"))
    db = work / "demo.db"
    start = time.perf_counter()
    with Workspace(db, actor="demo", today=AS_OF) as store:
        demo.build(store, size=args.size, seed=7, as_of=AS_OF)
    print(f"Demoregister: {args.size} trajecten in {time.perf_counter() - start:.1f} s")

    port, token = _free_port(), secrets.token_urlsafe(16)
    log = work / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-c", SERVE, f"sqlite:///{db}", str(ROOT / "dashboards"),
             str(port), token],
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}/voila/render/mdo.ipynb?token={token}"
    loads: list[float] = []
    filters: list[float] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                        args=CHROMIUM_ARGS)
            for run in range(args.runs):
                wait_until_preheated(log, proc.pid, used=run)
                page = browser.new_page(viewport={"width": 1920, "height": 1080})
                t0 = time.perf_counter()
                page.goto(url, wait_until="commit", timeout=300_000)
                page.locator(".tt-signal-row:visible").first.wait_for(timeout=300_000)
                loads.append(time.perf_counter() - t0)
                print(f"  laadtijd run {run + 1}: {loads[-1]:.2f} s")
                if run == args.runs - 1:
                    select = page.locator(".tt-coach-filter select")
                    count = min(args.filters, select.locator("option").count() - 1)
                    for i in range(1, count + 1):
                        name = select.locator("option").nth(i).inner_text().replace(
                            "\xa0", " ").strip()
                        t1 = time.perf_counter()
                        select.select_option(index=i)
                        page.wait_for_function(
                            "coach => { const rows = [...document.querySelectorAll("
                            "'.tt-signal-row')].filter(r => r.offsetParent !== null);"
                            " const title = document.querySelector('.tt-title');"
                            " return title && title.innerText.includes(coach) &&"
                            " rows.every(r => r.innerText.includes(coach)); }",
                            arg=name, timeout=60_000, polling="raf")
                        filters.append(time.perf_counter() - t1)
                        print(f"  filter {name}: {filters[-1] * 1000:.0f} ms")
                page.close()
            browser.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    preheated = log.read_text("utf-8", "replace").count("Using pre-heated kernel")
    print(f"Voorverwarmde kernels gebruikt: {preheated} van {len(loads)} paginabezoeken")
    print(f"Navigatie -> eerste signaalregel: mediaan {statistics.median(loads):.2f} s, "
          f"min {min(loads):.2f} s, max {max(loads):.2f} s (doel <= 4 s)")
    if filters:
        print(f"Filter jobcoach -> tabel bijgewerkt: mediaan "
              f"{statistics.median(filters) * 1000:.0f} ms, max {max(filters) * 1000:.0f} ms "
              "(doel <= 500 ms)")
    print(f"Processoren: {os.cpu_count()}, belasting: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
