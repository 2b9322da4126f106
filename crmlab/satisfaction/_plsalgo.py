"""Numerical core of PLS path modelling (Lohmöller's algorithm), arrays only.

Private: the public estimator in :mod:`crmlab.satisfaction.pls` validates the input, then calls
:func:`lohmoller` on item correlation matrices. With standardized items every quantity of PLS-PM
(score covariances, covariances of items with inner proxies, loadings) is a product of the item
correlation matrix ``S`` and the outer weights, so the algorithm runs on ``S`` alone. All functions
take a leading batch axis (one correlation matrix per bootstrap resample), so thousands of resamples
iterate together as stacked matrix products instead of a Python loop over resamples.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


class CollinearError(Exception):
    """Raised when the predecessors of construct ``j`` (or, if ``formative``, its items) are collinear."""

    def __init__(self, j: int, *, formative: bool = False) -> None:
        super().__init__(j)
        self.j = j
        self.formative = formative


def _solve(corr: np.ndarray, p: np.ndarray, j: int, *, check: bool = False) -> np.ndarray:
    """Batched regression coefficients (B, |p|) of construct j on constructs p, from correlations (B, J, J).

    ``check=True`` also rejects nearly singular systems (condition number above 1e10).
    """
    sub = corr[:, p[:, None], p[None, :]]
    if check and p.size > 1 and np.any(np.linalg.cond(sub) > 1e10):
        raise CollinearError(j)
    try:
        return np.linalg.solve(sub, corr[:, p, j][..., None])[..., 0]
    except np.linalg.LinAlgError:
        raise CollinearError(j) from None


@dataclass(frozen=True)
class PLSSolution:
    """Raw arrays of a batch of PLS fits (all on standardized items)."""

    weights: np.ndarray  # (B, p, J) outer weights for standardized items, zero outside each block
    n_iter: int
    converged: np.ndarray  # (B,) bool


def standardize(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(z, mean, sd)`` with ``sd`` the sample (ddof=1) standard deviation, along axis -2."""
    mean = x.mean(axis=-2, keepdims=True)
    sd = x.std(axis=-2, ddof=1, keepdims=True)
    z = (x - mean) / sd
    if x.ndim == 2:
        return z, mean[0], sd[0]
    return z, mean, sd


def correlation(z: np.ndarray) -> np.ndarray:
    """Correlation matrices ``z'z / (n - 1)`` of standardized data, batched: (B, n, p) -> (B, p, p)."""
    z = z[None] if z.ndim == 2 else z
    return np.matmul(np.swapaxes(z, -1, -2), z) / (z.shape[-2] - 1)


