"""Chapter 4 figures: PLS path diagram, SERVQUAL gaps, NPS, Kano and the complaint iceberg."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from crmlab.plotting._axes import get_ax
from crmlab.plotting._label_words import word
from crmlab.plotting._labels import concept, tr

__all__ = [
    "plot_complaint_iceberg",
    "plot_ipma",
    "plot_kano",
    "plot_nps",
    "plot_path_diagram",
    "plot_servqual_gaps",
    "plot_simple_slopes",
]


def _layered_layout(pred: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """Place constructs left to right by causal depth, spread vertically within a layer."""
    names = list(pred.index)
    depth = dict.fromkeys(names, 0)
    mat = pred.to_numpy() != 0
    for _ in names:  # longest-path depth; at most len(names) relaxations
        for j, name in enumerate(names):
            parents = [names[i] for i in np.flatnonzero(mat[:, j])]
            if parents:
                depth[name] = 1 + max(depth[p] for p in parents)
    pos = {}
    for d in sorted(set(depth.values())):
        layer = [n for n in names if depth[n] == d]
        for k, name in enumerate(layer):
            pos[name] = (1.3 * d, (len(layer) - 1) / 2 - k)
    return pos


def plot_path_diagram(
    model: Any,
    *,
    layout: Mapping[str, tuple[float, float]] | None = None,
    decimals: int = 2,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Draw a fitted PLS path model: constructs as boxes, paths as arrows labelled with coefficients.

    Chapter 4. Reflective constructs are rounded blue boxes, formative (Mode B) ones square orange
    boxes marked "(formative)", interaction constructs grey jagged boxes marked "(interaction)",
    placed between their two constructs unless ``layout`` places them.

    Parameters
    ----------
    model : PLSPathModel
        A fitted model (uses ``path_coefficients_``, ``paths_`` and ``r2_``).
    layout : mapping of str to (float, float), optional
        Position of each construct; default :data:`crmlab.satisfaction.ECSI_LAYOUT` when the
        constructs are the ECSI ones, else a left-to-right layout by causal depth.
    decimals : int, default=2
        Decimals of the printed coefficients and R².
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new (7, 4) figure if omitted.
    **kwargs
        Passed to the ``ax.text`` call that draws each construct box.

    Returns
    -------
    matplotlib.axes.Axes

    See Also
    --------
    crmlab.satisfaction.PLSPathModel
    """
    from crmlab.satisfaction.ecsi import ECSI_LAYOUT

    ax = get_ax(ax, figsize=(7.0, 4.0))
    names = list(model.path_coefficients_.index)
    modes = getattr(model, "modes_", pd.Series(dtype=object))
    inter = getattr(model, "interactions_", pd.DataFrame(columns=["iv", "moderator"]))
    inter_names = {f"{row.iv}*{row.moderator}": row for row in inter.itertuples(index=False)}
    plain = [n for n in names if n not in inter_names]
    if layout is None:
        layout = ECSI_LAYOUT if set(plain) == set(ECSI_LAYOUT) else _layered_layout(model.path_coefficients_)
    layout = dict(layout)
    for name, row in inter_names.items():  # an interaction sits between its two constructs, unless placed
        if name not in layout:
            (xa, ya), (xb, yb) = layout[row.iv], layout[row.moderator]
            layout[name] = ((xa + xb) / 2 + 0.3, (ya + yb) / 2 - 0.5)
    r2 = model.r2_
    label_box = {"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none"}
    for row in model.paths_.itertuples(index=False):  # one arrow per path (a dozen), not per customer
        (x0, y0), (x1, y1) = layout[row.source], layout[row.target]
        ax.annotate(
            "",
            xy=(x1, y1),
            xytext=(x0, y0),
            arrowprops={"arrowstyle": "-|>", "color": "0.35", "shrinkA": 24, "shrinkB": 24, "lw": 1.2},
        )
        ax.text(
            0.55 * x0 + 0.45 * x1,
            0.55 * y0 + 0.45 * y1,
            f"{row.coefficient:.{decimals}f}",
            ha="center",
            va="center",
            fontsize=8,
            color="tab:red",
            bbox=label_box,
        )
    box = {"boxstyle": "round,pad=0.4", "fc": "#dbe9f6", "ec": "#2b6a9e"}
    formative = {"boxstyle": "square,pad=0.4", "fc": "#fde2c8", "ec": "#b35806"}
    interaction = {"boxstyle": "sawtooth,pad=0.4", "fc": "0.92", "ec": "0.4"}
    for name in names:
        shown = "*".join(word(part) for part in name.split("*"))  # an interaction is named "iv*moderator"
        label = shown if name not in r2.index else f"{shown}\nR²={r2[name]:.{decimals}f}"
        style = box
        if name in inter_names:
            style, label = interaction, f"{label}\n{tr('(interaction)')}"
        elif modes.get(name) == "B":
            style, label = formative, f"{label}\n{tr('(formative)')}"
        ax.text(*layout[name], label, ha="center", va="center", fontsize=8, bbox=style, **kwargs)
    xs, ys = zip(*(layout[n] for n in names), strict=True)
    ax.set(
        xlim=(min(xs) - 0.6, max(xs) + 0.6),
        ylim=(min(ys) - 0.6, max(ys) + 0.6),
        title=concept("PLS path model: path coefficients and R²", "PLS path modelling"),
    )
    ax.set_axis_off()
    return ax


