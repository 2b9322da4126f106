"""Compute one experiment cell: data (cached per run), features, fit, metrics."""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
from threadpoolctl import threadpool_limits

from crmlab._rng import as_generator
from crmlab.segmentation import internal_scores

METRIC_COLUMNS = [
    "n_found", "silhouette", "calinski_harabasz", "davies_bouldin", "inertia", "stability", "ari", "nmi",
    "seconds", "message", "status",
]
_CACHE: OrderedDict[tuple, Any] = OrderedDict()
_CACHE_SIZE = 8


def _cached(key: tuple, make: Any) -> Any:
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    value = make()
    _CACHE[key] = value
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return value


def _make_data(source: Any, kwargs: dict[str, Any], seed: int) -> tuple[pd.DataFrame, np.ndarray | None]:
    data = source(**kwargs, random_state=seed)
    # integer codes of the true segments: scoring string labels costs sklearn a type check per call
    truth = pd.factorize(data["segment"])[0] if "segment" in data.columns else None
    return data, truth


def _data(cell: dict[str, Any], settings: dict[str, Any], token: str) -> tuple[pd.DataFrame, np.ndarray | None]:
    kwargs = {key: cell[key] for key in settings["data_keys"]}
    key = (token, "data", tuple(sorted(kwargs.items())), cell["seed"])
    return _cached(key, lambda: _make_data(settings["source"], kwargs, cell["seed"]))


def _features(cell: dict[str, Any], data: pd.DataFrame, transform: Any, settings: dict[str, Any],
              token: str) -> np.ndarray:
    kwargs = tuple(sorted((k, cell[k]) for k in settings["data_keys"]))
    key = (token, "features", kwargs, cell["seed"], cell["feature_set"])
    return _cached(key, lambda: np.asarray(transform(data), dtype=float))


def _stability(factory: Any, x: np.ndarray, labels: np.ndarray, k: int, n_boot: int, share: float,
               seed: int) -> float:
    if n_boot == 0:
        return np.nan
    rng = as_generator(np.random.SeedSequence(seed, spawn_key=(1,)), caller="run_grid")
    m = max(int(round(share * len(labels))), k + 1)
    scores = []
    for _ in range(n_boot):  # a loop over subsamples, not over customers
        idx = np.sort(rng.choice(len(labels), size=m, replace=False))
        refit = factory(k, int(rng.integers(2**31 - 1))).fit_predict(x[idx])
        scores.append(adjusted_rand_score(labels[idx], refit))
    return float(np.mean(scores))


def _fit_and_score(row: dict[str, Any], x: np.ndarray, truth: np.ndarray | None, factory: Any,
                   settings: dict[str, Any]) -> None:
    labels = np.asarray(factory(row["k"], row["fit_seed"]).fit_predict(x))
    scores = internal_scores(x, labels, silhouette_sample=settings["silhouette_sample"], random_state=row["fit_seed"])
    row.update(n_found=int(scores.pop("n_clusters")), **scores)
    row["stability"] = _stability(factory, x, labels, row["k"], settings["n_bootstrap"], settings["subsample"],
                                  row["fit_seed"])
    if truth is not None:  # the ARI and NMI of crmlab.segmentation.recovery_scores, without its costlier AMI
        row["ari"] = float(adjusted_rand_score(truth, labels))
        row["nmi"] = float(normalized_mutual_info_score(truth, labels))


def run_cell(cell: dict[str, Any], factory: Any, transform: Any, settings: dict[str, Any],
             token: str) -> dict[str, Any]:
    """Return the cell's row: its keys plus metrics; a failing fit becomes status 'error'."""
    data, truth = _data(cell, settings, token)
    x = _features(cell, data, transform, settings, token)
    row = {**cell, **dict.fromkeys(METRIC_COLUMNS, np.nan), "n_found": 0, "message": "", "status": "ok"}
    start = time.perf_counter()
    with threadpool_limits(limits=1):  # cells are small: threads cost more than they give; n_jobs parallelises
        try:
            _fit_and_score(row, x, truth, factory, settings)
        except Exception as exc:  # noqa: BLE001 - one failing method must not stop a long grid; the row says why
            row.update(status="error", message=f"{type(exc).__name__}: {exc}".replace("\n", " ")[:300])
    row["seconds"] = time.perf_counter() - start
    return row
