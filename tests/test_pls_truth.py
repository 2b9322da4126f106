"""Truth recovery on generated driver surveys: formative weights, interaction, indirect effect, HTMT."""

from __future__ import annotations

import numpy as np
import pytest

from crmlab.satisfaction import PLSPathModel
from crmlab.satisfaction.validity import htmt
from crmlab.synth.pls_surveys import make_pls_survey


@pytest.fixture(scope="module")
def survey():
    # near error-free reflective items (loading 0.97) and PLSc: the test isolates the estimators from the
    # attenuation that plain PLS shows under measurement error (see test_plain_pls_attenuates)
    return make_pls_survey(800, random_state=5, loading=0.97)


@pytest.fixture(scope="module")
def boot(survey):
    model = PLSPathModel(survey.blocks, survey.paths, modes=survey.modes, interactions=survey.interactions,
                         consistent=True).fit(survey.items)
    return model.bootstrap_results(survey.items, n_boot=300, random_state=2)


def test_formative_weights_recovered(survey, boot):
    w = boot.table().query("kind == 'weight'").set_index("target")
    z = (w["estimate"] - survey.weights) / w["std_error"]
    assert len(z) == 3
    assert (z.abs() < 3.5).all(), z.round(2).to_dict()


def test_interaction_and_paths_recovered(survey, boot):
    paths = boot.table().query("kind == 'path'").set_index(["source", "target"])
    z = (paths["estimate"] - survey.coefficients) / paths["std_error"]
    assert len(z.dropna()) == 5
    assert (z.abs() < 3.5).all(), z.round(2).to_dict()
    inter = paths.loc[("Satisfaction*SwitchingCost", "Loyalty")]
    assert inter["upper"] < 0  # the hostage effect is found: switching costs weaken satisfaction -> loyalty


def test_indirect_effect_recovered(survey, boot):
    row = boot.specific_effect(["Quality", "Satisfaction", "Loyalty"]).iloc[0]
    assert abs(row["estimate"] - survey.indirect_effect) < 3.5 * row["std_error"]
    assert row["lower"] > 0


def test_htmt_flags_redundant_pair_and_passes_distinct_pair(survey):
    blocks = {**survey.blocks, "Affect": ["AFF1", "AFF2", "AFF3"]}
    table = htmt(survey.items, blocks)
    assert table.loc["Satisfaction", "Affect"] > 0.9  # true correlation 0.95: not distinct
    assert table.loc["Quality", "SwitchingCost"] < 0.2  # true correlation 0: distinct
    model = PLSPathModel({**survey.blocks, "Affect": ["AFF1", "AFF2", "AFF3"]},
                         [*survey.paths[:-1], ("Affect", "Loyalty")], modes=survey.modes).fit(survey.items)
    intervals = model.bootstrap_results(survey.items, n_boot=200, random_state=3).htmt_intervals()
    pair = intervals.set_index(["source", "target"])
    assert pair.loc[("Satisfaction", "Affect"), "lower"] > 0.85
    assert pair.loc[("Satisfaction", "SwitchingCost"), "upper"] < 0.85


def test_plain_pls_attenuates(survey):
    noisy = make_pls_survey(800, random_state=5, loading=0.7)
    plain = PLSPathModel(noisy.blocks, noisy.paths[:-1], modes=noisy.modes).fit(noisy.items)
    plsc = PLSPathModel(noisy.blocks, noisy.paths[:-1], modes=noisy.modes, consistent=True).fit(noisy.items)
    a, b = (m.path_coefficients_.loc["Satisfaction", "Loyalty"] for m in (plain, plsc))
    assert a < b


def test_generator_missing_rate_and_reproducible():
    one = make_pls_survey(2000, random_state=1, missing_rate=0.1)
    two = make_pls_survey(2000, random_state=1, missing_rate=0.1)
    assert one.items.equals(two.items)
    assert one.items.isna().to_numpy().mean() == pytest.approx(0.1, abs=0.01)
    coded = make_pls_survey(2000, random_state=1, missing_rate=0.1, missing_code=-99)
    assert ((coded.items == -99) == one.items.isna()).all().all()
    assert np.allclose(one.scores.corr().loc["Satisfaction", "Affect"], 0.95, atol=0.01)
    with pytest.raises(ValueError, match="explain .* of its variance"):
        make_pls_survey(100, b=0.8, c=0.5, d=0.5)


def test_plsc_heywood_case_warns_instead_of_failing():
    s = make_pls_survey(800, random_state=3)
    with pytest.warns(UserWarning, match="construct 'SwitchingCost' has a loading above 1"):
        model = PLSPathModel(s.blocks, s.paths, modes=s.modes, interactions=s.interactions, consistent=True).fit(
            s.items
        )
    assert np.isnan(model.reliability_.loc["SwitchingCost", "rho_c"])
    assert np.isfinite(model.reliability_.loc["SwitchingCost", "cronbach_alpha"])
