"""Shared test configuration: a headless matplotlib, patient hypothesis settings."""

from __future__ import annotations

import matplotlib
import pytest
from hypothesis import HealthCheck, settings

matplotlib.use("Agg")  # this process only; notebook kernels started by nbval keep the inline backend

settings.register_profile(
    "crmlab", deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
settings.load_profile("crmlab")


@pytest.fixture(autouse=True)
def _close_figures():
    """Close every figure a test opened."""
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
