"""Chapter 3 figures for clustering segmentation: choosing k, stability, snake plot, 2-D view."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from crmlab._validation import check_columns, check_frame
from crmlab.plotting._axes import get_ax
from crmlab.plotting._label_words import word
from crmlab.plotting._labels import concept, tr

__all__ = ["plot_choose_k", "plot_segments_2d", "plot_snake", "plot_stability"]

_LOWER_IS_BETTER = {"inertia", "davies_bouldin", "bic"}
_LABELS = {"inertia": "within SS (elbow)", "silhouette": "silhouette", "calinski_harabasz": "Calinski-Harabasz",
           "davies_bouldin": "Davies-Bouldin", "gap": "gap statistic", "bic": "BIC (mixture)"}


def plot_choose_k(
    table: pd.DataFrame, *, criteria: list[str] | None = None, ax: Axes | None = None, **kwargs: Any
) -> Axes:
    """Draw every criterion of a choose-k table on one 0–1 scale (1 = best) against k.

    Chapter 3: the criteria of :func:`crmlab.segmentation.choose_k_table` side by side.

    Each curve is min–max rescaled; "lower is better" criteria (within SS, Davies–Bouldin,
    BIC) are flipped so that up is always better.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`crmlab.segmentation.choose_k_table`.
    criteria : list of str, optional
        Columns to draw; default all known ones present.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if omitted.
    **kwargs
        Passed to ``ax.plot``.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    TypeError, ValueError
        If the table is not a DataFrame with the needed columns (or labels do not match).

    See Also
    --------
    crmlab.segmentation.choose_k_table, crmlab.segmentation.suggest_k

    Examples
    --------
    >>> import numpy as np
    >>> from crmlab.segmentation import choose_k_table
    >>> rng = np.random.default_rng(0)
    >>> X = np.r_[rng.normal(0, 0.3, (30, 2)), rng.normal(4, 0.3, (30, 2)), rng.normal((0, 4), 0.3, (30, 2))]
    >>> ax = plot_choose_k(choose_k_table(X, range(2, 6), n_refs=3, random_state=0))
    >>> ax.get_xlabel()
    'Number of segments k'
    """
    check_frame(table, caller="plot_choose_k", name="table")
    cols = [c for c in _LABELS if c in table.columns] if criteria is None else list(criteria)
    check_columns(table, cols, caller="plot_choose_k", name="table")
    ax = get_ax(ax)
    k = table.index.to_numpy()
    for col in cols:
        y = table[col].to_numpy(dtype=float)
        span = np.nanmax(y) - np.nanmin(y)
        z = (y - np.nanmin(y)) / span if span > 0 else np.ones_like(y)
        ax.plot(k, 1 - z if col in _LOWER_IS_BETTER else z, marker="o", label=tr(_LABELS.get(col, col)), **kwargs)
    ax.set_xticks(k)
    ax.legend(frameon=False, fontsize=7)
    ax.set(xlabel=tr("Number of segments k"), ylabel=tr("Rescaled criterion (1 = best)"), title=tr("Choosing k"))
    return ax


def plot_stability(table: pd.DataFrame, *, chosen: int | None = None, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Draw the mean resampling ARI per k with its 10–90% band, marking the chosen k.

    Chapter 3: a real k is reproduced on every resample; splitting a real segment is not.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`crmlab.segmentation.stability_by_k`.
    chosen : int, optional
        A k to mark (e.g. ``stable_k(table)``).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if omitted.
    **kwargs
        Passed to ``ax.plot``.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    TypeError, ValueError
        If the table is not a DataFrame with the needed columns (or labels do not match).

    See Also
    --------
    crmlab.segmentation.stability_by_k, crmlab.segmentation.stable_k

    Examples
    --------
    >>> import numpy as np
    >>> from crmlab.segmentation import stability_by_k
    >>> rng = np.random.default_rng(1)
    >>> X = np.r_[rng.normal(0, 0.3, (30, 2)), rng.normal(4, 0.3, (30, 2)), rng.normal((0, 4), 0.3, (30, 2))]
    >>> ax = plot_stability(stability_by_k(X, range(2, 6), n_resamples=5, random_state=0), chosen=3)
    >>> ax.get_xlabel()
    'Number of segments k'
    """
    check_frame(table, caller="plot_stability", name="table")
    check_columns(table, ["ari_mean", "ari_q10", "ari_q90"], caller="plot_stability", name="table")
    ax = get_ax(ax)
    k = table.index.to_numpy()
    ax.fill_between(k, table["ari_q10"], table["ari_q90"], alpha=0.25, label=tr("10-90% of resamples"))
    ax.plot(k, table["ari_mean"], marker="o", label=tr("mean ARI"), **kwargs)
    if chosen is not None:
        ax.axvline(chosen, color="grey", linestyle="--", linewidth=1, label=tr("chosen k = {k}").format(k=chosen))
    ax.set_xticks(k)
    ax.legend(frameon=False, fontsize=8, loc="lower left")
    ax.set(xlabel=tr("Number of segments k"), ylabel=tr("Adjusted Rand index"),
           title=concept("Stability under resampling", "cluster stability"))
    return ax


