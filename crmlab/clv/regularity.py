r"""Regularity of purchase timing: inter-purchase times and the Erlang order k.

Chapter 10. BG/NBD and Pareto/NBD assume exponential gaps between purchases
(a customer is as likely to buy the day after a purchase as a month later).
Grocery and replenishment buyers are *regular*: their gaps look Erlang-k,
a gamma distribution with integer shape k (k = 1 is the exponential). This
module turns a transaction log into the per-customer inter-purchase times,
their sum of logs (the statistic ``litt`` the CNBD-k likelihood needs) and an
estimate of k with a profile table.

The estimate of k uses only the *shape* of each customer's gaps: for gamma(k)
gaps :math:`g_1..g_n` with any rate, the proportions :math:`g_j / \sum g`
are Dirichlet(k, ..., k), so the pooled likelihood

.. math::

    \ell(k) = \sum_i \Big[\log\Gamma(n_i k) - n_i \log\Gamma(k)
              + (k-1)\sum_j \log\frac{g_{ij}}{S_i}\Big]

is free of the customers' unknown rates (no incidental-parameter bias) and
needs customers with at least two gaps.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import minimize_scalar
from scipy.special import gammaln, polygamma

from crmlab._validation import (
    check_columns,
    check_frame,
    check_int,
    check_no_missing,
    check_number,
    first_ids,
)

__all__ = ["estimate_regularity", "intertransaction_times", "log_intertransaction_times", "regularity_profile"]


def intertransaction_times(
    transactions: pd.DataFrame,
    customer_col: str = "customer_id",
    date_col: str = "date",
    observation_end: Any = None,
    freq: str = "D",
    time_scaler: float = 1.0,
) -> pd.DataFrame:
    """Return every gap between a customer's consecutive purchase periods.

    Chapter 10. Purchases in the same period (``freq``) are merged, as in
    :func:`crmlab.rfm.rfm_summary`, and gaps are in the same unit
    (periods divided by ``time_scaler``), so they match its ``recency``.

    Parameters
    ----------
    transactions : pandas.DataFrame
        One row per purchase with columns ``customer_col`` and ``date_col``.
    customer_col, date_col : str, default="customer_id", "date"
        Column names.
    observation_end : date-like, optional
        Purchases after it are left out (the calibration window); default keep all.
    freq : str, default="D"
        The pandas period alias ("D" days, "W" weeks).
    time_scaler : float, default=1.0
        Gaps are divided by it (``freq="D", time_scaler=7`` gives weeks).

    Returns
    -------
    pandas.DataFrame
        Columns ``customer_col``, ``gap`` (> 0), ``gap_number`` (1 for the first
        repeat purchase), in customer and time order.

    Raises
    ------
    ValueError
        If a column is missing, ids or dates are missing, or dates do not parse.

    Examples
    --------
    >>> import pandas as pd
    >>> log = pd.DataFrame({"customer_id": [1, 1, 1, 2, 2],
    ...                     "date": pd.to_datetime(["2024-01-01", "2024-01-04", "2024-01-11",
    ...                                             "2024-01-02", "2024-01-09"])})
    >>> intertransaction_times(log)
       customer_id  gap  gap_number
    0            1  3.0           1
    1            1  7.0           2
    2            2  7.0           1
    """
    caller = "intertransaction_times"
    df = check_frame(transactions, caller=caller, name="transactions")
    check_columns(df, [customer_col, date_col], caller=caller, name="transactions")
    check_no_missing(df, [customer_col, date_col], caller=caller, name="transactions", id_col=customer_col)
    scaler = check_number(time_scaler, "time_scaler", caller=caller, minimum=0.0, strict_min=True)
    try:
        dates = pd.to_datetime(df[date_col])
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{caller}(): column '{date_col}' of 'transactions' does not parse as dates ({exc}).") from exc
    keep = np.ones(len(df), dtype=bool)
    if observation_end is not None:
        keep = (dates <= pd.Timestamp(observation_end)).to_numpy()
    periods = dates[keep].dt.to_period(freq).array.asi8
    frame = pd.DataFrame({customer_col: df[customer_col].to_numpy()[keep], "_p": periods})
    frame = frame.drop_duplicates().sort_values([customer_col, "_p"], kind="stable")
    same = frame[customer_col].to_numpy()[1:] == frame[customer_col].to_numpy()[:-1]
    gaps = np.diff(frame["_p"].to_numpy()).astype(float) / scaler
    out = pd.DataFrame({customer_col: frame[customer_col].to_numpy()[1:][same], "gap": gaps[same]})
    out["gap_number"] = out.groupby(customer_col, sort=False).cumcount() + 1
    return out.reset_index(drop=True)


def log_intertransaction_times(gaps: pd.DataFrame, customers: pd.Index | None = None, *,
                               customer_col: str = "customer_id") -> pd.Series:
    r"""Return each customer's sum of log inter-purchase times (``litt``).

    Chapter 10. The data statistic of the CNBD-k likelihood besides
    (frequency, recency, T): :math:`\sum_j \log g_j` over the repeat purchases.
    :func:`crmlab.rfm.rfm_summary` adds it directly with ``litt=True``; from gaps already at hand use
    ``summary.assign(litt=log_intertransaction_times(gaps, summary.index))``.

    Parameters
    ----------
    gaps : pandas.DataFrame
        Output of :func:`intertransaction_times`.
    customers : pandas.Index, optional
        Customers to report (those without gaps get 0); default those in ``gaps``.
    customer_col : str, default="customer_id"
        Customer id column of ``gaps``.

    Returns
    -------
    pandas.Series
        ``litt`` indexed by customer.

    Raises
    ------
    ValueError
        If ``gaps`` has a non-positive gap or a customer of ``gaps`` is not in ``customers``.

    Examples
    --------
    >>> import pandas as pd
    >>> gaps = pd.DataFrame({"customer_id": [1, 1, 2], "gap": [3.0, 7.0, 7.0]})
    >>> log_intertransaction_times(gaps).round(3)  # log 3 + log 7, log 7
    customer_id
    1    3.045
    2    1.946
    Name: litt, dtype: float64
    """
    caller = "log_intertransaction_times"
    check_columns(gaps, [customer_col, "gap"], caller=caller, name="gaps")
    g = gaps["gap"].to_numpy(dtype=float)
    bad = ~(g > 0) | ~np.isfinite(g)
    if bad.any():
        raise ValueError(f"{caller}(): {int(bad.sum())} gap(s) are not positive and finite (first customer ids: "
                         f"{first_ids(gaps.loc[bad, customer_col])}); gaps come from distinct purchase periods.")
    litt = pd.Series(np.log(g), index=gaps[customer_col].to_numpy()).groupby(level=0).sum()
    if customers is None:
        return litt.rename("litt").rename_axis(customer_col)
    missing = ~litt.index.isin(customers)
    if missing.any():
        raise ValueError(f"{caller}(): {int(missing.sum())} customer(s) of 'gaps' are not in 'customers' "
                         f"(first ids: {first_ids(litt.index[missing])}); build both from the same transactions.")
    return litt.reindex(customers, fill_value=0.0).rename("litt")


def _gap_stats(gaps: pd.DataFrame, customer_col: str, min_gaps: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per customer with >= min_gaps gaps: n, sum of log proportions, used in the Dirichlet likelihood."""
    g = gaps["gap"].to_numpy(dtype=float)
    codes, _ = pd.factorize(gaps[customer_col])
    n = np.bincount(codes).astype(float)
    s = np.bincount(codes, weights=g)
    slog = np.bincount(codes, weights=np.log(g))
    keep = n >= min_gaps
    n, s, slog = n[keep], s[keep], slog[keep]
    return n, slog - n * np.log(s), n


