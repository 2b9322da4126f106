"""Plots for Chapter 5 (customer loyalty).

Every function draws numbers computed by a public :mod:`crmlab.loyalty` function.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from crmlab._rng import as_generator
from crmlab.plotting._axes import get_ax
from crmlab.plotting._label_words import word
from crmlab.plotting._labels import concept, tr

__all__ = [
    "plot_dick_basu",
    "plot_hostage_effect",
    "plot_ladder_path",
    "plot_loyalty_types",
    "plot_loyalty_weights",
    "plot_programme_comparison",
    "plot_satisfaction_loyalty_curves",
    "plot_share_comparison",
    "plot_switching_matrix",
]


def plot_switching_matrix(
    matrix: pd.DataFrame, *, ax: Axes | None = None, annotate: bool = True, **kwargs: Any
) -> Axes:
    """Draw a brand-switching or ladder transition matrix as an annotated heat map.

    Chapter 5.

    Parameters
    ----------
    matrix : pandas.DataFrame
        Square matrix from :func:`crmlab.loyalty.transition_matrix` or ``LadderChain.to_frame()``.
    ax : matplotlib.axes.Axes or None, default=None
        Axes to draw on; a new figure if None.
    annotate : bool, default=True
        Write each probability in its cell.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.imshow` (e.g. ``cmap``).

    Returns
    -------
    matplotlib.axes.Axes

    See Also
    --------
    crmlab.loyalty.transition_matrix, crmlab.loyalty.LadderChain

    Examples
    --------
    >>> from crmlab.loyalty import LadderChain
    >>> ax = plot_switching_matrix(LadderChain([[0.9, 0.1], [0.3, 0.7]], stages=("a", "b")).to_frame())
    >>> ax.texts[0].get_text()
    '0.90'
    """
    ax = get_ax(ax, figsize=(4.5, 3.8))
    values = matrix.to_numpy(dtype=float)
    kwargs.setdefault("cmap", "Blues")
    ax.imshow(values, vmin=0, vmax=1, **kwargs)
    k = values.shape[0]
    ax.set_xticks(range(k), [word(c) for c in matrix.columns], rotation=30)
    ax.set_yticks(range(k), [word(i) for i in matrix.index])
    if annotate:
        for i in range(k):
            for j in range(k):
                ax.text(j, i, f"{values[i, j]:.2f}", ha="center", va="center",
                        color="white" if values[i, j] > 0.6 else "black", fontsize=8)
    ax.set(xlabel=tr("next"), ylabel=tr("current"), title=tr("Transition probabilities"))
    return ax


def plot_share_comparison(summary: pd.DataFrame, *, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Bar chart of observed versus stationary (steady-state) shares per brand.

    Chapter 5.

    Parameters
    ----------
    summary : pandas.DataFrame
        From :func:`crmlab.loyalty.switching_summary` (columns ``observed_share``, ``stationary_share``).
    ax : matplotlib.axes.Axes or None, default=None
        Axes to draw on.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.bar`.

    Returns
    -------
    matplotlib.axes.Axes

    See Also
    --------
    crmlab.loyalty.switching_summary

    Examples
    --------
    >>> import pandas as pd
    >>> from crmlab.loyalty import switching_summary
    >>> p = pd.DataFrame({"household_id": [1, 1, 1, 2, 2], "choice": ["a", "a", "b", "b", "a"]})
    >>> plot_share_comparison(switching_summary(p)).get_ylabel()
    'market share'
    """
    ax = get_ax(ax)
    x = np.arange(len(summary))
    ax.bar(x - 0.2, summary["observed_share"], width=0.4, label=tr("observed"), **kwargs)
    ax.bar(x + 0.2, summary["stationary_share"], width=0.4, label=tr("stationary"), **kwargs)
    ax.set_xticks(x, [word(i) for i in summary.index])
    ax.legend(frameon=False)
    ax.set(ylabel=tr("market share"), title=concept("Observed vs steady-state shares", "steady state"))
    return ax


def plot_ladder_path(path: pd.DataFrame, *, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Stacked area of the share of customers on each ladder stage over time.

    Chapter 5.

    Parameters
    ----------
    path : pandas.DataFrame
        From ``LadderChain.distribution_path`` (index period, one column per stage), or stage
        shares of a simulated panel.
    ax : matplotlib.axes.Axes or None, default=None
        Axes to draw on.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.stackplot`.

    Returns
    -------
    matplotlib.axes.Axes

    See Also
    --------
    crmlab.loyalty.LadderChain.distribution_path

    Examples
    --------
    >>> from crmlab.loyalty import LadderChain
    >>> chain = LadderChain([[0.5, 0.5], [0.1, 0.9]], stages=("buyer", "advocate"))
    >>> plot_ladder_path(chain.distribution_path("buyer", 10)).get_xlabel()
    'period'
    """
    ax = get_ax(ax)
    ax.stackplot(path.index.to_numpy(), path.to_numpy(dtype=float).T, labels=[word(c) for c in path.columns], **kwargs)
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False, fontsize=8)
    ax.set(xlabel=tr("period"), ylabel=tr("share of customers"), ylim=(0, 1),
           title=concept("The loyalty ladder over time", "loyalty ladder"))
    return ax


