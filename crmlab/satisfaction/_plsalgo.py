"""Numerical core of PLS path modelling (Lohmöller's algorithm), arrays only.

Private: the public estimator in :mod:`crmlab.satisfaction.pls` validates the
input, then calls :func:`lohmoller` on a standardized item matrix.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


class CollinearError(Exception):
    """Raised when the predecessors of construct ``j`` are (nearly) perfectly collinear."""

    def __init__(self, j: int) -> None:
        super().__init__(j)
        self.j = j


def _solve(corr: np.ndarray, p: np.ndarray, j: int, check: bool = False) -> np.ndarray:
    """Regression coefficients of construct j on constructs p, from correlations.

    ``check=True`` also rejects nearly singular systems (condition number above 1e10).
    """
    sub = corr[np.ix_(p, p)]
    if check and p.size > 1 and np.linalg.cond(sub) > 1e10:
        raise CollinearError(j)
    try:
        return np.linalg.solve(sub, corr[p, j])
    except np.linalg.LinAlgError:
        raise CollinearError(j) from None


@dataclass(frozen=True)
class PLSSolution:
    """Raw arrays of one PLS fit (all on standardized items)."""

    weights: np.ndarray  # (p, J) outer weights, zero outside each block
    scores: np.ndarray  # (n, J) standardized latent scores
    n_iter: int
    converged: bool


def standardize(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(z, mean, sd)`` with ``sd`` the sample (ddof=1) standard deviation."""
    mean = x.mean(axis=0)
    sd = x.std(axis=0, ddof=1)
    return (x - mean) / sd, mean, sd


def inner_weights(corr: np.ndarray, pred: np.ndarray, scheme: str) -> np.ndarray:
    """Inner weight matrix ``E`` with ``Z = Y @ E`` (column j is the inner proxy of construct j).

    ``pred[i, j]`` is True when construct i points at construct j (i -> j).
    """
    adjacent = pred | pred.T
    if scheme == "centroid":
        return np.sign(corr) * adjacent
    if scheme == "factorial":
        return corr * adjacent
    # path weighting: predecessors get multiple-regression coefficients,
    # successors get correlations (Lohmöller 1989; Tenenhaus et al. 2005, sec. 2.3)
    e = (corr * pred.T).astype(float)  # e[k, j] = cor(Y_k, Y_j) for each successor k of j (j -> k)
    n_lv = corr.shape[0]
    for j in range(n_lv):
        p = np.flatnonzero(pred[:, j])
        if p.size:
            e[p, j] = _solve(corr, p, j)
    return e


def lohmoller(
    z: np.ndarray,
    block: np.ndarray,
    pred: np.ndarray,
    scheme: str,
    max_iter: int,
    tol: float,
    init: np.ndarray | None = None,
) -> PLSSolution:
    """Run the PLS-PM iterations with Mode A outer estimation.

    Parameters
    ----------
    z : ndarray of shape (n, p)
        Standardized items (ddof=1).
    block : ndarray of bool, shape (p, J)
        ``block[k, j]`` is True when item k measures construct j.
    pred : ndarray of bool, shape (J, J)
        Inner model, ``pred[i, j]`` for the path i -> j.
    scheme : {"path", "centroid", "factorial"}
    max_iter : int
    tol : float
        Stop when the largest absolute change of an outer weight is below ``tol``.
    init : ndarray of shape (p, J), optional
        Starting weights (e.g. the full-sample solution for a bootstrap resample); default all ones.
    """
    n = z.shape[0]
    w = block.astype(float) if init is None else init * block
    w = w / (z @ w).std(axis=0, ddof=1)
    converged = False
    n_iter = 0
    for n_iter in range(1, max_iter + 1):  # noqa: B007 - loop over iterations, not data
        y = z @ w
        corr = (y.T @ y) / (n - 1)
        e = inner_weights(corr, pred, scheme)
        inner = y @ e
        w_new = (z.T @ inner) / (n - 1) * block  # Mode A: covariance of each item with its inner proxy
        w_new = w_new / (z @ w_new).std(axis=0, ddof=1)
        delta = np.max(np.abs(w_new - w))
        w = w_new
        if delta < tol:
            converged = True
            break
    y = z @ w
    # orient each construct so that its items load positively on average
    loadings = (z.T @ y) / (n - 1) * block
    sign = np.where(loadings.sum(axis=0) < 0, -1.0, 1.0)
    w = w * sign
    return PLSSolution(weights=w, scores=y * sign, n_iter=n_iter, converged=converged)


def path_regressions(corr: np.ndarray, pred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """OLS path coefficients ``B`` (B[i, j] for i -> j) and R² per construct (NaN if exogenous)."""
    n_lv = corr.shape[0]
    b = np.zeros((n_lv, n_lv))
    r2 = np.full(n_lv, np.nan)
    for j in range(n_lv):
        p = np.flatnonzero(pred[:, j])
        if p.size:
            beta = _solve(corr, p, j, check=True)
            b[p, j] = beta
            r2[j] = float(beta @ corr[p, j])
    return b, r2


def rho_a(z: np.ndarray, w: np.ndarray, block: np.ndarray) -> np.ndarray:
    r"""Dijkstra–Henseler reliability :math:`\rho_A` of each construct (1 for single-item blocks)."""
    n = z.shape[0]
    out = np.ones(block.shape[1])
    for j in range(block.shape[1]):  # loop over constructs
        idx = np.flatnonzero(block[:, j])
        if idx.size < 2:
            continue
        wj = w[idx, j]
        zj = z[:, idx]
        sj = (zj.T @ zj) / (n - 1)
        ww = np.outer(wj, wj)
        num = wj @ (sj - np.diag(np.diag(sj))) @ wj
        den = wj @ (ww - np.diag(np.diag(ww))) @ wj
        out[j] = (wj @ wj) ** 2 * num / den
    return out


def estimates(z: np.ndarray, sol: PLSSolution, block: np.ndarray, pred: np.ndarray, consistent: bool) -> dict:
    r"""Construct correlations, paths, R², loadings (p, J) and rho_A from a converged solution.

    With ``consistent=True`` (PLSc) correlations are disattenuated by :math:`\sqrt{\rho_{A,i}\rho_{A,j}}`
    and loadings rescaled to :math:`\hat c_j w_j` with :math:`\hat c_j = \sqrt{\rho_{A,j}} / (w_j^\top w_j)`.
    """
    n = z.shape[0]
    corr = np.corrcoef(sol.scores, rowvar=False)
    loadings = (z.T @ sol.scores) / (n - 1)
    rho = rho_a(z, sol.weights, block) if consistent else np.full(block.shape[1], np.nan)
    if consistent:
        scale = np.sqrt(np.outer(rho, rho))
        corr = corr / scale
        np.fill_diagonal(corr, 1.0)
        c = np.sqrt(rho) / (sol.weights**2).sum(axis=0)
        loadings = np.where(block, sol.weights * c, loadings)
    b, r2 = path_regressions(corr, pred)
    return {"corr": corr, "paths": b, "r2": r2, "loadings": loadings, "rho_a": rho}
