"""The BG/BB model: discrete-time, non-contractual (e.g. yearly donations, event attendance).

Chapter 6. In each period an alive customer transacts with probability
p ~ Beta(α, β); before each period she may become inactive with probability
θ ~ Beta(γ, δ).
"""

from __future__ import annotations

import numpy as np
from scipy.special import betaln, digamma, gammaln

from crmlab.clv._base import BTYDModel
from crmlab.clv._data import RFMData
from crmlab.clv._predict import PredictionMixin

__all__ = ["BetaGeoBetaBinomModel"]

#: Most transaction opportunities (periods) BG/BB handles, in the data (``n``) and in a
#: prediction horizon: its likelihood and forecasts sum over every period, and a model of
#: discrete opportunities with more periods than this is better fitted in continuous time.
MAX_PERIODS = 1_000


def _check_periods(n: np.ndarray | float, name: str, caller: str) -> None:
    """Refuse more than :data:`MAX_PERIODS` opportunities, saying what to do instead."""
    top = float(np.max(n)) if np.size(n) else 0.0
    if top > MAX_PERIODS:
        raise ValueError(f"{caller}(): '{name}' reaches {top:g} transaction opportunities; BG/BB sums over every "
                         f"period and is limited to {MAX_PERIODS:,}. Aggregate the periods (e.g. weeks instead of "
                         "days) or use BetaGeoModel, the continuous-time model.")


def _whole_horizon(t: float, caller: str) -> None:
    """Refuse a fractional or too long horizon: BG/BB forecasts whole future opportunities."""
    if t != np.floor(t):
        raise ValueError(f"{caller}(): 't' must be a whole number of future opportunities for BG/BB; got {t:g}.")
    _check_periods(t, "t", caller)


def _log_gamma_ratio_gap(g: float, dl: np.ndarray, n: np.ndarray, t: np.ndarray | float) -> np.ndarray:
    r"""Return the log of a difference of two gamma-function ratios over γ − 1, stably for any γ > 0.

    That is the log of :math:`\frac{\Gamma(\gamma+\delta)}{\Gamma(1+\delta)(\gamma-1)}
    \big[\frac{\Gamma(1+\delta+n)}{\Gamma(\gamma+\delta+n)}
    - \frac{\Gamma(1+\delta+n+t)}{\Gamma(\gamma+\delta+n+t)}\big]` (positive for t > 0).
    The two ratios are nearly equal when γ is large (their difference is computed as
    ``-expm1`` of the log gap), the ``1/(γ-1)`` factor has the digamma limit at γ = 1, and
    the result stays in log space so that huge and tiny factors of a forecast cancel there.
    """
    lead = gammaln(g + dl) - gammaln(1.0 + dl)
    log_now = lead + gammaln(1.0 + dl + n) - gammaln(g + dl + n)
    gap = (gammaln(1.0 + dl + n + t) - gammaln(g + dl + n + t)) - (gammaln(1.0 + dl + n) - gammaln(g + dl + n))
    if abs(g - 1.0) < 1e-7:  # limit g -> 1: -expm1(gap)/(g-1) -> digamma difference
        return log_now + np.log(digamma(1.0 + dl + n + t) - digamma(1.0 + dl + n))
    return log_now + np.log(-np.expm1(gap) / (g - 1.0))