def _profile_ll(k: np.ndarray, n: np.ndarray, slogp: np.ndarray) -> np.ndarray:
    k = np.asarray(k, dtype=float)[:, None]
    return (gammaln(n * k) - n * gammaln(k) + (k - 1.0) * slogp).sum(axis=1)


def regularity_profile(gaps: pd.DataFrame, *, max_k: int = 10, min_gaps: int = 2,
                       customer_col: str = "customer_id") -> pd.DataFrame:
    """Return the log-likelihood of each Erlang order k = 1..max_k for the observed gaps.

    Chapter 10. A table to read next to :func:`estimate_regularity`; drawn by
    :func:`crmlab.plotting.plot_regularity`.

    Parameters
    ----------
    gaps : pandas.DataFrame
        Output of :func:`intertransaction_times`.
    max_k : int, default=10
        Largest order tried.
    min_gaps : int, default=2
        Customers with fewer gaps carry no shape information and are left out.
    customer_col : str, default="customer_id"
        Customer id column of ``gaps``.

    Returns
    -------
    pandas.DataFrame
        Index ``k``; columns ``log_likelihood`` and ``delta`` (difference to the best k).

    Raises
    ------
    ValueError
        If no customer has ``min_gaps`` gaps.

    Examples
    --------
    >>> from crmlab.synth.btyd_worlds import simulate_cnbd
    >>> _, gaps = simulate_cnbd(2000, r=2.0, alpha=10.0, a=1.0, b=20.0, k=3, T=52.0,
    ...                         return_gaps=True, random_state=0)
    >>> profile = regularity_profile(gaps, max_k=5)
    >>> int(profile["log_likelihood"].idxmax())  # the true order k = 3 fits best
    3
    """
    caller = "regularity_profile"
    max_k = check_int(max_k, "max_k", caller=caller, minimum=1)
    min_gaps = check_int(min_gaps, "min_gaps", caller=caller, minimum=2)
    n, slogp, _ = _gap_stats(gaps, customer_col, min_gaps)
    if len(n) == 0:
        raise ValueError(f"{caller}(): no customer has {min_gaps} or more gaps; regularity cannot be estimated.")
    ks = np.arange(1, max_k + 1)
    ll = _profile_ll(ks, n, slogp)
    return pd.DataFrame({"log_likelihood": ll, "delta": ll - ll.max()}, index=pd.Index(ks, name="k"))


