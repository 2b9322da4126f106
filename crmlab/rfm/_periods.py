"""Private helper for :mod:`crmlab.rfm`: dates to integer periods.

Dates become integer periods by a numpy cast (no parsing, no hashing); ids become
codes in :mod:`crmlab._keys`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Period codes accepted by ``freq`` and what one period is.
FREQ_CHOICES = ("D", "W", "M", "h")

# 1970-01-01 was a Thursday; pandas' weekly periods ("W" = "W-SUN") end on Sundays.
_WEEK_SHIFT = 3


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
