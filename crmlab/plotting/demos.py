"""Figures for the live demonstrations (crmlab.widgets): drawn without pyplot, shown as PNG.

The demos redraw one figure each time a control moves, so they use a bare
``matplotlib.figure.Figure`` (never registered with pyplot: no figure piles
up, nothing is shown twice by the inline backend) and hand the front-end a
PNG of it.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from crmlab._validation import check_columns, check_frame
from crmlab.plotting._axes import get_ax
from crmlab.plotting._label_words import word
from crmlab.plotting._labels import concept, tr

__all__ = [
    "demo_axes",
    "figure_png",
    "plot_disconfirmation_point",
    "plot_probability_alive_curve",
    "plot_retention_clv_curve",
]


def demo_axes(figsize: tuple[float, float] = (6.0, 3.5)) -> Axes:
    """Return an Axes on a new figure that pyplot does not track.

    The figure is closed by garbage collection, so interactive demos can redraw
    many times without piling up open pyplot figures.

    Parameters
    ----------
    figsize : tuple of float, default=(6.0, 3.5)
        Figure width and height in inches.

    Returns
    -------
    matplotlib.axes.Axes
        The single axes of the new figure.

    Examples
    --------
    >>> ax = demo_axes((4.0, 3.0))
    >>> [float(x) for x in ax.figure.get_size_inches()]
    [4.0, 3.0]
    """
    return Figure(figsize=figsize, layout="constrained").add_subplot()


def figure_png(ax: Axes, *, dpi: int = 100) -> bytes:
    """Return the PNG bytes of the figure holding ``ax``.

    No timestamp or software metadata is written, so the same figure gives the
    same bytes.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Any axes of the figure to render.
    dpi : int, default=100
        Resolution in dots per inch.

    Returns
    -------
    bytes
        The PNG file's content.

    Examples
    --------
    >>> ax = demo_axes((2.0, 1.0))
    >>> png = figure_png(ax, dpi=50)
    >>> png[1:4] == b"PNG" and png == figure_png(ax, dpi=50)
    True
    """
    buf = io.BytesIO()
    ax.figure.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()


def plot_retention_clv_curve(curve: pd.DataFrame, retention: float, clv: float, *, ax: Axes | None = None,
                             **kwargs: Any) -> Axes:
    """Draw retention-based CLV against the retention rate and mark the chosen rate.

    Chapter 6.

    Parameters
    ----------
    curve : pandas.DataFrame
        Index ``retention``, one column ``clv`` (e.g. from :func:`crmlab.clv.clv_sensitivity`).
    retention, clv : float
        The point to mark.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure's axes by default.
    **kwargs
        Passed to ``ax.plot`` for the curve.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Examples
    --------
    >>> import pandas as pd
    >>> curve = pd.DataFrame({"clv": [10.0, 20.0, 40.0]}, index=pd.Index([0.5, 0.7, 0.9], name="retention"))
    >>> ax = plot_retention_clv_curve(curve, 0.7, 20.0, ax=demo_axes())
    >>> len(ax.lines), ax.get_xlabel()  # the curve and the marked point
    (2, 'retention rate per period')
    """
    check_frame(curve, caller="plot_retention_clv_curve", name="curve")
    check_columns(curve, ["clv"], caller="plot_retention_clv_curve", name="curve")
    ax = get_ax(ax)
    ax.plot(curve.index.to_numpy(dtype=float), curve["clv"].to_numpy(dtype=float), **kwargs)
    ax.plot([retention], [clv], "o", color="tab:red")
    ax.annotate(f"r = {retention:.2f}\nCLV = {clv:,.1f}", (retention, clv), xytext=(-8, 8),
                textcoords="offset points", ha="right", fontsize=9)
    ax.set(xlabel=tr("retention rate per period"), ylabel="CLV",
           title=concept("Retention → CLV: the curve steepens as retention rises", "customer lifetime value (CLV)"))
    return ax


def plot_disconfirmation_point(table: pd.DataFrame, *, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Draw perceived and expected value as bars, with the ratio and the state in the title.

    Chapter 4.

    Parameters
    ----------
    table : pandas.DataFrame
        One row of :func:`crmlab.satisfaction.disconfirmation` output.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure's axes by default.
    **kwargs
        Passed to ``ax.bar``.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"perceived": [8.0], "expected": [6.0], "ratio": [8.0 / 6.0], "difference": [2.0],
    ...                       "state": ["delighted"]})  # a row of crmlab.satisfaction.disconfirmation
    >>> ax = plot_disconfirmation_point(table, ax=demo_axes())
    >>> len(ax.patches), ax.get_title()
    (2, 'P / E = 1.33, P − E = +2.0: delighted')
    """
    check_frame(table, caller="plot_disconfirmation_point", name="table")
    check_columns(table, ["perceived", "expected", "ratio", "difference", "state"],
                  caller="plot_disconfirmation_point", name="table")
    row = table.iloc[0]
    ax = get_ax(ax)
    colors = {"dissatisfied": "tab:red", "satisfied": "0.6", "delighted": "tab:green"}
    ax.bar([tr("expected"), tr("perceived")], [row["expected"], row["perceived"]],
           color=["0.8", colors.get(str(row["state"]), "tab:blue")], **kwargs)
    ax.axhline(row["expected"], color="0.4", ls="--", lw=1)
    ax.set(ylabel=tr("value"), ylim=(0, 1.2 * max(row["expected"], row["perceived"], 1e-9)),
           title=f"P / E = {row['ratio']:.2f}, P − E = {row['difference']:+.1f}: {word(row['state'])}")
    return ax


def plot_probability_alive_curve(curve: pd.DataFrame, recency: float, p_alive: float, *,
                                 frequency: int | None = None, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Draw P(alive) against recency for one frequency and mark the chosen customer.

    Chapter 6.

    Parameters
    ----------
    curve : pandas.DataFrame
        Index ``recency``, column ``p_alive``.
    recency, p_alive : float
        The customer to mark.
    frequency : int, optional
        Her repeat purchases, named in the title.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure's axes by default.
    **kwargs
        Passed to ``ax.plot`` for the curve.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Examples
    --------
    >>> import pandas as pd
    >>> curve = pd.DataFrame({"p_alive": [1.0, 0.6, 0.2]}, index=pd.Index([0.0, 10.0, 20.0], name="recency"))
    >>> ax = plot_probability_alive_curve(curve, 10.0, 0.6, ax=demo_axes())
    >>> len(ax.lines), ax.texts[0].get_text()
    (2, 'P(alive) = 0.600')
    """
    check_frame(curve, caller="plot_probability_alive_curve", name="curve")
    check_columns(curve, ["p_alive"], caller="plot_probability_alive_curve", name="curve")
    ax = get_ax(ax)
    ax.plot(curve.index.to_numpy(dtype=float), curve["p_alive"].to_numpy(dtype=float), **kwargs)
    ax.plot([recency], [p_alive], "o", color="tab:red")
    ax.annotate(f"P(alive) = {p_alive:.3f}", (recency, p_alive), xytext=(6, -14), textcoords="offset points",
                fontsize=9)
    ax.set(ylim=(-0.02, 1.02), xlim=(0, float(np.max(curve.index.to_numpy(dtype=float)))),
           xlabel=tr("recency: time of the last purchase"), ylabel=tr("P(alive)"),
           title=tr("P(alive) against recency")
           + ("" if frequency is None else tr(", {n} repeat purchases").format(n=frequency)))
    return ax