def estimate_regularity(gaps: pd.DataFrame, *, min_gaps: int = 2, customer_col: str = "customer_id") -> pd.Series:
    """Estimate the Erlang order k (gamma shape) of inter-purchase times, pooled over customers.

    Chapter 10. k near 1: Poisson-like (irregular) buying; k of 2 or more:
    regular buying, where a CNBD-k model should beat the BG/NBD.

    Parameters
    ----------
    gaps : pandas.DataFrame
        Output of :func:`intertransaction_times`.
    min_gaps : int, default=2
        Customers with fewer gaps are left out.
    customer_col : str, default="customer_id"
        Customer id column of ``gaps``.

    Returns
    -------
    pandas.Series
        ``k_hat`` (continuous maximum-likelihood shape), ``std_error``,
        ``k_integer`` (best integer order), ``n_customers``, ``n_gaps``.

    Raises
    ------
    ValueError
        If no customer has ``min_gaps`` gaps.

    Examples
    --------
    >>> from crmlab.synth.btyd_worlds import simulate_cnbd
    >>> _, gaps = simulate_cnbd(2000, r=2.0, alpha=10.0, a=1.0, b=20.0, k=3, T=52.0,
    ...                         return_gaps=True, random_state=0)
    >>> int(estimate_regularity(gaps)["k_integer"])  # the true Erlang order is 3
    3
    """
    caller = "estimate_regularity"
    min_gaps = check_int(min_gaps, "min_gaps", caller=caller, minimum=2)
    n, slogp, _ = _gap_stats(gaps, customer_col, min_gaps)
    if len(n) == 0:
        raise ValueError(f"{caller}(): no customer has {min_gaps} or more gaps; regularity cannot be estimated.")
    res = minimize_scalar(lambda lk: -_profile_ll(np.exp([lk]), n, slogp)[0], bounds=(-5.0, 6.0), method="bounded",
                          options={"xatol": 1e-10})
    k = float(np.exp(res.x))
    info = -float(np.sum(n * n * polygamma(1, n * k) - n * polygamma(1, k)))
    se = float(np.sqrt(1.0 / info)) if info > 0 else float("nan")
    ints = np.arange(1, max(int(np.ceil(k)) + 2, 2))
    k_int = int(ints[np.argmax(_profile_ll(ints, n, slogp))])
    return pd.Series({"k_hat": k, "std_error": se, "k_integer": float(k_int), "n_customers": float(len(n)),
                      "n_gaps": float(n.sum())}, name="regularity")
