"""The Gamma-Gamma model of spend per transaction.

Chapter 6. Spend per transaction varies around a customer's own mean; the
means vary across customers. Combined with a BTYD model's expected purchases
it gives a monetary customer lifetime value.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import digamma, gammaln
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from crmlab._validation import CrmlabWarning, check_columns, check_frame, check_no_missing, check_numeric_columns
from crmlab.clv._base import FitResultsMixin
from crmlab.clv._data import _describe_rows, resolve_weights

__all__ = ["GammaGammaModel"]


@dataclass
class _SpendData:
    x: np.ndarray
    z: np.ndarray
    w: np.ndarray


@dataclass
class _SpendSums:
    """What the Gamma-Gamma likelihood needs from the repeat buyers, computed once before the fit.

    The likelihood of a customer splits into a part depending on her frequency
    only (grouped by unique ``x``), a part linear in the parameters (sums of
    ``log z`` known before the fit) and one row-wise term, ``(px + q) log(γ + x z)``,
    which needs only ``u = x z`` per row, stored once per unique ``u``.
    """

    xu: np.ndarray  # unique frequencies
    wxu: np.ndarray  # customers per unique frequency
    u: np.ndarray  # unique values of x * z
    wu: np.ndarray  # (2, len(u)): Σ w and Σ w x over the rows with that u
    s_xlogz: float  # sum w x log z
    s_logz: float  # sum w log z
    n: float  # number of customers (sum of weights)


def _spend_sums(d: _SpendData) -> _SpendSums:
    """Reduce repeat buyers' (x, z, w) to what the likelihood needs (see :class:`_SpendSums`).

    The row-wise term ``w (px + q) log(γ + u)`` of all rows sharing one ``u = x z`` adds up to
    ``(p Σ w x + q Σ w) log(γ + u)``, so rows are grouped by ``u`` alone, with both sums kept,
    when that pays: if a spread sample of the rows shows few repeated ``u`` (continuous
    spend), the rows are kept as they are, which saves the hashing and its memory.
    """
    u = d.x * d.z
    sample = u[:: max(len(u) // 10_000, 1)]
    if len(np.unique(sample)) < 0.8 * len(sample):
        inv, uniq = pd.factorize(u)
        wu = np.vstack([np.bincount(inv, weights=d.w, minlength=len(uniq)),
                        np.bincount(inv, weights=d.w * d.x, minlength=len(uniq))])
        u = np.asarray(uniq, dtype=float)
        del inv
    else:
        wu = np.vstack([d.w, d.w * d.x])
    if d.x.max() <= 4 * len(d.x) + 1000:  # whole numbers >= 1 (validated): count them in a dense table
        wx_all = np.bincount(d.x.astype(np.int64), weights=d.w)
        xu = np.flatnonzero(wx_all > 0)
        wxu = wx_all[xu]
        xu = xu.astype(float)
    else:  # a few huge frequencies: group by sorting instead
        xu, xinv = np.unique(d.x, return_inverse=True)
        wxu = np.bincount(xinv, weights=d.w, minlength=len(xu))
    logz = np.log(d.z)
    logz *= d.w
    return _SpendSums(xu=xu, wxu=wxu, u=u, wu=wu, s_xlogz=float(logz @ d.x), s_logz=float(logz.sum()),
                      n=float(d.w.sum()))


def _mean_loglik(p: np.ndarray, q: np.ndarray, g: np.ndarray, s: _SpendSums) -> np.ndarray:
    """Mean log-likelihood per customer for each (p, q, γ) row of a ``(m, 1)`` batch; shape ``(m, 1)``.

    Total = Σ_x W_x [lnΓ(px+q) − lnΓ(px) − lnΓ(q) + px ln x] + qN ln γ + p Σ w x ln z − Σ w ln z
    − Σ_rows w (px + q) ln(γ + u).
    """
    px = p * s.xu
    by_x = (gammaln(px + q) - gammaln(px) - gammaln(q) + px * np.log(s.xu)) @ s.wxu
    lg = np.log(g + s.u)  # (m, rows)
    rows = p[:, 0] * (lg @ s.wu[1]) + q[:, 0] * (lg @ s.wu[0])
    total = by_x + s.n * q[:, 0] * np.log(g[:, 0]) + p[:, 0] * s.s_xlogz - s.s_logz - rows
    return (total / s.n)[:, None]


def _mean_loglik_grad(p: float, q: float, g: float, s: _SpendSums) -> tuple[np.ndarray, np.ndarray]:
    """Mean log-likelihood per customer and its gradient in (p, q, γ), in one pass over the rows."""
    px = p * s.xu
    lx = np.log(s.xu)
    ga, gb, gq = gammaln(px + q), gammaln(px), gammaln(q)
    da, db, dq = digamma(px + q), digamma(px), digamma(q)
    lg = np.log(g + s.u)
    inv = 1.0 / (g + s.u)
    sl = s.wu @ lg  # [Σ w ln(γ+u), Σ w x ln(γ+u)]
    si = s.wu @ inv  # [Σ w/(γ+u), Σ w x/(γ+u)]
    total = ((ga - gb - gq + px * lx) @ s.wxu + s.n * q * np.log(g) + p * s.s_xlogz - s.s_logz
             - p * sl[1] - q * sl[0])
    grad = np.array([
        (s.xu * (da - db + lx)) @ s.wxu + s.s_xlogz - sl[1],
        (da - dq) @ s.wxu + s.n * np.log(g) - sl[0],
        s.n * q / g - p * si[1] - q * si[0],
    ])
    return np.array([total / s.n]), (grad / s.n)[:, None]


def _validate_spend(data: pd.DataFrame, caller: str, frequency_col: str,
                    monetary_col: str) -> tuple[pd.Index, np.ndarray, np.ndarray, np.ndarray]:
    df = check_frame(data, caller=caller, convert=True)
    cols = [frequency_col, monetary_col]
    check_columns(df, cols, caller=caller)
    check_numeric_columns(df, cols, caller=caller)
    check_no_missing(df, cols, caller=caller, id_col="customer_id")
    x = df[frequency_col].to_numpy(dtype=float)
    z = df[monetary_col].to_numpy(dtype=float)
    checks = [
        (~np.isfinite(x) | ~np.isfinite(z), "an infinite value", "replace it by a finite number"),
        ((x < 0) | (x != np.floor(x)), f"a negative or fractional '{frequency_col}'",
         "frequency counts repeat purchases"),
        ((x > 0) & (z <= 0), f"'{frequency_col}' > 0 but a zero or negative '{monetary_col}'",
         "the Gamma-Gamma model needs positive spend; remove refunds or zero-value orders first"),
    ]
    for mask, what, fix in checks:
        if mask.any():
            raise ValueError(f"{caller}(): {int(mask.sum())} row(s) of 'data' have {what} "
                             f"({_describe_rows(df, mask)}); {fix}.")
    index = df.index  # results align with the input rows
    return index, x, z, df


class GammaGammaModel(FitResultsMixin, BaseEstimator):
    r"""Gamma-Gamma model of average spend per transaction.

    Chapter 6. Each transaction of a customer is Gamma(p, ν); her scale ν is
    Gamma(q, γ) across customers, so her mean spend is p/ν and the population
    mean spend is pγ/(q − 1).

    Parameters
    ----------
    penalizer_coef : float, default=0.0
        L2 penalty on the parameters, subtracted from the total log-likelihood
        (lifetimes subtracts it from the mean per customer: its ``c`` is
        ``c * n_customers`` here).
    initial_params : dict, optional
        Starting values ``{"p", "q", "gamma"}`` (all three, positive).

    Attributes
    ----------
    params_ : pandas.Series
        ``p`` (shape of spend within a customer), ``q``, ``gamma`` (shape and
        scale of the heterogeneity across customers). Spend is defined only
        for q > 1; a fit with q <= 1 warns, and the predictions refuse.
    log_likelihood_ : float
    standard_errors_ : pandas.Series
    covariance_ : pandas.DataFrame
    n_iter_ : int
    n_customers_ : float
        Number of customers with at least one repeat purchase used in the fit.

    See Also
    --------
    BetaGeoModel.customer_lifetime_value

    Notes
    -----
    For a customer with ``x`` repeat transactions of average value
    :math:`\bar z`:

    .. math::

        f(\bar z \mid x) = \frac{\Gamma(px+q)}{\Gamma(px)\Gamma(q)}
            \frac{\gamma^q\, x^{px}\, \bar z^{px-1}}{(\gamma + x\bar z)^{px+q}},
        \qquad
        E[Z \mid x, \bar z] = \frac{q-1}{px+q-1}\frac{p\gamma}{q-1} + \frac{px}{px+q-1}\bar z .

    The expected spend shrinks a customer's own average towards the
    population mean, more strongly the fewer purchases she made. Only rows
    with ``frequency > 0`` carry spend information; rows with frequency 0
    are left out of the fit (and get the population mean as prediction). The
    model assumes spend is independent of purchase frequency: check the
    correlation before using it.

    References
    ----------
    Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005). RFM and CLV: Using
    iso-value curves for customer base analysis. *Journal of Marketing Research*,
    42(4), 415–430. Colombo, R., & Jiang, W. (1999). A stochastic RFM model.
    *Journal of Interactive Marketing*, 13(3), 2–12.

    Examples
    --------
    >>> from crmlab.datasets import load_cdnow_summary
    >>> gg = GammaGammaModel().fit(load_cdnow_summary())
    >>> [round(v, 2) for v in gg.params_]
    [6.25, 3.74, 15.45]
    """

    _param_names = ("p", "q", "gamma")

    def __init__(self, penalizer_coef: float = 0.0, initial_params: dict[str, float] | None = None) -> None:
        self.penalizer_coef = penalizer_coef
        self.initial_params = initial_params

    @staticmethod
    def _loglik(p: np.ndarray, q: np.ndarray, g: np.ndarray, d: _SpendData) -> np.ndarray:
        px = p * d.x
        return (gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(g) + px * np.log(d.x)
                + (px - 1.0) * np.log(d.z) - (px + q) * np.log(g + d.x * d.z))

    def fit(self, data: pd.DataFrame, *, weights: str | np.ndarray | None = None,
            frequency_col: str = "frequency", monetary_value_col: str = "monetary_value") -> GammaGammaModel:
        """Fit by maximum likelihood to the customers with repeat purchases.

        Parameters
        ----------
        data : pandas.DataFrame
            Columns ``frequency`` and ``monetary_value`` (mean value of the
            repeat purchases), e.g. :func:`crmlab.rfm.rfm_summary` output.
        weights : str or array-like, optional
            Customers per row.
        frequency_col, monetary_value_col : str
            Column names.

        Returns
        -------
        self

        Raises
        ------
        ValueError
            Missing columns, NaN, or zero/negative spend for a repeat buyer
            (naming the rows); no repeat buyers at all.
        FitError
            If the likelihood cannot be maximised.
        """
        caller = "GammaGammaModel.fit"
        self._penalizer(caller)
        self._initial_log_params(caller)
        _, x, z, df = _validate_spend(data, caller, frequency_col, monetary_value_col)
        w = resolve_weights(df, weights, len(x), caller=caller)
        keep = (x > 0) & (w > 0)
        if not keep.any():
            raise ValueError(f"{caller}(): no row has '{frequency_col}' > 0; the model needs repeat buyers.")
        d = _SpendData(x[keep], z[keep], w[keep])
        del x, z, w, keep
        start = np.log([1.0, 2.0, float(np.average(d.z, weights=d.w))])
        sums = _spend_sums(d)
        del d
        # the optimiser sees one aggregate row standing for all customers: its value is the mean
        # log-likelihood per customer and its weight the number of customers, so the totals are unchanged
        self._fit_params(_mean_loglik, sums, np.array([sums.n]), start, caller=caller,
                         loglik_grad=_mean_loglik_grad)
        self.n_customers_ = sums.n
        if self.params_["q"] <= 1.0:
            warnings.warn(f"{caller}(): the fitted q={self.params_['q']:.4g} is <= 1, so mean spend across customers "
                          "is infinite and expected spend is undefined (expected_spend and population_mean_spend "
                          "will refuse). Look for extreme 'monetary_value' outliers, or pass penalizer_coef.",
                          CrmlabWarning, stacklevel=2)
        return self

    def individual_log_likelihood(self, data: pd.DataFrame, *, frequency_col: str = "frequency",
                                  monetary_value_col: str = "monetary_value") -> pd.Series:
        """Return each customer's log-likelihood of her mean spend at the fitted parameters.

        Chapter 6. NaN for customers without repeat purchases (they carry no
        spend information); the sum of the rest over the training data is
        ``log_likelihood_``.

        Parameters
        ----------
        data : pandas.DataFrame
            Columns ``frequency`` and ``monetary_value``.
        frequency_col, monetary_value_col : str
            Column names.

        Returns
        -------
        pandas.Series
            ``log_likelihood``, with the index of ``data``.
        """
        check_is_fitted(self, "params_")
        index, x, z, _ = _validate_spend(data, "GammaGammaModel.individual_log_likelihood", frequency_col,
                                         monetary_value_col)
        pos = x > 0
        out = np.full(len(x), np.nan)
        d = _SpendData(x[pos], z[pos], np.ones(int(pos.sum())))
        out[pos] = self._loglik(*[np.array([[v]]) for v in self.params_.to_numpy()], d)[0]
        return pd.Series(out, index=index, name="log_likelihood")

    def _defined_params(self, caller: str) -> tuple[float, float, float]:
        """Fitted (p, q, gamma), refusing q <= 1 (the mean spend across customers is then infinite)."""
        check_is_fitted(self, "params_")
        p, q, g = (float(v) for v in self.params_.to_numpy())
        if not q > 1.0:
            raise ValueError(f"{caller}(): spend is undefined for q <= 1 (the mean of the spend distribution "
                             f"across customers is infinite); the fitted q is {q:.4g}. Check 'monetary_value' for "
                             "extreme outliers, or refit with penalizer_coef.")
        return p, q, g

    def population_mean_spend(self) -> float:
        """Return the mean spend per transaction across customers, pγ/(q − 1).

        Returns
        -------
        float

        Raises
        ------
        ValueError
            If the fitted q is <= 1: the mean is then infinite.
        """
        p, q, g = self._defined_params("GammaGammaModel.population_mean_spend")
        return float(p * g / (q - 1.0))

    def expected_spend(self, data: pd.DataFrame, *, frequency_col: str = "frequency",
                       monetary_value_col: str = "monetary_value") -> pd.Series:
        """Return each customer's expected spend per future transaction.

        Parameters
        ----------
        data : pandas.DataFrame
            Columns ``frequency`` and ``monetary_value``.
        frequency_col, monetary_value_col : str
            Column names.

        Returns
        -------
        pandas.Series
            ``expected_spend``: the population mean for customers without
            repeat purchases, a shrunk personal mean otherwise.

        Raises
        ------
        ValueError
            If the fitted q is <= 1 (spend is then undefined), or for invalid data.
        """
        caller = "GammaGammaModel.expected_spend"
        p, q, g = self._defined_params(caller)
        index, x, z, _ = _validate_spend(data, caller, frequency_col, monetary_value_col)
        zz = np.where(x > 0, z, 0.0)
        out = (p * (g + x * zz)) / (p * x + q - 1.0)
        return pd.Series(out, index=index, name="expected_spend")
