"""Chapter 3 figures for RFM: the R × F heat map, realised bin sizes, segment sizes."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from crmlab._validation import check_columns, check_frame
from crmlab.plotting._axes import get_ax
from crmlab.plotting._label_words import word
from crmlab.plotting._labels import tr

__all__ = ["plot_rfm_bin_sizes", "plot_rfm_heatmap", "plot_rfm_segments"]


def plot_rfm_heatmap(
    scores: pd.DataFrame, *, value: pd.Series | None = None, ax: Axes | None = None, **kwargs: Any
) -> Axes:
    """Draw customers per (R, F) score cell as a heat map, counts written in the cells.

    Chapter 3: where the customers sit on the recency × frequency grid behind the named segments.

    Parameters
    ----------
    scores : pandas.DataFrame
        Output of :func:`crmlab.rfm.rfm_scores` (int columns ``R`` and ``F``).
    value : pandas.Series, optional
        A per-customer value (same index) to average per cell instead of counting,
        e.g. the monetary value.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if omitted.
    **kwargs
        Passed to ``ax.imshow`` (e.g. ``cmap``).

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    TypeError, ValueError
        If ``scores`` is not a DataFrame with columns ``R`` and ``F``.

    See Also
    --------
    crmlab.rfm.rfm_scores : the scores drawn here.

    Examples
    --------
    >>> import pandas as pd
    >>> from crmlab.rfm import rfm_scores
    >>> s = pd.DataFrame({"time_since_last": [1, 5, 9, 30], "n_purchases": [4, 1, 1, 1],
    ...                   "mean_value": [20.0, 10.0, 15.0, 5.0]})
    >>> ax = plot_rfm_heatmap(rfm_scores(s, n_bins=4))
    >>> ax.get_xlabel(), ax.get_ylabel()
    ('R score (5 = most recent)', 'F score (5 = most frequent)')
    """
    caller = "plot_rfm_heatmap"
    check_frame(scores, caller=caller, name="scores")
    check_columns(scores, ["R", "F"], caller=caller, name="scores")
    n = int(max(scores["R"].max(), scores["F"].max()))
    levels = range(1, n + 1)
    if value is None:
        grid = pd.crosstab(scores["F"], scores["R"]).reindex(index=levels, columns=levels, fill_value=0)
        fmt, label = "{:.0f}", tr("customers")
    else:
        grid = pd.Series(np.asarray(value, dtype=float), index=scores.index).groupby(
            [scores["F"], scores["R"]]).mean().unstack().reindex(index=levels, columns=levels)
        fmt, label = "{:.1f}", tr("mean value")
    ax = get_ax(ax)
    image = ax.imshow(grid.to_numpy(dtype=float), origin="lower", **{"cmap": "Blues", **kwargs})
    for (i, j), v in np.ndenumerate(grid.to_numpy(dtype=float)):
        if np.isfinite(v):
            ax.text(j, i, fmt.format(v), ha="center", va="center", fontsize=7)
    ax.figure.colorbar(image, ax=ax, label=label)
    ax.set_xticks(range(n), [str(v) for v in levels])
    ax.set_yticks(range(n), [str(v) for v in levels])
    ax.set(xlabel=tr("R score (5 = most recent)"), ylabel=tr("F score (5 = most frequent)"),
           title=tr("RFM grid: {label}").format(label=label))
    return ax


def plot_rfm_bin_sizes(bin_sizes: pd.DataFrame, *, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Draw the share of customers in each R, F and M score as grouped bars.

    Chapter 3. Equal fifths would all reach the dashed line; ties move customers between bins.

    Parameters
    ----------
    bin_sizes : pandas.DataFrame
        Output of :func:`crmlab.rfm.rfm_bin_sizes`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if omitted.
    **kwargs
        Passed to ``ax.bar``.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    TypeError, ValueError
        If ``bin_sizes`` lacks the ``*_share`` columns.

    See Also
    --------
    crmlab.rfm.rfm_bin_sizes : the numbers drawn here.

    Examples
    --------
    >>> import pandas as pd
    >>> from crmlab.rfm import rfm_bin_sizes
    >>> ax = plot_rfm_bin_sizes(rfm_bin_sizes(pd.DataFrame({"R": [1, 2, 2], "F": [1, 1, 1], "M": [2, 2, 1]})))
    >>> ax.get_xlabel()
    'Score'
    """
    caller = "plot_rfm_bin_sizes"
    check_frame(bin_sizes, caller=caller, name="bin_sizes")
    check_columns(bin_sizes, ["R_share", "F_share", "M_share"], caller=caller, name="bin_sizes")
    ax = get_ax(ax)
    pos = np.arange(len(bin_sizes))
    for offset, col in zip((-0.27, 0.0, 0.27), ("R", "F", "M"), strict=True):
        ax.bar(pos + offset, bin_sizes[f"{col}_share"], width=0.27, label=col, **kwargs)
    ax.axhline(1 / len(bin_sizes), color="grey", linestyle="--", linewidth=1)
    ax.set_xticks(pos, [str(v) for v in bin_sizes.index])
    ax.legend(frameon=False)
    ax.set(xlabel=tr("Score"), ylabel=tr("Share of customers"), title=tr("Realised RFM bin sizes"))
    return ax


def plot_rfm_segments(
    segments: pd.Series, *, value: pd.Series | None = None, ax: Axes | None = None, **kwargs: Any
) -> Axes:
    """Draw customer share (and revenue share, if ``value`` is given) per named segment.

    Chapter 3: the 20/80 rule at segment level — small segments that bring much of the revenue.

    Parameters
    ----------
    segments : pandas.Series
        Segment name per customer (``rfm_segments(...)["segment"]``).
    value : pandas.Series, optional
        Revenue per customer, same index, for a second bar per segment.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if omitted.
    **kwargs
        Passed to ``ax.barh``.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    TypeError
        If ``segments`` is not a pandas Series.

    See Also
    --------
    crmlab.rfm.rfm_segments : the segments drawn here.

    Examples
    --------
    >>> import pandas as pd
    >>> from crmlab.rfm import rfm_segments
    >>> segments = rfm_segments(pd.DataFrame({"R": [5, 1, 3], "F": [5, 1, 3], "M": [4, 2, 3]}))["segment"]
    >>> ax = plot_rfm_segments(segments)
    >>> len(ax.patches)
    3
    """
    if not isinstance(segments, pd.Series):
        raise TypeError(f"plot_rfm_segments(): 'segments' must be a pandas Series; got {type(segments).__name__}.")
    share = segments.value_counts(normalize=True, sort=False)
    share = share[share > 0].sort_values()
    ax = get_ax(ax)
    pos = np.arange(len(share))
    ax.barh(pos + (0.2 if value is not None else 0), share.to_numpy(), height=0.4, label=tr("customers"), **kwargs)
    if value is not None:
        revenue = pd.Series(np.asarray(value, dtype=float), index=segments.index).groupby(
            segments.astype(str)).sum()
        revenue = (revenue / revenue.sum()).reindex(share.index.astype(str)).fillna(0.0)
        ax.barh(pos - 0.2, revenue.to_numpy(), height=0.4, label=tr("revenue"), **kwargs)
        ax.legend(frameon=False, loc="lower right")
    ax.set_yticks(pos, [word(v) for v in share.index])
    ax.set(xlabel=tr("Share"), title=tr("RFM segments"))
    return ax
