"""Brand switching and repeat buying from purchase sequences.

Chapter 5. A household's purchase sequence (A, A, B, A, ...) is read as a
first-order Markov chain over brands: the transition matrix says how often a
purchase of brand *i* is followed by brand *j*, its diagonal is the repeat
(stay) probability, and its stationary distribution is the market share the
switching pattern would settle at if it went on unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from crmlab._validation import check_columns, check_frame, check_no_missing, first_ids
from crmlab.loyalty._markov import check_stochastic, count_pairs, encode, state_labels, stationary
from crmlab.loyalty.scr import share_of_category_requirements

__all__ = [
    "repeat_rate",
    "stationary_shares",
    "switching_summary",
    "transition_counts",
    "transition_matrix",
]


def _check_distinct_labels(values: pd.Series, column: str, caller: str) -> None:
    """Refuse labels that differ but print the same (``1`` and ``"1"``): they would become two brands named "1"."""
    distinct = pd.Series(pd.unique(values))
    as_text = distinct.astype(str)
    clash = as_text.duplicated(keep=False).to_numpy()
    if clash.any():
        shown = [f"{v!r} ({type(v).__name__})" for v in first_ids(distinct[clash])]
        raise ValueError(
            f"{caller}(): column '{column}' of 'purchases' has labels that differ only in type and would print the "
            f"same: {shown}; convert the column to one type first, e.g. purchases['{column}'].astype(str)."
        )


def _pairs(
    purchases: pd.DataFrame,
    customer_col: str,
    brand_col: str,
    order_col: str | None,
    brands: Sequence[str] | None,
    caller: str,
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Validate and return (from codes, to codes, brands) of consecutive purchases per household."""
    purchases = check_frame(purchases, caller=caller, name="purchases", convert=True)
    cols = [customer_col, brand_col] + ([order_col] if order_col is not None else [])
    check_columns(purchases, cols, caller=caller, name="purchases")
    check_no_missing(purchases, cols, caller=caller, name="purchases", id_col=customer_col)
    _check_distinct_labels(purchases[brand_col], brand_col, caller)
    brands = state_labels(purchases[brand_col], brands)
    codes = encode(purchases[brand_col], brands, caller=caller, name=brand_col, what="brand")
    keys = [customer_col] + ([order_col] if order_col is not None else [])
    order = np.lexsort([purchases[k].to_numpy() for k in reversed(keys)]) if order_col else None
    ids = purchases[customer_col].to_numpy()
    if order is None:  # keep the row order within each household (stable sort by household)
        order = np.argsort(ids, kind="stable")
    ids, codes = ids[order], codes[order]
    same = ids[1:] == ids[:-1]
    if not same.any():
        raise ValueError(
            f"{caller}(): every household in 'purchases' has a single purchase, so there are no consecutive "
            f"purchases to count transitions from ({purchases[customer_col].nunique()} households, "
            f"{len(purchases)} rows); transitions need households with at least two purchases."
        )
    return codes[:-1][same], codes[1:][same], brands


