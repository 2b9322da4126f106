"""Complaints from the complaint iceberg: few of the dissatisfied ever complain.

Chapter 4 (complaints & customer care, 顾客抱怨). Dissatisfaction is latent; only a
small, configurable share of dissatisfied customers (default 4 in 100, the
"complaint iceberg", 抱怨冰山) turn it into a recorded complaint.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from crmlab._rng import RandomState, as_generator
from crmlab._validation import check_probability

__all__ = ["COMPLAINT_CATEGORIES", "COMPLAINT_CHANNELS", "apply_service_recovery", "complaint_log"]

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

    Examples
    --------
    >>> import numpy as np
    >>> start, end = np.datetime64("2024-01-01", "D"), np.datetime64("2024-06-30", "D")
    >>> log = complaint_log(np.arange(1, 6), np.arange(5) % 2 == 0, np.full(5, start), np.full(5, end), 0.7,
    ...                     random_state=0)
    >>> log["customer_id"].tolist()
    [1, 3, 5]
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


def apply_service_recovery(
    world: Any,
    *,
    lost_if_unresolved: float = 0.5,
    lost_if_resolved: float = 0.0,
    random_state: Any = None,
) -> Any:
    r"""Let the handling of a complaint change later buying: the service-recovery effect.

    Chapter 4 (service recovery, 服务补救). In a world from
    :func:`crmlab.synth.make_customer_world` complaint resolution is drawn independently
    of buying. This returns a copy in which every complaint ends the relationship on its
    date with a known probability that depends on whether it was resolved; the
    customer's later transactions are removed and the truth updated.

    Parameters
    ----------
    world : CustomerWorld
        A generated world (``complaints``, ``transactions`` and ``truth`` tables).
    lost_if_unresolved : float, default=0.5
        Probability that an unresolved complaint makes the customer leave at once.
    lost_if_resolved : float, default=0.0
        The same for a resolved complaint.
    random_state : None, int or numpy.random.Generator, optional
        An int repeats exactly; a Generator advances.

    Returns
    -------
    CustomerWorld
        A new world (the input is not modified). ``transactions`` lose every purchase
        after the date of the complaint that ended the relationship; ``truth`` gains
        ``lost_after_complaint`` (bool) and, for those customers, ``alive`` is False,
        ``dropout_date`` is the complaint date and ``expected_purchases``,
        ``expected_spend`` and ``residual_value`` are 0.

    Raises
    ------
    ValueError
        If a probability is outside [0, 1].

    Notes
    -----
    Each complaint :math:`k` of customer :math:`i` ends the relationship with probability
    :math:`\ell_{u}` if unresolved and :math:`\ell_{r}` if resolved, independently; the
    customer leaves at the earliest such complaint. For a customer who would otherwise
    buy again, the chance of buying after one complaint is therefore multiplied by
    :math:`1-\ell_u` or :math:`1-\ell_r`: the true ratio of repurchase rates
    (unresolved / resolved) is :math:`(1-\ell_u)/(1-\ell_r)`.

    Examples
    --------
    >>> from crmlab.synth import make_customer_world
    >>> w = make_customer_world(300, random_state=1, complaint_share_dissatisfied=0.5)
    >>> w2 = apply_service_recovery(w, lost_if_unresolved=1.0, random_state=1)
    >>> len(w2.transactions) <= len(w.transactions)
    True
    """
    caller = "apply_service_recovery"
    lost_u = check_probability(lost_if_unresolved, "lost_if_unresolved", caller=caller)
    lost_r = check_probability(lost_if_resolved, "lost_if_resolved", caller=caller)
    rng = as_generator(random_state, caller=caller)
    complaints = world.complaints
    resolved = complaints["resolved"].to_numpy(dtype=bool)
    ends = rng.random(len(complaints)) < np.where(resolved, lost_r, lost_u)
    end_date = complaints.loc[ends].groupby("customer_id")["date"].min()
    tx = world.transactions
    cutoff = end_date.reindex(tx["customer_id"].to_numpy()).to_numpy()  # NaT where the customer stays
    transactions = tx.loc[~(tx["date"].to_numpy() > cutoff)].reset_index(drop=True)
    truth = world.truth.copy()
    lost = truth["customer_id"].isin(end_date.index).to_numpy()
    truth["lost_after_complaint"] = lost
    truth.loc[lost, "alive"] = False
    truth.loc[lost, "dropout_date"] = end_date.reindex(truth.loc[lost, "customer_id"].to_numpy()).to_numpy()
    truth.loc[lost, ["expected_purchases", "expected_spend", "residual_value"]] = 0.0
    return dataclasses.replace(world, transactions=transactions, truth=truth)
