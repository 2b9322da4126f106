"""Customer-base dynamics and customer equity (the retention lever).

The customer base of one firm evolves as ``N(t+1) = r N(t) + acquisitions``;
customer equity is the discounted value of the customers a firm has now plus
the customers it will acquire, net of what acquiring them costs. The valuing-
customers literature (Gupta, Lehmann & Stuart 2004) found that a 1 % better
retention rate is worth about 5 % of firm value, against about 1 % for margin
and 0.1 % for acquisition cost; :meth:`CustomerEquity.sensitivity` reproduces
that comparison.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from crmlab._validation import check_int, check_number, check_probability

__all__ = ["CustomerEquity", "customer_base_path", "steady_state_customers"]


def _retention(value: float, caller: str) -> float:
    r = check_probability(value, "retention", caller=caller)
    if r >= 1.0:
        raise ValueError(f"{caller}(): 'retention' must be a number >= 0 and < 1 for a finite steady state; got {r}.")
    return r


def steady_state_customers(retention: float, acquisitions: float) -> float:
    r"""Return the customer base a firm settles at, ``acquisitions / (1 - retention)``.

    Chapter 7. A firm that wins :math:`a` new customers a period and keeps a
    share :math:`r` of its customers ends up with :math:`a / (1 - r)` customers,
    whatever it starts with. Firms lose 10–30 % of their customers a year
    (企业平均每年流失10%到30%的客户): at the same acquisition effort a firm
    losing 10 % holds three times the base of one losing 30 %.

    Parameters
    ----------
    retention : float
        Share of customers kept each period, in [0, 1).
    acquisitions : float
        New customers won each period, >= 0.

    Returns
    -------
    float
        :math:`N^* = a / (1 - r)`.

    Raises
    ------
    TypeError
        If an argument is not a number.
    ValueError
        If ``retention`` is outside [0, 1) or ``acquisitions`` < 0.

    See Also
    --------
    customer_base_path : the path towards this steady state.

    Notes
    -----
    The fixed point of :math:`N_{t+1} = r N_t + a` is :math:`N^* = a/(1-r)`;
    the distance to it shrinks by the factor :math:`r` each period.

    References
    ----------
    .. [1] Blattberg, R. C., Getz, G. and Thomas, J. S. (2001). Customer Equity.
       Harvard Business School Press.

    Examples
    --------
    >>> round(steady_state_customers(0.9, 100), 1)
    1000.0
    >>> round(steady_state_customers(0.7, 100), 1)
    333.3
    """
    caller = "steady_state_customers"
    r = _retention(retention, caller)
    a = check_number(acquisitions, "acquisitions", caller=caller, minimum=0)
    return a / (1.0 - r)


def customer_base_path(
    initial: float, retention: float, acquisitions: float | Sequence[float], periods: int
) -> pd.DataFrame:
    r"""Return the customer base period by period, ``N(t+1) = r N(t) + a_t``.

    Chapter 7. Customer-base dynamics: every period a share :math:`1-r` of the
    customers leaves and :math:`a_t` new ones arrive.

    Parameters
    ----------
    initial : float
        Customers at period 0, >= 0.
    retention : float
        Share of customers kept each period, in [0, 1).
    acquisitions : float or sequence of float
        New customers per period: one number for every period, or one per
        period (length ``periods``), each >= 0.
    periods : int
        Number of periods to project, >= 1.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``period`` (0..periods); columns ``customers`` (start of
        period), ``retained`` and ``lost`` (of the previous period's
        customers), ``acquired`` (new this period; 0 at period 0) and
        ``steady_state`` (:math:`a/(1-r)` for constant acquisitions, else NaN).

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If ``initial`` or an acquisition is negative, ``retention`` is outside
        [0, 1), ``periods`` < 1 or the acquisitions have the wrong length.

    See Also
    --------
    steady_state_customers : the long-run base.
    crmlab.plotting.plot_customer_base : draw the path.

    Notes
    -----
    For constant acquisitions the path has the closed form

    .. math::

        N_t = r^t N_0 + a \frac{1 - r^t}{1 - r} \;\to\; \frac{a}{1 - r}.

    References
    ----------
    .. [1] Blattberg, R. C., Getz, G. and Thomas, J. S. (2001). Customer Equity.
       Harvard Business School Press.

    Examples
    --------
    >>> path = customer_base_path(1000, 0.8, 100, periods=3)
    >>> path["customers"].round(1).tolist()
    [1000.0, 900.0, 820.0, 756.0]
    """
    caller = "customer_base_path"
    n0 = check_number(initial, "initial", caller=caller, minimum=0)
    r = _retention(retention, caller)
    t = check_int(periods, "periods", caller=caller, minimum=1)
    constant = np.ndim(acquisitions) == 0
    if constant:
        a = np.full(t, check_number(acquisitions, "acquisitions", caller=caller, minimum=0))
    else:
        a = np.asarray(acquisitions, dtype=float)
        if a.shape != (t,):
            raise ValueError(f"{caller}(): 'acquisitions' must be one number or {t} numbers; got shape {a.shape}.")
        if not np.all(np.isfinite(a)) or np.any(a < 0):
            raise ValueError(f"{caller}(): 'acquisitions' must be finite and >= 0; got {a.tolist()[:5]}...")
    customers = np.empty(t + 1)
    customers[0] = n0
    for k in range(t):  # a loop over periods
        customers[k + 1] = r * customers[k] + a[k]
    retained = np.concatenate([[np.nan], r * customers[:-1]])
    lost = np.concatenate([[np.nan], (1 - r) * customers[:-1]])
    frame = pd.DataFrame({
        "customers": customers, "retained": retained, "lost": lost,
        "acquired": np.concatenate([[0.0], a]),
        "steady_state": a[0] / (1 - r) if constant else np.nan,
    })
    frame.index.name = "period"
    return frame


@dataclass(frozen=True)
class CustomerEquity:
    r"""Customer equity: the value of current plus future customers.

    Chapter 7. The valuation of Gupta, Lehmann & Stuart (2004): each customer
    earns margin :math:`m` per period while still a customer, survives each
    period with probability :math:`r`, and money is discounted at rate
    :math:`i`. A new cohort of :math:`n (1+g)^k` customers arrives at the
    start of period :math:`k = 0, 1, \dots`, each costing :math:`c` to acquire.

    Parameters
    ----------
    margin : float, default=100.0
        Profit per customer per period (:math:`m`).
    retention : float, default=0.85
        Share of customers kept each period (:math:`r`, in [0, 1)); the
        default loses 15 % a year, inside the lecture's 10–30 %.
    discount_rate : float, default=0.12
        Cost of capital per period (:math:`i` > 0; GLS used 12 %).
    acquisition_cost : float, default=50.0
        Cost of winning one new customer (:math:`c`).
    acquisitions : float, default=200.0
        New customers in the first cohort (:math:`n`).
    current_customers : float, default=1000.0
        Customers the firm has today (:math:`N_0`); their acquisition cost is sunk.
    growth : float, default=0.0
        Growth rate of the cohorts (:math:`g` < :math:`i`).

    Raises
    ------
    TypeError
        If a parameter is not a number.
    ValueError
        If a parameter is out of range (negative money or customers,
        retention outside [0, 1), discount rate <= 0, growth >= discount rate).

    See Also
    --------
    sensitivity : the retention, margin, acquisition-cost and discount-rate levers.
    steady_state_customers : the customer base these flows settle at.
    crmlab.plotting.plot_equity_sensitivity : bar chart of the levers.

    Notes
    -----
    The value of one customer (margins at the end of each period survived;
    the same expression as GLS's continuous-time formula) is

    .. math::

        L = \sum_{t=1}^{\infty} \frac{m\, r^t}{(1+i)^t} = \frac{m\, r}{1 + i - r},

    and customer equity is

    .. math::

        V = N_0 L + \sum_{k=0}^{\infty} \frac{n (1+g)^k}{(1+i)^k} (L - c)
          = N_0 L + n (L - c) \frac{1 + i}{i - g}.

    The retention elasticity of :math:`L` is :math:`(1+i)/(1+i-r)`, 4.15 at
    :math:`r = 0.85, i = 0.12`: retention works through every future period,
    margin only once. With the defaults a 1 % better retention raises
    :math:`V` by 4.8 %, a 1 % better margin by 1.1 %, a 1 % cheaper acquisition
    by 0.11 % and a 1 % lower discount rate by 1.05 % — GLS's
    "5 %, 1 %, 0.1 %" and "retention ≈ five times the cost of capital".

    References
    ----------
    .. [1] Gupta, S., Lehmann, D. R. and Stuart, J. A. (2004). Valuing customers.
       Journal of Marketing Research, 41(1), 7-18.
    .. [2] Gupta, S. and Lehmann, D. R. (2005). Managing Customers as
       Investments. Wharton School Publishing.

    Examples
    --------
    >>> eq = CustomerEquity(margin=100, retention=0.8, discount_rate=0.1,
    ...                     acquisition_cost=50, acquisitions=0, current_customers=1)
    >>> round(eq.lifetime_value, 2)
    266.67
    """

    margin: float = 100.0
    retention: float = 0.85
    discount_rate: float = 0.12
    acquisition_cost: float = 50.0
    acquisitions: float = 200.0
    current_customers: float = 1000.0
    growth: float = 0.0

    def __post_init__(self) -> None:
        caller = "CustomerEquity"
        setter = object.__setattr__
        setter(self, "retention", _retention(self.retention, caller))
        setter(self, "discount_rate", check_number(self.discount_rate, "discount_rate", caller=caller, minimum=0,
                                                   strict_min=True))
        for name in ("margin", "acquisition_cost", "acquisitions", "current_customers"):
            setter(self, name, check_number(getattr(self, name), name, caller=caller, minimum=0))
        setter(self, "growth", check_number(self.growth, "growth", caller=caller, minimum=-1, strict_min=True))
        if self.growth >= self.discount_rate:
            raise ValueError(
                f"{caller}(): 'growth' must be < discount_rate={self.discount_rate} for a finite value; "
                f"got {self.growth}."
            )

    @property
    def lifetime_value(self) -> float:
        """Value of one customer today, ``m r / (1 + i - r)`` (before acquisition cost)."""
        return self.margin * self.retention / (1 + self.discount_rate - self.retention)

    @property
    def current_value(self) -> float:
        """Value of the customers the firm has today, ``N0 * L``."""
        return self.current_customers * self.lifetime_value

    @property
    def future_value(self) -> float:
        """Value of all future cohorts net of acquisition cost, ``n (L - c)(1 + i)/(i - g)``."""
        i = self.discount_rate
        return self.acquisitions * (self.lifetime_value - self.acquisition_cost) * (1 + i) / (i - self.growth)

    @property
    def value(self) -> float:
        """Customer equity: current plus future customers."""
        return self.current_value + self.future_value

    def sensitivity(self, change: float = 0.01) -> pd.DataFrame:
        """Return the change in customer equity when one lever improves by ``change``.

        Parameters
        ----------
        change : float, default=0.01
            Relative improvement (0.01 = 1 %): retention and margin rise by
            this share, acquisition cost and discount rate fall by it.

        Returns
        -------
        pandas.DataFrame
            Indexed by ``lever`` (``retention``, ``margin``,
            ``acquisition_cost``, ``discount_rate``); columns ``base``,
            ``improved`` (parameter values), ``value`` (equity after the
            change), ``value_change_pct`` and ``elasticity``
            (value change % / parameter change %).

        Raises
        ------
        ValueError
            If ``change`` is not in (0, 1) or improved retention reaches 1.
        """
        caller = "CustomerEquity.sensitivity"
        d = check_number(change, "change", caller=caller, minimum=0, maximum=1, strict_min=True, strict_max=True)
        base_value = self.value
        rows = []
        for lever, factor in (("retention", 1 + d), ("margin", 1 + d), ("acquisition_cost", 1 - d),
                              ("discount_rate", 1 - d)):
            old = getattr(self, lever)
            try:
                new_value = replace(self, **{lever: old * factor}).value
            except ValueError as err:
                raise ValueError(f"{caller}(): a {d:.0%} change of {lever} is not allowed here: {err}") from None
            pct = 100 * (new_value / base_value - 1) if base_value else np.nan
            rows.append((lever, old, old * factor, new_value, pct, pct / (100 * d)))
        frame = pd.DataFrame(rows, columns=["lever", "base", "improved", "value", "value_change_pct", "elasticity"])
        return frame.set_index("lever")

    def customers_path(self, periods: int) -> pd.DataFrame:
        """Return the customer base implied by these flows; see :func:`customer_base_path`.

        Parameters
        ----------
        periods : int
            Number of periods, >= 1.

        Returns
        -------
        pandas.DataFrame
            As :func:`customer_base_path`, with acquisitions ``n (1+g)^t``.
        """
        t = check_int(periods, "periods", caller="CustomerEquity.customers_path", minimum=1)
        if self.growth == 0:
            return customer_base_path(self.current_customers, self.retention, self.acquisitions, t)
        flows = self.acquisitions * (1 + self.growth) ** np.arange(t)
        return customer_base_path(self.current_customers, self.retention, flows, t)
