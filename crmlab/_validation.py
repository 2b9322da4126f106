"""Input checks shared by every public crmlab function.

Each check raises with the project's one message template::

    <caller>(): <what is wrong>, <where> ; <how to fix>.

so a student sees which function, which argument or column, what was expected
and what was found. Validate once, at the public boundary.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "CrmlabWarning",
    "after_end_message",
    "ambiguous_dates_message",
    "check_columns",
    "check_date_arg",
    "check_dates",
    "check_finite",
    "check_frame",
    "check_in_choices",
    "check_int",
    "check_labels",
    "check_no_missing",
    "check_nonnegative",
    "check_not_after",
    "check_number",
    "check_numeric_columns",
    "check_positive",
    "check_probability",
    "first_ids",
    "ids_where",
    "unparsed_dates_message",
]

_MAX_SHOWN = 5


class CrmlabWarning(UserWarning):
    """Warning raised by crmlab for results a user should look at twice.

    It is a :class:`UserWarning`, so the usual filters apply; filter on this class to silence or
    escalate crmlab's warnings only.

    Examples
    --------
    >>> import warnings
    >>> import pandas as pd
    >>> from crmlab.rfm import rfm_summary
    >>> log = pd.DataFrame({"customer_id": [1, 1], "date": ["2024-01-01", "2024-01-01"], "amount": [5.0, 5.0]})
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = rfm_summary(log)  # the same row twice: counted, with a warning
    >>> [w.category.__name__ for w in caught]
    ['CrmlabWarning']
    """


def first_ids(values: Iterable[Any], limit: int = _MAX_SHOWN) -> list[Any]:
    """Return up to ``limit`` values as plain Python objects, for error messages."""
    out = []
    for value in values:
        if len(out) >= limit:
            break
        out.append(value.item() if isinstance(value, np.generic) else value)
    return out


def ids_where(id_col: str, ids: Sequence[Any]) -> str:
    """Describe offending rows by a few of their ids (shared by the in-memory and engine checks)."""
    return f"first {id_col} values: {list(ids)}"


def _where(df: pd.DataFrame, mask: np.ndarray, id_col: str | None) -> str:
    """Describe the offending rows: ids if an id column exists, else row labels."""
    if id_col is not None and id_col in df.columns:
        return ids_where(id_col, first_ids(df.loc[mask, id_col]))
    return f"first rows: {first_ids(df.index[mask])}"


#: Table types of other libraries, recognised by the module their type lives in (so neither
#: polars nor pyarrow needs to be installed for the check).
_FOREIGN_FRAMES = {"polars": "a polars DataFrame", "pyarrow": "a pyarrow Table"}


def _foreign_kind(obj: Any) -> str | None:
    """Return a description of a polars/pyarrow table, or None for anything else."""
    root = type(obj).__module__.split(".")[0]
    return _FOREIGN_FRAMES.get(root) if hasattr(obj, "to_pandas") else None


def check_frame(
    df: Any, *, caller: str, name: str = "data", allow_empty: bool = False, convert: bool = False
) -> pd.DataFrame:
    """Check that ``df`` is a non-empty DataFrame with unique column names and return it.

    A polars DataFrame or pyarrow Table is converted with its ``to_pandas()`` when
    ``convert`` is True (the caller then works on the returned frame); otherwise it
    is refused with a message saying how to convert it.
    """
    kind = _foreign_kind(df)
    if kind is not None:
        if not convert:
            raise TypeError(
                f"{caller}(): '{name}' must be a pandas DataFrame; got {kind} ({type(df).__name__}); "
                f"convert it first with {name}.to_pandas()."
            )
        df = df.to_pandas()
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{caller}(): '{name}' must be a pandas DataFrame; got {type(df).__name__}.")
    duplicated = df.columns[df.columns.duplicated()]
    if len(duplicated):
        raise ValueError(
            f"{caller}(): '{name}' has duplicate column name(s) {first_ids(dict.fromkeys(duplicated))}; "
            "rename them so each column has one name."
        )
    if not allow_empty and len(df) == 0:
        raise ValueError(f"{caller}(): '{name}' is empty; it needs at least one row.")
    return df


def check_columns(
    df: pd.DataFrame, columns: Sequence[str], *, caller: str, name: str = "data", hint: str | None = None
) -> None:
    """Raise if any of ``columns`` is missing from ``df``, listing what is there.

    ``hint`` replaces the default advice (rename the columns or pass the matching
    ``*_col=`` arguments) where the function has no such arguments.
    """
    missing = [c for c in columns if c not in df.columns]
    if missing:
        advice = hint or "rename your columns or pass the matching *_col= arguments"
        raise ValueError(
            f"{caller}(): '{name}' is missing required column(s) {missing}; "
            f"it has {list(map(str, df.columns))}. {advice[0].upper()}{advice[1:]}."
        )


def check_no_missing(
    df: pd.DataFrame, columns: Sequence[str], *, caller: str, name: str = "data", id_col: str | None = None
) -> None:
    """Raise if any of ``columns`` holds NaN/None/NaT, naming the column and rows."""
    for col in columns:
        mask = df[col].isna().to_numpy()
        if mask.any():
            where = _where(df, mask, id_col if id_col != col else None)
            raise ValueError(
                f"{caller}(): column '{col}' of '{name}' has {int(mask.sum())} missing value(s) ({where}); "
                "fill or remove them first: crmlab never drops rows silently."
            )


def check_numeric_columns(df: pd.DataFrame, columns: Sequence[str], *, caller: str, name: str = "data") -> None:
    """Raise a TypeError if any of ``columns`` is not numeric."""
    for col in columns:
        if not (pd.api.types.is_numeric_dtype(df[col]) and not pd.api.types.is_bool_dtype(df[col])):
            raise TypeError(f"{caller}(): column '{col}' of '{name}' must be numeric; got dtype {df[col].dtype}.")


def check_positive(
    df: pd.DataFrame,
    column: str,
    *,
    caller: str,
    name: str = "data",
    id_col: str | None = None,
    allow_zero: bool = False,
    hint: str = "",
) -> None:
    """Raise if ``column`` has values <= 0 (or < 0 with ``allow_zero``), or infinite ones."""
    values = df[column].to_numpy()
    infinite = np.isinf(values.astype(np.float64, copy=False)) if values.dtype.kind in "fc" else None
    if infinite is not None and infinite.any():
        raise ValueError(
            f"{caller}(): {int(infinite.sum())} row(s) of '{name}' have an infinite '{column}' "
            f"({_where(df, infinite, id_col)}); replace them by finite numbers first."
        )
    mask = values < 0 if allow_zero else values <= 0
    if mask.any():
        kind = "a negative" if allow_zero else "a zero or negative"
        raise ValueError(
            f"{caller}(): {int(mask.sum())} row(s) of '{name}' have {kind} '{column}' "
            f"({_where(df, mask, id_col)}){'; ' + hint if hint else ''}."
        )


def check_nonnegative(df: pd.DataFrame, column: str, **kwargs: Any) -> None:
    """Raise if ``column`` has negative values (zero allowed)."""
    check_positive(df, column, allow_zero=True, **kwargs)


_NUMBER_KINDS = ("integer", "floating", "mixed-integer", "mixed-integer-float", "decimal", "complex", "boolean")
_AMBIGUOUS_DATE = r"^\s*\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}(\s|$)"


def check_dates(
    df: pd.DataFrame,
    column: str,
    *,
    caller: str,
    name: str = "data",
    id_col: str | None = None,
    date_format: str | None = None,
) -> pd.Series:
    """Return ``df[column]`` as datetime64, raising on values that are not unambiguous dates.

    Values of a datetime dtype (numpy, tz-aware or pyarrow ``date32``/``timestamp``)
    pass through as datetime64. Strings are parsed with ``date_format`` if given,
    otherwise as ISO 8601 (``'1997-01-31'``); day/month strings such as
    ``'05/01/2024'`` are refused rather than guessed, and so are numbers
    (``20240105`` or an Excel serial would otherwise be read as nanoseconds since
    1970) and strings with different UTC offsets.
    """
    col = df[column]
    if isinstance(col.dtype, pd.ArrowDtype) and pd.api.types.is_datetime64_any_dtype(col):
        return pd.to_datetime(col)
    if pd.api.types.is_datetime64_any_dtype(col):
        return col
    where = f"column '{column}' of '{name}'"
    values = col.dropna()
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if pd.api.types.is_numeric_dtype(col) or kind in _NUMBER_KINDS:
        # error path only: pick out the numbers to show them
        numeric = values.map(lambda v: isinstance(v, (numbers.Number, np.number))).to_numpy(dtype=bool)
        examples = first_ids(values[numeric] if numeric.any() else values)
        raise TypeError(
            f"{caller}(): {where} holds numbers (examples: {examples}), not dates; crmlab does not guess whether "
            "they are yyyymmdd or Excel serial days. Convert first, e.g. "
            f"pd.to_datetime(df['{column}'].astype(str), format='%Y%m%d') or "
            f"pd.to_datetime(df['{column}'], unit='D', origin='1899-12-30')."
        )
    try:
        if date_format is not None:
            parsed = pd.to_datetime(col, format=date_format, errors="coerce")
        else:
            parsed = pd.to_datetime(col, format="ISO8601", errors="coerce")
    except ValueError as exc:  # pandas refuses to mix UTC offsets
        raise ValueError(
            f"{caller}(): {where} mixes different UTC offsets ({exc}); convert them to one zone first, e.g. "
            f"pd.to_datetime(df['{column}'], utc=True).dt.tz_convert('Asia/Shanghai')."
        ) from exc
    bad = (parsed.isna() & col.notna()).to_numpy()
    if bad.any() and date_format is None:
        ambiguous = col[bad].astype(str).str.match(_AMBIGUOUS_DATE).to_numpy()
        if ambiguous.any():
            raise ValueError(ambiguous_dates_message(caller, column, name, first_ids(col[bad][ambiguous])))
    if bad.any():
        raise ValueError(unparsed_dates_message(caller, column, name, int(bad.sum()), first_ids(col[bad]),
                                                _where(df, bad, id_col), date_format))
    return parsed


#: Strings such as ``05/01/2024`` that could be read day-first or month-first (anchored at the start).
AMBIGUOUS_DATE_PATTERN = _AMBIGUOUS_DATE


def ambiguous_dates_message(caller: str, column: str, name: str, examples: Sequence[Any]) -> str:
    """Message for day/month date strings that crmlab refuses to guess (in memory and in an engine)."""
    return (
        f"{caller}(): column '{column}' of '{name}' has day/month dates such as {list(examples)} that could be "
        f"read day-first or month-first; crmlab does not guess: convert them first, e.g. "
        f"pd.to_datetime(df['{column}'], format='%d/%m/%Y') (or '%m/%d/%Y'), or pass "
        "date_format='%d/%m/%Y' where the function has that argument (rfm_summary does)."
    )


def unparsed_dates_message(
    caller: str, column: str, name: str, n_bad: int, examples: Sequence[Any], where: str, date_format: str | None
) -> str:
    """Message for date strings that do not parse (ISO 8601, or ``date_format`` when given)."""
    hint = f"they do not match date_format={date_format!r}" if date_format else "use ISO dates such as '1997-01-31'"
    return (
        f"{caller}(): {n_bad} value(s) in column '{column}' of '{name}' could not be parsed as dates "
        f"(examples: {list(examples)}; {where}); {hint}."
    )


def check_finite(
    df: pd.DataFrame, columns: Sequence[str], *, caller: str, name: str = "data", id_col: str | None = None
) -> None:
    """Raise if any of the numeric ``columns`` holds +inf or -inf, naming the column and rows."""
    for col in columns:
        values = df[col].to_numpy(dtype=np.float64)
        mask = np.isinf(values)
        if mask.any():
            raise ValueError(
                f"{caller}(): column '{col}' of '{name}' has {int(mask.sum())} infinite value(s) "
                f"({_where(df, mask, id_col if id_col != col else None)}); replace them by finite numbers first."
            )


def check_date_arg(value: Any, name: str, *, caller: str) -> pd.Timestamp:
    """Return a date argument (``as_of``, ``observation_end``, ``start``...) as a tz-naive Timestamp.

    Strings, ``datetime``/``date`` objects, ``numpy.datetime64`` and Timestamps are
    accepted; anything else is a TypeError (a number is not silently read as
    nanoseconds since 1970), and a value that does not parse is a ValueError.
    """
    if isinstance(value, bool) or not (isinstance(value, (str, pd.Timestamp, np.datetime64)) or hasattr(value, "year")):
        raise TypeError(
            f"{caller}(): '{name}' must be a date (a 'YYYY-MM-DD' string, datetime or Timestamp); got {value!r}."
        )
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{caller}(): '{name}' must be a date such as '2024-12-31'; got {value!r}.") from exc
    if pd.isna(stamp):
        raise ValueError(f"{caller}(): '{name}' must be a date such as '2024-12-31'; got {value!r}.")
    return stamp.tz_localize(None) if stamp.tzinfo is not None else stamp


def check_not_after(
    dates: pd.Series,
    end: pd.Timestamp,
    *,
    caller: str,
    column: str,
    df: pd.DataFrame,
    name: str = "data",
    id_col: str | None = None,
    end_name: str = "observation_end",
    hint: str = "",
) -> None:
    """Raise if any date falls after ``end`` (the observation end); ``hint`` adds a way out."""
    mask = (dates > end).to_numpy()
    if mask.any():
        raise ValueError(after_end_message(caller, int(mask.sum()), name, column, end_name, end,
                                           _where(df, mask, id_col), hint))


def after_end_message(
    caller: str, n_after: int, name: str, column: str, end_name: str, end: pd.Timestamp, where: str, hint: str = ""
) -> str:
    """Message for rows dated after the observation end (in memory and in an engine)."""
    return (
        f"{caller}(): {n_after} row(s) of '{name}' have '{column}' after {end_name}={end.date()} "
        f"({where}); move {end_name} later or filter those rows first{' ' + hint if hint else ''}."
    )


def check_labels(labels: Any, n: int, *, caller: str, name: str = "labels") -> np.ndarray:
    """Return ``labels`` as a 1-D array of ``n`` labels, refusing a wrong length or missing labels."""
    lab = np.asarray(labels)
    if lab.ndim != 1 or len(lab) != n:
        raise ValueError(f"{caller}(): '{name}' must be 1-D with one label per row ({n}); got shape {lab.shape}.")
    missing = np.asarray(pd.isna(lab), dtype=bool)
    if missing.any():
        raise ValueError(f"{caller}(): '{name}' has {int(missing.sum())} missing value(s) (first positions: "
                         f"{first_ids(np.flatnonzero(missing))}); fill or drop them first.")
    return lab


def check_int(value: Any, name: str, *, caller: str, minimum: int | None = None, maximum: int | None = None) -> int:
    """Return ``value`` as int, raising if it is not an integer in ``[minimum, maximum]``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{caller}(): '{name}' must be an integer; got {value!r}.")
    _check_range(int(value), name, caller=caller, minimum=minimum, maximum=maximum, kind="an integer")
    return int(value)


