"""Transaction logs wherever they are: files, a DuckDB database, memory or Spark.

Chapter 11. :func:`register_source` turns what a user passes as ``transactions``
into a named view inside the engine; nothing is read into Python.
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from crmlab.scale.engines import DuckDBEngine, Engine, SparkEngine, fresh_name, quote

__all__ = ["DuckDBTable", "SparkTable", "engine_for", "register_source"]


@dataclass(frozen=True)
class DuckDBTable:
    """A table in a DuckDB database file, as a transaction source.

    Parameters
    ----------
    database : str
        Path of the DuckDB database file.
    table : str
        Name of the table in it.

    Examples
    --------
    >>> DuckDBTable("shop.duckdb", "transactions")
    DuckDBTable(database='shop.duckdb', table='transactions')
    """

    database: str
    table: str


@dataclass(frozen=True)
class SparkTable:
    """A table known to the Spark catalog, as a transaction source.

    Parameters
    ----------
    name : str
        The table's name in the catalog, optionally qualified by its database.

    Examples
    --------
    >>> SparkTable("sales.transactions")
    SparkTable(name='sales.transactions')
    """

    name: str


def _is_spark_frame(obj: Any) -> bool:
    return type(obj).__module__.startswith("pyspark.sql") and type(obj).__name__ == "DataFrame"


def _is_arrow(obj: Any) -> bool:
    return type(obj).__module__.startswith("pyarrow") and type(obj).__name__ == "Table"


def engine_for(source: Any, engine: Any, *, caller: str) -> Engine:
    """Return the engine to run ``source`` on.

    The engine given wins; without one, Spark sources (a Spark DataFrame or a
    :class:`SparkTable`) run on Spark and everything else on a new in-memory DuckDB.

    Parameters
    ----------
    source : object
        The transaction source (path, pandas/Arrow/Spark frame, table reference).
    engine : None, str, SparkSession or Engine
        As for :func:`crmlab.scale.engines.get_engine`; None chooses by ``source``.
    caller : str
        Name of the calling function, for error messages.

    Returns
    -------
    Engine
        The engine to use.

    Examples
    --------
    >>> import pandas as pd
    >>> engine_for(pd.DataFrame({"customer_id": [1]}), None, caller="example")
    DuckDBEngine(database=':memory:')
    """
    from crmlab.scale.engines import get_engine

    if engine is None and (_is_spark_frame(source) or isinstance(source, SparkTable)):
        session = source.sparkSession if _is_spark_frame(source) else None
        return SparkEngine(session) if session is not None else get_engine("spark", caller=caller)
    return get_engine(engine, caller=caller)


def _file_kind(path: str, caller: str) -> tuple[str, str]:
    """Return ``(pattern, "parquet"|"csv")`` for a file, glob or folder of files."""
    if os.path.isdir(path):
        for kind in ("parquet", "csv"):
            pattern = os.path.join(path, "**", f"*.{kind}")
            if glob.glob(pattern, recursive=True):
                return pattern, kind
        raise ValueError(f"{caller}(): folder {path!r} holds no .parquet or .csv files.")
    lower = path.lower()
    kind = "parquet" if lower.endswith((".parquet", ".pq")) else "csv" if lower.endswith((".csv", ".csv.gz")) else ""
    if not kind:
        raise ValueError(f"{caller}(): 'transactions' path {path!r} must end in .parquet or .csv (a glob such as "
                         "'dir/*.parquet' is fine), or be a folder of such files.")
    if not glob.glob(path, recursive=True):
        raise FileNotFoundError(f"{caller}(): no file matches 'transactions'={path!r}.")
    return path, kind


def register_source(engine: Engine, source: Any, *, caller: str) -> str:
    """Make ``source`` a view in ``engine`` and return the view's name.

    Parameters
    ----------
    engine : Engine
        Where the view is made.
    source : str, pathlib.Path, DuckDBTable, SparkTable, pandas.DataFrame, pyarrow.Table or Spark DataFrame
        A path/glob/folder of Parquet or CSV files, a table in a DuckDB file, a Spark
        catalog table, or an in-memory table.
    caller : str
        Public function name for error messages.

    Returns
    -------
    str

    Examples
    --------
    >>> import pandas as pd
    >>> from crmlab.scale.engines import DuckDBEngine
    >>> engine = DuckDBEngine()
    >>> view = register_source(engine, pd.DataFrame({"customer_id": [1, 2], "amount": [3.0, 4.0]}), caller="example")
    >>> engine.collect(f'SELECT SUM(amount) AS total FROM "{view}"')
       total
    0    7.0
    """
    name = fresh_name("src")
    if isinstance(source, pd.DataFrame) or _is_arrow(source):
        if isinstance(source, pd.DataFrame) and len(source.columns) and not isinstance(source.index, pd.RangeIndex):
            source = source.reset_index(drop=True)
        return engine.register_pandas(name, source)
    if isinstance(source, (str, Path)):
        pattern, kind = _file_kind(str(source), caller)
        if isinstance(engine, DuckDBEngine):
            lit = pattern.replace("'", "''")
            reader = f"read_parquet('{lit}')" if kind == "parquet" else f"read_csv('{lit}', header = true)"
            return engine.create(name, f"SELECT * FROM {reader}")
        if isinstance(engine, SparkEngine):
            reader = engine.session.read
            df = reader.parquet(pattern) if kind == "parquet" else reader.csv(pattern, header=True, inferSchema=True)
            return engine.register_frame(name, df)
    if isinstance(source, DuckDBTable):
        if not isinstance(engine, DuckDBEngine):
            raise ValueError(f"{caller}(): a DuckDBTable needs engine='duckdb'; got {engine!r}.")
        if not os.path.exists(source.database):
            raise FileNotFoundError(f"{caller}(): DuckDB database {source.database!r} does not exist.")
        alias = fresh_name("db")
        lit = source.database.replace("'", "''")
        engine.execute(f"ATTACH '{lit}' AS {quote(alias)} (READ_ONLY)")
        return engine.create(name, f"SELECT * FROM {quote(alias)}.{quote(source.table)}")
    if isinstance(source, SparkTable) or _is_spark_frame(source):
        if not isinstance(engine, SparkEngine):
            raise ValueError(f"{caller}(): a Spark table or DataFrame needs engine='spark'; got {engine!r}.")
        df = engine.session.table(source.name) if isinstance(source, SparkTable) else source
        return engine.register_frame(name, df)
    raise TypeError(f"{caller}(): 'transactions' must be a path or glob of Parquet/CSV files, a DuckDBTable, a "
                    f"SparkTable, a pandas DataFrame, a pyarrow Table or a Spark DataFrame; got "
                    f"{type(source).__name__}.")
