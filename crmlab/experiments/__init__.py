"""Segmentation experiments for researchers: grids of methods x settings x seeds.

Chapter 8. An :class:`ExperimentGrid` crosses clustering algorithms, feature
preparations, numbers of clusters ``k``, replicate seeds and data-generator
settings; :func:`run_grid` runs every cell (in parallel if asked, resuming an
interrupted run) and returns one tidy row of metrics per cell; the summary
functions turn that into tables; :func:`load_config` reads a grid from a TOML
file, which the ``crmlab experiment`` command runs from the shell.

Algorithms, feature sets and data sources are looked up by name in small
registries (:mod:`crmlab.experiments.adapters`, :mod:`crmlab.experiments.sources`),
so a researcher's own method joins a grid with one ``register_*`` call.
"""

from crmlab.experiments.adapters import (
    algorithm_names,
    feature_set_names,
    register_algorithm,
    register_feature_set,
)
from crmlab.experiments.config import ExperimentConfig, config_from_dict, load_config
from crmlab.experiments.grid import ExperimentGrid, run_grid
from crmlab.experiments.sources import SEGMENT_PROFILES, make_rfm_blobs, register_source, source_names
from crmlab.experiments.summary import (
    K_RULES,
    best_per_condition,
    data_columns,
    format_mean_sd,
    select_k,
    summarize_grid,
)

__all__ = [
    "K_RULES",
    "SEGMENT_PROFILES",
    "ExperimentConfig",
    "ExperimentGrid",
    "algorithm_names",
    "best_per_condition",
    "config_from_dict",
    "data_columns",
    "feature_set_names",
    "format_mean_sd",
    "load_config",
    "make_rfm_blobs",
    "register_algorithm",
    "register_feature_set",
    "register_source",
    "run_grid",
    "select_k",
    "source_names",
    "summarize_grid",
]
