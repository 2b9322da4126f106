"""ISO date text from SQLite to datetime64, fast for long columns with few distinct days."""

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
