"""Finite Markov chain helpers shared by the loyalty ladder and brand switching.

Private: the public faces are :class:`crmlab.loyalty.LadderChain` and
:func:`crmlab.loyalty.stationary_shares`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

_TOL = 1e-8


def state_labels(values: pd.Series, brands: Sequence[str] | None) -> list[str]:
    """Return the given labels as str, else the categories of ``values``, else its sorted distinct values."""
    if brands is not None:
        return [str(b) for b in brands]
    if isinstance(values.dtype, pd.CategoricalDtype):
        return [str(c) for c in values.cat.categories]
    return sorted(str(v) for v in pd.unique(values))


def check_stochastic(P: Any, *, caller: str, name: str = "P") -> np.ndarray:
    """Return ``P`` as a read-only float array after checking it is row-stochastic."""
    if isinstance(P, pd.DataFrame):
        P = P.to_numpy()
    try:
        arr = np.array(P, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{caller}(): '{name}' must be a square array of numbers; got {type(P).__name__}.") from exc
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1] or arr.shape[0] == 0:
        raise ValueError(f"{caller}(): '{name}' must be a non-empty square matrix; got shape {arr.shape}.")
    if not np.isfinite(arr).all():
        raise ValueError(f"{caller}(): '{name}' must hold finite numbers; got NaN or inf.")
    if (arr < 0).any():
        raise ValueError(f"{caller}(): '{name}' must have no negative entries; got minimum {arr.min():.4g}.")
    sums = arr.sum(axis=1)
    bad = np.flatnonzero(np.abs(sums - 1.0) > 1e-6)
    if bad.size:
        raise ValueError(
            f"{caller}(): every row of '{name}' must sum to 1; rows {bad.tolist()[:5]} sum to "
            f"{[round(float(s), 6) for s in sums[bad][:5]]}."
        )
    arr = arr / sums[:, None]
    arr.setflags(write=False)
    return arr


def stationary(P: np.ndarray, *, caller: str) -> np.ndarray:
    """Return the unique stationary distribution pi (pi P = pi), raising if it is not unique."""
    values, vectors = np.linalg.eig(P.T)
    unit = np.flatnonzero(np.abs(values - 1.0) < 1e-9)
    if unit.size != 1:
        raise ValueError(
            f"{caller}(): the chain has {unit.size} independent stationary distributions (it is reducible: "
            "some states never reach others), so 'the' steady state is not unique; "
            "merge or drop the isolated states."
        )
    pi = np.real(vectors[:, unit[0]])
    pi = np.abs(pi) / np.abs(pi).sum()
    return pi


def simulate_codes(P: np.ndarray, init: np.ndarray, n_periods: int, rng: np.random.Generator) -> np.ndarray:
    """Simulate many chains at once: rows are customers, columns periods (period 0 = ``init``)."""
    n = init.shape[0]
    out = np.empty((n, n_periods), dtype=np.int64)
    out[:, 0] = init
    cum = np.cumsum(P, axis=1)
    cum[:, -1] = 1.0
    uniforms = rng.random((n, max(n_periods - 1, 0)))
    for t in range(1, n_periods):  # loop over periods only; customers are vectorised
        rows = cum[out[:, t - 1]]
        out[:, t] = (uniforms[:, t - 1, None] >= rows).sum(axis=1)
    return out


def count_pairs(from_codes: np.ndarray, to_codes: np.ndarray, n_states: int) -> np.ndarray:
    """Count transitions i -> j from two aligned integer arrays."""
    flat = from_codes.astype(np.int64) * n_states + to_codes.astype(np.int64)
    return np.bincount(flat, minlength=n_states * n_states).reshape(n_states, n_states)


def encode(values: pd.Series | pd.DataFrame | np.ndarray, states: Sequence[str], *, caller: str, name: str,
           what: str) -> np.ndarray:
    """Map labels to integer codes 0..k-1 (a DataFrame column by column), raising on unknown or missing labels."""
    if isinstance(values, pd.DataFrame):  # loop over periods (columns), never over customers
        return np.column_stack([encode(values[c], states, caller=caller, name=name, what=what) for c in values])
    codes, uniques = pd.factorize(values if isinstance(values, pd.Series) else np.asarray(values, dtype=object))
    lookup = {str(s): i for i, s in enumerate(states)}
    uniques = list(uniques)
    mapped = np.array([lookup.get(str(u), -1) for u in uniques] + [-1], dtype=np.int64)
    unknown = sorted({str(u) for u, m in zip(uniques, mapped[:-1], strict=True) if m < 0})
    if unknown:
        raise ValueError(
            f"{caller}(): '{name}' holds unknown {what} {unknown[:5]}; known {what}s are {list(states)}. "
            f"Pass them in '{what}s=' or fix the labels."
        )
    if (codes < 0).any():
        raise ValueError(
            f"{caller}(): '{name}' has {int((codes < 0).sum())} missing {what} label(s); "
            "fill or remove them first: crmlab never drops rows silently."
        )
    return mapped[codes]


def labels_frame(codes: np.ndarray, states: Sequence[str], index: pd.Index, columns: Sequence) -> pd.DataFrame:
    """Return a customer x period frame of ordered categorical stage labels from integer codes."""
    dtype = pd.CategoricalDtype(list(states), ordered=True)
    data = {col: pd.Categorical.from_codes(codes[:, j], dtype=dtype) for j, col in enumerate(columns)}
    return pd.DataFrame(data, index=index)