def score_corr(s: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Covariances ``w' S w`` (B, J, J) of the construct scores."""
    return np.swapaxes(w, -1, -2) @ s @ w


def _unit(s: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Rescale each column of ``w`` so that its score has unit variance."""
    var = np.einsum("bpj,bpq,bqj->bj", w, s, w)
    return w / np.sqrt(var)[:, None, :]


def inner_weights(corr: np.ndarray, pred: np.ndarray, scheme: str) -> np.ndarray:
    """Inner weight matrices ``E`` (B, J, J) with ``Z = Y @ E`` (column j is the inner proxy of construct j).

    ``pred[i, j]`` is True when construct i points at construct j (i -> j).
    """
    adjacent = pred | pred.T
    if scheme == "centroid":
        return np.sign(corr) * adjacent
    if scheme == "factorial":
        return corr * adjacent
    # path weighting: predecessors get multiple-regression coefficients,
    # successors get correlations (Lohmöller 1989; Tenenhaus et al. 2005, sec. 2.3)
    e = corr * pred.T  # e[k, j] = cor(Y_k, Y_j) for each successor k of j (j -> k)
    for j in range(pred.shape[0]):  # loop over constructs, batched over resamples
        p = np.flatnonzero(pred[:, j])
        if p.size:
            e[:, p, j] = _solve(corr, p, j)
    return e


def formative_inverses(s: np.ndarray, block: np.ndarray, mode_b: np.ndarray) -> dict[int, np.ndarray]:
    """Inverse item correlation matrix (B, k, k) of every formative block; computed once per fit.

    Raises :class:`CollinearError` (``formative=True``) when a block's items are (nearly) collinear.
    """
    out = {}
    for j in np.flatnonzero(mode_b):  # loop over formative constructs, batched over resamples
        idx = np.flatnonzero(block[:, j])
        sub = s[:, idx[:, None], idx[None, :]]
        if np.any(np.linalg.cond(sub) > 1e10):
            raise CollinearError(j, formative=True)
        out[int(j)] = np.linalg.inv(sub)
    return out


def outer_update(cov_inner: np.ndarray, block: np.ndarray, inverses: dict[int, np.ndarray]) -> np.ndarray:
    r"""Return new (unnormalised) outer weights from the item/inner-proxy covariances ``S W E`` (B, p, J).

    Mode A: :math:`w_j = \operatorname{cov}(x_j, Z_j)`. Mode B: :math:`w_j = S_{jj}^{-1}\operatorname{cov}(x_j, Z_j)`,
    the multiple-regression weights of the inner proxy on the block's items (``inverses`` holds
    :math:`S_{jj}^{-1}` of each formative block).
    """
    w = cov_inner * block
    for j, inv in inverses.items():  # loop over formative constructs, batched over resamples
        idx = np.flatnonzero(block[:, j])
        w[:, idx, j] = (inv @ cov_inner[:, idx, j][..., None])[..., 0]
    return w


def lohmoller(
    s: np.ndarray,
    block: np.ndarray,
    pred: np.ndarray,
    scheme: str,
    max_iter: int,
    tol: float,
    mode_b: np.ndarray | None = None,
    init: np.ndarray | None = None,
) -> PLSSolution:
    """Run the PLS-PM iterations on item correlation matrices.

    Parameters
    ----------
    s : ndarray of shape (B, p, p)
        Item correlation matrices (one per resample; B = 1 for a plain fit).
    block : ndarray of bool, shape (p, J)
        ``block[k, j]`` is True when item k measures construct j.
    pred : ndarray of bool, shape (J, J)
        Inner model, ``pred[i, j]`` for the path i -> j.
    scheme : {"path", "centroid", "factorial"}
    max_iter : int
    tol : float
        A resample stops (its weights are frozen) when the largest absolute change of an outer
        weight is below ``tol``.
    mode_b : ndarray of bool, shape (J,), optional
        True for formative (Mode B) constructs; default all Mode A.
    init : ndarray of shape (p, J), optional
        Starting weights (e.g. the full-sample solution for bootstrap resamples); default all ones.
    """
    n_batch = s.shape[0]
    mode_b = np.zeros(block.shape[1], dtype=bool) if mode_b is None else mode_b
    w0 = block.astype(float) if init is None else init * block
    w = _unit(s, np.broadcast_to(w0, (n_batch, *block.shape)).copy())
    inverses = formative_inverses(s, block, mode_b)
    converged = np.zeros(n_batch, dtype=bool)
    n_iter = 0
    for n_iter in range(1, max_iter + 1):  # noqa: B007 - loop over iterations, not data
        corr = score_corr(s, w)
        e = inner_weights(corr, pred, scheme)
        w_new = _unit(s, outer_update(s @ w @ e, block, inverses))
        delta = np.max(np.abs(w_new - w), axis=(1, 2))
        w = np.where(converged[:, None, None], w, w_new)
        converged |= delta < tol
        if converged.all():
            break
    # orient each construct so that its items load positively on average
    loadings = (s @ w) * block
    sign = np.where(loadings.sum(axis=1) < 0, -1.0, 1.0)
    return PLSSolution(weights=w * sign[:, None, :], n_iter=n_iter, converged=converged)


def path_regressions(corr: np.ndarray, pred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """OLS path coefficients ``B`` (B[:, i, j] for i -> j) and R² per construct (NaN if exogenous)."""
    n_batch, n_lv = corr.shape[0], corr.shape[1]
    b = np.zeros((n_batch, n_lv, n_lv))
    r2 = np.full((n_batch, n_lv), np.nan)
    for j in range(n_lv):  # loop over constructs, batched over resamples
        p = np.flatnonzero(pred[:, j])
        if p.size:
            beta = _solve(corr, p, j, check=True)
            b[:, p, j] = beta
            r2[:, j] = np.einsum("bk,bk->b", beta, corr[:, p, j])
    return b, r2


def rho_a(s: np.ndarray, w: np.ndarray, block: np.ndarray) -> np.ndarray:
    r"""Dijkstra–Henseler reliability :math:`\rho_A` (B, J) of each construct (1 for single-item blocks)."""
    out = np.ones((s.shape[0], block.shape[1]))
    for j in range(block.shape[1]):  # loop over constructs
        idx = np.flatnonzero(block[:, j])
        if idx.size < 2:
            continue
        wj = w[:, idx, j]
        sj = s[:, idx[:, None], idx[None, :]]
        diag_s = np.einsum("bkk,bk->b", sj, wj**2)
        num = np.einsum("bk,bkl,bl->b", wj, sj, wj) - diag_s
        ssq = (wj**2).sum(axis=1)
        den = np.einsum("bk,bk->b", wj, wj) ** 2 - (wj**4).sum(axis=1)
        out[:, j] = ssq**2 * num / den
    return out


def estimates(s: np.ndarray, w: np.ndarray, block: np.ndarray, pred: np.ndarray, consistent: np.ndarray | bool) -> dict:
    r"""Construct correlations, paths, R², loadings (B, p, J) and rho_A from converged weights.

    ``consistent`` is a bool, or a bool array (J,) flagging the constructs to correct (PLSc applies to
    reflective blocks only). Corrected construct correlations are divided by
    :math:`\sqrt{\rho_{A,i}\rho_{A,j}}` and their loadings rescaled to :math:`\hat c_j w_j` with
    :math:`\hat c_j = \sqrt{\rho_{A,j}} / (w_j^\top w_j)`.
    """
    corr = score_corr(s, w)
    loadings = s @ w
    correct = np.broadcast_to(np.asarray(consistent, dtype=bool), (block.shape[1],))
    rho = rho_a(s, w, block)
    if correct.any():
        rho_used = np.where(correct, rho, 1.0)
        corr = corr / np.sqrt(rho_used[:, :, None] * rho_used[:, None, :])
        idx = np.arange(corr.shape[1])
        corr[:, idx, idx] = 1.0
        c = np.sqrt(rho_used) / (w**2).sum(axis=1)
        loadings = np.where(block & correct, w * c[:, None, :], loadings)
    b, r2 = path_regressions(corr, pred)
    return {"corr": corr, "paths": b, "r2": r2, "loadings": loadings, "rho_a": rho}


def total_effects(b: np.ndarray) -> np.ndarray:
    """Direct + indirect effects :math:`(I - B)^{-1} - I` of path matrices (B, J, J)."""
    eye = np.eye(b.shape[-1])
    return np.linalg.inv(eye - b) - eye
