"""Complaint-handling log analysis: volume, share resolved, time to resolve, repurchase after a complaint.

Chapter 4. Works on the ``complaints`` and ``transactions`` tables of a customer world
(:func:`crmlab.synth.make_customer_world`) or of a real CRM system with the same columns.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab._validation import (
    check_columns,
    check_date_arg,
    check_dates,
    check_frame,
    check_int,
    check_no_missing,
    check_nonnegative,
    check_not_after,
    check_numeric_columns,
    first_ids,
)

__all__ = ["complaint_log_summary", "repurchase_after_complaint", "repurchase_summary"]


def _check_complaints(complaints: pd.DataFrame, caller: str) -> pd.DataFrame:
    check_frame(complaints, caller=caller, name="complaints")
    cols = ["complaint_id", "customer_id", "date", "resolved", "resolution_days"]
    check_columns(complaints, cols, caller=caller, name="complaints")
    check_no_missing(complaints, cols[:4], caller=caller, name="complaints", id_col="complaint_id")
    if not pd.api.types.is_bool_dtype(complaints["resolved"]):
        raise TypeError(
            f"{caller}(): column 'resolved' of 'complaints' must be boolean; got {complaints['resolved'].dtype}."
        )
    dates = check_dates(complaints, "date", caller=caller, name="complaints", id_col="complaint_id")
    if complaints["resolution_days"].isna().all():  # all unresolved: an all-None column is fine
        days = complaints["resolution_days"].astype(float)
    else:  # never coerce text silently to NaN
        check_numeric_columns(complaints, ["resolution_days"], caller=caller, name="complaints")
        days = complaints["resolution_days"].astype(float)
    bad = (complaints["resolved"] & days.isna()).to_numpy()
    if bad.any():
        raise ValueError(
            f"{caller}(): {int(bad.sum())} resolved complaint(s) have no 'resolution_days' "
            f"(first complaint_id values: {first_ids(complaints.loc[bad, 'complaint_id'])}); fill them in."
        )
    frame = complaints.assign(date=dates, resolution_days=days)
    check_nonnegative(
        frame.dropna(subset=["resolution_days"]),
        "resolution_days",
        caller=caller,
        name="complaints",
        id_col="complaint_id",
    )
    return frame


def _parse_end(value: object, caller: str) -> pd.Timestamp:
    """Return ``observation_end`` as a Timestamp, or raise naming the argument."""
    return check_date_arg(value, "observation_end", caller=caller)


def complaint_log_summary(complaints: pd.DataFrame, *, by: str | None = None) -> pd.DataFrame:
    """Complaint-handling figures: volume, share resolved and time to resolve.

    Chapter 4.

    Parameters
    ----------
    complaints : pandas.DataFrame
        Columns ``complaint_id``, ``customer_id``, ``date``, ``resolved`` (bool) and
        ``resolution_days`` (NaN allowed only for unresolved complaints), plus ``by`` if given.
    by : str or None, default=None
        Grouping column such as ``category`` or ``channel``; ``None`` gives one row ``"all"``.

    Returns
    -------
    pandas.DataFrame
        One row per group: ``complaints``, ``customers``, ``share_resolved``,
        ``mean_days_to_resolve``, ``median_days_to_resolve``, ``p90_days_to_resolve``
        (resolved complaints only).

    Raises
    ------
    ValueError
        Missing columns or values, resolved complaints without a resolution time, negative times.
    TypeError
        If ``resolved`` is not boolean or ``resolution_days`` is not numeric.

    See Also
    --------
    repurchase_after_complaint

    Examples
    --------
    >>> import pandas as pd
    >>> log = pd.DataFrame({"complaint_id": [1, 2], "customer_id": [7, 8], "date": ["2024-01-02", "2024-01-05"],
    ...                     "resolved": [True, False], "resolution_days": [3.0, None]})
    >>> complaint_log_summary(log)["share_resolved"].tolist()
    [0.5]
    """
    caller = "complaint_log_summary"
    frame = _check_complaints(complaints, caller)
    if by is not None:
        check_columns(frame, [by], caller=caller, name="complaints")
    key = frame[by] if by is not None else pd.Series("all", index=frame.index)
    g = frame.groupby(key.to_numpy(), observed=True, sort=True)
    days = frame["resolution_days"].where(frame["resolved"]).groupby(key.to_numpy(), observed=True, sort=True)
    out = pd.DataFrame(
        {
            "complaints": g.size(),
            "customers": g["customer_id"].nunique(),
            "share_resolved": g["resolved"].mean(),
            "mean_days_to_resolve": days.mean(),
            "median_days_to_resolve": days.median(),
            "p90_days_to_resolve": days.quantile(0.9),
        }
    )
    out.index.name = by if by is not None else "group"
    return out


def repurchase_after_complaint(
    complaints: pd.DataFrame,
    transactions: pd.DataFrame,
    *,
    window_days: int = 90,
    observation_end: str | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Tell for each complaint whether, and how soon, the customer bought again.

    Chapter 4.

    Parameters
    ----------
    complaints : pandas.DataFrame
        As in :func:`complaint_log_summary`.
    transactions : pandas.DataFrame
        Columns ``customer_id`` and ``date``.
    window_days : int, default=90
        A complaint counts as followed by a repurchase if the next purchase comes within this many days.
    observation_end : str or Timestamp, optional
        End of the data; default the last transaction or complaint date. Complaints whose window
        runs past it get ``window_complete=False`` (their outcome is censored).

    Returns
    -------
    pandas.DataFrame
        One row per complaint (in input order): ``complaint_id``, ``customer_id``, ``date``,
        ``resolved``, ``next_purchase``, ``days_to_repurchase`` (NaN if none), ``window_complete``,
        ``repurchased`` (next purchase within the window).

    Raises
    ------
    ValueError
        Missing columns or values, unparsable dates (or ``observation_end``), complaints dated after
        ``observation_end``.
    TypeError
        If ``resolved`` is not boolean or ``resolution_days`` is not numeric.

    See Also
    --------
    repurchase_summary

    Examples
    --------
    >>> import pandas as pd
    >>> log = pd.DataFrame({"complaint_id": [1], "customer_id": [7], "date": ["2024-01-02"],
    ...                     "resolved": [True], "resolution_days": [3.0]})
    >>> tx = pd.DataFrame({"customer_id": [7, 7], "date": ["2023-12-01", "2024-01-20"]})
    >>> repurchase_after_complaint(log, tx, observation_end="2024-12-31")["days_to_repurchase"].tolist()
    [18.0]
    """
    caller = "repurchase_after_complaint"
    comp = _check_complaints(complaints, caller)
    check_frame(transactions, caller=caller, name="transactions", allow_empty=True)
    check_columns(transactions, ["customer_id", "date"], caller=caller, name="transactions")
    check_no_missing(transactions, ["customer_id", "date"], caller=caller, name="transactions")
    window = check_int(window_days, "window_days", caller=caller, minimum=1)
    tx = pd.DataFrame(
        {
            "customer_id": transactions["customer_id"].to_numpy(),
            "next_purchase": check_dates(transactions, "date", caller=caller, name="transactions"),
        }
    )
    if observation_end is None:
        end = max(tx["next_purchase"].max() if len(tx) else comp["date"].max(), comp["date"].max())
    else:
        end = _parse_end(observation_end, caller)
        check_not_after(comp["date"], end, caller=caller, column="date", df=comp, name="complaints",
                        id_col="complaint_id")
    left = comp[["complaint_id", "customer_id", "date", "resolved"]].reset_index(drop=True)
    left["_row"] = np.arange(len(left))
    tx = tx.sort_values("next_purchase", kind="stable")
    merged = (
        pd.merge_asof(
            left.sort_values("date", kind="stable"),
            tx.astype({"customer_id": left["customer_id"].dtype}),
            left_on="date",
            right_on="next_purchase",
            by="customer_id",
            direction="forward",
            allow_exact_matches=False,
        )
        .sort_values("_row")
        .drop(columns="_row")
        .reset_index(drop=True)
    )
    merged["days_to_repurchase"] = (merged["next_purchase"] - merged["date"]).dt.days.astype(float)
    merged["window_complete"] = merged["date"] + pd.Timedelta(days=window) <= end
    merged["repurchased"] = (merged["days_to_repurchase"] <= window).fillna(False).astype(bool)
    return merged


