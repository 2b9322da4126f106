"""Loyalty programme versus a price cut of the same cost: the price war argument.

Chapter 5. A price war (价格战) wins share fastest but gives the discount to every
customer, is matched by competitors and cuts profit; a loyalty programme (忠诚计划)
rewards the customers who stay and buy again. This module simulates both on one
customer base with heterogeneous retention and spend, with the closed-form
expectations side by side, and prices the lost customers at the acquisition cost
(retaining beats acquiring: 留住老客户比开发新客户更重要).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import comb

from crmlab._rng import RandomState, as_generator
from crmlab._validation import check_int, check_number, check_probability

__all__ = ["ProgrammeScenario", "compare_programme_vs_price_cut", "expected_survivors"]


def expected_survivors(
    retention_a: float, retention_b: float, n_periods: int, *, churn_reduction: float = 0.0
) -> np.ndarray:
    r"""Return the expected share of a cohort still active in periods 0..n_periods-1 under beta-distributed retention.

    Chapter 5 (firms lose 10–30% of customers a year: 企业每年流失10%到30%的客户).

    Parameters
    ----------
    retention_a, retention_b : float
        Beta parameters of the per-period retention probability across customers (mean
        :math:`a/(a+b)`).
    n_periods : int
        Number of periods (period 0: everybody active).
    churn_reduction : float, default=0.0
        Proportional cut of every customer's churn probability (0.25: a quarter fewer leave).

    Returns
    -------
    numpy.ndarray
        :math:`E[r'^t]` for :math:`t = 0..n-1`.

    Raises
    ------
    ValueError
        Non-positive beta parameters, ``n_periods`` < 1, ``churn_reduction`` outside [0, 1].

    See Also
    --------
    compare_programme_vs_price_cut

    Notes
    -----
    With :math:`r' = 1 - (1-u)(1-r)` and :math:`1-r \sim \mathrm{Beta}(b, a)`:

    .. math:: E[r'^t] = \sum_{k=0}^{t} \binom{t}{k}(-(1-u))^k \prod_{j<k}\frac{b+j}{a+b+j}

    References
    ----------
    Fader, P. S., & Hardie, B. G. S. (2007). How to project customer retention. *Journal of
    Interactive Marketing*, 21(1), 76–90.

    Examples
    --------
    >>> expected_survivors(9.0, 1.0, 3).round(4).tolist()
    [1.0, 0.9, 0.8182]
    """
    caller = "expected_survivors"
    a = check_number(retention_a, "retention_a", caller=caller, minimum=0.0, strict_min=True)
    b = check_number(retention_b, "retention_b", caller=caller, minimum=0.0, strict_min=True)
    n = check_int(n_periods, "n_periods", caller=caller, minimum=1)
    u = check_probability(churn_reduction, "churn_reduction", caller=caller)
    k = np.arange(n)
    moments = np.concatenate([[1.0], np.cumprod((b + k[:-1]) / (a + b + k[:-1]))]) if n > 1 else np.ones(1)
    t = k[:, None]
    terms = comb(t, k[None, :]) * (-(1 - u)) ** k[None, :] * moments[None, :]
    return np.clip(np.where(k[None, :] <= t, terms, 0.0).sum(axis=1), 0.0, 1.0)


@dataclass(frozen=True)
class ProgrammeScenario:
    r"""Assumptions of the loyalty-programme versus price-cut comparison.

    Chapter 5.

    Parameters
    ----------
    n_customers : int, default=1000
        Customers at the start.
    n_periods : int, default=8
        Periods simulated (e.g. quarters).
    retention_a, retention_b : float, default=8.0, 2.0
        Beta distribution of per-period retention (mean 0.8: a fifth leave each period).
    spend : float, default=100.0
        Mean spend per active customer and period at full price.
    spend_shape : float, default=4.0
        Gamma shape of spend across customers (larger: more alike).
    margin : float, default=0.3
        Gross margin as a share of full-price spend.
    reward_rate : float, default=0.05
        Programme points are worth this share of spend.
    redemption_rate : float, default=0.6
        Share of points redeemed (only redeemed points cost money).
    programme_churn_reduction : float, default=0.25
        Proportional cut in churn for programme members.
    programme_spend_uplift : float, default=0.05
        Extra spend of members (share of wallet).
    price_churn_reduction : float, default=0.25
        Proportional cut in churn a price advantage would bring if competitors did not react.
    price_elasticity : float, default=2.0
        Volume gain per unit of unmatched relative price cut.
    competitor_response : float, default=0.8
        Share of the price advantage competitors match (1: a full price war).
    acquisition_cost : float, default=50.0
        Cost of winning one new customer to replace a lost one.

    Raises
    ------
    ValueError
        For out-of-range values (shares outside [0, 1], non-positive counts or spend).

    See Also
    --------
    compare_programme_vs_price_cut

    Notes
    -----
    The price cut costs the same per unit of spend as the programme:
    :math:`d = \rho q` (reward rate × redemption rate).

    References
    ----------
    Dowling, G. R., & Uncles, M. (1997). Do customer loyalty programs really work? *Sloan Management
    Review*, 38(4), 71–82.

    Examples
    --------
    >>> ProgrammeScenario(reward_rate=0.1, redemption_rate=0.5).price_cut
    0.05
    """

    n_customers: int = 1000
    n_periods: int = 8
    retention_a: float = 8.0
    retention_b: float = 2.0
    spend: float = 100.0
    spend_shape: float = 4.0
    margin: float = 0.3
    reward_rate: float = 0.05
    redemption_rate: float = 0.6
    programme_churn_reduction: float = 0.25
    programme_spend_uplift: float = 0.05
    price_churn_reduction: float = 0.25
    price_elasticity: float = 2.0
    competitor_response: float = 0.8
    acquisition_cost: float = 50.0

    def __post_init__(self) -> None:
        c = "ProgrammeScenario"
        check_int(self.n_customers, "n_customers", caller=c, minimum=1)
        check_int(self.n_periods, "n_periods", caller=c, minimum=1)
        for name in ("retention_a", "retention_b", "spend", "spend_shape"):
            check_number(getattr(self, name), name, caller=c, minimum=0.0, strict_min=True)
        for name in ("margin", "reward_rate", "redemption_rate", "programme_churn_reduction",
                     "price_churn_reduction", "competitor_response"):
            check_probability(getattr(self, name), name, caller=c)
        for name in ("programme_spend_uplift", "price_elasticity", "acquisition_cost"):
            check_number(getattr(self, name), name, caller=c, minimum=0.0)

    @property
    def price_cut(self) -> float:
        r"""Return the equal-cost price cut :math:`d = \rho q`."""
        return self.reward_rate * self.redemption_rate

    def strategies(self) -> pd.DataFrame:
        """Return the per-strategy levers: churn reduction, volume multiplier, cost and profit per unit of spend."""
        d, free = self.price_cut, 1.0 - self.competitor_response
        g = self.programme_spend_uplift
        return pd.DataFrame(
            {
                "churn_reduction": [0.0, self.programme_churn_reduction, self.price_churn_reduction * free],
                "volume": [1.0, 1.0 + g, 1.0 + self.price_elasticity * d * free],
                "cost_rate": [0.0, d, d],
                "profit_rate": [self.margin, self.margin - d, self.margin - d],
            },
            index=pd.Index(["baseline", "loyalty programme", "price cut"], name="strategy"),
        )


def compare_programme_vs_price_cut(
    scenario: ProgrammeScenario | None = None, *, random_state: RandomState = None
) -> pd.DataFrame:
    r"""Simulate a loyalty programme and an equal-cost price cut against doing nothing.

    Chapter 5 (忠诚客户竞争与价格竞争).

    Parameters
    ----------
    scenario : ProgrammeScenario or None, default=None
        Assumptions; default ``ProgrammeScenario()``.
    random_state : None, int or numpy.random.Generator, default=None
        An int repeats exactly; a Generator advances. The three strategies share the same customers
        and random draws (common random numbers), so differences are due to the strategy alone.

    Returns
    -------
    pandas.DataFrame
        Index ``strategy`` (baseline, loyalty programme, price cut). For each of ``customers_end``,
        ``revenue``, ``cost`` (rewards redeemed or discount given), ``profit`` (after that cost),
        ``replacement_cost`` (lost customers × acquisition cost) and ``net_profit``: a simulated
        column ``<name>_sim`` and an expected column ``<name>_expected`` side by side.

    Raises
    ------
    TypeError
        If ``scenario`` is not a :class:`ProgrammeScenario`.

    See Also
    --------
    ProgrammeScenario, expected_survivors, crmlab.plotting.plot_programme_comparison

    Notes
    -----
    Customer *i* has retention :math:`r_i \sim \mathrm{Beta}(a, b)` and spend
    :math:`s_i \sim \mathrm{Gamma}`; a strategy cuts churn by :math:`u`, multiplies volume by
    :math:`v` and earns :math:`\pi` per unit of full-price spend, so expected profit is

    .. math:: \Pi = N \bar s\, v\, \pi \sum_{t=0}^{T-1} E[r'^t].

    References
    ----------
    Reichheld, F. F., & Sasser, W. E. (1990). Zero defections: quality comes to services.
    *Harvard Business Review*, 68(5), 105–111.

    Examples
    --------
    >>> out = compare_programme_vs_price_cut(ProgrammeScenario(n_customers=200), random_state=0)
    >>> out.index.tolist()
    ['baseline', 'loyalty programme', 'price cut']
    """
    caller = "compare_programme_vs_price_cut"
    sc = ProgrammeScenario() if scenario is None else scenario
    if not isinstance(sc, ProgrammeScenario):
        raise TypeError(f"{caller}(): 'scenario' must be a ProgrammeScenario; got {type(sc).__name__}.")
    rng = as_generator(random_state, caller=caller)
    n, T = sc.n_customers, sc.n_periods
    r = rng.beta(sc.retention_a, sc.retention_b, n)
    s = rng.gamma(sc.spend_shape, sc.spend / sc.spend_shape, n)
    log_u = -rng.standard_exponential(n)  # log of a uniform draw, without the (tiny) chance of log(0)
    lev = sc.strategies()
    rows = {}
    for name in lev.index:  # three strategies, not customers
        row = lev.loc[name]
        r_new = 1.0 - (1.0 - row["churn_reduction"]) * (1.0 - r)
        with np.errstate(divide="ignore"):
            life = np.where(r_new >= 1.0, T, np.floor(log_u / np.log(r_new)) + 1)
        life = np.minimum(life, T)
        surv = expected_survivors(sc.retention_a, sc.retention_b, T, churn_reduction=row["churn_reduction"])
        spend_sim = float((s * life).sum()) * row["volume"]
        spend_exp = n * sc.spend * float(surv.sum()) * row["volume"]
        alive_sim, alive_exp = float((life >= T).sum()), n * float(surv[-1])
        values = {}
        for kind, spend, alive in (("sim", spend_sim, alive_sim), ("expected", spend_exp, alive_exp)):
            revenue = spend * (1.0 - (row["cost_rate"] if name == "price cut" else 0.0))
            profit = spend * row["profit_rate"]
            replace = (n - alive) * sc.acquisition_cost
            values.update({
                f"customers_end_{kind}": alive, f"revenue_{kind}": revenue, f"cost_{kind}": spend * row["cost_rate"],
                f"profit_{kind}": profit, f"replacement_cost_{kind}": replace, f"net_profit_{kind}": profit - replace,
            })
        rows[name] = values
    out = pd.DataFrame.from_dict(rows, orient="index")
    order = [f"{m}_{k}" for m in ("customers_end", "revenue", "cost", "profit", "replacement_cost", "net_profit")
             for k in ("sim", "expected")]
    out = out[order]
    out.index.name = "strategy"
    return out
