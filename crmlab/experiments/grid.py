"""The experiment grid: algorithms x feature sets x k x seeds x data settings -> tidy metrics."""

from __future__ import annotations

import functools
import hashlib
import inspect
import itertools
import json
import numbers
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import InitVar, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crmlab._validation import check_int, check_number
from crmlab.experiments._cell import METRIC_COLUMNS, run_cell
from crmlab.experiments._store import read_results, result_writer
from crmlab.experiments.adapters import get_algorithm, get_feature_set
from crmlab.experiments.sources import get_source

__all__ = ["ExperimentGrid", "run_grid"]

_SPEC_VERSION = 1
_Scalar = (bool, numbers.Integral, numbers.Real, str)


def _as_names(value: Any, name: str, caller: str) -> tuple[str, ...]:
    values = (value,) if isinstance(value, str) else tuple(value) if isinstance(value, Sequence) else None
    if not values or not all(isinstance(v, str) and v for v in values):
        raise TypeError(f"{caller}(): '{name}' must be a non-empty list of names; got {value!r}.")
    if len(set(values)) != len(values):
        raise ValueError(f"{caller}(): '{name}' lists a name twice; got {list(values)}.")
    return values


def _as_data(data: Any, caller: str) -> dict[str, tuple[Any, ...]]:
    if not isinstance(data, Mapping):
        raise TypeError(f"{caller}(): 'data' must be a mapping of setting name to values; got {data!r}.")
    out: dict[str, tuple[Any, ...]] = {}
    for key, value in data.items():
        if not isinstance(key, str) or not key.isidentifier() or key == "random_state":
            raise ValueError(f"{caller}(): data setting names must be keyword names other than "
                             f"'random_state'; got {key!r}.")
        values = tuple(value) if isinstance(value, list | tuple) else (value,)
        if not values or not all(isinstance(v, _Scalar) for v in values):
            raise TypeError(f"{caller}(): data setting '{key}' must be a scalar or a non-empty list of "
                            f"numbers, strings or booleans; got {value!r}.")
        if len(set(values)) != len(values):
            raise ValueError(f"{caller}(): data setting '{key}' lists a value twice; got {list(values)}.")
        numeric = [v for v in values if not isinstance(v, bool | str)]
        if numeric and len(numeric) == len(values) and any(isinstance(v, float) for v in values):
            values = tuple(float(v) for v in values)  # 0 and 0.5 -> 0.0 and 0.5: one type per column
        out[key] = tuple(v.item() if isinstance(v, np.generic) else v for v in values)
    return out


def _as_params(value: Any, algorithms: tuple[str, ...], caller: str) -> dict[str, dict[str, Any]]:
    if not isinstance(value, Mapping):
        raise TypeError(f"{caller}(): 'algorithm_params' must map algorithm names to keyword tables; "
                        f"got {value!r}.")
    out = {}
    for name, params in value.items():
        if name not in algorithms:
            raise ValueError(f"{caller}(): 'algorithm_params' names '{name}', which is not in "
                             f"'algorithms' {list(algorithms)}.")
        if not isinstance(params, Mapping) or not all(
                isinstance(k, str) and isinstance(v, _Scalar) for k, v in params.items()):
            raise TypeError(f"{caller}(): algorithm_params['{name}'] must map keyword names to numbers, "
                            f"strings or booleans; got {params!r}.")
        out[name] = dict(params)
    return out


def _check_source_settings(source: Any, name: str, data: Mapping[str, Any], caller: str) -> None:
    """Raise if the source cannot take one of the data settings, naming the ones it can."""
    try:
        params = inspect.signature(source).parameters
    except (TypeError, ValueError):  # pragma: no cover - builtins without a signature
        return
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return
    allowed = sorted(p for p in params if p != "random_state")
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ValueError(f"{caller}(): source '{name}' has no setting(s) {unknown}; "
                         f"its settings are {allowed}.")


