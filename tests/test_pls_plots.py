"""Path diagram with formative blocks and interactions; simple-slopes plot."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from crmlab.datasets import load_mobi  # noqa: E402
from crmlab.plotting import plot_ipma, plot_path_diagram, plot_simple_slopes  # noqa: E402
from crmlab.satisfaction import (
    PLSPathModel,  # noqa: E402
    ecsi_model,  # noqa: E402
)
from crmlab.satisfaction.ipma import ipma  # noqa: E402
from crmlab.synth.pls_surveys import make_pls_survey  # noqa: E402


@pytest.fixture(scope="module")
def moderated():
    s = make_pls_survey(300, random_state=2)
    return PLSPathModel(s.blocks, s.paths, modes=s.modes, interactions=s.interactions).fit(s.items)


def test_path_diagram_marks_formative_and_interaction(moderated):
    fig, ax = plt.subplots()
    assert plot_path_diagram(moderated, ax=ax) is ax
    labels = [t.get_text() for t in ax.texts]
    assert any("Quality" in t and "(formative)" in t for t in labels)
    assert any("Satisfaction*SwitchingCost" in t and "(interaction)" in t for t in labels)
    assert not any("Loyalty" in t and "(formative)" in t for t in labels)
    plt.close(fig)


def test_simple_slopes(moderated):
    fig, ax = plt.subplots()
    assert plot_simple_slopes(moderated, "Satisfaction", "SwitchingCost", "Loyalty", ax=ax) is ax
    slopes = [np.polyfit(*line.get_data(), 1)[0] for line in ax.get_lines() if len(line.get_xdata()) > 2]
    gamma = moderated.interactions_["product_coefficient"].iloc[0]
    base = moderated.path_coefficients_.loc["Satisfaction", "Loyalty"]
    assert np.allclose(slopes, [base - gamma, base, base + gamma])
    assert slopes[0] > slopes[2]  # high switching costs: satisfaction matters less (the generated hostage effect)
    with pytest.raises(ValueError, match="no interaction Quality\\*SwitchingCost -> Loyalty"):
        plot_simple_slopes(moderated, "Quality", "SwitchingCost", "Loyalty")
    plt.close(fig)


def test_ipma_plot():
    table = ipma(ecsi_model().fit(load_mobi()), "Loyalty")
    fig, ax = plt.subplots()
    assert plot_ipma(table, target="Loyalty", ax=ax) is ax
    offsets = ax.collections[0].get_offsets()
    assert np.allclose(offsets, table[["importance", "performance"]].to_numpy())
    assert {t.get_text() for t in ax.texts} == set(table.index)
    plt.close(fig)