def plot_satisfaction_loyalty_curves(curves: pd.DataFrame, *, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Draw the satisfaction–loyalty curves of non-competitive, proportional and competitive markets.

    Chapter 5.

    Parameters
    ----------
    curves : pandas.DataFrame
        From :func:`crmlab.loyalty.satisfaction_loyalty_curves`.
    ax : matplotlib.axes.Axes or None, default=None
        Axes to draw on.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.plot`.

    Returns
    -------
    matplotlib.axes.Axes

    See Also
    --------
    crmlab.loyalty.satisfaction_loyalty_curves

    Examples
    --------
    >>> from crmlab.loyalty import satisfaction_loyalty_curves
    >>> len(plot_satisfaction_loyalty_curves(satisfaction_loyalty_curves()).lines)
    3
    """
    ax = get_ax(ax)
    labels = {"non_competitive": tr("A: non-competitive (no choice)"), "proportional": tr("B: proportional"),
              "competitive": tr("C: highly competitive")}
    for col, label in labels.items():
        ax.plot(curves["satisfaction"], curves[col], label=label, **kwargs)
    ax.legend(frameon=False, fontsize=8)
    ax.set(xlabel=tr("satisfaction"), ylabel=tr("loyalty"), xlim=(0, 1), ylim=(0, 1.02),
           title=concept("Satisfaction vs loyalty by market", "satisfaction-loyalty curve"))
    return ax


def plot_loyalty_types(
    scores: pd.DataFrame,
    *,
    satisfaction_cut: float = 5.5,
    loyalty_cut: float = 5.5,
    jitter: float = 0.15,
    random_state: int = 0,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Quadrant scatter of satisfaction against loyalty, coloured by loyalty type.

    Chapter 5.

    Parameters
    ----------
    scores : pandas.DataFrame
        Columns ``satisfaction``, ``loyalty`` and ``loyalty_type`` (from
        :func:`crmlab.loyalty.classify_loyalty_types`).
    satisfaction_cut, loyalty_cut : float, default=5.5
        Where to draw the quadrant lines (the cuts used to classify).
    jitter : float, default=0.15
        Uniform jitter added to the points so equal ratings do not overlap (display only).
    random_state : int, default=0
        Seed of the jitter.
    ax : matplotlib.axes.Axes or None, default=None
        Axes to draw on.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.scatter`.

    Returns
    -------
    matplotlib.axes.Axes

    See Also
    --------
    crmlab.loyalty.classify_loyalty_types, crmlab.loyalty.loyalty_type_table

    Examples
    --------
    >>> import pandas as pd
    >>> from crmlab.loyalty import classify_loyalty_types
    >>> scores = pd.DataFrame({"satisfaction": [9.0, 2.0, 8.0], "loyalty": [9.0, 8.0, 3.0]})
    >>> scores["loyalty_type"] = classify_loyalty_types(scores["satisfaction"], scores["loyalty"])
    >>> len(plot_loyalty_types(scores).collections)
    3
    """
    ax = get_ax(ax)
    rng = as_generator(random_state, caller="plot_loyalty_types")
    kwargs.setdefault("s", 12)
    kwargs.setdefault("alpha", 0.7)
    types = scores["loyalty_type"]
    for name in (types.cat.categories if isinstance(types.dtype, pd.CategoricalDtype) else sorted(types.unique())):
        sub = scores[types == name]
        if len(sub) == 0:
            continue
        j = rng.uniform(-jitter, jitter, (2, len(sub)))
        ax.scatter(sub["satisfaction"] + j[0], sub["loyalty"] + j[1], label=f"{word(name)} ({len(sub)})", **kwargs)
    ax.axvline(satisfaction_cut, color="grey", lw=0.8)
    ax.axhline(loyalty_cut, color="grey", lw=0.8)
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False, fontsize=8)
    ax.set(xlabel=tr("satisfaction"), ylabel=tr("loyalty"), title=tr("Satisfaction-loyalty types"))
    return ax


def plot_hostage_effect(
    result: Any, *, switching_costs: tuple[float, ...] = (2.0, 9.0), satisfaction_range: tuple[float, float] = (1, 10),
    ax: Axes | None = None, **kwargs: Any,
) -> Axes:
    """Predicted loyalty against satisfaction at low and high switching cost (simple slopes).

    Chapter 5.

    Parameters
    ----------
    result : HostageEffect
        From :func:`crmlab.loyalty.hostage_effect`.
    switching_costs : tuple of float, default=(2.0, 9.0)
        Switching-cost levels to draw one line each.
    satisfaction_range : tuple of float, default=(1, 10)
        Satisfaction axis range.
    ax : matplotlib.axes.Axes or None, default=None
        Axes to draw on.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.plot`.

    Returns
    -------
    matplotlib.axes.Axes

    See Also
    --------
    crmlab.loyalty.hostage_effect

    Examples
    --------
    >>> from crmlab.loyalty import hostage_effect, make_switching_cost_survey
    >>> res = hostage_effect(make_switching_cost_survey(200, random_state=0))
    >>> len(plot_hostage_effect(res).lines)
    2
    """
    ax = get_ax(ax)
    s = np.linspace(*satisfaction_range, 50)
    for c in switching_costs:
        label = tr("switching cost {cost:g} (slope {slope:.2f})").format(cost=c, slope=result.slope_at(c))
        ax.plot(s, result.predict(s, c), label=label, **kwargs)
    ax.legend(frameon=False, fontsize=8)
    ax.set(xlabel=tr("satisfaction"), ylabel=tr("predicted loyalty"), title=tr("The hostage effect"))
    return ax


def plot_dick_basu(table: pd.DataFrame, *, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Draw Dick and Basu's 2 × 2 matrix with the count of customers in each cell.

    Chapter 5.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`crmlab.loyalty.dick_basu_table`.
    ax : matplotlib.axes.Axes or None, default=None
        Axes to draw on.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.imshow`.

    Returns
    -------
    matplotlib.axes.Axes

    See Also
    --------
    crmlab.loyalty.dick_basu_table

    Examples
    --------
    >>> from crmlab.loyalty import dick_basu_table
    >>> ax = plot_dick_basu(dick_basu_table([9, 9, 1, 1], [0.9, 0.1, 0.9, 0.1], attitude_cut=5, behaviour_cut=0.5))
    >>> ax.texts[0].get_text().splitlines()
    ['true loyalty', '1']
    """
    ax = get_ax(ax, figsize=(4.5, 3.5))
    values = table.to_numpy(dtype=float)
    kwargs.setdefault("cmap", "Greens")
    ax.imshow(values, **kwargs)
    names = [["true loyalty", "latent loyalty"], ["spurious loyalty", "no loyalty"]]
    for i in range(2):
        for j in range(2):
            dark = values[i, j] > values.min() + 0.6 * (values.max() - values.min())
            ax.text(j, i, f"{word(names[i][j])}\n{int(values[i, j])}", ha="center", va="center", fontsize=9,
                    color="white" if dark else "black")
    ax.set_xticks([0, 1], [word("high"), word("low")])
    ax.set_yticks([0, 1], [word("high"), word("low")])
    ax.set(xlabel=tr("repeat patronage (behaviour)"), ylabel=tr("relative attitude"),
           title=concept("Dick & Basu loyalty matrix", "Dick and Basu loyalty matrix"))
    return ax


def plot_programme_comparison(
    comparison: pd.DataFrame, *, measure: str = "net_profit", ax: Axes | None = None, **kwargs: Any
) -> Axes:
    """Draw bars of a measure per strategy, simulated next to expected.

    Chapter 5.

    Parameters
    ----------
    comparison : pandas.DataFrame
        From :func:`crmlab.loyalty.compare_programme_vs_price_cut`.
    measure : str, default="net_profit"
        One of customers_end, revenue, cost, profit, replacement_cost, net_profit.
    ax : matplotlib.axes.Axes or None, default=None
        Axes to draw on.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.bar`.

    Returns
    -------
    matplotlib.axes.Axes

    See Also
    --------
    crmlab.loyalty.compare_programme_vs_price_cut

    Examples
    --------
    >>> from crmlab.loyalty import ProgrammeScenario, compare_programme_vs_price_cut
    >>> out = compare_programme_vs_price_cut(ProgrammeScenario(n_customers=100), random_state=0)
    >>> plot_programme_comparison(out).get_ylabel()
    'net profit'
    """
    ax = get_ax(ax)
    x = np.arange(len(comparison))
    ax.bar(x - 0.2, comparison[f"{measure}_sim"], width=0.4, label=tr("simulated"), **kwargs)
    ax.bar(x + 0.2, comparison[f"{measure}_expected"], width=0.4, label=tr("expected"), **kwargs)
    ax.set_xticks(x, [word(i) for i in comparison.index])
    ax.legend(frameon=False)
    ax.set(ylabel=word(measure.replace("_", " ")), title=tr("Loyalty programme vs price cut"))
    return ax


def plot_loyalty_weights(weights: Any, *, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Horizontal bars of the weight of each indicator in the loyalty index.

    Chapter 5.

    Parameters
    ----------
    weights : pandas.Series or LoyaltyIndex
        ``LoyaltyIndex.weights_`` or a fitted :class:`crmlab.loyalty.LoyaltyIndex`.
    ax : matplotlib.axes.Axes or None, default=None
        Axes to draw on.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.barh`.

    Returns
    -------
    matplotlib.axes.Axes

    See Also
    --------
    crmlab.loyalty.LoyaltyIndex

    Examples
    --------
    >>> import pandas as pd
    >>> from crmlab.loyalty import LoyaltyIndex
    >>> X = pd.DataFrame({"repeat_purchases": [0.0, 2.0, 5.0], "referrals": [3.0, 2.0, 9.0]})
    >>> len(plot_loyalty_weights(LoyaltyIndex("pca").fit(X)).patches)
    2
    """
    w = weights.weights_ if hasattr(weights, "weights_") else pd.Series(weights)
    ax = get_ax(ax)
    ax.barh([word(i) for i in w.index], w.to_numpy(dtype=float), **kwargs)
    ax.invert_yaxis()
    ax.set(xlabel=tr("weight in the index"), title=tr("Loyalty index weights"))
    return ax
