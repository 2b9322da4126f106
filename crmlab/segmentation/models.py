"""Clustering estimators for customer segmentation, by name, behind one scikit-learn interface.

Chapter 3 (and the experiment grids of chapter 8). Every estimator has
``fit(X)``, ``fit_predict(X)`` and ``labels_``; each is made by
:func:`make_clusterer` from a name, so a grid can vary the method like any factor.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.cluster import HDBSCAN, AgglomerativeClustering, KMeans
from sklearn.mixture import GaussianMixture
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted, validate_data

from crmlab._rng import RandomState, sklearn_seed
from crmlab._validation import check_in_choices, check_int
from crmlab.segmentation.features import make_feature_pipeline

__all__ = [
    "CLUSTERERS",
    "GaussianMixtureClusterer",
    "KPrototypesClusterer",
    "clusterer_names",
    "make_clusterer",
    "make_segmentation_pipeline",
]

#: Built-in clustering methods: name → one-line description.
CLUSTERERS = {
    "kmeans": "k-means (spherical clusters of similar size; the workhorse)",
    "gmm": "Gaussian mixture (elliptical clusters, soft membership, BIC for k)",
    "ward": "Ward hierarchical clustering (merges that least increase within-cluster variance)",
    "hdbscan": "HDBSCAN (density-based; finds k itself and labels outliers -1)",
    "kprototypes": "k-prototypes (numeric + categorical profile data)",
}


class GaussianMixtureClusterer(ClusterMixin, BaseEstimator):
    r"""Gaussian mixture model used as a clusterer (hard labels = most probable component).

    Chapter 3. Model: :math:`p(x) = \sum_{k=1}^K \pi_k \, \mathcal N(x \mid \mu_k, \Sigma_k)`;
    a customer's segment is the component with the largest posterior probability.

    Parameters
    ----------
    n_clusters : int, default=4
        Number of mixture components (segments).
    covariance_type : {"full", "tied", "diag", "spherical"}, default="full"
        Shape of each segment's spread.
    n_init : int, default=3
        EM restarts; the best likelihood is kept.
    reg_covar : float, default=1e-4
        Ridge added to covariances (stabilises near-duplicate customers).
    random_state : None, int or numpy.random.Generator, default=None
        An int repeats exactly, a Generator advances.

    Attributes
    ----------
    mixture_ : sklearn.mixture.GaussianMixture
        The fitted mixture.
    labels_ : numpy.ndarray of shape (n_samples,)
        Segment of each training customer.
    n_features_in_ : int
        Number of features seen in ``fit``.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.r_[np.zeros((20, 2)), np.full((20, 2), 5.0)] + np.random.default_rng(0).normal(size=(40, 2)) * 0.1
    >>> len(set(GaussianMixtureClusterer(2, random_state=0).fit_predict(X)))
    2
    """

    def __init__(
        self,
        n_clusters: int = 4,
        *,
        covariance_type: str = "full",
        n_init: int = 3,
        reg_covar: float = 1e-4,
        random_state: RandomState = None,
    ) -> None:
        self.n_clusters = n_clusters
        self.covariance_type = covariance_type
        self.n_init = n_init
        self.reg_covar = reg_covar
        self.random_state = random_state

    def fit(self, X: Any, y: Any = None) -> GaussianMixtureClusterer:
        """Fit the mixture by EM and label the training customers.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        self
        """
        X = validate_data(self, X, dtype=np.float64)
        seed = sklearn_seed(self.random_state, caller="GaussianMixtureClusterer.fit")
        self.mixture_ = GaussianMixture(
            n_components=self.n_clusters, covariance_type=self.covariance_type, n_init=self.n_init,
            reg_covar=self.reg_covar, random_state=seed,
        ).fit(X)
        self.labels_ = self.mixture_.predict(X)
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Return the most probable segment of each customer."""
        check_is_fitted(self)
        return self.mixture_.predict(validate_data(self, X, dtype=np.float64, reset=False))

    def predict_proba(self, X: Any) -> np.ndarray:
        """Return segment membership probabilities, shape (n_samples, n_clusters)."""
        check_is_fitted(self)
        return self.mixture_.predict_proba(validate_data(self, X, dtype=np.float64, reset=False))

    def bic(self, X: Any) -> float:
        r"""Return the Bayesian information criterion :math:`-2\log L + p \log n` (lower is better)."""
        check_is_fitted(self)
        return float(self.mixture_.bic(validate_data(self, X, dtype=np.float64, reset=False)))


