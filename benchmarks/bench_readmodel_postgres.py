"""Benchmark: the read models on PostgreSQL beside SQLite, in one run, on the same register.

Usage: python benchmarks/bench_readmodel_postgres.py [--size 100000] [--pg-url URL] [--repeat 5]

Targets (issue 17, this 2-core machine): with the model current, ``store.cases()`` <= 1 s and
``tt.signals()`` <= 1 s on PostgreSQL (stretch <= 0.5 s), beside the same reads on SQLite.
The demo generator's tables (seed 1, as of 02-11-2026) are bulk-loaded into a SQLite file and
into a fresh schema of the PostgreSQL database (``--pg-url``, default
``TRAJECTTOOLS_TEST_DATABASE_URL``; the schema is dropped afterwards). Per backend:

- baseline: ``store.frame("trajectories")`` (one table read; the ratios are against it);
- the cases frame built from the history tables (what every PostgreSQL read cost before);
- first read: builds and stores both models (``store.cases()`` then ``tt.signals()``);
- reads with the model current, in a new Workspace as a new kernel opens it;
- reads after ``--edits`` trajectories got a contact (one transaction): the model recomputes
  those rows on each read until enough have changed to store it again.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import create_engine, text

import trajecttools as tt
from trajecttools.outputs import demo
from trajecttools.reads.frames import cases_frame
from trajecttools.workspace import Workspace

AS_OF = dt.date(2026, 11, 2)


def _loadavg() -> str:
    return Path("/proc/loadavg").read_text().strip()


def _times(fn: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def _run(url: str, repeat: int, edits: int) -> dict[str, float]:
    """Time one backend's reads; the register at ``url`` is already loaded."""
    got: dict[str, float] = {}
    with Workspace(url, today=AS_OF, role="beheer", actor="bench") as store:
        got["baseline"] = statistics.median(_times(lambda: store.frame("trajectories"), repeat))
        got["tables"] = statistics.median(_times(lambda: cases_frame(store, AS_OF), 2))
        with store.engine.begin() as conn:
            conn.execute(text("DELETE FROM read_models"))
        got["first_cases"] = _times(lambda: store.cases(AS_OF), 1)[0]
        got["first_signals"] = _times(lambda: tt.signals(store, AS_OF), 1)[0]
    with Workspace(url, today=AS_OF, role="beheer", actor="bench") as store:
        got["cases"] = statistics.median(_times(lambda: store.cases(AS_OF), repeat))
        got["signals"] = statistics.median(_times(lambda: tt.signals(store, AS_OF), repeat))
        ids = store.cases(AS_OF)["trajectory_id"].to_numpy()[:: max(1, 100_000 // 1000)][:edits]
        with store.transaction("bench") as tx:  # coaches register contacts
            for tid in ids:
                tx.add("contacts", {"trajectory_id": int(tid), "kind": "progress",
                                    "held_on": AS_OF.isoformat()})
        got["cases_edited"] = statistics.median(_times(lambda: store.cases(AS_OF), repeat))
        got["signals_edited"] = statistics.median(
            _times(lambda: tt.signals(store, AS_OF), repeat)
        )
    return got


def main() -> int:
    """Load the same demo register into SQLite and PostgreSQL and time both."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--pg-url", default=os.environ.get("TRAJECTTOOLS_TEST_DATABASE_URL"))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--edits", type=int, default=100)
    args = parser.parse_args()
    if not args.pg_url:
        parser.error("geef --pg-url of zet TRAJECTTOOLS_TEST_DATABASE_URL")

    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(args.pg_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in args.pg_url else "?"
    pg_url = f"{args.pg_url}{sep}options={quote(f'-csearch_path={schema}')}"
    results: dict[str, dict[str, float]] = {}
    loads: dict[str, float] = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            frames = demo.generate(args.size, seed=1, as_of=AS_OF)
            rows = sum(len(f) for f in frames.values())
            for name, url in (("SQLite", str(Path(tmp) / "bench.db")), ("PostgreSQL", pg_url)):
                start = time.perf_counter()
                with Workspace(url, actor="bench", today=AS_OF) as store:
                    store.bulk_load(frames, actor="bench")
                loads[name] = time.perf_counter() - start
                results[name] = _run(url, args.repeat, args.edits)
                print(f"{name}: done; load average {_loadavg()}",
                      flush=True)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    print(f"\n{args.size} trajectories ({rows} rows), as of {AS_OF:%d-%m-%Y}; medians of "
          f"{args.repeat} reads; /proc/loadavg at the end: {_loadavg()}"
          " (2 cores, shared with other work)")
    labels = [
        ("load", "bulk load (generate once, load)"),
        ("baseline", "baseline: trajectories table"),
        ("tables", "cases from the history tables"),
        ("first_cases", "first store.cases(): builds model"),
        ("first_signals", "first tt.signals(): builds model"),
        ("cases", "store.cases(), model current"),
        ("signals", "tt.signals(), model current"),
        ("cases_edited", f"store.cases() after {args.edits} edits"),
        ("signals_edited", f"tt.signals() after {args.edits} edits"),
    ]
    print(f"{'':<40}{'SQLite s':>10}{'ratio':>8}{'PostgreSQL s':>14}{'ratio':>8}")
    for key, label in labels:
        line = f"{label:<40}"
        for name in ("SQLite", "PostgreSQL"):
            value = loads[name] if key == "load" else results[name][key]
            ratio = value / results[name]["baseline"]
            line += f"{value:>10.3f}{ratio:>7.1f}x" if name == "SQLite" else (
                f"{value:>14.3f}{ratio:>7.1f}x")
        print(line)
    pg = results["PostgreSQL"]
    for key, label in (("cases", "store.cases()"), ("signals", "tt.signals()")):
        verdict = "met" if pg[key] <= 1 else "NOT met"
        stretch = "met" if pg[key] <= 0.5 else "not met"
        print(f"PostgreSQL {label} with the model current: {pg[key]:.3f} s "
              f"(target <= 1 s: {verdict}; stretch <= 0.5 s: {stretch})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
