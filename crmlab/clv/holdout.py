r"""Honest evaluation on a holdout period: every model and naive benchmarks in one table.

Chapter 10. A model of repeat buying earns its keep only if it predicts
holdout purchases better than simple rules. :func:`holdout_report` scores
each fitted model's expected purchases and P(active) against what customers
did in the holdout, next to naive benchmarks fitted on the same calibration
data, so that a model that does not beat them is visible at once.

Metrics (per row of the summary):

* ``mae``, ``rmse`` – per-customer absolute / squared error of expected purchases;
* ``bias_pct`` – :math:`100 (\sum \hat y - \sum y) / \sum y`, the aggregate forecast error;
* ``gini_norm`` – normalised Gini of the ranking (Wang, Liu & Miao 2019): the
  Gini of holdout purchases when customers are ordered by the prediction,
  divided by the Gini of the perfect ordering (1 = perfect ranking, 0 = random;
  tied predictions count as a random order among themselves);
* ``decile_mae`` – mean absolute error of the ten decile means (customers
  grouped by predicted value), the aggregate-by-segment error;
* ``brier_active``, ``calib_active`` – Brier score of P(active in the holdout)
  and its expected calibration error (10 quantile bins);
* ``brier_alive`` – Brier score of P(alive) against the true status, when the
  truth is known (generated data).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from crmlab._validation import check_int, check_number, first_ids
from crmlab.clv._data import validate_rfm

__all__ = ["HoldoutReport", "holdout_report", "normalized_gini"]


@dataclass(frozen=True)
class HoldoutReport:
    """Result of :func:`holdout_report`.

    Parameters
    ----------
    summary : pandas.DataFrame
        One row per model and benchmark (index ``model``; column ``kind`` is
        ``"model"`` or ``"naive"``), metric columns as in the module notes.
    deciles : pandas.DataFrame
        Long table: ``model``, ``decile`` (1 = lowest predictions), ``customers``,
        ``predicted``, ``actual`` (mean holdout purchases).
    active_calibration : pandas.DataFrame
        Long table: ``model``, ``bin``, ``predicted`` (mean P(active)), ``observed``.
    predictions : pandas.DataFrame
        Expected holdout purchases per customer, one column per row of ``summary``.

    Examples
    --------
    >>> from crmlab.clv import BetaGeoModel
    >>> from crmlab.datasets import load_cdnow_holdout, load_cdnow_summary
    >>> cal = load_cdnow_summary()
    >>> holdout = load_cdnow_holdout()["frequency_holdout"]
    >>> report = holdout_report({"BG/NBD": BetaGeoModel().fit(cal)}, cal, holdout, t=39.0)
    >>> report.summary.index.tolist()[:2], sorted(report.deciles["decile"].unique().tolist())[:3]
    (['BG/NBD', 'naive: own calibration rate'], [1, 2, 3])
    """

    summary: pd.DataFrame
    deciles: pd.DataFrame
    active_calibration: pd.DataFrame
    predictions: pd.DataFrame


def normalized_gini(actual: np.ndarray, predicted: np.ndarray) -> float:
    """Return the normalised Gini of ranking customers by ``predicted``, scored on ``actual``.

    Chapter 10. The area between the cumulative-gain curve (share of the total
    ``actual`` captured by the top share of customers) and the diagonal,
    divided by the same area for the ordering by ``actual`` itself. Tied
    predictions form one straight segment of the curve (their order is random).

    Parameters
    ----------
    actual, predicted : array-like
        Holdout values (>= 0, not all zero) and predictions, same length.

    Returns
    -------
    float
        1 for a perfect ranking, about 0 for a random one, negative when reversed.

    Raises
    ------
    ValueError
        For different lengths, non-finite values or an all-zero ``actual``.

    Examples
    --------
    >>> normalized_gini([0, 1, 3], [0.1, 0.5, 2.0])
    1.0
    >>> normalized_gini([0, 1, 3], [1.0, 1.0, 1.0])
    0.0
    """
    y = np.asarray(actual, dtype=float)
    p = np.asarray(predicted, dtype=float)
    if y.shape != p.shape or y.ndim != 1 or not np.all(np.isfinite(y)) or not np.all(np.isfinite(p)):
        raise ValueError("normalized_gini(): 'actual' and 'predicted' must be finite 1-d arrays of equal length.")
    if y.sum() <= 0:
        raise ValueError("normalized_gini(): 'actual' sums to zero; a ranking cannot be scored.")
    return _gini(y, p) / _gini(y, y)


def _gini(y: np.ndarray, p: np.ndarray) -> float:
    """Area between the tie-aware cumulative-gain curve (order by p descending) and the diagonal, times 2."""
    codes, uniq = pd.factorize(-p, sort=True)  # groups of tied predictions, highest first
    n_g = np.bincount(codes, minlength=len(uniq)).astype(float)
    y_g = np.bincount(codes, weights=y, minlength=len(uniq))
    cx = np.concatenate([[0.0], np.cumsum(n_g)]) / len(y)
    cy = np.concatenate([[0.0], np.cumsum(y_g)]) / y.sum()
    area = float(np.sum((cx[1:] - cx[:-1]) * (cy[1:] + cy[:-1]) / 2.0))
    return 2.0 * (area - 0.5)


def _p_active(model: Any, t: float, data: pd.DataFrame) -> np.ndarray:
    if hasattr(model, "probability_active"):
        return model.probability_active(t, data).to_numpy()
    try:
        return 1.0 - model.probability_of_purchases(0, t, data).to_numpy()
    except (AttributeError, NotImplementedError):
        return np.full(len(data), np.nan)


def _p_alive(model: Any, data: pd.DataFrame) -> np.ndarray:
    try:
        return model.probability_alive(data).to_numpy()
    except (AttributeError, NotImplementedError):
        return np.full(len(data), np.nan)


def _naive(x: np.ndarray, tx: np.ndarray, T: np.ndarray, t: float) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Benchmarks from calibration data only: (expected purchases, P(active)) per customer."""
    own = np.where(T > 0, x / np.where(T > 0, T, 1.0), 0.0) * t
    pop = np.full(len(x), x.sum() / T.sum() * t if T.sum() > 0 else 0.0)
    recent = np.where((x > 0) & (T - tx <= T / 2.0), own, 0.0)  # silent for the second half of calibration -> 0
    return {
        "naive: own calibration rate": (own, -np.expm1(-own)),
        "naive: population rate": (pop, -np.expm1(-pop)),
        "naive: zero for the silent": (recent, -np.expm1(-recent)),
        "naive: zero for all": (np.zeros(len(x)), np.zeros(len(x))),
    }


