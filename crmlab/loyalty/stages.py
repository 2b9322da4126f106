"""Placing customers on the loyalty ladder from their purchases and referrals, period by period.

Chapter 5. The rules that turn a transaction log (and a referral log) into one ladder
stage (客户忠诚阶梯) per customer and period; the panel feeds
:func:`crmlab.loyalty.fit_ladder_chain`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from crmlab._validation import check_columns, check_date_arg, check_dates, check_frame, check_int, check_no_missing
from crmlab.loyalty._markov import labels_frame
from crmlab.loyalty.ladder import LADDER_STAGES

__all__ = ["ladder_stages"]


def _window_sum(counts: np.ndarray, k: int) -> np.ndarray:
    """Return the sum over the last ``k`` periods (including this one) for every period."""
    c = np.concatenate([np.zeros((counts.shape[0], 1), dtype=np.int64), np.cumsum(counts, axis=1)], axis=1)
    return c[:, 1:] - c[:, np.maximum(np.arange(counts.shape[1]) + 1 - k, 0)]


def _windowed(active: np.ndarray, k: int) -> np.ndarray:
    """Return True where the last ``k`` periods (including this one) were all active."""
    return _window_sum(active.astype(np.int64), k) >= k


def _parse_date(value: Any, name: str, caller: str) -> pd.Timestamp:
    """Return ``value`` as a Timestamp, or raise naming the argument."""
    return check_date_arg(value, name, caller=caller)


def _event_matrix(events: pd.DataFrame, ids: pd.Index, periods: pd.PeriodIndex, freq: str, caller: str, name: str):
    check_columns(events, ["customer_id", "date"], caller=caller, name=name)
    check_no_missing(events, ["customer_id", "date"], caller=caller, name=name, id_col="customer_id")
    dates = check_dates(events, "date", caller=caller, name=name, id_col="customer_id")
    per = dates.dt.to_period(freq)
    row = ids.get_indexer(events["customer_id"])
    col = periods.get_indexer(per)
    bad = (row < 0) | (col < 0)
    if bad.any():
        raise ValueError(
            f"{caller}(): {int(bad.sum())} row(s) of '{name}' fall outside the customers or the period range "
            f"{periods[0]}..{periods[-1]} (first customer_id values: {events.loc[bad, 'customer_id'].head().tolist()})."
        )
    out = np.zeros((len(ids), len(periods)), dtype=np.int64)
    np.add.at(out, (row, col), 1)
    return out


def ladder_stages(
    transactions: pd.DataFrame,
    *,
    customers: Sequence[Any] | None = None,
    referrals: pd.DataFrame | None = None,
    freq: str = "Q",
    start: Any = None,
    end: Any = None,
    follower_periods: int = 2,
    partner_referrals: int = 3,
    referral_periods: int | None = 4,
) -> pd.DataFrame:
    r"""Classify every customer onto a ladder stage in every period, from behaviour.

    Chapter 5 (loyalty ladder, 忠诚阶梯).

    Parameters
    ----------
    transactions : pandas.DataFrame
        Columns ``customer_id`` and ``date``.
    customers : sequence or None, default=None
        All customer ids (those who never bought stay prospects). Default: ids in ``transactions``.
    referrals : pandas.DataFrame or None, default=None
        Referral events with ``customer_id`` and ``date`` (one row per referral made). Without them
        nobody reaches advocate or partner.
    freq : str, default="Q"
        Period length as a pandas period alias ("M", "Q", "Y").
    start, end : date-like or None, default=None
        First and last period; default the first and last transaction dates.
    follower_periods : int, default=2
        A customer who bought in each of the last ``follower_periods`` periods is a follower.
    partner_referrals : int, default=3
        A follower with this many recent referrals is a partner (with at least one, an advocate).
    referral_periods : int or None, default=4
        Referrals count if made in the last ``referral_periods`` periods (including this one), so
        advocates who stop recommending slip back; None counts every referral so far.

    Returns
    -------
    pandas.DataFrame
        Index ``customer_id``, one column per period (``str`` labels such as ``"2023Q1"``), stage names
        as ordered categoricals (prospect < buyer < ... < partner).

    Raises
    ------
    ValueError
        Missing columns or values, unparsable dates (in the data, ``start`` or ``end``), ``start`` after
        ``end``, an unknown ``freq``, transactions of unknown customers or outside ``start``..``end``.

    See Also
    --------
    crmlab.loyalty.fit_ladder_chain

    Notes
    -----
    Rules, applied to the history up to the end of each period (top rule first):
    partner = follower with :math:`\ge` ``partner_referrals`` recent referrals; advocate = follower with a
    recent referral; follower = bought in each of the last ``follower_periods`` periods; customer = two or more
    purchases so far; buyer = one purchase so far; prospect = none yet.

    References
    ----------
    Christopher, M., Payne, A., & Ballantyne, D. (1991). *Relationship Marketing*. Butterworth-Heinemann.

    Examples
    --------
    >>> import pandas as pd
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 1, 2], "date": pd.to_datetime(["2024-01-05", "2024-04-02",
    ...     "2024-07-09", "2024-09-01"])})
    >>> ladder_stages(tx, freq="Q").to_numpy().tolist()
    [['buyer', 'follower', 'follower'], ['prospect', 'prospect', 'buyer']]
    """
    caller = "ladder_stages"
    check_frame(transactions, caller=caller, name="transactions")
    check_columns(transactions, ["customer_id", "date"], caller=caller, name="transactions")
    k = check_int(follower_periods, "follower_periods", caller=caller, minimum=1)
    m = check_int(partner_referrals, "partner_referrals", caller=caller, minimum=1)
    if referral_periods is not None:
        referral_periods = check_int(referral_periods, "referral_periods", caller=caller, minimum=1)
    dates = check_dates(transactions, "date", caller=caller, name="transactions", id_col="customer_id")
    first = _parse_date(start, "start", caller) if start is not None else dates.min()
    last = _parse_date(end, "end", caller) if end is not None else dates.max()
    if first > last:
        raise ValueError(f"{caller}(): 'start' ({first.date()}) must not be after 'end' ({last.date()}).")
    try:
        periods = pd.period_range(first, last, freq=freq)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{caller}(): 'freq' must be a pandas period alias such as 'M', 'Q' or 'Y'; "
                         f"got {freq!r}.") from exc
    ids = pd.Index(pd.unique(transactions["customer_id"]) if customers is None else list(customers), name="customer_id")
    ids = ids.sort_values()
    buys = _event_matrix(transactions, ids, periods, freq, caller, "transactions")
    refs = (
        np.zeros_like(buys)
        if referrals is None
        else _event_matrix(check_frame(referrals, caller=caller, name="referrals"), ids, periods, freq, caller,
                           "referrals")
    )
    n_buys = np.cumsum(buys, axis=1)
    n_refs = np.cumsum(refs, axis=1) if referral_periods is None else _window_sum(refs, referral_periods)
    follower = _windowed(buys > 0, k) & (n_buys >= 2)
    code = np.select(
        [follower & (n_refs >= m), follower & (n_refs >= 1), follower, n_buys >= 2, n_buys == 1],
        [5, 4, 3, 2, 1],
        default=0,
    )
    out = labels_frame(code, LADDER_STAGES, ids, [str(p) for p in periods])
    out.columns.name = "period"
    return out
