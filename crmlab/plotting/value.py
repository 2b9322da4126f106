"""Plots for chapter 2 (customer value): the Lorenz curve and the customer value matrix."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from crmlab.plotting._axes import get_ax
from crmlab.plotting._label_words import word
from crmlab.plotting._labels import concept, tr

__all__ = ["plot_lorenz_curve", "plot_value_matrix"]

_QUADRANT_COLOURS = {"core": "tab:red", "maintain": "tab:orange", "develop": "tab:blue", "minimise": "tab:gray"}


def plot_lorenz_curve(
    curve: pd.DataFrame,
    *,
    label: str | None = None,
    mark_top: float | None = 0.2,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Draw a Lorenz curve (from :func:`crmlab.value.lorenz_curve`) with the line of equality.

    Chapter 2.

    Parameters
    ----------
    curve : pandas.DataFrame
        Output of :func:`crmlab.value.lorenz_curve` (``customer_share``, ``revenue_share``).
    label : str, optional
        Legend label of the curve.
    mark_top : float or None, default=0.2
        Mark the revenue share of this top share of customers (the "20" of 80/20); ``None`` for no mark.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new 6 × 3.5 figure otherwise. Call again with the same ``ax`` to compare
        customer bases.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.plot` for the curve.

    Returns
    -------
    matplotlib.axes.Axes

    See Also
    --------
    crmlab.value.lorenz_curve, crmlab.value.revenue_concentration

    Examples
    --------
    >>> from crmlab.value import lorenz_curve
    >>> ax = plot_lorenz_curve(lorenz_curve([1, 1, 2, 8]), label="shop")
    >>> ax.get_xlabel()
    'share of customers (smallest first)'
    """
    ax = get_ax(ax)
    x = curve["customer_share"].to_numpy()
    y = curve["revenue_share"].to_numpy()
    line = ax.plot(x, y, label=label, **kwargs)[0]
    ax.plot([0, 1], [0, 1], color="black", linestyle=":", linewidth=1)
    if mark_top is not None:
        share = 1.0 - float(np.interp(1.0 - mark_top, x, y))
        ax.plot([1 - mark_top, 1 - mark_top], [0, 1 - share], color=line.get_color(), linestyle="--", linewidth=1)
        ax.annotate(
            tr("top {top:.0%}: {share:.0%} of revenue").format(top=mark_top, share=share),
            xy=(1 - mark_top, 1 - share),
            xytext=(0.05, 0.85 - 0.1 * (len(ax.get_lines()) // 3 - 1)),
            color=line.get_color(),
            arrowprops={"arrowstyle": "->", "color": line.get_color()},
        )
    ax.set(xlabel=tr("share of customers (smallest first)"), ylabel=tr("share of revenue"), xlim=(0, 1), ylim=(0, 1),
           title=concept("Lorenz curve of customer revenue", "Lorenz curve"))
    if label is not None:
        ax.legend(loc="upper left", bbox_to_anchor=(0.0, 0.7), frameon=False)
    return ax


def plot_value_matrix(
    matrix: pd.DataFrame,
    *,
    current_col: str = "current_value",
    potential_col: str = "potential_value",
    log: bool = False,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Scatter customers in the value matrix (from :func:`crmlab.value.customer_value_matrix`).

    Chapter 2. Each point is a customer, coloured by quadrant; dashed lines are the thresholds.

    Parameters
    ----------
    matrix : pandas.DataFrame
        Output of :func:`crmlab.value.customer_value_matrix`.
    current_col, potential_col : str
        The value columns used to build it.
    log : bool, default=False
        Log-scale axes (revenue is skewed; zeros are then left out of the picture).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.scatter`.

    Returns
    -------
    matplotlib.axes.Axes

    See Also
    --------
    crmlab.value.customer_value_matrix

    Examples
    --------
    >>> import pandas as pd
    >>> from crmlab.value import customer_value_matrix
    >>> df = pd.DataFrame({"current_value": [900, 800, 50, 20], "potential_value": [700, 10, 600, 5]})
    >>> ax = plot_value_matrix(customer_value_matrix(df))
    >>> ax.get_xlabel()
    'current value'
    """
    ax = get_ax(ax)
    kwargs.setdefault("s", 8)
    kwargs.setdefault("alpha", 0.6)
    for quadrant, colour in _QUADRANT_COLOURS.items():
        part = matrix[matrix["quadrant"] == quadrant]
        ax.scatter(part[current_col], part[potential_col], color=colour, label=f"{word(quadrant)} ({len(part)})",
                   **kwargs)
    cuts = matrix.attrs.get("thresholds", {})
    if current_col in cuts:
        ax.axvline(cuts[current_col], color="black", linestyle="--", linewidth=1)
    if potential_col in cuts:
        ax.axhline(cuts[potential_col], color="black", linestyle="--", linewidth=1)
    if log:
        ax.set_xscale("log")
        ax.set_yscale("log")
    ax.set(xlabel=word(current_col.replace("_", " ")), ylabel=word(potential_col.replace("_", " ")),
           title=concept("Customer value matrix", "customer value matrix"))
    ax.legend(loc="best", fontsize="small", frameon=False)
    return ax
