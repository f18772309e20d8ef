"""Plain SQL reads of the register as DataFrames, and the ``:only`` trajectory filter."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import text

from trajecttools.register.interfaces import HasEngine

#: Parameter types the SQLite driver binds exactly as SQLAlchemy would.
_PLAIN_PARAMS = (str, int, float, type(None))


def read_sql(store: HasEngine, sql: str, **params: Any) -> pd.DataFrame:
    """Run a read-only SQL query and return the raw result as a DataFrame."""
    with store.engine.connect() as conn:
        if conn.dialect.name == "sqlite" and all(
            isinstance(v, _PLAIN_PARAMS) for v in params.values()
        ):
            # straight through the driver: no SQLAlchemy row objects, the same frame
            raw: Any = conn.connection.driver_connection
            return pd.read_sql_query(sql, raw, params=params)
        return pd.read_sql_query(text(sql), conn, params=params)


def only_sql(column: str, only: Sequence[int] | None) -> str:
    """An ``AND column IN (:only ids)`` clause when ``only`` restricts the trajectories."""
    return "" if only is None else f" AND {column} IN (SELECT value FROM json_each(:only))"


def only_params(only: Sequence[int] | None) -> dict[str, str]:
    """The ``:only`` parameter for :func:`only_sql` (none when nothing is restricted)."""
    return {} if only is None else {"only": json.dumps([int(i) for i in only])}


__all__ = ["only_params", "only_sql", "read_sql"]
