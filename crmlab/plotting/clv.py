"""Plots for chapter 6 (customer lifetime value and BTYD models).

Every function draws a table returned by a public function of
:mod:`crmlab.clv` (the numbers can be inspected there).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from crmlab.plotting._axes import get_ax
from crmlab.plotting._label_words import word
from crmlab.plotting._labels import concept, tr

__all__ = [
    "plot_calibration_holdout",
    "plot_cumulative_transactions",
    "plot_frequency_recency_matrix",
    "plot_incremental_transactions",
    "plot_mixing_distributions",
    "plot_period_transactions",
    "plot_probability_alive_calibration",
    "plot_probability_alive_history",
    "plot_probability_alive_matrix",
]


def _heatmap(matrix: pd.DataFrame, ax: Axes | None, title: str, label: str, **kwargs: Any) -> Axes:
    ax = get_ax(ax)
    rec = matrix.columns.to_numpy(dtype=float)
    freq = matrix.index.to_numpy(dtype=float)
    kwargs.setdefault("cmap", "viridis")
    mesh = ax.imshow(np.ma.masked_invalid(matrix.to_numpy(dtype=float)), origin="lower", aspect="auto",
                     extent=(rec[0], rec[-1], freq[0] - 0.5, freq[-1] + 0.5), **kwargs)
    ax.figure.colorbar(mesh, ax=ax, label=label)
    ax.set(xlabel=tr("recency (age at last purchase)"), ylabel=tr("frequency (repeat purchases)"), title=title)
    return ax


def plot_frequency_recency_matrix(matrix: pd.DataFrame, *, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Draw expected future purchases over frequency × recency.

    Chapter 6.

    Parameters
    ----------
    matrix : pandas.DataFrame
        From :func:`crmlab.clv.frequency_recency_matrix`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; default a new figure.
    **kwargs
        Passed to ``ax.imshow``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from crmlab.clv import BetaGeoModel, frequency_recency_matrix
    >>> from crmlab.datasets import load_cdnow_summary
    >>> model = BetaGeoModel().fit(load_cdnow_summary())
    >>> ax = plot_frequency_recency_matrix(frequency_recency_matrix(model, t=52, max_frequency=10))
    >>> ax.get_xlabel(), ax.get_ylabel()
    ('recency (age at last purchase)', 'frequency (repeat purchases)')
    """
    return _heatmap(matrix, ax, tr("Expected future purchases"), tr("expected purchases"), **kwargs)


