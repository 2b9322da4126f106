"""Ground-truth recovery: how well found segments match the true ones of a generated world.

Chapter 3 (and chapter 8). Real data never tell us the true segments; a generated
world does, so a method can be checked: adjusted Rand index (ARI) and normalised
mutual information (NMI), plus a matched confusion table.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import adjusted_mutual_info_score, adjusted_rand_score, normalized_mutual_info_score

__all__ = ["FOUR_SEGMENT_WORLD", "match_segments", "recovery_scores"]

#: Settings for ``crmlab.synth.make_customer_world(**FOUR_SEGMENT_WORLD)``: four latent segments
#: that differ clearly in recency, frequency and spend (little heterogeneity inside each), the
#: test bed on which chapter 3 checks that its pipeline recovers known segments.
#: ``champions`` buy weekly, big baskets, never leave; ``new`` arrived in the last fifth of the
#: window and buy small baskets rarely; ``at_risk`` bought small baskets weekly, then left after
#: about ten purchases; ``dormant`` made one or two big purchases and left.
FOUR_SEGMENT_WORLD = {
    "segment_mix": {"champions": 0.2, "new": 0.25, "at_risk": 0.25, "dormant": 0.3},
    "segment_params": {
        "champions": {"r": 25.0, "alpha": 25.0, "a": 0.02, "b": 100.0, "p": 25.0, "q": 25.0, "gamma": 96.0},
        "new": {"r": 25.0, "alpha": 125.0, "a": 0.02, "b": 100.0, "p": 25.0, "q": 25.0, "gamma": 14.4,
                "acquisition": (0.8, 0.95)},
        "at_risk": {"r": 25.0, "alpha": 25.0, "a": 100.0, "b": 900.0, "p": 25.0, "q": 25.0, "gamma": 14.4},
        "dormant": {"r": 25.0, "alpha": 125.0, "a": 50.0, "b": 50.0, "p": 25.0, "q": 25.0, "gamma": 96.0},
    },
}


def _pair(labels_true: Any, labels_pred: Any, caller: str) -> tuple[np.ndarray, np.ndarray]:
    t, p = np.asarray(labels_true), np.asarray(labels_pred)
    if t.ndim != 1 or p.ndim != 1 or len(t) != len(p) or len(t) == 0:
        raise ValueError(f"{caller}(): 'labels_true' and 'labels_pred' must be 1-D of the same non-zero length; "
                         f"got shapes {t.shape} and {p.shape}.")
    if pd.isna(t).any() or pd.isna(p).any():
        raise ValueError(f"{caller}(): labels must not contain missing values; fill or drop them first.")
    return t, p


def recovery_scores(labels_true: Any, labels_pred: Any) -> dict[str, float]:
    r"""Return agreement between true and found segments: ARI, AMI, NMI and matched accuracy.

    Chapter 3. 1 means identical partitions (up to renaming); ARI and AMI are about 0
    for random labels.

    Parameters
    ----------
    labels_true, labels_pred : array-like of shape (n_customers,)
        True and found segment labels (any hashable values).

    Returns
    -------
    dict
        ``ari``, ``ami``, ``nmi`` and ``accuracy`` (share of customers on the diagonal after
        the best one-to-one matching of found to true segments), all floats.

    Raises
    ------
    ValueError
        If the label arrays differ in length, are empty or have missing values.

    See Also
    --------
    match_segments : the matched confusion table behind ``accuracy``.

    Notes
    -----
    .. math:: \mathrm{ARI} = \frac{\mathrm{RI} - E[\mathrm{RI}]}{\max \mathrm{RI} - E[\mathrm{RI}]}

    References
    ----------
    Hubert, L., & Arabie, P. (1985). Comparing partitions. *Journal of Classification*, 2, 193–218.

    Examples
    --------
    >>> recovery_scores(["a", "a", "b", "b"], [1, 1, 0, 0])["ari"]
    1.0
    """
    t, p = _pair(labels_true, labels_pred, "recovery_scores")
    table = pd.crosstab(t, p).to_numpy()
    rows, cols = linear_sum_assignment(-table)
    return {
        "ari": float(adjusted_rand_score(t, p)),
        "ami": float(adjusted_mutual_info_score(t, p)),
        "nmi": float(normalized_mutual_info_score(t, p)),
        "accuracy": float(table[rows, cols].sum() / len(t)),
    }


def match_segments(labels_true: Any, labels_pred: Any) -> pd.DataFrame:
    """Cross-tabulate found against true segments, columns reordered to the best match.

    Chapter 3. Found segment labels are arbitrary numbers; this names each after the
    true segment it overlaps most (Hungarian matching).

    Parameters
    ----------
    labels_true, labels_pred : array-like of shape (n_customers,)
        The true segments (e.g. from a synthetic world) and the segments found, for the same customers.

    Returns
    -------
    pandas.DataFrame
        Counts; index = true segments, columns = found segments, matched ones first and in
        the order of their true partner.

    Raises
    ------
    ValueError
        As :func:`recovery_scores`.

    Examples
    --------
    >>> match_segments(["a", "a", "b"], [1, 1, 0]).columns.tolist()
    [1, 0]
    """
    t, p = _pair(labels_true, labels_pred, "match_segments")
    table = pd.crosstab(pd.Series(t, name="true"), pd.Series(p, name="found"))
    rows, cols = linear_sum_assignment(-table.to_numpy())
    order = [table.columns[c] for _, c in sorted(zip(rows, cols, strict=True))]
    rest = [c for c in table.columns if c not in order]
    return table[order + rest]
