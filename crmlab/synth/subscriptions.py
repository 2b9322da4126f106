r"""Contractual customers: subscriptions renewed each period with beta-distributed churn.

Chapter 6 (retention, 顾客保持). The shifted-beta-geometric (sBG) story of Fader &
Hardie (2007): each subscriber has a constant churn probability
:math:`\theta \sim \mathrm{Beta}(\alpha, \beta)` at every renewal; the population
retention rate rises over time because the fragile leave first.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab._rng import RandomState, as_generator
from crmlab._validation import check_int, check_number

__all__ = ["make_subscriptions"]


def sbg_lifetimes(theta: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Draw the number of paid periods of each subscriber (>= 1): Geometric(theta)."""
    return rng.geometric(np.clip(theta, 1e-9, 1.0)).astype(np.int64)


def make_subscriptions(
    n_customers: int = 1000,
    n_periods: int = 12,
    alpha: float = 1.0,
    beta: float = 3.0,
    *,
    start: str | pd.Timestamp = "2023-01-01",
    n_cohorts: int = 1,
    fee: float = 20.0,
    random_state: RandomState = None,
) -> pd.DataFrame:
    r"""Simulate subscribers whose churn probabilities follow a beta distribution (sBG).

    Chapter 6. Customers join in ``n_cohorts`` monthly cohorts (equal sizes) from
    ``start`` and are observed until the start of period ``n_periods``.

    Parameters
    ----------
    n_customers : int, default=1000
        Number of subscribers (>= 1).
    n_periods : int, default=12
        Length of the observation in monthly periods (>= 1).
    alpha, beta : float, default=1.0, 3.0
        Beta parameters (> 0) of the churn probability at each renewal; mean churn
        is ``alpha / (alpha + beta)``.
    start : str or Timestamp, default="2023-01-01"
        Start date of the first cohort (period 0).
    n_cohorts : int, default=1
        Number of monthly acquisition cohorts (1 <= n_cohorts <= n_periods).
    fee : float, default=20.0
        Fee paid per period (> 0).
    random_state : None, int or numpy.random.Generator, optional
        An int repeats exactly; a Generator advances.

    Returns
    -------
    pandas.DataFrame
        One row per subscriber: ``customer_id``, ``cohort`` (period of joining),
        ``start_date``, ``periods_paid`` (observed, censored at ``n_periods``),
        ``active`` (renews at period ``n_periods``), ``end_date`` (date the contract
        ended, NaT if active), ``revenue`` and the truth ``churn_p`` (:math:`\theta`).

    Raises
    ------
    ValueError
        If a count is < 1, ``n_cohorts > n_periods``, or ``alpha``, ``beta`` or ``fee`` is not positive.

    See Also
    --------
    make_customer_world : ``preset="subscription"`` builds a whole contractual world.

    Notes
    -----
    The probability of surviving ``t`` renewals is

    .. math:: S(t) = \frac{B(\alpha, \beta + t)}{B(\alpha, \beta)},

    and the retention rate from period ``t - 1`` to ``t`` is
    :math:`(\beta + t - 1) / (\alpha + \beta + t - 1)`.

    References
    ----------
    Fader, P. S., & Hardie, B. G. S. (2007). How to project customer retention.
    *Journal of Interactive Marketing*, 21(1), 76–90.

    Examples
    --------
    >>> subs = make_subscriptions(2000, n_periods=5, alpha=1.0, beta=3.0, random_state=3)
    >>> subs.shape
    (2000, 8)
    >>> bool(subs["active"].mean() < 0.5)
    True
    """
    caller = "make_subscriptions"
    n = check_int(n_customers, "n_customers", caller=caller, minimum=1)
    periods = check_int(n_periods, "n_periods", caller=caller, minimum=1)
    cohorts = check_int(n_cohorts, "n_cohorts", caller=caller, minimum=1, maximum=periods)
    a = check_number(alpha, "alpha", caller=caller, minimum=0.0, strict_min=True)
    b = check_number(beta, "beta", caller=caller, minimum=0.0, strict_min=True)
    price = check_number(fee, "fee", caller=caller, minimum=0.0, strict_min=True)
    try:
        first = pd.Timestamp(start).normalize().to_datetime64().astype("datetime64[M]")
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{caller}(): 'start' must be a date such as '2023-01-01'; got {start!r}.") from exc
    rng = as_generator(random_state, caller=caller)
    theta = rng.beta(a, b, n)
    lifetime = sbg_lifetimes(theta, rng)
    cohort = (np.arange(n) * cohorts // n).astype(np.int64)
    window = periods - cohort
    paid = np.minimum(lifetime, window)
    active = lifetime > window
    months = first + cohort
    end_month = months + np.where(active, 0, lifetime)
    return pd.DataFrame({
        "customer_id": np.arange(1, n + 1, dtype=np.int64),
        "cohort": cohort,
        "start_date": months.astype("datetime64[ns]"),
        "periods_paid": paid,
        "active": active,
        "end_date": np.where(active, np.datetime64("NaT"), end_month.astype("datetime64[ns]")).astype(
            "datetime64[ns]"),
        "revenue": paid * price,
        "churn_p": theta,
    })
