r"""Prediction intervals for holdout purchases: parameter uncertainty plus process noise.

Chapter 10. A point forecast of 1.3 purchases hides whether 0 or 5 are
plausible. :func:`prediction_intervals` draws, for each of ``n_draws``
replicates,

1. model parameters from their sampling distribution (normal on the log
   scale with the fitted covariance, the same approximation as the Wald
   intervals of ``summary()``);
2. each customer's state at the end of calibration from her posterior:
   alive with probability P(alive), then her latent rates given alive;
3. her purchases in the next ``t`` time units from the model's process.

Quantiles of the draws give per-customer and aggregate (total) intervals.
Counts are discrete, so per-customer coverage is checked with the
randomised probability integral transform (:func:`interval_coverage`),
which is uniform when the predictive distribution is right.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from crmlab._rng import RandomState, as_generator
from crmlab._validation import check_int
from crmlab.clv._data import check_horizon
from crmlab.clv.bgnbd import BetaGeoModel
from crmlab.clv.cnbd import _CNBDBase, _log_phase_terms
from crmlab.clv.mbgnbd import ModifiedBetaGeoModel
from crmlab.clv.paretonbd import ParetoNBDModel

__all__ = ["PredictionIntervals", "interval_coverage", "prediction_intervals"]


@dataclass(frozen=True)
class PredictionIntervals:
    """Result of :func:`prediction_intervals`.

    Parameters
    ----------
    customers : pandas.DataFrame
        Per customer: ``mean`` of the draws and ``lower_<level>``, ``upper_<level>``
        (e.g. ``lower_80``) for each level.
    total : pandas.Series
        The same for the total purchases of all customers.
    draws : numpy.ndarray
        Shape ``(n_draws, n_customers)``: the simulated purchase counts.

    Examples
    --------
    >>> from crmlab.datasets import load_cdnow_summary
    >>> cd = load_cdnow_summary()
    >>> pi = prediction_intervals(BetaGeoModel().fit(cd), cd, 39.0, n_draws=200, random_state=0)
    >>> bool(pi.total['lower_80'] < pi.total['mean'] < pi.total['upper_80'])
    True
    """

    customers: pd.DataFrame
    total: pd.Series
    draws: np.ndarray


def _parameter_draws(model: Any, n: int, rng: np.random.Generator, *,
                     parameter_uncertainty: bool) -> np.ndarray:
    est = model.params_.to_numpy(dtype=float)
    if not parameter_uncertainty:
        return np.tile(est, (n, 1))
    cov = model.covariance_.to_numpy(dtype=float)
    if not np.all(np.isfinite(cov)):
        raise ValueError("prediction_intervals(): the model's covariance is not finite (a barely identified fit); "
                         "pass parameter_uncertainty=False for process noise only, or refit with penalizer_coef.")
    cov_log = cov / np.outer(est, est)
    return np.exp(rng.multivariate_normal(np.log(est), cov_log, size=n, method="eigh"))


def _simulate_future(model: Any, p: tuple[float, ...], t: float, x: np.ndarray, tx: np.ndarray, T: np.ndarray,
                     rng: np.random.Generator) -> np.ndarray:
    """One draw of every customer's purchases in (T, T+t] at parameters ``p`` (vectorised over customers)."""
    n = len(x)
    with np.errstate(all="ignore"):
        pa = np.clip(np.nan_to_num(model._h_p_alive(p, x, tx, T), nan=0.0), 0.0, 1.0)
    alive = rng.random(n) < pa
    if isinstance(model, ParetoNBDModel):
        r, alpha, s, beta = p
        lam = rng.gamma(r + x, 1.0 / (alpha + T))
        mu = rng.gamma(s, 1.0 / (beta + T))
        tau = rng.exponential(1.0 / np.maximum(mu, 1e-300))
        return np.where(alive, rng.poisson(lam * np.minimum(tau, t)), 0)
    r, alpha, a, b = p
    if isinstance(model, _CNBDBase):
        k, m = model.k_, model._m
        lw = _log_phase_terms(r, alpha, k, x, tx, T)
        w = np.exp(lw - np.logaddexp.reduce(lw, axis=0))
        j = (rng.random(n)[None, :] > np.cumsum(w, axis=0)).sum(axis=0).clip(0, k - 1)
        lam = rng.gamma(r + k * x + j, 1.0 / (alpha + T))
        before_drop = (rng.poisson(lam * t) + j) // k
    else:
        m = 1 if isinstance(model, ModifiedBetaGeoModel) else 0
        lam = rng.gamma(r + x, 1.0 / (alpha + T))
        before_drop = rng.poisson(lam * t)
    drop_p = rng.beta(a, b + x + m)
    last = rng.geometric(np.clip(drop_p, 1e-300, 1.0))  # the purchase after which she leaves
    return np.where(alive, np.minimum(before_drop, last), 0)


