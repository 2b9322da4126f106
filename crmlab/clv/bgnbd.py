"""The BG/NBD model ("counting your customers the easy way").

Chapter 6. Non-contractual, continuous time: while alive a customer buys as a
Poisson process with rate λ ~ Gamma(r, α); after every purchase she drops out
with probability p ~ Beta(a, b).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.special import betaln, digamma, expit, gammaln, hyp2f1
from scipy.stats import nbinom

from crmlab.clv._base import BTYDModel
from crmlab.clv._data import RFMData
from crmlab.clv._ml import beta_nodes, start_from_subsample, subsample_rows
from crmlab.clv._predict import PredictionMixin

__all__ = ["BetaGeoModel"]


def _safe_a(a: np.ndarray | float) -> np.ndarray:
    """Nudge a == 1 (a removable singularity of the closed forms) by 1e-9."""
    a = np.asarray(a, dtype=float)
    return np.where(np.abs(a - 1.0) < 1e-9, 1.0 + 1e-9, a)


def bg_expected_new(r: float, alpha: float, a: float, b: np.ndarray | float, t: np.ndarray | float,
                    x: np.ndarray | float = 0.0, T: np.ndarray | float = 0.0) -> np.ndarray:
    """E[X(t)] of a BG/NBD customer alive after x purchases by age T (posterior r+x, α+T, a, b+x).

    Uses Euler's transformation so the Gauss function's parameters do not grow
    with ``x``: ``(1-z)^{r+x} 2F1(r+x, b+x; a+b+x-1; z) = (1-z)^{a-1} 2F1(a+b-1-r, a-1; a+b+x-1; z)``.
    Where scipy's ``hyp2f1`` still fails (very large parameters with z near 1)
    the expectation is integrated numerically over the dropout probability.
    """
    a = _safe_a(a)
    z = t / (alpha + T + t)
    c = a + b + x - 1.0
    f = hyp2f1(a + b - 1.0 - r, a - 1.0, c, z)
    out = c / (a - 1.0) * (1.0 - np.exp((a - 1.0) * np.log1p(-z)) * f)
    bad = ~np.isfinite(out) | (out < 0)
    if np.any(bad):
        shape = np.broadcast(out, r, alpha, b, t, x, T).shape
        out = np.broadcast_to(out, shape).copy()
        bad = np.broadcast_to(bad, shape)
        rr, aa, bb, tt = (np.broadcast_to(np.asarray(v, dtype=float), shape)[bad]
                          for v in (np.asarray(r) + x, np.asarray(alpha) + T, np.asarray(b) + x, t))
        out[bad] = _expected_by_quadrature(rr, aa, float(np.asarray(a).ravel()[0]), bb, tt)
    return out


def _expected_by_quadrature(r: np.ndarray, alpha: np.ndarray, a: float, b: np.ndarray, t: np.ndarray,
                            n_nodes: int = 64) -> np.ndarray:
    """E_p[(1 - (1 + p t/α)^{-r}) / p] for p ~ Beta(a, b), by Gauss-Jacobi quadrature per distinct b."""
    out = np.empty(len(r))
    for bv in np.unique(b):  # loop over distinct b (frequencies), only for the rare hyp2f1 failures
        idx = np.flatnonzero(b == bv)
        p, w = beta_nodes(n_nodes, a, bv)
        rate = t[idx, None] / alpha[idx, None]
        vals = -np.expm1(-r[idx, None] * np.log1p(p[None, :] * rate)) / p[None, :]
        out[idx] = vals @ w
    return out


def bg_new_pmf(r: float, alpha: float, a: float, b: np.ndarray | float, k: np.ndarray, t: float) -> np.ndarray:
    """P(X(t) = k) for a new BG/NBD customer (Fader, Hardie & Lee 2005, eq. 8)."""
    prob = alpha / (alpha + t)
    lb = betaln(a, b)
    first = betaln(a, b + k) - lb + nbinom.logpmf(k, r, prob)
    kk = np.where(k > 0, k, 1.0)
    second = np.where(k > 0, betaln(a + 1.0, b + kk - 1.0) - lb + nbinom.logsf(kk - 1.0, r, prob), -np.inf)
    return np.exp(np.logaddexp(first, second))


_BLOCK = 1 << 15  # rows per block in the one-pass likelihood and gradient


def _log_and_inverse(alpha: float, t: np.ndarray, values: np.ndarray,
                     inverse: np.ndarray) -> Callable[[slice], tuple[np.ndarray, np.ndarray]]:
    """Return ``rows -> (log(α + t), 1/(α + t))`` on a block of rows.

    When the unique ``values`` of ``t`` compress it (at most half as many), both are computed once on
    them, for all blocks, and each block only gathers its rows; otherwise each block computes its own.
    """
    if 2 * len(values) <= len(t):
        s = alpha + values
        log_s, inv_s = np.log(s), 1.0 / s
        return lambda rows: (log_s[inverse[rows]], inv_s[inverse[rows]])

    def block(rows: slice) -> tuple[np.ndarray, np.ndarray]:
        s = alpha + t[rows]
        return np.log(s), 1.0 / s

    return block


def _close_start(model: BTYDModel, d: RFMData, x0: np.ndarray) -> np.ndarray:
    """``x0``, or on data with many unique rows the estimate from a stratified subsample of them.

    The subsample takes every k-th unique row in order of frequency (rows of one
    frequency in their data order), so every frequency keeps its share. Its curvature is kept with the data
    (``d._cache["close_start"]``), where :func:`crmlab.clv._ml.maximize_likelihood`
    finds it to scale its first steps.
    """
    idx = subsample_rows(len(d.x))
    if idx is None:
        return x0
    codes = d.x_inv.astype(np.int16) if len(d.xu) < 2**15 else d.x_inv  # radix sort for small codes
    pick = np.argsort(codes, kind="stable")[idx]
    sub = RFMData(d.x[pick], d.tx[pick], d.T[pick], d.w[pick], float(d.w[pick].sum()))
    z, hessian = start_from_subsample(model._loglik, sub, sub.w, x0, names=model._param_names,
                                      loglik_grad=getattr(model, "_loglik_grad", None))
    if hessian is not None:
        d._cache["close_start"] = (z, hessian)
    return z


class BetaGeoModel(PredictionMixin, BTYDModel):
    r"""BG/NBD model of repeat purchasing (beta-geometric / negative binomial distribution).

    Chapter 6. Use it for non-contractual settings (retail, e-commerce) where we
    see purchases but never see a customer leave.

    Parameters
    ----------
    penalizer_coef : float, default=0.0
        L2 penalty on the parameters (``coef * sum(params**2)``); a small value
        such as 0.001 stabilises fits on tiny or degenerate samples.
    initial_params : dict, optional
        Starting values ``{"r", "alpha", "a", "b"}``; default a data-based guess.

    Attributes
    ----------
    params_ : pandas.Series
        ``r``, ``alpha`` (shape and scale of the purchase-rate gamma: mean rate
        r/α per time unit), ``a``, ``b`` (beta of the dropout probability:
        mean a/(a+b) per purchase).
    log_likelihood_ : float
        Maximised log-likelihood.
    standard_errors_ : pandas.Series
        From the observed information (delta method on log-parameters).
    covariance_ : pandas.DataFrame
        Covariance matrix of the estimates.
    n_customers_ : float
        Number of customers (sum of weights) fitted.

    See Also
    --------
    ParetoNBDModel, ModifiedBetaGeoModel, GammaGammaModel
    crmlab.plotting.plot_frequency_recency_matrix, crmlab.plotting.plot_probability_alive_matrix

    Notes
    -----
    For a customer with ``x`` repeat purchases, the last at ``t_x``, observed
    until ``T``:

    .. math::

        L = \frac{B(a, b+x)}{B(a,b)} \frac{\Gamma(r+x)\alpha^r}{\Gamma(r)(\alpha+T)^{r+x}}
          + \delta_{x>0} \frac{B(a+1, b+x-1)}{B(a,b)} \frac{\Gamma(r+x)\alpha^r}{\Gamma(r)(\alpha+t_x)^{r+x}}

    and the probability of being alive is

    .. math::

        P(\text{alive}) = \Big[1 + \delta_{x>0}\frac{a}{b+x-1}
          \Big(\frac{\alpha+T}{\alpha+t_x}\Big)^{r+x}\Big]^{-1}.

    Everything is computed in log space (``gammaln``, ``betaln``,
    ``logaddexp``), and the conditional expectation uses Euler's
    transformation of the Gauss hypergeometric function so that a frequency of
    10,000 neither overflows nor loses the answer.

    References
    ----------
    Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005). "Counting your customers"
    the easy way: An alternative to the Pareto/NBD model. *Marketing Science*,
    24(2), 275–284.

    Examples
    --------
    >>> from crmlab.datasets import load_cdnow_summary
    >>> model = BetaGeoModel().fit(load_cdnow_summary())
    >>> [round(v, 3) for v in model.params_]
    [0.243, 4.414, 0.793, 2.426]
    >>> round(model.log_likelihood_, 1)
    -9582.4
    """

    _param_names = ("r", "alpha", "a", "b")

    @staticmethod
    def _loglik(r: np.ndarray, alpha: np.ndarray, a: np.ndarray, b: np.ndarray, d: RFMData) -> np.ndarray:
        xu = d.xu
        lead = gammaln(r + xu) - gammaln(r) + r * np.log(alpha) - betaln(a, b)
        t1 = lead + betaln(a, b + xu)
        pos = xu > 0
        t2 = np.where(pos, lead + betaln(a + 1.0, b + np.where(pos, xu, 1.0) - 1.0), -np.inf)
        rx = r + d.x
        lT = np.log(alpha + d.Tv)[..., d.Tv_inv]
        ltx = np.log(alpha + d.txv)[..., d.txv_inv]
        return np.logaddexp(t1[:, d.x_inv] - rx * lT, t2[:, d.x_inv] - rx * ltx)

    @staticmethod
    def _loglik_grad(r: float, alpha: float, a: float, b: float, d: RFMData) -> tuple[np.ndarray, np.ndarray]:
        """Per-row log-likelihood and its analytic gradient in (r, α, a, b), in one pass.

        With ``u`` the log of the "alive at T" term and ``u + δ`` the log of the "dropped
        after the last purchase" term, ``ll = u + log(1 + e^δ)`` and the dropped branch has
        weight ``q = expit(δ)``; every derivative is the alive branch's plus ``q`` times the
        difference of the two. Special functions are evaluated on the unique frequencies
        only, logarithms of ``α + T`` and ``α + t_x`` once per unique value.
        """
        xu = d.xu
        pos = xu > 0
        xs = np.where(pos, xu, 1.0)
        dab = digamma(a + b)
        dabx = digamma(a + b + xu)
        t1 = gammaln(r + xu) - gammaln(r) + r * np.log(alpha) - betaln(a, b) + betaln(a, b + xu)
        gap = np.where(pos, betaln(a + 1.0, b + xs - 1.0) - betaln(a, b + xu), -np.inf)  # log(term 2 / term 1)
        dr_x = digamma(r + xu) - digamma(r) + np.log(alpha)
        da1 = dab - dabx
        db1 = dab - digamma(b) + digamma(b + xu) - dabx
        dda = np.where(pos, digamma(a + 1.0) - digamma(a), 0.0)  # da2 - da1
        ddb = np.where(pos, digamma(b + xs - 1.0) - digamma(b + xu), 0.0)  # db2 - db1
        n = len(d.x)
        ll = np.empty(n)
        g = np.empty((4, n))
        log_inv_T = _log_and_inverse(alpha, d.T, d.Tv, d.Tv_inv)
        log_inv_tx = _log_and_inverse(alpha, d.tx, d.txv, d.txv_inv)
        # blocks of rows keep the temporaries in cache (no page faults on million-row arrays)
        for lo in range(0, n, _BLOCK):
            sl = slice(lo, lo + _BLOCK)
            inv, x = d.x_inv[sl], d.x[sl]
            lT, iT = log_inv_T(sl)
            ltx, itx = log_inv_tx(sl)
            rx = r + x
            dl = ltx - lT
            delta = gap[inv] - rx * dl  # log(term 2 / term 1) per row; -inf without repeat purchases
            e = np.exp(-np.abs(delta))  # in [0, 1]: no overflow
            inv1e = 1.0 / (1.0 + e)
            q = np.where(delta >= 0, inv1e, e * inv1e)  # expit(δ): weight of the "dropped" branch
            ll[sl] = t1[inv] - rx * lT + np.maximum(delta, 0.0) + np.log(1.0 + e)  # + log(1 + e^δ)
            g[0, sl] = dr_x[inv] - lT - q * dl
            g[1, sl] = r / alpha - rx * (iT + q * (itx - iT))
            g[2, sl] = da1[inv] + q * dda[inv]
            g[3, sl] = db1[inv] + q * ddb[inv]
        return ll, g

    def _default_start(self, d: RFMData) -> np.ndarray:
        mean_t = float(np.average(d.T, weights=d.w)) or 1.0
        mean_x = float(np.average(d.x, weights=d.w))
        x0 = np.log([1.0, max(mean_t / (mean_x + 1.0), 1e-3), 1.0, 1.0])
        return _close_start(self, d, x0)

    @staticmethod
    def _log_odds_dead(p: tuple[float, ...], x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> np.ndarray:
        r, alpha, a, b = p
        xs = np.where(x > 0, x, 1.0)
        lo = np.log(a) - np.log(b + xs - 1.0) + (r + xs) * (np.log(alpha + T) - np.log(alpha + tx))
        return np.where(x > 0, lo, -np.inf)

    def _h_p_alive(self, p: tuple[float, ...], x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> np.ndarray:
        return expit(-self._log_odds_dead(p, x, tx, T))

    def _h_cond_expected(self, p: tuple[float, ...], t: float, x: np.ndarray, tx: np.ndarray,
                         T: np.ndarray) -> np.ndarray:
        r, alpha, a, b = p
        return self._h_p_alive(p, x, tx, T) * bg_expected_new(r, alpha, a, b, t, x=x, T=T)

    def _h_new_expected(self, p: tuple[float, ...], t: np.ndarray) -> np.ndarray:
        r, alpha, a, b = p
        return bg_expected_new(r, alpha, a, b, t)

    def _h_new_pmf(self, p: tuple[float, ...], k: np.ndarray, t: float) -> np.ndarray:
        r, alpha, a, b = p
        return bg_new_pmf(r, alpha, a, b, k, t)

    def _h_cond_pmf(self, p: tuple[float, ...], k: int, t: float, x: np.ndarray, tx: np.ndarray,
                    T: np.ndarray) -> np.ndarray:
        r, alpha, a, b = p
        pa = self._h_p_alive(p, x, tx, T)
        alive = bg_new_pmf(r + x, alpha + T, a, b + x, np.full_like(x, float(k)), t)
        return pa * alive + (1.0 - pa) * (k == 0)
