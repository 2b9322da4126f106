"""Dates between SQLite and numpy: ISO text, day numbers (days since 1970-01-01) and datetime64.

The database stores a date as ISO ``YYYY-MM-DD`` text, and works with day numbers. Every
conversion here goes through day numbers and never through ``datetime64[ns]`` (which only
reaches 1677-2262): any calendar date from 0001-01-01 to 9999-12-31 is stored and read back
exactly. Dates are read back as ``datetime64[us]`` (pandas' own default unit, years up to
294,000).

A timezone-aware value keeps its *local* calendar date: ``2024-01-05T00:00+08:00`` is stored
as 2024-01-05, the day the customer lived it, not converted to UTC (2024-01-04). Values with
a time of day other than midnight are refused, since the database holds days.
"""

from __future__ import annotations

import datetime as _dt

import numpy as np
import pandas as pd

from crmlab._keys import per_distinct

__all__ = ["FIRST_DAY", "LAST_DAY", "MISSING_DAY", "dates_from_days", "day_sql", "days_from_labels",
           "iso_dates", "labels_from_days", "parse_days"]

#: Day number standing for a missing date in int64 arrays.
MISSING_DAY = int(np.iinfo(np.int64).min)
#: Day numbers of 0001-01-01 and 9999-12-31, the dates the database can hold.
FIRST_DAY = int(np.datetime64("0001-01-01", "D").astype(np.int64))
LAST_DAY = int(np.datetime64("9999-12-31", "D").astype(np.int64))
#: Unit of the datetimes the database returns.
UNIT = "datetime64[us]"

# 'YYYY-MM-DD', optionally a time of day and a UTC offset (the time must be midnight)
_ISO = (r"^(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})"
        r"(?:[T ](?P<H>\d{2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.(?P<f>\d+))?)?)?"
        r"(?:Z|[+-]\d{2}(?::?\d{2})?)?$")


def day_sql(sql_date: str) -> str:
    """Return SQL for the day number of an ISO date expression (NULL stays NULL)."""
    return f"CAST(julianday({sql_date}) - 2440587.5 AS INTEGER)"


def _days_of_ymd(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Day numbers of year/month/day integers and a mask of the valid calendar dates."""
    valid = (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1)
    months = np.where(valid, (year - 1970) * 12 + month - 1, 0).astype("timedelta64[M]")
    first = (np.datetime64("1970-01", "M") + months).astype("datetime64[D]").astype(np.int64)
    after = (np.datetime64("1970-01", "M") + months + np.timedelta64(1, "M")).astype("datetime64[D]")
    valid &= day <= after.astype(np.int64) - first
    return np.where(valid, first + day - 1, MISSING_DAY), valid


def _text_days(text: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parse ISO text: day numbers, mask of unparsable values, mask of values with a time of day."""
    parts = text.str.extract(_ISO)
    matched = parts["y"].notna().to_numpy()
    ymd = [pd.to_numeric(parts[k]).fillna(0).to_numpy(dtype=np.int64) for k in ("y", "m", "d")]
    days, valid = _days_of_ymd(*ymd)
    clock = parts[["H", "M", "S", "f"]].fillna("0").apply(pd.to_numeric).to_numpy()
    return days, ~(matched & valid), matched & valid & (clock != 0).any(axis=1)


def _as_text(value: object) -> str | None:
    """Return a distinct value of an object column as ISO text (``None`` if it is not a date)."""
    if isinstance(value, str):
        return value
    if isinstance(value, (_dt.date, np.datetime64)):
        return value.isoformat() if isinstance(value, _dt.date) else str(value)
    return None


def parse_days(values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Day numbers of a column of dates (datetimes of any unit or timezone, ``date`` objects, ISO text).

    Returns ``(days, missing, not_a_date, timed)``: day numbers (:data:`MISSING_DAY` where missing or
    bad), and masks of the missing values, of values that are not a calendar date from 0001-01-01 to
    9999-12-31, and of values with a time of day other than midnight. Each distinct value is parsed once.
    """
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_localize(None)  # the local wall time: keeps the local calendar date
    missing = values.isna().to_numpy()
    if pd.api.types.is_datetime64_dtype(values.dtype):
        stamps = values.to_numpy()
        day = stamps.astype("datetime64[D]")
        days = np.where(missing, MISSING_DAY, day.astype(np.int64))
        timed = ~missing & (day.astype(stamps.dtype) != stamps)
        bad = ~missing & ((days < FIRST_DAY) | (days > LAST_DAY))
        return np.where(bad, MISSING_DAY, days), missing, bad, timed & ~bad
    codes, uniques = pd.factorize(values)
    texts = [_as_text(v) for v in np.asarray(uniques, dtype=object)]  # once per distinct value
    is_text = np.array([t is not None for t in texts], dtype=bool)
    u_days, u_bad, u_timed = _text_days(pd.Series([t if t is not None else "" for t in texts], dtype=object))
    u_bad |= ~is_text
    seen = codes >= 0
    pick = np.where(seen, codes, 0)
    days = np.where(seen, u_days[pick] if len(texts) else MISSING_DAY, MISSING_DAY)
    bad = seen & (u_bad[pick] if len(texts) else False)
    timed = seen & (u_timed[pick] if len(texts) else False)
    return np.where(bad, MISSING_DAY, days), missing, bad, timed


def labels_from_days(days: np.ndarray) -> np.ndarray:
    """ISO text of day numbers as an object array sharing one ``str`` per distinct day (``None`` = missing)."""
    days = np.asarray(days, dtype=np.int64)
    missing = days == MISSING_DAY
    seen = days[~missing]
    if len(seen) and int(seen.max()) - int(seen.min()) < 200_000:
        # a span of days: label each day of the span once, index by offset (no hashing)
        lo = int(seen.min())
        span = np.arange(lo, int(seen.max()) + 1).astype("datetime64[D]")
        labels = np.append(np.datetime_as_string(span, unit="D").astype(object), None)
        return labels[np.where(missing, len(labels) - 1, days - lo)]
    return per_distinct(days, _day_labels, missing=None)


def _day_labels(days: np.ndarray) -> np.ndarray:
    """ISO text of each day number (an object array; ``None`` for :data:`MISSING_DAY`)."""
    text = np.datetime_as_string(np.asarray(days).astype("datetime64[D]"), unit="D").astype(object)
    text[np.asarray(days) == MISSING_DAY] = None
    return text


def days_from_labels(labels: np.ndarray) -> np.ndarray:
    """Day numbers of ISO date labels, each distinct label parsed once (missing -> :data:`MISSING_DAY`)."""
    return per_distinct(labels, lambda u: np.array(list(u), dtype="datetime64[D]").astype(np.int64),
                        missing=MISSING_DAY)


def dates_from_days(days: object) -> np.ndarray:
    """Day numbers (``None``/NaN/NA for missing) to ``datetime64[us]`` with NaT."""
    values = pd.array(days, dtype="Float64").to_numpy(dtype=float, na_value=np.nan)
    out = np.full(len(values), np.datetime64("NaT"), dtype=UNIT)
    seen = ~np.isnan(values)
    out[seen] = values[seen].astype(np.int64).astype("datetime64[D]")
    return out


def iso_dates(values: pd.Series) -> pd.Series:
    """Parse stored 'YYYY-MM-DD' text (None -> NaT) to ``datetime64[us]``, each distinct day once."""
    out = per_distinct(values, lambda u: np.array([str(v)[:10] for v in u], dtype="datetime64[D]").astype(UNIT),
                       missing=np.datetime64("NaT"))
    return pd.Series(out, index=values.index, name=values.name)
