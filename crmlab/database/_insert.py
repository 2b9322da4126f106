"""Multi-row parameterised INSERTs: the one way crmlab sends many rows to SQLite.

Chapter 1 (scale). Binding one row per statement costs more than SQLite's own work per row, so rows
are sent in multi-row ``INSERT ... VALUES (?, ...), (?, ...)`` statements. Every value is still bound
as a parameter, never formatted into the SQL. This module knows nothing of the schema: the caller
names the table, the columns and, for an upsert, the key.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence

import numpy as np

__all__ = ["insert_ids", "insert_rows"]

#: Bound parameters per statement (SQLite allows 32,766).
_PARAMS = 8_000


def _insert_sql(table: str, columns: Sequence[str], rows: int, keys: Sequence[str] | None) -> str:
    marks = "(" + ", ".join("?" * len(columns)) + ")"
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([marks] * rows)}"
    if keys is None:
        return sql
    updates = [c for c in columns if c not in keys]
    action = "DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in updates) if updates else "DO NOTHING"
    return f"{sql} ON CONFLICT ({', '.join(keys)}) {action}"


def _flat(arrays: Sequence[np.ndarray], start: int, stop: int) -> list:
    """Rows ``start:stop`` as one flat list of Python values, row after row."""
    block = np.empty((stop - start, len(arrays)), dtype=object)
    for j, arr in enumerate(arrays):
        block[:, j] = arr[start:stop]  # int64/float64 become Python int/float here
    return block.ravel().tolist()


def _chunks(arrays: Sequence[np.ndarray], stop: int, size: int) -> Iterator[list]:
    for start in range(0, stop, size):
        yield _flat(arrays, start, start + size)


def insert_rows(conn: sqlite3.Connection, table: str, columns: Sequence[str], arrays: Sequence[np.ndarray], *,
                upsert_keys: Sequence[str] | None = None) -> int:
    """Insert the rows given column-wise by ``arrays`` (missing values are ``None``); return how many.

    With ``upsert_keys``, a row whose key exists updates the columns given instead.
    """
    n = len(arrays[0]) if len(arrays) else 0
    size = max(1, _PARAMS // max(1, len(columns)))
    full = (n // size) * size
    if full:
        conn.executemany(_insert_sql(table, columns, size, upsert_keys), _chunks(arrays, full, size))
    if full < n:
        conn.execute(_insert_sql(table, columns, n - full, upsert_keys), _flat(arrays, full, n))
    return n


def insert_ids(conn: sqlite3.Connection, head: str, ids: np.ndarray) -> None:
    """Insert one integer column (``head`` ends with ``VALUES``) in multi-row statements."""
    ids = np.asarray(ids, dtype=np.int64)
    full = (len(ids) // _PARAMS) * _PARAMS
    if full:
        sql = f"{head} " + ", ".join(["(?)"] * _PARAMS)
        conn.executemany(sql, (ids[i:i + _PARAMS].tolist() for i in range(0, full, _PARAMS)))
    if full < len(ids):
        conn.execute(f"{head} " + ", ".join(["(?)"] * (len(ids) - full)), ids[full:].tolist())
