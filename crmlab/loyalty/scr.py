"""Share of category requirements (SCR): how much of a household's buying goes to its favourite brand.

Chapter 5. Behavioural loyalty measured from a purchase panel: each household's share of
purchases per brand, its favourite brand and that brand's share (顾客份额).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from crmlab._validation import check_columns, check_frame, check_no_missing
from crmlab.loyalty._markov import encode, state_labels

__all__ = ["share_of_category_requirements"]


def share_of_category_requirements(
    purchases: pd.DataFrame,
    *,
    customer_col: str = "household_id",
    brand_col: str = "choice",
    brands: Sequence[str] | None = None,
) -> pd.DataFrame:
    r"""Return the share of category requirements (SCR) of each household's favourite brand.

    Chapter 5 (share of category requirements / share of wallet, 钱包份额).

    Parameters
    ----------
    purchases : pandas.DataFrame
        One row per purchase with ``customer_col`` and ``brand_col``.
    customer_col : str, default="household_id"
        Household id column.
    brand_col : str, default="choice"
        Brand column.
    brands : sequence of str or None, default=None
        Known brands (default as in :func:`transition_counts`); other labels raise.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``customer_col``: ``n_purchases``, ``favourite_brand`` (the most bought; ties go
        to the brand listed first), ``scr`` (favourite's share of the household's purchases) and
        one column ``scr_<brand>`` per brand.

    Raises
    ------
    ValueError
        Missing columns or values, or a brand not in ``brands``.

    See Also
    --------
    crmlab.loyalty.switching_summary

    Notes
    -----
    .. math:: \mathrm{SCR}_{hb} = \frac{n_{hb}}{\sum_{b'} n_{hb'}}

    References
    ----------
    Sharp, B. (2010). *How Brands Grow*. Oxford University Press.

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"household_id": [1, 1, 1, 2], "choice": ["a", "a", "b", "b"]})
    >>> share_of_category_requirements(p)["scr"].round(3).tolist()
    [0.667, 1.0]
    """
    caller = "share_of_category_requirements"
    check_frame(purchases, caller=caller, name="purchases")
    check_columns(purchases, [customer_col, brand_col], caller=caller, name="purchases")
    check_no_missing(purchases, [customer_col, brand_col], caller=caller, name="purchases", id_col=customer_col)
    brands = state_labels(purchases[brand_col], brands)
    codes = encode(purchases[brand_col], brands, caller=caller, name=brand_col, what="brand")
    ids, inverse = np.unique(purchases[customer_col].to_numpy(), return_inverse=True)
    counts = np.zeros((ids.size, len(brands)), dtype=np.int64)
    np.add.at(counts, (inverse, codes), 1)
    n = counts.sum(axis=1)
    fav = counts.argmax(axis=1)
    out = pd.DataFrame(
        {
            "n_purchases": n,
            "favourite_brand": np.asarray(brands, dtype=object)[fav],
            "scr": counts[np.arange(ids.size), fav] / n,
        },
        index=pd.Index(ids, name=customer_col),
    )
    for j, brand in enumerate(brands):
        out[f"scr_{brand}"] = counts[:, j] / n
    return out
