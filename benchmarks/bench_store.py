"""Benchmark: demo build time and `cases` frame time for a large register.

Usage: python benchmarks/bench_store.py [--size 100000] [--db PATH]
Targets (issue 2, this 2-core machine): demo of 100 000 trajectories in under a minute; the
cases frame in at most 2 s. The baseline in the same run is reading the trajectories table alone
(`store.frame("trajectories")`), so the ratio says what the wide frame costs on top of one read.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import tempfile
import time
from pathlib import Path

from trajecttools import demo
from trajecttools.store import Store

AS_OF = dt.date(2026, 11, 2)


def _times(fn: object, repeat: int) -> tuple[float, float]:
    """Best and median wall time of ``repeat`` runs."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def main() -> int:
    """Build (or reuse) a demo register and time the demo build and the cases frame."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--db", type=Path, default=None, help="reuse an existing demo database")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "bench.db"
        build_s = None
        if args.db is None:
            start = time.perf_counter()
            with Store(path, actor="bench", today=AS_OF) as store:
                counts = demo.build(store, size=args.size, seed=1, as_of=AS_OF)
            build_s = time.perf_counter() - start
            rows = sum(counts.values())
        with Store(path, today=AS_OF) as store:
            n = store.count("trajectories")
            store.cases(AS_OF)  # warm the file cache once
            base_best, base_med = _times(lambda: store.frame("trajectories"), args.repeat)
            cases_best, cases_med = _times(lambda: store.cases(AS_OF), args.repeat)
        print(f"trajectories: {n}; load average {os.getloadavg()[0]:.1f} (2 cores)")
        if build_s is not None:
            print(f"demo build (generate + load, {rows} rows): {build_s:.1f} s "
                  f"(target < 60 s)")
        print(f"baseline: trajectories table as frame: best {base_best:.3f} s, "
              f"median {base_med:.3f} s ({args.repeat} runs)")
        verdict = "met" if cases_best <= 2 else "NOT met"
        print(f"cases frame: best {cases_best:.3f} s, median {cases_med:.3f} s "
              f"(target <= 2 s: {verdict}); ratio to baseline (median): "
              f"{cases_med / base_med:.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
