"""The datasets shipped with crmlab: find, verify and load them.

Every file lives in the repository's top-level ``datasets/`` folder, is listed in
``datasets/registry.csv`` (file, sha256, shape, dtypes, chapter, source, licence)
and is described in ``datasets/README.md``. The folder is searched in this order:

1. the environment variable ``CRMLAB_DATA_DIR``, if set;
2. the copy installed inside the package (``crmlab/_datasets`` in a wheel);
3. the repository checkout the package was imported from (editable installs).

Never the working directory, never the network. Every load verifies the file's
sha256 first, so a corrupt or truncated copy is reported rather than analysed.
"""

from __future__ import annotations

from crmlab.datasets._registry import (
    ENV_VAR,  # noqa: F401 - kept importable from crmlab.datasets, as before the split
    REGISTRY_FILE,  # noqa: F401
    DatasetInfo,
    data_dir,
    dataset_info,
    dataset_path,
    list_datasets,
    load,
    register_parser,
)
from crmlab.datasets.loaders import (
    load_cdnow_holdout,
    load_cdnow_master,
    load_cdnow_sample,
    load_cdnow_summary,
    load_cdnow_tracking,
    load_course_complaints,
    load_course_customers,
    load_course_surveys,
    load_course_transactions,
    load_course_truth,
    load_donations,
    load_donations_annual,
    load_donations_holdout,
    load_mobi,
    load_sbg_retention,
    load_yogurt,
)

__all__ = [
    "DatasetInfo",
    "dataset_info",
    "dataset_path",
    "data_dir",
    "list_datasets",
    "load",
    "register_parser",
    "load_cdnow_holdout",
    "load_course_complaints",
    "load_course_customers",
    "load_course_surveys",
    "load_course_transactions",
    "load_course_truth",
    "load_cdnow_master",
    "load_cdnow_sample",
    "load_cdnow_summary",
    "load_cdnow_tracking",
    "load_donations",
    "load_donations_annual",
    "load_donations_holdout",
    "load_mobi",
    "load_sbg_retention",
    "load_yogurt",
]
