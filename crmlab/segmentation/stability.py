"""Stability of a segmentation: whether resampled customers get the same segments again.

Chapter 3. A real segment structure reappears when the data are perturbed; an
arbitrary split does not. For each k, cluster pairs of subsamples (or bootstrap
samples) and compare the labels of the customers they share with the adjusted
Rand index (ARI). The k with the highest typical ARI is the most reproducible.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score
from threadpoolctl import threadpool_limits

from crmlab._rng import RandomState, as_generator
from crmlab._validation import check_columns, check_frame, check_in_choices, check_int, check_no_missing, check_number
from crmlab.segmentation.models import make_clusterer

__all__ = ["stability_by_k", "stability_scores", "stable_k"]

SCHEMES = ("subsample", "bootstrap")


def _draw(rng: np.random.Generator, n: int, scheme: str, fraction: float) -> np.ndarray:
    if scheme == "subsample":
        return np.sort(rng.choice(n, size=max(2, int(round(fraction * n))), replace=False))
    return np.unique(rng.integers(0, n, size=n))


def stability_scores(
    X: Any,
    k_values: Iterable[int] = range(2, 9),
    *,
    method: str = "kmeans",
    n_resamples: int = 20,
    scheme: str = "subsample",
    fraction: float = 0.8,
    random_state: RandomState = None,
    **params: Any,
) -> pd.DataFrame:
    r"""Return one ARI per (k, resample pair): the raw material of :func:`stability_by_k`.

    Chapter 3.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Prepared features.
    k_values : iterable of int, default=range(2, 9)
        Candidate numbers of segments.
    method : str, default="kmeans"
        Any name of :func:`crmlab.segmentation.make_clusterer` except ``"kprototypes"``.
    n_resamples : int, default=20
        Resample pairs per k.
    scheme : {"subsample", "bootstrap"}, default="subsample"
        Draw ``fraction`` of the customers without replacement, or a bootstrap sample
        (its distinct customers are used).
    fraction : float, default=0.8
        Subsample share, in (0, 1).
    random_state : None, int or numpy.random.Generator, default=None
        An int repeats exactly, a Generator advances. The same resample pairs are used for
        every k (common random numbers).
    **params
        Passed to the clusterer.

    Returns
    -------
    pandas.DataFrame
        Columns ``k``, ``resample``, ``ari``, ``n_shared`` (customers in both samples).

    Raises
    ------
    ValueError
        If an argument is out of range or a name is unknown.

    Notes
    -----
    For draws :math:`A_b, B_b` and labelings :math:`L^A_b, L^B_b` fitted on each,

    .. math:: s_b(k) = \mathrm{ARI}\bigl(L^A_b|_{A_b \cap B_b},\; L^B_b|_{A_b \cap B_b}\bigr).

    References
    ----------
    Ben-Hur, A., Elisseeff, A., & Guyon, I. (2002). A stability based method for discovering
    structure in clustered data. *Pacific Symposium on Biocomputing*, 7, 6–17.

    Lange, T., Roth, V., Braun, M. L., & Buhmann, J. M. (2004). Stability-based validation of
    clustering solutions. *Neural Computation*, 16(6), 1299–1323.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.r_[np.zeros((20, 2)), np.full((20, 2), 5.0)] + np.random.default_rng(0).normal(size=(40, 2)) * 0.2
    >>> stability_scores(X, [2], n_resamples=2, random_state=0)["ari"].tolist()
    [1.0, 1.0]
    """
    caller = "stability_scores"
    arr = np.asarray(X, dtype=np.float64)
    if arr.ndim != 2 or len(arr) < 4 or not np.isfinite(arr).all():
        raise ValueError(f"{caller}(): 'X' must be a finite 2-D array with at least 4 rows; got shape {arr.shape}.")
    ks = [check_int(k, "k_values", caller=caller, minimum=1, maximum=len(arr) - 1) for k in k_values]
    check_in_choices(method, "method", ["gmm", "hdbscan", "kmeans", "ward"], caller=caller)
    b = check_int(n_resamples, "n_resamples", caller=caller, minimum=1)
    check_in_choices(scheme, "scheme", SCHEMES, caller=caller)
    frac = check_number(fraction, "fraction", caller=caller, minimum=0.0, maximum=1.0, strict_min=True,
                        strict_max=True)
    rng = as_generator(random_state, caller=caller)
    draws = [(_draw(rng, len(arr), scheme, frac), _draw(rng, len(arr), scheme, frac)) for _ in range(b)]
    seeds = rng.integers(0, 2**31 - 1, size=(len(ks), b, 2))
    rows = []
    # Many small fits: one thread each is much faster than OpenMP's spin-waiting on a busy machine.
    with threadpool_limits(limits=1):
        for i, k in enumerate(ks):  # loops over k and resamples (tens), never over customers
            for j, (a_idx, b_idx) in enumerate(draws):
                shared, in_a, in_b = np.intersect1d(a_idx, b_idx, assume_unique=True, return_indices=True)
                la = make_clusterer(method, k, random_state=int(seeds[i, j, 0]), **params).fit_predict(arr[a_idx])
                lb = make_clusterer(method, k, random_state=int(seeds[i, j, 1]), **params).fit_predict(arr[b_idx])
                rows.append((k, j, float(adjusted_rand_score(la[in_a], lb[in_b])), len(shared)))
    return pd.DataFrame(rows, columns=["k", "resample", "ari", "n_shared"])


def stability_by_k(
    X: Any,
    k_values: Iterable[int] = range(2, 9),
    *,
    method: str = "kmeans",
    n_resamples: int = 20,
    scheme: str = "subsample",
    fraction: float = 0.8,
    random_state: RandomState = None,
    **params: Any,
) -> pd.DataFrame:
    """Summarise resampling stability per k: mean, spread and quantiles of the ARI.

    Chapter 3. The k whose segments come back most reliably is the "real" one;
    the answer ``stable_k(stability_by_k(X))``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Prepared features.
    k_values : iterable of int, default=range(2, 9)
        Numbers of segments to compare.
    method : str, default="kmeans"
        Clusterer name, as in :func:`stability_scores`.
    n_resamples : int, default=20
        Resample pairs per k.
    scheme : {"subsample", "bootstrap"}, default="subsample"
        How customers are resampled, as in :func:`stability_scores`.
    fraction : float, default=0.8
        Subsample share, in (0, 1).
    random_state : None, int or numpy.random.Generator, default=None
        An int repeats exactly, a Generator advances; the same resample pairs serve every k.
    **params
        Passed to the clusterer.

    Returns
    -------
    pandas.DataFrame
        Index ``k``; columns ``ari_mean``, ``ari_sd``, ``ari_q10``, ``ari_median``,
        ``ari_q90``, ``n_resamples``.

    Raises
    ------
    ValueError
        As :func:`stability_scores`.

    See Also
    --------
    stability_scores, stable_k, crmlab.plotting.plot_stability

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> X = np.r_[rng.normal(0, 0.3, (30, 2)), rng.normal(4, 0.3, (30, 2)), rng.normal((0, 4), 0.3, (30, 2))]
    >>> stable_k(stability_by_k(X, range(2, 6), n_resamples=5, random_state=0))
    3
    """
    scores = stability_scores(X, k_values, method=method, n_resamples=n_resamples, scheme=scheme,
                              fraction=fraction, random_state=random_state, **params)
    g = scores.groupby("k")["ari"]
    return pd.DataFrame({
        "ari_mean": g.mean(),
        "ari_sd": g.std(ddof=1).fillna(0.0),
        "ari_q10": g.quantile(0.1),
        "ari_median": g.median(),
        "ari_q90": g.quantile(0.9),
        "n_resamples": g.size().astype(np.int64),
    })


def stable_k(table: pd.DataFrame, *, tolerance: float = 0.01, min_k: int = 2) -> int:
    """Return the stability choice of k: the largest k whose mean ARI is within ``tolerance`` of the best.

    Chapter 3. Two kinds of k are reproducible: the true one, and any smaller k that
    merges true segments the same way every time. Splitting a real segment, in contrast,
    happens differently on every resample. So the rule reads the table from the top:
    the largest k that is (nearly) as stable as the most stable one, in the spirit of
    Tibshirani & Walther's prediction strength. k = 1 is trivially stable, hence ``min_k``.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`stability_by_k` (index k, column ``ari_mean``).
    tolerance : float, default=0.01
        How far below the best mean ARI a k may be and still count as stable.
    min_k : int, default=2
        Smallest k considered.

    Returns
    -------
    int

    Raises
    ------
    ValueError
        If ``table`` is empty, lacks ``ari_mean``, has no k >= ``min_k``, or ``tolerance`` is negative.

    References
    ----------
    Tibshirani, R., & Walther, G. (2005). Cluster validation by prediction strength.
    *Journal of Computational and Graphical Statistics*, 14(3), 511–528.

    Examples
    --------
    >>> import pandas as pd
    >>> stable_k(pd.DataFrame({"ari_mean": [0.999, 0.995, 1.0, 0.93]}, index=[2, 3, 4, 5]))
    4
    """
    tol = check_number(tolerance, "tolerance", caller="stable_k", minimum=0.0)
    table = check_frame(table, caller="stable_k", name="table")
    check_columns(table, ["ari_mean"], caller="stable_k", name="table",
                  hint="pass the output of stability_by_k(), which has it")
    check_no_missing(table, ["ari_mean"], caller="stable_k", name="table")
    sub = table.loc[table.index >= min_k, "ari_mean"]
    if sub.empty:
        raise ValueError(f"stable_k(): 'table' has no k >= min_k={min_k}; got k values {table.index.tolist()}.")
    return int(sub.index[sub >= sub.max() - tol].max())
