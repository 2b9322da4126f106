"""The MBG/NBD model: BG/NBD with a dropout opportunity at time zero.

Chapter 6. In the BG/NBD a customer with no repeat purchase is always alive;
the modified model lets her drop out right after the first purchase too.
"""

from __future__ import annotations

import numpy as np
from scipy.special import betaln, expit, gammaln

from crmlab.clv._base import BTYDModel
from crmlab.clv._data import RFMData
from crmlab.clv._predict import PredictionMixin
from crmlab.clv.bgnbd import _close_start, bg_expected_new, bg_new_pmf

__all__ = ["ModifiedBetaGeoModel"]


class ModifiedBetaGeoModel(PredictionMixin, BTYDModel):
    r"""MBG/NBD model (Batislam, Denizel & Filiztekin 2007).

    Chapter 6. Same data and methods as :class:`BetaGeoModel`.

    Parameters
    ----------
    penalizer_coef : float, default=0.0
        L2 penalty on the parameters.
    initial_params : dict, optional
        Starting values ``{"r", "alpha", "a", "b"}``.

    Attributes
    ----------
    params_ : pandas.Series
        ``r``, ``alpha``, ``a``, ``b`` as in the BG/NBD.
    log_likelihood_, standard_errors_, covariance_, n_customers_
        As for :class:`BetaGeoModel`.

    See Also
    --------
    BetaGeoModel

    Notes
    -----
    .. math::

        L = \frac{\Gamma(r+x)\alpha^r}{\Gamma(r)}\Big[
            \frac{B(a, b+x+1)}{B(a,b)}\frac{1}{(\alpha+T)^{r+x}}
          + \frac{B(a+1, b+x)}{B(a,b)}\frac{1}{(\alpha+t_x)^{r+x}}\Big],
        \quad
        P(\text{alive}) = \Big[1 + \frac{a}{b+x}\Big(\frac{\alpha+T}{\alpha+t_x}\Big)^{r+x}\Big]^{-1}.

    A customer alive at T behaves like a new BG/NBD customer with parameters
    (r+x, α+T, a, b+x+1), which gives the conditional expectation and
    probabilities in overflow-free form.

    References
    ----------
    Batislam, E. P., Denizel, M., & Filiztekin, A. (2007). Empirical validation
    and comparison of models for customer base analysis. *International
    Journal of Research in Marketing*, 24(3), 201–209.

    Examples
    --------
    >>> from crmlab.datasets import load_cdnow_summary
    >>> m = ModifiedBetaGeoModel().fit(load_cdnow_summary())
    >>> round(m.log_likelihood_) < -9500
    True
    """

    _param_names = ("r", "alpha", "a", "b")

    @staticmethod
    def _loglik(r: np.ndarray, alpha: np.ndarray, a: np.ndarray, b: np.ndarray, d: RFMData) -> np.ndarray:
        xu = d.xu
        lead = gammaln(r + xu) - gammaln(r) + r * np.log(alpha) - betaln(a, b)
        t1 = lead + betaln(a, b + xu + 1.0)
        t2 = lead + betaln(a + 1.0, b + xu)
        rx = r + d.x
        return np.logaddexp(t1[:, d.x_inv] - rx * np.log(alpha + d.T), t2[:, d.x_inv] - rx * np.log(alpha + d.tx))

    def _default_start(self, d: RFMData) -> np.ndarray:
        mean_t = float(np.average(d.T, weights=d.w)) or 1.0
        mean_x = float(np.average(d.x, weights=d.w))
        x0 = np.log([1.0, max(mean_t / (mean_x + 1.0), 1e-3), 1.0, 1.0])
        return _close_start(self, d, x0)

    def _h_p_alive(self, p: tuple[float, ...], x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> np.ndarray:
        r, alpha, a, b = p
        lo = np.log(a) - np.log(b + x) + (r + x) * (np.log(alpha + T) - np.log(alpha + tx))
        return expit(-lo)

    def _h_cond_expected(self, p: tuple[float, ...], t: float, x: np.ndarray, tx: np.ndarray,
                         T: np.ndarray) -> np.ndarray:
        r, alpha, a, b = p
        return self._h_p_alive(p, x, tx, T) * bg_expected_new(r, alpha, a, b + 1.0, t, x=x, T=T)

    def _h_new_expected(self, p: tuple[float, ...], t: np.ndarray) -> np.ndarray:
        r, alpha, a, b = p
        return b / (a + b) * bg_expected_new(r, alpha, a, b + 1.0, t)

    def _h_new_pmf(self, p: tuple[float, ...], k: np.ndarray, t: float) -> np.ndarray:
        r, alpha, a, b = p
        return a / (a + b) * (k == 0) + b / (a + b) * bg_new_pmf(r, alpha, a, b + 1.0, k, t)

    def _h_cond_pmf(self, p: tuple[float, ...], k: int, t: float, x: np.ndarray, tx: np.ndarray,
                    T: np.ndarray) -> np.ndarray:
        r, alpha, a, b = p
        pa = self._h_p_alive(p, x, tx, T)
        alive = bg_new_pmf(r + x, alpha + T, a, b + x + 1.0, np.full_like(x, float(k)), t)
        return pa * alive + (1.0 - pa) * (k == 0)
