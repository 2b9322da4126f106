"""Shared helper: get the Axes to draw on."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.axes import Axes


def get_ax(ax: Axes | None, figsize: tuple[float, float] = (6.0, 3.5)) -> Axes:
    """Return ``ax`` or a new Axes on a new figure of ``figsize``."""
    if ax is not None:
        return ax
    _, new_ax = plt.subplots(figsize=figsize)
    return new_ax
