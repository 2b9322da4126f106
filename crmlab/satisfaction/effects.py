r"""Mediation in a PLS path model: specific indirect effects and total effects.

Chapter 4/5. Quality raises satisfaction, which raises loyalty: part of quality's effect on loyalty
is *mediated*. Along a chain :math:`X \to M_1 \to \dots \to Y` the specific indirect effect is the
product of the path coefficients; the total effect of :math:`X` on :math:`Y` is its direct path
plus all specific indirect effects, :math:`(I - B)^{-1} - I`. Intervals come from the bootstrap
(percentile intervals, Preacher & Hayes 2008), never from a normal approximation of a product.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

__all__ = ["indirect_effects"]


def _chains(pred: np.ndarray) -> list[list[int]]:
    """Every directed chain of two or more paths in the (acyclic) inner model."""
    out: list[list[int]] = []
    stack = [[i] for i in range(pred.shape[0])]
    while stack:  # depth-first over the constructs of a small acyclic graph
        chain = stack.pop()
        for nxt in np.flatnonzero(pred[chain[-1]]):
            longer = [*chain, int(nxt)]
            if len(longer) >= 3:
                out.append(longer)
            stack.append(longer)
    return sorted(out)


def indirect_effects(model: Any, boot: Any = None, *, level: float = 0.95) -> pd.DataFrame:
    """All specific indirect effects of a fitted model, with bootstrap intervals when ``boot`` is given.

    Parameters
    ----------
    model : PLSPathModel
        A fitted model.
    boot : PLSBootstrap, optional
        From ``model.bootstrap_results(X, ...)``; adds ``std_error``, ``lower`` and ``upper``.
    level : float, default=0.95
        Confidence level of the percentile intervals.

    Returns
    -------
    pandas.DataFrame
        One row per chain: ``source``, ``via`` (mediators joined by " -> "), ``target``, ``effect``
        (product of the path coefficients along the chain), and the interval columns.

    Examples
    --------
    >>> from crmlab.datasets import load_mobi
    >>> from crmlab.satisfaction import ecsi_model
    >>> eff = indirect_effects(ecsi_model().fit(load_mobi()))
    >>> row = eff.query("source == 'Quality' and via == 'Satisfaction' and target == 'Loyalty'")
    >>> round(float(row["effect"].iloc[0]), 3)
    0.249
    """
    check_is_fitted(model, "paths_")
    names = model.constructs_
    b = model.path_coefficients_.to_numpy()
    rows = []
    for chain in _chains(model._spec.pred):  # one row per chain (a few dozen at most)
        effect = float(np.prod([b[u, v] for u, v in zip(chain[:-1], chain[1:], strict=True)]))
        row = {"source": names[chain[0]], "via": " -> ".join(names[c] for c in chain[1:-1]),
               "target": names[chain[-1]], "effect": effect}
        if boot is not None:
            got = boot.specific_effect([names[c] for c in chain], level=level).iloc[0]
            row.update(std_error=got["std_error"], lower=got["lower"], upper=got["upper"])
        rows.append(row)
    return pd.DataFrame(rows)
