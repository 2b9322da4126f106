"""RFM summary and calibration/holdout split computed inside the engine.

Chapter 11. The same table as :func:`crmlab.rfm.rfm_summary` and
:func:`crmlab.rfm.calibration_and_holdout_split` (parity is tested column by
column), built by SQL written once: purchases of one customer in one period are
first summed into one row (``GROUP BY customer, period``), then each customer is
reduced to her number of purchase periods, first and last period, total and
first-period value. No window function is used, so no engine can order ties
differently; the first-period value is ``ARG_MIN(value, period)`` over rows
whose periods are distinct by construction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from crmlab.rfm._periods import timestamp_period
from crmlab.scale._log import load_log, period_sql, resolve_end, ts_literal
from crmlab.scale.engines import Engine, fresh_name, quote

__all__ = ["EngineTable", "calibration_and_holdout_split", "rfm_summary"]


@dataclass
class EngineTable:
    """A per-customer table that stays in the engine (a view or a materialised table).

    Parameters
    ----------
    engine : Engine
        The engine that holds the table.
    name : str
        The view/table name inside the engine.
    customer_col : str
        The customer id column.
    columns : list of str
        The public columns (``to_pandas`` returns these); the view also holds
        whole-period helper columns (``*_periods``) used to join scores back.
    time_scaler : float
        Periods per time unit of ``recency`` and ``T``.
    meta : dict
        Observation end, calibration end and period length used.

    Examples
    --------
    >>> import pandas as pd
    >>> log = pd.DataFrame({"customer_id": [1, 1, 2], "amount": [10.0, 20.0, 8.0],
    ...                     "date": pd.to_datetime(["2024-01-01", "2024-01-11", "2024-01-05"])})
    >>> table = rfm_summary(log, observation_end="2024-01-31")  # an EngineTable in a DuckDB
    >>> table.columns, table.count()
    (['frequency', 'recency', 'T', 'monetary_value'], 2)
    """

    engine: Engine
    name: str
    customer_col: str
    columns: list[str]
    time_scaler: float
    meta: dict[str, Any] = field(default_factory=dict)

    def to_pandas(self, *, all_columns: bool = False) -> pd.DataFrame:
        """Collect the table into pandas, indexed by the customer id (sorted). Only for tables that fit."""
        cols = "*" if all_columns else ", ".join(quote(c) for c in [self.customer_col, *self.columns])
        df = self.engine.collect(f"SELECT {cols} FROM {quote(self.name)} ORDER BY {quote(self.customer_col)}")
        return df.set_index(self.customer_col)

    def head(self, n: int = 5) -> pd.DataFrame:
        """Return the ``n`` customers with the smallest ids (public columns), as pandas."""
        cols = ", ".join(quote(c) for c in [self.customer_col, *self.columns])
        df = self.engine.collect(f"SELECT {cols} FROM {quote(self.name)} ORDER BY {quote(self.customer_col)} "
                                 f"LIMIT {int(n)}")
        return df.set_index(self.customer_col)

    def count(self) -> int:
        """Return the number of customers."""
        return int(self.engine.collect(f"SELECT COUNT(*) AS n FROM {quote(self.name)}")["n"].iloc[0])

    def write(self, out: str, *, fmt: str = "parquet") -> str:
        """Write the public columns to a Parquet file/folder (``fmt="parquet"``) or a table (``"table"``)."""
        cols = ", ".join(quote(c) for c in [self.customer_col, *self.columns])
        return self.engine.write(f"SELECT {cols} FROM {quote(self.name)}", out, fmt=fmt)

    def materialize(self) -> EngineTable:
        """Compute the view once into a temporary table (DuckDB) or a persisted frame (Spark)."""
        name = self.engine.create(fresh_name("tab"), f"SELECT * FROM {quote(self.name)}", materialize=True)
        return EngineTable(self.engine, name, self.customer_col, list(self.columns), self.time_scaler,
                           dict(self.meta))


def _reduce_sql(log_view: str, where: str, freq: str, has_amount: bool) -> str:
    """Per-customer reductions: n_periods, first_p, last_p (and total, first_v)."""
    per = period_sql(freq)
    value = ", SUM(amt) AS v" if has_amount else ""
    money = ", SUM(v) AS total, ARG_MIN(v, per) AS first_v" if has_amount else ""
    return (f"WITH pp AS (SELECT cid, {per} AS per{value} FROM {quote(log_view)} {where} GROUP BY cid, {per}) "
            f"SELECT cid, COUNT(*) AS n_periods, MIN(per) AS first_p, MAX(per) AS last_p{money} "
            "FROM pp GROUP BY cid")


def _columns_sql(end_p: int, scaler: float, has_amount: bool, include_first: bool, classic: bool,
                 suffix: str = "") -> tuple[str, list[str]]:
    """SELECT list turning the reductions into the summary columns, and the public column names."""
    s = f"CAST({float(scaler)!r} AS DOUBLE)"
    freq = "n_periods" if include_first else "n_periods - 1"
    cols = {
        "frequency": f"{freq}",
        "recency": f"CAST(last_p - first_p AS DOUBLE) / {s}",
        "T": f"CAST({int(end_p)} - first_p AS DOUBLE) / {s}",
    }
    if has_amount:
        numer = "total" if include_first else "total - first_v"
        cols["monetary_value"] = f"CASE WHEN {freq} > 0 THEN ({numer}) / ({freq}) ELSE 0.0 END"
    if classic:
        cols["n_purchases"] = "n_periods"
        if has_amount:
            cols["total_value"] = "total"
            cols["mean_value"] = "total / n_periods"
        cols["time_since_last"] = f"{cols['T']} - {cols['recency']}"
    names = [f"{k}{suffix}" for k in cols]
    select = ", ".join(f"{v} AS {quote(n)}" for n, v in zip(names, cols.values(), strict=True))
    helpers = (f", last_p - first_p AS {quote('recency_periods' + suffix)}, "
               f"{int(end_p)} - first_p AS {quote('T_periods' + suffix)}")
    return select + helpers, names


def rfm_summary(
    transactions: Any, customer_col: str = "customer_id", date_col: str = "date", amount_col: str | None = "amount",
    observation_end: Any = None, freq: str = "D", time_scaler: float = 1.0, *, engine: Any = None,
    include_first_transaction: bool = False, classic: bool = False, allow_negative: bool = False,
    date_format: str | None = None, after_end: str = "raise", duplicates: str = "warn",
) -> EngineTable:
    """Summarise a transaction log into one RFM row per customer, inside the engine.

    Chapter 11. Same arguments and semantics as :func:`crmlab.rfm.rfm_summary`; the
    result stays where the data live.

    Parameters
    ----------
    transactions : path, glob, folder, DuckDBTable, SparkTable, pandas/Arrow table or Spark DataFrame
        The purchase log (see :func:`crmlab.scale.sources.register_source`).
    customer_col, date_col : str, default="customer_id", "date"
        Column names, as in :func:`crmlab.rfm.rfm_summary`.
    amount_col : str or None, default="amount"
        Spend column; None for counts only.
    observation_end : date-like, optional
        End of the observation window; default the last purchase date.
    freq : str, default="D"
        Period of the time unit ("D", "W", ...), as in :func:`crmlab.rfm.rfm_summary`.
    time_scaler : float, default=1.0
        Periods are divided by it (``freq="D", time_scaler=7`` gives weeks).
    engine : {"duckdb", "spark"}, Engine or SparkSession, optional
        Default: Spark for Spark sources, otherwise a new in-memory DuckDB.
    include_first_transaction, classic, allow_negative : bool
        As in :func:`crmlab.rfm.rfm_summary`.
    date_format : str, optional
        ``strftime`` format of string dates (e.g. ``"%d/%m/%Y"``), parsed in the engine
        (DuckDB ``TRY_STRPTIME``, Spark ``TRY_TO_TIMESTAMP``); without it strings must be
        ISO dates and day/month strings are refused, as in memory.
    after_end : {"raise", "drop"}, default="raise"
        Purchases after ``observation_end``: raise, or drop them with a
        :class:`~crmlab.CrmlabWarning` giving their number.
    duplicates : {"warn", "drop", "keep"}, default="warn"
        Rows repeating an earlier row exactly (same customer, date and amount): counted
        with a warning giving their number and a few customer ids, dropped (with the same
        report) or counted silently (``"keep"``, which also skips the extra scan the check
        costs). Without ``amount_col`` nothing is checked.

    Returns
    -------
    EngineTable
        A view with ``customer_col``, ``frequency``, ``recency``, ``T``,
        ``monetary_value`` (and the classic columns), plus ``recency_periods`` and
        ``T_periods`` in whole periods; ``.to_pandas()`` equals the in-memory result.

    Raises
    ------
    TypeError, ValueError
        As :func:`crmlab.rfm.rfm_summary`, computed from the engine's data and naming
        up to five offending customer ids.

    Examples
    --------
    >>> import pandas as pd
    >>> log = pd.DataFrame({"customer_id": [1, 1, 1, 2],
    ...                     "date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-11", "2024-01-05"]),
    ...                     "amount": [10.0, 5.0, 20.0, 8.0]})
    >>> rfm_summary(log, observation_end="2024-01-31").to_pandas()  # doctest: +NORMALIZE_WHITESPACE
                 frequency  recency     T  monetary_value
    customer_id
    1                    1     10.0  30.0            20.0
    2                    0      0.0  26.0             0.0
    """
    caller = "scale.rfm_summary"
    log, scaler = load_log(transactions, engine=engine, customer_col=customer_col, date_col=date_col,
                           amount_col=amount_col, allow_negative=allow_negative, freq=freq,
                           time_scaler=time_scaler, caller=caller, date_format=date_format, duplicates=duplicates,
                           after_end=after_end)
    log, end = resolve_end(log, observation_end, caller=caller)
    end_p = timestamp_period(end, freq)
    select, names = _columns_sql(end_p, scaler, log.has_amount, include_first_transaction, classic)
    sql = (f"SELECT cid AS {quote(customer_col)}, {select} "
           f"FROM ({_reduce_sql(log.view, '', freq, log.has_amount)}) AS c")
    name = log.engine.create(fresh_name("summary"), sql)
    return EngineTable(log.engine, name, customer_col, names, scaler,
                       {"observation_end": end, "freq": freq, "log": log.view})


def calibration_and_holdout_split(
    transactions: Any, calibration_end: Any, customer_col: str = "customer_id", date_col: str = "date",
    amount_col: str | None = "amount", observation_end: Any = None, freq: str = "D", time_scaler: float = 1.0,
    *, engine: Any = None, allow_negative: bool = False, date_format: str | None = None, after_end: str = "raise",
    duplicates: str = "warn",
) -> EngineTable:
    """Split a log at ``calibration_end`` inside the engine: RFM before, counts after.

    Chapter 11. Same semantics as :func:`crmlab.rfm.calibration_and_holdout_split`:
    calibration covers purchases at or before ``calibration_end``; only customers
    who bought by then appear; holdout periods are counted on their own.

    Parameters
    ----------
    transactions : path, glob, folder, DuckDBTable, SparkTable, pandas/Arrow table or Spark DataFrame
        The purchase log, as in :func:`rfm_summary`.
    calibration_end : date-like
        Last instant of the calibration window.
    customer_col, date_col : str, default="customer_id", "date"
        Column names.
    amount_col : str or None, default="amount"
        Spend column; None for counts only.
    observation_end : date-like, optional
        End of the holdout window; default the last purchase date.
    freq : str, default="D"
        Period of the time unit, as in :func:`rfm_summary`.
    time_scaler : float, default=1.0
        Periods are divided by it.
    engine : {"duckdb", "spark"}, Engine or SparkSession, optional
        As in :func:`rfm_summary`.
    allow_negative : bool, default=False
        As in :func:`rfm_summary`.
    date_format : str, optional
        As in :func:`rfm_summary`.
    after_end : {"raise", "drop"}, default="raise"
        As in :func:`rfm_summary`: rows after ``observation_end`` are refused, or dropped
        before the split.
    duplicates : {"warn", "drop", "keep"}, default="warn"
        As in :func:`rfm_summary`.

    Returns
    -------
    EngineTable
        Columns ``frequency_cal``, ``recency_cal``, ``T_cal``, ``monetary_value_cal``,
        ``frequency_holdout``, ``monetary_value_holdout``, ``duration_holdout`` (plus
        ``recency_periods_cal`` and ``T_periods_cal``).

    Raises
    ------
    TypeError, ValueError
        As :func:`rfm_summary`; also if ``calibration_end`` is not before the observation
        end or precedes every purchase.

    Examples
    --------
    >>> import pandas as pd
    >>> log = pd.DataFrame({"customer_id": [1, 1, 1, 2],
    ...                     "date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-11", "2024-01-05"]),
    ...                     "amount": [10.0, 5.0, 20.0, 8.0]})
    >>> split = calibration_and_holdout_split(log, "2024-01-06", observation_end="2024-01-31").to_pandas()
    >>> split[["frequency_cal", "T_cal", "frequency_holdout", "duration_holdout"]]  # doctest: +NORMALIZE_WHITESPACE
                 frequency_cal  T_cal  frequency_holdout  duration_holdout
    customer_id
    1                        0    5.0                  1              25.0
    2                        0    1.0                  0              25.0
    """
    caller = "scale.calibration_and_holdout_split"
    from crmlab._validation import check_date_arg

    log, scaler = load_log(transactions, engine=engine, customer_col=customer_col, date_col=date_col,
                           amount_col=amount_col, allow_negative=allow_negative, freq=freq,
                           time_scaler=time_scaler, caller=caller, date_format=date_format, duplicates=duplicates,
                           after_end=after_end)
    cal_end = check_date_arg(calibration_end, "calibration_end", caller=caller)
    log, end = resolve_end(log, observation_end, caller=caller)
    if not cal_end < end:
        raise ValueError(f"{caller}(): 'calibration_end' must be before observation_end={end.date()}; "
                         f"got {cal_end.date()}.")
    if not log.first <= cal_end:
        raise ValueError(f"{caller}(): 'calibration_end' must not precede every purchase (first purchase "
                         f"{log.first.date()}); got {cal_end.date()}.")
    cal_p, end_p = timestamp_period(cal_end, freq), timestamp_period(end, freq)
    select, names = _columns_sql(cal_p, scaler, log.has_amount, False, False, suffix="_cal")
    cut = ts_literal(cal_end)
    cal = _reduce_sql(log.view, f"WHERE ts <= {cut}", freq, log.has_amount)
    spend = ", SUM(amt) AS spend" if log.has_amount else ""
    hold = (f"SELECT cid, COUNT(DISTINCT {period_sql(freq)}) AS n_hold{spend} FROM {quote(log.view)} "
            f"WHERE ts > {cut} GROUP BY cid")
    s = f"CAST({float(scaler)!r} AS DOUBLE)"
    money = (", CASE WHEN h.n_hold > 0 THEN h.spend / h.n_hold ELSE 0.0 END AS monetary_value_holdout"
             if log.has_amount else "")
    sql = (f"SELECT c.cid AS {quote(customer_col)}, {select}, COALESCE(h.n_hold, 0) AS frequency_holdout{money}, "
           f"CAST({end_p - cal_p} AS DOUBLE) / {s} AS duration_holdout "
           f"FROM ({cal}) AS c LEFT JOIN ({hold}) AS h ON c.cid = h.cid")
    names += ["frequency_holdout"] + (["monetary_value_holdout"] if log.has_amount else []) + ["duration_holdout"]
    name = log.engine.create(fresh_name("split"), sql)
    return EngineTable(log.engine, name, customer_col, names, scaler,
                       {"observation_end": end, "calibration_end": cal_end, "freq": freq, "log": log.view})
