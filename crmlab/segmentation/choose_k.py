"""Choosing the number of segments k: elbow, silhouette, CH, DB, gap statistic, BIC.

Chapter 3. No single rule is right; the chapter puts them side by side in one
table (:func:`choose_k_table`) and reads off each rule's choice (:func:`suggest_k`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score
from sklearn.mixture import GaussianMixture
from threadpoolctl import threadpool_limits

from crmlab._rng import RandomState, as_generator
from crmlab._validation import check_in_choices, check_int, check_labels
from crmlab.segmentation.models import make_clusterer

__all__ = ["CRITERIA", "choose_k_table", "elbow_k", "internal_scores", "suggest_k", "within_ss"]

#: Criteria of :func:`choose_k_table` and the rule each uses to pick k.
CRITERIA = {
    "inertia": "elbow (knee) of the within-cluster sum of squares",
    "silhouette": "largest mean silhouette width",
    "calinski_harabasz": "largest Calinski–Harabasz index",
    "davies_bouldin": "smallest Davies–Bouldin index",
    "gap": "smallest k with gap(k) >= gap(k+1) - s(k+1) (Tibshirani et al.)",
    "bic": "smallest BIC of a Gaussian mixture",
}


def _as_array(X: Any, caller: str, min_rows: int = 3) -> np.ndarray:
    try:
        arr = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{caller}(): 'X' must be a 2-D array of numbers; got {type(X).__name__} ({exc}).") from exc
    if arr.ndim != 2 or len(arr) < min_rows:
        raise ValueError(f"{caller}(): 'X' must be a 2-D array with at least {min_rows} rows; got shape {arr.shape}.")
    if not np.isfinite(arr).all():
        raise ValueError(f"{caller}(): 'X' must be finite; got {int((~np.isfinite(arr)).sum())} NaN/inf value(s).")
    return arr


def within_ss(X: Any, labels: Any) -> float:
    r"""Return the within-cluster sum of squares :math:`W_k = \sum_k \sum_{i \in C_k} \lVert x_i - \bar x_k \rVert^2`.

    Chapter 3. Label -1 (HDBSCAN noise) counts as its own group.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The features the segments were found in.
    labels : array-like of shape (n_samples,)
        Segment of each sample.

    Returns
    -------
    float

    Examples
    --------
    >>> within_ss([[0.0], [2.0], [10.0]], [0, 0, 1])
    2.0
    """
    arr = _as_array(X, "within_ss", min_rows=1)
    codes = pd.factorize(check_labels(labels, len(arr), caller="within_ss"))[0]
    counts = np.bincount(codes)
    sums = np.stack([np.bincount(codes, weights=arr[:, j]) for j in range(arr.shape[1])], axis=1)
    return float((arr**2).sum() - ((sums**2).sum(axis=1) / counts).sum())


def internal_scores(
    X: Any, labels: Any, *, silhouette_sample: int | None = 2000, random_state: RandomState = None
) -> dict[str, float]:
    """Return the internal validity indices of one clustering as a dict.

    Chapter 3 (and chapter 8's grids). No ground truth needed: they reward compact,
    well-separated segments.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The prepared features the clustering used.
    labels : array-like of shape (n_samples,)
        Segment labels; -1 (noise) is scored as a group.
    silhouette_sample : int or None, default=2000
        Silhouette on a random sample of this size (it costs O(n^2)); None uses all rows.
    random_state : None, int or numpy.random.Generator, default=None
        For the silhouette sample. An int repeats exactly, a Generator advances.

    Returns
    -------
    dict
        ``n_clusters``, ``inertia`` (within-cluster sum of squares), ``silhouette``
        (higher better), ``calinski_harabasz`` (higher better), ``davies_bouldin`` (lower
        better); NaN for indices undefined with fewer than 2 groups.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0], [0, 1], [10, 0], [10, 1]])
    >>> round(internal_scores(X, [0, 0, 1, 1])["silhouette"], 3)
    0.9
    """
    arr = _as_array(X, "internal_scores")
    lab = check_labels(labels, len(arr), caller="internal_scores")
    k = len(np.unique(lab))
    out = {"n_clusters": float(k), "inertia": within_ss(arr, lab)}
    if 2 <= k < len(arr):
        rng = as_generator(random_state, caller="internal_scores")
        use = rng.choice(len(arr), silhouette_sample, replace=False) if (
            silhouette_sample is not None and len(arr) > silhouette_sample) else slice(None)
        sil_ok = len(np.unique(lab[use])) >= 2
        out["silhouette"] = float(silhouette_score(arr[use], lab[use])) if sil_ok else float("nan")
        out["calinski_harabasz"] = float(calinski_harabasz_score(arr, lab))
        out["davies_bouldin"] = float(davies_bouldin_score(arr, lab))
    else:
        out.update(silhouette=float("nan"), calinski_harabasz=float("nan"), davies_bouldin=float("nan"))
    return out


def choose_k_table(
    X: Any,
    k_values: Iterable[int] = range(2, 9),
    *,
    method: str = "kmeans",
    criteria: Iterable[str] = tuple(CRITERIA),
    n_refs: int = 10,
    silhouette_sample: int | None = 2000,
    random_state: RandomState = None,
    **params: Any,
) -> pd.DataFrame:
    r"""Fit the method for each k and tabulate every criterion for choosing k.

    Chapter 3. One row per k; read it with :func:`suggest_k` or plot it with
    :func:`crmlab.plotting.plot_choose_k`.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Prepared features (e.g. from :func:`crmlab.segmentation.prepare_features`).
    k_values : iterable of int, default=range(2, 9)
        Candidate numbers of segments (each >= 1; at least two values).
    method : str, default="kmeans"
        Clustering method for every k (any of :func:`make_clusterer` except ``"hdbscan"``
        and ``"kprototypes"``).
    criteria : iterable of str, default=all of :data:`CRITERIA`
        Which columns to compute (``"gap"`` and ``"bic"`` cost extra fits).
    n_refs : int, default=10
        Reference data sets for the gap statistic.
    silhouette_sample : int or None, default=2000
        Sample size for the silhouette (see :func:`internal_scores`).
    random_state : None, int or numpy.random.Generator, default=None
        An int repeats exactly, a Generator advances.
    **params
        Passed to the clusterer (e.g. ``n_init=3`` for faster k-means).

    Returns
    -------
    pandas.DataFrame
        Index ``k``; columns among ``inertia``, ``silhouette``, ``calinski_harabasz``,
        ``davies_bouldin``, ``gap``, ``gap_se``, ``bic``.

    Raises
    ------
    ValueError
        If ``X`` is not a finite 2-D array, a k is < 1 or >= n, or a name is unknown.

    See Also
    --------
    suggest_k, elbow_k, crmlab.segmentation.stability_by_k

    Notes
    -----
    Gap statistic (Tibshirani, Walther & Hastie, 2001) with :math:`B` uniform reference
    sets drawn over the range of each feature:

    .. math::

        \mathrm{Gap}(k) = \frac1B \sum_b \log W_{kb}^* - \log W_k, \qquad
        s_k = \mathrm{sd}_b(\log W^*_{kb}) \sqrt{1 + 1/B}.

    References
    ----------
    Tibshirani, R., Walther, G., & Hastie, T. (2001). Estimating the number of clusters in a
    data set via the gap statistic. *JRSS B*, 63(2), 411–423.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = np.r_[rng.normal(0, 0.3, (30, 2)), rng.normal(4, 0.3, (30, 2)), rng.normal((0, 4), 0.3, (30, 2))]
    >>> table = choose_k_table(X, range(2, 6), n_refs=3, random_state=0)
    >>> int(table["silhouette"].idxmax())
    3
    """
    caller = "choose_k_table"
    arr = _as_array(X, caller)
    ks = [check_int(k, "k_values", caller=caller, minimum=1, maximum=len(arr) - 1) for k in k_values]
    if len(ks) < 2:
        raise ValueError(f"{caller}(): 'k_values' must hold at least two values; got {ks}.")
    crit = [check_in_choices(c, "criteria", CRITERIA, caller=caller) for c in criteria]
    check_in_choices(method, "method", ["kmeans", "gmm", "ward"], caller=caller)
    n_refs = check_int(n_refs, "n_refs", caller=caller, minimum=2)
    rng = as_generator(random_state, caller=caller)
    low, high = arr.min(axis=0), arr.max(axis=0)
    rows = []
    # Many small fits: one thread each is much faster than OpenMP's spin-waiting on a busy machine.
    with threadpool_limits(limits=1):
        for k in ks:  # a loop over candidate k (a handful), not over customers
            labels = make_clusterer(method, k, random_state=rng, **params).fit_predict(arr)
            row: dict[str, float] = {"k": k}
            scores = internal_scores(arr, labels, silhouette_sample=silhouette_sample, random_state=rng)
            row.update({c: scores[c] for c in ("inertia", "silhouette", "calinski_harabasz", "davies_bouldin")
                        if c in crit})
            if "gap" in crit:
                log_w = np.log(max(within_ss(arr, labels), 1e-300))
                refs = (rng.uniform(low, high, size=arr.shape) for _ in range(n_refs))
                ref = [np.log(max(within_ss(r, make_clusterer(method, k, random_state=rng, **params).fit_predict(r)),
                                  1e-300)) for r in refs]
                row["gap"] = float(np.mean(ref) - log_w)
                row["gap_se"] = float(np.std(ref) * np.sqrt(1 + 1 / n_refs))
            if "bic" in crit:
                gm = GaussianMixture(k, covariance_type="full", reg_covar=1e-4, n_init=2,
                                     random_state=int(rng.integers(2**31 - 1))).fit(arr)
                row["bic"] = float(gm.bic(arr))
            rows.append(row)
    return pd.DataFrame(rows).set_index("k")


def elbow_k(table: pd.DataFrame, column: str = "inertia") -> int | None:
    """Return the elbow (knee) of a decreasing convex curve in ``table[column]``.

    Chapter 3. Uses the Kneedle algorithm (``kneed``); None if no knee is found.

    Parameters
    ----------
    table : pandas.DataFrame
        Indexed by k, as from :func:`choose_k_table`.
    column : str, default="inertia"
        The curve.

    Returns
    -------
    int or None

    References
    ----------
    Satopää, V., Albrecht, J., Irwin, D., & Raghavan, B. (2011). Finding a "kneedle" in a
    haystack. *ICDCS Workshops*, 166–171.

    Examples
    --------
    >>> import pandas as pd
    >>> elbow_k(pd.DataFrame({"inertia": [100.0, 40.0, 12.0, 10.0, 9.0]}, index=[1, 2, 3, 4, 5]))
    3
    """
    from kneed import KneeLocator

    curve = table[column].dropna()
    knee = KneeLocator(curve.index.to_numpy(dtype=float), curve.to_numpy(dtype=float), curve="convex",
                       direction="decreasing").knee
    return None if knee is None else int(knee)


def suggest_k(table: pd.DataFrame) -> pd.DataFrame:
    """Return the k each criterion of a :func:`choose_k_table` table picks.

    Chapter 3. Rules as in :data:`CRITERIA`.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`choose_k_table`.

    Returns
    -------
    pandas.DataFrame
        Index ``criterion``; columns ``k`` (Int64, missing when the rule finds none) and ``rule``.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"silhouette": [0.5, 0.7, 0.6], "davies_bouldin": [0.9, 0.5, 0.8]}, index=[2, 3, 4])
    >>> suggest_k(t)["k"].tolist()
    [3, 3]
    """
    picks: dict[str, Any] = {}
    if "inertia" in table:
        picks["inertia"] = elbow_k(table)
    for col, best in (("silhouette", "idxmax"), ("calinski_harabasz", "idxmax"), ("davies_bouldin", "idxmin"),
                      ("bic", "idxmin")):
        if col in table and table[col].notna().any():
            picks[col] = int(getattr(table[col], best)())
    if "gap" in table:
        gap, se = table["gap"].to_numpy(), table["gap_se"].to_numpy()
        ok = np.flatnonzero(gap[:-1] >= gap[1:] - se[1:])
        picks["gap"] = int(table.index[ok[0]]) if len(ok) else None
    order = [c for c in CRITERIA if c in picks]
    return pd.DataFrame(
        {"k": pd.array([picks[c] for c in order], dtype="Int64"), "rule": [CRITERIA[c] for c in order]},
        index=pd.Index(order, name="criterion"),
    )
