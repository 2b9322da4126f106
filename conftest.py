"""Root pytest configuration, loaded for ``pytest tests`` and ``pytest notebooks/... --nbval`` alike.

The notebook kernels nbval starts inherit this process's environment: the live demonstrations
of :mod:`crmlab.widgets` show their static figure there, as in the stored outputs written by
``crmlab course execute``.
"""

import os
import sys

import pytest

os.environ["CRMLAB_WIDGETS"] = "static"


@pytest.fixture(autouse=True)
def _close_figures_after_each_test():
    """Close the figures a test or a docstring example drew, so that they do not pile up in this process."""
    yield
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")
