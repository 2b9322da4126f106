"""Checking BTYD models: calibration vs holdout, tracking, and the tables behind the plots.

Chapter 6. A model earns trust by predicting a period it has not seen. These
functions return plain DataFrames; the ``crmlab.plotting`` functions draw them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.utils.validation import check_is_fitted

from crmlab._validation import (
    check_columns,
    check_finite,
    check_frame,
    check_int,
    check_no_missing,
    check_nonnegative,
    check_number,
    check_numeric_columns,
)

__all__ = [
    "calibration_holdout_table",
    "expected_cumulative_transactions",
    "frequency_distribution",
    "frequency_recency_matrix",
    "mixing_distributions",
    "probability_alive_calibration",
    "probability_alive_history",
    "probability_alive_matrix",
]


def _bins(x: np.ndarray, max_frequency: int) -> np.ndarray:
    return np.minimum(x, max_frequency).astype(np.int64)


def _label(index: np.ndarray, max_frequency: int) -> list[str]:
    return [f"{i}+" if i == max_frequency else str(i) for i in index]


def calibration_holdout_table(
    model: Any, data: pd.DataFrame, *, max_frequency: int = 7, frequency_col: str = "frequency_cal",
    recency_col: str = "recency_cal", T_col: str = "T_cal", holdout_col: str = "frequency_holdout",
    duration_col: str = "duration_holdout",
) -> pd.DataFrame:
    """Return mean actual vs predicted holdout purchases by calibration frequency.

    Chapter 6. The classic check of a BTYD model (Fader, Hardie & Lee 2005, Fig. 4).

    Parameters
    ----------
    model : fitted BTYD model
        Any model with ``expected_purchases(t, data)``.
    data : pandas.DataFrame
        Calibration summary plus holdout counts, e.g. ``load_cdnow_holdout()``.
    max_frequency : int, default=7
        Calibration frequencies >= this are pooled into one "7+" group.
    frequency_col, recency_col, T_col, holdout_col, duration_col : str
        Column names (the defaults follow ``load_cdnow_holdout``).

    Returns
    -------
    pandas.DataFrame
        Index ``frequency_cal`` (labels "0", ..., "7+"); columns ``customers``,
        ``actual`` and ``predicted`` (mean holdout purchases per customer).

    Raises
    ------
    ValueError
        Missing columns, NaN, infinite or negative holdout counts or durations (the
        calibration columns are checked as in the model's ``expected_purchases``).

    See Also
    --------
    crmlab.plotting.plot_calibration_holdout

    Examples
    --------
    >>> from crmlab.clv import BetaGeoModel
    >>> from crmlab.datasets import load_cdnow_holdout, load_cdnow_summary
    >>> model = BetaGeoModel().fit(load_cdnow_summary())
    >>> table = calibration_holdout_table(model, load_cdnow_holdout())
    >>> table.index.tolist(), int(table["customers"].sum())
    (['0', '1', '2', '3', '4', '5', '6', '7+'], 2357)
    """
    caller = "calibration_holdout_table"
    df = check_frame(data, caller=caller)
    cols = [frequency_col, recency_col, T_col, holdout_col, duration_col]
    check_columns(df, cols, caller=caller)
    check_no_missing(df, cols, caller=caller, id_col="customer_id")
    check_numeric_columns(df, [holdout_col, duration_col], caller=caller)
    check_finite(df, [holdout_col, duration_col], caller=caller, id_col="customer_id")
    check_nonnegative(df, holdout_col, caller=caller, name="data", id_col="customer_id",
                      hint="holdout purchases are counts")
    check_nonnegative(df, duration_col, caller=caller, name="data", id_col="customer_id",
                      hint="the holdout lasts a time >= 0")
    mf = check_int(max_frequency, "max_frequency", caller=caller, minimum=1)
    cal = pd.DataFrame({"frequency": df[frequency_col], "recency": df[recency_col], "T": df[T_col]},
                       index=df.index)
    durations = df[duration_col].to_numpy(dtype=float)
    pred = np.zeros(len(df))
    for dur in np.unique(durations):  # usually a single holdout length
        mask = durations == dur
        pred[mask] = model.expected_purchases(float(dur), cal.loc[mask]).to_numpy()
    b = _bins(df[frequency_col].to_numpy(), mf)
    out = pd.DataFrame({"bin": b, "actual": df[holdout_col].to_numpy(dtype=float), "predicted": pred})
    g = out.groupby("bin")
    table = pd.DataFrame({"customers": g.size(), "actual": g["actual"].mean(), "predicted": g["predicted"].mean()})
    table.index = pd.Index(_label(table.index.to_numpy(), mf), name=frequency_col)
    return table


def frequency_distribution(model: Any, data: pd.DataFrame, *, max_frequency: int = 7) -> pd.DataFrame:
    """Return the number of customers with 0, 1, 2, ... repeat purchases: actual vs model.

    Chapter 6. The "period transactions" check: for each customer the model
    gives P(X(T) = k), the chance a new customer makes k repeat purchases in
    her observed time T; summing over customers gives expected counts.

    Parameters
    ----------
    model : fitted BTYD model
        With ``probability_of_purchases_new_customer(k, t)``.
    data : pandas.DataFrame
        Columns ``frequency`` and ``T``.
    max_frequency : int, default=7
        Last (pooled) class "7+".

    Returns
    -------
    pandas.DataFrame
        Index ``frequency`` ("0", ..., "7+"); columns ``actual``, ``model``.

    See Also
    --------
    crmlab.plotting.plot_period_transactions

    Examples
    --------
    >>> from crmlab.clv import BetaGeoModel
    >>> from crmlab.datasets import load_cdnow_summary
    >>> model = BetaGeoModel().fit(load_cdnow_summary())
    >>> counts = frequency_distribution(model, load_cdnow_summary())
    >>> int(counts["actual"].sum()), round(float(counts["model"].sum()))
    (2357, 2357)
    """
    caller = "frequency_distribution"
    df = check_frame(data, caller=caller)
    check_columns(df, ["frequency", "T"], caller=caller)
    check_no_missing(df, ["frequency", "T"], caller=caller, id_col="customer_id")
    mf = check_int(max_frequency, "max_frequency", caller=caller, minimum=1)
    Ts, counts = np.unique(df["T"].to_numpy(dtype=float), return_counts=True)
    ks = np.arange(mf)
    expected = np.zeros(mf + 1)
    for t, c in zip(Ts, counts, strict=True):  # one pmf per distinct observation length
        pmf = np.asarray(model.probability_of_purchases_new_customer(ks, float(t)))
        expected[:mf] += c * pmf
        expected[mf] += c * max(1.0 - pmf.sum(), 0.0)
    actual = np.bincount(_bins(df["frequency"].to_numpy(), mf), minlength=mf + 1)
    return pd.DataFrame({"actual": actual.astype(float), "model": expected},
                        index=pd.Index(_label(np.arange(mf + 1), mf), name="frequency"))


def expected_cumulative_transactions(
    model: Any, data: pd.DataFrame, *, horizon: float, step: float = 1.0, calibration_end: float | None = None,
) -> pd.DataFrame:
    """Return expected cumulative and incremental repeat transactions of a whole cohort over calendar time.

    Chapter 6. Customer i was acquired at ``calibration_end − T_i``; at
    calendar time τ the cohort has made Σ_i E[X(τ − birth_i)] repeat purchases.

    Parameters
    ----------
    model : fitted BTYD model
        With ``expected_purchases_new_customer(t)``.
    data : pandas.DataFrame
        Column ``T`` (age at the end of calibration).
    horizon : float
        Last calendar time (same unit as T), e.g. 78 weeks.
    step : float, default=1.0
        Spacing of the time grid.
    calibration_end : float, optional
        Calendar time of the end of calibration; default ``max(T)``.

    Returns
    -------
    pandas.DataFrame
        ``time``, ``cumulative``, ``incremental``.

    See Also
    --------
    crmlab.plotting.plot_cumulative_transactions, crmlab.plotting.plot_incremental_transactions

    Examples
    --------
    >>> from crmlab.clv import BetaGeoModel
    >>> from crmlab.datasets import load_cdnow_summary
    >>> model = BetaGeoModel().fit(load_cdnow_summary())
    >>> path = expected_cumulative_transactions(model, load_cdnow_summary(), horizon=78)
    >>> len(path), bool(path["cumulative"].is_monotonic_increasing)
    (78, True)
    """
    caller = "expected_cumulative_transactions"
    df = check_frame(data, caller=caller)
    check_columns(df, ["T"], caller=caller)
    check_no_missing(df, ["T"], caller=caller)
    h = check_number(horizon, "horizon", caller=caller, minimum=0.0, strict_min=True)
    s = check_number(step, "step", caller=caller, minimum=0.0, strict_min=True)
    T = df["T"].to_numpy(dtype=float)
    end = float(T.max()) if calibration_end is None else check_number(calibration_end, "calibration_end",
                                                                           caller=caller)
    births, counts = np.unique(end - T, return_counts=True)
    times = np.arange(s, h + s / 2, s)
    age = np.clip(times[None, :] - births[:, None], 0.0, None)
    e = np.asarray(model.expected_purchases_new_customer(age.ravel())).reshape(age.shape)
    cum = counts @ e
    return pd.DataFrame({"time": times, "cumulative": cum, "incremental": np.diff(np.r_[0.0, cum])})


def _grid_frame(model: Any, max_frequency: int | None, max_recency: float | None,
                T: float | None) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, float]:
    check_is_fitted(model, "params_")
    _, x, _, Ttr = model._train
    T = float(np.max(Ttr)) if T is None else float(T)
    mf = int(np.percentile(x, 99)) if max_frequency is None else int(max_frequency)
    mr = T if max_recency is None else float(max_recency)
    freqs = np.arange(mf + 1)
    recs = np.linspace(0.0, mr, 21)
    ff, rr = np.meshgrid(freqs, recs, indexing="ij")
    frame = pd.DataFrame({"frequency": ff.ravel(), "recency": rr.ravel(), "T": T})
    frame = frame[(frame["frequency"] > 0) | (frame["recency"] == 0)]
    return frame, freqs, recs, T


def _matrix(values: pd.Series, frame: pd.DataFrame, freqs: np.ndarray, recs: np.ndarray) -> pd.DataFrame:
    out = pd.DataFrame(np.nan, index=pd.Index(freqs, name="frequency"), columns=pd.Index(recs, name="recency"))
    fi = np.searchsorted(freqs, frame["frequency"].to_numpy())
    ri = np.searchsorted(recs, frame["recency"].to_numpy())
    arr = out.to_numpy(copy=True)
    arr[fi, ri] = values.to_numpy()
    return pd.DataFrame(arr, index=out.index, columns=out.columns)


def frequency_recency_matrix(model: Any, *, t: float = 1.0, max_frequency: int | None = None,
                             max_recency: float | None = None, T: float | None = None) -> pd.DataFrame:
    """Return expected purchases in the next ``t`` for a grid of frequency × recency.

    Chapter 6. Customers with many purchases are worth most only if their
    last purchase is recent: the matrix shows the model's "iso-value" shape.

    Parameters
    ----------
    model : fitted continuous-time BTYD model
        Any model with ``expected_purchases(t, data)`` and its training data, e.g. a fitted
        :class:`crmlab.clv.BetaGeoModel`.
    t : float, default=1.0
        Future window.
    max_frequency : int, optional
        Largest frequency of the grid; default the 99th percentile of the training frequencies.
    max_recency : float, optional
        Largest recency of the grid; default ``T``.
    T : float, optional
        Customer age used for the grid; default the largest training T.

    Returns
    -------
    pandas.DataFrame
        Index ``frequency``, columns ``recency`` (21 points from 0 to T);
        NaN where impossible (frequency 0 with recency > 0).

    See Also
    --------
    crmlab.plotting.plot_frequency_recency_matrix

    Examples
    --------
    >>> from crmlab.clv import BetaGeoModel
    >>> from crmlab.datasets import load_cdnow_summary
    >>> model = BetaGeoModel().fit(load_cdnow_summary())
    >>> matrix = frequency_recency_matrix(model, t=52, max_frequency=10)
    >>> matrix.shape, bool(matrix.loc[10].is_monotonic_increasing)  # recent buyers buy more
    ((11, 21), True)
    """
    frame, freqs, recs, _ = _grid_frame(model, max_frequency, max_recency, T)
    return _matrix(model.expected_purchases(t, frame), frame, freqs, recs)


def probability_alive_matrix(model: Any, *, max_frequency: int | None = None, max_recency: float | None = None,
                             T: float | None = None) -> pd.DataFrame:
    """Return P(alive) for a grid of frequency × recency (see :func:`frequency_recency_matrix`).

    Chapter 6.

    Parameters
    ----------
    model : fitted continuous-time BTYD model
        Any model with ``probability_alive(data)`` and its training data.
    max_frequency : int, optional
        Largest frequency of the grid; default the 99th percentile of the training frequencies.
    max_recency : float, optional
        Largest recency of the grid; default ``T``.
    T : float, optional
        Customer age used for the grid; default the largest training T.

    Returns
    -------
    pandas.DataFrame
        Index ``frequency``, columns ``recency``.

    See Also
    --------
    crmlab.plotting.plot_probability_alive_matrix

    Examples
    --------
    >>> from crmlab.clv import BetaGeoModel
    >>> from crmlab.datasets import load_cdnow_summary
    >>> model = BetaGeoModel().fit(load_cdnow_summary())
    >>> alive = probability_alive_matrix(model, max_frequency=10)
    >>> float(alive.iloc[0, 0]), bool(alive.loc[10].is_monotonic_increasing)
    (1.0, True)
    """
    frame, freqs, recs, _ = _grid_frame(model, max_frequency, max_recency, T)
    return _matrix(model.probability_alive(frame), frame, freqs, recs)


def probability_alive_history(model: Any, purchase_times: np.ndarray | list[float], *, T: float,
                              n_points: int = 200) -> pd.DataFrame:
    """Return one customer's P(alive) over her history.

    Chapter 6. P(alive) jumps up at each repeat purchase (in the BG/NBD to
    (b+x−1)/(a+b+x−1): she may quit right after buying) and decays while she
    is silent.

    Parameters
    ----------
    model : fitted continuous-time BTYD model
        Any model with ``probability_alive(data)``, e.g. a fitted :class:`crmlab.clv.BetaGeoModel`.
    purchase_times : array-like
        Times of her repeat purchases, measured from her first purchase (> 0).
    T : float
        End of the history to draw.
    n_points : int, default=200
        Grid points (purchase times are added to the grid).

    Returns
    -------
    pandas.DataFrame
        ``time``, ``frequency``, ``recency``, ``p_alive``.

    See Also
    --------
    crmlab.plotting.plot_probability_alive_history

    Examples
    --------
    >>> from crmlab.clv import BetaGeoModel
    >>> from crmlab.datasets import load_cdnow_summary
    >>> model = BetaGeoModel().fit(load_cdnow_summary())
    >>> history = probability_alive_history(model, [5.0, 12.0], T=40.0, n_points=5)
    >>> history["time"].tolist()
    [0.0, 5.0, 10.0, 12.0, 20.0, 30.0, 40.0]
    >>> history["frequency"].tolist()
    [0, 1, 1, 2, 2, 2, 2]
    """
    caller = "probability_alive_history"
    pt = np.sort(np.asarray(purchase_times, dtype=float))
    end = check_number(T, "T", caller=caller, minimum=0.0, strict_min=True)
    n = check_int(n_points, "n_points", caller=caller, minimum=2)
    if np.any(~np.isfinite(pt)) or np.any(pt <= 0) or np.any(pt > end):
        raise ValueError(f"{caller}(): 'purchase_times' must lie in (0, T]; got {pt.tolist()}.")
    grid = np.unique(np.r_[np.linspace(0.0, end, n), pt])
    x = np.searchsorted(pt, grid, side="right")
    rec = np.where(x > 0, pt[np.maximum(x - 1, 0)] if len(pt) else 0.0, 0.0)
    frame = pd.DataFrame({"time": grid, "frequency": x, "recency": rec, "T": grid})
    frame["p_alive"] = model.probability_alive(frame[["frequency", "recency", "T"]]).to_numpy()
    return frame


def mixing_distributions(model: Any, *, n_points: int = 200) -> pd.DataFrame:
    """Return the densities of a fitted model's heterogeneity (mixing) distributions.

    Chapter 6. The gamma and beta distributions describe how customers differ
    in purchase rate and dropout.

    Parameters
    ----------
    model : fitted BTYD, sBG or Gamma-Gamma model
        Its fitted ``params_`` give the gamma (purchase or spend) and beta (dropout) mixing
        distributions.
    n_points : int, default=200
        Grid size per distribution.

    Returns
    -------
    pandas.DataFrame
        ``distribution`` (a readable label), ``value`` (a geometric grid from the
        0.1% to the 99.9% quantile), ``density``, ``cdf``.

    See Also
    --------
    crmlab.plotting.plot_mixing_distributions

    Examples
    --------
    >>> from crmlab.clv import BetaGeoModel
    >>> from crmlab.datasets import load_cdnow_summary
    >>> model = BetaGeoModel().fit(load_cdnow_summary())
    >>> dists = mixing_distributions(model, n_points=50)
    >>> dists.groupby("distribution").size().tolist()
    [50, 50]
    """
    check_is_fitted(model, "params_")
    p = model.params_
    names = set(p.index)
    dists: list[tuple[str, Any]] = []
    if {"r", "alpha"} <= names:
        dists.append(("purchase rate λ ~ Gamma(r, α)", stats.gamma(p["r"], scale=1.0 / p["alpha"])))
    if {"a", "b"} <= names:
        dists.append(("dropout probability p ~ Beta(a, b)", stats.beta(p["a"], p["b"])))
    if {"s", "beta"} <= names:
        dists.append(("dropout rate μ ~ Gamma(s, β)", stats.gamma(p["s"], scale=1.0 / p["beta"])))
    if {"gamma", "delta"} <= names:
        dists.append(("transaction probability p ~ Beta(α, β)", stats.beta(p["alpha"], p["beta"])))
        dists.append(("dropout probability θ ~ Beta(γ, δ)", stats.beta(p["gamma"], p["delta"])))
    elif names == {"alpha", "beta"}:
        dists.append(("churn probability θ ~ Beta(α, β)", stats.beta(p["alpha"], p["beta"])))
    if {"p", "q", "gamma"} <= names:
        dists.append(("spend scale ν ~ Gamma(q, γ)", stats.gamma(p["q"], scale=1.0 / p["gamma"])))
    n = check_int(n_points, "n_points", caller="mixing_distributions", minimum=10)
    parts = []
    for label, dist in dists:
        lo, hi = max(dist.ppf(0.001), 1e-12), dist.ppf(0.999)
        grid = np.geomspace(lo, hi, n)  # geometric: the densities are often steep near zero
        parts.append(pd.DataFrame({"distribution": label, "value": grid, "density": dist.pdf(grid),
                                   "cdf": dist.cdf(grid)}))
    return pd.concat(parts, ignore_index=True)


def probability_alive_calibration(p_alive: pd.Series | np.ndarray, alive: pd.Series | np.ndarray, *,
                                  n_bins: int = 10) -> pd.DataFrame:
    """Return predicted P(alive) against the true share alive, by bins of the prediction.

    Chapter 6. Only possible with generated data, where the truth is known: a
    calibrated model has, in every bin, about as many customers alive as it
    predicts.

    Parameters
    ----------
    p_alive : array-like
        Predicted probabilities.
    alive : array-like of bool
        True status (e.g. ``world.truth["alive"]``).
    n_bins : int, default=10
        Number of quantile bins (fewer when predictions tie).

    Returns
    -------
    pandas.DataFrame
        Index ``bin``; columns ``customers``, ``predicted`` (mean P(alive)),
        ``observed`` (share truly alive), ``std_error`` (binomial, of the observed share).

    Raises
    ------
    ValueError
        For different lengths, NaN or probabilities outside [0, 1].

    See Also
    --------
    crmlab.plotting.plot_probability_alive_calibration

    Examples
    --------
    >>> table = probability_alive_calibration([0.1, 0.2, 0.8, 0.9], [False, False, True, True], n_bins=2)
    >>> table["observed"].tolist()
    [0.0, 1.0]
    """
    caller = "probability_alive_calibration"
    p = np.asarray(p_alive, dtype=float)
    a = np.asarray(alive, dtype=float)
    if p.shape != a.shape or p.ndim != 1:
        raise ValueError(f"{caller}(): 'p_alive' and 'alive' must be 1-d and of equal length; "
                         f"got {p.shape}, {a.shape}.")
    if np.any(~np.isfinite(p)) or np.any((p < 0) | (p > 1)) or np.any(~np.isin(a, (0.0, 1.0))):
        raise ValueError(f"{caller}(): 'p_alive' must lie in [0, 1] and 'alive' be True/False, without NaN.")
    nb = check_int(n_bins, "n_bins", caller=caller, minimum=1)
    bins = pd.qcut(pd.Series(p).rank(method="first"), nb, labels=False)
    frame = pd.DataFrame({"bin": bins.to_numpy(), "p": p, "a": a})
    g = frame.groupby("bin")
    out = pd.DataFrame({"customers": g.size(), "predicted": g["p"].mean(), "observed": g["a"].mean()})
    out["std_error"] = np.sqrt(out["observed"] * (1 - out["observed"]) / out["customers"])
    out.index = pd.Index(out.index.to_numpy() + 1, name="bin")
    return out

