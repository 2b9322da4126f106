"""Shared test configuration: a headless matplotlib, patient hypothesis settings, seeded worlds.

Markers: tests that execute or render the chapter notebooks are marked ``notebooks`` here (and
nbval's notebook cells too), so ``make test-fast`` can run everything else with ``-m "not notebooks"``.
"""

from __future__ import annotations

from typing import Any

import matplotlib
import pytest
from hypothesis import HealthCheck, settings

matplotlib.use("Agg")  # this process only; notebook kernels started by nbval keep the inline backend

settings.register_profile(
    "crmlab", deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
settings.load_profile("crmlab")

# Tests that start a kernel, run a chapter again, open a browser or render every chapter (the rest of
# test_course.py and test_notebooks.py only read notebook files and stay in the fast loop). Tests that use
# a built site (the ``site`` fixture of test_site.py and test_site_search.py) are marked as well.
_NOTEBOOK_TESTS = {
    "test_student_copy_runs_top_to_bottom",
    "test_site_is_complete_and_offline",
    "test_execute_runs_a_quiet_private_kernel_and_reports_the_failing_cell",
    "test_slide_check_measures_every_slide",
    "test_make_lab_runs_as_root_and_opens_either_edition",
    "test_checks_reject_wrong_answers_with_a_message",
    "test_executed_edition_must_reproduce_the_english_outputs",
    "test_chapter_prose_follows_parameters",
    "test_tofu_measure_tells_real_glyphs_from_missing_glyph_boxes",
}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "notebooks: executes or renders chapter notebooks (left out by make test-fast)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        name = getattr(item, "originalname", None) or item.name
        if name in _NOTEBOOK_TESTS or item.path.suffix == ".ipynb" or "site" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.notebooks)


@pytest.fixture(autouse=True)
def _close_figures():
    """Close every figure a test opened."""
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


# ------------------------------------------------------------------------------------------------
# Generated customer worlds: one table of seeds, each world built once per session (per xdist
# worker) and shared. Treat them as read-only: copy a table before changing it.
# ------------------------------------------------------------------------------------------------

WORLDS: dict[str, dict[str, Any]] = {
    "synth_world": {"n_customers": 3000, "random_state": 11},  # test_synth: general properties
    "big_loyal_world": {"n_customers": 20000, "random_state": 5, "segments": ("loyal",)},  # parameter recovery
    "loyal_world": {"n_customers": 3000, "random_state": 3, "segments": ("loyal",)},  # test_clv_truth
    "database_world": {"n_customers": 400, "random_state": 11, "start": "2023-01-01", "end": "2024-12-31"},
    "b2b_world": {"n_customers": 150, "random_state": 3, "preset": "b2b"},  # test_database
    "complaints_world": {"n_customers": 600, "random_state": 3},  # test_complaints
    "ladder_world": {"n_customers": 300, "random_state": 2},  # test_loyalty: ladder stages
    "survey_world": {"n_customers": 1500, "random_state": 3, "survey_share": 1.0},  # test_loyalty: index
    "four_segment_world": {"n_customers": 1000, "random_state": 7, "four_segments": True},  # test_segmentation
}


def _build_world(name: str) -> Any:
    from crmlab.synth import make_customer_world

    settings = dict(WORLDS[name])
    if settings.pop("four_segments", False):
        from crmlab.segmentation import FOUR_SEGMENT_WORLD

        settings.update(FOUR_SEGMENT_WORLD)
    return make_customer_world(settings.pop("n_customers"), **settings)


def _world_fixture(name: str):
    @pytest.fixture(scope="session", name=name)
    def fixture() -> Any:
        return _build_world(name)

    fixture.__doc__ = f"The seeded world {WORLDS[name]} (built once per session)."
    return fixture


for _name in WORLDS:
    globals()[f"_fixture_{_name}"] = _world_fixture(_name)
