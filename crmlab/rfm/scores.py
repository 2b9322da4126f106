"""Classic RFM scores 1..n with an explicit rule for ties, and their realised bin sizes.

Chapter 3. In CDNOW more than half the customers bought only once, so a naive
quantile cut either fails (duplicate edges) or gives identical customers different
scores. Here the tie rule is a named, documented choice.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab._validation import (
    check_columns,
    check_finite,
    check_frame,
    check_in_choices,
    check_int,
    check_no_missing,
    check_numeric_columns,
)

__all__ = ["rfm_bin_sizes", "rfm_scores"]

SCORE_COLUMNS = ("R", "F", "M")
METHODS = ("value", "rank")


def _score(values: pd.Series, n_bins: int, method: str, groups: list[pd.Series] | None) -> pd.Series:
    """Score one column 1..n_bins (higher value → higher score), optionally within groups."""
    tie = "average" if method == "value" else "first"
    ranked = values.groupby(groups, sort=False) if groups else values
    pct = ranked.rank(method=tie, pct=True)
    return pd.Series(np.clip(np.ceil(pct.to_numpy() * n_bins), 1, n_bins).astype(np.int64), index=values.index)


def rfm_scores(
    summary: pd.DataFrame,
    *,
    n_bins: int = 5,
    method: str = "value",
    nested: bool = False,
    recency_col: str = "time_since_last",
    frequency_col: str = "n_purchases",
    monetary_col: str = "mean_value",
) -> pd.DataFrame:
    r"""Score every customer 1..``n_bins`` on recency, frequency and monetary value.

    Chapter 3. The classic RFM (最近一次消费, 消费频率, 消费金额) scoring used in
    database marketing (数据库营销): 5 is best, so a recent, frequent, big spender is
    "555".

    Parameters
    ----------
    summary : pandas.DataFrame
        One row per customer, e.g. ``rfm_summary(log, classic=True)``; needs
        ``recency_col``, ``frequency_col`` and ``monetary_col`` (numeric, no missing values).
    n_bins : int, default=5
        Number of score levels (>= 2).
    method : {"value", "rank"}, default="value"
        Tie rule. ``"value"``: customers with the same value always get the same score
        (the score of their tie block's average rank), so bins can be unequal or empty.
        ``"rank"``: equal-sized bins, ties broken by row order, so identical customers
        can get different scores.
    nested : bool, default=False
        If True, F is scored within each R score and M within each (R, F) cell (nested
        or "sequential" scoring); otherwise each is scored on the whole base.
    recency_col : str, default="time_since_last"
        Time since the last purchase; *smaller* is better, so it is scored in reverse.
    frequency_col, monetary_col : str, default="n_purchases", "mean_value"
        Larger is better.

    Returns
    -------
    pandas.DataFrame
        Same index as ``summary``; int columns ``R``, ``F``, ``M`` in 1..n_bins, ``rfm_cell``
        (str such as ``"545"``, for n_bins <= 9) and ``rfm_score`` (R + F + M).

    Raises
    ------
    TypeError
        If ``summary`` is not a DataFrame or a score column is not numeric.
    ValueError
        If the table is empty, a column is missing or holds missing values, or
        ``method``/``n_bins`` is invalid.

    See Also
    --------
    rfm_bin_sizes : how many customers each score received.
    rfm_segments : named segments from the scores.
    crmlab.plotting.plot_rfm_heatmap : customers per (R, F) cell.

    Notes
    -----
    With ``a_i`` the rank of customer :math:`i` among :math:`N` (average rank over ties
    for ``"value"``, first-come rank for ``"rank"``),

    .. math:: s_i = \max\left(1, \left\lceil n_{\text{bins}} \, a_i / N \right\rceil\right).

    Without ties both rules give the equal-frequency (quintile) bins of textbook RFM.

    References
    ----------
    Hughes, A. M. (2012). *Strategic Database Marketing* (4th ed.). McGraw-Hill.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"time_since_last": [1, 5, 9, 30], "n_purchases": [4, 1, 1, 1],
    ...                   "mean_value": [20.0, 10.0, 15.0, 5.0]})
    >>> rfm_scores(s, n_bins=4)[["R", "F", "M", "rfm_cell"]]
       R  F  M rfm_cell
    0  4  4  4      444
    1  3  2  2      322
    2  2  2  3      223
    3  1  2  1      121
    """
    caller = "rfm_scores"
    df = check_frame(summary, caller=caller, name="summary")
    cols = [recency_col, frequency_col, monetary_col]
    check_columns(df, cols, caller=caller, name="summary")
    check_no_missing(df, cols, caller=caller, name="summary")
    check_numeric_columns(df, cols, caller=caller, name="summary")
    check_finite(df, cols, caller=caller, name="summary")
    n_bins = check_int(n_bins, "n_bins", caller=caller, minimum=2)
    check_in_choices(method, "method", METHODS, caller=caller)
    r = _score(-df[recency_col], n_bins, method, None)
    f = _score(df[frequency_col], n_bins, method, [r] if nested else None)
    m = _score(df[monetary_col], n_bins, method, [r, f] if nested else None)
    out = pd.DataFrame({"R": r, "F": f, "M": m}, index=df.index)
    if n_bins <= 9:
        out["rfm_cell"] = r.astype(str) + f.astype(str) + m.astype(str)
    out["rfm_score"] = r + f + m
    return out


def rfm_bin_sizes(scores: pd.DataFrame, n_bins: int | None = None) -> pd.DataFrame:
    """Count how many customers received each score of R, F and M.

    Chapter 3. With tied values (most CDNOW customers bought once) the realised bins are
    not equal fifths: this table shows by how much.

    Parameters
    ----------
    scores : pandas.DataFrame
        Output of :func:`rfm_scores` (int columns ``R``, ``F``, ``M``).
    n_bins : int, optional
        Number of levels; defaults to the largest score found.

    Returns
    -------
    pandas.DataFrame
        Index ``score`` 1..n_bins; columns ``R``, ``F``, ``M`` (counts, 0 for an empty bin)
        and ``R_share``, ``F_share``, ``M_share`` (fractions of customers).

    Raises
    ------
    TypeError, ValueError
        If ``scores`` is not a non-empty DataFrame with columns ``R``, ``F``, ``M``.

    See Also
    --------
    rfm_scores : makes the scores.

    Examples
    --------
    >>> import pandas as pd
    >>> sizes = rfm_bin_sizes(pd.DataFrame({"R": [1, 2, 2], "F": [1, 1, 1], "M": [2, 2, 1]}))
    >>> sizes[["R", "F", "M"]]  # doctest: +NORMALIZE_WHITESPACE
           R  F  M
    score
    1      1  3  1
    2      2  0  2
    """
    caller = "rfm_bin_sizes"
    df = check_frame(scores, caller=caller, name="scores")
    check_columns(df, list(SCORE_COLUMNS), caller=caller, name="scores")
    check_no_missing(df, list(SCORE_COLUMNS), caller=caller, name="scores")
    check_numeric_columns(df, list(SCORE_COLUMNS), caller=caller, name="scores")
    check_finite(df, list(SCORE_COLUMNS), caller=caller, name="scores")
    top = int(df[list(SCORE_COLUMNS)].to_numpy().max()) if n_bins is None else check_int(
        n_bins, "n_bins", caller=caller, minimum=1)
    levels = pd.RangeIndex(1, top + 1, name="score")
    counts = {c: df[c].value_counts().reindex(levels, fill_value=0).astype(np.int64) for c in SCORE_COLUMNS}
    out = pd.DataFrame(counts, index=levels)
    for c in SCORE_COLUMNS:
        out[f"{c}_share"] = out[c] / len(df)
    return out
