"""Pluggable parts of an experiment grid: clustering algorithms and feature sets.

An experiment grid refers to algorithms and feature sets by name. Each name maps
to a small function in a registry, so a researcher can add a method with one
call (:func:`register_algorithm`, :func:`register_feature_set`) and every grid,
config file and the ``crmlab experiment`` command can use it at once.

The built-in entries are the course's own estimators and feature preparations
(:func:`crmlab.segmentation.make_clusterer`, :func:`crmlab.segmentation.prepare_features`),
so a grid and chapter 3 fit exactly the same models.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from crmlab._validation import check_in_choices

__all__ = [
    "AlgorithmFactory",
    "FeatureSet",
    "algorithm_names",
    "feature_set_names",
    "get_algorithm",
    "get_feature_set",
    "register_algorithm",
    "register_feature_set",
]

#: ``factory(k, seed, **params) -> estimator`` with a ``fit_predict(X)`` method.
AlgorithmFactory = Callable[..., Any]
#: ``feature_set(features) -> 2-D float array`` (a pure function of the feature table).
FeatureSet = Callable[[pd.DataFrame], np.ndarray]

_ALGORITHMS: dict[str, AlgorithmFactory] = {}
_FEATURE_SETS: dict[str, FeatureSet] = {}


def register_algorithm(name: str, factory: AlgorithmFactory) -> None:
    """Make a clustering algorithm available to experiment grids under ``name``.

    Chapter 8: a researcher's own method joins the comparison with one call.

    Parameters
    ----------
    name : str
        Name used in grids and config files; an existing name is replaced.
    factory : callable
        ``factory(k, seed, **params)`` returns an unfitted estimator with
        ``fit_predict(X)`` for ``k`` clusters, seeded by the int ``seed`` (ignore it if
        the method is deterministic); ``params`` come from the grid's
        ``algorithm_params`` (accept ``**params`` if you want to vary settings).

    Raises
    ------
    TypeError
        If ``name`` is not a string or ``factory`` is not callable.

    See Also
    --------
    register_feature_set, crmlab.experiments.run_grid

    Examples
    --------
    >>> from sklearn.cluster import KMeans
    >>> from crmlab.experiments import algorithm_names, register_algorithm
    >>> register_algorithm("kmeans_1init", lambda k, seed: KMeans(k, n_init=1, random_state=seed))
    >>> "kmeans_1init" in algorithm_names()
    True
    """
    _check_entry(name, factory, caller="register_algorithm()", what="factory")
    _ALGORITHMS[name] = factory


def register_feature_set(name: str, transform: FeatureSet) -> None:
    """Make a feature preparation available to experiment grids under ``name``.

    Chapter 8: how the features are prepared (raw, logged, scaled, ranked) is one
    of the factors a segmentation study varies.

    Parameters
    ----------
    name : str
        Name used in grids and config files; an existing name is replaced.
    transform : callable
        ``transform(features)`` takes the feature DataFrame (one row per customer,
        columns ``recency``, ``frequency``, ``monetary``) and returns a 2-D float
        array with one row per customer. It must not modify its input.

    Raises
    ------
    TypeError
        If ``name`` is not a string or ``transform`` is not callable.

    See Also
    --------
    register_algorithm

    Examples
    --------
    >>> import numpy as np
    >>> from crmlab.experiments import feature_set_names, register_feature_set
    >>> register_feature_set("log_fm", lambda f: np.log1p(f[["frequency", "monetary"]].to_numpy(float)))
    >>> "log_fm" in feature_set_names()
    True
    """
    _check_entry(name, transform, caller="register_feature_set()", what="transform")
    _FEATURE_SETS[name] = transform


def _check_entry(name: Any, func: Any, *, caller: str, what: str) -> None:
    if not isinstance(name, str) or not name:
        raise TypeError(f"{caller}: 'name' must be a non-empty string; got {name!r}.")
    if not callable(func):
        raise TypeError(f"{caller}: '{what}' must be callable; got {type(func).__name__}.")


def algorithm_names() -> list[str]:
    """Return the names of the registered clustering algorithms, sorted.

    Chapter 8: the names an experiment grid or config file may use as ``algorithms``.

    Returns
    -------
    list of str

    Examples
    --------
    >>> from crmlab.experiments import algorithm_names
    >>> [name for name in algorithm_names() if name in ("gmm", "hdbscan", "kmeans", "ward")]
    ['gmm', 'hdbscan', 'kmeans', 'ward']
    """
    return sorted(_ALGORITHMS)


def feature_set_names() -> list[str]:
    """Return the names of the registered feature sets, sorted.

    Chapter 8: the names an experiment grid or config file may use as ``feature_sets``.

    Returns
    -------
    list of str

    Examples
    --------
    >>> from crmlab.experiments import feature_set_names
    >>> [name for name in feature_set_names() if name in ("log_scaled", "rank", "raw", "scaled")]
    ['log_scaled', 'rank', 'raw', 'scaled']
    """
    return sorted(_FEATURE_SETS)


def get_algorithm(name: str, *, caller: str = "get_algorithm") -> AlgorithmFactory:
    """Return the clusterer factory registered under ``name``, or raise listing the known names.

    Parameters
    ----------
    name : str
        A registered name (see :func:`algorithm_names`).
    caller : str, default="get_algorithm"
        Public function named in the error message.

    Returns
    -------
    callable
        ``factory(k, seed, **params)`` returning an unfitted clusterer.

    Raises
    ------
    ValueError
        If ``name`` is not registered.

    Examples
    --------
    >>> callable(get_algorithm("kmeans"))
    True
    """
    check_in_choices(name, "algorithm", algorithm_names(), caller=caller)
    return _ALGORITHMS[name]


def get_feature_set(name: str, *, caller: str = "get_feature_set") -> FeatureSet:
    """Return the feature transform registered under ``name``, or raise listing the known names.

    Parameters
    ----------
    name : str
        A registered name (see :func:`feature_set_names`).
    caller : str, default="get_feature_set"
        Public function named in the error message.

    Returns
    -------
    callable
        The transform from a feature table to the matrix the clusterers see.

    Raises
    ------
    ValueError
        If ``name`` is not registered.

    Examples
    --------
    >>> callable(get_feature_set("scaled"))
    True
    """
    check_in_choices(name, "feature_set", feature_set_names(), caller=caller)
    return _FEATURE_SETS[name]


# --- built-in entries: the course's own estimators and feature sets (crmlab.segmentation) -------------


def _clusterer(name: str) -> AlgorithmFactory:
    def factory(k: int, seed: int, **params: Any) -> Any:
        from crmlab.segmentation import make_clusterer

        return make_clusterer(name, k, random_state=seed, **params)

    factory.__name__ = f"make_{name}"
    return factory


def _prepared(name: str) -> FeatureSet:
    def transform(features: pd.DataFrame) -> np.ndarray:
        from crmlab.segmentation import prepare_features

        return prepare_features(features, name).to_numpy(dtype=float)

    transform.__name__ = f"prepare_{name}"
    return transform


# k-prototypes needs categorical profile columns, which RFM feature tables do not have; HDBSCAN ignores k.
for _name in ("kmeans", "gmm", "ward", "hdbscan"):
    register_algorithm(_name, _clusterer(_name))
for _name in ("raw", "scaled", "log_scaled", "rank"):
    register_feature_set(_name, _prepared(_name))
