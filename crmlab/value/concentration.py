"""The 80/20 rule (二八法则): how concentrated revenue is across customers — Lorenz curve and Gini.

Chapter 2. Lecture 001 lists the 20/80 rule among the reasons one-to-one
marketing pays: a minority of customers brings most of the revenue, so they
deserve most of the attention. Whether the split is 80/20, 70/30 or 95/5 is an
empirical question this module answers for any customer base.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from crmlab._validation import (
    check_columns,
    check_finite,
    check_frame,
    check_no_missing,
    check_numeric_columns,
    check_probability,
)

__all__ = ["customer_revenue", "gini_coefficient", "lorenz_curve", "revenue_concentration", "scale_tiers"]


def customer_revenue(
    transactions: pd.DataFrame, *, customer_col: str = "customer_id", amount_col: str = "amount"
) -> pd.Series:
    """Return total revenue per customer from a transaction log.

    Chapter 2.

    Parameters
    ----------
    transactions : pandas.DataFrame
        One row per transaction with ``customer_col`` and a numeric, non-negative ``amount_col``.
    customer_col, amount_col : str
        Column names (CDNOW uses ``dollar_value`` for the amount).

    Returns
    -------
    pandas.Series
        Revenue per customer, indexed by customer id (sorted), named ``revenue``.

    Raises
    ------
    TypeError, ValueError
        For a non-DataFrame, missing columns, missing values or negative amounts.

    Examples
    --------
    >>> import pandas as pd
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2], "amount": [5.0, 5.0, 2.5]})
    >>> customer_revenue(tx).tolist()
    [10.0, 2.5]
    """
    caller = "customer_revenue"
    check_frame(transactions, caller=caller, name="transactions")
    check_columns(transactions, [customer_col, amount_col], caller=caller, name="transactions")
    check_numeric_columns(transactions, [amount_col], caller=caller, name="transactions")
    check_no_missing(transactions, [customer_col, amount_col], caller=caller, name="transactions")
    check_finite(transactions, [amount_col], caller=caller, name="transactions", id_col=customer_col)
    if (transactions[amount_col] < 0).any():
        n = int((transactions[amount_col] < 0).sum())
        raise ValueError(
            f"{caller}(): {n} row(s) of 'transactions' have a negative '{amount_col}'; remove refunds first."
        )
    return transactions.groupby(customer_col)[amount_col].sum().rename("revenue")


def _values(values: Any, caller: str) -> np.ndarray:
    if isinstance(values, pd.DataFrame):
        raise TypeError(f"{caller}(): 'values' must be one value per customer (a Series or 1-D array); "
                        "got a DataFrame.")
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ValueError(f"{caller}(): 'values' must be 1-D (one value per customer); got shape {arr.shape}.")
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.number):
        raise TypeError(f"{caller}(): 'values' must be numeric; got dtype {arr.dtype}.")
    arr = arr.astype(float)
    if len(arr) == 0:
        raise ValueError(f"{caller}(): 'values' is empty; it needs at least one customer.")
    if np.isnan(arr).any():
        raise ValueError(f"{caller}(): 'values' has {int(np.isnan(arr).sum())} missing value(s); fill or drop them.")
    if np.isinf(arr).any():
        raise ValueError(f"{caller}(): 'values' has {int(np.isinf(arr).sum())} infinite value(s); revenue must be "
                         "finite.")
    if (arr < 0).any():
        raise ValueError(f"{caller}(): 'values' has {int((arr < 0).sum())} negative value(s); revenue must be >= 0.")
    if arr.sum() <= 0:
        raise ValueError(f"{caller}(): 'values' sum to zero; a concentration needs some revenue.")
    return arr


def lorenz_curve(values: Any) -> pd.DataFrame:
    r"""Return the Lorenz curve of revenue across customers (poorest customers first).

    Chapter 2. Sort customers from the smallest to the largest revenue; the
    curve plots the cumulative share of customers against the cumulative share
    of revenue they bring. The diagonal is perfect equality; the further the
    curve sags below it, the more concentrated the revenue.

    Parameters
    ----------
    values : array-like
        Revenue (or profit) per customer, non-negative; customers who spent nothing count too.

    Returns
    -------
    pandas.DataFrame
        ``customer_share`` and ``revenue_share``, from (0, 0) to (1, 1), n + 1 rows.

    Raises
    ------
    TypeError, ValueError
        For non-numeric, empty, negative, missing or all-zero values.

    See Also
    --------
    gini_coefficient, revenue_concentration, crmlab.plotting.plot_lorenz_curve

    Notes
    -----
    With :math:`x_{(1)} \\le \\dots \\le x_{(n)}`,

    .. math:: L(i/n) = \\frac{\\sum_{j \\le i} x_{(j)}}{\\sum_j x_j}, \\quad i = 0, \\dots, n.

    Examples
    --------
    >>> lorenz_curve([1, 1, 2]).round(3).to_dict("list")
    {'customer_share': [0.0, 0.333, 0.667, 1.0], 'revenue_share': [0.0, 0.25, 0.5, 1.0]}
    """
    x = np.sort(_values(values, "lorenz_curve"))
    n = len(x)
    cum = np.concatenate([[0.0], np.cumsum(x)])
    return pd.DataFrame({"customer_share": np.arange(n + 1) / n, "revenue_share": cum / cum[-1]})


def gini_coefficient(values: Any) -> float:
    r"""Return the Gini coefficient of revenue across customers: 0 = everyone equal, → 1 = one customer has it all.

    Chapter 2. Twice the area between the diagonal and the Lorenz curve.

    Parameters
    ----------
    values : array-like
        Revenue per customer, non-negative.

    Returns
    -------
    float
        In [0, 1 − 1/n].

    Raises
    ------
    TypeError, ValueError
        As :func:`lorenz_curve`.

    See Also
    --------
    lorenz_curve

    Notes
    -----
    With the values sorted ascending, :math:`x_{(1)} \\le \\dots \\le x_{(n)}`,

    .. math:: G = \\frac{2 \\sum_{i=1}^n i\\, x_{(i)}}{n \\sum_i x_i} - \\frac{n + 1}{n}.

    References
    ----------
    Gini, C. (1912). *Variabilità e mutabilità*. Bologna.

    Examples
    --------
    >>> gini_coefficient([1, 1, 1, 1])
    0.0
    >>> gini_coefficient([0, 0, 0, 1])
    0.75
    """
    x = np.sort(_values(values, "gini_coefficient"))
    n = len(x)
    i = np.arange(1, n + 1)
    return float(2.0 * np.sum(i * x) / (n * x.sum()) - (n + 1) / n)


def revenue_concentration(values: Any, top: Sequence[float] = (0.01, 0.05, 0.1, 0.2, 0.5)) -> pd.DataFrame:
    """Share of revenue brought by the top x% of customers (the 80/20 table).

    Chapter 2. "The top 20% of customers bring 80% of revenue" is the textbook
    claim (Pareto principle, 二八法则); this table measures it.

    Parameters
    ----------
    values : array-like
        Revenue per customer, non-negative.
    top : sequence of float, default=(0.01, 0.05, 0.1, 0.2, 0.5)
        Shares of customers, each in (0, 1].

    Returns
    -------
    pandas.DataFrame
        Index ``top_share_of_customers``; columns ``n_customers`` (the number of top customers, rounded)
        and ``share_of_revenue`` (read off the Lorenz curve by linear interpolation, so fractional
        customers are allowed).

    Raises
    ------
    TypeError, ValueError
        As :func:`lorenz_curve`, or a share in ``top`` outside (0, 1].

    See Also
    --------
    lorenz_curve, gini_coefficient, scale_tiers

    Notes
    -----
    .. math:: S(p) = 1 - L(1 - p)

    where :math:`L` is the Lorenz curve.

    Examples
    --------
    >>> table = revenue_concentration([1] * 8 + [46, 46], top=[0.2])
    >>> int(table["n_customers"].iloc[0]), round(float(table["share_of_revenue"].iloc[0]), 2)
    (2, 0.92)
    """
    x = _values(values, "revenue_concentration")
    shares = np.array([check_probability(p, "top", caller="revenue_concentration", open_low=True) for p in top])
    curve = lorenz_curve(x)
    share = 1.0 - np.interp(1.0 - shares, curve["customer_share"], curve["revenue_share"])
    return pd.DataFrame(
        {"n_customers": np.round(shares * len(x)).astype(np.int64), "share_of_revenue": share},
        index=pd.Index(shares, name="top_share_of_customers"),
    )


def scale_tiers(
    values: pd.Series,
    cuts: Sequence[float] = (0.5, 0.8, 0.95),
    labels: Sequence[str] = ("large", "medium", "small", "sporadic"),
) -> pd.Series:
    """Grade customers by scale (客户规模) from their share of cumulative revenue (ABC analysis).

    Chapter 2. Lecture 002 grades customers by revenue into large (大客户), medium
    (中型客户), small (小客户) and sporadic (零星客户) customers. Ranked by
    revenue, the largest customers that together bring the first ``cuts[0]``
    of revenue are "large", those bringing the next slice up to ``cuts[1]``
    "medium", and so on.

    Parameters
    ----------
    values : pandas.Series
        Revenue per customer (index = customer id), non-negative.
    cuts : sequence of float, default=(0.5, 0.8, 0.95)
        Increasing cumulative revenue shares in (0, 1) that separate the tiers.
    labels : sequence of str, default=("large", "medium", "small", "sporadic")
        One more label than cuts, largest tier first.

    Returns
    -------
    pandas.Series
        Ordered categorical tier per customer, same index.

    Raises
    ------
    TypeError, ValueError
        For bad values, non-increasing cuts or a wrong number of labels.

    Examples
    --------
    >>> import pandas as pd
    >>> scale_tiers(pd.Series([50, 30, 15, 5], index=[1, 2, 3, 4])).astype(str).tolist()
    ['large', 'medium', 'small', 'sporadic']
    """
    caller = "scale_tiers"
    if not isinstance(values, pd.Series):
        raise TypeError(
            f"{caller}(): 'values' must be a pandas Series indexed by customer; got {type(values).__name__}."
        )
    x = _values(values.to_numpy(), caller)
    cuts = [check_probability(c, "cuts", caller=caller, open_low=True, open_high=True) for c in cuts]
    if any(b <= a for a, b in zip(cuts, cuts[1:], strict=False)):
        raise ValueError(f"{caller}(): 'cuts' must be strictly increasing; got {cuts}.")
    if len(labels) != len(cuts) + 1:
        raise ValueError(f"{caller}(): 'labels' needs {len(cuts) + 1} names (one more than cuts); got {len(labels)}.")
    order = np.argsort(-x, kind="stable")
    before = np.concatenate([[0.0], np.cumsum(x[order])[:-1]]) / x.sum()  # revenue share of larger customers
    tier_sorted = np.searchsorted(np.asarray(cuts), before + 1e-12, side="left")
    tier = np.empty(len(x), dtype=np.int64)
    tier[order] = tier_sorted
    cat = pd.Categorical.from_codes(tier, categories=list(labels), ordered=True)
    return pd.Series(cat, index=values.index, name="scale_tier")
