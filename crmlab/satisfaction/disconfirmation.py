"""Satisfaction as perceived versus expected value: ratio and disconfirmation forms.

Chapter 4. The lecture defines customer satisfaction (客户满意度) as perceived value divided by
expected value; the expectation–disconfirmation paradigm uses their difference.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from crmlab._validation import (
    check_columns,
    check_frame,
    check_no_missing,
    check_number,
    check_numeric_columns,
    check_positive,
)

__all__ = ["delivered_value_satisfaction", "disconfirmation", "satisfaction_summary"]

_STATES = ("dissatisfied", "satisfied", "delighted")


def _state(ratio: np.ndarray, tolerance: float) -> pd.Categorical:
    code = np.where(ratio < 1 - tolerance, 0, np.where(ratio > 1 + tolerance, 2, 1))
    return pd.Categorical.from_codes(code, categories=list(_STATES))


def disconfirmation(
    data: pd.DataFrame,
    *,
    perceived_col: str = "perceived",
    expected_col: str = "expected",
    customer_col: str = "customer_id",
    tolerance: float = 0.05,
) -> pd.DataFrame:
    r"""Per-customer satisfaction in the ratio form and the difference (disconfirmation) form.

    Chapter 4.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per customer with ``customer_col``, ``perceived_col`` (>= 0) and ``expected_col`` (> 0).
    perceived_col, expected_col, customer_col : str
        Column names.
    tolerance : float, default=0.05
        Ratios within ``1 ± tolerance`` count as "satisfied" (expectations just met).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``customer_id``: ``perceived``, ``expected``, ``ratio`` (perceived / expected),
        ``difference`` (perceived − expected) and ``state`` (dissatisfied / satisfied / delighted).

    Raises
    ------
    ValueError
        Missing columns or values, duplicated customers, negative perceived or non-positive
        expected values (the ratio needs them), a negative tolerance.
    TypeError
        If ``data`` is not a DataFrame or a value column is not numeric.

    See Also
    --------
    satisfaction_summary, delivered_value_satisfaction

    Notes
    -----
    .. math:: S^{\text{ratio}}_i = \frac{P_i}{E_i}, \qquad S^{\text{diff}}_i = P_i - E_i

    :math:`S^{\text{ratio}} < 1` (negative disconfirmation) means disappointment, :math:`= 1` means
    expectations met and :math:`> 1` (positive disconfirmation) means delight.

    References
    ----------
    Oliver, R. L. (1980). A cognitive model of the antecedents and consequences of satisfaction
    decisions. *Journal of Marketing Research*, 17(4), 460–469.
    Kotler, P., & Keller, K. L. (2016). *Marketing Management* (15th ed.). Pearson.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"customer_id": [1, 2], "perceived": [6.0, 9.0], "expected": [8.0, 9.0]})
    >>> out = disconfirmation(df)
    >>> out["ratio"].tolist(), out["difference"].tolist(), out["state"].tolist()
    ([0.75, 1.0], [-2.0, 0.0], ['dissatisfied', 'satisfied'])
    """
    caller = "disconfirmation"
    check_frame(data, caller=caller)
    cols = [customer_col, perceived_col, expected_col]
    check_columns(data, cols, caller=caller)
    check_numeric_columns(data, cols[1:], caller=caller)
    check_no_missing(data, cols, caller=caller, id_col=customer_col)
    tolerance = check_number(tolerance, "tolerance", caller=caller, minimum=0.0)
    dup = data[customer_col].duplicated().to_numpy()
    if dup.any():
        raise ValueError(
            f"{caller}(): 'data' must have one row per customer; {int(dup.sum())} duplicated '{customer_col}' "
            f"values (first: {data.loc[dup, customer_col].head(5).tolist()}); aggregate per customer first."
        )
    check_positive(data, perceived_col, caller=caller, id_col=customer_col, allow_zero=True)
    check_positive(data, expected_col, caller=caller, id_col=customer_col, hint="the ratio form needs E > 0")
    p = data[perceived_col].to_numpy(dtype=float)
    e = data[expected_col].to_numpy(dtype=float)
    out = pd.DataFrame(
        {"perceived": p, "expected": e, "ratio": p / e, "difference": p - e},
        index=pd.Index(data[customer_col].to_numpy(), name="customer_id"),
    )
    out["state"] = _state(out["ratio"].to_numpy(), tolerance)
    return out


def satisfaction_summary(table: pd.DataFrame, *, by: str | None = None) -> pd.DataFrame:
    r"""Aggregate per-customer satisfaction: mean ratio, ratio of means, mean gap and state shares.

    Chapter 4.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`disconfirmation` (columns ``perceived``, ``expected``, ``ratio``,
        ``difference``, ``state``), optionally with an extra grouping column ``by``.
    by : str or None, default=None
        Column to group by (e.g. a segment); ``None`` gives one row ``"all"``.

    Returns
    -------
    pandas.DataFrame
        One row per group: ``n``, ``mean_ratio``, ``ratio_of_means`` (Σ P / Σ E),
        ``mean_difference``, ``share_dissatisfied``, ``share_satisfied``, ``share_delighted``.

    Raises
    ------
    ValueError
        If a required column is missing.

    See Also
    --------
    disconfirmation

    Notes
    -----
    The mean of ratios weights every customer equally; the ratio of means
    :math:`\sum_i P_i / \sum_i E_i` weights customers by their expectations. They differ when
    expectations vary.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"customer_id": [1, 2], "perceived": [6.0, 9.0], "expected": [8.0, 9.0]})
    >>> satisfaction_summary(disconfirmation(df))["ratio_of_means"].round(4).tolist()
    [0.8824]
    """
    caller = "satisfaction_summary"
    check_frame(table, caller=caller, name="table")
    need = ["perceived", "expected", "ratio", "difference", "state"] + ([by] if by is not None else [])
    check_columns(table, need, caller=caller, name="table")
    key = table[by] if by is not None else pd.Series("all", index=table.index, name="group")
    state = pd.get_dummies(table["state"].astype(pd.CategoricalDtype(list(_STATES))), dtype=float)
    frame = pd.concat([table[["perceived", "expected", "ratio", "difference"]], state.add_prefix("share_")], axis=1)
    g = frame.groupby(key.to_numpy(), observed=True, sort=True)
    out = g.mean()
    out.insert(0, "n", g.size())
    out["ratio_of_means"] = out["perceived"] / out["expected"]
    out = out.rename(columns={"ratio": "mean_ratio", "difference": "mean_difference"})
    out.index.name = by if by is not None else "group"
    return out[
        [
            "n",
            "mean_ratio",
            "ratio_of_means",
            "mean_difference",
            "share_dissatisfied",
            "share_satisfied",
            "share_delighted",
        ]
    ]


def delivered_value_satisfaction(
    data: pd.DataFrame,
    *,
    value_cols: Sequence[str],
    cost_cols: Sequence[str],
    expected_col: str = "expected_delivered_value",
    customer_col: str = "customer_id",
) -> pd.DataFrame:
    r"""Satisfaction as disconfirmation of customer delivered value (顾客让渡价值).

    Chapter 4, linking chapter 2's delivered value to satisfaction: what the customer
    perceives is total customer value minus total customer cost, compared with the delivered
    value expected before buying.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per customer with ``customer_col``, the value components ``value_cols``
        (e.g. product, service, personnel, image value), the cost components ``cost_cols``
        (money, time, energy, psychological cost; all >= 0) and ``expected_col``.
    value_cols, cost_cols : sequence of str
        Component columns (at least one each).
    expected_col, customer_col : str
        Column names.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``customer_id``: ``total_value``, ``total_cost``, ``delivered_value``,
        ``expected``, ``difference`` (delivered − expected), ``value_cost_ratio`` (TCV / TCC),
        ``state`` (dissatisfied if the difference < 0, satisfied if 0, delighted if > 0).

    Raises
    ------
    ValueError
        Missing columns or values, negative components, an empty component list.
    TypeError
        If ``data`` is not a DataFrame or a component is not numeric.

    See Also
    --------
    disconfirmation

    Notes
    -----
    .. math:: \mathrm{CDV}_i = \underbrace{\sum_c V_{ic}}_{\text{TCV}} - \underbrace{\sum_c C_{ic}}_{\text{TCC}},
        \qquad S_i = \mathrm{CDV}_i - E[\mathrm{CDV}_i]

    Delivered value can be negative, so only the difference form is used for it.

    References
    ----------
    Kotler, P. (1997). *Marketing Management* (9th ed.), ch. 2. Prentice Hall.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"customer_id": [1], "product": [50.0], "service": [20.0], "money": [40.0],
    ...                    "time": [5.0], "expected_delivered_value": [20.0]})
    >>> out = delivered_value_satisfaction(df, value_cols=["product", "service"], cost_cols=["money", "time"])
    >>> out[["delivered_value", "difference"]].to_dict("records")
    [{'delivered_value': 25.0, 'difference': 5.0}]
    """
    caller = "delivered_value_satisfaction"
    check_frame(data, caller=caller)
    value_cols, cost_cols = list(value_cols), list(cost_cols)
    for name, cols in (("value_cols", value_cols), ("cost_cols", cost_cols)):
        if not cols:
            raise ValueError(f"{caller}(): '{name}' must name at least one column; got [].")
    comps = value_cols + cost_cols
    check_columns(data, [customer_col, expected_col, *comps], caller=caller)
    check_numeric_columns(data, [expected_col, *comps], caller=caller)
    check_no_missing(data, [customer_col, expected_col, *comps], caller=caller, id_col=customer_col)
    for col in comps:
        check_positive(data, col, caller=caller, id_col=customer_col, allow_zero=True)
    tcv = data[value_cols].to_numpy(dtype=float).sum(axis=1)
    tcc = data[cost_cols].to_numpy(dtype=float).sum(axis=1)
    exp = data[expected_col].to_numpy(dtype=float)
    diff = tcv - tcc - exp
    with np.errstate(divide="ignore"):
        vcr = np.where(tcc > 0, tcv / np.where(tcc > 0, tcc, 1.0), np.inf)
    out = pd.DataFrame(
        {
            "total_value": tcv,
            "total_cost": tcc,
            "delivered_value": tcv - tcc,
            "expected": exp,
            "difference": diff,
            "value_cost_ratio": vcr,
        },
        index=pd.Index(data[customer_col].to_numpy(), name="customer_id"),
    )
    out["state"] = pd.Categorical.from_codes(np.sign(diff).astype(int) + 1, categories=list(_STATES))
    return out
