"""Customer delivered value (顾客让渡价值, Kotler): total customer value minus total customer cost.

Chapter 2. A customer does not buy the product with the best specification,
nor the cheapest one, but the offer that leaves the most value once every cost
of getting it is paid.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab._validation import check_columns, check_frame, check_no_missing, check_nonnegative, check_numeric_columns

__all__ = ["COST_COMPONENTS", "VALUE_COMPONENTS", "customer_delivered_value"]

#: Total customer value (顾客总价值): product, service, personnel and image value.
VALUE_COMPONENTS = ("product", "service", "personnel", "image")
#: Total customer cost (顾客总成本): money, time, energy and psychological cost.
COST_COMPONENTS = ("money", "time", "energy", "psychological")


def customer_delivered_value(offers: pd.DataFrame) -> pd.DataFrame:
    r"""Compare competing offers by customer delivered value (顾客让渡价值).

    Chapter 2. Kotler's customer delivered value is the total value a customer
    expects from an offer minus the total cost of obtaining it. The total
    customer value (顾客总价值) is the sum of product value (产品价值), service
    value (服务价值), personnel value (人员价值) and image value (形象价值); the
    total customer cost (顾客总成本) is the sum of the monetary price (货币成本),
    time cost (时间成本), energy cost (精力成本) and psychological cost (精神成本).
    The customer is expected to choose the offer with the largest delivered
    value; a firm can win by raising any value component *or* by cutting any
    cost component, not only the price.

    Parameters
    ----------
    offers : pandas.DataFrame
        One row per offer (index = offer name), with the numeric, non-negative columns
        ``product``, ``service``, ``personnel``, ``image`` (value) and ``money``, ``time``, ``energy``,
        ``psychological`` (cost), all in the same unit (e.g. money-equivalents or 1–10 scores).

    Returns
    -------
    pandas.DataFrame
        The input columns plus ``total_value``, ``total_cost``, ``delivered_value``
        (= total_value − total_cost), ``value_cost_ratio`` (= total_value / total_cost) and ``rank``
        (1 = largest delivered value), sorted by rank.

    Raises
    ------
    TypeError
        If ``offers`` is not a DataFrame or a component column is not numeric.
    ValueError
        If a component column is missing, empty or negative.

    See Also
    --------
    crmlab.value.customer_value_matrix : the firm's side: what a customer is worth to it.

    Notes
    -----
    .. math::

        \\text{CDV} = \\underbrace{(V_{product} + V_{service} + V_{personnel} + V_{image})}_{\\text{total
        customer value}} - \\underbrace{(C_{money} + C_{time} + C_{energy} + C_{psychological})}_{\\text{total
        customer cost}}

    Some authors use the ratio :math:`TCV / TCC` instead of the difference; both are returned.

    References
    ----------
    Kotler, P., & Keller, K. L. (2016). *Marketing Management* (15th ed.), ch. 5. Pearson.

    Examples
    --------
    >>> import pandas as pd
    >>> offers = pd.DataFrame(
    ...     {"product": [60, 50], "service": [20, 30], "personnel": [10, 15], "image": [10, 5],
    ...      "money": [70, 60], "time": [5, 5], "energy": [5, 5], "psychological": [0, 5]},
    ...     index=["A", "B"])
    >>> customer_delivered_value(offers)[["total_value", "total_cost", "delivered_value", "rank"]]
       total_value  total_cost  delivered_value  rank
    B          100          75               25     1
    A          100          80               20     2
    """
    caller = "customer_delivered_value"
    check_frame(offers, caller=caller, name="offers")
    cols = [*VALUE_COMPONENTS, *COST_COMPONENTS]
    check_columns(offers, cols, caller=caller, name="offers")
    check_numeric_columns(offers, cols, caller=caller, name="offers")
    check_no_missing(offers, cols, caller=caller, name="offers")
    for col in cols:
        check_nonnegative(offers, col, caller=caller, name="offers")
    out = offers.copy()
    out["total_value"] = out[list(VALUE_COMPONENTS)].sum(axis=1)
    out["total_cost"] = out[list(COST_COMPONENTS)].sum(axis=1)
    out["delivered_value"] = out["total_value"] - out["total_cost"]
    cost = out["total_cost"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["value_cost_ratio"] = np.where(cost > 0, out["total_value"].to_numpy(dtype=float) / cost, np.inf)
    out["rank"] = out["delivered_value"].rank(ascending=False, method="min").astype(np.int64)
    return out.sort_values("rank", kind="stable")
