"""What an import reports: its error, its result, and the rows it checked and rejected."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trajecttools.core.errors import FieldProblem, TrajecttoolsError
from trajecttools.outputs import export as exporter
from trajecttools.outputs.importer.kinds import KINDS

Progress = Callable[[int, int], None]
Reject = tuple[int, str, str]


class ImportFileError(TrajecttoolsError):
    """The file (or mapping) cannot be read at all, or the import failed; nothing was written."""


@dataclass
class ImportResult:
    """What an import did: rows read, imported (new or unchanged) and rejected, and why."""

    kind: str
    source: Path
    read: int = 0
    imported: int = 0
    new: int = 0
    unchanged: int = 0
    rejected: int = 0
    empty_rows: int = 0
    rejects: list[Reject] = field(default_factory=list)
    reject_path: Path | None = None
    dry_run: bool = False
    ignored_columns: list[str] = field(default_factory=list)
    per_table: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    updated: int = 0
    changes: list[str] = field(default_factory=list)
    coaches_created: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """Return the Dutch summary; it always states read = imported + rejected."""
        what = KINDS.get(self.kind, self.kind)
        parts = [
            f"Import {what} uit {self.source.name}: {self.read} rijen gelezen = "
            f"{self.imported} geïmporteerd ({self.new} nieuw, {self.unchanged} al aanwezig en "
            f"ongewijzigd{f', {self.updated} bijgewerkt' if self.updated else ''}) + "
            f"{self.rejected} afgewezen."
        ]
        if self.coaches_created:
            parts.append(f"Nieuwe jobcoaches ({len(self.coaches_created)}): "
                         + ", ".join(self.coaches_created) + ".")
        if self.updated:
            phases = sum("fase '" in c for c in self.changes)
            coaches = sum("jobcoach " in c for c in self.changes)
            parts.append(
                f"Bijgewerkt: {self.updated} {'traject' if self.updated == 1 else 'trajecten'} "
                f"({phases} {'faseovergang' if phases == 1 else 'faseovergangen'}, {coaches} "
                f"{'jobcoachwissel' if coaches == 1 else 'jobcoachwissels'}).")
        if self.empty_rows:
            parts.append(
                f"{self.empty_rows} lege {'regel' if self.empty_rows == 1 else 'regels'} "
                "overgeslagen (niet meegeteld)."
            )
        if self.ignored_columns:
            parts.append("Niet gebruikte kolommen: " + ", ".join(self.ignored_columns) + ".")
        if self.reject_path is not None:
            parts.append(f"De afgewezen rijen en de reden staan in {self.reject_path}.")
        if self.dry_run:
            parts.append("Proefimport: er is niets opgeslagen.")
        return " ".join(parts)


@dataclass
class Prepared:
    """Validated rows per table, ready to insert, and what happened to every row."""

    inserts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    new: int = 0
    unchanged: int = 0
    read: int = 0
    empty: int = 0
    rejected_rows: int = 0
    rejects: list[Reject] = field(default_factory=list)
    reject_lines: list[list[Any]] = field(default_factory=list)
    reject_headers: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    per_table: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    updated: int = 0  # caseload rows applied as changes (``update``)
    changes: list[str] = field(default_factory=list)  # what they changed, in Dutch
    coaches_created: list[str] = field(default_factory=list)


class Ticker:
    """Counts checked rows and reports progress about a hundred times in all."""

    def __init__(self, total: int, progress: Progress | None) -> None:
        self.total, self.progress, self.done = total, progress, 0
        self.step = max(1, total // 100)

    def tick(self) -> None:
        """Count one row; call ``progress(done, total)`` at each step and at the end."""
        self.done += 1
        if self.progress is not None and (self.done % self.step == 0 or self.done == self.total):
            self.progress(self.done, self.total)


def reject(
    prep: Prepared,
    row: int,
    problems: Iterable[FieldProblem],
    cells: list[Any],
    *,
    prefix: str = "",
) -> None:
    """Record a rejected row: one reject (and one reject-file line) per problem."""
    prep.rejected_rows += 1
    for p in problems:
        label = f"{prefix}{p.label}" if p.label else prefix.rstrip(": ") or "Hele rij"
        prep.rejects.append((row, label, p.message))
        prep.reject_lines.append([row, label, p.message, *["" if c is None else c for c in cells]])


def write_rejects(path: Path, prep: Prepared) -> None:
    """Write the reject file: UTF-8 with BOM, semicolons, row number, field and reason first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow(prep.reject_headers)
    for line in prep.reject_lines:
        writer.writerow([exporter.csv_text(v) for v in line])
    path.write_bytes(("\ufeff" + buf.getvalue()).encode("utf-8"))
