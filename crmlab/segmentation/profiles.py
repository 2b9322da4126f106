"""Segment profiles: size, revenue share, mean R/F/M, a suggested name and action.

Chapter 3. A segmentation is only useful when a manager can act on it: this is the
"differentiate" step (对客户进行差异分析) of the IDIC model (identify 识别, differentiate
差异分析, interact 互动, customise 定制). It also compares found segments with the
course's customer ordering model (客户顺序模型, :func:`crmlab.value.customer_ordering`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from crmlab._validation import (
    check_columns,
    check_finite,
    check_frame,
    check_labels,
    check_no_missing,
    check_numeric_columns,
)

__all__ = [
    "compare_with_ordering",
    "projection_2d",
    "segment_profiles",
    "snake_table",
    "suggest_actions",
]

#: (recent, frequent, high spend) → suggested name and action (the IDIC "differentiate" step).
ACTIONS = {
    (True, True, True): ("Champions", "Retain and reward: VIP service, early access, ask for referrals."),
    (True, True, False): ("Loyal regulars", "Up-sell and cross-sell to raise the spend per purchase."),
    (True, False, True): ("Promising big spenders", "Nurture into repeat buyers: personal follow-up."),
    (True, False, False): ("New or occasional", "Welcome series; low-cost nudges toward a second purchase."),
    (False, True, True): ("At risk (valuable)", "Win back now: personal contact, find out why they lapsed."),
    (False, True, False): ("Lapsing regulars", "Reactivation offer based on past purchases."),
    (False, False, True): ("Lapsed big spenders", "Targeted win-back offer; check for a service failure."),
    (False, False, False): ("Hibernating", "Low-cost reactivation, or stop spending on them."),
}


def _labels(labels: Any, n: int, caller: str) -> np.ndarray:
    return check_labels(labels, n, caller=caller)


def segment_profiles(
    data: pd.DataFrame,
    labels: Any,
    *,
    recency_col: str = "recency",
    frequency_col: str = "frequency",
    monetary_col: str = "monetary",
    value_col: str | None = None,
) -> pd.DataFrame:
    """Profile each segment: size, revenue share, mean recency/frequency/monetary, name, action.

    Chapter 3. Revenue shares show the 20/80 rule (二八法则) at segment level: a small
    segment of core customers often brings most of the revenue.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per customer, e.g. :func:`crmlab.segmentation.rfm_features` output.
    labels : array-like of shape (n_customers,)
        Segment of each row.
    recency_col, frequency_col, monetary_col : str, default="recency", "frequency", "monetary"
        Time since last purchase, number of purchases, mean spend per purchase.
    value_col : str, optional
        Each customer's revenue; default ``frequency_col * monetary_col``.

    Returns
    -------
    pandas.DataFrame
        Index ``segment`` (sorted by revenue share, largest first); columns ``n_customers``,
        ``customer_share``, ``revenue``, ``revenue_share``, ``recency``, ``frequency``,
        ``monetary`` (segment means), ``name`` and ``action`` (from :func:`suggest_actions`, with
        the median customer as reference: one very large segment mean must not decide what
        counts as "frequent").

    Raises
    ------
    TypeError, ValueError
        If ``data`` is not a non-empty DataFrame with numeric, complete columns, or the
        labels do not match its rows.

    See Also
    --------
    suggest_actions, snake_table, crmlab.plotting.plot_snake

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"recency": [5.0, 7, 300, 320], "frequency": [10.0, 12, 1, 1],
    ...                   "monetary": [50.0, 60, 20, 10]})
    >>> prof = segment_profiles(f, [0, 0, 1, 1])
    >>> prof["name"].tolist(), prof["revenue_share"].round(3).tolist()
    (['Champions', 'Hibernating'], [0.976, 0.024])
    """
    caller = "segment_profiles"
    df = check_frame(data, caller=caller, name="data")
    cols = [recency_col, frequency_col, monetary_col] + ([value_col] if value_col is not None else [])
    check_columns(df, cols, caller=caller, name="data")
    check_no_missing(df, cols, caller=caller, name="data")
    check_numeric_columns(df, cols, caller=caller, name="data")
    check_finite(df, cols, caller=caller, name="data")
    lab = _labels(labels, len(df), caller)
    value = df[value_col] if value_col is not None else df[frequency_col] * df[monetary_col]
    frame = pd.DataFrame({"segment": lab, "value": value.to_numpy(dtype=float),
                          "recency": df[recency_col].to_numpy(dtype=float),
                          "frequency": df[frequency_col].to_numpy(dtype=float),
                          "monetary": df[monetary_col].to_numpy(dtype=float)})
    g = frame.groupby("segment")
    out = pd.DataFrame({"n_customers": g.size().astype(np.int64)})
    out["customer_share"] = out["n_customers"] / len(frame)
    out["revenue"] = g["value"].sum()
    out["revenue_share"] = out["revenue"] / frame["value"].sum()
    for c in ("recency", "frequency", "monetary"):
        out[c] = g[c].mean()
    typical = frame[["recency", "frequency", "monetary"]].median()
    out = out.join(suggest_actions(out, typical))
    return out.sort_values("revenue_share", ascending=False, kind="stable")


def suggest_actions(profiles: pd.DataFrame, reference: pd.Series | None = None) -> pd.DataFrame:
    """Suggest a name and an action per segment from its mean R, F and M.

    Chapter 3. A segment is *recent* when its mean recency is below the reference (e.g. the
    median customer), and *frequent* / *high spend* when its mean frequency / monetary value
    is above it.
    The eight combinations map to names and actions in :data:`ACTIONS`; repeated names
    get a numeric suffix.

    Parameters
    ----------
    profiles : pandas.DataFrame
        One row per segment with columns ``recency``, ``frequency``, ``monetary``.
    reference : pandas.Series, optional
        Reference values of the three columns (e.g. customer-level medians); default the
        unweighted mean of the rows.

    Returns
    -------
    pandas.DataFrame
        Same index; columns ``name``, ``action``.

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"recency": [10.0, 200.0], "frequency": [8.0, 1.0], "monetary": [80.0, 20.0]})
    >>> suggest_actions(p)["name"].tolist()
    ['Champions', 'Hibernating']
    """
    check_columns(profiles, ["recency", "frequency", "monetary"], caller="suggest_actions", name="profiles")
    ref = profiles[["recency", "frequency", "monetary"]].mean() if reference is None else reference
    keys = zip((profiles["recency"] < ref["recency"]).tolist(), (profiles["frequency"] > ref["frequency"]).tolist(),
               (profiles["monetary"] > ref["monetary"]).tolist(), strict=True)
    pairs = [ACTIONS[k] for k in keys]
    names = pd.Series([p[0] for p in pairs])
    dup = names.groupby(names).cumcount()
    names = names.where(dup == 0, names + " " + (dup + 1).astype(str))
    return pd.DataFrame({"name": names.to_numpy(), "action": [p[1] for p in pairs]}, index=profiles.index)


def snake_table(features: pd.DataFrame, labels: Any) -> pd.DataFrame:
    """Return the mean standardised value of each feature per segment (the data of a snake plot).

    Chapter 3. Each column is standardised over all customers (mean 0, sd 1), so segments
    are read as "above or below the average customer".

    Parameters
    ----------
    features : pandas.DataFrame
        Numeric features, one row per customer.
    labels : array-like of shape (n_customers,)
        Segment of each customer, in the row order of ``features``.

    Returns
    -------
    pandas.DataFrame
        Index ``segment``; one column per feature.

    Raises
    ------
    TypeError, ValueError
        If ``features`` is not numeric and complete or the labels do not match.

    See Also
    --------
    crmlab.plotting.plot_snake

    Examples
    --------
    >>> import pandas as pd
    >>> snake_table(pd.DataFrame({"x": [0.0, 2.0]}), ["a", "b"])["x"].tolist()
    [-1.0, 1.0]
    """
    caller = "snake_table"
    df = check_frame(features, caller=caller, name="features")
    check_numeric_columns(df, list(df.columns), caller=caller, name="features")
    check_no_missing(df, list(df.columns), caller=caller, name="features")
    check_finite(df, list(df.columns), caller=caller, name="features")
    lab = _labels(labels, len(df), caller)
    sd = df.std(ddof=0).replace(0.0, 1.0)
    z = (df - df.mean()) / sd
    return z.groupby(pd.Index(lab, name="segment")).mean()


def compare_with_ordering(labels: Any, ordering: pd.DataFrame, *, normalize: bool = False) -> pd.DataFrame:
    """Cross-tabulate found segments against the classes of the customer ordering model.

    Chapter 3. The ordering model (客户顺序模型, lecture 002; chapter 2's
    :func:`crmlab.value.customer_ordering`) ranks customers by rules — loyalty × scale
    (× credit) — for development; clustering lets the data propose groups. The table
    shows whether the segments refine the rule-based ranks or cut across them.

    Parameters
    ----------
    labels : array-like of shape (n_customers,)
        Found segments (or their names).
    ordering : pandas.DataFrame
        Output of :func:`crmlab.value.customer_ordering` for the same customers, in the same
        order (needs column ``ordering_rank``).
    normalize : bool, default=False
        If True, each row (segment) sums to 1.

    Returns
    -------
    pandas.DataFrame
        Index ``segment``; columns ``ordering_rank`` (1 = develop first).

    Raises
    ------
    ValueError
        If ``ordering`` lacks ``ordering_rank`` or the lengths differ.

    See Also
    --------
    crmlab.value.customer_ordering, segment_profiles

    Examples
    --------
    >>> import pandas as pd
    >>> ranks = pd.DataFrame({"ordering_rank": [1, 4]})
    >>> compare_with_ordering(["x", "y"], ranks).to_numpy().tolist()
    [[1, 0], [0, 1]]
    """
    ordering = check_frame(ordering, caller="compare_with_ordering", name="ordering")
    check_columns(ordering, ["ordering_rank"], caller="compare_with_ordering", name="ordering")
    lab = _labels(labels, len(ordering), "compare_with_ordering")
    return pd.crosstab(pd.Series(lab, name="segment"), pd.Series(ordering["ordering_rank"].to_numpy(),
                       name="ordering_rank"), normalize="index" if normalize else False)


def projection_2d(X: Any) -> pd.DataFrame:
    """Project prepared features onto their first two principal components, for a 2-D view.

    Chapter 3. A picture of the segments: each customer is a point, the axes are the two
    directions of largest spread.

    Parameters
    ----------
    X : pandas.DataFrame or array-like of shape (n_customers, n_features)
        Prepared (scaled) features, at least two columns.

    Returns
    -------
    pandas.DataFrame
        Columns ``pc1``, ``pc2`` (index of ``X`` if it is a DataFrame); ``attrs["explained"]``
        holds the two explained-variance shares.

    Raises
    ------
    ValueError
        If ``X`` is not a finite 2-D array with at least two rows and columns.

    See Also
    --------
    crmlab.plotting.plot_segments_2d

    Examples
    --------
    >>> import numpy as np
    >>> p = projection_2d(np.array([[0.0, 0, 0], [1, 1, 0], [2, 2, 0.1]]))
    >>> p.shape
    (3, 2)
    """
    from sklearn.decomposition import PCA

    arr = np.asarray(X, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[0] < 2 or arr.shape[1] < 2 or not np.isfinite(arr).all():
        raise ValueError(f"projection_2d(): 'X' must be a finite 2-D array with >= 2 rows and columns; "
                         f"got shape {arr.shape}.")
    pca = PCA(n_components=2, svd_solver="full").fit(arr)
    scores = pca.transform(arr)
    index = X.index if isinstance(X, pd.DataFrame) else None
    out = pd.DataFrame(scores, columns=["pc1", "pc2"], index=index)
    out.attrs["explained"] = [float(v) for v in pca.explained_variance_ratio_]
    return out
