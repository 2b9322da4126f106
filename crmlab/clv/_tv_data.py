"""Validated transaction logs and per-period covariate paths for the time-varying Pareto/NBD.

Chapter 10. A covariate path is a long table, one row per customer and
period (``customer_id``, ``period`` start, one column per covariate); the
periods lie on one regular calendar grid (e.g. weeks). Each customer's
history from her first purchase to the end of observation is cut into
*segments* where the covariates are constant (a period, or the part of it
after her first purchase / before the end). The likelihood works on these
segments as flat arrays: no Python loop over customers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from crmlab._validation import (
    CrmlabWarning,
    check_columns,
    check_frame,
    check_no_missing,
    check_number,
    first_ids,
)

__all__ = ["Grid", "Segments", "TVData", "build_segments", "prepare_tv_data"]

_TOL = 1e-9


@dataclass(frozen=True)
class Grid:
    """The calendar grid of periods: start of period 0 and the period length (in model time units)."""

    origin: float
    step: float
    datetime_origin: pd.Timestamp | None = None
    time_unit: pd.Timedelta | None = None

    def to_time(self, values: Any, name: str, *, caller: str) -> np.ndarray:
        """Convert numbers or datetimes to model time (period units if datetimes)."""
        ser = pd.Series(values) if not isinstance(values, pd.Series) else values
        if self.datetime_origin is not None:
            if not pd.api.types.is_datetime64_any_dtype(ser):
                raise TypeError(f"{caller}(): '{name}' must hold datetimes like the covariate periods; "
                                f"got dtype {ser.dtype}.")
            return ((ser - self.datetime_origin) / self.time_unit).to_numpy(dtype=float)
        if not (pd.api.types.is_numeric_dtype(ser) and not pd.api.types.is_bool_dtype(ser)):
            raise TypeError(f"{caller}(): '{name}' must be numeric like the covariate periods; got dtype {ser.dtype}.")
        return ser.to_numpy(dtype=float)


@dataclass
class Segments:
    """Flat per-segment arrays, sorted by customer then time; every customer has at least one segment."""

    cust: np.ndarray  # customer position of each segment
    first: np.ndarray  # position of each customer's first segment
    start: np.ndarray  # segment start in the customer's own time (0 = first purchase)
    length: np.ndarray
    zp: np.ndarray  # (n_segments, n_purchase_covariates)
    zd: np.ndarray  # (n_segments, n_dropout_covariates)


@dataclass
class TVData:
    """One row per customer (x, t_x, T, birth) plus her segments and purchase-time covariate sums."""

    ids: pd.Index
    x: np.ndarray
    tx: np.ndarray
    T: np.ndarray
    birth: np.ndarray
    seg: Segments
    zp_at_purchases: np.ndarray  # (n, p): sum of the purchase covariates over the repeat purchases
    d0: np.ndarray  # per segment: where the dropout integral starts inside the segment (>= t_x)


def _numeric_cov(df: pd.DataFrame, cols: Sequence[str], caller: str, name: str) -> np.ndarray:
    for c in cols:
        if not (pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])):
            raise TypeError(f"{caller}(): covariate '{c}' of '{name}' must be numeric; got dtype {df[c].dtype} "
                            "(encode categories as 0/1 columns first).")
    z = df[list(cols)].to_numpy(dtype=float)
    bad = ~np.isfinite(z)
    if bad.any():
        j = int(np.flatnonzero(bad.any(axis=0))[0])
        rows = df.iloc[np.flatnonzero(bad[:, j])[:5]]
        raise ValueError(f"{caller}(): covariate '{cols[j]}' of '{name}' has {int(bad[:, j].sum())} missing or "
                         f"infinite value(s) (first rows: {rows.iloc[:, :2].to_dict('records')}); fill or remove "
                         "them first.")
    return z


def make_grid(periods: pd.Series, *, period_length: float | None, time_unit: Any,
              caller: str) -> tuple[Grid, np.ndarray]:
    """Infer the regular grid from the period starts; return it and the period starts in model time."""
    if pd.api.types.is_datetime64_any_dtype(periods):
        origin_dt = periods.min()
        unit = pd.Timedelta(time_unit)
        vals = ((periods - origin_dt) / unit).to_numpy(dtype=float)
        grid_kw: dict[str, Any] = {"datetime_origin": origin_dt, "time_unit": unit}
    elif pd.api.types.is_numeric_dtype(periods) and not pd.api.types.is_bool_dtype(periods):
        vals = periods.to_numpy(dtype=float)
        grid_kw = {}
    else:
        raise TypeError(f"{caller}(): the period column of 'covariates' must hold numbers or datetimes; "
                        f"got dtype {periods.dtype}.")
    if not np.all(np.isfinite(vals)):
        raise ValueError(f"{caller}(): the period column of 'covariates' has infinite values.")
    u = np.unique(vals)
    if period_length is None:
        if len(u) < 2:
            raise ValueError(f"{caller}(): 'covariates' has a single period start; pass period_length=.")
        step = float(np.min(np.diff(u)))
    else:
        step = check_number(period_length, "period_length", caller=caller, minimum=0.0, strict_min=True)
    k = (u - u[0]) / step
    off = np.abs(k - np.round(k)) > 1e-6
    if off.any():
        raise ValueError(f"{caller}(): period starts must lie on a regular grid of length {step:g}; "
                         f"{int(off.sum())} do not (first: {first_ids(u[off])}).")
    return Grid(origin=float(u[0]), step=step, **grid_kw), vals


def _check_ids(tx_ids: pd.Index, cov_ids: pd.Index, caller: str, cov_name: str) -> None:
    only_tx = tx_ids.difference(cov_ids)
    if len(only_tx):
        raise ValueError(f"{caller}(): {len(only_tx)} customer id(s) of 'transactions' have no covariate path in "
                         f"'{cov_name}' (first: {first_ids(only_tx)}); ids must match.")
    only_cov = cov_ids.difference(tx_ids)
    if len(only_cov):
        raise ValueError(f"{caller}(): {len(only_cov)} customer id(s) of '{cov_name}' have no transaction "
                         f"(first: {first_ids(only_cov)}); ids must match: drop them or add their purchases.")


def build_segments(cov: pd.DataFrame, kvals: np.ndarray, ids: pd.Index, cust_pos: np.ndarray, start: np.ndarray,
                   end: float, grid: Grid, pcols: Sequence[str], dcols: Sequence[str], *, caller: str,
                   name: str, what: str = "between their first purchase and the end of observation",
                   ) -> tuple[Segments, np.ndarray, np.ndarray]:
    """Cut each customer's window [start_i, end] (calendar time) into periods of the grid.

    ``cov`` rows with grid index ``kvals`` and customer position ``cust_pos``.
    Returns the segments, each customer's first needed period index and the
    row order of ``cov`` used (to look covariates up later).
    """
    n = len(ids)
    k_last = int(np.ceil((end - grid.origin) / grid.step - _TOL)) - 1
    k_first = np.floor((start - grid.origin) / grid.step + _TOL).astype(np.int64)
    k_first = np.minimum(k_first, k_last)
    need = k_last - k_first + 1
    use = (kvals >= k_first[cust_pos]) & (kvals <= k_last)
    have = np.bincount(cust_pos[use], minlength=n)
    short = np.flatnonzero(have < need)
    if len(short):
        i = short[0]
        got = set(kvals[use & (cust_pos == i)].tolist())
        miss = [k for k in range(int(k_first[i]), k_last + 1) if k not in got][:3]
        shown = [grid.origin + k * grid.step for k in miss]
        if grid.datetime_origin is not None:
            shown = [str((grid.datetime_origin + v * grid.time_unit).date()) for v in shown]
        raise ValueError(f"{caller}(): {len(short)} customer(s) have missing periods in '{name}' {what} "
                         f"(first: {first_ids(ids[short])}; customer "
                         f"{first_ids(ids[short[:1]])[0]!r} lacks the period(s) starting at {shown}). Give one row "
                         "per customer and period.")
    rows = np.flatnonzero(use)
    order = rows[np.lexsort((kvals[rows], cust_pos[rows]))]
    cust = cust_pos[order]
    k = kvals[order]
    p_start = grid.origin + k * grid.step
    s0 = np.maximum(p_start, start[cust])
    s1 = np.minimum(p_start + grid.step, end)
    first = np.concatenate([[0], np.cumsum(need)[:-1]]).astype(np.int64)
    zp = cov[list(pcols)].to_numpy(dtype=float)[order] if pcols else np.zeros((len(order), 0))
    zd = cov[list(dcols)].to_numpy(dtype=float)[order] if dcols else np.zeros((len(order), 0))
    seg = Segments(cust=cust, first=first, start=s0 - start[cust], length=np.maximum(s1 - s0, 0.0), zp=zp, zd=zd)
    return seg, k_first, order


def read_path(covariates: Any, cols: Sequence[str], *, customer_col: str, period_col: str, caller: str,
              name: str, period_length: float | None = None, time_unit: Any = "7D",
              grid: Grid | None = None) -> tuple[pd.DataFrame, Grid, np.ndarray]:
    """Validate a covariate path; return it, its grid and each row's integer period index."""
    cov = check_frame(covariates, caller=caller, name=name, convert=True)
    check_columns(cov, [customer_col, period_col, *cols], caller=caller, name=name)
    check_no_missing(cov, [customer_col, period_col], caller=caller, name=name)
    _numeric_cov(cov, cols, caller, name)
    if grid is None:
        grid, pvals = make_grid(cov[period_col], period_length=period_length, time_unit=time_unit, caller=caller)
    else:
        pvals = grid.to_time(cov[period_col], f"{name}['{period_col}']", caller=caller)
    kf = (pvals - grid.origin) / grid.step
    kvals = np.round(kf).astype(np.int64)
    off = np.abs(kf - kvals) > 1e-6
    if off.any():
        raise ValueError(f"{caller}(): {int(off.sum())} period start(s) of '{name}' are off the grid of the fit "
                         f"(origin {grid.origin:g}, length {grid.step:g}); first rows: "
                         f"{cov.loc[off, [customer_col, period_col]].head(3).to_dict('records')}.")
    dup = pd.DataFrame({"c": cov[customer_col].to_numpy(), "k": kvals}).duplicated().to_numpy()
    if dup.any():
        raise ValueError(f"{caller}(): '{name}' has {int(dup.sum())} duplicated (customer, period) row(s) "
                         f"(first: {cov.loc[dup, [customer_col, period_col]].head(3).to_dict('records')}); one row "
                         "per customer and period.")
    return cov, grid, kvals