class KPrototypesClusterer(ClusterMixin, BaseEstimator):
    r"""K-prototypes clustering for mixed numeric and categorical profile data (Huang, 1998).

    Chapter 3. Distance = squared Euclidean distance on the numeric columns plus
    :math:`\gamma` times the number of mismatched categorical columns; centres are means
    (numeric) and modes (categorical).

    Parameters
    ----------
    n_clusters : int, default=4
        Number of segments.
    categorical : list of str or int, optional
        Categorical columns (names for a DataFrame, else positions); by default every
        non-numeric column of a DataFrame.
    gamma : float, optional
        Weight of categorical mismatches; default: half the mean numeric standard deviation.
    n_init : int, default=3
        Restarts.
    random_state : None, int or numpy.random.Generator, default=None
        An int repeats exactly, a Generator advances.

    Attributes
    ----------
    labels_ : numpy.ndarray of shape (n_samples,)
        Segment of each training customer.
    model_ : kmodes.kprototypes.KPrototypes
        The fitted model.
    categorical_ : list of int
        Positions of the categorical columns used.

    References
    ----------
    Huang, Z. (1998). Extensions to the k-means algorithm for clustering large data sets with
    categorical values. *Data Mining and Knowledge Discovery*, 2(3), 283–304.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"spend": [1.0, 1.1, 0.9, 5.0, 5.2, 4.9], "city": list("aaabbb")})
    >>> KPrototypesClusterer(2, random_state=0).fit(df).labels_.tolist() in ([0, 0, 0, 1, 1, 1], [1, 1, 1, 0, 0, 0])
    True
    """

    def __init__(
        self,
        n_clusters: int = 4,
        *,
        categorical: list[Any] | None = None,
        gamma: float | None = None,
        n_init: int = 3,
        random_state: RandomState = None,
    ) -> None:
        self.n_clusters = n_clusters
        self.categorical = categorical
        self.gamma = gamma
        self.n_init = n_init
        self.random_state = random_state

    def _categorical_positions(self, X: Any) -> list[int]:
        if isinstance(X, pd.DataFrame):
            if self.categorical is None:
                return [i for i, c in enumerate(X.columns) if not pd.api.types.is_numeric_dtype(X[c])]
            return [X.columns.get_loc(c) if not isinstance(c, int) else c for c in self.categorical]
        return [] if self.categorical is None else [int(c) for c in self.categorical]

    def fit(self, X: Any, y: Any = None) -> KPrototypesClusterer:
        """Fit k-prototypes.

        Parameters
        ----------
        X : pandas.DataFrame or array-like of shape (n_samples, n_features)
            Numeric and categorical columns.
        y : ignored

        Returns
        -------
        self

        Raises
        ------
        ValueError
            If there is no categorical column (use k-means) or no numeric column, or
            fewer distinct rows than clusters (e.g. constant data).
        """
        from kmodes.kprototypes import KPrototypes

        cats = self._categorical_positions(X)
        arr = np.asarray(X, dtype=object)
        self.n_features_in_ = arr.shape[1]
        if not cats or len(cats) == arr.shape[1]:
            raise ValueError("KPrototypesClusterer.fit(): 'X' must have both numeric and categorical columns; "
                             f"got {len(cats)} categorical of {arr.shape[1]}. Use k-means or k-modes instead.")
        distinct = len(pd.DataFrame(arr).drop_duplicates())
        if distinct < self.n_clusters:
            raise ValueError(f"KPrototypesClusterer.fit(): 'X' has only {distinct} distinct row(s) (of {len(arr)}), "
                             f"fewer than n_clusters={self.n_clusters}; there is nothing to split into clusters.")
        seed = sklearn_seed(self.random_state, caller="KPrototypesClusterer.fit")
        try:
            self.model_ = KPrototypes(n_clusters=self.n_clusters, gamma=self.gamma, n_init=self.n_init, init="Cao",
                                      random_state=seed).fit(arr, categorical=cats)
        except ValueError as exc:  # kmodes' own message, e.g. when a constant column defeats its initialisation
            raise ValueError(f"KPrototypesClusterer.fit(): k-prototypes could not cluster 'X' ({exc}); this happens "
                             "when columns are constant or nearly so: drop constant columns or use fewer "
                             "clusters.") from exc
        self.categorical_ = cats
        self.labels_ = np.asarray(self.model_.labels_, dtype=np.int64)
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Return the nearest prototype of each customer."""
        check_is_fitted(self)
        return np.asarray(self.model_.predict(np.asarray(X, dtype=object), categorical=self.categorical_))


def clusterer_names() -> list[str]:
    """Return the names of the built-in clustering methods, sorted.

    Chapter 3 (and chapter 8's grids): the names :func:`make_clusterer` accepts.

    Returns
    -------
    list of str

    See Also
    --------
    make_clusterer, CLUSTERERS

    Examples
    --------
    >>> clusterer_names()
    ['gmm', 'hdbscan', 'kmeans', 'kprototypes', 'ward']
    """
    return sorted(CLUSTERERS)


def make_clusterer(name: str, n_clusters: int = 4, *, random_state: RandomState = None, **params: Any) -> Any:
    """Return an unfitted clustering estimator by name.

    Chapter 3. The one place a method name becomes an estimator, so experiment grids
    and the chapter use the same settings.

    Parameters
    ----------
    name : {"kmeans", "gmm", "ward", "hdbscan", "kprototypes"}
        The method (see :data:`CLUSTERERS`).
    n_clusters : int, default=4
        Number of segments (ignored by ``"hdbscan"``, which finds its own).
    random_state : None, int or numpy.random.Generator, default=None
        An int repeats exactly, a Generator advances (unused by deterministic methods).
    **params
        Extra keyword arguments for the estimator (e.g. ``n_init=20`` for k-means,
        ``min_cluster_size=30`` for HDBSCAN).

    Returns
    -------
    estimator
        Has ``fit``, ``fit_predict`` and, after fitting, ``labels_``.

    Raises
    ------
    ValueError
        If ``name`` is unknown or ``n_clusters`` < 1.

    See Also
    --------
    make_segmentation_pipeline : features + clusterer in one pipeline.

    Examples
    --------
    >>> make_clusterer("kmeans", 3, random_state=0)
    KMeans(n_clusters=3, n_init=10, random_state=0)
    """
    caller = "make_clusterer"
    check_in_choices(name, "name", clusterer_names(), caller=caller)
    k = check_int(n_clusters, "n_clusters", caller=caller, minimum=1)
    if name == "kmeans":
        return KMeans(n_clusters=k, **{"n_init": 10, **params}, random_state=sklearn_seed(random_state, caller=caller))
    if name == "gmm":
        return GaussianMixtureClusterer(k, random_state=random_state, **params)
    if name == "ward":
        return AgglomerativeClustering(n_clusters=k, linkage="ward", **params)
    if name == "hdbscan":
        return HDBSCAN(**{"min_cluster_size": 25, "copy": True, **params})
    return KPrototypesClusterer(k, random_state=random_state, **params)


def make_segmentation_pipeline(
    method: str = "kmeans",
    n_clusters: int = 4,
    *,
    feature_set: str = "log_scaled",
    random_state: RandomState = None,
    **params: Any,
) -> Pipeline:
    """Return the chapter's segmentation pipeline: feature preparation, then a clusterer.

    Chapter 3. The recommended default is ``log_scaled`` features and k-means.

    Parameters
    ----------
    method : str, default="kmeans"
        Clustering method (see :func:`make_clusterer`).
    n_clusters : int, default=4
        Number of segments.
    feature_set : str, default="log_scaled"
        Feature preparation (see :func:`crmlab.segmentation.make_feature_pipeline`).
    random_state : None, int or numpy.random.Generator, default=None
        An int repeats exactly, a Generator advances.
    **params
        Passed to the clusterer.

    Returns
    -------
    sklearn.pipeline.Pipeline
        Steps ``features`` and ``cluster``; ``fit_predict(features)`` gives segment labels.

    Raises
    ------
    ValueError
        If a name is unknown.

    Examples
    --------
    >>> [name for name, _ in make_segmentation_pipeline(random_state=0).steps]
    ['features', 'cluster']
    """
    return Pipeline([
        ("features", make_feature_pipeline(feature_set)),
        ("cluster", make_clusterer(method, n_clusters, random_state=random_state, **params)),
    ])
