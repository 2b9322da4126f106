"""Validate an import batch against the field rules of the schema, naming row, field and rule."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from crmlab._keys import per_distinct
from crmlab._validation import first_ids
from crmlab.database._dates import MISSING_DAY, labels_from_days, parse_days
from crmlab.database.schema import PRIMARY_KEYS, TABLES, Field

__all__ = ["refuse_rows", "to_sql_columns", "validate_batch", "whole_ids"]

# SQLite's INTEGER is a signed 64-bit integer: larger values (uint64 ids above 2**63) would wrap.
_INT_MIN, _INT_MAX = -(2**63), 2**63 - 1


def refuse_rows(caller: str, table: str, df: pd.DataFrame, mask: np.ndarray, field: str, rule: str) -> None:
    """Raise the import error for the first offending row of ``mask``."""
    pos = int(np.flatnonzero(mask)[0])
    key = PRIMARY_KEYS[table][0]
    ident = ""
    if key in df.columns and key != field:
        ident = f" ({key}={first_ids([df[key].iloc[pos]])[0]!r})"
    got = df[field].iloc[pos] if field in df.columns else None
    got = first_ids([got])[0]
    raise ValueError(
        f"{caller}(): row {pos}{ident} of '{table}', field '{field}' breaks the rule: {field} {rule}; "
        f"got {got!r}. {int(mask.sum())} row(s) break this rule. Nothing was imported: fix the rows and "
        "import the batch again."
    )


def _is_text(col: pd.Series) -> np.ndarray:
    """Boolean mask: the value is a ``str`` (or missing)."""
    if pd.api.types.is_string_dtype(col) and not pd.api.types.is_object_dtype(col):
        return np.ones(len(col), dtype=bool)
    if isinstance(col.dtype, pd.CategoricalDtype):
        cats = col.cat.categories
        if pd.api.types.infer_dtype(cats, skipna=True) in ("string", "empty"):
            return np.ones(len(col), dtype=bool)
    kind = pd.api.types.infer_dtype(col, skipna=True)
    if kind in ("string", "empty"):
        return np.ones(len(col), dtype=bool)
    values = col.to_numpy(dtype=object)
    return np.fromiter((isinstance(v, str) for v in values), bool, len(values)) | col.isna().to_numpy()


def _convert(caller: str, table: str, df: pd.DataFrame, field: Field) -> pd.Series:
    """Return the column converted to its storage form (NaN stays missing), raising on bad values."""
    col = df[field.name]
    missing = col.isna().to_numpy()
    if field.kind == "text":
        bad = ~_is_text(col)
        if bad.any():
            refuse_rows(caller, table, df, bad, field.name, "must be text")
        return col
    if field.kind == "date":
        if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_datetime64_any_dtype(col):
            refuse_rows(caller, table, df, ~missing, field.name,
                        "must be a date (datetime, date or 'YYYY-MM-DD' text); numbers such as 20240105 are not "
                        "read as dates: convert them first, e.g. pd.to_datetime(col, format='%Y%m%d')")
        days, _, bad, timed = parse_days(col)
        if bad.any():
            refuse_rows(caller, table, df, bad, field.name,
                        "must be a valid calendar date YYYY-MM-DD between 0001-01-01 and 9999-12-31")
        if timed.any():
            refuse_rows(caller, table, df, timed, field.name, "must be a calendar date without a time of day")
        return pd.Series(pd.arrays.IntegerArray(np.where(missing, 0, days), missing), index=col.index, name=col.name)
    if field.kind == "bool":
        if pd.api.types.is_bool_dtype(col):
            return col.astype("Int64") if col.isna().any() else col.astype(np.int64)
        num = pd.to_numeric(col, errors="coerce") if not pd.api.types.is_numeric_dtype(col) else col
        bad = (~num.isin([0, 1]).to_numpy()) & ~missing
        if bad.any():
            refuse_rows(caller, table, df, bad, field.name, "must be true/false (1/0)")
        return num
    # numeric kinds
    if pd.api.types.is_bool_dtype(col) or not (
        pd.api.types.is_numeric_dtype(col) or pd.api.types.infer_dtype(col, skipna=True) in ("empty",)
    ):
        num = pd.to_numeric(col, errors="coerce")
        bad = num.isna().to_numpy() & ~missing
        if pd.api.types.is_bool_dtype(col) or bad.any():
            refuse_rows(caller, table, df, bad if bad.any() else ~missing, field.name, f"must be a {field.kind} number")
    else:
        num = col
    values = num.to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(values) & ~missing
    if bad.any():
        refuse_rows(caller, table, df, bad, field.name, "must be a finite number")
    if field.kind == "int":
        bad = (values != np.round(values)) & ~missing
        if bad.any():
            refuse_rows(caller, table, df, bad, field.name, "must be a whole number")
        bad = _outside_int64(num) & ~missing
        if bad.any():
            refuse_rows(caller, table, df, bad, field.name, f"must be between {_INT_MIN} and {_INT_MAX}")
        if pd.api.types.is_object_dtype(num) or pd.api.types.is_float_dtype(num):
            whole = np.where(missing, 0, values).astype(np.int64)  # in range: checked above
            num = pd.Series(pd.arrays.IntegerArray(whole, missing.copy()), index=num.index, name=num.name)
    return num


def _outside_int64(num: pd.Series) -> np.ndarray:
    """Mask of values a signed 64-bit integer cannot hold (exact for uint64, object and float columns)."""
    if pd.api.types.is_unsigned_integer_dtype(num.dtype):
        return num.to_numpy(dtype=np.uint64, na_value=0) > np.uint64(_INT_MAX)
    if pd.api.types.is_signed_integer_dtype(num.dtype):
        return np.zeros(len(num), dtype=bool)
    if pd.api.types.is_object_dtype(num.dtype):  # Python ints of any size
        big = np.fromiter((isinstance(v, int) and not _INT_MIN <= v <= _INT_MAX for v in num.to_numpy()),
                          bool, len(num))
        return big
    values = num.to_numpy(dtype=float, na_value=np.nan)
    return (values >= 2.0**63) | (values < -(2.0**63))


def validate_batch(caller: str, table: str, df: pd.DataFrame) -> dict[str, pd.Series]:
    """Check ``df`` against the rules of ``table``; return the converted columns present.

    Raises a ValueError naming the first bad row, the field and the rule.
    """
    fields = {f.name: f for f in TABLES[table]}
    repeated = sorted({str(c) for c in df.columns[df.columns.duplicated()]})
    if repeated:
        raise ValueError(f"{caller}(): the '{table}' batch has repeated column name(s) {repeated}; each column may "
                         "appear once. Drop or rename the copies.")
    unknown = [c for c in df.columns if c not in fields]
    if unknown:
        raise ValueError(
            f"{caller}(): '{table}' has no column(s) {unknown}; the table holds {list(fields)}. "
            "Rename or drop those columns (the system-maintained fields cannot be imported)."
        )
    absent = [f.name for f in TABLES[table] if f.required and f.name not in df.columns]
    if absent:
        raise ValueError(
            f"{caller}(): the '{table}' batch has no column(s) {absent}; these fields are required in every row."
        )
    out: dict[str, pd.Series] = {}
    for name in df.columns:
        field = fields[name]
        col = df[name]
        missing = col.isna().to_numpy()
        if field.required and missing.any():
            refuse_rows(caller, table, df, missing, name, "is required (missing value)")
        conv = _convert(caller, table, df, field)
        ok = ~missing
        if field.kind == "text" and field.required:
            text = col if pd.api.types.is_string_dtype(col) and not pd.api.types.is_object_dtype(col) else (
                col.astype(object).where(ok, "x").astype(str))
            bad = ok & (text.str.strip().str.len() == 0).fillna(False).to_numpy(dtype=bool)
            if bad.any():
                refuse_rows(caller, table, df, bad, name, "must not be empty")
        if field.choices is not None:
            bad = ok & ~conv.isin(field.choices).to_numpy()
            if bad.any():
                refuse_rows(caller, table, df, bad, name, f"must be one of {list(field.choices)}")
        if field.minimum is not None:
            vals = conv.to_numpy(dtype=float, na_value=np.nan)
            bad = ok & ((vals <= field.minimum) if field.strict_min else (vals < field.minimum))
            if bad.any():
                op = ">" if field.strict_min else ">="
                refuse_rows(caller, table, df, bad, name, f"must be {op} {field.minimum:g}")
        if field.maximum is not None:
            vals = conv.to_numpy(dtype=float, na_value=np.nan)
            bad = ok & (vals > field.maximum)
            if bad.any():
                refuse_rows(caller, table, df, bad, name, f"must be <= {field.maximum:g}")
        out[name] = conv
    keys = list(PRIMARY_KEYS[table])
    if len(keys) == 1 and _strictly_increasing(out[keys[0]]):
        return out  # the usual case of a log: increasing ids cannot repeat (O(n), no hashing)
    dup = df.duplicated(subset=keys, keep="first").to_numpy()
    if dup.any():
        refuse_rows(caller, table, df, dup, keys[0], f"must be unique within the batch ({'+'.join(keys)} repeats)")
    return out


def _strictly_increasing(col: pd.Series) -> bool:
    if not pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col) or col.isna().any():
        return False
    values = col.to_numpy()
    return bool(len(values) < 2 or (values[1:] > values[:-1]).all())


def to_sql_columns(table: str, columns: dict[str, pd.Series]) -> list[np.ndarray]:
    """Turn converted columns into arrays whose ``tolist()`` gives the values to bind (missing -> None).

    Integer and real columns without gaps stay int64/float64 (their ``tolist()`` gives Python ints and
    floats); dates and text become object arrays in which each distinct value is one shared ``str``.
    """
    fields = {f.name: f for f in TABLES[table]}
    out: list[np.ndarray] = []
    for name, col in columns.items():
        field = fields[name]
        missing = col.isna().to_numpy()
        if field.kind == "date":
            out.append(labels_from_days(col.to_numpy(dtype=np.int64, na_value=MISSING_DAY)))
        elif field.kind in ("int", "bool", "real"):
            dtype = np.int64 if field.kind != "real" else np.float64
            if missing.any():
                vals = col.to_numpy(dtype=float, na_value=np.nan)
                arr = np.empty(len(vals), dtype=object)
                arr[~missing] = vals[~missing].astype(dtype)
                arr[missing] = None
                out.append(arr)
            else:
                out.append(col.to_numpy(dtype=dtype))
        else:
            # text: one str object per distinct value (categorical, pyarrow or object storage alike)
            out.append(per_distinct(col, lambda u: np.asarray(u, dtype=object), missing=None))
    return out


def whole_ids(values: Iterable[Any], name: str, caller: str) -> list[int]:
    """Return ids as Python ints, refusing anything that is not a whole number a database key can hold."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise TypeError(f"{caller}(): '{name}' must be an iterable of integer ids; got {type(values).__name__}.")
    ids = pd.Series(list(values), dtype=object)
    num = pd.to_numeric(ids, errors="coerce")
    text = np.array([isinstance(v, (str, bytes)) for v in ids], dtype=bool)  # "7" is not read as 7
    bad = text | ~_is_whole(ids, num) | _outside_int64(num if num.dtype != object else ids)
    if bad.any():
        raise ValueError(f"{caller}(): '{name}' must hold whole-number ids between {_INT_MIN} and {_INT_MAX}; "
                         f"{int(bad.sum())} do not, first: {first_ids(ids[bad])}.")
    return [int(v) for v in ids]


def _is_whole(ids: pd.Series, num: pd.Series) -> np.ndarray:
    if pd.api.types.is_bool_dtype(num.dtype):
        return np.zeros(len(ids), dtype=bool)
    if pd.api.types.is_integer_dtype(num.dtype):
        return np.ones(len(ids), dtype=bool)
    if num.dtype == object:  # Python ints too large for any numpy type
        return np.array([isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in ids], dtype=bool)
    values = num.to_numpy(dtype=float, na_value=np.nan)
    return np.isfinite(values) & (values == np.round(values))