def _ece(p: np.ndarray, y: np.ndarray, n_bins: int) -> tuple[float, pd.DataFrame]:
    bins = pd.qcut(pd.Series(p).rank(method="first"), min(n_bins, len(p)), labels=False).to_numpy()
    g = pd.DataFrame({"bin": bins + 1, "p": p, "y": y}).groupby("bin")
    tab = pd.DataFrame({"customers": g.size(), "predicted": g["p"].mean(), "observed": g["y"].mean()})
    ece = float(np.sum(tab["customers"] * (tab["predicted"] - tab["observed"]).abs()) / len(p))
    return ece, tab.reset_index()


def _deciles(pred: np.ndarray, y: np.ndarray) -> pd.DataFrame:
    dec = pd.qcut(pd.Series(pred).rank(method="first"), 10, labels=False).to_numpy() + 1
    g = pd.DataFrame({"decile": dec, "p": pred, "y": y}).groupby("decile")
    return pd.DataFrame({"customers": g.size(), "predicted": g["p"].mean(), "actual": g["y"].mean()}).reset_index()


def holdout_report(
    models: dict[str, Any],
    calibration: pd.DataFrame,
    holdout: pd.Series | np.ndarray,
    *,
    t: float,
    alive: pd.Series | np.ndarray | None = None,
    naive: bool = True,
    n_bins: int = 10,
) -> HoldoutReport:
    """Score fitted models and naive benchmarks on holdout purchases.

    Chapter 10.

    Parameters
    ----------
    models : dict of str to fitted model
        Each has ``expected_purchases(t, data)`` and, where available,
        ``probability_alive(data)`` and ``probability_active(t, data)`` or
        ``probability_of_purchases(0, t, data)``.
    calibration : pandas.DataFrame
        Columns ``frequency``, ``recency``, ``T`` (the data the models saw), one row per customer.
    holdout : pandas.Series or array-like
        Purchases of each customer in the holdout window (a Series must have
        the index of ``calibration``).
    t : float
        Length of the holdout window, in the time unit of ``calibration``.
    alive : array-like of bool, optional
        True status at the end of calibration (generated data only), for ``brier_alive``.
    naive : bool, default=True
        Add the naive benchmarks: each customer's own calibration rate, the
        population rate, the own rate but zero for customers silent for the
        second half of their calibration window, and zero for everyone (P(active) from a Poisson count at that rate).
    n_bins : int, default=10
        Bins of the P(active) calibration table.

    Returns
    -------
    HoldoutReport
        ``summary``, ``deciles``, ``active_calibration``, ``predictions``.

    Raises
    ------
    ValueError
        If ``models`` is empty, ``holdout`` does not match the customers, or has
        negative, fractional or missing counts.

    See Also
    --------
    crmlab.plotting.plot_holdout_report

    Examples
    --------
    >>> from crmlab.clv import BetaGeoModel
    >>> from crmlab.datasets import load_cdnow_holdout, load_cdnow_summary
    >>> cal = load_cdnow_summary()
    >>> rep = holdout_report({"BG/NBD": BetaGeoModel().fit(cal)}, cal,
    ...                      load_cdnow_holdout()["frequency_holdout"], t=39.0)
    >>> rep.summary.loc[["BG/NBD", "naive: zero for all"], "mae"].round(3).tolist()
    [0.785, 0.798]
    """
    caller = "holdout_report"
    if not isinstance(models, dict) or not models:
        raise ValueError(f"{caller}(): 'models' must be a non-empty dict of name -> fitted model.")
    t = check_number(t, "t", caller=caller, minimum=0.0, strict_min=True)
    n_bins = check_int(n_bins, "n_bins", caller=caller, minimum=1)
    index, x, tx, T = validate_rfm(calibration, caller=caller)
    y = _check_counts(holdout, index, "holdout", caller)
    truth = None if alive is None else _check_counts(alive, index, "alive", caller).astype(bool)
    preds: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, str]] = {}
    for name, model in models.items():
        e = model.expected_purchases(t, calibration).to_numpy()
        preds[name] = (e, _p_active(model, t, calibration), _p_alive(model, calibration), "model")
    if naive:
        for name, (e, pa) in _naive(x, tx, T, t).items():
            preds[name] = (e, pa, np.full(len(x), np.nan), "naive")
    active = (y > 0).astype(float)
    rows, dec, cal = [], [], []
    for name, (e, pa, palive, kind) in preds.items():
        row = {"model": name, "kind": kind, "mae": float(np.mean(np.abs(e - y))),
               "rmse": float(np.sqrt(np.mean((e - y) ** 2))),
               "bias_pct": float(100.0 * (e.sum() - y.sum()) / y.sum()) if y.sum() > 0 else np.nan,
               "gini_norm": normalized_gini(y, e) if y.sum() > 0 else np.nan}
        d = _deciles(e, y).assign(model=name)
        row["decile_mae"] = float(np.mean(np.abs(d["predicted"] - d["actual"])))
        dec.append(d)
        if np.all(np.isfinite(pa)):
            row["brier_active"] = float(np.mean((pa - active) ** 2))
            row["calib_active"], c = _ece(pa, active, n_bins)
            cal.append(c.assign(model=name))
        else:
            row["brier_active"] = row["calib_active"] = np.nan
        ok = truth is not None and np.all(np.isfinite(palive))
        row["brier_alive"] = float(np.mean((palive - truth) ** 2)) if ok else np.nan
        rows.append(row)
    summary = pd.DataFrame(rows).set_index("model")
    predictions = pd.DataFrame({n: v[0] for n, v in preds.items()}, index=index)
    deciles = pd.concat(dec, ignore_index=True)[["model", "decile", "customers", "predicted", "actual"]]
    calib = (pd.concat(cal, ignore_index=True)[["model", "bin", "customers", "predicted", "observed"]]
             if cal else pd.DataFrame(columns=["model", "bin", "customers", "predicted", "observed"]))
    return HoldoutReport(summary, deciles, calib, predictions)


def _check_counts(values: Any, index: pd.Index, name: str, caller: str) -> np.ndarray:
    if isinstance(values, pd.Series):
        if not values.index.equals(index):
            missing = index.difference(values.index)
            extra = values.index.difference(index)
            raise ValueError(f"{caller}(): '{name}' is a Series whose index differs from the calibration customers "
                             f"(missing: {first_ids(missing)}, unexpected: {first_ids(extra)}); align it first, "
                             f"e.g. {name}.reindex(calibration.index), so no customer is scored on another's data.")
        values = values.to_numpy()
    v = np.asarray(values, dtype=float)
    if v.shape != (len(index),):
        raise ValueError(f"{caller}(): '{name}' must have one value per calibration customer ({len(index)}); "
                         f"got shape {v.shape}.")
    bad = ~np.isfinite(v) | (v < 0) | (v != np.floor(v))
    if bad.any():
        raise ValueError(f"{caller}(): {int(bad.sum())} value(s) of '{name}' are missing, negative or fractional "
                         f"(first customers: {first_ids(index[bad])}); it counts purchases (or 0/1 status).")
    return v
