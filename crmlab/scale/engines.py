"""Where the data live: a DuckDB connection or a Spark session behind one small interface.

Chapter 11. Every query of :mod:`crmlab.scale` is written once, in DuckDB's SQL
dialect, and handed to the engine; the Spark engine transpiles it to Spark SQL
with ``sqlglot`` first. An engine can run a query into a named view or table,
collect a *small* result (a compressed table, a few offending ids) as pandas,
register a small pandas table, and write a query's result to Parquet or a table.
"""

from __future__ import annotations

import itertools
from typing import Any

import pandas as pd

__all__ = ["DuckDBEngine", "Engine", "SparkEngine", "get_engine"]

_NAMES = itertools.count()


def fresh_name(prefix: str) -> str:
    """Return a view/table name not used before in this process."""
    return f"crmlab_{prefix}_{next(_NAMES)}"


def quote(name: str) -> str:
    """Quote an identifier for DuckDB's dialect (transpiled to backticks for Spark)."""
    return '"' + name.replace('"', '""') + '"'


class Engine:
    """What :mod:`crmlab.scale` needs from a query engine (DuckDB or Spark)."""

    name = "engine"

    def translate(self, sql: str) -> str:
        """Return ``sql`` (DuckDB dialect) in this engine's dialect."""
        return sql

    def execute(self, sql: str) -> None:  # pragma: no cover - abstract
        """Run a statement."""
        raise NotImplementedError

    def collect(self, sql: str) -> pd.DataFrame:  # pragma: no cover - abstract
        """Run a query whose result is small and return it as pandas."""
        raise NotImplementedError

    def create(self, name: str, sql: str, *, materialize: bool = False) -> str:  # pragma: no cover - abstract
        """Make ``name`` a view (or, with ``materialize``, a table computed once) of ``sql``."""
        raise NotImplementedError

    def register_pandas(self, name: str, frame: pd.DataFrame) -> str:  # pragma: no cover - abstract
        """Register a small in-memory table under ``name``; return ``name``."""
        raise NotImplementedError

    def schema(self, name: str) -> dict[str, str]:  # pragma: no cover - abstract
        """Return ``{column: kind}`` of a view, kind one of numeric, string, timestamp, date, other."""
        raise NotImplementedError

    def write(self, sql: str, out: str, *, fmt: str) -> str:  # pragma: no cover - abstract
        """Write the result of ``sql`` to Parquet (``fmt="parquet"``) or a table (``"table"``); return ``out``."""
        raise NotImplementedError

    def drop(self, name: str) -> None:  # pragma: no cover - abstract
        """Drop a view or table made by :meth:`create`."""
        raise NotImplementedError


def _spark_try_strptime(node: Any) -> Any:
    """Rewrite DuckDB ``TRY_STRPTIME(value, fmt)`` as Spark ``TRY_TO_TIMESTAMP(value, java_pattern)``."""
    from sqlglot import exp

    if not (isinstance(node, exp.Anonymous) and str(node.this).upper() == "TRY_STRPTIME"):
        return node
    value, fmt = node.expressions
    # sqlglot's own STRPTIME → TO_TIMESTAMP translation writes the Java pattern; read it off a stand-in call
    strict = exp.StrToTime(this=exp.column("x"), format=fmt.copy()).sql(dialect="spark")
    head = "TO_TIMESTAMP(x, '"
    if not (strict.startswith(head) and strict.endswith("')")):  # pragma: no cover - depends on sqlglot
        raise ValueError(f"SparkEngine.translate(): could not turn {node.sql('duckdb')} into Spark SQL.")
    pattern = strict[len(head):-2].replace("\\'", "'").replace("''", "'")
    return exp.Anonymous(this="TRY_TO_TIMESTAMP", expressions=[value.copy(), exp.Literal.string(pattern)])


def _kind(type_name: str) -> str:
    t = type_name.upper()
    if t.startswith(("TIMESTAMP", "DATETIME")):
        return "timestamp"
    if t == "DATE" or t.startswith("DATE"):
        return "date"
    if t.startswith(("VARCHAR", "STRING", "CHAR", "TEXT")):
        return "string"
    if t.startswith(("BOOL",)):
        return "bool"
    numeric = ("TINYINT", "SMALLINT", "INT", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT",
               "INTEGER", "FLOAT", "DOUBLE", "DECIMAL", "REAL", "LONG", "SHORT", "BYTE", "UHUGEINT")
    if t.startswith(numeric):
        return "numeric"
    return "other"


