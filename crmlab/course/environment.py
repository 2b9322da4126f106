"""The environment check of Chapter 0: which versions is this course running on."""

from __future__ import annotations

import platform
from importlib import metadata

import pandas as pd

__all__ = ["CORE_PACKAGES", "environment_report"]

CORE_PACKAGES = ("crmlab", "numpy", "pandas", "scipy", "matplotlib", "scikit-learn", "jupyterlab", "nbval")


def environment_report(packages: tuple[str, ...] = CORE_PACKAGES) -> pd.DataFrame:
    """Return the Python version and the installed version of each package.

    Parameters
    ----------
    packages : tuple of str
        Distribution names to look up.

    Returns
    -------
    pandas.DataFrame
        Columns ``package`` and ``version`` ("not installed" where missing), Python first.
    """
    rows = [{"package": "python", "version": platform.python_version()}]
    for name in packages:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "not installed"
        rows.append({"package": name, "version": version})
    return pd.DataFrame(rows)
