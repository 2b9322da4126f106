"""The customer ordering model (客户顺序模型) of lecture 002, and IDIC as the frame around it.

Chapter 2. Which customers should the firm develop first? Lecture 002 combines
three indicators — credit grade (信用等级), scale (规模) and loyalty (忠诚度) —
each split into high and low, and ranks the combinations. Two-factor versions
use loyalty × scale or loyalty × credit.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from crmlab._validation import check_columns, check_frame, check_no_missing, check_numeric_columns

__all__ = ["FACTORS", "IDIC", "customer_ordering", "ordering_classes"]

#: The factors, in the priority the lecture gives them when combined: credit, then scale, then loyalty.
FACTORS = ("credit", "scale", "loyalty")
_LEVELS = {
    "credit": ("high credit", "low credit", "高信用等级", "低信用等级"),
    "scale": ("large", "small", "大规模", "小规模"),
    "loyalty": ("high loyalty", "low loyalty", "高忠诚度", "低忠诚度"),
}
# Lecture 002's advice for the two-factor classes, by position (first, second, third, fourth).
_TWO_FACTOR_ADVICE = (
    "first choice for development (企业进行客户开发的首选对象)",
    "order of development hard to fix: weigh case by case (发展顺序难以确定)",
    "develop at the right moment, with a high-calibre team (选择恰当的时间进行开发, 并配备高素质的队伍)",
    "developed last (开发顺序排在最后)",
)

#: IDIC (Peppers & Rogers): the four steps of one-to-one marketing and where crmlab covers each.
IDIC = pd.DataFrame(
    {
        "step": ["identify", "differentiate", "interact", "customise"],
        "chinese": ["识别客户", "客户差异分析", "与客户保持互动", "调整产品或服务以满足每个客户的需要"],
        "question": [
            "Who exactly is the customer, across every contact, channel and department?",
            "How do customers differ in value to the firm and in needs?",
            "How does the firm keep a cost-efficient, useful dialogue with each customer?",
            "How does the firm tailor some part of its behaviour to each customer?",
        ],
        "in_crmlab": [
            "ch. 1: the customer database, its quality report, the 360° view",
            "ch. 2: 80/20, value matrix, ordering model; ch. 3: RFM; ch. 8: segmentation",
            "ch. 1: contact-cycle reminders; ch. 4–5: satisfaction and loyalty; complaints",
            "ch. 1: preferences (the carrot juice); ch. 6: CLV-based treatment",
        ],
    }
).set_index("step")


def _check_factors(factors: Sequence[str], caller: str) -> tuple[str, ...]:
    if isinstance(factors, str) or not all(f in FACTORS for f in factors):
        raise ValueError(f"{caller}(): 'factors' must be a sequence of names from {list(FACTORS)}; got {factors!r}.")
    factors = tuple(f for f in FACTORS if f in factors)  # priority order of the lecture
    if len(factors) < 2 or "loyalty" not in factors:
        raise ValueError(
            f"{caller}(): 'factors' must hold 'loyalty' and at least one of 'credit', 'scale'; got {factors!r}."
        )
    return factors


def ordering_classes(factors: Sequence[str] = FACTORS) -> pd.DataFrame:
    r"""Return the ranked classes of the customer ordering model, in the lecture's priority order.

    Chapter 2. With factors taken in the order credit → scale → loyalty and
    "high" before "low" on each, the classes are ranked lexicographically: for
    the three-factor model, (high credit, large, high loyalty) first and (low
    credit, small, low loyalty) eighth.

    Parameters
    ----------
    factors : sequence of str, default=("credit", "scale", "loyalty")
        Two or three of the factors; must include ``"loyalty"``.

    Returns
    -------
    pandas.DataFrame
        Index ``rank`` (1 = develop first); columns ``label``, ``chinese``, one boolean ``high_<factor>``
        column per factor and ``advice`` (the lecture's comment, two-factor versions only).

    Raises
    ------
    ValueError
        For unknown factors or a set without loyalty.

    See Also
    --------
    customer_ordering

    Notes
    -----
    For :math:`k` factors with :math:`h_j = 1` when factor :math:`j` is high,

    .. math:: \\text{rank} = 1 + \\sum_{j=1}^{k} (1 - h_j)\\, 2^{k-j}.

    Examples
    --------
    >>> ordering_classes(["scale", "loyalty"])["label"].tolist()
    ['large / high loyalty', 'large / low loyalty', 'small / high loyalty', 'small / low loyalty']
    """
    factors = _check_factors(factors, "ordering_classes")
    k = len(factors)
    ranks = np.arange(1, 2**k + 1)
    low = ((ranks[:, None] - 1) >> np.arange(k - 1, -1, -1)[None, :]) & 1  # bit j: factor j is low
    out = pd.DataFrame(index=pd.Index(ranks, name="rank"))
    out["label"] = [" / ".join(_LEVELS[f][int(b)] for f, b in zip(factors, row, strict=True)) for row in low]
    out["chinese"] = ["—".join(_LEVELS[f][2 + int(b)] for f, b in zip(factors, row, strict=True)) + "客户"
                      for row in low]
    for j, f in enumerate(factors):
        out[f"high_{f}"] = low[:, j] == 0
    out["advice"] = list(_TWO_FACTOR_ADVICE) if k == 2 else ""
    return out


def customer_ordering(
    customers: pd.DataFrame,
    *,
    factors: Sequence[str] = FACTORS,
    credit_col: str = "credit_grade",
    scale_col: str = "revenue",
    loyalty_col: str = "loyalty",
    thresholds: dict[str, float] | None = None,
) -> pd.DataFrame:
    """Rank customers by the customer ordering model (客户顺序模型): credit × scale × loyalty.

    Chapter 2. Each factor is split into high/low at a threshold — credit
    grade (e.g. 1–5 stars, lecture 003; high = 4 or 5 by default), scale
    (revenue; high = at least the median by default) and loyalty (any score,
    e.g. the loyalty index of chapter 5 or repeat purchases; high = at least
    the median) — and each customer gets the class and priority rank of
    :func:`ordering_classes`.

    Parameters
    ----------
    customers : pandas.DataFrame
        One row per customer with the numeric columns of the chosen factors.
    factors : sequence of str, default=("credit", "scale", "loyalty")
        Which model: all three, ``("scale", "loyalty")`` or ``("credit", "loyalty")``.
    credit_col, scale_col, loyalty_col : str
        Column names of the factors.
    thresholds : dict, optional
        ``{"credit": 4, "scale": 1000.0, "loyalty": 0.5}``: a value at or above the threshold is "high".
        Defaults: credit 4; scale and loyalty the median of the column.

    Returns
    -------
    pandas.DataFrame
        A copy of ``customers`` with ``high_<factor>`` booleans, ``ordering_rank`` (1 = develop first)
        and ``ordering_class`` (ordered categorical of the labels, in rank order).

    Raises
    ------
    TypeError, ValueError
        For a non-DataFrame, unknown factors, missing or non-numeric columns, missing values, or a
        threshold for a factor not in the model.

    See Also
    --------
    ordering_classes, customer_value_matrix

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"credit_grade": [5, 2, 4], "revenue": [100, 900, 50], "loyalty": [0.9, 0.9, 0.1]})
    >>> customer_ordering(df, thresholds={"scale": 500, "loyalty": 0.5})[["ordering_rank", "ordering_class"]]
       ordering_rank                      ordering_class
    0              3  high credit / small / high loyalty
    1              5   low credit / large / high loyalty
    2              4   high credit / small / low loyalty
    """
    caller = "customer_ordering"
    factors = _check_factors(factors, caller)
    check_frame(customers, caller=caller, name="customers")
    col = {"credit": credit_col, "scale": scale_col, "loyalty": loyalty_col}
    needed = [col[f] for f in factors]
    check_columns(customers, needed, caller=caller, name="customers")
    check_numeric_columns(customers, needed, caller=caller, name="customers")
    check_no_missing(customers, needed, caller=caller, name="customers")
    thresholds = dict(thresholds or {})
    extra = sorted(set(thresholds) - set(factors))
    if extra:
        raise ValueError(f"{caller}(): 'thresholds' names factor(s) {extra} that are not in factors={list(factors)}.")
    out = customers.copy()
    rank = np.ones(len(out), dtype=np.int64)
    k = len(factors)
    for j, f in enumerate(factors):
        values = out[col[f]].to_numpy(dtype=float)
        cut = thresholds.get(f, 4.0 if f == "credit" else float(np.median(values)))
        high = values >= float(cut)
        out[f"high_{f}"] = high
        rank += (~high).astype(np.int64) << (k - 1 - j)
    classes = ordering_classes(factors)
    out["ordering_rank"] = rank
    out["ordering_class"] = pd.Categorical.from_codes(rank - 1, categories=classes["label"].tolist(), ordered=True)
    return out
