"""Atomic import (upsert by id) into the customer database: the work behind ``CustomerDatabase.import_*``.

Chapter 1. Every write runs inside ONE SQLite transaction: a batch is checked
against the rules of :mod:`crmlab.database.schema` first, and if any row breaks
a rule (or the database refuses it) the transaction is rolled back, so the
database file is left byte for byte as it was. Only parameterised SQL touches
user data, so names such as ``O'Brien`` are stored verbatim.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from crmlab._keys import member_mask
from crmlab._validation import check_frame
from crmlab.database._bulk import BULK_ROWS, write_rows
from crmlab.database._validate import refuse_rows, to_sql_columns, validate_batch
from crmlab.database.schema import PRIMARY_KEYS, TABLES

__all__ = ["csv_frame", "import_tables", "world_tables"]

_IMPORT_ORDER = ("product_categories", "customers", "transactions", "interactions", "complaints", "preferences")


def _existing(conn: sqlite3.Connection, sql: str) -> np.ndarray:
    rows = conn.execute(sql).fetchall()
    return np.array([r[0] for r in rows]) if rows else np.array([], dtype=object)


def _known_customers(conn: sqlite3.Connection, ids: np.ndarray) -> np.ndarray:
    """Boolean mask: ``ids`` that are customers in the database (set-wise, no per-row SQL)."""
    rows = conn.execute("SELECT customer_id FROM customers ORDER BY customer_id").fetchall()
    known = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    return member_mask(ids, known)


def _check_references(
    caller: str, conn: sqlite3.Connection, table: str, df: pd.DataFrame, *, add_categories: bool
) -> None:
    """Foreign keys, checked before writing so the error can name the row."""
    if table in ("transactions", "interactions", "complaints", "preferences"):
        ids = df["customer_id"].to_numpy(dtype=np.int64)
        bad = ~_known_customers(conn, ids)
        if bad.any():
            refuse_rows(caller, table, df, bad, "customer_id", "must be the id of a customer already in the database")
    if table == "transactions" and "category" in df.columns:
        cats = df["category"]
        present = cats.notna().to_numpy()
        if add_categories:
            new = pd.unique(cats[present].astype(str))
            conn.executemany(
                "INSERT INTO product_categories (category) VALUES (?) ON CONFLICT (category) DO NOTHING",
                [(c,) for c in sorted(new)],
            )
        known_c = _existing(conn, "SELECT category FROM product_categories")
        bad = present & ~cats.isin(known_c).to_numpy()
        if bad.any():
            refuse_rows(
                caller, table, df, bad, "category",
                "must be a registered product category (系统字典): add it with db.add_categories() "
                "or pass add_categories=True",
            )


def _write(conn: sqlite3.Connection, table: str, columns: dict[str, pd.Series]) -> int:
    return write_rows(conn, table, list(columns), to_sql_columns(table, columns))


def import_tables(conn: sqlite3.Connection, tables: Mapping[str, pd.DataFrame], *, add_categories: bool,
                  caller: str, on_locked: Callable[[sqlite3.OperationalError], Exception]) -> dict[str, int]:
    """Import several tables in ONE transaction: all of them, or nothing (see ``CustomerDatabase.import_tables``).

    ``on_locked`` turns SQLite's "database is locked" (or another failure to start writing) into the
    error to raise.
    """
    for name, frame in tables.items():
        if name not in PRIMARY_KEYS:
            raise ValueError(f"{caller}(): 'table' must be one of {list(PRIMARY_KEYS)}; got {name!r}.")
        check_frame(frame, caller=caller, name=name)
    counts: dict[str, int] = {}
    order = [t for t in _IMPORT_ORDER if t in tables]
    # Large batches: foreign keys are checked set-wise (below, before writing, inside the same transaction)
    # instead of row by row; PRAGMA foreign_keys can only change outside a transaction.
    bulk = any(len(tables[t]) >= BULK_ROWS for t in order)
    try:
        if bulk:
            conn.execute("PRAGMA foreign_keys = OFF")
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise on_locked(exc) from exc
        try:
            for name in order:
                frame = tables[name]
                columns = validate_batch(caller, name, frame)
                _check_references(caller, conn, name, frame, add_categories=add_categories)
                counts[name] = _write(conn, name, columns)
            conn.execute("COMMIT")
        except sqlite3.IntegrityError as exc:
            conn.execute("ROLLBACK")
            raise ValueError(f"{caller}(): the database refused the batch ({exc}); nothing was imported.") from exc
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    finally:
        if bulk:  # always back on, even when the database was locked (a PRAGMA outside any transaction)
            conn.execute("PRAGMA foreign_keys = ON")
    return counts


def csv_frame(path: Any, table: str) -> pd.DataFrame:
    """Read a CSV file for ``table``: every column as text, numeric columns converted where every value parses."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    fields = {f.name: f for f in TABLES.get(table, ())}
    for col in frame.columns:
        field = fields.get(col)
        if field is not None and field.kind in ("int", "real", "bool"):
            converted = pd.to_numeric(frame[col], errors="coerce")
            if not (converted.isna() & frame[col].notna()).any():
                frame[col] = converted
    return frame


def world_tables(world: Any) -> dict[str, pd.DataFrame]:
    """Map a :class:`crmlab.synth.CustomerWorld` onto the database tables."""
    cust = world.customers.copy()
    if "name" not in cust.columns and "company_name" in cust.columns:
        cust = cust.rename(columns={"company_name": "name"})
    if "customer_type" not in cust.columns:
        is_b2b = "company_name" in world.customers.columns
        cust["customer_type"] = "business" if is_b2b else "individual"
    pref_cols = [c for c in cust.columns if c.startswith("preferred_")]
    known = [f.name for f in TABLES["customers"]]
    tables: dict[str, pd.DataFrame] = {"customers": cust[[c for c in cust.columns if c in known]]}
    if pref_cols:
        pref = cust[["customer_id", *pref_cols]].melt(id_vars="customer_id", var_name="item", value_name="value")
        pref = pref[pref["value"].notna()].copy()
        pref["item"] = pref["item"].str.removeprefix("preferred_")
        pref["value"] = pref["value"].astype(str)
        pref["source"] = "profile"
        tables["preferences"] = pref.sort_values(["customer_id", "item"], kind="stable").reset_index(drop=True)
    tx = getattr(world, "transactions", None)
    if tx is not None and len(tx):
        keep = [c for c in ("transaction_id", "customer_id", "date", "amount", "category", "quantity", "discount")
                if c in tx.columns]
        tables["transactions"] = tx[keep]
    comp = getattr(world, "complaints", None)
    if comp is not None and len(comp):
        keep = [f.name for f in TABLES["complaints"] if f.name in comp.columns]
        tables["complaints"] = comp[keep]
    inter = getattr(world, "interactions", None)
    if inter is not None and len(inter):
        tables["interactions"] = inter[[f.name for f in TABLES["interactions"] if f.name in inter.columns]]
    return tables
