"""The customer value matrix (current × potential value) and the customer growth matrix.

Chapter 2. Two 2×2 tables that turn "customers differ" into "treat them
differently". The *value matrix* (客户价值矩阵) places each customer by what they
are worth now and what they could be worth; core customers (核心客户, the HSBC
case) are high on both. The *growth matrix* (客户增长矩阵) asks where revenue
growth comes from: existing or new customers buying existing or new products.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from crmlab._validation import (
    check_columns,
    check_dates,
    check_finite,
    check_frame,
    check_no_missing,
    check_numeric_columns,
)

__all__ = ["GROWTH_MATRIX", "VALUE_MATRIX", "customer_growth_matrix", "customer_value_matrix"]

#: The four quadrants of the customer value matrix, most valuable first, with the strategy for each.
VALUE_MATRIX = pd.DataFrame(
    {
        "quadrant": ["core", "maintain", "develop", "minimise"],
        "chinese": ["核心客户(重点保持)", "主要客户(维持)", "潜力客户(发展)", "普通/低价值客户(控制成本)"],
        "current_value": ["high", "high", "low", "low"],
        "potential_value": ["high", "low", "high", "low"],
        "strategy": [
            "invest most: dedicated staff, tailored offers, redesign every contact point around them",
            "keep them: service level and loyalty rewards, but spend no more than their margin justifies",
            "grow them: cross-sell and up-sell to unlock the potential before competitors do",
            "serve cheaply: standard low-cost channels; upgrade or let go if they never move",
        ],
    }
).set_index("quadrant")

#: The customer growth matrix: customer (existing/new) × product (existing/new).
GROWTH_MATRIX = pd.DataFrame(
    {
        "cell": ["retention", "cross-selling", "acquisition", "diversification"],
        "chinese": ["客户保持(市场渗透)", "交叉销售(客户发展)", "客户获取", "多元化"],
        "customers": ["existing", "existing", "new", "new"],
        "products": ["existing", "new", "existing", "new"],
        "strategy": [
            "sell more of what they already buy: keep and deepen the relationship",
            "sell existing customers products they have not bought yet",
            "win new customers for the current products",
            "new customers with new products: riskiest, least use of what the firm knows",
        ],
    }
).set_index("cell")


def customer_value_matrix(
    customers: pd.DataFrame,
    *,
    current_col: str = "current_value",
    potential_col: str = "potential_value",
    current_threshold: float | None = None,
    potential_threshold: float | None = None,
) -> pd.DataFrame:
    """Place each customer in the value matrix: current value × potential value.

    Chapter 2. A customer's *current value* (当前价值) is what they bring now
    (e.g. last year's margin); the *potential value* (潜在价值 / 增值潜力) is what
    they could bring if the firm won more of their business (e.g. a forecast of
    future spend, or share-of-wallet headroom). Splitting both at a threshold
    gives four quadrants, each with its own strategy (:data:`VALUE_MATRIX`):
    *core* (high, high), *maintain* (high current, low potential), *develop*
    (low current, high potential) and *minimise* (low, low).

    Parameters
    ----------
    customers : pandas.DataFrame
        One row per customer with numeric ``current_col`` and ``potential_col``.
    current_col, potential_col : str
        Column names.
    current_threshold, potential_threshold : float, optional
        A value at or above the threshold is "high". Default: the median of the column.

    Returns
    -------
    pandas.DataFrame
        A copy of ``customers`` with ``quadrant`` (ordered categorical core < maintain < develop <
        minimise) and ``strategy``; ``attrs["thresholds"]`` holds the two thresholds used.

    Raises
    ------
    TypeError, ValueError
        For a non-DataFrame, missing or non-numeric columns, or missing values.

    See Also
    --------
    VALUE_MATRIX, crmlab.plotting.plot_value_matrix, customer_ordering

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"current_value": [900, 800, 50, 20], "potential_value": [700, 10, 600, 5]})
    >>> customer_value_matrix(df)["quadrant"].astype(str).tolist()
    ['core', 'maintain', 'develop', 'minimise']
    """
    caller = "customer_value_matrix"
    check_frame(customers, caller=caller, name="customers")
    check_columns(customers, [current_col, potential_col], caller=caller, name="customers")
    check_numeric_columns(customers, [current_col, potential_col], caller=caller, name="customers")
    check_no_missing(customers, [current_col, potential_col], caller=caller, name="customers")
    check_finite(customers, [current_col, potential_col], caller=caller, name="customers")
    cur = customers[current_col].to_numpy(dtype=float)
    pot = customers[potential_col].to_numpy(dtype=float)
    c_cut = float(np.median(cur)) if current_threshold is None else float(current_threshold)
    p_cut = float(np.median(pot)) if potential_threshold is None else float(potential_threshold)
    hi_c, hi_p = cur >= c_cut, pot >= p_cut
    code = np.where(hi_c, np.where(hi_p, 0, 1), np.where(hi_p, 2, 3))
    out = customers.copy()
    out["quadrant"] = pd.Categorical.from_codes(code, categories=list(VALUE_MATRIX.index), ordered=True)
    out["strategy"] = VALUE_MATRIX["strategy"].to_numpy()[code]
    out.attrs["thresholds"] = {current_col: c_cut, potential_col: p_cut}
    return out


def customer_growth_matrix(
    transactions: pd.DataFrame,
    *,
    period_start: Any,
    period_end: Any,
    customer_col: str = "customer_id",
    product_col: str = "category",
    date_col: str = "date",
    amount_col: str = "amount",
) -> pd.DataFrame:
    """Split a period's revenue into the four cells of the customer growth matrix.

    Chapter 2. A customer is *existing* if they bought before ``period_start``;
    a product (category) is *existing for that customer* if they had bought it
    before. Each transaction in ``[period_start, period_end]`` then falls in
    one cell: retention (existing customer, a category they bought before),
    cross-selling (existing customer, a category new to them), acquisition (new
    customer, a category the firm already sold) or diversification (new
    customer, a category nobody bought before the period).

    Parameters
    ----------
    transactions : pandas.DataFrame
        The log with ``customer_col``, ``product_col``, ``date_col`` and ``amount_col``.
    period_start, period_end : str or Timestamp
        The period analysed (inclusive); history before it defines "existing".
    customer_col, product_col, date_col, amount_col : str
        Column names.

    Returns
    -------
    pandas.DataFrame
        Index = the four cells of :data:`GROWTH_MATRIX`; columns ``customers`` (distinct customers),
        ``transactions``, ``revenue`` and ``share`` of the period's revenue.

    Raises
    ------
    TypeError, ValueError
        For missing columns or values, unparsable dates, or ``period_end`` before ``period_start``.

    See Also
    --------
    GROWTH_MATRIX

    Examples
    --------
    >>> import pandas as pd
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 1, 2], "category": ["a", "a", "b", "a"],
    ...                    "date": ["2023-06-01", "2024-02-01", "2024-03-01", "2024-04-01"],
    ...                    "amount": [10.0, 10.0, 20.0, 30.0]})
    >>> customer_growth_matrix(tx, period_start="2024-01-01", period_end="2024-12-31")["revenue"].tolist()
    [10.0, 20.0, 30.0, 0.0]
    """
    caller = "customer_growth_matrix"
    cols = [customer_col, product_col, date_col, amount_col]
    check_frame(transactions, caller=caller, name="transactions")
    check_columns(transactions, cols, caller=caller, name="transactions")
    check_numeric_columns(transactions, [amount_col], caller=caller, name="transactions")
    check_no_missing(transactions, cols, caller=caller, name="transactions")
    check_finite(transactions, [amount_col], caller=caller, name="transactions")
    dates = check_dates(transactions, date_col, caller=caller, name="transactions")
    start, end = pd.Timestamp(period_start), pd.Timestamp(period_end)
    if end < start:
        raise ValueError(f"{caller}(): 'period_end' ({end.date()}) must not be before 'period_start' ({start.date()}).")
    before = dates < start
    inside = ((dates >= start) & (dates <= end)).to_numpy()
    hist = transactions.loc[before.to_numpy(), [customer_col, product_col]]
    period = transactions.loc[inside, [customer_col, product_col, amount_col]]
    old_customer = period[customer_col].isin(hist[customer_col].unique()).to_numpy()
    pairs = pd.MultiIndex.from_frame(hist.drop_duplicates())
    old_pair = pd.MultiIndex.from_frame(period[[customer_col, product_col]]).isin(pairs)
    old_product = period[product_col].isin(hist[product_col].unique()).to_numpy()
    code = np.where(old_customer, np.where(old_pair, 0, 1), np.where(old_product, 2, 3))
    period = period.assign(cell=pd.Categorical.from_codes(code, categories=list(GROWTH_MATRIX.index)))
    grouped = period.groupby("cell", observed=False)
    out = pd.DataFrame(
        {
            "customers": grouped[customer_col].nunique(),
            "transactions": grouped.size(),
            "revenue": grouped[amount_col].sum().astype(float),
        }
    )
    total = out["revenue"].sum()
    out["share"] = out["revenue"] / total if total > 0 else 0.0
    out.index = pd.Index(list(out.index), name="cell")
    return out
