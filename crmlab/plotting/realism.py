"""Chapter 0 figures: generated customers beside real ones."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from crmlab.plotting._axes import get_ax
from crmlab.plotting._label_words import word
from crmlab.plotting._labels import tr

__all__ = ["plot_gap_distributions", "plot_repeat_distributions"]


def plot_repeat_distributions(table: pd.DataFrame, *, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Draw grouped bars of the share of customers by number of purchase days.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`crmlab.synth.realism.compare_repeat_distributions`: index
        ``purchases`` ("1" ... "10+"), one share column per log.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if omitted.
    **kwargs
        Passed to ``ax.bar``.

    Returns
    -------
    matplotlib.axes.Axes

    See Also
    --------
    crmlab.synth.realism.compare_repeat_distributions : the numbers drawn here.

    Examples
    --------
    >>> import pandas as pd
    >>> from crmlab.synth.realism import compare_repeat_distributions
    >>> a = pd.DataFrame({"customer_id": [1, 1, 2], "date": ["2024-01-01", "2024-02-01", "2024-01-02"]})
    >>> ax = plot_repeat_distributions(compare_repeat_distributions({"a": a}, max_count=3))
    >>> len(ax.patches)
    3
    """
    ax = get_ax(ax)
    x = np.arange(len(table))
    width = 0.8 / max(len(table.columns), 1)
    for i, name in enumerate(table.columns):
        offset = (i - (len(table.columns) - 1) / 2) * width
        ax.bar(x + offset, table[name].to_numpy(), width, label=word(name), **kwargs)
    ax.set_xticks(x, [str(v) for v in table.index])
    ax.legend(frameon=False)
    ax.set(xlabel=tr("Distinct purchase days per customer"), ylabel=tr("Share of customers"), title=tr("Repeat buying"))
    return ax


def plot_gap_distributions(
    gaps: dict[str, pd.Series], *, max_days: int = 365, ax: Axes | None = None, **kwargs: Any
) -> Axes:
    """Draw the empirical distribution (ECDF) of days between purchases for several logs.

    Parameters
    ----------
    gaps : dict of str to pandas.Series
        Name -> gaps in days, from :func:`crmlab.synth.realism.inter_purchase_gaps`.
    max_days : int, default=365
        Right end of the x axis.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if omitted.
    **kwargs
        Passed to ``ax.step``.

    Returns
    -------
    matplotlib.axes.Axes

    See Also
    --------
    crmlab.synth.realism.inter_purchase_gaps : the numbers drawn here.

    Examples
    --------
    >>> import pandas as pd
    >>> from crmlab.synth.realism import inter_purchase_gaps
    >>> log = pd.DataFrame({"customer_id": [1, 1, 1, 2],
    ...                     "date": ["2024-01-01", "2024-01-11", "2024-01-31", "2024-01-05"]})
    >>> ax = plot_gap_distributions({"shop": inter_purchase_gaps(log)})
    >>> ax.get_xlabel()
    'Days between purchases'
    """
    ax = get_ax(ax)
    for name, values in gaps.items():
        v = np.sort(np.asarray(values, dtype=float))
        ax.step(v, np.arange(1, len(v) + 1) / max(len(v), 1), where="post", label=word(name), **kwargs)
    ax.set_xlim(0, max_days)
    ax.legend(frameon=False)
    ax.set(xlabel=tr("Days between purchases"), ylabel=tr("Share of gaps (cumulative)"),
           title=tr("Inter-purchase gaps"))
    return ax
