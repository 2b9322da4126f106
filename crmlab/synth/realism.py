"""Descriptive statistics of a transaction log, to set generated data beside real data.

Chapter 0. Is the synthetic world realistic? Compare it with CDNOW on the facts
every customer base shows: many one-time buyers, a long tail of repeat buyers,
a few customers bringing most of the revenue (the 80/20 rule, 二八法则) and
skewed gaps between purchases. Every function is pure: a log in, a Series or
DataFrame out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

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
    "cdnow_twin_settings",
    "compare_logs",
    "compare_repeat_distributions",
    "inter_purchase_gaps",
    "purchase_counts",
    "realism_summary",
    "repeat_purchase_distribution",
    "top_revenue_share",
]

_QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)


def _log(
    transactions: pd.DataFrame, caller: str, customer_col: str, date_col: str | None, amount_col: str | None
) -> pd.DataFrame:
    """Validate a transaction log and return the needed columns (dates parsed)."""
    df = check_frame(transactions, caller=caller, name="transactions")
    cols = [c for c in (customer_col, date_col, amount_col) if c is not None]
    check_columns(df, cols, caller=caller, name="transactions")
    check_no_missing(df, cols, caller=caller, name="transactions", id_col=customer_col)
    out = pd.DataFrame({"customer": df[customer_col].to_numpy()})
    if date_col is not None:
        out["date"] = check_dates(df, date_col, caller=caller, name="transactions", id_col=customer_col).to_numpy()
    if amount_col is not None:
        check_numeric_columns(df, [amount_col], caller=caller, name="transactions")
        out["amount"] = df[amount_col].to_numpy(dtype=float)
    return out


def purchase_counts(
    transactions: pd.DataFrame, *, customer_col: str = "customer_id", date_col: str = "date", by_day: bool = True
) -> pd.Series:
    """Count the purchases of each customer.

    Chapter 0.

    Parameters
    ----------
    transactions : pandas.DataFrame
        A log with ``customer_col`` and ``date_col``.
    customer_col, date_col : str, default="customer_id", "date"
        Column names.
    by_day : bool, default=True
        Count distinct purchase days (several orders on one day are one purchase,
        as in the BTYD literature); ``False`` counts rows.

    Returns
    -------
    pandas.Series
        Int64 counts indexed by customer id, name ``purchases``.

    Raises
    ------
    ValueError
        If a column is missing, has missing values, or a date does not parse.

    Examples
    --------
    >>> log = pd.DataFrame({"customer_id": [1, 1, 1, 2],
    ...                     "date": ["2024-01-01", "2024-01-01", "2024-02-01", "2024-01-05"]})
    >>> purchase_counts(log).tolist()
    [2, 1]
    """
    log = _log(transactions, "purchase_counts", customer_col, date_col, None)
    if by_day:
        log = log.drop_duplicates(["customer", "date"])
    counts = log.groupby("customer", sort=True).size().astype("int64")
    counts.index.name = customer_col
    return counts.rename("purchases")


def repeat_purchase_distribution(
    transactions: pd.DataFrame,
    *,
    max_count: int = 10,
    customer_col: str = "customer_id",
    date_col: str = "date",
    by_day: bool = True,
) -> pd.DataFrame:
    """How many customers bought once, twice, ... (the last row collects ``max_count`` or more).

    Chapter 0.

    Parameters
    ----------
    transactions : pandas.DataFrame
        A log with ``customer_col`` and ``date_col``.
    max_count : int, default=10
        Counts of ``max_count`` and above share the last row, labelled ``"10+"``.
    customer_col, date_col : str
        Column names.
    by_day : bool, default=True
        Count distinct purchase days (see :func:`purchase_counts`).

    Returns
    -------
    pandas.DataFrame
        Index ``purchases`` (``"1"``, ``"2"``, ..., ``"10+"``), columns ``customers`` (int)
        and ``share`` (fraction of customers; sums to 1).

    Raises
    ------
    ValueError
        If ``max_count < 2`` or the log is invalid.

    Examples
    --------
    >>> log = pd.DataFrame({"customer_id": [1, 1, 2, 3], "date": ["2024-01-01", "2024-03-01",
    ...                                                          "2024-01-02", "2024-01-03"]})
    >>> repeat_purchase_distribution(log, max_count=3)["customers"].tolist()
    [2, 1, 0]
    """
    top = check_int(max_count, "max_count", caller="repeat_purchase_distribution", minimum=2)
    counts = purchase_counts(transactions, customer_col=customer_col, date_col=date_col, by_day=by_day)
    binned = np.minimum(counts.to_numpy(), top)
    tally = np.bincount(binned, minlength=top + 1)[1:]
    labels = [str(k) for k in range(1, top)] + [f"{top}+"]
    out = pd.DataFrame({"customers": tally.astype("int64"), "share": tally / tally.sum()},
                       index=pd.Index(labels, name="purchases"))
    return out


def top_revenue_share(
    transactions: pd.DataFrame, top: float = 0.2, *, customer_col: str = "customer_id", amount_col: str = "amount"
) -> float:
    """Share of total revenue brought by the top ``top`` fraction of customers (the 80/20 check).

    Chapter 0 (and chapter 2, where the Lorenz curve generalises it).

    Parameters
    ----------
    transactions : pandas.DataFrame
        A log with ``customer_col`` and ``amount_col``.
    top : float, default=0.2
        Fraction of customers, in (0, 1].
    customer_col, amount_col : str
        Column names.

    Returns
    -------
    float
        Revenue of the ``ceil(top * n)`` highest-revenue customers over total revenue.

    Raises
    ------
    ValueError
        If ``top`` is out of range, total revenue is not positive, or the log is invalid.

    Examples
    --------
    >>> log = pd.DataFrame({"customer_id": [1, 2, 3, 4, 5], "amount": [80.0, 5.0, 5.0, 5.0, 5.0]})
    >>> top_revenue_share(log)
    0.8
    """
    caller = "top_revenue_share"
    frac = check_number(top, "top", caller=caller, minimum=0.0, maximum=1.0, strict_min=True)
    log = _log(transactions, caller, customer_col, None, amount_col)
    revenue = np.sort(log.groupby("customer")["amount"].sum().to_numpy())[::-1]
    total = revenue.sum()
    if total <= 0:
        raise ValueError(f"{caller}(): total of '{amount_col}' must be positive; got {total}.")
    k = int(np.ceil(frac * revenue.shape[0] - 1e-9))
    return float(revenue[:k].sum() / total)


def inter_purchase_gaps(
    transactions: pd.DataFrame, *, customer_col: str = "customer_id", date_col: str = "date"
) -> pd.Series:
    """Return the days between consecutive purchase days of the same customer.

    Chapter 0.

    Parameters
    ----------
    transactions : pandas.DataFrame
        A log with ``customer_col`` and ``date_col``.
    customer_col, date_col : str
        Column names.

    Returns
    -------
    pandas.Series
        Gaps in days (float, > 0; same-day purchases count once), name ``gap_days``.
        Empty when nobody bought twice.

    Raises
    ------
    TypeError
        If ``transactions`` is not a DataFrame.
    ValueError
        If it is empty, a column is missing, or ids or dates are missing or unparsable.

    Examples
    --------
    >>> log = pd.DataFrame({"customer_id": [1, 1, 1, 2],
    ...                     "date": ["2024-01-01", "2024-01-11", "2024-01-31", "2024-01-05"]})
    >>> inter_purchase_gaps(log).tolist()
    [10.0, 20.0]
    """
    log = _log(transactions, "inter_purchase_gaps", customer_col, date_col, None)
    log = log.drop_duplicates(["customer", "date"]).sort_values(["customer", "date"], kind="stable")
    same = log["customer"].to_numpy()[1:] == log["customer"].to_numpy()[:-1]
    days = np.diff(log["date"].to_numpy()).astype("timedelta64[s]").astype(np.int64) / 86_400.0
    return pd.Series(days[same], name="gap_days")


def realism_summary(
    transactions: pd.DataFrame,
    *,
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str = "amount",
    quantiles: Sequence[float] = _QUANTILES,
) -> pd.Series:
    """Headline statistics of a transaction log, for side-by-side comparisons.

    Chapter 0.

    Parameters
    ----------
    transactions : pandas.DataFrame
        A log with ``customer_col``, ``date_col`` and ``amount_col``.
    customer_col, date_col, amount_col : str
        Column names (pass ``amount_col="dollar_value"`` for CDNOW).
    quantiles : sequence of float, default=(0.1, 0.25, 0.5, 0.75, 0.9)
        Quantiles of the inter-purchase gap to report.

    Returns
    -------
    pandas.Series
        ``customers``, ``transactions``, ``purchase_days_per_customer``,
        ``one_time_share``, ``top20_revenue_share``, ``mean_amount``, ``window_weeks``
        and ``gap_q10``... (days) for each requested quantile.

    Raises
    ------
    TypeError
        If ``transactions`` is not a DataFrame or ``amount_col`` is not numeric.
    ValueError
        If it is empty, a column is missing, values are missing, dates do not parse
        or a quantile lies outside [0, 1].

    Examples
    --------
    >>> log = pd.DataFrame({"customer_id": [1, 1, 2], "date": ["2024-01-01", "2024-01-08", "2024-01-03"],
    ...                     "amount": [10.0, 20.0, 30.0]})
    >>> float(realism_summary(log)["one_time_share"])
    0.5
    """
    caller = "realism_summary"
    log = _log(transactions, caller, customer_col, date_col, amount_col)
    qs = [check_number(q, "quantiles", caller=caller, minimum=0.0, maximum=1.0) for q in quantiles]
    renamed = log.rename(columns={"customer": "c", "date": "d", "amount": "a"})
    counts = purchase_counts(renamed, customer_col="c", date_col="d")
    gaps = inter_purchase_gaps(renamed, customer_col="c", date_col="d")
    dates = log["date"]
    stats = {
        "customers": float(counts.shape[0]),
        "transactions": float(log.shape[0]),
        "purchase_days_per_customer": float(counts.mean()),
        "one_time_share": float((counts == 1).mean()),
        "top20_revenue_share": top_revenue_share(renamed, 0.2, customer_col="c", amount_col="a"),
        "mean_amount": float(log["amount"].mean()),
        "window_weeks": float((dates.max() - dates.min()).days + 1) / 7.0,
    }
    for q in qs:
        stats[f"gap_q{round(q * 100):02d}"] = float(gaps.quantile(q)) if len(gaps) else float("nan")
    return pd.Series(stats, name="value")


def compare_logs(logs: Mapping[str, pd.DataFrame], **columns: str) -> pd.DataFrame:
    """:func:`realism_summary` of several logs side by side (one column per log).

    Chapter 0.

    Parameters
    ----------
    logs : mapping of str to pandas.DataFrame
        Name -> transaction log, e.g. ``{"CDNOW": cdnow, "synthetic": world.transactions}``.
        Every log must use the same column names (rename first).
    **columns
        ``customer_col``, ``date_col``, ``amount_col`` passed to :func:`realism_summary`.

    Returns
    -------
    pandas.DataFrame
        Rows are statistics, columns are the log names.

    Raises
    ------
    TypeError
        If ``logs`` is not a non-empty mapping.

    Examples
    --------
    >>> a = pd.DataFrame({"customer_id": [1, 2], "date": ["2024-01-01", "2024-01-02"], "amount": [1.0, 3.0]})
    >>> compare_logs({"a": a, "b": a}).loc["one_time_share"].tolist()
    [1.0, 1.0]
    """
    if not isinstance(logs, Mapping) or not logs:
        raise TypeError(f"compare_logs(): 'logs' must be a non-empty mapping name -> DataFrame; got {logs!r}.")
    return pd.DataFrame({name: realism_summary(df, **columns) for name, df in logs.items()})


def compare_repeat_distributions(
    logs: Mapping[str, pd.DataFrame], *, max_count: int = 10, **columns: str
) -> pd.DataFrame:
    """Return the shares of customers by number of purchase days, one column per log.

    Chapter 0.

    Parameters
    ----------
    logs : mapping of str to pandas.DataFrame
        Name -> transaction log (same column names).
    max_count : int, default=10
        Last bucket ``"max_count+"``.
    **columns
        ``customer_col`` and ``date_col`` passed to :func:`repeat_purchase_distribution`.

    Returns
    -------
    pandas.DataFrame
        Index ``purchases`` (``"1"`` ... ``"10+"``), one share column per log.

    Raises
    ------
    TypeError
        If ``logs`` is not a non-empty mapping.

    Examples
    --------
    >>> a = pd.DataFrame({"customer_id": [1, 1, 2], "date": ["2024-01-01", "2024-02-01", "2024-01-02"]})
    >>> compare_repeat_distributions({"a": a}, max_count=3)["a"].tolist()
    [0.5, 0.5, 0.0]
    """
    if not isinstance(logs, Mapping) or not logs:
        raise TypeError(
            f"compare_repeat_distributions(): 'logs' must be a non-empty mapping name -> DataFrame; got {logs!r}."
        )
    return pd.DataFrame({name: repeat_purchase_distribution(df, max_count=max_count, **columns)["share"]
                         for name, df in logs.items()})


def cdnow_twin_settings(n_customers: int = 23570) -> dict[str, object]:
    r"""Return ``make_customer_world`` settings for a synthetic twin of the CDNOW cohort.

    Chapter 0. One segment whose BG/NBD and Gamma-Gamma parameters are the published
    CDNOW estimates (Fader, Hardie & Lee 2005; Fader & Hardie 2013), first purchases
    spread over the first 12 of 78 weeks as in the real cohort. If the models are
    right, the twin's repeat-purchase distribution, 80/20 share and gaps look like
    CDNOW's; where they differ, the models miss something.

    Parameters
    ----------
    n_customers : int, default=23570
        Size of the twin (CDNOW's cohort has 23,570 customers).

    Returns
    -------
    dict
        Keyword arguments for :func:`crmlab.synth.make_customer_world` (add ``random_state``).

    Raises
    ------
    ValueError
        If ``n_customers < 1``.

    See Also
    --------
    compare_logs : put the twin beside CDNOW.

    Notes
    -----
    BG/NBD :math:`r = 0.243, \alpha = 4.414, a = 0.793, b = 2.426` (weeks);
    Gamma-Gamma :math:`p = 6.25, q = 3.74, \gamma = 15.44` (USD).

    References
    ----------
    Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005). "Counting your customers" the
    easy way. *Marketing Science*, 24(2), 275–284.

    Examples
    --------
    >>> from crmlab.synth import make_customer_world
    >>> twin = make_customer_world(**cdnow_twin_settings(500), random_state=1)
    >>> str(twin.transactions["date"].min().date()), str(twin.transactions["date"].max().date())
    ('1997-01-01', '1998-06-30')
    """
    n = check_int(n_customers, "n_customers", caller="cdnow_twin_settings", minimum=1)
    cdnow = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426, "p": 6.25, "q": 3.74, "gamma": 15.44,
             "acquisition": (0.0, 12.0 / 78.0)}
    return {"n_customers": n, "start": "1997-01-01", "end": "1998-06-30", "segments": ("new",),
            "segment_params": {"new": cdnow}}
