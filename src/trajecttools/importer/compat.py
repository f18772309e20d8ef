"""Store internals the importer uses, gathered in one place until the register layer opens them.

TODO(house): after the merge replace this module by the public names and delete it:
``insert_frame`` -> ``trajecttools.register.bulk.insert_frame(conn, table, df)``,
``writer(store)`` -> ``store.writer`` (property), ``PSEUDONYM_ALPHABET`` ->
``trajecttools.core.names.PSEUDONYM_ALPHABET``, ``write_audit(tx)`` -> a public
``Tx`` method (today ``Tx._write_audit``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Engine

from trajecttools.store import _PSEUDONYM_ALPHABET, Store, Tx, _insert_frame  # TODO(house)

#: Characters of a client pseudonym after ``K-`` (32 of them: no I, O, 0 or 1).
PSEUDONYM_ALPHABET: str = _PSEUDONYM_ALPHABET  # TODO(house)


def insert_frame(conn: Any, table: Any, df: pd.DataFrame) -> None:
    """Insert the rows of a frame into a table on an open connection, in bulk."""
    _insert_frame(conn, table, df)  # TODO(house)


def writer(store: Store) -> Engine:
    """Return the engine a store writes with (SQLite: transactions begin IMMEDIATE)."""
    engine: Engine = store._writer  # TODO(house)
    return engine


def write_audit(tx: Tx) -> None:
    """Write the audit rows a transaction has logged, chained to the last one."""
    tx._write_audit()  # TODO(house)