class DuckDBEngine(Engine):
    """The embedded default: an in-process DuckDB database, nothing to start.

    Parameters
    ----------
    database : str, default=":memory:"
        A DuckDB database file, or ``":memory:"``.
    memory_limit : str, optional
        DuckDB's ``memory_limit`` (e.g. ``"2GB"``); larger-than-memory work spills to
        ``temp_directory``.
    threads : int, optional
        Worker threads (DuckDB's default: all cores).
    temp_directory : str, optional
        Where DuckDB spills.

    Examples
    --------
    >>> engine = DuckDBEngine(threads=1)
    >>> engine.collect("SELECT 40 + 2 AS answer")
       answer
    0      42
    """

    name = "duckdb"

    def __init__(self, database: str = ":memory:", *, memory_limit: str | None = None, threads: int | None = None,
                 temp_directory: str | None = None) -> None:
        import duckdb

        self.database = database
        self.con = duckdb.connect(database)
        self.con.execute("SET TimeZone = 'UTC'")
        if memory_limit is not None:
            self.con.execute(f"SET memory_limit = '{memory_limit}'")
        if threads is not None:
            self.con.execute(f"SET threads = {int(threads)}")
        if temp_directory is not None:
            self.con.execute(f"SET temp_directory = '{temp_directory}'")
        self.con.execute("SET preserve_insertion_order = false")

    def execute(self, sql: str) -> None:
        """Run a statement."""
        self.con.execute(sql)

    def collect(self, sql: str) -> pd.DataFrame:
        """Run a query whose result is small and return it as pandas."""
        return self.con.execute(sql).df()

    def create(self, name: str, sql: str, *, materialize: bool = False) -> str:
        """Make ``name`` a view (or, with ``materialize``, a table computed once) of ``sql``; return ``name``."""
        kind = "TABLE" if materialize else "VIEW"
        self.con.execute(f"CREATE OR REPLACE TEMP {kind} {quote(name)} AS {sql}")
        return name

    def register_pandas(self, name: str, frame: Any) -> str:
        """Register a small in-memory table under ``name``; return ``name``."""
        self.con.register(name, frame)
        return name

    def schema(self, name: str) -> dict[str, str]:
        """Return ``{column: kind}``, kind one of numeric, string, timestamp, date, bool, other."""
        rows = self.con.execute(f"DESCRIBE SELECT * FROM {quote(name)}").fetchall()
        return {r[0]: _kind(str(r[1])) for r in rows}

    def write(self, sql: str, out: str, *, fmt: str) -> str:
        """Write the result of ``sql`` to Parquet (``fmt="parquet"``) or a table (``"table"``); return ``out``."""
        if fmt == "parquet":
            path = out.replace("'", "''")
            self.con.execute(f"COPY ({sql}) TO '{path}' (FORMAT parquet)")
        elif fmt == "table":
            self.con.execute(f"CREATE OR REPLACE TABLE {quote(out)} AS {sql}")
        else:
            raise ValueError(f"DuckDBEngine.write(): 'fmt' must be 'parquet' or 'table'; got {fmt!r}.")
        return out

    def drop(self, name: str) -> None:
        """Drop a view or table made by :meth:`create`."""
        for kind in ("VIEW", "TABLE"):
            try:
                self.con.execute(f"DROP {kind} IF EXISTS {quote(name)}")
            except Exception:  # noqa: BLE001 - a view and a table of the same name cannot coexist
                pass

    def __repr__(self) -> str:
        return f"DuckDBEngine(database={self.database!r})"


