"""Satisfaction versus loyalty: market curves and loyalty types.

Chapter 5. Satisfaction (满意度) and loyalty (忠诚度) move together only where
customers can leave easily: in a fiercely competitive market only the delighted
stay, while behind high switching costs (转换成本) even unhappy customers stay —
as hostages (囚禁者). The switching-cost moderation itself is in
:mod:`crmlab.loyalty.hostage`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from crmlab._validation import check_columns, check_frame, check_int, check_no_missing, check_number

__all__ = [
    "FOUR_TYPES",
    "SIX_TYPES",
    "classify_loyalty_types",
    "loyalty_type_table",
    "satisfaction_loyalty_curves",
    "satisfaction_loyalty_scores",
]

#: Four types of lecture 002 (satisfaction high/low × loyalty high/low).
FOUR_TYPES: tuple[str, ...] = ("apostle", "mercenary", "hostage", "defector")
#: Six types of lecture 004: the extremes of the apostle and defector corners are split off.
SIX_TYPES: tuple[str, ...] = ("enthusiast", "loyalist", "mercenary", "hostage", "defector", "terrorist")


def _scores(values: Any, name: str, scale: tuple[float, float], caller: str) -> np.ndarray:
    arr = np.asarray(values.to_numpy() if isinstance(values, pd.Series) else values, dtype=float).ravel()
    if np.isnan(arr).any():
        raise ValueError(f"{caller}(): '{name}' has {int(np.isnan(arr).sum())} missing value(s); fill or remove them.")
    low, high = scale
    bad = (arr < low) | (arr > high)
    if bad.any():
        raise ValueError(
            f"{caller}(): '{name}' must lie on the scale {low:g}..{high:g}; {int(bad.sum())} value(s) are out of "
            f"range (first: {[float(v) for v in arr[bad][:5]]}). Check the scale= argument or the data."
        )
    return arr


def satisfaction_loyalty_scores(
    survey: pd.DataFrame,
    *,
    satisfaction_items: Sequence[str] = ("CUSA1", "CUSA2", "CUSA3"),
    loyalty_items: Sequence[str] = ("CUSL1", "CUSL2", "CUSL3"),
    scale: tuple[float, float] = (1, 10),
) -> pd.DataFrame:
    """Average survey items into one satisfaction and one loyalty score per respondent.

    Chapter 5 (uses the ECSI items of Chapter 4).

    Parameters
    ----------
    survey : pandas.DataFrame
        One row per respondent with the item columns.
    satisfaction_items : sequence of str, default=("CUSA1", "CUSA2", "CUSA3")
        Satisfaction items (ECSI names).
    loyalty_items : sequence of str, default=("CUSL1", "CUSL2", "CUSL3")
        Loyalty items (ECSI names).
    scale : tuple of float, default=(1, 10)
        Lowest and highest possible answer; values outside raise.

    Returns
    -------
    pandas.DataFrame
        Same index as ``survey``; columns ``satisfaction`` and ``loyalty`` (item means).

    Raises
    ------
    ValueError
        Missing item columns, missing values or answers outside ``scale``.

    See Also
    --------
    classify_loyalty_types, loyalty_type_table

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"CUSA1": [8, 2], "CUSL1": [9, 3]})
    >>> satisfaction_loyalty_scores(s, satisfaction_items=["CUSA1"], loyalty_items=["CUSL1"]).to_numpy().tolist()
    [[8.0, 9.0], [2.0, 3.0]]
    """
    caller = "satisfaction_loyalty_scores"
    check_frame(survey, caller=caller, name="survey")
    items = [*satisfaction_items, *loyalty_items]
    check_columns(survey, items, caller=caller, name="survey")
    check_no_missing(survey, items, caller=caller, name="survey")
    for item in items:
        _scores(survey[item], item, scale, caller)
    return pd.DataFrame(
        {
            "satisfaction": survey[list(satisfaction_items)].mean(axis=1).astype(float),
            "loyalty": survey[list(loyalty_items)].mean(axis=1).astype(float),
        },
        index=survey.index,
    )


def satisfaction_loyalty_curves(
    n_points: int = 101, *, competitive_power: float = 4.0, captive_floor: float = 0.6
) -> pd.DataFrame:
    r"""Return the three satisfaction–loyalty curves of lecture 002 on a 0–1 satisfaction scale.

    Chapter 5 (顾客满意与忠诚的关系).

    Parameters
    ----------
    n_points : int, default=101
        Grid points between 0 and 1.
    competitive_power : float, default=4.0
        Curvature of the competitive curve (> 1: loyalty only near full satisfaction).
    captive_floor : float, default=0.6
        Loyalty of a totally dissatisfied customer in a non-competitive market.

    Returns
    -------
    pandas.DataFrame
        Columns ``satisfaction``, ``non_competitive`` (A, 无奈的选择), ``proportional``
        (B, 一分满意一分忠诚) and ``competitive`` (C, 激烈竞争的买方市场).

    Raises
    ------
    ValueError
        For ``n_points`` < 2, ``competitive_power`` <= 1 or ``captive_floor`` outside [0, 1).

    See Also
    --------
    crmlab.plotting.plot_satisfaction_loyalty_curves

    Notes
    -----
    Stylised shapes (Jones & Sasser, 1995), with satisfaction :math:`s \in [0, 1]`:

    .. math::

        L_A = h + (1 - h)s, \qquad L_B = s, \qquad L_C = s^{\gamma}

    with captive floor :math:`h` and competitive power :math:`\gamma`.

    References
    ----------
    Jones, T. O., & Sasser, W. E. (1995). Why satisfied customers defect. *Harvard Business Review*,
    73(6), 88–99.

    Examples
    --------
    >>> satisfaction_loyalty_curves(3).round(3).to_numpy().tolist()
    [[0.0, 0.6, 0.0, 0.0], [0.5, 0.8, 0.5, 0.062], [1.0, 1.0, 1.0, 1.0]]
    """
    caller = "satisfaction_loyalty_curves"
    n_points = check_int(n_points, "n_points", caller=caller, minimum=2)
    gamma = check_number(competitive_power, "competitive_power", caller=caller, minimum=1.0, strict_min=True)
    h = check_number(captive_floor, "captive_floor", caller=caller, minimum=0.0, maximum=1.0, strict_max=True)
    s = np.linspace(0.0, 1.0, n_points)
    return pd.DataFrame({"satisfaction": s, "non_competitive": h + (1 - h) * s, "proportional": s,
                         "competitive": s**gamma})


def classify_loyalty_types(
    satisfaction: Any,
    loyalty: Any,
    *,
    scale: tuple[float, float] = (1, 10),
    satisfaction_cut: float | None = None,
    loyalty_cut: float | None = None,
    six: bool = False,
    extreme: float = 0.15,
) -> pd.Series:
    """Classify customers into the satisfaction–loyalty types.

    Chapter 5 (apostles 传道者, mercenaries 图利者, hostages 囚禁者, defectors/terrorists 破坏者).

    Parameters
    ----------
    satisfaction, loyalty : array-like or pandas.Series
        Scores on ``scale``, one per customer (same length).
    scale : tuple of float, default=(1, 10)
        Lowest and highest possible score; scores outside raise.
    satisfaction_cut, loyalty_cut : float or None, default=None
        "High" means >= the cut; default the scale midpoint.
    six : bool, default=False
        Use the six types of lecture 004: apostles with both scores within ``extreme`` of the top
        become enthusiasts (the rest loyalists); defectors with both within ``extreme`` of the bottom
        become terrorists.
    extreme : float, default=0.15
        Width of the extreme zones as a share of the scale range.

    Returns
    -------
    pandas.Series
        Categorical of type names (categories :data:`FOUR_TYPES` or :data:`SIX_TYPES`), named
        ``"loyalty_type"``, with the index of ``satisfaction`` if it is a Series.

    Raises
    ------
    ValueError
        Different lengths, missing values or scores outside ``scale``.

    See Also
    --------
    loyalty_type_table, crmlab.plotting.plot_loyalty_types

    Notes
    -----
    Four types: apostle (high S, high L), mercenary (high S, low L), hostage (low S, high L),
    defector (low S, low L). "High" means at or above the cut.

    References
    ----------
    Jones, T. O., & Sasser, W. E. (1995). Why satisfied customers defect. *Harvard Business Review*,
    73(6), 88–99.

    Examples
    --------
    >>> classify_loyalty_types([9, 9, 2, 2], [9, 2, 9, 2]).tolist()
    ['apostle', 'mercenary', 'hostage', 'defector']
    """
    caller = "classify_loyalty_types"
    s = _scores(satisfaction, "satisfaction", scale, caller)
    ell = _scores(loyalty, "loyalty", scale, caller)
    if s.shape != ell.shape:
        raise ValueError(f"{caller}(): 'satisfaction' and 'loyalty' must have the same length; got {s.size} and "
                         f"{ell.size}.")
    low, high = scale
    mid = (low + high) / 2
    s_cut = mid if satisfaction_cut is None else check_number(satisfaction_cut, "satisfaction_cut", caller=caller)
    l_cut = mid if loyalty_cut is None else check_number(loyalty_cut, "loyalty_cut", caller=caller)
    hs, hl = s >= s_cut, ell >= l_cut
    if not six:
        names = np.select([hs & hl, hs & ~hl, ~hs & hl], list(FOUR_TYPES[:3]), default=FOUR_TYPES[3])
        categories = FOUR_TYPES
    else:
        w = check_number(extreme, "extreme", caller=caller, minimum=0.0, maximum=0.5) * (high - low)
        top = (s >= high - w) & (ell >= high - w)
        bottom = (s <= low + w) & (ell <= low + w)
        names = np.select(
            [hs & hl & top, hs & hl, hs & ~hl, ~hs & hl, ~hs & ~hl & bottom],
            ["enthusiast", "loyalist", "mercenary", "hostage", "terrorist"],
            default="defector",
        )
        categories = SIX_TYPES
    index = satisfaction.index if isinstance(satisfaction, pd.Series) else None
    return pd.Series(pd.Categorical(names, categories=list(categories)), index=index, name="loyalty_type")


def loyalty_type_table(satisfaction: Any, loyalty: Any, **kwargs: Any) -> pd.DataFrame:
    """Count customers per loyalty type with their mean satisfaction and loyalty.

    Chapter 5.

    Parameters
    ----------
    satisfaction, loyalty : array-like or pandas.Series
        Scores, as in :func:`classify_loyalty_types`.
    **kwargs
        Passed to :func:`classify_loyalty_types` (``scale``, cuts, ``six``, ``extreme``).

    Returns
    -------
    pandas.DataFrame
        Indexed by type (all types, empty ones with count 0): ``n``, ``share``,
        ``mean_satisfaction``, ``mean_loyalty``.

    Raises
    ------
    ValueError
        As :func:`classify_loyalty_types`.

    See Also
    --------
    classify_loyalty_types, crmlab.plotting.plot_loyalty_types

    Examples
    --------
    >>> loyalty_type_table([9, 9, 2, 2], [9, 2, 9, 2])["n"].tolist()
    [1, 1, 1, 1]
    """
    types = classify_loyalty_types(satisfaction, loyalty, **kwargs)
    frame = pd.DataFrame({"type": types.array, "s": np.asarray(satisfaction, dtype=float),
                          "l": np.asarray(loyalty, dtype=float)})
    grouped = frame.groupby("type", observed=False)
    out = pd.DataFrame({"n": grouped.size(), "mean_satisfaction": grouped["s"].mean(),
                        "mean_loyalty": grouped["l"].mean()})
    out.insert(1, "share", out["n"] / out["n"].sum())
    out.index = pd.Index([str(i) for i in out.index], name="loyalty_type")
    return out
