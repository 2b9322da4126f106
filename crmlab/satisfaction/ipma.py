r"""Importance–performance map analysis (IPMA) of a PLS path model.

Chapter 4: which driver should a manager fix first? For a target construct (satisfaction,
loyalty) each driver gets

- **importance**: its unstandardized total effect on the target — how many index points the target
  gains when the driver's 0–100 performance rises by one point;
- **performance**: its mean 0–100 index score (the ACSI/ECSI index of :class:`PLSPathModel`).

The unstandardized effects come from regressing the rescaled (0–100) construct scores on their
predecessors' rescaled scores, with the weights of the PLS fit (Ringle & Sarstedt 2016). Drivers
with high importance and low performance come first.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from crmlab._validation import CrmlabWarning
from crmlab.satisfaction._plsalgo import total_effects

__all__ = ["ipma"]


def ipma(model: Any, target: str) -> pd.DataFrame:
    """Return the importance (unstandardized total effect) and performance (0–100) of every driver of ``target``.

    Parameters
    ----------
    model : PLSPathModel
        A model fitted with a ``scale`` (the performance needs it) and without interaction terms.
    target : str
        The outcome construct.

    Returns
    -------
    pandas.DataFrame
        Indexed by driver (constructs with a nonzero total effect on ``target``): ``importance``,
        ``performance``, ``standardized_total_effect``; sorted by importance, largest first.

    Raises
    ------
    ValueError
        Unknown ``target``, no ``scale``, interaction terms, or a target nothing points at.

    Examples
    --------
    >>> from crmlab.datasets import load_mobi
    >>> from crmlab.satisfaction import ecsi_model
    >>> table = ipma(ecsi_model().fit(load_mobi()), "Loyalty")
    >>> table.index[0]
    'Satisfaction'
    """
    caller = "ipma"
    check_is_fitted(model, "paths_")
    names = model.constructs_
    if target not in names:
        raise ValueError(f"{caller}(): 'target' must be one of the constructs {names}; got {target!r}.")
    if model.scale is None:
        raise ValueError(f"{caller}(): performance needs the item scale; refit with scale=(low, high).")
    if model._engine_.interactions:
        raise ValueError(f"{caller}(): models with interaction terms are not supported.")
    negative = model.outer_weights_[model.outer_weights_ < 0]
    if len(negative):
        warnings.warn(
            f"{caller}(): {len(negative)} outer weight(s) are negative (first: {list(negative.index[:3])}); the 0-100 "
            "performance of their constructs can leave [0, 100] and is hard to read. Consider dropping those items.",
            CrmlabWarning,
            stacklevel=2,
        )
    perf = model._index_of(model._raw)  # (n, J) rescaled 0-100 scores
    x = perf.to_numpy()
    pred = model._spec.pred
    b = np.zeros(pred.shape)
    for j in range(len(names)):  # one regression per endogenous construct
        p = np.flatnonzero(pred[:, j])
        if p.size:
            design = np.column_stack([np.ones(len(x)), x[:, p]])
            coef, *_ = np.linalg.lstsq(design, x[:, j], rcond=None)
            b[p, j] = coef[1:]
    t = names.index(target)
    total = total_effects(b[None])[0][:, t]
    std_total = model.total_effects_[target].to_numpy()
    drivers = np.flatnonzero(np.abs(std_total) > 0)
    if drivers.size == 0:
        raise ValueError(f"{caller}(): no construct has an effect on '{target}'; pick an endogenous target.")
    out = pd.DataFrame(
        {
            "importance": total[drivers],
            "performance": x[:, drivers].mean(axis=0),
            "standardized_total_effect": std_total[drivers],
        },
        index=pd.Index([names[i] for i in drivers], name="driver"),
    )
    return out.sort_values("importance", ascending=False)
