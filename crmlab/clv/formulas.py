"""Customer lifetime value (客户终生价值) by formula: the lecture's view and retention-based CLV.

Chapter 6. Before any model: the course's average CLV, the cost of acquiring
a customer, the value of a stream of purchases (the 25- vs 65-year-old
buyer), the retention-based CLV and cohort retention curves from a
transaction log.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab._validation import (
    check_columns,
    check_dates,
    check_frame,
    check_int,
    check_no_missing,
    check_number,
    check_numeric_columns,
)

__all__ = [
    "acquisition_cost",
    "age_example",
    "average_clv",
    "clv_sensitivity",
    "cohort_retention",
    "purchase_stream_value",
    "retention_clv",
]


def average_clv(revenue: float, acquisition_cost: float, retention_cost: float, n_customers: int) -> float:
    r"""Return the lecture's average customer lifetime value (客户终生价值).

    Chapter 6. CLV = (revenue − acquisition cost − retention cost) / customers,
    all totals over the customers' lifetimes (企业收益 − 客户取得成本 − 客户保有成本, / 客户数).

    Parameters
    ----------
    revenue : float
        Total revenue (or gross margin) earned from the customers.
    acquisition_cost : float
        Total cost of acquiring them (客户取得成本), >= 0.
    retention_cost : float
        Total cost of keeping them (客户保有成本), >= 0.
    n_customers : int
        Number of customers (>= 1).

    Returns
    -------
    float

    Raises
    ------
    ValueError
        For negative costs or fewer than one customer.

    See Also
    --------
    acquisition_cost, retention_clv

    Notes
    -----
    .. math:: \mathrm{CLV} = \frac{R - C_{acq} - C_{ret}}{N}

    It is an average over customers and undiscounted; later sections of the
    chapter make it per customer and forward looking.

    Examples
    --------
    >>> average_clv(1_000_000, 200_000, 300_000, 1_000)
    500.0
    """
    caller = "average_clv"
    rev = check_number(revenue, "revenue", caller=caller)
    acq = check_number(acquisition_cost, "acquisition_cost", caller=caller, minimum=0.0)
    ret = check_number(retention_cost, "retention_cost", caller=caller, minimum=0.0)
    n = check_int(n_customers, "n_customers", caller=caller, minimum=1)
    return (rev - acq - ret) / n


def acquisition_cost(marketing_cost: float, new_customers: int) -> float:
    r"""Return the cost of acquiring one customer: marketing cost / new customers.

    Chapter 6. The lecture's 客户取得成本 = 广告与营销的总成本 / 新客户人数.

    Parameters
    ----------
    marketing_cost : float
        Total advertising and marketing spend of the period (>= 0).
    new_customers : int
        New customers won in the period (>= 1).

    Returns
    -------
    float

    Raises
    ------
    ValueError
        For negative cost or fewer than one new customer.

    Notes
    -----
    .. math:: \mathrm{CAC} = \frac{\text{marketing cost}}{\text{new customers}}

    Examples
    --------
    >>> acquisition_cost(50_000, 400)
    125.0
    """
    cost = check_number(marketing_cost, "marketing_cost", caller="acquisition_cost", minimum=0.0)
    n = check_int(new_customers, "new_customers", caller="acquisition_cost", minimum=1)
    return cost / n


def age_example(years_between: float = 4.0) -> pd.DataFrame:
    """Return the lecture's two computer buyers, aged 25 and 65, as a purchase table.

    Chapter 6. Customer A (25) will buy ten computers over her life for 185,000
    in total; customer B (65) three for 45,000. The lecture does not say when
    the purchases happen: we space them ``years_between`` years apart.

    Parameters
    ----------
    years_between : float, default=4.0
        Years between two purchases.

    Returns
    -------
    pandas.DataFrame
        ``customer``, ``age`` (at the first purchase), ``purchase`` (1, 2, ...),
        ``year`` (years from today), ``amount``.

    Examples
    --------
    >>> age_example().groupby("customer")["amount"].sum().to_dict()
    {'A (25)': 185000, 'B (65)': 45000}
    """
    gap = check_number(years_between, "years_between", caller="age_example", minimum=0.0)
    a = [10_000, 12_000, 15_000, 17_000, 20_000, 22_000, 25_000, 23_000, 21_000, 20_000]
    b = [15_000, 15_000, 15_000]
    return pd.DataFrame({
        "customer": ["A (25)"] * len(a) + ["B (65)"] * len(b),
        "age": [25] * len(a) + [65] * len(b),
        "purchase": list(range(1, len(a) + 1)) + list(range(1, len(b) + 1)),
        "year": [gap * i for i in range(len(a))] + [gap * i for i in range(len(b))],
        "amount": a + b,
    })


def purchase_stream_value(
    purchases: pd.DataFrame, *, discount_rate: float = 0.0, margin: float = 1.0, customer_col: str = "customer",
    time_col: str = "year", amount_col: str = "amount",
) -> pd.DataFrame:
    r"""Return each customer's total and discounted value of a stream of purchases.

    Chapter 6. Worked on :func:`age_example`: undiscounted, customer A is
    worth about four times customer B; discounting shrinks A's later purchases
    most, yet A stays far ahead.

    Parameters
    ----------
    purchases : pandas.DataFrame
        One row per purchase with the customer, the time (periods from now,
        >= 0) and the amount.
    discount_rate : float, default=0.0
        Per period (e.g. 0.1 for 10% a year).
    margin : float, default=1.0
        Share of the amount that is profit.
    customer_col, time_col, amount_col : str
        Column names.

    Returns
    -------
    pandas.DataFrame
        Index ``customer``; columns ``purchases``, ``total`` (undiscounted
        amount) and ``present_value`` (discounted profit).

    Raises
    ------
    ValueError
        Missing columns, NaN, negative times.

    Notes
    -----
    .. math:: PV = \sum_j \frac{m \cdot \text{amount}_j}{(1+d)^{t_j}}

    Examples
    --------
    >>> purchase_stream_value(age_example(), discount_rate=0.0)["total"].tolist()
    [185000.0, 45000.0]
    """
    caller = "purchase_stream_value"
    df = check_frame(purchases, caller=caller, name="purchases")
    check_columns(df, [customer_col, time_col, amount_col], caller=caller, name="purchases")
    check_numeric_columns(df, [time_col, amount_col], caller=caller, name="purchases")
    check_no_missing(df, [customer_col, time_col, amount_col], caller=caller, name="purchases")
    d = check_number(discount_rate, "discount_rate", caller=caller, minimum=0.0)
    m = check_number(margin, "margin", caller=caller)
    if (df[time_col] < 0).any():
        raise ValueError(f"{caller}(): column '{time_col}' must be >= 0 (periods from now).")
    amount = df[amount_col].to_numpy(dtype=float)
    pv = m * amount / (1.0 + d) ** df[time_col].to_numpy(dtype=float)
    out = pd.DataFrame({customer_col: df[customer_col].to_numpy(), "amount": amount, "pv": pv})
    g = out.groupby(customer_col, sort=True)
    res = pd.DataFrame({"purchases": g.size(), "total": g["amount"].sum(), "present_value": g["pv"].sum()})
    res.index.name = "customer"
    return res


def retention_clv(
    margin: float | np.ndarray, retention: float | np.ndarray, discount_rate: float | np.ndarray,
    horizon: int | None = None,
) -> float | np.ndarray:
    r"""Return the retention-based CLV of a customer: margin × discounted survival.

    Chapter 6. A customer yields margin ``m`` at the end of each period she
    stays; she stays each period with probability ``r`` (客户保持率).

    Parameters
    ----------
    margin : float or array-like
        Margin per period.
    retention : float or array-like
        Retention rate per period, in [0, 1).
    discount_rate : float or array-like
        Discount rate per period, >= 0 (> 0 if ``horizon`` is None and r may be 1).
    horizon : int, optional
        Number of periods; default an infinite horizon.

    Returns
    -------
    float or numpy.ndarray
        Broadcast over the array arguments.

    Raises
    ------
    ValueError
        For retention outside [0, 1), negative discount rates or horizon < 1.

    See Also
    --------
    clv_sensitivity, ShiftedBetaGeoModel.discounted_expected_residual_lifetime

    Notes
    -----
    With :math:`q = r/(1+d)`:

    .. math::

        \mathrm{CLV}_H = m \sum_{t=1}^{H} q^t = m\, q\, \frac{1-q^H}{1-q},
        \qquad \mathrm{CLV}_\infty = \frac{m\, r}{1 + d - r}.

    A constant retention rate ignores heterogeneity; the sBG model shows why
    that undervalues a cohort.

    References
    ----------
    Gupta, S., & Lehmann, D. R. (2003). Customers as assets. *Journal of
    Interactive Marketing*, 17(1), 9–24.

    Examples
    --------
    >>> round(retention_clv(100, 0.8, 0.1), 2)
    266.67
    >>> round(retention_clv(100, 0.8, 0.1, horizon=5), 2)
    212.41
    """
    caller = "retention_clv"
    m = np.asarray(margin, dtype=float)
    r = np.asarray(retention, dtype=float)
    d = np.asarray(discount_rate, dtype=float)
    if np.any(~np.isfinite(r)) or np.any((r < 0) | (r >= 1)):
        raise ValueError(f"{caller}(): 'retention' must lie in [0, 1); got {retention!r}.")
    if np.any(~np.isfinite(d)) or np.any(d < 0):
        raise ValueError(f"{caller}(): 'discount_rate' must be >= 0; got {discount_rate!r}.")
    q = r / (1.0 + d)
    if horizon is None:
        out = m * r / (1.0 + d - r)
    else:
        h = check_int(horizon, "horizon", caller=caller, minimum=1)
        out = m * q * -np.expm1(h * np.log(np.where(q > 0, q, 1.0))) / (1.0 - q)
        out = np.where(q > 0, out, 0.0)
    return float(out) if np.ndim(out) == 0 else out


def clv_sensitivity(
    retention_rates: np.ndarray | list[float], margins: np.ndarray | list[float], *, discount_rate: float = 0.1,
    horizon: int | None = None,
) -> pd.DataFrame:
    """Return a table of retention-based CLV for a grid of retention rates and margins.

    Chapter 6. Shows how strongly CLV reacts to retention: the value of
    "retaining old customers beats acquiring new ones".

    Parameters
    ----------
    retention_rates : array-like
        Retention rates in [0, 1).
    margins : array-like
        Margins per period.
    discount_rate : float, default=0.1
        Discount rate per period.
    horizon : int, optional
        Finite number of periods; default infinite.

    Returns
    -------
    pandas.DataFrame
        Index ``retention``, one column per margin (named ``margin``).

    Examples
    --------
    >>> clv_sensitivity([0.5, 0.9], [100], discount_rate=0.1).round(1)[100].tolist()
    [83.3, 450.0]
    """
    r = np.asarray(retention_rates, dtype=float)
    m = np.asarray(margins, dtype=float)
    check_number(discount_rate, "discount_rate", caller="clv_sensitivity", minimum=0.0)
    values = retention_clv(m[None, :], r[:, None], discount_rate, horizon)
    return pd.DataFrame(np.asarray(values), index=pd.Index(r, name="retention"),
                        columns=pd.Index(m, name="margin"))


def cohort_retention(
    transactions: pd.DataFrame, *, customer_col: str = "customer_id", date_col: str = "date", period: str = "M",
    max_periods: int | None = None,
) -> pd.DataFrame:
    """Return the share of each acquisition cohort that buys in each later period.

    Chapter 6. The empirical retention curve (客户保持) of a non-contractual
    business: customers are grouped by the period of their first purchase;
    a customer counts as retained in period k if she buys in it.

    Parameters
    ----------
    transactions : pandas.DataFrame
        One row per transaction with a customer id and a date.
    customer_col, date_col : str
        Column names.
    period : str, default="M"
        A pandas period frequency: "M" month, "Q" quarter, "W" week, "Y" year.
    max_periods : int, optional
        Keep periods 0..max_periods only.

    Returns
    -------
    pandas.DataFrame
        Index ``cohort`` (str, e.g. "1997-01"); columns ``size`` then
        ``0, 1, 2, ...`` (periods since acquisition) with shares in [0, 1]
        (period 0 is 1 by construction; NaN where not yet observed).

    Raises
    ------
    ValueError
        Missing columns, NaN ids, unparsable dates.

    Examples
    --------
    >>> import pandas as pd
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2, 3],
    ...                    "date": pd.to_datetime(["2024-01-05", "2024-02-01", "2024-01-20", "2024-02-11"])})
    >>> table = cohort_retention(tx)
    >>> table.index.tolist(), table["size"].tolist(), table[1].tolist()
    (['2024-01', '2024-02'], [2, 1], [0.5, nan])
    """
    caller = "cohort_retention"
    df = check_frame(transactions, caller=caller, name="transactions")
    check_columns(df, [customer_col, date_col], caller=caller, name="transactions")
    check_no_missing(df, [customer_col, date_col], caller=caller, name="transactions")
    dates = check_dates(df, date_col, caller=caller, name="transactions")
    per = dates.dt.to_period(period)
    ordinal = per.array.asi8
    cust = df[customer_col].to_numpy()
    frame = pd.DataFrame({"c": cust, "o": ordinal})
    first = frame.groupby("c")["o"].transform("min").to_numpy()
    frame["k"] = ordinal - first
    frame["cohort"] = first
    active = frame.drop_duplicates(["c", "k"])
    counts = active.groupby(["cohort", "k"]).size().unstack("k")
    size = counts[0]
    shares = counts.div(size, axis=0)
    last = int(ordinal.max())
    observable = (last - shares.index.to_numpy()[:, None]) >= shares.columns.to_numpy()[None, :]
    shares = shares.where(observable, np.nan).where(~(shares.isna() & observable), 0.0)
    if max_periods is not None:
        mp = check_int(max_periods, "max_periods", caller=caller, minimum=0)
        shares = shares.loc[:, shares.columns <= mp]
    labels = pd.PeriodIndex.from_ordinals(shares.index.to_numpy(), freq=per.dt.freq).astype(str)
    shares.index = pd.Index(labels, name="cohort")
    shares.columns = pd.Index([int(c) for c in shares.columns])
    shares.insert(0, "size", size.to_numpy().astype(np.int64))
    return shares
