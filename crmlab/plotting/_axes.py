"""Shared helper: get the Axes to draw on."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.axes import Axes

from crmlab.plotting import _labels


def get_ax(ax: Axes | None, figsize: tuple[float, float] = (6.0, 3.5)) -> Axes:
    """Return ``ax`` or a new Axes on a new figure of ``figsize``, ready to draw Chinese text.

    A title may carry a lecture's Chinese term even in English (see
    :func:`crmlab.plotting._labels.concept`), and axes made before the CJK font
    was registered keep their old font list, so the CJK fallback font is added
    to the title and axis labels here.
    """
    if ax is None:
        _labels.cjk_font()  # registered first, so the new figure's texts fall back to it
        _, ax = plt.subplots(figsize=figsize)
    _labels.add_cjk_fallback(ax)
    return ax
