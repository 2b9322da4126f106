"""The :class:`CustomerDatabase`: a real SQLite customer database with a small Python face."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crmlab._validation import check_in_choices, check_number
from crmlab.database import _import, _setup
from crmlab.database._dates import iso_dates
from crmlab.database._files import DatabaseFileError, check_header, explain
from crmlab.database._validate import whole_ids
from crmlab.database.schema import PRIMARY_KEYS, SCHEMA_VERSION, TABLES

__all__ = ["CustomerDatabase", "DatabaseFileError"]

_SYNC = ("OFF", "NORMAL", "FULL")
# read methods of earlier versions -> the function that replaces each
_READS = {"purchase_alerts": "purchase_alerts", "contact_reminders": "contact_reminders",
          "birthday_reminders": "birthday_reminders", "customer_360": "customer_360",
          "preference_lookup": "preference_lookup", "quality_report": "data_quality_report",
          "export": "export_tables"}


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
    lapses (``purchase_lapses``, :mod:`crmlab.database._lapses`), from which the
    "business falling" alert of any day is read. A file written by an earlier
    version of the schema is upgraded when it is opened.

    Writes are methods (``import_frame``, ``import_tables``, ``import_csv``,
    ``import_world``, ``add_categories``, ``delete``, ``execute``); reads are
    functions of the database (:func:`crmlab.database.purchase_alerts`,
    :func:`crmlab.database.customer_360`, ...), plus the plain accessors
    ``query``, ``table``, ``counts`` and ``customer_record``.

    Parameters
    ----------
    path : str or Path, default=":memory:"
        Database file (created if absent) or ``":memory:"``.
    synchronous : {"NORMAL", "FULL", "OFF"}, default="NORMAL"
        SQLite's ``PRAGMA synchronous``. ``"OFF"`` makes large imports faster;
        a crash of the operating system (not of Python) may then corrupt the
        file. Atomic rollback of a failed import works in every mode.
    timeout : float, default=5.0
        Seconds to wait for another connection's lock before giving up with a
        :class:`DatabaseFileError`.
    read_only : bool, default=False
        Open an existing file for reading only; every write then raises a
        :class:`DatabaseFileError`.

    Attributes
    ----------
    path : str
        The database path.

    Raises
    ------
    DatabaseFileError
        If the file is not an SQLite database, is truncated, cannot be opened,
        stays locked longer than ``timeout``, was written by a newer crmlab, or
        needs an upgrade it cannot be given (read-only).

    See Also
    --------
    crmlab.database.purchase_alerts, crmlab.database.customer_360,
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

    def __init__(self, path: str | Path = ":memory:", *, synchronous: str = "NORMAL", timeout: float = 5.0,
                 read_only: bool = False) -> None:
        check_in_choices(synchronous, "synchronous", _SYNC, caller="CustomerDatabase")
        if not isinstance(path, (str, Path)):
            raise TypeError(f"CustomerDatabase(): 'path' must be a str or Path; got {type(path).__name__}.")
        self.timeout = check_number(timeout, "timeout", caller="CustomerDatabase", minimum=0)
        if not isinstance(read_only, bool):
            raise TypeError(f"CustomerDatabase(): 'read_only' must be a bool; got {read_only!r}.")
        self.path = str(path)
        if read_only and (self.path == ":memory:" or not Path(self.path).is_file()):
            raise DatabaseFileError(f"CustomerDatabase(): read_only=True needs an existing database file; "
                                    f"{self.path!r} is not one.")
        check_header(self.path)
        try:
            if read_only:
                self._conn = sqlite3.connect(f"{Path(self.path).resolve().as_uri()}?mode=ro", uri=True,
                                             isolation_level=None, timeout=self.timeout)
            else:
                self._conn = sqlite3.connect(self.path, isolation_level=None, timeout=self.timeout)
        except sqlite3.Error as exc:
            raise explain(exc, self.path, self.timeout, "opening") from exc
        try:
            self._open(synchronous)
        except sqlite3.Error as exc:
            self._conn.close()
            if isinstance(exc, DatabaseFileError):
                raise
            raise explain(exc, self.path, self.timeout, "opening") from exc

    def _open(self, synchronous: str) -> None:
        """Set the connection up; create the schema in a new file, upgrade an old one."""
        self._conn.execute("PRAGMA foreign_keys = ON")
        self._conn.execute(f"PRAGMA synchronous = {synchronous}")
        self._conn.execute("PRAGMA temp_store = MEMORY")
        self._conn.execute("PRAGMA cache_size = -262144")  # up to 256 MiB of page cache
        self._conn.execute("PRAGMA mmap_size = 4294967296")  # read large files through mmap (reads only)
        self._conn.execute("PRAGMA threads = 2")  # helper threads for the sorts of CREATE INDEX / ORDER BY
        exists = self._conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'customer_record'").fetchone()
        version = self._conn.execute("PRAGMA user_version").fetchone()[0]
        if exists and version > SCHEMA_VERSION:
            raise DatabaseFileError(
                f"CustomerDatabase(): {self.path!r} has schema version {version}, written by a newer crmlab; this "
                f"one reads version {SCHEMA_VERSION} and older. Upgrade crmlab to open it.")
        if exists and version == SCHEMA_VERSION:
            return
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            if exists:
                _setup.upgrade_schema(self._conn)
            else:
                _setup.create_schema(self._conn)
            self._conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            if not exists:
                raise
            reason = explain(exc, self.path, self.timeout, "upgrading")
            raise DatabaseFileError(
                f"CustomerDatabase(): {self.path!r} uses schema version {version} and could not be brought "
                f"to version {SCHEMA_VERSION} ({reason}); open a writable copy once to upgrade it.") from exc

    def __getattr__(self, name: str) -> Any:
        if name in _READS:  # the method spellings of reads were removed: say where the read is now
            raise AttributeError(
                f"CustomerDatabase has no method {name!r}: reads are functions of the database, "
                f"e.g. crmlab.database.{_READS[name]}(db, ...).")
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

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
        try:
            return self._conn.execute(sql, params).rowcount
        except sqlite3.OperationalError as exc:
            raise explain(exc, self.path, self.timeout, "writing to") from exc

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
        ids = whole_ids(customer_ids, "customer_ids", "CustomerDatabase.customer_record")
        frame = self.query(
            f"SELECT * FROM customer_record WHERE customer_id IN ({', '.join('?' * len(ids))}) ORDER BY customer_id",
            ids,
        )
        return _parse_dates(frame)

    # -- writes ---------------------------------------------------------------------------------------------
    def _import(self, tables: Mapping[str, pd.DataFrame], caller: str, *, add_categories: bool) -> dict[str, int]:
        def locked(exc: sqlite3.OperationalError) -> Exception:
            return explain(exc, self.path, self.timeout, f"{caller} into")

        if not isinstance(add_categories, bool):
            raise TypeError(f"{caller}(): 'add_categories' must be a bool; got {add_categories!r}.")
        try:
            return _import.import_tables(self._conn, tables, add_categories=add_categories, caller=caller,
                                         on_locked=locked)
        except DatabaseFileError:
            raise
        except sqlite3.OperationalError as exc:
            raise locked(exc) from exc

    def import_frame(self, table: str, data: pd.DataFrame, *, add_categories: bool = False) -> int:
        """Import one DataFrame into ``table``, atomically, updating rows whose key exists (upsert).

        Chapter 1. The batch is checked against every rule of the table; the first
        bad row stops the import with an error naming the row, the field and the
        rule, and nothing is written. Rows whose key (``customer_id``,
        ``transaction_id``, ...) is already in the database are updated in the
        columns the frame carries; the other columns keep their values.

        Parameters
        ----------
        table : {"customers", "transactions", "interactions", "complaints", "preferences", "product_categories"}
            Target table.
        data : pandas.DataFrame
            Columns named as in the table (see :data:`crmlab.database.schema.TABLES`); the key column is
            required, other columns optional. Dates may be datetimes (of any unit), ``datetime.date``
            objects or ISO ``YYYY-MM-DD`` text, from 0001-01-01 to 9999-12-31; a timezone-aware value
            keeps its local calendar date (``2024-01-05T00:00+08:00`` is 2024-01-05).
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
        DatabaseFileError
            If the file is read-only or stays locked by another connection longer than the timeout.

        See Also
        --------
        import_tables, import_csv, import_world, crmlab.database.export_tables

        Examples
        --------
        >>> import pandas as pd
        >>> db = CustomerDatabase()
        >>> db.import_frame("customers", pd.DataFrame({"customer_id": [1], "customer_type": ["individual"],
        ...                                            "name": ["O'Brien"]}))
        1
        >>> db.query("SELECT name FROM customers")["name"].tolist()
        ["O'Brien"]
        """
        return self._import({table: data}, "import_frame", add_categories=add_categories)[table]

    def import_tables(self, tables: Mapping[str, pd.DataFrame], *, add_categories: bool = False) -> dict[str, int]:
        """Import several tables in ONE transaction: all of them, or nothing.

        Chapter 1. Tables are written parents first (categories, customers, then
        the logs), so a batch may bring new customers and their transactions
        together. See :meth:`import_frame` for the rules.

        Parameters
        ----------
        tables : mapping of str to pandas.DataFrame
            Table name -> rows.
        add_categories : bool, default=False
            Register unseen product categories instead of rejecting the batch.

        Returns
        -------
        dict of str to int
            Rows written per table.

        Raises
        ------
        TypeError, ValueError, DatabaseFileError
            As :meth:`import_frame`; on any error nothing at all is written.
        """
        return self._import(tables, "import_tables", add_categories=add_categories)

    def import_csv(self, path: str | Path, table: str, *, add_categories: bool = False) -> int:
        """Import a CSV file into ``table`` (atomic upsert, see :meth:`import_frame`).

        Chapter 1. Every column is read as text and checked by the table's rules, so
        a value such as ``"12x"`` in a numeric column is reported by row.

        Parameters
        ----------
        path : str or Path
            CSV file with a header row naming the table's columns.
        table : str
            Target table.
        add_categories : bool, default=False
            See :meth:`import_frame`.

        Returns
        -------
        int
            Rows written.

        Raises
        ------
        ValueError, DatabaseFileError
            As :meth:`import_frame`.
        """
        return self._import({table: _import.csv_frame(path, table)}, "import_csv",
                            add_categories=add_categories)[table]

    def import_world(self, world: Any) -> dict[str, int]:
        """Import a generated :class:`crmlab.synth.CustomerWorld` in one atomic transaction.

        Chapter 1. Customers (profile fields the schema holds), their ``preferred_*``
        profile fields as rows of ``preferences``, transactions (new product
        categories are registered in the system dictionary), complaints and
        interactions. Profile columns the schema does not hold (e.g. ``age``,
        derived from ``birth_date``) are not stored.

        Parameters
        ----------
        world : CustomerWorld
            The output of :func:`crmlab.synth.make_customer_world`.

        Returns
        -------
        dict
            Rows written per table.

        Raises
        ------
        ValueError, DatabaseFileError
            If any row of any table breaks a rule (then nothing at all is imported), or the file cannot be
            written.
        """
        return self._import(_import.world_tables(world), "import_world", add_categories=True)

    def add_categories(self, categories: Iterable[str]) -> int:
        """Register product categories in the system dictionary (系统字典); return how many were new."""
        if isinstance(categories, str) or not isinstance(categories, Iterable):
            raise TypeError("add_categories(): 'categories' must be a list of category names, e.g. ['books']; "
                            f"got {type(categories).__name__}.")
        frame = pd.DataFrame({"category": pd.unique(pd.Series(list(categories), dtype=object))})
        before = self.counts()["product_categories"]
        self._import({"product_categories": frame}, "add_categories", add_categories=False)
        return self.counts()["product_categories"] - before

    def delete(self, table: str, ids: Iterable[int]) -> int:
        """Delete rows of ``table`` by id in one transaction; return rows deleted.

        Deleting customers cascades to their transactions, interactions,
        complaints and preferences; the system-maintained fields follow.
        """
        check_in_choices(table, "table", ["customers", "transactions", "interactions", "complaints"],
                         caller="CustomerDatabase.delete")
        key = PRIMARY_KEYS[table][0]
        values = [(i,) for i in whole_ids(ids, "ids", "CustomerDatabase.delete")]
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                # rowcount counts the rows this statement deleted, not those its triggers and cascades changed
                changed = self._conn.executemany(f"DELETE FROM {table} WHERE {key} = ?", values).rowcount
                self._conn.execute("COMMIT")
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise
        except sqlite3.OperationalError as exc:
            raise explain(exc, self.path, self.timeout, "deleting from") from exc
        return changed