def prepare_tv_data(transactions: Any, covariates: Any, pcols: Sequence[str], dcols: Sequence[str], *,
                    customer_col: str, time_col: str, period_col: str, observation_end: Any,
                    period_length: float | None, time_unit: Any, caller: str,
                    grid: Grid | None = None) -> tuple[TVData, Grid, float]:
    """Validate a transaction log and its covariate path and build the segment arrays."""
    cols = list(dict.fromkeys([*pcols, *dcols]))
    cov, grid, kvals = read_path(covariates, cols, customer_col=customer_col, period_col=period_col,
                                 caller=caller, name="covariates", period_length=period_length,
                                 time_unit=time_unit, grid=grid)
    trans = check_frame(transactions, caller=caller, name="transactions", convert=True)
    check_columns(trans, [customer_col, time_col], caller=caller, name="transactions")
    check_no_missing(trans, [customer_col, time_col], caller=caller, name="transactions", id_col=customer_col)
    t = grid.to_time(trans[time_col], f"transactions['{time_col}']", caller=caller)
    if not np.all(np.isfinite(t)):
        raise ValueError(f"{caller}(): column '{time_col}' of 'transactions' has infinite values.")
    grid_end = grid.origin + (int(kvals.max()) + 1) * grid.step
    last_purchase = float(t.max())
    if observation_end is None:
        end = last_purchase
        last_period_end = grid.origin + (np.floor((end - grid.origin) / grid.step + _TOL) + 1) * grid.step
        if grid_end > last_period_end + _TOL:
            import warnings

            warnings.warn(f"{caller}(): no observation_end given: the window ends at the last purchase in "
                          f"'transactions' ({_show(end, grid)}), although the covariate path runs to "
                          f"{_show(grid_end, grid)}. Pass observation_end= to set the end of observation.",
                          CrmlabWarning, stacklevel=3)
    else:
        end = grid.to_time(pd.Series([observation_end]), "observation_end", caller=caller)[0]
        if not np.isfinite(end):
            raise ValueError(f"{caller}(): 'observation_end' must be finite; got {observation_end!r}.")
    late = t > end + _TOL
    if late.any():
        raise ValueError(f"{caller}(): {int(late.sum())} transaction(s) happen after observation_end "
                         f"{_show(end, grid)} (first {customer_col} values: "
                         f"{first_ids(trans.loc[late, customer_col])}); keep holdout purchases out of the fit.")
    if end > grid_end + _TOL:
        raise ValueError(f"{caller}(): the covariate path ends at {_show(grid_end, grid)}, before observation_end "
                         f"{_show(end, grid)}; give covariates for every period up to the end of observation.")
    cust_codes, ids = pd.factorize(trans[customer_col], sort=True)
    ids = pd.Index(ids, name=customer_col)
    cov_ids = pd.Index(pd.unique(cov[customer_col]))
    _check_ids(ids, cov_ids, caller, "covariates")
    n = len(ids)
    birth = np.full(n, np.inf)
    np.minimum.at(birth, cust_codes, t)
    last = np.full(n, -np.inf)
    np.maximum.at(last, cust_codes, t)
    x = np.bincount(cust_codes, minlength=n).astype(float) - 1.0
    cust_pos = ids.get_indexer(cov[customer_col])
    seg, k_first, order = build_segments(cov, kvals, ids, cust_pos, birth, end, grid, pcols, dcols,
                                         caller=caller, name="covariates")
    const = [c for j, c in enumerate(pcols) if np.ptp(seg.zp[:, j]) == 0]
    const += [c for j, c in enumerate(dcols) if np.ptp(seg.zd[:, j]) == 0 and c not in const]
    if const:
        raise ValueError(f"{caller}(): covariate(s) {const} are constant over all customers and periods of the "
                         "window; a constant cannot be told apart from the base parameter, drop it.")
    # purchase covariates at the repeat purchases: the period of each purchase, within the customer's segments
    is_first = np.zeros(len(t), dtype=bool)
    first_row = pd.Series(t).groupby(cust_codes).idxmin().to_numpy()
    is_first[first_row] = True
    rep = ~is_first
    rc = cust_codes[rep]
    kp = np.floor((t[rep] - grid.origin) / grid.step + _TOL).astype(np.int64)
    n_seg = np.diff(np.append(seg.first, len(seg.cust)))
    pos = seg.first[rc] + np.clip(kp - k_first[rc], 0, n_seg[rc] - 1)
    zsum = np.zeros((n, len(pcols)))
    for j in range(len(pcols)):  # loop over covariates, not customers
        zsum[:, j] = np.bincount(rc, weights=seg.zp[pos, j], minlength=n)
    T = end - birth
    tx = last - birth
    d0 = np.clip(tx[seg.cust] - seg.start, 0.0, seg.length)
    data = TVData(ids=ids, x=x, tx=tx, T=T, birth=birth, seg=seg, zp_at_purchases=zsum, d0=d0)
    return data, grid, float(end)


def _show(v: float, grid: Grid) -> str:
    if grid.datetime_origin is not None:
        return str(grid.datetime_origin + v * grid.time_unit)
    return f"{v:g}"
