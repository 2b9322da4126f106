"""Customer life-cycle stages: acquisition, growth, maturity, decline and churn.

Chapter 5 (客户生命周期). Lecture 002's review questions ask for the features of each
life-cycle stage and the CRM focus in each; this module places every customer in a
stage from the transaction log alone.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from crmlab._validation import (
    check_columns,
    check_date_arg,
    check_dates,
    check_frame,
    check_no_missing,
    check_nonnegative,
    check_not_after,
    check_number,
    check_numeric_columns,
)

__all__ = ["LIFECYCLE_STAGES", "lifecycle_stages"]

#: Stages in life-cycle order, with the Chinese terms used in the course.
LIFECYCLE_STAGES = {
    "acquisition": "考察期",
    "growth": "形成期",
    "maturity": "稳定期",
    "decline": "退化期",
    "churned": "流失",
}


def lifecycle_stages(
    transactions: pd.DataFrame,
    *,
    as_of: Any,
    window_days: int = 180,
    change: float = 0.2,
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str = "amount",
) -> pd.DataFrame:
    r"""Place every customer in a life-cycle stage at ``as_of``, from her purchases.

    Chapter 5 (customer life cycle, 客户生命周期).

    Parameters
    ----------
    transactions : pandas.DataFrame
        One row per purchase with ``customer_col``, ``date_col`` and ``amount_col`` (>= 0).
    as_of : str or Timestamp
        The date the stages refer to; no purchase may come after it.
    window_days : int, default=180
        Length :math:`w` of the recent window and of the window before it, in days.
    change : float, default=0.2
        Relative change in spend between the two windows that counts as growth or decline.
    customer_col, date_col, amount_col : str
        Column names.

    Returns
    -------
    pandas.DataFrame
        Indexed by customer id: ``first_purchase``, ``last_purchase``, ``recent_spend``
        (in :math:`(t-w, t]`), ``previous_spend`` (in :math:`(t-2w, t-w]`) and ``stage``
        (ordered categorical of :data:`LIFECYCLE_STAGES`).

    Raises
    ------
    ValueError
        Missing columns or values, negative amounts, purchases after ``as_of``, or a
        non-positive window.

    Notes
    -----
    The rules are applied in this order, with :math:`R` and :math:`P` the recent and
    previous spend:

    - *churned* (流失): no purchase in the recent window;
    - *acquisition* (考察期): first purchase in the recent window;
    - *growth* (形成期): :math:`R > (1 + c)\,P`;
    - *decline* (退化期): :math:`R < (1 - c)\,P`;
    - *maturity* (稳定期): otherwise.

    "Churned" is what the log shows; in a non-contractual business a customer who has
    been silent for a while may still come back (compare P(alive) in Chapter 6).

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": [1, 2, 2, 3, 3],
    ...                    "date": pd.to_datetime(["2024-11-01", "2023-03-01", "2023-12-01",
    ...                                            "2024-03-01", "2024-10-01"]),
    ...                    "amount": [10.0, 50.0, 5.0, 10.0, 30.0]})
    >>> lifecycle_stages(tx, as_of="2024-12-31")["stage"].tolist()
    ['acquisition', 'churned', 'growth']
    """
    caller = "lifecycle_stages"
    check_frame(transactions, caller=caller, name="transactions")
    cols = [customer_col, date_col, amount_col]
    check_columns(transactions, cols, caller=caller, name="transactions")
    check_no_missing(transactions, cols, caller=caller, name="transactions", id_col=customer_col)
    check_numeric_columns(transactions, [amount_col], caller=caller, name="transactions")
    check_nonnegative(transactions, amount_col, caller=caller, name="transactions", id_col=customer_col)
    dates = check_dates(transactions, date_col, caller=caller, name="transactions", id_col=customer_col)
    end = check_date_arg(as_of, "as_of", caller=caller)
    check_not_after(dates, end, caller=caller, column=date_col, df=transactions, name="transactions",
                    id_col=customer_col, end_name="as_of")
    w = check_number(window_days, "window_days", caller=caller, minimum=0.0, strict_min=True)
    c = check_number(change, "change", caller=caller, minimum=0.0, maximum=1.0)
    age = (end - dates).dt.total_seconds().to_numpy() / 86400.0
    amount = transactions[amount_col].to_numpy(dtype=float)
    frame = pd.DataFrame({
        "customer": transactions[customer_col].to_numpy(),
        "date": dates.to_numpy(),
        "recent": np.where(age < w, amount, 0.0),
        "previous": np.where((age >= w) & (age < 2 * w), amount, 0.0),
        "n_recent": (age < w).astype(np.int64),
    })
    g = frame.groupby("customer", sort=True)
    out = pd.DataFrame({
        "first_purchase": g["date"].min(),
        "last_purchase": g["date"].max(),
        "recent_spend": g["recent"].sum(),
        "previous_spend": g["previous"].sum(),
    })
    n_recent = g["n_recent"].sum()
    first_age = (end - out["first_purchase"]).dt.total_seconds() / 86400.0
    recent, previous = out["recent_spend"], out["previous_spend"]
    stage = np.select(
        [n_recent == 0, first_age < w, recent > (1 + c) * previous, recent < (1 - c) * previous],
        ["churned", "acquisition", "growth", "decline"],
        default="maturity",
    )
    out["stage"] = pd.Categorical(stage, categories=list(LIFECYCLE_STAGES), ordered=True)
    out.index.name = customer_col
    return out
