"""Simulate customers from the BTYD models, with the truth kept.

Chapter 6. A fitted model is only trustworthy if it recovers known answers:
these simulators draw each customer's latent rates, her calibration-period
summary and her true future, all vectorised. The BG/NBD purchase process itself
is drawn by :func:`crmlab.synth.behaviour.simulate_btyd`, the one BG/NBD simulator
of crmlab, which also generates the synthetic course world.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab._rng import RandomState, as_generator
from crmlab._validation import check_int, check_number
from crmlab.synth.behaviour import simulate_btyd

__all__ = ["simulate_bgnbd", "simulate_pareto_nbd"]


def _times(T: float | np.ndarray, n: int, caller: str) -> np.ndarray:
    arr = np.broadcast_to(np.asarray(T, dtype=float), (n,)).copy()
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise ValueError(f"{caller}(): 'T' must be positive and finite.")
    return arr


def _order_stat(rng: np.random.Generator, j: np.ndarray, n: np.ndarray) -> np.ndarray:
    """j-th smallest of n uniforms on (0, 1) (Beta(j, n-j+1)); 0 where j == 0."""
    jj = np.maximum(j, 1)
    return np.where(j > 0, rng.beta(jj, np.maximum(n - jj + 1, 1)), 0.0)


def _finish(freq: np.ndarray, rec: np.ndarray, T: np.ndarray, resolution: float | None) -> tuple[np.ndarray, ...]:
    if resolution is not None:
        T = np.round(T / resolution) * resolution
        rec = np.minimum(np.round(rec / resolution) * resolution, T)
        rec = np.where(freq > 0, rec, 0.0)
    return rec, T


def simulate_bgnbd(
    n_customers: int, *, r: float, alpha: float, a: float, b: float, T: float | np.ndarray,
    future: float = 0.0, resolution: float | None = None, random_state: RandomState = None,
) -> pd.DataFrame:
    """Simulate BG/NBD customers: calibration summary plus true state and future.

    Chapter 6.

    Parameters
    ----------
    n_customers : int
        Number of customers.
    r, alpha, a, b : float
        BG/NBD parameters (rate λ ~ Gamma(r, scale 1/α); dropout p ~ Beta(a, b)).
    T : float or array-like
        Each customer's observation length (one value or one per customer).
    future : float, default=0.0
        Length of a holdout window after ``T`` whose true purchases are drawn.
    resolution : float, optional
        Round ``recency`` and ``T`` to multiples of this (e.g. 1/7 for days when
        time is in weeks), as real transaction logs do.
    random_state : None, int or numpy.random.Generator
        An int repeats exactly; a Generator advances.

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, ``frequency``, ``recency``, ``T``, ``future_purchases``,
        ``alive`` (true state at T), ``purchase_rate`` (λ), ``dropout_p`` (p).

    Examples
    --------
    >>> df = simulate_bgnbd(5, r=0.5, alpha=5, a=1, b=3, T=52, random_state=1)
    >>> list(df.columns[:4])
    ['customer_id', 'frequency', 'recency', 'T']
    """
    caller = "simulate_bgnbd"
    n = check_int(n_customers, "n_customers", caller=caller, minimum=1)
    for name, v in (("r", r), ("alpha", alpha), ("a", a), ("b", b)):
        check_number(v, name, caller=caller, minimum=0.0, strict_min=True)
    future = check_number(future, "future", caller=caller, minimum=0.0)
    rng = as_generator(random_state, caller=caller)
    Tarr = _times(T, n, caller)
    lam = rng.gamma(r, 1.0 / alpha, n)
    p = rng.beta(a, b, n)
    freq, times, alive, _ = simulate_btyd(lam, p, Tarr, random_state=rng)
    rec = np.zeros(n)
    bought = freq > 0
    rec[bought] = times[np.cumsum(freq)[bought] - 1]  # each customer's last repeat purchase
    # Future: an alive customer keeps buying at rate lam; the purchases she has left before dropping
    # out are again Geometric(p) (memoryless), whatever she bought before T.
    fut = np.where(alive, np.minimum(rng.poisson(lam * future), rng.geometric(p)), 0)
    rec, Tarr = _finish(freq, rec, Tarr, resolution)
    return pd.DataFrame({
        "customer_id": np.arange(1, n + 1, dtype=np.int64), "frequency": freq.astype(np.int64), "recency": rec,
        "T": Tarr, "future_purchases": fut.astype(np.int64), "alive": alive, "purchase_rate": lam, "dropout_p": p,
    })


def simulate_pareto_nbd(
    n_customers: int, *, r: float, alpha: float, s: float, beta: float, T: float | np.ndarray,
    future: float = 0.0, resolution: float | None = None, random_state: RandomState = None,
) -> pd.DataFrame:
    """Simulate Pareto/NBD customers: calibration summary plus true state and future.

    Chapter 6.

    Parameters
    ----------
    n_customers : int
        Number of customers.
    r, alpha, s, beta : float
        Pareto/NBD parameters (λ ~ Gamma(r, scale 1/α), μ ~ Gamma(s, scale 1/β)).
    T : float or array-like
        Observation lengths.
    future : float, default=0.0
        Holdout window length.
    resolution : float, optional
        Round ``recency`` and ``T`` to multiples of this.
    random_state : None, int or numpy.random.Generator
        An int repeats exactly; a Generator advances.

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, ``frequency``, ``recency``, ``T``, ``future_purchases``,
        ``alive``, ``purchase_rate`` (λ), ``dropout_rate`` (μ).

    Examples
    --------
    >>> simulate_pareto_nbd(3, r=0.5, alpha=10, s=0.5, beta=10, T=39, random_state=0).shape
    (3, 8)
    """
    caller = "simulate_pareto_nbd"
    n = check_int(n_customers, "n_customers", caller=caller, minimum=1)
    for name, v in (("r", r), ("alpha", alpha), ("s", s), ("beta", beta)):
        check_number(v, name, caller=caller, minimum=0.0, strict_min=True)
    future = check_number(future, "future", caller=caller, minimum=0.0)
    rng = as_generator(random_state, caller=caller)
    Tarr = _times(T, n, caller)
    lam = rng.gamma(r, 1.0 / alpha, n)
    mu = rng.gamma(s, 1.0 / beta, n)
    death = rng.exponential(1.0 / np.maximum(mu, 1e-300))
    alive = death > Tarr
    active = np.minimum(death, Tarr)
    freq = rng.poisson(lam * active)
    rec = active * _order_stat(rng, freq, freq)
    fut_span = np.clip(death - Tarr, 0.0, future)
    fut = rng.poisson(lam * fut_span)
    rec, Tarr = _finish(freq, rec, Tarr, resolution)
    return pd.DataFrame({
        "customer_id": np.arange(1, n + 1, dtype=np.int64), "frequency": freq.astype(np.int64), "recency": rec,
        "T": Tarr, "future_purchases": fut.astype(np.int64), "alive": alive, "purchase_rate": lam, "dropout_rate": mu,
    })