def prediction_intervals(
    model: Any,
    data: pd.DataFrame,
    t: float,
    *,
    levels: tuple[float, ...] = (0.8, 0.95),
    n_draws: int = 1000,
    parameter_uncertainty: bool = True,
    random_state: RandomState = None,
) -> PredictionIntervals:
    """Return per-customer and total prediction intervals for purchases in the next ``t`` time units.

    Chapter 10.

    Parameters
    ----------
    model : fitted BetaGeoModel, ModifiedBetaGeoModel, ParetoNBDModel or (M)BG/CNBD-k model
        With ``params_`` and ``covariance_``.
    data : pandas.DataFrame
        ``frequency``, ``recency``, ``T`` of the customers to forecast.
    t : float
        Forecast horizon.
    levels : tuple of float, default=(0.8, 0.95)
        Central interval levels.
    n_draws : int, default=1000
        Replicates (each with its own parameter draw).
    parameter_uncertainty : bool, default=True
        Draw parameters from their fitted sampling distribution; False gives process noise only.
    random_state : None, int or numpy.random.Generator
        An int repeats exactly; a Generator advances.

    Returns
    -------
    PredictionIntervals

    Raises
    ------
    TypeError
        For an unsupported model.
    ValueError
        For bad levels, horizon or data, or a non-finite covariance with ``parameter_uncertainty=True``.

    Examples
    --------
    >>> from crmlab.clv import BetaGeoModel
    >>> from crmlab.datasets import load_cdnow_summary
    >>> cd = load_cdnow_summary()
    >>> pi = prediction_intervals(BetaGeoModel().fit(cd), cd, 39.0, n_draws=200, random_state=0)
    >>> list(pi.total.index)
    ['mean', 'lower_80', 'upper_80', 'lower_95', 'upper_95']
    """
    caller = "prediction_intervals"
    if not isinstance(model, BetaGeoModel | ModifiedBetaGeoModel | ParetoNBDModel | _CNBDBase):
        raise TypeError(f"{caller}(): 'model' must be a fitted BG/NBD, MBG/NBD, Pareto/NBD or (M)BG/CNBD-k model; "
                        f"got {type(model).__name__}.")
    check_is_fitted(model, "params_")
    t = check_horizon(t, "t", caller=caller)
    n_draws = check_int(n_draws, "n_draws", caller=caller, minimum=10)
    lv = [float(v) for v in levels]
    if not lv or any(not 0.0 < v < 1.0 for v in lv):
        raise ValueError(f"{caller}(): 'levels' must be numbers in (0, 1); got {levels}.")
    index, x, tx, T = model._rows(data, caller)
    rng = as_generator(random_state)
    thetas = _parameter_draws(model, n_draws, rng, parameter_uncertainty=parameter_uncertainty)
    draws = np.empty((n_draws, len(x)), dtype=np.int64)
    for i in range(n_draws):  # one pass per replicate, all customers at once
        draws[i] = _simulate_future(model, tuple(thetas[i]), t, x, tx, T, rng)
    cust = {"mean": draws.mean(axis=0)}
    tot_draws = draws.sum(axis=1)
    tot = {"mean": float(tot_draws.mean())}
    for v in lv:
        lo, hi = (1 - v) / 2, (1 + v) / 2
        name = f"{round(100 * v):d}"
        cust[f"lower_{name}"], cust[f"upper_{name}"] = np.quantile(draws, [lo, hi], axis=0, method="inverted_cdf")
        tot[f"lower_{name}"], tot[f"upper_{name}"] = (float(q) for q in np.quantile(tot_draws, [lo, hi]))
    return PredictionIntervals(pd.DataFrame(cust, index=index), pd.Series(tot, name="total"), draws)


def interval_coverage(draws: np.ndarray, actual: np.ndarray | pd.Series, *, levels: tuple[float, ...] = (0.8, 0.95),
                      random_state: RandomState = None) -> pd.Series:
    r"""Return the share of customers inside each central interval, by the randomised PIT.

    Chapter 10. For a count y with predictive CDF F, :math:`u = F(y-1) + V\,(F(y) - F(y-1))`,
    V ~ U(0, 1), is uniform when F is right, so the share of u inside
    ((1-c)/2, (1+c)/2) estimates the coverage of a level-c interval without
    the over-coverage that ties of discrete quantiles cause.

    Parameters
    ----------
    draws : numpy.ndarray
        ``PredictionIntervals.draws``, shape ``(n_draws, n_customers)``.
    actual : array-like
        Observed counts per customer.
    levels : tuple of float, default=(0.8, 0.95)
        Interval levels.
    random_state : None, int or numpy.random.Generator
        An int repeats exactly; a Generator advances.

    Returns
    -------
    pandas.Series
        Coverage per level (index ``"80"``, ``"95"``, ...).

    Raises
    ------
    ValueError
        If ``actual`` does not have one value per customer.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> lam = rng.gamma(2.0, 1.0, 500)
    >>> draws = rng.poisson(lam, size=(400, 500))  # a well-specified predictive distribution
    >>> interval_coverage(draws, rng.poisson(lam), random_state=0)  # close to 0.80 and 0.95
    80    0.790
    95    0.946
    Name: coverage, dtype: float64
    """
    y = np.asarray(actual, dtype=float)
    if draws.ndim != 2 or y.shape != (draws.shape[1],):
        raise ValueError("interval_coverage(): 'actual' must have one value per column of 'draws'.")
    below = (draws < y[None, :]).mean(axis=0)
    at_or_below = (draws <= y[None, :]).mean(axis=0)
    u = below + as_generator(random_state).random(len(y)) * (at_or_below - below)
    out = {f"{round(100 * c):d}": float(np.mean(np.abs(u - 0.5) < c / 2)) for c in levels}
    return pd.Series(out, name="coverage")
