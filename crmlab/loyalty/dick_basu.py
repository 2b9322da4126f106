"""Dick and Basu's loyalty matrix: relative attitude × repeat patronage.

Chapter 5. Loyalty is both an attitude (态度忠诚) and a behaviour (行为忠诚). Crossing
the two gives four cells: true loyalty (真正忠诚), latent loyalty (潜在忠诚: liked but
not bought), spurious loyalty (虚假忠诚 / 惰性忠诚: bought out of habit or lack of
choice) and no loyalty (不忠诚).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from crmlab._validation import check_number

__all__ = ["DICK_BASU_CELLS", "dick_basu_segments", "dick_basu_table"]

#: The four cells, in reading order (high/high, high/low, low/high, low/low).
DICK_BASU_CELLS: tuple[str, ...] = ("true loyalty", "latent loyalty", "spurious loyalty", "no loyalty")


def _values(x: Any, name: str, caller: str) -> np.ndarray:
    try:
        arr = np.asarray(x.to_numpy() if isinstance(x, pd.Series) else x, dtype=float).ravel()
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{caller}(): '{name}' must be numeric; got {type(x).__name__}.") from exc
    if arr.size == 0:
        raise ValueError(f"{caller}(): '{name}' is empty.")
    if not np.isfinite(arr).all():
        raise ValueError(f"{caller}(): '{name}' has {int((~np.isfinite(arr)).sum())} missing or infinite value(s).")
    return arr


def dick_basu_segments(
    attitude: Any, behaviour: Any, *, attitude_cut: float | None = None, behaviour_cut: float | None = None
) -> pd.Series:
    """Place each customer in Dick and Basu's attitude × behaviour matrix.

    Chapter 5 (态度忠诚 × 行为忠诚).

    Parameters
    ----------
    attitude : array-like or pandas.Series
        Relative attitude, e.g. a survey loyalty score.
    behaviour : array-like or pandas.Series
        Repeat patronage, e.g. share of category requirements or repeat purchases.
    attitude_cut, behaviour_cut : float or None, default=None
        "High" means >= the cut; default each variable's median.

    Returns
    -------
    pandas.Series
        Categorical with categories :data:`DICK_BASU_CELLS`, named ``"dick_basu"``, indexed like
        ``attitude`` when it is a Series.

    Raises
    ------
    TypeError
        Non-numeric input.
    ValueError
        Empty input, missing values, different lengths, or two Series with different indexes.

    See Also
    --------
    dick_basu_table, crmlab.plotting.plot_dick_basu

    Notes
    -----
    True loyalty: attitude and behaviour both high; latent: attitude high, behaviour low;
    spurious: attitude low, behaviour high; no loyalty: both low.

    References
    ----------
    Dick, A. S., & Basu, K. (1994). Customer loyalty: toward an integrated conceptual framework.
    *Journal of the Academy of Marketing Science*, 22(2), 99–113.

    Examples
    --------
    >>> dick_basu_segments([9, 9, 1, 1], [0.9, 0.1, 0.9, 0.1], attitude_cut=5, behaviour_cut=0.5).tolist()
    ['true loyalty', 'latent loyalty', 'spurious loyalty', 'no loyalty']
    """
    caller = "dick_basu_segments"
    if isinstance(attitude, pd.Series) and isinstance(behaviour, pd.Series) and not attitude.index.equals(
        behaviour.index
    ):
        raise ValueError(f"{caller}(): 'attitude' and 'behaviour' are Series with different indexes; align them "
                         "first (e.g. attitude.align(behaviour, join='inner')).")
    a = _values(attitude, "attitude", caller)
    b = _values(behaviour, "behaviour", caller)
    if a.size != b.size:
        raise ValueError(
            f"{caller}(): 'attitude' and 'behaviour' must have the same length; got {a.size} and {b.size}."
        )
    a_cut = float(np.median(a)) if attitude_cut is None else check_number(attitude_cut, "attitude_cut", caller=caller)
    b_cut = float(np.median(b)) if behaviour_cut is None else check_number(behaviour_cut, "behaviour_cut",
                                                                           caller=caller)
    ha, hb = a >= a_cut, b >= b_cut
    cells = np.select([ha & hb, ha & ~hb, ~ha & hb], list(DICK_BASU_CELLS[:3]), default=DICK_BASU_CELLS[3])
    index = attitude.index if isinstance(attitude, pd.Series) else None
    return pd.Series(pd.Categorical(cells, categories=list(DICK_BASU_CELLS)), index=index, name="dick_basu")


def dick_basu_table(attitude: Any, behaviour: Any, **kwargs: Any) -> pd.DataFrame:
    """Count customers in the four cells of the Dick–Basu matrix as a 2 × 2 table.

    Chapter 5.

    Parameters
    ----------
    attitude, behaviour : array-like or pandas.Series
        As in :func:`dick_basu_segments`.
    **kwargs
        ``attitude_cut`` and ``behaviour_cut``.

    Returns
    -------
    pandas.DataFrame
        Rows ``attitude`` (high, low), columns ``repeat patronage`` (high, low), int counts.

    Raises
    ------
    ValueError
        As :func:`dick_basu_segments`.

    See Also
    --------
    dick_basu_segments, crmlab.plotting.plot_dick_basu

    Examples
    --------
    >>> dick_basu_table([9, 9, 1], [0.9, 0.1, 0.9], attitude_cut=5, behaviour_cut=0.5).to_numpy().tolist()
    [[1, 1], [1, 0]]
    """
    seg = dick_basu_segments(attitude, behaviour, **kwargs)
    counts = seg.value_counts().reindex(list(DICK_BASU_CELLS)).to_numpy()
    return pd.DataFrame(
        counts.reshape(2, 2).astype(int),
        index=pd.Index(["high", "low"], name="attitude"),
        columns=pd.Index(["high", "low"], name="repeat patronage"),
    )
