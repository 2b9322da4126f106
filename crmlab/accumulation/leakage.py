"""Where customers leak: the silent dissatisfied and long value chains.

Two lecture ideas meet the accumulation effect here. The complaint iceberg
(投诉冰山): only about 4 of every 100 dissatisfied customers complain (96 % never
bother), so most dissatisfied customers leave without the firm ever hearing —
and every one of them goes to a rival. And the value-chain inverse-square rule
(价值链上的客户关系): like the brightness of a light, the strength of the
relationship between a customer and a firm falls with the square of the number
of value-chain links between them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from crmlab._validation import check_int, check_number, check_probability

__all__ = ["ComplaintLeakage", "relationship_strength", "value_chain_table"]


@dataclass(frozen=True)
class ComplaintLeakage:
    r"""Yearly customer losses split by satisfied, complaining and silent customers.

    Chapter 7 (with the complaint iceberg of chapter 4). Each year a share
    :math:`d` of the customers is dissatisfied; of those only a share
    :math:`c` complains (the lecture: 4 in 100). Complainers get a chance of
    service recovery and leave with probability :math:`q_c`; the silent
    dissatisfied leave with :math:`q_s`; satisfied customers with :math:`q_0`.

    Parameters
    ----------
    dissatisfied_share : float, default=0.20
        Share of customers dissatisfied in a year (:math:`d`; assumed).
    complaint_rate : float, default=0.04
        Share of the dissatisfied who complain (:math:`c`; lecture 004: 4 %).
    defection_silent : float, default=0.50
        Yearly defection of silent dissatisfied customers (:math:`q_s`; assumed).
    defection_complained : float, default=0.20
        Yearly defection of complainers after their complaint is handled
        (:math:`q_c`; assumed, well below :math:`q_s` because a complaint is
        a chance to put things right).
    defection_satisfied : float, default=0.05
        Yearly defection of satisfied customers (:math:`q_0`; assumed).

    Raises
    ------
    TypeError
        If a parameter is not a number.
    ValueError
        If a parameter lies outside [0, 1].

    See Also
    --------
    path : customers year by year.
    silent_cost : customers and profit lost because the dissatisfied stay silent.
    crmlab.accumulation.TwoStoreMarket : where the lost customers end up.
    crmlab.complaints.ComplaintIceberg : the iceberg itself (chapter 4).

    Notes
    -----
    Yearly defection rate and its part due to silence:

    .. math::

        q = (1-d)\, q_0 + d\,[c\, q_c + (1-c)\, q_s], \qquad
        q - q\big|_{c=1} = d\,(1-c)\,(q_s - q_c).

    For every complaint heard there are :math:`(1-c)/c` silent dissatisfied
    customers — 24 at :math:`c = 0.04`. The defaults give :math:`q = 13.8\,\%`,
    inside the lecture's 10–30 % a year.

    References
    ----------
    .. [1] Course lecture 004 (complaints; 96 % of dissatisfied customers never complain).
    .. [2] TARP / Goodman, J. (1999). Basic facts on customer complaint behavior
       and the impact of service on the bottom line. Competitive Advantage, 9(1), 1-5.

    Examples
    --------
    >>> leak = ComplaintLeakage()
    >>> round(leak.defection_rate, 4), round(leak.silent_per_complaint, 1)
    (0.1376, 24.0)
    """

    dissatisfied_share: float = 0.20
    complaint_rate: float = 0.04
    defection_silent: float = 0.50
    defection_complained: float = 0.20
    defection_satisfied: float = 0.05

    def __post_init__(self) -> None:
        for name in ("dissatisfied_share", "complaint_rate", "defection_silent", "defection_complained",
                     "defection_satisfied"):
            object.__setattr__(self, name, check_probability(getattr(self, name), name, caller="ComplaintLeakage"))

    @property
    def defection_rate(self) -> float:
        """Share of all customers lost per year."""
        d, c = self.dissatisfied_share, self.complaint_rate
        dissatisfied_loss = c * self.defection_complained + (1 - c) * self.defection_silent
        return (1 - d) * self.defection_satisfied + d * dissatisfied_loss

    @property
    def silent_per_complaint(self) -> float:
        """Silent dissatisfied customers behind every complaint heard, ``(1 - c) / c``."""
        return np.inf if self.complaint_rate == 0 else (1 - self.complaint_rate) / self.complaint_rate

    def path(self, customers: float = 1000.0, years: int = 5, *, acquisitions: float = 0.0) -> pd.DataFrame:
        """Return expected customers and losses year by year.

        Parameters
        ----------
        customers : float, default=1000.0
            Customers at the start of year 1.
        years : int, default=5
            Years to follow.
        acquisitions : float, default=0.0
            New customers joining at the end of each year.

        Returns
        -------
        pandas.DataFrame
            Indexed by ``year`` (1..years): ``customers`` (start of year),
            ``dissatisfied``, ``complained`` (heard), ``silent``,
            ``lost_satisfied``, ``lost_complained``, ``lost_silent``, ``lost``,
            ``cumulative_lost`` and ``cumulative_lost_silent``.

        Raises
        ------
        ValueError
            If ``customers`` or ``acquisitions`` is negative or ``years`` < 1.
        """
        caller = "ComplaintLeakage.path"
        n = check_number(customers, "customers", caller=caller, minimum=0)
        t = check_int(years, "years", caller=caller, minimum=1)
        a = check_number(acquisitions, "acquisitions", caller=caller, minimum=0)
        keep = 1 - self.defection_rate
        # closed form of N_{k+1} = keep * N_k + a, vectorised over years
        k = np.arange(t)
        start = n * keep**k + (a * (1 - keep**k) / (1 - keep) if keep < 1 else a * k)
        d, c = self.dissatisfied_share, self.complaint_rate
        dissatisfied = d * start
        complained = c * dissatisfied
        silent = dissatisfied - complained
        lost_satisfied = (start - dissatisfied) * self.defection_satisfied
        lost_complained = complained * self.defection_complained
        lost_silent = silent * self.defection_silent
        lost = lost_satisfied + lost_complained + lost_silent
        frame = pd.DataFrame({
            "customers": start, "dissatisfied": dissatisfied, "complained": complained, "silent": silent,
            "lost_satisfied": lost_satisfied, "lost_complained": lost_complained, "lost_silent": lost_silent,
            "lost": lost, "cumulative_lost": np.cumsum(lost), "cumulative_lost_silent": np.cumsum(lost_silent),
        }, index=pd.Index(k + 1, name="year"))
        return frame

    def silent_cost(
        self, customers: float = 1000.0, years: int = 5, *, acquisitions: float = 0.0, margin: float = 10.0
    ) -> pd.DataFrame:
        """Return what silence costs: this firm against one where every dissatisfied customer complains.

        Parameters
        ----------
        customers : float, default=1000.0
            Customers at the start of year 1.
        years : int, default=5
            Years to follow.
        acquisitions : float, default=0.0
            New customers joining at the end of each year.
        margin : float, default=10.0
            Profit per customer per year.

        Returns
        -------
        pandas.DataFrame
            Indexed by ``year`` (0..years; row ``y`` is the end of year ``y``,
            row 0 today): ``customers`` (this firm), ``customers_all_heard``
            (the same firm if ``complaint_rate`` were 1), ``lost_to_silence``
            (the difference :math:`x`), ``profit_lost`` (profit forgone during
            year ``y``: margin × the difference at its start),
            ``cumulative_profit_lost`` and ``rival_relative_size``: B/A when a
            rival of the all-heard size gains those customers, the lecture's
            :math:`(N + x)/(N - x)` with :math:`N` the all-heard base.

        Raises
        ------
        ValueError
            If an argument is out of range.
        """
        caller = "ComplaintLeakage.silent_cost"
        t = check_int(years, "years", caller=caller, minimum=1)
        m = check_number(margin, "margin", caller=caller, minimum=0)
        actual = self.path(customers, t + 1, acquisitions=acquisitions)["customers"].to_numpy()
        heard = replace(self, complaint_rate=1.0).path(customers, t + 1, acquisitions=acquisitions)
        heard = heard["customers"].to_numpy()
        gap = heard - actual
        profit = np.concatenate([[0.0], m * gap[:-1]])
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(actual > 0, (heard + gap) / np.where(actual > 0, actual, 1), np.inf)
        return pd.DataFrame({
            "customers": actual, "customers_all_heard": heard, "lost_to_silence": gap, "profit_lost": profit,
            "cumulative_profit_lost": np.cumsum(profit), "rival_relative_size": ratio,
        }, index=pd.Index(np.arange(t + 1), name="year"))


def relationship_strength(links: float | Sequence[float] | np.ndarray, *, direct_strength: float = 1.0) -> np.ndarray:
    r"""Return relationship strength with a customer ``links`` value-chain links away.

    Chapter 7. The lecture's inverse-square rule (价值链上的客户关系): as the
    brightness of a light falls with the square of the distance to the source,
    the strength of the relationship between a customer and a business falls
    with the square of the number of value-chain links between them.

    Parameters
    ----------
    links : float or array-like
        Links between the firm and the end customer: 1 = selling direct,
        2 = through one intermediary (e.g. a retailer), and so on; each >= 1.
    direct_strength : float, default=1.0
        Strength of a direct (one-link) relationship.

    Returns
    -------
    numpy.ndarray
        :math:`s_k = s_1 / k^2`.

    Raises
    ------
    TypeError
        If ``links`` is not numeric.
    ValueError
        If a number of links is below 1 or ``direct_strength`` is negative.

    See Also
    --------
    value_chain_table : the rule as a small table.

    Notes
    -----
    .. math:: s_k = \frac{s_1}{k^2}

    Added costs travel down the chain to the end customer, who blames the
    original supplier; cost savings rarely travel down at all.

    References
    ----------
    .. [1] Course lecture 004, "价值链上的客户关系" (customer relationships along the value chain).

    Examples
    --------
    >>> relationship_strength([1, 2, 3]).round(3).tolist()
    [1.0, 0.25, 0.111]
    """
    return _strength(links, direct_strength, caller="relationship_strength")


def _strength(links: float | Sequence[float] | np.ndarray, direct_strength: float, *, caller: str) -> np.ndarray:
    """Apply the inverse-square rule, reporting bad input in ``caller``'s name."""
    s1 = check_number(direct_strength, "direct_strength", caller=caller, minimum=0)
    try:
        k = np.asarray(links, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{caller}(): 'links' must be a number or numbers; got {links!r:.80}.") from exc
    if k.size == 0 or not np.all(np.isfinite(k)) or np.any(k < 1):
        raise ValueError(
            f"{caller}(): 'links' must be numbers >= 1 (1 = selling direct); got {np.atleast_1d(k).tolist()}."
        )
    return s1 / k**2


def value_chain_table(
    links: Sequence[int] = (1, 2, 3, 4), *, retention_uplift: float = 0.05
) -> pd.DataFrame:
    r"""Return the inverse-square rule as a table with what survives of a retention effort.

    Chapter 7. A firm invests in care that would raise a *direct* customer's
    retention by ``retention_uplift``; through :math:`k` links only
    :math:`1/k^2` of the relationship — and of the uplift — reaches the end
    customer.

    Parameters
    ----------
    links : sequence of int, default=(1, 2, 3, 4)
        Chain lengths to tabulate (1 = direct).
    retention_uplift : float, default=0.05
        Retention gain (in points of probability) for a direct customer.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``links``: ``intermediaries`` (:math:`k - 1`),
        ``strength`` (:math:`1/k^2`), ``strength_pct`` and
        ``retention_uplift`` reaching the end customer.

    Raises
    ------
    TypeError
        If ``links`` is not numeric.
    ValueError
        If a chain length is below 1 or not a whole number, or ``retention_uplift`` is outside [0, 1].

    See Also
    --------
    relationship_strength : the rule itself.

    Notes
    -----
    .. math:: \Delta r_k = \Delta r_1 / k^2

    References
    ----------
    .. [1] Course lecture 004, "价值链上的客户关系".

    Examples
    --------
    >>> value_chain_table((1, 3))["strength_pct"].round(1).tolist()
    [100.0, 11.1]
    """
    uplift = check_probability(retention_uplift, "retention_uplift", caller="value_chain_table")
    strength = _strength(links, 1.0, caller="value_chain_table")
    k = np.asarray(links, dtype=float)
    if np.any(k != np.round(k)):
        raise ValueError(
            f"value_chain_table(): 'links' must be whole numbers of links (1 = selling direct); "
            f"got {np.atleast_1d(k).tolist()}."
        )
    return pd.DataFrame({
        "intermediaries": (k - 1).astype(int), "strength": strength, "strength_pct": 100 * strength,
        "retention_uplift": uplift * strength,
    }, index=pd.Index(k.astype(int), name="links"))
