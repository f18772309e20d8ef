"""A meeting day in compressed time: does every visit stay fast, and does memory stay flat?

``trajecttools serve`` runs on a demo register with idle kernels culled after ``--cull`` seconds
(60; a real day: an hour). Chromium visits MDO, Matchtafel and monitoring in turn, ``--visits``
times (50), one every ``--interval`` seconds (15; the same dashboard every 45 s); each visit
waits for the first screen, stays a moment, and its tab is closed without ``beforeunload`` (a
laptop lid shut: the kernel lingers until it is culled). After every visit the memory (RSS) of
the Voilà server and of all kernels is read from ``/proc``; the last quarter of the run is
compared with the second (in the first, kernels pile up until the first cull).

Reports every visit's time to first screen (≤ 2 s, or which were not, and whether the visitor
saw the "even geduld" page) and whether memory grew. Loopback only, bounded (about
``visits × interval`` seconds plus the start), not run in CI.

Run: ``.venv/bin/python benchmarks/soak_dashboard.py [--size 5000] [--visits 50]
[--interval 15] [--cull 60]`` (short form: ``--visits 12 --interval 10``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from bench_dashboard import (
    CHROMIUM_ARGS,
    DASHBOARDS,
    TARGET,
    VIEWPORT,
    build_demo,
    children,
    first_screen,
    kernel_pids,
    memory_kb,
    pinned_dashboards,
    serve,
)

#: Growth of the Voilà server (median RSS, last quarter against the second) still called flat.
FLAT = 1.10


def main() -> int:
    """Run the compressed day and print the verdict."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=5000)
    parser.add_argument("--visits", type=int, default=50)
    parser.add_argument("--interval", type=float, default=15.0)
    parser.add_argument("--cull", type=int, default=60)
    parser.add_argument("--stay", type=float, default=3.0, help="seconden op de pagina")
    args = parser.parse_args()
    print(f"Belasting bij de start (/proc/loadavg): {Path('/proc/loadavg').read_text().strip()}")
    work = Path(tempfile.mkdtemp(prefix="tt-soak-"))
    db = build_demo(work, args.size)
    folder = pinned_dashboards(work / "dashboards")
    rows: list[tuple[int, str, float, bool, int, int, int]] = []
    with sync_playwright() as p, serve(db, folder, work, f"--cull-idle={args.cull}") as server:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        print(f"'klaar' na {server.wait_ready():.1f} s")
        begin = time.monotonic()
        for visit in range(args.visits):
            due = begin + visit * args.interval
            time.sleep(max(0.0, due - time.monotonic()))
            nb = DASHBOARDS[visit % len(DASHBOARDS)]
            context = browser.new_context(viewport=VIEWPORT)
            page = context.new_page()
            waited: list[bool] = []
            page.on("response", lambda r, w=waited: w.append(r.status == 503))
            seconds = first_screen(page, server, nb)
            page.wait_for_timeout(args.stay * 1000)
            page.close(run_before_unload=False)
            context.close()
            voila = sum(memory_kb(v)[0] for v in children(server.proc.pid))
            kernels = kernel_pids(server)
            kernel_rss = sum(memory_kb(k)[0] for k in kernels.values())
            rows.append((visit + 1, nb, seconds, any(waited), voila, len(kernels), kernel_rss))
            print(f"  bezoek {visit + 1:2d} {nb:17s} {seconds:5.2f} s"
                  f"{' (even geduld)' if any(waited) else ''}; Voilà {voila / 1024:.0f} MB, "
                  f"{len(kernels)} kernels {kernel_rss / 1024:.0f} MB", flush=True)
        culled = server.err.read_text("utf-8", "replace").count("Culling 'idle' kernel")
        browser.close()

    slow = [r for r in rows if r[2] > TARGET]
    # the second quarter against the last: in the first one kernels pile up until the first cull
    quarter = max(1, len(rows) // 4)
    first, last = rows[quarter:2 * quarter], rows[-quarter:]
    voila_growth = statistics.median(r[4] for r in last) / statistics.median(r[4] for r in first)
    total_first = statistics.median(r[4] + r[6] for r in first)
    total_last = statistics.median(r[4] + r[6] for r in last)
    print(f"\nBezoeken: {len(rows)}; eerste scherm mediaan "
          f"{statistics.median(r[2] for r in rows):.2f} s, max {max(r[2] for r in rows):.2f} s; "
          f"boven {TARGET:.0f} s: {len(slow)}"
          + (f" (bezoeken {', '.join(str(r[0]) for r in slow)})" if slow else "")
          + f"; met 'even geduld': {sum(r[3] for r in rows)}")
    print(f"Kernels opgeruimd na {args.cull} s niets doen: {culled}; kernels aan het eind: "
          f"{rows[-1][5]} (max {max(r[5] for r in rows)})")
    voila_first = statistics.median(r[4] for r in first) / 1024
    voila_last = statistics.median(r[4] for r in last) / 1024
    print(f"Geheugen Voilà-server (mediaan RSS): tweede kwart {voila_first:.0f} MB, "
          f"laatste kwart {voila_last:.0f} MB "
          f"(x{voila_growth:.2f}); server + kernels: {total_first / 1024:.0f} -> "
          f"{total_last / 1024:.0f} MB")
    flat = voila_growth <= FLAT and max(r[5] for r in last) <= max(r[5] for r in first) + 1
    print(f"Alle bezoeken <= {TARGET:.0f} s: {'ja' if not slow else 'NEE'}; geheugen vlak: "
          f"{'ja' if flat else 'NEE'}")
    print(f"Belasting aan het eind (/proc/loadavg): {Path('/proc/loadavg').read_text().strip()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
