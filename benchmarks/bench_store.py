"""Benchmark: demo build time and `cases` frame time for a large register.

Usage: python benchmarks/bench_store.py [--size 100000] [--db PATH]
Targets (issue 2, this 2-core machine): demo of 100 000 trajectories in under a minute; the
cases frame in at most 2 s. The baseline in the same run is reading the trajectories table alone
(`store.frame("trajectories")`), so the ratio says what the wide frame costs on top of one read.

Reported: the frame built from the history tables (what every read cost before read models, and
what a read for an earlier date still costs); the first read, which builds and stores the read
model; reads in a new Workspace with the model current (the target); and reads after coaches added a
contact to ``--edits`` trajectories (the model updates those rows first). With ``--db`` the
register gets those contacts: use a copy.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

from trajecttools.outputs import demo
from trajecttools.reads.frames import cases_frame
from trajecttools.workspace import Workspace

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
    parser.add_argument("--edits", type=int, default=100,
                        help="trajectories given a new contact between two timed reads")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "bench.db"
        build_s = None
        if args.db is None:
            start = time.perf_counter()
            with Workspace(path, actor="bench", today=AS_OF) as store:
                counts = demo.build(store, size=args.size, seed=1, as_of=AS_OF)
            build_s = time.perf_counter() - start
            rows = sum(counts.values())
        with Workspace(path, today=AS_OF) as store:
            n = store.count("trajectories")
            cases_frame(store, AS_OF)  # warm the file cache once
            base_best, base_med = _times(lambda: store.frame("trajectories"), args.repeat)
            # every read before read models: aggregate the history tables
            tables_best, tables_med = _times(lambda: cases_frame(store, AS_OF), min(3, args.repeat))
            with store.engine.begin() as conn:
                conn.execute(text("DELETE FROM read_models"))
            start = time.perf_counter()
            store.cases(AS_OF)  # the first read builds and stores the read model
            first_s = time.perf_counter() - start
        # a new Workspace, as a new kernel would open it: nothing is kept in memory between reads
        with Workspace(path, today=AS_OF) as store:
            cases_best, cases_med = _times(lambda: store.cases(AS_OF), args.repeat)
            ids = store.cases(AS_OF)["trajectory_id"].to_numpy()
            edits = []
            for round_ in range(args.repeat):  # coaches register contacts between two reads
                with store.transaction("bench") as tx:
                    for tid in ids[round_ * args.edits : (round_ + 1) * args.edits]:
                        tx.add("contacts", {"trajectory_id": int(tid), "kind": "progress",
                                            "held_on": AS_OF.isoformat()})
                start = time.perf_counter()
                store.cases(AS_OF)
                edits.append(time.perf_counter() - start)
        print(f"trajectories: {n}; load average {os.getloadavg()[0]:.1f} (2 cores); "
              "analyst role (pseudonymised frame)")
        if build_s is not None:
            print(f"demo build (generate + load, {rows} rows): {build_s:.1f} s "
                  f"(target < 60 s)")
        print(f"baseline: trajectories table as frame: best {base_best:.3f} s, "
              f"median {base_med:.3f} s ({args.repeat} runs)")
        print(f"cases frame from the history tables (no read model): best {tables_best:.3f} s, "
              f"median {tables_med:.3f} s; ratio {tables_med / base_med:.1f}x")
        print(f"first read, builds and stores the read model: {first_s:.3f} s")
        verdict = "met" if cases_best <= 2 else "NOT met"
        print(f"cases frame (tt.open(...).cases(), read model current): best {cases_best:.3f} s, "
              f"median {cases_med:.3f} s (target <= 2 s: {verdict}); ratio to baseline "
              f"(median): {cases_med / base_med:.2f}x")
        print(f"cases frame after each {args.edits} new contacts (changes since the stored "
              f"model add up: {args.edits}, {2 * args.edits}, ... trajectories): "
              f"best {min(edits):.3f} s, median {statistics.median(edits):.3f} s; "
              f"ratio {statistics.median(edits) / base_med:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
