"""Chapter 7 figures: the accumulation effect, share and profit paths, customer equity."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from crmlab._validation import check_columns, check_frame, check_in_choices
from crmlab.plotting._axes import get_ax
from crmlab.plotting._label_words import word
from crmlab.plotting._labels import concept, tr

__all__ = [
    "plot_accumulation_table",
    "plot_customer_base",
    "plot_equity_sensitivity",
    "plot_relative_size",
    "plot_share_paths",
]

_WHAT = {"share": ("share_A", "share_B", "Share of served customers"),
         "customers": ("A", "B", "Customers"),
         "profit": ("profit_A", "profit_B", "Profit per period")}


def plot_accumulation_table(table: pd.DataFrame, *, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Draw the two-store table: bars for A and B, with B/A written above each pair.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`crmlab.accumulation.accumulation_table` (either basis).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if omitted.
    **kwargs
        Passed to ``ax.bar`` (both bar series).

    Returns
    -------
    matplotlib.axes.Axes

    See Also
    --------
    crmlab.accumulation.accumulation_table : the numbers drawn here.

    Examples
    --------
    >>> from crmlab.accumulation import accumulation_table
    >>> ax = plot_accumulation_table(accumulation_table())
    >>> len(ax.patches)
    12
    """
    check_frame(table, caller="plot_accumulation_table", name="table")
    basis = "customers" if "A_customers" in table.columns else "profit"
    a_col, b_col = f"A_{basis}", f"B_{basis}"
    check_columns(table, [a_col, b_col, "relative_size"], caller="plot_accumulation_table", name="table")
    ax = get_ax(ax)
    pos = np.arange(len(table))
    ax.bar(pos - 0.2, table[a_col], width=0.4, label=tr("store A"), **kwargs)
    ax.bar(pos + 0.2, table[b_col], width=0.4, label=tr("store B"), **kwargs)
    for p, b, ratio in zip(pos, table[b_col], table["relative_size"], strict=True):
        ax.annotate(f"{ratio:.2f}", (p + 0.2, b), ha="center", va="bottom", fontsize=8)
    ax.margins(y=0.1)
    ax.set_xticks(pos, [f"{v:g}" for v in table.index])
    ax.legend(frameon=False, loc="upper left")
    ax.set(xlabel=tr("Customers A has lost to B"), ylabel=tr("Customers" if basis == "customers" else "Profit"),
           title=concept("Customer accumulation effect (labels: B/A)", "customer accumulation effect"))
    return ax


