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
    r"""Return :math:`{}_2F_1(1, b; c; w)` for w <= 0 and c > b > 0, in (0, 1].

    Pfaff's transformation :math:`{}_2F_1(1, b; c; w) = (1-w)^{-1}\,{}_2F_1(1, c-b; c; w/(w-1))`
    puts the argument in [0, 1), where scipy's ``hyp2f1`` is reliable; called on very
    negative ``w`` with large ``b`` it returns finite, plausible but wrong values (off by 1e-3 and more
    in about 10 % of a random sweep with b, c up to a few hundred and w down to -1e5). Where the
    transformed value is not finite or outside (0, 1], the direct call is tried, and where both fail,
    Euler's integral :math:`E[(1 - wU)^{-1}]`, :math:`U \sim \mathrm{Beta}(b, c-b)`, by Gauss quadrature.
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        f = hyp2f1(1.0, c - b, c, w / (w - 1.0)) / (1.0 - w)
        bad = ~np.isfinite(f) | (f <= 0) | (f > 1 + 1e-12)
        if not np.any(bad):
            return f
        shape = np.broadcast(f, b, c, w).shape
        f = np.broadcast_to(f, shape).copy()
        bad = np.broadcast_to(bad, shape).copy()
        bb, cc, ww = (np.broadcast_to(np.asarray(v, dtype=float), shape)[bad] for v in (b, c, w))
        direct = hyp2f1(1.0, bb, cc, ww)
        fine = np.isfinite(direct) & (direct > 0) & (direct <= 1 + 1e-12)
    where = np.flatnonzero(bad)
    f.flat[where[fine]] = direct[fine]
    bb, cc, ww, where = bb[~fine], cc[~fine], ww[~fine], where[~fine]
    vals = np.empty(len(bb))
    pairs = np.unique(np.column_stack([bb, cc]), axis=0)
    for bv, cv in pairs:  # distinct (b, c) pairs among the rare failures only
        idx = np.flatnonzero((bb == bv) & (cc == cv))
        u, wt = beta_nodes(64, bv, cv - bv)
        vals[idx] = (1.0 / (1.0 - ww[idx, None] * u[None, :])) @ wt
    f.flat[where] = vals
    return f


#: the series below handles pairs with z up to this value; the few beyond it go to scipy's hyp2f1
_SERIES_ZMAX = 0.6
_SERIES_TOL = 1e-17


def _log_a0_term_grad(r: float, alpha: float, s: float, beta: float, x: np.ndarray,
                      t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""Value of :func:`_log_a0_term` at scalar parameters and its gradient in (r, α, s, β), shape (4, n).

    With :math:`M = \max(\alpha, \beta)` and :math:`z = |\alpha-\beta|/(M+t) \in [0, 1)`, Euler's
    transformation gives, for α ≥ β,
    :math:`-(r+s+x)\log(\alpha+t) + s\log\frac{\alpha+t}{\beta+t} + \log F(1, r+x; r+s+x+1; z)`
    and, for α < β,
    :math:`-(r+s+x)\log(\beta+t) + (1-r-x)\log\frac{\alpha+t}{\beta+t} + \log F(1, s+1; r+s+x+1; z)`.
    :math:`F(1, b; c; z) = \sum_k (b)_k/(c)_k z^k` has positive terms below :math:`z^k`, so it is summed
    directly, carrying the derivatives in ``b``, ``c`` and ``z`` along (forward mode); each pair stops
    once the remaining terms are below 1e-17 of the sum. Sorting the pairs by ``t`` (z falls as t grows)
    makes the pairs still summing a prefix, so late iterations touch few rows. Pairs with
    ``z > 0.6`` (short times with very different α and β) use scipy's ``hyp2f1`` and central differences.
    """
    n = len(t)
    if n > 1 and np.any(t[1:] < t[:-1]):
        order = np.argsort(t, kind="stable")
        val, grad = _log_a0_term_grad(r, alpha, s, beta, x[order], t[order])
        out_v, out_g = np.empty(n), np.empty((4, n))
        out_v[order], out_g[:, order] = val, grad
        return out_v, out_g
    a_ge = alpha >= beta
    la, lb = np.log(alpha + t), np.log(beta + t)
    at, bt = alpha + t, beta + t
    z = abs(alpha - beta) / (at if a_ge else bt)  # non-increasing along the rows
    rx = r + x
    c = rx + s + 1.0
    bp = rx if a_ge else np.full(n, s + 1.0)
    j0 = int(np.searchsorted(-z, -_SERIES_ZMAX, side="left"))  # rows [0, j0) have z > zmax
    zs, bs, cs = z[j0:], bp[j0:], c[j0:]
    with np.errstate(divide="ignore", invalid="ignore"):
        # terms below z^k: the sum and its z-derivative are within tol once z^k < tol (1-z)^2
        need = np.where(zs > 0, np.ceil((np.log(_SERIES_TOL) + 2.0 * np.log1p(-zs)) / np.log(zs)), 0.0)
    need = np.maximum(need, 0.0) + 2.0  # at least two terms: the z-derivative at z = 0 is b/c
    kmax = int(need[0]) if len(need) else 0
    ends = np.searchsorted(-need, -np.arange(kmax, dtype=float), side="left")  # rows still summing
    m = len(zs)
    S, Sb, Sc, Sz = np.ones(m), np.zeros(m), np.zeros(m), np.zeros(m)
    term, Db, Dc = np.ones(m), np.zeros(m), np.zeros(m)
    for k, e in enumerate(ends):
        if e == 0:
            break
        bk = bs[:e] + k
        ick = 1.0 / (cs[:e] + k)
        tr = term[:e] * bk * ick  # t_k (b+k)/(c+k)
        Sz[:e] += (k + 1.0) * tr  # d t_{k+1} / dz
        tk = tr * zs[:e]
        term[:e] = tk
        Db[:e] += 1.0 / bk
        Dc[:e] -= ick
        S[:e] += tk
        Sb[:e] += tk * Db[:e]
        Sc[:e] += tk * Dc[:e]
    val = np.empty(n)
    grad = np.empty((4, n))
    gb, gc, gz = Sb / S, Sc / S, Sz / S
    sl = slice(j0, n)
    la_, lb_, at_, bt_, rx_ = la[sl], lb[sl], at[sl], bt[sl], rx[sl]
    logS = np.log(S)
    if a_ge:
        val[sl] = -(rx_ + s) * la_ + s * (la_ - lb_) + logS
        grad[0, sl] = -la_ + gb + gc
        grad[1, sl] = -rx_ / at_ + gz * bt_ / (at_ * at_)
        grad[2, sl] = -lb_ + gc
        grad[3, sl] = -s / bt_ - gz / at_
    else:
        val[sl] = -(rx_ + s) * lb_ + (1.0 - rx_) * (la_ - lb_) + logS
        grad[0, sl] = -la_ + gc
        grad[1, sl] = (1.0 - rx_) / at_ - gz / bt_
        grad[2, sl] = -lb_ + gb + gc
        grad[3, sl] = -(s + 1.0) / bt_ + gz * at_ / (bt_ * bt_)
    if j0:
        val[:j0], grad[:, :j0] = _log_a0_term_grad_fd(r, alpha, s, beta, x[:j0], t[:j0])
    return val, grad


