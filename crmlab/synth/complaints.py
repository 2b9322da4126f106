"""Complaints from the complaint iceberg: few of the dissatisfied ever complain.

Chapter 4 (complaints & customer care, 顾客抱怨). Dissatisfaction is latent; only a
small, configurable share of dissatisfied customers (default 4 in 100, the
"complaint iceberg", 抱怨冰山) turn it into a recorded complaint.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab._rng import RandomState, as_generator

__all__ = ["COMPLAINT_CATEGORIES", "COMPLAINT_CHANNELS", "complaint_log"]

COMPLAINT_CATEGORIES = ("product quality", "delivery", "billing", "staff attitude", "returns & refunds", "other")
COMPLAINT_CHANNELS = ("phone", "e-mail", "in store", "web form", "social media")


def draw_complained(
    dissatisfied: np.ndarray, share_dissatisfied: float, share_satisfied: float, rng: np.random.Generator
) -> np.ndarray:
    """Bernoulli draw of who complains, with one probability per satisfaction state."""
    prob = np.where(dissatisfied, share_dissatisfied, share_satisfied)
    return rng.random(dissatisfied.shape[0]) < prob


def complaint_log(
    customer_id: np.ndarray,
    complained: np.ndarray,
    first_day: np.ndarray,
    last_day: np.ndarray,
    resolution_share: float,
    *,
    random_state: RandomState = None,
) -> pd.DataFrame:
    """Build the complaint table of the customers who complained.

    Parameters
    ----------
    customer_id, complained : numpy.ndarray
        Ids and whether each customer complained.
    first_day, last_day : numpy.ndarray of datetime64[D]
        Window in which each customer can complain (first purchase to drop-out or end).
    resolution_share : float
        Probability that a complaint is resolved.
    random_state : None, int or numpy.random.Generator, default=None
        An int repeats exactly; a Generator advances.

    Returns
    -------
    pandas.DataFrame
        ``complaint_id`` (1..), ``customer_id``, ``date``, ``category``, ``channel``,
        ``resolved`` (bool) and ``resolution_days`` (float; NaN when unresolved),
        sorted by date. Complainers file ``1 + Poisson(0.3)`` complaints each.
    """
    rng = as_generator(random_state, caller="complaint_log")
    who = np.flatnonzero(complained)
    counts = 1 + rng.poisson(0.3, who.shape[0])
    owner = np.repeat(who, counts)
    m = owner.shape[0]
    span = (last_day[owner] - first_day[owner]).astype(np.int64)
    day = first_day[owner] + np.floor(rng.random(m) * (span + 1)).astype("timedelta64[D]")
    resolved = rng.random(m) < resolution_share
    days = np.where(resolved, 1.0 + rng.poisson(rng.gamma(2.0, 2.5, m)), np.nan)
    cat = np.searchsorted(np.cumsum([0.3, 0.2, 0.12, 0.18, 0.15, 0.05]), rng.random(m), side="right").clip(0, 5)
    chan = np.searchsorted(np.cumsum([0.35, 0.2, 0.15, 0.2, 0.1]), rng.random(m), side="right").clip(0, 4)
    order = np.argsort(day, kind="stable")
    return pd.DataFrame({
        "complaint_id": np.arange(1, m + 1, dtype=np.int64),
        "customer_id": customer_id[owner][order].astype(np.int64),
        "date": day[order].astype("datetime64[ns]"),
        "category": pd.Categorical.from_codes(cat[order], categories=list(COMPLAINT_CATEGORIES)),
        "channel": pd.Categorical.from_codes(chan[order], categories=list(COMPLAINT_CHANNELS)),
        "resolved": resolved[order],
        "resolution_days": days[order],
    })
