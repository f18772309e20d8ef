"""Reading back a register export (``kind="register"``) with its own record numbers.

The export of :func:`trajecttools.outputs.export.export_register` (``.xlsx``, ``.zip`` or a folder
of CSVs) goes into an empty register or one holding the same rows. Sheets are read in the
export's order, so every reference points to a row read before it; a row referring to an
unknown or rejected record is rejected too.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.types import String, Text

from trajecttools.core import validation
from trajecttools.core.errors import FieldProblem, InvalidRecord
from trajecttools.core.model import ENTITIES
from trajecttools.outputs import export as exporter
from trajecttools.outputs.importer.conversion import (
    convert,
    same_value,
    text_columns,
    trajectory_defaults,
)
from trajecttools.outputs.importer.mapping import norm
from trajecttools.outputs.importer.readers import Table, blank, open_workbook, read_csv, read_sheet
from trajecttools.outputs.importer.result import ImportFileError, Prepared, Ticker, reject

if TYPE_CHECKING:
    from trajecttools.register.store import Store


def read_register(path: Path) -> tuple[dict[str, Table], list[str]]:
    """Read every sheet (or CSV) of a register export; return tables by entity and unknowns."""
    by_sheet = {name: entity for entity, name in exporter.SHEETS.items()}
    by_csv = {exporter.csv_name(entity): entity for entity in exporter.SHEETS}
    tables: dict[str, Table] = {}
    unknown: list[str] = []
    suffix = path.suffix.lower()
    if path.is_dir():
        for file in sorted(path.glob("*.csv")):
            if file.name in by_csv:
                tables[by_csv[file.name]] = read_csv(file.name, file.read_bytes(), {})
            else:
                unknown.append(file.name)
    elif suffix == ".zip":
        try:
            with zipfile.ZipFile(path) as zf:
                for name in zf.namelist():
                    if name in by_csv:
                        tables[by_csv[name]] = read_csv(name, zf.read(name), {})
                    else:
                        unknown.append(name)
        except (zipfile.BadZipFile, EOFError, OSError) as exc:
            raise ImportFileError(
                f"Zipbestand {path.name} is beschadigd of afgebroken ({exc}); er is niets "
                "geïmporteerd."
            ) from None
    elif suffix in (".xlsx", ".xlsm"):
        wb = open_workbook(path)
        try:
            for ws in wb.worksheets:
                if ws.title in by_sheet:
                    tables[by_sheet[ws.title]] = read_sheet(ws.title, ws)
                else:
                    unknown.append(ws.title)
        except Exception as exc:
            raise ImportFileError(
                f"Excelbestand {path.name} is beschadigd of afgebroken ({type(exc).__name__}); "
                "er is niets geïmporteerd."
            ) from None
        finally:
            wb.close()
    else:
        raise ImportFileError(
            f"Registerbestand {path.name}: kies een .xlsx- of .zip-export of een map met CSV's."
        )
    return tables, unknown


def _register_types(entity: str) -> dict[str, str]:
    types = exporter.column_types(entity)
    types.pop("id", None)
    return types


def prepare_register(
    store: Store,
    session: Session,
    tables: Mapping[str, Table],
    ticker: Ticker,
) -> Prepared:
    """Check every sheet of a register export in export order; return rows to insert, rejects."""
    prep = Prepared(reject_headers=["Regel", "Veld", "Reden"])
    known: dict[str, set[int]] = {}
    method_cache: dict[str, Any] = {}
    for entity in exporter.SHEETS:
        table: Any = ENTITIES[entity].__table__
        db_rows = {int(r["id"]): dict(r) for r in session.execute(select(table)).mappings()}
        known[entity] = set(db_rows)
        tin = tables.get(entity)
        if tin is None:
            continue
        sheet = exporter.SHEETS[entity]
        prefix = f"{sheet}: "
        read_before, rejected_before = prep.read, prep.rejected_rows
        new_before, unchanged_before = prep.new, prep.unchanged
        prep.read += len(tin.rows) + len(tin.broken)
        prep.empty += tin.empty
        by_header = {
            norm(exporter.header(entity, c)): c for c in exporter.columns(entity, full=True)
        }
        by_header.update({norm(c): c for c in exporter.columns(entity, full=True)})
        cols: list[tuple[int, str]] = []
        for i, head in enumerate(tin.headers):
            target = by_header.get(norm(head)) if head else None
            if target is None:
                if head:
                    prep.ignored.append(f"{sheet}: {head}")
                continue
            cols.append((i, target))
        present = {c for _, c in cols}
        if "id" not in present:
            raise ImportFileError(f"Blad {sheet}: de kolom 'Nummer' ontbreekt.")
        types = _register_types(entity)
        texts = text_columns(entity)
        model_fields = (
            set(validation.RECORDS[entity].model_fields) if entity in validation.RECORDS else set()
        )
        uniques = [c.name for c in table.columns if c.unique and c.name != "id"] + [
            next(iter(con.columns)).name
            for con in table.constraints
            if con.__class__.__name__ == "UniqueConstraint" and len(con.columns) == 1
        ]
        unique_seen: dict[str, dict[Any, int]] = {
            u: {r[u]: rid for rid, r in db_rows.items() if r.get(u) is not None} for u in uniques
        }
        fks = [
            (c.name, next(iter(c.foreign_keys)).column.table.name)
            for c in table.columns
            if c.foreign_keys
        ]
        width = len(tin.headers)
        rows_out: list[dict[str, Any]] = []

        def labels(name: str, entity: str = entity) -> str:
            return exporter.header(entity, name)

        for number, message in tin.broken:
            reject(prep, number, [FieldProblem("", "Hele rij", message)], [], prefix=prefix)
            ticker.tick()
        for number, cells in tin.rows:
            ticker.tick()
            if len(cells) < width:
                problem = FieldProblem(
                    "", "Hele rij", f"heeft {len(cells)} van de {width} kolommen (afgebroken regel)"
                )
                reject(prep, number, [problem], [], prefix=prefix)
                continue
            raw = {target: cells[i] for i, target in cols}
            rid_cell = raw.pop("id")
            values, problems = convert(entity, raw, types, texts, {}, labels)
            try:
                rid = int(str(rid_cell).strip()) if not blank(rid_cell) else None
                if rid is not None and rid < 1:
                    raise ValueError
            except ValueError:
                rid = None
            if rid is None:
                problems.append(FieldProblem("id", "Nummer", "moet een positief geheel getal zijn"))
            if not problems:
                try:
                    clean = validate_register_row(store, entity, values, model_fields, number)
                except InvalidRecord as exc:
                    problems = list(exc.problems)
            if not problems and entity == "trajectories":
                check = dict(clean)
                problems = trajectory_defaults(store, check, method_cache)
            if not problems:
                for col, target in fks:
                    ref = clean.get(col)
                    if ref is not None and ref not in known[target]:
                        problems.append(
                            FieldProblem(
                                col,
                                labels(col),
                                f"verwijst naar een onbekende of afgewezen "
                                f"{validation.ENTITY_LABELS[target].lower()} ({ref})",
                            )
                        )
            if problems:
                reject(prep, number, problems, [], prefix=prefix)
                continue
            assert rid is not None
            old = db_rows.get(rid)
            if old is not None:
                diff = [c for c in clean if c in present and not same_value(old.get(c), clean[c])]
                if diff:
                    problem = FieldProblem(
                        diff[0],
                        labels(diff[0]),
                        f"nummer {rid} bestaat al met een andere waarde "
                        f"({', '.join(labels(d) for d in diff)}); een import overschrijft niets",
                    )
                    reject(prep, number, [problem], [], prefix=prefix)
                else:
                    prep.unchanged += 1
                continue
            if rid in known[entity]:
                problem = FieldProblem("id", "Nummer", f"nummer {rid} staat dubbel in het blad")
                reject(prep, number, [problem], [], prefix=prefix)
                continue
            clash = [u for u in uniques if clean.get(u) is not None and clean[u] in unique_seen[u]]
            if clash:
                u = clash[0]
                problem = FieldProblem(
                    u, labels(u), f"'{clean[u]}' komt al voor (nummer {unique_seen[u][clean[u]]})"
                )
                reject(prep, number, [problem], [], prefix=prefix)
                continue
            for u in uniques:
                if clean.get(u) is not None:
                    unique_seen[u][clean[u]] = rid
            known[entity].add(rid)
            prep.new += 1
            rows_out.append({"id": rid, **clean})
        prep.inserts[entity] = rows_out
        prep.per_table[entity] = (
            prep.read - read_before,
            prep.new - new_before + prep.unchanged - unchanged_before,
            prep.rejected_rows - rejected_before,
        )
    return prep


_PLAIN_LIMITS: Mapping[tuple[str, str], int] = {
    ("phase_events", "phase"): 40,
    ("phase_events", "actor"): 80,
    ("coach_assignments", "reason"): 200,
}


def validate_register_row(
    store: Store, entity: str, values: dict[str, Any], model_fields: set[str], row: int
) -> dict[str, Any]:
    """Validate one row of a register sheet: the edge record plus the columns it lacks."""
    extra = {k: v for k, v in values.items() if k not in model_fields}
    if model_fields:
        clean = validation.validate(
            entity,
            {k: v for k, v in values.items() if k in model_fields},
            row=row,
            today=store.today,
        )
    else:
        clean = {}
    problems: list[FieldProblem] = []
    table = ENTITIES[entity].__table__
    for name, value in extra.items():
        col = table.c[name]
        label = exporter.header(entity, name)
        if value is None:
            if not col.nullable:
                problems.append(FieldProblem(name, label, "is verplicht"))
            clean[name] = None
            continue
        if isinstance(col.type, String | Text) and not isinstance(value, str):
            problems.append(FieldProblem(name, label, "moet tekst zijn"))
        limit = _PLAIN_LIMITS.get((entity, name)) or getattr(col.type, "length", None)
        if isinstance(value, str) and limit and len(value) > limit:
            problems.append(FieldProblem(name, label, f"is te lang (maximaal {limit} tekens)"))
        number = value
        if name.endswith("_id") and not isinstance(value, int):
            try:
                number = int(str(value))
            except ValueError:
                problems.append(FieldProblem(name, label, "moet een geheel getal zijn"))
        clean[name] = number
    for name in extra.keys() - clean.keys():
        clean[name] = values[name]
    if entity == "clients" and clean.get("created_at") is None:
        clean["created_at"] = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    if entity == "clients" and not clean.get("pseudonym"):
        problems.append(
            FieldProblem("pseudonym", "Pseudoniem", "is verplicht in een registerexport")
        )
    if problems:
        raise InvalidRecord(validation.ENTITY_LABELS.get(entity, entity), problems, row=row)
    return clean
