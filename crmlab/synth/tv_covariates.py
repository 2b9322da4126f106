r"""A world of Pareto/NBD buyers whose buying and leaving move with weekly covariates, truth kept.

Chapter 10. Customer *i* joins at a random time in the first
``acquisition_periods`` weeks, buys at rate :math:`\lambda_i e^{\gamma_P' z_i(t)}`
and leaves with hazard :math:`\mu_i e^{\gamma_D' z_i(t)}`,
:math:`\lambda_i \sim \mathrm{Gamma}(r, \alpha_0)`,
:math:`\mu_i \sim \mathrm{Gamma}(s, \beta_0)` (rates), covariates constant
within each week. Both processes are simulated exactly by a change of time
scale: the dropout time solves :math:`\mu_i B_i(\tau) = E` with
:math:`E \sim \mathrm{Exp}(1)`, and purchases are a unit-rate Poisson process
on the purchase exposure :math:`\lambda_i A_i(t)` mapped back to calendar
time. Vectorised over customers and weeks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crmlab._rng import RandomState, as_generator
from crmlab._validation import check_int, check_number

__all__ = ["TVCovariateWorld", "simulate_tv_covariate_world"]


@dataclass
class TVCovariateWorld:
    """Output of :func:`simulate_tv_covariate_world`: the observed tables and the truth behind them.

    Parameters
    ----------
    transactions : pandas.DataFrame
        Calibration purchases: ``customer_id``, ``date`` (first purchase included).
    holdout : pandas.DataFrame
        Purchases after ``calibration_end`` up to ``holdout_end``.
    covariates : pandas.DataFrame
        ``customer_id``, ``period`` (week start) and one column per covariate, for every
        customer and week of calibration and holdout.
    customers : pandas.DataFrame
        Index ``customer_id``: true ``lam``, ``mu``, ``birth`` and ``death`` (weeks since the
        start; inf if alive at the end), ``alive`` (at ``calibration_end``),
        ``holdout_purchases``.
    truth : pandas.Series
        True parameters, named like the fitted ``params_`` of
        :class:`~crmlab.clv.ParetoNBDTimeVaryingModel`.
    calibration_end, holdout_end : pandas.Timestamp
        End of the calibration and of the holdout weeks.

    Examples
    --------
    >>> w = simulate_tv_covariate_world(50, n_periods=20, random_state=0)
    >>> w.truth[["purchase:is_promo", "purchase:season", "dropout:is_promo"]].tolist()
    [0.6, 0.4, -0.5]
    """

    transactions: pd.DataFrame
    holdout: pd.DataFrame
    covariates: pd.DataFrame
    customers: pd.DataFrame
    truth: pd.Series
    calibration_end: pd.Timestamp
    holdout_end: pd.Timestamp


def _covariate(name: str, n: int, h: int, rng: np.random.Generator, promo_rate: float) -> np.ndarray:
    if name.startswith("is_"):
        return (rng.random((n, h)) < promo_rate).astype(float)
    if name == "season":
        return np.broadcast_to(np.sin(2 * np.pi * (np.arange(h) + 0.5) / 52.0), (n, h)).copy()
    return np.broadcast_to(rng.standard_normal(n)[:, None], (n, h)).copy()


def _invert(cum_end: np.ndarray, rate: np.ndarray, start: np.ndarray, target: np.ndarray,
            rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Calendar time at which row ``rows``' cumulative exposure reaches ``target`` (inf if never)."""
    n, h = cum_end.shape
    total = cum_end[rows, -1]
    never = target > total
    target = np.minimum(target, total)
    big = float(np.max(cum_end[:, -1], initial=0.0)) + 1.0
    flat = (cum_end + big * np.arange(n)[:, None]).ravel()
    k = np.searchsorted(flat, target + big * rows, side="left") - rows * h
    kk = np.minimum(k, h - 1)
    before = np.where(kk > 0, cum_end[rows, np.maximum(kk - 1, 0)], 0.0)
    t = start[rows, kk] + (target - before) / rate[rows, kk]
    return np.where(never, np.inf, t), kk


