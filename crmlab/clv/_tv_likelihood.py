"""Numerics of the time-varying Pareto/NBD: per-period dropout integrals, log-likelihood and gradient.

Chapter 10. Private helpers of :mod:`crmlab.clv.tv_covariates`; every function
works on flat per-period arrays (see :mod:`crmlab.clv._tv_data`), with no
loop over customers.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import digamma, gammaln

from crmlab.clv._tv_data import TVData
from crmlab.clv.paretonbd import _log_a0_term


def _grouped_cumsum_excl(v: np.ndarray, first: np.ndarray, cust: np.ndarray) -> np.ndarray:
    """Within-customer cumulative sum of ``v`` before each segment (segments sorted by customer)."""
    excl = np.cumsum(v) - v
    return excl - excl[first][cust]


def _grouped_logsumexp(v: np.ndarray, first: np.ndarray, cust: np.ndarray) -> np.ndarray:
    mx = np.maximum.reduceat(v, first)
    safe = np.where(np.isfinite(mx), mx, 0.0)
    with np.errstate(divide="ignore"):
        return safe + np.log(np.add.reduceat(np.exp(v - safe[cust]), first))


def _parts(r: float, alpha: float, s: float, beta: float, gp: np.ndarray, gd: np.ndarray, d: TVData,
           zp: np.ndarray | None = None, zd: np.ndarray | None = None,
           zsum: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per customer: lead term, log alive-branch, log dropout-branch, A(T), B(T).

    ``zp``, ``zd`` (per segment) and ``zsum`` (per customer, purchase covariates summed over the
    repeat purchases) default to those of ``d``; the fit passes standardised versions.
    """
    seg = d.seg
    zp = seg.zp if zp is None else zp
    zd = seg.zd if zd is None else zd
    zsum = d.zp_at_purchases if zsum is None else zsum
    lp = zp @ gp
    lq = zd @ gd
    p, q = np.exp(lp), np.exp(lq)
    pl, ql = p * seg.length, q * seg.length
    a_T = np.add.reduceat(pl, seg.first)
    b_T = np.add.reduceat(ql, seg.first)
    m = r + d.x
    alive = -m * np.log(alpha + a_T) - s * np.log(beta + b_T)
    live = seg.length > d.d0
    vals = np.full(len(seg.cust), -np.inf)
    if live.any():
        c = seg.cust[live]
        a_k = _grouped_cumsum_excl(pl, seg.first, seg.cust)[live]
        b_k = _grouped_cumsum_excl(ql, seg.first, seg.cust)[live]
        pk, qk = p[live], q[live]
        al = (alpha + a_k) / pk  # the period's own alpha and beta in its local time (u = 0 at its start)
        be = (beta + b_k) / qk
        xs = d.x[c]
        g = _log_period_integral(r, al, s, be, xs, d.d0[live], seg.length[live])
        vals[live] = -(r + xs) * lp[live] - s * lq[live] + g
    death = np.log(s) - np.log(m + s) + _grouped_logsumexp(vals, seg.first, seg.cust)
    lead = gammaln(m) - gammaln(r) + r * np.log(alpha) + s * np.log(beta) + zsum @ gp
    return lead, alive, death, a_T, b_T