@dataclass(frozen=True)
class ExperimentGrid:
    """A segmentation experiment: every combination of methods, settings and seeds.

    Chapter 8: the design of a method comparison, written down as data. Each cell
    of the grid generates customers with known segments (``source`` with one
    combination of the ``data`` settings and one replicate seed), prepares the
    features (``feature_set``), clusters them into ``k`` groups (``algorithm``) and
    scores the result. :func:`run_grid` runs the cells.

    Parameters
    ----------
    algorithms : sequence of str, default=("kmeans",)
        Names from :func:`~crmlab.experiments.algorithm_names`.
    feature_sets : sequence of str, default=("log_scaled",)
        Names from :func:`~crmlab.experiments.feature_set_names`.
    k : sequence of int, default=(2, 3, 4, 5, 6)
        Numbers of clusters, each >= 2.
    n_seeds : int, default=3
        Replicates per condition: independent worlds (and fits) per combination.
    source : str, default="rfm_blobs"
        Data source name from :func:`~crmlab.experiments.source_names`.
    data : mapping of str to scalar or list, default={"n_customers": [500], "noise": [0.0]}
        Generator settings; every combination of the listed values is a condition.
    base_seed : int, default=0
        Seed from which every replicate's seeds are derived.
    n_bootstrap : int, default=5
        Subsamples per cell for the stability score; 0 skips stability.
    subsample : float, default=0.8
        Share of customers in each stability subsample, in (0, 1).
    silhouette_sample : int, default=2000
        Above this many customers the silhouette is estimated on a seeded sample.
    algorithm_params : mapping of str to mapping, default={}
        Extra keyword arguments per algorithm, e.g. ``{"kmeans": {"n_init": 3}}``
        (passed to :func:`crmlab.segmentation.make_clusterer` for the built-ins).
    _caller : str, default="ExperimentGrid"
        Private: the public function named in error messages (``load_config`` passes its own name).

    Raises
    ------
    TypeError, ValueError
        If a field has the wrong type or value, or names an unknown algorithm,
        feature set or source.

    See Also
    --------
    run_grid, crmlab.experiments.load_config

    Notes
    -----
    Replicate :math:`r` draws its data seed and its fitting seed from
    ``numpy.random.SeedSequence(base_seed, spawn_key=(r,))``. The seeds therefore
    depend on the base seed and the replicate only: every algorithm, feature set,
    ``k`` and data setting of replicate :math:`r` sees the same random draws
    (common random numbers), which makes paired comparisons sharper, and adding
    values to the grid never changes the cells already computed.

    Examples
    --------
    >>> from crmlab.experiments import ExperimentGrid
    >>> grid = ExperimentGrid(feature_sets=["raw", "log_scaled"], k=[3, 4], n_seeds=2,
    ...                       data={"n_customers": 200, "noise": [0.0, 0.5]})
    >>> len(grid)
    16
    """

    algorithms: Sequence[str] = ("kmeans",)
    feature_sets: Sequence[str] = ("log_scaled",)
    k: Sequence[int] = (2, 3, 4, 5, 6)
    n_seeds: int = 3
    source: str = "rfm_blobs"
    data: Mapping[str, Any] = field(default_factory=lambda: {"n_customers": (500,), "noise": (0.0,)})
    base_seed: int = 0
    n_bootstrap: int = 5
    subsample: float = 0.8
    silhouette_sample: int = 2000
    algorithm_params: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    _caller: InitVar[str] = "ExperimentGrid"  # the public function whose name errors carry (load_config...)

    def __post_init__(self, _caller: str) -> None:
        caller = _caller
        setattr_ = object.__setattr__
        setattr_(self, "algorithms", _as_names(self.algorithms, "algorithms", caller))
        setattr_(self, "feature_sets", _as_names(self.feature_sets, "feature_sets", caller))
        for name in self.algorithms:
            get_algorithm(name, caller=caller)
        for name in self.feature_sets:
            get_feature_set(name, caller=caller)
        if not isinstance(self.source, str):
            raise TypeError(f"{caller}(): 'source' must be a string; got {self.source!r}.")
        setattr_(self, "data", _as_data(self.data, caller))
        _check_source_settings(get_source(self.source, caller=caller), self.source, self.data, caller)
        ks = (self.k,) if isinstance(self.k, numbers.Integral) else tuple(self.k)
        ks = tuple(check_int(v, "k", caller=caller, minimum=2) for v in ks)
        if not ks or len(set(ks)) != len(ks):
            raise ValueError(f"{caller}(): 'k' must be a non-empty list of distinct integers >= 2; got {list(ks)}.")
        setattr_(self, "k", ks)
        setattr_(self, "n_seeds", check_int(self.n_seeds, "n_seeds", caller=caller, minimum=1))
        setattr_(self, "base_seed", check_int(self.base_seed, "base_seed", caller=caller, minimum=0))
        setattr_(self, "n_bootstrap", check_int(self.n_bootstrap, "n_bootstrap", caller=caller, minimum=0))
        setattr_(self, "subsample", check_number(self.subsample, "subsample", caller=caller, minimum=0.0,
                                                 maximum=1.0, strict_min=True, strict_max=True))
        setattr_(self, "algorithm_params", _as_params(self.algorithm_params, self.algorithms, caller))
        setattr_(self, "silhouette_sample",
                 check_int(self.silhouette_sample, "silhouette_sample", caller=caller, minimum=10))

    def __len__(self) -> int:
        n_conditions = int(np.prod([len(v) for v in self.data.values()])) if self.data else 1
        return n_conditions * self.n_seeds * len(self.algorithms) * len(self.feature_sets) * len(self.k)

    def conditions(self) -> list[dict[str, Any]]:
        """Return every combination of the data settings, in grid order."""
        keys = list(self.data)
        return [dict(zip(keys, values, strict=True)) for values in itertools.product(*self.data.values())]

    def replicate_seeds(self, replicate: int) -> tuple[int, int]:
        """Return the (data seed, fitting seed) of ``replicate``, derived from ``base_seed``."""
        words = np.random.SeedSequence(self.base_seed, spawn_key=(replicate,)).generate_state(2)
        return int(words[0]), int(words[1] >> 1)  # the fitting seed fits scikit-learn's int32 range

    def cells(self) -> pd.DataFrame:
        """Return the planned cells, one row each, with their deterministic ``cell_id`` and seeds.

        Returns
        -------
        pandas.DataFrame
            Columns ``cell_id``, one per data setting, ``replicate``, ``algorithm``,
            ``feature_set``, ``k``, ``seed`` (data seed) and ``fit_seed``.
        """
        rows = []
        settings = {"source": self.source, "base_seed": self.base_seed, "n_bootstrap": self.n_bootstrap,
                    "subsample": self.subsample, "silhouette_sample": self.silhouette_sample, "v": _SPEC_VERSION}
        for condition in self.conditions():
            for replicate in range(self.n_seeds):
                seed, fit_seed = self.replicate_seeds(replicate)
                for algorithm, feature_set, k in itertools.product(self.algorithms, self.feature_sets, self.k):
                    cell = {**condition, "replicate": replicate, "algorithm": algorithm,
                            "feature_set": feature_set, "k": k}
                    params = self.algorithm_params.get(algorithm, {})
                    key = json.dumps({"data": condition, "params": params, **settings, **cell}, sort_keys=True)
                    cell_id = hashlib.sha1(key.encode()).hexdigest()[:16]
                    rows.append({"cell_id": cell_id, **cell, "seed": seed, "fit_seed": fit_seed})
        return pd.DataFrame(rows)


