"""The two-store customer accumulation effect (顾客累加效应), exactly as the lecture tells it.

Two stores start with the same number of customers and the same profit per
customer. Every customer store A loses walks over to store B, so one lost
customer moves the *difference* between the stores by two, and the *relative
size* B/A grows faster and faster: a loss is not an arithmetic progression but
an accumulation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from crmlab._validation import check_in_choices, check_int, check_number

__all__ = ["LECTURE_LOSSES", "TwoStoreMarket", "accumulation_table"]

#: Customers store A has lost to store B in the rows of the lecture's table.
LECTURE_LOSSES: tuple[int, ...] = (0, 1, 2, 10, 25, 50)


def _check_market(customers: int, margin: float, *, caller: str) -> tuple[int, float]:
    """Return the market size and margin checked in ``caller``'s name."""
    return (check_int(customers, "customers", caller=caller, minimum=1),
            check_number(margin, "margin", caller=caller, minimum=0))


@dataclass(frozen=True)
class TwoStoreMarket:
    r"""Two stores that start equal; every customer A loses goes to B.

    Chapter 7. The lecture's customer accumulation effect (顾客累加效应) and the
    customer profit accumulation effect (顾客利润累加效应): two stores with
    ``customers`` customers each, ``margin`` profit per customer. When A has
    lost :math:`x` customers to B the stores hold :math:`N - x` and :math:`N + x`.

    Parameters
    ----------
    customers : int, default=100
        Customers each store holds at the start (:math:`N`, the lecture's 100).
    margin : float, default=10.0
        Profit per customer per period (:math:`m`, the lecture's $10).

    Raises
    ------
    TypeError
        If ``customers`` is not an integer or ``margin`` not a number.
    ValueError
        If ``customers`` < 1 or ``margin`` is negative.

    See Also
    --------
    accumulation_table : the lecture's table for given losses.
    crmlab.accumulation.AccumulationChain : the same effect period by period.
    crmlab.plotting.plot_accumulation_table : bars of A and B with the ratio.

    Notes
    -----
    With :math:`x` customers moved from A to B (:math:`0 \le x < N`):

    .. math::

        \text{share}_B = \frac{N + x}{2N}, \qquad
        B - A = 2x \;(\text{profit: } 2xm), \qquad
        \frac{B}{A} = \frac{N + x}{N - x},

    the same for customers and for profit because the margin cancels. The
    ratio is convex in :math:`x`: its slope :math:`2N / (N - x)^2` grows as A
    shrinks, and the loss that makes B :math:`R` times as large as A is
    :math:`x = N (R - 1) / (R + 1)`.

    References
    ----------
    .. [1] Course lecture 004, "如何做客户关怀" (customer care), slides on the
       customer accumulation effect.

    Examples
    --------
    >>> market = TwoStoreMarket(customers=100, margin=10.0)
    >>> market.relative_size([0, 1, 2, 10, 25, 50]).round(2).tolist()
    [1.0, 1.02, 1.04, 1.22, 1.67, 3.0]
    >>> float(market.losses_for_ratio(3.0))
    50.0
    """

    customers: int = 100
    margin: float = 10.0

    def __post_init__(self) -> None:
        customers, margin = _check_market(self.customers, self.margin, caller="TwoStoreMarket")
        object.__setattr__(self, "customers", customers)
        object.__setattr__(self, "margin", margin)

    def _losses(self, lost: float | Sequence[float] | np.ndarray, caller: str) -> np.ndarray:
        try:
            x = np.asarray(lost, dtype=float)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{caller}(): 'lost' must be a number or numbers; got {lost!r:.80}.") from exc
        if x.size == 0 or not np.all(np.isfinite(x)):
            raise ValueError(f"{caller}(): 'lost' must be finite numbers; got {lost!r}.")
        bad = (x < 0) | (x >= self.customers)
        if bad.any():
            raise ValueError(
                f"{caller}(): 'lost' must lie in [0, customers={self.customers}) so store A keeps a customer; "
                f"got {x[bad].tolist()[:5]}."
            )
        return x

    def customers_after(self, lost: float | Sequence[float] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return the customers of A and of B after A lost ``lost`` customers to B.

        Parameters
        ----------
        lost : float or array-like
            Customers A has lost to B, each in ``[0, customers)``.

        Returns
        -------
        tuple of numpy.ndarray
            ``(N - x, N + x)``.

        Raises
        ------
        TypeError
            If ``lost`` is not numeric.
        ValueError
            If a loss is negative or would leave A with no customers.
        """
        x = self._losses(lost, "TwoStoreMarket.customers_after")
        return self.customers - x, self.customers + x

    def relative_size(self, lost: float | Sequence[float] | np.ndarray) -> np.ndarray:
        """Return B/A, the relative size of B to A, ``(N + x) / (N - x)``.

        Parameters
        ----------
        lost : float or array-like
            Customers A has lost to B, each in ``[0, customers)``.

        Returns
        -------
        numpy.ndarray
            The ratio, identical for customers and for profit.

        Raises
        ------
        TypeError
            If ``lost`` is not numeric.
        ValueError
            If a loss is negative or would leave A with no customers.
        """
        x = self._losses(lost, "TwoStoreMarket.relative_size")
        return (self.customers + x) / (self.customers - x)

    def losses_for_ratio(self, ratio: float) -> float:
        """Return the customers A must lose for B to be ``ratio`` times as large.

        Parameters
        ----------
        ratio : float
            Target relative size B/A, at least 1.

        Returns
        -------
        float
            :math:`x = N (R - 1) / (R + 1)`.

        Raises
        ------
        ValueError
            If ``ratio`` < 1.
        """
        r = check_number(ratio, "ratio", caller="TwoStoreMarket.losses_for_ratio", minimum=1.0)
        return self.customers * (r - 1.0) / (r + 1.0)

    def table(self, lost: Sequence[float] | np.ndarray = LECTURE_LOSSES, *, basis: str = "customers") -> pd.DataFrame:
        """Return the accumulation table for ``lost`` customers of this market.

        Parameters
        ----------
        lost : sequence of float, default=LECTURE_LOSSES
            Customers A has lost to B, one row each.
        basis : {"customers", "profit"}, default="customers"
            Which of the lecture's two tables.

        Returns
        -------
        pandas.DataFrame
            As :func:`accumulation_table`.

        Raises
        ------
        TypeError
            If ``lost`` is not numeric.
        ValueError
            If ``basis`` is unknown or a loss lies outside ``[0, customers)``.
        """
        return accumulation_table(lost, customers=self.customers, margin=self.margin, basis=basis)


def accumulation_table(
    lost: Sequence[float] | np.ndarray = LECTURE_LOSSES,
    *,
    customers: int = 100,
    margin: float = 10.0,
    basis: str = "customers",
) -> pd.DataFrame:
    r"""Return the lecture's customer (or profit) accumulation table.

    Chapter 7. With the defaults this is the lecture's table cell for cell:
    store A falls 100 → 99 → 98 → 90 → 75 → 50 customers, B rises
    100 → 101 → 102 → 110 → 125 → 150, and B/A goes
    1.00 → 1.02 → 1.04 → 1.22 → 1.67 → 3.00.

    Parameters
    ----------
    lost : sequence of float, default=LECTURE_LOSSES
        Customers A has lost to B, one row each (the lecture: 0, 1, 2, 10, 25, 50).
    customers : int, default=100
        Customers each store starts with.
    margin : float, default=10.0
        Profit per customer.
    basis : {"customers", "profit"}, default="customers"
        ``"customers"`` gives the customer accumulation table (顾客累加效应);
        ``"profit"`` the customer profit accumulation table (顾客利润累加效应).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``lost``. For ``basis="customers"``: ``A_customers``,
        ``A_share``, ``B_customers``, ``B_share`` (shares as fractions of the
        market), ``difference`` (B − A) and ``relative_size`` (B/A). For
        ``basis="profit"``: ``A_profit``, ``B_profit``, ``difference`` and
        ``relative_size``. Values are exact (not rounded).

    Raises
    ------
    TypeError
        If ``lost`` is not numeric or ``customers`` or ``margin`` has the wrong type.
    ValueError
        If ``basis`` is unknown, a loss lies outside ``[0, customers)``,
        ``customers`` < 1 or ``margin`` < 0.

    See Also
    --------
    TwoStoreMarket : the closed forms behind the table.
    crmlab.plotting.plot_accumulation_table : draw the table.

    Notes
    -----
    .. math::

        A = N - x,\quad B = N + x,\quad \text{share}_A = \frac{N - x}{2N},\quad
        B - A = 2x,\quad B/A = \frac{N + x}{N - x};

    profit multiplies counts and differences by :math:`m`; the ratio is unchanged.

    References
    ----------
    .. [1] Course lecture 004, the customer accumulation effect (顾客累加效应).

    Examples
    --------
    >>> t = accumulation_table()
    >>> t["B_customers"].tolist()
    [100.0, 101.0, 102.0, 110.0, 125.0, 150.0]
    >>> accumulation_table(basis="profit")["difference"].tolist()
    [0.0, 20.0, 40.0, 200.0, 500.0, 1000.0]
    """
    basis = check_in_choices(basis, "basis", ["customers", "profit"], caller="accumulation_table")
    customers, margin = _check_market(customers, margin, caller="accumulation_table")
    market = TwoStoreMarket(customers=customers, margin=margin)
    x = market._losses(lost, "accumulation_table")
    a, b = market.customers - x, market.customers + x
    index = pd.Index(x, name="lost")
    if basis == "customers":
        total = 2.0 * market.customers
        data = {
            "A_customers": a, "A_share": a / total, "B_customers": b, "B_share": b / total,
            "difference": b - a, "relative_size": b / a,
        }
    else:
        m = market.margin
        data = {"A_profit": a * m, "B_profit": b * m, "difference": (b - a) * m, "relative_size": b / a}
    return pd.DataFrame(data, index=index)