def plot_share_paths(
    path: pd.DataFrame,
    *,
    what: str = "share",
    simulated: pd.DataFrame | None = None,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Draw A's and B's expected path of share, customers or profit, with a band of simulated paths.

    Parameters
    ----------
    path : pandas.DataFrame
        Output of :meth:`crmlab.accumulation.AccumulationChain.expected_path`.
    what : {"share", "customers", "profit"}, default="share"
        Quantity to draw.
    simulated : pandas.DataFrame, optional
        Output of :meth:`~crmlab.accumulation.AccumulationChain.simulate`; the
        band between the 5th and 95th percentile of the paths is shaded.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if omitted.
    **kwargs
        Passed to ``ax.plot`` for the two expected paths.

    Returns
    -------
    matplotlib.axes.Axes

    See Also
    --------
    crmlab.accumulation.AccumulationChain : the numbers drawn here.

    Examples
    --------
    >>> from crmlab.accumulation import AccumulationChain
    >>> chain = AccumulationChain.from_rates(retention=(0.80, 0.90), switching=0.05, acquisition=0.10)
    >>> ax = plot_share_paths(chain.expected_path([100, 100, 800], periods=20))
    >>> ax.get_xlabel()
    'Period'
    """
    caller = "plot_share_paths"
    what = check_in_choices(what, "what", list(_WHAT), caller=caller)
    a_col, b_col, label = _WHAT[what]
    check_frame(path, caller=caller, name="path")
    check_columns(path, [a_col, b_col], caller=caller, name="path")
    ax = get_ax(ax)
    if simulated is not None:
        check_columns(simulated, ["path", "period", a_col, b_col], caller=caller, name="simulated")
        bands = simulated.groupby("period")[[a_col, b_col]].quantile([0.05, 0.95]).unstack()
        for col, colour in ((a_col, "C0"), (b_col, "C1")):
            ax.fill_between(bands.index, bands[(col, 0.05)], bands[(col, 0.95)], color=colour, alpha=0.2,
                            linewidth=0)
    ax.plot(path.index, path[a_col], color="C0", label=tr("store A (expected)"), **kwargs)
    ax.plot(path.index, path[b_col], color="C1", label=tr("store B (expected)"), **kwargs)
    ax.legend(frameon=False)
    label = tr(label)
    title = tr("{what}: A and B over time").format(what=label)
    title += "" if simulated is None else tr(" (band: 90% of simulations)")
    ax.set(xlabel=tr("Period"), ylabel=label, title=title)
    return ax


def plot_relative_size(path: pd.DataFrame, *, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Draw the relative size B/A over time, with the parity line at 1.

    Parameters
    ----------
    path : pandas.DataFrame
        Output of :meth:`~crmlab.accumulation.AccumulationChain.expected_path`
        (a ``relative_size`` column indexed by period).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if omitted.
    **kwargs
        Passed to ``ax.plot``.

    Returns
    -------
    matplotlib.axes.Axes

    See Also
    --------
    crmlab.accumulation.AccumulationChain.expected_path : the numbers drawn here.

    Examples
    --------
    >>> from crmlab.accumulation import AccumulationChain
    >>> chain = AccumulationChain.from_rates(retention=(0.80, 0.90), switching=0.05, acquisition=0.10)
    >>> ax = plot_relative_size(chain.expected_path([100, 100, 800], periods=20))
    >>> ax.get_xlabel()
    'Period'
    """
    check_frame(path, caller="plot_relative_size", name="path")
    check_columns(path, ["relative_size"], caller="plot_relative_size", name="path")
    ax = get_ax(ax)
    ax.plot(path.index, path["relative_size"], **kwargs)
    ax.axhline(1.0, color="grey", linewidth=0.8, linestyle="--")
    ax.set(xlabel=tr("Period"), ylabel=tr("B / A"), title=tr("Relative size of B to A"))
    return ax


def plot_customer_base(path: pd.DataFrame, *, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Draw a customer base path N(t) and its steady state.

    Parameters
    ----------
    path : pandas.DataFrame
        Output of :func:`crmlab.accumulation.customer_base_path`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if omitted.
    **kwargs
        Passed to ``ax.plot`` (use ``label=`` to compare several paths).

    Returns
    -------
    matplotlib.axes.Axes

    See Also
    --------
    crmlab.accumulation.customer_base_path : the numbers drawn here.

    Examples
    --------
    >>> from crmlab.accumulation import customer_base_path
    >>> ax = plot_customer_base(customer_base_path(1000, 0.8, 100, periods=20))
    >>> ax.get_xlabel()
    'Period'
    """
    check_frame(path, caller="plot_customer_base", name="path")
    check_columns(path, ["customers", "steady_state"], caller="plot_customer_base", name="path")
    ax = get_ax(ax)
    (line,) = ax.plot(path.index, path["customers"], **kwargs)
    steady = path["steady_state"].iloc[0]
    if np.isfinite(steady):
        ax.axhline(steady, color=line.get_color(), linewidth=0.8, linestyle="--")
    if "label" in kwargs:
        ax.legend(frameon=False)
    ax.set(xlabel=tr("Period"), ylabel=tr("Customers"),
           title=concept("Customer base N(t+1) = r N(t) + a", "customer-base dynamics"))
    return ax


def plot_equity_sensitivity(sensitivity: pd.DataFrame, *, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Draw the % change of customer equity for a 1 % improvement of each lever.

    Parameters
    ----------
    sensitivity : pandas.DataFrame
        Output of :meth:`crmlab.accumulation.CustomerEquity.sensitivity`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if omitted.
    **kwargs
        Passed to ``ax.barh``.

    Returns
    -------
    matplotlib.axes.Axes

    See Also
    --------
    crmlab.accumulation.CustomerEquity.sensitivity : the numbers drawn here.

    Examples
    --------
    >>> from crmlab.accumulation import CustomerEquity
    >>> ax = plot_equity_sensitivity(CustomerEquity(retention=0.8, discount_rate=0.1).sensitivity())
    >>> len(ax.patches)
    4
    """
    check_frame(sensitivity, caller="plot_equity_sensitivity", name="sensitivity")
    check_columns(sensitivity, ["value_change_pct"], caller="plot_equity_sensitivity", name="sensitivity")
    ax = get_ax(ax)
    data = sensitivity["value_change_pct"].iloc[::-1]
    labels = [word(str(v).replace("_", " ")) for v in data.index]
    ax.barh(labels, data.to_numpy(), **kwargs)
    for y, v in enumerate(data.to_numpy()):
        ax.annotate(f"{v:.2f}%", (v, y), va="center", ha="left", fontsize=8, xytext=(3, 0),
                    textcoords="offset points")
    ax.margins(x=0.15)
    ax.set(xlabel=tr("Change in customer equity (%)"), title=tr("Which lever moves firm value?"))
    return ax
