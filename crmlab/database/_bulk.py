"""Writing a validated batch inside an import transaction; large batches with set-wise derived fields.

Chapter 1 (scale). Rows go out in multi-row parameterised INSERTs (:mod:`._insert`). A large batch
into a log table (or the customer table) is loaded with the table's triggers and secondary indexes
set aside; the system-maintained fields and purchase lapses are then recomputed set-wise for every
customer the batch touched, and the triggers and indexes are restored, all inside the caller's
transaction, so no reader ever sees a gap and a failure rolls everything back.
The CHECK constraints are not evaluated a second time for the rows of such a batch: the batch was
checked by the same rules (generated from the same :class:`~crmlab.database.schema.Field`) before it
was written, and ``tests/test_database_rules.py`` holds every CHECK rule on both paths; every other
write, including raw SQL, is still checked by SQLite.
"""

from __future__ import annotations

import sqlite3

import numpy as np
import pandas as pd

from crmlab.database import _lapses
from crmlab.database._dates import MISSING_DAY, days_from_labels
from crmlab.database._insert import insert_ids, insert_rows
from crmlab.database._setup import create_triggers, drop_triggers
from crmlab.database.schema import INDEX_TABLE, INDEXES, PRIMARY_KEYS

__all__ = ["BULK_ROWS", "write_rows"]

#: Batches at least this long are bulk-loaded: triggers off, derived fields recomputed set-wise.
BULK_ROWS = 20_000
_LOGS = ("transactions", "interactions", "complaints")
_TOUCHED = "{a}.customer_id IN (SELECT customer_id FROM _touched)"

#: Set-wise recomputation of the maintained fields after a bulk load ({where} restricts the customers).
STATS_RECOMPUTE: dict[str, tuple[str, str]] = {
    "transactions": (
        "customer_stats",
        "INSERT INTO customer_stats (customer_id, transaction_count, transaction_amount, first_transaction, "
        "last_transaction) SELECT customer_id, COUNT(*), SUM(amount), MIN(date), MAX(date) FROM transactions "
        "{where} GROUP BY customer_id",
    ),
    "interactions": (
        "contact_stats",
        "INSERT INTO contact_stats (customer_id, interaction_count, last_contact) "
        "SELECT customer_id, COUNT(*), MAX(date) FROM interactions {where} GROUP BY customer_id",
    ),
}



def _ints_or(arrays: list[np.ndarray], names: list[str], name: str, n: int, fill: int) -> np.ndarray:
    """Return an integer column of the batch (``fill`` where missing or absent)."""
    if name not in names:
        return np.full(n, fill, dtype=np.int64)
    return pd.array(arrays[names.index(name)], dtype="Int64").to_numpy(dtype=np.int64, na_value=fill)


def write_rows(conn: sqlite3.Connection, table: str, names: list[str], arrays: list[np.ndarray]) -> int:
    """Write a validated batch; large batches into a log or the customer table take the bulk path."""
    n = len(arrays[0]) if arrays else 0
    if n < BULK_ROWS or table not in (*_LOGS, "customers"):
        return insert_rows(conn, table, names, arrays, upsert_keys=PRIMARY_KEYS[table])
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
        insert_rows(conn, table, names, arrays, upsert_keys=PRIMARY_KEYS[table])
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
            _lapses.rebuild_from_log(conn, owners, days_from_labels(arrays[names.index("date")]))
        elif table == "transactions":
            _lapses.refresh(conn, _TOUCHED)
        create_triggers(conn, table)
    if table == "customers":
        if empty:  # no customer can have transactions yet (foreign key): lapses from acquisition only
            ids = np.asarray(arrays[names.index("customer_id")], dtype=np.int64)
            cycle = _ints_or(arrays, names, "purchase_cycle_days", len(ids), -1)
            acquired = (days_from_labels(arrays[names.index("acquisition_date")]) if "acquisition_date" in names
                        else np.full(len(ids), MISSING_DAY))
            _lapses.add_for_new_customers(conn, ids, cycle, acquired)
        else:
            conn.execute("CREATE TEMP TABLE IF NOT EXISTS _touched (customer_id INTEGER PRIMARY KEY)")
            conn.execute("DELETE FROM _touched")
            insert_ids(conn, "INSERT OR IGNORE INTO _touched VALUES",
                       np.asarray(arrays[names.index("customer_id")], dtype=np.int64))
            _lapses.refresh(conn, _TOUCHED)
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
