"""The compressed customer table: unique (frequency, recency, T) rows with a customer count.

Chapter 11. A BTYD likelihood depends on a customer only through
``(frequency, recency, T)``; with times in whole periods these take few distinct
values, so ten million customers collapse to a table whose size stops growing
with the number of customers. The models of :mod:`crmlab.clv` fit it directly
through their ``weights`` argument. Dropping the weights, or the one-time buyers
(``frequency == 0``), changes the fit: :func:`fit_compressed` refuses both.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from crmlab.scale.engines import quote
from crmlab.scale.summary import EngineTable

__all__ = ["compressed_table", "fit_compressed", "spend_table"]

KEY_COLUMNS = ("frequency", "recency", "T")


def _suffix(table: EngineTable) -> str:
    return "_cal" if "frequency_cal" in table.columns else ""


def compressed_table(summary: EngineTable) -> pd.DataFrame:
    """Return the unique ``(frequency, recency, T)`` rows of a summary with their customer counts.

    Chapter 11. Computed in the engine by one ``GROUP BY``; only the unique rows
    come back.

    Parameters
    ----------
    summary : EngineTable
        From :func:`crmlab.scale.rfm_summary` or
        :func:`crmlab.scale.calibration_and_holdout_split` (its calibration columns).

    Returns
    -------
    pandas.DataFrame
        Columns ``frequency``, ``recency``, ``T`` (in the summary's time unit),
        ``recency_periods``, ``T_periods`` (whole periods) and ``weights`` (customers
        per row), sorted by frequency, recency_periods, T_periods. For the discrete-time
        BG/BB model read them as ``x`` = frequency, ``t_x`` = recency_periods and
        ``n`` = T_periods.

    Examples
    --------
    >>> import pandas as pd
    >>> from crmlab.scale import rfm_summary
    >>> log = pd.DataFrame({"customer_id": [1, 2, 3, 3], "amount": [5.0, 6.0, 7.0, 8.0],
    ...                     "date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-01", "2024-01-03"])})
    >>> compressed_table(rfm_summary(log, observation_end="2024-01-05"))[["frequency", "T", "weights"]]
       frequency    T  weights
    0          0  4.0        2
    1          1  4.0        1
    """
    if not isinstance(summary, EngineTable):
        raise TypeError(f"compressed_table(): 'summary' must be an EngineTable from crmlab.scale.rfm_summary; "
                        f"got {type(summary).__name__}.")
    s = _suffix(summary)
    keys = [f"frequency{s}", f"recency{s}", f"T{s}", f"recency_periods{s}", f"T_periods{s}"]
    cols = ", ".join(quote(k) for k in keys)
    df = summary.engine.collect(f"SELECT {cols}, COUNT(*) AS weights FROM {quote(summary.name)} GROUP BY {cols} "
                                f"ORDER BY {quote(keys[0])}, {quote(keys[3])}, {quote(keys[4])}")
    df.columns = ["frequency", "recency", "T", "recency_periods", "T_periods", "weights"]
    for c in ("frequency", "recency_periods", "T_periods", "weights"):
        df[c] = df[c].astype(np.int64)
    return df


def fit_compressed(model: Any, table: pd.DataFrame, *, discrete: bool | None = None) -> Any:
    """Fit a :mod:`crmlab.clv` BTYD model on a compressed table, with its weights.

    Parameters
    ----------
    model : BetaGeoModel, ParetoNBDModel, ModifiedBetaGeoModel or BetaGeoBetaBinomModel
        An unfitted model (hyperparameters as you like).
    table : pandas.DataFrame
        From :func:`compressed_table`: every row, one-time buyers included, and its
        ``weights`` column.
    discrete : bool, optional
        Fit on whole periods (``recency_periods``, ``T_periods``); default True for
        the discrete-time BG/BB, False otherwise.

    Returns
    -------
    model
        Fitted; ``n_customers_`` equals ``table["weights"].sum()``.

    Raises
    ------
    ValueError
        If the table has no ``weights`` column, or no row with ``frequency == 0``
        (one-time buyers dropped: the dropout process would be estimated from repeat
        buyers only, a biased fit).
    """
    caller = "fit_compressed"
    if not isinstance(table, pd.DataFrame) or "weights" not in table.columns:
        raise ValueError(f"{caller}(): 'table' must be a compressed table with a 'weights' column (customers per "
                         "row); fitting unique rows without their counts weights every pattern equally.")
    if not (table["frequency"] == 0).any():
        raise ValueError(f"{caller}(): 'table' has no row with frequency 0; one-time buyers are part of the data "
                         "and dropping them biases the dropout estimate. Pass the whole compressed table.")
    if discrete is None:
        discrete = bool(getattr(model, "_integer_times", False))
    cols = {"recency_col": "recency_periods", "T_col": "T_periods"} if discrete else {}
    return model.fit(table, weights="weights", **cols)


def spend_table(summary: EngineTable) -> pd.DataFrame:
    """Return unique ``(frequency, monetary_value)`` pairs of repeat buyers with customer counts.

    What the Gamma-Gamma spend model needs. Spend is continuous, so this table does
    not stop growing with the number of customers: it holds at most one row per
    repeat buyer (two numbers each).

    Parameters
    ----------
    summary : EngineTable
        With a ``monetary_value`` column.

    Returns
    -------
    pandas.DataFrame
        ``frequency``, ``monetary_value``, ``weights``.

    Examples
    --------
    >>> import pandas as pd
    >>> from crmlab.scale.summary import rfm_summary
    >>> log = pd.DataFrame({"customer_id": [1, 1, 1, 2, 2, 3], "amount": [10.0, 20.0, 30.0, 8.0, 25.0, 5.0],
    ...                     "date": pd.to_datetime(["2024-01-01", "2024-01-11", "2024-01-20",
    ...                                             "2024-01-05", "2024-01-09", "2024-01-07"])})
    >>> spend_table(rfm_summary(log, observation_end="2024-01-31"))  # customer 3 made no repeat purchase
       frequency  monetary_value  weights
    0          1            25.0        1
    1          2            25.0        1
    """
    s = _suffix(summary)
    f, m = quote(f"frequency{s}"), quote(f"monetary_value{s}")
    if f"monetary_value{s}" not in summary.columns:
        raise ValueError("spend_table(): the summary has no monetary value; summarise with amount_col set.")
    df = summary.engine.collect(f"SELECT {f}, {m}, COUNT(*) AS weights FROM {quote(summary.name)} WHERE {f} > 0 "
                                f"GROUP BY {f}, {m} ORDER BY {f}, {m}")
    df.columns = ["frequency", "monetary_value", "weights"]
    return df
