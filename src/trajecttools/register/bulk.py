"""Bulk writes: the rows of a DataFrame into one table, converted per SQL column type."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Date, DateTime
from sqlalchemy.types import JSON, Boolean


def column_values(col: Any, series: pd.Series, sqlite: bool) -> list[Any]:
    """Convert one DataFrame column to a list of DB-API values for its SQL column type."""
    ctype = col.type
    if isinstance(ctype, Date | DateTime):
        ts = pd.to_datetime(series, errors="raise")
        mask = ts.isna().to_numpy()
        if isinstance(ctype, DateTime):
            if sqlite:
                arr = ts.to_numpy(dtype="datetime64[us]").astype(str)
                out = np.char.replace(arr, "T", " ").astype(object)
            else:
                out = np.array(ts.dt.to_pydatetime(), dtype=object)
        elif sqlite:
            out = ts.to_numpy(dtype="datetime64[D]").astype(str).astype(object)
        else:
            out = np.array([t.date() if t is not pd.NaT else None for t in ts], dtype=object)
        out[mask] = None
        return list(out)
    if isinstance(ctype, JSON):
        return [
            None
            if v is None or (isinstance(v, float) and np.isnan(v))
            else (json.dumps(list(v), ensure_ascii=False) if sqlite else list(v))
            for v in series
        ]
    if isinstance(ctype, Boolean):
        vals = series.astype("boolean")
        return [None if v is pd.NA else (int(v) if sqlite else bool(v)) for v in vals]
    if isinstance(series.dtype, np.dtype) and series.dtype.kind in "biuf":
        arr = series.to_numpy()
        scalars: list[Any] = arr.tolist()  # Python scalars, converted in C
        if arr.dtype.kind == "f":
            for i in np.flatnonzero(np.isnan(arr)).tolist():
                scalars[i] = None
        return scalars
    values = series.astype(object).where(series.notna(), None).to_numpy(dtype=object)
    if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        return values.tolist()  # text and None only: nothing to convert
    return [v.item() if isinstance(v, np.generic) else v for v in values]


def insert_frame(conn: Any, table: Any, df: pd.DataFrame) -> None:
    """Insert the rows of ``df`` into ``table`` on ``conn`` (no validation, no audit row)."""
    sqlite = conn.dialect.name == "sqlite"
    df = df.copy()
    if "version" in table.c and "version" not in df.columns:
        df["version"] = 1
    cols = [c for c in table.columns if c.name in df.columns]
    copy = conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg"
    # COPY reads JSON columns as their text; the driver's executemany wants Python lists
    columns = [column_values(c, df[c.name], sqlite or (copy and isinstance(c.type, JSON)))
               for c in cols]
    if copy:  # PostgreSQL: COPY FROM STDIN, some ten times the rows a second of INSERT
        names = ", ".join(f'"{c.name}"' for c in cols)
        raw = conn.connection.driver_connection
        with raw.cursor() as cur, cur.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as out:
            for row in zip(*columns, strict=True):
                out.write_row(row)
    elif sqlite:
        names = ", ".join(f'"{c.name}"' for c in cols)
        marks = ", ".join("?" for _ in cols)
        raw = conn.connection.driver_connection
        sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})'
        raw.executemany(sql, zip(*columns, strict=True))
    else:
        keys = [c.name for c in cols]
        rows = [dict(zip(keys, vals, strict=True)) for vals in zip(*columns, strict=True)]
        for start in range(0, len(rows), 20_000):
            conn.execute(table.insert(), rows[start : start + 20_000])