def check_number(
    value: Any,
    name: str,
    *,
    caller: str,
    minimum: float | None = None,
    maximum: float | None = None,
    strict_min: bool = False,
    strict_max: bool = False,
) -> float:
    """Return ``value`` as float, raising if it is not a finite number in range."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{caller}(): '{name}' must be a number; got {value!r}.")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{caller}(): '{name}' must be a finite number; got {value}.")
    _check_range(
        value,
        name,
        caller=caller,
        minimum=minimum,
        maximum=maximum,
        kind="a number",
        strict_min=strict_min,
        strict_max=strict_max,
    )
    return value


def check_probability(value: Any, name: str, *, caller: str, open_low: bool = False, open_high: bool = False) -> float:
    """Return ``value`` as float, raising unless it lies in [0, 1] (ends optionally open)."""
    return check_number(value, name, caller=caller, minimum=0.0, maximum=1.0, strict_min=open_low, strict_max=open_high)


def check_in_choices(value: Any, name: str, choices: Iterable[Any], *, caller: str) -> Any:
    """Raise unless ``value`` is one of ``choices``."""
    choices = list(choices)
    if value not in choices:
        raise ValueError(f"{caller}(): '{name}' must be one of {choices}; got {value!r}.")
    return value


def _check_range(
    value: float,
    name: str,
    *,
    caller: str,
    minimum: float | None,
    maximum: float | None,
    kind: str,
    strict_min: bool = False,
    strict_max: bool = False,
) -> None:
    low_bad = minimum is not None and (value <= minimum if strict_min else value < minimum)
    high_bad = maximum is not None and (value >= maximum if strict_max else value > maximum)
    if low_bad or high_bad:
        parts = []
        if minimum is not None:
            parts.append(f"{'>' if strict_min else '>='} {minimum}")
        if maximum is not None:
            parts.append(f"{'<' if strict_max else '<='} {maximum}")
        raise ValueError(f"{caller}(): '{name}' must be {kind} {' and '.join(parts)}; got {value}.")