def run_grid(
    grid: ExperimentGrid, *, out: str | Path | None = None, n_jobs: int = 1, progress: bool = True
) -> pd.DataFrame:
    r"""Run every cell of an experiment grid and return one tidy row of metrics per cell.

    Chapter 8: the engine of a segmentation study. Cells run serially or in
    parallel with identical results; with ``out`` each finished cell is appended
    to ``out/results.csv`` at once, and a rerun with the same ``out`` computes only
    the cells that are missing (an interrupted grid resumes where it stopped).

    Parameters
    ----------
    grid : ExperimentGrid
        The design.
    out : str or Path, optional
        Folder for ``results.csv`` (created if needed). ``None`` keeps results in memory.
    n_jobs : int, default=1
        Worker processes (joblib); ``-1`` uses every core. Results do not depend on it.
    progress : bool, default=True
        Show a tqdm progress bar on stderr (pass ``False`` in notebooks and tests).

    Returns
    -------
    pandas.DataFrame
        One row per cell in grid order: ``cell_id``, the data settings, ``replicate``,
        ``algorithm``, ``feature_set``, ``k``, ``seed``, ``fit_seed``, then
        ``n_found`` (clusters found), ``silhouette``, ``calinski_harabasz``,
        ``davies_bouldin``, ``inertia`` (within-cluster sum of squares), ``stability``
        (mean subsample ARI), ``ari`` and ``nmi`` against the true segments (NaN when
        the source has no truth), ``seconds`` (fit and scoring time, data
        generation excluded), ``message`` and ``status`` (``"ok"`` or ``"error"``).
        ``attrs`` holds ``n_cells``, ``n_reused`` and ``n_computed``.

    Raises
    ------
    TypeError, ValueError
        If ``grid`` is not an :class:`ExperimentGrid`, ``n_jobs`` is 0 or below -1,
        or ``out/results.csv`` was written with other columns.

    See Also
    --------
    crmlab.experiments.summarize_grid, crmlab.experiments.select_k, crmlab.plotting.plot_grid_metric

    Notes
    -----
    Stability of a cell is

    .. math::

        S = \frac{1}{B} \sum_{b=1}^{B} \mathrm{ARI}\left(\hat y_{I_b},\; f_k(X_{I_b})\right),

    where :math:`I_b` is a random subsample of a share ``subsample`` of the
    customers, :math:`\hat y` the labels on all customers and :math:`f_k` a refit on
    the subsample (Lange et al., 2004; Hennig, 2007).

    References
    ----------
    .. [1] Lange, T., Roth, V., Braun, M. L., & Buhmann, J. M. (2004). Stability-based validation of
       clustering solutions. Neural Computation, 16(6), 1299-1323.
    .. [2] Hennig, C. (2007). Cluster-wise assessment of cluster stability. Computational Statistics &
       Data Analysis, 52(1), 258-271.

    Examples
    --------
    >>> from crmlab.experiments import ExperimentGrid, run_grid
    >>> grid = ExperimentGrid(k=[3, 4], n_seeds=1, n_bootstrap=2, data={"n_customers": 200})
    >>> results = run_grid(grid, progress=False)
    >>> results[["k", "n_found", "status"]].to_dict("records")
    [{'k': 3, 'n_found': 3, 'status': 'ok'}, {'k': 4, 'n_found': 4, 'status': 'ok'}]
    >>> bool(results.loc[results["k"] == 4, "ari"].iloc[0] > 0.8)
    True
    """
    if not isinstance(grid, ExperimentGrid):
        raise TypeError(f"run_grid(): 'grid' must be an ExperimentGrid; got {type(grid).__name__}.")
    n_jobs = check_int(n_jobs, "n_jobs", caller="run_grid", minimum=-1)
    if n_jobs == 0:
        raise ValueError("run_grid(): 'n_jobs' must be a positive integer or -1 (all cores); got 0.")
    cells = grid.cells()
    columns = [*cells.columns, *METRIC_COLUMNS]
    path = None if out is None else Path(out) / "results.csv"
    done = read_results(path, columns, caller="run_grid") if path is not None else pd.DataFrame(columns=columns)
    done = done[done["cell_id"].isin(cells["cell_id"])].drop_duplicates("cell_id")
    todo = cells[~cells["cell_id"].isin(done["cell_id"])].to_dict("records")

    rows = _execute(grid, todo, path=path, columns=columns, n_jobs=n_jobs, progress=progress)
    new = pd.DataFrame(rows, columns=columns)
    results = pd.concat([df for df in (done, new) if len(df)], ignore_index=True) if len(done) else new
    results = cells[["cell_id"]].merge(results, on="cell_id", how="left", validate="one_to_one")
    results = _tidy(results, grid)
    results.attrs = {"n_cells": len(cells), "n_reused": len(done), "n_computed": len(todo)}
    return results