def _log_a0_term_grad_fd(r: float, alpha: float, s: float, beta: float, x: np.ndarray,
                         t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_log_a0_term` and its gradient by central differences (scipy's hyp2f1), for the few hard pairs."""
    theta = np.array([r, alpha, s, beta])
    h = 1e-6 * theta
    pts = np.vstack([theta, theta + np.diag(h), theta - np.diag(h)])
    cols = [pts[:, j : j + 1] for j in range(4)]
    vals = _log_a0_term(*cols, x, t)
    return vals[0], (vals[1:5] - vals[5:9]) / (2 * h[:, None])


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
        """Per-row log-likelihood and its analytic gradient in (r, α, s, β), in one pass.

        The two hypergeometric terms of :math:`A_0` and their derivatives come from
        :func:`_log_a0_term_grad` on the unique (x, t_x) and (x, T) pairs (sorted by
        time once per data set), then are combined per row by the chain rule.
        :meth:`_loglik` stays the plain reference (scipy's ``hyp2f1``).
        """
        xtx, txu, txinv = d.pairs_by_time("tx")
        xT, Tu, Tinv = d.pairs_by_time("T")
        with np.errstate(divide="ignore", invalid="ignore"):
            ltx, d_ltx = _log_a0_term_grad(r, alpha, s, beta, xtx, txu)
            lT, d_lT = _log_a0_term_grad(r, alpha, s, beta, xT, Tu)
        xu, rsx = d.xu, r + s + d.xu
        lead = gammaln(r + xu) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
        d_lead = [digamma(r + xu) - digamma(r) + np.log(alpha), r / alpha, np.log(beta), s / beta]
        c = np.log(s) - np.log(rsx)
        d_c = [-1.0 / rsx, 0.0, 1.0 / s - 1.0 / rsx, 0.0]
        la, lb = np.log(alpha + Tu), np.log(beta + Tu)
        t1 = -(r + xT) * la - s * lb
        d_t1 = [-la, -(r + xT) / (alpha + Tu), -lb, -s / (beta + Tu)]
        A = ltx[txinv]
        B = lT[Tinv]
        with np.errstate(divide="ignore", invalid="ignore"):
            D = np.minimum(B - A, 0.0)
            t2 = c[d.x_inv] + A + np.log(-np.expm1(D))
            T1 = t1[Tinv]
            core = np.logaddexp(T1, t2)
            pi = np.exp(T1 - core)
            fin = np.isfinite(t2)
            g = np.where(fin, 1.0 / np.expm1(-D), 0.0)
        grads = np.empty((4, len(d.x)))
        for j in range(4):
            dA, dB = d_ltx[j][txinv], d_lT[j][Tinv]
            dc = d_c[j][d.x_inv] if np.ndim(d_c[j]) else d_c[j]
            dt2 = np.where(fin, dc + dA - g * (dB - dA), 0.0)
            dl = d_lead[j][d.x_inv] if np.ndim(d_lead[j]) else d_lead[j]
            grads[j] = dl + pi * d_t1[j][Tinv] + (1.0 - pi) * dt2
        return lead[d.x_inv] + core, grads

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
