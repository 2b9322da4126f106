"""Cohort retention tables computed in the engine (chapter 6's cohort curves, at scale).

Chapter 11. Customers are grouped by the period of their first purchase; the
engine counts, per cohort and per period since acquisition, the customers who
bought. Only the small (cohort × period) table comes back; the shares follow
:func:`crmlab.clv.cohort_retention` exactly.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from crmlab._validation import check_in_choices, check_int
from crmlab.scale._log import load_log, period_sql
from crmlab.scale.engines import quote

__all__ = ["cohort_table"]

PERIODS = ("M", "W", "Q", "Y")


def _labels(ordinals: np.ndarray, period: str) -> pd.Index:
    """Pandas period labels ("1997-01", "1997Q1", ...) of our period numbers."""
    o = ordinals.astype(np.int64)
    if period == "W":  # week k runs from the Monday 7k - 3 days after 1970-01-01 to the Sunday after
        index = pd.PeriodIndex(pd.to_datetime(o * 7 - 3, unit="D"), freq="W")
    else:  # months, quarters and years since 1970 are pandas' own ordinals
        index = pd.PeriodIndex.from_ordinals(o, freq={"M": "M", "Q": "Q", "Y": "Y"}[period])
    return pd.Index(index.astype(str), name="cohort")


def cohort_table(
    transactions: Any, *, customer_col: str = "customer_id", date_col: str = "date", period: str = "M",
    max_periods: int | None = None, engine: Any = None,
) -> pd.DataFrame:
    """Share of each acquisition cohort that buys in each later period, computed in the engine.

    Chapter 11. Same result as :func:`crmlab.clv.cohort_retention`.

    Parameters
    ----------
    transactions : path, glob, folder, DuckDBTable, SparkTable, pandas/Arrow table or Spark DataFrame
        The purchase log: any source of :func:`crmlab.scale.rfm_summary`.
    customer_col, date_col : str
        Column names.
    period : {"M", "W", "Q", "Y"}, default="M"
        Month, week (ending Sunday), quarter or year.
    max_periods : int, optional
        Keep periods 0..max_periods only.
    engine : optional
        As in :func:`crmlab.scale.rfm_summary`.

    Returns
    -------
    pandas.DataFrame
        Index ``cohort`` (e.g. "1997-01"); ``size`` then columns ``0, 1, ...`` with
        shares (NaN where not yet observed).

    Examples
    --------
    >>> import pandas as pd
    >>> log = pd.DataFrame({"customer_id": [1, 1, 2, 3, 3],
    ...                     "date": pd.to_datetime(["2024-01-05", "2024-02-10", "2024-01-20",
    ...                                             "2024-02-03", "2024-03-01"])})
    >>> cohort_table(log)  # doctest: +NORMALIZE_WHITESPACE
             size    0    1
    cohort
    2024-01     2  1.0  0.5
    2024-02     1  1.0  1.0
    """
    caller = "scale.cohort_table"
    check_in_choices(period, "period", PERIODS, caller=caller)
    log, _ = load_log(transactions, engine=engine, customer_col=customer_col, date_col=date_col, amount_col=None,
                      allow_negative=True, freq="D", time_scaler=1.0, caller=caller)
    per = period_sql(period)
    sql = (f"WITH a AS (SELECT DISTINCT cid, {per} AS per FROM {quote(log.view)}), "
           "f AS (SELECT cid, MIN(per) AS cohort FROM a GROUP BY cid) "
           "SELECT f.cohort AS cohort, a.per - f.cohort AS k, COUNT(*) AS n FROM a JOIN f ON a.cid = f.cid "
           "GROUP BY f.cohort, a.per - f.cohort")
    long = log.engine.collect(sql)
    last = int(log.engine.collect(f"SELECT MAX({per}) AS m FROM {quote(log.view)}")["m"].iloc[0])
    counts = long.pivot(index="cohort", columns="k", values="n").sort_index().sort_index(axis=1)
    size = counts[0].astype(np.int64)
    shares = counts.div(counts[0], axis=0).astype(float)
    cohorts = shares.index.to_numpy().astype(np.int64)
    ks = shares.columns.to_numpy().astype(np.int64)
    observable = (last - cohorts[:, None]) >= ks[None, :]
    shares = shares.where(observable, np.nan).where(~(shares.isna() & observable), 0.0)
    if max_periods is not None:
        mp = check_int(max_periods, "max_periods", caller=caller, minimum=0)
        shares = shares.loc[:, shares.columns <= mp]
    shares.index = _labels(cohorts, period)
    shares.columns = pd.Index([int(c) for c in shares.columns])
    shares.insert(0, "size", size.to_numpy())
    return shares
