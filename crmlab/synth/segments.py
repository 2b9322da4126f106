"""One latent customer segment: the true population parameters of its heterogeneity.

Chapter 0. A :class:`SegmentParams` holds everything that makes champions differ
from dormant customers: BG/NBD purchasing and drop-out, Gamma-Gamma spend, price
sensitivity, cross-buying, image (and so satisfaction and loyalty), referrals and
when they were acquired.
"""

from __future__ import annotations

from dataclasses import dataclass

from crmlab._validation import check_int, check_number, check_probability

__all__ = ["SegmentParams"]


@dataclass(frozen=True)
class SegmentParams:
    r"""True population parameters of one latent customer segment.

    Purchasing follows the BG/NBD story in continuous time (weeks): while alive a
    customer buys as a Poisson process with rate :math:`\lambda \sim
    \mathrm{Gamma}(r, \alpha)` (shape ``r``, rate ``alpha``); after each repeat
    purchase she drops out with probability :math:`p \sim \mathrm{Beta}(a, b)`.
    Spend per transaction is Gamma-Gamma: :math:`z \sim \mathrm{Gamma}(p_s, \nu)`,
    :math:`\nu \sim \mathrm{Gamma}(q, \gamma)`. In the ``subscription`` preset
    ``a``/``b`` are the sBG churn distribution (churn per period) and ``r``/``alpha``
    are unused.

    Parameters
    ----------
    r, alpha : float
        Gamma shape and rate of the weekly purchase rate; mean ``r / alpha`` per week.
    a, b : float
        Beta parameters of the drop-out probability per repeat purchase; mean ``a / (a + b)``.
    p, q, gamma : float
        Gamma-Gamma spend parameters; mean spend per transaction ``p * gamma / (q - 1)`` (``q > 1``).
    discount_a, discount_b : float
        Beta parameters of the share of a customer's purchases made on discount (price sensitivity).
    breadth : float
        Cross-buying: a purchase falls in the customer's favourite category with
        probability ``1 / (1 + breadth_i)`` and otherwise in a category drawn by
        population popularity; ``breadth_i`` is this value times a lognormal factor
        that grows with loyalty. Small values mean one-category buyers.
    image_shift : float
        Mean of the latent corporate-image score (ECSI's exogenous construct) in this
        segment; it shifts satisfaction and loyalty through the structural model.
    referral_rate : float
        Relative propensity to refer: a customer acquired by referral names an
        earlier customer with probability proportional to this value times a
        lognormal factor that grows with loyalty.
    acquisition : tuple of float
        First purchases fall uniformly in this fraction of the observation window,
        e.g. ``(0.0, 0.5)`` for the first half, ``(0.85, 1.0)`` for new customers.
    contact_cycle_days : int
        Days between planned contacts recorded in the CRM system.

    Raises
    ------
    ValueError
        If a parameter is out of its range; the message names the field.

    Examples
    --------
    >>> loyal = SegmentParams(r=2.0, alpha=20.0, a=0.5, b=8.0)
    >>> loyal.r / loyal.alpha  # mean purchases per day
    0.1
    """

    r: float
    alpha: float
    a: float
    b: float
    p: float = 5.0
    q: float = 6.0
    gamma: float = 40.0
    discount_a: float = 2.0
    discount_b: float = 6.0
    breadth: float = 1.0
    image_shift: float = 0.0
    referral_rate: float = 0.1
    acquisition: tuple[float, float] = (0.0, 0.5)
    contact_cycle_days: int = 30

    def __post_init__(self) -> None:
        caller = "SegmentParams"
        for name in ("r", "alpha", "a", "b", "p", "gamma", "discount_a", "discount_b", "breadth"):
            check_number(getattr(self, name), name, caller=caller, minimum=0.0, strict_min=True)
        check_number(self.q, "q", caller=caller, minimum=1.0, strict_min=True)
        check_number(self.image_shift, "image_shift", caller=caller, minimum=-3.0, maximum=3.0)
        check_number(self.referral_rate, "referral_rate", caller=caller, minimum=0.0)
        check_int(self.contact_cycle_days, "contact_cycle_days", caller=caller, minimum=1)
        acq = tuple(self.acquisition)
        if len(acq) != 2:
            raise ValueError(f"{caller}(): 'acquisition' must be a pair (from, to) of window fractions; got {acq!r}.")
        lo = check_probability(acq[0], "acquisition[0]", caller=caller)
        hi = check_probability(acq[1], "acquisition[1]", caller=caller)
        if hi <= lo:
            raise ValueError(f"{caller}(): 'acquisition' must satisfy from < to; got {acq!r}.")
        object.__setattr__(self, "acquisition", (lo, hi))

    @property
    def mean_rate(self) -> float:
        """Mean weekly purchase rate ``r / alpha``."""
        return self.r / self.alpha

    @property
    def mean_dropout(self) -> float:
        """Mean drop-out probability ``a / (a + b)``."""
        return self.a / (self.a + self.b)

    @property
    def mean_spend(self) -> float:
        """Mean spend per transaction ``p * gamma / (q - 1)``."""
        return self.p * self.gamma / (self.q - 1.0)
