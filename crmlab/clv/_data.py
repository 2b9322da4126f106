"""Validated recency-frequency data for the BTYD models, reduced to unique rows.

Chapter 6. The data are validated once (errors name the offending customers)
and reduced to unique ``(frequency, recency, T)`` rows with weights, so a
million customers collapse to the few hundred thousand (often few thousand)
patterns a likelihood needs; terms that depend only on ``frequency``, on
``(frequency, recency)`` or on ``(frequency, T)`` get their own unique sets.
"""

from __future__ import annotations

from dataclasses import InitVar, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from crmlab._keys import column_codes, combine_codes, row_codes
from crmlab._validation import (
    check_columns,
    check_frame,
    check_no_missing,
    check_number,
    check_numeric_columns,
    first_ids,
)


@dataclass
class RFMData:
    """Validated recency/frequency data reduced to unique rows with weights."""

    x: np.ndarray
    tx: np.ndarray
    T: np.ndarray
    w: np.ndarray
    n_customers: float
    # unique frequency values and, per row, the position of its frequency
    xu: np.ndarray = field(init=False)
    x_inv: np.ndarray = field(init=False)
    # unique (x, tx) and (x, T) pairs and their row maps
    x_tx: np.ndarray = field(init=False)
    tx_u: np.ndarray = field(init=False)
    tx_inv: np.ndarray = field(init=False)
    x_T: np.ndarray = field(init=False)
    T_u: np.ndarray = field(init=False)
    T_inv: np.ndarray = field(init=False)
    # unique T and tx values alone
    Tv: np.ndarray = field(init=False)
    Tv_inv: np.ndarray = field(init=False)
    txv: np.ndarray = field(init=False)
    txv_inv: np.ndarray = field(init=False)
    _cache: dict[str, Any] = field(init=False, repr=False, default_factory=dict)
    #: per-column ``(codes, uniques)`` of x, tx, T if already known (from :func:`collapse`)
    codes: InitVar[tuple[tuple[np.ndarray, np.ndarray], ...] | None] = None

    def __post_init__(self, codes: tuple[tuple[np.ndarray, np.ndarray], ...] | None) -> None:
        # unique values in order of first appearance (hashing, no sort): nothing depends on their order
        if codes is None:
            codes = tuple(column_codes(a) for a in (self.x, self.tx, self.T))
        (self.x_inv, self.xu), (self.txv_inv, self.txv), (self.Tv_inv, self.Tv) = codes
        self.x_tx, self.tx_u, self.tx_inv = self._pairs_of_codes(self.tx, self.txv_inv, len(self.txv))
        self.x_T, self.T_u, self.T_inv = self._pairs_of_codes(self.T, self.Tv_inv, len(self.Tv))

    def _pairs_of_codes(self, t: np.ndarray, codes: np.ndarray, size: int) -> tuple[np.ndarray, ...]:
        inv, first = combine_codes([self.x_inv, codes], [len(self.xu), size])
        if first is inv:  # every row is its own pair (continuous times): no copy
            return self.x, t, inv
        return self.x[first], t[first], inv

    def pairs_by_time(self, which: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return the unique ``(x, t_x)`` (``which="tx"``) or ``(x, T)`` pairs sorted by time, and the map back to rows.

        Computed once per data set and kept: the Pareto/NBD series runs over a
        prefix of these pairs that shrinks as the terms converge.
        """
        key = f"pairs_{which}"
        if key not in self._cache:
            xs, ts, inv = (self.x_tx, self.tx_u, self.tx_inv) if which == "tx" else (self.x_T, self.T_u, self.T_inv)
            order = np.argsort(ts, kind="stable")
            rank = np.empty(len(order), dtype=np.intp)
            rank[order] = np.arange(len(order))
            self._cache[key] = (xs[order], ts[order], rank[inv])
        return self._cache[key]


def _pairs(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    inv, first = row_codes(a, b)
    return a[first], b[first], inv


def _describe_rows(df: pd.DataFrame, mask: np.ndarray, id_col: str = "customer_id") -> str:
    if id_col in df.columns:
        return f"first {id_col} values: {first_ids(df.loc[mask, id_col])}"
    return f"first rows: {first_ids(df.index[mask])}"


def validate_rfm(
    data: Any,
    *,
    caller: str,
    frequency_col: str = "frequency",
    recency_col: str = "recency",
    T_col: str = "T",
    integer_times: bool = False,
    missing_hint: str | None = None,
) -> tuple[pd.Index, np.ndarray, np.ndarray, np.ndarray]:
    """Check an RFM table and return (index, frequency, recency, T) as float arrays.

    Raises a ValueError naming the rows for NaN/inf, negative or fractional
    frequency, negative recency, recency > T, frequency 0 with recency > 0;
    ``missing_hint`` is the advice given when a column is missing.
    """
    df = check_frame(data, caller=caller, convert=True)
    cols = [frequency_col, recency_col, T_col]
    check_columns(df, cols, caller=caller, hint=missing_hint)
    check_numeric_columns(df, cols, caller=caller)
    check_no_missing(df, cols, caller=caller, id_col="customer_id")
    x = df[frequency_col].to_numpy(dtype=float)
    tx = df[recency_col].to_numpy(dtype=float)
    T = df[T_col].to_numpy(dtype=float)
    problems = [
        (~np.isfinite(x) | ~np.isfinite(tx) | ~np.isfinite(T), "an infinite value", "replace it by a finite number"),
        (x < 0, f"a negative '{frequency_col}'", "frequency counts repeat purchases and is >= 0"),
        (x != np.floor(x), f"a fractional '{frequency_col}'", "frequency must be a whole number of repeat purchases"),
        (tx < 0, f"a negative '{recency_col}'", "recency is the age at the last repeat purchase, >= 0"),
        (T < 0, f"a negative '{T_col}'", "T is the customer's age at the end of observation, >= 0"),
        (tx > T * (1 + 1e-9) + 1e-12, f"'{recency_col}' greater than '{T_col}'",
         "a purchase cannot happen after the end of observation; check the observation end and time units"),
        ((x == 0) & (tx > 0), f"'{frequency_col}' 0 but '{recency_col}' > 0",
         "customers without repeat purchases have recency 0"),
    ]
    if integer_times:
        problems.append(
            ((tx != np.floor(tx)) | (T != np.floor(T)), f"a fractional '{recency_col}' or '{T_col}'",
             "this discrete-time model counts whole periods")
        )
        problems.append((x > tx, f"'{frequency_col}' greater than '{recency_col}'",
                         "with one purchase opportunity per period, x <= recency"))
    for mask, what, fix in problems:
        mask = np.asarray(mask)
        if mask.any():
            raise ValueError(
                f"{caller}(): {int(mask.sum())} row(s) of 'data' have {what} ({_describe_rows(df, mask)}); {fix}."
            )
    index = df.index  # results align with the input rows
    return index, x, np.minimum(tx, T), T


def resolve_weights(data: pd.DataFrame, weights: Any, n: int, *, caller: str) -> np.ndarray:
    """Return per-row weights (counts of identical customers) as a float array."""
    if weights is None:
        return np.ones(n)
    if isinstance(weights, str):
        check_columns(data, [weights], caller=caller)
        check_no_missing(data, [weights], caller=caller)
        w = data[weights].to_numpy(dtype=float)
    else:
        w = np.asarray(weights, dtype=float)
        if w.shape != (n,):
            raise ValueError(f"{caller}(): 'weights' must have one value per row ({n}); got shape {w.shape}.")
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        raise ValueError(
            f"{caller}(): 'weights' must be finite and >= 0; {int(bad.sum())} row(s) are not "
            f"({_describe_rows(data, bad)})."
        )
    return w


def collapse(x: np.ndarray, tx: np.ndarray, T: np.ndarray, w: np.ndarray) -> RFMData:
    """Group identical (x, tx, T) rows, summing their weights.

    Each column is factorized once; the row codes and the (x, t_x), (x, T) pairs of
    :class:`RFMData` are built from these codes (one packed key each, none at all when
    a column is already distinct on every row, as continuous ages are).
    """
    cols = [column_codes(a) for a in (x, tx, T)]
    inv, first = combine_codes([c for c, _ in cols], [len(u) for _, u in cols])
    wsum = np.bincount(inv, weights=w, minlength=len(first))
    keep = wsum > 0
    idx = first[keep]
    if len(idx) == len(x) and np.array_equal(idx, np.arange(len(x))):
        return RFMData(x=x, tx=tx, T=T, w=wsum, n_customers=float(w.sum()), codes=tuple(cols))
    # without dropped rows every value still occurs among the kept rows, so the column codes carry over
    sub = tuple((c[idx], u) for c, u in cols) if keep.all() else None
    return RFMData(x=x[idx], tx=tx[idx], T=T[idx], w=wsum[keep], n_customers=float(w.sum()), codes=sub)


def check_horizon(t: Any, name: str, *, caller: str) -> float:
    """Validate a non-negative, finite prediction horizon."""
    return check_number(t, name, caller=caller, minimum=0.0)


def factorize_rows(*arrays: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Return the unique rows of equal-length arrays and the map back to every row."""
    if len(arrays[0]) == 0:
        return [a[:0] for a in arrays], np.zeros(0, dtype=np.intp)
    inv, first = row_codes(*arrays)
    return [np.asarray(a, dtype=float)[first] for a in arrays], inv


