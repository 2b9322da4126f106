"""Validate an import batch against the field rules of the schema, naming row, field and rule."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab._validation import first_ids
from crmlab.database.schema import PRIMARY_KEYS, TABLES, Field


def _fail(caller: str, table: str, df: pd.DataFrame, mask: np.ndarray, field: str, rule: str) -> None:
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
            _fail(caller, table, df, bad, field.name, "must be text")
        return col
    if field.kind == "date":
        if pd.api.types.is_datetime64_any_dtype(col):
            parsed = col
        else:
            bad = ~_is_text(col)
            if bad.any():
                _fail(caller, table, df, bad, field.name, "must be a date (datetime or 'YYYY-MM-DD' text)")
            parsed = pd.to_datetime(col, errors="coerce", format="ISO8601")
            bad = parsed.isna().to_numpy() & ~missing
            if bad.any():
                _fail(caller, table, df, bad, field.name, "must be a valid calendar date YYYY-MM-DD")
        bad = (parsed.dt.normalize() != parsed).to_numpy() & ~missing
        if bad.any():
            _fail(caller, table, df, bad, field.name, "must be a calendar date without a time of day")
        return parsed
    if field.kind == "bool":
        if pd.api.types.is_bool_dtype(col):
            return col.astype("Int64") if col.isna().any() else col.astype(np.int64)
        num = pd.to_numeric(col, errors="coerce") if not pd.api.types.is_numeric_dtype(col) else col
        bad = (~num.isin([0, 1]).to_numpy()) & ~missing
        if bad.any():
            _fail(caller, table, df, bad, field.name, "must be true/false (1/0)")
        return num
    # numeric kinds
    if pd.api.types.is_bool_dtype(col) or not (
        pd.api.types.is_numeric_dtype(col) or pd.api.types.infer_dtype(col, skipna=True) in ("empty",)
    ):
        num = pd.to_numeric(col, errors="coerce")
        bad = num.isna().to_numpy() & ~missing
        if pd.api.types.is_bool_dtype(col) or bad.any():
            _fail(caller, table, df, bad if bad.any() else ~missing, field.name, f"must be a {field.kind} number")
    else:
        num = col
    values = num.to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(values) & ~missing
    if bad.any():
        _fail(caller, table, df, bad, field.name, "must be a finite number")
    if field.kind == "int":
        bad = (values != np.round(values)) & ~missing
        if bad.any():
            _fail(caller, table, df, bad, field.name, "must be a whole number")
    return num


def validate_batch(caller: str, table: str, df: pd.DataFrame) -> dict[str, pd.Series]:
    """Check ``df`` against the rules of ``table``; return the converted columns present.

    Raises a ValueError naming the first bad row, the field and the rule.
    """
    fields = {f.name: f for f in TABLES[table]}
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
            _fail(caller, table, df, missing, name, "is required (missing value)")
        conv = _convert(caller, table, df, field)
        ok = ~missing
        if field.kind == "text" and field.required:
            text = col if pd.api.types.is_string_dtype(col) and not pd.api.types.is_object_dtype(col) else (
                col.astype(object).where(ok, "x").astype(str))
            bad = ok & (text.str.strip().str.len() == 0).fillna(False).to_numpy(dtype=bool)
            if bad.any():
                _fail(caller, table, df, bad, name, "must not be empty")
        if field.choices is not None:
            bad = ok & ~conv.isin(field.choices).to_numpy()
            if bad.any():
                _fail(caller, table, df, bad, name, f"must be one of {list(field.choices)}")
        if field.minimum is not None:
            vals = conv.to_numpy(dtype=float, na_value=np.nan)
            bad = ok & ((vals <= field.minimum) if field.strict_min else (vals < field.minimum))
            if bad.any():
                _fail(caller, table, df, bad, name, f"must be {'>' if field.strict_min else '>='} {field.minimum:g}")
        if field.maximum is not None:
            vals = conv.to_numpy(dtype=float, na_value=np.nan)
            bad = ok & (vals > field.maximum)
            if bad.any():
                _fail(caller, table, df, bad, name, f"must be <= {field.maximum:g}")
        out[name] = conv
    keys = list(PRIMARY_KEYS[table])
    if len(keys) == 1 and _strictly_increasing(out[keys[0]]):
        return out  # the usual case of a log: increasing ids cannot repeat (O(n), no hashing)
    dup = df.duplicated(subset=keys, keep="first").to_numpy()
    if dup.any():
        _fail(caller, table, df, dup, keys[0], f"must be unique within the batch ({'+'.join(keys)} repeats)")
    return out


def _strictly_increasing(col: pd.Series) -> bool:
    if not pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col) or col.isna().any():
        return False
    values = col.to_numpy()
    return bool(len(values) < 2 or (values[1:] > values[:-1]).all())


def _date_labels(col: pd.Series) -> np.ndarray:
    """ISO text of a datetime column as an object array sharing one ``str`` per distinct day (None = missing)."""
    days = col.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    missing = np.isnat(days)
    ints = days.view(np.int64)
    seen = ints[~missing]
    if len(seen) and int(seen.max()) - int(seen.min()) < 200_000:
        # a span of days: label each day of the span once, index by offset (no hashing)
        lo = int(seen.min())
        span = np.arange(lo, int(seen.max()) + 1).astype("datetime64[D]")
        labels = np.append(np.datetime_as_string(span, unit="D").astype(object), None)
        codes = np.where(missing, len(labels) - 1, ints - lo)
        return labels[codes]
    codes, uniques = pd.factorize(days)
    labels = np.append(np.datetime_as_string(np.asarray(uniques), unit="D").astype(object), None)
    return labels[codes]


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
            out.append(_date_labels(col))
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
            codes, uniques = pd.factorize(col)
            out.append(np.append(np.asarray(uniques, dtype=object), None)[codes])
    return out
