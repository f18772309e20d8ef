"""Plain SQL reads of the register as DataFrames, the ``:only`` trajectory filter, and one
PostgreSQL snapshot shared by every read of a frame (:func:`one_snapshot`)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, text

from trajecttools.register.interfaces import HasEngine

#: Parameter types the SQLite driver binds exactly as SQLAlchemy would.
_PLAIN_PARAMS = (str, int, float, type(None))
#: The ``:only`` filter as SQLite reads it, and on PostgreSQL as an array the planner looks up
#: in an index (``IN (SELECT ...)`` of a JSON list becomes a hash join over the whole table
#: there: 300 ms instead of 10 ms on 100 000 trajectories).
_ONLY_SQLITE = " IN (SELECT value FROM json_each(:only))"
_ONLY_POSTGRESQL = (
    " = ANY(ARRAY(SELECT CAST(value AS INTEGER)"
    " FROM json_array_elements_text(CAST(:only AS json))))"
)


@dataclass(frozen=True)
class Snapshot:
    """A PostgreSQL snapshot held open by ``conn`` and exported as ``name``."""

    engine: Engine
    conn: Connection
    name: str
    #: ``pg_current_snapshot()`` as text: which transactions this snapshot sees
    visible: str
    #: the cluster's system identifier and the database's oid: transaction ids mean something
    #: only there (a restored dump's snapshots name another database)
    where: str


_ACTIVE: ContextVar[Snapshot | None] = ContextVar("trajecttools_snapshot", default=None)


@contextmanager
def one_snapshot(store: HasEngine) -> Iterator[Snapshot | None]:
    """Let every :func:`read_sql` in this context read the same PostgreSQL snapshot.

    One frame is built from many queries, some on parallel connections; on PostgreSQL each
    would otherwise see the commits made up to its own start, and a write committed between two
    queries would show half. Here a REPEATABLE READ transaction exports its snapshot and each
    query imports it (``SET TRANSACTION SNAPSHOT``), as ``pg_dump`` does. Nested uses share the
    outer snapshot. Yields the snapshot (None on SQLite, where nothing changes).
    """
    engine = store.engine
    active = _ACTIVE.get()
    if engine.dialect.name != "postgresql" or (active is not None and active.engine is engine):
        yield active if engine.dialect.name == "postgresql" else None
        return
    conn = engine.connect().execution_options(
        isolation_level="REPEATABLE READ", postgresql_readonly=True
    )
    with conn, conn.begin():
        name, visible, where = conn.exec_driver_sql(
            "SELECT pg_export_snapshot(), pg_current_snapshot()::text,"
            " (SELECT system_identifier FROM pg_control_system())::text || '/'"
            " || (SELECT oid FROM pg_database WHERE datname = current_database())::text"
        ).one()
        token = _ACTIVE.set(Snapshot(engine, conn, str(name), str(visible), str(where)))
        try:
            yield _ACTIVE.get()
        finally:
            _ACTIVE.reset(token)


def read_sql(store: HasEngine, sql: str, **params: Any) -> pd.DataFrame:
    """Run a read-only SQL query and return the raw result as a DataFrame."""
    if store.engine.dialect.name == "postgresql":
        sql = sql.replace(_ONLY_SQLITE, _ONLY_POSTGRESQL)
        active = _ACTIVE.get()
        if active is not None and active.engine is store.engine:
            shared = store.engine.connect().execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
            with shared as conn, conn.begin():
                conn.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{active.name}'")
                return pd.read_sql_query(text(sql), conn, params=params)
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
    return "" if only is None else f" AND {column}{_ONLY_SQLITE}"


def only_params(only: Sequence[int] | None) -> dict[str, str]:
    """The ``:only`` parameter for :func:`only_sql` (none when nothing is restricted)."""
    return {} if only is None else {"only": json.dumps([int(i) for i in only])}


__all__ = ["Snapshot", "one_snapshot", "only_params", "only_sql", "read_sql"]
