"""Private helpers for :mod:`crmlab.rfm`: ids to codes, dates to integer periods.

Both are the expensive steps of an RFM summary on a large log, so both avoid
hashing where they can: integer ids in a dense range are mapped by offset, and
dates become integer periods by a numpy cast.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Period codes accepted by ``freq`` and what one period is.
FREQ_CHOICES = ("D", "W", "M", "h")

# 1970-01-01 was a Thursday; pandas' weekly periods ("W" = "W-SUN") end on Sundays.
_WEEK_SHIFT = 3


def encode_ids(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(codes, uniques)`` with ``uniques`` sorted and ``uniques[codes] == ids``.

    Integer ids whose range is at most a few times the number of rows are mapped by
    offset (two passes of numpy, no hashing); anything else goes through
    :func:`pandas.factorize`.
    """
    if ids.dtype.kind in "iu" and len(ids):
        low = ids.min()
        span = int(ids.max()) - int(low) + 1
        if span <= 4 * len(ids) + 1024 and span < 2**31:
            offset = np.empty(len(ids), dtype=np.intp)
            np.subtract(ids, low, out=offset, casting="unsafe")
            present = np.bincount(offset, minlength=span) > 0
            if present.all():  # ids are exactly low..high: the offset is the code
                return offset, np.arange(int(low), int(low) + span).astype(ids.dtype, copy=False)
            lookup = np.cumsum(present) - 1
            uniques = (np.flatnonzero(present) + low).astype(ids.dtype, copy=False)
            return lookup[offset], uniques
    codes, uniques = pd.factorize(ids, sort=True)
    return codes.astype(np.intp, copy=False), np.asarray(uniques)


def to_periods(values: np.ndarray, freq: str) -> np.ndarray:
    """Return datetime64 ``values`` as int64 period numbers of length ``freq``.

    ``"D"`` days since 1970-01-01, ``"W"`` weeks ending on Sunday (as pandas'
    ``"W"`` periods), ``"M"`` calendar months, ``"h"`` hours.
    """
    if freq == "W":
        days = values.astype("datetime64[D]").view(np.int64)
        return np.floor_divide(days + _WEEK_SHIFT, 7)
    unit = {"D": "datetime64[D]", "M": "datetime64[M]", "h": "datetime64[h]"}[freq]
    return values.astype(unit).view(np.int64)


def timestamp_period(ts: pd.Timestamp, freq: str) -> int:
    """Return the period number of one timestamp (see :func:`to_periods`)."""
    return int(to_periods(np.array([ts.to_datetime64()]), freq)[0])