def transition_counts(
    purchases: pd.DataFrame,
    *,
    customer_col: str = "household_id",
    brand_col: str = "choice",
    order_col: str | None = None,
    brands: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Count brand-to-brand transitions between consecutive purchases of each household.

    Chapter 5 (brand switching, 品牌转换).

    Parameters
    ----------
    purchases : pandas.DataFrame
        One row per purchase occasion with columns ``customer_col`` and ``brand_col``. Rows
        are taken in their order within each household unless ``order_col`` is given.
    customer_col : str, default="household_id"
        Household (customer) id column.
    brand_col : str, default="choice"
        Brand chosen on the occasion.
    order_col : str or None, default=None
        Column giving the purchase order within a household (e.g. ``"occasion"``); rows are
        sorted by it when given.
    brands : sequence of str or None, default=None
        The brands, in the order of the output rows/columns. Default: the categories of a
        categorical ``brand_col``, else the sorted distinct values.

    Returns
    -------
    pandas.DataFrame
        Square table of int counts; rows ``from`` brand, columns ``to`` brand.

    Raises
    ------
    ValueError
        Missing columns or values, a brand not in ``brands``, or no household with two purchases.

    See Also
    --------
    transition_matrix : the row-normalised version.

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"household_id": [1, 1, 1, 2, 2], "choice": ["a", "a", "b", "b", "a"]})
    >>> transition_counts(p).to_numpy().tolist()
    [[1, 1], [1, 0]]
    """
    return _counts(purchases, customer_col, brand_col, order_col, brands, "transition_counts")


def _counts(
    purchases: pd.DataFrame,
    customer_col: str,
    brand_col: str,
    order_col: str | None,
    brands: Sequence[str] | None,
    caller: str,
) -> pd.DataFrame:
    """Brand-to-brand counts of consecutive purchases; errors name the public ``caller``."""
    frm, to, brands = _pairs(purchases, customer_col, brand_col, order_col, brands, caller)
    counts = count_pairs(frm, to, len(brands))
    index = pd.Index(brands, name="from")
    return pd.DataFrame(counts, index=index, columns=pd.Index(brands, name="to"))


def _matrix(
    purchases: pd.DataFrame,
    customer_col: str,
    brand_col: str,
    order_col: str | None,
    brands: Sequence[str] | None,
    caller: str,
) -> pd.DataFrame:
    """Row-normalised transition matrix; errors name the public ``caller``."""
    counts = _counts(purchases, customer_col, brand_col, order_col, brands, caller)
    totals = counts.sum(axis=1)
    if (totals == 0).any():
        empty = totals.index[totals == 0].tolist()
        raise ValueError(
            f"{caller}(): brand(s) {empty} are never followed by a further purchase, so their row of "
            "the transition matrix is undefined; drop them from 'brands' or add longer purchase sequences."
        )
    return counts.div(totals, axis=0)


def transition_matrix(
    purchases: pd.DataFrame,
    *,
    customer_col: str = "household_id",
    brand_col: str = "choice",
    order_col: str | None = None,
    brands: Sequence[str] | None = None,
) -> pd.DataFrame:
    r"""Estimate the first-order brand transition matrix from purchase sequences.

    Chapter 5 (brand switching matrix, 品牌转换矩阵).

    Parameters
    ----------
    purchases : pandas.DataFrame
        See :func:`transition_counts`.
    customer_col : str, default="household_id"
        Household (customer) id column, as in :func:`transition_counts`.
    brand_col : str, default="choice"
        Brand chosen on the occasion.
    order_col : str or None, default=None
        Column giving the purchase order within a household; see :func:`transition_counts`.
    brands : sequence of str or None, default=None
        The brands, in the order of the output; see :func:`transition_counts`.

    Returns
    -------
    pandas.DataFrame
        ``P[i, j]`` = share of purchases of brand *i* followed by brand *j*; rows sum to 1.

    Raises
    ------
    ValueError
        As :func:`transition_counts`, or a brand that is never followed by another purchase
        (its row would be 0/0).

    See Also
    --------
    stationary_shares, crmlab.plotting.plot_switching_matrix

    Notes
    -----
    The maximum-likelihood estimate of a Markov chain's transition matrix:

    .. math:: \hat P_{ij} = \frac{n_{ij}}{\sum_k n_{ik}}

    where :math:`n_{ij}` counts consecutive purchase pairs (*i* then *j*) within households.

    References
    ----------
    Ehrenberg, A. S. C. (1988). *Repeat-Buying: Facts, Theory and Applications* (2nd ed.). Griffin.

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"household_id": [1, 1, 1, 2, 2], "choice": ["a", "a", "b", "b", "a"]})
    >>> transition_matrix(p).round(2).to_numpy().tolist()
    [[0.5, 0.5], [1.0, 0.0]]
    """
    return _matrix(purchases, customer_col, brand_col, order_col, brands, "transition_matrix")


def stationary_shares(matrix: pd.DataFrame | np.ndarray) -> pd.Series:
    r"""Return the steady-state (stationary) shares of a brand or stage transition matrix.

    Chapter 5 (steady state, 稳态市场份额).

    Parameters
    ----------
    matrix : pandas.DataFrame or numpy.ndarray
        Square row-stochastic matrix (rows sum to 1).

    Returns
    -------
    pandas.Series
        :math:`\pi` with :math:`\pi P = \pi`, summing to 1, indexed by the matrix's row labels
        (0..k-1 for an array), named ``"stationary_share"``.

    Raises
    ------
    ValueError
        If the matrix is not row-stochastic or the chain is reducible (no unique steady state).

    See Also
    --------
    transition_matrix, switching_summary

    Notes
    -----
    The stationary distribution solves

    .. math:: \pi_j = \sum_i \pi_i P_{ij}, \qquad \sum_j \pi_j = 1,

    the left eigenvector of :math:`P` for eigenvalue 1.

    References
    ----------
    Kemeny, J. G., & Snell, J. L. (1976). *Finite Markov Chains*. Springer.

    Examples
    --------
    >>> import numpy as np
    >>> stationary_shares(np.array([[0.9, 0.1], [0.2, 0.8]])).round(3).tolist()
    [0.667, 0.333]
    """
    P = check_stochastic(matrix, caller="stationary_shares", name="matrix")
    index = matrix.index if isinstance(matrix, pd.DataFrame) else pd.RangeIndex(P.shape[0])
    return pd.Series(stationary(P, caller="stationary_shares"), index=index, name="stationary_share")


def repeat_rate(
    purchases: pd.DataFrame,
    *,
    customer_col: str = "household_id",
    brand_col: str = "choice",
    order_col: str | None = None,
    brands: Sequence[str] | None = None,
) -> float:
    r"""Return the share of repeat purchases: how often a household buys the same brand as last time.

    Chapter 5 (repeat purchase rate, 重复购买率).

    Parameters
    ----------
    purchases : pandas.DataFrame
        See :func:`transition_counts`.
    customer_col : str, default="household_id"
        Household (customer) id column, as in :func:`transition_counts`.
    brand_col : str, default="choice"
        Brand chosen on the occasion.
    order_col : str or None, default=None
        Column giving the purchase order within a household; see :func:`transition_counts`.
    brands : sequence of str or None, default=None
        The brands, in the order of the output; see :func:`transition_counts`.

    Returns
    -------
    float
        :math:`\sum_i n_{ii} / \sum_{ij} n_{ij}` over consecutive purchase pairs.

    Raises
    ------
    ValueError
        As :func:`transition_counts`.

    See Also
    --------
    transition_matrix

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"household_id": [1, 1, 1, 2, 2], "choice": ["a", "a", "b", "b", "a"]})
    >>> repeat_rate(p)
    0.3333333333333333
    """
    counts = _counts(purchases, customer_col, brand_col, order_col, brands, "repeat_rate").to_numpy()
    return float(np.trace(counts) / counts.sum())


def switching_summary(
    purchases: pd.DataFrame,
    *,
    customer_col: str = "household_id",
    brand_col: str = "choice",
    order_col: str | None = None,
    brands: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Per-brand repeat buying: observed share, stationary share, P(stay) and SCR among buyers.

    Chapter 5.

    Parameters
    ----------
    purchases : pandas.DataFrame
        See :func:`transition_counts`.
    customer_col : str, default="household_id"
        Household (customer) id column, as in :func:`transition_counts`.
    brand_col : str, default="choice"
        Brand chosen on the occasion.
    order_col : str or None, default=None
        Column giving the purchase order within a household; see :func:`transition_counts`.
    brands : sequence of str or None, default=None
        The brands, in the order of the output; see :func:`transition_counts`.

    Returns
    -------
    pandas.DataFrame
        Indexed by brand: ``observed_share`` (share of all purchases), ``stationary_share``,
        ``p_stay`` (diagonal of the transition matrix), ``penetration`` (share of households that
        ever bought it) and ``scr_buyers`` (its share of its buyers' category purchases).

    Raises
    ------
    ValueError
        As :func:`transition_matrix`.

    See Also
    --------
    transition_matrix, stationary_shares, share_of_category_requirements

    Notes
    -----
    If the switching pattern is stable, observed shares drift towards the stationary shares; a
    brand whose stationary share exceeds its observed share is gaining through switching.

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"household_id": [1, 1, 1, 2, 2], "choice": ["a", "a", "b", "b", "a"]})
    >>> switching_summary(p)["stationary_share"].round(3).tolist()
    [0.667, 0.333]
    """
    P = _matrix(purchases, customer_col, brand_col, order_col, brands, "switching_summary")
    scr = share_of_category_requirements(purchases, customer_col=customer_col, brand_col=brand_col, brands=brands)
    labels = list(P.index)
    per_brand = scr[[f"scr_{b}" for b in labels]].to_numpy() * scr["n_purchases"].to_numpy()[:, None]
    buyers = per_brand > 0
    buyer_totals = (buyers * scr["n_purchases"].to_numpy()[:, None]).sum(axis=0)
    out = pd.DataFrame(
        {
            "observed_share": per_brand.sum(axis=0) / per_brand.sum(),
            "stationary_share": stationary_shares(P).to_numpy(),
            "p_stay": np.diag(P.to_numpy()),
            "penetration": buyers.mean(axis=0),
            "scr_buyers": per_brand.sum(axis=0) / np.where(buyer_totals > 0, buyer_totals, 1),
        },
        index=pd.Index(labels, name="brand"),
    )
    return out
