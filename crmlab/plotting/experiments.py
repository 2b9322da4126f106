"""Plots for segmentation experiment grids (chapter 8)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from crmlab._validation import check_columns, check_frame
from crmlab.plotting._axes import get_ax
from crmlab.plotting._label_words import word
from crmlab.plotting._labels import tr

__all__ = ["plot_grid_metric"]


def plot_grid_metric(
    summary: pd.DataFrame,
    *,
    x: str,
    metric: str = "ari",
    hue: str | None = None,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Plot a summarised grid metric against one factor, one line per level of another.

    Chapter 8: e.g. mean ARI against noise, one line per feature set, with error
    bars of one standard deviation over seeds.

    Parameters
    ----------
    summary : pandas.DataFrame
        Output of :func:`crmlab.experiments.summarize_grid`, filtered so that each
        (``x``, ``hue``) pair appears once; needs ``<metric>_mean`` and ``<metric>_sd``.
    x : str
        Column on the horizontal axis (e.g. ``"noise"`` or ``"k"``).
    metric : str, default="ari"
        Metric to plot.
    hue : str, optional
        Column whose levels get one line each (e.g. ``"feature_set"``).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new (6, 3.5) figure if omitted.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.errorbar`.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If a column is missing or an (``x``, ``hue``) pair appears more than once
        (filter or summarise by fewer columns first).

    See Also
    --------
    crmlab.experiments.summarize_grid : the numbers drawn here.

    Examples
    --------
    >>> import pandas as pd
    >>> from crmlab.plotting import plot_grid_metric
    >>> s = pd.DataFrame({"noise": [0.0, 0.5, 0.0, 0.5], "feature_set": ["raw", "raw", "log", "log"],
    ...                   "ari_mean": [0.6, 0.3, 0.95, 0.6], "ari_sd": [0.02, 0.05, 0.01, 0.04]})
    >>> ax = plot_grid_metric(s, x="noise", hue="feature_set")
    >>> len(ax.lines) > 0, ax.get_ylabel()
    (True, 'ari (mean ± sd over seeds)')
    """
    caller = "plot_grid_metric"
    check_frame(summary, caller=caller, name="summary")
    keys = [x] if hue is None else [x, hue]
    mean, sd = f"{metric}_mean", f"{metric}_sd"
    check_columns(summary, [*keys, mean], caller=caller, name="summary")
    if summary.duplicated(subset=keys).any():
        raise ValueError(f"{caller}(): 'summary' has several rows per {keys}; filter it or summarise by {keys} only.")
    ax = get_ax(ax)
    groups = [(None, summary)] if hue is None else list(summary.groupby(hue, sort=True))
    for level, part in groups:
        part = part.sort_values(x)
        err = part[sd].to_numpy(dtype=float) if sd in part.columns else None
        if err is not None:
            err = np.nan_to_num(err)
        label = None if hue is None else f"{word(hue)} = {word(level[0] if isinstance(level, tuple) else level)}"
        ax.errorbar(part[x].to_numpy(), part[mean].to_numpy(dtype=float), yerr=err, marker="o", capsize=3,
                    label=label, **kwargs)
    ax.set(xlabel=word(x), ylabel=tr("{metric} (mean ± sd over seeds)").format(metric=word(metric)),
           title=tr("{metric} by {x}").format(metric=word(metric), x=word(x)))
    if hue is not None:
        ax.legend(frameon=False, fontsize="small")
    return ax
