"""The :class:`CustomerDatabase`: a real SQLite customer database with a small Python face."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crmlab._validation import check_in_choices
from crmlab.database import alerts as _alerts
from crmlab.database import io as _io
from crmlab.database import quality as _quality
from crmlab.database import views as _views
from crmlab.database._dates import iso_dates
from crmlab.database.schema import PRIMARY_KEYS, SCHEMA_VERSION, TABLES, create_schema, upgrade_schema

__all__ = ["CustomerDatabase"]

_SYNC = ("OFF", "NORMAL", "FULL")


_DATES = {f.name for fields in TABLES.values() for f in fields if f.kind == "date"}
_DATES |= {"first_transaction", "last_transaction", "last_contact"}
_INTS = {f.name for fields in TABLES.values() for f in fields if f.kind == "int"}


def _parse_dates(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates (ISO text in SQLite) to datetime64; integer columns with gaps to nullable Int64."""
    for col in frame.columns:
        if col in _DATES:
            frame[col] = iso_dates(frame[col])
        elif col in _INTS and frame[col].dtype == object or (col in _INTS and frame[col].dtype == float):
            frame[col] = frame[col].astype("Int64")
    return frame


class CustomerDatabase:
    """A customer database (客户数据库) held in SQLite, a file or in memory.

    Chapter 1. The schema (:mod:`crmlab.database.schema`) has tables for
    customers (individual and business), product categories (the "system
    dictionary"), transactions, interactions, complaints and preferences, with
    primary and foreign keys, CHECK constraints and indexes. The fields the
    lecture says "the system maintains itself" — transaction count, amount,
    first and last transaction — live in ``customer_stats``, written only by
    triggers on the transaction log, and are shown with the profile in the view
    ``customer_record``. The database also keeps every customer's purchase
    lapses (``purchase_lapses``, :mod:`crmlab.database.lapses`), from which the
    "business falling" alert of any day is read. A file written by an earlier
    version of the schema is upgraded when it is opened.

    Parameters
    ----------
    path : str or Path, default=":memory:"
        Database file (created if absent) or ``":memory:"``.
    synchronous : {"NORMAL", "FULL", "OFF"}, default="NORMAL"
        SQLite's ``PRAGMA synchronous``. ``"OFF"`` makes large imports faster;
        a crash of the operating system (not of Python) may then corrupt the
        file. Atomic rollback of a failed import works in every mode.

    Attributes
    ----------
    path : str
        The database path.

    See Also
    --------
    crmlab.database.import_frame, crmlab.database.purchase_alerts, crmlab.database.customer_360,
    crmlab.database.data_quality_report, crmlab.database.export_tables

    Notes
    -----
    Every import is one transaction: all rows or none. The connection runs in
    autocommit mode otherwise, so :meth:`execute` commits each statement.
    Foreign keys are enforced; deleting a customer deletes their transactions,
    interactions, complaints and preferences (``ON DELETE CASCADE``).

    Examples
    --------
    >>> import pandas as pd
    >>> db = CustomerDatabase()
    >>> db.import_frame("customers", pd.DataFrame(
    ...     {"customer_id": [1, 2], "customer_type": "individual", "name": ["Ann Lee", "Bo Wu"]}))
    2
    >>> db.import_frame("transactions", pd.DataFrame(
    ...     {"transaction_id": [1, 2, 3], "customer_id": [1, 1, 2],
    ...      "date": ["2024-01-05", "2024-03-01", "2024-02-10"], "amount": [20.0, 35.5, 12.0]}))
    3
    >>> db.customer_record()[["customer_id", "transaction_count", "transaction_amount", "last_transaction"]]
       customer_id  transaction_count  transaction_amount last_transaction
    0            1                  2                55.5       2024-03-01
    1            2                  1                12.0       2024-02-10
    """

    def __init__(self, path: str | Path = ":memory:", *, synchronous: str = "NORMAL") -> None:
        check_in_choices(synchronous, "synchronous", _SYNC, caller="CustomerDatabase")
        if not isinstance(path, (str, Path)):
            raise TypeError(f"CustomerDatabase(): 'path' must be a str or Path; got {type(path).__name__}.")
        self.path = str(path)
        self._conn = sqlite3.connect(self.path, isolation_level=None)
        self._conn.execute("PRAGMA foreign_keys = ON")
        self._conn.execute(f"PRAGMA synchronous = {synchronous}")
        self._conn.execute("PRAGMA temp_store = MEMORY")
        self._conn.execute("PRAGMA cache_size = -262144")  # up to 256 MiB of page cache
        self._conn.execute("PRAGMA mmap_size = 4294967296")  # read large files through mmap (reads only)
        self._conn.execute("PRAGMA threads = 2")  # helper threads for the sorts of CREATE INDEX / ORDER BY
        exists = self._conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'customer_record'").fetchone()
        version = self._conn.execute("PRAGMA user_version").fetchone()[0]
        if exists and version > SCHEMA_VERSION:
            self._conn.close()
            raise ValueError(f"CustomerDatabase(): {self.path!r} has schema version {version}, written by a newer "
                             f"crmlab; this one reads version {SCHEMA_VERSION} and older.")
        if not exists or version < SCHEMA_VERSION:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                if exists:
                    upgrade_schema(self._conn)
                else:
                    create_schema(self._conn)
                self._conn.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                self._conn.close()
                raise sqlite3.OperationalError(
                    f"CustomerDatabase(): {self.path!r} uses schema version {version} and could not be brought "
                    f"to version {SCHEMA_VERSION} ({exc}); open a writable copy once to upgrade it.") from exc

    # -- plumbing -------------------------------------------------------------------------------------------
    @property
    def connection(self) -> sqlite3.Connection:
        """The underlying :class:`sqlite3.Connection` (autocommit mode)."""
        return self._conn

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    def __enter__(self) -> CustomerDatabase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"CustomerDatabase(path={self.path!r})"

    def query(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> pd.DataFrame:
        """Run a read-only, parameterised SQL query and return a DataFrame.

        Parameters
        ----------
        sql : str
            SQL with ``?`` or ``:name`` placeholders — never format values into it.
        params : sequence or mapping, default=()
            Values for the placeholders.

        Returns
        -------
        pandas.DataFrame
            One column per result column, in order.
        """
        cur = self._conn.execute(sql, params)
        columns = [d[0] for d in cur.description]
        rows = cur.fetchall()
        if not rows:
            return pd.DataFrame({i: pd.Series(dtype=object) for i in range(len(columns))}).set_axis(columns, axis=1)
        # column-wise construction: much faster than from_records for long results
        data = {i: np.array(col, dtype=object) for i, col in enumerate(zip(*rows, strict=True))}
        frame = pd.DataFrame(data).infer_objects()
        frame.columns = columns
        return frame

    def execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> int:
        """Run one parameterised write statement (committed at once); return the rows changed."""
        return self._conn.execute(sql, params).rowcount

    def table(self, name: str) -> pd.DataFrame:
        """Return a whole table (or the ``customer_record`` view) with date columns as datetimes.

        Parameters
        ----------
        name : str
            One of the tables of :data:`crmlab.database.schema.TABLES`, ``"customer_stats"``,
            ``"contact_stats"``, ``"purchase_lapses"`` or ``"customer_record"``.

        Returns
        -------
        pandas.DataFrame
            Rows ordered by primary key.
        """
        choices = [*TABLES, "customer_stats", "contact_stats", "purchase_lapses", "customer_record"]
        check_in_choices(name, "name", choices, caller="CustomerDatabase.table")
        key = ", ".join(PRIMARY_KEYS.get(name, ("customer_id",)))
        return _parse_dates(self.query(f"SELECT * FROM {name} ORDER BY {key}"))

    def counts(self) -> dict[str, int]:
        """Return the number of rows of every table."""
        return {t: int(self._conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]) for t in TABLES}

    def customer_record(self, customer_ids: Iterable[int] | None = None) -> pd.DataFrame:
        """Return the full customer record: profile + system-maintained fields (the lecture's record)."""
        if customer_ids is None:
            return self.table("customer_record")
        ids = [int(i) for i in np.asarray(list(customer_ids), dtype=np.int64)]
        frame = self.query(
            f"SELECT * FROM customer_record WHERE customer_id IN ({', '.join('?' * len(ids))}) ORDER BY customer_id",
            ids,
        )
        return _parse_dates(frame)

    # -- writes ---------------------------------------------------------------------------------------------
    def import_frame(self, table: str, data: pd.DataFrame, *, add_categories: bool = False) -> int:
        """Atomic upsert of one DataFrame; see :func:`crmlab.database.import_frame`."""
        return _io.import_frame(self, table, data, add_categories=add_categories)

    def import_tables(self, tables: Mapping[str, pd.DataFrame], *, add_categories: bool = False) -> dict[str, int]:
        """Atomic upsert of several tables in one transaction; see :func:`crmlab.database.import_tables`."""
        return _io.import_tables(self, tables, add_categories=add_categories)

    def import_csv(self, path: str | Path, table: str, *, add_categories: bool = False) -> int:
        """Atomic upsert of a CSV file; see :func:`crmlab.database.import_csv`."""
        return _io.import_csv(self, path, table, add_categories=add_categories)

    def import_world(self, world: Any) -> dict[str, int]:
        """Atomic import of a generated customer world; see :func:`crmlab.database.import_world`."""
        return _io.import_world(self, world)

    def add_categories(self, categories: Iterable[str]) -> int:
        """Register product categories in the system dictionary (系统字典); return how many were new."""
        frame = pd.DataFrame({"category": sorted(set(categories))})
        before = self.counts()["product_categories"]
        _io.import_frame(self, "product_categories", frame)
        return self.counts()["product_categories"] - before

    def delete(self, table: str, ids: Iterable[int]) -> int:
        """Delete rows of ``table`` by id in one transaction; return rows deleted.

        Deleting customers cascades to their transactions, interactions,
        complaints and preferences; the system-maintained fields follow.
        """
        check_in_choices(table, "table", ["customers", "transactions", "interactions", "complaints"],
                         caller="CustomerDatabase.delete")
        key = PRIMARY_KEYS[table][0]
        values = [(int(i),) for i in np.asarray(list(ids), dtype=np.int64)]
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            # rowcount counts the rows this statement deleted, not those its triggers and cascades changed
            changed = self._conn.executemany(f"DELETE FROM {table} WHERE {key} = ?", values).rowcount
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        return changed

    def export(self, *, salt: str | None = None, folder: str | Path | None = None) -> dict[str, pd.DataFrame]:
        """Export every table, pseudonymised with ``salt``; see :func:`crmlab.database.export_tables`."""
        return _io.export_tables(self, salt=salt, folder=folder)

    # -- reads ----------------------------------------------------------------------------------------------
    def purchase_alerts(self, as_of: Any, **kwargs: Any) -> pd.DataFrame:
        """List customers past their purchase cycle; see :func:`crmlab.database.purchase_alerts`."""
        return _alerts.purchase_alerts(self, as_of, **kwargs)

    def contact_reminders(self, as_of: Any, **kwargs: Any) -> pd.DataFrame:
        """List customers past their contact cycle; see :func:`crmlab.database.contact_reminders`."""
        return _alerts.contact_reminders(self, as_of, **kwargs)

    def birthday_reminders(self, as_of: Any, **kwargs: Any) -> pd.DataFrame:
        """List birthdays coming up; see :func:`crmlab.database.birthday_reminders`."""
        return _alerts.birthday_reminders(self, as_of, **kwargs)

    def customer_360(self, customer_id: int, **kwargs: Any) -> _views.Customer360:
        """Return one customer's 360° view; see :func:`crmlab.database.customer_360`."""
        return _views.customer_360(self, customer_id, **kwargs)

    def preference_lookup(self, **kwargs: Any) -> pd.DataFrame:
        """Look up what a customer prefers; see :func:`crmlab.database.preference_lookup`."""
        return _views.preference_lookup(self, **kwargs)

    def quality_report(self, **kwargs: Any) -> _quality.QualityReport:
        """Return the data-quality report; see :func:`crmlab.database.data_quality_report`."""
        return _quality.data_quality_report(self, **kwargs)
