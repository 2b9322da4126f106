r"""Boundary fits: the BG/NBD whose dropout heterogeneity vanishes (a, b → ∞ with a/(a+b) fixed).

Chapter 10. When every customer has about the same dropout probability,
the BG/NBD likelihood keeps rising as a and b grow together: the beta
distribution shrinks to a point mass at p = a/(a+b). The maximum is then on
the edge of the parameter space, and the plain fit either stops with a
:class:`~crmlab.clv.FitError` or reports huge, meaningless a and b. The
limiting model has a common dropout probability p:

.. math::

    L = \frac{\Gamma(r+x)\alpha^r}{\Gamma(r)}\Big[\frac{(1-p)^x}{(\alpha+T)^{r+x}}
        + \delta_{x>0}\frac{p(1-p)^{x-1}}{(\alpha+t_x)^{r+x}}\Big],

and, for a customer alive at T, :math:`E[X(t)] = \big(1 - (\tfrac{\alpha+T}{\alpha+T+pt})^{r+x}\big)/p`
(a Poisson buyer with rate λ who leaves after each purchase with
probability p is alive at s with probability :math:`e^{-\lambda p s}`).
:func:`fit_bgnbd` fits both and returns the limit, with a warning naming it,
when the data put the maximum there.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy.special import expit, gammaln

from crmlab._validation import CrmlabWarning
from crmlab.clv._base import BTYDModel
from crmlab.clv._data import RFMData
from crmlab.clv._ml import FitError
from crmlab.clv._predict import PredictionMixin
from crmlab.clv.bgnbd import BetaGeoModel

__all__ = ["BetaGeoCommonDropoutModel", "fit_bgnbd"]


class BetaGeoCommonDropoutModel(PredictionMixin, BTYDModel):
    r"""BG/NBD in the limit a, b → ∞: gamma-mixed Poisson buying, one dropout probability p for all.

    Chapter 10. Parametrised by the dropout odds p/(1-p) so that the
    optimiser works on positive numbers; ``dropout_probability_`` gives p.

    Parameters
    ----------
    penalizer_coef : float, default=0.0
        L2 penalty on the parameters.
    initial_params : dict, optional
        Starting values ``{"r", "alpha", "odds"}``.

    Attributes
    ----------
    params_ : pandas.Series
        ``r``, ``alpha``, ``odds`` (p/(1-p)).
    dropout_probability_ : float
        p.
    log_likelihood_, standard_errors_, covariance_, n_customers_
        As for :class:`BetaGeoModel`.

    See Also
    --------
    fit_bgnbd, BetaGeoModel

    Notes
    -----
    See the module notes for the likelihood and the conditional expectation.

    References
    ----------
    Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005). "Counting your
    customers" the easy way. *Marketing Science*, 24(2), 275–284.

    Examples
    --------
    >>> from crmlab.clv import simulate_bgnbd
    >>> data = simulate_bgnbd(2000, r=0.5, alpha=4.0, a=200.0, b=800.0, T=40.0, random_state=0)  # p near 0.2 for all
    >>> model = BetaGeoCommonDropoutModel().fit(data[["frequency", "recency", "T"]])
    >>> round(model.dropout_probability_, 2), model.params_[["r", "alpha"]].round(1).tolist()
    (0.19, [0.5, 3.9])
    """

    _param_names = ("r", "alpha", "odds")

    @staticmethod
    def _loglik(r: np.ndarray, alpha: np.ndarray, odds: np.ndarray, d: RFMData) -> np.ndarray:
        lp = np.log(odds) - np.log1p(odds)  # log p
        lq = -np.log1p(odds)  # log (1 - p)
        x = d.x
        lead = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
        t1 = x * lq - (r + x) * np.log(alpha + d.T)
        pos = x > 0
        t2 = np.where(pos, lp + (np.where(pos, x, 1.0) - 1.0) * lq - (r + x) * np.log(alpha + d.tx), -np.inf)
        return lead + np.logaddexp(t1, t2)

    def _default_start(self, d: RFMData) -> np.ndarray:
        mean_t = float(np.average(d.T, weights=d.w)) or 1.0
        mean_x = float(np.average(d.x, weights=d.w))
        return np.log([1.0, max(mean_t / (mean_x + 1.0), 1e-3), 0.25])

    @property
    def dropout_probability_(self) -> float:
        """The common dropout probability p = odds / (1 + odds)."""
        odds = float(self.params_["odds"])
        return odds / (1.0 + odds)

    def _h_p_alive(self, p: tuple[float, ...], x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> np.ndarray:
        r, alpha, odds = p
        lo = np.log(odds) + (r + x) * (np.log(alpha + T) - np.log(alpha + tx))
        return np.where(x > 0, expit(-lo), 1.0)

    @staticmethod
    def _expected_alive(r: np.ndarray | float, alpha: np.ndarray | float, odds: float, t: np.ndarray | float,
                        ) -> np.ndarray:
        prob = odds / (1.0 + odds)
        return -np.expm1(-r * np.log1p(prob * t / alpha)) / prob

    def _h_cond_expected(self, p: tuple[float, ...], t: float, x: np.ndarray, tx: np.ndarray,
                         T: np.ndarray) -> np.ndarray:
        r, alpha, odds = p
        return self._h_p_alive(p, x, tx, T) * self._expected_alive(r + x, alpha + T, odds, t)

    def _h_new_expected(self, p: tuple[float, ...], t: np.ndarray) -> np.ndarray:
        r, alpha, odds = p
        return self._expected_alive(r, alpha, odds, t)


def fit_bgnbd(data: pd.DataFrame, *, penalizer_coef: float = 0.0,
              boundary_tol: float = 1e-3) -> BetaGeoModel | BetaGeoCommonDropoutModel:
    """Fit the BG/NBD; if its maximum lies at a, b → ∞, return the limiting model with a warning.

    Chapter 10.

    Parameters
    ----------
    data : pandas.DataFrame
        ``frequency``, ``recency``, ``T``.
    penalizer_coef : float, default=0.0
        Passed to both models.
    boundary_tol : float, default=1e-3
        The limit is returned when its log-likelihood is within this of the
        BG/NBD's (or above it), or when the BG/NBD fit fails.

    Returns
    -------
    BetaGeoModel or BetaGeoCommonDropoutModel
        The interior fit when the data identify a and b, otherwise the limit.

    Raises
    ------
    FitError
        If neither model can be fitted.

    Warns
    -----
    CrmlabWarning
        When the limiting model is returned; the message gives p and both log-likelihoods.

    Examples
    --------
    >>> from crmlab.clv import simulate_bgnbd
    >>> data = simulate_bgnbd(1000, r=0.5, alpha=4.0, a=0.8, b=2.5, T=40.0, random_state=0)
    >>> type(fit_bgnbd(data[["frequency", "recency", "T"]])).__name__  # a and b are identified here
    'BetaGeoModel'
    """
    inner, err = None, None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            inner = BetaGeoModel(penalizer_coef=penalizer_coef).fit(data)
        except FitError as exc:
            err = exc
    limit = BetaGeoCommonDropoutModel(penalizer_coef=penalizer_coef)
    try:
        limit.fit(data)
    except FitError:
        if inner is None:
            raise err from None
        limit = None
    if inner is not None and (limit is None or inner.log_likelihood_ > limit.log_likelihood_ + boundary_tol):
        for w in caught:
            warnings.warn(w.message, w.category, stacklevel=2)
        return inner
    ll_inner = "failed" if inner is None else f"{inner.log_likelihood_:.4f}"
    warnings.warn(
        f"fit_bgnbd(): the BG/NBD likelihood is maximised on the boundary a, b -> infinity with a/(a+b) fixed "
        f"(no heterogeneity in dropout). Returning the limiting model BetaGeoCommonDropoutModel with common dropout "
        f"probability p = {limit.dropout_probability_:.4f}; log-likelihood {limit.log_likelihood_:.4f} "
        f"(BG/NBD: {ll_inner}).",
        CrmlabWarning, stacklevel=2,
    )
    return limit