def simulate_tv_covariate_world(
    n_customers: int, *, n_periods: int = 104, holdout_periods: int = 0, params: dict[str, float] | None = None,
    purchase_effects: dict[str, float] | None = None, dropout_effects: dict[str, float] | None = None,
    acquisition_periods: int | None = None, promo_rate: float = 0.25, start: str = "2024-01-01",
    random_state: RandomState = None,
) -> TVCovariateWorld:
    r"""Simulate Pareto/NBD buyers under weekly time-varying covariates, with the truth kept.

    Chapter 10. Covariates named in the effect dicts: a name starting with
    ``"is_"`` is a weekly 0/1 indicator per customer (e.g. received a promotion
    that week, probability ``promo_rate``); ``"season"`` is a yearly sine wave
    shared by all customers; any other name is a standard-normal customer
    trait, constant over time.

    Parameters
    ----------
    n_customers : int
        Number of customers.
    n_periods : int, default=104
        Calibration weeks.
    holdout_periods : int, default=0
        Weeks simulated after the calibration.
    params : dict, optional
        ``r``, ``alpha``, ``s``, ``beta`` (default 0.8, 8, 0.6, 30).
    purchase_effects, dropout_effects : dict of str to float, optional
        True coefficients (default ``{"is_promo": 0.6, "season": 0.4}`` and
        ``{"is_promo": -0.5}``: promotions raise buying and lower leaving).
    acquisition_periods : int, optional
        First purchases are spread uniformly over these first weeks (default
        26, or ``n_periods`` if shorter).
    promo_rate : float, default=0.25
        Probability of a 0/1 indicator being one in a week.
    start : str, default="2024-01-01"
        Date of the start of week 0.
    random_state : None, int or numpy.random.Generator
        An int repeats exactly; a Generator advances.

    Returns
    -------
    TVCovariateWorld

    Examples
    --------
    >>> w = simulate_tv_covariate_world(200, n_periods=52, holdout_periods=13, random_state=0)
    >>> list(w.covariates.columns), len(w.covariates) == 200 * 65
    (['customer_id', 'period', 'is_promo', 'season'], True)
    >>> bool(w.transactions["date"].max() <= w.calibration_end < w.holdout["date"].min())
    True
    """
    caller = "simulate_tv_covariate_world"
    n = check_int(n_customers, "n_customers", caller=caller, minimum=1)
    nc = check_int(n_periods, "n_periods", caller=caller, minimum=1)
    nh = check_int(holdout_periods, "holdout_periods", caller=caller, minimum=0)
    acq = min(26, nc) if acquisition_periods is None else acquisition_periods
    acq = check_int(acq, "acquisition_periods", caller=caller, minimum=1, maximum=nc)
    rate = check_number(promo_rate, "promo_rate", caller=caller, minimum=0.0, maximum=1.0)
    par = {"r": 0.8, "alpha": 8.0, "s": 0.6, "beta": 30.0, **(params or {})}
    for k in ("r", "alpha", "s", "beta"):
        check_number(par[k], f"params['{k}']", caller=caller, minimum=0.0, strict_min=True)
    pe = {"is_promo": 0.6, "season": 0.4} if purchase_effects is None else dict(purchase_effects)
    de = {"is_promo": -0.5} if dropout_effects is None else dict(dropout_effects)
    rng = as_generator(random_state, caller=caller)
    h = nc + nh
    names = list(dict.fromkeys([*pe, *de]))
    z = {nm: _covariate(nm, n, h, rng, rate) for nm in names}
    lp = sum((z[nm] * float(g) for nm, g in pe.items()), np.zeros((n, h)))
    lq = sum((z[nm] * float(g) for nm, g in de.items()), np.zeros((n, h)))
    p, q = np.exp(lp), np.exp(lq)
    lam = rng.gamma(par["r"], 1.0 / par["alpha"], n)
    mu = rng.gamma(par["s"], 1.0 / par["beta"], n)
    birth = rng.uniform(0.0, acq, n)
    weeks = np.arange(h, dtype=float)
    seg_start = np.maximum(weeks[None, :], birth[:, None])
    rows = np.arange(n)
    # dropout: the dropout exposure mu * B reaches an Exp(1) draw
    length = np.clip(weeks[None, :] + 1.0 - seg_start, 0.0, None)
    cum_b = np.cumsum(q * length, axis=1)
    death, _ = _invert(cum_b, q, seg_start, rng.exponential(1.0, n) / mu, rows)
    # purchases: unit-rate Poisson on the purchase exposure lam * A over the customer's life
    life = np.clip(np.minimum(weeks[None, :] + 1.0, death[:, None]) - seg_start, 0.0, None)
    cum_a = np.cumsum(p * life, axis=1)
    counts = rng.poisson(lam * cum_a[:, -1])
    who = np.repeat(rows, counts)
    target = rng.uniform(0.0, 1.0, len(who)) * cum_a[who, -1]
    times, _ = _invert(cum_a, p, seg_start, target, who)
    cid = np.concatenate([rows, who]) + 1
    tt = np.concatenate([birth, times])
    order = np.lexsort((tt, cid))
    cid, tt = cid[order], tt[order]
    origin = pd.Timestamp(start)
    week = pd.Timedelta(days=7)
    log = pd.DataFrame({"customer_id": cid, "date": origin + tt * week})
    cal = tt <= nc
    hold_counts = np.bincount(cid[~cal] - 1, minlength=n)
    cov = pd.DataFrame({"customer_id": np.repeat(rows + 1, h), "period": np.tile(origin + weeks * week, n),
                        **{nm: z[nm].ravel() for nm in names}})
    customers = pd.DataFrame({"lam": lam, "mu": mu, "birth": birth, "death": death, "alive": death > nc,
                              "holdout_purchases": hold_counts}, index=pd.Index(rows + 1, name="customer_id"))
    truth = pd.Series({"r": par["r"], "alpha0" if pe else "alpha": par["alpha"], "s": par["s"],
                       "beta0" if de else "beta": par["beta"],
                       **{f"purchase:{k}": float(v) for k, v in pe.items()},
                       **{f"dropout:{k}": float(v) for k, v in de.items()}}, name="truth")
    return TVCovariateWorld(transactions=log[cal].reset_index(drop=True),
                            holdout=log[~cal].reset_index(drop=True), covariates=cov, customers=customers,
                            truth=truth, calibration_end=origin + nc * week, holdout_end=origin + h * week)
