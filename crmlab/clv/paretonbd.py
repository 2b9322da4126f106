"""The Pareto/NBD model (Schmittlein, Morrison & Colombo 1987).

Chapter 6. Non-contractual, continuous time: purchases Poisson(λ), λ ~ Gamma(r, α);
an unobserved exponential lifetime with rate μ ~ Gamma(s, β).
"""

from __future__ import annotations

import numpy as np
from scipy.special import digamma, expit, gammaln, hyp2f1
from scipy.stats import nbinom

from crmlab.clv._base import BTYDModel
from crmlab.clv._data import RFMData
from crmlab.clv._ml import beta_nodes
from crmlab.clv._predict import PredictionMixin
from crmlab.clv.bgnbd import _close_start

__all__ = ["ParetoNBDModel"]

_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(64)


def _log_a0_term(r: np.ndarray, alpha: np.ndarray, s: np.ndarray, beta: np.ndarray, x: np.ndarray,
                 t: np.ndarray) -> np.ndarray:
    r"""Log of :math:`{}_2F_1(r+s+x, \cdot; r+s+x+1; z)/(\max(\alpha,\beta)+t)^{r+s+x}`, overflow-free.

    Pfaff's transformation turns the Gauss function into
    :math:`{}_2F_1(1, b; r+s+x+1; w)` with :math:`w = -|\alpha-\beta|/(\min(\alpha,\beta)+t) \le 0`,
    whose value lies in (0, 1] whatever the frequency.
    """
    a_ge = alpha >= beta
    la, lb = np.log(alpha + t), np.log(beta + t)
    rsx = r + s + x
    b_par = np.where(a_ge, s + 1.0, r + x)
    w = -np.abs(alpha - beta) / (np.minimum(alpha, beta) + t)
    pre = np.where(a_ge, -rsx * la + (s + 1.0) * (la - lb), -rsx * lb + (r + x) * (lb - la))
    return pre + np.log(_hyp2f1_one(b_par, rsx + 1.0, w))


def _hyp2f1_one(b: np.ndarray, c: np.ndarray, w: np.ndarray) -> np.ndarray:
    r"""Return :math:`{}_2F_1(1, b; c; w)` for w <= 0 and c > b > 0, with a quadrature fallback.

    Where scipy's series fails (huge ``c`` with very negative ``w``) use Euler's
    integral :math:`E[(1 - wU)^{-1}]`, :math:`U \sim \mathrm{Beta}(b, c-b)`, by Gauss quadrature.
    """
    f = hyp2f1(1.0, b, c, w)
    bad = ~np.isfinite(f) | (f <= 0) | (f > 1 + 1e-12)
    if not np.any(bad):
        return f
    shape = np.broadcast(f, b, c, w).shape
    f = np.broadcast_to(f, shape).copy()
    bad = np.broadcast_to(bad, shape)
    bb, cc, ww = (np.broadcast_to(np.asarray(v, dtype=float), shape)[bad] for v in (b, c, w))
    vals = np.empty(len(bb))
    pairs = np.unique(np.column_stack([bb, cc]), axis=0)
    for bv, cv in pairs:  # distinct (b, c) pairs among the rare failures only
        idx = np.flatnonzero((bb == bv) & (cc == cv))
        u, wt = beta_nodes(64, bv, cv - bv)
        vals[idx] = (1.0 / (1.0 - ww[idx, None] * u[None, :])) @ wt
    f[bad] = vals
    return f


def _log_a0(r: np.ndarray, alpha: np.ndarray, s: np.ndarray, beta: np.ndarray, x_tx: np.ndarray,
            tx_u: np.ndarray, tx_inv: np.ndarray, x_T: np.ndarray, T_u: np.ndarray,
            T_inv: np.ndarray) -> np.ndarray:
    """Return log A0 = log(term(t_x) − term(T)) per row, from the unique (x, t_x) and (x, T) pairs."""
    with np.errstate(divide="ignore", invalid="ignore"):
        lt_tx = _log_a0_term(r, alpha, s, beta, x_tx, tx_u)[..., tx_inv]
        lt_T = _log_a0_term(r, alpha, s, beta, x_T, T_u)[..., T_inv]
        diff = np.minimum(lt_T - lt_tx, 0.0)
        return lt_tx + np.log(-np.expm1(diff))  # -inf when t_x == T: A0 = 0


def _expected_alive(r: float, alpha: np.ndarray, s: float, beta: np.ndarray, t: np.ndarray | float) -> np.ndarray:
    """E[X(t)] of a Pareto/NBD customer alive now with (posterior) parameters (r, α, s, β)."""
    lg = np.log1p(t / beta)
    sm1 = s - 1.0
    safe = np.where(np.abs(sm1) < 1e-8, 1.0, sm1)
    factor = np.where(np.abs(sm1) < 1e-8, lg, -np.expm1(-safe * lg) / safe)
    return r * beta / alpha * factor


