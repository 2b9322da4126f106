"""Worlds of BTYD buyers for the research chapter: regular (Erlang-k) buyers with the truth kept.

Chapter 10. Each customer buys while alive with inter-purchase gaps
Erlang-k with rate λ (mean gap k/λ), λ ~ Gamma(r, rate α), and drops out
after each repeat purchase with probability p ~ Beta(a, b) (BG/CNBD-k) or
also right after the first purchase (MBG/CNBD-k, ``dropout_at_zero=True``).
k = 1 gives BG/NBD (MBG/NBD) buyers. Simulation is vectorised across
customers; the only loop is over purchase number.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab._rng import RandomState, as_generator
from crmlab._validation import check_int, check_number

__all__ = ["simulate_cnbd"]


def simulate_cnbd(
    n_customers: int, *, r: float, alpha: float, a: float, b: float, k: int = 1, T: float | np.ndarray,
    future: float = 0.0, dropout_at_zero: bool = False, random_state: RandomState = None,
) -> pd.DataFrame:
    """Simulate (M)BG/CNBD-k customers: calibration summary, ``litt`` and the true state and future.

    Chapter 10.

    Parameters
    ----------
    n_customers : int
        Number of customers.
    r, alpha : float
        Gamma shape and rate of the Erlang rate λ (mean purchase rate r / (k α)).
    a, b : float
        Beta parameters of the dropout probability p.
    k : int, default=1
        Erlang order of the gaps (1 = exponential, Poisson buying).
    T : float or array-like
        Each customer's calibration length after her first purchase.
    future : float, default=0.0
        Length of the holdout window after ``T``.
    dropout_at_zero : bool, default=False
        MBG variant: a customer may drop out right after her first purchase.
    random_state : None, int or numpy.random.Generator
        An int repeats exactly; a Generator advances.

    Returns
    -------
    pandas.DataFrame
        Index ``customer_id`` (0..n-1); columns ``frequency``, ``recency``, ``T``,
        ``litt`` (sum of log gaps in calibration), ``frequency_holdout``
        (purchases in ``(T, T+future]``), ``alive`` (alive at T),
        ``active_holdout`` (bought in the holdout), ``lambda``, ``p`` (the truth).
    """
    caller = "simulate_cnbd"
    n = check_int(n_customers, "n_customers", caller=caller, minimum=1)
    k = check_int(k, "k", caller=caller, minimum=1)
    r, alpha, a, b = (check_number(v, nm, caller=caller, minimum=0.0, strict_min=True)
                      for v, nm in ((r, "r"), (alpha, "alpha"), (a, "a"), (b, "b")))
    future = check_number(future, "future", caller=caller, minimum=0.0)
    Tarr = np.broadcast_to(np.asarray(T, dtype=float), (n,)).copy()
    if not np.all(np.isfinite(Tarr)) or np.any(Tarr <= 0):
        raise ValueError(f"{caller}(): 'T' must be positive and finite.")
    rng = as_generator(random_state)
    lam = rng.gamma(r, 1.0 / alpha, size=n)
    p = rng.beta(a, b, size=n)
    alive = np.ones(n, dtype=bool)
    if dropout_at_zero:
        alive = rng.random(n) >= p
    t = np.zeros(n)
    x = np.zeros(n, dtype=np.int64)
    tx = np.zeros(n)
    litt = np.zeros(n)
    hold = np.zeros(n, dtype=np.int64)
    alive_at_T = alive.copy()
    end = Tarr + future
    active = np.flatnonzero(alive)
    while active.size:  # one pass per purchase number, all still-buying customers at once
        gap = rng.gamma(k, 1.0 / lam[active])
        t_new = t[active] + gap
        in_cal = t_new <= Tarr[active]
        in_hold = ~in_cal & (t_new <= end[active])
        ci = active[in_cal]
        x[ci] += 1
        tx[ci] = t_new[in_cal]
        litt[ci] += np.log(gap[in_cal])
        hold[active[in_hold]] += 1
        t[active] = t_new
        bought = in_cal | in_hold
        drop = bought & (rng.random(active.size) < p[active])
        alive_at_T[active[in_cal & drop]] = False
        active = active[bought & ~drop]
    return pd.DataFrame({
        "frequency": x, "recency": tx, "T": Tarr, "litt": litt, "frequency_holdout": hold,
        "alive": alive_at_T, "active_holdout": hold > 0, "lambda": lam, "p": p,
    }, index=pd.RangeIndex(n, name="customer_id"))
