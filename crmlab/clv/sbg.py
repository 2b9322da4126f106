"""The shifted-beta-geometric (sBG) model of contractual retention.

Chapter 6. Subscription businesses see customers leave. Each customer renews
with her own probability; heterogeneity across customers makes the aggregate
retention rate rise over time even though nobody's own rate changes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import betaln, hyp2f1
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from crmlab._validation import (
    check_columns,
    check_frame,
    check_int,
    check_no_missing,
    check_number,
    check_numeric_columns,
    first_ids,
)
from crmlab.clv._base import FitResultsMixin
from crmlab.clv._data import _describe_rows, resolve_weights

__all__ = ["ShiftedBetaGeoModel", "survival_to_cohort"]


def survival_to_cohort(survival: pd.Series | np.ndarray, *, cohort_size: int = 1000,
                       periods: int | None = None) -> pd.DataFrame:
    r"""Turn a cohort's survival curve into counts of lost and surviving customers.

    Chapter 6. Published retention tables give the percentage of a cohort
    still active after each period; the sBG model is fitted to the implied
    number of customers lost in each period plus the survivors at the end.

    Parameters
    ----------
    survival : array-like
        Percent (0–100) still active at periods 0, 1, 2, ...; the first value
        is the cohort at acquisition (normally 100).
    cohort_size : int, default=1000
        Number of customers the percentages refer to.
    periods : int, optional
        Use periods 1..``periods`` only (the calibration window); default all.

    Returns
    -------
    pandas.DataFrame
        ``lifetime`` (periods), ``churned`` (bool; False = still active after
        ``lifetime`` periods, a right-censored observation) and ``customers``.

    Raises
    ------
    ValueError
        If the curve is not in [0, 100], increases, or is too short.

    Notes
    -----
    Counts are :math:`n_t = \mathrm{round}(N S_{t-1}/100) - \mathrm{round}(N S_t/100)`.

    Examples
    --------
    >>> survival_to_cohort([100, 63.1, 46.8], cohort_size=1000)
       lifetime  churned  customers
    0         1     True        369
    1         2     True        163
    2         2    False        468
    """
    caller = "survival_to_cohort"
    try:
        s = np.asarray(survival, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{caller}(): 'survival' must hold numbers (percentages); got {survival!r}.") from exc
    n = check_int(cohort_size, "cohort_size", caller=caller, minimum=1)
    if s.ndim != 1 or len(s) < 2:
        raise ValueError(f"{caller}(): 'survival' must be a 1-d sequence of at least 2 percentages; got {s.shape}.")
    if periods is not None:
        periods = check_int(periods, "periods", caller=caller, minimum=1, maximum=len(s) - 1)
        s = s[: periods + 1]
    if not np.all(np.isfinite(s)) or np.any((s < 0) | (s > 100)):
        raise ValueError(f"{caller}(): 'survival' must hold percentages in [0, 100]; got {s.tolist()}.")
    if np.any(np.diff(s) > 0):
        raise ValueError(f"{caller}(): 'survival' must never increase; got {s.tolist()}.")
    alive = np.round(n * s / 100.0).astype(np.int64)
    t = len(s) - 1
    return pd.DataFrame({
        "lifetime": np.r_[np.arange(1, t + 1), t].astype(np.int64),
        "churned": np.r_[np.ones(t, bool), False],
        "customers": np.r_[-np.diff(alive), alive[-1]].astype(np.int64),
    })


_TRUE = frozenset({"true", "t", "yes", "y", "1", "churned"})
_FALSE = frozenset({"false", "f", "no", "n", "0", "active"})


def _churned_flags(df: pd.DataFrame, col: str, caller: str) -> np.ndarray:
    """Read ``col`` as booleans: bool dtype, 0/1 numbers, or true/false/yes/no strings; refuse anything else."""
    values = df[col]
    if pd.api.types.is_bool_dtype(values):
        return values.to_numpy(dtype=bool)
    if pd.api.types.is_numeric_dtype(values):
        number = values.to_numpy(dtype=float)
        bad = (number != 0) & (number != 1)
        flags = number == 1
    else:
        text = values.astype(str).str.strip().str.lower()
        is_true, is_false = text.isin(_TRUE).to_numpy(), text.isin(_FALSE).to_numpy()
        bad = ~(is_true | is_false)
        flags = is_true
    if bad.any():
        raise ValueError(f"{caller}(): column '{col}' must hold True/False (or 1/0, 'yes'/'no'); "
                         f"{int(bad.sum())} row(s) do not ({_describe_rows(df, bad)}: {first_ids(values[bad])}).")
    return flags


def _validate_lifetimes(data: pd.DataFrame, caller: str, lifetime_col: str,
                        churned_col: str) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    df = check_frame(data, caller=caller, convert=True)
    check_columns(df, [lifetime_col, churned_col], caller=caller)
    check_numeric_columns(df, [lifetime_col], caller=caller)
    check_no_missing(df, [lifetime_col, churned_col], caller=caller, id_col="customer_id")
    t = df[lifetime_col].to_numpy(dtype=float)
    churned = _churned_flags(df, churned_col, caller)
    bad = (t != np.floor(t)) | (t < 0) | (churned & (t < 1)) | ~np.isfinite(t)
    if bad.any():
        raise ValueError(f"{caller}(): {int(bad.sum())} row(s) have an invalid '{lifetime_col}' "
                         f"({_describe_rows(df, bad)}); lifetimes are whole periods, >= 1 for churned customers.")
    return df, t, churned


def _periods(t: int | np.ndarray, name: str, caller: str, minimum: int) -> np.ndarray:
    """Return ``t`` as a float array of whole periods >= ``minimum``, refusing NaN, inf and fractions."""
    arr = np.asarray(t)
    if arr.dtype.kind not in "iuf" or arr.dtype.kind == "b":
        raise TypeError(f"{caller}(): '{name}' must be whole numbers of periods; got {t!r}.")
    arr = arr.astype(float)
    bad = ~np.isfinite(arr) | (arr < minimum) | (arr != np.floor(arr))
    if bad.any():
        raise ValueError(f"{caller}(): '{name}' must be whole numbers of periods >= {minimum}; got "
                         f"{first_ids(arr[bad].ravel())} (of {t!r}).")
    return arr


def _hyp2f1_one(b: np.ndarray | float, c: np.ndarray | float, z: float) -> np.ndarray:
    r"""Return :math:`{}_2F_1(1, b; c; z)` for ``0 <= z < 1`` and ``c > b > 0``, finite for any size of b, c.

    scipy's ``hyp2f1`` is used where it is finite; elsewhere (very large b, c) the series
    :math:`\sum_k \prod_{j<k} \frac{b+j}{c+j} z` is summed in blocks until its terms, each
    smaller than ``z`` times the one before, no longer matter.
    """
    b, c = np.broadcast_arrays(np.asarray(b, dtype=float), np.asarray(c, dtype=float))
    out = np.asarray(hyp2f1(1.0, b, c, z), dtype=float).copy()
    redo = ~np.isfinite(out) | (out < 1.0)
    if redo.any():
        bb, cc = b[redo][:, None], c[redo][:, None]
        total = np.zeros(len(bb))
        log_term = np.zeros(len(bb))  # log of the next term
        start = 0
        while True:  # loop over blocks of terms, not over customers
            k = np.arange(start, start + 4096, dtype=float)[None, :]
            logs = log_term[:, None] + np.cumsum(np.log((bb + k) / (cc + k) * z), axis=1)
            logs = np.concatenate([log_term[:, None], logs[:, :-1]], axis=1)
            terms = np.exp(logs)
            total += terms.sum(axis=1)
            log_term = logs[:, -1] + np.log((bb[:, 0] + k[0, -1]) / (cc[:, 0] + k[0, -1]) * z)
            start += 4096
            if np.all(np.exp(log_term) <= 1e-17 * total) or start > 10_000_000:
                break
        out[redo] = total
    return out


@dataclass
class _Cohort:
    t: np.ndarray
    churned: np.ndarray
    w: np.ndarray


class ShiftedBetaGeoModel(FitResultsMixin, BaseEstimator):
    r"""Shifted-beta-geometric model of contractual customer retention.

    Chapter 6. Each customer churns at every renewal with her own
    probability θ, and θ ~ Beta(α, β) across customers.

    Parameters
    ----------
    penalizer_coef : float, default=0.0
        L2 penalty on (α, β), subtracted from the total log-likelihood
        (lifetimes' convention is the mean per customer: its ``c`` is
        ``c * n_customers`` here).
    initial_params : dict, optional
        Starting values ``{"alpha", "beta"}`` (both, positive); default 1 and 1.

    Attributes
    ----------
    params_ : pandas.Series
        ``alpha``, ``beta``: mean churn probability α/(α+β); small α+β means
        customers differ a lot.
    log_likelihood_ : float
    standard_errors_ : pandas.Series
    covariance_ : pandas.DataFrame
    n_iter_ : int
    n_customers_ : float
        Customers (sum of the weights) in the fit.

    See Also
    --------
    survival_to_cohort, crmlab.clv.formulas.retention_clv

    Notes
    -----
    With lifetime :math:`T` (the period in which a customer leaves):

    .. math::

        P(T=t) = \frac{B(\alpha+1, \beta+t-1)}{B(\alpha,\beta)}, \qquad
        S(t) = \frac{B(\alpha, \beta+t)}{B(\alpha,\beta)}, \qquad
        r_t = \frac{\beta+t-1}{\alpha+\beta+t-1}.

    The retention rate :math:`r_t` rises with :math:`t`: the customers
    likely to leave leave first (sorting, not loyalty growth).

    References
    ----------
    Fader, P. S., & Hardie, B. G. S. (2007). How to project customer
    retention. *Journal of Interactive Marketing*, 21(1), 76–90.
    Fader, P. S., & Hardie, B. G. S. (2010). Customer-base valuation in a
    contractual setting: The perils of ignoring heterogeneity. *Marketing
    Science*, 29(1), 85–93.

    Examples
    --------
    >>> from crmlab.datasets import load_sbg_retention
    >>> cohort = survival_to_cohort(load_sbg_retention()["regular"], periods=7)
    >>> model = ShiftedBetaGeoModel().fit(cohort, weights="customers")
    >>> [round(v, 3) for v in model.params_], round(model.log_likelihood_, 1)
    ([0.704, 1.182], -1680.3)
    """

    _param_names = ("alpha", "beta")

    def __init__(self, penalizer_coef: float = 0.0, initial_params: dict[str, float] | None = None) -> None:
        self.penalizer_coef = penalizer_coef
        self.initial_params = initial_params

    @staticmethod
    def _loglik(alpha: np.ndarray, beta: np.ndarray, d: _Cohort) -> np.ndarray:
        lb = betaln(alpha, beta)
        died = betaln(alpha + 1.0, beta + d.t - 1.0) - lb
        alive = betaln(alpha, beta + d.t) - lb
        return np.where(d.churned, died, alive)

    def fit(self, data: pd.DataFrame, *, weights: str | np.ndarray | None = None, lifetime_col: str = "lifetime",
            churned_col: str = "churned") -> ShiftedBetaGeoModel:
        """Fit by maximum likelihood to observed lifetimes.

        Parameters
        ----------
        data : pandas.DataFrame
            One row per customer (or group): ``lifetime`` (whole periods) and
            ``churned`` (True if the customer left in period ``lifetime``,
            False if still active after ``lifetime`` periods).
        weights : str or array-like, optional
            Customers per row, e.g. ``"customers"`` from :func:`survival_to_cohort`.
        lifetime_col, churned_col : str
            Column names.

        Returns
        -------
        self

        Raises
        ------
        ValueError
            Missing columns, NaN, non-integer lifetimes, a churned lifetime < 1.
        """
        caller = "ShiftedBetaGeoModel.fit"
        self._penalizer(caller)
        self._initial_log_params(caller)
        df, t, churned = _validate_lifetimes(data, caller, lifetime_col, churned_col)
        w = resolve_weights(df, weights, len(t), caller=caller)
        d = _Cohort(t, churned, w)
        self._fit_params(self._loglik, d, w, np.zeros(2), caller=caller)
        self.n_customers_ = float(w.sum())
        return self

    def individual_log_likelihood(self, data: pd.DataFrame, *, lifetime_col: str = "lifetime",
                                  churned_col: str = "churned") -> pd.Series:
        """Return each row's log-likelihood at the fitted parameters (not multiplied by weights).

        Chapter 6.

        Parameters
        ----------
        data : pandas.DataFrame
            Columns ``lifetime`` and ``churned`` as in :meth:`fit`.
        lifetime_col, churned_col : str
            Column names.

        Returns
        -------
        pandas.Series
            ``log_likelihood``, with the index of ``data``.
        """
        a, b = self._ab()
        df, t, churned = _validate_lifetimes(data, "ShiftedBetaGeoModel.individual_log_likelihood", lifetime_col,
                                             churned_col)
        ll = self._loglik(np.array([[a]]), np.array([[b]]), _Cohort(t, churned, np.ones(len(t))))[0]
        return pd.Series(ll, index=df.index, name="log_likelihood")

    def _ab(self) -> tuple[float, float]:
        check_is_fitted(self, "params_")
        return float(self.params_["alpha"]), float(self.params_["beta"])

    def survival(self, t: int | np.ndarray) -> np.ndarray:
        """Return S(t), the share of a new cohort still active after ``t`` periods.

        Parameters
        ----------
        t : int or array-like of int
            Periods since acquisition (>= 0).

        Returns
        -------
        numpy.ndarray

        Raises
        ------
        ValueError
            If ``t`` holds a negative, fractional, NaN or infinite value.
        """
        a, b = self._ab()
        t = _periods(t, "t", "ShiftedBetaGeoModel.survival", minimum=0)
        return np.exp(betaln(a, b + t) - betaln(a, b))

    def retention_rate(self, t: int | np.ndarray) -> np.ndarray:
        """Return the retention rate r_t = S(t)/S(t-1) of period ``t`` (>= 1).

        Parameters
        ----------
        t : int or array-like of int
            Periods since acquisition (>= 1).

        Returns
        -------
        numpy.ndarray

        Raises
        ------
        ValueError
            If ``t`` holds a value below 1, a fraction, NaN or inf.
        """
        a, b = self._ab()
        t = _periods(t, "t", "ShiftedBetaGeoModel.retention_rate", minimum=1)
        return (b + t - 1.0) / (a + b + t - 1.0)

    def expected_lifetime(self) -> float:
        """Return the mean number of periods a new customer stays, (α+β−1)/(α−1), inf if α <= 1.

        Returns
        -------
        float
        """
        a, b = self._ab()
        return float((a + b - 1.0) / (a - 1.0)) if a > 1 else float("inf")

    def discounted_expected_lifetime(self, discount_rate: float) -> float:
        r"""Return DEL: expected discounted number of payments of a new customer.

        The first payment (at acquisition) is undiscounted, the payment in
        period t by :math:`(1+d)^{-(t-1)}`: :math:`\mathrm{DEL} = {}_2F_1(1, \beta; \alpha+\beta; 1/(1+d))`.

        Parameters
        ----------
        discount_rate : float
            Per period, > 0.

        Returns
        -------
        float
        """
        d = check_number(discount_rate, "discount_rate", caller="discounted_expected_lifetime", minimum=0.0,
                         strict_min=True)
        a, b = self._ab()
        return float(_hyp2f1_one(b, a + b, 1.0 / (1.0 + d)))

    def discounted_expected_residual_lifetime(self, periods_active: int | np.ndarray,
                                              discount_rate: float) -> np.ndarray:
        r"""Return DERL for a customer who has been active ``n`` periods (made n−1 renewals).

        Expected discounted number of her future payments, the one at the
        coming renewal undiscounted (Fader & Hardie 2010):

        .. math::

            \mathrm{DERL}(d \mid n) = \frac{B(\alpha, \beta+n)}{B(\alpha, \beta+n-1)}\,
                {}_2F_1\!\Big(1, \beta+n; \alpha+\beta+n; \frac{1}{1+d}\Big).

        Parameters
        ----------
        periods_active : int or array-like of int
            n >= 1.
        discount_rate : float
            Per period, > 0.

        Returns
        -------
        numpy.ndarray
            Multiply by the margin per period for the residual value.
        """
        caller = "discounted_expected_residual_lifetime"
        d = check_number(discount_rate, "discount_rate", caller=caller, minimum=0.0, strict_min=True)
        n = _periods(periods_active, "periods_active", caller, minimum=1)
        a, b = self._ab()
        return (b + n - 1.0) / (a + b + n - 1.0) * _hyp2f1_one(b + n, a + b + n, 1.0 / (1.0 + d))
