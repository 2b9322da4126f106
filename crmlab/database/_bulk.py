"""Fast writes inside an import transaction: multi-row parameterised INSERTs and set-wise derived fields.

Chapter 1 (scale). Binding one row per statement costs more than SQLite's own work per row, so rows
are sent in multi-row ``INSERT ... VALUES (?, ...), (?, ...)`` statements (still only placeholders:
every value is bound, never formatted into the SQL). A large batch into a log table is loaded with the
log's triggers and secondary indexes set aside; the system-maintained fields are then recomputed with
one ``GROUP BY`` for every customer the batch touched, and the triggers and indexes are restored, all
inside the caller's transaction, so no reader ever sees a gap and a failure rolls everything back.
The CHECK constraints are not evaluated a second time for the rows of such a batch: the batch was
checked by the same rules (generated from the same :class:`~crmlab.database.schema.Field`) before it
was written; every other write, including raw SQL, is still checked by SQLite.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import numpy as np
import pandas as pd

from crmlab.database._dates import days_from_labels
from crmlab.database.lapses import add_for_new_customers, rebuild_from_log, refresh_sql
from crmlab.database.schema import (
    INDEX_TABLE,
    INDEXES,
    PRIMARY_KEYS,
    STATS_RECOMPUTE,
    create_triggers,
    drop_triggers,
)

__all__ = ["BULK_ROWS", "write_rows"]

#: Batches at least this long are bulk-loaded: triggers off, derived fields recomputed set-wise.
BULK_ROWS = 20_000
#: Bound parameters per statement (SQLite allows 32,766).
_PARAMS = 8_000
_LOGS = ("transactions", "interactions", "complaints")


def _upsert_sql(table: str, columns: list[str], rows: int) -> str:
    keys = PRIMARY_KEYS[table]
    marks = "(" + ", ".join("?" * len(columns)) + ")"
    updates = [c for c in columns if c not in keys]
    action = "DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in updates) if updates else "DO NOTHING"
    values = ", ".join([marks] * rows)
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES {values} ON CONFLICT ({', '.join(keys)}) {action}"


def _flat(arrays: list[np.ndarray], start: int, stop: int) -> list:
    """Rows ``start:stop`` as one flat list of Python values, row after row."""
    block = np.empty((stop - start, len(arrays)), dtype=object)
    for j, arr in enumerate(arrays):
        block[:, j] = arr[start:stop]  # int64/float64 become Python int/float here
    return block.ravel().tolist()


def _chunks(arrays: list[np.ndarray], stop: int, size: int) -> Iterator[list]:
    for start in range(0, stop, size):
        yield _flat(arrays, start, start + size)


def insert_rows(conn: sqlite3.Connection, table: str, names: list[str], arrays: list[np.ndarray], *,
                upsert: bool = True) -> int:
    """Upsert (or plainly insert) the rows given column-wise by ``arrays``, many rows per statement."""
    n = len(arrays[0]) if arrays else 0
    size = max(1, _PARAMS // max(1, len(names)))
    full = (n // size) * size

    def sql(rows: int) -> str:
        if upsert:
            return _upsert_sql(table, names, rows)
        marks = "(" + ", ".join("?" * len(names)) + ")"
        return f"INSERT INTO {table} ({', '.join(names)}) VALUES {', '.join([marks] * rows)}"

    if full:
        conn.executemany(sql(size), _chunks(arrays, full, size))
    if full < n:
        conn.execute(sql(n - full), _flat(arrays, full, n))
    return n


def _plain_insert(conn: sqlite3.Connection, table: str, names: list[str], arrays: list[np.ndarray]) -> int:
    return insert_rows(conn, table, names, arrays, upsert=False)


def _refresh_lapses(conn: sqlite3.Connection, scope: str) -> None:
    for statement in refresh_sql(scope).split(";\n"):
        if statement.strip():
            conn.execute(statement)


def _ints_or(arrays: list[np.ndarray], names: list[str], name: str, n: int, fill: int) -> np.ndarray:
    """Return an integer column of the batch (``fill`` where missing or absent)."""
    if name not in names:
        return np.full(n, fill, dtype=np.int64)
    return pd.array(arrays[names.index(name)], dtype="Int64").to_numpy(dtype=np.int64, na_value=fill)


def write_rows(conn: sqlite3.Connection, table: str, names: list[str], arrays: list[np.ndarray]) -> int:
    """Write a validated batch; large batches into a log or the customer table take the bulk path."""
    n = len(arrays[0]) if arrays else 0
    if n < BULK_ROWS or table not in (*_LOGS, "customers"):
        return insert_rows(conn, table, names, arrays)
    # Bulk path: indexes rebuilt after the load when the table was empty (one sort instead of n
    # B-tree insertions); for a log with maintained fields, its triggers are off during the load and
    # the fields are recomputed set-wise afterwards for every customer the batch touched.
    empty = conn.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {table})").fetchone()[0]
    own_indexes = [name for name, t in INDEX_TABLE.items() if t == table]
    stats = table in STATS_RECOMPUTE
    if stats:
        drop_triggers(conn, tuple(f"trg_{table}_{op}" for op in ("insert", "update", "delete")))
        if not empty:
            _mark_touched(conn, table, names, arrays)
    if table == "customers":  # their lapses are recomputed set-wise below, not row by row
        drop_triggers(conn, ("trg_customers_insert", "trg_customers_update"))
    if empty:
        for name in own_indexes:
            conn.execute(f"DROP INDEX IF EXISTS {name}")
    # Every row was just checked by validate_batch against the same Field rules the CHECK constraints
    # are generated from (and dates/booleans were formatted by us), so SQLite is spared evaluating them
    # a second time for this batch only; NOT NULL, STRICT types and keys are still enforced by SQLite.
    conn.execute("PRAGMA ignore_check_constraints = ON")
    try:
        insert_rows(conn, table, names, arrays)
    finally:
        conn.execute("PRAGMA ignore_check_constraints = OFF")
    if empty:
        for name in own_indexes:
            conn.execute(INDEXES[name])
    if stats:
        where = "" if empty else "WHERE customer_id IN (SELECT customer_id FROM _touched)"
        target, recompute = STATS_RECOMPUTE[table]
        conn.execute(f"DELETE FROM {target} {where}")
        conn.execute(recompute.format(where=where))
        if table == "transactions" and empty:  # the batch is the whole log: lapses with numpy
            owners = np.asarray(arrays[names.index("customer_id")], dtype=np.int64)
            rebuild_from_log(conn, owners, days_from_labels(arrays[names.index("date")]), _plain_insert)
        elif table == "transactions":
            _refresh_lapses(conn, "{a}.customer_id IN (SELECT customer_id FROM _touched)")
        create_triggers(conn, table)
    if table == "customers":
        if empty:  # no customer can have transactions yet (foreign key): lapses from acquisition only
            ids = np.asarray(arrays[names.index("customer_id")], dtype=np.int64)
            cycle = _ints_or(arrays, names, "purchase_cycle_days", len(ids), -1)
            acquired = (days_from_labels(arrays[names.index("acquisition_date")]) if "acquisition_date" in names
                        else np.full(len(ids), np.iinfo(np.int64).min))
            add_for_new_customers(conn, ids, cycle, acquired, _plain_insert)
        else:
            conn.execute("CREATE TEMP TABLE IF NOT EXISTS _touched (customer_id INTEGER PRIMARY KEY)")
            conn.execute("DELETE FROM _touched")
            insert_ids(conn, "INSERT OR IGNORE INTO _touched VALUES",
                       np.asarray(arrays[names.index("customer_id")], dtype=np.int64))
            _refresh_lapses(conn, "{a}.customer_id IN (SELECT customer_id FROM _touched)")
        create_triggers(conn, table)
    return n


def _mark_touched(conn: sqlite3.Connection, table: str, names: list[str], arrays: list[np.ndarray]) -> None:
    """Fill temp table ``_touched`` with the customers whose maintained fields a log batch changes."""
    key = PRIMARY_KEYS[table][0]
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS _touched (customer_id INTEGER PRIMARY KEY)")
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS _batch_ids (id INTEGER PRIMARY KEY)")
    conn.execute("DELETE FROM _touched")
    conn.execute("DELETE FROM _batch_ids")
    ids = np.asarray(arrays[names.index(key)], dtype=np.int64)
    insert_ids(conn, "INSERT INTO _batch_ids VALUES", ids)
    # the old owners of rows the batch updates, then the new owners
    conn.execute(
        f"INSERT OR IGNORE INTO _touched SELECT t.customer_id FROM {table} AS t JOIN _batch_ids AS b ON b.id = t.{key}"
    )
    if "customer_id" in names:
        owners = np.unique(np.asarray(arrays[names.index("customer_id")], dtype=np.int64))
        insert_ids(conn, "INSERT OR IGNORE INTO _touched VALUES", owners)


def insert_ids(conn: sqlite3.Connection, head: str, ids: np.ndarray) -> None:
    """Insert one integer column (``head`` ends with ``VALUES``) in multi-row statements."""
    ids = np.asarray(ids, dtype=np.int64)
    size = _PARAMS
    full = (len(ids) // size) * size
    if full:
        sql = f"{head} " + ", ".join(["(?)"] * size)
        conn.executemany(sql, (ids[i:i + size].tolist() for i in range(0, full, size)))
    if full < len(ids):
        conn.execute(f"{head} " + ", ".join(["(?)"] * (len(ids) - full)), ids[full:].tolist())