def _loglik_grad(theta: np.ndarray, d: TVData, zp: np.ndarray, zd: np.ndarray,
                 zsum: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-customer log-likelihood and its gradient in theta = (log r, log α, log s, log β, γ_P, γ_D).

    Everything is analytic except the derivatives of each period's hypergeometric
    term with respect to its own (r, log α', s, log β'), which are central
    differences on that period alone; the chain rule carries them to theta.
    """
    seg = d.seg
    np_, nd_ = zp.shape[1], zd.shape[1]
    r, al, s, be = np.exp(theta[:4])
    gp, gd = theta[4 : 4 + np_], theta[4 + np_ :]
    n = len(d.x)
    lp, lq = zp @ gp, zd @ gd
    p, q = np.exp(lp), np.exp(lq)
    pl, ql = p * seg.length, q * seg.length
    plz, qlz = pl[:, None] * zp, ql[:, None] * zd
    a_T, b_T = np.add.reduceat(pl, seg.first), np.add.reduceat(ql, seg.first)
    m = r + d.x
    A, B = al + a_T, be + b_T
    LA, LB = np.log(A), np.log(B)
    alive = -m * LA - s * LB
    g_alive = [-r * LA, -m * al / A, -s * LB, -s * be / B]
    g_alive_p = -(m / A)[:, None] * (np.add.reduceat(plz, seg.first, axis=0) if np_ else np.zeros((n, 0)))
    g_alive_d = -(s / B)[:, None] * (np.add.reduceat(qlz, seg.first, axis=0) if nd_ else np.zeros((n, 0)))
    lead = gammaln(m) - gammaln(r) + r * np.log(al) + s * np.log(be) + zsum @ gp
    g_lead = [r * (digamma(m) - digamma(r) + np.log(al)), r + 0 * m, s * np.log(be) + 0 * m, s + 0 * m]
    live = np.flatnonzero(seg.length > d.d0)
    c = seg.cust[live]
    a_k = _grouped_cumsum_excl(pl, seg.first, seg.cust)[live] + al
    b_k = _grouped_cumsum_excl(ql, seg.first, seg.cust)[live] + be
    la, lb = np.log(a_k) - lp[live], np.log(b_k) - lq[live]
    xs, d0, d1 = d.x[c], d.d0[live], seg.length[live]
    G, G_r, G_s, G_a, G_b = _segment_terms(r, s, la, lb, xs, d0, d1)
    mc = m[c]
    v = -mc * lp[live] - s * lq[live] + G
    vals = np.full(len(seg.cust), -np.inf)
    vals[live] = v
    core = _grouped_logsumexp(vals, seg.first, seg.cust)
    death = np.log(s) - np.log(m + s) + core
    with np.errstate(invalid="ignore"):
        om = np.exp(v - core[c])
        om = np.where(np.isfinite(om), om, 0.0)
    dv = [r * (-lp[live] + G_r), G_a * al / a_k, s * (-lq[live] + G_s), G_b * be / b_k]
    g_death = [np.bincount(c, weights=om * v_j, minlength=n) for v_j in dv]
    g_death[0] += -r / (m + s)
    g_death[2] += 1.0 - s / (m + s)
    if np_:
        az = _grouped_cumsum_excl_2d(plz, seg.first, seg.cust)[live]
        dvp = -mc[:, None] * zp[live] + G_a[:, None] * (az / a_k[:, None] - zp[live])
        g_death_p = np.stack([np.bincount(c, weights=om * dvp[:, j], minlength=n) for j in range(np_)], axis=1)
    else:
        g_death_p = np.zeros((n, 0))
    if nd_:
        bz = _grouped_cumsum_excl_2d(qlz, seg.first, seg.cust)[live]
        dvd = -s * zd[live] + G_b[:, None] * (bz / b_k[:, None] - zd[live])
        g_death_d = np.stack([np.bincount(c, weights=om * dvd[:, j], minlength=n) for j in range(nd_)], axis=1)
    else:
        g_death_d = np.zeros((n, 0))
    tot = np.logaddexp(alive, death)
    pi = np.exp(alive - tot)
    dead_w = np.where(np.isfinite(death), 1.0 - pi, 0.0)
    grads = [g_lead[j] + pi * g_alive[j] + dead_w * g_death[j] for j in range(4)]
    gpm = zsum + pi[:, None] * g_alive_p + dead_w[:, None] * g_death_p
    gdm = pi[:, None] * g_alive_d + dead_w[:, None] * g_death_d
    return lead + tot, np.vstack([np.array(grads), gpm.T, gdm.T])


_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(12)


def _log_period_integral(r: Any, al: Any, s: Any, be: Any, x: np.ndarray, d0: np.ndarray,
                         d1: np.ndarray) -> np.ndarray:
    r"""Log of :math:`(m+s)\int_{d_0}^{d_1}(\alpha'+u)^{-m}(\beta'+u)^{-s-1}du`, :math:`m = r + x`.

    In closed form as a difference of two hypergeometric terms (those of the
    Pareto/NBD's :math:`A_0`). Where the integrand changes little over the
    period (e.g. late in a long history) that difference cancels
    catastrophically, and 12-point Gauss-Legendre quadrature is used instead,
    which is exact to rounding there (the period is short against the distance
    to the integrand's singularities at :math:`-\alpha', -\beta'`).
    The parameter arguments broadcast: (k, 1) against the periods' (n,).
    """
    shape = np.broadcast(r, al, s, be, x).shape
    rr, aa, ss, bb = (np.broadcast_to(np.asarray(v, dtype=float), shape) for v in (r, al, s, be))
    m = rr + x
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # bounds both the change of the log-integrand and the period's length relative to the distance of
        # the integrand's singularities (-alpha', -beta'): below 1, 12-point quadrature is exact to rounding
        spread = (d1 - d0) * ((m + 1.0) / (aa + d0) + (ss + 2.0) / (bb + d0))
        easy = spread < 1.0
        out = np.empty(shape)
        hard = ~easy
        if hard.any():
            args = [v[hard] for v in (rr, aa, ss, bb, np.broadcast_to(x, shape), np.broadcast_to(d0, shape),
                                      np.broadcast_to(d1, shape))]
            l0 = _log_a0_term(*args[:5], args[5])
            l1 = _log_a0_term(*args[:5], args[6])
            out[hard] = l0 + np.log(-np.expm1(np.minimum(l1 - l0, 0.0)))
        if easy.any():
            me, ae, se, be_ = m[easy], aa[easy], ss[easy], bb[easy]
            lo, hi = np.broadcast_to(d0, shape)[easy], np.broadcast_to(d1, shape)[easy]
            half = 0.5 * (hi - lo)
            u = (lo + half)[:, None] + half[:, None] * _GL_NODES[None, :]
            logf = -me[:, None] * np.log(ae[:, None] + u) - (se[:, None] + 1.0) * np.log(be_[:, None] + u)
            top = logf.max(axis=1)
            out[easy] = (np.log(me + se) + np.log(half) + top
                         + np.log(np.exp(logf - top[:, None]) @ _GL_WEIGHTS))
    return out


def _difference(g0: np.ndarray, up: np.ndarray, down: np.ndarray, h: float) -> np.ndarray:
    """Central difference, one-sided where a shifted point is not finite (hypergeometric edge cases)."""
    d = (up - down) / (2 * h)
    bad = ~np.isfinite(d)
    if bad.any():
        one = np.where(np.isfinite(up[bad]), (up[bad] - g0[bad]) / h, (g0[bad] - down[bad]) / h)
        d[bad] = one
    return d


def _segment_terms(r: float, s: float, la: np.ndarray, lb: np.ndarray, x: np.ndarray, d0: np.ndarray,
                   d1: np.ndarray) -> tuple[np.ndarray, ...]:
    r"""Log of each period's dropout integral and its derivatives in r, s, log α', log β'.

    :math:`G = \log\big((m+s)\int_{d_0}^{d_1}(\alpha'+u)^{-m}(\beta'+u)^{-s-1}du\big)`,
    :math:`m = r + x`. The r and s derivatives are central differences on each period;
    those in α' and β' follow exactly from the two identities of the integral
    :math:`J` (shift: :math:`J_{\alpha'}+J_{\beta'} = f(d_1)-f(d_0)`; scaling:
    :math:`\alpha'J_{\alpha'}+\beta'J_{\beta'} = -(m+s)J - d_1f(d_1) + d_0f(d_0)`), with central
    differences where α' and β' are too close for the 2x2 solve.
    """
    h = 1e-5
    dr, ds = np.array([0.0, h, -h, 0.0, 0.0]), np.array([0.0, 0.0, 0.0, h, -h])
    rr, ss = (r * (1 + dr))[:, None], (s * (1 + ds))[:, None]
    al, be = np.exp(la), np.exp(lb)

    g_of = _log_period_integral
    G = g_of(rr, al, ss, be, x, d0, d1)
    with np.errstate(invalid="ignore"):
        G_r, G_s = _difference(G[0], G[1], G[2], h * r), _difference(G[0], G[3], G[4], h * s)
    m = r + x
    log_j = G[0] - np.log(m + s)
    rho0 = np.exp(-m * np.log(al + d0) - (s + 1) * np.log(be + d0) - log_j)
    rho1 = np.exp(-m * np.log(al + d1) - (s + 1) * np.log(be + d1) - log_j)
    diff = al - be
    with np.errstate(divide="ignore", invalid="ignore"):
        ja = (-(m + s) - (d1 + be) * rho1 + (d0 + be) * rho0) / diff
    jb = (rho1 - rho0) - ja
    G_a, G_b = al * ja, be * jb
    close = np.flatnonzero(np.abs(diff) < 1e-3 * np.maximum(al, be))
    if len(close):  # numerical derivatives on these periods only
        sub = [v[close] for v in (la, lb, x, d0, d1)]
        la_c, lb_c = sub[0] + np.array([h, -h, 0.0, 0.0])[:, None], sub[1] + np.array([0.0, 0.0, h, -h])[:, None]
        Gc = g_of(r, np.exp(la_c), s, np.exp(lb_c), *sub[2:])
        G_a[close] = (Gc[0] - Gc[1]) / (2 * h)
        G_b[close] = (Gc[2] - Gc[3]) / (2 * h)
    return G[0], G_r, G_s, G_a, G_b


def _grouped_cumsum_excl_2d(v: np.ndarray, first: np.ndarray, cust: np.ndarray) -> np.ndarray:
    excl = np.cumsum(v, axis=0) - v
    return excl - excl[first][cust]