def repurchase_summary(table: pd.DataFrame, *, by: str = "resolved") -> pd.DataFrame:
    """Repurchase rate after a complaint, by group, over complaints whose window is complete.

    Chapter 4.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`repurchase_after_complaint` (plus ``by`` if it is another column).
    by : str, default="resolved"
        Column to group by: whether the complaint was resolved, or any other column of ``table``.

    Returns
    -------
    pandas.DataFrame
        One row per group: ``complaints``, ``complete`` (window fully observed), ``repurchase_rate``
        (among complete), ``median_days_to_repurchase`` (among repurchases).

    Raises
    ------
    ValueError
        If a column is missing.

    See Also
    --------
    repurchase_after_complaint

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"resolved": [True, True, False], "window_complete": [True, True, False],
    ...                   "repurchased": [True, False, False], "days_to_repurchase": [5.0, None, None]})
    >>> repurchase_summary(t)["repurchase_rate"].tolist()
    [nan, 0.5]
    """
    caller = "repurchase_summary"
    check_frame(table, caller=caller, name="table")
    check_columns(table, [by, "window_complete", "repurchased", "days_to_repurchase"], caller=caller, name="table")
    g = table.groupby(by, observed=True, sort=True)
    complete = table[table["window_complete"]]
    days = table["days_to_repurchase"].where(table["repurchased"])
    out = pd.DataFrame(
        {
            "complaints": g.size(),
            "complete": g["window_complete"].sum().astype(int),
            "repurchase_rate": complete.groupby(by, observed=True, sort=True)["repurchased"].mean(),
            "median_days_to_repurchase": days.groupby(table[by], observed=True, sort=True).median(),
        }
    )
    return out
