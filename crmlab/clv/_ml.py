"""Maximum likelihood for the BTYD models: optimiser, standard errors, failure reports.

Chapter 6. Models give a vectorised log-likelihood in log space that
broadcasts over a batch of parameter vectors (shape ``(m, 1)``) against the
data rows (shape ``(n,)``), and optionally an analytic gradient. L-BFGS-B
runs on the log-parameters (analytic or batched central finite-difference
gradient); on data with many unique rows a fit on a stratified subsample
gives the start and its curvature, and BFGS scaled by that curvature needs
a few iterations on the full data (L-BFGS-B takes over if it fails);
standard errors come from a central-difference Hessian on the
log-parameters and the delta method; a failed fit raises :class:`FitError`
saying where the likelihood stopped being finite, what the optimiser
reported and what to try.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.linalg import eigh_tridiagonal
from scipy.optimize import minimize
from threadpoolctl import threadpool_limits

from crmlab._validation import (
    CrmlabWarning,
)

__all__ = ["FitError"]

_LOG_BOUND = 25.0  # log-parameters stay in [-25, 25]: about 1e-11 .. 7e10


class FitError(RuntimeError):
    """Raised when a chapter 6 model cannot be fitted; the message says why and what to try."""


@dataclass
class MLResult:
    """Outcome of :func:`maximize_likelihood`."""

    params: np.ndarray
    log_likelihood: float
    standard_errors: np.ndarray
    covariance: np.ndarray
    n_iter: int
    message: str


def _batch_loglik(loglik: Callable[..., np.ndarray], logp: np.ndarray, data: Any, w: np.ndarray) -> np.ndarray:
    """Total weighted log-likelihood for each row of ``logp`` (shape (m, k)); non-finite -> nan."""
    cols = [np.exp(logp[:, j])[:, None] for j in range(logp.shape[1])]
    with np.errstate(all="ignore"):
        ll = loglik(*cols, data)
        total = ll @ w
    return np.where(np.isfinite(total), total, np.nan)


def _grad_z(loglik_grad: Callable[..., tuple[np.ndarray, np.ndarray]], z: np.ndarray, data: Any,
            w: np.ndarray) -> tuple[float, np.ndarray]:
    """Total log-likelihood and its gradient with respect to the log-parameters."""
    theta = np.exp(z)
    with np.errstate(all="ignore"):
        ll, g = loglik_grad(*theta, data)
        tot = float(ll @ w)
        gz = theta * (g @ w)
    if not np.isfinite(tot) or not np.all(np.isfinite(gz)):
        return float("nan"), gz
    return tot, gz


def maximize_likelihood(
    loglik: Callable[..., np.ndarray],
    data: Any,
    w: np.ndarray,
    x0: np.ndarray,
    *,
    names: tuple[str, ...],
    caller: str,
    penalizer_coef: float = 0.0,
    row_info: Callable[[np.ndarray], str] | None = None,
    max_iter: int = 2000,
    loglik_grad: Callable[..., tuple[np.ndarray, np.ndarray]] | None = None,
    start_hessian: np.ndarray | None = None,
) -> MLResult:
    """Maximise a vectorised log-likelihood over positive parameters.

    ``loglik(*params, data)`` returns the per-row log-likelihood with the
    parameters as ``(m, 1)`` arrays; ``w`` weights the rows. If given,
    ``loglik_grad(*params, data)`` (scalar parameters) returns the per-row
    log-likelihood and its ``(k, n)`` gradient; otherwise a batched central
    finite difference is used.

    ``start_hessian`` is an estimate of the Hessian of the negative mean
    log-likelihood (per unit of weight) in the log-parameters at ``x0``, e.g.
    from a fit on a subsample (:func:`start_from_subsample`). With it the fit
    starts with quasi-Newton steps scaled by that curvature (BFGS with this
    initial inverse Hessian), which from a close start needs a few iterations;
    if that stage fails the plain bounded L-BFGS-B run takes over from its best
    point. Without it, ``data._cache["close_start"] == (x0, hessian)`` (set by
    the models' close start) supplies it when ``x0`` matches.
    """
    k = len(names)
    h = 1e-6
    eye = np.eye(k)
    steps = np.vstack([np.zeros(k), h * eye, -h * eye])
    trouble: dict[str, Any] = {}
    scale = max(float(w.sum()), 1.0)
    last: dict[str, Any] = {}

    def objective(z: np.ndarray) -> tuple[float, np.ndarray]:
        if "z" in last and np.array_equal(z, last["z"]):  # the optimiser's last point, asked for again below
            return last["out"]
        last["z"], last["out"] = z.copy(), _objective(z)
        return last["out"]

    def _objective(z: np.ndarray) -> tuple[float, np.ndarray]:
        if loglik_grad is not None:
            tot, gz = _grad_z(loglik_grad, z, data, w)
            th2 = np.exp(2 * z)
            f0 = -(tot - penalizer_coef * th2.sum()) / scale
            grad = -(gz - 2 * penalizer_coef * th2) / scale
        else:
            pts = z[None, :] + steps
            tot_b = _batch_loglik(loglik, pts, data, w)
            f = -(tot_b - penalizer_coef * np.exp(2 * pts).sum(axis=1)) / scale
            f0 = f[0]
            grad = (f[1 : k + 1] - f[k + 1 :]) / (2 * h)
        if not np.isfinite(f0):
            if "point" not in trouble:
                trouble["point"] = np.exp(z)
            return 1e10, -z  # push back towards moderate parameters
        return float(f0), np.where(np.isfinite(grad), grad, 0.0)

    x0 = np.asarray(x0, dtype=float)
    if start_hessian is None:
        hint = getattr(data, "_cache", {}).get("close_start")
        if hint is not None and np.array_equal(hint[0], x0):
            start_hessian = hint[1]
    # a 4-parameter problem gains nothing from BLAS threads; on a busy machine they cost ~5x in spin-waiting
    with threadpool_limits(1):
        res, nit = None, 0
        if start_hessian is not None:
            res, nit, x0 = _scaled_quasi_newton(objective, x0, start_hessian, max_iter)
        if res is None:
            res = minimize(
                objective, x0, jac=True, method="L-BFGS-B",
                bounds=[(-_LOG_BOUND, _LOG_BOUND)] * k,
                options={"maxiter": max_iter, "ftol": 1e-14, "gtol": 1e-8, "maxcor": 20},
            )
            res.nit += nit
        z = res.x
        ll = float(_batch_loglik(loglik, z[None, :], data, w)[0])
        _, grad = objective(z)
    grad_ok = np.all(np.abs(grad) < 1e-4)
    at_bound = np.abs(z) >= _LOG_BOUND - 1e-6
    if not np.isfinite(ll) or (not res.success and not grad_ok) or at_bound.any():
        _raise_fit_error(res, z, ll, names, caller, trouble, at_bound, row_info, loglik, data)
    with threadpool_limits(1):
        cov, se = _standard_errors(loglik, z, data, w, loglik_grad)
    return MLResult(np.exp(z), ll, se, cov, int(res.nit), str(res.message))


def _scaled_quasi_newton(objective: Callable[[np.ndarray], tuple[float, np.ndarray]], x0: np.ndarray,
                         hessian: np.ndarray, max_iter: int) -> tuple[Any, int, np.ndarray]:
    """BFGS from ``x0`` with ``inv(hessian)`` as its first inverse Hessian: Newton-like steps from a close start.

    Returns ``(result, iterations, best point)``; ``result`` is None when this stage did not
    converge inside the parameter bounds (the caller then runs L-BFGS-B from the best point).
    """
    try:
        h = (hessian + hessian.T) / 2
        np.linalg.cholesky(h)  # positive definite, or no use as a metric
        hess_inv = np.linalg.inv(h)
        hess_inv = (hess_inv + hess_inv.T) / 2
        np.linalg.cholesky(hess_inv)
    except np.linalg.LinAlgError:
        return None, 0, x0
    if not np.all(np.isfinite(hess_inv)):
        return None, 0, x0
    res = minimize(objective, x0, jac=True, method="BFGS",
                   options={"maxiter": min(max_iter, 200), "gtol": 1e-8, "hess_inv0": hess_inv})
    inside = np.all(np.abs(res.x) < _LOG_BOUND - 1e-6) and np.isfinite(res.fun) and res.fun < 1e9
    gmax = float(np.max(np.abs(res.jac))) if res.jac is not None else np.inf
    if inside and (res.success or gmax < 1e-7):
        return res, int(res.nit), res.x
    best = res.x if inside else x0
    return None, int(res.nit), best


#: fits on more unique rows than twice this start from a fit on this many of them
SUBSAMPLE_ROWS = 20_000


def subsample_rows(n: int, limit: int = SUBSAMPLE_ROWS) -> np.ndarray | None:
    """Every k-th row (deterministic, spread over the whole data) if ``n > 2 * limit``, else None."""
    if n <= 2 * limit:
        return None
    return np.arange(0, n, n // limit)


def start_from_subsample(loglik: Callable[..., np.ndarray], data: Any, w: np.ndarray, x0: np.ndarray, *,
                         names: tuple[str, ...],
                         loglik_grad: Callable[..., tuple[np.ndarray, np.ndarray]] | None = None,
                         ) -> tuple[np.ndarray, np.ndarray | None]:
    """Log-parameters fitted on a subsample and the curvature there, to start the full fit close to its maximum.

    Returns ``(z, hessian)``: the subsample's estimate in log-parameters and the Hessian of
    its negative log-likelihood per unit of weight (the inverse of its covariance on the log
    scale, divided by the subsample's weight), which estimates the full data's per-customer
    curvature. The full fit then takes Newton-like steps and needs a few iterations instead
    of a few dozen; the maximum it reaches does not depend on the start. Falls back to
    ``(x0, None)`` if the subsample fit fails.
    """
    x0 = np.asarray(x0, dtype=float)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = maximize_likelihood(loglik, data, w, x0, names=names, caller="start", loglik_grad=loglik_grad)
    except (FitError, FloatingPointError, ValueError, np.linalg.LinAlgError):
        return x0, None
    z = np.log(res.params)
    cov_log = res.covariance / np.outer(res.params, res.params)
    try:
        hessian = np.linalg.inv(cov_log) / max(float(w.sum()), 1.0)
    except np.linalg.LinAlgError:
        return z, None
    if not np.all(np.isfinite(hessian)):
        return z, None
    return z, hessian


def _raise_fit_error(res: Any, z: np.ndarray, ll: float, names: tuple[str, ...], caller: str,
                     trouble: dict[str, Any], at_bound: np.ndarray,
                     row_info: Callable[[np.ndarray], str] | None, loglik: Callable[..., np.ndarray],
                     data: Any) -> None:
    def fmt(p: np.ndarray) -> str:
        return "{" + ", ".join(f"{n}={v:.4g}" for n, v in zip(names, p, strict=True)) + "}"

    parts = [f"{caller}(): the maximum-likelihood fit failed after {res.nit} iterations "
             f"(optimiser: {res.message}); last parameters {fmt(np.exp(z))}, log-likelihood {ll:.6g}."]
    if at_bound.any():
        parts.append(f"Parameter(s) {[n for n, b in zip(names, at_bound, strict=True) if b]} ran to the edge of "
                     "[1e-11, 7e10]: the data cannot pin them down (too few repeat buyers, or a degenerate sample).")
    if "point" in trouble:
        p = trouble["point"]
        where = ""
        if row_info is not None:
            with np.errstate(all="ignore"):
                rows = loglik(*[np.array([[v]]) for v in p], data)[0]
            where = " " + row_info(~np.isfinite(rows))
        parts.append(f"The log-likelihood was not finite at {fmt(p)}.{where}")
    parts.append("Try: penalizer_coef=0.001 (shrinks parameters), rescaling time (e.g. weeks instead of days), "
                 "initial_params close to a rough guess, or check the data for outliers.")
    raise FitError(" ".join(parts))


def _standard_errors(loglik: Callable[..., np.ndarray], z: np.ndarray, data: Any, w: np.ndarray,
                     loglik_grad: Callable[..., tuple[np.ndarray, np.ndarray]] | None = None,
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Covariance and standard errors via a central-difference Hessian on log-parameters."""
    k = len(z)
    eye = np.eye(k)
    if loglik_grad is not None:
        h = 1e-5
        rows = [(_grad_z(loglik_grad, z + h * eye[j], data, w)[1] - _grad_z(loglik_grad, z - h * eye[j], data, w)[1])
                / (2 * h) for j in range(k)]
        hess = np.array(rows)
    else:
        h = 1e-4
        offsets = [np.zeros(k)]
        for i in range(k):
            offsets += [2 * h * eye[i], -2 * h * eye[i]]
        pairs = [(i, j) for i in range(k) for j in range(i + 1, k)]
        for i, j in pairs:
            offsets += [h * (si * eye[i] + sj * eye[j]) for si, sj in ((1, 1), (1, -1), (-1, 1), (-1, -1))]
        tot = _batch_loglik(loglik, z[None, :] + np.array(offsets), data, w)
        hess = np.empty((k, k))
        for i in range(k):
            hess[i, i] = (tot[1 + 2 * i] - 2 * tot[0] + tot[2 + 2 * i]) / (4 * h * h)
        base = 1 + 2 * k
        for n, (i, j) in enumerate(pairs):
            q = tot[base + 4 * n : base + 4 * n + 4]
            hess[i, j] = hess[j, i] = (q[0] - q[1] - q[2] + q[3]) / (4 * h * h)
    info = -(hess + hess.T) / 2
    theta = np.exp(z)
    try:
        cov_log = np.linalg.inv(info)
        if not np.all(np.isfinite(cov_log)) or np.any(np.diag(cov_log) <= 0):
            raise np.linalg.LinAlgError
    except np.linalg.LinAlgError:
        return np.full((k, k), np.nan), np.full(k, np.nan)
    cov = cov_log * np.outer(theta, theta)  # delta method
    return cov, np.sqrt(np.diag(cov))


def warn_if_weakly_identified(params: pd.Series, se: pd.Series, *, caller: str) -> None:
    """Warn when the Hessian is singular or a parameter's standard error dwarfs its estimate."""
    rel = (se / params).to_numpy()
    weak = [n for n, v in zip(params.index, rel, strict=True) if not np.isfinite(v) or v > 10]
    if weak:
        warnings.warn(
            f"{caller}(): parameter(s) {weak} are barely identified by the data (standard error more than 10 times "
            f"the estimate, or a singular information matrix); estimates {params.round(6).to_dict()}. Their values "
            "are not meaningful on their own: get more data (more repeat buyers, a longer window) or pass "
            "penalizer_coef=0.001.",
            CrmlabWarning, stacklevel=3,
        )


def beta_nodes(n: int, a: float, b: float) -> tuple[np.ndarray, np.ndarray]:
    """Gauss nodes and weights for the Beta(a, b) density on (0, 1), by Golub-Welsch (no overflow for large b)."""
    al, be = b - 1.0, a - 1.0  # Jacobi weight (1-s)^al (1+s)^be on [-1, 1]
    k = np.arange(n, dtype=float)
    s2 = 2 * k + al + be
    diag = np.where(k == 0, (be - al) / (al + be + 2.0), (be**2 - al**2) / np.where(k == 0, 1.0, s2 * (s2 + 2.0)))
    m = k[1:]
    s2m = 2 * m + al + be
    off = np.sqrt(4 * m * (m + al) * (m + be) * (m + al + be) / (s2m**2 * (s2m + 1.0) * (s2m - 1.0)))
    nodes, vecs = eigh_tridiagonal(diag, off)
    w = vecs[0] ** 2
    return (nodes + 1.0) / 2.0, w / w.sum()


