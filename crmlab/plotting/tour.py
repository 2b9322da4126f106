"""Chapter 0 figures: one picture per shipped dataset."""

from __future__ import annotations

from typing import Any

from matplotlib.axes import Axes

from crmlab.plotting._axes import get_ax
from crmlab.plotting._label_words import word
from crmlab.plotting._labels import tr
from crmlab.tour import dataset_overview

__all__ = ["plot_dataset_overview"]

_LABELS = {
    "cdnow_master": ("Week since 1 Jan 1997", "Purchases", "CDNOW: purchases per week"),
    "donations": ("Years with a repeat gift (of 6)", "Donors", "Donations: repeat giving"),
    "sbg_retention": ("Years since joining", "% still subscribed", "Subscription cohort survival"),
    "mobi": ("Survey item", "Mean rating (1-10)", "ECSI mobile survey: item means"),
    "yogurt": ("Brand", "Share of purchases", "Yogurt panel: brand shares"),
}


def plot_dataset_overview(name: str, *, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Draw the Chapter 0 overview figure of dataset ``name``.

    Parameters
    ----------
    name : str
        One of :data:`crmlab.tour.TOUR_DATASETS`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if omitted.
    **kwargs
        Passed to the main drawing call (``ax.plot`` or ``ax.bar``).

    Returns
    -------
    matplotlib.axes.Axes

    See Also
    --------
    crmlab.tour.dataset_overview : the numbers drawn here.

    Examples
    --------
    >>> ax = plot_dataset_overview("cdnow_master")
    >>> ax.get_title()
    'CDNOW: purchases per week'
    """
    data = dataset_overview(name)
    ax = get_ax(ax)
    xlabel, ylabel, title = (tr(text) for text in _LABELS[name])
    if name == "cdnow_master":
        ax.plot(data.index, data["purchases"], **kwargs)
    elif name == "donations":
        ax.bar(data.index, data["donors"], **kwargs)
    elif name == "sbg_retention":
        ax.plot(data.index, data["regular"], marker="o", label=tr("regular"), **kwargs)
        ax.plot(data.index, data["high_end"], marker="s", label=tr("high end"))
        ax.legend(frameon=False)
    elif name == "mobi":
        ax.bar(range(len(data)), data["mean_rating"], **kwargs)
        ax.set_xticks(range(len(data)), data.index, rotation=90, fontsize=7)
    else:
        ax.bar([word(brand) for brand in data.index], data["share"], **kwargs)
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    return ax