def plot_snake(snake: pd.DataFrame, *, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Draw a snake plot: each segment's mean standardised feature values, one line per segment.

    Chapter 3: each segment read against the average customer (0).

    Parameters
    ----------
    snake : pandas.DataFrame
        Output of :func:`crmlab.segmentation.snake_table` (index segments, columns features).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if omitted.
    **kwargs
        Passed to ``ax.plot``.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    TypeError, ValueError
        If the table is not a DataFrame with the needed columns (or labels do not match).

    See Also
    --------
    crmlab.segmentation.snake_table

    Examples
    --------
    >>> import pandas as pd
    >>> from crmlab.segmentation import snake_table
    >>> features = pd.DataFrame({"recency": [1.0, 2.0, 9.0, 8.0], "frequency": [9.0, 7.0, 1.0, 2.0]})
    >>> ax = plot_snake(snake_table(features, ["loyal", "loyal", "lapsed", "lapsed"]))
    >>> len(ax.lines)
    3
    """
    check_frame(snake, caller="plot_snake", name="snake")
    ax = get_ax(ax)
    pos = np.arange(snake.shape[1])
    for name, row in snake.iterrows():  # one line per segment (a handful), not per customer
        ax.plot(pos, row.to_numpy(dtype=float), marker="o", label=word(name), **kwargs)
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.set_xticks(pos, [word(c) for c in snake.columns])
    ax.legend(frameon=False, fontsize=8)
    ax.set(ylabel=tr("Mean z-score"), title=tr("Snake plot of segments"))
    return ax


def plot_segments_2d(
    projection: pd.DataFrame, labels: Any, *, ax: Axes | None = None, **kwargs: Any
) -> Axes:
    """Scatter customers on two principal components, coloured by segment.

    Chapter 3: a picture of the segments on the two directions of largest spread.

    Parameters
    ----------
    projection : pandas.DataFrame
        Output of :func:`crmlab.segmentation.projection_2d` (columns ``pc1``, ``pc2``).
    labels : array-like of shape (n_customers,)
        Segment of each customer.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if omitted.
    **kwargs
        Passed to ``ax.scatter``.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    TypeError, ValueError
        If the table is not a DataFrame with the needed columns (or labels do not match).

    See Also
    --------
    crmlab.segmentation.projection_2d

    Examples
    --------
    >>> import numpy as np
    >>> from crmlab.segmentation import projection_2d
    >>> X = np.array([[0.0, 0, 1], [1, 0, 0], [0, 2, 0], [3, 1, 1]])
    >>> ax = plot_segments_2d(projection_2d(X), [0, 0, 1, 1])
    >>> ax.get_xlabel().startswith("PC1")
    True
    """
    check_frame(projection, caller="plot_segments_2d", name="projection")
    check_columns(projection, ["pc1", "pc2"], caller="plot_segments_2d", name="projection")
    lab = np.asarray(labels)
    if len(lab) != len(projection):
        raise ValueError(f"plot_segments_2d(): 'labels' must have one entry per row ({len(projection)}); "
                         f"got {len(lab)}.")
    ax = get_ax(ax)
    for name in sorted(pd.unique(lab), key=str):  # one scatter per segment, in snake_table's (sorted) order
        pts = projection[lab == name]
        ax.scatter(pts["pc1"], pts["pc2"], **{"s": 8, "alpha": 0.6, "label": word(name), **kwargs})
    explained = projection.attrs.get("explained", [float("nan")] * 2)
    ax.legend(frameon=False, fontsize=8, markerscale=2)
    ax.set(xlabel=tr("PC1 ({share:.0%} of variance)").format(share=explained[0]),
           ylabel=tr("PC2 ({share:.0%} of variance)").format(share=explained[1]),
           title=tr("Segments in two dimensions"))
    return ax
