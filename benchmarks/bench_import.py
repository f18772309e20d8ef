"""Benchmark: importing a generated 100 000-row clients CSV.

Usage: python benchmarks/bench_import.py [--rows 100000] [--sample 2000]
Target (issue 8, this 2-core machine): 100 000 rows in at most 20 s, every row validated, in one
transaction. The baseline in the same run is the plain write path a form uses, one
``store.add("clients", …)`` per row in its own transaction, timed on a sample and scaled to
the full row count; the ratio says how much faster the import is than that loop.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import tempfile
import time
from pathlib import Path

from trajecttools.core import vocab
from trajecttools.outputs.importer import import_file
from trajecttools.workspace import Workspace

TODAY = dt.date(2026, 11, 2)
GIVEN = ["Amira", "Bram", "Chaima", "Daan", "Eva", "Fatima", "Gijs", "Hatice", "Ilse", "Joris"]
FAMILY = ["de Vries", "Jansen", "Bakker", "Yılmaz", "Müller", "El Amrani", "Smit", "Visser"]
PLACES = ["Rotterdam", "Den Haag", "Groningen", "'s-Hertogenbosch", "Zwolle", "Utrecht"]


def generate(path: Path, rows: int, seed: int = 1) -> Path:
    """Write a semicolon CSV with Dutch headers, dd-mm-jjjj dates and label codes."""
    rng = random.Random(seed)
    groups = list(vocab.TARGET_GROUPS.values())
    levels = list(vocab.EDUCATION_LEVELS.values())
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(
            [
                "Extern nummer",
                "Voornaam",
                "Achternaam",
                "Geboortedatum",
                "Postcode",
                "Gemeente",
                "Doelgroep",
                "Opleidingsniveau",
                "Wensen",
            ]
        )
        for i in range(rows):
            born = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(15_000))
            writer.writerow(
                [
                    f"EXT-{i:07d}",
                    rng.choice(GIVEN),
                    rng.choice(FAMILY),
                    born.strftime("%d-%m-%Y"),
                    f"{rng.randrange(1000, 9999)} {rng.choice('ABCDEFGH')}{rng.choice('KLMNPR')}",
                    rng.choice(PLACES),
                    rng.choice(groups),
                    rng.choice(levels),
                    "Wil graag buiten werken" if i % 3 else "",
                ]
            )
    return path


def main() -> int:
    """Generate the CSV, time the import and a row-by-row baseline, print the ratio."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=2_000, help="rows for the baseline loop")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        source = generate(Path(tmp) / "klanten.csv", args.rows)
        with Workspace(Path(tmp) / "import.db", actor="bench", today=TODAY) as store:
            start, cpu_start = time.perf_counter(), time.process_time()
            result = import_file(store, source, kind="clients")
            import_s = time.perf_counter() - start
            import_cpu = time.process_time() - cpu_start
            assert result.new == args.rows, result.summary()
            again_start = time.perf_counter()
            again = import_file(store, source, kind="clients")
            again_s = time.perf_counter() - again_start
            assert again.new == 0 and again.unchanged == args.rows
        sample = min(args.sample, args.rows)
        with source.open(encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh, delimiter=";")
            next(reader)
            rows = [next(reader) for _ in range(sample)]
        fields = [
            "external_id",
            "given_name",
            "family_name",
            "birth_date",
            "postcode",
            "municipality",
            "target_group",
            "education_level",
            "wishes",
        ]
        with Workspace(Path(tmp) / "baseline.db", actor="bench", today=TODAY) as store:
            start = time.perf_counter()
            for row in rows:
                store.add("clients", {k: v or None for k, v in zip(fields, row, strict=True)})
            base_sample_s = time.perf_counter() - start
        base_s = base_sample_s * args.rows / sample
    print(f"rows: {args.rows} (clients CSV, semicolons, dd-mm-jjjj, Dutch labels)")
    print(
        f"import (validate every row, one transaction): {import_s:.1f} s "
        f"({args.rows / import_s:,.0f} rows/s; target <= 20 s)"
    )
    print(
        f"  of which CPU time of this process: {import_cpu:.1f} s "
        f"(wall time above includes waiting for a shared CPU; load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )
    print(f"re-import of the same file (all unchanged): {again_s:.1f} s")
    print(
        f"baseline: store.add per row, {sample} rows in {base_sample_s:.1f} s, "
        f"scaled to {args.rows}: {base_s:.0f} s"
    )
    print(f"ratio baseline / import: {base_s / import_s:.0f}x faster")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