def plot_servqual_gaps(result: Any, *, weighted: bool = False, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Horizontal bars of the SERVQUAL gap (P − E) of each dimension.

    Chapter 4.

    Parameters
    ----------
    result : ServqualResult
        Output of :func:`crmlab.satisfaction.servqual_gaps`.
    weighted : bool, default=False
        Plot the importance-weighted gaps instead of the raw ones.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure if omitted.
    **kwargs
        Passed to ``ax.barh``.

    Returns
    -------
    matplotlib.axes.Axes

    See Also
    --------
    crmlab.satisfaction.servqual_gaps

    Examples
    --------
    >>> from crmlab.satisfaction import make_servqual_survey, servqual_gaps
    >>> ax = plot_servqual_gaps(servqual_gaps(make_servqual_survey(200, random_state=0)))
    >>> len(ax.patches)
    5
    """
    ax = get_ax(ax)
    dims = result.dimensions
    values = dims["weighted_gap" if weighted else "gap"]
    kwargs.setdefault("color", np.where(values < 0, "tab:red", "tab:green"))
    ax.barh([word(d) for d in dims.index[::-1]], values[::-1], **kwargs)
    ax.axvline(0, color="0.3", lw=0.8)
    ax.set(
        xlabel=tr("weighted gap") if weighted else tr("mean gap (perception − expectation)"),
        title=concept("SERVQUAL gaps (overall {overall:+.2f}, weighted {weighted:+.2f})", "SERVQUAL").format(
            overall=result.overall_gap, weighted=result.weighted_gap),
    )
    return ax


def plot_nps(results: Any, *, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Stacked shares of detractors, passives and promoters with the NPS and its interval.

    Chapter 4.

    Parameters
    ----------
    results : NPSResult or mapping of str to NPSResult
        One result, or several labelled results (one bar each).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure if omitted.
    **kwargs
        Passed to ``ax.barh``.

    Returns
    -------
    matplotlib.axes.Axes

    See Also
    --------
    crmlab.satisfaction.net_promoter_score

    Examples
    --------
    >>> from crmlab.satisfaction import net_promoter_score
    >>> ax = plot_nps(net_promoter_score([10, 9, 9, 8, 7, 3, 10, 6, 9, 10]))
    >>> ax.get_xlabel()
    'share of respondents'
    """
    ax = get_ax(ax)
    res = dict(results) if isinstance(results, Mapping) else {"all": results}
    labels = list(res)[::-1]
    shown = [word(k) for k in labels]
    left = np.zeros(len(labels))
    for part, color in (("detractors", "tab:red"), ("passives", "0.75"), ("promoters", "tab:green")):
        share = np.array([getattr(res[k], part) for k in labels])
        ax.barh(shown, share, left=left, color=color, label=word(part), **kwargs)
        left += share
    for y, k in enumerate(labels):
        r = res[k]
        ax.text(1.02, y, f"NPS {r.nps:+.0f} [{r.lower:+.0f}, {r.upper:+.0f}]", va="center", fontsize=8)
    ax.set(xlim=(0, 1.45), xlabel=tr("share of respondents"),
           title=concept("Net Promoter Score with confidence interval", "Net Promoter Score (NPS)"))
    ax.legend(loc="lower right", fontsize=7)
    return ax


def plot_kano(summary: pd.DataFrame, *, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Kano better/worse diagram: satisfaction gained if present vs lost if absent.

    Chapter 4.

    Parameters
    ----------
    summary : pandas.DataFrame
        Output of :func:`crmlab.satisfaction.kano_summary` (``better``, ``worse``, ``category``).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure if omitted.
    **kwargs
        Passed to ``ax.scatter``.

    Returns
    -------
    matplotlib.axes.Axes

    See Also
    --------
    crmlab.satisfaction.kano_summary

    Examples
    --------
    >>> from crmlab.satisfaction import kano_classify, kano_summary, make_kano_responses
    >>> ax = plot_kano(kano_summary(kano_classify(make_kano_responses(100, random_state=0))))
    >>> ax.get_xlabel()
    '|worse| (dissatisfaction if absent)'
    """
    ax = get_ax(ax)
    x, y = -summary["worse"].to_numpy(), summary["better"].to_numpy()
    ax.scatter(x, y, **kwargs)
    for name, xi, yi, cat in zip(summary.index, x, y, summary["category"], strict=True):
        ax.annotate(f"{word(name)} ({word(cat)})", (xi, yi), textcoords="offset points", xytext=(4, 4), fontsize=8)
    ax.axhline(0.5, color="0.6", lw=0.8, ls="--")
    ax.axvline(0.5, color="0.6", lw=0.8, ls="--")
    for tx, ty, txt in (
        (0.02, 0.95, "attractive"),
        (0.98, 0.95, "one-dimensional"),
        (0.98, 0.03, "must-be"),
        (0.02, 0.03, "indifferent"),
    ):
        ax.text(tx, ty, word(txt), transform=ax.transAxes, ha="left" if tx < 0.5 else "right", fontsize=8, color="0.4")
    ax.set(
        xlim=(0, 1),
        ylim=(0, 1),
        xlabel=tr("|worse| (dissatisfaction if absent)"),
        ylabel=tr("better (satisfaction if present)"),
        title=concept("Kano better-worse diagram", "Kano model"),
    )
    return ax


def plot_complaint_iceberg(iceberg: Any, n_unhappy: int, *, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Draw the complaint iceberg: expected complaints above the waterline, silent unhappy below.

    Chapter 4.

    Parameters
    ----------
    iceberg : ComplaintIceberg
        Gives the complaint rate.
    n_unhappy : int
        Number of dissatisfied customers.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure if omitted.
    **kwargs
        Passed to ``ax.bar``.

    Returns
    -------
    matplotlib.axes.Axes

    See Also
    --------
    crmlab.complaints.ComplaintIceberg

    Examples
    --------
    >>> from crmlab.complaints import ComplaintIceberg
    >>> ax = plot_complaint_iceberg(ComplaintIceberg(), 1000)
    >>> ax.get_title()
    'Complaint iceberg (投诉冰山): 1000 unhappy customers, rate 4%'
    """
    ax = get_ax(ax)
    above = iceberg.expected_complaints(n_unhappy)
    below = n_unhappy - above
    kwargs.setdefault("width", 0.5)
    ax.bar([0], [above], color="white", edgecolor="tab:blue", **kwargs)
    ax.bar([0], [-below], color="#9ecae1", edgecolor="tab:blue", **kwargs)
    ax.axhline(0, color="tab:blue", lw=2)
    ax.text(0.3, above, tr("{n:.0f} complain").format(n=above), va="bottom", fontsize=9)
    ax.text(0.3, -below / 2, tr("{n:.0f} unhappy\ncustomers stay silent").format(n=below), va="center", fontsize=9)
    ax.set(
        xlim=(-0.5, 1.3),
        ylim=(-1.08 * below, max(above, 0.1 * below) * 1.6),
        xticks=[],
        ylabel=tr("customers (waterline = 0)"),
        title=concept("Complaint iceberg: {n} unhappy customers, rate {rate:.0%}", "complaint iceberg").format(
            n=n_unhappy, rate=iceberg.complaint_rate),
    )
    return ax


def plot_simple_slopes(
    model: Any,
    iv: str,
    moderator: str,
    target: str,
    *,
    levels: tuple[float, ...] = (-1.0, 0.0, 1.0),
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    r"""Draw the simple slopes of a PLS interaction: the effect of ``iv`` on ``target`` by moderator level.

    Chapter 5: is satisfaction worth less for loyalty when switching costs are high ("hostages")?

    Parameters
    ----------
    model : PLSPathModel
        A fitted model with the interaction ``(iv, moderator)`` pointing at ``target``.
    iv, moderator, target : str
        The moderated path ``iv -> target`` and its moderator.
    levels : tuple of float, default=(-1, 0, 1)
        Moderator values in standard deviations.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new (5, 3.5) figure if omitted.
    **kwargs
        Passed to every ``ax.plot`` line.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If the model has no such interaction.

    Notes
    -----
    With standardized scores the predicted target is
    :math:`\hat y = (\beta_X + \gamma m)\,x + \beta_M m`, where :math:`\gamma` is the
    interaction per unit of the product of standardized scores (``product_coefficient`` of
    ``model.interactions_``), not the path of the standardized product.

    Examples
    --------
    A synthetic survey whose true slopes are 0.65, 0.45 and 0.25 at -1, 0 and +1 SD of switching cost:

    >>> import matplotlib.pyplot as plt
    >>> from crmlab.plotting import plot_simple_slopes
    >>> from crmlab.satisfaction import PLSPathModel
    >>> from crmlab.synth.pls_surveys import make_pls_survey
    >>> s = make_pls_survey(500, random_state=1)
    >>> model = PLSPathModel(s.blocks, s.paths, modes=s.modes, interactions=s.interactions).fit(s.items)
    >>> ax = plot_simple_slopes(model, "Satisfaction", "SwitchingCost", "Loyalty")
    >>> ax.get_legend_handles_labels()[1]
    ['SwitchingCost -1 SD: slope 0.66', 'SwitchingCost +0 SD: slope 0.47', 'SwitchingCost +1 SD: slope 0.27']
    >>> plt.close(ax.figure)
    """
    table = model.interactions_
    hit = table[(table["iv"] == iv) & (table["moderator"] == moderator) & (table["target"] == target)]
    if hit.empty:
        raise ValueError(
            f"plot_simple_slopes(): the model has no interaction {iv}*{moderator} -> {target}; "
            f"its interactions are {list(zip(table['iv'], table['moderator'], table['target'], strict=True))}."
        )
    b = model.path_coefficients_
    gamma = float(hit["product_coefficient"].iloc[0])
    ax = get_ax(ax, figsize=(5.0, 3.5))
    x = np.linspace(-2, 2, 5)
    for level in levels:  # one line per moderator level (three)
        slope = b.loc[iv, target] + gamma * level
        label = tr("{moderator} {level:+.0f} SD: slope {slope:.2f}").format(
            moderator=word(moderator), level=level, slope=slope)
        ax.plot(x, slope * x + b.loc[moderator, target] * level, label=label, **kwargs)
    ax.axhline(0, color="0.8", lw=0.8)
    ax.set(xlabel=tr("{iv} (standardized score)").format(iv=word(iv)),
           ylabel=tr("predicted {target} (standardized)").format(target=word(target)),
           title=tr("Simple slopes: {iv} -> {target} by {moderator}").format(
               iv=word(iv), target=word(target), moderator=word(moderator)))
    ax.legend(fontsize=8)
    return ax


def plot_ipma(table: pd.DataFrame, *, target: str = "target", ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Draw an importance–performance map: importance across, 0–100 performance up, one point per driver.

    Chapter 4: drivers in the lower right (important, performing below average) are fixed first.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`crmlab.satisfaction.ipma.ipma` (columns ``importance`` and ``performance``).
    target : str, default="target"
        Name of the outcome, for the title.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new (5.5, 3.5) figure if omitted.
    **kwargs
        Passed to ``ax.scatter``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> from crmlab.plotting import plot_ipma
    >>> table = pd.DataFrame({"importance": [0.79, 0.11], "performance": [72.5, 62.4]},
    ...                      index=pd.Index(["Satisfaction", "Value"], name="driver"))
    >>> ax = plot_ipma(table, target="Loyalty")
    >>> ax.get_title(), [label.get_text() for label in ax.texts]
    ('Importance-performance map: Loyalty', ['Satisfaction', 'Value'])
    >>> plt.close(ax.figure)
    """
    ax = get_ax(ax, figsize=(5.5, 3.5))
    ax.scatter(table["importance"], table["performance"], **{"s": 40, "color": "#2b6a9e", **kwargs})
    for name, row in table.iterrows():  # one label per driver (a handful)
        ax.annotate(word(name), (row["importance"], row["performance"]), textcoords="offset points", xytext=(5, 4),
                    fontsize=8)
    ax.axvline(table["importance"].mean(), color="0.7", lw=0.8, ls="--")
    ax.axhline(table["performance"].mean(), color="0.7", lw=0.8, ls="--")
    ax.set(xlabel=tr("importance (unstandardized total effect on {target})").format(target=word(target)),
           ylabel=tr("performance (0-100)"),
           title=tr("Importance-performance map: {target}").format(target=word(target)))
    return ax
