"""Atomic import (upsert by id) and pseudonymised export of the customer database.

Chapter 1. Every write runs inside ONE SQLite transaction: a batch is checked
against the rules of :mod:`crmlab.database.schema` first, and if any row breaks
a rule (or the database refuses it) the transaction is rolled back, so the
database file is left byte for byte as it was. Only parameterised SQL touches
user data, so names such as ``O'Brien`` are stored verbatim.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from crmlab._validation import check_frame
from crmlab.database._bulk import BULK_ROWS, write_rows
from crmlab.database._export import export_tables, pseudonymise
from crmlab.database._validate import to_sql_columns, validate_batch
from crmlab.database.schema import PRIMARY_KEYS, TABLES

if TYPE_CHECKING:
    from crmlab.database.core import CustomerDatabase

__all__ = ["export_tables", "import_csv", "import_frame", "import_tables", "import_world", "pseudonymise"]

_IMPORT_ORDER = ("product_categories", "customers", "transactions", "interactions", "complaints", "preferences")


def _existing(conn: sqlite3.Connection, sql: str) -> np.ndarray:
    rows = conn.execute(sql).fetchall()
    return np.array([r[0] for r in rows]) if rows else np.array([], dtype=object)


def _known_customers(conn: sqlite3.Connection, ids: np.ndarray) -> np.ndarray:
    """Boolean mask: ``ids`` that are customers in the database (set-wise, no per-row SQL)."""
    rows = conn.execute("SELECT customer_id FROM customers ORDER BY customer_id").fetchall()
    known = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    if not len(known) or not len(ids):
        return np.zeros(len(ids), dtype=bool)
    top = int(known[-1])
    if top <= 4 * len(known) + 1_000_000:
        # dense ids: a lookup table, O(n) instead of the sort behind np.isin
        table = np.zeros(top + 1, dtype=bool)
        table[known] = True
        inside = (ids >= 0) & (ids <= top)
        return inside & table[np.where(inside, ids, 0)]
    return np.isin(ids, known)


def _check_references(
    caller: str, conn: sqlite3.Connection, table: str, df: pd.DataFrame, add_categories: bool
) -> None:
    """Foreign keys, checked before writing so the error can name the row."""
    from crmlab.database._validate import _fail

    if table in ("transactions", "interactions", "complaints", "preferences"):
        ids = df["customer_id"].to_numpy(dtype=np.int64)
        bad = ~_known_customers(conn, ids)
        if bad.any():
            _fail(caller, table, df, bad, "customer_id", "must be the id of a customer already in the database")
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
            _fail(
                caller, table, df, bad, "category",
                "must be a registered product category (系统字典): add it with db.add_categories() "
                "or pass add_categories=True",
            )


def _write(conn: sqlite3.Connection, table: str, columns: dict[str, pd.Series]) -> int:
    return write_rows(conn, table, list(columns), to_sql_columns(table, columns))


def import_frame(
    db: CustomerDatabase,
    table: str,
    data: pd.DataFrame,
    *,
    add_categories: bool = False,
) -> int:
    """Import one DataFrame into ``table``, atomically, updating rows whose key exists (upsert).

    Chapter 1. The batch is checked against every rule of the table; the first
    bad row stops the import with an error naming the row, the field and the
    rule, and nothing is written. Rows whose key (``customer_id``,
    ``transaction_id``, ...) is already in the database are updated in the
    columns the frame carries; the other columns keep their values.

    Parameters
    ----------
    db : CustomerDatabase
        The database to write to.
    table : {"customers", "transactions", "interactions", "complaints", "preferences", "product_categories"}
        Target table.
    data : pandas.DataFrame
        Columns named as in the table (see :data:`crmlab.database.schema.TABLES`); the key column is
        required, other columns optional. Dates may be datetimes or ISO text.
    add_categories : bool, default=False
        For transactions: register unseen product categories in the system dictionary instead of
        rejecting the batch.

    Returns
    -------
    int
        Number of rows written (inserted or updated).

    Raises
    ------
    TypeError
        If ``data`` is not a DataFrame.
    ValueError
        If ``table`` is unknown, a column is not in the table, or a row breaks a rule
        (``"row 3 (transaction_id=4) of 'transactions', field 'amount' breaks the rule: amount must be > 0"``).

    See Also
    --------
    import_world, import_csv, export_tables

    Examples
    --------
    >>> import pandas as pd
    >>> from crmlab.database import CustomerDatabase
    >>> db = CustomerDatabase()
    >>> db.import_frame("customers", pd.DataFrame({"customer_id": [1], "customer_type": ["individual"],
    ...                                            "name": ["O'Brien"]}))
    1
    >>> db.query("SELECT name FROM customers")["name"].tolist()
    ["O'Brien"]
    """
    return import_tables(db, {table: data}, add_categories=add_categories, caller="import_frame")[table]


def import_tables(
    db: CustomerDatabase,
    tables: Mapping[str, pd.DataFrame],
    *,
    add_categories: bool = False,
    caller: str = "import_tables",
) -> dict[str, int]:
    """Import several tables in ONE transaction: all of them, or nothing.

    Chapter 1. Tables are written parents first (categories, customers, then
    the logs), so a batch may bring new customers and their transactions
    together. See :func:`import_frame` for the rules.

    Parameters
    ----------
    db : CustomerDatabase
        The database.
    tables : mapping of str to pandas.DataFrame
        Table name -> rows.
    add_categories : bool, default=False
        Register unseen product categories instead of rejecting the batch.
    caller : str, default="import_tables"
        Name used in error messages.

    Returns
    -------
    dict of str to int
        Rows written per table.

    Raises
    ------
    TypeError, ValueError
        As :func:`import_frame`; on any error nothing at all is written.
    """
    for name, frame in tables.items():
        if name not in PRIMARY_KEYS:
            raise ValueError(f"{caller}(): 'table' must be one of {list(PRIMARY_KEYS)}; got {name!r}.")
        check_frame(frame, caller=caller, name=name)
    conn = db.connection
    counts: dict[str, int] = {}
    order = [t for t in _IMPORT_ORDER if t in tables]
    # Large batches: foreign keys are checked set-wise (below, before writing, inside the same transaction)
    # instead of row by row; PRAGMA foreign_keys can only change outside a transaction.
    bulk = any(len(tables[t]) >= BULK_ROWS for t in order)
    if bulk:
        conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("BEGIN IMMEDIATE")
    try:
        for name in order:
            frame = tables[name]
            columns = validate_batch(caller, name, frame)
            _check_references(caller, conn, name, frame, add_categories)
            counts[name] = _write(conn, name, columns)
        conn.execute("COMMIT")
    except sqlite3.IntegrityError as exc:
        conn.execute("ROLLBACK")
        raise ValueError(f"{caller}(): the database refused the batch ({exc}); nothing was imported.") from exc
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    finally:
        if bulk:
            conn.execute("PRAGMA foreign_keys = ON")
    return counts


def import_csv(db: CustomerDatabase, path: str | Path, table: str, *, add_categories: bool = False) -> int:
    """Import a CSV file into ``table`` (atomic upsert, see :func:`import_frame`).

    Chapter 1. Every column is read as text and checked by the table's rules, so
    a value such as ``"12x"`` in a numeric column is reported by row.

    Parameters
    ----------
    db : CustomerDatabase
        The database.
    path : str or Path
        CSV file with a header row naming the table's columns.
    table : str
        Target table.
    add_categories : bool, default=False
        See :func:`import_frame`.

    Returns
    -------
    int
        Rows written.

    Raises
    ------
    ValueError
        As :func:`import_frame`.
    """
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    fields = {f.name: f for f in TABLES.get(table, ())}
    for col in frame.columns:
        field = fields.get(col)
        if field is not None and field.kind in ("int", "real", "bool"):
            converted = pd.to_numeric(frame[col], errors="coerce")
            if not (converted.isna() & frame[col].notna()).any():
                frame[col] = converted
    return import_tables(db, {table: frame}, add_categories=add_categories, caller="import_csv")[table]


def _world_tables(world: Any) -> dict[str, pd.DataFrame]:
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


def import_world(db: CustomerDatabase, world: Any) -> dict[str, int]:
    """Import a generated :class:`crmlab.synth.CustomerWorld` in one atomic transaction.

    Chapter 1. Customers (profile fields the schema holds), their ``preferred_*``
    profile fields as rows of ``preferences``, transactions (new product
    categories are registered in the system dictionary) and complaints. Profile
    columns the schema does not hold (e.g. ``age``, derived from ``birth_date``)
    are not stored.

    Parameters
    ----------
    db : CustomerDatabase
        The database.
    world : CustomerWorld
        The output of :func:`crmlab.synth.make_customer_world`.

    Returns
    -------
    dict
        Rows written per table.

    Raises
    ------
    ValueError
        If any row of any table breaks a rule; then nothing at all is imported.
    """
    return import_tables(db, _world_tables(world), add_categories=True, caller="import_world")
