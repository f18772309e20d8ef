"""Benchmark: importing a generated 100 000-row clients CSV and a 100 000-row caseload.

Usage: python benchmarks/bench_import.py [--rows 100000] [--sample 2000] [--only clients|caseload]
Target (issue 8, this 2-core machine): 100 000 clients in at most 20 s, every row validated, in
one transaction. The baseline in the same run is the plain write path a form uses, one
``store.add("clients", …)`` per row in its own transaction, timed on a sample and scaled to
the full row count; the ratio says how much faster the import is than that loop.

Caseload (issue 16; target at most 20 s, stretch 5 s): a municipal-style export (semicolons,
Windows-1252, the headers and labels of ``docs/caseload-gemeente.toml``), one client and
trajectory a row with plan date, intake date, phase and coach, imported in one transaction with
its history. Its baseline is the row-by-row store loop a form uses: ``tx.register`` (client,
trajectory, signed plan, coach) and ``tx.add`` (the intake) per row in its own transaction,
timed on a sample and scaled (the loop leaves out the phase history the import also writes).
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

MAPPING = Path(__file__).resolve().parents[1] / "docs" / "caseload-gemeente.toml"

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


CASELOAD_HEADERS = ["Klantnummer", "Voorletters", "Achternaam", "Geboortedatum", "Doelgroep",
                    "Consulent", "Datum aanmelding", "Datum plan getekend", "Datum intake",
                    "Fase", "Opleiding", "Rijbewijs"]
COACHES = ["Petra Smit", "Karel Bos", "Anna de Wit", "Youssef Amrani", "Lotte Jansen"]


def generate_caseload(path: Path, rows: int, seed: int = 2) -> Path:
    """Write a municipal-style caseload export: semicolons, Windows-1252, its own labels."""
    rng = random.Random(seed)
    groups = ["Jongere", "45+", "Arbeidsbeperking", "Statushouder", "Bijstand lang"]
    levels = ["Geen", "VMBO", "MBO 2", "MBO 3", "MBO 4", "HBO"]
    phases = ["Aangemeld", "Intake", "Opstap", "Geplaatst"]
    family = [f for f in FAMILY if f.encode("cp1252", errors="ignore").decode("cp1252") == f]
    with path.open("w", encoding="cp1252", newline="") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(CASELOAD_HEADERS)
        for i in range(rows):
            born = dt.date(1962, 1, 1) + dt.timedelta(days=rng.randrange(14_000))
            registered = TODAY - dt.timedelta(days=rng.randrange(30, 700))
            phase = rng.choice(phases)
            signed = registered + dt.timedelta(days=rng.randrange(0, 14))
            intake = signed + dt.timedelta(days=rng.randrange(0, 14))
            writer.writerow([
                f"{100000 + i}", rng.choice(GIVEN)[0] + ".", rng.choice(family),
                born.strftime("%d-%m-%Y"), rng.choice(groups), rng.choice(COACHES),
                registered.strftime("%d-%m-%Y"), signed.strftime("%d-%m-%Y"),
                "" if phase == "Aangemeld" else intake.strftime("%d-%m-%Y"), phase,
                rng.choice(levels), rng.choice(["ja", "nee"]),
            ])
    return path


def bench_caseload(tmp: str, rows: int, sample: int) -> None:
    """Time the caseload import against the row-by-row store loop; print the figures."""
    source = generate_caseload(Path(tmp) / "caseload.csv", rows)
    with Workspace(Path(tmp) / "caseload.db", actor="bench", today=TODAY) as store:
        with store.transaction() as tx:
            for n, name in enumerate(COACHES):
                tx.add("coaches", {"code": f"C{n}", "name": name})
        start, cpu_start = time.perf_counter(), time.process_time()
        result = import_file(store, source, kind="caseload", mapping=MAPPING)
        import_s = time.perf_counter() - start
        import_cpu = time.process_time() - cpu_start
        assert result.new == rows, result.summary()
        again_start = time.perf_counter()
        again = import_file(store, source, kind="caseload", mapping=MAPPING)
        again_s = time.perf_counter() - again_start
        assert again.unchanged == rows, again.summary()
    sample = min(sample, rows)
    with source.open(encoding="cp1252", newline="") as fh:
        reader = csv.reader(fh, delimiter=";")
        next(reader)
        lines = [next(reader) for _ in range(sample)]
    groups = {"Jongere": "young_people", "45+": "over_45", "Arbeidsbeperking": "work_disability",
              "Statushouder": "refugees", "Bijstand lang": "long_term_benefit"}
    with Workspace(Path(tmp) / "caseload-loop.db", actor="bench", today=TODAY) as store:
        with store.transaction() as tx:
            coach = {name: tx.add("coaches", {"code": f"C{n}", "name": name})
                     for n, name in enumerate(COACHES)}
        start = time.perf_counter()
        for line in lines:
            with store.transaction() as tx:
                tid = tx.register(
                    {"external_id": line[0], "given_name": line[1], "family_name": line[2],
                     "birth_date": line[3], "target_group": groups[line[4]]},
                    method="opstapbaan", registered_at=line[6], coach_id=coach[line[5]],
                    plan={"signed_case_manager_on": line[7], "signed_coach_on": line[7],
                          "signed_client_on": line[7]})
                if line[8]:
                    tx.add("contacts", {"trajectory_id": tid, "kind": "intake",
                                        "held_on": line[8]})
        loop_sample_s = time.perf_counter() - start
    loop_s = loop_sample_s * rows / sample
    print(f"caseload rows: {rows} (municipal export: semicolons, Windows-1252, own labels)")
    print(f"caseload import (one transaction, history included): {import_s:.1f} s "
          f"({rows / import_s:,.0f} rows/s; target <= 20 s, stretch <= 5 s); "
          f"CPU {import_cpu:.1f} s; load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} cores")
    print(f"caseload re-import (all unchanged): {again_s:.1f} s")
    print(f"caseload baseline: register + intake per row in its own transaction, {sample} rows in "
          f"{loop_sample_s:.1f} s, scaled to {rows}: {loop_s:.0f} s")
    print(f"caseload ratio baseline / import: {loop_s / import_s:.0f}x faster")


def main() -> int:
    """Generate the CSV, time the import and a row-by-row baseline, print the ratio."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=2_000, help="rows for the baseline loop")
    parser.add_argument("--only", choices=["clients", "caseload"], default=None)
    args = parser.parse_args()
    if args.only != "clients":
        with tempfile.TemporaryDirectory() as tmp:
            bench_caseload(tmp, args.rows, args.sample)
        if args.only == "caseload":
            return 0
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