def _logl_rows(alpha: np.ndarray, beta: np.ndarray, gamma: np.ndarray, delta: np.ndarray, x: np.ndarray,
               tx: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (log L, log of the 'alive through n' term) per row.

    The sum over the periods i < n - t_x after the last transaction is taken in blocks of
    periods (a log-sum-exp over a periods axis), not one period at a time.
    """
    lab = betaln(alpha, beta)
    lgd = betaln(gamma, delta)
    alive = betaln(alpha + x, beta + n - x) - lab + betaln(gamma, delta + n) - lgd
    total = alive
    silent = n - tx  # periods after the last transaction
    span = int(np.max(silent)) if np.size(n) else 0
    if span == 0:
        return total, alive
    a, b, g, d, c = (np.asarray(v, dtype=float)[..., None] for v in (alpha, beta, gamma, delta, lab + lgd))
    xx, txx, left = x[:, None], tx[:, None], silent[:, None]
    block = int(max(1, min(span, 2_000_000 // max(np.size(alive), 1))))
    for start in range(0, span, block):  # loop over blocks of periods, not over customers
        i = np.arange(start, min(start + block, span), dtype=float)
        term = betaln(a + xx, b + txx - xx + i) + betaln(g + 1.0, d + txx + i) - c
        term = np.where(i < left, term, -np.inf)
        top = np.max(term, axis=-1)
        safe = np.where(np.isfinite(top), top, 0.0)
        with np.errstate(divide="ignore"):
            block_sum = safe + np.log(np.sum(np.exp(term - safe[..., None]), axis=-1))
        total = np.logaddexp(total, block_sum)
    return total, alive


def _future_pmf(a: np.ndarray | float, b: np.ndarray | float, g: float, dl: np.ndarray | float,
                k: np.ndarray | int, n_star: int, *, alive_now: bool) -> np.ndarray:
    """P(k transactions in the next ``n_star`` periods) with p ~ Beta(a, b), θ ~ Beta(g, dl).

    The customer is alive in L of the periods (beta-geometric; with ``alive_now`` the
    first period is certain) and transacts in each with probability p (beta-binomial).
    """
    k = np.asarray(k, dtype=float)
    lb, lg = betaln(a, b), betaln(g, dl)
    first = 1 if alive_now else 0
    total = np.zeros(np.broadcast(k, a, b, dl).shape)
    for length in range(first, n_star + 1):  # loop over periods alive, not over customers
        if length < n_star:
            lp = betaln(g + 1.0, dl + length - first) - lg
        else:
            lp = betaln(g, dl + length - first) - lg
        ok = k <= length
        kk = np.where(ok, k, 0.0)
        lbb = (gammaln(length + 1.0) - gammaln(kk + 1.0) - gammaln(length - kk + 1.0)
               + betaln(a + kk, b + length - kk) - lb)
        total = total + np.where(ok, np.exp(lp + lbb), 0.0)
    return total


class BetaGeoBetaBinomModel(PredictionMixin, BTYDModel):
    r"""BG/BB model of repeat transactions in discrete time.

    Chapter 6. For settings with fixed transaction opportunities: one donation
    per year, one visit per event, one purchase per catalogue.

    Parameters
    ----------
    penalizer_coef : float, default=0.0
        L2 penalty on the parameters.
    initial_params : dict, optional
        Starting values ``{"alpha", "beta", "gamma", "delta"}``.

    Attributes
    ----------
    params_ : pandas.Series
        ``alpha``, ``beta`` (transaction probability while alive, mean
        α/(α+β)); ``gamma``, ``delta`` (dropout probability per period, mean
        γ/(γ+δ)).
    log_likelihood_, standard_errors_, covariance_, n_customers_
        As for :class:`BetaGeoModel`.

    See Also
    --------
    BetaGeoModel

    Notes
    -----
    Data: ``frequency`` x (periods with a transaction), ``recency`` t_x (the
    last such period, 0 if none) and ``T`` = n (opportunities observed). With
    :math:`B` the beta function,

    .. math::

        L = \frac{B(\alpha+x, \beta+n-x)}{B(\alpha,\beta)} \frac{B(\gamma, \delta+n)}{B(\gamma,\delta)}
          + \sum_{i=0}^{n-t_x-1} \frac{B(\alpha+x, \beta+t_x-x+i)}{B(\alpha,\beta)}
            \frac{B(\gamma+1, \delta+t_x+i)}{B(\gamma,\delta)} .

    Prediction horizons ``t`` count future opportunities (whole numbers). For the
    donations table pass ``fit(data, weights="weights", T_col="periods")``. The
    likelihood sums over every period after the last transaction, so ``T`` and the
    horizons of the probability forecasts are limited to :data:`MAX_PERIODS` (1,000)
    opportunities: aggregate finer periods, or use :class:`BetaGeoModel`.

    References
    ----------
    Fader, P. S., Hardie, B. G. S., & Shang, J. (2010). Customer-base analysis
    in a discrete-time noncontractual setting. *Marketing Science*, 29(6),
    1086–1108.

    Examples
    --------
    >>> from crmlab.datasets import load_donations
    >>> d = load_donations()
    >>> m = BetaGeoBetaBinomModel().fit(d, weights="weights", T_col="periods")
    >>> [round(v, 3) for v in m.params_], round(m.log_likelihood_, 1)
    ([1.204, 0.75, 0.657, 2.783], -33225.6)
    """

    _param_names = ("alpha", "beta", "gamma", "delta")
    _integer_times = True

    @staticmethod
    def _loglik(alpha: np.ndarray, beta: np.ndarray, gamma: np.ndarray, delta: np.ndarray,
                d: RFMData) -> np.ndarray:
        return _logl_rows(alpha, beta, gamma, delta, d.x, d.tx, d.T)[0]

    def _default_start(self, d: RFMData) -> np.ndarray:
        return np.zeros(4)

    def _h_p_alive(self, p: tuple[float, ...], x: np.ndarray, tx: np.ndarray, n: np.ndarray) -> np.ndarray:
        a, b, g, dl = p
        logl, _ = _logl_rows(a, b, g, dl, x, tx, n)
        alive_next = betaln(a + x, b + n - x) - betaln(a, b) + betaln(g, dl + n + 1.0) - betaln(g, dl)
        return np.exp(alive_next - logl)

    def _h_cond_expected(self, p: tuple[float, ...], t: float, x: np.ndarray, tx: np.ndarray,
                         n: np.ndarray) -> np.ndarray:
        a, b, g, dl = p
        logl, _ = _logl_rows(a, b, g, dl, x, tx, n)
        lead = betaln(a + x + 1.0, b + n - x) - betaln(a, b) - logl
        # Fader, Hardie & Shang (2010), eq. (13), summed in log space
        return np.exp(lead + np.log(dl) + _log_gamma_ratio_gap(g, dl, n, t))

    def _h_cond_pmf(self, p: tuple[float, ...], k: int, t: float, x: np.ndarray, tx: np.ndarray,
                    n: np.ndarray) -> np.ndarray:
        _whole_horizon(t, "BetaGeoBetaBinomModel.probability_of_purchases")
        a, b, g, dl = p
        pa = self._h_p_alive(p, x, tx, n)
        alive = _future_pmf(a + x, b + n - x, g, dl + n + 1.0, k, int(round(t)), alive_now=True)
        return pa * alive + (1.0 - pa) * (k == 0)

    def _h_new_pmf(self, p: tuple[float, ...], k: np.ndarray, t: float) -> np.ndarray:
        _whole_horizon(t, "BetaGeoBetaBinomModel.probability_of_purchases_new_customer")
        a, b, g, dl = p
        return _future_pmf(a, b, g, dl, k, int(round(t)), alive_now=False)

    def _h_new_expected(self, p: tuple[float, ...], t: np.ndarray) -> np.ndarray:
        a, b, g, dl = p
        # eq. (8) of Fader, Hardie & Shang (2010): the n = 0 case of the gap above
        return a / (a + b) * dl * np.exp(_log_gamma_ratio_gap(g, dl, np.zeros_like(t), t))

    def _check_rows(self, x: np.ndarray, tx: np.ndarray, T: np.ndarray, caller: str) -> None:
        _check_periods(T, "T", caller)
