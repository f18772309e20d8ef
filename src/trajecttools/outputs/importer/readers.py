"""Reading a CSV (encoding and delimiter detected) or an Excel sheet into numbered rows."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from trajecttools.outputs.importer.result import ImportFileError


@dataclass
class Table:
    """Rows of one sheet or CSV: headers, (row number, cells) and the count of empty rows."""

    name: str
    headers: list[str]
    rows: list[tuple[int, list[Any]]]
    empty: int = 0
    broken: list[tuple[int, str]] = field(default_factory=list)


def decode(data: bytes, encoding: str | None) -> str:
    """Return the text of a CSV: the given encoding, else UTF-8 (with or without BOM) or cp1252."""
    if encoding:
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise ImportFileError(f"Bestand is niet te lezen als {encoding}: {exc}.") from None
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            return data.decode("latin-1")


def sniff_delimiter(text_value: str) -> str:
    """Return the delimiter (``;``, ``,`` or tab) found most often outside quotes on line 1."""
    first = text_value.lstrip("\ufeff").split("\n", 1)[0]
    counts = {d: 0 for d in (";", ",", "\t")}
    quoted = False
    for ch in first:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def blank(cell: Any) -> bool:
    """Return whether a cell is empty (None or only spaces)."""
    return cell is None or (isinstance(cell, str) and not cell.strip())


def read_csv(name: str, data: bytes, options: Mapping[str, Any]) -> Table:
    """Read CSV bytes; a broken quoted field ends the table and is reported as a broken row."""
    content = decode(data, options.get("encoding"))
    delim = options.get("delimiter") or sniff_delimiter(content)
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=delim, strict=True)
    table = Table(name, [], [])
    number = 0  # spreadsheet row: a record, however many lines its quoted cells span
    try:
        for record in reader:
            number += 1
            if number == 1:
                table.headers = [h.strip().lstrip("\ufeff") for h in record]
                continue
            if all(blank(c) for c in record):
                table.empty += 1
                continue
            table.rows.append((number, list(record)))
    except csv.Error as exc:
        table.broken.append(
            (number + 1, f"het bestand houdt midden in een veld op of is beschadigd ({exc})")
        )
    if not table.headers:
        raise ImportFileError(
            f"Bestand {name} is leeg: de eerste regel moet de kolomnamen bevatten."
        )
    return table


def read_sheet(name: str, ws: Any) -> Table:
    """Read an Excel worksheet; rows shorter than the header are padded with empty cells."""
    table = Table(name, [], [])
    for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
        cells = list(values)
        if number == 1:
            while cells and blank(cells[-1]):
                cells.pop()
            table.headers = ["" if c is None else str(c).strip() for c in cells]
            continue
        if all(blank(c) for c in cells):
            table.empty += 1
            continue
        width = len(table.headers)
        if len(cells) < width:  # Excel leaves trailing empty cells out
            cells += [None] * (width - len(cells))
        table.rows.append((number, cells))
    if not table.headers:
        raise ImportFileError(f"Blad {name} is leeg: rij 1 moet de kolomnamen bevatten.")
    return table


def open_workbook(path: Path) -> Any:
    """Open an Excel file read-only (cell values, not formulas); a broken file is refused."""
    try:
        return load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, XML errors: all a broken file
        raise ImportFileError(
            f"Excelbestand {path.name} is beschadigd of afgebroken en is niet gelezen "
            f"({type(exc).__name__}); er is niets geïmporteerd."
        ) from None


def read_single(path: Path, options: Mapping[str, Any]) -> Table:
    """Read one CSV or one Excel sheet (the first unless ``options["sheet"]`` names one)."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        wb = open_workbook(path)
        try:
            sheet = options.get("sheet")
            if sheet is not None and sheet not in wb.sheetnames:
                raise ImportFileError(
                    f"Excelbestand {path.name} heeft geen blad '{sheet}'; wel: "
                    + ", ".join(wb.sheetnames)
                    + "."
                )
            ws = wb[sheet] if sheet else wb.worksheets[0]
            return read_sheet(ws.title, ws)
        finally:
            wb.close()
    if suffix in (".csv", ".txt", ".tsv"):
        return read_csv(path.name, path.read_bytes(), options)
    raise ImportFileError(
        f"Bestand {path.name}: onbekend formaat '{path.suffix or '(geen)'}'; kies .csv of .xlsx."
    )