class SparkEngine(Engine):
    """A Spark session: the same queries, transpiled to Spark SQL by ``sqlglot``.

    Parameters
    ----------
    session : pyspark.sql.SparkSession
        A running session. Its ``spark.sql.session.timeZone`` is set to UTC so dates
        are periods of the calendar, as in pandas.
    """

    name = "spark"

    def __init__(self, session: Any) -> None:
        self.session = session
        session.conf.set("spark.sql.session.timeZone", "UTC")

    def translate(self, sql: str) -> str:
        """Return ``sql`` (DuckDB dialect) in this engine's dialect.

        sqlglot transpiles everything except DuckDB's ``TRY_STRPTIME`` (it keeps the
        name); that call becomes Spark's ``TRY_TO_TIMESTAMP`` with the format turned into
        a Java pattern by sqlglot's own ``STRPTIME`` → ``TO_TIMESTAMP`` translation.
        """
        import sqlglot

        tree = sqlglot.parse_one(sql, read="duckdb").transform(_spark_try_strptime)
        return tree.sql(dialect="spark")

    def execute(self, sql: str) -> None:
        """Run a statement."""
        self.session.sql(self.translate(sql))

    def collect(self, sql: str) -> pd.DataFrame:
        """Run a query whose result is small and return it as pandas."""
        return self.session.sql(self.translate(sql)).toPandas()

    def create(self, name: str, sql: str, *, materialize: bool = False) -> str:
        """Make ``name`` a view (or, with ``materialize``, a table computed once) of ``sql``; return ``name``."""
        df = self.session.sql(self.translate(sql))
        if materialize:
            df = df.persist()
        df.createOrReplaceTempView(name)
        return name

    def register_pandas(self, name: str, frame: Any) -> str:
        """Register a small in-memory table under ``name``; return ``name``."""
        if not isinstance(frame, pd.DataFrame):  # a pyarrow Table
            frame = frame.to_pandas()
        self.session.createDataFrame(frame).createOrReplaceTempView(name)
        return name

    def register_frame(self, name: str, df: Any) -> str:
        """Register a Spark DataFrame under ``name``."""
        df.createOrReplaceTempView(name)
        return name

    def schema(self, name: str) -> dict[str, str]:
        """Return ``{column: kind}``, kind one of numeric, string, timestamp, date, bool, other."""
        fields = self.session.table(name).schema.fields
        return {f.name: _kind(f.dataType.simpleString()) for f in fields}

    def write(self, sql: str, out: str, *, fmt: str) -> str:
        """Write the result of ``sql`` to Parquet (``fmt="parquet"``) or a table (``"table"``); return ``out``."""
        df = self.session.sql(self.translate(sql))
        if fmt == "parquet":
            df.write.mode("overwrite").parquet(out)
        elif fmt == "table":
            df.write.mode("overwrite").saveAsTable(out)
        else:
            raise ValueError(f"SparkEngine.write(): 'fmt' must be 'parquet' or 'table'; got {fmt!r}.")
        return out

    def drop(self, name: str) -> None:
        """Drop a view or table made by :meth:`create`."""
        self.session.catalog.dropTempView(name)

    def __repr__(self) -> str:
        return f"SparkEngine(master={self.session.sparkContext.master!r})"


def get_engine(engine: Any = None, *, caller: str = "get_engine") -> Engine:
    """Return an :class:`Engine` for ``engine``.

    ``None`` or ``"duckdb"`` gives a new in-memory DuckDB, an Engine is returned as is,
    ``"spark"`` wraps the active Spark session and a SparkSession is wrapped directly.

    Parameters
    ----------
    engine : None, {"duckdb", "spark"}, SparkSession or Engine, default=None
        What to run on.
    caller : str, default="get_engine"
        Name of the calling function, for error messages.

    Returns
    -------
    Engine
        A :class:`DuckDBEngine` or :class:`SparkEngine`.

    Raises
    ------
    ImportError
        For ``"spark"`` without PySpark installed.
    ValueError
        For ``"spark"`` without an active Spark session.
    TypeError
        For anything else.

    Examples
    --------
    >>> get_engine()
    DuckDBEngine(database=':memory:')
    >>> get_engine("duckdb") is not get_engine("duckdb")  # a new database each time
    True
    """
    if engine is None or engine == "duckdb":
        return DuckDBEngine()
    if isinstance(engine, Engine):
        return engine
    if engine == "spark":
        try:
            from pyspark.sql import SparkSession
        except ImportError as exc:
            raise ImportError(f"{caller}(): engine='spark' needs PySpark; pip install 'crmlab[spark]'.") from exc
        session = SparkSession.getActiveSession()
        if session is None:
            raise ValueError(f"{caller}(): engine='spark' found no active Spark session; start one "
                             "(SparkSession.builder.getOrCreate()) or pass engine=SparkEngine(session).")
        return SparkEngine(session)
    if type(engine).__name__ == "SparkSession":
        return SparkEngine(engine)
    raise TypeError(f"{caller}(): 'engine' must be 'duckdb', 'spark', a SparkSession or an Engine; got {engine!r}.")
