"""Dates between SQLite and numpy: ISO text, day numbers (days since 1970-01-01) and datetime64."""

from __future__ import annotations

import numpy as np
import pandas as pd


def iso_dates(values: pd.Series) -> pd.Series:
    """Parse 'YYYY-MM-DD' text (None -> NaT), parsing each distinct day once."""
    codes, uniques = pd.factorize(values)
    out = np.full(len(values), np.datetime64("NaT"), dtype="datetime64[ns]")
    if len(uniques):
        parsed = pd.to_datetime(pd.Series(np.asarray(uniques, dtype=object)), format="ISO8601")
        parsed = parsed.to_numpy(dtype="datetime64[ns]")
        seen = codes >= 0
        out[seen] = parsed[codes[seen]]
    return pd.Series(out, index=values.index, name=values.name)


def day_sql(sql_date: str) -> str:
    """Return SQL for the day number of an ISO date expression (NULL stays NULL)."""
    return f"CAST(julianday({sql_date}) - 2440587.5 AS INTEGER)"


def dates_from_days(days: object) -> np.ndarray:
    """Day numbers (``None``/NaN/NA for missing) to ``datetime64[ns]`` with NaT."""
    values = pd.array(days, dtype="Float64").to_numpy(dtype=float, na_value=np.nan)
    out = np.full(len(values), np.datetime64("NaT"), dtype="datetime64[ns]")
    seen = ~np.isnan(values)
    out[seen] = values[seen].astype(np.int64).astype("datetime64[D]")
    return out


def days_from_labels(labels: np.ndarray) -> np.ndarray:
    """Day numbers of ISO date labels, each distinct label parsed once (missing -> INT64_MIN)."""
    codes, uniques = pd.factorize(labels)
    parsed = np.append(np.array(list(uniques), dtype="datetime64[D]").astype(np.int64), np.iinfo(np.int64).min)
    return parsed[codes]  # code -1 (missing) picks the appended INT64_MIN