def plot_probability_alive_matrix(matrix: pd.DataFrame, *, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Draw P(alive) over frequency × recency.

    Chapter 6.

    Parameters
    ----------
    matrix : pandas.DataFrame
        From :func:`crmlab.clv.probability_alive_matrix`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on.
    **kwargs
        Passed to ``ax.imshow``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from crmlab.clv import BetaGeoModel, probability_alive_matrix
    >>> from crmlab.datasets import load_cdnow_summary
    >>> model = BetaGeoModel().fit(load_cdnow_summary())
    >>> ax = plot_probability_alive_matrix(probability_alive_matrix(model, max_frequency=10))
    >>> ax.get_title()
    'Probability a customer is still active (存活概率)'
    """
    kwargs.setdefault("vmin", 0.0)
    kwargs.setdefault("vmax", 1.0)
    title = concept("Probability a customer is still active", "probability alive (P(alive))")
    return _heatmap(matrix, ax, title, tr("P(alive)"), **kwargs)


def _bars(table: pd.DataFrame, cols: tuple[str, str], labels: tuple[str, str], ax: Axes | None,
          ylabel: str, title: str, **kwargs: Any) -> Axes:
    ax = get_ax(ax)
    pos = np.arange(len(table))
    ax.bar(pos - 0.2, table[cols[0]], width=0.4, label=labels[0], **kwargs)
    ax.bar(pos + 0.2, table[cols[1]], width=0.4, label=labels[1])
    ax.set_xticks(pos, table.index.astype(str))
    ax.legend()
    ax.set(xlabel=word(table.index.name), ylabel=ylabel, title=title)
    return ax


def plot_period_transactions(table: pd.DataFrame, *, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Draw the number of customers by repeat purchases: actual vs model.

    Chapter 6.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`crmlab.clv.frequency_distribution`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on.
    **kwargs
        Passed to the "actual" ``ax.bar``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from crmlab.clv import BetaGeoModel, frequency_distribution
    >>> from crmlab.datasets import load_cdnow_summary
    >>> data = load_cdnow_summary()
    >>> ax = plot_period_transactions(frequency_distribution(BetaGeoModel().fit(data), data))
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['actual', 'model']
    """
    return _bars(table, ("actual", "model"), (tr("actual"), tr("model")), ax, tr("customers"),
                 tr("Repeat purchases in the calibration period"), **kwargs)


def plot_calibration_holdout(table: pd.DataFrame, *, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Draw mean holdout purchases by calibration frequency: actual vs predicted.

    Chapter 6.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`crmlab.clv.calibration_holdout_table`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on.
    **kwargs
        Passed to the "actual" ``ax.plot``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from crmlab.clv import BetaGeoModel, calibration_holdout_table
    >>> from crmlab.datasets import load_cdnow_holdout, load_cdnow_summary
    >>> model = BetaGeoModel().fit(load_cdnow_summary())
    >>> ax = plot_calibration_holdout(calibration_holdout_table(model, load_cdnow_holdout()))
    >>> len(ax.lines)
    2
    """
    ax = get_ax(ax)
    pos = np.arange(len(table))
    ax.plot(pos, table["actual"], marker="o", label=tr("actual"), **kwargs)
    ax.plot(pos, table["predicted"], marker="s", linestyle="--", label=tr("model"))
    ax.set_xticks(pos, table.index.astype(str))
    ax.legend()
    ax.set(xlabel=tr("purchases in calibration period"), ylabel=tr("mean purchases in holdout"),
           title=concept("Calibration vs holdout", "calibration and holdout periods"))
    return ax


def _tracking(table: pd.DataFrame, column: str, actual: pd.Series | None, calibration_end: float | None,
              ax: Axes | None, ylabel: str, title: str, **kwargs: Any) -> Axes:
    ax = get_ax(ax)
    if actual is not None:
        ax.plot(actual.index.to_numpy(dtype=float), actual.to_numpy(dtype=float), label=tr("actual"), **kwargs)
    ax.plot(table["time"], table[column], linestyle="--", label=tr("model"))
    if calibration_end is not None:
        ax.axvline(calibration_end, color="grey", linestyle=":", label=tr("end of calibration"))
    ax.legend()
    ax.set(xlabel=tr("time"), ylabel=ylabel, title=title)
    return ax


def plot_cumulative_transactions(table: pd.DataFrame, *, actual: pd.Series | None = None,
                                 calibration_end: float | None = None, ax: Axes | None = None,
                                 **kwargs: Any) -> Axes:
    """Draw the cohort's cumulative repeat transactions over time: model (and actual).

    Chapter 6.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`crmlab.clv.expected_cumulative_transactions`.
    actual : pandas.Series, optional
        Actual cumulative transactions indexed by time.
    calibration_end : float, optional
        Draw a vertical line here.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on.
    **kwargs
        Passed to the "actual" ``ax.plot``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from crmlab.clv import BetaGeoModel, expected_cumulative_transactions
    >>> from crmlab.datasets import load_cdnow_summary
    >>> data = load_cdnow_summary()
    >>> path = expected_cumulative_transactions(BetaGeoModel().fit(data), data, horizon=78)
    >>> ax = plot_cumulative_transactions(path, calibration_end=39)
    >>> ax.get_xlabel()
    'time'
    """
    return _tracking(table, "cumulative", actual, calibration_end, ax, tr("cumulative repeat transactions"),
                     tr("Tracking cumulative transactions"), **kwargs)


def plot_incremental_transactions(table: pd.DataFrame, *, actual: pd.Series | None = None,
                                  calibration_end: float | None = None, ax: Axes | None = None,
                                  **kwargs: Any) -> Axes:
    """Draw the cohort's repeat transactions per period: model (and actual).

    Chapter 6.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`crmlab.clv.expected_cumulative_transactions`.
    actual : pandas.Series, optional
        Actual transactions per period, indexed by time.
    calibration_end : float, optional
        Draw a vertical line here.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on.
    **kwargs
        Passed to the "actual" ``ax.plot``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from crmlab.clv import BetaGeoModel, expected_cumulative_transactions
    >>> from crmlab.datasets import load_cdnow_summary
    >>> data = load_cdnow_summary()
    >>> path = expected_cumulative_transactions(BetaGeoModel().fit(data), data, horizon=78)
    >>> ax = plot_incremental_transactions(path, calibration_end=39)
    >>> ax.get_xlabel()
    'time'
    """
    return _tracking(table, "incremental", actual, calibration_end, ax, tr("repeat transactions per period"),
                     tr("Tracking transactions per period"), **kwargs)


def plot_probability_alive_history(history: pd.DataFrame, *, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Draw one customer's P(alive) over time, with her purchases marked.

    Chapter 6.

    Parameters
    ----------
    history : pandas.DataFrame
        From :func:`crmlab.clv.probability_alive_history`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on.
    **kwargs
        Passed to ``ax.plot``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from crmlab.clv import BetaGeoModel, probability_alive_history
    >>> from crmlab.datasets import load_cdnow_summary
    >>> model = BetaGeoModel().fit(load_cdnow_summary())
    >>> ax = plot_probability_alive_history(probability_alive_history(model, [5.0, 12.0], T=40.0))
    >>> ax.get_ylabel()
    'P(alive)'
    """
    ax = get_ax(ax)
    ax.plot(history["time"], history["p_alive"], **kwargs)
    buys = history.loc[history["frequency"].diff().fillna(0) > 0, "time"]
    for t in buys:
        ax.axvline(t, color="grey", linestyle=":", linewidth=1)
    ax.set(xlabel=tr("time since first purchase"), ylabel=tr("P(alive)"), ylim=(0, 1.05),
           title=concept("P(alive) history (dotted lines: purchases)", "probability alive (P(alive))"))
    return ax


def plot_mixing_distributions(densities: pd.DataFrame, *, ax: Axes | None = None, **kwargs: Any) -> Axes:
    r"""Draw a model's heterogeneity distributions on a log scale, one curve each.

    Chapter 6. Gamma and beta mixing densities with shape below 1 are infinite
    at zero, so each curve shows the density of the *logarithm* of the value,
    :math:`x f(x)`, against :math:`x` on a log axis: the area under each curve
    is 1 and rates and probabilities share one readable axis.

    Parameters
    ----------
    densities : pandas.DataFrame
        From :func:`crmlab.clv.mixing_distributions`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on.
    **kwargs
        Passed to each ``ax.plot``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from crmlab.clv import BetaGeoModel, mixing_distributions
    >>> from crmlab.datasets import load_cdnow_summary
    >>> model = BetaGeoModel().fit(load_cdnow_summary())
    >>> ax = plot_mixing_distributions(mixing_distributions(model))
    >>> ax.get_xscale(), len(ax.lines)
    ('log', 2)
    """
    ax = get_ax(ax)
    for label, g in densities.groupby("distribution", sort=True):
        ax.plot(g["value"], g["value"] * g["density"], label=word(label), **kwargs)
    ax.set_xscale("log")
    ax.legend(fontsize="small")
    ax.set(xlabel=tr("value (log scale)"), ylabel=tr("density of log value, x f(x)"),
           title=tr("How customers differ (mixing distributions)"))
    return ax


def plot_probability_alive_calibration(table: pd.DataFrame, *, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Draw predicted P(alive) against the true share alive, with ±2 standard errors.

    Chapter 6.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`crmlab.clv.probability_alive_calibration`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on.
    **kwargs
        Passed to ``ax.errorbar``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import numpy as np
    >>> from crmlab.clv import probability_alive_calibration
    >>> rng = np.random.default_rng(0)
    >>> p = rng.uniform(size=500)
    >>> ax = plot_probability_alive_calibration(probability_alive_calibration(p, rng.uniform(size=500) < p))
    >>> ax.get_xlabel()
    'predicted P(alive)'
    """
    ax = get_ax(ax)
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":", label=tr("perfect calibration"))
    kwargs.setdefault("marker", "o")
    ax.errorbar(table["predicted"], table["observed"], yerr=2 * table["std_error"], linestyle="none",
                label=tr("bins of customers"), **kwargs)
    ax.legend()
    ax.set(xlabel=tr("predicted P(alive)"), ylabel=tr("share truly alive"), xlim=(0, 1), ylim=(0, 1.02),
           title=concept("Is P(alive) calibrated?", "probability alive (P(alive))"))
    return ax
