"""Plots for the CLV research chapter: regularity profile, holdout report, forecast intervals.

Chapter 10.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from crmlab.plotting._axes import get_ax
from crmlab.plotting._label_words import word
from crmlab.plotting._labels import tr

__all__ = ["plot_holdout_deciles", "plot_holdout_report", "plot_regularity"]


def plot_regularity(profile: pd.DataFrame, *, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Draw the log-likelihood of each Erlang order k relative to the best one.

    Chapter 10. A peak at k = 1 means Poisson-like buying; a peak at k >= 2
    means regular buying.

    Parameters
    ----------
    profile : pandas.DataFrame
        From :func:`crmlab.clv.regularity_profile` (index ``k``, column ``delta``).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on.
    **kwargs
        Passed to ``ax.plot``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from crmlab.clv import regularity_profile
    >>> from crmlab.synth.btyd_worlds import simulate_cnbd
    >>> _, gaps = simulate_cnbd(500, r=2.0, alpha=10.0, a=1.0, b=20.0, k=3, T=52.0, return_gaps=True, random_state=0)
    >>> ax = plot_regularity(regularity_profile(gaps, max_k=5))
    >>> ax.get_xlabel()
    'Erlang order k of the gaps'
    """
    ax = get_ax(ax)
    kwargs.setdefault("marker", "o")
    ax.plot(profile.index.to_numpy(), profile["delta"].to_numpy(), **kwargs)
    best = int(profile["delta"].idxmax())
    ax.axvline(best, color="grey", linestyle=":")
    ax.set(xlabel=tr("Erlang order k of the gaps"), ylabel=tr("log-likelihood minus the best"),
           title=tr("Regularity of purchase timing (best k = {best})").format(best=best))
    return ax


def plot_holdout_report(report: Any, *, metric: str = "mae", ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Draw one metric of a holdout report as horizontal bars, models and naive benchmarks apart.

    Chapter 10.

    Parameters
    ----------
    report : crmlab.clv.HoldoutReport
        From :func:`crmlab.clv.holdout_report`.
    metric : str, default="mae"
        A column of ``report.summary`` (``mae``, ``rmse``, ``bias_pct``, ``gini_norm``,
        ``decile_mae``, ``brier_active``, ``calib_active``).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on.
    **kwargs
        Passed to ``ax.barh``.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If ``metric`` is not a numeric column of the summary.

    Examples
    --------
    >>> from crmlab.clv import BetaGeoModel, holdout_report
    >>> from crmlab.datasets import load_cdnow_holdout, load_cdnow_summary
    >>> cal = load_cdnow_summary()
    >>> holdout = load_cdnow_holdout()["frequency_holdout"]
    >>> report = holdout_report({"BG/NBD": BetaGeoModel().fit(cal)}, cal, holdout, t=39.0)
    >>> ax = plot_holdout_report(report)
    >>> ax.get_xlabel()
    'mae (lower is better)'
    """
    s = report.summary
    if metric not in s.columns or metric == "kind":
        raise ValueError(f"plot_holdout_report(): 'metric' must be one of {[c for c in s.columns if c != 'kind']}; "
                         f"got {metric!r}.")
    ax = get_ax(ax, figsize=(6.0, 0.35 * len(s) + 1.2))
    colours = np.where(s["kind"].to_numpy() == "model", "tab:blue", "tab:grey")
    pos = np.arange(len(s))[::-1]
    ax.barh(pos, s[metric].to_numpy(), color=colours, **kwargs)
    ax.set_yticks(pos, [word(name) for name in s.index])
    better = tr("higher is better") if metric == "gini_norm" else tr("lower is better")
    if metric == "bias_pct":
        better = tr("0 is best")
        ax.axvline(0, color="black", linewidth=0.8)
    ax.set(xlabel=tr("{metric} ({better})").format(metric=word(metric), better=better),
           title=tr("Holdout evaluation: models (blue) and naive benchmarks (grey)"))
    return ax


def plot_holdout_deciles(report: Any, *, models: list[str] | None = None, ax: Axes | None = None,
                         **kwargs: Any) -> Axes:
    """Draw mean predicted against mean actual holdout purchases by decile of the prediction.

    Chapter 10.

    Parameters
    ----------
    report : crmlab.clv.HoldoutReport
        From :func:`crmlab.clv.holdout_report`.
    models : list of str, optional
        Rows of the report to draw; default the models (not the benchmarks).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on.
    **kwargs
        Passed to ``ax.plot``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from crmlab.clv import BetaGeoModel, holdout_report
    >>> from crmlab.datasets import load_cdnow_holdout, load_cdnow_summary
    >>> cal = load_cdnow_summary()
    >>> holdout = load_cdnow_holdout()["frequency_holdout"]
    >>> report = holdout_report({"BG/NBD": BetaGeoModel().fit(cal)}, cal, holdout, t=39.0)
    >>> ax = plot_holdout_deciles(report)
    >>> ax.get_xlabel(), ax.get_ylabel()
    ('mean predicted purchases (decile)', 'mean actual purchases')
    """
    ax = get_ax(ax)
    if models is None:
        models = list(report.summary.index[report.summary["kind"] == "model"])
    d = report.deciles
    top = float(max(d["actual"].max(), d.loc[d["model"].isin(models), "predicted"].max()))
    ax.plot([0, top], [0, top], color="grey", linestyle=":", label=tr("perfect"))
    kwargs.setdefault("marker", "o")
    for name in models:
        sub = d[d["model"] == name]
        ax.plot(sub["predicted"], sub["actual"], label=word(name), **kwargs)
    ax.legend()
    ax.set(xlabel=tr("mean predicted purchases (decile)"), ylabel=tr("mean actual purchases"),
           title=tr("Decile calibration on the holdout"))
    return ax