def _execute(grid: ExperimentGrid, todo: list[dict[str, Any]], *, path: Path | None, columns: list[str],
             n_jobs: int, progress: bool) -> list[dict[str, Any]]:
    from tqdm import tqdm

    settings = {"source_name": grid.source, "source": get_source(grid.source), "data_keys": list(grid.data),
                "n_bootstrap": grid.n_bootstrap, "subsample": grid.subsample,
                "silhouette_sample": grid.silhouette_sample}
    parts = {name: functools.partial(get_algorithm(name), **grid.algorithm_params.get(name, {}))
             for name in grid.algorithms}
    features = {name: get_feature_set(name) for name in grid.feature_sets}
    token = uuid.uuid4().hex  # names this run's data cache; never reaches the results
    jobs = [(cell, parts[cell["algorithm"]], features[cell["feature_set"]]) for cell in todo]
    rows: list[dict[str, Any]] = []
    with result_writer(path, columns) as write, tqdm(total=len(jobs), disable=not progress, unit="cell",
                                                     desc="experiment") as bar:
        if n_jobs == 1 or len(jobs) <= 1:
            stream = (run_cell(cell, algo, feats, settings, token) for cell, algo, feats in jobs)
        else:
            from joblib import Parallel, delayed

            stream = Parallel(n_jobs=n_jobs, return_as="generator_unordered")(
                delayed(run_cell)(cell, algo, feats, settings, token) for cell, algo, feats in jobs
            )
        for row in stream:
            write(row)
            rows.append(row)
            bar.update(1)
    return rows


def _tidy(results: pd.DataFrame, grid: ExperimentGrid) -> pd.DataFrame:
    """One dtype per column whether rows were computed now or read back from the results file."""
    out = results.copy()
    for key, values in grid.data.items():
        kinds = {type(v) for v in values}
        out[key] = out[key].astype(next(iter(kinds)) if len(kinds) == 1 else object)
    for col in ("replicate", "k", "seed", "fit_seed", "n_found"):
        out[col] = out[col].astype(np.int64)
    for col in ("silhouette", "calinski_harabasz", "davies_bouldin", "inertia", "stability", "ari", "nmi", "seconds"):
        out[col] = out[col].astype(float)
    for col in ("cell_id", "algorithm", "feature_set", "status"):
        out[col] = out[col].astype(str)
    out["message"] = out["message"].fillna("").astype(str)
    return out
