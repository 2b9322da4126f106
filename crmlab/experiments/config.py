"""Experiment grids described in TOML files, validated with clear errors."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crmlab._validation import check_int
from crmlab.experiments.grid import ExperimentGrid

__all__ = ["ExperimentConfig", "config_from_dict", "load_config"]

_EXPERIMENT_KEYS = {"name", "algorithms", "feature_sets", "k", "n_seeds", "base_seed", "n_bootstrap", "subsample",
                    "silhouette_sample",
                    "algorithm_params"}
_SECTIONS = {"experiment", "data", "run"}
_RUN_KEYS = {"out", "n_jobs"}


@dataclass(frozen=True)
class ExperimentConfig:
    """A grid read from a config file, with its name and run settings.

    Chapter 8. Returned by :func:`load_config` and :func:`config_from_dict`.

    Parameters
    ----------
    name : str
        The study's name (default: the file name without extension).
    grid : ExperimentGrid
        The design.
    out : Path or None
        Output folder (relative paths in a file are relative to the file's folder).
    n_jobs : int
        Worker processes.

    Examples
    --------
    >>> config = config_from_dict({"experiment": {"feature_sets": ["raw"], "k": [3, 4]}})
    >>> config.name, config.n_jobs, len(config.grid)
    ('experiment', 1, 6)
    """

    name: str
    grid: ExperimentGrid
    out: Path | None = None
    n_jobs: int = 1


def _toml_loads(text: str) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10 only
        try:
            import tomli as tomllib
        except ImportError:
            raise ImportError(
                "load_config(): reading TOML on Python 3.10 needs the 'tomli' package; "
                "install it with 'pip install tomli' or use Python 3.11 or later."
            ) from None
    return tomllib.loads(text)


def load_config(path: str | Path) -> ExperimentConfig:
    r"""Read an experiment grid from a TOML file.

    Chapter 8: a study written as a small text file can be rerun at any scale with
    ``crmlab experiment <file.toml>`` or from Python.

    Parameters
    ----------
    path : str or Path
        A TOML file with an ``[experiment]`` table (``algorithms``, ``feature_sets``,
        ``k`` as a list or ``{start, stop}`` inclusive, ``n_seeds``, ``base_seed``,
        ``n_bootstrap``, ``subsample``, ``silhouette_sample``, ``name``, and sub-tables
        ``[experiment.algorithm_params.<algorithm>]``), a ``[data]``
        table (``source`` plus generator settings, each a value or a list of values)
        and an optional ``[run]`` table (``out``, ``n_jobs``).

    Returns
    -------
    ExperimentConfig

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the file is not valid TOML (with the line number) or the grid is invalid:
        unknown tables or keys, unknown algorithm, feature set or source names.
    TypeError
        If ``path`` is not a str or path-like, or a setting has the wrong type.

    See Also
    --------
    config_from_dict, crmlab.experiments.run_grid

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from crmlab.experiments import load_config
    >>> text = '[experiment]\nk = {start = 2, stop = 5}\n[data]\nnoise = [0.0, 0.5]\n'
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     file = pathlib.Path(tmp) / "study.toml"
    ...     _ = file.write_text(text)
    ...     config = load_config(file)
    >>> config.name, config.grid.k, config.grid.data["noise"]
    ('study', (2, 3, 4, 5), (0.0, 0.5))
    """
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"load_config(): 'path' must be a str or path-like; got {type(path).__name__}.")
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"load_config(): no config file at '{path}'.")
    try:
        raw = _toml_loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:  # tomllib.TOMLDecodeError is a ValueError
        raise ValueError(f"load_config(): '{path}' is not valid TOML: {exc}.") from None
    return config_from_dict(raw, name=path.stem, base_dir=path.parent)


def config_from_dict(
    raw: Mapping[str, Any], *, name: str = "experiment", base_dir: str | Path = "."
) -> ExperimentConfig:
    """Build an :class:`ExperimentConfig` from the tables of a parsed TOML file.

    Parameters
    ----------
    raw : mapping
        ``{"experiment": {...}, "data": {...}, "run": {...}}``; see :func:`load_config`.
    name : str, default="experiment"
        Name used when ``experiment.name`` is absent.
    base_dir : str or Path, default="."
        Folder against which a relative ``run.out`` is resolved.

    Returns
    -------
    ExperimentConfig

    Raises
    ------
    TypeError, ValueError
        As :func:`load_config`.

    Examples
    --------
    >>> from crmlab.experiments import config_from_dict
    >>> config = config_from_dict({"experiment": {"feature_sets": ["raw", "log_scaled"], "k": [3, 4]}})
    >>> len(config.grid)
    12
    """
    caller = "load_config"
    if not isinstance(raw, Mapping):
        raise TypeError(f"{caller}(): the config must be a table; got {type(raw).__name__}.")
    _check_keys(raw, _SECTIONS, "the file", caller)
    experiment = _section(raw, "experiment", caller)
    data = dict(_section(raw, "data", caller))
    run = _section(raw, "run", caller)
    _check_keys(experiment, _EXPERIMENT_KEYS, "[experiment]", caller)
    _check_keys(run, _RUN_KEYS, "[run]", caller)

    fields = {key: value for key, value in experiment.items() if key != "name"}
    if isinstance(fields.get("k"), Mapping):
        fields["k"] = _k_range(fields["k"], caller)
    if "source" in data:
        fields["source"] = data.pop("source")
    if data:
        fields["data"] = data
    grid = ExperimentGrid(**fields, _caller=caller)

    study = experiment.get("name", name)
    if not isinstance(study, str) or not study:
        raise TypeError(f"{caller}(): [experiment] 'name' must be a non-empty string; got {study!r}.")
    out = run.get("out")
    if out is not None and not isinstance(out, str):
        raise TypeError(f"{caller}(): [run] 'out' must be a folder path string; got {out!r}.")
    n_jobs = check_int(run.get("n_jobs", 1), "n_jobs", caller=caller, minimum=-1)
    if n_jobs == 0:
        raise ValueError(f"{caller}(): [run] 'n_jobs' must be a positive integer or -1 (all cores); got 0.")
    return ExperimentConfig(name=study, grid=grid, out=None if out is None else Path(base_dir) / out, n_jobs=n_jobs)


def _section(raw: Mapping[str, Any], key: str, caller: str) -> Mapping[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, Mapping):
        raise TypeError(f"{caller}(): '{key}' must be a table ([{key}]); got {value!r}.")
    return value


def _check_keys(table: Mapping[str, Any], allowed: set[str], where: str, caller: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ValueError(f"{caller}(): unknown key(s) {unknown} in {where}; allowed keys are {sorted(allowed)}.")


def _k_range(spec: Mapping[str, Any], caller: str) -> list[int]:
    _check_keys(spec, {"start", "stop"}, "[experiment] k", caller)
    if set(spec) != {"start", "stop"}:
        raise ValueError(f"{caller}(): [experiment] 'k' as a table needs both 'start' and 'stop'; got {dict(spec)}.")
    start = check_int(spec["start"], "k.start", caller=caller, minimum=2)
    stop = check_int(spec["stop"], "k.stop", caller=caller, minimum=start)
    return list(range(start, stop + 1))