def _new_pmf(r: float, alpha: float, s: float, beta: float, k: np.ndarray, t: float) -> np.ndarray:
    """P(X(t) = k) for an alive-at-0 customer, by Gauss-Legendre quadrature over the death time."""
    k = np.asarray(k, dtype=float)
    alive = nbinom.pmf(k, r, alpha / (alpha + t)) * np.exp(s * (np.log(beta) - np.log(beta + t)))
    tau = 0.5 * t * (_GL_NODES + 1.0)
    wts = 0.5 * t * _GL_WEIGHTS
    dens = s / beta * np.exp(-(s + 1.0) * np.log1p(tau / beta))
    pm = nbinom.pmf(k[..., None], r, alpha / (alpha + tau))
    return alive + (pm * dens * wts).sum(axis=-1)


class ParetoNBDModel(PredictionMixin, BTYDModel):
    r"""Pareto/NBD model of repeat purchasing with unobserved dropout.

    Chapter 6. The original "buy till you die" model: same data and questions
    as :class:`BetaGeoModel`, but customers can leave at any moment, not only
    right after a purchase.

    Parameters
    ----------
    penalizer_coef : float, default=0.0
        L2 penalty on the parameters.
    initial_params : dict, optional
        Starting values ``{"r", "alpha", "s", "beta"}``.

    Attributes
    ----------
    params_ : pandas.Series
        ``r``, ``alpha`` (purchase rate, mean r/α); ``s``, ``beta`` (dropout
        rate, mean s/β per time unit).
    log_likelihood_, standard_errors_, covariance_, n_customers_
        As for :class:`BetaGeoModel`.

    See Also
    --------
    BetaGeoModel

    Notes
    -----
    Following Fader & Hardie (2005), with :math:`A_0` built from Gauss
    hypergeometric functions,

    .. math::

        L = \frac{\Gamma(r+x)\alpha^r\beta^s}{\Gamma(r)}
            \Big[\frac{1}{(\alpha+T)^{r+x}(\beta+T)^s} + \frac{s}{r+s+x} A_0\Big],
        \quad
        P(\text{alive}) = \Big[1 + \frac{s}{r+s+x}(\alpha+T)^{r+x}(\beta+T)^s A_0\Big]^{-1}.

    :math:`A_0` is a difference of two terms; each is computed in logs after
    Pfaff's transformation to :math:`{}_2F_1(1, b; r+s+x+1; w)`, :math:`w \le 0`,
    which stays in (0, 1] for any frequency, and the difference is taken with
    ``log(-expm1(...))``. Hence no overflow for frequencies of 10,000 or long
    histories, where the textbook form overflows.

    References
    ----------
    Schmittlein, D. C., Morrison, D. G., & Colombo, R. (1987). Counting your
    customers: Who are they and what will they do next? *Management Science*,
    33(1), 1–24. Fader, P. S., & Hardie, B. G. S. (2005). A note on deriving
    the Pareto/NBD model and related expressions.

    Examples
    --------
    >>> from crmlab.datasets import load_cdnow_summary
    >>> m = ParetoNBDModel().fit(load_cdnow_summary())
    >>> [round(v, 3) for v in m.params_], round(m.log_likelihood_, 1)
    ([0.553, 10.578, 0.606, 11.668], -9595.0)
    """

    _param_names = ("r", "alpha", "s", "beta")

    @staticmethod
    def _loglik(r: np.ndarray, alpha: np.ndarray, s: np.ndarray, beta: np.ndarray, d: RFMData) -> np.ndarray:
        lead = gammaln(r + d.xu) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
        rx = r + d.x
        t1 = -rx * np.log(alpha + d.T) - s * np.log(beta + d.T)
        la0 = _log_a0(r, alpha, s, beta, d.x_tx, d.tx_u, d.tx_inv, d.x_T, d.T_u, d.T_inv)
        t2 = np.log(s) - np.log(rx + s) + la0
        return lead[:, d.x_inv] + np.logaddexp(t1, t2)

    @staticmethod
    def _loglik_grad(r: float, alpha: float, s: float, beta: float, d: RFMData) -> tuple[np.ndarray, np.ndarray]:
        """Per-row log-likelihood and gradient in (r, α, s, β).

        Everything is analytic except the hypergeometric terms, which are
        differentiated by central differences on the few unique (x, t_x) and
        (x, T) pairs only, then combined per row by the chain rule.
        """
        theta = np.array([r, alpha, s, beta])
        h = 1e-6 * theta
        pts = np.vstack([theta, theta + np.diag(h), theta - np.diag(h)])
        cols = [pts[:, j : j + 1] for j in range(4)]
        with np.errstate(divide="ignore", invalid="ignore"):
            ltx_all = _log_a0_term(*cols, d.x_tx, d.tx_u)
            lT_all = _log_a0_term(*cols, d.x_T, d.T_u)
        d_ltx = (ltx_all[1:5] - ltx_all[5:9]) / (2 * h[:, None])
        d_lT = (lT_all[1:5] - lT_all[5:9]) / (2 * h[:, None])
        xu, rsx = d.xu, r + s + d.xu
        lead = gammaln(r + xu) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
        d_lead = [digamma(r + xu) - digamma(r) + np.log(alpha), r / alpha + 0 * xu, np.log(beta) + 0 * xu,
                  s / beta + 0 * xu]
        c = np.log(s) - np.log(rsx)
        d_c = [-1.0 / rsx, 0 * xu, 1.0 / s - 1.0 / rsx, 0 * xu]
        la, lb = np.log(alpha + d.T_u), np.log(beta + d.T_u)
        t1 = -(r + d.x_T) * la - s * lb
        d_t1 = [-la, -(r + d.x_T) / (alpha + d.T_u), -lb, -s / (beta + d.T_u)]
        A = ltx_all[0][d.tx_inv]
        B = lT_all[0][d.T_inv]
        with np.errstate(divide="ignore", invalid="ignore"):
            D = np.minimum(B - A, 0.0)
            t2 = c[d.x_inv] + A + np.log(-np.expm1(D))
            T1 = t1[d.T_inv]
            core = np.logaddexp(T1, t2)
            pi = np.exp(T1 - core)
            g = np.where(np.isfinite(t2), 1.0 / np.expm1(-D), 0.0)
        grads = []
        for j in range(4):
            dA, dB = d_ltx[j][d.tx_inv], d_lT[j][d.T_inv]
            dt2 = np.where(np.isfinite(t2), d_c[j][d.x_inv] + dA - g * (dB - dA), 0.0)
            grads.append(d_lead[j][d.x_inv] + pi * d_t1[j][d.T_inv] + (1.0 - pi) * dt2)
        return lead[d.x_inv] + core, np.vstack(grads)

    def _default_start(self, d: RFMData) -> np.ndarray:
        mean_t = float(np.average(d.T, weights=d.w)) or 1.0
        mean_x = float(np.average(d.x, weights=d.w))
        x0 = np.log([1.0, max(mean_t / (mean_x + 1.0), 1e-3), 1.0, mean_t])
        return _close_start(self, d, x0)

    def _h_p_alive(self, p: tuple[float, ...], x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> np.ndarray:
        r, alpha, s, beta = p
        (xtx, txu), txi = _pairs_of(x, tx)
        (xT, Tu), Ti = _pairs_of(x, T)
        la0 = _log_a0(r, alpha, s, beta, xtx, txu, txi, xT, Tu, Ti)
        odds = np.log(s) - np.log(r + s + x) + (r + x) * np.log(alpha + T) + s * np.log(beta + T) + la0
        return expit(-odds)

    def _h_cond_expected(self, p: tuple[float, ...], t: float, x: np.ndarray, tx: np.ndarray,
                         T: np.ndarray) -> np.ndarray:
        r, alpha, s, beta = p
        return self._h_p_alive(p, x, tx, T) * _expected_alive(r + x, alpha + T, s, beta + T, t)

    def _h_new_expected(self, p: tuple[float, ...], t: np.ndarray) -> np.ndarray:
        r, alpha, s, beta = p
        return _expected_alive(r, alpha, s, beta, t)

    def _h_new_pmf(self, p: tuple[float, ...], k: np.ndarray, t: float) -> np.ndarray:
        return _new_pmf(*p, k, t)

    def _h_cond_pmf(self, p: tuple[float, ...], k: int, t: float, x: np.ndarray, tx: np.ndarray,
                    T: np.ndarray) -> np.ndarray:
        r, alpha, s, beta = p
        pa = self._h_p_alive(p, x, tx, T)
        rr, aa, bb = r + x, alpha + T, beta + T
        base = nbinom.pmf(k, rr, aa / (aa + t)) * np.exp(s * (np.log(bb) - np.log(bb + t)))
        tau = 0.5 * t * (_GL_NODES + 1.0)
        wts = 0.5 * t * _GL_WEIGHTS
        dens = s / bb[:, None] * np.exp(-(s + 1.0) * np.log1p(tau[None, :] / bb[:, None]))
        pm = nbinom.pmf(k, rr[:, None], aa[:, None] / (aa[:, None] + tau[None, :]))
        alive = base + (pm * dens * wts).sum(axis=1)
        return pa * alive + (1.0 - pa) * (k == 0)


def _pairs_of(a: np.ndarray, b: np.ndarray) -> tuple[tuple[np.ndarray, np.ndarray], np.ndarray]:
    from crmlab.clv._data import _pairs

    ua, ub, inv = _pairs(a, b)
    return (ua, ub), inv
